//! The questions screen: one item at a time, what the automated checks said about it, how to
//! check it by hand, and the answer kept in view at the bottom.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::text::{bar_line, hang, text_height, wrapped};
use super::{answer_span, evidence_lines, render_clipped, render_scrolled, section, status_span};
use crate::checklist::Item;
use crate::tui::app::App;
use crate::tui::theme::{self, Theme};

/// The lines of the question itself: title, question, why, yes; the checks' verdict; how to
/// check when asked for. `why` is false when the how-to replaces it on a small screen.
fn question_lines(app: &App, item: &Item, theme: &Theme, width: u16, why: bool, how: bool) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(vec![
        Span::styled(item.title.clone(), theme.title),
        Span::raw("  "),
        Span::styled(format!("[{}]", item.severity.label()), theme.severity(item.severity)),
        Span::styled(format!(" {}", item.area.label()), theme.muted),
    ])];
    lines.push(Line::default());
    if let Some(q) = &item.question {
        lines.push(Line::styled(q.text.trim().to_string(), theme.title));
        if why {
            section(&mut lines, "Why it matters", &q.why, theme);
            section(&mut lines, "Yes means", &q.yes, theme);
            section(&mut lines, "It passes when", &item.pass, theme);
        }
    } else {
        lines.push(Line::styled("Can you confirm this is true?", theme.title));
        lines.push(Line::from(item.pass.trim().to_string()));
        if why {
            section(&mut lines, "Why it matters", &item.why, theme);
        }
    }
    if let Some(alternative) = &item.alternative {
        section(&mut lines, "It also passes, answered yes, when", alternative, theme);
    }
    lines.extend(number_lines(app, item, theme, width));
    if let (Some(probe), Some(a)) = (app.probe_status(item), &app.assessment) {
        lines.push(Line::default());
        lines.push(Line::from(vec![
            Span::styled("The automated check says ", theme.heading),
            status_span(probe, theme),
        ]));
        for r in item.checks.iter().filter_map(|c| a.probes.get(c)) {
            lines.extend(hang(
                vec![
                    Span::raw("  "),
                    Span::styled(
                        format!("{} {}", theme::probe_symbol(r.status), r.title),
                        theme.probe_status(r.status),
                    ),
                    Span::raw(format!(": {}", r.summary)),
                ],
                usize::from(width),
                4,
            ));
            lines.extend(evidence_lines(r, theme, 4, width));
        }
        lines.push(Line::styled(
            "An answer that disagrees with it counts only with a note saying why (you are asked \
             for one).",
            theme.muted,
        ));
    }
    if how {
        lines.push(Line::default());
        lines.push(Line::styled("How do I check?", theme.heading));
        if let Some(signal) = &item.signal {
            lines.push(Line::from(vec![
                Span::styled("What to look for: ", theme.title),
                Span::raw(signal.trim().to_string()),
            ]));
        }
        if let Some(method) = &item.method {
            lines.push(Line::from(vec![
                Span::styled("How: ", theme.title),
                Span::raw(method.trim().to_string()),
            ]));
        }
        lines.push(Line::from(vec![
            Span::styled("How to fix: ", theme.title),
            Span::raw(item.fix.trim().to_string()),
        ]));
    }
    lines
}

/// The vertical's numbers the item is judged by, each with what it means:
/// "• 30 per user per minute: how many chat messages one user may send …".
fn number_lines(app: &App, item: &Item, theme: &Theme, width: u16) -> Vec<Line<'static>> {
    let checklist = app.checklist();
    let numbers: Vec<_> = item
        .thresholds
        .iter()
        .filter_map(|id| checklist.threshold(id))
        .collect();
    if numbers.is_empty() {
        return vec![];
    }
    let mut lines = vec![Line::default(), Line::styled("The numbers to meet", theme.heading)];
    for t in numbers {
        lines.extend(hang(
            vec![
                Span::raw("• "),
                Span::styled(t.amount(), theme.title),
                Span::raw(format!(": {}", t.text.trim())),
            ],
            usize::from(width),
            2,
        ));
    }
    lines
}

