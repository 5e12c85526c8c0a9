//! The wizard's terminal loop: draws the [`App`], feeds it keys, mouse events and probe results,
//! and carries out its [`Command`]s (save, run or cancel probes, export).
//!
//! It redraws only when something happened, ticks only while a probe runs (for the spinner), and
//! restores the terminal on exit, on panic (ratatui's hook), on Ctrl-C and on SIGTERM.

pub mod app;
pub mod theme;
pub mod ui;

use std::path::Path;
use std::time::{Duration, Instant};

use crossterm::event::{DisableMouseCapture, EnableMouseCapture, Event, EventStream};
use futures_util::StreamExt;
use tokio::sync::mpsc;

pub use app::{App, Command, ProbeState, Screen};

use crate::assessment::Store;
use crate::probe::ProbeCtx;
use crate::probe::api::Tokens;
use crate::probe::api::signin::Passwords;
use crate::probe::engine::{self, Engine, Env};
use crate::target::TargetFile;

/// The width of the terminal in columns, when there is one (for the command line's progress
/// line, which must never wrap).
pub fn terminal_width() -> Option<u16> {
    crossterm::terminal::size()
        .ok()
        .map(|(columns, _)| columns)
        .filter(|c| *c > 0)
}

/// How the wizard starts.
pub struct Options {
    pub ctx: ProbeCtx,
    pub color: bool,
    /// Test tokens given directly (the demo); otherwise read from the variables the target names.
    pub tokens: Option<Tokens>,
}

/// Runs the wizard until the user quits.
pub async fn run(mut app: App, options: Options) -> anyhow::Result<()> {
    let mut terminal = ratatui::init();
    let _ = crossterm::execute!(std::io::stdout(), EnableMouseCapture);
    let result = event_loop(&mut terminal, &mut app, &options).await;
    let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
    ratatui::restore();
    result
}

async fn event_loop(terminal: &mut ratatui::DefaultTerminal, app: &mut App, options: &Options) -> anyhow::Result<()> {
    let theme = theme::Theme::new(options.color);
    let mut events = EventStream::new();
    let (probe_tx, mut probe_rx) = mpsc::unbounded_channel::<engine::Event>();
    let mut runner = Runner::new(options.ctx.clone(), probe_tx);
    if let Some(tokens) = &options.tokens {
        runner = runner.with_tokens(tokens.clone());
    }
    #[cfg(unix)]
    let mut sigterm = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut last_area = terminal.size()?;
    loop {
        terminal.draw(|frame| {
            last_area = frame.area().as_size();
            ui::render(app, &theme, frame);
        })?;
        let tick = async {
            if app.busy() || app.export.writing.is_some() || app.product.api.signing.is_some() {
                tokio::time::sleep(Duration::from_millis(120)).await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        #[cfg(unix)]
        let term = sigterm.recv();
        #[cfg(not(unix))]
        let term = std::future::pending::<Option<()>>();
        let commands = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) => app.on_key(key),
                Some(Ok(Event::Mouse(mouse))) => {
                    let area = ratatui::layout::Rect::new(0, 0, last_area.width, last_area.height);
                    app.on_mouse(mouse, ui::list_area(app, area))
                }
                Some(Ok(_)) => vec![],
                Some(Err(e)) => return Err(e.into()),
                None => vec![Command::Quit],
            },
            Some(event) = probe_rx.recv() => app.on_event(event),
            Some(done) = runner.background() => match done {
                Background::Exported(written) => app.on_exported(written),
                Background::SignedIn((attempt, outcomes)) => app.on_signed_in(attempt, outcomes),
                Background::Discovered((attempt, found)) => app.on_discovered(attempt, found),
            },
            () = tick => vec![],
            _ = term => vec![Command::Quit],
        };
        for command in commands {
            if execute(app, &mut runner, command) {
                runner.cancel_all();
                return Ok(());
            }
        }
    }
}

/// Carries out one command; `true` means quit.
pub fn execute(app: &mut App, runner: &mut Runner, command: Command) -> bool {
    match command {
        Command::Quit => return true,
        Command::Save => save(app),
        Command::RunProbes(ids) => {
            let Some(assessment) = &app.assessment else {
                return false;
            };
            runner.prepare(&assessment.target, app.checklist());
            for id in &ids {
                app.probes.states.insert(
                    id.clone(),
                    ProbeState::Running {
                        since: Instant::now(),
                        // Until the engine starts it: a burst runs alone, the others wait.
                        note: Some("waiting for its turn".into()),
                    },
                );
            }
            runner.start(&ids);
        }
        Command::SignIn {
            target,
            passwords,
            attempt,
        } => runner.sign_in(&target, app.checklist(), passwords, attempt),
        Command::Discover(target, attempt) => runner.discover(*target, attempt),
        Command::StopProbes => runner.cancel_all(),
        Command::CancelProbes(ids) => {
            for id in ids {
                if runner.cancel(&id) {
                    app.probes.states.insert(id, ProbeState::Cancelled);
                }
            }
        }
        Command::Export {
            formats,
            folder,
            target_file,
        } => export(app, runner, &formats, &folder, target_file),
    }
    false
}

