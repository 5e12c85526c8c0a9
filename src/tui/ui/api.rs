//! The product form's API page: routes and test accounts, then Continue (or the sign-in's
//! progress while it runs).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::Paragraph;

use super::probes::spinner;
use super::target::{button_row, errors_line, field_panel, field_rows};
use super::text::{ellipsize, fit};
use super::text::{text_height, wrapped};
use super::{MARKER, render_panel};
use crate::discover::Kind;
use crate::tui::app::App;
use crate::tui::theme::{THEME, Theme};

pub(super) struct ApiLayout {
    intro: Rect,
    pub(super) fields: Rect,
    found: Rect,
    button: Rect,
    panel: Rect,
}

/// At most this many suggestion rows show at once; the list scrolls with the focus.
const FOUND_ROWS: usize = 6;
/// The focused field's panel keeps at least this many rows.
const PANEL_MIN: u16 = 4;

/// How many suggestion rows fit: at most [`FOUND_ROWS`], and never so many that the panel of
/// the focused row has no room.
fn found_rows(app: &App, body: Rect, intro_h: u16) -> usize {
    let api = &app.product.api;
    let n = u16::try_from(api.fields.len()).unwrap_or(u16::MAX);
    // The heading, Continue and the gap above the panel.
    let room = body.height.saturating_sub(intro_h + n + 3 + PANEL_MIN);
    api.suggestions.len().min(FOUND_ROWS).min(usize::from(room).max(1))
}

fn intro(theme: &Theme) -> Text<'static> {
    Text::from(Line::styled(
        "Every field is optional. Each lets launchready check one more thing for itself instead of asking you.",
        theme.muted,
    ))
}

pub(super) fn layout(app: &App, body: Rect) -> ApiLayout {
    let intro_h = if body.height >= 24 {
        text_height(&intro(&THEME), body.width) + 1
    } else {
        0
    };
    let api = &app.product.api;
    let n = u16::try_from(api.fields.len()).unwrap_or(u16::MAX);
    let found_h = if api.suggestions.is_empty() {
        u16::from(api.discovering)
    } else {
        u16::try_from(found_rows(app, body, intro_h) + 1).unwrap_or(1)
    };
    let [intro, fields, found, button, _, panel] = Layout::vertical([
        Constraint::Length(intro_h),
        Constraint::Length(n),
        Constraint::Length(found_h),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Fill(1),
    ])
    .areas(body);
    ApiLayout {
        intro,
        fields,
        found,
        button,
        panel,
    }
}

/// The API page: one row per field, Continue, and the focused field in full.
///
/// ```text
/// Every field is optional. Each lets launchready check one more thing …   (when there is room)
///
///   Private routes      GET /api/conversations/{id}, POST /api/chat
///   Admin routes        GET /admin/config
///   …
/// ▶ Password of A       ••••••••█
///   …
///   [ Continue ]
///
///  Password of A ─────────────────────────────────────────────────────────────────
/// ••••••••█
/// Only with an email: the test account's password. Kept in memory for this …
/// ```
pub(super) fn render(app: &App, theme: &Theme, frame: &mut Frame, body: Rect) {
    let layout = layout(app, body);
    let api = &app.product.api;
    frame.render_widget(wrapped(intro(theme)), layout.intro);
    frame.render_widget(
        Paragraph::new(field_rows(&api.fields, api.focus, theme, body.width)),
        layout.fields,
    );
    let rows = usize::from(layout.found.height.saturating_sub(1));
    frame.render_widget(Paragraph::new(found_lines(app, theme, body.width, rows)), layout.found);
    let on_button = api.focus == api.button();
    frame.render_widget(button_row("[ Continue ]", on_button, theme), layout.button);
    let (title, text) = if let Some((since, _, _)) = &api.signing {
        (
            "Signing in".to_string(),
            Text::from(vec![
                Line::from(format!(
                    "{} Signing in the test accounts through the sign-in route…",
                    spinner(since.elapsed())
                )),
                Line::styled("Esc stops waiting.", theme.muted),
            ]),
        )
    } else if let Some(field) = api.fields.get(api.focus) {
        field_panel(field, theme)
    } else if let Some(s) = api.suggestions.get(api.focus - api.fields.len()) {
        let on = app.suggestion_used(s);
        let why = match s.kind {
            Kind::Private => "it looks like a route only a signed-in user may call",
            Kind::Admin => "it looks like an admin route",
            Kind::Webhook => "it looks like where a provider posts events",
            Kind::Chat => "it looks like where the app sends chat messages",
            Kind::Login => "it looks like the sign-in route",
        };
        let field = api
            .fields
            .iter()
            .find(|f| f.key == s.kind.field())
            .map_or("", |f| f.label);
        (
            "Found".to_string(),
            Text::from(vec![
                Line::from(format!(
                    "{} {}, found in {}: {why}.",
                    s.route.method, s.route.path, s.source
                )),
                Line::styled(
                    if on {
                        format!("Ticked: it is in {field}. Space takes it out again.")
                    } else {
                        format!("Space ticks it and adds it to {field}; nothing found is used unless ticked.")
                    },
                    theme.muted,
                ),
            ]),
        )
    } else {
        let mut lines = vec![Line::from(
            "Press Enter to save the product and start the automated checks; test accounts given \
             by email are signed in first.",
        )];
        lines.extend(errors_line(&api.fields, theme));
        ("Continue".to_string(), Text::from(lines))
    };
    render_panel(frame, theme, &title, text, layout.panel);
}

/// "Routes found (4): Space ticks one to use it" and one row per suggestion (`rows` of them,
/// scrolled so the focused one shows), or "Looking for routes…".
fn found_lines(app: &App, theme: &Theme, width: u16, rows: usize) -> Vec<Line<'static>> {
    let api = &app.product.api;
    if api.suggestions.is_empty() {
        return if api.discovering {
            vec![Line::styled(
                "  Looking for routes in your API's description and code…",
                theme.muted,
            )]
        } else {
            vec![]
        };
    }
    let width = usize::from(width);
    let mut lines = vec![Line::styled(
        format!(
            "  Routes found ({}): Space ticks one to use it{}",
            api.suggestions.len(),
            if rows < api.suggestions.len() {
                "; Tab shows the rest"
            } else {
                ""
            }
        ),
        theme.heading,
    )];
    let focused = api
        .focus
        .checked_sub(api.fields.len())
        .filter(|i| *i < api.suggestions.len());
    let rows = rows.max(1);
    let first = focused.map_or(0, |f| f.saturating_sub(rows - 1));
    for (i, s) in api.suggestions.iter().enumerate().skip(first).take(rows) {
        let on = app.suggestion_used(s);
        let is_focused = focused == Some(i);
        let style = if is_focused { theme.focus } else { theme.text };
        let row = Line::from(vec![
            Span::raw(if is_focused { MARKER } else { "  " }),
            Span::styled(format!("[{}] ", if on { "x" } else { " " }), style),
            Span::styled(format!("{:<9}", s.kind.label()), theme.muted),
            Span::styled(
                ellipsize(&format!("{} {}", s.route.method, s.route.path), width / 2),
                style,
            ),
            Span::styled(format!("  {}", s.source), theme.muted),
        ]);
        lines.push(fit(row, width));
    }
    lines
}
