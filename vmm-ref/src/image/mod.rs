//! The local image store: root filesystems with their run configuration, imported from a
//! directory, an OCI image layout (directory or tar) or a `docker save` archive.
//!
//! # Layout on disk
//!
//! ```text
//! $VMM_REF_HOME (or ~/.local/share/vmm-ref)
//! └── images/
//!     └── <name, '/' written as '%2F'>/
//!         └── <tag>/
//!             ├── image.json   (ImageInfo: name, tag, config, size, source)
//!             └── rootfs/      (the merged root filesystem)
//! └── tmp/                     (imports in progress; renamed into place when complete)
//! ```
//!
//! An import is atomic: it is assembled under `tmp/` and renamed into `images/` at the end,
//! replacing an image of the same name and tag.
//!
//! # References
//!
//! `NAME[:TAG]`, the tag `latest` when none is given. Docker Hub's spellings name the same
//! image: `docker.io/library/busybox`, `library/busybox` and `busybox` are all `busybox`.
//!
//! # Examples
//!
//! ```
//! # let home = std::env::temp_dir().join(format!("vmm-ref-doc-image-{}", std::process::id()));
//! use vmm_ref::image::{Reference, Store};
//! let store = Store::at(&home);
//! let src = home.join("src");
//! std::fs::create_dir_all(src.join("bin")).unwrap();
//! std::fs::write(src.join("bin/hello"), "#!/bin/sh\necho hi\n").unwrap();
//! let info = store.import(&Reference::parse("hello").unwrap(), &src).unwrap();
//! assert_eq!(info.tag, "latest");
//! assert!(store.get(&Reference::parse("hello:latest").unwrap()).unwrap().rootfs().join("bin/hello").exists());
//! assert_eq!(store.list().unwrap().len(), 1);
//! store.remove(&Reference::parse("hello").unwrap()).unwrap();
//! assert!(store.list().unwrap().is_empty());
//! # std::fs::remove_dir_all(&home).unwrap();
//! ```

mod archive;

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

/// The environment variable that names the store's directory.
pub const HOME_ENV: &str = "VMM_REF_HOME";

/// Errors of the image store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The reference is not `NAME[:TAG]` with allowed characters.
    #[error("invalid image reference {reference:?}: {problem}")]
    InvalidReference {
        /// What was given.
        reference: String,
        /// What is wrong.
        problem: &'static str,
    },
    /// The image is not in the store.
    #[error(
        "image {reference} is not in the image store ({store}); import it with `vmm-ref image import {reference} PATH` (a directory, an OCI image layout or a `docker save` archive){hint}"
    )]
    NotFound {
        /// The image.
        reference: String,
        /// The store's directory.
        store: String,
        /// Extra advice (how to build the busybox image).
        hint: String,
    },
    /// The source is neither a directory nor a tar archive we understand.
    #[error("cannot import {path}: {problem}")]
    BadSource {
        /// The source.
        path: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A file-system operation failed.
    #[error("{what} {path}: {source}")]
    Io {
        /// The operation.
        what: &'static str,
        /// The path.
        path: String,
        /// The error.
        #[source]
        source: io::Error,
    },
    /// A metadata file could not be read.
    #[error("{path}: {source}")]
    Json {
        /// The file.
        path: String,
        /// The error.
        #[source]
        source: serde_json::Error,
    },
}

impl Error {
    fn io(what: &'static str, path: &Path) -> impl FnOnce(io::Error) -> Self + use<> {
        let path = path.display().to_string();
        move |source| Self::Io { what, path, source }
    }
}

/// An image name and tag.
///
/// # Examples
///
/// ```
/// # use vmm_ref::image::Reference;
/// let r = Reference::parse("docker.io/library/busybox:1.36").unwrap();
/// assert_eq!((r.name.as_str(), r.tag.as_str()), ("busybox", "1.36"));
/// assert_eq!(Reference::parse("busybox").unwrap().to_string(), "busybox:latest");
/// assert!(Reference::parse("Bad Name").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Reference {
    /// The repository name, lower case, `/`-separated.
    pub name: String,
    /// The tag.
    pub tag: String,
}

