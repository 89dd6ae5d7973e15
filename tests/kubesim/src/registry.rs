//! The resource registry: which group-versions and resources the simulator serves.
//!
//! Built-in resources mirror a Kubernetes 1.33 cluster; an opt-in legacy profile adds the pre-1.16
//! beta group-versions Helm v2 charts still use. CustomResourceDefinitions add and remove entries
//! at runtime. Several group-versions may serve one stored resource (`extensions/v1beta1`
//! deployments are stored with `apps` deployments), which is what [`ResourceInfo::storage_group`]
//! records.

use std::collections::BTreeMap;
use std::sync::Arc;

use parking_lot::RwLock;
use serde_json::Value;

/// The standard verbs of a fully writable resource.
pub const ALL_VERBS: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

/// One servable resource in one group-version.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceInfo {
    /// API group (`""` for core).
    pub group: String,
    /// Version served.
    pub version: String,
    /// Kind.
    pub kind: String,
    /// Plural (the URL segment).
    pub plural: String,
    /// Singular name.
    pub singular: String,
    /// Namespaced or cluster-scoped.
    pub namespaced: bool,
    /// Verbs.
    pub verbs: Vec<String>,
    /// Short names (`cm`, `deploy`).
    pub short_names: Vec<String>,
    /// Categories (`all`).
    pub categories: Vec<String>,
    /// Subresources (`status`, `scale`, `log`, ...).
    pub subresources: Vec<String>,
    /// Whether `metadata.generation` is tracked.
    pub tracks_generation: bool,
    /// Whether PUT without `resourceVersion` is allowed.
    pub unconditional_update: bool,
    /// Whether this is a custom resource (served from a CRD).
    pub custom: bool,
    /// Group the objects are stored under (differs from `group` for legacy aliases).
    pub storage_group: String,
    /// For CRs with a scale subresource: (specReplicasPath, statusReplicasPath, labelSelectorPath).
    pub scale_paths: Option<(String, String, Option<String>)>,
    /// Extra selectable fields (CRD `selectableFields` JSON paths like `.spec.color`).
    pub selectable_fields: Vec<String>,
    /// CRD `additionalPrinterColumns`: (name, type, JSON path) for Table output.
    pub printer_columns: Vec<(String, String, String)>,
}

impl ResourceInfo {
    /// `group/version`, or `version` for core.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// The storage key of this resource's objects.
    pub fn storage_key(&self) -> GroupResource {
        GroupResource {
            group: self.storage_group.clone(),
            resource: self.plural.clone(),
        }
    }

    /// Whether the resource has the named subresource.
    pub fn has_subresource(&self, sub: &str) -> bool {
        self.subresources.iter().any(|s| s == sub)
    }

    /// Whether the verb is supported.
    pub fn supports(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| v == verb)
    }
}

/// Storage identity of a resource: group plus plural.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupResource {
    /// Storage group.
    pub group: String,
    /// Plural resource.
    pub resource: String,
}

impl GroupResource {
    /// Builds a key.
    pub fn new(group: &str, resource: &str) -> Self {
        Self {
            group: group.to_owned(),
            resource: resource.to_owned(),
        }
    }
}

/// A group-version with its resources, in discovery order.
#[derive(Debug, Clone)]
pub struct GroupVersion {
    /// Group.
    pub group: String,
    /// Version.
    pub version: String,
    /// Resources.
    pub resources: Vec<Arc<ResourceInfo>>,
}

/// Row of the built-in table: group, version, kind, plural, namespaced, short names, flags.
struct Row {
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    plural: &'static str,
    namespaced: bool,
    short: &'static [&'static str],
    subs: &'static [&'static str],
    /// Flags: `a` category all, `g` generation, `c` create-only, `r` read-only (get/list),
    /// `p` PUT requires resourceVersion.
    flags: &'static str,
    storage_group: Option<&'static str>,
}

#[allow(clippy::too_many_arguments)]
const fn row(
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    plural: &'static str,
    namespaced: bool,
    short: &'static [&'static str],
    subs: &'static [&'static str],
    flags: &'static str,
) -> Row {
    Row {
        group,
        version,
        kind,
        plural,
        namespaced,
        short,
        subs,
        flags,
        storage_group: None,
    }
}

