//! Patch metadata of the built-in Kubernetes kinds, for strategic merge patch and server-side
//! apply.
//!
//! The table records, for every struct type reachable from a served kind, each JSON field with
//! its shape and the metadata the upstream Go types carry: `patchStrategy`/`patchMergeKey` tags
//! (strategic merge patch) and `+listType`/`+listMapKey`/`+mapType`/`+structType` markers
//! (server-side apply). It was extracted mechanically from the `k8s.io/api` and
//! `k8s.io/apimachinery` type definitions, so it states facts about those types rather than
//! reproducing their code. Lists with a merge strategy and no explicit `+listType` become
//! associative (keyed by the merge key, or a set for scalars), as the OpenAPI conversion does.
//!
//! Kinds whose Go types live outside `k8s.io/api` (CustomResourceDefinition, APIService) and
//! carry no patch metadata are described by a metadata-only type.
//!
//! Field spec grammar, one `;`-separated entry per field: `name:K[@Type][^key,...][+strategy,...][=mergeKey][~|_]`.
//! `K` is `s` scalar, `o` struct, `O` atomic struct, `m` map, `M` atomic map, `l` atomic list,
//! `e` set list, `k` associative (map) list. A trailing `~` marks a non-pointer struct field
//! (present as `{}` in a zero-valued object) and `_` a field Go always encodes, as `null` when
//! unset; typed round trips make both visible to field-ownership comparisons.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The shape of one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldKind {
    /// A string, number, boolean, or an opaque value such as a quantity or a time.
    Scalar,
    /// A struct with declared fields.
    Struct,
    /// A map with arbitrary string keys.
    Map,
    /// A list replaced as a whole.
    ListAtomic,
    /// A list of unique scalars, merged as a set.
    ListSet,
    /// A list of objects identified by key fields.
    ListMap,
}

/// How a field looks in a zero-valued object after a typed round trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Zero {
    /// Omitted.
    Absent,
    /// Present as an empty object (a non-pointer struct).
    Empty,
    /// Present as `null`.
    Null,
}

/// Metadata of one struct field.
#[derive(Debug)]
pub(crate) struct Field {
    pub kind: FieldKind,
    /// `+structType=atomic` / `+mapType=atomic`.
    pub atomic: bool,
    /// Struct type of the value, of map values, or of list elements.
    pub elem: Option<&'static str>,
    /// Key fields of an associative list (server-side apply).
    pub keys: Vec<&'static str>,
    /// Strategic merge patch strategies (`merge`, `retainKeys`, `replace`).
    pub strategies: Vec<&'static str>,
    /// Strategic merge patch merge key.
    pub merge_key: &'static str,
    pub zero: Zero,
}

impl Field {
    pub(crate) fn has_strategy(&self, s: &str) -> bool {
        self.strategies.contains(&s)
    }
}

/// A struct type and its fields.
#[derive(Debug)]
pub(crate) struct TypeInfo {
    /// `+structType=atomic` on the type itself.
    pub atomic: bool,
    pub fields: HashMap<&'static str, Field>,
}

impl TypeInfo {
    pub(crate) fn field(&self, name: &str) -> Option<&Field> {
        self.fields.get(name)
    }
}

fn parse_field(spec: &'static str) -> Option<(&'static str, Field)> {
    let (name, rest) = spec.split_once(':')?;
    let mut chars = rest.char_indices();
    let (_, k) = chars.next()?;
    let (kind, atomic) = match k {
        's' => (FieldKind::Scalar, false),
        'o' => (FieldKind::Struct, false),
        'O' => (FieldKind::Struct, true),
        'm' => (FieldKind::Map, false),
        'M' => (FieldKind::Map, true),
        'l' => (FieldKind::ListAtomic, false),
        'e' => (FieldKind::ListSet, false),
        'k' => (FieldKind::ListMap, false),
        _ => return None,
    };
    let mut field = Field {
        kind,
        atomic,
        elem: None,
        keys: Vec::new(),
        strategies: Vec::new(),
        merge_key: "",
        zero: Zero::Absent,
    };
    let mut rest = &rest[1..];
    if let Some(z) = rest.strip_suffix('~') {
        field.zero = Zero::Empty;
        rest = z;
    } else if let Some(z) = rest.strip_suffix('_') {
        field.zero = Zero::Null;
        rest = z;
    }
    // Segments start with one of the marker characters and run to the next one.
    while let Some(marker) = rest.chars().next() {
        let body = &rest[1..];
        let end = body.find(['@', '^', '+', '=']).unwrap_or(body.len());
        let value = &body[..end];
        match marker {
            '@' => field.elem = Some(value),
            '^' => field.keys = value.split(',').collect(),
            '+' => field.strategies = value.split(',').collect(),
            '=' => field.merge_key = value,
            _ => return None,
        }
        rest = &body[end..];
    }
    Some((name, field))
}

fn types() -> &'static HashMap<&'static str, TypeInfo> {
    static TABLE: OnceLock<HashMap<&'static str, TypeInfo>> = OnceLock::new();
    TABLE.get_or_init(|| {
        TYPES
            .iter()
            .map(|(name, atomic, spec)| {
                let fields = spec
                    .split(';')
                    .filter(|s| !s.is_empty())
                    .filter_map(parse_field)
                    .collect();
                (
                    *name,
                    TypeInfo {
                        atomic: *atomic,
                        fields,
                    },
                )
            })
            .collect()
    })
}

/// The struct type named `name` (for example `core/v1.PodSpec`).
pub(crate) fn type_info(name: &str) -> Option<&'static TypeInfo> {
    types().get(name)
}

/// The root type of a built-in kind, or `None` for kinds without metadata (custom resources).
pub(crate) fn root_type(api_version: &str, kind: &str) -> Option<&'static TypeInfo> {
    KINDS
        .iter()
        .find(|(gv, k, _)| *gv == api_version && *k == kind)
        .and_then(|(_, _, name)| type_info(name))
}

/// Drops what a typed round trip through the Go types omits: empty lists and maps under
/// `omitempty` fields (a decoded `env: []` is encoded as nothing). Lists and maps Go always
/// encodes, such as `containers`, stay.
pub(crate) fn drop_empty_omitted(v: &mut serde_json::Value, info: &TypeInfo) {
    use serde_json::Value;
    let Value::Object(m) = v else {
        return;
    };
    m.retain(|k, child| {
        let omitted_when_empty = info.field(k).is_some_and(|f| {
            f.zero == Zero::Absent
                && matches!(
                    f.kind,
                    FieldKind::ListAtomic
                        | FieldKind::ListSet
                        | FieldKind::ListMap
                        | FieldKind::Map
                )
        });
        let empty = match child {
            Value::Array(l) => l.is_empty(),
            Value::Object(o) => o.is_empty(),
            _ => false,
        };
        !(omitted_when_empty && empty)
    });
    for (k, child) in m.iter_mut() {
        let Some(field) = info.field(k) else {
            continue;
        };
        let Some(elem) = field.elem.and_then(type_info) else {
            continue;
        };
        match (field.kind, child) {
            (FieldKind::Struct, c) => drop_empty_omitted(c, elem),
            (FieldKind::Map, Value::Object(values)) => {
                values
                    .values_mut()
                    .for_each(|c| drop_empty_omitted(c, elem));
            }
            (_, Value::Array(items)) => items.iter_mut().for_each(|c| drop_empty_omitted(c, elem)),
            _ => {}
        }
    }
}

/// The `ObjectMeta` type, which custom resources share with built-in kinds.
pub(crate) fn object_meta() -> Option<&'static TypeInfo> {
    type_info("meta/v1.ObjectMeta")
}

