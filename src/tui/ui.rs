//! Drawing the wizard: one function per region (header, the body of each screen, the message
//! line, the footer of keys) and one per overlay, all reading [`App`] and styled by [`Theme`].
//! Nothing here changes state or touches the outside world, so every screen can be rendered on
//! a test backend.
//!
//! Long text always wraps. Lists whose rows can be clicked (start, business, form fields,
//! checks) keep one line per row so that [`list_top`] plus the row number is the row clicked.

use std::time::Duration;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Clear, HighlightSpacing, List, ListItem, ListState, Paragraph, Widget, Wrap};

use super::app::{App, EXPORT_BUTTON, EXPORT_FOLDER, Overlay, ProbeState, Screen};
use super::theme::{self, THEME, Theme};
use crate::assessment::{AnswerValue, Assessment};
use crate::checklist::{Checklist, Item};
use crate::score::{self, DecidedBy, ItemScore, ItemStatus, Scorecard};

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const CURSOR: &str = "█";
const MARKER: &str = "▶ ";
/// The columns [`MARKER`] takes.
const MARKER_W: usize = 2;
const CONSENT: &str = "I own this product or may test it (allows more than a handful of requests)";

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
        Screen::Start => render_start(app, theme, frame, body),
        Screen::Vertical => render_vertical(app, theme, frame, body),
        Screen::Target => render_target(app, theme, frame, body),
        Screen::Probes => render_probes(app, theme, frame, body),
        Screen::Questions => render_questions(app, theme, frame, body),
        Screen::Scorecard => render_scorecard(app, theme, frame, body),
        Screen::Export => render_export(app, theme, frame, body),
    }
    render_message(app, theme, frame, regions.message);
    render_footer(app, theme, frame, regions.footer);
    let area = frame.area();
    match &app.overlay {
        Overlay::None => {}
        Overlay::Help => render_help(app, theme, frame, area),
        Overlay::ConfirmQuit => render_confirm_quit(theme, frame, area),
        Overlay::Note { item, buffer, pending } => render_note(app, theme, frame, area, item, buffer, *pending),
        Overlay::Detail { item, scroll } => render_detail(app, theme, frame, area, item, *scroll),
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
        Screen::Start => start_layout(app, body).list,
        Screen::Vertical => vertical_layout(app, body).list,
        Screen::Target => target_layout(app, body).fields,
        Screen::Probes => probes_layout(app, body).list,
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

// ---- Header, message, footer ---------------------------------------------------------------

fn step(screen: Screen) -> usize {
    match screen {
        Screen::Start => 1,
        Screen::Vertical => 2,
        Screen::Target => 3,
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
    app.screen == Screen::Target || (app.screen == Screen::Export && app.export.focus == EXPORT_FOLDER)
}

/// The main keys of the screen, as many as fit in one line of `width`, most important first;
/// the way to see all of them (or to quit) always fits.
fn footer_line(app: &App, theme: &Theme, width: usize) -> Line<'static> {
    type Keys = Vec<(&'static str, &'static str)>;
    let (keys, tail): (Keys, Keys) = match &app.overlay {
        Overlay::None => {
            let keys = screen_keys(app.screen)
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

struct KeyHelp {
    keys: &'static str,
    /// The short word in the footer.
    short: &'static str,
    /// The explanation in the help overlay.
    long: &'static str,
    main: bool,
}

const fn key(keys: &'static str, short: &'static str, long: &'static str, main: bool) -> KeyHelp {
    KeyHelp {
        keys,
        short,
        long,
        main,
    }
}

fn screen_keys(screen: Screen) -> &'static [KeyHelp] {
    const START: &[KeyHelp] = &[
        key("↑↓ j k", "move", "Move the highlight", true),
        key(
            "Enter → l",
            "open",
            "Start a new assessment or resume the highlighted one",
            true,
        ),
        key("n", "new", "Start a new assessment", true),
    ];
    const VERTICAL: &[KeyHelp] = &[
        key("↑↓ j k", "move", "Move the highlight", true),
        key("Enter → l", "choose", "Choose the highlighted business", true),
        key("Esc ← h", "back", "Back to the start", true),
    ];
    const TARGET: &[KeyHelp] = &[
        key("Tab ↓", "next field", "Next field", true),
        key("Shift-Tab ↑", "previous", "Previous field", false),
        key("typing", "", "Edit the highlighted field; Backspace deletes", false),
        key(
            "Space y n",
            "",
            "Turn the permission for active checks on or off",
            false,
        ),
        key(
            "Enter",
            "continue",
            "Next field; on Continue, save and start the checks",
            true,
        ),
        key("Esc", "back", "Back to the choice of business", true),
    ];
    const PROBES: &[KeyHelp] = &[
        key("↑↓ j k", "move", "Move the highlight", true),
        key("r", "re-run", "Run the highlighted check again", true),
        key("R", "re-run all", "Run every check again", false),
        key("c", "cancel", "Cancel the highlighted check", true),
        key("C", "cancel all", "Cancel every running check", false),
        key(
            "Enter → Tab",
            "questions",
            "Go on to the questions (checks keep running)",
            true,
        ),
        key("Esc ← h", "back", "Back", false),
    ];
    const QUESTIONS: &[KeyHelp] = &[
        // The answer keys are on the answer line, not in the footer.
        key("y", "yes", "Answer yes", false),
        key("n", "no", "Answer no", false),
        key("u s", "not sure", "Answer not sure", false),
        key("a -", "n/a", "Not applicable to this product", false),
        key("m", "note", "Write a note on the answer", true),
        key("w Tab", "how to check", "Show or hide how to check and fix it", true),
        key("→ l Enter", "next", "Next question (PgDn too)", true),
        key("← h", "back", "Previous question (PgUp too)", true),
        key("g Home", "", "First question", false),
        key("G End", "", "Last question", false),
        key("↑↓ j k", "", "Scroll a question longer than the window", false),
        key("v", "scorecard", "See the scorecard", true),
        key("Esc", "", "Back to the automated checks", false),
    ];
    const SCORECARD: &[KeyHelp] = &[
        key("↑↓ j k", "move", "Move the highlight (PgUp PgDn: ten rows)", true),
        key(
            "Enter",
            "details",
            "Evidence and fix path of the highlighted item",
            true,
        ),
        key(
            "g",
            "go to question",
            "Answer the highlighted item's question again",
            true,
        ),
        key("x e → Tab", "export", "Write the report", true),
        key("Esc ← h", "back", "Back to the questions", true),
    ];
    const EXPORT: &[KeyHelp] = &[
        key("Tab ↓", "next", "Next choice", true),
        key("Shift-Tab ↑", "previous", "Previous choice", false),
        key("Space", "toggle", "Tick or untick a format", true),
        key("typing", "", "Edit the folder; Backspace deletes", false),
        key("Enter", "write", "Write the files", true),
        key("Esc", "back", "Back to the scorecard", true),
    ];
    match screen {
        Screen::Start => START,
        Screen::Vertical => VERTICAL,
        Screen::Target => TARGET,
        Screen::Probes => PROBES,
        Screen::Questions => QUESTIONS,
        Screen::Scorecard => SCORECARD,
        Screen::Export => EXPORT,
    }
}

// ---- Start ---------------------------------------------------------------------------------

struct StartLayout {
    intro: Rect,
    columns: Rect,
    list: Rect,
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
    let unreadable = app.listed.len() - app.resumable().len();
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

fn start_layout(app: &App, body: Rect) -> StartLayout {
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
fn render_start(app: &App, theme: &Theme, frame: &mut Frame, body: Rect) {
    let layout = start_layout(app, body);
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
    let mut state = ListState::default().with_selected(Some(app.start_cursor));
    frame.render_stateful_widget(list, layout.list, &mut state);
    frame.render_widget(wrapped(start_below(app, theme)), layout.below);
}

// ---- Vertical ------------------------------------------------------------------------------

struct VerticalLayout {
    intro: Rect,
    list: Rect,
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

fn vertical_layout(app: &App, body: Rect) -> VerticalLayout {
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
fn render_vertical(app: &App, theme: &Theme, frame: &mut Frame, body: Rect) {
    let layout = vertical_layout(app, body);
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
    let mut state = ListState::default().with_selected(Some(app.vertical_cursor));
    frame.render_stateful_widget(list, layout.list, &mut state);
    let Some(c) = app.catalog.all().get(app.vertical_cursor) else {
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

// ---- Target --------------------------------------------------------------------------------

struct TargetLayout {
    intro: Rect,
    fields: Rect,
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
    let focused = app.field_focus == app.fields.len();
    let tick = if app.active_allowed { "[x] " } else { "[ ] " };
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

fn target_layout(app: &App, body: Rect) -> TargetLayout {
    let intro_h = if body.height >= 24 {
        text_height(&target_intro(&THEME), body.width) + 1
    } else {
        0
    };
    let n = u16::try_from(app.fields.len()).unwrap_or(u16::MAX);
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
fn render_target(app: &App, theme: &Theme, frame: &mut Frame, body: Rect) {
    let layout = target_layout(app, body);
    frame.render_widget(wrapped(target_intro(theme)), layout.intro);
    let label_w = app.fields.iter().map(|f| f.label.chars().count()).max().unwrap_or(0) + 2;
    let width = usize::from(body.width);
    let mut rows = vec![];
    for (i, field) in app.fields.iter().enumerate() {
        let focused = i == app.field_focus;
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
    let on_button = app.field_focus == app.fields.len() + 1;
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::raw(if on_button { MARKER } else { "  " }),
            Span::styled("[ Continue ]", if on_button { theme.focus } else { theme.button }),
        ])),
        layout.button,
    );
    let (title, text) = match app.fields.get(app.field_focus) {
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
            let errors = app.fields.iter().filter(|f| f.error.is_some()).count();
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

// ---- Probes --------------------------------------------------------------------------------

struct ProbesLayout {
    gauge: Rect,
    list: Rect,
    panel: Rect,
}

fn probes_layout(app: &App, body: Rect) -> ProbesLayout {
    let n = u16::try_from(app.probes.len()).unwrap_or(u16::MAX);
    // The list gets what the panel of the highlighted check leaves (at least 6 rows of it).
    let list_h = n.min(body.height.saturating_sub(2 + 7).max(3));
    let [gauge, _, list, _, panel] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(list_h),
        Constraint::Length(1),
        Constraint::Fill(1),
    ])
    .areas(body);
    ProbesLayout { gauge, list, panel }
}

fn spinner(since: Duration) -> &'static str {
    let frame = (since.as_millis() / 100) % 10;
    SPINNER[usize::try_from(frame).unwrap_or(0)]
}

fn probe_row(id: &str, state: &ProbeState, theme: &Theme) -> Line<'static> {
    match state {
        ProbeState::Running { since, .. } => {
            let elapsed = since.elapsed();
            Line::from(vec![
                Span::styled(format!("{} {:<10}", spinner(elapsed), "running"), theme.muted),
                Span::styled(id.to_string(), theme.title),
                Span::styled(format!("  checking… {}", duration(elapsed)), theme.muted),
            ])
        }
        ProbeState::Cancelled => Line::from(vec![
            Span::styled(format!("– {:<10}", "cancelled"), theme.muted),
            Span::styled(id.to_string(), theme.title),
            Span::styled("  stopped; r runs it again", theme.muted),
        ]),
        ProbeState::Done(r) => Line::from(vec![
            Span::styled(
                format!("{} {:<10}", theme::probe_symbol(r.status), r.status.label()),
                theme.probe_status(r.status),
            ),
            Span::styled(r.title.clone(), theme.title),
            Span::styled(format!("  {}", r.summary), theme.muted),
        ]),
    }
}

/// The fields of the target that would let more checks run, with how many checks each adds.
fn enabling_fields(app: &App) -> Vec<(&'static str, usize)> {
    use crate::target::Target;
    let current = app.assessment.as_ref().map(|a| &a.target.target);
    let checks: Vec<&str> = app
        .checklist()
        .check_ids()
        .into_iter()
        .filter(|c| (app.runnable)(c))
        .collect();
    let candidates: [(&str, &str, Target); 4] = [
        (
            "domain",
            "Email domain",
            Target {
                domain: Some("example.com".into()),
                ..Target::default()
            },
        ),
        (
            "app_url",
            "App address",
            Target {
                app_url: Some("https://app.example.com".into()),
                ..Target::default()
            },
        ),
        (
            "api_base",
            "API address",
            Target {
                api_base: Some("https://api.example.com".into()),
                ..Target::default()
            },
        ),
        (
            "repo",
            "Code folder",
            Target {
                repo: Some(".".into()),
                ..Target::default()
            },
        ),
    ];
    candidates
        .iter()
        .filter(|(key, _, _)| {
            current.is_none_or(|t| match *key {
                "domain" => t.domain.is_none(),
                "app_url" => t.app_url.is_none(),
                "api_base" => t.api_base.is_none(),
                _ => t.repo.is_none(),
            })
        })
        .map(|(_, label, t)| {
            let file = crate::target::TargetFile {
                product: crate::target::Product {
                    name: String::new(),
                    vertical: String::new(),
                    client: None,
                },
                target: t.clone(),
                auth: crate::target::Auth::default(),
                active: crate::target::Active::default(),
            };
            let n = checks.iter().filter(|c| crate::probe::is_configured(c, &file)).count();
            (*label, n)
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// The automated checks, live.
///
/// ```text
/// ████████████████████████████████░░░░░░░░  4 of 5 checks done · running for 2s
///
///   ? error     CAA records  The DNS server did not answer in 5 seconds.
///   ⠹ running   email.dkim  checking… 2s
///   ! warn      DMARC policy  DMARC is p=none: failing mail is still delivered.
/// ▶ ✔ pass      MX records  Mail for acme.example goes to 2 servers.
///   ✘ fail      SPF record  No SPF record: anyone can send email that claims to…
///
///  MX records (email.mx) ────────────────────────────────────────────────────────
/// Mail for acme.example goes to 2 servers.
/// MX: 10 mx1.acme.example, 20 mx2.acme.example
/// ```
fn render_probes(app: &App, theme: &Theme, frame: &mut Frame, body: Rect) {
    if app.probes.is_empty() {
        render_no_probes(app, theme, frame, body);
        return;
    }
    let layout = probes_layout(app, body);
    let total = app.probes.len();
    let done = app.probes_done();
    let running_for = app
        .probes
        .values()
        .filter_map(|p| match p {
            ProbeState::Running { since, .. } => Some(since.elapsed()),
            _ => None,
        })
        .max();
    let status = match running_for {
        Some(d) => format!("{done} of {total} checks done · running for {}", duration(d)),
        None => format!(
            "all {total} {} finished · you can re-run any with r",
            plural(total, "check", "checks")
        ),
    };
    frame.render_widget(
        Paragraph::new(bar_line(done, total, layout.gauge.width, status, theme)),
        layout.gauge,
    );
    let rows: Vec<ListItem> = app
        .probes
        .iter()
        .map(|(id, state)| {
            let room = usize::from(layout.list.width).saturating_sub(MARKER_W);
            ListItem::new(fit(probe_row(id, state, theme), room))
        })
        .collect();
    let list = List::new(rows)
        .highlight_style(theme.selected)
        .highlight_symbol(MARKER)
        .highlight_spacing(HighlightSpacing::Always);
    let mut state = ListState::default().with_selected(Some(app.probe_cursor));
    frame.render_stateful_widget(list, layout.list, &mut state);
    let Some((id, selected)) = app.probes.iter().nth(app.probe_cursor) else {
        return;
    };
    let (title, text) = match selected {
        ProbeState::Running { .. } => (
            id.clone(),
            Text::from(vec![
                Line::from("Still checking. You can go on to the questions meanwhile (Enter)."),
                Line::styled("c cancels it.", theme.muted),
            ]),
        ),
        ProbeState::Cancelled => (
            id.clone(),
            Text::from("Cancelled. r runs it again; its items are asked as questions until then."),
        ),
        ProbeState::Done(r) => {
            let mut lines = vec![Line::from(r.summary.clone())];
            lines.extend(evidence_lines(r, theme, 0, layout.panel.width));
            if let Some(fix) = &r.fix {
                lines.push(Line::from(vec![
                    Span::styled("How to fix: ", theme.heading),
                    Span::raw(fix.clone()),
                ]));
            }
            (format!("{} ({})", r.title, r.id), Text::from(lines))
        }
    };
    render_panel(frame, theme, &title, text, layout.panel);
}

fn render_no_probes(app: &App, theme: &Theme, frame: &mut Frame, body: Rect) {
    let mut lines = vec![
        Line::styled("No automated checks ran for this product.", theme.title),
        Line::default(),
    ];
    let fields = enabling_fields(app);
    if fields.is_empty() {
        lines.push(Line::from(
            "This version of launchready has no automated check that the details you gave \
             can run.",
        ));
    } else {
        lines.push(Line::from(
            "These details of the product, left empty, would let launchready check more by \
             itself:",
        ));
        for (label, n) in fields {
            lines.push(Line::from(vec![
                Span::raw("  • "),
                Span::styled(label, theme.title),
                Span::styled(
                    format!(" — {n} automated {}", plural(n, "check", "checks")),
                    theme.muted,
                ),
            ]));
        }
        lines.push(Line::styled(
            "A started assessment keeps its details: start a new one to add them.",
            theme.muted,
        ));
    }
    lines.push(Line::default());
    lines.push(Line::from(
        "Every item is asked as a question instead, so nothing is skipped. Press Enter to go \
         on to the questions.",
    ));
    frame.render_widget(wrapped(Text::from(lines)), body);
}

// ---- Questions -----------------------------------------------------------------------------

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
fn evidence_lines(r: &crate::probe::ProbeResult, theme: &Theme, indent: usize, width: u16) -> Vec<Line<'static>> {
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
        }
    } else {
        lines.push(Line::styled("Can you confirm this is true?", theme.title));
        lines.push(Line::from(item.pass.trim().to_string()));
        if why {
            section(&mut lines, "Why it matters", &item.why, theme);
        }
    }
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
/// Why it matters                       (left out when the window is too short for
/// …                                     the checks' verdict or the how-to)
/// Yes means
/// …
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
fn render_questions(app: &App, theme: &Theme, frame: &mut Frame, body: Rect) {
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
        app.question + 1
    );
    frame.render_widget(
        Paragraph::new(bar_line(answered, total, gauge.width, status, theme)),
        gauge,
    );
    let probed = app.probe_status(item).is_some();
    let mut text = Text::from(question_lines(app, item, theme, content.width, true, app.show_how));
    if (app.show_how || probed) && text_height(&text, content.width) > content.height {
        // A short window: the checks' verdict and the how-to asked for go before "why it
        // matters".
        text = Text::from(question_lines(app, item, theme, content.width, false, app.show_how));
    }
    // ↓/↑ scroll a question that does not fit; the scroll never goes past the end.
    let overflow = text_height(&text, content.width).saturating_sub(content.height);
    let scroll = app.body_scroll.min(overflow);
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

// ---- Scorecard -----------------------------------------------------------------------------

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
fn render_scorecard(app: &App, theme: &Theme, frame: &mut Frame, body: Rect) {
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
        if n == app.score_cursor {
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

// ---- Export --------------------------------------------------------------------------------

/// Formats, folder, write.
///
/// ```text
/// Write the report
/// The report says what is ready, what is not, and how to fix it, with the
/// evidence.
///
///   [x] Markdown report (.md), to read and share
///   [x] PDF report (.pdf), to send
///   [x] JSON data (.report.json), for other tools
///   [ ] SARIF (.sarif), for CI and code-scanning dashboards
///   Folder  ./reports
/// ▶ [ Write the files ]
///
/// Written:
///   ./reports/acme-chat-20261102.md
/// ```
fn render_export(app: &App, theme: &Theme, frame: &mut Frame, body: Rect) {
    let e = &app.export;
    let row = |index: usize, spans: Vec<Span<'static>>| {
        let focused = e.focus == index;
        let mut all = vec![Span::raw(if focused { MARKER } else { "  " })];
        all.extend(
            spans
                .into_iter()
                .map(|s| if focused { s.patch_style(theme.focus) } else { s }),
        );
        Line::from(all)
    };
    let tick = |on: bool| if on { "[x] " } else { "[ ] " };
    let mut lines = vec![
        Line::styled("Write the report", theme.title),
        Line::styled(
            "The report says what is ready, what is not, and how to fix it, with the evidence.",
            theme.muted,
        ),
        Line::default(),
    ];
    let names = [
        "Markdown report (.md), to read and share",
        "PDF report (.pdf), to send",
        "JSON data (.report.json), for other tools",
        "SARIF (.sarif), for CI and code-scanning dashboards",
    ];
    for (i, name) in names.iter().enumerate() {
        lines.push(row(i, vec![Span::raw(format!("{}{name}", tick(e.formats[i])))]));
    }
    let mut folder = row(
        EXPORT_FOLDER,
        vec![Span::styled("Folder  ", theme.title), Span::raw(e.folder.clone())],
    );
    if e.focus == EXPORT_FOLDER {
        folder.spans.push(Span::styled(CURSOR, theme.cursor));
    }
    lines.push(folder);
    lines.push(row(
        EXPORT_BUTTON,
        vec![Span::styled("[ Write the files ]", theme.button)],
    ));
    if !e.written.is_empty() {
        lines.push(Line::default());
        lines.push(Line::styled("Written:", theme.heading));
        for path in &e.written {
            lines.push(Line::from(format!("  {}", path.display())));
        }
    }
    if let Some(error) = &e.error {
        lines.push(Line::default());
        lines.push(Line::styled(format!("✘ {error}"), theme.error));
    }
    frame.render_widget(wrapped(Text::from(lines)), body);
}

// ---- Overlays ------------------------------------------------------------------------------

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

/// Every key of the current screen.
///
/// ```text
/// ┌ Keys: Questions ─────────────────────────────────────────────────────────────┐
/// │ y          Answer yes                                                        │
/// │ …                                                                            │
/// │ ?          These keys                                                        │
/// │ q          Quit (asks first; everything is already saved)                    │
/// │ Ctrl-C     Quit at once                                                      │
/// │                                                                              │
/// │ Press any key to close.                                                      │
/// └──────────────────────────────────────────────────────────────────────────────┘
/// ```
fn render_help(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let keys = screen_keys(app.screen);
    let key_w = keys
        .iter()
        .map(|k| k.keys.chars().count())
        .chain([6])
        .max()
        .unwrap_or(0)
        + 2;
    let mut lines: Vec<Line<'static>> = keys
        .iter()
        .map(|k| Line::from(vec![Span::styled(pad(k.keys, key_w), theme.key), Span::raw(k.long)]))
        .collect();
    let mut global = vec![];
    if typing(app) {
        global.push(("Ctrl-C", "Quit (everything is already saved)"));
    } else {
        global.push(("?", "These keys"));
        global.push(("q", "Quit (asks first; everything is already saved)"));
        global.push(("Ctrl-C", "Quit at once"));
    }
    for (k, what) in global {
        lines.push(Line::from(vec![
            Span::styled(pad(k, key_w), theme.key),
            Span::raw(what),
        ]));
    }
    if matches!(app.screen, Screen::Start | Screen::Vertical | Screen::Probes) {
        lines.push(Line::styled(
            "The mouse wheel moves the highlight; a click picks a row.",
            theme.muted,
        ));
    }
    lines.push(Line::default());
    lines.push(Line::styled("Press any key to close.", theme.muted));
    text_popup(
        frame,
        area,
        theme,
        &format!("Keys: {}", app.screen.title()),
        Text::from(lines),
        72,
        0,
    );
}

/// Asks before quitting (nothing is lost: every change is already saved).
///
/// ```text
///           ┌ Quit launchready? ───────────────────────────────────────┐
///           │ Everything is saved as you go: you can resume this       │
///           │ assessment from the start screen.                        │
///           │                                                          │
///           │ y or Enter quits · any other key stays                   │
///           └──────────────────────────────────────────────────────────┘
/// ```
fn render_confirm_quit(theme: &Theme, frame: &mut Frame, area: Rect) {
    let text = Text::from(vec![
        Line::from("Everything is saved as you go: you can resume this assessment from the start screen."),
        Line::default(),
        Line::from(vec![
            Span::styled("y", theme.key),
            Span::raw(" or "),
            Span::styled("Enter", theme.key),
            Span::raw(" quits · any other key stays"),
        ]),
    ]);
    text_popup(frame, area, theme, "Quit launchready?", text, 60, 0);
}

/// The note editor; when `pending` is an answer that overrides a check, it says why a note is
/// needed. A long note shows its end, where the cursor is.
///
/// ```text
/// ┌ Note ────────────────────────────────────────────────────────────────────────┐
/// │ SPF, DKIM and DMARC pass                                                     │
/// │                                                                              │
/// │ The automated check says ✘ fail. To answer ✔ yes anyway, write why, e.g. who │
/// │ checked it by hand and when. The note goes into the report; without one the  │
/// │ check's verdict stands.                                                      │
/// │                                                                              │
/// │ Our provider set SPF up yesterday█                                           │
/// │                                                                              │
/// │ Enter saves · Esc cancels                                                    │
/// └──────────────────────────────────────────────────────────────────────────────┘
/// ```
fn render_note(
    app: &App,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    item: &str,
    buffer: &str,
    pending: Option<AnswerValue>,
) {
    let checklist = app.checklist();
    let title = checklist
        .item(item)
        .map_or_else(|| item.to_string(), |i| i.title.clone());
    let mut lines = vec![Line::styled(title, theme.title), Line::default()];
    if let Some(value) = pending {
        let probe = checklist
            .item(item)
            .and_then(|i| app.probe_status(i))
            .map_or_else(|| "otherwise".to_string(), |s| format!("{} {}", s.symbol(), s.label()));
        lines.push(Line::from(vec![
            Span::raw("The automated check says "),
            Span::styled(probe, theme.heading),
            Span::raw(". To answer "),
            answer_span(value, theme),
            Span::raw(
                " anyway, write why, e.g. who checked it by hand and when. The note goes into \
                 the report; without one the check's verdict stands.",
            ),
        ]));
    } else {
        lines.push(Line::styled(
            "A note is kept with the answer and shown in the report.",
            theme.muted,
        ));
    }
    lines.push(Line::default());
    lines.push(Line::from(vec![
        Span::raw(buffer.to_string()),
        Span::styled(CURSOR, theme.cursor),
    ]));
    lines.push(Line::default());
    lines.push(Line::from(vec![
        Span::styled("Enter", theme.key),
        Span::raw(" saves · "),
        Span::styled("Esc", theme.key),
        Span::raw(" cancels"),
    ]));
    text_popup(frame, area, theme, "Note", Text::from(lines), 76, u16::MAX);
}

fn decided_text(decided: DecidedBy) -> &'static str {
    match decided {
        DecidedBy::Probe => "decided by the automated check",
        DecidedBy::ProbeConfirmed => "decided by the automated check, and your answer agrees",
        DecidedBy::Answer => "decided by your answer",
        DecidedBy::Override => "your answer, with a note, overrides the automated check",
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
fn render_detail(app: &App, theme: &Theme, frame: &mut Frame, area: Rect, id: &str, scroll: u16) {
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

// ---- Helpers -------------------------------------------------------------------------------

/// `line` cut to `width` columns with an ellipsis, for rows that must stay one line.
fn fit(line: Line<'static>, width: usize) -> Line<'static> {
    if line.width() <= width || width == 0 {
        return line;
    }
    let mut spans = vec![];
    let mut used = 0;
    let mut last_style = line.style;
    for span in line.spans {
        let w = span.width();
        last_style = span.style;
        if used + w < width {
            used += w;
            spans.push(span);
            continue;
        }
        let keep: String = span.content.chars().take(width - 1 - used).collect();
        spans.push(Span::styled(keep, span.style));
        break;
    }
    spans.push(Span::styled("…", last_style));
    Line::from(spans).style(line.style)
}

/// `spans` word-wrapped at `width` columns, later lines indented by `indent` spaces (a hanging
/// indent, which a wrapped `Paragraph` cannot do). Words longer than a line are split.
fn hang(spans: Vec<Span<'static>>, width: usize, indent: usize) -> Vec<Line<'static>> {
    let width = width.max(indent + 8);
    let mut lines = vec![];
    let mut current: Vec<Span<'static>> = vec![];
    let mut used = 0;
    let mut space: Option<Span<'static>> = None;
    for span in spans {
        let style = span.style;
        let mut rest: &str = &span.content;
        while !rest.is_empty() {
            let is_space = rest.starts_with(' ');
            let end = rest.find(|c: char| (c == ' ') != is_space).unwrap_or(rest.len());
            let (piece, tail) = rest.split_at(end);
            rest = tail;
            if is_space {
                if current.is_empty() && lines.is_empty() {
                    // Leading spaces of the first line are indentation: keep them.
                    used += piece.chars().count();
                    current.push(Span::styled(piece.to_string(), style));
                } else {
                    space = Some(Span::styled(piece.to_string(), style));
                }
                continue;
            }
            let mut word: String = piece.to_string();
            let space_w = space.as_ref().map_or(0, Span::width);
            if used > indent && used + space_w + Span::raw(word.as_str()).width() > width {
                lines.push(Line::from(std::mem::take(&mut current)));
                current.push(Span::raw(" ".repeat(indent)));
                used = indent;
                space = None;
            } else if let Some(sp) = space.take() {
                used += sp.width();
                current.push(sp);
            }
            loop {
                let w = Span::raw(word.as_str()).width();
                if used + w <= width {
                    used += w;
                    current.push(Span::styled(word, style));
                    break;
                }
                let cut = width.saturating_sub(used).max(1);
                let head: String = word.chars().take(cut).collect();
                word = word.chars().skip(cut).collect();
                current.push(Span::styled(head, style));
                lines.push(Line::from(std::mem::take(&mut current)));
                current.push(Span::raw(" ".repeat(indent)));
                used = indent;
            }
        }
    }
    if !current.is_empty() {
        lines.push(Line::from(current));
    }
    lines
}

fn wrapped(text: Text<'static>) -> Paragraph<'static> {
    Paragraph::new(text).wrap(Wrap { trim: false })
}

/// The number of rows `text` takes wrapped at `width`, measured by rendering it off-screen
/// (ratatui's own line count is behind an unstable feature).
fn text_height(text: &Text<'_>, width: u16) -> u16 {
    if width == 0 {
        return 0;
    }
    let rough: usize = text.lines.iter().map(|l| l.width() / usize::from(width) + 1).sum();
    // Word wrapping fills each row at least halfway unless a word is longer than that.
    let cap = u16::try_from(rough * 2 + 2).unwrap_or(u16::MAX).min(2_000);
    let area = Rect::new(0, 0, width, cap);
    let mut buf = Buffer::empty(area);
    Paragraph::new(text.clone())
        .wrap(Wrap { trim: false })
        .render(area, &mut buf);
    let used = (0..cap)
        .rev()
        .find(|&y| (0..width).any(|x| buf[(x, y)].symbol() != " "))
        .map_or(0, |y| y + 1);
    // Blank lines at the end of the text count too.
    let trailing = text.lines.iter().rev().take_while(|l| l.width() == 0).count();
    used.saturating_add(u16::try_from(trailing).unwrap_or(0)).min(cap)
}

/// `done` of `total` as a bar of `█` and `░` followed by `status`, filling `width` columns.
fn bar_line(done: usize, total: usize, width: u16, status: String, theme: &Theme) -> Line<'static> {
    let status_w = status.chars().count() + 2;
    let bar_w = usize::from(width).saturating_sub(status_w).clamp(0, 40);
    let filled = (done.min(total) * bar_w).checked_div(total).unwrap_or(0);
    Line::from(vec![
        Span::styled("█".repeat(filled), theme.bar_filled),
        Span::styled("░".repeat(bar_w - filled), theme.bar_empty),
        Span::raw("  "),
        Span::styled(status, theme.text),
    ])
}

fn duration(d: Duration) -> String {
    let s = d.as_secs();
    if s < 60 {
        format!("{s}s")
    } else {
        format!("{}m {:02}s", s / 60, s % 60)
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

fn width_of(text: &str) -> u16 {
    u16::try_from(Span::raw(text).width()).unwrap_or(u16::MAX)
}

/// `text` cut to `max` characters, with an ellipsis when cut.
fn ellipsize(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else if max == 0 {
        String::new()
    } else {
        let mut cut: String = text.chars().take(max - 1).collect();
        cut.push('…');
        cut
    }
}

/// The last `max` characters of `text`, with an ellipsis in front when cut.
fn tail(text: &str, max: usize) -> String {
    let n = text.chars().count();
    if n <= max {
        text.to_string()
    } else if max == 0 {
        String::new()
    } else {
        let mut out = String::from("…");
        out.extend(text.chars().skip(n - (max - 1)));
        out
    }
}

/// `text` cut or padded with spaces to exactly `width` characters.
fn pad(text: &str, width: usize) -> String {
    let cut = ellipsize(text, width);
    let n = cut.chars().count();
    format!("{cut}{}", " ".repeat(width - n))
}
