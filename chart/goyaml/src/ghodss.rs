//! sigs.k8s.io/yaml (ghodss/yaml): YAML read through go-yaml and converted to JSON values the
//! way `YAMLToJSON` does, JSON written back as YAML the way `JSONToYAML` does, and Go's
//! `encoding/json` text for JSON values (what `Marshal` feeds to go-yaml).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::float::{format_g, format_json};
use crate::value::{Value, go_syntax};
use crate::{Error, ErrorKind};

/// Go's `%q`-ish quoting used by `%#v` for strings: double quotes with Go escapes.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// ghodss's stringification of a go-yaml map key, or its "Unsupported map key" error.
fn key_string(k: &Value, v: &Value) -> Result<String, Error> {
    match k {
        Value::String(s) => Ok(s.clone()),
        Value::Int(i) => Ok(i.to_string()),
        Value::Float(f) => Ok(match format_g(*f, true).as_str() {
            "+Inf" => ".inf".to_owned(),
            "-Inf" => "-.inf".to_owned(),
            "NaN" => ".nan".to_owned(),
            s => s.to_owned(),
        }),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => Err(Error::new(
            ErrorKind::Conversion,
            format!(
                "Unsupported map key of type: %!s(<nil>), key: <nil>, value: {}",
                go_plus_syntax(v)
            ),
        )),
        Value::Uint(u) => Err(Error::new(
            ErrorKind::Conversion,
            format!(
                "Unsupported map key of type: uint64, key: 0x{u:x}, value: {}",
                go_plus_syntax(v)
            ),
        )),
        Value::Seq(_) | Value::Map(_) => Err(Error::new(
            ErrorKind::Conversion,
            format!(
                "Unsupported map key of type: interface {{}}, key: {}, value: {}",
                go_syntax(k),
                go_plus_syntax(v)
            ),
        )),
    }
}

/// `%+#v` of a value; for the trees go-yaml builds it reads the same as `%#v`.
fn go_plus_syntax(v: &Value) -> String {
    go_syntax(v)
}

/// Converts a go-yaml value to the JSON value ghodss produces (`convertToJSONableObject`, then
/// `json.Marshal` and `json.Unmarshal` into `interface{}`): string keys, numbers as float64,
/// sorted maps, and an error for values JSON cannot hold.
pub fn value_to_json(v: &Value) -> Result<serde_json::Value, Error> {
    Ok(match v {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) => number(*i as f64)?,
        Value::Uint(u) => number(*u as f64)?,
        Value::Float(f) => number(*f)?,
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::Seq(items) => serde_json::Value::Array(
            items
                .iter()
                .map(value_to_json)
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Value::Map(entries) => {
            // Distinct YAML keys can stringify alike (1 and "1"); the later one wins.
            let mut pairs: BTreeMap<String, serde_json::Value> = BTreeMap::new();
            for (k, val) in entries {
                let key = key_string(k, val)?;
                pairs.insert(key, value_to_json(val)?);
            }
            serde_json::Value::Object(pairs.into_iter().collect())
        }
    })
}

fn number(f: f64) -> Result<serde_json::Value, Error> {
    serde_json::Number::from_f64(f)
        .map(serde_json::Value::Number)
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Json,
                format!("unsupported value: {}", format_g(f, false)),
            )
        })
}

/// The exact text of ghodss `YAMLToJSON` for a go-yaml value: integers stay integers (no
/// float64 rounding), floats in `encoding/json`'s form, keys stringified and sorted.
pub fn value_to_json_text(v: &Value) -> Result<String, Error> {
    let mut out = String::new();
    write_json_text(&mut out, v)?;
    Ok(out)
}

fn write_json_text(out: &mut String, v: &Value) -> Result<(), Error> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Uint(u) => {
            let _ = write!(out, "{u}");
        }
        Value::Float(f) => {
            if !f.is_finite() {
                return Err(Error::new(
                    ErrorKind::Json,
                    format!("unsupported value: {}", format_g(*f, false)),
                ));
            }
            out.push_str(&format_json(*f));
        }
        Value::String(s) => write_go_json_string(out, s),
        Value::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_text(out, item)?;
            }
            out.push(']');
        }
        Value::Map(entries) => {
            let mut pairs: BTreeMap<String, &Value> = BTreeMap::new();
            for (k, val) in entries {
                pairs.insert(key_string(k, val)?, val);
            }
            out.push('{');
            for (i, (k, val)) in pairs.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_go_json_string(out, &k);
                out.push(':');
                write_json_text(out, val)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

/// Go `encoding/json` (Go 1.14) text of a JSON value: no spaces, map keys sorted by bytes,
/// `<`, `>`, `&`, U+2028 and U+2029 escaped, floats in Go's shortest form.
pub fn go_json(v: &serde_json::Value) -> String {
    let mut out = String::new();
    write_go_json(&mut out, v);
    out
}

fn write_go_json(out: &mut String, v: &serde_json::Value) {
    match v {
        serde_json::Value::Null => out.push_str("null"),
        serde_json::Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        serde_json::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                let _ = write!(out, "{i}");
            } else if let Some(u) = n.as_u64() {
                let _ = write!(out, "{u}");
            } else {
                out.push_str(&format_json(n.as_f64().unwrap_or(0.0)));
            }
        }
        serde_json::Value::String(s) => write_go_json_string(out, s),
        serde_json::Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_go_json(out, item);
            }
            out.push(']');
        }
        serde_json::Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_go_json_string(out, k);
                out.push(':');
                if let Some(val) = map.get(k) {
                    write_go_json(out, val);
                }
            }
            out.push('}');
        }
    }
}

fn write_go_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_stringify_like_ghodss() {
        let v = Value::Map(vec![
            (Value::Bool(true), Value::Int(1)),
            (Value::Float(1.23456789), Value::Int(2)),
            (Value::Int(7), Value::Int(3)),
        ]);
        let j = value_to_json(&v).expect("converts");
        assert_eq!(go_json(&j), r#"{"1.2345679":2,"7":3,"true":1}"#);
        let e = value_to_json(&Value::Map(vec![(Value::Null, Value::String("x".into()))]))
            .expect_err("null key");
        assert_eq!(
            e.to_string(),
            "Unsupported map key of type: %!s(<nil>), key: <nil>, value: \"x\""
        );
        let e = value_to_json(&Value::Float(f64::INFINITY)).expect_err("inf");
        assert_eq!(e.to_string(), "json: unsupported value: +Inf");
    }

    #[test]
    fn json_text_keeps_integers() {
        let v = Value::Map(vec![
            (Value::String("big".into()), Value::Int(9007199254740993)),
            (Value::String("f".into()), Value::Float(1e6)),
            (Value::Int(2), Value::Uint(u64::MAX)),
        ]);
        assert_eq!(
            value_to_json_text(&v).expect("converts"),
            r#"{"2":18446744073709551615,"big":9007199254740993,"f":1000000}"#
        );
    }

    #[test]
    fn go_json_escapes_html() {
        let v = serde_json::json!({"b": "<a&b>", "a": [1.5, 1e21, 1e-7, 3]});
        assert_eq!(
            go_json(&v),
            r#"{"a":[1.5,1e+21,1e-7,3],"b":"\u003ca\u0026b\u003e"}"#
        );
    }
}
