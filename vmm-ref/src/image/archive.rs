//! Tar archives, OCI image layouts, `docker save` manifests, and applying layers with their
//! whiteouts (`.wh.NAME` removes `NAME`, `.wh..wh..opq` empties its directory).

use std::fs;
use std::io::{self, BufReader, Read};
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use super::{Error, ImageConfig};

/// A reader of `path`, gunzipped when it starts with the gzip magic.
fn open_maybe_gzip(path: &Path) -> Result<Box<dyn Read>, Error> {
    let mut file = fs::File::open(path).map_err(Error::io("open", path))?;
    let mut magic = [0u8; 2];
    let n = file.read(&mut magic).map_err(Error::io("read", path))?;
    let file = fs::File::open(path).map_err(Error::io("open", path))?;
    if n == 2 && magic == [0x1f, 0x8b] {
        Ok(Box::new(flate2::read::GzDecoder::new(BufReader::new(file))))
    } else {
        Ok(Box::new(BufReader::new(file)))
    }
}

/// Unpacks a tar archive (gzip allowed) into `dir`.
pub(super) fn unpack_file(path: &Path, dir: &Path) -> Result<(), Error> {
    let reader = open_maybe_gzip(path)?;
    let mut archive = tar::Archive::new(reader);
    archive.unpack(dir).map_err(|e| Error::BadSource {
        path: path.display().to_string(),
        problem: format!("not a tar archive we can read: {e}"),
    })
}

