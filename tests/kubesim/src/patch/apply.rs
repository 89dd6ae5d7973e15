//! Server-side apply and field ownership (`metadata.managedFields`).
//!
//! This follows structured-merge-diff, the library behind kube-apiserver's field manager, at
//! the level the simulator needs ("Tier 1"):
//!
//! - an applied configuration is turned into a field set (FieldsV1: `f:` fields, `k:` keyed
//!   list items, `v:` set items, `.` for a node that is itself owned);
//! - it is merged into the live object (maps per key, associative lists per key, atomic lists,
//!   maps and structs replaced whole);
//! - fields the manager applied before, no longer applies, and nobody else owns are removed;
//! - fields another manager owns and whose value changes are conflicts (409) unless `force`,
//!   which moves their ownership;
//! - ordinary writes ([`record_update`]) give their writer the fields they changed and take
//!   those fields from everybody else.
//!
//! Built-in kinds use the metadata of `smp_schema` (merge keys become list keys, with the
//! extra keys of `+listMapKey`). Custom resources follow their CRD's structural schema when the
//! caller passes it ([`ApplyOptions::crd_schema`]) and are plain JSON otherwise: granular maps
//! and atomic lists, with a typed `metadata`. As on a real server, ownership of `apiVersion`,
//! `kind` and server-set metadata is never recorded, and `status` is ignored by writes to the
//! main resource (and `spec` by writes to `/status`).
//!
//! The layers kube-apiserver puts around the merge are reproduced too: objects are compared as
//! typed values (empty structs and always-encoded nulls count), an object nobody tracked yet
//! gets a `before-first-apply` owner on its first apply, at most ten `Update` entries are kept
//! (older ones fold into `ancient-changes`), timestamps move only when something changed, and
//! the manager `kubectl` may take over fields it set with client-side apply while the
//! last-applied annotation follows its server-side applies.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::strategic::smp_schema::{self, Field, FieldKind, TypeInfo, Zero};

/// Why a server-side apply failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplyError {
    /// Fields owned by other managers would change: 409 with one `FieldManagerConflict` cause
    /// per conflict. The message is kube-apiserver's.
    #[error("{}", conflict_message(.0))]
    Conflicts(Vec<Conflict>),
    /// The applied configuration cannot be applied (wrong `apiVersion`/`kind`,
    /// `metadata.managedFields` set, a list item without its key, duplicate keys); see
    /// [`ApplyError::status_code`] for the status kube-apiserver answers with.
    #[error("{0}")]
    Invalid(String),
}

/// One field owned by another manager that an apply would change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The manager that owns the field.
    pub manager: String,
    /// The field path as kube-apiserver prints it, like `.spec.replicas` or
    /// `.spec.template.spec.containers[name="web"].image`.
    pub field: String,
    /// The cause message kube-apiserver sends for this field, like
    /// `conflict with "kubectl-client-side-apply" using apps/v1`.
    pub message: String,
}

fn conflict_message(conflicts: &[Conflict]) -> String {
    if let [c] = conflicts {
        return format!("Apply failed with 1 conflict: {}: {}", c.message, c.field);
    }
    let mut by_manager: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for c in conflicts {
        let who = c
            .message
            .strip_prefix("conflict with ")
            .unwrap_or(&c.message);
        by_manager.entry(who).or_default().push(&c.field);
    }
    let mut lines = Vec::new();
    for (who, fields) in by_manager {
        lines.push(format!("conflicts with {who}:"));
        lines.extend(fields.into_iter().map(|f| format!("- {f}")));
    }
    format!(
        "Apply failed with {} conflicts: {}",
        conflicts.len(),
        lines.join("\n")
    )
}

/// The annotation kubectl's client-side apply keeps the last applied configuration in.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";
/// At most this many `Update` entries are kept; older ones are folded into one.
const MAX_UPDATE_MANAGERS: usize = 10;
/// The manager older `Update` entries are folded into.
const ANCIENT_CHANGES: &str = "ancient-changes";
/// The manager that owns what an object untracked so far held before its first apply.
const BEFORE_FIRST_APPLY: &str = "before-first-apply";

impl ApplyError {
    /// The HTTP status kube-apiserver answers with: 409 for conflicts, 400 for a malformed
    /// request (wrong type, `managedFields` set), 500 for a configuration that cannot be typed
    /// (list items without their keys, duplicate keys).
    pub fn status_code(&self) -> u16 {
        match self {
            ApplyError::Conflicts(_) => 409,
            ApplyError::Invalid(m) if m.starts_with(TYPED_PREFIX) => 500,
            ApplyError::Invalid(_) => 400,
        }
    }
}

const TYPED_PREFIX: &str = "failed to create typed patch object";

/// `group/version, Kind=kind` as Go prints a GroupVersionKind (`/v1, Kind=Pod` for core).
fn gvk_string(api_version: &str, kind: &str) -> String {
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    format!("{group}/{version}, Kind={kind}")
}

/// Applies `applied` (the body of an `application/apply-patch+yaml` request) for `manager`.
///
/// `live` is the stored object, or `None` to create it. Returns the new object with
/// `metadata.managedFields` updated; server-owned metadata (uid, resourceVersion,
/// creationTimestamp, generation) is kept from `live` and otherwise left for the caller.
///
/// As on kube-apiserver, the manager `kubectl` gets two extras for objects that carry the
/// client-side apply annotation: conflicts on fields it applied client-side with unchanged
/// values are overridden, and the annotation is kept in sync with the applied configuration.
pub fn server_side_apply(
    live: Option<&Value>,
    applied: &Value,
    manager: &str,
    force: bool,
    api_version: &str,
    kind: &str,
    now: &str,
) -> Result<Value, ApplyError> {
    let options = ApplyOptions {
        force,
        ..ApplyOptions::default()
    };
    server_side_apply_with(live, applied, manager, api_version, kind, now, options)
}

/// The less common knobs of [`server_side_apply_with`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ApplyOptions<'a> {
    /// Take over fields other managers own instead of reporting conflicts.
    pub force: bool,
    /// `Some("status")` for an apply to `/status`: only `status` is applied and the entry is
    /// recorded for that subresource.
    pub subresource: Option<&'a str>,
    /// The `openAPIV3Schema` of a custom resource's CRD version. Lists then follow
    /// `x-kubernetes-list-type` (`atomic`, `set`, or `map` keyed by
    /// `x-kubernetes-list-map-keys`, with key defaults) and maps `x-kubernetes-map-type`;
    /// without it a custom resource is plain JSON (granular maps, atomic lists). Built-in
    /// kinds ignore it.
    pub crd_schema: Option<&'a Value>,
}

/// [`server_side_apply`] with a subresource and a CRD schema.
pub fn server_side_apply_with(
    live: Option<&Value>,
    applied: &Value,
    manager: &str,
    api_version: &str,
    kind: &str,
    now: &str,
    options: ApplyOptions<'_>,
) -> Result<Value, ApplyError> {
    let ApplyOptions {
        force,
        subresource,
        crd_schema,
    } = options;
    let Value::Object(config) = applied else {
        return Err(ApplyError::Invalid(
            "the applied configuration must be a JSON object".to_owned(),
        ));
    };
    let applied_gv = config.get("apiVersion").and_then(Value::as_str);
    let applied_kind = config.get("kind").and_then(Value::as_str);
    if applied_gv != Some(api_version) || applied_kind != Some(kind) {
        return Err(ApplyError::Invalid(format!(
            "invalid object type: {}",
            gvk_string(
                applied_gv.unwrap_or_default(),
                applied_kind.unwrap_or_default()
            )
        )));
    }
    let mut config = config.clone();
    match config.get_mut("metadata") {
        Some(Value::Object(meta)) => {
            if meta.contains_key("managedFields") {
                return Err(ApplyError::Invalid(
                    "metadata.managedFields must be nil".to_owned(),
                ));
            }
        }
        Some(Value::Null) | None => {}
        Some(_) => {
            return Err(ApplyError::Invalid("metadata must be an object".to_owned()));
        }
    }
    let original_config = Value::Object(config.clone());
    // Writes to the main resource never change status, writes to `/status` nothing else.
    match subresource {
        Some("status") => {
            config.remove("spec");
        }
        _ => {
            config.remove("status");
        }
    }
    let config = Value::Object(config);

    let root = root_node(api_version, kind, crd_schema);
    let mut path = Vec::new();
    if let Err(e) = check_keys(&config, root, &mut path) {
        let meta = config.get("metadata");
        let text = |k: &str| {
            meta.and_then(|m| m.get(k))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        return Err(ApplyError::Invalid(format!(
            "{TYPED_PREFIX} ({}/{}; {}): {e}",
            text("namespace"),
            text("name"),
            gvk_string(api_version, kind)
        )));
    }

    let mut live_obj = live.cloned().unwrap_or_else(|| Value::Object(Map::new()));
    let mut managers = take_managed_fields(&mut live_obj);
    if managers.is_empty() && live.is_some() {
        // An object nobody tracked yet: what it holds belongs to a stand-in manager, so the
        // first apply conflicts with it instead of silently taking everything.
        let cmp = compare_objects(&Value::Object(Map::new()), &live_obj, root, subresource);
        let set = cmp.modified.union(&cmp.added);
        if !set.is_empty() {
            managers.push(Entry {
                id: ManagerId {
                    manager: BEFORE_FIRST_APPLY.to_owned(),
                    operation: Operation::Update,
                    api_version: api_version.to_owned(),
                    subresource: String::new(),
                },
                api_version: api_version.to_owned(),
                time: now.to_owned(),
                set,
            });
        }
    }

    let step = ApplyStep {
        live: &live_obj,
        config: &config,
        root,
        manager,
        api_version,
        now,
        subresource,
    };
    let (mut result, managers) = match step.run(managers.clone(), force) {
        Ok(done) => done,
        Err(conflicts) if manager == "kubectl" => {
            let allowed = allowed_by_last_applied(&live_obj, api_version, root);
            let remaining: Vec<Conflict> = conflicts
                .into_iter()
                .filter(|c| !allowed.contains(&c.field))
                .collect();
            if !remaining.is_empty() {
                return Err(ApplyError::Conflicts(remaining));
            }
            step.run(managers, true).map_err(ApplyError::Conflicts)?
        }
        Err(conflicts) => return Err(ApplyError::Conflicts(conflicts)),
    };
    if manager == "kubectl" && has_last_applied(&result) {
        set_last_applied(&mut result, &original_config);
    }
    restore_server_metadata(&mut result, live);
    put_managed_fields(&mut result, managers);
    Ok(result)
}

/// One attempt at an apply, repeated with `force` when kubectl's last-applied state allows it.
struct ApplyStep<'a> {
    live: &'a Value,
    config: &'a Value,
    root: Node<'a>,
    manager: &'a str,
    api_version: &'a str,
    now: &'a str,
    subresource: Option<&'a str>,
}

impl ApplyStep<'_> {
    fn run(
        &self,
        mut managers: Vec<Entry>,
        force: bool,
    ) -> Result<(Value, Vec<Entry>), Vec<Conflict>> {
        let root = self.root;
        let merged = merge_values(Some(self.live), Some(self.config), root).unwrap_or(Value::Null);
        let config_set = tracked(&to_field_set(self.config, root), self.subresource);
        let apply_id = ManagerId {
            manager: self.manager.to_owned(),
            operation: Operation::Apply,
            api_version: String::new(),
            subresource: self.subresource.unwrap_or_default().to_owned(),
        };
        let previous = managers.iter().position(|e| e.id == apply_id);
        let last_set = previous
            .map(|i| managers[i].set.clone())
            .unwrap_or_default();
        // What the applier sets still counts as its own here, server-owned metadata included
        // (upstream drops those paths only after pruning).
        let mut owned_by_all =
            to_field_set(self.config, root).recursive_difference(&reset_paths(self.subresource));
        for e in managers.iter().filter(|e| e.id != apply_id) {
            owned_by_all = owned_by_all.union(&e.set);
        }
        let mut pruned = merged;
        prune(&mut pruned, &last_set, &owned_by_all, root);
        strip_nulls(&mut pruned);
        if let Node::Struct(info) = root {
            smp_schema::drop_empty_omitted(&mut pruned, info);
        }

        let cmp = compare_objects(self.live, &pruned, root, self.subresource);
        let changed = cmp.modified.union(&cmp.added);
        let mut conflicts = Vec::new();
        for e in managers.iter_mut().filter(|e| e.id != apply_id) {
            let taken = e.set.intersection(&changed);
            for path in taken.leaves() {
                conflicts.push(Conflict {
                    manager: e.id.manager.clone(),
                    field: path_string(&path),
                    message: format!("conflict with {}", e.id.describe()),
                });
            }
            e.set = e.set.difference(&taken).difference(&cmp.removed);
        }
        if !conflicts.is_empty() && !force {
            return Err(conflicts);
        }

        let object_changed = pruned != *self.live;
        match previous {
            Some(i) => {
                let entry = &mut managers[i];
                entry.set = config_set;
                self.api_version.clone_into(&mut entry.api_version);
                if object_changed || entry.time.is_empty() {
                    self.now.clone_into(&mut entry.time);
                }
            }
            None => managers.push(Entry {
                id: apply_id,
                api_version: self.api_version.to_owned(),
                time: self.now.to_owned(),
                set: config_set,
            }),
        }
        managers.retain(|e| !e.set.is_empty());
        Ok((pruned, managers))
    }
}

