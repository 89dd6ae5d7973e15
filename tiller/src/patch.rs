//! Patches for updating a live object from the previous release manifest to
//! the new one.
//!
//! Helm v2.17 computes a patch between the previous manifest's object and the
//! new one and sends it as a strategic merge patch for built-in kinds and as a
//! JSON merge patch (RFC 7386) for everything else (custom resources and
//! CRDs, which the API server refuses strategic patches for). We compute a
//! three-way patch instead: what changed between the two manifests, plus
//! scalar fields someone changed by hand in the live object (drift) are set
//! back to the new manifest's value. Fields the API server or controllers
//! added (present live, absent from both manifests) are left alone.
//!
//! Lists are never merged element by element: a changed list is sent whole.
//! Under strategic merge, lists with a merge key (containers, env, ports, …)
//! would otherwise be merged with the live list, so such lists carry the
//! `{"$patch": "replace"}` directive element, which makes the server replace
//! them and so drops elements the new manifest no longer has.

use serde_json::{Map, Value};

/// How the patch is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchType {
    /// `application/strategic-merge-patch+json` (built-in kinds).
    Strategic,
    /// `application/merge-patch+json` (custom resources, CRDs).
    Merge,
}

/// API groups whose kinds the API server patches strategically. CRDs
/// (`apiextensions.k8s.io`) are deliberately absent: Helm uses a JSON merge
/// patch for them too.
const BUILTIN_GROUPS: &[&str] = &[
    "",
    "admissionregistration.k8s.io",
    "apps",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "extensions",
    "networking.k8s.io",
    "node.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "scheduling.k8s.io",
    "storage.k8s.io",
];

/// The patch type for an object of `api_version`.
pub fn patch_type_for(api_version: &str) -> PatchType {
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    if BUILTIN_GROUPS.contains(&group) {
        PatchType::Strategic
    } else {
        PatchType::Merge
    }
}

/// The patch taking `live` to `new`, given that `old` was the previous
/// manifest's version of the object; `None` when nothing needs to change.
pub fn three_way(
    old: &Value,
    new: &Value,
    live: &Value,
    kind: &str,
    ty: PatchType,
) -> Option<Value> {
    let (Value::Object(new), live) = (new, live) else {
        return Some(new.clone());
    };
    let ctx = Ctx { kind, ty };
    let patch = ctx.diff_map(old.as_object(), new, live.as_object(), &mut Vec::new());
    (!patch.is_empty()).then_some(Value::Object(patch))
}

struct Ctx<'a> {
    kind: &'a str,
    ty: PatchType,
}

