//! Role-based access control: the RBAC authorizer, the bootstrap policy and the review APIs.
//!
//! The rules follow kube-apiserver's RBAC authorizer:
//! - members of `system:masters` skip authorization;
//! - a request is allowed when a ClusterRoleBinding, or a RoleBinding in the request's namespace
//!   (pointing at a Role there or at a ClusterRole), has a subject matching the user and its role
//!   has a rule matching the request;
//! - resource rules match on verb, API group, `resource`/`resource/subresource`/`*`/`*/sub`, and
//!   `resourceNames` (empty, or containing the requested name);
//! - non-resource rules match on verb and on the URL, exactly or by a trailing-`*` prefix.
//!
//! Policy objects are read through [`RbacSource`] as raw JSON, so the store keeps them like any
//! other object and edits made with kubectl take effect on the next request.
//!
//! Denials render as the 403 `Status` the real server sends ([`forbidden_error`]); kubectl prints
//! its message verbatim, so [`forbidden_message`] reproduces the wording exactly.
//! [`check_escalation`] adds the API server's escalation prevention for RBAC writes, and the
//! review APIs (SubjectAccessReview and friends) evaluate the same rules.

use serde_json::{Map, Value, json};

use crate::error::ApiError;
pub use crate::request::{RequestAttributes as Attributes, UserIdentity as UserInfo};

/// The group whose members bypass authorization.
pub const MASTERS_GROUP: &str = "system:masters";

/// Read access to the RBAC objects of a store, as raw JSON objects.
pub trait RbacSource {
    /// Roles in namespace `ns`.
    fn roles(&self, ns: &str) -> Vec<Value>;
    /// All ClusterRoles.
    fn cluster_roles(&self) -> Vec<Value>;
    /// RoleBindings in namespace `ns`.
    fn role_bindings(&self, ns: &str) -> Vec<Value>;
    /// All ClusterRoleBindings.
    fn cluster_role_bindings(&self) -> Vec<Value>;
}

/// An RBAC source with no objects, for callers that run without a store (everyone but
/// `system:masters` is denied).
#[derive(Debug, Clone, Copy, Default)]
pub struct EmptyRbac;

impl RbacSource for EmptyRbac {
    fn roles(&self, _ns: &str) -> Vec<Value> {
        Vec::new()
    }
    fn cluster_roles(&self) -> Vec<Value> {
        Vec::new()
    }
    fn role_bindings(&self, _ns: &str) -> Vec<Value> {
        Vec::new()
    }
    fn cluster_role_bindings(&self) -> Vec<Value> {
        Vec::new()
    }
}

/// A fixed list of RBAC objects (Roles, ClusterRoles and their bindings, mixed), e.g. the
/// bootstrap policy; useful in tests and for review APIs evaluated outside the store.
#[derive(Debug, Clone, Default)]
pub struct StaticRbac {
    /// The objects; each is classified by its `kind`.
    pub objects: Vec<Value>,
}

impl StaticRbac {
    fn of_kind(&self, kind: &str, ns: Option<&str>) -> Vec<Value> {
        self.objects
            .iter()
            .filter(|o| o.get("kind").and_then(Value::as_str) == Some(kind))
            .filter(|o| match ns {
                Some(ns) => o.pointer("/metadata/namespace").and_then(Value::as_str) == Some(ns),
                None => true,
            })
            .cloned()
            .collect()
    }
}

impl RbacSource for StaticRbac {
    fn roles(&self, ns: &str) -> Vec<Value> {
        self.of_kind("Role", Some(ns))
    }
    fn cluster_roles(&self) -> Vec<Value> {
        self.of_kind("ClusterRole", None)
    }
    fn role_bindings(&self, ns: &str) -> Vec<Value> {
        self.of_kind("RoleBinding", Some(ns))
    }
    fn cluster_role_bindings(&self) -> Vec<Value> {
        self.of_kind("ClusterRoleBinding", None)
    }
}

/// The outcome of an authorization check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Allowed; the reason names the binding and role that granted it.
    Allow {
        /// e.g. `RBAC: allowed by ClusterRoleBinding "x" of ClusterRole "y" to User "alice"`.
        reason: String,
    },
    /// Denied; no binding grants the request.
    Deny {
        /// Why, for review APIs (empty when nothing matched, as the real authorizer reports).
        reason: String,
    },
}

impl Decision {
    /// Whether the request may proceed.
    pub fn allowed(&self) -> bool {
        matches!(self, Decision::Allow { .. })
    }

    /// The reason text.
    pub fn reason(&self) -> &str {
        match self {
            Decision::Allow { reason } | Decision::Deny { reason } => reason,
        }
    }
}

/// Authorizes `attrs` for `user` against the RBAC objects of `src`.
///
/// `user` is the identity checked (`attrs.user` is ignored, so callers may authorize other
/// identities for the same request, as impersonation does).
pub fn authorize(src: &dyn RbacSource, user: &UserInfo, attrs: &Attributes) -> Decision {
    if user.groups.iter().any(|g| g == MASTERS_GROUP) {
        return Decision::Allow {
            reason: format!("allowed: member of group \"{MASTERS_GROUP}\""),
        };
    }
    let mut found = None;
    visit_rules(src, user, &attrs.namespace, &mut |binding, rule| {
        if rule_matches(rule, attrs) {
            found = Some(binding.describe(user));
            true
        } else {
            false
        }
    });
    match found {
        Some(reason) => Decision::Allow { reason },
        None => Decision::Deny {
            reason: String::new(),
        },
    }
}

/// Where a matching rule came from, for the allow reason.
#[derive(Debug)]
struct BindingRef {
    binding_kind: &'static str,
    binding_name: String,
    binding_namespace: String,
    role_kind: String,
    role_name: String,
    subject: String,
}

impl BindingRef {
    fn describe(&self, _user: &UserInfo) -> String {
        if self.binding_namespace.is_empty() {
            format!(
                "RBAC: allowed by {} \"{}\" of {} \"{}\" to {}",
                self.binding_kind, self.binding_name, self.role_kind, self.role_name, self.subject
            )
        } else {
            format!(
                "RBAC: allowed by {} \"{}/{}\" of {} \"{}\" to {}",
                self.binding_kind,
                self.binding_name,
                self.binding_namespace,
                self.role_kind,
                self.role_name,
                self.subject
            )
        }
    }
}

