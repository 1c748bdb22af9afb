//! The legacy devices on the port I/O bus and their host-side backends (spec/vmm.md 2):
//!
//! | ports | device | backend |
//! |---|---|---|
//! | `0x3f8..0x400` | COM1, IRQ 4 | console: log file, terminal, "Kernel panic" detection |
//! | `0x2f8..0x300` | COM2, IRQ 3 | the agent channel: bytes to and from the host side |
//! | `0x60`, `0x64` | i8042 (keyboard controller and keyboard, IRQ 1; see [`super::i8042`]) | a reset (`0xfe` to `0x64`) ends the VM |
//! | `0x61` | speaker/PIT gate | reads `0x20` (only reached without KVM's in-kernel PIT) |
//! | `0x80` | debug port | each write is timestamped and reported |
//! | anything else | - | writes ignored, reads return zeros |
//!
//! Device code never blocks a vCPU thread on host I/O: console bytes for the terminal go
//! through a bounded queue to a printer thread (dropped and counted when it is full), agent
//! bytes go into a buffer the main thread drains.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Sender, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use vm_superio::serial::{NoEvents, SerialEvents};
use vm_superio::{Serial, Trigger};

use super::i8042::{I8042, I8042Port};
use vmm_sys_util::eventfd::EventFd;

/// Messages from device backends and vCPU threads to the thread that drives the VM.
#[derive(Debug)]
pub(crate) enum Msg {
    /// The i8042 reset line was pulled.
    Reset,
    /// The agent buffer went from empty to non-empty.
    AgentData,
    /// The guest drained COM2's receive FIFO.
    AgentRxSpace,
    /// A byte was written to port 0x80.
    DebugPort { code: u8, at: Instant },
    /// A vCPU's state, asked for by a stall probe.
    VcpuDump { vcpu: u8, text: String },
    /// A vCPU thread ended on its own.
    VcpuEnded {
        vcpu: u8,
        reason: super::vcpu::VcpuStop,
    },
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it (device state stays
/// usable; a vCPU panic is reported separately).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// An interrupt line: an eventfd registered with KVM as an irqfd (each trigger is an edge),
/// counting its triggers for stall reports.
#[derive(Debug)]
pub(crate) struct IrqLine {
    fd: EventFd,
    count: AtomicU64,
}

impl IrqLine {
    pub(crate) fn new(fd: EventFd) -> Self {
        Self {
            fd,
            count: AtomicU64::new(0),
        }
    }

    /// How many times the line was triggered.
    pub(crate) fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }
}

impl Trigger for IrqLine {
    type E = io::Error;

    fn trigger(&self) -> io::Result<()> {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.fd.write(1)
    }
}

/// A trigger that sends a message to the VM thread.
#[derive(Debug)]
pub(crate) struct MsgTrigger(pub(crate) Sender<Msg>);

impl Trigger for MsgTrigger {
    type E = ();

    fn trigger(&self) -> Result<(), ()> {
        self.0.send(Msg::Reset).map_err(|_| ())
    }
}

/// How much console output is kept in memory for error reports.
const CONSOLE_TAIL: usize = 16 * 1024;
/// The console marker of a kernel panic.
const PANIC_MARKER: &[u8] = b"Kernel panic - ";

/// What the console has shown, kept for reports after the run.
#[derive(Debug, Default)]
pub(crate) struct ConsoleRecord {
    /// The last [`CONSOLE_TAIL`] bytes.
    pub(crate) tail: VecDeque<u8>,
    /// The first panic line, once complete (or as much as arrived).
    pub(crate) panic: Option<Vec<u8>>,
    /// Whether the panic line is still being received.
    panic_open: bool,
    /// Bytes dropped because the terminal could not keep up.
    pub(crate) lost_terminal_bytes: u64,
}

impl ConsoleRecord {
    fn push(&mut self, b: u8) {
        if self.tail.len() == CONSOLE_TAIL {
            self.tail.pop_front();
        }
        self.tail.push_back(b);
        if self.panic_open {
            match (b, self.panic.as_mut()) {
                (b'\n' | b'\r', _) => self.panic_open = false,
                (_, Some(line)) if line.len() < 512 => line.push(b),
                _ => {}
            }
        } else if self.panic.is_none() && self.tail.len() >= PANIC_MARKER.len() {
            let start = self.tail.len() - PANIC_MARKER.len();
            if self.tail.range(start..).eq(PANIC_MARKER.iter()) {
                self.panic = Some(Vec::new());
                self.panic_open = true;
            }
        }
    }

