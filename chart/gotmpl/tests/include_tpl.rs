//! Proves that Helm's `include`, `tpl` and `required` can be built on the public API as
//! closures that capture the template set they run in (filled in after construction through a
//! `Weak` cell), the way the chart crate has to build them.

mod common;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use gotmpl::{FuncError, FuncMap, Map, Options, Templates, Value, expect_args, expect_string};

type Cell = Rc<RefCell<Option<Templates>>>;

/// Helm's nesting limit for one template name.
const MAX_INCLUDE_DEPTH: usize = 1000;

/// Builds `include`, `tpl` and `required` bound to the set in `cell`.
fn helm_funcs(cell: &Cell) -> FuncMap {
    let mut funcs = FuncMap::new();
    let weak: Weak<RefCell<Option<Templates>>> = Rc::downgrade(cell);
    let counts: Rc<RefCell<HashMap<String, usize>>> = Rc::default();

    let include_weak = weak.clone();
    funcs.insert(
        "include".into(),
        Rc::new(move |args: &[Value]| {
            expect_args(args, 2, "include")?;
            let name = expect_string(args, 0, "include")?.to_owned();
            let cell = include_weak.upgrade().ok_or_else(|| FuncError::new("template set is gone"))?;
            {
                let mut c = counts.borrow_mut();
                let n = c.entry(name.clone()).or_insert(0);
                if *n > MAX_INCLUDE_DEPTH {
                    return Err(FuncError::new(format!(
                        "rendering template has a nested reference name: {name}: unable to execute template"
                    )));
                }
                *n += 1;
            }
            let borrowed = cell.borrow();
            let set = borrowed.as_ref().ok_or_else(|| FuncError::new("template set not ready"))?;
            let result = set.execute_to_string(&name, &args[1]);
            if let Some(n) = counts.borrow_mut().get_mut(&name) {
                *n -= 1;
            }
            result.map(Value::string).map_err(|e| FuncError::new(e.message))
        }),
    );

    let tpl_weak = weak;
    funcs.insert(
        "tpl".into(),
        Rc::new(move |args: &[Value]| {
            expect_args(args, 2, "tpl")?;
            let text = expect_string(args, 0, "tpl")?;
            let cell = tpl_weak
                .upgrade()
                .ok_or_else(|| FuncError::new("template set is gone"))?;
            let mut copy = cell
                .borrow()
                .as_ref()
                .cloned()
                .ok_or_else(|| FuncError::new("template set not ready"))?;
            // The copy gets its own include/tpl bound to itself, so that defines made inside
            // the string are visible to `include` there.
            let inner: Cell = Rc::new(RefCell::new(None));
            copy.add_funcs(helm_funcs(&inner));
            copy.parse("tpl", text).map_err(|e| {
                FuncError::new(format!(
                    "Error during tpl function execution for {text:?}: {e}"
                ))
            })?;
            *inner.borrow_mut() = Some(copy);
            let borrowed = inner.borrow();
            let set = borrowed
                .as_ref()
                .ok_or_else(|| FuncError::new("template set not ready"))?;
            let out = set.execute_to_string("tpl", &args[1]).map_err(|e| {
                FuncError::new(format!(
                    "Error during tpl function execution for {text:?}: {e}"
                ))
            });
            drop(borrowed);
            // Break the cycle set -> funcs -> cell -> set.
            inner.borrow_mut().take();
            out.map(Value::string)
        }),
    );

    funcs.insert(
        "required".into(),
        Rc::new(|args: &[Value]| {
            expect_args(args, 2, "required")?;
            let msg = expect_string(args, 0, "required")?;
            match &args[1] {
                Value::Nil => Err(FuncError::new(msg)),
                Value::String(s) if s.is_empty() => Err(FuncError::new(msg)),
                v => Ok(v.clone()),
            }
        }),
    );
    funcs
}

fn helm_set(files: &[(&str, &str)]) -> Cell {
    let cell: Cell = Rc::new(RefCell::new(None));
    let mut set = Templates::new(helm_funcs(&cell))
        .with_name("gotpl")
        .with_options(Options::helm_v2());
    for (name, text) in files {
        set.parse(name, text).expect("parses");
    }
    *cell.borrow_mut() = Some(set);
    cell
}

fn render(cell: &Cell, name: &str, data: &Value) -> Result<String, String> {
    let borrowed = cell.borrow();
    let set = borrowed.as_ref().expect("set ready");
    set.execute_to_string(name, data).map_err(|e| e.message)
}

fn values(json: &str) -> Value {
    common::from_json(&serde_json::from_str(json).expect("valid JSON"))
}

