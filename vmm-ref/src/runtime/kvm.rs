//! The kvm runtime: a pod is a KVM guest, its containers are run by the guest agent.
//!
//! - **The sandbox** is one VM per pod ([`Runtime::create`] boots it and waits for the agent's
//!   hello; [`Runtime::destroy`] asks the agent to power off). The VM's PID, IPC, UTS and
//!   network namespaces are the pod's: the hostname is set from `vmmref.hostname=` on the
//!   kernel command line, and the agent brings `lo` up, so the pod's containers share
//!   `localhost`, their processes and the hostname, as with the process runtime.
//! - **The initramfs** is built in memory ([`pod_initramfs_with`]): `/init` is the agent, and
//!   the containers' roots are laid out per [`RootLayout`]: with the guest kernel's
//!   `overlay.ko` given ([`KvmConfig::modules`]), each image once under `/images/N/rootfs` and
//!   each container's root an overlay over it that the agent mounts (its own layer beside
//!   `/containers/NAME/rootfs`); otherwise each container's image root copied under
//!   `/containers/NAME/rootfs`. Either way containers of one image do not see each other's
//!   writes.
//! - **Containers** are started with [`Mounts::Container`]: the agent gives each one its own
//!   mount namespace with its root moved over `/` (`MS_MOVE` + `chroot`), `/proc` and a minimal
//!   `/dev`. The environment and the working directory are computed on the host (as for the
//!   process runtime) and sent in the [`ProcessSpec`]. Output is streamed and cut into lines
//!   here; exits are the agent's (code, or 128 + signal). A `tty: true` container gets a
//!   pseudo-terminal from the agent ([`vmm_ref_proto::Stdio::Tty`]) for its three standard
//!   streams, reported as stdout, its CR LF line ends cut like LF. A command that cannot be
//!   executed exits 127 (not found) or 126 (any other error), as shells do.
//! - **Exec handlers** of probes and hooks run with [`Mounts::Join`] (the running container's
//!   mount namespace and root); their timeout is kept here, and an exec that overruns is killed
//!   with `SIGKILL` and reported as timed out. **httpGet and tcpSocket** handlers run in the
//!   guest as `/init probe ...` (the agent binary's probe mode), so they come from the pod's
//!   network namespace and need no `wget` or `nc` in the image. **Sleep** handlers sleep here,
//!   on the host's clock, as the process runtime does.
//! - **Size**: the pod's vCPUs and memory (`Pod.resources`), plus room for the initramfs
//!   ([`guest_memory_mib`]).
//! - **A guest that dies** (kernel panic, agent failure, protocol error, any exit the host did
//!   not ask for) makes [`Runtime::wait`] return [`Error::SandboxLost`] with how it ended, the
//!   last console lines and the console log's path.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use phase::ContainerId;
use vmm_ref_proto::{
    Client, ClientEvent, ErrorKind, ErrorReply, ExitStatus, Mounts, ProcessId, ProcessSpec,
    Request, RequestId, Response, Stream as ProtoStream,
};

use super::{
    Error, ExecResult, ExecTag, Handler, HttpRule, PodPlan, Runtime, RuntimeEvent, Stream,
};
use crate::initramfs::Initramfs;
use crate::vmm::{
    ConsoleConfig, DEFAULT_CMDLINE, GuestExit, HostStop, Initramfs as InitrdSource, MemMib,
    RunningVm, VcpuCount, Vm, VmConfig, VmEvent,
};

/// Where the agent is in the guest (it is `/init`); probes run it in probe mode.
pub const GUEST_AGENT: &str = "/init";

/// The environment variable naming the agent binary.
pub const AGENT_ENV: &str = "VMM_REF_AGENT";

/// The `PATH` a container gets when neither its image nor the pod gives one.
const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// After this long without a word from the agent, the runtime sends it a heartbeat (a `Hello`
/// request), to tell a lost agent from a quiet one. Its bytes on the agent's serial port also
/// raise a new interrupt, which woke nested guests under emulated SVM that had stalled
/// halted (issue 6; root cause not found, see [`crate::vmm::stall`]), so it stays at 1 s.
const HEARTBEAT: Duration = Duration::from_secs(1);

/// A heartbeat unanswered for this long means the agent is lost.
const AGENT_SILENCE: Duration = Duration::from_secs(60);

/// When the runtime's wait loop wakes next: the earliest exec deadline, the heartbeat (due
/// [`HEARTBEAT`] after the agent was last heard; while one is outstanding, the moment its
/// silence becomes fatal, [`AGENT_SILENCE`] after it was sent), or the caller's `deadline`.
///
/// Never a heartbeat time already past while its answer is awaited: with a due time kept in the
/// past, every other `next_event` call answers `Deadline` and the loop spins; while a passed
/// deadline came before held agent bytes, it even starved the very answer the runtime waited for
/// (every pod whose agent was quiet for a second died with "the agent has not answered for 60 s").
fn wake_at(
    exec_deadlines: impl Iterator<Item = Instant>,
    last_heard: Instant,
    ping: Option<Instant>,
    deadline: Instant,
) -> Instant {
    let heartbeat = match ping {
        Some(sent) => sent + AGENT_SILENCE,
        None => last_heard + HEARTBEAT,
    };
    exec_deadlines
        .chain(std::iter::once(heartbeat))
        .fold(deadline, Instant::min)
}

/// How long a shutdown may take before the VM is stopped from the host.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// The directory of a container inside the guest: `/containers/NAME` when the name is a
/// plain file name (letters, digits, `.`, `_`, `-`), else `/containers/LIST-INDEX`.
///
/// # Examples
///
/// ```
/// # use phase::ContainerId;
/// # use vmm_ref::runtime::kvm::guest_dir;
/// assert_eq!(guest_dir(ContainerId::regular(0), "Ubuntu-1"), "/containers/Ubuntu-1");
/// assert_eq!(guest_dir(ContainerId::init(1), ".."), "/containers/init-1");
/// ```
#[must_use]
pub fn guest_dir(id: ContainerId, name: &str) -> String {
    let plain = !name.is_empty()
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if plain {
        format!("/containers/{name}")
    } else {
        format!("/containers/{:?}-{}", id.list, id.index).to_lowercase()
    }
}

/// The root filesystem of a container inside the guest: [`guest_dir`]`/rootfs`.
///
/// # Examples
///
/// ```
/// # use phase::ContainerId;
/// # use vmm_ref::runtime::kvm::guest_root;
/// assert_eq!(guest_root(ContainerId::regular(0), "app"), "/containers/app/rootfs");
/// ```
#[must_use]
pub fn guest_root(id: ContainerId, name: &str) -> String {
    format!("{}/rootfs", guest_dir(id, name))
}

/// The root filesystem of a pod's `index`-th image (in the order its containers first use
/// them) inside the guest, when containers' roots are overlays ([`RootLayout::Overlays`]).
///
/// # Examples
///
/// ```
/// # use vmm_ref::runtime::kvm::guest_image_root;
/// assert_eq!(guest_image_root(1), "/images/1/rootfs");
/// ```
#[must_use]
pub fn guest_image_root(index: usize) -> String {
    format!("/images/{index}/rootfs")
}

/// The index of a container's image among the pod's images (first use first), for
/// [`guest_image_root`]; `None` for a container without a root filesystem.
fn image_index(plan: &PodPlan, id: ContainerId) -> Option<usize> {
    let src = plan.container(id)?.rootfs.as_ref()?;
    let mut seen: Vec<&PathBuf> = Vec::new();
    for c in &plan.containers {
        if let Some(r) = &c.rootfs
            && !seen.contains(&r)
        {
            seen.push(r);
        }
    }
    seen.iter().position(|r| *r == src)
}

/// How containers' root filesystems are laid out in the pod's initramfs.
///
/// # Examples
///
/// ```
/// # use vmm_ref::runtime::kvm::RootLayout;
/// assert_eq!(RootLayout::default(), RootLayout::Copies);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum RootLayout {
    /// Each container's image root copied under [`guest_root`] (the guest kernel needs no
    /// overlayfs; containers of one image each hold the image in guest RAM).
    #[default]
    Copies,
    /// Each image once under [`guest_image_root`]; each container's root an overlay over it
    /// (the agent mounts it, [`vmm_ref_proto::ProcessSpec::lower`]), its own layer beside
    /// [`guest_root`]. The kernel modules given (`overlay.ko`, when the guest kernel has
    /// overlayfs as a module) go to `/lib/modules/vmm-ref/` and the agent loads them at boot.
    Overlays {
        /// Module file names and contents.
        modules: Vec<(String, Vec<u8>)>,
    },
}

