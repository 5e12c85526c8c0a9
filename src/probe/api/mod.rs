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

use std::fmt;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use url::Url;

use super::http::{Http, MIN_SCRUBBED, seconds, token_preview};
use super::{ProbeResult, Status};
use crate::checklist::Checklist;
use crate::target::{Auth, TargetFile};

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

mod auth;
mod cors;
mod health;
mod leakage;
mod limits;
mod request;
mod webhook;

use auth::{auth_required, object_authz, role_authz};
use cors::cors;
use health::{health, request_id};
use leakage::error_leakage;
use limits::{latency, rate_limit};
use request::{Run, is_read};
use webhook::webhook_signature;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::http::Reply;

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

    /// A reply as the server would give it, for the judging tests of the family.
    pub(super) fn reply(status: u16, headers: &[(&str, &str)], body: &str) -> Reply {
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
}
