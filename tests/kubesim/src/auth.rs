//! Authentication: bearer tokens, service-account tokens, impersonation and the
//! authentication review APIs.
//!
//! An [`Authenticator`] turns request headers into a [`UserInfo`]:
//! - with no token table configured ([`Authenticator::disabled`]) every request runs as
//!   `system:admin` in `system:masters` (unless it carries a service-account token this server
//!   issued, which still identifies its service account);
//! - otherwise a `Authorization: Bearer <token>` header is looked up in the static table (loaded
//!   from a kube-apiserver `--token-auth-file` CSV, or added at run time) and among issued
//!   service-account tokens; an unknown or expired token is a 401; a request without a token is
//!   `system:anonymous` in `system:unauthenticated`, or a 401 when anonymous access is off;
//! - every authenticated user also gets `system:authenticated`.
//!
//! Impersonation (`Impersonate-User`, `Impersonate-Group`, `Impersonate-Uid`,
//! `Impersonate-Extra-<key>`) runs after authentication: each requested attribute is checked with
//! verb `impersonate` through a caller-supplied authorizer (normally [`crate::rbac::authorize`]),
//! and a denial is the same 403 the real server sends, e.g.
//! `users "bob" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope`.
//!
//! Service-account tokens come from [`Authenticator::issue_service_account_token`] (the
//! `serviceaccounts/<sa>/token` subresource) and expire; static tokens can also be managed at run
//! time through [`admin_router`].

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use base64::Engine as _;
use chrono::{DateTime, Duration as ChronoDuration, SecondsFormat, Utc};
use http::HeaderMap;
use parking_lot::RwLock;
use rand::Rng as _;
use serde_json::{Map, Value, json};

use crate::error::ApiError;
pub use crate::request::{RequestAttributes as Attributes, UserIdentity as UserInfo};

/// The user name of unauthenticated requests.
pub const ANONYMOUS_USER: &str = "system:anonymous";
/// The group of unauthenticated requests.
pub const UNAUTHENTICATED_GROUP: &str = "system:unauthenticated";
/// The group every authenticated user belongs to.
pub const AUTHENTICATED_GROUP: &str = "system:authenticated";
/// The audience the API server accepts tokens for (and issues them for by default).
pub const API_AUDIENCE: &str = "https://kubernetes.default.svc.cluster.local";
/// Default lifetime of a requested service-account token.
pub const DEFAULT_TOKEN_SECONDS: i64 = 3600;
/// Shortest lifetime a token request may ask for, as the real server enforces.
pub const MIN_TOKEN_SECONDS: i64 = 600;

/// Why a request could not be authenticated or impersonated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AuthError {
    /// Missing (with anonymous access off), unknown or expired bearer token: 401.
    #[error("unauthorized")]
    Unauthorized,
    /// Impersonation denied: 403 with the real server's message.
    #[error("forbidden: {}", .0.message)]
    Forbidden(ApiError),
    /// Malformed impersonation headers: 400.
    #[error("bad impersonation request: {0}")]
    BadRequest(String),
}

impl AuthError {
    /// The HTTP status code to answer with.
    pub fn code(&self) -> u16 {
        match self {
            AuthError::Unauthorized => 401,
            AuthError::Forbidden(_) => 403,
            AuthError::BadRequest(_) => 400,
        }
    }

    /// The API error (and so the `Status` body) to answer with.
    pub fn to_api_error(&self) -> ApiError {
        match self {
            AuthError::Unauthorized => ApiError::new(401, "Unauthorized", "Unauthorized"),
            AuthError::Forbidden(e) => e.clone(),
            AuthError::BadRequest(m) => ApiError::bad_request(m.clone()),
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        e.to_api_error()
    }
}

/// A token file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TokenFileError {
    /// The file cannot be read.
    #[error("cannot read token file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A record is malformed.
    #[error("token file {path}, line {line}: {message}")]
    Parse {
        /// The file (or `<inline>`).
        path: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// The result of authenticating a request: the identity to authorize and, when it was
/// impersonated, the identity that authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated {
    /// The identity the request acts as.
    pub user: UserInfo,
    /// The real caller, when `user` is impersonated.
    pub impersonator: Option<UserInfo>,
}

#[derive(Debug, Clone)]
struct ServiceAccountToken {
    user: UserInfo,
    audiences: Vec<String>,
    expires: DateTime<Utc>,
}

/// Turns request headers into identities; see the module documentation.
#[derive(Debug)]
pub struct Authenticator {
    enabled: bool,
    allow_anonymous: bool,
    static_tokens: RwLock<HashMap<String, UserInfo>>,
    sa_tokens: RwLock<HashMap<String, ServiceAccountToken>>,
}

impl Default for Authenticator {
    fn default() -> Self {
        Self::disabled()
    }
}

impl Authenticator {
    /// No authentication: every request is `system:admin` in `system:masters`.
    pub fn disabled() -> Self {
        Self {
            enabled: false,
            allow_anonymous: true,
            static_tokens: RwLock::new(HashMap::new()),
            sa_tokens: RwLock::new(HashMap::new()),
        }
    }

