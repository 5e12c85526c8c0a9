//! Drawing the wizard: one function per region (header, the body of each screen, the message
//! line, the footer of keys) and one per overlay, all reading [`App`] and styled by [`Theme`].
//! Nothing here changes state or touches the outside world, so every screen can be rendered on
//! a test backend.
//!
//! This file owns the frame (header, message line, footer), the pieces several screens share
//! (panels, popups, statuses, evidence) and where each screen's clickable list is; each screen
//! and overlay draws itself in a file of its own, and `text` wraps, fits and measures text.
//!
//! Long text always wraps. Lists whose rows can be clicked (start, business, form fields,
//! checks) keep one line per row so that [`list_top`] plus the row number is the row clicked.

mod api;
mod confirm_quit;
mod detail;
mod export;
mod help;
mod note;
mod probes;
mod questions;
mod scorecard;
mod start;
mod target;
mod text;
mod vertical;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use self::text::{ellipsize, hang, text_height, width_of, wrapped};
use super::app::{App, EXPORT_FOLDER, Overlay, Screen};
use super::theme::Theme;
use crate::assessment::AnswerValue;
use crate::score::ItemStatus;

const CURSOR: &str = "█";
const MARKER: &str = "▶ ";
/// The columns [`MARKER`] takes.
const MARKER_W: usize = 2;

/// Draws the whole wizard.
///
/// ```text
/// ┌ header: launchready › Acme Chat › B2B service businesses      Questions · 5/7 ┐
/// │                                                                               │
/// │ body: the current screen (see the render function of each screen)             │
/// │                                                                               │
/// │ message: what just happened (only when there is one)                          │
/// └ footer: ↑↓ move  Enter open  n new assessment  ? all keys  q quit             ┘
///          an overlay (help, quit, note, detail) is drawn centred over all of it
/// ```
pub fn render(app: &App, theme: &Theme, frame: &mut Frame) {
    let regions = regions(app, frame.area());
    render_header(app, theme, frame, regions.header);
    let body = regions.body;
    match app.screen {
        Screen::Start => start::render(app, theme, frame, body),
        Screen::Vertical => vertical::render(app, theme, frame, body),
        Screen::Target => target::render(app, theme, frame, body),
        Screen::Api => api::render(app, theme, frame, body),
        Screen::Probes => probes::render(app, theme, frame, body),
        Screen::Questions => questions::render(app, theme, frame, body),
        Screen::Scorecard => scorecard::render(app, theme, frame, body),
        Screen::Export => export::render(app, theme, frame, body),
    }
    render_message(app, theme, frame, regions.message);
    render_footer(app, theme, frame, regions.footer);
    let area = frame.area();
    match &app.overlay {
        Overlay::None => {}
        Overlay::Help => help::render(app, theme, frame, area),
        Overlay::ConfirmQuit => confirm_quit::render(theme, frame, area),
        Overlay::Note { item, buffer, pending } => note::render(app, theme, frame, area, item, buffer, *pending),
        Overlay::Detail { item, scroll } => detail::render(app, theme, frame, area, item, *scroll),
    }
}

/// The screen row where the clickable list of the current screen starts (its first row is
/// row 0 of `App::on_mouse`); `area` is the whole terminal.
pub fn list_top(app: &App, area: Rect) -> u16 {
    list_area(app, area).y
}

/// Where the clickable list of the current screen is drawn (empty on screens without one).
pub fn list_area(app: &App, area: Rect) -> Rect {
    let body = regions(app, area).body;
    match app.screen {
        Screen::Start => start::layout(app, body).list,
        Screen::Vertical => vertical::layout(app, body).list,
        Screen::Target => target::layout(app, body).fields,
        Screen::Api => api::layout(app, body).fields,
        Screen::Probes => probes::layout(app, body).list,
        Screen::Questions | Screen::Scorecard | Screen::Export => Rect { height: 0, ..body },
    }
}

struct Regions {
    header: Rect,
    body: Rect,
    message: Rect,
    footer: Rect,
}

fn regions(app: &App, area: Rect) -> Regions {
    let message_h = app
        .message
        .as_deref()
        .map_or(0, |m| text_height(&Text::from(m), area.width.saturating_sub(2)).min(3));
    let [header, body, message, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(message_h),
        Constraint::Length(1),
    ])
    .areas(area);
    // A blank row under the header when there is room for it.
    let gap = u16::from(body.height > 12);
    let body = Rect {
        y: body.y + gap,
        height: body.height - gap,
        ..body
    }
    .inner(Margin::new(1, 0));
    Regions {
        header,
        body,
        message: message.inner(Margin::new(1, 0)),
        footer,
    }
}

