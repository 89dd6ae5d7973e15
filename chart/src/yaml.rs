//! YAML as Helm v2 reads it: go-yaml v2 parsing (through the `goyaml` crate) followed by
//! ghodss/yaml's conversion to JSON and `encoding/json` decoding.
//!
//! Two targets matter here. Values files decode into untyped trees ([`to_value`]): keys become
//! strings, every number a float64. Chart.yaml and requirements.yaml decode into Go structs
//! ([`Object`]): keys match field names case-insensitively, unknown keys are ignored, and a
//! number or boolean given for a string field is converted to a string.

use thiserror::Error;

use crate::gofmt;
use crate::values::{Map, Value};

/// A parsed YAML node, as go-yaml's untyped decoding produces it.
pub use goyaml::Value as Node;

/// A YAML read or decode error.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("{message}")]
pub struct YamlError {
    /// 1-based line, when the parser reported one.
    pub line: Option<usize>,
    /// 1-based column, when the parser reported one.
    pub column: Option<usize>,
    /// The message, in Helm's words where Helm has words for it.
    pub message: String,
}

impl YamlError {
    fn decode(message: impl Into<String>) -> Self {
        YamlError {
            line: None,
            column: None,
            message: message.into(),
        }
    }
}

/// Parses the first YAML document of `text`.
pub fn parse(text: &str) -> Result<Node, YamlError> {
    goyaml::parse(text).map_err(|e| YamlError {
        line: e.line,
        column: e.column,
        message: format!("error converting YAML to JSON: {e}"),
    })
}

/// What encoding/json calls the JSON type of a node, for "cannot unmarshal X" messages.
fn json_kind(node: &Node) -> &'static str {
    match node {
        Node::Null => "null",
        Node::Bool(_) => "bool",
        Node::Int(_) | Node::Uint(_) | Node::Float(_) => "number",
        Node::String(_) => "string",
        Node::Seq(_) => "array",
        Node::Map(_) => "object",
    }
}

/// ghodss's conversion of a map key to a JSON object key.
pub fn key_string(key: &Node) -> Result<String, YamlError> {
    match key {
        Node::String(s) => Ok(s.clone()),
        Node::Int(i) => Ok(i.to_string()),
        Node::Uint(u) => Ok(u.to_string()),
        Node::Float(f) => Ok(gofmt::format_g32(*f)),
        Node::Bool(b) => Ok(b.to_string()),
        Node::Null => Err(YamlError::decode("unsupported map key: null")),
        Node::Seq(_) | Node::Map(_) => Err(YamlError::decode(format!(
            "unsupported map key of type {}",
            json_kind(key)
        ))),
    }
}

/// Converts a node to an untyped value as Helm reads values: string keys, float64 numbers.
pub fn to_value(node: &Node) -> Result<Value, YamlError> {
    Ok(match node {
        Node::Null => Value::Null,
        Node::Bool(b) => Value::Bool(*b),
        // YAML integers become float64 in Helm's values; precision loss is Helm's too.
        #[allow(clippy::cast_precision_loss)]
        Node::Int(i) => Value::Float(*i as f64),
        #[allow(clippy::cast_precision_loss)]
        Node::Uint(u) => Value::Float(*u as f64),
        Node::Float(f) => {
            if !f.is_finite() {
                return Err(YamlError::decode(format!(
                    "json: unsupported value: {}",
                    gofmt::format_g64(*f)
                )));
            }
            Value::Float(*f)
        }
        Node::String(s) => Value::String(s.clone()),
        Node::Seq(items) => Value::List(items.iter().map(to_value).collect::<Result<_, _>>()?),
        Node::Map(entries) => Value::Map(to_map(entries)?),
    })
}

fn to_map(entries: &[(Node, Node)]) -> Result<Map, YamlError> {
    let mut out = Map::new();
    for (k, v) in entries {
        out.insert(key_string(k)?, to_value(v)?);
    }
    Ok(out)
}

/// Reads a values document the way Helm's `ReadValues` does: an empty document is an empty
/// table, anything but a mapping is an error.
pub fn read_values_node(node: &Node) -> Result<Map, YamlError> {
    match node {
        Node::Null => Ok(Map::new()),
        Node::Map(entries) => to_map(entries),
        other => Err(YamlError::decode(format!(
            "error unmarshaling JSON: json: cannot unmarshal {} into Go value of type chartutil.Values",
            json_kind(other)
        ))),
    }
}

