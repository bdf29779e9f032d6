//! TLS to the mail relay: rustls with the `ring` provider, verifying the
//! relay's certificate against Mozilla's roots (built in, so a slim
//! container needs no CA bundle) or, when `CRM_SMTP_CA_FILE` is set, only
//! against the certificates of that file (a private relay's authority).

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

use super::smtp::SmtpError;
use crate::config::MailConfig;

/// The cryptography rustls uses here. `ring` builds without cmake or nasm;
/// it offers no post-quantum key exchange, which rustls marks by
/// deprecating its default set.
#[allow(deprecated)]
pub fn crypto_provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A configured TLS client for the relay, built once per process.
#[derive(Clone)]
pub struct Relay {
    connector: TlsConnector,
}

/// Why the TLS settings cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("mail relay TLS: {0}")]
pub struct TlsSetupError(String);

impl Relay {
    /// Trust anchors from the CA file, else the built-in roots.
    pub fn new(config: &MailConfig) -> Result<Self, TlsSetupError> {
        let mut roots = rustls::RootCertStore::empty();
        match &config.smtp_ca_file {
            Some(path) => {
                let failed = |reason: String| {
                    TlsSetupError(format!("CRM_SMTP_CA_FILE `{}`: {reason}", path.display()))
                };
                let certificates = CertificateDer::pem_file_iter(path)
                    .map_err(|e| failed(e.to_string()))?
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| failed(e.to_string()))?;
                let (added, _) = roots.add_parsable_certificates(certificates);
                if added == 0 {
                    return Err(failed("holds no usable PEM certificate".into()));
                }
            }
            None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        }
        let client = rustls::ClientConfig::builder_with_provider(crypto_provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsSetupError(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Relay {
            connector: TlsConnector::from(Arc::new(client)),
        })
    }

    /// Runs the handshake over `tcp`, verifying the certificate for `host`.
    pub async fn connect(
        &self,
        host: &str,
        tcp: TcpStream,
    ) -> Result<TlsStream<TcpStream>, SmtpError> {
        let name = ServerName::try_from(host.to_owned())
            .map_err(|_| SmtpError::Tls(format!("`{host}` is not a valid server name")))?;
        self.connector
            .connect(name, tcp)
            .await
            .map_err(|e| SmtpError::Tls(e.to_string()))
    }
}
