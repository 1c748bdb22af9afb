//! How a guest ended, as data, and the decoding of `KVM_EXIT_INTERNAL_ERROR`.

use std::fmt;
use std::time::Duration;

/// Every way a VM run can end. The vCPU threads are stopped and joined when one of these is
/// reported.
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::GuestExit;
/// assert!(GuestExit::Shutdown.is_orderly());
/// assert!(!GuestExit::TripleFault.is_orderly());
/// assert_eq!(GuestExit::Reboot.to_string(), "the guest rebooted (i8042 reset)");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GuestExit {
    /// The guest reset through the i8042 after the host asked the agent to power off
    /// ([`RunningVm::expect_shutdown`](super::RunningVm::expect_shutdown)).
    Shutdown,
    /// The guest reset through the i8042 (`reboot=k`) when nobody asked it to.
    Reboot,
    /// `KVM_EXIT_SHUTDOWN`: a triple fault (or `reboot=t`).
    TripleFault,
    /// The console showed "Kernel panic"; the line that followed is kept. Reported whatever
    /// way the guest went down afterwards (with `panic=1`, a reset after one second).
    KernelPanic {
        /// The panic line from the console, without the `Kernel panic - ` prefix.
        message: String,
    },
    /// `KVM_EXIT_INTERNAL_ERROR`.
    InternalError(InternalError),
    /// `KVM_EXIT_FAIL_ENTRY`: the hardware refused to enter the guest.
    FailEntry {
        /// The vCPU.
        vcpu: u8,
        /// `hardware_entry_failure_reason`.
        reason: u64,
    },
    /// A vCPU executed `hlt` and KVM returned to us (only without an in-kernel LAPIC).
    Halted {
        /// The vCPU.
        vcpu: u8,
    },
    /// `KVM_EXIT_SYSTEM_EVENT` (shutdown, reset or crash requested through a PV interface).
    SystemEvent {
        /// The event type (`KVM_SYSTEM_EVENT_*`).
        kind: u32,
    },
    /// `KVM_RUN` itself failed, or a vCPU kept exiting for reasons we do not handle.
    VcpuError {
        /// The vCPU.
        vcpu: u8,
        /// What went wrong.
        error: String,
    },
    /// The host-side timeout expired first; the VM was stopped.
    Timeout {
        /// The timeout that expired.
        after: Duration,
    },
    /// The host stopped the VM for another reason (the run was abandoned).
    HostStopped,
}

impl GuestExit {
    /// Whether this is the end the host asked for.
    ///
    /// # Examples
    ///
    /// ```
    /// use vmm_ref::vmm::GuestExit;
    /// assert!(!GuestExit::Reboot.is_orderly());
    /// ```
    #[must_use]
    pub fn is_orderly(&self) -> bool {
        matches!(self, Self::Shutdown)
    }
}

impl fmt::Display for GuestExit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Shutdown => write!(f, "the guest powered off"),
            Self::Reboot => write!(f, "the guest rebooted (i8042 reset)"),
            Self::TripleFault => write!(f, "the guest triple-faulted (KVM_EXIT_SHUTDOWN)"),
            Self::KernelPanic { message } => write!(f, "the guest kernel panicked: {message}"),
            Self::InternalError(e) => write!(f, "{e}"),
            Self::FailEntry { vcpu, reason } => write!(
                f,
                "KVM could not enter the guest on vCPU {vcpu} (KVM_EXIT_FAIL_ENTRY, reason {reason:#x})"
            ),
            Self::Halted { vcpu } => write!(f, "vCPU {vcpu} halted"),
            Self::SystemEvent { kind } => write!(f, "the guest sent system event {kind}"),
            Self::VcpuError { vcpu, error } => write!(f, "vCPU {vcpu} failed: {error}"),
            Self::Timeout { after } => {
                write!(
                    f,
                    "the guest did not finish within {} s; stopped it",
                    after.as_secs_f64()
                )
            }
            Self::HostStopped => write!(f, "the host stopped the guest"),
        }
    }
}

/// The kind of internal error (`KVM_INTERNAL_ERROR_*` suberror).
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::InternalErrorKind;
/// assert_eq!(InternalErrorKind::from_code(1), InternalErrorKind::Emulation);
/// assert_eq!(InternalErrorKind::from_code(9), InternalErrorKind::Other(9));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InternalErrorKind {
    /// 1: the instruction could not be emulated.
    Emulation,
    /// 2: an exception occurred while delivering another one.
    SimultaneousException,
    /// 3: an event could not be delivered.
    DeliveryEvent,
    /// 4: the hardware exited for a reason KVM does not handle.
    UnexpectedExitReason,
    /// Any other suberror.
    Other(u32),
}

