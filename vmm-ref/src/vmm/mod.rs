//! The VMM: boots a Linux kernel in a KVM guest with a console, an agent channel and the legacy
//! devices a kernel needs, and reports how the guest ended.
//!
//! Built rust-vmm style: a [`VmConfig`] (plain data) becomes a [`Vm`] (live KVM objects, guest
//! memory, devices, kernel loaded, vCPUs configured) through `TryFrom`; [`Vm::start`] spawns
//! one thread per vCPU and returns a [`RunningVm`], whose [`RunningVm::next_event`] is the
//! host's driving loop: agent bytes, debug-port writes, and finally [`GuestExit`].
//!
//! The boot pieces (memory layout and E820, zero page, PVH start info, GDT, page tables, MP
//! table, command line, CPUID/MSR/register values) are pure functions over a
//! `GuestMemoryMmap` or plain values, testable without KVM.
//!
//! # Driving loop
//!
//! ```no_run
//! use std::time::{Duration, Instant};
//! use vmm_ref::vmm::{HostStop, Vm, VmConfig, VmEvent};
//! let config = VmConfig { kernel: "vmlinux".into(), ..VmConfig::default() };
//! let mut vm = Vm::try_from(config)?.start()?;
//! let deadline = Instant::now() + Duration::from_secs(30);
//! let exit = loop {
//!     match vm.next_event(Some(deadline)) {
//!         VmEvent::AgentData(bytes) => { /* feed the protocol client; reply with vm.send_to_agent */ }
//!         VmEvent::DebugPort { code, since_process_start, .. } => println!("{code:#x} at {since_process_start:?}"),
//!         VmEvent::Ended(exit) => break exit,
//!         VmEvent::Deadline => break vm.stop(HostStop::Timeout { after: Duration::from_secs(30) }),
//!     }
//! };
//! println!("{exit}");
//! # Ok::<(), vmm_ref::vmm::Error>(())
//! ```

pub mod bootparams;
pub mod cpuid;
pub mod devices;
pub mod exit;
pub mod gdt;
pub mod guestmem;
pub mod i8042;
pub mod layout;
pub mod loader;
pub mod memstat;
pub mod mptable;
pub mod stall;
mod units;
mod vcpu;

use std::collections::VecDeque;
use std::fs::File;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, TryRecvError};
use std::sync::{Arc, Barrier, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use kvm_bindings::{
    KVM_MAX_CPUID_ENTRIES, KVM_PIT_SPEAKER_DUMMY, Msrs, kvm_pit_config, kvm_userspace_memory_region,
};
use kvm_ioctls::{Cap, Kvm, VcpuFd, VmFd};
use vm_memory::{Bytes, GuestAddress, GuestMemoryBackend, GuestMemoryMmap, GuestMemoryRegion};
use vm_superio::Serial;
use vmm_sys_util::eventfd::EventFd;

pub use exit::{GuestExit, InternalError, InternalErrorKind};
pub use stall::Diagnostics;
pub use units::{MemMib, VcpuCount};

use bootparams::{Cmdline, InitrdPlacement};
use devices::{
    AgentBuffer, AgentRxEvents, AgentWriter, ConsoleRecord, ConsoleWriter, IoActivity, IrqLine,
    Msg, MsgTrigger, PioBus, Uart, lock,
};
use i8042::I8042;
use loader::LoadedKernel;
use stall::{IrqWatchdog, Nudge, StallProbe};
use vcpu::{DumpRequest, RearmRequest, VcpuStop, VcpuThread};

/// The default kernel command line: console on COM1, reset through the keyboard controller,
/// reboot one second after a panic (so a panic ends the VM), no PCI probing, quiet boot.
pub const DEFAULT_CMDLINE: &str = "console=ttyS0 reboot=k panic=1 pci=off quiet";

/// How the kernel is entered.
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::BootProtocol;
/// assert_ne!(BootProtocol::Pvh, BootProtocol::Linux64);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BootProtocol {
    /// The Linux boot protocol's 64-bit entry: long mode, identity-mapped first GiB, zero page
    /// in RSI.
    Linux64,
    /// Xen PVH: 32-bit protected mode without paging, `hvm_start_info` in RBX.
    Pvh,
}

/// Where the initramfs comes from.
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::Initramfs;
/// let i = Initramfs::Bytes(vec![0; 4]);
/// assert!(matches!(i, Initramfs::Bytes(ref b) if b.len() == 4));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Initramfs {
    /// An archive already in memory (for example built by [`crate::initramfs`]).
    Bytes(Vec<u8>),
    /// An archive file.
    File(PathBuf),
}

/// Where the guest console (COM1) goes.
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::ConsoleConfig;
/// let c = ConsoleConfig { log: Some("console.log".into()), terminal: true };
/// assert!(c.terminal);
/// assert_eq!(ConsoleConfig::default().log, None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConsoleConfig {
    /// Append the console output to this file.
    pub log: Option<PathBuf>,
    /// Also print it on standard output (lines are dropped, not waited for, if it is slow).
    pub terminal: bool,
}

/// Everything a VM is made from, as plain data.
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::{DEFAULT_CMDLINE, MemMib, VcpuCount, VmConfig};
/// let c = VmConfig { kernel: "vmlinux".into(), ..VmConfig::default() };
/// assert_eq!(c.memory, MemMib::new(128));
/// assert_eq!(c.vcpus, VcpuCount::ONE);
/// assert_eq!(c.cmdline, DEFAULT_CMDLINE);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VmConfig {
    /// The kernel: an ELF `vmlinux` or a bzImage.
    pub kernel: PathBuf,
    /// The initramfs, if any.
    pub initramfs: Option<Initramfs>,
    /// The kernel command line.
    pub cmdline: String,
    /// Guest memory.
    pub memory: MemMib,
    /// vCPUs. More than one needs a guest kernel with `CONFIG_X86_MPPARSE` (MP table).
    pub vcpus: VcpuCount,
    /// The console.
    pub console: ConsoleConfig,
}

