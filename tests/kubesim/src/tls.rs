//! Self-signed TLS for the API listeners.
//!
//! client-go (and so kubectl and Helm) only sends bearer tokens to `https://` servers, so a
//! simulator with authentication must serve TLS. A fresh self-signed certificate (valid for
//! `localhost`, `127.0.0.1` and `::1`) is generated per server; kubeconfigs carry it as
//! `certificate-authority-data`.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// Certificate generation failed.
    #[error("generating the self-signed certificate: {0}")]
    Generate(String),
    /// The rustls server configuration was rejected.
    #[error("configuring TLS: {0}")]
    Config(String),
}

/// A generated certificate and the acceptor serving it.
#[derive(Clone)]
pub struct Tls {
    /// PEM of the certificate (also the CA clients must trust).
    pub cert_pem: String,
    /// The acceptor for incoming connections.
    pub acceptor: tokio_rustls::TlsAcceptor,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls").finish_non_exhaustive()
    }
}

impl Tls {
    /// Generates a self-signed certificate for loopback names and a server config for it.
    pub fn self_signed() -> Result<Self, TlsError> {
        let key = KeyPair::generate().map_err(|e| TlsError::Generate(e.to_string()))?;
        let mut params = CertificateParams::new(vec![
            "localhost".to_owned(),
            "127.0.0.1".to_owned(),
            "::1".to_owned(),
            "kubernetes.default.svc".to_owned(),
        ])
        .map_err(|e| TlsError::Generate(e.to_string()))?;
        params
            .distinguished_name
            .push(DnType::CommonName, "kubesim");
        // The certificate is its own trust anchor, so mark it as a CA that may sign itself.
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
            KeyUsagePurpose::KeyCertSign,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let cert = params
            .self_signed(&key)
            .map_err(|e| TlsError::Generate(e.to_string()))?;
        let cert_pem = cert.pem();
        let der: CertificateDer<'static> = cert.der().clone();
        let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::Config(e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(vec![der], key_der)
            .map_err(|e| TlsError::Config(e.to_string()))?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Self {
            cert_pem,
            acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
        })
    }
}
