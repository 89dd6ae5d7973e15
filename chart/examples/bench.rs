//! Benchmark of the chart engine: prints figures, asserts nothing.
//!
//! ```sh
//! cargo run --release -p chart --example bench -- [--iterations N] [--no-helm] [--verbose]
//! ```
//!
//! 1. The public conformance corpus (`$SHARED_DIR/corpus`, default `<repo>/../shared/corpus`):
//!    every case rendered with the inputs of its `expected/<chart>/<case>.json`, as the
//!    conformance test does; each chart timed for load + values + render + sort, `N` times.
//! 2. A synthetic chart of 1,000 templates (helpers through `include`, `range`, `with`, `toYaml`
//!    and Sprig calls), written to a temporary folder and loaded and rendered `N` times.
//! 3. The real Helm library's `lint` (it loads the chart and renders every template) over the
//!    same charts, driven from one Python process by `chart/benches/helm_lint.py` so the
//!    library loads once; its per-chart median is compared with ours.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use chart::engine::manifest::render_release;
use chart::engine::{CapabilitiesData, KubeVersion, ReleaseOptions, RenderOptions, Timestamp};
use chart::{load, values};

/// One corpus case: the chart folder and the inputs its metadata records.
struct Case {
    values_file: Option<String>,
    meta: serde_json::Value,
}

/// A chart of the corpus and its cases.
struct CorpusChart {
    id: String,
    dir: PathBuf,
    cases: Vec<Case>,
    /// Whether a template calls Sprig's key generators: RSA key generation dominates such a
    /// chart's time and is random, so the figures are also given without these charts.
    generates_keys: bool,
}

