//! `vmm-ref image`: import from a directory, an OCI image layout (with layers, gzip and
//! whiteouts) and a `docker save` archive; ls; rm; the missing-image message.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Home(PathBuf);

impl Home {
    fn new(name: &str) -> Self {
        let p =
            std::env::temp_dir().join(format!("vmm-ref-cli-image-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&p);
        fs::create_dir_all(&p).unwrap();
        Self(p)
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_vmm-ref"))
            .args(args)
            .env("VMM_REF_HOME", self.0.join("store"))
            .output()
            .unwrap()
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A tar with (path, contents-or-None-for-dir, symlink target).
fn tar_of(entries: &[(&str, Option<&[u8]>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, data) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(1_700_000_000);
        match data {
            Some(d) => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_size(d.len() as u64);
                h.set_mode(0o755);
                b.append_data(&mut h, path, *d).unwrap();
            }
            None => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_size(0);
                h.set_mode(0o755);
                b.append_data(&mut h, path, &[][..]).unwrap();
            }
        }
    }
    b.into_inner().unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn write(path: &Path, data: &[u8]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, data).unwrap();
}

fn store_rootfs(home: &Home, name: &str, tag: &str) -> PathBuf {
    home.0
        .join("store/images")
        .join(name)
        .join(tag)
        .join("rootfs")
}

#[test]
fn imports_a_directory_lists_and_removes_it() {
    let home = Home::new("dir");
    let src = home.0.join("src");
    write(&src.join("bin/busybox"), b"\x7fELF fake");
    std::os::unix::fs::symlink("busybox", src.join("bin/sh")).unwrap();
    fs::create_dir_all(src.join("tmp")).unwrap();

    let out = home.run(&["image", "import", "busybox", src.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("imported busybox:latest"),
        "{}",
        text(&out.stdout)
    );
    let rootfs = store_rootfs(&home, "busybox", "latest");
    assert_eq!(
        fs::read_link(rootfs.join("bin/sh")).unwrap(),
        Path::new("busybox")
    );
    assert!(rootfs.join("tmp").is_dir());

    let ls = home.run(&["image", "ls"]);
    let ls_text = text(&ls.stdout);
    let line = ls_text.lines().nth(1).expect("one image");
    assert!(
        line.starts_with("busybox ") && line.contains("latest") && line.contains("directory"),
        "{ls_text}"
    );

    let rm = home.run(&["image", "rm", "busybox"]);
    assert!(rm.status.success(), "{}", text(&rm.stderr));
    assert_eq!(
        text(&home.run(&["image", "ls"]).stdout).lines().count(),
        1,
        "only the header left"
    );

    let again = home.run(&["image", "rm", "busybox"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        text(&again.stderr).contains("vmm-ref image import busybox:latest PATH"),
        "{}",
        text(&again.stderr)
    );
}

#[test]
fn imports_an_oci_layout_applying_layers_and_whiteouts() {
    let home = Home::new("oci");
    let oci = home.0.join("oci");
    let layer1 = gzip(&tar_of(&[
        ("etc/", None),
        ("etc/keep", Some(b"keep")),
        ("etc/gone", Some(b"gone")),
        ("var/cache/", None),
        ("var/cache/old", Some(b"old")),
    ]));
    let layer2 = tar_of(&[
        ("etc/.wh.gone", Some(b"")),
        ("var/cache/.wh..wh..opq", Some(b"")),
        ("var/cache/new", Some(b"new")),
        ("bin/", None),
        ("bin/app", Some(b"#!/bin/sh\n")),
    ]);
    let config = br#"{"architecture":"amd64","os":"linux","config":{"Entrypoint":["/bin/app"],"Cmd":["--serve"],"Env":["PATH=/bin","MODE=oci"],"WorkingDir":"/srv"}}"#;
    let hex = |c: char| c.to_string().repeat(64);
    write(&oci.join("blobs/sha256").join(hex('1')), &layer1);
    write(&oci.join("blobs/sha256").join(hex('2')), &layer2);
    write(&oci.join("blobs/sha256").join(hex('c')), config);
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:{}","size":{}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:{}","size":1}},{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:{}","size":1}}]}}"#,
        hex('c'),
        config.len(),
        hex('1'),
        hex('2')
    );
    write(
        &oci.join("blobs/sha256").join(hex('a')),
        manifest.as_bytes(),
    );
    write(
        &oci.join("oci-layout"),
        br#"{"imageLayoutVersion":"1.0.0"}"#,
    );
    let index = format!(
        r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:{}","size":1,"annotations":{{"org.opencontainers.image.ref.name":"1.0"}}}}]}}"#,
        hex('a')
    );
    write(&oci.join("index.json"), index.as_bytes());

    let out = home.run(&[
        "image",
        "import",
        "example.com/team/app:1.0",
        oci.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rootfs = store_rootfs(&home, "example.com%2Fteam%2Fapp", "1.0");
    assert_eq!(fs::read(rootfs.join("etc/keep")).unwrap(), b"keep");
    assert!(
        !rootfs.join("etc/gone").exists(),
        "whiteout removes the file"
    );
    assert!(
        !rootfs.join("var/cache/old").exists(),
        "an opaque directory hides the lower layer"
    );
    assert_eq!(fs::read(rootfs.join("var/cache/new")).unwrap(), b"new");

    let ls = text(&home.run(&["image", "ls", "-o", "json"]).stdout);
    let v: serde_json::Value = serde_json::from_str(ls.lines().next().unwrap()).unwrap();
    assert_eq!(v["name"], "example.com/team/app");
    assert_eq!(v["source"], "oci");
    assert_eq!(v["entrypoint"], serde_json::json!(["/bin/app"]));
    assert_eq!(v["cmd"], serde_json::json!(["--serve"]));
}

#[test]
fn imports_a_docker_save_archive() {
    let home = Home::new("docker");
    let layer = tar_of(&[("bin/", None), ("bin/tool", Some(b"tool"))]);
    let config = br#"{"config":{"Cmd":["/bin/tool","run"],"Env":["A=1"]}}"#;
    let manifest = br#"[{"Config":"cfg.json","RepoTags":["tool:2"],"Layers":["abc/layer.tar"]}]"#;
    let outer = tar_of(&[
        ("manifest.json", Some(manifest)),
        ("cfg.json", Some(config)),
        ("abc/", None),
        ("abc/layer.tar", Some(&layer)),
    ]);
    let archive = home.0.join("tool.tar.gz");
    write(&archive, &gzip(&outer));
    let out = home.run(&["image", "import", "tool:2", archive.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("docker-save"));
    assert_eq!(
        fs::read(store_rootfs(&home, "tool", "2").join("bin/tool")).unwrap(),
        b"tool"
    );
    let ls = text(&home.run(&["image", "ls", "-o", "json"]).stdout);
    assert!(ls.contains(r#""cmd":["/bin/tool","run"]"#), "{ls}");
}

#[test]
fn rejects_bad_references_and_sources() {
    let home = Home::new("bad");
    let out = home.run(&["image", "import", "Bad Name", "/"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("invalid image reference"),
        "{}",
        text(&out.stderr)
    );
    let junk = home.0.join("junk.tar");
    write(&junk, b"this is not a tar archive at all");
    let out = home.run(&["image", "import", "junk", junk.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("cannot import"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        home.run(&["image", "ls", "-o", "json"]).stdout.is_empty(),
        "nothing half-imported"
    );
}
