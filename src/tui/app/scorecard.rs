//! The scorecard screen's state and keys: its rows, the highlighted one, and opening its
//! detail or its question.

use crossterm::event::{KeyCode, KeyEvent};

use super::{App, Command, Overlay, Screen};

/// The scorecard screen: the highlighted row of [`App::score_rows`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreState {
    pub cursor: usize,
}

impl App {
    /// The scorecard rows in display order: the checklist's items sorted by area.
    pub fn score_rows(&self) -> Vec<usize> {
        let c = self.checklist();
        let mut rows: Vec<usize> = (0..c.items.len()).collect();
        rows.sort_by_key(|&i| (c.items[i].area, c.items[i].severity));
        rows
    }

    pub(super) fn on_score_key(&mut self, key: KeyEvent) -> Vec<Command> {
        let rows = self.score_rows();
        let n = rows.len().max(1);
        let selected = rows
            .get(self.score.cursor)
            .map(|&i| self.checklist().items[i].id.clone());
        match key.code {
            KeyCode::Down | KeyCode::Char('j') => self.score.cursor = (self.score.cursor + 1) % n,
            KeyCode::Up | KeyCode::Char('k') => self.score.cursor = (self.score.cursor + n - 1) % n,
            KeyCode::PageDown => self.score.cursor = (self.score.cursor + 10).min(n - 1),
            KeyCode::PageUp => self.score.cursor = self.score.cursor.saturating_sub(10),
            KeyCode::Enter => {
                if let Some(item) = selected {
                    self.overlay = Overlay::Detail { item, scroll: 0 };
                }
            }
            KeyCode::Char('g') => {
                if let Some(item) = selected {
                    self.goto_question(&item);
                }
            }
            KeyCode::Char('x' | 'e') | KeyCode::Right | KeyCode::Tab => self.screen = Screen::Export,
            KeyCode::Esc | KeyCode::Left | KeyCode::Char('h') => self.go_back(),
            _ => {}
        }
        vec![]
    }
}
