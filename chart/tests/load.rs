//! Loader behaviour on hand-built charts: layout rules, `.helmignore`, subcharts, archives, and
//! every rejection of bad input (each asserts its message).

use std::fs;
use std::io::Write as _;
use std::path::Path;

use chart::load::{self as loader, Limits, LoadOptions};
use chart::{Chart, Value, load};

fn write(root: &Path, rel: &str, content: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, content).unwrap();
}

const CHART_YAML: &str = "apiVersion: v1\nname: frob\nversion: 1.2.3\ndescription: test\n";

/// A chart directory with templates, files, a helmignore and two kinds of subcharts.
fn sample(root: &Path) {
    write(root, "Chart.yaml", CHART_YAML);
    write(
        root,
        "values.yaml",
        "replicas: 2\nsub:\n  name: from-parent\nglobal:\n  g: top\n",
    );
    write(root, ".helmignore", "# comment\nignore/\n*.bak\n");
    write(root, "templates/deploy.yaml", "kind: Deployment\n");
    write(
        root,
        "templates/_helpers.tpl",
        "{{ define \"x\" }}{{ end }}",
    );
    write(root, "templates/.hidden", "secret");
    write(root, "templates/sub/.kept", "kept");
    write(root, "files/a.txt", "A");
    write(root, "files/a.bak", "backup");
    write(root, "ignore/me.txt", "ignored");
    write(root, "README.md", "readme");
    write(root, "charts/_skipped/Chart.yaml", "name: skipped\n");
    write(root, "charts/.hidden/Chart.yaml", "name: hidden\n");
    write(root, "charts/sub/Chart.yaml", "name: sub\nversion: 0.1.0\n");
    write(
        root,
        "charts/sub/values.yaml",
        "name: sub-default\nport: 80\n",
    );
    write(root, "charts/sub/templates/svc.yaml", "kind: Service\n");
    fs::write(
        root.join("charts/packed-0.2.0.tgz"),
        tgz(&[
            ("packed/Chart.yaml", "name: packed\nversion: 0.2.0\n"),
            ("packed/templates/cm.yaml", "kind: ConfigMap\n"),
        ]),
    )
    .unwrap();
    write(root, "charts/packed-0.2.0.tgz.prov", "signature");
}

