//! The choice of business (the checklist's vertical), with what "ready" means for each.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{HighlightSpacing, List, ListItem, ListState};

use super::text::{fit, text_height, width_of, wrapped};
use super::{MARKER, MARKER_W, render_panel};
use crate::checklist::Checklist;
use crate::tui::app::App;
use crate::tui::theme::{THEME, Theme};

pub(super) struct VerticalLayout {
    intro: Rect,
    pub(super) list: Rect,
    panel: Rect,
}

fn vertical_row(c: &Checklist) -> String {
    format!("{} · ready for {}", c.business, c.ready_for)
}

fn vertical_intro(theme: &Theme) -> Text<'static> {
    Text::from(Line::from(vec![
        Span::styled("Which kind of business is the chatbot for?", theme.title),
        Span::styled(" What \"ready\" means depends on it.", theme.muted),
    ]))
}

pub(super) fn layout(app: &App, body: Rect) -> VerticalLayout {
    let intro_h = text_height(&vertical_intro(&THEME), body.width) + 1;
    let [intro, rest] = Layout::vertical([Constraint::Length(intro_h), Constraint::Fill(1)]).areas(body);
    let n = u16::try_from(app.catalog.all().len()).unwrap_or(u16::MAX);
    let widest = app
        .catalog
        .all()
        .iter()
        .map(|c| width_of(&vertical_row(c)))
        .max()
        .unwrap_or(0)
        + width_of(MARKER)
        + 1;
    if body.width >= 110 {
        let [list, _, panel] = Layout::horizontal([
            Constraint::Length(widest.min(body.width / 2)),
            Constraint::Length(1),
            Constraint::Fill(1),
        ])
        .areas(rest);
        VerticalLayout { intro, list, panel }
    } else {
        // The panel has a rule of its own above it; a blank row too when there is room.
        let gap = u16::from(body.height >= 30);
        let [list, _, panel] =
            Layout::vertical([Constraint::Length(n), Constraint::Length(gap), Constraint::Fill(1)]).areas(rest);
        VerticalLayout { intro, list, panel }
    }
}

/// The choice of business, with what "ready" means for the highlighted one.
///
/// ```text
/// Which kind of business is the chatbot for? What "ready" means depends on it.
///
///   B2B service businesses · ready for production traffic
/// ▶ founder-led ecommerce · ready for production traffic
///   …
///  founder-led ecommerce: ready for production traffic ──────────────────────────
/// Ready means the shop's chatbot can take real customers' messages, call your
/// store's systems …                  (on a wide screen this panel is beside the list)
///
/// When to pause the launch
/// …
/// ```
pub(super) fn render(app: &App, theme: &Theme, frame: &mut Frame, body: Rect) {
    let layout = layout(app, body);
    frame.render_widget(wrapped(vertical_intro(theme)), layout.intro);
    let rows: Vec<ListItem> = app
        .catalog
        .all()
        .iter()
        .map(|c| {
            let room = usize::from(layout.list.width).saturating_sub(MARKER_W);
            ListItem::new(fit(Line::from(vertical_row(c)), room))
        })
        .collect();
    let list = List::new(rows)
        .highlight_style(theme.selected)
        .highlight_symbol(MARKER)
        .highlight_spacing(HighlightSpacing::Always);
    let mut state = ListState::default().with_selected(Some(app.vertical.cursor));
    frame.render_stateful_widget(list, layout.list, &mut state);
    let Some(c) = app.catalog.all().get(app.vertical.cursor) else {
        return;
    };
    let mut lines = vec![Line::from(c.summary.trim().to_string())];
    if let Some(rule) = &c.pause_rule {
        lines.push(Line::default());
        lines.push(Line::styled("When to pause the launch", theme.heading));
        lines.push(Line::from(rule.trim().to_string()));
    }
    let title = format!("{}: ready for {}", c.business, c.ready_for);
    render_panel(frame, theme, &title, Text::from(lines), layout.panel);
}
