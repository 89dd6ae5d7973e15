//! Fault injection: rules that make chosen requests slow, fail, hang, reset, or cut watches,
//! plus the JSONL request log, both controlled from the admin listener.
//!
//! # Rules
//! A rule (`POST /faults`) is JSON:
//! ```json
//! {"id": "r1",
//!  "match": {"client": {"listener": 1, "user": "alice", "user_agent": "kubectl/*",
//!                       "source_port": 50000, "sim_client": "tiller-0"},
//!            "verbs": ["create"], "resources": ["configmaps"], "namespaces": ["t1"],
//!            "path_regex": "^/api/v1/", "watch": false},
//!  "prob": 1.0, "after_n": 0, "count": 3, "duration_s": 10,
//!  "action": {"type": "status", "code": 429, "retry_after_s": 2}}
//! ```
//! Every `match` field is optional; lists match any of their entries; `resources` entries may be
//! `res` (with any subresource), `res/sub`, `res.group` or `*`; `user_agent` is a glob (`*`,
//! `?`). A rule skips the first `after_n` matching requests, then fires with probability `prob` (the RNG is seeded, so a
//! run repeats), at most `count` times, and only within `duration_s` of its creation. The first
//! rule (in creation order) that fires wins.
//!
//! Actions (`action.type`): `delay{ms,jitter_ms}`, `status{code,reason,message,retry_after_s}`,
//! `conflict` (writes only), `write_fail` (writes only), `reset{after_headers}`, `hang`,
//! `slow_body{bytes_per_s}`, `partition{reset,client}`,
//! `watch_close{after_events,after_s,abrupt}`, `watch_expire{after_events}`,
//! `watch_stall{after_events}` (the `watch_*` ones match watch requests only).
//!
//! # How the request pipeline applies an action
//! After authentication, build the [`RequestInfo`] and call [`FaultInjector::check`]; then call
//! [`FaultInjector::apply_pre`] with the result and act on the [`PreOutcome`]:
//! - `Continue`: go on to authorization and the handler. Delays have already been slept (for
//!   non-watch requests); watch-phase actions are left for the stream.
//! - `Respond(response)`: send it instead of handling the request (status, conflict, write_fail).
//! - `Abort`: drop the connection without answering (reset, and partition with `reset`); with
//!   hyper, return an `Err` from the service function (set `SO_LINGER` 0 on the socket first if
//!   a true RST is wanted).
//!
//! `hang` never returns from `apply_pre` (the future stays pending until the client gives up and
//! the connection is dropped).
//! Pass the handler's response through [`FaultInjector::apply_post`] (throttling for
//! `slow_body`, a broken body for `reset{after_headers}`).
//! For a watch, wrap the event stream (one `Bytes` per JSON event line) with
//! [`FaultInjector::wrap_watch`], passing the same action: it delays events, closes cleanly or
//! abruptly, sends the 410 ERROR event, stalls, and cuts the stream when a partition rule starts
//! matching the client. Finally call [`FaultInjector::record`] with a [`LogEntry`] for every
//! request, which `GET /log` serves as JSONL.

use std::collections::VecDeque;
use std::io::Write as _;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path as AxPath, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use futures::{Stream, StreamExt};
use parking_lot::Mutex;
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::request::RequestInfo;

/// How many log entries are kept in memory.
const LOG_CAPACITY: usize = 200_000;
/// Pause before an abrupt watch cut, so earlier events reach the socket first.
const ABRUPT_FLUSH: Duration = Duration::from_millis(50);
/// How often a running watch re-checks partition rules.
const PARTITION_POLL: Duration = Duration::from_millis(200);

/// Which clients a rule applies to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientMatch {
    /// API listener index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listener: Option<usize>,
    /// Authenticated (acting) user name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// User-Agent glob.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// Client TCP source port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_port: Option<u16>,
    /// `X-Sim-Client` header value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sim_client: Option<String>,
}

/// Which requests a rule applies to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMatch {
    /// The client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<ClientMatch>,
    /// Verbs (empty: any).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub verbs: Vec<String>,
    /// Resources (empty: any).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    /// Namespaces (empty: any).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub namespaces: Vec<String>,
    /// Regular expression on the URL path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_regex: Option<String>,
    /// Only watch (true) or only non-watch (false) requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watch: Option<bool>,
}

/// What a rule does, as written in the rule JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ActionSpec {
    /// Sleep before handling (or before each watch event).
    Delay {
        /// Base delay.
        ms: u64,
        /// Uniform extra delay in `0..=jitter_ms`.
        #[serde(default)]
        jitter_ms: u64,
    },
    /// Answer with an error status.
    Status {
        /// HTTP code, 400–599.
        code: u16,
        /// `Status.reason` (defaults by code).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// `Status.message` (defaults by code).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
        /// `Retry-After` header and `details.retryAfterSeconds`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after_s: Option<u64>,
    },
    /// 409 Conflict on writes.
    Conflict,
    /// 500 `etcdserver: request timed out` on writes.
    WriteFail,
    /// Drop the connection, before any answer or (`after_headers`) after the response head.
    Reset {
        /// Send the status line and headers first, then break the body.
        #[serde(default)]
        after_headers: bool,
    },
    /// Never answer.
    Hang,
    /// Throttle the response body.
    SlowBody {
        /// Body bytes per second (at least 1).
        bytes_per_s: u64,
    },
    /// Cut the matched client off: hang (or reset) its requests and cut its watches.
    Partition {
        /// Reset instead of hanging.
        #[serde(default)]
        reset: bool,
        /// The client to cut off (spec form `partition{client}`); combined with `match.client`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client: Option<ClientMatch>,
    },
    /// End a watch after some events or seconds.
    WatchClose {
        /// Close after this many events.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after_events: Option<u64>,
        /// Close after this many seconds.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after_s: Option<f64>,
        /// Break the connection mid-stream instead of ending it cleanly.
        #[serde(default)]
        abrupt: bool,
    },
    /// Send a 410 Expired ERROR event, then close.
    WatchExpire {
        /// After this many events.
        #[serde(default)]
        after_events: u64,
    },
    /// Keep the watch open but send nothing more.
    WatchStall {
        /// After this many events.
        #[serde(default)]
        after_events: u64,
    },
}

impl ActionSpec {
    fn writes_only(&self) -> bool {
        matches!(self, ActionSpec::Conflict | ActionSpec::WriteFail)
    }

    fn watch_only(&self) -> bool {
        matches!(
            self,
            ActionSpec::WatchClose { .. }
                | ActionSpec::WatchExpire { .. }
                | ActionSpec::WatchStall { .. }
        )
    }
}