impl Default for VmConfig {
    fn default() -> Self {
        Self {
            kernel: PathBuf::new(),
            initramfs: None,
            cmdline: DEFAULT_CMDLINE.to_owned(),
            memory: MemMib::DEFAULT,
            vcpus: VcpuCount::ONE,
            console: ConsoleConfig::default(),
        }
    }
}

/// Everything that can go wrong building or starting a VM (how a running guest ends is a
/// [`GuestExit`], not an error).
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::Error;
/// let e = Error::Config("memory must be at least 32 MiB".into());
/// assert_eq!(e.to_string(), "invalid VM configuration: memory must be at least 32 MiB");
/// ```
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration is unusable.
    #[error("invalid VM configuration: {0}")]
    Config(String),
    /// A KVM ioctl failed.
    #[error("KVM: {what}: {source}")]
    Kvm {
        /// The operation.
        what: &'static str,
        /// The errno.
        source: kvm_ioctls::Error,
    },
    /// KVM lacks a capability we need.
    #[error("KVM lacks the capability {0}")]
    MissingCapability(&'static str),
    /// Guest memory could not be allocated.
    #[error("cannot allocate guest memory: {0}")]
    Memory(String),
    /// Writing boot structures into guest memory failed.
    #[error("cannot write guest memory: {0}")]
    GuestMemory(String),
    /// Something does not fit the memory layout.
    #[error("memory layout: {0}")]
    Layout(&'static str),
    /// The kernel command line is invalid.
    #[error("kernel command line: {0}")]
    Cmdline(String),
    /// The kernel image cannot be loaded.
    #[error("kernel: {0}")]
    Kernel(String),
    /// The initramfs cannot be loaded.
    #[error("initramfs: {0}")]
    Initramfs(String),
    /// Host I/O (files, threads, eventfds) failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        source: std::io::Error,
    },
}

fn kvm_err(what: &'static str) -> impl FnOnce(kvm_ioctls::Error) -> Error {
    move |source| Error::Kvm { what, source }
}

fn io_err(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
    let what = what.into();
    move |source| Error::Io { what, source }
}

/// The instant this process started (from `/proc/self/stat`, 10 ms resolution), fixed at the
/// first call; falls back to the first call's time.
///
/// # Examples
///
/// ```
/// let t = vmm_ref::vmm::process_start();
/// assert!(t <= std::time::Instant::now());
/// assert_eq!(t, vmm_ref::vmm::process_start());
/// ```
pub fn process_start() -> Instant {
    static START: OnceLock<Instant> = OnceLock::new();
    *START.get_or_init(|| {
        let now = Instant::now();
        process_age()
            .and_then(|age| now.checked_sub(age))
            .unwrap_or(now)
    })
}

/// How long ago this process started, from `/proc/self/stat` and `/proc/uptime`.
fn process_age() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may contain spaces) start at ") ".
    let rest = stat.rsplit_once(") ")?.1;
    let start_ticks: f64 = rest.split_whitespace().nth(19)?.parse().ok()?;
    let uptime: f64 = std::fs::read_to_string("/proc/uptime")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    // Safe because sysconf only reads a configuration value.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if hz <= 0 {
        return None;
    }
    let age = uptime - start_ticks / hz as f64;
    (age >= 0.0).then(|| Duration::from_secs_f64(age))
}

/// What the host side learns from a running VM.
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::{GuestExit, VmEvent};
/// let e = VmEvent::Ended(GuestExit::Reboot);
/// assert!(matches!(e, VmEvent::Ended(GuestExit::Reboot)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VmEvent {
    /// Bytes the guest wrote to COM2 (the agent channel).
    AgentData(Vec<u8>),
    /// The guest wrote `code` to port 0x80 (the agent writes 0x41 first thing).
    DebugPort {
        /// The byte written.
        code: u8,
        /// Time since this process started.
        since_process_start: Duration,
        /// Time since the vCPUs were released.
        since_vcpu_start: Duration,
    },
    /// The guest ended; every vCPU thread has been joined. Repeated on later calls.
    Ended(GuestExit),
    /// The deadline passed with the guest still running.
    Deadline,
}

/// Why the host stops a VM that is still running.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use vmm_ref::vmm::HostStop;
/// let s = HostStop::Timeout { after: Duration::from_secs(5) };
/// assert!(matches!(s, HostStop::Timeout { .. }));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostStop {
    /// A host-side timeout expired.
    Timeout {
        /// The timeout.
        after: Duration,
    },
    /// The host gave up on the run for another reason.
    Abandoned,
}

/// A configured VM, ready to start: guest memory filled, devices on the bus, vCPUs set up.
///
/// # Examples
///
/// ```no_run
/// use vmm_ref::vmm::{Vm, VmConfig};
/// let vm = Vm::try_from(VmConfig { kernel: "bzImage".into(), ..VmConfig::default() })?;
/// let running = vm.start()?;
/// # drop(running);
/// # Ok::<(), vmm_ref::vmm::Error>(())
/// ```
pub struct Vm {
    // Field order is drop order: vCPUs and the VM go before the memory KVM maps.
    vcpus: Vec<VcpuFd>,
    shared: Shared,
    kernel: LoadedKernel,
    initrd: Option<InitrdPlacement>,
    vm: VmFd,
    _kvm: Kvm,
    mem: GuestMemoryMmap,
    /// The mappings behind `mem` (see [`guestmem`]): dropped after it.
    ram: Option<guestmem::RamMappings>,
}