/// Calls `f` for every rule granted to `user` in `namespace` (cluster-wide bindings first);
/// stops when `f` returns true.
fn visit_rules(
    src: &dyn RbacSource,
    user: &UserInfo,
    namespace: &str,
    f: &mut dyn FnMut(&BindingRef, &Value) -> bool,
) {
    let cluster_roles = src.cluster_roles();
    for binding in src.cluster_role_bindings() {
        let Some(subject) = matching_subject(&binding, user, "") else {
            continue;
        };
        let (role_kind, role_name) = role_ref(&binding);
        if role_kind != "ClusterRole" {
            continue;
        }
        let Some(role) = find_named(&cluster_roles, &role_name) else {
            continue;
        };
        let bref = BindingRef {
            binding_kind: "ClusterRoleBinding",
            binding_name: name_of(&binding).to_owned(),
            binding_namespace: String::new(),
            role_kind,
            role_name,
            subject,
        };
        for rule in rules_of(role) {
            if f(&bref, rule) {
                return;
            }
        }
    }
    if namespace.is_empty() {
        return;
    }
    let roles = src.roles(namespace);
    for binding in src.role_bindings(namespace) {
        let Some(subject) = matching_subject(&binding, user, namespace) else {
            continue;
        };
        let (role_kind, role_name) = role_ref(&binding);
        let role = match role_kind.as_str() {
            "ClusterRole" => find_named(&cluster_roles, &role_name),
            "Role" => find_named(&roles, &role_name),
            _ => None,
        };
        let Some(role) = role else { continue };
        let bref = BindingRef {
            binding_kind: "RoleBinding",
            binding_name: name_of(&binding).to_owned(),
            binding_namespace: namespace.to_owned(),
            role_kind,
            role_name,
            subject,
        };
        for rule in rules_of(role) {
            if f(&bref, rule) {
                return;
            }
        }
    }
}

fn name_of(obj: &Value) -> &str {
    obj.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn find_named<'a>(objs: &'a [Value], name: &str) -> Option<&'a Value> {
    objs.iter().find(|o| name_of(o) == name)
}

