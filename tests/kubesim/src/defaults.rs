//! Server-side defaults clients can observe.
//!
//! kubectl, Helm's waiters and `kubectl diff` read defaulted fields back (a Service's
//! `clusterIP`, a Deployment's `replicas` and strategy, a Job's generated selector), so the
//! simulator fills in the same values the real API server would on every write.

use base64::Engine as _;
use rand::Rng as _;
use serde_json::{Map, Value, json};

use crate::registry::ResourceInfo;

fn obj_mut<'a>(v: &'a mut Value, key: &str) -> Option<&'a mut Map<String, Value>> {
    let m = v.as_object_mut()?;
    if !m.get(key).is_some_and(Value::is_object) {
        m.insert(key.to_owned(), json!({}));
    }
    m.get_mut(key)?.as_object_mut()
}

fn set_default(m: &mut Map<String, Value>, key: &str, value: Value) {
    if m.get(key).is_none_or(Value::is_null) {
        m.insert(key.to_owned(), value);
    }
}

/// Defaults run on create (after uid and namespace are set).
pub fn on_create(ri: &ResourceInfo, obj: &mut Value) {
    match (ri.storage_group.as_str(), ri.plural.as_str()) {
        ("", "namespaces") => {
            let name = obj
                .pointer("/metadata/name")
                .cloned()
                .unwrap_or(Value::Null);
            if let Some(meta) = obj_mut(obj, "metadata")
                && let Some(labels) = obj_mut_in(meta, "labels")
            {
                labels.insert("kubernetes.io/metadata.name".to_owned(), name);
            }
            if let Some(spec) = obj_mut(obj, "spec") {
                set_default(spec, "finalizers", json!(["kubernetes"]));
            }
            if let Some(status) = obj_mut(obj, "status") {
                status.insert("phase".to_owned(), json!("Active"));
            }
        }
        ("", "services") => {
            service(obj, None);
            if let Some(status) = obj_mut(obj, "status") {
                set_default(status, "loadBalancer", json!({}));
            }
        }
        ("", "persistentvolumeclaims") => {
            if let Some(spec) = obj_mut(obj, "spec") {
                set_default(spec, "volumeMode", json!("Filesystem"));
            }
            if let Some(status) = obj_mut(obj, "status") {
                set_default(status, "phase", json!("Pending"));
            }
        }
        ("", "pods") => {
            if let Some(spec) = obj_mut(obj, "spec") {
                pod_spec(spec);
            }
            if let Some(status) = obj_mut(obj, "status") {
                set_default(status, "phase", json!("Pending"));
            }
        }
        ("batch", "jobs") => job(obj),
        _ => {}
    }
    common(ri, obj);
}

/// Defaults run on every update; `cur` is the stored object.
pub fn on_update(ri: &ResourceInfo, cur: &Value, obj: &mut Value) {
    match (ri.storage_group.as_str(), ri.plural.as_str()) {
        ("", "services") => service(obj, Some(cur)),
        ("", "pods") => {
            if let Some(spec) = obj_mut(obj, "spec") {
                pod_spec(spec);
            }
        }
        ("", "namespaces") => {
            if obj.pointer("/spec/finalizers").is_none()
                && let Some(f) = cur.pointer("/spec/finalizers")
                && let Some(spec) = obj_mut(obj, "spec")
            {
                spec.insert("finalizers".to_owned(), f.clone());
            }
        }
        ("batch", "jobs") => {
            // The generated selector and labels are immutable; carry them over if omitted.
            for p in ["selector", "template"] {
                if obj.pointer(&format!("/spec/{p}")).is_none()
                    && let Some(v) = cur.pointer(&format!("/spec/{p}"))
                    && let Some(spec) = obj_mut(obj, "spec")
                {
                    spec.insert(p.to_owned(), v.clone());
                }
            }
        }
        _ => {}
    }
    common(ri, obj);
}

fn obj_mut_in<'a>(m: &'a mut Map<String, Value>, key: &str) -> Option<&'a mut Map<String, Value>> {
    if !m.get(key).is_some_and(Value::is_object) {
        m.insert(key.to_owned(), json!({}));
    }
    m.get_mut(key)?.as_object_mut()
}

