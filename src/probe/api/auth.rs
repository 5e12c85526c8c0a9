//! `api.auth_required`, `api.object_authz` and `api.role_authz`: private routes need a login,
//! one customer cannot open another's data, admin routes need an admin; with the forged tokens
//! they are tried with.

use std::time::SystemTime;

use futures_util::future::join_all;
use url::Url;

use super::super::http::{Call, Reply};
use super::super::{ProbeResult, Status};
use super::request::{
    Judged, NO_SUCH_ID, NOT_FOUND, Run, Sent, carries_data, encode, fill, is_read, judge_private, missing_words,
    need_token, plural, resolve_missing, route_name, unix_now,
};
use super::{Who, skipped, title};
use crate::target::Route;

/// Routes of one kind tried at most, so a long list cannot turn a check into a flood.
const MAX_ROUTES: usize = 12;

/// `n` unpredictable bytes (for fake signatures): no crate needed for something this small.
pub(super) fn random_bytes(n: usize) -> Vec<u8> {
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

// --- api.auth_required ----------------------------------------------------------------------

const AUTH_VARIANTS: [&str; 4] = [
    "no token",
    "malformed token",
    "expired token",
    "unsigned token (alg: none)",
];

pub(crate) async fn auth_required(run: &Run<'_>) -> ProbeResult {
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
            run.id,
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
    let mut result = ProbeResult::new(run.id, status, title(run.id), summary);
    for (_, sent) in &sent {
        result = result.evidence(sent.label.clone(), sent.line(&["www-authenticate", "location"]));
    }
    for (_, control) in &controls {
        result = result.evidence(control.label.clone(), control.line(&["location"]));
    }
    for note in notes {
        result = result.evidence("note", note);
    }
    result.fix_if(fix)
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

pub(crate) async fn object_authz(run: &Run<'_>) -> ProbeResult {
    let auth = &run.file.auth;
    let Some(object) = auth.object_b.as_deref() else {
        return skipped(
            run.id,
            "The target file names no object of account B, so one customer's access to another's data was not tried.",
            "Create two test accounts, note the id of something account B owns, and set object_b, token_a_env and token_b_env under [auth].",
        );
    };
    let a = match need_token(run, Who::A) {
        Ok(token) => token,
        Err(result) => return *result,
    };
    let b = match need_token(run, Who::B) {
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
            run.id,
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
    let mut result = ProbeResult::new(run.id, status, title(run.id), summary);
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
    result.fix_if(fix)
}

// --- api.role_authz -----------------------------------------------------------------------

pub(crate) async fn role_authz(run: &Run<'_>) -> ProbeResult {
    let t = &run.file.target;
    if t.admin_routes.is_empty() {
        return skipped(
            run.id,
            "The target file lists no admin routes, so none were tried.",
            "List the admin-only routes under [[target.admin_routes]] and name a lower-role test token (token_low_env under [auth]).",
        );
    }
    let auth = &run.file.auth;
    let low = match need_token(run, Who::Low) {
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
            run.id,
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
    let mut result = ProbeResult::new(run.id, status, title(run.id), summary);
    for (_, s, control) in &tried {
        result = result.evidence(s.label.clone(), s.line(&["location"]));
        if let Some(c) = control {
            result = result.evidence(c.label.clone(), c.line(&[]));
        }
    }
    for route in not_tried {
        result = result.evidence("not tried", format!("{route}: it could change data"));
    }
    result.fix_if(fix)
}

#[cfg(test)]
mod tests {
    use super::super::webhook::wrong_stripe_signature;
    use super::*;

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
}
