//! Renders every case of the shared corpus and compares the documents with what real Helm
//! rendered, after the normalisation the corpus README prescribes for Helm v2 vs v4 (`Tiller`
//! read as `Helm`, trailing whitespace and blank lines ignored, documents matched per source).
//! Documents that vary between renders (random secrets, dates) only have to render. The few
//! cases that differ for documented v2/v4 reasons are listed with the reason.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use base64::Engine as _;
use regex::Regex;

use chart::engine::manifest::render_release;
use chart::engine::{CapabilitiesData, KubeVersion, ReleaseOptions, RenderOptions, Timestamp};
use chart::{load, values};

/// Cases whose difference from the Helm v4 render is a documented Helm v2 behaviour.
const KNOWN: &[(&str, &str)] = &[
    (
        "incubator/tensorflow-inception",
        "uses .Release.Time, which only Helm v2 has",
    ),
    (
        "stable/sumokube",
        "uses .Release.Time, which only Helm v2 has",
    ),
    (
        "stable/percona-xtradb-cluster",
        "APIVersions.Has with group/version/Kind is a Helm 3 feature",
    ),
    (
        "stable/gangway",
        "sha256 of a toYaml block, whose trailing newline differs between v2 and v4",
    ),
];

fn corpus() -> PathBuf {
    let dir = std::env::var_os("CHART_CORPUS")
        .map_or_else(|| PathBuf::from("/work/shared/corpus"), PathBuf::from);
    assert!(
        dir.join("expected").is_dir(),
        "corpus not found at {} (set CHART_CORPUS)",
        dir.display()
    );
    dir
}

static TILLER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\bTiller\b").unwrap());
static CHECKSUM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^(\s*["']?checksum/[^:\n]*["']?\s*:\s*)(?:"[0-9a-f]{64}"|'[0-9a-f]{64}'|[0-9a-f]{64})\s*$"#).unwrap()
});
static B64: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^(\s+["']?[\w.\-]+["']?:\s*)["']?([A-Za-z0-9+/]{12,}={0,2})["']?\s*$"#)
        .unwrap()
});

fn ws_norm(text: &str) -> String {
    text.lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The comparer's normalisation (see the corpus README): `Tiller` read as `Helm`, sha256
/// checksum annotations masked, base64 multi-line text compared decoded, trailing whitespace
/// and blank lines ignored.
fn normalize(doc: &str) -> String {
    let doc = TILLER.replace_all(doc, "Helm");
    let doc = CHECKSUM.replace_all(&doc, "${1}<sha256>");
    let doc = B64.replace_all(&doc, |c: &regex::Captures<'_>| {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(&c[2])
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .filter(|t| t.contains('\n'));
        match decoded {
            Some(text) => format!(
                "{}<b64-text:{}>",
                &c[1],
                ws_norm(&TILLER.replace_all(&text, "Helm"))
            ),
            None => c[0].to_owned(),
        }
    });
    ws_norm(&doc).trim().to_owned()
}

/// Documents of a corpus file, grouped by source and sorted.
fn parse_expected(text: &str, into: &mut BTreeMap<String, Vec<String>>) {
    for chunk in text.split("---\n# Source: ").skip(1) {
        let (source, doc) = chunk.split_once('\n').unwrap_or((chunk, ""));
        into.entry(source.to_owned())
            .or_default()
            .push(normalize(doc));
    }
}

