//! kubesim: a Kubernetes API server simulator.
//!
//! Stands in for kube-apiserver (reporting v1.33) in tests, chaos runs and the local stack;
//! kubectl 1.32/1.33, client-go (the Helm library) and the `kube` crate talk to it unchanged, over
//! plain HTTP, or over self-signed TLS when bearer tokens are configured (client-go sends tokens
//! only to `https://` servers).
//!
//! ```no_run
//! # async fn demo() -> Result<(), kubesim::ServerError> {
//! let sim = kubesim::Server::builder()
//!     .api_ports(1)
//!     .legacy_apis(false)
//!     .start()
//!     .await?; // binds 127.0.0.1:0
//! let url = sim.url(); // also api_urls(), admin_url(), kubeconfig(), kubeconfig_for(i)
//! sim.write_kubeconfig("/tmp/kubesim.kubeconfig")?;
//! let revision = sim.store().revision(); // direct inspection in tests
//! sim.shutdown().await;
//! # let _ = (url, revision);
//! # Ok(())
//! # }
//! ```
//!
//! Builder options: `listen`, `api_ports`, `admin_listen`, `legacy_apis`, `data_dir`,
//! `token_file`, `authorization_rbac`, `tls`, `streaming_lists`, `bookmark_interval`,
//! `controllers(Option<ControllerConfig>)`, `fault_seed`, `audit_log`.
//!
//! What is served: every built-in resource of a 1.33 cluster ([`registry`]), CRDs at run time,
//! legacy and aggregated discovery and a minimal OpenAPI v3 ([`discovery`]), CRUD, list with
//! selectors and paging, watch with resume, bookmarks and streaming lists, the four patch types
//! ([`patch`]), subresources, finalizers, garbage collection and namespace lifecycle ([`gc`]),
//! server-side printing ([`table`]), strict field validation ([`strict`]), protobuf request
//! bodies for the kinds kubectl's typed commands send ([`protobuf`]).
//!
//! # Integration points
//!
//! The store ([`store::Store`], cheap to clone, thread-safe) implements the API server's object
//! semantics; the HTTP layer, the fake controllers and tests all write through it:
//!
//! - look up resources: `store.registry().lookup(group, version, plural)`,
//!   `store.resource_for_kind("apps/v1", "Deployment")`;
//! - read: `store.get(&ri, ns, name) -> Result<Value, ApiError>`,
//!   `store.list(&ri, Some(ns) | None, &ListOptions) -> Result<ObjectList, ApiError>`,
//!   `store.get_raw(&GroupResource, ns, name)`, `store.all_raw(&GroupResource)`;
//! - write: `store.create(&ri, ns, obj, &WriteOptions)`,
//!   `store.update(&ri, ns, name, obj, &WriteOptions) -> (Value, created)` (PUT semantics),
//!   `store.merge_patch(&ri, ns, name, &patch, &WriteOptions)` (last writer wins),
//!   `store.update_status(&ri, ns, name, status)` (only `.status`, never bumps generation),
//!   `store.write(&ri, ns, name, &WriteOptions, put, |current| -> candidate)` (atomic
//!   read-modify-write; a resourceVersion in the candidate is a precondition),
//!   `store.delete(&ri, ns, name, &DeleteOptions) -> DeleteOutcome`,
//!   `store.delete_collection(..)`;
//! - events: `store.subscribe()` is the event bus (every [`store::Event`] in revision order,
//!   with the old object for MODIFIED/DELETED); `store.watch(&ri, rv, &WatchFilter)` starts a
//!   client watch with replay from the event ring.
//!
//! Request metadata for the pipeline stages (authentication → fault injection → authorization
//! → handler) lives in [`request`]: [`RequestInfo`] (listener index, source port, user,
//! user agent, verb, group, version, resource, subresource, namespace, name, path) and
//! [`RequestAttributes`] (the authorization view).

pub mod admin;
pub mod api;
pub mod auth;
pub mod controllers;
pub mod defaults;
pub mod discovery;
pub mod error;
pub mod faults;
pub mod gc;
pub mod patch;
pub mod protobuf;
pub mod rbac;
pub mod registry;
pub mod request;
pub mod selector;
pub mod server;
pub mod store;
pub mod strict;
pub mod table;
pub mod tls;
pub mod validation;

pub use error::ApiError;
pub use registry::{GroupResource, Registry, ResourceInfo};
pub use request::{RequestAttributes, RequestInfo, UserIdentity};
pub use server::{Builder, Server, ServerError};
pub use store::Store;
