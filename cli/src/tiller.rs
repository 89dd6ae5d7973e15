//! The connection to Tiller: where it is, how to dial it (plain or TLS, with the connection
//! timeout), the `x-helm-api-client` metadata and 20 MiB message limits on every call, and the
//! one place where gRPC failures become the one-line errors Helm v2 prints.
//!
//! Commands are synchronous; [`Tiller`] owns a small Tokio runtime and blocks on each call.
//! Like Helm v2 it dials lazily, on the first call. Unlike Helm v2 (a new connection per RPC)
//! it keeps the channel for the rest of the command, which changes nothing Tiller can see.
//! Everything about reaching Tiller lives here so that retrying across several replicas can
//! grow in this module alone.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use helm_proto::compat::{API_CLIENT_METADATA_KEY, HELM_VERSION};
use helm_proto::hapi::services::tiller as svc;
use helm_proto::hapi::services::tiller::release_service_client::ReleaseServiceClient;
use helm_proto::transport::MAX_MESSAGE_SIZE;
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint, Uri};
use tonic::{Code, Request, Status};

use crate::args::{GlobalArgs, TlsArgs};

/// Why a call to Tiller failed.
#[derive(Debug, thiserror::Error)]
pub enum TillerError {
    /// No `--host`: Helm v2 would port-forward to the Tiller pod.
    #[error("not implemented: port-forwarding to Tiller; set --host or HELM_HOST")]
    NoHost,
    /// `--host` is not a `host:port` address.
    #[error("invalid Tiller address {host:?} (--host/HELM_HOST): {reason}")]
    InvalidHost {
        /// The address given.
        host: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The TLS files could not be used. Helm v2 exits with status 2 for these.
    #[error("{0}")]
    TlsConfig(String),
    /// Tiller could not be reached.
    #[error("cannot connect to Tiller at {host}: {reason}")]
    Connect {
        /// The address dialled.
        host: String,
        /// Why.
        reason: String,
    },
    /// Tiller answered with an error. Helm v2 prints only the status message.
    #[error("{}", rpc_message(.0))]
    Rpc(Status),
    /// The runtime for the connection could not start.
    #[error("starting the gRPC runtime: {0}")]
    Runtime(io::Error),
}

impl TillerError {
    /// The gRPC status code, when Tiller (or the transport) answered with one.
    pub fn code(&self) -> Option<Code> {
        match self {
            TillerError::Rpc(status) => Some(status.code()),
            _ => None,
        }
    }

    /// The process exit code Helm v2 uses for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            TillerError::TlsConfig(_) => 2,
            _ => 1,
        }
    }
}

/// Helm's `prettyError`: a gRPC status prints as its message alone. A status without a
/// message (only transports produce those) keeps its code so the line still says something.
fn rpc_message(status: &Status) -> String {
    if status.message().is_empty() {
        format!("rpc error: code = {:?}", status.code())
    } else {
        status.message().to_owned()
    }
}

/// Where Tiller is and how to dial it.
#[derive(Debug, Clone)]
pub struct TillerConfig {
    /// `host:port`.
    pub host: String,
    /// `--tiller-connection-timeout`.
    pub connect_timeout: Duration,
    /// TLS, when `--tls` or `--tls-verify` is set.
    pub tls: Option<TlsSettings>,
}

/// Resolved TLS settings.
#[derive(Debug, Clone)]
pub struct TlsSettings {
    /// The CA that must have signed Tiller's certificate; `None` (`--tls` alone) skips the
    /// server's verification, as Helm v2 does.
    pub ca_cert: Option<PathBuf>,
    /// The client certificate.
    pub cert: PathBuf,
    /// The client key.
    pub key: PathBuf,
    /// The name Tiller's certificate must carry; the address's host when not set.
    pub server_name: Option<String>,
}

impl TillerConfig {
    /// Resolves the global flags and a command's TLS flags. The TLS files default to
    /// `ca.pem`, `cert.pem` and `key.pem` under `$HELM_HOME`.
    pub fn from_args(global: &GlobalArgs, tls: &TlsArgs) -> Result<TillerConfig, TillerError> {
        let host = global
            .host
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .ok_or(TillerError::NoHost)?
            .to_owned();
        let seconds = u64::try_from(global.tiller_connection_timeout).map_err(|_| {
            TillerError::InvalidHost {
                host: host.clone(),
                reason: format!(
                    "--tiller-connection-timeout must not be negative (got {})",
                    global.tiller_connection_timeout
                ),
            }
        })?;
        let tls = if tls.tls || tls.tls_verify {
            let home = crate::home::helm_home(global.home.as_deref());
            let or_home = |p: &Option<PathBuf>, file: &str| {
                p.clone()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or_else(|| home.join(file))
            };
            Some(TlsSettings {
                ca_cert: tls.tls_verify.then(|| or_home(&tls.tls_ca_cert, "ca.pem")),
                cert: or_home(&tls.tls_cert, "cert.pem"),
                key: or_home(&tls.tls_key, "key.pem"),
                server_name: tls.tls_hostname.clone().filter(|n| !n.is_empty()),
            })
        } else {
            None
        };
        Ok(TillerConfig {
            host,
            connect_timeout: Duration::from_secs(seconds),
            tls,
        })
    }
}

