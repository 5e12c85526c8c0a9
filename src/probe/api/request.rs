//! The request plumbing every API check shares: [`Run`] (what one check run needs, and how it
//! sends), [`Sent`], and the small helpers for routes, tokens, refused requests and wording.

use std::fmt::Write as _;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use url::Url;

use super::super::engine::Progress;
use super::super::http::{Call, Http, HttpError, Reply, exchange, redact_keys, seconds};
use super::super::{ProbeResult, Status, shorten};
use super::{ApiOptions, Tokens, Who, skipped, title};
use crate::target::{Route, TargetFile};

/// An id no real object has: write routes are only ever tried on it.
pub(super) const NO_SUCH_ID: &str = "launchready-probe-no-such-id";

/// The longest one wait for a rate limit may be: an API that asks for longer gets no retry.
pub const MAX_WAIT: Duration = Duration::from_secs(60);
/// The most one check waits for rate limits in all; its time budget grows by as much.
pub const MAX_WAITED: Duration = Duration::from_secs(90);
/// The wait when a 429 says nothing about when to retry.
const DEFAULT_WAIT: Duration = Duration::from_secs(5);

/// What one check run needs, and how it sends.
pub struct Run<'a> {
    /// The check's id, from the registry.
    pub(super) id: &'static str,
    pub(super) file: &'a TargetFile,
    pub(super) tokens: &'a Tokens,
    pub(super) http: &'a Http,
    pub(super) options: &'a ApiOptions,
    pub(super) base: String,
    pub(super) started: Instant,
    progress: &'a Progress,
    waits: Mutex<Waits>,
    /// What happened on the way that the evidence should say (waits, retries), with counts.
    notes: Mutex<Vec<(String, usize)>>,
}

/// The time a check spent waiting for rate limits, as the union of the waits.
#[derive(Debug, Default)]
struct Waits {
    total: Duration,
    until: Option<Instant>,
}

/// One request sent, with what it was for and what came back.
pub(super) struct Sent {
    pub(super) label: String,
    pub(super) call: Call,
    pub(super) outcome: Result<Reply, HttpError>,
}

impl Sent {
    pub(super) fn line(&self, headers: &[&str]) -> String {
        exchange(&self.call, &self.outcome, headers)
    }

    pub(super) fn reply(&self) -> Option<&Reply> {
        self.outcome.as_ref().ok()
    }
}

