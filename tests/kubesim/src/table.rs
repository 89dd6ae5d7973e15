//! Server-side printing: `meta.k8s.io/v1` `Table` responses for `kubectl get`.
//!
//! kubectl asks for `as=Table` and prints the cells as they come, so the columns follow the
//! real server's printers for the common kinds (pods, deployments, services, ...); every other
//! kind gets Name and Age, plus a CRD's `additionalPrinterColumns` with simple JSON paths.

use serde_json::{Value, json};

use crate::registry::ResourceInfo;

/// How much of each object a row carries (`includeObject`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncludeObject {
    /// No object.
    None,
    /// `PartialObjectMetadata` (the default).
    Metadata,
    /// The full object.
    Object,
}

impl IncludeObject {
    /// Parses the `includeObject` query value.
    pub fn parse(v: Option<&str>) -> Self {
        match v {
            Some("None") => Self::None,
            Some("Object") => Self::Object,
            _ => Self::Metadata,
        }
    }
}

/// A column: name, type, and whether it only shows with `-o wide` (priority 1).
type Col = (&'static str, &'static str, u8);

fn columns(ri: &ResourceInfo) -> &'static [Col] {
    match (ri.storage_group.as_str(), ri.plural.as_str()) {
        ("", "pods") => &[
            ("Ready", "string", 0),
            ("Status", "string", 0),
            ("Restarts", "string", 0),
            ("Age", "string", 0),
            ("IP", "string", 1),
            ("Node", "string", 1),
        ],
        ("apps", "deployments") => &[
            ("Ready", "string", 0),
            ("Up-to-date", "integer", 0),
            ("Available", "integer", 0),
            ("Age", "string", 0),
        ],
        ("apps", "replicasets") | ("", "replicationcontrollers") => &[
            ("Desired", "integer", 0),
            ("Current", "integer", 0),
            ("Ready", "integer", 0),
            ("Age", "string", 0),
        ],
        ("apps", "statefulsets") => &[("Ready", "string", 0), ("Age", "string", 0)],
        ("apps", "daemonsets") => &[
            ("Desired", "integer", 0),
            ("Current", "integer", 0),
            ("Ready", "integer", 0),
            ("Up-to-date", "integer", 0),
            ("Available", "integer", 0),
            ("Age", "string", 0),
        ],
        ("", "services") => &[
            ("Type", "string", 0),
            ("Cluster-IP", "string", 0),
            ("External-IP", "string", 0),
            ("Port(s)", "string", 0),
            ("Age", "string", 0),
        ],
        ("batch", "jobs") => &[
            ("Status", "string", 0),
            ("Completions", "string", 0),
            ("Age", "string", 0),
        ],
        ("", "namespaces") => &[("Status", "string", 0), ("Age", "string", 0)],
        ("", "nodes") => &[
            ("Status", "string", 0),
            ("Roles", "string", 0),
            ("Age", "string", 0),
            ("Version", "string", 0),
        ],
        ("", "configmaps") => &[("Data", "integer", 0), ("Age", "string", 0)],
        ("", "secrets") => &[
            ("Type", "string", 0),
            ("Data", "integer", 0),
            ("Age", "string", 0),
        ],
        ("", "persistentvolumeclaims") => &[
            ("Status", "string", 0),
            ("Volume", "string", 0),
            ("Capacity", "string", 0),
            ("Access Modes", "string", 0),
            ("StorageClass", "string", 0),
            ("Age", "string", 0),
        ],
        _ => &[("Age", "string", 0)],
    }
}

/// Go's `duration.HumanDuration` style ages ("5s", "3m20s", "2d4h").
pub fn human_duration(secs: i64) -> String {
    if secs < -1 {
        return "<invalid>".to_owned();
    }
    let s = secs.max(0);
    let (m, h, d) = (s / 60, s / 3600, s / 86400);
    if s < 120 {
        format!("{s}s")
    } else if m < 10 {
        if s % 60 == 0 {
            format!("{m}m")
        } else {
            format!("{m}m{}s", s % 60)
        }
    } else if h < 3 {
        format!("{m}m")
    } else if h < 8 {
        if m % 60 == 0 {
            format!("{h}h")
        } else {
            format!("{h}h{}m", m % 60)
        }
    } else if h < 48 {
        format!("{h}h")
    } else if h < 24 * 8 {
        if h % 24 == 0 {
            format!("{d}d")
        } else {
            format!("{d}d{}h", h % 24)
        }
    } else if h < 24 * 365 * 2 {
        format!("{d}d")
    } else if h < 24 * 365 * 8 {
        let y = d / 365;
        if d % 365 == 0 {
            format!("{y}y")
        } else {
            format!("{y}y{}d", d % 365)
        }
    } else {
        format!("{}y", d / 365)
    }
}