/// A YAML mapping decoded as a Go struct: fields are looked up case-insensitively, the last
/// matching key wins, and type errors name the struct and field as `encoding/json` does.
#[derive(Debug)]
pub struct Object<'a> {
    type_name: &'static str,
    entries: Vec<(String, &'a Node)>,
}

impl<'a> Object<'a> {
    /// Views `node` as an object of Go type `type_name` (e.g. `Metadata`). `null` is an empty
    /// object; anything else but a mapping is an error.
    pub fn new(node: &'a Node, type_name: &'static str) -> Result<Self, YamlError> {
        match node {
            Node::Null => Ok(Object {
                type_name,
                entries: Vec::new(),
            }),
            Node::Map(entries) => {
                let mut out = Vec::with_capacity(entries.len());
                for (k, v) in entries {
                    out.push((key_string(k)?, v));
                }
                Ok(Object {
                    type_name,
                    entries: out,
                })
            }
            other => Err(YamlError::decode(format!(
                "error unmarshaling JSON: json: cannot unmarshal {} into Go value of type {type_name}",
                json_kind(other)
            ))),
        }
    }

    /// The node of a field, by its JSON name.
    pub fn field(&self, name: &str) -> Option<&'a Node> {
        self.entries
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }

    fn type_error(&self, field: &str, node: &Node, go_type: &str) -> YamlError {
        YamlError::decode(format!(
            "error unmarshaling JSON: json: cannot unmarshal {} into Go struct field {}.{field} of type {go_type}",
            json_kind(node),
            self.type_name
        ))
    }

    /// A `string` field; scalars of other types are converted as ghodss does.
    pub fn string(&self, name: &str) -> Result<String, YamlError> {
        match self.field(name) {
            None => Ok(String::new()),
            Some(node) => scalar_string(node).ok_or_else(|| self.type_error(name, node, "string")),
        }
    }

    /// A `bool` field.
    pub fn bool(&self, name: &str) -> Result<bool, YamlError> {
        match self.field(name) {
            None | Some(Node::Null) => Ok(false),
            Some(Node::Bool(b)) => Ok(*b),
            Some(node) => Err(self.type_error(name, node, "bool")),
        }
    }

    /// A `[]string` field.
    pub fn strings(&self, name: &str) -> Result<Vec<String>, YamlError> {
        match self.field(name) {
            None | Some(Node::Null) => Ok(Vec::new()),
            Some(Node::Seq(items)) => items
                .iter()
                .map(|item| {
                    scalar_string(item).ok_or_else(|| self.type_error(name, item, "string"))
                })
                .collect(),
            Some(node) => Err(self.type_error(name, node, "[]string")),
        }
    }

    /// A `map[string]string` field.
    pub fn string_map(
        &self,
        name: &str,
    ) -> Result<std::collections::BTreeMap<String, String>, YamlError> {
        match self.field(name) {
            None | Some(Node::Null) => Ok(Default::default()),
            Some(Node::Map(entries)) => {
                let mut out = std::collections::BTreeMap::new();
                for (k, v) in entries {
                    let value =
                        scalar_string(v).ok_or_else(|| self.type_error(name, v, "string"))?;
                    out.insert(key_string(k)?, value);
                }
                Ok(out)
            }
            Some(node) => Err(self.type_error(name, node, "map[string]string")),
        }
    }

    /// A list-of-structs field: the items (nulls skipped), each to be decoded by the caller.
    pub fn objects(
        &self,
        name: &str,
        item_type: &'static str,
    ) -> Result<Vec<Object<'a>>, YamlError> {
        match self.field(name) {
            None | Some(Node::Null) => Ok(Vec::new()),
            Some(Node::Seq(items)) => items
                .iter()
                .filter(|i| !matches!(i, Node::Null))
                .map(|i| match i {
                    Node::Map(_) => Object::new(i, item_type),
                    other => Err(self.type_error(name, other, item_type)),
                })
                .collect(),
            Some(node) => Err(self.type_error(name, node, &format!("[]*{item_type}"))),
        }
    }

    /// An `[]interface{}` field, as untyped values.
    pub fn values(&self, name: &str) -> Result<Vec<Value>, YamlError> {
        match self.field(name) {
            None | Some(Node::Null) => Ok(Vec::new()),
            Some(Node::Seq(items)) => items.iter().map(to_value).collect(),
            Some(node) => Err(self.type_error(name, node, "[]interface {}")),
        }
    }
}

