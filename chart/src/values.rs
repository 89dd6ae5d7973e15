//! Chart values: the data model, reading, coalescing and merging, as Helm v2's `chartutil`
//! and `helm install` do it.
//!
//! Values are a plain tree ([`Value`]) rather than YAML or JSON nodes so that every layer of
//! Helm's pipeline — `-f` files, `--set` flags, chart defaults, subchart sections, globals — can be
//! combined without going through text. Where Helm does go through text (the user values that
//! travel to Tiller as YAML), [`normalize_numbers`] reproduces the one visible effect of that round
//! trip: every integer becomes a float64.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use thiserror::Error;

use crate::Chart;
use crate::gofmt;
use crate::yaml::{self, YamlError};

/// The key under which values are shared with every subchart.
pub const GLOBAL_KEY: &str = "global";

/// A map of values; Go's `map[string]interface{}`. Sorted keys mirror how Go prints and encodes
/// such maps.
pub type Map = BTreeMap<String, Value>;

/// A values table: the top level of a values file, or of the values a template sees.
pub type Values = Map;

/// One value of a values tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// YAML/JSON `null` (Go `nil`).
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer. Only `--set` produces these (Go `int64`); everything read from YAML or JSON is
    /// a [`Value::Float`], as in Helm.
    Int(i64),
    /// A float64: every number read from a values file.
    Float(f64),
    /// A string.
    String(String),
    /// A list (Go `[]interface{}`).
    List(Vec<Value>),
    /// A table (Go `map[string]interface{}`).
    Map(Map),
}

impl Value {
    /// The table inside, if this is one.
    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// Whether this is a table, the only kind of value that coalescing merges.
    pub fn is_table(&self) -> bool {
        matches!(self, Value::Map(_))
    }

    /// The Go type name `%T` would print for this value.
    pub fn go_type(&self) -> &'static str {
        match self {
            Value::Null => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int64",
            Value::Float(_) => "float64",
            Value::String(_) => "string",
            Value::List(_) => "[]interface {}",
            Value::Map(_) => "map[string]interface {}",
        }
    }

    /// How Go's `%v` prints the value (used in error messages that quote values).
    pub fn go_display(&self) -> String {
        match self {
            Value::Null => "<nil>".to_owned(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => gofmt::format_g64(*f),
            Value::String(s) => s.clone(),
            Value::List(items) => {
                let parts: Vec<String> = items.iter().map(Value::go_display).collect();
                format!("[{}]", parts.join(" "))
            }
            Value::Map(m) => {
                let parts: Vec<String> = m
                    .iter()
                    .map(|(k, v)| format!("{k}:{}", v.go_display()))
                    .collect();
                format!("map[{}]", parts.join(" "))
            }
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Float(f)
    }
}

impl From<Map> for Value {
    fn from(m: Map) -> Self {
        Value::Map(m)
    }
}

impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Self {
        Value::List(items)
    }
}

/// Errors of value processing.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ValuesError {
    /// A subchart's section of the values is not a table.
    #[error("type mismatch on {name}: %!t({go_type}={shown})")]
    TypeMismatch {
        /// The subchart name.
        name: String,
        /// Go type of the offending value.
        go_type: String,
        /// The value as Go prints it.
        shown: String,
    },
    /// A chart's default values could not be read.
    #[error("reading chart '{chart}' default values: {message}")]
    ChartValues {
        /// The chart name.
        chart: String,
        /// What went wrong.
        message: String,
    },
    /// A values text could not be read.
    #[error("{0}")]
    Read(String),
    /// A value cannot be written as JSON (NaN or infinite numbers).
    #[error("json: unsupported value: {0}")]
    Unsupported(String),
    /// `Table` found no table under a name.
    #[error("no table named {0:?}")]
    NoTable(String),
    /// `PathValue` found no plain value under a path.
    #[error("{0}")]
    NoValue(String),
}

/// Reads a values document (Helm's `ReadValues`): an empty document is an empty table, numbers
/// are float64, keys strings; anything but a mapping at the top is an error.
pub fn read_values(text: &str) -> Result<Values, YamlError> {
    let node = yaml::parse(text)?;
    yaml::read_values_node(&node)
}

