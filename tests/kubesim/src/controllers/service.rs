//! Services: a LoadBalancer gets `status.loadBalancer.ingress[{ip}]` after a delay, and a
//! Service with a selector gets an Endpoints object listing its pods (ready ones under
//! `addresses`, the others under `notReadyAddresses`) and an EndpointSlice `<service>-<5 chars>`
//! with the same pods. The cluster IP and ports are allocated by the API defaults on create.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::{Ctx, Key, name, namespace, pod_phase, pod_ready, terminating, uid};
use crate::controllers::pod::matches_label_map;
use crate::error::ApiError;
use crate::store::WriteOptions;

/// Reconciles one Service.
pub fn reconcile(ctx: &mut Ctx, key: &Key) -> Result<(), ApiError> {
    let ri = ctx.res.services.clone();
    let svc = match ctx.store.get(&ri, &key.ns, &key.name) {
        Ok(s) => s,
        Err(e) if e.code == 404 => return Ok(()),
        Err(e) => return Err(e),
    };
    if terminating(&svc) {
        return Ok(());
    }
    let is_lb = svc.pointer("/spec/type").and_then(Value::as_str) == Some("LoadBalancer");
    let has_ingress = svc
        .pointer("/status/loadBalancer/ingress")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());
    if is_lb && !has_ingress {
        if ctx.gate_random(&format!("{}/lb", uid(&svc)), key) {
            let ip = ctx.alloc_lb_ip();
            let mut status = svc.get("status").cloned().unwrap_or_else(|| json!({}));
            status["loadBalancer"] = json!({"ingress": [{"ip": ip, "ipMode": "VIP"}]});
            ctx.write_status(&ri, &svc, status)?;
        }
    } else if !is_lb && has_ingress {
        let mut status = svc.get("status").cloned().unwrap_or_else(|| json!({}));
        status["loadBalancer"] = json!({});
        ctx.write_status(&ri, &svc, status)?;
    }
    sync_endpoints(ctx, &svc)
}

fn sync_endpoints(ctx: &mut Ctx, svc: &Value) -> Result<(), ApiError> {
    let Some(selector) = svc
        .pointer("/spec/selector")
        .and_then(Value::as_object)
        .filter(|s| !s.is_empty())
        .cloned()
    else {
        return Ok(());
    };
    let ns = namespace(svc).to_owned();
    let pods: Vec<Arc<Value>> = ctx
        .store
        .all_raw(&ctx.res.pods.storage_key())
        .into_iter()
        .filter(|p| namespace(p) == ns && !terminating(p) && matches_label_map(p, &selector))
        .filter(|p| p.pointer("/status/podIP").is_some() && pod_phase(p) == "Running")
        .collect();
    let address = |p: &Value| {
        let mut a = json!({
            "ip": p.pointer("/status/podIP").cloned().unwrap_or(Value::Null),
            "targetRef": {"kind": "Pod", "namespace": ns, "name": name(p), "uid": uid(p)},
        });
        if let Some(n) = p.pointer("/spec/nodeName") {
            a["nodeName"] = n.clone();
        }
        a
    };
    let ready: Vec<Value> = pods
        .iter()
        .filter(|p| pod_ready(p))
        .map(|p| address(p))
        .collect();
    let not_ready: Vec<Value> = pods
        .iter()
        .filter(|p| !pod_ready(p))
        .map(|p| address(p))
        .collect();
    let ports: Vec<Value> = svc
        .pointer("/spec/ports")
        .and_then(Value::as_array)
        .map(|ps| {
            ps.iter()
                .map(|sp| {
                    let mut out = Map::new();
                    if let Some(n) = sp
                        .get("name")
                        .and_then(Value::as_str)
                        .filter(|n| !n.is_empty())
                    {
                        out.insert("name".to_owned(), json!(n));
                    }
                    out.insert("port".to_owned(), json!(target_port(sp, &pods)));
                    out.insert(
                        "protocol".to_owned(),
                        sp.get("protocol").cloned().unwrap_or_else(|| json!("TCP")),
                    );
                    Value::Object(out)
                })
                .collect()
        })
        .unwrap_or_default();
    let mut subset = Map::new();
    if !ready.is_empty() {
        subset.insert("addresses".to_owned(), json!(ready));
    }
    if !not_ready.is_empty() {
        subset.insert("notReadyAddresses".to_owned(), json!(not_ready));
    }
    let subsets = if subset.is_empty() {
        None
    } else {
        subset.insert("ports".to_owned(), json!(ports));
        Some(json!([Value::Object(subset)]))
    };
    let svc_labels = svc
        .pointer("/metadata/labels")
        .cloned()
        .unwrap_or_else(|| json!({}));
    sync_slice(ctx, svc, &pods, &ports)?;
    let ep_ri = ctx.res.endpoints.clone();
    let svc_name = name(svc).to_owned();
    ctx.store
        .write(
            &ep_ri,
            &ns,
            &svc_name,
            &WriteOptions::default(),
            false,
            |cur| {
                let mut o = cur.cloned().unwrap_or_else(|| {
                    json!({"apiVersion": "v1", "kind": "Endpoints",
                       "metadata": {"name": svc_name, "namespace": ns}})
                });
                if let Some(m) = o.get_mut("metadata").and_then(Value::as_object_mut) {
                    m.remove("resourceVersion");
                    m.insert("labels".to_owned(), svc_labels.clone());
                }
                match (&subsets, o.as_object_mut()) {
                    (Some(s), Some(m)) => {
                        m.insert("subsets".to_owned(), s.clone());
                    }
                    (None, Some(m)) => {
                        m.remove("subsets");
                    }
                    _ => {}
                }
                Ok(o)
            },
        )
        .map(|_| ())
}

