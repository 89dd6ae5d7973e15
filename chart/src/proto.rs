//! Conversion between [`Chart`] and the wire form Helm v2 clients send to Tiller
//! (`hapi.chart.Chart` from the `helm-proto` crate).
//!
//! The mapping follows Helm's loader: values.yaml travels as `values.raw`, ordinary files as
//! `Any` messages whose type URL is the file's path, and subcharts nest as dependencies. Fields
//! only Helm 3 charts have (`type`, `dependencies` in Chart.yaml) have no place on the wire and
//! are dropped.

use helm_proto::hapi::chart as pb;
use thiserror::Error;

use crate::chartfile::{Maintainer, Metadata};
use crate::values::read_values;
use crate::yaml::YamlError;
use crate::{Chart, File};

/// Errors converting a chart received on the wire.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ProtoError {
    /// The chart has no metadata.
    #[error("chart metadata (Chart.yaml) missing")]
    MetadataMissing,
    /// The chart (or a subchart) has no name.
    #[error("invalid chart (Chart.yaml): name must not be empty")]
    EmptyName,
    /// The default values do not parse.
    #[error("chart {chart}: values.yaml: {source}")]
    Values {
        /// The chart name.
        chart: String,
        /// Why.
        source: YamlError,
    },
    /// Values of a subchart are wrong.
    #[error("error unpacking {name} in {parent}: {source}")]
    Subchart {
        /// The subchart name.
        name: String,
        /// The parent chart.
        parent: String,
        /// Why.
        source: Box<ProtoError>,
    },
}

fn metadata_to_proto(m: &Metadata) -> pb::Metadata {
    pb::Metadata {
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
    }
}

fn metadata_from_proto(m: pb::Metadata) -> Metadata {
    Metadata {
        name: m.name,
        home: m.home,
        sources: m.sources,
        version: m.version,
        description: m.description,
        keywords: m.keywords,
        maintainers: m
            .maintainers
            .into_iter()
            .map(|x| Maintainer {
                name: x.name,
                email: x.email,
                url: x.url,
            })
            .collect(),
        engine: m.engine,
        icon: m.icon,
        api_version: m.api_version,
        condition: m.condition,
        tags: m.tags,
        app_version: m.app_version,
        deprecated: m.deprecated,
        tiller_version: m.tiller_version,
        annotations: m.annotations.into_iter().collect(),
        kube_version: m.kube_version,
        chart_type: String::new(),
        dependencies: Vec::new(),
    }
}

/// The chart as a Helm v2 client sends it.
pub fn to_proto(chart: &Chart) -> pb::Chart {
    pb::Chart {
        metadata: Some(metadata_to_proto(&chart.metadata)),
        templates: chart
            .templates
            .iter()
            .map(|t| pb::Template {
                name: t.name.clone(),
                data: t.data.clone(),
            })
            .collect(),
        dependencies: chart.dependencies.iter().map(to_proto).collect(),
        values: if chart.values_raw.is_empty() {
            None
        } else {
            Some(pb::Config {
                raw: chart.values_raw.clone(),
                values: Default::default(),
            })
        },
        files: chart
            .files
            .iter()
            .map(|f| helm_proto::prost_types::Any {
                type_url: f.name.clone(),
                value: f.data.clone(),
            })
            .collect(),
    }
}

/// A chart received from a client: metadata and name are required, default values must parse.
pub fn from_proto(chart: pb::Chart) -> Result<Chart, ProtoError> {
    let metadata = metadata_from_proto(chart.metadata.ok_or(ProtoError::MetadataMissing)?);
    if metadata.name.is_empty() {
        return Err(ProtoError::EmptyName);
    }
    let values_raw = chart.values.map(|c| c.raw).unwrap_or_default();
    let values = if values_raw.is_empty() {
        crate::Values::new()
    } else {
        read_values(&values_raw).map_err(|source| ProtoError::Values {
            chart: metadata.name.clone(),
            source,
        })?
    };
    let mut dependencies = Vec::with_capacity(chart.dependencies.len());
    for (i, dep) in chart.dependencies.into_iter().enumerate() {
        let name = dep
            .metadata
            .as_ref()
            .map_or_else(|| format!("#{i}"), |m| m.name.clone());
        let sub = from_proto(dep).map_err(|source| ProtoError::Subchart {
            name,
            parent: metadata.name.clone(),
            source: Box::new(source),
        })?;
        dependencies.push(sub);
    }
    Ok(Chart {
        metadata,
        templates: chart
            .templates
            .into_iter()
            .map(|t| File {
                name: t.name,
                data: t.data,
            })
            .collect(),
        values_raw,
        values,
        files: chart
            .files
            .into_iter()
            .map(|f| File {
                name: f.type_url,
                data: f.value,
            })
            .collect(),
        dependencies,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let sub = Chart {
            metadata: Metadata {
                name: "sub".into(),
                version: "0.1.0".into(),
                ..Default::default()
            },
            templates: vec![],
            values_raw: String::new(),
            values: crate::Values::new(),
            files: vec![],
            dependencies: vec![],
        };
        let mut annotations = std::collections::BTreeMap::new();
        annotations.insert("k".to_owned(), "v".to_owned());
        let chart = Chart {
            metadata: Metadata {
                name: "top".into(),
                version: "1.0.0".into(),
                deprecated: true,
                maintainers: vec![Maintainer {
                    name: "m".into(),
                    email: "e".into(),
                    url: "u".into(),
                }],
                annotations,
                ..Default::default()
            },
            templates: vec![File {
                name: "templates/t.yaml".into(),
                data: b"t".to_vec(),
            }],
            values_raw: "a: 1\n".into(),
            values: read_values("a: 1\n").unwrap(),
            files: vec![File {
                name: "README.md".into(),
                data: b"r".to_vec(),
            }],
            dependencies: vec![sub],
        };
        let wire = to_proto(&chart);
        assert_eq!(wire.values.as_ref().map(|v| v.raw.as_str()), Some("a: 1\n"));
        assert_eq!(wire.files[0].type_url, "README.md");
        assert_eq!(from_proto(wire).unwrap(), chart);
    }

    #[test]
    fn rejects_bad_wire_charts() {
        assert_eq!(
            from_proto(pb::Chart::default()).unwrap_err(),
            ProtoError::MetadataMissing
        );
        let nameless = pb::Chart {
            metadata: Some(pb::Metadata::default()),
            ..Default::default()
        };
        assert_eq!(from_proto(nameless).unwrap_err(), ProtoError::EmptyName);
        let bad_values = pb::Chart {
            metadata: Some(pb::Metadata {
                name: "x".into(),
                ..Default::default()
            }),
            values: Some(pb::Config {
                raw: "a: [\n".into(),
                values: Default::default(),
            }),
            ..Default::default()
        };
        assert!(
            from_proto(bad_values)
                .unwrap_err()
                .to_string()
                .starts_with("chart x: values.yaml: ")
        );
        let nested = pb::Chart {
            metadata: Some(pb::Metadata {
                name: "p".into(),
                ..Default::default()
            }),
            dependencies: vec![pb::Chart::default()],
            ..Default::default()
        };
        assert_eq!(
            from_proto(nested).unwrap_err().to_string(),
            "error unpacking #0 in p: chart metadata (Chart.yaml) missing"
        );
    }
}