/// Saves the open assessment; a failure is shown, never silently dropped.
pub fn save(app: &mut App) {
    if let (Some(a), Some(path)) = (&app.assessment, &app.path)
        && let Err(e) = Store::save(a, path)
    {
        app.message = Some(format!("Could not save: {e:#}"));
    }
}

/// Builds the report and hands the writing (the PDF takes a moment) to `runner`, off the event
/// loop; the export screen shows a progress line until [`App::on_exported`] gets the outcome.
fn export(app: &mut App, runner: &mut Runner, formats: &[crate::report::Format], folder: &Path, target_file: bool) {
    let Some(a) = &app.assessment else { return };
    if app.export.writing.is_some() {
        return;
    }
    // Show where the files really are, not a path relative to wherever the wizard started.
    let folder = std::path::absolute(folder).unwrap_or_else(|_| folder.to_path_buf());
    let checklist = app.checklist();
    let stem = app
        .path
        .as_ref()
        .and_then(|p| p.file_stem())
        .map_or_else(|| "assessment".to_string(), |s| s.to_string_lossy().into_owned());
    // The same report as `launchready report`: branded from the environment, and compared with
    // the newest earlier assessment of the product in its folder.
    let branding = match crate::report::Branding::from_env() {
        Ok(b) => b,
        Err(e) => {
            app.export.error = Some(e.to_string());
            return;
        }
    };
    let options = crate::report::model::Options {
        brand: branding.brand.clone(),
        ..crate::report::model::Options::default()
    };
    let report = match &app.path {
        Some(path) => crate::report::build_saved(&app.catalog, checklist, a, path, None, options).0,
        None => crate::report::model::build(checklist, a, &options),
    };
    // The target file for `scan` and CI: what the wizard was told, never a token or password.
    let target = match target_file.then(|| a.target.for_saving().to_toml()).transpose() {
        Ok(t) => t,
        Err(e) => {
            app.export.error = Some(e);
            return;
        }
    };
    let formats = formats.to_vec();
    let protect = app.path.clone();
    let done = runner.exports.0.clone();
    app.export.writing = Some(Instant::now());
    app.export.error = None;
    tokio::task::spawn_blocking(move || {
        // Never `{stem}.json` into the data folder: write_all refuses to replace the assessment.
        let written = crate::report::write_all(
            &report,
            &formats,
            &folder,
            &stem,
            protect.as_deref(),
            branding.logo.as_ref(),
        )
        .and_then(|mut written| {
            if let Some(toml) = target {
                let path = folder.join(format!("{stem}.target.toml"));
                std::fs::create_dir_all(&folder)
                    .map_err(|e| anyhow::anyhow!("cannot create the folder {}: {e}", folder.display()))?;
                crate::fsio::write_atomic(&path, toml.as_bytes(), |_| Ok(()))?;
                written.push(path);
            }
            Ok(written)
        })
        .map_err(|e| format!("{e:#}"));
        let _ = done.send(written);
    });
}

/// The wizard's handle on the probe engine: one [`Engine`] per target, set up again when the
/// assessment's target changes (a new assessment in the same session).
pub struct Runner {
    ctx: ProbeCtx,
    tx: mpsc::UnboundedSender<engine::Event>,
    /// The engine, and the id of the checklist whose limits it applies.
    engine: Option<(Engine, String)>,
    /// Test tokens given directly (the demo) instead of read from the environment.
    tokens: Option<Tokens>,
    /// Where a report export, written off the event loop, says how it went.
    exports: Exports,
    /// Where a sign-in of the test accounts says how it went, and the one running.
    sign_ins: SignIns,
    signing: Option<tokio::task::JoinHandle<()>>,
    /// Where route discovery hands its suggestions.
    discoveries: (mpsc::UnboundedSender<Discovered>, mpsc::UnboundedReceiver<Discovered>),
}

type Exported = Result<Vec<std::path::PathBuf>, String>;
type Exports = (mpsc::UnboundedSender<Exported>, mpsc::UnboundedReceiver<Exported>);
/// Work the runner did off the event loop.
pub enum Background {
    Exported(Exported),
    SignedIn(SignedIn),
    Discovered(Discovered),
}

/// A discovery's number and what one of its two lookups (the API's document, the code) found.
type Discovered = (u64, Vec<crate::discover::Suggestion>);

/// A sign-in attempt's number, and for each account whether it worked.
type SignedIn = (u64, Vec<(crate::probe::api::Who, Result<(), String>)>);
type SignIns = (mpsc::UnboundedSender<SignedIn>, mpsc::UnboundedReceiver<SignedIn>);

