//! Can this host's KVM boot a Linux guest? A pure decision over [`HostFacts`], and a thin
//! wrapper that reads them from `/dev/kvm`, `/sys/module` and `/proc/cpuinfo`.
//!
//! The development and CI machines of this project have a `/dev/kvm` from the paravirtual
//! `kvm_pvm` module: it runs tiny guests but kills a Linux kernel with
//! `KVM_EXIT_INTERNAL_ERROR` early in boot. Saying so up front beats a guest that dies later.
//! Set [`SKIP_ENV`]`=1` to go ahead anyway (the tiny-guest tests do).

use std::fmt;
use std::path::Path;

/// The environment variable that skips the check when set to `1`.
pub const SKIP_ENV: &str = "VMM_REF_SKIP_HOST_CHECK";

/// What we found out about `/dev/kvm`.
///
/// # Examples
///
/// ```
/// use vmm_ref::host_check::KvmDevice;
/// assert_ne!(KvmDevice::Missing, KvmDevice::Accessible);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KvmDevice {
    /// It does not exist.
    Missing,
    /// It exists but opening it read-write failed.
    NotAccessible {
        /// The error from `open`.
        reason: String,
    },
    /// It opens read-write.
    Accessible,
}

/// The facts the check decides on.
///
/// # Examples
///
/// ```
/// use vmm_ref::host_check::{HostFacts, KvmDevice};
/// let f = HostFacts { kvm_device: KvmDevice::Accessible, kvm_pvm_loaded: false, cpu_virt_flag: true };
/// assert!(f.cpu_virt_flag);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostFacts {
    /// `/dev/kvm`.
    pub kvm_device: KvmDevice,
    /// `/sys/module/kvm_pvm` exists.
    pub kvm_pvm_loaded: bool,
    /// `/proc/cpuinfo` lists `vmx` or `svm`.
    pub cpu_virt_flag: bool,
}

/// Why this host cannot boot Linux guests.
///
/// # Examples
///
/// ```
/// use vmm_ref::host_check::HostProblem;
/// assert!(HostProblem::NoKvmDevice.to_string().contains("/dev/kvm does not exist"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostProblem {
    /// No `/dev/kvm`.
    NoKvmDevice,
    /// `/dev/kvm` cannot be opened.
    NotAccessible {
        /// The error from `open`.
        reason: String,
    },
    /// `/dev/kvm` is the paravirtual `kvm_pvm`, which cannot run a standard Linux kernel.
    ParavirtualKvm,
}

/// What to do instead, shared by every message.
const REMEDY: &str = "Run on a host with hardware virtualization (Intel VT-x or AMD-V, \
    `vmx`/`svm` in /proc/cpuinfo), or use the emulated-SVM rig: `cargo xtask vmm -- <vmm-ref arguments>`.";

impl fmt::Display for HostProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoKvmDevice => write!(
                f,
                "cannot boot a guest: /dev/kvm does not exist (KVM is not available on this host). {REMEDY}"
            ),
            Self::NotAccessible { reason } => write!(
                f,
                "cannot boot a guest: /dev/kvm cannot be opened ({reason}); add your user to the \
                 `kvm` group or fix the device's permissions. {REMEDY}"
            ),
            Self::ParavirtualKvm => write!(
                f,
                "cannot boot a Linux guest: /dev/kvm on this host is the paravirtual kvm_pvm module \
                 (no vmx/svm CPU flag), which stops Linux early with KVM_EXIT_INTERNAL_ERROR. {REMEDY} \
                 Set {SKIP_ENV}=1 to try anyway."
            ),
        }
    }
}

impl std::error::Error for HostProblem {}

/// Decides whether the host can boot Linux guests. `skip` (the [`SKIP_ENV`] override) accepts
/// a paravirtual KVM, but not a missing or unopenable device.
///
/// # Errors
///
/// The [`HostProblem`], in the order: missing device, inaccessible device, paravirtual KVM.
///
/// # Examples
///
/// ```
/// use vmm_ref::host_check::{HostFacts, HostProblem, KvmDevice, check};
/// let pvm = HostFacts { kvm_device: KvmDevice::Accessible, kvm_pvm_loaded: true, cpu_virt_flag: false };
/// assert_eq!(check(&pvm, false), Err(HostProblem::ParavirtualKvm));
/// assert_eq!(check(&pvm, true), Ok(()));
/// ```
pub fn check(facts: &HostFacts, skip: bool) -> Result<(), HostProblem> {
    match &facts.kvm_device {
        KvmDevice::Missing => return Err(HostProblem::NoKvmDevice),
        KvmDevice::NotAccessible { reason } => {
            return Err(HostProblem::NotAccessible {
                reason: reason.clone(),
            });
        }
        KvmDevice::Accessible => {}
    }
    if facts.kvm_pvm_loaded && !facts.cpu_virt_flag && !skip {
        return Err(HostProblem::ParavirtualKvm);
    }
    Ok(())
}

