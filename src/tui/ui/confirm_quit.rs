//! The overlay that asks before quitting.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span, Text};

use super::text_popup;
use crate::tui::theme::Theme;

/// Asks before quitting (nothing is lost: every change is already saved).
///
/// ```text
///           ┌ Quit launchready? ───────────────────────────────────────┐
///           │ Everything is saved as you go: you can resume this       │
///           │ assessment from the start screen.                        │
///           │                                                          │
///           │ y or Enter quits · any other key stays                   │
///           └──────────────────────────────────────────────────────────┘
/// ```
pub(super) fn render(theme: &Theme, frame: &mut Frame, area: Rect) {
    let text = Text::from(vec![
        Line::from("Everything is saved as you go: you can resume this assessment from the start screen."),
        Line::default(),
        Line::from(vec![
            Span::styled("y", theme.key),
            Span::raw(" or "),
            Span::styled("Enter", theme.key),
            Span::raw(" quits · any other key stays"),
        ]),
    ]);
    text_popup(frame, area, theme, "Quit launchready?", text, 60, 0);
}