fn default_prob() -> f64 {
    1.0
}

/// A fault rule, as posted to `POST /faults`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// Rule id (generated when empty).
    #[serde(default)]
    pub id: String,
    /// Which requests it applies to.
    #[serde(default, rename = "match")]
    pub matcher: RuleMatch,
    /// Probability of firing on an eligible request.
    #[serde(default = "default_prob")]
    pub prob: f64,
    /// Matching requests to let through before the rule can fire.
    #[serde(default)]
    pub after_n: u64,
    /// Maximum times the rule fires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// Lifetime in seconds from creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_s: Option<f64>,
    /// What it does.
    pub action: ActionSpec,
}

/// A rule that cannot be installed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// The JSON does not describe a rule.
    #[error("invalid fault rule: {0}")]
    Json(String),
    /// `path_regex` does not compile.
    #[error("invalid fault rule: path_regex {pattern:?}: {message}")]
    Regex {
        /// The pattern.
        pattern: String,
        /// The compiler's complaint.
        message: String,
    },
    /// A field is out of range.
    #[error("invalid fault rule: {0}")]
    Value(String),
}

/// What the pipeline must do for one request; see the module documentation.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultAction {
    /// Sleep `base` plus up to `jitter` (before handling, or before each watch event).
    Delay {
        /// Fixed part.
        base: Duration,
        /// Random extra, drawn per use.
        jitter: Duration,
    },
    /// Answer with this error instead of handling the request.
    Respond(ApiError),
    /// Drop the connection without answering.
    Reset,
    /// Send the response head, then break the connection instead of the body.
    ResetAfterHeaders,
    /// Never answer.
    Hang,
    /// Deliver the response body at this many bytes per second.
    SlowBody {
        /// Rate.
        bytes_per_s: u64,
    },
    /// End the watch stream after `after_events` events or `after`, cleanly or `abrupt`ly.
    WatchClose {
        /// Event budget.
        after_events: Option<u64>,
        /// Time budget.
        after: Option<Duration>,
        /// Break the connection instead of a clean end.
        abrupt: bool,
    },
    /// After `after_events` events, send a 410 ERROR event and end the stream.
    WatchExpire {
        /// Events first sent.
        after_events: u64,
    },
    /// After `after_events` events, send nothing more but keep the stream open.
    WatchStall {
        /// Events first sent.
        after_events: u64,
    },
}

/// What [`FaultInjector::apply_pre`] tells the pipeline to do.
#[derive(Debug)]
pub enum PreOutcome {
    /// Handle the request normally.
    Continue,
    /// Send this response instead.
    Respond(Response),
    /// Drop the connection without a response.
    Abort,
}

/// One line of the request log (`GET /log`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    /// RFC 3339 time with microseconds.
    pub time: String,
    /// API listener index.
    pub listener: usize,
    /// Acting user.
    pub user: String,
    /// Acting user's groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// The authenticated user when `user` is impersonated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impersonator: Option<String>,
    /// User-Agent.
    #[serde(default)]
    pub user_agent: String,
    /// `X-Sim-Client`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sim_client: Option<String>,
    /// Client source port.
    #[serde(default)]
    pub source_port: u16,
    /// HTTP method.
    pub method: String,
    /// Kubernetes verb.
    pub verb: String,
    /// URL path.
    pub path: String,
    /// Query string.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub query: String,
    /// HTTP status sent (0 when the connection was dropped).
    pub code: u16,
    /// Time to the response head, in milliseconds.
    pub latency_ms: f64,
    /// `metadata.resourceVersion` of the object or list returned, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<String>,
    /// Id of the fault rule that fired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<String>,
}

impl LogEntry {
    /// A log entry for `req` (user fields filled from it) with the outcome still to be set.
    pub fn for_request(req: &RequestInfo) -> Self {
        let user = req.user.clone().unwrap_or_default();
        Self {
            time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            listener: req.listener,
            user: user.name,
            groups: user.groups,
            impersonator: req.impersonator.as_ref().map(|u| u.name.clone()),
            user_agent: req.user_agent.clone(),
            sim_client: req.sim_client.clone(),
            source_port: req.source_port,
            method: req.method.clone(),
            verb: req.verb.clone(),
            path: req.path.clone(),
            query: req.query.clone(),
            ..Self::default()
        }
    }
}

#[derive(Debug)]
struct ActiveRule {
    rule: FaultRule,
    regex: Option<Regex>,
    created: Instant,
    seen: u64,
    fired: u64,
}

impl ActiveRule {
    fn expired(&self, now: Instant) -> bool {
        self.rule
            .duration_s
            .is_some_and(|d| now.duration_since(self.created).as_secs_f64() >= d)
            || self.rule.count.is_some_and(|c| self.fired >= c)
    }

    /// Whether the rule's client selectors (`match.client`, and a partition's own `client`)
    /// accept `req`.
    fn client_ok(&self, req: &RequestInfo) -> bool {
        let own = match &self.rule.action {
            ActionSpec::Partition {
                client: Some(c), ..
            } => client_matches(c, req),
            _ => true,
        };
        own && self
            .rule
            .matcher
            .client
            .as_ref()
            .is_none_or(|c| client_matches(c, req))
    }

    fn matches(&self, req: &RequestInfo) -> bool {
        let m = &self.rule.matcher;
        if !self.client_ok(req) {
            return false;
        }
        if !m.verbs.is_empty() && !m.verbs.iter().any(|v| v == "*" || *v == req.verb) {
            return false;
        }
        if !m.resources.is_empty() && !m.resources.iter().any(|r| resource_matches(r, req)) {
            return false;
        }
        if !m.namespaces.is_empty() && !m.namespaces.contains(&req.namespace) {
            return false;
        }
        if let Some(re) = &self.regex
            && !re.is_match(&req.path)
        {
            return false;
        }
        if m.watch.is_some_and(|w| w != req.watch) {
            return false;
        }
        let action = &self.rule.action;
        if action.writes_only() && !req.is_write() {
            return false;
        }
        if action.watch_only() && !req.watch {
            return false;
        }
        true
    }
}

fn client_matches(c: &ClientMatch, req: &RequestInfo) -> bool {
    if c.listener.is_some_and(|l| l != req.listener) {
        return false;
    }
    if let Some(u) = &c.user
        && req.user.as_ref().is_none_or(|ru| ru.name != *u)
    {
        return false;
    }
    if let Some(g) = &c.user_agent
        && !glob_matches(g, &req.user_agent)
    {
        return false;
    }
    if c.source_port.is_some_and(|p| p != req.source_port) {
        return false;
    }
    if let Some(s) = &c.sim_client
        && req.sim_client.as_deref() != Some(s.as_str())
    {
        return false;
    }
    true
}

