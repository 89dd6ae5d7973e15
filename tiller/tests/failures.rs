//! Failure handling through the gRPC API against kubesim: hook failures,
//! `--wait` timeouts, bad input, stale PENDING_* records, version skew.

mod common;

use common::*;
use helm_proto::hapi::chart::Template;
use helm_proto::hapi::release::{Info, Release, Status, status::Code};
use helm_proto::hapi::services::tiller::*;

#[tokio::test]
async fn failing_post_install_hook_marks_the_release_failed() {
    let env = start(Backend::ConfigMaps).await;
    let mut c = env.client().await;
    let err = c
        .install_release(install_req("bad", web_chart(), "postInstallFails: true\n"))
        .await
        .expect_err("hook fails");
    assert!(err.message().starts_with("Job failed"), "{}", err.message());
    let h = history(&mut c, "bad").await;
    assert_eq!(h.len(), 1);
    assert_eq!(code_of(&h[0]), Code::Failed);
    assert!(
        description(&h[0]).starts_with("Release \"bad\" failed post-install"),
        "{}",
        description(&h[0])
    );
    // A FAILED release can be replaced (the failed hook Job has no
    // hook-failed policy, so it is still there, as with Helm: skip hooks).
    assert!(
        env.get("/apis/batch/v1/namespaces/apps/jobs/bad-post-job")
            .await
            .is_some()
    );
    let mut req = install_req("bad", web_chart(), "");
    req.reuse_name = true;
    req.disable_hooks = true;
    let rel = c
        .install_release(req)
        .await
        .expect("replace")
        .into_inner()
        .release
        .expect("release");
    assert_eq!((rel.version, code_of(&rel)), (2, Code::Deployed));
}

#[tokio::test]
async fn wait_succeeds_then_times_out_and_the_old_revision_stays_deployed() {
    let env = start(Backend::Memory).await;
    let mut c = env.client().await;
    let mut req = install_req("w", web_chart(), "replicas: 2\n");
    req.wait = true;
    let rel = c
        .install_release(req)
        .await
        .expect("install --wait")
        .into_inner()
        .release
        .expect("release");
    assert_eq!(code_of(&rel), Code::Deployed);
    let dep = env
        .get("/apis/apps/v1/namespaces/apps/deployments/w-web")
        .await
        .expect("deployment");
    assert_eq!(
        dep["status"]["availableReplicas"], 2,
        "--wait returned only once the Deployment was available: {dep:#}"
    );

    let started = std::time::Instant::now();
    let err = c
        .update_release(UpdateReleaseRequest {
            name: "w".into(),
            chart: Some(web_chart()),
            values: values("neverReady: true\n"),
            wait: true,
            timeout: 2,
            ..Default::default()
        })
        .await
        .expect_err("never ready");
    assert!(started.elapsed() >= std::time::Duration::from_secs(2));
    assert!(
        err.message()
            .starts_with("timed out waiting for the condition"),
        "{}",
        err.message()
    );
    let h = history(&mut c, "w").await;
    assert_eq!(
        h.iter().map(code_of).collect::<Vec<_>>(),
        vec![Code::Failed, Code::Deployed]
    );

    assert!(
        description(&h[0]).starts_with("Upgrade \"w\" failed: timed out waiting for the condition"),
        "{}",
        description(&h[0])
    );
    // Rollback gets out of it.
    let rel = c
        .rollback_release(RollbackReleaseRequest {
            name: "w".into(),
            timeout: 30,
            wait: true,
            ..Default::default()
        })
        .await
        .expect("rollback")
        .into_inner()
        .release
        .expect("release");
    assert_eq!((rel.version, code_of(&rel)), (3, Code::Deployed));
    assert_eq!(description(&rel), "Rollback to 1");
}