type Client = ReleaseServiceClient<InterceptedService<Channel, fn(Request<()>) -> CallResult>>;
type CallResult = Result<Request<()>, Status>;

/// Adds the client's version to a call; Tiller refuses calls without a compatible one.
fn add_version(mut req: Request<()>) -> CallResult {
    req.metadata_mut().insert(
        API_CLIENT_METADATA_KEY,
        tonic::metadata::MetadataValue::from_static(HELM_VERSION),
    );
    Ok(req)
}

/// A blocking client of Tiller's `ReleaseService`.
#[derive(Debug)]
pub struct Tiller {
    config: TillerConfig,
    runtime: tokio::runtime::Runtime,
    client: Option<Client>,
}

impl Tiller {
    /// A client for `config`; nothing is dialled yet.
    pub fn new(config: TillerConfig) -> Result<Tiller, TillerError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(TillerError::Runtime)?;
        Ok(Tiller {
            config,
            runtime,
            client: None,
        })
    }

    /// The address this client dials.
    pub fn host(&self) -> &str {
        &self.config.host
    }

    fn client(&mut self) -> Result<Client, TillerError> {
        if let Some(c) = &self.client {
            return Ok(c.clone());
        }
        let channel = self.runtime.block_on(dial(&self.config))?;
        let client = ReleaseServiceClient::with_interceptor(
            channel,
            add_version as fn(Request<()>) -> CallResult,
        )
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE);
        self.client = Some(client.clone());
        Ok(client)
    }

    /// `GetVersion`.
    pub fn version(&mut self) -> Result<svc::GetVersionResponse, TillerError> {
        let mut c = self.client()?;
        let res = self
            .runtime
            .block_on(c.get_version(svc::GetVersionRequest {}));
        Ok(res.map_err(TillerError::Rpc)?.into_inner())
    }

    /// `ListReleases`, its streamed chunks joined; `None` when Tiller sent no message at all
    /// (no release matched).
    pub fn list(
        &mut self,
        req: svc::ListReleasesRequest,
    ) -> Result<Option<svc::ListReleasesResponse>, TillerError> {
        let mut c = self.client()?;
        self.runtime.block_on(async move {
            let mut stream = c
                .list_releases(req)
                .await
                .map_err(TillerError::Rpc)?
                .into_inner();
            let mut joined: Option<svc::ListReleasesResponse> = None;
            while let Some(chunk) = stream.message().await.map_err(TillerError::Rpc)? {
                match &mut joined {
                    None => joined = Some(chunk),
                    Some(all) => all.releases.extend(chunk.releases),
                }
            }
            Ok(joined)
        })
    }

    /// `GetReleaseStatus`.
    pub fn status(
        &mut self,
        name: &str,
        version: i32,
    ) -> Result<svc::GetReleaseStatusResponse, TillerError> {
        let mut c = self.client()?;
        let req = svc::GetReleaseStatusRequest {
            name: name.to_owned(),
            version,
        };
        let res = self.runtime.block_on(c.get_release_status(req));
        Ok(res.map_err(TillerError::Rpc)?.into_inner())
    }

    /// `GetReleaseContent`.
    pub fn content(
        &mut self,
        name: &str,
        version: i32,
    ) -> Result<svc::GetReleaseContentResponse, TillerError> {
        let mut c = self.client()?;
        let req = svc::GetReleaseContentRequest {
            name: name.to_owned(),
            version,
        };
        let res = self.runtime.block_on(c.get_release_content(req));
        Ok(res.map_err(TillerError::Rpc)?.into_inner())
    }

    /// `GetHistory`.
    pub fn history(
        &mut self,
        name: &str,
        max: i32,
    ) -> Result<svc::GetHistoryResponse, TillerError> {
        let mut c = self.client()?;
        let req = svc::GetHistoryRequest {
            name: name.to_owned(),
            max,
        };
        let res = self.runtime.block_on(c.get_history(req));
        Ok(res.map_err(TillerError::Rpc)?.into_inner())
    }

    /// `InstallRelease`.
    pub fn install(
        &mut self,
        req: svc::InstallReleaseRequest,
    ) -> Result<svc::InstallReleaseResponse, TillerError> {
        let mut c = self.client()?;
        let res = self.runtime.block_on(c.install_release(req));
        Ok(res.map_err(TillerError::Rpc)?.into_inner())
    }

    /// `UpdateRelease`.
    pub fn update(
        &mut self,
        req: svc::UpdateReleaseRequest,
    ) -> Result<svc::UpdateReleaseResponse, TillerError> {
        let mut c = self.client()?;
        let res = self.runtime.block_on(c.update_release(req));
        Ok(res.map_err(TillerError::Rpc)?.into_inner())
    }

    /// `RollbackRelease`.
    pub fn rollback(
        &mut self,
        req: svc::RollbackReleaseRequest,
    ) -> Result<svc::RollbackReleaseResponse, TillerError> {
        let mut c = self.client()?;
        let res = self.runtime.block_on(c.rollback_release(req));
        Ok(res.map_err(TillerError::Rpc)?.into_inner())
    }

    /// `UninstallRelease`.
    pub fn uninstall(
        &mut self,
        req: svc::UninstallReleaseRequest,
    ) -> Result<svc::UninstallReleaseResponse, TillerError> {
        let mut c = self.client()?;
        let res = self.runtime.block_on(c.uninstall_release(req));
        Ok(res.map_err(TillerError::Rpc)?.into_inner())
    }

    /// `RunReleaseTest`: `each` sees every streamed message as it arrives.
    pub fn run_test(
        &mut self,
        req: svc::TestReleaseRequest,
        each: &mut dyn FnMut(&svc::TestReleaseResponse) -> io::Result<()>,
    ) -> Result<(), anyhow::Error> {
        let mut c = self.client()?;
        self.runtime.block_on(async move {
            let mut stream = c
                .run_release_test(req)
                .await
                .map_err(TillerError::Rpc)?
                .into_inner();
            while let Some(msg) = stream.message().await.map_err(TillerError::Rpc)? {
                each(&msg)?;
            }
            Ok(())
        })
    }
}

