//! What changed between two assessments of a product: fixed, regressed, new and unchanged
//! items. Pure: both assessments are scored against their own checklists.

use std::fmt::Write;

use serde::Serialize;

use crate::assessment::Assessment;
use crate::checklist::{Checklist, Severity};
use crate::redact::clean;
use crate::report::view::{StatusView, needs_work};
use crate::score::{self, ItemStatus};

#[derive(Debug, Clone, Serialize)]
pub struct Changes {
    /// The older assessment's date and time (`YYYY-MM-DD HH:MM`, UTC) and verdict.
    pub old_date: String,
    pub old_verdict: String,
    pub new_date: String,
    pub new_verdict: String,
    /// Was failing, warned, errored or unsure; now passes or does not apply.
    pub fixed: Vec<Change>,
    /// Passed or did not apply and now needs work, or warned or was unsure and now fails.
    pub regressed: Vec<Change>,
    /// Not in the older assessment's checklist, or not yet checked or answered then.
    pub new: Vec<Change>,
    /// Decided before, neither checked nor answered this time.
    pub unchecked: Vec<Change>,
    /// In the older checklist only.
    pub removed: Vec<Change>,
    /// The same kind of status both times (passing, or still needing work).
    pub unchanged: Vec<Change>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub from: Option<StatusView>,
    pub to: Option<StatusView>,
}

impl Changes {
    /// Whether anything moved at all.
    pub fn is_empty(&self) -> bool {
        self.fixed.is_empty()
            && self.regressed.is_empty()
            && self.new.is_empty()
            && self.unchecked.is_empty()
            && self.removed.is_empty()
    }

    /// Unchanged items that still need work.
    pub fn still_failing(&self) -> impl Iterator<Item = &Change> {
        self.unchanged
            .iter()
            .filter(|c| c.to.as_ref().is_some_and(|s| needs_work(s.id)))
    }
}

/// `YYYY-MM-DD HH:MM` of an RFC 3339 time: two runs on one day stay apart.
fn when(rfc3339: &str) -> String {
    rfc3339.chars().take(16).collect::<String>().replace('T', " ")
}

fn good(status: ItemStatus) -> bool {
    matches!(status, ItemStatus::Pass | ItemStatus::NotApplicable)
}

/// Compares an older assessment with a newer one.
pub fn diff(old: (&Checklist, &Assessment), new: (&Checklist, &Assessment)) -> Changes {
    let old_card = score::score(old.0, old.1);
    let new_card = score::score(new.0, new.1);
    let mut changes = Changes {
        old_date: when(&old.1.updated),
        old_verdict: old_card.verdict.label().to_string(),
        new_date: when(&new.1.updated),
        new_verdict: new_card.verdict.label().to_string(),
        fixed: Vec::new(),
        regressed: Vec::new(),
        new: Vec::new(),
        unchecked: Vec::new(),
        removed: Vec::new(),
        unchanged: Vec::new(),
    };
    for now in &new_card.items {
        let before = old_card.item(&now.item.id).map(|s| s.status);
        let change = Change {
            id: now.item.id.clone(),
            title: clean(&now.item.title),
            severity: now.item.severity,
            from: before.map(StatusView::from),
            to: Some(now.status.into()),
        };
        let list = match (before, now.status) {
            (Some(ItemStatus::Open), ItemStatus::Open) => &mut changes.unchanged,
            (None | Some(ItemStatus::Open), _) => &mut changes.new,
            (Some(_), ItemStatus::Open) => &mut changes.unchecked,
            (Some(b), a) if needs_work(b) && good(a) => &mut changes.fixed,
            (Some(b), a) if good(b) && needs_work(a) => &mut changes.regressed,
            // Worse while still needing work: a warning or an unsure answer that now fails.
            (Some(ItemStatus::Warn | ItemStatus::Unsure), ItemStatus::Fail) => &mut changes.regressed,
            _ => &mut changes.unchanged,
        };
        list.push(change);
    }
    for then in &old_card.items {
        if new_card.item(&then.item.id).is_none() {
            changes.removed.push(Change {
                id: then.item.id.clone(),
                title: clean(&then.item.title),
                severity: then.item.severity,
                from: Some(then.status.into()),
                to: None,
            });
        }
    }
    for list in [
        &mut changes.fixed,
        &mut changes.regressed,
        &mut changes.new,
        &mut changes.unchecked,
        &mut changes.removed,
    ] {
        list.sort_by_key(|c| c.severity);
    }
    changes
}

fn status_word(s: Option<&StatusView>) -> String {
    s.map_or_else(|| "absent".to_string(), |s| format!("{} {}", s.symbol, s.label))
}

/// The changes as plain text for the terminal.
pub fn render_text(c: &Changes) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({}) → {} ({})",
        c.old_date, c.old_verdict, c.new_date, c.new_verdict
    );
    let groups: [(&str, &[Change]); 5] = [
        ("Fixed", &c.fixed),
        ("Regressed", &c.regressed),
        ("New", &c.new),
        ("Not checked this time", &c.unchecked),
        ("No longer in the checklist", &c.removed),
    ];
    for (title, list) in groups {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title} ({}):", list.len());
        for ch in list {
            let _ = writeln!(
                out,
                "  {} → {}  {} [{}] ({})",
                status_word(ch.from.as_ref()),
                status_word(ch.to.as_ref()),
                ch.title,
                ch.severity,
                ch.id
            );
        }
    }
    let still: Vec<&Change> = c.still_failing().collect();
    if !still.is_empty() {
        let _ = writeln!(out, "\nStill to fix ({}):", still.len());
        for ch in still {
            let _ = writeln!(
                out,
                "  {}  {} [{}] ({})",
                status_word(ch.to.as_ref()),
                ch.title,
                ch.severity,
                ch.id
            );
        }
    }
    let _ = writeln!(out, "\nUnchanged: {} item(s).", c.unchanged.len());
    if c.is_empty() {
        let _ = writeln!(out, "Nothing was fixed, regressed or added.");
    }
    out
}
