//! The render engine on hand-built charts: the top-level object, subchart scoping, define
//! precedence, include/tpl/required, `.Files`, errors, and the release assembly.

use std::fs;
use std::path::Path;

use chart::engine::manifest::{render_release, template_output};
use chart::engine::render::render;
use chart::engine::{CapabilitiesData, KubeVersion, ReleaseOptions, RenderOptions, Timestamp};
use chart::{Chart, Values, load, values};

fn write(root: &Path, rel: &str, content: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, content).unwrap();
}

fn options() -> RenderOptions {
    RenderOptions {
        release: ReleaseOptions {
            name: "rel".into(),
            namespace: "ns".into(),
            revision: 3,
            is_install: false,
            is_upgrade: true,
            time: Timestamp {
                seconds: 1_700_000_000,
                nanos: 5,
            },
        },
        capabilities: CapabilitiesData {
            api_versions: vec!["v1".into(), "apps/v1".into()],
            kube_version: KubeVersion::from_git_version("v1.16.15"),
            ..CapabilitiesData::default()
        },
        lint_mode: false,
        subchart_notes: false,
    }
}

fn render_dir(
    dir: &Path,
    user: &str,
) -> Result<std::collections::BTreeMap<String, String>, String> {
    let c = load(dir).map_err(|e| e.to_string())?;
    let user = values::read_values(user).map_err(|e| e.to_string())?;
    let v = values::coalesce_values(&c, &user).map_err(|e| e.to_string())?;
    render(&c, &v, &options()).map_err(|e| e.to_string())
}

fn one(dir: &Path, template: &str, user: &str) -> Result<String, String> {
    write(dir, "templates/t.yaml", template);
    let out = render_dir(dir, user)?;
    Ok(out.get("top/templates/t.yaml").cloned().unwrap_or_default())
}

fn top(dir: &Path) {
    write(
        dir,
        "Chart.yaml",
        "name: top\nversion: 1.2.3\nappVersion: \"4.5\"\n",
    );
    write(
        dir,
        "values.yaml",
        "name: world\nport: 8080\nglobal:\n  region: eu\nsub:\n  greeting: hi\n",
    );
    write(
        dir,
        "templates/_helpers.tpl",
        "{{- define \"shared\" -}}top-def{{- end -}}",
    );
    write(dir, "files/a.txt", "alpha\nbeta");
    write(dir, "files/b.conf", "k=v");
    write(dir, "charts/sub/Chart.yaml", "name: sub\nversion: 0.1.0\n");
    write(
        dir,
        "charts/sub/values.yaml",
        "greeting: hello\nown: mine\n",
    );
    write(
        dir,
        "charts/sub/templates/_helpers.tpl",
        "{{- define \"shared\" -}}sub-def{{- end -}}",
    );
    write(
        dir,
        "charts/sub/templates/s.yaml",
        "{{ .Values.greeting }} {{ .Values.own }} {{ .Values.global.region }} {{ .Values.name }}|{{ .Chart.Name }}|{{ .Template.Name }}|{{ include \"shared\" . }}",
    );
}

#[test]
fn top_level_object() {
    let dir = tempfile::tempdir().unwrap();
    top(dir.path());
    let t = "{{ .Values.name }} {{ .Values.port }} {{ .Values.missing }}|{{ .Release.Name }} {{ .Release.Namespace }} {{ .Release.Revision }} {{ .Release.IsUpgrade }} {{ .Release.IsInstall }} {{ .Release.Service }} {{ .Release.Time.Seconds }}|{{ .Chart.Name }} {{ .Chart.Version }} {{ .Chart.AppVersion }}|{{ .Template.Name }} {{ .Template.BasePath }}|{{ .Capabilities.APIVersions.Has \"apps/v1\" }} {{ .Capabilities.APIVersions.Has \"batch/v1\" }} {{ .Capabilities.KubeVersion }} {{ .Capabilities.KubeVersion.Minor }} {{ .Capabilities.TillerVersion.SemVer }}";
    assert_eq!(
        one(dir.path(), t, "").unwrap(),
        "world 8080 |rel ns 3 true false Tiller 1700000000|top 1.2.3 4.5|top/templates/t.yaml top/templates|true false v1.16.15 16 v2.17.0"
    );
    // `<no value>` is removed even when it comes from a value.
    assert_eq!(
        one(dir.path(), "[{{ .Values.x }}]", "x: <no value>!\n").unwrap(),
        "[!]"
    );
}

