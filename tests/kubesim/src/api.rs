//! The HTTP API: routing, content negotiation and the resource handlers.
//!
//! [`handle`] is the whole request pipeline for one request: parse the path into a
//! [`RequestInfo`], authenticate, authorize, then dispatch to the discovery documents or to a
//! resource handler that calls the [`Store`]. Every failure is a `Status` object.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::body::Bytes;
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Limited};
use percent_encoding::percent_decode_str;
use rand::Rng as _;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::auth::Authenticator;
use crate::discovery;
use crate::error::ApiError;
use crate::faults::{FaultAction, FaultInjector, LogEntry, PreOutcome};
use crate::patch::{self, PatchType};
use crate::rbac::{self, RbacSource};
use crate::registry::{GroupResource, ResourceInfo};
use crate::request::{RequestInfo, UserIdentity};
use crate::selector::{FieldSelector, LabelSelector};
use crate::store::{
    DeleteOptions, DeleteOutcome, ListOptions, Store, WatchError, WatchFilter, WriteOptions,
    present,
};

/// Max request body size (kube-apiserver's limit).
pub const MAX_BODY_BYTES: usize = 3 * 1024 * 1024;

/// Shared state of the HTTP layer.
#[derive(Debug)]
pub struct ApiState {
    /// The store.
    pub store: Store,
    /// Authentication (disabled: everyone is system:admin).
    pub auth: Authenticator,
    /// Whether RBAC authorization is enforced.
    pub rbac: bool,
    /// Whether `sendInitialEvents` streaming lists are served (otherwise 422).
    pub streaming_lists: bool,
    /// Interval between watch bookmarks.
    pub bookmark_interval: Duration,
    /// Fault injection and the request log.
    pub faults: Arc<FaultInjector>,
}

/// Where a request came from.
#[derive(Debug, Clone, Copy)]
pub struct ConnInfo {
    /// Listener index.
    pub listener: usize,
    /// Client address.
    pub peer: SocketAddr,
    /// Local address of the listener (for `/api` serverAddress).
    pub local: SocketAddr,
}

/// A parsed resource path.
#[derive(Debug, Clone, Default)]
struct ResourcePath {
    group: String,
    version: String,
    namespace: Option<String>,
    resource: String,
    name: Option<String>,
    sub: Option<String>,
}

#[derive(Debug)]
enum Route {
    Version,
    Health,
    CoreVersions,
    Groups,
    Group(String),
    GroupVersion(String, String),
    OpenApiIndex,
    OpenApiDoc(String),
    Resource(ResourcePath),
    Unknown,
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Parses a query string leniently (empty pairs are skipped, `+` is a space).
pub fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(&k.replace('+', " ")), decode(&v.replace('+', " ")))
        })
        .collect()
}

struct Query(Vec<(String, String)>);

impl Query {
    fn get(&self, k: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    }

    fn flag(&self, k: &str) -> bool {
        matches!(self.get(k), Some("1" | "true" | "True" | ""))
    }
}

fn route(store: &Store, path: &str) -> (Route, bool) {
    let segs: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(decode)
        .collect();
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    match s.as_slice() {
        ["version"] => return (Route::Version, false),
        ["healthz" | "livez" | "readyz", ..] => return (Route::Health, false),
        ["api"] => return (Route::CoreVersions, false),
        ["apis"] => return (Route::Groups, false),
        ["apis", g] => return (Route::Group((*g).to_owned()), false),
        ["api", v] => return (Route::GroupVersion(String::new(), (*v).to_owned()), false),
        ["apis", g, v] => return (Route::GroupVersion((*g).to_owned(), (*v).to_owned()), false),
        ["openapi", "v3"] => return (Route::OpenApiIndex, false),
        ["openapi", "v3", rest @ ..] => return (Route::OpenApiDoc(rest.join("/")), false),
        _ => {}
    }
    let (group, version, rest) = match s.as_slice() {
        ["api", v, rest @ ..] => (String::new(), (*v).to_owned(), rest),
        ["apis", g, v, rest @ ..] => ((*g).to_owned(), (*v).to_owned(), rest),
        _ => return (Route::Unknown, false),
    };
    let (watch, rest) = match rest {
        ["watch", r @ ..] => (true, r),
        r => (false, r),
    };
    let own = |x: &str| x.to_owned();
    let rp = match rest {
        ["namespaces", ns, res, tail @ ..]
            if store
                .registry()
                .lookup(&group, &version, res)
                .is_some_and(|r| r.namespaced) =>
        {
            match tail {
                [] => ResourcePath {
                    namespace: Some(own(ns)),
                    resource: own(res),
                    ..ResourcePath::default()
                },
                [name] => ResourcePath {
                    namespace: Some(own(ns)),
                    resource: own(res),
                    name: Some(own(name)),
                    ..ResourcePath::default()
                },
                [name, sub] => ResourcePath {
                    namespace: Some(own(ns)),
                    resource: own(res),
                    name: Some(own(name)),
                    sub: Some(own(sub)),
                    ..ResourcePath::default()
                },
                _ => return (Route::Unknown, false),
            }
        }
        [res] => ResourcePath {
            resource: own(res),
            ..ResourcePath::default()
        },
        [res, name] => ResourcePath {
            resource: own(res),
            name: Some(own(name)),
            ..ResourcePath::default()
        },
        [res, name, sub] => ResourcePath {
            resource: own(res),
            name: Some(own(name)),
            sub: Some(own(sub)),
            ..ResourcePath::default()
        },
        _ => return (Route::Unknown, false),
    };
    (
        Route::Resource(ResourcePath {
            group,
            version,
            ..rp
        }),
        watch,
    )
}

/// What the client accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    PartialMetadata,
    /// `as=Table;g=meta.k8s.io` (server-side printing; GET requests only).
    Table,
}

fn negotiate(headers: &HeaderMap) -> Result<Format, ApiError> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Ok(Format::Json);
    };
    if accept.trim().is_empty() {
        return Ok(Format::Json);
    }
    for entry in accept.split(',') {
        let mut parts = entry.split(';').map(str::trim);
        let mt = parts.next().unwrap_or_default().to_ascii_lowercase();
        let params: Vec<&str> = parts.collect();
        let json_ok = matches!(
            mt.as_str(),
            "application/json" | "application/*" | "*/*" | "application/yaml" | "text/plain"
        );
        if !json_ok {
            continue;
        }
        let as_ = params
            .iter()
            .find_map(|p| p.strip_prefix("as="))
            .unwrap_or_default();
        return Ok(match as_ {
            "PartialObjectMetadata" | "PartialObjectMetadataList" => Format::PartialMetadata,
            "Table" if params.contains(&"g=meta.k8s.io") => Format::Table,
            "Table" => continue,
            _ => Format::Json,
        });
    }
    // Only Table (with no plain fallback) or only protobuf/CBOR.
    if accept.contains("as=Table") {
        return Ok(Format::Json);
    }
    Err(ApiError::new(
        406,
        "NotAcceptable",
        format!(
            "only the following media types are accepted: application/json, application/yaml (got {accept:?})"
        ),
    ))
}

