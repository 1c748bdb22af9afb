//! Property tests: round trips through the frame and the decoder, corruption is always caught,
//! arbitrary bytes never panic and never make the decoder hold more than one frame.

use proptest::prelude::*;
use vmm_ref_proto::{
    Bytes, Decoder, Error, ErrorKind, ErrorReply, ExitStatus, GuestMessage, HEADER_LEN,
    HostMessage, MAX_FRAME, Mounts, ProcessId, ProcessSpec, Request, RequestId, Response, Stdio,
    Stream, encode,
};

fn text() -> impl Strategy<Value = String> {
    "\\PC{0,12}"
}

fn bytes() -> impl Strategy<Value = Bytes> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..64).prop_map(Bytes),
        text().prop_map(|s| Bytes(s.into_bytes())),
    ]
}

fn status() -> impl Strategy<Value = ExitStatus> {
    prop_oneof![
        (0..256i32).prop_map(|code| ExitStatus::Exited { code }),
        (1..65i32).prop_map(|signal| ExitStatus::Signaled { signal }),
    ]
}

fn spec() -> impl Strategy<Value = ProcessSpec> {
    (
        proptest::collection::vec(text(), 1..4),
        proptest::collection::vec(text(), 0..3),
        proptest::option::of(text()),
        proptest::option::of(text()),
        any::<bool>(),
        prop_oneof![
            Just(Mounts::Guest),
            Just(Mounts::Container),
            any::<u64>().prop_map(|p| Mounts::Join {
                process: ProcessId(p)
            }),
        ],
        proptest::option::of(text()),
    )
        .prop_map(|(argv, env, cwd, root, tty, mounts, lower)| ProcessSpec {
            argv,
            env,
            cwd,
            root,
            stdio: if tty { Stdio::Tty } else { Stdio::Pipes },
            mounts,
            lower,
        })
}

fn request() -> impl Strategy<Value = Request> {
    prop_oneof![
        any::<u32>().prop_map(|version| Request::Hello { version }),
        spec().prop_map(|spec| Request::Run { spec }),
        spec().prop_map(|spec| Request::Start { spec }),
        (any::<u64>(), any::<i32>()).prop_map(|(p, signal)| Request::Signal {
            process: ProcessId(p),
            signal
        }),
        any::<u64>().prop_map(|p| Request::Wait {
            process: ProcessId(p)
        }),
        Just(Request::Shutdown),
    ]
}

fn host_message() -> impl Strategy<Value = HostMessage> {
    (any::<u64>(), request()).prop_map(|(id, request)| HostMessage {
        id: RequestId(id),
        request,
    })
}

fn response() -> impl Strategy<Value = Response> {
    prop_oneof![
        any::<u32>().prop_map(|version| Response::Hello { version }),
        (status(), bytes(), bytes()).prop_map(|(status, stdout, stderr)| Response::Output {
            status,
            stdout,
            stderr
        }),
        (any::<u64>(), any::<i32>()).prop_map(|(p, pid)| Response::Started {
            process: ProcessId(p),
            pid
        }),
        status().prop_map(|status| Response::Exited { status }),
        Just(Response::Done),
    ]
}

fn error_kind() -> impl Strategy<Value = ErrorKind> {
    prop_oneof![
        Just(ErrorKind::BadRequest),
        Just(ErrorKind::UnsupportedVersion),
        Just(ErrorKind::NoSuchProcess),
        Just(ErrorKind::Spawn),
        Just(ErrorKind::Internal),
    ]
}

fn guest_message() -> impl Strategy<Value = GuestMessage> {
    prop_oneof![
        (any::<u32>(), text()).prop_map(|(version, agent)| GuestMessage::Hello { version, agent }),
        (
            any::<u64>(),
            prop_oneof![
                response().prop_map(Ok),
                (error_kind(), text(), proptest::option::of(any::<i32>())).prop_map(
                    |(k, m, errno)| Err(ErrorReply {
                        errno,
                        ..ErrorReply::new(k, m)
                    })
                )
            ]
        )
            .prop_map(|(id, result)| GuestMessage::Reply {
                id: RequestId(id),
                result
            }),
        (any::<u64>(), any::<bool>(), bytes()).prop_map(|(p, err, data)| GuestMessage::Output {
            process: ProcessId(p),
            stream: if err { Stream::Stderr } else { Stream::Stdout },
            data
        }),
        (any::<u64>(), status()).prop_map(|(p, status)| GuestMessage::Exited {
            process: ProcessId(p),
            status
        }),
        text().prop_map(|message| GuestMessage::Fatal { message }),
    ]
}