/// The guest's memory in MiB: the pod's memory plus twice the initramfs, rounded up to whole
/// MiB (saturating).
///
/// Why: the kernel unpacks the initramfs into its root filesystem (a tmpfs in RAM) while the
/// archive itself is still in guest memory, so booting needs about twice its size; after boot
/// the archive is freed but the unpacked root filesystems stay resident (once). Adding twice
/// the archive keeps the pod's stated memory (`Pod.resources`, Hyper's 128 MiB by default)
/// free for its containers' processes at every point.
///
/// # Examples
///
/// ```
/// # use vmm_ref::runtime::kvm::guest_memory_mib;
/// assert_eq!(guest_memory_mib(128, 0), 128);
/// assert_eq!(guest_memory_mib(128, 5 << 20), 138);
/// assert_eq!(guest_memory_mib(128, (5 << 20) + 1), 140);
/// ```
#[must_use]
pub fn guest_memory_mib(pod_mib: u32, initramfs_bytes: usize) -> u32 {
    let mib = u32::try_from(initramfs_bytes.div_ceil(1 << 20)).unwrap_or(u32::MAX);
    pod_mib.saturating_add(mib.saturating_mul(2))
}

/// The kernel command line for a pod: vmm-ref's default plus the hostname for the agent.
///
/// # Examples
///
/// ```
/// # use vmm_ref::runtime::kvm::pod_cmdline;
/// assert!(pod_cmdline("web").ends_with(" vmmref.hostname=web"));
/// ```
#[must_use]
pub fn pod_cmdline(hostname: &str) -> String {
    format!("{DEFAULT_CMDLINE} vmmref.hostname={hostname}")
}

/// Builds the pod's initramfs: `/dev/console`, the agent as `/init`, and each container's root
/// filesystem under [`guest_root`] with the directories the agent mounts on (`proc`, `dev`,
/// `tmp`) present. Containers without a root filesystem (the host image) add nothing.
///
/// # Errors
///
/// [`Error::Sandbox`] when a root filesystem cannot be read or does not fit the archive.
///
/// # Examples
///
/// ```
/// # use phase::ContainerId;
/// # use vmm_ref::runtime::{ContainerPlan, PodPlan};
/// # use vmm_ref::runtime::kvm::pod_initramfs;
/// let plan = PodPlan { name: "p".into(), hostname: "p".into(),
///     containers: vec![ContainerPlan::new(ContainerId::regular(0), "a", vec!["true".into()])] };
/// let ir = pod_initramfs(&plan, b"agent".to_vec())?;
/// assert!(ir.contains("init") && !ir.contains("containers"));
/// # Ok::<(), vmm_ref::runtime::Error>(())
/// ```
pub fn pod_initramfs(plan: &PodPlan, agent: Vec<u8>) -> Result<Initramfs, Error> {
    pod_initramfs_with(plan, agent, &RootLayout::Copies)
}

/// [`pod_initramfs`] with a [`RootLayout`]: with [`RootLayout::Overlays`], each image once
/// under [`guest_image_root`] (with the mount points `proc`, `dev`, `tmp`), an empty
/// [`guest_root`] per container, and the modules under `/lib/modules/vmm-ref/`.
///
/// # Errors
///
/// As [`pod_initramfs`].
///
/// # Examples
///
/// ```
/// # use phase::ContainerId;
/// # use vmm_ref::runtime::{ContainerPlan, PodPlan};
/// # use vmm_ref::runtime::kvm::{pod_initramfs_with, RootLayout};
/// let plan = PodPlan { name: "p".into(), hostname: "p".into(),
///     containers: vec![ContainerPlan::new(ContainerId::regular(0), "a", vec!["true".into()])] };
/// let layout = RootLayout::Overlays { modules: vec![("overlay.ko".into(), b"m".to_vec())] };
/// let ir = pod_initramfs_with(&plan, b"agent".to_vec(), &layout)?;
/// assert!(ir.contains("lib/modules/vmm-ref/overlay.ko") && !ir.contains("images"));
/// # Ok::<(), vmm_ref::runtime::Error>(())
/// ```
pub fn pod_initramfs_with(
    plan: &PodPlan,
    agent: Vec<u8>,
    layout: &RootLayout,
) -> Result<Initramfs, Error> {
    let err = |e: crate::initramfs::Error| Error::Sandbox(format!("initramfs: {e}"));
    let mut ir = Initramfs::new();
    ir.console().map_err(err)?;
    ir.file(GUEST_AGENT, 0o755, agent).map_err(err)?;
    if let RootLayout::Overlays { modules } = layout {
        for (name, data) in modules {
            ir.file(&format!("lib/modules/vmm-ref/{name}"), 0o644, data.clone())
                .map_err(err)?;
        }
        for c in &plan.containers {
            let Some(src) = &c.rootfs else { continue };
            let Some(i) = image_index(plan, c.id) else {
                continue;
            };
            let image = guest_image_root(i);
            if !ir.contains(&image) {
                add_root(&mut ir, src, &image, &c.name)?;
            }
            ir.dir(&guest_root(c.id, &c.name), 0o755).map_err(err)?;
        }
        return Ok(ir);
    }
    for c in &plan.containers {
        let Some(src) = &c.rootfs else { continue };
        add_root(&mut ir, src, &guest_root(c.id, &c.name), &c.name)?;
    }
    Ok(ir)
}

/// Adds the root filesystem at `src` (the host directory of container `name`'s image) to `ir`
/// at `at`, with the `proc`, `dev` and `tmp` mount points the agent needs.
fn add_root(ir: &mut Initramfs, src: &std::path::Path, at: &str, name: &str) -> Result<(), Error> {
    let err = |e: crate::initramfs::Error| Error::Sandbox(format!("initramfs: {e}"));
    ir.host_path(src, at).map_err(|e| {
        Error::Sandbox(format!(
            "container {name}: root filesystem {}: {e}",
            src.display()
        ))
    })?;
    for (d, mode) in [("proc", 0o555), ("dev", 0o755), ("tmp", 0o1777)] {
        let p = format!("{at}/{d}");
        if !ir.contains(&p) {
            ir.dir(&p, mode).map_err(err)?;
        }
    }
    Ok(())
}

/// Where the agent binary is: `$VMM_REF_AGENT`, else `vmm-ref-agent` next to `exe`.
///
/// # Examples
///
/// ```
/// # use std::path::PathBuf;
/// # use vmm_ref::runtime::kvm::agent_path;
/// assert_eq!(agent_path(None, Some("/x/vmm-ref".into())), Some(PathBuf::from("/x/vmm-ref-agent")));
/// assert_eq!(agent_path(Some("/a".into()), None), Some(PathBuf::from("/a")));
/// ```
#[must_use]
pub fn agent_path(env: Option<PathBuf>, exe: Option<PathBuf>) -> Option<PathBuf> {
    env.or_else(|| exe.and_then(|e| e.parent().map(|d| d.join("vmm-ref-agent"))))
}

/// The exit code a shell gives for a command the agent could not start: 127 when it was not
/// found (`ENOENT`), else 126.
///
/// # Examples
///
/// ```
/// # use vmm_ref::runtime::kvm::spawn_exit_code;
/// # use vmm_ref_proto::{ErrorKind, ErrorReply};
/// assert_eq!(spawn_exit_code(&ErrorReply::new(ErrorKind::Spawn, "x").with_errno(2)), 127);
/// assert_eq!(spawn_exit_code(&ErrorReply::new(ErrorKind::Spawn, "x").with_errno(13)), 126);
/// ```
#[must_use]
pub fn spawn_exit_code(e: &ErrorReply) -> i32 {
    if e.errno == Some(libc::ENOENT) {
        127
    } else {
        126
    }
}