/// Dials Tiller within the connection timeout.
async fn dial(config: &TillerConfig) -> Result<Channel, TillerError> {
    let host = &config.host;
    if host.contains("://") || host.contains('/') {
        return Err(TillerError::InvalidHost {
            host: host.clone(),
            reason: "expected host:port without a scheme or path".to_owned(),
        });
    }
    let uri: Uri =
        format!("http://{host}")
            .parse()
            .map_err(
                |e: tonic::codegen::http::uri::InvalidUri| TillerError::InvalidHost {
                    host: host.clone(),
                    reason: e.to_string(),
                },
            )?;
    if uri.port_u16().is_none() {
        return Err(TillerError::InvalidHost {
            host: host.clone(),
            reason: "missing port".to_owned(),
        });
    }
    let endpoint = Endpoint::from(uri.clone())
        .connect_timeout(config.connect_timeout)
        .http2_keep_alive_interval(helm_proto::transport::CLIENT_KEEPALIVE_INTERVAL)
        .keep_alive_while_idle(true);
    let connect_err = |e: tonic::transport::Error| {
        let mut reason = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            // Transport errors often repeat their cause's text; keep each part once.
            let text = s.to_string();
            if !reason.contains(&text) {
                reason.push_str(": ");
                reason.push_str(&text);
            }
            source = s.source();
        }
        TillerError::Connect {
            host: host.clone(),
            reason,
        }
    };
    let connecting = async {
        match &config.tls {
            None => endpoint.connect().await.map_err(connect_err),
            Some(tls) => {
                let server_name = tls
                    .server_name
                    .clone()
                    .or_else(|| uri.host().map(|h| h.trim_matches(['[', ']']).to_owned()))
                    .unwrap_or_default();
                let server_name = ServerName::try_from(server_name.clone()).map_err(|e| {
                    TillerError::TlsConfig(format!("invalid TLS server name {server_name:?}: {e}"))
                })?;
                let connector = tls_connector(tls)?;
                let service = tower::service_fn(move |uri: Uri| {
                    let connector = connector.clone();
                    let server_name = server_name.clone();
                    async move {
                        let authority = uri
                            .authority()
                            .map(|a| a.as_str().to_owned())
                            .unwrap_or_default();
                        let tcp = tokio::net::TcpStream::connect(authority).await?;
                        let stream = connector.connect(server_name, tcp).await?;
                        Ok::<_, io::Error>(TokioIo::new(stream))
                    }
                });
                endpoint
                    .connect_with_connector(service)
                    .await
                    .map_err(connect_err)
            }
        }
    };
    match tokio::time::timeout(config.connect_timeout, connecting).await {
        Ok(result) => result,
        Err(_) => Err(TillerError::Connect {
            host: host.clone(),
            reason: format!(
                "no connection within {}s (--tiller-connection-timeout)",
                config.connect_timeout.as_secs()
            ),
        }),
    }
}