#[tokio::test]
async fn bad_input_is_refused_with_clear_errors() {
    let env = start(Backend::Memory).await;
    let mut c = env.client().await;

    // Names.
    let err = c
        .install_release(install_req(&"a".repeat(54), web_chart(), ""))
        .await
        .expect_err("long");
    assert_eq!(
        err.message(),
        format!(
            "release name \"{}\" exceeds max length of 53",
            "a".repeat(54)
        )
    );
    let err = c
        .install_release(install_req("Bad_Name-", web_chart(), ""))
        .await
        .expect_err("regex");
    assert!(
        err.message()
            .starts_with("invalid release name, must match regex"),
        "{}",
        err.message()
    );
    let err = c
        .get_release_status(GetReleaseStatusRequest {
            name: String::new(),
            version: 0,
        })
        .await
        .expect_err("empty");
    assert_eq!(err.message(), "no release provided");
    let err = c
        .get_release_content(GetReleaseContentRequest {
            name: "nope".into(),
            version: 0,
        })
        .await
        .expect_err("unknown release");
    assert!(err.message().contains("nope"), "{}", err.message());

    // No chart.
    let mut req = install_req("x", web_chart(), "");
    req.chart = None;
    assert_eq!(
        c.install_release(req)
            .await
            .expect_err("no chart")
            .message(),
        "no chart provided"
    );

    // A template the engine rejects: nothing stored.
    let mut chart = web_chart();
    chart.templates.push(Template {
        name: "templates/broken.yaml".into(),
        data: b"{{ .Values.x | nosuchfunc }}".to_vec(),
    });
    let err = c
        .install_release(install_req("broken", chart, ""))
        .await
        .expect_err("render");
    assert_eq!(
        err.message(),
        "parse error in \"web/templates/broken.yaml\": template: web/templates/broken.yaml:1: function \"nosuchfunc\" not defined"
    );
    assert!(history_or_empty(&mut c, "broken").await.is_empty());

    // Manifests that are not YAML, lack apiVersion, or name kinds the cluster lacks.
    for (file, data, want) in [
        (
            "templates/notyaml.yaml",
            "a: [\n",
            "YAML parse error on web/templates/notyaml.yaml",
        ),
        (
            "templates/noapi.yaml",
            "kind: ConfigMap\nmetadata:\n  name: x\n",
            "validation failed: error validating \"web/templates/noapi.yaml\": error validating data: apiVersion not set",
        ),
        (
            "templates/nokind.yaml",
            "apiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: x\n",
            "validation failed: unable to recognize \"web/templates/nokind.yaml\": no matches for kind \"Gadget\" in version \"example.com/v1\"",
        ),
    ] {
        let name = match file {
            "templates/notyaml.yaml" => "noyaml",
            "templates/noapi.yaml" => "noapi",
            _ => "nokind",
        };
        let mut chart = web_chart();
        chart.templates.push(Template {
            name: file.into(),
            data: data.as_bytes().to_vec(),
        });
        let err = c
            .install_release(install_req(name, chart, ""))
            .await
            .expect_err(file);
        assert!(err.message().starts_with(want), "{file}: {}", err.message());
        assert!(
            history_or_empty(&mut c, name).await.is_empty(),
            "{file}: storage untouched"
        );
        assert!(
            env.configmap("apps", &format!("{name}-config"))
                .await
                .is_none(),
            "{file}: nothing applied"
        );
    }

    // Bad values.
    let err = c
        .install_release(install_req("vals", web_chart(), "- a\n"))
        .await
        .expect_err("values");
    assert!(
        err.message().contains("cannot parse values"),
        "{}",
        err.message()
    );

    // Upgrading something that does not exist: Helm's text (the client matches on it).
    let err = c
        .update_release(UpdateReleaseRequest {
            name: "ghost".into(),
            chart: Some(web_chart()),
            ..Default::default()
        })
        .await
        .expect_err("no release");
    assert_eq!(err.message(), "\"ghost\" has no deployed releases");

    // Rollback to a revision that does not exist.
    c.install_release(install_req("one", web_chart(), ""))
        .await
        .expect("install");
    let err = c
        .rollback_release(RollbackReleaseRequest {
            name: "one".into(),
            version: 7,
            ..Default::default()
        })
        .await
        .expect_err("no revision 7");
    assert_eq!(err.message(), "release: \"one.v7\" not found");
    let err = c
        .rollback_release(RollbackReleaseRequest {
            name: "one".into(),
            version: -1,
            ..Default::default()
        })
        .await
        .expect_err("negative");
    assert_eq!(err.message(), "invalid release revision");
}

