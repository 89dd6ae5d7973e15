//! Strategic merge patch and server-side apply driven by requests real clients send.
//!
//! The strategic patches below are the bodies kubectl v1.32 sent for `kubectl apply` (its
//! three-way patch from the last-applied annotation), recorded once and replayed here so the
//! test runs offline. The apply scenarios follow a Helm v4 release lifecycle.

use kubesim::patch::apply::{ApplyError, record_update, server_side_apply};
use kubesim::patch::strategic::strategic_merge_patch;
use serde_json::{Value, json};

const T1: &str = "2026-01-01T00:00:00Z";
const T2: &str = "2026-01-01T00:01:00Z";
const T3: &str = "2026-01-01T00:02:00Z";

/// `kubectl apply` of a Deployment that drops the `sidecar` container and the `DEBUG`
/// variable of the `web` container.
#[test]
fn kubectl_apply_drops_a_container_and_an_env_var() {
    let live = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"},
                     "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {
                "containers": [
                    {"name": "web", "image": "nginx:1", "imagePullPolicy": "IfNotPresent",
                     "env": [{"name": "MODE", "value": "prod"}, {"name": "DEBUG", "value": "1"}],
                     "ports": [{"containerPort": 80, "protocol": "TCP"}]},
                    {"name": "sidecar", "image": "busybox", "imagePullPolicy": "Always"}
                ],
                "restartPolicy": "Always"
            }}
        }
    });
    let patch = json!({
        "metadata": {"annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\"new\":1}\n"}},
        "spec": {"template": {"spec": {
            "$setElementOrder/containers": [{"name": "web"}],
            "containers": [
                {"$setElementOrder/env": [{"name": "MODE"}],
                 "env": [{"$patch": "delete", "name": "DEBUG"}],
                 "image": "nginx:2", "name": "web"},
                {"$patch": "delete", "name": "sidecar"}
            ]
        }}}
    });
    let got = strategic_merge_patch(&live, &patch, "apps/v1", "Deployment").expect("patch applies");
    assert_eq!(
        got["spec"]["template"]["spec"]["containers"],
        json!([{"name": "web", "image": "nginx:2", "imagePullPolicy": "IfNotPresent",
                "env": [{"name": "MODE", "value": "prod"}],
                "ports": [{"containerPort": 80, "protocol": "TCP"}]}])
    );
    assert_eq!(
        got["spec"]["template"]["spec"]["restartPolicy"],
        json!("Always")
    );
    assert_eq!(
        got["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"],
        json!("{\"new\":1}\n")
    );
}

/// `kubectl apply` of a Service that removes a label and a port and adds another port.
#[test]
fn kubectl_apply_reorders_and_removes_service_ports() {
    let live = json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "svc", "namespace": "default", "labels": {"a": "1", "b": "2"}},
        "spec": {"selector": {"app": "x"}, "type": "ClusterIP", "clusterIP": "10.96.0.10",
                 "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080},
                           {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53}]}
    });
    let patch = json!({
        "metadata": {"labels": {"b": null}},
        "spec": {
            "$setElementOrder/ports": [{"port": 53}, {"port": 443}],
            "ports": [{"name": "https", "port": 443, "targetPort": 8443}, {"$patch": "delete", "port": 80}]
        }
    });
    let got = strategic_merge_patch(&live, &patch, "v1", "Service").expect("patch applies");
    assert_eq!(got["metadata"]["labels"], json!({"a": "1"}));
    assert_eq!(
        got["spec"]["ports"],
        json!([{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
               {"name": "https", "port": 443, "targetPort": 8443}])
    );
    assert_eq!(got["spec"]["clusterIP"], json!("10.96.0.10"));
}

