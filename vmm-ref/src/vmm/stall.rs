//! Stall diagnostics: what the host side can see of a guest that went quiet (the nested-guest
//! stall of issue 6: an agent that never says hello, its vCPU halted or spinning) and the
//! interrupt watchdog that ends it.
//!
//! [`Diagnostics`] is a snapshot taken without touching the guest: both UARTs' registers
//! (read without side effects) with COM2's last register accesses, KVM's in-kernel 8259 PIC
//! and IOAPIC pins, when the guest last did port I/O, and each vCPU thread's scheduler state
//! and kernel wait channel from `/proc`.
//!
//! The stall probe (off unless `VMM_REF_STALL_PROBE=SECS` is set in the environment; a
//! debugging aid for the rig, see `cargo xtask stall`) watches a running VM from
//! [`super::RunningVm::next_event`]: when the guest did no port I/O for `SECS` seconds while
//! every vCPU thread either slept (halted in KVM, almost no CPU used in two seconds) or spun (on
//! a CPU at least half of those two seconds), it prints a report on standard error, then
//! tries one nudge at a time, each a few seconds apart, and says after each whether the guest
//! woke up:
//!
//! 1. kick the vCPU threads out of `KVM_RUN` (they report their registers, interrupt state and
//!    LAPIC, and go back in: KVM re-checks pending interrupts on entry);
//! 2. raise one more edge on COM2's interrupt line (IRQ 3), with no data;
//! 3. raise one edge on COM1's line (IRQ 4), another device's interrupt.

use std::fmt;
use std::time::{Duration, Instant};

use kvm_bindings::{KVM_IRQCHIP_IOAPIC, KVM_IRQCHIP_PIC_MASTER, kvm_irqchip};
use kvm_ioctls::VmFd;

use super::devices::{PioBus, UartSnapshot, lock};

/// One vCPU thread as `/proc/self/task` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ThreadInfo {
    name: String,
    state: String,
    wchan: String,
    /// utime + stime, in clock ticks.
    cpu_ticks: u64,
}

/// The vCPU threads (`vcpuN`) of this process.
fn vcpu_threads() -> Vec<ThreadInfo> {
    let Ok(dir) = std::fs::read_dir("/proc/self/task") else {
        return Vec::new();
    };
    let mut v: Vec<ThreadInfo> = dir
        .flatten()
        .filter_map(|e| {
            let p = e.path();
            let name = std::fs::read_to_string(p.join("comm"))
                .ok()?
                .trim()
                .to_owned();
            if !name.starts_with("vcpu") {
                return None;
            }
            let stat = std::fs::read_to_string(p.join("stat")).ok()?;
            let (state, cpu_ticks) = parse_stat(&stat)?;
            let wchan = std::fs::read_to_string(p.join("wchan")).unwrap_or_default();
            Some(ThreadInfo {
                name,
                state,
                wchan,
                cpu_ticks,
            })
        })
        .collect();
    v.sort_by(|a, b| a.name.cmp(&b.name));
    v
}

/// State letter and utime + stime from a `/proc/.../stat` line.
fn parse_stat(stat: &str) -> Option<(String, u64)> {
    let rest = stat.rsplit_once(") ")?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = f.get(11)?.parse().ok()?;
    let stime: u64 = f.get(12)?.parse().ok()?;
    Some(((*f.first()?).to_owned(), utime + stime))
}

/// What the host side can see of a running guest, taken without touching it. `{}` is a short
/// report (a few lines); `{:#}` adds the UARTs' last register accesses.
///
/// # Examples
///
/// ```no_run
/// # use vmm_ref::vmm::*;
/// let vm = Vm::try_from(VmConfig { kernel: "vmlinux".into(), ..VmConfig::default() })?.start()?;
/// eprintln!("{}", vm.diagnostics());
/// # Ok::<(), vmm_ref::vmm::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Diagnostics {
    /// The console UART.
    pub com1: UartSnapshot,
    /// The agent UART.
    pub com2: UartSnapshot,
    pic: Option<kvm_bindings::kvm_pic_state>,
    /// IOAPIC redirection entries of pins 0, 3 and 4.
    ioapic: Option<[u64; 3]>,
    io_count: u64,
    io_idle: Duration,
    threads: Vec<ThreadInfo>,
}

