//! The API family: ten checks of how the product's API behaves when someone outside pokes at it
//! — a health route, logins on private routes, one customer's token on another's data, CORS,
//! what errors give away, rate limits, response time, webhook signatures, admin roles and
//! request ids.
//!
//! Every request goes through [`Http`] (timeouts, byte caps, only the target's hosts). Tokens
//! come from the environment variables the target file names, live only in [`Tokens`], and are
//! scrubbed from every result before it is returned. Requests that could change data are never
//! sent with a real account's token to someone else's object: write routes are tried without a
//! valid login and on an id that cannot exist, or not at all.
//!
//! Active checks (the rate-limit burst, latency samples beyond a handful) run only when the
//! target says `[active] allowed = true`, within `max_requests` and the time budget.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::future::join_all;
use url::Url;

use super::http::{Call, Http, HttpError, MIN_SCRUBBED, Reply, exchange, redact_keys, seconds, token_preview};
use super::{ProbeResult, Status, shorten};
use crate::checklist::Checklist;
use crate::target::{Auth, Route, TargetFile};

/// The check ids this family produces, in report order.
pub const CHECKS: [&str; 10] = [
    "api.health",
    "api.auth_required",
    "api.object_authz",
    "api.cors",
    "api.error_leakage",
    "api.rate_limit",
    "api.latency",
    "api.webhook_signature",
    "api.role_authz",
    "api.request_id",
];

/// Routes of one kind tried at most, so a long list cannot turn a check into a flood.
const MAX_ROUTES: usize = 12;
/// Latency samples per route without and with permission for active probing.
const PASSIVE_SAMPLES: usize = 5;
const PASSIVE_CHAT_SAMPLES: usize = 3;
const ACTIVE_SAMPLES: usize = 30;
const ACTIVE_CHAT_SAMPLES: usize = 15;
/// Requests of a rate-limit burst in flight together.
const BURST_BATCH: usize = 10;
/// Below this many requests, a burst without a 429 proves little.
const CONVINCING_BURST: usize = 20;
/// An id no real object has: write routes are only ever tried on it.
const NO_SUCH_ID: &str = "launchready-probe-no-such-id";
/// Origins the CORS check pretends to be. `.example` never resolves, so nothing reaches them.
const ATTACKER_ORIGIN: &str = "https://attacker.example";
const OVERSIZED_BYTES: usize = 70 * 1024;

/// The test tokens, read from the environment variables the target file names. Never stored,
/// never printed: `Debug` shows only a preview and the length.
#[derive(Clone, Default)]
pub struct Tokens {
    pub a: Option<String>,
    pub b: Option<String>,
    pub low: Option<String>,
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |t: &Option<String>| t.as_deref().map(token_preview);
        f.debug_struct("Tokens")
            .field("a", &show(&self.a))
            .field("b", &show(&self.b))
            .field("low", &show(&self.low))
            .finish()
    }
}

impl Tokens {
    /// Reads the variables `auth` names; an unset or empty variable gives `None`.
    pub fn from_env(auth: &Auth) -> Tokens {
        Tokens::from_lookup(auth, |name| std::env::var(name).ok())
    }

    /// Like [`Tokens::from_env`], with `lookup` in place of the environment.
    pub fn from_lookup(auth: &Auth, lookup: impl Fn(&str) -> Option<String>) -> Tokens {
        let read = |name: &Option<String>| {
            name.as_deref()
                .and_then(&lookup)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        Tokens {
            a: read(&auth.token_a_env),
            b: read(&auth.token_b_env),
            low: read(&auth.token_low_env),
        }
    }

    fn values(&self) -> impl Iterator<Item = &str> {
        [&self.a, &self.b, &self.low].into_iter().flatten().map(String::as_str)
    }
}

/// What the vertical says about speed, and the time budget of one check.
#[derive(Debug, Clone)]
pub struct ApiOptions {
    /// The p95 limit for normal requests (`latency.p95`).
    pub latency_p95_ms: f64,
    /// The relaxed p95 limit for chat requests, where the AI model is the slow part
    /// (`latency.p95_model_bound`); `None`: chat is held to `latency_p95_ms`.
    pub model_bound_ms: Option<f64>,
    /// The longest one check may run; a check still running then is stopped with `error`.
    pub budget: Duration,
}

impl Default for ApiOptions {
    fn default() -> Self {
        ApiOptions {
            latency_p95_ms: 500.0,
            model_bound_ms: None,
            budget: Duration::from_secs(60),
        }
    }
}

impl ApiOptions {
    /// The limits `checklist` sets, with the defaults for what it leaves out.
    pub fn for_checklist(checklist: &Checklist) -> ApiOptions {
        let millis = |id: &str| checklist.threshold(id).and_then(crate::checklist::Threshold::millis);
        ApiOptions {
            latency_p95_ms: millis("latency.p95").unwrap_or(500.0),
            model_bound_ms: millis("latency.p95_model_bound"),
            ..ApiOptions::default()
        }
    }
}

/// Whether the target gives what the check needs (tokens are looked up when it runs).
pub fn is_configured(check: &str, target: &TargetFile) -> bool {
    let t = &target.target;
    let base = t.api_base.is_some() || t.app_url.is_some();
    let auth = &target.auth;
    base && match check {
        "api.health" => t.health_path.is_some(),
        "api.auth_required" => !t.private_routes.is_empty() || !t.admin_routes.is_empty(),
        "api.object_authz" => {
            auth.object_b.is_some()
                && auth.token_a_env.is_some()
                && auth.token_b_env.is_some()
                && t.private_routes.iter().any(|r| is_read(&r.method))
        }
        "api.cors" | "api.request_id" => true,
        "api.error_leakage" => t.chat.is_some(),
        "api.rate_limit" => t.chat.is_some() || t.login.is_some(),
        "api.latency" => {
            t.health_path.is_some() || t.chat.is_some() || t.private_routes.iter().any(|r| is_read(&r.method))
        }
        "api.webhook_signature" => t.webhook.is_some(),
        "api.role_authz" => auth.token_low_env.is_some() && t.admin_routes.iter().any(|r| is_read(&r.method)),
        _ => false,
    }
}

/// Runs one check; `None` for an id this family does not have. A check the target does not
/// configure comes back `skipped` with the reason; one that cannot decide comes back `error`.
pub async fn check(
    id: &str,
    target: &TargetFile,
    tokens: &Tokens,
    http: &Http,
    options: &ApiOptions,
) -> Option<ProbeResult> {
    let id: &'static str = CHECKS.iter().copied().find(|c| *c == id)?;
    let Some(base) = base_of(target) else {
        return Some(skipped(
            id,
            "The target file gives no API or app address, so there is nothing to test.",
            "Add api_base = \"https://api.your-product.example\" under [target].",
        ));
    };
    let run = Run {
        file: target,
        tokens,
        http,
        options,
        base,
        started: Instant::now(),
    };
    let work = async {
        match id {
            "api.health" => health(&run).await,
            "api.auth_required" => auth_required(&run).await,
            "api.object_authz" => object_authz(&run).await,
            "api.cors" => cors(&run).await,
            "api.error_leakage" => error_leakage(&run).await,
            "api.rate_limit" => rate_limit(&run).await,
            "api.latency" => latency(&run).await,
            "api.webhook_signature" => webhook_signature(&run).await,
            "api.role_authz" => role_authz(&run).await,
            _ => request_id(&run).await,
        }
    };
    let result = match tokio::time::timeout(options.budget, Box::pin(work)).await {
        Ok(result) => result,
        Err(_) => ProbeResult::new(
            id,
            Status::Error,
            title(id),
            format!(
                "The check did not finish within its time budget of {} and was stopped; nothing was decided.",
                seconds(options.budget)
            ),
        )
        .fix("Check that the API answers promptly, or raise the timeout with --timeout, then run the check again."),
    };
    Some(scrub(result, tokens))
}

/// Runs every check of the family concurrently (the shared [`Http`] keeps to its per-host
/// limit), in [`CHECKS`] order.
pub async fn check_all(target: &TargetFile, tokens: &Tokens, http: &Http, options: &ApiOptions) -> Vec<ProbeResult> {
    join_all(CHECKS.iter().map(|id| check(id, target, tokens, http, options)))
        .await
        .into_iter()
        .flatten()
        .collect()
}

fn title(id: &str) -> &'static str {
    match id {
        "api.health" => "Health endpoint",
        "api.auth_required" => "Private routes need a login",
        "api.object_authz" => "Customers cannot open each other's data",
        "api.cors" => "Browser access rules (CORS)",
        "api.error_leakage" => "Error messages hide internals",
        "api.rate_limit" => "Rate limits",
        "api.latency" => "Response time (p95)",
        "api.webhook_signature" => "Webhook signatures",
        "api.role_authz" => "Admin routes need an admin",
        _ => "Request ids for tracing",
    }
}

fn skipped(id: &str, summary: &str, fix: &str) -> ProbeResult {
    ProbeResult::new(id, Status::Skipped, title(id), summary).fix(fix)
}

/// Replaces every token value left anywhere in `result` with its preview. The checks never put
/// a token in a result; this is the guarantee for what a server echoes back.
///
/// Tokens of at least [`MIN_SCRUBBED`] (4) characters are replaced. Shorter ones are left: they
/// would replace ordinary words and pieces of words all over the evidence ("ab" in "about"), and a
/// 3-character "token" is a test value, not a secret.
fn scrub(mut result: ProbeResult, tokens: &Tokens) -> ProbeResult {
    for token in tokens.values().filter(|t| t.len() >= MIN_SCRUBBED) {
        let preview = token_preview(token);
        let clean = |text: &mut String| {
            if text.contains(token) {
                *text = text.replace(token, &preview);
            }
        };
        clean(&mut result.title);
        clean(&mut result.summary);
        for evidence in &mut result.evidence {
            clean(&mut evidence.label);
            clean(&mut evidence.value);
        }
        if let Some(fix) = &mut result.fix {
            clean(fix);
        }
    }
    result
}

/// Where routes are sent: `api_base`, else `app_url`, without a trailing slash.
fn base_of(target: &TargetFile) -> Option<String> {
    let t = &target.target;
    let base = t.api_base.as_deref().or(t.app_url.as_deref())?;
    Url::parse(base).ok()?;
    Some(base.trim_end_matches('/').to_string())
}

/// What one check run needs.
struct Run<'a> {
    file: &'a TargetFile,
    tokens: &'a Tokens,
    http: &'a Http,
    options: &'a ApiOptions,
    base: String,
    started: Instant,
}

/// One request sent, with what it was for and what came back.
struct Sent {
    label: String,
    call: Call,
    outcome: Result<Reply, HttpError>,
}

impl Sent {
    fn line(&self, headers: &[&str]) -> String {
        exchange(&self.call, &self.outcome, headers)
    }

    fn reply(&self) -> Option<&Reply> {
        self.outcome.as_ref().ok()
    }
}

impl Run<'_> {
    /// The address of `path` (which may carry a query) under the base.
    fn url(&self, path: &str) -> Option<Url> {
        Url::parse(&format!("{}{path}", self.base)).ok()
    }

    async fn send(&self, label: impl Into<String>, call: Call) -> Sent {
        let outcome = self.fetch(&call).await;
        Sent {
            label: label.into(),
            call,
            outcome,
        }
    }

    /// Sends `call`, with every test token (not only the one sent) replaced in the answer's body
    /// and headers before anything of it is cut into evidence: a token cut at the edge of an
    /// excerpt could no longer be found and replaced by [`scrub`].
    async fn fetch(&self, call: &Call) -> Result<Reply, HttpError> {
        let mut outcome = self.http.send(call).await;
        if let Ok(reply) = &mut outcome {
            let tokens: Vec<&str> = self.tokens.values().collect();
            super::http::scrub_reply(reply, &tokens);
        }
        outcome
    }

    /// The chat body with `prompt` in place of `{{prompt}}`, escaped for JSON.
    fn chat_body(&self, prompt: &str) -> String {
        let escaped = serde_json::to_string(prompt).unwrap_or_default();
        let escaped = escaped.get(1..escaped.len().saturating_sub(1)).unwrap_or_default();
        match &self.file.target.chat {
            Some(chat) => chat.body.replace("{{prompt}}", escaped),
            None => format!("{{\"message\": \"{escaped}\"}}"),
        }
    }

    /// The body a route is tried with: the chat body for the chat route, else an empty object.
    fn body_for(&self, route: &Route) -> String {
        match &self.file.target.chat {
            Some(chat) if chat.path == route.path && chat.method.eq_ignore_ascii_case(&route.method) => {
                self.chat_body("Hello")
            }
            _ => "{}".to_string(),
        }
    }

    /// A call of `route` to `url`, with the route's body when its method takes one.
    fn route_call(&self, route: &Route, url: Url) -> Call {
        let call = Call::new(&route.method, url);
        if takes_body(&route.method) {
            call.json(self.body_for(route))
        } else {
            call
        }
    }

    /// The chat route as a call, or `None` when the target has none.
    fn chat_call(&self, prompt: &str) -> Option<Call> {
        let chat = self.file.target.chat.as_ref()?;
        let url = self.url(&chat.path)?;
        Some(Call::new(&chat.method, url).json(self.chat_body(prompt)))
    }

    fn active(&self) -> bool {
        self.file.active.allowed
    }

    fn max_requests(&self) -> usize {
        usize::try_from(self.file.active.max_requests).unwrap_or(usize::MAX)
    }

    /// When an open-ended loop (burst, sampling) must stop: most of the budget, leaving time to
    /// report.
    fn deadline(&self) -> Instant {
        self.started + self.options.budget.mul_f64(0.75)
    }
}