#[test]
fn subcharts_and_defines() {
    let dir = tempfile::tempdir().unwrap();
    top(dir.path());
    write(dir.path(), "templates/t.yaml", "{{ include \"shared\" . }}");
    let out = render_dir(dir.path(), "").unwrap();
    // The top chart's define wins over the subchart's, even inside the subchart.
    assert_eq!(out["top/templates/t.yaml"], "top-def");
    assert_eq!(
        out["top/charts/sub/templates/s.yaml"],
        "hi mine eu |sub|top/charts/sub/templates/s.yaml|top-def"
    );
    assert!(
        !out.contains_key("top/templates/_helpers.tpl"),
        "partials are not output"
    );
}

#[test]
fn include_tpl_required() {
    let dir = tempfile::tempdir().unwrap();
    top(dir.path());
    write(
        dir.path(),
        "templates/_more.tpl",
        "{{ define \"rec\" }}{{ include \"rec\" . }}{{ end }}{{ define \"v\" }}[{{ .Values.name }}]{{ end }}",
    );
    assert_eq!(
        one(dir.path(), "{{ include \"v\" . | upper }}", "").unwrap(),
        "[WORLD]"
    );
    let many = "{{ range $i := until 4000 }}{{ include \"v\" $ }}{{ end }}";
    assert_eq!(one(dir.path(), many, "").unwrap().len(), 4000 * 7);
    let e = one(dir.path(), "{{ include \"rec\" . }}", "").unwrap_err();
    assert!(
        e.starts_with("render error in \"top/templates/t.yaml\": "),
        "{e}"
    );
    assert!(
        e.ends_with(
            "rendering template has a nested reference name: rec: unable to execute template"
        ),
        "{e}"
    );
    let e = one(dir.path(), "{{ include \"nope\" . }}", "").unwrap_err();
    assert!(
        e.contains("no template \\\"nope\\\"") || e.contains("no template \"nope\""),
        "{e}"
    );

    assert_eq!(
        one(
            dir.path(),
            "{{ tpl \"{{ .Values.name }}-{{ include \\\"v\\\" . }}\" . }}",
            ""
        )
        .unwrap(),
        "world-[world]"
    );
    assert_eq!(
        one(
            dir.path(),
            "{{ tpl .Values.t $ }}",
            "t: \"{{ .Template.Name }}\"\n"
        )
        .unwrap(),
        "top/templates/t.yaml"
    );
    let e = one(dir.path(), "{{ tpl \"x\" .Values }}", "").unwrap_err();
    assert!(
        e.contains("Cannot retrieve Template.Basepath from values inside tpl function: x"),
        "{e}"
    );
    let e = one(dir.path(), "{{ tpl \"{{ .Values.nope.deeper }}\" . }}", "").unwrap_err();
    assert!(
        e.contains("Error during tpl function execution for \"{{ .Values.nope.deeper }}\""),
        "{e}"
    );

    assert_eq!(
        one(dir.path(), "{{ required \"need it\" .Values.name }}", "").unwrap(),
        "world"
    );
    let e = one(dir.path(), "{{ required \"need it\" .Values.nope }}", "").unwrap_err();
    assert!(e.ends_with("need it"), "{e}");
    let e = one(
        dir.path(),
        "{{ required \"empty\" .Values.e }}",
        "e: \"\"\n",
    )
    .unwrap_err();
    assert!(e.ends_with("empty"), "{e}");
    assert_eq!(
        one(dir.path(), "{{ required \"zero ok\" .Values.z }}", "z: 0\n").unwrap(),
        "0"
    );
}

#[test]
fn files_object() {
    let dir = tempfile::tempdir().unwrap();
    top(dir.path());
    let t = "{{ .Files.Get \"files/a.txt\" }}|{{ index (.Files.Lines \"files/a.txt\") 1 }}|{{ (.Files.Glob \"files/*.conf\").AsConfig }}|{{ range $p, $b := .Files.Glob \"files/*\" }}{{ $p }}={{ $b | toString }};{{ end }}|{{ (.Files.Glob \"files/b.conf\").AsSecrets }}";
    assert_eq!(
        one(dir.path(), t, "").unwrap(),
        "alpha\nbeta|beta|b.conf: k=v\n|files/a.txt=alpha\nbeta;files/b.conf=k=v;|b.conf: az12\n"
    );
}

#[test]
fn errors_name_the_template() {
    let dir = tempfile::tempdir().unwrap();
    top(dir.path());
    let e = one(dir.path(), "{{ .Values.name ", "").unwrap_err();
    assert!(
        e.starts_with("parse error in \"top/templates/t.yaml\": template: top/templates/t.yaml:1:"),
        "{e}"
    );
    let e = one(dir.path(), "{{ .Values.nope.deeper }}", "").unwrap_err();
    assert!(
        e.starts_with(
            "render error in \"top/templates/t.yaml\": template: top/templates/t.yaml:1:"
        ),
        "{e}"
    );
    assert!(
        e.contains("nil pointer evaluating interface {}.deeper"),
        "{e}"
    );
    let e = one(dir.path(), "{{ undefinedFunc 1 }}", "").unwrap_err();
    assert!(e.contains("function \"undefinedFunc\" not defined"), "{e}");
    let e = one(dir.path(), "{{ env \"HOME\" }}", "").unwrap_err();
    assert!(e.contains("function \"env\" not defined"), "{e}");
}

