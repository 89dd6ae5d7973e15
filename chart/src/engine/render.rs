//! Rendering a chart's templates as Helm v2's `engine.Render` does.
//!
//! Every template of the chart tree goes into one Go template set (named by
//! `<chart>/templates/<file>`, subcharts under `<parent>/charts/<name>/`), parsed deepest path
//! first and, at equal depth, in reverse byte order, so that the top chart's `define`s win. Each
//! non-partial template is then executed with its chart's top-level object (`.Values`,
//! `.Release`, `.Chart`, `.Files`, `.Capabilities`, `.Template`) under `missingkey=zero`, and every
//! `<no value>` is removed from the output.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::{Rc, Weak};

use gotmpl::{FuncError, FuncMap, Options, Templates, Value};
use thiserror::Error;

use super::funcs;
use super::objects::{
    Capabilities, ChartObject, Files, KubeVersion, TillerVersion, Timestamp, VersionSet,
};
use crate::Chart;
use crate::values::{self, Values};

/// How many times one name may be nested in `include` before Helm gives up.
const MAX_INCLUDE_NESTING: usize = 1000;

/// The stack size of the rendering thread: deeply nested `include`s recurse through the
/// template executor, and a chart must not be able to overflow the caller's stack.
const RENDER_STACK: usize = 256 * 1024 * 1024;

/// The release a chart is rendered for (`.Release`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseOptions {
    /// `.Release.Name`.
    pub name: String,
    /// `.Release.Namespace`.
    pub namespace: String,
    /// `.Release.Revision` (1 on install, 0 in `helm template`).
    pub revision: i64,
    /// `.Release.IsInstall`.
    pub is_install: bool,
    /// `.Release.IsUpgrade`.
    pub is_upgrade: bool,
    /// `.Release.Time`.
    pub time: Timestamp,
}

impl Default for ReleaseOptions {
    fn default() -> Self {
        ReleaseOptions {
            name: "release-name".to_owned(),
            namespace: "default".to_owned(),
            revision: 1,
            is_install: true,
            is_upgrade: false,
            time: Timestamp::default(),
        }
    }
}

/// What the cluster offers (`.Capabilities`), as plain data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapabilitiesData {
    /// Group/version strings (`.Capabilities.APIVersions`).
    pub api_versions: Vec<String>,
    /// `.Capabilities.KubeVersion`.
    pub kube_version: KubeVersion,
    /// `.Capabilities.TillerVersion`.
    pub tiller_version: TillerVersion,
}

impl Default for CapabilitiesData {
    /// What `helm template` assumes: Helm v2.17's built-in API version list, Kubernetes 1.14.
    fn default() -> Self {
        CapabilitiesData {
            api_versions: default_api_versions(),
            kube_version: KubeVersion::from_git_version("v1.14.0"),
            tiller_version: TillerVersion {
                sem_ver: "v2.17.0".to_owned(),
                git_commit: String::new(),
                git_tree_state: "clean".to_owned(),
            },
        }
    }
}

/// Helm v2.17's default API versions (generated from the Kubernetes 1.16 client scheme).
pub fn default_api_versions() -> Vec<String> {
    include_str!("default_api_versions.txt")
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Rendering options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// The release.
    pub release: ReleaseOptions,
    /// The cluster's capabilities.
    pub capabilities: CapabilitiesData,
    /// Lint mode: `required` logs instead of failing.
    pub lint_mode: bool,
    /// Keep the NOTES.txt of subcharts too (`--render-subchart-notes`).
    pub subchart_notes: bool,
}

/// A rendering error, worded as Helm words it.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum RenderError {
    /// A template does not parse.
    #[error("parse error in {name:?}: {message}")]
    Parse {
        /// The template.
        name: String,
        /// The parser's message.
        message: String,
    },
    /// A template fails while executing.
    #[error("render error in {name:?}: {message}")]
    Exec {
        /// The template.
        name: String,
        /// The executor's message.
        message: String,
    },
    /// Values could not be prepared.
    #[error("{0}")]
    Values(String),
    /// The rendering thread died.
    #[error("rendering template failed: {0}")]
    Panic(String),
}

/// One template to render: its full name, text, the top-level object of its chart and base
/// path.
struct Renderable {
    name: String,
    text: Rc<str>,
    data: Value,
    base_path: String,
}

