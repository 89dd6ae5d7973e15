//! Dictionary functions on `map[string]interface{}`. Maps are shared references, as in Go:
//! `set`, `unset`, `merge` and `mergeOverwrite` change the map they are given and return it.
//!
//! `merge`/`mergeOverwrite` reproduce mergo v1.0's `Merge`/`MergeWithOverwrite` on maps:
//!
//! * a key missing in the destination, or holding an *empty* value (`""`, `0`, `false`, nil,
//!   empty list or map), takes the source value;
//! * two maps under the same key merge recursively, in place;
//! * otherwise the destination wins for `merge`; for `mergeOverwrite` the source wins, even
//!   when empty or nil.

use std::cell::RefCell;
use std::rc::Rc;

use gotmpl::{ElemType, FuncError, Map, MapRef, Value};

use crate::args::{self, Arity::*, string_list};
use crate::def;
use crate::go;

/// mergo's deep merge of `src` into `dst`.
pub fn merge_into(dst: &MapRef, src: &MapRef, overwrite: bool) {
    merge_at(dst, src, overwrite, 0);
}

fn merge_at(dst: &MapRef, src: &MapRef, overwrite: bool, depth: usize) {
    // Maps that contain themselves would recurse forever; mergo tracks visited pointers,
    // a depth bound has the same effect here.
    if Rc::ptr_eq(dst, src) || depth > crate::json::MAX_DEPTH {
        return;
    }
    let entries: Vec<(String, Value)> = src
        .borrow()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (key, sv) in entries {
        let dv = dst.borrow().get(&key).cloned();
        if sv.is_nil() {
            if overwrite {
                dst.borrow_mut().insert(key, Value::Nil);
            }
            continue;
        }
        if let (Value::Map(sm, _), Some(Value::Map(dm, _))) = (&sv, &dv) {
            merge_at(dm, sm, overwrite, depth + 1);
        }
        let dst_empty = dv.as_ref().is_none_or(go::empty);
        let src_list = matches!(sv, Value::List(..) | Value::Bytes(_));
        let both_maps = matches!((&sv, &dv), (Value::Map(..), Some(Value::Map(..))));
        if src_list && overwrite {
            dst.borrow_mut().insert(key, sv);
            continue;
        }
        if !dst_empty && (src_list || both_maps) {
            continue;
        }
        if overwrite || dst_empty {
            dst.borrow_mut().insert(key, sv);
        }
    }
}

fn new_map(map: Map) -> Value {
    Value::Map(Rc::new(RefCell::new(map)), ElemType::Any)
}

fn merge_fn(a: &[Value], overwrite: bool) -> Result<Value, FuncError> {
    let dst = args::dict(&a[0])?;
    for src in &a[1..] {
        merge_into(&dst, &args::dict(src)?, overwrite);
    }
    Ok(Value::Map(dst, ElemType::Any))
}

fn dig(a: &[Value]) -> Result<Value, FuncError> {
    let n = a.len();
    if n < 3 {
        return Err(FuncError::new("dig needs at least three arguments"));
    }
    let mut dict = match &a[n - 1] {
        Value::Map(m, ElemType::Any) => Rc::clone(m),
        other => {
            return Err(FuncError::new(format!(
                "interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                go::type_name(other)
            )));
        }
    };
    let default = &a[n - 2];
    let keys = a[..n - 2]
        .iter()
        .map(|k| match k {
            Value::String(s) => Ok(s.to_string()),
            other => Err(FuncError::new(format!(
                "interface conversion: interface {{}} is {}, not string",
                go::type_name(other)
            ))),
        })
        .collect::<Result<Vec<_>, _>>()?;
    for (i, key) in keys.iter().enumerate() {
        let step = dict.borrow().get(key).cloned();
        let Some(step) = step else {
            return Ok(default.clone());
        };
        if i == keys.len() - 1 {
            return Ok(step);
        }
        dict = match step {
            Value::Map(m, ElemType::Any) => m,
            other => {
                return Err(FuncError::new(format!(
                    "interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                    go::type_name(&other)
                )));
            }
        };
    }
    Ok(default.clone())
}

