//! Chart-engine conformance over the shared corpus, measured with the corpus's own comparer.
//!
//! Every case of `../shared/corpus/expected` is rendered the way Tiller renders an install
//! (requirements, coalescing, templates, hooks split off, kinds sorted) with the inputs the case
//! records, written in the layout `compare.py` reads, and compared by
//! `../shared/tools/helm-oracle/compare.py`, which applies the corpus README's normalisation
//! and prints every failing document with a diff. The number of passing cases may not fall
//! below the ratchet in `render-ratchet.txt`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use chart::engine::manifest::{manifest_text, render_release};
use chart::engine::{CapabilitiesData, KubeVersion, ReleaseOptions, RenderOptions, Timestamp};
use chart::values;

fn shared_dir() -> PathBuf {
    std::env::var_os("SHARED_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
        PathBuf::from,
    )
}

/// Every `(chart id, case, metadata)` of the corpus, in a stable order.
fn cases(corpus: &Path) -> Vec<(String, String, serde_json::Value)> {
    let expected = corpus.join("expected");
    let mut out = Vec::new();
    for repo in ["incubator", "stable"] {
        let Ok(charts) = fs::read_dir(expected.join(repo)) else {
            continue;
        };
        let mut charts: Vec<_> = charts.filter_map(Result::ok).map(|e| e.path()).collect();
        charts.sort();
        for dir in charts {
            let mut files: Vec<_> = fs::read_dir(&dir)
                .unwrap()
                .filter_map(Result::ok)
                .map(|e| e.path())
                .collect();
            files.sort();
            for f in files {
                let name = f.file_name().unwrap().to_string_lossy().into_owned();
                if let Some(case) = name.strip_suffix(".json") {
                    let meta: serde_json::Value =
                        serde_json::from_str(&fs::read_to_string(&f).unwrap()).unwrap();
                    let id = format!("{repo}/{}", dir.file_name().unwrap().to_string_lossy());
                    out.push((id, case.to_owned(), meta));
                }
            }
        }
    }
    out
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

/// Renders one case into `ours/<chart>/<case>.*`, or records why it failed.
fn render_case(corpus: &Path, ours: &Path, id: &str, case: &str, meta: &serde_json::Value) {
    let out_dir = ours.join(id);
    fs::create_dir_all(&out_dir).unwrap();
    let result = (|| -> Result<_, String> {
        let chart_dir = corpus.join("charts").join(id);
        let chart = chart::load(&chart_dir).map_err(|e| e.to_string())?;
        // The values take the client's path: parsed, merged, sent as YAML, read back.
        let mut files = Vec::new();
        if let Some(vf) = meta["values_file"].as_str() {
            files.push((
                vf.to_owned(),
                fs::read_to_string(chart_dir.join(vf)).map_err(|e| e.to_string())?,
            ));
        }
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        let merged =
            values::user_values(&refs, &[], &[], &[], &mut |p| Err(format!("no file {p}")))
                .map_err(|e| e.to_string())?;
        let user = values::read_values(&values::to_yaml(&merged).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
        render_release(&chart, &user, &options(meta)).map_err(|e| e.to_string())
    })();
    match result {
        Ok(release) => {
            fs::write(
                out_dir.join(format!("{case}.yaml")),
                manifest_text(&release.manifests),
            )
            .unwrap();
            let hooks: String = release
                .hooks
                .iter()
                .map(|h| format!("---\n# Source: {}\n{}\n", h.source, h.content))
                .collect();
            if !hooks.is_empty() {
                fs::write(out_dir.join(format!("{case}.hooks.yaml")), hooks).unwrap();
            }
            if !release.notes.is_empty() {
                fs::write(out_dir.join(format!("{case}.notes.txt")), &release.notes).unwrap();
            }
        }
        Err(err) => fs::write(out_dir.join(format!("{case}.error.txt")), err).unwrap(),
    }
}

#[test]
fn corpus_renders_match_helm() {
    let shared = shared_dir();
    let corpus = shared.join("corpus");
    let comparer = shared.join("tools/helm-oracle/compare.py");
    assert!(
        corpus.join("expected").is_dir() && comparer.is_file(),
        "the shared corpus and its comparer are required at {} (set SHARED_DIR)",
        shared.display()
    );
    let ours = tempfile_dir();
    let all = cases(&corpus);
    assert!(all.len() > 200, "only {} corpus cases found", all.len());
    for (id, case, meta) in &all {
        render_case(&corpus, &ours, id, case, meta);
    }

    let output = Command::new("python3")
        .arg(&comparer)
        .arg(&corpus)
        .arg(&ours)
        .output()
        .expect("running python3 compare.py");
    let report = String::from_utf8_lossy(&output.stdout);
    eprintln!("{report}");
    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    let last = report
        .lines()
        .rev()
        .find(|l| l.contains(" passed, "))
        .expect("compare.py printed no summary");
    let passed: usize = last
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("pass count");

    let ratchet_file = Path::new(env!("CARGO_MANIFEST_DIR")).join("render-ratchet.txt");
    let ratchet: usize = fs::read_to_string(&ratchet_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(
        passed >= ratchet,
        "corpus conformance fell from {ratchet} to {passed} passing cases: {last}"
    );
    if passed > ratchet {
        eprintln!(
            "corpus conformance rose to {passed} (ratchet {ratchet}): raise {}",
            ratchet_file.display()
        );
    }
    let _ = fs::remove_dir_all(&ours);
}

fn tempfile_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("render-corpus-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}