/// Shared by every template set of one render (the main one and those `tpl` builds).
struct Context {
    base_funcs: FuncMap,
    /// Every chart template (name, text) in parse order, for `tpl`.
    references: Vec<(String, Rc<str>)>,
    lint_mode: bool,
}

type SetCell = RefCell<Option<Templates>>;

/// Renders every template of `chart` (and its subcharts) with the coalesced `values`, returning
/// the output of each non-partial template by name. NOTES.txt files are included; callers drop
/// them as Helm does.
pub fn render(
    chart: &Chart,
    values: &Values,
    options: &RenderOptions,
) -> Result<BTreeMap<String, String>, RenderError> {
    let chart = chart.clone();
    let values = values.clone();
    let options = options.clone();
    let handle = std::thread::Builder::new()
        .name("chart-render".to_owned())
        .stack_size(RENDER_STACK)
        .spawn(move || render_here(&chart, &values, &options))
        .map_err(|e| RenderError::Panic(e.to_string()))?;
    match handle.join() {
        Ok(result) => result,
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "unknown panic".to_owned());
            Err(RenderError::Panic(message))
        }
    }
}

/// [`render`] on the current thread (which needs a large stack for deep `include` nesting).
fn render_here(
    chart: &Chart,
    values: &Values,
    options: &RenderOptions,
) -> Result<BTreeMap<String, String>, RenderError> {
    let caps = Capabilities {
        api_versions: VersionSet::new(&options.capabilities.api_versions),
        kube_version: options.capabilities.kube_version.clone(),
        tiller_version: options.capabilities.tiller_version.clone(),
    };
    let release = release_value(&options.release);
    let capabilities = Value::Object(Rc::new(caps));
    let mut all = Vec::new();
    let top_values = Value::map(values::map_to_template(values));
    collect(chart, top_values, &release, &capabilities, "", &mut all);
    all.sort_by(|a, b| parse_order(&a.name, &b.name));

    let ctx = Rc::new(Context {
        base_funcs: funcs::helm_functions(),
        references: all
            .iter()
            .map(|r| (r.name.clone(), r.text.clone()))
            .collect(),
        lint_mode: options.lint_mode,
    });
    let entries: Vec<(String, Rc<str>)> = ctx.references.clone();
    let cell = build_set(&ctx, &entries)?;
    let guard = cell.borrow();
    let Some(set) = guard.as_ref() else {
        return Err(RenderError::Panic("template set missing".to_owned()));
    };

    let mut out = BTreeMap::new();
    for r in &all {
        if base_name(&r.name).starts_with('_') {
            continue;
        }
        set_template(&r.data, &r.name, &r.base_path);
        let text = set
            .execute_to_string(&r.name, &r.data)
            .map_err(|e| RenderError::Exec {
                name: r.name.clone(),
                message: e.message,
            })?;
        out.insert(r.name.clone(), text.replace("<no value>", ""));
    }
    Ok(out)
}

