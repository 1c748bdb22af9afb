//! An in-memory initramfs builder: a cpio archive in the "newc" format that the Linux kernel
//! unpacks into its root filesystem before running `/init`.
//!
//! The kernel is strict and mostly silent about mistakes (spec/vmm.md, "Pitfalls"), so the
//! builder guarantees what it needs:
//! - every parent directory is emitted before its children (the kernel does not `mkdir -p`; a
//!   file whose directory is missing is silently skipped);
//! - every header, name and data block is padded to 4 bytes, names are NUL-terminated, and the
//!   archive ends with the `TRAILER!!!` record;
//! - entries are emitted in path order with fixed inode numbers, owner root and mtime 0, so the
//!   same input gives the same bytes.
//!
//! Paths are given relative to the archive root (a leading `/` is accepted and dropped);
//! `..`, `.` and empty components are refused. Adding an entry twice replaces the first one,
//! except that a directory never replaces a non-directory and vice versa (an error).
//!
//! # Examples
//!
//! ```
//! use vmm_ref::initramfs::Initramfs;
//!
//! let mut ir = Initramfs::new();
//! ir.file("/init", 0o755, b"#!/bin/sh\nexec sh\n".to_vec())?;
//! ir.symlink("bin/sh", "busybox")?;
//! ir.console()?;
//! let cpio = ir.build();
//! assert!(cpio.starts_with(b"070701"));
//! assert_eq!(cpio.len() % 4, 0);
//! # Ok::<(), vmm_ref::initramfs::Error>(())
//! ```

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

/// What can go wrong while adding entries.
///
/// # Examples
///
/// ```
/// use vmm_ref::initramfs::{Error, Initramfs};
///
/// let err = Initramfs::new().file("../etc/passwd", 0o644, Vec::new()).unwrap_err();
/// assert!(matches!(err, Error::BadPath { .. }));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The archive path is empty, or has `..` or `.` components.
    #[error("bad archive path {path:?}: {reason}")]
    BadPath {
        /// The path as given.
        path: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A path is needed as a directory (or a non-directory) but already holds the other kind.
    #[error("archive path {path:?} is already a {existing}, cannot add a {new} there")]
    Conflict {
        /// The archive path.
        path: String,
        /// What it holds.
        existing: &'static str,
        /// What was added.
        new: &'static str,
    },
    /// A host file or directory could not be read.
    #[error("cannot read {path}")]
    Read {
        /// The host path.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A host directory tree holds something other than files, directories and symlinks.
    #[error("cannot add {path}: only regular files, directories and symlinks are supported")]
    Unsupported {
        /// The host path.
        path: PathBuf,
    },
}

/// The file-type bits of `st_mode`.
const S_IFDIR: u32 = 0o040_000;
const S_IFREG: u32 = 0o100_000;
const S_IFLNK: u32 = 0o120_000;
const S_IFCHR: u32 = 0o020_000;
const S_IFBLK: u32 = 0o060_000;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    Dir {
        mode: u32,
    },
    File {
        mode: u32,
        data: Vec<u8>,
    },
    Symlink {
        target: String,
    },
    Device {
        mode: u32,
        kind: DeviceKind,
        major: u32,
        minor: u32,
    },
}

impl Entry {
    fn kind_name(&self) -> &'static str {
        match self {
            Self::Dir { .. } => "directory",
            Self::File { .. } => "file",
            Self::Symlink { .. } => "symlink",
            Self::Device { .. } => "device node",
        }
    }
}

/// Character or block device.
///
/// # Examples
///
/// ```
/// use vmm_ref::initramfs::{DeviceKind, Initramfs};
///
/// let mut ir = Initramfs::new();
/// ir.device("dev/null", DeviceKind::Char, 0o666, 1, 3)?;
/// # Ok::<(), vmm_ref::initramfs::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceKind {
    /// A character device.
    Char,
    /// A block device.
    Block,
}

/// An initramfs being assembled in memory. See the [module documentation](self).
///
/// # Examples
///
/// ```
/// use vmm_ref::initramfs::Initramfs;
///
/// let mut ir = Initramfs::new();
/// ir.file("a/b/c.txt", 0o644, b"hi".to_vec())?;
/// // `a` and `a/b` are created as directories.
/// assert!(ir.contains("a/b"));
/// # Ok::<(), vmm_ref::initramfs::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Initramfs {
    entries: BTreeMap<String, Entry>,
}

impl Initramfs {
    /// An empty archive.
    ///
    /// # Examples
    ///
    /// ```
    /// // An empty archive is just the trailer record.
    /// assert_eq!(vmm_ref::initramfs::Initramfs::new().build().len(), 124);
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the archive holds `path` (of any kind).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut ir = vmm_ref::initramfs::Initramfs::new();
    /// ir.dir("/tmp", 0o1777).unwrap();
    /// assert!(ir.contains("tmp") && ir.contains("/tmp"));
    /// ```
    #[must_use]
    pub fn contains(&self, path: &str) -> bool {
        normalise(path).is_ok_and(|p| self.entries.contains_key(&p))
    }

