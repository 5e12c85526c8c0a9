//! Text helpers for every screen: fitting a row to its width, hanging indents, wrapping,
//! measuring wrapped height, the progress bar, and small formatting of counts and durations.

use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::tui::theme::Theme;

/// `line` cut to `width` columns with an ellipsis, for rows that must stay one line.
pub(super) fn fit(line: Line<'static>, width: usize) -> Line<'static> {
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
pub(super) fn hang(spans: Vec<Span<'static>>, width: usize, indent: usize) -> Vec<Line<'static>> {
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

pub(super) fn wrapped(text: Text<'static>) -> Paragraph<'static> {
    Paragraph::new(text).wrap(Wrap { trim: false })
}

/// The number of rows `text` takes wrapped at `width`, measured by rendering it off-screen
/// (ratatui's own line count is behind an unstable feature).
pub(super) fn text_height(text: &Text<'_>, width: u16) -> u16 {
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
pub(super) fn bar_line(done: usize, total: usize, width: u16, status: String, theme: &Theme) -> Line<'static> {
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

pub(super) fn duration(d: Duration) -> String {
    let s = d.as_secs();
    if s < 60 {
        format!("{s}s")
    } else {
        format!("{}m {:02}s", s / 60, s % 60)
    }
}

pub(super) fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

pub(super) fn width_of(text: &str) -> u16 {
    u16::try_from(Span::raw(text).width()).unwrap_or(u16::MAX)
}

/// `text` cut to `max` characters, with an ellipsis when cut.
pub(super) fn ellipsize(text: &str, max: usize) -> String {
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
pub(super) fn tail(text: &str, max: usize) -> String {
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
pub(super) fn pad(text: &str, width: usize) -> String {
    let cut = ellipsize(text, width);
    let n = cut.chars().count();
    format!("{cut}{}", " ".repeat(width - n))
}