/// Serializes values for sending to Tiller or storing as chart defaults (Helm's
/// `Values.YAML`).
pub fn to_yaml(values: &Map) -> Result<String, ValuesError> {
    let json = map_to_json(values)?;
    goyaml::json_to_yaml(&json).map_err(|e| ValuesError::Read(e.to_string()))
}

/// Helm's `coalesceTables(dst, src)`: a new table where `dst` (higher priority) wins over `src`
/// (defaults). A `null` in `dst` deletes the key; tables present on both sides are merged
/// recursively; lists and scalars are replaced, never merged. A `null` in `src` survives when
/// `dst` has no such key.
pub fn coalesce_tables(dst: &Map, src: &Map) -> Map {
    let mut out = Map::new();
    for (key, sval) in src {
        match dst.get(key) {
            None => {
                out.insert(key.clone(), sval.clone());
            }
            Some(Value::Null) => {}
            Some(Value::Map(dmap)) => match sval {
                Value::Map(smap) => {
                    out.insert(key.clone(), Value::Map(coalesce_tables(dmap, smap)));
                }
                _ => {
                    out.insert(key.clone(), Value::Map(dmap.clone()));
                }
            },
            Some(dval) => {
                out.insert(key.clone(), dval.clone());
            }
        }
    }
    for (key, dval) in dst {
        if matches!(dval, Value::Null) || out.contains_key(key) {
            continue;
        }
        out.insert(key.clone(), dval.clone());
    }
    out
}

/// Helm's `CoalesceValues(chart, userValues)`: user values over the chart's defaults, each
/// subchart's section over that subchart's defaults, globals copied down (parent globals win).
///
/// The user values are first normalised as if they had travelled as YAML (integers become
/// floats), as they do between the Helm client and Tiller.
pub fn coalesce_values(chart: &Chart, user: &Values) -> Result<Values, ValuesError> {
    let mut user = user.clone();
    normalize_numbers_in(&mut user);
    coalesce(chart, user)
}

fn coalesce(chart: &Chart, dest: Map) -> Result<Map, ValuesError> {
    let dest = coalesce_chart_defaults(chart, dest);
    coalesce_deps(chart, dest)
}

fn coalesce_chart_defaults(chart: &Chart, dest: Map) -> Map {
    // Helm skips a chart whose values.yaml is absent or empty; one that parses to nothing (only
    // comments) still goes through coalesceTables, which drops the user's nulls.
    if chart.values_raw.is_empty() {
        return dest;
    }
    coalesce_tables(&dest, &chart.values)
}

fn coalesce_deps(chart: &Chart, mut dest: Map) -> Result<Map, ValuesError> {
    for sub in &chart.dependencies {
        let name = &sub.metadata.name;
        let section = match dest.remove(name) {
            None => Map::new(),
            Some(Value::Map(m)) => m,
            Some(other) => {
                return Err(ValuesError::TypeMismatch {
                    name: name.clone(),
                    go_type: other.go_type().to_owned(),
                    shown: other.go_display(),
                });
            }
        };
        let section = coalesce_globals(section, &dest);
        let merged = coalesce(sub, section)?;
        dest.insert(name.clone(), Value::Map(merged));
    }
    Ok(dest)
}

/// Copies the parent's globals into a subchart's section; parent globals win over the
/// subchart section's own. A `global` that is not a table on either side is left alone, as Helm
/// only logs a warning then.
fn coalesce_globals(mut section: Map, parent: &Map) -> Map {
    let sub_globals = match section.get(GLOBAL_KEY) {
        None => Map::new(),
        Some(Value::Map(m)) => m.clone(),
        Some(_) => return section,
    };
    let parent_globals = match parent.get(GLOBAL_KEY) {
        None => Map::new(),
        Some(Value::Map(m)) => m.clone(),
        Some(_) => return section,
    };
    section.insert(
        GLOBAL_KEY.to_owned(),
        Value::Map(coalesce_tables(&parent_globals, &sub_globals)),
    );
    section
}

/// The merge `helm install -f a.yaml -f b.yaml` applies between values files (Helm v2's
/// `mergeValues`): keys of `src` override `dest`, tables present in both are merged recursively,
/// anything else (including `null`) replaces.
pub fn merge_values(dest: &mut Map, src: Map) {
    for (key, sval) in src {
        match (dest.get_mut(&key), sval) {
            (Some(Value::Map(dmap)), Value::Map(smap)) => merge_values(dmap, smap),
            (_, sval) => {
                dest.insert(key, sval);
            }
        }
    }
}

