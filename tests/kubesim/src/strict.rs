//! Unknown-field detection for `fieldValidation=Strict|Warn` on built-in kinds.
//!
//! Walks a request body along the built-in type metadata of the patch engine (every JSON field of
//! every struct reachable from a served kind) and reports fields the type does not declare, in
//! the path form kube-apiserver prints (`spec.template.spec.containers[0].foo`). Custom resources
//! and kinds described by metadata only are not checked (a known gap: no schema pruning).

use serde_json::Value;

use crate::patch::strategic::smp_schema::{self, FieldKind, TypeInfo};

/// Paths of fields in `obj` that the built-in type of `api_version`/`kind` does not declare.
pub fn unknown_fields(obj: &Value, api_version: &str, kind: &str) -> Vec<String> {
    let Some(root) = smp_schema::root_type(api_version, kind) else {
        return Vec::new();
    };
    // Metadata-only descriptions (CRDs, APIServices) cannot tell unknown fields apart.
    if !root
        .fields
        .keys()
        .any(|k| !matches!(*k, "apiVersion" | "kind" | "metadata"))
    {
        return Vec::new();
    }
    let mut out = Vec::new();
    walk_struct(obj, root, "", &mut out);
    out
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

fn walk_struct(v: &Value, ty: &TypeInfo, path: &str, out: &mut Vec<String>) {
    let Some(m) = v.as_object() else {
        return;
    };
    for (k, child) in m {
        // Patch directives ($patch, $setElementOrder/..., $retainKeys) are not fields, and a null removes a field (merge patches), so it cannot introduce an unknown one.
        if k.starts_with('$') || child.is_null() {
            continue;
        }
        let p = join(path, k);
        let Some(field) = ty.field(k) else {
            out.push(p);
            continue;
        };
        let elem = field.elem.and_then(smp_schema::type_info);
        match (field.kind, elem) {
            (FieldKind::Struct, Some(t)) => walk_struct(child, t, &p, out),
            (FieldKind::Map, Some(t)) => {
                if let Some(mm) = child.as_object() {
                    for (mk, mv) in mm {
                        walk_struct(mv, t, &format!("{p}.{mk}"), out);
                    }
                }
            }
            (FieldKind::ListAtomic | FieldKind::ListSet | FieldKind::ListMap, Some(t)) => {
                if let Some(items) = child.as_array() {
                    for (i, item) in items.iter().enumerate() {
                        walk_struct(item, t, &format!("{p}[{i}]"), out);
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_unknown_fields() {
        let d = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "d", "bogus": 1},
            "spec": {"replicas": 1, "foo": true,
                "template": {"spec": {"containers": [{"name": "c", "image": "x", "imagee": "y"}]}}}});
        let u = unknown_fields(&d, "apps/v1", "Deployment");
        assert_eq!(
            u,
            vec![
                "metadata.bogus".to_owned(),
                "spec.foo".to_owned(),
                "spec.template.spec.containers[0].imagee".to_owned()
            ]
        );
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
            "data": {"a": "b"}, "$patch": "replace"});
        assert!(unknown_fields(&cm, "v1", "ConfigMap").is_empty());
        assert!(unknown_fields(&json!({"spec": {"x": 1}}), "example.com/v1", "Foo").is_empty());
    }
}