fn resource_matches(pattern: &str, req: &RequestInfo) -> bool {
    if pattern == "*" {
        return true;
    }
    let (base, group) = match pattern.split_once('.') {
        Some((b, g)) => (b, Some(g)),
        None => (pattern, None),
    };
    if group.is_some_and(|g| g != req.api_group) {
        return false;
    }
    match base.split_once('/') {
        Some((res, sub)) => res == req.resource && sub == req.subresource,
        None => base == req.resource,
    }
}

/// Shell-style glob: `*` matches any run of characters, `?` any one character.
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[derive(Debug)]
struct Inner {
    rules: Vec<ActiveRule>,
    rng: StdRng,
    next_id: u64,
    log: VecDeque<LogEntry>,
}

/// The fault rules, their seeded RNG and the request log.
#[derive(Debug)]
pub struct FaultInjector {
    inner: Mutex<Inner>,
    log_file: Option<Mutex<std::fs::File>>,
}

impl Default for FaultInjector {
    fn default() -> Self {
        Self::new(0)
    }
}

impl FaultInjector {
    /// An injector with no rules whose probability draws come from `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            inner: Mutex::new(Inner {
                rules: Vec::new(),
                rng: StdRng::seed_from_u64(seed),
                next_id: 1,
                log: VecDeque::new(),
            }),
            log_file: None,
        }
    }

    /// Also appends every log entry to `path` as JSONL (an audit file).
    pub fn with_log_file(mut self, path: PathBuf) -> std::io::Result<Self> {
        let f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)?;
        self.log_file = Some(Mutex::new(f));
        Ok(self)
    }

    /// Installs a rule from its JSON form; returns the rule as stored (with its id).
    pub fn add_rule_json(&self, body: &Value) -> Result<FaultRule, RuleError> {
        let rule: FaultRule =
            serde_json::from_value(body.clone()).map_err(|e| RuleError::Json(e.to_string()))?;
        self.add_rule(rule)
    }

    /// Installs a rule (replacing one with the same id); returns it as stored.
    pub fn add_rule(&self, mut rule: FaultRule) -> Result<FaultRule, RuleError> {
        validate(&rule)?;
        let regex = match &rule.matcher.path_regex {
            Some(p) => Some(Regex::new(p).map_err(|e| RuleError::Regex {
                pattern: p.clone(),
                message: e.to_string(),
            })?),
            None => None,
        };
        let mut inner = self.inner.lock();
        if rule.id.is_empty() {
            loop {
                let id = format!("rule-{}", inner.next_id);
                inner.next_id += 1;
                if !inner.rules.iter().any(|r| r.rule.id == id) {
                    rule.id = id;
                    break;
                }
            }
        }
        let active = ActiveRule {
            rule: rule.clone(),
            regex,
            created: Instant::now(),
            seen: 0,
            fired: 0,
        };
        match inner.rules.iter_mut().find(|r| r.rule.id == rule.id) {
            Some(slot) => *slot = active,
            None => inner.rules.push(active),
        }
        Ok(rule)
    }

    /// Removes a rule; returns whether it existed.
    pub fn remove_rule(&self, id: &str) -> bool {
        let mut inner = self.inner.lock();
        let before = inner.rules.len();
        inner.rules.retain(|r| r.rule.id != id);
        inner.rules.len() != before
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.inner.lock().rules.clear();
    }

    /// The rules with their counters (`seen`, `fired`, `expired`), as `GET /faults` shows them.
    pub fn rules_json(&self) -> Value {
        let inner = self.inner.lock();
        let now = Instant::now();
        let rules: Vec<Value> = inner
            .rules
            .iter()
            .map(|r| {
                let mut v = serde_json::to_value(&r.rule).unwrap_or_else(|_| json!({}));
                v["seen"] = json!(r.seen);
                v["fired"] = json!(r.fired);
                v["expired"] = json!(r.expired(now));
                v
            })
            .collect();
        json!({ "rules": rules })
    }

    /// The action for `req`, if a rule fires; see the module documentation for how to apply it.
    pub fn check(&self, req: &RequestInfo) -> Option<FaultAction> {
        self.check_rule(req).map(|(_, a)| a)
    }

    /// Like [`FaultInjector::check`], also returning the id of the rule that fired (for the
    /// log's `fault` field).
    pub fn check_rule(&self, req: &RequestInfo) -> Option<(String, FaultAction)> {
        let mut inner = self.inner.lock();
        let now = Instant::now();
        let Inner { rules, rng, .. } = &mut *inner;
        for r in rules.iter_mut() {
            if r.expired(now) || !r.matches(req) {
                continue;
            }
            r.seen += 1;
            if r.seen <= r.rule.after_n {
                continue;
            }
            if r.rule.prob < 1.0 && rng.random::<f64>() >= r.rule.prob {
                continue;
            }
            r.fired += 1;
            return Some((r.rule.id.clone(), to_action(&r.rule.action, req)));
        }
        None
    }

    /// Whether an active partition rule matches `req`'s client (counters are not touched).
    pub fn partitioned(&self, req: &RequestInfo) -> bool {
        let inner = self.inner.lock();
        let now = Instant::now();
        inner.rules.iter().any(|r| {
            matches!(r.rule.action, ActionSpec::Partition { .. })
                && !r.expired(now)
                && r.client_ok(req)
        })
    }

    fn jitter(&self, base: Duration, jitter: Duration) -> Duration {
        if jitter.is_zero() {
            return base;
        }
        let extra = self
            .inner
            .lock()
            .rng
            .random_range(0..=jitter.as_millis() as u64);
        base.saturating_add(Duration::from_millis(extra))
    }

    /// Applies the part of `action` that happens before the handler; see [`PreOutcome`].
    /// `hang` never completes. For watch requests delays are left to [`FaultInjector::wrap_watch`].
    pub async fn apply_pre(&self, action: Option<&FaultAction>, req: &RequestInfo) -> PreOutcome {
        match action {
            None => PreOutcome::Continue,
            Some(FaultAction::Delay { base, jitter }) => {
                if !req.watch {
                    tokio::time::sleep(self.jitter(*base, *jitter)).await;
                }
                PreOutcome::Continue
            }
            Some(FaultAction::Respond(e)) => PreOutcome::Respond(error_response(e)),
            Some(FaultAction::Reset) => PreOutcome::Abort,
            Some(FaultAction::Hang) => {
                // A hung request never reaches the pipeline's own log call, so log it here
                // (code 0: no answer).
                let mut entry = LogEntry::for_request(req);
                entry.fault = Some("hang".to_owned());
                self.record(entry);
                std::future::pending().await
            }
            Some(
                FaultAction::ResetAfterHeaders
                | FaultAction::SlowBody { .. }
                | FaultAction::WatchClose { .. }
                | FaultAction::WatchExpire { .. }
                | FaultAction::WatchStall { .. },
            ) => PreOutcome::Continue,
        }
    }

    /// Applies the part of `action` that happens to the response: `slow_body` throttles its
    /// body, `reset{after_headers}` sends the head and then breaks the connection. Other
    /// actions leave the response as it is.
    pub fn apply_post(&self, action: Option<&FaultAction>, resp: Response) -> Response {
        match action {
            Some(FaultAction::SlowBody { bytes_per_s }) => {
                let (parts, body) = resp.into_parts();
                Response::from_parts(parts, Body::from_stream(throttle(body, *bytes_per_s)))
            }
            Some(FaultAction::ResetAfterHeaders) => {
                let (mut parts, _) = resp.into_parts();
                // The real length is unknown now; a chunked head lets the break show mid-body.
                parts.headers.remove(header::CONTENT_LENGTH);
                let broken_body = futures::stream::once(async {
                    Err::<Bytes, std::io::Error>(broken("reset by fault injection"))
                });
                Response::from_parts(parts, Body::from_stream(broken_body))
            }
            _ => resp,
        }
    }

    /// Wraps a watch's event stream (one item per JSON event line) so the watch-phase part of
    /// `action` happens, and so the stream is cut when a partition starts matching the client.
    /// The result suits `axum::body::Body::from_stream`; an `Err` item breaks the connection.
    pub fn wrap_watch<S, E>(
        self: &Arc<Self>,
        req: RequestInfo,
        action: Option<FaultAction>,
        inner: S,
    ) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static
    where
        S: Stream<Item = Result<Bytes, E>> + Send + 'static,
        E: Into<Box<dyn std::error::Error + Send + Sync>> + Send + 'static,
    {
        let started = tokio::time::Instant::now();
        let close_at = match &action {
            Some(FaultAction::WatchClose {
                after: Some(after), ..
            }) => started.checked_add(*after),
            _ => None,
        };
        let state = WatchState {
            injector: Arc::clone(self),
            req,
            action,
            inner: Box::pin(inner),
            sent: 0,
            close_at,
            finished: false,
            stalled: false,
            pending_end: None,
        };
        futures::stream::unfold(state, watch_step)
    }

    /// Appends a request to the log (and the audit file, if any).
    pub fn record(&self, entry: LogEntry) {
        if let Some(f) = &self.log_file
            && let Ok(line) = serde_json::to_string(&entry)
        {
            let mut f = f.lock();
            // The audit file is best effort: a full disk must not fail API requests.
            let _ = writeln!(f, "{line}");
        }
        let mut inner = self.inner.lock();
        if inner.log.len() >= LOG_CAPACITY {
            inner.log.pop_front();
        }
        inner.log.push_back(entry);
    }

    /// The log entries recorded so far.
    pub fn log_entries(&self) -> Vec<LogEntry> {
        self.inner.lock().log.iter().cloned().collect()
    }

    /// The log as JSONL.
    pub fn log_jsonl(&self) -> String {
        let inner = self.inner.lock();
        let mut out = String::new();
        for e in &inner.log {
            if let Ok(line) = serde_json::to_string(e) {
                out.push_str(&line);
                out.push('\n');
            }
        }
        out
    }

    /// Empties the in-memory log.
    pub fn clear_log(&self) {
        self.inner.lock().log.clear();
    }

    /// The admin API: `POST /faults`, `GET /faults`, `DELETE /faults/{id}`, `POST /faults/clear`,
    /// `GET /log`, `POST /log/clear`.
    pub fn admin_router(self: Arc<Self>) -> Router {
        Router::new()
            .route("/faults", post(post_fault).get(get_faults))
            .route("/faults/clear", post(clear_faults))
            .route("/faults/{id}", delete(delete_fault))
            .route("/log", get(get_log))
            .route("/log/clear", post(clear_log))
            .with_state(self)
    }
}

