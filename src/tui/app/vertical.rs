//! The business screen's state and keys: which checklist (vertical) the assessment uses.

use crossterm::event::{KeyCode, KeyEvent};

use super::{App, Command, Screen};

/// The business screen: the highlighted checklist of the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerticalState {
    pub cursor: usize,
}

impl App {
    pub(super) fn on_vertical_key(&mut self, key: KeyEvent) -> Vec<Command> {
        let n = self.catalog.all().len();
        match key.code {
            KeyCode::Down | KeyCode::Char('j') => self.vertical.cursor = (self.vertical.cursor + 1) % n,
            KeyCode::Up | KeyCode::Char('k') => self.vertical.cursor = (self.vertical.cursor + n - 1) % n,
            KeyCode::Enter | KeyCode::Right | KeyCode::Char('l') => self.screen = Screen::Target,
            KeyCode::Esc | KeyCode::Left | KeyCode::Char('h') => self.go_back(),
            _ => {}
        }
        vec![]
    }
}
