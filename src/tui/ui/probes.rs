//! The automated checks screen: a gauge, one row per check as it runs, and the highlighted
//! check's evidence; or, when none could run, which details would let some.

use std::time::Duration;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{HighlightSpacing, List, ListItem, ListState, Paragraph};

use super::text::{bar_line, duration, fit, plural, wrapped};
use super::{MARKER, MARKER_W, evidence_lines, render_panel};
use crate::tui::app::{App, ProbeState};
use crate::tui::theme::{self, Theme};

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub(super) struct ProbesLayout {
    gauge: Rect,
    pub(super) list: Rect,
    panel: Rect,
}

pub(super) fn layout(app: &App, body: Rect) -> ProbesLayout {
    let n = u16::try_from(app.probes.states.len()).unwrap_or(u16::MAX);
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

pub(super) fn spinner(since: Duration) -> &'static str {
    let frame = (since.as_millis() / 100) % 10;
    SPINNER[usize::try_from(frame).unwrap_or(0)]
}

fn probe_row(id: &str, state: &ProbeState, theme: &Theme) -> Line<'static> {
    match state {
        ProbeState::Running { since, note } => {
            let elapsed = since.elapsed();
            let doing = note
                .as_deref()
                .map_or_else(|| "checking…".to_string(), |n| format!("{n}…"));
            Line::from(vec![
                Span::styled(format!("{} {:<10}", spinner(elapsed), "running"), theme.muted),
                Span::styled(crate::probe::registry::title(id).to_string(), theme.title),
                Span::styled(format!("  {doing} {}", duration(elapsed)), theme.muted),
            ])
        }
        ProbeState::Cancelled => Line::from(vec![
            Span::styled(format!("– {:<10}", "cancelled"), theme.muted),
            Span::styled(crate::probe::registry::title(id).to_string(), theme.title),
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
pub(super) fn render(app: &App, theme: &Theme, frame: &mut Frame, body: Rect) {
    if app.probes.states.is_empty() {
        render_no_probes(app, theme, frame, body);
        return;
    }
    let layout = layout(app, body);
    let total = app.probes.states.len();
    let done = app.probes_done();
    let running_for = app
        .probes
        .states
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
        .states
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
    let mut state = ListState::default().with_selected(Some(app.probes.cursor));
    frame.render_stateful_widget(list, layout.list, &mut state);
    let Some((id, selected)) = app.probes.states.iter().nth(app.probes.cursor) else {
        return;
    };
    let (title, text) = match selected {
        ProbeState::Running { note, .. } => {
            let mut lines = vec![Line::from(
                "Still checking. You can go on to the questions meanwhile (Enter).",
            )];
            if let Some(note) = note {
                lines.push(Line::from(format!("Now: {note}.")));
            }
            lines.push(Line::styled("c cancels it.", theme.muted));
            (id.clone(), Text::from(lines))
        }
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
