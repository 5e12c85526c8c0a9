//! Scoring: from a checklist and an assessment to each item's status, the release blockers, the
//! verdict and a score per area. Pure functions: no I/O, no clock.
//!
//! The rules, in order:
//! - An item's probe status combines its checks: any `fail` → fail; else any `error` → error;
//!   else any `warn` → warn; else pass. `skipped` checks and checks not run do not count.
//! - A probe `error` is never a pass: with no answer the item stays `error`; an answer decides it.
//! - An answer that contradicts a probe's verdict (yes against fail, no against pass/warn, or
//!   n/a) overrides it only with a note; the override is kept for the report. Without a note the
//!   probe's verdict stands and the refused override is flagged.
//! - `unsure` never overrides a probe.
//! - Verdict: not ready when a blocker or high item fails; otherwise incomplete while a blocker
//!   or high item is open, unsure or in error; otherwise ready.

use serde::Serialize;

use crate::assessment::{Answer, AnswerValue, Assessment};
use crate::checklist::{Area, Checklist, Item, Severity};
use crate::result::{ProbeResult, Status};

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemStatus {
    Pass,
    Warn,
    Fail,
    /// A probe could not decide and nobody answered.
    Error,
    /// Answered "not sure".
    Unsure,
    NotApplicable,
    /// Neither probed nor answered yet.
    Open,
}

impl ItemStatus {
    pub fn label(self) -> &'static str {
        match self {
            ItemStatus::Pass => "pass",
            ItemStatus::Warn => "warn",
            ItemStatus::Fail => "fail",
            ItemStatus::Error => "error",
            ItemStatus::Unsure => "not sure",
            ItemStatus::NotApplicable => "n/a",
            ItemStatus::Open => "open",
        }
    }

    /// A symbol that reads without colour.
    pub fn symbol(self) -> &'static str {
        match self {
            ItemStatus::Pass => "✔",
            ItemStatus::Warn => "!",
            ItemStatus::Fail => "✘",
            ItemStatus::Error => "?",
            ItemStatus::Unsure => "~",
            ItemStatus::NotApplicable => "–",
            ItemStatus::Open => "·",
        }
    }

    fn from_probe(status: Status) -> ItemStatus {
        match status {
            Status::Pass => ItemStatus::Pass,
            Status::Warn => ItemStatus::Warn,
            Status::Fail => ItemStatus::Fail,
            Status::Error => ItemStatus::Error,
            Status::Skipped => ItemStatus::Open,
        }
    }

    fn from_answer(value: AnswerValue) -> ItemStatus {
        match value {
            AnswerValue::Yes => ItemStatus::Pass,
            AnswerValue::No => ItemStatus::Fail,
            AnswerValue::Unsure => ItemStatus::Unsure,
            AnswerValue::NotApplicable => ItemStatus::NotApplicable,
        }
    }
}

/// What decided an item's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DecidedBy {
    Probe,
    /// The probe's verdict, and the user's answer agrees.
    ProbeConfirmed,
    Answer,
    /// The user's answer, against the probe's verdict, with a note.
    Override,
    /// The check failed, and the user says the item's accepted alternative holds.
    Alternative,
    Nothing,
}

/// A user's answer that replaced a probe's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Override {
    pub probe: ItemStatus,
    pub answer: AnswerValue,
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemScore<'a> {
    #[serde(serialize_with = "item_id")]
    pub item: &'a Item,
    pub status: ItemStatus,
    pub decided_by: DecidedBy,
    /// The combined status of the item's checks, when any ran.
    pub probe: Option<ItemStatus>,
    /// The results of the item's checks that ran.
    pub results: Vec<&'a ProbeResult>,
    pub answer: Option<&'a Answer>,
    #[serde(rename = "override")]
    pub override_: Option<Override>,
    /// An answer contradicted the probe without a note, so it was not applied.
    pub override_refused: bool,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's `serialize_with` passes a reference
