//! The release lifecycle through the gRPC API against kubesim: install with
//! hooks in weight order, status, content, upgrade, rollback, tests,
//! delete (kept resources) and purge, on ConfigMap storage.

mod common;

use common::*;
use futures::StreamExt as _;
use helm_proto::hapi::release::{hook, status::Code, test_run};
use helm_proto::hapi::services::tiller::*;

fn rv(v: &serde_json::Value) -> u64 {
    v["metadata"]["resourceVersion"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("resourceVersion")
}

#[tokio::test]
async fn full_lifecycle_of_the_web_chart() {
    let env = start(Backend::ConfigMaps).await;
    let mut c = env.client().await;

    // Install.
    let rel = c
        .install_release(install_req("web1", web_chart(), "message: first\n"))
        .await
        .expect("install")
        .into_inner()
        .release
        .expect("release");
    assert_eq!(code_of(&rel), Code::Deployed);
    assert_eq!(description(&rel), "Install complete");
    assert_eq!(rel.version, 1);
    assert_eq!(rel.namespace, "apps");
    assert!(
        rel.manifest
            .contains("# Source: web/templates/deployment.yaml")
    );
    let notes = rel
        .info
        .as_ref()
        .and_then(|i| i.status.as_ref())
        .map(|s| s.notes.clone())
        .unwrap_or_default();
    assert_eq!(notes.trim(), "Thanks for installing web1 (first).");
    // The unknown hook's document is dropped entirely.
    assert!(!rel.manifest.contains("unknown-hook"));
    assert!(rel.hooks.iter().all(|h| h.name != "web1-unknown-hook"));
    let cm = env
        .configmap("apps", "web1-config")
        .await
        .expect("configmap");
    assert_eq!(cm["data"]["message"], "first");
    assert!(
        env.get("/apis/apps/v1/namespaces/apps/deployments/web1-web")
            .await
            .is_some()
    );
    assert!(
        env.get("/api/v1/namespaces/apps/services/web1-web")
            .await
            .is_some()
    );

    // Hooks ran by weight, then name; hook-succeeded removed the Job; last_run set.
    let first = rv(&env
        .configmap("apps", "web1-pre-first")
        .await
        .expect("pre-first"));
    let a = rv(&env.configmap("apps", "web1-pre-a").await.expect("pre-a"));
    let b = rv(&env.configmap("apps", "web1-pre-b").await.expect("pre-b"));
    let config_rv = rv(&cm);
    assert!(
        first < a && a < b && b < config_rv,
        "order {first} {a} {b} {config_rv}"
    );
    assert!(
        env.get("/apis/batch/v1/namespaces/apps/jobs/web1-post-job")
            .await
            .is_none()
    );
    let post = rel
        .hooks
        .iter()
        .find(|h| h.name == "web1-post-job")
        .expect("post hook");
    assert!(post.last_run.is_some());
    assert_eq!(post.events, vec![hook::Event::PostInstall as i32]);

    // The record is in Helm v2's ConfigMap format.
    let stored = env
        .configmap("kube-system", "web1.v1")
        .await
        .expect("record");
    assert_eq!(stored["metadata"]["labels"]["STATUS"], "DEPLOYED");
    assert_eq!(stored["metadata"]["labels"]["OWNER"], "TILLER");

    // Status with the resource table.
    let st = c
        .get_release_status(GetReleaseStatusRequest {
            name: "web1".into(),
            version: 0,
        })
        .await
        .expect("status")
        .into_inner();
    let resources = st
        .info
        .as_ref()
        .and_then(|i| i.status.as_ref())
        .map(|s| s.resources.clone())
        .unwrap_or_default();
    assert!(
        resources.contains("==> v1/ConfigMap\nNAME         DATA  AGE\nweb1-config  2 "),
        "{resources}"
    );
    assert!(resources.contains("web1-config"), "{resources}");
    assert!(resources.contains("==> apps/v1/Deployment"), "{resources}");
    assert_eq!(st.namespace, "apps");

    // Upgrade: values change, a new port appears (merge-key list), old values reused when none given.
    let rel = c
        .update_release(UpdateReleaseRequest {
            name: "web1".into(),
            chart: Some(web_chart()),
            values: values("message: second\nextraPort: true\n"),
            timeout: 30,
            ..Default::default()
        })
        .await
        .expect("upgrade")
        .into_inner()
        .release
        .expect("release");
    assert_eq!((rel.version, code_of(&rel)), (2, Code::Deployed));
    assert_eq!(description(&rel), "Upgrade complete");
    let cm = env
        .configmap("apps", "web1-config")
        .await
        .expect("configmap");
    assert_eq!(cm["data"]["message"], "second");
    assert_eq!(cm["data"]["revision"], "2");
    let dep = env
        .get("/apis/apps/v1/namespaces/apps/deployments/web1-web")
        .await
        .expect("deployment");
    let ports = dep["spec"]["template"]["spec"]["containers"][0]["ports"]
        .as_array()
        .expect("ports")
        .len();
    assert_eq!(ports, 2);

    // Upgrade with no values: the current config is reused verbatim.
    let rel = c
        .update_release(UpdateReleaseRequest {
            name: "web1".into(),
            chart: Some(web_chart()),
            values: values("{}\n"),
            timeout: 30,
            ..Default::default()
        })
        .await
        .expect("upgrade 3")
        .into_inner()
        .release
        .expect("release");
    assert_eq!(
        rel.config.as_ref().map(|c| c.raw.as_str()),
        Some("message: second\nextraPort: true\n")
    );

    // --reuse-values merges the old config with new values.
    let rel = c
        .update_release(UpdateReleaseRequest {
            name: "web1".into(),
            chart: Some(web_chart()),
            values: values("replicas: 2\n"),
            reuse_values: true,
            timeout: 30,
            ..Default::default()
        })
        .await
        .expect("upgrade 4")
        .into_inner()
        .release
        .expect("release");
    let raw = rel
        .config
        .as_ref()
        .map(|c| c.raw.clone())
        .unwrap_or_default();
    assert!(
        raw.contains("message: second") && raw.contains("replicas: 2"),
        "{raw}"
    );
    assert_eq!(
        env.configmap("apps", "web1-config").await.expect("cm")["data"]["message"],
        "second"
    );

    // History: newest first; earlier revisions SUPERSEDED.
    let h = history(&mut c, "web1").await;
    assert_eq!(
        h.iter().map(|r| r.version).collect::<Vec<_>>(),
        vec![4, 3, 2, 1]
    );
    assert_eq!(
        h.iter().map(code_of).collect::<Vec<_>>(),
        vec![
            Code::Deployed,
            Code::Superseded,
            Code::Superseded,
            Code::Superseded
        ]
    );
    let h1 = c
        .get_history(GetHistoryRequest {
            name: "web1".into(),
            max: 1,
        })
        .await
        .expect("history")
        .into_inner();
    assert_eq!(h1.releases.len(), 1);
    let h0 = c
        .get_history(GetHistoryRequest {
            name: "web1".into(),
            max: 0,
        })
        .await
        .expect("history")
        .into_inner();
    assert!(h0.releases.is_empty(), "max 0 returns nothing, as Helm v2");

    // Rollback to revision 1: the message comes back, the removed port goes away.
    let rel = c
        .rollback_release(RollbackReleaseRequest {
            name: "web1".into(),
            version: 1,
            timeout: 30,
            ..Default::default()
        })
        .await
        .expect("rollback")
        .into_inner()
        .release
        .expect("release");
    assert_eq!((rel.version, code_of(&rel)), (5, Code::Deployed));
    assert_eq!(description(&rel), "Rollback to 1");
    assert_eq!(
        env.configmap("apps", "web1-config").await.expect("cm")["data"]["message"],
        "first"
    );
    let dep = env
        .get("/apis/apps/v1/namespaces/apps/deployments/web1-web")
        .await
        .expect("deployment");
    assert_eq!(
        dep["spec"]["template"]["spec"]["containers"][0]["ports"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert!(
        env.configmap("apps", "web1-rollback-hook").await.is_some(),
        "rollback hooks ran"
    );
    let h = history(&mut c, "web1").await;
    assert_eq!(h.iter().filter(|r| code_of(r) == Code::Deployed).count(), 1);

    // Content of a given revision.
    let content = c
        .get_release_content(GetReleaseContentRequest {
            name: "web1".into(),
            version: 2,
        })
        .await
        .expect("content")
        .into_inner()
        .release
        .expect("release");
    assert_eq!(content.version, 2);

    // Tests: streamed, stored on the same revision, cleaned up.
    let mut s = c
        .run_release_test(TestReleaseRequest {
            name: "web1".into(),
            timeout: 30,
            cleanup: true,
            logs: true,
            ..Default::default()
        })
        .await
        .expect("test")
        .into_inner();
    let mut msgs = Vec::new();
    while let Some(m) = s.next().await {
        let m = m.expect("test message");
        let st = m.status();
        msgs.push((m.msg, st));
    }
    assert_eq!(
        msgs[0],
        (
            "RUNNING: web1-test-ok".to_owned(),
            test_run::Status::Running
        )
    );
    assert_eq!(
        msgs[1],
        ("PASSED: web1-test-ok".to_owned(), test_run::Status::Success)
    );
    assert!(
        msgs.iter()
            .any(|(m, _)| m.starts_with("\nPOD LOGS: web1-test-ok")),
        "{msgs:?}"
    );
    let content = c
        .get_release_content(GetReleaseContentRequest {
            name: "web1".into(),
            version: 0,
        })
        .await
        .expect("content")
        .into_inner()
        .release
        .expect("release");
    assert_eq!(content.version, 5, "tests do not make a revision");
    let suite = content
        .info
        .and_then(|i| i.status)
        .and_then(|s| s.last_test_suite_run)
        .expect("suite");
    assert_eq!(suite.results.len(), 1);
    assert_eq!(suite.results[0].status(), test_run::Status::Success);

    // Delete without purge: DELETED, objects gone, kept ConfigMap stays, delete hooks ran.
    let resp = c
        .uninstall_release(UninstallReleaseRequest {
            name: "web1".into(),
            timeout: 30,
            ..Default::default()
        })
        .await
        .expect("delete")
        .into_inner();
    assert_eq!(
        resp.info,
        "These resources were kept due to the resource policy:\n[ConfigMap] web1-kept\n"
    );
    let rel = resp.release.expect("release");
    assert_eq!(
        (code_of(&rel), description(&rel).as_str()),
        (Code::Deleted, "Deletion complete")
    );
    assert!(env.configmap("apps", "web1-config").await.is_none());
    assert!(env.configmap("apps", "web1-kept").await.is_some());
    assert!(
        env.configmap("apps", "web1-pre-delete").await.is_none(),
        "hook-succeeded"
    );
    assert!(env.configmap("apps", "web1-post-delete").await.is_some());
    let err = c
        .uninstall_release(UninstallReleaseRequest {
            name: "web1".into(),
            ..Default::default()
        })
        .await
        .expect_err("already deleted");
    assert_eq!(
        err.message(),
        "the release named \"web1\" is already deleted"
    );

    // Listing DELETED shows it; the default (DEPLOYED) does not.
    assert!(
        list(&mut c, ListReleasesRequest::default())
            .await
            .is_empty()
    );
    let l = list(
        &mut c,
        ListReleasesRequest {
            status_codes: vec![Code::Deleted as i32],
            ..Default::default()
        },
    )
    .await;
    assert_eq!(l.len(), 1);
    assert_eq!(l[0].releases[0].name, "web1");

    // Install again without --replace: refused; with it: a new revision.
    let err = c
        .install_release(install_req("web1", web_chart(), ""))
        .await
        .expect_err("in use");
    assert!(
        err.message()
            .starts_with("a release named web1 already exists."),
        "{}",
        err.message()
    );
    let mut req = install_req("web1", web_chart(), "");
    req.reuse_name = true;
    let rel = c
        .install_release(req)
        .await
        .expect("replace")
        .into_inner()
        .release
        .expect("release");
    assert_eq!((rel.version, code_of(&rel)), (6, Code::Deployed));
    let mut req = install_req("web1", web_chart(), "");
    req.reuse_name = true;
    let err = c.install_release(req).await.expect_err("deployed name");
    assert_eq!(
        err.message(),
        "a release named web1 is in use, cannot re-use a name that is still in use"
    );

    // Purge: every record goes.
    c.uninstall_release(UninstallReleaseRequest {
        name: "web1".into(),
        purge: true,
        timeout: 30,
        ..Default::default()
    })
    .await
    .expect("purge");
    let err = c
        .get_history(GetHistoryRequest {
            name: "web1".into(),
            max: 10,
        })
        .await
        .expect_err("gone");
    assert_eq!(err.message(), "release: \"web1\" not found");
    assert!(env.configmap("kube-system", "web1.v1").await.is_none());
}

#[tokio::test]
async fn dry_runs_store_nothing_and_names_are_generated() {
    let env = start(Backend::Memory).await;
    let mut c = env.client().await;
    let mut req = install_req("", web_chart(), "");
    req.dry_run = true;
    let rel = c
        .install_release(req)
        .await
        .expect("dry run")
        .into_inner()
        .release
        .expect("release");
    assert_eq!(description(&rel), "Dry run complete");
    assert!(tiller::names::validate(&rel.name).is_ok(), "{}", rel.name);
    assert!(
        env.configmap("apps", &format!("{}-config", rel.name))
            .await
            .is_none()
    );
    assert!(
        c.get_history(GetHistoryRequest {
            name: rel.name.clone(),
            max: 1
        })
        .await
        .is_err()
            || history(&mut c, &rel.name).await.is_empty()
    );

    let rel = c
        .install_release(install_req("", web_chart(), ""))
        .await
        .expect("install")
        .into_inner()
        .release
        .expect("release");
    assert!(rel.name.contains('-'));
    assert_eq!(code_of(&rel), Code::Deployed);
}
