//! Decoding of Kubernetes protobuf request bodies into JSON.
//!
//! client-go's generated clientsets send built-in objects as `application/vnd.kubernetes.protobuf`
//! (kubectl `create configmap`, `create namespace`, `create token`, `auth can-i`; Helm's release
//! storage Secrets), and never fall back to JSON on a 415. The simulator therefore decodes the
//! kinds those clients write with a small schema-driven reader of the protobuf wire format; field
//! numbers follow the upstream `generated.proto` definitions. Other kinds get a clear 415.
//! Responses are always JSON (client-go decodes by the response Content-Type).

use base64::Engine as _;
use serde_json::{Map, Value, json};

use crate::error::ApiError;

/// The 4-byte prefix of every Kubernetes protobuf payload.
const MAGIC: &[u8] = b"k8s\x00";

#[derive(Debug, Clone, Copy)]
enum Kind {
    Str,
    Bytes,
    /// A plain Go bool (`omitempty`: false is left out).
    Bool,
    /// A Go `*bool`: present means set, false included.
    PtrBool,
    /// A plain Go integer (`omitempty`: zero is left out).
    Int,
    /// A Go `*int32`/`*int64`: present means set, zero included.
    PtrInt,
    Time,
    MicroTime,
    Msg(&'static [F]),
    RepStr,
    RepMsg(&'static [F]),
    MapStr,
    MapBytes,
    /// `map<string, ExtraValue>` whose JSON form is `{key: [strings]}`.
    MapExtra,
    /// FieldsV1: raw JSON bytes inside a message.
    FieldsV1,
    /// `IntOrString`: `{type, intVal, strVal}` → a JSON number or string.
    IntOrStr,
    /// `map<string, Quantity>`: `{key: "quantity"}`.
    MapQuantity,
    /// A message the server ignores on writes (status); decoded for validity, then dropped.
    Skip,
}

/// One field of a message schema: number, JSON name, kind.
#[derive(Debug, Clone, Copy)]
struct F(u64, &'static str, Kind);

const OWNER_REF: &[F] = &[
    F(5, "apiVersion", Kind::Str),
    F(1, "kind", Kind::Str),
    F(3, "name", Kind::Str),
    F(4, "uid", Kind::Str),
    F(6, "controller", Kind::PtrBool),
    F(7, "blockOwnerDeletion", Kind::PtrBool),
];
const MANAGED_FIELDS: &[F] = &[
    F(1, "manager", Kind::Str),
    F(2, "operation", Kind::Str),
    F(3, "apiVersion", Kind::Str),
    F(4, "time", Kind::Time),
    F(6, "fieldsType", Kind::Str),
    F(7, "fieldsV1", Kind::FieldsV1),
    F(8, "subresource", Kind::Str),
];
const OBJECT_META: &[F] = &[
    F(1, "name", Kind::Str),
    F(2, "generateName", Kind::Str),
    F(3, "namespace", Kind::Str),
    F(4, "selfLink", Kind::Str),
    F(5, "uid", Kind::Str),
    F(6, "resourceVersion", Kind::Str),
    F(7, "generation", Kind::Int),
    F(8, "creationTimestamp", Kind::Time),
    F(9, "deletionTimestamp", Kind::Time),
    F(10, "deletionGracePeriodSeconds", Kind::PtrInt),
    F(11, "labels", Kind::MapStr),
    F(12, "annotations", Kind::MapStr),
    F(13, "ownerReferences", Kind::RepMsg(OWNER_REF)),
    F(14, "finalizers", Kind::RepStr),
    F(17, "managedFields", Kind::RepMsg(MANAGED_FIELDS)),
];
const META: F = F(1, "metadata", Kind::Msg(OBJECT_META));
const OBJECT_REF: &[F] = &[
    F(1, "kind", Kind::Str),
    F(2, "namespace", Kind::Str),
    F(3, "name", Kind::Str),
    F(4, "uid", Kind::Str),
    F(5, "apiVersion", Kind::Str),
    F(6, "resourceVersion", Kind::Str),
    F(7, "fieldPath", Kind::Str),
];
const LOCAL_REF: &[F] = &[F(1, "name", Kind::Str)];
const CONFIG_MAP: &[F] = &[
    META,
    F(2, "data", Kind::MapStr),
    F(3, "binaryData", Kind::MapBytes),
    F(4, "immutable", Kind::PtrBool),
];
const SECRET: &[F] = &[
    META,
    F(2, "data", Kind::MapBytes),
    F(3, "type", Kind::Str),
    F(4, "stringData", Kind::MapStr),
    F(5, "immutable", Kind::PtrBool),
];
const NS_CONDITION: &[F] = &[
    F(1, "type", Kind::Str),
    F(2, "status", Kind::Str),
    F(4, "lastTransitionTime", Kind::Time),
    F(5, "reason", Kind::Str),
    F(6, "message", Kind::Str),
];
const NAMESPACE: &[F] = &[
    META,
    F(2, "spec", Kind::Msg(&[F(1, "finalizers", Kind::RepStr)])),
    F(
        3,
        "status",
        Kind::Msg(&[
            F(1, "phase", Kind::Str),
            F(2, "conditions", Kind::RepMsg(NS_CONDITION)),
        ]),
    ),
];
const SERVICE_ACCOUNT: &[F] = &[
    META,
    F(2, "secrets", Kind::RepMsg(OBJECT_REF)),
    F(3, "imagePullSecrets", Kind::RepMsg(LOCAL_REF)),
    F(4, "automountServiceAccountToken", Kind::PtrBool),
];
const EVENT: &[F] = &[
    META,
    F(2, "involvedObject", Kind::Msg(OBJECT_REF)),
    F(3, "reason", Kind::Str),
    F(4, "message", Kind::Str),
    F(
        5,
        "source",
        Kind::Msg(&[F(1, "component", Kind::Str), F(2, "host", Kind::Str)]),
    ),
    F(6, "firstTimestamp", Kind::Time),
    F(7, "lastTimestamp", Kind::Time),
    F(8, "count", Kind::Int),
    F(9, "type", Kind::Str),
    F(10, "eventTime", Kind::MicroTime),
    F(
        11,
        "series",
        Kind::Msg(&[
            F(1, "count", Kind::Int),
            F(2, "lastObservedTime", Kind::MicroTime),
        ]),
    ),
    F(12, "action", Kind::Str),
    F(13, "related", Kind::Msg(OBJECT_REF)),
    F(14, "reportingComponent", Kind::Str),
    F(15, "reportingInstance", Kind::Str),
];
const BINDING: &[F] = &[META, F(2, "target", Kind::Msg(OBJECT_REF))];
const LEASE: &[F] = &[
    META,
    F(
        2,
        "spec",
        Kind::Msg(&[
            F(1, "holderIdentity", Kind::Str),
            F(2, "leaseDurationSeconds", Kind::PtrInt),
            F(3, "acquireTime", Kind::MicroTime),
            F(4, "renewTime", Kind::MicroTime),
            F(5, "leaseTransitions", Kind::PtrInt),
            F(6, "strategy", Kind::Str),
            F(7, "preferredHolder", Kind::Str),
        ]),
    ),
];
const TOKEN_REQUEST: &[F] = &[
    META,
    F(3, "status", Kind::Skip),
    F(
        2,
        "spec",
        Kind::Msg(&[
            F(1, "audiences", Kind::RepStr),
            F(4, "expirationSeconds", Kind::PtrInt),
            F(
                3,
                "boundObjectRef",
                Kind::Msg(&[
                    F(1, "kind", Kind::Str),
                    F(2, "apiVersion", Kind::Str),
                    F(3, "name", Kind::Str),
                    F(4, "uid", Kind::Str),
                ]),
            ),
        ]),
    ),
];
const TOKEN_REVIEW: &[F] = &[
    META,
    F(3, "status", Kind::Skip),
    F(
        2,
        "spec",
        Kind::Msg(&[F(1, "token", Kind::Str), F(2, "audiences", Kind::RepStr)]),
    ),
];
const SELF_SUBJECT_REVIEW: &[F] = &[META, F(2, "status", Kind::Skip)];
const SELECTOR_REQ: &[F] = &[
    F(1, "key", Kind::Str),
    F(2, "operator", Kind::Str),
    F(3, "values", Kind::RepStr),
];
const RESOURCE_ATTRS: &[F] = &[
    F(1, "namespace", Kind::Str),
    F(2, "verb", Kind::Str),
    F(3, "group", Kind::Str),
    F(4, "version", Kind::Str),
    F(5, "resource", Kind::Str),
    F(6, "subresource", Kind::Str),
    F(7, "name", Kind::Str),
    F(
        8,
        "fieldSelector",
        Kind::Msg(&[
            F(1, "rawSelector", Kind::Str),
            F(2, "requirements", Kind::RepMsg(SELECTOR_REQ)),
        ]),
    ),
    F(
        9,
        "labelSelector",
        Kind::Msg(&[
            F(1, "rawSelector", Kind::Str),
            F(2, "requirements", Kind::RepMsg(SELECTOR_REQ)),
        ]),
    ),
];
const NON_RESOURCE_ATTRS: &[F] = &[F(1, "path", Kind::Str), F(2, "verb", Kind::Str)];
const SSAR: &[F] = &[
    META,
    F(3, "status", Kind::Skip),
    F(
        2,
        "spec",
        Kind::Msg(&[
            F(1, "resourceAttributes", Kind::Msg(RESOURCE_ATTRS)),
            F(2, "nonResourceAttributes", Kind::Msg(NON_RESOURCE_ATTRS)),
        ]),
    ),
];
const SAR_SPEC: &[F] = &[
    F(1, "resourceAttributes", Kind::Msg(RESOURCE_ATTRS)),
    F(2, "nonResourceAttributes", Kind::Msg(NON_RESOURCE_ATTRS)),
    F(3, "user", Kind::Str),
    F(4, "groups", Kind::RepStr),
    F(5, "extra", Kind::MapExtra),
    F(6, "uid", Kind::Str),
];
const SAR: &[F] = &[
    META,
    F(2, "spec", Kind::Msg(SAR_SPEC)),
    F(3, "status", Kind::Skip),
];
const SSRR: &[F] = &[
    META,
    F(2, "spec", Kind::Msg(&[F(1, "namespace", Kind::Str)])),
    F(3, "status", Kind::Skip),
];
const DELETE_OPTIONS: &[F] = &[
    F(1, "gracePeriodSeconds", Kind::PtrInt),
    F(
        2,
        "preconditions",
        Kind::Msg(&[F(1, "uid", Kind::Str), F(2, "resourceVersion", Kind::Str)]),
    ),
    F(3, "orphanDependents", Kind::PtrBool),
    F(4, "propagationPolicy", Kind::Str),
    F(5, "dryRun", Kind::RepStr),
];

const LABEL_SELECTOR: &[F] = &[
    F(1, "matchLabels", Kind::MapStr),
    F(2, "matchExpressions", Kind::RepMsg(SELECTOR_REQ)),
];
const POLICY_RULE: &[F] = &[
    F(1, "verbs", Kind::RepStr),
    F(2, "apiGroups", Kind::RepStr),
    F(3, "resources", Kind::RepStr),
    F(4, "resourceNames", Kind::RepStr),
    F(5, "nonResourceURLs", Kind::RepStr),
];
const SUBJECT: &[F] = &[
    F(1, "kind", Kind::Str),
    F(2, "apiGroup", Kind::Str),
    F(3, "name", Kind::Str),
    F(4, "namespace", Kind::Str),
];
const ROLE_REF: &[F] = &[
    F(1, "apiGroup", Kind::Str),
    F(2, "kind", Kind::Str),
    F(3, "name", Kind::Str),
];
const ROLE: &[F] = &[META, F(2, "rules", Kind::RepMsg(POLICY_RULE))];
const CLUSTER_ROLE: &[F] = &[
    META,
    F(2, "rules", Kind::RepMsg(POLICY_RULE)),
    F(
        3,
        "aggregationRule",
        Kind::Msg(&[F(1, "clusterRoleSelectors", Kind::RepMsg(LABEL_SELECTOR))]),
    ),
];
const BINDING_RBAC: &[F] = &[
    META,
    F(2, "subjects", Kind::RepMsg(SUBJECT)),
    F(3, "roleRef", Kind::Msg(ROLE_REF)),
];
const CONTAINER_PORT: &[F] = &[
    F(1, "name", Kind::Str),
    F(2, "hostPort", Kind::Int),
    F(3, "containerPort", Kind::Int),
    F(4, "protocol", Kind::Str),
    F(5, "hostIP", Kind::Str),
];
const KEY_SELECTOR: &[F] = &[
    F(1, "localObjectReference", Kind::Msg(LOCAL_REF)),
    F(2, "key", Kind::Str),
    F(3, "optional", Kind::PtrBool),
];
const ENV_VAR: &[F] = &[
    F(1, "name", Kind::Str),
    F(2, "value", Kind::Str),
    F(
        3,
        "valueFrom",
        Kind::Msg(&[
            F(
                1,
                "fieldRef",
                Kind::Msg(&[F(1, "apiVersion", Kind::Str), F(2, "fieldPath", Kind::Str)]),
            ),
            F(3, "configMapKeyRef", Kind::Msg(KEY_SELECTOR)),
            F(4, "secretKeyRef", Kind::Msg(KEY_SELECTOR)),
        ]),
    ),
];
const RESOURCES: &[F] = &[
    F(1, "limits", Kind::MapQuantity),
    F(2, "requests", Kind::MapQuantity),
];
const VOLUME_MOUNT: &[F] = &[
    F(1, "name", Kind::Str),
    F(2, "readOnly", Kind::Bool),
    F(3, "mountPath", Kind::Str),
    F(4, "subPath", Kind::Str),
    F(5, "mountPropagation", Kind::Str),
    F(6, "subPathExpr", Kind::Str),
];
const CONTAINER: &[F] = &[
    F(1, "name", Kind::Str),
    F(2, "image", Kind::Str),
    F(3, "command", Kind::RepStr),
    F(4, "args", Kind::RepStr),
    F(5, "workingDir", Kind::Str),
    F(6, "ports", Kind::RepMsg(CONTAINER_PORT)),
    F(7, "env", Kind::RepMsg(ENV_VAR)),
    F(8, "resources", Kind::Msg(RESOURCES)),
    F(9, "volumeMounts", Kind::RepMsg(VOLUME_MOUNT)),
    F(13, "terminationMessagePath", Kind::Str),
    F(14, "imagePullPolicy", Kind::Str),
    F(16, "stdin", Kind::Bool),
    F(17, "stdinOnce", Kind::Bool),
    F(18, "tty", Kind::Bool),
    F(20, "terminationMessagePolicy", Kind::Str),
    F(24, "restartPolicy", Kind::Str),
];
const TOLERATION: &[F] = &[
    F(1, "key", Kind::Str),
    F(2, "operator", Kind::Str),
    F(3, "value", Kind::Str),
    F(4, "effect", Kind::Str),
    F(5, "tolerationSeconds", Kind::PtrInt),
];
const POD_SPEC: &[F] = &[
    F(2, "containers", Kind::RepMsg(CONTAINER)),
    F(3, "restartPolicy", Kind::Str),
    F(4, "terminationGracePeriodSeconds", Kind::PtrInt),
    F(5, "activeDeadlineSeconds", Kind::PtrInt),
    F(6, "dnsPolicy", Kind::Str),
    F(7, "nodeSelector", Kind::MapStr),
    F(8, "serviceAccountName", Kind::Str),
    F(9, "serviceAccount", Kind::Str),
    F(10, "nodeName", Kind::Str),
    F(11, "hostNetwork", Kind::Bool),
    F(12, "hostPID", Kind::Bool),
    F(13, "hostIPC", Kind::Bool),
    F(
        14,
        "securityContext",
        Kind::Msg(&[
            F(2, "runAsUser", Kind::PtrInt),
            F(3, "runAsNonRoot", Kind::PtrBool),
            F(5, "fsGroup", Kind::PtrInt),
            F(6, "runAsGroup", Kind::PtrInt),
        ]),
    ),
    F(15, "imagePullSecrets", Kind::RepMsg(LOCAL_REF)),
    F(16, "hostname", Kind::Str),
    F(17, "subdomain", Kind::Str),
    F(19, "schedulerName", Kind::Str),
    F(20, "initContainers", Kind::RepMsg(CONTAINER)),
    F(21, "automountServiceAccountToken", Kind::PtrBool),
    F(22, "tolerations", Kind::RepMsg(TOLERATION)),
    F(24, "priorityClassName", Kind::Str),
    F(25, "priority", Kind::PtrInt),
    F(29, "runtimeClassName", Kind::Str),
    F(30, "enableServiceLinks", Kind::PtrBool),
    F(31, "preemptionPolicy", Kind::Str),
    F(32, "overhead", Kind::MapQuantity),
];
const POD_TEMPLATE: &[F] = &[META, F(2, "spec", Kind::Msg(POD_SPEC))];
const DEPLOYMENT: &[F] = &[
    META,
    F(
        2,
        "spec",
        Kind::Msg(&[
            F(1, "replicas", Kind::PtrInt),
            F(2, "selector", Kind::Msg(LABEL_SELECTOR)),
            F(3, "template", Kind::Msg(POD_TEMPLATE)),
            F(
                4,
                "strategy",
                Kind::Msg(&[
                    F(1, "type", Kind::Str),
                    F(
                        2,
                        "rollingUpdate",
                        Kind::Msg(&[
                            F(1, "maxUnavailable", Kind::IntOrStr),
                            F(2, "maxSurge", Kind::IntOrStr),
                        ]),
                    ),
                ]),
            ),
            F(5, "minReadySeconds", Kind::Int),
            F(6, "revisionHistoryLimit", Kind::PtrInt),
            F(7, "paused", Kind::Bool),
            F(9, "progressDeadlineSeconds", Kind::PtrInt),
        ]),
    ),
    F(3, "status", Kind::Skip),
];
const JOB_SPEC: &[F] = &[
    F(1, "parallelism", Kind::PtrInt),
    F(2, "completions", Kind::PtrInt),
    F(3, "activeDeadlineSeconds", Kind::PtrInt),
    F(4, "selector", Kind::Msg(LABEL_SELECTOR)),
    F(5, "manualSelector", Kind::PtrBool),
    F(6, "template", Kind::Msg(POD_TEMPLATE)),
    F(7, "backoffLimit", Kind::PtrInt),
    F(8, "ttlSecondsAfterFinished", Kind::PtrInt),
    F(9, "completionMode", Kind::Str),
    F(10, "suspend", Kind::PtrBool),
    F(14, "podReplacementPolicy", Kind::Str),
    F(15, "managedBy", Kind::Str),
];
const JOB: &[F] = &[
    META,
    F(2, "spec", Kind::Msg(JOB_SPEC)),
    F(3, "status", Kind::Skip),
];
const CRON_JOB: &[F] = &[
    META,
    F(
        2,
        "spec",
        Kind::Msg(&[
            F(1, "schedule", Kind::Str),
            F(2, "startingDeadlineSeconds", Kind::PtrInt),
            F(3, "concurrencyPolicy", Kind::Str),
            F(4, "suspend", Kind::PtrBool),
            F(
                5,
                "jobTemplate",
                Kind::Msg(&[META, F(2, "spec", Kind::Msg(JOB_SPEC))]),
            ),
            F(6, "successfulJobsHistoryLimit", Kind::PtrInt),
            F(7, "failedJobsHistoryLimit", Kind::PtrInt),
            F(8, "timeZone", Kind::Str),
        ]),
    ),
    F(3, "status", Kind::Skip),
];
const SERVICE: &[F] = &[
    META,
    F(
        2,
        "spec",
        Kind::Msg(&[
            F(
                1,
                "ports",
                Kind::RepMsg(&[
                    F(1, "name", Kind::Str),
                    F(2, "protocol", Kind::Str),
                    F(3, "port", Kind::Int),
                    F(4, "targetPort", Kind::IntOrStr),
                    F(5, "nodePort", Kind::Int),
                    F(6, "appProtocol", Kind::Str),
                ]),
            ),
            F(2, "selector", Kind::MapStr),
            F(3, "clusterIP", Kind::Str),
            F(4, "type", Kind::Str),
            F(5, "externalIPs", Kind::RepStr),
            F(7, "sessionAffinity", Kind::Str),
            F(8, "loadBalancerIP", Kind::Str),
            F(9, "loadBalancerSourceRanges", Kind::RepStr),
            F(10, "externalName", Kind::Str),
            F(11, "externalTrafficPolicy", Kind::Str),
            F(12, "healthCheckNodePort", Kind::Int),
            F(13, "publishNotReadyAddresses", Kind::Bool),
            F(17, "ipFamilyPolicy", Kind::Str),
            F(18, "clusterIPs", Kind::RepStr),
            F(19, "ipFamilies", Kind::RepStr),
            F(20, "allocateLoadBalancerNodePorts", Kind::PtrBool),
            F(21, "loadBalancerClass", Kind::Str),
            F(22, "internalTrafficPolicy", Kind::Str),
        ]),
    ),
    F(3, "status", Kind::Skip),
];
const RESOURCE_QUOTA: &[F] = &[
    META,
    F(
        2,
        "spec",
        Kind::Msg(&[
            F(1, "hard", Kind::MapQuantity),
            F(2, "scopes", Kind::RepStr),
        ]),
    ),
    F(3, "status", Kind::Skip),
];
const PDB: &[F] = &[
    META,
    F(
        2,
        "spec",
        Kind::Msg(&[
            F(1, "minAvailable", Kind::IntOrStr),
            F(2, "selector", Kind::Msg(LABEL_SELECTOR)),
            F(3, "maxUnavailable", Kind::IntOrStr),
            F(4, "unhealthyPodEvictionPolicy", Kind::Str),
        ]),
    ),
    F(3, "status", Kind::Skip),
];
const PRIORITY_CLASS: &[F] = &[
    META,
    F(2, "value", Kind::PtrInt),
    F(3, "globalDefault", Kind::Bool),
    F(4, "description", Kind::Str),
    F(5, "preemptionPolicy", Kind::Str),
];

fn schema_for(api_version: &str, kind: &str) -> Option<&'static [F]> {
    Some(match (api_version, kind) {
        ("v1", "ConfigMap") => CONFIG_MAP,
        ("v1", "Secret") => SECRET,
        ("v1", "Namespace") => NAMESPACE,
        ("v1", "ServiceAccount") => SERVICE_ACCOUNT,
        ("v1", "Event") => EVENT,
        ("v1", "Binding") => BINDING,
        ("coordination.k8s.io/v1", "Lease") => LEASE,
        ("authentication.k8s.io/v1", "TokenRequest") => TOKEN_REQUEST,
        ("authentication.k8s.io/v1", "TokenReview") => TOKEN_REVIEW,
        ("authentication.k8s.io/v1", "SelfSubjectReview") => SELF_SUBJECT_REVIEW,
        ("authorization.k8s.io/v1", "SelfSubjectAccessReview") => SSAR,
        ("authorization.k8s.io/v1", "SubjectAccessReview" | "LocalSubjectAccessReview") => SAR,
        ("authorization.k8s.io/v1", "SelfSubjectRulesReview") => SSRR,
        ("meta.k8s.io/v1" | "v1", "DeleteOptions") => DELETE_OPTIONS,
        ("rbac.authorization.k8s.io/v1", "Role") => ROLE,
        ("rbac.authorization.k8s.io/v1", "ClusterRole") => CLUSTER_ROLE,
        ("rbac.authorization.k8s.io/v1", "RoleBinding" | "ClusterRoleBinding") => BINDING_RBAC,
        ("apps/v1", "Deployment") => DEPLOYMENT,
        ("batch/v1", "Job") => JOB,
        ("batch/v1", "CronJob") => CRON_JOB,
        ("v1", "Service") => SERVICE,
        ("v1", "ResourceQuota") => RESOURCE_QUOTA,
        ("policy/v1", "PodDisruptionBudget") => PDB,
        ("scheduling.k8s.io/v1", "PriorityClass") => PRIORITY_CLASS,
        _ => return None,
    })
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

fn malformed(what: &str) -> ApiError {
    ApiError::bad_request(format!("malformed protobuf body: {what}"))
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    fn done(&self) -> bool {
        self.pos >= self.buf.len()
    }

    fn varint(&mut self) -> Result<u64, ApiError> {
        let mut out: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = *self
                .buf
                .get(self.pos)
                .ok_or_else(|| malformed("truncated varint"))?;
            self.pos += 1;
            out |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(out);
            }
        }
        Err(malformed("varint too long"))
    }

    fn bytes(&mut self) -> Result<&'a [u8], ApiError> {
        let len = usize::try_from(self.varint()?).map_err(|_| malformed("length overflow"))?;
        let end = self
            .pos
            .checked_add(len)
            .filter(|e| *e <= self.buf.len())
            .ok_or_else(|| malformed("truncated length-delimited field"))?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn skip(&mut self, wire: u64) -> Result<(), ApiError> {
        match wire {
            0 => {
                self.varint()?;
            }
            1 => self.advance(8)?,
            2 => {
                self.bytes()?;
            }
            5 => self.advance(4)?,
            w => return Err(malformed(&format!("unsupported wire type {w}"))),
        }
        Ok(())
    }

    fn advance(&mut self, n: usize) -> Result<(), ApiError> {
        if self.pos + n > self.buf.len() {
            return Err(malformed("truncated fixed-width field"));
        }
        self.pos += n;
        Ok(())
    }
}

fn utf8(b: &[u8]) -> Result<String, ApiError> {
    String::from_utf8(b.to_vec()).map_err(|_| malformed("string is not UTF-8"))
}

/// Decodes a map entry (key = 1, value = 2) whose value is a string, bytes or ExtraValue.
fn map_entry(b: &[u8], kind: Kind) -> Result<(String, Value), ApiError> {
    let mut r = Reader::new(b);
    let mut key = String::new();
    let mut val = match kind {
        Kind::MapExtra => json!([]),
        _ => json!(""),
    };
    while !r.done() {
        let tag = r.varint()?;
        let (num, wire) = (tag >> 3, tag & 7);
        match (num, wire) {
            (1, 2) => key = utf8(r.bytes()?)?,
            (2, 2) => {
                let raw = r.bytes()?;
                val = match kind {
                    Kind::MapBytes => json!(base64::engine::general_purpose::STANDARD.encode(raw)),
                    Kind::MapExtra => {
                        let m = decode_msg(raw, &[F(1, "items", Kind::RepStr)])?;
                        m.get("items").cloned().unwrap_or_else(|| json!([]))
                    }
                    Kind::MapQuantity => {
                        let m = decode_msg(raw, &[F(1, "string", Kind::Str)])?;
                        m.get("string").cloned().unwrap_or_else(|| json!("0"))
                    }
                    _ => json!(utf8(raw)?),
                };
            }
            (_, w) => r.skip(w)?,
        }
    }
    Ok((key, val))
}

fn time(b: &[u8], micro: bool) -> Result<Value, ApiError> {
    let mut r = Reader::new(b);
    let (mut secs, mut nanos) = (0i64, 0i64);
    while !r.done() {
        let tag = r.varint()?;
        match (tag >> 3, tag & 7) {
            (1, 0) => secs = r.varint()? as i64,
            (2, 0) => nanos = i64::from(r.varint()? as i32),
            (_, w) => r.skip(w)?,
        }
    }
    if secs == 0 && nanos == 0 {
        // The zero time is `null` in JSON.
        return Ok(Value::Null);
    }
    let t = chrono::DateTime::from_timestamp(secs, u32::try_from(nanos).unwrap_or(0))
        .ok_or_else(|| malformed("timestamp out of range"))?;
    Ok(json!(if micro {
        t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
    } else {
        t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    }))
}

fn decode_msg(buf: &[u8], schema: &[F]) -> Result<Map<String, Value>, ApiError> {
    let mut out = Map::new();
    let mut r = Reader::new(buf);
    while !r.done() {
        let tag = r.varint()?;
        let (num, wire) = (tag >> 3, tag & 7);
        let Some(F(_, name, kind)) = schema.iter().find(|f| f.0 == num).copied() else {
            // Dropping a field silently would store a different object than the client sent.
            return Err(ApiError::unsupported_media_type(format!(
                "not implemented: protobuf field number {num} in this object; send application/json"
            )));
        };
        let name = name.to_owned();
        match kind {
            Kind::Bool | Kind::PtrBool | Kind::Int | Kind::PtrInt => {
                if wire != 0 {
                    return Err(malformed(&format!("field {name}: expected a varint")));
                }
                let v = r.varint()?;
                // Protobuf writes plain fields even when zero; their JSON form omits them.
                match kind {
                    Kind::Bool if v != 0 => {
                        out.insert(name, json!(true));
                    }
                    Kind::PtrBool => {
                        out.insert(name, json!(v != 0));
                    }
                    Kind::Int if v != 0 => {
                        out.insert(name, json!(v as i64));
                    }
                    Kind::PtrInt => {
                        out.insert(name, json!(v as i64));
                    }
                    _ => {}
                }
            }
            _ => {
                if wire != 2 {
                    return Err(malformed(&format!(
                        "field {name}: expected a length-delimited value"
                    )));
                }
                let b = r.bytes()?;
                match kind {
                    Kind::Str => {
                        // Empty strings are omitted in the JSON form (omitempty).
                        if !b.is_empty() {
                            out.insert(name, json!(utf8(b)?));
                        }
                    }
                    Kind::Bytes => {
                        out.insert(
                            name,
                            json!(base64::engine::general_purpose::STANDARD.encode(b)),
                        );
                    }
                    Kind::Time | Kind::MicroTime => {
                        let t = time(b, matches!(kind, Kind::MicroTime))?;
                        if !t.is_null() {
                            out.insert(name, t);
                        }
                    }
                    Kind::Msg(s) => {
                        out.insert(name, Value::Object(decode_msg(b, s)?));
                    }
                    Kind::FieldsV1 => {
                        let m = decode_msg(b, &[F(1, "raw", Kind::Bytes)])?;
                        let raw = m
                            .get("raw")
                            .and_then(Value::as_str)
                            .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
                            .unwrap_or_default();
                        let v: Value = serde_json::from_slice(&raw)
                            .map_err(|_| malformed("fieldsV1 is not JSON"))?;
                        out.insert(name, v);
                    }
                    Kind::RepStr => {
                        let s = utf8(b)?;
                        push(&mut out, name, json!(s));
                    }
                    Kind::RepMsg(s) => {
                        let m = decode_msg(b, s)?;
                        push(&mut out, name, Value::Object(m));
                    }
                    Kind::Skip => {}
                    Kind::IntOrStr => {
                        let m = decode_msg(
                            b,
                            &[
                                F(1, "type", Kind::Int),
                                F(2, "intVal", Kind::Int),
                                F(3, "strVal", Kind::Str),
                            ],
                        )?;
                        let v = if m.get("type").and_then(Value::as_i64).unwrap_or(0) == 1 {
                            m.get("strVal").cloned().unwrap_or_else(|| json!(""))
                        } else {
                            m.get("intVal").cloned().unwrap_or_else(|| json!(0))
                        };
                        out.insert(name, v);
                    }
                    Kind::MapQuantity => {
                        let (k, v) = map_entry(b, kind)?;
                        let e = out.entry(name).or_insert_with(|| json!({}));
                        if let Some(m) = e.as_object_mut() {
                            m.insert(k, v);
                        }
                    }
                    Kind::MapStr | Kind::MapBytes | Kind::MapExtra => {
                        let (k, v) = map_entry(b, kind)?;
                        let e = out.entry(name).or_insert_with(|| json!({}));
                        if let Some(m) = e.as_object_mut() {
                            m.insert(k, v);
                        }
                    }
                    Kind::Bool | Kind::PtrBool | Kind::Int | Kind::PtrInt => {}
                }
            }
        }
    }
    Ok(out)
}

fn push(out: &mut Map<String, Value>, name: String, v: Value) {
    let e = out.entry(name).or_insert_with(|| json!([]));
    if let Some(a) = e.as_array_mut() {
        a.push(v);
    }
}

/// Whether a body starts with the Kubernetes protobuf magic.
pub fn is_protobuf(body: &[u8]) -> bool {
    body.starts_with(MAGIC)
}

/// Decodes a Kubernetes protobuf body (`k8s\0` + `runtime.Unknown`) into a JSON object with
/// `apiVersion` and `kind` set.
pub fn decode(body: &[u8]) -> Result<Value, ApiError> {
    let rest = body
        .strip_prefix(MAGIC)
        .ok_or_else(|| malformed("missing the k8s protobuf prefix"))?;
    let envelope = decode_msg(
        rest,
        &[
            F(
                1,
                "typeMeta",
                Kind::Msg(&[F(1, "apiVersion", Kind::Str), F(2, "kind", Kind::Str)]),
            ),
            F(2, "raw", Kind::Bytes),
            F(3, "contentEncoding", Kind::Str),
            F(4, "contentType", Kind::Str),
        ],
    )?;
    let api_version = envelope
        .get("typeMeta")
        .and_then(|t| t.get("apiVersion"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let kind = envelope
        .get("typeMeta")
        .and_then(|t| t.get("kind"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if envelope
        .get("contentEncoding")
        .and_then(Value::as_str)
        .is_some_and(|e| !e.is_empty())
    {
        return Err(ApiError::unsupported_media_type(
            "not implemented: compressed protobuf bodies",
        ));
    }
    let schema = schema_for(&api_version, &kind).ok_or_else(|| {
        ApiError::unsupported_media_type(format!(
            "not implemented: protobuf request bodies for {kind} ({api_version}); send application/json"
        ))
    })?;
    let raw = envelope
        .get("raw")
        .and_then(Value::as_str)
        .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
        .unwrap_or_default();
    let mut obj = decode_msg(&raw, schema)?;
    obj.insert("apiVersion".to_owned(), json!(api_version));
    obj.insert("kind".to_owned(), json!(kind));
    Ok(Value::Object(obj))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn varint(mut v: u64, out: &mut Vec<u8>) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(b);
                return;
            }
            out.push(b | 0x80);
        }
    }

    fn field_bytes(num: u64, data: &[u8], out: &mut Vec<u8>) {
        varint((num << 3) | 2, out);
        varint(data.len() as u64, out);
        out.extend_from_slice(data);
    }

    fn entry(k: &str, v: &[u8]) -> Vec<u8> {
        let mut e = Vec::new();
        field_bytes(1, k.as_bytes(), &mut e);
        field_bytes(2, v, &mut e);
        e
    }

    #[test]
    fn decodes_a_secret() {
        let mut meta = Vec::new();
        field_bytes(1, b"s1", &mut meta);
        field_bytes(3, b"default", &mut meta);
        field_bytes(11, &entry("owner", b"helm"), &mut meta);
        let mut ts = Vec::new();
        varint(8, &mut ts);
        varint(1_700_000_000, &mut ts);
        field_bytes(8, &ts, &mut meta);
        let mut secret = Vec::new();
        field_bytes(1, &meta, &mut secret);
        field_bytes(2, &entry("release", b"\x00\x01"), &mut secret);
        field_bytes(3, b"helm.sh/release.v1", &mut secret);
        let mut tm = Vec::new();
        field_bytes(1, b"v1", &mut tm);
        field_bytes(2, b"Secret", &mut tm);
        let mut unknown = Vec::new();
        field_bytes(1, &tm, &mut unknown);
        field_bytes(2, &secret, &mut unknown);
        let mut body = MAGIC.to_vec();
        body.extend_from_slice(&unknown);
        let v = decode(&body).expect("decode");
        assert_eq!(v["kind"], "Secret");
        assert_eq!(v["metadata"]["name"], "s1");
        assert_eq!(v["metadata"]["labels"]["owner"], "helm");
        assert_eq!(v["metadata"]["creationTimestamp"], "2023-11-14T22:13:20Z");
        assert_eq!(v["data"]["release"], "AAE=");
        assert_eq!(v["type"], "helm.sh/release.v1");
    }

    #[test]
    fn unknown_kinds_and_garbage() {
        let mut tm = Vec::new();
        field_bytes(1, b"apps/v1", &mut tm);
        field_bytes(2, b"StatefulSet", &mut tm);
        let mut unknown = Vec::new();
        field_bytes(1, &tm, &mut unknown);
        let mut body = MAGIC.to_vec();
        body.extend_from_slice(&unknown);
        assert_eq!(decode(&body).expect_err("unsupported").code, 415);
        let mut bad = MAGIC.to_vec();
        bad.extend_from_slice(&[0x0a, 0x50, 0x01]);
        assert_eq!(decode(&bad).expect_err("truncated").code, 400);
    }
}
