//! The values a template sees, modelled on the Go types that Helm charts meet.
//!
//! Go's `text/template` works on `reflect.Value`s of arbitrary Go types. Helm charts only ever
//! meet a small set of them: the `interface{}` trees produced by decoding YAML/JSON
//! (`map[string]interface{}`, `[]interface{}`, `string`, `float64`, `bool`, `nil`), the results of
//! Sprig functions (`int`, `int64`, `[]string`, `map[string]string`, `[]byte`, ...), and a few
//! structs with fields and methods (`.Files`, `.Capabilities`, `.Chart`, `.Release`, ...).
//! [`Value`] covers the first two directly and the structs through the [`Object`] trait.
//!
//! Maps are shared by reference, as Go maps are: Sprig's `set` and `unset` mutate a `dict` that
//! other variables also point to, and charts rely on that (`$_ := set $d "k" "v"`).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

/// A map with string keys. Go iterates (and prints) such maps in sorted key order, which a
/// `BTreeMap` gives for free.
pub type Map = BTreeMap<String, Value>;

/// A shared, mutable map: the equivalent of a Go `map[string]T` value.
pub type MapRef = Rc<RefCell<Map>>;

/// The Go type of a map's or list's elements, kept so that printing, `typeOf`, `kindOf` and
/// argument conversion can tell `[]string` from `[]interface{}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ElemType {
    /// `interface{}`
    Any,
    /// `string`
    String,
    /// `int`
    Int,
    /// `float64`
    Float,
}

/// One template value.
#[derive(Clone)]
pub enum Value {
    /// Go's untyped `nil` (also what a missing map key yields under `missingkey=zero`).
    Nil,
    /// `bool`
    Bool(bool),
    /// `int` / `int64` (Go's `int` is 64 bits on every platform Helm ships for).
    Int(i64),
    /// `uint64` (rare: `randInt` and friends never produce it, but casting functions can).
    Uint(u64),
    /// `float64`: every number decoded from YAML or JSON values is one.
    Float(f64),
    /// `string`
    String(Rc<str>),
    /// `[]byte` (`.Files.GetBytes`).
    Bytes(Rc<[u8]>),
    /// A slice; the element type tells `[]string` from `[]interface{}`.
    List(Rc<Vec<Value>>, ElemType),
    /// A map with string keys; the element type tells `map[string]string` from
    /// `map[string]interface{}`.
    Map(MapRef, ElemType),
    /// A Go struct or other typed object with fields and methods.
    Object(Rc<dyn Object>),
}

/// A struct-like Go value: it has a type name, fields and methods.
///
/// Field lookup follows Go: a name that is neither a field nor a method is an execution error
/// ("can't evaluate field X in type T"), unlike a missing map key.
pub trait Object: fmt::Debug {
    /// The Go type name as `%T` and error messages print it, e.g. `*chart.Metadata`.
    fn type_name(&self) -> String;

    /// Looks up an exported field or a method by name.
    fn member(&self, name: &str) -> Member;

    /// Calls the method `name` with already evaluated arguments. Only called for names that
    /// [`Object::member`] reported as [`Member::Method`].
    fn call(&self, name: &str, args: &[Value]) -> Result<Value, FuncError> {
        let _ = args;
        Err(FuncError::new(format!(
            "{name} is not a method of {}",
            self.type_name()
        )))
    }

    /// How `fmt.Sprint` prints the value (`%v`). Structs print as `{field1 field2}`.
    fn go_string(&self) -> String;

    /// Whether the value is "true" for `if`, `and`, `or`, `not` and Sprig's `empty`: a non-nil
    /// struct or pointer is true.
    fn truthy(&self) -> bool {
        true
    }

    /// Converts the object to plain data, the way `encoding/json` would see it, if it has a
    /// meaningful representation. Used by `toYaml`/`toJson` and similar functions.
    fn to_data(&self) -> Option<Value> {
        None
    }

    /// Whether [`Member::Field`] values have the static type `interface {}`, as the elements
    /// of a Go map type with methods do (`chartutil.Values`, `chartutil.Files`). It only shows
    /// in error messages: `.Values.name.x` on a string fails with "can't evaluate field x in
    /// type interface {}" there, and with "in type string" for a struct field.
    fn members_are_interfaces(&self) -> bool {
        false
    }
}

