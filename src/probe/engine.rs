//! The one entry point every front end uses to run checks: given the target, the checklist and
//! the probe context, [`plan`] decides which checks are runnable and configured, and [`run_all`]
//! (for `scan` and `probe …`) or an [`Engine`] (for the wizard, which cancels and re-runs single
//! checks) runs them with bounded concurrency and streams [`Event`]s.
//!
//! Order: checks that need ordinary answers run first, together (at most [`CONCURRENT`] at a
//! time); then the latency sample, alone; then the rate-limit burst, alone. A check re-run in the
//! middle of a burst waits for it (the [`Env`]'s traffic lane), so a burst never runs at the same
//! time as another check. A limit a burst trips can outlast it (the next run meets it): the API
//! checks wait as the API asks and try again (see `api::Run::fetch`), so a 429 is not a verdict.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use futures_util::stream;
use tokio::sync::{OnceCell, RwLock, mpsc};
use tokio::task::AbortHandle;

use super::api::signin::Passwords;
use super::api::{self, ApiOptions, Tokens, Who};
use super::dns::Dns;
use super::email::{self, EmailOptions};
use super::http::Http;
use super::net::Names;
use super::registry::{self, Check, Runner, Traffic};
use super::web::client::WebClient;
use super::web::{Pages, Site};
use super::{ProbeCtx, ProbeResult, Status};
use crate::checklist::Checklist;
use crate::target::TargetFile;

/// Checks of the ordinary phase in flight at once.
pub const CONCURRENT: usize = 8;
/// The longest one run of checks may take, waits for rate limits included: past it, what still
/// runs is stopped with `error`.
pub const RUN_BUDGET: Duration = Duration::from_secs(300);
/// The longest one web check may take, all its requests together.
pub const WEB_BUDGET: Duration = Duration::from_secs(90);

/// What the engine reports while it runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Started {
        id: String,
    },
    /// A line to show while the check runs ("your API asked to wait 36 s").
    Progress {
        id: String,
        message: String,
    },
    Finished(ProbeResult),
}

/// Where a running check says what it is doing; silent when nobody listens.
#[derive(Debug, Clone)]
pub struct Progress {
    id: &'static str,
    tx: Option<mpsc::UnboundedSender<Event>>,
}

impl Progress {
    /// A sink that drops every line (tests, benchmarks).
    pub fn silent(id: &'static str) -> Progress {
        Progress { id, tx: None }
    }

    pub fn say(&self, message: impl Into<String>) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Event::Progress {
                id: self.id.to_string(),
                message: message.into(),
            });
        }
    }
}

/// What running checks needs besides the target: clients, test tokens and the vertical's limits,
/// set up once per target. Tokens live only here, in memory.
pub struct Env {
    /// The resolver, or why it could not be set up (e.g. no system configuration).
    pub dns: Result<Arc<Dns>, String>,
    /// The HTTP client of the API checks, or why it could not be set up.
    pub http: Result<Arc<Http>, String>,
    /// The client of the web checks (its own connections, certificates recorded, not refused).
    pub web: Arc<WebClient>,
    /// Pages the web checks fetched a moment ago.
    pages: Pages,
    pub tokens: Tokens,
    /// The passwords of the accounts the target signs in with (the wizard's), in memory only.
    passwords: Passwords,
    /// `tokens` with the sign-ins made, once per environment (again after a failed one).
    signed: tokio::sync::Mutex<Option<Tokens>>,
    pub email: EmailOptions,
    pub api: ApiOptions,
    /// Taken for reading by checks that send ordinary requests, for writing by a sample or burst.
    traffic: RwLock<()>,
    /// Whether the domain exists at all, looked up once for every email check (a failed lookup
    /// is not kept).
    domain: OnceCell<Option<(String, String)>>,
    /// The end of the latest run started ([`RUN_BUDGET`] after its start).
    until: Mutex<Option<Instant>>,
}

impl Env {
    /// Sets up DNS, the HTTP clients (which may only reach `target`'s hosts) and the vertical's
    /// options; `tokens` given directly (the demo) replace the environment variables the target
    /// names.
    pub fn new(ctx: &ProbeCtx, target: &TargetFile, checklist: &Checklist, tokens: Option<Tokens>) -> Env {
        let mut email = EmailOptions::for_checklist(checklist);
        email.selectors.extend(target.target.dkim_selectors.iter().cloned());
        Env::with(
            ctx,
            target,
            tokens.unwrap_or_else(|| Tokens::from_env(&target.auth)),
            email,
            ApiOptions::for_checklist(checklist),
        )
    }