fn main() {
    if let Err(e) = run() {
        eprintln!("bench: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let mut iterations = 5usize;
    let mut with_helm = true;
    let mut verbose = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--iterations" => {
                let v = args.next().ok_or("--iterations needs a number")?;
                iterations = v
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("--iterations: {v:?} is not a positive number"))?;
            }
            "--no-helm" => with_helm = false,
            "--verbose" => verbose = true,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let shared = std::env::var_os("SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo.join("../shared"));
    let corpus_dir = shared.join("corpus");
    let corpus_dir = corpus_dir.canonicalize().unwrap_or(corpus_dir);
    let corpus = read_corpus(&corpus_dir)?;
    let case_count: usize = corpus.iter().map(|c| c.cases.len()).sum();
    println!(
        "corpus: {} charts, {case_count} cases ({}), {iterations} iterations",
        corpus.len(),
        corpus_dir.display()
    );

    // Every case of every chart, N times; a chart's figure is its median over the iterations.
    let mut all_cases: Vec<Vec<Duration>> = vec![Vec::new(); corpus.len()];
    let mut default_only: Vec<Vec<Duration>> = vec![Vec::new(); corpus.len()];
    let mut totals = Vec::new();
    let mut failures = 0;
    // One unmeasured round first, so file caches are warm for us as for Helm.
    for round in 0..=iterations {
        let started = Instant::now();
        failures = 0;
        for (i, c) in corpus.iter().enumerate() {
            let mut chart_time = Duration::ZERO;
            for case in &c.cases {
                let t = Instant::now();
                if render_case(&c.dir, case).is_err() {
                    failures += 1;
                }
                let took = t.elapsed();
                chart_time += took;
                if case.values_file.is_none() && round > 0 {
                    default_only[i].push(took);
                }
            }
            if round > 0 {
                all_cases[i].push(chart_time);
            }
        }
        if round > 0 {
            totals.push(started.elapsed());
        }
    }
    let ours_total = median(&mut totals);
    let ours_per_chart: Vec<Duration> = all_cases.iter_mut().map(|v| median(v)).collect();
    let ours_default: Vec<Duration> = default_only
        .iter_mut()
        .filter(|v| !v.is_empty())
        .map(|v| median(v))
        .collect();
    println!(
        "ours, all {case_count} cases: total {} (median of {iterations}; {failures} cases end in \
         an error, as Helm's do)",
        ms(ours_total)
    );
    println!("  per chart (all its cases): {}", spread(&ours_per_chart));
    println!(
        "  per chart (default values only, as lint): {}; sum {}",
        spread(&ours_default),
        ms(ours_default.iter().sum())
    );

    let mut slowest: Vec<(Duration, &str)> = ours_per_chart
        .iter()
        .zip(&corpus)
        .map(|(d, c)| (*d, c.id.as_str()))
        .collect();
    slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
    let top: Vec<String> = slowest
        .iter()
        .take(5)
        .map(|(d, id)| format!("{id} {}", ms(*d)))
        .collect();
    println!("  slowest: {}", top.join(", "));

    synthetic(iterations)?;

    if with_helm {
        match helm_lint(&repo, &shared, &corpus, iterations) {
            Ok(helm) => {
                let helm_total: Duration = helm.iter().sum();
                if verbose {
                    println!("per chart: ours (all cases) / helm lint, milliseconds");
                    for ((c, o), h) in corpus.iter().zip(&ours_per_chart).zip(&helm) {
                        println!(
                            "  {:<40} {:>9.2} {:>9.2}",
                            c.id,
                            o.as_secs_f64() * 1e3,
                            h.as_secs_f64() * 1e3
                        );
                    }
                }
                println!(
                    "helm v4 library lint, {} charts (default values): total {} (per-chart \
                     medians of {iterations} runs)",
                    helm.len(),
                    ms(helm_total)
                );
                println!("  per chart: {}", spread(&helm));
                println!(
                    "ratio, whole corpus: helm lint (default values) / ours (all {case_count} \
                     cases) = {:.1}x",
                    helm_total.as_secs_f64() / ours_total.as_secs_f64()
                );
                let ours_default_sum: Duration = ours_default.iter().sum();
                println!(
                    "ratio, same charts and values: helm lint / ours (default cases) = {:.1}x",
                    helm_total.as_secs_f64() / ours_default_sum.as_secs_f64()
                );
                let keyless = |times: &[Duration]| -> Duration {
                    times
                        .iter()
                        .zip(&corpus)
                        .filter(|(_, c)| !c.generates_keys)
                        .map(|(d, _)| *d)
                        .sum()
                };
                let with_keys: Vec<&str> = corpus
                    .iter()
                    .filter(|c| c.generates_keys)
                    .map(|c| c.id.as_str())
                    .collect();
                let (ours_rest, helm_rest) = (keyless(&ours_per_chart), keyless(&helm));
                println!(
                    "without the {} charts that generate RSA keys ({}): ours (all cases) {}, \
                     helm lint {}, ratio {:.1}x",
                    with_keys.len(),
                    with_keys.join(", "),
                    ms(ours_rest),
                    ms(helm_rest),
                    helm_rest.as_secs_f64() / ours_rest.as_secs_f64()
                );
            }
            Err(e) => println!("helm lint: skipped ({e})"),
        }
    }
    Ok(())
}

/// The corpus's charts and cases, read once before any timing.
fn read_corpus(corpus: &Path) -> Result<Vec<CorpusChart>, String> {
    let mut out = Vec::new();
    for repo in ["stable", "incubator"] {
        let expected = corpus.join("expected").join(repo);
        let entries = fs::read_dir(&expected)
            .map_err(|e| format!("cannot read {}: {e} (set SHARED_DIR)", expected.display()))?;
        let mut dirs: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        dirs.sort();
        for dir in dirs {
            let name = dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mut files: Vec<PathBuf> = fs::read_dir(&dir)
                .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect();
            files.sort();
            let mut cases = Vec::new();
            for f in files {
                let text = fs::read_to_string(&f)
                    .map_err(|e| format!("cannot read {}: {e}", f.display()))?;
                let meta: serde_json::Value = serde_json::from_str(&text)
                    .map_err(|e| format!("{}: invalid JSON: {e}", f.display()))?;
                cases.push(Case {
                    values_file: meta["values_file"].as_str().map(str::to_owned),
                    meta,
                });
            }
            let chart_dir = corpus.join("charts").join(repo).join(&name);
            out.push(CorpusChart {
                id: format!("{repo}/{name}"),
                generates_keys: mentions_key_generation(&chart_dir),
                dir: chart_dir,
                cases,
            });
        }
    }
    Ok(out)
}

/// Whether any text file under `dir` calls `genCA`, `genSignedCert`, `genSelfSignedCert` or
/// `genPrivateKey`.
fn mentions_key_generation(dir: &Path) -> bool {
    let Ok(entries) = fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let path = e.path();
        if path.is_dir() {
            return mentions_key_generation(&path);
        }
        fs::read_to_string(&path).is_ok_and(|text| {
            [
                "genCA",
                "genSignedCert",
                "genSelfSignedCert",
                "genPrivateKey",
            ]
            .iter()
            .any(|f| text.contains(f))
        })
    })
}

