//! What travels inside a frame: requests from the host, replies and events from the agent.
//!
//! Messages are JSON objects; enums are externally tagged with `snake_case` names, so a request
//! reads `{"id":1,"request":{"run":{"spec":{"argv":["uname","-r"]}}}}`. Byte strings
//! ([`Bytes`]) travel as a JSON string when they are UTF-8 (the usual case for command output,
//! which keeps the serial channel cheap) and as an array of numbers otherwise.

use std::fmt;

use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The protocol version; the agent announces it in [`GuestMessage::Hello`], the host's
/// heartbeat [`Request::Hello`] carries it too, and each side refuses any other.
///
/// # Compatibility rule
///
/// - **Equal versions only.** The host and the agent are built from one workspace and the host
///   puts its agent into every pod's initramfs, so there is no mixed fleet to serve; a peer
///   with another version is refused at hello (the host ends the boot with a message naming
///   both versions and where its agent came from), never half understood.
/// - **Every change of what travels bumps it**, additive ones included: a new request,
///   message, variant or field. Fields are decoded leniently (serde ignores unknown fields and
///   defaults missing ones), so an older peer does not fail on a new field: it *ignores* it, and
///   whether that is harmless is a property of the field's meaning, which the decoder cannot
///   check. Equality makes the question moot.
/// - **Only the framing** (magic, header, checksum) has its own version,
///   [`FRAME_VERSION`](crate::FRAME_VERSION), checked per frame.
///
/// History: 1, the first protocol; 2, [`ProcessSpec::mounts`] (a container's own mount
/// namespace and root, or joining a running process's). Version 1 shipped without that field
/// and was not bumped when it came; an agent of version 1 would have ignored it and run every
/// container in the guest's own mounts under a plain `chroot`: no `/proc`, no private mounts,
/// no isolation between containers. 2 is where the rule above was adopted. 3,
/// [`ProcessSpec::lower`] (a container's root as an overlay over its image's).
///
/// # Examples
///
/// ```
/// assert_eq!(vmm_ref_proto::PROTOCOL_VERSION, 3);
/// ```
pub const PROTOCOL_VERSION: u32 = 3;

/// Identifies a request; the reply carries the same id. Chosen by the host, unique among the
/// requests outstanding.
///
/// # Examples
///
/// ```
/// assert_eq!(vmm_ref_proto::RequestId(7).to_string(), "7");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RequestId(pub u64);

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Identifies a process started with [`Request::Start`]. Chosen by the agent and never reused
/// within one boot (unlike guest PIDs).
///
/// # Examples
///
/// ```
/// assert_eq!(vmm_ref_proto::ProcessId(3).to_string(), "3");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ProcessId(pub u64);

impl fmt::Display for ProcessId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A byte string: a JSON string when it is UTF-8, an array of numbers otherwise.
///
/// # Examples
///
/// ```
/// use vmm_ref_proto::Bytes;
///
/// assert_eq!(serde_json::to_string(&Bytes::from(b"hi".to_vec())).unwrap(), r#""hi""#);
/// assert_eq!(serde_json::to_string(&Bytes::from(vec![0xff])).unwrap(), "[255]");
/// let back: Bytes = serde_json::from_str("[104,105]").unwrap();
/// assert_eq!(back.as_slice(), b"hi");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bytes(pub Vec<u8>);

impl Bytes {
    /// The bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(vmm_ref_proto::Bytes::from(vec![1]).as_slice(), &[1]);
    /// ```
    #[must_use]
    pub fn as_slice(&self) -> &[u8] {
        &self.0
    }

