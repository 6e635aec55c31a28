//! TLS for the broker connection: rustls with the ring provider, trusting the CA
//! certificates of one PEM file (the site's own CA, typically), verifying the broker's name.

use rumqttc::TlsConfiguration;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The CA file could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct TlsSetupError {
    /// The file.
    pub path: PathBuf,
    /// What was wrong.
    pub reason: String,
}

/// A rustls client configuration trusting every certificate of the PEM file `path`; fails
/// when the file cannot be read or holds no usable certificate.
pub fn from_ca_file(path: &Path) -> Result<TlsConfiguration, TlsSetupError> {
    let err = |reason: String| TlsSetupError {
        path: path.to_owned(),
        reason,
    };
    let pem = std::fs::read(path).map_err(|e| err(e.to_string()))?;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pemfile::certs(&mut &pem[..]) {
        let cert = cert.map_err(|e| err(e.to_string()))?;
        roots.add(cert).map_err(|e| err(e.to_string()))?;
    }
    if roots.is_empty() {
        return Err(err("no PEM certificate in the file".into()));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| err(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(TlsConfiguration::Rustls(Arc::new(config)))
}
