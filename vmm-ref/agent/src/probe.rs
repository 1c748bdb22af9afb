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
//!   (plain HTTP included) is no answer. The host asks this for probes.
//! - `probe https-or-http ...`: the same, but a server that answers the TLS handshake in plain
//!   HTTP (its first bytes are `HTTP/`) is asked again over plain HTTP, without the
//!   `Authorization` header, within what is left of the timeout; that answer counts, and a
//!   line `warning: LifecycleHTTPFallback: ...` on stderr says so. The kubelet does this for
//!   lifecycle hooks only, and so the host asks it for hooks.
//!
//! Exit 2: bad arguments.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

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
        /// How.
        scheme: Scheme,
    },
}

/// How an HTTP GET is made: the kind word of `probe`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// `http`.
    Http,
    /// `https`: over TLS; a server answering in plain HTTP is no answer (probes).
    Https,
    /// `https-or-http`: over TLS, and again over plain HTTP when the server answered the
    /// handshake in plain HTTP (hooks, as the kubelet).
    HttpsOrHttp,
}

impl Scheme {
    /// The scheme a kind word names.
    fn from_word(word: &str) -> Option<Self> {
        match word {
            "http" => Some(Self::Http),
            "https" => Some(Self::Https),
            "https-or-http" => Some(Self::HttpsOrHttp),
            _ => None,
        }
    }
}