    /// The bytes as text, with invalid UTF-8 replaced.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(vmm_ref_proto::Bytes::from(b"ok".to_vec()).to_string_lossy(), "ok");
    /// ```
    #[must_use]
    pub fn to_string_lossy(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Self {
        Self(v)
    }
}

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match std::str::from_utf8(&self.0) {
            Ok(s) => serializer.serialize_str(s),
            Err(_) => self.0.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BytesVisitor;
        impl<'de> Visitor<'de> for BytesVisitor {
            type Value = Bytes;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an array of bytes")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Bytes, E> {
                Ok(Bytes(v.as_bytes().to_vec()))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Bytes, E> {
                Ok(Bytes(v.to_vec()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Bytes, A::Error> {
                // The size hint comes from the peer: bound the preallocation.
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(b) = seq.next_element::<u8>()? {
                    out.push(b);
                }
                Ok(Bytes(out))
            }
        }
        deserializer.deserialize_any(BytesVisitor)
    }
}

/// How a process ended.
///
/// # Examples
///
/// ```
/// use vmm_ref_proto::ExitStatus;
///
/// assert_eq!(ExitStatus::Exited { code: 3 }.code(), 3);
/// assert_eq!(ExitStatus::Signaled { signal: 9 }.code(), 137);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitStatus {
    /// It called `exit(code)` (code 0..=255).
    Exited {
        /// The exit code.
        code: i32,
    },
    /// A signal killed it.
    Signaled {
        /// The signal number.
        signal: i32,
    },
}

impl ExitStatus {
    /// The shell's view: the exit code, or 128 + the signal number.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(vmm_ref_proto::ExitStatus::Signaled { signal: 15 }.code(), 143);
    /// ```
    #[must_use]
    pub fn code(self) -> i32 {
        match self {
            Self::Exited { code } => code,
            Self::Signaled { signal } => 128_i32.saturating_add(signal),
        }
    }

    /// Whether it exited with code 0.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(vmm_ref_proto::ExitStatus::Exited { code: 0 }.is_success());
    /// ```
    #[must_use]
    pub fn is_success(self) -> bool {
        self == Self::Exited { code: 0 }
    }
}

impl fmt::Display for ExitStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exited { code } => write!(f, "exit code {code}"),
            Self::Signaled { signal } => write!(f, "killed by signal {signal}"),
        }
    }
}

/// What a process's standard streams are connected to.
///
/// # Examples
///
/// ```
/// assert_eq!(vmm_ref_proto::Stdio::default(), vmm_ref_proto::Stdio::Pipes);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stdio {
    /// stdin is `/dev/null`; stdout and stderr are separate pipes.
    #[default]
    Pipes,
    /// stdin, stdout and stderr are one pseudo-terminal; all output is [`Stream::Stdout`].
    Tty,
}

/// Which output stream a chunk came from.
///
/// # Examples
///
/// ```
/// assert_eq!(serde_json::to_string(&vmm_ref_proto::Stream::Stderr).unwrap(), r#""stderr""#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stream {
    /// Standard output (or the terminal).
    Stdout,
    /// Standard error.
    Stderr,
}

/// A process to run in the guest.
///
/// # Examples
///
/// ```
/// use vmm_ref_proto::ProcessSpec;
///
/// let spec = ProcessSpec::new(["sh", "-c", "echo $X"]).env("X", "1").cwd("/tmp");
/// assert_eq!(spec.argv[0], "sh");
/// assert_eq!(spec.env, ["X=1"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessSpec {
    /// The program (looked up in `PATH` when it has no `/`) and its arguments. Must not be
    /// empty.
    pub argv: Vec<String>,
    /// The environment, as `KEY=VALUE` strings. When empty, the agent's default
    /// (`PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`, `HOME=/`,
    /// `TERM=linux`) applies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
    /// The working directory (inside `root`); `/` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwd: Option<String>,
    /// A directory of the guest to `chroot` into before running; the guest's `/` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
    /// How the standard streams are connected.
    #[serde(default)]
    pub stdio: Stdio,
    /// Which mount namespace and root it runs in (default: the guest's, with `root` as a plain
    /// `chroot`). Absent from the JSON when it is the default, so older messages are unchanged.
    #[serde(default, skip_serializing_if = "Mounts::is_guest")]
    pub mounts: Mounts,
    /// With [`Mounts::Container`]: the container's root is an overlay mounted on `root` in its
    /// mount namespace, `lower` (the image's root, shared by the containers of that image and
    /// never written) below, and the directories `upper` and `work` beside `root` (made if
    /// missing) as the container's own layer, which outlives restarts of the container.
    /// Absent: `root` itself is the container's own copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lower: Option<String>,
}

