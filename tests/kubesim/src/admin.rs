//! The admin listener: simulator controls that are not part of the Kubernetes API.
//!
//! - `GET /healthz` → `ok`;
//! - `GET /revision` → `{"revision": N}`;
//! - `POST /compact` → drops the watch event ring and list snapshots (later watch resumes and
//!   continue tokens from before get 410).

use axum::Json;
use axum::Router;
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::store::Store;

/// The admin routes.
pub fn router(store: Store) -> Router {
    let s1 = store.clone();
    let s2 = store;
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/revision",
            get(move || {
                let s = s1.clone();
                async move { Json::<Value>(json!({"revision": s.revision()})) }
            }),
        )
        .route(
            "/compact",
            post(move || {
                let s = s2.clone();
                async move {
                    s.compact();
                    Json::<Value>(json!({"compacted": true, "revision": s.revision()}))
                }
            }),
        )
}
