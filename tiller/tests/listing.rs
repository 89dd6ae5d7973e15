//! ListReleases over gRPC: Helm v2's filters, sorting, paging and status
//! codes, and 10,000 releases streamed in chunks under the 20 MiB limit.

mod common;

use common::*;
use helm_proto::hapi::chart::{Chart, Metadata};
use helm_proto::hapi::release::{Info, Release, Status, status::Code};
use helm_proto::hapi::services::tiller::*;
use prost::Message as _;

fn release(
    name: &str,
    version: i32,
    code: Code,
    ns: &str,
    chart: &str,
    seconds: i64,
    manifest: usize,
) -> Release {
    Release {
        name: name.to_owned(),
        version,
        namespace: ns.to_owned(),
        manifest: "m".repeat(manifest),
        chart: Some(Chart {
            metadata: Some(Metadata {
                name: chart.to_owned(),
                ..Default::default()
            }),
            ..Default::default()
        }),
        info: Some(Info {
            status: Some(Status {
                code: code as i32,
                ..Default::default()
            }),
            last_deployed: Some(prost_types::Timestamp { seconds, nanos: 0 }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn names(msgs: &[ListReleasesResponse]) -> Vec<String> {
    msgs.iter()
        .flat_map(|m| m.releases.iter().map(|r| r.name.clone()))
        .collect()
}

#[tokio::test]
async fn filters_sorting_and_paging() {
    let env = start(Backend::Memory).await;
    let st = env.server.storage();
    for (n, v, code, ns, chart, t) in [
        ("alpha", 1, Code::Superseded, "a", "zeta", 10),
        ("alpha", 2, Code::Deployed, "a", "zeta", 50),
        ("bravo", 1, Code::Deployed, "b", "yak", 30),
        ("charlie", 1, Code::Failed, "a", "xray", 20),
        ("delta", 1, Code::Deployed, "a", "wolf", 40),
        ("echo", 1, Code::Deleted, "b", "vole", 60),
    ] {
        st.create(&release(n, v, code, ns, chart, t, 10))
            .await
            .expect("create");
    }
    let mut c = env.client().await;
    let by = |sort_by: list_sort::SortBy, order: list_sort::SortOrder| ListReleasesRequest {
        sort_by: sort_by as i32,
        sort_order: order as i32,
        ..Default::default()
    };
    // Default: DEPLOYED only.
    let m = list(
        &mut c,
        by(list_sort::SortBy::Name, list_sort::SortOrder::Asc),
    )
    .await;
    assert_eq!(names(&m), ["alpha", "bravo", "delta"]);
    assert_eq!((m[0].count, m[0].total, m[0].next.as_str()), (3, 3, ""));
    let m = list(
        &mut c,
        by(list_sort::SortBy::Name, list_sort::SortOrder::Desc),
    )
    .await;
    assert_eq!(names(&m), ["delta", "bravo", "alpha"]);
    let m = list(
        &mut c,
        by(list_sort::SortBy::LastReleased, list_sort::SortOrder::Asc),
    )
    .await;
    assert_eq!(names(&m), ["bravo", "delta", "alpha"]);
    let m = list(
        &mut c,
        by(list_sort::SortBy::ChartName, list_sort::SortOrder::Asc),
    )
    .await;
    assert_eq!(names(&m), ["delta", "bravo", "alpha"]);
    // Every revision with a matching status, not only the latest.
    let mut req = by(list_sort::SortBy::Name, list_sort::SortOrder::Asc);
    req.status_codes = vec![
        Code::Superseded as i32,
        Code::Failed as i32,
        Code::Deleted as i32,
    ];
    assert_eq!(
        names(&list(&mut c, req).await),
        ["alpha", "charlie", "echo"]
    );
    // Namespace and regex filters.
    let mut req = by(list_sort::SortBy::Name, list_sort::SortOrder::Asc);
    req.namespace = "a".into();
    req.filter = "^(al|de)".into();
    assert_eq!(names(&list(&mut c, req).await), ["alpha", "delta"]);
    let mut req = by(list_sort::SortBy::Name, list_sort::SortOrder::Asc);
    req.filter = "(".into();
    assert!(
        c.list_releases(req)
            .await
            .expect_err("bad regex")
            .message()
            .starts_with("error parsing regexp")
    );
    // Paging: limit, next, offset.
    let mut req = by(list_sort::SortBy::Name, list_sort::SortOrder::Asc);
    req.limit = 2;
    let m = list(&mut c, req.clone()).await;
    assert_eq!(names(&m), ["alpha", "bravo"]);
    assert_eq!(
        (m[0].count, m[0].total, m[0].next.as_str()),
        (2, 3, "delta")
    );
    req.offset = "delta".into();
    assert_eq!(names(&list(&mut c, req.clone()).await), ["delta"]);
    req.offset = "nope".into();
    assert_eq!(
        c.list_releases(req).await.expect_err("offset").message(),
        "offset \"nope\" not found"
    );
    // No match: no message at all.
    let mut req = by(list_sort::SortBy::Name, list_sort::SortOrder::Asc);
    req.filter = "^zzz".into();
    assert!(list(&mut c, req).await.is_empty());
}

#[tokio::test]
async fn ten_thousand_releases_stream_under_the_message_limit() {
    let env = start(Backend::Memory).await;
    let st = env.server.storage();
    // 10,000 releases of ~3 KiB: about 30 MiB in all, more than one message can carry.
    for i in 0..10_000 {
        st.create(&release(
            &format!("rel-{i:05}"),
            1,
            Code::Deployed,
            "default",
            "c",
            i64::from(i),
            3000,
        ))
        .await
        .expect("create");
    }
    let mut c = env.client().await;
    let started = std::time::Instant::now();
    let m = list(
        &mut c,
        ListReleasesRequest {
            limit: 10_000,
            sort_by: list_sort::SortBy::Name as i32,
            ..Default::default()
        },
    )
    .await;
    let took = started.elapsed();
    assert!(m.len() >= 2, "several messages: {}", m.len());
    for msg in &m {
        assert!(
            msg.encoded_len() < helm_proto::transport::MAX_MESSAGE_SIZE,
            "{}",
            msg.encoded_len()
        );
        assert_eq!((msg.count, msg.total), (10_000, 10_000));
    }
    let all = names(&m);
    assert_eq!(all.len(), 10_000);
    assert!(
        all.windows(2).all(|w| w[0] < w[1]),
        "sorted by name across messages"
    );
    eprintln!(
        "listed 10,000 releases in {took:?} over {} messages",
        m.len()
    );
    // The default limit is 512.
    let m = list(&mut c, ListReleasesRequest::default()).await;
    assert_eq!(names(&m).len(), 512);
    assert_eq!(m[0].total, 10_000);
}