/// A gzipped tar with regular files.
fn tgz(files: &[(&str, &str)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        // set_path refuses `..` and absolute paths; write the raw name to test our checks.
        let bytes = name.as_bytes();
        header.as_old_mut().name[..bytes.len()].copy_from_slice(bytes);
        header.set_cksum();
        builder.append(&header, content.as_bytes()).unwrap();
    }
    gzip(&builder.into_inner().unwrap())
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn names(files: &[chart::File]) -> Vec<&str> {
    files.iter().map(|f| f.name.as_str()).collect()
}

fn err_of(r: Result<Chart, loader::LoadError>) -> String {
    match r {
        Ok(c) => panic!("expected an error, loaded {}", c.metadata.name),
        Err(e) => e.to_string(),
    }
}

#[test]
fn directory_layout() {
    let dir = tempfile::tempdir().unwrap();
    sample(dir.path());
    let c = load(dir.path()).unwrap();
    assert_eq!(c.metadata.name, "frob");
    assert_eq!(c.metadata.version, "1.2.3");
    assert_eq!(
        names(&c.templates),
        [
            "templates/_helpers.tpl",
            "templates/deploy.yaml",
            "templates/sub/.kept"
        ]
    );
    assert_eq!(
        names(&c.files),
        [
            ".helmignore",
            "README.md",
            "charts/packed-0.2.0.tgz.prov",
            "files/a.txt"
        ]
    );
    assert_eq!(c.values.get("replicas"), Some(&Value::Float(2.0)));
    assert!(c.values_raw.starts_with("replicas: 2"));
    let deps: Vec<&str> = c
        .dependencies
        .iter()
        .map(|d| d.metadata.name.as_str())
        .collect();
    assert_eq!(deps, ["packed", "sub"]);
    assert_eq!(names(&c.dependencies[0].templates), ["templates/cm.yaml"]);
    assert_eq!(names(&c.dependencies[1].templates), ["templates/svc.yaml"]);
}

#[test]
fn directory_coalescing_with_subchart() {
    let dir = tempfile::tempdir().unwrap();
    sample(dir.path());
    let c = load(dir.path()).unwrap();
    let user = chart::values::read_values("sub:\n  port: null\nreplicas: 3\n").unwrap();
    let v = chart::values::coalesce_values(&c, &user).unwrap();
    assert_eq!(v.get("replicas"), Some(&Value::Float(3.0)));
    let sub = chart::values::table(&v, "sub").unwrap();
    assert_eq!(sub.get("name"), Some(&Value::from("from-parent")));
    // Helm v2 quirk: the parent's values.yaml has a `sub:` section, so coalescing at the parent
    // level already drops the user's null and the subchart default survives.
    assert_eq!(sub.get("port"), Some(&Value::Float(80.0)));
    assert_eq!(
        chart::values::path_value(&v, "sub.global.g"),
        Ok(&Value::from("top"))
    );
    assert_eq!(
        chart::values::path_value(&v, "packed.global.g"),
        Ok(&Value::from("top"))
    );
}

#[test]
fn nulls_delete_defaults_below() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Chart.yaml", CHART_YAML);
    write(
        dir.path(),
        "values.yaml",
        "logstash:\n  probe:\n    httpGet: null\nkeep: null\n",
    );
    write(dir.path(), "charts/logstash/Chart.yaml", "name: logstash\n");
    write(
        dir.path(),
        "charts/logstash/values.yaml",
        "probe:\n  httpGet: {path: /}\n  delay: 5\nport: 80\nother: x\n",
    );
    write(dir.path(), "charts/plain/Chart.yaml", "name: plain\n");
    write(
        dir.path(),
        "charts/plain/values.yaml",
        "port: 80\nname: p\n",
    );
    let c = load(dir.path()).unwrap();
    let user =
        chart::values::read_values("plain:\n  port: null\nlogstash:\n  other: null\n").unwrap();
    let v = chart::values::coalesce_values(&c, &user).unwrap();
    let get = |p: &str| chart::values::path_value(&v, p).ok().cloned();
    // A null in the parent's values.yaml deletes the subchart default.
    assert_eq!(get("logstash.probe.httpGet"), None);
    assert_eq!(get("logstash.probe.delay"), Some(Value::Float(5.0)));
    // A user null deletes a subchart default when the parent has no section for it.
    assert_eq!(get("plain.port"), None);
    assert_eq!(get("plain.name"), Some(Value::from("p")));
    // ...but not when the parent's values.yaml has a section (coalesced away one level up).
    assert_eq!(get("logstash.other"), Some(Value::from("x")));
    // A null in a chart's own values.yaml stays as a present-but-null key.
    assert_eq!(v.get("keep"), Some(&Value::Null));
}

#[test]
fn archive_round_trip_and_first_component_dropped() {
    let data = tgz(&[
        ("whatever/Chart.yaml", CHART_YAML),
        ("whatever/values.yaml", "a: 1\n"),
        ("whatever/templates/x.yaml", "x"),
        ("whatever/charts/inner/Chart.yaml", "name: inner\n"),
        ("whatever/.helmignore", "templates/\n"),
    ]);
    let c = loader::load_archive(&data).unwrap();
    assert_eq!(c.metadata.name, "frob");
    // .helmignore is not applied to archives.
    assert_eq!(names(&c.templates), ["templates/x.yaml"]);
    assert_eq!(c.dependencies.len(), 1);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("frob-1.2.3.tgz");
    fs::write(&path, &data).unwrap();
    assert_eq!(load(&path).unwrap().metadata.name, "frob");
    assert_eq!(loader::load_file(&path).unwrap(), c);
    assert_eq!(
        loader::load_archive_reader(data.as_slice(), &LoadOptions::default()).unwrap(),
        c
    );
}

#[test]
fn archive_with_backslashes() {
    let data = tgz(&[
        ("frob\\Chart.yaml", CHART_YAML),
        ("frob\\templates\\a.yaml", "a"),
    ]);
    let c = loader::load_archive(&data).unwrap();
    assert_eq!(names(&c.templates), ["templates/a.yaml"]);
}

