//! Patch types: JSON merge patch, JSON patch, strategic merge patch and server-side apply.
//!
//! JSON merge patch (RFC 7386) and JSON patch (RFC 6902) are implemented here with the
//! `json-patch` crate. Strategic merge patch and server-side apply live in the `strategic` and
//! `apply` submodules (written separately); this module maps their errors to API statuses.

pub mod apply;
pub mod strategic;

use serde_json::Value;

use crate::error::{ApiError, Cause};
use crate::registry::ResourceInfo;
use crate::store::now_rfc3339;

/// The patch flavour, from the request's Content-Type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchType {
    /// `application/merge-patch+json`.
    Merge,
    /// `application/json-patch+json`.
    Json,
    /// `application/strategic-merge-patch+json`.
    Strategic,
    /// `application/apply-patch+yaml` (or `+json`, `+cbor` is rejected).
    Apply,
}

/// The media types a PATCH accepts, as the real server lists them in 415 errors.
const ACCEPTED: &str =
    "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml";

impl PatchType {
    /// Parses a Content-Type header value (parameters are ignored).
    pub fn from_content_type(ct: &str) -> Result<Self, ApiError> {
        let base = ct.split(';').next().unwrap_or_default().trim();
        match base {
            "application/merge-patch+json" => Ok(Self::Merge),
            "application/json-patch+json" => Ok(Self::Json),
            "application/strategic-merge-patch+json" => Ok(Self::Strategic),
            "application/apply-patch+yaml" | "application/apply-patch+json" => Ok(Self::Apply),
            other => Err(ApiError::unsupported_media_type(format!(
                "the body of the request was in an unknown format - accepted media types include: {ACCEPTED}, application/strategic-merge-patch+json (got {other:?})"
            ))),
        }
    }
}

fn parse_json(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))
}

/// Parses an apply body: JSON, or else YAML.
pub fn parse_apply_body(body: &[u8]) -> Result<Value, ApiError> {
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        return Ok(v);
    }
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::bad_request("error decoding YAML: body is not UTF-8"))?;
    serde_saphyr::from_str::<Value>(text)
        .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))
}

/// Computes the patched object. `cur` is the live object (already in the requested version),
/// `None` if it does not exist (only apply patches create).
pub fn apply_patch(
    pt: PatchType,
    ri: &ResourceInfo,
    name: &str,
    cur: Option<&Value>,
    body: &[u8],
    field_manager: Option<&str>,
    force: bool,
) -> Result<Value, ApiError> {
    let missing = || ApiError::not_found(&ri.group, &ri.plural, name);
    match pt {
        PatchType::Merge => {
            let patch = parse_json(body)?;
            let mut out = cur.ok_or_else(missing)?.clone();
            json_patch::merge(&mut out, &patch);
            Ok(out)
        }
        PatchType::Json => {
            let patch: json_patch::Patch = serde_json::from_slice(body)
                .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?;
            let mut out = cur.ok_or_else(missing)?.clone();
            json_patch::patch(&mut out, &patch).map_err(|e| {
                ApiError::invalid(
                    &ri.kind,
                    &ri.group,
                    name,
                    vec![Cause {
                        reason: "FieldValueInvalid".to_owned(),
                        message: format!(
                            "the server rejected our request due to an error in our request: {e}"
                        ),
                        field: String::new(),
                    }],
                )
            })?;
            Ok(out)
        }
        PatchType::Strategic => {
            if ri.custom {
                return Err(ApiError::unsupported_media_type(format!(
                    "the body of the request was in an unknown format - accepted media types include: {ACCEPTED}"
                )));
            }
            let patch = parse_json(body)?;
            let cur = cur.ok_or_else(missing)?;
            engine::strategic(cur, &patch, &ri.api_version(), &ri.kind)
        }
        PatchType::Apply => {
            let applied = parse_apply_body(body)?;
            if !applied.is_object() {
                return Err(ApiError::bad_request("apply patch body must be an object"));
            }
            let Some(manager) = field_manager.filter(|m| !m.is_empty()) else {
                return Err(ApiError::invalid_field(
                    &ri.kind,
                    &ri.group,
                    name,
                    "FieldValueRequired",
                    "fieldManager",
                    "Required value: is required for apply patch",
                ));
            };
            let body_name = applied
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if body_name != name {
                return Err(ApiError::bad_request(format!(
                    "the name of the object ({body_name}) does not match the name on the URL ({name})"
                )));
            }
            for f in ["apiVersion", "kind"] {
                if applied
                    .get(f)
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty)
                {
                    return Err(ApiError::bad_request(format!(
                        "{f} must be set in an apply patch"
                    )));
                }
            }
            engine::apply(cur, &applied, manager, force, &ri.api_version(), &ri.kind)
        }
    }
}