fn validate(rule: &FaultRule) -> Result<(), RuleError> {
    if !(0.0..=1.0).contains(&rule.prob) || rule.prob.is_nan() {
        return Err(RuleError::Value(format!(
            "prob must be between 0 and 1, got {}",
            rule.prob
        )));
    }
    if rule
        .duration_s
        .is_some_and(|d| !(d >= 0.0 && d.is_finite()))
    {
        return Err(RuleError::Value(
            "duration_s must be a non-negative number".to_owned(),
        ));
    }
    match &rule.action {
        ActionSpec::Status { code, .. } if !(400..=599).contains(code) => Err(RuleError::Value(
            format!("status code must be 400-599, got {code}"),
        )),
        ActionSpec::WatchClose {
            after_events,
            after_s,
            ..
        } => {
            if after_s.is_some_and(|s| !(s >= 0.0 && s.is_finite())) {
                return Err(RuleError::Value(
                    "watch_close after_s must be a non-negative number".to_owned(),
                ));
            }
            if after_events.is_none() && after_s.is_none() {
                return Err(RuleError::Value(
                    "watch_close needs after_events or after_s".to_owned(),
                ));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn default_reason(code: u16) -> &'static str {
    match code {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        406 => "NotAcceptable",
        409 => "Conflict",
        410 => "Expired",
        413 => "RequestEntityTooLarge",
        415 => "UnsupportedMediaType",
        422 => "Invalid",
        429 => "TooManyRequests",
        500 => "InternalError",
        503 => "ServiceUnavailable",
        504 => "Timeout",
        _ => "Unknown",
    }
}

fn default_message(code: u16) -> String {
    match code {
        429 => "Too many requests, please try again later.".to_owned(),
        500 => "Internal error occurred: injected fault".to_owned(),
        503 => "The server is currently unable to handle the request (injected fault)".to_owned(),
        504 => {
            "Timeout: request did not complete within requested timeout - context deadline exceeded"
                .to_owned()
        }
        _ => format!("injected fault: HTTP {code}"),
    }
}

fn to_action(spec: &ActionSpec, req: &RequestInfo) -> FaultAction {
    match spec {
        ActionSpec::Delay { ms, jitter_ms } => FaultAction::Delay {
            base: Duration::from_millis(*ms),
            jitter: Duration::from_millis(*jitter_ms),
        },
        ActionSpec::Status {
            code,
            reason,
            message,
            retry_after_s,
        } => {
            let mut e = ApiError::new(
                *code,
                reason.as_deref().unwrap_or(default_reason(*code)),
                message.clone().unwrap_or_else(|| default_message(*code)),
            );
            e.details.retry_after_seconds = *retry_after_s;
            FaultAction::Respond(e)
        }
        ActionSpec::Conflict => {
            FaultAction::Respond(ApiError::modified(&req.api_group, &req.resource, &req.name))
        }
        ActionSpec::WriteFail => {
            FaultAction::Respond(ApiError::internal("etcdserver: request timed out"))
        }
        ActionSpec::Reset { after_headers } => {
            if *after_headers {
                FaultAction::ResetAfterHeaders
            } else {
                FaultAction::Reset
            }
        }
        ActionSpec::SlowBody { bytes_per_s } => FaultAction::SlowBody {
            bytes_per_s: (*bytes_per_s).max(1),
        },
        ActionSpec::Hang => FaultAction::Hang,
        ActionSpec::Partition { reset, .. } => {
            if *reset {
                FaultAction::Reset
            } else {
                FaultAction::Hang
            }
        }
        ActionSpec::WatchClose {
            after_events,
            after_s,
            abrupt,
        } => FaultAction::WatchClose {
            after_events: *after_events,
            after: after_s.and_then(|s| Duration::try_from_secs_f64(s).ok()),
            abrupt: *abrupt,
        },
        ActionSpec::WatchExpire { after_events } => FaultAction::WatchExpire {
            after_events: *after_events,
        },
        ActionSpec::WatchStall { after_events } => FaultAction::WatchStall {
            after_events: *after_events,
        },
    }
}

/// The HTTP response for an API error: the `Status` JSON, plus `Retry-After` when set.
pub fn error_response(e: &ApiError) -> Response {
    let body = e.to_status().to_string();
    let code = StatusCode::from_u16(e.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = (code, body).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Some(s) = e.details.retry_after_seconds {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(s));
    }
    resp
}

/// A body stream that delivers `body` at about `bytes_per_s`, in slices of a tenth of a
/// second's worth.
fn throttle(body: Body, bytes_per_s: u64) -> impl Stream<Item = Result<Bytes, axum::Error>> + Send {
    let slice = usize::try_from((bytes_per_s / 10).max(1)).unwrap_or(usize::MAX);
    let rate = bytes_per_s.max(1) as f64;
    body.into_data_stream()
        .flat_map(move |chunk| {
            let pieces: Vec<Result<Bytes, axum::Error>> = match chunk {
                Ok(b) => {
                    let mut v = Vec::new();
                    let mut off = 0;
                    while off < b.len() {
                        let end = (off + slice).min(b.len());
                        v.push(Ok(b.slice(off..end)));
                        off = end;
                    }
                    v
                }
                Err(e) => vec![Err(e)],
            };
            futures::stream::iter(pieces)
        })
        .then(move |piece| async move {
            if let Ok(b) = &piece {
                tokio::time::sleep(Duration::from_secs_f64(b.len() as f64 / rate)).await;
            }
            piece
        })
}

/// The ERROR event a watch sends when its resourceVersion is too old.
pub fn expired_event_line() -> Bytes {
    let status =
        ApiError::expired("The resourceVersion for the provided watch is too old.").to_status();
    let mut line = json!({ "type": "ERROR", "object": status }).to_string();
    line.push('\n');
    Bytes::from(line)
}

type BoxedEvents<E> = Pin<Box<dyn Stream<Item = Result<Bytes, E>> + Send>>;

struct WatchState<E> {
    injector: Arc<FaultInjector>,
    req: RequestInfo,
    action: Option<FaultAction>,
    inner: BoxedEvents<E>,
    sent: u64,
    close_at: Option<tokio::time::Instant>,
    finished: bool,
    stalled: bool,
    /// Set when the budget of events is used up: the next poll ends the stream this way.
    pending_end: Option<End>,
}

#[derive(Debug, Clone, Copy)]
enum End {
    Clean,
    Abrupt,
    Expire,
    Stall,
}

fn broken(why: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::ConnectionReset, why.to_owned())
}

async fn watch_step<E>(
    mut st: WatchState<E>,
) -> Option<(Result<Bytes, std::io::Error>, WatchState<E>)>
where
    E: Into<Box<dyn std::error::Error + Send + Sync>> + Send + 'static,
{
    if st.finished {
        return None;
    }
    // Budgets already used up at the start (after_events = 0) end the stream before any event.
    if st.pending_end.is_none() && st.sent == 0 {
        st.pending_end = end_after(&st.action, 0);
    }
    if let Some(end) = st.pending_end.take() {
        return finish(st, end).await;
    }
    if st.stalled {
        std::future::pending::<()>().await;
    }
    loop {
        let close_sleep = async {
            match st.close_at {
                Some(t) => tokio::time::sleep_until(t).await,
                None => std::future::pending().await,
            }
        };
        let next = tokio::select! {
            biased;
            () = close_sleep => {
                let abrupt = matches!(st.action, Some(FaultAction::WatchClose { abrupt: true, .. }));
                return finish(st, if abrupt { End::Abrupt } else { End::Clean }).await;
            }
            () = tokio::time::sleep(PARTITION_POLL) => None,
            item = st.inner.next() => Some(item),
        };
        if st.injector.partitioned(&st.req) {
            return finish(st, End::Abrupt).await;
        }
        let Some(item) = next else { continue };
        return match item {
            None => {
                st.finished = true;
                None
            }
            Some(Err(e)) => {
                st.finished = true;
                Some((Err(std::io::Error::other(e)), st))
            }
            Some(Ok(bytes)) => {
                if let Some(FaultAction::Delay { base, jitter }) = &st.action {
                    tokio::time::sleep(st.injector.jitter(*base, *jitter)).await;
                }
                st.sent += 1;
                st.pending_end = end_after(&st.action, st.sent);
                Some((Ok(bytes), st))
            }
        };
    }
}

/// The way the stream must end once `sent` events went out, if the action's budget is reached.
fn end_after(action: &Option<FaultAction>, sent: u64) -> Option<End> {
    match action {
        Some(FaultAction::WatchClose {
            after_events: Some(n),
            abrupt,
            ..
        }) if sent >= *n => Some(if *abrupt { End::Abrupt } else { End::Clean }),
        Some(FaultAction::WatchExpire { after_events }) if sent >= *after_events => {
            Some(End::Expire)
        }
        Some(FaultAction::WatchStall { after_events }) if sent >= *after_events => Some(End::Stall),
        _ => None,
    }
}

async fn finish<E>(
    mut st: WatchState<E>,
    end: End,
) -> Option<(Result<Bytes, std::io::Error>, WatchState<E>)>
where
    E: Send + 'static,
{
    match end {
        End::Clean => None,
        End::Abrupt => {
            st.finished = true;
            // Give the server a moment to flush the events already yielded, so the cut lands
            // after them rather than swallowing them.
            tokio::time::sleep(ABRUPT_FLUSH).await;
            Some((Err(broken("watch cut by fault injection")), st))
        }
        End::Expire => {
            st.finished = true;
            Some((Ok(expired_event_line()), st))
        }
        End::Stall => {
            st.stalled = true;
            // Dropping the source stops bookmarks and events; the connection stays open.
            st.inner = Box::pin(futures::stream::pending());
            std::future::pending::<()>().await;
            None
        }
    }
}

async fn post_fault(State(inj): State<Arc<FaultInjector>>, body: Bytes) -> Response {
    let value: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return error_response(&ApiError::bad_request(format!(
                "invalid fault rule: body is not JSON: {e}"
            )));
        }
    };
    match inj.add_rule_json(&value) {
        Ok(rule) => (
            StatusCode::CREATED,
            axum::Json(serde_json::to_value(rule).unwrap_or_else(|_| json!({}))),
        )
            .into_response(),
        Err(e) => error_response(&ApiError::bad_request(e.to_string())),
    }
}

