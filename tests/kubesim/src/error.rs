//! API errors and their `Status` representation.
//!
//! Every failure the simulator reports to a client is an [`ApiError`], which renders as the
//! `meta.k8s.io/v1` `Status` object kube-apiserver sends. Clients match on `reason` and `code`,
//! and kubectl prints `message` verbatim, so the texts follow the real server's wording.

use serde_json::{Map, Value, json};

/// One entry of `details.causes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    /// Machine-readable reason such as `FieldValueInvalid`.
    pub reason: String,
    /// Human-readable explanation.
    pub message: String,
    /// JSON path of the offending field, e.g. `metadata.name`.
    pub field: String,
}

/// A Kubernetes API error: an HTTP status code plus a `Status` body.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{code} {reason}: {message}")]
pub struct ApiError {
    /// HTTP status code.
    pub code: u16,
    /// `Status.reason`, e.g. `NotFound`.
    pub reason: String,
    /// `Status.message`.
    pub message: String,
    /// `Status.details` (boxed to keep `Result<_, ApiError>` small).
    pub details: Box<ErrorDetails>,
}

/// The `details` part of a `Status`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ErrorDetails {
    /// `details.name`.
    pub name: Option<String>,
    /// `details.group`.
    pub group: Option<String>,
    /// `details.kind` (the plural resource for NotFound/AlreadyExists/Conflict).
    pub kind: Option<String>,
    /// `details.uid`.
    pub uid: Option<String>,
    /// `details.causes`.
    pub causes: Vec<Cause>,
    /// `details.retryAfterSeconds` (and the `Retry-After` header).
    pub retry_after_seconds: Option<u64>,
}

impl ApiError {
    /// A bare error with a code, reason and message.
    pub fn new(code: u16, reason: &str, message: impl Into<String>) -> Self {
        Self {
            code,
            reason: reason.to_owned(),
            message: message.into(),
            details: Box::default(),
        }
    }

    /// Attaches `details.name` and `details.kind`.
    pub fn with_details(mut self, name: &str, group: &str, kind: &str) -> Self {
        self.details.name = Some(name.to_owned());
        if !group.is_empty() {
            self.details.group = Some(group.to_owned());
        }
        self.details.kind = Some(kind.to_owned());
        self
    }

    /// `resource "name" not found` (404).
    pub fn not_found(group: &str, resource: &str, name: &str) -> Self {
        let qualified = qualified(group, resource);
        Self::new(404, "NotFound", format!("{qualified} \"{name}\" not found"))
            .with_details(name, group, resource)
    }

    /// The generic 404 for unknown paths and resources.
    pub fn unknown_path() -> Self {
        let mut e = Self::new(
            404,
            "NotFound",
            "the server could not find the requested resource",
        );
        e.details.causes.push(Cause {
            reason: "UnexpectedServerResponse".to_owned(),
            message: "404 page not found".to_owned(),
            field: String::new(),
        });
        e
    }

    /// `resource "name" already exists` (409).
    pub fn already_exists(group: &str, resource: &str, name: &str) -> Self {
        let qualified = qualified(group, resource);
        Self::new(
            409,
            "AlreadyExists",
            format!("{qualified} \"{name}\" already exists"),
        )
        .with_details(name, group, resource)
    }

    /// The optimistic-concurrency conflict (409).
    pub fn conflict(group: &str, resource: &str, name: &str, why: &str) -> Self {
        let qualified = qualified(group, resource);
        Self::new(
            409,
            "Conflict",
            format!("Operation cannot be fulfilled on {qualified} \"{name}\": {why}"),
        )
        .with_details(name, group, resource)
    }

    /// The stale-resourceVersion conflict (409).
    pub fn modified(group: &str, resource: &str, name: &str) -> Self {
        Self::conflict(
            group,
            resource,
            name,
            "the object has been modified; please apply your changes to the latest version and try again",
        )
    }

    /// 400 Bad Request.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }

