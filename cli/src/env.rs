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