impl Diagnostics {
    pub(crate) fn take(bus: &PioBus, vm: &VmFd) -> Self {
        let now = Instant::now();
        let mut pic = kvm_irqchip {
            chip_id: KVM_IRQCHIP_PIC_MASTER,
            ..Default::default()
        };
        let pic = vm.get_irqchip(&mut pic).ok().map(|()| {
            // Safe because KVM filled the PIC member for this chip id.
            unsafe { pic.chip.pic }
        });
        let mut ioapic = kvm_irqchip {
            chip_id: KVM_IRQCHIP_IOAPIC,
            ..Default::default()
        };
        let ioapic = vm.get_irqchip(&mut ioapic).ok().map(|()| {
            // Safe because KVM filled the IOAPIC member for this chip id; every bit pattern
            // is a valid u64.
            let t = unsafe { ioapic.chip.ioapic.redirtbl };
            [0usize, 3, 4].map(|i| unsafe { t[i].bits })
        });
        Self {
            com1: lock(&bus.com1).snapshot(now),
            com2: lock(&bus.com2).snapshot(now),
            pic,
            ioapic,
            io_count: bus.activity.count(),
            io_idle: now.saturating_duration_since(bus.activity.last()),
            threads: vcpu_threads(),
        }
    }

    /// Port accesses so far (every device).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use vmm_ref::vmm::*;
    /// let vm = Vm::try_from(VmConfig { kernel: "vmlinux".into(), ..VmConfig::default() })?.start()?;
    /// println!("{} port accesses", vm.diagnostics().port_accesses());
    /// # Ok::<(), vmm_ref::vmm::Error>(())
    /// ```
    #[must_use]
    pub fn port_accesses(&self) -> u64 {
        self.io_count
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "  port I/O: {} accesses, the last {} ms ago",
            self.io_count,
            self.io_idle.as_millis()
        )?;
        for t in &self.threads {
            write!(
                f,
                "\n  {}: state {} wchan {} cpu {} ticks",
                t.name, t.state, t.wchan, t.cpu_ticks
            )?;
        }
        match &self.pic {
            Some(p) => write!(
                f,
                "\n  PIC master: irr={:#04x} imr={:#04x} isr={:#04x} last_irr={:#04x} elcr={:#04x} irq_base={:#04x} auto_eoi={} init_state={}",
                p.irr, p.imr, p.isr, p.last_irr, p.elcr, p.irq_base, p.auto_eoi, p.init_state
            )?,
            None => write!(f, "\n  PIC master: (KVM_GET_IRQCHIP failed)")?,
        }
        if let Some([p0, p3, p4]) = self.ioapic {
            write!(
                f,
                "\n  IOAPIC: pin0={p0:#x} pin3={p3:#x} pin4={p4:#x} (bit 16 = masked)"
            )?;
        }
        if f.alternate() {
            write!(f, "\n  COM1: {:#}", self.com1)?;
            write!(f, "\n  COM2: {:#}", self.com2)
        } else {
            write!(f, "\n  COM1: {}", self.com1)?;
            write!(f, "\n  COM2: {}", self.com2)
        }
    }
}

/// The PIC master's pending, unmasked interrupt requests with none in service (0 when
/// something is in service: a lower-priority request then rightly waits for its EOI).
/// Nothing counts until the guest has programmed the PIC (its vector base is still 0 before):
/// KVM's PIT raises IRQ 0 once right after creation, and that request rightly waits until
/// then.
fn pic_waiting(vm: &VmFd) -> Option<u8> {
    let mut chip = kvm_irqchip {
        chip_id: KVM_IRQCHIP_PIC_MASTER,
        ..Default::default()
    };
    vm.get_irqchip(&mut chip).ok()?;
    // Safe because KVM filled the PIC member for this chip id.
    let pic = unsafe { chip.chip.pic };
    Some(if pic.isr == 0 && pic.irq_base != 0 {
        pic.irr & !pic.imr
    } else {
        0
    })
}