impl Runner {
    pub fn new(ctx: ProbeCtx, tx: mpsc::UnboundedSender<engine::Event>) -> Runner {
        Runner {
            ctx,
            tx,
            engine: None,
            tokens: None,
            exports: mpsc::unbounded_channel(),
            sign_ins: mpsc::unbounded_channel(),
            signing: None,
            discoveries: mpsc::unbounded_channel(),
        }
    }

    /// Whichever work off the event loop finishes next: an export, a sign-in or a discovery.
    pub async fn background(&mut self) -> Option<Background> {
        tokio::select! {
            Some(written) = self.exports.1.recv() => Some(Background::Exported(written)),
            Some(outcomes) = self.sign_ins.1.recv() => Some(Background::SignedIn(outcomes)),
            Some(found) = self.discoveries.1.recv() => Some(Background::Discovered(found)),
            else => None,
        }
    }

    /// What the next lookup of a discovery to finish found (each discovery answers twice).
    pub async fn discovered(&mut self) -> Option<Discovered> {
        self.discoveries.1.recv().await
    }

    /// Looks for routes in the background, each on its own and bounded: the OpenAPI document
    /// the target's API serves (a few GETs to its own host, at once) and the route definitions
    /// in its code folder. Each answers as soon as it is done.
    fn discover(&mut self, target: TargetFile, attempt: u64) {
        let ctx = self.ctx.clone();
        let api_done = self.discoveries.0.clone();
        let code_done = self.discoveries.0.clone();
        let repo = target.target.repo.clone();
        tokio::spawn(async move {
            let look = async {
                let http = crate::probe::http::Http::new(&ctx, &target).ok()?;
                let base = url::Url::parse(target.target.api_base.as_deref()?).ok()?;
                crate::discover::fetch_openapi(&http.with_body_cap(2 << 20), &base).await
            };
            let found = tokio::time::timeout(Duration::from_secs(20), look).await.ok().flatten();
            let _ = api_done.send((attempt, found.unwrap_or_default()));
        });
        tokio::spawn(async move {
            let found = match repo {
                Some(repo) => {
                    let scan = tokio::task::spawn_blocking(move || crate::discover::from_code(&repo));
                    tokio::time::timeout(Duration::from_secs(30), scan)
                        .await
                        .ok()
                        .and_then(Result::ok)
                        .unwrap_or_default()
                }
                None => vec![],
            };
            let _ = code_done.send((attempt, found));
        });
    }

    /// The outcome of the next sign-in to finish: for each account, whether it worked.
    pub async fn signed_in(&mut self) -> Option<SignedIn> {
        self.sign_ins.1.recv().await
    }

    /// Sets up a fresh engine for `target` that signs in its accounts with `passwords`, and
    /// signs them in now, in the background; the tokens stay with the engine for the checks
    /// (an assessment of the same target starts on it).
    fn sign_in(
        &mut self,
        target: &TargetFile,
        checklist: &crate::checklist::Checklist,
        passwords: Passwords,
        attempt: u64,
    ) {
        self.cancel_all();
        // An earlier attempt (stopped with Esc) ends here and reports nothing.
        if let Some(earlier) = self.signing.take() {
            earlier.abort();
        }
        let env = Env::new(&self.ctx, target, checklist, self.tokens.clone()).with_passwords(passwords);
        let engine = Engine::new(target.clone(), env, self.tx.clone());
        let signing = engine.sign_in();
        self.engine = Some((engine, checklist.id.clone()));
        let done = self.sign_ins.0.clone();
        self.signing = Some(tokio::spawn(async move {
            let _ = done.send((attempt, signing.await));
        }));
    }

    /// The outcome of the next export to finish: the files written, or why not.
    pub async fn exported(&mut self) -> Option<Exported> {
        self.exports.1.recv().await
    }

    /// Uses these tokens instead of the environment variables the target names.
    #[must_use]
    pub fn with_tokens(mut self, tokens: Tokens) -> Runner {
        self.tokens = Some(tokens);
        self
    }

    /// Sets up the engine for `target` and `checklist` (its limits), unless it is set up for
    /// them already.
    fn prepare(&mut self, target: &TargetFile, checklist: &crate::checklist::Checklist) {
        if self
            .engine
            .as_ref()
            .is_some_and(|(e, list)| e.target() == target && *list == checklist.id)
        {
            return;
        }
        let env = Env::new(&self.ctx, target, checklist, self.tokens.clone());
        self.engine = Some((Engine::new(target.clone(), env, self.tx.clone()), checklist.id.clone()));
    }

    fn start(&mut self, ids: &[String]) {
        if let Some((engine, _)) = &mut self.engine {
            engine.start(ids);
        }
    }

    /// Stops a running probe; `true` when one was running.
    fn cancel(&mut self, id: &str) -> bool {
        self.engine.as_mut().is_some_and(|(e, _)| e.cancel(id))
    }

    fn cancel_all(&mut self) {
        if let Some((engine, _)) = &mut self.engine {
            engine.cancel_all();
        }
    }
}
