//! The environment variables `helm` reads, declared once.
//!
//! As in Helm v2, a variable only applies when its flag was not given on the command line.

/// Enables verbose output (`--debug`).
pub const HELM_DEBUG: &str = "HELM_DEBUG";
/// The Helm home directory (`--home`), `~/.helm` by default.
pub const HELM_HOME: &str = "HELM_HOME";
/// Tiller's address (`--host`).
pub const HELM_HOST: &str = "HELM_HOST";
/// The namespace Tiller runs in (`--tiller-namespace`).
pub const TILLER_NAMESPACE: &str = "TILLER_NAMESPACE";
/// The kubeconfig file(s) client-go reads when `--kubeconfig` is not given.
pub const KUBECONFIG: &str = "KUBECONFIG";
/// Enables TLS to Tiller (`--tls`).
pub const HELM_TLS_ENABLE: &str = "HELM_TLS_ENABLE";
/// Enables TLS with server verification (`--tls-verify`).
pub const HELM_TLS_VERIFY: &str = "HELM_TLS_VERIFY";
/// The CA certificate that signs Tiller's certificate (`--tls-ca-cert`).
pub const HELM_TLS_CA_CERT: &str = "HELM_TLS_CA_CERT";
/// The client certificate (`--tls-cert`).
pub const HELM_TLS_CERT: &str = "HELM_TLS_CERT";
/// The client key (`--tls-key`).
pub const HELM_TLS_KEY: &str = "HELM_TLS_KEY";
/// The name Tiller's certificate must carry (`--tls-hostname`).
pub const HELM_TLS_HOSTNAME: &str = "HELM_TLS_HOSTNAME";
