//! Helm v2's render engine glue: the objects templates see (`.Files`, `.Capabilities`, `.Chart`,
//! `.Release.Time`) and the `.Files.Glob` pattern syntax.

pub mod glob;
pub mod objects;

pub use objects::{
    Capabilities, ChartObject, Files, KubeVersion, MaintainerObject, TillerVersion, Timestamp,
    VersionSet,
};
