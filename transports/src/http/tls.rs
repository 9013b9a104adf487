//! HTTPS: the HTTP transport inside rustls sessions
//! ([`HttpEndpoint::tls`](super::HttpEndpoint::tls)).

use std::io;
use std::sync::Arc;

use tokio_rustls::TlsAcceptor;

/// A server certificate chain and its private key.
#[derive(Clone)]
pub struct TlsConfig {
    acceptor: TlsAcceptor,
}

impl std::fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TlsConfig(..)")
    }
}

fn invalid(why: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, why.to_string())
}

impl TlsConfig {
    /// Reads a PEM certificate chain and a PEM private key (PKCS#8, PKCS#1
    /// or SEC1).
    pub fn from_pem(cert_chain: &[u8], private_key: &[u8]) -> io::Result<Self> {
        let certs = rustls_pemfile::certs(&mut &*cert_chain).collect::<Result<Vec<_>, _>>()?;
        if certs.is_empty() {
            return Err(invalid("no certificate in the PEM data"));
        }
        let key = rustls_pemfile::private_key(&mut &*private_key)?
            .ok_or_else(|| invalid("no private key in the PEM data"))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(invalid)?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(invalid)?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(TlsConfig {
            acceptor: TlsAcceptor::from(Arc::new(config)),
        })
    }
}

impl TlsConfig {
    /// The acceptor every connection's handshake goes through.
    pub(crate) fn acceptor(&self) -> TlsAcceptor {
        self.acceptor.clone()
    }
}
