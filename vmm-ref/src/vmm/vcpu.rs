//! vCPU threads: the exit loop, and kicking a thread out of `KVM_RUN` (spec/vmm.md 3.4).
//!
//! A thread is stopped by setting the shared stop flag and sending it `SIGRTMIN`. The signal
//! handler sets `kvm_run.immediate_exit` through a thread-local pointer to the thread's own
//! `kvm_run` page, so a signal that arrives just before `KVM_RUN` still makes it return at
//! once (`EINTR`); the loop then sees the flag and ends.

use std::cell::Cell;
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Barrier, Once};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use kvm_bindings::kvm_run;
use kvm_ioctls::{VcpuExit, VcpuFd};
use vm_memory::{Bytes, GuestAddress, GuestMemoryMmap};
use vmm_sys_util::signal::{Killable, SIGRTMIN, register_signal_handler};

use super::devices::{Msg, PioBus};
use super::exit::{InternalError, InternalErrorKind, emulation_failure_bytes};

/// Why a vCPU thread ended by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum VcpuStop {
    /// `KVM_EXIT_SHUTDOWN`.
    Shutdown,
    /// `KVM_EXIT_HLT`.
    Halted,
    /// `KVM_EXIT_INTERNAL_ERROR`.
    InternalError(InternalError),
    /// `KVM_EXIT_FAIL_ENTRY`.
    FailEntry(u64),
    /// `KVM_EXIT_SYSTEM_EVENT`.
    SystemEvent(u32),
    /// `KVM_RUN` failed, or too many unhandled exits in a row.
    Error(String),
}

thread_local! {
    /// The `kvm_run` page of the vCPU running on this thread, for the kick signal handler.
    static KVM_RUN_PTR: Cell<*mut kvm_run> = const { Cell::new(ptr::null_mut()) };
}

extern "C" fn kick_handler(_: libc::c_int, _: *mut libc::siginfo_t, _: *mut libc::c_void) {
    let p = KVM_RUN_PTR.with(Cell::get);
    if !p.is_null() {
        // Safe because the pointer is this thread's own mapped `kvm_run` page, set by the vCPU
        // loop before it first runs and cleared before the `VcpuFd` (and its mapping) is
        // dropped; a volatile byte store is async-signal-safe.
        unsafe { ptr::write_volatile(ptr::addr_of_mut!((*p).immediate_exit), 1) };
    }
}

static HANDLER: Once = Once::new();

/// Installs the `SIGRTMIN` kick handler once per process (before any signal is sent, or the
/// default action would end the process).
pub(crate) fn install_kick_handler() -> Result<(), String> {
    let mut result = Ok(());
    HANDLER.call_once(|| {
        result = register_signal_handler(SIGRTMIN(), kick_handler)
            .map_err(|e| format!("cannot install the vCPU kick signal handler: {e}"));
    });
    result
}

/// More unhandled exits than this in a row end the vCPU instead of spinning.
const MAX_UNHANDLED_IN_A_ROW: u32 = 10_000;

/// What one exit asks the loop to do.
enum Step {
    Continue,
    Unhandled(String),
    Stop(VcpuStop),
    InternalError,
}

/// Asks every vCPU thread for its state: each one that sees a new generation after a kick
/// sends a [`Msg::VcpuDump`].
#[derive(Debug, Default)]
pub(crate) struct DumpRequest(AtomicU32);

impl DumpRequest {
    /// A new request; the caller then kicks the threads.
    pub(crate) fn ask(&self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }
}

/// Asks every vCPU thread to make KVM re-evaluate interrupt delivery: after a kick, each
/// thread that sees a new generation writes its vCPU events back unchanged
/// (`KVM_GET_VCPU_EVENTS` then `KVM_SET_VCPU_EVENTS`), which sets KVM's `KVM_REQ_EVENT` so
/// that the next entry injects a pending interrupt (or opens an interrupt window) afresh.
/// The workaround for interrupts left pending in the in-kernel PIC under nested SVM (see
/// [`super::stall`]).
#[derive(Debug, Default)]
pub(crate) struct RearmRequest(AtomicU32);

impl RearmRequest {
    /// A new request; the caller then kicks the threads.
    pub(crate) fn ask(&self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }
}

