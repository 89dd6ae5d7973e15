//! Helm's template functions on top of Sprig: `toYaml`, `fromYaml`, `fromYamlArray`, `toJson`,
//! `fromJson`, `fromJsonArray`, `toToml` and `lookup` (`include`, `tpl` and `required` are bound
//! per template set in [`mod@super::render`]).
//!
//! As in Helm, the serializers swallow errors (`toYaml`/`toJson` return `""`, `toToml` the error
//! text) and the parsers report them inside the result (`{"Error": "..."}`).

use std::rc::Rc;

use gotmpl::{FuncError, FuncMap, Value, expect_args, expect_string};

fn func(f: impl Fn(&[Value]) -> Result<Value, FuncError> + 'static) -> gotmpl::Func {
    Rc::new(f)
}

/// Sprig's functions plus Helm's serializers and `lookup`.
pub fn helm_functions() -> FuncMap {
    let mut m: FuncMap = sprig::functions();
    m.remove("env");
    m.remove("expandenv");
    m.insert(
        "toYaml".to_owned(),
        func(|args| {
            expect_args(args, 1, "toYaml")?;
            Ok(Value::string(to_yaml(&args[0])))
        }),
    );
    m.insert(
        "toJson".to_owned(),
        func(|args| {
            expect_args(args, 1, "toJson")?;
            Ok(Value::string(
                sprig::to_json(&args[0], true, None).unwrap_or_default(),
            ))
        }),
    );
    m.insert(
        "fromYaml".to_owned(),
        func(|args| {
            expect_args(args, 1, "fromYaml")?;
            Ok(from_yaml(expect_string(args, 0, "fromYaml")?, false))
        }),
    );
    m.insert(
        "fromYamlArray".to_owned(),
        func(|args| {
            expect_args(args, 1, "fromYamlArray")?;
            Ok(from_yaml(expect_string(args, 0, "fromYamlArray")?, true))
        }),
    );
    m.insert(
        "fromJson".to_owned(),
        func(|args| {
            expect_args(args, 1, "fromJson")?;
            Ok(from_json(expect_string(args, 0, "fromJson")?, false))
        }),
    );
    m.insert(
        "fromJsonArray".to_owned(),
        func(|args| {
            expect_args(args, 1, "fromJsonArray")?;
            Ok(from_json(expect_string(args, 0, "fromJsonArray")?, true))
        }),
    );
    m.insert(
        "toToml".to_owned(),
        func(|args| {
            expect_args(args, 1, "toToml")?;
            Ok(Value::string(to_toml(&args[0]).unwrap_or_else(|e| e)))
        }),
    );
    m.insert(
        "lookup".to_owned(),
        func(|args| {
            expect_args(args, 4, "lookup")?;
            for i in 0..4 {
                expect_string(args, i, "lookup")?;
            }
            // Rendering never talks to a cluster: every lookup finds nothing.
            Ok(Value::map(gotmpl::Map::new()))
        }),
    );
    m
}

/// Helm's `toYaml`: ghodss `yaml.Marshal` (encoding/json, then go-yaml); `""` on error.
pub fn to_yaml(v: &Value) -> String {
    match sprig::to_json(v, true, None) {
        Ok(json) => goyaml::json_to_yaml(&json).unwrap_or_default(),
        Err(_) => String::new(),
    }
}

fn error_result(message: String, array: bool) -> Value {
    if array {
        Value::list(vec![Value::string(message)])
    } else {
        let mut m = gotmpl::Map::new();
        m.insert("Error".to_owned(), Value::string(message));
        Value::map(m)
    }
}

/// Checks a decoded document against the target Go type (`map[string]interface{}` or
/// `[]interface{}`), as `encoding/json` does.
fn shape(v: Value, array: bool) -> Value {
    let target = if array {
        "[]interface {}"
    } else {
        "map[string]interface {}"
    };
    let kind = match &v {
        Value::Nil => {
            return if array {
                Value::list(Vec::new())
            } else {
                Value::map(gotmpl::Map::new())
            };
        }
        Value::Map(..) if !array => return v,
        Value::List(..) if array => return v,
        Value::Map(..) => "object",
        Value::List(..) => "array",
        Value::String(_) => "string",
        Value::Bool(_) => "bool",
        _ => "number",
    };
    error_result(
        format!("json: cannot unmarshal {kind} into Go value of type {target}"),
        array,
    )
}

