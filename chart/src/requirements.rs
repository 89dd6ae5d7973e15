//! requirements.yaml and requirements.lock, and the two passes Helm v2 runs over a chart's
//! dependencies before rendering: enabling/disabling subcharts by condition and tag (with
//! aliases), and import-values.
//!
//! Helm 3 (`apiVersion: v2`) charts declare the same dependency entries in Chart.yaml; when such
//! a chart is loaded, [`load_requirements`] reads them from there.

use std::sync::LazyLock;

use regex::Regex;
use thiserror::Error;

use crate::Chart;
use crate::chartfile::API_VERSION_V2;
use crate::semver;
use crate::values::{self, Map, Value, Values, ValuesError};
use crate::yaml::{self, Object, YamlError};

/// The file declaring a v1 chart's dependencies.
pub const REQUIREMENTS_FILE: &str = "requirements.yaml";
/// The lock file of a v1 chart's dependencies.
pub const LOCK_FILE: &str = "requirements.lock";

static ALIAS_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new("^[a-zA-Z0-9-_]+$").unwrap_or_else(|e| unreachable!("alias regex: {e}"))
});

/// One dependency of requirements.yaml (or of a v2 Chart.yaml).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dependency {
    /// The chart name, as in the subchart's Chart.yaml.
    pub name: String,
    /// A semver constraint the subchart's version must satisfy.
    pub version: String,
    /// Where the chart comes from (repository URL, `@name`, `file://…`, or empty).
    pub repository: String,
    /// Comma-separated value paths that enable or disable the subchart.
    pub condition: String,
    /// Tags that enable or disable the subchart.
    pub tags: Vec<String>,
    /// Whether the subchart is enabled (computed; ignored on input).
    pub enabled: bool,
    /// import-values entries: strings, or `{child, parent}` tables.
    pub import_values: Vec<Value>,
    /// Another name to load the subchart under.
    pub alias: String,
}

impl Dependency {
    /// Decodes one entry (a YAML mapping viewed as Go's `Dependency` struct).
    pub fn from_object(o: &Object<'_>) -> Result<Dependency, YamlError> {
        Ok(Dependency {
            name: o.string("name")?,
            version: o.string("version")?,
            repository: o.string("repository")?,
            condition: o.string("condition")?,
            tags: o.strings("tags")?,
            enabled: o.bool("enabled")?,
            import_values: o.values("import-values")?,
            alias: o.string("alias")?,
        })
    }
}

/// requirements.yaml.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Requirements {
    /// The dependencies.
    pub dependencies: Vec<Dependency>,
}

/// requirements.lock.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequirementsLock {
    /// When the lock was written (RFC 3339 text).
    pub generated: String,
    /// `sha256:<hex>` of the requirements the lock was computed from.
    pub digest: String,
    /// The locked dependencies (name, repository, exact version).
    pub dependencies: Vec<Dependency>,
}

/// Errors of requirements handling.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum RequirementsError {
    /// requirements.yaml or requirements.lock cannot be read.
    #[error("cannot load {file}: {source}")]
    Yaml {
        /// The file.
        file: String,
        /// What is wrong.
        source: YamlError,
    },
    /// Requirements name charts that `charts/` does not contain.
    #[error("found in requirements.yaml, but missing in charts/ directory: {}", .0.join(", "))]
    Missing(Vec<String>),
    /// An alias does not match `^[a-zA-Z0-9-_]+$`.
    #[error("illegal alias name in {0:?}")]
    IllegalAlias(String),
    /// An import-values entry is neither a string nor a `{child, parent}` table of strings.
    #[error(
        "chart {chart}: import-values entry {entry} of {dependency:?} must be a string or a table with string keys 'child' and 'parent'"
    )]
    ImportValue {
        /// The chart whose requirements hold the entry.
        chart: String,
        /// The dependency.
        dependency: String,
        /// The entry, as Go prints it.
        entry: String,
    },
    /// Coalescing values failed.
    #[error(transparent)]
    Values(#[from] ValuesError),
}