fn last_applied_text(obj: &Value) -> Option<&str> {
    obj.get("metadata")?
        .get("annotations")?
        .get(LAST_APPLIED)?
        .as_str()
        .filter(|s| !s.is_empty())
}

fn has_last_applied(obj: &Value) -> bool {
    last_applied_text(obj).is_some()
}

/// Field paths (as printed in conflicts) kubectl's client-side apply set to the values the
/// object still has: a `kubectl` apply may take them over without a conflict.
fn allowed_by_last_applied(live: &Value, api_version: &str, root: Node<'_>) -> Vec<String> {
    let Some(text) = last_applied_text(live) else {
        return Vec::new();
    };
    let Ok(last) = serde_json::from_str::<Value>(text) else {
        return Vec::new();
    };
    if last.get("apiVersion").and_then(Value::as_str) != Some(api_version) {
        return Vec::new();
    }
    let mut cmp = Comparison::default();
    compare(Some(&last), Some(live), root, &mut Vec::new(), &mut cmp);
    to_field_set(&last, root)
        .difference(&cmp.modified)
        .difference(&cmp.added)
        .difference(&cmp.removed)
        .leaves()
        .iter()
        .map(|p| path_string(p))
        .collect()
}

/// Stores `applied` (without the annotation itself) as the last-applied annotation, the way
/// kube-apiserver keeps it in sync for `kubectl apply --server-side`.
fn set_last_applied(obj: &mut Value, applied: &Value) {
    let mut applied = applied.clone();
    if let Some(annotations) = applied
        .get_mut("metadata")
        .and_then(|m| m.get_mut("annotations"))
        .and_then(Value::as_object_mut)
    {
        annotations.remove(LAST_APPLIED);
    }
    let text = format!("{}\n", sorted_json(&applied));
    if let Some(annotations) = obj
        .get_mut("metadata")
        .and_then(|m| m.get_mut("annotations"))
        .and_then(Value::as_object_mut)
    {
        annotations.insert(LAST_APPLIED.to_owned(), Value::String(text));
        // Over the annotation size limit the annotation is dropped rather than the write refused.
        let size: usize = annotations
            .iter()
            .map(|(k, v)| k.len() + v.as_str().map_or(0, str::len))
            .sum();
        if size > ANNOTATIONS_SIZE_LIMIT {
            annotations.remove(LAST_APPLIED);
        }
    }
}

/// kube-apiserver's limit on the total size of an object's annotations.
const ANNOTATIONS_SIZE_LIMIT: usize = 256 * 1024;

/// Compact JSON with object keys sorted and HTML characters escaped, as Go's `encoding/json`
/// writes a decoded object.
fn sorted_json(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(&String, &Value)> = m.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let parts: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{}:{}", go_string(k), sorted_json(v)))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(l) => format!(
            "[{}]",
            l.iter().map(sorted_json).collect::<Vec<_>>().join(",")
        ),
        Value::String(text) => go_string(text),
        other => other.to_string(),
    }
}

/// A JSON string literal with Go's extra escapes (`<`, `>`, `&`, U+2028, U+2029).
fn go_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in Value::String(text.to_owned()).to_string().chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Records an ordinary write (create, update, patch) by `manager` in `new`'s
/// `metadata.managedFields`: the writer's `Update` entry gains the fields this write changed,
/// other managers lose them, and everybody loses fields the write removed.
///
/// `subresource` is `Some("status")` for writes to `/status`. Managed fields the client sent in
/// `new` replace the stored ones (this is how clients migrate ownership); sending `[]` or
/// `[{}]` clears them. As on kube-apiserver, an existing object nobody tracks stays untracked
/// until it is applied, and at most ten `Update` entries are kept (older ones are folded into
/// `ancient-changes`).
pub fn record_update(
    old: Option<&Value>,
    new: &mut Value,
    manager: &str,
    subresource: Option<&str>,
    now: &str,
) {
    record_update_with_schema(old, new, manager, subresource, now, None);
}

/// [`record_update`] for a custom resource whose CRD version has a structural schema
/// (`crd_schema` is its `openAPIV3Schema`); see [`ApplyOptions::crd_schema`].
pub fn record_update_with_schema(
    old: Option<&Value>,
    new: &mut Value,
    manager: &str,
    subresource: Option<&str>,
    now: &str,
    crd_schema: Option<&Value>,
) {
    if !new.is_object() {
        return;
    }
    let api_version = new
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let kind = new
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let root = root_node(&api_version, &kind, crd_schema);

    let mut old_obj = old.cloned().unwrap_or_else(|| Value::Object(Map::new()));
    let stored = take_managed_fields(&mut old_obj);
    let sent_raw = new
        .get("metadata")
        .and_then(|m| m.get("managedFields"))
        .cloned();
    let sent = take_managed_fields(new);
    let mut managers = match (subresource, sent_raw.as_ref().and_then(Value::as_array)) {
        (None, Some(list)) if is_reset(list) => Vec::new(),
        (None, Some(list)) if !sent.is_empty() && decode_entries(list).is_some() => sent,
        _ => stored,
    };
    if managers.is_empty() && old.is_some() {
        put_managed_fields(new, managers);
        return;
    }

    let cmp = compare_objects(&old_obj, new, root, subresource);
    let changed = cmp.modified.union(&cmp.added);
    for e in &mut managers {
        e.set = e.set.difference(&changed).difference(&cmp.removed);
    }
    if !changed.is_empty() {
        let id = ManagerId {
            manager: if manager.is_empty() {
                "unknown"
            } else {
                manager
            }
            .to_owned(),
            operation: Operation::Update,
            api_version: api_version.clone(),
            subresource: subresource.unwrap_or_default().to_owned(),
        };
        match managers.iter_mut().find(|e| e.id == id) {
            Some(e) => {
                e.set = e.set.union(&changed);
                now.clone_into(&mut e.time);
            }
            None => managers.push(Entry {
                id,
                api_version,
                time: now.to_owned(),
                set: changed,
            }),
        }
    }
    managers.retain(|e| !e.set.is_empty());
    cap_update_managers(&mut managers);
    put_managed_fields(new, managers);
}

/// `[]` or `[{}]`: the client asks to drop all managed fields.
fn is_reset(list: &[Value]) -> bool {
    match list {
        [] => true,
        [only] => only.as_object().is_some_and(Map::is_empty),
        _ => false,
    }
}

/// Folds the oldest `Update` entries into `ancient-changes` (one per API version) until at
/// most [`MAX_UPDATE_MANAGERS`] remain.
fn cap_update_managers(managers: &mut Vec<Entry>) {
    let mut updaters: Vec<usize> = (0..managers.len())
        .filter(|&i| managers[i].id.operation == Operation::Update)
        .collect();
    if updaters.len() <= MAX_UPDATE_MANAGERS {
        return;
    }
    updaters.sort_by(|&a, &b| {
        let (x, y) = (&managers[a], &managers[b]);
        x.time
            .cmp(&y.time)
            .then_with(|| x.id.identifier().cmp(&y.id.identifier()))
    });
    let mut length = updaters.len();
    let mut first_of_version: BTreeMap<String, usize> = BTreeMap::new();
    let mut removed: Vec<usize> = Vec::new();
    for &i in &updaters {
        if length <= MAX_UPDATE_MANAGERS {
            break;
        }
        let version = managers[i].api_version.clone();
        let bucket_id = ManagerId {
            manager: ANCIENT_CHANGES.to_owned(),
            operation: Operation::Update,
            api_version: version.clone(),
            subresource: String::new(),
        };
        let Some(&first) = first_of_version.get(&version) else {
            first_of_version.insert(version, i);
            continue;
        };
        let bucket = match managers.iter().position(|e| e.id == bucket_id) {
            Some(b) => b,
            None => {
                // The first entry of this version becomes the bucket.
                managers[first].id = bucket_id;
                first
            }
        };
        let (set, time) = (managers[i].set.clone(), managers[i].time.clone());
        managers[bucket].set = managers[bucket].set.union(&set);
        managers[bucket].time = time;
        removed.push(i);
        length -= 1;
    }
    let mut index = 0;
    managers.retain(|_| {
        let keep = !removed.contains(&index);
        index += 1;
        keep
    });
}

// ---------------------------------------------------------------------------------------------
// Schema positions.