    /// Token authentication with an empty static table (tokens can be added with
    /// [`Authenticator::add_token`]); anonymous requests are allowed.
    pub fn with_tokens() -> Self {
        Self {
            enabled: true,
            ..Self::disabled()
        }
    }

    /// Token authentication from a kube-apiserver `--token-auth-file`.
    pub fn from_token_file(path: &Path) -> Result<Self, TokenFileError> {
        let text = std::fs::read_to_string(path).map_err(|source| TokenFileError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_csv(&text, &path.display().to_string())
    }

    /// Token authentication from the CSV text of a token file (`token,user,uid[,"g1,g2"]` per
    /// line); `origin` names the source in errors.
    pub fn from_csv(text: &str, origin: &str) -> Result<Self, TokenFileError> {
        let auth = Self::with_tokens();
        for (token, user) in parse_token_csv(text, origin)? {
            auth.add_token(&token, user);
        }
        Ok(auth)
    }

    /// Whether requests without a token are served as `system:anonymous` (true) or get a 401.
    pub fn allow_anonymous(mut self, allow: bool) -> Self {
        self.allow_anonymous = allow;
        self
    }

    /// Whether token authentication is on.
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// Adds (or replaces) a static token.
    pub fn add_token(&self, token: &str, user: UserInfo) {
        self.static_tokens.write().insert(token.to_owned(), user);
    }

    /// Removes a static token; returns whether it existed.
    pub fn remove_token(&self, token: &str) -> bool {
        self.static_tokens.write().remove(token).is_some()
    }

    /// Authenticates the bearer token of `headers` (impersonation headers are not looked at).
    pub fn authenticate(&self, headers: &HeaderMap) -> Result<UserInfo, AuthError> {
        self.authenticate_at(headers, Utc::now())
    }

    /// [`Authenticator::authenticate`] at a given time (token expiry is checked against `now`).
    pub fn authenticate_at(
        &self,
        headers: &HeaderMap,
        now: DateTime<Utc>,
    ) -> Result<UserInfo, AuthError> {
        let token = bearer_token(headers);
        if !self.enabled {
            // Issued service-account tokens keep meaning their account even without a token
            // table, so `kubectl create token` + `auth whoami` behave as on a real cluster.
            if let Some(t) = token
                && let Some(Ok((user, _))) = self.lookup_service_account(t, &[], now)
            {
                return Ok(user);
            }
            return Ok(UserInfo::admin());
        }
        match token {
            None if self.allow_anonymous => Ok(anonymous()),
            None => Err(AuthError::Unauthorized),
            Some(t) => match self.authenticate_token_at(t, &[], now) {
                Ok((user, _)) => Ok(user),
                Err(_) => Err(AuthError::Unauthorized),
            },
        }
    }

    /// Looks a token up for `audiences` (empty means the API server's own audience). Returns
    /// the user and the audiences the token is valid for, or why it is not valid.
    pub fn authenticate_token_at(
        &self,
        token: &str,
        audiences: &[String],
        now: DateTime<Utc>,
    ) -> Result<(UserInfo, Vec<String>), String> {
        if let Some(user) = self.static_tokens.read().get(token) {
            let auds = if audiences.is_empty() {
                vec![API_AUDIENCE.to_owned()]
            } else {
                audiences.to_vec()
            };
            return Ok((with_group(user.clone(), AUTHENTICATED_GROUP), auds));
        }
        match self.lookup_service_account(token, audiences, now) {
            Some(result) => result,
            None => Err("invalid bearer token".to_owned()),
        }
    }

    fn lookup_service_account(
        &self,
        token: &str,
        audiences: &[String],
        now: DateTime<Utc>,
    ) -> Option<Result<(UserInfo, Vec<String>), String>> {
        let entry = self.sa_tokens.read().get(token).cloned()?;
        if entry.expires <= now {
            return Some(Err("token has expired".to_owned()));
        }
        let wanted: Vec<String> = if audiences.is_empty() {
            vec![API_AUDIENCE.to_owned()]
        } else {
            audiences.to_vec()
        };
        let common: Vec<String> = wanted
            .into_iter()
            .filter(|a| entry.audiences.contains(a))
            .collect();
        if common.is_empty() {
            return Some(Err("token audiences do not match".to_owned()));
        }
        Some(Ok((entry.user, common)))
    }

    /// Authenticates and then applies impersonation headers; `authz` decides whether the real
    /// caller may impersonate each requested attribute (verb `impersonate`).
    pub fn authenticate_request(
        &self,
        headers: &HeaderMap,
        authz: &dyn Fn(&UserInfo, &Attributes) -> bool,
    ) -> Result<Authenticated, AuthError> {
        let user = self.authenticate(headers)?;
        match impersonate(&user, headers, authz)? {
            Some(acting) => Ok(Authenticated {
                user: acting,
                impersonator: Some(user),
            }),
            None => Ok(Authenticated {
                user,
                impersonator: None,
            }),
        }
    }

    /// `POST /api/v1/namespaces/{ns}/serviceaccounts/{sa}/token`: issues a token for the service
    /// account `sa_name` (whose object uid is `sa_uid`) and returns the TokenRequest answer.
    pub fn issue_service_account_token(
        &self,
        namespace: &str,
        sa_name: &str,
        sa_uid: &str,
        body: &Value,
    ) -> Result<Value, ApiError> {
        self.issue_service_account_token_at(namespace, sa_name, sa_uid, body, Utc::now())
    }

    /// [`Authenticator::issue_service_account_token`] at a given time.
    pub fn issue_service_account_token_at(
        &self,
        namespace: &str,
        sa_name: &str,
        sa_uid: &str,
        body: &Value,
        now: DateTime<Utc>,
    ) -> Result<Value, ApiError> {
        let invalid = |field: &str, msg: String| {
            ApiError::invalid_field(
                "TokenRequest",
                "authentication.k8s.io",
                sa_name,
                "FieldValueInvalid",
                field,
                msg,
            )
        };
        let spec = body.get("spec").cloned().unwrap_or_else(|| json!({}));
        if !spec.is_object() {
            return Err(ApiError::bad_request("TokenRequest spec must be an object"));
        }
        let seconds = match spec.get("expirationSeconds") {
            None | Some(Value::Null) => DEFAULT_TOKEN_SECONDS,
            Some(v) => v.as_i64().ok_or_else(|| {
                ApiError::bad_request(format!(
                    "TokenRequest spec.expirationSeconds must be an integer, got {v}"
                ))
            })?,
        };
        if seconds < MIN_TOKEN_SECONDS {
            return Err(invalid(
                "spec.expirationSeconds",
                format!(
                    "Invalid value: {seconds}: may not specify a duration less than 10 minutes"
                ),
            ));
        }
        if seconds > 1 << 32 {
            return Err(invalid(
                "spec.expirationSeconds",
                format!(
                    "Invalid value: {seconds}: may not specify a duration larger than 2^32 seconds"
                ),
            ));
        }
        let mut audiences: Vec<String> = spec
            .get("audiences")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        if audiences.is_empty() {
            audiences.push(API_AUDIENCE.to_owned());
        }
        let expires = now + ChronoDuration::seconds(seconds);
        let user = UserInfo {
            name: format!("system:serviceaccount:{namespace}:{sa_name}"),
            uid: sa_uid.to_owned(),
            groups: vec![
                "system:serviceaccounts".to_owned(),
                format!("system:serviceaccounts:{namespace}"),
                AUTHENTICATED_GROUP.to_owned(),
            ],
            extra: BTreeMap::new(),
        };
        let token = make_jwt(&user, namespace, sa_name, sa_uid, &audiences, now, expires);
        self.sa_tokens.write().insert(
            token.clone(),
            ServiceAccountToken {
                user,
                audiences: audiences.clone(),
                expires,
            },
        );
        let mut out_spec = spec.as_object().cloned().unwrap_or_default();
        out_spec.insert("audiences".to_owned(), json!(audiences));
        out_spec.insert("expirationSeconds".to_owned(), json!(seconds));
        out_spec
            .entry("boundObjectRef".to_owned())
            .or_insert(Value::Null);
        Ok(json!({
            "kind": "TokenRequest",
            "apiVersion": "authentication.k8s.io/v1",
            "metadata": {
                "name": sa_name,
                "namespace": namespace,
                "creationTimestamp": rfc3339(now),
            },
            "spec": Value::Object(out_spec),
            "status": {
                "token": token,
                "expirationTimestamp": rfc3339(expires),
            },
        }))
    }

    /// `POST /apis/authentication.k8s.io/v1/tokenreviews`: reports who `spec.token` is.
    pub fn token_review(&self, body: &Value) -> Result<Value, ApiError> {
        self.token_review_at(body, Utc::now())
    }

    /// [`Authenticator::token_review`] at a given time.
    pub fn token_review_at(&self, body: &Value, now: DateTime<Utc>) -> Result<Value, ApiError> {
        let spec = body.get("spec").cloned().unwrap_or_else(|| json!({}));
        let token = spec.get("token").and_then(Value::as_str).unwrap_or("");
        if token.is_empty() {
            return Err(ApiError::bad_request(
                "token is required for TokenReview in authentication",
            ));
        }
        let audiences: Vec<String> = spec
            .get("audiences")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let status = match self.authenticate_token_at(token, &audiences, now) {
            Ok((user, auds)) => json!({
                "authenticated": true,
                "user": user_json(&user),
                "audiences": auds,
            }),
            Err(e) => json!({ "user": {}, "error": e }),
        };
        Ok(json!({
            "kind": "TokenReview",
            "apiVersion": "authentication.k8s.io/v1",
            "metadata": { "creationTimestamp": null },
            "spec": spec,
            "status": status,
        }))
    }
}

/// Static tokens at run time, for the admin listener: `POST /tokens` with
/// `{"token", "user", "uid", "groups"}` adds (or replaces) one, `DELETE /tokens/{token}` removes
/// it, `GET /tokens` lists the user names per token. They take effect only when token
/// authentication is on (a token file was given). `get` picks the authenticator out of the
/// router's shared state, e.g. `auth::admin_router(state, |s| &s.auth)`.
pub fn admin_router<S>(state: std::sync::Arc<S>, get: fn(&S) -> &Authenticator) -> axum::Router
where
    S: Send + Sync + 'static,
{
    use axum::extract::Path as AxPath;
    use axum::response::IntoResponse as _;
    use axum::routing::{delete, post};

    fn status(e: &ApiError) -> axum::response::Response {
        let code =
            http::StatusCode::from_u16(e.code).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        (code, axum::Json(e.to_status())).into_response()
    }

    let s_add = state.clone();
    let s_list = state.clone();
    let s_del = state;
    axum::Router::new()
        .route(
            "/tokens",
            post(move |body: axum::body::Bytes| {
                let s = s_add.clone();
                async move {
                    let parsed = serde_json::from_slice::<Value>(&body)
                        .map_err(|e| ApiError::bad_request(format!("token body is not JSON: {e}")))
                        .and_then(|v| token_from_json(&v));
                    match parsed {
                        Ok((token, user)) => {
                            let name = user.name.clone();
                            get(&s).add_token(&token, user);
                            (http::StatusCode::CREATED, axum::Json(json!({"user": name})))
                                .into_response()
                        }
                        Err(e) => status(&e),
                    }
                }
            })
            .get(move || {
                let s = s_list.clone();
                async move {
                    let users: BTreeMap<String, String> = get(&s)
                        .static_tokens
                        .read()
                        .iter()
                        .map(|(t, u)| (t.clone(), u.name.clone()))
                        .collect();
                    axum::Json(json!({"tokens": users})).into_response()
                }
            }),
        )
        .route(
            "/tokens/{token}",
            delete(move |AxPath(token): AxPath<String>| {
                let s = s_del.clone();
                async move {
                    if get(&s).remove_token(&token) {
                        axum::Json(json!({"deleted": true})).into_response()
                    } else {
                        status(&ApiError::new(404, "NotFound", "token not found"))
                    }
                }
            }),
        )
}

/// Reads `{"token", "user", "uid", "groups"}` (groups optional).
pub fn token_from_json(v: &Value) -> Result<(String, UserInfo), ApiError> {
    let field = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let token = field("token");
    let name = field("user");
    if token.is_empty() || name.is_empty() {
        return Err(ApiError::bad_request(
            "token entries need non-empty \"token\" and \"user\" strings",
        ));
    }
    let groups = match v.get("groups") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|g| {
                g.as_str().map(str::to_owned).ok_or_else(|| {
                    ApiError::bad_request(format!("token groups must be strings, got {g}"))
                })
            })
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "token groups must be a list of strings, got {other}"
            )));
        }
    };
    Ok((
        token,
        UserInfo {
            name,
            uid: field("uid"),
            groups,
            extra: BTreeMap::new(),
        },
    ))
}