fn decode_dependencies<'a>(
    node: &'a yaml::Node,
    type_name: &'static str,
) -> Result<(Object<'a>, Vec<Dependency>), YamlError> {
    let o = Object::new(node, type_name)?;
    let deps = o
        .objects("dependencies", "Dependency")?
        .iter()
        .map(Dependency::from_object)
        .collect::<Result<Vec<_>, _>>()?;
    Ok((o, deps))
}

/// Parses requirements.yaml text.
pub fn parse_requirements(text: &str) -> Result<Requirements, YamlError> {
    let node = yaml::parse(text)?;
    let (_, dependencies) = decode_dependencies(&node, "Requirements")?;
    Ok(Requirements { dependencies })
}

/// Parses requirements.lock text.
pub fn parse_lock(text: &str) -> Result<RequirementsLock, YamlError> {
    let node = yaml::parse(text)?;
    let (o, dependencies) = decode_dependencies(&node, "RequirementsLock")?;
    Ok(RequirementsLock {
        generated: o.string("generated")?,
        digest: o.string("digest")?,
        dependencies,
    })
}

/// A chart's requirements: requirements.yaml for v1 charts, Chart.yaml `dependencies` for v2
/// charts. `Ok(None)` when there are none (no file, or an empty one, as Helm treats it).
pub fn load_requirements(chart: &Chart) -> Result<Option<Requirements>, RequirementsError> {
    if chart.metadata.api_version == API_VERSION_V2 {
        if chart.metadata.dependencies.is_empty() {
            return Ok(None);
        }
        return Ok(Some(Requirements {
            dependencies: chart.metadata.dependencies.clone(),
        }));
    }
    match chart.file(REQUIREMENTS_FILE) {
        None | Some([]) => Ok(None),
        Some(data) => parse_requirements(&String::from_utf8_lossy(data))
            .map(Some)
            .map_err(|source| RequirementsError::Yaml {
                file: REQUIREMENTS_FILE.to_owned(),
                source,
            }),
    }
}

/// A chart's requirements.lock (Chart.lock for v2 charts), if it has one.
pub fn load_lock(chart: &Chart) -> Result<Option<RequirementsLock>, RequirementsError> {
    let file = if chart.metadata.api_version == API_VERSION_V2 {
        "Chart.lock"
    } else {
        LOCK_FILE
    };
    match chart.file(file) {
        None | Some([]) => Ok(None),
        Some(data) => parse_lock(&String::from_utf8_lossy(data))
            .map(Some)
            .map_err(|source| RequirementsError::Yaml {
                file: file.to_owned(),
                source,
            }),
    }
}

/// The check `helm install` and `helm template` run before rendering: every requirement must be
/// present among the loaded subcharts (by name).
pub fn check_dependencies(chart: &Chart) -> Result<(), RequirementsError> {
    let Some(reqs) = load_requirements(chart)? else {
        return Ok(());
    };
    let missing: Vec<String> = reqs
        .dependencies
        .iter()
        .filter(|r| !chart.dependencies.iter().any(|d| d.metadata.name == r.name))
        .map(|r| r.name.clone())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(RequirementsError::Missing(missing))
    }
}

/// The first subchart matching the requirement (name and version constraint), renamed to the
/// alias if there is a valid one. An invalid alias skips the candidate, as in Helm.
fn alias_dependency(charts: &[Chart], req: &Dependency) -> Option<Chart> {
    for existing in charts {
        if existing.metadata.name != req.name
            || !semver::is_compatible_range(&req.version, &existing.metadata.version)
        {
            continue;
        }
        let mut found = existing.clone();
        if !req.alias.is_empty() {
            if !ALIAS_RE.is_match(&req.alias) {
                continue;
            }
            found.metadata.name = req.alias.clone();
        }
        return Some(found);
    }
    None
}

