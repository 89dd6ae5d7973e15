//! Authentication and RBAC over HTTP: bearer tokens, anonymous access, the exact 403 texts,
//! impersonation, service-account tokens and the review APIs.

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

type HttpClient = Client<HttpConnector, Full<Bytes>>;

struct Sim {
    server: kubesim::Server,
    client: HttpClient,
    _dir: tempfile::TempDir,
}

async fn start() -> Sim {
    let dir = tempfile::tempdir().expect("tmp");
    let tokens = dir.path().join("tokens.csv");
    std::fs::write(
        &tokens,
        "admin-token,admin,uid-admin,\"system:masters\"\nalice-token,alice,uid-alice\nbob-token,bob,uid-bob,\"devs\"\n",
    )
    .expect("token file");
    let server = kubesim::Server::builder()
        .token_file(&tokens)
        .authorization_rbac(true)
        // Plain HTTP keeps the client simple; bearer tokens work the same over it.
        .tls(false)
        .start()
        .await
        .expect("server");
    Sim {
        server,
        client: Client::builder(TokioExecutor::new()).build_http(),
        _dir: dir,
    }
}

impl Sim {
    async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut b = http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.server.url()))
            .header("content-type", "application/json")
            .header("accept", "application/json");
        if let Some(t) = token {
            b = b.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let body = body.map(|v| v.to_string()).unwrap_or_default();
        let req = b.body(Full::new(Bytes::from(body))).expect("request");
        let resp = self.client.request(req).await.expect("response");
        let status = resp.status().as_u16();
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        let v = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| json!(String::from_utf8_lossy(&bytes)));
        (status, v)
    }
}

#[tokio::test]
async fn tokens_anonymous_and_unauthorized() {
    let sim = start().await;
    let (code, body) = sim
        .call("GET", "/api/v1/namespaces", Some("wrong"), &[], None)
        .await;
    assert_eq!(code, 401);
    assert_eq!(body["reason"], "Unauthorized");
    let (code, _) = sim.call("GET", "/version", None, &[], None).await;
    assert_eq!(code, 200, "anonymous users may read /version");
    let (code, body) = sim
        .call(
            "GET",
            "/api/v1/namespaces/default/configmaps",
            None,
            &[],
            None,
        )
        .await;
    assert_eq!(code, 403);
    assert_eq!(
        body["message"],
        "configmaps is forbidden: User \"system:anonymous\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"default\""
    );
    let (code, _) = sim
        .call("GET", "/api/v1/namespaces", Some("admin-token"), &[], None)
        .await;
    assert_eq!(code, 200);
    sim.server.shutdown().await;
}

#[tokio::test]
async fn rbac_bindings_grant_access() {
    let sim = start().await;
    let (code, body) = sim
        .call(
            "GET",
            "/api/v1/namespaces/t2/configmaps",
            Some("bob-token"),
            &[],
            None,
        )
        .await;
    assert_eq!(code, 403);
    assert_eq!(
        body["message"],
        "configmaps is forbidden: User \"bob\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"t2\""
    );
    let (code, body) = sim
        .call(
            "GET",
            "/apis/apps/v1/namespaces/default/deployments/web",
            Some("alice-token"),
            &[],
            None,
        )
        .await;
    assert_eq!(code, 403);
    assert_eq!(
        body["message"],
        "deployments.apps \"web\" is forbidden: User \"alice\" cannot get resource \"deployments\" in API group \"apps\" in the namespace \"default\""
    );
    assert_eq!(body["details"]["group"], "apps");

    let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
        "metadata": {"name": "cm-reader"},
        "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}]});
    let (code, _) = sim
        .call(
            "POST",
            "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles",
            Some("admin-token"),
            &[],
            Some(role),
        )
        .await;
    assert_eq!(code, 201);
    let binding = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": "devs-read"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "cm-reader"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "devs"}]});
    let (code, _) = sim
        .call(
            "POST",
            "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
            Some("admin-token"),
            &[],
            Some(binding),
        )
        .await;
    assert_eq!(code, 201);
    let (code, _) = sim
        .call(
            "GET",
            "/api/v1/namespaces/default/configmaps",
            Some("bob-token"),
            &[],
            None,
        )
        .await;
    assert_eq!(code, 200);
    let (code, _) = sim
        .call(
            "GET",
            "/api/v1/namespaces/default/configmaps",
            Some("alice-token"),
            &[],
            None,
        )
        .await;
    assert_eq!(code, 403, "alice is not in devs");

    // kubectl auth can-i
    let review = json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
        "spec": {"resourceAttributes": {"namespace": "default", "verb": "list", "resource": "configmaps"}}});
    let (code, body) = sim
        .call(
            "POST",
            "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
            Some("bob-token"),
            &[],
            Some(review.clone()),
        )
        .await;
    assert_eq!(code, 201);
    assert_eq!(body["status"]["allowed"], true);
    let (_, body) = sim
        .call(
            "POST",
            "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
            Some("alice-token"),
            &[],
            Some(review),
        )
        .await;
    assert_eq!(body["status"]["allowed"], false);
    sim.server.shutdown().await;
}