/// What an [`Object`] has under a name.
#[derive(Debug, Clone)]
pub enum Member {
    /// A field with its current value.
    Field(Value),
    /// A method; call it through [`Object::call`].
    Method,
    /// Neither a field nor a method.
    Missing,
}

/// An error raised by a function or method; the engine wraps it with the template position, as
/// Go does: `template: NAME:LINE:COL: executing "NAME" at <CALL>: error calling FN: MESSAGE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FuncError {
    /// The message, without the "error calling FN:" prefix the engine adds.
    pub message: String,
    /// Set when the error must not be wrapped again (an error from a nested template run by
    /// `include` or `tpl` already carries its own position).
    pub verbatim: bool,
}

impl FuncError {
    /// An error with the given message.
    pub fn new(message: impl Into<String>) -> Self {
        FuncError {
            message: message.into(),
            verbatim: false,
        }
    }

    /// An error whose message is printed as is, without the engine's "error calling" wrapper.
    pub fn verbatim(message: impl Into<String>) -> Self {
        FuncError {
            message: message.into(),
            verbatim: true,
        }
    }
}

impl fmt::Display for FuncError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FuncError {}

/// A template function. Functions are closures so that Helm's `include`, `tpl` and `required`
/// can capture the template set they run in.
pub type Func = Rc<dyn Fn(&[Value]) -> Result<Value, FuncError>>;

impl Value {
    /// A string value.
    pub fn string(s: impl AsRef<str>) -> Value {
        Value::String(Rc::from(s.as_ref()))
    }

    /// A `[]interface{}` value.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(items), ElemType::Any)
    }

    /// A `map[string]interface{}` value.
    pub fn map(map: Map) -> Value {
        Value::Map(Rc::new(RefCell::new(map)), ElemType::Any)
    }

    /// Whether this is Go's untyped nil.
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => f.write_str("Nil"),
            Value::Bool(b) => write!(f, "Bool({b})"),
            Value::Int(i) => write!(f, "Int({i})"),
            Value::Uint(u) => write!(f, "Uint({u})"),
            Value::Float(x) => write!(f, "Float({x:?})"),
            Value::String(s) => write!(f, "String({s:?})"),
            Value::Bytes(b) => write!(f, "Bytes({b:?})"),
            Value::List(items, t) => f.debug_tuple("List").field(items).field(t).finish(),
            Value::Map(map, t) => f.debug_tuple("Map").field(&map.borrow()).field(t).finish(),
            Value::Object(o) => write!(f, "Object({})", o.type_name()),
        }
    }
}

impl Value {
    /// Go template truth (`if`, `with`, `and`, `or`, `not`): false, zero numbers, nil and empty
    /// strings, slices and maps are false; everything else, structs included, is true.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Uint(u) => *u != 0,
            Value::Float(x) => *x != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::List(items, _) => !items.is_empty(),
            Value::Map(map, _) => !map.borrow().is_empty(),
            Value::Object(o) => o.truthy(),
        }
    }

    /// The Go type as `%T` prints it: `float64`, `int`, `string`, `[]interface {}`,
    /// `map[string]interface {}`, `[]string`, `[]uint8`, `<nil>`, ...
    pub fn type_name(&self) -> String {
        match self {
            Value::Nil => "<nil>".to_owned(),
            Value::Bool(_) => "bool".to_owned(),
            Value::Int(_) => "int".to_owned(),
            Value::Uint(_) => "uint64".to_owned(),
            Value::Float(_) => "float64".to_owned(),
            Value::String(_) => "string".to_owned(),
            Value::Bytes(_) => "[]uint8".to_owned(),
            Value::List(_, elem) => format!("[]{}", elem.type_name()),
            Value::Map(_, elem) => format!("map[string]{}", elem.type_name()),
            Value::Object(o) => o.type_name(),
        }
    }

    /// The `reflect.Kind` name: `invalid` for nil, `slice`, `map`, `struct`, `ptr`, or the
    /// basic type name.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Nil => "invalid",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Uint(_) => "uint64",
            Value::Float(_) => "float64",
            Value::String(_) => "string",
            Value::Bytes(_) | Value::List(..) => "slice",
            Value::Map(..) => "map",
            Value::Object(o) => {
                if o.type_name().starts_with('*') {
                    "ptr"
                } else {
                    "struct"
                }
            }
        }
    }

    /// Whether the value is one of Go's integer kinds.
    pub fn is_int(&self) -> bool {
        matches!(self, Value::Int(_) | Value::Uint(_))
    }

    /// The string inside a `String` value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}

