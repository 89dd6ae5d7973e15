//! Wire compatibility with Helm itself: `testdata/helm-v2.17.0-golden.txt`
//! holds encodings produced by Helm v2.17.0's own generated Go types (see
//! `testdata/golden-gen/main.go` for how). Each one must decode into exactly
//! the values Helm set, and re-encoding those values must reproduce Helm's
//! bytes.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Debug;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use helm_proto::hapi::chart::{Chart, Config, Maintainer, Metadata, Template, Value};
use helm_proto::hapi::release::{Hook, Info, Release, Status, TestRun, TestSuite, hook, status};
use helm_proto::hapi::services::{rudder, tiller};
use helm_proto::hapi::version::Version;
use helm_proto::json::to_go_json;
use helm_proto::prost::Message;
use helm_proto::prost_types::{Any, Timestamp};
use helm_proto::{decode_release, encode_release};

const GOLDEN: &str = include_str!("../testdata/helm-v2.17.0-golden.txt");

/// The golden file as label → base64 text.
fn golden() -> BTreeMap<&'static str, &'static str> {
    GOLDEN
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split_once(' ').unwrap_or((l, "")))
        .collect()
}

fn bytes_of(label: &str) -> Vec<u8> {
    let text = golden()
        .get(label)
        .copied()
        .unwrap_or_else(|| panic!("{label} missing from the golden file"));
    STANDARD.decode(text).expect("golden base64")
}

/// Decodes Helm's bytes for `label` and compares with `want`, then checks
/// that our encoding of `want` is byte-for-byte Helm's.
fn check<M: Message + Default + PartialEq + Debug>(label: &str, want: &M) {
    let helm_bytes = bytes_of(label);
    let decoded = M::decode(helm_bytes.as_slice()).unwrap_or_else(|e| panic!("{label}: {e}"));
    assert_eq!(&decoded, want, "{label}: decoded values differ");
    assert_eq!(
        want.encode_to_vec(),
        helm_bytes,
        "{label}: our encoding differs from Helm's"
    );
}

fn ts(seconds: i64, nanos: i32) -> Option<Timestamp> {
    Some(Timestamp { seconds, nanos })
}

fn s(text: &str) -> String {
    text.to_owned()
}