/// The token the check needs: `Err` is the result to return when the target does not name
/// its variable (skipped) or the variable is not set (error).
fn need_token<'t>(
    id: &str,
    env: Option<&'t str>,
    value: Option<&'t str>,
    whose: &str,
) -> Result<&'t str, Box<ProbeResult>> {
    let key = match whose {
        "account A" => "token_a_env",
        "account B" => "token_b_env",
        _ => "token_low_env",
    };
    let Some(env) = env else {
        return Err(Box::new(skipped(
            id,
            &format!("The target file names no test token for {whose}, so this was not tried."),
            &format!(
                "Create a test user for {whose}, put its token in an environment variable and name the variable under [auth] ({key} = \"LAUNCHREADY_TOKEN\")."
            ),
        )));
    };
    value.ok_or_else(|| {
        Box::new(
            ProbeResult::new(
                id,
                Status::Error,
                title(id),
                format!(
                    "The environment variable {env} (the token for {whose}) is not set, so this could not be tested."
                ),
            )
            .fix(format!(
                "Set {env} to a valid token for {whose} in the shell that runs launchready, then run the check again."
            )),
        )
    })
}

fn is_read(method: &str) -> bool {
    method.eq_ignore_ascii_case("GET") || method.eq_ignore_ascii_case("HEAD")
}

fn takes_body(method: &str) -> bool {
    ["POST", "PUT", "PATCH"].iter().any(|m| method.eq_ignore_ascii_case(m))
}

/// `route.path` with `{id}` replaced by `id` (percent-encoded); `None` when another placeholder
/// is left, since the probe cannot guess its value.
fn fill(path: &str, id: &str) -> Option<String> {
    let filled = path.replace("{id}", &encode(id));
    (!(filled.contains('{') && filled.contains('}'))).then_some(filled)
}

/// Percent-encodes everything but unreserved characters, for a path segment or query value.
fn encode(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn route_name(route: &Route) -> String {
    format!("{} {}", route.method.to_ascii_uppercase(), route.path)
}

/// How a request that should have been refused was answered.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Judged {
    /// 401, 403 or another 4xx (but 404, 405 and 429): refused.
    Refused,
    /// 404 or 405: the route may simply not exist at that path (a mistyped route answers 404 to
    /// everyone), so this is no refusal by itself; only a control request that does get past
    /// the routing (see [`resolve_missing`]) turns it into one.
    Missing(u16),
    /// 2xx: served; `data` when the body carries more than an empty or error object.
    Open { data: bool },
    /// 5xx: not served, but not refused cleanly either.
    Crashed,
    /// The answer says nothing about the route (timeout, redirect, 429…), in words.
    Unclear(String),
}

fn judge_private(outcome: &Result<Reply, HttpError>) -> Judged {
    match outcome {
        Err(e) => Judged::Unclear(e.to_string()),
        Ok(r) if r.is_success() => Judged::Open { data: carries_data(r) },
        Ok(r) if r.status == 429 => {
            Judged::Unclear("it answered 429 (too many requests) before reaching the route".into())
        }
        Ok(r) if r.status == 404 || r.status == 405 => Judged::Missing(r.status),
        Ok(r) if (400..500).contains(&r.status) => Judged::Refused,
        Ok(r) if r.is_redirect() => {
            if redirects_to_login(r) {
                Judged::Refused
            } else {
                Judged::Unclear(format!("it answered {} and redirected to {}", r.status, location(r)))
            }
        }
        Ok(r) if r.status >= 500 => Judged::Crashed,
        Ok(r) => Judged::Unclear(format!("it answered {}", r.status)),
    }
}

/// Why a 404 or 405 says nothing about a route's protection, in words.
const NOT_FOUND: &str = "the route was not found: check the path in the target file";

fn missing_words(status: u16) -> String {
    let what = if status == 405 {
        "405 (method not allowed)"
    } else {
        "404 (not found)"
    };
    format!("it answered {what}; {NOT_FOUND}")
}

/// A 404 or 405 judged with the help of a control request to the same route (a real token):
/// when the control got past the routing (an answer other than 404/405), the route exists and
/// the 404/405 was a refusal; without a control, or when it got 404/405 or no answer too,
/// nothing is known.
fn resolve_missing(judged: Judged, control: Option<&Result<Reply, HttpError>>) -> Judged {
    match judged {
        Judged::Missing(status) => match control {
            Some(Ok(r)) if r.status != 404 && r.status != 405 => Judged::Refused,
            _ => Judged::Unclear(missing_words(status)),
        },
        other => other,
    }
}

/// The Location header, redacted whole before it is cut.
fn location(r: &Reply) -> String {
    r.header("location").map_or_else(
        || "nowhere (no Location header)".to_string(),
        |l| shorten(&redact_keys(l), 80),
    )
}

/// A redirect to a sign-in page is how web apps refuse an anonymous request.
fn redirects_to_login(r: &Reply) -> bool {
    r.header("location").is_some_and(|l| {
        let l = l.to_ascii_lowercase();
        ["login", "signin", "sign-in", "sign_in", "auth"]
            .iter()
            .any(|w| l.contains(w))
    })
}

/// Whether a 2xx body carries data, rather than nothing or only an error or status message.
fn carries_data(r: &Reply) -> bool {
    let text = r.text();
    let t = text.trim();
    if t.is_empty() || ["{}", "[]", "null", "\"\"", "true", "false", "ok", "OK"].contains(&t) {
        return false;
    }
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(t) {
        const QUIET: [&str; 8] = [
            "error", "errors", "message", "status", "code", "detail", "ok", "success",
        ];
        return !map.keys().all(|k| QUIET.contains(&k.as_str()));
    }
    true
}

/// Unix seconds now.
fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// `n` unpredictable bytes (for fake signatures): no crate needed for something this small.
fn random_bytes(n: usize) -> Vec<u8> {
    use sha2::Digest;
    use std::hash::BuildHasher;
    let mut out = Vec::with_capacity(n);
    let seed = std::collections::hash_map::RandomState::new().hash_one(SystemTime::now());
    let mut counter = 0_u64;
    while out.len() < n {
        let block = sha2::Sha256::new()
            .chain_update(seed.to_le_bytes())
            .chain_update(counter.to_le_bytes())
            .finalize();
        out.extend_from_slice(&block);
        counter += 1;
    }
    out.truncate(n);
    out
}

