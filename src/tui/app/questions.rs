//! The questions screen's state and keys: answering, moving between questions, and the note
//! editor (a note on an answer, or the reason for overriding an automated check).

use crossterm::event::{KeyCode, KeyEvent};

use super::{App, Command, Overlay, Screen};
use crate::assessment::AnswerValue;
use crate::checklist::Item;
use crate::score::ItemStatus;

/// The questions screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionState {
    /// The question shown, by position in `order`.
    pub index: usize,
    pub show_how: bool,
    /// Rows the question text is scrolled by (the screen clamps it to the text's end).
    pub body_scroll: u16,
    /// The items the questions screen walks through, by index into the checklist.
    pub order: Vec<usize>,
}

impl App {
    /// The item the questions screen shows.
    pub fn current_item(&self) -> Option<&Item> {
        self.questions
            .order
            .get(self.questions.index)
            .map(|&i| &self.checklist().items[i])
    }

    /// Questions in checklist order, blockers first so a short session covers what matters most.
    pub(super) fn build_order(&mut self) {
        let c = self.checklist();
        let mut order: Vec<usize> = (0..c.items.len()).collect();
        order.sort_by_key(|&i| c.items[i].severity);
        self.questions.order = order;
    }

    pub(super) fn on_question_key(&mut self, key: KeyEvent) -> Vec<Command> {
        let n = self.questions.order.len();
        let Some(item) = self.current_item().cloned() else {
            return vec![];
        };
        let answer = match key.code {
            KeyCode::Char('y') => Some(AnswerValue::Yes),
            KeyCode::Char('n') => Some(AnswerValue::No),
            KeyCode::Char('u' | 's') => Some(AnswerValue::Unsure),
            KeyCode::Char('a' | '-') => Some(AnswerValue::NotApplicable),
            _ => None,
        };
        if let Some(value) = answer {
            self.questions.body_scroll = 0;
            return self.answer(&item, value);
        }
        let before = self.questions.index;
        let commands = self.on_question_move(key, &item, n);
        if self.questions.index != before {
            self.questions.body_scroll = 0;
        }
        commands
    }

    fn on_question_move(&mut self, key: KeyEvent, item: &Item, n: usize) -> Vec<Command> {
        match key.code {
            KeyCode::Down | KeyCode::Char('j') => {
                self.questions.body_scroll = self.questions.body_scroll.saturating_add(1).min(200);
            }
            KeyCode::Up | KeyCode::Char('k') => {
                self.questions.body_scroll = self.questions.body_scroll.saturating_sub(1);
            }
            KeyCode::Right | KeyCode::Char('l') | KeyCode::PageDown | KeyCode::Enter => {
                if self.questions.index + 1 < n {
                    self.questions.index += 1;
                    self.questions.show_how = false;
                } else {
                    self.screen = Screen::Scorecard;
                }
            }
            KeyCode::Left | KeyCode::Char('h') | KeyCode::PageUp => {
                if self.questions.index > 0 {
                    self.questions.index -= 1;
                    self.questions.show_how = false;
                } else {
                    self.go_back();
                }
            }
            KeyCode::Esc => self.go_back(),
            KeyCode::Char('w') | KeyCode::Tab => self.questions.show_how = !self.questions.show_how,
            KeyCode::Char('m') => {
                let buffer = self
                    .assessment
                    .as_ref()
                    .and_then(|a| a.answers.get(&item.id))
                    .and_then(|a| a.note.clone())
                    .unwrap_or_default();
                self.overlay = Overlay::Note {
                    item: item.id.clone(),
                    buffer,
                    pending: None,
                };
            }
            KeyCode::Char('v') => self.screen = Screen::Scorecard,
            KeyCode::Home | KeyCode::Char('g') => self.questions.index = 0,
            KeyCode::End | KeyCode::Char('G') => self.questions.index = n.saturating_sub(1),
            _ => {}
        }
        vec![]
    }

