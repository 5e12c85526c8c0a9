//! The product form's API page: routes and test accounts, then Continue (or the sign-in's
//! progress while it runs).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Text};
use ratatui::widgets::Paragraph;

use super::probes::spinner;
use super::render_panel;
use super::target::{button_row, errors_line, field_panel, field_rows};
use super::text::{text_height, wrapped};
use crate::tui::app::App;
use crate::tui::theme::{THEME, Theme};

pub(super) struct ApiLayout {
    intro: Rect,
    pub(super) fields: Rect,
    button: Rect,
    panel: Rect,
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
    let n = u16::try_from(app.product.api.fields.len()).unwrap_or(u16::MAX);
    let [intro, fields, button, _, panel] = Layout::vertical([
        Constraint::Length(intro_h),
        Constraint::Length(n),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Fill(1),
    ])
    .areas(body);
    ApiLayout {
        intro,
        fields,
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
    let on_button = api.focus == api.fields.len();
    frame.render_widget(button_row("[ Continue ]", on_button, theme), layout.button);
    let (title, text) = if let Some((since, _)) = &api.signing {
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
