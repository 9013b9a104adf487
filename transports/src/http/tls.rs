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

/// The certificate authorities an HTTPS client trusts.
#[derive(Clone)]
pub struct TlsRoots {
    roots: Arc<rustls::RootCertStore>,
}

impl std::fmt::Debug for TlsRoots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TlsRoots({} certificates)", self.roots.len())
    }
}

impl TlsRoots {
    /// The operating system's trusted roots (on Linux, the CA bundle that
    /// `SSL_CERT_FILE`/`SSL_CERT_DIR` or the distribution names).
    pub fn system() -> io::Result<Self> {
        let found = rustls_native_certs::load_native_certs();
        let mut roots = rustls::RootCertStore::empty();
        let (added, _unusable) = roots.add_parsable_certificates(found.certs);
        if added == 0 {
            let why = found
                .errors
                .first()
                .map_or_else(|| "none found".to_owned(), ToString::to_string);
            return Err(invalid(format!(
                "no usable system root certificates: {why}"
            )));
        }
        Ok(TlsRoots {
            roots: Arc::new(roots),
        })
    }

    /// No roots: for a client that speaks plain HTTP only.
    pub(crate) fn empty() -> Self {
        TlsRoots {
            roots: Arc::new(rustls::RootCertStore::empty()),
        }
    }

    /// Exactly the certificates in PEM data (a private CA, or a server's
    /// self-signed certificate).
    pub fn from_pem(pem: &[u8]) -> io::Result<Self> {
        let mut roots = rustls::RootCertStore::empty();
        for cert in rustls_pemfile::certs(&mut &*pem) {
            roots.add(cert?).map_err(invalid)?;
        }
        if roots.is_empty() {
            return Err(invalid("no certificate in the PEM data"));
        }
        Ok(TlsRoots {
            roots: Arc::new(roots),
        })
    }

    /// A TLS client trusting these roots (HTTPS, and `wss://`).
    pub(crate) fn client_config(&self) -> io::Result<rustls::ClientConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        Ok(rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(invalid)?
            .with_root_certificates(self.roots.clone())
            .with_no_client_auth())
    }

    /// An HTTP connector that also speaks HTTPS, trusting these roots.
    pub(crate) fn connector(
        &self,
        http: hyper_util::client::legacy::connect::HttpConnector,
    ) -> io::Result<hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>>
    {
        Ok(hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(self.client_config()?)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http))
    }
}
