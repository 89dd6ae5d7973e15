//! Chart.yaml: the chart's metadata (`hapi.chart.Metadata`).
//!
//! Helm v2 reads Chart.yaml through ghodss/yaml into a Go struct, so keys match
//! case-insensitively, unknown keys are ignored, and numbers or booleans given for string
//! fields become strings (floats with float32 precision: `version: 1.10` is `"1.1"`).

use std::collections::BTreeMap;

use crate::requirements::Dependency;
use crate::yaml::{self, Node, Object, YamlError};

/// The only Chart.yaml `apiVersion` Helm v2 accepts (an empty one is accepted too).
pub const API_VERSION_V1: &str = "v1";

/// The Helm 3 Chart.yaml `apiVersion`, accepted only when [`crate::LoadOptions::allow_api_v2`]
/// is set.
pub const API_VERSION_V2: &str = "v2";

/// A chart maintainer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Maintainer {
    /// Name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Web page.
    pub url: String,
}

/// Chart.yaml.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metadata {
    /// `name` (required).
    pub name: String,
    /// `home`.
    pub home: String,
    /// `sources`.
    pub sources: Vec<String>,
    /// `version` (SemVer; not validated when loading).
    pub version: String,
    /// `description`.
    pub description: String,
    /// `keywords`.
    pub keywords: Vec<String>,
    /// `maintainers`.
    pub maintainers: Vec<Maintainer>,
    /// `engine` (`gotpl` or empty).
    pub engine: String,
    /// `icon`.
    pub icon: String,
    /// `apiVersion`.
    pub api_version: String,
    /// `condition` (unused by the engine).
    pub condition: String,
    /// `tags` (a string in v1 charts; unused by the engine).
    pub tags: String,
    /// `appVersion`.
    pub app_version: String,
    /// `deprecated`.
    pub deprecated: bool,
    /// `tillerVersion` (a constraint Tiller checks itself against).
    pub tiller_version: String,
    /// `annotations`.
    pub annotations: BTreeMap<String, String>,
    /// `kubeVersion` (a constraint checked against the cluster's version).
    pub kube_version: String,
    /// `type` (Helm 3 charts: `application` or `library`).
    pub chart_type: String,
    /// `dependencies` (Helm 3 charts declare them in Chart.yaml instead of requirements.yaml).
    pub dependencies: Vec<Dependency>,
}

/// A Chart.yaml decode error.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ChartfileError {
    /// The YAML is malformed or does not fit the Chart.yaml structure.
    #[error("Chart.yaml: {0}")]
    Yaml(#[from] YamlError),
}

impl Metadata {
    /// Decodes Chart.yaml text. Only the structure is checked here; the loader checks `name`
    /// and `apiVersion`.
    pub fn from_yaml(text: &str) -> Result<Metadata, ChartfileError> {
        let node = yaml::parse(text)?;
        Ok(Metadata::from_node(&node)?)
    }

    /// Decodes an already parsed Chart.yaml.
    pub fn from_node(node: &Node) -> Result<Metadata, YamlError> {
        let o = Object::new(node, "Metadata")?;
        let maintainers = o
            .objects("maintainers", "Maintainer")?
            .iter()
            .map(|m| {
                Ok(Maintainer {
                    name: m.string("name")?,
                    email: m.string("email")?,
                    url: m.string("url")?,
                })
            })
            .collect::<Result<Vec<_>, YamlError>>()?;
        let dependencies = o
            .objects("dependencies", "Dependency")?
            .iter()
            .map(Dependency::from_object)
            .collect::<Result<Vec<_>, YamlError>>()?;
        Ok(Metadata {
            name: o.string("name")?,
            home: o.string("home")?,
            sources: o.strings("sources")?,
            version: o.string("version")?,
            description: o.string("description")?,
            keywords: o.strings("keywords")?,
            maintainers,
            engine: o.string("engine")?,
            icon: o.string("icon")?,
            api_version: o.string("apiVersion")?,
            condition: o.string("condition")?,
            tags: o.string("tags")?,
            app_version: o.string("appVersion")?,
            deprecated: o.bool("deprecated")?,
            tiller_version: o.string("tillerVersion")?,
            annotations: o.string_map("annotations")?,
            kube_version: o.string("kubeVersion")?,
            chart_type: o.string("type")?,
            dependencies,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Node {
        Node::String(x.to_owned())
    }

    #[test]
    fn decodes_every_field() {
        let node = Node::Map(vec![
            (s("apiVersion"), s("v1")),
            (s("name"), s("frobnitz")),
            (s("Version"), Node::Float(1.0)),
            (s("appVersion"), Node::Float(1.10)),
            (s("description"), s("d")),
            (s("home"), s("h")),
            (s("icon"), s("i")),
            (s("engine"), s("gotpl")),
            (s("kubeVersion"), s(">=1.10")),
            (s("tillerVersion"), s(">=2.0")),
            (s("deprecated"), Node::Bool(true)),
            (s("sources"), Node::Seq(vec![s("a"), s("b")])),
            (s("keywords"), Node::Seq(vec![s("k")])),
            (
                s("maintainers"),
                Node::Seq(vec![Node::Map(vec![
                    (s("name"), s("n")),
                    (s("email"), s("e")),
                    (s("url"), s("u")),
                ])]),
            ),
            (
                s("annotations"),
                Node::Map(vec![(s("x"), Node::Bool(true))]),
            ),
            (s("condition"), s("c")),
            (s("tags"), s("t")),
        ]);
        let m = Metadata::from_node(&node).unwrap();
        assert_eq!(m.name, "frobnitz");
        assert_eq!(m.version, "1");
        assert_eq!(m.app_version, "1.1");
        assert_eq!(m.api_version, "v1");
        assert_eq!(m.kube_version, ">=1.10");
        assert_eq!(m.tiller_version, ">=2.0");
        assert!(m.deprecated);
        assert_eq!(m.sources, ["a", "b"]);
        assert_eq!(
            m.maintainers,
            [Maintainer {
                name: "n".into(),
                email: "e".into(),
                url: "u".into()
            }]
        );
        assert_eq!(m.annotations.get("x").map(String::as_str), Some("true"));
        assert_eq!((m.condition.as_str(), m.tags.as_str()), ("c", "t"));
    }

    #[test]
    fn deprecated_must_be_bool() {
        let node = Node::Map(vec![(s("name"), s("x")), (s("deprecated"), s("true"))]);
        let e = Metadata::from_node(&node).unwrap_err();
        assert!(
            e.message.contains("Metadata.deprecated of type bool"),
            "{e}"
        );
    }

    #[test]
    fn v2_dependencies() {
        let node = Node::Map(vec![
            (s("apiVersion"), s("v2")),
            (s("name"), s("x")),
            (s("type"), s("application")),
            (
                s("dependencies"),
                Node::Seq(vec![Node::Map(vec![
                    (s("name"), s("sub")),
                    (s("version"), s("1.x")),
                    (s("alias"), s("a")),
                ])]),
            ),
        ]);
        let m = Metadata::from_node(&node).unwrap();
        assert_eq!(m.chart_type, "application");
        assert_eq!(m.dependencies.len(), 1);
        assert_eq!(m.dependencies[0].alias, "a");
    }
}