impl<'a> Run<'a> {
    pub(super) fn new(
        id: &'static str,
        file: &'a TargetFile,
        tokens: &'a Tokens,
        http: &'a Http,
        options: &'a ApiOptions,
        base: String,
        progress: &'a Progress,
    ) -> Run<'a> {
        Run {
            id,
            file,
            tokens,
            http,
            options,
            base,
            started: Instant::now(),
            progress,
            waits: Mutex::default(),
            notes: Mutex::default(),
        }
    }

    /// The address of `path` (which may carry a query) under the base.
    pub(super) fn url(&self, path: &str) -> Option<Url> {
        Url::parse(&format!("{}{path}", self.base)).ok()
    }

    pub(super) async fn send(&self, label: impl Into<String>, call: Call) -> Sent {
        let outcome = self.fetch(&call).await;
        Sent {
            label: label.into(),
            call,
            outcome,
        }
    }

    /// Sends `call` as [`Run::fetch_raw`] does; a rate-limited answer (429) is not taken as the
    /// answer: the check waits as long as the API asks (up to [`MAX_WAIT`], and [`MAX_WAITED`] in
    /// all), saying so as progress, and sends the request once more. What came back then is the
    /// answer, 429 or not, and the evidence says what happened.
    pub(super) async fn fetch(&self, call: &Call) -> Result<Reply, HttpError> {
        let outcome = self.fetch_raw(call).await;
        let Ok(reply) = &outcome else { return outcome };
        if !is_limited(reply) {
            return outcome;
        }
        let asked = retry_after(reply, SystemTime::now());
        let wait = asked.unwrap_or(DEFAULT_WAIT);
        let said = asked.map_or_else(
            || format!("gave no Retry-After, so launchready waited {}", seconds(wait)),
            |w| format!("asked to wait {}", seconds(w)),
        );
        if wait > MAX_WAIT {
            self.note(format!(
                "Your API answered 429 (too many requests) and {said}, longer than launchready waits ({}), so the request was not sent again.",
                seconds(MAX_WAIT)
            ));
            return outcome;
        }
        if !self.reserve_wait(wait) {
            self.note(format!(
                "Your API answered 429 (too many requests) and {said}, but this check had already waited {} for rate limits or the run's time was up, so the request was not sent again.",
                seconds(MAX_WAITED)
            ));
            return outcome;
        }
        self.progress.say(match asked {
            Some(w) => format!("your API asked to wait {} (too many requests); waiting", seconds(w)),
            None => format!("your API said too many requests; waiting {}", seconds(wait)),
        });
        tokio::time::sleep(wait).await;
        let again = self.fetch_raw(call).await;
        let still = matches!(&again, Ok(r) if is_limited(r));
        self.note(if still {
            format!(
                "Your API answered 429 (too many requests) and {said}; after the wait it still answered 429, so its rate limit decided nothing here."
            )
        } else {
            format!("Your API answered 429 (too many requests) and {said}; launchready waited and sent the request again.")
        });
        again
    }

    /// Sends `call`, with every test token (not only the one sent) replaced in the answer's body
    /// and headers before anything of it is cut into evidence: a token cut at the edge of an
    /// excerpt could no longer be found and replaced by [`scrub`](super::scrub). A 429 is the
    /// answer here (bursts count them).
    pub(super) async fn fetch_raw(&self, call: &Call) -> Result<Reply, HttpError> {
        let mut outcome = self.http.send(call).await;
        if let Ok(reply) = &mut outcome {
            let tokens: Vec<&str> = self.tokens.values().collect();
            super::super::http::scrub_reply(reply, &tokens);
            if reply.reconnected {
                self.note(
                    "The server had closed a connection launchready reused, so the request was sent again on a new one."
                        .to_string(),
                );
            }
        }
        outcome
    }

    /// Adds `wait` to the time this check waited (overlapping waits count once); `false`, and
    /// nothing added, when that would pass [`MAX_WAITED`].
    fn reserve_wait(&self, wait: Duration) -> bool {
        let now = Instant::now();
        let end = now + wait;
        if self.options.until.is_some_and(|until| end >= until) {
            return false;
        }
        let mut waits = self.waits.lock().unwrap_or_else(PoisonError::into_inner);
        let from = waits.until.map_or(now, |u| u.max(now));
        let added = end.saturating_duration_since(from);
        if waits.total + added > MAX_WAITED {
            return false;
        }
        waits.total += added;
        waits.until = Some(waits.until.map_or(end, |u| u.max(end)));
        true
    }

    fn waited(&self) -> Duration {
        self.waits.lock().unwrap_or_else(PoisonError::into_inner).total
    }

    /// When the check's time budget ends: its budget plus the time it waited for rate limits.
    pub(super) fn budget_end(&self) -> Instant {
        let end = self.started + self.options.budget + self.waited();
        self.options.until.map_or(end, |until| end.min(until))
    }

    /// Says `what` in the evidence once, however often it happens (with the count).
    pub(super) fn note(&self, what: String) {
        let mut notes = self.notes.lock().unwrap_or_else(PoisonError::into_inner);
        match notes.iter_mut().find(|(n, _)| *n == what) {
            Some((_, count)) => *count += 1,
            None => notes.push((what, 1)),
        }
    }

    /// `result` with the notes of the run as evidence.
    pub(super) fn annotate(&self, mut result: ProbeResult) -> ProbeResult {
        let notes = std::mem::take(&mut *self.notes.lock().unwrap_or_else(PoisonError::into_inner));
        for (what, count) in notes {
            let times = if count > 1 {
                format!(" ({count} requests)")
            } else {
                String::new()
            };
            result = result.evidence("on the way", format!("{what}{times}"));
        }
        result
    }

    /// The chat body with `prompt` in place of `{{prompt}}`, escaped for JSON.
    pub(super) fn chat_body(&self, prompt: &str) -> String {
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
    pub(super) fn route_call(&self, route: &Route, url: Url) -> Call {
        let call = Call::new(&route.method, url);
        if takes_body(&route.method) {
            call.json(self.body_for(route))
        } else {
            call
        }
    }

    /// The chat route as a call, or `None` when the target has none.
    pub(super) fn chat_call(&self, prompt: &str) -> Option<Call> {
        let chat = self.file.target.chat.as_ref()?;
        let url = self.url(&chat.path)?;
        Some(Call::new(&chat.method, url).json(self.chat_body(prompt)))
    }

    /// Whether the chat route needs a login: listed among the private routes, or refusing a
    /// message sent without a token (401/403). Costs at most one request.
    pub(super) async fn chat_is_private(&self) -> bool {
        let Some(chat) = &self.file.target.chat else {
            return false;
        };
        let listed = self
            .file
            .target
            .private_routes
            .iter()
            .any(|r| r.path == chat.path && r.method.eq_ignore_ascii_case(&chat.method));
        if listed {
            return true;
        }
        let Some(call) = self.chat_call("Hello") else {
            return false;
        };
        matches!(self.fetch(&call).await, Ok(r) if r.status == 401 || r.status == 403)
    }

    pub(super) fn active(&self) -> bool {
        self.file.active.allowed
    }

    pub(super) fn max_requests(&self) -> usize {
        usize::try_from(self.file.active.max_requests).unwrap_or(usize::MAX)
    }

    /// When an open-ended loop (burst, sampling) must stop: most of the budget (and the time
    /// waited for rate limits), leaving time to report.
    pub(super) fn deadline(&self) -> Instant {
        self.started + self.options.budget.mul_f64(0.75) + self.waited()
    }
}