#[allow(clippy::too_many_arguments)]
const fn alias(
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    plural: &'static str,
    namespaced: bool,
    short: &'static [&'static str],
    subs: &'static [&'static str],
    flags: &'static str,
    storage: &'static str,
) -> Row {
    Row {
        group,
        version,
        kind,
        plural,
        namespaced,
        short,
        subs,
        flags,
        storage_group: Some(storage),
    }
}

const NS: bool = true;
const CL: bool = false;
const ST: &[&str] = &["status"];
const SS: &[&str] = &["scale", "status"];

/// Built-in resources of a 1.33 cluster, in discovery order (preferred versions first).
const BUILTIN: &[Row] = &[
    row("", "v1", "Binding", "bindings", NS, &[], &[], "c"),
    row(
        "",
        "v1",
        "ComponentStatus",
        "componentstatuses",
        CL,
        &["cs"],
        &[],
        "r",
    ),
    row("", "v1", "ConfigMap", "configmaps", NS, &["cm"], &[], ""),
    row("", "v1", "Endpoints", "endpoints", NS, &["ep"], &[], ""),
    row("", "v1", "Event", "events", NS, &["ev"], &[], ""),
    row(
        "",
        "v1",
        "LimitRange",
        "limitranges",
        NS,
        &["limits"],
        &[],
        "",
    ),
    row(
        "",
        "v1",
        "Namespace",
        "namespaces",
        CL,
        &["ns"],
        &["finalize", "status"],
        "",
    ),
    row(
        "",
        "v1",
        "Node",
        "nodes",
        CL,
        &["no"],
        &["proxy", "status"],
        "",
    ),
    row(
        "",
        "v1",
        "PersistentVolumeClaim",
        "persistentvolumeclaims",
        NS,
        &["pvc"],
        ST,
        "",
    ),
    row(
        "",
        "v1",
        "PersistentVolume",
        "persistentvolumes",
        CL,
        &["pv"],
        ST,
        "",
    ),
    row(
        "",
        "v1",
        "Pod",
        "pods",
        NS,
        &["po"],
        &[
            "attach",
            "binding",
            "ephemeralcontainers",
            "eviction",
            "exec",
            "log",
            "portforward",
            "proxy",
            "resize",
            "status",
        ],
        "ag",
    ),
    row("", "v1", "PodTemplate", "podtemplates", NS, &[], &[], ""),
    row(
        "",
        "v1",
        "ReplicationController",
        "replicationcontrollers",
        NS,
        &["rc"],
        SS,
        "ag",
    ),
    row(
        "",
        "v1",
        "ResourceQuota",
        "resourcequotas",
        NS,
        &["quota"],
        ST,
        "",
    ),
    row("", "v1", "Secret", "secrets", NS, &[], &[], ""),
    row(
        "",
        "v1",
        "ServiceAccount",
        "serviceaccounts",
        NS,
        &["sa"],
        &["token"],
        "",
    ),
    row(
        "",
        "v1",
        "Service",
        "services",
        NS,
        &["svc"],
        &["proxy", "status"],
        "a",
    ),
    row(
        "apiregistration.k8s.io",
        "v1",
        "APIService",
        "apiservices",
        CL,
        &[],
        ST,
        "",
    ),
    row(
        "apps",
        "v1",
        "ControllerRevision",
        "controllerrevisions",
        NS,
        &[],
        &[],
        "",
    ),
    row(
        "apps",
        "v1",
        "DaemonSet",
        "daemonsets",
        NS,
        &["ds"],
        ST,
        "ag",
    ),
    row(
        "apps",
        "v1",
        "Deployment",
        "deployments",
        NS,
        &["deploy"],
        SS,
        "ag",
    ),
    row(
        "apps",
        "v1",
        "ReplicaSet",
        "replicasets",
        NS,
        &["rs"],
        SS,
        "ag",
    ),
    row(
        "apps",
        "v1",
        "StatefulSet",
        "statefulsets",
        NS,
        &["sts"],
        SS,
        "ag",
    ),
    row(
        "events.k8s.io",
        "v1",
        "Event",
        "events",
        NS,
        &["ev"],
        &[],
        "",
    ),
    row(
        "authentication.k8s.io",
        "v1",
        "SelfSubjectReview",
        "selfsubjectreviews",
        CL,
        &[],
        &[],
        "c",
    ),
    row(
        "authentication.k8s.io",
        "v1",
        "TokenReview",
        "tokenreviews",
        CL,
        &[],
        &[],
        "c",
    ),
    row(
        "authorization.k8s.io",
        "v1",
        "LocalSubjectAccessReview",
        "localsubjectaccessreviews",
        NS,
        &[],
        &[],
        "c",
    ),
    row(
        "authorization.k8s.io",
        "v1",
        "SelfSubjectAccessReview",
        "selfsubjectaccessreviews",
        CL,
        &[],
        &[],
        "c",
    ),
    row(
        "authorization.k8s.io",
        "v1",
        "SelfSubjectRulesReview",
        "selfsubjectrulesreviews",
        CL,
        &[],
        &[],
        "c",
    ),
    row(
        "authorization.k8s.io",
        "v1",
        "SubjectAccessReview",
        "subjectaccessreviews",
        CL,
        &[],
        &[],
        "c",
    ),
    row(
        "autoscaling",
        "v2",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        NS,
        &["hpa"],
        ST,
        "a",
    ),
    row(
        "autoscaling",
        "v1",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        NS,
        &["hpa"],
        ST,
        "a",
    ),
    row("batch", "v1", "CronJob", "cronjobs", NS, &["cj"], ST, "ag"),
    row("batch", "v1", "Job", "jobs", NS, &[], ST, "ag"),
    row(
        "certificates.k8s.io",
        "v1",
        "CertificateSigningRequest",
        "certificatesigningrequests",
        CL,
        &["csr"],
        &["approval", "status"],
        "",
    ),
    row(
        "networking.k8s.io",
        "v1",
        "IngressClass",
        "ingressclasses",
        CL,
        &[],
        &[],
        "",
    ),
    row(
        "networking.k8s.io",
        "v1",
        "Ingress",
        "ingresses",
        NS,
        &["ing"],
        ST,
        "g",
    ),
    row(
        "networking.k8s.io",
        "v1",
        "IPAddress",
        "ipaddresses",
        CL,
        &["ip"],
        &[],
        "",
    ),
    row(
        "networking.k8s.io",
        "v1",
        "NetworkPolicy",
        "networkpolicies",
        NS,
        &["netpol"],
        &[],
        "g",
    ),
    row(
        "networking.k8s.io",
        "v1",
        "ServiceCIDR",
        "servicecidrs",
        CL,
        &[],
        ST,
        "",
    ),
    row(
        "policy",
        "v1",
        "PodDisruptionBudget",
        "poddisruptionbudgets",
        NS,
        &["pdb"],
        ST,
        "g",
    ),
    row(
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRoleBinding",
        "clusterrolebindings",
        CL,
        &[],
        &[],
        "",
    ),
    row(
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRole",
        "clusterroles",
        CL,
        &[],
        &[],
        "",
    ),
    row(
        "rbac.authorization.k8s.io",
        "v1",
        "RoleBinding",
        "rolebindings",
        NS,
        &[],
        &[],
        "",
    ),
    row(
        "rbac.authorization.k8s.io",
        "v1",
        "Role",
        "roles",
        NS,
        &[],
        &[],
        "",
    ),
    row(
        "storage.k8s.io",
        "v1",
        "CSIDriver",
        "csidrivers",
        CL,
        &[],
        &[],
        "",
    ),
    row(
        "storage.k8s.io",
        "v1",
        "CSINode",
        "csinodes",
        CL,
        &[],
        &[],
        "",
    ),
    row(
        "storage.k8s.io",
        "v1",
        "CSIStorageCapacity",
        "csistoragecapacities",
        NS,
        &[],
        &[],
        "",
    ),
    row(
        "storage.k8s.io",
        "v1",
        "StorageClass",
        "storageclasses",
        CL,
        &["sc"],
        &[],
        "",
    ),
    row(
        "storage.k8s.io",
        "v1",
        "VolumeAttachment",
        "volumeattachments",
        CL,
        &[],
        ST,
        "",
    ),
    row(
        "admissionregistration.k8s.io",
        "v1",
        "MutatingWebhookConfiguration",
        "mutatingwebhookconfigurations",
        CL,
        &[],
        &[],
        "g",
    ),
    row(
        "admissionregistration.k8s.io",
        "v1",
        "ValidatingAdmissionPolicy",
        "validatingadmissionpolicies",
        CL,
        &[],
        ST,
        "g",
    ),
    row(
        "admissionregistration.k8s.io",
        "v1",
        "ValidatingAdmissionPolicyBinding",
        "validatingadmissionpolicybindings",
        CL,
        &[],
        &[],
        "g",
    ),
    row(
        "admissionregistration.k8s.io",
        "v1",
        "ValidatingWebhookConfiguration",
        "validatingwebhookconfigurations",
        CL,
        &[],
        &[],
        "g",
    ),
    row(
        "apiextensions.k8s.io",
        "v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        CL,
        &["crd", "crds"],
        ST,
        "g",
    ),
    row(
        "scheduling.k8s.io",
        "v1",
        "PriorityClass",
        "priorityclasses",
        CL,
        &["pc"],
        &[],
        "",
    ),
    row(
        "coordination.k8s.io",
        "v1",
        "Lease",
        "leases",
        NS,
        &[],
        &[],
        "p",
    ),
    row(
        "node.k8s.io",
        "v1",
        "RuntimeClass",
        "runtimeclasses",
        CL,
        &[],
        &[],
        "",
    ),
    row(
        "discovery.k8s.io",
        "v1",
        "EndpointSlice",
        "endpointslices",
        NS,
        &[],
        &[],
        "",
    ),
    row(
        "flowcontrol.apiserver.k8s.io",
        "v1",
        "FlowSchema",
        "flowschemas",
        CL,
        &[],
        ST,
        "g",
    ),
    row(
        "flowcontrol.apiserver.k8s.io",
        "v1",
        "PriorityLevelConfiguration",
        "prioritylevelconfigurations",
        CL,
        &[],
        ST,
        "g",
    ),
];