/// What the kvm runtime needs besides the pod plan.
///
/// # Examples
///
/// ```
/// # use vmm_ref::runtime::kvm::KvmConfig;
/// let c = KvmConfig::new("vmlinuz", "vmm-ref-agent");
/// assert_eq!((c.vcpus, c.pod_memory_mib), (1, 128));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KvmConfig {
    /// The guest kernel (ELF vmlinux or bzImage).
    pub kernel: PathBuf,
    /// The static agent binary (becomes `/init`).
    pub agent: PathBuf,
    /// The pod's vCPUs (more than one needs a guest kernel with `CONFIG_X86_MPPARSE`).
    pub vcpus: u8,
    /// The pod's memory in MiB (the guest gets more: [`guest_memory_mib`]).
    pub pod_memory_mib: u32,
    /// Where the guest console goes (default: a log file in the temporary directory).
    pub console: ConsoleConfig,
    /// How long the guest may take to boot to the agent's hello.
    pub boot_timeout: Duration,
    /// How many times to boot a pod VM whose agent stays silent until `boot_timeout` (a hung
    /// boot). A guest that fails in any other way (panic, agent error) is not booted again.
    ///
    /// A safety net, kept on purpose (default 2): nested guests under emulated SVM stall
    /// before the agent's hello when KVM holds an interrupt it does not deliver; the VMM's
    /// interrupt watchdog now re-arms delivery ([`crate::vmm::stall`], on by default), which
    /// ended the stalls in the rig, and the retry stays for anything it does not catch; a
    /// second attempt costs nothing when boots are healthy. The error of a hung attempt
    /// carries what the host saw of the guest then ([`crate::vmm::Diagnostics`]: UART
    /// registers, PIC, port I/O, vCPU threads), for the next time it happens.
    pub boot_attempts: u32,
    /// Kernel modules for the guest (`.ko` files of the guest kernel's release). When one is
    /// `overlay.ko`, containers' roots are overlays ([`RootLayout::Overlays`]): each image is
    /// in the initramfs once, and the agent loads these modules at boot. Otherwise (the
    /// default, empty) each container gets its own copy ([`RootLayout::Copies`]).
    pub modules: Vec<PathBuf>,
}

impl KvmConfig {
    /// A configuration with one vCPU and 128 MiB.
    ///
    /// # Examples
    ///
    /// ```
    /// # use vmm_ref::runtime::kvm::KvmConfig;
    /// assert_eq!(KvmConfig::new("k", "a").kernel.to_str(), Some("k"));
    /// ```
    #[must_use]
    pub fn new(kernel: impl Into<PathBuf>, agent: impl Into<PathBuf>) -> Self {
        Self {
            kernel: kernel.into(),
            agent: agent.into(),
            vcpus: 1,
            pod_memory_mib: 128,
            console: ConsoleConfig::default(),
            boot_timeout: Duration::from_secs(60),
            boot_attempts: 2,
            modules: Vec::new(),
        }
    }

    /// Whether containers' roots are overlays: an `overlay.ko` among [`KvmConfig::modules`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use vmm_ref::runtime::kvm::KvmConfig;
    /// let mut c = KvmConfig::new("k", "a");
    /// assert!(!c.overlay_roots());
    /// c.modules.push("/rig/guest/modules/overlay.ko".into());
    /// assert!(c.overlay_roots());
    /// ```
    #[must_use]
    pub fn overlay_roots(&self) -> bool {
        self.modules
            .iter()
            .any(|m| m.file_name().is_some_and(|n| n == "overlay.ko"))
    }

    /// The [`RootLayout`] this configuration gives (the modules read).
    fn layout(&self) -> Result<RootLayout, Error> {
        if !self.overlay_roots() {
            return Ok(RootLayout::Copies);
        }
        let mut modules = Vec::new();
        for m in &self.modules {
            let data = std::fs::read(m).map_err(|e| {
                Error::Sandbox(format!("cannot read the guest module {}: {e}", m.display()))
            })?;
            let name = m
                .file_name()
                .map_or_else(|| "module.ko".into(), |n| n.to_string_lossy().into_owned());
            modules.push((name, data));
        }
        Ok(RootLayout::Overlays { modules })
    }
}

/// An outstanding request and what its reply means.
#[derive(Debug, Clone, Copy)]
enum Pending {
    /// A container start.
    Start(ContainerId),
    /// An exec handler (its serial in `execs`).
    Exec(u64),
    /// A network probe run as `/init probe ...` (its serial; the HTTP rule, none for TCP).
    Net(u64, Option<HttpRule>),
    /// A signal or the shutdown: the reply carries nothing we need.
    Ignore,
    /// A heartbeat (a `Hello` request).
    Ping,
}

/// Whose a started process is.
#[derive(Debug, Clone, Copy)]
enum Owner {
    Container(ContainerId),
    Exec(u64),
}

/// An exec, probe or sleep in flight.
#[derive(Debug)]
struct ExecState {
    container: ContainerId,
    tag: ExecTag,
    deadline: Instant,
    /// For a sleep: its result when the deadline comes.
    sleep_result: Option<ExecResult>,
    process: Option<ProcessId>,
}

/// A booted pod VM and the conversation with its agent.
struct Session {
    vm: RunningVm,
    client: Client,
    console_log: PathBuf,
    keep_log: bool,
}

/// The kvm runtime (module docs).
pub struct KvmRuntime {
    config: KvmConfig,
    plan: Option<PodPlan>,
    session: Option<Session>,
    pending: HashMap<RequestId, Pending>,
    procs: HashMap<ProcessId, Owner>,
    containers: HashMap<ContainerId, ProcessId>,
    execs: HashMap<u64, ExecState>,
    next_exec: u64,
    /// Unfinished lines, by container and stream (`true`: stderr).
    partial: HashMap<(ContainerId, bool), Vec<u8>>,
    events: VecDeque<RuntimeEvent>,
    boot_times: Vec<Duration>,
    boot_retries: Vec<String>,
    /// When the agent last sent anything.
    last_heard: Instant,
    /// When the outstanding heartbeat was sent.
    ping: Option<Instant>,
}

impl std::fmt::Debug for KvmRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KvmRuntime")
            .field("config", &self.config)
            .field("booted", &self.session.is_some())
            .finish_non_exhaustive()
    }
}

fn lost(message: impl Into<String>) -> Error {
    Error::SandboxLost(message.into())
}

fn proto_stream(s: ProtoStream) -> Stream {
    match s {
        ProtoStream::Stderr => Stream::Stderr,
        _ => Stream::Stdout,
    }
}

impl KvmRuntime {
    /// A runtime that boots `config.kernel` with `config.agent` for each pod.
    ///
    /// # Examples
    ///
    /// ```
    /// # use vmm_ref::runtime::kvm::{KvmConfig, KvmRuntime};
    /// let rt = KvmRuntime::new(KvmConfig::new("vmlinuz", "vmm-ref-agent"));
    /// assert!(rt.boot_times().is_empty());
    /// ```
    #[must_use]
    pub fn new(config: KvmConfig) -> Self {
        Self {
            config,
            plan: None,
            session: None,
            pending: HashMap::new(),
            procs: HashMap::new(),
            containers: HashMap::new(),
            execs: HashMap::new(),
            next_exec: 1,
            partial: HashMap::new(),
            events: VecDeque::new(),
            boot_times: Vec::new(),
            boot_retries: Vec::new(),
            last_heard: Instant::now(),
            ping: None,
        }
    }

    /// How long each VM of this runtime took from the start of its creation (initramfs
    /// included) to the agent's hello.
    ///
    /// # Examples
    ///
    /// ```
    /// # use vmm_ref::runtime::kvm::{KvmConfig, KvmRuntime};
    /// assert!(KvmRuntime::new(KvmConfig::new("k", "a")).boot_times().is_empty());
    /// ```
    #[must_use]
    pub fn boot_times(&self) -> &[Duration] {
        &self.boot_times
    }

    /// Why a pod VM was booted again (one entry per hung boot, with its console tail).
    ///
    /// # Examples
    ///
    /// ```
    /// # use vmm_ref::runtime::kvm::{KvmConfig, KvmRuntime};
    /// assert!(KvmRuntime::new(KvmConfig::new("k", "a")).boot_retries().is_empty());
    /// ```
    #[must_use]
    pub fn boot_retries(&self) -> &[String] {
        &self.boot_retries
    }

    fn session(&mut self) -> Result<&mut Session, Error> {
        self.session
            .as_mut()
            .ok_or_else(|| Error::Sandbox("no pod VM".into()))
    }

    fn send(&mut self, request: Request, pending: Pending) -> Result<(), Error> {
        let s = self.session()?;
        let (id, bytes) = s
            .client
            .send(request)
            .map_err(|e| lost(format!("cannot encode a request for the agent: {e}")))?;
        s.vm.send_to_agent(&bytes);
        self.pending.insert(id, pending);
        Ok(())
    }

    fn container_name(&self, id: ContainerId) -> String {
        self.plan
            .as_ref()
            .and_then(|p| p.container(id))
            .map(|c| c.name.clone())
            .unwrap_or_default()
    }