/// Load, values, render and sort of one case, as Tiller does them for an install.
fn render_case(dir: &Path, case: &Case) -> Result<usize, String> {
    let chart = load(dir).map_err(|e| e.to_string())?;
    let text;
    let mut files = Vec::new();
    if let Some(f) = &case.values_file {
        text = fs::read_to_string(dir.join(f)).map_err(|e| e.to_string())?;
        files.push((f.as_str(), text.as_str()));
    }
    let user = values::user_values(&files, &[], &[], &[], &mut |p| {
        Err(format!("no --set-file here ({p})"))
    })
    .map_err(|e| e.to_string())?;
    let release = render_release(&chart, &user, &options(&case.meta)).map_err(|e| e.to_string())?;
    Ok(release.manifests.len() + release.hooks.len())
}

fn options(meta: &serde_json::Value) -> RenderOptions {
    let api_versions = meta["api_versions"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    RenderOptions {
        release: ReleaseOptions {
            name: meta["release_name"].as_str().unwrap_or("rel").to_owned(),
            namespace: meta["namespace"].as_str().unwrap_or("default").to_owned(),
            revision: 1,
            is_install: true,
            is_upgrade: false,
            time: Timestamp::now(),
        },
        capabilities: CapabilitiesData {
            api_versions,
            kube_version: KubeVersion::from_git_version(
                meta["kube_git_version"].as_str().unwrap_or("v1.16.15"),
            ),
            ..CapabilitiesData::default()
        },
        ..RenderOptions::default()
    }
}

const TEMPLATES: usize = 1000;

/// Writes the synthetic chart, then loads and renders it `iterations` times.
fn synthetic(iterations: usize) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| format!("temporary folder: {e}"))?;
    let root = dir.path().join("synthetic");
    write_synthetic(&root)?;
    let meta = serde_json::json!({});
    let case = Case {
        values_file: None,
        meta,
    };
    let documents = render_case(&root, &case).map_err(|e| format!("synthetic chart: {e}"))?;
    let mut load_times = Vec::new();
    let mut times = Vec::new();
    for _ in 0..iterations {
        let t = Instant::now();
        load(&root).map_err(|e| e.to_string())?;
        load_times.push(t.elapsed());
        let t = Instant::now();
        render_case(&root, &case)?;
        times.push(t.elapsed());
    }
    let best = times.iter().min().copied().unwrap_or_default();
    println!(
        "synthetic chart, {TEMPLATES} templates ({documents} documents): load + render + sort \
         median {} (best {}; load alone {}), {iterations} iterations",
        ms(median(&mut times)),
        ms(best),
        ms(median(&mut load_times))
    );
    Ok(())
}

