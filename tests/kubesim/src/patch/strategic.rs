//! Strategic merge patch (`application/strategic-merge-patch+json`) for built-in kinds.
//!
//! The algorithm follows kube-apiserver's: maps merge key by key and `null` deletes a key; lists
//! whose Go field carries `patchStrategy:"merge"` merge their elements by the `patchMergeKey`
//! (or as a set of scalars); every other list is replaced whole. The directives kubectl sends are
//! honoured: `$patch: replace|delete` on maps and list elements, `$retainKeys`,
//! `$deleteFromPrimitiveList/<field>` and `$setElementOrder/<field>`, including the ordering
//! rules (set order, then patch order, then live order). Kinds without Go struct metadata
//! (custom resources) cannot be patched this way: the server answers 415, see
//! [`SmpError::is_unsupported`].
//!
//! Where the upstream code hands the merged map to a typed decoder that drops leftovers, this
//! module removes them itself: directive keys and `null`s never reach the stored object.

#[path = "smp_schema.rs"]
pub(crate) mod smp_schema;

use serde_json::{Map, Value};
use smp_schema::{Field, TypeInfo};

const DIRECTIVE: &str = "$patch";
const RETAIN_KEYS: &str = "$retainKeys";
const DELETE_FROM_PRIMITIVE_LIST: &str = "$deleteFromPrimitiveList";
const SET_ELEMENT_ORDER: &str = "$setElementOrder";

/// Why a strategic merge patch could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmpError {
    /// The kind has no strategic-merge metadata (custom resources, unknown kinds): 415.
    #[error("strategic merge patch format is not supported for {api_version}, Kind={kind}")]
    Unsupported {
        /// `apiVersion` of the target.
        api_version: String,
        /// `kind` of the target.
        kind: String,
    },
    /// A malformed patch or directive: 400.
    #[error("{0}")]
    BadRequest(String),
    /// A patch the algorithm refuses, such as a list of lists: 422.
    #[error("{0}")]
    Invalid(String),
    /// A patch that contradicts the schema (for example an element without its merge key);
    /// kube-apiserver reports these as 500 internal errors.
    #[error("{0}")]
    Internal(String),
}

impl SmpError {
    /// True for kinds without strategic-merge metadata; the server answers 415.
    pub fn is_unsupported(&self) -> bool {
        matches!(self, SmpError::Unsupported { .. })
    }

    /// The HTTP status kube-apiserver answers with for this error.
    pub fn status_code(&self) -> u16 {
        match self {
            SmpError::Unsupported { .. } => 415,
            SmpError::BadRequest(_) => 400,
            SmpError::Invalid(_) => 422,
            SmpError::Internal(_) => 500,
        }
    }
}

type Result<T> = std::result::Result<T, SmpError>;

/// One key of a JSON object with its value.
type Entry = (String, Value);

fn bad_request(msg: &str) -> SmpError {
    SmpError::BadRequest(msg.to_owned())
}

fn no_merge_key(item: &Value, key: &str) -> SmpError {
    SmpError::Internal(format!(
        "map: {} does not contain declared merge key: {key}",
        go_format(item)
    ))
}

/// Formats a value as Go's `%v` prints the decoded JSON, so error texts read like upstream's.
fn go_format(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(l) => format!(
            "[{}]",
            l.iter().map(go_format).collect::<Vec<_>>().join(" ")
        ),
        Value::Object(m) => {
            let mut entries: Vec<(&String, &Value)> = m.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let parts: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{k}:{}", go_format(v)))
                .collect();
            format!("map[{}]", parts.join(" "))
        }
    }
}

/// Applies a strategic merge patch to `original`, an object of `kind` in `api_version`.
///
/// Returns the patched object, or [`SmpError::Unsupported`] for kinds without strategic-merge
/// metadata (custom resources), which the server reports as 415.
pub fn strategic_merge_patch(
    original: &Value,
    patch: &Value,
    api_version: &str,
    kind: &str,
) -> std::result::Result<Value, SmpError> {
    let root = smp_schema::root_type(api_version, kind).ok_or_else(|| SmpError::Unsupported {
        api_version: api_version.to_owned(),
        kind: kind.to_owned(),
    })?;
    let Value::Object(original) = original else {
        return Err(bad_request(
            "invalid JSON document: the object to patch is not a JSON object",
        ));
    };
    let Value::Object(patch) = patch else {
        return Err(bad_request(
            "invalid JSON document: the patch is not a JSON object",
        ));
    };
    let mut merged = Value::Object(merge_map(
        original.clone(),
        patch.clone(),
        Ty::Struct(root),
    )?);
    smp_schema::drop_empty_omitted(&mut merged, root);
    Ok(merged)
}