    /// How many entries the archive holds (parents included, trailer excluded).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut ir = vmm_ref::initramfs::Initramfs::new();
    /// ir.file("etc/hostname", 0o644, b"vm\n".to_vec()).unwrap();
    /// assert_eq!(ir.len(), 2);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the archive has no entries.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(vmm_ref::initramfs::Initramfs::new().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds a directory with permission bits `mode` (and its parents, 0755).
    ///
    /// # Errors
    ///
    /// [`Error::BadPath`], or [`Error::Conflict`] if a parent or the path is not a directory.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut ir = vmm_ref::initramfs::Initramfs::new();
    /// ir.dir("run/lock", 0o755)?;
    /// assert!(ir.contains("run"));
    /// # Ok::<(), vmm_ref::initramfs::Error>(())
    /// ```
    pub fn dir(&mut self, path: &str, mode: u32) -> Result<&mut Self, Error> {
        let p = normalise(path)?;
        self.insert(
            p,
            Entry::Dir {
                mode: mode & 0o7777,
            },
        )?;
        Ok(self)
    }

    /// Adds a regular file with permission bits `mode` and contents `data`.
    ///
    /// # Errors
    ///
    /// [`Error::BadPath`] or [`Error::Conflict`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut ir = vmm_ref::initramfs::Initramfs::new();
    /// ir.file("/init", 0o755, b"#!/bin/sh\n".to_vec())?;
    /// # Ok::<(), vmm_ref::initramfs::Error>(())
    /// ```
    pub fn file(&mut self, path: &str, mode: u32, data: Vec<u8>) -> Result<&mut Self, Error> {
        let p = normalise(path)?;
        self.insert(
            p,
            Entry::File {
                mode: mode & 0o7777,
                data,
            },
        )?;
        Ok(self)
    }

    /// Adds a symbolic link at `path` pointing to `target` (stored as given).
    ///
    /// # Errors
    ///
    /// [`Error::BadPath`] or [`Error::Conflict`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut ir = vmm_ref::initramfs::Initramfs::new();
    /// ir.symlink("bin/sh", "/bin/busybox")?;
    /// # Ok::<(), vmm_ref::initramfs::Error>(())
    /// ```
    pub fn symlink(&mut self, path: &str, target: &str) -> Result<&mut Self, Error> {
        let p = normalise(path)?;
        self.insert(
            p,
            Entry::Symlink {
                target: target.to_owned(),
            },
        )?;
        Ok(self)
    }

    /// Adds a device node.
    ///
    /// # Errors
    ///
    /// [`Error::BadPath`] or [`Error::Conflict`].
    ///
    /// # Examples
    ///
    /// ```
    /// use vmm_ref::initramfs::{DeviceKind, Initramfs};
    ///
    /// let mut ir = Initramfs::new();
    /// ir.device("dev/ttyS1", DeviceKind::Char, 0o600, 4, 65)?;
    /// # Ok::<(), vmm_ref::initramfs::Error>(())
    /// ```
    pub fn device(
        &mut self,
        path: &str,
        kind: DeviceKind,
        mode: u32,
        major: u32,
        minor: u32,
    ) -> Result<&mut Self, Error> {
        let p = normalise(path)?;
        self.insert(
            p,
            Entry::Device {
                mode: mode & 0o7777,
                kind,
                major,
                minor,
            },
        )?;
        Ok(self)
    }

    /// Adds `/dev/console` (character device 5:1, mode 0600), so that `/init` has a standard
    /// input and output before `devtmpfs` is mounted.
    ///
    /// # Errors
    ///
    /// [`Error::Conflict`] if `dev` is not a directory.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut ir = vmm_ref::initramfs::Initramfs::new();
    /// ir.console()?;
    /// assert!(ir.contains("dev/console"));
    /// # Ok::<(), vmm_ref::initramfs::Error>(())
    /// ```
    pub fn console(&mut self) -> Result<&mut Self, Error> {
        self.device("dev/console", DeviceKind::Char, 0o600, 5, 1)
    }

    /// Adds the host file `src` at `dst`, keeping its permission bits. A symlink is followed.
    ///
    /// # Errors
    ///
    /// [`Error::Read`] if `src` cannot be read, [`Error::BadPath`] or [`Error::Conflict`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut ir = vmm_ref::initramfs::Initramfs::new();
    /// ir.host_file(std::path::Path::new("/etc/hostname"), "etc/host-name").ok();
    /// assert!(ir.host_file(std::path::Path::new("/nonexistent"), "x").is_err());
    /// ```
    pub fn host_file(&mut self, src: &Path, dst: &str) -> Result<&mut Self, Error> {
        let read = |source| Error::Read {
            path: src.to_owned(),
            source,
        };
        let meta = fs::metadata(src).map_err(read)?;
        let data = fs::read(src).map_err(read)?;
        self.file(dst, meta.permissions().mode(), data)
    }

