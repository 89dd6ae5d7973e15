//! Tiller, the server half of Helm v2, re-implemented for high availability.
//!
//! Today the crate holds the release storage layer, [`storage`]: Helm v2's
//! ConfigMap, Secret and Memory drivers in the exact format Helm v2.17.0
//! writes, behind a [`storage::Storage`] facade with Helm's operations, plus
//! the safety rules (create-only revisions, resourceVersion-checked updates,
//! size checks, paged lists and a fencing hook) that several replicas need.

pub mod storage;