    /// The panic message, if the console showed one.
    pub(crate) fn panic_message(&self) -> Option<String> {
        self.panic
            .as_ref()
            .map(|l| String::from_utf8_lossy(l).trim().to_owned())
    }
}

/// The COM1 writer: log file, terminal queue, and the in-memory record.
pub(crate) struct ConsoleWriter {
    /// The log file.
    log: Option<BufWriter<File>>,
    /// Line-buffered chunks for the terminal printer thread.
    terminal: Option<(SyncSender<Vec<u8>>, Vec<u8>)>,
    /// Shared with the VM thread.
    record: Arc<Mutex<ConsoleRecord>>,
}

impl ConsoleWriter {
    pub(crate) fn new(
        log: Option<File>,
        terminal: Option<SyncSender<Vec<u8>>>,
        record: Arc<Mutex<ConsoleRecord>>,
    ) -> Self {
        Self {
            log: log.map(BufWriter::new),
            terminal: terminal.map(|t| (t, Vec::new())),
            record,
        }
    }

    fn send_terminal_line(&mut self) {
        if let Some((tx, line)) = &mut self.terminal
            && !line.is_empty()
        {
            let chunk = std::mem::take(line);
            let n = chunk.len() as u64;
            if let Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) = tx.try_send(chunk) {
                lock(&self.record).lost_terminal_bytes += n;
            }
        }
    }

    /// Writes out whatever is buffered and closes the terminal queue, which ends the printer
    /// thread (at the end of the run).
    pub(crate) fn finish(&mut self) {
        self.send_terminal_line();
        self.terminal = None;
        if let Some(log) = &mut self.log {
            let _ = log.flush();
        }
    }
}

impl Write for ConsoleWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        {
            let mut rec = lock(&self.record);
            for &b in buf {
                rec.push(b);
            }
        }
        if let Some(log) = &mut self.log {
            // A failing log file must not stop the guest; the record still has the tail.
            let _ = log.write_all(buf);
            if buf.contains(&b'\n') {
                let _ = log.flush();
            }
        }
        let mut flush_line = false;
        if let Some((_, line)) = &mut self.terminal {
            line.extend_from_slice(buf);
            flush_line = buf.contains(&b'\n') || line.len() >= 256;
        }
        if flush_line {
            self.send_terminal_line();
        }
        Ok(buf.len())
    }

    /// vm-superio flushes after every byte; we flush on line ends instead.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Most agent output kept while the host side does not read it.
pub(crate) const AGENT_BUFFER_MAX: usize = 16 << 20;

/// Agent bytes from the guest, drained by the VM thread.
#[derive(Debug, Default)]
pub(crate) struct AgentBuffer {
    pub(crate) bytes: VecDeque<u8>,
    /// Bytes dropped because the host side did not read.
    pub(crate) lost: u64,
}

/// The COM2 writer: appends to the agent buffer, and tells the VM thread when it was empty.
pub(crate) struct AgentWriter {
    pub(crate) buffer: Arc<Mutex<AgentBuffer>>,
    pub(crate) notify: Sender<Msg>,
}

