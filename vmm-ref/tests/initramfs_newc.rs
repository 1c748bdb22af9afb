//! The initramfs builder's output, read back with an independent newc parser (and with GNU
//! `cpio` when it is installed): alignment, parents before children, modes, devices, links,
//! host trees.

use std::collections::BTreeMap;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::PathBuf;
use std::process::Command;

use vmm_ref::initramfs::{DeviceKind, Initramfs};

#[derive(Debug, Clone, PartialEq, Eq)]
struct Record {
    ino: u32,
    mode: u32,
    nlink: u32,
    rdev: (u32, u32),
    name: String,
    data: Vec<u8>,
    header_offset: usize,
    data_offset: usize,
}

fn hex(b: &[u8]) -> u32 {
    u32::from_str_radix(std::str::from_utf8(b).unwrap(), 16).unwrap()
}

/// A strict newc reader: panics (failing the test) on anything the kernel would reject.
fn parse(archive: &[u8]) -> Vec<Record> {
    let mut out = Vec::new();
    let mut pos = 0;
    loop {
        assert_eq!(pos % 4, 0, "header at {pos} is not 4-byte aligned");
        let h = &archive[pos..pos + 110];
        assert_eq!(&h[..6], b"070701", "bad magic at {pos}");
        let field = |i: usize| hex(&h[6 + i * 8..14 + i * 8]);
        let namesize = field(11) as usize;
        let filesize = field(6) as usize;
        let name_start = pos + 110;
        let name_bytes = &archive[name_start..name_start + namesize];
        assert_eq!(name_bytes.last(), Some(&0), "name not NUL-terminated");
        let name = String::from_utf8(name_bytes[..namesize - 1].to_vec()).unwrap();
        let data_offset = (name_start + namesize).next_multiple_of(4);
        assert!(
            archive[name_start + namesize..data_offset]
                .iter()
                .all(|b| *b == 0),
            "name padding not zero"
        );
        let data = archive[data_offset..data_offset + filesize].to_vec();
        let next = (data_offset + filesize).next_multiple_of(4);
        let rec = Record {
            ino: field(0),
            mode: field(1),
            nlink: field(4),
            rdev: (field(9), field(10)),
            name,
            data,
            header_offset: pos,
            data_offset,
        };
        pos = next;
        if rec.name == "TRAILER!!!" {
            assert_eq!(pos, archive.len(), "bytes after the trailer");
            return out;
        }
        out.push(rec);
    }
}

fn by_name(records: &[Record]) -> BTreeMap<String, Record> {
    records
        .iter()
        .map(|r| (r.name.clone(), r.clone()))
        .collect()
}

#[test]
fn every_record_is_aligned_and_the_archive_ends_with_the_trailer() {
    let mut ir = Initramfs::new();
    // Odd name and data lengths exercise every padding case.
    for (i, name) in ["a", "bb", "ccc", "dddd", "eeeee"].iter().enumerate() {
        ir.file(name, 0o644, vec![b'x'; i]).unwrap();
    }
    let bytes = ir.build();
    assert_eq!(bytes.len() % 4, 0);
    let recs = parse(&bytes);
    assert_eq!(recs.len(), 5);
    for (i, r) in recs.iter().enumerate() {
        assert_eq!(r.header_offset % 4, 0);
        assert_eq!(r.data_offset % 4, 0);
        assert_eq!(r.data.len(), i);
    }
}

#[test]
fn every_parent_directory_comes_before_its_children() {
    let mut ir = Initramfs::new();
    ir.file("/usr/lib/modules/kvm.ko", 0o644, b"elf".to_vec())
        .unwrap();
    ir.file("/init", 0o755, b"#!".to_vec()).unwrap();
    let recs = parse(&ir.build());
    let names: Vec<_> = recs.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "init",
            "usr",
            "usr/lib",
            "usr/lib/modules",
            "usr/lib/modules/kvm.ko"
        ]
    );
    for (i, r) in recs.iter().enumerate() {
        if let Some((parent, _)) = r.name.rsplit_once('/') {
            let at = names.iter().position(|n| *n == parent).unwrap();
            assert!(at < i, "{parent} after {}", r.name);
            assert_eq!(
                recs[at].mode & 0o170000,
                0o040000,
                "{parent} is not a directory"
            );
        }
    }
}