/// Records a non-apply write in `metadata.managedFields` (operation `Update`).
pub fn record_update(
    old: Option<&Value>,
    new: &mut Value,
    manager: &str,
    subresource: Option<&str>,
) {
    engine::record_update(old, new, manager, subresource, &now_rfc3339());
}

/// The field manager the real server derives from a User-Agent: the part before the first `/`.
pub fn manager_from_user_agent(ua: &str) -> String {
    let m = ua.split('/').next().unwrap_or_default().trim();
    let m: String = m.chars().take(128).collect();
    if m.is_empty() {
        "unknown".to_owned()
    } else {
        m
    }
}

/// Bridge to the strategic merge patch and server-side apply engines: maps their errors to
/// API statuses.
mod engine {
    use super::*;

    /// Strategic merge patch.
    pub(super) fn strategic(
        cur: &Value,
        patch: &Value,
        api_version: &str,
        kind: &str,
    ) -> Result<Value, ApiError> {
        strategic::strategic_merge_patch(cur, patch, api_version, kind).map_err(|e| {
            let msg = e.to_string();
            match e.status_code() {
                415 => ApiError::unsupported_media_type(msg),
                400 => ApiError::bad_request(msg),
                422 => ApiError::new(422, "Invalid", msg),
                _ => ApiError::internal(msg),
            }
        })
    }

    /// Server-side apply.
    pub(super) fn apply(
        cur: Option<&Value>,
        applied: &Value,
        manager: &str,
        force: bool,
        api_version: &str,
        kind: &str,
    ) -> Result<Value, ApiError> {
        apply::server_side_apply(
            cur,
            applied,
            manager,
            force,
            api_version,
            kind,
            &now_rfc3339(),
        )
        .map_err(|e| match &e {
            apply::ApplyError::Conflicts(cs) => {
                let mut err = ApiError::new(409, "Conflict", e.to_string());
                err.details.causes = cs
                    .iter()
                    .map(|c| Cause {
                        reason: "FieldManagerConflict".to_owned(),
                        message: c.message.clone(),
                        field: c.field.clone(),
                    })
                    .collect();
                err
            }
            apply::ApplyError::Invalid(m) => ApiError::new(422, "Invalid", m.clone()),
        })
    }

    /// managedFields bookkeeping for non-apply writes.
    pub(super) fn record_update(
        old: Option<&Value>,
        new: &mut Value,
        manager: &str,
        subresource: Option<&str>,
        now: &str,
    ) {
        apply::record_update(old, new, manager, subresource, now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Registry;
    use serde_json::json;

    fn cm() -> std::sync::Arc<ResourceInfo> {
        Registry::new(false)
            .lookup("", "v1", "configmaps")
            .expect("configmaps")
    }

    #[test]
    fn merge_patch_removes_nulls() {
        let cur = json!({"metadata": {"name": "a"}, "data": {"x": "1", "y": "2"}});
        let out = apply_patch(
            PatchType::Merge,
            &cm(),
            "a",
            Some(&cur),
            br#"{"data":{"x":null,"z":"3"}}"#,
            None,
            false,
        )
        .expect("merge");
        assert_eq!(out["data"], json!({"y": "2", "z": "3"}));
    }

    #[test]
    fn json_patch_test_failure_is_invalid() {
        let cur = json!({"metadata": {"name": "a"}, "data": {"x": "1"}});
        let err = apply_patch(
            PatchType::Json,
            &cm(),
            "a",
            Some(&cur),
            br#"[{"op":"test","path":"/data/x","value":"2"}]"#,
            None,
            false,
        )
        .expect_err("test op fails");
        assert_eq!(err.code, 422);
        let out = apply_patch(
            PatchType::Json,
            &cm(),
            "a",
            Some(&cur),
            br#"[{"op":"add","path":"/data/y","value":"2"}]"#,
            None,
            false,
        )
        .expect("add");
        assert_eq!(out["data"]["y"], "2");
    }

    #[test]
    fn content_types() {
        assert_eq!(
            PatchType::from_content_type("application/merge-patch+json; charset=utf-8")
                .expect("merge"),
            PatchType::Merge
        );
        assert_eq!(
            PatchType::from_content_type("text/plain")
                .expect_err("bad")
                .code,
            415
        );
    }

    #[test]
    fn bad_patch_body_is_400() {
        let cur = json!({"metadata": {"name": "a"}});
        let err = apply_patch(PatchType::Merge, &cm(), "a", Some(&cur), b"{", None, false)
            .expect_err("bad json");
        assert_eq!(err.code, 400);
    }

    #[test]
    fn user_agent_manager() {
        assert_eq!(
            manager_from_user_agent("kubectl/v1.32.4 (linux/amd64)"),
            "kubectl"
        );
        assert_eq!(manager_from_user_agent(""), "unknown");
    }
}