/// An error building the user-supplied values of a `helm install`/`template`/`upgrade`.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum UserValuesError {
    /// A `-f` file is not a values document.
    #[error("failed to parse {file}: {source}")]
    File {
        /// The file as given.
        file: String,
        /// Why.
        source: YamlError,
    },
    /// A `--set`, `--set-string` or `--set-file` flag is malformed.
    #[error("failed parsing --{flag} data: {source}")]
    Flag {
        /// `set`, `set-string` or `set-file`.
        flag: &'static str,
        /// Why.
        source: crate::strvals::StrvalsError,
    },
}

/// The user-supplied values as the Helm v2 client computes them: `-f` documents merged left to
/// right ([`merge_values`]), then every `--set`, then every `--set-string`, then every
/// `--set-file` (`read_file` returns a file's content for its path), regardless of how the flags
/// were interleaved on the command line. `files` are `(name, text)` pairs; the name is only used
/// in messages.
pub fn user_values(
    files: &[(&str, &str)],
    set: &[&str],
    set_string: &[&str],
    set_file: &[&str],
    read_file: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<Values, UserValuesError> {
    let mut base = Map::new();
    for (name, text) in files {
        let current = read_values(text).map_err(|source| UserValuesError::File {
            file: (*name).to_owned(),
            source,
        })?;
        merge_values(&mut base, current);
    }
    for line in set {
        crate::strvals::parse_into(line, &mut base).map_err(|source| UserValuesError::Flag {
            flag: "set",
            source,
        })?;
    }
    for line in set_string {
        crate::strvals::parse_string_into(line, &mut base).map_err(|source| {
            UserValuesError::Flag {
                flag: "set-string",
                source,
            }
        })?;
    }
    for line in set_file {
        crate::strvals::parse_file_into(line, &mut base, read_file).map_err(|source| {
            UserValuesError::Flag {
                flag: "set-file",
                source,
            }
        })?;
    }
    Ok(base)
}

/// Helm's `Values.MergeInto`: like [`merge_values`]; kept separate because it is the method
/// templates can call on `.Values`.
pub fn merge_into(dest: &mut Map, src: &Map) {
    merge_values(dest, src.clone());
}

/// Helm's `Values.Table`: the table at a dotted path (`"a.b"`).
pub fn table<'a>(values: &'a Map, path: &str) -> Result<&'a Map, ValuesError> {
    let mut current = values;
    for name in path.split('.') {
        match current.get(name) {
            Some(Value::Map(m)) => current = m,
            _ => return Err(ValuesError::NoTable(name.to_owned())),
        }
    }
    Ok(current)
}

/// Helm's `Values.PathValue`: the non-table value at a dotted path (`"a.b.enabled"`).
pub fn path_value<'a>(values: &'a Map, path: &str) -> Result<&'a Value, ValuesError> {
    if path.is_empty() {
        return Err(ValuesError::NoValue(
            "YAML path string cannot be zero length".to_owned(),
        ));
    }
    let (parent, key) = match path.rsplit_once('.') {
        Some((parent, key)) => {
            let t = table(values, parent)
                .map_err(|_| ValuesError::NoValue(format!("{key} is not a value")))?;
            (t, key)
        }
        None => (values, path),
    };
    match parent.get(key) {
        Some(v) if !v.is_table() => Ok(v),
        _ if path.contains('.') => Err(ValuesError::NoValue(format!("key not found: {key}"))),
        _ => Err(ValuesError::NoValue(format!("{key} is not a value"))),
    }
}

/// Turns every integer into a float, the effect of sending values through YAML and reading
/// them back with Helm's `ReadValues` (all numbers become float64).
pub fn normalize_numbers(value: &mut Value) {
    match value {
        Value::Int(i) => {
            // Precision loss above 2^53 is what Helm does too.
            #[allow(clippy::cast_precision_loss)]
            let f = *i as f64;
            *value = Value::Float(f);
        }
        Value::List(items) => items.iter_mut().for_each(normalize_numbers),
        Value::Map(m) => normalize_numbers_in(m),
        _ => {}
    }
}

