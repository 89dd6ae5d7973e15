//! Go's `text/template`, reimplemented in Rust with Go's semantics.
//!
//! Start at [`value`]: the [`Value`] type models the Go values Helm charts meet, and [`Func`] is
//! the closure type of template functions. [`fmt`] prints values as Go's `fmt` package does.

pub mod fmt;
pub mod value;

pub use value::{
    ElemType, Func, FuncError, Map, MapRef, Member, Object, Value, expect_args, expect_int,
    expect_string, wrong_type,
};