fn from_yaml(text: &str, array: bool) -> Value {
    let json = match goyaml::to_json(text) {
        Ok(j) => j,
        Err(e) => return error_result(format!("error converting YAML to JSON: {e}"), array),
    };
    match sprig::from_json(&json.to_string()) {
        Ok(v) => match shape(v, array) {
            Value::Map(m, _) if m.borrow().contains_key("Error") && m.borrow().len() == 1 => {
                let msg = m
                    .borrow()
                    .get("Error")
                    .map(|e| e.to_string())
                    .unwrap_or_default();
                error_result(format!("error unmarshaling JSON: {msg}"), array)
            }
            Value::List(items, _) if array && items.len() == 1 && json.is_object() => {
                error_result(format!("error unmarshaling JSON: {}", items[0]), array)
            }
            other => other,
        },
        Err(e) => error_result(e, array),
    }
}

fn from_json(text: &str, array: bool) -> Value {
    match sprig::from_json(text) {
        Ok(v) => shape(v, array),
        Err(e) => error_result(e, array),
    }
}

/// BurntSushi/toml v0.3.1's encoder, as Helm's `toToml` uses it.
pub fn to_toml(v: &Value) -> Result<String, String> {
    let data = data_of(v);
    let Value::Map(m, _) = &data else {
        return Err("toml: top-level values must be Go maps or structs".to_owned());
    };
    let mut enc = TomlEncoder { out: String::new() };
    enc.map(&[], &m.borrow())?;
    Ok(enc.out)
}

fn data_of(v: &Value) -> Value {
    match v {
        Value::Object(o) => o.to_data().unwrap_or(Value::Nil),
        other => other.clone(),
    }
}

struct TomlEncoder {
    out: String,
}

fn is_table(v: &Value) -> bool {
    matches!(data_of(v), Value::Map(..))
}

fn is_table_array(v: &Value) -> bool {
    match data_of(v) {
        Value::List(items, _) => items.first().is_some_and(is_table),
        _ => false,
    }
}

