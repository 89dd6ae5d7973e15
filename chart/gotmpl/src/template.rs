//! The template set: named templates sharing definitions, functions and options.
//!
//! [`Templates`] plays the role of Go's `*template.Template` with its associated templates. It
//! is cheap to clone (trees and the function map are reference counted), which is what Helm's
//! `tpl` needs: parse a string into a copy of the set and run it there.

use std::collections::HashMap;
use std::rc::Rc;

use crate::exec;
use crate::node::is_empty_list;
use crate::parse::{ParseError, Tree, parse};
use crate::value::{Func, Value};

/// Template functions by name. User functions hide builtins of the same name.
pub type FuncMap = HashMap<String, Func>;

/// What a field access on a map does when the key is missing (`Option("missingkey=...")`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissingKey {
    /// Go's default: the result is "no value" (prints `<no value>`, further fields are empty).
    #[default]
    Default,
    /// The zero value of the map's element type: `nil` for `map[string]interface{}` (Helm).
    Zero,
    /// Execution stops with `map has no entry for key "k"`.
    Error,
}

/// Execution options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Missing map key behaviour.
    pub missing_key: MissingKey,
    /// Evaluate every argument of `and`/`or` before deciding, as Go up to 1.17 (and so
    /// Helm v2) did; by default they short-circuit as in modern Go.
    pub eager_and_or: bool,
    /// Maximum nesting of template invocations (`template`, `block`, and nested executions
    /// started by functions such as `include`) on one thread. Go allows 100000, which would
    /// overflow a Rust thread's stack long before.
    pub max_depth: usize,
    /// Go 1.14 behaviours that Helm v2 shipped with: `eq`/`ne` fail with "invalid type for
    /// comparison" on nil and non-basic values, `len` of nil is "len of untyped nil", actions
    /// may not span lines, trim markers need an ASCII space, `break`/`continue` are not
    /// keywords, and lexer errors read "unexpected ERROR in CONTEXT".
    pub legacy_go114: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            missing_key: MissingKey::Default,
            eager_and_or: false,
            max_depth: 1000,
            legacy_go114: false,
        }
    }
}

impl Options {
    /// The options Helm v2.17 runs templates with: `missingkey=zero` on Go 1.14.
    pub fn helm_v2() -> Self {
        Options {
            missing_key: MissingKey::Zero,
            eager_and_or: true,
            max_depth: 1000,
            legacy_go114: true,
        }
    }
}

/// An error in an option string given to [`Templates::set_option`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OptionError {
    /// The option is not `key=value` or the key is unknown.
    #[error("unrecognized option: {0}")]
    Unrecognized(String),
    /// The value of `missingkey` is not one of `default`, `invalid`, `zero`, `error`.
    #[error("unrecognized option: {0}")]
    BadValue(String),
}

/// An execution error, formatted as Go formats it:
/// `template: NAME:LINE:COL: executing "NAME" at <NODE>: MESSAGE`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ExecError {
    /// The full message.
    pub message: String,
}

/// A set of named templates.
#[derive(Clone)]
pub struct Templates {
    name: String,
    trees: HashMap<String, Rc<Tree>>,
    funcs: Rc<FuncMap>,
    options: Options,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<&String> = self.trees.keys().collect();
        names.sort();
        let mut funcs: Vec<&String> = self.funcs.keys().collect();
        funcs.sort();
        f.debug_struct("Templates")
            .field("name", &self.name)
            .field("templates", &names)
            .field("funcs", &funcs)
            .field("options", &self.options)
            .finish()
    }
}

/// The names of Go's builtin functions.
pub const BUILTINS: &[&str] = &[
    "and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf",
    "println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne",
];

impl Templates {
    /// An empty set with the given functions (on top of Go's builtins) and default options.
    pub fn new(funcs: FuncMap) -> Self {
        Templates {
            name: String::new(),
            trees: HashMap::new(),
            funcs: Rc::new(funcs),
            options: Options::default(),
        }
    }

    /// Names the set, as `template.New(name)` does; the name appears in the error for an
    /// unknown template (`no template "x" associated with template "NAME"`).
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Replaces the options.
    pub fn with_options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// The current options.
    pub fn options(&self) -> Options {
        self.options
    }

    /// Replaces the options.
    pub fn set_options(&mut self, options: Options) {
        self.options = options;
    }