/// Pre-1.16 beta group-versions served with `legacy_apis(true)`.
const LEGACY: &[Row] = &[
    alias(
        "extensions",
        "v1beta1",
        "DaemonSet",
        "daemonsets",
        NS,
        &["ds"],
        ST,
        "ag",
        "apps",
    ),
    alias(
        "extensions",
        "v1beta1",
        "Deployment",
        "deployments",
        NS,
        &["deploy"],
        SS,
        "ag",
        "apps",
    ),
    alias(
        "extensions",
        "v1beta1",
        "Ingress",
        "ingresses",
        NS,
        &["ing"],
        ST,
        "g",
        "networking.k8s.io",
    ),
    alias(
        "extensions",
        "v1beta1",
        "NetworkPolicy",
        "networkpolicies",
        NS,
        &["netpol"],
        &[],
        "g",
        "networking.k8s.io",
    ),
    alias(
        "extensions",
        "v1beta1",
        "PodSecurityPolicy",
        "podsecuritypolicies",
        CL,
        &["psp"],
        &[],
        "",
        "policy",
    ),
    alias(
        "extensions",
        "v1beta1",
        "ReplicaSet",
        "replicasets",
        NS,
        &["rs"],
        SS,
        "ag",
        "apps",
    ),
    row(
        "apps",
        "v1beta2",
        "ControllerRevision",
        "controllerrevisions",
        NS,
        &[],
        &[],
        "",
    ),
    row(
        "apps",
        "v1beta2",
        "DaemonSet",
        "daemonsets",
        NS,
        &["ds"],
        ST,
        "ag",
    ),
    row(
        "apps",
        "v1beta2",
        "Deployment",
        "deployments",
        NS,
        &["deploy"],
        SS,
        "ag",
    ),
    row(
        "apps",
        "v1beta2",
        "ReplicaSet",
        "replicasets",
        NS,
        &["rs"],
        SS,
        "ag",
    ),
    row(
        "apps",
        "v1beta2",
        "StatefulSet",
        "statefulsets",
        NS,
        &["sts"],
        SS,
        "ag",
    ),
    row(
        "apps",
        "v1beta1",
        "ControllerRevision",
        "controllerrevisions",
        NS,
        &[],
        &[],
        "",
    ),
    row(
        "apps",
        "v1beta1",
        "Deployment",
        "deployments",
        NS,
        &["deploy"],
        SS,
        "ag",
    ),
    row(
        "apps",
        "v1beta1",
        "StatefulSet",
        "statefulsets",
        NS,
        &["sts"],
        SS,
        "ag",
    ),
    row(
        "rbac.authorization.k8s.io",
        "v1beta1",
        "ClusterRoleBinding",
        "clusterrolebindings",
        CL,
        &[],
        &[],
        "",
    ),
    row(
        "rbac.authorization.k8s.io",
        "v1beta1",
        "ClusterRole",
        "clusterroles",
        CL,
        &[],
        &[],
        "",
    ),
    row(
        "rbac.authorization.k8s.io",
        "v1beta1",
        "RoleBinding",
        "rolebindings",
        NS,
        &[],
        &[],
        "",
    ),
    row(
        "rbac.authorization.k8s.io",
        "v1beta1",
        "Role",
        "roles",
        NS,
        &[],
        &[],
        "",
    ),
    row(
        "policy",
        "v1beta1",
        "PodDisruptionBudget",
        "poddisruptionbudgets",
        NS,
        &["pdb"],
        ST,
        "g",
    ),
    row(
        "policy",
        "v1beta1",
        "PodSecurityPolicy",
        "podsecuritypolicies",
        CL,
        &["psp"],
        &[],
        "",
    ),
    row(
        "batch",
        "v1beta1",
        "CronJob",
        "cronjobs",
        NS,
        &["cj"],
        ST,
        "ag",
    ),
    row(
        "networking.k8s.io",
        "v1beta1",
        "IngressClass",
        "ingressclasses",
        CL,
        &[],
        &[],
        "",
    ),
    row(
        "networking.k8s.io",
        "v1beta1",
        "Ingress",
        "ingresses",
        NS,
        &["ing"],
        ST,
        "g",
    ),
    row(
        "autoscaling",
        "v2beta2",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        NS,
        &["hpa"],
        ST,
        "a",
    ),
    row(
        "autoscaling",
        "v2beta1",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        NS,
        &["hpa"],
        ST,
        "a",
    ),
    row(
        "apiextensions.k8s.io",
        "v1beta1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        CL,
        &["crd", "crds"],
        ST,
        "g",
    ),
    row(
        "admissionregistration.k8s.io",
        "v1beta1",
        "MutatingWebhookConfiguration",
        "mutatingwebhookconfigurations",
        CL,
        &[],
        &[],
        "g",
    ),
    row(
        "admissionregistration.k8s.io",
        "v1beta1",
        "ValidatingWebhookConfiguration",
        "validatingwebhookconfigurations",
        CL,
        &[],
        &[],
        "g",
    ),
    row(
        "scheduling.k8s.io",
        "v1beta1",
        "PriorityClass",
        "priorityclasses",
        CL,
        &["pc"],
        &[],
        "",
    ),
    row(
        "storage.k8s.io",
        "v1beta1",
        "CSIDriver",
        "csidrivers",
        CL,
        &[],
        &[],
        "",
    ),
    row(
        "storage.k8s.io",
        "v1beta1",
        "CSINode",
        "csinodes",
        CL,
        &[],
        &[],
        "",
    ),
    row(
        "storage.k8s.io",
        "v1beta1",
        "StorageClass",
        "storageclasses",
        CL,
        &["sc"],
        &[],
        "",
    ),
    row(
        "storage.k8s.io",
        "v1beta1",
        "VolumeAttachment",
        "volumeattachments",
        CL,
        &[],
        ST,
        "",
    ),
];