impl InternalErrorKind {
    /// Maps a suberror number.
    ///
    /// # Examples
    ///
    /// ```
    /// use vmm_ref::vmm::InternalErrorKind;
    /// assert_eq!(InternalErrorKind::from_code(4), InternalErrorKind::UnexpectedExitReason);
    /// ```
    #[must_use]
    pub fn from_code(code: u32) -> Self {
        match code {
            1 => Self::Emulation,
            2 => Self::SimultaneousException,
            3 => Self::DeliveryEvent,
            4 => Self::UnexpectedExitReason,
            n => Self::Other(n),
        }
    }
}

impl fmt::Display for InternalErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Emulation => write!(f, "emulation failure"),
            Self::SimultaneousException => write!(f, "simultaneous exceptions"),
            Self::DeliveryEvent => write!(f, "event delivery failure"),
            Self::UnexpectedExitReason => write!(f, "unexpected exit reason"),
            Self::Other(n) => write!(f, "suberror {n}"),
        }
    }
}

/// A `KVM_EXIT_INTERNAL_ERROR`, with where it happened and the instruction bytes there.
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::{InternalError, InternalErrorKind};
/// let e = InternalError {
///     vcpu: 0,
///     kind: InternalErrorKind::Emulation,
///     rip: 0xffff_ffff_8100_0000,
///     instruction: vec![0xf0, 0x48, 0x0f, 0xc7, 0x0e],
///     data: vec![],
/// };
/// assert!(e.to_string().contains("f0 48 0f c7 0e (lock cmpxchg16b)"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InternalError {
    /// The vCPU.
    pub vcpu: u8,
    /// The suberror.
    pub kind: InternalErrorKind,
    /// The guest RIP.
    pub rip: u64,
    /// Up to 15 instruction bytes at RIP: the ones KVM reported, else read from guest memory
    /// (empty if neither was possible).
    pub instruction: Vec<u8>,
    /// The raw `data` words KVM supplied.
    pub data: Vec<u64>,
}

impl fmt::Display for InternalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "KVM_EXIT_INTERNAL_ERROR on vCPU {}: {} at RIP {:#x}",
            self.vcpu, self.kind, self.rip
        )?;
        if self.instruction.is_empty() {
            write!(f, " (instruction bytes unavailable)")?;
        } else {
            let hex: Vec<String> = self
                .instruction
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            write!(f, ", instruction bytes {}", hex.join(" "))?;
            if let Some(name) = instruction_hint(&self.instruction) {
                write!(f, " ({name})")?;
            }
        }
        Ok(())
    }
}

/// `KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES`.
const FLAG_INSTRUCTION_BYTES: u64 = 1;

/// Extracts the instruction bytes KVM attaches to an emulation failure: `data[0]` holds flags;
/// with the instruction-bytes flag, `data[1..3]` hold a length byte followed by up to 15 bytes
/// (`struct kvm_run::emulation_failure`). `None` for other suberrors or when absent.
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::exit::emulation_failure_bytes;
/// // flags = 1, insn_size = 2, bytes 0x0f 0x0b (ud2)
/// let data = [1u64, u64::from_le_bytes([2, 0x0f, 0x0b, 0, 0, 0, 0, 0]), 0];
/// assert_eq!(emulation_failure_bytes(1, &data), Some(vec![0x0f, 0x0b]));
/// assert_eq!(emulation_failure_bytes(2, &data), None);
/// ```
#[must_use]
pub fn emulation_failure_bytes(suberror: u32, data: &[u64]) -> Option<Vec<u8>> {
    if suberror != 1 || data.len() < 3 || data[0] & FLAG_INSTRUCTION_BYTES == 0 {
        return None;
    }
    let mut raw = [0u8; 16];
    raw[..8].copy_from_slice(&data[1].to_le_bytes());
    raw[8..].copy_from_slice(&data[2].to_le_bytes());
    let len = usize::from(raw[0]).min(15);
    (len > 0).then(|| raw[1..=len].to_vec())
}