impl Write for AgentWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let was_empty = {
            let mut b = lock(&self.buffer);
            let was_empty = b.bytes.is_empty();
            let room = AGENT_BUFFER_MAX.saturating_sub(b.bytes.len());
            let take = room.min(buf.len());
            b.bytes.extend(&buf[..take]);
            b.lost += (buf.len() - take) as u64;
            was_empty && take > 0
        };
        if was_empty {
            let _ = self.notify.send(Msg::AgentData);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// COM2 events: tell the VM thread when the guest emptied the receive FIFO.
pub(crate) struct AgentRxEvents(pub(crate) Sender<Msg>);

impl SerialEvents for AgentRxEvents {
    fn buffer_read(&self) {}
    fn out_byte(&self) {}
    fn tx_lost_byte(&self) {}
    fn in_buffer_empty(&self) {
        let _ = self.0.send(Msg::AgentRxSpace);
    }
}

/// How many register accesses a [`Uart`] remembers.
const UART_TRACE: usize = 48;

/// One guest access to a UART register, kept for stall reports.
#[derive(Clone, Copy, Debug)]
pub(crate) struct UartAccess {
    at: Instant,
    write: bool,
    offset: u8,
    value: u8,
    /// IER and IIR (read without side effects) right after the access.
    ier: u8,
    iir: u8,
    /// How many interrupt edges the access raised.
    raised: u64,
}

/// A vm-superio 16550A with an access trace.
pub(crate) struct Uart<EV: SerialEvents, W: Write> {
    serial: Serial<IrqLine, EV, W>,
    trace: VecDeque<UartAccess>,
    accesses: u64,
    last: Option<Instant>,
}

impl<EV: SerialEvents, W: Write> Uart<EV, W> {
    pub(crate) fn new(serial: Serial<IrqLine, EV, W>) -> Self {
        Self {
            serial,
            trace: VecDeque::with_capacity(UART_TRACE),
            accesses: 0,
            last: None,
        }
    }

    fn record(&mut self, write: bool, offset: u8, value: u8, edges_before: u64) {
        let at = Instant::now();
        let st = self.serial.state();
        if self.trace.len() == UART_TRACE {
            self.trace.pop_front();
        }
        self.trace.push_back(UartAccess {
            at,
            write,
            offset,
            value,
            ier: st.interrupt_enable,
            iir: st.interrupt_identification,
            raised: self.serial.interrupt_evt().count() - edges_before,
        });
        self.accesses += 1;
        self.last = Some(at);
    }

    /// A guest read of register `offset`.
    pub(crate) fn read(&mut self, offset: u8) -> u8 {
        let before = self.serial.interrupt_evt().count();
        let v = self.serial.read(offset);
        self.record(false, offset, v, before);
        v
    }

    /// A guest write of `value` to register `offset`.
    pub(crate) fn write(
        &mut self,
        offset: u8,
        value: u8,
    ) -> Result<(), vm_superio::serial::Error<io::Error>> {
        let before = self.serial.interrupt_evt().count();
        let r = self.serial.write(offset, value);
        self.record(true, offset, value, before);
        r
    }

    /// Room in the receive FIFO.
    pub(crate) fn fifo_capacity(&self) -> usize {
        self.serial.fifo_capacity()
    }

    /// Host bytes into the receive FIFO (raises the receive interrupt as the UART does).
    pub(crate) fn enqueue_raw_bytes(
        &mut self,
        bytes: &[u8],
    ) -> Result<usize, vm_superio::serial::Error<io::Error>> {
        self.serial.enqueue_raw_bytes(bytes)
    }

    /// The backend.
    pub(crate) fn writer_mut(&mut self) -> &mut W {
        self.serial.writer_mut()
    }

    /// Raises one more interrupt edge on the UART's line, whatever its state (a stall probe).
    pub(crate) fn pulse_irq(&self) -> io::Result<()> {
        self.serial.interrupt_evt().trigger()
    }

    /// The registers (read without side effects), counters and recent accesses.
    pub(crate) fn snapshot(&self, now: Instant) -> UartSnapshot {
        let st = self.serial.state();
        UartSnapshot {
            ier: st.interrupt_enable,
            iir: st.interrupt_identification,
            lsr: st.line_status,
            lcr: st.line_control,
            mcr: st.modem_control,
            rx_queued: st.in_buffer.len(),
            edges: self.serial.interrupt_evt().count(),
            accesses: self.accesses,
            idle: self.last.map(|l| now.saturating_duration_since(l)),
            trace: self
                .trace
                .iter()
                .map(|a| (now.saturating_duration_since(a.at), *a))
                .collect(),
        }
    }
}

/// A UART's state at one moment, for stall reports. `{}` shows the registers and counters,
/// `{:#}` also the last register accesses (time ago, read or write, register, value, IER and
/// IIR after it, and whether it raised an interrupt edge).
#[derive(Clone, Debug)]
pub struct UartSnapshot {
    ier: u8,
    iir: u8,
    lsr: u8,
    lcr: u8,
    mcr: u8,
    rx_queued: usize,
    edges: u64,
    accesses: u64,
    idle: Option<std::time::Duration>,
    trace: Vec<(std::time::Duration, UartAccess)>,
}

impl UartSnapshot {
    /// Interrupt edges raised so far.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use vmm_ref::vmm::*;
    /// let vm = Vm::try_from(VmConfig { kernel: "vmlinux".into(), ..VmConfig::default() })?.start()?;
    /// println!("{} COM2 edges", vm.diagnostics().com2.edges());
    /// # Ok::<(), vmm_ref::vmm::Error>(())
    /// ```
    #[must_use]
    pub fn edges(&self) -> u64 {
        self.edges
    }

    /// Guest register accesses so far.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use vmm_ref::vmm::*;
    /// let vm = Vm::try_from(VmConfig { kernel: "vmlinux".into(), ..VmConfig::default() })?.start()?;
    /// println!("{} COM2 accesses", vm.diagnostics().com2.accesses());
    /// # Ok::<(), vmm_ref::vmm::Error>(())
    /// ```
    #[must_use]
    pub fn accesses(&self) -> u64 {
        self.accesses
    }
}

const REG_NAMES: [&str; 8] = ["DATA", "IER", "IIR", "LCR", "MCR", "LSR", "MSR", "SCR"];

impl std::fmt::Display for UartSnapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "IER={:#04x} IIR={:#04x} LSR={:#04x} LCR={:#04x} MCR={:#04x} rx_queued={} edges={} accesses={}",
            self.ier,
            self.iir,
            self.lsr,
            self.lcr,
            self.mcr,
            self.rx_queued,
            self.edges,
            self.accesses
        )?;
        if let Some(idle) = self.idle {
            write!(f, " last access {} ms ago", idle.as_millis())?;
        }
        if !f.alternate() {
            return Ok(());
        }
        for (ago, a) in &self.trace {
            let reg = if a.offset < 2 && self.lcr & 0x80 != 0 {
                "DLAB"
            } else {
                REG_NAMES.get(usize::from(a.offset)).copied().unwrap_or("?")
            };
            write!(
                f,
                "\n      -{:>6} ms {} {reg:<4} {:#04x} -> IER={:#04x} IIR={:#04x}{}",
                ago.as_millis(),
                if a.write { "W" } else { "R" },
                a.value,
                a.ier,
                a.iir,
                if a.raised > 0 { " EDGE" } else { "" }
            )?;
        }
        Ok(())
    }
}

