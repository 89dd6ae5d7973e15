//! Label and field selectors as list and watch requests carry them.
//!
//! Label selectors support `=`, `==`, `!=`, `in (...)`, `notin (...)`, `key` and `!key`, joined by
//! commas (AND). Field selectors support `=`, `==` and `!=` on `metadata.name`,
//! `metadata.namespace` and a per-kind set of fields; anything else is the real server's
//! "field label not supported" error.

use serde_json::Value;

/// A selector that failed to parse, or names an unsupported field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectorError {
    /// The label selector text is malformed.
    #[error("unable to parse requirement: {0}")]
    Label(String),
    /// The field selector text is malformed.
    #[error("invalid field selector: {0}")]
    Field(String),
    /// The field selector names a field this kind does not support.
    #[error("field label not supported: {0}")]
    UnsupportedField(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum LabelOp {
    Eq(String),
    NotEq(String),
    In(Vec<String>),
    NotIn(Vec<String>),
    Exists,
    NotExists,
}

/// A parsed label selector (an AND of requirements).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LabelSelector {
    reqs: Vec<(String, LabelOp)>,
}

fn valid_label_key(k: &str) -> bool {
    if k.is_empty() || k.len() > 253 + 1 + 63 {
        return false;
    }
    let name = match k.rsplit_once('/') {
        Some((prefix, name)) => {
            if prefix.is_empty() {
                return false;
            }
            name
        }
        None => k,
    };
    !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
}

fn valid_label_value(v: &str) -> bool {
    v.is_empty()
        || (v.len() <= 63
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && v.starts_with(|c: char| c.is_ascii_alphanumeric())
            && v.ends_with(|c: char| c.is_ascii_alphanumeric()))
}

/// Splits on commas that are not inside parentheses.
fn split_top_level(s: &str) -> Result<Vec<&str>, String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return Err(format!("unbalanced parenthesis in {s:?}"));
                }
            }
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Err(format!("unbalanced parenthesis in {s:?}"));
    }
    parts.push(&s[start..]);
    Ok(parts)
}

fn parse_set(rest: &str, whole: &str) -> Result<Vec<String>, SelectorError> {
    let rest = rest.trim();
    let inner = rest
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .ok_or_else(|| SelectorError::Label(format!("{whole:?}: expected a (value, ...) set")))?;
    let mut vals = Vec::new();
    for v in inner.split(',') {
        let v = v.trim();
        if !valid_label_value(v) {
            return Err(SelectorError::Label(format!(
                "{whole:?}: invalid label value {v:?}"
            )));
        }
        vals.push(v.to_owned());
    }
    Ok(vals)
}

impl LabelSelector {
    /// Parses the `labelSelector` query value.
    pub fn parse(s: &str) -> Result<Self, SelectorError> {
        let mut reqs = Vec::new();
        if s.trim().is_empty() {
            return Ok(Self { reqs });
        }
        for part in split_top_level(s).map_err(SelectorError::Label)? {
            let p = part.trim();
            if p.is_empty() {
                return Err(SelectorError::Label(format!("{s:?}: empty requirement")));
            }
            let (key, op) = if let Some(k) = p.strip_prefix('!') {
                (k.trim().to_owned(), LabelOp::NotExists)
            } else if let Some((k, v)) = p.split_once("!=") {
                (k.trim().to_owned(), LabelOp::NotEq(v.trim().to_owned()))
            } else if let Some((k, v)) = p.split_once("==") {
                (k.trim().to_owned(), LabelOp::Eq(v.trim().to_owned()))
            } else if let Some((k, v)) = p.split_once('=') {
                (k.trim().to_owned(), LabelOp::Eq(v.trim().to_owned()))
            } else if let Some(idx) = p.find(" notin") {
                let (k, rest) = p.split_at(idx);
                let rest = &rest[" notin".len()..];
                (k.trim().to_owned(), LabelOp::NotIn(parse_set(rest, p)?))
            } else if let Some(idx) = p.find(" in") {
                let (k, rest) = p.split_at(idx);
                let rest = &rest[" in".len()..];
                (k.trim().to_owned(), LabelOp::In(parse_set(rest, p)?))
            } else {
                (p.to_owned(), LabelOp::Exists)
            };
            if !valid_label_key(&key) {
                return Err(SelectorError::Label(format!(
                    "{p:?}: invalid label key {key:?}"
                )));
            }
            if let LabelOp::Eq(v) | LabelOp::NotEq(v) = &op
                && !valid_label_value(v)
            {
                return Err(SelectorError::Label(format!(
                    "{p:?}: invalid label value {v:?}"
                )));
            }
            reqs.push((key, op));
        }
        Ok(Self { reqs })
    }

    /// Whether this selector matches everything.
    pub fn is_empty(&self) -> bool {
        self.reqs.is_empty()
    }

    /// Whether an object (its `metadata.labels`) matches.
    pub fn matches(&self, obj: &Value) -> bool {
        let labels = obj.pointer("/metadata/labels").and_then(Value::as_object);
        let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
        self.reqs.iter().all(|(k, op)| match op {
            LabelOp::Eq(v) => get(k) == Some(v.as_str()),
            LabelOp::NotEq(v) => get(k) != Some(v.as_str()),
            LabelOp::In(vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            LabelOp::NotIn(vs) => !get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            LabelOp::Exists => get(k).is_some(),
            LabelOp::NotExists => get(k).is_none(),
        })
    }
}

/// A parsed field selector.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldSelector {
    reqs: Vec<(String, bool, String)>,
}

