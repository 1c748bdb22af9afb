//! The host side of the conversation, sans I/O: requests in, bytes out; bytes in, events out.

use std::collections::{BTreeSet, VecDeque};

use crate::error::Error;
use crate::frame::{Decoder, encode};
use crate::message::{
    Bytes, ErrorReply, ExitStatus, GuestMessage, HostMessage, PROTOCOL_VERSION, ProcessId, Request,
    RequestId, Response, Stream,
};

/// What the host learns from the agent, in arrival order.
///
/// # Examples
///
/// ```
/// use vmm_ref_proto::{Client, ClientEvent, GuestMessage, encode};
///
/// let mut c = Client::new();
/// c.handle_bytes(&encode(&GuestMessage::Fatal { message: "boom".into() }).unwrap());
/// assert!(matches!(c.poll_event(), Some(ClientEvent::Fatal { .. })));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum ClientEvent {
    /// The agent said hello with the same protocol version: requests may flow.
    Ready {
        /// The agent's protocol version.
        version: u32,
        /// The agent's self-description.
        agent: String,
    },
    /// The reply to an outstanding request.
    Reply {
        /// The request's id.
        id: RequestId,
        /// What came of it.
        result: Result<Response, ErrorReply>,
    },
    /// Output of a started process.
    Output {
        /// The process.
        process: ProcessId,
        /// Which stream.
        stream: Stream,
        /// The bytes.
        data: Bytes,
    },
    /// A started process ended.
    Exited {
        /// The process.
        process: ProcessId,
        /// How it ended.
        status: ExitStatus,
    },
    /// The agent is going down because of an error.
    Fatal {
        /// The agent's explanation.
        message: String,
    },
    /// The agent broke the protocol (bad frame, unknown reply id, wrong version, ...). The VMM
    /// should treat the guest as broken.
    ProtocolError(Error),
}

/// The handshake state.
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    AwaitingHello,
    Ready { version: u32 },
}

/// The host side of the protocol.
///
/// Call order: [`handle_bytes`](Self::handle_bytes) with whatever the agent's channel produced,
/// then drain [`poll_event`](Self::poll_event) until `None`. [`send`](Self::send) returns the
/// bytes to write to the channel; the host should send nothing before
/// [`ClientEvent::Ready`] (the agent may not have opened its end yet; [`is_ready`](Self::is_ready)
/// tells).
///
/// # Examples
///
/// ```
/// use vmm_ref_proto::{Client, ClientEvent, GuestMessage, Request, encode, PROTOCOL_VERSION};
///
/// let mut c = Client::new();
/// assert!(!c.is_ready());
/// c.handle_bytes(&encode(&GuestMessage::Hello { version: PROTOCOL_VERSION, agent: "a".into() }).unwrap());
/// assert!(matches!(c.poll_event(), Some(ClientEvent::Ready { .. })));
/// assert!(c.is_ready());
/// let (id, bytes) = c.send(Request::Shutdown).unwrap();
/// assert!(bytes.starts_with(b"VMRP"));
/// assert_eq!(c.outstanding(), 1);
/// # let _ = id;
/// ```
#[derive(Debug)]
pub struct Client {
    decoder: Decoder<GuestMessage>,
    state: State,
    next_id: u64,
    pending: BTreeSet<RequestId>,
    events: VecDeque<ClientEvent>,
}

impl Default for Client {
    fn default() -> Self {
        Self::new()
    }
}