fn b64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A JWT that looks real but expired an hour ago, signed HS256 with a random signature.
fn expired_jwt(now: u64) -> String {
    let header = b64url(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = format!(
        r#"{{"sub":"launchready-probe","iat":{},"exp":{}}}"#,
        now.saturating_sub(7_200),
        now.saturating_sub(3_600)
    );
    format!("{header}.{}.{}", b64url(payload.as_bytes()), b64url(&random_bytes(32)))
}

/// An unsigned JWT (`alg: none`) claiming an admin role, valid for another hour.
fn unsigned_jwt(now: u64) -> String {
    let header = b64url(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = format!(
        r#"{{"sub":"launchready-probe","role":"admin","iat":{now},"exp":{}}}"#,
        now + 3_600
    );
    format!("{header}.{}.", b64url(payload.as_bytes()))
}

/// A Stripe-style signature header with a fresh timestamp and a made-up signature.
fn wrong_stripe_signature(now: u64) -> String {
    format!("t={now},v1={}", super::http::hex(&random_bytes(32)))
}

// --- api.health ---------------------------------------------------------------------------

async fn health(run: &Run<'_>) -> ProbeResult {
    const ID: &str = "api.health";
    let Some(path) = run.file.target.health_path.as_deref() else {
        return skipped(
            ID,
            "The target file names no health address, so it was not tried.",
            "Add health_path = \"/health\" under [target] (and a route that answers it, if you have none).",
        );
    };
    let Some(url) = run.url(path) else {
        return ProbeResult::new(
            ID,
            Status::Error,
            title(ID),
            format!("{path} does not make a valid address."),
        );
    };
    let sent = run.send("health", Call::get(url)).await;
    let line = sent.line(&["content-type", "location"]);
    let limit = run.options.latency_p95_ms;
    let (status, summary, fix): (Status, String, Option<String>) = match &sent.outcome {
        Err(e) => (
            Status::Error,
            format!("Your health address {path} did not answer: {e}."),
            Some("Check that the API is running and reachable at the address in the target file, then run the check again.".into()),
        ),
        Ok(r) if r.is_success() && r.truncated => (
            Status::Warn,
            format!("Your health address {path} answers, but its answer never ends; uptime monitors may hang on it."),
            Some("Make the health route return a short, complete answer such as {\"status\":\"ok\"}.".into()),
        ),
        Ok(r) if r.is_success() && millis(r.elapsed) > limit => (
            Status::Warn,
            format!(
                "Your health address {path} answers, but slowly ({:.0} ms; aim for under {limit:.0} ms), so monitors may report you down.",
                millis(r.elapsed)
            ),
            Some("Make the health route answer without waiting on the database or the AI model; check those in a separate, deeper check.".into()),
        ),
        Ok(r) if r.is_success() => (
            Status::Pass,
            format!("Your health address {path} answers in {:.0} ms without a login.", millis(r.elapsed)),
            None,
        ),
        Ok(r) if r.status == 401 || r.status == 403 => (
            Status::Fail,
            format!("Your health address {path} asks for a login, so an uptime monitor cannot use it."),
            Some(format!("Let GET {path} answer without a token; keep its answer free of private details.")),
        ),
        Ok(r) if r.status == 404 => (
            Status::Fail,
            format!("There is no health address at {path}: it answered 404 (not found)."),
            Some(format!(
                "Add a route GET {path} that answers 200 {{\"status\":\"ok\"}} quickly, without a login and without calling the AI model."
            )),
        ),
        Ok(r) if r.is_redirect() => (
            Status::Error,
            format!(
                "Your health address {path} redirects to {} instead of answering; redirects are not followed, so nothing was decided.",
                location(r)
            ),
            Some("Put the final address in the target file (api_base and health_path), or make the health route answer directly.".into()),
        ),
        Ok(r) if r.status == 429 => (
            Status::Error,
            format!("Your health address {path} answered 429 (too many requests), so nothing was decided."),
            Some("Exempt the health route from rate limits, or run the check again later.".into()),
        ),
        Ok(r) => (
            Status::Fail,
            format!("Your health address {path} answered {} instead of 200, so monitors will see you as down.", r.status),
            Some(format!("Find out why GET {path} fails (the evidence shows its answer) and make it answer 200 when the service is up.")),
        ),
    };
    let result = ProbeResult::new(ID, status, title(ID), summary).evidence(sent.label, line);
    match fix {
        Some(fix) => result.fix(fix),
        None => result,
    }
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

// --- api.auth_required ----------------------------------------------------------------------

const AUTH_VARIANTS: [&str; 4] = [
    "no token",
    "malformed token",
    "expired token",
    "unsigned token (alg: none)",
];

async fn auth_required(run: &Run<'_>) -> ProbeResult {
    const ID: &str = "api.auth_required";
    let t = &run.file.target;
    let mut routes: Vec<&Route> = Vec::new();
    for route in t.private_routes.iter().chain(&t.admin_routes) {
        if !routes
            .iter()
            .any(|r| r.path == route.path && r.method.eq_ignore_ascii_case(&route.method))
        {
            routes.push(route);
        }
    }
    if routes.is_empty() {
        return skipped(
            ID,
            "The target file lists no private routes, so none were tried.",
            "List the routes that must need a login under [[target.private_routes]] (method and path, with {id} where an object id goes).",
        );
    }
    let now = unix_now();
    let headers = [
        None,
        Some("Bearer not-a-valid-token".to_string()),
        Some(format!("Bearer {}", expired_jwt(now))),
        Some(format!("Bearer {}", unsigned_jwt(now))),
    ];
    let mut notes = Vec::new();
    let mut calls = Vec::new();
    for route in routes.iter().take(MAX_ROUTES) {
        // Write routes get an id that cannot exist, so an unprotected route changes nothing real.
        let id = if is_read(&route.method) {
            run.file.auth.object_b.as_deref().unwrap_or("1")
        } else {
            NO_SUCH_ID
        };
        let Some(url) = fill(&route.path, id).and_then(|p| run.url(&p)) else {
            notes.push(format!(
                "{}: not tried (a placeholder other than {{id}})",
                route_name(route)
            ));
            continue;
        };
        for (label, header) in AUTH_VARIANTS.iter().zip(&headers) {
            let mut call = run.route_call(route, url.clone());
            if let Some(value) = header {
                call = call.header("Authorization", value.clone());
            }
            calls.push((*route, *label, call));
        }
    }
    if routes.len() > MAX_ROUTES {
        notes.push(format!(
            "only the first {MAX_ROUTES} of {} routes were tried",
            routes.len()
        ));
    }
    let sent = join_all(
        calls
            .into_iter()
            .map(|(route, label, call)| async move { (route, run.send(label, call).await) }),
    )
    .await;
    // A 404/405 is no refusal by itself (a mistyped path answers 404 to everyone): ask the route
    // once more with a real token to learn whether it exists. Read routes only, since a write
    // with a real token could change data; on B's object the owner's token, which a well-built
    // API serves, else account A's.
    let mut control_for: Vec<(&Route, &'static str, Call)> = Vec::new();
    for (route, s) in &sent {
        if !matches!(judge_private(&s.outcome), Judged::Missing(_))
            || !is_read(&route.method)
            || control_for.iter().any(|(r, _, _)| std::ptr::eq(*r, *route))
        {
            continue;
        }
        let owner = (route.path.contains("{id}") && run.file.auth.object_b.is_some())
            .then_some(run.tokens.b.as_deref())
            .flatten()
            .map(|t| ("account B, own object (for comparison)", t));
        let Some((label, token)) = owner.or_else(|| run.tokens.a.as_deref().map(|t| ("account A (for comparison)", t)))
        else {
            continue;
        };
        control_for.push((
            *route,
            label,
            Call::new(&route.method, s.call.url.clone()).bearer(token),
        ));
    }
    let controls: Vec<(&Route, Sent)> = join_all(
        control_for
            .into_iter()
            .map(|(route, label, call)| async move { (route, run.send(label, call).await) }),
    )
    .await;
    let control_of = |route: &Route| {
        controls
            .iter()
            .find(|(r, _)| std::ptr::eq(*r, route))
            .map(|(_, s)| &s.outcome)
    };
    let judged: Vec<(&Route, &Sent, Judged)> = sent
        .iter()
        .map(|(r, s)| (*r, s, resolve_missing(judge_private(&s.outcome), control_of(r))))
        .collect();
    let not_found = judged
        .iter()
        .filter(|(r, s, j)| {
            matches!(j, Judged::Unclear(_))
                && matches!(judge_private(&s.outcome), Judged::Missing(_))
                && control_of(r).is_none_or(|c| matches!(judge_private(c), Judged::Missing(_)))
        })
        .count();

    let open: Vec<&(&Route, &Sent, Judged)> = judged
        .iter()
        .filter(|(_, _, j)| matches!(j, Judged::Open { .. }))
        .collect();
    let unclear = judged.iter().find_map(|(r, s, j)| match j {
        Judged::Unclear(why) => Some((*r, s, why)),
        _ => None,
    });
    let crashed = judged.iter().filter(|(_, _, j)| *j == Judged::Crashed).count();
    let total = judged.len();

    let tried = {
        let mut names: Vec<String> = judged.iter().map(|(r, _, _)| route_name(r)).collect();
        names.dedup();
        names.len()
    };
    let (status, summary, fix) = if let Some((route, first, data)) = open
        .iter()
        .min_by_key(|(_, s, _)| AUTH_VARIANTS.iter().position(|v| *v == s.label))
        .map(|(r, s, j)| (*r, *s, matches!(j, Judged::Open { data: true })))
    {
        let how = match first.label.as_str() {
            "no token" => "without logging in",
            "malformed token" => "with a made-up token",
            "expired token" => "with an expired token",
            _ => "with a forged, unsigned token",
        };
        let what = if data {
            "read private data"
        } else {
            "use a private route"
        };
        let status_code = first.reply().map_or(0, |r| r.status);
        let mut fixes = vec![format!(
            "Check the login on the server for every private route, starting with {}.",
            route_name(route)
        )];
        let open_kinds: Vec<&str> = open.iter().map(|(_, s, _)| s.label.as_str()).collect();
        if open_kinds.contains(&"no token") || open_kinds.contains(&"malformed token") {
            fixes.push(
                "Answer 401 when the Authorization header is missing or does not hold a token you issued.".into(),
            );
        }
        if open_kinds.contains(&"expired token") {
            fixes.push("Reject tokens whose expiry time (exp) has passed.".into());
        }
        if open_kinds.contains(&"unsigned token (alg: none)") || open_kinds.contains(&"expired token") {
            fixes.push("Verify every token's signature with your key and a fixed algorithm (e.g. HS256 or RS256); never accept alg \"none\".".into());
        }
        (
            Status::Fail,
            format!(
                "Anyone can {what} {how}: {} answered {status_code}{} ({} of {total} requests that should have been refused were served).",
                route_name(route),
                if data { " with data" } else { "" },
                open.len()
            ),
            Some(fixes.join(" ")),
        )
    } else if not_found > 0 && not_found == total {
        (
            Status::Error,
            format!(
                "Nothing was tested: every request to your private routes answered 404 or 405 — {NOT_FOUND} ({}).",
                judged
                    .iter()
                    .map(|(r, _, _)| route_name(r))
                    .fold(Vec::<String>::new(), |mut all, name| {
                        if !all.contains(&name) {
                            all.push(name);
                        }
                        all
                    })
                    .join(", ")
            ),
            Some("Copy the method and path of each private route from your API's code (or its docs) into the target file, then run the check again.".into()),
        )
    } else if let Some((route, first, why)) = unclear {
        (
            Status::Error,
            format!(
                "Could not tell whether your private routes are protected: {} with {} — {why}.",
                route_name(route),
                first.label
            ),
            Some(
                "Check that the routes in the target file are the real ones and reachable, then run the check again."
                    .into(),
            ),
        )
    } else if crashed > 0 {
        (
            Status::Warn,
            format!(
                "Your private routes did not serve anyone without a valid login, but {crashed} of {total} requests crashed (5xx) instead of being refused."
            ),
            Some("Answer 401 for a missing, malformed or expired token instead of failing with a server error.".into()),
        )
    } else {
        (
            Status::Pass,
            format!(
                "Your private routes ({}) refused requests with no token, a made-up token, an expired token and a forged unsigned token.",
                plural(tried, "route", "routes")
            ),
            None,
        )
    };
    let mut result = ProbeResult::new(ID, status, title(ID), summary);
    for (_, sent) in &sent {
        result = result.evidence(sent.label.clone(), sent.line(&["www-authenticate", "location"]));
    }
    for (_, control) in &controls {
        result = result.evidence(control.label.clone(), control.line(&["location"]));
    }
    for note in notes {
        result = result.evidence("note", note);
    }
    match fix {
        Some(fix) => result.fix(fix),
        None => result,
    }
}

// --- api.object_authz ---------------------------------------------------------------------

/// One way of naming B's object on a route, with B's control request and A's attempt.
struct Attempt<'r> {
    route: &'r Route,
    /// The id in the query string rather than the path: only judged when B's answer shows the
    /// route reads that parameter (it contains the id).
    query: bool,
    control: Sent,
    with_a: Option<Sent>,
}

async fn object_authz(run: &Run<'_>) -> ProbeResult {
    const ID: &str = "api.object_authz";
    let auth = &run.file.auth;
    let Some(object) = auth.object_b.as_deref() else {
        return skipped(
            ID,
            "The target file names no object of account B, so one customer's access to another's data was not tried.",
            "Create two test accounts, note the id of something account B owns, and set object_b, token_a_env and token_b_env under [auth].",
        );
    };
    let a = match need_token(ID, auth.token_a_env.as_deref(), run.tokens.a.as_deref(), "account A") {
        Ok(token) => token,
        Err(result) => return *result,
    };
    let b = match need_token(ID, auth.token_b_env.as_deref(), run.tokens.b.as_deref(), "account B") {
        Ok(token) => token,
        Err(result) => return *result,
    };
    let routes: Vec<&Route> = run
        .file
        .target
        .private_routes
        .iter()
        .filter(|r| is_read(&r.method))
        .take(MAX_ROUTES)
        .collect();
    if routes.is_empty() {
        return skipped(
            ID,
            "The target file lists no private GET route, so reading another customer's data was not tried (write routes are never tried: they could change real data).",
            "List a route that reads one object, e.g. [[target.private_routes]] method = \"GET\" path = \"/api/conversations/{id}\".",
        );
    }
    let id = encode(object);
    let mut ways: Vec<(&Route, bool, Url)> = Vec::new();
    for route in &routes {
        if route.path.contains("{id}") {
            if let Some(url) = fill(&route.path, object).and_then(|p| run.url(&p)) {
                ways.push((route, false, url));
            }
            if let Some(parent) = route
                .path
                .strip_suffix("/{id}")
                .filter(|p| !p.is_empty() && !p.contains('{'))
                && let Some(url) = run.url(&format!("{parent}?id={id}"))
            {
                ways.push((route, true, url));
            }
        } else if !route.path.contains('{') {
            let joiner = if route.path.contains('?') { '&' } else { '?' };
            if let Some(url) = run.url(&format!("{}{joiner}id={id}", route.path)) {
                ways.push((route, true, url));
            }
        }
    }
    let attempts: Vec<Attempt> = join_all(ways.into_iter().map(|(route, query, url)| async move {
        let call = Call::new(&route.method, url);
        let control = run.send("account B, own object", call.clone().bearer(b)).await;
        let usable = control
            .reply()
            .is_some_and(|r| r.is_success() && (!query || r.text().contains(object)));
        let with_a = if usable {
            Some(run.send("account A, B's object", call.bearer(a)).await)
        } else {
            None
        };
        Attempt {
            route,
            query,
            control,
            with_a,
        }
    }))
    .await;

    let judge = |attempt: &Attempt| -> Option<Judged> {
        let sent = attempt.with_a.as_ref()?;
        Some(match (&sent.outcome, attempt.query) {
            (Ok(r), true) if r.is_success() => {
                if r.text().contains(object) {
                    Judged::Open { data: true }
                } else {
                    Judged::Refused
                }
            }
            (Ok(r), false) if r.is_success() => Judged::Open {
                data: carries_data(r) || r.text().contains(object),
            },
            // B's own request was served, so the route exists: a 404 to A is a refusal.
            (outcome, _) => resolve_missing(judge_private(outcome), Some(&attempt.control.outcome)),
        })
    };
    let judged: Vec<(&Attempt, Judged)> = attempts.iter().filter_map(|at| judge(at).map(|j| (at, j))).collect();
    let open = judged.iter().find(|(_, j)| matches!(j, Judged::Open { .. }));
    let unclear = judged
        .iter()
        .find_map(|(at, j)| match j {
            Judged::Unclear(why) => Some((at.route, why.clone())),
            _ => None,
        })
        .or_else(|| {
            attempts.iter().find_map(|at| match &at.control.outcome {
                Err(e) if !at.query => Some((at.route, format!("account B's own request failed: {e}"))),
                _ => None,
            })
        });
    let crashed = judged.iter().filter(|(_, j)| *j == Judged::Crashed).count();

    let (status, summary, fix) = if let Some((attempt, _)) = open {
        let how = if attempt.query {
            "the id in the query string"
        } else {
            "the id in the address"
        };
        (
            Status::Fail,
            format!(
                "One customer can read another customer's data: account A's token opened account B's {object} through {} ({how}).",
                route_name(attempt.route)
            ),
            Some(format!(
                "On every route that loads an object by id, check on the server that the object belongs to the logged-in account, and answer 404 (or 403) when it does not; start with {}.",
                route_name(attempt.route)
            )),
        )
    } else if let Some((route, why)) = unclear {
        (
            Status::Error,
            format!("Could not tell whether account A can open account B's {object} on {}: {why}.", route_name(route)),
            Some("Check that the API is reachable and the routes in the target file are right, then run the check again.".into()),
        )
    } else if judged.is_empty() {
        let why = attempts.iter().find(|at| !at.query).or(attempts.first()).map_or_else(
            || "no route could be addressed".to_string(),
            |at| match &at.control.outcome {
                Ok(r) => format!(
                    "{} answered {} to account B's own token",
                    route_name(at.route),
                    r.status
                ),
                Err(e) => format!("{}: {e}", route_name(at.route)),
            },
        );
        (
            Status::Error,
            format!("The test could not run: account B could not open its own {object} ({why}), so the setup in the target file needs fixing."),
            Some("Check that object_b is an id account B owns, that token_b_env holds a valid token for account B, and that the route paths are right.".into()),
        )
    } else if crashed > 0 {
        (
            Status::Warn,
            format!("Account A could not open account B's {object}, but {crashed} request(s) crashed (5xx) instead of being refused."),
            Some("Answer 404 (or 403) when an object belongs to another account, instead of failing with a server error.".into()),
        )
    } else {
        (
            Status::Pass,
            format!(
                "Account A's token was refused on account B's {object} ({}).",
                plural(judged.len(), "way of asking tested", "ways of asking tested")
            ),
            None,
        )
    };
    let mut result = ProbeResult::new(ID, status, title(ID), summary);
    for attempt in &attempts {
        let shown = |s: &Sent| s.line(&["location"]);
        if attempt.query && attempt.with_a.is_none() {
            result = result.evidence(
                "not offered",
                format!(
                    "{} (the route does not read ?id= for account B either)",
                    shown(&attempt.control)
                ),
            );
            continue;
        }
        result = result.evidence(attempt.control.label.clone(), shown(&attempt.control));
        if let Some(sent) = &attempt.with_a {
            result = result.evidence(sent.label.clone(), shown(sent));
        }
    }
    match fix {
        Some(fix) => result.fix(fix),
        None => result,
    }
}

// --- api.cors -----------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cors {
    /// The origin is not let in (or only the allowed one is).
    Closed,
    /// The sent origin is echoed back; `credentials` when logged-in requests may read answers.
    Reflected { credentials: bool },
    /// `*` together with `Access-Control-Allow-Credentials: true`.
    WildcardWithCredentials,
}

fn judge_cors(origin: &str, r: &Reply) -> Cors {
    let credentials = r
        .header("access-control-allow-credentials")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    match r.header("access-control-allow-origin") {
        Some("*") if credentials => Cors::WildcardWithCredentials,
        Some(allowed) if allowed.eq_ignore_ascii_case(origin) => Cors::Reflected { credentials },
        _ => Cors::Closed,
    }
}

/// The origins tried: label and value. The allowed origin is the first listed, else the app's.
fn cors_origins(run: &Run<'_>) -> (Vec<(&'static str, String)>, Option<String>) {
    let t = &run.file.target;
    let allowed = t.allowed_origins.first().cloned().or_else(|| {
        t.app_url
            .as_deref()
            .and_then(|u| Url::parse(u).ok())
            .map(|u| u.origin().ascii_serialization())
            .filter(|o| o != "null")
    });
    let mut origins = vec![
        ("a random website", ATTACKER_ORIGIN.to_string()),
        ("the \"null\" origin", "null".to_string()),
    ];
    if let Some(allowed) = &allowed
        && let Ok(url) = Url::parse(allowed)
        && let Some(host) = url.host_str()
    {
        let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
        origins.push((
            "a look-alike of your address with a suffix",
            format!("{allowed}.attacker.example"),
        ));
        origins.push((
            "a look-alike of your address with a prefix",
            format!("{}://attacker-{host}{port}", url.scheme()),
        ));
    }
    (origins, allowed)
}

/// The path CORS is tried on: an API route a browser would call, with the method a browser
/// would ask a pre-flight for, and whether it is only the fallback (the health route or `/`,
/// when the target file names no API route) — CORS rules are often set on the API routes only,
/// so a clean answer there proves little.
fn cors_path(run: &Run<'_>) -> (String, String, bool) {
    let t = &run.file.target;
    if let Some(route) = t.private_routes.iter().find(|r| is_read(&r.method))
        && let Some(path) = fill(&route.path, run.file.auth.object_b.as_deref().unwrap_or("1"))
    {
        return (path, "GET".into(), false);
    }
    if let Some(chat) = &t.chat {
        return (chat.path.clone(), chat.method.to_ascii_uppercase(), false);
    }
    if let Some(route) = t.private_routes.iter().find_map(|r| fill(&r.path, NO_SUCH_ID)) {
        return (route, "GET".into(), false);
    }
    (t.health_path.clone().unwrap_or_else(|| "/".into()), "GET".into(), true)
}

async fn cors(run: &Run<'_>) -> ProbeResult {
    const ID: &str = "api.cors";
    let (path, method, fallback) = cors_path(run);
    let Some(url) = run.url(&path) else {
        return ProbeResult::new(
            ID,
            Status::Error,
            title(ID),
            format!("{path} does not make a valid address."),
        );
    };
    let (origins, allowed) = cors_origins(run);
    let mut calls: Vec<(String, String, Call)> = origins
        .iter()
        .map(|(label, origin)| {
            (
                (*label).to_string(),
                origin.clone(),
                Call::get(url.clone()).header("Origin", origin.clone()),
            )
        })
        .collect();
    calls.push((
        "a pre-flight from a random website".into(),
        ATTACKER_ORIGIN.into(),
        Call::new("OPTIONS", url.clone())
            .header("Origin", ATTACKER_ORIGIN)
            .header("Access-Control-Request-Method", method)
            .header("Access-Control-Request-Headers", "authorization, content-type"),
    ));
    let control = allowed
        .clone()
        .map(|origin| Call::get(url.clone()).header("Origin", origin));
    let (sent, control) = tokio::join!(
        join_all(
            calls
                .into_iter()
                .map(|(label, origin, call)| async move { (origin, run.send(label, call).await) })
        ),
        async {
            match control {
                Some(call) => Some(run.send("your allowed origin (for comparison)", call).await),
                None => None,
            }
        }
    );
    let judged: Vec<(&Sent, Result<Cors, String>)> = sent
        .iter()
        .map(|(origin, s)| {
            let verdict = match &s.outcome {
                Err(e) => Err(e.to_string()),
                Ok(r) if r.is_redirect() => Err(format!(
                    "it answered {} and redirected to {}, which says nothing about the route itself",
                    r.status,
                    location(r)
                )),
                Ok(r) => Ok(judge_cors(origin, r)),
            };
            (s, verdict)
        })
        .collect();
    let worst = |want: fn(&Cors) -> bool| judged.iter().find(|(_, v)| v.as_ref().is_ok_and(want)).map(|(s, _)| *s);
    // A route that answers 404 is not the route the browser calls: its headers say little.
    let simple: Vec<&Reply> = sent
        .iter()
        .filter(|(_, s)| s.call.method == reqwest::Method::GET)
        .filter_map(|(_, s)| s.reply())
        .collect();
    let not_found = !simple.is_empty() && simple.iter().all(|r| r.status == 404);
    let unclear = judged.iter().find_map(|(s, v)| v.as_ref().err().map(|why| (*s, why)));
    let fix = format!(
        "Answer cross-origin requests only for your own origins{}: compare the Origin header with a fixed list, whole string to whole string (not starts-with, ends-with or contains); never echo it back unchecked, never allow \"null\", and send Access-Control-Allow-Credentials only together with one of those origins.",
        allowed.as_deref().map(|a| format!(" ({a})")).unwrap_or_default()
    );
    let (status, summary, fix) = if let Some(s) = worst(|c| *c == Cors::WildcardWithCredentials) {
        (
            Status::Fail,
            format!(
                "Your API tells browsers that any website may make logged-in requests to it (Access-Control-Allow-Origin: * with credentials, seen for {}).",
                s.label
            ),
            Some(fix),
        )
    } else if let Some(s) = worst(|c| *c == Cors::Reflected { credentials: true }) {
        (
            Status::Fail,
            format!(
                "Any website can read your API's answers with your users' logins: it lets in {} ({}) and allows credentials (tested on {path}).",
                s.label,
                origin_of(&s.call)
            ),
            Some(fix),
        )
    } else if not_found {
        (
            Status::Error,
            format!(
                "Nothing was tested: {path}, the route CORS was tried on, answered 404 — the route was not found (check the path in the target file)."
            ),
            Some("Put a route your web app really calls under [[target.private_routes]] (or fix its path), then run the check again.".into()),
        )
    } else if let Some(s) = worst(|c| *c == Cors::Reflected { credentials: false }) {
        (
            Status::Warn,
            format!(
                "Your API lets other websites read its answers: it echoed back {} ({}), though without credentials (tested on {path}).",
                s.label,
                origin_of(&s.call)
            ),
            Some(fix),
        )
    } else if let Some((s, why)) = unclear {
        (
            Status::Error,
            format!(
                "Could not check your browser access rules: the request from {} got no usable answer ({why}).",
                s.label
            ),
            Some("Check that the API is reachable at the address in the target file, then run the check again.".into()),
        )
    } else if fallback {
        (
            Status::Warn,
            format!(
                "Your API let in none of {} websites that are not yours on {path}, but CORS was tested only on {path}; CORS rules are often set only on the API routes — list a private route in the target file for a real test.",
                judged.len()
            ),
            Some("List a route your web app calls under [[target.private_routes]] (method and path, e.g. GET /api/conversations/{id}), then run the check again.".into()),
        )
    } else {
        (
            Status::Pass,
            format!(
                "Your API let in none of {} websites that are not yours (including \"null\" and look-alikes of your address), tested on {path}.",
                judged.len()
            ),
            None,
        )
    };
    let cors_headers = [
        "access-control-allow-origin",
        "access-control-allow-credentials",
        "access-control-allow-methods",
        "location",
    ];
    let mut result = ProbeResult::new(ID, status, title(ID), summary);
    for (_, s) in &sent {
        result = result.evidence(s.label.clone(), s.line(&cors_headers));
    }
    if let Some(s) = &control {
        result = result.evidence(s.label.clone(), s.line(&cors_headers));
    }
    match fix {
        Some(fix) => result.fix(fix),
        None => result,
    }
}

fn origin_of(call: &Call) -> String {
    call.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("origin"))
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

// --- api.error_leakage --------------------------------------------------------------------

/// What an error answer can give away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum LeakKind {
    Key,
    StackTrace,
    FilePath,
    Sql,
    Config,
}