fn role_ref(binding: &Value) -> (String, String) {
    let kind = binding
        .pointer("/roleRef/kind")
        .and_then(Value::as_str)
        .unwrap_or("");
    let name = binding
        .pointer("/roleRef/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    (kind.to_owned(), name.to_owned())
}

fn rules_of(role: &Value) -> &[Value] {
    role.get("rules")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn strings<'a>(v: &'a Value, key: &str) -> Vec<&'a str> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// The first subject of `binding` that names `user`, described as the real authorizer does
/// (`User "alice"`, `Group "g"`, `ServiceAccount "sa/ns"`).
fn matching_subject(binding: &Value, user: &UserInfo, binding_ns: &str) -> Option<String> {
    let subjects = binding.get("subjects").and_then(Value::as_array)?;
    for s in subjects {
        let kind = s.get("kind").and_then(Value::as_str).unwrap_or("");
        let name = s.get("name").and_then(Value::as_str).unwrap_or("");
        match kind {
            "User" if user.name == name => return Some(format!("User \"{name}\"")),
            "Group" if user.groups.iter().any(|g| g == name) => {
                return Some(format!("Group \"{name}\""));
            }
            "ServiceAccount" => {
                let ns = s
                    .get("namespace")
                    .and_then(Value::as_str)
                    .filter(|n| !n.is_empty())
                    .unwrap_or(binding_ns);
                if !ns.is_empty() && user.name == format!("system:serviceaccount:{ns}:{name}") {
                    return Some(format!("ServiceAccount \"{name}/{ns}\""));
                }
            }
            _ => {}
        }
    }
    None
}

/// Whether one PolicyRule grants the request.
pub fn rule_matches(rule: &Value, attrs: &Attributes) -> bool {
    let verbs = strings(rule, "verbs");
    if !verbs.iter().any(|v| *v == "*" || *v == attrs.verb) {
        return false;
    }
    if attrs.is_resource_request {
        let groups = strings(rule, "apiGroups");
        if !groups.iter().any(|g| *g == "*" || *g == attrs.api_group) {
            return false;
        }
        let combined = if attrs.subresource.is_empty() {
            attrs.resource.clone()
        } else {
            format!("{}/{}", attrs.resource, attrs.subresource)
        };
        let any_sub = format!("*/{}", attrs.subresource);
        let resources = strings(rule, "resources");
        let resource_ok = resources.iter().any(|r| {
            *r == "*" || *r == combined || (!attrs.subresource.is_empty() && *r == any_sub)
        });
        if !resource_ok {
            return false;
        }
        let names = strings(rule, "resourceNames");
        names.is_empty() || (!attrs.name.is_empty() && names.iter().any(|n| *n == attrs.name))
    } else {
        strings(rule, "nonResourceURLs")
            .iter()
            .any(|u| non_resource_url_matches(u, &attrs.path))
    }
}

fn non_resource_url_matches(rule_url: &str, path: &str) -> bool {
    if rule_url == "*" || rule_url == path {
        return true;
    }
    match rule_url.strip_suffix('*') {
        Some(prefix) => path.starts_with(prefix),
        None => false,
    }
}

/// The text after `... is forbidden: ` in the real server's 403, e.g.
/// `User "alice" cannot list resource "configmaps" in API group "" in the namespace "t2"`.
pub fn forbidden_reason(user_name: &str, attrs: &Attributes) -> String {
    if !attrs.is_resource_request {
        return format!(
            "User \"{user_name}\" cannot {} path \"{}\"",
            attrs.verb, attrs.path
        );
    }
    let resource = if attrs.subresource.is_empty() {
        attrs.resource.clone()
    } else {
        format!("{}/{}", attrs.resource, attrs.subresource)
    };
    if attrs.namespace.is_empty() {
        format!(
            "User \"{user_name}\" cannot {} resource \"{resource}\" in API group \"{}\" at the cluster scope",
            attrs.verb, attrs.api_group
        )
    } else {
        format!(
            "User \"{user_name}\" cannot {} resource \"{resource}\" in API group \"{}\" in the namespace \"{}\"",
            attrs.verb, attrs.api_group, attrs.namespace
        )
    }
}

/// The full 403 message for `user_name` denied `attrs`, e.g.
/// `configmaps "x" is forbidden: User "alice" cannot get resource "configmaps" in API group "" in the namespace "t2"`.
pub fn forbidden_message(user_name: &str, attrs: &Attributes) -> String {
    let reason = forbidden_reason(user_name, attrs);
    if !attrs.is_resource_request || attrs.resource.is_empty() {
        return format!("forbidden: {reason}");
    }
    let qualified = crate::error::qualified(&attrs.api_group, &attrs.resource);
    if attrs.name.is_empty() {
        format!("{qualified} is forbidden: {reason}")
    } else {
        format!("{qualified} \"{}\" is forbidden: {reason}", attrs.name)
    }
}

/// The 403 error for `user_name` denied `attrs`, with `details` as the real server fills them.
pub fn forbidden_error(user_name: &str, attrs: &Attributes) -> ApiError {
    let mut e = ApiError::forbidden(forbidden_message(user_name, attrs));
    if attrs.is_resource_request && !attrs.resource.is_empty() {
        if !attrs.name.is_empty() {
            e.details.name = Some(attrs.name.clone());
        }
        if !attrs.api_group.is_empty() {
            e.details.group = Some(attrs.api_group.clone());
        }
        e.details.kind = Some(attrs.resource.clone());
    }
    e
}

// ---------------------------------------------------------------------------------------------
// Bootstrap policy
// ---------------------------------------------------------------------------------------------

const READ: &[&str] = &["get", "list", "watch"];
const WRITE: &[&str] = &["create", "delete", "deletecollection", "patch", "update"];
const ALL_RW: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> Value {
    json!({ "apiGroups": groups, "resources": resources, "verbs": verbs })
}

fn view_rules() -> Vec<Value> {
    vec![
        rule(
            &[""],
            &[
                "configmaps",
                "endpoints",
                "persistentvolumeclaims",
                "persistentvolumeclaims/status",
                "pods",
                "replicationcontrollers",
                "replicationcontrollers/scale",
                "serviceaccounts",
                "services",
                "services/status",
            ],
            READ,
        ),
        rule(
            &[""],
            &[
                "bindings",
                "events",
                "limitranges",
                "namespaces/status",
                "pods/log",
                "pods/status",
                "replicationcontrollers/status",
                "resourcequotas",
                "resourcequotas/status",
            ],
            READ,
        ),
        rule(&[""], &["namespaces"], READ),
        rule(&["discovery.k8s.io"], &["endpointslices"], READ),
        rule(
            &["apps"],
            &[
                "controllerrevisions",
                "daemonsets",
                "daemonsets/status",
                "deployments",
                "deployments/scale",
                "deployments/status",
                "replicasets",
                "replicasets/scale",
                "replicasets/status",
                "statefulsets",
                "statefulsets/scale",
                "statefulsets/status",
            ],
            READ,
        ),
        rule(
            &["autoscaling"],
            &[
                "horizontalpodautoscalers",
                "horizontalpodautoscalers/status",
            ],
            READ,
        ),
        rule(
            &["batch"],
            &["cronjobs", "cronjobs/status", "jobs", "jobs/status"],
            READ,
        ),
        rule(
            &["extensions"],
            &[
                "daemonsets",
                "daemonsets/status",
                "deployments",
                "deployments/scale",
                "deployments/status",
                "ingresses",
                "ingresses/status",
                "networkpolicies",
                "replicasets",
                "replicasets/scale",
                "replicasets/status",
                "replicationcontrollers/scale",
            ],
            READ,
        ),
        rule(
            &["policy"],
            &["poddisruptionbudgets", "poddisruptionbudgets/status"],
            READ,
        ),
        rule(
            &["networking.k8s.io"],
            &["ingresses", "ingresses/status", "networkpolicies"],
            READ,
        ),
    ]
}

fn edit_only_rules() -> Vec<Value> {
    vec![
        rule(
            &[""],
            &[
                "pods/attach",
                "pods/exec",
                "pods/portforward",
                "pods/proxy",
                "secrets",
                "services/proxy",
            ],
            READ,
        ),
        rule(&[""], &["serviceaccounts"], &["impersonate"]),
        rule(
            &[""],
            &[
                "pods",
                "pods/attach",
                "pods/exec",
                "pods/portforward",
                "pods/proxy",
            ],
            WRITE,
        ),
        rule(&[""], &["pods/eviction"], &["create"]),
        rule(
            &[""],
            &[
                "configmaps",
                "events",
                "persistentvolumeclaims",
                "replicationcontrollers",
                "replicationcontrollers/scale",
                "secrets",
                "serviceaccounts",
                "services",
                "services/proxy",
            ],
            WRITE,
        ),
        rule(&[""], &["serviceaccounts/token"], &["create"]),
        rule(
            &["apps"],
            &[
                "daemonsets",
                "deployments",
                "deployments/rollback",
                "deployments/scale",
                "replicasets",
                "replicasets/scale",
                "statefulsets",
                "statefulsets/scale",
            ],
            WRITE,
        ),
        rule(&["autoscaling"], &["horizontalpodautoscalers"], WRITE),
        rule(&["batch"], &["cronjobs", "jobs"], WRITE),
        rule(
            &["extensions"],
            &[
                "daemonsets",
                "deployments",
                "deployments/rollback",
                "deployments/scale",
                "ingresses",
                "networkpolicies",
                "replicasets",
                "replicasets/scale",
                "replicationcontrollers/scale",
            ],
            WRITE,
        ),
        rule(&["policy"], &["poddisruptionbudgets"], WRITE),
        rule(
            &["networking.k8s.io"],
            &["ingresses", "networkpolicies"],
            WRITE,
        ),
        rule(&["coordination.k8s.io"], &["leases"], ALL_RW),
    ]
}

fn admin_only_rules() -> Vec<Value> {
    vec![
        rule(
            &["authorization.k8s.io"],
            &["localsubjectaccessreviews"],
            &["create"],
        ),
        rule(
            &["rbac.authorization.k8s.io"],
            &["rolebindings", "roles"],
            ALL_RW,
        ),
    ]
}

fn bootstrap_meta(name: &str) -> Value {
    json!({
        "name": name,
        "labels": { "kubernetes.io/bootstrapping": "rbac-defaults" },
        "annotations": { "rbac.authorization.kubernetes.io/autoupdate": "true" },
    })
}

fn cluster_role(name: &str, rules: Vec<Value>) -> Value {
    json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": bootstrap_meta(name),
        "rules": rules,
    })
}

fn cluster_role_binding(name: &str, role: &str, groups: &[&str]) -> Value {
    let subjects: Vec<Value> = groups
        .iter()
        .map(|g| json!({ "apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": g }))
        .collect();
    json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": bootstrap_meta(name),
        "roleRef": { "apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role },
        "subjects": subjects,
    })
}