    /// The last console lines and the log's path, for error messages.
    fn console_note(s: &mut Session) -> String {
        s.keep_log = true;
        let text = s.vm.console_tail();
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(10)..].join("\n  ");
        let log = s.console_log.display();
        if tail.is_empty() {
            format!("(the console was empty; log {log})")
        } else {
            format!("console log {log}; last lines:\n  {tail}")
        }
    }

    /// Boots the pod VM; the error's flag says whether the boot hung (agent silent until the
    /// boot timeout), which is worth another attempt.
    fn boot(&mut self, plan: &PodPlan) -> Result<(), (Error, bool)> {
        let started = Instant::now();
        let agent = std::fs::read(&self.config.agent).map_err(|e| {
            (
                Error::Sandbox(format!(
                    "cannot read the guest agent {}: {e}; set {AGENT_ENV} to a static vmm-ref-agent",
                    self.config.agent.display()
                )),
                false,
            )
        })?;
        let layout = self.config.layout().map_err(|e| (e, false))?;
        let archive = pod_initramfs_with(plan, agent, &layout)
            .map_err(|e| (e, false))?
            .build();
        let memory = guest_memory_mib(self.config.pod_memory_mib, archive.len());
        let vcpus = VcpuCount::new(self.config.vcpus.max(1)).unwrap_or(VcpuCount::ONE);
        let mut console = self.config.console.clone();
        let own_log = console.log.is_none();
        let console_log = console.log.get_or_insert_with(|| {
            std::env::temp_dir().join(format!(
                "vmm-ref-console-{}-{}.log",
                plan.name,
                std::process::id()
            ))
        });
        let console_log = console_log.clone();
        let config = VmConfig {
            kernel: self.config.kernel.clone(),
            initramfs: Some(InitrdSource::Bytes(archive)),
            cmdline: pod_cmdline(&plan.hostname),
            memory: MemMib::new(memory),
            vcpus,
            console,
        };
        let vm = Vm::try_from(config).map_err(|e| {
            (
                Error::Sandbox(format!("cannot build the pod VM: {e}")),
                false,
            )
        })?;
        let vm = vm.start().map_err(|e| {
            (
                Error::Sandbox(format!("cannot start the pod VM: {e}")),
                false,
            )
        })?;
        let mut s = Session {
            vm,
            client: Client::new(),
            console_log,
            keep_log: !own_log,
        };
        let deadline = Instant::now() + self.config.boot_timeout;
        let fail = |s: &mut Session, why: String| {
            Error::Sandbox(format!(
                "the pod VM did not come up ({why}); {}",
                Self::console_note(s)
            ))
        };
        loop {
            // next_event checks the deadline on every call, however busy the guest is.
            match s.vm.next_event(Some(deadline)) {
                VmEvent::AgentData(bytes) => {
                    s.client.handle_bytes(&bytes);
                    let mut ready = false;
                    while let Some(ev) = s.client.poll_event() {
                        match ev {
                            ClientEvent::Ready { .. } => ready = true,
                            ClientEvent::Fatal { message } => {
                                let _ = s.vm.stop(HostStop::Abandoned);
                                return Err((
                                    fail(&mut s, format!("the agent failed: {message}")),
                                    false,
                                ));
                            }
                            ClientEvent::ProtocolError(e) => {
                                let _ = s.vm.stop(HostStop::Abandoned);
                                return Err((fail(&mut s, protocol_problem(&e)), false));
                            }
                            _ => {}
                        }
                    }
                    if ready {
                        break;
                    }
                }
                VmEvent::DebugPort { .. } => {}
                VmEvent::Ended(exit) => return Err((fail(&mut s, exit.to_string()), false)),
                VmEvent::Deadline => {
                    let seen = s.vm.diagnostics();
                    let exit = s.vm.stop(HostStop::Timeout {
                        after: self.config.boot_timeout,
                    });
                    let why = format!("{exit}; what the host saw of the guest then:\n{seen}");
                    return Err((fail(&mut s, why), true));
                }
            }
        }
        self.boot_times.push(started.elapsed());
        self.last_heard = Instant::now();
        self.ping = None;
        self.session = Some(s);
        Ok(())
    }

    /// Handles what the agent said; an error means the pod VM is lost.
    fn on_client_event(&mut self, ev: ClientEvent) -> Result<(), Error> {
        match ev {
            ClientEvent::Reply { id, result } => {
                let Some(p) = self.pending.remove(&id) else {
                    return Ok(());
                };
                self.on_reply(p, result)
            }
            ClientEvent::Output {
                process,
                stream,
                data,
            } => {
                if let Some(Owner::Container(c)) = self.procs.get(&process).copied() {
                    self.output(c, proto_stream(stream), data.as_slice());
                }
                Ok(())
            }
            ClientEvent::Exited { process, status } => {
                match self.procs.remove(&process) {
                    Some(Owner::Container(c)) => {
                        self.flush(c);
                        if self.containers.get(&c) == Some(&process) {
                            self.containers.remove(&c);
                        }
                        self.events.push_back(RuntimeEvent::Exited {
                            container: c,
                            code: status.code(),
                        });
                    }
                    Some(Owner::Exec(serial)) => {
                        let result = if status == (ExitStatus::Exited { code: 0 }) {
                            ExecResult::Succeeded
                        } else {
                            ExecResult::Failed
                        };
                        self.exec_done(serial, result);
                    }
                    None => {}
                }
                Ok(())
            }
            ClientEvent::Fatal { message } => Err(lost(format!("the agent failed: {message}"))),
            ClientEvent::ProtocolError(e) => Err(lost(protocol_problem(&e))),
            ClientEvent::Ready { .. } => Ok(()),
            other => Err(lost(format!(
                "unexpected message from the agent: {other:?}"
            ))),
        }
    }

    fn on_reply(&mut self, p: Pending, result: Result<Response, ErrorReply>) -> Result<(), Error> {
        match (p, result) {
            (Pending::Start(c), Ok(Response::Started { process, .. })) => {
                self.procs.insert(process, Owner::Container(c));
                self.containers.insert(c, process);
                self.events
                    .push_back(RuntimeEvent::Started { container: c });
            }
            (Pending::Start(c), Err(e)) => {
                let name = self.container_name(c);
                self.events.push_back(RuntimeEvent::Output {
                    container: c,
                    stream: Stream::Stderr,
                    line: format!("vmm-ref: cannot run container {name}: {}", e.message)
                        .into_bytes(),
                });
                self.events
                    .push_back(RuntimeEvent::Started { container: c });
                self.events.push_back(RuntimeEvent::Exited {
                    container: c,
                    code: spawn_exit_code(&e),
                });
            }
            (Pending::Exec(serial), Ok(Response::Started { process, .. })) => {
                match self.execs.get_mut(&serial) {
                    Some(st) => {
                        st.process = Some(process);
                        self.procs.insert(process, Owner::Exec(serial));
                    }
                    // It timed out before it started: stop it now.
                    None => self.send(
                        Request::Signal {
                            process,
                            signal: libc::SIGKILL,
                        },
                        Pending::Ignore,
                    )?,
                }
            }
            (Pending::Exec(serial), Err(e)) => {
                let result = if e.kind == ErrorKind::Spawn {
                    ExecResult::Failed
                } else {
                    ExecResult::Error
                };
                self.exec_done(serial, result);
            }
            (
                Pending::Net(serial, rule),
                Ok(Response::Output {
                    status,
                    stdout,
                    stderr,
                }),
            ) => {
                // The agent's warnings (an HTTPS hook that fell back to HTTP) go to the user.
                if let Some(st) = self.execs.get(&serial) {
                    for w in stderr.to_string_lossy().lines() {
                        if let Some(w) = w.strip_prefix("warning: ") {
                            self.events.push_back(RuntimeEvent::Output {
                                container: st.container,
                                stream: Stream::Stderr,
                                line: format!("vmm-ref: warning: {w}").into_bytes(),
                            });
                        }
                    }
                }
                let text = stdout.to_string_lossy();
                let result = match (
                    status.is_success(),
                    rule,
                    text.trim().strip_prefix("status "),
                ) {
                    (false, _, _) => ExecResult::Failed,
                    (true, None, _) => ExecResult::Succeeded,
                    (true, Some(rule), Some(code)) => match code.parse::<u16>() {
                        Ok(code) if rule.is_success(code) => ExecResult::Succeeded,
                        Ok(_) => ExecResult::Failed,
                        Err(_) => ExecResult::Error,
                    },
                    (true, Some(_), None) => ExecResult::Error,
                };
                self.exec_done(serial, result);
            }
            (Pending::Net(serial, _), Err(_)) => self.exec_done(serial, ExecResult::Error),
            (Pending::Start(c), Ok(other)) => {
                return Err(lost(format!(
                    "unexpected reply to the start of container {}: {other:?}",
                    self.container_name(c)
                )));
            }
            (Pending::Exec(serial) | Pending::Net(serial, _), Ok(_)) => {
                self.exec_done(serial, ExecResult::Error);
            }
            (Pending::Ignore, _) => {}
            (Pending::Ping, Ok(Response::Hello { version }))
                if version != vmm_ref_proto::PROTOCOL_VERSION =>
            {
                return Err(lost(protocol_problem(
                    &vmm_ref_proto::Error::VersionMismatch {
                        agent: version,
                        host: vmm_ref_proto::PROTOCOL_VERSION,
                    },
                )));
            }
            (Pending::Ping, _) => self.ping = None,
        }
        Ok(())
    }

    /// Reports an exec's end once (a late end after a timeout is dropped).
    fn exec_done(&mut self, serial: u64, result: ExecResult) {
        if let Some(st) = self.execs.remove(&serial) {
            if let Some(p) = st.process {
                self.procs.remove(&p);
            }
            self.events.push_back(RuntimeEvent::ExecDone {
                container: st.container,
                tag: st.tag,
                result,
            });
        }
    }

    /// Ends the execs and sleeps whose time has come.
    fn fire_timers(&mut self, now: Instant) -> Result<(), Error> {
        let due: Vec<u64> = self
            .execs
            .iter()
            .filter(|(_, st)| st.deadline <= now)
            .map(|(k, _)| *k)
            .collect();
        for serial in due {
            let Some(st) = self.execs.get(&serial) else {
                continue;
            };
            let result = st.sleep_result.unwrap_or(ExecResult::TimedOut);
            let process = st.process;
            self.exec_done(serial, result);
            if let Some(process) = process {
                self.send(
                    Request::Signal {
                        process,
                        signal: libc::SIGKILL,
                    },
                    Pending::Ignore,
                )?;
            }
        }
        Ok(())
    }

    fn output(&mut self, c: ContainerId, stream: Stream, data: &[u8]) {
        let buf = self
            .partial
            .entry((c, stream == Stream::Stderr))
            .or_default();
        buf.extend_from_slice(data);
        while let Some(i) = buf.iter().position(|b| *b == b'\n') {
            let mut line: Vec<u8> = buf.drain(..=i).collect();
            line.pop();
            // A terminal ends its lines with CR LF.
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            self.events.push_back(RuntimeEvent::Output {
                container: c,
                stream,
                line,
            });
        }
    }

    fn flush(&mut self, c: ContainerId) {
        for stream in [Stream::Stdout, Stream::Stderr] {
            if let Some(rest) = self.partial.remove(&(c, stream == Stream::Stderr))
                && !rest.is_empty()
            {
                self.events.push_back(RuntimeEvent::Output {
                    container: c,
                    stream,
                    line: rest,
                });
            }
        }
    }

    fn new_exec(&mut self, container: ContainerId, tag: ExecTag, deadline: Instant) -> u64 {
        let serial = self.next_exec;
        self.next_exec += 1;
        self.execs.insert(
            serial,
            ExecState {
                container,
                tag,
                deadline,
                sleep_result: None,
                process: None,
            },
        );
        serial
    }
}

