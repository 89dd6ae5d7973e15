//! Discovery documents: legacy and aggregated (v2) discovery, and the minimal OpenAPI v3.
//!
//! Everything is computed from the [`Registry`] on each request, so CRDs appear and disappear
//! immediately. The OpenAPI v3 documents carry only the PATCH operations kubectl inspects to
//! decide that server-side field validation and apply are available; they ship no schemas, so
//! kubectl falls back to its built-in strategic-merge metadata.

use serde_json::{Value, json};

use crate::registry::{GroupVersion, Registry, ResourceInfo};

/// The Kubernetes version reported by `/version`.
pub const KUBE_MINOR: &str = "33";
/// Full git version reported by `/version`.
pub const KUBE_GIT_VERSION: &str = "v1.33.1";

/// The `/version` document.
pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": KUBE_MINOR,
        "gitVersion": KUBE_GIT_VERSION,
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2025-05-15T00:00:00Z",
        "goVersion": "go1.24.2",
        "compiler": "gc",
        "platform": "linux/amd64",
        "emulationMajor": "1",
        "emulationMinor": KUBE_MINOR,
        "minCompatibilityMajor": "1",
        "minCompatibilityMinor": "32",
    })
}

/// (kind, group, version, verbs) of a subresource entry.
fn subresource_shape(ri: &ResourceInfo, sub: &str) -> (String, String, String, Vec<&'static str>) {
    let own = (ri.kind.clone(), ri.group.clone(), ri.version.clone());
    let rw = vec!["get", "patch", "update"];
    let (k, g, v, verbs) = match sub {
        "status" | "ephemeralcontainers" | "resize" | "approval" => (own.0, own.1, own.2, rw),
        "scale" => (
            "Scale".to_owned(),
            "autoscaling".to_owned(),
            "v1".to_owned(),
            rw,
        ),
        "log" => (own.0, own.1, own.2, vec!["get"]),
        "finalize" => (own.0, own.1, own.2, vec!["update"]),
        "token" => (
            "TokenRequest".to_owned(),
            "authentication.k8s.io".to_owned(),
            "v1".to_owned(),
            vec!["create"],
        ),
        "eviction" => (
            "Eviction".to_owned(),
            "policy".to_owned(),
            "v1".to_owned(),
            vec!["create"],
        ),
        "binding" => (
            "Binding".to_owned(),
            String::new(),
            "v1".to_owned(),
            vec!["create"],
        ),
        "exec" => (
            "PodExecOptions".to_owned(),
            String::new(),
            "v1".to_owned(),
            vec!["create", "get"],
        ),
        "attach" => (
            "PodAttachOptions".to_owned(),
            String::new(),
            "v1".to_owned(),
            vec!["create", "get"],
        ),
        "portforward" => (
            "PodPortForwardOptions".to_owned(),
            String::new(),
            "v1".to_owned(),
            vec!["create", "get"],
        ),
        "proxy" => (
            format!("{}ProxyOptions", ri.kind),
            String::new(),
            "v1".to_owned(),
            vec!["create", "delete", "get", "patch", "update"],
        ),
        _ => (own.0, own.1, own.2, vec!["get"]),
    };
    (k, g, v, verbs)
}

fn resource_entry(ri: &ResourceInfo) -> Value {
    let mut e = json!({
        "name": ri.plural,
        "singularName": ri.singular,
        "namespaced": ri.namespaced,
        "kind": ri.kind,
        "verbs": ri.verbs,
    });
    if !ri.short_names.is_empty() {
        e["shortNames"] = json!(ri.short_names);
    }
    if !ri.categories.is_empty() {
        e["categories"] = json!(ri.categories);
    }
    e
}

/// `APIResourceList` for one group-version (`/api/v1`, `/apis/{g}/{v}`).
pub fn resource_list(gv: &GroupVersion) -> Value {
    let mut resources = Vec::new();
    for ri in &gv.resources {
        resources.push(resource_entry(ri));
        for sub in &ri.subresources {
            let (kind, group, version, verbs) = subresource_shape(ri, sub);
            let mut e = json!({
                "name": format!("{}/{}", ri.plural, sub),
                "singularName": "",
                "namespaced": ri.namespaced,
                "kind": kind,
                "verbs": verbs,
            });
            if group != ri.group || version != ri.version {
                e["group"] = json!(group);
                e["version"] = json!(version);
            }
            resources.push(e);
        }
    }
    let group_version = if gv.group.is_empty() {
        gv.version.clone()
    } else {
        format!("{}/{}", gv.group, gv.version)
    };
    json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": resources})
}