/// State the VM thread and the devices share.
struct Shared {
    bus: Arc<PioBus>,
    events: Receiver<Msg>,
    console: Arc<Mutex<ConsoleRecord>>,
    agent: Arc<Mutex<AgentBuffer>>,
    printer: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Vm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vm")
            .field("vcpus", &self.vcpus.len())
            .field("kernel", &self.kernel)
            .field("initrd", &self.initrd)
            .finish_non_exhaustive()
    }
}

impl TryFrom<VmConfig> for Vm {
    type Error = Error;

    /// Opens `/dev/kvm`, creates the VM (TSS, identity map, irqchip, PIT), allocates and
    /// registers guest memory, creates the devices, loads the kernel and initramfs, writes
    /// the boot structures, and configures every vCPU.
    fn try_from(config: VmConfig) -> Result<Self, Error> {
        if config.memory < layout::MIN_MEM {
            return Err(Error::Config(format!(
                "memory must be at least {}, got {}",
                layout::MIN_MEM,
                config.memory
            )));
        }
        let cmdline = Cmdline::new(&config.cmdline)?;
        let regions = layout::ram_regions(config.memory)
            .ok_or(Error::Layout("memory size overflows the address space"))?;

        let kvm = Kvm::new().map_err(kvm_err("open /dev/kvm"))?;
        if kvm.get_api_version() != 12 {
            return Err(Error::MissingCapability("KVM API version 12"));
        }
        for (cap, name) in [
            (Cap::Irqchip, "KVM_CAP_IRQCHIP"),
            (Cap::Irqfd, "KVM_CAP_IRQFD"),
            (Cap::UserMemory, "KVM_CAP_USER_MEMORY"),
            (Cap::SetTssAddr, "KVM_CAP_SET_TSS_ADDR"),
            (Cap::Pit2, "KVM_CAP_PIT2"),
            (Cap::ExtCpuid, "KVM_CAP_EXT_CPUID"),
        ] {
            if !kvm.check_extension(cap) {
                return Err(Error::MissingCapability(name));
            }
        }

        let ranges: Vec<(GuestAddress, usize)> = regions
            .iter()
            .map(|&(a, s)| usize::try_from(s).map(|s| (a, s)))
            .collect::<Result<_, _>>()
            .map_err(|_| Error::Layout("region larger than the host address space"))?;
        let (mem, ram) = guestmem::allocate(&ranges)?;

        let vm = kvm.create_vm().map_err(kvm_err("create VM"))?;
        vm.set_tss_address(layout::KVM_TSS_ADDRESS as usize)
            .map_err(kvm_err("set TSS address"))?;
        if kvm.check_extension(Cap::SetIdentityMapAddr) {
            vm.set_identity_map_address(layout::KVM_IDENTITY_MAP_ADDRESS)
                .map_err(kvm_err("set identity map address"))?;
        }
        vm.create_irq_chip().map_err(kvm_err("create irqchip"))?;
        vm.create_pit2(kvm_pit_config {
            flags: KVM_PIT_SPEAKER_DUMMY,
            ..Default::default()
        })
        .map_err(kvm_err("create PIT"))?;

        for (slot, region) in mem.iter().enumerate() {
            let host = region
                .get_host_address(vm_memory::MemoryRegionAddress(0))
                .map_err(|e| Error::Memory(e.to_string()))?;
            let desc = kvm_userspace_memory_region {
                slot: slot as u32,
                flags: 0,
                guest_phys_addr: region.start_addr().0,
                memory_size: region.len(),
                userspace_addr: host as u64,
            };
            // Safe because the region is a live mmap of exactly `memory_size` bytes owned by
            // `mem`, which the `Vm`/`RunningVm` keeps alive (and drops last) for as long as
            // the VM fd exists.
            unsafe { vm.set_user_memory_region(desc) }.map_err(kvm_err("register guest memory"))?;
        }

        // Devices.
        let (tx, rx) = mpsc::channel();
        let console = Arc::new(Mutex::new(ConsoleRecord::default()));
        let agent = Arc::new(Mutex::new(AgentBuffer::default()));
        let log = match &config.console.log {
            Some(p) => Some(
                File::options()
                    .create(true)
                    .append(true)
                    .open(p)
                    .map_err(io_err(format!("cannot open console log {}", p.display())))?,
            ),
            None => None,
        };
        let (terminal, printer) = if config.console.terminal {
            let (ttx, trx) = mpsc::sync_channel::<Vec<u8>>(1024);
            let handle = std::thread::Builder::new()
                .name("console".into())
                .spawn(move || {
                    let stdout = std::io::stdout();
                    for chunk in trx {
                        let mut out = stdout.lock();
                        let _ = out.write_all(&chunk);
                        let _ = out.flush();
                    }
                })
                .map_err(io_err("cannot start the console printer thread"))?;
            (Some(ttx), Some(handle))
        } else {
            (None, None)
        };
        let com1_irq = EventFd::new(libc::EFD_NONBLOCK).map_err(io_err("eventfd"))?;
        let com2_irq = EventFd::new(libc::EFD_NONBLOCK).map_err(io_err("eventfd"))?;
        vm.register_irqfd(&com1_irq, 4)
            .map_err(kvm_err("register COM1 irqfd"))?;
        vm.register_irqfd(&com2_irq, 3)
            .map_err(kvm_err("register COM2 irqfd"))?;
        let kbd_irq = EventFd::new(libc::EFD_NONBLOCK).map_err(io_err("eventfd"))?;
        vm.register_irqfd(&kbd_irq, 1)
            .map_err(kvm_err("register i8042 irqfd"))?;
        let bus = Arc::new(PioBus {
            com1: Mutex::new(Uart::new(Serial::new(
                IrqLine::new(com1_irq),
                ConsoleWriter::new(log, terminal, console.clone()),
            ))),
            com2: Mutex::new(Uart::new(Serial::with_events(
                IrqLine::new(com2_irq),
                AgentRxEvents(tx.clone()),
                AgentWriter {
                    buffer: agent.clone(),
                    notify: tx.clone(),
                },
            ))),
            i8042: Mutex::new(I8042::new(MsgTrigger(tx.clone()), IrqLine::new(kbd_irq))),
            events: tx,
            activity: IoActivity::default(),
        });

        // Kernel, initramfs, boot structures.
        let mut image = File::open(&config.kernel).map_err(io_err(format!(
            "cannot open kernel {}",
            config.kernel.display()
        )))?;
        let kernel = loader::load_kernel(&mem, &mut image)?;
        let kernel_end = kernel
            .needed_end()
            .ok_or(Error::Layout("kernel end overflows"))?;
        let low_end = regions[0].1.min(layout::MMIO_GAP_START);
        if kernel_end > low_end {
            return Err(Error::Config(format!(
                "the kernel needs the guest memory up to {} MiB while it starts, more than the {} it has; give the guest more memory",
                kernel_end.div_ceil(1 << 20),
                config.memory
            )));
        }
        let initrd = match &config.initramfs {
            None => None,
            Some(src) => Some(load_initramfs(&mem, &regions, src, kernel_end)?),
        };
        let e820 = layout::e820_map(&regions);
        bootparams::write_cmdline(&mem, &cmdline)?;
        mptable::write_mptable(&mem, config.vcpus)?;
        match kernel.protocol {
            BootProtocol::Linux64 => {
                bootparams::write_zero_page(&mem, kernel.setup_header, &cmdline, initrd, &e820)?;
                gdt::write_page_tables(&mem)?;
            }
            BootProtocol::Pvh => bootparams::write_pvh_info(&mem, initrd, &e820)?,
        }
        gdt::write_gdt(&mem, kernel.protocol)?;

        // vCPUs.
        let supported = kvm
            .get_supported_cpuid(KVM_MAX_CPUID_ENTRIES)
            .map_err(kvm_err("get supported CPUID"))?;
        let tsc_deadline = kvm.check_extension(Cap::TscDeadlineTimer);
        let count = config.vcpus.get();
        let mut vcpus = Vec::with_capacity(usize::from(count));
        for index in 0..count {
            let fd = vm
                .create_vcpu(u64::from(index))
                .map_err(kvm_err("create vCPU"))?;
            configure_vcpu(&fd, index, count, &supported, tsc_deadline, &kernel)?;
            vcpus.push(fd);
        }

        Ok(Self {
            vcpus,
            shared: Shared {
                bus,
                events: rx,
                console,
                agent,
                printer,
            },
            kernel,
            initrd,
            vm,
            _kvm: kvm,
            mem,
            ram: Some(ram),
        })
    }
}

