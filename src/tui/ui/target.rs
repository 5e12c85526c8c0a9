//! The product form: the target's fields, the permission for active checks, and Continue.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::Paragraph;

use super::text::{ellipsize, fit, hang, pad, plural, tail, text_height, wrapped};
use super::{CURSOR, MARKER, MARKER_W, render_panel};
use crate::tui::app::App;
use crate::tui::theme::{THEME, Theme};

const CONSENT: &str = "I own this product or may test it (allows more than a handful of requests)";

pub(super) struct TargetLayout {
    intro: Rect,
    pub(super) fields: Rect,
    consent: Rect,
    button: Rect,
    panel: Rect,
}

fn target_intro(theme: &Theme) -> Text<'static> {
    Text::from(Line::styled(
        "Only the product name is needed. Each other field lets launchready check more by itself.",
        theme.muted,
    ))
}

fn consent_lines(app: &App, theme: &Theme, width: u16) -> Vec<Line<'static>> {
    let focused = app.product.focus == app.product.fields.len();
    let tick = if app.product.active_allowed { "[x] " } else { "[ ] " };
    let style = if focused { theme.focus } else { theme.text };
    hang(
        vec![
            Span::raw(if focused { MARKER } else { "  " }),
            Span::styled(format!("{tick}{CONSENT}"), style),
        ],
        usize::from(width),
        6,
    )
}

pub(super) fn layout(app: &App, body: Rect) -> TargetLayout {
    let intro_h = if body.height >= 24 {
        text_height(&target_intro(&THEME), body.width) + 1
    } else {
        0
    };
    let n = u16::try_from(app.product.fields.len()).unwrap_or(u16::MAX);
    let consent_h = u16::try_from(consent_lines(app, &THEME, body.width).len()).unwrap_or(1);
    let [intro, fields, consent, button, _, panel] = Layout::vertical([
        Constraint::Length(intro_h),
        Constraint::Length(n),
        Constraint::Length(consent_h),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Fill(1),
    ])
    .areas(body);
    TargetLayout {
        intro,
        fields,
        consent,
        button,
        panel,
    }
}

/// The product form: one row per field (so a click picks the field), then the focused field in
/// full with its error and help.
///
/// ```text
/// Only the product name is needed. Each other field lets …   (when there is room)
///
///   Product name      Acme Chat
///   Client            —
/// ▶ Email domain      acme█  ✘ Not a domain: it needs at least one dot.
///   App address       app.acme.example  ✘ Not a web address: it has no scheme (…
///   …
///   [x] I own this product or may test it (allows more than a handful of
///       requests)
///   [ Continue ]
///
///  Email domain ─────────────────────────────────────────────────────────────────
/// acme█
/// ✘ Not a domain: it needs at least one dot.
/// The domain your emails come from, e.g. acme.example. Empty: email checks are
/// asked as questions.
/// ```
pub(super) fn render(app: &App, theme: &Theme, frame: &mut Frame, body: Rect) {
    let layout = layout(app, body);
    frame.render_widget(wrapped(target_intro(theme)), layout.intro);
    let label_w = app
        .product
        .fields
        .iter()
        .map(|f| f.label.chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    let width = usize::from(body.width);
    let mut rows = vec![];
    for (i, field) in app.product.fields.iter().enumerate() {
        let focused = i == app.product.focus;
        let mut spans = vec![
            Span::raw(if focused { MARKER } else { "  " }),
            Span::styled(
                pad(field.label, label_w),
                if focused { theme.focus } else { theme.title },
            ),
            Span::raw(" "),
        ];
        let room = width.saturating_sub(MARKER_W + label_w + 1);
        let error = field.error.as_ref().map(|e| format!("  ✘ {e}"));
        let value_room = match &error {
            Some(e) => room.saturating_sub(e.chars().count()).max(room / 2),
            None => room,
        };
        if focused {
            // The cursor is at the end: show the end of a long value.
            spans.push(Span::raw(tail(&field.value, value_room.saturating_sub(1))));
            spans.push(Span::styled(CURSOR, theme.cursor));
        } else if field.value.is_empty() {
            spans.push(Span::styled("—", theme.muted));
        } else {
            spans.push(Span::raw(ellipsize(&field.value, value_room)));
        }
        if let Some(e) = error {
            spans.push(Span::styled(e, theme.error));
        }
        rows.push(fit(Line::from(spans), width));
    }
    frame.render_widget(Paragraph::new(rows), layout.fields);
    frame.render_widget(Paragraph::new(consent_lines(app, theme, body.width)), layout.consent);
    let on_button = app.product.focus == app.product.fields.len() + 1;
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::raw(if on_button { MARKER } else { "  " }),
            Span::styled("[ Continue ]", if on_button { theme.focus } else { theme.button }),
        ])),
        layout.button,
    );
    let (title, text) = match app.product.fields.get(app.product.focus) {
        Some(field) => {
            let mut lines = vec![Line::from(vec![
                Span::raw(field.value.clone()),
                Span::styled(CURSOR, theme.cursor),
            ])];
            if let Some(e) = &field.error {
                lines.push(Line::styled(format!("✘ {e}"), theme.error));
            }
            lines.push(Line::styled(field.help, theme.muted));
            (field.label.to_string(), Text::from(lines))
        }
        None if !on_button => (
            "Permission for active checks".to_string(),
            Text::from(vec![
                Line::from(
                    "Some checks send more than a handful of requests to your app and API, for \
                     example to see whether it limits how fast one caller can send messages. \
                     Allow them only for a product you own or have written permission to test.",
                ),
                Line::styled("Space, y or n changes it.", theme.muted),
            ]),
        ),
        None => {
            let errors = app.product.fields.iter().filter(|f| f.error.is_some()).count();
            let mut lines = vec![Line::from(
                "Press Enter to save the product and start the automated checks. You can answer \
                 the questions while they run.",
            )];
            if errors > 0 {
                lines.push(Line::styled(
                    format!(
                        "✘ {errors} {} marked ✘ {} to be fixed first.",
                        plural(errors, "field", "fields"),
                        if errors == 1 { "needs" } else { "need" }
                    ),
                    theme.error,
                ));
            }
            ("Continue".to_string(), Text::from(lines))
        }
    };
    render_panel(frame, theme, &title, text, layout.panel);
}