/// The bootstrap ClusterRoles and ClusterRoleBindings a new cluster has: `cluster-admin` (bound
/// to `system:masters`), `admin`, `edit` and `view` (rules already aggregated, unbound),
/// `system:discovery` and `system:basic-user` (bound to `system:authenticated`) and
/// `system:public-info-viewer` (bound to authenticated and unauthenticated users).
pub fn bootstrap_objects() -> Vec<Value> {
    let view = view_rules();
    let mut edit = edit_only_rules();
    edit.extend(view.iter().cloned());
    let mut admin = admin_only_rules();
    admin.extend(edit.iter().cloned());
    let info_urls = ["/healthz", "/livez", "/readyz", "/version", "/version/"];
    vec![
        cluster_role(
            "cluster-admin",
            vec![
                json!({ "apiGroups": ["*"], "resources": ["*"], "verbs": ["*"] }),
                json!({ "nonResourceURLs": ["*"], "verbs": ["*"] }),
            ],
        ),
        cluster_role("admin", admin),
        cluster_role("edit", edit),
        cluster_role("view", view),
        cluster_role(
            "system:discovery",
            vec![json!({
                "nonResourceURLs": ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez",
                                    "/openapi", "/openapi/*", "/readyz", "/version", "/version/"],
                "verbs": ["get"],
            })],
        ),
        cluster_role(
            "system:basic-user",
            vec![
                rule(
                    &["authorization.k8s.io"],
                    &["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
                    &["create"],
                ),
                rule(
                    &["authentication.k8s.io"],
                    &["selfsubjectreviews"],
                    &["create"],
                ),
            ],
        ),
        cluster_role(
            "system:public-info-viewer",
            vec![json!({ "nonResourceURLs": info_urls, "verbs": ["get"] })],
        ),
        cluster_role_binding("cluster-admin", "cluster-admin", &[MASTERS_GROUP]),
        cluster_role_binding(
            "system:discovery",
            "system:discovery",
            &["system:authenticated"],
        ),
        cluster_role_binding(
            "system:basic-user",
            "system:basic-user",
            &["system:authenticated"],
        ),
        cluster_role_binding(
            "system:public-info-viewer",
            "system:public-info-viewer",
            &["system:authenticated", "system:unauthenticated"],
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// Review APIs
// ---------------------------------------------------------------------------------------------

/// An invalid review request (422).
fn review_invalid(kind: &str, field: &str, message: &str) -> ApiError {
    ApiError::invalid_field(
        kind,
        "authorization.k8s.io",
        "",
        "FieldValueInvalid",
        field,
        message,
    )
}

fn string_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn str_at<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Reads `spec.resourceAttributes` / `spec.nonResourceAttributes` into authorization attributes.
fn review_attributes(kind: &str, spec: &Value) -> Result<Attributes, ApiError> {
    let res = spec.get("resourceAttributes").filter(|v| !v.is_null());
    let non = spec.get("nonResourceAttributes").filter(|v| !v.is_null());
    match (res, non) {
        (Some(r), None) => Ok(Attributes {
            verb: str_at(r, "verb").to_owned(),
            is_resource_request: true,
            api_group: str_at(r, "group").to_owned(),
            api_version: str_at(r, "version").to_owned(),
            resource: str_at(r, "resource").to_owned(),
            subresource: str_at(r, "subresource").to_owned(),
            namespace: str_at(r, "namespace").to_owned(),
            name: str_at(r, "name").to_owned(),
            ..Attributes::default()
        }),
        (None, Some(n)) => Ok(Attributes {
            verb: str_at(n, "verb").to_owned(),
            is_resource_request: false,
            path: str_at(n, "path").to_owned(),
            ..Attributes::default()
        }),
        (Some(_), Some(_)) => Err(review_invalid(
            kind,
            "spec.resourceAttributes",
            "Invalid value: \"null\": cannot be specified in combination with nonResourceAttributes",
        )),
        (None, None) => Err(review_invalid(
            kind,
            "spec.resourceAttributes",
            "Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified",
        )),
    }
}

fn review_response(body: &Value, api_version: &str, kind: &str, decision: &Decision) -> Value {
    let mut out = body.clone();
    if !out.is_object() {
        out = json!({});
    }
    out["apiVersion"] = json!(api_version);
    out["kind"] = json!(kind);
    if out.get("metadata").is_none_or(|m| !m.is_object()) {
        out["metadata"] = json!({});
    }
    if out["metadata"].get("creationTimestamp").is_none() {
        out["metadata"]["creationTimestamp"] = Value::Null;
    }
    let mut status = Map::new();
    status.insert("allowed".to_owned(), json!(decision.allowed()));
    if !decision.reason().is_empty() {
        status.insert("reason".to_owned(), json!(decision.reason()));
    }
    out["status"] = Value::Object(status);
    out
}

fn body_spec<'a>(kind: &str, body: &'a Value) -> Result<&'a Value, ApiError> {
    body.get("spec")
        .filter(|s| s.is_object())
        .ok_or_else(|| review_invalid(kind, "spec", "Required value: spec is required"))
}

/// `POST /apis/authorization.k8s.io/v1/subjectaccessreviews`: evaluates the user in
/// `spec{user,groups,uid,extra}` and returns the review with `status{allowed,reason}`.
pub fn subject_access_review(src: &dyn RbacSource, body: &Value) -> Result<Value, ApiError> {
    let kind = "SubjectAccessReview";
    let spec = body_spec(kind, body)?;
    let attrs = review_attributes(kind, spec)?;
    let user = user_from_spec(spec);
    if user.name.is_empty() && user.groups.is_empty() {
        return Err(review_invalid(
            kind,
            "spec.user",
            "Invalid value: \"\": at least one of user or group must be specified",
        ));
    }
    let decision = authorize(src, &user, &attrs);
    Ok(review_response(
        body,
        "authorization.k8s.io/v1",
        kind,
        &decision,
    ))
}

/// `POST /apis/authorization.k8s.io/v1/namespaces/{ns}/localsubjectaccessreviews`: as
/// [`subject_access_review`], restricted to resource attributes in `namespace`.
pub fn local_subject_access_review(
    src: &dyn RbacSource,
    namespace: &str,
    body: &Value,
) -> Result<Value, ApiError> {
    let kind = "LocalSubjectAccessReview";
    let spec = body_spec(kind, body)?;
    let mut attrs = review_attributes(kind, spec)?;
    if !attrs.is_resource_request {
        return Err(review_invalid(
            kind,
            "spec.nonResourceAttributes",
            "Invalid value: \"non-null\": disallowed on this kind of request",
        ));
    }
    if attrs.namespace.is_empty() {
        attrs.namespace = namespace.to_owned();
    } else if attrs.namespace != namespace {
        return Err(review_invalid(
            kind,
            "spec.resourceAttributes.namespace",
            &format!(
                "Invalid value: \"{}\": must match metadata.namespace",
                attrs.namespace
            ),
        ));
    }
    let user = user_from_spec(spec);
    if user.name.is_empty() && user.groups.is_empty() {
        return Err(review_invalid(
            kind,
            "spec.user",
            "Invalid value: \"\": at least one of user or group must be specified",
        ));
    }
    let decision = authorize(src, &user, &attrs);
    let mut out = review_response(body, "authorization.k8s.io/v1", kind, &decision);
    out["metadata"]["namespace"] = json!(namespace);
    Ok(out)
}

/// `POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews` (`kubectl auth can-i`):
/// evaluates the requesting `user`.
pub fn self_subject_access_review(
    src: &dyn RbacSource,
    user: &UserInfo,
    body: &Value,
) -> Result<Value, ApiError> {
    let kind = "SelfSubjectAccessReview";
    let spec = body_spec(kind, body)?;
    let attrs = review_attributes(kind, spec)?;
    let decision = authorize(src, user, &attrs);
    Ok(review_response(
        body,
        "authorization.k8s.io/v1",
        kind,
        &decision,
    ))
}

/// `POST /apis/authorization.k8s.io/v1/selfsubjectrulesreviews` (`kubectl auth can-i --list`):
/// the rules the requesting `user` has in `spec.namespace`.
pub fn self_subject_rules_review(
    src: &dyn RbacSource,
    user: &UserInfo,
    body: &Value,
) -> Result<Value, ApiError> {
    let kind = "SelfSubjectRulesReview";
    let spec = body_spec(kind, body)?;
    let namespace = str_at(spec, "namespace");
    let mut resource_rules = Vec::new();
    let mut non_resource_rules = Vec::new();
    visit_rules(src, user, namespace, &mut |_, rule| {
        let verbs = rule.get("verbs").cloned().unwrap_or_else(|| json!([]));
        let urls = rule.get("nonResourceURLs").and_then(Value::as_array);
        if let Some(urls) = urls.filter(|u| !u.is_empty()) {
            non_resource_rules.push(json!({ "verbs": verbs, "nonResourceURLs": urls }));
        }
        if rule.get("resources").and_then(Value::as_array).is_some() {
            let mut r = Map::new();
            r.insert("verbs".to_owned(), verbs);
            for key in ["apiGroups", "resources", "resourceNames"] {
                if let Some(v) = rule
                    .get(key)
                    .filter(|v| v.as_array().is_some_and(|a| !a.is_empty()))
                {
                    r.insert(key.to_owned(), v.clone());
                }
            }
            resource_rules.push(Value::Object(r));
        }
        false
    });
    let mut out = body.clone();
    out["apiVersion"] = json!("authorization.k8s.io/v1");
    out["kind"] = json!(kind);
    if out.get("metadata").is_none_or(|m| !m.is_object()) {
        out["metadata"] = json!({});
    }
    if out["metadata"].get("creationTimestamp").is_none() {
        out["metadata"]["creationTimestamp"] = Value::Null;
    }
    out["status"] = json!({
        "resourceRules": resource_rules,
        "nonResourceRules": non_resource_rules,
        "incomplete": false,
    });
    Ok(out)
}

fn user_from_spec(spec: &Value) -> UserInfo {
    let extra = spec
        .get("extra")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), string_list(Some(v))))
                .collect()
        })
        .unwrap_or_default();
    UserInfo {
        name: str_at(spec, "user").to_owned(),
        uid: str_at(spec, "uid").to_owned(),
        groups: string_list(spec.get("groups")),
        extra,
    }
}