/// Writes the initramfs at the top of low memory.
fn load_initramfs(
    mem: &GuestMemoryMmap,
    regions: &[(GuestAddress, u64)],
    src: &Initramfs,
    kernel_end: u64,
) -> Result<InitrdPlacement, Error> {
    let owned;
    let bytes: &[u8] = match src {
        Initramfs::Bytes(b) => b,
        Initramfs::File(p) => {
            owned = std::fs::read(p)
                .map_err(|e| Error::Initramfs(format!("cannot read {}: {e}", p.display())))?;
            &owned
        }
    };
    let size = bytes.len() as u64;
    let addr = layout::initrd_address(regions, size, kernel_end).ok_or_else(|| {
        Error::Initramfs(format!(
            "{size} bytes do not fit in guest memory above what the kernel needs while it starts ({} MiB); give the guest more memory",
            kernel_end.div_ceil(1 << 20)
        ))
    })?;
    mem.write_slice(bytes, addr)
        .map_err(|e| Error::GuestMemory(format!("initramfs: {e}")))?;
    Ok(InitrdPlacement { addr, size })
}

/// CPUID, MSRs, registers, FPU, special registers and LAPIC of one vCPU, in that order.
fn configure_vcpu(
    fd: &VcpuFd,
    index: u8,
    count: u8,
    supported: &kvm_bindings::CpuId,
    tsc_deadline: bool,
    kernel: &LoadedKernel,
) -> Result<(), Error> {
    let mut cpuid = supported.clone();
    cpuid::filter_cpuid(cpuid.as_mut_slice(), index, count, tsc_deadline);
    fd.set_cpuid2(&cpuid).map_err(kvm_err("set CPUID"))?;
    // See `cpuid::boot_xcr0` for why XCR0 starts with every offered component.
    if let Some(xcr0) = cpuid::boot_xcr0(cpuid.as_slice()) {
        let mut xcrs = fd.get_xcrs().map_err(kvm_err("get XCRs"))?;
        xcrs.nr_xcrs = 1;
        xcrs.xcrs[0].xcr = 0;
        xcrs.xcrs[0].value = xcr0;
        fd.set_xcrs(&xcrs).map_err(kvm_err("set XCRs"))?;
    }

    let entries = cpuid::boot_msrs();
    let msrs = Msrs::from_entries(&entries).map_err(|_| Error::MissingCapability("MSR list"))?;
    let written = fd.set_msrs(&msrs).map_err(kvm_err("set MSRs"))?;
    if written != entries.len() {
        return Err(Error::Kvm {
            what: "set MSRs (not all accepted)",
            source: kvm_ioctls::Error::new(libc::EINVAL),
        });
    }
    fd.set_regs(&cpuid::boot_regs(kernel.protocol, kernel.entry.0))
        .map_err(kvm_err("set registers"))?;
    fd.set_fpu(&cpuid::boot_fpu()).map_err(kvm_err("set FPU"))?;
    let sregs = fd.get_sregs().map_err(kvm_err("get special registers"))?;
    fd.set_sregs(&gdt::boot_sregs(sregs, kernel.protocol))
        .map_err(kvm_err("set special registers"))?;
    let mut lapic = fd.get_lapic().map_err(kvm_err("get LAPIC"))?;
    cpuid::set_lint(&mut lapic.regs);
    fd.set_lapic(&lapic).map_err(kvm_err("set LAPIC"))?;
    Ok(())
}

