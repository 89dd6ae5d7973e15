//! Helm v2 charts: the chart model, the loader, values coalescing and the render engine.
//!
//! This crate is the Rust counterpart of Helm v2.17's `pkg/chartutil`, `pkg/ignore` and
//! `pkg/strvals`. The pieces, in the order a `helm install` uses them:
//!
//! * [`load()`] / [`load::load_dir`] / [`load::load_archive`]: a chart directory or `.tgz` archive
//!   becomes a [`Chart`] (metadata, templates, default values, other files, subcharts), with
//!   `.helmignore` ([`ignore`]) applied to directories and size caps ([`load::Limits`]) applied
//!   to everything read.
//! * [`values`]: the value tree ([`Value`], [`Values`]), `-f` merging ([`values::merge_values`])
//!   and Helm's coalescing of user values with chart defaults ([`values::coalesce_values`]).
//! * [`strvals`]: the `--set`, `--set-string` and `--set-file` grammar.
//! * [`requirements`]: requirements.yaml / requirements.lock, enabling subcharts by condition and
//!   tag, aliases, and import-values.
//! * [`semver`]: the Masterminds/semver v1 constraints requirements are checked against.
//! * [`proto`]: conversion to and from `hapi.chart.Chart`, the form charts travel to Tiller in.
//! * [`save`]: `helm package` archives, unpacked directories, and safe expansion of archives.
//! * [`engine`]: rendering. [`engine::render()`] runs every template of a chart tree the way Helm
//!   v2's engine does (Sprig plus `include`, `tpl`, `required`, `toYaml`, ...);
//!   [`engine::render_release`] is the whole `helm install` pipeline (requirements, values,
//!   render, notes, hooks, manifests sorted in install order).
//!
//! ```no_run
//! use chart::{load, strvals, values};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut chart = load(std::path::Path::new("mychart"))?;
//! let mut user = values::read_values("replicaCount: 2\n")?;
//! strvals::parse_into("image.tag=1.2.3", &mut user)?;
//! chart::requirements::process_enabled(&mut chart, &user)?;
//! chart::requirements::process_import_values(&mut chart)?;
//! let computed = values::coalesce_values(&chart, &user)?;
//! let rendered = chart::engine::render(&chart, &computed, &Default::default())?;
//! # let _ = rendered;
//! # Ok(())
//! # }
//! ```
//!
//! Everything that reads input returns an error naming the input and the problem; nothing here
//! panics on bad input.

pub mod chartfile;
pub mod engine;
mod gofmt;
pub mod ignore;
pub mod load;
pub mod proto;
pub mod requirements;
pub mod save;
pub mod semver;
pub mod strvals;
pub mod values;
pub mod yaml;

pub use chartfile::{Maintainer, Metadata};
pub use load::{Limits, LoadError, LoadOptions, load};
pub use values::{Map, Value, Values};

/// A file of a chart: its path relative to the chart root (`/`-separated) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Relative path, e.g. `templates/deployment.yaml` or `files/config.ini`.
    pub name: String,
    /// Content.
    pub data: Vec<u8>,
}

/// A loaded chart, the counterpart of `hapi.chart.Chart`.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Chart.yaml.
    pub metadata: Metadata,
    /// Every file under `templates/`, named by its relative path, in load order.
    pub templates: Vec<File>,
    /// The text of values.yaml (empty when the chart has none).
    pub values_raw: String,
    /// values.yaml, parsed (numbers are float64 as in Helm).
    pub values: Values,
    /// Every other file of the chart (README, requirements.yaml, `files/…`, `charts/*.prov`),
    /// which templates see as `.Files`.
    pub files: Vec<File>,
    /// Subcharts, from `charts/`, ordered by their name in `charts/` (Helm's order is random).
    pub dependencies: Vec<Chart>,
}

impl Chart {
    /// The chart's name (Chart.yaml `name`, or the alias after requirements processing).
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// The content of one of the chart's ordinary files, if present.
    pub fn file(&self, name: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .rev()
            .find(|f| f.name == name)
            .map(|f| f.data.as_slice())
    }

    /// Replaces the default values, keeping text and parsed form in step.
    pub fn set_values(&mut self, values: Values) -> Result<(), values::ValuesError> {
        self.values_raw = values::to_yaml(&values)?;
        self.values = values;
        Ok(())
    }
}
