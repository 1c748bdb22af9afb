//! Entering a container, between `fork` and `exec`: everything is prepared in the parent
//! (paths as C strings, namespace files opened), and the child only makes async-signal-safe
//! system calls.
//!
//! - [`Setup`] ([`Mounts::Container`](vmm_ref_proto::Mounts::Container)): a new mount
//!   namespace with private mounts; the root directory bind-mounted onto itself; `/proc`; a
//!   minimal `/dev` (a tmpfs with `null`, `zero`, `full`, `random`, `urandom`, `tty`, the `fd`,
//!   `stdin`, `stdout`, `stderr` and `ptmx` links, the guest's `/dev/pts` bound in, and a `shm`
//!   tmpfs); then the root moved over `/` with `MS_MOVE` and `chroot(".")` (Kata's
//!   `ms_move_root` and hyperstart's way: `pivot_root` fails when `/` is the initramfs).
//!   With a `lower` (the image's root), the root is first an overlay of that image below and
//!   the container's `upper` and `work` directories (beside the root, made in the parent)
//!   above, mounted in the new namespace only, so it goes with the container's processes.
//! - [`Join`] ([`Mounts::Join`](vmm_ref_proto::Mounts::Join)): `setns` into a running
//!   process's mount namespace, `fchdir` to its root and `chroot(".")`, as `nsenter` does.
//!
//! The PID, IPC, UTS and network namespaces are never changed: they are the guest's, which is
//! the pod's.

use std::ffi::CString;
use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;

/// The character devices of a container's `/dev`: name, major, minor (all mode 0666).
pub(crate) const DEVICES: [(&str, u32, u32); 6] = [
    ("null", 1, 3),
    ("zero", 1, 5),
    ("full", 1, 7),
    ("random", 1, 8),
    ("urandom", 1, 9),
    ("tty", 5, 0),
];

/// The symbolic links of a container's `/dev`: name, target.
pub(crate) const LINKS: [(&str, &str); 5] = [
    ("fd", "/proc/self/fd"),
    ("stdin", "/proc/self/fd/0"),
    ("stdout", "/proc/self/fd/1"),
    ("stderr", "/proc/self/fd/2"),
    ("ptmx", "pts/ptmx"),
];

fn c(s: &str) -> io::Result<CString> {
    CString::new(s).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "NUL byte in a path"))
}