fn age(o: &Value) -> Value {
    let Some(ts) = o
        .pointer("/metadata/creationTimestamp")
        .and_then(Value::as_str)
    else {
        return json!("<unknown>");
    };
    match chrono::DateTime::parse_from_rfc3339(ts) {
        Ok(t) => json!(human_duration(
            (chrono::Utc::now() - t.with_timezone(&chrono::Utc)).num_seconds()
        )),
        Err(_) => json!("<unknown>"),
    }
}

fn int(o: &Value, p: &str) -> i64 {
    o.pointer(p).and_then(Value::as_i64).unwrap_or(0)
}

fn s<'a>(o: &'a Value, p: &str) -> &'a str {
    o.pointer(p).and_then(Value::as_str).unwrap_or_default()
}

fn count(o: &Value, p: &str) -> usize {
    o.pointer(p)
        .and_then(Value::as_object)
        .map_or(0, serde_json::Map::len)
}

fn pod_cells(o: &Value) -> Vec<Value> {
    let statuses = o
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let total = o
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let ready = statuses
        .iter()
        .filter(|c| c.get("ready").and_then(Value::as_bool) == Some(true))
        .count();
    let restarts: i64 = statuses
        .iter()
        .map(|c| c.get("restartCount").and_then(Value::as_i64).unwrap_or(0))
        .sum();
    let waiting = statuses
        .iter()
        .find_map(|c| c.pointer("/state/waiting/reason").and_then(Value::as_str));
    let terminated = statuses.iter().find_map(|c| {
        c.pointer("/state/terminated/reason")
            .and_then(Value::as_str)
    });
    let mut status = s(o, "/status/reason").to_owned();
    if status.is_empty() {
        status = waiting
            .or(terminated)
            .map(str::to_owned)
            .unwrap_or_else(|| s(o, "/status/phase").to_owned());
    }
    if o.pointer("/metadata/deletionTimestamp").is_some() {
        status = "Terminating".to_owned();
    }
    let none = |v: &str| {
        if v.is_empty() {
            "<none>".to_owned()
        } else {
            v.to_owned()
        }
    };
    vec![
        json!(format!("{ready}/{total}")),
        json!(status),
        json!(restarts.to_string()),
        age(o),
        json!(none(s(o, "/status/podIP"))),
        json!(none(s(o, "/spec/nodeName"))),
    ]
}

