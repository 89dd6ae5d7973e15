//! Values end to end with real YAML text: user values from `-f` and `--set*` flags, coalescing
//! with globals and subchart scoping, and requirements.yaml processing (conditions, tags, alias,
//! import-values) on charts written to disk.

use std::fs;
use std::path::Path;

use chart::values::{self, Value};
use chart::{Chart, load, requirements};

fn write(root: &Path, rel: &str, content: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, content).unwrap();
}

fn no_files(p: &str) -> Result<String, String> {
    Err(format!("unexpected read of {p}"))
}

#[test]
fn user_values_from_flags_in_helm_order() {
    let files = [
        (
            "a.yaml",
            "image:\n  repo: nginx\n  tag: \"1.0\"\nlist: [1, 2]\nport: 80\n",
        ),
        ("b.yaml", "image:\n  tag: \"2.0\"\nlist: [3]\nport: null\n"),
    ];
    let mut read = |p: &str| -> Result<String, String> { Ok(format!("<{p}>")) };
    let v = values::user_values(
        &files,
        &["replicas=3,image.pull=Always", "list[1]=x"],
        &["replicas=4"],
        &["cert=tls.crt"],
        &mut read,
    )
    .unwrap();
    let get = |p: &str| values::path_value(&v, p).ok().cloned();
    assert_eq!(get("image.repo"), Some(Value::from("nginx")));
    assert_eq!(get("image.tag"), Some(Value::from("2.0")));
    assert_eq!(get("image.pull"), Some(Value::from("Always")));
    // --set-string comes after --set whatever the order on the command line.
    assert_eq!(get("replicas"), Some(Value::from("4")));
    assert_eq!(
        get("list"),
        Some(Value::List(vec![Value::Float(3.0), Value::from("x")]))
    );
    assert_eq!(get("port"), Some(Value::Null));
    assert_eq!(get("cert"), Some(Value::from("<tls.crt>")));

    let e =
        values::user_values(&[("bad.yaml", "- 1\n")], &[], &[], &[], &mut no_files).unwrap_err();
    assert!(
        e.to_string().starts_with("failed to parse bad.yaml: "),
        "{e}"
    );
    let e = values::user_values(&[], &["a"], &[], &[], &mut no_files).unwrap_err();
    assert_eq!(
        e.to_string(),
        "failed parsing --set data: key \"a\" has no value"
    );
    let e = values::user_values(&[], &[], &[], &["x=nope"], &mut no_files).unwrap_err();
    assert_eq!(
        e.to_string(),
        "failed parsing --set-file data: unexpected read of nope"
    );
}

#[test]
fn set_values_round_trip_through_yaml() {
    let v = chart::strvals::parse("a=1,b=true,c=x,d={1,2},e.f=null,big=1234567890123").unwrap();
    let yaml = values::to_yaml(&v).unwrap();
    assert_eq!(
        yaml,
        "a: 1\nb: true\nbig: 1234567890123\nc: x\nd:\n- 1\n- 2\ne:\n  f: null\n"
    );
    let back = values::read_values(&yaml).unwrap();
    assert_eq!(back.get("a"), Some(&Value::Float(1.0)));
    assert_eq!(values::to_yaml(&values::Map::new()).unwrap(), "{}\n");
}

/// parent (global.g=parent, global.only=parent) → child (global.g=child, global.childonly=c)
///   → grandchild (global.g=grand)
fn globals_chart(dir: &Path) -> Chart {
    write(dir, "Chart.yaml", "name: parent\n");
    write(
        dir,
        "values.yaml",
        "global:\n  g: parent\n  only: parent\nchild:\n  fromParent: yes\n",
    );
    write(dir, "charts/child/Chart.yaml", "name: child\n");
    write(
        dir,
        "charts/child/values.yaml",
        "global:\n  g: child\n  childonly: c\nown: 1\n",
    );
    write(dir, "charts/child/charts/grand/Chart.yaml", "name: grand\n");
    write(
        dir,
        "charts/child/charts/grand/values.yaml",
        "global:\n  g: grand\nown: 2\n",
    );
    load(dir).unwrap()
}

#[test]
fn globals_flow_down_and_parents_win() {
    let dir = tempfile::tempdir().unwrap();
    let c = globals_chart(dir.path());
    let user = values::read_values("global:\n  user: u\n").unwrap();
    let v = values::coalesce_values(&c, &user).unwrap();
    let get = |p: &str| values::path_value(&v, p).ok().cloned();
    assert_eq!(get("global.g"), Some(Value::from("parent")));
    assert_eq!(get("global.user"), Some(Value::from("u")));
    // A subchart's global defaults are not visible to the parent...
    assert_eq!(get("global.childonly"), None);
    // ...but to itself and its children, below the parent's globals.
    assert_eq!(get("child.global.g"), Some(Value::from("parent")));
    assert_eq!(get("child.global.childonly"), Some(Value::from("c")));
    assert_eq!(get("child.global.user"), Some(Value::from("u")));
    assert_eq!(get("child.child"), None);
    assert_eq!(get("child.fromParent"), Some(Value::Bool(true)));
    assert_eq!(get("child.own"), Some(Value::Float(1.0)));
    assert_eq!(get("child.grand.global.g"), Some(Value::from("parent")));
    assert_eq!(get("child.grand.global.childonly"), Some(Value::from("c")));
    assert_eq!(get("child.grand.own"), Some(Value::Float(2.0)));

    let bad = values::read_values("child: 5\n").unwrap();
    assert_eq!(
        values::coalesce_values(&c, &bad).unwrap_err().to_string(),
        "type mismatch on child: %!t(float64=5)"
    );
}