/// Lower-cases a kind into the singular resource name.
fn singular_of(kind: &str) -> String {
    kind.to_ascii_lowercase()
}

fn info_from_row(r: &Row) -> ResourceInfo {
    let verbs: Vec<String> = if r.flags.contains('c') {
        vec!["create".to_owned()]
    } else if r.flags.contains('r') {
        vec!["get".to_owned(), "list".to_owned()]
    } else {
        ALL_VERBS.iter().map(|v| (*v).to_owned()).collect()
    };
    ResourceInfo {
        group: r.group.to_owned(),
        version: r.version.to_owned(),
        kind: r.kind.to_owned(),
        plural: r.plural.to_owned(),
        singular: singular_of(r.kind),
        namespaced: r.namespaced,
        verbs,
        short_names: r.short.iter().map(|s| (*s).to_owned()).collect(),
        categories: if r.flags.contains('a') {
            vec!["all".to_owned()]
        } else {
            Vec::new()
        },
        subresources: r.subs.iter().map(|s| (*s).to_owned()).collect(),
        tracks_generation: r.flags.contains('g'),
        unconditional_update: !r.flags.contains('p'),
        custom: false,
        storage_group: r.storage_group.unwrap_or(r.group).to_owned(),
        scale_paths: None,
        selectable_fields: Vec::new(),
        printer_columns: Vec::new(),
    }
}