fn answer_lines(app: &App, item: &Item, theme: &Theme) -> Vec<Line<'static>> {
    let answer = app.assessment.as_ref().and_then(|a| a.answers.get(&item.id));
    let mut first = vec![Span::styled("Your answer: ", theme.heading)];
    match answer {
        Some(a) => first.push(answer_span(a.value, theme)),
        None => first.push(Span::styled("none yet", theme.muted)),
    }
    first.push(Span::raw("   "));
    let keys = [("y", "yes"), ("n", "no"), ("u", "not sure"), ("a", "not applicable")];
    for (i, (k, word)) in keys.into_iter().enumerate() {
        if i > 0 {
            first.push(Span::styled(" · ", theme.muted));
        }
        first.push(Span::styled(k, theme.key));
        first.push(Span::styled(format!(" {word}"), theme.muted));
    }
    let mut lines = vec![Line::from(first)];
    if let Some(note) = answer.and_then(|a| a.note()) {
        lines.push(Line::from(vec![
            Span::styled("Note: ", theme.heading),
            Span::raw(note.to_string()),
        ]));
    }
    lines
}

/// One question at a time, with the answer kept in view at the bottom.
///
/// ```text
/// ░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░  0 of 44 answered · question 20 of 44
///
/// SPF, DKIM and DMARC pass  [high] Email
///
/// Do emails from your app pass SPF, DKIM and DMARC, the three checks that prove
/// mail really comes from your domain?
///
/// Why it matters                       (these three left out when the window is too
/// …                                     short for the checks' verdict or the how-to)
/// Yes means
/// …
/// It passes when
/// …
/// The numbers to meet                  (when the vertical sets any for the item)
/// • 5 minutes: an uptime or error alert must reach a person within …
///
/// The automated check says ✘ fail      (when its checks ran)
///   ✘ SPF record: No SPF record: anyone can send email that claims to be from
///     acme.example.
///     TXT acme.example: (no v=spf1 record)
/// An answer that disagrees with it counts only with a note saying why …
///
/// How do I check?                      (after w)
/// What to look for: … How: … How to fix: …
///                            ▼ more below: make the window taller to read it all
/// ──────────────────────────────────────────────────────────────────────────────
/// Your answer: ~ not sure   y yes · n no · u not sure · a not applicable
/// Note: Our developer is checking the admin routes this week.
/// ```
pub(super) fn render(app: &App, theme: &Theme, frame: &mut Frame, body: Rect) {
    let (answered, total) = app.progress();
    let Some(item) = app.current_item() else {
        frame.render_widget(wrapped(Text::from("There are no questions in this assessment.")), body);
        return;
    };
    let answer = Text::from(answer_lines(app, item, theme));
    // A long note gets what the question leaves: at least 7 rows stay for the question.
    let answer_cap = body.height.saturating_sub(3 + 7).max(2);
    let answer_h = text_height(&answer, body.width.min(READING_WIDTH)).min(answer_cap);
    let [gauge, _, content, rule, answer_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(answer_h),
    ])
    .areas(body);
    let content = readable(content);
    let answer_area = readable(answer_area);
    let status = format!(
        "{answered} of {total} answered · question {} of {total}",
        app.questions.index + 1
    );
    frame.render_widget(
        Paragraph::new(bar_line(answered, total, gauge.width, status, theme)),
        gauge,
    );
    let probed = app.probe_status(item).is_some();
    let mut text = Text::from(question_lines(
        app,
        item,
        theme,
        content.width,
        true,
        app.questions.show_how,
    ));
    if (app.questions.show_how || probed) && text_height(&text, content.width) > content.height {
        // A short window: the checks' verdict and the how-to asked for go before "why it
        // matters".
        text = Text::from(question_lines(
            app,
            item,
            theme,
            content.width,
            false,
            app.questions.show_how,
        ));
    }
    // ↓/↑ scroll a question that does not fit; the scroll never goes past the end.
    let overflow = text_height(&text, content.width).saturating_sub(content.height);
    let scroll = app.questions.body_scroll.min(overflow);
    render_scrolled(frame, theme, text, content, scroll, "▼ more below: ↓ scrolls");
    frame.render_widget(Block::new().borders(Borders::TOP).border_style(theme.border), rule);
    render_clipped(frame, theme, answer, answer_area, "▼ m shows the whole note");
}

/// Prose lines longer than this many columns are hard to read: wide screens get margins.
const READING_WIDTH: u16 = 100;

fn readable(area: Rect) -> Rect {
    Rect {
        width: area.width.min(READING_WIDTH),
        ..area
    }
}
