//! List functions. Sprig accepts any Go slice or array through reflection and returns a new
//! `[]interface{}`; a nil list is a Go nil-pointer panic and a non-list a "Cannot … on type"
//! error. The `must*` variants return the same errors the plain ones panic with, which the
//! template engine reports the same way, so both names share one implementation.

use std::rc::Rc;

use gotmpl::{ElemType, FuncError, Value};

use crate::args::{self, Arity::*};
use crate::def;
use crate::go;

const NIL_DEREF: &str = "runtime error: invalid memory address or nil pointer dereference";

/// The items of a list argument, or Sprig's error for `what` ("push", "find first"…).
fn items(v: &Value, what: &str) -> Result<Vec<Value>, FuncError> {
    if v.is_nil() {
        return Err(FuncError::new(NIL_DEREF));
    }
    args::any_list(v)
        .ok_or_else(|| FuncError::new(format!("Cannot {what} on type {}", go::kind_name(v))))
}

fn any_list(items: Vec<Value>) -> Value {
    Value::List(Rc::new(items), ElemType::Any)
}

fn contains(haystack: &[Value], needle: &Value) -> bool {
    haystack.iter().any(|h| go::deep_equal(needle, h))
}

/// Sprig's `chunk`.
fn chunk(size: i64, list: Vec<Value>) -> Result<Value, FuncError> {
    if list.is_empty() && size > 0 {
        return Ok(any_list(Vec::new()));
    }
    if size <= 0 {
        return Err(FuncError::new("runtime error: makeslice: len out of range"));
    }
    let chunks = list
        .chunks(size as usize)
        .map(|c| any_list(c.to_vec()))
        .collect();
    Ok(any_list(chunks))
}

