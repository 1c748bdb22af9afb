//! The wire frame and the incremental decoder.
//!
//! ```text
//! offset  size  field
//!      0     4  magic, b"VMRP"
//!      4     2  frame version, big endian (FRAME_VERSION = 1)
//!      6     2  flags, big endian, reserved: must be 0
//!      8     4  payload length, big endian, at most MAX_PAYLOAD
//!     12     4  CRC-32 (IEEE) of bytes 0..12 followed by the payload, big endian
//!     16     n  payload: one message as JSON (UTF-8)
//! ```
//!
//! # Decoder policy: resynchronise, report every error
//!
//! The peer (for the host: the guest) is untrusted. The [`Decoder`] never panics, never holds
//! more than [`MAX_FRAME`] bytes, and never waits for more than [`MAX_PAYLOAD`] payload bytes.
//! On a bad frame (wrong version or flags, a length over the maximum, a checksum mismatch) it
//! reports one error, drops the bad frame's first byte and resynchronises on the next magic;
//! bytes before a magic are reported once as [`Error::Garbage`]. An intact frame whose payload
//! is not a valid message is dropped whole ([`Error::Malformed`]). A caller that wants to give
//! up on the first error (the VMM does: a guest that sends garbage is broken) simply stops.
//!
//! A length field corrupted to a smaller but still valid value is only detected by the checksum
//! once that many bytes have arrived; the header has no separate check.

use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::Error;

/// The four bytes every frame starts with.
///
/// # Examples
///
/// ```
/// let bytes = vmm_ref_proto::encode_payload(b"{}").unwrap();
/// assert_eq!(&bytes[..4], &vmm_ref_proto::MAGIC);
/// ```
pub const MAGIC: [u8; 4] = *b"VMRP";

/// The frame format version this crate writes and accepts.
///
/// # Examples
///
/// ```
/// let bytes = vmm_ref_proto::encode_payload(b"{}").unwrap();
/// assert_eq!(u16::from_be_bytes([bytes[4], bytes[5]]), vmm_ref_proto::FRAME_VERSION);
/// ```
pub const FRAME_VERSION: u16 = 1;

/// The length of the frame header.
///
/// # Examples
///
/// ```
/// assert_eq!(vmm_ref_proto::encode_payload(b"").unwrap().len(), vmm_ref_proto::HEADER_LEN);
/// ```
pub const HEADER_LEN: usize = 16;

/// The largest payload a frame may carry (1 MiB).
///
/// # Examples
///
/// ```
/// let too_big = vec![b' '; vmm_ref_proto::MAX_PAYLOAD + 1];
/// assert!(vmm_ref_proto::encode_payload(&too_big).is_err());
/// ```
pub const MAX_PAYLOAD: usize = 1 << 20;

/// The largest frame: header plus the largest payload. The decoder never buffers more.
///
/// # Examples
///
/// ```
/// assert_eq!(vmm_ref_proto::MAX_FRAME, vmm_ref_proto::HEADER_LEN + vmm_ref_proto::MAX_PAYLOAD);
/// ```
pub const MAX_FRAME: usize = HEADER_LEN + MAX_PAYLOAD;

const CRC_TABLE: [u32; 256] = crc_table();

const fn crc_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
}

