//! Every colour and style of the wizard in one place. With colour off (`NO_COLOR`) the same
//! roles fall back to bold, reversed and underlined text; statuses always carry a symbol and a
//! word as well, so nothing depends on colour alone.

use ratatui::style::{Color, Modifier, Style};

use crate::checklist::Severity;
use crate::result::Status;
use crate::score::{ItemStatus, Verdict};

/// The styles of the wizard, by role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// Whether colours are used at all.
    pub color: bool,
    /// Ordinary text.
    pub text: Style,
    /// Secondary text: hints, help, labels of empty values.
    pub muted: Style,
    /// The header line.
    pub header: Style,
    /// The screen name and step in the header.
    pub step: Style,
    /// The footer line of keys.
    pub footer: Style,
    /// A key name in the footer and the help overlay.
    pub key: Style,
    /// Section headings ("Why it matters", an area of the scorecard).
    pub heading: Style,
    /// The title of an item or a screen.
    pub title: Style,
    /// The highlighted row of a list.
    pub selected: Style,
    /// The focused field or button.
    pub focus: Style,
    /// A button that is not focused.
    pub button: Style,
    /// A validation error or a failed export.
    pub error: Style,
    /// The one-line message of what just happened.
    pub message: Style,
    /// Borders of panels and overlays.
    pub border: Style,
    /// The filled part of a progress bar.
    pub bar_filled: Style,
    /// The empty part of a progress bar.
    pub bar_empty: Style,
    /// The text cursor (a block glyph) in a field being edited; never reversed, which would
    /// hide the glyph.
    pub cursor: Style,
    pass: Style,
    warn: Style,
    fail: Style,
    probe_error: Style,
    unsure: Style,
    quiet: Style,
}

/// The colour theme; [`Theme::new`]`(false)` is its plain twin.
pub const THEME: Theme = Theme::new(true);

impl Theme {
    /// The theme with colours, or without them (`color == false`, for `NO_COLOR`).
    pub const fn new(color: bool) -> Theme {
        let plain = Style::new();
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let reversed = Style::new().add_modifier(Modifier::REVERSED);
        let dim = Style::new().add_modifier(Modifier::DIM);
        if color {
            Theme {
                color,
                text: plain,
                muted: Style::new().fg(Color::Gray),
                header: Style::new().fg(Color::White).bg(Color::Blue),
                step: Style::new()
                    .fg(Color::White)
                    .bg(Color::Blue)
                    .add_modifier(Modifier::BOLD),
                footer: Style::new().fg(Color::Gray),
                key: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
                heading: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
                title: bold,
                selected: Style::new()
                    .fg(Color::Black)
                    .bg(Color::Cyan)
                    .add_modifier(Modifier::BOLD),
                focus: Style::new()
                    .fg(Color::Black)
                    .bg(Color::Yellow)
                    .add_modifier(Modifier::BOLD),
                button: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
                error: Style::new().fg(Color::LightRed).add_modifier(Modifier::BOLD),
                message: Style::new().fg(Color::Yellow),
                border: Style::new().fg(Color::DarkGray),
                bar_filled: Style::new().fg(Color::Green),
                bar_empty: Style::new().fg(Color::DarkGray),
                cursor: Style::new().fg(Color::Cyan),
                pass: Style::new().fg(Color::Green),
                warn: Style::new().fg(Color::Yellow),
                fail: Style::new().fg(Color::LightRed).add_modifier(Modifier::BOLD),
                probe_error: Style::new().fg(Color::Magenta),
                unsure: Style::new().fg(Color::Yellow),
                quiet: Style::new().fg(Color::Gray),
            }
        } else {
            Theme {
                color,
                text: plain,
                muted: plain,
                header: reversed,
                step: Style::new().add_modifier(Modifier::REVERSED.union(Modifier::BOLD)),
                footer: plain,
                key: bold,
                heading: Style::new().add_modifier(Modifier::BOLD.union(Modifier::UNDERLINED)),
                title: bold,
                selected: reversed,
                focus: Style::new().add_modifier(Modifier::REVERSED.union(Modifier::BOLD)),
                button: bold,
                error: bold,
                message: bold,
                border: plain,
                bar_filled: plain,
                bar_empty: dim,
                cursor: plain,
                pass: plain,
                warn: bold,
                fail: bold,
                probe_error: bold,
                unsure: plain,
                quiet: plain,
            }
        }
    }

    /// The style of an item's status on the questions screen and the scorecard.
    pub const fn item_status(&self, status: ItemStatus) -> Style {
        match status {
            ItemStatus::Pass => self.pass,
            ItemStatus::Warn => self.warn,
            ItemStatus::Fail => self.fail,
            ItemStatus::Error => self.probe_error,
            ItemStatus::Unsure => self.unsure,
            ItemStatus::NotApplicable | ItemStatus::Open => self.quiet,
        }
    }

    /// The style of one automated check's result.
    pub const fn probe_status(&self, status: Status) -> Style {
        match status {
            Status::Pass => self.pass,
            Status::Warn => self.warn,
            Status::Fail => self.fail,
            Status::Error => self.probe_error,
            Status::Skipped => self.quiet,
        }
    }

    /// The style of the verdict line.
    pub const fn verdict(&self, verdict: Verdict) -> Style {
        let style = match verdict {
            Verdict::Ready => self.pass,
            Verdict::NotReady => self.fail,
            Verdict::Incomplete => self.warn,
        };
        style.add_modifier(Modifier::BOLD)
    }

    /// The style of a severity word.
    pub const fn severity(&self, severity: Severity) -> Style {
        match severity {
            Severity::Blocker => self.fail,
            Severity::High => self.warn,
            Severity::Medium | Severity::Low => self.muted,
        }
    }
}

/// A symbol that reads without colour for a check's result, like [`ItemStatus::symbol`].
pub fn probe_symbol(status: Status) -> &'static str {
    status.symbol()
}

/// The symbol of a verdict.
pub fn verdict_symbol(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Ready => "✔",
        Verdict::NotReady => "✘",
        Verdict::Incomplete => "…",
    }
}