/// What the agent is asked to start for a container: its command, environment (with a
/// default `PATH`, and `TERM=xterm` for a terminal unless set) and working directory; with
/// `tty`, one pseudo-terminal for its three standard streams; with an image, its root under
/// [`guest_root`] in a mount namespace of its own.
///
/// # Examples
///
/// ```
/// # use phase::ContainerId;
/// # use vmm_ref::runtime::{ContainerPlan, kvm::container_spec};
/// let mut plan = ContainerPlan::new(ContainerId::regular(0), "app", vec!["sh".into()]);
/// plan.tty = true;
/// assert_eq!(container_spec(&plan).stdio, vmm_ref_proto::Stdio::Tty);
/// ```
#[must_use]
pub fn container_spec(plan: &super::ContainerPlan) -> ProcessSpec {
    container_spec_in(None, plan)
}

/// [`container_spec`] for a pod whose containers' roots are overlays
/// ([`RootLayout::Overlays`]) when `pod` is given: the image's root as the lower layer.
///
/// # Examples
///
/// ```
/// # use phase::ContainerId;
/// # use vmm_ref::runtime::{ContainerPlan, PodPlan, kvm::container_spec_in};
/// let mut c = ContainerPlan::new(ContainerId::regular(0), "app", vec!["sh".into()]);
/// c.rootfs = Some("/store/busybox".into());
/// let pod = PodPlan { name: "p".into(), hostname: "p".into(), containers: vec![c.clone()] };
/// assert_eq!(container_spec_in(Some(&pod), &c).lower.as_deref(), Some("/images/0/rootfs"));
/// assert_eq!(container_spec_in(None, &c).lower, None);
/// ```
#[must_use]
pub fn container_spec_in(pod: Option<&PodPlan>, plan: &super::ContainerPlan) -> ProcessSpec {
    let mut spec = ProcessSpec::new(plan.argv.iter().cloned());
    spec.env = env_list(plan.env.iter());
    spec.cwd = plan.working_dir.clone();
    if plan.tty {
        // `tty: true`: one pseudo-terminal for stdin, stdout and stderr (the agent's).
        spec = spec.tty();
        if !spec.env.iter().any(|e| e.starts_with("TERM=")) {
            spec.env.push("TERM=xterm".to_owned());
        }
    }
    if plan.rootfs.is_some() {
        spec = spec
            .root(&guest_root(plan.id, &plan.name))
            .mounts(Mounts::Container);
        if let Some(i) = pod.and_then(|p| image_index(p, plan.id)) {
            spec = spec.lower(&guest_image_root(i));
        }
    }
    spec
}

/// What to say about an agent that broke the protocol. Another protocol version (the rule is
/// equality: [`vmm_ref_proto::PROTOCOL_VERSION`]) means the agent is not the one built with
/// this vmm-ref, which the message says with where the agent comes from.
///
/// # Examples
///
/// ```
/// # use vmm_ref::runtime::kvm::protocol_problem;
/// let e = vmm_ref_proto::Error::VersionMismatch { agent: 1, host: 2 };
/// assert!(protocol_problem(&e).contains("protocol version 1, this vmm-ref speaks 2"));
/// ```
#[must_use]
pub fn protocol_problem(e: &vmm_ref_proto::Error) -> String {
    match e {
        vmm_ref_proto::Error::VersionMismatch { agent, host } => format!(
            "the guest agent speaks protocol version {agent}, this vmm-ref speaks {host}: use the vmm-ref-agent built with this vmm-ref (${AGENT_ENV}, or the one next to vmm-ref)"
        ),
        other => format!("the agent broke the protocol: {other}"),
    }
}

/// The environment of a container's process as `KEY=VALUE`, with a default `PATH`.
fn env_list<'a>(vars: impl Iterator<Item = &'a (String, String)>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut has_path = false;
    for (k, v) in vars {
        has_path |= k == "PATH";
        let entry = format!("{k}={v}");
        match out
            .iter_mut()
            .find(|e| e.split_once('=').is_some_and(|(n, _)| n == k))
        {
            Some(slot) => *slot = entry,
            None => out.push(entry),
        }
    }
    if !has_path {
        out.push(format!("PATH={DEFAULT_PATH}"));
    }
    out
}

impl Runtime for KvmRuntime {
    fn create(&mut self, plan: &PodPlan) -> Result<(), Error> {
        self.plan = Some(plan.clone());
        let mut attempt = 1;
        loop {
            match self.boot(plan) {
                Ok(()) => return Ok(()),
                Err((e, true)) if attempt < self.config.boot_attempts => {
                    self.boot_retries
                        .push(format!("boot attempt {attempt} hung: {e}"));
                    attempt += 1;
                }
                Err((e, _)) => return Err(e),
            }
        }
    }

    fn start(&mut self, container: ContainerId) -> Result<(), Error> {
        let plan = self
            .plan
            .as_ref()
            .and_then(|p| p.container(container))
            .cloned()
            .ok_or(Error::UnknownContainer(container))?;
        if plan.argv.is_empty() {
            self.on_reply(
                Pending::Start(container),
                Err(ErrorReply::new(
                    ErrorKind::Spawn,
                    "the container has no command (neither the pod file nor the image gives one)",
                )
                .with_errno(libc::ENOENT)),
            )?;
            return Ok(());
        }
        let pod = self.plan.as_ref().filter(|_| self.config.overlay_roots());
        let spec = container_spec_in(pod, &plan);
        self.send(Request::Start { spec }, Pending::Start(container))
    }

    fn kill(&mut self, container: ContainerId, signal: i32) -> Result<(), Error> {
        if let Some(process) = self.containers.get(&container).copied() {
            self.send(Request::Signal { process, signal }, Pending::Ignore)?;
        }
        Ok(())
    }