// ---------------------------------------------------------------------------------------------
// Escalation prevention
// ---------------------------------------------------------------------------------------------

/// One atomic permission of a requested rule, for coverage checks and the error text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Atom {
    attrs: Attributes,
    /// `{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}` as the real server prints it.
    text: String,
}

fn rule_atoms(rule: &Value, namespace: &str) -> Vec<Atom> {
    let verbs = strings(rule, "verbs");
    let urls = strings(rule, "nonResourceURLs");
    let mut out = Vec::new();
    if !urls.is_empty() {
        for url in &urls {
            for verb in &verbs {
                out.push(Atom {
                    attrs: Attributes {
                        verb: (*verb).to_owned(),
                        path: (*url).to_owned(),
                        ..Attributes::default()
                    },
                    text: format!("{{NonResourceURLs:[\"{url}\"], Verbs:[\"{verb}\"]}}"),
                });
            }
        }
        return out;
    }
    let groups = strings(rule, "apiGroups");
    let resources = strings(rule, "resources");
    let names = strings(rule, "resourceNames");
    let name_list: Vec<&str> = if names.is_empty() { vec![""] } else { names };
    for group in &groups {
        for resource in &resources {
            let (res, sub) = resource.split_once('/').unwrap_or((resource, ""));
            for name in &name_list {
                for verb in &verbs {
                    let names_text = if name.is_empty() {
                        String::new()
                    } else {
                        format!(", ResourceNames:[\"{name}\"]")
                    };
                    out.push(Atom {
                        attrs: Attributes {
                            verb: (*verb).to_owned(),
                            is_resource_request: true,
                            api_group: (*group).to_owned(),
                            resource: res.to_owned(),
                            subresource: sub.to_owned(),
                            namespace: namespace.to_owned(),
                            name: (*name).to_owned(),
                            ..Attributes::default()
                        },
                        text: format!(
                            "{{APIGroups:[\"{group}\"], Resources:[\"{resource}\"]{names_text}, Verbs:[\"{verb}\"]}}"
                        ),
                    });
                }
            }
        }
    }
    out
}

/// The rules of the role `role_ref` (`{kind, name}`) points at, seen from `namespace`.
fn referenced_rules(src: &dyn RbacSource, role_ref: &Value, namespace: &str) -> Option<Vec<Value>> {
    let kind = role_ref.get("kind").and_then(Value::as_str)?;
    let name = role_ref.get("name").and_then(Value::as_str)?;
    let roles = match kind {
        "ClusterRole" => src.cluster_roles(),
        "Role" => src.roles(namespace),
        _ => return None,
    };
    find_named(&roles, name).map(|r| rules_of(r).to_vec())
}

