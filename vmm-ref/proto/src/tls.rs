//! HTTPS for httpGet probes and hooks, as Kubernetes makes them: over TLS, **without verifying
//! the server's certificate** (the kubelet's prober sets `InsecureSkipVerify`; a pod's serving
//! certificate is usually self-signed or for a name the prober does not use). The handshake
//! itself is checked: the server must prove it holds the key of the certificate it sent
//! (TLS 1.2 and 1.3 signatures are verified with the provider's algorithms), so this is TLS
//! with an unauthenticated server, not a plain connection in disguise.
//!
//! Sans I/O like the rest of the crate: [`insecure_client`] gives a [`rustls::ClientConnection`]
//! (a state machine); the caller moves its bytes over a socket (`rustls::StreamOwned`).
//! [`FirstBytes`] wrapped around that socket tells a server that answered in plain HTTP, which
//! lifecycle hooks then ask again over HTTP ([`fallback_headers`], [`fallback_warning`]).
//! Behind the `tls` feature (rustls with the `ring` provider). The one exception to "no I/O"
//! is hidden from the docs and only for tests: [`TestServer`], the local TLS or plain HTTP
//! server the agent's and the process runtime's client tests share.
//!
//! # Examples
//!
//! ```
//! let conn = vmm_ref_proto::tls::insecure_client("127.0.0.1").unwrap();
//! assert!(conn.is_handshaking());
//! ```

use std::io::{Read, Write};
use std::sync::{Arc, OnceLock};

pub use rustls;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, SignatureScheme};

/// A verifier that accepts any certificate chain for any name, and checks the handshake's
/// signatures against the certificate the server sent.
#[derive(Debug)]
struct AnyCertificate {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The one client configuration (built once).
fn config() -> Result<Arc<ClientConfig>, rustls::Error> {
    static CONFIG: OnceLock<Arc<ClientConfig>> = OnceLock::new();
    if let Some(c) = CONFIG.get() {
        return Ok(Arc::clone(c));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(AnyCertificate {
        algorithms: provider.signature_verification_algorithms,
    });
    let config = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(Arc::clone(CONFIG.get_or_init(|| Arc::new(config))))
}

/// A TLS client for `host` (a DNS name, sent as SNI, or an IP address) that accepts any server
/// certificate (module docs).
///
/// # Errors
///
/// A `host` that is neither a DNS name nor an IP address, or a configuration rustls refuses.
///
/// # Examples
///
/// ```
/// assert!(vmm_ref_proto::tls::insecure_client("web.default.svc").is_ok());
/// assert!(vmm_ref_proto::tls::insecure_client("not a name").is_err());
/// ```
pub fn insecure_client(host: &str) -> Result<ClientConnection, rustls::Error> {
    let name = ServerName::try_from(host.to_owned())
        .map_err(|e| rustls::Error::General(format!("bad server name {host:?}: {e}")))?;
    ClientConnection::new(config()?, name)
}

/// A stream that remembers the first bytes it read, so that a failed TLS handshake can tell
/// whether the server answered in plain HTTP ([`Self::answered_plain_http`]).
///
/// The kubelet tells it the way Go's HTTP client does ("server gave HTTP response to HTTPS
/// client": the first five bytes where a TLS record header should be are `HTTP/`), and then
/// retries its lifecycle hooks over HTTP, never its probes (`spec/kubernetes.md`, section 4).
/// Wrap the socket in it, give it to a [`rustls::StreamOwned`], and after an error ask the
/// `sock` what came.
///
/// # Examples
///
/// ```
/// use std::io::Read;
/// use vmm_ref_proto::tls::FirstBytes;
/// let mut s = FirstBytes::new(std::io::Cursor::new(b"HTTP/1.1 400 Bad Request\r\n".to_vec()));
/// let mut buf = [0u8; 3];
/// s.read_exact(&mut buf).unwrap(); // "HTT": too early to tell
/// assert!(!s.answered_plain_http());
/// s.read_exact(&mut buf).unwrap();
/// assert!(s.answered_plain_http());
/// ```
#[derive(Debug)]
pub struct FirstBytes<S> {
    inner: S,
    first: [u8; 5],
    len: usize,
}

impl<S> FirstBytes<S> {
    /// Wraps `inner`; nothing read yet.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = vmm_ref_proto::tls::FirstBytes::new(std::io::empty());
    /// assert!(!s.answered_plain_http());
    /// ```
    pub const fn new(inner: S) -> Self {
        Self {
            inner,
            first: [0; 5],
            len: 0,
        }
    }

    /// Whether the first five bytes read were `HTTP/`: a plain HTTP server's status line,
    /// where a TLS server's first record should be.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Read;
    /// let tls_record = [0x16, 0x03, 0x03, 0x00, 0x2a];
    /// let mut s = vmm_ref_proto::tls::FirstBytes::new(&tls_record[..]);
    /// s.read_exact(&mut [0u8; 5]).unwrap();
    /// assert!(!s.answered_plain_http());
    /// ```
    #[must_use]
    pub fn answered_plain_http(&self) -> bool {
        self.first[..self.len] == *b"HTTP/"
    }
}

impl<S: Read> Read for FirstBytes<S> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let take = (self.first.len() - self.len).min(n);
        self.first[self.len..self.len + take].copy_from_slice(&buf[..take]);
        self.len += take;
        Ok(n)
    }
}