/// The same release as `fullRelease` in golden-gen/main.go.
fn full_release() -> Release {
    Release {
        name: s("happy-panda"),
        info: Some(Info {
            status: Some(Status {
                code: status::Code::Deployed as i32,
                resources: String::new(),
                notes: s("Thank you for installing demo.\n"),
                last_test_suite_run: Some(TestSuite {
                    started_at: ts(1_700_000_100, 5),
                    completed_at: ts(1_700_000_160, 0),
                    results: vec![
                        TestRun {
                            name: s("happy-panda-test"),
                            status: helm_proto::hapi::release::test_run::Status::Success as i32,
                            info: String::new(),
                            started_at: ts(1_700_000_101, 0),
                            completed_at: ts(1_700_000_159, 999_999_999),
                        },
                        TestRun {
                            name: s("happy-panda-smoke"),
                            status: helm_proto::hapi::release::test_run::Status::Failure as i32,
                            info: s("pod exited 1"),
                            started_at: ts(1_700_000_102, 0),
                            completed_at: ts(1_700_000_103, 0),
                        },
                    ],
                }),
            }),
            first_deployed: ts(1_699_990_000, 123_456_789),
            last_deployed: ts(1_700_000_000, 0),
            deleted: None,
            description: s("Upgrade complete"),
        }),
        chart: Some(Chart {
            metadata: Some(Metadata {
                name: s("demo"),
                home: s("https://example.org/demo"),
                sources: vec![
                    s("https://github.com/example/demo"),
                    s("https://mirror.example.org/demo"),
                ],
                version: s("0.3.1"),
                description: s("A demo chart"),
                keywords: vec![s("demo"), s("test")],
                maintainers: vec![
                    Maintainer {
                        name: s("Ada"),
                        email: s("ada@example.org"),
                        url: s("https://ada.example.org"),
                    },
                    Maintainer {
                        name: s("Bob"),
                        ..Maintainer::default()
                    },
                ],
                engine: s("gotpl"),
                icon: s("https://example.org/icon.png"),
                api_version: s("v1"),
                condition: s("demo.enabled"),
                tags: s("front,back"),
                app_version: s("1.2"),
                deprecated: true,
                tiller_version: s(">=2.10.0"),
                annotations: HashMap::from([(s("example.org/owner"), s("platform"))]),
                kube_version: s(">=1.10.0-0"),
            }),
            templates: vec![
                Template {
                    name: s("templates/cm.yaml"),
                    data: b"kind: ConfigMap\n".to_vec(),
                },
                Template {
                    name: s("templates/_helpers.tpl"),
                    data: b"{{/**/}}\x00\xff".to_vec(),
                },
            ],
            dependencies: vec![Chart {
                metadata: Some(Metadata {
                    name: s("sub"),
                    version: s("1.0.0"),
                    api_version: s("v1"),
                    ..Metadata::default()
                }),
                values: Some(Config {
                    raw: s("sub: true\n"),
                    ..Config::default()
                }),
                ..Chart::default()
            }],
            values: Some(Config {
                raw: s("replicas: 1\nimage:\n  tag: latest\n"),
                ..Config::default()
            }),
            files: vec![
                Any {
                    type_url: s("README.md"),
                    value: b"# demo\n".to_vec(),
                },
                Any {
                    type_url: s("files/blob.bin"),
                    value: vec![0, 1, 2, 0xfe, 0xff],
                },
            ],
        }),
        config: Some(Config {
            raw: s("replicas: 2\nimage:\n  tag: \"1.2\"\n"),
            ..Config::default()
        }),
        manifest: s(
            "---\n# Source: demo/templates/cm.yaml\nkind: ConfigMap\ndata:\n  greeting: h\u{e9}llo\n",
        ),
        hooks: vec![
            Hook {
                name: s("happy-panda-test"),
                kind: s("Pod"),
                path: s("demo/templates/tests/test.yaml"),
                manifest: s("kind: Pod\n"),
                events: vec![hook::Event::ReleaseTestSuccess as i32],
                last_run: ts(1_700_000_101, 0),
                ..Hook::default()
            },
            Hook {
                name: s("happy-panda-migrate"),
                kind: s("Job"),
                path: s("demo/templates/job.yaml"),
                manifest: s("kind: Job\n"),
                events: vec![
                    hook::Event::PreInstall as i32,
                    hook::Event::PreUpgrade as i32,
                    hook::Event::CrdInstall as i32,
                ],
                last_run: None,
                weight: -5,
                delete_policies: vec![
                    hook::DeletePolicy::BeforeHookCreation as i32,
                    hook::DeletePolicy::Succeeded as i32,
                    hook::DeletePolicy::Failed as i32,
                ],
                delete_timeout: 600,
            },
        ],
        version: 3,
        namespace: s("team-a"),
    }
}

fn small_release(version: i32) -> Option<Release> {
    Some(Release {
        name: s("happy-panda"),
        version,
        namespace: s("team-a"),
        ..Release::default()
    })
}

fn small_chart() -> Option<Chart> {
    Some(Chart {
        metadata: Some(Metadata {
            name: s("demo"),
            version: s("0.3.2"),
            ..Metadata::default()
        }),
        ..Chart::default()
    })
}

fn raw_values(raw: &str) -> Option<Config> {
    Some(Config {
        raw: s(raw),
        ..Config::default()
    })
}

#[test]
fn stored_release_written_by_helm_decodes_field_for_field() {
    let stored = golden()["release.stored"];
    // Helm's gzip header: magic, deflate, no flags, zero mtime, XFL 2 (best
    // compression), OS 255.
    assert!(stored.starts_with("H4sIAAAAAAAC/"), "{stored:.20}");
    let release = decode_release(stored).expect("decoding Helm's stored release");
    assert_eq!(release, full_release());

    // The typed accessors see Helm's enum values.
    let info = release.info.as_ref().expect("info");
    assert_eq!(
        info.status.as_ref().map(Status::code),
        Some(status::Code::Deployed)
    );
    assert_eq!(
        release.hooks[1].events().collect::<Vec<_>>(),
        [
            hook::Event::PreInstall,
            hook::Event::PreUpgrade,
            hook::Event::CrdInstall
        ]
    );
    assert_eq!(status::Code::Deployed.as_str_name(), "DEPLOYED");
}

#[test]
fn uncompressed_release_written_by_helm_decodes_and_reencodes_identically() {
    check("release.raw", &full_release());
    let text = golden()["release.raw"];
    assert_eq!(
        decode_release(text).expect("bare protobuf record"),
        full_release()
    );
}