impl ElemType {
    /// The Go spelling of the element type.
    pub fn type_name(self) -> &'static str {
        match self {
            ElemType::Any => "interface {}",
            ElemType::String => "string",
            ElemType::Int => "int",
            ElemType::Float => "float64",
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::string(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(Rc::from(s))
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}

impl From<f64> for Value {
    fn from(x: f64) -> Value {
        Value::Float(x)
    }
}

impl fmt::Display for Value {
    /// Prints the value as Go's `%v` does.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::fmt::format_value(self))
    }
}

/// Checks the number of arguments a function received, with Go's wording for a call through
/// reflection: `wrong number of args for NAME: want N got M`.
pub fn expect_args(args: &[Value], want: usize, fn_name: &str) -> Result<(), FuncError> {
    if args.len() == want {
        Ok(())
    } else {
        Err(FuncError::new(format!(
            "wrong number of args for {fn_name}: want {want} got {}",
            args.len()
        )))
    }
}

/// Takes argument `i` as a string parameter, failing as Go's argument conversion does:
/// `wrong type for value; expected string; got float64` (`got interface {}` for nil).
pub fn expect_string<'a>(args: &'a [Value], i: usize, fn_name: &str) -> Result<&'a str, FuncError> {
    match args.get(i) {
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(wrong_type(other, "string")),
        None => Err(FuncError::new(format!(
            "{fn_name}: missing argument {}",
            i + 1
        ))),
    }
}

/// Takes argument `i` as an `int` parameter (`Int` or a `Uint` that fits).
pub fn expect_int(args: &[Value], i: usize, fn_name: &str) -> Result<i64, FuncError> {
    match args.get(i) {
        Some(Value::Int(n)) => Ok(*n),
        Some(v @ Value::Uint(u)) => i64::try_from(*u).map_err(|_| wrong_type(v, "int")),
        Some(other) => Err(wrong_type(other, "int")),
        None => Err(FuncError::new(format!(
            "{fn_name}: missing argument {}",
            i + 1
        ))),
    }
}

/// The error Go's template engine reports when a value cannot be assigned to a parameter of
/// type `want`.
pub fn wrong_type(got: &Value, want: &str) -> FuncError {
    let got = if got.is_nil() {
        "interface {}".to_owned()
    } else {
        got.type_name()
    };
    FuncError::new(format!("wrong type for value; expected {want}; got {got}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truth_follows_go() {
        assert!(!Value::Nil.truthy());
        assert!(!Value::Int(0).truthy());
        assert!(!Value::Float(0.0).truthy());
        assert!(!Value::string("").truthy());
        assert!(!Value::list(vec![]).truthy());
        assert!(!Value::map(Map::new()).truthy());
        assert!(Value::string("0").truthy());
        assert!(Value::list(vec![Value::Nil]).truthy());
    }

    #[test]
    fn type_and_kind_names() {
        assert_eq!(Value::list(vec![]).type_name(), "[]interface {}");
        assert_eq!(
            Value::Map(Rc::default(), ElemType::String).type_name(),
            "map[string]string"
        );
        assert_eq!(Value::Bytes(Rc::from(&b""[..])).type_name(), "[]uint8");
        assert_eq!(Value::Nil.kind_name(), "invalid");
        assert_eq!(Value::map(Map::new()).kind_name(), "map");
    }

    #[test]
    fn argument_helpers() {
        let args = [Value::Float(1.0), Value::string("x"), Value::Nil];
        assert_eq!(expect_string(&args, 1, "f"), Ok("x"));
        assert_eq!(
            expect_string(&args, 0, "f").unwrap_err().message,
            "wrong type for value; expected string; got float64"
        );
        assert_eq!(
            expect_string(&args, 2, "f").unwrap_err().message,
            "wrong type for value; expected string; got interface {}"
        );
        assert_eq!(
            expect_args(&args, 2, "f").unwrap_err().message,
            "wrong number of args for f: want 2 got 3"
        );
    }
}
