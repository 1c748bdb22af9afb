//! The host <-> guest agent protocol of vmm-ref: message types and framing, shared by the VMM
//! (host) and the agent (PID 1 in the guest). This crate performs no I/O and reads no clock:
//! bytes go in, messages come out, and the other way round.
//!
//! # Layout
//!
//! - [`frame`]: the wire frame (magic, version, length, CRC-32, JSON payload), [`encode`] and
//!   the incremental [`Decoder`] that treats its peer as untrusted.
//! - [`message`]: what travels in a frame: [`HostMessage`] (a [`Request`] with its
//!   [`RequestId`]) from host to guest, [`GuestMessage`] (hello, replies, output, exits) from
//!   guest to host.
//! - [`client`]: a sans-I/O host-side [`Client`]: requests in, bytes out; bytes in,
//!   [`ClientEvent`]s out.
//! - [`error`]: the crate's one [`Error`] type.
//!
//! # The conversation
//!
//! 1. The agent opens its channel and sends [`GuestMessage::Hello`] with its
//!    [`PROTOCOL_VERSION`]. The host sends nothing before that.
//! 2. The host sends requests; each gets exactly one [`GuestMessage::Reply`] with the same id,
//!    in any order ([`Request::Wait`] is answered when the process exits).
//! 3. Processes started with [`Request::Start`] stream [`GuestMessage::Output`] and end with one
//!    [`GuestMessage::Exited`].
//! 4. [`Request::Shutdown`] is acknowledged, then the guest resets (the VMM exits). A fatal agent
//!    error is announced with [`GuestMessage::Fatal`] before the same reset.
//!
//! # Examples
//!
//! A whole exchange, both sides in memory (the agent side is hand-written here):
//!
//! ```
//! use vmm_ref_proto::{
//!     Client, ClientEvent, Decoder, ExitStatus, GuestMessage, HostMessage, ProcessSpec, Request,
//!     Response, encode, PROTOCOL_VERSION,
//! };
//!
//! let mut client = Client::new();
//! let mut agent_rx = Decoder::<HostMessage>::new();
//!
//! // The agent says hello.
//! let hello = GuestMessage::Hello { version: PROTOCOL_VERSION, agent: "test".into() };
//! client.handle_bytes(&encode(&hello)?);
//! assert!(matches!(client.poll_event(), Some(ClientEvent::Ready { .. })));
//!
//! // The host asks for a command; the bytes travel to the agent.
//! let (id, bytes) = client.send(Request::Run { spec: ProcessSpec::new(["uname", "-r"]) })?;
//! let got = agent_rx.decode(&bytes);
//! assert_eq!(got.len(), 1);
//! let request = got.into_iter().next().unwrap()?;
//! assert_eq!(request.id, id);
//!
//! // The agent answers.
//! let reply = GuestMessage::Reply {
//!     id,
//!     result: Ok(Response::Output {
//!         status: ExitStatus::Exited { code: 0 },
//!         stdout: b"6.1.0\n".to_vec().into(),
//!         stderr: Vec::new().into(),
//!     }),
//! };
//! client.handle_bytes(&encode(&reply)?);
//! match client.poll_event() {
//!     Some(ClientEvent::Reply { id: got, result: Ok(Response::Output { stdout, .. }) }) => {
//!         assert_eq!(got, id);
//!         assert_eq!(stdout.as_slice(), b"6.1.0\n");
//!     }
//!     other => panic!("unexpected {other:?}"),
//! }
//! # Ok::<(), vmm_ref_proto::Error>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod client;
pub mod error;
pub mod frame;
pub mod message;
#[cfg(feature = "tls")]
pub mod tls;

pub use client::{Client, ClientEvent};
pub use error::Error;
pub use frame::{
    Decoder, FRAME_VERSION, HEADER_LEN, MAGIC, MAX_FRAME, MAX_PAYLOAD, crc32, encode,
    encode_payload,
};
pub use message::{
    Bytes, ErrorKind, ErrorReply, ExitStatus, GuestMessage, HostMessage, Mounts, PROTOCOL_VERSION,
    ProcessId, ProcessSpec, Request, RequestId, Response, Stdio, Stream,
};