#[tokio::test]
async fn impersonation() {
    let sim = start().await;
    let (code, body) = sim
        .call(
            "POST",
            "/apis/authentication.k8s.io/v1/selfsubjectreviews",
            Some("admin-token"),
            &[("impersonate-user", "bob"), ("impersonate-group", "g1")],
            Some(json!({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})),
        )
        .await;
    assert_eq!(code, 201);
    assert_eq!(body["status"]["userInfo"]["username"], "bob");
    assert_eq!(
        body["status"]["userInfo"]["groups"],
        json!(["g1", "system:authenticated"])
    );

    let (code, body) = sim
        .call(
            "GET",
            "/api/v1/namespaces",
            Some("alice-token"),
            &[("impersonate-user", "bob")],
            None,
        )
        .await;
    assert_eq!(code, 403);
    assert_eq!(
        body["message"],
        "users \"bob\" is forbidden: User \"alice\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope"
    );
    // The impersonated identity is the one authorized: bob may not list namespaces.
    let (code, body) = sim
        .call(
            "GET",
            "/api/v1/namespaces",
            Some("admin-token"),
            &[("impersonate-user", "bob")],
            None,
        )
        .await;
    assert_eq!(code, 403);
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .contains("User \"bob\" cannot list")
    );
    sim.server.shutdown().await;
}

#[tokio::test]
async fn service_account_tokens_and_token_review() {
    let sim = start().await;
    let (code, body) = sim
        .call("POST", "/api/v1/namespaces/default/serviceaccounts/default/token", Some("admin-token"), &[],
              Some(json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {}})))
        .await;
    assert_eq!(code, 201, "{body}");
    let token = body["status"]["token"].as_str().expect("token").to_owned();
    assert!(body["status"]["expirationTimestamp"].is_string());
    let (code, who) = sim
        .call(
            "POST",
            "/apis/authentication.k8s.io/v1/selfsubjectreviews",
            Some(&token),
            &[],
            Some(json!({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})),
        )
        .await;
    assert_eq!(code, 201);
    assert_eq!(
        who["status"]["userInfo"]["username"],
        "system:serviceaccount:default:default"
    );
    let (code, review) = sim
        .call("POST", "/apis/authentication.k8s.io/v1/tokenreviews", Some("admin-token"), &[],
              Some(json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": {"token": token}})))
        .await;
    assert_eq!(code, 201);
    assert_eq!(review["status"]["authenticated"], true);
    assert_eq!(
        review["status"]["user"]["groups"],
        json!([
            "system:serviceaccounts",
            "system:serviceaccounts:default",
            "system:authenticated"
        ])
    );
    let (code, _) = sim
        .call(
            "POST",
            "/api/v1/namespaces/default/serviceaccounts/default/token",
            Some("admin-token"),
            &[],
            Some(json!({"spec": {"expirationSeconds": 60}})),
        )
        .await;
    assert_eq!(code, 422);
    sim.server.shutdown().await;
}

#[tokio::test]
async fn rbac_writes_cannot_escalate() {
    let sim = start().await;
    // alice may manage Roles and RoleBindings in default and read ConfigMaps there, nothing more.
    let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
        "metadata": {"name": "role-admin"},
        "rules": [{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles", "rolebindings"], "verbs": ["create", "update"]},
                  {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}]});
    let (code, _) = sim
        .call(
            "POST",
            "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles",
            Some("admin-token"),
            &[],
            Some(role),
        )
        .await;
    assert_eq!(code, 201);
    let binding = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": "alice-role-admin"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "role-admin"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "alice"}]});
    let (code, _) = sim
        .call(
            "POST",
            "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
            Some("admin-token"),
            &[],
            Some(binding),
        )
        .await;
    assert_eq!(code, 201);

    let held = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "cm-get"},
        "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}]});
    let (code, body) = sim
        .call(
            "POST",
            "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles",
            Some("alice-token"),
            &[],
            Some(held),
        )
        .await;
    assert_eq!(code, 201, "{body}");
    let more = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "secrets"},
        "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]});
    let (code, body) = sim
        .call(
            "POST",
            "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles",
            Some("alice-token"),
            &[],
            Some(more),
        )
        .await;
    assert_eq!(code, 403);
    let msg = body["message"].as_str().expect("message");
    assert!(
        msg.starts_with("roles.rbac.authorization.k8s.io \"secrets\" is forbidden: user \"alice\""),
        "{msg}"
    );
    assert!(
        msg.contains("is attempting to grant RBAC permissions not currently held"),
        "{msg}"
    );
    assert!(
        msg.ends_with("{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\"]}"),
        "{msg}"
    );
    // Binding herself to cluster-admin is an escalation too.
    let grab = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": "grab"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "alice"}]});
    let (code, _) = sim
        .call(
            "POST",
            "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
            Some("alice-token"),
            &[],
            Some(grab),
        )
        .await;
    assert_eq!(code, 403);
    sim.server.shutdown().await;
}
