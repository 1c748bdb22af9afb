//! `vmm-ref-agent probe ...`: the network half of probes and hooks, run as a child of the
//! agent in the guest (the host sends `Run` of `/init probe ...`). The guest's network
//! namespace is the pod's, so a connection from here is what the kubelet's prober does from
//! the pod's side, and no image needs `wget` or `nc`.
//!
//! - `probe tcp HOST PORT TIMEOUT_MS`: prints `connected` and exits 0, or explains on stderr
//!   and exits 1.
//! - `probe http HOST PORT PATH TIMEOUT_MS [NAME:VALUE]...`: sends `GET PATH HTTP/1.0` with
//!   the headers, prints `status NNN` (the answer's status code) and exits 0; exits 1 when
//!   there is no answer. Whether the status passes is the host's rule.
//! - `probe https ...`: the same over TLS, the server's certificate not verified (as the
//!   kubelet's prober; `vmm_ref_proto::tls`). A server that does not complete a TLS handshake
//!   (plain HTTP included) is no answer.
//!
//! Exit 2: bad arguments.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// What to probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Probe {
    /// A TCP connection.
    Tcp {
        /// Host.
        host: String,
        /// Port.
        port: u16,
        /// Timeout.
        timeout: Duration,
    },
    /// An HTTP GET.
    Http {
        /// Host.
        host: String,
        /// Port.
        port: u16,
        /// Path and query.
        path: String,
        /// Timeout.
        timeout: Duration,
        /// Extra headers.
        headers: Vec<(String, String)>,
        /// Over TLS (`https`).
        tls: bool,
    },
}

/// Parses the words after `probe`.
pub(crate) fn parse(args: &[String]) -> Result<Probe, String> {
    let port = |s: &str| s.parse::<u16>().map_err(|_| format!("bad port {s:?}"));
    let ms = |s: &str| {
        s.parse::<u64>()
            .map(Duration::from_millis)
            .map_err(|_| format!("bad timeout {s:?} (milliseconds)"))
    };
    match args {
        [kind, host, p, t] if kind == "tcp" => Ok(Probe::Tcp {
            host: host.clone(),
            port: port(p)?,
            timeout: ms(t)?,
        }),
        [kind, host, p, path, t, headers @ ..] if kind == "http" || kind == "https" => Ok(Probe::Http {
            tls: kind == "https",
            host: host.clone(),
            port: port(p)?,
            path: path.clone(),
            timeout: ms(t)?,
            headers: headers
                .iter()
                .map(|h| {
                    h.split_once(':')
                        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                        .ok_or_else(|| format!("bad header {h:?} (NAME:VALUE)"))
                })
                .collect::<Result<_, _>>()?,
        }),
        _ => Err("usage: probe tcp HOST PORT TIMEOUT_MS | probe http|https HOST PORT PATH TIMEOUT_MS [NAME:VALUE]...".to_owned()),
    }
}

fn connect(host: &str, port: u16, timeout: Duration) -> std::io::Result<TcpStream> {
    let timeout = timeout.max(Duration::from_millis(1));
    let addr = (host, port)
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| std::io::Error::other("no address"))?;
    let s = TcpStream::connect_timeout(&addr, timeout)?;
    s.set_read_timeout(Some(timeout))?;
    s.set_write_timeout(Some(timeout))?;
    Ok(s)
}

/// Runs the probe: `Ok(line to print)` when it got an answer.
pub(crate) fn run(p: &Probe) -> Result<String, String> {
    match p {
        Probe::Tcp {
            host,
            port,
            timeout,
        } => connect(host, *port, *timeout)
            .map(|_| "connected".to_owned())
            .map_err(|e| format!("connect {host}:{port}: {e}")),
        Probe::Http {
            host,
            port,
            path,
            timeout,
            headers,
            tls,
        } => {
            let s = connect(host, *port, *timeout)
                .map_err(|e| format!("connect {host}:{port}: {e}"))?;
            if *tls {
                https(s, host, *port, path, headers)
            } else {
                get(s, host, *port, path, headers)
            }
        }
    }
}

/// [`get`] over TLS, the server's certificate not verified.
#[cfg(feature = "https")]
fn https(
    s: TcpStream,
    host: &str,
    port: u16,
    path: &str,
    headers: &[(String, String)],
) -> Result<String, String> {
    let conn = vmm_ref_proto::tls::insecure_client(host)
        .map_err(|e| format!("TLS to {host}:{port}: {e}"))?;
    let stream = vmm_ref_proto::tls::rustls::StreamOwned::new(conn, s);
    get(stream, host, port, path, headers)
}

/// Without the `https` feature: an honest failure.
#[cfg(not(feature = "https"))]
fn https(
    _s: TcpStream,
    host: &str,
    port: u16,
    _path: &str,
    _headers: &[(String, String)],
) -> Result<String, String> {
    Err(format!(
        "https to {host}:{port}: this agent was built without the https feature"
    ))
}

/// Sends `GET path` with the headers and reads the status line: `status NNN`.
fn get<S: Read + Write>(
    mut s: S,
    host: &str,
    port: u16,
    path: &str,
    headers: &[(String, String)],
) -> Result<String, String> {
    let mut req = format!("GET {path} HTTP/1.0\r\nHost: {host}:{port}\r\nUser-Agent: vmm-ref\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes())
        .map_err(|e| format!("send to {host}:{port}: {e}"))?;
    let mut line = String::new();
    BufReader::new(s)
        .read_line(&mut line)
        .map_err(|e| format!("read from {host}:{port}: {e}"))?;
    line.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse::<u16>().ok())
        .map(|c| format!("status {c}"))
        .ok_or_else(|| format!("{host}:{port} did not answer HTTP: {:?}", line.trim()))
}

