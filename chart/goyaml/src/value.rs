//! The untyped value go-yaml v2 decodes into (`interface{}`), with Go's notion of map-key equality.

use std::collections::HashMap;
use std::fmt::Write as _;

/// go-yaml v2's untyped decode result: what `yaml.Unmarshal` stores in an `interface{}`.
///
/// `Int` is Go's `int`, `Uint` a `uint64` that does not fit an `int`, `Float` a `float64`.
/// Timestamps stay strings, as go-yaml leaves them when decoding into `interface{}`.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `nil`.
    Null,
    /// `bool`.
    Bool(bool),
    /// `int` (64-bit).
    Int(i64),
    /// `uint64`, only for values above `i64::MAX`.
    Uint(u64),
    /// `float64`.
    Float(f64),
    /// `string`.
    String(String),
    /// `[]interface{}`.
    Seq(Vec<Value>),
    /// `map[interface{}]interface{}`, in document order; keys are unique under Go's equality.
    Map(Vec<(Value, Value)>),
}

impl Value {
    /// Whether two values are the same Go map key: same dynamic type and equal value, so
    /// `Int(1)`, `Float(1.0)` and `String("1")` are three different keys and NaN equals nothing.
    pub fn same_key(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Uint(a), Value::Uint(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            _ => false,
        }
    }

    /// Looks a key up in a map by Go key equality; `None` for other kinds of value.
    pub fn get(&self, key: &Value) -> Option<&Value> {
        match self {
            Value::Map(entries) => entries
                .iter()
                .rev()
                .find(|(k, _)| k.same_key(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// Looks a string key up in a map.
    pub fn get_str(&self, key: &str) -> Option<&Value> {
        self.get(&Value::String(key.to_owned()))
    }
}

/// A hashable form of the keys Go maps can hold, equal exactly when [`Value::same_key`] is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum KeyHash {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(u64),
    String(String),
}

fn key_hash(v: &Value) -> Option<KeyHash> {
    Some(match v {
        Value::Null => KeyHash::Null,
        Value::Bool(b) => KeyHash::Bool(*b),
        Value::Int(i) => KeyHash::Int(*i),
        Value::Uint(u) => KeyHash::Uint(*u),
        // NaN equals nothing, so it is never found again; -0 and 0 are the same key.
        Value::Float(f) if f.is_nan() => return None,
        Value::Float(f) => KeyHash::Float(if *f == 0.0 { 0 } else { f.to_bits() }),
        Value::String(s) => KeyHash::String(s.clone()),
        Value::Seq(_) | Value::Map(_) => return None,
    })
}

/// A map under construction with Go map assignment semantics: an existing equal key keeps its
/// place and takes the new value, a new key goes to the end.
#[derive(Debug, Default)]
pub(crate) struct MapBuilder {
    entries: Vec<(Value, Value)>,
    index: HashMap<KeyHash, usize>,
}

impl MapBuilder {
    pub(crate) fn insert(&mut self, key: Value, value: Value) {
        match key_hash(&key) {
            Some(h) => match self.index.get(&h) {
                Some(&i) => self.entries[i].1 = value,
                None => {
                    self.index.insert(h, self.entries.len());
                    self.entries.push((key, value));
                }
            },
            None => self.entries.push((key, value)),
        }
    }

    pub(crate) fn finish(self) -> Vec<(Value, Value)> {
        self.entries
    }
}

/// Formats a value as Go's `%#v` does for the `interface{}` trees go-yaml builds; go-yaml puts it
/// in the "invalid map key" error.
pub(crate) fn go_syntax(v: &Value) -> String {
    let mut out = String::new();
    write_go_syntax(&mut out, v, false);
    out
}

fn write_go_syntax(out: &mut String, v: &Value, in_iface: bool) {
    // Inside a container of interface{} elements, Go prints nil as `interface {}(nil)`.
    match v {
        Value::Null if in_iface => out.push_str("interface {}(nil)"),
        Value::Null => out.push_str("<nil>"),
        Value::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Uint(u) => {
            let _ = write!(out, "0x{u:x}");
        }
        Value::Float(f) => out.push_str(&crate::float::format_g(*f, false)),
        Value::String(s) => out.push_str(&crate::ghodss::go_quote(s)),
        Value::Seq(items) => {
            out.push_str("[]interface {}{");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_go_syntax(out, item, true);
            }
            out.push('}');
        }
        Value::Map(entries) => {
            out.push_str("map[interface {}]interface {}{");
            let mut sorted: Vec<&(Value, Value)> = entries.iter().collect();
            // fmt sorts map keys for printing; for the mixed keys this is an approximation.
            sorted.sort_by(|a, b| crate::sort::key_order(&a.0, &b.0));
            for (i, (k, val)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_go_syntax(out, k, true);
                out.push(':');
                write_go_syntax(out, val, true);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_compare_like_go() {
        assert!(Value::Int(1).same_key(&Value::Int(1)));
        assert!(!Value::Int(1).same_key(&Value::Float(1.0)));
        assert!(!Value::Float(f64::NAN).same_key(&Value::Float(f64::NAN)));
        let mut b = MapBuilder::default();
        b.insert(Value::String("a".into()), Value::Int(1));
        b.insert(Value::String("b".into()), Value::Int(2));
        b.insert(Value::String("a".into()), Value::Int(3));
        b.insert(Value::Float(f64::NAN), Value::Int(4));
        b.insert(Value::Float(f64::NAN), Value::Int(5));
        assert_eq!(b.finish().len(), 4);
        let mut b = MapBuilder::default();
        b.insert(Value::String("a".into()), Value::Int(1));
        b.insert(Value::String("b".into()), Value::Int(2));
        b.insert(Value::String("a".into()), Value::Int(3));
        assert_eq!(
            b.finish(),
            vec![
                (Value::String("a".into()), Value::Int(3)),
                (Value::String("b".into()), Value::Int(2))
            ]
        );
    }

    #[test]
    fn go_syntax_matches_fmt() {
        let v = Value::Map(vec![(Value::String(".Values.x".into()), Value::Null)]);
        assert_eq!(
            go_syntax(&v),
            r#"map[interface {}]interface {}{".Values.x":interface {}(nil)}"#
        );
        let s = Value::Seq(vec![Value::Int(1), Value::Int(2)]);
        assert_eq!(go_syntax(&s), "[]interface {}{1, 2}");
    }
}