/// `POST /apis/authentication.k8s.io/v1/selfsubjectreviews` (`kubectl auth whoami`).
pub fn self_subject_review(user: &UserInfo) -> Value {
    json!({
        "kind": "SelfSubjectReview",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": { "creationTimestamp": null },
        "status": { "userInfo": user_json(user) },
    })
}

/// A user as the authentication API renders it (`username`, `uid`, `groups`, `extra`).
pub fn user_json(user: &UserInfo) -> Value {
    let mut m = Map::new();
    m.insert("username".to_owned(), json!(user.name));
    if !user.uid.is_empty() {
        m.insert("uid".to_owned(), json!(user.uid));
    }
    if !user.groups.is_empty() {
        m.insert("groups".to_owned(), json!(user.groups));
    }
    if !user.extra.is_empty() {
        m.insert("extra".to_owned(), json!(user.extra));
    }
    Value::Object(m)
}

/// The identity of a request without credentials.
pub fn anonymous() -> UserInfo {
    UserInfo {
        name: ANONYMOUS_USER.to_owned(),
        uid: String::new(),
        groups: vec![UNAUTHENTICATED_GROUP.to_owned()],
        extra: BTreeMap::new(),
    }
}

fn with_group(mut user: UserInfo, group: &str) -> UserInfo {
    if !user.groups.iter().any(|g| g == group) {
        user.groups.push(group.to_owned());
    }
    user
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The token of an `Authorization: Bearer <token>` header, if any.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let value = value.trim();
    let (scheme, rest) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = rest.trim();
    (!token.is_empty()).then_some(token)
}

