//! Deeply nested templates: the parser refuses nesting beyond its limit instead of
//! overflowing the stack, and the deepest allowed nesting parses, executes and drops within a
//! test thread's stack.

use gotmpl::{FuncMap, Templates, Value};

fn texts(n: usize) -> [String; 3] {
    [
        format!("{{{{ {}1{} }}}}", "(".repeat(n), ")".repeat(n)),
        format!("{}x{}", "{{if true}}".repeat(n), "{{end}}".repeat(n)),
        format!(
            "{}x{}",
            "{{range 1}}{{with 1}}".repeat(n / 2),
            "{{end}}{{end}}".repeat(n / 2)
        ),
    ]
}

#[test]
fn deepest_allowed_nesting_runs() {
    for text in texts(gotmpl::parse::MAX_NESTING) {
        let mut set = Templates::new(FuncMap::new());
        set.parse("t", &text).expect("within the limit");
        let out = set.execute_to_string("t", &Value::Nil).expect("executes");
        assert!(out == "1" || out == "x", "{out}");
    }
}

#[test]
fn excessive_nesting_is_an_error() {
    for text in texts(100_000) {
        let mut set = Templates::new(FuncMap::new());
        let err = set.parse("t", &text).unwrap_err();
        assert_eq!(err.message, "max expression depth exceeded");
    }
}
