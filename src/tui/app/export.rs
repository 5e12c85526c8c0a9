//! The export screen's state and keys: which formats, which folder, and what was written.

use std::path::PathBuf;
use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent};

use super::{App, Command};
use crate::report::Format;

/// The export form's target-file row, folder row and write button (after the four format rows).
pub const EXPORT_TARGET: usize = 4;
pub const EXPORT_FOLDER: usize = 5;
pub const EXPORT_BUTTON: usize = 6;

/// The choices of the export screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportForm {
    /// Whether each of [`Format::ALL`] (Markdown, PDF, JSON, SARIF) is chosen.
    pub formats: [bool; 4],
    /// Whether to save the product as a target file too (for `scan` and CI).
    pub target_file: bool,
    pub folder: String,
    /// 0–3: the formats, 4: the target file, 5: the folder, 6: the write button.
    pub focus: usize,
    pub written: Vec<PathBuf>,
    pub error: Option<String>,
    /// Since when the files are being written (off the event loop), while they are.
    pub writing: Option<Instant>,
}

impl App {
    /// An export finished: what was written, or why not.
    pub fn on_exported(&mut self, written: Result<Vec<PathBuf>, String>) -> Vec<Command> {
        self.export.writing = None;
        match written {
            Ok(written) => {
                self.export.error = None;
                self.export.written = written;
            }
            Err(e) => self.export.error = Some(e),
        }
        vec![]
    }

    pub(super) fn on_export_key(&mut self, key: KeyEvent) -> Vec<Command> {
        let e = &mut self.export;
        let rows = EXPORT_BUTTON + 1;
        match key.code {
            KeyCode::Esc => self.go_back(),
            KeyCode::Tab | KeyCode::Down => e.focus = (e.focus + 1) % rows,
            KeyCode::BackTab | KeyCode::Up => e.focus = (e.focus + rows - 1) % rows,
            KeyCode::Char(' ') if e.focus == EXPORT_TARGET => e.target_file = !e.target_file,
            KeyCode::Char(' ') if e.focus < EXPORT_TARGET => e.formats[e.focus] = !e.formats[e.focus],
            KeyCode::Backspace if e.focus == EXPORT_FOLDER => {
                e.folder.pop();
            }
            KeyCode::Char(c) if e.focus == EXPORT_FOLDER => e.folder.push(c),
            KeyCode::Enter if e.focus != EXPORT_FOLDER => {
                let formats: Vec<Format> = Format::ALL
                    .into_iter()
                    .zip(e.formats)
                    .filter_map(|(f, on)| on.then_some(f))
                    .collect();
                if formats.is_empty() && !e.target_file {
                    e.error = Some("Choose at least one format.".into());
                    return vec![];
                }
                let folder = PathBuf::from(if e.folder.trim().is_empty() {
                    "."
                } else {
                    e.folder.trim()
                });
                return vec![Command::Export {
                    formats,
                    folder,
                    target_file: e.target_file,
                }];
            }
            KeyCode::Enter => e.focus = EXPORT_BUTTON,
            _ => {}
        }
        vec![]
    }
}