/// A CRD that could not be turned into served resources.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid custom resource definition: {0}")]
pub struct CrdError(pub String);

/// Resources derived from a CRD object (one per served version), in version order.
pub fn resources_from_crd(crd: &Value) -> Result<Vec<ResourceInfo>, CrdError> {
    let spec = crd
        .get("spec")
        .and_then(Value::as_object)
        .ok_or_else(|| CrdError("spec is required".to_owned()))?;
    let group = spec
        .get("group")
        .and_then(Value::as_str)
        .filter(|g| !g.is_empty())
        .ok_or_else(|| CrdError("spec.group is required".to_owned()))?;
    let names = spec
        .get("names")
        .and_then(Value::as_object)
        .ok_or_else(|| CrdError("spec.names is required".to_owned()))?;
    let plural = names
        .get("plural")
        .and_then(Value::as_str)
        .filter(|p| !p.is_empty())
        .ok_or_else(|| CrdError("spec.names.plural is required".to_owned()))?;
    let kind = names
        .get("kind")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty())
        .ok_or_else(|| CrdError("spec.names.kind is required".to_owned()))?;
    let singular = names
        .get("singular")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map_or_else(|| kind.to_ascii_lowercase(), str::to_owned);
    let strings = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let short_names = strings(names.get("shortNames"));
    let categories = strings(names.get("categories"));
    let namespaced = match spec.get("scope").and_then(Value::as_str) {
        Some("Namespaced") => true,
        Some("Cluster") => false,
        other => {
            return Err(CrdError(format!(
                "spec.scope must be Namespaced or Cluster, got {other:?}"
            )));
        }
    };
    // v1beta1 CRDs carry subresources and selectable fields at the top level; v1 per version.
    let top_subresources = spec.get("subresources");
    // (name, subresources, selectableFields, additionalPrinterColumns) per served version.
    type VersionParts<'a> = (
        String,
        Option<&'a Value>,
        Option<&'a Value>,
        Option<&'a Value>,
    );
    let mut versions: Vec<VersionParts<'_>> = Vec::new();
    if let Some(vs) = spec.get("versions").and_then(Value::as_array) {
        for v in vs {
            let name = v
                .get("name")
                .and_then(Value::as_str)
                .filter(|n| !n.is_empty())
                .ok_or_else(|| CrdError("spec.versions[].name is required".to_owned()))?;
            if v.get("served").and_then(Value::as_bool) == Some(false) {
                continue;
            }
            versions.push((
                name.to_owned(),
                v.get("subresources").or(top_subresources),
                v.get("selectableFields").or(spec.get("selectableFields")),
                v.get("additionalPrinterColumns")
                    .or(spec.get("additionalPrinterColumns")),
            ));
        }
    } else if let Some(v) = spec.get("version").and_then(Value::as_str) {
        versions.push((
            v.to_owned(),
            top_subresources,
            spec.get("selectableFields"),
            spec.get("additionalPrinterColumns"),
        ));
    }
    if versions.is_empty() {
        return Err(CrdError(
            "spec.versions must name a served version".to_owned(),
        ));
    }
    let mut out = Vec::new();
    for (version, subs, selectable, printer) in versions {
        let printer_columns = printer
            .and_then(Value::as_array)
            .map(|cols| {
                cols.iter()
                    .filter_map(|c| {
                        let name = c.get("name").and_then(Value::as_str)?;
                        // v1beta1 spells the path `JSONPath`, v1 `jsonPath`.
                        let path = c
                            .get("jsonPath")
                            .or(c.get("JSONPath"))
                            .and_then(Value::as_str)?;
                        let ty = c.get("type").and_then(Value::as_str).unwrap_or("string");
                        Some((name.to_owned(), ty.to_owned(), path.to_owned()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut subresources = Vec::new();
        let mut scale_paths = None;
        if let Some(s) = subs.and_then(Value::as_object) {
            if s.contains_key("status") {
                subresources.push("status".to_owned());
            }
            if let Some(sc) = s.get("scale") {
                subresources.push("scale".to_owned());
                let spec_path = sc
                    .get("specReplicasPath")
                    .and_then(Value::as_str)
                    .unwrap_or(".spec.replicas")
                    .to_owned();
                let status_path = sc
                    .get("statusReplicasPath")
                    .and_then(Value::as_str)
                    .unwrap_or(".status.replicas")
                    .to_owned();
                let sel = sc
                    .get("labelSelectorPath")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                scale_paths = Some((spec_path, status_path, sel));
            }
        }
        subresources.sort();
        let selectable_fields = selectable
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|f| f.get("jsonPath").and_then(Value::as_str))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        out.push(ResourceInfo {
            group: group.to_owned(),
            version,
            kind: kind.to_owned(),
            plural: plural.to_owned(),
            singular: singular.clone(),
            namespaced,
            verbs: ALL_VERBS.iter().map(|v| (*v).to_owned()).collect(),
            short_names: short_names.clone(),
            categories: categories.clone(),
            subresources,
            tracks_generation: true,
            unconditional_update: false,
            custom: true,
            storage_group: group.to_owned(),
            scale_paths,
            selectable_fields,
            printer_columns,
        });
    }
    Ok(out)
}

#[derive(Debug, Default)]
struct Inner {
    builtin: Vec<Arc<ResourceInfo>>,
    /// CRD name → its resources.
    crds: BTreeMap<String, Vec<Arc<ResourceInfo>>>,
    /// Bumped on every change, so caches (OpenAPI hashes) can notice.
    generation: u64,
}

/// The set of served resources; cheap to clone, shared by the store and the HTTP layer.
#[derive(Debug, Clone)]
pub struct Registry {
    inner: Arc<RwLock<Inner>>,
}

impl Registry {
    /// The built-in resources, plus the legacy beta group-versions when `legacy` is set.
    pub fn new(legacy: bool) -> Self {
        let mut builtin: Vec<Arc<ResourceInfo>> =
            BUILTIN.iter().map(|r| Arc::new(info_from_row(r))).collect();
        if legacy {
            builtin.extend(LEGACY.iter().map(|r| Arc::new(info_from_row(r))));
        }
        Self {
            inner: Arc::new(RwLock::new(Inner {
                builtin,
                crds: BTreeMap::new(),
                generation: 0,
            })),
        }
    }

    /// A counter that changes whenever CRDs add or remove resources.
    pub fn generation(&self) -> u64 {
        self.inner.read().generation
    }

    /// Every served resource (built-ins first, then CRDs by name).
    pub fn all(&self) -> Vec<Arc<ResourceInfo>> {
        let g = self.inner.read();
        let mut v = g.builtin.clone();
        for rs in g.crds.values() {
            v.extend(rs.iter().cloned());
        }
        v
    }

    /// Looks up a resource by group, version and plural.
    pub fn lookup(&self, group: &str, version: &str, plural: &str) -> Option<Arc<ResourceInfo>> {
        let g = self.inner.read();
        g.builtin
            .iter()
            .chain(g.crds.values().flatten())
            .find(|r| r.group == group && r.version == version && r.plural == plural)
            .cloned()
    }

    /// Looks up a resource by `apiVersion` and kind.
    pub fn lookup_kind(&self, api_version: &str, kind: &str) -> Option<Arc<ResourceInfo>> {
        let (group, version) = split_api_version(api_version);
        let g = self.inner.read();
        g.builtin
            .iter()
            .chain(g.crds.values().flatten())
            .find(|r| r.group == group && r.version == version && r.kind == kind)
            .cloned()
    }

    /// Any served resource with this storage key (the preferred version first).
    pub fn lookup_storage(&self, key: &GroupResource) -> Option<Arc<ResourceInfo>> {
        let g = self.inner.read();
        g.builtin
            .iter()
            .chain(g.crds.values().flatten())
            .find(|r| r.group == key.group && r.plural == key.resource)
            .or_else(|| {
                g.builtin
                    .iter()
                    .find(|r| r.storage_group == key.group && r.plural == key.resource)
            })
            .cloned()
    }

    /// Group-versions in discovery order: each group's versions with the preferred one first.
    pub fn group_versions(&self) -> Vec<GroupVersion> {
        let all = self.all();
        let mut out: Vec<GroupVersion> = Vec::new();
        for r in all {
            if let Some(gv) = out
                .iter_mut()
                .find(|gv| gv.group == r.group && gv.version == r.version)
            {
                gv.resources.push(r);
            } else {
                out.push(GroupVersion {
                    group: r.group.clone(),
                    version: r.version.clone(),
                    resources: vec![r],
                });
            }
        }
        // Keep groups together in first-seen order, versions by Kubernetes priority.
        let mut groups: Vec<String> = Vec::new();
        for gv in &out {
            if !groups.contains(&gv.group) {
                groups.push(gv.group.clone());
            }
        }
        let mut sorted = Vec::new();
        for g in groups {
            let mut these: Vec<GroupVersion> =
                out.iter().filter(|gv| gv.group == g).cloned().collect();
            these.sort_by_key(|gv| std::cmp::Reverse(version_priority(&gv.version)));
            sorted.extend(these);
        }
        sorted
    }

    /// Registers (or replaces) the resources of a CRD.
    pub fn set_crd(&self, crd_name: &str, resources: Vec<ResourceInfo>) {
        let mut g = self.inner.write();
        g.crds.insert(
            crd_name.to_owned(),
            resources.into_iter().map(Arc::new).collect(),
        );
        g.generation += 1;
    }

    /// Removes the resources of a CRD.
    pub fn remove_crd(&self, crd_name: &str) {
        let mut g = self.inner.write();
        if g.crds.remove(crd_name).is_some() {
            g.generation += 1;
        }
    }

    /// Whether a CRD's resources are registered.
    pub fn has_crd(&self, crd_name: &str) -> bool {
        self.inner.read().crds.contains_key(crd_name)
    }
}

/// Splits `group/version` (or `version` for core).
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.split_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    }
}

/// Kubernetes version priority: GA > beta > alpha, higher numbers first; others last.
pub fn version_priority(v: &str) -> (u8, u32, u32) {
    let Some(rest) = v.strip_prefix('v') else {
        return (0, 0, 0);
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let Ok(major) = digits.parse::<u32>() else {
        return (0, 0, 0);
    };
    let tail = &rest[digits.len()..];
    if tail.is_empty() {
        return (3, major, 0);
    }
    let (level, num) = if let Some(n) = tail.strip_prefix("beta") {
        (2, n)
    } else if let Some(n) = tail.strip_prefix("alpha") {
        (1, n)
    } else {
        return (0, 0, 0);
    };
    match num.parse::<u32>() {
        Ok(n) => (level, major, n),
        Err(_) => (0, 0, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn builtin_lookup_and_flags() {
        let r = Registry::new(false);
        let cm = r.lookup("", "v1", "configmaps").expect("configmaps");
        assert_eq!(cm.kind, "ConfigMap");
        assert!(cm.namespaced && cm.unconditional_update && !cm.tracks_generation);
        let lease = r
            .lookup_kind("coordination.k8s.io/v1", "Lease")
            .expect("lease");
        assert!(!lease.unconditional_update);
        let d = r.lookup("apps", "v1", "deployments").expect("deployments");
        assert!(d.tracks_generation && d.has_subresource("scale"));
        assert_eq!(d.categories, vec!["all"]);
        assert!(r.lookup("extensions", "v1beta1", "deployments").is_none());
    }

    #[test]
    fn legacy_profile_aliases_storage() {
        let r = Registry::new(true);
        let d = r
            .lookup("extensions", "v1beta1", "deployments")
            .expect("legacy deployments");
        assert_eq!(d.storage_key(), GroupResource::new("apps", "deployments"));
        let gvs = r.group_versions();
        let apps: Vec<&str> = gvs
            .iter()
            .filter(|g| g.group == "apps")
            .map(|g| g.version.as_str())
            .collect();
        assert_eq!(apps, vec!["v1", "v1beta2", "v1beta1"]);
    }

    #[test]
    fn crd_registration_round_trip() {
        let r = Registry::new(false);
        let crd = json!({"spec": {"group": "example.com", "scope": "Namespaced",
            "names": {"plural": "foos", "kind": "Foo", "shortNames": ["fo"]},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.n", "statusReplicasPath": ".status.n"}}}]}});
        let res = resources_from_crd(&crd).expect("valid crd");
        assert_eq!(res[0].singular, "foo");
        assert_eq!(res[0].subresources, vec!["scale", "status"]);
        r.set_crd("foos.example.com", res);
        assert!(r.lookup("example.com", "v1", "foos").is_some());
        r.remove_crd("foos.example.com");
        assert!(r.lookup("example.com", "v1", "foos").is_none());
    }

    #[test]
    fn crd_errors_are_reported() {
        let err = resources_from_crd(&json!({"spec": {"group": "x.io"}})).expect_err("no names");
        assert!(err.to_string().contains("spec.names"));
    }

    #[test]
    fn version_ordering() {
        assert!(version_priority("v1") > version_priority("v1beta2"));
        assert!(version_priority("v2beta1") > version_priority("v1beta2"));
        assert!(version_priority("v1beta1") > version_priority("v1alpha1"));
        assert!(version_priority("v1alpha1") > version_priority("foo"));
    }
}