/// [`normalize_numbers`] for every value of a table.
pub fn normalize_numbers_in(map: &mut Map) {
    map.values_mut().for_each(normalize_numbers);
}

/// The JSON text Go's `encoding/json` writes for a value: keys sorted, no spaces, HTML-sensitive
/// characters escaped, floats in Go's notation.
pub fn to_json(value: &Value) -> Result<String, ValuesError> {
    let mut out = String::new();
    write_json(value, &mut out)?;
    Ok(out)
}

/// [`to_json`] for a table.
pub fn map_to_json(map: &Map) -> Result<String, ValuesError> {
    let mut out = String::new();
    write_json_map(map, &mut out)?;
    Ok(out)
}

fn write_json(value: &Value, out: &mut String) -> Result<(), ValuesError> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => match gofmt::format_json_float(*f) {
            Some(s) => out.push_str(&s),
            None => return Err(ValuesError::Unsupported(gofmt::format_g64(*f))),
        },
        Value::String(s) => write_json_string(s, out),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out)?;
            }
            out.push(']');
        }
        Value::Map(m) => write_json_map(m, out)?,
    }
    Ok(())
}

fn write_json_map(map: &Map, out: &mut String) -> Result<(), ValuesError> {
    out.push('{');
    for (i, (k, v)) in map.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_json_string(k, out);
        out.push(':');
        write_json(v, out)?;
    }
    out.push('}');
    Ok(())
}

/// Go 1.14 `encoding/json` string escaping (with HTML escaping on, its default).
pub(crate) fn write_json_string(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{0}'..='\u{1f}' => {
                let b = c as u32;
                out.push_str("\\u00");
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 0xf) as usize] as char);
            }
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Converts a JSON document (as `serde_json` holds it) into values the way Go decodes JSON into
/// `interface{}`: every number a float64.
pub fn from_json_value(json: &serde_json::Value) -> Value {
    match json {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::String(s) => Value::String(s.clone()),
        serde_json::Value::Array(items) => Value::List(items.iter().map(from_json_value).collect()),
        serde_json::Value::Object(m) => Value::Map(
            m.iter()
                .map(|(k, v)| (k.clone(), from_json_value(v)))
                .collect(),
        ),
    }
}

/// The value as a template sees it (`gotmpl::Value`): numbers stay numbers, tables become
/// `map[string]interface{}`, lists `[]interface{}`, null Go's nil.
pub fn to_template_value(value: &Value) -> gotmpl::Value {
    match value {
        Value::Null => gotmpl::Value::Nil,
        Value::Bool(b) => gotmpl::Value::Bool(*b),
        Value::Int(i) => gotmpl::Value::Int(*i),
        Value::Float(f) => gotmpl::Value::Float(*f),
        Value::String(s) => gotmpl::Value::string(s),
        Value::List(items) => gotmpl::Value::list(items.iter().map(to_template_value).collect()),
        Value::Map(m) => gotmpl::Value::map(map_to_template(m)),
    }
}

