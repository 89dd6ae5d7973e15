//! Helpers shared by the integration tests: JSON data as template values and the small
//! function library the Go oracle registers too.

#![allow(dead_code)]

use std::rc::Rc;

use gotmpl::{ElemType, FuncError, FuncMap, Map, Value, expect_args, expect_string};

/// Converts decoded JSON into template data the way Helm sees values: numbers are float64,
/// objects are `map[string]interface{}`, arrays `[]interface{}`.
pub fn from_json(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::String(s) => Value::string(s),
        serde_json::Value::Array(items) => Value::list(items.iter().map(from_json).collect()),
        serde_json::Value::Object(m) => {
            let map: Map = m.iter().map(|(k, v)| (k.clone(), from_json(v))).collect();
            Value::map(map)
        }
    }
}

fn func(f: impl Fn(&[Value]) -> Result<Value, FuncError> + 'static) -> gotmpl::Func {
    Rc::new(f)
}

/// The oracle's function map (see tests/oracle/main.go).
pub fn oracle_funcs() -> FuncMap {
    let mut m = FuncMap::new();
    m.insert(
        "upper".into(),
        func(|a| {
            expect_args(a, 1, "upper")?;
            Ok(Value::string(expect_string(a, 0, "upper")?.to_uppercase()))
        }),
    );
    m.insert(
        "fail".into(),
        func(|a| {
            expect_args(a, 1, "fail")?;
            Err(FuncError::new(expect_string(a, 0, "fail")?))
        }),
    );
    m.insert(
        "intval".into(),
        func(|a| {
            expect_args(a, 0, "intval")?;
            Ok(Value::Int(42))
        }),
    );
    m.insert("tolist".into(), func(|a| Ok(Value::list(a.to_vec()))));
    m.insert(
        "strs".into(),
        func(|a| {
            expect_args(a, 0, "strs")?;
            Ok(Value::List(
                Rc::new(vec![Value::string("a"), Value::string("b")]),
                ElemType::String,
            ))
        }),
    );
    m.insert(
        "nilfn".into(),
        func(|a| {
            expect_args(a, 0, "nilfn")?;
            Ok(Value::Nil)
        }),
    );
    m.insert(
        "join2".into(),
        func(|a| {
            expect_args(a, 2, "join2")?;
            Ok(Value::string(format!(
                "{}-{}",
                expect_string(a, 0, "join2")?,
                expect_string(a, 1, "join2")?
            )))
        }),
    );
    m.insert(
        "bytes".into(),
        func(|a| {
            expect_args(a, 1, "bytes")?;
            Ok(Value::Bytes(Rc::from(
                expect_string(a, 0, "bytes")?.as_bytes(),
            )))
        }),
    );
    m
}
