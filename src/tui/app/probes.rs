//! The automated checks screen's state and keys, and what the open assessment's probes say.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent};

use super::{App, Command, ProbeState, Screen};
use crate::checklist::Item;
use crate::result::{ProbeResult, Status};
use crate::score::{self, ItemStatus};

/// The automated checks screen: one state per check id, in id order, and the highlighted row.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbesState {
    pub states: BTreeMap<String, ProbeState>,
    pub cursor: usize,
}

impl App {
    /// The checks this assessment's target lets run now.
    pub fn runnable_checks(&self) -> Vec<String> {
        let Some(a) = &self.assessment else {
            return vec![];
        };
        self.checklist()
            .check_ids()
            .into_iter()
            .filter(|c| (self.runnable)(c) && crate::probe::is_configured(c, &a.target))
            .map(str::to_string)
            .collect()
    }

    pub(super) fn on_probes_key(&mut self, key: KeyEvent) -> Vec<Command> {
        let ids: Vec<String> = self.probes.states.keys().cloned().collect();
        let n = ids.len().max(1);
        match key.code {
            KeyCode::Down | KeyCode::Char('j') => self.probes.cursor = (self.probes.cursor + 1) % n,
            KeyCode::Up | KeyCode::Char('k') => self.probes.cursor = (self.probes.cursor + n - 1) % n,
            KeyCode::Char('r') => {
                let Some(id) = ids.get(self.probes.cursor) else {
                    return vec![];
                };
                // A check the target cannot run now (its accounts were signed in by email in an
                // earlier session) would only turn its earlier verdict into "skipped".
                if !self.runnable_checks().contains(id) {
                    self.message = Some(
                        "This check cannot run again here: it needs test accounts this assessment no longer \
                         has (passwords are never kept). Its earlier result stands; start a new assessment to \
                         sign in again."
                            .into(),
                    );
                    return vec![];
                }
                return vec![Command::RunProbes(vec![id.clone()])];
            }
            KeyCode::Char('R') => {
                let all = self.runnable_checks();
                return if all.is_empty() {
                    vec![]
                } else {
                    vec![Command::RunProbes(all)]
                };
            }
            KeyCode::Char('c') => {
                return ids
                    .get(self.probes.cursor)
                    .map(|id| vec![Command::CancelProbes(vec![id.clone()])])
                    .unwrap_or_default();
            }
            KeyCode::Char('C') => return vec![Command::CancelProbes(ids)],
            KeyCode::Enter | KeyCode::Right | KeyCode::Char('l') | KeyCode::Tab => self.screen = Screen::Questions,
            KeyCode::Esc | KeyCode::Left | KeyCode::Char('h') => self.go_back(),
            _ => {}
        }
        vec![]
    }

    /// The probe status that decides `item`, when its checks ran.
    pub fn probe_status(&self, item: &Item) -> Option<ItemStatus> {
        let a = self.assessment.as_ref()?;
        score::combine(item.checks.iter().filter_map(|c| a.probes.get(c)).map(|r| r.status))
    }

    /// Whether a probe is still running (the loop ticks only then).
    pub fn busy(&self) -> bool {
        self.probes
            .states
            .values()
            .any(|p| matches!(p, ProbeState::Running { .. }))
    }

    /// Probe results that are done, for the probes screen's gauge.
    pub fn probes_done(&self) -> usize {
        self.probes
            .states
            .values()
            .filter(|p| !matches!(p, ProbeState::Running { .. }))
            .count()
    }

    pub fn status_of(result: &ProbeResult) -> Status {
        result.status
    }
}