/// Which mount namespace and root a process runs in.
///
/// In JSON: `"guest"`, `"container"`, or `{"join":{"process":3}}`.
///
/// # Examples
///
/// ```
/// use vmm_ref_proto::{Mounts, ProcessId};
///
/// assert_eq!(serde_json::to_string(&Mounts::Container).unwrap(), r#""container""#);
/// let j = Mounts::Join { process: ProcessId(3) };
/// assert_eq!(serde_json::to_string(&j).unwrap(), r#"{"join":{"process":3}}"#);
/// assert!(Mounts::default().is_guest());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Mounts {
    /// The agent's own mount namespace; `root`, when given, is `chroot`ed into.
    #[default]
    Guest,
    /// A container: a mount namespace of its own (private mounts) in which `root` (required,
    /// absolute) becomes `/`: it is bind-mounted onto itself, gets `/proc`, a minimal `/dev`
    /// (a tmpfs with `null`, `zero`, `full`, `random`, `urandom`, `tty`, the `fd` and std
    /// stream links, `pts` and a `shm` tmpfs), and is moved over `/` (`MS_MOVE`) and
    /// `chroot`ed into, since `pivot_root` fails on an initramfs. The PID, IPC, UTS and
    /// network namespaces stay the guest's (the pod's).
    Container,
    /// Inside the mount namespace and root of a running started process (exec in a
    /// container, as `nsenter` does: `setns` + `fchdir` + `chroot`); `root` must be absent.
    Join {
        /// The process whose mount namespace and root to enter.
        process: ProcessId,
    },
}

impl Mounts {
    /// Whether this is the default, [`Mounts::Guest`].
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!vmm_ref_proto::Mounts::Container.is_guest());
    /// ```
    #[must_use]
    pub fn is_guest(&self) -> bool {
        *self == Self::Guest
    }
}

impl ProcessSpec {
    /// A spec running `argv` with the defaults.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(vmm_ref_proto::ProcessSpec::new(["true"]).argv, ["true"]);
    /// ```
    #[must_use]
    pub fn new<I, S>(argv: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            argv: argv.into_iter().map(Into::into).collect(),
            ..Self::default()
        }
    }

    /// Adds `KEY=VALUE` to the environment.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(vmm_ref_proto::ProcessSpec::new(["env"]).env("A", "b").env, ["A=b"]);
    /// ```
    #[must_use]
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push(format!("{key}={value}"));
        self
    }

    /// Sets the working directory.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = vmm_ref_proto::ProcessSpec::new(["pwd"]).cwd("/tmp");
    /// assert_eq!(s.cwd.as_deref(), Some("/tmp"));
    /// ```
    #[must_use]
    pub fn cwd(mut self, dir: &str) -> Self {
        self.cwd = Some(dir.to_owned());
        self
    }

    /// Sets the root directory to `chroot` into.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = vmm_ref_proto::ProcessSpec::new(["ls"]).root("/containers/web");
    /// assert_eq!(s.root.as_deref(), Some("/containers/web"));
    /// ```
    #[must_use]
    pub fn root(mut self, dir: &str) -> Self {
        self.root = Some(dir.to_owned());
        self
    }

    /// Sets the mount namespace and root.
    ///
    /// # Examples
    ///
    /// ```
    /// use vmm_ref_proto::{Mounts, ProcessSpec};
    /// let s = ProcessSpec::new(["sh"]).root("/containers/app/rootfs").mounts(Mounts::Container);
    /// assert_eq!(s.mounts, Mounts::Container);
    /// ```
    #[must_use]
    pub fn mounts(mut self, mounts: Mounts) -> Self {
        self.mounts = mounts;
        self
    }

    /// Sets the image root below an overlay root ([`ProcessSpec::lower`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use vmm_ref_proto::{Mounts, ProcessSpec};
    /// let s = ProcessSpec::new(["sh"]).root("/containers/app/rootfs").mounts(Mounts::Container)
    ///     .lower("/images/0/rootfs");
    /// assert_eq!(s.lower.as_deref(), Some("/images/0/rootfs"));
    /// ```
    #[must_use]
    pub fn lower(mut self, dir: &str) -> Self {
        self.lower = Some(dir.to_owned());
        self
    }

    /// Connects the streams to a pseudo-terminal.
    ///
    /// # Examples
    ///
    /// ```
    /// use vmm_ref_proto::{ProcessSpec, Stdio};
    /// assert_eq!(ProcessSpec::new(["sh"]).tty().stdio, Stdio::Tty);
    /// ```
    #[must_use]
    pub fn tty(mut self) -> Self {
        self.stdio = Stdio::Tty;
        self
    }
}

