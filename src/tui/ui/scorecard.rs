//! The scorecard screen: the verdict and what stops the launch, then every item by area.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{HighlightSpacing, List, ListItem, ListState};

use super::MARKER;
use super::text::{hang, plural, text_height, wrapped};
use crate::checklist::Checklist;
use crate::score::{self, ItemScore, ItemStatus, Scorecard};
use crate::tui::app::App;
use crate::tui::theme::{self, Theme};

fn verdict_lines(sc: &Scorecard<'_>, checklist: &Checklist, theme: &Theme, width: u16) -> Vec<Line<'static>> {
    let v = sc.verdict;
    let explain = match v {
        score::Verdict::Ready => format!("ready for {}", checklist.ready_for),
        score::Verdict::NotReady => format!("not ready for {}", checklist.ready_for),
        score::Verdict::Incomplete => format!(
            "not decided yet: {} important {} still open or unsure",
            sc.undecided.len(),
            plural(sc.undecided.len(), "item is", "items are")
        ),
    };
    let mut first = vec![
        Span::styled("Verdict: ", theme.title),
        Span::styled(format!("{} {explain}", theme::verdict_symbol(v)), theme.verdict(v)),
    ];
    if let Some(overall) = sc.overall {
        first.push(Span::styled(format!("  · score {overall}%"), theme.muted));
    }
    let mut lines = vec![Line::from(first)];
    let title = |id: &str| checklist.item(id).map_or_else(|| id.to_string(), |i| i.title.clone());
    let failures = sc
        .blockers
        .iter()
        .map(|id| (id, " — pauses the launch"))
        .chain(sc.must_fix.iter().map(|id| (id, " — must be fixed before launch")));
    for (id, what) in failures {
        lines.extend(hang(
            vec![
                Span::styled(format!("✘ {}", title(id)), theme.item_status(ItemStatus::Fail)),
                Span::raw(what),
            ],
            usize::from(width),
            2,
        ));
    }
    lines
}

fn score_row(s: &ItemScore<'_>, theme: &Theme, width: u16) -> Text<'static> {
    let mut spans = vec![
        Span::styled(
            format!("{} {:<10}", s.status.symbol(), s.status.label()),
            theme.item_status(s.status),
        ),
        Span::styled(
            format!("{:<8}", s.item.severity.label()),
            theme.severity(s.item.severity),
        ),
        Span::raw(s.item.title.clone()),
    ];
    if s.override_.is_some() {
        spans.push(Span::styled("  (your answer overrides the check)", theme.muted));
    }
    if s.override_refused {
        spans.push(Span::styled("  (your answer needs a note to count)", theme.muted));
    }
    Text::from(hang(spans, usize::from(width), 20))
}

/// The verdict first, then every item by area.
///
/// ```text
/// Verdict: ✘ not ready for production traffic  · score 37%
/// ✘ Login required on every private route — pauses the launch
/// ✘ SPF, DKIM and DMARC pass — must be fixed before launch
///
///   Login and access · 0%  1 fail · 1 open
/// ▶ ✘ fail      blocker Login required on every private route
///   · open      high    Incoming webhooks are signature-checked
///   …
///   · open      medium  The domain is company-owned, auto-renewing and locked
///                       down
/// ```
pub(super) fn render(app: &App, theme: &Theme, frame: &mut Frame, body: Rect) {
    let Some(a) = &app.assessment else {
        frame.render_widget(wrapped(Text::from("No assessment is open.")), body);
        return;
    };
    let checklist = app.checklist();
    let sc = score::score(checklist, a);
    let mut top = verdict_lines(&sc, checklist, theme, body.width);
    // Many failures: keep room for the list, the rest is in it anyway.
    let cap = usize::from((body.height / 3).max(2));
    if top.len() > cap {
        let hidden = top.len() - (cap - 1);
        top.truncate(cap - 1);
        top.push(Line::styled(
            format!(
                "… and {hidden} more {} (marked ✘ below)",
                plural(hidden, "failure", "failures")
            ),
            theme.muted,
        ));
    }
    let top = Text::from(top);
    let top_h = text_height(&top, body.width);
    let [top_area, _, list_area] =
        Layout::vertical([Constraint::Length(top_h), Constraint::Length(1), Constraint::Fill(1)]).areas(body);
    frame.render_widget(wrapped(top), top_area);

    let mut rows = vec![];
    let mut selected = None;
    let mut prev_area = None;
    for (n, &i) in app.score_rows().iter().enumerate() {
        let s = &sc.items[i];
        if prev_area != Some(s.item.area) {
            prev_area = Some(s.item.area);
            let area_score = sc.areas.iter().find(|x| x.area == s.item.area);
            let score_text = area_score
                .and_then(|x| x.score)
                .map_or_else(|| "not scored yet".to_string(), |p| format!("{p}%"));
            let counts = area_score.map(|x| counts_text(&x.counts)).unwrap_or_default();
            rows.push(ListItem::new(Line::from(vec![
                Span::styled(format!("{} · {score_text}", s.item.area.label()), theme.heading),
                Span::styled(format!("  {counts}"), theme.muted),
            ])));
        }
        if n == app.score.cursor {
            selected = Some(rows.len());
        }
        let room = list_area.width.saturating_sub(2);
        rows.push(ListItem::new(score_row(s, theme, room)));
    }
    let list = List::new(rows)
        .highlight_style(theme.selected)
        .highlight_symbol(MARKER)
        .highlight_spacing(HighlightSpacing::Always);
    let mut state = ListState::default().with_selected(selected);
    frame.render_stateful_widget(list, list_area, &mut state);
}

fn counts_text(c: &score::Counts) -> String {
    let parts = [
        (c.pass, "pass"),
        (c.warn, "warn"),
        (c.fail, "fail"),
        (c.error, "error"),
        (c.unsure, "not sure"),
        (c.not_applicable, "n/a"),
        (c.open, "open"),
    ];
    parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, w)| format!("{n} {w}"))
        .collect::<Vec<_>>()
        .join(" · ")
}
