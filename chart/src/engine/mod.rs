//! Helm v2's render engine: the objects templates see (`.Files`, `.Capabilities`, `.Chart`,
//! `.Release.Time`), Helm's functions on top of Sprig, rendering every template of a chart tree
//! ([`render()`]), and turning the output into sorted manifests, hooks and notes
//! ([`manifest`]).

pub mod funcs;
pub mod glob;
pub mod manifest;
pub mod objects;
pub mod render;

pub use manifest::{Hook, Manifest, Release, render_release};
pub use objects::{
    Capabilities, ChartObject, Files, KubeVersion, MaintainerObject, TillerVersion, Timestamp,
    VersionSet,
};
pub use render::{CapabilitiesData, ReleaseOptions, RenderError, RenderOptions, render};