/// Registers the dict functions.
pub(crate) fn register(m: &mut crate::FuncMap) {
    def(m, "dict", AtLeast(0), |a| {
        let mut map = Map::new();
        for pair in a.chunks(2) {
            let value = pair.get(1).cloned().unwrap_or_else(|| Value::string(""));
            map.insert(go::strval(&pair[0]), value);
        }
        Ok(new_map(map))
    });
    def(m, "get", Exact(2), |a| {
        let key = args::string(&a[1])?;
        let found = args::dict(&a[0])?.borrow().get(key).cloned();
        Ok(found.unwrap_or_else(|| Value::string("")))
    });
    def(m, "set", Exact(3), |a| {
        let key = args::string(&a[1])?;
        let d = args::dict(&a[0])?;
        d.borrow_mut().insert(key.to_owned(), a[2].clone());
        Ok(Value::Map(d, ElemType::Any))
    });
    def(m, "unset", Exact(2), |a| {
        let key = args::string(&a[1])?;
        let d = args::dict(&a[0])?;
        d.borrow_mut().remove(key);
        Ok(Value::Map(d, ElemType::Any))
    });
    def(m, "hasKey", Exact(2), |a| {
        let key = args::string(&a[1])?;
        Ok(Value::Bool(args::dict(&a[0])?.borrow().contains_key(key)))
    });
    def(m, "pluck", AtLeast(1), |a| {
        let key = args::string(&a[0])?;
        let mut out = Vec::new();
        for d in &a[1..] {
            if let Some(v) = args::dict(d)?.borrow().get(key).cloned() {
                out.push(v);
            }
        }
        Ok(Value::list(out))
    });
    def(m, "keys", AtLeast(0), |a| {
        let mut out = Vec::new();
        for d in a {
            out.extend(args::dict(d)?.borrow().keys().cloned());
        }
        Ok(string_list(out))
    });
    def(m, "values", Exact(1), |a| {
        let d = args::dict(&a[0])?;
        let values = d.borrow().values().cloned().collect();
        Ok(Value::list(values))
    });
    def(m, "pick", AtLeast(1), |a| {
        let d = args::dict(&a[0])?;
        let mut out = Map::new();
        for k in &a[1..] {
            let k = args::string(k)?;
            if let Some(v) = d.borrow().get(k).cloned() {
                out.insert(k.to_owned(), v);
            }
        }
        Ok(new_map(out))
    });
    def(m, "omit", AtLeast(1), |a| {
        let d = args::dict(&a[0])?;
        let omit = a[1..]
            .iter()
            .map(args::string)
            .collect::<Result<Vec<_>, _>>()?;
        let out = d
            .borrow()
            .iter()
            .filter(|(k, _)| !omit.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Ok(new_map(out))
    });
    for name in ["merge", "mustMerge"] {
        def(m, name, AtLeast(1), |a| merge_fn(a, false));
    }
    for name in ["mergeOverwrite", "mustMergeOverwrite"] {
        def(m, name, AtLeast(1), |a| merge_fn(a, true));
    }
    def(m, "dig", AtLeast(0), dig);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, a: &[Value]) -> Result<Value, FuncError> {
        crate::functions()[name](a)
    }

    fn dict(pairs: &[(&str, Value)]) -> Value {
        new_map(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn set_mutates_in_place() {
        let d = dict(&[]);
        call("set", &[d.clone(), Value::string("k"), Value::Int(1)]).unwrap();
        assert_eq!(go::format_v(&d), "map[k:1]");
        call("unset", &[d.clone(), Value::string("k")]).unwrap();
        assert_eq!(go::format_v(&d), "map[]");
        assert!(call("set", &[Value::Nil, Value::string("k"), Value::Int(1)]).is_err());
        assert!(call("hasKey", &[Value::Nil, Value::string("k")]).is_err());
    }

    #[test]
    fn merging() {
        let dst = dict(&[
            ("a", Value::string("")),
            ("b", dict(&[("x", Value::Int(1))])),
            ("c", Value::string("keep")),
            ("e", Value::Int(5)),
        ]);
        let src = dict(&[
            ("a", Value::string("filled")),
            ("b", dict(&[("x", Value::Int(2)), ("y", Value::Int(3))])),
            ("c", dict(&[("z", Value::Int(1))])),
            ("d", Value::Nil),
            ("e", Value::Int(0)),
        ]);
        let merged = call("merge", &[dst.clone(), src.clone()]).unwrap();
        assert_eq!(
            go::format_v(&merged),
            "map[a:filled b:map[x:1 y:3] c:keep e:5]"
        );
        let dst2 = dict(&[
            ("b", dict(&[("x", Value::Int(1))])),
            ("c", Value::string("keep")),
            ("e", Value::Int(5)),
        ]);
        let over = call("mergeOverwrite", &[dst2, src]).unwrap();
        assert_eq!(
            go::format_v(&over),
            "map[a:filled b:map[x:2 y:3] c:map[z:1] d:<nil> e:0]"
        );
    }

    #[test]
    fn digging() {
        let d = dict(&[("a", dict(&[("b", Value::string("c"))]))]);
        let got = call(
            "dig",
            &[
                Value::string("a"),
                Value::string("b"),
                Value::string("def"),
                d.clone(),
            ],
        );
        assert_eq!(go::format_v(&got.unwrap()), "c");
        let got = call(
            "dig",
            &[
                Value::string("a"),
                Value::string("x"),
                Value::string("def"),
                d,
            ],
        );
        assert_eq!(go::format_v(&got.unwrap()), "def");
    }

    #[test]
    fn dict_odd_args() {
        let d = call("dict", &[Value::string("a"), Value::Int(1), Value::Int(2)]).unwrap();
        assert_eq!(go::format_v(&d), "map[2: a:1]");
    }
}