    /// An environment for `target` with the given tokens and options.
    pub fn with(ctx: &ProbeCtx, target: &TargetFile, tokens: Tokens, email: EmailOptions, api: ApiOptions) -> Env {
        let dns = Dns::new(ctx).map(Arc::new).map_err(|e| e.to_string());
        let names = Arc::new(Names::new(ctx, dns.clone()));
        Env {
            http: Http::with_names(ctx, target, &names)
                .map(Arc::new)
                .map_err(|e| e.to_string()),
            web: Arc::new(WebClient::new(ctx, target, names)),
            pages: Pages::default(),
            dns,
            tokens,
            passwords: Passwords::default(),
            signed: tokio::sync::Mutex::new(None),
            email,
            api,
            traffic: RwLock::new(()),
            domain: OnceCell::new(),
            until: Mutex::new(None),
        }
    }

    /// Uses `passwords` to sign in the accounts the target names emails for.
    #[must_use]
    pub fn with_passwords(mut self, passwords: Passwords) -> Env {
        self.passwords = passwords;
        self
    }

    /// The tokens for the checks: the given ones, with the target's sign-ins made (once; a
    /// failed sign-in is tried again at the next run).
    pub async fn run_tokens(&self, target: &TargetFile) -> Tokens {
        let sign_in = &target.auth.sign_in;
        if sign_in.a.is_none() && sign_in.b.is_none() {
            return self.tokens.clone();
        }
        let mut signed = self.signed.lock().await;
        if let Some(tokens) = signed.as_ref() {
            return tokens.clone();
        }
        let mut tokens = self.tokens.clone();
        // An account given by email is that account: a token given another way (the demo's)
        // must not stand in for a sign-in that failed.
        if sign_in.a.is_some() {
            tokens.a = None;
        }
        if sign_in.b.is_some() {
            tokens.b = None;
        }
        match &self.http {
            Ok(http) => api::signin::sign_in_all(http, target, &self.passwords, &mut tokens).await,
            Err(why) => {
                let why = format!("the HTTP client could not be set up: {why}");
                tokens.failed_a = sign_in.a.as_ref().map(|_| why.clone());
                tokens.failed_b = sign_in.b.as_ref().map(|_| why);
            }
        }
        *signed = Some(tokens.clone());
        tokens
    }

    /// A run starts now: no check of it runs past [`RUN_BUDGET`] from now.
    fn begin_run(&self) {
        if let Ok(mut signed) = self.signed.try_lock()
            && signed
                .as_ref()
                .is_some_and(|t| t.failed_a.is_some() || t.failed_b.is_some())
        {
            *signed = None;
        }
        self.pages.clear();
        let end = Instant::now() + RUN_BUDGET;
        let mut until = lock(&self.until);
        *until = Some(until.map_or(end, |u| u.max(end)));
    }

    fn run_until(&self) -> Option<Instant> {
        *lock(&self.until)
    }
}

/// The checks `checklist` names that this build runs and `target` configures, in report order.
pub fn plan(checklist: &Checklist, target: &TargetFile) -> Vec<&'static Check> {
    let named = checklist.check_ids();
    registry::CHECKS
        .iter()
        .filter(|c| named.contains(c.id) && (c.configured)(target))
        .collect()
}

