//! No function may panic, whatever it is given: every function is called with every
//! combination (up to three arguments) of awkward values, and must return a value or an error.

use std::panic::{AssertUnwindSafe, catch_unwind};

use gotmpl::{Map, Value};

fn awkward() -> Vec<Value> {
    let mut map = Map::new();
    map.insert("k".into(), Value::list(vec![Value::Nil]));
    vec![
        Value::Nil,
        Value::Bool(true),
        Value::Int(-1),
        Value::Int(3),
        Value::Int(i64::MAX),
        Value::Int(i64::MIN),
        Value::Uint(u64::MAX),
        Value::Float(f64::NAN),
        Value::Float(-1e300),
        Value::string(""),
        Value::string("é{[(\\$1-\n"),
        Value::list(vec![Value::Int(1), Value::string("a"), Value::Nil]),
        Value::map(map),
    ]
}

/// Functions whose every call costs real time (key generation, scrypt, bcrypt); they get a
/// reduced set of argument combinations.
const SLOW: &[&str] = &[
    "genCA",
    "genCAWithKey",
    "genSelfSignedCert",
    "genSelfSignedCertWithKey",
    "genSignedCert",
    "genSignedCertWithKey",
    "genPrivateKey",
    "derivePassword",
    "bcrypt",
    "htpasswd",
];

#[test]
fn no_function_panics() {
    sprig::set_local_zone("UTC").unwrap();
    let funcs = sprig::functions();
    let values = awkward();
    let mut names: Vec<&String> = funcs.keys().collect();
    names.sort();
    let mut panics = Vec::new();
    for name in names {
        let f = &funcs[name];
        let pool: Vec<Value> = if SLOW.contains(&name.as_str()) {
            vec![
                Value::Nil,
                Value::Int(-1),
                Value::string(""),
                Value::string("rsa"),
            ]
        } else {
            values.clone()
        };
        // Index triples, so that every call gets fresh values: maps are shared references and
        // `set`/`merge` would otherwise grow (or tie into cycles) the pool's map.
        let n = pool.len();
        let mut calls: Vec<Vec<usize>> = vec![vec![]];
        for a in 0..n {
            calls.push(vec![a]);
            for b in 0..n {
                calls.push(vec![a, b]);
                for c in 0..n {
                    calls.push(vec![a, b, c]);
                }
            }
        }
        for picks in calls {
            let fresh = if SLOW.contains(&name.as_str()) {
                pool.clone()
            } else {
                awkward()
            };
            let args: Vec<Value> = picks.iter().map(|i| fresh[*i].clone()).collect();
            // Large repeat counts and ranges are Go's behaviour too (they allocate); skip
            // them rather than exhaust memory.
            let huge = args
                .iter()
                .any(|v| matches!(v, Value::Int(i) if *i == i64::MAX || *i == i64::MIN));
            if huge
                && matches!(
                    name.as_str(),
                    "repeat"
                        | "until"
                        | "untilStep"
                        | "seq"
                        | "indent"
                        | "nindent"
                        | "randAlphaNum"
                        | "randAlpha"
                        | "randAscii"
                        | "randNumeric"
                        | "randBytes"
                        | "chunk"
                        | "wrap"
                        | "wrapWith"
                )
            {
                continue;
            }
            if SLOW.contains(&name.as_str())
                && args
                    .iter()
                    .any(|v| matches!(v, Value::String(s) if s.as_ref() == "rsa"))
                && name != "genPrivateKey"
            {
                continue;
            }
            let result = catch_unwind(AssertUnwindSafe(|| f(&args)));
            if result.is_err() {
                panics.push(format!("{name}{args:?}"));
            }
        }
    }
    assert!(
        panics.is_empty(),
        "{} calls panicked:\n{}",
        panics.len(),
        panics.join("\n")
    );
}

/// `$_ := set $d "self" $d` makes a map contain itself; functions that walk values must not
/// recurse forever on it. (Printing such a map is the engine's `fmt`, not tested here.)
#[test]
fn cyclic_maps_terminate() {
    let funcs = sprig::functions();
    let d = Value::map(Map::new());
    funcs["set"](&[d.clone(), Value::string("self"), d.clone()]).unwrap();
    let other = Value::map(Map::new());
    funcs["set"](&[other.clone(), Value::string("self"), other.clone()]).unwrap();
    assert!(
        funcs["toJson"](std::slice::from_ref(&d))
            .is_ok_and(|v| matches!(v, Value::String(s) if s.is_empty()))
    );
    assert!(funcs["mustToJson"](std::slice::from_ref(&d)).is_err());
    assert!(funcs["deepCopy"](std::slice::from_ref(&d)).is_err());
    assert!(matches!(
        funcs["deepEqual"](&[d.clone(), other.clone()]),
        Ok(Value::Bool(true))
    ));
    assert!(funcs["merge"](&[d.clone(), other.clone()]).is_ok());
    assert!(funcs["mergeOverwrite"](&[other.clone(), d.clone()]).is_ok());
    assert!(
        funcs["dig"](&[
            Value::string("self"),
            Value::string("self"),
            Value::Nil,
            d.clone()
        ])
        .is_ok()
    );
}