#[test]
fn modes_types_and_device_numbers_are_recorded() {
    let mut ir = Initramfs::new();
    ir.file("init", 0o755, b"x".to_vec()).unwrap();
    ir.dir("tmp", 0o1777).unwrap();
    ir.symlink("bin/sh", "busybox").unwrap();
    ir.device("dev/sda", DeviceKind::Block, 0o660, 8, 0)
        .unwrap();
    ir.console().unwrap();
    let recs = by_name(&parse(&ir.build()));
    assert_eq!(recs["init"].mode, 0o100755);
    assert_eq!(recs["init"].nlink, 1);
    assert_eq!(recs["tmp"].mode, 0o041777);
    assert_eq!(recs["tmp"].nlink, 2);
    assert_eq!(recs["bin/sh"].mode, 0o120777);
    assert_eq!(recs["bin/sh"].data, b"busybox");
    assert_eq!(recs["dev/sda"].mode, 0o060660);
    assert_eq!(recs["dev/sda"].rdev, (8, 0));
    assert_eq!(recs["dev/console"].mode, 0o020600);
    assert_eq!(recs["dev/console"].rdev, (5, 1));
    // Inode numbers are distinct and non-zero (the kernel links equal inodes as hard links).
    let mut inos: Vec<_> = recs.values().map(|r| r.ino).collect();
    inos.sort_unstable();
    inos.dedup();
    assert_eq!(inos.len(), recs.len());
    assert!(inos.iter().all(|i| *i != 0));
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let mk = || {
        let mut ir = Initramfs::new();
        ir.file("b", 0o644, b"2".to_vec()).unwrap();
        ir.file("a", 0o644, b"1".to_vec()).unwrap();
        ir.build()
    };
    assert_eq!(mk(), mk());
}

fn temp_tree(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("initramfs-test-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sub/deeper")).unwrap();
    std::fs::write(dir.join("sub/deeper/tool"), b"#!/bin/sh\necho hi\n").unwrap();
    std::fs::set_permissions(
        dir.join("sub/deeper/tool"),
        std::fs::Permissions::from_mode(0o750),
    )
    .unwrap();
    std::fs::write(dir.join("top.txt"), b"top").unwrap();
    symlink("sub/deeper/tool", dir.join("link")).unwrap();
    dir
}

#[test]
fn a_host_tree_is_copied_with_modes_and_symlinks() {
    let dir = temp_tree("tree");
    let mut ir = Initramfs::new();
    ir.host_path(&dir, "/opt/t").unwrap();
    let recs = by_name(&parse(&ir.build()));
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(recs["opt/t/sub/deeper/tool"].mode, 0o100750);
    assert_eq!(recs["opt/t/sub/deeper/tool"].data, b"#!/bin/sh\necho hi\n");
    assert_eq!(recs["opt/t/top.txt"].data, b"top");
    assert_eq!(recs["opt/t/link"].mode & 0o170000, 0o120000);
    assert_eq!(recs["opt/t/link"].data, b"sub/deeper/tool");
    assert_eq!(recs["opt"].mode & 0o170000, 0o040000);
}

#[test]
fn a_host_file_keeps_its_mode() {
    let dir = temp_tree("file");
    let mut ir = Initramfs::new();
    ir.host_path(&dir.join("sub/deeper/tool"), "/bin/tool")
        .unwrap();
    let recs = by_name(&parse(&ir.build()));
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(recs["bin/tool"].mode, 0o100750);
}

/// GNU cpio, when present, lists exactly the entries our reader sees.
#[test]
fn gnu_cpio_reads_the_archive_when_installed() {
    if Command::new("cpio").arg("--version").output().is_err() {
        eprintln!("cpio not installed: skipping the cross-check (our own reader still ran)");
        return;
    }
    let dir = temp_tree("cpio");
    let mut ir = Initramfs::new();
    ir.host_path(&dir, "x").unwrap();
    ir.console().unwrap();
    let bytes = ir.build();
    std::fs::remove_dir_all(&dir).unwrap();
    let path = std::env::temp_dir().join(format!("initramfs-test-{}.cpio", std::process::id()));
    std::fs::write(&path, &bytes).unwrap();
    let out = Command::new("cpio")
        .args(["-t", "--quiet", "-F"])
        .arg(&path)
        .output()
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    let ours: Vec<String> = parse(&bytes).into_iter().map(|r| r.name).collect();
    assert_eq!(listed, ours);
}
