//! Go's `text/template`, reimplemented in Rust with Go's semantics.
//!
//! Start at [`Templates`]: parse named templates into a set, then execute one with a [`Value`]
//! as data. [`Value`] models the Go values Helm charts meet and [`Func`] is the closure type of
//! template functions, so functions such as Helm's `include` and `tpl` can capture the set they
//! run in. [`fmt`] prints values as Go's `fmt` package does.
//!
//! ```
//! use gotmpl::{FuncMap, Templates, Value};
//!
//! let mut set = Templates::new(FuncMap::new());
//! set.parse("t", "{{ range $i, $v := . }}{{ $i }}={{ $v }} {{ end }}").unwrap();
//! let data = Value::list(vec![Value::Float(1e6), Value::string("x")]);
//! assert_eq!(set.execute_to_string("t", &data).unwrap(), "0=1e+06 1=x ");
//! ```

mod exec;
pub mod fmt;
mod lex;
pub mod node;
pub mod parse;
pub mod template;
pub mod value;

pub use exec::{html_escape, js_escape, query_escape};
pub use parse::{ParseError, Tree};
pub use template::{BUILTINS, ExecError, FuncMap, MissingKey, OptionError, Options, Templates};
pub use value::{
    ElemType, Func, FuncError, Map, MapRef, Member, Object, Value, expect_args, expect_int,
    expect_string, wrong_type,
};