fn item_id<S: serde::Serializer>(item: &&Item, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&item.id)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Ready,
    NotReady,
    /// Nothing blocking has failed, but blocking items are still undecided.
    Incomplete,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Ready => "ready",
            Verdict::NotReady => "not ready",
            Verdict::Incomplete => "not decided yet",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Counts {
    pub pass: usize,
    pub warn: usize,
    pub fail: usize,
    pub error: usize,
    pub unsure: usize,
    pub not_applicable: usize,
    pub open: usize,
}

impl Counts {
    fn add(&mut self, status: ItemStatus) {
        match status {
            ItemStatus::Pass => self.pass += 1,
            ItemStatus::Warn => self.warn += 1,
            ItemStatus::Fail => self.fail += 1,
            ItemStatus::Error => self.error += 1,
            ItemStatus::Unsure => self.unsure += 1,
            ItemStatus::NotApplicable => self.not_applicable += 1,
            ItemStatus::Open => self.open += 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaScore {
    pub area: Area,
    /// 0–100: severity-weighted share of the decided items that pass (a warn is half). Open
    /// items and probe errors are left out; "not sure" counts as not passing. `None` when
    /// nothing in the area is decided.
    pub score: Option<u8>,
    pub counts: Counts,
}

#[derive(Debug, Clone, Serialize)]
pub struct Scorecard<'a> {
    pub verdict: Verdict,
    /// Blocker items that failed: each one pauses the launch.
    pub blockers: Vec<&'a str>,
    /// High items that failed.
    pub must_fix: Vec<&'a str>,
    /// Blocker and high items still open, unsure or in error.
    pub undecided: Vec<&'a str>,
    pub items: Vec<ItemScore<'a>>,
    pub areas: Vec<AreaScore>,
    pub counts: Counts,
    pub overall: Option<u8>,
}

impl Scorecard<'_> {
    /// Whether any blocker failed (`scan` exits 1).
    pub fn blocker_failed(&self) -> bool {
        !self.blockers.is_empty()
    }

    pub fn item(&self, id: &str) -> Option<&ItemScore<'_>> {
        self.items.iter().find(|s| s.item.id == id)
    }
}

/// The combined status of the checks that ran, or `None` when none decided anything.
pub fn combine(statuses: impl IntoIterator<Item = Status>) -> Option<ItemStatus> {
    let mut seen = None;
    for status in statuses {
        let rank = match status {
            Status::Skipped => continue,
            Status::Pass => 0,
            Status::Warn => 1,
            Status::Error => 2,
            Status::Fail => 3,
        };
        if seen.is_none_or(|(r, _)| rank > r) {
            seen = Some((rank, status));
        }
    }
    seen.map(|(_, s)| ItemStatus::from_probe(s))
}

/// Scores one item from its check results and its answer.
pub fn score_item<'a>(item: &'a Item, results: Vec<&'a ProbeResult>, answer: Option<&'a Answer>) -> ItemScore<'a> {
    let probe = combine(results.iter().map(|r| r.status));
    let mut score = ItemScore {
        item,
        status: ItemStatus::Open,
        decided_by: DecidedBy::Nothing,
        probe,
        results,
        answer,
        override_: None,
        override_refused: false,
    };
    match (probe, answer) {
        (None, None) => {}
        (Some(p), None) => {
            score.status = p;
            score.decided_by = DecidedBy::Probe;
        }
        (None | Some(ItemStatus::Error), Some(a)) => {
            score.status = ItemStatus::from_answer(a.value);
            score.decided_by = DecidedBy::Answer;
        }
        (Some(p), Some(a)) => {
            let agrees = matches!(
                (p, a.value),
                (ItemStatus::Pass | ItemStatus::Warn, AnswerValue::Yes) | (ItemStatus::Fail, AnswerValue::No)
            );
            if agrees {
                score.status = p;
                score.decided_by = DecidedBy::ProbeConfirmed;
            } else if p == ItemStatus::Fail && a.value == AnswerValue::Yes && item.alternative.is_some() {
                // The vertical accepts another way to pass, which no check can see.
                score.status = ItemStatus::Pass;
                score.decided_by = DecidedBy::Alternative;
            } else if a.value == AnswerValue::Unsure {
                score.status = p;
                score.decided_by = DecidedBy::Probe;
            } else if let Some(note) = a.note() {
                score.status = ItemStatus::from_answer(a.value);
                score.decided_by = DecidedBy::Override;
                score.override_ = Some(Override {
                    probe: p,
                    answer: a.value,
                    note: note.to_string(),
                });
            } else {
                score.status = p;
                score.decided_by = DecidedBy::Probe;
                score.override_refused = true;
            }
        }
    }
    score
}