/// A request from the host, as it travels.
///
/// # Examples
///
/// ```
/// use vmm_ref_proto::{HostMessage, Request, RequestId};
///
/// let m = HostMessage { id: RequestId(1), request: Request::Shutdown };
/// assert_eq!(serde_json::to_string(&m).unwrap(), r#"{"id":1,"request":"shutdown"}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostMessage {
    /// The id the reply will carry.
    pub id: RequestId,
    /// What to do.
    pub request: Request,
}

/// What the host asks the agent to do. Each request gets exactly one [`GuestMessage::Reply`].
///
/// # Examples
///
/// ```
/// use vmm_ref_proto::{ProcessSpec, Request};
///
/// let r = Request::Run { spec: ProcessSpec::new(["uname", "-r"]) };
/// assert!(serde_json::to_string(&r).unwrap().starts_with(r#"{"run":"#));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Request {
    /// Check that both sides speak the same version. Reply: [`Response::Hello`].
    Hello {
        /// The host's protocol version.
        version: u32,
    },
    /// Run a process to completion and collect its output (stdin is `/dev/null`; each stream
    /// is cut at the agent's output limit, which keeps the reply under the frame maximum).
    /// Reply: [`Response::Output`].
    Run {
        /// The process.
        spec: ProcessSpec,
    },
    /// Start a process; its output comes as [`GuestMessage::Output`] events and its end as one
    /// [`GuestMessage::Exited`]. Reply: [`Response::Started`].
    Start {
        /// The process.
        spec: ProcessSpec,
    },
    /// Send a signal to a started process. Reply: [`Response::Done`], or an error with
    /// [`ErrorKind::NoSuchProcess`].
    Signal {
        /// The process.
        process: ProcessId,
        /// The signal number (e.g. 15 for `SIGTERM`).
        signal: i32,
    },
    /// Wait for a started process to exit. Reply, when it has: [`Response::Exited`] (at once if
    /// it already has).
    Wait {
        /// The process.
        process: ProcessId,
    },
    /// Power the guest off. Reply: [`Response::Done`], then the guest resets (with `reboot=k`
    /// on its command line, through the i8042 controller) and the VMM exits.
    Shutdown,
}