fn check(r: libc::c_int) -> io::Result<()> {
    if r == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// A `mkdir` that accepts an existing directory.
fn mkdir(path: &CString, mode: libc::mode_t) -> io::Result<()> {
    // Safe because `path` is a valid NUL-terminated string.
    if unsafe { libc::mkdir(path.as_ptr(), mode) } == -1 {
        let e = io::Error::last_os_error();
        if e.raw_os_error() != Some(libc::EEXIST) {
            return Err(e);
        }
    }
    Ok(())
}

/// `mount(2)` with prepared strings (`None`: a null pointer).
fn mount(
    source: Option<&CString>,
    target: &CString,
    fstype: Option<&CString>,
    flags: libc::c_ulong,
    data: Option<&CString>,
) -> io::Result<()> {
    let p = |s: Option<&CString>| s.map_or(std::ptr::null(), |s| s.as_ptr());
    // Safe because every pointer is a valid NUL-terminated string or null, as mount allows.
    check(unsafe { libc::mount(p(source), target.as_ptr(), p(fstype), flags, p(data).cast()) })
}

/// A container's root, prepared for [`Setup::enter`].
#[derive(Debug)]
pub(crate) struct Setup {
    /// overlayfs options, when the root is an overlay over the image's root.
    overlay: Option<CString>,
    overlay_type: CString,
    root: CString,
    proc_dir: CString,
    dev: CString,
    pts: CString,
    shm: CString,
    nodes: Vec<(CString, libc::dev_t)>,
    links: Vec<(CString, CString)>,
    proc_type: CString,
    tmpfs: CString,
    dev_opts: CString,
    shm_opts: CString,
    guest_pts: CString,
    dot: CString,
    slash: CString,
}

impl Setup {
    /// Prepares the strings for the container rooted at `root` (an absolute path); with
    /// `lower`, makes the overlay's `upper` and `work` directories beside `root` (and `root`).
    pub(crate) fn new(root: &str, lower: Option<&str>) -> io::Result<Self> {
        let root = root.trim_end_matches('/');
        let overlay = match lower {
            None => None,
            Some(lower) => {
                let parent = root.rsplit_once('/').map_or("", |(p, _)| p);
                let (upper, work) = (format!("{parent}/upper"), format!("{parent}/work"));
                if [lower, &upper, &work]
                    .iter()
                    .any(|p| p.contains([',', ':', '\\']))
                {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidInput,
                        "an overlay path holds a ',', ':' or '\\'",
                    ));
                }
                for d in [root, upper.as_str(), work.as_str()] {
                    std::fs::create_dir_all(d)?;
                }
                Some(c(&format!(
                    "lowerdir={lower},upperdir={upper},workdir={work}"
                ))?)
            }
        };
        let under = |rel: &str| c(&format!("{root}/{rel}"));
        let mut nodes = Vec::new();
        for (name, major, minor) in DEVICES {
            nodes.push((under(&format!("dev/{name}"))?, libc::makedev(major, minor)));
        }
        let mut links = Vec::new();
        for (name, target) in LINKS {
            links.push((under(&format!("dev/{name}"))?, c(target)?));
        }
        Ok(Self {
            overlay,
            overlay_type: c("overlay")?,
            root: c(root)?,
            proc_dir: under("proc")?,
            dev: under("dev")?,
            pts: under("dev/pts")?,
            shm: under("dev/shm")?,
            nodes,
            links,
            proc_type: c("proc")?,
            tmpfs: c("tmpfs")?,
            dev_opts: c("mode=0755,size=65536k")?,
            shm_opts: c("mode=1777")?,
            guest_pts: c("/dev/pts")?,
            dot: c(".")?,
            slash: c("/")?,
        })
    }

    /// In the child after `fork`: builds the container's mount namespace and enters its root.
    /// Only async-signal-safe system calls on data prepared by [`Setup::new`].
    pub(crate) fn enter(&self) -> io::Result<()> {
        // Safe because unshare takes no pointers.
        check(unsafe { libc::unshare(libc::CLONE_NEWNS) })?;
        // Nothing we mount propagates back to the guest, and MS_MOVE needs a private parent.
        mount(
            None,
            &self.slash,
            None,
            libc::MS_REC | libc::MS_PRIVATE,
            None,
        )?;
        if let Some(options) = &self.overlay {
            mount(
                Some(&self.overlay_type),
                &self.root,
                Some(&self.overlay_type),
                0,
                Some(options),
            )?;
        }
        mount(
            Some(&self.root),
            &self.root,
            None,
            libc::MS_BIND | libc::MS_REC,
            None,
        )?;
        mkdir(&self.proc_dir, 0o555)?;
        mount(
            Some(&self.proc_type),
            &self.proc_dir,
            Some(&self.proc_type),
            libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
            None,
        )?;
        mkdir(&self.dev, 0o755)?;
        mount(
            Some(&self.tmpfs),
            &self.dev,
            Some(&self.tmpfs),
            libc::MS_NOSUID,
            Some(&self.dev_opts),
        )?;
        for (path, dev) in &self.nodes {
            // Safe because `path` is a valid C string; a missing device is not fatal.
            unsafe {
                libc::mknod(path.as_ptr(), libc::S_IFCHR | 0o666, *dev);
                libc::chmod(path.as_ptr(), 0o666);
            }
        }
        for (path, target) in &self.links {
            // Safe because both are valid C strings; a failed link is not fatal.
            unsafe {
                libc::symlink(target.as_ptr(), path.as_ptr());
            }
        }
        mkdir(&self.pts, 0o755)?;
        // The guest's pseudo-terminals (a tty container's terminal comes from there); best effort.
        let _ = mount(Some(&self.guest_pts), &self.pts, None, libc::MS_BIND, None);
        mkdir(&self.shm, 0o1777)?;
        mount(
            Some(&self.tmpfs),
            &self.shm,
            Some(&self.tmpfs),
            libc::MS_NOSUID | libc::MS_NODEV,
            Some(&self.shm_opts),
        )?;
        // Safe because `root` is a valid C string.
        check(unsafe { libc::chdir(self.root.as_ptr()) })?;
        mount(Some(&self.root), &self.slash, None, libc::MS_MOVE, None)?;
        // Safe because `dot` is a valid C string.
        check(unsafe { libc::chroot(self.dot.as_ptr()) })?;
        // Safe because `slash` is a valid C string.
        check(unsafe { libc::chdir(self.slash.as_ptr()) })
    }
}