fn service_cells(o: &Value) -> Vec<Value> {
    let ty = s(o, "/spec/type");
    let ports: Vec<String> = o
        .pointer("/spec/ports")
        .and_then(Value::as_array)
        .map(|ps| {
            ps.iter()
                .map(|p| {
                    let port = p.get("port").and_then(Value::as_i64).unwrap_or(0);
                    let proto = p.get("protocol").and_then(Value::as_str).unwrap_or("TCP");
                    match p.get("nodePort").and_then(Value::as_i64) {
                        Some(np) if ty == "NodePort" || ty == "LoadBalancer" => {
                            format!("{port}:{np}/{proto}")
                        }
                        _ => format!("{port}/{proto}"),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let external = match ty {
        "LoadBalancer" => o
            .pointer("/status/loadBalancer/ingress")
            .and_then(Value::as_array)
            .map(|i| {
                i.iter()
                    .filter_map(|x| x.get("ip").or(x.get("hostname")).and_then(Value::as_str))
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .filter(|x| !x.is_empty())
            .unwrap_or_else(|| "<pending>".to_owned()),
        "ExternalName" => s(o, "/spec/externalName").to_owned(),
        _ => "<none>".to_owned(),
    };
    let cluster_ip = s(o, "/spec/clusterIP");
    vec![
        json!(ty),
        json!(if cluster_ip.is_empty() {
            "<none>"
        } else {
            cluster_ip
        }),
        json!(external),
        json!(if ports.is_empty() {
            "<none>".to_owned()
        } else {
            ports.join(",")
        }),
        age(o),
    ]
}

/// Evaluates the simple JSON paths CRDs use (`.spec.replicas`, `.status.conditions[0].type`).
fn json_path(o: &Value, path: &str) -> Value {
    let mut cur = o;
    for part in path.trim_start_matches('.').split('.') {
        let (key, index) = match part.split_once('[') {
            Some((k, rest)) => (k, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        let Some(next) = cur.get(key) else {
            return Value::Null;
        };
        cur = match index {
            Some(i) => match next.get(i) {
                Some(v) => v,
                None => return Value::Null,
            },
            None => next,
        };
    }
    match cur {
        Value::Object(_) | Value::Array(_) => json!(cur.to_string()),
        other => other.clone(),
    }
}

fn cells(ri: &ResourceInfo, o: &Value) -> Vec<Value> {
    let name = json!(s(o, "/metadata/name"));
    let mut out = vec![name];
    if ri.custom {
        for (_, ty, path) in &ri.printer_columns {
            let v = json_path(o, path);
            let when = v
                .as_str()
                .filter(|_| ty == "date")
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
            out.push(match when {
                Some(t) => json!(human_duration(
                    (chrono::Utc::now() - t.with_timezone(&chrono::Utc)).num_seconds()
                )),
                None => v,
            });
        }
        if !ri.printer_columns.iter().any(|(n, _, _)| n == "Age") {
            out.push(age(o));
        }
        return out;
    }
    let rest = match (ri.storage_group.as_str(), ri.plural.as_str()) {
        ("", "pods") => pod_cells(o),
        ("apps", "deployments") => vec![
            json!(format!(
                "{}/{}",
                int(o, "/status/readyReplicas"),
                int(o, "/spec/replicas")
            )),
            json!(int(o, "/status/updatedReplicas")),
            json!(int(o, "/status/availableReplicas")),
            age(o),
        ],
        ("apps", "replicasets") | ("", "replicationcontrollers") => vec![
            json!(int(o, "/spec/replicas")),
            json!(int(o, "/status/replicas")),
            json!(int(o, "/status/readyReplicas")),
            age(o),
        ],
        ("apps", "statefulsets") => vec![
            json!(format!(
                "{}/{}",
                int(o, "/status/readyReplicas"),
                int(o, "/spec/replicas")
            )),
            age(o),
        ],
        ("apps", "daemonsets") => vec![
            json!(int(o, "/status/desiredNumberScheduled")),
            json!(int(o, "/status/currentNumberScheduled")),
            json!(int(o, "/status/numberReady")),
            json!(int(o, "/status/updatedNumberScheduled")),
            json!(int(o, "/status/numberAvailable")),
            age(o),
        ],
        ("", "services") => service_cells(o),
        ("batch", "jobs") => {
            let conds = o
                .pointer("/status/conditions")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let has = |t: &str| {
                conds.iter().any(|c| {
                    c.get("type").and_then(Value::as_str) == Some(t)
                        && c.get("status").and_then(Value::as_str) == Some("True")
                })
            };
            let status = if has("Complete") {
                "Complete"
            } else if has("Failed") {
                "Failed"
            } else {
                "Running"
            };
            let completions = o
                .pointer("/spec/completions")
                .and_then(Value::as_i64)
                .unwrap_or(1);
            vec![
                json!(status),
                json!(format!("{}/{completions}", int(o, "/status/succeeded"))),
                age(o),
            ]
        }
        ("", "namespaces") => vec![json!(s(o, "/status/phase")), age(o)],
        ("", "nodes") => {
            let ready = o
                .pointer("/status/conditions")
                .and_then(Value::as_array)
                .and_then(|cs| {
                    cs.iter()
                        .find(|c| c.get("type").and_then(Value::as_str) == Some("Ready"))
                })
                .and_then(|c| c.get("status").and_then(Value::as_str))
                == Some("True");
            vec![
                json!(if ready { "Ready" } else { "NotReady" }),
                json!("<none>"),
                age(o),
                json!(s(o, "/status/nodeInfo/kubeletVersion")),
            ]
        }
        ("", "configmaps") => vec![json!(count(o, "/data") + count(o, "/binaryData")), age(o)],
        ("", "secrets") => vec![json!(s(o, "/type")), json!(count(o, "/data")), age(o)],
        ("", "persistentvolumeclaims") => {
            let modes = o
                .pointer("/status/accessModes")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(|m| match m {
                            "ReadWriteOnce" => "RWO",
                            "ReadOnlyMany" => "ROX",
                            "ReadWriteMany" => "RWX",
                            "ReadWriteOncePod" => "RWOP",
                            other => other,
                        })
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .unwrap_or_default();
            vec![
                json!(s(o, "/status/phase")),
                json!(s(o, "/spec/volumeName")),
                json!(s(o, "/status/capacity/storage")),
                json!(modes),
                json!(s(o, "/spec/storageClassName")),
                age(o),
            ]
        }
        _ => vec![age(o)],
    };
    out.extend(rest);
    out
}

fn partial(o: &Value) -> Value {
    json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
        "metadata": o.get("metadata").cloned().unwrap_or_else(|| json!({}))})
}

/// Builds a Table of `items` (already in the requested version); `meta` is the list metadata.
pub fn table(ri: &ResourceInfo, items: &[&Value], meta: Value, include: IncludeObject) -> Value {
    let mut defs = vec![json!({"name": "Name", "type": "string", "format": "name",
        "description": "Name must be unique within a namespace.", "priority": 0})];
    if ri.custom {
        for (name, ty, _) in &ri.printer_columns {
            defs.push(
                json!({"name": name, "type": ty, "format": "", "description": "", "priority": 0}),
            );
        }
        // Like the real server, Age follows the custom columns unless one is named Age.
        if !ri.printer_columns.iter().any(|(n, _, _)| n == "Age") {
            defs.push(json!({"name": "Age", "type": "date", "format": "", "description": "", "priority": 0}));
        }
    } else {
        for (name, ty, prio) in columns(ri) {
            defs.push(json!({"name": name, "type": ty, "format": "", "description": "", "priority": prio}));
        }
    }
    let rows: Vec<Value> = items
        .iter()
        .map(|o| {
            let mut row = json!({"cells": cells(ri, o)});
            match include {
                IncludeObject::None => {}
                IncludeObject::Metadata => row["object"] = partial(o),
                IncludeObject::Object => row["object"] = (*o).clone(),
            }
            row
        })
        .collect();
    json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": meta,
        "columnDefinitions": defs, "rows": rows})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Registry;

    #[test]
    fn durations_like_go() {
        assert_eq!(human_duration(5), "5s");
        assert_eq!(human_duration(200), "3m20s");
        assert_eq!(human_duration(3600), "60m");
        assert_eq!(human_duration(4 * 3600 + 60), "4h1m");
        assert_eq!(human_duration(3 * 86400 + 3600), "3d1h");
        assert_eq!(human_duration(-5), "<invalid>");
    }

    #[test]
    fn crd_printer_columns() {
        let crd = json!({"spec": {"group": "x.io", "scope": "Namespaced",
            "names": {"plural": "foos", "kind": "Foo"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "additionalPrinterColumns": [{"name": "Color", "type": "string", "jsonPath": ".spec.color"},
                    {"name": "First", "type": "string", "jsonPath": ".spec.items[0]"}]}]}});
        let ri = crate::registry::resources_from_crd(&crd)
            .expect("crd")
            .remove(0);
        let foo = json!({"metadata": {"name": "f"}, "spec": {"color": "red", "items": ["a", "b"]}});
        let t = table(&ri, &[&foo], json!({}), IncludeObject::None);
        let names: Vec<&str> = t["columnDefinitions"]
            .as_array()
            .expect("defs")
            .iter()
            .filter_map(|d| d["name"].as_str())
            .collect();
        assert_eq!(names, vec!["Name", "Color", "First", "Age"]);
        assert_eq!(t["rows"][0]["cells"][1], "red");
        assert_eq!(t["rows"][0]["cells"][2], "a");
    }

    #[test]
    fn pod_and_service_rows() {
        let r = Registry::new(false);
        let pods = r.lookup("", "v1", "pods").expect("pods");
        let pod = json!({"metadata": {"name": "p", "creationTimestamp": "2020-01-01T00:00:00Z"},
            "spec": {"containers": [{"name": "a"}, {"name": "b"}], "nodeName": "n1"},
            "status": {"phase": "Running", "podIP": "10.0.0.1",
                "containerStatuses": [{"ready": true, "restartCount": 2}, {"ready": false, "restartCount": 1}]}});
        let t = table(&pods, &[&pod], json!({}), IncludeObject::Metadata);
        assert_eq!(t["rows"][0]["cells"][0], "p");
        assert_eq!(t["rows"][0]["cells"][1], "1/2");
        assert_eq!(t["rows"][0]["cells"][2], "Running");
        assert_eq!(t["rows"][0]["cells"][3], "3");
        assert_eq!(t["rows"][0]["object"]["kind"], "PartialObjectMetadata");
        let svcs = r.lookup("", "v1", "services").expect("svc");
        let svc = json!({"metadata": {"name": "s"}, "spec": {"type": "NodePort", "clusterIP": "10.96.0.5",
            "ports": [{"port": 80, "nodePort": 30080, "protocol": "TCP"}]}});
        let t = table(&svcs, &[&svc], json!({}), IncludeObject::None);
        assert_eq!(t["rows"][0]["cells"][4], "80:30080/TCP");
        assert!(t["rows"][0].get("object").is_none());
    }
}