#[test]
fn our_stored_form_round_trips_and_carries_helms_bytes() {
    let text = encode_release(&full_release()).expect("encode");
    assert_eq!(decode_release(&text).expect("decode"), full_release());
    // Under the gzip layer our record is exactly the protobuf Helm writes.
    let mut raw = Vec::new();
    let compressed = STANDARD.decode(&text).expect("base64");
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(compressed.as_slice()),
        &mut raw,
    )
    .expect("gunzip");
    assert_eq!(raw, bytes_of("release.raw"));
}

#[test]
fn tiller_messages_written_by_helm_match_field_for_field() {
    use helm_proto::hapi::services::tiller::list_sort::{SortBy, SortOrder};

    check(
        "tiller.ListReleasesRequest",
        &tiller::ListReleasesRequest {
            limit: 256,
            offset: s("m"),
            sort_by: SortBy::LastReleased as i32,
            filter: s("^happy"),
            sort_order: SortOrder::Desc as i32,
            status_codes: vec![
                status::Code::Deployed as i32,
                status::Code::Failed as i32,
                status::Code::PendingRollback as i32,
            ],
            namespace: s("team-a"),
        },
    );
    check(
        "tiller.ListReleasesResponse",
        &tiller::ListReleasesResponse {
            count: 1,
            next: s("zebra"),
            total: 7,
            releases: small_release(3).into_iter().collect(),
        },
    );
    check(
        "tiller.GetReleaseStatusRequest",
        &tiller::GetReleaseStatusRequest {
            name: s("happy-panda"),
            version: 2,
        },
    );
    check(
        "tiller.GetReleaseStatusResponse",
        &tiller::GetReleaseStatusResponse {
            name: s("happy-panda"),
            info: Some(Info {
                status: Some(Status {
                    code: status::Code::Failed as i32,
                    resources: s("==> v1/Pod\nNAME  READY\n"),
                    notes: s("n"),
                    last_test_suite_run: None,
                }),
                last_deployed: ts(1_700_000_000, 0),
                description: s("Upgrade \"happy-panda\" failed"),
                ..Info::default()
            }),
            namespace: s("team-a"),
        },
    );
    check(
        "tiller.GetReleaseContentRequest",
        &tiller::GetReleaseContentRequest {
            name: s("happy-panda"),
            version: 1,
        },
    );
    check(
        "tiller.GetReleaseContentResponse",
        &tiller::GetReleaseContentResponse {
            release: small_release(1),
        },
    );
    check(
        "tiller.UpdateReleaseRequest",
        &tiller::UpdateReleaseRequest {
            name: s("happy-panda"),
            chart: small_chart(),
            values: raw_values("a: 1\n"),
            dry_run: true,
            disable_hooks: true,
            recreate: true,
            timeout: 300,
            reset_values: true,
            wait: true,
            reuse_values: true,
            force: true,
            description: s("bump"),
            sub_notes: true,
            cleanup_on_fail: true,
        },
    );
    check(
        "tiller.UpdateReleaseResponse",
        &tiller::UpdateReleaseResponse {
            release: small_release(4),
        },
    );
    check(
        "tiller.RollbackReleaseRequest",
        &tiller::RollbackReleaseRequest {
            name: s("happy-panda"),
            dry_run: true,
            disable_hooks: true,
            version: 2,
            recreate: true,
            timeout: 300,
            wait: true,
            force: true,
            description: s("back"),
            cleanup_on_fail: true,
        },
    );
    check(
        "tiller.RollbackReleaseResponse",
        &tiller::RollbackReleaseResponse {
            release: small_release(5),
        },
    );
    check(
        "tiller.InstallReleaseRequest",
        &tiller::InstallReleaseRequest {
            chart: small_chart(),
            values: raw_values("{}\n"),
            dry_run: true,
            name: s("happy-panda"),
            disable_hooks: true,
            namespace: s("team-a"),
            reuse_name: true,
            timeout: 300,
            wait: true,
            disable_crd_hook: true,
            description: s("first"),
            sub_notes: true,
        },
    );
    check(
        "tiller.InstallReleaseResponse",
        &tiller::InstallReleaseResponse {
            release: small_release(1),
        },
    );
    check(
        "tiller.UninstallReleaseRequest",
        &tiller::UninstallReleaseRequest {
            name: s("happy-panda"),
            disable_hooks: true,
            purge: true,
            timeout: 300,
            description: s("bye"),
        },
    );
    check(
        "tiller.UninstallReleaseResponse",
        &tiller::UninstallReleaseResponse {
            release: Some(Release {
                name: s("happy-panda"),
                version: 5,
                namespace: s("team-a"),
                info: Some(Info {
                    status: Some(Status {
                        code: status::Code::Deleted as i32,
                        ..Status::default()
                    }),
                    deleted: ts(1_700_000_500, 42),
                    description: s("Deletion complete"),
                    ..Info::default()
                }),
                ..Release::default()
            }),
            info: s("These resources were kept due to the resource policy:\n[ConfigMap] keep-me\n"),
        },
    );
    check("tiller.GetVersionRequest", &tiller::GetVersionRequest {});
    check(
        "tiller.GetVersionResponse",
        &tiller::GetVersionResponse {
            version: Some(Version {
                sem_ver: s("v2.17.0"),
                git_commit: s("a690bad98af45b015bd3da1a41f6218b1a451dbe"),
                git_tree_state: s("clean"),
            }),
        },
    );
    check(
        "tiller.GetHistoryRequest",
        &tiller::GetHistoryRequest {
            name: s("happy-panda"),
            max: 256,
        },
    );
    check(
        "tiller.GetHistoryResponse",
        &tiller::GetHistoryResponse {
            releases: [small_release(2), small_release(1)]
                .into_iter()
                .flatten()
                .collect(),
        },
    );
    check(
        "tiller.TestReleaseRequest",
        &tiller::TestReleaseRequest {
            name: s("happy-panda"),
            timeout: 300,
            cleanup: true,
            parallel: true,
            max_parallel: 4,
            logs: true,
        },
    );
    check(
        "tiller.TestReleaseResponse",
        &tiller::TestReleaseResponse {
            msg: s("PASSED: happy-panda-test"),
            status: helm_proto::hapi::release::test_run::Status::Success as i32,
        },
    );
}