impl Reference {
    /// Parses `NAME[:TAG]` (a `@digest` is not supported).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidReference`] for an empty name, characters outside `a-z 0-9 . _ - /`, a
    /// digest, or a bad tag.
    ///
    /// # Examples
    ///
    /// ```
    /// # use vmm_ref::image::Reference;
    /// assert_eq!(Reference::parse("localhost:5000/app:v2").unwrap().name, "localhost:5000/app");
    /// assert!(Reference::parse("app@sha256:abc").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<Self, Error> {
        let bad = |problem| Error::InvalidReference {
            reference: s.to_owned(),
            problem,
        };
        if s.contains('@') {
            return Err(bad("digests are not supported; use NAME[:TAG]"));
        }
        // The tag is after the last ':' that follows the last '/' (a registry may have a port).
        let last_slash = s.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match s[last_slash..].rfind(':') {
            Some(i) => (&s[..last_slash + i], &s[last_slash + i + 1..]),
            None => (s, "latest"),
        };
        let name = name
            .strip_prefix("docker.io/")
            .or_else(|| name.strip_prefix("index.docker.io/"))
            .unwrap_or(name);
        let name = name.strip_prefix("library/").unwrap_or(name);
        if name.is_empty() {
            return Err(bad("the name is empty"));
        }
        let name_ok = name.split('/').enumerate().all(|(i, part)| {
            !part.is_empty()
                && part.chars().all(|c| {
                    c.is_ascii_lowercase()
                        || c.is_ascii_digit()
                        || matches!(c, '.' | '_' | '-')
                        || (i == 0 && c == ':')
                })
        });
        if !name_ok {
            return Err(bad(
                "a name is lower-case letters, digits, '.', '_', '-' and '/'",
            ));
        }
        let tag_ok = !tag.is_empty()
            && tag.len() <= 128
            && !tag.starts_with(['.', '-'])
            && tag
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if !tag_ok {
            return Err(bad(
                "a tag is 1 to 128 letters, digits, '.', '_' and '-', not starting with '.' or '-'",
            ));
        }
        Ok(Self {
            name: name.to_owned(),
            tag: tag.to_owned(),
        })
    }

    fn dir_name(&self) -> String {
        self.name.replace('/', "%2F").replace(':', "%3A")
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.name, self.tag)
    }
}

/// How to run an image (the OCI image config's `config` object, the parts we use).
///
/// # Examples
///
/// ```
/// # use vmm_ref::image::ImageConfig;
/// let c = ImageConfig { cmd: vec!["sh".into()], ..ImageConfig::default() };
/// assert!(c.entrypoint.is_empty());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageConfig {
    /// `Entrypoint`.
    #[serde(default)]
    pub entrypoint: Vec<String>,
    /// `Cmd`.
    #[serde(default)]
    pub cmd: Vec<String>,
    /// `Env`, as `NAME=value`.
    #[serde(default)]
    pub env: Vec<String>,
    /// `WorkingDir`.
    #[serde(default)]
    pub working_dir: Option<String>,
    /// `StopSignal`.
    #[serde(default)]
    pub stop_signal: Option<String>,
}

/// What the store knows about one image (its `image.json`).
///
/// # Examples
///
/// ```
/// # use vmm_ref::image::{ImageConfig, ImageInfo, SourceKind};
/// let i = ImageInfo { name: "a".into(), tag: "latest".into(), config: ImageConfig::default(), size: 0, source: SourceKind::Directory };
/// assert_eq!(i.reference().to_string(), "a:latest");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageInfo {
    /// Name.
    pub name: String,
    /// Tag.
    pub tag: String,
    /// How to run it.
    pub config: ImageConfig,
    /// Bytes of regular files in the root filesystem.
    pub size: u64,
    /// What it was imported from.
    pub source: SourceKind,
}