impl Vm {
    /// How the kernel is entered.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use vmm_ref::vmm::*;
    /// let vm = Vm::try_from(VmConfig { kernel: "vmlinux".into(), ..VmConfig::default() })?;
    /// println!("entering the kernel via {:?}", vm.boot_protocol());
    /// # Ok::<(), vmm_ref::vmm::Error>(())
    /// ```
    #[must_use]
    pub fn boot_protocol(&self) -> BootProtocol {
        self.kernel.protocol
    }

    /// The loaded kernel.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use vmm_ref::vmm::*;
    /// let vm = Vm::try_from(VmConfig { kernel: "vmlinux".into(), ..VmConfig::default() })?;
    /// println!("entry {:#x}", vm.kernel().entry.0);
    /// # Ok::<(), vmm_ref::vmm::Error>(())
    /// ```
    #[must_use]
    pub fn kernel(&self) -> &LoadedKernel {
        &self.kernel
    }

    /// Where the initramfs was placed.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use vmm_ref::vmm::*;
    /// let vm = Vm::try_from(VmConfig { kernel: "vmlinux".into(), ..VmConfig::default() })?;
    /// assert!(vm.initrd().is_none()); // no initramfs configured
    /// # Ok::<(), vmm_ref::vmm::Error>(())
    /// ```
    #[must_use]
    pub fn initrd(&self) -> Option<InitrdPlacement> {
        self.initrd
    }

    /// Spawns the vCPU threads and releases them together.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the kick signal handler or a thread cannot be set up (threads
    /// already started are stopped and joined).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use vmm_ref::vmm::*;
    /// let vm = Vm::try_from(VmConfig { kernel: "vmlinux".into(), ..VmConfig::default() })?;
    /// let mut vm = vm.start()?;
    /// let exit = vm.stop(HostStop::Abandoned);
    /// assert_eq!(exit, GuestExit::HostStopped);
    /// # Ok::<(), vmm_ref::vmm::Error>(())
    /// ```
    pub fn start(self) -> Result<RunningVm, Error> {
        vcpu::install_kick_handler().map_err(|e| Error::Io {
            what: e,
            source: std::io::Error::other("sigaction"),
        })?;
        let Self {
            vcpus,
            shared,
            kernel: _,
            initrd: _,
            vm,
            _kvm,
            mem,
            ram,
        } = self;
        let stop = Arc::new(AtomicBool::new(false));
        let dumps = Arc::new(DumpRequest::default());
        let rearms = Arc::new(RearmRequest::default());
        let barrier = Arc::new(Barrier::new(vcpus.len() + 1));
        let mut threads = Vec::with_capacity(vcpus.len());
        let events_tx = shared.bus.events.clone();
        let n = vcpus.len();
        for (i, fd) in vcpus.into_iter().enumerate() {
            match vcpu::spawn(
                fd,
                i as u8,
                shared.bus.clone(),
                mem.clone(),
                stop.clone(),
                barrier.clone(),
                events_tx.clone(),
                (dumps.clone(), rearms.clone()),
            ) {
                Ok(t) => threads.push(t),
                Err(e) => {
                    // The started threads wait on the barrier; release them into a stop.
                    stop.store(true, std::sync::atomic::Ordering::Release);
                    for _ in threads.len()..n {
                        let b = barrier.clone();
                        std::thread::spawn(move || b.wait());
                    }
                    barrier.wait();
                    vcpu::stop_all(threads, &stop);
                    return Err(Error::Io {
                        what: "cannot start a vCPU thread".into(),
                        source: e,
                    });
                }
            }
        }
        barrier.wait();
        Ok(RunningVm {
            threads,
            stop,
            shared,
            started: Instant::now(),
            to_agent: VecDeque::new(),
            expect_shutdown: false,
            ended: None,
            deadline_owed: false,
            dumps,
            rearms,
            watchdog: IrqWatchdog::from_env(Instant::now()),
            probe: StallProbe::from_env(),
            _vm: vm,
            _kvm,
            _mem: mem,
            ram,
        })
    }
}

/// A VM whose vCPUs run. Dropping it stops and joins them.
///
/// # Examples
///
/// ```no_run
/// use vmm_ref::vmm::{Vm, VmConfig};
/// let running = Vm::try_from(VmConfig { kernel: "vmlinux".into(), ..VmConfig::default() })?.start()?;
/// drop(running); // kicks every vCPU out of KVM_RUN and joins its thread
/// # Ok::<(), vmm_ref::vmm::Error>(())
/// ```
pub struct RunningVm {
    threads: Vec<VcpuThread>,
    stop: Arc<AtomicBool>,
    shared: Shared,
    started: Instant,
    to_agent: VecDeque<u8>,
    expect_shutdown: bool,
    ended: Option<GuestExit>,
    /// The last [`RunningVm::next_event`] returned an event after its deadline had passed:
    /// the next call with a passed deadline reports it first.
    deadline_owed: bool,
    dumps: Arc<DumpRequest>,
    rearms: Arc<RearmRequest>,
    /// Re-arms interrupt delivery when the PIC holds a request KVM does not deliver (on
    /// unless `VMM_REF_IRQ_WATCHDOG=0`; see [`stall::IrqWatchdog`]).
    watchdog: Option<IrqWatchdog>,
    /// `VMM_REF_STALL_PROBE` (see [`stall`]).
    probe: Option<StallProbe>,
    _vm: VmFd,
    _kvm: Kvm,
    _mem: GuestMemoryMmap,
    /// The mappings behind `_mem` (see [`guestmem`]): dropped after it, or leaked when a vCPU
    /// thread could not be joined.
    ram: Option<guestmem::RamMappings>,
}