/// `kubectl apply` switching a Deployment from RollingUpdate to Recreate and a volume from
/// `emptyDir` to `configMap`: both fields carry `retainKeys`.
#[test]
fn kubectl_apply_switches_union_fields_with_retain_keys() {
    let live = json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "s"},
        "spec": {
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 2, "maxUnavailable": "25%"}},
            "template": {"spec": {"containers": [{"name": "a", "image": "a"}],
                                  "volumes": [{"name": "v", "emptyDir": {}}]}}
        }
    });
    let patch = json!({"spec": {
        "strategy": {"$retainKeys": ["type"], "rollingUpdate": null, "type": "Recreate"},
        "template": {"spec": {
            "$setElementOrder/containers": [{"name": "b"}, {"name": "a"}],
            "$setElementOrder/volumes": [{"name": "v"}],
            "containers": [{"image": "b", "name": "b"}],
            "volumes": [{"$retainKeys": ["configMap", "name"], "configMap": {"name": "cm"}, "emptyDir": null, "name": "v"}]
        }}
    }});
    let got = strategic_merge_patch(&live, &patch, "apps/v1", "Deployment").expect("patch applies");
    assert_eq!(got["spec"]["strategy"], json!({"type": "Recreate"}));
    assert_eq!(
        got["spec"]["template"]["spec"]["containers"],
        json!([{"name": "b", "image": "b"}, {"name": "a", "image": "a"}])
    );
    assert_eq!(
        got["spec"]["template"]["spec"]["volumes"],
        json!([{"name": "v", "configMap": {"name": "cm"}}])
    );
}

#[test]
fn custom_resources_have_no_strategic_merge_patch() {
    let err =
        strategic_merge_patch(&json!({}), &json!({}), "example.com/v1", "Widget").expect_err("415");
    assert!(err.is_unsupported());
}

fn release(version: &str, with_worker: bool) -> Value {
    let mut containers = vec![
        json!({"name": "app", "image": format!("app:{version}"), "ports": [{"containerPort": 8080}]}),
    ];
    if with_worker {
        containers.push(json!({"name": "worker", "image": format!("worker:{version}")}));
    }
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "rel-app", "namespace": "default",
                     "labels": {"app.kubernetes.io/managed-by": "Helm", "app.kubernetes.io/version": version}},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "rel"}},
                 "template": {"metadata": {"labels": {"app": "rel"}}, "spec": {"containers": containers}}}
    })
}

fn apply(
    live: Option<&Value>,
    obj: &Value,
    manager: &str,
    force: bool,
    now: &str,
) -> Result<Value, ApplyError> {
    server_side_apply(live, obj, manager, force, "apps/v1", "Deployment", now)
}

/// Install, scale by a controller, upgrade (dropping a container), then an upgrade that sets
/// the replicas the controller now owns.
#[test]
fn helm_release_lifecycle_with_server_side_apply() {
    let installed = apply(None, &release("1", true), "helm", false, T1).expect("install");
    let entries = installed["metadata"]["managedFields"]
        .as_array()
        .expect("managedFields");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["manager"], json!("helm"));
    assert_eq!(entries[0]["operation"], json!("Apply"));
    assert_eq!(entries[0]["fieldsType"], json!("FieldsV1"));
    assert_eq!(entries[0]["time"], json!(T1));

    // An autoscaler writes replicas with an ordinary update.
    let mut scaled = installed.clone();
    scaled["spec"]["replicas"] = json!(4);
    record_update(Some(&installed), &mut scaled, "hpa-controller", None, T2);

    // The upgrade drops the worker; helm still sets replicas to 1, which is now a conflict.
    let err = apply(Some(&scaled), &release("2", false), "helm", false, T3).expect_err("conflict");
    let ApplyError::Conflicts(conflicts) = &err else {
        panic!("expected conflicts: {err}")
    };
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].field, ".spec.replicas");
    assert_eq!(
        conflicts[0].message,
        "conflict with \"hpa-controller\" using apps/v1"
    );

    // Without replicas in the chart the upgrade goes through and the worker is removed.
    let mut chart = release("2", false);
    if let Some(spec) = chart["spec"].as_object_mut() {
        spec.remove("replicas");
    }
    let upgraded = apply(Some(&scaled), &chart, "helm", false, T3).expect("upgrade");
    assert_eq!(upgraded["spec"]["replicas"], json!(4));
    let names: Vec<&str> = upgraded["spec"]["template"]["spec"]["containers"]
        .as_array()
        .expect("containers")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, ["app"]);
    assert_eq!(
        upgraded["metadata"]["labels"]["app.kubernetes.io/version"],
        json!("2")
    );

    // Forcing takes replicas back.
    let forced =
        apply(Some(&scaled), &release("2", false), "helm", true, T3).expect("forced upgrade");
    assert_eq!(forced["spec"]["replicas"], json!(1));
    let hpa = forced["metadata"]["managedFields"]
        .as_array()
        .expect("managedFields")
        .iter()
        .any(|e| e["manager"] == "hpa-controller");
    assert!(!hpa, "the controller lost its only field");
}