    /// 422 Invalid with field causes; the message lists them like the real server does.
    pub fn invalid(kind: &str, group: &str, name: &str, causes: Vec<Cause>) -> Self {
        let list: Vec<String> = causes
            .iter()
            .map(|c| {
                if c.field.is_empty() {
                    c.message.clone()
                } else {
                    format!("{}: {}", c.field, c.message)
                }
            })
            .collect();
        let joined = if list.len() == 1 {
            list[0].clone()
        } else {
            format!("[{}]", list.join(", "))
        };
        let mut e = Self::new(
            422,
            "Invalid",
            format!("{kind} \"{name}\" is invalid: {joined}"),
        )
        .with_details(name, group, kind);
        e.details.causes = causes;
        e
    }

    /// A single-cause 422.
    pub fn invalid_field(
        kind: &str,
        group: &str,
        name: &str,
        reason: &str,
        field: &str,
        message: impl Into<String>,
    ) -> Self {
        Self::invalid(
            kind,
            group,
            name,
            vec![Cause {
                reason: reason.to_owned(),
                message: message.into(),
                field: field.to_owned(),
            }],
        )
    }

    /// 403 Forbidden.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(403, "Forbidden", message)
    }

    /// 405 Method Not Allowed.
    pub fn method_not_allowed(message: impl Into<String>) -> Self {
        Self::new(405, "MethodNotAllowed", message)
    }

    /// 410 Gone / Expired.
    pub fn expired(message: impl Into<String>) -> Self {
        Self::new(410, "Expired", message)
    }

    /// 415 Unsupported Media Type.
    pub fn unsupported_media_type(message: impl Into<String>) -> Self {
        Self::new(415, "UnsupportedMediaType", message)
    }

    /// 500 Internal Error.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, "InternalError", message)
    }

    /// The `Status` object for this error.
    pub fn to_status(&self) -> Value {
        let mut details = Map::new();
        if let Some(n) = &self.details.name {
            details.insert("name".to_owned(), json!(n));
        }
        if let Some(g) = &self.details.group {
            details.insert("group".to_owned(), json!(g));
        }
        if let Some(k) = &self.details.kind {
            details.insert("kind".to_owned(), json!(k));
        }
        if let Some(u) = &self.details.uid {
            details.insert("uid".to_owned(), json!(u));
        }
        if !self.details.causes.is_empty() {
            let causes: Vec<Value> = self
                .details
                .causes
                .iter()
                .map(|c| {
                    let mut m = Map::new();
                    m.insert("reason".to_owned(), json!(c.reason));
                    m.insert("message".to_owned(), json!(c.message));
                    if !c.field.is_empty() {
                        m.insert("field".to_owned(), json!(c.field));
                    }
                    Value::Object(m)
                })
                .collect();
            details.insert("causes".to_owned(), Value::Array(causes));
        }
        if let Some(r) = self.details.retry_after_seconds {
            details.insert("retryAfterSeconds".to_owned(), json!(r));
        }
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if !details.is_empty() {
            status["details"] = Value::Object(details);
        }
        status
    }
}

/// `resource.group` as the real server prints it (just `resource` for the core group).
pub fn qualified(group: &str, resource: &str) -> String {
    if group.is_empty() {
        resource.to_owned()
    } else {
        format!("{resource}.{group}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_status_shape() {
        let s = ApiError::not_found("", "configmaps", "x").to_status();
        assert_eq!(s["message"], "configmaps \"x\" not found");
        assert_eq!(s["reason"], "NotFound");
        assert_eq!(s["code"], 404);
        assert_eq!(s["details"]["kind"], "configmaps");
        assert_eq!(s["details"]["name"], "x");
    }

    #[test]
    fn grouped_conflict_message() {
        let e = ApiError::modified("apps", "deployments", "d");
        assert_eq!(
            e.message,
            "Operation cannot be fulfilled on deployments.apps \"d\": the object has been modified; please apply your changes to the latest version and try again"
        );
        assert_eq!(e.code, 409);
    }

    #[test]
    fn invalid_lists_causes() {
        let e = ApiError::invalid_field(
            "ConfigMap",
            "",
            "Bad_",
            "FieldValueInvalid",
            "metadata.name",
            "Invalid value: \"Bad_\": bad",
        );
        let s = e.to_status();
        assert_eq!(s["code"], 422);
        assert_eq!(s["details"]["causes"][0]["field"], "metadata.name");
        assert!(
            e.message
                .starts_with("ConfigMap \"Bad_\" is invalid: metadata.name")
        );
    }
}