/// Fields a kind may be selected on besides `metadata.name` and `metadata.namespace`.
pub fn selectable_fields(group: &str, resource: &str) -> &'static [&'static str] {
    match (group, resource) {
        ("", "pods") => &[
            "spec.nodeName",
            "status.phase",
            "spec.restartPolicy",
            "spec.serviceAccountName",
            "spec.schedulerName",
            "status.podIP",
            "status.nominatedNodeName",
        ],
        ("", "events") => &[
            "involvedObject.kind",
            "involvedObject.name",
            "involvedObject.namespace",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        ],
        ("", "secrets") => &["type"],
        ("", "namespaces") => &["status.phase"],
        ("", "nodes") => &["spec.unschedulable"],
        ("", "replicationcontrollers") => &["status.replicas"],
        ("batch", "jobs") => &["status.successful"],
        ("apps", "replicasets") => &["status.replicas"],
        ("certificates.k8s.io", "certificatesigningrequests") => &["spec.signerName"],
        _ => &[],
    }
}

impl FieldSelector {
    /// Parses `fieldSelector` for a resource; `extra` are CRD selectable fields (`.spec.x`).
    pub fn parse(
        s: &str,
        group: &str,
        resource: &str,
        extra: &[String],
    ) -> Result<Self, SelectorError> {
        let mut reqs = Vec::new();
        if s.trim().is_empty() {
            return Ok(Self { reqs });
        }
        for part in s.split(',') {
            let p = part.trim();
            let (field, neg, value) = if let Some((f, v)) = p.split_once("!=") {
                (f, true, v)
            } else if let Some((f, v)) = p.split_once("==") {
                (f, false, v)
            } else if let Some((f, v)) = p.split_once('=') {
                (f, false, v)
            } else {
                return Err(SelectorError::Field(format!(
                    "{p:?}: expected field=value or field!=value"
                )));
            };
            let field = field.trim();
            let allowed = field == "metadata.name"
                || field == "metadata.namespace"
                || selectable_fields(group, resource).contains(&field)
                || extra
                    .iter()
                    .any(|e| e.strip_prefix('.').unwrap_or(e) == field);
            if !allowed {
                return Err(SelectorError::UnsupportedField(field.to_owned()));
            }
            reqs.push((field.to_owned(), neg, value.trim().to_owned()));
        }
        Ok(Self { reqs })
    }

    /// Whether this selector matches everything.
    pub fn is_empty(&self) -> bool {
        self.reqs.is_empty()
    }

    /// The name this selector pins with `metadata.name=`, if any.
    pub fn pinned_name(&self) -> Option<&str> {
        self.reqs
            .iter()
            .find(|(f, neg, _)| f == "metadata.name" && !neg)
            .map(|(_, _, v)| v.as_str())
    }

    /// Whether an object matches.
    pub fn matches(&self, obj: &Value) -> bool {
        self.reqs.iter().all(|(field, neg, want)| {
            let pointer = format!("/{}", field.replace('.', "/"));
            let have = match obj.pointer(&pointer) {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(Value::Bool(b)) => b.to_string(),
                Some(Value::Number(n)) => n.to_string(),
                Some(other) => other.to_string(),
            };
            // Unset booleans select as "false" (spec.unschedulable), matching the real server.
            let have = if have.is_empty() && field == "spec.unschedulable" {
                "false".to_owned()
            } else {
                have
            };
            (have == *want) != *neg
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(labels: Value) -> Value {
        json!({"metadata": {"name": "a", "namespace": "ns", "labels": labels}})
    }

    #[test]
    fn label_operators() {
        let o = obj(json!({"app": "web", "tier": "fe"}));
        for (sel, want) in [
            ("app=web", true),
            ("app==web", true),
            ("app!=web", false),
            ("app in (web,db)", true),
            ("app in (db)", false),
            ("app notin (db)", true),
            ("app notin (web, db)", false),
            ("tier", true),
            ("!tier", false),
            ("!missing", true),
            ("app=web,tier=fe", true),
            ("app=web,tier=be", false),
            ("missing!=x", true),
            ("", true),
        ] {
            let s = LabelSelector::parse(sel).expect(sel);
            assert_eq!(s.matches(&o), want, "{sel}");
        }
    }

    #[test]
    fn label_parse_errors() {
        for bad in ["app in web", "a=b,,c", "-bad=x", "app=in valid", "x in (a"] {
            assert!(LabelSelector::parse(bad).is_err(), "{bad} should fail");
        }
    }

    #[test]
    fn field_selectors() {
        let pod = json!({"metadata": {"name": "p", "namespace": "n"},
            "spec": {"nodeName": "node-1"}, "status": {"phase": "Running"}});
        let s = FieldSelector::parse("status.phase=Running,spec.nodeName!=x", "", "pods", &[])
            .expect("valid");
        assert!(s.matches(&pod));
        let s = FieldSelector::parse("metadata.name=q", "", "pods", &[]).expect("valid");
        assert!(!s.matches(&pod));
        assert_eq!(s.pinned_name(), Some("q"));
        let err = FieldSelector::parse("status.phase=Running", "", "configmaps", &[])
            .expect_err("unsupported");
        assert_eq!(err.to_string(), "field label not supported: status.phase");
        let s = FieldSelector::parse(
            "spec.color=red",
            "x.io",
            "foos",
            &[".spec.color".to_owned()],
        )
        .expect("crd field");
        assert!(s.matches(&json!({"spec": {"color": "red"}})));
    }
}