/// Whether a `/proc/cpuinfo` text lists the `vmx` or `svm` flag.
///
/// # Examples
///
/// ```
/// use vmm_ref::host_check::cpuinfo_has_virt;
/// assert!(cpuinfo_has_virt("flags\t\t: fpu vme svm lm\n"));
/// assert!(!cpuinfo_has_virt("flags\t\t: fpu vmxnet lm\n"));
/// ```
#[must_use]
pub fn cpuinfo_has_virt(cpuinfo: &str) -> bool {
    cpuinfo
        .lines()
        .filter(|l| l.starts_with("flags"))
        .filter_map(|l| l.split_once(':'))
        .any(|(_, flags)| flags.split_whitespace().any(|f| f == "vmx" || f == "svm"))
}

/// Reads the facts from the running system.
///
/// # Examples
///
/// ```
/// let facts = vmm_ref::host_check::gather();
/// let _ = facts.kvm_pvm_loaded;
/// ```
#[must_use]
pub fn gather() -> HostFacts {
    let dev = Path::new("/dev/kvm");
    let kvm_device = if !dev.exists() {
        KvmDevice::Missing
    } else {
        match std::fs::File::options().read(true).write(true).open(dev) {
            Ok(_) => KvmDevice::Accessible,
            Err(e) => KvmDevice::NotAccessible {
                reason: e.to_string(),
            },
        }
    };
    HostFacts {
        kvm_device,
        kvm_pvm_loaded: Path::new("/sys/module/kvm_pvm").exists(),
        cpu_virt_flag: std::fs::read_to_string("/proc/cpuinfo")
            .map(|s| cpuinfo_has_virt(&s))
            .unwrap_or(false),
    }
}

/// Whether [`SKIP_ENV`] is set to `1`.
///
/// # Examples
///
/// ```
/// let _ = vmm_ref::host_check::skip_requested();
/// ```
#[must_use]
pub fn skip_requested() -> bool {
    std::env::var(SKIP_ENV).is_ok_and(|v| v == "1")
}

/// [`check`] over [`gather`] and [`skip_requested`].
///
/// # Errors
///
/// As [`check`].
///
/// # Examples
///
/// ```
/// match vmm_ref::host_check::check_host() {
///     Ok(()) => println!("KVM can boot Linux here"),
///     Err(problem) => println!("{problem}"),
/// }
/// ```
pub fn check_host() -> Result<(), HostProblem> {
    check(&gather(), skip_requested())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(dev: KvmDevice, pvm: bool, virt: bool) -> HostFacts {
        HostFacts {
            kvm_device: dev,
            kvm_pvm_loaded: pvm,
            cpu_virt_flag: virt,
        }
    }

    #[test]
    fn hardware_kvm_is_usable() {
        assert_eq!(
            check(&facts(KvmDevice::Accessible, false, true), false),
            Ok(())
        );
    }

    #[test]
    fn missing_device_is_reported_even_with_skip() {
        assert_eq!(
            check(&facts(KvmDevice::Missing, false, true), true),
            Err(HostProblem::NoKvmDevice)
        );
    }

    #[test]
    fn inaccessible_device_keeps_the_reason() {
        let dev = KvmDevice::NotAccessible {
            reason: "Permission denied (os error 13)".into(),
        };
        let err = check(&facts(dev, false, true), false).unwrap_err();
        assert!(err.to_string().contains("Permission denied"));
        assert!(err.to_string().contains("kvm` group"));
    }

    #[test]
    fn paravirtual_kvm_is_refused_unless_skipped() {
        let f = facts(KvmDevice::Accessible, true, false);
        let err = check(&f, false).unwrap_err();
        assert_eq!(err, HostProblem::ParavirtualKvm);
        let msg = err.to_string();
        assert!(
            msg.contains("kvm_pvm") && msg.contains("cargo xtask vmm --") && msg.contains(SKIP_ENV)
        );
        assert_eq!(check(&f, true), Ok(()));
    }

    #[test]
    fn pvm_module_with_a_virt_flag_is_usable() {
        // A host with hardware virtualization that also has the module loaded.
        assert_eq!(
            check(&facts(KvmDevice::Accessible, true, true), false),
            Ok(())
        );
    }

    #[test]
    fn every_message_names_the_remedy() {
        for p in [
            HostProblem::NoKvmDevice,
            HostProblem::NotAccessible { reason: "x".into() },
            HostProblem::ParavirtualKvm,
        ] {
            assert!(p.to_string().contains("VT-x or AMD-V"), "{p}");
        }
    }

    #[test]
    fn cpuinfo_flags_only_count_on_flags_lines() {
        assert!(!cpuinfo_has_virt(
            "model name : svm-like cpu\nflags : fpu\n"
        ));
        assert!(cpuinfo_has_virt("flags : fpu\nflags : vmx\n"));
    }
}