#[test]
fn archive_path_attacks() {
    let cases = [
        (
            vec![("frob/../../etc/passwd", "x")],
            "chart illegally references parent directory: \"frob/../../etc/passwd\"",
        ),
        (
            vec![("frob//etc/passwd", "x")],
            "chart illegally contains absolute paths: \"frob//etc/passwd\"",
        ),
        (
            vec![("/frob/Chart.yaml", CHART_YAML)],
            "chart illegally contains absolute paths: \"/frob/Chart.yaml\"",
        ),
        (
            vec![("frob/", "")],
            "chart illegally contains content outside the base directory: \"frob/\"",
        ),
        (
            vec![("frob/C:/x", "x")],
            "chart contains illegally named files: \"frob/C:/x\"",
        ),
        (
            vec![("Chart.yaml", CHART_YAML)],
            "chart illegally contains content outside the base directory: \"Chart.yaml\"",
        ),
        (
            vec![("Chart.yaml/x", CHART_YAML)],
            "chart yaml not in base directory",
        ),
    ];
    for (files, want) in cases {
        assert_eq!(err_of(loader::load_archive(&tgz(&files))), want);
    }
}

#[test]
fn archive_links_and_empty() {
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Symlink);
    header.set_size(0);
    header.set_path("frob/templates/evil").unwrap();
    header.set_link_name("/etc/passwd").unwrap();
    header.set_cksum();
    builder.append(&header, &[][..]).unwrap();
    let data = gzip(&builder.into_inner().unwrap());
    assert_eq!(
        err_of(loader::load_archive(&data)),
        "chart archive entry \"frob/templates/evil\" is a symlink, only regular files are allowed"
    );

    let empty = gzip(&tar::Builder::new(Vec::new()).into_inner().unwrap());
    assert_eq!(
        err_of(loader::load_archive(&empty)),
        "no files in chart archive"
    );
    assert!(
        err_of(loader::load_archive(&gzip(
            b"not a tar at all, but long enough to look like one? no"
        )))
        .starts_with("invalid chart archive")
            || err_of(loader::load_archive(&gzip(b"x"))) == "no files in chart archive"
    );
}

#[test]
fn size_limits() {
    let big = "x".repeat(4096);
    let data = tgz(&[("frob/Chart.yaml", CHART_YAML), ("frob/big.txt", &big)]);
    let opts = LoadOptions {
        limits: Limits {
            max_file_size: 1024,
            ..Limits::default()
        },
        ..LoadOptions::default()
    };
    assert_eq!(
        err_of(loader::load_archive_with(&data, &opts)),
        "file big.txt is larger than the limit of 1024 bytes"
    );

    // A decompression bomb: a few KiB of gzip expanding far past the total cap.
    let files: Vec<(String, String)> = (0..64)
        .map(|i| (format!("frob/f{i}.txt"), "0".repeat(64 * 1024)))
        .collect();
    let mut refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    refs.insert(0, ("frob/Chart.yaml", CHART_YAML));
    let bomb = tgz(&refs);
    assert!(bomb.len() < 64 * 1024, "bomb is {} bytes", bomb.len());
    let opts = LoadOptions {
        limits: Limits {
            max_total_size: 1024 * 1024,
            ..Limits::default()
        },
        ..LoadOptions::default()
    };
    assert_eq!(
        err_of(loader::load_archive_with(&bomb, &opts)),
        "chart expands to more than the limit of 1048576 bytes"
    );

    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Chart.yaml", CHART_YAML);
    write(dir.path(), "files/big.txt", &big);
    let opts = LoadOptions {
        limits: Limits {
            max_file_size: 100,
            ..Limits::default()
        },
        ..LoadOptions::default()
    };
    assert_eq!(
        err_of(loader::load_dir_with(dir.path(), &opts)),
        "file files/big.txt is larger than the limit of 100 bytes"
    );
    let opts = LoadOptions {
        limits: Limits {
            max_total_size: 1000,
            ..Limits::default()
        },
        ..LoadOptions::default()
    };
    assert_eq!(
        err_of(loader::load_dir_with(dir.path(), &opts)),
        "chart expands to more than the limit of 1000 bytes"
    );
}