fn write_synthetic(root: &Path) -> Result<(), String> {
    let templates = root.join("templates");
    fs::create_dir_all(&templates).map_err(|e| format!("{}: {e}", templates.display()))?;
    let write = |path: PathBuf, text: &str| {
        fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
    };
    write(
        root.join("Chart.yaml"),
        "apiVersion: v1\nname: synthetic\nversion: 1.2.3\nappVersion: \"4.5\"\n",
    )?;
    write(
        root.join("values.yaml"),
        r#"replicaCount: 2
image:
  repository: registry.example.com/team/app
  tag: ""
  pullPolicy: IfNotPresent
env:
  LOG_LEVEL: info
  FEATURE_X: "true"
  TIMEOUT: 30
  REGION: eu-west-1
  MODE: production
ports:
  - name: http
    port: 8080
  - name: metrics
    port: 9090
  - name: admin
    port: 9000
resources:
  limits:
    cpu: 500m
    memory: 256Mi
  requests:
    cpu: 100m
    memory: 128Mi
nodeSelector:
  kubernetes.io/os: linux
config:
  retries: 3
  endpoint: https://api.example.com
  cache: true
  ratio: 0.75
  owners: [alice, bob]
"#,
    )?;
    write(
        templates.join("_helpers.tpl"),
        r#"{{- define "syn.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "syn.fullname" -}}
{{- printf "%s-%s" .Release.Name (include "syn.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "syn.labels" -}}
app.kubernetes.io/name: {{ include "syn.name" . }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}
"#,
    )?;
    for i in 0..TEMPLATES {
        let mut t = String::new();
        // Three kinds, like a real chart: workloads, their services and their configuration.
        match i % 3 {
            0 => {
                let _ = write!(
                    t,
                    r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{{{ include "syn.fullname" . }}}}-w{i}
  labels:
{{{{ include "syn.labels" . | indent 4 }}}}
  annotations:
    checksum/config: {{{{ toYaml .Values.config | sha256sum }}}}
spec:
  replicas: {{{{ .Values.replicaCount }}}}
  selector:
    matchLabels:
      app: {{{{ include "syn.name" . }}}}-w{i}
  template:
    metadata:
      labels:
        app: {{{{ include "syn.name" . }}}}-w{i}
    spec:
      containers:
        - name: w{i}
          image: "{{{{ .Values.image.repository }}}}:{{{{ .Values.image.tag | default .Chart.AppVersion }}}}"
          imagePullPolicy: {{{{ .Values.image.pullPolicy }}}}
          env:
          {{{{- range $k, $v := .Values.env }}}}
            - name: {{{{ $k | upper }}}}
              value: {{{{ $v | quote }}}}
          {{{{- end }}}}
          ports:
          {{{{- range .Values.ports }}}}
            - name: {{{{ .name }}}}
              containerPort: {{{{ .port }}}}
          {{{{- end }}}}
          resources:
{{{{ toYaml .Values.resources | indent 12 }}}}
      {{{{- with .Values.nodeSelector }}}}
      nodeSelector:
{{{{ toYaml . | indent 8 }}}}
      {{{{- end }}}}
"#
                );
            }
            1 => {
                let _ = write!(
                    t,
                    r#"apiVersion: v1
kind: Service
metadata:
  name: {{{{ include "syn.fullname" . }}}}-s{i}
  labels:
{{{{ include "syn.labels" . | indent 4 }}}}
spec:
  type: {{{{ .Values.serviceType | default "ClusterIP" }}}}
  ports:
  {{{{- range $i, $p := .Values.ports }}}}
    - name: {{{{ $p.name }}}}
      port: {{{{ add $p.port 1 }}}}
      targetPort: {{{{ $p.name }}}}
  {{{{- end }}}}
  selector:
    app: {{{{ include "syn.name" . }}}}-w{i}
"#
                );
            }
            _ => {
                let _ = write!(
                    t,
                    r#"{{{{- if .Values.config }}}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{{{ printf "%s-c%d" (include "syn.fullname" .) {i} }}}}
  labels:
{{{{ include "syn.labels" . | indent 4 }}}}
data:
  {{{{- range $k, $v := .Values.config }}}}
  {{{{ $k }}}}: {{{{ $v | toJson | quote }}}}
  {{{{- end }}}}
  owners: {{{{ .Values.config.owners | join "," | quote }}}}
  config.yaml: |
{{{{ toYaml .Values.config | indent 4 }}}}
{{{{- end }}}}
"#
                );
            }
        }
        write(templates.join(format!("t{i:04}.yaml")), &t)?;
    }
    Ok(())
}

/// Runs `chart/benches/helm_lint.py` over the corpus charts; the per-chart medians, in
/// corpus order.
fn helm_lint(
    repo: &Path,
    shared: &Path,
    corpus: &[CorpusChart],
    iterations: usize,
) -> Result<Vec<Duration>, String> {
    let script = repo.join("chart/benches/helm_lint.py");
    // One extra run per chart, dropped below, warms Helm up as our unmeasured round warms us.
    let output = Command::new("python3")
        .arg(&script)
        .arg("--repeat")
        .arg((iterations + 1).to_string())
        .arg("--shared")
        .arg(shared)
        .args(corpus.iter().map(|c| &c.dir))
        .output()
        .map_err(|e| format!("cannot run python3 {}: {e}", script.display()))?;
    if !output.status.success() {
        return Err(format!(
            "{} failed: {}",
            script.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("{} printed invalid JSON: {e}", script.display()))?;
    let errors = report["errors"].as_object().map_or(0, |e| e.len());
    if errors > 0 {
        println!("helm lint: {errors} charts end in a lint error (their time still counts)");
    }
    let mut out = Vec::new();
    for c in corpus {
        let key = c.dir.to_string_lossy();
        let runs = report["charts"][key.as_ref()]
            .as_array()
            .ok_or_else(|| format!("no helm timing for {}", c.id))?;
        let mut times: Vec<Duration> = runs
            .iter()
            .skip(1)
            .filter_map(|s| s.as_f64())
            .filter_map(|s| Duration::try_from_secs_f64(s).ok())
            .collect();
        out.push(median(&mut times));
    }
    Ok(out)
}

fn median(times: &mut [Duration]) -> Duration {
    if times.is_empty() {
        return Duration::ZERO;
    }
    times.sort();
    times[times.len() / 2]
}

/// Nearest-rank percentile of sorted durations.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn spread(times: &[Duration]) -> String {
    let mut sorted = times.to_vec();
    sorted.sort();
    format!(
        "p50 {}, p99 {}, max {}",
        ms(percentile(&sorted, 50.0)),
        ms(percentile(&sorted, 99.0)),
        ms(sorted.last().copied().unwrap_or_default())
    )
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}