/// A chart with requirements.yaml: two aliases of one subchart, a condition, tags and imports.
fn requirements_chart(dir: &Path) {
    write(dir, "Chart.yaml", "name: parent\nversion: 1.0.0\n");
    write(
        dir,
        "values.yaml",
        "front:\n  enabled: true\nshared: parent\n",
    );
    write(
        dir,
        "requirements.yaml",
        "dependencies:\n\
         - name: web\n  version: ~1.2.0\n  repository: file://../web\n  alias: front\n  condition: front.enabled,global.front\n  import-values:\n  - data\n  - child: settings\n    parent: imported\n\
         - name: web\n  version: 1.2\n  alias: back\n  tags: [backend]\n  enabled: false\n\
         - name: db\n  version: \">=0.1.0\"\n  tags:\n  - backend\n  - storage\n",
    );
    write(
        dir,
        "requirements.lock",
        "dependencies:\n- name: web\n  repository: file://../web\n  version: 1.2.3\ndigest: sha256:abc\ngenerated: 2020-01-01T00:00:00Z\n",
    );
    write(dir, "charts/web/Chart.yaml", "name: web\nversion: 1.2.0\n");
    write(
        dir,
        "charts/web/values.yaml",
        "exports:\n  data:\n    shared: web\n    port: 8080\nsettings:\n  level: debug\n",
    );
    write(dir, "charts/db/Chart.yaml", "name: db\nversion: 0.3.0\n");
}

fn dep_names(c: &Chart) -> Vec<String> {
    let mut v: Vec<String> = c
        .dependencies
        .iter()
        .map(|d| d.metadata.name.clone())
        .collect();
    v.sort();
    v
}

#[test]
fn requirements_yaml_parsing() {
    let dir = tempfile::tempdir().unwrap();
    requirements_chart(dir.path());
    let c = load(dir.path()).unwrap();
    let reqs = requirements::load_requirements(&c).unwrap().unwrap();
    assert_eq!(reqs.dependencies.len(), 3);
    let front = &reqs.dependencies[0];
    assert_eq!(
        (front.name.as_str(), front.alias.as_str()),
        ("web", "front")
    );
    assert_eq!(front.condition, "front.enabled,global.front");
    assert_eq!(front.import_values.len(), 2);
    // `version: 1.2` is a float in YAML and becomes "1.2" through ghodss.
    assert_eq!(reqs.dependencies[1].version, "1.2");
    assert!(!reqs.dependencies[1].enabled);
    assert_eq!(reqs.dependencies[2].tags, ["backend", "storage"]);
    let lock = requirements::load_lock(&c).unwrap().unwrap();
    assert_eq!(lock.digest, "sha256:abc");
    assert_eq!(lock.dependencies[0].version, "1.2.3");
    assert!(requirements::check_dependencies(&c).is_ok());

    write(dir.path(), "requirements.yaml", "dependencies: {a: 1}\n");
    let c = load(dir.path()).unwrap();
    let e = requirements::load_requirements(&c).unwrap_err().to_string();
    assert!(e.starts_with("cannot load requirements.yaml: "), "{e}");
    write(
        dir.path(),
        "requirements.yaml",
        "dependencies:\n- name: web\n- name: cache\n- name: queue\n",
    );
    let c = load(dir.path()).unwrap();
    assert_eq!(
        requirements::check_dependencies(&c)
            .unwrap_err()
            .to_string(),
        "found in requirements.yaml, but missing in charts/ directory: cache, queue"
    );
}

#[test]
fn requirements_enable_alias_and_import() {
    let dir = tempfile::tempdir().unwrap();
    requirements_chart(dir.path());
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("", vec!["back", "db", "front"]),
        ("tags:\n  backend: false\n", vec!["front"]),
        (
            "tags:\n  backend: false\n  storage: true\n",
            vec!["db", "front"],
        ),
        ("front:\n  enabled: false\n", vec!["back", "db"]),
        // The first condition path with a value decides; the second is not consulted.
        (
            "front:\n  enabled: true\nglobal:\n  front: false\n",
            vec!["back", "db", "front"],
        ),
    ];
    for (user, want) in cases {
        let mut c = load(dir.path()).unwrap();
        let user = values::read_values(user).unwrap();
        requirements::process_enabled(&mut c, &user).unwrap();
        assert_eq!(dep_names(&c), want, "{user:?}");
    }

    let mut c = load(dir.path()).unwrap();
    requirements::process_enabled(&mut c, &values::Map::new()).unwrap();
    requirements::process_import_values(&mut c).unwrap();
    let get = |p: &str| values::path_value(&c.values, p).ok().cloned();
    assert_eq!(get("port"), Some(Value::Float(8080.0)));
    assert_eq!(get("shared"), Some(Value::from("web")));
    assert_eq!(get("imported.level"), Some(Value::from("debug")));
    assert!(
        c.values_raw.contains("imported:\n  level: debug\n"),
        "{}",
        c.values_raw
    );
    let v = values::coalesce_values(&c, &values::Map::new()).unwrap();
    assert_eq!(
        values::path_value(&v, "front.settings.level"),
        Ok(&Value::from("debug"))
    );
    assert_eq!(
        values::path_value(&v, "back.exports.data.port"),
        Ok(&Value::Float(8080.0))
    );
}
