//! The `helm` binary end to end: output, errors and exit codes of the client-only commands.

use std::path::Path;
use std::process::{Command, Output};

fn helm(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_helm"))
        .args(args)
        .env_remove("HELM_HOST")
        .env_remove("KUBECONFIG")
        .env("HOME", std::env::temp_dir())
        .output()
        .expect("running helm")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Writes a small chart with a values default, a `--set` override target, a multi-document
/// template, a partial and NOTES.txt.
fn chart(dir: &Path) {
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v1\nname: demo\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("values.yaml"),
        "replicas: 1\nbig: 1000000\nname: web\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("templates/_helpers.tpl"),
        "{{- define \"demo.fullname\" -}}{{ .Release.Name }}-{{ .Values.name }}{{- end -}}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("templates/deploy.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"demo.fullname\" . }}\n  namespace: {{ .Release.Namespace }}\nspec:\n  replicas: {{ .Values.replicas }}\n  big: {{ .Values.big }}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("templates/svc.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  kube: {{ .Capabilities.KubeVersion.GitVersion }}\n  upgrade: {{ .Release.IsUpgrade }}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("templates/NOTES.txt"),
        "Installed {{ .Release.Name }}.\n",
    )
    .unwrap();
}

#[test]
fn template_renders_like_helm_v2() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    chart(&dir);
    let out = helm(&[
        "template",
        dir.to_str().unwrap(),
        "--name",
        "rel",
        "--namespace",
        "ns1",
        "--set",
        "replicas=3",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Kinds in Helm v2's install order (Service before Deployment), a file's documents kept
    // together under one Source line, --set numbers printed as float64 like Tiller does.
    assert_eq!(
        stdout(&out),
        "---\n# Source: demo/templates/svc.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  kube: v1.14.0\n  upgrade: false\n\n---\n# Source: demo/templates/deploy.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: rel-web\n  namespace: ns1\nspec:\n  replicas: 3\n  big: 1e+06\n\n"
    );
}

#[test]
fn template_flags() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    chart(&dir);
    let d = dir.to_str().unwrap();

    let out = helm(&[
        "template",
        d,
        "--notes",
        "-x",
        "templates/svc.yaml",
        "--kube-version",
        "v1.16.15",
        "--is-upgrade",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("kube: v1.16.15") && text.contains("upgrade: true"),
        "{text}"
    );
    assert!(
        !text.contains("Deployment") && !text.contains("NOTES"),
        "{text}"
    );

    let out = helm(&["template", d, "--notes", "--name", "x"]);
    assert!(stdout(&out).contains("# Source: demo/templates/NOTES.txt\nInstalled x.\n"));

    let outdir = tmp.path().join("out");
    std::fs::create_dir(&outdir).unwrap();
    let out = helm(&["template", d, "--output-dir", outdir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let written = std::fs::read_to_string(outdir.join("demo/templates/deploy.yaml")).unwrap();
    assert!(written.starts_with("---\n# Source: demo/templates/deploy.yaml\napiVersion: apps/v1"));
    assert!(stdout(&out).contains("wrote "));
}

#[test]
fn template_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    chart(&dir);
    let d = dir.to_str().unwrap();
    let missing = tmp.path().join("nochart");
    let cases: &[(&[&str], &str)] = &[
        (&["template"], "Error: chart is required\n"),
        (
            &["template", d, "--name", "Bad_Name"],
            "Error: release name Bad_Name is invalid: a DNS-1123 subdomain must consist of",
        ),
        (
            &["template", d, "-x", "templates/missing.yaml"],
            "Error: could not find template ",
        ),
        (
            &["template", d, "--kube-version", "banana"],
            "Error: could not parse a kubernetes version",
        ),
        (
            &["template", d, "--output-dir", "/nonexistent/dir"],
            "Error: output-dir '/nonexistent/dir' does not exist",
        ),
        (
            &["template", d, "--set", "a"],
            "Error: failed parsing --set data: key \"a\" has no value\n",
        ),
        (&["template", missing.to_str().unwrap()], "Error: stat "),
    ];
    for (args, want) in cases {
        let out = helm(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(stderr(&out).starts_with(want), "{args:?}: {}", stderr(&out));
    }
    // A template error names the template and position as Helm does.
    std::fs::write(
        dir.join("templates/bad.yaml"),
        "x: {{ .Values.name | nosuchfunc }}\n",
    )
    .unwrap();
    let out = helm(&["template", d]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("bad.yaml") && stderr(&out).contains("nosuchfunc"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn version_client() {
    let out = helm(&["version", "--client"]);
    assert!(out.status.success());
    assert!(
        stdout(&out).starts_with("Client: &version.Version{SemVer:\"v2.17.0\""),
        "{}",
        stdout(&out)
    );
    let out = helm(&["version", "-c", "--template", "{{ .Client.SemVer }}"]);
    assert_eq!(stdout(&out), "v2.17.0");
    let out = helm(&["version"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not implemented"));
}
