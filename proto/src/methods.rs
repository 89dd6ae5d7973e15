//! Full gRPC method paths of the hapi services, as they appear in HTTP/2
//! `:path` headers (`/<package>.<Service>/<Method>`).
//!
//! Tiller's interceptors need these to single out methods (Helm exempts
//! `GetVersion` from the client version check and checks the health service
//! too), metrics need them as labels, and raw or test clients can call a
//! method by path without the generated stubs.

/// One gRPC method of a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Method {
    /// Fully qualified service name, e.g. `hapi.services.tiller.ReleaseService`.
    pub service: &'static str,
    /// Method name as declared in the `.proto` file, e.g. `InstallRelease`.
    pub name: &'static str,
    /// Full path, e.g. `/hapi.services.tiller.ReleaseService/InstallRelease`.
    pub path: &'static str,
    /// Whether the server answers with a stream of messages.
    pub server_streaming: bool,
}

/// Splits a full method path into service and method names, the way Tiller
/// does for logging and its version-check exemption: the path must be
/// `/<service>/<method>` with exactly those two parts.
pub fn split_path(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix('/')?;
    let (service, method) = rest.split_once('/')?;
    if method.contains('/') {
        return None;
    }
    Some((service, method))
}

/// Looks a full method path up among every method of [`tiller::ALL`],
/// [`rudder::ALL`] and [`health::ALL`].
pub fn find(path: &str) -> Option<&'static Method> {
    tiller::ALL
        .iter()
        .chain(rudder::ALL.iter())
        .chain(health::ALL.iter())
        .find(|m| m.path == path)
}

/// `hapi.services.tiller.ReleaseService`, the API Tiller serves.
pub mod tiller {
    use super::Method;

    /// Fully qualified service name.
    pub const SERVICE: &str = "hapi.services.tiller.ReleaseService";

    /// Server-streaming: `ListReleasesRequest` → stream of `ListReleasesResponse`.
    pub const LIST_RELEASES: &str = "/hapi.services.tiller.ReleaseService/ListReleases";
    /// Unary: `GetReleaseStatusRequest` → `GetReleaseStatusResponse`.
    pub const GET_RELEASE_STATUS: &str = "/hapi.services.tiller.ReleaseService/GetReleaseStatus";
    /// Unary: `GetReleaseContentRequest` → `GetReleaseContentResponse`.
    pub const GET_RELEASE_CONTENT: &str = "/hapi.services.tiller.ReleaseService/GetReleaseContent";
    /// Unary: `UpdateReleaseRequest` → `UpdateReleaseResponse`.
    pub const UPDATE_RELEASE: &str = "/hapi.services.tiller.ReleaseService/UpdateRelease";
    /// Unary: `InstallReleaseRequest` → `InstallReleaseResponse`.
    pub const INSTALL_RELEASE: &str = "/hapi.services.tiller.ReleaseService/InstallRelease";
    /// Unary: `UninstallReleaseRequest` → `UninstallReleaseResponse`.
    pub const UNINSTALL_RELEASE: &str = "/hapi.services.tiller.ReleaseService/UninstallRelease";
    /// Unary: `GetVersionRequest` → `GetVersionResponse`. Exempt from the
    /// client version check.
    pub const GET_VERSION: &str = "/hapi.services.tiller.ReleaseService/GetVersion";
    /// Unary: `RollbackReleaseRequest` → `RollbackReleaseResponse`.
    pub const ROLLBACK_RELEASE: &str = "/hapi.services.tiller.ReleaseService/RollbackRelease";
    /// Unary: `GetHistoryRequest` → `GetHistoryResponse`.
    pub const GET_HISTORY: &str = "/hapi.services.tiller.ReleaseService/GetHistory";
    /// Server-streaming: `TestReleaseRequest` → stream of `TestReleaseResponse`.
    pub const RUN_RELEASE_TEST: &str = "/hapi.services.tiller.ReleaseService/RunReleaseTest";

    const fn method(name: &'static str, path: &'static str, server_streaming: bool) -> Method {
        Method {
            service: SERVICE,
            name,
            path,
            server_streaming,
        }
    }

    /// Every method, in declaration order.
    pub const ALL: [Method; 10] = [
        method("ListReleases", LIST_RELEASES, true),
        method("GetReleaseStatus", GET_RELEASE_STATUS, false),
        method("GetReleaseContent", GET_RELEASE_CONTENT, false),
        method("UpdateRelease", UPDATE_RELEASE, false),
        method("InstallRelease", INSTALL_RELEASE, false),
        method("UninstallRelease", UNINSTALL_RELEASE, false),
        method("GetVersion", GET_VERSION, false),
        method("RollbackRelease", ROLLBACK_RELEASE, false),
        method("GetHistory", GET_HISTORY, false),
        method("RunReleaseTest", RUN_RELEASE_TEST, true),
    ];
}

/// `hapi.services.rudder.ReleaseModuleService`, the experimental release
/// module API (all methods unary).
pub mod rudder {
    use super::Method;

    /// Fully qualified service name.
    pub const SERVICE: &str = "hapi.services.rudder.ReleaseModuleService";