/// The token the check needs: `Err` is the result to return when the target does not name
/// its variable (skipped) or the variable is not set (error).
/// The token of `who` for this run, or the result to give when there is none: `skipped` when
/// the target names no way to get one, `error` when the named variable is unset or the sign-in
/// failed.
pub(super) fn need_token<'t>(run: &Run<'t>, who: Who) -> Result<&'t str, Box<ProbeResult>> {
    let id = run.id;
    let auth = &run.file.auth;
    if let Some(token) = run.tokens.get(who) {
        return Ok(token);
    }
    // The lower-role account may be account B (`low_is_b`): its source is B's.
    let source = if who == Who::Low && auth.token_low_env.is_none() && auth.low_is_b {
        Who::B
    } else {
        who
    };
    let (env, email) = match source {
        Who::A => (auth.token_a_env.as_deref(), auth.sign_in.a.as_deref()),
        Who::B => (auth.token_b_env.as_deref(), auth.sign_in.b.as_deref()),
        Who::Low => (auth.token_low_env.as_deref(), None),
    };
    let whose = who.name();
    let failure =
        |summary: String, fix: String| Box::new(ProbeResult::new(id, Status::Error, title(id), summary).fix(fix));
    if email.is_some() {
        let why = run
            .tokens
            .sign_in_failure(source)
            .unwrap_or("no sign-in was made for this run");
        return Err(failure(
            format!(
                "Signing in as {} through the sign-in route gave no token ({why}), so this could not be tested.",
                source.name()
            ),
            format!(
                "Check the test email and password of {} and the sign-in route, then run the check again.",
                source.name()
            ),
        ));
    }
    let Some(env) = env else {
        let key = who.key();
        return Err(Box::new(skipped(
            id,
            &format!("The target file names no test token for {whose}, so this was not tried."),
            &format!(
                "Create a test user for {whose}, put its token in an environment variable and name the variable under [auth] ({key} = \"LAUNCHREADY_TOKEN\")."
            ),
        )));
    };
    Err(failure(
        format!("The environment variable {env} (the token for {whose}) is not set, so this could not be tested."),
        format!("Set {env} to a valid token for {whose} in the shell that runs launchready, then run the check again."),
    ))
}