fn bare_key(k: &str) -> bool {
    !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn quote_toml(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn key_text(k: &str) -> String {
    if bare_key(k) {
        k.to_owned()
    } else {
        quote_toml(k)
    }
}

impl TomlEncoder {
    fn newline(&mut self) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
    }

    fn indent(key: &[String]) -> String {
        "  ".repeat(key.len().saturating_sub(1))
    }

    fn map(&mut self, key: &[String], m: &gotmpl::Map) -> Result<(), String> {
        let (subs, direct): (Vec<_>, Vec<_>) = m
            .iter()
            .filter(|(_, v)| !v.is_nil())
            .partition(|(_, v)| is_table(v) || is_table_array(v));
        for (k, v) in direct.into_iter().chain(subs) {
            let mut path = key.to_vec();
            path.push(k.clone());
            self.encode(&path, v)?;
        }
        Ok(())
    }

    fn encode(&mut self, key: &[String], v: &Value) -> Result<(), String> {
        let v = data_of(v);
        match &v {
            Value::Nil => Ok(()),
            Value::Map(m, _) => {
                if key.len() == 1 {
                    self.newline();
                }
                let header: Vec<String> = key.iter().map(|k| key_text(k)).collect();
                self.out
                    .push_str(&format!("{}[{}]", Self::indent(key), header.join(".")));
                self.out.push('\n');
                self.map(key, &m.borrow())
            }
            Value::List(items, _) if items.first().is_some_and(is_table) => {
                let header: Vec<String> = key.iter().map(|k| key_text(k)).collect();
                for item in items.iter() {
                    let Value::Map(m, _) = data_of(item) else {
                        return Err("toml: cannot encode array with mixed element types".to_owned());
                    };
                    self.newline();
                    self.out
                        .push_str(&format!("{}[[{}]]", Self::indent(key), header.join(".")));
                    self.out.push('\n');
                    self.map(key, &m.borrow())?;
                }
                Ok(())
            }
            other => {
                let last = key.last().map(String::as_str).unwrap_or("");
                let element = Self::element(other)?;
                self.out.push_str(&format!(
                    "{}{} = {element}\n",
                    Self::indent(key),
                    key_text(last)
                ));
                Ok(())
            }
        }
    }

    fn element(v: &Value) -> Result<String, String> {
        Ok(match v {
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Uint(u) => u.to_string(),
            Value::Float(f) => {
                let s = gotmpl::fmt::format_float(*f, 'f', -1);
                if s.contains('.') { s } else { format!("{s}.0") }
            }
            Value::String(s) => quote_toml(s),
            Value::Bytes(b) => quote_toml(&String::from_utf8_lossy(b)),
            Value::List(items, elem) => {
                let mut parts = Vec::with_capacity(items.len());
                let mut first_kind: Option<&'static str> = None;
                for item in items.iter() {
                    if item.is_nil() {
                        return Err("toml: cannot encode array with nil element".to_owned());
                    }
                    let kind = toml_kind(item);
                    if *first_kind.get_or_insert(kind) != kind {
                        return Err("toml: cannot encode array with mixed element types".to_owned());
                    }
                    parts.push(Self::element(&data_of(item))?);
                }
                let _ = elem;
                format!("[{}]", parts.join(", "))
            }
            Value::Map(..) | Value::Object(_) | Value::Nil => {
                return Err(format!(
                    "toml: unsupported value {}",
                    gotmpl::fmt::format_value(v)
                ));
            }
        })
    }
}

fn toml_kind(v: &Value) -> &'static str {
    match data_of(v) {
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Uint(_) => "integer",
        Value::Float(_) => "float",
        Value::String(_) | Value::Bytes(_) => "string",
        Value::List(..) => "array",
        Value::Map(..) => "table",
        Value::Object(_) | Value::Nil => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, args: &[Value]) -> Value {
        let f = helm_functions();
        (f.get(name).unwrap_or_else(|| panic!("no {name}")))(args).unwrap()
    }

    fn s(v: &Value) -> String {
        gotmpl::fmt::format_value(v)
    }

    fn data() -> Value {
        let mut inner = gotmpl::Map::new();
        inner.insert("sail".to_owned(), Value::string("white"));
        let mut m = gotmpl::Map::new();
        m.insert("mast".to_owned(), Value::map(inner));
        Value::map(m)
    }

    #[test]
    fn serializers() {
        assert_eq!(s(&call("toYaml", &[data()])), "mast:\n  sail: white\n");
        assert_eq!(
            s(&call("toJson", &[data()])),
            r#"{"mast":{"sail":"white"}}"#
        );
        assert_eq!(
            s(&call("toToml", &[data()])),
            "[mast]\n  sail = \"white\"\n"
        );
        assert_eq!(s(&call("toYaml", &[Value::Nil])), "null\n");
        assert_eq!(s(&call("toYaml", &[Value::Float(1e6)])), "1000000\n");
    }

    #[test]
    fn toml_layout() {
        let v = sprig::from_json(
            r#"{"b":{"x":8080,"y":[1,2],"z":{"q":"w"}},"a":"top","l":[{"n":1},{"n":2}]}"#,
        )
        .unwrap();
        assert_eq!(
            to_toml(&v).unwrap(),
            "a = \"top\"\n\n[b]\n  x = 8080.0\n  y = [1.0, 2.0]\n  [b.z]\n    q = \"w\"\n\n[[l]]\n  n = 1.0\n\n[[l]]\n  n = 2.0\n"
        );
        assert!(to_toml(&Value::string("x")).is_err());
        let mixed = sprig::from_json(r#"{"a":[1,"x"]}"#).unwrap();
        assert_eq!(
            to_toml(&mixed).unwrap_err(),
            "toml: cannot encode array with mixed element types"
        );
    }

    #[test]
    fn parsers() {
        let v = call("fromYaml", &[Value::string("a: 1\nb: [x]\n")]);
        assert_eq!(s(&v), "map[a:1 b:[x]]");
        let e = call("fromYaml", &[Value::string("a: [\n")]);
        assert!(
            s(&e).starts_with("map[Error:error converting YAML to JSON: yaml: line"),
            "{}",
            s(&e)
        );
        let e = call("fromYaml", &[Value::string("- a\n")]);
        assert_eq!(
            s(&e),
            "map[Error:error unmarshaling JSON: json: cannot unmarshal array into Go value of type map[string]interface {}]"
        );
        assert_eq!(
            s(&call("fromYamlArray", &[Value::string("- a\n- 2\n")])),
            "[a 2]"
        );
        assert_eq!(
            s(&call("fromJson", &[Value::string(r#"{"a":[1,2]}"#)])),
            "map[a:[1 2]]"
        );
        assert_eq!(s(&call("fromJsonArray", &[Value::string("[1]")])), "[1]");
        let e = call("fromJson", &[Value::string("[1]")]);
        assert_eq!(
            s(&e),
            "map[Error:json: cannot unmarshal array into Go value of type map[string]interface {}]"
        );
        assert_eq!(
            s(&call(
                "lookup",
                &[
                    Value::string("v1"),
                    Value::string("Secret"),
                    Value::string("ns"),
                    Value::string("x")
                ]
            )),
            "map[]"
        );
    }
}