#[test]
fn rudder_messages_written_by_helm_match_field_for_field() {
    check(
        "rudder.VersionReleaseResponse",
        &rudder::VersionReleaseResponse {
            name: s("helm-rudder-native"),
            version: s("v2.17.0"),
        },
    );
    check(
        "rudder.InstallReleaseRequest",
        &rudder::InstallReleaseRequest {
            release: small_release(1),
        },
    );
    check(
        "rudder.InstallReleaseResponse",
        &rudder::InstallReleaseResponse {
            release: small_release(1),
            result: Some(rudder::Result {
                info: s("ok"),
                log: vec![s("created"), s("ready")],
            }),
        },
    );
    check(
        "rudder.UpgradeReleaseRequest",
        &rudder::UpgradeReleaseRequest {
            current: small_release(1),
            target: small_release(2),
            timeout: 60,
            wait: true,
            recreate: true,
            force: true,
            cleanup_on_fail: true,
        },
    );
    check(
        "rudder.RollbackReleaseRequest",
        &rudder::RollbackReleaseRequest {
            current: small_release(2),
            target: small_release(3),
            timeout: 60,
            wait: true,
            recreate: true,
            force: true,
            cleanup_on_fail: true,
        },
    );
    check(
        "rudder.ReleaseStatusResponse",
        &rudder::ReleaseStatusResponse {
            release: small_release(3),
            info: Some(Info {
                status: Some(Status {
                    code: status::Code::PendingUpgrade as i32,
                    ..Status::default()
                }),
                ..Info::default()
            }),
        },
    );
}

/// Compares our Go-style JSON of `value` with Go's `json.Marshal` output.
fn check_json<T: serde::Serialize>(label: &str, value: &T) {
    let go = String::from_utf8(bytes_of(label)).expect("Go JSON is UTF-8");
    assert_eq!(to_go_json(value).expect("serialising"), go, "{label}");
}