impl ImageInfo {
    /// Its reference.
    ///
    /// # Examples
    ///
    /// ```
    /// # use vmm_ref::image::{ImageConfig, ImageInfo, SourceKind};
    /// let i = ImageInfo { name: "x/y".into(), tag: "1".into(), config: ImageConfig::default(), size: 0, source: SourceKind::Oci };
    /// assert_eq!(i.reference().name, "x/y");
    /// ```
    #[must_use]
    pub fn reference(&self) -> Reference {
        Reference {
            name: self.name.clone(),
            tag: self.tag.clone(),
        }
    }
}

/// The kinds of import source.
///
/// # Examples
///
/// ```
/// # use vmm_ref::image::SourceKind;
/// assert_eq!(SourceKind::DockerSave.as_str(), "docker-save");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// A root filesystem directory.
    Directory,
    /// An OCI image layout.
    Oci,
    /// A `docker save` archive.
    DockerSave,
}

impl SourceKind {
    /// Its name.
    ///
    /// # Examples
    ///
    /// ```
    /// # use vmm_ref::image::SourceKind;
    /// assert_eq!(SourceKind::Oci.as_str(), "oci");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Directory => "directory",
            Self::Oci => "oci",
            Self::DockerSave => "docker-save",
        }
    }
}

/// An image in the store.
///
/// # Examples
///
/// ```
/// # use std::path::PathBuf;
/// # use vmm_ref::image::{Image, ImageConfig, ImageInfo, SourceKind};
/// let info = ImageInfo { name: "a".into(), tag: "latest".into(), config: ImageConfig::default(), size: 0, source: SourceKind::Directory };
/// let i = Image { info, dir: PathBuf::from("/s/images/a/latest") };
/// assert_eq!(i.rootfs(), PathBuf::from("/s/images/a/latest/rootfs"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    /// Its metadata.
    pub info: ImageInfo,
    /// Its directory in the store.
    pub dir: PathBuf,
}

impl Image {
    /// The root filesystem.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::path::PathBuf;
    /// # use vmm_ref::image::{Image, ImageConfig, ImageInfo, SourceKind};
    /// let info = ImageInfo { name: "a".into(), tag: "t".into(), config: ImageConfig::default(), size: 0, source: SourceKind::Oci };
    /// assert!(Image { info, dir: "/x".into() }.rootfs().ends_with("rootfs"));
    /// ```
    #[must_use]
    pub fn rootfs(&self) -> PathBuf {
        self.dir.join("rootfs")
    }
}