    fn exec(
        &mut self,
        container: ContainerId,
        tag: ExecTag,
        handler: Handler,
        timeout: Duration,
    ) -> Result<(), Error> {
        let now = Instant::now();
        let ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        match handler {
            Handler::Nothing => self.events.push_back(RuntimeEvent::ExecDone {
                container,
                tag,
                result: ExecResult::Succeeded,
            }),
            Handler::Sleep(d) => {
                let serial = self.new_exec(container, tag, now + d.min(timeout));
                if let Some(st) = self.execs.get_mut(&serial) {
                    st.sleep_result = Some(if d > timeout {
                        ExecResult::TimedOut
                    } else {
                        ExecResult::Succeeded
                    });
                }
            }
            Handler::Exec { argv, env } => {
                let Some(process) = self.containers.get(&container).copied() else {
                    self.events.push_back(RuntimeEvent::ExecDone {
                        container,
                        tag,
                        result: ExecResult::Error,
                    });
                    return Ok(());
                };
                if argv.is_empty() {
                    self.events.push_back(RuntimeEvent::ExecDone {
                        container,
                        tag,
                        result: ExecResult::Failed,
                    });
                    return Ok(());
                }
                let plan = self.plan.as_ref().and_then(|p| p.container(container));
                let base = plan.map(|c| c.env.clone()).unwrap_or_default();
                let isolated = plan.is_some_and(|c| c.rootfs.is_some());
                let mut spec = ProcessSpec::new(argv);
                spec.env = env_list(base.iter().chain(env.iter()));
                if isolated {
                    spec = spec.mounts(Mounts::Join { process });
                }
                let serial = self.new_exec(container, tag, now + timeout);
                self.send(Request::Start { spec }, Pending::Exec(serial))?;
            }
            Handler::HttpGet {
                tls,
                host,
                port,
                path,
                headers,
                rule,
            } => {
                let mut argv = vec![
                    GUEST_AGENT.to_owned(),
                    "probe".to_owned(),
                    // Scheme HTTPS falls back to HTTP for hooks only (the agent's probe.rs).
                    match (tls, rule) {
                        (false, _) => "http",
                        (true, HttpRule::Probe) => "https",
                        (true, HttpRule::Hook) => "https-or-http",
                    }
                    .to_owned(),
                    host,
                    port.to_string(),
                    path,
                    ms.to_string(),
                ];
                argv.extend(headers.into_iter().map(|(k, v)| format!("{k}:{v}")));
                let serial = self.new_exec(container, tag, now + timeout);
                self.send(
                    Request::Run {
                        spec: ProcessSpec::new(argv),
                    },
                    Pending::Net(serial, Some(rule)),
                )?;
            }
            Handler::TcpConnect { host, port } => {
                let argv = [
                    GUEST_AGENT.to_owned(),
                    "probe".to_owned(),
                    "tcp".to_owned(),
                    host,
                    port.to_string(),
                    ms.to_string(),
                ];
                let serial = self.new_exec(container, tag, now + timeout);
                self.send(
                    Request::Run {
                        spec: ProcessSpec::new(argv),
                    },
                    Pending::Net(serial, None),
                )?;
            }
        }
        Ok(())
    }