/// Helm's `ProcessRequirementsEnabled`: resolves aliases and removes the subcharts that tags or
/// conditions disable, recursively. `user` are the user-supplied values.
pub fn process_enabled(chart: &mut Chart, user: &Values) -> Result<(), RequirementsError> {
    process_enabled_at(chart, user, "")
}

fn process_enabled_at(
    chart: &mut Chart,
    user: &Values,
    path: &str,
) -> Result<(), RequirementsError> {
    // A missing or unreadable requirements file means there is nothing to do at this level.
    let Ok(Some(mut reqs)) = load_requirements(chart) else {
        return Ok(());
    };

    let mut deps: Vec<Chart> = chart
        .dependencies
        .iter()
        .filter(|d| {
            !reqs.dependencies.iter().any(|r| {
                d.metadata.name == r.name
                    && semver::is_compatible_range(&r.version, &d.metadata.version)
            })
        })
        .cloned()
        .collect();
    for req in &mut reqs.dependencies {
        if let Some(found) = alias_dependency(&chart.dependencies, req) {
            deps.push(found);
        }
        if !req.alias.is_empty() {
            if !ALIAS_RE.is_match(&req.alias) {
                return Err(RequirementsError::IllegalAlias(req.name.clone()));
            }
            req.name = req.alias.clone();
        }
    }
    chart.dependencies = deps;
    for req in &mut reqs.dependencies {
        req.enabled = true;
    }

    let cvals = values::coalesce_values(chart, user)?;
    process_tags(&mut reqs, &cvals);
    process_conditions(&mut reqs, &cvals, path);

    let disabled: Vec<&str> = reqs
        .dependencies
        .iter()
        .filter(|r| !r.enabled)
        .map(|r| r.name.as_str())
        .collect();
    chart
        .dependencies
        .retain(|d| !disabled.contains(&d.metadata.name.as_str()));
    for sub in &mut chart.dependencies {
        let subpath = format!("{path}{}.", sub.metadata.name);
        process_enabled_at(sub, &cvals, &subpath)?;
    }
    Ok(())
}

/// Tags: any listed tag `true` enables, otherwise any `false` disables; non-bool tags are
/// ignored.
fn process_tags(reqs: &mut Requirements, cvals: &Values) {
    let Ok(tags) = values::table(cvals, "tags") else {
        return;
    };
    for req in &mut reqs.dependencies {
        if req.tags.is_empty() {
            continue;
        }
        let (mut has_true, mut has_false) = (false, false);
        for tag in &req.tags {
            match tags.get(tag) {
                Some(Value::Bool(true)) => has_true = true,
                Some(Value::Bool(false)) => has_false = true,
                _ => {}
            }
        }
        req.enabled = has_true || !has_false;
    }
}

/// Conditions: the first path that holds a non-null, non-table value decides when it is a bool.
fn process_conditions(reqs: &mut Requirements, cvals: &Values, path: &str) {
    for req in &mut reqs.dependencies {
        if req.condition.is_empty() {
            continue;
        }
        // Helm trims the whole condition but not the comma-separated parts.
        let trimmed = req.condition.trim();
        let conds: Vec<&str> = if req.condition.contains(',') {
            trimmed.split(',').collect()
        } else {
            vec![trimmed]
        };
        let (mut has_true, mut has_false) = (false, false);
        for cond in conds.into_iter().filter(|c| !c.is_empty()) {
            match values::path_value(cvals, &format!("{path}{cond}")) {
                Ok(Value::Bool(b)) => {
                    if *b {
                        has_true = true;
                    } else {
                        has_false = true;
                    }
                    break;
                }
                Ok(Value::Null) | Err(_) => {}
                Ok(_) => break,
            }
        }
        if !has_true && has_false {
            req.enabled = false;
        } else if has_true {
            req.enabled = true;
        }
    }
}

/// Helm's `pathToMap`: wraps `data` into nested tables along a dotted path (`.` is the root).
fn path_to_map(path: &str, data: Map) -> Map {
    if path == "." {
        return data;
    }
    let mut current = data;
    for name in path.rsplit('.') {
        let mut m = Map::new();
        m.insert(name.to_owned(), Value::Map(current));
        current = m;
    }
    current
}

