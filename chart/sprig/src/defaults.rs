//! Defaults and flow (`default`, `empty`, `coalesce`, `all`, `any`, `ternary`, `fail`,
//! `deepCopy`), reflection (`typeOf`, `kindOf`, `deepEqual`…), slash paths (Go's `path`
//! package; `os*` are `path/filepath`, the same on Linux) and the base64/base32 encoders.

use std::rc::Rc;

use base64::Engine;
use gotmpl::{FuncError, Value};

use crate::args::{self, Arity::*};
use crate::def;
use crate::go;

/// `copystructure.Copy`: a deep copy of maps and lists (other values are immutable). A map
/// that contains itself cannot be copied (Go recurses until the stack overflows).
pub fn deep_copy(v: &Value) -> Result<Value, FuncError> {
    copy_at(v, 0)
}

fn copy_at(v: &Value, depth: usize) -> Result<Value, FuncError> {
    if depth > crate::json::MAX_DEPTH {
        return Err(FuncError::new("deepCopy error: value contains itself"));
    }
    Ok(match v {
        Value::List(items, t) => {
            let items = items
                .iter()
                .map(|x| copy_at(x, depth + 1))
                .collect::<Result<_, _>>()?;
            Value::List(Rc::new(items), *t)
        }
        Value::Map(map, t) => {
            let copy = map
                .borrow()
                .iter()
                .map(|(k, x)| Ok((k.clone(), copy_at(x, depth + 1)?)))
                .collect::<Result<_, FuncError>>()?;
            Value::Map(Rc::new(std::cell::RefCell::new(copy)), *t)
        }
        other => other.clone(),
    })
}

/// Go's `path.Clean`.
pub fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| *l != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    let joined = out.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// Go's `path.Base`.
pub fn base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    match trimmed.rfind('/') {
        Some(i) => trimmed[i + 1..].to_owned(),
        None => trimmed.to_owned(),
    }
}

/// Go's `path.Dir`.
pub fn dir(p: &str) -> String {
    let cut = p.rfind('/').map_or(0, |i| i + 1);
    clean(&p[..cut])
}

/// Go's `path.Ext`.
pub fn ext(p: &str) -> String {
    for (i, c) in p.char_indices().rev() {
        if c == '/' {
            break;
        }
        if c == '.' {
            return p[i..].to_owned();
        }
    }
    String::new()
}

/// Registers defaults, reflection, path and encoding functions.
pub(crate) fn register(m: &mut crate::FuncMap) {
    def(m, "default", AtLeast(1), |a| {
        Ok(match a.get(1) {
            Some(given) if !go::empty(given) => given.clone(),
            _ => a[0].clone(),
        })
    });
    def(m, "empty", Exact(1), |a| Ok(Value::Bool(go::empty(&a[0]))));
    def(m, "coalesce", AtLeast(0), |a| {
        Ok(a.iter()
            .find(|v| !go::empty(v))
            .cloned()
            .unwrap_or(Value::Nil))
    });
    def(m, "all", AtLeast(0), |a| {
        Ok(Value::Bool(a.iter().all(|v| !go::empty(v))))
    });
    def(m, "any", AtLeast(0), |a| {
        Ok(Value::Bool(a.iter().any(|v| !go::empty(v))))
    });
    def(m, "ternary", Exact(3), |a| {
        Ok(if args::boolean(&a[2])? {
            a[0].clone()
        } else {
            a[1].clone()
        })
    });
    def(m, "fail", Exact(1), |a| {
        Err(FuncError::new(args::string(&a[0])?))
    });
    for name in ["deepCopy", "mustDeepCopy"] {
        def(m, name, Exact(1), |a| {
            if a[0].is_nil() {
                // copystructure reflects on the value and fails on nil.
                return Err(FuncError::new(
                    "reflect: call of reflect.Value.Type on zero Value",
                ));
            }
            deep_copy(&a[0])
        });
    }

    def(m, "typeOf", Exact(1), |a| {
        Ok(Value::string(go::type_name(&a[0])))
    });
    def(m, "typeIs", Exact(2), |a| {
        Ok(Value::Bool(args::string(&a[0])? == go::type_name(&a[1])))
    });
    def(m, "typeIsLike", Exact(2), |a| {
        let target = args::string(&a[0])?;
        let t = go::type_name(&a[1]);
        Ok(Value::Bool(
            t == target || t.strip_prefix('*') == Some(target),
        ))
    });
    def(m, "kindOf", Exact(1), |a| {
        Ok(Value::string(go::kind_name(&a[0])))
    });
    def(m, "kindIs", Exact(2), |a| {
        Ok(Value::Bool(args::string(&a[0])? == go::kind_name(&a[1])))
    });
    def(m, "deepEqual", Exact(2), |a| {
        Ok(Value::Bool(go::deep_equal(&a[0], &a[1])))
    });

    type PathFn = fn(&str) -> String;
    let paths: [(&'static str, PathFn); 8] = [
        ("base", base),
        ("osBase", base),
        ("dir", dir),
        ("osDir", dir),
        ("clean", clean),
        ("osClean", clean),
        ("ext", ext),
        ("osExt", ext),
    ];
    for (name, f) in paths {
        def(m, name, Exact(1), move |a| {
            Ok(Value::string(f(args::string(&a[0])?)))
        });
    }
    for name in ["isAbs", "osIsAbs"] {
        def(m, name, Exact(1), |a| {
            Ok(Value::Bool(args::string(&a[0])?.starts_with('/')))
        });
    }

    def(m, "b64enc", Exact(1), |a| {
        Ok(Value::string(
            base64::engine::general_purpose::STANDARD.encode(args::string(&a[0])?),
        ))
    });
    def(m, "b64dec", Exact(1), |a| {
        let s = args::string(&a[0])?;
        Ok(Value::string(
            match base64::engine::general_purpose::STANDARD.decode(s) {
                Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                Err(e) => base64_error(s, &e),
            },
        ))
    });
    def(m, "b32enc", Exact(1), |a| {
        Ok(Value::string(base32_encode(
            args::string(&a[0])?.as_bytes(),
        )))
    });
    def(m, "b32dec", Exact(1), |a| {
        Ok(Value::string(match base32_decode(args::string(&a[0])?) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(at) => format!("illegal base32 data at input byte {at}"),
        }))
    });
}