/// Watches for interrupts that KVM's in-kernel PIC holds for the guest but does not deliver,
/// and has KVM re-evaluate delivery when it sees one.
///
/// On by default (`VMM_REF_IRQ_WATCHDOG=0` turns it off). Nested guests under emulated SVM
/// (the rig) stall right after the agent starts: no port I/O, the vCPU thread spinning (not
/// halted, not starved), the PIC holding the timer's and COM2's requests unmasked with nothing
/// in service, until something makes the vCPU leave `KVM_RUN`. Measured in the rig with four
/// busy loops on the host (`cargo xtask stall --boots 10..12 --timeout 40 --hogs 0`, session
/// 3): with the watchdog off, 1 of 10 boots never said hello within 40 s, and in another run
/// 8 of 12 boots stalled about 10 s until the stall probe's first nudge (a kick of the vCPU
/// threads) woke every one of them at once; with the watchdog on, 12 of 12 boots said hello
/// 100-150 ms after the agent started, with 28 re-arms in all. Session 2's runs, without that
/// host load, had not reproduced the stall, which is why the watchdog was an experiment then.
///
/// Every [`Self::PERIOD`], the PIC is read (one `KVM_GET_IRQCHIP`). When the same unmasked
/// request has been pending with nothing in service for two readings in a row and the guest
/// did no port I/O in between, the watchdog asks for a re-arm: the vCPU threads are kicked
/// and write their vCPU events back, which makes KVM inject afresh on the next entry. On a
/// healthy host a pending request is taken within microseconds, so the watchdog stays idle;
/// a re-arm that was not needed costs one exit per vCPU.
///
/// It covers the 8259 PIC once the guest has programmed it (the interrupt path of a guest
/// without an MP table or ACPI, as Debian's cloud kernel with one vCPU); IOAPIC delivery is
/// not watched.
#[derive(Debug)]
pub(crate) struct IrqWatchdog {
    next: Instant,
    /// The previous reading: waiting requests and the port access count.
    last: Option<(u8, u64)>,
    rearms: u64,
}

impl IrqWatchdog {
    /// How often the PIC is read.
    pub(crate) const PERIOD: Duration = Duration::from_millis(250);

    /// The watchdog, unless `VMM_REF_IRQ_WATCHDOG=0`.
    pub(crate) fn from_env(now: Instant) -> Option<Self> {
        if std::env::var("VMM_REF_IRQ_WATCHDOG").is_ok_and(|v| v == "0") {
            return None;
        }
        Some(Self {
            next: now + Self::PERIOD,
            last: None,
            rearms: 0,
        })
    }

    /// When it wants to run next.
    pub(crate) fn due(&self) -> Instant {
        self.next
    }

    /// How many re-arms it asked for.
    pub(crate) fn rearms(&self) -> u64 {
        self.rearms
    }

    /// Reads the PIC if due; true when the vCPUs should re-arm interrupt delivery now.
    pub(crate) fn tick(&mut self, bus: &PioBus, vm: &VmFd, now: Instant) -> bool {
        if now < self.next {
            return false;
        }
        self.next = now + Self::PERIOD;
        let reading = (pic_waiting(vm).unwrap_or(0), bus.activity.count());
        let stuck = decide(self.last, reading);
        self.last = if stuck { None } else { Some(reading) };
        if stuck {
            self.rearms += 1;
        }
        stuck
    }
}

/// Whether two readings (waiting PIC requests, port access count) a period apart show a
/// request left undelivered: the same request still waiting, and no port I/O in between.
fn decide(last: Option<(u8, u64)>, now: (u8, u64)) -> bool {
    match last {
        Some((waiting, io)) => waiting & now.0 != 0 && io == now.1,
        None => false,
    }
}

/// The stall probe's state (see the module docs).
#[derive(Debug)]
pub(crate) struct StallProbe {
    quiet: Duration,
    stage: Stage,
    /// vCPU CPU ticks when the current quiet period was first noticed.
    watch: Option<(Instant, u64, u64)>,
    stalls: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Watching for a stall.
    Watching,
    /// Nudge `n` was done at `at`, with the port access count then.
    Nudged { n: u8, at: Instant, io: u64 },
}

/// What the probe asks the VM to do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Nudge {
    /// Kick the vCPUs (and ask them for their state).
    KickVcpus,
    /// One more edge on COM2's line.
    Com2Edge,
    /// One edge on COM1's line.
    Com1Edge,
}

/// Time between nudges.
const NUDGE_WAIT: Duration = Duration::from_secs(4);

impl StallProbe {
    /// The probe from `VMM_REF_STALL_PROBE=SECS`, if set.
    pub(crate) fn from_env() -> Option<Self> {
        let secs: u64 = std::env::var("VMM_REF_STALL_PROBE").ok()?.parse().ok()?;
        Some(Self {
            quiet: Duration::from_secs(secs.max(1)),
            stage: Stage::Watching,
            watch: None,
            stalls: 0,
        })
    }