impl LeakKind {
    fn words(self) -> &'static str {
        match self {
            LeakKind::Key => "a secret key",
            LeakKind::StackTrace => "a stack trace",
            LeakKind::FilePath => "server file paths",
            LeakKind::Sql => "database queries or errors",
            LeakKind::Config => "internal configuration",
        }
    }
}

/// Internal details in `text`: each kind once, with the byte offset where it shows.
fn leaks(text: &str) -> Vec<(LeakKind, usize)> {
    // Error pages give themselves away early; a bound keeps a hostile body cheap to scan.
    let text = super::http::window(text, 0, 64 * 1024);
    let mut found = Vec::new();
    if let Some((range, _)) = super::http::find_keys(text)
        .into_iter()
        .find(|(_, rule)| *rule != "jwt")
    {
        found.push((LeakKind::Key, range.start));
    }
    if let Some(at) = stack_trace(text) {
        found.push((LeakKind::StackTrace, at));
    }
    if let Some(at) = file_path(text) {
        found.push((LeakKind::FilePath, at));
    }
    if let Some(at) = sql(text) {
        found.push((LeakKind::Sql, at));
    }
    if let Some(at) = config(text) {
        found.push((LeakKind::Config, at));
    }
    found
}

/// Lines of `text`, splitting on real newlines and on `\n` escaped inside JSON strings, with
/// the byte offset of each.
fn lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let (newline, width) = match (bytes.get(i), bytes.get(i + 1)) {
            (Some(b'\n'), _) => (true, 1),
            (Some(b'\\'), Some(b'n')) => (true, 2),
            _ => (false, 1),
        };
        if newline {
            out.push((start, text.get(start..i).unwrap_or_default()));
            start = i + width;
        }
        i += width;
    }
    out.push((start, text.get(start..).unwrap_or_default()));
    out
}

fn stack_trace(text: &str) -> Option<usize> {
    const MARKERS: [&str; 9] = [
        "Traceback (most recent call last)",
        "stack backtrace:",
        "panicked at",
        "Exception in thread",
        "at Object.<anonymous>",
        "node:internal/",
        "(internal/",
        "Stack trace:",
        "goroutine 1 [",
    ];
    if let Some(at) = MARKERS.iter().filter_map(|m| text.find(m)).min() {
        return Some(at);
    }
    lines(text).into_iter().find_map(|(at, line)| {
        let line = super::http::window(line.trim_start_matches(['\t', ' ', '"']), 0, 300);
        // `at handler (/app/server.js:42:13)`, `at com.acme.Main.run(Main.java:42)`
        let js_or_java = line.starts_with("at ") && has_line_number(line);
        // `File "/app/main.py", line 42, in handler`
        let python = line.starts_with("File \"") && line.contains("\", line ");
        // `#0 /var/www/index.php(12): …`
        let php = line.starts_with("#0 ") || line.starts_with("#1 ");
        // `from /app/models/user.rb:42:in 'save'`
        let ruby = line.contains(".rb:") && line.contains(":in ");
        (js_or_java || python || php || ruby).then_some(at)
    })
}

/// `file.ext:12` somewhere in `line`.
fn has_line_number(line: &str) -> bool {
    line.match_indices(':').any(|(i, _)| {
        let before = line.get(..i).unwrap_or_default();
        let after = line.get(i + 1..).unwrap_or_default();
        after.starts_with(|c: char| c.is_ascii_digit())
            && before
                .rsplit(['/', '\\', '(', ' '])
                .next()
                .is_some_and(|f| f.contains('.'))
    })
}

fn file_path(text: &str) -> Option<usize> {
    const ROOTS: [&str; 14] = [
        "/home/",
        "/Users/",
        "/var/www/",
        "/usr/src/",
        "/usr/local/lib/",
        "/app/",
        "/srv/",
        "/opt/",
        "/root/",
        "/workspace/",
        "/node_modules/",
        "/site-packages/",
        "C:\\",
        "C:/",
    ];
    ROOTS
        .iter()
        .flat_map(|root| text.match_indices(root).map(|(i, _)| i))
        // The start of a path, not the path of a web address (`https://x.example/app/`).
        .filter(|&i| {
            i == 0
                || text
                    .as_bytes()
                    .get(i - 1)
                    .is_some_and(|b| b" \t\n\"'(=:[,\\".contains(b))
        })
        .min()
}

fn sql(text: &str) -> Option<usize> {
    const MARKERS: [&str; 13] = [
        "syntax error at or near",
        "sqlstate",
        "you have an error in your sql syntax",
        "ora-0",
        "sqlite_error",
        "sqlite3.",
        "pg::",
        "psycopg2",
        "sequelizedatabaseerror",
        "prismaclient",
        "duplicate key value violates",
        "unterminated quoted string",
        "queryfailederror",
    ];
    let lower = text.to_ascii_lowercase();
    if let Some(at) = MARKERS.iter().filter_map(|m| lower.find(m)).min() {
        return Some(at);
    }
    // Statements are written in capitals; "select a plan from the list" is not SQL.
    let select = text
        .find("SELECT ")
        .filter(|at| text.get(*at..).is_some_and(|r| r.contains(" FROM ")));
    let others = ["INSERT INTO ", "DELETE FROM ", "UPDATE "].iter().filter_map(|m| {
        text.find(m)
            .filter(|at| *m != "UPDATE " || text.get(*at..).is_some_and(|r| r.contains(" SET ")))
    });
    select.into_iter().chain(others).min()
}

fn config(text: &str) -> Option<usize> {
    const MARKERS: [&str; 14] = [
        "DATABASE_URL",
        "postgres://",
        "postgresql://",
        "mysql://",
        "mongodb://",
        "mongodb+srv://",
        "redis://",
        "amqp://",
        "AWS_SECRET_ACCESS_KEY",
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "STRIPE_SECRET_KEY",
        "JWT_SECRET",
        "process.env.",
    ];
    MARKERS.iter().filter_map(|m| text.find(m)).min()
}

