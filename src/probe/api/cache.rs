//! `edge.private_cache`: answers of private routes, asked with a test account's token, must not
//! be stored by shared caches (a CDN, a proxy): otherwise the next visitor can be served one
//! customer's page. Judged from the answer's caching headers and from a CDN's cache-hit header.

use super::super::http::Reply;
use super::super::web::edge_data;
use super::super::web::headers::{self, Cacheability};
use super::super::{ProbeResult, Status};
use super::request::{Run, fill, is_read, need_token, plural, route_name};
use super::{Who, title};
use crate::target::Route;

/// Routes asked at most.
const MAX_ROUTES: usize = 8;

/// How one answer was judged.
enum Seen {
    /// A private answer (2xx, with a login) a shared cache may store: why.
    Stored(String),
    /// A private answer only heuristic caching could keep: why.
    Heuristic(String),
    /// A private answer marked not to be stored.
    Private,
    /// Not a private answer (refused, not found, failed): what it was.
    Other(String),
}

fn judge(reply: &Reply) -> Seen {
    if !reply.is_success() {
        return Seen::Other(format!("answered {}, not a private page", reply.status));
    }
    let pairs: Vec<(String, String)> = reply
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    if let Some(hit) = edge_data::cache_hit(&pairs) {
        return Seen::Stored(format!("the CDN served it from its cache ({hit})"));
    }
    match headers::cacheability(reply.status, &reply.headers) {
        Cacheability::Stored(why) => Seen::Stored(why),
        Cacheability::Heuristic(why) => Seen::Heuristic(why),
        Cacheability::NotStored => Seen::Private,
    }
}

pub(crate) async fn private_cache(run: &Run<'_>) -> ProbeResult {
    let t = &run.file.target;
    let auth = &run.file.auth;
    let routes: Vec<&Route> = t
        .private_routes
        .iter()
        .chain(&t.admin_routes)
        .filter(|r| is_read(&r.method))
        .take(MAX_ROUTES)
        .collect();
    // A route with {id} is asked for account B's own object with B's token; others with A's
    // (or B's) token.
    // Account A's token, or B's when the target names no way to get A's.
    let who = if auth.has_a() || !auth.has_b() { Who::A } else { Who::B };
    let token = match need_token(run, who) {
        Ok(token) => token,
        Err(result) => return *result,
    };
    let mut evidence = Vec::new();
    let mut stored = Vec::new();
    let mut heuristic = Vec::new();
    let mut private = 0;
    let mut unclear = 0;
    for route in routes {
        let (path, token) = if route.path.contains('{') {
            let (Some(object), Some(b)) = (auth.object_b.as_deref(), run.tokens.b.as_deref()) else {
                evidence.push((
                    route_name(route),
                    "not asked: it needs account B's token and object (token_b_env, object_b)".to_string(),
                ));
                continue;
            };
            let Some(path) = fill(&route.path, object) else {
                evidence.push((
                    route_name(route),
                    "not asked: the path has a placeholder other than {id}".to_string(),
                ));
                continue;
            };
            (path, b)
        } else {
            (route.path.clone(), token)
        };
        let Some(url) = run.url(&path) else { continue };
        let sent = run
            .send(route_name(route), super::super::http::Call::get(url).bearer(token))
            .await;
        let line = sent.line(&["cache-control", "expires", "age", "cf-cache-status", "x-cache", "vary"]);
        match sent.reply().map(judge) {
            Some(Seen::Stored(why)) => {
                stored.push(format!("{}: {why}", route_name(route)));
                evidence.push((format!("{} (stored by shared caches)", route_name(route)), line));
            }
            Some(Seen::Heuristic(why)) => {
                heuristic.push(format!("{}: {why}", route_name(route)));
                evidence.push((format!("{} (may be cached)", route_name(route)), line));
            }
            Some(Seen::Private) => {
                private += 1;
                evidence.push((route_name(route), line));
            }
            Some(Seen::Other(what)) => {
                unclear += 1;
                evidence.push((format!("{} ({what})", route_name(route)), line));
            }
            None => {
                unclear += 1;
                evidence.push((route_name(route), line));
            }
        }
    }
    let (status, summary, fix) = if !stored.is_empty() {
        (
            Status::Fail,
            format!(
                "A shared cache may keep one customer's private answer and serve it to others: {}.",
                stored.join("; ")
            ),
            Some(
                "Send `Cache-Control: private, no-store` on every answer that depends on who is logged in, and make the CDN bypass its cache for requests with a login (an Authorization header or a session cookie).",
            ),
        )
    } else if !heuristic.is_empty() {
        (
            Status::Warn,
            format!(
                "Private answers carry no caching rule, so a cache may keep them by its own guess: {}.",
                heuristic.join("; ")
            ),
            Some("Send `Cache-Control: private, no-store` on every answer that depends on who is logged in."),
        )
    } else if private > 0 {
        (
            Status::Pass,
            format!(
                "{} asked with a test login {} marked private or not to be stored.",
                plural(private, "private answer", "private answers"),
                if private == 1 { "was" } else { "were" }
            ),
            None,
        )
    } else {
        (
            Status::Error,
            format!("None of the routes gave a private answer to judge ({unclear} unclear), so nothing was decided."),
            Some("Check the private routes and the test tokens in the target file, then run the check again."),
        )
    };
    let mut result = ProbeResult::new(run.id, status, title(run.id), summary);
    for (label, value) in evidence {
        result = result.evidence(label, value);
    }
    result.fix_if(fix)
}
