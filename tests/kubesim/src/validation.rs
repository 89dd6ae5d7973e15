//! Object validation: names, labels, size limits and immutable fields.
//!
//! Only the checks clients are known to depend on are implemented; each returns the real
//! server's 422 causes so kubectl and Helm print familiar messages.

use serde_json::Value;

use crate::error::{ApiError, Cause};
use crate::registry::ResourceInfo;

/// Max total size of a ConfigMap's or Secret's data.
pub const MAX_DATA_BYTES: usize = 1024 * 1024;
/// Max total size of annotations.
pub const MAX_ANNOTATION_BYTES: usize = 256 * 1024;

fn is_alnum_lower(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// DNS-1123 label problems, or `None` if valid.
pub fn dns1123_label(s: &str) -> Option<String> {
    if s.len() > 63 {
        return Some("must be no more than 63 characters".to_owned());
    }
    let ok = !s.is_empty()
        && s.chars().all(|c| is_alnum_lower(c) || c == '-')
        && s.starts_with(is_alnum_lower)
        && s.ends_with(is_alnum_lower);
    if ok {
        None
    } else {
        Some("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')".to_owned())
    }
}

/// DNS-1123 subdomain problems, or `None` if valid.
pub fn dns1123_subdomain(s: &str) -> Option<String> {
    if s.len() > 253 {
        return Some("must be no more than 253 characters".to_owned());
    }
    let ok = !s.is_empty()
        && s.split('.').all(|p| {
            !p.is_empty()
                && p.chars().all(|c| is_alnum_lower(c) || c == '-')
                && p.starts_with(is_alnum_lower)
                && p.ends_with(is_alnum_lower)
        });
    if ok {
        None
    } else {
        Some("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')".to_owned())
    }
}

/// DNS-1035 label problems, or `None` if valid.
pub fn dns1035_label(s: &str) -> Option<String> {
    if s.len() > 63 {
        return Some("must be no more than 63 characters".to_owned());
    }
    let ok = !s.is_empty()
        && s.chars().all(|c| is_alnum_lower(c) || c == '-')
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.ends_with(is_alnum_lower);
    if ok {
        None
    } else {
        Some("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')".to_owned())
    }
}

/// Path-segment name problems (RBAC and other kinds that allow any name without `/` or `%`).
fn path_segment(s: &str) -> Option<String> {
    if s == "." || s == ".." {
        return Some(format!("may not be '{s}'"));
    }
    if s.contains('/') || s.contains('%') {
        return Some("may not contain '/' or '%'".to_owned());
    }
    None
}

/// Checks the object name against the rule for its kind.
pub fn check_name(ri: &ResourceInfo, name: &str) -> Option<String> {
    match (ri.storage_group.as_str(), ri.plural.as_str()) {
        ("", "namespaces") => dns1123_label(name),
        ("", "services") => dns1035_label(name),
        ("rbac.authorization.k8s.io", _) => path_segment(name),
        ("", "nodes") | ("authorization.k8s.io", _) | ("authentication.k8s.io", _) => {
            path_segment(name)
        }
        _ => dns1123_subdomain(name),
    }
}

fn label_key_problem(k: &str) -> Option<String> {
    let (prefix, name) = match k.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, k),
    };
    if let Some(p) = prefix
        && dns1123_subdomain(p).is_some()
    {
        return Some("prefix part must be a lowercase RFC 1123 subdomain".to_owned());
    }
    label_value_problem(name).or_else(|| {
        name.is_empty()
            .then(|| "name part must be non-empty".to_owned())
    })
}

fn label_value_problem(v: &str) -> Option<String> {
    if v.len() > 63 {
        return Some("must be no more than 63 characters".to_owned());
    }
    let ok = v.is_empty()
        || (v
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && v.starts_with(|c: char| c.is_ascii_alphanumeric())
            && v.ends_with(|c: char| c.is_ascii_alphanumeric()));
    if ok {
        None
    } else {
        Some("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')".to_owned())
    }
}

fn invalid(field: &str, value: &str, detail: &str) -> Cause {
    Cause {
        reason: "FieldValueInvalid".to_owned(),
        message: format!("Invalid value: \"{value}\": {detail}"),
        field: field.to_owned(),
    }
}