/// Go's base64 error text: `illegal base64 data at input byte N`.
fn base64_error(input: &str, e: &base64::DecodeError) -> String {
    let at = match e {
        base64::DecodeError::InvalidByte(i, _) | base64::DecodeError::InvalidLastSymbol(i, _) => *i,
        base64::DecodeError::InvalidLength(_) | base64::DecodeError::InvalidPadding => {
            // Go reports the offset where the data ran out or the padding went wrong.
            input.trim_end_matches('=').len().min(input.len())
        }
    };
    format!("illegal base64 data at input byte {at}")
}

const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// `base32.StdEncoding.EncodeToString`.
pub fn base32_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(5) * 8);
    for chunk in data.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let n = u64::from_be_bytes([0, 0, 0, buf[0], buf[1], buf[2], buf[3], buf[4]]);
        let chars = match chunk.len() {
            1 => 2,
            2 => 4,
            3 => 5,
            4 => 7,
            _ => 8,
        };
        for i in 0..8 {
            if i < chars {
                out.push(char::from(B32[((n >> (35 - 5 * i)) & 31) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `base32.StdEncoding.DecodeString`; the error is the offending input offset.
pub fn base32_decode(s: &str) -> Result<Vec<u8>, usize> {
    // Go ignores CR and LF in the input.
    let clean: Vec<u8> = s.bytes().filter(|b| *b != b'\r' && *b != b'\n').collect();
    if !clean.len().is_multiple_of(8) {
        return Err(clean.len() / 8 * 8);
    }
    let mut out = Vec::with_capacity(clean.len() / 8 * 5);
    for (ci, chunk) in clean.chunks(8).enumerate() {
        let last = (ci + 1) * 8 == clean.len();
        let mut n: u64 = 0;
        let mut data_len = 8;
        for (j, &b) in chunk.iter().enumerate() {
            if b == b'=' {
                // Padding may only close the final quantum and must run to its end.
                if !last || chunk[j..].iter().any(|x| *x != b'=') || !matches!(j, 2 | 4 | 5 | 7) {
                    return Err(ci * 8 + j);
                }
                data_len = j;
                break;
            }
            let v = B32.iter().position(|c| *c == b).ok_or(ci * 8 + j)?;
            n |= (v as u64) << (35 - 5 * j);
        }
        let bytes = n.to_be_bytes();
        let take = match data_len {
            2 => 1,
            4 => 2,
            5 => 3,
            7 => 4,
            _ => 5,
        };
        out.extend_from_slice(&bytes[3..3 + take]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(clean("a/b/../c//d/"), "a/c/d");
        assert_eq!(clean("/../a"), "/a");
        assert_eq!(clean("../../a"), "../../a");
        assert_eq!(clean(""), ".");
        assert_eq!(base("foo/bar/baz"), "baz");
        assert_eq!(base("/"), "/");
        assert_eq!(base("a/"), "a");
        assert_eq!(dir("foo/bar/baz"), "foo/bar");
        assert_eq!(dir("baz"), ".");
        assert_eq!(dir("/a"), "/");
        assert_eq!(ext("foo/bar.baz.tgz"), ".tgz");
        assert_eq!(ext("a.b/c"), "");
    }

    #[test]
    fn base32() {
        assert_eq!(base32_encode(b"abc123"), "MFRGGMJSGM======");
        assert_eq!(base32_decode("MFRGGMJSGM======").unwrap(), b"abc123");
        assert_eq!(base32_encode(b""), "");
        for s in ["f", "fo", "foo", "foob", "fooba", "foobar"] {
            assert_eq!(
                base32_decode(&base32_encode(s.as_bytes())).unwrap(),
                s.as_bytes()
            );
        }
        assert!(base32_decode("MFRGG").is_err());
    }

    #[test]
    fn copies_are_deep() {
        let inner = Value::map(gotmpl::Map::new());
        let outer = Value::list(vec![inner.clone()]);
        let copy = deep_copy(&outer).unwrap();
        if let (Value::List(c, _), Value::Map(orig, _)) = (&copy, &inner) {
            if let Value::Map(cm, _) = &c[0] {
                cm.borrow_mut().insert("x".into(), Value::Int(1));
            }
            assert!(orig.borrow().is_empty());
        } else {
            panic!("shapes changed");
        }
    }
}
