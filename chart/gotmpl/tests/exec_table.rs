//! Hand-written execution cases: behaviour newer than the Go 1.19 oracle (range over
//! integers, `else with`), the Go 1.14 legacy options Helm v2 needs, objects with fields and
//! methods, and limits.

mod common;

use std::rc::Rc;

use gotmpl::{FuncError, FuncMap, Member, Object, Options, Templates, Value};

fn run_with(options: Options, text: &str, data: &Value) -> Result<String, String> {
    let mut set = Templates::new(common::oracle_funcs()).with_options(options);
    set.parse("t", text).map_err(|e| e.to_string())?;
    set.execute_to_string("t", data).map_err(|e| e.message)
}

fn run(text: &str, data: &Value) -> Result<String, String> {
    run_with(Options::default(), text, data)
}

fn values(json: &str) -> Value {
    common::from_json(&serde_json::from_str(json).expect("valid JSON"))
}

#[test]
fn range_over_integers() {
    assert_eq!(run("{{range 3}}{{.}}{{end}}", &Value::Nil).unwrap(), "012");
    assert_eq!(
        run("{{range $i := 3}}{{$i}}{{end}}", &Value::Nil).unwrap(),
        "012"
    );
    assert_eq!(
        run("{{range 0}}x{{else}}none{{end}}", &Value::Nil).unwrap(),
        "none"
    );
    assert_eq!(
        run("{{range $i, $v := 3}}{{end}}", &Value::Nil).unwrap_err(),
        "template: t:1:18: executing \"t\" at <3>: can't use 3 to iterate over more than one variable"
    );
}

