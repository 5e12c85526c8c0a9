//! `api.cors`: whether other websites may read the API's answers in a browser.

use futures_util::future::join_all;
use url::Url;

use super::super::http::{Call, Reply};
use super::super::{ProbeResult, Status};
use super::request::{NO_SUCH_ID, Run, Sent, fill, is_limited, is_read, location};
use super::title;

/// Origins the CORS check pretends to be. `.example` never resolves, so nothing reaches them.
const ATTACKER_ORIGIN: &str = "https://attacker.example";

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

pub(crate) async fn cors(run: &Run<'_>) -> ProbeResult {
    let (path, method, fallback) = cors_path(run);
    let Some(url) = run.url(&path) else {
        return ProbeResult::new(
            run.id,
            Status::Error,
            title(run.id),
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
                // A rate limit's answer carries no CORS rules of the route: no verdict.
                Ok(r) if is_limited(r) => Err(format!(
                    "your API's rate limit answered {} (too many requests) even after waiting, which says nothing about the route's rules",
                    r.status
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
    let mut result = ProbeResult::new(run.id, status, title(run.id), summary);
    for (_, s) in &sent {
        result = result.evidence(s.label.clone(), s.line(&cors_headers));
    }
    if let Some(s) = &control {
        result = result.evidence(s.label.clone(), s.line(&cors_headers));
    }
    result.fix_if(fix)
}

fn origin_of(call: &Call) -> String {
    call.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("origin"))
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::super::tests::reply;
    use super::*;

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
}