/// What a probe that got an answer reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Answer {
    /// The TCP connection was made: prints `connected`.
    Connected,
    /// An HTTP answer: prints `status NNN`.
    Status(u16),
    /// An HTTPS request met a plain HTTP server and was made again over HTTP (`https-or-http`):
    /// prints `status NNN`, and the warning on stderr.
    #[cfg_attr(not(feature = "https"), allow(dead_code))]
    StatusOverHttp {
        /// The plain HTTP answer's status code.
        code: u16,
        /// What to tell the user (`vmm_ref_proto::tls::fallback_warning`).
        warning: String,
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
        [kind, host, p, path, t, headers @ ..] if Scheme::from_word(kind).is_some() => Ok(Probe::Http {
            scheme: Scheme::from_word(kind).unwrap_or(Scheme::Http),
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
        _ => Err("usage: probe tcp HOST PORT TIMEOUT_MS | probe http|https|https-or-http HOST PORT PATH TIMEOUT_MS [NAME:VALUE]...".to_owned()),
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

/// Runs the probe: `Ok` when it got an answer.
pub(crate) fn run(p: &Probe) -> Result<Answer, String> {
    match p {
        Probe::Tcp {
            host,
            port,
            timeout,
        } => connect(host, *port, *timeout)
            .map(|_| Answer::Connected)
            .map_err(|e| format!("connect {host}:{port}: {e}")),
        Probe::Http {
            host,
            port,
            path,
            timeout,
            headers,
            scheme,
        } => {
            let deadline = Instant::now() + *timeout;
            let s = connect(host, *port, *timeout)
                .map_err(|e| format!("connect {host}:{port}: {e}"))?;
            let target = Target {
                host,
                port: *port,
                path,
                headers,
            };
            match scheme {
                Scheme::Http => get(s, &target).map(Answer::Status),
                Scheme::Https => https(s, &target, None),
                Scheme::HttpsOrHttp => https(s, &target, Some(deadline)),
            }
        }
    }
}

/// Where an HTTP GET goes, and what it sends.
struct Target<'a> {
    host: &'a str,
    port: u16,
    path: &'a str,
    headers: &'a [(String, String)],
}

/// [`get`] over TLS, the server's certificate not verified; with a `fallback` deadline, again
/// over plain HTTP before it when the server answered the handshake in plain HTTP.
#[cfg(feature = "https")]
fn https(s: TcpStream, t: &Target<'_>, fallback: Option<Instant>) -> Result<Answer, String> {
    use vmm_ref_proto::tls;
    let (host, port) = (t.host, t.port);
    let conn = tls::insecure_client(host).map_err(|e| format!("TLS to {host}:{port}: {e}"))?;
    let mut stream = tls::rustls::StreamOwned::new(conn, tls::FirstBytes::new(s));
    let error = match get(&mut stream, t) {
        Ok(code) => return Ok(Answer::Status(code)),
        Err(e) => e,
    };
    let Some(deadline) = fallback.filter(|_| stream.sock.answered_plain_http()) else {
        return Err(error);
    };
    let left = deadline.saturating_duration_since(Instant::now());
    let s = connect(host, port, left).map_err(|e| format!("connect {host}:{port}: {e}"))?;
    let headers = tls::fallback_headers(t.headers);
    let code = get(
        s,
        &Target {
            headers: &headers,
            ..*t
        },
    )
    .map_err(|e| format!("{error}; over HTTP: {e}"))?;
    Ok(Answer::StatusOverHttp {
        code,
        warning: tls::fallback_warning(host, port, code),
    })
}

/// Without the `https` feature: an honest failure.
#[cfg(not(feature = "https"))]
fn https(_s: TcpStream, t: &Target<'_>, _fallback: Option<Instant>) -> Result<Answer, String> {
    Err(format!(
        "https to {}:{}: this agent was built without the https feature",
        t.host, t.port
    ))
}

/// Sends `GET path` with the headers and reads the status line: the status code.
fn get<S: Read + Write>(mut s: S, t: &Target<'_>) -> Result<u16, String> {
    let (host, port, path) = (t.host, t.port, t.path);
    let mut req = format!("GET {path} HTTP/1.0\r\nHost: {host}:{port}\r\nUser-Agent: vmm-ref\r\n");
    for (k, v) in t.headers {
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
        Ok(answer) => {
            let (stdout, stderr) = answer.printed();
            if let Some(line) = stderr {
                eprintln!("{line}");
            }
            println!("{stdout}");
            std::process::exit(0)
        }
        Err(e) => {
            eprintln!("vmm-ref-agent: probe: {e}");
            std::process::exit(1)
        }
    }
}

impl Answer {
    /// What `probe` prints: its stdout line (`connected` or `status NNN`, which the host
    /// reads), and a `warning: ...` line for stderr, which the host shows the user.
    fn printed(&self) -> (String, Option<String>) {
        match self {
            Self::Connected => ("connected".to_owned(), None),
            Self::Status(code) => (format!("status {code}"), None),
            Self::StatusOverHttp { code, warning } => (
                format!("status {code}"),
                Some(format!("warning: {warning}")),
            ),
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

    /// An HTTP probe of `127.0.0.1:port`.
    fn http(scheme: Scheme, port: u16, headers: &[(&str, &str)]) -> Probe {
        Probe::Http {
            host: "127.0.0.1".into(),
            port,
            path: "/healthz".into(),
            timeout: Duration::from_secs(5),
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            scheme,
        }
    }

    #[test]
    fn arguments_parse_for_every_kind() {
        assert_eq!(
            parse(&words("tcp 127.0.0.1 80 1000")),
            Ok(Probe::Tcp {
                host: "127.0.0.1".into(),
                port: 80,
                timeout: Duration::from_secs(1)
            })
        );
        let Ok(Probe::Http {
            path,
            headers,
            scheme,
            ..
        }) = parse(&words("http localhost 8080 /healthz?x=1 500 X-A:b"))
        else {
            panic!()
        };
        assert_eq!(scheme, Scheme::Http);
        for (word, scheme) in [
            ("https", Scheme::Https),
            ("https-or-http", Scheme::HttpsOrHttp),
        ] {
            assert!(
                matches!(
                    parse(&words(&format!("{word} localhost 8443 / 500"))),
                    Ok(Probe::Http { scheme: s, .. }) if s == scheme
                ),
                "{word}"
            );
        }
        assert_eq!(path, "/healthz?x=1");
        assert_eq!(headers, [("X-A".to_owned(), "b".to_owned())]);
        assert!(parse(&words("tcp h 99999 1")).is_err());
        assert!(parse(&words("http h 1 / 1 noheader")).is_err());
        assert!(parse(&words("udp h 1 1")).is_err());
        assert!(parse(&words("http-or-https h 1 / 1")).is_err());
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
        let mut p = http(Scheme::Http, port, &[("X-Probe", "yes")]);
        if let Probe::Http { path, .. } = &mut p {
            *path = "/h?reason=Delete".into();
        }
        assert_eq!(run(&p), Ok(Answer::Status(503)));
        let request = server.join().unwrap();
        assert!(
            request.starts_with("GET /h?reason=Delete HTTP/1.0\r\n"),
            "{request}"
        );
        assert!(request.contains("X-Probe: yes\r\n"), "{request}");
    }

    #[cfg(feature = "https")]
    use vmm_ref_proto::tls::TestServer;

    /// The first byte of a TLS handshake record (the ClientHello a plain server receives).
    #[cfg(feature = "https")]
    const TLS_HANDSHAKE: u8 = 0x16;

    #[cfg(feature = "https")]
    #[test]
    fn https_is_made_over_tls_accepting_a_certificate_for_another_name() {
        for scheme in [Scheme::Https, Scheme::HttpsOrHttp] {
            let server = TestServer::start(true, b"HTTP/1.1 204 No Content\r\n\r\n");
            assert_eq!(
                run(&http(scheme, server.port(), &[])),
                Ok(Answer::Status(204))
            );
            let requests = server.finish();
            assert_eq!(requests.len(), 1, "{scheme:?}: one connection");
            assert!(
                requests[0].starts_with(b"GET /healthz HTTP/1.0\r\n"),
                "the request went through TLS: {:?}",
                String::from_utf8_lossy(&requests[0])
            );
        }
    }

    #[cfg(feature = "https")]
    #[test]
    fn https_is_not_asked_again_over_http_by_a_probe_nor_of_a_server_that_is_not_http() {
        let cases: [(Scheme, &'static [u8]); 2] = [
            // A probe: plain HTTP is not an HTTPS answer.
            (Scheme::Https, b"HTTP/1.1 200 OK\r\n\r\n"),
            // A hook, but the server speaks neither TLS nor HTTP.
            (Scheme::HttpsOrHttp, b"SSH-2.0-OpenSSH_9.2\r\n"),
        ];
        for (scheme, answer) in cases {
            let server = TestServer::start(false, answer);
            let got = run(&http(scheme, server.port(), &[]));
            assert!(got.is_err(), "{scheme:?}: {got:?}");
            let requests = server.finish();
            assert_eq!(requests.len(), 1, "{scheme:?}: no retry over HTTP");
            assert_eq!(requests[0].first(), Some(&TLS_HANDSHAKE));
        }
    }

    #[cfg(feature = "https")]
    #[test]
    fn an_https_hook_to_a_plain_http_server_is_made_again_over_http_without_authorization() {
        let server = TestServer::start(false, b"HTTP/1.1 200 OK\r\n\r\n");
        let headers = [("Authorization", "Bearer secret"), ("X-Hook", "yes")];
        let got = run(&http(Scheme::HttpsOrHttp, server.port(), &headers));
        let Ok(Answer::StatusOverHttp { code, warning }) = got else {
            panic!("expected an answer over HTTP: {got:?}");
        };
        assert_eq!(code, 200);
        assert!(
            warning.starts_with("LifecycleHTTPFallback: ") && warning.contains("status 200"),
            "{warning}"
        );
        let retry = server.finish_fallback();
        assert!(retry.starts_with("GET /healthz HTTP/1.0\r\n"), "{retry}");
        assert!(retry.contains("X-Hook: yes\r\n"), "{retry}");
    }

    #[test]
    fn answers_print_what_the_host_reads_and_warnings_go_to_stderr() {
        assert_eq!(Answer::Connected.printed(), ("connected".to_owned(), None));
        assert_eq!(
            Answer::Status(503).printed(),
            ("status 503".to_owned(), None)
        );
        let fell_back = Answer::StatusOverHttp {
            code: 200,
            warning: "LifecycleHTTPFallback: x".into(),
        };
        assert_eq!(
            fell_back.printed(),
            (
                "status 200".to_owned(),
                Some("warning: LifecycleHTTPFallback: x".to_owned())
            )
        );
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
        assert_eq!(run(&tcp(port)), Ok(Answer::Connected));
        drop(l);
        assert!(run(&tcp(port)).is_err());
    }
}