fn crc32_update(crc: u32, bytes: &[u8]) -> u32 {
    let mut c = crc;
    for &b in bytes {
        c = CRC_TABLE[((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8);
    }
    c
}

/// CRC-32 (IEEE 802.3, the one of zlib and Ethernet) of the concatenation of `parts`.
///
/// # Examples
///
/// ```
/// assert_eq!(vmm_ref_proto::crc32(&[b"123456789"]), 0xCBF4_3926);
/// assert_eq!(vmm_ref_proto::crc32(&[b"1234", b"56789"]), 0xCBF4_3926);
/// ```
#[must_use]
pub fn crc32(parts: &[&[u8]]) -> u32 {
    !parts.iter().fold(!0u32, |c, p| crc32_update(c, p))
}

/// Wraps an already serialised payload in a frame.
///
/// # Errors
///
/// [`Error::TooLarge`] if the payload is longer than [`MAX_PAYLOAD`].
///
/// # Examples
///
/// ```
/// let frame = vmm_ref_proto::encode_payload(b"{\"x\":1}").unwrap();
/// assert_eq!(frame.len(), vmm_ref_proto::HEADER_LEN + 7);
/// ```
pub fn encode_payload(payload: &[u8]) -> Result<Vec<u8>, Error> {
    if payload.len() > MAX_PAYLOAD {
        return Err(Error::TooLarge {
            len: payload.len() as u64,
            max: MAX_PAYLOAD,
        });
    }
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FRAME_VERSION.to_be_bytes());
    out.extend_from_slice(&0u16.to_be_bytes());
    // Fits: checked against MAX_PAYLOAD (1 MiB) above.
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    let crc = crc32(&[&out[..12], payload]);
    out.extend_from_slice(&crc.to_be_bytes());
    out.extend_from_slice(payload);
    Ok(out)
}

/// Serialises `message` as JSON and wraps it in a frame.
///
/// # Errors
///
/// [`Error::TooLarge`] if the JSON is longer than [`MAX_PAYLOAD`]; [`Error::Encode`] if the
/// value cannot be serialised (not the case for this crate's message types).
///
/// # Examples
///
/// ```
/// use vmm_ref_proto::{encode, GuestMessage};
///
/// let bytes = encode(&GuestMessage::Fatal { message: "no /dev/ttyS1".into() }).unwrap();
/// assert_eq!(&bytes[..4], b"VMRP");
/// ```
pub fn encode<M: Serialize>(message: &M) -> Result<Vec<u8>, Error> {
    let payload = serde_json::to_vec(message).map_err(Error::Encode)?;
    encode_payload(&payload)
}

/// A sans-I/O incremental frame decoder: push bytes in, poll messages out.
///
/// `M` is the message type expected from the peer ([`GuestMessage`](crate::GuestMessage) on
/// the host, [`HostMessage`](crate::HostMessage) in the agent). See the [module
/// documentation](self) for the error policy.
///
/// Call order: [`push`](Self::push) some bytes (it takes as many as fit, never more than
/// [`MAX_FRAME`] buffered), then [`poll_message`](Self::poll_message) until it returns
/// `Ok(None)`, and push the rest. [`decode`](Self::decode) does that loop for a whole slice.
///
/// # Examples
///
/// ```
/// use vmm_ref_proto::{encode, Decoder, GuestMessage};
///
/// let bytes = encode(&GuestMessage::Fatal { message: "x".into() }).unwrap();
/// let mut d = Decoder::<GuestMessage>::new();
/// // Bytes may arrive one at a time.
/// for b in &bytes[..bytes.len() - 1] {
///     assert_eq!(d.push(&[*b]), 1);
///     assert!(d.poll_message().unwrap().is_none());
/// }
/// d.push(&bytes[bytes.len() - 1..]);
/// assert!(matches!(d.poll_message(), Ok(Some(GuestMessage::Fatal { .. }))));
/// assert!(d.finish().is_ok());
/// ```
#[derive(Debug)]
pub struct Decoder<M> {
    buf: Vec<u8>,
    max_payload: usize,
    _message: PhantomData<fn() -> M>,
}

impl<M: DeserializeOwned> Default for Decoder<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: DeserializeOwned> Decoder<M> {
    /// A decoder accepting payloads up to [`MAX_PAYLOAD`].
    ///
    /// # Examples
    ///
    /// ```
    /// let d = vmm_ref_proto::Decoder::<vmm_ref_proto::HostMessage>::new();
    /// assert_eq!(d.buffered(), 0);
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::with_max_payload(MAX_PAYLOAD)
    }

    /// A decoder accepting payloads up to `max` bytes (clamped to [`MAX_PAYLOAD`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use vmm_ref_proto::{encode, Decoder, Error, GuestMessage};
    ///
    /// let mut d = Decoder::<GuestMessage>::with_max_payload(8);
    /// let big = encode(&GuestMessage::Fatal { message: "longer than eight".into() }).unwrap();
    /// assert!(matches!(d.decode(&big)[0], Err(Error::TooLarge { .. })));
    /// ```
    #[must_use]
    pub fn with_max_payload(max: usize) -> Self {
        Self {
            buf: Vec::new(),
            max_payload: max.min(MAX_PAYLOAD),
            _message: PhantomData,
        }
    }

    /// How many bytes are buffered (an unfinished frame, or frames not yet polled).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut d = vmm_ref_proto::Decoder::<vmm_ref_proto::HostMessage>::new();
    /// d.push(b"VM");
    /// assert_eq!(d.buffered(), 2);
    /// ```
    #[must_use]
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Appends as many of `bytes` as fit in the buffer (at most [`MAX_FRAME`] buffered) and
    /// returns how many it took. Poll, then push the rest.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut d = vmm_ref_proto::Decoder::<vmm_ref_proto::HostMessage>::new();
    /// let huge = vec![0u8; vmm_ref_proto::MAX_FRAME + 10];
    /// assert_eq!(d.push(&huge), vmm_ref_proto::MAX_FRAME);
    /// ```
    pub fn push(&mut self, bytes: &[u8]) -> usize {
        let room = (HEADER_LEN + self.max_payload).saturating_sub(self.buf.len());
        let n = room.min(bytes.len());
        self.buf.extend_from_slice(&bytes[..n]);
        n
    }

    /// The next complete message, `Ok(None)` if more bytes are needed, or an error about the
    /// bytes at the front of the buffer (which are then dropped; polling again continues).
    ///
    /// # Errors
    ///
    /// [`Error::Garbage`], [`Error::UnsupportedVersion`], [`Error::BadFlags`],
    /// [`Error::TooLarge`], [`Error::Checksum`] or [`Error::Malformed`].
    ///
    /// # Examples
    ///
    /// ```
    /// use vmm_ref_proto::{encode, Decoder, Error, GuestMessage};
    ///
    /// let mut bytes = encode(&GuestMessage::Fatal { message: "x".into() }).unwrap();
    /// let last = bytes.len() - 1;
    /// bytes[last] ^= 0x20; // corrupt the payload
    /// let mut d = Decoder::<GuestMessage>::new();
    /// d.push(&bytes);
    /// assert!(matches!(d.poll_message(), Err(Error::Checksum { .. })));
    /// ```
    pub fn poll_message(&mut self) -> Result<Option<M>, Error> {
        if self.buf.is_empty() {
            return Ok(None);
        }
        if !starts_with_magic_prefix(&self.buf) {
            let skipped = next_magic(&self.buf, 1);
            self.buf.drain(..skipped);
            return Err(Error::Garbage { skipped });
        }
        if self.buf.len() < HEADER_LEN {
            return Ok(None);
        }
        let version = u16::from_be_bytes([self.buf[4], self.buf[5]]);
        let flags = u16::from_be_bytes([self.buf[6], self.buf[7]]);
        let len = u32::from_be_bytes([self.buf[8], self.buf[9], self.buf[10], self.buf[11]]);
        let expected = u32::from_be_bytes([self.buf[12], self.buf[13], self.buf[14], self.buf[15]]);
        if version != FRAME_VERSION {
            self.resync();
            return Err(Error::UnsupportedVersion { version });
        }
        if flags != 0 {
            self.resync();
            return Err(Error::BadFlags { flags });
        }
        let len_usize = usize::try_from(len).unwrap_or(usize::MAX);
        if len_usize > self.max_payload {
            self.resync();
            return Err(Error::TooLarge {
                len: u64::from(len),
                max: self.max_payload,
            });
        }
        let end = HEADER_LEN + len_usize;
        if self.buf.len() < end {
            return Ok(None);
        }
        let actual = crc32(&[&self.buf[..12], &self.buf[HEADER_LEN..end]]);
        if actual != expected {
            self.resync();
            return Err(Error::Checksum { expected, actual });
        }
        let parsed = serde_json::from_slice::<M>(&self.buf[HEADER_LEN..end]);
        self.buf.drain(..end);
        parsed.map(Some).map_err(Error::Malformed)
    }

    /// Pushes all of `bytes` and returns every message and error they complete, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// use vmm_ref_proto::{encode, Decoder, GuestMessage};
    ///
    /// let mut bytes = encode(&GuestMessage::Fatal { message: "a".into() }).unwrap();
    /// bytes.extend(encode(&GuestMessage::Fatal { message: "b".into() }).unwrap());
    /// let out = Decoder::<GuestMessage>::new().decode(&bytes);
    /// assert_eq!(out.len(), 2);
    /// assert!(out.iter().all(Result::is_ok));
    /// ```
    pub fn decode(&mut self, mut bytes: &[u8]) -> Vec<Result<M, Error>> {
        let mut out = Vec::new();
        loop {
            let taken = self.push(bytes);
            bytes = &bytes[taken..];
            loop {
                match self.poll_message() {
                    Ok(None) => break,
                    Ok(Some(m)) => out.push(Ok(m)),
                    Err(e) => out.push(Err(e)),
                }
            }
            if bytes.is_empty() {
                return out;
            }
        }
    }

    /// Checks that the stream ended on a frame boundary.
    ///
    /// # Errors
    ///
    /// [`Error::Truncated`] if part of a frame is still buffered.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut d = vmm_ref_proto::Decoder::<vmm_ref_proto::HostMessage>::new();
    /// d.push(b"VMRP\0");
    /// assert!(d.finish().is_err());
    /// ```
    pub fn finish(&self) -> Result<(), Error> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(Error::Truncated {
                buffered: self.buf.len(),
            })
        }
    }

    /// Drops the first byte of a bad frame and everything up to the next possible magic.
    fn resync(&mut self) {
        let skip = next_magic(&self.buf, 1);
        self.buf.drain(..skip);
    }
}