/// The state a stall report wants from a vCPU: where it is, whether it can take an
/// interrupt, and what KVM holds for it.
fn dump(vcpu: &VcpuFd, mem: &GuestMemoryMmap) -> String {
    let mut out = String::new();
    match vcpu.get_regs() {
        Ok(r) => {
            let code: Vec<String> = instruction_at(vcpu, mem, r.rip)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            out.push_str(&format!(
                "rip={:#x} rflags={:#x} (IF={}) code=[{}]",
                r.rip,
                r.rflags,
                (r.rflags >> 9) & 1,
                code.join(" ")
            ));
        }
        Err(e) => out.push_str(&format!("regs: {e}")),
    }
    match vcpu.get_mp_state() {
        Ok(m) => out.push_str(&format!(
            " mp_state={}",
            match m.mp_state {
                0 => "runnable".to_owned(),
                3 => "halted".to_owned(),
                n => n.to_string(),
            }
        )),
        Err(e) => out.push_str(&format!(" mp_state: {e}")),
    }
    match vcpu.get_vcpu_events() {
        Ok(e) => out.push_str(&format!(
            " interrupt(injected={} nr={:#x} shadow={}) exception(injected={} nr={}) nmi(injected={} pending={} masked={})",
            e.interrupt.injected,
            e.interrupt.nr,
            e.interrupt.shadow,
            e.exception.injected,
            e.exception.nr,
            e.nmi.injected,
            e.nmi.pending,
            e.nmi.masked
        )),
        Err(e) => out.push_str(&format!(" events: {e}")),
    }
    match vcpu.get_lapic() {
        Ok(l) => {
            let reg = |off: usize| {
                let b: Vec<u8> = l.regs[off..off + 4].iter().map(|&c| c as u8).collect();
                u32::from_le_bytes([b[0], b[1], b[2], b[3]])
            };
            let highest = |base: usize| {
                (0..8)
                    .rev()
                    .find_map(|i| {
                        let v = reg(base + i * 0x10);
                        (v != 0).then(|| i * 32 + 31 - v.leading_zeros() as usize)
                    })
                    .map_or("-".to_owned(), |v| format!("{v:#x}"))
            };
            out.push_str(&format!(
                " lapic(svr={:#x} tpr={:#x} lvt0={:#x} lvtt={:#x} isr={} irr={})",
                reg(0xf0),
                reg(0x80),
                reg(0x350),
                reg(0x320),
                highest(0x100),
                highest(0x200)
            ));
        }
        Err(e) => out.push_str(&format!(" lapic: {e}")),
    }
    out
}

/// Runs a vCPU until it stops by itself or `stop` is set.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run_vcpu(
    mut vcpu: VcpuFd,
    index: u8,
    bus: &PioBus,
    mem: &GuestMemoryMmap,
    stop: &AtomicBool,
    start: &Barrier,
    events: &Sender<Msg>,
    dumps: &DumpRequest,
    rearms: &RearmRequest,
) {
    KVM_RUN_PTR.with(|p| p.set(ptr::from_mut(vcpu.get_kvm_run())));
    start.wait();
    let mut unhandled = 0u32;
    let mut dumped = dumps.0.load(Ordering::Acquire);
    let mut rearmed = rearms.0.load(Ordering::Acquire);
    let reason = loop {
        if stop.load(Ordering::Acquire) {
            break None;
        }
        let asked = rearms.0.load(Ordering::Acquire);
        if asked != rearmed {
            rearmed = asked;
            // Writing the events back unchanged only sets KVM_REQ_EVENT.
            if let Ok(events) = vcpu.get_vcpu_events() {
                let _ = vcpu.set_vcpu_events(&events);
            }
        }
        let asked = dumps.0.load(Ordering::Acquire);
        if asked != dumped {
            dumped = asked;
            let _ = events.send(Msg::VcpuDump {
                vcpu: index,
                text: dump(&vcpu, mem),
            });
        }
        let step = match vcpu.run() {
            Ok(VcpuExit::IoIn(port, data)) => {
                bus.read(port, data);
                Step::Continue
            }
            Ok(VcpuExit::IoOut(port, data)) => {
                bus.write(port, data);
                Step::Continue
            }
            Ok(VcpuExit::MmioRead(_, data)) => {
                data.fill(0);
                Step::Continue
            }
            Ok(VcpuExit::MmioWrite(..)) => Step::Continue,
            Ok(VcpuExit::Hlt) => Step::Stop(VcpuStop::Halted),
            Ok(VcpuExit::Shutdown) => Step::Stop(VcpuStop::Shutdown),
            Ok(VcpuExit::FailEntry(reason, _)) => Step::Stop(VcpuStop::FailEntry(reason)),
            Ok(VcpuExit::SystemEvent(kind, _)) => Step::Stop(VcpuStop::SystemEvent(kind)),
            Ok(VcpuExit::InternalError) => Step::InternalError,
            Ok(other) => Step::Unhandled(format!("{other:?}")),
            Err(e) if e.errno() == libc::EINTR => {
                vcpu.set_kvm_immediate_exit(0);
                Step::Continue
            }
            Err(e) if e.errno() == libc::EAGAIN => Step::Continue,
            Err(e) => Step::Stop(VcpuStop::Error(format!("KVM_RUN failed: {e}"))),
        };
        match step {
            Step::Continue => unhandled = 0,
            Step::Unhandled(what) => {
                unhandled += 1;
                if unhandled >= MAX_UNHANDLED_IN_A_ROW {
                    break Some(VcpuStop::Error(format!(
                        "{unhandled} unhandled exits in a row, the last {what}"
                    )));
                }
            }
            Step::Stop(reason) => break Some(reason),
            Step::InternalError => {
                break Some(VcpuStop::InternalError(internal_error(
                    &mut vcpu, index, mem,
                )));
            }
        }
    };
    KVM_RUN_PTR.with(|p| p.set(ptr::null_mut()));
    if let Some(reason) = reason {
        let _ = events.send(Msg::VcpuEnded {
            vcpu: index,
            reason,
        });
    }
}