/// A JWT-shaped token carrying the claims a real service-account token has. The signature is
/// random: the server recognises its tokens by table lookup, and clients never verify them.
fn make_jwt(
    user: &UserInfo,
    namespace: &str,
    sa_name: &str,
    sa_uid: &str,
    audiences: &[String],
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = json!({ "alg": "RS256", "kid": "kubesim" });
    let claims = json!({
        "aud": audiences,
        "exp": expires.timestamp(),
        "iat": now.timestamp(),
        "iss": API_AUDIENCE,
        "jti": uuid::Uuid::new_v4().to_string(),
        "kubernetes.io": {
            "namespace": namespace,
            "serviceaccount": { "name": sa_name, "uid": sa_uid },
        },
        "nbf": now.timestamp(),
        "sub": user.name,
    });
    let mut sig = [0u8; 32];
    rand::rng().fill(&mut sig);
    format!(
        "{}.{}.{}",
        b64.encode(header.to_string()),
        b64.encode(claims.to_string()),
        b64.encode(sig)
    )
}

/// Parses a kube-apiserver token file: CSV records `token,user,uid[,"group1,group2"]`.
/// Records with an empty token are skipped (as kube-apiserver does); fewer than three columns is
/// an error.
pub fn parse_token_csv(
    text: &str,
    origin: &str,
) -> Result<Vec<(String, UserInfo)>, TokenFileError> {
    let mut out = Vec::new();
    for (idx, line) in text.lines().enumerate() {
        let line_no = idx + 1;
        if line.trim().is_empty() {
            continue;
        }
        let record = split_csv_line(line).map_err(|message| TokenFileError::Parse {
            path: origin.to_owned(),
            line: line_no,
            message,
        })?;
        if record.len() < 3 {
            return Err(TokenFileError::Parse {
                path: origin.to_owned(),
                line: line_no,
                message: format!(
                    "must have at least 3 columns (token, user name, user uid), found {}",
                    record.len()
                ),
            });
        }
        if record[0].is_empty() {
            continue;
        }
        let groups = record
            .get(3)
            .map(|g| {
                g.split(',')
                    .map(str::trim)
                    .filter(|g| !g.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        out.push((
            record[0].clone(),
            UserInfo {
                name: record[1].clone(),
                uid: record[2].clone(),
                groups,
                extra: BTreeMap::new(),
            },
        ));
    }
    Ok(out)
}

/// Splits one CSV line like Go's `encoding/csv` with `TrimLeadingSpace`: quoted fields may hold
/// commas and doubled quotes; a quote inside an unquoted field is an error.
fn split_csv_line(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut chars = line.trim_end_matches('\r').chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ' ' || *c == '\t') {
            chars.next();
        }
        let mut field = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    None => return Err("unterminated quoted field".to_owned()),
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    Some('"') => break,
                    Some(c) => field.push(c),
                }
            }
            match chars.next() {
                None => {
                    fields.push(field);
                    return Ok(fields);
                }
                Some(',') => fields.push(field),
                Some(c) => return Err(format!("unexpected {c:?} after a quoted field")),
            }
        } else {
            loop {
                match chars.next() {
                    None => {
                        fields.push(field);
                        return Ok(fields);
                    }
                    Some(',') => break,
                    Some('"') => return Err("bare \" in a non-quoted field".to_owned()),
                    Some(c) => field.push(c),
                }
            }
            fields.push(field);
        }
    }
}

