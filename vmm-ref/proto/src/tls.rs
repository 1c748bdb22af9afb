//! HTTPS for httpGet probes and hooks, as Kubernetes makes them: over TLS, **without verifying
//! the server's certificate** (the kubelet's prober sets `InsecureSkipVerify`; a pod's serving
//! certificate is usually self-signed or for a name the prober does not use). The handshake
//! itself is checked: the server must prove it holds the key of the certificate it sent
//! (TLS 1.2 and 1.3 signatures are verified with the provider's algorithms), so this is TLS
//! with an unauthenticated server, not a plain connection in disguise.
//!
//! Sans I/O like the rest of the crate: [`insecure_client`] gives a [`rustls::ClientConnection`]
//! (a state machine); the caller moves its bytes over a socket (`rustls::StreamOwned`).
//! Behind the `tls` feature (rustls with the `ring` provider).
//!
//! # Examples
//!
//! ```
//! let conn = vmm_ref_proto::tls::insecure_client("127.0.0.1").unwrap();
//! assert!(conn.is_handshaking());
//! ```

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