/// The EndpointSlice name of a Service: `<service>-<5 chars>`, stable per Service uid.
pub fn slice_name(svc: &Value) -> String {
    let h = super::template_hash(&json!(uid(svc)));
    let suffix: String = h.chars().take(5).collect();
    format!("{}-{suffix}", name(svc))
}

/// Mirrors the Service's pods into one `discovery.k8s.io/v1` EndpointSlice (what newer clients,
/// e.g. `kubectl describe service`, read instead of Endpoints).
fn sync_slice(
    ctx: &mut Ctx,
    svc: &Value,
    pods: &[Arc<Value>],
    ports: &[Value],
) -> Result<(), ApiError> {
    let Ok(ri) = ctx
        .store
        .resource("discovery.k8s.io", "v1", "endpointslices")
    else {
        return Ok(());
    };
    let ns = namespace(svc).to_owned();
    let slice = slice_name(svc);
    let endpoints: Vec<Value> = pods
        .iter()
        .map(|p| {
            let ready = pod_ready(p);
            let mut e = json!({
                "addresses": [p.pointer("/status/podIP").cloned().unwrap_or(Value::Null)],
                "conditions": {"ready": ready, "serving": ready, "terminating": false},
                "targetRef": {"kind": "Pod", "namespace": ns, "name": name(p), "uid": uid(p)},
            });
            if let Some(n) = p.pointer("/spec/nodeName") {
                e["nodeName"] = n.clone();
            }
            e
        })
        .collect();
    let mut labels = svc
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    labels.insert("kubernetes.io/service-name".to_owned(), json!(name(svc)));
    labels.insert(
        "endpointslice.kubernetes.io/managed-by".to_owned(),
        json!("endpointslice-controller.k8s.io"),
    );
    let desired = json!({
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {
            "name": slice,
            "namespace": ns,
            "labels": labels,
            "ownerReferences": [super::owner_ref(svc, "v1", "Service")],
        },
        "addressType": "IPv4",
        "endpoints": endpoints,
        "ports": ports,
    });
    ctx.store
        .write(&ri, &ns, &slice, &WriteOptions::default(), false, |cur| {
            let mut o = desired.clone();
            if let Some(cur_meta) = cur
                .and_then(|c| c.get("metadata"))
                .and_then(Value::as_object)
                && let Some(m) = o.get_mut("metadata").and_then(Value::as_object_mut)
            {
                for (k, v) in cur_meta {
                    if k != "resourceVersion" && !m.contains_key(k) {
                        m.insert(k.clone(), v.clone());
                    }
                }
            }
            Ok(o)
        })
        .map(|_| ())
}

/// The container port a Service port targets: a number as is, a name looked up among the
/// pods' container ports, or the Service port itself.
fn target_port(sp: &Value, pods: &[Arc<Value>]) -> i64 {
    let port = sp.get("port").and_then(Value::as_i64).unwrap_or(0);
    match sp.get("targetPort") {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(port),
        Some(Value::String(s)) => {
            if let Ok(n) = s.parse() {
                return n;
            }
            pods.iter()
                .filter_map(|p| p.pointer("/spec/containers").and_then(Value::as_array))
                .flatten()
                .filter_map(|c| c.get("ports").and_then(Value::as_array))
                .flatten()
                .find(|cp| cp.get("name").and_then(Value::as_str) == Some(s.as_str()))
                .and_then(|cp| cp.get("containerPort").and_then(Value::as_i64))
                .unwrap_or(port)
        }
        _ => port,
    }
}

/// A Service is gone: delete its Endpoints.
pub fn on_deleted(ctx: &mut Ctx, svc: &Value) {
    let ep_ri = ctx.res.endpoints.clone();
    if let Ok(ep) = ctx.store.get(&ep_ri, namespace(svc), name(svc))
        && let Err(e) = ctx.delete(&ep_ri, &ep)
    {
        tracing::debug!("deleting endpoints {}: {e}", name(svc));
    }
}