static TYPES: &[(&str, bool, &str)] = &[
    (
        "admissionregistration/v1.MatchCondition",
        false,
        "expression:s;name:s",
    ),
    (
        "admissionregistration/v1.MatchResources",
        true,
        "excludeResourceRules:l;matchPolicy:s;namespaceSelector:O@meta/v1.LabelSelector;objectSelector:O@meta/v1.LabelSelector;resourceRules:l",
    ),
    (
        "admissionregistration/v1.MutatingAdmissionPolicy",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@admissionregistration/v1.MutatingAdmissionPolicySpec~",
    ),
    (
        "admissionregistration/v1.MutatingAdmissionPolicyBinding",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@admissionregistration/v1.MutatingAdmissionPolicyBindingSpec~",
    ),
    (
        "admissionregistration/v1.MutatingAdmissionPolicyBindingSpec",
        false,
        "matchResources:O@admissionregistration/v1.MatchResources;paramRef:O@admissionregistration/v1.ParamRef;policyName:s",
    ),
    (
        "admissionregistration/v1.MutatingAdmissionPolicySpec",
        false,
        "failurePolicy:s;matchConditions:k@admissionregistration/v1.MatchCondition^name+merge=name;matchConstraints:O@admissionregistration/v1.MatchResources;mutations:l;paramKind:O@admissionregistration/v1.ParamKind;reinvocationPolicy:s;variables:l",
    ),
    (
        "admissionregistration/v1.MutatingWebhook",
        false,
        "admissionReviewVersions:l_;clientConfig:o@admissionregistration/v1.WebhookClientConfig~;failurePolicy:s;matchConditions:k@admissionregistration/v1.MatchCondition^name+merge=name;matchPolicy:s;name:s;namespaceSelector:O@meta/v1.LabelSelector;objectSelector:O@meta/v1.LabelSelector;reinvocationPolicy:s;rules:l;sideEffects:s;timeoutSeconds:s",
    ),
    (
        "admissionregistration/v1.MutatingWebhookConfiguration",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;webhooks:k@admissionregistration/v1.MutatingWebhook^name+merge=name",
    ),
    (
        "admissionregistration/v1.ParamKind",
        true,
        "apiVersion:s;kind:s",
    ),
    (
        "admissionregistration/v1.ParamRef",
        true,
        "name:s;namespace:s;parameterNotFoundAction:s;selector:O@meta/v1.LabelSelector",
    ),
    (
        "admissionregistration/v1.ServiceReference",
        false,
        "name:s;namespace:s;path:s;port:s",
    ),
    (
        "admissionregistration/v1.TypeChecking",
        false,
        "expressionWarnings:l",
    ),
    (
        "admissionregistration/v1.ValidatingAdmissionPolicy",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@admissionregistration/v1.ValidatingAdmissionPolicySpec~;status:o@admissionregistration/v1.ValidatingAdmissionPolicyStatus~",
    ),
    (
        "admissionregistration/v1.ValidatingAdmissionPolicyBinding",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@admissionregistration/v1.ValidatingAdmissionPolicyBindingSpec~",
    ),
    (
        "admissionregistration/v1.ValidatingAdmissionPolicyBindingSpec",
        false,
        "matchResources:O@admissionregistration/v1.MatchResources;paramRef:O@admissionregistration/v1.ParamRef;policyName:s;validationActions:e",
    ),
    (
        "admissionregistration/v1.ValidatingAdmissionPolicySpec",
        false,
        "auditAnnotations:l;failurePolicy:s;matchConditions:k@admissionregistration/v1.MatchCondition^name+merge=name;matchConstraints:O@admissionregistration/v1.MatchResources;paramKind:O@admissionregistration/v1.ParamKind;validations:l;variables:k@admissionregistration/v1.Variable^name+merge=name",
    ),
    (
        "admissionregistration/v1.ValidatingAdmissionPolicyStatus",
        false,
        "conditions:k@meta/v1.Condition^type;observedGeneration:s;typeChecking:o@admissionregistration/v1.TypeChecking",
    ),
    (
        "admissionregistration/v1.ValidatingWebhook",
        false,
        "admissionReviewVersions:l_;clientConfig:o@admissionregistration/v1.WebhookClientConfig~;failurePolicy:s;matchConditions:k@admissionregistration/v1.MatchCondition^name+merge=name;matchPolicy:s;name:s;namespaceSelector:O@meta/v1.LabelSelector;objectSelector:O@meta/v1.LabelSelector;rules:l;sideEffects:s;timeoutSeconds:s",
    ),
    (
        "admissionregistration/v1.ValidatingWebhookConfiguration",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;webhooks:k@admissionregistration/v1.ValidatingWebhook^name+merge=name",
    ),
    (
        "admissionregistration/v1.Variable",
        true,
        "expression:s;name:s",
    ),
    (
        "admissionregistration/v1.WebhookClientConfig",
        false,
        "caBundle:s;service:o@admissionregistration/v1.ServiceReference;url:s",
    ),
    (
        "admissionregistration/v1beta1.MatchCondition",
        false,
        "expression:s;name:s",
    ),
    (
        "admissionregistration/v1beta1.MatchResources",
        true,
        "excludeResourceRules:l;matchPolicy:s;namespaceSelector:O@meta/v1.LabelSelector;objectSelector:O@meta/v1.LabelSelector;resourceRules:l",
    ),
    (
        "admissionregistration/v1beta1.MutatingAdmissionPolicy",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@admissionregistration/v1beta1.MutatingAdmissionPolicySpec~",
    ),
    (
        "admissionregistration/v1beta1.MutatingAdmissionPolicyBinding",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@admissionregistration/v1beta1.MutatingAdmissionPolicyBindingSpec~",
    ),
    (
        "admissionregistration/v1beta1.MutatingAdmissionPolicyBindingSpec",
        false,
        "matchResources:O@admissionregistration/v1beta1.MatchResources;paramRef:O@admissionregistration/v1beta1.ParamRef;policyName:s",
    ),
    (
        "admissionregistration/v1beta1.MutatingAdmissionPolicySpec",
        false,
        "failurePolicy:s;matchConditions:k@admissionregistration/v1beta1.MatchCondition^name+merge=name;matchConstraints:O@admissionregistration/v1beta1.MatchResources;mutations:l;paramKind:O@admissionregistration/v1beta1.ParamKind;reinvocationPolicy:s;variables:l",
    ),
    (
        "admissionregistration/v1beta1.MutatingWebhook",
        false,
        "admissionReviewVersions:l;clientConfig:o@admissionregistration/v1beta1.WebhookClientConfig~;failurePolicy:s;matchConditions:k@admissionregistration/v1beta1.MatchCondition^name+merge=name;matchPolicy:s;name:s;namespaceSelector:O@meta/v1.LabelSelector;objectSelector:O@meta/v1.LabelSelector;reinvocationPolicy:s;rules:l;sideEffects:s;timeoutSeconds:s",
    ),
    (
        "admissionregistration/v1beta1.MutatingWebhookConfiguration",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;webhooks:k@admissionregistration/v1beta1.MutatingWebhook^name+merge=name",
    ),
    (
        "admissionregistration/v1beta1.ParamKind",
        true,
        "apiVersion:s;kind:s",
    ),
    (
        "admissionregistration/v1beta1.ParamRef",
        true,
        "name:s;namespace:s;parameterNotFoundAction:s;selector:O@meta/v1.LabelSelector",
    ),
    (
        "admissionregistration/v1beta1.ServiceReference",
        false,
        "name:s;namespace:s;path:s;port:s",
    ),
    (
        "admissionregistration/v1beta1.TypeChecking",
        false,
        "expressionWarnings:l",
    ),
    (
        "admissionregistration/v1beta1.ValidatingAdmissionPolicy",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@admissionregistration/v1beta1.ValidatingAdmissionPolicySpec~;status:o@admissionregistration/v1beta1.ValidatingAdmissionPolicyStatus~",
    ),
    (
        "admissionregistration/v1beta1.ValidatingAdmissionPolicyBinding",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@admissionregistration/v1beta1.ValidatingAdmissionPolicyBindingSpec~",
    ),
    (
        "admissionregistration/v1beta1.ValidatingAdmissionPolicyBindingSpec",
        false,
        "matchResources:O@admissionregistration/v1beta1.MatchResources;paramRef:O@admissionregistration/v1beta1.ParamRef;policyName:s;validationActions:e",
    ),
    (
        "admissionregistration/v1beta1.ValidatingAdmissionPolicySpec",
        false,
        "auditAnnotations:l;failurePolicy:s;matchConditions:k@admissionregistration/v1beta1.MatchCondition^name+merge=name;matchConstraints:O@admissionregistration/v1beta1.MatchResources;paramKind:O@admissionregistration/v1beta1.ParamKind;validations:l;variables:k@admissionregistration/v1beta1.Variable^name+merge=name",
    ),
    (
        "admissionregistration/v1beta1.ValidatingAdmissionPolicyStatus",
        false,
        "conditions:k@meta/v1.Condition^type;observedGeneration:s;typeChecking:o@admissionregistration/v1beta1.TypeChecking",
    ),
    (
        "admissionregistration/v1beta1.ValidatingWebhook",
        false,
        "admissionReviewVersions:l;clientConfig:o@admissionregistration/v1beta1.WebhookClientConfig~;failurePolicy:s;matchConditions:k@admissionregistration/v1beta1.MatchCondition^name+merge=name;matchPolicy:s;name:s;namespaceSelector:O@meta/v1.LabelSelector;objectSelector:O@meta/v1.LabelSelector;rules:l;sideEffects:s;timeoutSeconds:s",
    ),
    (
        "admissionregistration/v1beta1.ValidatingWebhookConfiguration",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;webhooks:k@admissionregistration/v1beta1.ValidatingWebhook^name+merge=name",
    ),
    (
        "admissionregistration/v1beta1.Variable",
        true,
        "expression:s;name:s",
    ),
    (
        "admissionregistration/v1beta1.WebhookClientConfig",
        false,
        "caBundle:s;service:o@admissionregistration/v1beta1.ServiceReference;url:s",
    ),
    (
        "apps/v1.ControllerRevision",
        false,
        "apiVersion:s;data:s;kind:s;metadata:o@meta/v1.ObjectMeta~;revision:s",
    ),
    (
        "apps/v1.DaemonSet",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@apps/v1.DaemonSetSpec~;status:o@apps/v1.DaemonSetStatus~",
    ),
    (
        "apps/v1.DaemonSetCondition",
        false,
        "lastTransitionTime:s;message:s;reason:s;status:s;type:s",
    ),
    (
        "apps/v1.DaemonSetSpec",
        false,
        "minReadySeconds:s;revisionHistoryLimit:s;selector:O@meta/v1.LabelSelector_;template:o@core/v1.PodTemplateSpec~;updateStrategy:o@apps/v1.DaemonSetUpdateStrategy~",
    ),
    (
        "apps/v1.DaemonSetStatus",
        false,
        "collisionCount:s;conditions:k@apps/v1.DaemonSetCondition^type+merge=type;currentNumberScheduled:s;desiredNumberScheduled:s;numberAvailable:s;numberMisscheduled:s;numberReady:s;numberUnavailable:s;observedGeneration:s;updatedNumberScheduled:s",
    ),
    (
        "apps/v1.DaemonSetUpdateStrategy",
        false,
        "rollingUpdate:o@apps/v1.RollingUpdateDaemonSet;type:s",
    ),
    (
        "apps/v1.Deployment",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@apps/v1.DeploymentSpec~;status:o@apps/v1.DeploymentStatus~",
    ),
    (
        "apps/v1.DeploymentCondition",
        false,
        "lastTransitionTime:s;lastUpdateTime:s;message:s;reason:s;status:s;type:s",
    ),
    (
        "apps/v1.DeploymentSpec",
        false,
        "minReadySeconds:s;paused:s;progressDeadlineSeconds:s;replicas:s;revisionHistoryLimit:s;selector:O@meta/v1.LabelSelector_;strategy:o@apps/v1.DeploymentStrategy+retainKeys~;template:o@core/v1.PodTemplateSpec~",
    ),
    (
        "apps/v1.DeploymentStatus",
        false,
        "availableReplicas:s;collisionCount:s;conditions:k@apps/v1.DeploymentCondition^type+merge=type;observedGeneration:s;readyReplicas:s;replicas:s;terminatingReplicas:s;unavailableReplicas:s;updatedReplicas:s",
    ),
    (
        "apps/v1.DeploymentStrategy",
        false,
        "rollingUpdate:o@apps/v1.RollingUpdateDeployment;type:s",
    ),
    (
        "apps/v1.ReplicaSet",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@apps/v1.ReplicaSetSpec~;status:o@apps/v1.ReplicaSetStatus~",
    ),
    (
        "apps/v1.ReplicaSetCondition",
        false,
        "lastTransitionTime:s;message:s;reason:s;status:s;type:s",
    ),
    (
        "apps/v1.ReplicaSetSpec",
        false,
        "minReadySeconds:s;replicas:s;selector:O@meta/v1.LabelSelector_;template:o@core/v1.PodTemplateSpec~",
    ),
    (
        "apps/v1.ReplicaSetStatus",
        false,
        "availableReplicas:s;conditions:k@apps/v1.ReplicaSetCondition^type+merge=type;fullyLabeledReplicas:s;observedGeneration:s;readyReplicas:s;replicas:s;terminatingReplicas:s",
    ),
    (
        "apps/v1.RollingUpdateDaemonSet",
        false,
        "maxSurge:s;maxUnavailable:s",
    ),
    (
        "apps/v1.RollingUpdateDeployment",
        false,
        "maxSurge:s;maxUnavailable:s",
    ),
    (
        "apps/v1.RollingUpdateStatefulSetStrategy",
        false,
        "maxUnavailable:s;partition:s",
    ),
    (
        "apps/v1.StatefulSet",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@apps/v1.StatefulSetSpec~;status:o@apps/v1.StatefulSetStatus~",
    ),
    (
        "apps/v1.StatefulSetCondition",
        false,
        "lastTransitionTime:s;message:s;reason:s;status:s;type:s",
    ),
    ("apps/v1.StatefulSetOrdinals", false, "start:s"),
    (
        "apps/v1.StatefulSetPersistentVolumeClaimRetentionPolicy",
        false,
        "whenDeleted:s;whenScaled:s",
    ),
    (
        "apps/v1.StatefulSetSpec",
        false,
        "minReadySeconds:s;ordinals:o@apps/v1.StatefulSetOrdinals;persistentVolumeClaimRetentionPolicy:o@apps/v1.StatefulSetPersistentVolumeClaimRetentionPolicy;podManagementPolicy:s;replicas:s;revisionHistoryLimit:s;selector:O@meta/v1.LabelSelector_;serviceName:s;template:o@core/v1.PodTemplateSpec~;updateStrategy:o@apps/v1.StatefulSetUpdateStrategy~;volumeClaimTemplates:l",
    ),
    (
        "apps/v1.StatefulSetStatus",
        false,
        "availableReplicas:s;collisionCount:s;conditions:k@apps/v1.StatefulSetCondition^type+merge=type;currentReplicas:s;currentRevision:s;observedGeneration:s;readyReplicas:s;replicas:s;updateRevision:s;updatedReplicas:s",
    ),
    (
        "apps/v1.StatefulSetUpdateStrategy",
        false,
        "rollingUpdate:o@apps/v1.RollingUpdateStatefulSetStrategy;type:s",
    ),
    (
        "apps/v1beta1.ControllerRevision",
        false,
        "apiVersion:s;data:s;kind:s;metadata:o@meta/v1.ObjectMeta~;revision:s",
    ),
    (
        "apps/v1beta1.Deployment",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@apps/v1beta1.DeploymentSpec~;status:o@apps/v1beta1.DeploymentStatus~",
    ),
    (
        "apps/v1beta1.DeploymentCondition",
        false,
        "lastTransitionTime:s;lastUpdateTime:s;message:s;reason:s;status:s;type:s",
    ),
    (
        "apps/v1beta1.DeploymentSpec",
        false,
        "minReadySeconds:s;paused:s;progressDeadlineSeconds:s;replicas:s;revisionHistoryLimit:s;rollbackTo:o@apps/v1beta1.RollbackConfig;selector:O@meta/v1.LabelSelector;strategy:o@apps/v1beta1.DeploymentStrategy+retainKeys~;template:o@core/v1.PodTemplateSpec~",
    ),
    (
        "apps/v1beta1.DeploymentStatus",
        false,
        "availableReplicas:s;collisionCount:s;conditions:k@apps/v1beta1.DeploymentCondition^type+merge=type;observedGeneration:s;readyReplicas:s;replicas:s;terminatingReplicas:s;unavailableReplicas:s;updatedReplicas:s",
    ),
    (
        "apps/v1beta1.DeploymentStrategy",
        false,
        "rollingUpdate:o@apps/v1beta1.RollingUpdateDeployment;type:s",
    ),
    ("apps/v1beta1.RollbackConfig", false, "revision:s"),
    (
        "apps/v1beta1.RollingUpdateDeployment",
        false,
        "maxSurge:s;maxUnavailable:s",
    ),
    (
        "apps/v1beta1.RollingUpdateStatefulSetStrategy",
        false,
        "maxUnavailable:s;partition:s",
    ),
    (
        "apps/v1beta1.Scale",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@apps/v1beta1.ScaleSpec~;status:o@apps/v1beta1.ScaleStatus~",
    ),
    ("apps/v1beta1.ScaleSpec", false, "replicas:s"),
    (
        "apps/v1beta1.ScaleStatus",
        false,
        "replicas:s;selector:m;targetSelector:s",
    ),
    (
        "apps/v1beta1.StatefulSet",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@apps/v1beta1.StatefulSetSpec~;status:o@apps/v1beta1.StatefulSetStatus~",
    ),
    (
        "apps/v1beta1.StatefulSetCondition",
        false,
        "lastTransitionTime:s;message:s;reason:s;status:s;type:s",
    ),
    ("apps/v1beta1.StatefulSetOrdinals", false, "start:s"),
    (
        "apps/v1beta1.StatefulSetPersistentVolumeClaimRetentionPolicy",
        false,
        "whenDeleted:s;whenScaled:s",
    ),
    (
        "apps/v1beta1.StatefulSetSpec",
        false,
        "minReadySeconds:s;ordinals:o@apps/v1beta1.StatefulSetOrdinals;persistentVolumeClaimRetentionPolicy:o@apps/v1beta1.StatefulSetPersistentVolumeClaimRetentionPolicy;podManagementPolicy:s;replicas:s;revisionHistoryLimit:s;selector:O@meta/v1.LabelSelector;serviceName:s;template:o@core/v1.PodTemplateSpec~;updateStrategy:o@apps/v1beta1.StatefulSetUpdateStrategy~;volumeClaimTemplates:l",
    ),
    (
        "apps/v1beta1.StatefulSetStatus",
        false,
        "availableReplicas:s;collisionCount:s;conditions:k@apps/v1beta1.StatefulSetCondition^type+merge=type;currentReplicas:s;currentRevision:s;observedGeneration:s;readyReplicas:s;replicas:s;updateRevision:s;updatedReplicas:s",
    ),
    (
        "apps/v1beta1.StatefulSetUpdateStrategy",
        false,
        "rollingUpdate:o@apps/v1beta1.RollingUpdateStatefulSetStrategy;type:s",
    ),
    (
        "apps/v1beta2.ControllerRevision",
        false,
        "apiVersion:s;data:s;kind:s;metadata:o@meta/v1.ObjectMeta~;revision:s",
    ),
    (
        "apps/v1beta2.DaemonSet",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@apps/v1beta2.DaemonSetSpec~;status:o@apps/v1beta2.DaemonSetStatus~",
    ),
    (
        "apps/v1beta2.DaemonSetCondition",
        false,
        "lastTransitionTime:s;message:s;reason:s;status:s;type:s",
    ),
    (
        "apps/v1beta2.DaemonSetSpec",
        false,
        "minReadySeconds:s;revisionHistoryLimit:s;selector:O@meta/v1.LabelSelector_;template:o@core/v1.PodTemplateSpec~;updateStrategy:o@apps/v1beta2.DaemonSetUpdateStrategy~",
    ),
    (
        "apps/v1beta2.DaemonSetStatus",
        false,
        "collisionCount:s;conditions:k@apps/v1beta2.DaemonSetCondition^type+merge=type;currentNumberScheduled:s;desiredNumberScheduled:s;numberAvailable:s;numberMisscheduled:s;numberReady:s;numberUnavailable:s;observedGeneration:s;updatedNumberScheduled:s",
    ),
    (
        "apps/v1beta2.DaemonSetUpdateStrategy",
        false,
        "rollingUpdate:o@apps/v1beta2.RollingUpdateDaemonSet;type:s",
    ),
    (
        "apps/v1beta2.Deployment",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@apps/v1beta2.DeploymentSpec~;status:o@apps/v1beta2.DeploymentStatus~",
    ),
    (
        "apps/v1beta2.DeploymentCondition",
        false,
        "lastTransitionTime:s;lastUpdateTime:s;message:s;reason:s;status:s;type:s",
    ),
    (
        "apps/v1beta2.DeploymentSpec",
        false,
        "minReadySeconds:s;paused:s;progressDeadlineSeconds:s;replicas:s;revisionHistoryLimit:s;selector:O@meta/v1.LabelSelector_;strategy:o@apps/v1beta2.DeploymentStrategy+retainKeys~;template:o@core/v1.PodTemplateSpec~",
    ),
    (
        "apps/v1beta2.DeploymentStatus",
        false,
        "availableReplicas:s;collisionCount:s;conditions:k@apps/v1beta2.DeploymentCondition^type+merge=type;observedGeneration:s;readyReplicas:s;replicas:s;terminatingReplicas:s;unavailableReplicas:s;updatedReplicas:s",
    ),
    (
        "apps/v1beta2.DeploymentStrategy",
        false,
        "rollingUpdate:o@apps/v1beta2.RollingUpdateDeployment;type:s",
    ),
    (
        "apps/v1beta2.ReplicaSet",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@apps/v1beta2.ReplicaSetSpec~;status:o@apps/v1beta2.ReplicaSetStatus~",
    ),
    (
        "apps/v1beta2.ReplicaSetCondition",
        false,
        "lastTransitionTime:s;message:s;reason:s;status:s;type:s",
    ),
    (
        "apps/v1beta2.ReplicaSetSpec",
        false,
        "minReadySeconds:s;replicas:s;selector:O@meta/v1.LabelSelector_;template:o@core/v1.PodTemplateSpec~",
    ),
    (
        "apps/v1beta2.ReplicaSetStatus",
        false,
        "availableReplicas:s;conditions:k@apps/v1beta2.ReplicaSetCondition^type+merge=type;fullyLabeledReplicas:s;observedGeneration:s;readyReplicas:s;replicas:s;terminatingReplicas:s",
    ),
    (
        "apps/v1beta2.RollingUpdateDaemonSet",
        false,
        "maxSurge:s;maxUnavailable:s",
    ),
    (
        "apps/v1beta2.RollingUpdateDeployment",
        false,
        "maxSurge:s;maxUnavailable:s",
    ),
    (
        "apps/v1beta2.RollingUpdateStatefulSetStrategy",
        false,
        "maxUnavailable:s;partition:s",
    ),
    (
        "apps/v1beta2.Scale",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@apps/v1beta2.ScaleSpec~;status:o@apps/v1beta2.ScaleStatus~",
    ),
    ("apps/v1beta2.ScaleSpec", false, "replicas:s"),
    (
        "apps/v1beta2.ScaleStatus",
        false,
        "replicas:s;selector:M;targetSelector:s",
    ),
    (
        "apps/v1beta2.StatefulSet",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@apps/v1beta2.StatefulSetSpec~;status:o@apps/v1beta2.StatefulSetStatus~",
    ),
    (
        "apps/v1beta2.StatefulSetCondition",
        false,
        "lastTransitionTime:s;message:s;reason:s;status:s;type:s",
    ),
    ("apps/v1beta2.StatefulSetOrdinals", false, "start:s"),
    (
        "apps/v1beta2.StatefulSetPersistentVolumeClaimRetentionPolicy",
        false,
        "whenDeleted:s;whenScaled:s",
    ),
    (
        "apps/v1beta2.StatefulSetSpec",
        false,
        "minReadySeconds:s;ordinals:o@apps/v1beta2.StatefulSetOrdinals;persistentVolumeClaimRetentionPolicy:o@apps/v1beta2.StatefulSetPersistentVolumeClaimRetentionPolicy;podManagementPolicy:s;replicas:s;revisionHistoryLimit:s;selector:O@meta/v1.LabelSelector_;serviceName:s;template:o@core/v1.PodTemplateSpec~;updateStrategy:o@apps/v1beta2.StatefulSetUpdateStrategy~;volumeClaimTemplates:l",
    ),
    (
        "apps/v1beta2.StatefulSetStatus",
        false,
        "availableReplicas:s;collisionCount:s;conditions:k@apps/v1beta2.StatefulSetCondition^type+merge=type;currentReplicas:s;currentRevision:s;observedGeneration:s;readyReplicas:s;replicas:s;updateRevision:s;updatedReplicas:s",
    ),
    (
        "apps/v1beta2.StatefulSetUpdateStrategy",
        false,
        "rollingUpdate:o@apps/v1beta2.RollingUpdateStatefulSetStrategy;type:s",
    ),
    (
        "autoscaling/v1.CrossVersionObjectReference",
        true,
        "apiVersion:s;kind:s;name:s",
    ),
    (
        "autoscaling/v1.HorizontalPodAutoscaler",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@autoscaling/v1.HorizontalPodAutoscalerSpec~;status:o@autoscaling/v1.HorizontalPodAutoscalerStatus~",
    ),
    (
        "autoscaling/v1.HorizontalPodAutoscalerSpec",
        false,
        "maxReplicas:s;minReplicas:s;scaleTargetRef:O@autoscaling/v1.CrossVersionObjectReference~;targetCPUUtilizationPercentage:s",
    ),
    (
        "autoscaling/v1.HorizontalPodAutoscalerStatus",
        false,
        "currentCPUUtilizationPercentage:s;currentReplicas:s;desiredReplicas:s;lastScaleTime:s;observedGeneration:s",
    ),
    (
        "autoscaling/v1.Scale",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@autoscaling/v1.ScaleSpec~;status:o@autoscaling/v1.ScaleStatus~",
    ),
    ("autoscaling/v1.ScaleSpec", false, "replicas:s"),
    ("autoscaling/v1.ScaleStatus", false, "replicas:s;selector:s"),
    (
        "autoscaling/v2.CrossVersionObjectReference",
        false,
        "apiVersion:s;kind:s;name:s",
    ),
    (
        "autoscaling/v2.HPAScalingRules",
        false,
        "policies:l;selectPolicy:s;stabilizationWindowSeconds:s;tolerance:s",
    ),
    (
        "autoscaling/v2.HorizontalPodAutoscaler",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@autoscaling/v2.HorizontalPodAutoscalerSpec~;status:o@autoscaling/v2.HorizontalPodAutoscalerStatus~",
    ),
    (
        "autoscaling/v2.HorizontalPodAutoscalerBehavior",
        false,
        "scaleDown:o@autoscaling/v2.HPAScalingRules;scaleUp:o@autoscaling/v2.HPAScalingRules",
    ),
    (
        "autoscaling/v2.HorizontalPodAutoscalerCondition",
        false,
        "lastTransitionTime:s;message:s;observedGeneration:s;reason:s;status:s;type:s",
    ),
    (
        "autoscaling/v2.HorizontalPodAutoscalerSpec",
        false,
        "behavior:o@autoscaling/v2.HorizontalPodAutoscalerBehavior;maxReplicas:s;metrics:l;minReplicas:s;scaleTargetRef:o@autoscaling/v2.CrossVersionObjectReference~",
    ),
    (
        "autoscaling/v2.HorizontalPodAutoscalerStatus",
        false,
        "conditions:k@autoscaling/v2.HorizontalPodAutoscalerCondition^type+merge=type;currentMetrics:l_;currentReplicas:s;desiredReplicas:s;lastScaleTime:s;observedGeneration:s",
    ),
    (
        "autoscaling/v2beta1.CrossVersionObjectReference",
        false,
        "apiVersion:s;kind:s;name:s",
    ),
    (
        "autoscaling/v2beta1.HorizontalPodAutoscaler",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@autoscaling/v2beta1.HorizontalPodAutoscalerSpec~;status:o@autoscaling/v2beta1.HorizontalPodAutoscalerStatus~",
    ),
    (
        "autoscaling/v2beta1.HorizontalPodAutoscalerSpec",
        false,
        "maxReplicas:s;metrics:l;minReplicas:s;scaleTargetRef:o@autoscaling/v2beta1.CrossVersionObjectReference~",
    ),
    (
        "autoscaling/v2beta1.HorizontalPodAutoscalerStatus",
        false,
        "conditions:l_;currentMetrics:l_;currentReplicas:s;desiredReplicas:s;lastScaleTime:s;observedGeneration:s",
    ),
    (
        "autoscaling/v2beta2.CrossVersionObjectReference",
        false,
        "apiVersion:s;kind:s;name:s",
    ),
    (
        "autoscaling/v2beta2.HPAScalingRules",
        false,
        "policies:l;selectPolicy:s;stabilizationWindowSeconds:s",
    ),
    (
        "autoscaling/v2beta2.HorizontalPodAutoscaler",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@autoscaling/v2beta2.HorizontalPodAutoscalerSpec~;status:o@autoscaling/v2beta2.HorizontalPodAutoscalerStatus~",
    ),
    (
        "autoscaling/v2beta2.HorizontalPodAutoscalerBehavior",
        false,
        "scaleDown:o@autoscaling/v2beta2.HPAScalingRules;scaleUp:o@autoscaling/v2beta2.HPAScalingRules",
    ),
    (
        "autoscaling/v2beta2.HorizontalPodAutoscalerSpec",
        false,
        "behavior:o@autoscaling/v2beta2.HorizontalPodAutoscalerBehavior;maxReplicas:s;metrics:l;minReplicas:s;scaleTargetRef:o@autoscaling/v2beta2.CrossVersionObjectReference~",
    ),
    (
        "autoscaling/v2beta2.HorizontalPodAutoscalerStatus",
        false,
        "conditions:l_;currentMetrics:l_;currentReplicas:s;desiredReplicas:s;lastScaleTime:s;observedGeneration:s",
    ),
    (
        "batch/v1.CronJob",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@batch/v1.CronJobSpec~;status:o@batch/v1.CronJobStatus~",
    ),
    (
        "batch/v1.CronJobSpec",
        false,
        "concurrencyPolicy:s;failedJobsHistoryLimit:s;jobTemplate:o@batch/v1.JobTemplateSpec~;schedule:s;startingDeadlineSeconds:s;successfulJobsHistoryLimit:s;suspend:s;timeZone:s",
    ),
    (
        "batch/v1.CronJobStatus",
        false,
        "active:l;lastScheduleTime:s;lastSuccessfulTime:s",
    ),
    (
        "batch/v1.Job",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@batch/v1.JobSpec~;status:o@batch/v1.JobStatus~",
    ),
    (
        "batch/v1.JobCondition",
        false,
        "lastProbeTime:s;lastTransitionTime:s;message:s;reason:s;status:s;type:s",
    ),
    (
        "batch/v1.JobSchedulingConfiguration",
        false,
        "disruptionMode:s;resourceClaims:k^name+merge=name;schedulingConstraints:s;schedulingPolicy:s",
    ),
    (
        "batch/v1.JobSpec",
        false,
        "activeDeadlineSeconds:s;backoffLimit:s;backoffLimitPerIndex:s;completionMode:s;completions:s;managedBy:s;manualSelector:s;maxFailedIndexes:s;parallelism:s;podFailurePolicy:o@batch/v1.PodFailurePolicy;podReplacementPolicy:s;scheduling:o@batch/v1.JobSchedulingConfiguration;selector:O@meta/v1.LabelSelector;successPolicy:o@batch/v1.SuccessPolicy;suspend:s;template:o@core/v1.PodTemplateSpec~;ttlSecondsAfterFinished:s",
    ),
    (
        "batch/v1.JobStatus",
        false,
        "active:s;completedIndexes:s;completionTime:s;conditions:l@batch/v1.JobCondition+merge=type;failed:s;failedIndexes:s;ready:s;startTime:s;succeeded:s;terminating:s;uncountedTerminatedPods:o@batch/v1.UncountedTerminatedPods",
    ),
    (
        "batch/v1.JobTemplateSpec",
        false,
        "metadata:o@meta/v1.ObjectMeta~;spec:o@batch/v1.JobSpec~",
    ),
    ("batch/v1.PodFailurePolicy", false, "rules:l_"),
    ("batch/v1.SuccessPolicy", false, "rules:l_"),
    (
        "batch/v1.UncountedTerminatedPods",
        false,
        "failed:e;succeeded:e",
    ),
    (
        "batch/v1beta1.CronJob",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@batch/v1beta1.CronJobSpec~;status:o@batch/v1beta1.CronJobStatus~",
    ),
    (
        "batch/v1beta1.CronJobSpec",
        false,
        "concurrencyPolicy:s;failedJobsHistoryLimit:s;jobTemplate:o@batch/v1beta1.JobTemplateSpec~;schedule:s;startingDeadlineSeconds:s;successfulJobsHistoryLimit:s;suspend:s;timeZone:s",
    ),
    (
        "batch/v1beta1.CronJobStatus",
        false,
        "active:l;lastScheduleTime:s;lastSuccessfulTime:s",
    ),
    (
        "batch/v1beta1.JobTemplateSpec",
        false,
        "metadata:o@meta/v1.ObjectMeta~;spec:o@batch/v1.JobSpec~",
    ),
    (
        "certificates/v1.CertificateSigningRequest",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@certificates/v1.CertificateSigningRequestSpec~;status:o@certificates/v1.CertificateSigningRequestStatus~",
    ),
    (
        "certificates/v1.CertificateSigningRequestCondition",
        false,
        "lastTransitionTime:s;lastUpdateTime:s;message:s;reason:s;status:s;type:s",
    ),
    (
        "certificates/v1.CertificateSigningRequestSpec",
        false,
        "expirationSeconds:s;extra:m;groups:l;request:s;signerName:s;uid:s;usages:l;username:s",
    ),
    (
        "certificates/v1.CertificateSigningRequestStatus",
        false,
        "certificate:s;conditions:k@certificates/v1.CertificateSigningRequestCondition^type",
    ),
    (
        "certificates/v1.ClusterTrustBundle",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@certificates/v1.ClusterTrustBundleSpec~",
    ),
    (
        "certificates/v1.ClusterTrustBundleSpec",
        false,
        "signerName:s;trustBundle:s",
    ),
    (
        "certificates/v1.PodCertificateRequest",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@certificates/v1.PodCertificateRequestSpec~;status:o@certificates/v1.PodCertificateRequestStatus~",
    ),
    (
        "certificates/v1.PodCertificateRequestSpec",
        false,
        "maxExpirationSeconds:s;nodeName:s;nodeUID:s;podName:s;podUID:s;serviceAccountName:s;serviceAccountUID:s;signerName:s;stubPKCS10Request:s;unverifiedUserAnnotations:m",
    ),
    (
        "certificates/v1.PodCertificateRequestStatus",
        false,
        "beginRefreshAt:s;certificateChain:s;conditions:k@meta/v1.Condition^type+merge=type;notAfter:s;notBefore:s",
    ),
    (
        "coordination/v1.Lease",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@coordination/v1.LeaseSpec~",
    ),
    (
        "coordination/v1.LeaseSpec",
        false,
        "acquireTime:s;holderIdentity:s;leaseDurationSeconds:s;leaseTransitions:s;preferredHolder:s;renewTime:s;strategy:s",
    ),
    (
        "core/v1.AWSElasticBlockStoreVolumeSource",
        false,
        "fsType:s;partition:s;readOnly:s;volumeID:s",
    ),
    (
        "core/v1.Affinity",
        false,
        "nodeAffinity:o@core/v1.NodeAffinity;podAffinity:o@core/v1.PodAffinity;podAntiAffinity:o@core/v1.PodAntiAffinity",
    ),
    (
        "core/v1.AppArmorProfile",
        false,
        "localhostProfile:s;type:s",
    ),
    (
        "core/v1.AzureDiskVolumeSource",
        false,
        "cachingMode:s;diskName:s;diskURI:s;fsType:s;kind:s;readOnly:s",
    ),
    (
        "core/v1.AzureFilePersistentVolumeSource",
        false,
        "readOnly:s;secretName:s;secretNamespace:s;shareName:s",
    ),
    (
        "core/v1.AzureFileVolumeSource",
        false,
        "readOnly:s;secretName:s;shareName:s",
    ),
    (
        "core/v1.Binding",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;target:O@core/v1.ObjectReference~",
    ),
    (
        "core/v1.CSIPersistentVolumeSource",
        false,
        "controllerExpandSecretRef:O@core/v1.SecretReference;controllerPublishSecretRef:O@core/v1.SecretReference;driver:s;fsType:s;nodeExpandSecretRef:O@core/v1.SecretReference;nodePublishSecretRef:O@core/v1.SecretReference;nodeStageSecretRef:O@core/v1.SecretReference;readOnly:s;volumeAttributes:m;volumeHandle:s",
    ),
    (
        "core/v1.CSIVolumeSource",
        false,
        "driver:s;fsType:s;nodePublishSecretRef:O@core/v1.LocalObjectReference;readOnly:s;volumeAttributes:m",
    ),
    ("core/v1.Capabilities", false, "add:l;drop:l"),
    (
        "core/v1.CephFSPersistentVolumeSource",
        false,
        "monitors:l_;path:s;readOnly:s;secretFile:s;secretRef:O@core/v1.SecretReference;user:s",
    ),
    (
        "core/v1.CephFSVolumeSource",
        false,
        "monitors:l_;path:s;readOnly:s;secretFile:s;secretRef:O@core/v1.LocalObjectReference;user:s",
    ),
    (
        "core/v1.CinderPersistentVolumeSource",
        false,
        "fsType:s;readOnly:s;secretRef:O@core/v1.SecretReference;volumeID:s",
    ),
    (
        "core/v1.CinderVolumeSource",
        false,
        "fsType:s;readOnly:s;secretRef:O@core/v1.LocalObjectReference;volumeID:s",
    ),
    ("core/v1.ClientIPConfig", false, "timeoutSeconds:s"),
    (
        "core/v1.ComponentCondition",
        false,
        "error:s;message:s;status:s;type:s",
    ),
    (
        "core/v1.ComponentStatus",
        false,
        "apiVersion:s;conditions:k@core/v1.ComponentCondition^type+merge=type;kind:s;metadata:o@meta/v1.ObjectMeta~",
    ),
    (
        "core/v1.ConfigMap",
        false,
        "apiVersion:s;binaryData:m;data:m;immutable:s;kind:s;metadata:o@meta/v1.ObjectMeta~",
    ),
    (
        "core/v1.ConfigMapKeySelector",
        true,
        "key:s;name:s;optional:s",
    ),
    (
        "core/v1.ConfigMapNodeConfigSource",
        false,
        "kubeletConfigKey:s;name:s;namespace:s;resourceVersion:s;uid:s",
    ),
    (
        "core/v1.ConfigMapVolumeSource",
        false,
        "defaultMode:s;defaultUser:s;items:l;name:s;optional:s",
    ),
    (
        "core/v1.Container",
        false,
        "args:l;command:l;env:k@core/v1.EnvVar^name+merge=name;envFrom:l;image:s;imagePullPolicy:s;lifecycle:o@core/v1.Lifecycle;livenessProbe:o@core/v1.Probe;name:s;ports:k@core/v1.ContainerPort^containerPort,protocol+merge=containerPort;readinessProbe:o@core/v1.Probe;resizePolicy:l;resources:o@core/v1.ResourceRequirements~;restartPolicy:s;restartPolicyRules:l;securityContext:o@core/v1.SecurityContext;startupProbe:o@core/v1.Probe;stdin:s;stdinOnce:s;terminationMessagePath:s;terminationMessagePolicy:s;tty:s;volumeDevices:k@core/v1.VolumeDevice^devicePath+merge=devicePath;volumeMounts:k@core/v1.VolumeMount^mountPath+merge=mountPath;workingDir:s",
    ),
    (
        "core/v1.ContainerPort",
        false,
        "containerPort:s;hostIP:s;hostPort:s;name:s;protocol:s",
    ),
    ("core/v1.DaemonEndpoint", false, "Port:s"),
    (
        "core/v1.DownwardAPIVolumeSource",
        false,
        "defaultMode:s;defaultUser:s;items:l",
    ),
    (
        "core/v1.EmptyDirVolumeSource",
        false,
        "medium:s;mode:s;sizeLimit:s",
    ),
    (
        "core/v1.Endpoints",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;subsets:l",
    ),
    (
        "core/v1.EnvVar",
        false,
        "name:s;value:s;valueFrom:o@core/v1.EnvVarSource",
    ),
    (
        "core/v1.EnvVarSource",
        false,
        "configMapKeyRef:O@core/v1.ConfigMapKeySelector;fieldRef:O@core/v1.ObjectFieldSelector;fileKeyRef:O@core/v1.FileKeySelector;resourceFieldRef:O@core/v1.ResourceFieldSelector;secretKeyRef:O@core/v1.SecretKeySelector",
    ),
    (
        "core/v1.EphemeralContainer",
        false,
        "args:l;command:l;env:k@core/v1.EnvVar^name+merge=name;envFrom:l;image:s;imagePullPolicy:s;lifecycle:o@core/v1.Lifecycle;livenessProbe:o@core/v1.Probe;name:s;ports:k@core/v1.ContainerPort^containerPort,protocol+merge=containerPort;readinessProbe:o@core/v1.Probe;resizePolicy:l;resources:o@core/v1.ResourceRequirements~;restartPolicy:s;restartPolicyRules:l;securityContext:o@core/v1.SecurityContext;startupProbe:o@core/v1.Probe;stdin:s;stdinOnce:s;targetContainerName:s;terminationMessagePath:s;terminationMessagePolicy:s;tty:s;volumeDevices:k@core/v1.VolumeDevice^devicePath+merge=devicePath;volumeMounts:k@core/v1.VolumeMount^mountPath+merge=mountPath;workingDir:s",
    ),
    (
        "core/v1.EphemeralVolumeSource",
        false,
        "volumeClaimTemplate:o@core/v1.PersistentVolumeClaimTemplate",
    ),
    (
        "core/v1.Event",
        false,
        "action:s;apiVersion:s;count:s;eventTime:s;firstTimestamp:s;involvedObject:O@core/v1.ObjectReference~;kind:s;lastTimestamp:s;message:s;metadata:o@meta/v1.ObjectMeta~;reason:s;related:O@core/v1.ObjectReference;reportingComponent:s;reportingInstance:s;series:o@core/v1.EventSeries;source:o@core/v1.EventSource~;type:s",
    ),
    ("core/v1.EventSeries", false, "count:s;lastObservedTime:s"),
    ("core/v1.EventSource", false, "component:s;host:s"),
    ("core/v1.EvictionResponder", true, "name:s;priority:s"),
    ("core/v1.ExecAction", false, "command:l"),
    (
        "core/v1.FCVolumeSource",
        false,
        "fsType:s;lun:s;readOnly:s;targetWWNs:l;wwids:l",
    ),
    (
        "core/v1.FileKeySelector",
        true,
        "key:s;optional:s;path:s;volumeName:s",
    ),
    (
        "core/v1.FlexPersistentVolumeSource",
        false,
        "driver:s;fsType:s;options:m;readOnly:s;secretRef:O@core/v1.SecretReference",
    ),
    (
        "core/v1.FlexVolumeSource",
        false,
        "driver:s;fsType:s;options:m;readOnly:s;secretRef:O@core/v1.LocalObjectReference",
    ),
    (
        "core/v1.FlockerVolumeSource",
        false,
        "datasetName:s;datasetUUID:s",
    ),
    (
        "core/v1.GCEPersistentDiskVolumeSource",
        false,
        "fsType:s;partition:s;pdName:s;readOnly:s",
    ),
    ("core/v1.GRPCAction", false, "mode:s;port:s;service:s"),
    (
        "core/v1.GitRepoVolumeSource",
        false,
        "directory:s;repository:s;revision:s",
    ),
    (
        "core/v1.GlusterfsPersistentVolumeSource",
        false,
        "endpoints:s;endpointsNamespace:s;path:s;readOnly:s",
    ),
    (
        "core/v1.GlusterfsVolumeSource",
        false,
        "endpoints:s;path:s;readOnly:s",
    ),
    (
        "core/v1.HTTPGetAction",
        false,
        "host:s;httpHeaders:l;path:s;port:s;protocol:s;scheme:s",
    ),
    ("core/v1.HostAlias", false, "hostnames:l;ip:s"),
    ("core/v1.HostIP", false, "ip:s"),
    ("core/v1.HostPathVolumeSource", false, "path:s;type:s"),
    (
        "core/v1.ISCSIPersistentVolumeSource",
        false,
        "chapAuthDiscovery:s;chapAuthSession:s;fsType:s;initiatorName:s;iqn:s;iscsiInterface:s;lun:s;portals:l;readOnly:s;secretRef:O@core/v1.SecretReference;targetPortal:s",
    ),
    (
        "core/v1.ISCSIVolumeSource",
        false,
        "chapAuthDiscovery:s;chapAuthSession:s;fsType:s;initiatorName:s;iqn:s;iscsiInterface:s;lun:s;portals:l;readOnly:s;secretRef:O@core/v1.LocalObjectReference;targetPortal:s",
    ),
    (
        "core/v1.ImageVolumeSource",
        false,
        "pullPolicy:s;reference:s",
    ),
    (
        "core/v1.Lifecycle",
        false,
        "postStart:o@core/v1.LifecycleHandler;preStop:o@core/v1.LifecycleHandler;stopSignal:s",
    ),
    (
        "core/v1.LifecycleHandler",
        false,
        "exec:o@core/v1.ExecAction;httpGet:o@core/v1.HTTPGetAction;sleep:o@core/v1.SleepAction;tcpSocket:o@core/v1.TCPSocketAction",
    ),
    (
        "core/v1.LimitRange",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@core/v1.LimitRangeSpec~",
    ),
    ("core/v1.LimitRangeSpec", false, "limits:l_"),
    ("core/v1.LoadBalancerStatus", false, "ingress:l"),
    ("core/v1.LocalObjectReference", true, "name:s"),
    ("core/v1.LocalVolumeSource", false, "fsType:s;path:s"),
    (
        "core/v1.ModifyVolumeStatus",
        false,
        "status:s;targetVolumeAttributesClassName:s",
    ),
    (
        "core/v1.NFSVolumeSource",
        false,
        "path:s;readOnly:s;server:s",
    ),
    (
        "core/v1.Namespace",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@core/v1.NamespaceSpec~;status:o@core/v1.NamespaceStatus~",
    ),
    (
        "core/v1.NamespaceCondition",
        false,
        "lastTransitionTime:s;message:s;reason:s;status:s;type:s",
    ),
    ("core/v1.NamespaceSpec", false, "finalizers:l"),
    (
        "core/v1.NamespaceStatus",
        false,
        "conditions:k@core/v1.NamespaceCondition^type+merge=type;phase:s",
    ),
    (
        "core/v1.Node",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@core/v1.NodeSpec~;status:o@core/v1.NodeStatus~",
    ),
    ("core/v1.NodeAddress", false, "address:s;type:s"),
    (
        "core/v1.NodeAffinity",
        false,
        "preferredDuringSchedulingIgnoredDuringExecution:l;requiredDuringSchedulingIgnoredDuringExecution:O@core/v1.NodeSelector",
    ),
    (
        "core/v1.NodeAllocatableMappedResources",
        false,
        "name:s;quantity:s",
    ),
    (
        "core/v1.NodeAllocatableOverheadResources",
        false,
        "name:s;perContainer:s;perPod:s",
    ),
    (
        "core/v1.NodeAllocatableResourceClaimStatus",
        false,
        "containers:e;mapping:k@core/v1.NodeAllocatableMappedResources^name+merge=name;overhead:k@core/v1.NodeAllocatableOverheadResources^name+merge=name;resourceClaimName:s",
    ),
    (
        "core/v1.NodeCondition",
        false,
        "lastHeartbeatTime:s;lastTransitionTime:s;message:s;reason:s;status:s;type:s",
    ),
    (
        "core/v1.NodeConfigSource",
        false,
        "configMap:o@core/v1.ConfigMapNodeConfigSource",
    ),
    (
        "core/v1.NodeConfigStatus",
        false,
        "active:o@core/v1.NodeConfigSource;assigned:o@core/v1.NodeConfigSource;error:s;lastKnownGood:o@core/v1.NodeConfigSource",
    ),
    (
        "core/v1.NodeDaemonEndpoints",
        false,
        "kubeletEndpoint:o@core/v1.DaemonEndpoint~",
    ),
    ("core/v1.NodeFeatures", false, "supplementalGroupsPolicy:s"),
    (
        "core/v1.NodePodPreemptionPolicy",
        false,
        "disableResizePreemption:e",
    ),
    ("core/v1.NodeSelector", true, "nodeSelectorTerms:l_"),
    (
        "core/v1.NodeSpec",
        false,
        "configSource:o@core/v1.NodeConfigSource;externalID:s;podCIDR:s;podCIDRs:e+merge;podPreemptionPolicy:o@core/v1.NodePodPreemptionPolicy;providerID:s;taints:l;unschedulable:s",
    ),
    (
        "core/v1.NodeStatus",
        false,
        "addresses:k@core/v1.NodeAddress^type+merge=type;allocatable:m;capacity:m;conditions:k@core/v1.NodeCondition^type+merge=type;config:o@core/v1.NodeConfigStatus;daemonEndpoints:o@core/v1.NodeDaemonEndpoints~;declaredFeatures:l;features:o@core/v1.NodeFeatures;images:l;nodeInfo:o@core/v1.NodeSystemInfo~;phase:s;runtimeHandlers:l;volumesAttached:l;volumesInUse:l",
    ),
    ("core/v1.NodeSwapStatus", false, "capacity:s"),
    (
        "core/v1.NodeSystemInfo",
        false,
        "architecture:s;bootID:s;containerRuntimeVersion:s;kernelVersion:s;kubeProxyVersion:s;kubeletVersion:s;machineID:s;operatingSystem:s;osImage:s;swap:o@core/v1.NodeSwapStatus;systemUUID:s",
    ),
    (
        "core/v1.ObjectFieldSelector",
        true,
        "apiVersion:s;fieldPath:s",
    ),
    (
        "core/v1.ObjectReference",
        true,
        "apiVersion:s;fieldPath:s;kind:s;name:s;namespace:s;resourceVersion:s;uid:s",
    ),
    (
        "core/v1.PersistentVolume",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@core/v1.PersistentVolumeSpec~;status:o@core/v1.PersistentVolumeStatus~",
    ),
    (
        "core/v1.PersistentVolumeClaim",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@core/v1.PersistentVolumeClaimSpec~;status:o@core/v1.PersistentVolumeClaimStatus~",
    ),
    (
        "core/v1.PersistentVolumeClaimCondition",
        false,
        "lastProbeTime:s;lastTransitionTime:s;message:s;reason:s;status:s;type:s",
    ),
    (
        "core/v1.PersistentVolumeClaimSpec",
        false,
        "accessModes:l;dataSource:O@core/v1.TypedLocalObjectReference;dataSourceRef:o@core/v1.TypedObjectReference;resources:o@core/v1.VolumeResourceRequirements~;selector:O@meta/v1.LabelSelector;storageClassName:s;volumeAttributesClassName:s;volumeMode:s;volumeName:s",
    ),
    (
        "core/v1.PersistentVolumeClaimStatus",
        false,
        "accessModes:l;allocatedResourceStatuses:m;allocatedResources:m;capacity:m;conditions:k@core/v1.PersistentVolumeClaimCondition^type+merge=type;currentVolumeAttributesClassName:s;healthStatus:o@core/v1.VolumeHealthStatus;modifyVolumeStatus:o@core/v1.ModifyVolumeStatus;phase:s",
    ),
    (
        "core/v1.PersistentVolumeClaimTemplate",
        false,
        "metadata:o@meta/v1.ObjectMeta~;spec:o@core/v1.PersistentVolumeClaimSpec~",
    ),
    (
        "core/v1.PersistentVolumeClaimVolumeSource",
        false,
        "claimName:s;readOnly:s",
    ),
    (
        "core/v1.PersistentVolumeSpec",
        false,
        "accessModes:l;awsElasticBlockStore:o@core/v1.AWSElasticBlockStoreVolumeSource;azureDisk:o@core/v1.AzureDiskVolumeSource;azureFile:o@core/v1.AzureFilePersistentVolumeSource;capacity:m;cephfs:o@core/v1.CephFSPersistentVolumeSource;cinder:o@core/v1.CinderPersistentVolumeSource;claimRef:O@core/v1.ObjectReference;csi:o@core/v1.CSIPersistentVolumeSource;fc:o@core/v1.FCVolumeSource;flexVolume:o@core/v1.FlexPersistentVolumeSource;flocker:o@core/v1.FlockerVolumeSource;gcePersistentDisk:o@core/v1.GCEPersistentDiskVolumeSource;glusterfs:o@core/v1.GlusterfsPersistentVolumeSource;hostPath:o@core/v1.HostPathVolumeSource;iscsi:o@core/v1.ISCSIPersistentVolumeSource;local:o@core/v1.LocalVolumeSource;mountOptions:l;nfs:o@core/v1.NFSVolumeSource;nodeAffinity:o@core/v1.VolumeNodeAffinity;persistentVolumeReclaimPolicy:s;photonPersistentDisk:o@core/v1.PhotonPersistentDiskVolumeSource;portworxVolume:o@core/v1.PortworxVolumeSource;quobyte:o@core/v1.QuobyteVolumeSource;rbd:o@core/v1.RBDPersistentVolumeSource;scaleIO:o@core/v1.ScaleIOPersistentVolumeSource;storageClassName:s;storageos:o@core/v1.StorageOSPersistentVolumeSource;volumeAttributesClassName:s;volumeMode:s;vsphereVolume:o@core/v1.VsphereVirtualDiskVolumeSource",
    ),
    (
        "core/v1.PersistentVolumeStatus",
        false,
        "lastPhaseTransitionTime:s;message:s;phase:s;reason:s",
    ),
    (
        "core/v1.PhotonPersistentDiskVolumeSource",
        false,
        "fsType:s;pdID:s",
    ),
    (
        "core/v1.Pod",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@core/v1.PodSpec~;status:o@core/v1.PodStatus~",
    ),
    (
        "core/v1.PodAffinity",
        false,
        "preferredDuringSchedulingIgnoredDuringExecution:l;requiredDuringSchedulingIgnoredDuringExecution:l",
    ),
    (
        "core/v1.PodAntiAffinity",
        false,
        "preferredDuringSchedulingIgnoredDuringExecution:l;requiredDuringSchedulingIgnoredDuringExecution:l",
    ),
    (
        "core/v1.PodCondition",
        false,
        "lastProbeTime:s;lastTransitionTime:s;message:s;observedGeneration:s;reason:s;status:s;type:s",
    ),
    (
        "core/v1.PodDNSConfig",
        false,
        "nameservers:l;options:l;searches:l",
    ),
    (
        "core/v1.PodExtendedResourceClaimStatus",
        false,
        "requestMappings:l_;resourceClaimName:s",
    ),
    ("core/v1.PodIP", false, "ip:s"),
    ("core/v1.PodOS", false, "name:s"),
    (
        "core/v1.PodResourceClaim",
        false,
        "name:s;resourceClaimName:s;resourceClaimTemplateName:s",
    ),
    (
        "core/v1.PodResourceClaimStatus",
        false,
        "name:s;resourceClaimName:s",
    ),
    ("core/v1.PodSchedulingGate", false, "name:s"),
    ("core/v1.PodSchedulingGroup", false, "podGroupName:s"),
    (
        "core/v1.PodSecurityContext",
        false,
        "appArmorProfile:o@core/v1.AppArmorProfile;fsGroup:s;fsGroupChangePolicy:s;runAsGroup:s;runAsNonRoot:s;runAsUser:s;seLinuxChangePolicy:s;seLinuxOptions:o@core/v1.SELinuxOptions;seccompProfile:o@core/v1.SeccompProfile;supplementalGroups:l;supplementalGroupsPolicy:s;sysctls:l;windowsOptions:o@core/v1.WindowsSecurityContextOptions",
    ),
    (
        "core/v1.PodSpec",
        false,
        "activeDeadlineSeconds:s;affinity:o@core/v1.Affinity;automountServiceAccountToken:s;containers:k@core/v1.Container^name+merge=name_;dnsConfig:o@core/v1.PodDNSConfig;dnsPolicy:s;enableServiceLinks:s;ephemeralContainers:k@core/v1.EphemeralContainer^name+merge=name;evictionResponders:k@core/v1.EvictionResponder^name+merge=name;hostAliases:k@core/v1.HostAlias^ip+merge=ip;hostIPC:s;hostNetwork:s;hostPID:s;hostUsers:s;hostname:s;hostnameOverride:s;imagePullSecrets:k@core/v1.LocalObjectReference^name+merge=name;initContainers:k@core/v1.Container^name+merge=name;nodeName:s;nodeSelector:M;os:o@core/v1.PodOS;overhead:m;preemptionPolicy:s;priority:s;priorityClassName:s;readinessGates:l;resourceClaims:k@core/v1.PodResourceClaim^name+merge,retainKeys=name;resources:o@core/v1.ResourceRequirements;restartPolicy:s;runtimeClassName:s;schedulerName:s;schedulingGates:k@core/v1.PodSchedulingGate^name+merge=name;schedulingGroup:o@core/v1.PodSchedulingGroup;securityContext:o@core/v1.PodSecurityContext;serviceAccount:s;serviceAccountName:s;setHostnameAsFQDN:s;shareProcessNamespace:s;subdomain:s;terminationGracePeriodSeconds:s;tolerations:l;topologySpreadConstraints:k@core/v1.TopologySpreadConstraint^topologyKey,whenUnsatisfiable+merge=topologyKey;volumes:k@core/v1.Volume^name+merge,retainKeys=name",
    ),
    (
        "core/v1.PodStatus",
        false,
        "allocatedResources:m;conditions:k@core/v1.PodCondition^type+merge=type;containerStatuses:l;ephemeralContainerStatuses:l;extendedResourceClaimStatus:o@core/v1.PodExtendedResourceClaimStatus;hostIP:s;hostIPs:l@core/v1.HostIP+merge=ip;initContainerStatuses:l;message:s;nodeAllocatableResourceClaimStatuses:k@core/v1.NodeAllocatableResourceClaimStatus^resourceClaimName+merge=resourceClaimName;nominatedNodeName:s;observedGeneration:s;phase:s;podIP:s;podIPs:k@core/v1.PodIP^ip+merge=ip;qosClass:s;reason:s;resize:s;resourceClaimStatuses:k@core/v1.PodResourceClaimStatus^name+merge,retainKeys=name;resources:o@core/v1.ResourceRequirements;startTime:s;volumeHealth:k@core/v1.PodVolumeHealth^name",
    ),
    (
        "core/v1.PodTemplate",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;template:o@core/v1.PodTemplateSpec~",
    ),
    (
        "core/v1.PodTemplateSpec",
        false,
        "metadata:o@meta/v1.ObjectMeta~;spec:o@core/v1.PodSpec~",
    ),
    (
        "core/v1.PodVolumeHealth",
        false,
        "healthConditions:k@core/v1.VolumeHealthCondition^status,reason+merge=status;lastTransitionTime:s;name:s",
    ),
    (
        "core/v1.PortworxVolumeSource",
        false,
        "fsType:s;readOnly:s;volumeID:s",
    ),
    (
        "core/v1.Probe",
        false,
        "exec:o@core/v1.ExecAction;failureThreshold:s;grpc:o@core/v1.GRPCAction;httpGet:o@core/v1.HTTPGetAction;initialDelaySeconds:s;periodSeconds:s;successThreshold:s;tcpSocket:o@core/v1.TCPSocketAction;terminationGracePeriodSeconds:s;timeoutSeconds:s",
    ),
    (
        "core/v1.ProjectedVolumeSource",
        false,
        "defaultMode:s;defaultUser:s;sources:l_",
    ),
    (
        "core/v1.QuobyteVolumeSource",
        false,
        "group:s;readOnly:s;registry:s;tenant:s;user:s;volume:s",
    ),
    (
        "core/v1.RBDPersistentVolumeSource",
        false,
        "fsType:s;image:s;keyring:s;monitors:l_;pool:s;readOnly:s;secretRef:O@core/v1.SecretReference;user:s",
    ),
    (
        "core/v1.RBDVolumeSource",
        false,
        "fsType:s;image:s;keyring:s;monitors:l_;pool:s;readOnly:s;secretRef:O@core/v1.LocalObjectReference;user:s",
    ),
    (
        "core/v1.RangeAllocation",
        false,
        "apiVersion:s;data:s;kind:s;metadata:o@meta/v1.ObjectMeta~;range:s",
    ),
    (
        "core/v1.ReplicationController",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@core/v1.ReplicationControllerSpec~;status:o@core/v1.ReplicationControllerStatus~",
    ),
    (
        "core/v1.ReplicationControllerCondition",
        false,
        "lastTransitionTime:s;message:s;reason:s;status:s;type:s",
    ),
    (
        "core/v1.ReplicationControllerSpec",
        false,
        "minReadySeconds:s;replicas:s;selector:M;template:o@core/v1.PodTemplateSpec",
    ),
    (
        "core/v1.ReplicationControllerStatus",
        false,
        "availableReplicas:s;conditions:k@core/v1.ReplicationControllerCondition^type+merge=type;fullyLabeledReplicas:s;observedGeneration:s;readyReplicas:s;replicas:s",
    ),
    ("core/v1.ResourceClaim", false, "name:s;request:s"),
    (
        "core/v1.ResourceFieldSelector",
        true,
        "containerName:s;divisor:s;resource:s",
    ),
    (
        "core/v1.ResourceQuota",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@core/v1.ResourceQuotaSpec~;status:o@core/v1.ResourceQuotaStatus~",
    ),
    (
        "core/v1.ResourceQuotaSpec",
        false,
        "hard:m;scopeSelector:O@core/v1.ScopeSelector;scopes:l",
    ),
    ("core/v1.ResourceQuotaStatus", false, "hard:m;used:m"),
    (
        "core/v1.ResourceRequirements",
        false,
        "claims:k@core/v1.ResourceClaim^name;limits:m;requests:m",
    ),
    (
        "core/v1.SELinuxOptions",
        false,
        "level:s;role:s;type:s;user:s",
    ),
    (
        "core/v1.ScaleIOPersistentVolumeSource",
        false,
        "fsType:s;gateway:s;protectionDomain:s;readOnly:s;secretRef:O@core/v1.SecretReference_;sslEnabled:s;storageMode:s;storagePool:s;system:s;volumeName:s",
    ),
    (
        "core/v1.ScaleIOVolumeSource",
        false,
        "fsType:s;gateway:s;protectionDomain:s;readOnly:s;secretRef:O@core/v1.LocalObjectReference_;sslEnabled:s;storageMode:s;storagePool:s;system:s;volumeName:s",
    ),
    ("core/v1.ScopeSelector", true, "matchExpressions:l"),
    ("core/v1.SeccompProfile", false, "localhostProfile:s;type:s"),
    (
        "core/v1.Secret",
        false,
        "apiVersion:s;data:m;immutable:s;kind:s;metadata:o@meta/v1.ObjectMeta~;stringData:m;type:s",
    ),
    ("core/v1.SecretKeySelector", true, "key:s;name:s;optional:s"),
    ("core/v1.SecretReference", true, "name:s;namespace:s"),
    (
        "core/v1.SecretVolumeSource",
        false,
        "defaultMode:s;defaultUser:s;items:l;optional:s;secretName:s",
    ),
    (
        "core/v1.SecurityContext",
        false,
        "allowPrivilegeEscalation:s;appArmorProfile:o@core/v1.AppArmorProfile;capabilities:o@core/v1.Capabilities;privileged:s;procMount:s;readOnlyRootFilesystem:s;runAsGroup:s;runAsNonRoot:s;runAsUser:s;seLinuxOptions:o@core/v1.SELinuxOptions;seccompProfile:o@core/v1.SeccompProfile;windowsOptions:o@core/v1.WindowsSecurityContextOptions",
    ),
    (
        "core/v1.Service",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@core/v1.ServiceSpec~;status:o@core/v1.ServiceStatus~",
    ),
    (
        "core/v1.ServiceAccount",
        false,
        "apiVersion:s;automountServiceAccountToken:s;imagePullSecrets:l;kind:s;metadata:o@meta/v1.ObjectMeta~;secrets:k@core/v1.ObjectReference^name+merge=name",
    ),
    (
        "core/v1.ServicePort",
        false,
        "appProtocol:s;name:s;nodePort:s;port:s;protocol:s;targetPort:s",
    ),
    (
        "core/v1.ServiceSpec",
        false,
        "allocateLoadBalancerNodePorts:s;clusterIP:s;clusterIPs:l;externalIPs:l;externalName:s;externalTrafficPolicy:s;healthCheckNodePort:s;internalTrafficPolicy:s;ipFamilies:l;ipFamilyPolicy:s;loadBalancerClass:s;loadBalancerIP:s;loadBalancerSourceRanges:l;ports:k@core/v1.ServicePort^port,protocol+merge=port;publishNotReadyAddresses:s;selector:M;sessionAffinity:s;sessionAffinityConfig:o@core/v1.SessionAffinityConfig;trafficDistribution:s;type:s",
    ),
    (
        "core/v1.ServiceStatus",
        false,
        "conditions:k@meta/v1.Condition^type+merge=type;loadBalancer:o@core/v1.LoadBalancerStatus~",
    ),
    (
        "core/v1.SessionAffinityConfig",
        false,
        "clientIP:o@core/v1.ClientIPConfig",
    ),
    ("core/v1.SleepAction", false, "seconds:s"),
    (
        "core/v1.StorageOSPersistentVolumeSource",
        false,
        "fsType:s;readOnly:s;secretRef:O@core/v1.ObjectReference;volumeName:s;volumeNamespace:s",
    ),
    (
        "core/v1.StorageOSVolumeSource",
        false,
        "fsType:s;readOnly:s;secretRef:O@core/v1.LocalObjectReference;volumeName:s;volumeNamespace:s",
    ),
    ("core/v1.TCPSocketAction", false, "host:s;port:s"),
    (
        "core/v1.TopologySpreadConstraint",
        false,
        "labelSelector:O@meta/v1.LabelSelector;matchLabelKeys:l;maxSkew:s;minDomains:s;nodeAffinityPolicy:s;nodeTaintsPolicy:s;topologyKey:s;whenUnsatisfiable:s",
    ),
    (
        "core/v1.TypedLocalObjectReference",
        true,
        "apiGroup:s;kind:s;name:s",
    ),
    (
        "core/v1.TypedObjectReference",
        false,
        "apiGroup:s;kind:s;name:s;namespace:s",
    ),
    (
        "core/v1.Volume",
        false,
        "awsElasticBlockStore:o@core/v1.AWSElasticBlockStoreVolumeSource;azureDisk:o@core/v1.AzureDiskVolumeSource;azureFile:o@core/v1.AzureFileVolumeSource;cephfs:o@core/v1.CephFSVolumeSource;cinder:o@core/v1.CinderVolumeSource;configMap:o@core/v1.ConfigMapVolumeSource;csi:o@core/v1.CSIVolumeSource;downwardAPI:o@core/v1.DownwardAPIVolumeSource;emptyDir:o@core/v1.EmptyDirVolumeSource;ephemeral:o@core/v1.EphemeralVolumeSource;fc:o@core/v1.FCVolumeSource;flexVolume:o@core/v1.FlexVolumeSource;flocker:o@core/v1.FlockerVolumeSource;gcePersistentDisk:o@core/v1.GCEPersistentDiskVolumeSource;gitRepo:o@core/v1.GitRepoVolumeSource;glusterfs:o@core/v1.GlusterfsVolumeSource;hostPath:o@core/v1.HostPathVolumeSource;image:o@core/v1.ImageVolumeSource;iscsi:o@core/v1.ISCSIVolumeSource;name:s;nfs:o@core/v1.NFSVolumeSource;persistentVolumeClaim:o@core/v1.PersistentVolumeClaimVolumeSource;photonPersistentDisk:o@core/v1.PhotonPersistentDiskVolumeSource;portworxVolume:o@core/v1.PortworxVolumeSource;projected:o@core/v1.ProjectedVolumeSource;quobyte:o@core/v1.QuobyteVolumeSource;rbd:o@core/v1.RBDVolumeSource;scaleIO:o@core/v1.ScaleIOVolumeSource;secret:o@core/v1.SecretVolumeSource;storageos:o@core/v1.StorageOSVolumeSource;vsphereVolume:o@core/v1.VsphereVirtualDiskVolumeSource",
    ),
    ("core/v1.VolumeDevice", false, "devicePath:s;name:s"),
    (
        "core/v1.VolumeHealthCondition",
        false,
        "message:s;reason:s;status:s",
    ),
    (
        "core/v1.VolumeHealthStatus",
        false,
        "healthConditions:k@core/v1.VolumeHealthCondition^status,reason+merge=status;lastTransitionTime:s",
    ),
    (
        "core/v1.VolumeMount",
        false,
        "bindMountOptions:e;mountPath:s;mountPropagation:s;name:s;readOnly:s;recursiveReadOnly:s;subPath:s;subPathExpr:s",
    ),
    (
        "core/v1.VolumeNodeAffinity",
        false,
        "required:O@core/v1.NodeSelector",
    ),
    (
        "core/v1.VolumeResourceRequirements",
        false,
        "limits:m;requests:m",
    ),
    (
        "core/v1.VsphereVirtualDiskVolumeSource",
        false,
        "fsType:s;storagePolicyID:s;storagePolicyName:s;volumePath:s",
    ),
    (
        "core/v1.WindowsSecurityContextOptions",
        false,
        "gmsaCredentialSpec:s;gmsaCredentialSpecName:s;hostProcess:s;runAsUserName:s",
    ),
    (
        "discovery/v1.EndpointSlice",
        false,
        "addressType:s;apiVersion:s;endpoints:l_;kind:s;metadata:o@meta/v1.ObjectMeta~;ports:l_",
    ),
    (
        "events/v1.Event",
        false,
        "action:s;apiVersion:s;deprecatedCount:s;deprecatedFirstTimestamp:s;deprecatedLastTimestamp:s;deprecatedSource:o@core/v1.EventSource~;eventTime:s;kind:s;metadata:o@meta/v1.ObjectMeta~;note:s;reason:s;regarding:O@core/v1.ObjectReference~;related:O@core/v1.ObjectReference;reportingController:s;reportingInstance:s;series:o@events/v1.EventSeries;type:s",
    ),
    ("events/v1.EventSeries", false, "count:s;lastObservedTime:s"),
    (
        "extensions/v1beta1.DaemonSet",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@extensions/v1beta1.DaemonSetSpec~;status:o@extensions/v1beta1.DaemonSetStatus~",
    ),
    (
        "extensions/v1beta1.DaemonSetCondition",
        false,
        "lastTransitionTime:s;message:s;reason:s;status:s;type:s",
    ),
    (
        "extensions/v1beta1.DaemonSetSpec",
        false,
        "minReadySeconds:s;revisionHistoryLimit:s;selector:O@meta/v1.LabelSelector;template:o@core/v1.PodTemplateSpec~;templateGeneration:s;updateStrategy:o@extensions/v1beta1.DaemonSetUpdateStrategy~",
    ),
    (
        "extensions/v1beta1.DaemonSetStatus",
        false,
        "collisionCount:s;conditions:k@extensions/v1beta1.DaemonSetCondition^type+merge=type;currentNumberScheduled:s;desiredNumberScheduled:s;numberAvailable:s;numberMisscheduled:s;numberReady:s;numberUnavailable:s;observedGeneration:s;updatedNumberScheduled:s",
    ),
    (
        "extensions/v1beta1.DaemonSetUpdateStrategy",
        false,
        "rollingUpdate:o@extensions/v1beta1.RollingUpdateDaemonSet;type:s",
    ),
    (
        "extensions/v1beta1.Deployment",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@extensions/v1beta1.DeploymentSpec~;status:o@extensions/v1beta1.DeploymentStatus~",
    ),
    (
        "extensions/v1beta1.DeploymentCondition",
        false,
        "lastTransitionTime:s;lastUpdateTime:s;message:s;reason:s;status:s;type:s",
    ),
    (
        "extensions/v1beta1.DeploymentSpec",
        false,
        "minReadySeconds:s;paused:s;progressDeadlineSeconds:s;replicas:s;revisionHistoryLimit:s;rollbackTo:o@extensions/v1beta1.RollbackConfig;selector:O@meta/v1.LabelSelector;strategy:o@extensions/v1beta1.DeploymentStrategy+retainKeys~;template:o@core/v1.PodTemplateSpec~",
    ),
    (
        "extensions/v1beta1.DeploymentStatus",
        false,
        "availableReplicas:s;collisionCount:s;conditions:k@extensions/v1beta1.DeploymentCondition^type+merge=type;observedGeneration:s;readyReplicas:s;replicas:s;terminatingReplicas:s;unavailableReplicas:s;updatedReplicas:s",
    ),
    (
        "extensions/v1beta1.DeploymentStrategy",
        false,
        "rollingUpdate:o@extensions/v1beta1.RollingUpdateDeployment;type:s",
    ),
    (
        "extensions/v1beta1.Ingress",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@extensions/v1beta1.IngressSpec~;status:o@extensions/v1beta1.IngressStatus~",
    ),
    (
        "extensions/v1beta1.IngressBackend",
        false,
        "resource:O@core/v1.TypedLocalObjectReference;serviceName:s;servicePort:s",
    ),
    (
        "extensions/v1beta1.IngressLoadBalancerStatus",
        false,
        "ingress:l",
    ),
    (
        "extensions/v1beta1.IngressSpec",
        false,
        "backend:o@extensions/v1beta1.IngressBackend;ingressClassName:s;rules:l;tls:l",
    ),
    (
        "extensions/v1beta1.IngressStatus",
        false,
        "loadBalancer:o@extensions/v1beta1.IngressLoadBalancerStatus~",
    ),
    (
        "extensions/v1beta1.NetworkPolicy",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@extensions/v1beta1.NetworkPolicySpec~",
    ),
    (
        "extensions/v1beta1.NetworkPolicySpec",
        false,
        "egress:l;ingress:l;podSelector:O@meta/v1.LabelSelector~;policyTypes:l",
    ),
    (
        "extensions/v1beta1.ReplicaSet",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@extensions/v1beta1.ReplicaSetSpec~;status:o@extensions/v1beta1.ReplicaSetStatus~",
    ),
    (
        "extensions/v1beta1.ReplicaSetCondition",
        false,
        "lastTransitionTime:s;message:s;reason:s;status:s;type:s",
    ),
    (
        "extensions/v1beta1.ReplicaSetSpec",
        false,
        "minReadySeconds:s;replicas:s;selector:O@meta/v1.LabelSelector;template:o@core/v1.PodTemplateSpec~",
    ),
    (
        "extensions/v1beta1.ReplicaSetStatus",
        false,
        "availableReplicas:s;conditions:k@extensions/v1beta1.ReplicaSetCondition^type+merge=type;fullyLabeledReplicas:s;observedGeneration:s;readyReplicas:s;replicas:s;terminatingReplicas:s",
    ),
    ("extensions/v1beta1.RollbackConfig", false, "revision:s"),
    (
        "extensions/v1beta1.RollingUpdateDaemonSet",
        false,
        "maxSurge:s;maxUnavailable:s",
    ),
    (
        "extensions/v1beta1.RollingUpdateDeployment",
        false,
        "maxSurge:s;maxUnavailable:s",
    ),
    (
        "extensions/v1beta1.Scale",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@extensions/v1beta1.ScaleSpec~;status:o@extensions/v1beta1.ScaleStatus~",
    ),
    ("extensions/v1beta1.ScaleSpec", false, "replicas:s"),
    (
        "extensions/v1beta1.ScaleStatus",
        false,
        "replicas:s;selector:M;targetSelector:s",
    ),
    (
        "flowcontrol/v1.ExemptPriorityLevelConfiguration",
        false,
        "lendablePercent:s;nominalConcurrencyShares:s",
    ),
    ("flowcontrol/v1.FlowDistinguisherMethod", false, "type:s"),
    (
        "flowcontrol/v1.FlowSchema",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@flowcontrol/v1.FlowSchemaSpec~;status:o@flowcontrol/v1.FlowSchemaStatus~",
    ),
    (
        "flowcontrol/v1.FlowSchemaCondition",
        false,
        "lastTransitionTime:s;message:s;reason:s;status:s;type:s",
    ),
    (
        "flowcontrol/v1.FlowSchemaSpec",
        false,
        "distinguisherMethod:o@flowcontrol/v1.FlowDistinguisherMethod;matchingPrecedence:s;priorityLevelConfiguration:o@flowcontrol/v1.PriorityLevelConfigurationReference~;rules:l",
    ),
    (
        "flowcontrol/v1.FlowSchemaStatus",
        false,
        "conditions:k@flowcontrol/v1.FlowSchemaCondition^type+merge=type",
    ),
    (
        "flowcontrol/v1.LimitResponse",
        false,
        "queuing:o@flowcontrol/v1.QueuingConfiguration;type:s",
    ),
    (
        "flowcontrol/v1.LimitedPriorityLevelConfiguration",
        false,
        "borrowingLimitPercent:s;lendablePercent:s;limitResponse:o@flowcontrol/v1.LimitResponse~;nominalConcurrencyShares:s",
    ),
    (
        "flowcontrol/v1.PriorityLevelConfiguration",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@flowcontrol/v1.PriorityLevelConfigurationSpec~;status:o@flowcontrol/v1.PriorityLevelConfigurationStatus~",
    ),
    (
        "flowcontrol/v1.PriorityLevelConfigurationCondition",
        false,
        "lastTransitionTime:s;message:s;reason:s;status:s;type:s",
    ),
    (
        "flowcontrol/v1.PriorityLevelConfigurationReference",
        false,
        "name:s",
    ),
    (
        "flowcontrol/v1.PriorityLevelConfigurationSpec",
        false,
        "exempt:o@flowcontrol/v1.ExemptPriorityLevelConfiguration;limited:o@flowcontrol/v1.LimitedPriorityLevelConfiguration;type:s",
    ),
    (
        "flowcontrol/v1.PriorityLevelConfigurationStatus",
        false,
        "conditions:k@flowcontrol/v1.PriorityLevelConfigurationCondition^type+merge=type",
    ),
    (
        "flowcontrol/v1.QueuingConfiguration",
        false,
        "handSize:s;queueLengthLimit:s;queues:s",
    ),
    (
        "meta/v1.Condition",
        false,
        "lastTransitionTime:s;message:s;observedGeneration:s;reason:s;status:s;type:s",
    ),
    (
        "meta/v1.DeleteOptions",
        false,
        "apiVersion:s;dryRun:l;gracePeriodSeconds:s;ignoreStoreReadErrorWithClusterBreakingPotential:s;kind:s;orphanDependents:s;preconditions:o@meta/v1.Preconditions;propagationPolicy:s",
    ),
    (
        "meta/v1.LabelSelector",
        true,
        "matchExpressions:l;matchLabels:m",
    ),
    (
        "meta/v1.ObjectMeta",
        false,
        "annotations:m;creationTimestamp:s;deletionGracePeriodSeconds:s;deletionTimestamp:s;finalizers:e+merge;generateName:s;generation:s;labels:m;managedFields:l;name:s;namespace:s;ownerReferences:k@meta/v1.OwnerReference^uid+merge=uid;resourceVersion:s;selfLink:s;uid:s",
    ),
    (
        "meta/v1.OwnerReference",
        true,
        "apiVersion:s;blockOwnerDeletion:s;controller:s;kind:s;name:s;uid:s",
    ),
    ("meta/v1.Preconditions", false, "resourceVersion:s;uid:s"),
    (
        "networking/v1.IPAddress",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@networking/v1.IPAddressSpec~",
    ),
    (
        "networking/v1.IPAddressSpec",
        false,
        "parentRef:o@networking/v1.ParentReference",
    ),
    (
        "networking/v1.Ingress",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@networking/v1.IngressSpec~;status:o@networking/v1.IngressStatus~",
    ),
    (
        "networking/v1.IngressBackend",
        false,
        "resource:O@core/v1.TypedLocalObjectReference;service:o@networking/v1.IngressServiceBackend",
    ),
    (
        "networking/v1.IngressClass",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@networking/v1.IngressClassSpec~",
    ),
    (
        "networking/v1.IngressClassParametersReference",
        false,
        "apiGroup:s;kind:s;name:s;namespace:s;scope:s",
    ),
    (
        "networking/v1.IngressClassSpec",
        false,
        "controller:s;parameters:o@networking/v1.IngressClassParametersReference",
    ),
    (
        "networking/v1.IngressLoadBalancerStatus",
        false,
        "ingress:l",
    ),
    (
        "networking/v1.IngressServiceBackend",
        false,
        "name:s;port:O@networking/v1.ServiceBackendPort~",
    ),
    (
        "networking/v1.IngressSpec",
        false,
        "defaultBackend:o@networking/v1.IngressBackend;ingressClassName:s;rules:l;tls:l",
    ),
    (
        "networking/v1.IngressStatus",
        false,
        "loadBalancer:o@networking/v1.IngressLoadBalancerStatus~",
    ),
    (
        "networking/v1.NetworkPolicy",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@networking/v1.NetworkPolicySpec~",
    ),
    (
        "networking/v1.NetworkPolicySpec",
        false,
        "egress:l;ingress:l;podSelector:O@meta/v1.LabelSelector~;policyTypes:l",
    ),
    (
        "networking/v1.ParentReference",
        false,
        "group:s;name:s;namespace:s;resource:s",
    ),
    ("networking/v1.ServiceBackendPort", true, "name:s;number:s"),
    (
        "networking/v1.ServiceCIDR",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@networking/v1.ServiceCIDRSpec~;status:o@networking/v1.ServiceCIDRStatus~",
    ),
    ("networking/v1.ServiceCIDRSpec", false, "cidrs:l"),
    (
        "networking/v1.ServiceCIDRStatus",
        false,
        "conditions:k@meta/v1.Condition^type+merge=type",
    ),
    (
        "networking/v1beta1.IPAddress",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@networking/v1beta1.IPAddressSpec~",
    ),
    (
        "networking/v1beta1.IPAddressSpec",
        false,
        "parentRef:o@networking/v1beta1.ParentReference",
    ),
    (
        "networking/v1beta1.Ingress",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@networking/v1beta1.IngressSpec~;status:o@networking/v1beta1.IngressStatus~",
    ),
    (
        "networking/v1beta1.IngressBackend",
        false,
        "resource:O@core/v1.TypedLocalObjectReference;serviceName:s;servicePort:s",
    ),
    (
        "networking/v1beta1.IngressClass",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@networking/v1beta1.IngressClassSpec~",
    ),
    (
        "networking/v1beta1.IngressClassParametersReference",
        false,
        "apiGroup:s;kind:s;name:s;namespace:s;scope:s",
    ),
    (
        "networking/v1beta1.IngressClassSpec",
        false,
        "controller:s;parameters:o@networking/v1beta1.IngressClassParametersReference",
    ),
    (
        "networking/v1beta1.IngressLoadBalancerStatus",
        false,
        "ingress:l",
    ),
    (
        "networking/v1beta1.IngressSpec",
        false,
        "backend:o@networking/v1beta1.IngressBackend;ingressClassName:s;rules:l;tls:l",
    ),
    (
        "networking/v1beta1.IngressStatus",
        false,
        "loadBalancer:o@networking/v1beta1.IngressLoadBalancerStatus~",
    ),
    (
        "networking/v1beta1.ParentReference",
        false,
        "group:s;name:s;namespace:s;resource:s",
    ),
    (
        "networking/v1beta1.ServiceCIDR",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@networking/v1beta1.ServiceCIDRSpec~;status:o@networking/v1beta1.ServiceCIDRStatus~",
    ),
    ("networking/v1beta1.ServiceCIDRSpec", false, "cidrs:l"),
    (
        "networking/v1beta1.ServiceCIDRStatus",
        false,
        "conditions:k@meta/v1.Condition^type+merge=type",
    ),
    ("node/v1.Overhead", false, "podFixed:m"),
    (
        "node/v1.RuntimeClass",
        false,
        "apiVersion:s;handler:s;kind:s;metadata:o@meta/v1.ObjectMeta~;overhead:o@node/v1.Overhead;scheduling:o@node/v1.Scheduling",
    ),
    ("node/v1.Scheduling", false, "nodeSelector:M;tolerations:l"),
    (
        "policy/v1.Eviction",
        false,
        "apiVersion:s;deleteOptions:o@meta/v1.DeleteOptions;kind:s;metadata:o@meta/v1.ObjectMeta~",
    ),
    (
        "policy/v1.PodDisruptionBudget",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@policy/v1.PodDisruptionBudgetSpec~;status:o@policy/v1.PodDisruptionBudgetStatus~",
    ),
    (
        "policy/v1.PodDisruptionBudgetSpec",
        false,
        "maxUnavailable:s;minAvailable:s;selector:O@meta/v1.LabelSelector+replace;unhealthyPodEvictionPolicy:s",
    ),
    (
        "policy/v1.PodDisruptionBudgetStatus",
        false,
        "conditions:k@meta/v1.Condition^type+merge=type;currentHealthy:s;desiredHealthy:s;disruptedPods:m;disruptionsAllowed:s;expectedPods:s;observedGeneration:s",
    ),
    (
        "policy/v1beta1.Eviction",
        false,
        "apiVersion:s;deleteOptions:o@meta/v1.DeleteOptions;kind:s;metadata:o@meta/v1.ObjectMeta~",
    ),
    (
        "policy/v1beta1.FSGroupStrategyOptions",
        false,
        "ranges:l;rule:s",
    ),
    (
        "policy/v1beta1.PodDisruptionBudget",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@policy/v1beta1.PodDisruptionBudgetSpec~;status:o@policy/v1beta1.PodDisruptionBudgetStatus~",
    ),
    (
        "policy/v1beta1.PodDisruptionBudgetSpec",
        false,
        "maxUnavailable:s;minAvailable:s;selector:O@meta/v1.LabelSelector;unhealthyPodEvictionPolicy:s",
    ),
    (
        "policy/v1beta1.PodDisruptionBudgetStatus",
        false,
        "conditions:k@meta/v1.Condition^type+merge=type;currentHealthy:s;desiredHealthy:s;disruptedPods:m;disruptionsAllowed:s;expectedPods:s;observedGeneration:s",
    ),
    (
        "policy/v1beta1.PodSecurityPolicy",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@policy/v1beta1.PodSecurityPolicySpec~",
    ),
    (
        "policy/v1beta1.PodSecurityPolicySpec",
        false,
        "allowPrivilegeEscalation:s;allowedCSIDrivers:l;allowedCapabilities:l;allowedFlexVolumes:l;allowedHostPaths:l;allowedProcMountTypes:l;allowedUnsafeSysctls:l;defaultAddCapabilities:l;defaultAllowPrivilegeEscalation:s;forbiddenSysctls:l;fsGroup:o@policy/v1beta1.FSGroupStrategyOptions~;hostIPC:s;hostNetwork:s;hostPID:s;hostPorts:l;privileged:s;readOnlyRootFilesystem:s;requiredDropCapabilities:l;runAsGroup:o@policy/v1beta1.RunAsGroupStrategyOptions;runAsUser:o@policy/v1beta1.RunAsUserStrategyOptions~;runtimeClass:o@policy/v1beta1.RuntimeClassStrategyOptions;seLinux:o@policy/v1beta1.SELinuxStrategyOptions~;supplementalGroups:o@policy/v1beta1.SupplementalGroupsStrategyOptions~;volumes:l",
    ),
    (
        "policy/v1beta1.RunAsGroupStrategyOptions",
        false,
        "ranges:l;rule:s",
    ),
    (
        "policy/v1beta1.RunAsUserStrategyOptions",
        false,
        "ranges:l;rule:s",
    ),
    (
        "policy/v1beta1.RuntimeClassStrategyOptions",
        false,
        "allowedRuntimeClassNames:l_;defaultRuntimeClassName:s",
    ),
    (
        "policy/v1beta1.SELinuxStrategyOptions",
        false,
        "rule:s;seLinuxOptions:o@core/v1.SELinuxOptions",
    ),
    (
        "policy/v1beta1.SupplementalGroupsStrategyOptions",
        false,
        "ranges:l;rule:s",
    ),
    ("rbac/v1.AggregationRule", false, "clusterRoleSelectors:l"),
    (
        "rbac/v1.ClusterRole",
        false,
        "aggregationRule:o@rbac/v1.AggregationRule;apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;rules:l_",
    ),
    (
        "rbac/v1.ClusterRoleBinding",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;roleRef:O@rbac/v1.RoleRef~;subjects:l",
    ),
    (
        "rbac/v1.Role",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;rules:l_",
    ),
    (
        "rbac/v1.RoleBinding",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;roleRef:O@rbac/v1.RoleRef~;subjects:l",
    ),
    ("rbac/v1.RoleRef", true, "apiGroup:s;kind:s;name:s"),
    (
        "rbac/v1beta1.AggregationRule",
        false,
        "clusterRoleSelectors:l",
    ),
    (
        "rbac/v1beta1.ClusterRole",
        false,
        "aggregationRule:o@rbac/v1beta1.AggregationRule;apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;rules:l_",
    ),
    (
        "rbac/v1beta1.ClusterRoleBinding",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;roleRef:o@rbac/v1beta1.RoleRef~;subjects:l",
    ),
    (
        "rbac/v1beta1.Role",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;rules:l_",
    ),
    (
        "rbac/v1beta1.RoleBinding",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;roleRef:o@rbac/v1beta1.RoleRef~;subjects:l",
    ),
    ("rbac/v1beta1.RoleRef", false, "apiGroup:s;kind:s;name:s"),
    (
        "scheduling/v1.PriorityClass",
        false,
        "apiVersion:s;description:s;globalDefault:s;kind:s;metadata:o@meta/v1.ObjectMeta~;preemptionPolicy:s;value:s",
    ),
    ("scheduling/v1beta1.AllCompositeDisruptionMode", false, ""),
    ("scheduling/v1beta1.AllDisruptionMode", false, ""),
    ("scheduling/v1beta1.BasicSchedulingPolicy", false, ""),
    (
        "scheduling/v1beta1.CompositeBasicSchedulingPolicy",
        false,
        "",
    ),
    (
        "scheduling/v1beta1.CompositeDisruptionMode",
        false,
        "all:o@scheduling/v1beta1.AllCompositeDisruptionMode;single:o@scheduling/v1beta1.SingleCompositeDisruptionMode",
    ),
    (
        "scheduling/v1beta1.CompositeGangSchedulingPolicy",
        false,
        "minGroupCount:s",
    ),
    (
        "scheduling/v1beta1.CompositePodGroupSchedulingConstraints",
        false,
        "topology:l",
    ),
    (
        "scheduling/v1beta1.CompositePodGroupSchedulingPolicy",
        false,
        "basic:o@scheduling/v1beta1.CompositeBasicSchedulingPolicy;gang:o@scheduling/v1beta1.CompositeGangSchedulingPolicy",
    ),
    (
        "scheduling/v1beta1.CompositePodGroupTemplate",
        false,
        "compositePodGroupTemplates:k@scheduling/v1beta1.CompositePodGroupTemplate^name;disruptionMode:o@scheduling/v1beta1.CompositeDisruptionMode;name:s;podGroupTemplates:k@scheduling/v1beta1.PodGroupTemplate^name;preemptionPolicy:s;priority:s;priorityClassName:s;schedulingConstraints:o@scheduling/v1beta1.CompositePodGroupSchedulingConstraints;schedulingPolicy:o@scheduling/v1beta1.CompositePodGroupSchedulingPolicy~",
    ),
    (
        "scheduling/v1beta1.DisruptionMode",
        false,
        "all:o@scheduling/v1beta1.AllDisruptionMode;single:o@scheduling/v1beta1.SingleDisruptionMode",
    ),
    (
        "scheduling/v1beta1.GangSchedulingPolicy",
        false,
        "minCount:s",
    ),
    (
        "scheduling/v1beta1.PodGroup",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@scheduling/v1beta1.PodGroupSpec~;status:o@scheduling/v1beta1.PodGroupStatus~",
    ),
    (
        "scheduling/v1beta1.PodGroupResourceClaim",
        false,
        "name:s;resourceClaimName:s;resourceClaimTemplateName:s",
    ),
    (
        "scheduling/v1beta1.PodGroupResourceClaimStatus",
        false,
        "name:s;resourceClaimName:s",
    ),
    (
        "scheduling/v1beta1.PodGroupSchedulingConstraints",
        false,
        "topology:l",
    ),
    (
        "scheduling/v1beta1.PodGroupSchedulingPolicy",
        false,
        "basic:o@scheduling/v1beta1.BasicSchedulingPolicy;gang:o@scheduling/v1beta1.GangSchedulingPolicy",
    ),
    (
        "scheduling/v1beta1.PodGroupSpec",
        false,
        "disruptionMode:o@scheduling/v1beta1.DisruptionMode;parentCompositePodGroupName:s;preemptionPolicy:s;priority:s;priorityClassName:s;resourceClaims:k@scheduling/v1beta1.PodGroupResourceClaim^name+merge,retainKeys=name;schedulingConstraints:o@scheduling/v1beta1.PodGroupSchedulingConstraints;schedulingPolicy:o@scheduling/v1beta1.PodGroupSchedulingPolicy~;workloadRef:o@scheduling/v1beta1.WorkloadReference",
    ),
    (
        "scheduling/v1beta1.PodGroupStatus",
        false,
        "conditions:k@meta/v1.Condition^type+merge=type;resourceClaimStatuses:k@scheduling/v1beta1.PodGroupResourceClaimStatus^name+merge,retainKeys=name",
    ),
    (
        "scheduling/v1beta1.PodGroupTemplate",
        false,
        "disruptionMode:o@scheduling/v1beta1.DisruptionMode;name:s;preemptionPolicy:s;priority:s;priorityClassName:s;resourceClaims:k@scheduling/v1beta1.PodGroupResourceClaim^name+merge,retainKeys=name;schedulingConstraints:o@scheduling/v1beta1.PodGroupSchedulingConstraints_;schedulingPolicy:o@scheduling/v1beta1.PodGroupSchedulingPolicy~",
    ),
    (
        "scheduling/v1beta1.PriorityClass",
        false,
        "apiVersion:s;description:s;globalDefault:s;kind:s;metadata:o@meta/v1.ObjectMeta~;preemptionPolicy:s;value:s",
    ),
    (
        "scheduling/v1beta1.SingleCompositeDisruptionMode",
        false,
        "",
    ),
    ("scheduling/v1beta1.SingleDisruptionMode", false, ""),
    (
        "scheduling/v1beta1.TypedLocalObjectReference",
        false,
        "apiGroup:s;kind:s;name:s",
    ),
    (
        "scheduling/v1beta1.Workload",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@scheduling/v1beta1.WorkloadSpec~",
    ),
    (
        "scheduling/v1beta1.WorkloadReference",
        false,
        "templateName:s;workloadName:s",
    ),
    (
        "scheduling/v1beta1.WorkloadSpec",
        false,
        "compositePodGroupTemplates:k@scheduling/v1beta1.CompositePodGroupTemplate^name;controllerRef:o@scheduling/v1beta1.TypedLocalObjectReference;podGroupTemplates:k@scheduling/v1beta1.PodGroupTemplate^name_",
    ),
    (
        "storage/v1.CSIDriver",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@storage/v1.CSIDriverSpec~",
    ),
    (
        "storage/v1.CSIDriverSpec",
        false,
        "attachRequired:s;fsGroupPolicy:s;nodeAllocatableUpdatePeriodSeconds:s;podInfoOnMount:s;preventPodSchedulingIfMissing:s;requiresRepublish:s;seLinuxMount:s;serviceAccountTokenInSecrets:s;storageCapacity:s;tokenRequests:l;volumeLifecycleModes:e",
    ),
    (
        "storage/v1.CSINode",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@storage/v1.CSINodeSpec~;status:o@storage/v1.CSINodeStatus~",
    ),
    (
        "storage/v1.CSINodeDriver",
        false,
        "allocatable:o@storage/v1.VolumeNodeResources;name:s;nodeID:s;topologyKeys:l_",
    ),
    (
        "storage/v1.CSINodeSpec",
        false,
        "drivers:k@storage/v1.CSINodeDriver^name+merge=name_",
    ),
    (
        "storage/v1.CSINodeStatus",
        false,
        "storageHealth:k@storage/v1.StorageHealth^name+merge=name",
    ),
    (
        "storage/v1.CSIStorageCapacity",
        false,
        "apiVersion:s;capacity:s;kind:s;maximumVolumeSize:s;metadata:o@meta/v1.ObjectMeta~;nodeTopology:O@meta/v1.LabelSelector;storageClassName:s",
    ),
    (
        "storage/v1.StorageClass",
        false,
        "allowVolumeExpansion:s;allowedTopologies:l;apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;mountOptions:l;parameters:m;provisioner:s;reclaimPolicy:s;volumeBindingMode:s",
    ),
    (
        "storage/v1.StorageHealth",
        false,
        "healthConditions:l;name:s",
    ),
    (
        "storage/v1.VolumeAttachment",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@storage/v1.VolumeAttachmentSpec~;status:o@storage/v1.VolumeAttachmentStatus~",
    ),
    (
        "storage/v1.VolumeAttachmentSource",
        false,
        "inlineVolumeSpec:o@core/v1.PersistentVolumeSpec;persistentVolumeName:s",
    ),
    (
        "storage/v1.VolumeAttachmentSpec",
        false,
        "attacher:s;nodeName:s;source:o@storage/v1.VolumeAttachmentSource~",
    ),
    (
        "storage/v1.VolumeAttachmentStatus",
        false,
        "attachError:o@storage/v1.VolumeError;attached:s;attachmentMetadata:m;detachError:o@storage/v1.VolumeError",
    ),
    (
        "storage/v1.VolumeAttributesClass",
        false,
        "apiVersion:s;driverName:s;kind:s;metadata:o@meta/v1.ObjectMeta~;parameters:m",
    ),
    (
        "storage/v1.VolumeError",
        false,
        "errorCode:s;message:s;time:s",
    ),
    ("storage/v1.VolumeNodeResources", false, "count:s"),
    (
        "storage/v1beta1.CSIDriver",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@storage/v1beta1.CSIDriverSpec~",
    ),
    (
        "storage/v1beta1.CSIDriverSpec",
        false,
        "attachRequired:s;fsGroupPolicy:s;nodeAllocatableUpdatePeriodSeconds:s;podInfoOnMount:s;preventPodSchedulingIfMissing:s;requiresRepublish:s;seLinuxMount:s;serviceAccountTokenInSecrets:s;storageCapacity:s;tokenRequests:l;volumeLifecycleModes:l",
    ),
    (
        "storage/v1beta1.CSINode",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@storage/v1beta1.CSINodeSpec~;status:o@storage/v1beta1.CSINodeStatus~",
    ),
    (
        "storage/v1beta1.CSINodeDriver",
        false,
        "allocatable:o@storage/v1beta1.VolumeNodeResources;name:s;nodeID:s;topologyKeys:l_",
    ),
    (
        "storage/v1beta1.CSINodeSpec",
        false,
        "drivers:k@storage/v1beta1.CSINodeDriver^name+merge=name_",
    ),
    (
        "storage/v1beta1.CSINodeStatus",
        false,
        "storageHealth:k@storage/v1beta1.StorageHealth^name+merge=name",
    ),
    (
        "storage/v1beta1.CSIStorageCapacity",
        false,
        "apiVersion:s;capacity:s;kind:s;maximumVolumeSize:s;metadata:o@meta/v1.ObjectMeta~;nodeTopology:O@meta/v1.LabelSelector;storageClassName:s",
    ),
    (
        "storage/v1beta1.StorageClass",
        false,
        "allowVolumeExpansion:s;allowedTopologies:l;apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;mountOptions:l;parameters:m;provisioner:s;reclaimPolicy:s;volumeBindingMode:s",
    ),
    (
        "storage/v1beta1.StorageHealth",
        false,
        "healthConditions:l;name:s",
    ),
    (
        "storage/v1beta1.VolumeAttachment",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o@storage/v1beta1.VolumeAttachmentSpec~;status:o@storage/v1beta1.VolumeAttachmentStatus~",
    ),
    (
        "storage/v1beta1.VolumeAttachmentSource",
        false,
        "inlineVolumeSpec:o@core/v1.PersistentVolumeSpec;persistentVolumeName:s",
    ),
    (
        "storage/v1beta1.VolumeAttachmentSpec",
        false,
        "attacher:s;nodeName:s;source:o@storage/v1beta1.VolumeAttachmentSource~",
    ),
    (
        "storage/v1beta1.VolumeAttachmentStatus",
        false,
        "attachError:o@storage/v1beta1.VolumeError;attached:s;attachmentMetadata:m;detachError:o@storage/v1beta1.VolumeError",
    ),
    (
        "storage/v1beta1.VolumeAttributesClass",
        false,
        "apiVersion:s;driverName:s;kind:s;metadata:o@meta/v1.ObjectMeta~;parameters:m",
    ),
    (
        "storage/v1beta1.VolumeError",
        false,
        "errorCode:s;message:s;time:s",
    ),
    ("storage/v1beta1.VolumeNodeResources", false, "count:s"),
    (
        "synthetic.MetadataOnly",
        false,
        "apiVersion:s;kind:s;metadata:o@meta/v1.ObjectMeta~;spec:o;status:o",
    ),
];

