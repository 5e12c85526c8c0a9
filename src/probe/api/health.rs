//! `api.health` and `api.request_id`: the health route monitors call, and the request ids that
//! tie an answer to the logs.

use std::time::Duration;

use futures_util::future::join_all;

use super::super::http::{Call, Reply};
use super::super::{ProbeResult, Status};
use super::request::{Run, Sent, fill, is_limited, is_read, location, route_name};
use super::{skipped, title};

// --- api.health ---------------------------------------------------------------------------

pub(crate) async fn health(run: &Run<'_>) -> ProbeResult {
    let Some(path) = run.file.target.health_path.as_deref() else {
        return skipped(
            run.id,
            "The target file names no health address, so it was not tried.",
            "Add health_path = \"/health\" under [target] (and a route that answers it, if you have none).",
        );
    };
    let Some(url) = run.url(path) else {
        return ProbeResult::new(
            run.id,
            Status::Error,
            title(run.id),
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
    let result = ProbeResult::new(run.id, status, title(run.id), summary).evidence(sent.label, line);
    result.fix_if(fix)
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
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

pub(crate) async fn request_id(run: &Run<'_>) -> ProbeResult {
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
    // A rate limit's answer says nothing about the app's ids (the limiter may answer first).
    let limited = sent.iter().filter_map(Sent::reply).any(is_limited);
    let answered: Vec<&Reply> = sent.iter().filter_map(Sent::reply).filter(|r| !is_limited(r)).collect();
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
        let why = if limited {
            "your API's rate limit answered 429 (too many requests) even after waiting".to_string()
        } else {
            sent.iter()
                .find_map(|s| s.outcome.as_ref().err())
                .map_or_else(|| "nothing was sent".to_string(), ToString::to_string)
        };
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
    let mut result = ProbeResult::new(run.id, status, title(run.id), summary);
    for s in &sent {
        result = result.evidence(s.label.clone(), s.line(&shown));
    }
    result.fix_if(fix)
}