fn step(screen: Screen) -> usize {
    match screen {
        Screen::Start => 1,
        Screen::Vertical => 2,
        Screen::Target | Screen::Api => 3,
        Screen::Probes => 4,
        Screen::Questions => 5,
        Screen::Scorecard => 6,
        Screen::Export => 7,
    }
}

fn product_name(app: &App) -> Option<String> {
    if app.screen == Screen::Start {
        return None;
    }
    match &app.assessment {
        Some(a) => Some(a.target.product.name.clone()),
        None => app
            .product
            .fields
            .iter()
            .find(|f| f.key == "name")
            .map(|f| f.value.trim().to_string())
            .filter(|n| !n.is_empty()),
    }
}

/// `launchready › Acme Chat › B2B service businesses             Questions · 5/7`
fn render_header(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let step_text = format!(" {} · {}/7 ", app.screen.title(), step(app.screen));
    let step_w = width_of(&step_text).min(area.width);
    let [left, right] = Layout::horizontal([Constraint::Fill(1), Constraint::Length(step_w)]).areas(area);
    let mut parts = vec!["launchready".to_string()];
    if let Some(name) = product_name(app) {
        parts.push(name);
    }
    if app.screen != Screen::Start {
        parts.push(app.checklist().business.clone());
    }
    let text = ellipsize(&format!(" {}", parts.join(" › ")), usize::from(left.width));
    frame.render_widget(Paragraph::new(text).style(theme.header), left);
    frame.render_widget(Paragraph::new(step_text).style(theme.step), right);
}

fn render_message(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    if let Some(message) = &app.message {
        frame.render_widget(wrapped(Text::from(message.clone())).style(theme.message), area);
    }
}

fn render_footer(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let line = footer_line(app, theme, usize::from(area.width));
    frame.render_widget(Paragraph::new(line).style(theme.footer), area);
}

/// Whether keys go into a text field, so `?` and `q` are typed rather than commands.
fn typing(app: &App) -> bool {
    matches!(app.screen, Screen::Target | Screen::Api)
        || (app.screen == Screen::Export && app.export.focus == EXPORT_FOLDER)
}

/// The main keys of the screen, as many as fit in one line of `width`, most important first;
/// the way to see all of them (or to quit) always fits.
fn footer_line(app: &App, theme: &Theme, width: usize) -> Line<'static> {
    type Keys = Vec<(&'static str, &'static str)>;
    let (keys, tail): (Keys, Keys) = match &app.overlay {
        Overlay::None => {
            let keys = help::screen_keys(app.screen)
                .iter()
                .filter(|k| k.main)
                .map(|k| (k.keys.split(' ').next().unwrap_or(k.keys), k.short))
                .collect();
            let tail = if typing(app) {
                vec![("Ctrl-C", "quit")]
            } else {
                vec![("?", "all keys"), ("q", "quit")]
            };
            (keys, tail)
        }
        Overlay::Help => (vec![], vec![("Esc", "close")]),
        Overlay::ConfirmQuit => (vec![("y", "quit")], vec![("Esc", "stay")]),
        Overlay::Note { .. } => (vec![("Enter", "save")], vec![("Esc", "cancel")]),
        Overlay::Detail { .. } => (
            vec![("↑↓", "scroll"), ("g", "go to the question")],
            vec![("Esc", "close")],
        ),
    };
    let pair_width = |(k, w): &(&str, &str)| k.chars().count() + w.chars().count() + 3;
    let mut room = width.saturating_sub(1 + tail.iter().map(pair_width).sum::<usize>());
    let mut shown = vec![];
    for pair in keys {
        if pair_width(&pair) > room {
            break;
        }
        room -= pair_width(&pair);
        shown.push(pair);
    }
    shown.extend(tail);
    let mut spans = vec![Span::raw(" ")];
    for (key, what) in shown {
        spans.push(Span::styled(key.to_string(), theme.key));
        spans.push(Span::styled(format!(" {what}  "), theme.footer));
    }
    Line::from(spans)
}

fn answer_status(value: AnswerValue) -> ItemStatus {
    match value {
        AnswerValue::Yes => ItemStatus::Pass,
        AnswerValue::No => ItemStatus::Fail,
        AnswerValue::Unsure => ItemStatus::Unsure,
        AnswerValue::NotApplicable => ItemStatus::NotApplicable,
    }
}

