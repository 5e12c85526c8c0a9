//! The export screen: which report formats, into which folder, and what was written.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span, Text};

use super::text::wrapped;
use super::{CURSOR, MARKER};
use crate::tui::app::{App, EXPORT_BUTTON, EXPORT_FOLDER, EXPORT_TARGET};
use crate::tui::theme::Theme;

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
///   [ ] Target file (.target.toml), for `launchready scan` and CI; no passwords
///   Folder  ./reports
/// ▶ [ Write the files ]
///
/// Written:
///   ./reports/acme-chat-20261102.md
/// ```
pub(super) fn render(app: &App, theme: &Theme, frame: &mut Frame, body: Rect) {
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
    lines.push(row(
        EXPORT_TARGET,
        vec![Span::raw(format!(
            "{}Target file (.target.toml), for `launchready scan` and CI; no passwords",
            tick(e.target_file)
        ))],
    ));
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
    if let Some(since) = e.writing {
        lines.push(Line::default());
        let pdf = e.formats.get(1).copied().unwrap_or(false);
        lines.push(Line::styled(
            format!(
                "Writing the files{}… {:.1} s",
                if pdf { " (the PDF takes a moment)" } else { "" },
                since.elapsed().as_secs_f64()
            ),
            theme.muted,
        ));
    } else if !e.written.is_empty() {
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
