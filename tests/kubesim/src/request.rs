//! What the request pipeline knows about one HTTP request.
//!
//! [`RequestInfo`] is built for every request before authentication, fault injection and
//! authorization run, so those stages (auth, rbac and faults modules) can match on the listener a
//! request arrived on, the caller's identity and the Kubernetes verb and resource it addresses.
//! [`RequestAttributes`] is the authorization view of the same request.

use std::collections::BTreeMap;

/// The identity a request runs as.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserIdentity {
    /// User name, e.g. `system:admin` or `system:serviceaccount:ns:sa`.
    pub name: String,
    /// User uid (may be empty).
    pub uid: String,
    /// Groups, e.g. `system:masters`, `system:authenticated`.
    pub groups: Vec<String>,
    /// Extra attributes (from tokens or `Impersonate-Extra-*`).
    pub extra: BTreeMap<String, Vec<String>>,
}

impl UserIdentity {
    /// The identity used for every request when authentication is not configured.
    pub fn admin() -> Self {
        Self {
            name: "system:admin".to_owned(),
            uid: String::new(),
            groups: vec![
                "system:masters".to_owned(),
                "system:authenticated".to_owned(),
            ],
            extra: BTreeMap::new(),
        }
    }
}

/// Everything known about a request once its path and headers are parsed.
#[derive(Debug, Clone, Default)]
pub struct RequestInfo {
    /// Index of the API listener the request came in on (0-based, in `api_urls()` order).
    pub listener: usize,
    /// Remote TCP port of the client.
    pub source_port: u16,
    /// The authenticated (possibly impersonated) user; `None` before authentication ran.
    pub user: Option<UserIdentity>,
    /// The user that authenticated, when `user` is an impersonated identity.
    pub impersonator: Option<UserIdentity>,
    /// `User-Agent` header.
    pub user_agent: String,
    /// `X-Sim-Client` header, a test-chosen client label.
    pub sim_client: Option<String>,
    /// HTTP method in upper case.
    pub method: String,
    /// Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection for
    /// resource requests; the lower-case HTTP method for non-resource requests.
    pub verb: String,
    /// Whether the path addresses a resource (`/api/...` or `/apis/g/v/...` below a group-version).
    pub is_resource_request: bool,
    /// API group (`""` for core).
    pub api_group: String,
    /// API version.
    pub api_version: String,
    /// Plural resource name.
    pub resource: String,
    /// Subresource (`status`, `scale`, `log`, ...), empty if none.
    pub subresource: String,
    /// Namespace, empty for cluster-scoped or all-namespace requests.
    pub namespace: String,
    /// Object name, empty for collections.
    pub name: String,
    /// URL path without the query.
    pub path: String,
    /// Raw query string (may be empty).
    pub query: String,
    /// Whether this is a watch request.
    pub watch: bool,
}

impl RequestInfo {
    /// The authorization attributes for this request.
    pub fn attributes(&self) -> RequestAttributes {
        RequestAttributes {
            user: self.user.clone().unwrap_or_default(),
            verb: self.verb.clone(),
            is_resource_request: self.is_resource_request,
            api_group: self.api_group.clone(),
            api_version: self.api_version.clone(),
            resource: self.resource.clone(),
            subresource: self.subresource.clone(),
            namespace: self.namespace.clone(),
            name: self.name.clone(),
            path: self.path.clone(),
        }
    }

    /// Whether the verb writes.
    pub fn is_write(&self) -> bool {
        matches!(
            self.verb.as_str(),
            "create" | "update" | "patch" | "delete" | "deletecollection"
        )
    }
}

/// The authorization view of a request (what RBAC rules match on).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestAttributes {
    /// The identity to authorize.
    pub user: UserIdentity,
    /// Kubernetes verb (or lower-case HTTP method for non-resource requests).
    pub verb: String,
    /// Resource request or non-resource URL.
    pub is_resource_request: bool,
    /// API group.
    pub api_group: String,
    /// API version.
    pub api_version: String,
    /// Plural resource.
    pub resource: String,
    /// Subresource, empty if none.
    pub subresource: String,
    /// Namespace, empty if cluster-scoped.
    pub namespace: String,
    /// Object name, empty for collections.
    pub name: String,
    /// URL path (for non-resource rules).
    pub path: String,
}