impl Ctx<'_> {
    fn diff_map(
        &self,
        old: Option<&Map<String, Value>>,
        new: &Map<String, Value>,
        live: Option<&Map<String, Value>>,
        path: &mut Vec<String>,
    ) -> Map<String, Value> {
        let mut out = Map::new();
        for (key, nv) in new {
            let ov = old.and_then(|o| o.get(key));
            let lv = live.and_then(|l| l.get(key));
            match (nv, lv) {
                (Value::Object(nm), Some(Value::Object(lm))) => {
                    path.push(key.clone());
                    let sub = self.diff_map(ov.and_then(Value::as_object), nm, Some(lm), path);
                    path.pop();
                    if !sub.is_empty() {
                        out.insert(key.clone(), Value::Object(sub));
                    }
                }
                (Value::Array(items), _) => {
                    let merge_list = self.is_merge_list(path, key);
                    let changed = ov != Some(nv)
                        || !matches!(lv, Some(Value::Array(_)))
                        || (!merge_list && lv != Some(nv));
                    if changed {
                        let mut list = items.clone();
                        if merge_list {
                            list.push(serde_json::json!({"$patch": "replace"}));
                        }
                        out.insert(key.clone(), Value::Array(list));
                    }
                }
                _ => {
                    if lv != Some(nv) {
                        out.insert(key.clone(), nv.clone());
                    }
                }
            }
        }
        if let Some(old) = old {
            for key in old.keys() {
                if !new.contains_key(key) && live.is_some_and(|l| l.contains_key(key)) {
                    out.insert(key.clone(), Value::Null);
                }
            }
        }
        out
    }

    /// Whether the server merges the list at `path`.`key` by a merge key
    /// (so replacing it needs the directive).
    fn is_merge_list(&self, path: &[String], key: &str) -> bool {
        if self.ty != PatchType::Strategic {
            return false;
        }
        let parent = path.last().map(String::as_str);
        match key {
            "containers"
            | "initContainers"
            | "ephemeralContainers"
            | "imagePullSecrets"
            | "volumes"
            | "hostAliases"
            | "topologySpreadConstraints"
            | "resourceClaims"
            | "schedulingGates" => parent == Some("spec"),
            "env" | "volumeMounts" | "volumeDevices" => {
                matches!(
                    parent,
                    Some("containers" | "initContainers" | "ephemeralContainers")
                )
            }
            "ports" => {
                matches!(
                    parent,
                    Some("containers" | "initContainers" | "ephemeralContainers")
                ) || (self.kind == "Service" && path == ["spec"])
            }
            "ownerReferences" => parent == Some("metadata"),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patch_types() {
        assert_eq!(patch_type_for("v1"), PatchType::Strategic);
        assert_eq!(patch_type_for("apps/v1"), PatchType::Strategic);
        assert_eq!(patch_type_for("apiextensions.k8s.io/v1"), PatchType::Merge);
        assert_eq!(patch_type_for("example.com/v1"), PatchType::Merge);
    }

    #[test]
    fn unchanged_object_needs_no_patch() {
        let o = json!({"kind": "ConfigMap", "data": {"a": "1"}, "metadata": {"name": "x"}});
        let mut live = o.clone();
        live["metadata"]["uid"] = json!("123");
        assert_eq!(
            three_way(&o, &o, &live, "ConfigMap", PatchType::Strategic),
            None
        );
    }

    #[test]
    fn changes_removals_and_drift() {
        let old = json!({"data": {"a": "1", "gone": "x"}});
        let new = json!({"data": {"a": "2", "b": "3"}});
        let live = json!({"data": {"a": "1", "gone": "x", "c": "manual"}});
        let p = three_way(&old, &new, &live, "ConfigMap", PatchType::Strategic);
        assert_eq!(p, Some(json!({"data": {"a": "2", "b": "3", "gone": null}})));
        // Drift: the manifest did not change, but someone edited the live object.
        let live = json!({"data": {"a": "9", "b": "3"}});
        let p = three_way(&new, &new, &live, "ConfigMap", PatchType::Strategic);
        assert_eq!(p, Some(json!({"data": {"a": "2"}})));
    }

    #[test]
    fn merge_key_lists_are_replaced_with_the_directive() {
        let old =
            json!({"spec": {"template": {"spec": {"containers": [{"name": "a"}, {"name": "b"}]}}}});
        let new = json!({"spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}});
        let live = json!({"spec": {"template": {"spec": {"containers": [{"name": "a", "imagePullPolicy": "Always"}, {"name": "b"}]}}}});
        let p = three_way(&old, &new, &live, "Deployment", PatchType::Strategic).expect("patch");
        assert_eq!(
            p,
            json!({"spec": {"template": {"spec": {"containers": [{"name": "a"}, {"$patch": "replace"}]}}}})
        );
        // Same manifest list with server defaults live: no patch.
        assert_eq!(
            three_way(&new, &new, &live, "Deployment", PatchType::Strategic),
            {
                // the live list differs only by defaults and an element the old
                // manifest never had would be drift in a merge list: ignored
                None
            }
        );
        // A JSON merge patch replaces lists anyway: no directive.
        let p = three_way(&old, &new, &live, "Widget", PatchType::Merge).expect("patch");
        assert_eq!(
            p,
            json!({"spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}})
        );
    }

    #[test]
    fn plain_lists_follow_the_live_value() {
        let old = json!({"rules": [1]});
        let live = json!({"rules": [2]});
        let p = three_way(&old, &old, &live, "Role", PatchType::Strategic);
        assert_eq!(p, Some(json!({"rules": [1]})));
    }
}