/// Whether `buf` starts with the magic, or with a prefix of it when shorter.
fn starts_with_magic_prefix(buf: &[u8]) -> bool {
    let n = buf.len().min(MAGIC.len());
    buf[..n] == MAGIC[..n]
}

/// The first index at or after `from` where a frame may start (a full magic, or a prefix of
/// it at the very end), or `buf.len()`.
fn next_magic(buf: &[u8], from: usize) -> usize {
    (from..buf.len())
        .find(|&i| starts_with_magic_prefix(&buf[i..]))
        .unwrap_or(buf.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::GuestMessage;

    fn fatal(s: &str) -> Vec<u8> {
        encode(&GuestMessage::Fatal { message: s.into() }).unwrap()
    }

    #[test]
    fn crc_matches_the_standard_check_value() {
        assert_eq!(crc32(&[b"123456789"]), 0xCBF4_3926);
        assert_eq!(crc32(&[b""]), 0);
    }

    #[test]
    fn header_fields_are_where_the_layout_says() {
        let f = encode_payload(b"abc").unwrap();
        assert_eq!(&f[0..4], b"VMRP");
        assert_eq!(&f[4..6], &[0, 1]);
        assert_eq!(&f[6..8], &[0, 0]);
        assert_eq!(&f[8..12], &[0, 0, 0, 3]);
        assert_eq!(
            u32::from_be_bytes([f[12], f[13], f[14], f[15]]),
            crc32(&[&f[..12], b"abc"])
        );
        assert_eq!(&f[16..], b"abc");
    }

    #[test]
    fn garbage_before_a_frame_is_reported_once_then_the_frame_decodes() {
        let mut bytes = b"xxVMxRP".to_vec();
        bytes.extend(fatal("a"));
        let out = Decoder::<GuestMessage>::new().decode(&bytes);
        assert_eq!(out.len(), 2, "{out:?}");
        assert!(matches!(out[0], Err(Error::Garbage { skipped: 7 })));
        assert!(matches!(&out[1], Ok(GuestMessage::Fatal { message }) if message == "a"));
    }

    #[test]
    fn a_magic_prefix_at_the_end_waits_for_more() {
        let mut d = Decoder::<GuestMessage>::new();
        d.push(b"zzVM");
        assert!(matches!(
            d.poll_message(),
            Err(Error::Garbage { skipped: 2 })
        ));
        assert!(d.poll_message().unwrap().is_none());
        assert_eq!(d.buffered(), 2);
    }

    #[test]
    fn bad_version_is_rejected_and_the_next_frame_still_decodes() {
        let mut bad = fatal("a");
        bad[5] = 9;
        bad.extend(fatal("b"));
        let out = Decoder::<GuestMessage>::new().decode(&bad);
        assert!(matches!(
            out[0],
            Err(Error::UnsupportedVersion { version: 9 })
        ));
        assert!(matches!(out.last(), Some(Ok(GuestMessage::Fatal { message })) if message == "b"));
    }

    #[test]
    fn nonzero_flags_are_rejected() {
        let mut bad = fatal("a");
        bad[7] = 1;
        let out = Decoder::<GuestMessage>::new().decode(&bad);
        assert!(matches!(out[0], Err(Error::BadFlags { flags: 1 })));
    }

    #[test]
    fn an_oversized_length_is_rejected_from_the_header_alone() {
        let mut d = Decoder::<GuestMessage>::new();
        let mut header = fatal("a")[..HEADER_LEN].to_vec();
        header[8..12].copy_from_slice(&u32::MAX.to_be_bytes());
        d.push(&header);
        assert!(
            matches!(d.poll_message(), Err(Error::TooLarge { len, .. }) if len == u64::from(u32::MAX))
        );
    }

    #[test]
    fn a_payload_of_exactly_the_maximum_is_accepted() {
        let payload = format!("\"{}\"", "a".repeat(MAX_PAYLOAD - 2));
        let frame = encode_payload(payload.as_bytes()).unwrap();
        let out = Decoder::<String>::new().decode(&frame);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].as_ref().unwrap().len(), MAX_PAYLOAD - 2);
    }

    #[test]
    fn a_checksum_mismatch_is_rejected() {
        let mut bad = fatal("a");
        bad[HEADER_LEN] ^= 1;
        let out = Decoder::<GuestMessage>::new().decode(&bad);
        assert!(matches!(out[0], Err(Error::Checksum { .. })), "{out:?}");
    }

    #[test]
    fn an_intact_frame_with_a_bad_payload_is_malformed_and_dropped_whole() {
        let mut bytes = encode_payload(b"{not json").unwrap();
        bytes.extend(fatal("b"));
        let mut d = Decoder::<GuestMessage>::new();
        let out = d.decode(&bytes);
        assert_eq!(out.len(), 2);
        assert!(matches!(out[0], Err(Error::Malformed(_))));
        assert!(out[1].is_ok());
        assert_eq!(d.buffered(), 0);
    }

    #[test]
    fn truncation_is_incomplete_then_an_error_at_finish() {
        let f = fatal("abc");
        let mut d = Decoder::<GuestMessage>::new();
        assert!(d.decode(&f[..f.len() - 1]).is_empty());
        assert!(
            matches!(d.finish(), Err(Error::Truncated { buffered }) if buffered == f.len() - 1)
        );
    }

    #[test]
    fn push_never_buffers_more_than_a_frame() {
        let mut d = Decoder::<GuestMessage>::with_max_payload(10);
        assert_eq!(d.push(&[b'V'; 100]), HEADER_LEN + 10);
    }

    #[test]
    fn encode_refuses_a_payload_over_the_maximum() {
        assert!(matches!(
            encode_payload(&vec![0; MAX_PAYLOAD + 1]),
            Err(Error::TooLarge { .. })
        ));
    }
}