/// A running process's mount namespace and root, opened for [`Join::enter`].
#[derive(Debug)]
pub(crate) struct Join {
    mnt: File,
    root: File,
    dot: CString,
}

impl Join {
    /// Opens `/proc/PID/ns/mnt` and `/proc/PID/root` (close-on-exec).
    pub(crate) fn open(pid: i32) -> io::Result<Self> {
        Ok(Self {
            mnt: File::open(format!("/proc/{pid}/ns/mnt"))?,
            root: File::open(format!("/proc/{pid}/root"))?,
            dot: c(".")?,
        })
    }

    /// In the child after `fork`: enters the namespace and the root.
    pub(crate) fn enter(&self) -> io::Result<()> {
        // Safe because both descriptors are open files we own; these calls take no pointers
        // except the valid C string `dot`.
        unsafe {
            check(libc::setns(self.mnt.as_raw_fd(), libc::CLONE_NEWNS))?;
            check(libc::fchdir(self.root.as_raw_fd()))?;
            check(libc::chroot(self.dot.as_ptr()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setup_paths_are_under_the_root_without_a_double_slash() {
        let s = Setup::new("/containers/app/rootfs/", None).unwrap();
        assert!(s.overlay.is_none());
        assert_eq!(s.root.to_str().unwrap(), "/containers/app/rootfs");
        assert_eq!(s.proc_dir.to_str().unwrap(), "/containers/app/rootfs/proc");
        assert_eq!(s.nodes.len(), DEVICES.len());
        assert_eq!(
            s.nodes[0].0.to_str().unwrap(),
            "/containers/app/rootfs/dev/null"
        );
        assert_eq!(s.nodes[0].1, libc::makedev(1, 3));
        assert!(
            s.links
                .iter()
                .any(|(p, t)| p.to_str().unwrap().ends_with("/dev/fd")
                    && t.to_str().unwrap() == "/proc/self/fd")
        );
    }

    #[test]
    fn a_nul_in_the_root_is_refused() {
        assert!(Setup::new("/a\0b", None).is_err());
    }

    #[test]
    fn an_overlay_root_gets_its_layer_beside_the_root() {
        let base = std::env::temp_dir().join(format!("agent-ovl-{}", std::process::id()));
        let root = format!("{}/containers/app/rootfs", base.display());
        let s = Setup::new(&root, Some("/images/0/rootfs")).unwrap();
        let parent = format!("{}/containers/app", base.display());
        assert_eq!(
            s.overlay.as_ref().unwrap().to_str().unwrap(),
            format!("lowerdir=/images/0/rootfs,upperdir={parent}/upper,workdir={parent}/work")
        );
        for d in ["rootfs", "upper", "work"] {
            assert!(
                std::path::Path::new(&format!("{parent}/{d}")).is_dir(),
                "{d}"
            );
        }
        assert!(Setup::new(&root, Some("/images/a,b")).is_err());
        let _ = std::fs::remove_dir_all(base);
    }

    #[test]
    fn joining_a_missing_process_fails_in_the_parent() {
        assert!(Join::open(i32::MAX).is_err());
    }
}