/// [`to_template_value`] for a table.
pub fn map_to_template(map: &Map) -> gotmpl::Map {
    map.iter()
        .map(|(k, v)| (k.clone(), to_template_value(v)))
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a table from `(key, value)` pairs.
    pub(crate) fn map<const N: usize>(pairs: [(&str, Value); N]) -> Map {
        pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    }

    fn s(x: &str) -> Value {
        Value::from(x)
    }

    #[test]
    fn coalesce_tables_user_wins_and_null_deletes() {
        let dst = map([
            ("name", s("user")),
            ("gone", Value::Null),
            (
                "nested",
                Value::Map(map([("a", s("x")), ("drop", Value::Null)])),
            ),
            ("extra", Value::Float(1.0)),
            ("never", Value::Null),
        ]);
        let src = map([
            ("name", s("default")),
            ("gone", s("present")),
            (
                "nested",
                Value::Map(map([("a", s("y")), ("b", s("z")), ("drop", s("q"))])),
            ),
            ("kept_null", Value::Null),
            ("list", Value::List(vec![s("a")])),
        ]);
        let out = coalesce_tables(&dst, &src);
        let want = map([
            ("name", s("user")),
            ("nested", Value::Map(map([("a", s("x")), ("b", s("z"))]))),
            ("extra", Value::Float(1.0)),
            ("kept_null", Value::Null),
            ("list", Value::List(vec![s("a")])),
        ]);
        assert_eq!(out, want);
    }

    #[test]
    fn coalesce_tables_table_versus_scalar_keeps_dst() {
        let dst = map([("a", s("scalar")), ("b", Value::Map(map([("x", s("1"))])))]);
        let src = map([("a", Value::Map(map([("x", s("1"))]))), ("b", s("scalar"))]);
        let out = coalesce_tables(&dst, &src);
        assert_eq!(out, dst);
    }

    #[test]
    fn merge_values_replaces_non_tables() {
        let mut dest = map([
            ("a", Value::Map(map([("x", s("1")), ("y", s("2"))]))),
            ("b", s("keep")),
            ("c", Value::List(vec![s("1")])),
            ("d", s("scalar")),
        ]);
        let src = map([
            ("a", Value::Map(map([("y", s("3")), ("z", Value::Null)]))),
            ("c", Value::List(vec![s("2")])),
            ("d", Value::Map(map([("t", Value::Bool(true))]))),
        ]);
        merge_values(&mut dest, src);
        let want = map([
            (
                "a",
                Value::Map(map([("x", s("1")), ("y", s("3")), ("z", Value::Null)])),
            ),
            ("b", s("keep")),
            ("c", Value::List(vec![s("2")])),
            ("d", Value::Map(map([("t", Value::Bool(true))]))),
        ]);
        assert_eq!(dest, want);
    }

    #[test]
    fn path_value_and_table() {
        let v = map([(
            "a",
            Value::Map(map([
                ("b", Value::Map(map([("c", Value::Bool(true))]))),
                ("s", s("x")),
            ])),
        )]);
        assert_eq!(path_value(&v, "a.b.c"), Ok(&Value::Bool(true)));
        assert_eq!(path_value(&v, "a.s"), Ok(&s("x")));
        assert!(path_value(&v, "a.b").is_err());
        assert!(path_value(&v, "a").is_err());
        assert!(path_value(&v, "a.nope").is_err());
        assert!(path_value(&v, "x.y.z").is_err());
        assert!(path_value(&v, "").is_err());
        assert!(table(&v, "a.b").is_ok());
        assert_eq!(table(&v, "a.s"), Err(ValuesError::NoTable("s".to_owned())));
    }

    #[test]
    fn json_encoding_matches_go() {
        let v = Value::Map(map([
            ("b", Value::Float(1e6)),
            ("a", s("<x>&\"\n\u{1}")),
            (
                "c",
                Value::List(vec![Value::Null, Value::Bool(false), Value::Int(-3)]),
            ),
        ]));
        assert_eq!(
            to_json(&v).unwrap(),
            r#"{"a":"\u003cx\u003e\u0026\"\n\u0001","b":1000000,"c":[null,false,-3]}"#
        );
        assert!(to_json(&Value::Float(f64::INFINITY)).is_err());
    }

    #[test]
    fn normalize_turns_ints_into_floats() {
        let mut v = Value::List(vec![
            Value::Int(3),
            Value::Map(map([("x", Value::Int(-1))])),
        ]);
        normalize_numbers(&mut v);
        assert_eq!(
            v,
            Value::List(vec![
                Value::Float(3.0),
                Value::Map(map([("x", Value::Float(-1.0))]))
            ])
        );
    }

    #[test]
    fn type_mismatch_message_looks_like_go() {
        let e = ValuesError::TypeMismatch {
            name: "sub".into(),
            go_type: "string".into(),
            shown: "x".into(),
        };
        assert_eq!(e.to_string(), "type mismatch on sub: %!t(string=x)");
    }

    #[test]
    fn template_conversion() {
        let v = Value::Map(map([
            ("n", Value::Float(2.0)),
            ("l", Value::List(vec![Value::Null])),
        ]));
        match to_template_value(&v) {
            gotmpl::Value::Map(m, _) => {
                let m = m.borrow();
                assert!(matches!(m.get("n"), Some(gotmpl::Value::Float(f)) if *f == 2.0));
                assert!(
                    matches!(m.get("l"), Some(gotmpl::Value::List(items, _)) if items[0].is_nil())
                );
            }
            other => panic!("not a map: {other:?}"),
        }
    }
}