fn weight(severity: Severity) -> u32 {
    match severity {
        Severity::Blocker => 4,
        Severity::High => 3,
        Severity::Medium => 2,
        Severity::Low => 1,
    }
}

/// Severity-weighted share of passing among decided items, in percent (a warn earns half).
fn percent<'s, 'a: 's>(scores: impl Iterator<Item = &'s ItemScore<'a>>) -> Option<u8> {
    let (mut earned, mut possible) = (0u32, 0u32);
    for s in scores {
        let w = weight(s.item.severity);
        let credit = match s.status {
            ItemStatus::Pass => 2,
            ItemStatus::Warn => 1,
            ItemStatus::Fail | ItemStatus::Unsure => 0,
            ItemStatus::Error | ItemStatus::NotApplicable | ItemStatus::Open => continue,
        };
        earned += w * credit;
        possible += w * 2;
    }
    // At most 100 by construction.
    (possible > 0).then(|| u8::try_from((earned * 100 + possible / 2) / possible).unwrap_or(100))
}

/// Scores a whole assessment against its checklist.
pub fn score<'a>(checklist: &'a Checklist, assessment: &'a Assessment) -> Scorecard<'a> {
    let items: Vec<ItemScore<'a>> = checklist
        .items
        .iter()
        .map(|item| {
            let results = item.checks.iter().filter_map(|c| assessment.probes.get(c)).collect();
            score_item(item, results, assessment.answers.get(&item.id))
        })
        .collect();
    let gating = |s: &&ItemScore<'_>| matches!(s.item.severity, Severity::Blocker | Severity::High);
    let failed = |s: &&ItemScore<'_>| s.status == ItemStatus::Fail;
    let blockers: Vec<&str> = items
        .iter()
        .filter(|s| s.item.severity == Severity::Blocker)
        .filter(failed)
        .map(|s| s.item.id.as_str())
        .collect();
    let must_fix: Vec<&str> = items
        .iter()
        .filter(|s| s.item.severity == Severity::High)
        .filter(failed)
        .map(|s| s.item.id.as_str())
        .collect();
    let undecided: Vec<&str> = items
        .iter()
        .filter(gating)
        .filter(|s| matches!(s.status, ItemStatus::Open | ItemStatus::Unsure | ItemStatus::Error))
        .map(|s| s.item.id.as_str())
        .collect();
    let verdict = if !blockers.is_empty() || !must_fix.is_empty() {
        Verdict::NotReady
    } else if !undecided.is_empty() {
        Verdict::Incomplete
    } else {
        Verdict::Ready
    };
    let mut counts = Counts::default();
    for s in &items {
        counts.add(s.status);
    }
    let areas = Area::ALL
        .iter()
        .filter(|area| items.iter().any(|s| s.item.area == **area))
        .map(|&area| {
            let mut c = Counts::default();
            for s in items.iter().filter(|s| s.item.area == area) {
                c.add(s.status);
            }
            AreaScore {
                area,
                score: percent(items.iter().filter(|s| s.item.area == area)),
                counts: c,
            }
        })
        .collect();
    let overall = percent(items.iter());
    Scorecard {
        verdict,
        blockers,
        must_fix,
        undecided,
        items,
        areas,
        counts,
        overall,
    }
}
