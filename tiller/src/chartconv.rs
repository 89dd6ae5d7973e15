//! Conversion between the chart as it travels over gRPC (`hapi.chart.Chart`)
//! and the chart model the render engine works on ([`chart::Chart`]).
//!
//! The client puts `Chart.yaml` in `metadata`, `values.yaml` in
//! `values.raw`, `templates/*` in `templates` and every other file in
//! `files` as an `Any` whose `type_url` is the file's path (Helm's
//! non-standard use of `Any`); subcharts arrive already loaded in
//! `dependencies`.

use chart::values::{self, Values};
use helm_proto::hapi::chart as pb;
use thiserror::Error;

/// A chart received over gRPC that the engine cannot use.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ChartConvError {
    /// The chart has no metadata (no Chart.yaml).
    #[error("chart {path} has no metadata")]
    NoMetadata {
        /// Where in the chart tree (`<top>` or `<top>/charts/<sub>`).
        path: String,
    },
    /// values.yaml is not a YAML mapping.
    #[error("chart {chart}: cannot parse values.yaml: {message}")]
    Values {
        /// The chart's name.
        chart: String,
        /// The parser's message.
        message: String,
    },
    /// The dependency tree is deeper than anything sensible.
    #[error("chart {path}: subcharts nested deeper than {MAX_DEPTH} levels")]
    TooDeep {
        /// Where the limit was hit.
        path: String,
    },
}

/// Subcharts nest at most this deep; recursion on client input must be bounded.
pub const MAX_DEPTH: usize = 64;

/// The engine's chart from the wire chart.
pub fn from_proto(chart: &pb::Chart) -> Result<chart::Chart, ChartConvError> {
    convert(chart, "<top>", 0)
}

fn convert(chart: &pb::Chart, path: &str, depth: usize) -> Result<chart::Chart, ChartConvError> {
    if depth > MAX_DEPTH {
        return Err(ChartConvError::TooDeep {
            path: path.to_owned(),
        });
    }
    let meta = chart
        .metadata
        .as_ref()
        .ok_or_else(|| ChartConvError::NoMetadata {
            path: path.to_owned(),
        })?;
    let metadata = metadata_from_proto(meta);
    let values_raw = chart
        .values
        .as_ref()
        .map(|c| c.raw.clone())
        .unwrap_or_default();
    let parsed: Values = if values_raw.trim().is_empty() {
        Values::new()
    } else {
        values::read_values(&values_raw).map_err(|e| ChartConvError::Values {
            chart: metadata.name.clone(),
            message: e.to_string(),
        })?
    };
    let templates = chart
        .templates
        .iter()
        .map(|t| chart::File {
            name: t.name.clone(),
            data: t.data.clone(),
        })
        .collect();
    let files = chart
        .files
        .iter()
        .map(|f| chart::File {
            name: f.type_url.clone(),
            data: f.value.clone(),
        })
        .collect();
    let mut dependencies = Vec::with_capacity(chart.dependencies.len());
    for dep in &chart.dependencies {
        let sub = dep.metadata.as_ref().map_or("?", |m| m.name.as_str());
        dependencies.push(convert(dep, &format!("{path}/charts/{sub}"), depth + 1)?);
    }
    Ok(chart::Chart {
        metadata,
        templates,
        values_raw,
        values: parsed,
        files,
        dependencies,
    })
}

fn metadata_from_proto(m: &pb::Metadata) -> chart::Metadata {
    chart::Metadata {
        name: m.name.clone(),
        home: m.home.clone(),
        sources: m.sources.clone(),
        version: m.version.clone(),
        description: m.description.clone(),
        keywords: m.keywords.clone(),
        maintainers: m
            .maintainers
            .iter()
            .map(|x| chart::Maintainer {
                name: x.name.clone(),
                email: x.email.clone(),
                url: x.url.clone(),
            })
            .collect(),
        engine: m.engine.clone(),
        icon: m.icon.clone(),
        api_version: m.api_version.clone(),
        condition: m.condition.clone(),
        tags: m.tags.clone(),
        app_version: m.app_version.clone(),
        deprecated: m.deprecated,
        tiller_version: m.tiller_version.clone(),
        annotations: m
            .annotations
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        kube_version: m.kube_version.clone(),
        ..chart::Metadata::default()
    }
}

