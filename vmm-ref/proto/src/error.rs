//! The crate's one error type.

use crate::message::RequestId;

/// Everything that can go wrong while framing, decoding or tracking the conversation.
///
/// Decoding errors describe what the *peer* sent; none of them is a bug on this side, and none
/// of them panics or allocates more than [`MAX_FRAME`](crate::MAX_FRAME) bytes.
///
/// # Examples
///
/// ```
/// use vmm_ref_proto::{Decoder, Error, HostMessage};
///
/// let mut d = Decoder::<HostMessage>::new();
/// let out = d.decode(b"noise");
/// assert!(matches!(out[0], Err(Error::Garbage { skipped: 5 })));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bytes that do not start a frame were skipped to find the next frame's magic.
    #[error("skipped {skipped} bytes that do not start a frame")]
    Garbage {
        /// How many bytes were skipped.
        skipped: usize,
    },
    /// The frame header names a frame version this side does not speak.
    #[error("unsupported frame version {version}")]
    UnsupportedVersion {
        /// The version in the header.
        version: u16,
    },
    /// The reserved flags field of the header is not zero.
    #[error("reserved header flags are {flags:#06x}, expected 0")]
    BadFlags {
        /// The flags in the header.
        flags: u16,
    },
    /// The payload is longer than the maximum this side accepts.
    #[error("frame payload of {len} bytes exceeds the maximum of {max}")]
    TooLarge {
        /// The length in the header (or of the payload to encode).
        len: u64,
        /// The maximum payload length.
        max: usize,
    },
    /// The CRC-32 in the header does not match the header and payload.
    #[error("frame checksum mismatch: header says {expected:#010x}, computed {actual:#010x}")]
    Checksum {
        /// The checksum in the header.
        expected: u32,
        /// The checksum computed over the received bytes.
        actual: u32,
    },
    /// The frame is intact but its payload is not a valid message.
    #[error("malformed message payload")]
    Malformed(#[source] serde_json::Error),
    /// A message could not be serialised.
    #[error("message could not be encoded")]
    Encode(#[source] serde_json::Error),
    /// The stream ended in the middle of a frame.
    #[error("stream ended inside a frame ({buffered} bytes buffered)")]
    Truncated {
        /// How many bytes of the unfinished frame were buffered.
        buffered: usize,
    },
    /// The agent speaks another protocol version.
    #[error("agent speaks protocol version {agent}, this host speaks {host}")]
    VersionMismatch {
        /// The agent's version.
        agent: u32,
        /// This side's version.
        host: u32,
    },
    /// A reply names a request id that is not outstanding.
    #[error("reply to unknown or already answered request {id}")]
    UnknownReply {
        /// The id in the reply.
        id: RequestId,
    },
    /// The agent sent something other than hello as its first message, or a second hello.
    #[error("unexpected message before or after hello: {what}")]
    Unexpected {
        /// Which message it was.
        what: &'static str,
    },
}