pub(crate) fn is_read(method: &str) -> bool {
    method.eq_ignore_ascii_case("GET") || method.eq_ignore_ascii_case("HEAD")
}

fn takes_body(method: &str) -> bool {
    ["POST", "PUT", "PATCH"].iter().any(|m| method.eq_ignore_ascii_case(m))
}

/// `route.path` with `{id}` replaced by `id` (percent-encoded); `None` when another placeholder
/// is left, since the probe cannot guess its value.
pub(super) fn fill(path: &str, id: &str) -> Option<String> {
    let filled = path.replace("{id}", &encode(id));
    (!(filled.contains('{') && filled.contains('}'))).then_some(filled)
}

/// Percent-encodes everything but unreserved characters, for a path segment or query value.
pub(super) fn encode(value: &str) -> String {
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

pub(super) fn route_name(route: &Route) -> String {
    format!("{} {}", route.method.to_ascii_uppercase(), route.path)
}

/// How a request that should have been refused was answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Judged {
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

pub(super) fn judge_private(outcome: &Result<Reply, HttpError>) -> Judged {
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
pub(super) const NOT_FOUND: &str = "the route was not found: check the path in the target file";

pub(super) fn missing_words(status: u16) -> String {
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
pub(super) fn resolve_missing(judged: Judged, control: Option<&Result<Reply, HttpError>>) -> Judged {
    match judged {
        Judged::Missing(status) => match control {
            Some(Ok(r)) if r.status != 404 && r.status != 405 => Judged::Refused,
            _ => Judged::Unclear(missing_words(status)),
        },
        other => other,
    }
}

/// The Location header, redacted whole before it is cut.
pub(super) fn location(r: &Reply) -> String {
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
pub(super) fn carries_data(r: &Reply) -> bool {
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
pub(super) fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// A rate-limited answer: 429, or 503 with a Retry-After.
pub(super) fn is_limited(r: &Reply) -> bool {
    r.status == 429 || (r.status == 503 && r.header("retry-after").is_some())
}

/// How long a rate-limited answer asks the client to wait: `Retry-After` (seconds or an HTTP
/// date), else the `RateLimit-Reset` / `X-RateLimit-Reset` some APIs send instead (seconds, or
/// a Unix time when the number is that large).
pub(super) fn retry_after(r: &Reply, now: SystemTime) -> Option<Duration> {
    if let Some(value) = r.header("retry-after") {
        if let Ok(secs) = value.parse::<u64>() {
            return Some(Duration::from_secs(secs));
        }
        if let Ok(at) = httpdate::parse_http_date(value) {
            return Some(at.duration_since(now).unwrap_or(Duration::ZERO));
        }
    }
    let reset = ["ratelimit-reset", "x-ratelimit-reset"]
        .iter()
        .find_map(|h| r.header(h).and_then(|v| v.parse::<u64>().ok()))?;
    // Numbers past a year of seconds are points in time, not waits.
    if reset > 365 * 24 * 3_600 {
        let at = UNIX_EPOCH + Duration::from_secs(reset);
        Some(at.duration_since(now).unwrap_or(Duration::ZERO))
    } else {
        Some(Duration::from_secs(reset))
    }
}

pub(super) fn with_token(call: Call, token: Option<&str>) -> Call {
    match token {
        Some(token) => call.bearer(token),
        None => call,
    }
}

/// `1 route`, `3 routes`.
pub(super) fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

pub(super) fn join_words(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::reply;
    use super::*;
    use std::time::Duration;

    #[test]
    fn placeholders_are_filled_or_refused() {
        assert_eq!(fill("/api/c/{id}", "conv_b1").as_deref(), Some("/api/c/conv_b1"));
        assert_eq!(fill("/api/c/{id}", "a b/'").as_deref(), Some("/api/c/a%20b%2F%27"));
        assert_eq!(fill("/api/orgs/{org}/c/{id}", "x"), None);
        assert_eq!(fill("/api/c", "x").as_deref(), Some("/api/c"));
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
}
