//! The progress line `scan` and `probe …` show on stderr while the probe engine runs, only when
//! stderr is a terminal: how many checks are done, the last verdict, or what a check waits for.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use crate::probe::engine::{self, Env, Event};
use crate::probe::registry::Check;
use crate::result::ProbeResult;
use crate::target::TargetFile;

/// A progress line on stderr, only when stderr is a terminal.
pub(super) struct Progress {
    on: bool,
    total: usize,
    done: AtomicUsize,
    started: Instant,
    /// Characters that fit on one line of the terminal: a line that wrapped could not be
    /// redrawn in place.
    width: usize,
    /// The last line's text after its counters, redrawn every second so a long wait shows time
    /// passing.
    last: Mutex<String>,
}

impl Progress {
    pub(super) fn new(total: usize) -> Progress {
        Progress {
            on: std::io::stderr().is_terminal(),
            total,
            done: AtomicUsize::new(0),
            started: Instant::now(),
            last: Mutex::new(String::new()),
            width: crate::tui::terminal_width().map_or(79, |w| usize::from(w).saturating_sub(1).max(20)),
        }
    }

    fn step(&self, product: &str, result: &ProbeResult) {
        self.done.fetch_add(1, Ordering::Relaxed);
        self.show(format!("{} {}  ({product})", result.id, result.status.label()));
    }

    /// Shows what a running check is waiting for, without counting a step.
    fn note(&self, product: &str, id: &str, message: &str) {
        self.show(format!("{id}: {message}  ({product})"));
    }

    /// Replaces the progress line with the counters and `text`, control characters dropped, cut
    /// to fit.
    fn show(&self, text: String) {
        if !self.on {
            return;
        }
        *self.last.lock().unwrap_or_else(PoisonError::into_inner) = text;
        self.redraw();
    }

    fn redraw(&self) {
        let text = self.last.lock().unwrap_or_else(PoisonError::into_inner).clone();
        let line = format!(
            "[{}/{}] {:.0}s  {text}",
            self.done.load(Ordering::Relaxed),
            self.total,
            self.started.elapsed().as_secs_f64()
        );
        let line: String = line.chars().filter(|c| !c.is_control()).take(self.width).collect();
        eprint!("\r\x1b[2K{line}");
        let _ = std::io::stderr().flush();
    }

    pub(super) fn finish(&self) {
        if self.on && self.total > 0 {
            eprint!("\r\x1b[2K");
            let _ = std::io::stderr().flush();
        }
    }
}

impl Progress {
    /// Runs `checks` through the engine, showing its events on the line as they come.
    pub(super) async fn run(
        &self,
        product: &str,
        target: &TargetFile,
        env: &Env,
        checks: &[&'static Check],
    ) -> Vec<ProbeResult> {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let run = async move { engine::run_all(target, env, checks, Some(&tx)).await };
        let show = async {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
            loop {
                tokio::select! {
                    event = rx.recv() => match event {
                        Some(Event::Finished(result)) => self.step(product, &result),
                        Some(Event::Progress { id, message }) => self.note(product, &id, &message),
                        Some(Event::Started { .. }) => {}
                        None => break,
                    },
                    _ = tick.tick() => {
                        if self.on {
                            self.redraw();
                        }
                    }
                }
            }
        };
        tokio::join!(run, show).0
    }
}
