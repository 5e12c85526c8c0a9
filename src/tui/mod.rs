//! The wizard's terminal loop: draws the [`App`], feeds it keys, mouse events and probe results,
//! and carries out its [`Command`]s (save, run or cancel probes, export).
//!
//! It redraws only when something happened, ticks only while a probe runs (for the spinner), and
//! restores the terminal on exit, on panic (ratatui's hook), on Ctrl-C and on SIGTERM.

pub mod app;
pub mod theme;
pub mod ui;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{DisableMouseCapture, EnableMouseCapture, Event, EventStream};
use futures_util::StreamExt;
use tokio::sync::mpsc;

pub use app::{App, Command, ProbeState, Screen};

use crate::assessment::Store;
use crate::probe::ProbeCtx;
use crate::probe::api::{ApiOptions, Tokens};
use crate::probe::dns::Dns;
use crate::probe::email::EmailOptions;
use crate::probe::http::Http;
use crate::probe::run::Env;
use crate::target::TargetFile;

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
    let (probe_tx, mut probe_rx) = mpsc::unbounded_channel::<(String, ProbeState)>();
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
            if app.busy() {
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
            Some((id, state)) = probe_rx.recv() => app.on_probe(id, state),
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
            let target = Arc::new(assessment.target.clone());
            runner.prepare(&target, app.checklist());
            for id in ids {
                app.probes
                    .insert(id.clone(), ProbeState::Running { since: Instant::now() });
                runner.start(&id, target.clone());
            }
        }
        Command::CancelProbes(ids) => {
            for id in ids {
                if runner.cancel(&id) {
                    app.probes.insert(id, ProbeState::Cancelled);
                }
            }
        }
        Command::Export { formats, folder } => export(app, &formats, &folder),
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

fn export(app: &mut App, formats: &[crate::report::Format], folder: &Path) {
    let Some(a) = &app.assessment else { return };
    // Show where the files really are, not a path relative to wherever the wizard started.
    let folder = &std::path::absolute(folder).unwrap_or_else(|_| folder.to_path_buf());
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
    // Never `{stem}.json` into the data folder: write_all refuses to replace the assessment.
    match crate::report::write_all(
        &report,
        formats,
        folder,
        &stem,
        app.path.as_deref(),
        branding.logo.as_ref(),
    ) {
        Ok(written) => {
            app.export.error = None;
            app.export.written = written;
        }
        Err(e) => app.export.error = Some(format!("{e:#}")),
    }
}

/// Runs probes as tasks and reports them on a channel; each can be cancelled.
pub struct Runner {
    ctx: ProbeCtx,
    tx: mpsc::UnboundedSender<(String, ProbeState)>,
    tasks: HashMap<String, tokio::task::JoinHandle<()>>,
    /// The clients and tokens, and the target they were set up for.
    env: Option<(TargetFile, Arc<Env>)>,
    /// Test tokens given directly (the demo) instead of read from the environment.
    tokens: Option<Tokens>,
}

impl Runner {
    pub fn new(ctx: ProbeCtx, tx: mpsc::UnboundedSender<(String, ProbeState)>) -> Runner {
        Runner {
            ctx,
            tx,
            tasks: HashMap::new(),
            env: None,
            tokens: None,
        }
    }

    /// Uses these tokens instead of the environment variables the target names.
    #[must_use]
    pub fn with_tokens(mut self, tokens: Tokens) -> Runner {
        self.tokens = Some(tokens);
        self
    }

    /// Sets up DNS, the HTTP client (which may only reach this target's hosts) and the tokens,
    /// again whenever the target changes (a new assessment in the same session).
    fn prepare(&mut self, target: &TargetFile, checklist: &crate::checklist::Checklist) {
        if self.env.as_ref().is_some_and(|(for_target, _)| for_target == target) {
            return;
        }
        let dns = Dns::new(&self.ctx).ok().map(Arc::new);
        let http = Http::new(&self.ctx, target).map(Arc::new).map_err(|e| e.to_string());
        let tokens = self.tokens.clone().unwrap_or_else(|| Tokens::from_env(&target.auth));
        let email = EmailOptions::for_checklist(checklist);
        let env = Env {
            dns,
            http,
            tokens,
            email,
            api: ApiOptions::for_checklist(checklist),
        };
        self.env = Some((target.clone(), Arc::new(env)));
    }

    fn start(&mut self, id: &str, target: Arc<TargetFile>) {
        self.cancel(id);
        let Some(env) = self.env.as_ref().map(|(_, env)| env.clone()) else {
            return;
        };
        let (tx, id_owned) = (self.tx.clone(), id.to_string());
        let handle = tokio::spawn(async move {
            let result = crate::probe::run_check(&id_owned, &target, &env)
                .await
                .unwrap_or_else(|| {
                    crate::result::ProbeResult::new(
                        &id_owned,
                        crate::result::Status::Skipped,
                        &id_owned,
                        "This check cannot run for this product.",
                    )
                });
            let _ = tx.send((id_owned, ProbeState::Done(result)));
        });
        self.tasks.insert(id.to_string(), handle);
    }

    /// Stops a running probe; `true` when one was running.
    fn cancel(&mut self, id: &str) -> bool {
        match self.tasks.remove(id) {
            Some(handle) if !handle.is_finished() => {
                handle.abort();
                true
            }
            _ => false,
        }
    }

    fn cancel_all(&mut self) {
        for (_, handle) in self.tasks.drain() {
            handle.abort();
        }
    }
}
