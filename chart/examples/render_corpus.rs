//! Renders every case of the conformance corpus the way Tiller would and writes the results in
//! the corpus layout, for `shared/tools/helm-oracle/compare.py`:
//!
//! ```sh
//! cargo run --release -p chart --example render_corpus -- /work/shared/corpus /tmp/ours [stable/mysql ...]
//! python3 /work/shared/tools/helm-oracle/compare.py /work/shared/corpus /tmp/ours
//! ```

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chart::engine::manifest::render_release;
use chart::engine::{CapabilitiesData, KubeVersion, ReleaseOptions, RenderOptions, Timestamp};
use chart::{load, values};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: render_corpus CORPUS OUT [CHART...]");
        std::process::exit(2);
    }
    let corpus = PathBuf::from(&args[0]);
    let out = PathBuf::from(&args[1]);
    let only: Vec<&String> = args[2..].iter().collect();
    let started = Instant::now();
    let (mut ok, mut failed) = (0, 0);
    for repo in ["stable", "incubator"] {
        let Ok(entries) = fs::read_dir(corpus.join("expected").join(repo)) else {
            continue;
        };
        let mut charts: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        charts.sort();
        for expected in charts {
            let id = format!(
                "{repo}/{}",
                expected.file_name().unwrap_or_default().to_string_lossy()
            );
            if !only.is_empty() && !only.iter().any(|o| **o == id) {
                continue;
            }
            let mut cases: Vec<PathBuf> = fs::read_dir(&expected)
                .map(|e| e.flatten().map(|x| x.path()).collect())
                .unwrap_or_default();
            cases.retain(|p| p.extension().is_some_and(|x| x == "json"));
            cases.sort();
            for case in cases {
                match render_case(&corpus, &out, &id, &case) {
                    Ok(()) => ok += 1,
                    Err(e) => {
                        failed += 1;
                        eprintln!("{}: {e}", case.display());
                    }
                }
            }
        }
    }
    eprintln!(
        "{ok} rendered, {failed} failed in {:.2}s",
        started.elapsed().as_secs_f64()
    );
}

fn render_case(corpus: &Path, out: &Path, id: &str, case: &Path) -> Result<(), String> {
    let meta: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(case).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    let case_name = meta["case"].as_str().unwrap_or("default").to_owned();
    let dir = corpus.join("charts").join(id);
    let target = out.join(id);
    fs::create_dir_all(&target).map_err(|e| e.to_string())?;
    let write = |ext: &str, text: &str| {
        fs::write(target.join(format!("{case_name}.{ext}")), text).map_err(|e| e.to_string())
    };

    let chart = load(&dir).map_err(|e| e.to_string())?;
    let mut files = Vec::new();
    let text;
    if let Some(f) = meta["values_file"].as_str() {
        text = fs::read_to_string(dir.join(f)).map_err(|e| e.to_string())?;
        files.push((f, text.as_str()));
    }
    let mut no_files = |p: &str| Err(format!("no --set-file here ({p})"));
    let user =
        values::user_values(&files, &[], &[], &[], &mut no_files).map_err(|e| e.to_string())?;
    let api_versions: Vec<String> = meta["api_versions"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let options = RenderOptions {
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
        lint_mode: false,
        subchart_notes: false,
    };
    match render_release(&chart, &user, &options) {
        Ok(release) => {
            let mut manifest = String::new();
            for m in &release.manifests {
                manifest.push_str(&format!("---\n# Source: {}\n{}\n", m.source, m.content));
            }
            write("yaml", &manifest)?;
            if !release.hooks.is_empty() {
                let mut hooks = String::new();
                for h in &release.hooks {
                    hooks.push_str(&format!("---\n# Source: {}\n{}\n", h.source, h.content));
                }
                write("hooks.yaml", &hooks)?;
            }
            if !release.notes.is_empty() {
                write("notes.txt", &release.notes)?;
            }
            Ok(())
        }
        Err(e) => {
            write("error.txt", &e.to_string())?;
            Err(e.to_string())
        }
    }
}