fn json_body(code: u16, v: &Value) -> Response<Body> {
    let mut r = Response::new(Body::from(v.to_string()));
    *r.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// The response for an error.
pub fn error_response(e: &ApiError) -> Response<Body> {
    let mut r = json_body(e.code, &e.to_status());
    if let Some(s) = e.details.retry_after_seconds
        && let Ok(v) = HeaderValue::from_str(&s.to_string())
    {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}

/// Adds `Warning: 299 - "..."` headers.
fn with_warnings(mut r: Response<Body>, warnings: &[String]) -> Response<Body> {
    for w in warnings {
        let v = format!("299 - \"{}\"", w.replace('"', "\\\""));
        if let Ok(hv) = HeaderValue::from_str(&v) {
            r.headers_mut().append(header::WARNING, hv);
        }
    }
    r
}

fn text(code: u16, s: &str) -> Response<Body> {
    let mut r = Response::new(Body::from(s.to_owned()));
    *r.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::OK);
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

fn partial_metadata(o: &Value) -> Value {
    json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
        "metadata": o.get("metadata").cloned().unwrap_or_else(|| json!({}))})
}

fn object_response(code: u16, fmt: Format, o: &Value) -> Response<Body> {
    match fmt {
        // Writes answer with the object even when a Table was offered.
        Format::Json | Format::Table => json_body(code, o),
        Format::PartialMetadata => json_body(code, &partial_metadata(o)),
    }
}

/// Builds the [`RequestInfo`] of a request.
fn request_info(
    conn: &ConnInfo,
    method: &Method,
    headers: &HeaderMap,
    path: &str,
    query: &str,
    rp: Option<&ResourcePath>,
    watch: bool,
) -> RequestInfo {
    let hv = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let mut info = RequestInfo {
        listener: conn.listener,
        source_port: conn.peer.port(),
        user: None,
        impersonator: None,
        user_agent: hv("user-agent").unwrap_or_default(),
        sim_client: hv("x-sim-client"),
        method: method.as_str().to_owned(),
        verb: method.as_str().to_ascii_lowercase(),
        path: path.to_owned(),
        query: query.to_owned(),
        watch,
        ..RequestInfo::default()
    };
    if let Some(rp) = rp {
        info.is_resource_request = true;
        info.api_group = rp.group.clone();
        info.api_version = rp.version.clone();
        info.resource = rp.resource.clone();
        info.subresource = rp.sub.clone().unwrap_or_default();
        info.namespace = rp.namespace.clone().unwrap_or_default();
        info.name = rp.name.clone().unwrap_or_default();
        if rp.resource == "namespaces" && rp.namespace.is_none() {
            info.namespace = rp.name.clone().unwrap_or_default();
        }
        let is_watch = watch || query_has_watch(query);
        info.watch = is_watch;
        info.verb = match *method {
            Method::GET | Method::HEAD => {
                if is_watch {
                    "watch"
                } else if rp.name.is_some() {
                    "get"
                } else {
                    "list"
                }
            }
            Method::POST => "create",
            Method::PUT => "update",
            Method::PATCH => "patch",
            Method::DELETE => {
                if rp.name.is_some() {
                    "delete"
                } else {
                    "deletecollection"
                }
            }
            _ => "unknown",
        }
        .to_owned();
    }
    info
}

fn query_has_watch(q: &str) -> bool {
    parse_query(q)
        .iter()
        .any(|(k, v)| k == "watch" && matches!(v.as_str(), "1" | "true" | "True" | ""))
}

/// RBAC view of the store.
struct StoreRbac<'a>(&'a Store);

impl RbacSource for StoreRbac<'_> {
    fn roles(&self, ns: &str) -> Vec<Value> {
        ns_objects(self.0, "roles", ns)
    }
    fn cluster_roles(&self) -> Vec<Value> {
        ns_objects(self.0, "clusterroles", "")
    }
    fn role_bindings(&self, ns: &str) -> Vec<Value> {
        ns_objects(self.0, "rolebindings", ns)
    }
    fn cluster_role_bindings(&self) -> Vec<Value> {
        ns_objects(self.0, "clusterrolebindings", "")
    }
}

fn ns_objects(store: &Store, resource: &str, ns: &str) -> Vec<Value> {
    store
        .all_raw(&GroupResource::new("rbac.authorization.k8s.io", resource))
        .into_iter()
        .filter(|o| {
            ns.is_empty() || o.pointer("/metadata/namespace").and_then(Value::as_str) == Some(ns)
        })
        .map(|o| (*o).clone())
        .collect()
}

impl Store {
    /// This store as an RBAC source (roles and bindings as stored).
    pub fn rbac_source(&self) -> impl RbacSource + '_ {
        StoreRbac(self)
    }
}

/// Handles one HTTP request end to end and records it in the request log. An `Err` means the
/// connection must be dropped without an answer (a `reset` fault).
pub async fn handle<B>(
    state: Arc<ApiState>,
    conn: ConnInfo,
    req: Request<B>,
) -> Result<Response<Body>, std::io::Error>
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let started = std::time::Instant::now();
    let (resp, info, fault) = pipeline(&state, conn, req).await;
    let mut entry = LogEntry::for_request(&info);
    entry.code = resp.as_ref().map_or(0, |r| r.status().as_u16());
    entry.latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    entry.fault = fault;
    state.faults.record(entry);
    resp.ok_or_else(|| std::io::Error::new(std::io::ErrorKind::ConnectionReset, "fault: reset"))
}

/// Authentication → fault injection → authorization → handler. Returns `None` as the response
/// when the connection is to be dropped.
async fn pipeline<B>(
    state: &Arc<ApiState>,
    conn: ConnInfo,
    req: Request<B>,
) -> (Option<Response<Body>>, RequestInfo, Option<String>)
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().unwrap_or_default().to_owned();
    let (route, watch_prefix) = route(&state.store, &path);
    let rp = match &route {
        Route::Resource(rp) => Some(rp.clone()),
        _ => None,
    };
    let mut info = request_info(
        &conn,
        &parts.method,
        &parts.headers,
        &path,
        &query,
        rp.as_ref(),
        watch_prefix,
    );
    // Authentication (with impersonation checked through RBAC).
    let authz_store = state.store.clone();
    let rbac_on = state.rbac;
    let impersonation_check = move |u: &UserIdentity, a: &rbac::Attributes| -> bool {
        !rbac_on || rbac::authorize(&StoreRbac(&authz_store), u, a).allowed()
    };
    match state
        .auth
        .authenticate_request(&parts.headers, &impersonation_check)
    {
        Ok(a) => {
            info.user = Some(a.user);
            info.impersonator = a.impersonator;
        }
        Err(e) => return (Some(error_response(&e.to_api_error())), info, None),
    }
    let (fault_id, action) = match state.faults.check_rule(&info) {
        Some((id, a)) => (Some(id), Some(a)),
        None => (None, None),
    };
    match state.faults.apply_pre(action.as_ref(), &info).await {
        PreOutcome::Continue => {}
        PreOutcome::Respond(r) => return (Some(r), info, fault_id),
        PreOutcome::Abort => return (None, info, fault_id),
    }
    if state.rbac
        && let Some(user) = &info.user
    {
        let attrs = info.attributes();
        let d = rbac::authorize(&StoreRbac(&state.store), user, &attrs);
        if !d.allowed() {
            let r = error_response(&rbac::forbidden_error(&user.name, &attrs));
            return (Some(r), info, fault_id);
        }
    }
    let local = conn.local.to_string();
    let post = action.clone();
    let r = dispatch(state, &info, route, parts, body, action, local).await;
    let r = state.faults.apply_post(post.as_ref(), r);
    (Some(r), info, fault_id)
}