/// The store.
///
/// # Examples
///
/// ```
/// # use vmm_ref::image::Store;
/// let s = Store::at("/tmp/somewhere");
/// assert_eq!(s.root(), std::path::Path::new("/tmp/somewhere"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Store {
    root: PathBuf,
}

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl Store {
    /// The store at `dir`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use vmm_ref::image::Store;
    /// assert!(Store::at("/x").root().is_absolute());
    /// ```
    #[must_use]
    pub fn at(dir: impl Into<PathBuf>) -> Self {
        Self { root: dir.into() }
    }

    /// The default store: `$VMM_REF_HOME`, else `$XDG_DATA_HOME/vmm-ref`, else
    /// `~/.local/share/vmm-ref`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use vmm_ref::image::Store;
    /// let s = Store::default_location();
    /// assert!(s.root().ends_with("vmm-ref") || std::env::var_os("VMM_REF_HOME").is_some());
    /// ```
    #[must_use]
    pub fn default_location() -> Self {
        Self::at(default_home())
    }

    /// The store's directory.
    ///
    /// # Examples
    ///
    /// ```
    /// # use vmm_ref::image::Store;
    /// assert_eq!(Store::at("/a").root().to_str(), Some("/a"));
    /// ```
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn images(&self) -> PathBuf {
        self.root.join("images")
    }

    fn image_dir(&self, r: &Reference) -> PathBuf {
        self.images().join(r.dir_name()).join(&r.tag)
    }

    /// A fresh directory under `tmp/` for an import in progress.
    fn scratch(&self) -> Result<PathBuf, Error> {
        let n = TMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = self
            .root
            .join("tmp")
            .join(format!("import-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).map_err(Error::io("create", &dir))?;
        Ok(dir)
    }

    /// Imports `source` (a directory holding a root filesystem, an OCI image layout directory, a
    /// directory with a `docker save` manifest, or a tar archive of either, gzip allowed) as
    /// `reference`, replacing an image of the same name and tag.
    ///
    /// # Errors
    ///
    /// [`Error::BadSource`] when the source is not something we can import, [`Error::Io`] and
    /// [`Error::Json`] when reading it fails.
    ///
    /// # Examples
    ///
    /// See the [module documentation](self).
    pub fn import(&self, reference: &Reference, source: &Path) -> Result<ImageInfo, Error> {
        let meta = fs::metadata(source).map_err(Error::io("read", source))?;
        let scratch = self.scratch()?;
        let result = self.import_into(reference, source, meta.is_dir(), &scratch);
        let _ = fs::remove_dir_all(&scratch);
        result
    }

    fn import_into(
        &self,
        reference: &Reference,
        source: &Path,
        is_dir: bool,
        scratch: &Path,
    ) -> Result<ImageInfo, Error> {
        let staged = scratch.join("image");
        let rootfs = staged.join("rootfs");
        fs::create_dir_all(&rootfs).map_err(Error::io("create", &rootfs))?;
        let layout_dir;
        let dir = if is_dir {
            source
        } else {
            layout_dir = scratch.join("archive");
            fs::create_dir_all(&layout_dir).map_err(Error::io("create", &layout_dir))?;
            archive::unpack_file(source, &layout_dir)?;
            &layout_dir
        };
        let (kind, config) = if dir.join("oci-layout").is_file() && dir.join("index.json").is_file()
        {
            (
                SourceKind::Oci,
                archive::apply_oci(dir, &reference.tag, &rootfs)?,
            )
        } else if dir.join("manifest.json").is_file() && !dir.join("bin").exists() {
            (SourceKind::DockerSave, archive::apply_docker(dir, &rootfs)?)
        } else if is_dir {
            copy_tree(dir, &rootfs)?;
            (SourceKind::Directory, ImageConfig::default())
        } else {
            return Err(Error::BadSource {
                path: source.display().to_string(),
                problem: "the archive holds neither an OCI image layout (oci-layout, index.json) nor a `docker save` manifest (manifest.json)".into(),
            });
        };
        let info = ImageInfo {
            name: reference.name.clone(),
            tag: reference.tag.clone(),
            config,
            size: tree_size(&rootfs),
            source: kind,
        };
        let json = staged.join("image.json");
        let text = serde_json::to_string_pretty(&info).map_err(|source| Error::Json {
            path: json.display().to_string(),
            source,
        })?;
        fs::write(&json, text).map_err(Error::io("write", &json))?;
        let target = self.image_dir(reference);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(Error::io("create", parent))?;
        }
        if target.exists() {
            let old = scratch.join("old");
            fs::rename(&target, &old).map_err(Error::io("replace", &target))?;
        }
        fs::rename(&staged, &target).map_err(Error::io("rename into", &target))?;
        Ok(info)
    }

    /// The image `reference`.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] (its message names the import command) when it is not in the store.
    ///
    /// # Examples
    ///
    /// ```
    /// # use vmm_ref::image::{Reference, Store};
    /// let e = Store::at("/nonexistent").get(&Reference::parse("nginx").unwrap()).unwrap_err();
    /// assert!(e.to_string().contains("vmm-ref image import nginx:latest PATH"));
    /// ```
    pub fn get(&self, reference: &Reference) -> Result<Image, Error> {
        let dir = self.image_dir(reference);
        let json = dir.join("image.json");
        let text = match fs::read_to_string(&json) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let hint = if reference.name == "busybox" {
                    "; `cargo xtask busybox` builds a busybox image from Debian's busybox-static and imports it".to_owned()
                } else {
                    String::new()
                };
                return Err(Error::NotFound {
                    reference: reference.to_string(),
                    store: self.root.display().to_string(),
                    hint,
                });
            }
            Err(e) => return Err(Error::io("read", &json)(e)),
        };
        let info = serde_json::from_str(&text).map_err(|source| Error::Json {
            path: json.display().to_string(),
            source,
        })?;
        Ok(Image { info, dir })
    }

    /// Every image, sorted by name and tag.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the store cannot be read.
    ///
    /// # Examples
    ///
    /// ```
    /// # use vmm_ref::image::Store;
    /// assert!(Store::at("/nonexistent").list().unwrap().is_empty());
    /// ```
    pub fn list(&self) -> Result<Vec<ImageInfo>, Error> {
        let images = self.images();
        let mut out = Vec::new();
        let names = match fs::read_dir(&images) {
            Ok(d) => d,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(Error::io("read", &images)(e)),
        };
        for name in names.flatten() {
            let Ok(tags) = fs::read_dir(name.path()) else {
                continue;
            };
            for tag in tags.flatten() {
                let json = tag.path().join("image.json");
                if let Ok(text) = fs::read_to_string(&json)
                    && let Ok(info) = serde_json::from_str::<ImageInfo>(&text)
                {
                    out.push(info);
                }
            }
        }
        out.sort_by(|a, b| (&a.name, &a.tag).cmp(&(&b.name, &b.tag)));
        Ok(out)
    }

    /// Removes an image.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when it is not there, [`Error::Io`] when removing fails.
    ///
    /// # Examples
    ///
    /// ```
    /// # use vmm_ref::image::{Reference, Store};
    /// assert!(Store::at("/nonexistent").remove(&Reference::parse("x").unwrap()).is_err());
    /// ```
    pub fn remove(&self, reference: &Reference) -> Result<(), Error> {
        let image = self.get(reference)?;
        fs::remove_dir_all(&image.dir).map_err(Error::io("remove", &image.dir))?;
        if let Some(parent) = image.dir.parent() {
            // Drop the name's directory when its last tag is gone.
            let _ = fs::remove_dir(parent);
        }
        Ok(())
    }
}