impl<S: Write> Write for FirstBytes<S> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The `Authorization` header is not sent again over plain HTTP when a hook falls back from
/// HTTPS (as the kubelet): `headers` without it, whatever its case.
///
/// # Examples
///
/// ```
/// let h = vec![("authorization".to_owned(), "Bearer x".to_owned()), ("X-A".to_owned(), "b".to_owned())];
/// assert_eq!(vmm_ref_proto::tls::fallback_headers(&h), [("X-A".to_owned(), "b".to_owned())]);
/// ```
#[must_use]
pub fn fallback_headers(headers: &[(String, String)]) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("authorization"))
        .cloned()
        .collect()
}

/// The kubelet's event reason for a hook that fell back from HTTPS to HTTP.
pub const HTTP_FALLBACK_REASON: &str = "LifecycleHTTPFallback";

/// The warning both runtimes show when a hook fell back from HTTPS to HTTP (reason
/// [`HTTP_FALLBACK_REASON`]), with the status of the plain HTTP answer.
///
/// # Examples
///
/// ```
/// let w = vmm_ref_proto::tls::fallback_warning("10.0.0.2", 8443, 200);
/// assert!(w.starts_with("LifecycleHTTPFallback: "), "{w}");
/// assert!(w.contains("10.0.0.2:8443") && w.ends_with("status 200"), "{w}");
/// ```
#[must_use]
pub fn fallback_warning(host: &str, port: u16, status: u16) -> String {
    format!(
        "{HTTP_FALLBACK_REASON}: the HTTPS hook request to {host}:{port} got a plain HTTP \
         answer; retried over HTTP: status {status}"
    )
}

/// A TLS server configuration for tests of HTTPS clients in this workspace (the agent's
/// probes, the process runtime's): the self-signed certificate in `testdata/`, made for another
/// name than the one clients connect to, so it passes only because verification is skipped.
///
/// # Panics
///
/// Never with the certificate and key shipped in `testdata/` (they are parsed here).
///
/// # Examples
///
/// ```
/// let server = vmm_ref_proto::tls::rustls::ServerConnection::new(
///     vmm_ref_proto::tls::test_server_config(),
/// );
/// assert!(server.is_ok());
/// ```
#[doc(hidden)]
#[must_use]
pub fn test_server_config() -> Arc<rustls::ServerConfig> {
    use rustls::pki_types::PrivateKeyDer;
    use rustls::pki_types::pem::PemObject;
    let cert = CertificateDer::from_pem_slice(include_bytes!("../testdata/tls-cert.pem"))
        .expect("the test certificate parses");
    let key = PrivateKeyDer::from_pem_slice(include_bytes!("../testdata/tls-key.pem"))
        .expect("the test key parses");
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("ring offers the default protocol versions")
    .with_no_client_auth()
    .with_single_cert(vec![cert], key)
    .expect("the test key matches its certificate");
    Arc::new(config)
}

/// A server on a local port for tests of the HTTPS clients in this workspace (the agent's
/// probes, the process runtime's): over TLS with [`test_server_config`], or in plain HTTP. It
/// serves one connection after another: reads once (the request, or for a plain server met by
/// a TLS client, its ClientHello), answers `answer`, and closes (over TLS with a
/// close_notify), until [`TestServer::finish`].
///
/// # Examples
///
/// ```
/// use std::io::{Read, Write};
/// let server = vmm_ref_proto::tls::TestServer::start(false, b"HTTP/1.1 204 No Content\r\n\r\n");
/// let mut c = std::net::TcpStream::connect(("127.0.0.1", server.port())).unwrap();
/// c.write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
/// let mut answer = String::new();
/// c.read_to_string(&mut answer).unwrap();
/// assert!(answer.starts_with("HTTP/1.1 204"));
/// assert_eq!(server.finish(), [b"GET / HTTP/1.0\r\n\r\n".to_vec()]);
/// ```
#[doc(hidden)]
#[derive(Debug)]
pub struct TestServer {
    port: u16,
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<Vec<Vec<u8>>>>,
}

