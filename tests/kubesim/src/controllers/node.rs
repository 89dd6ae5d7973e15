//! Fake nodes `sim-node-0..N-1`: Ready, with allocatable resources and the well-known labels
//! (DaemonSets size themselves on them, the scheduler spreads pods over them).

use serde_json::{Value, json};

use super::{Ctx, now};
use crate::error::ApiError;

/// The InternalIP of node `i`.
pub fn node_ip(i: usize) -> String {
    format!("172.18.0.{}", i % 250 + 2)
}

/// The node object `sim-node-<i>` (metadata and spec; status comes from [`node_status`]).
pub fn node_object(i: usize) -> Value {
    let name = format!("sim-node-{i}");
    json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": {
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "beta.kubernetes.io/os": "linux",
                "beta.kubernetes.io/arch": "amd64",
                "node.kubernetes.io/instance-type": "kubesim",
            },
            "annotations": { "node.alpha.kubernetes.io/ttl": "0" },
        },
        "spec": { "podCIDR": format!("10.244.{i}.0/24"), "podCIDRs": [format!("10.244.{i}.0/24")] },
    })
}

/// The status of node `i`.
pub fn node_status(i: usize, now: &str) -> Value {
    let resources = json!({
        "cpu": "8", "memory": "32Gi", "pods": "110", "ephemeral-storage": "100Gi",
    });
    let cond = |ty: &str, status: &str, reason: &str, message: &str| {
        json!({"type": ty, "status": status, "reason": reason, "message": message,
               "lastHeartbeatTime": now, "lastTransitionTime": now})
    };
    json!({
        "capacity": resources,
        "allocatable": resources,
        "conditions": [
            cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
            cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
            cond("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
        ],
        "addresses": [
            {"type": "InternalIP", "address": node_ip(i)},
            {"type": "Hostname", "address": format!("sim-node-{i}")},
        ],
        "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
        "nodeInfo": {
            "architecture": "amd64",
            "bootID": format!("kubesim-boot-{i}"),
            "containerRuntimeVersion": "containerd://1.7.0",
            "kernelVersion": "6.1.0",
            "kubeProxyVersion": "v1.33.0",
            "kubeletVersion": "v1.33.0",
            "machineID": format!("kubesim-machine-{i}"),
            "operatingSystem": "linux",
            "osImage": "kubesim",
            "systemUUID": format!("kubesim-{i}"),
        },
        "phase": "Running",
    })
}

/// Creates the configured nodes that do not exist yet and gives them a Ready status.
pub fn ensure_nodes(ctx: &Ctx) -> Result<(), ApiError> {
    let ts = now();
    for i in 0..ctx.config.nodes {
        let name = format!("sim-node-{i}");
        let existing = ctx.store.get(&ctx.res.nodes, "", &name);
        let obj = match existing {
            Ok(o) => o,
            Err(e) if e.code == 404 => ctx.create(&ctx.res.nodes, "", node_object(i))?,
            Err(e) => return Err(e),
        };
        if obj.pointer("/status/conditions").is_none() {
            ctx.store
                .update_status(&ctx.res.nodes, "", &name, node_status(i, &ts))?;
        }
    }
    Ok(())
}

/// The IP of a node by name (for pods' `hostIP`).
pub fn ip_of(node: &Value) -> Option<String> {
    node.pointer("/status/addresses")?
        .as_array()?
        .iter()
        .find(|a| a.get("type").and_then(Value::as_str) == Some("InternalIP"))?
        .get("address")?
        .as_str()
        .map(str::to_owned)
}