/// Helm's `ProcessRequirementsImportValues`: for every chart of the tree with requirements,
/// deepest first, copies the tables its requirements import from subcharts into its default
/// values. Imported values win over the chart's own defaults (Helm 2 behaviour); among imports,
/// earlier entries win.
pub fn process_import_values(chart: &mut Chart) -> Result<(), RequirementsError> {
    for sub in &mut chart.dependencies {
        if !sub.dependencies.is_empty() {
            process_import_values(sub)?;
        }
    }
    import_values_of(chart)
}

fn import_values_of(chart: &mut Chart) -> Result<(), RequirementsError> {
    // Helm ignores every error of this step except the ones that crash it.
    let Ok(Some(reqs)) = load_requirements(chart) else {
        return Ok(());
    };
    let cvals = values::coalesce_values(chart, &Values::new())?;
    let mut acc = Map::new();
    for req in &reqs.dependencies {
        let mut found = false;
        let mut name = req.name.as_str();
        for dep in &chart.dependencies {
            if dep.metadata.name == req.name {
                found = true;
            }
            if dep.metadata.name == req.alias {
                found = true;
                name = req.alias.as_str();
            }
        }
        if !found {
            continue;
        }
        for entry in &req.import_values {
            let (child, parent) = match entry {
                Value::String(s) => (format!("exports.{s}"), ".".to_owned()),
                Value::Map(m) => match (m.get("child"), m.get("parent")) {
                    (Some(Value::String(c)), Some(Value::String(p))) => (c.clone(), p.clone()),
                    _ => return Err(import_error(chart, req, entry)),
                },
                // Helm skips other kinds silently (with an empty child path that never matches).
                _ => continue,
            };
            let Ok(table) = values::table(&cvals, &format!("{name}.{child}")) else {
                continue;
            };
            let wrapped = path_to_map(&parent, table.clone());
            acc = values::coalesce_tables(&acc, &wrapped);
        }
    }
    let merged = values::coalesce_tables(&acc, &cvals);
    chart.set_values(merged)?;
    Ok(())
}