/// ghodss's scalar-to-string conversion for string targets; `None` for sequences and maps.
fn scalar_string(node: &Node) -> Option<String> {
    match node {
        Node::Null => Some(String::new()),
        Node::Bool(b) => Some(b.to_string()),
        Node::Int(i) => Some(i.to_string()),
        Node::Uint(u) => Some(u.to_string()),
        Node::Float(f) => Some(gofmt::format_g32(*f)),
        Node::String(s) => Some(s.clone()),
        Node::Seq(_) | Node::Map(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Node {
        Node::String(x.to_owned())
    }

    #[test]
    fn values_conversion_stringifies_keys_and_floats_numbers() {
        let node = Node::Map(vec![
            (s("a"), Node::Int(3)),
            (Node::Bool(true), s("on-key")),
            (Node::Int(5), Node::Uint(u64::MAX)),
            (
                Node::Float(1.5),
                Node::Seq(vec![Node::Null, Node::Float(0.25)]),
            ),
            (s("a"), Node::Int(4)),
        ]);
        let m = read_values_node(&node).unwrap();
        assert_eq!(m.get("a"), Some(&Value::Float(4.0)));
        assert_eq!(m.get("true"), Some(&Value::String("on-key".into())));
        assert_eq!(m.get("5"), Some(&Value::Float(u64::MAX as f64)));
        assert_eq!(
            m.get("1.5"),
            Some(&Value::List(vec![Value::Null, Value::Float(0.25)]))
        );
    }

    #[test]
    fn values_errors() {
        let e = read_values_node(&Node::Seq(vec![])).unwrap_err();
        assert_eq!(
            e.message,
            "error unmarshaling JSON: json: cannot unmarshal array into Go value of type chartutil.Values"
        );
        assert!(read_values_node(&Node::Map(vec![(Node::Null, s("x"))])).is_err());
        assert!(read_values_node(&Node::Map(vec![(s("x"), Node::Float(f64::NAN))])).is_err());
        assert_eq!(read_values_node(&Node::Null).unwrap(), Map::new());
    }

    #[test]
    fn struct_fields_are_case_insensitive_and_coerced() {
        let node = Node::Map(vec![
            (s("NAME"), s("first")),
            (s("name"), s("second")),
            (s("version"), Node::Float(1.10)),
            (s("appversion"), Node::Int(7)),
            (s("deprecated"), Node::Bool(true)),
            (
                s("keywords"),
                Node::Seq(vec![s("a"), Node::Float(2.0), Node::Bool(false)]),
            ),
            (s("annotations"), Node::Map(vec![(s("x"), Node::Int(1))])),
            (s("unknown"), Node::Seq(vec![])),
        ]);
        let o = Object::new(&node, "Metadata").unwrap();
        assert_eq!(o.string("name").unwrap(), "second");
        assert_eq!(o.string("version").unwrap(), "1.1");
        assert_eq!(o.string("appVersion").unwrap(), "7");
        assert_eq!(o.string("missing").unwrap(), "");
        assert!(o.bool("deprecated").unwrap());
        assert_eq!(o.strings("keywords").unwrap(), ["a", "2", "false"]);
        assert_eq!(
            o.string_map("annotations")
                .unwrap()
                .get("x")
                .map(String::as_str),
            Some("1")
        );
    }

    #[test]
    fn struct_type_errors_name_the_field() {
        let node = Node::Map(vec![
            (s("deprecated"), s("yes please")),
            (s("sources"), s("x")),
        ]);
        let o = Object::new(&node, "Metadata").unwrap();
        assert_eq!(
            o.bool("deprecated").unwrap_err().message,
            "error unmarshaling JSON: json: cannot unmarshal string into Go struct field Metadata.deprecated of type bool"
        );
        assert!(o.strings("sources").is_err());
        assert!(Object::new(&Node::Seq(vec![]), "Metadata").is_err());
    }
}