impl Client {
    /// A client waiting for the agent's hello.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(vmm_ref_proto::Client::new().outstanding(), 0);
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self {
            decoder: Decoder::new(),
            state: State::AwaitingHello,
            next_id: 1,
            pending: BTreeSet::new(),
            events: VecDeque::new(),
        }
    }

    /// Whether the agent has said hello with our version.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!vmm_ref_proto::Client::new().is_ready());
    /// ```
    #[must_use]
    pub fn is_ready(&self) -> bool {
        matches!(self.state, State::Ready { .. })
    }

    /// The agent's protocol version, once it has said hello.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(vmm_ref_proto::Client::new().agent_version(), None);
    /// ```
    #[must_use]
    pub fn agent_version(&self) -> Option<u32> {
        match self.state {
            State::Ready { version } => Some(version),
            State::AwaitingHello => None,
        }
    }

    /// How many requests await their reply.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut c = vmm_ref_proto::Client::new();
    /// let _ = c.send(vmm_ref_proto::Request::Shutdown).unwrap();
    /// assert_eq!(c.outstanding(), 1);
    /// ```
    #[must_use]
    pub fn outstanding(&self) -> usize {
        self.pending.len()
    }

    /// Encodes `request` with a fresh id and records it as outstanding. Returns the id and the
    /// bytes to write to the agent's channel.
    ///
    /// # Errors
    ///
    /// [`Error::TooLarge`] if the request does not fit in a frame.
    ///
    /// # Examples
    ///
    /// ```
    /// use vmm_ref_proto::{Client, Decoder, HostMessage, ProcessSpec, Request};
    ///
    /// let mut c = Client::new();
    /// let (id, bytes) = c.send(Request::Run { spec: ProcessSpec::new(["true"]) }).unwrap();
    /// let got = Decoder::<HostMessage>::new().decode(&bytes).remove(0).unwrap();
    /// assert_eq!(got.id, id);
    /// ```
    pub fn send(&mut self, request: Request) -> Result<(RequestId, Vec<u8>), Error> {
        let id = RequestId(self.next_id);
        let bytes = encode(&HostMessage { id, request })?;
        self.next_id = self.next_id.wrapping_add(1);
        self.pending.insert(id);
        Ok((id, bytes))
    }

    /// Feeds bytes read from the agent's channel. Never fails: problems become
    /// [`ClientEvent::ProtocolError`] events.
    ///
    /// # Examples
    ///
    /// ```
    /// use vmm_ref_proto::{Client, ClientEvent};
    ///
    /// let mut c = Client::new();
    /// c.handle_bytes(b"garbage");
    /// assert!(matches!(c.poll_event(), Some(ClientEvent::ProtocolError(_))));
    /// ```
    pub fn handle_bytes(&mut self, bytes: &[u8]) {
        for item in self.decoder.decode(bytes) {
            let event = match item {
                Ok(message) => self.on_message(message),
                Err(e) => ClientEvent::ProtocolError(e),
            };
            self.events.push_back(event);
        }
    }

    /// The next event, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(vmm_ref_proto::Client::new().poll_event().is_none());
    /// ```
    #[must_use]
    pub fn poll_event(&mut self) -> Option<ClientEvent> {
        self.events.pop_front()
    }

    /// Checks that the agent's stream ended on a frame boundary (call when the channel closes).
    ///
    /// # Errors
    ///
    /// [`Error::Truncated`] if a frame was cut off.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut c = vmm_ref_proto::Client::new();
    /// c.handle_bytes(b"VMRP");
    /// assert!(c.finish().is_err());
    /// ```
    pub fn finish(&self) -> Result<(), Error> {
        self.decoder.finish()
    }

    fn on_message(&mut self, message: GuestMessage) -> ClientEvent {
        match (&self.state, message) {
            (State::AwaitingHello, GuestMessage::Hello { version, agent }) => {
                if version == PROTOCOL_VERSION {
                    self.state = State::Ready { version };
                    ClientEvent::Ready { version, agent }
                } else {
                    ClientEvent::ProtocolError(Error::VersionMismatch {
                        agent: version,
                        host: PROTOCOL_VERSION,
                    })
                }
            }
            (State::Ready { .. }, GuestMessage::Hello { .. }) => {
                ClientEvent::ProtocolError(Error::Unexpected {
                    what: "second hello",
                })
            }
            // A fatal error may come at any time, even before hello.
            (_, GuestMessage::Fatal { message }) => ClientEvent::Fatal { message },
            (State::AwaitingHello, GuestMessage::Reply { .. }) => {
                ClientEvent::ProtocolError(Error::Unexpected {
                    what: "reply before hello",
                })
            }
            (State::AwaitingHello, GuestMessage::Output { .. })
            | (State::AwaitingHello, GuestMessage::Exited { .. }) => {
                ClientEvent::ProtocolError(Error::Unexpected {
                    what: "event before hello",
                })
            }
            (State::Ready { .. }, GuestMessage::Reply { id, result }) => {
                if self.pending.remove(&id) {
                    ClientEvent::Reply { id, result }
                } else {
                    ClientEvent::ProtocolError(Error::UnknownReply { id })
                }
            }
            (
                State::Ready { .. },
                GuestMessage::Output {
                    process,
                    stream,
                    data,
                },
            ) => ClientEvent::Output {
                process,
                stream,
                data,
            },
            (State::Ready { .. }, GuestMessage::Exited { process, status }) => {
                ClientEvent::Exited { process, status }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::ProcessSpec;

    fn ready() -> Client {
        let mut c = Client::new();
        c.handle_bytes(
            &encode(&GuestMessage::Hello {
                version: PROTOCOL_VERSION,
                agent: "t".into(),
            })
            .unwrap(),
        );
        assert!(matches!(c.poll_event(), Some(ClientEvent::Ready { .. })));
        c
    }

    #[test]
    fn a_hello_with_another_version_is_a_protocol_error() {
        let mut c = Client::new();
        c.handle_bytes(
            &encode(&GuestMessage::Hello {
                version: 99,
                agent: "t".into(),
            })
            .unwrap(),
        );
        assert!(matches!(
            c.poll_event(),
            Some(ClientEvent::ProtocolError(Error::VersionMismatch {
                agent: 99,
                ..
            }))
        ));
        assert!(!c.is_ready());
    }

    #[test]
    fn an_agent_of_the_previous_version_is_refused_naming_both_versions() {
        // Version 1 agents did not know `mounts` and would have ignored it (message.rs).
        let mut c = Client::new();
        c.handle_bytes(
            &encode(&GuestMessage::Hello {
                version: PROTOCOL_VERSION - 1,
                agent: "old".into(),
            })
            .unwrap(),
        );
        match c.poll_event() {
            Some(ClientEvent::ProtocolError(e)) => {
                assert_eq!(
                    e.to_string(),
                    format!(
                        "agent speaks protocol version {}, this host speaks {PROTOCOL_VERSION}",
                        PROTOCOL_VERSION - 1
                    )
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(!c.is_ready());
        assert_eq!(c.agent_version(), None);
    }

    #[test]
    fn an_unknown_field_is_ignored_by_the_decoder_which_is_why_every_change_bumps_the_version() {
        let spec: ProcessSpec =
            serde_json::from_str(r#"{"argv":["sh"],"a_field_of_version_99":{"x":1}}"#).unwrap();
        assert_eq!(spec, ProcessSpec::new(["sh"]));
    }

    #[test]
    fn a_reply_before_hello_is_a_protocol_error() {
        let mut c = Client::new();
        let (id, _) = c.send(Request::Shutdown).unwrap();
        c.handle_bytes(
            &encode(&GuestMessage::Reply {
                id,
                result: Ok(Response::Done),
            })
            .unwrap(),
        );
        assert!(matches!(
            c.poll_event(),
            Some(ClientEvent::ProtocolError(Error::Unexpected { .. }))
        ));
    }

    #[test]
    fn a_reply_is_matched_once_and_a_repeat_is_an_error() {
        let mut c = ready();
        let (id, _) = c
            .send(Request::Run {
                spec: ProcessSpec::new(["true"]),
            })
            .unwrap();
        let reply = encode(&GuestMessage::Reply {
            id,
            result: Ok(Response::Done),
        })
        .unwrap();
        c.handle_bytes(&reply);
        assert!(matches!(c.poll_event(), Some(ClientEvent::Reply { id: got, .. }) if got == id));
        assert_eq!(c.outstanding(), 0);
        c.handle_bytes(&reply);
        assert!(matches!(
            c.poll_event(),
            Some(ClientEvent::ProtocolError(Error::UnknownReply { id: got })) if got == id
        ));
    }

    #[test]
    fn ids_are_distinct() {
        let mut c = ready();
        let (a, _) = c.send(Request::Shutdown).unwrap();
        let (b, _) = c.send(Request::Shutdown).unwrap();
        assert_ne!(a, b);
        assert_eq!(c.outstanding(), 2);
    }

    #[test]
    fn events_pass_through_in_order() {
        let mut c = ready();
        let mut bytes = encode(&GuestMessage::Output {
            process: ProcessId(1),
            stream: Stream::Stderr,
            data: b"e".to_vec().into(),
        })
        .unwrap();
        bytes.extend(
            encode(&GuestMessage::Exited {
                process: ProcessId(1),
                status: ExitStatus::Signaled { signal: 9 },
            })
            .unwrap(),
        );
        c.handle_bytes(&bytes);
        assert!(matches!(
            c.poll_event(),
            Some(ClientEvent::Output {
                stream: Stream::Stderr,
                ..
            })
        ));
        assert!(matches!(
            c.poll_event(),
            Some(ClientEvent::Exited { status, .. }) if status.code() == 137
        ));
        assert!(c.poll_event().is_none());
    }
}
