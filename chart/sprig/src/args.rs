//! Argument checking the way Go's `text/template` does it when it calls a Go function through
//! reflection: arity errors, and "wrong type for value" when an argument is not assignable to the
//! declared parameter type (Go converts nothing: a `float64` is not an `int`).

use std::rc::Rc;

use gotmpl::{ElemType, FuncError, MapRef, Value};

use crate::go;

/// What a function returns to the engine.
pub type R = Result<Value, FuncError>;

/// The declared parameter count of a Go function.
#[derive(Clone, Copy, Debug)]
pub enum Arity {
    /// Exactly this many.
    Exact(usize),
    /// A variadic function with this many fixed parameters.
    AtLeast(usize),
}

/// Checks the argument count, with Go's message.
pub fn check_arity(name: &str, arity: Arity, args: &[Value]) -> Result<(), FuncError> {
    match arity {
        Arity::Exact(n) if args.len() != n => Err(FuncError::new(format!(
            "wrong number of args for {name}: want {n} got {}",
            args.len()
        ))),
        Arity::AtLeast(n) if args.len() < n => Err(FuncError::new(format!(
            "wrong number of args for {name}: want at least {n} got {}",
            args.len()
        ))),
        _ => Ok(()),
    }
}

/// The error Go reports when an argument does not fit a parameter type (nil counts as
/// `interface {}`, as for a missing value passed directly).
pub fn wrong_type(expected: &str, got: &Value) -> FuncError {
    gotmpl::wrong_type(got, expected)
}

/// A `string` parameter.
pub fn string(v: &Value) -> Result<&str, FuncError> {
    match v {
        Value::String(s) => Ok(s),
        other => Err(wrong_type("string", other)),
    }
}

/// An `int` parameter. Only integers are accepted: a float64 from values is an error in Go too.
pub fn int(v: &Value) -> Result<i64, FuncError> {
    match v {
        Value::Int(i) => Ok(*i),
        other => Err(wrong_type("int", other)),
    }
}

/// A `uint32` parameter (`derivePassword`'s counter): Go converts untyped constants only.
pub fn uint32(v: &Value) -> Result<u32, FuncError> {
    match v {
        Value::Int(i) => {
            u32::try_from(*i).map_err(|_| FuncError::new(format!("value {i} overflows uint32")))
        }
        other => Err(wrong_type("uint32", other)),
    }
}

/// A `float64` parameter.
pub fn float(v: &Value) -> Result<f64, FuncError> {
    match v {
        Value::Float(f) => Ok(*f),
        // An integer literal converts to a float64 parameter.
        Value::Int(i) => Ok(*i as f64),
        other => Err(wrong_type("float64", other)),
    }
}

/// A `bool` parameter.
pub fn boolean(v: &Value) -> Result<bool, FuncError> {
    match v {
        Value::Bool(b) => Ok(*b),
        other => Err(wrong_type("bool", other)),
    }
}

/// A `map[string]interface{}` parameter. Go accepts a literal `nil` here but refuses the nil
/// `interface{}` a missing value evaluates to; the engine passes both as [`Value::Nil`], which
/// is treated as the (far more common) missing value.
pub fn dict(v: &Value) -> Result<MapRef, FuncError> {
    match v {
        Value::Map(m, ElemType::Any) => Ok(Rc::clone(m)),
        other => Err(wrong_type("map[string]interface {}", other)),
    }
}

/// A `[]interface{}` parameter; nil is an empty slice.
pub fn iface_list(v: &Value) -> Result<Rc<Vec<Value>>, FuncError> {
    match v {
        Value::List(l, ElemType::Any) => Ok(Rc::clone(l)),
        Value::Nil => Ok(Rc::new(Vec::new())),
        other => Err(FuncError::new(format!(
            "wrong type for value; expected []interface {{}}; got {}",
            go::type_name(other)
        ))),
    }
}

/// The elements of any Go slice or array (what `reflect.Value.Index` walks); `None` if the
/// value is not a list.
pub fn any_list(v: &Value) -> Option<Vec<Value>> {
    match v {
        Value::List(l, _) => Some(l.as_ref().clone()),
        Value::Bytes(b) => Some(b.iter().map(|x| Value::Int(i64::from(*x))).collect()),
        _ => None,
    }
}

/// A `[]string` value.
pub fn string_list(items: Vec<String>) -> Value {
    Value::List(
        Rc::new(items.into_iter().map(Value::string).collect()),
        ElemType::String,
    )
}

/// A `map[string]string` value.
pub fn string_map(items: impl IntoIterator<Item = (String, String)>) -> Value {
    let map = items
        .into_iter()
        .map(|(k, v)| (k, Value::string(v)))
        .collect();
    Value::Map(Rc::new(std::cell::RefCell::new(map)), ElemType::String)
}

/// A `[]int` value.
pub fn int_list(items: Vec<i64>) -> Value {
    Value::List(
        Rc::new(items.into_iter().map(Value::Int).collect()),
        ElemType::Int,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arity_messages() {
        let e = check_arity("upper", Arity::Exact(1), &[]).unwrap_err();
        assert_eq!(e.message, "wrong number of args for upper: want 1 got 0");
        let e = check_arity("mul", Arity::AtLeast(1), &[]).unwrap_err();
        assert_eq!(
            e.message,
            "wrong number of args for mul: want at least 1 got 0"
        );
        assert!(check_arity("add", Arity::AtLeast(0), &[]).is_ok());
    }

    #[test]
    fn type_messages() {
        let e = string(&Value::Float(1.0)).unwrap_err();
        assert_eq!(
            e.message,
            "wrong type for value; expected string; got float64"
        );
        let e = int(&Value::Nil).unwrap_err();
        assert_eq!(
            e.message,
            "wrong type for value; expected int; got interface {}"
        );
        assert!(dict(&Value::Nil).is_err());
        let e = dict(&string_map(vec![])).unwrap_err();
        assert_eq!(
            e.message,
            "wrong type for value; expected map[string]interface {}; got map[string]string"
        );
    }
}