    /// Applies a Go option string: `missingkey=default|invalid|zero|error`.
    pub fn set_option(&mut self, option: &str) -> Result<(), OptionError> {
        let Some((key, value)) = option.split_once('=') else {
            return Err(OptionError::Unrecognized(option.to_owned()));
        };
        if key != "missingkey" {
            return Err(OptionError::Unrecognized(option.to_owned()));
        }
        self.options.missing_key = match value {
            "invalid" | "default" => MissingKey::Default,
            "zero" => MissingKey::Zero,
            "error" => MissingKey::Error,
            _ => return Err(OptionError::BadValue(option.to_owned())),
        };
        Ok(())
    }

    /// Adds functions (replacing same-named ones). Only templates parsed afterwards may name
    /// new functions, as in Go.
    pub fn add_funcs(&mut self, funcs: FuncMap) {
        let mut all: FuncMap = (*self.funcs).clone();
        all.extend(funcs);
        self.funcs = Rc::new(all);
    }

    /// The function map.
    pub fn funcs(&self) -> &FuncMap {
        &self.funcs
    }

    /// Whether `name` is a user function or a builtin.
    pub fn has_function(&self, name: &str) -> bool {
        self.funcs.contains_key(name) || BUILTINS.contains(&name)
    }

    /// Parses `text` as the template `name`, adding it and its `define`s and `block`s to the
    /// set. As Go's `AddParseTree`: a new definition replaces an existing one of the same name
    /// unless the new body is empty (only whitespace and comments).
    pub fn parse(&mut self, name: &str, text: &str) -> Result<(), ParseError> {
        let funcs = self.funcs.clone();
        let has = move |f: &str| funcs.contains_key(f) || BUILTINS.contains(&f);
        let trees = parse(name, text, &has, self.options.legacy_go114)?;
        for tree in trees {
            if let Some(old) = self.trees.get(&tree.name)
                && is_empty_list(&tree.root)
                && !is_empty_list(&old.root)
            {
                continue;
            }
            self.trees.insert(tree.name.clone(), Rc::new(tree));
        }
        Ok(())
    }

    /// Whether a template of that name exists.
    pub fn lookup(&self, name: &str) -> bool {
        self.trees.contains_key(name)
    }

    /// The template names, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.trees.keys().cloned().collect();
        names.sort();
        names
    }

    /// The parse tree of a template, for tools that inspect templates (lint, tests).
    pub fn tree(&self, name: &str) -> Option<&Rc<Tree>> {
        self.trees.get(name)
    }

    pub(crate) fn func(&self, name: &str) -> Option<&Func> {
        self.funcs.get(name)
    }

    /// Executes template `name` with `data` as `.` and `$`, appending to `out`. On error, `out`
    /// holds what was written before the error, as Go's writer would.
    pub fn execute(&self, name: &str, data: &Value, out: &mut String) -> Result<(), ExecError> {
        let Some(tree) = self.trees.get(name) else {
            return Err(ExecError {
                message: format!(
                    "template: no template {} associated with template {}",
                    crate::fmt::quote(name, false),
                    crate::fmt::quote(&self.name, false)
                ),
            });
        };
        exec::execute(self, tree, data, out)
    }

    /// [`Templates::execute`] into a new string.
    pub fn execute_to_string(&self, name: &str, data: &Value) -> Result<String, ExecError> {
        let mut out = String::new();
        self.execute(name, data, &mut out)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse_like_go() {
        let mut set = Templates::new(FuncMap::new());
        set.set_option("missingkey=invalid").unwrap();
        assert_eq!(set.options().missing_key, MissingKey::Default);
        set.set_option("missingkey=error").unwrap();
        assert_eq!(set.options().missing_key, MissingKey::Error);
        assert!(set.set_option("missingkey").is_err());
        assert!(set.set_option("other=zero").is_err());
        assert_eq!(Options::helm_v2().missing_key, MissingKey::Zero);
    }

    #[test]
    fn unknown_template_error_names_the_set() {
        let set = Templates::new(FuncMap::new()).with_name("gotpl");
        let err = set.execute_to_string("x", &Value::Nil).unwrap_err();
        assert_eq!(
            err.message,
            "template: no template \"x\" associated with template \"gotpl\""
        );
    }

    #[test]
    fn functions_added_later_are_visible_to_later_parses() {
        let mut set = Templates::new(FuncMap::new());
        assert!(set.parse("a", "{{ f }}").is_err());
        let mut funcs = FuncMap::new();
        let f: Func = Rc::new(|_: &[Value]| Ok(Value::string("F")));
        funcs.insert("f".into(), f);
        set.add_funcs(funcs);
        set.parse("a", "{{ f }}").unwrap();
        assert!(set.has_function("f") && set.has_function("printf") && !set.has_function("g"));
        assert_eq!(set.execute_to_string("a", &Value::Nil).unwrap(), "F");
        assert!(format!("{set:?}").contains("\"a\""));
    }
}