/// The console UART.
pub(crate) type ConsoleSerial = Uart<NoEvents, ConsoleWriter>;
/// The agent UART.
pub(crate) type AgentSerial = Uart<AgentRxEvents, AgentWriter>;

/// COM1 base port.
pub const COM1: u16 = 0x3f8;
/// COM2 base port.
pub const COM2: u16 = 0x2f8;
/// i8042 data port.
pub const I8042_DATA: u16 = 0x60;
/// i8042 command/status port.
pub const I8042_COMMAND: u16 = 0x64;
/// Port B (speaker, PIT gate 2).
pub const PORT_B: u16 = 0x61;
/// POST / debug port.
pub const DEBUG_PORT: u16 = 0x80;

/// Which device a port belongs to.
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::devices::{PortOwner, port_owner};
/// assert_eq!(port_owner(0x3fd), PortOwner::Com1(5));
/// assert_eq!(port_owner(0x2f8), PortOwner::Com2(0));
/// assert_eq!(port_owner(0x64), PortOwner::I8042(4));
/// assert_eq!(port_owner(0x3e8), PortOwner::Unclaimed);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortOwner {
    /// COM1 register at this offset.
    Com1(u8),
    /// COM2 register at this offset.
    Com2(u8),
    /// i8042 at this offset from 0x60.
    I8042(u8),
    /// Port 0x61.
    PortB,
    /// Port 0x80.
    DebugPort,
    /// No device: ignored.
    Unclaimed,
}