#[test]
fn else_with_chains() {
    let data = values(r#"{"a": "", "b": "B"}"#);
    assert_eq!(
        run(
            "{{with .a}}A{{else with .b}}{{.}}{{else}}none{{end}}",
            &data
        )
        .unwrap(),
        "B"
    );
}

#[test]
fn legacy_go114_keeps_the_full_error_context() {
    let data = values(r#"{"Values": {"image": {}}}"#);
    let err = run_with(
        Options::helm_v2(),
        "{{ .Values.image.repository.name }}",
        &data,
    )
    .unwrap_err();
    assert_eq!(
        err,
        "template: t:1:10: executing \"t\" at <.Values.image.repository.name>: nil pointer evaluating interface {}.name"
    );
}

#[test]
fn legacy_go114_index_bounds() {
    let data = values(r#"{"l": ["a"]}"#);
    assert_eq!(
        run_with(Options::helm_v2(), "{{ index .l 1 }}", &data).unwrap_err(),
        "template: t:1:3: executing \"t\" at <index .l 1>: error calling index: index out of range: 1"
    );
    assert_eq!(
        run("{{ index .l 1 }}", &data).unwrap_err(),
        "template: t:1:3: executing \"t\" at <index .l 1>: error calling index: reflect: slice index out of range"
    );
}

#[test]
fn legacy_go114_eq_rejects_nil_and_composites() {
    let data = values(r#"{"m": {}}"#);
    let legacy = Options::helm_v2();
    assert_eq!(
        run_with(legacy, "{{ eq .missing \"x\" }}", &data).unwrap_err(),
        "template: t:1:3: executing \"t\" at <eq .missing \"x\">: error calling eq: invalid type for comparison"
    );
    assert_eq!(run("{{ eq .missing \"x\" }}", &data).unwrap(), "false");
    assert!(
        run_with(legacy, "{{ eq .m .m }}", &data)
            .unwrap_err()
            .ends_with("invalid type for comparison")
    );
}

#[test]
fn legacy_go114_rejects_newlines_in_actions_and_tab_trim_markers() {
    let legacy = Options::helm_v2();
    assert_eq!(
        run_with(legacy, "{{ .a\n}}", &Value::Nil).unwrap_err(),
        "template: t:1: unclosed action"
    );
    assert_eq!(
        run_with(legacy, "{{ .a |\n}}", &Value::Nil).unwrap_err(),
        "template: t:1: unexpected unclosed action in command"
    );
    assert_eq!(
        run_with(legacy, "{{/* x", &Value::Nil).unwrap_err(),
        "template: t:1: unexpected unclosed comment in input"
    );
    assert_eq!(
        run_with(legacy, "{{ len .nope }}", &Value::Nil).unwrap_err(),
        "template: t:1:3: executing \"t\" at <len .nope>: error calling len: len of untyped nil"
    );
    assert_eq!(run("{{ 1\n}}", &Value::Nil).unwrap(), "1");
    // "{{-\t" is not a trim marker in Go 1.14: the '-' starts a number.
    assert!(run_with(legacy, "a {{-\t1}}", &Value::Nil).is_err());
    assert_eq!(run("a {{-\t1}}", &Value::Nil).unwrap(), "a1");
    assert_eq!(
        run_with(legacy, "a {{- 1 -}} b", &Value::Nil).unwrap(),
        "a1b"
    );
    // break is an ordinary (undefined) identifier before Go 1.18.
    assert_eq!(
        run_with(legacy, "{{range .}}{{break}}{{end}}", &Value::Nil).unwrap_err(),
        "template: t:1: function \"break\" not defined"
    );
}

#[test]
fn eager_and_or_evaluates_every_argument() {
    let legacy = Options::helm_v2();
    let err = run_with(legacy, "{{ and false (fail \"boom\") }}", &Value::Nil).unwrap_err();
    assert!(err.ends_with("error calling fail: boom"), "{err}");
    assert_eq!(
        run("{{ and false (fail \"boom\") }}", &Value::Nil).unwrap(),
        "false"
    );
    assert_eq!(
        run_with(legacy, "{{ or 0 \"\" 3 }}|{{ and 1 0 2 }}", &Value::Nil).unwrap(),
        "3|0"
    );
}

#[test]
fn template_recursion_is_limited() {
    let text = "{{define \"r\"}}{{template \"r\" .}}{{end}}{{template \"r\" .}}";
    let options = Options {
        max_depth: 50,
        ..Options::default()
    };
    let err = run_with(options, text, &Value::Nil).unwrap_err();
    assert_eq!(
        err,
        "template: t:1:25: executing \"r\" at <{{template \"r\" .}}>: exceeded maximum template depth (50) calling template \"r\""
    );
    // The default depth of 1000 fits in a test thread's stack.
    let err = run(text, &Value::Nil).unwrap_err();
    assert!(err.contains("exceeded maximum template depth (1000)"));
}

#[test]
fn missing_key_modes_and_option_strings() {
    let mut set = Templates::new(FuncMap::new());
    assert!(set.set_option("missingkey=zero").is_ok());
    assert_eq!(
        set.set_option("missingkey=bogus").unwrap_err().to_string(),
        "unrecognized option: missingkey=bogus"
    );
    assert_eq!(
        set.set_option("nokey").unwrap_err().to_string(),
        "unrecognized option: nokey"
    );
}

#[test]
fn typed_maps_yield_typed_zero_values() {
    let mut m = gotmpl::Map::new();
    m.insert("a".into(), Value::string("x"));
    let data = Value::Map(
        Rc::new(std::cell::RefCell::new(m)),
        gotmpl::ElemType::String,
    );
    let zero = Options {
        missing_key: gotmpl::MissingKey::Zero,
        ..Options::default()
    };
    assert_eq!(
        run_with(zero, "[{{.a}}][{{.b}}][{{printf \"%q\" .b}}]", &data).unwrap(),
        "[x][][\"\"]"
    );
    assert_eq!(run("[{{.b}}]", &data).unwrap(), "[<no value>]");
}

/// A struct with a field, a method taking an argument and a `String()` form.
#[derive(Debug)]
struct Caps {
    version: String,
}

impl Object for Caps {
    fn type_name(&self) -> String {
        "*chartutil.Capabilities".to_owned()
    }

    fn member(&self, name: &str) -> Member {
        match name {
            "Version" => Member::Field(Value::string(&self.version)),
            "Missing" => Member::Field(Value::Nil),
            "Has" | "Fail" => Member::Method,
            _ => Member::Missing,
        }
    }

    fn call(&self, name: &str, args: &[Value]) -> Result<Value, FuncError> {
        match name {
            "Has" => {
                gotmpl::expect_args(args, 1, "Has")?;
                Ok(Value::Bool(
                    gotmpl::expect_string(args, 0, "Has")? == "apps/v1",
                ))
            }
            _ => Err(FuncError::new("method failed")),
        }
    }

    fn go_string(&self) -> String {
        format!("caps-{}", self.version)
    }
}

#[test]
fn objects_have_fields_and_methods() {
    let caps = Value::Object(Rc::new(Caps {
        version: "v1.14".into(),
    }));
    let mut root = gotmpl::Map::new();
    root.insert("Capabilities".into(), caps);
    let data = Value::map(root);
    assert_eq!(
        run("{{.Capabilities.Version}} {{.Capabilities.Has \"apps/v1\"}} {{\"x\" | .Capabilities.Has}} {{.Capabilities}} {{printf \"%T\" .Capabilities}}", &data).unwrap(),
        "v1.14 true false caps-v1.14 *chartutil.Capabilities"
    );
    // Read out of a map[string]interface{}, the object's static type is the interface.
    assert_eq!(
        run("{{.Capabilities.Nope}}", &data).unwrap_err(),
        "template: t:1:15: executing \"t\" at <.Capabilities.Nope>: can't evaluate field Nope in type interface {}"
    );
    assert_eq!(
        run("{{$c := .Capabilities}}{{$c.Nope}}", &data).unwrap_err(),
        "template: t:1:27: executing \"t\" at <$c.Nope>: can't evaluate field Nope in type *chartutil.Capabilities"
    );
    assert_eq!(
        run("{{.Capabilities.Fail}}", &data).unwrap_err(),
        "template: t:1:15: executing \"t\" at <.Capabilities.Fail>: error calling Fail: method failed"
    );
    assert_eq!(
        run("{{.Capabilities.Has}}", &data).unwrap_err(),
        "template: t:1:15: executing \"t\" at <.Capabilities.Has>: wrong number of args for Has: want 1 got 0"
    );
    assert_eq!(
        run("{{.Capabilities.Version 1}}", &data).unwrap_err(),
        "template: t:1:15: executing \"t\" at <.Capabilities.Version>: Version has arguments but cannot be invoked as function"
    );
    assert_eq!(
        run("{{.Capabilities.Missing.x}}", &data).unwrap_err(),
        "template: t:1:15: executing \"t\" at <.Capabilities.Missing.x>: nil pointer evaluating interface {}.x"
    );
    assert_eq!(run("{{if .Capabilities}}yes{{end}}", &data).unwrap(), "yes");
}

/// A map type with methods, like `chartutil.Values`.
#[derive(Debug)]
struct ValuesLike(gotmpl::Map);

impl Object for ValuesLike {
    fn type_name(&self) -> String {
        "chartutil.Values".to_owned()
    }

    fn member(&self, name: &str) -> Member {
        match self.0.get(name) {
            Some(v) => Member::Field(v.clone()),
            None => Member::Field(Value::Nil),
        }
    }

    fn go_string(&self) -> String {
        gotmpl::fmt::format_value(&Value::map(self.0.clone()))
    }

    fn members_are_interfaces(&self) -> bool {
        true
    }
}

#[test]
fn map_like_objects_yield_interface_members() {
    let mut m = gotmpl::Map::new();
    m.insert("name".into(), Value::string("web"));
    let mut root = gotmpl::Map::new();
    root.insert("Values".into(), Value::Object(Rc::new(ValuesLike(m))));
    let data = Value::map(root);
    assert_eq!(
        run("{{ .Values.name.x }}", &data).unwrap_err(),
        "template: t:1:10: executing \"t\" at <.Values.name.x>: can't evaluate field x in type interface {}"
    );
    assert_eq!(
        run("{{ .Values.name }} {{ .Values }}", &data).unwrap(),
        "web map[name:web]"
    );
}

#[test]
fn user_functions_hide_builtins() {
    let mut funcs = FuncMap::new();
    funcs.insert(
        "len".into(),
        Rc::new(|_: &[Value]| Ok(Value::string("mine"))),
    );
    let mut set = Templates::new(funcs);
    set.parse("t", "{{len 1 2 3}}").unwrap();
    assert_eq!(set.execute_to_string("t", &Value::Nil).unwrap(), "mine");
}

#[test]
fn redefinition_follows_add_parse_tree() {
    let mut set = Templates::new(FuncMap::new());
    set.parse("a", "{{define \"x\"}}first{{end}}").unwrap();
    set.parse("b", "{{define \"x\"}}  {{end}}").unwrap();
    set.parse("c", "{{template \"x\"}}").unwrap();
    assert_eq!(set.execute_to_string("c", &Value::Nil).unwrap(), "first");
    set.parse("d", "{{define \"x\"}}second{{end}}").unwrap();
    assert_eq!(set.execute_to_string("c", &Value::Nil).unwrap(), "second");
    assert_eq!(set.names(), vec!["a", "b", "c", "d", "x"]);
    assert!(set.lookup("x") && !set.lookup("y"));
    // Clones are independent.
    let mut copy = set.clone();
    copy.parse("x", "third").unwrap();
    assert_eq!(copy.execute_to_string("c", &Value::Nil).unwrap(), "third");
    assert_eq!(set.execute_to_string("c", &Value::Nil).unwrap(), "second");
}
