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

use url::Url;

use super::engine::{self, Progress};
use super::http::{Http, MIN_SCRUBBED, seconds, token_preview};
use super::registry::{self, ApiFn, Check, Family, Runner};
use super::{ProbeResult, Status};
use crate::checklist::Checklist;
use crate::target::{Auth, TargetFile};

pub use request::MAX_WAITED;

pub(crate) mod auth;
pub(crate) mod cache;
pub(crate) mod cors;
pub(crate) mod health;
pub(crate) mod leakage;
pub(crate) mod limits;
pub mod needs;
mod request;
pub mod signin;
pub(crate) mod webhook;

pub use request::Run;

/// The test tokens, read from the environment variables the target file names. Never stored,
/// never printed: `Debug` shows only a preview and the length.
#[derive(Clone, Default)]
pub struct Tokens {
    pub a: Option<String>,
    pub b: Option<String>,
    pub low: Option<String>,
    /// Why signing in as A or B gave no token (a short reason, with no password in it).
    pub failed_a: Option<String>,
    pub failed_b: Option<String>,
    /// The passwords signed in with: never sent anywhere else, scrubbed from results all the same.
    pub hidden: Vec<String>,
}

/// A test account of the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    A,
    B,
    /// The lower-role user the admin routes must refuse.
    Low,
}

impl Who {
    /// How the account is named in findings.
    pub fn name(self) -> &'static str {
        match self {
            Who::A => "account A",
            Who::B => "account B",
            Who::Low => "a lower-role user",
        }
    }

    /// The `[auth]` key naming the account's token variable.
    pub fn key(self) -> &'static str {
        match self {
            Who::A => "token_a_env",
            Who::B => "token_b_env",
            Who::Low => "token_low_env",
        }
    }
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |t: &Option<String>| t.as_deref().map(token_preview);
        f.debug_struct("Tokens")
            .field("a", &show(&self.a))
            .field("b", &show(&self.b))
            .field("low", &show(&self.low))
            .field("failed_a", &self.failed_a)
            .field("failed_b", &self.failed_b)
            .field("hidden", &format_args!("{} hidden", self.hidden.len()))
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
        let b = read(&auth.token_b_env);
        let low =
            read(&auth.token_low_env).or_else(|| b.clone().filter(|_| auth.low_is_b && auth.token_low_env.is_none()));
        Tokens {
            a: read(&auth.token_a_env),
            b,
            low,
            failed_a: None,
            failed_b: None,
            hidden: Vec::new(),
        }
    }

    /// The token of `who`, when there is one.
    pub fn get(&self, who: Who) -> Option<&str> {
        match who {
            Who::A => self.a.as_deref(),
            Who::B => self.b.as_deref(),
            Who::Low => self.low.as_deref(),
        }
    }

    /// Why signing in as `who` gave no token, when it was tried and failed.
    pub fn sign_in_failure(&self, who: Who) -> Option<&str> {
        match who {
            Who::A => self.failed_a.as_deref(),
            Who::B => self.failed_b.as_deref(),
            Who::Low => None,
        }
    }

    /// Takes the outcome of signing in as `who`: the token where it worked (a token from a
    /// variable stays), the reason where not. Account B's token is also the lower-role one when
    /// the target says B is an ordinary user and names no other.
    pub fn signed_in(&mut self, who: Who, outcome: Result<String, String>, auth: &Auth) {
        match (who, outcome) {
            (Who::A, Ok(token)) => {
                self.a.get_or_insert(token);
            }
            (Who::B, Ok(token)) => {
                if auth.low_is_b && auth.token_low_env.is_none() && self.low.is_none() {
                    self.low = Some(token.clone());
                }
                self.b.get_or_insert(token);
            }
            (Who::A, Err(why)) => self.failed_a = Some(why),
            (Who::B, Err(why)) => self.failed_b = Some(why),
            (Who::Low, _) => {}
        }
    }

    fn values(&self) -> impl Iterator<Item = &str> {
        [&self.a, &self.b, &self.low]
            .into_iter()
            .flatten()
            .chain(&self.hidden)
            .map(String::as_str)
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
    /// The longest one check may run (plus the time it waits for rate limits); a check still
    /// running then is stopped with `error`.
    pub budget: Duration,
    /// The end of the whole run: no check runs or waits past it. `None`: only the budget.
    pub until: Option<Instant>,
}

