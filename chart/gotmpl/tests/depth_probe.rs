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

#[test]
fn template_recursion_ends_with_the_depth_error_not_a_stack_overflow() {
    // A typical recursive helper: the recursion sits inside if/with/range bodies.
    let text = "{{define \"r\"}}{{if true}}{{with .}}{{range 1}}{{template \"r\" 1}}{{end}}{{end}}{{end}}{{end}}{{template \"r\" 1}}";
    let depth: usize = std::env::var("PROBE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let mut set = Templates::new(FuncMap::new()).with_options(gotmpl::Options {
        max_depth: depth,
        ..Default::default()
    });
    set.parse("t", text).unwrap();
    let err = set.execute_to_string("t", &Value::Nil).unwrap_err();
    assert!(
        err.message.contains("exceeded maximum template depth"),
        "{}",
        err.message
    );
}