/// Reads the internal-error details: the suberror and data from `kvm_run`, RIP, and the
/// instruction bytes (from KVM, else from guest memory at the translated RIP).
fn internal_error(vcpu: &mut VcpuFd, index: u8, mem: &GuestMemoryMmap) -> InternalError {
    let (suberror, data) = {
        let run = vcpu.get_kvm_run();
        // Safe because the exit reason is KVM_EXIT_INTERNAL_ERROR, for which KVM fills the
        // `internal` member of the union; every bit pattern is a valid u32/u64 array.
        let internal = unsafe { run.__bindgen_anon_1.internal };
        let n = (internal.ndata as usize).min(internal.data.len());
        (internal.suberror, internal.data[..n].to_vec())
    };
    let rip = vcpu.get_regs().map(|r| r.rip).unwrap_or(0);
    let instruction =
        emulation_failure_bytes(suberror, &data).unwrap_or_else(|| instruction_at(vcpu, mem, rip));
    InternalError {
        vcpu: index,
        kind: InternalErrorKind::from_code(suberror),
        rip,
        instruction,
        data,
    }
}

/// Up to 15 bytes at `rip`, translated by KVM (or linear = physical when paging is off).
fn instruction_at(vcpu: &VcpuFd, mem: &GuestMemoryMmap, rip: u64) -> Vec<u8> {
    let Ok(sregs) = vcpu.get_sregs() else {
        return Vec::new();
    };
    let linear = if sregs.cr0 & 0x8000_0000 != 0 {
        rip
    } else {
        sregs.cs.base.wrapping_add(rip)
    };
    let phys = match vcpu.translate_gva(linear) {
        Ok(t) if t.valid != 0 => t.physical_address,
        _ if sregs.cr0 & 0x8000_0000 == 0 => linear,
        _ => return Vec::new(),
    };
    let mut buf = [0u8; 15];
    // Read as much as is backed, byte by byte near a region end.
    let mut n = 0;
    while n < buf.len() {
        if mem
            .read_slice(&mut buf[n..=n], GuestAddress(phys.wrapping_add(n as u64)))
            .is_err()
        {
            break;
        }
        n += 1;
    }
    buf[..n].to_vec()
}

/// A spawned vCPU thread.
pub(crate) struct VcpuThread {
    pub(crate) handle: JoinHandle<()>,
}

/// Spawns the thread of vCPU `index`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn spawn(
    vcpu: VcpuFd,
    index: u8,
    bus: Arc<PioBus>,
    mem: GuestMemoryMmap,
    stop: Arc<AtomicBool>,
    start: Arc<Barrier>,
    events: Sender<Msg>,
    requests: (Arc<DumpRequest>, Arc<RearmRequest>),
) -> std::io::Result<VcpuThread> {
    let handle = std::thread::Builder::new()
        .name(format!("vcpu{index}"))
        .spawn(move || {
            let (dumps, rearms) = requests;
            run_vcpu(
                vcpu, index, &bus, &mem, &stop, &start, &events, &dumps, &rearms,
            );
        })?;
    Ok(VcpuThread { handle })
}

/// Kicks every thread out of `KVM_RUN` once (it goes back in at once, after answering a
/// [`DumpRequest`] if one is pending).
pub(crate) fn kick_all(threads: &[VcpuThread]) {
    for t in threads {
        let _ = t.handle.kill(SIGRTMIN());
    }
}

/// How long to keep kicking a vCPU thread before giving up on joining it.
pub(crate) const JOIN_TIMEOUT: Duration = Duration::from_secs(2);

/// Sets `stop`, kicks every thread out of `KVM_RUN` until it ends, and joins it. Returns the
/// indices of threads that did not end within [`JOIN_TIMEOUT`] (left detached).
pub(crate) fn stop_all(threads: Vec<VcpuThread>, stop: &AtomicBool) -> Vec<usize> {
    stop.store(true, Ordering::Release);
    let deadline = Instant::now() + JOIN_TIMEOUT;
    let mut stuck = Vec::new();
    for (i, t) in threads.into_iter().enumerate() {
        while !t.handle.is_finished() && Instant::now() < deadline {
            let _ = t.handle.kill(SIGRTMIN());
            std::thread::sleep(Duration::from_millis(1));
        }
        if t.handle.is_finished() {
            let _ = t.handle.join();
        } else {
            stuck.push(i);
        }
    }
    stuck
}
