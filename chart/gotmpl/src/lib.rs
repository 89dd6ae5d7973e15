//! Go's `text/template`, reimplemented in Rust with Go's semantics.
//!
//! Start at [`value`]: the [`Value`] type models the Go values Helm charts meet, and [`Func`] is
//! the closure type of template functions.

pub mod value;

pub use value::{ElemType, Func, FuncError, Map, MapRef, Member, Object, Value};