/// `/api` (`APIVersions`).
pub fn core_versions(server_address: &str) -> Value {
    json!({"kind": "APIVersions", "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]})
}

fn group_entry(group: &str, gvs: &[GroupVersion]) -> Value {
    let versions: Vec<Value> = gvs
        .iter()
        .filter(|gv| gv.group == group)
        .map(|gv| json!({"groupVersion": format!("{group}/{}", gv.version), "version": gv.version}))
        .collect();
    let preferred = versions.first().cloned().unwrap_or(Value::Null);
    json!({"name": group, "versions": versions, "preferredVersion": preferred})
}

fn named_groups(gvs: &[GroupVersion]) -> Vec<String> {
    let mut groups: Vec<String> = Vec::new();
    for gv in gvs {
        if !gv.group.is_empty() && !groups.contains(&gv.group) {
            groups.push(gv.group.clone());
        }
    }
    groups
}

/// `/apis` (`APIGroupList`).
pub fn group_list(reg: &Registry) -> Value {
    let gvs = reg.group_versions();
    let groups: Vec<Value> = named_groups(&gvs)
        .iter()
        .map(|g| group_entry(g, &gvs))
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// `/apis/{g}` (`APIGroup`), or `None` if the group is not served.
pub fn group(reg: &Registry, group: &str) -> Option<Value> {
    let gvs = reg.group_versions();
    if !gvs.iter().any(|gv| gv.group == group) {
        return None;
    }
    let mut e = group_entry(group, &gvs);
    e["kind"] = json!("APIGroup");
    e["apiVersion"] = json!("v1");
    Some(e)
}

fn discovery_resource(ri: &ResourceInfo) -> Value {
    let mut e = json!({
        "resource": ri.plural,
        "responseKind": {"group": ri.group, "version": ri.version, "kind": ri.kind},
        "scope": if ri.namespaced { "Namespaced" } else { "Cluster" },
        "singularResource": ri.singular,
        "verbs": ri.verbs,
    });
    if !ri.short_names.is_empty() {
        e["shortNames"] = json!(ri.short_names);
    }
    if !ri.categories.is_empty() {
        e["categories"] = json!(ri.categories);
    }
    if !ri.subresources.is_empty() {
        let subs: Vec<Value> = ri
            .subresources
            .iter()
            .map(|s| {
                let (kind, group, version, verbs) = subresource_shape(ri, s);
                json!({"subresource": s, "responseKind": {"group": group, "version": version, "kind": kind}, "verbs": verbs})
            })
            .collect();
        e["subresources"] = json!(subs);
    }
    e
}

/// Aggregated discovery (`APIGroupDiscoveryList`) for `/api` (`core`) or `/apis`.
pub fn aggregated(reg: &Registry, core: bool, api_version: &str) -> Value {
    let gvs = reg.group_versions();
    let groups: Vec<String> = if core {
        vec![String::new()]
    } else {
        named_groups(&gvs)
    };
    let items: Vec<Value> = groups
        .iter()
        .map(|g| {
            let versions: Vec<Value> = gvs
                .iter()
                .filter(|gv| &gv.group == g)
                .map(|gv| {
                    let resources: Vec<Value> =
                        gv.resources.iter().map(|r| discovery_resource(r)).collect();
                    json!({"version": gv.version, "resources": resources, "freshness": "Current"})
                })
                .collect();
            let mut meta = json!({"creationTimestamp": null});
            if !g.is_empty() {
                meta["name"] = json!(g);
            }
            json!({"metadata": meta, "versions": versions})
        })
        .collect();
    json!({"kind": "APIGroupDiscoveryList", "apiVersion": api_version, "metadata": {}, "items": items})
}

fn gv_path(gv: &GroupVersion) -> String {
    if gv.group.is_empty() {
        format!("api/{}", gv.version)
    } else {
        format!("apis/{}/{}", gv.group, gv.version)
    }
}

fn hash_of(reg: &Registry, gv: &GroupVersion) -> String {
    // A cheap stable fingerprint: FNV-1a over the resource names and the registry generation.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |s: &str| {
        for b in s.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    feed(&reg.generation().to_string());
    for r in &gv.resources {
        feed(&r.plural);
        feed(&r.kind);
    }
    format!("{h:016X}{h:016X}")
}

/// `/openapi/v3` index.
pub fn openapi_index(reg: &Registry) -> Value {
    let mut paths = serde_json::Map::new();
    for gv in reg.group_versions() {
        let p = gv_path(&gv);
        let url = format!("/openapi/v3/{p}?hash={}", hash_of(reg, &gv));
        paths.insert(p, json!({"serverRelativeURL": url}));
    }
    json!({"paths": paths})
}

fn patch_op(ri: &ResourceInfo) -> Value {
    let param = |name: &str| json!({"name": name, "in": "query", "schema": {"type": "string", "uniqueItems": true}});
    json!({
        "tags": [ri.group.clone()],
        "description": format!("partially update the specified {}", ri.kind),
        "operationId": format!("patch{}", ri.kind),
        "parameters": [param("dryRun"), param("fieldManager"), param("fieldValidation"),
            {"name": "force", "in": "query", "schema": {"type": "boolean", "uniqueItems": true}}],
        "requestBody": {"content": {
            "application/apply-patch+yaml": {"schema": {"type": "object"}},
            "application/json-patch+json": {"schema": {"type": "object"}},
            "application/merge-patch+json": {"schema": {"type": "object"}},
        }, "required": true},
        "responses": {"200": {"description": "OK"}, "201": {"description": "Created"}},
        "x-kubernetes-action": "patch",
        "x-kubernetes-group-version-kind": {"group": ri.group, "version": ri.version, "kind": ri.kind},
    })
}

/// `/openapi/v3/{api/v1 | apis/g/v}`, or `None` if not served.
pub fn openapi_doc(reg: &Registry, path: &str) -> Option<Value> {
    let gv = reg
        .group_versions()
        .into_iter()
        .find(|gv| gv_path(gv) == path)?;
    let prefix = format!("/{path}");
    let mut paths = serde_json::Map::new();
    for ri in &gv.resources {
        if !ri.supports("patch") {
            continue;
        }
        let item = if ri.namespaced {
            format!("{prefix}/namespaces/{{namespace}}/{}/{{name}}", ri.plural)
        } else {
            format!("{prefix}/{}/{{name}}", ri.plural)
        };
        paths.insert(item, json!({"patch": patch_op(ri)}));
        for sub in ri
            .subresources
            .iter()
            .filter(|s| *s == "status" || *s == "scale")
        {
            let p = if ri.namespaced {
                format!(
                    "{prefix}/namespaces/{{namespace}}/{}/{{name}}/{sub}",
                    ri.plural
                )
            } else {
                format!("{prefix}/{}/{{name}}/{sub}", ri.plural)
            };
            paths.insert(p, json!({"patch": patch_op(ri)}));
        }
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": KUBE_GIT_VERSION},
        "paths": paths,
        "components": {"schemas": {}},
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_resource_list_has_subresources() {
        let reg = Registry::new(false);
        let gv = reg
            .group_versions()
            .into_iter()
            .find(|g| g.group.is_empty())
            .expect("core");
        let list = resource_list(&gv);
        let names: Vec<&str> = list["resources"]
            .as_array()
            .expect("resources")
            .iter()
            .filter_map(|r| r["name"].as_str())
            .collect();
        assert!(names.contains(&"pods/log"));
        assert!(names.contains(&"configmaps"));
        assert!(names.contains(&"namespaces/finalize"));
    }

    #[test]
    fn aggregated_core_and_groups() {
        let reg = Registry::new(false);
        let core = aggregated(&reg, true, "apidiscovery.k8s.io/v2");
        assert_eq!(core["items"].as_array().map(Vec::len), Some(1));
        let apis = aggregated(&reg, false, "apidiscovery.k8s.io/v2");
        let apps = apis["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["metadata"]["name"] == "apps")
            .expect("apps");
        let deploy = apps["versions"][0]["resources"]
            .as_array()
            .expect("resources")
            .iter()
            .find(|r| r["resource"] == "deployments")
            .expect("deployments");
        assert_eq!(deploy["scope"], "Namespaced");
        assert_eq!(deploy["shortNames"], json!(["deploy"]));
    }

    #[test]
    fn openapi_has_namespace_patch() {
        let reg = Registry::new(false);
        let idx = openapi_index(&reg);
        assert!(
            idx["paths"]["api/v1"]["serverRelativeURL"]
                .as_str()
                .is_some_and(|u| u.starts_with("/openapi/v3/api/v1?hash="))
        );
        let doc = openapi_doc(&reg, "api/v1").expect("core doc");
        let op = &doc["paths"]["/api/v1/namespaces/{name}"]["patch"];
        assert_eq!(op["x-kubernetes-group-version-kind"]["kind"], "Namespace");
        assert!(openapi_doc(&reg, "apis/nope/v1").is_none());
    }
}
