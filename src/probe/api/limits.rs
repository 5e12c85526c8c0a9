//! `api.rate_limit` and `api.latency`: the burst against the chat and sign-in routes, and the
//! response-time samples with their percentiles.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures_util::future::join_all;

use super::super::http::{Call, HttpError, exchange, redact_keys, seconds};
use super::super::{ProbeResult, Status, shorten};
use super::request::{NOT_FOUND, Run, fill, is_limited, is_read, plural, route_name, with_token};
use super::{skipped, title};

/// Latency samples of the judged route without and with permission for active probing, and of
/// the other route (context) when active.
const PASSIVE_SAMPLES: usize = 5;
const ACTIVE_SAMPLES: usize = 30;
const CONTEXT_SAMPLES: usize = 10;
/// The fewest answers a p95 is judged on: with fewer, one slow answer decides it.
const MIN_SAMPLES: usize = 20;
/// The fewest answers a slow median fails on.
const MIN_MEDIAN_SAMPLES: usize = 5;
/// Requests of a rate-limit burst in flight together.
const BURST_BATCH: usize = 10;
/// Below this many requests, a burst without a 429 proves little.
const CONVINCING_BURST: usize = 20;

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

async fn burst(run: &Run<'_>, call: &Call, max: usize) -> Burst {
    let started = Instant::now();
    let mut found = Burst::default();
    while found.sent < max && Instant::now() < run.deadline() {
        let size = BURST_BATCH.min(max - found.sent);
        let first = found.sent;
        let answers = join_all((0..size).map(|i| async move { (first + i + 1, run.fetch_raw(call).await) })).await;
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

pub(crate) async fn rate_limit(run: &Run<'_>) -> ProbeResult {
    let t = &run.file.target;
    if t.chat.is_none() && t.login.is_none() {
        return skipped(
            run.id,
            "The target file names no chat or login route, so no burst was sent.",
            "Describe the chat route under [target.chat] and the sign-in route under [target.login].",
        );
    }
    let max = run.max_requests();
    if !run.active() {
        return skipped(
            run.id,
            &format!("Not tried: this check sends a burst of up to {max} requests, which needs your permission."),
            "If you own this product or may test it, set allowed = true under [active] in the target file (max_requests bounds the burst).",
        );
    }
    let login = t.login.as_ref().and_then(|l| {
        let url = run.url(&l.path)?;
        let body = super::signin::login_body(
            l.body.as_deref(),
            "launchready-probe@example.invalid",
            "not-the-password",
        );
        Some(Call::new("POST", url).json(body))
    });
    // The seeds ask for limits per IP address and per user: a public chat route gets a burst
    // without a login and, with a test token, one as account A; a private one only the latter.
    let mut chats: Vec<(&'static str, Call)> = Vec::new();
    let mut unsent: Option<String> = None;
    if let Some(call) = run.chat_call("Hello") {
        let private = run.chat_is_private().await;
        match (private, run.tokens.a.as_deref()) {
            (true, Some(a)) => chats.push(("chat route, as account A,", call.bearer(a))),
            (true, None) => {
                unsent = Some(
                    "your chat route needs a login and no token for account A is set, so no chat burst was sent".into(),
                );
            }
            (false, a) => {
                chats.push(("chat route", call.clone()));
                if let Some(a) = a {
                    chats.push(("chat route, as account A,", call.bearer(a)));
                }
            }
        }
    }
    let login_max = match (chats.is_empty(), &login) {
        (_, None) => 0,
        (true, Some(_)) => max,
        (false, Some(_)) => (max / 4).clamp(1, 25),
    };
    let chat_max = max.saturating_sub(login_max) / chats.len().max(1);
    // One after the other: bursts at the same time would share one per-IP limit, and a 429 could
    // not be told apart.
    let mut judged: Vec<(&str, Burst, Status, String)> = Vec::new();
    for (i, (name, call)) in chats.iter().enumerate() {
        if chat_max == 0 {
            break;
        }
        let b = burst(run, call, chat_max).await;
        let (mut status, mut sentence) = judge_burst(name, &b, true);
        // Right after the burst without a login, a 429 at once is most likely that burst's
        // per-IP limit: it shows no limit of its own, so it decides nothing.
        if i > 0 && matches!(b.limited_at, Some((1, _))) {
            status = Status::Skipped;
            sentence = format!(
                "your {name} met a limit at its very first request, most likely the one the burst before reached, so a separate limit per user was not shown"
            );
        }
        judged.push((name, b, status, sentence));
    }
    if let Some(call) = &login
        && login_max > 0
    {
        let b = burst(run, call, login_max).await;
        let (status, sentence) = judge_burst("sign-in route", &b, false);
        judged.push(("sign-in route", b, status, sentence));
    }
    let rank = |s: Status| match s {
        Status::Fail => 0,
        Status::Error => 1,
        Status::Warn => 2,
        _ => 3,
    };
    let mut status = judged
        .iter()
        .map(|(_, _, s, _)| *s)
        .min_by_key(|s| rank(*s))
        .unwrap_or(Status::Error);
    let mut sentences: Vec<String> = judged.iter().map(|(_, _, _, s)| s.clone()).collect();
    if let Some(why) = &unsent {
        sentences.push(why.clone());
        if status == Status::Pass {
            status = Status::Warn;
        }
    }
    if let Some(first) = sentences.first_mut() {
        let mut letters = first.chars();
        if let Some(c) = letters.next() {
            *first = c.to_uppercase().chain(letters).collect();
        }
    }
    let mut summary = sentences.join("; ");
    summary.push('.');
    if status == Status::Fail
        && judged
            .iter()
            .any(|(n, _, s, _)| n.starts_with("chat") && *s == Status::Fail)
    {
        summary.push_str(" Anyone can run up your AI bill or slow the service for everyone.");
    }
    let fix = match status {
        Status::Fail | Status::Warn if unsent.is_some() && judged.iter().all(|(_, _, s, _)| *s == Status::Pass) => {
            Some(
                "Set the environment variable named by token_a_env under [auth] to a test account's token, so the chat route's limit can be tested too.",
            )
        }
        Status::Fail | Status::Warn => Some(
            "Limit requests per user and per IP address on the chat and login routes (e.g. 30 chat messages a minute, 10 sign-in attempts in 10 minutes), answer 429 with a Retry-After header when the limit is hit, and keep the limit in a shared store (Redis) when you run several servers.",
        ),
        Status::Error => Some("Check that the routes are reachable and a test token is set, then run the check again."),
        _ => None,
    };
    let mut result = ProbeResult::new(run.id, status, title(run.id), summary);
    for (name, b, _, _) in &judged {
        let label = name.trim_end_matches(',');
        let first = match &b.limited_at {
            None => "no 429".to_string(),
            Some((1, _)) => format!(
                "429 from the first request: the limit was already reached by earlier requests ({})",
                if label.starts_with("chat") {
                    "this run's latency sample, sent just before, or an earlier run"
                } else {
                    "an earlier run"
                }
            ),
            Some((n, _)) => format!("first 429 at request {n}"),
        };
        result = result.evidence(
            format!("burst on your {label}"),
            format!(
                "{} requests in {} ({} at a time); {first}",
                b.sent,
                seconds(b.elapsed),
                BURST_BATCH
            ),
        );
        if let Some(example) = &b.example {
            result = result.evidence(format!("an answer of your {label}"), example.clone());
        }
    }
    result.fix_if(fix)
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
    let mut s = Samples {
        name: name.to_string(),
        limit_ms,
        times: Vec::new(),
        timeouts: 0,
        trouble: None,
        example: None,
    };
    for _ in 0..count {
        // Asked again each time: a wait for a rate limit moves the deadline.
        if Instant::now() >= run.deadline() {
            s.trouble.get_or_insert_with(|| "the time budget ran out".into());
            break;
        }
        let outcome = run.fetch(call).await;
        if s.example.is_none() {
            s.example = Some(exchange(call, &outcome, &[]));
        }
        match outcome {
            Ok(r) if r.is_success() => s.times.push(u64::try_from(r.elapsed.as_micros()).unwrap_or(u64::MAX)),
            Ok(r) if is_limited(&r) => {
                s.trouble = Some("your API's rate limit still answered 429 after the wait it asked for".into());
                break;
            }
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

/// What the latency check times: the chat route when there is one (the seeds' "normal chat
/// requests"), else a health or private read route; the other route's figures are context.
struct Plan {
    judged: Option<(String, Call, f64)>,
    context: Option<(String, Call)>,
    /// Why the chat route could not be timed (it needs a login and no token is set).
    blocked: Option<String>,
}

async fn latency_plan(run: &Run<'_>) -> Plan {
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
    let chat_limit = run.options.model_bound_ms.unwrap_or(run.options.latency_p95_ms);
    let Some(chat) = run.chat_call("Hello") else {
        return Plan {
            judged: normal.map(|(name, call)| (name, call, run.options.latency_p95_ms)),
            context: None,
            blocked: None,
        };
    };
    // A private chat route answers 401 without a token: timing that would time the refusal.
    let private = run.chat_is_private().await;
    match (private, run.tokens.a.as_deref()) {
        (true, None) => Plan {
            blocked: Some(format!(
                "Your chat route needs a login and no token for account A is set, so its speed (the one the checklist judges) could not be measured{}.",
                if normal.is_some() {
                    "; the other route's figures are below"
                } else {
                    ""
                }
            )),
            judged: None,
            context: normal,
        },
        (_, token) => Plan {
            judged: Some(("chat route".into(), with_token(chat, token), chat_limit)),
            context: normal,
            blocked: None,
        },
    }
}

pub(crate) async fn latency(run: &Run<'_>) -> ProbeResult {
    let plan = latency_plan(run).await;
    if plan.judged.is_none() && plan.context.is_none() {
        return skipped(
            run.id,
            "The target file names no health address, chat route or private GET route with a token, so nothing was timed.",
            "Describe the chat route under [target.chat] (or add health_path under [target]), so response times can be sampled.",
        );
    }
    let max = run.max_requests();
    let (judged_n, context_n) = if run.active() {
        let judged_n = max.min(ACTIVE_SAMPLES);
        (judged_n, max.saturating_sub(judged_n).min(CONTEXT_SAMPLES))
    } else {
        (PASSIVE_SAMPLES, PASSIVE_SAMPLES)
    };
    let judged = match &plan.judged {
        Some((name, call, limit)) => Some(sample(run, name, call, judged_n, *limit).await),
        None => None,
    };
    let context = match &plan.context {
        Some((name, call)) if context_n > 0 => {
            Some(sample(run, name, call, context_n, run.options.latency_p95_ms).await)
        }
        _ => None,
    };
    let timeout = run.http.timeout();
    let (status, summary, fix) = match (&judged, &plan.blocked) {
        (_, Some(blocked)) => (
            Status::Error,
            blocked.clone(),
            Some("Set the environment variable named by token_a_env under [auth] to a test account's token, then run the check again.".to_string()),
        ),
        (Some(s), None) => judge_samples(s, run.active(), timeout),
        (None, None) => (
            Status::Error,
            "Nothing could be timed.".to_string(),
            None,
        ),
    };
    let mut result = ProbeResult::new(run.id, status, title(run.id), summary);
    for s in judged.iter().chain(context.iter()) {
        let figures = percentiles(s).map_or_else(
            || "not measured".to_string(),
            |p| {
                format!(
                    "p50 {} · p95 {} · p99 {} · max {} · {} · limit {}",
                    show_ms(p[0]),
                    show_ms(p[1]),
                    show_ms(p[2]),
                    show_ms(p[3]),
                    plural(s.times.len(), "request, one at a time", "requests, one at a time"),
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
        let role = if judged.as_ref().is_some_and(|j| std::ptr::eq(j, s)) {
            ""
        } else {
            " (context, not judged)"
        };
        result = result.evidence(format!("{}{role}", s.name), format!("{figures}{timeouts}{trouble}"));
        if let Some(example) = &s.example {
            result = result.evidence(format!("{} request", s.name), example.clone());
        }
    }
    result.fix_if(fix)
}

/// The verdict on the judged route's samples: a p95 needs at least [`MIN_SAMPLES`] answers to
/// pass; fewer is a warning ("too few samples to judge"), unless even the median is over the
/// limit, which is a failure on any sample.
fn judge_samples(s: &Samples, active: bool, timeout: Duration) -> (Status, String, Option<String>) {
    let n = s.times.len();
    let late = s.timeouts * 10 > n + s.timeouts;
    let Some(p) = percentiles(s) else {
        let why = s.trouble.clone().unwrap_or_else(|| "no request was answered".into());
        return (
            Status::Error,
            format!("Could not time your {}: {why}.", s.name),
            Some(
                "Check that the route is reachable and answers 200 with the test token, then run the check again."
                    .into(),
            ),
        );
    };
    if late {
        return (
            Status::Error,
            format!(
                "Your {} did not answer in time: {} of {} requests ran past the {} timeout, so its speed could not be measured (a timeout is not a response time).",
                s.name,
                s.timeouts,
                n + s.timeouts,
                seconds(timeout)
            ),
            Some(
                "Check that the API is up and not overloaded, or raise the timeout with --timeout if answers this slow are expected, then run the check again."
                    .into(),
            ),
        );
    }
    let slow_fix = if s.name == "chat route" {
        "Find where the chat request waits: stream the model's answer, trim the prompt and context, cache what repeats, and move slow tool calls to a background job; where the AI model itself is the slow part, agree a model-bound limit and put timeouts and retries around the call."
    } else {
        "Find what this route waits on (slow database queries, calls to other services, cold starts) and fix or cache it; keep normal requests free of AI model calls."
    };
    let counted = plural(n, "request", "requests");
    let (limit, p50, p95) = (show_ms(s.limit_ms), show_ms(p[0]), show_ms(p[1]));
    if p[0] > s.limit_ms && n >= MIN_MEDIAN_SAMPLES {
        return (
            Status::Fail,
            format!(
                "Your {} is slow: half of its answers take longer than {p50} (limit {limit} for 95 in 100, {counted}).",
                s.name
            ),
            Some(slow_fix.into()),
        );
    }
    if n < MIN_SAMPLES {
        let slowest = show_ms(p[3]);
        let seen = if p[3] > s.limit_ms {
            format!("; the slowest took {slowest}, over the {limit} limit")
        } else {
            format!("; the slowest took {slowest} (limit {limit})")
        };
        let (stopped, fix) = match &s.trouble {
            Some(why) => (
                format!(" before sampling stopped ({why})"),
                "Fix what stopped the sample (see the evidence), then run the check again.".to_string(),
            ),
            None if active => (
                String::new(),
                "Run the check again with more samples: raise max_requests under [active] to at least 20.".to_string(),
            ),
            None => (
                String::new(),
                "Run the check again with more samples: allow active probing (allowed = true under [active]) if you own this product or may test it.".to_string(),
            ),
        };
        return (
            Status::Warn,
            format!(
                "Too few samples to judge your {}: {counted} answered{stopped}, {MIN_SAMPLES} are needed{seen}.",
                s.name
            ),
            Some(fix),
        );
    }
    if p[1] > s.limit_ms {
        return (
            Status::Fail,
            format!(
                "Your {} is slow: 95 in 100 answers take up to {p95} (limit {limit}, {counted}).",
                s.name
            ),
            Some(slow_fix.into()),
        );
    }
    let apart = if s.timeouts > 0 {
        format!(
            " {} ran past the {} timeout and {} counted apart, not as response times.",
            plural(s.timeouts, "request", "requests"),
            seconds(timeout),
            if s.timeouts == 1 { "is" } else { "are" }
        )
    } else {
        String::new()
    };
    (
        Status::Pass,
        format!(
            "95 in 100 answers came within {p95} on your {} ({counted}), under the {limit} limit.{apart}",
            s.name
        ),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
