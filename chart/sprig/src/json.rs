//! JSON as Go's `encoding/json` writes and reads it: map keys sorted bytewise, `<`, `>`, `&`,
//! U+2028 and U+2029 escaped (unless HTML escaping is off), floats in the shortest form with
//! exponents only below 1e-6 or from 1e21 on, `[]byte` as base64, NaN/Inf rejected.

use base64::Engine;
use gotmpl::{FuncError, Map, Value};

use crate::args::{self, Arity::*};
use crate::def;
use crate::go;

/// Nesting beyond this is treated as a cycle (maps are shared references and can contain
/// themselves after `set $d "self" $d`).
pub(crate) const MAX_DEPTH: usize = 300;

/// `json.Marshal` / `MarshalIndent(v, "", indent)` / an Encoder without HTML escaping.
pub fn marshal(v: &Value, escape_html: bool, indent: Option<&str>) -> Result<String, String> {
    let mut out = String::new();
    write(&mut out, v, escape_html, indent, 0)?;
    Ok(out)
}

fn newline(out: &mut String, indent: Option<&str>, depth: usize) {
    if let Some(ind) = indent {
        out.push('\n');
        for _ in 0..depth {
            out.push_str(ind);
        }
    }
}

fn write(
    out: &mut String,
    v: &Value,
    html: bool,
    indent: Option<&str>,
    depth: usize,
) -> Result<(), String> {
    if depth > MAX_DEPTH {
        // Only a map that contains itself nests this deep; Go reports the cycle.
        return Err(format!(
            "json: unsupported value: encountered a cycle via {}",
            crate::go::type_name(v)
        ));
    }
    match v {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Uint(u) => out.push_str(&u.to_string()),
        Value::Float(f) => {
            if !f.is_finite() {
                return Err(format!(
                    "json: unsupported value: {}",
                    go::format_float_g(*f)
                ));
            }
            out.push_str(&go::format_float_json(*f));
        }
        Value::String(s) => write_string(out, s, html),
        Value::Bytes(b) => {
            let enc = base64::engine::general_purpose::STANDARD.encode(b);
            write_string(out, &enc, html);
        }
        Value::List(items, _) => {
            if items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, depth + 1);
                write(out, item, html, indent, depth + 1)?;
            }
            newline(out, indent, depth);
            out.push(']');
        }
        Value::Map(map, _) => {
            let map = map.borrow();
            if map.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, depth + 1);
                write_string(out, k, html);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write(out, item, html, indent, depth + 1)?;
            }
            newline(out, indent, depth);
            out.push('}');
        }
        Value::Object(o) => match o.to_data() {
            Some(data) => write(out, &data, html, indent, depth)?,
            None => return Err(format!("json: unsupported type: {}", o.type_name())),
        },
    }
    Ok(())
}

/// A JSON string literal with Go's escapes.
pub fn write_string(out: &mut String, s: &str, html: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '<' | '>' | '&' if html => out.push_str(&format!("\\u{:04x}", c as u32)),
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `json.Unmarshal` into `interface{}`.
pub fn unmarshal(text: &str) -> Result<Value, String> {
    let parsed: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    Ok(convert(parsed))
}

fn convert(v: serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::String(s) => Value::string(s),
        serde_json::Value::Array(items) => Value::list(items.into_iter().map(convert).collect()),
        serde_json::Value::Object(map) => Value::map(
            map.into_iter()
                .map(|(k, v)| (k, convert(v)))
                .collect::<Map>(),
        ),
    }
}

/// Registers Sprig's JSON functions (Helm replaces `toJson` and `fromJson` with its own).
pub(crate) fn register(m: &mut crate::FuncMap) {
    def(m, "toJson", Exact(1), |a| {
        Ok(Value::string(
            marshal(&a[0], true, None).unwrap_or_default(),
        ))
    });
    def(m, "mustToJson", Exact(1), |a| {
        marshal(&a[0], true, None)
            .map(Value::string)
            .map_err(FuncError::new)
    });
    def(m, "toPrettyJson", Exact(1), |a| {
        Ok(Value::string(
            marshal(&a[0], true, Some("  ")).unwrap_or_default(),
        ))
    });
    def(m, "mustToPrettyJson", Exact(1), |a| {
        marshal(&a[0], true, Some("  "))
            .map(Value::string)
            .map_err(FuncError::new)
    });
    // toRawJson panics on error, which the engine reports like mustToRawJson's error.
    for name in ["toRawJson", "mustToRawJson"] {
        def(m, name, Exact(1), |a| {
            marshal(&a[0], false, None)
                .map(Value::string)
                .map_err(FuncError::new)
        });
    }
    def(m, "fromJson", Exact(1), |a| {
        Ok(unmarshal(args::string(&a[0])?).unwrap_or(Value::Nil))
    });
    def(m, "mustFromJson", Exact(1), |a| {
        unmarshal(args::string(&a[0])?).map_err(FuncError::new)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_go() {
        let mut map = Map::new();
        map.insert("b".into(), Value::Float(1e21));
        map.insert("a".into(), Value::string("<&>\u{2028}"));
        map.insert(
            "c".into(),
            Value::list(vec![Value::Float(1e-7), Value::Nil, Value::Bool(true)]),
        );
        let v = Value::map(map);
        assert_eq!(
            marshal(&v, true, None).unwrap(),
            r#"{"a":"\u003c\u0026\u003e\u2028","b":1e+21,"c":[1e-7,null,true]}"#
        );
        assert_eq!(
            marshal(&v, false, None).unwrap(),
            "{\"a\":\"<&>\\u2028\",\"b\":1e+21,\"c\":[1e-7,null,true]}"
        );
        assert_eq!(
            marshal(&v, true, Some("  ")).unwrap(),
            "{\n  \"a\": \"\\u003c\\u0026\\u003e\\u2028\",\n  \"b\": 1e+21,\n  \"c\": [\n    1e-7,\n    null,\n    true\n  ]\n}"
        );
        assert!(marshal(&Value::Float(f64::NAN), true, None).is_err());
        let cyclic = Value::map(Map::new());
        if let Value::Map(m, _) = &cyclic {
            m.borrow_mut().insert("self".into(), cyclic.clone());
        }
        let e = marshal(&cyclic, true, None).unwrap_err();
        assert!(e.contains("encountered a cycle"), "{e}");
        assert_eq!(
            marshal(&Value::map(Map::new()), true, Some("  ")).unwrap(),
            "{}"
        );
    }

    #[test]
    fn decodes_numbers_as_floats() {
        let v = unmarshal(r#"{"a":[1,2.5,"x"],"b":null}"#).unwrap();
        assert_eq!(go::format_v(&v), "map[a:[1 2.5 x] b:<nil>]");
        if let Value::Map(m, _) = &v {
            assert!(
                matches!(m.borrow().get("a"), Some(Value::List(l, _)) if matches!(l[0], Value::Float(_)))
            );
        }
        assert!(unmarshal("{").is_err());
    }
}