static KINDS: &[(&str, &str, &str)] = &[
    (
        "admissionregistration.k8s.io/v1",
        "MutatingAdmissionPolicy",
        "admissionregistration/v1.MutatingAdmissionPolicy",
    ),
    (
        "admissionregistration.k8s.io/v1",
        "MutatingAdmissionPolicyBinding",
        "admissionregistration/v1.MutatingAdmissionPolicyBinding",
    ),
    (
        "admissionregistration.k8s.io/v1",
        "MutatingWebhookConfiguration",
        "admissionregistration/v1.MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1",
        "ValidatingAdmissionPolicy",
        "admissionregistration/v1.ValidatingAdmissionPolicy",
    ),
    (
        "admissionregistration.k8s.io/v1",
        "ValidatingAdmissionPolicyBinding",
        "admissionregistration/v1.ValidatingAdmissionPolicyBinding",
    ),
    (
        "admissionregistration.k8s.io/v1",
        "ValidatingWebhookConfiguration",
        "admissionregistration/v1.ValidatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "MutatingAdmissionPolicy",
        "admissionregistration/v1beta1.MutatingAdmissionPolicy",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "MutatingAdmissionPolicyBinding",
        "admissionregistration/v1beta1.MutatingAdmissionPolicyBinding",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "MutatingWebhookConfiguration",
        "admissionregistration/v1beta1.MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingAdmissionPolicy",
        "admissionregistration/v1beta1.ValidatingAdmissionPolicy",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingAdmissionPolicyBinding",
        "admissionregistration/v1beta1.ValidatingAdmissionPolicyBinding",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingWebhookConfiguration",
        "admissionregistration/v1beta1.ValidatingWebhookConfiguration",
    ),
    (
        "apiextensions.k8s.io/v1",
        "CustomResourceDefinition",
        "synthetic.MetadataOnly",
    ),
    (
        "apiextensions.k8s.io/v1beta1",
        "CustomResourceDefinition",
        "synthetic.MetadataOnly",
    ),
    (
        "apiregistration.k8s.io/v1",
        "APIService",
        "synthetic.MetadataOnly",
    ),
    (
        "apiregistration.k8s.io/v1beta1",
        "APIService",
        "synthetic.MetadataOnly",
    ),
    (
        "apps/v1",
        "ControllerRevision",
        "apps/v1.ControllerRevision",
    ),
    ("apps/v1", "DaemonSet", "apps/v1.DaemonSet"),
    ("apps/v1", "Deployment", "apps/v1.Deployment"),
    ("apps/v1", "ReplicaSet", "apps/v1.ReplicaSet"),
    ("apps/v1", "StatefulSet", "apps/v1.StatefulSet"),
    (
        "apps/v1beta1",
        "ControllerRevision",
        "apps/v1beta1.ControllerRevision",
    ),
    ("apps/v1beta1", "Deployment", "apps/v1beta1.Deployment"),
    ("apps/v1beta1", "Scale", "apps/v1beta1.Scale"),
    ("apps/v1beta1", "StatefulSet", "apps/v1beta1.StatefulSet"),
    (
        "apps/v1beta2",
        "ControllerRevision",
        "apps/v1beta2.ControllerRevision",
    ),
    ("apps/v1beta2", "DaemonSet", "apps/v1beta2.DaemonSet"),
    ("apps/v1beta2", "Deployment", "apps/v1beta2.Deployment"),
    ("apps/v1beta2", "ReplicaSet", "apps/v1beta2.ReplicaSet"),
    ("apps/v1beta2", "Scale", "apps/v1beta2.Scale"),
    ("apps/v1beta2", "StatefulSet", "apps/v1beta2.StatefulSet"),
    (
        "autoscaling/v1",
        "HorizontalPodAutoscaler",
        "autoscaling/v1.HorizontalPodAutoscaler",
    ),
    ("autoscaling/v1", "Scale", "autoscaling/v1.Scale"),
    (
        "autoscaling/v2",
        "HorizontalPodAutoscaler",
        "autoscaling/v2.HorizontalPodAutoscaler",
    ),
    (
        "autoscaling/v2beta1",
        "HorizontalPodAutoscaler",
        "autoscaling/v2beta1.HorizontalPodAutoscaler",
    ),
    (
        "autoscaling/v2beta2",
        "HorizontalPodAutoscaler",
        "autoscaling/v2beta2.HorizontalPodAutoscaler",
    ),
    ("batch/v1", "CronJob", "batch/v1.CronJob"),
    ("batch/v1", "Job", "batch/v1.Job"),
    ("batch/v1beta1", "CronJob", "batch/v1beta1.CronJob"),
    (
        "certificates.k8s.io/v1",
        "CertificateSigningRequest",
        "certificates/v1.CertificateSigningRequest",
    ),
    (
        "certificates.k8s.io/v1",
        "ClusterTrustBundle",
        "certificates/v1.ClusterTrustBundle",
    ),
    (
        "certificates.k8s.io/v1",
        "PodCertificateRequest",
        "certificates/v1.PodCertificateRequest",
    ),
    ("coordination.k8s.io/v1", "Lease", "coordination/v1.Lease"),
    (
        "discovery.k8s.io/v1",
        "EndpointSlice",
        "discovery/v1.EndpointSlice",
    ),
    ("events.k8s.io/v1", "Event", "events/v1.Event"),
    (
        "extensions/v1beta1",
        "DaemonSet",
        "extensions/v1beta1.DaemonSet",
    ),
    (
        "extensions/v1beta1",
        "Deployment",
        "extensions/v1beta1.Deployment",
    ),
    (
        "extensions/v1beta1",
        "Ingress",
        "extensions/v1beta1.Ingress",
    ),
    (
        "extensions/v1beta1",
        "NetworkPolicy",
        "extensions/v1beta1.NetworkPolicy",
    ),
    (
        "extensions/v1beta1",
        "ReplicaSet",
        "extensions/v1beta1.ReplicaSet",
    ),
    ("extensions/v1beta1", "Scale", "extensions/v1beta1.Scale"),
    (
        "flowcontrol.apiserver.k8s.io/v1",
        "FlowSchema",
        "flowcontrol/v1.FlowSchema",
    ),
    (
        "flowcontrol.apiserver.k8s.io/v1",
        "PriorityLevelConfiguration",
        "flowcontrol/v1.PriorityLevelConfiguration",
    ),
    (
        "networking.k8s.io/v1",
        "IPAddress",
        "networking/v1.IPAddress",
    ),
    ("networking.k8s.io/v1", "Ingress", "networking/v1.Ingress"),
    (
        "networking.k8s.io/v1",
        "IngressClass",
        "networking/v1.IngressClass",
    ),
    (
        "networking.k8s.io/v1",
        "NetworkPolicy",
        "networking/v1.NetworkPolicy",
    ),
    (
        "networking.k8s.io/v1",
        "ServiceCIDR",
        "networking/v1.ServiceCIDR",
    ),
    (
        "networking.k8s.io/v1beta1",
        "IPAddress",
        "networking/v1beta1.IPAddress",
    ),
    (
        "networking.k8s.io/v1beta1",
        "Ingress",
        "networking/v1beta1.Ingress",
    ),
    (
        "networking.k8s.io/v1beta1",
        "IngressClass",
        "networking/v1beta1.IngressClass",
    ),
    (
        "networking.k8s.io/v1beta1",
        "ServiceCIDR",
        "networking/v1beta1.ServiceCIDR",
    ),
    ("node.k8s.io/v1", "RuntimeClass", "node/v1.RuntimeClass"),
    ("policy/v1", "Eviction", "policy/v1.Eviction"),
    (
        "policy/v1",
        "PodDisruptionBudget",
        "policy/v1.PodDisruptionBudget",
    ),
    ("policy/v1beta1", "Eviction", "policy/v1beta1.Eviction"),
    (
        "policy/v1beta1",
        "PodDisruptionBudget",
        "policy/v1beta1.PodDisruptionBudget",
    ),
    (
        "policy/v1beta1",
        "PodSecurityPolicy",
        "policy/v1beta1.PodSecurityPolicy",
    ),
    (
        "rbac.authorization.k8s.io/v1",
        "ClusterRole",
        "rbac/v1.ClusterRole",
    ),
    (
        "rbac.authorization.k8s.io/v1",
        "ClusterRoleBinding",
        "rbac/v1.ClusterRoleBinding",
    ),
    ("rbac.authorization.k8s.io/v1", "Role", "rbac/v1.Role"),
    (
        "rbac.authorization.k8s.io/v1",
        "RoleBinding",
        "rbac/v1.RoleBinding",
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "ClusterRole",
        "rbac/v1beta1.ClusterRole",
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "ClusterRoleBinding",
        "rbac/v1beta1.ClusterRoleBinding",
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "Role",
        "rbac/v1beta1.Role",
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "RoleBinding",
        "rbac/v1beta1.RoleBinding",
    ),
    (
        "scheduling.k8s.io/v1",
        "PriorityClass",
        "scheduling/v1.PriorityClass",
    ),
    (
        "scheduling.k8s.io/v1beta1",
        "PodGroup",
        "scheduling/v1beta1.PodGroup",
    ),
    (
        "scheduling.k8s.io/v1beta1",
        "PriorityClass",
        "scheduling/v1beta1.PriorityClass",
    ),
    (
        "scheduling.k8s.io/v1beta1",
        "Workload",
        "scheduling/v1beta1.Workload",
    ),
    ("storage.k8s.io/v1", "CSIDriver", "storage/v1.CSIDriver"),
    ("storage.k8s.io/v1", "CSINode", "storage/v1.CSINode"),
    (
        "storage.k8s.io/v1",
        "CSIStorageCapacity",
        "storage/v1.CSIStorageCapacity",
    ),
    (
        "storage.k8s.io/v1",
        "StorageClass",
        "storage/v1.StorageClass",
    ),
    (
        "storage.k8s.io/v1",
        "VolumeAttachment",
        "storage/v1.VolumeAttachment",
    ),
    (
        "storage.k8s.io/v1",
        "VolumeAttributesClass",
        "storage/v1.VolumeAttributesClass",
    ),
    (
        "storage.k8s.io/v1beta1",
        "CSIDriver",
        "storage/v1beta1.CSIDriver",
    ),
    (
        "storage.k8s.io/v1beta1",
        "CSINode",
        "storage/v1beta1.CSINode",
    ),
    (
        "storage.k8s.io/v1beta1",
        "CSIStorageCapacity",
        "storage/v1beta1.CSIStorageCapacity",
    ),
    (
        "storage.k8s.io/v1beta1",
        "StorageClass",
        "storage/v1beta1.StorageClass",
    ),
    (
        "storage.k8s.io/v1beta1",
        "VolumeAttachment",
        "storage/v1beta1.VolumeAttachment",
    ),
    (
        "storage.k8s.io/v1beta1",
        "VolumeAttributesClass",
        "storage/v1beta1.VolumeAttributesClass",
    ),
    ("v1", "Binding", "core/v1.Binding"),
    ("v1", "ComponentStatus", "core/v1.ComponentStatus"),
    ("v1", "ConfigMap", "core/v1.ConfigMap"),
    ("v1", "Endpoints", "core/v1.Endpoints"),
    ("v1", "Event", "core/v1.Event"),
    ("v1", "LimitRange", "core/v1.LimitRange"),
    ("v1", "Namespace", "core/v1.Namespace"),
    ("v1", "Node", "core/v1.Node"),
    ("v1", "PersistentVolume", "core/v1.PersistentVolume"),
    (
        "v1",
        "PersistentVolumeClaim",
        "core/v1.PersistentVolumeClaim",
    ),
    ("v1", "Pod", "core/v1.Pod"),
    ("v1", "PodTemplate", "core/v1.PodTemplate"),
    ("v1", "RangeAllocation", "core/v1.RangeAllocation"),
    (
        "v1",
        "ReplicationController",
        "core/v1.ReplicationController",
    ),
    ("v1", "ResourceQuota", "core/v1.ResourceQuota"),
    ("v1", "Secret", "core/v1.Secret"),
    ("v1", "Service", "core/v1.Service"),
    ("v1", "ServiceAccount", "core/v1.ServiceAccount"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_spec_parses_and_every_referenced_type_exists() {
        for (name, _, spec) in TYPES {
            let info = type_info(name).expect("type parsed");
            let count = spec.split(';').filter(|s| !s.is_empty()).count();
            assert_eq!(
                info.fields.len(),
                count,
                "{name}: some field specs did not parse"
            );
            for (field, meta) in &info.fields {
                if let Some(elem) = meta.elem {
                    assert!(
                        type_info(elem).is_some(),
                        "{name}.{field} refers to missing {elem}"
                    );
                }
                if meta.kind == FieldKind::ListMap {
                    assert!(!meta.keys.is_empty(), "{name}.{field} has no list keys");
                }
            }
        }
        for (gv, kind, name) in KINDS {
            assert!(root_type(gv, kind).is_some(), "{gv} {kind} -> {name}");
        }
    }

    #[test]
    fn pod_spec_merge_keys_match_the_go_struct_tags() {
        let pod = type_info("core/v1.PodSpec").expect("PodSpec");
        let containers = pod.field("containers").expect("containers");
        assert_eq!(containers.kind, FieldKind::ListMap);
        assert_eq!(containers.merge_key, "name");
        assert_eq!(containers.elem, Some("core/v1.Container"));
        assert_eq!(containers.zero, Zero::Null);
        let volumes = pod.field("volumes").expect("volumes");
        assert!(volumes.has_strategy("merge") && volumes.has_strategy("retainKeys"));
        assert_eq!(
            pod.field("tolerations").expect("tolerations").kind,
            FieldKind::ListAtomic
        );
        let container = type_info("core/v1.Container").expect("Container");
        let ports = container.field("ports").expect("ports");
        assert_eq!(ports.merge_key, "containerPort");
        assert_eq!(ports.keys, vec!["containerPort", "protocol"]);
        assert_eq!(
            container.field("args").expect("args").kind,
            FieldKind::ListAtomic
        );
        let meta = object_meta().expect("ObjectMeta");
        assert_eq!(
            meta.field("finalizers").expect("finalizers").kind,
            FieldKind::ListSet
        );
        assert_eq!(
            meta.field("ownerReferences")
                .expect("ownerReferences")
                .merge_key,
            "uid"
        );
        let spec = type_info("apps/v1.DeploymentSpec").expect("DeploymentSpec");
        assert!(
            spec.field("strategy")
                .expect("strategy")
                .has_strategy("retainKeys")
        );
        let selector = spec.field("selector").expect("selector");
        assert!(selector.atomic && selector.kind == FieldKind::Struct);
        let hooks = root_type(
            "admissionregistration.k8s.io/v1",
            "ValidatingWebhookConfiguration",
        )
        .and_then(|t| t.field("webhooks"))
        .expect("webhooks");
        assert_eq!(hooks.merge_key, "name");
        let svc = type_info("core/v1.ServiceSpec").expect("ServiceSpec");
        assert_eq!(
            svc.field("ports").expect("ports").keys,
            vec!["port", "protocol"]
        );
    }

    #[test]
    fn legacy_and_current_versions_are_served() {
        for (gv, kind) in [
            ("v1", "ConfigMap"),
            ("apps/v1", "Deployment"),
            ("apps/v1beta1", "Deployment"),
            ("apps/v1beta2", "StatefulSet"),
            ("extensions/v1beta1", "Ingress"),
            ("batch/v1", "CronJob"),
            ("networking.k8s.io/v1", "Ingress"),
            ("policy/v1", "PodDisruptionBudget"),
            ("rbac.authorization.k8s.io/v1", "ClusterRole"),
            ("autoscaling/v2", "HorizontalPodAutoscaler"),
            ("coordination.k8s.io/v1", "Lease"),
            ("storage.k8s.io/v1", "StorageClass"),
            ("storage.k8s.io/v1beta1", "CSIDriver"),
            ("policy/v1beta1", "PodSecurityPolicy"),
            ("autoscaling/v2beta1", "HorizontalPodAutoscaler"),
            ("autoscaling/v2beta2", "HorizontalPodAutoscaler"),
            ("networking.k8s.io/v1beta1", "Ingress"),
            ("rbac.authorization.k8s.io/v1beta1", "RoleBinding"),
            ("scheduling.k8s.io/v1beta1", "PriorityClass"),
            (
                "admissionregistration.k8s.io/v1",
                "ValidatingWebhookConfiguration",
            ),
            (
                "admissionregistration.k8s.io/v1beta1",
                "MutatingWebhookConfiguration",
            ),
            ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
            ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"),
            ("apiregistration.k8s.io/v1", "APIService"),
            ("events.k8s.io/v1", "Event"),
            ("discovery.k8s.io/v1", "EndpointSlice"),
            ("flowcontrol.apiserver.k8s.io/v1", "FlowSchema"),
            ("node.k8s.io/v1", "RuntimeClass"),
            ("certificates.k8s.io/v1", "CertificateSigningRequest"),
            ("batch/v1beta1", "CronJob"),
        ] {
            assert!(root_type(gv, kind).is_some(), "{gv} {kind}");
        }
        assert!(root_type("example.com/v1", "Widget").is_none());
        assert!(root_type("v1", "Widget").is_none());
    }
}