/// Runs `checks` in phases (see the module documentation), calling `run` for each; the outputs
/// come back in the order of `checks`.
pub async fn phased<T, F, Fut>(checks: &[&'static Check], run: F) -> Vec<T>
where
    F: Fn(&'static Check) -> Fut,
    Fut: Future<Output = T>,
{
    let mut out: Vec<Option<T>> = checks.iter().map(|_| None).collect();
    for phase in [Phase::Ordinary, Phase::Sample, Phase::Burst] {
        let here: Vec<(usize, &'static Check)> = checks
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, c)| Phase::of(c) == phase)
            .collect();
        let width = if phase == Phase::Ordinary { CONCURRENT } else { 1 };
        let runs: Vec<_> = here
            .into_iter()
            .map(|(i, c): (usize, &'static Check)| {
                let fut = run(c);
                async move { (i, fut.await) }
            })
            .collect();
        let done: Vec<(usize, T)> = stream::iter(runs).buffered(width).collect().await;
        for (i, value) in done {
            if let Some(slot) = out.get_mut(i) {
                *slot = Some(value);
            }
        }
    }
    out.into_iter().flatten().collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Ordinary,
    Sample,
    Burst,
}

impl Phase {
    fn of(check: &Check) -> Phase {
        match check.traffic {
            Traffic::Lookups | Traffic::Requests => Phase::Ordinary,
            Traffic::Sample => Phase::Sample,
            Traffic::Burst => Phase::Burst,
        }
    }
}

/// Runs `checks` for `target` and returns their results in the order given, sending events to
/// `events` as they happen. For front ends that run everything once (`scan`, `probe …`).
pub async fn run_all(
    target: &TargetFile,
    env: &Env,
    checks: &[&'static Check],
    events: Option<&mpsc::UnboundedSender<Event>>,
) -> Vec<ProbeResult> {
    env.begin_run();
    phased(checks, |check| async move {
        if let Some(tx) = events {
            let _ = tx.send(Event::Started {
                id: check.id.to_string(),
            });
        }
        let progress = Progress {
            id: check.id,
            tx: events.cloned(),
        };
        let result = run_one(check, target, env, &progress).await;
        if let Some(tx) = events {
            let _ = tx.send(Event::Finished(result.clone()));
        }
        result
    })
    .await
}

/// Runs one check, within its traffic lane; the result carries the registry's id and title.
pub async fn run_one(check: &'static Check, target: &TargetFile, env: &Env, progress: &Progress) -> ProbeResult {
    let result = match check.traffic {
        Traffic::Lookups => dispatch(check, target, env, progress).await,
        Traffic::Requests => {
            let _lane = env.traffic.read().await;
            dispatch(check, target, env, progress).await
        }
        Traffic::Sample | Traffic::Burst => {
            let _lane = env.traffic.write().await;
            dispatch(check, target, env, progress).await
        }
    };
    ProbeResult {
        id: check.id.to_string(),
        title: check.title.to_string(),
        ..result
    }
}

async fn dispatch(check: &'static Check, target: &TargetFile, env: &Env, progress: &Progress) -> ProbeResult {
    match check.run {
        Runner::Email(f) => {
            let Some(domain) = target.target.domain.as_deref() else {
                return ProbeResult::new(
                    check.id,
                    Status::Skipped,
                    check.title,
                    "The target gives no email domain, so nothing was looked up.",
                )
                .fix("Add domain = \"your-product.example\" under [target].");
            };
            let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
            let dns = match &env.dns {
                Ok(dns) => dns,
                Err(why) => {
                    return ProbeResult::new(
                        check.id,
                        Status::Error,
                        check.title,
                        format!("DNS could not be set up on this computer ({why}), so nothing was looked up."),
                    )
                    .fix("Pass a DNS server with --resolver, then run the check again.");
                }
            };
            // Whether the domain exists is asked once per target; a failed lookup is asked again.
            let missing = match env.domain.get() {
                Some(known) => known.clone(),
                None => match email::missing_domain(&domain, dns.as_ref()).await {
                    Ok(known) => {
                        let _ = env.domain.set(known.clone());
                        known
                    }
                    Err(failed) => Some(failed),
                },
            };
            if let Some((summary, fix)) = missing {
                return ProbeResult::new(check.id, Status::Error, check.title, summary).fix(fix);
            }
            email::bounded(check.id, f(&domain, dns, &env.email)).await
        }
        Runner::Api(f) => match &env.http {
            Ok(http) => {
                let options = ApiOptions {
                    until: env.run_until(),
                    ..env.api.clone()
                };
                let tokens = env.run_tokens(target).await;
                api::run(check, f, target, &tokens, http, &options, progress).await
            }
            Err(why) => ProbeResult::new(
                check.id,
                Status::Error,
                check.title,
                format!("Could not prepare the HTTP client: {why}"),
            ),
        },
        Runner::Web(f) => {
            let site = Site {
                target,
                client: &env.web,
                pages: &env.pages,
                progress,
            };
            // Each request has its own deadline; this bounds a check's sum of them, and the run.
            let budget = env.run_until().map_or(WEB_BUDGET, |until| {
                until.saturating_duration_since(Instant::now()).min(WEB_BUDGET)
            });
            match tokio::time::timeout(budget, f(&site)).await {
                Ok(result) => result,
                Err(_) => ProbeResult::new(
                    check.id,
                    Status::Error,
                    check.title,
                    format!(
                        "The check did not finish within {} s, so it decided nothing.",
                        budget.as_secs()
                    ),
                )
                .fix("Check that the site answers promptly, then run the check again."),
            }
        }
    }
}

/// The checks of one target as tasks: started in phases, each cancellable and re-runnable on
/// its own, reported on a channel. What the wizard drives.
pub struct Engine {
    target: Arc<TargetFile>,
    env: Arc<Env>,
    tx: mpsc::UnboundedSender<Event>,
    /// The run each id belongs to now, and its task once it started.
    runs: Arc<Mutex<Runs>>,
    generation: u64,
}

/// Each id's run number and, once started, its task.
type Runs = HashMap<&'static str, (u64, Option<AbortHandle>)>;

impl Engine {
    pub fn new(target: TargetFile, env: Env, tx: mpsc::UnboundedSender<Event>) -> Engine {
        Engine {
            target: Arc::new(target),
            env: Arc::new(env),
            tx,
            runs: Arc::default(),
            generation: 0,
        }
    }

    /// The target the engine was set up for.
    /// Signs in the target's sign-in accounts now (the wizard does before it starts the checks),
    /// keeping the tokens for the checks; for each account, whether it worked or why not.
    pub fn sign_in(&self) -> impl std::future::Future<Output = Vec<(Who, Result<(), String>)>> + Send + 'static {
        let env = self.env.clone();
        let target = self.target.clone();
        async move {
            let tokens = env.run_tokens(&target).await;
            let sign_in = &target.auth.sign_in;
            [(Who::A, &sign_in.a), (Who::B, &sign_in.b)]
                .into_iter()
                .filter(|(_, email)| email.is_some())
                .map(|(who, _)| {
                    let outcome = match (tokens.get(who), tokens.sign_in_failure(who)) {
                        (Some(_), _) => Ok(()),
                        (None, why) => Err(why.unwrap_or("no token came back").to_string()),
                    };
                    (who, outcome)
                })
                .collect()
        }
    }

    pub fn target(&self) -> &TargetFile {
        &self.target
    }

    /// Starts these checks (cancelling any earlier run of the same id) in phases. An id this
    /// build has no probe for finishes at once as `skipped`.
    pub fn start(&mut self, ids: &[String]) {
        self.env.begin_run();
        self.generation += 1;
        let generation = self.generation;
        let mut checks = Vec::new();
        for id in ids {
            let Some(check) = registry::find(id) else {
                let result = ProbeResult::new(id, Status::Skipped, id, "This check cannot run for this product.");
                let _ = self.tx.send(Event::Finished(result));
                continue;
            };
            self.cancel(check.id);
            lock(&self.runs).insert(check.id, (generation, None));
            checks.push(check);
        }
        let (target, env, tx, runs) = (
            Arc::clone(&self.target),
            Arc::clone(&self.env),
            self.tx.clone(),
            Arc::clone(&self.runs),
        );
        tokio::spawn(async move {
            phased(&checks, |check: &'static Check| {
                let (target, env, tx, runs) = (Arc::clone(&target), Arc::clone(&env), tx.clone(), Arc::clone(&runs));
                async move {
                    // Cancelled or started again since: not this run's to do.
                    if lock(&runs).get(check.id).is_none_or(|(g, _)| *g != generation) {
                        return;
                    }
                    let progress = Progress {
                        id: check.id,
                        tx: Some(tx.clone()),
                    };
                    let task = tokio::spawn(async move {
                        let _ = tx.send(Event::Started {
                            id: check.id.to_string(),
                        });
                        let result = run_one(check, &target, &env, &progress).await;
                        let _ = tx.send(Event::Finished(result));
                    });
                    if let Some(entry) = lock(&runs).get_mut(check.id).filter(|(g, _)| *g == generation) {
                        entry.1 = Some(task.abort_handle());
                    } else {
                        task.abort();
                    }
                    let _ = task.await;
                    let mut runs = lock(&runs);
                    if runs.get(check.id).is_some_and(|(g, _)| *g == generation) {
                        runs.remove(check.id);
                    }
                }
            })
            .await;
        });
    }

    /// Stops a check that is running or waiting to run; `true` when there was one.
    pub fn cancel(&mut self, id: &str) -> bool {
        match lock(&self.runs).remove(id) {
            Some((_, task)) => {
                if let Some(task) = task {
                    task.abort();
                }
                true
            }
            None => false,
        }
    }

    pub fn cancel_all(&mut self) {
        for (_, (_, task)) in lock(&self.runs).drain() {
            if let Some(task) = task {
                task.abort();
            }
        }
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.cancel_all();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