impl std::fmt::Debug for RunningVm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningVm")
            .field("vcpus", &self.threads.len())
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

/// How often pending agent input is retried while the guest's FIFO is full.
const AGENT_RETRY: Duration = Duration::from_millis(10);

/// How many queued device messages one call of [`RunningVm::next_event`] reads, without
/// waiting, once its deadline has passed: some messages (the guest drained COM2's FIFO) carry
/// no event, and a guest that causes them endlessly must not keep the call from returning.
const QUEUED_AFTER_DEADLINE: usize = 16;

impl RunningVm {
    /// Waits for the next thing the host needs to know, until `deadline` (forever with
    /// `None`).
    ///
    /// # Delivery order
    ///
    /// What the VMM already holds is never held back behind a deadline, and a passed deadline
    /// never waits behind more than one event. Each call returns the first that applies:
    ///
    /// 1. [`VmEvent::Deadline`], when the deadline has passed, the guest is still running, and
    ///    the previous call returned [`VmEvent::AgentData`] or [`VmEvent::DebugPort`] at a
    ///    moment its own deadline had passed (the deadline that call owed);
    /// 2. [`VmEvent::AgentData`]: every agent byte received so far;
    /// 3. [`VmEvent::Ended`] once the guest has ended (its bytes delivered first, by 2). An
    ///    ended guest answers this from then on, never a deadline: the more useful answer;
    /// 4. when the deadline has passed: the first device event already queued (a debug-port
    ///    write; nothing is waited for), else [`VmEvent::Deadline`];
    /// 5. else it waits for the guest, until the deadline at the latest, and starts again at
    ///    2: the deadline is checked on every inner iteration, before each wait.
    ///
    /// So, for a caller that calls again after each event:
    /// - with a fixed deadline, of the calls made after it has passed at most one returns
    ///   something else before one returns [`VmEvent::Deadline`] (or [`VmEvent::Ended`]),
    ///   however fast the guest sends agent bytes or debug-port writes: a chatty guest cannot
    ///   starve the deadline;
    /// - with a deadline already past, handed again and again (a stale timer), the calls
    ///   alternate between what the guest produced and [`VmEvent::Deadline`]: no byte is held
    ///   back for good, and the end of the guest is still reported. Such a caller spins,
    ///   though; it should compute its deadline afresh (as the kvm runtime's wake-up time
    ///   does).
    ///
    /// Agent bytes keep their order, and none is lost across a [`VmEvent::Deadline`]: what was
    /// not delivered stays for a later call.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use vmm_ref::vmm::*;
    /// let vm = Vm::try_from(VmConfig { kernel: "vmlinux".into(), ..VmConfig::default() })?;
    /// let mut vm = vm.start()?;
    /// let soon = std::time::Instant::now() + std::time::Duration::from_secs(1);
    /// if let VmEvent::Ended(exit) = vm.next_event(Some(soon)) {
    ///     println!("{exit}");
    /// }
    /// # Ok::<(), vmm_ref::vmm::Error>(())
    /// ```
    pub fn next_event(&mut self, deadline: Option<Instant>) -> VmEvent {
        let passed = |d: Option<Instant>| d.is_some_and(|d| Instant::now() >= d);
        let owed = std::mem::take(&mut self.deadline_owed);
        if owed && self.ended.is_none() && passed(deadline) {
            return VmEvent::Deadline;
        }
        let event = self.held_or_next_event(deadline);
        self.deadline_owed =
            matches!(event, VmEvent::AgentData(_) | VmEvent::DebugPort { .. }) && passed(deadline);
        event
    }

    /// Steps 2 to 5 of [`Self::next_event`]'s delivery order (step 1 is the caller's).
    fn held_or_next_event(&mut self, deadline: Option<Instant>) -> VmEvent {
        loop {
            if let Some(bytes) = self.take_agent_bytes() {
                return VmEvent::AgentData(bytes);
            }
            if let Some(exit) = &self.ended {
                return VmEvent::Ended(exit.clone());
            }
            let now = Instant::now();
            if deadline.is_some_and(|d| now >= d) {
                match self.queued_event() {
                    Some(ev) => return ev,
                    // The guest ended: its last bytes, then the end.
                    None if self.ended.is_some() => continue,
                    None => return VmEvent::Deadline,
                }
            }
            let mut wait = deadline.map(|d| d.saturating_duration_since(now));
            if !self.to_agent.is_empty() {
                wait = Some(wait.map_or(AGENT_RETRY, |w| w.min(AGENT_RETRY)));
            }
            if let Some(w) = &mut self.watchdog {
                if w.tick(&self.shared.bus, &self._vm, now) {
                    if self.probe.is_some() {
                        eprintln!(
                            "vmm-ref: interrupt watchdog: a PIC request was left undelivered; re-arm {}",
                            w.rearms()
                        );
                    }
                    self.rearms.ask();
                    vcpu::kick_all(&self.threads);
                }
                let until = w.due().saturating_duration_since(now);
                wait = Some(wait.map_or(until, |x| x.min(until)));
            }
            if let Some(probe) = &mut self.probe {
                match probe.tick(&self.shared.bus, &self._vm, now) {
                    Some(Nudge::KickVcpus) => {
                        self.dumps.ask();
                        vcpu::kick_all(&self.threads);
                    }
                    Some(Nudge::Com2Edge) => drop(lock(&self.shared.bus.com2).pulse_irq()),
                    Some(Nudge::Com1Edge) => drop(lock(&self.shared.bus.com1).pulse_irq()),
                    None => {}
                }
                wait = Some(wait.map_or(StallProbe::PERIOD, |w| w.min(StallProbe::PERIOD)));
            }
            let msg = match wait {
                Some(w) => self.shared.events.recv_timeout(w),
                None => self
                    .shared
                    .events
                    .recv()
                    .map_err(|_| RecvTimeoutError::Disconnected),
            };
            match msg {
                Ok(msg) => {
                    if let Some(ev) = self.handle(msg) {
                        return ev;
                    }
                }
                // The deadline is checked at the top of the loop.
                Err(RecvTimeoutError::Timeout) => self.feed_agent(),
                // The bus holds a sender, so this cannot happen while we exist.
                Err(RecvTimeoutError::Disconnected) => self.finish(GuestExit::HostStopped),
            }
        }
    }