#[tokio::test]
async fn a_release_left_pending_by_a_dead_writer_is_marked_failed_by_the_next() {
    let env = start(Backend::Memory).await;
    let mut c = env.client().await;
    c.install_release(install_req("p", web_chart(), ""))
        .await
        .expect("install");
    // What a Tiller killed in the middle of an upgrade leaves behind.
    let stale = Release {
        name: "p".into(),
        version: 2,
        namespace: "apps".into(),
        chart: Some(web_chart()),
        info: Some(Info {
            status: Some(Status {
                code: Code::PendingUpgrade as i32,
                ..Default::default()
            }),
            description: "Preparing upgrade".into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    env.server
        .storage()
        .create(&stale)
        .await
        .expect("stale record");
    let rel = c
        .update_release(UpdateReleaseRequest {
            name: "p".into(),
            chart: Some(web_chart()),
            timeout: 30,
            ..Default::default()
        })
        .await
        .expect("upgrade after recovery")
        .into_inner()
        .release
        .expect("release");
    assert_eq!((rel.version, code_of(&rel)), (3, Code::Deployed));
    let h = history(&mut c, "p").await;
    assert_eq!(code_of(&h[1]), Code::Failed);
    assert!(
        description(&h[1]).starts_with(
            "PENDING_UPGRADE: the operation that set it (Preparing upgrade) did not finish"
        ),
        "{}",
        description(&h[1])
    );
}

#[tokio::test]
async fn incompatible_clients_are_refused_except_for_get_version() {
    let env = start(Backend::Memory).await;
    for client in [None, Some("v2.18.0"), Some("v3.0.0"), Some("garbage")] {
        let mut c = env.client_as(client).await;
        let err = c
            .list_releases(ListReleasesRequest::default())
            .await
            .expect_err("refused");
        assert_eq!(err.code(), tonic::Code::Unknown);
        assert_eq!(
            err.message(),
            format!(
                "incompatible versions client[{}] server[v2.17.0]",
                client.unwrap_or("")
            )
        );
        let v = c
            .get_version(GetVersionRequest {})
            .await
            .expect("version")
            .into_inner();
        assert_eq!(v.version.expect("version").sem_ver, "v2.17.0");
    }
    for ok in ["v2.17.0", "v2.16.1", "v2.0.0", "v2.17+unreleased"] {
        let mut c = env.client_as(Some(ok)).await;
        c.list_releases(ListReleasesRequest::default())
            .await
            .expect(ok);
    }
    // The health service answers "Tiller" and is version-checked too.
    let channel = tonic::transport::Channel::from_shared(format!("http://{}", env.addr))
        .expect("uri")
        .connect()
        .await
        .expect("connect");
    let mut health = tonic_health::pb::health_client::HealthClient::with_interceptor(
        channel,
        Header(Some("v2.17.0".into())),
    );
    let resp = health
        .check(tonic_health::pb::HealthCheckRequest {
            service: "Tiller".into(),
        })
        .await
        .expect("health")
        .into_inner();
    assert_eq!(
        resp.status,
        tonic_health::pb::health_check_response::ServingStatus::Serving as i32
    );
}

#[tokio::test]
async fn upgrade_force_reinstalls_a_release_with_no_deployed_revision() {
    let env = start(Backend::Memory).await;
    let mut c = env.client().await;
    c.install_release(install_req("f", web_chart(), "postInstallFails: true\n"))
        .await
        .expect_err("post-install fails");
    let upgrade = |force: bool| UpdateReleaseRequest {
        name: "f".into(),
        chart: Some(web_chart()),
        values: values("message: forced\n"),
        force,
        disable_hooks: true,
        timeout: 30,
        ..Default::default()
    };
    let err = c
        .update_release(upgrade(false))
        .await
        .expect_err("nothing deployed");
    assert_eq!(err.message(), "\"f\" has no deployed releases");
    let rel = c
        .update_release(upgrade(true))
        .await
        .expect("force")
        .into_inner()
        .release
        .expect("release");
    assert_eq!((rel.version, code_of(&rel)), (2, Code::Deployed));
    assert_eq!(description(&rel), "Upgrade complete");
    let h = history(&mut c, "f").await;
    assert_eq!(
        h.iter().map(code_of).collect::<Vec<_>>(),
        vec![Code::Deployed, Code::Deleted]
    );
    assert_eq!(
        env.configmap("apps", "f-config").await.expect("cm")["data"]["message"],
        "forced"
    );
}

#[tokio::test]
async fn concurrent_upgrades_of_one_release_are_serialized() {
    let env = start(Backend::ConfigMaps).await;
    let mut c = env.client().await;
    c.install_release(install_req("cc", web_chart(), ""))
        .await
        .expect("install");
    let mut tasks = Vec::new();
    for i in 0..4 {
        let mut c = env.client().await;
        tasks.push(tokio::spawn(async move {
            c.update_release(UpdateReleaseRequest {
                name: "cc".into(),
                chart: Some(web_chart()),
                values: values(&format!("message: m{i}\n")),
                timeout: 30,
                ..Default::default()
            })
            .await
            .map(|r| r.into_inner().release.map(|r| r.version))
        }));
    }
    let mut versions = Vec::new();
    for t in tasks {
        versions.push(
            t.await
                .expect("join")
                .expect("every upgrade succeeds")
                .expect("release"),
        );
    }
    versions.sort_unstable();
    assert_eq!(versions, vec![2, 3, 4, 5]);
    let h = history(&mut c, "cc").await;
    assert_eq!(h.iter().filter(|r| code_of(r) == Code::Deployed).count(), 1);
    assert_eq!(code_of(&h[0]), Code::Deployed);
}

#[tokio::test]
async fn crd_install_hooks_make_the_manifest_installable() {
    let env = start(Backend::Memory).await;
    let mut c = env.client().await;
    let chart = load_chart(&charts_dir().join("crdhook"));
    // A dry run cannot validate kinds whose CRD is not installed yet.
    let mut req = install_req("g", chart.clone(), "");
    req.dry_run = true;
    let rel = c
        .install_release(req)
        .await
        .expect("dry run")
        .into_inner()
        .release
        .expect("release");
    assert_eq!(
        description(&rel),
        "Validation skipped because CRDs are not installed"
    );
    // Without the hook the kind is unknown.
    let mut req = install_req("g", chart.clone(), "");
    req.disable_crd_hook = true;
    let err = c.install_release(req).await.expect_err("no CRD");
    assert!(
        err.message().contains("no matches for kind \"Gadget\""),
        "{}",
        err.message()
    );
    let rel = c
        .install_release(install_req("g", chart, ""))
        .await
        .expect("install")
        .into_inner()
        .release
        .expect("release");
    assert_eq!(code_of(&rel), Code::Deployed);
    assert!(
        env.get("/apis/hook.example.com/v1/namespaces/apps/gadgets/g-gadget")
            .await
            .is_some()
    );
}

#[tokio::test]
async fn failing_tests_are_reported_and_stored() {
    use futures::StreamExt as _;
    use helm_proto::hapi::release::test_run;
    let env = start(Backend::Memory).await;
    let mut c = env.client().await;
    c.install_release(install_req("t", web_chart(), "failingTest: true\n"))
        .await
        .expect("install");
    let mut s = c
        .run_release_test(TestReleaseRequest {
            name: "t".into(),
            timeout: 30,
            ..Default::default()
        })
        .await
        .expect("test")
        .into_inner();
    let mut msgs = Vec::new();
    while let Some(m) = s.next().await {
        let m = m.expect("message");
        let st = m.status();
        msgs.push((m.msg, st));
    }
    assert!(
        msgs.contains(&("PASSED: t-test-ok".to_owned(), test_run::Status::Success)),
        "{msgs:?}"
    );
    assert!(
        msgs.contains(&(
            "FAILED: t-test-fail, run `kubectl logs t-test-fail --namespace apps` for more info"
                .to_owned(),
            test_run::Status::Failure
        )),
        "{msgs:?}"
    );
    // Without --cleanup the pods stay, so running again hits "already exists", as in Helm v2.
    let mut s = c
        .run_release_test(TestReleaseRequest {
            name: "t".into(),
            timeout: 30,
            ..Default::default()
        })
        .await
        .expect("test")
        .into_inner();
    let mut errors = 0;
    while let Some(m) = s.next().await {
        if m.expect("message").msg.starts_with("ERROR: ") {
            errors += 1;
        }
    }
    assert_eq!(errors, 2);
    let err = c
        .run_release_test(TestReleaseRequest {
            name: "nope".into(),
            timeout: 30,
            ..Default::default()
        })
        .await
        .expect("stream opens")
        .into_inner()
        .next()
        .await
        .expect("one item")
        .expect_err("unknown release");
    assert!(err.message().contains("nope"), "{}", err.message());
}

#[tokio::test]
async fn recreate_pods_replaces_the_pods_of_patched_workloads() {
    let env = start(Backend::Memory).await;
    let mut c = env.client().await;
    let mut req = install_req("rp", web_chart(), "");
    req.wait = true;
    c.install_release(req).await.expect("install");
    let pods = |v: serde_json::Value| -> Vec<String> {
        v["items"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|p| p["metadata"]["deletionTimestamp"].is_null())
                    .filter_map(|p| p["metadata"]["uid"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let before = pods(
        env.get("/api/v1/namespaces/apps/pods?labelSelector=app%3Drp-web")
            .await
            .expect("pods"),
    );
    assert_eq!(before.len(), 1);
    c.update_release(UpdateReleaseRequest {
        name: "rp".into(),
        chart: Some(web_chart()),
        recreate: true,
        wait: true,
        timeout: 30,
        ..Default::default()
    })
    .await
    .expect("upgrade --recreate-pods");
    let mut after = Vec::new();
    for _ in 0..40 {
        after = pods(
            env.get("/api/v1/namespaces/apps/pods?labelSelector=app%3Drp-web")
                .await
                .expect("pods"),
        );
        if !after.is_empty() && !after.contains(&before[0]) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        !after.is_empty() && !after.contains(&before[0]),
        "old pod replaced: {before:?} -> {after:?}"
    );
}

#[tokio::test]
async fn cleanup_on_fail_removes_what_a_failed_upgrade_created() {
    let env = start(Backend::Memory).await;
    let mut c = env.client().await;
    c.install_release(install_req("cf", web_chart(), ""))
        .await
        .expect("install");
    let mut chart = web_chart();
    chart.templates.push(Template {
        name: "templates/extra.yaml".into(),
        data: b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-extra\ndata: {}\n".to_vec(),
    });
    let err = c
        .update_release(UpdateReleaseRequest {
            name: "cf".into(),
            chart: Some(chart),
            values: values("neverReady: true\n"),
            wait: true,
            timeout: 1,
            cleanup_on_fail: true,
            ..Default::default()
        })
        .await
        .expect_err("times out");
    assert!(
        err.message()
            .starts_with("timed out waiting for the condition"),
        "{}",
        err.message()
    );
    assert!(
        env.configmap("apps", "cf-extra").await.is_none(),
        "created object cleaned up"
    );
    assert!(
        env.configmap("apps", "cf-config").await.is_some(),
        "existing objects untouched"
    );
}

#[tokio::test]
async fn hook_failed_policy_deletes_the_failed_hook() {
    let env = start(Backend::Memory).await;
    let mut c = env.client().await;
    let mut chart = web_chart();
    chart.templates.push(Template {
        name: "templates/failing-hook.yaml".into(),
        data: b"apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {{ .Release.Name }}-doomed\n  annotations:\n    helm.sh/hook: pre-install\n    helm.sh/hook-delete-policy: hook-failed\nspec:\n  backoffLimit: 0\n  template:\n    metadata:\n      annotations:\n        sim.k8s.io/exit-code: \"2\"\n    spec:\n      restartPolicy: Never\n      containers: [{name: j, image: busybox:1.36}]\n".to_vec(),
    });
    let err = c
        .install_release(install_req("hf", chart, ""))
        .await
        .expect_err("pre-install fails");
    assert!(err.message().starts_with("Job failed"), "{}", err.message());
    assert!(
        env.get("/apis/batch/v1/namespaces/apps/jobs/hf-doomed")
            .await
            .is_none(),
        "deleted by hook-failed"
    );
    // A failed pre-install hook stores nothing and applies nothing.
    assert!(history_or_empty(&mut c, "hf").await.is_empty());
    assert!(env.configmap("apps", "hf-config").await.is_none());
}

#[tokio::test]
async fn oversize_releases_and_requests_are_refused_before_anything_is_applied() {
    let env = start(Backend::ConfigMaps).await;
    let mut c = env.client().await;
    // Incompressible bytes so the gzip'd record cannot fit in 1 MiB.
    let mut chart = web_chart();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let noise: Vec<u8> = (0..1_500_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state & 0xff) as u8
        })
        .collect();
    chart.files.push(prost_types::Any {
        type_url: "files/blob.bin".into(),
        value: noise,
    });
    let err = c
        .install_release(install_req("big", chart, ""))
        .await
        .expect_err("too large");
    assert!(
        err.message()
            .starts_with("release \"big\" revision 1 is too large to store"),
        "{}",
        err.message()
    );
    assert!(
        env.configmap("apps", "big-config").await.is_none(),
        "nothing applied"
    );
    assert!(
        env.configmap("apps", "big-pre-first").await.is_none(),
        "no hooks run"
    );
    assert!(history_or_empty(&mut c, "big").await.is_empty());

    // A request over the 20 MiB gRPC limit gets a clear status, not a hang.
    let mut chart = web_chart();
    chart.files.push(prost_types::Any {
        type_url: "files/huge.bin".into(),
        value: vec![0; 21 * 1024 * 1024],
    });
    let mut req = install_req("huge", chart, "");
    req.dry_run = true;
    let err = c.install_release(req).await.expect_err("too big for gRPC");
    assert!(
        err.message().contains("message length too large") || err.message().contains("larger than"),
        "{:?}: {}",
        err.code(),
        err.message()
    );
}

#[tokio::test]
async fn upgrades_and_rollbacks_undo_out_of_band_edits() {
    let env = start(Backend::Memory).await;
    let mut c = env.client().await;
    c.install_release(install_req("d", web_chart(), "message: chart\n"))
        .await
        .expect("install");
    // kubectl edit behind Tiller's back.
    let req = http::Request::patch("/api/v1/namespaces/apps/configmaps/d-config")
        .header("content-type", "application/merge-patch+json")
        .body(br#"{"data":{"message":"edited","added":"by-hand"}}"#.to_vec())
        .expect("request");
    env.kube
        .request::<serde_json::Value>(req)
        .await
        .expect("edit");
    // Same chart, same values: Helm v2's two-way patch would send nothing.
    c.update_release(UpdateReleaseRequest {
        name: "d".into(),
        chart: Some(web_chart()),
        timeout: 30,
        ..Default::default()
    })
    .await
    .expect("upgrade");
    let cm = env.configmap("apps", "d-config").await.expect("configmap");
    assert_eq!(cm["data"]["message"], "chart", "drift corrected");
    assert_eq!(
        cm["data"]["added"], "by-hand",
        "fields the chart never had are left alone"
    );
}

#[tokio::test]
async fn tests_run_in_parallel_and_clean_up() {
    use futures::StreamExt as _;
    let env = start(Backend::Memory).await;
    let mut c = env.client().await;
    c.install_release(install_req("tp", web_chart(), "failingTest: true\n"))
        .await
        .expect("install");
    let mut s = c
        .run_release_test(TestReleaseRequest {
            name: "tp".into(),
            timeout: 30,
            parallel: true,
            max_parallel: 2,
            cleanup: true,
            ..Default::default()
        })
        .await
        .expect("test")
        .into_inner();
    let mut msgs = Vec::new();
    while let Some(m) = s.next().await {
        msgs.push(m.expect("message").msg);
    }
    assert_eq!(
        msgs.iter().filter(|m| m.starts_with("RUNNING: ")).count(),
        2,
        "{msgs:?}"
    );
    assert!(msgs.contains(&"PASSED: tp-test-ok".to_owned()), "{msgs:?}");
    assert!(
        msgs.iter().any(|m| m.starts_with("FAILED: tp-test-fail")),
        "{msgs:?}"
    );
    for pod in ["tp-test-ok", "tp-test-fail"] {
        let live = env
            .get(&format!("/api/v1/namespaces/apps/pods/{pod}"))
            .await;
        assert!(
            live.is_none_or(|p| !p["metadata"]["deletionTimestamp"].is_null()),
            "{pod} cleaned up"
        );
    }
}