#[allow(clippy::too_many_arguments)]
async fn dispatch<B>(
    state: &Arc<ApiState>,
    info: &RequestInfo,
    route: Route,
    parts: http::request::Parts,
    body: B,
    action: Option<FaultAction>,
    local: String,
) -> Response<Body>
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let query = parts.uri.query().unwrap_or_default().to_owned();
    let fmt = match negotiate(&parts.headers) {
        Ok(f) => f,
        Err(e) => return error_response(&e),
    };
    let body = match read_body(body, &parts.method).await {
        Ok(b) => b,
        Err(e) => return error_response(&e),
    };
    let q = Query(parse_query(&query));
    match route {
        Route::Version => json_body(200, &discovery::version()),
        Route::Health => text(200, "ok"),
        Route::CoreVersions => {
            if let Some(v) = aggregated_version(&parts.headers) {
                aggregated_response(discovery::aggregated(state.store.registry(), true, &v), &v)
            } else {
                json_body(200, &discovery::core_versions(&local))
            }
        }
        Route::Groups => {
            if let Some(v) = aggregated_version(&parts.headers) {
                aggregated_response(discovery::aggregated(state.store.registry(), false, &v), &v)
            } else {
                json_body(200, &discovery::group_list(state.store.registry()))
            }
        }
        Route::Group(g) => match discovery::group(state.store.registry(), &g) {
            Some(v) => json_body(200, &v),
            None => error_response(&ApiError::unknown_path()),
        },
        Route::GroupVersion(g, v) => match state
            .store
            .registry()
            .group_versions()
            .into_iter()
            .find(|gv| gv.group == g && gv.version == v)
        {
            Some(gv) => json_body(200, &discovery::resource_list(&gv)),
            None => error_response(&ApiError::unknown_path()),
        },
        Route::OpenApiIndex => json_body(200, &discovery::openapi_index(state.store.registry())),
        Route::OpenApiDoc(p) => match discovery::openapi_doc(state.store.registry(), &p) {
            Some(d) => json_body(200, &d),
            None => error_response(&ApiError::unknown_path()),
        },
        Route::Unknown => error_response(&ApiError::unknown_path()),
        Route::Resource(rp) => {
            let ctx = Ctx {
                state,
                info,
                fault: action,
                headers: &parts.headers,
                method: &parts.method,
                q: &q,
                fmt,
                body: &body,
            };
            match resource(&ctx, &rp).await {
                Ok(r) => r,
                Err(e) => error_response(&e),
            }
        }
    }
}

fn aggregated_version(headers: &HeaderMap) -> Option<String> {
    let accept = headers.get(header::ACCEPT)?.to_str().ok()?;
    for entry in accept.split(',') {
        if entry.contains("g=apidiscovery.k8s.io") && entry.contains("as=APIGroupDiscoveryList") {
            if entry.contains("v=v2beta1") {
                return Some("apidiscovery.k8s.io/v2beta1".to_owned());
            }
            if entry.contains("v=v2") {
                return Some("apidiscovery.k8s.io/v2".to_owned());
            }
        }
    }
    None
}

fn aggregated_response(v: Value, api_version: &str) -> Response<Body> {
    let mut r = json_body(200, &v);
    let version = api_version.rsplit('/').next().unwrap_or("v2");
    if let Ok(ct) = HeaderValue::from_str(&format!(
        "application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList"
    )) {
        r.headers_mut().insert(header::CONTENT_TYPE, ct);
    }
    r
}

async fn read_body<B>(body: B, method: &Method) -> Result<Bytes, ApiError>
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    if matches!(*method, Method::GET | Method::HEAD) {
        return Ok(Bytes::new());
    }
    match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) => {
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                Err(ApiError::new(
                    413,
                    "RequestEntityTooLarge",
                    "the request body is too large: limit is 3145728 bytes",
                ))
            } else {
                Err(ApiError::bad_request(format!(
                    "error reading request body: {e}"
                )))
            }
        }
    }
}

struct Ctx<'a> {
    state: &'a Arc<ApiState>,
    info: &'a RequestInfo,
    fault: Option<FaultAction>,
    headers: &'a HeaderMap,
    method: &'a Method,
    q: &'a Query,
    fmt: Format,
    body: &'a Bytes,
}

impl Ctx<'_> {
    fn store(&self) -> &Store {
        &self.state.store
    }

    fn content_type(&self) -> String {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/json")
            .to_ascii_lowercase()
    }

    /// Parses a JSON (or YAML) object body; protobuf and CBOR are 415.
    fn object_body(&self) -> Result<Value, ApiError> {
        let ct = self.content_type();
        if ct.contains("protobuf") {
            return crate::protobuf::decode(self.body);
        }
        if ct.contains("cbor") {
            return Err(ApiError::unsupported_media_type(format!(
                "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (got {ct:?})"
            )));
        }
        if self.body.is_empty() {
            return Err(ApiError::bad_request("the request body is empty"));
        }
        let v: Value = match serde_json::from_slice(self.body) {
            Ok(v) => v,
            Err(e) if ct.contains("yaml") => patch::parse_apply_body(self.body)
                .map_err(|_| ApiError::bad_request(format!("error decoding YAML: {e}")))?,
            Err(e) => {
                return Err(ApiError::bad_request(format!(
                    "the body of the request could not be decoded as JSON: {e}"
                )));
            }
        };
        if !v.is_object() {
            return Err(ApiError::bad_request(
                "the body of the request must be a JSON object",
            ));
        }
        Ok(v)
    }

    fn dry_run(&self) -> Result<bool, ApiError> {
        let mut dry = false;
        for (k, v) in &self.q.0 {
            if k == "dryRun" {
                if v == "All" {
                    dry = true;
                } else if !v.is_empty() {
                    return Err(ApiError::bad_request(format!(
                        "Invalid dryRun value: \"{v}\": supported values: \"All\""
                    )));
                }
            }
        }
        Ok(dry)
    }

    /// `fieldValidation`: Strict rejects unknown fields (400), Warn returns them as warnings.
    fn check_fields(&self, ri: &ResourceInfo, body: &Value) -> Result<Vec<String>, ApiError> {
        let mode = self.q.get("fieldValidation").unwrap_or("Ignore");
        if !matches!(mode, "Strict" | "Warn") {
            return Ok(Vec::new());
        }
        let unknown: Vec<String> = crate::strict::unknown_fields(body, &ri.api_version(), &ri.kind)
            .into_iter()
            .map(|f| format!("unknown field \"{f}\""))
            .collect();
        if mode == "Strict" && !unknown.is_empty() {
            return Err(ApiError::bad_request(format!(
                "strict decoding error: {}",
                unknown.join(", ")
            )));
        }
        Ok(unknown)
    }

    /// RBAC escalation prevention for writes of roles and bindings (when RBAC is enforced).
    fn check_escalation(&self, ri: &ResourceInfo, ns: &str, obj: &Value) -> Result<(), ApiError> {
        if !self.state.rbac || ri.storage_group != "rbac.authorization.k8s.io" {
            return Ok(());
        }
        let Some(user) = &self.info.user else {
            return Ok(());
        };
        rbac::check_escalation(&StoreRbac(self.store()), user, &ri.plural, ns, obj)
    }

    fn write_options(&self, sub: Option<&str>) -> Result<WriteOptions, ApiError> {
        if let Some(fv) = self.q.get("fieldValidation")
            && !matches!(fv, "" | "Strict" | "Warn" | "Ignore")
        {
            return Err(ApiError::bad_request(format!(
                "fieldValidation: Invalid value: \"{fv}\": must be one of Strict, Warn or Ignore"
            )));
        }
        let fm = self.q.get("fieldManager").filter(|m| !m.is_empty());
        if let Some(m) = fm
            && m.len() > 128
        {
            return Err(ApiError::invalid_field(
                "PatchOptions",
                "",
                "",
                "FieldValueTooLong",
                "fieldManager",
                "Too long: may not be more than 128 bytes",
            ));
        }
        Ok(WriteOptions {
            dry_run: self.dry_run()?,
            field_manager: Some(fm.map_or_else(
                || patch::manager_from_user_agent(&self.info.user_agent),
                str::to_owned,
            )),
            subresource: sub.map(str::to_owned),
            force: self.q.flag("force"),
        })
    }
}