async fn get_faults(State(inj): State<Arc<FaultInjector>>) -> Response {
    axum::Json(inj.rules_json()).into_response()
}

async fn clear_faults(State(inj): State<Arc<FaultInjector>>) -> Response {
    inj.clear();
    axum::Json(json!({ "cleared": true })).into_response()
}

async fn delete_fault(
    State(inj): State<Arc<FaultInjector>>,
    AxPath(id): AxPath<String>,
) -> Response {
    if inj.remove_rule(&id) {
        axum::Json(json!({ "deleted": id })).into_response()
    } else {
        error_response(&ApiError::new(
            404,
            "NotFound",
            format!("fault rule {id:?} not found"),
        ))
    }
}

async fn get_log(State(inj): State<Arc<FaultInjector>>) -> Response {
    let mut resp = Body::from(inj.log_jsonl()).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/jsonl"),
    );
    resp
}

async fn clear_log(State(inj): State<Arc<FaultInjector>>) -> Response {
    inj.clear_log();
    axum::Json(json!({ "cleared": true })).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::UserIdentity;

    fn req(verb: &str, resource: &str, ns: &str) -> RequestInfo {
        RequestInfo {
            verb: verb.to_owned(),
            resource: resource.to_owned(),
            namespace: ns.to_owned(),
            is_resource_request: true,
            path: format!("/api/v1/namespaces/{ns}/{resource}"),
            user_agent: "kubectl/v1.32.4 (linux/amd64) kubernetes/abc".to_owned(),
            user: Some(UserIdentity::admin()),
            method: "GET".to_owned(),
            ..RequestInfo::default()
        }
    }

    fn rule(v: Value) -> FaultRule {
        serde_json::from_value(v).expect("rule json")
    }

    #[test]
    fn globs() {
        assert!(glob_matches("kubectl/*", "kubectl/v1.32.4 (linux/amd64)"));
        assert!(!glob_matches("kubectl/*", "Helm/4.0"));
        assert!(glob_matches("*leader*", "kube-leader-election"));
        assert!(glob_matches("a?c", "abc"));
        assert!(!glob_matches("a?c", "abbc"));
        assert!(glob_matches("*", ""));
        assert!(glob_matches("exact", "exact"));
        assert!(!glob_matches("exact", "exactly"));
    }

    #[test]
    fn matching_on_request_fields() {
        let inj = FaultInjector::new(1);
        inj.add_rule(rule(
            json!({"id": "a", "match": {"verbs": ["create"], "resources": ["configmaps"],
            "namespaces": ["t1"], "client": {"user_agent": "kubectl/*", "listener": 0}},
            "action": {"type": "status", "code": 500}}),
        ))
        .expect("add");
        assert!(inj.check(&req("get", "configmaps", "t1")).is_none());
        assert!(inj.check(&req("create", "configmaps", "t2")).is_none());
        assert!(inj.check(&req("create", "secrets", "t1")).is_none());
        let mut other_listener = req("create", "configmaps", "t1");
        other_listener.listener = 1;
        assert!(inj.check(&other_listener).is_none());
        let mut helm = req("create", "configmaps", "t1");
        helm.user_agent = "Helm/4.0".to_owned();
        assert!(inj.check(&helm).is_none());
        match inj.check(&req("create", "configmaps", "t1")) {
            Some(FaultAction::Respond(e)) => {
                assert_eq!(e.code, 500);
                assert_eq!(e.reason, "InternalError");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn client_user_port_and_header() {
        let inj = FaultInjector::new(1);
        inj.add_rule(rule(json!({"match": {"client": {"user": "system:admin", "source_port": 4000, "sim_client": "tiller-1"}},
            "action": {"type": "hang"}})))
            .expect("add");
        let mut r = req("get", "pods", "a");
        assert!(inj.check(&r).is_none());
        r.source_port = 4000;
        assert!(inj.check(&r).is_none());
        r.sim_client = Some("tiller-1".to_owned());
        assert_eq!(inj.check(&r), Some(FaultAction::Hang));
        r.user = Some(UserIdentity {
            name: "bob".to_owned(),
            ..UserIdentity::default()
        });
        assert!(inj.check(&r).is_none());
    }

    #[test]
    fn resources_groups_subresources_and_paths() {
        let mut r = req("update", "deployments", "n");
        r.api_group = "apps".to_owned();
        r.subresource = "status".to_owned();
        // A plain resource also covers its subresources.
        assert!(resource_matches("deployments", &r));
        assert!(resource_matches("deployments/status", &r));
        assert!(resource_matches("deployments.apps", &r));
        assert!(!resource_matches("deployments.extensions", &r));
        assert!(!resource_matches("deployments/scale", &r));
        assert!(resource_matches("*", &r));
        let inj = FaultInjector::new(1);
        inj.add_rule(rule(
            json!({"match": {"path_regex": "^/apis/coordination"}, "action": {"type": "reset"}}),
        ))
        .expect("add");
        let mut lease = req("get", "leases", "kube-system");
        assert!(inj.check(&lease).is_none());
        lease.path = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/x".to_owned();
        assert_eq!(inj.check(&lease), Some(FaultAction::Reset));
        let err = inj
            .add_rule(rule(
                json!({"match": {"path_regex": "("}, "action": {"type": "reset"}}),
            ))
            .expect_err("bad regex");
        assert!(
            err.to_string()
                .starts_with("invalid fault rule: path_regex \"(\""),
            "{err}"
        );
    }

    #[test]
    fn after_n_and_count() {
        let inj = FaultInjector::new(1);
        inj.add_rule(rule(
            json!({"id": "c", "after_n": 2, "count": 2, "action": {"type": "conflict"}}),
        ))
        .expect("add");
        // Reads never see a conflict and do not count.
        assert!(inj.check(&req("get", "configmaps", "n")).is_none());
        let w = req("update", "configmaps", "n");
        let fired: Vec<bool> = (0..6).map(|_| inj.check(&w).is_some()).collect();
        assert_eq!(fired, vec![false, false, true, true, false, false]);
        let rules = inj.rules_json();
        assert_eq!(rules["rules"][0]["fired"], 2);
        assert_eq!(rules["rules"][0]["seen"], 4);
        assert_eq!(rules["rules"][0]["expired"], true);
    }

    #[test]
    fn probability_is_seeded_and_roughly_right() {
        let run = |seed| {
            let inj = FaultInjector::new(seed);
            inj.add_rule(rule(json!({"prob": 0.3, "action": {"type": "write_fail"}})))
                .expect("add");
            let w = req("create", "configmaps", "n");
            (0..1000)
                .map(|_| inj.check(&w).is_some())
                .collect::<Vec<_>>()
        };
        let a = run(7);
        assert_eq!(a, run(7));
        assert_ne!(a, run(8));
        let hits = a.iter().filter(|h| **h).count();
        assert!((230..370).contains(&hits), "hits {hits}");
    }

    #[test]
    fn duration_limits_rule_life() {
        let inj = FaultInjector::new(1);
        inj.add_rule(rule(json!({"duration_s": 0.0, "action": {"type": "hang"}})))
            .expect("add");
        assert!(inj.check(&req("get", "pods", "n")).is_none());
    }

    #[test]
    fn watch_only_and_write_only_actions() {
        let inj = FaultInjector::new(1);
        inj.add_rule(rule(json!({"action": {"type": "watch_expire"}})))
            .expect("add");
        assert!(inj.check(&req("list", "pods", "n")).is_none());
        let mut w = req("watch", "pods", "n");
        w.watch = true;
        assert_eq!(
            inj.check(&w),
            Some(FaultAction::WatchExpire { after_events: 0 })
        );
        let inj = FaultInjector::new(1);
        inj.add_rule(rule(json!({"action": {"type": "write_fail"}})))
            .expect("add");
        assert!(inj.check(&req("list", "pods", "n")).is_none());
        match inj.check(&req("delete", "pods", "n")) {
            Some(FaultAction::Respond(e)) => assert_eq!(e.message, "etcdserver: request timed out"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn rule_validation_and_ids() {
        let inj = FaultInjector::new(1);
        let bad = |v: Value| inj.add_rule_json(&v).expect_err("invalid").to_string();
        assert!(bad(json!({"prob": 2.0, "action": {"type": "hang"}})).contains("prob"));
        assert!(bad(json!({"action": {"type": "status", "code": 200}})).contains("400-599"));
        assert!(bad(json!({"action": {"type": "explode"}})).contains("unknown variant"));
        assert!(
            bad(json!({"action": {"type": "watch_close"}})).contains("after_events or after_s")
        );
        assert!(
            bad(json!({"match": {"verb": ["get"]}, "action": {"type": "hang"}}))
                .contains("unknown field")
        );
        let a = inj
            .add_rule_json(&json!({"action": {"type": "hang"}}))
            .expect("a");
        let b = inj
            .add_rule_json(&json!({"action": {"type": "hang"}}))
            .expect("b");
        assert_ne!(a.id, b.id);
        assert!(inj.remove_rule(&a.id));
        assert!(!inj.remove_rule(&a.id));
        inj.clear();
        assert_eq!(inj.rules_json()["rules"], json!([]));
    }

    #[tokio::test]
    async fn status_429_carries_retry_after() {
        let inj = FaultInjector::new(1);
        inj.add_rule_json(&json!({"action": {"type": "status", "code": 429, "retry_after_s": 3}}))
            .expect("add");
        let r = req("get", "pods", "n");
        let action = inj.check(&r);
        match inj.apply_pre(action.as_ref(), &r).await {
            PreOutcome::Respond(resp) => {
                assert_eq!(resp.status(), 429);
                assert_eq!(resp.headers()["retry-after"], "3");
                let body = axum::body::to_bytes(resp.into_body(), 1 << 20)
                    .await
                    .expect("body");
                let v: Value = serde_json::from_slice(&body).expect("json");
                assert_eq!(v["details"]["retryAfterSeconds"], 3);
                assert_eq!(v["reason"], "TooManyRequests");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[tokio::test]
    async fn delay_then_continue() {
        let inj = FaultInjector::new(1);
        inj.add_rule_json(&json!({"action": {"type": "delay", "ms": 50, "jitter_ms": 10}}))
            .expect("add");
        let r = req("get", "pods", "n");
        let action = inj.check(&r);
        let t = Instant::now();
        assert!(matches!(
            inj.apply_pre(action.as_ref(), &r).await,
            PreOutcome::Continue
        ));
        let took = t.elapsed();
        assert!(
            took >= Duration::from_millis(50) && took < Duration::from_millis(500),
            "{took:?}"
        );
    }

    #[tokio::test]
    async fn hang_never_answers_and_partition_resets() {
        let inj = FaultInjector::new(1);
        let r = req("get", "pods", "n");
        let hung = tokio::time::timeout(
            Duration::from_millis(50),
            inj.apply_pre(Some(&FaultAction::Hang), &r),
        )
        .await;
        assert!(hung.is_err());
        let logged = inj.log_entries();
        assert_eq!(logged.len(), 1);
        assert_eq!(logged[0].code, 0);
        assert_eq!(logged[0].fault.as_deref(), Some("hang"));
        inj.add_rule_json(&json!({"action": {"type": "partition", "client": {"listener": 1}}}))
            .expect("add");
        assert!(!inj.partitioned(&r), "the partition names listener 1");
        assert!(inj.check(&r).is_none());
        inj.clear();
        inj.add_rule_json(&json!({"match": {"client": {"listener": 0}}, "action": {"type": "partition", "reset": true}}))
            .expect("add");
        assert!(inj.partitioned(&r));
        let action = inj.check(&r);
        assert!(matches!(
            inj.apply_pre(action.as_ref(), &r).await,
            PreOutcome::Abort
        ));
    }

    #[tokio::test]
    async fn slow_body_throttles_and_reset_after_headers_breaks_body() {
        let inj = FaultInjector::new(1);
        inj.add_rule_json(&json!({"action": {"type": "slow_body", "bytes_per_s": 1000}}))
            .expect("add");
        let r = req("get", "pods", "n");
        let action = inj.check(&r);
        assert_eq!(action, Some(FaultAction::SlowBody { bytes_per_s: 1000 }));
        assert!(matches!(
            inj.apply_pre(action.as_ref(), &r).await,
            PreOutcome::Continue
        ));
        let resp = inj.apply_post(action.as_ref(), Body::from(vec![b'x'; 300]).into_response());
        let t = Instant::now();
        let body = axum::body::to_bytes(resp.into_body(), 1 << 20)
            .await
            .expect("body");
        assert_eq!(body.len(), 300);
        assert!(
            t.elapsed() >= Duration::from_millis(250),
            "{:?}",
            t.elapsed()
        );

        let resp = inj.apply_post(
            Some(&FaultAction::ResetAfterHeaders),
            (StatusCode::OK, "hello").into_response(),
        );
        assert_eq!(resp.status(), 200);
        assert!(
            axum::body::to_bytes(resp.into_body(), 1 << 20)
                .await
                .is_err()
        );
        let untouched = inj.apply_post(None, (StatusCode::OK, "hello").into_response());
        let body = axum::body::to_bytes(untouched.into_body(), 1 << 20)
            .await
            .expect("body");
        assert_eq!(&body[..], b"hello");
        let inj = FaultInjector::new(1);
        inj.add_rule_json(&json!({"action": {"type": "reset", "after_headers": true}}))
            .expect("add");
        assert_eq!(inj.check(&r), Some(FaultAction::ResetAfterHeaders));
    }

    fn events(n: usize) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
        futures::stream::iter((0..n).map(|i| Ok(Bytes::from(format!("{{\"n\":{i}}}\n")))))
    }

    async fn collect(s: impl Stream<Item = Result<Bytes, std::io::Error>>) -> (Vec<String>, bool) {
        let items: Vec<_> = s.collect().await;
        let broke = items.iter().any(Result::is_err);
        let ok = items
            .into_iter()
            .filter_map(Result::ok)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .collect();
        (ok, broke)
    }

    fn watch_req() -> RequestInfo {
        let mut r = req("watch", "pods", "n");
        r.watch = true;
        r
    }

    #[tokio::test]
    async fn watch_close_after_events() {
        let inj = Arc::new(FaultInjector::new(1));
        let a = FaultAction::WatchClose {
            after_events: Some(2),
            after: None,
            abrupt: false,
        };
        let (lines, broke) = collect(inj.wrap_watch(watch_req(), Some(a), events(5))).await;
        assert_eq!(lines.len(), 2);
        assert!(!broke);
        let a = FaultAction::WatchClose {
            after_events: Some(3),
            after: None,
            abrupt: true,
        };
        let (lines, broke) = collect(inj.wrap_watch(watch_req(), Some(a), events(5))).await;
        assert_eq!(lines.len(), 3);
        assert!(broke);
        let (lines, broke) = collect(inj.wrap_watch(watch_req(), None, events(5))).await;
        assert_eq!(lines.len(), 5);
        assert!(!broke);
    }

    #[tokio::test]
    async fn watch_close_after_time() {
        let inj = Arc::new(FaultInjector::new(1));
        let a = FaultAction::WatchClose {
            after_events: None,
            after: Some(Duration::from_millis(30)),
            abrupt: false,
        };
        let endless = futures::stream::pending::<Result<Bytes, std::io::Error>>();
        let done = tokio::time::timeout(
            Duration::from_secs(2),
            collect(inj.wrap_watch(watch_req(), Some(a), endless)),
        )
        .await;
        assert_eq!(done.expect("closed in time"), (vec![], false));
    }

    #[tokio::test]
    async fn watch_expire_sends_410() {
        let inj = Arc::new(FaultInjector::new(1));
        let (lines, broke) = collect(inj.wrap_watch(
            watch_req(),
            Some(FaultAction::WatchExpire { after_events: 1 }),
            events(5),
        ))
        .await;
        assert!(!broke);
        assert_eq!(lines.len(), 2);
        let ev: Value = serde_json::from_str(lines[1].trim()).expect("json");
        assert_eq!(ev["type"], "ERROR");
        assert_eq!(ev["object"]["code"], 410);
        assert_eq!(ev["object"]["reason"], "Expired");
    }

    #[tokio::test]
    async fn watch_stall_keeps_open() {
        let inj = Arc::new(FaultInjector::new(1));
        let s = inj.wrap_watch(
            watch_req(),
            Some(FaultAction::WatchStall { after_events: 1 }),
            events(5),
        );
        let mut s = Box::pin(s);
        assert!(s.next().await.is_some());
        let more = tokio::time::timeout(Duration::from_millis(100), s.next()).await;
        assert!(more.is_err(), "stalled stream must not yield");
    }

    #[tokio::test]
    async fn partition_cuts_running_watch() {
        let inj = Arc::new(FaultInjector::new(1));
        let endless = futures::stream::pending::<Result<Bytes, std::io::Error>>();
        let s = inj.wrap_watch(watch_req(), None, endless);
        let waiter = tokio::spawn(collect(s));
        tokio::time::sleep(Duration::from_millis(50)).await;
        inj.add_rule_json(&json!({"match": {"client": {"user_agent": "kubectl/*"}}, "action": {"type": "partition"}}))
            .expect("add");
        let (lines, broke) = tokio::time::timeout(Duration::from_secs(2), waiter)
            .await
            .expect("cut in time")
            .expect("join");
        assert!(lines.is_empty());
        assert!(broke);
    }

    #[test]
    fn log_records_jsonl() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("audit.jsonl");
        let inj = FaultInjector::new(1)
            .with_log_file(path.clone())
            .expect("file");
        let mut r = req("get", "pods", "n");
        r.impersonator = Some(UserIdentity {
            name: "tiller".to_owned(),
            ..UserIdentity::default()
        });
        let mut e = LogEntry::for_request(&r);
        e.code = 200;
        e.resource_version = Some("42".to_owned());
        inj.record(e);
        let text = inj.log_jsonl();
        let v: Value = serde_json::from_str(text.lines().next().expect("line")).expect("json");
        assert_eq!(v["user"], "system:admin");
        assert_eq!(v["impersonator"], "tiller");
        assert_eq!(v["verb"], "get");
        assert_eq!(v["resource_version"], "42");
        assert_eq!(std::fs::read_to_string(&path).expect("audit"), text);
        inj.clear_log();
        assert!(inj.log_entries().is_empty());
    }
}