/// A few dozen characters around `at`, redacted, on one line.
///
/// The whole text is redacted first (the tokens, then key-shaped strings) and the window cut
/// afterwards: cut first, a key or token crossing the window's edge would no longer look like
/// one and its first characters would show.
fn context(text: &str, at: usize, tokens: &Tokens) -> String {
    let mut ranges: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for token in tokens.values().filter(|t| t.len() >= MIN_SCRUBBED) {
        ranges.extend(
            text.match_indices(token)
                .map(|(i, _)| (i..i + token.len(), token_preview(token))),
        );
    }
    for (range, _) in super::http::find_keys(text) {
        let preview = super::http::key_preview(text.get(range.clone()).unwrap_or_default());
        ranges.push((range, preview));
    }
    let (clean, at) = super::http::replace_ranges(text, ranges, at);
    let start = (at.saturating_sub(30)..=at)
        .find(|i| clean.is_char_boundary(*i))
        .unwrap_or(at);
    let end = ((at + 90).min(clean.len())..=clean.len())
        .find(|i| clean.is_char_boundary(*i))
        .unwrap_or(clean.len());
    super::http::one_line(clean.get(start..end).unwrap_or_default(), 120)
}

/// The malformed bodies sent to the chat route.
fn bad_inputs(run: &Run<'_>) -> Vec<(&'static str, &'static str, String)> {
    let good = run.chat_body("Hello");
    let trimmed = good.trim_end();
    let broken = match trimmed.char_indices().last() {
        Some((i, '}' | ']')) => format!("{}, ", trimmed.get(..i).unwrap_or_default()),
        _ => format!("{trimmed}{{\"unclosed\": "),
    };
    let template = run
        .file
        .target
        .chat
        .as_ref()
        .map_or("{\"message\": \"{{prompt}}\"}", |c| c.body.as_str());
    let retype = |value: &str| {
        if template.contains("\"{{prompt}}\"") {
            template.replace("\"{{prompt}}\"", value)
        } else {
            format!("{{\"message\": {value}}}")
        }
    };
    vec![
        ("broken JSON", "application/json", broken),
        (
            "oversized body",
            "application/json",
            run.chat_body(&"A".repeat(OVERSIZED_BYTES)),
        ),
        ("wrong content type", "text/xml", "<message>Hello</message>".to_string()),
        ("number instead of text", "application/json", retype("12345")),
        ("object instead of text", "application/json", retype("{\"$gt\": \"\"}")),
    ]
}