async fn resource(ctx: &Ctx<'_>, rp: &ResourcePath) -> Result<Response<Body>, ApiError> {
    let store = ctx.store();
    let ri = store.resource(&rp.group, &rp.version, &rp.resource)?;
    let ns = rp.namespace.clone().unwrap_or_default();
    if ri.namespaced && rp.name.is_some() && rp.namespace.is_none() {
        return Err(ApiError::unknown_path());
    }
    if !ri.namespaced && rp.namespace.is_some() {
        return Err(ApiError::unknown_path());
    }
    let verb = ctx.info.verb.as_str();
    if let Some(sub) = &rp.sub {
        let name = rp.name.clone().unwrap_or_default();
        return subresource(ctx, &ri, &ns, &name, sub).await;
    }
    let named = rp.name.is_some();
    if (verb == "create" && named) || (matches!(verb, "update" | "patch") && !named) {
        return Err(ApiError::method_not_allowed(format!(
            "the server does not allow this method on the requested resource ({} {})",
            ctx.method, ri.plural
        )));
    }
    if !ri.supports(verb) {
        return Err(ApiError::method_not_allowed(format!(
            "the server does not allow this method on the requested resource ({verb} {})",
            ri.plural
        )));
    }
    match verb {
        "get" => {
            let name = rp.name.as_deref().unwrap_or_default();
            let o = store.get(&ri, &ns, name)?;
            if ctx.fmt == Format::Table {
                let meta = json!({"resourceVersion": o.pointer("/metadata/resourceVersion").cloned().unwrap_or(Value::Null)});
                let include = crate::table::IncludeObject::parse(ctx.q.get("includeObject"));
                return Ok(json_body(
                    200,
                    &crate::table::table(&ri, &[&o], meta, include),
                ));
            }
            Ok(object_response(200, ctx.fmt, &o))
        }
        "list" => list(ctx, &ri, rp),
        "watch" => watch(ctx, &ri, rp),
        "create" => create(ctx, &ri, &ns),
        "update" => {
            let name = rp.name.as_deref().unwrap_or_default();
            let obj = ctx.object_body()?;
            let warnings = ctx.check_fields(&ri, &obj)?;
            ctx.check_escalation(&ri, &ns, &obj)?;
            let opts = ctx.write_options(None)?;
            let (o, created) = store.update(&ri, &ns, name, obj, &opts)?;
            let r = object_response(if created { 201 } else { 200 }, ctx.fmt, &o);
            Ok(with_warnings(r, &warnings))
        }
        "patch" => {
            let name = rp.name.as_deref().unwrap_or_default();
            patch_object(ctx, &ri, &ns, name, None)
        }
        "delete" => {
            let name = rp.name.as_deref().unwrap_or_default();
            let opts = delete_options(ctx)?;
            match store.delete(&ri, &ns, name, &opts)? {
                DeleteOutcome::Pending(o) => Ok(object_response(200, ctx.fmt, &o)),
                DeleteOutcome::Deleted(o) => {
                    let returns_object = ri.storage_group.is_empty()
                        && matches!(ri.plural.as_str(), "pods" | "namespaces");
                    if returns_object || ri.custom {
                        Ok(object_response(200, ctx.fmt, &o))
                    } else {
                        let uid = o.pointer("/metadata/uid").cloned().unwrap_or(Value::Null);
                        let mut details = json!({"name": name, "kind": ri.plural, "uid": uid});
                        if !ri.group.is_empty() {
                            details["group"] = json!(ri.group);
                        }
                        Ok(json_body(
                            200,
                            &json!({"kind": "Status", "apiVersion": "v1", "metadata": {},
                                "status": "Success", "details": details}),
                        ))
                    }
                }
            }
        }
        "deletecollection" => {
            let lo = list_options(ctx, &ri)?;
            let opts = delete_options(ctx)?;
            let ns_opt = rp.namespace.as_deref();
            let items = store.delete_collection(&ri, ns_opt, &lo, &opts)?;
            Ok(json_body(
                200,
                &json!({"kind": format!("{}List", ri.kind), "apiVersion": ri.api_version(),
                    "metadata": {"resourceVersion": store.revision().to_string()}, "items": items}),
            ))
        }
        other => Err(ApiError::method_not_allowed(format!(
            "the server does not allow this method on the requested resource ({other})"
        ))),
    }
}

fn list_options(ctx: &Ctx<'_>, ri: &ResourceInfo) -> Result<ListOptions, ApiError> {
    let labels = LabelSelector::parse(ctx.q.get("labelSelector").unwrap_or_default())
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let fields = FieldSelector::parse(
        ctx.q.get("fieldSelector").unwrap_or_default(),
        &ri.storage_group,
        &ri.plural,
        &ri.selectable_fields,
    )
    .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let limit = match ctx.q.get("limit").filter(|l| !l.is_empty()) {
        Some(l) => {
            let n: i64 = l
                .parse()
                .map_err(|_| ApiError::bad_request(format!("limit: Invalid value: \"{l}\"")))?;
            (n > 0).then_some(n as usize)
        }
        None => None,
    };
    Ok(ListOptions {
        label_selector: labels,
        field_selector: fields,
        limit,
        continue_token: ctx
            .q
            .get("continue")
            .filter(|c| !c.is_empty())
            .map(str::to_owned),
        resource_version: ctx.q.get("resourceVersion").map(str::to_owned),
        resource_version_match: ctx
            .q
            .get("resourceVersionMatch")
            .filter(|c| !c.is_empty())
            .map(str::to_owned),
    })
}