/// A successful reply's content.
///
/// # Examples
///
/// ```
/// use vmm_ref_proto::{ExitStatus, Response};
///
/// let r = Response::Exited { status: ExitStatus::Exited { code: 0 } };
/// assert_eq!(
///     serde_json::to_string(&r).unwrap(),
///     r#"{"exited":{"status":{"exited":{"code":0}}}}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Response {
    /// Answer to [`Request::Hello`].
    Hello {
        /// The agent's protocol version.
        version: u32,
    },
    /// Answer to [`Request::Run`].
    Output {
        /// How the process ended.
        status: ExitStatus,
        /// Its standard output.
        stdout: Bytes,
        /// Its standard error.
        stderr: Bytes,
    },
    /// Answer to [`Request::Start`].
    Started {
        /// The id to use in later requests and that events carry.
        process: ProcessId,
        /// The process's PID in the guest.
        pid: i32,
    },
    /// Answer to [`Request::Wait`].
    Exited {
        /// How the process ended.
        status: ExitStatus,
    },
    /// Answer to [`Request::Signal`] and [`Request::Shutdown`].
    Done,
}

/// The kind of a failed request.
///
/// # Examples
///
/// ```
/// assert_eq!(
///     serde_json::to_string(&vmm_ref_proto::ErrorKind::NoSuchProcess).unwrap(),
///     r#""no_such_process""#
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request is invalid (e.g. an empty `argv`, a bad signal number).
    BadRequest,
    /// The versions differ.
    UnsupportedVersion,
    /// The process id is unknown.
    NoSuchProcess,
    /// The process could not be started (program not found, chroot failed, ...).
    Spawn,
    /// Something else failed inside the agent.
    Internal,
}

/// A failed request's reply.
///
/// # Examples
///
/// ```
/// use vmm_ref_proto::{ErrorKind, ErrorReply};
///
/// let e = ErrorReply::new(ErrorKind::Spawn, "nope: not found");
/// assert_eq!(e.to_string(), "spawn: nope: not found");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorReply {
    /// What kind of failure.
    pub kind: ErrorKind,
    /// A human-readable explanation.
    pub message: String,
    /// The OS error number behind it, when there is one (for [`ErrorKind::Spawn`]: `ENOENT`
    /// means the program was not found, which a shell reports as exit 127, any other error
    /// as 126). Absent from the JSON when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errno: Option<i32>,
}

impl ErrorReply {
    /// An error reply.
    ///
    /// # Examples
    ///
    /// ```
    /// let e = vmm_ref_proto::ErrorReply::new(vmm_ref_proto::ErrorKind::Internal, "x");
    /// assert_eq!(e.message, "x");
    /// ```
    #[must_use]
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            errno: None,
        }
    }

    /// The same reply, carrying an OS error number.
    ///
    /// # Examples
    ///
    /// ```
    /// use vmm_ref_proto::{ErrorKind, ErrorReply};
    /// let e = ErrorReply::new(ErrorKind::Spawn, "x: not found").with_errno(2);
    /// assert_eq!(e.errno, Some(2));
    /// assert_eq!(serde_json::to_string(&e).unwrap(), r#"{"kind":"spawn","message":"x: not found","errno":2}"#);
    /// ```
    #[must_use]
    pub fn with_errno(mut self, errno: i32) -> Self {
        self.errno = Some(errno);
        self
    }
}

impl fmt::Display for ErrorReply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            ErrorKind::BadRequest => "bad request",
            ErrorKind::UnsupportedVersion => "unsupported version",
            ErrorKind::NoSuchProcess => "no such process",
            ErrorKind::Spawn => "spawn",
            ErrorKind::Internal => "internal",
        };
        write!(f, "{kind}: {}", self.message)
    }
}

