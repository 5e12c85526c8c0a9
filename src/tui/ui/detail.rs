//! The detail overlay, over the scorecard: one item's status, evidence, answer and fix.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span, Text};

use super::text::{hang, text_height, wrapped};
use super::{answer_span, evidence_lines, overlay_block, popup, section, status_span};
use crate::assessment::Assessment;
use crate::score::{self, DecidedBy};
use crate::tui::app::App;
use crate::tui::theme::{self, Theme};

fn decided_text(decided: DecidedBy) -> &'static str {
    match decided {
        DecidedBy::Probe => "decided by the automated check",
        DecidedBy::ProbeConfirmed => "decided by the automated check, and your answer agrees",
        DecidedBy::Answer => "decided by your answer",
        DecidedBy::Override => "your answer, with a note, overrides the automated check",
        DecidedBy::Alternative => "passes by the alternative this checklist accepts, as you answered",
        DecidedBy::Nothing => "not decided yet",
    }
}

fn detail_lines(app: &App, a: &Assessment, id: &str, theme: &Theme, width: u16) -> Vec<Line<'static>> {
    let checklist = app.checklist();
    let sc = score::score(checklist, a);
    let Some(s) = sc.item(id) else {
        return vec![Line::from(format!("No item {id} in this checklist."))];
    };
    let item = s.item;
    let mut lines = vec![Line::from(vec![
        status_span(s.status, theme),
        Span::raw("  "),
        Span::styled(format!("[{}]", item.severity.label()), theme.severity(item.severity)),
        Span::styled(
            format!(" {} · {}", item.area.label(), decided_text(s.decided_by)),
            theme.muted,
        ),
    ])];
    section(&mut lines, "What passes", &item.pass, theme);
    if !s.results.is_empty() {
        lines.push(Line::default());
        lines.push(Line::styled("Evidence from the automated checks", theme.heading));
        for r in &s.results {
            lines.extend(hang(
                vec![
                    Span::styled(
                        format!("{} {} ", theme::probe_symbol(r.status), r.status.label()),
                        theme.probe_status(r.status),
                    ),
                    Span::styled(r.title.clone(), theme.title),
                    Span::raw(format!(": {}", r.summary)),
                ],
                usize::from(width),
                2,
            ));
            lines.extend(evidence_lines(r, theme, 2, width));
            lines.push(Line::styled(format!("  checked {}", r.at), theme.muted));
        }
    }
    lines.push(Line::default());
    lines.push(Line::styled("Your answer", theme.heading));
    match s.answer {
        Some(answer) => {
            lines.push(Line::from(vec![
                answer_span(answer.value, theme),
                Span::styled(format!("  given {}", answer.at), theme.muted),
            ]));
            if let Some(note) = answer.note() {
                lines.push(Line::from(format!("Note: {note}")));
            }
        }
        None => lines.push(Line::styled("Not answered yet.", theme.muted)),
    }
    if let Some(o) = &s.override_ {
        lines.push(Line::from(format!(
            "Overrides the check's {} {} with a note.",
            o.probe.symbol(),
            o.probe.label()
        )));
    }
    if s.override_refused {
        lines.push(Line::styled(
            "Your answer disagrees with the check and has no note, so the check's verdict stands.",
            theme.error,
        ));
    }
    section(&mut lines, "Why it matters", &item.why, theme);
    section(&mut lines, "How to fix it", &item.fix, theme);
    for r in s.results.iter().filter(|r| r.fix.is_some()) {
        lines.push(Line::from(format!(
            "{}: {}",
            r.title,
            r.fix.as_deref().unwrap_or_default()
        )));
    }
    lines
}

/// The evidence and fix path of one scorecard item, scrollable.
///
/// ```text
/// ┌ SPF, DKIM and DMARC pass ────────────────────────────────────────────────────┐
/// │ ✘ fail  [high] Email · decided by the automated check                        │
/// │                                                                              │
/// │ What passes                                                                  │
/// │ …                                                                            │
/// │ Evidence from the automated checks                                           │
/// │ ✘ fail SPF record: No SPF record: anyone can send email that claims to be    │
/// │   from acme.example.                                                         │
/// │   TXT acme.example: (no v=spf1 record)                                       │
/// │ Your answer · Why it matters · How to fix it                                 │
/// └ ↑↓ scroll · 0/16 ────────────────────────────────────────────────────────────┘
/// ```
pub(super) fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect, id: &str, scroll: u16) {
    let Some(a) = &app.assessment else { return };
    let title = app
        .checklist()
        .item(id)
        .map_or_else(|| id.to_string(), |i| i.title.clone());
    let width = if area.width <= 110 { area.width } else { 100 };
    let inner_w = width.saturating_sub(4);
    let text = Text::from(detail_lines(app, a, id, theme, inner_w));
    let rect = popup(frame, area, width, text_height(&text, inner_w) + 2);
    let max_scroll = text_height(&text, inner_w).saturating_sub(rect.height.saturating_sub(2));
    let scroll = scroll.min(max_scroll);
    let hint = if max_scroll > 0 {
        format!(" ↑↓ scroll · {scroll}/{max_scroll} ")
    } else {
        String::new()
    };
    let block = overlay_block(theme, &title)
        .padding(ratatui::widgets::Padding::horizontal(1))
        .title_bottom(Span::styled(hint, theme.muted));
    frame.render_widget(wrapped(text).block(block).scroll((scroll, 0)), rect);
}