fn list(ctx: &Ctx<'_>, ri: &ResourceInfo, rp: &ResourcePath) -> Result<Response<Body>, ApiError> {
    let opts = list_options(ctx, ri)?;
    let l = ctx.store().list_raw(ri, rp.namespace.as_deref(), &opts)?;
    let mut meta = json!({"resourceVersion": l.resource_version.to_string()});
    if let Some(c) = &l.continue_token {
        meta["continue"] = json!(c);
    }
    if let Some(n) = l.remaining_item_count {
        meta["remainingItemCount"] = json!(n);
    }
    if ctx.fmt == Format::Table {
        let include = crate::table::IncludeObject::parse(ctx.q.get("includeObject"));
        let presented: Vec<Value> = if include == crate::table::IncludeObject::Object {
            l.items.iter().map(|o| present(ri, o)).collect()
        } else {
            Vec::new()
        };
        let refs: Vec<&Value> = if presented.is_empty() {
            l.items.iter().map(|o| &**o).collect()
        } else {
            presented.iter().collect()
        };
        return Ok(json_body(
            200,
            &crate::table::table(ri, &refs, meta, include),
        ));
    }
    // Serialized by hand so the (possibly large) items are written once, never copied.
    let mut buf: Vec<u8> = Vec::with_capacity(256 + l.items.len() * 512);
    let (kind, api_version) = match ctx.fmt {
        Format::Json | Format::Table => (format!("{}List", ri.kind), ri.api_version()),
        Format::PartialMetadata => (
            "PartialObjectMetadataList".to_owned(),
            "meta.k8s.io/v1".to_owned(),
        ),
    };
    buf.extend_from_slice(b"{\"apiVersion\":");
    write_json(&mut buf, &Value::String(api_version));
    buf.extend_from_slice(b",\"items\":[");
    let av = Value::String(ri.api_version());
    let kv = Value::String(ri.kind.clone());
    for (i, o) in l.items.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        match ctx.fmt {
            Format::Json | Format::Table => write_presented(&mut buf, o, &av, &kv),
            Format::PartialMetadata => write_json(&mut buf, &partial_metadata(o)),
        }
    }
    buf.extend_from_slice(b"],\"kind\":");
    write_json(&mut buf, &Value::String(kind));
    buf.extend_from_slice(b",\"metadata\":");
    write_json(&mut buf, &meta);
    buf.push(b'}');
    let mut r = Response::new(Body::from(buf));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(r)
}

fn write_json(buf: &mut Vec<u8>, v: &Value) {
    // Writing a Value into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *buf, v);
}

/// Writes a stored object with `apiVersion` and `kind` replaced, without copying it.
fn write_presented(buf: &mut Vec<u8>, o: &Value, api_version: &Value, kind: &Value) {
    let Some(m) = o.as_object() else {
        write_json(buf, o);
        return;
    };
    buf.push(b'{');
    let mut first = true;
    let mut field = |buf: &mut Vec<u8>, k: &str, v: &Value| {
        if !first {
            buf.push(b',');
        }
        first = false;
        write_json(buf, &Value::String(k.to_owned()));
        buf.push(b':');
        write_json(buf, v);
    };
    if !m.contains_key("apiVersion") {
        field(buf, "apiVersion", api_version);
    }
    for (k, v) in m {
        match k.as_str() {
            "apiVersion" => field(buf, k, api_version),
            "kind" => field(buf, k, kind),
            _ => field(buf, k, v),
        }
    }
    if !m.contains_key("kind") {
        field(buf, "kind", kind);
    }
    buf.push(b'}');
}

fn create(ctx: &Ctx<'_>, ri: &Arc<ResourceInfo>, ns: &str) -> Result<Response<Body>, ApiError> {
    let store = ctx.store();
    let body = ctx.object_body()?;
    // Review APIs answer with a status instead of storing anything.
    match (ri.group.as_str(), ri.plural.as_str()) {
        ("authentication.k8s.io", "tokenreviews") => {
            return Ok(json_body(201, &ctx.state.auth.token_review(&body)?));
        }
        ("authentication.k8s.io", "selfsubjectreviews") => {
            let user = ctx.info.user.clone().unwrap_or_default();
            return Ok(json_body(201, &crate::auth::self_subject_review(&user)));
        }
        ("authorization.k8s.io", "subjectaccessreviews") => {
            return Ok(json_body(
                201,
                &rbac::subject_access_review(&StoreRbac(store), &body)?,
            ));
        }
        ("authorization.k8s.io", "localsubjectaccessreviews") => {
            return Ok(json_body(
                201,
                &rbac::local_subject_access_review(&StoreRbac(store), ns, &body)?,
            ));
        }
        ("authorization.k8s.io", "selfsubjectaccessreviews") => {
            let user = ctx.info.user.clone().unwrap_or_default();
            return Ok(json_body(
                201,
                &rbac::self_subject_access_review(&StoreRbac(store), &user, &body)?,
            ));
        }
        ("authorization.k8s.io", "selfsubjectrulesreviews") => {
            let user = ctx.info.user.clone().unwrap_or_default();
            return Ok(json_body(
                201,
                &rbac::self_subject_rules_review(&StoreRbac(store), &user, &body)?,
            ));
        }
        ("", "bindings") => {
            return bind_pod(ctx, ns, &body);
        }
        _ => {}
    }
    let warnings = ctx.check_fields(ri, &body)?;
    ctx.check_escalation(ri, ns, &body)?;
    let opts = ctx.write_options(None)?;
    let o = store.create(ri, ns, body, &opts)?;
    Ok(with_warnings(object_response(201, ctx.fmt, &o), &warnings))
}

fn bind_pod(ctx: &Ctx<'_>, ns: &str, body: &Value) -> Result<Response<Body>, ApiError> {
    let store = ctx.store();
    let pods = store.resource("", "v1", "pods")?;
    let name = body
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let node = body
        .pointer("/target/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if node.is_empty() {
        return Err(ApiError::invalid_field(
            "Binding",
            "",
            &name,
            "FieldValueRequired",
            "target.name",
            "Required value",
        ));
    }
    let (group, n2) = (String::new(), name.clone());
    store.write(
        &pods,
        ns,
        &name,
        &WriteOptions::default(),
        false,
        move |cur| {
            let Some(cur) = cur else {
                return Err(ApiError::not_found(&group, "pods", &n2));
            };
            let bound = cur
                .pointer("/spec/nodeName")
                .and_then(Value::as_str)
                .filter(|n| !n.is_empty());
            if let Some(b) = bound {
                return Err(ApiError::conflict(
                    "",
                    "pods",
                    &n2,
                    &format!("pod {n2} is already assigned to node \"{b}\""),
                ));
            }
            let mut out = cur.clone();
            crate::store::set_in(&mut out, &["spec", "nodeName"], json!(node));
            Ok(out)
        },
    )?;
    Ok(json_body(
        201,
        &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}),
    ))
}

