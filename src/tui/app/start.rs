//! The start screen's state and keys: a new assessment, or resuming a saved one.

use crossterm::event::{KeyCode, KeyEvent};

use super::target::ProductState;
use super::{App, Command, ProbeState, Screen};
use crate::assessment::Listed;

/// The start screen: the saved assessments and the highlighted row (0 is "new assessment").
#[derive(Debug)]
pub struct StartState {
    /// Saved assessments, for the start screen.
    pub listed: Vec<Listed>,
    pub cursor: usize,
}

impl App {
    /// The saved assessments the start screen lists, readable ones only.
    pub fn resumable(&self) -> Vec<&Listed> {
        self.start.listed.iter().filter(|l| l.assessment.is_ok()).collect()
    }

    pub(super) fn on_start_key(&mut self, key: KeyEvent) -> Vec<Command> {
        let rows = self.resumable().len() + 1;
        match key.code {
            KeyCode::Down | KeyCode::Char('j') => self.start.cursor = (self.start.cursor + 1) % rows,
            KeyCode::Up | KeyCode::Char('k') => self.start.cursor = (self.start.cursor + rows - 1) % rows,
            KeyCode::Char('n') => {
                self.new_assessment();
                return vec![Command::StopProbes];
            }
            KeyCode::Enter | KeyCode::Right | KeyCode::Char('l') => {
                if self.start.cursor == 0 {
                    self.new_assessment();
                    return vec![Command::StopProbes];
                }
                return self.resume(self.start.cursor - 1);
            }
            _ => {}
        }
        vec![]
    }

    pub(super) fn new_assessment(&mut self) {
        self.assessment = None;
        self.path = None;
        self.probes.states.clear();
        self.product = ProductState::new();
        self.screen = Screen::Vertical;
    }

    fn resume(&mut self, index: usize) -> Vec<Command> {
        let Some(listed) = self
            .resumable()
            .get(index)
            .map(|l| (l.path.clone(), l.assessment.as_ref().ok().cloned()))
        else {
            return vec![];
        };
        let (path, Some(assessment)) = listed else {
            return vec![];
        };
        if self.catalog.get(&assessment.checklist.id).is_none() {
            self.message = Some(format!(
                "This assessment uses the `{}` checklist, which is not loaded.",
                assessment.checklist.id
            ));
            return vec![];
        }
        self.probes.states = assessment
            .probes
            .iter()
            .map(|(id, r)| (id.clone(), ProbeState::Done(r.clone())))
            .collect();
        self.assessment = Some(assessment);
        self.path = Some(path);
        self.build_order();
        // Continue at the first unanswered question.
        let answered = |i: &usize| {
            self.assessment
                .as_ref()
                .is_some_and(|a| a.answers.contains_key(&self.checklist().items[*i].id))
        };
        self.questions.index = self.questions.order.iter().position(|i| !answered(i)).unwrap_or(0);
        self.screen = Screen::Questions;
        // Checks still running for the assessment left behind belong to it, not to this one.
        vec![Command::StopProbes]
    }
}