    /// The event of the first device message already queued, without waiting: at most
    /// [`QUEUED_AFTER_DEADLINE`] messages are read, and none once the guest has ended.
    fn queued_event(&mut self) -> Option<VmEvent> {
        for _ in 0..QUEUED_AFTER_DEADLINE {
            if self.ended.is_some() {
                break;
            }
            match self.shared.events.try_recv() {
                Ok(msg) => {
                    if let Some(ev) = self.handle(msg) {
                        return Some(ev);
                    }
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => self.finish(GuestExit::HostStopped),
            }
        }
        None
    }

    fn handle(&mut self, msg: Msg) -> Option<VmEvent> {
        match msg {
            Msg::AgentData => {}
            Msg::AgentRxSpace => self.feed_agent(),
            Msg::VcpuDump { vcpu, text } => eprintln!("vmm-ref: vcpu{vcpu}: {text}"),
            Msg::DebugPort { code, at } => {
                return Some(VmEvent::DebugPort {
                    code,
                    since_process_start: at.saturating_duration_since(process_start()),
                    since_vcpu_start: at.saturating_duration_since(self.started),
                });
            }
            Msg::Reset => {
                let exit = if self.expect_shutdown {
                    GuestExit::Shutdown
                } else {
                    GuestExit::Reboot
                };
                self.finish(exit);
            }
            Msg::VcpuEnded { vcpu, reason } => {
                let exit = match reason {
                    VcpuStop::Shutdown => GuestExit::TripleFault,
                    VcpuStop::Halted => GuestExit::Halted { vcpu },
                    VcpuStop::InternalError(e) => GuestExit::InternalError(e),
                    VcpuStop::FailEntry(reason) => GuestExit::FailEntry { vcpu, reason },
                    VcpuStop::SystemEvent(kind) => GuestExit::SystemEvent { kind },
                    VcpuStop::Error(error) => GuestExit::VcpuError { vcpu, error },
                };
                self.finish(exit);
            }
        }
        None
    }

    /// Stops the vCPUs (if still running), decides the final exit, flushes the console.
    fn finish(&mut self, exit: GuestExit) {
        if self.ended.is_some() {
            return;
        }
        let threads = std::mem::take(&mut self.threads);
        let stuck = vcpu::stop_all(threads, &self.stop);
        if !stuck.is_empty()
            && let Some(ram) = self.ram.take()
        {
            // A thread we could not join may still touch guest memory: keep it mapped.
            ram.leak();
        }
        let mut exit = match (&exit, lock(&self.shared.console).panic_message()) {
            (
                GuestExit::Reboot
                | GuestExit::Shutdown
                | GuestExit::TripleFault
                | GuestExit::Timeout { .. }
                | GuestExit::Halted { .. },
                Some(message),
            ) => GuestExit::KernelPanic { message },
            _ => exit,
        };
        if !stuck.is_empty() && matches!(exit, GuestExit::Shutdown) {
            exit = GuestExit::VcpuError {
                vcpu: stuck[0] as u8,
                error: "the vCPU thread did not stop".into(),
            };
        }
        lock(&self.shared.bus.com1).writer_mut().finish();
        if let Some(p) = self.shared.printer.take() {
            let _ = p.join();
        }
        self.ended = Some(exit);
    }

    fn take_agent_bytes(&mut self) -> Option<Vec<u8>> {
        let mut buf = lock(&self.shared.agent);
        if buf.bytes.is_empty() {
            None
        } else {
            Some(buf.bytes.drain(..).collect())
        }
    }

    /// Moves pending host bytes into COM2's receive FIFO, as far as it has room.
    fn feed_agent(&mut self) {
        if self.to_agent.is_empty() || self.ended.is_some() {
            return;
        }
        let mut com2 = lock(&self.shared.bus.com2);
        let room = com2.fifo_capacity().min(self.to_agent.len());
        if room == 0 {
            return;
        }
        let chunk: Vec<u8> = self.to_agent.iter().take(room).copied().collect();
        if let Ok(n) = com2.enqueue_raw_bytes(&chunk) {
            self.to_agent.drain(..n);
        }
    }

    /// What the host side can see of the guest now (UART registers and COM2's recent
    /// accesses, the in-kernel PIC and IOAPIC, port I/O activity, the vCPU threads), taken
    /// without touching the guest: for reports about a guest that went quiet.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use vmm_ref::vmm::*;
    /// let vm = Vm::try_from(VmConfig { kernel: "vmlinux".into(), ..VmConfig::default() })?;
    /// let vm = vm.start()?;
    /// eprintln!("{}", vm.diagnostics());
    /// # Ok::<(), vmm_ref::vmm::Error>(())
    /// ```
    #[must_use]
    pub fn diagnostics(&self) -> Diagnostics {
        Diagnostics::take(&self.shared.bus, &self._vm)
    }

    /// This process's memory use now, with the guest memory's resident pages counted apart
    /// (see [`memstat`]). `None` when `/proc/self` cannot be read.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use vmm_ref::vmm::*;
    /// let vm = Vm::try_from(VmConfig { kernel: "vmlinux".into(), ..VmConfig::default() })?;
    /// let vm = vm.start()?;
    /// if let Some(m) = vm.memory_usage() {
    ///     println!("VMM peak without guest pages: {} KiB", m.peak_overhead_kib());
    /// }
    /// # Ok::<(), vmm_ref::vmm::Error>(())
    /// ```
    #[must_use]
    pub fn memory_usage(&self) -> Option<memstat::MemoryUsage> {
        let guest: Vec<(u64, u64)> = self
            ._mem
            .iter()
            .filter_map(|r| {
                let host = r.get_host_address(vm_memory::MemoryRegionAddress(0)).ok()?;
                Some((host as u64, r.len()))
            })
            .collect();
        memstat::MemoryUsage::measure(&guest)
    }

    /// When the vCPUs were released into the guest.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use vmm_ref::vmm::*;
    /// let vm = Vm::try_from(VmConfig { kernel: "vmlinux".into(), ..VmConfig::default() })?;
    /// let mut vm = vm.start()?;
    /// println!("running for {:?}", vm.started_at().elapsed());
    /// # Ok::<(), vmm_ref::vmm::Error>(())
    /// ```
    #[must_use]
    pub fn started_at(&self) -> Instant {
        self.started
    }

    /// Queues bytes for the agent; they enter COM2 as the guest drains its FIFO.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use vmm_ref::vmm::*;
    /// let vm = Vm::try_from(VmConfig { kernel: "vmlinux".into(), ..VmConfig::default() })?;
    /// let mut vm = vm.start()?;
    /// vm.send_to_agent(b"bytes for the agent");
    /// # Ok::<(), vmm_ref::vmm::Error>(())
    /// ```
    pub fn send_to_agent(&mut self, bytes: &[u8]) {
        self.to_agent.extend(bytes);
        self.feed_agent();
    }

    /// Marks that the host asked the guest to power off: a reset from now on is an orderly
    /// [`GuestExit::Shutdown`] rather than a [`GuestExit::Reboot`].
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use vmm_ref::vmm::*;
    /// let vm = Vm::try_from(VmConfig { kernel: "vmlinux".into(), ..VmConfig::default() })?;
    /// let mut vm = vm.start()?;
    /// // ... after asking the agent to power off:
    /// vm.expect_shutdown();
    /// # Ok::<(), vmm_ref::vmm::Error>(())
    /// ```
    pub fn expect_shutdown(&mut self) {
        self.expect_shutdown = true;
    }

    /// Stops a VM that is still running and returns how it ended: the guest's own end if it
    /// had already come (but not yet been reported), else `why` as a [`GuestExit`].
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use vmm_ref::vmm::*;
    /// let vm = Vm::try_from(VmConfig { kernel: "vmlinux".into(), ..VmConfig::default() })?;
    /// let mut vm = vm.start()?;
    /// let exit = vm.stop(HostStop::Timeout { after: std::time::Duration::from_secs(5) });
    /// println!("{exit}");
    /// # Ok::<(), vmm_ref::vmm::Error>(())
    /// ```
    pub fn stop(&mut self, why: HostStop) -> GuestExit {
        while self.ended.is_none() {
            match self.shared.events.try_recv() {
                Ok(msg) => {
                    let _ = self.handle(msg);
                }
                Err(_) => break,
            }
        }
        let exit = match why {
            HostStop::Timeout { after } => GuestExit::Timeout { after },
            HostStop::Abandoned => GuestExit::HostStopped,
        };
        self.finish(exit);
        self.ended.clone().unwrap_or(GuestExit::HostStopped)
    }

    /// The last 16 KiB of console output.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use vmm_ref::vmm::*;
    /// let vm = Vm::try_from(VmConfig { kernel: "vmlinux".into(), ..VmConfig::default() })?;
    /// let mut vm = vm.start()?;
    /// let _ = vm.stop(HostStop::Abandoned);
    /// print!("{}", vm.console_tail());
    /// # Ok::<(), vmm_ref::vmm::Error>(())
    /// ```
    #[must_use]
    pub fn console_tail(&self) -> String {
        let rec = lock(&self.shared.console);
        let bytes: Vec<u8> = rec.tail.iter().copied().collect();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// Console bytes dropped because the terminal was too slow.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use vmm_ref::vmm::*;
    /// let vm = Vm::try_from(VmConfig { kernel: "vmlinux".into(), ..VmConfig::default() })?;
    /// let mut vm = vm.start()?;
    /// let _ = vm.stop(HostStop::Abandoned);
    /// assert_eq!(vm.lost_console_bytes(), 0); // no terminal configured
    /// # Ok::<(), vmm_ref::vmm::Error>(())
    /// ```
    #[must_use]
    pub fn lost_console_bytes(&self) -> u64 {
        lock(&self.shared.console).lost_terminal_bytes
    }
}

impl Drop for RunningVm {
    fn drop(&mut self) {
        if self.ended.is_none() {
            self.finish(GuestExit::HostStopped);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send<T: Send>() {}

    #[test]
    fn vm_handles_can_move_to_another_thread() {
        assert_send::<Vm>();
        assert_send::<RunningVm>();
        assert_send::<VmConfig>();
        assert_send::<GuestExit>();
    }

    #[test]
    fn default_config_uses_the_documented_command_line() {
        let c = VmConfig::default();
        let cmdline = Cmdline::new(&c.cmdline).unwrap();
        for key in ["console", "reboot", "panic", "pci", "quiet"] {
            assert!(cmdline.has_key(key), "{key}");
        }
    }

    #[test]
    fn process_age_is_small_and_positive() {
        let age = process_age().expect("/proc is mounted");
        assert!(age < Duration::from_secs(3600));
    }
}
