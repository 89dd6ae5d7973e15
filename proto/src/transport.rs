//! Fixed connection parameters of Helm v2's client and Tiller (spec §1.8),
//! so the client and the server of this project agree with each other and
//! with real Helm peers.

use std::time::Duration;

/// Port Tiller's gRPC API listens on (`--listen` default `:44134`).
pub const DEFAULT_TILLER_PORT: u16 = 44134;

/// Port of Tiller's HTTP probes (`/liveness`, `/readiness`, `/metrics`).
pub const DEFAULT_PROBE_PORT: u16 = 44135;

/// Port of Tiller's HTTP tracing endpoint (only with `--trace`).
pub const DEFAULT_TRACE_PORT: u16 = 44136;

/// Address Tiller dials the experimental release module (rudder) at.
pub const DEFAULT_RUDDER_ADDRESS: &str = "127.0.0.1:10001";

/// Largest gRPC message Tiller sends or receives, and the largest response
/// the client accepts: 20 MiB (gRPC's default is 4 MiB). Releases with
/// big charts need it; `ListReleases` splits its answer to stay below it.
pub const MAX_MESSAGE_SIZE: usize = 20 * 1024 * 1024;

/// Interval of the client's HTTP/2 keepalive pings.
pub const CLIENT_KEEPALIVE_INTERVAL: Duration = Duration::from_secs(30);

/// Tiller closes connections idle for this long.
pub const SERVER_MAX_CONNECTION_IDLE: Duration = Duration::from_secs(10 * 60);

/// Tiller tolerates client keepalive pings no more often than this.
pub const SERVER_KEEPALIVE_MIN_TIME: Duration = Duration::from_secs(20);

/// Default for the client's `--tiller-connection-timeout`, in seconds.
pub const DEFAULT_CONNECTION_TIMEOUT: Duration = Duration::from_secs(300);

/// Service name Tiller registers with the standard gRPC health service
/// (`grpc.health.v1.Health`); `helm init --wait` checks it.
pub const HEALTH_SERVICE_NAME: &str = "Tiller";