/// Validates a complete object about to be stored; `old` is the stored version on update.
pub fn validate(ri: &ResourceInfo, obj: &Value, old: Option<&Value>) -> Result<(), ApiError> {
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut causes = Vec::new();
    if name.is_empty() {
        causes.push(Cause {
            reason: "FieldValueRequired".to_owned(),
            message: "Required value: name or generateName is required".to_owned(),
            field: "metadata.name".to_owned(),
        });
    } else if let Some(p) = check_name(ri, name) {
        causes.push(invalid("metadata.name", name, &p));
    }
    if let Some(labels) = obj.pointer("/metadata/labels").and_then(Value::as_object) {
        for (k, v) in labels {
            if let Some(p) = label_key_problem(k) {
                causes.push(invalid("metadata.labels", k, &p));
            }
            match v {
                Value::String(s) => {
                    if let Some(p) = label_value_problem(s) {
                        causes.push(invalid("metadata.labels", s, &p));
                    }
                }
                Value::Null => {}
                _ => causes.push(invalid(
                    "metadata.labels",
                    &v.to_string(),
                    "label values must be strings",
                )),
            }
        }
    }
    if let Some(ann) = obj
        .pointer("/metadata/annotations")
        .and_then(Value::as_object)
    {
        let total: usize = ann
            .iter()
            .map(|(k, v)| k.len() + v.as_str().map_or(0, str::len))
            .sum();
        if total > MAX_ANNOTATION_BYTES {
            causes.push(Cause {
                reason: "FieldValueTooLong".to_owned(),
                message: format!("Too long: must have at most {MAX_ANNOTATION_BYTES} bytes"),
                field: "metadata.annotations".to_owned(),
            });
        }
    }
    if ri.storage_group.is_empty() && (ri.plural == "configmaps" || ri.plural == "secrets") {
        let size = |key: &str| -> usize {
            obj.get(key).and_then(Value::as_object).map_or(0, |m| {
                m.iter()
                    .map(|(k, v)| k.len() + v.as_str().map_or(0, str::len))
                    .sum()
            })
        };
        let total = size("data") + size("binaryData") + size("stringData");
        if total > MAX_DATA_BYTES {
            causes.push(Cause {
                reason: "FieldValueTooLong".to_owned(),
                message: format!("Too long: must have at most {MAX_DATA_BYTES} bytes"),
                field: String::new(),
            });
        }
        if let Some(old) = old
            && old.get("immutable") == Some(&Value::Bool(true))
        {
            for key in ["data", "binaryData"] {
                if old.get(key) != obj.get(key) {
                    causes.push(Cause {
                        reason: "FieldValueForbidden".to_owned(),
                        message: "Forbidden: field is immutable when `immutable` is set".to_owned(),
                        field: key.to_owned(),
                    });
                }
            }
        }
    }
    if let Some(old) = old {
        immutable_fields(ri, obj, old, &mut causes);
    }
    if ri.storage_group == "apps" && ri.plural == "deployments" {
        deployment_selector(obj, &mut causes);
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(&ri.kind, &ri.group, name, causes))
    }
}

fn immutable_fields(ri: &ResourceInfo, obj: &Value, old: &Value, causes: &mut Vec<Cause>) {
    let paths: &[&str] = match (ri.storage_group.as_str(), ri.plural.as_str()) {
        ("apps", "deployments" | "replicasets" | "daemonsets") => &["/spec/selector"],
        ("apps", "statefulsets") => &[
            "/spec/selector",
            "/spec/serviceName",
            "/spec/volumeClaimTemplates",
            "/spec/podManagementPolicy",
        ],
        ("batch", "jobs") => &["/spec/selector", "/spec/template"],
        ("", "services") => &["/spec/clusterIP"],
        _ => &[],
    };
    for p in paths {
        let (a, b) = (obj.pointer(p), old.pointer(p));
        // A PUT that omits an allocated clusterIP keeps it (the server fills it back in).
        if *p == "/spec/clusterIP" && a.is_none_or(|v| v.as_str() == Some("")) {
            continue;
        }
        if a != b {
            causes.push(Cause {
                reason: "FieldValueInvalid".to_owned(),
                message: format!(
                    "Invalid value: {}: field is immutable",
                    a.map_or_else(|| "null".to_owned(), Value::to_string)
                ),
                field: p.trim_start_matches('/').replace('/', "."),
            });
        }
    }
}

