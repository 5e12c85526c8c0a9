//! The Markdown export: verdict, blockers, scorecard, remediation timeline and open questions.
//! Pure: no I/O, no clock. User text is escaped so a note cannot break a table.

use std::fmt::Write;

use crate::assessment::Assessment;
use crate::checklist::{Checklist, Severity};
use crate::score::{self, ItemStatus, Verdict};

/// Escapes text for a Markdown table cell or line: no pipes, newlines or markup taking effect.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

pub fn render(checklist: &Checklist, a: &Assessment) -> String {
    let card = score::score(checklist, a);
    let p = &a.target.product;
    let mut md = String::new();
    let _ = writeln!(md, "# Launch readiness: {}\n", escape(&p.name));
    if let Some(client) = &p.client {
        let _ = writeln!(md, "Client: {}  ", escape(client));
    }
    let _ = writeln!(
        md,
        "Checklist: {} ({}), ready for {}  ",
        checklist.id,
        escape(&checklist.business),
        escape(&checklist.ready_for)
    );
    let _ = writeln!(md, "Assessed: {} · launchready {}\n", a.updated, a.tool.version);
    let verdict = match card.verdict {
        Verdict::Ready => "**Ready.** No blocker or high-severity item fails.".to_string(),
        Verdict::NotReady => format!(
            "**Not ready.** {} blocker(s) and {} other must-fix item(s) fail.",
            card.blockers.len(),
            card.must_fix.len()
        ),
        Verdict::Incomplete => format!(
            "**Not decided yet.** {} important item(s) are still open or unsure.",
            card.undecided.len()
        ),
    };
    let _ = writeln!(md, "## Verdict\n\n{verdict}\n");
    if !card.blockers.is_empty() {
        let _ = writeln!(md, "Pause the launch until these are fixed:\n");
        for id in &card.blockers {
            if let Some(item) = checklist.item(id) {
                let _ = writeln!(md, "- **{}**: {}", escape(&item.title), escape(&item.breaks));
            }
        }
        md.push('\n');
    }
    let _ = writeln!(
        md,
        "## Scorecard\n\n| Status | Severity | Area | Check | Finding |\n| --- | --- | --- | --- | --- |"
    );
    for s in &card.items {
        let finding = s
            .override_
            .as_ref()
            .map(|o| format!("Answered {} against the automated check: {}", o.answer.word(), o.note))
            .or_else(|| {
                // The check whose verdict decided the row, not merely the first one.
                let decisive = s
                    .results
                    .iter()
                    .find(|r| s.probe.is_some_and(|p| p.label() == r.status.label()));
                decisive.or_else(|| s.results.first()).map(|r| r.summary.clone())
            })
            .or_else(|| s.answer.and_then(|an| an.note().map(str::to_string)))
            .unwrap_or_default();
        let _ = writeln!(
            md,
            "| {} {} | {} | {} | {} | {} |",
            s.status.symbol(),
            s.status.label(),
            s.item.severity,
            s.item.area.label(),
            escape(&s.item.title),
            escape(&finding)
        );
    }
    md.push('\n');
    let _ = writeln!(md, "## Remediation timeline\n");
    for phase in &checklist.phases {
        let todo: Vec<_> = card
            .items
            .iter()
            .filter(|s| {
                s.item.phase == phase.id
                    && matches!(
                        s.status,
                        ItemStatus::Fail | ItemStatus::Warn | ItemStatus::Unsure | ItemStatus::Error
                    )
            })
            .collect();
        if todo.is_empty() {
            continue;
        }
        let hours = phase
            .hours
            .map(|[a, b]| format!(" (hours {a}–{b})"))
            .unwrap_or_default();
        let _ = writeln!(md, "### {}{hours}\n", escape(&phase.title));
        let mut todo = todo;
        todo.sort_by_key(|s| s.item.severity);
        for s in todo {
            let tag = if s.item.severity == Severity::Blocker {
                " — blocker"
            } else {
                ""
            };
            let _ = writeln!(md, "- [ ] **{}**{tag}: {}", escape(&s.item.title), escape(&s.item.fix));
        }
        md.push('\n');
    }
    let open: Vec<_> = card.items.iter().filter(|s| s.status == ItemStatus::Open).collect();
    if !open.is_empty() {
        let _ = writeln!(md, "## Still to answer\n");
        for s in open {
            let q = s
                .item
                .question
                .as_ref()
                .map_or_else(|| s.item.pass.clone(), |q| q.text.clone());
            let _ = writeln!(md, "- [ ] {}", escape(&q));
        }
    }
    md
}