    /// `VersionReleaseRequest` → `VersionReleaseResponse`.
    pub const VERSION: &str = "/hapi.services.rudder.ReleaseModuleService/Version";
    /// `InstallReleaseRequest` → `InstallReleaseResponse`.
    pub const INSTALL_RELEASE: &str = "/hapi.services.rudder.ReleaseModuleService/InstallRelease";
    /// `DeleteReleaseRequest` → `DeleteReleaseResponse`.
    pub const DELETE_RELEASE: &str = "/hapi.services.rudder.ReleaseModuleService/DeleteRelease";
    /// `RollbackReleaseRequest` → `RollbackReleaseResponse`.
    pub const ROLLBACK_RELEASE: &str = "/hapi.services.rudder.ReleaseModuleService/RollbackRelease";
    /// `UpgradeReleaseRequest` → `UpgradeReleaseResponse`.
    pub const UPGRADE_RELEASE: &str = "/hapi.services.rudder.ReleaseModuleService/UpgradeRelease";
    /// `ReleaseStatusRequest` → `ReleaseStatusResponse`.
    pub const RELEASE_STATUS: &str = "/hapi.services.rudder.ReleaseModuleService/ReleaseStatus";

    const fn method(name: &'static str, path: &'static str) -> Method {
        Method {
            service: SERVICE,
            name,
            path,
            server_streaming: false,
        }
    }

    /// Every method, in declaration order.
    pub const ALL: [Method; 6] = [
        method("Version", VERSION),
        method("InstallRelease", INSTALL_RELEASE),
        method("DeleteRelease", DELETE_RELEASE),
        method("RollbackRelease", ROLLBACK_RELEASE),
        method("UpgradeRelease", UPGRADE_RELEASE),
        method("ReleaseStatus", RELEASE_STATUS),
    ];
}

/// `grpc.health.v1.Health`, which Tiller also serves (service name
/// [`crate::transport::HEALTH_SERVICE_NAME`]) and which `helm init --wait`
/// polls. Its `Check` is subject to the client version check.
pub mod health {
    use super::Method;

    /// Fully qualified service name.
    pub const SERVICE: &str = "grpc.health.v1.Health";
    /// Unary `HealthCheckRequest` → `HealthCheckResponse`.
    pub const CHECK: &str = "/grpc.health.v1.Health/Check";
    /// Server-streaming `HealthCheckRequest` → stream of `HealthCheckResponse`.
    pub const WATCH: &str = "/grpc.health.v1.Health/Watch";

    /// Every method of the standard health service.
    pub const ALL: [Method; 2] = [
        Method {
            service: SERVICE,
            name: "Check",
            path: CHECK,
            server_streaming: false,
        },
        Method {
            service: SERVICE,
            name: "Watch",
            path: WATCH,
            server_streaming: true,
        },
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The RPC table of the spec (helm-v2-protocol.md §1.2): name and whether
    /// the response is a server stream.
    const SPEC_RELEASE_SERVICE: [(&str, bool); 10] = [
        ("ListReleases", true),
        ("GetReleaseStatus", false),
        ("GetReleaseContent", false),
        ("UpdateRelease", false),
        ("InstallRelease", false),
        ("UninstallRelease", false),
        ("GetVersion", false),
        ("RollbackRelease", false),
        ("GetHistory", false),
        ("RunReleaseTest", true),
    ];

    #[test]
    fn release_service_methods_match_the_spec() {
        let ours: Vec<(&str, bool)> = tiller::ALL
            .iter()
            .map(|m| (m.name, m.server_streaming))
            .collect();
        assert_eq!(ours, SPEC_RELEASE_SERVICE.to_vec());
        for m in &tiller::ALL {
            assert_eq!(m.service, "hapi.services.tiller.ReleaseService");
            assert_eq!(
                m.path,
                format!("/hapi.services.tiller.ReleaseService/{}", m.name)
            );
        }
    }

    #[test]
    fn rudder_methods_match_the_spec() {
        let names: Vec<&str> = rudder::ALL.iter().map(|m| m.name).collect();
        assert_eq!(
            names,
            [
                "Version",
                "InstallRelease",
                "DeleteRelease",
                "RollbackRelease",
                "UpgradeRelease",
                "ReleaseStatus"
            ]
        );
        for m in &rudder::ALL {
            assert_eq!(m.path, format!("/{}/{}", m.service, m.name));
            assert!(!m.server_streaming);
        }
    }

    #[test]
    fn service_names_match_the_generated_servers() {
        assert_eq!(
            tiller::SERVICE,
            crate::hapi::services::tiller::release_service_server::SERVICE_NAME
        );
        assert_eq!(
            rudder::SERVICE,
            crate::hapi::services::rudder::release_module_service_server::SERVICE_NAME
        );
    }

    #[test]
    fn split_path_accepts_only_service_slash_method() {
        assert_eq!(
            split_path(tiller::GET_VERSION),
            Some(("hapi.services.tiller.ReleaseService", "GetVersion"))
        );
        assert_eq!(split_path("GetVersion"), None);
        assert_eq!(split_path("/only-service"), None);
        assert_eq!(split_path("/a/b/c"), None);
    }

    #[test]
    fn find_locates_methods_of_every_service() {
        assert_eq!(
            find(tiller::RUN_RELEASE_TEST).map(|m| m.name),
            Some("RunReleaseTest")
        );
        assert_eq!(
            find(rudder::VERSION).map(|m| m.service),
            Some(rudder::SERVICE)
        );
        assert_eq!(find(health::CHECK).map(|m| m.name), Some("Check"));
        assert_eq!(find("/hapi.services.tiller.ReleaseService/Nope"), None);
    }
}