proptest! {
    #[test]
    fn host_messages_round_trip_in_any_chunking(
        messages in proptest::collection::vec(host_message(), 1..5),
        chunk in 1usize..64,
    ) {
        let mut wire = Vec::new();
        for m in &messages {
            wire.extend(encode(m).unwrap());
        }
        let mut d = Decoder::<HostMessage>::new();
        let mut got = Vec::new();
        for piece in wire.chunks(chunk) {
            for item in d.decode(piece) {
                got.push(item.unwrap());
            }
        }
        prop_assert_eq!(got, messages);
        prop_assert!(d.finish().is_ok());
    }

    #[test]
    fn guest_messages_round_trip(messages in proptest::collection::vec(guest_message(), 1..5)) {
        let mut wire = Vec::new();
        for m in &messages {
            wire.extend(encode(m).unwrap());
        }
        let got: Vec<GuestMessage> = Decoder::<GuestMessage>::new()
            .decode(&wire)
            .into_iter()
            .map(Result::unwrap)
            .collect();
        prop_assert_eq!(got, messages);
    }

    /// Flipping any one bit of a frame is detected: the decoder never returns a message that
    /// differs from the original, and always reports at least one error or waits for more.
    #[test]
    fn a_single_bit_flip_is_never_accepted_as_another_message(
        m in guest_message(),
        pos in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let mut wire = encode(&m).unwrap();
        let i = pos.index(wire.len());
        wire[i] ^= 1 << bit;
        let mut d = Decoder::<GuestMessage>::new();
        let out = d.decode(&wire);
        prop_assert!(out.iter().all(Result::is_err), "accepted a corrupt frame: {:?}", out);
        // Either an error was reported, or the decoder is waiting for bytes that a corrupted
        // length asked for (and `finish` reports the truncation).
        prop_assert!(!out.is_empty() || d.finish().is_err());
    }

    /// Dropping the tail of a frame never yields a message.
    #[test]
    fn truncation_never_yields_a_message(m in host_message(), cut in any::<prop::sample::Index>()) {
        let wire = encode(&m).unwrap();
        let keep = cut.index(wire.len());
        let mut d = Decoder::<HostMessage>::new();
        let out = d.decode(&wire[..keep]);
        prop_assert!(out.is_empty());
        let truncated = matches!(d.finish(), Err(Error::Truncated { .. }));
        prop_assert!(truncated || keep == 0);
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_stay_bounded(
        data in proptest::collection::vec(any::<u8>(), 0..2048),
        with_magic in any::<bool>(),
    ) {
        let mut input = Vec::new();
        if with_magic {
            input.extend_from_slice(b"VMRP\x00\x01\x00\x00");
        }
        input.extend(data);
        let mut d = Decoder::<GuestMessage>::new();
        let _ = d.decode(&input);
        prop_assert!(d.buffered() <= MAX_FRAME);
        prop_assert!(d.buffered() < HEADER_LEN + 2048);
    }

    /// Garbage between valid frames costs only the garbage: every valid frame after it decodes.
    #[test]
    fn the_decoder_resynchronises_after_garbage(
        messages in proptest::collection::vec(guest_message(), 1..4),
        noise in proptest::collection::vec(any::<u8>().prop_filter("not V", |b| *b != b'V'), 1..32),
    ) {
        let mut wire = Vec::new();
        for m in &messages {
            wire.extend_from_slice(&noise);
            wire.extend(encode(m).unwrap());
        }
        let out = Decoder::<GuestMessage>::new().decode(&wire);
        let ok: Vec<_> = out.into_iter().filter_map(Result::ok).collect();
        prop_assert_eq!(ok, messages);
    }
}
