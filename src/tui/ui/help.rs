//! The keys of every screen, in one table: the footer shows their short words, the help
//! overlay (`?`) their explanations.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span, Text};

use super::text::pad;
use super::{text_popup, typing};
use crate::tui::app::{App, Screen};
use crate::tui::theme::Theme;

pub(super) struct KeyHelp {
    pub(super) keys: &'static str,
    /// The short word in the footer.
    pub(super) short: &'static str,
    /// The explanation in the help overlay.
    long: &'static str,
    pub(super) main: bool,
}

const fn key(keys: &'static str, short: &'static str, long: &'static str, main: bool) -> KeyHelp {
    KeyHelp {
        keys,
        short,
        long,
        main,
    }
}

pub(super) fn screen_keys(screen: Screen) -> &'static [KeyHelp] {
    const START: &[KeyHelp] = &[
        key("↑↓ j k", "move", "Move the highlight", true),
        key(
            "Enter → l",
            "open",
            "Start a new assessment or resume the highlighted one",
            true,
        ),
        key("n", "new", "Start a new assessment", true),
    ];
    const VERTICAL: &[KeyHelp] = &[
        key("↑↓ j k", "move", "Move the highlight", true),
        key("Enter → l", "choose", "Choose the highlighted business", true),
        key("Esc ← h", "back", "Back to the start", true),
    ];
    const TARGET: &[KeyHelp] = &[
        key("Tab ↓", "next field", "Next field", true),
        key("Shift-Tab ↑", "previous", "Previous field", false),
        key("typing", "", "Edit the highlighted field; Backspace deletes", false),
        key(
            "Space y n",
            "",
            "Turn the permission for active checks on or off",
            false,
        ),
        key("Enter", "continue", "Next field, or press the highlighted button", true),
        key("Esc", "back", "Back to the choice of business", true),
    ];
    const API: &[KeyHelp] = &[
        key("Tab ↓", "next field", "Next field", true),
        key("Shift-Tab ↑", "previous", "Previous field", false),
        key("typing", "", "Edit the highlighted field; Backspace deletes", false),
        key(
            "Enter",
            "continue",
            "Next field; Continue signs in the test accounts, then starts the checks",
            true,
        ),
        key("Esc", "back", "Back to the first page of the product", true),
    ];
    const PROBES: &[KeyHelp] = &[
        key("↑↓ j k", "move", "Move the highlight", true),
        key("r", "re-run", "Run the highlighted check again", true),
        key("R", "re-run all", "Run every check again", false),
        key("c", "cancel", "Cancel the highlighted check", true),
        key("C", "cancel all", "Cancel every running check", false),
        key(
            "Enter → Tab",
            "questions",
            "Go on to the questions (checks keep running)",
            true,
        ),
        key("Esc ← h", "back", "Back", false),
    ];
    const QUESTIONS: &[KeyHelp] = &[
        // The answer keys are on the answer line, not in the footer.
        key("y", "yes", "Answer yes", false),
        key("n", "no", "Answer no", false),
        key("u s", "not sure", "Answer not sure", false),
        key("a -", "n/a", "Not applicable to this product", false),
        key("m", "note", "Write a note on the answer", true),
        key("w Tab", "how to check", "Show or hide how to check and fix it", true),
        key("→ l Enter", "next", "Next question (PgDn too)", true),
        key("← h", "back", "Previous question (PgUp too)", true),
        key("g Home", "", "First question", false),
        key("G End", "", "Last question", false),
        key("↑↓ j k", "", "Scroll a question longer than the window", false),
        key("v", "scorecard", "See the scorecard", true),
        key("Esc", "", "Back to the automated checks", false),
    ];
    const SCORECARD: &[KeyHelp] = &[
        key("↑↓ j k", "move", "Move the highlight (PgUp PgDn: ten rows)", true),
        key(
            "Enter",
            "details",
            "Evidence and fix path of the highlighted item",
            true,
        ),
        key(
            "g",
            "go to question",
            "Answer the highlighted item's question again",
            true,
        ),
        key("x e → Tab", "export", "Write the report", true),
        key("Esc ← h", "back", "Back to the questions", true),
    ];
    const EXPORT: &[KeyHelp] = &[
        key("Tab ↓", "next", "Next choice", true),
        key("Shift-Tab ↑", "previous", "Previous choice", false),
        key("Space", "toggle", "Tick or untick a format", true),
        key("typing", "", "Edit the folder; Backspace deletes", false),
        key("Enter", "write", "Write the files", true),
        key("Esc", "back", "Back to the scorecard", true),
    ];
    match screen {
        Screen::Start => START,
        Screen::Vertical => VERTICAL,
        Screen::Target => TARGET,
        Screen::Api => API,
        Screen::Probes => PROBES,
        Screen::Questions => QUESTIONS,
        Screen::Scorecard => SCORECARD,
        Screen::Export => EXPORT,
    }
}

/// Every key of the current screen.
///
/// ```text
/// ┌ Keys: Questions ─────────────────────────────────────────────────────────────┐
/// │ y          Answer yes                                                        │
/// │ …                                                                            │
/// │ ?          These keys                                                        │
/// │ q          Quit (asks first; everything is already saved)                    │
/// │ Ctrl-C     Quit at once                                                      │
/// │                                                                              │
/// │ Press any key to close.                                                      │
/// └──────────────────────────────────────────────────────────────────────────────┘
/// ```
pub(super) fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let keys = screen_keys(app.screen);
    let key_w = keys
        .iter()
        .map(|k| k.keys.chars().count())
        .chain([6])
        .max()
        .unwrap_or(0)
        + 2;
    let mut lines: Vec<Line<'static>> = keys
        .iter()
        .map(|k| Line::from(vec![Span::styled(pad(k.keys, key_w), theme.key), Span::raw(k.long)]))
        .collect();
    let mut global = vec![];
    if typing(app) {
        // The product form is saved when the assessment starts, not before.
        let what = if matches!(app.screen, Screen::Target | Screen::Api) && app.assessment.is_none() {
            "Quit (the form is saved only when you press Continue)"
        } else {
            "Quit (everything is already saved)"
        };
        global.push(("Ctrl-C", what));
    } else {
        global.push(("?", "These keys"));
        global.push(("q", "Quit (asks first; everything is already saved)"));
        global.push(("Ctrl-C", "Quit at once"));
    }
    for (k, what) in global {
        lines.push(Line::from(vec![
            Span::styled(pad(k, key_w), theme.key),
            Span::raw(what),
        ]));
    }
    if matches!(app.screen, Screen::Start | Screen::Vertical | Screen::Probes) {
        lines.push(Line::styled(
            "The mouse wheel moves the highlight; a click picks a row.",
            theme.muted,
        ));
    }
    lines.push(Line::default());
    lines.push(Line::styled("Press any key to close.", theme.muted));
    text_popup(
        frame,
        area,
        theme,
        &format!("Keys: {}", app.screen.title()),
        Text::from(lines),
        72,
        0,
    );
}
