//! The note editor overlay, over the questions screen: a note on an answer, or the reason for
//! an answer that overrides an automated check.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span, Text};

use super::{CURSOR, answer_span, text_popup};
use crate::assessment::AnswerValue;
use crate::tui::app::App;
use crate::tui::theme::Theme;

/// The note editor; when `pending` is an answer that overrides a check, it says why a note is
/// needed. A long note shows its end, where the cursor is.
///
/// ```text
/// ┌ Note ────────────────────────────────────────────────────────────────────────┐
/// │ SPF, DKIM and DMARC pass                                                     │
/// │                                                                              │
/// │ The automated check says ✘ fail. To answer ✔ yes anyway, write why, e.g. who │
/// │ checked it by hand and when. The note goes into the report; without one the  │
/// │ check's verdict stands.                                                      │
/// │                                                                              │
/// │ Our provider set SPF up yesterday█                                           │
/// │                                                                              │
/// │ Enter saves · Esc cancels                                                    │
/// └──────────────────────────────────────────────────────────────────────────────┘
/// ```
pub(super) fn render(
    app: &App,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    item: &str,
    buffer: &str,
    pending: Option<AnswerValue>,
) {
    let checklist = app.checklist();
    let title = checklist
        .item(item)
        .map_or_else(|| item.to_string(), |i| i.title.clone());
    let mut lines = vec![Line::styled(title, theme.title), Line::default()];
    if let Some(value) = pending {
        let probe = checklist
            .item(item)
            .and_then(|i| app.probe_status(i))
            .map_or_else(|| "otherwise".to_string(), |s| format!("{} {}", s.symbol(), s.label()));
        lines.push(Line::from(vec![
            Span::raw("The automated check says "),
            Span::styled(probe, theme.heading),
            Span::raw(". To answer "),
            answer_span(value, theme),
            Span::raw(
                " anyway, write why, e.g. who checked it by hand and when. The note goes into \
                 the report; without one the check's verdict stands.",
            ),
        ]));
    } else {
        lines.push(Line::styled(
            "A note is kept with the answer and shown in the report.",
            theme.muted,
        ));
    }
    lines.push(Line::default());
    lines.push(Line::from(vec![
        Span::raw(buffer.to_string()),
        Span::styled(CURSOR, theme.cursor),
    ]));
    lines.push(Line::default());
    lines.push(Line::from(vec![
        Span::styled("Enter", theme.key),
        Span::raw(" saves · "),
        Span::styled("Esc", theme.key),
        Span::raw(" cancels"),
    ]));
    text_popup(frame, area, theme, "Note", Text::from(lines), 76, u16::MAX);
}
