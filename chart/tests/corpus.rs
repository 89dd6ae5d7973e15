//! Every chart of the shared corpus (real Helm v2-era charts) must load, pass the dependency
//! check, and have the values of every recorded case coalesced without error.

use std::fs;
use std::path::{Path, PathBuf};

use chart::{Chart, Values, load, requirements, values};

fn corpus() -> PathBuf {
    let dir = std::env::var_os("CHART_CORPUS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"),
        PathBuf::from,
    );
    assert!(
        dir.join("charts").is_dir(),
        "corpus not found at {} (set CHART_CORPUS)",
        dir.display()
    );
    dir
}

fn chart_dirs(root: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for repo in ["stable", "incubator"] {
        let Ok(entries) = fs::read_dir(root.join("charts").join(repo)) else {
            continue;
        };
        for e in entries.flatten() {
            if e.path().is_dir() {
                out.push((
                    format!("{repo}/{}", e.file_name().to_string_lossy()),
                    e.path(),
                ));
            }
        }
    }
    out.sort();
    out
}

fn count(c: &Chart) -> usize {
    1 + c.dependencies.iter().map(count).sum::<usize>()
}

#[test]
fn every_corpus_chart_loads() {
    let root = corpus();
    let dirs = chart_dirs(&root);
    assert!(
        dirs.len() >= 190,
        "expected the public corpus, found {} charts",
        dirs.len()
    );
    let mut failures = Vec::new();
    let mut with_deps = 0;
    for (id, dir) in &dirs {
        match load(dir) {
            Ok(c) => {
                let meta: serde_json::Value = serde_json::from_str(
                    &fs::read_to_string(root.join("expected").join(id).join("default.json"))
                        .unwrap_or_else(|e| panic!("{id}: default.json: {e}")),
                )
                .unwrap_or_else(|e| panic!("{id}: default.json: {e}"));
                if meta["chart_name"].as_str() != Some(c.metadata.name.as_str()) {
                    failures.push(format!(
                        "{id}: name {:?} vs {}",
                        c.metadata.name, meta["chart_name"]
                    ));
                }
                if meta["chart_version"].as_str() != Some(c.metadata.version.as_str()) {
                    failures.push(format!(
                        "{id}: version {:?} vs {}",
                        c.metadata.version, meta["chart_version"]
                    ));
                }
                if dir.join("requirements.yaml").exists()
                    && let Err(e) = requirements::check_dependencies(&c)
                {
                    failures.push(format!("{id}: {e}"));
                }
                // Every vendored subchart (charts/<dir> or charts/<x>.tgz) is loaded.
                let vendored = fs::read_dir(dir.join("charts"))
                    .map(|entries| {
                        entries
                            .flatten()
                            .filter(|e| {
                                let n = e.file_name().to_string_lossy().into_owned();
                                !n.starts_with('.') && !n.starts_with('_') && !n.ends_with(".prov")
                            })
                            .count()
                    })
                    .unwrap_or(0);
                if vendored > 0 {
                    with_deps += 1;
                }
                if vendored != c.dependencies.len() {
                    failures.push(format!(
                        "{id}: {vendored} subcharts in charts/, {} loaded",
                        c.dependencies.len()
                    ));
                }
                if c.templates.is_empty() {
                    failures.push(format!("{id}: no templates"));
                }
                assert!(count(&c) >= 1);
            }
            Err(e) => failures.push(format!("{id}: {e}")),
        }
    }
    assert!(
        with_deps > 0,
        "no corpus chart with requirements.yaml found"
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_corpus_case_coalesces() {
    let root = corpus();
    let mut failures = Vec::new();
    let mut cases = 0;
    for (id, dir) in chart_dirs(&root) {
        let Ok(entries) = fs::read_dir(root.join("expected").join(&id)) else {
            continue;
        };
        let mut jsons: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        jsons.sort();
        for json in jsons {
            cases += 1;
            let meta: serde_json::Value =
                serde_json::from_str(&fs::read_to_string(&json).unwrap_or_default())
                    .unwrap_or_default();
            let user: Values = match meta["values_file"].as_str() {
                None => Values::new(),
                Some(f) => {
                    match values::read_values(&fs::read_to_string(dir.join(f)).unwrap_or_default())
                    {
                        Ok(v) => v,
                        Err(e) => {
                            failures.push(format!("{id} {f}: {e}"));
                            continue;
                        }
                    }
                }
            };
            let mut c = match load(&dir) {
                Ok(c) => c,
                Err(e) => {
                    failures.push(format!("{id}: {e}"));
                    continue;
                }
            };
            let result = requirements::process_enabled(&mut c, &user)
                .and_then(|()| requirements::process_import_values(&mut c))
                .map_err(|e| e.to_string())
                .and_then(|()| values::coalesce_values(&c, &user).map_err(|e| e.to_string()));
            match result {
                Ok(v) => {
                    // Every enabled subchart gets its own section with a global table.
                    for d in &c.dependencies {
                        if values::table(&v, &format!("{}.global", d.metadata.name)).is_err() {
                            failures.push(format!(
                                "{}: subchart {} has no global section",
                                json.display(),
                                d.metadata.name
                            ));
                        }
                    }
                }
                Err(e) => failures.push(format!("{}: {e}", json.display())),
            }
        }
    }
    assert!(
        cases >= 250,
        "expected the public corpus cases, found {cases}"
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