fn patch_object(
    ctx: &Ctx<'_>,
    ri: &Arc<ResourceInfo>,
    ns: &str,
    name: &str,
    sub: Option<&str>,
) -> Result<Response<Body>, ApiError> {
    let pt = PatchType::from_content_type(&ctx.content_type())?;
    let mut opts = ctx.write_options(sub)?;
    let explicit_manager = ctx.q.get("fieldManager").filter(|m| !m.is_empty());
    if pt == PatchType::Apply {
        // Apply records its own managedFields; a manager is mandatory.
        opts.field_manager = None;
    }
    let body = ctx.body.clone();
    if body.is_empty() {
        return Err(ApiError::bad_request("the patch body is empty"));
    }
    let warnings = match pt {
        PatchType::Json => Vec::new(),
        PatchType::Apply => ctx.check_fields(ri, &patch::parse_apply_body(&body)?)?,
        PatchType::Merge | PatchType::Strategic => match serde_json::from_slice::<Value>(&body) {
            Ok(v) => ctx.check_fields(ri, &v)?,
            // A malformed body is reported by the patch itself.
            Err(_) => Vec::new(),
        },
    };
    let force = opts.force;
    if ctx.state.rbac && ri.storage_group == "rbac.authorization.k8s.io" {
        // Checked on the patched object computed outside the store lock (the check reads RBAC
        // objects from the store); the write below re-applies the patch atomically.
        let cur = ctx.store().get(ri, ns, name).ok();
        let preview =
            patch::apply_patch(pt, ri, name, cur.as_ref(), &body, explicit_manager, force)?;
        ctx.check_escalation(ri, ns, &preview)?;
    }
    let (o, created) = ctx.store().write(ri, ns, name, &opts, false, |cur| {
        patch::apply_patch(pt, ri, name, cur, &body, explicit_manager, force)
    })?;
    let r = object_response(if created { 201 } else { 200 }, ctx.fmt, &o);
    Ok(with_warnings(r, &warnings))
}

fn delete_options(ctx: &Ctx<'_>) -> Result<DeleteOptions, ApiError> {
    let mut opts = DeleteOptions {
        dry_run: ctx.dry_run()?,
        ..DeleteOptions::default()
    };
    if !ctx.body.is_empty() {
        let b: Value = if crate::protobuf::is_protobuf(ctx.body) {
            crate::protobuf::decode(ctx.body)?
        } else {
            serde_json::from_slice(ctx.body)
                .map_err(|e| ApiError::bad_request(format!("error decoding DeleteOptions: {e}")))?
        };
        opts.propagation_policy = b
            .get("propagationPolicy")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if b.get("orphanDependents").and_then(Value::as_bool) == Some(true) {
            opts.propagation_policy = Some("Orphan".to_owned());
        }
        opts.precondition_uid = b
            .pointer("/preconditions/uid")
            .and_then(Value::as_str)
            .map(str::to_owned);
        opts.precondition_resource_version = b
            .pointer("/preconditions/resourceVersion")
            .and_then(Value::as_str)
            .map(str::to_owned);
        opts.grace_period_seconds = b.get("gracePeriodSeconds").and_then(Value::as_i64);
        if let Some(d) = b.get("dryRun").and_then(Value::as_array) {
            for v in d {
                match v.as_str() {
                    Some("All") => opts.dry_run = true,
                    other => {
                        return Err(ApiError::bad_request(format!(
                            "Invalid dryRun value: {other:?}: supported values: \"All\""
                        )));
                    }
                }
            }
        }
    }
    if let Some(p) = ctx.q.get("propagationPolicy").filter(|p| !p.is_empty()) {
        opts.propagation_policy = Some(p.to_owned());
    }
    if ctx.q.get("orphanDependents") == Some("true") {
        opts.propagation_policy = Some("Orphan".to_owned());
    }
    if let Some(g) = ctx.q.get("gracePeriodSeconds").filter(|p| !p.is_empty()) {
        opts.grace_period_seconds = Some(g.parse().map_err(|_| {
            ApiError::bad_request(format!("gracePeriodSeconds: Invalid value: \"{g}\""))
        })?);
    }
    if let Some(u) = ctx.q.get("preconditions.uid") {
        opts.precondition_uid = Some(u.to_owned());
    }
    if let Some(r) = ctx.q.get("preconditions.resourceVersion") {
        opts.precondition_resource_version = Some(r.to_owned());
    }
    Ok(opts)
}

fn scale_of(ri: &ResourceInfo, o: &Value) -> Value {
    let (spec_path, status_path, sel_path) = match &ri.scale_paths {
        Some((a, b, c)) => (a.clone(), b.clone(), c.clone()),
        None => (
            ".spec.replicas".to_owned(),
            ".status.replicas".to_owned(),
            None,
        ),
    };
    let ptr = |p: &str| p.replace('.', "/");
    let spec = o.pointer(&ptr(&spec_path)).cloned().unwrap_or(json!(0));
    let status = o.pointer(&ptr(&status_path)).cloned().unwrap_or(json!(0));
    let selector = match sel_path {
        Some(p) => o.pointer(&ptr(&p)).cloned().unwrap_or(Value::Null),
        None => o
            .pointer("/spec/selector/matchLabels")
            .and_then(Value::as_object)
            .map(|m| {
                json!(
                    m.iter()
                        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                        .collect::<Vec<_>>()
                        .join(",")
                )
            })
            .unwrap_or(Value::Null),
    };
    let meta = o.get("metadata").cloned().unwrap_or_else(|| json!({}));
    let mut m = json!({});
    for k in [
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "creationTimestamp",
    ] {
        if let Some(v) = meta.get(k) {
            m[k] = v.clone();
        }
    }
    let mut st = json!({"replicas": status});
    if !selector.is_null() {
        st["selector"] = selector;
    }
    json!({"kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": m,
        "spec": {"replicas": spec}, "status": st})
}

fn set_pointer(o: &mut Value, dotted: &str, v: Value) {
    let parts: Vec<&str> = dotted.trim_start_matches('.').split('.').collect();
    crate::store::set_in(o, &parts, v);
}

