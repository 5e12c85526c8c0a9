//! The start screen: a new assessment, or one of the saved ones to resume.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{HighlightSpacing, List, ListItem, ListState, Paragraph};

use super::text::{pad, plural, text_height, wrapped};
use super::{MARKER, MARKER_W};
use crate::score;
use crate::tui::app::App;
use crate::tui::theme::{self, THEME, Theme};

pub(super) struct StartLayout {
    intro: Rect,
    columns: Rect,
    pub(super) list: Rect,
    below: Rect,
}

fn start_intro(theme: &Theme) -> Text<'static> {
    Text::from(vec![
        Line::styled("Is your AI chatbot ready to launch?", theme.title),
        Line::styled(
            "Answer plain questions about your product, let launchready check what it can by \
             itself, and get a verdict with the fixes that matter most.",
            theme.muted,
        ),
    ])
}

fn start_below(app: &App, theme: &Theme) -> Text<'static> {
    let mut lines = vec![Line::styled(
        format!("Assessments are saved in {}", app.store.root().display()),
        theme.muted,
    )];
    let unreadable = app.start.listed.len() - app.resumable().len();
    if unreadable > 0 {
        lines.push(Line::styled(
            format!(
                "{unreadable} saved {} could not be read; {} left untouched.",
                plural(unreadable, "file", "files"),
                if unreadable == 1 { "it is" } else { "they are" }
            ),
            theme.error,
        ));
    }
    Text::from(lines)
}

pub(super) fn layout(app: &App, body: Rect) -> StartLayout {
    let intro_h = text_height(&start_intro(&THEME), body.width) + 1;
    let below_h = text_height(&start_below(app, &THEME), body.width);
    let [intro, columns, list, _, below] = Layout::vertical([
        Constraint::Length(intro_h),
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(below_h),
    ])
    .areas(body);
    StartLayout {
        intro,
        columns,
        list,
        below,
    }
}

/// Column widths of the start list: client, product, business, updated, answered, verdict.
fn start_columns(width: u16) -> [usize; 6] {
    let width = usize::from(width).saturating_sub(MARKER_W);
    let (client, business) = if width >= 120 { (24, 32) } else { (12, 12) };
    let (updated, answered, verdict) = (10, 5, 17);
    let fixed = client + business + updated + answered + verdict + 5;
    let product = width.saturating_sub(fixed).max(8);
    [client, product, business, updated, answered, verdict]
}

fn columns_line(cells: &[(String, Style)], widths: &[usize]) -> Line<'static> {
    let mut spans = vec![];
    for (i, ((text, style), w)) in cells.iter().zip(widths).enumerate() {
        if i > 0 {
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(pad(text, *w), *style));
    }
    Line::from(spans)
}

/// The first screen: start or resume.
///
/// ```text
/// Is your AI chatbot ready to launch?
/// Answer plain questions about your product, let launchready check what it can
/// by itself, and get a verdict with the fixes that matter most.
///
///   Client       Product         Business     Updated    Done  Verdict
///   + New assessment
///   (no client)  Coachly         coach and c… 2026-10-03 0/44  … not decided yet
/// ▶ Acme Ltd     Acme Chat       B2B service… 2026-11-02 2/44  ✘ not ready
///                Acme Support B… founder-led… 2026-10-30 1/45  … not decided yet
///
/// Assessments are saved in ~/.local/share/launchready/assessments
/// 1 saved file could not be read; it is left untouched.
/// ```
pub(super) fn render(app: &App, theme: &Theme, frame: &mut Frame, body: Rect) {
    let layout = layout(app, body);
    frame.render_widget(wrapped(start_intro(theme)), layout.intro);
    let widths = start_columns(body.width);
    let heading = |s: &str| (s.to_string(), theme.heading);
    let header = columns_line(
        &[
            heading("Client"),
            heading("Product"),
            heading("Business"),
            heading("Updated"),
            heading("Done"),
            heading("Verdict"),
        ],
        &widths,
    );
    let mut header = header;
    header.spans.insert(0, Span::raw(" ".repeat(MARKER_W)));
    frame.render_widget(Paragraph::new(header), layout.columns);
    let mut rows = vec![ListItem::new(Line::styled("+ New assessment", theme.title))];
    let mut last_client: Option<Option<String>> = None;
    for listed in app.resumable() {
        let Ok(a) = &listed.assessment else { continue };
        let client = a.target.product.client.clone();
        let client_cell = if last_client.as_ref() == Some(&client) {
            String::new()
        } else {
            client.clone().unwrap_or_else(|| "(no client)".to_string())
        };
        last_client = Some(client);
        let checklist = app.catalog.get(&a.checklist.id);
        let business = checklist.map_or_else(|| a.checklist.id.clone(), |c| c.business.clone());
        let (progress, verdict) = match checklist {
            Some(c) => {
                let answered = c.items.iter().filter(|i| a.answers.contains_key(&i.id)).count();
                let v = score::score(c, a).verdict;
                (
                    format!("{answered}/{}", c.items.len()),
                    (format!("{} {}", theme::verdict_symbol(v), v.label()), theme.verdict(v)),
                )
            }
            None => (
                format!("{}/?", a.answers.len()),
                ("? checklist not loaded".to_string(), theme.muted),
            ),
        };
        rows.push(ListItem::new(columns_line(
            &[
                (client_cell, theme.title),
                (a.target.product.name.clone(), theme.text),
                (business, theme.muted),
                (a.updated.chars().take(10).collect(), theme.muted),
                (progress, theme.text),
                verdict,
            ],
            &widths,
        )));
    }
    let list = List::new(rows)
        .highlight_style(theme.selected)
        .highlight_symbol(MARKER)
        .highlight_spacing(HighlightSpacing::Always);
    let mut state = ListState::default().with_selected(Some(app.start.cursor));
    frame.render_stateful_widget(list, layout.list, &mut state);
    frame.render_widget(wrapped(start_below(app, theme)), layout.below);
}