    /// Adds the host path `src` at `dst`: a file as [`host_file`](Self::host_file) does, a
    /// directory with everything under it (files, directories, symlinks kept as symlinks).
    ///
    /// # Errors
    ///
    /// [`Error::Read`], [`Error::Unsupported`] for sockets, FIFOs and devices in a tree,
    /// [`Error::BadPath`] or [`Error::Conflict`].
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("initramfs-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(dir.join("sub"))?;
    /// std::fs::write(dir.join("sub/f"), "x")?;
    /// let mut ir = vmm_ref::initramfs::Initramfs::new();
    /// ir.host_path(&dir, "/data")?;
    /// assert!(ir.contains("data/sub/f"));
    /// std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn host_path(&mut self, src: &Path, dst: &str) -> Result<&mut Self, Error> {
        let meta = fs::metadata(src).map_err(|source| Error::Read {
            path: src.to_owned(),
            source,
        })?;
        if meta.is_dir() {
            let dst = normalise(dst)?;
            if !dst.is_empty() {
                self.dir(&dst, meta.permissions().mode())?;
            }
            self.host_tree(src, &dst)?;
            Ok(self)
        } else {
            self.host_file(src, dst)
        }
    }

    fn host_tree(&mut self, src: &Path, dst: &str) -> Result<(), Error> {
        let read = |path: &Path| {
            let path = path.to_owned();
            move |source| Error::Read { path, source }
        };
        let mut children: Vec<_> = fs::read_dir(src)
            .map_err(read(src))?
            .collect::<Result<_, _>>()
            .map_err(read(src))?;
        children.sort_by_key(fs::DirEntry::file_name);
        for child in children {
            let path = child.path();
            let name = child.file_name();
            let name = name.to_string_lossy();
            let to = if dst.is_empty() {
                name.into_owned()
            } else {
                format!("{dst}/{name}")
            };
            let meta = fs::symlink_metadata(&path).map_err(read(&path))?;
            let ft = meta.file_type();
            if ft.is_symlink() {
                let target = fs::read_link(&path).map_err(read(&path))?;
                self.symlink(&to, &target.to_string_lossy())?;
            } else if ft.is_dir() {
                self.dir(&to, meta.permissions().mode())?;
                self.host_tree(&path, &to)?;
            } else if ft.is_file() {
                let data = fs::read(&path).map_err(read(&path))?;
                self.file(&to, meta.permissions().mode(), data)?;
            } else if ft.is_fifo() || ft.is_socket() || ft.is_char_device() || ft.is_block_device()
            {
                return Err(Error::Unsupported { path });
            }
        }
        Ok(())
    }

    fn insert(&mut self, path: String, entry: Entry) -> Result<(), Error> {
        if path.is_empty() {
            return Err(Error::BadPath {
                path,
                reason: "the archive root cannot be replaced",
            });
        }
        // Parents, outermost first.
        let mut end = 0;
        while let Some(i) = path[end..].find('/') {
            let parent = &path[..end + i];
            match self.entries.get(parent) {
                None => {
                    self.entries
                        .insert(parent.to_owned(), Entry::Dir { mode: 0o755 });
                }
                Some(Entry::Dir { .. }) => {}
                Some(other) => {
                    return Err(Error::Conflict {
                        path: parent.to_owned(),
                        existing: other.kind_name(),
                        new: "directory",
                    });
                }
            }
            end += i + 1;
        }
        if let Some(existing) = self.entries.get(&path) {
            let was_dir = matches!(existing, Entry::Dir { .. });
            let is_dir = matches!(entry, Entry::Dir { .. });
            if was_dir != is_dir {
                return Err(Error::Conflict {
                    path,
                    existing: existing.kind_name(),
                    new: entry.kind_name(),
                });
            }
        }
        self.entries.insert(path, entry);
        Ok(())
    }