/// Header names of impersonation.
const IMPERSONATE_USER: &str = "impersonate-user";
const IMPERSONATE_GROUP: &str = "impersonate-group";
const IMPERSONATE_UID: &str = "impersonate-uid";
const IMPERSONATE_EXTRA_PREFIX: &str = "impersonate-extra-";

/// Whether `headers` ask for impersonation at all.
pub fn has_impersonation(headers: &HeaderMap) -> bool {
    headers.keys().any(|k| {
        let k = k.as_str();
        k == IMPERSONATE_USER
            || k == IMPERSONATE_GROUP
            || k == IMPERSONATE_UID
            || k.starts_with(IMPERSONATE_EXTRA_PREFIX)
    })
}

fn header_values(headers: &HeaderMap, name: &str) -> Result<Vec<String>, AuthError> {
    headers
        .get_all(name)
        .iter()
        .map(|v| {
            v.to_str().map(str::to_owned).map_err(|_| {
                AuthError::BadRequest(format!("header {name} is not valid ASCII text"))
            })
        })
        .collect()
}

/// Applies impersonation headers for the authenticated `requestor`. Returns `None` when the
/// request does not impersonate, the impersonated identity when every requested attribute is
/// allowed by `authz`, and a 403 naming the first denied attribute otherwise.
pub fn impersonate(
    requestor: &UserInfo,
    headers: &HeaderMap,
    authz: &dyn Fn(&UserInfo, &Attributes) -> bool,
) -> Result<Option<UserInfo>, AuthError> {
    if !has_impersonation(headers) {
        return Ok(None);
    }
    let users = header_values(headers, IMPERSONATE_USER)?;
    let groups = header_values(headers, IMPERSONATE_GROUP)?;
    let uids = header_values(headers, IMPERSONATE_UID)?;
    let mut extra: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for name in headers.keys() {
        if let Some(raw_key) = name.as_str().strip_prefix(IMPERSONATE_EXTRA_PREFIX) {
            let key = percent_encoding::percent_decode_str(raw_key)
                .decode_utf8()
                .map_err(|_| {
                    AuthError::BadRequest(format!(
                        "impersonation extra key {raw_key:?} is not valid percent-encoded UTF-8"
                    ))
                })?
                .to_lowercase();
            extra
                .entry(key)
                .or_default()
                .extend(header_values(headers, name.as_str())?);
        }
    }
    let Some(user_name) = users.first().map(|u| u.trim().to_owned()) else {
        return Err(AuthError::BadRequest(
            "requested impersonation of groups, extra or uid without impersonating a user"
                .to_owned(),
        ));
    };
    if users.len() > 1 {
        return Err(AuthError::BadRequest(
            "only one Impersonate-User header may be given".to_owned(),
        ));
    }
    if uids.len() > 1 {
        return Err(AuthError::BadRequest(
            "only one Impersonate-Uid header may be given".to_owned(),
        ));
    }
    let check = |attrs: Attributes| -> Result<(), AuthError> {
        if authz(requestor, &attrs) {
            Ok(())
        } else {
            Err(AuthError::Forbidden(crate::rbac::forbidden_error(
                &requestor.name,
                &attrs,
            )))
        }
    };
    let attrs = |group: &str, resource: &str, sub: &str, ns: &str, name: &str| Attributes {
        user: requestor.clone(),
        verb: "impersonate".to_owned(),
        is_resource_request: true,
        api_group: group.to_owned(),
        resource: resource.to_owned(),
        subresource: sub.to_owned(),
        namespace: ns.to_owned(),
        name: name.to_owned(),
        ..Attributes::default()
    };

    let mut result_groups: Vec<String> = groups.clone();
    match service_account_parts(&user_name) {
        Some((ns, sa)) => {
            check(attrs("", "serviceaccounts", "", ns, sa))?;
            if groups.is_empty() {
                result_groups = vec![
                    "system:serviceaccounts".to_owned(),
                    format!("system:serviceaccounts:{ns}"),
                ];
            }
        }
        None => check(attrs("", "users", "", "", &user_name))?,
    }
    for g in &groups {
        check(attrs("", "groups", "", "", g))?;
    }
    for (key, values) in &extra {
        for v in values {
            check(attrs("authentication.k8s.io", "userextras", key, "", v))?;
        }
    }
    if let Some(uid) = uids.first() {
        check(attrs("authentication.k8s.io", "uids", "", "", uid))?;
    }
    let implied = if user_name == ANONYMOUS_USER {
        UNAUTHENTICATED_GROUP
    } else {
        AUTHENTICATED_GROUP
    };
    let user = with_group(
        UserInfo {
            name: user_name,
            uid: uids.first().cloned().unwrap_or_default(),
            groups: result_groups,
            extra,
        },
        implied,
    );
    Ok(Some(user))
}