/// Defaults shared by creates and updates.
fn common(ri: &ResourceInfo, obj: &mut Value) {
    match (ri.storage_group.as_str(), ri.plural.as_str()) {
        ("", "secrets") => secret(obj),
        ("apps", "deployments") => {
            if let Some(spec) = obj_mut(obj, "spec") {
                set_default(spec, "replicas", json!(1));
                set_default(spec, "revisionHistoryLimit", json!(10));
                set_default(spec, "progressDeadlineSeconds", json!(600));
                let strategy = obj_mut_in(spec, "strategy");
                if let Some(s) = strategy {
                    set_default(s, "type", json!("RollingUpdate"));
                    if s.get("type").and_then(Value::as_str) == Some("RollingUpdate")
                        && let Some(ru) = obj_mut_in(s, "rollingUpdate")
                    {
                        set_default(ru, "maxUnavailable", json!("25%"));
                        set_default(ru, "maxSurge", json!("25%"));
                    }
                }
            }
            template(obj, "/spec/template/spec");
        }
        ("apps", "replicasets") | ("", "replicationcontrollers") => {
            if let Some(spec) = obj_mut(obj, "spec") {
                set_default(spec, "replicas", json!(1));
            }
            template(obj, "/spec/template/spec");
        }
        ("apps", "statefulsets") => {
            if let Some(spec) = obj_mut(obj, "spec") {
                set_default(spec, "replicas", json!(1));
                set_default(spec, "podManagementPolicy", json!("OrderedReady"));
                set_default(spec, "revisionHistoryLimit", json!(10));
                set_default(
                    spec,
                    "updateStrategy",
                    json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}),
                );
            }
            template(obj, "/spec/template/spec");
        }
        ("apps", "daemonsets") => {
            if let Some(spec) = obj_mut(obj, "spec") {
                set_default(spec, "revisionHistoryLimit", json!(10));
                set_default(
                    spec,
                    "updateStrategy",
                    json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}),
                );
            }
            template(obj, "/spec/template/spec");
        }
        ("batch", "jobs") => {
            template(obj, "/spec/template/spec");
        }
        ("batch", "cronjobs") => {
            if let Some(spec) = obj_mut(obj, "spec") {
                set_default(spec, "concurrencyPolicy", json!("Allow"));
                set_default(spec, "suspend", json!(false));
                set_default(spec, "successfulJobsHistoryLimit", json!(3));
                set_default(spec, "failedJobsHistoryLimit", json!(1));
            }
            template(obj, "/spec/jobTemplate/spec/template/spec");
        }
        _ => {}
    }
}

fn template(obj: &mut Value, pointer: &str) {
    if let Some(Value::Object(spec)) = obj.pointer_mut(pointer) {
        pod_spec(spec);
    }
}

fn pod_spec(spec: &mut Map<String, Value>) {
    set_default(spec, "restartPolicy", json!("Always"));
    set_default(spec, "terminationGracePeriodSeconds", json!(30));
    set_default(spec, "dnsPolicy", json!("ClusterFirst"));
    set_default(spec, "schedulerName", json!("default-scheduler"));
    set_default(spec, "securityContext", json!({}));
    for list in ["containers", "initContainers"] {
        if let Some(Value::Array(cs)) = spec.get_mut(list) {
            for c in cs.iter_mut().filter_map(Value::as_object_mut) {
                let image = c.get("image").and_then(Value::as_str).unwrap_or_default();
                let last = image.rsplit('/').next().unwrap_or(image);
                let policy = if image.contains('@') {
                    "IfNotPresent"
                } else if !last.contains(':') || last.ends_with(":latest") {
                    "Always"
                } else {
                    "IfNotPresent"
                };
                set_default(c, "imagePullPolicy", json!(policy));
                set_default(c, "terminationMessagePath", json!("/dev/termination-log"));
                set_default(c, "terminationMessagePolicy", json!("File"));
                set_default(c, "resources", json!({}));
                if let Some(Value::Array(ports)) = c.get_mut("ports") {
                    for p in ports.iter_mut().filter_map(Value::as_object_mut) {
                        set_default(p, "protocol", json!("TCP"));
                    }
                }
            }
        }
    }
}

fn secret(obj: &mut Value) {
    let Some(m) = obj.as_object_mut() else {
        return;
    };
    set_default(m, "type", json!("Opaque"));
    if let Some(Value::Object(sd)) = m.remove("stringData") {
        let data = obj_mut_in(m, "data");
        if let Some(data) = data {
            for (k, v) in sd {
                let s = v.as_str().unwrap_or_default();
                data.insert(
                    k,
                    json!(base64::engine::general_purpose::STANDARD.encode(s)),
                );
            }
        }
    }
}

