//! The agent's one thread: `poll(2)` over the channel, a SIGCHLD signalfd and every process's
//! output, feeding the [`Core`] and performing its actions.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read as _, Write};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};

use vmm_ref_proto::{
    Decoder, ErrorKind, ErrorReply, GuestMessage, HostMessage, ProcessId, Stream, encode,
};

use crate::handler::{Action, Core};
use crate::log;
use crate::spawn::{Io, RealSpawner};
use crate::sys;

/// The biggest output chunk sent as one [`GuestMessage::Output`].
const CHUNK: usize = 16 * 1024;

/// How the loop ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Ending {
    /// The host asked for a shutdown.
    Shutdown,
    /// The channel reached end of file (the host went away).
    ChannelClosed,
}

/// The channel: where requests come from and messages go.
#[derive(Debug)]
pub(crate) struct Channel {
    pub(crate) read: File,
    pub(crate) write: File,
}

impl Channel {
    /// Writes a whole message, waiting for room when the channel is non-blocking.
    pub(crate) fn send(&mut self, message: &GuestMessage) -> io::Result<()> {
        let bytes = match encode(message) {
            Ok(b) => b,
            Err(e) => {
                // Only a reply can be too big (output chunks are bounded); say so instead.
                let GuestMessage::Reply { id, .. } = message else {
                    return Err(io::Error::other(e.to_string()));
                };
                encode(&GuestMessage::Reply {
                    id: *id,
                    result: Err(ErrorReply::new(ErrorKind::Internal, e.to_string())),
                })
                .map_err(|e| io::Error::other(e.to_string()))?
            }
        };
        let mut rest = &bytes[..];
        while !rest.is_empty() {
            match self.write.write(rest) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => rest = &rest[n..],
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    let mut p = [libc::pollfd {
                        fd: self.write.as_raw_fd(),
                        events: libc::POLLOUT,
                        revents: 0,
                    }];
                    sys::poll(&mut p, -1)?;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// One watched output stream.
#[derive(Debug)]
struct Watch {
    process: ProcessId,
    stream: Stream,
    file: File,
}

/// Runs until shutdown or until the channel closes. Errors are I/O errors on the channel or
/// the signalfd: nothing the loop can recover from.
pub(crate) fn run(channel: &mut Channel, debug: bool) -> io::Result<Ending> {
    let sigchld: OwnedFd = sys::sigchld_fd()?;
    let mut core = Core::new(RealSpawner);
    let mut decoder = Decoder::<HostMessage>::new();
    // Keyed by the raw descriptor, which is unique while the file is open.
    let mut watches: BTreeMap<RawFd, Watch> = BTreeMap::new();
    channel.send(&Core::<RealSpawner>::hello())?;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let mut fds = vec![
            libc::pollfd {
                fd: channel.read.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: sigchld.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        fds.extend(watches.keys().map(|&fd| libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        }));
        sys::poll(&mut fds, -1)?;

        // Output first, so that an exit seen in this round comes after it.
        for p in &fds[2..] {
            if p.revents != 0 {
                let (_, actions) = read_watch(&mut core, &mut watches, p.fd, &mut buf);
                if perform(channel, &mut watches, actions)? {
                    return Ok(Ending::Shutdown);
                }
            }
        }

        if fds[1].revents != 0 {
            sys::drain_signalfd(sigchld.as_raw_fd());
            for (pid, status) in sys::reap() {
                let Some(process) = core.process_of(pid) else {
                    continue; // an orphan we inherited as PID 1
                };
                // Drain what the process wrote before it exited, then stop watching it.
                let mine: Vec<RawFd> = watches
                    .iter()
                    .filter(|(_, w)| w.process == process)
                    .map(|(fd, _)| *fd)
                    .collect();
                let mut actions = Vec::new();
                for fd in mine {
                    loop {
                        let (read, a) = read_watch(&mut core, &mut watches, fd, &mut buf);
                        actions.extend(a);
                        if read != Read::Data {
                            break;
                        }
                    }
                    watches.remove(&fd);
                }
                actions.extend(core.on_exit(process, status));
                if perform(channel, &mut watches, actions)? {
                    return Ok(Ending::Shutdown);
                }
            }
        }

        if fds[0].revents != 0 {
            match channel.read.read(&mut buf) {
                Ok(0) => return Ok(Ending::ChannelClosed),
                Ok(n) => {
                    for item in decoder.decode(&buf[..n]) {
                        match item {
                            Ok(message) => {
                                if debug {
                                    log(&format!("request {message:?}"));
                                }
                                let actions = core.handle_request(message);
                                if perform(channel, &mut watches, actions)? {
                                    return Ok(Ending::Shutdown);
                                }
                            }
                            // The host is trusted; a bad frame is line noise. Say so and go on
                            // (the decoder has resynchronised).
                            Err(e) => log(&format!("bad frame from the host: {e}")),
                        }
                    }
                }
                Err(e)
                    if e.kind() == io::ErrorKind::WouldBlock
                        || e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

/// What one read from a watched stream found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    /// Some bytes (there may be more).
    Data,
    /// Nothing right now.
    Nothing,
    /// End of file: the watch is gone.
    End,
}

/// Reads one chunk from a watched stream and hands it to the core.
fn read_watch(
    core: &mut Core<RealSpawner>,
    watches: &mut BTreeMap<RawFd, Watch>,
    fd: RawFd,
    buf: &mut [u8],
) -> (Read, Vec<Action<Io>>) {
    let Some(w) = watches.get_mut(&fd) else {
        return (Read::End, Vec::new());
    };
    let limit = buf.len().min(CHUNK);
    match w.file.read(&mut buf[..limit]) {
        Ok(0) => {
            watches.remove(&fd);
            (Read::End, Vec::new())
        }
        Ok(n) => {
            let (process, stream) = (w.process, w.stream);
            (Read::Data, core.on_output(process, stream, &buf[..n]))
        }
        Err(e)
            if e.kind() == io::ErrorKind::WouldBlock || e.kind() == io::ErrorKind::Interrupted =>
        {
            (Read::Nothing, Vec::new())
        }
        // EIO: a terminal whose other side is closed (the process exited). Treat as the end.
        Err(_) => {
            watches.remove(&fd);
            (Read::End, Vec::new())
        }
    }
}

/// Performs actions; returns true when the guest must power off.
fn perform(
    channel: &mut Channel,
    watches: &mut BTreeMap<RawFd, Watch>,
    actions: Vec<Action<Io>>,
) -> io::Result<bool> {
    for a in actions {
        match a {
            Action::Send(m) => channel.send(&m)?,
            Action::Watch { process, io } => {
                let Io { stdout, stderr } = io;
                watches.insert(
                    stdout.as_raw_fd(),
                    Watch {
                        process,
                        stream: Stream::Stdout,
                        file: stdout,
                    },
                );
                if let Some(e) = stderr {
                    watches.insert(
                        e.as_raw_fd(),
                        Watch {
                            process,
                            stream: Stream::Stderr,
                            file: e,
                        },
                    );
                }
            }
            Action::PowerOff => return Ok(true),
        }
    }
    Ok(false)
}