/// Registers the list functions.
pub(crate) fn register(m: &mut crate::FuncMap) {
    for name in ["list", "tuple"] {
        def(m, name, AtLeast(0), |a| Ok(any_list(a.to_vec())));
    }
    for name in ["append", "push", "mustAppend", "mustPush"] {
        def(m, name, Exact(2), |a| {
            let mut l = items(&a[0], "push")?;
            l.push(a[1].clone());
            Ok(any_list(l))
        });
    }
    for name in ["prepend", "mustPrepend"] {
        def(m, name, Exact(2), |a| {
            let mut l = items(&a[0], "prepend")?;
            l.insert(0, a[1].clone());
            Ok(any_list(l))
        });
    }
    for name in ["chunk", "mustChunk"] {
        def(m, name, Exact(2), |a| {
            let size = args::int(&a[0])?;
            chunk(size, items(&a[1], "chunk")?)
        });
    }
    for name in ["first", "mustFirst"] {
        def(m, name, Exact(1), |a| {
            Ok(items(&a[0], "find first")?
                .first()
                .cloned()
                .unwrap_or(Value::Nil))
        });
    }
    for name in ["last", "mustLast"] {
        def(m, name, Exact(1), |a| {
            Ok(items(&a[0], "find last")?
                .last()
                .cloned()
                .unwrap_or(Value::Nil))
        });
    }
    for name in ["rest", "mustRest"] {
        def(m, name, Exact(1), |a| {
            let l = items(&a[0], "find rest")?;
            Ok(any_list(l.into_iter().skip(1).collect()))
        });
    }
    for name in ["initial", "mustInitial"] {
        def(m, name, Exact(1), |a| {
            let mut l = items(&a[0], "find initial")?;
            l.pop();
            Ok(any_list(l))
        });
    }
    for name in ["reverse", "mustReverse"] {
        def(m, name, Exact(1), |a| {
            let mut l = items(&a[0], "find reverse")?;
            l.reverse();
            Ok(any_list(l))
        });
    }
    for name in ["compact", "mustCompact"] {
        def(m, name, Exact(1), |a| {
            let l = items(&a[0], "compact")?;
            Ok(any_list(l.into_iter().filter(|v| !go::empty(v)).collect()))
        });
    }
    for name in ["uniq", "mustUniq"] {
        def(m, name, Exact(1), |a| {
            let mut out: Vec<Value> = Vec::new();
            for v in items(&a[0], "find uniq")? {
                if !contains(&out, &v) {
                    out.push(v);
                }
            }
            Ok(any_list(out))
        });
    }
    for name in ["without", "mustWithout"] {
        def(m, name, AtLeast(1), |a| {
            let l = items(&a[0], "find without")?;
            Ok(any_list(
                l.into_iter().filter(|v| !contains(&a[1..], v)).collect(),
            ))
        });
    }
    for name in ["has", "mustHas"] {
        def(m, name, Exact(2), |a| {
            if a[1].is_nil() {
                return Ok(Value::Bool(false));
            }
            Ok(Value::Bool(contains(&items(&a[1], "find has")?, &a[0])))
        });
    }
    for name in ["slice", "mustSlice"] {
        def(m, name, AtLeast(1), |a| {
            if a[0].is_nil() {
                return Err(FuncError::new(NIL_DEREF));
            }
            let Some(l) = args::any_list(&a[0]) else {
                return Err(FuncError::new(format!(
                    "list should be type of slice or array but {}",
                    go::kind_name(&a[0])
                )));
            };
            if l.is_empty() {
                return Ok(Value::Nil);
            }
            let start = a.get(1).map_or(0, go::to_int64);
            let end = a.get(2).map_or(l.len() as i64, go::to_int64);
            if start < 0 || end < start || end > l.len() as i64 {
                return Err(FuncError::new("reflect: slice index out of range"));
            }
            let part = l[start as usize..end as usize].to_vec();
            Ok(match &a[0] {
                Value::List(_, t) => Value::List(Rc::new(part), *t),
                Value::Bytes(b) => Value::Bytes(Rc::from(&b[start as usize..end as usize])),
                _ => any_list(part),
            })
        });
    }
    def(m, "concat", AtLeast(0), |a| {
        let mut out = Vec::new();
        for l in a {
            if l.is_nil() {
                return Err(FuncError::new(NIL_DEREF));
            }
            match args::any_list(l) {
                Some(items) => out.extend(items),
                None => {
                    return Err(FuncError::new(format!(
                        "Cannot concat type {} as list",
                        go::kind_name(l)
                    )));
                }
            }
        }
        Ok(any_list(out))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, a: &[Value]) -> Result<Value, FuncError> {
        let m = crate::functions();
        m[name](a)
    }

    fn ints(v: &[i64]) -> Value {
        any_list(v.iter().map(|i| Value::Int(*i)).collect())
    }

    fn show(v: &Value) -> String {
        go::format_v(v)
    }

    #[test]
    fn basics() {
        let l = ints(&[1, 2, 3, 4, 4, 5]);
        assert_eq!(show(&call("first", std::slice::from_ref(&l)).unwrap()), "1");
        assert_eq!(show(&call("last", std::slice::from_ref(&l)).unwrap()), "5");
        assert_eq!(
            show(&call("rest", std::slice::from_ref(&l)).unwrap()),
            "[2 3 4 4 5]"
        );
        assert_eq!(
            show(&call("initial", std::slice::from_ref(&l)).unwrap()),
            "[1 2 3 4 4]"
        );
        assert_eq!(
            show(&call("reverse", std::slice::from_ref(&l)).unwrap()),
            "[5 4 4 3 2 1]"
        );
        assert_eq!(
            show(&call("uniq", std::slice::from_ref(&l)).unwrap()),
            "[1 2 3 4 5]"
        );
        assert_eq!(
            show(&call("without", &[l.clone(), Value::Int(4), Value::Int(1)]).unwrap()),
            "[2 3 5]"
        );
        assert_eq!(
            show(&call("slice", &[l.clone(), Value::Int(1), Value::Int(3)]).unwrap()),
            "[2 3]"
        );
        assert_eq!(
            show(&call("append", &[l.clone(), Value::Int(6)]).unwrap()),
            "[1 2 3 4 4 5 6]"
        );
        assert_eq!(
            show(&call("prepend", &[l.clone(), Value::Int(0)]).unwrap()),
            "[0 1 2 3 4 4 5]"
        );
        assert_eq!(
            show(&call("chunk", &[Value::Int(4), l.clone()]).unwrap()),
            "[[1 2 3 4] [4 5]]"
        );
        assert_eq!(
            show(&call("concat", &[l.clone(), ints(&[9])]).unwrap()),
            "[1 2 3 4 4 5 9]"
        );
        assert!(matches!(
            call("has", &[Value::Int(4), l]).unwrap(),
            Value::Bool(true)
        ));
        assert!(matches!(
            call("has", &[Value::Int(4), Value::Nil]).unwrap(),
            Value::Bool(false)
        ));
        let mixed = any_list(vec![
            Value::Int(0),
            Value::string(""),
            Value::string("a"),
            Value::Nil,
        ]);
        assert_eq!(show(&call("compact", &[mixed]).unwrap()), "[a]");
    }

    #[test]
    fn errors() {
        let e = call("first", &[Value::string("x")]).unwrap_err();
        assert_eq!(e.message, "Cannot find first on type string");
        let e = call("append", &[Value::Nil, Value::Int(1)]).unwrap_err();
        assert_eq!(e.message, NIL_DEREF);
        let e = call("concat", &[Value::Int(1)]).unwrap_err();
        assert_eq!(e.message, "Cannot concat type int as list");
        assert!(call("slice", &[ints(&[1]), Value::Int(3)]).is_err());
    }
}