/// What the schema says about one position of an object.
#[derive(Debug, Clone, Copy)]
enum Node<'a> {
    /// A struct with declared fields, merged per field.
    Struct(&'static TypeInfo),
    /// A map with arbitrary keys; values are of this struct type, or atomic scalars.
    Map(Option<&'static TypeInfo>),
    /// An associative list (keyed, or a set of scalars).
    Assoc(&'static Field),
    /// Owned and replaced as a whole.
    Atomic,
    /// No schema: maps are granular, lists atomic.
    Deduced,
    /// The root of a custom resource: a typed `metadata`; the rest follows the CRD's
    /// `openAPIV3Schema` when there is one, and is deduced otherwise.
    CustomRoot(Option<&'a Value>),
    /// An object in a CRD schema (`properties`, `additionalProperties`).
    Schema(&'a Value),
    /// A `set` or `map` list in a CRD schema.
    SchemaList(&'a Value),
}

/// How the items of an associative list are identified.
#[derive(Debug)]
enum ItemKeys<'a> {
    /// Items are scalars identified by their value.
    Set,
    /// Items are objects identified by these fields, with the default of a missing key field.
    Fields(Vec<(&'a str, Option<Value>)>),
}

fn root_node<'a>(api_version: &str, kind: &str, schema: Option<&'a Value>) -> Node<'a> {
    match smp_schema::root_type(api_version, kind) {
        Some(info) => Node::Struct(info),
        None => Node::CustomRoot(schema),
    }
}

fn struct_node(name: Option<&str>) -> Node<'static> {
    match name.and_then(smp_schema::type_info) {
        Some(info) if info.atomic => Node::Atomic,
        Some(info) => Node::Struct(info),
        None => Node::Deduced,
    }
}

fn field_node(field: &'static Field) -> Node<'static> {
    match field.kind {
        FieldKind::Scalar | FieldKind::ListAtomic => Node::Atomic,
        FieldKind::Struct if field.atomic => Node::Atomic,
        FieldKind::Struct => struct_node(field.elem),
        FieldKind::Map if field.atomic => Node::Atomic,
        FieldKind::Map => Node::Map(field.elem.and_then(smp_schema::type_info)),
        FieldKind::ListSet | FieldKind::ListMap => Node::Assoc(field),
    }
}

/// The node a CRD (structural) schema describes.
fn schema_node(schema: &Value) -> Node<'_> {
    let text = |k: &str| schema.get(k).and_then(Value::as_str);
    if schema
        .get("x-kubernetes-int-or-string")
        .and_then(Value::as_bool)
        == Some(true)
    {
        return Node::Atomic;
    }
    match text("type") {
        Some("array") => match text("x-kubernetes-list-type") {
            Some("set" | "map") => Node::SchemaList(schema),
            _ => Node::Atomic,
        },
        Some("object") => {
            if text("x-kubernetes-map-type") == Some("atomic") {
                Node::Atomic
            } else {
                Node::Schema(schema)
            }
        }
        Some(_) => Node::Atomic,
        None if schema
            .get("x-kubernetes-preserve-unknown-fields")
            .and_then(Value::as_bool)
            == Some(true) =>
        {
            Node::Deduced
        }
        None if schema.get("properties").is_some() => Node::Schema(schema),
        None => Node::Deduced,
    }
}

impl<'a> Node<'a> {
    /// Is this a map-like node whose entries are tracked one by one?
    fn is_granular_map(self) -> bool {
        matches!(
            self,
            Node::Struct(_) | Node::Map(_) | Node::Deduced | Node::CustomRoot(_) | Node::Schema(_)
        )
    }

    fn is_assoc(self) -> bool {
        matches!(self, Node::Assoc(_) | Node::SchemaList(_))
    }

    /// The node of `key` in this map-like node, and whether `key` is a declared struct field.
    fn child(self, key: &str) -> (Node<'a>, bool) {
        match self {
            Node::Struct(info) => match info.field(key) {
                Some(f) => (field_node(f), true),
                None => (Node::Deduced, false),
            },
            Node::Map(Some(info)) => (
                if info.atomic {
                    Node::Atomic
                } else {
                    Node::Struct(info)
                },
                false,
            ),
            Node::Map(None) => (Node::Atomic, false),
            Node::CustomRoot(schema) => match key {
                "metadata" => (
                    smp_schema::object_meta().map_or(Node::Deduced, Node::Struct),
                    true,
                ),
                "apiVersion" | "kind" => (Node::Atomic, true),
                _ => match schema {
                    Some(schema) => Node::Schema(schema).child(key),
                    None => (Node::Deduced, matches!(key, "spec" | "status")),
                },
            },
            Node::Schema(schema) => {
                if let Some(prop) = schema.get("properties").and_then(|p| p.get(key)) {
                    return (schema_node(prop), true);
                }
                match schema.get("additionalProperties") {
                    Some(extra) if extra.is_object() => (schema_node(extra), false),
                    _ => (Node::Deduced, false),
                }
            }
            Node::Deduced | Node::Assoc(_) | Node::SchemaList(_) | Node::Atomic => {
                (Node::Deduced, false)
            }
        }
    }

    /// The node of the items of an associative list.
    fn item(self) -> Node<'a> {
        match self {
            Node::Assoc(f) if f.kind == FieldKind::ListMap => struct_node(f.elem),
            Node::SchemaList(schema) => match schema.get("items") {
                Some(items)
                    if self
                        .keys()
                        .is_some_and(|k| matches!(k, ItemKeys::Fields(_))) =>
                {
                    schema_node(items)
                }
                _ => Node::Atomic,
            },
            _ => Node::Atomic,
        }
    }

    /// How the items of this associative list are identified.
    fn keys(self) -> Option<ItemKeys<'a>> {
        match self {
            Node::Assoc(f) if f.kind == FieldKind::ListSet => Some(ItemKeys::Set),
            Node::Assoc(f) => Some(ItemKeys::Fields(
                f.keys
                    .iter()
                    .map(|k| {
                        // The only list-map key of the built-in types with a schema default.
                        let default = (*k == "protocol").then(|| Value::String("TCP".to_owned()));
                        (*k, default)
                    })
                    .collect(),
            )),
            Node::SchemaList(schema) => {
                match schema.get("x-kubernetes-list-type").and_then(Value::as_str) {
                    Some("set") => Some(ItemKeys::Set),
                    Some("map") => {
                        let names = schema
                            .get("x-kubernetes-list-map-keys")
                            .and_then(Value::as_array)?;
                        let props = schema.get("items").and_then(|i| i.get("properties"));
                        Some(ItemKeys::Fields(
                            names
                                .iter()
                                .filter_map(Value::as_str)
                                .map(|k| {
                                    let default = props
                                        .and_then(|p| p.get(k))
                                        .and_then(|p| p.get("default"))
                                        .cloned();
                                    (k, default)
                                })
                                .collect(),
                        ))
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Paths and field sets.

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Element {
    /// A map key or struct field: `f:<name>`.
    Field(String),
    /// An associative list item by its key fields (sorted by name): `k:{...}`.
    Key(Vec<(String, Value)>),
    /// A set item: `v:<json>`.
    Value(Value),
    /// A list item by position: `i:<n>` (only read from stored entries).
    Index(u64),
}

fn value_rank(v: &Value) -> u8 {
    match v {
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::Number(_) => 2,
        Value::String(_) => 3,
        Value::Array(_) => 4,
        Value::Object(_) => 5,
    }
}

fn compare_values(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => {
            let (fx, fy) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
            fx.partial_cmp(&fy).unwrap_or(Ordering::Equal)
        }
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Array(x), Value::Array(y)) => {
            for (p, q) in x.iter().zip(y) {
                let c = compare_values(p, q);
                if c != Ordering::Equal {
                    return c;
                }
            }
            x.len().cmp(&y.len())
        }
        (Value::Object(_), Value::Object(_)) => a.to_string().cmp(&b.to_string()),
        _ => value_rank(a).cmp(&value_rank(b)),
    }
}

impl Ord for Element {
    fn cmp(&self, other: &Self) -> Ordering {
        use Element::{Field, Index, Key, Value as V};
        let rank = |e: &Element| match e {
            Field(_) => 0,
            Key(_) => 1,
            V(_) => 2,
            Index(_) => 3,
        };
        match (self, other) {
            (Field(a), Field(b)) => a.cmp(b),
            (Key(a), Key(b)) => {
                for ((na, va), (nb, vb)) in a.iter().zip(b) {
                    let c = na.cmp(nb).then_with(|| compare_values(va, vb));
                    if c != Ordering::Equal {
                        return c;
                    }
                }
                a.len().cmp(&b.len())
            }
            (V(a), V(b)) => compare_values(a, b),
            (Index(a), Index(b)) => a.cmp(b),
            _ => rank(self).cmp(&rank(other)),
        }
    }
}

impl PartialOrd for Element {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Element {
    /// The FieldsV1 key of this element.
    fn encode(&self) -> String {
        match self {
            Element::Field(name) => format!("f:{name}"),
            Element::Key(fields) => {
                let mut s = String::from("k:{");
                for (i, (name, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        s.push(',');
                    }
                    s.push_str(&go_string(name));
                    s.push(':');
                    s.push_str(&sorted_json(value));
                }
                s.push('}');
                s
            }
            Element::Value(v) => format!("v:{}", sorted_json(v)),
            Element::Index(i) => format!("i:{i}"),
        }
    }

    fn decode(key: &str) -> Option<Element> {
        let (prefix, rest) = key.split_at_checked(2)?;
        match prefix {
            "f:" => Some(Element::Field(rest.to_owned())),
            "k:" => {
                let Ok(Value::Object(m)) = serde_json::from_str::<Value>(rest) else {
                    return None;
                };
                let mut fields: Vec<(String, Value)> = m.into_iter().collect();
                fields.sort_by(|a, b| a.0.cmp(&b.0));
                Some(Element::Key(fields))
            }
            "v:" => serde_json::from_str(rest).ok().map(Element::Value),
            "i:" => rest.parse().ok().map(Element::Index),
            _ => None,
        }
    }

    /// The element as kube-apiserver prints it in conflict messages.
    fn display(&self, out: &mut String) {
        match self {
            Element::Field(name) => {
                out.push('.');
                out.push_str(name);
            }
            Element::Key(fields) => {
                out.push('[');
                for (i, (name, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    let _ = write!(out, "{name}={value}");
                }
                out.push(']');
            }
            Element::Value(v) => {
                let _ = write!(out, "[={v}]");
            }
            Element::Index(i) => {
                let _ = write!(out, "[{i}]");
            }
        }
    }
}

type Path = Vec<Element>;

fn path_string(path: &[Element]) -> String {
    let mut s = String::new();
    for e in path {
        e.display(&mut s);
    }
    s
}

/// A set of field paths, stored as a tree: `members` are paths that end here, `children` are
/// paths that continue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct FieldSet {
    members: std::collections::BTreeSet<Element>,
    children: BTreeMap<Element, FieldSet>,
}

impl FieldSet {
    fn is_empty(&self) -> bool {
        self.members.is_empty() && self.children.is_empty()
    }

    fn insert(&mut self, path: &[Element]) {
        match path {
            [] => {}
            [last] => {
                self.members.insert(last.clone());
            }
            [first, rest @ ..] => self.children.entry(first.clone()).or_default().insert(rest),
        }
    }

    fn has(&self, path: &[Element]) -> bool {
        match path {
            [] => false,
            [last] => self.members.contains(last),
            [first, rest @ ..] => self.children.get(first).is_some_and(|c| c.has(rest)),
        }
    }

    fn union(&self, other: &FieldSet) -> FieldSet {
        let mut out = self.clone();
        out.members.extend(other.members.iter().cloned());
        for (k, v) in &other.children {
            let merged = match out.children.get(k) {
                Some(mine) => mine.union(v),
                None => v.clone(),
            };
            out.children.insert(k.clone(), merged);
        }
        out
    }

    fn intersection(&self, other: &FieldSet) -> FieldSet {
        let mut out = FieldSet {
            members: self.members.intersection(&other.members).cloned().collect(),
            children: BTreeMap::new(),
        };
        for (k, v) in &self.children {
            if let Some(o) = other.children.get(k) {
                let i = v.intersection(o);
                if !i.is_empty() {
                    out.children.insert(k.clone(), i);
                }
            }
        }
        out
    }

    fn difference(&self, other: &FieldSet) -> FieldSet {
        let mut out = FieldSet {
            members: self.members.difference(&other.members).cloned().collect(),
            children: BTreeMap::new(),
        };
        for (k, v) in &self.children {
            let d = match other.children.get(k) {
                Some(o) => v.difference(o),
                None => v.clone(),
            };
            if !d.is_empty() {
                out.children.insert(k.clone(), d);
            }
        }
        out
    }

    /// Removes every path equal to or below a member of `other`.
    fn recursive_difference(&self, other: &FieldSet) -> FieldSet {
        let mut out = FieldSet {
            members: self.members.difference(&other.members).cloned().collect(),
            children: BTreeMap::new(),
        };
        for (k, v) in &self.children {
            if other.members.contains(k) {
                continue;
            }
            let d = match other.children.get(k) {
                Some(o) => v.recursive_difference(o),
                None => v.clone(),
            };
            if !d.is_empty() {
                out.children.insert(k.clone(), d);
            }
        }
        out
    }

    /// Every member path, in order.
    fn leaves(&self) -> Vec<Path> {
        let mut out = Vec::new();
        self.collect(&mut Vec::new(), &mut out);
        out
    }

    fn collect(&self, prefix: &mut Path, out: &mut Vec<Path>) {
        // Members of a node first, then its children: structured-merge-diff's iteration
        // order, which conflict lists follow.
        for m in &self.members {
            prefix.push(m.clone());
            out.push(prefix.clone());
            prefix.pop();
        }
        for (k, c) in &self.children {
            prefix.push(k.clone());
            c.collect(prefix, out);
            prefix.pop();
        }
    }

    /// The FieldsV1 JSON form.
    fn to_fields_v1(&self) -> Value {
        let mut keys: Vec<&Element> = self.members.iter().chain(self.children.keys()).collect();
        keys.sort();
        keys.dedup();
        let mut out = Map::new();
        for k in keys {
            let mut node = match self.children.get(k) {
                Some(c) => match c.to_fields_v1() {
                    Value::Object(m) => m,
                    _ => Map::new(),
                },
                None => Map::new(),
            };
            if self.members.contains(k) && !node.is_empty() {
                let mut with_self = Map::new();
                with_self.insert(".".to_owned(), Value::Object(Map::new()));
                with_self.extend(node);
                node = with_self;
            }
            out.insert(k.encode(), Value::Object(node));
        }
        Value::Object(out)
    }

    /// Parses FieldsV1 JSON; `None` when it is malformed.
    fn from_fields_v1(v: &Value) -> Option<FieldSet> {
        let m = v.as_object()?;
        let mut set = FieldSet::default();
        for (key, child) in m {
            if key == "." {
                continue;
            }
            let element = Element::decode(key)?;
            let child_map = child.as_object()?;
            if child_map.is_empty() || child_map.contains_key(".") {
                set.members.insert(element.clone());
            }
            let sub = FieldSet::from_fields_v1(child)?;
            if !sub.is_empty() {
                set.children.insert(element, sub);
            }
        }
        Some(set)
    }
}

fn set_of(paths: &[&[&str]]) -> FieldSet {
    let mut set = FieldSet::default();
    for p in paths {
        let path: Path = p.iter().map(|s| Element::Field((*s).to_owned())).collect();
        set.insert(&path);
    }
    set
}

/// Paths whose ownership is never tracked: type information and server-owned metadata. Only
/// these exact paths are dropped, not what lies below them.
fn stripped_paths() -> FieldSet {
    set_of(&[
        &["apiVersion"],
        &["kind"],
        &["metadata"],
        &["metadata", "name"],
        &["metadata", "namespace"],
        &["metadata", "creationTimestamp"],
        &["metadata", "selfLink"],
        &["metadata", "uid"],
        &["metadata", "clusterName"],
        &["metadata", "generation"],
        &["metadata", "managedFields"],
        &["metadata", "resourceVersion"],
    ])
}

/// The half of the object a write cannot change, dropped with everything below it: `status`
/// for the main resource, `spec` for `/status`.
fn reset_paths(subresource: Option<&str>) -> FieldSet {
    match subresource {
        Some("status") => set_of(&[&["spec"]]),
        Some(_) => FieldSet::default(),
        None => set_of(&[&["status"]]),
    }
}

/// Drops untracked paths from a set.
fn tracked(set: &FieldSet, subresource: Option<&str>) -> FieldSet {
    set.difference(&stripped_paths())
        .recursive_difference(&reset_paths(subresource))
}

// ---------------------------------------------------------------------------------------------
// List items.

/// The path element of an associative-list item; `None` when a key field is missing.
fn item_element(item: &Value, node: Node<'_>) -> Option<Element> {
    match node.keys()? {
        ItemKeys::Set => Some(Element::Value(item.clone())),
        ItemKeys::Fields(fields) => {
            let map = item.as_object()?;
            let mut keys: Vec<(String, Value)> = Vec::with_capacity(fields.len());
            for (k, default) in fields {
                let v = match map.get(k) {
                    Some(v) if !v.is_null() => v.clone(),
                    _ => default?,
                };
                keys.push((k.to_owned(), v));
            }
            keys.sort_by(|a, b| a.0.cmp(&b.0));
            Some(Element::Key(keys))
        }
    }
}

/// Item elements of a list, or `None` when some item cannot be keyed (the list is then
/// handled as atomic).
fn item_elements(items: &[Value], node: Node<'_>) -> Option<Vec<Element>> {
    items.iter().map(|i| item_element(i, node)).collect()
}

/// Rejects applied lists whose items lack their keys or repeat them.
fn check_keys(v: &Value, node: Node<'_>, path: &mut Path) -> Result<(), ApplyError> {
    match v {
        Value::Object(m) if node.is_granular_map() => {
            for (k, child) in m {
                path.push(Element::Field(k.clone()));
                check_keys(child, node.child(k).0, path)?;
                path.pop();
            }
        }
        Value::Array(items) if node.is_assoc() => {
            let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
            for (i, item) in items.iter().enumerate() {
                let Some(e) = item_element(item, node) else {
                    let missing = match node.keys() {
                        Some(ItemKeys::Fields(fields)) => fields
                            .into_iter()
                            .find(|(k, d)| item.get(*k).is_none_or(Value::is_null) && d.is_none())
                            .map(|(k, _)| k),
                        _ => None,
                    };
                    return Err(ApplyError::Invalid(format!(
                        "{}: element {i}: associative list with keys has an element that omits key field {:?} (and doesn't have default value)",
                        path_string(path),
                        missing.unwrap_or("")
                    )));
                };
                if !seen.insert(e.encode()) {
                    let mut p = path.clone();
                    p.push(e);
                    return Err(ApplyError::Invalid(format!(
                        "{}: duplicate entries for key {}",
                        path_string(path),
                        path_string(&p[p.len() - 1..])
                    )));
                }
                path.push(e.clone());
                check_keys(item, node.item(), path)?;
                path.pop();
            }
        }
        _ => {}
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Field sets of values.

fn to_field_set(v: &Value, node: Node<'_>) -> FieldSet {
    let mut set = FieldSet::default();
    walk_set(v, node, &mut Vec::new(), &mut set);
    set
}

fn walk_set(v: &Value, node: Node<'_>, path: &mut Path, set: &mut FieldSet) {
    match (v, node) {
        (Value::Object(m), n) if n.is_granular_map() => {
            for (k, child) in m {
                let (child_node, declared) = n.child(k);
                path.push(Element::Field(k.clone()));
                walk_set(child, child_node, path, set);
                let empty_map = child.as_object().is_some_and(Map::is_empty);
                if child.is_null() || empty_map || !declared {
                    set.insert(path);
                }
                path.pop();
            }
        }
        (Value::Array(items), n) if n.is_assoc() => match item_elements(items, node) {
            Some(elements) => {
                let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
                for (item, e) in items.iter().zip(&elements) {
                    path.push(e.clone());
                    if seen.insert(e.encode()) {
                        walk_set(item, node.item(), path, set);
                    }
                    set.insert(path);
                    path.pop();
                }
            }
            None => set.insert(path),
        },
        (Value::Null, n) if n.is_assoc() || !matches!(n, Node::Atomic | Node::Deduced) => {}
        (Value::Object(_), _) | (Value::Array(_), _) => set.insert(path),
        _ => set.insert(path),
    }
}

// ---------------------------------------------------------------------------------------------
// Merging an applied configuration into the live object.

fn merge_values(live: Option<&Value>, config: Option<&Value>, node: Node<'_>) -> Option<Value> {
    let (l, r) = match (live, config) {
        (None, None) => return None,
        (Some(l), None) => return Some(l.clone()),
        (None, Some(r)) => return Some(r.clone()),
        (Some(l), Some(r)) => (l, r),
    };
    match (l, r, node) {
        (Value::Object(lm), Value::Object(rm), n) if n.is_granular_map() => {
            if lm.is_empty() && rm.is_empty() {
                return Some(r.clone());
            }
            let mut out = Map::new();
            for (k, lv) in lm {
                let merged = merge_values(Some(lv), rm.get(k), n.child(k).0);
                if let Some(v) = merged {
                    out.insert(k.clone(), v);
                }
            }
            for (k, rv) in rm {
                if !lm.contains_key(k) {
                    out.insert(k.clone(), rv.clone());
                }
            }
            Some(Value::Object(out))
        }
        (Value::Array(ll), Value::Array(rl), n) if n.is_assoc() => {
            if ll.is_empty() && rl.is_empty() {
                return Some(r.clone());
            }
            match (item_elements(ll, node), item_elements(rl, node)) {
                (Some(le), Some(re)) => {
                    Some(Value::Array(merge_lists(ll, &le, rl, &re, node.item())))
                }
                _ => Some(r.clone()),
            }
        }
        _ => Some(r.clone()),
    }
}

/// Merges two associative lists the way structured-merge-diff orders them: the applied
/// order wins for shared items, and live-only items stay near their live neighbours.
fn merge_lists(
    lhs: &[Value],
    lpe: &[Element],
    rhs: &[Value],
    rpe: &[Element],
    item: Node<'_>,
) -> Vec<Value> {
    use std::collections::{HashMap, HashSet, VecDeque};
    let lkeys: Vec<String> = lpe.iter().map(Element::encode).collect();
    let rkeys: Vec<String> = rpe.iter().map(Element::encode).collect();
    // Live items by key; a key the live list repeats maps to no item, so the applied item
    // replaces all its copies.
    let mut live: HashMap<&str, Option<usize>> = HashMap::new();
    for (i, k) in lkeys.iter().enumerate() {
        live.entry(k.as_str())
            .and_modify(|v| *v = None)
            .or_insert(Some(i));
    }
    let applied: HashSet<&str> = rkeys.iter().map(String::as_str).collect();
    let live_item = |k: &str| live.get(k).copied().flatten().map(|i| &lhs[i]);
    let mut shared: VecDeque<&str> = rkeys
        .iter()
        .map(String::as_str)
        .filter(|k| live.contains_key(k))
        .collect();
    let mut next_shared = shared.pop_front();
    let mut merged_rhs: HashSet<&str> = HashSet::new();
    let mut out = Vec::with_capacity(lhs.len().max(rhs.len()));
    let (mut li, mut ri) = (0, 0);
    while li < lkeys.len() || ri < rkeys.len() {
        if li < lkeys.len() && ri < rkeys.len() {
            let k = lkeys[li].as_str();
            if k == rkeys[ri] {
                merged_rhs.insert(k);
                out.extend(merge_values(live_item(k), Some(&rhs[ri]), item));
                li += 1;
                ri += 1;
                next_shared = shared.pop_front();
                continue;
            }
            if applied.contains(k) && next_shared.is_some_and(|n| n != k) {
                li += 1;
                continue;
            }
        }
        if li < lkeys.len() {
            let k = lkeys[li].as_str();
            if !applied.contains(k) {
                out.push(lhs[li].clone());
                li += 1;
                continue;
            }
            if merged_rhs.contains(k) {
                li += 1;
            }
        }
        if ri < rkeys.len() {
            let k = rkeys[ri].as_str();
            merged_rhs.insert(k);
            out.extend(merge_values(live_item(k), Some(&rhs[ri]), item));
            ri += 1;
            if next_shared == Some(k) {
                next_shared = shared.pop_front();
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Removing fields the applier no longer sets.

fn prune(obj: &mut Value, last: &FieldSet, owned: &FieldSet, root: Node<'_>) {
    // Struct fields count as owned by whoever owns something below them (upstream's
    // "named fields are members"): such a field the applier reached into goes as a whole once
    // nobody owns anything below it. List items and map entries survive only if somebody owns
    // the item itself.
    let mut candidates = last.leaves();
    named_parents(last, root, &mut Vec::new(), &mut candidates);
    let mut owned_named = Vec::new();
    named_parents(owned, root, &mut Vec::new(), &mut owned_named);
    let mut managed = owned.clone();
    for p in &owned_named {
        managed.insert(p);
    }
    let doomed: Vec<Path> = candidates.into_iter().filter(|p| !managed.has(p)).collect();
    // A doomed list item goes as a whole; removing its key fields first would lose the item.
    let outermost: Vec<&Path> = doomed
        .iter()
        .filter(|p| !doomed.iter().any(|q| q.len() < p.len() && p.starts_with(q)))
        .filter(|p| !is_key_field_of_kept_item(p))
        .collect();
    for path in outermost {
        remove_path(obj, path, root);
    }
}

/// Collects the paths of declared struct fields that have paths of `set` below them.
fn named_parents(set: &FieldSet, node: Node<'_>, prefix: &mut Path, out: &mut Vec<Path>) {
    for (element, child) in &set.children {
        let child_node = match element {
            Element::Field(name) => {
                let (child_node, declared) = node.child(name);
                if declared {
                    prefix.push(element.clone());
                    out.push(prefix.clone());
                    prefix.pop();
                }
                child_node
            }
            _ => node.item(),
        };
        prefix.push(element.clone());
        named_parents(child, child_node, prefix, out);
        prefix.pop();
    }
}

/// True for a key field of a list item (`...[name="x"].name`): an item that survives must keep
/// its key even when the manager that set it lets go.
fn is_key_field_of_kept_item(path: &[Element]) -> bool {
    match path {
        [.., Element::Key(keys), Element::Field(name)] => keys.iter().any(|(k, _)| k == name),
        _ => false,
    }
}

/// Removes the value at `path`; empty maps and lists left behind are removed as well, as a
/// typed round trip would omit them.
fn remove_path(v: &mut Value, path: &[Element], node: Node<'_>) -> bool {
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    match (v, first) {
        (Value::Object(m), Element::Field(name)) => {
            let (child_node, _) = node.child(name);
            if rest.is_empty() {
                return m.remove(name).is_some();
            }
            let Some(child) = m.get_mut(name) else {
                return false;
            };
            let removed = remove_path(child, rest, child_node);
            let now_empty = match child {
                Value::Array(l) => l.is_empty(),
                Value::Object(o) => o.is_empty() && matches!(child_node, Node::Map(_)),
                _ => false,
            };
            if removed && now_empty {
                m.remove(name);
            }
            removed
        }
        (Value::Array(items), e @ (Element::Key(_) | Element::Value(_))) => {
            let Some(i) = items
                .iter()
                .position(|it| item_element(it, node).as_ref() == Some(e))
            else {
                return false;
            };
            if rest.is_empty() {
                items.remove(i);
                return true;
            }
            remove_path(&mut items[i], rest, node.item())
        }
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Comparing two versions of an object.

#[derive(Debug, Default)]
struct Comparison {
    added: FieldSet,
    modified: FieldSet,
    removed: FieldSet,
}

/// Compares two objects as typed values: both are completed with the empty structs and nulls
/// a Go round trip would show, and untracked paths are dropped from the result.
fn compare_objects(
    old: &Value,
    new: &Value,
    root: Node<'_>,
    subresource: Option<&str>,
) -> Comparison {
    let mut old = old.clone();
    let mut new = new.clone();
    if let Some(meta) = old.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
    }
    if let Some(meta) = new.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
    }
    zero_fill(&mut old, root);
    zero_fill(&mut new, root);
    let mut cmp = Comparison::default();
    compare(Some(&old), Some(&new), root, &mut Vec::new(), &mut cmp);
    Comparison {
        added: tracked(&cmp.added, subresource),
        modified: tracked(&cmp.modified, subresource),
        removed: tracked(&cmp.removed, subresource),
    }
}

fn compare_leaf(l: Option<&Value>, r: Option<&Value>, path: &Path, cmp: &mut Comparison) {
    match (l, r) {
        (None, Some(_)) => cmp.added.insert(path),
        (Some(_), None) => cmp.removed.insert(path),
        (Some(a), Some(b)) if a != b => cmp.modified.insert(path),
        _ => {}
    }
}

fn compare(
    l: Option<&Value>,
    r: Option<&Value>,
    node: Node<'_>,
    path: &mut Path,
    cmp: &mut Comparison,
) {
    let granular_values = |v: Option<&Value>, want_list: bool| {
        v.is_none_or(|v| {
            v.is_null()
                || if want_list {
                    v.is_array()
                } else {
                    v.is_object()
                }
        })
    };
    if node.is_granular_map() && granular_values(l, false) && granular_values(r, false) {
        let (lm, rm) = (l.and_then(Value::as_object), r.and_then(Value::as_object));
        if lm.is_none_or(Map::is_empty) && rm.is_none_or(Map::is_empty) {
            compare_leaf(l, r, path, cmp);
            return;
        }
        let mut keys: Vec<&String> = lm.into_iter().flat_map(Map::keys).collect();
        for k in rm.into_iter().flat_map(Map::keys) {
            if !lm.is_some_and(|m| m.contains_key(k)) {
                keys.push(k);
            }
        }
        for k in keys {
            path.push(Element::Field(k.clone()));
            compare(
                lm.and_then(|m| m.get(k)),
                rm.and_then(|m| m.get(k)),
                node.child(k).0,
                path,
                cmp,
            );
            path.pop();
        }
    } else if node.is_assoc() && granular_values(l, true) && granular_values(r, true) {
        let (ll, rl) = (l.and_then(Value::as_array), r.and_then(Value::as_array));
        let (ll, rl) = (
            ll.map_or(&[][..], Vec::as_slice),
            rl.map_or(&[][..], Vec::as_slice),
        );
        let (Some(le), Some(re)) = (item_elements(ll, node), item_elements(rl, node)) else {
            compare_leaf(l, r, path, cmp);
            return;
        };
        if ll.is_empty() && rl.is_empty() {
            compare_leaf(l, r, path, cmp);
            return;
        }
        // Items grouped by key, in first-seen order (live first).
        let mut order: Vec<&Element> = Vec::new();
        let mut groups: std::collections::HashMap<String, (Vec<&Value>, Vec<&Value>)> =
            std::collections::HashMap::new();
        for (side, (items, elements)) in [(ll, &le), (rl, &re)].into_iter().enumerate() {
            for (item, e) in items.iter().zip(elements.iter()) {
                let group = groups.entry(e.encode()).or_insert_with(|| {
                    order.push(e);
                    (Vec::new(), Vec::new())
                });
                if side == 0 {
                    group.0.push(item);
                } else {
                    group.1.push(item);
                }
            }
        }
        for e in order {
            let Some((lv, rv)) = groups.get(&e.encode()) else {
                continue;
            };
            path.push(e.clone());
            // Repeated keys (only possible in stored data) are compared as a whole.
            match (lv.len(), rv.len()) {
                (0..=1, 0..=1) => {
                    compare(
                        lv.first().copied(),
                        rv.first().copied(),
                        node.item(),
                        path,
                        cmp,
                    );
                }
                (2.., 2..) => {
                    if lv != rv {
                        cmp.modified.insert(path);
                    }
                }
                (2.., _) => {
                    if let Some(r) = rv.first() {
                        compare(None, Some(r), node.item(), path, cmp);
                    }
                    cmp.removed.insert(path);
                }
                (_, _) => {
                    if let Some(l) = lv.first() {
                        compare(Some(l), None, node.item(), path, cmp);
                    }
                    cmp.added.insert(path);
                }
            }
            path.pop();
        }
    } else {
        compare_leaf(l, r, path, cmp);
        return;
    }
    if l.is_none() {
        cmp.added.insert(path);
    } else if r.is_none() {
        cmp.removed.insert(path);
    }
}

/// Adds the fields a Go round trip of a typed object always shows: non-pointer structs as
/// `{}` and never-omitted lists, maps and pointers as `null`.
fn zero_fill(v: &mut Value, node: Node<'_>) {
    match node {
        Node::Struct(info) => {
            let Value::Object(m) = v else {
                return;
            };
            for (name, field) in &info.fields {
                match field.zero {
                    Zero::Empty if !m.contains_key(*name) => {
                        m.insert((*name).to_owned(), Value::Object(Map::new()));
                    }
                    Zero::Null if !m.contains_key(*name) => {
                        m.insert((*name).to_owned(), Value::Null);
                    }
                    _ => {}
                }
            }
            for (k, child) in m.iter_mut() {
                if let Some(field) = info.fields.get(k.as_str()) {
                    zero_fill(child, field_node(field));
                }
            }
        }
        Node::Map(Some(_)) => {
            if let Value::Object(m) = v {
                for (k, child) in m.iter_mut() {
                    let child_node = node.child(k).0;
                    zero_fill(child, child_node);
                }
            }
        }
        Node::Assoc(_) | Node::SchemaList(_) => {
            if let Value::Array(items) = v {
                for item in items {
                    zero_fill(item, node.item());
                }
            }
        }
        Node::CustomRoot(_) => {
            if let Some(meta) = v.get_mut("metadata") {
                zero_fill(meta, node.child("metadata").0);
            }
        }
        Node::Map(None) | Node::Atomic | Node::Deduced | Node::Schema(_) => {}
    }
}

/// Drops `null` map values, which a typed decode would omit.
fn strip_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, x| !x.is_null());
            m.values_mut().for_each(strip_nulls);
        }
        Value::Array(l) => l.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

fn restore_server_metadata(obj: &mut Value, live: Option<&Value>) {
    const SERVER_OWNED: [&str; 5] = [
        "uid",
        "creationTimestamp",
        "generation",
        "resourceVersion",
        "deletionTimestamp",
    ];
    let live_meta = live
        .and_then(|l| l.get("metadata"))
        .and_then(Value::as_object);
    let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    for key in SERVER_OWNED {
        match live_meta.and_then(|m| m.get(key)) {
            Some(v) => {
                meta.insert(key.to_owned(), v.clone());
            }
            None if key != "resourceVersion" => {
                meta.remove(key);
            }
            None => {}
        }
    }
}

// ---------------------------------------------------------------------------------------------
// managedFields entries.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Operation {
    Apply,
    Update,
}

impl Operation {
    fn as_str(self) -> &'static str {
        match self {
            Operation::Apply => "Apply",
            Operation::Update => "Update",
        }
    }
}

/// Who owns a set: apply entries are per manager, update entries per manager and version.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ManagerId {
    manager: String,
    operation: Operation,
    /// Only part of the identity of `Update` entries.
    api_version: String,
    subresource: String,
}

impl ManagerId {
    /// The identifier kube-apiserver derives from an entry (its JSON without fields and time).
    fn identifier(&self) -> String {
        let mut m = Map::new();
        m.insert("manager".to_owned(), Value::String(self.manager.clone()));
        m.insert(
            "operation".to_owned(),
            Value::String(self.operation.as_str().to_owned()),
        );
        if !self.api_version.is_empty() {
            m.insert(
                "apiVersion".to_owned(),
                Value::String(self.api_version.clone()),
            );
        }
        if !self.subresource.is_empty() {
            m.insert(
                "subresource".to_owned(),
                Value::String(self.subresource.clone()),
            );
        }
        Value::Object(m).to_string()
    }

    /// The manager as kube-apiserver names it in conflict messages.
    fn describe(&self) -> String {
        let mut s = format!("{:?}", self.manager);
        if !self.subresource.is_empty() {
            let _ = write!(s, " with subresource {:?}", self.subresource);
        }
        if self.operation == Operation::Update {
            let _ = write!(s, " using {}", self.api_version);
        }
        s
    }
}

#[derive(Debug, Clone)]
struct Entry {
    id: ManagerId,
    api_version: String,
    time: String,
    set: FieldSet,
}

fn decode_entries(list: &[Value]) -> Option<Vec<Entry>> {
    let mut out: Vec<Entry> = Vec::new();
    for v in list {
        let m = v.as_object()?;
        let text = |k: &str| {
            m.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let operation = match m.get("operation").and_then(Value::as_str) {
            Some("Apply") => Operation::Apply,
            Some("Update") => Operation::Update,
            _ => return None,
        };
        if m.get("fieldsType").and_then(Value::as_str) != Some("FieldsV1") {
            return None;
        }
        if m.get("apiVersion")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            return None;
        }
        let set = match m.get("fieldsV1") {
            Some(f) => FieldSet::from_fields_v1(f)?,
            None => FieldSet::default(),
        };
        let api_version = text("apiVersion");
        let id = ManagerId {
            manager: text("manager"),
            operation,
            api_version: if operation == Operation::Update {
                api_version.clone()
            } else {
                String::new()
            },
            subresource: text("subresource"),
        };
        match out.iter_mut().find(|e| e.id == id) {
            Some(e) => e.set = e.set.union(&set),
            None => out.push(Entry {
                id,
                api_version,
                time: text("time"),
                set,
            }),
        }
    }
    Some(out)
}

/// Removes `metadata.managedFields` from `obj` and decodes it (undecodable entries count as
/// none, as on a real server that then starts over).
fn take_managed_fields(obj: &mut Value) -> Vec<Entry> {
    let raw = obj
        .get_mut("metadata")
        .and_then(Value::as_object_mut)
        .and_then(|m| m.remove("managedFields"));
    match raw {
        Some(Value::Array(list)) => decode_entries(&list).unwrap_or_default(),
        _ => Vec::new(),
    }
}

fn put_managed_fields(obj: &mut Value, mut entries: Vec<Entry>) {
    // kube-apiserver's order: operation, then time, manager, apiVersion, subresource.
    entries.sort_by(|a, b| {
        a.id.operation
            .cmp(&b.id.operation)
            .then_with(|| a.time.cmp(&b.time))
            .then_with(|| a.id.manager.cmp(&b.id.manager))
            .then_with(|| a.api_version.cmp(&b.api_version))
            .then_with(|| a.id.subresource.cmp(&b.id.subresource))
    });
    let encoded: Vec<Value> = entries
        .into_iter()
        .map(|e| {
            let mut m = Map::new();
            m.insert("manager".to_owned(), Value::String(e.id.manager));
            m.insert(
                "operation".to_owned(),
                Value::String(e.id.operation.as_str().to_owned()),
            );
            m.insert("apiVersion".to_owned(), Value::String(e.api_version));
            m.insert("time".to_owned(), Value::String(e.time));
            m.insert(
                "fieldsType".to_owned(),
                Value::String("FieldsV1".to_owned()),
            );
            m.insert("fieldsV1".to_owned(), e.set.to_fields_v1());
            if !e.id.subresource.is_empty() {
                m.insert("subresource".to_owned(), Value::String(e.id.subresource));
            }
            Value::Object(m)
        })
        .collect();
    let Value::Object(root) = obj else {
        return;
    };
    let meta = root
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    if !meta.is_object() {
        *meta = Value::Object(Map::new());
    }
    if let Value::Object(meta) = meta {
        if encoded.is_empty() {
            meta.remove("managedFields");
        } else {
            meta.insert("managedFields".to_owned(), Value::Array(encoded));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const T1: &str = "2026-01-01T00:00:00Z";
    const T2: &str = "2026-01-01T00:01:00Z";
    const T3: &str = "2026-01-01T00:02:00Z";

    fn deployment(replicas: u64, containers: Value) -> Value {
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": containers}}
            }
        })
    }

    fn apply(
        live: Option<&Value>,
        applied: &Value,
        manager: &str,
        force: bool,
        now: &str,
    ) -> Result<Value, ApplyError> {
        let gv = applied["apiVersion"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let kind = applied["kind"].as_str().unwrap_or_default().to_owned();
        server_side_apply(live, applied, manager, force, &gv, &kind, now)
    }

    fn managed(obj: &Value) -> &Vec<Value> {
        obj["metadata"]["managedFields"]
            .as_array()
            .expect("managedFields")
    }

    fn entry<'a>(obj: &'a Value, manager: &str) -> &'a Value {
        managed(obj)
            .iter()
            .find(|e| e["manager"] == manager)
            .unwrap_or_else(|| panic!("no entry for {manager}"))
    }

    #[test]
    fn apply_creates_with_the_documented_managed_fields() {
        // The example of the Kubernetes server-side apply documentation.
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "test-cm", "namespace": "default", "labels": {"test-label": "test"}},
            "data": {"key": "some value"}});
        let got = apply(None, &cm, "kubectl", false, T1).expect("apply");
        assert_eq!(got["data"], json!({"key": "some value"}));
        assert_eq!(
            got["metadata"]["managedFields"],
            json!([{
                "manager": "kubectl", "operation": "Apply", "apiVersion": "v1", "time": T1,
                "fieldsType": "FieldsV1",
                "fieldsV1": {"f:data": {"f:key": {}}, "f:metadata": {"f:labels": {"f:test-label": {}}}}
            }])
        );
    }

    #[test]
    fn deployment_field_set_uses_keys_atomic_selector_and_port_protocol_default() {
        let d = deployment(
            2,
            json!([{"name": "web", "image": "nginx", "ports": [{"containerPort": 80}]}]),
        );
        let got = apply(None, &d, "helm", false, T1).expect("apply");
        assert_eq!(
            entry(&got, "helm")["fieldsV1"],
            json!({
                "f:metadata": {"f:labels": {"f:app": {}}},
                "f:spec": {
                    "f:replicas": {},
                    "f:selector": {},
                    "f:template": {
                        "f:metadata": {"f:labels": {"f:app": {}}},
                        "f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {
                            ".": {}, "f:image": {}, "f:name": {},
                            "f:ports": {"k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}}}
                        }}}
                    }
                }
            })
        );
        assert!(
            got["metadata"].get("uid").is_none(),
            "server-owned metadata is left to the caller"
        );
    }

    #[test]
    fn conflicting_apply_is_refused_and_force_moves_ownership() {
        let live = apply(
            None,
            &deployment(2, json!([{"name": "web", "image": "nginx"}])),
            "helm",
            false,
            T1,
        )
        .expect("apply");
        let mut other = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 3}});
        let err =
            apply(Some(&live), &other, "scaler", false, T2).expect_err("replicas belongs to helm");
        let ApplyError::Conflicts(conflicts) = &err else {
            panic!("expected conflicts, got {err:?}")
        };
        assert_eq!(conflicts.len(), 1);
        assert_eq!(conflicts[0].manager, "helm");
        assert_eq!(conflicts[0].field, ".spec.replicas");
        assert_eq!(conflicts[0].message, "conflict with \"helm\"");
        assert_eq!(
            err.to_string(),
            "Apply failed with 1 conflict: conflict with \"helm\": .spec.replicas"
        );

        let forced = apply(Some(&live), &other, "scaler", true, T2).expect("forced apply");
        assert_eq!(forced["spec"]["replicas"], json!(3));
        assert_eq!(
            entry(&forced, "scaler")["fieldsV1"],
            json!({"f:spec": {"f:replicas": {}}})
        );
        assert!(
            entry(&forced, "helm")["fieldsV1"]["f:spec"]
                .get("f:replicas")
                .is_none()
        );
        assert_eq!(
            entry(&forced, "helm")["time"],
            json!(T1),
            "the loser's timestamp is kept"
        );

        // The same value is shared ownership, not a conflict.
        other["spec"]["replicas"] = json!(2);
        let shared = apply(Some(&live), &other, "scaler", false, T2).expect("same value");
        assert!(
            entry(&shared, "helm")["fieldsV1"]["f:spec"]
                .get("f:replicas")
                .is_some()
        );
        assert!(
            entry(&shared, "scaler")["fieldsV1"]["f:spec"]
                .get("f:replicas")
                .is_some()
        );
    }

    #[test]
    fn fields_no_longer_applied_are_removed_unless_someone_else_owns_them() {
        let two = deployment(
            2,
            json!([{"name": "web", "image": "nginx", "env": [{"name": "A", "value": "1"}, {"name": "DEBUG", "value": "1"}]},
                   {"name": "sidecar", "image": "busybox"}]),
        );
        let live = apply(None, &two, "helm", false, T1).expect("apply");
        let mut one = deployment(
            2,
            json!([{"name": "web", "image": "nginx", "env": [{"name": "A", "value": "1"}]}]),
        );
        one["metadata"]["labels"] = json!({});
        let got = apply(Some(&live), &one, "helm", false, T2).expect("apply");
        assert_eq!(
            got["spec"]["template"]["spec"]["containers"],
            json!([{"name": "web", "image": "nginx", "env": [{"name": "A", "value": "1"}]}])
        );
        assert!(
            got["metadata"].get("labels").is_none(),
            "an emptied label map is dropped"
        );

        // A label another manager also applied survives when the first manager drops it.
        let with_label = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "labels": {"a": "1", "b": "2"}}});
        let live = apply(None, &with_label, "one", false, T1).expect("apply");
        let live = apply(Some(&live), &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "labels": {"b": "2"}}}), "two", false, T2)
            .expect("apply");
        let got = apply(Some(&live), &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "labels": {"a": "1"}}}), "one", false, T3)
            .expect("apply");
        assert_eq!(got["metadata"]["labels"], json!({"a": "1", "b": "2"}));
        let got = apply(
            Some(&live),
            &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}),
            "one",
            false,
            T3,
        )
        .expect("apply");
        assert_eq!(got["metadata"]["labels"], json!({"b": "2"}));
        assert!(
            managed(&got).iter().all(|e| e["manager"] != "one"),
            "empty entries are dropped"
        );
    }

    #[test]
    fn an_item_only_survives_if_somebody_owns_the_item_itself() {
        let live = apply(
            None,
            &deployment(
                1,
                json!([{"name": "a", "image": "a"}, {"name": "b", "image": "b"}]),
            ),
            "helm",
            false,
            T1,
        )
        .expect("apply");
        // Another writer sets a field inside `b`; it owns that field, not the item.
        let mut patched = live.clone();
        patched["spec"]["template"]["spec"]["containers"][1]["resources"] =
            json!({"limits": {"cpu": "1"}});
        record_update(Some(&live), &mut patched, "vpa", None, T2);
        let got = apply(
            Some(&patched),
            &deployment(1, json!([{"name": "a", "image": "a"}])),
            "helm",
            false,
            T3,
        )
        .expect("apply");
        assert_eq!(
            got["spec"]["template"]["spec"]["containers"],
            json!([{"name": "a", "image": "a"}])
        );
        assert!(
            managed(&got).iter().all(|e| e["manager"] != "vpa"),
            "the writer lost the fields that went with the item"
        );
        // A writer that created an item owns it, and the item stays.
        let mut added = live.clone();
        added["spec"]["template"]["spec"]["containers"]
            .as_array_mut()
            .expect("containers")
            .push(json!({"name": "c", "image": "c"}));
        record_update(Some(&live), &mut added, "injector", None, T2);
        let got = apply(
            Some(&added),
            &deployment(1, json!([{"name": "a", "image": "a"}])),
            "helm",
            false,
            T3,
        )
        .expect("apply");
        assert_eq!(
            got["spec"]["template"]["spec"]["containers"],
            json!([{"name": "a", "image": "a"}, {"name": "c", "image": "c"}])
        );
    }

    #[test]
    fn apply_merges_associative_lists_by_key() {
        let live = apply(
            None,
            &deployment(1, json!([{"name": "a", "image": "a"}])),
            "helm",
            false,
            T1,
        )
        .expect("apply");
        let sidecar = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"template": {"spec": {"containers": [{"name": "b", "image": "b"}]}}}});
        let got = apply(Some(&live), &sidecar, "injector", false, T2).expect("apply");
        assert_eq!(
            got["spec"]["template"]["spec"]["containers"],
            json!([{"name": "a", "image": "a"}, {"name": "b", "image": "b"}])
        );
        // Tolerations are atomic: the applier replaces the whole list and owns it as one field.
        let tol = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"tolerations": [{"key": "a", "operator": "Exists"}]}});
        let got = apply(None, &tol, "m", false, T1).expect("apply");
        assert_eq!(
            entry(&got, "m")["fieldsV1"],
            json!({"f:spec": {"f:tolerations": {}}})
        );
    }

    #[test]
    fn finalizers_are_a_set() {
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "finalizers": ["x/y"]}});
        let got = apply(None, &cm, "m", false, T1).expect("apply");
        assert_eq!(
            entry(&got, "m")["fieldsV1"],
            json!({"f:metadata": {"f:finalizers": {"v:\"x/y\"": {}}}})
        );
        let cm2 = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "finalizers": ["z"]}});
        let got = apply(Some(&got), &cm2, "n", false, T2).expect("apply");
        assert_eq!(got["metadata"]["finalizers"], json!(["x/y", "z"]));
    }

    #[test]
    fn custom_resources_are_granular_maps_with_atomic_lists() {
        let cr = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "labels": {"a": "b"}},
            "spec": {"size": 3, "tags": ["x", "y"], "config": {"k": "v"}}, "status": {"ready": true}});
        let got = apply(None, &cr, "m", false, T1).expect("apply");
        assert!(
            got.get("status").is_none(),
            "status is ignored on the main resource"
        );
        assert_eq!(
            entry(&got, "m")["fieldsV1"],
            json!({"f:metadata": {"f:labels": {"f:a": {}}},
                   "f:spec": {"f:config": {".": {}, "f:k": {}}, "f:size": {}, "f:tags": {}}})
        );
        let smaller = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": 4, "tags": ["z"]}});
        let got = apply(Some(&got), &smaller, "m", false, T2).expect("apply");
        assert_eq!(got["spec"], json!({"size": 4, "tags": ["z"]}));
    }

    #[test]
    fn crd_schemas_give_custom_resources_list_and_map_types() {
        let schema = json!({"type": "object", "properties": {
            "spec": {"type": "object", "properties": {
                "ports": {"type": "array", "x-kubernetes-list-type": "map",
                          "x-kubernetes-list-map-keys": ["port", "protocol"],
                          "items": {"type": "object", "properties": {
                              "port": {"type": "integer"},
                              "protocol": {"type": "string", "default": "TCP"},
                              "name": {"type": "string"}}}},
                "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
                "args": {"type": "array", "items": {"type": "string"}},
                "selector": {"type": "object", "x-kubernetes-map-type": "atomic",
                             "additionalProperties": {"type": "string"}},
                "config": {"type": "object", "additionalProperties": {"type": "string"}},
                "size": {"x-kubernetes-int-or-string": true}}}}});
        let cr = |ports: Value, tags: Value| {
            json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
                   "spec": {"ports": ports, "tags": tags, "args": ["a"], "selector": {"a": "b"},
                            "config": {"k": "v"}, "size": "50%"}})
        };
        let ssa = |live: Option<&Value>, obj: &Value, manager: &str, force: bool| {
            let options = ApplyOptions {
                force,
                subresource: None,
                crd_schema: Some(&schema),
            };
            server_side_apply_with(live, obj, manager, "example.com/v1", "Widget", T1, options)
        };
        let live = ssa(
            None,
            &cr(json!([{"port": 80, "name": "http"}]), json!(["x"])),
            "a",
            false,
        )
        .expect("apply");
        assert_eq!(
            entry(&live, "a")["fieldsV1"],
            json!({"f:spec": {
                "f:args": {}, "f:config": {"f:k": {}}, "f:size": {}, "f:selector": {},
                "f:ports": {"k:{\"port\":80,\"protocol\":\"TCP\"}": {".": {}, "f:name": {}, "f:port": {}}},
                "f:tags": {"v:\"x\"": {}}}})
        );
        // A second manager adds its own port and tag next to the first manager's.
        let other = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
            "spec": {"ports": [{"port": 443, "name": "https"}], "tags": ["y"]}});
        let both = ssa(Some(&live), &other, "b", false).expect("apply");
        assert_eq!(
            both["spec"]["ports"],
            json!([{"port": 80, "name": "http"}, {"port": 443, "name": "https"}])
        );
        assert_eq!(both["spec"]["tags"], json!(["x", "y"]));
        // The first manager drops its port: only that item goes.
        let after = ssa(Some(&both), &cr(json!([]), json!(["x"])), "a", false).expect("apply");
        assert_eq!(
            after["spec"]["ports"],
            json!([{"port": 443, "name": "https"}])
        );
        // An item without its key (and no default) cannot be applied.
        let err =
            ssa(None, &cr(json!([{"name": "x"}]), json!([])), "a", false).expect_err("no port");
        assert!(
            err.to_string().contains("omits key field \"port\""),
            "{err}"
        );
    }

    #[test]
    fn status_applies_touch_only_status() {
        let live = apply(
            None,
            &deployment(1, json!([{"name": "web", "image": "nginx"}])),
            "helm",
            false,
            T1,
        )
        .expect("apply");
        let mut status = deployment(5, json!([{"name": "web", "image": "other"}]));
        status["status"] = json!({"readyReplicas": 1});
        let options = ApplyOptions {
            subresource: Some("status"),
            ..ApplyOptions::default()
        };
        let got = server_side_apply_with(
            Some(&live),
            &status,
            "ctrl",
            "apps/v1",
            "Deployment",
            T2,
            options,
        )
        .expect("apply");
        assert_eq!(
            got["spec"], live["spec"],
            "spec is not applied through /status"
        );
        assert_eq!(got["status"], json!({"readyReplicas": 1}));
        let e = entry(&got, "ctrl");
        assert_eq!(e["subresource"], json!("status"));
        assert_eq!(e["operation"], json!("Apply"));
        assert_eq!(
            e["fieldsV1"],
            json!({"f:metadata": {"f:labels": {"f:app": {}}}, "f:status": {"f:readyReplicas": {}}})
        );
    }

    #[test]
    fn invalid_configurations_are_refused() {
        let no_name = deployment(1, json!([{"image": "x"}]));
        let err = apply(None, &no_name, "m", false, T1).expect_err("containers need a name");
        assert!(
            err.to_string().contains("omits key field \"name\""),
            "{err}"
        );
        let dup = deployment(1, json!([{"name": "a"}, {"name": "a"}]));
        let err = apply(None, &dup, "m", false, T1).expect_err("duplicate keys");
        assert!(
            err.to_string()
                .contains("duplicate entries for key [name=\"a\"]"),
            "{err}"
        );
        let with_mf = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "managedFields": [{}]}});
        assert!(matches!(
            apply(None, &with_mf, "m", false, T1),
            Err(ApplyError::Invalid(_))
        ));
        let wrong_kind = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "c"}});
        let err = server_side_apply(None, &wrong_kind, "m", false, "v1", "ConfigMap", T1)
            .expect_err("kind mismatch");
        assert!(matches!(err, ApplyError::Invalid(_)));
    }

    #[test]
    fn reapplying_an_emptied_list_is_a_no_op() {
        let first = deployment(
            1,
            json!([{"name": "a", "env": [{"name": "E", "value": "1"}]}]),
        );
        let live = apply(None, &first, "m", false, T1).expect("apply");
        let emptied = deployment(1, json!([{"name": "a", "env": []}]));
        let once = apply(Some(&live), &emptied, "m", false, T2).expect("apply");
        assert_eq!(
            once["spec"]["template"]["spec"]["containers"],
            json!([{"name": "a"}])
        );
        let twice = apply(Some(&once), &emptied, "m", false, T3).expect("apply");
        assert_eq!(twice, once);
    }

    #[test]
    fn a_no_op_apply_keeps_the_timestamp() {
        let d = deployment(1, json!([{"name": "a", "image": "a"}]));
        let live = apply(None, &d, "helm", false, T1).expect("apply");
        let again = apply(Some(&live), &d, "helm", false, T2).expect("apply");
        assert_eq!(again, live);
    }

    #[test]
    fn record_update_on_create_marks_new_maps_and_lists_like_a_typed_server() {
        let mut cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "labels": {"app": "x"}}, "data": {"key": "v"}});
        record_update(None, &mut cm, "kubectl-create", None, T1);
        assert_eq!(
            cm["metadata"]["managedFields"],
            json!([{"manager": "kubectl-create", "operation": "Update", "apiVersion": "v1", "time": T1,
                    "fieldsType": "FieldsV1",
                    "fieldsV1": {"f:data": {".": {}, "f:key": {}}, "f:metadata": {"f:labels": {".": {}, "f:app": {}}}}}])
        );

        let mut d = deployment(
            1,
            json!([{"name": "web", "image": "nginx", "ports": [{"containerPort": 80, "protocol": "TCP"}]}]),
        );
        record_update(None, &mut d, "kubectl-client-side-apply", None, T1);
        let f = &entry(&d, "kubectl-client-side-apply")["fieldsV1"];
        // `containers` exists (as null) in a zero Deployment, `ports` does not.
        let web = &f["f:spec"]["f:template"]["f:spec"]["f:containers"]["k:{\"name\":\"web\"}"];
        assert!(
            f["f:spec"]["f:template"]["f:spec"]["f:containers"]
                .get(".")
                .is_none()
        );
        assert_eq!(web["f:ports"]["."], json!({}));
        assert_eq!(
            web["f:resources"],
            json!({}),
            "non-pointer structs count as set"
        );
        assert_eq!(f["f:spec"]["f:selector"], json!({}));
        assert!(f["f:spec"].get(".").is_none());
        assert!(f.get("f:status").is_none());
    }

    #[test]
    fn updates_take_fields_from_appliers_and_conflict_later() {
        let live = apply(
            None,
            &deployment(2, json!([{"name": "web", "image": "nginx"}])),
            "helm",
            false,
            T1,
        )
        .expect("apply");
        let mut scaled = live.clone();
        scaled["spec"]["replicas"] = json!(5);
        record_update(
            Some(&live),
            &mut scaled,
            "kube-controller-manager",
            None,
            T2,
        );
        assert_eq!(
            entry(&scaled, "kube-controller-manager")["fieldsV1"],
            json!({"f:spec": {"f:replicas": {}}})
        );
        assert_eq!(
            entry(&scaled, "kube-controller-manager")["operation"],
            json!("Update")
        );
        assert!(
            entry(&scaled, "helm")["fieldsV1"]["f:spec"]
                .get("f:replicas")
                .is_none()
        );
        assert_eq!(
            managed(&scaled)[0]["manager"],
            json!("helm"),
            "Apply entries sort first"
        );

        let err = apply(
            Some(&scaled),
            &deployment(3, json!([{"name": "web", "image": "nginx"}])),
            "helm",
            false,
            T3,
        )
        .expect_err("replicas now belongs to the controller");
        assert_eq!(
            err.to_string(),
            "Apply failed with 1 conflict: conflict with \"kube-controller-manager\" using apps/v1: .spec.replicas"
        );

        // A write that changes nothing leaves managedFields alone.
        let mut same = scaled.clone();
        record_update(Some(&scaled), &mut same, "other", None, T3);
        assert_eq!(same, scaled);
    }

    #[test]
    fn status_writes_are_recorded_with_their_subresource() {
        let live = apply(
            None,
            &deployment(1, json!([{"name": "web", "image": "nginx"}])),
            "helm",
            false,
            T1,
        )
        .expect("apply");
        let mut new = live.clone();
        new["status"] =
            json!({"readyReplicas": 1, "conditions": [{"type": "Available", "status": "True"}]});
        record_update(
            Some(&live),
            &mut new,
            "kube-controller-manager",
            Some("status"),
            T2,
        );
        let e = entry(&new, "kube-controller-manager");
        assert_eq!(e["subresource"], json!("status"));
        assert_eq!(
            e["fieldsV1"],
            json!({"f:status": {"f:conditions": {".": {}, "k:{\"type\":\"Available\"}": {".": {}, "f:status": {}, "f:type": {}}}, "f:readyReplicas": {}}})
        );
        // The main resource ignores status.
        let mut main = live.clone();
        main["status"] = json!({"readyReplicas": 1});
        record_update(Some(&live), &mut main, "someone", None, T2);
        assert!(managed(&main).iter().all(|e| e["manager"] != "someone"));
    }

    #[test]
    fn client_sent_managed_fields_replace_the_stored_ones() {
        let mut live = deployment(1, json!([{"name": "web", "image": "nginx"}]));
        record_update(None, &mut live, "kubectl-client-side-apply", None, T1);
        let mut migrated = live.clone();
        let mut entries = managed(&live).clone();
        entries[0]["manager"] = json!("helm");
        entries[0]["operation"] = json!("Apply");
        migrated["metadata"]["managedFields"] = Value::Array(entries);
        record_update(Some(&live), &mut migrated, "helm", None, T2);
        assert_eq!(managed(&migrated).len(), 1);
        assert_eq!(managed(&migrated)[0]["manager"], json!("helm"));
        assert_eq!(managed(&migrated)[0]["operation"], json!("Apply"));
    }

    #[test]
    fn kubectl_takes_over_its_client_side_apply_fields_and_syncs_the_annotation() {
        let first = deployment(2, json!([{"name": "web", "image": "nginx"}]));
        let mut live = first.clone();
        live["metadata"]["annotations"] =
            json!({LAST_APPLIED: format!("{}\n", sorted_json(&first))});
        record_update(None, &mut live, "kubectl-client-side-apply", None, T1);

        let next = deployment(3, json!([{"name": "web", "image": "nginx:2"}]));
        let err = apply(Some(&live), &next, "helm", false, T2).expect_err("helm conflicts");
        assert!(
            matches!(&err, ApplyError::Conflicts(c) if c.len() == 2),
            "{err}"
        );
        assert_eq!(err.status_code(), 409);

        let got = apply(Some(&live), &next, "kubectl", false, T2).expect("kubectl may take over");
        assert_eq!(got["spec"]["replicas"], json!(3));
        assert_eq!(
            got["metadata"]["annotations"][LAST_APPLIED],
            json!(format!("{}\n", sorted_json(&next)))
        );
        let csa = &entry(&got, "kubectl-client-side-apply")["fieldsV1"];
        assert!(csa["f:spec"].get("f:replicas").is_none());

        // A field somebody else changed since is still a conflict.
        let mut scaled = live.clone();
        scaled["spec"]["replicas"] = json!(5);
        record_update(Some(&live), &mut scaled, "hpa", None, T2);
        let err = apply(Some(&scaled), &next, "kubectl", false, T3).expect_err("hpa owns replicas");
        let ApplyError::Conflicts(c) = err else {
            panic!("conflicts expected")
        };
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].message, "conflict with \"hpa\" using apps/v1");
    }

    #[test]
    fn client_side_apply_objects_move_to_kubectl_server_side_apply() {
        let first = deployment(100, json!([{"name": "my-c", "image": "my-image-v1"}]));
        let mut live = first.clone();
        live["metadata"]["annotations"] =
            json!({LAST_APPLIED: format!("{}\n", sorted_json(&first))});
        record_update(None, &mut live, "kubectl-client-side-apply", None, T1);
        // Every field changes, yet none conflicts: the live values are those kubectl applied.
        let mut next = deployment(8, json!([{"name": "my-c", "image": "my-image-v2"}]));
        next["metadata"]["labels"] = json!({"app": "my-app-v2"});
        let got = apply(Some(&live), &next, "kubectl", false, T2).expect("no conflicts");
        let text = got["metadata"]["annotations"][LAST_APPLIED]
            .as_str()
            .expect("annotation");
        assert!(text.contains("my-image-v2") && text.ends_with('\n'));

        // An unreadable annotation allows nothing, and is only rewritten by a forced apply.
        let mut broken = live.clone();
        broken["metadata"]["annotations"][LAST_APPLIED] = json!("invalid-object");
        let err = apply(Some(&broken), &next, "kubectl", false, T2).expect_err("conflicts");
        assert_eq!(err.status_code(), 409);
        let got = apply(Some(&broken), &next, "kubectl", true, T2).expect("forced");
        assert!(
            got["metadata"]["annotations"][LAST_APPLIED]
                .as_str()
                .is_some_and(|t| t.contains("my-image-v2"))
        );

        // Other managers never touch the annotation.
        let got = apply(Some(&live), &next, "helm", true, T2).expect("forced");
        assert_eq!(
            got["metadata"]["annotations"],
            live["metadata"]["annotations"]
        );
    }

    /// Set-list merge order: shared items take the applied order, live-only items stay next
    /// to their live neighbours (cases from structured-merge-diff's behaviour).
    #[test]
    fn set_lists_merge_in_upstream_order() {
        let cases: &[(&str, &str, &str)] = &[
            ("abc", "ab", "abc"),
            ("ab", "abc", "abc"),
            ("abc", "", "abc"),
            ("", "abc", "abc"),
            ("ab", "ba", "ba"),
            ("abc", "def", "abcdef"),
            ("abc", "cdef", "abcdef"),
            ("abcgf", "cdef", "abcgdef"),
            ("abc", "defxyz", "abcdefxyz"),
            ("cdef", "ace", "acdef"),
            ("abcxyz", "def", "abcxyzdef"),
            ("abcxyz", "defxyz", "abcdefxyz"),
            ("cagf", "cfag", "cfag"),
            ("abcd", "defa", "bcdefa"),
            ("cdefghij", "2h3e4kl", "cdfg2hij3e4kl"),
            ("abcdefghij", "1b2h3e4kl", "a1bcdfg2hij3e4kl"),
            // Live duplicates: kept while not applied, collapsed into the applied item.
            ("abb", "c", "abbc"),
            ("abb", "b", "ab"),
            ("abb", "a", "abb"),
            ("abcdec", "1b2ed", "a1bc2ecd"),
            ("abcdec", "1b2ced", "a1b2ced"),
            ("aabb", "bcd", "aabcd"),
            ("aabb", "", "aabb"),
            ("cagfca", "cfag", "cfag"),
        ];
        let meta = smp_schema::object_meta()
            .map(Node::Struct)
            .expect("ObjectMeta");
        let list =
            |s: &str| json!({"finalizers": s.chars().map(|c| c.to_string()).collect::<Vec<_>>()});
        for (lhs, rhs, out) in cases {
            let got = merge_values(Some(&list(lhs)), Some(&list(rhs)), meta).expect("merged");
            assert_eq!(got, list(out), "{lhs} + {rhs}");
        }
    }

    /// Keyed-list merge order, and live duplicates collapsing into the applied item.
    #[test]
    fn keyed_lists_merge_in_upstream_order() {
        let node = Node::Struct(smp_schema::type_info("core/v1.PodSpec").expect("PodSpec"));
        let pod = |items: Value| json!({"containers": items});
        let cases = [
            (
                json!([{"name": "b", "image": "2"}]),
                json!([{"name": "a"}, {"name": "b"}, {"name": "c"}]),
                json!([{"name": "a"}, {"name": "b", "image": "2"}, {"name": "c"}]),
            ),
            (
                json!([{"name": "a"}, {"name": "b"}, {"name": "c"}]),
                json!([{"name": "c"}, {"name": "b"}]),
                json!([{"name": "a"}, {"name": "c"}, {"name": "b"}]),
            ),
            (
                json!([{"name": "a"}, {"name": "b"}, {"name": "c"}]),
                json!([{"name": "c"}, {"name": "a"}]),
                json!([{"name": "b"}, {"name": "c"}, {"name": "a"}]),
            ),
            (
                json!([{"name": "a", "tty": true}, {"name": "b"}, {"name": "a", "tty": false, "stdin": true}]),
                json!([{"name": "a", "stdin": false}, {"name": "c"}, {"name": "b"}]),
                json!([{"name": "a", "stdin": false}, {"name": "c"}, {"name": "b"}]),
            ),
            (
                json!([{"name": "a", "tty": true}, {"name": "a", "tty": false}]),
                json!([]),
                json!([{"name": "a", "tty": true}, {"name": "a", "tty": false}]),
            ),
        ];
        for (lhs, rhs, out) in cases {
            let got = merge_values(Some(&pod(lhs.clone())), Some(&pod(rhs.clone())), node)
                .expect("merged");
            assert_eq!(got, pod(out), "{lhs} + {rhs}");
        }
    }

    /// Multi-manager scenarios with the outcomes structured-merge-diff's own tests expect,
    /// on a custom resource whose schema has a keyed list, a struct and a nested struct.
    #[test]
    fn multi_manager_scenarios_match_structured_merge_diff() {
        enum Op {
            Apply(&'static str, Value),
            Conflict(&'static str, Value, &'static str),
            Update(&'static str, Value),
        }
        let schema = json!({"type": "object", "properties": {
            "listOfLists": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                     "items": {"type": "object", "properties": {"name": {"type": "string"},
                               "value": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}}}}},
            "list": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                     "items": {"type": "object", "properties": {"name": {"type": "string"}, "value": {"type": "number"}}}},
            "struct": {"type": "object", "properties": {
                "name": {"type": "string"}, "scalarField": {"type": "string"},
                "complexField": {"type": "object", "properties": {"name": {"type": "string"}}}}}}});
        let obj = |body: Value| {
            let mut o =
                json!({"apiVersion": "example.com/v1", "kind": "Thing", "metadata": {"name": "t"}});
            if let (Some(o), Some(b)) = (o.as_object_mut(), body.as_object()) {
                o.extend(b.clone());
            }
            o
        };
        let run = |ops: Vec<Op>| -> Value {
            let mut live: Option<Value> = None;
            for op in ops {
                let options = ApplyOptions {
                    force: false,
                    subresource: None,
                    crd_schema: Some(&schema),
                };
                match op {
                    Op::Apply(manager, body) => {
                        let got = server_side_apply_with(
                            live.as_ref(),
                            &obj(body),
                            manager,
                            "example.com/v1",
                            "Thing",
                            T1,
                            options,
                        )
                        .expect("apply");
                        live = Some(got);
                    }
                    Op::Conflict(manager, body, field) => {
                        let err = server_side_apply_with(
                            live.as_ref(),
                            &obj(body),
                            manager,
                            "example.com/v1",
                            "Thing",
                            T1,
                            options,
                        )
                        .expect_err("conflict");
                        let ApplyError::Conflicts(c) = err else {
                            panic!("expected a conflict")
                        };
                        assert_eq!(
                            c.iter().map(|c| c.field.as_str()).collect::<Vec<_>>(),
                            [field]
                        );
                    }
                    Op::Update(manager, body) => {
                        let mut new = obj(body);
                        if let Some(mf) = live
                            .as_ref()
                            .and_then(|l| l["metadata"].get("managedFields"))
                        {
                            new["metadata"]["managedFields"] = mf.clone();
                        }
                        record_update_with_schema(
                            live.as_ref(),
                            &mut new,
                            manager,
                            None,
                            T1,
                            Some(&schema),
                        );
                        live = Some(new);
                    }
                }
            }
            live.unwrap_or(Value::Null)
        };
        let fields = |o: &Value, m: &str| {
            o["metadata"]["managedFields"]
                .as_array()
                .and_then(|l| l.iter().find(|e| e["manager"] == m))
                .map_or(Value::Null, |e| e["fieldsV1"].clone())
        };
        let item = |n: &str| format!("k:{{\"name\":\"{n}\"}}");

        // remove_one
        let o = run(vec![
            Op::Apply("one", json!({"list": [{"name": "a"}, {"name": "b"}]})),
            Op::Apply("two", json!({"list": [{"name": "c"}]})),
            Op::Apply("one", json!({"list": [{"name": "a"}]})),
        ]);
        assert_eq!(o["list"], json!([{"name": "a"}, {"name": "c"}]));
        assert_eq!(
            fields(&o, "one"),
            json!({"f:list": {item("a"): {".": {}, "f:name": {}}}})
        );
        assert_eq!(
            fields(&o, "two"),
            json!({"f:list": {item("c"): {".": {}, "f:name": {}}}})
        );

        // same_value_no_conflict
        let o = run(vec![
            Op::Apply("one", json!({"list": [{"name": "a", "value": 0}]})),
            Op::Apply("two", json!({"list": [{"name": "a", "value": 0}]})),
        ]);
        let both = json!({"f:list": {item("a"): {".": {}, "f:name": {}, "f:value": {}}}});
        assert_eq!((fields(&o, "one"), fields(&o, "two")), (both.clone(), both));

        // change_value_yes_conflict
        let o = run(vec![
            Op::Apply("one", json!({"list": [{"name": "a", "value": 0}]})),
            Op::Conflict(
                "two",
                json!({"list": [{"name": "a", "value": 1}]}),
                ".list[name=\"a\"].value",
            ),
        ]);
        assert_eq!(o["list"], json!([{"name": "a", "value": 0}]));

        // remove_one_keep_one
        let o = run(vec![
            Op::Apply(
                "one",
                json!({"list": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}),
            ),
            Op::Apply("two", json!({"list": [{"name": "c"}, {"name": "d"}]})),
            Op::Apply("one", json!({"list": [{"name": "a"}]})),
        ]);
        assert_eq!(
            o["list"],
            json!([{"name": "a"}, {"name": "c"}, {"name": "d"}])
        );
        assert_eq!(
            fields(&o, "two"),
            json!({"f:list": {item("c"): {".": {}, "f:name": {}}, item("d"): {".": {}, "f:name": {}}}})
        );

        // unset_scalar_sole_owner
        let o = run(vec![
            Op::Apply("one", json!({"struct": {"name": "a", "scalarField": "a"}})),
            Op::Apply("one", json!({"struct": {"name": "a"}})),
        ]);
        assert_eq!(o["struct"], json!({"name": "a"}));
        assert_eq!(fields(&o, "one"), json!({"f:struct": {"f:name": {}}}));

        // unset_scalar_shared_with_updater
        let o = run(vec![
            Op::Update(
                "updater",
                json!({"struct": {"name": "a", "scalarField": "a"}}),
            ),
            Op::Apply(
                "applier",
                json!({"struct": {"name": "a", "scalarField": "a"}}),
            ),
            Op::Apply("applier", json!({"struct": {"name": "a"}})),
        ]);
        assert_eq!(o["struct"], json!({"name": "a", "scalarField": "a"}));
        assert_eq!(
            fields(&o, "updater"),
            json!({"f:struct": {".": {}, "f:name": {}, "f:scalarField": {}}})
        );
        assert_eq!(fields(&o, "applier"), json!({"f:struct": {"f:name": {}}}));

        // updater_claims_field
        let o = run(vec![
            Op::Apply(
                "applier",
                json!({"struct": {"name": "a", "scalarField": "a"}}),
            ),
            Op::Update(
                "updater",
                json!({"struct": {"name": "a", "scalarField": "b"}}),
            ),
        ]);
        assert_eq!(
            fields(&o, "updater"),
            json!({"f:struct": {"f:scalarField": {}}})
        );
        assert_eq!(fields(&o, "applier"), json!({"f:struct": {"f:name": {}}}));

        // unset_complex_shared_with_applier
        let o = run(vec![
            Op::Apply(
                "one",
                json!({"struct": {"name": "a", "complexField": {"name": "b"}}}),
            ),
            Op::Apply("two", json!({"struct": {"complexField": {"name": "b"}}})),
            Op::Apply("one", json!({"struct": {"name": "a"}})),
        ]);
        assert_eq!(
            o["struct"],
            json!({"name": "a", "complexField": {"name": "b"}})
        );
        assert_eq!(
            fields(&o, "two"),
            json!({"f:struct": {"f:complexField": {"f:name": {}}}})
        );

        // remove_one_keep_one_with_two_sub_items
        let o = run(vec![
            Op::Apply(
                "one",
                json!({"listOfLists": [{"name": "a"}, {"name": "b", "value": ["c"]}]}),
            ),
            Op::Apply(
                "two",
                json!({"listOfLists": [{"name": "b", "value": ["d"]}]}),
            ),
            Op::Apply("one", json!({"listOfLists": [{"name": "a"}]})),
        ]);
        assert_eq!(
            o["listOfLists"],
            json!([{"name": "a"}, {"name": "b", "value": ["d"]}])
        );
        assert_eq!(
            fields(&o, "two"),
            json!({"f:listOfLists": {item("b"): {".": {}, "f:name": {}, "f:value": {"v:\"d\"": {}}}}})
        );

        // remove_one_keep_one_with_dangling_subitem
        let o = run(vec![
            Op::Apply(
                "one",
                json!({"listOfLists": [{"name": "a"}, {"name": "b", "value": ["c"]}]}),
            ),
            Op::Apply(
                "two",
                json!({"listOfLists": [{"name": "b", "value": ["d"]}]}),
            ),
            Op::Update(
                "controller",
                json!({"listOfLists": [{"name": "a"}, {"name": "b", "value": ["c", "d", "e"]}]}),
            ),
            Op::Apply("one", json!({"listOfLists": [{"name": "a"}]})),
        ]);
        assert_eq!(
            o["listOfLists"],
            json!([{"name": "a"}, {"name": "b", "value": ["d", "e"]}])
        );
        assert_eq!(
            fields(&o, "controller"),
            json!({"f:listOfLists": {item("b"): {"f:value": {"v:\"e\"": {}}}}})
        );

        // remove_one_with_dangling_subitem_keep_one: nobody owns item `b` itself, so it goes,
        // and the controller loses the value it had added inside it.
        let o = run(vec![
            Op::Apply(
                "one",
                json!({"listOfLists": [{"name": "a"}, {"name": "b", "value": ["c"]}]}),
            ),
            Op::Apply(
                "two",
                json!({"listOfLists": [{"name": "a", "value": ["b"]}]}),
            ),
            Op::Update(
                "controller",
                json!({"listOfLists": [{"name": "a", "value": ["b"]}, {"name": "b", "value": ["c", "d"]}]}),
            ),
            Op::Apply("one", json!({"listOfLists": [{"name": "a"}]})),
        ]);
        assert_eq!(o["listOfLists"], json!([{"name": "a", "value": ["b"]}]));
        assert_eq!(fields(&o, "controller"), Value::Null);

        // unset_complex_sole_owner
        let o = run(vec![
            Op::Apply(
                "one",
                json!({"struct": {"name": "a", "complexField": {"name": "b"}}}),
            ),
            Op::Apply("one", json!({"struct": {"name": "a"}})),
        ]);
        assert_eq!(o["struct"], json!({"name": "a"}));
    }

    #[test]
    fn last_applied_is_encoded_like_go() {
        let v = json!({"b": "<a & b>", "a": [1, "\u{2028}"], "c": {"z": null, "y": true}});
        assert_eq!(
            sorted_json(&v),
            r#"{"a":[1,"\u2028"],"b":"\u003ca \u0026 b\u003e","c":{"y":true,"z":null}}"#
        );
    }

    #[test]
    fn untracked_objects_belong_to_before_first_apply() {
        let live = deployment(2, json!([{"name": "web", "image": "nginx"}]));
        let mut touched = live.clone();
        touched["spec"]["replicas"] = json!(4);
        record_update(Some(&live), &mut touched, "someone", None, T1);
        assert!(
            touched["metadata"].get("managedFields").is_none(),
            "updates of untracked objects stay untracked"
        );

        let err = apply(
            Some(&live),
            &deployment(3, json!([{"name": "web", "image": "nginx"}])),
            "helm",
            false,
            T2,
        )
        .expect_err("the existing value has a stand-in owner");
        assert_eq!(
            err.to_string(),
            "Apply failed with 1 conflict: conflict with \"before-first-apply\" using apps/v1: .spec.replicas"
        );
        let got = apply(
            Some(&live),
            &deployment(2, json!([{"name": "web", "image": "nginx"}])),
            "helm",
            false,
            T2,
        )
        .expect("same values share ownership");
        assert!(
            managed(&got)
                .iter()
                .any(|e| e["manager"] == "before-first-apply")
        );
    }

    #[test]
    fn empty_managed_fields_reset_ownership() {
        let mut live = deployment(1, json!([{"name": "web", "image": "nginx"}]));
        record_update(None, &mut live, "kubectl-create", None, T1);
        for reset in [json!([]), json!([{}])] {
            let mut new = live.clone();
            new["metadata"]["managedFields"] = reset;
            new["spec"]["replicas"] = json!(2);
            record_update(Some(&live), &mut new, "kubectl-edit", None, T2);
            assert!(new["metadata"].get("managedFields").is_none());
        }
    }

    #[test]
    fn at_most_ten_update_managers_are_kept() {
        let mut live =
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {}});
        record_update(None, &mut live, "creator", None, "2026-01-01T00:00:00Z");
        for i in 0..11 {
            let mut next = live.clone();
            next["data"][format!("k{i}")] = json!("v");
            record_update(
                Some(&live),
                &mut next,
                &format!("m{i:02}"),
                None,
                &format!("2026-01-01T00:00:{:02}Z", i + 1),
            );
            live = next;
        }
        let entries = managed(&live);
        assert_eq!(entries.len(), 10);
        let ancient = entry(&live, "ancient-changes");
        assert_eq!(
            ancient["fieldsV1"],
            // The oldest entry (the creator, owning the map it created) became the bucket.
            json!({"f:data": {".": {}, "f:k0": {}, "f:k1": {}}})
        );
        assert_eq!(ancient["time"], json!("2026-01-01T00:00:02Z"));
        assert!(entries.iter().all(|e| {
            !["creator", "m00", "m01"].contains(&e["manager"].as_str().unwrap_or_default())
        }));
    }

    #[test]
    fn typing_errors_name_the_object() {
        let err = apply(
            None,
            &deployment(1, json!([{"image": "x"}])),
            "m",
            false,
            T1,
        )
        .expect_err("no name");
        assert_eq!(err.status_code(), 500);
        assert!(err.to_string().starts_with(
            "failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers: element 0:"
        ), "{err}");
        let err = server_side_apply(
            None,
            &json!({"apiVersion": "v1", "kind": "Secret"}),
            "m",
            false,
            "v1",
            "ConfigMap",
            T1,
        )
        .expect_err("wrong kind");
        assert_eq!(err.to_string(), "invalid object type: /v1, Kind=Secret");
        assert_eq!(err.status_code(), 400);
    }

    #[test]
    fn fields_v1_round_trips() {
        let f = json!({"f:metadata": {"f:labels": {".": {}, "f:a": {}}},
            "f:spec": {"f:ports": {"k:{\"port\":80,\"protocol\":\"TCP\"}": {".": {}, "f:port": {}}}, "f:x": {"v:\"s\"": {}, "i:3": {}}}});
        let set = FieldSet::from_fields_v1(&f).expect("parses");
        assert_eq!(set.to_fields_v1(), f);
        assert!(FieldSet::from_fields_v1(&json!({"q:x": {}})).is_none());
        let paths: Vec<String> = set.leaves().iter().map(|p| path_string(p)).collect();
        assert_eq!(
            paths,
            vec![
                ".metadata.labels",
                ".metadata.labels.a",
                ".spec.ports[port=80,protocol=\"TCP\"]",
                ".spec.ports[port=80,protocol=\"TCP\"].port",
                ".spec.x[=\"s\"]",
                ".spec.x[3]",
            ]
        );
    }

    #[test]
    fn conflict_messages_group_by_manager() {
        let c = |m: &str, f: &str| Conflict {
            manager: m.to_owned(),
            field: f.to_owned(),
            message: format!("conflict with \"{m}\""),
        };
        let err = ApplyError::Conflicts(vec![c("b", ".x"), c("a", ".y"), c("b", ".z")]);
        assert_eq!(
            err.to_string(),
            "Apply failed with 3 conflicts: conflicts with \"a\":\n- .y\nconflicts with \"b\":\n- .x\n- .z"
        );
    }
}