fn import_error(chart: &Chart, req: &Dependency, entry: &Value) -> RequirementsError {
    RequirementsError::ImportValue {
        chart: chart.metadata.name.clone(),
        dependency: req.name.clone(),
        entry: entry.go_display(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::tests::map;
    use crate::{File, Metadata};

    fn chart(
        name: &str,
        version: &str,
        values: Map,
        deps: Vec<Chart>,
        reqs: &[Dependency],
    ) -> Chart {
        let mut c = Chart {
            metadata: Metadata {
                name: name.into(),
                version: version.into(),
                api_version: "v2".into(),
                ..Default::default()
            },
            templates: Vec::new(),
            values_raw: String::new(),
            values: Map::new(),
            files: Vec::new(),
            dependencies: deps,
        };
        c.metadata.dependencies = reqs.to_vec();
        if !values.is_empty() {
            c.set_values(values).unwrap();
        }
        c
    }

    fn req(name: &str, version: &str) -> Dependency {
        Dependency {
            name: name.into(),
            version: version.into(),
            ..Default::default()
        }
    }

    fn names(c: &Chart) -> Vec<String> {
        let mut out = Vec::new();
        fn walk(c: &Chart, out: &mut Vec<String>) {
            out.push(c.metadata.name.clone());
            for d in &c.dependencies {
                walk(d, out);
            }
        }
        walk(c, &mut out);
        out.sort();
        out
    }

    fn b(x: bool) -> Value {
        Value::Bool(x)
    }

    /// parent → sub1 (tag front, condition sub1.enabled) → subA (tag back, condition subA.enabled)
    ///        → sub2 (tag back)
    fn family(parent_values: Map) -> Chart {
        let sub_a = chart("subA", "0.1.0", Map::new(), vec![], &[]);
        let mut ra = req("subA", "0.1.0");
        ra.tags = vec!["back".into()];
        ra.condition = "subA.enabled".into();
        let sub1 = chart(
            "sub1",
            "0.1.0",
            map([("subA", Value::Map(map([("enabled", b(true))])))]),
            vec![sub_a],
            &[ra],
        );
        let sub2 = chart("sub2", "0.1.0", Map::new(), vec![], &[]);
        let mut r1 = req("sub1", "~0.1");
        r1.tags = vec!["front".into()];
        r1.condition = "sub1.enabled,global.sub1".into();
        let mut r2 = req("sub2", ">=0.1.0");
        r2.tags = vec!["back".into()];
        chart(
            "parent",
            "1.0.0",
            parent_values,
            vec![sub1, sub2],
            &[r1, r2],
        )
    }

    #[test]
    fn tags_and_conditions_matrix() {
        let cases: Vec<(Map, Vec<&str>)> = vec![
            (Map::new(), vec!["parent", "sub1", "sub2", "subA"]),
            (
                map([("tags", Value::Map(map([("nothinguseful", b(false))])))]),
                vec!["parent", "sub1", "sub2", "subA"],
            ),
            (
                map([("tags", Value::Map(map([("front", b(false))])))]),
                vec!["parent", "sub2"],
            ),
            (
                // subA's own condition (true in sub1's defaults) overrides its tag.
                map([("tags", Value::Map(map([("back", b(false))])))]),
                vec!["parent", "sub1", "subA"],
            ),
            (
                map([(
                    "tags",
                    Value::Map(map([("back", b(false)), ("front", b(false))])),
                )]),
                vec!["parent"],
            ),
            // A condition overrides a tag.
            (
                map([
                    ("tags", Value::Map(map([("front", b(false))]))),
                    ("sub1", Value::Map(map([("enabled", b(true))]))),
                ]),
                vec!["parent", "sub1", "sub2", "subA"],
            ),
            // Nested condition, looked up from the top: sub1.subA.enabled.
            (
                map([(
                    "sub1",
                    Value::Map(map([("subA", Value::Map(map([("enabled", b(false))])))])),
                )]),
                vec!["parent", "sub1", "sub2"],
            ),
            // The second condition path is used when the first is missing.
            (
                map([("global", Value::Map(map([("sub1", b(false))])))]),
                vec!["parent", "sub2"],
            ),
            // A non-bool condition only warns.
            (
                map([("sub1", Value::Map(map([("enabled", Value::from("no"))])))]),
                vec!["parent", "sub1", "sub2", "subA"],
            ),
        ];
        for (user, want) in cases {
            let mut c = family(Map::new());
            process_enabled(&mut c, &user).unwrap();
            assert_eq!(names(&c), want, "{user:?}");
        }
    }

    #[test]
    fn parent_defaults_can_disable() {
        let mut c = family(map([("sub1", Value::Map(map([("enabled", b(false))])))]));
        process_enabled(&mut c, &Map::new()).unwrap();
        assert_eq!(names(&c), ["parent", "sub2"]);
    }

    #[test]
    fn alias_duplicates_and_version_mismatch() {
        let sub = chart("sub", "1.2.3", Map::new(), vec![], &[]);
        let mut a1 = req("sub", "^1.0.0");
        a1.alias = "first".into();
        let mut a2 = req("sub", "1.2.3");
        a2.alias = "second".into();
        let mut c = chart("parent", "1.0.0", Map::new(), vec![sub.clone()], &[a1, a2]);
        process_enabled(&mut c, &Map::new()).unwrap();
        assert_eq!(names(&c), ["first", "parent", "second"]);

        // A requirement whose version does not match leaves the subchart as it is.
        let mut c = chart(
            "parent",
            "1.0.0",
            Map::new(),
            vec![sub.clone()],
            &[req("sub", "^2")],
        );
        process_enabled(&mut c, &Map::new()).unwrap();
        assert_eq!(names(&c), ["parent", "sub"]);

        let mut bad = req("sub", "1.2.3");
        bad.alias = "no good".into();
        let mut c = chart("parent", "1.0.0", Map::new(), vec![sub], &[bad]);
        assert_eq!(
            process_enabled(&mut c, &Map::new())
                .unwrap_err()
                .to_string(),
            "illegal alias name in \"sub\""
        );
    }

    #[test]
    fn missing_dependencies_are_reported() {
        let c = chart(
            "parent",
            "1.0.0",
            Map::new(),
            vec![],
            &[req("a", "1"), req("b", "1")],
        );
        assert_eq!(
            check_dependencies(&c).unwrap_err().to_string(),
            "found in requirements.yaml, but missing in charts/ directory: a, b"
        );
        let ok = chart(
            "p",
            "1",
            Map::new(),
            vec![chart("a", "1.0.0", Map::new(), vec![], &[])],
            &[req("a", "9")],
        );
        assert!(check_dependencies(&ok).is_ok());
    }

    #[test]
    fn import_values_both_forms() {
        let sub = chart(
            "sub",
            "0.1.0",
            map([
                (
                    "exports",
                    Value::Map(map([(
                        "data",
                        Value::Map(map([
                            ("port", Value::Float(80.0)),
                            ("shared", Value::from("sub")),
                        ])),
                    )])),
                ),
                (
                    "deep",
                    Value::Map(map([("x", Value::Map(map([("y", Value::from("z"))])))])),
                ),
                ("scalar", Value::from("s")),
            ]),
            vec![],
            &[],
        );
        let mut r = req("sub", "0.1.0");
        r.import_values = vec![
            Value::from("data"),
            Value::Map(map([
                ("child", Value::from("deep.x")),
                ("parent", Value::from("imported.here")),
            ])),
            Value::Map(map([
                ("child", Value::from("scalar")),
                ("parent", Value::from("ignored")),
            ])),
        ];
        let mut c = chart(
            "parent",
            "1.0.0",
            map([("shared", Value::from("parent")), ("own", Value::from("o"))]),
            vec![sub],
            &[r],
        );
        process_import_values(&mut c).unwrap();
        let v = &c.values;
        assert_eq!(v.get("port"), Some(&Value::Float(80.0)));
        // Imported values override the parent's own defaults in Helm 2.
        assert_eq!(v.get("shared"), Some(&Value::from("sub")));
        assert_eq!(v.get("own"), Some(&Value::from("o")));
        assert_eq!(
            values::path_value(v, "imported.here.y"),
            Ok(&Value::from("z"))
        );
        assert!(v.get("ignored").is_none());
        // The subchart section (with globals) is part of the new defaults.
        assert!(values::table(v, "sub.global").is_ok());
        assert!(!c.values_raw.is_empty());

        let mut bad = req("sub", "0.1.0");
        bad.import_values = vec![Value::Map(map([("child", Value::Float(1.0))]))];
        let sub = chart("sub", "0.1.0", Map::new(), vec![], &[]);
        let mut c = chart("parent", "1.0.0", Map::new(), vec![sub], &[bad]);
        assert!(process_import_values(&mut c).is_err());
    }

    #[test]
    fn path_to_map_nests() {
        let data = map([("k", Value::from("v"))]);
        assert_eq!(path_to_map(".", data.clone()), data);
        let m = path_to_map("a.b", data.clone());
        assert_eq!(values::table(&m, "a.b"), Ok(&data));
    }

    #[test]
    fn requirements_file_of_v1_chart() {
        let mut c = chart("p", "1", Map::new(), vec![], &[]);
        c.metadata.api_version = "v1".into();
        assert_eq!(load_requirements(&c), Ok(None));
        c.files.push(File {
            name: REQUIREMENTS_FILE.into(),
            data: Vec::new(),
        });
        assert_eq!(load_requirements(&c), Ok(None));
    }
}