    fn wait(&mut self, timeout: Duration) -> Result<Option<RuntimeEvent>, Error> {
        let deadline = Instant::now() + timeout;
        loop {
            self.fire_timers(Instant::now())?;
            if let Some(ev) = self.events.pop_front() {
                return Ok(Some(ev));
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            match self.ping {
                Some(sent) if now.duration_since(sent) >= AGENT_SILENCE => {
                    let s = self.session()?;
                    let _ = s.vm.stop(HostStop::Abandoned);
                    let note = Self::console_note(s);
                    return Err(lost(format!(
                        "the agent has not answered for {} s; {note}",
                        AGENT_SILENCE.as_secs()
                    )));
                }
                None if now.duration_since(self.last_heard) >= HEARTBEAT => {
                    let version = vmm_ref_proto::PROTOCOL_VERSION;
                    self.send(Request::Hello { version }, Pending::Ping)?;
                    self.ping = Some(now);
                }
                _ => {}
            }
            let next = wake_at(
                self.execs.values().map(|e| e.deadline),
                self.last_heard,
                self.ping,
                deadline,
            );
            let s = self.session()?;
            match s.vm.next_event(Some(next)) {
                VmEvent::AgentData(bytes) => {
                    s.client.handle_bytes(&bytes);
                    let mut evs = Vec::new();
                    while let Some(ev) = s.client.poll_event() {
                        evs.push(ev);
                    }
                    self.last_heard = Instant::now();
                    for ev in evs {
                        if let Err(e) = self.on_client_event(ev) {
                            let s = self.session()?;
                            let _ = s.vm.stop(HostStop::Abandoned);
                            let note = Self::console_note(s);
                            return Err(lost(format!("{e}; {note}")));
                        }
                    }
                }
                VmEvent::DebugPort { .. } | VmEvent::Deadline => {}
                VmEvent::Ended(exit) => {
                    let note = Self::console_note(s);
                    return Err(lost(format!("the pod VM ended: {exit}; {note}")));
                }
            }
        }
    }

    fn destroy(&mut self) -> Result<(), Error> {
        if let Some(mut s) = self.session.take() {
            if let Ok((_, bytes)) = s.client.send(Request::Shutdown) {
                s.vm.send_to_agent(&bytes);
                s.vm.expect_shutdown();
            }
            let deadline = Instant::now() + SHUTDOWN_GRACE;
            let exit = loop {
                match s.vm.next_event(Some(deadline)) {
                    VmEvent::Ended(exit) => break exit,
                    VmEvent::Deadline => {
                        break s.vm.stop(HostStop::Timeout {
                            after: SHUTDOWN_GRACE,
                        });
                    }
                    _ => {}
                }
            };
            if exit != GuestExit::Shutdown {
                s.keep_log = true;
            }
            if !s.keep_log {
                let _ = std::fs::remove_file(&s.console_log);
            }
        }
        self.pending.clear();
        self.procs.clear();
        self.containers.clear();
        self.execs.clear();
        self.partial.clear();
        self.events.clear();
        Ok(())
    }
}

impl Drop for KvmRuntime {
    fn drop(&mut self) {
        let _ = self.destroy();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::ContainerPlan;
    use std::path::Path;

    fn plan_with(root: &Path) -> PodPlan {
        let mut a = ContainerPlan::new(ContainerId::init(0), "setup", vec!["true".into()]);
        a.rootfs = Some(root.to_path_buf());
        let mut b = ContainerPlan::new(ContainerId::regular(0), "app", vec!["sh".into()]);
        b.rootfs = Some(root.to_path_buf());
        let host = ContainerPlan::new(ContainerId::regular(1), "host", vec!["true".into()]);
        PodPlan {
            name: "pod".into(),
            hostname: "pod".into(),
            containers: vec![a, b, host],
        }
    }

    fn temp_rootfs(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("kvm-rt-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("bin")).unwrap();
        std::fs::write(d.join("bin/tool"), b"#!/bin/sh\n").unwrap();
        std::os::unix::fs::symlink("tool", d.join("bin/sh")).unwrap();
        d
    }

    #[test]
    fn the_initramfs_has_the_agent_as_init_and_one_root_per_container() {
        let root = temp_rootfs("layout");
        let ir = pod_initramfs(&plan_with(&root), b"AGENT".to_vec()).unwrap();
        assert!(ir.contains("init"));
        assert!(ir.contains("dev/console"));
        for c in ["setup", "app"] {
            let r = format!("containers/{c}/rootfs");
            assert!(ir.contains(&format!("{r}/bin/tool")), "{r}");
            assert!(ir.contains(&format!("{r}/bin/sh")), "{r}: symlinks kept");
            for d in ["proc", "dev", "tmp"] {
                assert!(
                    ir.contains(&format!("{r}/{d}")),
                    "{r}/{d} made for the agent"
                );
            }
        }
        assert!(
            !ir.contains("containers/host"),
            "the host image adds nothing"
        );
        let bytes = ir.build();
        let find = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        assert!(find(b"AGENT"));
        assert!(find(b"containers/app/rootfs/bin/tool\0"));
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn an_unreadable_rootfs_is_a_sandbox_error_naming_the_container() {
        let plan = plan_with(Path::new("/nonexistent/rootfs"));
        let e = pod_initramfs(&plan, Vec::new()).unwrap_err();
        assert!(e.to_string().contains("container setup"), "{e}");
    }

    #[test]
    fn guest_memory_adds_twice_the_archive_rounded_up() {
        assert_eq!(guest_memory_mib(128, 0), 128);
        assert_eq!(guest_memory_mib(128, 1), 130);
        assert_eq!(guest_memory_mib(256, 3 << 20), 262);
        assert_eq!(guest_memory_mib(u32::MAX, 1 << 20), u32::MAX);
    }

    #[test]
    fn guest_dirs_use_plain_names_only() {
        assert_eq!(
            guest_dir(ContainerId::regular(2), "web_1.a"),
            "/containers/web_1.a"
        );
        assert_eq!(
            guest_dir(ContainerId::regular(2), "a/b"),
            "/containers/regular-2"
        );
        assert_eq!(guest_dir(ContainerId::init(0), ""), "/containers/init-0");
    }

    #[test]
    fn the_environment_gets_a_path_and_later_values_win() {
        let vars = [
            ("A".to_owned(), "1".to_owned()),
            ("B".to_owned(), "x=y".to_owned()),
            ("A".to_owned(), "2".to_owned()),
        ];
        assert_eq!(
            env_list(vars.iter()),
            ["A=2", "B=x=y", &format!("PATH={DEFAULT_PATH}")]
        );
        let with_path = [("PATH".to_owned(), "/bin".to_owned())];
        assert_eq!(env_list(with_path.iter()), ["PATH=/bin"]);
    }

    #[test]
    fn the_command_line_names_the_pod_host() {
        let c = pod_cmdline("sharing-pod");
        assert!(c.starts_with(DEFAULT_CMDLINE));
        assert!(c.contains("vmmref.hostname=sharing-pod"));
    }

    /// A runtime without a VM, fed replies and events by hand (what `wait` does with the
    /// agent's messages).
    fn bare() -> KvmRuntime {
        let mut rt = KvmRuntime::new(KvmConfig::new("k", "a"));
        rt.plan = Some(plan_with(Path::new("/r")));
        rt
    }

    fn drain(rt: &mut KvmRuntime) -> Vec<RuntimeEvent> {
        rt.events.drain(..).collect()
    }

    #[test]
    fn a_start_error_is_a_start_then_exit_127_or_126_with_the_reason() {
        let mut rt = bare();
        let c = ContainerId::regular(0);
        let e =
            ErrorReply::new(ErrorKind::Spawn, "sleep 3: cannot start: No such file").with_errno(2);
        rt.on_reply(Pending::Start(c), Err(e)).unwrap();
        let evs = drain(&mut rt);
        assert!(
            matches!(&evs[0], RuntimeEvent::Output { line, .. } if String::from_utf8_lossy(line).contains("cannot run container app: sleep 3"))
        );
        assert_eq!(evs[1], RuntimeEvent::Started { container: c });
        assert_eq!(
            evs[2],
            RuntimeEvent::Exited {
                container: c,
                code: 127
            }
        );
        let e = ErrorReply::new(ErrorKind::Spawn, "x").with_errno(libc::EACCES);
        rt.on_reply(Pending::Start(c), Err(e)).unwrap();
        assert_eq!(
            drain(&mut rt)[2],
            RuntimeEvent::Exited {
                container: c,
                code: 126
            }
        );
    }

    #[test]
    fn output_is_cut_into_lines_per_stream_and_the_rest_flushed_before_the_exit() {
        let mut rt = bare();
        let c = ContainerId::regular(0);
        rt.on_reply(
            Pending::Start(c),
            Ok(Response::Started {
                process: ProcessId(1),
                pid: 50,
            }),
        )
        .unwrap();
        let out = |rt: &mut KvmRuntime, stream, data: &[u8]| {
            rt.on_client_event(ClientEvent::Output {
                process: ProcessId(1),
                stream,
                data: data.to_vec().into(),
            })
            .unwrap();
        };
        out(&mut rt, ProtoStream::Stdout, b"he");
        out(&mut rt, ProtoStream::Stderr, b"oops\n");
        out(&mut rt, ProtoStream::Stdout, b"llo\nwor");
        rt.on_client_event(ClientEvent::Exited {
            process: ProcessId(1),
            status: ExitStatus::Signaled { signal: 15 },
        })
        .unwrap();
        let evs = drain(&mut rt);
        let line = |s: Stream, l: &str| RuntimeEvent::Output {
            container: c,
            stream: s,
            line: l.as_bytes().to_vec(),
        };
        assert_eq!(
            evs,
            [
                RuntimeEvent::Started { container: c },
                line(Stream::Stderr, "oops"),
                line(Stream::Stdout, "hello"),
                line(Stream::Stdout, "wor"),
                RuntimeEvent::Exited {
                    container: c,
                    code: 143
                },
            ]
        );
        assert!(
            rt.containers.is_empty(),
            "an exited container has no process"
        );
    }

    #[test]
    fn an_exec_ends_once_by_exit_status_and_a_late_exit_after_a_timeout_is_dropped() {
        let mut rt = bare();
        let c = ContainerId::regular(0);
        let tag = ExecTag::Hook(crate::supervisor::Hook::PostStart);
        let now = Instant::now();
        let s = rt.new_exec(c, tag, now + Duration::from_secs(60));
        rt.on_reply(
            Pending::Exec(s),
            Ok(Response::Started {
                process: ProcessId(7),
                pid: 70,
            }),
        )
        .unwrap();
        rt.on_client_event(ClientEvent::Exited {
            process: ProcessId(7),
            status: ExitStatus::Exited { code: 1 },
        })
        .unwrap();
        assert_eq!(
            drain(&mut rt),
            [RuntimeEvent::ExecDone {
                container: c,
                tag,
                result: ExecResult::Failed
            }]
        );
        // A timed-out exec (no VM here, so no process to kill yet) is reported once.
        let s = rt.new_exec(c, tag, now);
        rt.fire_timers(now + Duration::from_millis(1)).unwrap();
        rt.exec_done(s, ExecResult::Succeeded);
        assert_eq!(
            drain(&mut rt),
            [RuntimeEvent::ExecDone {
                container: c,
                tag,
                result: ExecResult::TimedOut
            }]
        );
    }

    #[test]
    fn an_agent_warning_on_a_network_answer_becomes_a_stderr_line_before_the_result() {
        let mut rt = bare();
        let c = ContainerId::regular(0);
        let tag = ExecTag::Hook(crate::supervisor::Hook::PostStart);
        let s = rt.new_exec(c, tag, Instant::now() + Duration::from_secs(60));
        let reply = Response::Output {
            status: ExitStatus::Exited { code: 0 },
            stdout: b"status 200\n".to_vec().into(),
            stderr: b"warning: LifecycleHTTPFallback: x\nnoise\n"
                .to_vec()
                .into(),
        };
        rt.on_reply(Pending::Net(s, Some(HttpRule::Hook)), Ok(reply))
            .unwrap();
        let line = b"vmm-ref: warning: LifecycleHTTPFallback: x".to_vec();
        assert_eq!(
            drain(&mut rt),
            [
                RuntimeEvent::Output {
                    container: c,
                    stream: Stream::Stderr,
                    line
                },
                RuntimeEvent::ExecDone {
                    container: c,
                    tag,
                    result: ExecResult::Succeeded
                }
            ]
        );
    }

    #[test]
    fn network_probe_answers_follow_the_http_rule() {
        let mut rt = bare();
        let c = ContainerId::regular(0);
        let tag = ExecTag::Hook(crate::supervisor::Hook::PreStop);
        let far = Instant::now() + Duration::from_secs(60);
        let answer = |stdout: &str, code: i32| Response::Output {
            status: ExitStatus::Exited { code },
            stdout: stdout.as_bytes().to_vec().into(),
            stderr: Vec::new().into(),
        };
        let cases = [
            (
                Some(HttpRule::Probe),
                answer("status 200\n", 0),
                ExecResult::Succeeded,
            ),
            (
                Some(HttpRule::Probe),
                answer("status 404\n", 0),
                ExecResult::Failed,
            ),
            (
                Some(HttpRule::Hook),
                answer("status 404\n", 0),
                ExecResult::Succeeded,
            ),
            (Some(HttpRule::Hook), answer("", 1), ExecResult::Failed),
            (None, answer("connected\n", 0), ExecResult::Succeeded),
            (None, answer("", 1), ExecResult::Failed),
        ];
        for (rule, reply, want) in cases {
            let s = rt.new_exec(c, tag, far);
            rt.on_reply(Pending::Net(s, rule), Ok(reply.clone()))
                .unwrap();
            assert_eq!(
                drain(&mut rt),
                [RuntimeEvent::ExecDone {
                    container: c,
                    tag,
                    result: want
                }],
                "{rule:?} {reply:?}"
            );
        }
    }

    #[test]
    fn exec_in_a_container_that_is_not_running_is_an_error_at_once() {
        let mut rt = bare();
        let c = ContainerId::regular(0);
        let tag = ExecTag::Hook(crate::supervisor::Hook::PostStart);
        rt.exec(
            c,
            tag,
            Handler::Exec {
                argv: vec!["true".into()],
                env: vec![],
            },
            Duration::from_secs(1),
        )
        .unwrap();
        assert_eq!(
            drain(&mut rt),
            [RuntimeEvent::ExecDone {
                container: c,
                tag,
                result: ExecResult::Error
            }]
        );
    }

    #[test]
    fn a_sleep_handler_ends_on_the_host_clock_succeeding_or_timing_out() {
        let mut rt = bare();
        let c = ContainerId::regular(0);
        let tag = ExecTag::Hook(crate::supervisor::Hook::PreStop);
        rt.exec(
            c,
            tag,
            Handler::Sleep(Duration::from_millis(20)),
            Duration::from_secs(1),
        )
        .unwrap();
        rt.exec(
            c,
            tag,
            Handler::Sleep(Duration::from_secs(5)),
            Duration::from_millis(30),
        )
        .unwrap();
        assert!(rt.events.is_empty());
        rt.fire_timers(Instant::now() + Duration::from_millis(25))
            .unwrap();
        assert_eq!(
            drain(&mut rt),
            [RuntimeEvent::ExecDone {
                container: c,
                tag,
                result: ExecResult::Succeeded
            }]
        );
        rt.fire_timers(Instant::now() + Duration::from_millis(40))
            .unwrap();
        assert_eq!(
            drain(&mut rt),
            [RuntimeEvent::ExecDone {
                container: c,
                tag,
                result: ExecResult::TimedOut
            }]
        );
    }

    #[test]
    fn while_a_heartbeat_is_outstanding_the_loop_wakes_for_its_silence_not_its_past_due_time() {
        let t0 = Instant::now();
        let later = t0 + Duration::from_secs(600);
        // Quiet agent, no heartbeat yet: wake when one is due.
        assert_eq!(wake_at(std::iter::empty(), t0, None, later), t0 + HEARTBEAT);
        // Heartbeat sent at t0 + 1 s: its due time (t0 + 1 s) is past from then on and must
        // not be used again, or the loop spins on next_event's Deadline.
        let sent = t0 + HEARTBEAT;
        let wake = wake_at(std::iter::empty(), t0, Some(sent), later);
        assert_eq!(wake, sent + AGENT_SILENCE);
        // An exec deadline or the caller's deadline still come first.
        let exec = t0 + Duration::from_secs(3);
        assert_eq!(wake_at([exec].into_iter(), t0, Some(sent), later), exec);
        assert_eq!(wake_at(std::iter::empty(), t0, Some(sent), t0), t0);
    }

    #[test]
    fn a_heartbeat_answer_clears_the_outstanding_ping() {
        let mut rt = bare();
        rt.ping = Some(Instant::now());
        let version = vmm_ref_proto::PROTOCOL_VERSION;
        rt.on_reply(Pending::Ping, Ok(Response::Hello { version }))
            .unwrap();
        assert_eq!(rt.ping, None);
        assert!(rt.events.is_empty(), "a heartbeat is no runtime event");
    }

    #[test]
    fn an_agent_failure_loses_the_sandbox() {
        let mut rt = bare();
        let e = rt
            .on_client_event(ClientEvent::Fatal {
                message: "boom".into(),
            })
            .unwrap_err();
        assert!(
            matches!(e, Error::SandboxLost(ref m) if m.contains("boom")),
            "{e}"
        );
    }

    #[test]
    fn an_agent_of_another_protocol_version_is_refused_naming_both_and_the_agent() {
        // At hello (the boot ends with this message, not retried) ...
        let mut client = Client::new();
        let old = vmm_ref_proto::PROTOCOL_VERSION - 1;
        let hello = vmm_ref_proto::GuestMessage::Hello {
            version: old,
            agent: "vmm-ref-agent (old)".into(),
        };
        client.handle_bytes(&vmm_ref_proto::encode(&hello).unwrap());
        let Some(ClientEvent::ProtocolError(e)) = client.poll_event() else {
            panic!("another version must be a protocol error");
        };
        let note = protocol_problem(&e);
        assert!(
            note.contains(&format!(
                "protocol version {old}, this vmm-ref speaks {}",
                vmm_ref_proto::PROTOCOL_VERSION
            )) && note.contains(AGENT_ENV),
            "{note}"
        );
        // ... and mid-run: the pod VM is lost with the same message.
        let mut rt = bare();
        let e = rt
            .on_client_event(ClientEvent::ProtocolError(e))
            .unwrap_err();
        assert!(matches!(e, Error::SandboxLost(ref m) if *m == note), "{e}");
        // A heartbeat answered with another version is the same breach.
        let mut rt = bare();
        rt.ping = Some(Instant::now());
        let e = rt
            .on_reply(Pending::Ping, Ok(Response::Hello { version: old }))
            .unwrap_err();
        assert!(matches!(e, Error::SandboxLost(ref m) if *m == note), "{e}");
    }

    #[test]
    fn a_tty_container_is_started_on_a_terminal_with_a_term_and_its_own_root() {
        let mut plan = ContainerPlan::new(ContainerId::regular(1), "web", vec!["sh".into()]);
        plan.rootfs = Some(PathBuf::from("/store/busybox/rootfs"));
        let piped = container_spec(&plan);
        assert_eq!(piped.stdio, vmm_ref_proto::Stdio::Pipes);
        assert!(!piped.env.iter().any(|e| e.starts_with("TERM=")));
        assert_eq!(piped.mounts, Mounts::Container);
        assert_eq!(
            piped.root.as_deref(),
            Some(guest_root(plan.id, "web").as_str())
        );
        plan.tty = true;
        let tty = container_spec(&plan);
        assert_eq!(tty.stdio, vmm_ref_proto::Stdio::Tty);
        assert!(tty.env.contains(&"TERM=xterm".to_owned()), "{:?}", tty.env);
        plan.env.push(("TERM".into(), "vt100".into()));
        let own = container_spec(&plan);
        assert_eq!(own.env.iter().filter(|e| e.starts_with("TERM=")).count(), 1);
        assert!(own.env.contains(&"TERM=vt100".to_owned()));
    }

    #[test]
    fn the_overlay_layout_holds_each_image_once_an_empty_root_per_container_and_the_modules() {
        let root = temp_rootfs("overlay-layout");
        let plan = plan_with(&root);
        let layout = RootLayout::Overlays {
            modules: vec![("overlay.ko".into(), b"MOD".to_vec())],
        };
        let ir = pod_initramfs_with(&plan, b"AGENT".to_vec(), &layout).unwrap();
        assert!(ir.contains("lib/modules/vmm-ref/overlay.ko"));
        assert!(ir.contains("images/0/rootfs/bin/tool"));
        assert!(ir.contains("images/0/rootfs/tmp"));
        assert!(!ir.contains("images/1"), "one image, once");
        for c in ["setup", "app"] {
            assert!(ir.contains(&format!("containers/{c}/rootfs")));
            assert!(
                !ir.contains(&format!("containers/{c}/rootfs/bin/tool")),
                "{c}"
            );
        }
        let copies = pod_initramfs(&plan, b"AGENT".to_vec()).unwrap().build();
        let shared = ir.build();
        assert!(shared.len() < copies.len(), "the image is not repeated");
        // The containers' Start requests name the shared image as their lower layer.
        for c in &plan.containers[..2] {
            let spec = container_spec_in(Some(&plan), c);
            assert_eq!(spec.lower.as_deref(), Some("/images/0/rootfs"));
            assert_eq!(spec.mounts, Mounts::Container);
        }
        assert_eq!(
            container_spec_in(Some(&plan), &plan.containers[2]).lower,
            None
        );
        let _ = std::fs::remove_dir_all(root);
    }

    #[test]
    fn terminal_output_loses_its_carriage_returns_at_line_ends_only() {
        let mut rt = bare();
        let c = ContainerId::regular(0);
        rt.output(c, Stream::Stdout, b"tty-yes\r\na\rb\r\n");
        let evs = drain(&mut rt);
        let line = |l: &str| RuntimeEvent::Output {
            container: c,
            stream: Stream::Stdout,
            line: l.as_bytes().to_vec(),
        };
        assert_eq!(evs, [line("tty-yes"), line("a\rb")]);
    }
}