fn job(obj: &mut Value) {
    let uid = obj
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let manual = obj
        .pointer("/spec/manualSelector")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let Some(spec) = obj_mut(obj, "spec") else {
        return;
    };
    set_default(spec, "parallelism", json!(1));
    set_default(spec, "completions", json!(1));
    set_default(spec, "backoffLimit", json!(6));
    set_default(spec, "completionMode", json!("NonIndexed"));
    set_default(spec, "suspend", json!(false));
    if manual {
        return;
    }
    spec.insert(
        "selector".to_owned(),
        json!({"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}),
    );
    if let Some(tmpl) = obj_mut_in(spec, "template")
        && let Some(meta) = obj_mut_in(tmpl, "metadata")
        && let Some(labels) = obj_mut_in(meta, "labels")
    {
        labels.insert("controller-uid".to_owned(), json!(uid));
        labels.insert("batch.kubernetes.io/controller-uid".to_owned(), json!(uid));
        labels.insert("job-name".to_owned(), json!(name));
        labels.insert("batch.kubernetes.io/job-name".to_owned(), json!(name));
    }
}

fn service(obj: &mut Value, cur: Option<&Value>) {
    let Some(spec) = obj_mut(obj, "spec") else {
        return;
    };
    set_default(spec, "type", json!("ClusterIP"));
    set_default(spec, "sessionAffinity", json!("None"));
    let ty = spec
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("ClusterIP")
        .to_owned();
    if ty == "ExternalName" {
        return;
    }
    set_default(spec, "internalTrafficPolicy", json!("Cluster"));
    set_default(spec, "ipFamilies", json!(["IPv4"]));
    set_default(spec, "ipFamilyPolicy", json!("SingleStack"));
    let cur_ip = cur.and_then(|c| c.pointer("/spec/clusterIP")).cloned();
    let want_ip = spec
        .get("clusterIP")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if want_ip.is_empty() {
        let ip = match cur_ip {
            Some(Value::String(s)) if !s.is_empty() => s,
            _ => {
                let mut rng = rand::rng();
                format!(
                    "10.{}.{}.{}",
                    rng.random_range(96..112),
                    rng.random_range(0..256),
                    rng.random_range(1..255)
                )
            }
        };
        spec.insert("clusterIP".to_owned(), json!(ip));
    }
    let ip = spec.get("clusterIP").cloned().unwrap_or(Value::Null);
    spec.insert("clusterIPs".to_owned(), json!([ip]));
    let needs_node_port = ty == "NodePort" || ty == "LoadBalancer";
    if ty == "LoadBalancer" {
        set_default(spec, "externalTrafficPolicy", json!("Cluster"));
        set_default(spec, "allocateLoadBalancerNodePorts", json!(true));
    }
    let cur_ports = cur
        .and_then(|c| c.pointer("/spec/ports"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if let Some(Value::Array(ports)) = spec.get_mut("ports") {
        for p in ports.iter_mut().filter_map(Value::as_object_mut) {
            set_default(p, "protocol", json!("TCP"));
            if let Some(port) = p.get("port").cloned() {
                set_default(p, "targetPort", port);
            }
            if needs_node_port && p.get("nodePort").is_none_or(Value::is_null) {
                let prev = cur_ports
                    .iter()
                    .find(|c| c.get("port") == p.get("port"))
                    .and_then(|c| c.get("nodePort"))
                    .cloned();
                let np = prev.unwrap_or_else(|| json!(rand::rng().random_range(30000..32768)));
                p.insert("nodePort".to_owned(), np);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Registry;

    #[test]
    fn service_defaults() {
        let r = Registry::new(false);
        let svc = r.lookup("", "v1", "services").expect("svc");
        let mut o = json!({"metadata": {"name": "s"}, "spec": {"type": "NodePort", "ports": [{"port": 80}]}});
        on_create(&svc, &mut o);
        assert_eq!(o["spec"]["ports"][0]["targetPort"], 80);
        assert_eq!(o["spec"]["ports"][0]["protocol"], "TCP");
        let np = o["spec"]["ports"][0]["nodePort"]
            .as_u64()
            .expect("nodePort");
        assert!((30000..32768).contains(&np));
        let ip = o["spec"]["clusterIP"].as_str().expect("ip").to_owned();
        assert!(ip.starts_with("10."));
        let mut upd = json!({"metadata": {"name": "s"}, "spec": {"type": "NodePort", "ports": [{"port": 80}]}});
        on_update(&svc, &o, &mut upd);
        assert_eq!(upd["spec"]["clusterIP"], json!(ip));
        assert_eq!(upd["spec"]["ports"][0]["nodePort"], json!(np));
    }

    #[test]
    fn secret_string_data_is_encoded() {
        let r = Registry::new(false);
        let s = r.lookup("", "v1", "secrets").expect("secrets");
        let mut o = json!({"metadata": {"name": "x"}, "stringData": {"a": "hi"}});
        on_create(&s, &mut o);
        assert_eq!(o["data"]["a"], "aGk=");
        assert_eq!(o["type"], "Opaque");
        assert!(o.get("stringData").is_none());
    }

    #[test]
    fn job_selector_generated() {
        let r = Registry::new(false);
        let j = r.lookup("batch", "v1", "jobs").expect("jobs");
        let mut o = json!({"metadata": {"name": "j", "uid": "u1"},
            "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox:1"}]}}}});
        on_create(&j, &mut o);
        assert_eq!(
            o["spec"]["selector"]["matchLabels"]["batch.kubernetes.io/controller-uid"],
            "u1"
        );
        assert_eq!(o["spec"]["template"]["metadata"]["labels"]["job-name"], "j");
        assert_eq!(o["spec"]["backoffLimit"], 6);
        assert_eq!(
            o["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"],
            "IfNotPresent"
        );
    }
}