/// `system:serviceaccount:<ns>:<name>` → `(ns, name)`.
fn service_account_parts(user: &str) -> Option<(&str, &str)> {
    let rest = user.strip_prefix("system:serviceaccount:")?;
    let (ns, name) = rest.split_once(':')?;
    (!ns.is_empty() && !name.is_empty() && !name.contains(':')).then_some((ns, name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rbac::{StaticRbac, authorize, bootstrap_objects};
    use http::HeaderValue;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                http::HeaderName::from_bytes(k.as_bytes()).expect("header name"),
                HeaderValue::from_str(v).expect("header value"),
            );
        }
        h
    }

    const CSV: &str = "tok-alice,alice,u1,\"devs,ops\"\n\n tok-bob , bob,u2\n,empty,u3\n";

    #[test]
    fn token_file_parsing() {
        let recs = parse_token_csv(CSV, "t.csv").expect("parse");
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].0, "tok-alice");
        assert_eq!(recs[0].1.groups, vec!["devs", "ops"]);
        assert_eq!(recs[1].0, "tok-bob ");
        assert_eq!(recs[1].1.name, "bob");
        let err = parse_token_csv("a,b\n", "f.csv").expect_err("two columns");
        assert_eq!(
            err.to_string(),
            "token file f.csv, line 1: must have at least 3 columns (token, user name, user uid), found 2"
        );
        let err = parse_token_csv("x,\"unterminated,u\n", "f.csv").expect_err("quote");
        assert!(err.to_string().contains("unterminated"), "{err}");
        let err = parse_token_csv("x,a\"b,u\n", "f.csv").expect_err("bare quote");
        assert!(err.to_string().contains("bare"), "{err}");
        assert_eq!(
            split_csv_line("a,\"b \"\"q\"\"\",c").expect("split"),
            vec!["a", "b \"q\"", "c"]
        );
    }

    #[test]
    fn bearer_tokens() {
        let auth = Authenticator::from_csv(CSV, "t.csv").expect("auth");
        let alice = auth
            .authenticate(&headers(&[("authorization", "Bearer tok-alice")]))
            .expect("alice");
        assert_eq!(alice.name, "alice");
        assert_eq!(alice.uid, "u1");
        assert_eq!(alice.groups, vec!["devs", "ops", AUTHENTICATED_GROUP]);
        assert_eq!(
            auth.authenticate(&headers(&[("authorization", "Bearer nope")])),
            Err(AuthError::Unauthorized)
        );
        let anon = auth.authenticate(&HeaderMap::new()).expect("anonymous");
        assert_eq!(anon.name, ANONYMOUS_USER);
        assert_eq!(anon.groups, vec![UNAUTHENTICATED_GROUP]);
        // Basic credentials are not a bearer token: the request is anonymous.
        let basic = auth
            .authenticate(&headers(&[("authorization", "Basic Zm9vOmJhcg==")]))
            .expect("basic");
        assert_eq!(basic.name, ANONYMOUS_USER);
        let strict = Authenticator::from_csv(CSV, "t.csv")
            .expect("auth")
            .allow_anonymous(false);
        assert_eq!(
            strict.authenticate(&HeaderMap::new()),
            Err(AuthError::Unauthorized)
        );
        let s = AuthError::Unauthorized.to_api_error().to_status();
        assert_eq!(s["code"], 401);
        assert_eq!(s["reason"], "Unauthorized");
        assert_eq!(s["message"], "Unauthorized");
    }

    #[test]
    fn disabled_means_admin() {
        let auth = Authenticator::disabled();
        let u = auth
            .authenticate(&headers(&[("authorization", "Bearer anything")]))
            .expect("admin");
        assert_eq!(u, UserInfo::admin());
    }

    #[test]
    fn service_account_tokens_expire() {
        let auth = Authenticator::with_tokens();
        let now = Utc::now();
        let out = auth
            .issue_service_account_token_at("t1", "default", "uid-1", &json!({"spec": {}}), now)
            .expect("issue");
        assert_eq!(out["spec"]["expirationSeconds"], 3600);
        assert_eq!(out["spec"]["audiences"], json!([API_AUDIENCE]));
        let token = out["status"]["token"].as_str().expect("token").to_owned();
        assert_eq!(token.split('.').count(), 3);
        let h = headers(&[("authorization", &format!("Bearer {token}"))]);
        let u = auth.authenticate_at(&h, now).expect("sa");
        assert_eq!(u.name, "system:serviceaccount:t1:default");
        assert_eq!(
            u.groups,
            vec![
                "system:serviceaccounts",
                "system:serviceaccounts:t1",
                AUTHENTICATED_GROUP
            ]
        );
        let later = now + ChronoDuration::seconds(3601);
        assert_eq!(
            auth.authenticate_at(&h, later),
            Err(AuthError::Unauthorized)
        );
        let review = auth
            .token_review_at(&json!({"spec": {"token": token}}), later)
            .expect("review");
        assert_eq!(review["status"]["error"], "token has expired");

        let err = auth
            .issue_service_account_token_at(
                "t1",
                "default",
                "u",
                &json!({"spec": {"expirationSeconds": 10}}),
                now,
            )
            .expect_err("too short");
        assert_eq!(err.code, 422);
        assert!(
            err.message.contains("less than 10 minutes"),
            "{}",
            err.message
        );

        // A token for another audience is not accepted by the API server.
        let vault = auth
            .issue_service_account_token_at(
                "t1",
                "default",
                "u",
                &json!({"spec": {"audiences": ["vault"]}}),
                now,
            )
            .expect("issue");
        let vt = vault["status"]["token"].as_str().expect("token");
        let h = headers(&[("authorization", &format!("Bearer {vt}"))]);
        assert_eq!(auth.authenticate_at(&h, now), Err(AuthError::Unauthorized));
        let review = auth
            .token_review_at(&json!({"spec": {"token": vt, "audiences": ["vault"]}}), now)
            .expect("review");
        assert_eq!(review["status"]["authenticated"], true);
        assert_eq!(review["status"]["audiences"], json!(["vault"]));
    }

    #[test]
    fn token_review_shapes() {
        let auth = Authenticator::from_csv(CSV, "t.csv").expect("auth");
        let r = auth
            .token_review(&json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": {"token": "tok-alice"}}))
            .expect("review");
        assert_eq!(r["status"]["authenticated"], true);
        assert_eq!(r["status"]["user"]["username"], "alice");
        assert_eq!(r["status"]["user"]["uid"], "u1");
        let r = auth
            .token_review(&json!({"spec": {"token": "bad"}}))
            .expect("review");
        assert_eq!(r["status"]["user"], json!({}));
        assert!(r["status"].get("authenticated").is_none());
        assert_eq!(
            auth.token_review(&json!({"spec": {}}))
                .expect_err("empty")
                .code,
            400
        );
        let who = self_subject_review(&UserInfo::admin());
        assert_eq!(who["status"]["userInfo"]["username"], "system:admin");
        assert_eq!(who["kind"], "SelfSubjectReview");
    }

    fn rbac_authz(src: &StaticRbac) -> impl Fn(&UserInfo, &Attributes) -> bool + '_ {
        move |u, a| authorize(src, u, a).allowed()
    }

    #[test]
    fn impersonation_checks_each_attribute() {
        let mut objects = bootstrap_objects();
        objects.push(json!({"kind": "ClusterRole", "metadata": {"name": "imp"},
            "rules": [{"apiGroups": [""], "resources": ["users"], "resourceNames": ["bob"], "verbs": ["impersonate"]},
                      {"apiGroups": [""], "resources": ["groups"], "verbs": ["impersonate"]},
                      {"apiGroups": ["authentication.k8s.io"], "resources": ["userextras/scopes"], "verbs": ["impersonate"]}]}));
        objects.push(json!({"kind": "ClusterRoleBinding", "metadata": {"name": "imp"},
            "roleRef": {"kind": "ClusterRole", "name": "imp"}, "subjects": [{"kind": "User", "name": "alice"}]}));
        let src = StaticRbac { objects };
        let authz = rbac_authz(&src);
        let alice = UserInfo {
            name: "alice".to_owned(),
            groups: vec![AUTHENTICATED_GROUP.to_owned()],
            ..UserInfo::default()
        };

        assert_eq!(impersonate(&alice, &HeaderMap::new(), &authz), Ok(None));
        let bob = impersonate(
            &alice,
            &headers(&[
                ("impersonate-user", "bob"),
                ("impersonate-group", "g1"),
                ("impersonate-group", "g2"),
                ("impersonate-extra-Scopes", "view"),
            ]),
            &authz,
        )
        .expect("allowed")
        .expect("impersonated");
        assert_eq!(bob.name, "bob");
        assert_eq!(bob.groups, vec!["g1", "g2", AUTHENTICATED_GROUP]);
        assert_eq!(bob.extra.get("scopes"), Some(&vec!["view".to_owned()]));

        let err = impersonate(&alice, &headers(&[("impersonate-user", "carol")]), &authz)
            .expect_err("denied");
        assert_eq!(err.code(), 403);
        assert_eq!(
            err.to_api_error().message,
            "users \"carol\" is forbidden: User \"alice\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope"
        );
        let err = impersonate(
            &alice,
            &headers(&[("impersonate-user", "bob"), ("impersonate-uid", "x")]),
            &authz,
        )
        .expect_err("uid denied");
        assert!(
            err.to_api_error()
                .message
                .starts_with("uids.authentication.k8s.io \"x\" is forbidden")
        );
        let err = impersonate(
            &alice,
            &headers(&[("impersonate-user", "system:serviceaccount:t1:tiller")]),
            &authz,
        )
        .expect_err("sa denied");
        assert_eq!(
            err.to_api_error().message,
            "serviceaccounts \"tiller\" is forbidden: User \"alice\" cannot impersonate resource \"serviceaccounts\" in API group \"\" in the namespace \"t1\""
        );
        let err = impersonate(&alice, &headers(&[("impersonate-group", "g")]), &authz)
            .expect_err("no user");
        assert_eq!(err.code(), 400);

        let admin = UserInfo::admin();
        let sa = impersonate(
            &admin,
            &headers(&[("impersonate-user", "system:serviceaccount:t1:tiller")]),
            &authz,
        )
        .expect("admin may")
        .expect("impersonated");
        assert_eq!(
            sa.groups,
            vec![
                "system:serviceaccounts",
                "system:serviceaccounts:t1",
                AUTHENTICATED_GROUP
            ]
        );
        let anon = impersonate(
            &admin,
            &headers(&[("impersonate-user", ANONYMOUS_USER)]),
            &authz,
        )
        .expect("admin may")
        .expect("impersonated");
        assert_eq!(anon.groups, vec![UNAUTHENTICATED_GROUP]);
    }

    #[test]
    fn authenticate_request_records_both_identities() {
        let auth = Authenticator::from_csv(CSV, "t.csv").expect("auth");
        let allow_all = |_: &UserInfo, _: &Attributes| true;
        let a = auth
            .authenticate_request(
                &headers(&[
                    ("authorization", "Bearer tok-alice"),
                    ("impersonate-user", "x"),
                ]),
                &allow_all,
            )
            .expect("ok");
        assert_eq!(a.user.name, "x");
        assert_eq!(a.impersonator.map(|u| u.name), Some("alice".to_owned()));
    }

    #[tokio::test]
    async fn tokens_admin_api() {
        #[derive(Debug)]
        struct State {
            auth: Authenticator,
        }
        let state = std::sync::Arc::new(State {
            auth: Authenticator::with_tokens().allow_anonymous(false),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let router = admin_router(state.clone(), |s| &s.auth);
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        let (code, _) = raw_http(
            addr,
            "POST",
            "/tokens",
            r#"{"token": "t1", "user": "carol", "groups": ["ops"]}"#,
        )
        .await;
        assert_eq!(code, 201);
        let u = state
            .auth
            .authenticate(&headers(&[("authorization", "Bearer t1")]))
            .expect("carol");
        assert_eq!(u.name, "carol");
        assert_eq!(u.groups, vec!["ops", AUTHENTICATED_GROUP]);
        let (code, body) = raw_http(addr, "GET", "/tokens", "").await;
        assert_eq!(code, 200);
        assert!(body.contains("carol"), "{body}");
        let (code, _) = raw_http(addr, "POST", "/tokens", r#"{"user": "x"}"#).await;
        assert_eq!(code, 400);
        let (code, _) = raw_http(addr, "DELETE", "/tokens/t1", "").await;
        assert_eq!(code, 200);
        let (code, _) = raw_http(addr, "DELETE", "/tokens/t1", "").await;
        assert_eq!(code, 404);
        assert_eq!(
            state
                .auth
                .authenticate(&headers(&[("authorization", "Bearer t1")])),
            Err(AuthError::Unauthorized)
        );
    }

    /// A minimal HTTP/1.1 exchange (the crate has no HTTP client dependency for unit tests).
    async fn raw_http(
        addr: std::net::SocketAddr,
        method: &str,
        path: &str,
        body: &str,
    ) -> (u16, String) {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
        let req = format!(
            "{method} {path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        s.write_all(req.as_bytes()).await.expect("write");
        let mut out = String::new();
        s.read_to_string(&mut out).await.expect("read");
        let code = out
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .expect("status code");
        let body = out.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
        (code, body)
    }
}
