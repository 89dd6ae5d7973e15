//! Conformance suites for kubesim, the Kubernetes API server simulator.
//!
//! kubesim is only useful if real clients accept it unchanged, so its fidelity is proven with
//! clients this project did not write:
//!
//! - `tests/kube_crate.rs` (Rust): the `kube` crate — typed CRUD, the runtime watcher,
//!   aggregated discovery, server-side apply of dynamic objects, and a Lease update conflict;
//! - `test_kubectl.py` (pytest): kubectl, through the checks of the simulator spec §6.1;
//! - `test_helm.py` (pytest): the real Helm library (Helm v4 in the `helm-sdkpy` wheel), through
//!   install, upgrade, rollback, test and uninstall of a fixture chart and of corpus charts.
//!
//! The Python suites run from `scripts/test` with `KUBESIM_BIN` pointing at a built `kubesim`.