fn base_name(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// Helm's template order: more `/` first; equal depth in reverse byte order.
fn parse_order(a: &str, b: &str) -> std::cmp::Ordering {
    let (ca, cb) = (a.matches('/').count(), b.matches('/').count());
    cb.cmp(&ca).then_with(|| b.cmp(a))
}

fn release_value(r: &ReleaseOptions) -> Value {
    let mut m = gotmpl::Map::new();
    m.insert("Name".to_owned(), Value::string(&r.name));
    m.insert("Time".to_owned(), Value::Object(Rc::new(r.time)));
    m.insert("Namespace".to_owned(), Value::string(&r.namespace));
    m.insert("IsUpgrade".to_owned(), Value::Bool(r.is_upgrade));
    m.insert("IsInstall".to_owned(), Value::Bool(r.is_install));
    m.insert("Revision".to_owned(), Value::Int(r.revision));
    m.insert("Service".to_owned(), Value::string("Tiller"));
    Value::map(m)
}

/// Collects the templates of `chart` and its subcharts with the top-level object each sees.
fn collect(
    chart: &Chart,
    chart_values: Value,
    release: &Value,
    capabilities: &Value,
    parent_id: &str,
    out: &mut Vec<Renderable>,
) {
    let id = if parent_id.is_empty() {
        chart.metadata.name.clone()
    } else {
        format!("{parent_id}/charts/{}", chart.metadata.name)
    };
    let files = Files::new(
        chart
            .files
            .iter()
            .map(|f| (f.name.as_str(), f.data.as_slice())),
    );
    let mut top = gotmpl::Map::new();
    top.insert("Values".to_owned(), chart_values.clone());
    top.insert("Release".to_owned(), release.clone());
    top.insert(
        "Chart".to_owned(),
        Value::Object(Rc::new(ChartObject::new(&chart.metadata))),
    );
    top.insert("Files".to_owned(), Value::Object(Rc::new(files)));
    top.insert("Capabilities".to_owned(), capabilities.clone());
    let data = Value::map(top);

    for sub in &chart.dependencies {
        // A subchart sees its own section of the parent's values (the same map, as in Go), or
        // an empty table.
        let sub_values = match &chart_values {
            Value::Map(m, _) => match m.borrow().get(&sub.metadata.name) {
                Some(v @ Value::Map(..)) => v.clone(),
                _ => Value::map(gotmpl::Map::new()),
            },
            _ => Value::map(gotmpl::Map::new()),
        };
        collect(sub, sub_values, release, capabilities, &id, out);
    }
    for t in &chart.templates {
        out.push(Renderable {
            name: format!("{id}/{}", t.name),
            text: Rc::from(String::from_utf8_lossy(&t.data).as_ref()),
            data: data.clone(),
            base_path: format!("{id}/templates"),
        });
    }
}

/// Sets `.Template` in a top-level object (shared by every template of a chart, as in Helm).
fn set_template(data: &Value, name: &str, base_path: &str) {
    if let Value::Map(m, _) = data {
        let mut t = gotmpl::Map::new();
        t.insert("Name".to_owned(), Value::string(name));
        t.insert("BasePath".to_owned(), Value::string(base_path));
        m.borrow_mut().insert("Template".to_owned(), Value::map(t));
    }
}

/// Builds a template set: `entries` parsed first (in order), then every reference template
/// not yet present; `include`, `tpl` and `required` are bound to the new set.
fn build_set(ctx: &Rc<Context>, entries: &[(String, Rc<str>)]) -> Result<Rc<SetCell>, RenderError> {
    let cell: Rc<SetCell> = Rc::new(RefCell::new(None));
    let mut funcs = ctx.base_funcs.clone();
    funcs.insert("include".to_owned(), include_func(Rc::downgrade(&cell)));
    funcs.insert("tpl".to_owned(), tpl_func(Rc::downgrade(ctx)));
    funcs.insert("required".to_owned(), required_func(ctx.lint_mode));
    // Helm v2's Go 1.14 semantics, with room for Helm's own include limit (1000 nestings of
    // one name) to be the one that trips.
    let options = Options {
        max_depth: 1100,
        ..Options::helm_v2()
    };
    let mut set = Templates::new(funcs)
        .with_name("gotpl")
        .with_options(options);
    for (name, text) in entries {
        set.parse(name, text).map_err(|e| RenderError::Parse {
            name: name.clone(),
            message: e.to_string(),
        })?;
    }
    for (name, text) in &ctx.references {
        if !set.lookup(name) {
            set.parse(name, text).map_err(|e| RenderError::Parse {
                name: name.clone(),
                message: e.to_string(),
            })?;
        }
    }
    *cell.borrow_mut() = Some(set);
    Ok(cell)
}

fn include_func(cell: Weak<SetCell>) -> gotmpl::Func {
    let counters: Rc<RefCell<HashMap<String, usize>>> = Rc::new(RefCell::new(HashMap::new()));
    Rc::new(move |args: &[Value]| {
        gotmpl::expect_args(args, 2, "include")?;
        let name = gotmpl::expect_string(args, 0, "include")?.to_owned();
        {
            let mut c = counters.borrow_mut();
            let n = c.entry(name.clone()).or_insert(0);
            if *n > MAX_INCLUDE_NESTING {
                return Err(FuncError::new(format!(
                    "rendering template has a nested reference name: {name}: unable to execute template"
                )));
            }
            *n += 1;
        }
        let cell = cell
            .upgrade()
            .ok_or_else(|| FuncError::new("template set is gone"))?;
        let guard = cell.borrow();
        let set = guard
            .as_ref()
            .ok_or_else(|| FuncError::new("template set is not ready"))?;
        let text = set
            .execute_to_string(&name, &args[1])
            .map_err(|e| FuncError::new(e.message))?;
        if let Some(n) = counters.borrow_mut().get_mut(&name) {
            *n = n.saturating_sub(1);
        }
        Ok(Value::string(text))
    })
}

fn required_func(lint_mode: bool) -> gotmpl::Func {
    Rc::new(move |args: &[Value]| {
        gotmpl::expect_args(args, 2, "required")?;
        let warn = gotmpl::expect_string(args, 0, "required")?;
        let missing = match &args[1] {
            Value::Nil => true,
            Value::String(s) => s.is_empty(),
            _ => false,
        };
        if !missing {
            return Ok(args[1].clone());
        }
        if lint_mode {
            return Ok(if args[1].is_nil() {
                Value::string("")
            } else {
                args[1].clone()
            });
        }
        // Helm passes the message to fmt.Errorf as a format string.
        Err(FuncError::new(gotmpl::fmt::sprintf(warn, &[])))
    })
}

fn tpl_func(ctx: Weak<Context>) -> gotmpl::Func {
    Rc::new(move |args: &[Value]| {
        gotmpl::expect_args(args, 2, "tpl")?;
        let text = gotmpl::expect_string(args, 0, "tpl")?.to_owned();
        let vals = &args[1];
        let Value::Map(m, _) = vals else {
            return Err(gotmpl::wrong_type(vals, "chartutil.Values"));
        };
        let template_field = |field: &str| -> Result<String, FuncError> {
            let m = m.borrow();
            let value = match m.get("Template") {
                Some(Value::Map(t, _)) => t.borrow().get(field).cloned(),
                _ => None,
            };
            match value {
                Some(Value::String(s)) => Ok(s.to_string()),
                Some(Value::Map(..)) | None => Err(FuncError::new(format!(
                    "Cannot retrieve Template.{} from values inside tpl function: {text} ({field} is not a value)",
                    if field == "BasePath" {
                        "Basepath"
                    } else {
                        field
                    }
                ))),
                Some(other) => Err(FuncError::new(format!(
                    "interface conversion: interface {{}} is {}, not string",
                    other.type_name()
                ))),
            }
        };
        let base_path = template_field("BasePath")?;
        let name = template_field("Name")?;
        let ctx = ctx
            .upgrade()
            .ok_or_else(|| FuncError::new("render context is gone"))?;
        let wrap = |message: String| {
            FuncError::new(format!(
                "Error during tpl function execution for {}: {message}",
                gotmpl::fmt::quote(&text, false)
            ))
        };
        let cell = build_set(&ctx, &[(name.clone(), Rc::from(text.as_str()))])
            .map_err(|e| wrap(e.to_string()))?;
        let guard = cell.borrow();
        let set = guard
            .as_ref()
            .ok_or_else(|| FuncError::new("template set is not ready"))?;
        set_template(vals, &name, &base_path);
        let out = set.execute_to_string(&name, vals).map_err(|e| {
            wrap(
                RenderError::Exec {
                    name: name.clone(),
                    message: e.message,
                }
                .to_string(),
            )
        })?;
        Ok(Value::string(out.replace("<no value>", "")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_order_matches_helm() {
        let mut names = vec![
            "hello/templates/_foo.tpl",
            "hello/charts/foo/templates/foo.tpl",
            "hello/templates/bar.tpl",
            "hello/charts/foo/charts/bar/templates/foo.tpl",
            "hello/templates/foo.tpl",
            "hello/charts/bar/templates/foo.tpl",
            "hello/charts/foo/templates/bar.tpl",
        ];
        names.sort_by(|a, b| parse_order(a, b));
        assert_eq!(
            names,
            [
                "hello/charts/foo/charts/bar/templates/foo.tpl",
                "hello/charts/foo/templates/foo.tpl",
                "hello/charts/foo/templates/bar.tpl",
                "hello/charts/bar/templates/foo.tpl",
                "hello/templates/foo.tpl",
                "hello/templates/bar.tpl",
                "hello/templates/_foo.tpl",
            ]
        );
    }

    #[test]
    fn default_capabilities() {
        let caps = CapabilitiesData::default();
        assert_eq!(caps.api_versions.len(), 554);
        assert!(caps.api_versions.iter().any(|v| v == "extensions/v1beta1"));
        assert!(caps.api_versions.iter().any(|v| v == "apps/v1/Deployment"));
        assert!(
            !caps
                .api_versions
                .iter()
                .any(|v| v.starts_with("apiextensions.k8s.io"))
        );
        assert_eq!(caps.kube_version.minor, "14");
    }
}