impl Default for ApiOptions {
    fn default() -> Self {
        ApiOptions {
            latency_p95_ms: 500.0,
            model_bound_ms: None,
            budget: Duration::from_secs(60),
            until: None,
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

/// Runs one check of the family without an engine around it (tests, benchmarks); `None` for an
/// id this family does not have. A check the target does not configure comes back `skipped`
/// with the reason; one that cannot decide comes back `error`.
pub async fn check(
    id: &str,
    target: &TargetFile,
    tokens: &Tokens,
    http: &Http,
    options: &ApiOptions,
) -> Option<ProbeResult> {
    let check = registry::find(id).filter(|c| c.family == Family::Api)?;
    let Runner::Api(f) = check.run else { return None };
    Some(run(check, f, target, tokens, http, options, &Progress::silent(check.id)).await)
}

/// Runs every check of the family in the engine's order (ordinary checks together, then the
/// latency sample, then the burst), returned in report order.
pub async fn check_all(target: &TargetFile, tokens: &Tokens, http: &Http, options: &ApiOptions) -> Vec<ProbeResult> {
    let checks: Vec<&'static Check> = registry::CHECKS.iter().filter(|c| c.family == Family::Api).collect();
    engine::phased(&checks, |check| check_one(check, target, tokens, http, options)).await
}

async fn check_one(
    check: &'static Check,
    target: &TargetFile,
    tokens: &Tokens,
    http: &Http,
    options: &ApiOptions,
) -> ProbeResult {
    match check.run {
        Runner::Api(f) => run(check, f, target, tokens, http, options, &Progress::silent(check.id)).await,
        Runner::Email(_) | Runner::Web(_) => {
            ProbeResult::new(check.id, Status::Skipped, check.title, "Not an API check.")
        }
    }
}

/// Runs `f`, the API check `check`, within its time budget. The budget grows by the time the
/// check waited because the API asked it to (429 with `Retry-After`), up to [`MAX_WAITED`] in all;
/// every token is scrubbed from the result.
pub(crate) async fn run(
    check: &'static Check,
    f: ApiFn,
    target: &TargetFile,
    tokens: &Tokens,
    http: &Http,
    options: &ApiOptions,
    progress: &Progress,
) -> ProbeResult {
    let Some(base) = base_of(target) else {
        return skipped(
            check.id,
            "The target file gives no API or app address, so there is nothing to test.",
            "Add api_base = \"https://api.your-product.example\" under [target].",
        );
    };
    let run = Run::new(check.id, target, tokens, http, options, base, progress);
    let work = f(&run);
    tokio::pin!(work);
    let result = loop {
        let end = run.budget_end();
        tokio::select! {
            result = &mut work => break result,
            () = tokio::time::sleep_until(end.into()) => {
                if Instant::now() >= run.budget_end() {
                    break ProbeResult::new(
                        check.id,
                        Status::Error,
                        check.title,
                        format!(
                            "The check did not finish within its time budget ({}, plus any wait your API asked for, and no later than the end of the run) and was stopped; nothing was decided.",
                            seconds(options.budget)
                        ),
                    )
                    .fix("Check that the API answers promptly (each request may take up to the --timeout, 5 s unless set), then run the check again.");
                }
            }
        }
    };
    scrub(run.annotate(result), tokens)
}

use registry::title;

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
            ..Default::default()
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
            ..Default::default()
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
            reconnected: false,
        }
    }
}