fn release_chart(dir: &Path) -> Chart {
    top(dir);
    write(
        dir,
        "requirements.yaml",
        "dependencies:\n- name: sub\n  version: 0.1.0\n  condition: sub.enabled\n",
    );
    write(
        dir,
        "templates/NOTES.txt",
        "Thanks for installing {{ .Chart.Name }}",
    );
    write(dir, "charts/sub/templates/NOTES.txt", "sub notes");
    write(
        dir,
        "templates/svc.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}-svc\n",
    );
    write(
        dir,
        "templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n---\n# empty\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n",
    );
    write(
        dir,
        "templates/test.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: t\n  annotations:\n    \"helm.sh/hook\": test-success\n",
    );
    write(
        dir,
        "charts/sub/templates/s.yaml",
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ .Values.greeting }}\n",
    );
    load(dir).unwrap()
}

#[test]
fn release_assembly() {
    let dir = tempfile::tempdir().unwrap();
    let c = release_chart(dir.path());
    let r = render_release(&c, &Values::new(), &options()).unwrap();
    assert_eq!(r.notes, "Thanks for installing top");
    let order: Vec<(&str, &str)> = r
        .manifests
        .iter()
        .map(|m| (m.kind.as_str(), m.name.as_str()))
        .collect();
    assert_eq!(
        order,
        [
            ("Secret", "s"),
            ("ConfigMap", "cm"),
            ("ServiceAccount", "hi"),
            ("Service", "rel-svc"),
            // A comment-only document stays in the manifest with an empty (unknown) kind.
            ("", ""),
        ]
    );
    assert_eq!(r.hooks.len(), 1);
    assert_eq!(r.hooks[0].events, ["test-success"]);
    assert_eq!(
        r.manifests[0].content,
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s"
    );
    assert_eq!(
        values::path_value(&r.values, "sub.global.region"),
        Ok(&values::Value::from("eu"))
    );

    let off = values::read_values("sub:\n  enabled: false\n").unwrap();
    let r = render_release(&c, &off, &options()).unwrap();
    assert!(r.manifests.iter().all(|m| !m.source.contains("charts/sub")));

    let mut with_sub_notes = options();
    with_sub_notes.subchart_notes = true;
    let r = render_release(&c, &Values::new(), &with_sub_notes).unwrap();
    assert_eq!(r.notes, "sub notes\nThanks for installing top");

    let mut old_kube = options();
    old_kube.capabilities.kube_version = KubeVersion::from_git_version("v1.9.0+k3s1");
    let mut strict = c.clone();
    strict.metadata.kube_version = ">=1.10.0".into();
    assert_eq!(
        render_release(&strict, &Values::new(), &old_kube)
            .unwrap_err()
            .to_string(),
        "Chart requires kubernetesVersion: >=1.10.0 which is incompatible with Kubernetes v1.9.0"
    );
    assert!(render_release(&strict, &Values::new(), &options()).is_ok());
    let mut tiller = c.clone();
    tiller.metadata.tiller_version = ">=3.0.0".into();
    assert_eq!(
        render_release(&tiller, &Values::new(), &options())
            .unwrap_err()
            .to_string(),
        "Chart incompatible with Tiller v2.17.0"
    );

    write(
        dir.path(),
        "requirements.yaml",
        "dependencies:\n- name: sub\n- name: absent\n",
    );
    let c = load(dir.path()).unwrap();
    let e = render_release(&c, &Values::new(), &options()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "found in requirements.yaml, but missing in charts/ directory: absent"
    );
}

#[test]
fn helm_template_output_of_a_chart() {
    let dir = tempfile::tempdir().unwrap();
    let c = release_chart(dir.path());
    let v = values::coalesce_values(&c, &Values::new()).unwrap();
    let out = render(&c, &v, &RenderOptions::default()).unwrap();
    let text = template_output(&out, false);
    assert!(
        text.starts_with("---\n# Source: top/templates/cm.yaml\n"),
        "{text}"
    );
    assert!(!text.contains("NOTES.txt"));
    assert!(text.contains("---\n# Source: top/charts/sub/templates/s.yaml\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: hi\n"));
}