/// A message from the agent.
///
/// # Examples
///
/// ```
/// use vmm_ref_proto::GuestMessage;
///
/// let m = GuestMessage::Hello { version: 3, agent: "vmm-ref-agent 0.1.0".into() };
/// assert_eq!(
///     serde_json::to_string(&m).unwrap(),
///     r#"{"hello":{"version":3,"agent":"vmm-ref-agent 0.1.0"}}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum GuestMessage {
    /// The agent's first message, sent as soon as its channel is open.
    Hello {
        /// The agent's protocol version.
        version: u32,
        /// The agent's name and version, for logs.
        agent: String,
    },
    /// The reply to the request with this id.
    Reply {
        /// The request's id.
        id: RequestId,
        /// What came of it.
        result: Result<Response, ErrorReply>,
    },
    /// A chunk of a started process's output.
    Output {
        /// The process.
        process: ProcessId,
        /// Which stream.
        stream: Stream,
        /// The bytes.
        data: Bytes,
    },
    /// A started process ended (sent once, after its last output).
    Exited {
        /// The process.
        process: ProcessId,
        /// How it ended.
        status: ExitStatus,
    },
    /// The agent hit an error it cannot recover from; the guest resets next.
    Fatal {
        /// What happened.
        message: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signal_exit_code_is_128_plus_signal() {
        assert_eq!(ExitStatus::Signaled { signal: 9 }.code(), 137);
        assert_eq!(ExitStatus::Signaled { signal: i32::MAX }.code(), i32::MAX);
    }

    #[test]
    fn bytes_round_trip_both_ways() {
        for v in [b"text\n".to_vec(), vec![0, 0xff, 0x80], Vec::new()] {
            let s = serde_json::to_string(&Bytes(v.clone())).unwrap();
            let back: Bytes = serde_json::from_str(&s).unwrap();
            assert_eq!(back.0, v);
        }
    }

    #[test]
    fn bytes_reject_numbers_over_255() {
        assert!(serde_json::from_str::<Bytes>("[256]").is_err());
    }

    #[test]
    fn spec_defaults_are_omitted_and_restored() {
        let s = serde_json::to_string(&ProcessSpec::new(["true"])).unwrap();
        assert_eq!(s, r#"{"argv":["true"],"stdio":"pipes"}"#);
        let back: ProcessSpec = serde_json::from_str(r#"{"argv":["true"]}"#).unwrap();
        assert_eq!(back, ProcessSpec::new(["true"]));
    }

    #[test]
    fn mounts_default_is_omitted_and_the_others_round_trip() {
        let s = serde_json::to_string(&ProcessSpec::new(["true"]).mounts(Mounts::Guest)).unwrap();
        assert!(!s.contains("mounts"), "{s}");
        for m in [
            Mounts::Container,
            Mounts::Join {
                process: ProcessId(9),
            },
        ] {
            let spec = ProcessSpec::new(["sh"]).root("/r").mounts(m);
            let text = serde_json::to_string(&spec).unwrap();
            assert!(text.contains("\"mounts\""), "{text}");
            let back: ProcessSpec = serde_json::from_str(&text).unwrap();
            assert_eq!(back, spec);
        }
        let old: ProcessSpec = serde_json::from_str(r#"{"argv":["a"],"root":"/r"}"#).unwrap();
        assert_eq!(
            old.mounts,
            Mounts::Guest,
            "a message without the field is the old meaning"
        );
    }

    #[test]
    fn errno_is_optional_both_ways() {
        let old: ErrorReply = serde_json::from_str(r#"{"kind":"spawn","message":"m"}"#).unwrap();
        assert_eq!(old.errno, None);
        let e = ErrorReply::new(ErrorKind::Spawn, "m").with_errno(13);
        let back: ErrorReply = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
        assert_eq!(back, e);
        assert_eq!(
            serde_json::to_string(&ErrorReply::new(ErrorKind::Internal, "x")).unwrap(),
            r#"{"kind":"internal","message":"x"}"#
        );
    }

    #[test]
    fn reply_results_are_tagged_ok_and_err() {
        let m = GuestMessage::Reply {
            id: RequestId(2),
            result: Err(ErrorReply::new(ErrorKind::NoSuchProcess, "7")),
        };
        let s = serde_json::to_string(&m).unwrap();
        assert_eq!(
            s,
            r#"{"reply":{"id":2,"result":{"Err":{"kind":"no_such_process","message":"7"}}}}"#
        );
    }
}
