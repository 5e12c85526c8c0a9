//! The product form: the target's fields, the permission for active checks, and Continue.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::Paragraph;

use super::text::{ellipsize, fit, hang, pad, plural, tail, text_height, wrapped};
use super::{CURSOR, MARKER, MARKER_W, render_panel};
use crate::tui::app::{App, Field};
use crate::tui::theme::{THEME, Theme};

const CONSENT: &str = "I own this product or may test it (allows more than a handful of requests)";

pub(super) struct TargetLayout {
    intro: Rect,
    pub(super) fields: Rect,
    consent: Rect,
    api: Rect,
    button: Rect,
    panel: Rect,
}

/// The link to the API page, as its row reads.
const API_LINK: &str = "[ API routes and test accounts › ]";

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
    let [intro, fields, consent, api, button, _, panel] = Layout::vertical([
        Constraint::Length(intro_h),
        Constraint::Length(n),
        Constraint::Length(consent_h),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Fill(1),
    ])
    .areas(body);
    TargetLayout {
        intro,
        fields,
        consent,
        api,
        button,
        panel,
    }
}

/// One row per field (so a click picks the field): the focused one marked and with the cursor
/// at its end, a secret as dots, an error after the value.
pub(super) fn field_rows(fields: &[Field], focus: usize, theme: &Theme, width: u16) -> Vec<Line<'static>> {
    let label_w = fields.iter().map(|f| f.label.chars().count()).max().unwrap_or(0) + 2;
    let width = usize::from(width);
    let mut rows = vec![];
    for (i, field) in fields.iter().enumerate() {
        let focused = i == focus;
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
        let value = field.shown();
        if focused {
            // The cursor is at the end: show the end of a long value.
            spans.push(Span::raw(tail(&value, value_room.saturating_sub(1))));
            spans.push(Span::styled(CURSOR, theme.cursor));
        } else if value.is_empty() {
            spans.push(Span::styled("—", theme.muted));
        } else {
            spans.push(Span::raw(ellipsize(&value, value_room)));
        }
        if let Some(e) = error {
            spans.push(Span::styled(e, theme.error));
        }
        rows.push(fit(Line::from(spans), width));
    }
    rows
}

/// The panel of the focused field: its whole value, its error and its help.
pub(super) fn field_panel(field: &Field, theme: &Theme) -> (String, Text<'static>) {
    let mut lines = vec![Line::from(vec![
        Span::raw(field.shown()),
        Span::styled(CURSOR, theme.cursor),
    ])];
    if let Some(e) = &field.error {
        lines.push(Line::styled(format!("✘ {e}"), theme.error));
    }
    lines.push(Line::styled(field.help, theme.muted));
    (field.label.to_string(), Text::from(lines))
}

/// A button row: `[ Continue ]`, marked when focused.
pub(super) fn button_row(label: &str, focused: bool, theme: &Theme) -> Paragraph<'static> {
    Paragraph::new(Line::from(vec![
        Span::raw(if focused { MARKER } else { "  " }),
        Span::styled(label.to_string(), if focused { theme.focus } else { theme.button }),
    ]))
}

/// "✘ 2 fields marked ✘ need to be fixed first."
pub(super) fn errors_line(fields: &[Field], theme: &Theme) -> Option<Line<'static>> {
    let errors = fields.iter().filter(|f| f.error.is_some()).count();
    (errors > 0).then(|| {
        Line::styled(
            format!(
                "✘ {errors} {} marked ✘ {} to be fixed first.",
                plural(errors, "field", "fields"),
                if errors == 1 { "needs" } else { "need" }
            ),
            theme.error,
        )
    })
}

/// The product form: one row per field, then the focused field in full with its error and
/// help.
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
///   [ API routes and test accounts › ]
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
    let product = &app.product;
    frame.render_widget(wrapped(target_intro(theme)), layout.intro);
    frame.render_widget(
        Paragraph::new(field_rows(&product.fields, product.focus, theme, body.width)),
        layout.fields,
    );
    frame.render_widget(Paragraph::new(consent_lines(app, theme, body.width)), layout.consent);
    let on_api = product.focus == product.api_row();
    let on_button = product.focus == product.button();
    frame.render_widget(button_row(API_LINK, on_api, theme), layout.api);
    frame.render_widget(button_row("[ Continue ]", on_button, theme), layout.button);
    let (title, text) = match product.fields.get(product.focus) {
        Some(field) => field_panel(field, theme),
        None if on_api => (
            "API routes and test accounts".to_string(),
            Text::from(vec![
                Line::from(
                    "Which routes are private or for admins only, where the webhook and the chat \
                     route are, and two test accounts to act as: with them launchready checks \
                     that one customer cannot read another's data.",
                ),
                Line::styled(api_summary(app), theme.muted),
            ]),
        ),
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
            let mut lines = vec![Line::from(
                "Press Enter to save the product and start the automated checks. You can answer \
                 the questions while they run.",
            )];
            lines.extend(errors_line(&product.fields, theme));
            ("Continue".to_string(), Text::from(lines))
        }
    };
    render_panel(frame, theme, &title, text, layout.panel);
}

/// "3 routes, 2 test accounts described. Enter opens the page."
fn api_summary(app: &App) -> String {
    let filled = |keys: &[&str]| {
        app.product
            .api
            .fields
            .iter()
            .filter(|f| keys.contains(&f.key) && !f.value.trim().is_empty())
            .count()
    };
    let routes = filled(&["private_routes", "admin_routes", "webhook", "chat", "login"]);
    let accounts = filled(&["account_a", "account_b"]);
    if routes + accounts == 0 {
        return "Nothing described yet. Enter opens the page.".into();
    }
    format!("{routes} of 5 kinds of route and {accounts} of 2 test accounts described. Enter opens the page.")
}