/// The schema at one position of the document.
#[derive(Debug, Clone, Copy)]
enum Ty {
    /// A struct with declared fields.
    Struct(&'static TypeInfo),
    /// A map with arbitrary keys whose values are of this struct type (or untyped).
    MapOf(Option<&'static TypeInfo>),
    /// No metadata: maps merge, lists are replaced.
    Untyped,
}

impl Ty {
    fn of(name: Option<&str>) -> Ty {
        name.and_then(smp_schema::type_info)
            .map_or(Ty::Untyped, Ty::Struct)
    }

    /// The schema of `key`'s value (for lists: of the elements) and the field metadata.
    fn child(self, key: &str) -> (Ty, Option<&'static Field>) {
        match self {
            Ty::Struct(info) => match info.field(key) {
                Some(field) => {
                    let ty = match field.kind {
                        smp_schema::FieldKind::Map => {
                            Ty::MapOf(field.elem.and_then(smp_schema::type_info))
                        }
                        _ => Ty::of(field.elem),
                    };
                    (ty, Some(field))
                }
                None => (Ty::Untyped, None),
            },
            Ty::MapOf(elem) => (elem.map_or(Ty::Untyped, Ty::Struct), None),
            Ty::Untyped => (Ty::Untyped, None),
        }
    }
}

/// The JSON kind of a value, standing in for Go's dynamic type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

fn kind_of(v: &Value) -> Kind {
    match v {
        Value::Null => Kind::Null,
        Value::Bool(_) => Kind::Bool,
        Value::Number(_) => Kind::Number,
        Value::String(_) => Kind::String,
        Value::Array(_) => Kind::Array,
        Value::Object(_) => Kind::Object,
    }
}

fn merge_map(
    mut original: Map<String, Value>,
    mut patch: Map<String, Value>,
    ty: Ty,
) -> Result<Map<String, Value>> {
    if let Some(directive) = patch.remove(DIRECTIVE) {
        return match directive.as_str() {
            Some("replace") => Ok(clean_map(patch)),
            Some("delete") => Ok(Map::new()),
            _ => {
                let shown = go_format(&directive);
                patch.insert(DIRECTIVE.to_owned(), directive);
                Err(SmpError::Internal(format!(
                    "unknown patch type: {shown} in map: {}",
                    go_format(&Value::Object(patch))
                )))
            }
        };
    }
    apply_retain_keys(&mut original, &mut patch)?;
    merge_set_element_order(&mut original, &mut patch, ty)?;

    // Upstream visits keys in Go's random map order; deletion lists go last here, so a value
    // both added and deleted by one patch ends up deleted, deterministically.
    let (deletions, others): (Vec<Entry>, Vec<Entry>) = patch
        .into_iter()
        .partition(|(k, _)| k.starts_with(DELETE_FROM_PRIMITIVE_LIST));
    for (key, patch_value) in others.into_iter().chain(deletions) {
        let (name, is_delete_list) = if key.starts_with(DELETE_FROM_PRIMITIVE_LIST) {
            (
                directive_field(&key, DELETE_FROM_PRIMITIVE_LIST)
                    .ok_or_else(|| bad_request("invalid patch format of primitive list"))?,
                true,
            )
        } else if key.starts_with('$') {
            // Unknown directives would be dropped by the typed decode that follows upstream.
            continue;
        } else {
            (key, false)
        };

        if patch_value.is_null() {
            original.remove(&name);
            continue;
        }
        let Some(original_value) = original.get_mut(&name) else {
            if !is_delete_list && let Some(v) = clean_new(patch_value) {
                original.insert(name, v);
            }
            continue;
        };
        if kind_of(original_value) != kind_of(&patch_value) {
            if !is_delete_list {
                match clean_new(patch_value) {
                    Some(v) => *original_value = v,
                    None => {
                        original.remove(&name);
                    }
                }
            }
            continue;
        }
        let (child_ty, field) = ty.child(&name);
        match (original_value.take(), patch_value) {
            (Value::Object(o), Value::Object(p)) => {
                let replace = field.is_some_and(|f| f.has_strategy("replace"));
                let merged = if replace {
                    clean_map(p)
                } else {
                    merge_map(o, p, child_ty)?
                };
                original.insert(name, Value::Object(merged));
            }
            (Value::Array(o), Value::Array(p)) => {
                let merge = field.is_some_and(|f| f.has_strategy("merge"));
                let merged = if merge || is_delete_list {
                    let key = field.map_or("", |f| f.merge_key);
                    merge_slice(o, p, child_ty, key, is_delete_list, &name)?
                } else {
                    clean_list(p)
                };
                original.insert(name, Value::Array(merged));
            }
            (_, p) => match clean_new(p) {
                Some(v) => {
                    original.insert(name, v);
                }
                None => {
                    original.remove(&name);
                }
            },
        }
    }
    Ok(original)
}

/// The field name after `<prefix>/`, or `None` when the directive key is malformed.
fn directive_field(key: &str, prefix: &str) -> Option<String> {
    let (head, field) = key.split_once('/')?;
    (head == prefix).then(|| field.to_owned())
}

fn apply_retain_keys(
    original: &mut Map<String, Value>,
    patch: &mut Map<String, Value>,
) -> Result<()> {
    let Some(retain) = patch.remove(RETAIN_KEYS) else {
        return Ok(());
    };
    let Value::Array(retain) = retain else {
        return Err(bad_request("invalid patch format of retainKeys"));
    };
    let retained = |k: &str| retain.iter().any(|r| r.as_str() == Some(k));
    for (k, v) in patch.iter() {
        if v.is_null()
            || k.starts_with(DELETE_FROM_PRIMITIVE_LIST)
            || k.starts_with(SET_ELEMENT_ORDER)
        {
            continue;
        }
        if !retained(k) {
            return Err(bad_request("invalid patch format of retainKeys"));
        }
    }
    original.retain(|k, _| retained(k));
    Ok(())
}

/// Processes `$setElementOrder/<field>` directives together with the lists they order.
fn merge_set_element_order(
    original: &mut Map<String, Value>,
    patch: &mut Map<String, Value>,
    ty: Ty,
) -> Result<()> {
    let directives: Vec<String> = patch
        .keys()
        .filter(|k| k.starts_with(SET_ELEMENT_ORDER))
        .cloned()
        .collect();
    let bad_format = || bad_request("invalid patch format of setElementOrder list");
    for directive in directives {
        let Some(Value::Array(order)) = patch.remove(&directive) else {
            return Err(bad_format());
        };
        let name = directive_field(&directive, SET_ELEMENT_ORDER).ok_or_else(bad_format)?;
        let original_list = match original.get(&name) {
            None => None,
            Some(Value::Array(l)) => Some(l.clone()),
            Some(other) => {
                return Err(SmpError::Internal(format!(
                    "expected a list at {name:?}, but received {other}"
                )));
            }
        };
        let patch_list = match patch.remove(&name) {
            None => None,
            Some(Value::Array(l)) => Some(l),
            Some(other) => {
                return Err(SmpError::Internal(format!(
                    "expected a list in the patch at {name:?}, but received {other}"
                )));
            }
        };
        let (elem_ty, field) = ty.child(&name);
        let merge_key = field.map_or("", |f| f.merge_key);
        let merge = field.is_some_and(|f| f.has_strategy("merge"));
        validate_order(patch_list.as_deref().unwrap_or_default(), &order, merge_key)?;

        let merged = match (&original_list, patch_list.clone()) {
            (Some(o), None) => o.clone(),
            (None, Some(p)) => clean_list(p),
            (Some(o), Some(p)) => {
                if merge {
                    merge_slice(o.clone(), p, elem_ty, merge_key, false, &name)?
                } else {
                    clean_list(p)
                }
            }
            (None, None) => continue,
        };
        let (patch_items, server_only) = if merge_key.is_empty() {
            partition_scalars(merged, &order)
        } else {
            partition_maps(merged, &order, merge_key)?
        };
        let original_list = original_list.unwrap_or_default();
        let kind = element_kind(&[&original_list, patch_list.as_deref().unwrap_or_default()])?;
        let live_order = match &patch_list {
            Some(p) if merge && kind == Kind::Object => {
                aliased_live_order(&original_list, p, merge_key)
            }
            _ => original_list.clone(),
        };
        let ordered = normalize_element_order(
            patch_items,
            server_only,
            &order,
            &live_order,
            merge_key,
            kind,
        )?;
        original.insert(name, Value::Array(ordered));
    }
    Ok(())
}

/// The live list as upstream sees it when it orders a `$setElementOrder` list: its merge
/// deletes elements by shifting the live list's storage in place and appends new elements into
/// the slots that frees, so the "live order" it then uses has new elements where deleted ones
/// were. Reproducing that keeps element order identical to kube-apiserver's.
fn aliased_live_order(live: &[Value], patch: &[Value], merge_key: &str) -> Vec<Value> {
    let key_of = |v: &Value| v.as_object().and_then(|m| m.get(merge_key)).cloned();
    let mut storage: Vec<Value> = live.to_vec();
    let mut len = storage.len();
    let mut replaced = false;
    for item in patch {
        match item.get(DIRECTIVE).and_then(Value::as_str) {
            Some("delete") => {
                let Some(key) = key_of(item) else {
                    continue;
                };
                while let Some(i) = storage[..len]
                    .iter()
                    .position(|v| key_of(v).as_ref() == Some(&key))
                {
                    // Go's `append(s[:i], s[i+1:]...)`: the tail shifts left and the slot past
                    // the shortened list keeps its old value.
                    let old_last = storage[len - 1].clone();
                    storage[i..len].rotate_left(1);
                    storage[len - 1] = old_last;
                    len -= 1;
                }
            }
            Some("replace") => replaced = true,
            _ => {}
        }
    }
    if replaced {
        return storage;
    }
    for item in patch {
        if item.get(DIRECTIVE).is_some() {
            continue;
        }
        let key = key_of(item);
        let found = storage[..len]
            .iter()
            .any(|v| key.is_some() && key_of(v) == key);
        if !found {
            if len == storage.len() {
                // Go's append reallocates here; later elements no longer touch the live list.
                break;
            }
            storage[len] = item.clone();
            len += 1;
        }
    }
    storage
}

/// Checks that the patch list's elements appear in the `$setElementOrder` list, in its order.
fn validate_order(patch_list: &[Value], order: &[Value], merge_key: &str) -> Result<()> {
    if order.is_empty() || patch_list.is_empty() {
        return Ok(());
    }
    let non_delete: Vec<&Value> = if merge_key.is_empty() {
        patch_list.iter().collect()
    } else {
        let mut kept = Vec::new();
        for v in patch_list {
            let Some(m) = v.as_object() else {
                return Err(SmpError::Internal(format!(
                    "expected a map in the patch list, but received {v}"
                )));
            };
            if m.get(DIRECTIVE).and_then(Value::as_str) != Some("delete") {
                kept.push(v);
            }
        }
        kept
    };
    let (mut pi, mut si) = (0, 0);
    while pi < non_delete.len() && si < order.len() {
        let item = non_delete[pi];
        if item.as_object().is_some_and(|m| m.contains_key(DIRECTIVE)) {
            pi += 1;
            continue;
        }
        if merge_key_equal(item, &order[si], merge_key)? {
            pi += 1;
        }
        si += 1;
    }
    if pi < non_delete.len() && si >= order.len() {
        return Err(SmpError::Internal(format!(
            "The order in patch list:\n{}\n doesn't match $setElementOrder list:\n{}\n",
            go_format(&Value::Array(patch_list.to_vec())),
            go_format(&Value::Array(order.to_vec()))
        )));
    }
    Ok(())
}

fn merge_key_equal(left: &Value, right: &Value, merge_key: &str) -> Result<bool> {
    if merge_key.is_empty() {
        return Ok(left == right);
    }
    let l = left
        .as_object()
        .ok_or_else(|| SmpError::Internal(format!("expected a map, but received {left}")))?;
    let r = right
        .as_object()
        .ok_or_else(|| SmpError::Internal(format!("expected a map, but received {right}")))?;
    let lk = l
        .get(merge_key)
        .ok_or_else(|| no_merge_key(left, merge_key))?;
    let rk = r
        .get(merge_key)
        .ok_or_else(|| no_merge_key(right, merge_key))?;
    Ok(lk == rk)
}

/// The common kind of all elements; lists of lists and mixed lists are refused.
fn element_kind(lists: &[&[Value]]) -> Result<Kind> {
    let mut found: Option<Kind> = None;
    for v in lists.iter().flat_map(|l| l.iter()) {
        let k = kind_of(v);
        match found {
            None => {
                if k == Kind::Array {
                    return Err(SmpError::Invalid(
                        "lists of lists are not supported".to_owned(),
                    ));
                }
                found = Some(k);
            }
            Some(prev) if prev != k => {
                return Err(SmpError::Internal(format!(
                    "list element types are not identical: {}",
                    Value::Array(lists.iter().flat_map(|l| l.iter().cloned()).collect())
                )));
            }
            Some(_) => {}
        }
    }
    found.ok_or_else(|| SmpError::Internal("no elements in any of the given slices".to_owned()))
}

fn merge_slice(
    original: Vec<Value>,
    patch: Vec<Value>,
    elem_ty: Ty,
    merge_key: &str,
    is_delete_list: bool,
    field: &str,
) -> Result<Vec<Value>> {
    if original.is_empty() && patch.is_empty() {
        return Ok(original);
    }
    let kind = element_kind(&[&original, &patch])?;
    if kind != Kind::Object {
        if is_delete_list {
            return Ok(original
                .into_iter()
                .filter(|v| !patch.contains(v))
                .collect());
        }
        let mut merged: Vec<Value> = Vec::with_capacity(original.len() + patch.len());
        for v in original.iter().chain(patch.iter()) {
            if !merged.contains(v) {
                merged.push(v.clone());
            }
        }
        let (patch_items, server_only) = partition_scalars(merged, &patch);
        return normalize_element_order(patch_items, server_only, &patch, &original, "", kind);
    }
    if merge_key.is_empty() {
        return Err(SmpError::Internal(format!(
            "cannot merge lists without merge key for {field}"
        )));
    }
    let (original, patch) = apply_special_elements(original, patch, merge_key)?;
    let merged = merge_keyed_elements(original.clone(), &patch, merge_key, elem_ty)?;
    let (patch_items, server_only) = partition_maps(merged, &patch, merge_key)?;
    normalize_element_order(patch_items, server_only, &patch, &original, merge_key, kind)
}

/// Handles `$patch` elements of a keyed list: deletions and whole-list replacement.
fn apply_special_elements(
    mut original: Vec<Value>,
    patch: Vec<Value>,
    merge_key: &str,
) -> Result<(Vec<Value>, Vec<Value>)> {
    let mut plain = Vec::with_capacity(patch.len());
    let mut replace = false;
    for v in patch {
        let Some(directive) = v.get(DIRECTIVE) else {
            plain.push(v);
            continue;
        };
        match directive.as_str() {
            Some("delete") => {
                let key_value = v
                    .get(merge_key)
                    .ok_or_else(|| no_merge_key(&v, merge_key))?;
                for o in &original {
                    if !o.is_object() {
                        return Err(SmpError::Internal(format!(
                            "value {o} in the list is not a map"
                        )));
                    }
                }
                original.retain(|o| o.get(merge_key) != Some(key_value));
            }
            Some("replace") => replace = true,
            Some("merge") => {
                return Err(SmpError::Internal(
                    "merging lists cannot yet be specified in the patch".to_owned(),
                ));
            }
            _ => {
                return Err(SmpError::Internal(format!(
                    "unknown patch type: {} in map: {}",
                    go_format(directive),
                    go_format(&v)
                )));
            }
        }
    }
    if replace {
        return Ok((clean_list(plain), Vec::new()));
    }
    Ok((original, plain))
}

fn find_by_key(list: &[Value], merge_key: &str, key_value: &Value) -> Result<Option<usize>> {
    for (i, v) in list.iter().enumerate() {
        let Some(m) = v.as_object() else {
            return Err(SmpError::Internal(format!(
                "value for key {i} is not a map"
            )));
        };
        if m.get(merge_key) == Some(key_value) {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

fn merge_keyed_elements(
    mut original: Vec<Value>,
    patch: &[Value],
    merge_key: &str,
    elem_ty: Ty,
) -> Result<Vec<Value>> {
    for item in patch {
        let Some(map) = item.as_object() else {
            return Err(SmpError::Internal(format!(
                "expected a map, but received {item}"
            )));
        };
        let key_value = map
            .get(merge_key)
            .ok_or_else(|| no_merge_key(item, merge_key))?;
        match find_by_key(&original, merge_key, key_value)? {
            Some(i) => {
                let Value::Object(existing) = original[i].take() else {
                    return Err(SmpError::Internal(format!(
                        "value for key {i} is not a map"
                    )));
                };
                original[i] = Value::Object(merge_map(existing, map.clone(), elem_ty)?);
            }
            None => {
                if let Some(v) = clean_new(item.clone()) {
                    original.push(v);
                }
            }
        }
    }
    Ok(original)
}

/// Splits `merged` into the items present in `by` and the rest, keeping their order.
fn partition_scalars(merged: Vec<Value>, by: &[Value]) -> (Vec<Value>, Vec<Value>) {
    merged.into_iter().partition(|v| by.contains(v))
}

fn partition_maps(
    merged: Vec<Value>,
    by: &[Value],
    merge_key: &str,
) -> Result<(Vec<Value>, Vec<Value>)> {
    let mut in_patch = Vec::new();
    let mut server_only = Vec::new();
    for v in merged {
        let key_value = match v.as_object() {
            Some(m) => m
                .get(merge_key)
                .ok_or_else(|| no_merge_key(&v, merge_key))?,
            None => {
                return Err(SmpError::Internal(format!(
                    "expected a map, but received {v}"
                )));
            }
        };
        if find_by_key(by, merge_key, key_value)?.is_some() {
            in_patch.push(v);
        } else {
            server_only.push(v);
        }
    }
    Ok((in_patch, server_only))
}

/// Orders patch items by the patch order and server-only items by the live order, then
/// interleaves them, keeping server-only items where the live order puts them.
fn normalize_element_order(
    patch_items: Vec<Value>,
    server_only: Vec<Value>,
    patch_order: &[Value],
    server_order: &[Value],
    merge_key: &str,
    kind: Kind,
) -> Result<Vec<Value>> {
    let patch_items = normalize_slice_order(patch_items, patch_order, merge_key, kind)?;
    let server_only = normalize_slice_order(server_only, server_order, merge_key, kind)?;
    Ok(merge_sorted(
        server_only,
        patch_items,
        server_order,
        merge_key,
        kind,
    ))
}

fn position(list: &[Value], item: &Value, merge_key: &str, kind: Kind) -> Option<usize> {
    if kind == Kind::Object {
        let wanted = item.as_object().and_then(|m| m.get(merge_key));
        list.iter()
            .position(|v| v.as_object().and_then(|m| m.get(merge_key)) == wanted)
    } else {
        list.iter().position(|v| v == item)
    }
}

fn normalize_slice_order(
    mut to_sort: Vec<Value>,
    order: &[Value],
    merge_key: &str,
    kind: Kind,
) -> Result<Vec<Value>> {
    let mut to_delete = Vec::new();
    if kind == Kind::Object {
        for v in to_sort.iter().chain(order.iter()) {
            match v.as_object() {
                Some(m) if m.contains_key(merge_key) => {}
                _ => return Err(no_merge_key(v, merge_key)),
            }
        }
        let (deletes, kept): (Vec<Value>, Vec<Value>) = to_sort
            .into_iter()
            .partition(|v| v.get(DIRECTIVE).and_then(Value::as_str) == Some("delete"));
        to_sort = kept;
        to_delete = deletes;
    }
    // Insertion sort with the upstream comparator, which also decides where items missing
    // from `order` end up.
    let less = |a: &Value, b: &Value| match (
        position(order, a, merge_key, kind),
        position(order, b, merge_key, kind),
    ) {
        (Some(ia), Some(ib)) => ia < ib,
        _ => true,
    };
    for i in 1..to_sort.len() {
        let mut j = i;
        while j > 0 && less(&to_sort[j], &to_sort[j - 1]) {
            to_sort.swap(j, j - 1);
            j -= 1;
        }
    }
    to_sort.extend(to_delete);
    Ok(to_sort)
}

/// Inserts each item of `left` (server-only, live order) into `right` (patch items) before the
/// first patch item that comes after it in the live list.
fn merge_sorted(
    left: Vec<Value>,
    right: Vec<Value>,
    server_order: &[Value],
    merge_key: &str,
    kind: Kind,
) -> Vec<Value> {
    let mut out = Vec::with_capacity(left.len() + right.len());
    let mut left = left.into_iter().peekable();
    let mut right = right.into_iter().peekable();
    loop {
        match (left.peek(), right.peek()) {
            (None, None) => break,
            (Some(_), None) => out.extend(left.by_ref()),
            (None, Some(_)) => out.extend(right.by_ref()),
            (Some(l), Some(r)) => {
                let li = position(server_order, l, merge_key, kind);
                let ri = position(server_order, r, merge_key, kind);
                let take_left = matches!((li, ri), (Some(a), Some(b)) if a < b);
                if take_left {
                    out.extend(left.next());
                } else {
                    out.extend(right.next());
                }
            }
        }
    }
    out
}

/// Drops `null` map values everywhere below `v`.
fn discard_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, x| !x.is_null());
            m.values_mut().for_each(discard_nulls);
        }
        Value::Array(l) => l.iter_mut().for_each(discard_nulls),
        _ => {}
    }
}

/// Removes directive content: maps carrying `$patch` vanish, other `$` keys are dropped.
fn remove_directives(v: Value) -> Option<Value> {
    match v {
        Value::Object(m) => {
            if m.contains_key(DIRECTIVE) {
                return None;
            }
            Some(Value::Object(
                m.into_iter()
                    .filter(|(k, _)| !k.starts_with('$'))
                    .filter_map(|(k, x)| remove_directives(x).map(|x| (k, x)))
                    .collect(),
            ))
        }
        Value::Array(l) => Some(Value::Array(
            l.into_iter().filter_map(remove_directives).collect(),
        )),
        other => Some(other),
    }
}

/// A patch value entering the object as new content.
fn clean_new(mut v: Value) -> Option<Value> {
    discard_nulls(&mut v);
    remove_directives(v)
}

fn clean_map(m: Map<String, Value>) -> Map<String, Value> {
    match clean_new(Value::Object(m)) {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

fn clean_list(l: Vec<Value>) -> Vec<Value> {
    l.into_iter().filter_map(clean_new).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn smp(original: Value, patch: Value) -> Value {
        strategic_merge_patch(&original, &patch, "apps/v1", "Deployment").expect("patch applies")
    }

    fn pod(original: Value, patch: Value) -> Value {
        strategic_merge_patch(&original, &patch, "v1", "Pod").expect("patch applies")
    }

    #[test]
    fn custom_resources_are_unsupported() {
        let err = strategic_merge_patch(&json!({}), &json!({}), "example.com/v1", "Widget")
            .expect_err("CRs have no SMP metadata");
        assert!(err.is_unsupported());
        assert_eq!(err.status_code(), 415);
        let err = strategic_merge_patch(&json!({}), &json!({}), "v1", "Widget")
            .expect_err("unknown kind");
        assert!(err.is_unsupported());
    }

    #[test]
    fn maps_merge_and_null_deletes() {
        let got = strategic_merge_patch(
            &json!({"metadata": {"name": "a", "labels": {"x": "1", "y": "2"}}, "data": {"k": "v"}}),
            &json!({"metadata": {"labels": {"x": null, "z": "3"}}, "data": {"k2": "v2"}}),
            "v1",
            "ConfigMap",
        )
        .expect("patch applies");
        assert_eq!(
            got,
            json!({"metadata": {"name": "a", "labels": {"y": "2", "z": "3"}}, "data": {"k": "v", "k2": "v2"}})
        );
    }

    #[test]
    fn new_values_lose_nulls_and_directives() {
        let got = pod(
            json!({"spec": {}}),
            json!({"spec": {"nodeSelector": {"a": "b", "c": null}, "affinity": {"$patch": "replace"}}}),
        );
        assert_eq!(got, json!({"spec": {"nodeSelector": {"a": "b"}}}));
    }

    #[test]
    fn map_directives_replace_and_delete() {
        let got = pod(
            json!({"spec": {"nodeSelector": {"a": "1", "b": "2"}, "securityContext": {"runAsUser": 1}}}),
            json!({"spec": {"nodeSelector": {"$patch": "replace", "c": "3"}, "securityContext": {"$patch": "delete"}}}),
        );
        assert_eq!(
            got,
            json!({"spec": {"nodeSelector": {"c": "3"}, "securityContext": {}}})
        );
        let err = strategic_merge_patch(
            &json!({"spec": {"nodeSelector": {"a": "1"}}}),
            &json!({"spec": {"nodeSelector": {"$patch": "merge"}}}),
            "v1",
            "Pod",
        )
        .expect_err("merge is not a map directive");
        assert_eq!(err.status_code(), 500);
    }

    #[test]
    fn containers_merge_by_name_and_keep_live_only_ones() {
        let got = smp(
            json!({"spec": {"template": {"spec": {"containers": [
                {"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}]}}}}),
            json!({"spec": {"template": {"spec": {"containers": [
                {"name": "b", "image": "b:2"}, {"name": "c", "image": "c:1"}]}}}}),
        );
        assert_eq!(
            got["spec"]["template"]["spec"]["containers"],
            json!([{"name": "a", "image": "a:1"}, {"name": "b", "image": "b:2"}, {"name": "c", "image": "c:1"}])
        );
    }

    #[test]
    fn list_element_delete_and_replace_directives() {
        let live = json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}});
        let got = pod(
            live.clone(),
            json!({"spec": {"containers": [{"name": "b", "$patch": "delete"}]}}),
        );
        assert_eq!(
            got["spec"]["containers"],
            json!([{"name": "a"}, {"name": "c"}])
        );
        let got = pod(
            live.clone(),
            json!({"spec": {"containers": [{"$patch": "replace"}, {"name": "z", "image": "z"}]}}),
        );
        assert_eq!(
            got["spec"]["containers"],
            json!([{"name": "z", "image": "z"}])
        );
        let err = strategic_merge_patch(
            &live,
            &json!({"spec": {"containers": [{"$patch": "delete"}]}}),
            "v1",
            "Pod",
        )
        .expect_err("delete needs the merge key");
        assert!(
            err.to_string()
                .contains("does not contain declared merge key: name")
        );
        let err = strategic_merge_patch(
            &live,
            &json!({"spec": {"containers": [{"image": "x"}]}}),
            "v1",
            "Pod",
        )
        .expect_err("elements need the merge key");
        assert_eq!(err.status_code(), 500);
    }

    #[test]
    fn every_merge_key_list_of_the_pod_template() {
        // (path to the list inside a container or pod spec, merge key, live, patch, expected)
        let cases: Vec<(&str, Value, Value, Value)> = vec![
            (
                "env",
                json!([{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]),
                json!([{"name": "B", "value": "3"}]),
                json!([{"name": "A", "value": "1"}, {"name": "B", "value": "3"}]),
            ),
            (
                "ports",
                json!([{"containerPort": 80, "name": "http"}]),
                json!([{"containerPort": 443, "name": "https"}]),
                // Without `$setElementOrder`, new elements go before live-only ones (upstream order).
                json!([{"containerPort": 443, "name": "https"}, {"containerPort": 80, "name": "http"}]),
            ),
            (
                "volumeMounts",
                json!([{"mountPath": "/a", "name": "x"}]),
                json!([{"mountPath": "/a", "readOnly": true}]),
                json!([{"mountPath": "/a", "name": "x", "readOnly": true}]),
            ),
            (
                "volumeDevices",
                json!([{"devicePath": "/dev/a", "name": "x"}]),
                json!([{"devicePath": "/dev/b", "name": "y"}]),
                json!([{"devicePath": "/dev/b", "name": "y"}, {"devicePath": "/dev/a", "name": "x"}]),
            ),
        ];
        for (field, live, patch, want) in cases {
            let got = pod(
                json!({"spec": {"containers": [{"name": "c", field: live}]}}),
                json!({"spec": {"containers": [{"name": "c", field: patch}]}}),
            );
            assert_eq!(
                got["spec"]["containers"][0][field], want,
                "container {field}"
            );
        }
        let pod_cases: Vec<(&str, Value, Value, Value)> = vec![
            (
                "initContainers",
                json!([{"name": "i", "image": "1"}]),
                json!([{"name": "i", "image": "2"}]),
                json!([{"name": "i", "image": "2"}]),
            ),
            (
                "volumes",
                json!([{"name": "v", "emptyDir": {}}]),
                json!([{"name": "w", "configMap": {"name": "cm"}}]),
                json!([{"name": "w", "configMap": {"name": "cm"}}, {"name": "v", "emptyDir": {}}]),
            ),
            (
                "imagePullSecrets",
                json!([{"name": "a"}]),
                json!([{"name": "b"}]),
                json!([{"name": "b"}, {"name": "a"}]),
            ),
            (
                "hostAliases",
                json!([{"ip": "1.1.1.1", "hostnames": ["a"]}]),
                json!([{"ip": "1.1.1.1", "hostnames": ["b"]}]),
                json!([{"ip": "1.1.1.1", "hostnames": ["b"]}]),
            ),
            (
                "topologySpreadConstraints",
                json!([{"topologyKey": "zone", "maxSkew": 1}]),
                json!([{"topologyKey": "zone", "maxSkew": 2}]),
                json!([{"topologyKey": "zone", "maxSkew": 2}]),
            ),
            (
                // Tolerations have no merge strategy: replaced whole.
                "tolerations",
                json!([{"key": "a", "operator": "Exists"}]),
                json!([{"key": "b", "operator": "Exists"}]),
                json!([{"key": "b", "operator": "Exists"}]),
            ),
        ];
        for (field, live, patch, want) in pod_cases {
            let got = pod(
                json!({"spec": {field: live}}),
                json!({"spec": {field: patch}}),
            );
            assert_eq!(got["spec"][field], want, "pod spec {field}");
        }
    }

    /// Every merge-key list of the spec's table, plus lists that must be replaced whole:
    /// a live element keyed `a` and a patch element keyed `b` give both (merge) or `b` alone.
    #[test]
    fn merge_key_table() {
        let cases: &[(&str, &str, &[&str], &str, bool)] = &[
            ("v1", "Pod", &["spec", "containers"], "name", true),
            ("v1", "Pod", &["spec", "initContainers"], "name", true),
            ("v1", "Pod", &["spec", "ephemeralContainers"], "name", true),
            ("v1", "Pod", &["spec", "imagePullSecrets"], "name", true),
            ("v1", "Pod", &["spec", "volumes"], "name", true),
            ("v1", "Pod", &["spec", "resourceClaims"], "name", true),
            ("v1", "Pod", &["spec", "schedulingGates"], "name", true),
            ("v1", "Pod", &["spec", "hostAliases"], "ip", true),
            (
                "v1",
                "Pod",
                &["spec", "topologySpreadConstraints"],
                "topologyKey",
                true,
            ),
            ("v1", "Pod", &["status", "conditions"], "type", true),
            ("v1", "Pod", &["status", "podIPs"], "ip", true),
            ("v1", "Node", &["status", "addresses"], "type", true),
            ("v1", "Node", &["status", "conditions"], "type", true),
            ("v1", "Service", &["spec", "ports"], "port", true),
            (
                "v1",
                "ConfigMap",
                &["metadata", "ownerReferences"],
                "uid",
                true,
            ),
            (
                "apps/v1",
                "StatefulSet",
                &["spec", "template", "spec", "containers"],
                "name",
                true,
            ),
            (
                "apps/v1",
                "DaemonSet",
                &["spec", "template", "spec", "volumes"],
                "name",
                true,
            ),
            (
                "batch/v1",
                "Job",
                &["spec", "template", "spec", "containers"],
                "name",
                true,
            ),
            (
                "batch/v1",
                "CronJob",
                &[
                    "spec",
                    "jobTemplate",
                    "spec",
                    "template",
                    "spec",
                    "containers",
                ],
                "name",
                true,
            ),
            (
                "v1",
                "ReplicationController",
                &["spec", "template", "spec", "containers"],
                "name",
                true,
            ),
            (
                "v1",
                "PodTemplate",
                &["template", "spec", "containers"],
                "name",
                true,
            ),
            (
                "apps/v1",
                "Deployment",
                &["status", "conditions"],
                "type",
                true,
            ),
            (
                "autoscaling/v2",
                "HorizontalPodAutoscaler",
                &["status", "conditions"],
                "type",
                true,
            ),
            ("v1", "Pod", &["spec", "tolerations"], "key", false),
            (
                "v1",
                "Pod",
                &["spec", "readinessGates"],
                "conditionType",
                false,
            ),
            (
                "networking.k8s.io/v1",
                "Ingress",
                &["spec", "rules"],
                "host",
                false,
            ),
            (
                "networking.k8s.io/v1",
                "NetworkPolicy",
                &["spec", "ingress"],
                "ports",
                false,
            ),
            (
                "rbac.authorization.k8s.io/v1",
                "ClusterRoleBinding",
                &["subjects"],
                "name",
                false,
            ),
            (
                "apps/v1",
                "StatefulSet",
                &["spec", "volumeClaimTemplates"],
                "apiVersion",
                false,
            ),
            (
                "policy/v1",
                "PodDisruptionBudget",
                &["status", "conditions"],
                "type",
                true,
            ),
        ];
        fn nest(path: &[&str], leaf: Value) -> Value {
            path.iter().rev().fold(leaf, |acc, k| json!({ *k: acc }))
        }
        for (gv, kind, path, key, merges) in cases {
            let original = nest(path, json!([{ *key: "a", "x": 1 }]));
            let patch = nest(path, json!([{ *key: "b", "x": 2 }]));
            let got = strategic_merge_patch(&original, &patch, gv, kind).expect("patch applies");
            let list = path.iter().fold(&got, |v, k| &v[*k]);
            let want = if *merges {
                json!([{ *key: "b", "x": 2 }, { *key: "a", "x": 1 }])
            } else {
                json!([{ *key: "b", "x": 2 }])
            };
            assert_eq!(list, &want, "{gv} {kind} {path:?}");
        }
        // Container lists inside every pod template merge their own keyed lists.
        let got = strategic_merge_patch(
            &json!({"spec": {"template": {"spec": {"containers": [{"name": "c", "volumeMounts": [{"mountPath": "/a"}]}]}}}}),
            &json!({"spec": {"template": {"spec": {"containers": [{"name": "c", "volumeMounts": [{"mountPath": "/b"}]}]}}}}),
            "apps/v1",
            "DaemonSet",
        )
        .expect("patch applies");
        assert_eq!(
            got["spec"]["template"]["spec"]["containers"][0]["volumeMounts"],
            json!([{"mountPath": "/b"}, {"mountPath": "/a"}])
        );
    }

    #[test]
    fn lists_without_merge_strategy_are_replaced() {
        let got = pod(
            json!({"spec": {"containers": [{"name": "c", "args": ["a", "b"], "command": ["x"], "envFrom": [{"configMapRef": {"name": "a"}}]}]}}),
            json!({"spec": {"containers": [{"name": "c", "args": ["z"], "envFrom": [{"secretRef": {"name": "s"}}]}]}}),
        );
        assert_eq!(
            got["spec"]["containers"][0],
            json!({"name": "c", "args": ["z"], "command": ["x"], "envFrom": [{"secretRef": {"name": "s"}}]})
        );
        let got = strategic_merge_patch(
            &json!({"rules": [{"verbs": ["get"]}], "metadata": {"name": "r"}}),
            &json!({"rules": [{"verbs": ["list"]}]}),
            "rbac.authorization.k8s.io/v1",
            "Role",
        )
        .expect("patch applies");
        assert_eq!(got["rules"], json!([{"verbs": ["list"]}]));
    }

    #[test]
    fn service_ports_merge_by_port() {
        let got = strategic_merge_patch(
            &json!({"spec": {"ports": [{"port": 80, "targetPort": 8080}, {"port": 443}]}}),
            &json!({"spec": {"ports": [{"port": 80, "targetPort": 9090}]}}),
            "v1",
            "Service",
        )
        .expect("patch applies");
        assert_eq!(
            got["spec"]["ports"],
            json!([{"port": 80, "targetPort": 9090}, {"port": 443}])
        );
    }

    #[test]
    fn metadata_lists_owner_references_and_finalizers() {
        let got = strategic_merge_patch(
            &json!({"metadata": {"finalizers": ["a", "b"], "ownerReferences": [{"uid": "1", "name": "x"}]}}),
            &json!({"metadata": {"finalizers": ["c", "a"], "ownerReferences": [{"uid": "2", "name": "y"}]}}),
            "v1",
            "ConfigMap",
        )
        .expect("patch applies");
        assert_eq!(got["metadata"]["finalizers"], json!(["c", "a", "b"]));
        assert_eq!(
            got["metadata"]["ownerReferences"],
            json!([{"uid": "2", "name": "y"}, {"uid": "1", "name": "x"}])
        );
        let got = strategic_merge_patch(
            &json!({"metadata": {"finalizers": ["a", "b", "c"]}}),
            &json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["b"]}}),
            "v1",
            "ConfigMap",
        )
        .expect("patch applies");
        assert_eq!(got["metadata"]["finalizers"], json!(["a", "c"]));
        let err = strategic_merge_patch(
            &json!({"metadata": {"finalizers": ["a"]}}),
            &json!({"metadata": {"$deleteFromPrimitiveList": ["a"]}}),
            "v1",
            "ConfigMap",
        )
        .expect_err("the directive needs a field");
        assert_eq!(
            err,
            SmpError::BadRequest("invalid patch format of primitive list".into())
        );
    }

    #[test]
    fn status_conditions_merge_by_type() {
        let got = smp(
            json!({"status": {"conditions": [{"type": "Available", "status": "False"}, {"type": "Progressing", "status": "True"}]}}),
            json!({"status": {"conditions": [{"type": "Available", "status": "True"}]}}),
        );
        assert_eq!(
            got["status"]["conditions"],
            json!([{"type": "Available", "status": "True"}, {"type": "Progressing", "status": "True"}])
        );
    }

    #[test]
    fn retain_keys_clears_unlisted_fields() {
        let got = smp(
            json!({"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}}),
            json!({"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}),
        );
        assert_eq!(got["spec"]["strategy"], json!({"type": "Recreate"}));
        let err = strategic_merge_patch(
            &json!({"spec": {"strategy": {}}}),
            &json!({"spec": {"strategy": {"$retainKeys": ["type"], "rollingUpdate": {}}}}),
            "apps/v1",
            "Deployment",
        )
        .expect_err("patched keys must be retained");
        assert_eq!(err.status_code(), 400);
        let got = pod(
            json!({"spec": {"volumes": [{"name": "v", "emptyDir": {}}]}}),
            json!({"spec": {"volumes": [{"name": "v", "$retainKeys": ["name", "configMap"], "configMap": {"name": "c"}}]}}),
        );
        assert_eq!(
            got["spec"]["volumes"],
            json!([{"name": "v", "configMap": {"name": "c"}}])
        );
    }

    #[test]
    fn set_element_order_orders_merged_lists() {
        let got = pod(
            json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}}),
            json!({"spec": {
                "$setElementOrder/containers": [{"name": "c"}, {"name": "a"}, {"name": "b"}],
                "containers": [{"name": "a", "image": "new"}]}}),
        );
        assert_eq!(
            got["spec"]["containers"],
            json!([{"name": "c"}, {"name": "a", "image": "new"}, {"name": "b"}])
        );
        // Without a patch list the directive only reorders.
        let got = strategic_merge_patch(
            &json!({"metadata": {"finalizers": ["x", "y", "z"]}}),
            &json!({"metadata": {"$setElementOrder/finalizers": ["z", "x"]}}),
            "v1",
            "Secret",
        )
        .expect("patch applies");
        // Live-only items keep their live position relative to the ordered ones.
        assert_eq!(got["metadata"]["finalizers"], json!(["y", "z", "x"]));
        let err = strategic_merge_patch(
            &json!({"spec": {"containers": [{"name": "a"}]}}),
            &json!({"spec": {"$setElementOrder/containers": [{"name": "a"}], "containers": [{"name": "b"}]}}),
            "v1",
            "Pod",
        )
        .expect_err("patch items must appear in the order list");
        assert!(
            err.to_string()
                .contains("doesn't match $setElementOrder list")
        );
    }

    /// Upstream merges a `$setElementOrder` list in the live list's storage, so an element added
    /// while another is deleted is ordered where the deleted one was (checked against kubectl).
    #[test]
    fn set_element_order_with_a_delete_orders_like_upstream() {
        let got = pod(
            json!({"spec": {"containers": [{"name": "c"}, {"name": "b"}, {"name": "d"}]}}),
            json!({"spec": {
                "$setElementOrder/containers": [{"name": "e"}],
                "containers": [{"name": "e"}, {"name": "b", "$patch": "delete"}]}}),
        );
        assert_eq!(
            got["spec"]["containers"],
            json!([{"name": "c"}, {"name": "d"}, {"name": "e"}])
        );
        // Without the delete, the new element goes first.
        let got = pod(
            json!({"spec": {"containers": [{"name": "c"}, {"name": "b"}, {"name": "d"}]}}),
            json!({"spec": {"$setElementOrder/containers": [{"name": "e"}], "containers": [{"name": "e"}]}}),
        );
        assert_eq!(
            got["spec"]["containers"],
            json!([{"name": "e"}, {"name": "c"}, {"name": "b"}, {"name": "d"}])
        );
    }

    #[test]
    fn deletion_lists_apply_after_additions() {
        let got = strategic_merge_patch(
            &json!({"metadata": {"finalizers": []}}),
            &json!({"metadata": {"finalizers": ["f3", "f1"], "$deleteFromPrimitiveList/finalizers": ["f1"]}}),
            "v1",
            "ConfigMap",
        )
        .expect("patch applies");
        assert_eq!(got["metadata"]["finalizers"], json!(["f3"]));
    }

    #[test]
    fn lists_of_lists_and_mixed_lists_are_refused() {
        let err = strategic_merge_patch(
            &json!({"metadata": {"finalizers": [["a"]]}}),
            &json!({"metadata": {"finalizers": [["b"]]}}),
            "v1",
            "ConfigMap",
        )
        .expect_err("lists of lists");
        assert_eq!(err.status_code(), 422);
    }

    #[test]
    fn empty_omitempty_lists_and_maps_disappear_like_after_a_typed_round_trip() {
        let got = pod(
            json!({"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "env": [{"name": "E"}]}]}}),
            json!({"metadata": {"labels": {"a": null}},
                   "spec": {"containers": [{"name": "c", "env": [{"name": "E", "$patch": "delete"}]}]}}),
        );
        assert_eq!(
            got,
            json!({"metadata": {}, "spec": {"containers": [{"name": "c"}]}})
        );
        // `containers` is always encoded, so an empty list stays.
        let got = pod(
            json!({"spec": {"containers": [{"name": "c"}]}}),
            json!({"spec": {"containers": [{"$patch": "replace"}]}}),
        );
        assert_eq!(got, json!({"spec": {"containers": []}}));
    }

    #[test]
    fn type_changes_replace_the_value() {
        let got = pod(
            json!({"spec": {"nodeSelector": {"a": "b"}}}),
            json!({"spec": {"nodeSelector": "x"}}),
        );
        assert_eq!(got["spec"]["nodeSelector"], json!("x"));
    }

    #[test]
    fn unknown_fields_merge_as_maps_and_replace_lists() {
        let got = pod(
            json!({"spec": {"x-unknown": {"a": 1, "l": [1, 2]}}}),
            json!({"spec": {"x-unknown": {"b": 2, "l": [3]}}}),
        );
        assert_eq!(got["spec"]["x-unknown"], json!({"a": 1, "b": 2, "l": [3]}));
    }

    /// kubectl apply (client side): create with last-applied, then apply a manifest without
    /// the sidecar and the DEBUG variable. kubectl's three-way patch deletes both explicitly and
    /// sends `$setElementOrder` for each merged list.
    #[test]
    fn kubectl_apply_removes_a_container_and_an_env_var() {
        let live = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"}},
            "spec": {"replicas": 2, "template": {"spec": {"containers": [
                {"name": "web", "image": "nginx:1", "env": [{"name": "MODE", "value": "prod"}, {"name": "DEBUG", "value": "1"}],
                 "terminationMessagePath": "/dev/termination-log"},
                {"name": "sidecar", "image": "busybox"}]}}}
        });
        let patch = json!({
            "metadata": {"annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\"new\":true}"}},
            "spec": {"template": {"spec": {
                "$setElementOrder/containers": [{"name": "web"}],
                "containers": [
                    {"name": "web", "image": "nginx:2",
                     "$setElementOrder/env": [{"name": "MODE"}],
                     "env": [{"name": "DEBUG", "$patch": "delete"}]},
                    {"name": "sidecar", "$patch": "delete"}]}}}
        });
        let got = smp(live, patch);
        assert_eq!(
            got["spec"]["template"]["spec"]["containers"],
            json!([{"name": "web", "image": "nginx:2", "env": [{"name": "MODE", "value": "prod"}],
                    "terminationMessagePath": "/dev/termination-log"}])
        );
        assert_eq!(got["spec"]["replicas"], json!(2));
        assert_eq!(
            got["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"],
            json!("{\"new\":true}")
        );
    }

    #[test]
    fn kubectl_apply_adds_a_container_in_set_order() {
        let live =
            json!({"spec": {"template": {"spec": {"containers": [{"name": "a", "image": "a"}]}}}});
        let patch = json!({"spec": {"template": {"spec": {
            "$setElementOrder/containers": [{"name": "z"}, {"name": "a"}],
            "containers": [{"name": "z", "image": "z"}]}}}});
        let got = smp(live, patch);
        assert_eq!(
            got["spec"]["template"]["spec"]["containers"],
            json!([{"name": "z", "image": "z"}, {"name": "a", "image": "a"}])
        );
    }

    #[test]
    fn legacy_versions_share_the_pod_template_metadata() {
        for gv in ["apps/v1beta1", "apps/v1beta2", "extensions/v1beta1"] {
            let got = strategic_merge_patch(
                &json!({"spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}}),
                &json!({"spec": {"template": {"spec": {"containers": [{"name": "b"}]}}}}),
                gv,
                "Deployment",
            )
            .expect("patch applies");
            assert_eq!(
                got["spec"]["template"]["spec"]["containers"],
                json!([{"name": "b"}, {"name": "a"}]),
                "{gv}"
            );
        }
    }

    #[test]
    fn non_object_documents_are_bad_requests() {
        let err = strategic_merge_patch(&json!({}), &json!([1]), "v1", "ConfigMap")
            .expect_err("not an object");
        assert_eq!(err.status_code(), 400);
    }
}