    /// How often [`Self::tick`] wants to run.
    pub(crate) const PERIOD: Duration = Duration::from_secs(1);

    /// Looks at the VM; returns the nudge to do now, if any (printing what it saw).
    pub(crate) fn tick(&mut self, bus: &PioBus, vm: &VmFd, now: Instant) -> Option<Nudge> {
        let io = bus.activity.count();
        let idle = now.saturating_duration_since(bus.activity.last());
        match self.stage {
            Stage::Watching => {
                if idle < self.quiet {
                    self.watch = None;
                    return None;
                }
                let threads = vcpu_threads();
                let ticks: u64 = threads.iter().map(|t| t.cpu_ticks).sum();
                let Some((since, io0, ticks0)) = self.watch else {
                    self.watch = Some((now, io, ticks));
                    return None;
                };
                // Two seconds of watching: halted means (almost) no CPU used in that time,
                // spinning means the vCPUs ran most of it.
                let watched = now.saturating_duration_since(since);
                if watched < Duration::from_secs(2) {
                    return None;
                }
                self.watch = None;
                if io != io0 {
                    return None;
                }
                let used = ticks.saturating_sub(ticks0);
                let how = if used <= 20 {
                    "the vCPUs idle"
                } else if u128::from(used) * 10 >= watched.as_millis() / 2 {
                    // Clock ticks are 10 ms: at least half the time on a CPU.
                    "the vCPUs spinning"
                } else {
                    // Runnable but starved of the host's CPU: slow, not stuck.
                    return None;
                };
                self.stalls += 1;
                eprintln!(
                    "vmm-ref stall-probe: stall {}: no port I/O for {} ms and {how}; before any nudge:\n{:#}",
                    self.stalls,
                    idle.as_millis(),
                    Diagnostics::take(bus, vm)
                );
                self.stage = Stage::Nudged { n: 1, at: now, io };
                eprintln!("vmm-ref stall-probe: nudge 1: kick the vCPUs out of KVM_RUN");
                Some(Nudge::KickVcpus)
            }
            Stage::Nudged { n, at, io: io0 } => {
                if io != io0 {
                    eprintln!(
                        "vmm-ref stall-probe: stall {}: the guest woke after nudge {n} ({} port accesses since); now:\n{:#}",
                        self.stalls,
                        io - io0,
                        Diagnostics::take(bus, vm)
                    );
                    self.stage = Stage::Watching;
                    return None;
                }
                if now.saturating_duration_since(at) < NUDGE_WAIT {
                    return None;
                }
                let next = match n {
                    1 => Nudge::Com2Edge,
                    2 => Nudge::Com1Edge,
                    _ => {
                        eprintln!(
                            "vmm-ref stall-probe: stall {}: no nudge woke the guest; now:\n{:#}",
                            self.stalls,
                            Diagnostics::take(bus, vm)
                        );
                        self.stage = Stage::Watching;
                        return None;
                    }
                };
                eprintln!(
                    "vmm-ref stall-probe: nudge {}: {}; the guest is still quiet:\n{:#}",
                    n + 1,
                    match next {
                        Nudge::Com2Edge => "one more edge on COM2's IRQ 3",
                        _ => "one edge on COM1's IRQ 4",
                    },
                    Diagnostics::take(bus, vm)
                );
                self.stage = Stage::Nudged {
                    n: n + 1,
                    at: now,
                    io,
                };
                Some(next)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_waiting_in_two_readings_without_port_io_is_stuck() {
        assert!(decide(Some((0x01, 7)), (0x01, 7)));
        assert!(decide(Some((0x09, 7)), (0x08, 7)));
    }

    #[test]
    fn a_first_reading_a_new_request_or_port_io_in_between_is_not_stuck() {
        assert!(!decide(None, (0x01, 7)));
        assert!(!decide(Some((0x00, 7)), (0x01, 7)));
        assert!(!decide(Some((0x01, 7)), (0x02, 7)));
        assert!(!decide(Some((0x01, 7)), (0x01, 8)));
        assert!(!decide(Some((0x01, 7)), (0x00, 7)));
    }

    #[test]
    fn stat_lines_give_state_and_cpu_time_even_with_spaces_in_the_name() {
        let stat = "1234 (vcpu 0) S 1 2 3 4 5 6 7 8 9 10 110 220 0 0";
        assert_eq!(parse_stat(stat), Some(("S".to_owned(), 330)));
        assert_eq!(parse_stat("garbage"), None);
    }
}
