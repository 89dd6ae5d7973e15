//! Helm v2's "hapi" protocol: the protobuf messages and gRPC services spoken
//! between the `helm` client and Tiller, wire-compatible with Helm v2.17.0.
//!
//! * [`hapi`] holds the generated types, one module per protobuf package:
//!   [`hapi::chart`], [`hapi::release`], [`hapi::version`],
//!   [`hapi::services::tiller`] (messages plus the `ReleaseService` client and
//!   server stubs) and [`hapi::services::rudder`] (the experimental release
//!   module service).
//! * [`methods`] names every gRPC method by its full path, for interceptors,
//!   metrics and raw clients.
//! * [`storage`] encodes releases the way Helm's ConfigMap, Secret and SQL
//!   drivers store them (protobuf, gzip, base64) and decodes them back.
//! * [`compat`] holds the version this project reports to Helm peers, the
//!   `x-helm-api-client` metadata key and Tiller's client/server version
//!   compatibility rule.
//! * [`json`] prints messages the way Helm's Go structs print through
//!   `encoding/json` (`helm status -o json`).
//! * [`transport`] collects the fixed connection parameters of Helm v2
//!   (ports, message size limits, keepalive timings).
//!
//! The `.proto` sources live in `proto/hapi/`. The Rust code generated from
//! them is checked in under `src/gen/` so that building needs no `protoc`;
//! `tests/bootstrap.rs` regenerates it and fails when it is stale (refresh it
//! with `HAPI_PROTO_BLESS=1 cargo test -p helm-proto --test bootstrap`).
//! Well-known types (`google.protobuf.Timestamp` and `Any`) come from
//! [`prost_types`], which is re-exported here.

pub mod compat;
pub mod hapi;
pub mod json;
pub mod methods;
pub mod storage;
pub mod transport;

pub use compat::{API_CLIENT_METADATA_KEY, HELM_VERSION, check_call, is_compatible};
pub use prost;
pub use prost_types;
pub use storage::{StorageError, decode_release, encode_release};
pub use tonic;