    /// Whether answering `value` contradicts the probes' verdict on `item`.
    fn contradicts(&self, item: &Item, value: AnswerValue) -> bool {
        // A "yes" to an item with an accepted alternative says the alternative holds.
        if item.alternative.is_some() && value == AnswerValue::Yes {
            return false;
        }
        matches!(
            (self.probe_status(item), value),
            (
                Some(ItemStatus::Pass | ItemStatus::Warn),
                AnswerValue::No | AnswerValue::NotApplicable
            ) | (Some(ItemStatus::Fail), AnswerValue::Yes | AnswerValue::NotApplicable)
        )
    }

    /// Records an answer; one that contradicts a probe asks for a note first.
    fn answer(&mut self, item: &Item, value: AnswerValue) -> Vec<Command> {
        let note = self
            .assessment
            .as_ref()
            .and_then(|a| a.answers.get(&item.id))
            .and_then(|a| a.note.clone());
        if self.contradicts(item, value) {
            // Always ask: a note written for an earlier answer must not justify this one
            // unseen. The old note is offered for editing.
            self.overlay = Overlay::Note {
                item: item.id.clone(),
                buffer: note.unwrap_or_default(),
                pending: Some(value),
            };
            self.message = Some("The automated check says otherwise: a note is needed to override it.".into());
            return vec![];
        }
        self.record(&item.id, value, note);
        if self.questions.index + 1 < self.questions.order.len() {
            self.questions.index += 1;
            self.questions.show_how = false;
        } else {
            self.screen = Screen::Scorecard;
        }
        vec![Command::Save]
    }

    fn record(&mut self, item: &str, value: AnswerValue, note: Option<String>) {
        let now = (self.clock)();
        if let Some(a) = self.assessment.as_mut() {
            a.answer(item, value, note, now);
        }
    }

    pub(super) fn on_note_key(
        &mut self,
        key: KeyEvent,
        item: String,
        mut buffer: String,
        pending: Option<AnswerValue>,
    ) -> Vec<Command> {
        match key.code {
            KeyCode::Esc => {
                self.overlay = Overlay::None;
                if pending.is_some() {
                    self.message = Some("Not overridden: the automated check's verdict stands.".into());
                }
                vec![]
            }
            KeyCode::Enter => {
                self.overlay = Overlay::None;
                let note = Some(buffer.trim().to_string()).filter(|n| !n.is_empty());
                let overriding = pending.is_some()
                    || self
                        .assessment
                        .as_ref()
                        .and_then(|a| a.answers.get(&item))
                        .is_some_and(|a| {
                            self.checklist()
                                .item(&item)
                                .is_some_and(|it| self.contradicts(it, a.value))
                        });
                if overriding && note.is_none() {
                    self.message = Some("An override needs a note; nothing was changed.".into());
                    return vec![];
                }
                let value = pending.or_else(|| {
                    self.assessment
                        .as_ref()
                        .and_then(|a| a.answers.get(&item).map(|a| a.value))
                });
                let Some(value) = value else {
                    self.message = Some("Answer the question first (y, n, u or a), then add a note.".into());
                    return vec![];
                };
                self.record(&item, value, note);
                if pending.is_some() && self.questions.index + 1 < self.questions.order.len() {
                    self.questions.index += 1;
                }
                vec![Command::Save]
            }
            KeyCode::Backspace => {
                buffer.pop();
                self.overlay = Overlay::Note { item, buffer, pending };
                vec![]
            }
            KeyCode::Char(c) => {
                if buffer.chars().count() < 2_000 {
                    buffer.push(c);
                }
                self.overlay = Overlay::Note { item, buffer, pending };
                vec![]
            }
            _ => vec![],
        }
    }

    pub(super) fn goto_question(&mut self, item: &str) {
        let c = self.checklist();
        if let Some(pos) = self.questions.order.iter().position(|&i| c.items[i].id == item) {
            self.questions.index = pos;
            self.screen = Screen::Questions;
        }
    }

    /// The number of answered questions and the number of items.
    pub fn progress(&self) -> (usize, usize) {
        let total = self.questions.order.len();
        let answered = self.assessment.as_ref().map_or(0, |a| {
            self.questions
                .order
                .iter()
                .filter(|&&i| a.answers.contains_key(&self.checklist().items[i].id))
                .count()
        });
        (answered, total)
    }
}