async fn subresource(
    ctx: &Ctx<'_>,
    ri: &Arc<ResourceInfo>,
    ns: &str,
    name: &str,
    sub: &str,
) -> Result<Response<Body>, ApiError> {
    let store = ctx.store();
    if !ri.has_subresource(sub) {
        return Err(ApiError::unknown_path());
    }
    let m = ctx.method.clone();
    match (sub, m) {
        ("status", Method::GET) => Ok(object_response(200, ctx.fmt, &store.get(ri, ns, name)?)),
        ("status", Method::PUT) => {
            let obj = ctx.object_body()?;
            let opts = ctx.write_options(Some("status"))?;
            let body_name = obj
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            if body_name != name {
                return Err(ApiError::bad_request(format!(
                    "the name of the object ({body_name}) does not match the name on the URL ({name})"
                )));
            }
            let (group, plural, n) = (ri.group.clone(), ri.plural.clone(), name.to_owned());
            let (o, _) = store.write(ri, ns, name, &opts, true, move |cur| {
                if cur.is_none() {
                    return Err(ApiError::not_found(&group, &plural, &n));
                }
                Ok(obj)
            })?;
            Ok(object_response(200, ctx.fmt, &o))
        }
        ("status", Method::PATCH) => patch_object(ctx, ri, ns, name, Some("status")),
        ("scale", Method::GET) => Ok(json_body(200, &scale_of(ri, &store.get(ri, ns, name)?))),
        ("scale", Method::PUT | Method::PATCH) => {
            let is_put = *ctx.method == Method::PUT;
            let pt = if is_put {
                None
            } else {
                Some(PatchType::from_content_type(&ctx.content_type())?)
            };
            let body = if is_put {
                Some(ctx.object_body()?)
            } else {
                None
            };
            let raw = ctx.body.clone();
            let opts = ctx.write_options(Some("scale"))?;
            let spec_path = ri
                .scale_paths
                .as_ref()
                .map_or_else(|| ".spec.replicas".to_owned(), |p| p.0.clone());
            let ri2 = ri.clone();
            let (o, _) = store.write(ri, ns, name, &opts, false, move |cur| {
                let Some(cur) = cur else {
                    return Err(ApiError::not_found(&ri2.group, &ri2.plural, name));
                };
                let current_scale = scale_of(&ri2, cur);
                let new_scale = match (body, pt) {
                    (Some(b), _) => b,
                    (None, Some(PatchType::Apply)) => {
                        return Err(ApiError::unsupported_media_type(
                            "not implemented: server-side apply on the scale subresource",
                        ));
                    }
                    (None, Some(pt)) => {
                        let scale_ri = ResourceInfo {
                            kind: "Scale".to_owned(),
                            ..(*ri2).clone()
                        };
                        patch::apply_patch(
                            pt,
                            &scale_ri,
                            name,
                            Some(&current_scale),
                            &raw,
                            None,
                            false,
                        )?
                    }
                    (None, None) => current_scale.clone(),
                };
                let replicas = new_scale
                    .pointer("/spec/replicas")
                    .cloned()
                    .unwrap_or(json!(0));
                if replicas.as_i64().is_none_or(|r| r < 0) {
                    return Err(ApiError::invalid_field(
                        "Scale",
                        "autoscaling",
                        name,
                        "FieldValueInvalid",
                        "spec.replicas",
                        format!("Invalid value: {replicas}: must be greater than or equal to 0"),
                    ));
                }
                let mut out = cur.clone();
                set_pointer(&mut out, &spec_path, replicas);
                if let Some(rv) = new_scale
                    .pointer("/metadata/resourceVersion")
                    .and_then(Value::as_str)
                    .filter(|r| !r.is_empty())
                {
                    crate::store::set_in(&mut out, &["metadata", "resourceVersion"], json!(rv));
                }
                Ok(out)
            })?;
            Ok(json_body(200, &scale_of(ri, &o)))
        }
        ("log", Method::GET) => {
            let pod = store.get(ri, ns, name)?;
            let containers: Vec<String> = pod
                .pointer("/spec/containers")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|c| c.get("name").and_then(Value::as_str))
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            if let Some(c) = ctx.q.get("container")
                && !containers.iter().any(|x| x == c)
            {
                return Err(ApiError::bad_request(format!(
                    "container {c} is not valid for pod {name}"
                )));
            }
            if ctx.q.get("container").is_none() && containers.len() > 1 {
                return Err(ApiError::bad_request(format!(
                    "a container name must be specified for pod {name}, choose one of: [{}]",
                    containers.join(" ")
                )));
            }
            let mut log = pod
                .pointer("/metadata/annotations/sim.k8s.io~1log")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            if !log.is_empty() && !log.ends_with('\n') {
                log.push('\n');
            }
            if let Some(n) = ctx.q.get("tailLines").and_then(|t| t.parse::<usize>().ok()) {
                let lines: Vec<&str> = log.lines().collect();
                let start = lines.len().saturating_sub(n);
                log = lines[start..].iter().map(|l| format!("{l}\n")).collect();
            }
            Ok(text(200, &log))
        }
        ("token", Method::POST) => {
            let body = if ctx.body.is_empty() {
                json!({})
            } else {
                ctx.object_body()?
            };
            let sa = store.get(ri, ns, name)?;
            let uid = sa
                .pointer("/metadata/uid")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let out = ctx
                .state
                .auth
                .issue_service_account_token(ns, name, &uid, &body)?;
            Ok(json_body(201, &out))
        }
        ("finalize", Method::PUT) => {
            let obj = ctx.object_body()?;
            let fins = obj
                .pointer("/spec/finalizers")
                .cloned()
                .unwrap_or_else(|| json!([]));
            let opts = ctx.write_options(Some("finalize"))?;
            let (o, _) = store.write(ri, ns, name, &opts, false, move |cur| {
                let Some(cur) = cur else {
                    return Err(ApiError::not_found("", "namespaces", name));
                };
                let mut out = cur.clone();
                crate::store::set_in(&mut out, &["spec", "finalizers"], fins);
                Ok(out)
            })?;
            Ok(json_body(200, &o))
        }
        ("exec" | "attach" | "portforward" | "proxy", _) => Err(ApiError::bad_request(format!(
            "{sub} is not supported by simulator"
        ))),
        ("binding", Method::POST) => {
            let mut body = ctx.object_body()?;
            // The subresource form names the pod in the URL.
            crate::store::set_in(&mut body, &["metadata", "name"], json!(name));
            bind_pod(ctx, ns, &body)
        }
        ("eviction", Method::POST) => {
            let opts = DeleteOptions::default();
            store.delete(ri, ns, name, &opts)?;
            Ok(json_body(
                201,
                &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}),
            ))
        }
        ("ephemeralcontainers" | "resize" | "approval", Method::GET) => {
            Ok(object_response(200, ctx.fmt, &store.get(ri, ns, name)?))
        }
        ("ephemeralcontainers" | "resize" | "approval", Method::PATCH) => {
            patch_object(ctx, ri, ns, name, None)
        }
        (_, m) => Err(ApiError::method_not_allowed(format!(
            "the server does not allow this method on the requested resource ({m} {}/{sub})",
            ri.plural
        ))),
    }
}

fn watch_line(event_type: &str, obj: &Value) -> Bytes {
    let mut s = json!({"type": event_type, "object": obj}).to_string();
    s.push('\n');
    Bytes::from(s)
}

fn bookmark(ri: &ResourceInfo, rev: u64, initial_end: bool) -> Bytes {
    let mut meta = json!({"resourceVersion": rev.to_string()});
    if initial_end {
        meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
    }
    watch_line(
        "BOOKMARK",
        &json!({"kind": ri.kind, "apiVersion": ri.api_version(), "metadata": meta}),
    )
}