/// Maps a port to its device.
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::devices::{PortOwner, port_owner};
/// assert_eq!(port_owner(0x80), PortOwner::DebugPort);
/// ```
#[must_use]
pub fn port_owner(port: u16) -> PortOwner {
    match port {
        COM1..=0x3ff => PortOwner::Com1((port - COM1) as u8),
        COM2..=0x2ff => PortOwner::Com2((port - COM2) as u8),
        I8042_DATA | I8042_COMMAND => PortOwner::I8042((port - I8042_DATA) as u8),
        PORT_B => PortOwner::PortB,
        DEBUG_PORT => PortOwner::DebugPort,
        _ => PortOwner::Unclaimed,
    }
}

/// When the guest last did port I/O, and how often it did.
#[derive(Debug)]
pub(crate) struct IoActivity {
    base: Instant,
    last_ns: AtomicU64,
    count: AtomicU64,
}

impl Default for IoActivity {
    fn default() -> Self {
        Self {
            base: Instant::now(),
            last_ns: AtomicU64::new(0),
            count: AtomicU64::new(0),
        }
    }
}

impl IoActivity {
    fn note(&self) {
        let ns = u64::try_from(self.base.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.last_ns.store(ns, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    /// Port accesses so far.
    pub(crate) fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// When the last port access was (the bus's creation if none).
    pub(crate) fn last(&self) -> Instant {
        self.base + std::time::Duration::from_nanos(self.last_ns.load(Ordering::Relaxed))
    }
}

/// The port I/O bus shared by the vCPU threads.
pub(crate) struct PioBus {
    pub(crate) com1: Mutex<ConsoleSerial>,
    pub(crate) com2: Mutex<AgentSerial>,
    pub(crate) i8042: Mutex<I8042<MsgTrigger, IrqLine>>,
    pub(crate) events: Sender<Msg>,
    pub(crate) activity: IoActivity,
}

impl PioBus {
    /// A guest `in`: `data` is zero-filled first, then the device (if any) fills byte 0.
    pub(crate) fn read(&self, port: u16, data: &mut [u8]) {
        self.activity.note();
        data.fill(0);
        let Some(first) = data.first_mut() else {
            return;
        };
        *first = match port_owner(port) {
            PortOwner::Com1(off) => lock(&self.com1).read(off),
            PortOwner::Com2(off) => lock(&self.com2).read(off),
            PortOwner::I8042(off) => {
                I8042Port::from_offset(off).map_or(0, |p| lock(&self.i8042).read(p))
            }
            PortOwner::PortB => 0x20,
            PortOwner::DebugPort | PortOwner::Unclaimed => 0,
        };
    }

    /// A guest `out`: byte 0 goes to the device, if any.
    pub(crate) fn write(&self, port: u16, data: &[u8]) {
        self.activity.note();
        let Some(&value) = data.first() else {
            return;
        };
        match port_owner(port) {
            // A failed interrupt injection is not something the guest can act on; the
            // byte itself was handled.
            PortOwner::Com1(off) => drop(lock(&self.com1).write(off, value)),
            PortOwner::Com2(off) => drop(lock(&self.com2).write(off, value)),
            PortOwner::I8042(off) => {
                if let Some(p) = I8042Port::from_offset(off) {
                    let _ = lock(&self.i8042).write(p, value);
                }
            }
            PortOwner::DebugPort => {
                let _ = self.events.send(Msg::DebugPort {
                    code: value,
                    at: Instant::now(),
                });
            }
            PortOwner::PortB | PortOwner::Unclaimed => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    fn record_of(bytes: &[u8]) -> ConsoleRecord {
        let mut r = ConsoleRecord::default();
        for &b in bytes {
            r.push(b);
        }
        r
    }

    #[test]
    fn panic_line_is_captured_up_to_the_line_end() {
        let r = record_of(
            b"[    1.0] Kernel panic - not syncing: VFS: Unable to mount root fs\n[ 1.1] more\n",
        );
        assert_eq!(
            r.panic_message().as_deref(),
            Some("not syncing: VFS: Unable to mount root fs")
        );
    }

    #[test]
    fn no_panic_without_the_marker() {
        assert_eq!(
            record_of(b"Kernel command line: panic=1\n").panic_message(),
            None
        );
    }

    #[test]
    fn only_the_first_panic_is_kept() {
        let r = record_of(b"Kernel panic - first\nKernel panic - second\n");
        assert_eq!(r.panic_message().as_deref(), Some("first"));
    }

    #[test]
    fn tail_is_bounded() {
        let r = record_of(&vec![b'x'; CONSOLE_TAIL + 10]);
        assert_eq!(r.tail.len(), CONSOLE_TAIL);
    }

    #[test]
    fn terminal_overflow_drops_and_counts_instead_of_blocking() {
        let (tx, rx) = mpsc::sync_channel(1);
        let record = Arc::new(Mutex::new(ConsoleRecord::default()));
        let mut w = ConsoleWriter::new(None, Some(tx), record.clone());
        w.write_all(b"one\n").unwrap();
        w.write_all(b"two\n").unwrap(); // queue full: dropped
        assert_eq!(rx.try_recv().unwrap(), b"one\n");
        assert_eq!(lock(&record).lost_terminal_bytes, 4);
    }

    #[test]
    fn finish_sends_the_partial_line_and_closes_the_terminal_queue() {
        let (tx, rx) = mpsc::sync_channel(4);
        let record = Arc::new(Mutex::new(ConsoleRecord::default()));
        let mut w = ConsoleWriter::new(None, Some(tx), record);
        w.write_all(b"no newline").unwrap();
        w.finish();
        // The printer thread's loop ends: every sender is gone.
        assert_eq!(rx.iter().collect::<Vec<_>>(), vec![b"no newline".to_vec()]);
    }

    #[test]
    fn agent_writer_notifies_once_per_empty_to_nonempty() {
        let (tx, rx) = mpsc::channel();
        let buffer = Arc::new(Mutex::new(AgentBuffer::default()));
        let mut w = AgentWriter {
            buffer: buffer.clone(),
            notify: tx,
        };
        w.write_all(b"a").unwrap();
        w.write_all(b"b").unwrap();
        assert!(matches!(rx.try_recv(), Ok(Msg::AgentData)));
        assert!(rx.try_recv().is_err());
        assert_eq!(
            lock(&buffer).bytes.iter().copied().collect::<Vec<_>>(),
            b"ab"
        );
    }

    #[test]
    fn unclaimed_ports_read_zero_and_writes_are_ignored() {
        assert_eq!(port_owner(0x70), PortOwner::Unclaimed);
        assert_eq!(port_owner(0x3f0), PortOwner::Unclaimed);
        assert_eq!(port_owner(0x2e8), PortOwner::Unclaimed);
        assert_eq!(port_owner(0x3ff), PortOwner::Com1(7));
        assert_eq!(port_owner(0x2ff), PortOwner::Com2(7));
    }
}