#[test]
fn include_renders_a_define_into_a_string() {
    // Unknown functions fail at parse time, as in Go.
    let cell: Cell = Rc::new(RefCell::new(None));
    let mut set = Templates::new(helm_funcs(&cell));
    let err = set.parse("x", "{{ quote2 . }}").unwrap_err();
    assert_eq!(
        err.to_string(),
        "template: x:1: function \"quote2\" not defined"
    );

    let cell = helm_set(&[
        (
            "c/templates/_helpers.tpl",
            "{{- define \"c.name\" -}}{{ .Values.name }}-{{ .Release.Name }}{{- end -}}",
        ),
        (
            "c/templates/cm.yaml",
            "name: {{ include \"c.name\" . | printf \"%q\" }}\nlen: {{ include \"c.name\" . | len }}",
        ),
    ]);
    let data = values(r#"{"Values": {"name": "web"}, "Release": {"Name": "r1"}}"#);
    assert_eq!(
        render(&cell, "c/templates/cm.yaml", &data).unwrap(),
        "name: \"web-r1\"\nlen: 6"
    );
    // Breaking the set -> funcs -> cell cycle releases everything.
    cell.borrow_mut().take();
}

#[test]
fn include_errors_are_wrapped_like_go() {
    let cell = helm_set(&[
        (
            "c/templates/_h.tpl",
            "{{ define \"bad\" }}{{ .Values.x.y }}{{ end }}",
        ),
        ("c/templates/a.yaml", "{{ include \"bad\" . }}"),
        ("c/templates/b.yaml", "{{ include \"nope\" . }}"),
    ]);
    let data = values(r#"{"Values": {}}"#);
    assert_eq!(
        render(&cell, "c/templates/a.yaml", &data).unwrap_err(),
        "template: c/templates/a.yaml:1:3: executing \"c/templates/a.yaml\" at <include \"bad\" .>: error calling include: \
         template: c/templates/_h.tpl:1:28: executing \"bad\" at <.Values.x.y>: nil pointer evaluating interface {}.y"
    );
    assert_eq!(
        render(&cell, "c/templates/b.yaml", &data).unwrap_err(),
        "template: c/templates/b.yaml:1:3: executing \"c/templates/b.yaml\" at <include \"nope\" .>: error calling include: \
         template: no template \"nope\" associated with template \"gotpl\""
    );
    cell.borrow_mut().take();
}

#[test]
fn recursive_include_hits_a_limit_instead_of_the_stack() {
    // 1000 nested executions through the closure, on the test thread's ordinary stack.
    let cell = helm_set(&[(
        "t",
        "{{ define \"loop\" }}{{ include \"loop\" . }}{{ end }}{{ include \"loop\" . }}",
    )]);
    let err = render(&cell, "t", &Value::Nil).unwrap_err();
    cell.borrow_mut().take();
    assert!(
        err.contains("exceeded maximum template depth (1000)"),
        "{}",
        &err[err.len().saturating_sub(300)..]
    );
}

#[test]
fn tpl_parses_a_string_in_a_copy_of_the_set() {
    let cell = helm_set(&[
        (
            "c/templates/_h.tpl",
            "{{ define \"c.host\" }}{{ .Values.host }}{{ end }}",
        ),
        (
            "c/templates/a.yaml",
            "{{ tpl .Values.tmpl . }}|{{ tpl \"{{ define \\\"own\\\" }}x{{ end }}{{ include \\\"own\\\" . }}\" . }}",
        ),
        ("c/templates/b.yaml", "{{ tpl \"{{ .Values.nope.x }}\" . }}"),
    ]);
    let data = values(
        r#"{"Values": {"host": "example.com", "tmpl": "https://{{ include \"c.host\" . }}/{{ .Values.host | len }}"}}"#,
    );
    assert_eq!(
        render(&cell, "c/templates/a.yaml", &data).unwrap(),
        "https://example.com/11|x"
    );
    // The define made inside tpl did not leak into the original set.
    assert!(!cell.borrow().as_ref().is_some_and(|s| s.lookup("own")));
    let err = render(&cell, "c/templates/b.yaml", &data).unwrap_err();
    assert!(
        err.ends_with(
            "error calling tpl: Error during tpl function execution for \"{{ .Values.nope.x }}\": \
             template: tpl:1:10: executing \"tpl\" at <.Values.nope.x>: nil pointer evaluating interface {}.x"
        ),
        "{err}"
    );
    cell.borrow_mut().take();
}

#[test]
fn required_fails_on_nil_and_empty_string_only() {
    let cell = helm_set(&[(
        "t",
        "{{ required \"need a\" .Values.a }}|{{ required \"need b\" .Values.b }}",
    )]);
    let mut m = Map::new();
    m.insert("a".into(), Value::Float(0.0));
    let mut root = Map::new();
    root.insert("Values".into(), Value::map(m));
    let err = render(&cell, "t", &Value::map(root)).unwrap_err();
    assert_eq!(
        err,
        "template: t:1:37: executing \"t\" at <required \"need b\" .Values.b>: error calling required: need b"
    );
    cell.borrow_mut().take();
}