fn watch(
    ctx: &Ctx<'_>,
    ri: &Arc<ResourceInfo>,
    rp: &ResourcePath,
) -> Result<Response<Body>, ApiError> {
    let opts = list_options(ctx, ri)?;
    let mut filter = WatchFilter {
        namespace: rp.namespace.clone().unwrap_or_default(),
        labels: opts.label_selector.clone(),
        fields: opts.field_selector.clone(),
    };
    if let Some(n) = &rp.name {
        filter.fields = FieldSelector::parse(&format!("metadata.name={n}"), "", "", &[])
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
    }
    if !ri.namespaced {
        filter.namespace.clear();
    }
    let bookmarks = ctx.q.flag("allowWatchBookmarks");
    let send_initial = ctx.q.get("sendInitialEvents") == Some("true");
    if send_initial {
        let rvm = ctx.q.get("resourceVersionMatch").unwrap_or_default();
        if !ctx.state.streaming_lists || rvm != "NotOlderThan" || !bookmarks {
            let why = if !ctx.state.streaming_lists {
                "sendInitialEvents is not supported by this server"
            } else {
                "sendInitialEvents requires resourceVersionMatch=NotOlderThan and allowWatchBookmarks=true"
            };
            return Err(ApiError::invalid_field(
                "ListOptions",
                "meta.k8s.io",
                "",
                "FieldValueForbidden",
                "sendInitialEvents",
                format!("Forbidden: {why}"),
            ));
        }
    }
    let timeout = match ctx
        .q
        .get("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
    {
        Some(t) if t > 0 => Duration::from_secs(t),
        _ => Duration::from_secs(rand::rng().random_range(1800..3600)),
    };
    let rv = ctx.q.get("resourceVersion").map(str::to_owned);
    let start_rv = if send_initial { None } else { rv.clone() };
    let store = ctx.store().clone();
    let (tx, rx) = mpsc::channel::<Result<Bytes, Infallible>>(256);
    let ri = ri.clone();
    let start = store.watch(&ri, start_rv.as_deref(), &filter);
    let interval = ctx.state.bookmark_interval;
    let table = (ctx.fmt == Format::Table)
        .then(|| crate::table::IncludeObject::parse(ctx.q.get("includeObject")));
    let partial = ctx.fmt == Format::PartialMetadata;
    // What a watch event carries: the object, or its Table row / metadata when asked for.
    let render = move |ri: &ResourceInfo, o: &Value| -> Value {
        let p = present(ri, o);
        match table {
            Some(include) => {
                let meta = json!({"resourceVersion": p.pointer("/metadata/resourceVersion").cloned().unwrap_or(Value::Null)});
                crate::table::table(ri, &[&p], meta, include)
            }
            None if partial => partial_metadata(&p),
            None => p,
        }
    };
    tokio::spawn(async move {
        let w = match start {
            Ok(w) => w,
            Err(WatchError::Expired { requested, oldest }) => {
                let st =
                    ApiError::expired(format!("too old resource version: {requested} ({oldest})"))
                        .to_status();
                let _ = tx.send(Ok(watch_line("ERROR", &st))).await;
                return;
            }
            Err(WatchError::BadResourceVersion(rv)) => {
                let st = ApiError::bad_request(format!("resourceVersion: Invalid value: \"{rv}\""))
                    .to_status();
                let _ = tx.send(Ok(watch_line("ERROR", &st))).await;
                return;
            }
        };
        let mut last_rev = w.start_rev;
        for ev in &w.initial {
            let Some(t) = filter.classify(ev) else {
                continue;
            };
            last_rev = last_rev.max(ev.rev);
            if tx
                .send(Ok(watch_line(t.as_str(), &render(&ri, &ev.object))))
                .await
                .is_err()
            {
                return;
            }
        }
        if send_initial && tx.send(Ok(bookmark(&ri, w.start_rev, true))).await.is_err() {
            return;
        }
        let key = ri.storage_key();
        let mut rx_events = w.rx;
        let deadline = tokio::time::Instant::now() + timeout;
        let mut tick = tokio::time::interval(interval);
        tick.tick().await;
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => return,
                _ = tx.closed() => return,
                _ = tick.tick() => {
                    if bookmarks && tx.send(Ok(bookmark(&ri, last_rev, false))).await.is_err() {
                        return;
                    }
                }
                ev = rx_events.recv() => {
                    let ev = match ev {
                        Ok(ev) => ev,
                        // Fell behind or the store went away: close so the client resumes.
                        Err(_) => return,
                    };
                    if ev.rev <= w.start_rev {
                        continue;
                    }
                    // Events arrive in revision order, so every change up to this revision
                    // has been seen; bookmarks may report it even if it was another resource's.
                    last_rev = ev.rev;
                    if ev.key != key {
                        continue;
                    }
                    let Some(t) = filter.classify(&ev) else { continue };
                    // An object leaving the selector is reported as DELETED with its new state.
                    let obj = render(&ri, &ev.object);
                    if tx.send(Ok(watch_line(t.as_str(), &obj))).await.is_err() {
                        return;
                    }
                }
            }
        }
    });
    let stream = tokio_stream::wrappers::ReceiverStream::new(rx);
    let wrapped = ctx
        .state
        .faults
        .wrap_watch(ctx.info.clone(), ctx.fault.clone(), stream);
    let mut r = Response::new(Body::from_stream(wrapped));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, private"),
    );
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Registry;

    #[test]
    fn query_parsing_tolerates_quirks() {
        let q = parse_query("&watch=true&labelSelector=app+in+%28a%2Cb%29&timeout=32s");
        assert_eq!(q[0], ("watch".to_owned(), "true".to_owned()));
        assert_eq!(q[1].1, "app in (a,b)");
    }

    #[test]
    fn routes() {
        let s = Store::new(Registry::new(false));
        let (r, _) = route(&s, "/api/v1/namespaces/default/configmaps/x");
        let Route::Resource(rp) = r else {
            panic!("resource")
        };
        assert_eq!(rp.namespace.as_deref(), Some("default"));
        assert_eq!(rp.name.as_deref(), Some("x"));
        let (r, _) = route(&s, "/api/v1/namespaces/t1/finalize");
        let Route::Resource(rp) = r else {
            panic!("resource")
        };
        assert_eq!(rp.resource, "namespaces");
        assert_eq!(rp.sub.as_deref(), Some("finalize"));
        let (r, _) = route(
            &s,
            "/apis/rbac.authorization.k8s.io/v1/clusterroles/system:basic-user",
        );
        let Route::Resource(rp) = r else {
            panic!("resource")
        };
        assert_eq!(rp.name.as_deref(), Some("system:basic-user"));
        assert!(matches!(route(&s, "/foo").0, Route::Unknown));
    }

    #[test]
    fn accept_negotiation() {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT,
            HeaderValue::from_static("application/vnd.kubernetes.protobuf"),
        );
        assert_eq!(negotiate(&h).expect_err("406").code, 406);
        h.insert(
            header::ACCEPT,
            HeaderValue::from_static("application/vnd.kubernetes.protobuf, application/json"),
        );
        assert_eq!(negotiate(&h).expect("json"), Format::Json);
        h.insert(
            header::ACCEPT,
            HeaderValue::from_static(
                "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1",
            ),
        );
        assert_eq!(negotiate(&h).expect("meta"), Format::PartialMetadata);
        h.insert(
            header::ACCEPT,
            HeaderValue::from_static(
                "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
            ),
        );
        assert_eq!(negotiate(&h).expect("table"), Format::Table);
        h.insert(
            header::ACCEPT,
            HeaderValue::from_static("application/json;as=Table;v=v1;g=other.io,application/json"),
        );
        assert_eq!(negotiate(&h).expect("unknown table group"), Format::Json);
    }
}
