//! Generated protobuf types and gRPC stubs of Helm v2.17.0's hapi packages.
//!
//! The module tree mirrors the protobuf package names, which the generated
//! code relies on: cross-package references are emitted as relative
//! `super::` paths (e.g. `hapi.services.tiller` reaches `hapi.release` as
//! `super::super::release`).
//!
//! Scalar fields follow proto3 implicit presence: a default value is never
//! sent and reads back as the default. Enum-typed fields are stored as `i32`
//! (unknown numbers survive a round trip); use the generated typed accessors
//! (e.g. `status.code()`) or `TryFrom<i32>` to interpret them.

/// Package `hapi.chart`: a chart as uploaded by the client (`Chart`,
/// `Metadata`, `Template`, `Config`).
pub mod chart {
    include!("gen/hapi.chart.rs");
}

/// Package `hapi.release`: the stored release record (`Release`, `Info`,
/// `Status`, `Hook`, `TestRun`, `TestSuite`).
pub mod release {
    include!("gen/hapi.release.rs");
}

/// Package `hapi.version`: the build version Tiller reports.
pub mod version {
    include!("gen/hapi.version.rs");
}

/// The `hapi.services.*` packages: the gRPC APIs.
pub mod services {
    /// Package `hapi.services.tiller`: the `ReleaseService` API Tiller serves,
    /// its messages, a client (`release_service_client::ReleaseServiceClient`)
    /// and a server (`release_service_server::ReleaseServiceServer` around an
    /// implementation of the `release_service_server::ReleaseService` trait).
    pub mod tiller {
        include!("gen/hapi.services.tiller.rs");
    }

    /// Package `hapi.services.rudder`: the experimental release module API
    /// (`ReleaseModuleService`) Tiller calls when run with
    /// `--experimental-release`.
    pub mod rudder {
        include!("gen/hapi.services.rudder.rs");
    }
}