async fn error_leakage(run: &Run<'_>) -> ProbeResult {
    const ID: &str = "api.error_leakage";
    let Some(chat) = run.file.target.chat.as_ref() else {
        return skipped(
            ID,
            "The target file names no chat route, so broken requests were not sent.",
            "Describe the chat route under [target.chat] (method, path and body with {{prompt}}).",
        );
    };
    // Account B when there is one: the rate-limit burst spends account A's limit.
    let token = run.tokens.b.as_deref().or(run.tokens.a.as_deref());
    let mut calls: Vec<(&'static str, Call)> = Vec::new();
    if let Some(url) = run.url(&chat.path) {
        for (label, content_type, body) in bad_inputs(run) {
            let call = Call::new(&chat.method, url.clone()).body(content_type, body);
            calls.push((label, with_token(call, token)));
        }
    }
    // An odd id on a read route shows whether ids reach the database unchecked.
    if let Some(url) = run
        .file
        .target
        .private_routes
        .iter()
        .filter(|r| is_read(&r.method) && r.path.contains("{id}"))
        .find_map(|r| fill(&r.path, "'\"<x>").and_then(|p| run.url(&p)))
    {
        calls.push(("odd id", with_token(Call::get(url), token)));
    }
    let sent = join_all(calls.into_iter().map(|(label, call)| run.send(label, call))).await;

    let mut leaked: Vec<(&Sent, LeakKind, String)> = Vec::new();
    let mut unclear: Option<(&Sent, String)> = None;
    let mut crashed = Vec::new();
    let mut accepted = Vec::new();
    let mut refused_by_login = 0;
    for s in &sent {
        match &s.outcome {
            Ok(r) => {
                let text = r.text();
                for (kind, at) in leaks(&text) {
                    leaked.push((s, kind, context(&text, at, run.tokens)));
                }
                match r.status {
                    401 | 403 => refused_by_login += 1,
                    429 => {
                        unclear.get_or_insert((s, "it answered 429 (too many requests)".into()));
                    }
                    code if (400..500).contains(&code) => {}
                    code if (200..300).contains(&code) => accepted.push(s),
                    code if code >= 500 => crashed.push(s),
                    _ => {
                        unclear
                            .get_or_insert((s, format!("it answered {} and redirected to {}", r.status, location(r))));
                    }
                }
            }
            // Closing the connection on a huge body is a refusal, and a fine one.
            Err(HttpError::Broken(_) | HttpError::Connect(_)) if s.label == "oversized body" => {}
            Err(e) => {
                unclear.get_or_insert((s, e.to_string()));
            }
        }
    }
    // A mistyped chat path answers 404 (or 405) to everything: no error handling was reached.
    let chat_answers: Vec<&Reply> = sent
        .iter()
        .filter(|s| s.label != "odd id")
        .filter_map(Sent::reply)
        .collect();
    let chat_missing = !chat_answers.is_empty() && chat_answers.iter().all(|r| r.status == 404 || r.status == 405);
    let mut kinds: Vec<LeakKind> = leaked.iter().map(|(_, k, _)| *k).collect();
    kinds.sort();
    kinds.dedup();
    let (status, summary, fix) = if let Some((first, _, _)) = leaked.first() {
        let words: Vec<&str> = kinds.iter().map(|k| k.words()).collect();
        let mut fix = "Catch errors in one place and answer bad requests with 400 and a short message such as {\"error\": \"invalid request\"}; keep stack traces, paths and queries in your server logs only.".to_string();
        if kinds.contains(&LeakKind::Key) {
            fix.push_str(" Rotate the exposed key now: anyone who sent a broken request has seen it.");
        }
        (
            Status::Fail,
            format!(
                "When sent a broken request ({}), your API answers with {}.",
                first.label,
                join_words(&words)
            ),
            Some(fix),
        )
    } else if chat_missing {
        (
            Status::Error,
            format!(
                "Nothing was tested: every broken request to {} {} answered 404 or 405 — the route was not found (check the path and method in the target file).",
                chat.method.to_ascii_uppercase(),
                chat.path
            ),
            Some(
                "Put the method and path your app really uses for chat under [target.chat], then run the check again."
                    .into(),
            ),
        )
    } else if let Some((s, why)) = unclear {
        (
            Status::Error,
            format!(
                "Could not finish the check: the {} request got no usable answer ({why}).",
                s.label
            ),
            Some("Check that the chat route in the target file is reachable, then run the check again.".into()),
        )
    } else if refused_by_login == sent.len() {
        (
            Status::Error,
            "Every broken request was refused for want of a login (401/403) before your code read it, so error handling was not tested.".into(),
            Some("Name a test token under [auth] (token_a_env) so broken requests reach your code.".into()),
        )
    } else if let Some(s) = crashed.first() {
        (
            Status::Warn,
            format!(
                "Your API gave nothing away, but crashed (5xx) on {} of {} broken requests, starting with the {}.",
                crashed.len(),
                sent.len(),
                s.label
            ),
            Some("Validate requests before using them and answer 400 (or 413 for too large, 415 for the wrong type) instead of failing with a server error.".into()),
        )
    } else if let Some(s) = accepted.iter().find(|s| s.label != "wrong content type") {
        (
            Status::Warn,
            format!("Your API gave nothing away, but accepted a request it should have refused (the {}).", s.label),
            Some("Check the size, type and shape of every request body and answer 400 (or 413 when too large) when it does not fit.".into()),
        )
    } else {
        (
            Status::Pass,
            format!(
                "Your API refused {} broken requests cleanly, without internal details.",
                sent.len()
            ),
            None,
        )
    };
    let mut result = ProbeResult::new(ID, status, title(ID), summary);
    for s in &sent {
        result = result.evidence(s.label.clone(), s.line(&["content-type"]));
    }
    let mut shown: Vec<LeakKind> = Vec::new();
    for (s, kind, context) in &leaked {
        // Each kind once: the same trace under every broken request says nothing new.
        if shown.contains(kind) {
            continue;
        }
        shown.push(*kind);
        result = result.evidence(
            format!("{} in the answer to the {}", kind.words(), s.label),
            context.clone(),
        );
    }
    match fix {
        Some(fix) => result.fix(fix),
        None => result,
    }
}

fn with_token(call: Call, token: Option<&str>) -> Call {
    match token {
        Some(token) => call.bearer(token),
        None => call,
    }
}

/// `1 route`, `3 routes`.
fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn join_words(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

// --- api.rate_limit -----------------------------------------------------------------------

/// What a burst against one route found.
#[derive(Debug, Default)]
struct Burst {
    sent: usize,
    statuses: BTreeMap<u16, usize>,
    /// The number (in sending order, from 1) of the first limited answer, and its Retry-After.
    limited_at: Option<(usize, Option<String>)>,
    error: Option<String>,
    elapsed: Duration,
    example: Option<String>,
}

fn is_limited(r: &Reply) -> bool {
    r.status == 429 || (r.status == 503 && r.header("retry-after").is_some())
}

async fn burst(run: &Run<'_>, call: &Call, max: usize) -> Burst {
    let started = Instant::now();
    let deadline = run.deadline();
    let mut found = Burst::default();
    while found.sent < max && Instant::now() < deadline {
        let size = BURST_BATCH.min(max - found.sent);
        let first = found.sent;
        let answers = join_all((0..size).map(|i| async move { (first + i + 1, run.fetch(call).await) })).await;
        found.sent += size;
        for (number, outcome) in answers {
            match outcome {
                Ok(r) => {
                    *found.statuses.entry(r.status).or_default() += 1;
                    if is_limited(&r) && found.limited_at.as_ref().is_none_or(|(n, _)| number < *n) {
                        found.limited_at = Some((number, r.header("retry-after").map(str::to_string)));
                        found.example = Some(exchange(
                            call,
                            &Ok(r),
                            &["retry-after", "ratelimit-remaining", "x-ratelimit-remaining"],
                        ));
                    } else if found.example.is_none() {
                        found.example = Some(exchange(
                            call,
                            &Ok(r),
                            &["ratelimit-remaining", "x-ratelimit-remaining"],
                        ));
                    }
                }
                Err(e) => {
                    found.error.get_or_insert(e.to_string());
                }
            }
        }
        if found.limited_at.is_some() || found.error.is_some() {
            break;
        }
    }
    found.elapsed = started.elapsed();
    found
}

/// A burst's verdict and a sentence about it.
fn judge_burst(name: &str, b: &Burst, needs_login: bool) -> (Status, String) {
    let statuses = || {
        b.statuses
            .iter()
            .map(|(s, n)| format!("{n}× {s}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some((at, retry)) = &b.limited_at {
        return match retry {
            Some(after) => (
                Status::Pass,
                format!(
                    "your {name} said \"too many requests\" at request {at} and when to retry (Retry-After: {})",
                    shorten(&redact_keys(after), 20)
                ),
            ),
            None => (
                Status::Warn,
                format!(
                    "your {name} said \"too many requests\" at request {at}, but not when to retry (no Retry-After)"
                ),
            ),
        };
    }
    if let Some(e) = &b.error {
        return (
            Status::Error,
            format!("the burst against your {name} stopped after {} requests: {e}", b.sent),
        );
    }
    let answered: usize = b.statuses.values().sum();
    let redirected: usize = b
        .statuses
        .iter()
        .filter(|(s, _)| (300..400).contains(*s))
        .map(|(_, n)| n)
        .sum();
    let refused: usize = b
        .statuses
        .iter()
        .filter(|(s, _)| **s == 401 || **s == 403)
        .map(|(_, n)| n)
        .sum();
    if answered > 0 && redirected == answered {
        return (
            Status::Error,
            format!(
                "your {name} only redirected ({}), so its limit could not be tested",
                statuses()
            ),
        );
    }
    if needs_login && answered > 0 && refused == answered {
        return (
            Status::Error,
            format!(
                "your {name} refused every request for want of a login ({}), so its limit could not be reached",
                statuses()
            ),
        );
    }
    // Only client errors (no 429): the requests never reached whatever would count them, so
    // "accepted without a limit" would be a guess. The one exception is a sign-in route refusing
    // wrong passwords (401/403): that is the route at work, and it never slowing down is the
    // finding itself.
    let client_errors: usize = b
        .statuses
        .iter()
        .filter(|(s, _)| (400..500).contains(*s) && **s != 429)
        .map(|(_, n)| n)
        .sum();
    let wrong_passwords = !needs_login && refused == answered;
    if answered > 0 && client_errors == answered && !wrong_passwords {
        let missing = b.statuses.keys().any(|s| *s == 404 || *s == 405);
        let why = if missing {
            NOT_FOUND
        } else if needs_login {
            "check that the test token and the request body in the target file are accepted"
        } else {
            "check that the route and the request body in the target file are right"
        };
        return (
            Status::Error,
            format!(
                "your {name} answered every request with a client error ({}) and never with a success or a 429, so its limit could not be tested: {why}",
                statuses()
            ),
        );
    }
    let time = seconds(b.elapsed);
    if wrong_passwords && answered > 0 {
        let status = if b.sent >= CONVINCING_BURST {
            Status::Fail
        } else {
            Status::Warn
        };
        return (
            status,
            format!(
                "your {name} turned down all {} wrong-password attempts of a burst in {time} and never said \"too many requests\" ({}){}",
                b.sent,
                statuses(),
                if status == Status::Warn {
                    "; too few to be sure there is no limit"
                } else {
                    ""
                }
            ),
        );
    }
    if b.sent >= CONVINCING_BURST {
        (
            Status::Fail,
            format!(
                "your {name} accepted all {} requests of a burst in {time} without a limit ({})",
                b.sent,
                statuses()
            ),
        )
    } else {
        (
            Status::Warn,
            format!(
                "your {name} accepted all {} requests in {time}; too few to be sure there is no limit ({})",
                b.sent,
                statuses()
            ),
        )
    }
}

async fn rate_limit(run: &Run<'_>) -> ProbeResult {
    const ID: &str = "api.rate_limit";
    let t = &run.file.target;
    if t.chat.is_none() && t.login.is_none() {
        return skipped(
            ID,
            "The target file names no chat or login route, so no burst was sent.",
            "Describe the chat route under [target.chat] and the sign-in route under [target.login].",
        );
    }
    let max = run.max_requests();
    if !run.active() {
        return skipped(
            ID,
            &format!("Not tried: this check sends a burst of up to {max} requests, which needs your permission."),
            "If you own this product or may test it, set allowed = true under [active] in the target file (max_requests bounds the burst).",
        );
    }
    let login = t.login.as_ref().and_then(|l| {
        let url = run.url(&l.path)?;
        let body = l.body.clone().unwrap_or_else(|| {
            r#"{"email": "launchready-probe@example.invalid", "password": "not-the-password"}"#.to_string()
        });
        Some(Call::new("POST", url).json(body))
    });
    let chat = run.chat_call("Hello").map(|c| with_token(c, run.tokens.a.as_deref()));
    let (chat_max, login_max) = match (&chat, &login) {
        (Some(_), Some(_)) => {
            let login_max = (max / 4).clamp(1, 25);
            (max.saturating_sub(login_max), login_max)
        }
        (Some(_), None) => (max, 0),
        _ => (0, max),
    };
    let (chat_burst, login_burst) = tokio::join!(
        async {
            match &chat {
                Some(call) if chat_max > 0 => Some(burst(run, call, chat_max).await),
                _ => None,
            }
        },
        async {
            match &login {
                Some(call) if login_max > 0 => Some(burst(run, call, login_max).await),
                _ => None,
            }
        }
    );
    let judged: Vec<(&str, &Burst, Status, String)> = [("chat", &chat_burst, true), ("login", &login_burst, false)]
        .into_iter()
        .filter_map(|(name, b, needs_login)| {
            b.as_ref().map(|b| {
                let (status, sentence) = judge_burst(name, b, needs_login);
                (name, b, status, sentence)
            })
        })
        .collect();
    let rank = |s: Status| match s {
        Status::Fail => 0,
        Status::Error => 1,
        Status::Warn => 2,
        _ => 3,
    };
    let status = judged
        .iter()
        .map(|(_, _, s, _)| *s)
        .min_by_key(|s| rank(*s))
        .unwrap_or(Status::Error);
    let mut sentences: Vec<String> = judged.iter().map(|(_, _, _, s)| s.clone()).collect();
    if let Some(first) = sentences.first_mut() {
        let mut chars = first.chars();
        if let Some(c) = chars.next() {
            *first = c.to_uppercase().chain(chars).collect();
        }
    }
    let mut summary = sentences.join("; ");
    summary.push('.');
    if status == Status::Fail && judged.iter().any(|(n, _, s, _)| *n == "chat" && *s == Status::Fail) {
        summary.push_str(" Anyone can run up your AI bill or slow the service for everyone.");
    }
    let fix = match status {
        Status::Fail | Status::Warn => Some(
            "Limit requests per user and per IP address on the chat and login routes (e.g. 30 chat messages a minute, 10 sign-in attempts in 10 minutes), answer 429 with a Retry-After header when the limit is hit, and keep the limit in a shared store (Redis) when you run several servers.",
        ),
        Status::Error => Some("Check that the routes are reachable and a test token is set, then run the check again."),
        _ => None,
    };
    let mut result = ProbeResult::new(ID, status, title(ID), summary);
    for (name, b, _, _) in &judged {
        result = result.evidence(
            format!("{name} burst"),
            format!(
                "{} requests in {} ({} at a time); {}",
                b.sent,
                seconds(b.elapsed),
                BURST_BATCH,
                b.limited_at
                    .as_ref()
                    .map_or_else(|| "no 429".to_string(), |(n, _)| format!("first 429 at request {n}"))
            ),
        );
        if let Some(example) = &b.example {
            result = result.evidence(format!("{name} answer"), example.clone());
        }
    }
    match fix {
        Some(fix) => result.fix(fix),
        None => result,
    }
}

// --- api.latency --------------------------------------------------------------------------

/// Sequential samples of one route.
struct Samples {
    name: String,
    limit_ms: f64,
    /// Round-trip times of 2xx answers, in microseconds.
    times: Vec<u64>,
    /// Requests that ran past the timeout. Not latencies (nothing was measured), so they are
    /// reported apart and never enter the percentiles.
    timeouts: usize,
    /// Why sampling stopped early or answers were not counted.
    trouble: Option<String>,
    example: Option<String>,
}

async fn sample(run: &Run<'_>, name: &str, call: &Call, count: usize, limit_ms: f64) -> Samples {
    let deadline = run.deadline();
    let mut s = Samples {
        name: name.to_string(),
        limit_ms,
        times: Vec::new(),
        timeouts: 0,
        trouble: None,
        example: None,
    };
    for _ in 0..count {
        if Instant::now() >= deadline {
            s.trouble.get_or_insert_with(|| "the time budget ran out".into());
            break;
        }
        let outcome = run.fetch(call).await;
        if s.example.is_none() {
            s.example = Some(exchange(call, &outcome, &[]));
        }
        match outcome {
            Ok(r) if r.is_success() => s.times.push(u64::try_from(r.elapsed.as_micros()).unwrap_or(u64::MAX)),
            Ok(r) => {
                s.trouble = Some(format!("it answered {} rather than 2xx", r.status));
                break;
            }
            Err(HttpError::Timeout(_)) => {
                s.timeouts += 1;
                // Past 10 % the verdict is "did not answer in time" whatever follows.
                if s.timeouts * 10 > count {
                    s.trouble = Some(format!(
                        "{} requests ran past the {} timeout",
                        s.timeouts,
                        seconds(run.http.timeout())
                    ));
                    break;
                }
            }
            Err(e) => {
                s.trouble = Some(e.to_string());
                break;
            }
        }
    }
    s
}

/// p50, p95, p99 and max in milliseconds, of the answered samples only (timeouts are no
/// measurement: counted at the timeout, one of them became the p95 of ten samples).
fn percentiles(s: &Samples) -> Option<[f64; 4]> {
    if s.times.is_empty() {
        return None;
    }
    let mut histogram = hdrhistogram::Histogram::<u64>::new_with_bounds(1, 3_600_000_000, 3).ok()?;
    for t in &s.times {
        histogram.saturating_record((*t).max(1));
    }
    let ms = |q: f64| to_ms(histogram.value_at_quantile(q));
    Some([ms(0.50), ms(0.95), ms(0.99), to_ms(histogram.max())])
}

#[allow(clippy::cast_precision_loss)] // microseconds below 2^52 are exact
fn to_ms(micros: u64) -> f64 {
    micros as f64 / 1_000.0
}

fn show_ms(ms: f64) -> String {
    if ms >= 1_000.0 {
        format!("{:.2} s", ms / 1_000.0)
    } else {
        format!("{ms:.0} ms")
    }
}

async fn latency(run: &Run<'_>) -> ProbeResult {
    const ID: &str = "api.latency";
    let t = &run.file.target;
    let auth = &run.file.auth;
    let normal: Option<(String, Call)> = if let Some(url) = t.health_path.as_deref().and_then(|p| run.url(p)) {
        Some(("health route".into(), Call::get(url)))
    } else {
        t.private_routes
            .iter()
            .filter(|r| is_read(&r.method))
            .find_map(|route| {
                let (token, id) = if route.path.contains("{id}") {
                    (run.tokens.b.as_deref()?, auth.object_b.as_deref()?)
                } else {
                    (run.tokens.a.as_deref()?, "")
                };
                let url = fill(&route.path, id).and_then(|p| run.url(&p))?;
                Some((route_name(route), Call::get(url).bearer(token)))
            })
    };
    // Chat samples use account B when there is one, so the rate-limit burst (account A) and
    // these samples do not eat into one limit.
    let chat = run
        .chat_call("Hello")
        .map(|call| with_token(call, run.tokens.b.as_deref().or(run.tokens.a.as_deref())));
    if normal.is_none() && chat.is_none() {
        return skipped(
            ID,
            "The target file names no health address, chat route or private GET route with a token, so nothing was timed.",
            "Add health_path under [target], or describe the chat route, so response times can be sampled.",
        );
    }
    let (normal_n, chat_n) = if run.active() {
        let max = run.max_requests();
        match (&normal, &chat) {
            (Some(_), Some(_)) => {
                let n = (max * 3 / 5).clamp(1, ACTIVE_SAMPLES);
                (n, max.saturating_sub(n).min(ACTIVE_CHAT_SAMPLES))
            }
            (Some(_), None) => (max.min(ACTIVE_SAMPLES), 0),
            _ => (0, max.min(ACTIVE_CHAT_SAMPLES)),
        }
    } else {
        (PASSIVE_SAMPLES, PASSIVE_CHAT_SAMPLES)
    };
    let chat_limit = run.options.model_bound_ms.unwrap_or(run.options.latency_p95_ms);
    let mut sampled = Vec::new();
    if let Some((name, call)) = &normal
        && normal_n > 0
    {
        sampled.push(sample(run, name, call, normal_n, run.options.latency_p95_ms).await);
    }
    if let Some(call) = &chat
        && chat_n > 0
    {
        sampled.push(sample(run, "chat route", call, chat_n, chat_limit).await);
    }
    let timeout = run.http.timeout();
    let measured: Vec<(&Samples, [f64; 4])> = sampled.iter().filter_map(|s| percentiles(s).map(|p| (s, p))).collect();
    // Answered samples: the only ones with a latency.
    let n = |s: &Samples| s.times.len();
    // More than 10 % of a route's requests timed out: it did not answer in time, and what the
    // others measured says little.
    let late = |s: &Samples| s.timeouts * 10 > s.times.len() + s.timeouts;
    let slow = measured.iter().find(|(s, p)| !late(s) && p[1] > s.limit_ms);
    let timed_out: usize = sampled.iter().map(|s| s.timeouts).sum();
    let (status, summary, fix) = if let Some((s, p)) = slow {
        // With a handful of samples one outlier sets the p95; only a slow median is certain.
        let certain = n(s) >= 10 || p[0] > s.limit_ms;
        let fix = if s.name == "chat route" {
            "Find where the chat request waits: stream the model's answer, trim the prompt and context, cache what repeats, and move slow tool calls to a background job; where the AI model itself is the slow part, agree a model-bound limit and put timeouts and retries around the call."
        } else {
            "Find what this route waits on (slow database queries, calls to other services, cold starts) and fix or cache it; keep normal requests free of AI model calls."
        };
        (
            if certain { Status::Fail } else { Status::Warn },
            format!(
                "Your {} is slow: 95 in 100 answers take up to {} (limit {}, {} request{}){}.",
                s.name,
                show_ms(p[1]),
                show_ms(s.limit_ms),
                n(s),
                if n(s) == 1 { "" } else { "s" },
                if certain {
                    ""
                } else {
                    "; a small sample — allow active probing for a bigger one"
                }
            ),
            Some(fix.to_string()),
        )
    } else if let Some(s) = sampled.iter().find(|s| late(s)) {
        (
            Status::Error,
            format!(
                "Your {} did not answer in time: {} of {} requests ran past the {} timeout, so its speed could not be measured (a timeout is not a response time).",
                s.name,
                s.timeouts,
                s.times.len() + s.timeouts,
                seconds(timeout)
            ),
            Some(
                "Check that the API is up and not overloaded, or raise the timeout with --timeout if answers this slow are expected, then run the check again."
                    .into(),
            ),
        )
    } else if measured.is_empty() {
        let why = sampled
            .iter()
            .find_map(|s| s.trouble.clone().map(|t| format!("your {}: {t}", s.name)))
            .unwrap_or_else(|| "no request was answered".into());
        (
            Status::Error,
            format!("Could not time your API: {why}."),
            Some(
                "Check that the routes are reachable and answer 200 with the test tokens, then run the check again."
                    .into(),
            ),
        )
    } else {
        let parts: Vec<String> = measured
            .iter()
            .map(|(s, p)| {
                format!(
                    "{} on your {} ({})",
                    show_ms(p[1]),
                    s.name,
                    plural(n(s), "request", "requests")
                )
            })
            .collect();
        let mut limits: Vec<String> = measured.iter().map(|(s, _)| show_ms(s.limit_ms)).collect();
        limits.dedup();
        let apart = if timed_out > 0 {
            format!(
                " {} ran past the {} timeout and {} counted apart, not as response times.",
                plural(timed_out, "request", "requests"),
                seconds(timeout),
                if timed_out == 1 { "is" } else { "are" }
            )
        } else {
            String::new()
        };
        (
            Status::Pass,
            format!(
                "95 in 100 answers came within {}, under the {} limit.{apart}",
                join_words(&parts.iter().map(String::as_str).collect::<Vec<_>>()),
                limits.join(" / ")
            ),
            None,
        )
    };
    let mut result = ProbeResult::new(ID, status, title(ID), summary);
    for s in &sampled {
        let figures = percentiles(s).map_or_else(
            || "not measured".to_string(),
            |p| {
                format!(
                    "p50 {} · p95 {} · p99 {} · max {} · {} requests, one at a time · limit {}",
                    show_ms(p[0]),
                    show_ms(p[1]),
                    show_ms(p[2]),
                    show_ms(p[3]),
                    n(s),
                    show_ms(s.limit_ms)
                )
            },
        );
        let trouble = s
            .trouble
            .as_ref()
            .map(|t| format!(" · stopped: {t}"))
            .unwrap_or_default();
        let timeouts = if s.timeouts > 0 {
            format!(
                " · {} past the {} timeout (not counted)",
                plural(s.timeouts, "request", "requests"),
                seconds(timeout)
            )
        } else {
            String::new()
        };
        result = result.evidence(s.name.clone(), format!("{figures}{timeouts}{trouble}"));
        if let Some(example) = &s.example {
            result = result.evidence(format!("{} request", s.name), example.clone());
        }
    }
    match fix {
        Some(fix) => result.fix(fix),
        None => result,
    }
}

// --- api.webhook_signature ----------------------------------------------------------------

async fn webhook_signature(run: &Run<'_>) -> ProbeResult {
    const ID: &str = "api.webhook_signature";
    let Some(webhook) = run.file.target.webhook.as_ref() else {
        return skipped(
            ID,
            "The target file names no webhook route, so none was tried.",
            "If a payment or other provider calls your API, name the route under [target.webhook] (path = \"/webhooks/stripe\").",
        );
    };
    let Some(url) = run.url(&webhook.path) else {
        return ProbeResult::new(
            ID,
            Status::Error,
            title(ID),
            format!("{} does not make a valid address.", webhook.path),
        );
    };
    let now = unix_now();
    // An event type no handler acts on, in case one acts before checking the signature.
    let event = format!(
        r#"{{"id":"evt_launchready_probe","object":"event","type":"launchready.probe","created":{now},"livemode":false,"data":{{"object":{{}}}}}}"#
    );
    let unsigned = Call::new("POST", url.clone()).json(event.clone());
    let wrong = Call::new("POST", url)
        .json(event)
        .header("Stripe-Signature", wrong_stripe_signature(now));
    let (unsigned, wrong) = tokio::join!(
        run.send("unsigned event", unsigned),
        run.send("wrongly signed event", wrong)
    );
    let judged: Vec<(&Sent, Judged)> = [&unsigned, &wrong]
        .into_iter()
        .map(|s| (s, judge_private(&s.outcome)))
        .collect();
    let (status, summary, fix) = if let Some((s, _)) = judged.iter().find(|(_, j)| matches!(j, Judged::Open { .. })) {
        (
            Status::Fail,
            format!(
                "Your webhook route accepts events nobody signed (it answered {} to an {}): anyone can send it a fake payment or subscription event.",
                s.reply().map_or(0, |r| r.status),
                s.label
            ),
            Some(format!(
                "Verify the Stripe-Signature header with your webhook signing secret (stripe.webhooks.constructEvent, or your provider's equivalent) before acting on an event sent to {}, and answer 400 when it does not match.",
                webhook.path
            )),
        )
    } else if let Some((s, Judged::Missing(code))) = judged.iter().find(|(_, j)| matches!(j, Judged::Missing(_))) {
        // A mistyped webhook path answers 404 to everyone: that is no refusal of the event.
        (
            Status::Error,
            format!(
                "Nothing was tested: your webhook route {} answered {code} to the {} — the route was not found (check the path in the target file).",
                webhook.path, s.label
            ),
            Some(
                "Put the path your payment provider calls (see its dashboard's webhook settings) under [target.webhook], then run the check again."
                    .into(),
            ),
        )
    } else if let Some((s, Judged::Unclear(why))) = judged.iter().find(|(_, j)| matches!(j, Judged::Unclear(_))) {
        (
            Status::Error,
            format!(
                "Could not tell whether your webhook route checks signatures: the {} got no usable answer ({why}).",
                s.label
            ),
            Some(
                "Check that the webhook path in the target file is right and reachable, then run the check again."
                    .into(),
            ),
        )
    } else if judged.iter().any(|(_, j)| *j == Judged::Crashed) {
        (
            Status::Warn,
            "Your webhook route did not accept unsigned or wrongly signed events, but crashed (5xx) instead of refusing them; some providers retry those for days.".into(),
            Some("Answer 400 when the signature does not match, instead of failing with a server error.".into()),
        )
    } else {
        (
            Status::Pass,
            "Your webhook route refused an unsigned and a wrongly signed event.".into(),
            None,
        )
    };
    let mut result = ProbeResult::new(ID, status, title(ID), summary);
    for (s, _) in &judged {
        result = result.evidence(s.label.clone(), s.line(&["location"]));
    }
    match fix {
        Some(fix) => result.fix(fix),
        None => result,
    }
}

// --- api.role_authz -----------------------------------------------------------------------

async fn role_authz(run: &Run<'_>) -> ProbeResult {
    const ID: &str = "api.role_authz";
    let t = &run.file.target;
    if t.admin_routes.is_empty() {
        return skipped(
            ID,
            "The target file lists no admin routes, so none were tried.",
            "List the admin-only routes under [[target.admin_routes]] and name a lower-role test token (token_low_env under [auth]).",
        );
    }
    let auth = &run.file.auth;
    let low = match need_token(
        ID,
        auth.token_low_env.as_deref(),
        run.tokens.low.as_deref(),
        "a lower-role user",
    ) {
        Ok(token) => token,
        Err(result) => return *result,
    };
    let routes: Vec<&Route> = t
        .admin_routes
        .iter()
        .filter(|r| is_read(&r.method))
        .take(MAX_ROUTES)
        .collect();
    let not_tried: Vec<String> = t
        .admin_routes
        .iter()
        .filter(|r| !is_read(&r.method))
        .map(route_name)
        .collect();
    if routes.is_empty() {
        return skipped(
            ID,
            "Only admin routes that change data are listed; they are not tried with a real token, since that could change real data.",
            "List an admin route that only reads (e.g. GET /admin/config) under [[target.admin_routes]].",
        );
    }
    let object = auth.object_b.as_deref().unwrap_or("1");
    let admin = run.tokens.a.as_deref();
    let tried = join_all(routes.iter().filter_map(|route| {
        let url = fill(&route.path, object).and_then(|p| run.url(&p))?;
        Some(async move {
            let call = Call::new(&route.method, url);
            let (low_sent, control) = tokio::join!(run.send("lower-role token", call.clone().bearer(low)), async {
                match admin {
                    Some(a) => Some(run.send("account A (for comparison)", call.clone().bearer(a)).await),
                    None => None,
                }
            });
            (*route, low_sent, control)
        })
    }))
    .await;
    let judged: Vec<(&Route, &Sent, Judged)> = tried
        .iter()
        .map(|(route, s, control)| {
            let admin_ok = control.as_ref().and_then(Sent::reply).is_some_and(Reply::is_success);
            let j = match judge_private(&s.outcome) {
                // A 404 for everyone means the path is wrong, not that the route is guarded.
                Judged::Missing(_) if admin_ok => Judged::Refused,
                Judged::Missing(status) => Judged::Unclear(format!(
                    "{} and no admin token showed the route exists",
                    missing_words(status)
                )),
                j => j,
            };
            (*route, s, j)
        })
        .collect();
    let (status, summary, fix) = if let Some((route, s, j)) =
        judged.iter().find(|(_, _, j)| matches!(j, Judged::Open { .. }))
    {
        (
            Status::Fail,
            format!(
                "A user with a lower role can open your admin area: {} answered {}{} to their token.",
                route_name(route),
                s.reply().map_or(0, |r| r.status),
                if matches!(j, Judged::Open { data: true }) {
                    " with data"
                } else {
                    ""
                }
            ),
            Some(format!(
                "Check the user's role on the server for every admin route (not only by hiding menu items), answering 403 to everyone else; start with {}.",
                route_name(route)
            )),
        )
    } else if let Some((route, _, Judged::Unclear(why))) =
        judged.iter().find(|(_, _, j)| matches!(j, Judged::Unclear(_)))
    {
        (
            Status::Error,
            format!("Could not tell whether {} is kept from lower-role users: {why}.", route_name(route)),
            Some("Check the admin route paths in the target file and that token_a_env holds an admin's token, then run the check again.".into()),
        )
    } else if judged.iter().any(|(_, _, j)| *j == Judged::Crashed) {
        (
            Status::Warn,
            "Lower-role users could not open your admin routes, but some crashed (5xx) instead of refusing.".into(),
            Some("Answer 403 to users without the admin role instead of failing with a server error.".into()),
        )
    } else {
        (
            Status::Pass,
            format!(
                "A lower-role user was refused on every admin route tried ({}).",
                plural(judged.len(), "route", "routes")
            ),
            None,
        )
    };
    let mut result = ProbeResult::new(ID, status, title(ID), summary);
    for (_, s, control) in &tried {
        result = result.evidence(s.label.clone(), s.line(&["location"]));
        if let Some(c) = control {
            result = result.evidence(c.label.clone(), c.line(&[]));
        }
    }
    for route in not_tried {
        result = result.evidence("not tried", format!("{route}: it could change data"));
    }
    match fix {
        Some(fix) => result.fix(fix),
        None => result,
    }
}

// --- api.request_id -----------------------------------------------------------------------

/// Headers an application (or its tracing library) sets per request.
const ID_HEADERS: [&str; 11] = [
    "x-request-id",
    "request-id",
    "x-correlation-id",
    "correlation-id",
    "traceparent",
    "x-trace-id",
    "x-b3-traceid",
    "x-amzn-requestid",
    "x-amz-request-id",
    "x-cloud-trace-context",
    "x-ms-request-id",
];
/// Ids only the hosting edge adds: useful, but the application's logs do not know them.
const EDGE_ID_HEADERS: [&str; 5] = [
    "cf-ray",
    "x-vercel-id",
    "fly-request-id",
    "x-railway-request-id",
    "x-amz-cf-id",
];

async fn request_id(run: &Run<'_>) -> ProbeResult {
    const ID: &str = "api.request_id";
    let t = &run.file.target;
    let mut calls: Vec<(String, Call)> = Vec::new();
    if let Some(url) = t.health_path.as_deref().and_then(|p| run.url(p)) {
        calls.push(("health route".into(), Call::get(url)));
    }
    if let Some((route, url)) = t.private_routes.iter().filter(|r| is_read(&r.method)).find_map(|r| {
        fill(&r.path, run.file.auth.object_b.as_deref().unwrap_or("1"))
            .and_then(|p| run.url(&p))
            .map(|u| (r, u))
    }) {
        calls.push((format!("{} without a token", route_name(route)), Call::get(url)));
    }
    if calls.is_empty()
        && let Some(url) = run.url("/")
    {
        calls.push(("home".into(), Call::get(url)));
    }
    let sent = join_all(calls.into_iter().map(|(label, call)| run.send(label, call))).await;
    let answered: Vec<&Reply> = sent.iter().filter_map(Sent::reply).collect();
    let app = |r: &Reply| {
        ID_HEADERS
            .iter()
            .find(|h| r.header(h).is_some_and(|v| !v.is_empty()))
            .copied()
    };
    let edge = |r: &Reply| {
        EDGE_ID_HEADERS
            .iter()
            .find(|h| r.header(h).is_some_and(|v| !v.is_empty()))
            .copied()
    };
    let with_app = answered.iter().filter(|r| app(r).is_some()).count();
    let with_edge = answered.iter().filter(|r| edge(r).is_some()).count();
    let fix = "Give every request an id (take an incoming X-Request-Id or traceparent, or create one), send it back as X-Request-Id on every answer, errors included, and write it into every log line.";
    let (status, summary, fix) = if answered.is_empty() {
        let why = sent
            .iter()
            .find_map(|s| s.outcome.as_ref().err())
            .map_or_else(|| "nothing was sent".to_string(), ToString::to_string);
        (
            Status::Error,
            format!("Could not check for request ids: no answer came back ({why})."),
            Some(
                "Check that the API is reachable at the address in the target file, then run the check again."
                    .to_string(),
            ),
        )
    } else if with_app == answered.len() {
        let header = answered.iter().find_map(|r| app(r)).unwrap_or("x-request-id");
        (
            Status::Pass,
            format!("Your API's answers carry a request id ({header}), so a failing request can be found in the logs."),
            None,
        )
    } else if with_app > 0 {
        (
            Status::Warn,
            format!(
                "Only {with_app} of {} answers carried a request id; errors need one most.",
                answered.len()
            ),
            Some(fix.to_string()),
        )
    } else if with_edge > 0 {
        (
            Status::Warn,
            "Only your hosting edge tags answers with an id; your own logs cannot be searched by it.".into(),
            Some(fix.to_string()),
        )
    } else {
        (
            Status::Fail,
            "Your API's answers carry no request id, so when a customer reports a failure nobody can find it in the logs.".into(),
            Some(fix.to_string()),
        )
    };
    let shown: Vec<&str> = ID_HEADERS.iter().chain(&EDGE_ID_HEADERS).copied().collect();
    let mut result = ProbeResult::new(ID, status, title(ID), summary);
    for s in &sent {
        result = result.evidence(s.label.clone(), s.line(&shown));
    }
    match fix {
        Some(fix) => result.fix(fix),
        None => result,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::http::find_keys;

    #[test]
    fn tokens_never_show_in_debug() {
        let auth = Auth {
            token_a_env: Some("A".into()),
            token_b_env: Some("B".into()),
            object_b: None,
            token_low_env: Some("UNSET".into()),
        };
        let tokens = Tokens::from_lookup(&auth, |name| match name {
            "A" => Some("  demo-token-account-a\n".into()),
            "B" => Some("tiny".into()),
            _ => None,
        });
        assert_eq!(tokens.a.as_deref(), Some("demo-token-account-a"), "trimmed");
        assert_eq!(tokens.low, None);
        let shown = format!("{tokens:?}");
        assert!(
            !shown.contains("demo-token-account-a") && !shown.contains("tiny"),
            "{shown}"
        );
        assert!(shown.contains("demo…(20 chars)"), "{shown}");
    }

    #[test]
    fn from_env_reads_the_named_variables() {
        let auth = Auth {
            token_a_env: Some("PATH".into()),
            token_b_env: Some("LAUNCHREADY_SURELY_UNSET_VARIABLE_0".into()),
            ..Auth::default()
        };
        let tokens = Tokens::from_env(&auth);
        assert_eq!(
            tokens.a,
            std::env::var("PATH")
                .ok()
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
        );
        assert_eq!(tokens.b, None);
    }

    #[test]
    fn results_are_scrubbed_of_tokens() {
        let tokens = Tokens {
            a: Some("secret-token-value-1".into()),
            b: None,
            low: Some("abc".into()),
        };
        let result = ProbeResult::new("api.cors", Status::Fail, "t", "echoed secret-token-value-1 back")
            .evidence("secret-token-value-1", "x secret-token-value-1 y")
            .fix("rotate secret-token-value-1");
        let clean = scrub(result, &tokens);
        let text = format!("{clean:?}");
        assert!(!text.contains("secret-token-value-1"), "{text}");
        assert!(clean.summary.contains("secr…(20 chars)"));
    }

    #[test]
    fn jwts_look_real_and_are_not_valid() {
        use base64::Engine;
        let now = 1_800_000_000;
        let decode = |part: &str| {
            let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).unwrap();
            serde_json::from_slice::<serde_json::Value>(&bytes).unwrap()
        };
        let expired = expired_jwt(now);
        let parts: Vec<&str> = expired.split('.').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(decode(parts[0])["alg"], "HS256");
        assert!(decode(parts[1])["exp"].as_u64().unwrap() < now);
        assert_eq!(parts[2].len(), 43, "a 32-byte signature");
        assert_ne!(expired_jwt(now), expired, "the signature is random");
        let unsigned = unsigned_jwt(now);
        assert!(unsigned.ends_with('.'));
        let parts: Vec<&str> = unsigned.split('.').collect();
        assert_eq!(decode(parts[0])["alg"], "none");
        assert!(decode(parts[1])["exp"].as_u64().unwrap() > now);
        let signature = wrong_stripe_signature(now);
        assert!(signature.starts_with("t=1800000000,v1="));
        assert_eq!(signature.len(), "t=1800000000,v1=".len() + 64);
    }

    #[test]
    fn placeholders_are_filled_or_refused() {
        assert_eq!(fill("/api/c/{id}", "conv_b1").as_deref(), Some("/api/c/conv_b1"));
        assert_eq!(fill("/api/c/{id}", "a b/'").as_deref(), Some("/api/c/a%20b%2F%27"));
        assert_eq!(fill("/api/orgs/{org}/c/{id}", "x"), None);
        assert_eq!(fill("/api/c", "x").as_deref(), Some("/api/c"));
    }

    fn reply(status: u16, headers: &[(&str, &str)], body: &str) -> Reply {
        let mut map = reqwest::header::HeaderMap::new();
        for (n, v) in headers {
            map.append(
                reqwest::header::HeaderName::from_bytes(n.as_bytes()).unwrap(),
                reqwest::header::HeaderValue::from_str(v).unwrap(),
            );
        }
        Reply {
            status,
            headers: map,
            body: body.as_bytes().to_vec(),
            truncated: false,
            elapsed: Duration::from_millis(3),
        }
    }

    #[test]
    fn private_answers_are_judged() {
        assert_eq!(judge_private(&Ok(reply(401, &[], ""))), Judged::Refused);
        assert_eq!(judge_private(&Ok(reply(403, &[], ""))), Judged::Refused);
        // A 404/405 is no refusal by itself: a mistyped route answers 404 to everyone.
        assert_eq!(judge_private(&Ok(reply(404, &[], ""))), Judged::Missing(404));
        assert_eq!(judge_private(&Ok(reply(405, &[], ""))), Judged::Missing(405));
        let served = Ok(reply(200, &[], "{}"));
        let also_missing = Ok(reply(404, &[], ""));
        assert_eq!(resolve_missing(Judged::Missing(404), Some(&served)), Judged::Refused);
        assert!(matches!(
            resolve_missing(Judged::Missing(404), Some(&also_missing)),
            Judged::Unclear(why) if why.contains("route was not found")
        ));
        assert!(matches!(
            resolve_missing(Judged::Missing(404), None),
            Judged::Unclear(_)
        ));
        assert_eq!(
            judge_private(&Ok(reply(200, &[], r#"{"id":"conv_b1","messages":[]}"#))),
            Judged::Open { data: true }
        );
        assert_eq!(
            judge_private(&Ok(reply(200, &[], r#"{"error":"unauthorized"}"#))),
            Judged::Open { data: false }
        );
        assert_eq!(judge_private(&Ok(reply(204, &[], ""))), Judged::Open { data: false });
        assert_eq!(judge_private(&Ok(reply(500, &[], "boom"))), Judged::Crashed);
        assert_eq!(
            judge_private(&Ok(reply(302, &[("location", "/login?next=/x")], ""))),
            Judged::Refused
        );
        assert!(matches!(
            judge_private(&Ok(reply(302, &[("location", "/x")], ""))),
            Judged::Unclear(_)
        ));
        assert!(matches!(judge_private(&Ok(reply(429, &[], ""))), Judged::Unclear(_)));
        assert!(matches!(
            judge_private(&Err(HttpError::Timeout(Duration::from_secs(1)))),
            Judged::Unclear(_)
        ));
    }

    #[test]
    fn cors_answers_are_judged() {
        let evil = "https://attacker.example";
        let reflected = reply(
            200,
            &[
                ("access-control-allow-origin", evil),
                ("access-control-allow-credentials", "true"),
            ],
            "",
        );
        assert_eq!(judge_cors(evil, &reflected), Cors::Reflected { credentials: true });
        let plain = reply(200, &[("access-control-allow-origin", evil)], "");
        assert_eq!(judge_cors(evil, &plain), Cors::Reflected { credentials: false });
        let wildcard = reply(
            200,
            &[
                ("access-control-allow-origin", "*"),
                ("access-control-allow-credentials", "TRUE"),
            ],
            "",
        );
        assert_eq!(judge_cors(evil, &wildcard), Cors::WildcardWithCredentials);
        let star = reply(200, &[("access-control-allow-origin", "*")], "");
        assert_eq!(
            judge_cors(evil, &star),
            Cors::Closed,
            "a wildcard without credentials reads no one's login"
        );
        let fixed = reply(200, &[("access-control-allow-origin", "https://app.acme.example")], "");
        assert_eq!(judge_cors(evil, &fixed), Cors::Closed);
        let null = reply(200, &[("access-control-allow-origin", "null")], "");
        assert_eq!(judge_cors("null", &null), Cors::Reflected { credentials: false });
    }

    #[test]
    fn leaks_are_recognised() {
        let node = "{\"error\":\"SyntaxError: Unexpected end of JSON input\\n    at JSON.parse (<anonymous>)\\n    at handler (/app/src/server.js:42:13)\",\"key\":\"sk-proj-launchready-DEMO-FAKE-KEY-0000000000000000\"}";
        let kinds: Vec<LeakKind> = leaks(node).into_iter().map(|(k, _)| k).collect();
        assert_eq!(kinds, [LeakKind::Key, LeakKind::StackTrace, LeakKind::FilePath]);
        let python = "Traceback (most recent call last):\n  File \"/srv/app/main.py\", line 12, in chat";
        assert!(leaks(python).iter().any(|(k, _)| *k == LeakKind::StackTrace));
        let sql_error = "ERROR: syntax error at or near \"'\" (SQLSTATE 42601)";
        assert_eq!(leaks(sql_error).first().map(|(k, _)| *k), Some(LeakKind::Sql));
        let query = "query failed: SELECT * FROM conversations WHERE id = ''";
        assert!(leaks(query).iter().any(|(k, _)| *k == LeakKind::Sql));
        let config_text = "could not connect to postgres://app:pw@db.internal:5432/app";
        assert!(leaks(config_text).iter().any(|(k, _)| *k == LeakKind::Config));
        let java = "\tat com.acme.ChatController.send(ChatController.java:88)";
        assert!(leaks(java).iter().any(|(k, _)| *k == LeakKind::StackTrace));
    }

    #[test]
    fn clean_errors_are_not_leaks() {
        for text in [
            r#"{"error": "invalid JSON at line 1 column 20"}"#,
            r#"{"error": "message must be a string"}"#,
            "Please select a plan from the list",
            "see https://docs.acme.example/app/errors#400 for details",
            "request too large: at most 65536 bytes",
            r#"{"error":"unsupported content type text/xml"}"#,
        ] {
            assert!(leaks(text).is_empty(), "{text}: {:?}", leaks(text));
        }
    }

    #[test]
    fn hostile_bodies_are_scanned_in_linear_time() {
        // A regression to quadratic scanning would hang here.
        for text in [
            format!("at {}", ":1".repeat(120_000)),
            "File \"".repeat(50_000),
            "SELECT ".repeat(40_000),
            "/app/".repeat(60_000),
        ] {
            let _ = leaks(&text);
        }
    }

    #[test]
    fn leak_scanning_never_panics() {
        let pieces = [
            "at ",
            "\\n",
            "\n",
            "File \"",
            "\", line ",
            ":1",
            ".js",
            "/app/",
            "SELECT ",
            " FROM ",
            "é",
            "#0 ",
            "sk-",
            "x",
            "postgres://",
            "\u{1F600}",
            "\\",
        ];
        for text in super::super::garbled(11, 3_000, &pieces, 25) {
            for (_, at) in leaks(&text) {
                let _ = context(&text, at, &Tokens::default());
            }
            let _ = find_keys(&text);
        }
    }

    #[test]
    fn percentiles_come_from_the_samples() {
        let samples = Samples {
            name: "health route".into(),
            limit_ms: 500.0,
            times: (1..=100).map(|ms| ms * 1_000).collect(),
            timeouts: 0,
            trouble: None,
            example: None,
        };
        let [p50, p95, p99, max] = percentiles(&samples).unwrap();
        assert!((p50 - 50.0).abs() < 0.1, "{p50}");
        assert!((p95 - 95.0).abs() < 0.1, "{p95}");
        assert!((p99 - 99.0).abs() < 0.1, "{p99}");
        assert!((max - 100.0).abs() < 0.1, "{max}");
        // A timeout is no measured latency: it is reported apart and never becomes the p95.
        let with_timeout = Samples {
            times: vec![1_000; 9],
            timeouts: 1,
            ..samples
        };
        let [_, p95, _, max] = percentiles(&with_timeout).unwrap();
        assert!(
            p95 < 2.0 && max < 2.0,
            "the timeout is not a sample: p95 {p95}, max {max}"
        );
    }

    #[test]
    fn bursts_are_judged() {
        let mut b = Burst {
            sent: 31,
            ..Burst::default()
        };
        b.statuses.insert(200, 30);
        b.statuses.insert(429, 1);
        b.limited_at = Some((31, Some("60".into())));
        assert_eq!(judge_burst("chat", &b, true).0, Status::Pass);
        b.limited_at = Some((31, None));
        assert_eq!(judge_burst("chat", &b, true).0, Status::Warn);
        let mut open = Burst {
            sent: 45,
            ..Burst::default()
        };
        open.statuses.insert(200, 45);
        let (status, sentence) = judge_burst("chat", &open, true);
        assert_eq!(status, Status::Fail);
        assert!(sentence.contains("all 45 requests"), "{sentence}");
        open.sent = 5;
        assert_eq!(
            judge_burst("chat", &open, true).0,
            Status::Warn,
            "five requests prove little"
        );
        let mut locked = Burst {
            sent: 40,
            ..Burst::default()
        };
        locked.statuses.insert(401, 40);
        assert_eq!(judge_burst("chat", &locked, true).0, Status::Error);
        assert_eq!(
            judge_burst("login", &locked, false).0,
            Status::Fail,
            "a login answering 401 forever is unlimited"
        );
    }

    #[test]
    fn lines_split_on_escaped_newlines() {
        let text = "a\\nb\nc";
        let got: Vec<(usize, &str)> = lines(text);
        assert_eq!(got, [(0, "a"), (3, "b"), (5, "c")]);
    }
}