#[test]
fn json_matches_go_encoding_json_of_helms_structs() {
    check_json("json.Release", &full_release());
    check_json(
        "json.GetReleaseStatusResponse",
        &tiller::GetReleaseStatusResponse {
            name: s("happy-panda"),
            info: full_release().info,
            namespace: s("team-a"),
        },
    );
    check_json(
        "json.Chart",
        &Chart {
            metadata: Some(Metadata {
                name: s("odd <chart> & co"),
                annotations: HashMap::from([
                    (s("zeta"), s("1")),
                    (s("alpha"), s("2")),
                    (s("mid"), s("\u{2028}")),
                ]),
                ..Metadata::default()
            }),
            values: Some(Config {
                raw: s("a: 1\n"),
                values: HashMap::from([
                    (s("b"), Value { value: s("x") }),
                    (s("a"), Value::default()),
                ]),
            }),
            files: vec![
                Any {
                    type_url: s("empty.txt"),
                    value: vec![],
                },
                Any {
                    type_url: String::new(),
                    value: b"no name".to_vec(),
                },
            ],
            ..Chart::default()
        },
    );
    check_json(
        "json.UpdateReleaseRequest",
        &tiller::UpdateReleaseRequest {
            name: s("happy-panda"),
            sub_notes: true,
            timeout: 300,
            ..tiller::UpdateReleaseRequest::default()
        },
    );
    check_json(
        "json.GetVersionResponse",
        &tiller::GetVersionResponse {
            version: Some(Version {
                sem_ver: s("v2.17.0"),
                ..Version::default()
            }),
        },
    );
    check_json(
        "json.rudder.UpgradeReleaseRequest",
        &rudder::UpgradeReleaseRequest {
            current: small_release(1),
            timeout: 60,
            wait: true,
            cleanup_on_fail: true,
            ..rudder::UpgradeReleaseRequest::default()
        },
    );
    check_json(
        "json.Info.empty",
        &Info {
            status: Some(Status::default()),
            deleted: ts(0, 0),
            ..Info::default()
        },
    );
}

#[test]
fn every_golden_entry_is_checked() {
    // Keeps this file and golden-gen in step: a new entry needs a check.
    let checked: BTreeSet<&str> = [
        "release.stored",
        "release.raw",
        "tiller.ListReleasesRequest",
        "tiller.ListReleasesResponse",
        "tiller.GetReleaseStatusRequest",
        "tiller.GetReleaseStatusResponse",
        "tiller.GetReleaseContentRequest",
        "tiller.GetReleaseContentResponse",
        "tiller.UpdateReleaseRequest",
        "tiller.UpdateReleaseResponse",
        "tiller.RollbackReleaseRequest",
        "tiller.RollbackReleaseResponse",
        "tiller.InstallReleaseRequest",
        "tiller.InstallReleaseResponse",
        "tiller.UninstallReleaseRequest",
        "tiller.UninstallReleaseResponse",
        "tiller.GetVersionRequest",
        "tiller.GetVersionResponse",
        "tiller.GetHistoryRequest",
        "tiller.GetHistoryResponse",
        "tiller.TestReleaseRequest",
        "tiller.TestReleaseResponse",
        "rudder.VersionReleaseResponse",
        "rudder.InstallReleaseRequest",
        "rudder.InstallReleaseResponse",
        "rudder.UpgradeReleaseRequest",
        "rudder.RollbackReleaseRequest",
        "rudder.ReleaseStatusResponse",
        "json.Release",
        "json.GetReleaseStatusResponse",
        "json.Chart",
        "json.UpdateReleaseRequest",
        "json.GetVersionResponse",
        "json.rudder.UpgradeReleaseRequest",
        "json.Info.empty",
    ]
    .into_iter()
    .collect();
    let present: BTreeSet<&str> = golden().keys().copied().collect();
    assert_eq!(present, checked);
}

#[test]
fn unknown_fields_from_newer_or_older_peers_are_skipped() {
    // Status field 2 ("details", an Any) was dropped by Helm but may linger
    // in old records; it must not break decoding.
    let mut bytes = Status {
        code: status::Code::Superseded as i32,
        notes: s("n"),
        ..Status::default()
    }
    .encode_to_vec();
    let details = Any {
        type_url: s("type.googleapis.com/x"),
        value: vec![1, 2],
    }
    .encode_to_vec();
    bytes.push(0x12); // field 2, length-delimited
    bytes.push(u8::try_from(details.len()).expect("short"));
    bytes.extend(details);
    let status = Status::decode(bytes.as_slice()).expect("decoding with a legacy field");
    assert_eq!(status.code(), status::Code::Superseded);
    assert_eq!(status.notes, "n");
}