/// A path inside the root filesystem for an archive entry, refusing `..` and absolute parts.
fn inside(rootfs: &Path, entry: &Path) -> Option<PathBuf> {
    let mut out = rootfs.to_path_buf();
    for c in entry.components() {
        match c {
            Component::Normal(p) => out.push(p),
            Component::CurDir | Component::RootDir => {}
            Component::ParentDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// Removes whatever is at `path` (file, link or directory tree).
fn remove_any(path: &Path) {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => {
            let _ = fs::remove_dir_all(path);
        }
        Ok(_) => {
            let _ = fs::remove_file(path);
        }
        Err(_) => {}
    }
}

/// Applies one layer (a tar, gzip allowed) onto `rootfs`.
pub(super) fn apply_layer(layer: &Path, rootfs: &Path) -> Result<(), Error> {
    let reader = open_maybe_gzip(layer)?;
    let mut archive = tar::Archive::new(reader);
    archive.set_preserve_permissions(true);
    archive.set_preserve_ownerships(true);
    archive.set_overwrite(true);
    archive.set_unpack_xattrs(false);
    let bad = |e: io::Error| Error::BadSource {
        path: layer.display().to_string(),
        problem: format!(
            "bad layer: {e} ({})",
            std::error::Error::source(&e)
                .map(ToString::to_string)
                .unwrap_or_default()
        ),
    };
    for entry in archive.entries().map_err(bad)? {
        let mut entry = entry.map_err(bad)?;
        let path = entry.path().map_err(bad)?.into_owned();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(hidden) = name.strip_prefix(".wh.") {
            let parent = path.parent().unwrap_or(Path::new(""));
            let Some(dir) = inside(rootfs, parent) else {
                continue;
            };
            if hidden == ".wh..opq" {
                if let Ok(children) = fs::read_dir(&dir) {
                    for c in children.flatten() {
                        remove_any(&c.path());
                    }
                }
            } else {
                remove_any(&dir.join(hidden));
            }
            continue;
        }
        let Some(target) = inside(rootfs, &path) else {
            continue;
        };
        // A file replacing a directory (or the reverse) needs the old one gone first.
        if let Ok(old) = fs::symlink_metadata(&target) {
            let new_is_dir = entry.header().entry_type().is_dir();
            if old.is_dir() != new_is_dir || old.file_type().is_symlink() {
                remove_any(&target);
            }
        }
        entry.unpack_in(rootfs).map_err(bad)?;
    }
    Ok(())
}

/// The `config` object of an OCI or Docker image config.
fn image_config(path: &Path) -> Result<ImageConfig, Error> {
    let v: Value = read_json(path)?;
    let c = v
        .get("config")
        .or_else(|| v.get("container_config"))
        .cloned()
        .unwrap_or(Value::Null);
    let strings = |key: &str| -> Vec<String> {
        c.get(key)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let text = |key: &str| {
        c.get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    Ok(ImageConfig {
        entrypoint: strings("Entrypoint"),
        cmd: strings("Cmd"),
        env: strings("Env"),
        working_dir: text("WorkingDir"),
        stop_signal: text("StopSignal"),
    })
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, Error> {
    let text = fs::read_to_string(path).map_err(Error::io("read", path))?;
    serde_json::from_str(&text).map_err(|source| Error::Json {
        path: path.display().to_string(),
        source,
    })
}

/// `blobs/<alg>/<hex>` for a digest, refusing anything that is not `alg:hex`.
fn blob(dir: &Path, digest: &str) -> Result<PathBuf, Error> {
    let (alg, hex) = digest.split_once(':').unwrap_or(("", ""));
    let ok = !alg.is_empty()
        && alg.chars().all(|c| c.is_ascii_alphanumeric())
        && !hex.is_empty()
        && hex.chars().all(|c| c.is_ascii_hexdigit());
    if !ok {
        return Err(Error::BadSource {
            path: dir.display().to_string(),
            problem: format!("bad digest {digest:?}"),
        });
    }
    Ok(dir.join("blobs").join(alg).join(hex))
}

#[derive(Deserialize)]
struct Descriptor {
    #[serde(rename = "mediaType", default)]
    media_type: String,
    digest: String,
    #[serde(default)]
    annotations: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    platform: Option<Platform>,
}

#[derive(Deserialize)]
struct Platform {
    #[serde(default)]
    architecture: String,
    #[serde(default)]
    os: String,
}

#[derive(Deserialize)]
struct Index {
    #[serde(default)]
    manifests: Vec<Descriptor>,
}

#[derive(Deserialize)]
struct Manifest {
    config: Descriptor,
    #[serde(default)]
    layers: Vec<Descriptor>,
}

/// Picks the manifest of an index: the one whose ref name is `tag`, else one for linux/amd64,
/// else the first.
fn pick<'a>(manifests: &'a [Descriptor], tag: &str) -> Option<&'a Descriptor> {
    let by_tag = manifests.iter().find(|d| {
        d.annotations
            .get("org.opencontainers.image.ref.name")
            .is_some_and(|r| r == tag || r.ends_with(&format!(":{tag}")))
    });
    let amd64 = manifests.iter().find(|d| {
        d.platform
            .as_ref()
            .is_some_and(|p| p.architecture == "amd64" && p.os == "linux")
    });
    by_tag.or(amd64).or_else(|| manifests.first())
}

/// Applies the image of an OCI image layout directory onto `rootfs`.
pub(super) fn apply_oci(dir: &Path, tag: &str, rootfs: &Path) -> Result<ImageConfig, Error> {
    let index: Index = read_json(&dir.join("index.json"))?;
    let first = pick(&index.manifests, tag).ok_or_else(|| Error::BadSource {
        path: dir.display().to_string(),
        problem: "index.json lists no manifest".into(),
    })?;
    let (mut media, mut digest) = (first.media_type.clone(), first.digest.clone());
    // A nested index (multi-platform): descend once or twice.
    for _ in 0..2 {
        if !media.contains("index") && !media.contains("manifest.list") {
            break;
        }
        let nested: Index = read_json(&blob(dir, &digest)?)?;
        let inner = pick(&nested.manifests, tag).ok_or_else(|| Error::BadSource {
            path: dir.display().to_string(),
            problem: "a nested index lists no manifest".into(),
        })?;
        (media, digest) = (inner.media_type.clone(), inner.digest.clone());
    }
    let manifest: Manifest = read_json(&blob(dir, &digest)?)?;
    for layer in &manifest.layers {
        apply_layer(&blob(dir, &layer.digest)?, rootfs)?;
    }
    image_config(&blob(dir, &manifest.config.digest)?)
}

#[derive(Deserialize)]
struct DockerEntry {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "Layers", default)]
    layers: Vec<String>,
}

/// Applies the first image of an unpacked `docker save` archive onto `rootfs`.
pub(super) fn apply_docker(dir: &Path, rootfs: &Path) -> Result<ImageConfig, Error> {
    let entries: Vec<DockerEntry> = read_json(&dir.join("manifest.json"))?;
    let first = entries.first().ok_or_else(|| Error::BadSource {
        path: dir.display().to_string(),
        problem: "manifest.json lists no image".into(),
    })?;
    let file = |rel: &str| {
        inside(dir, Path::new(rel)).ok_or_else(|| Error::BadSource {
            path: dir.display().to_string(),
            problem: format!("bad path {rel:?} in manifest.json"),
        })
    };
    for layer in &first.layers {
        apply_layer(&file(layer)?, rootfs)?;
    }
    image_config(&file(&first.config)?)
}