#[test]
fn nested_archive_depth() {
    let mut data = tgz(&[("c/Chart.yaml", "name: c0\n")]);
    for i in 1..5 {
        let mut builder = tar::Builder::new(Vec::new());
        for (name, content) in [
            (
                "c/Chart.yaml".to_owned(),
                format!("name: c{i}\n").into_bytes(),
            ),
            ("c/charts/inner.tgz".to_owned(), data.clone()),
        ] {
            let mut header = tar::Header::new_gnu();
            header.set_size(content.len() as u64);
            header.set_path(&name).unwrap();
            header.set_cksum();
            builder.append(&header, content.as_slice()).unwrap();
        }
        data = gzip(&builder.into_inner().unwrap());
    }
    assert!(loader::load_archive(&data).is_ok());
    let opts = LoadOptions {
        limits: Limits {
            max_archive_depth: 2,
            ..Limits::default()
        },
        ..LoadOptions::default()
    };
    let e = err_of(loader::load_archive_with(&data, &opts));
    assert!(
        e.ends_with("chart archives nest deeper than 2 levels"),
        "{e}"
    );
    assert!(e.starts_with("error unpacking inner.tgz in c4: "), "{e}");
}

#[test]
fn not_an_archive() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = dir.path().join("values.yaml");
    fs::write(&yaml, "a: 1\n").unwrap();
    assert_eq!(
        err_of(load(&yaml)),
        format!(
            "file '{}' seems to be a YAML file, but I expected a gzipped archive",
            yaml.display()
        )
    );
    let txt = dir.path().join("chart.tgz");
    fs::write(&txt, "hello").unwrap();
    assert_eq!(
        err_of(load(&txt)),
        format!(
            "file '{}' does not appear to be a gzipped archive; got 'text/plain; charset=utf-8'",
            txt.display()
        )
    );
    let corrupt = dir.path().join("corrupt.tgz");
    fs::write(&corrupt, [0x1f, 0x8b, 0x08, 0, 0, 0]).unwrap();
    assert!(err_of(load(&corrupt)).starts_with("invalid chart archive"));
    assert!(err_of(load(&dir.path().join("missing"))).contains("missing"));
}

#[test]
fn chart_yaml_problems() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "values.yaml", "a: 1\n");
    assert_eq!(
        err_of(load(dir.path())),
        format!(
            "no Chart.yaml exists in directory {:?}",
            dir.path().display().to_string()
        )
    );

    let cases = [
        (
            "name: x\nversion: [\n",
            "Chart.yaml: error converting YAML to JSON: yaml: line",
        ),
        (
            "description: no name\n",
            "invalid chart (Chart.yaml): name must not be empty",
        ),
        (
            "apiVersion: v2\nname: x\n",
            "apiVersion 'v2' is not valid. The value must be \"v1\"",
        ),
        (
            "apiVersion: 3\nname: x\n",
            "apiVersion '3' is not valid. The value must be \"v1\"",
        ),
        (
            "name: x\ndeprecated: \"yes\"\n",
            "Chart.yaml: error unmarshaling JSON: json: cannot unmarshal string into Go struct field Metadata.deprecated of type bool",
        ),
        (
            "- a\n- b\n",
            "Chart.yaml: error unmarshaling JSON: json: cannot unmarshal array into Go value of type Metadata",
        ),
    ];
    for (text, want) in cases {
        write(dir.path(), "Chart.yaml", text);
        let e = err_of(load(dir.path()));
        assert!(e.starts_with(want), "{text:?}: {e}");
    }

    write(
        dir.path(),
        "Chart.yaml",
        "name: x\nversion: 1.0\nappVersion: 1.10\nNAME: other\nunknown: 1\n",
    );
    let c = load(dir.path()).unwrap();
    assert_eq!(
        (
            c.metadata.name.as_str(),
            c.metadata.version.as_str(),
            c.metadata.app_version.as_str()
        ),
        ("other", "1", "1.1")
    );

    write(
        dir.path(),
        "Chart.yaml",
        "apiVersion: v2\nname: x\ntype: library\ndependencies:\n- name: d\n  version: 1.x\n",
    );
    let opts = LoadOptions {
        allow_api_v2: true,
        ..LoadOptions::default()
    };
    let c = loader::load_with(dir.path(), &opts).unwrap();
    assert_eq!(c.metadata.chart_type, "library");
    assert_eq!(
        chart::requirements::check_dependencies(&c)
            .unwrap_err()
            .to_string(),
        "found in requirements.yaml, but missing in charts/ directory: d"
    );
}