/// The rustls client of `--tls`/`--tls-verify`.
fn tls_connector(tls: &TlsSettings) -> Result<tokio_rustls::TlsConnector, TillerError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| TillerError::TlsConfig(format!("TLS setup: {e}")))?;
    let builder = match &tls.ca_cert {
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            for cert in read_certs(ca, "CA certificate")? {
                roots.add(cert).map_err(|e| {
                    TillerError::TlsConfig(format!(
                        "failed to append certificates from file {}: {e}",
                        ca.display()
                    ))
                })?;
            }
            builder.with_root_certificates(roots)
        }
        None => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(SkipServerVerification(provider))),
    };
    let certs = read_certs(&tls.cert, "certificate")?;
    let key = PrivateKeyDer::from_pem_file(&tls.key).map_err(|e| {
        TillerError::TlsConfig(format!(
            "could not load x509 key pair (cert: {:?}, key: {:?}): {e}",
            tls.cert.display().to_string(),
            tls.key.display().to_string()
        ))
    })?;
    let mut config = builder.with_client_auth_cert(certs, key).map_err(|e| {
        TillerError::TlsConfig(format!(
            "could not load x509 key pair (cert: {:?}, key: {:?}): {e}",
            tls.cert.display().to_string(),
            tls.key.display().to_string()
        ))
    })?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(tokio_rustls::TlsConnector::from(Arc::new(config)))
}

fn read_certs(path: &Path, what: &str) -> Result<Vec<CertificateDer<'static>>, TillerError> {
    let certs: Vec<_> = CertificateDer::pem_file_iter(path)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| TillerError::TlsConfig(format!("reading {what} {}: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(TillerError::TlsConfig(format!(
            "reading {what} {}: no PEM certificate in it",
            path.display()
        )));
    }
    Ok(certs)
}

/// `--tls` without `--tls-verify`: Helm v2 sets `InsecureSkipVerify`, so any server
/// certificate is accepted; the handshake signatures are still checked.
#[derive(Debug)]
struct SkipServerVerification(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for SkipServerVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn global(host: Option<&str>) -> GlobalArgs {
        GlobalArgs {
            debug: false,
            home: Some(PathBuf::from("/h")),
            host: host.map(str::to_owned),
            kube_context: None,
            kubeconfig: None,
            tiller_namespace: "kube-system".to_owned(),
            tiller_connection_timeout: 5,
        }
    }

    #[test]
    fn no_host_is_a_clear_error() {
        let err = TillerConfig::from_args(&global(None), &TlsArgs::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "not implemented: port-forwarding to Tiller; set --host or HELM_HOST"
        );
    }

    #[test]
    fn tls_files_default_to_helm_home() {
        let tls = TlsArgs {
            tls_verify: true,
            ..TlsArgs::default()
        };
        let c = TillerConfig::from_args(&global(Some("t:1")), &tls).unwrap();
        let t = c.tls.unwrap();
        assert_eq!(t.ca_cert.unwrap(), PathBuf::from("/h/ca.pem"));
        assert_eq!(t.cert, PathBuf::from("/h/cert.pem"));
        assert_eq!(t.key, PathBuf::from("/h/key.pem"));
        let plain = TillerConfig::from_args(&global(Some("t:1")), &TlsArgs::default()).unwrap();
        assert!(plain.tls.is_none());
        let insecure = TlsArgs {
            tls: true,
            ..TlsArgs::default()
        };
        let c = TillerConfig::from_args(&global(Some("t:1")), &insecure).unwrap();
        assert!(c.tls.unwrap().ca_cert.is_none());
    }

    #[test]
    fn bad_addresses_are_rejected_before_dialling() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        for host in ["http://x:1", "nohostport", "a b:1"] {
            let cfg = TillerConfig {
                host: host.to_owned(),
                connect_timeout: Duration::from_secs(1),
                tls: None,
            };
            let err = rt.block_on(dial(&cfg)).unwrap_err();
            assert!(
                matches!(err, TillerError::InvalidHost { .. }),
                "{host}: {err}"
            );
        }
    }

    #[test]
    fn status_messages_print_alone() {
        let e = TillerError::Rpc(Status::unknown("release: \"x\" not found"));
        assert_eq!(e.to_string(), "release: \"x\" not found");
        assert_eq!(e.code(), Some(Code::Unknown));
        let e = TillerError::Rpc(Status::unavailable(""));
        assert_eq!(e.to_string(), "rpc error: code = Unavailable");
        assert_eq!(TillerError::TlsConfig("x".to_owned()).exit_code(), 2);
    }
}