fn status_span(status: ItemStatus, theme: &Theme) -> Span<'static> {
    Span::styled(
        format!("{} {}", status.symbol(), status.label()),
        theme.item_status(status),
    )
}

fn answer_span(value: AnswerValue, theme: &Theme) -> Span<'static> {
    let status = answer_status(value);
    let word = match value {
        AnswerValue::Yes => "yes",
        AnswerValue::No => "no",
        AnswerValue::Unsure => "not sure",
        AnswerValue::NotApplicable => "not applicable",
    };
    Span::styled(format!("{} {word}", status.symbol()), theme.item_status(status))
}

fn section(lines: &mut Vec<Line<'static>>, heading: &str, text: &str, theme: &Theme) {
    lines.push(Line::default());
    lines.push(Line::styled(heading.to_string(), theme.heading));
    lines.push(Line::from(text.trim().to_string()));
}

/// The evidence of a check, one `label: value` per item, indented by `indent`.
fn evidence_lines(r: &crate::result::ProbeResult, theme: &Theme, indent: usize, width: u16) -> Vec<Line<'static>> {
    r.evidence
        .iter()
        .flat_map(|e| {
            hang(
                vec![
                    Span::raw(" ".repeat(indent)),
                    Span::styled(format!("{}: ", e.label), theme.muted),
                    Span::raw(e.value.clone()),
                ],
                usize::from(width),
                indent + 2,
            )
        })
        .collect()
}

/// `text` wrapped into `area`; when it does not fit, the last row says so with `more`.
fn render_clipped(frame: &mut Frame, theme: &Theme, text: Text<'static>, area: Rect, more: &str) {
    render_scrolled(frame, theme, text, area, 0, more);
}

/// `text` wrapped into `area` from row `scroll`; when more follows, the last row says so.
fn render_scrolled(frame: &mut Frame, theme: &Theme, text: Text<'static>, area: Rect, scroll: u16, more: &str) {
    let overflows = text_height(&text, area.width) > area.height + scroll;
    frame.render_widget(wrapped(text).scroll((scroll, 0)), area);
    if overflows && area.height > 0 {
        let last = Rect {
            y: area.bottom() - 1,
            height: 1,
            ..area
        };
        frame.render_widget(Clear, last);
        frame.render_widget(
            Paragraph::new(Line::styled(more.to_string(), theme.message)).right_aligned(),
            last,
        );
    }
}

/// A centred box of at most `width` × `height` inside `area`, cleared.
fn popup(frame: &mut Frame, area: Rect, width: u16, height: u16) -> Rect {
    // On a narrow screen a box nearly as wide as the screen takes all of it, rather than
    // leaving slivers of the screen beneath.
    let width = if width.saturating_add(10) >= area.width {
        area.width
    } else {
        width
    };
    let height = height.min(area.height.saturating_sub(2)).max(1).min(area.height);
    let x = area.x + (area.width - width) / 2;
    let y = area.y + (area.height - height) / 2;
    let rect = Rect::new(x, y, width, height);
    frame.render_widget(Clear, rect);
    rect
}

fn overlay_block(theme: &Theme, title: &str) -> Block<'static> {
    Block::bordered()
        .border_style(theme.border)
        .title(Span::styled(format!(" {title} "), theme.title))
}

/// A titled rule with `text` under it, clipped with a note when it does not fit.
fn render_panel(frame: &mut Frame, theme: &Theme, title: &str, text: Text<'static>, area: Rect) {
    let block = panel_block(theme, title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    render_clipped(
        frame,
        theme,
        text,
        inner,
        "▼ more: make the window taller to read it all",
    );
}

fn panel_block(theme: &Theme, title: &str) -> Block<'static> {
    Block::new()
        .borders(Borders::TOP)
        .border_style(theme.border)
        .title(Span::styled(format!(" {title} "), theme.heading))
}

/// Draws `text` in a bordered popup sized to it (at most `max_width` wide).
fn text_popup(
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
    title: &str,
    text: Text<'static>,
    max_width: u16,
    scroll: u16,
) {
    let width = if max_width.saturating_add(10) >= area.width {
        area.width
    } else {
        max_width
    };
    // Borders and padding take four columns.
    let needed = text_height(&text, width.saturating_sub(4));
    let rect = popup(frame, area, width, needed + 2);
    let scroll = scroll.min(needed.saturating_sub(rect.height.saturating_sub(2)));
    let block = overlay_block(theme, title).padding(ratatui::widgets::Padding::horizontal(1));
    frame.render_widget(wrapped(text).block(block).scroll((scroll, 0)), rect);
}