/// Names a few instructions that para-virtualized or nested KVMs are known to fail on, to make
/// the report readable. Skips legacy prefixes and REX.
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::exit::instruction_hint;
/// assert_eq!(instruction_hint(&[0xcc]), Some("int3"));
/// assert_eq!(instruction_hint(&[0x48, 0x0f, 0xae, 0x2f]), Some("xrstor"));
/// assert_eq!(instruction_hint(&[0x90]), None);
/// ```
#[must_use]
pub fn instruction_hint(bytes: &[u8]) -> Option<&'static str> {
    let lock = bytes.first() == Some(&0xf0);
    let mut i = 0;
    while i < bytes.len()
        && matches!(
            bytes[i],
            0xf0 | 0xf2 | 0xf3 | 0x66 | 0x67 | 0x2e | 0x3e | 0x26 | 0x36 | 0x64 | 0x65
        )
    {
        i += 1;
    }
    let rex_w = bytes
        .get(i)
        .is_some_and(|b| b & 0xf0 == 0x40 && b & 0x08 != 0);
    if bytes.get(i).is_some_and(|b| b & 0xf0 == 0x40) {
        i += 1;
    }
    let op = &bytes[i.min(bytes.len())..];
    let reg = |m: u8| (m >> 3) & 7;
    match op {
        [0xcc, ..] => Some("int3"),
        [0xf4, ..] => Some("hlt"),
        [0x0f, 0x0b, ..] => Some("ud2"),
        [0x0f, 0x01, 0xd0, ..] => Some("xgetbv"),
        [0x0f, 0x01, 0xd1, ..] => Some("xsetbv"),
        [0x0f, 0xa2, ..] => Some("cpuid"),
        [0x0f, 0x30, ..] => Some("wrmsr"),
        [0x0f, 0x32, ..] => Some("rdmsr"),
        [0x0f, 0xc7, m, ..] if reg(*m) == 1 && rex_w && lock => Some("lock cmpxchg16b"),
        [0x0f, 0xc7, m, ..] if reg(*m) == 1 && rex_w => Some("cmpxchg16b"),
        [0x0f, 0xc7, m, ..] if reg(*m) == 1 => Some("cmpxchg8b"),
        [0x0f, 0xae, m, ..] if *m < 0xc0 && reg(*m) == 4 => Some("xsave"),
        [0x0f, 0xae, m, ..] if *m < 0xc0 && reg(*m) == 5 => Some("xrstor"),
        [0x0f, 0xae, m, ..] if *m < 0xc0 && reg(*m) == 0 => Some("fxsave"),
        [0x0f, 0xae, m, ..] if *m < 0xc0 && reg(*m) == 1 => Some("fxrstor"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emulation_bytes_need_the_flag() {
        let data = [0u64, u64::from_le_bytes([1, 0xcc, 0, 0, 0, 0, 0, 0]), 0];
        assert_eq!(emulation_failure_bytes(1, &data), None);
    }

    #[test]
    fn emulation_bytes_span_both_words_and_cap_at_15() {
        let mut raw = [0u8; 16];
        raw[0] = 20; // bogus length from an untrusted source
        for (i, b) in raw.iter_mut().enumerate().skip(1) {
            *b = i as u8;
        }
        let data = [
            1,
            u64::from_le_bytes(raw[..8].try_into().unwrap()),
            u64::from_le_bytes(raw[8..].try_into().unwrap()),
        ];
        let bytes = emulation_failure_bytes(1, &data).unwrap();
        assert_eq!(bytes, (1..=15).collect::<Vec<u8>>());
    }

    #[test]
    fn short_data_is_not_decoded() {
        assert_eq!(emulation_failure_bytes(1, &[1, 2]), None);
    }

    #[test]
    fn hints_for_known_troublemakers() {
        assert_eq!(
            instruction_hint(&[0xf0, 0x48, 0x0f, 0xc7, 0x0e]),
            Some("lock cmpxchg16b")
        );
        assert_eq!(instruction_hint(&[0x0f, 0xc7, 0x0e]), Some("cmpxchg8b"));
        assert_eq!(instruction_hint(&[0x0f, 0xae, 0x2f]), Some("xrstor"));
        assert_eq!(instruction_hint(&[0x0f, 0xae, 0x27]), Some("xsave"));
        assert_eq!(instruction_hint(&[0x0f, 0xae, 0xe8]), None); // lfence, register form
        assert_eq!(instruction_hint(&[]), None);
        assert_eq!(instruction_hint(&[0xf0]), None);
    }

    #[test]
    fn internal_error_message_names_rip_and_bytes() {
        let e = InternalError {
            vcpu: 1,
            kind: InternalErrorKind::Emulation,
            rip: 0x1000,
            instruction: vec![0xcc],
            data: vec![],
        };
        assert_eq!(
            e.to_string(),
            "KVM_EXIT_INTERNAL_ERROR on vCPU 1: emulation failure at RIP 0x1000, instruction bytes cc (int3)"
        );
        let none = InternalError {
            instruction: vec![],
            ..e
        };
        assert!(
            none.to_string()
                .ends_with("(instruction bytes unavailable)")
        );
    }

    #[test]
    fn timeout_message_gives_seconds() {
        let t = GuestExit::Timeout {
            after: Duration::from_millis(1500),
        };
        assert!(t.to_string().contains("1.5 s"));
    }
}