/// The wire chart from the engine's chart (what a client sends).
pub fn to_proto(chart: &chart::Chart) -> pb::Chart {
    let m = &chart.metadata;
    pb::Chart {
        metadata: Some(pb::Metadata {
            name: m.name.clone(),
            home: m.home.clone(),
            sources: m.sources.clone(),
            version: m.version.clone(),
            description: m.description.clone(),
            keywords: m.keywords.clone(),
            maintainers: m
                .maintainers
                .iter()
                .map(|x| pb::Maintainer {
                    name: x.name.clone(),
                    email: x.email.clone(),
                    url: x.url.clone(),
                })
                .collect(),
            engine: m.engine.clone(),
            icon: m.icon.clone(),
            api_version: m.api_version.clone(),
            condition: m.condition.clone(),
            tags: m.tags.clone(),
            app_version: m.app_version.clone(),
            deprecated: m.deprecated,
            tiller_version: m.tiller_version.clone(),
            annotations: m
                .annotations
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            kube_version: m.kube_version.clone(),
        }),
        templates: chart
            .templates
            .iter()
            .map(|t| pb::Template {
                name: t.name.clone(),
                data: t.data.clone(),
            })
            .collect(),
        dependencies: chart.dependencies.iter().map(to_proto).collect(),
        values: Some(pb::Config {
            raw: chart.values_raw.clone(),
            values: Default::default(),
        }),
        files: chart
            .files
            .iter()
            .map(|f| prost_types::Any {
                type_url: f.name.clone(),
                value: f.data.clone(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> chart::Chart {
        let sub = chart::Chart {
            metadata: chart::Metadata {
                name: "sub".to_owned(),
                version: "0.1.0".to_owned(),
                ..Default::default()
            },
            templates: vec![],
            values_raw: String::new(),
            values: Values::new(),
            files: vec![],
            dependencies: vec![],
        };
        chart::Chart {
            metadata: chart::Metadata {
                name: "top".to_owned(),
                version: "1.0.0".to_owned(),
                app_version: "2".to_owned(),
                ..Default::default()
            },
            templates: vec![chart::File {
                name: "templates/cm.yaml".to_owned(),
                data: b"kind: ConfigMap".to_vec(),
            }],
            values_raw: "a: 1\n".to_owned(),
            values: values::read_values("a: 1\n").expect("values"),
            files: vec![chart::File {
                name: "files/x.txt".to_owned(),
                data: b"x".to_vec(),
            }],
            dependencies: vec![sub],
        }
    }

    #[test]
    fn round_trip_keeps_everything_the_wire_carries() {
        let c = sample();
        let back = from_proto(&to_proto(&c)).expect("convert");
        assert_eq!(back, c);
    }

    #[test]
    fn missing_metadata_names_the_subchart() {
        let mut p = to_proto(&sample());
        p.dependencies[0].metadata = None;
        let err = from_proto(&p).expect_err("no metadata");
        assert_eq!(err.to_string(), "chart <top>/charts/? has no metadata");
    }

    #[test]
    fn bad_values_are_an_error() {
        let mut p = to_proto(&sample());
        p.values = Some(pb::Config {
            raw: "- a\n- b\n".to_owned(),
            values: Default::default(),
        });
        let err = from_proto(&p).expect_err("list values");
        assert!(
            err.to_string()
                .starts_with("chart top: cannot parse values.yaml"),
            "{err}"
        );
    }

    #[test]
    fn nesting_is_bounded() {
        let mut p = to_proto(&sample());
        for _ in 0..(MAX_DEPTH + 2) {
            let mut parent = to_proto(&sample());
            parent.dependencies = vec![p];
            p = parent;
        }
        assert!(matches!(
            from_proto(&p),
            Err(ChartConvError::TooDeep { .. })
        ));
    }
}