#[test]
fn values_problems() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Chart.yaml", CHART_YAML);
    write(dir.path(), "values.yaml", "a: 1\nb: [\n  c: d\n");
    let e = err_of(load(dir.path()));
    assert!(
        e.starts_with("values.yaml: error converting YAML to JSON: yaml: line "),
        "{e}"
    );
    write(dir.path(), "values.yaml", "- a\n");
    assert_eq!(
        err_of(load(dir.path())),
        "values.yaml: error unmarshaling JSON: json: cannot unmarshal array into Go value of type chartutil.Values"
    );
    write(dir.path(), "values.yaml", "a: .inf\n");
    assert!(err_of(load(dir.path())).contains("unsupported value"));
    fs::remove_file(dir.path().join("values.yaml")).unwrap();
    write(dir.path(), "values.toml", "a = 1\n");
    assert_eq!(
        err_of(load(dir.path())),
        "values.toml is illegal as of 2.0.0-alpha.2"
    );
}

#[test]
fn subchart_problems() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Chart.yaml", CHART_YAML);
    write(dir.path(), "charts/README", "not a chart");
    assert_eq!(
        err_of(load(dir.path())),
        "error unpacking README in frob: chart metadata (Chart.yaml) missing"
    );
    fs::remove_file(dir.path().join("charts/README")).unwrap();
    write(
        dir.path(),
        "charts/bad/Chart.yaml",
        "apiVersion: v9\nname: bad\n",
    );
    assert_eq!(
        err_of(load(dir.path())),
        "error unpacking bad in frob: apiVersion 'v9' is not valid. The value must be \"v1\""
    );
    fs::remove_dir_all(dir.path().join("charts/bad")).unwrap();
    write(dir.path(), "charts/dir.tgz/Chart.yaml", "name: x\n");
    assert_eq!(
        err_of(load(dir.path())),
        "error unpacking tar in frob: expected dir.tgz, got dir.tgz/Chart.yaml"
    );
}

#[test]
fn helmignore_errors() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Chart.yaml", CHART_YAML);
    write(dir.path(), ".helmignore", "ok\nfoo/**/bar\n");
    assert_eq!(
        err_of(load(dir.path())),
        ".helmignore: line 2: rule \"foo/**/bar\": double-star (**) syntax is not supported"
    );
}

#[cfg(unix)]
#[test]
fn symlinks() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "secret.txt", "secret");
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Chart.yaml", CHART_YAML);
    write(dir.path(), "real/data.txt", "data");
    symlink(dir.path().join("real"), dir.path().join("linked")).unwrap();
    symlink(
        dir.path().join("real/data.txt"),
        dir.path().join("file-link.txt"),
    )
    .unwrap();
    let c = load(dir.path()).unwrap();
    assert_eq!(
        names(&c.files),
        ["file-link.txt", "linked/data.txt", "real/data.txt"]
    );

    symlink(
        outside.path().join("secret.txt"),
        dir.path().join("escape.txt"),
    )
    .unwrap();
    let e = err_of(load(dir.path()));
    assert!(
        e.starts_with("symlink escape.txt points outside the chart directory"),
        "{e}"
    );
    let opts = LoadOptions {
        allow_external_symlinks: true,
        ..LoadOptions::default()
    };
    let c = loader::load_dir_with(dir.path(), &opts).unwrap();
    assert_eq!(c.file("escape.txt"), Some(&b"secret"[..]));
    fs::remove_file(dir.path().join("escape.txt")).unwrap();

    symlink(dir.path().join("nowhere"), dir.path().join("broken")).unwrap();
    let e = err_of(load(dir.path()));
    assert!(e.starts_with("error evaluating symlink"), "{e}");
    fs::remove_file(dir.path().join("broken")).unwrap();

    symlink(dir.path(), dir.path().join("real/loop")).unwrap();
    let e = err_of(load(dir.path()));
    assert!(e.contains("symlink loop"), "{e}");
}

#[cfg(unix)]
#[test]
fn irregular_files() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Chart.yaml", CHART_YAML);
    let fifo = dir.path().join("pipe");
    let status = std::process::Command::new("mkfifo").arg(&fifo).status();
    if status.is_ok_and(|s| s.success()) {
        let e = err_of(load(dir.path()));
        assert!(
            e.starts_with("cannot load irregular file")
                && e.ends_with("as it has file mode type bits set"),
            "{e}"
        );
    }
}
