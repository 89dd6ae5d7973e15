//! The untyped value go-yaml v2 decodes into (`interface{}`), with Go's notion of map-key equality.

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

/// Sets `key` in a map's entries the way a Go map assignment does: an existing equal key keeps
/// its place and takes the new value, a new key goes to the end.
pub(crate) fn map_insert(entries: &mut Vec<(Value, Value)>, key: Value, value: Value) {
    if let Some(slot) = entries.iter_mut().find(|(k, _)| k.same_key(&key)) {
        slot.1 = value;
    } else {
        entries.push((key, value));
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
        let mut m = vec![];
        map_insert(&mut m, Value::String("a".into()), Value::Int(1));
        map_insert(&mut m, Value::String("b".into()), Value::Int(2));
        map_insert(&mut m, Value::String("a".into()), Value::Int(3));
        assert_eq!(
            m,
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