fn deployment_selector(obj: &Value, causes: &mut Vec<Cause>) {
    let Some(sel) = obj
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
    else {
        if obj.pointer("/spec/selector").is_none() {
            causes.push(Cause {
                reason: "FieldValueRequired".to_owned(),
                message: "Required value".to_owned(),
                field: "spec.selector".to_owned(),
            });
        }
        return;
    };
    let labels = obj
        .pointer("/spec/template/metadata/labels")
        .and_then(Value::as_object);
    let matches = sel
        .iter()
        .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v));
    if !matches {
        causes.push(Cause {
            reason: "FieldValueInvalid".to_owned(),
            message:
                "Invalid value: map[string]string(nil): `selector` does not match template `labels`"
                    .to_owned(),
            field: "spec.template.metadata.labels".to_owned(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Registry;
    use serde_json::json;

    #[test]
    fn name_rules() {
        assert!(dns1123_subdomain("a.b-c").is_none());
        assert!(dns1123_subdomain("A").is_some());
        assert!(dns1123_subdomain("a..b").is_some());
        assert!(dns1123_label("a.b").is_some());
        assert!(dns1035_label("1abc").is_some());
        assert!(dns1035_label("abc1").is_none());
        assert!(dns1123_label(&"a".repeat(64)).is_some());
    }

    #[test]
    fn configmap_size_limit() {
        let r = Registry::new(false);
        let cm = r.lookup("", "v1", "configmaps").expect("cm");
        let big = json!({"metadata": {"name": "x"}, "data": {"k": "a".repeat(MAX_DATA_BYTES)}});
        let err = validate(&cm, &big, None).expect_err("too big");
        assert_eq!(err.code, 422);
        assert!(
            err.message
                .contains("Too long: must have at most 1048576 bytes")
        );
        let ok = json!({"metadata": {"name": "x"}, "data": {"k": "v"}});
        assert!(validate(&cm, &ok, None).is_ok());
    }

    #[test]
    fn rbac_names_allow_colons() {
        let r = Registry::new(false);
        let cr = r
            .lookup("rbac.authorization.k8s.io", "v1", "clusterroles")
            .expect("clusterroles");
        let obj = json!({"metadata": {"name": "system:basic-user"}});
        assert!(validate(&cr, &obj, None).is_ok());
    }

    #[test]
    fn bad_names_and_labels() {
        let r = Registry::new(false);
        let cm = r.lookup("", "v1", "configmaps").expect("cm");
        let err =
            validate(&cm, &json!({"metadata": {"name": "Bad_Name"}}), None).expect_err("bad name");
        assert_eq!(err.details.causes[0].field, "metadata.name");
        let err = validate(
            &cm,
            &json!({"metadata": {"name": "ok", "labels": {"a": "-x"}}}),
            None,
        )
        .expect_err("bad label");
        assert_eq!(err.details.causes[0].field, "metadata.labels");
    }

    #[test]
    fn deployment_selector_must_match() {
        let r = Registry::new(false);
        let d = r.lookup("apps", "v1", "deployments").expect("deploy");
        let obj = json!({"metadata": {"name": "d"}, "spec": {"selector": {"matchLabels": {"app": "a"}},
            "template": {"metadata": {"labels": {"app": "b"}}}}});
        assert!(validate(&d, &obj, None).is_err());
        let old = json!({"metadata": {"name": "d"}, "spec": {"selector": {"matchLabels": {"app": "b"}},
            "template": {"metadata": {"labels": {"app": "b"}}}}});
        let mut new = old.clone();
        new["spec"]["selector"]["matchLabels"]["x"] = json!("y");
        new["spec"]["template"]["metadata"]["labels"]["x"] = json!("y");
        let err = validate(&d, &new, Some(&old)).expect_err("immutable");
        assert!(err.message.contains("field is immutable"));
    }
}