/// Escalation prevention for RBAC writes, as kube-apiserver enforces it: creating or updating a
/// Role or ClusterRole (`resource` `roles`/`clusterroles`) needs every permission it grants, or
/// verb `escalate` on it; a RoleBinding or ClusterRoleBinding needs the permissions of the role
/// it references, or verb `bind` on that role. `namespace` is the object's namespace ("" for
/// cluster-scoped kinds). Other resources pass. The 403 lists the permissions not held.
pub fn check_escalation(
    src: &dyn RbacSource,
    user: &UserInfo,
    resource: &str,
    namespace: &str,
    obj: &Value,
) -> Result<(), ApiError> {
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let verb_on = |verb: &str, res: &str, target: &str| Attributes {
        verb: verb.to_owned(),
        is_resource_request: true,
        api_group: "rbac.authorization.k8s.io".to_owned(),
        resource: res.to_owned(),
        namespace: namespace.to_owned(),
        name: target.to_owned(),
        ..Attributes::default()
    };
    let rules: Vec<Value> = match resource {
        "roles" | "clusterroles" => {
            if authorize(src, user, &verb_on("escalate", resource, name)).allowed() {
                return Ok(());
            }
            obj.get("rules")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        }
        "rolebindings" | "clusterrolebindings" => {
            let Some(role_ref) = obj.get("roleRef") else {
                return Ok(());
            };
            let role_kind = role_ref.get("kind").and_then(Value::as_str).unwrap_or("");
            let role_name = role_ref.get("name").and_then(Value::as_str).unwrap_or("");
            let role_resource = if role_kind == "Role" {
                "roles"
            } else {
                "clusterroles"
            };
            if authorize(src, user, &verb_on("bind", role_resource, role_name)).allowed() {
                return Ok(());
            }
            match referenced_rules(src, role_ref, namespace) {
                Some(r) => r,
                // Binding to a role that does not exist grants nothing yet.
                None => return Ok(()),
            }
        }
        _ => return Ok(()),
    };
    let missing: Vec<String> = rules
        .iter()
        .flat_map(|r| rule_atoms(r, namespace))
        .filter(|a| !authorize(src, user, &a.attrs).allowed())
        .map(|a| a.text)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let groups: Vec<String> = user.groups.iter().map(|g| format!("\"{g}\"")).collect();
    let reason = format!(
        "user \"{}\" (groups=[{}]) is attempting to grant RBAC permissions not currently held:\n{}",
        user.name,
        groups.join(" "),
        missing.join("\n")
    );
    let qualified = crate::error::qualified("rbac.authorization.k8s.io", resource);
    let mut e = ApiError::forbidden(format!("{qualified} \"{name}\" is forbidden: {reason}"));
    e.details.name = Some(name.to_owned());
    e.details.group = Some("rbac.authorization.k8s.io".to_owned());
    e.details.kind = Some(resource.to_owned());
    Err(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, groups: &[&str]) -> UserInfo {
        UserInfo {
            name: name.to_owned(),
            groups: groups.iter().map(|g| (*g).to_owned()).collect(),
            ..UserInfo::default()
        }
    }

    fn res(verb: &str, group: &str, resource: &str, ns: &str, name: &str) -> Attributes {
        Attributes {
            verb: verb.to_owned(),
            is_resource_request: true,
            api_group: group.to_owned(),
            resource: resource.to_owned(),
            namespace: ns.to_owned(),
            name: name.to_owned(),
            ..Attributes::default()
        }
    }

    fn non_res(verb: &str, path: &str) -> Attributes {
        Attributes {
            verb: verb.to_owned(),
            path: path.to_owned(),
            ..Attributes::default()
        }
    }

    fn role(kind: &str, name: &str, ns: &str, rules: Value) -> Value {
        json!({"kind": kind, "metadata": {"name": name, "namespace": ns}, "rules": rules})
    }

    fn binding(
        kind: &str,
        name: &str,
        ns: &str,
        role_kind: &str,
        role: &str,
        subjects: Value,
    ) -> Value {
        json!({"kind": kind, "metadata": {"name": name, "namespace": ns},
               "roleRef": {"kind": role_kind, "name": role}, "subjects": subjects})
    }

    fn rule_allows(rule: Value, attrs: &Attributes) -> bool {
        rule_matches(&rule, attrs)
    }

    #[test]
    fn masters_skip_authorization() {
        let d = authorize(
            &EmptyRbac,
            &user("x", &[MASTERS_GROUP]),
            &res("delete", "", "pods", "a", "p"),
        );
        assert!(d.allowed());
        let d = authorize(
            &EmptyRbac,
            &user("x", &["system:authenticated"]),
            &res("get", "", "pods", "a", "p"),
        );
        assert_eq!(
            d,
            Decision::Deny {
                reason: String::new()
            }
        );
    }

    #[test]
    fn verb_group_and_resource_matching() {
        let r = json!({"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]});
        assert!(rule_allows(
            r.clone(),
            &res("get", "", "configmaps", "n", "x")
        ));
        assert!(!rule_allows(
            r.clone(),
            &res("delete", "", "configmaps", "n", "x")
        ));
        assert!(!rule_allows(
            r.clone(),
            &res("get", "apps", "configmaps", "n", "x")
        ));
        assert!(!rule_allows(r, &res("get", "", "secrets", "n", "x")));
        let star = json!({"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]});
        assert!(rule_allows(
            star.clone(),
            &res("deletecollection", "batch", "jobs", "", "")
        ));
        let mut sub = res("update", "apps", "deployments", "n", "d");
        sub.subresource = "scale".to_owned();
        assert!(rule_allows(star, &sub));
    }

    #[test]
    fn subresource_matching() {
        let mut attrs = res("get", "", "pods", "n", "p");
        attrs.subresource = "log".to_owned();
        let plain = json!({"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]});
        assert!(!rule_allows(plain, &attrs));
        let exact = json!({"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]});
        assert!(rule_allows(exact.clone(), &attrs));
        assert!(!rule_allows(exact, &res("get", "", "pods", "n", "p")));
        let any = json!({"apiGroups": [""], "resources": ["*/log"], "verbs": ["get"]});
        assert!(rule_allows(any.clone(), &attrs));
        assert!(!rule_allows(any, &res("get", "", "pods", "n", "p")));
    }

    #[test]
    fn resource_names_restrict_named_requests() {
        let r = json!({"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["a"], "verbs": ["*"]});
        assert!(rule_allows(
            r.clone(),
            &res("get", "", "configmaps", "n", "a")
        ));
        assert!(!rule_allows(
            r.clone(),
            &res("get", "", "configmaps", "n", "b")
        ));
        assert!(!rule_allows(r, &res("list", "", "configmaps", "n", "")));
    }

    #[test]
    fn non_resource_urls() {
        let r = json!({"nonResourceURLs": ["/healthz", "/apis/*"], "verbs": ["get"]});
        assert!(rule_allows(r.clone(), &non_res("get", "/healthz")));
        assert!(!rule_allows(r.clone(), &non_res("get", "/healthz/etcd")));
        assert!(rule_allows(r.clone(), &non_res("get", "/apis/apps/v1")));
        assert!(!rule_allows(r.clone(), &non_res("post", "/apis/apps")));
        assert!(!rule_allows(r, &res("get", "", "pods", "", "")));
        let star = json!({"nonResourceURLs": ["*"], "verbs": ["*"]});
        assert!(rule_allows(star, &non_res("put", "/anything")));
        let resource_rule = json!({"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]});
        assert!(!rule_allows(resource_rule, &non_res("get", "/version")));
    }

    #[test]
    fn bindings_and_subjects() {
        let src = StaticRbac {
            objects: vec![
                role(
                    "Role",
                    "cm-reader",
                    "t1",
                    json!([{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}]),
                ),
                role(
                    "ClusterRole",
                    "pod-reader",
                    "",
                    json!([{"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]}]),
                ),
                binding(
                    "RoleBinding",
                    "rb",
                    "t1",
                    "Role",
                    "cm-reader",
                    json!([{"kind": "User", "name": "alice"}]),
                ),
                binding(
                    "RoleBinding",
                    "rb2",
                    "t1",
                    "ClusterRole",
                    "pod-reader",
                    json!([{"kind": "Group", "name": "devs"}]),
                ),
                binding(
                    "RoleBinding",
                    "rb3",
                    "t1",
                    "ClusterRole",
                    "pod-reader",
                    json!([{"kind": "ServiceAccount", "name": "tiller"}]),
                ),
                binding(
                    "ClusterRoleBinding",
                    "crb",
                    "",
                    "ClusterRole",
                    "pod-reader",
                    json!([{"kind": "ServiceAccount", "name": "ops", "namespace": "kube-system"}]),
                ),
            ],
        };
        let alice = user("alice", &["system:authenticated"]);
        assert!(authorize(&src, &alice, &res("list", "", "configmaps", "t1", "")).allowed());
        assert!(!authorize(&src, &alice, &res("list", "", "configmaps", "t2", "")).allowed());
        assert!(!authorize(&src, &alice, &res("list", "", "pods", "t1", "")).allowed());
        let dev = user("bob", &["devs"]);
        let d = authorize(&src, &dev, &res("list", "", "pods", "t1", ""));
        assert_eq!(
            d.reason(),
            "RBAC: allowed by RoleBinding \"rb2/t1\" of ClusterRole \"pod-reader\" to Group \"devs\""
        );
        // A ServiceAccount subject without a namespace takes the binding's.
        let sa = user("system:serviceaccount:t1:tiller", &[]);
        assert!(authorize(&src, &sa, &res("list", "", "pods", "t1", "")).allowed());
        let other_sa = user("system:serviceaccount:t2:tiller", &[]);
        assert!(!authorize(&src, &other_sa, &res("list", "", "pods", "t1", "")).allowed());
        let ops = user("system:serviceaccount:kube-system:ops", &[]);
        assert!(authorize(&src, &ops, &res("list", "", "pods", "", "")).allowed());
        assert!(authorize(&src, &ops, &res("list", "", "pods", "any", "")).allowed());
    }

    #[test]
    fn cluster_role_binding_cannot_use_a_role() {
        let src = StaticRbac {
            objects: vec![
                role(
                    "Role",
                    "r",
                    "t1",
                    json!([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]),
                ),
                binding(
                    "ClusterRoleBinding",
                    "crb",
                    "",
                    "Role",
                    "r",
                    json!([{"kind": "User", "name": "eve"}]),
                ),
            ],
        };
        assert!(!authorize(&src, &user("eve", &[]), &res("get", "", "pods", "t1", "p")).allowed());
    }

    #[test]
    fn forbidden_messages() {
        assert_eq!(
            forbidden_message("alice", &res("list", "", "configmaps", "t2", "")),
            "configmaps is forbidden: User \"alice\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"t2\""
        );
        assert_eq!(
            forbidden_message("alice", &res("get", "", "configmaps", "t2", "x")),
            "configmaps \"x\" is forbidden: User \"alice\" cannot get resource \"configmaps\" in API group \"\" in the namespace \"t2\""
        );
        assert_eq!(
            forbidden_message(
                "bob",
                &res("list", "rbac.authorization.k8s.io", "clusterroles", "", "")
            ),
            "clusterroles.rbac.authorization.k8s.io is forbidden: User \"bob\" cannot list resource \"clusterroles\" in API group \"rbac.authorization.k8s.io\" at the cluster scope"
        );
        let mut sub = res("update", "apps", "deployments", "n", "d");
        sub.subresource = "scale".to_owned();
        assert_eq!(
            forbidden_message("bob", &sub),
            "deployments.apps \"d\" is forbidden: User \"bob\" cannot update resource \"deployments/scale\" in API group \"apps\" in the namespace \"n\""
        );
        assert_eq!(
            forbidden_message("system:anonymous", &non_res("get", "/metrics")),
            "forbidden: User \"system:anonymous\" cannot get path \"/metrics\""
        );
        let s = forbidden_error("bob", &sub).to_status();
        assert_eq!(s["code"], 403);
        assert_eq!(s["reason"], "Forbidden");
        assert_eq!(s["details"]["group"], "apps");
        assert_eq!(s["details"]["kind"], "deployments");
        assert_eq!(s["details"]["name"], "d");
    }

    #[test]
    fn bootstrap_policy_grants() {
        let src = StaticRbac {
            objects: bootstrap_objects(),
        };
        let authed = user("alice", &["system:authenticated"]);
        assert!(authorize(&src, &authed, &non_res("get", "/apis/apps/v1")).allowed());
        assert!(
            authorize(
                &src,
                &authed,
                &res(
                    "create",
                    "authorization.k8s.io",
                    "selfsubjectaccessreviews",
                    "",
                    ""
                )
            )
            .allowed()
        );
        assert!(!authorize(&src, &authed, &res("list", "", "pods", "default", "")).allowed());
        let anon = user("system:anonymous", &["system:unauthenticated"]);
        assert!(authorize(&src, &anon, &non_res("get", "/version")).allowed());
        assert!(!authorize(&src, &anon, &non_res("get", "/apis")).allowed());
        let roles = src.cluster_roles();
        let edit = find_named(&roles, "edit").expect("edit role");
        let edit_src = StaticRbac {
            objects: vec![
                edit.clone(),
                binding(
                    "RoleBinding",
                    "e",
                    "t1",
                    "ClusterRole",
                    "edit",
                    json!([{"kind": "User", "name": "alice"}]),
                ),
            ],
        };
        assert!(
            authorize(
                &edit_src,
                &authed,
                &res("create", "apps", "deployments", "t1", "")
            )
            .allowed()
        );
        assert!(authorize(&edit_src, &authed, &res("watch", "", "secrets", "t1", "")).allowed());
        assert!(
            !authorize(
                &edit_src,
                &authed,
                &res("create", "rbac.authorization.k8s.io", "roles", "t1", "")
            )
            .allowed()
        );
        let view = find_named(&roles, "view").expect("view role");
        assert!(!rule_matches(
            &view["rules"][0],
            &res("get", "", "secrets", "t1", "s")
        ));
    }

    #[test]
    fn review_apis() {
        let src = StaticRbac {
            objects: vec![
                role(
                    "Role",
                    "cm",
                    "t1",
                    json!([{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}]),
                ),
                binding(
                    "RoleBinding",
                    "rb",
                    "t1",
                    "Role",
                    "cm",
                    json!([{"kind": "User", "name": "alice"}]),
                ),
            ],
        };
        let body = json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
            "spec": {"user": "alice", "resourceAttributes": {"namespace": "t1", "verb": "get", "resource": "configmaps"}}});
        let out = subject_access_review(&src, &body).expect("review");
        assert_eq!(out["status"]["allowed"], true);
        let body = json!({"spec": {"user": "alice", "resourceAttributes": {"namespace": "t2", "verb": "get", "resource": "configmaps"}}});
        assert_eq!(
            subject_access_review(&src, &body).expect("review")["status"],
            json!({"allowed": false})
        );
        let err = subject_access_review(&src, &json!({"spec": {"user": "a"}}))
            .expect_err("no attributes");
        assert_eq!(err.code, 422);
        let err = subject_access_review(
            &src,
            &json!({"spec": {"resourceAttributes": {"verb": "get"}}}),
        )
        .expect_err("no user");
        assert!(
            err.message.contains("at least one of user or group"),
            "{}",
            err.message
        );

        let local = json!({"spec": {"user": "alice", "resourceAttributes": {"verb": "get", "resource": "configmaps"}}});
        let out = local_subject_access_review(&src, "t1", &local).expect("local");
        assert_eq!(out["status"]["allowed"], true);
        assert_eq!(out["metadata"]["namespace"], "t1");
        let bad = json!({"spec": {"user": "alice", "resourceAttributes": {"namespace": "t2", "verb": "get", "resource": "configmaps"}}});
        assert_eq!(
            local_subject_access_review(&src, "t1", &bad)
                .expect_err("mismatch")
                .code,
            422
        );

        let alice = user("alice", &[]);
        let ssar = json!({"spec": {"resourceAttributes": {"namespace": "t1", "verb": "get", "resource": "configmaps"}}});
        assert_eq!(
            self_subject_access_review(&src, &alice, &ssar).expect("ssar")["status"]["allowed"],
            true
        );
        let rules = self_subject_rules_review(&src, &alice, &json!({"spec": {"namespace": "t1"}}))
            .expect("rules");
        assert_eq!(
            rules["status"]["resourceRules"],
            json!([{"verbs": ["get"], "apiGroups": [""], "resources": ["configmaps"]}])
        );
        assert_eq!(rules["status"]["incomplete"], false);
    }

    #[test]
    fn escalation_prevention() {
        let src = StaticRbac {
            objects: vec![
                role(
                    "ClusterRole",
                    "cm-admin",
                    "",
                    json!([{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["*"]},
                    {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles", "rolebindings"], "verbs": ["create"]}]),
                ),
                role(
                    "ClusterRole",
                    "secret-reader",
                    "",
                    json!([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]),
                ),
                role(
                    "ClusterRole",
                    "binder",
                    "",
                    json!([{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"],
                    "resourceNames": ["secret-reader"], "verbs": ["bind"]}]),
                ),
                binding(
                    "RoleBinding",
                    "a",
                    "t1",
                    "ClusterRole",
                    "cm-admin",
                    json!([{"kind": "User", "name": "alice"}]),
                ),
                binding(
                    "RoleBinding",
                    "b",
                    "t1",
                    "ClusterRole",
                    "binder",
                    json!([{"kind": "User", "name": "bob"}]),
                ),
            ],
        };
        let alice = user("alice", &["system:authenticated"]);
        let ok_role = json!({"metadata": {"name": "r"}, "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}]});
        assert!(check_escalation(&src, &alice, "roles", "t1", &ok_role).is_ok());
        let bad_role = json!({"metadata": {"name": "r"}, "rules": [{"apiGroups": [""], "resources": ["configmaps", "secrets"], "verbs": ["get"]}]});
        let err = check_escalation(&src, &alice, "roles", "t1", &bad_role).expect_err("escalation");
        assert_eq!(err.code, 403);
        assert_eq!(
            err.message,
            "roles.rbac.authorization.k8s.io \"r\" is forbidden: user \"alice\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\"]}"
        );
        // The same role elsewhere is an escalation too: alice's rights are only in t1.
        assert!(check_escalation(&src, &alice, "roles", "t2", &ok_role).is_err());
        let bind_secrets = json!({"metadata": {"name": "rb"}, "roleRef": {"kind": "ClusterRole", "name": "secret-reader"}});
        assert!(check_escalation(&src, &alice, "rolebindings", "t1", &bind_secrets).is_err());
        let bob = user("bob", &[]);
        assert!(
            check_escalation(&src, &bob, "rolebindings", "t1", &bind_secrets).is_ok(),
            "bob may bind it"
        );
        let bind_cm = json!({"metadata": {"name": "rb"}, "roleRef": {"kind": "ClusterRole", "name": "cm-admin"}});
        assert!(
            check_escalation(&src, &bob, "rolebindings", "t1", &bind_cm).is_err(),
            "but not another role"
        );
        assert!(
            check_escalation(&src, &alice, "rolebindings", "t1", &bind_cm).is_ok(),
            "alice holds cm-admin"
        );
        let star = json!({"metadata": {"name": "all"}, "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]});
        assert!(check_escalation(&src, &alice, "clusterroles", "", &star).is_err());
        assert!(
            check_escalation(
                &src,
                &user("root", &[MASTERS_GROUP]),
                "clusterroles",
                "",
                &star
            )
            .is_ok()
        );
        let urls = json!({"metadata": {"name": "m"}, "rules": [{"nonResourceURLs": ["/metrics"], "verbs": ["get"]}]});
        let err = check_escalation(&src, &alice, "clusterroles", "", &urls).expect_err("urls");
        assert!(
            err.message
                .ends_with("{NonResourceURLs:[\"/metrics\"], Verbs:[\"get\"]}"),
            "{}",
            err.message
        );
        assert!(check_escalation(&src, &alice, "configmaps", "t1", &star).is_ok());
    }
}