impl TestServer {
    /// Starts serving on a free port of 127.0.0.1.
    ///
    /// # Panics
    ///
    /// When no local port can be had (a test environment without loopback).
    ///
    /// # Examples
    ///
    /// ```
    /// let server = vmm_ref_proto::tls::TestServer::start(true, b"HTTP/1.1 200 OK\r\n\r\n");
    /// assert_ne!(server.port(), 0);
    /// ```
    #[must_use]
    pub fn start(tls: bool, answer: &'static [u8]) -> Self {
        use std::sync::atomic::{AtomicBool, Ordering};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a local port");
        let port = listener.local_addr().expect("a bound address").port();
        listener
            .set_nonblocking(true)
            .expect("a non-blocking listener");
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let config = tls.then(test_server_config);
        let thread = std::thread::spawn(move || {
            let mut requests = Vec::new();
            while !stopped.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((s, _)) => requests.push(serve_one(s, config.clone(), answer)),
                    Err(_) => std::thread::sleep(std::time::Duration::from_millis(2)),
                }
            }
            requests
        });
        Self {
            port,
            stop,
            thread: Some(thread),
        }
    }

    /// The port it listens on.
    ///
    /// # Examples
    ///
    /// ```
    /// let server = vmm_ref_proto::tls::TestServer::start(false, b"");
    /// assert!(std::net::TcpStream::connect(("127.0.0.1", server.port())).is_ok());
    /// ```
    #[must_use]
    pub const fn port(&self) -> u16 {
        self.port
    }

    /// Stops it: what each connection sent, in order (over TLS, the decrypted request).
    ///
    /// # Examples
    ///
    /// ```
    /// let server = vmm_ref_proto::tls::TestServer::start(true, b"");
    /// assert!(server.finish().is_empty());
    /// ```
    #[must_use]
    pub fn finish(mut self) -> Vec<Vec<u8>> {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        self.thread
            .take()
            .map(|t| t.join().unwrap_or_default())
            .unwrap_or_default()
    }

    /// Stops a plain HTTP server that an HTTPS hook met, and checks that the client fell back
    /// the kubelet's way: two connections, a TLS handshake record first, then a request without
    /// an `Authorization` header. That request, for more checks.
    ///
    /// # Panics
    ///
    /// When the client did not do that.
    ///
    /// # Examples
    ///
    /// ```should_panic
    /// let server = vmm_ref_proto::tls::TestServer::start(false, b"HTTP/1.1 200 OK\r\n\r\n");
    /// let _ = server.finish_fallback(); // no client came
    /// ```
    #[must_use]
    pub fn finish_fallback(self) -> String {
        let requests = self.finish();
        assert_eq!(requests.len(), 2, "the TLS attempt, then plain HTTP");
        assert_eq!(
            requests[0].first(),
            Some(&0x16),
            "a TLS handshake record first"
        );
        let retry = String::from_utf8_lossy(&requests[1]).into_owned();
        assert!(
            !retry.to_ascii_lowercase().contains("authorization"),
            "{retry}"
        );
        retry
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// One connection of a [`TestServer`]: what it read.
fn serve_one(
    s: std::net::TcpStream,
    config: Option<Arc<rustls::ServerConfig>>,
    answer: &[u8],
) -> Vec<u8> {
    let timeout = Some(std::time::Duration::from_secs(5));
    let _ = s.set_nonblocking(false);
    let _ = s.set_read_timeout(timeout);
    let _ = s.set_write_timeout(timeout);
    let mut buf = vec![0u8; 4096];
    let n = match config.map(rustls::ServerConnection::new) {
        Some(Ok(conn)) => {
            let mut tls = rustls::StreamOwned::new(conn, s);
            let n = tls.read(&mut buf).unwrap_or(0);
            let _ = tls.write_all(answer);
            tls.conn.send_close_notify();
            let _ = tls.flush();
            n
        }
        Some(Err(_)) => 0,
        None => {
            let mut s = s;
            let n = s.read(&mut buf).unwrap_or(0);
            let _ = s.write_all(answer);
            n
        }
    };
    buf.truncate(n);
    buf
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::ServerConnection;
    use std::io::{Read, Write};

    fn server() -> ServerConnection {
        ServerConnection::new(test_server_config()).unwrap()
    }

    /// Moves bytes between the two until neither has anything to say.
    fn pump(c: &mut ClientConnection, s: &mut ServerConnection) -> Result<(), rustls::Error> {
        for _ in 0..20 {
            let mut buf = Vec::new();
            c.write_tls(&mut buf).unwrap();
            let to_server = buf.len();
            s.read_tls(&mut buf.as_slice()).unwrap();
            s.process_new_packets()?;
            let mut back = Vec::new();
            s.write_tls(&mut back).unwrap();
            c.read_tls(&mut back.as_slice()).unwrap();
            c.process_new_packets()?;
            if to_server == 0 && back.is_empty() {
                break;
            }
        }
        Ok(())
    }

    #[test]
    fn a_self_signed_certificate_for_another_name_is_accepted_and_data_flows() {
        // The certificate is for vmm-ref-test.invalid; the client connects to an address.
        let mut c = insecure_client("127.0.0.1").unwrap();
        let mut s = server();
        pump(&mut c, &mut s).unwrap();
        assert!(!c.is_handshaking() && !s.is_handshaking());
        c.writer().write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
        pump(&mut c, &mut s).unwrap();
        let mut got = [0u8; 18];
        s.reader().read_exact(&mut got).unwrap();
        assert_eq!(&got, b"GET / HTTP/1.0\r\n\r\n");
    }

    #[test]
    fn a_server_speaking_plain_http_fails_the_handshake() {
        let mut c = insecure_client("127.0.0.1").unwrap();
        let mut hello = Vec::new();
        c.write_tls(&mut hello).unwrap();
        assert!(!hello.is_empty());
        c.read_tls(&mut &b"HTTP/1.0 200 OK\r\n\r\n"[..]).unwrap();
        assert!(c.process_new_packets().is_err());
    }
}