/// The default store directory (see [`Store::default_location`]).
fn default_home() -> PathBuf {
    if let Some(h) = std::env::var_os(HOME_ENV).filter(|h| !h.is_empty()) {
        return PathBuf::from(h);
    }
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|h| !h.is_empty()) {
        return PathBuf::from(x).join("vmm-ref");
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("/root"), PathBuf::from);
    home.join(".local/share/vmm-ref")
}

/// Copies a directory tree, keeping symbolic links, modes and (as root) owners. Devices,
/// FIFOs and sockets are skipped: containers get their `/dev` from the runtime.
///
/// # Errors
///
/// [`Error::Io`] naming the path that failed.
pub(crate) fn copy_tree(from: &Path, to: &Path) -> Result<(), Error> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
    let entries = fs::read_dir(from).map_err(Error::io("read", from))?;
    for entry in entries {
        let entry = entry.map_err(Error::io("read", from))?;
        let src = entry.path();
        let dst = to.join(entry.file_name());
        let meta = fs::symlink_metadata(&src).map_err(Error::io("stat", &src))?;
        let ft = meta.file_type();
        if ft.is_symlink() {
            let target = fs::read_link(&src).map_err(Error::io("readlink", &src))?;
            symlink(&target, &dst).map_err(Error::io("symlink", &dst))?;
        } else if ft.is_dir() {
            fs::create_dir_all(&dst).map_err(Error::io("create", &dst))?;
            copy_tree(&src, &dst)?;
            fs::set_permissions(&dst, fs::Permissions::from_mode(meta.mode() & 0o7777))
                .map_err(Error::io("chmod", &dst))?;
        } else if ft.is_file() {
            fs::copy(&src, &dst).map_err(Error::io("copy", &src))?;
        } else {
            continue;
        }
        let _ = std::os::unix::fs::lchown(&dst, Some(meta.uid()), Some(meta.gid()));
    }
    Ok(())
}

/// Bytes of regular files under `dir`.
fn tree_size(dir: &Path) -> u64 {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => tree_size(&e.path()),
            Ok(t) if t.is_file() => e.metadata().map_or(0, |m| m.len()),
            _ => 0,
        })
        .sum()
}