fn case_options(meta: &serde_json::Value) -> RenderOptions {
    RenderOptions {
        release: ReleaseOptions {
            name: "rel".to_owned(),
            namespace: "default".to_owned(),
            revision: 1,
            is_install: true,
            is_upgrade: false,
            time: Timestamp::now(),
        },
        capabilities: CapabilitiesData {
            api_versions: meta["api_versions"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            kube_version: KubeVersion::from_git_version(
                meta["kube_git_version"].as_str().unwrap_or("v1.16.15"),
            ),
            ..CapabilitiesData::default()
        },
        lint_mode: false,
        subchart_notes: false,
    }
}

fn check_case(corpus: &Path, id: &str, json: &Path) -> Result<(), String> {
    let meta: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(json).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    let dir = corpus.join("charts").join(id);
    let chart = load(&dir).map_err(|e| e.to_string())?;
    let text;
    let mut files = Vec::new();
    if let Some(f) = meta["values_file"].as_str() {
        text = fs::read_to_string(dir.join(f)).map_err(|e| e.to_string())?;
        files.push((f, text.as_str()));
    }
    let user = values::user_values(&files, &[], &[], &[], &mut |p| Err(p.to_owned()))
        .map_err(|e| e.to_string())?;
    let result = render_release(&chart, &user, &case_options(&meta));
    let helm_rendered = meta["rendered"].as_bool().unwrap_or(false);
    let release = match (result, helm_rendered) {
        (Err(_), false) => return Ok(()),
        (Ok(_), false) => return Err("Helm failed on this case but we rendered it".to_owned()),
        (Err(e), true) => return Err(format!("render failed: {e}")),
        (Ok(r), true) => r,
    };
    // Documents that vary between renders (random passwords, certificates, dates) are only
    // required to render.
    let varying: Vec<&str> = meta["nondeterministic_sources"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    let case = meta["case"].as_str().unwrap_or("default");
    let expected_dir = corpus.join("expected").join(id);
    let mut want = BTreeMap::new();
    for ext in ["yaml", "hooks.yaml"] {
        if let Ok(t) = fs::read_to_string(expected_dir.join(format!("{case}.{ext}"))) {
            parse_expected(&t, &mut want);
        }
    }
    let mut got: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for m in &release.manifests {
        got.entry(m.source.clone())
            .or_default()
            .push(normalize(&m.content));
    }
    for h in &release.hooks {
        // Helm v4 drops crd-install hooks, Helm v2 runs them.
        if h.events == ["crd-install"] {
            continue;
        }
        got.entry(h.source.clone())
            .or_default()
            .push(normalize(&h.content));
    }
    for docs in want.values_mut().chain(got.values_mut()) {
        docs.retain(|d| !d.is_empty());
        docs.sort();
    }
    want.retain(|s, d| !d.is_empty() && !varying.contains(&s.as_str()));
    got.retain(|s, d| !d.is_empty() && !varying.contains(&s.as_str()));
    if want != got {
        let differing: Vec<&String> = want
            .keys()
            .chain(got.keys())
            .filter(|k| want.get(*k) != got.get(*k))
            .collect();
        return Err(format!("documents differ in {differing:?}"));
    }
    let notes =
        fs::read_to_string(expected_dir.join(format!("{case}.notes.txt"))).unwrap_or_default();
    if !varying.contains(&"NOTES.txt") && normalize(&notes) != normalize(&release.notes) {
        return Err("NOTES.txt differs".to_owned());
    }
    Ok(())
}

#[test]
fn corpus_renders_like_helm() {
    let corpus = corpus();
    let mut failures = Vec::new();
    let mut known_seen = Vec::new();
    let mut cases = 0;
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
            let mut jsons: Vec<PathBuf> = fs::read_dir(&expected)
                .map(|e| e.flatten().map(|x| x.path()).collect())
                .unwrap_or_default();
            jsons.retain(|p| p.extension().is_some_and(|x| x == "json"));
            jsons.sort();
            for json in jsons {
                cases += 1;
                if let Err(e) = check_case(&corpus, &id, &json) {
                    if KNOWN.iter().any(|(k, _)| *k == id) {
                        known_seen.push(id.clone());
                    } else {
                        failures.push(format!("{}: {e}", json.display()));
                    }
                }
            }
        }
    }
    assert!(
        cases >= 250,
        "expected the public corpus, found {cases} cases"
    );
    assert!(
        failures.is_empty(),
        "{} of {cases} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The known differences must still be differences; if one disappears, update KNOWN.
    for (id, why) in KNOWN {
        assert!(
            known_seen.iter().any(|k| k == id),
            "{id} now matches Helm ({why}); remove it from KNOWN"
        );
    }
}