/// `vmm-ref-agent probe ...`: never returns.
pub(crate) fn main(args: &[String]) -> ! {
    let probe = match parse(args) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("vmm-ref-agent: {e}");
            std::process::exit(2);
        }
    };
    match run(&probe) {
        Ok(line) => {
            println!("{line}");
            std::process::exit(0)
        }
        Err(e) => {
            eprintln!("vmm-ref-agent: probe: {e}");
            std::process::exit(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::net::TcpListener;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn arguments_parse_for_both_kinds() {
        assert_eq!(
            parse(&words("tcp 127.0.0.1 80 1000")),
            Ok(Probe::Tcp {
                host: "127.0.0.1".into(),
                port: 80,
                timeout: Duration::from_secs(1)
            })
        );
        let Ok(Probe::Http {
            path, headers, tls, ..
        }) = parse(&words("http localhost 8080 /healthz?x=1 500 X-A:b"))
        else {
            panic!()
        };
        assert!(!tls);
        assert!(matches!(
            parse(&words("https localhost 8443 / 500")),
            Ok(Probe::Http { tls: true, .. })
        ));
        assert_eq!(path, "/healthz?x=1");
        assert_eq!(headers, [("X-A".to_owned(), "b".to_owned())]);
        assert!(parse(&words("tcp h 99999 1")).is_err());
        assert!(parse(&words("http h 1 / 1 noheader")).is_err());
        assert!(parse(&words("udp h 1 1")).is_err());
    }

    #[test]
    fn http_reports_the_status_and_sends_the_headers() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let (mut s, _) = l.accept().unwrap();
            let mut buf = [0u8; 1024];
            let n = s.read(&mut buf).unwrap();
            s.write_all(b"HTTP/1.1 503 Busy\r\n\r\n").unwrap();
            String::from_utf8_lossy(&buf[..n]).into_owned()
        });
        let p = Probe::Http {
            host: "127.0.0.1".into(),
            port,
            path: "/h?reason=Delete".into(),
            timeout: Duration::from_secs(5),
            headers: vec![("X-Probe".into(), "yes".into())],
            tls: false,
        };
        assert_eq!(run(&p), Ok("status 503".to_owned()));
        let request = server.join().unwrap();
        assert!(
            request.starts_with("GET /h?reason=Delete HTTP/1.0\r\n"),
            "{request}"
        );
        assert!(request.contains("X-Probe: yes\r\n"), "{request}");
    }

    #[cfg(feature = "https")]
    /// A TLS server on a local port (the self-signed test certificate, for another name) that
    /// answers one request with `answer`; its thread returns the request.
    fn tls_server(answer: &'static [u8]) -> (u16, std::thread::JoinHandle<String>) {
        use vmm_ref_proto::tls::rustls::{ServerConnection, StreamOwned};
        let config = vmm_ref_proto::tls::test_server_config();
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let t = std::thread::spawn(move || {
            let (s, _) = l.accept().unwrap();
            let conn = ServerConnection::new(config).unwrap();
            let mut tls = StreamOwned::new(conn, s);
            let mut buf = [0u8; 1024];
            let n = tls.read(&mut buf).unwrap_or(0);
            let _ = tls.write_all(answer);
            tls.conn.send_close_notify();
            let _ = tls.flush();
            String::from_utf8_lossy(&buf[..n]).into_owned()
        });
        (port, t)
    }

    #[cfg(feature = "https")]
    #[test]
    fn https_is_made_over_tls_accepting_a_certificate_for_another_name() {
        let (port, server) = tls_server(b"HTTP/1.1 204 No Content\r\n\r\n");
        let p = Probe::Http {
            host: "127.0.0.1".into(),
            port,
            path: "/healthz".into(),
            timeout: Duration::from_secs(5),
            headers: vec![],
            tls: true,
        };
        assert_eq!(run(&p), Ok("status 204".to_owned()));
        let request = server.join().unwrap();
        assert!(
            request.starts_with("GET /healthz HTTP/1.0\r\n"),
            "the request went through TLS: {request:?}"
        );
    }

    #[cfg(feature = "https")]
    #[test]
    fn https_to_a_plain_http_server_is_no_answer() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let (mut s, _) = l.accept().unwrap();
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\n\r\n");
        });
        let p = Probe::Http {
            host: "127.0.0.1".into(),
            port,
            path: "/".into(),
            timeout: Duration::from_secs(5),
            headers: vec![],
            tls: true,
        };
        assert!(run(&p).is_err(), "plain HTTP is not an HTTPS answer");
        server.join().unwrap();
    }

    #[test]
    fn tcp_succeeds_on_a_listener_and_fails_without_one() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let tcp = |port| Probe::Tcp {
            host: "127.0.0.1".into(),
            port,
            timeout: Duration::from_secs(2),
        };
        assert_eq!(run(&tcp(port)), Ok("connected".to_owned()));
        drop(l);
        assert!(run(&tcp(port)).is_err());
    }
}