    /// The archive: every entry in path order (parents first), then the trailer.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut ir = vmm_ref::initramfs::Initramfs::new();
    /// ir.file("init", 0o755, vec![0; 3]).unwrap();
    /// let bytes = ir.build();
    /// assert_eq!(bytes.len() % 4, 0);
    /// assert!(bytes.windows(10).any(|w| w == b"TRAILER!!!"));
    /// ```
    #[must_use]
    pub fn build(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.size_hint());
        let mut ino: u32 = 1;
        for (path, entry) in &self.entries {
            let (mode, nlink, data, rdev): (u32, u32, &[u8], (u32, u32)) = match entry {
                Entry::Dir { mode } => (S_IFDIR | mode, 2, &[], (0, 0)),
                Entry::File { mode, data } => (S_IFREG | mode, 1, data, (0, 0)),
                Entry::Symlink { target } => (S_IFLNK | 0o777, 1, target.as_bytes(), (0, 0)),
                Entry::Device {
                    mode,
                    kind,
                    major,
                    minor,
                } => {
                    let t = match kind {
                        DeviceKind::Char => S_IFCHR,
                        DeviceKind::Block => S_IFBLK,
                    };
                    (t | mode, 1, &[], (*major, *minor))
                }
            };
            write_record(&mut out, ino, mode, nlink, path, data, rdev);
            ino = ino.wrapping_add(1);
        }
        write_record(&mut out, 0, 0, 1, "TRAILER!!!", &[], (0, 0));
        out
    }

    fn size_hint(&self) -> usize {
        self.entries
            .iter()
            .map(|(p, e)| {
                let data = match e {
                    Entry::File { data, .. } => data.len(),
                    Entry::Symlink { target } => target.len(),
                    _ => 0,
                };
                110 + p.len() + 4 + data + 4
            })
            .sum::<usize>()
            + 128
    }
}

/// Appends one newc record: header, name with NUL, padding, data, padding.
fn write_record(
    out: &mut Vec<u8>,
    ino: u32,
    mode: u32,
    nlink: u32,
    name: &str,
    data: &[u8],
    (rmajor, rminor): (u32, u32),
) {
    // newc sizes are 32-bit; an initramfs member of 4 GiB or more cannot be represented (and
    // could not be loaded below 4 GiB anyway).
    let filesize = u32::try_from(data.len()).unwrap_or(u32::MAX);
    let namesize = u32::try_from(name.len() + 1).unwrap_or(u32::MAX);
    let fields = [
        ino, mode, 0, 0, nlink, 0, filesize, 0, 0, rmajor, rminor, namesize, 0,
    ];
    out.extend_from_slice(b"070701");
    for f in fields {
        out.extend_from_slice(format!("{f:08x}").as_bytes());
    }
    out.extend_from_slice(name.as_bytes());
    out.push(0);
    pad4(out);
    out.extend_from_slice(data);
    pad4(out);
}

fn pad4(out: &mut Vec<u8>) {
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
}

/// The archive form of `path`: no leading `/`, components joined by `/`.
fn normalise(path: &str) -> Result<String, Error> {
    let bad = |reason| Error::BadPath {
        path: path.to_owned(),
        reason,
    };
    if path.contains('\0') {
        return Err(bad("contains a NUL byte"));
    }
    let mut parts = Vec::new();
    for c in Path::new(path).components() {
        match c {
            Component::RootDir => {}
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            Component::CurDir => return Err(bad("contains `.`")),
            Component::ParentDir => return Err(bad("contains `..`")),
            Component::Prefix(_) => return Err(bad("has a prefix")),
        }
    }
    if parts.is_empty() && !path.starts_with('/') {
        return Err(bad("is empty"));
    }
    Ok(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_slash_and_repeated_slashes_are_normalised() {
        assert_eq!(normalise("/a//b/").unwrap(), "a/b");
        assert_eq!(normalise("/").unwrap(), "");
    }

    #[test]
    fn dot_dot_and_empty_paths_are_refused() {
        assert!(normalise("a/../b").is_err());
        assert!(normalise("").is_err());
        assert!(normalise("./a").is_err());
    }

    #[test]
    fn the_root_cannot_be_an_entry() {
        assert!(Initramfs::new().file("/", 0o644, Vec::new()).is_err());
    }

    #[test]
    fn a_file_under_a_file_is_a_conflict() {
        let mut ir = Initramfs::new();
        ir.file("a", 0o644, Vec::new()).unwrap();
        assert!(matches!(
            ir.file("a/b", 0o644, Vec::new()),
            Err(Error::Conflict {
                existing: "file",
                ..
            })
        ));
    }

    #[test]
    fn replacing_a_file_keeps_the_last_contents() {
        let mut ir = Initramfs::new();
        ir.file("a", 0o644, b"1".to_vec()).unwrap();
        ir.file("a", 0o600, b"2".to_vec()).unwrap();
        assert_eq!(
            ir.entries["a"],
            Entry::File {
                mode: 0o600,
                data: b"2".to_vec()
            }
        );
    }

    #[test]
    fn an_empty_archive_is_the_trailer_alone() {
        let b = Initramfs::new().build();
        assert_eq!(&b[..6], b"070701");
        assert_eq!(&b[110..120], b"TRAILER!!!");
        assert_eq!(b.len(), 124);
    }
}
