//! The report model: everything a report says, built once from an assessment and its checklist,
//! then rendered by each format (Markdown, PDF, JSON, SARIF). Pure: no I/O and no clock — the
//! report's date is the assessment's own.
//!
//! Every text that came from a user, a server or a DNS record passes through [`clean`] (from
//! [`crate::redact`]): key-shaped strings are redacted and control characters dropped, so no
//! format can leak a pasted secret or carry terminal escapes. Escaping for a format's syntax is
//! the renderer's job.

use serde::Serialize;

use crate::assessment::Assessment;
use crate::checklist::{Area, Checklist, Item, Severity};
use crate::redact::{clean, clean_lines};
use crate::report::diff::Changes;
use crate::report::view::{StatusView, needs_work};
use crate::result::{ProbeResult, Status};
use crate::score::{self, DecidedBy, ItemScore, ItemStatus, Scorecard, Verdict};

/// The version of the report JSON's shape (docs/report-json.md).
pub const REPORT_SCHEMA: u32 = 1;

/// Who the report is from, when a consultant brands it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Brand {
    /// The consultant's or company's name, shown on the cover and in the footer.
    pub name: Option<String>,
    /// A contact line (email, website).
    pub contact: Option<String>,
    /// Whether a logo image goes with the report (the image itself is passed to the PDF
    /// renderer beside the model, never inside it).
    pub logo: bool,
}

/// What a report is built from besides the assessment.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub brand: Brand,
    /// What changed since an earlier assessment of the same product.
    pub changes: Option<Changes>,
    /// The target file the assessment came from, as the user named it (SARIF locations).
    pub target_file: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema: u32,
    pub tool: ToolRef,
    pub cover: Cover,
    pub summary: Summary,
    pub areas: Vec<AreaRow>,
    pub scorecard: Vec<Row>,
    pub timeline: Timeline,
    pub handover: Vec<HandoverSection>,
    pub evidence: Vec<EvidenceEntry>,
    pub glossary: Vec<Term>,
    /// What changed since the last assessment, when one was found or given.
    pub changes: Option<Changes>,
    /// Caveats the reader should know (a checklist changed since the assessment, ...).
    pub caveats: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ToolRef {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cover {
    pub title: String,
    pub product: String,
    pub client: Option<String>,
    /// The vertical's id, e.g. `ecommerce`.
    pub vertical: String,
    /// The vertical in words, e.g. "Ecommerce store with an AI shopping assistant".
    pub business: String,
    /// What "ready" means for this vertical.
    pub ready_for: String,
    /// The assessment's last change, `YYYY-MM-DD`.
    pub date: String,
    /// The assessment's last change, RFC 3339 UTC.
    pub assessed_at: String,
    pub started_at: String,
    pub checklist: String,
    pub checklist_hash: String,
    /// The first 12 hex digits of the checklist's hash, for print.
    pub checklist_short: String,
    /// What was assessed: the domain, the app's and the API's addresses, when given.
    pub domain: Option<String>,
    pub app_url: Option<String>,
    pub api_base: Option<String>,
    /// The target file, when the report was made by `scan`.
    pub target_file: Option<String>,
    pub verdict: VerdictView,
    pub brand: Brand,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerdictView {
    /// `ready`, `not-ready` or `incomplete`.
    pub id: Verdict,
    /// "ready", "not ready", "not decided yet".
    pub label: String,
    /// One plain sentence saying why.
    pub sentence: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub verdict: VerdictView,
    /// The checklist's rule when a blocker fails ("hold the launch ..."), only then.
    pub pause_launch: Option<String>,
    /// Each failed blocker in its own words: "Title: not met. What the check found".
    pub pause_reasons: Vec<String>,
    /// When the vertical's escalation rule applies (too many failures, or a failure in one of
    /// its areas): why, and its advice to bring in a senior engineer.
    pub escalation: Option<String>,
    /// Failed blockers: each one pauses the launch.
    pub blockers: Vec<ItemRef>,
    /// Failed high-severity items.
    pub must_fix: Vec<ItemRef>,
    /// Blocker and high items still open, unsure or in error.
    pub undecided: Vec<ItemRef>,
    /// The three most important next steps.
    pub next_steps: Vec<Step>,
    pub counts: score::Counts,
    pub total: usize,
    /// 0–100 over all decided items; `None` when nothing is decided.
    pub overall: Option<u8>,
    /// How many checks ran automatically and how many questions were answered.
    pub checks_run: usize,
    pub answers: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemRef {
    pub id: String,
    pub title: String,
    /// What breaks when it is not fixed.
    pub breaks: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub id: String,
    pub title: String,
    pub status: StatusView,
    pub severity: Severity,
    /// The first thing to do.
    pub first_step: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AreaRow {
    /// e.g. `data-isolation`.
    pub id: Area,
    pub label: String,
    /// 0–100, `None` when nothing in the area is decided.
    pub score: Option<u8>,
    pub counts: score::Counts,
    pub total: usize,
    /// How many of the area's items are decided (the score covers only these).
    pub decided: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub id: String,
    pub title: String,
    pub area: Area,
    pub area_label: String,
    pub severity: Severity,
    pub status: StatusView,
    pub decided_by: DecidedBy,
    /// The automated checks behind the item (check ids).
    pub checks: Vec<String>,
    pub pass: String,
    pub why: String,
    pub breaks: String,
    /// This vertical's emphasis, when it adds one.
    pub emphasis: Option<String>,
    /// One line: what the check found or what the user said.
    pub finding: String,
    /// The user's note, when an answer had one.
    pub note: Option<String>,
    /// Set when the user's answer replaced a probe's verdict (always with a note).
    pub overridden: Option<OverrideView>,
    pub fix: String,
    pub phase: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct OverrideView {
    pub probe: StatusView,
    pub answer: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Timeline {
    /// The vertical's phases in order, each with the failed, warned, errored and unsure items
    /// that belong to it (blockers first). Phases with nothing to do are kept, with no tasks.
    pub phases: Vec<PhaseView>,
    /// Whether a blocker failed, so the launch should pause until it is fixed.
    pub pause_launch: bool,
    /// The hours of work in the phases that have tasks: the sum of their windows' lengths, when
    /// every one has a window.
    pub effort_hours: Option<u32>,
    /// Items nobody has checked or answered yet (the questions still to answer).
    pub unanswered: Vec<Unanswered>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PhaseView {
    pub id: String,
    pub title: String,
    pub text: String,
    /// The phase's window on the checklist's schedule: from hour `[0]` to hour `[1]`.
    pub hours: Option<[u32; 2]>,
    pub tasks: Vec<Task>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Task {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub status: StatusView,
    pub fix: String,
    /// The deliverable this work maps to, when the checklist names one.
    pub deliverable: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Unanswered {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub question: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct HandoverSection {
    pub title: String,
    /// One sentence on what the section is for.
    pub text: String,
    pub entries: Vec<HandoverEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HandoverEntry {
    pub label: String,
    pub value: String,
    /// The tick box: whether this is recorded and confirmed.
    pub done: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvidenceEntry {
    pub check: String,
    pub title: String,
    pub status: Status,
    pub symbol: String,
    pub summary: String,
    pub at: String,
    pub evidence: Vec<EvidenceLine>,
    pub fix: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvidenceLine {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Term {
    pub term: String,
    pub meaning: String,
}

fn first_step(fix: &str) -> String {
    let fix = fix.trim();
    let body = fix.strip_prefix("1. ").unwrap_or(fix);
    let end = body.find(" 2. ").unwrap_or(body.len());
    body[..end].trim().to_string()
}

fn verdict_view(card: &Scorecard<'_>) -> VerdictView {
    let sentence = match card.verdict {
        Verdict::Ready => {
            "No blocker or high-severity item fails: the product is ready for what this checklist covers.".to_string()
        }
        Verdict::NotReady => {
            let blockers = card.blockers.len();
            let high = card.must_fix.len();
            match (blockers, high) {
                (0, h) => format!(
                    "{}: fix {} before launch.",
                    plural(h, "high-severity item fails", "high-severity items fail"),
                    if h == 1 { "it" } else { "them" }
                ),
                (b, 0) => format!(
                    "{}: pause the launch until fixed.",
                    plural(b, "blocker fails", "blockers fail")
                ),
                (b, h) => format!(
                    "{} and {}: pause the launch until the blockers are fixed.",
                    plural(b, "blocker fails", "blockers fail"),
                    plural(h, "high-severity item fails", "high-severity items fail")
                ),
            }
        }
        Verdict::Incomplete => format!(
            "Nothing blocking has failed, but {} still open, unsure or could not be checked.",
            plural(card.undecided.len(), "important item is", "important items are")
        ),
    };
    VerdictView {
        id: card.verdict,
        label: card.verdict.label().to_string(),
        sentence,
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Why the launch pauses, one line per failed blocker in its own words: what the check found,
/// or, for an answer, what breaks.
fn pause_reasons(card: &Scorecard<'_>) -> Vec<String> {
    card.blockers
        .iter()
        .filter_map(|id| card.item(id))
        .map(|s| {
            let title = s.item.title.trim();
            if s.decided_by == DecidedBy::Answer || s.results.is_empty() {
                format!("{title}: answered no. What breaks: {}", s.item.breaks.trim())
            } else {
                format!("{title}: not met. {}", finding(s).trim())
            }
        })
        .collect()
}

/// The vertical's escalation rule, when it applies: more failed items than
/// `escalation.max_failed_places`, or a failed item in one of its `escalate_areas`.
fn escalation(checklist: &Checklist, card: &Scorecard<'_>) -> Option<String> {
    // What makes a product not ready: a "ready" product is never told to escalate.
    let failed: Vec<&ItemScore<'_>> = card
        .items
        .iter()
        .filter(|s| s.status == ItemStatus::Fail && s.item.severity <= Severity::High)
        .collect();
    let too_many = checklist
        .threshold("escalation.max_failed_places")
        .and_then(crate::checklist::Threshold::number)
        .filter(|max| f64::from(u32::try_from(failed.len()).unwrap_or(u32::MAX)) > *max)
        .map(|max| format!("{} blocker and high-severity items fail, more than {max}", failed.len()));
    let mut areas: Vec<&str> = vec![];
    for s in &failed {
        if checklist.escalate_areas.contains(&s.item.area) && !areas.contains(&s.item.area.label()) {
            areas.push(s.item.area.label());
        }
    }
    let why = too_many.or_else(|| {
        (!areas.is_empty()).then(|| {
            let quoted: Vec<String> = areas.iter().map(|a| format!("“{a}”")).collect();
            let quoted: Vec<&str> = quoted.iter().map(String::as_str).collect();
            match areas.len() {
                1 => format!("An item fails in the area {}", quoted[0]),
                _ => format!("Items fail in the areas {}", join_words(&quoted)),
            }
        })
    })?;
    let advice = checklist.escalation.as_deref().map_or(
        "Stop fixing one thing at a time and bring in an experienced engineer for a planned piece of work.",
        str::trim,
    );
    Some(format!("{why}. {advice}"))
}

/// "a", "a and b", "a, b and c".
fn join_words(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The one-line finding of a scored item: the override's note, the deciding check's summary, or
/// the user's answer.
fn finding(s: &ItemScore<'_>) -> String {
    if let Some(o) = &s.override_ {
        return format!(
            "Answered \"{}\" against the automated check: {}",
            o.answer.word(),
            o.note
        );
    }
    if s.decided_by == DecidedBy::Alternative {
        let found = s.results.iter().find(|r| r.status == crate::result::Status::Fail);
        return format!(
            "Passes by the accepted alternative: {} (answered yes){}",
            s.item
                .alternative
                .as_deref()
                .unwrap_or_default()
                .trim()
                .trim_end_matches('.'),
            found.map_or_else(String::new, |r| format!("; the check found: {}", r.summary))
        );
    }
    let decisive = s
        .results
        .iter()
        .find(|r| s.probe.is_some_and(|p| p.label() == r.status.label()))
        .or_else(|| s.results.first());
    if let Some(r) = decisive
        && s.decided_by != DecidedBy::Answer
    {
        return r.summary.clone();
    }
    match s.answer {
        Some(a) => {
            let said = match a.value {
                crate::assessment::AnswerValue::Yes => "Answered yes",
                crate::assessment::AnswerValue::No => "Answered no",
                crate::assessment::AnswerValue::Unsure => "Answered not sure",
                crate::assessment::AnswerValue::NotApplicable => "Answered not applicable",
            };
            match a.note() {
                Some(note) => format!("{said}: {note}"),
                None => format!("{said}."),
            }
        }
        None if s.status == ItemStatus::Open => "Not checked or answered yet.".to_string(),
        None => String::new(),
    }
}

/// How urgent an open problem is: blockers before high, failures before warnings.
fn urgency(s: &ItemScore<'_>) -> (Severity, u8) {
    let rank = match s.status {
        ItemStatus::Fail => 0,
        ItemStatus::Error => 1,
        ItemStatus::Unsure => 2,
        ItemStatus::Warn => 3,
        ItemStatus::Open => 4,
        ItemStatus::Pass | ItemStatus::NotApplicable => 5,
    };
    (s.item.severity, rank)
}

/// The order of next steps: blocker and high items before the rest; within those, failures,
/// then could-not-check, unsure, warnings and open items; then by severity.
fn next_step_rank(s: &ItemScore<'_>) -> (bool, u8, Severity) {
    (s.item.severity > Severity::High, urgency(s).1, s.item.severity)
}

fn item_ref(checklist: &Checklist, id: &str) -> Option<ItemRef> {
    checklist.item(id).map(|i| ItemRef {
        id: i.id.clone(),
        title: i.title.clone(),
        breaks: i.breaks.clone(),
    })
}

/// Builds the report of an assessment against its checklist.
pub fn build(checklist: &Checklist, assessment: &Assessment, options: &Options) -> Report {
    let card = score::score(checklist, assessment);
    let p = &assessment.target.product;
    let verdict = verdict_view(&card);
    let brand = Brand {
        name: options.brand.name.as_deref().map(clean),
        contact: options.brand.contact.as_deref().map(clean),
        logo: options.brand.logo,
    };
    let cover = Cover {
        title: format!("Launch readiness: {}", clean(&p.name)),
        product: clean(&p.name),
        client: p.client.as_deref().map(clean),
        vertical: checklist.id.clone(),
        business: checklist.business.clone(),
        ready_for: checklist.ready_for.clone(),
        date: assessment.updated.chars().take(10).collect(),
        assessed_at: assessment.updated.clone(),
        started_at: assessment.created.clone(),
        checklist: checklist.id.clone(),
        checklist_hash: checklist.hash.clone(),
        checklist_short: checklist.hash.trim_start_matches("sha256:").chars().take(12).collect(),
        domain: assessment.target.target.domain.as_deref().map(clean),
        app_url: assessment.target.target.app_url.as_deref().map(clean),
        api_base: assessment.target.target.api_base.as_deref().map(clean),
        target_file: options.target_file.as_deref().map(clean),
        verdict: verdict.clone(),
        brand,
    };

    // Failed, unsure and warned items first; open blocker and high items too, so an undecided
    // verdict still says what to find out next.
    let mut ranked: Vec<&ItemScore<'_>> = card
        .items
        .iter()
        .filter(|s| needs_work(s.status) || (s.status == ItemStatus::Open && s.item.severity <= Severity::High))
        .collect();
    ranked.sort_by_key(|s| next_step_rank(s));
    let next_steps = ranked
        .iter()
        .take(3)
        .map(|s| Step {
            id: s.item.id.clone(),
            title: s.item.title.clone(),
            status: s.status.into(),
            severity: s.item.severity,
            first_step: if s.status == ItemStatus::Open {
                let q = s
                    .item
                    .question
                    .as_ref()
                    .map_or(s.item.pass.as_str(), |q| q.text.as_str());
                format!("Find out: {}", q.trim())
            } else {
                first_step(&s.item.fix)
            },
        })
        .collect();
    let refs = |ids: &[&str]| ids.iter().filter_map(|id| item_ref(checklist, id)).collect::<Vec<_>>();
    let pause_launch = card.blocker_failed().then(|| {
        checklist.pause_rule.as_deref().map_or_else(
            || "Hold the launch until every failed blocker is fixed.".to_string(),
            |r| clean(r.trim()),
        )
    });
    let pause_reasons: Vec<String> = pause_reasons(&card).iter().map(|r| clean(r)).collect();
    let escalation = escalation(checklist, &card).map(|e| clean(&e));
    let summary = Summary {
        verdict,
        pause_launch,
        pause_reasons,
        escalation,
        blockers: refs(&card.blockers),
        must_fix: refs(&card.must_fix),
        undecided: refs(&card.undecided),
        next_steps,
        counts: card.counts.clone(),
        total: card.items.len(),
        overall: card.overall,
        checks_run: assessment.probes.len(),
        answers: assessment.answers.len(),
    };

    let areas = card
        .areas
        .iter()
        .map(|a| AreaRow {
            id: a.area,
            label: a.area.label().to_string(),
            score: a.score,
            counts: a.counts.clone(),
            total: card.items.iter().filter(|s| s.item.area == a.area).count(),
            decided: card
                .items
                .iter()
                .filter(|s| s.item.area == a.area && !matches!(s.status, ItemStatus::Open | ItemStatus::Error))
                .count(),
        })
        .collect();

    let scorecard = card.items.iter().map(|s| row(s)).collect();
    let timeline = timeline(checklist, &card);
    let handover = handover(checklist, assessment, &card);
    let evidence = assessment
        .probes
        .values()
        .filter(|r| r.status != Status::Skipped || !r.evidence.is_empty())
        .map(evidence_entry)
        .collect();
    let mut caveats = Vec::new();
    if assessment.is_stale(checklist) {
        caveats.push(
            "The checklist changed since this assessment was started; items added since then are shown as open."
                .to_string(),
        );
    }
    Report {
        schema: REPORT_SCHEMA,
        tool: ToolRef {
            name: assessment.tool.name.clone(),
            version: assessment.tool.version.clone(),
        },
        cover,
        summary,
        areas,
        scorecard,
        timeline,
        handover,
        evidence,
        glossary: glossary(),
        changes: options.changes.clone(),
        caveats,
    }
}

fn row(s: &ItemScore<'_>) -> Row {
    let item: &Item = s.item;
    Row {
        id: item.id.clone(),
        title: item.title.clone(),
        area: item.area,
        area_label: item.area.label().to_string(),
        severity: item.severity,
        status: s.status.into(),
        decided_by: s.decided_by,
        checks: item.checks.clone(),
        pass: item.pass.clone(),
        why: item.why.clone(),
        breaks: item.breaks.clone(),
        emphasis: item.emphasis.clone(),
        finding: clean(&finding(s)),
        note: s.answer.and_then(|a| a.note()).map(clean_lines),
        overridden: s.override_.as_ref().map(|o| OverrideView {
            probe: o.probe.into(),
            answer: o.answer.word().to_string(),
            note: clean_lines(&o.note),
        }),
        fix: item.fix.clone(),
        phase: item.phase.clone(),
    }
}

fn timeline(checklist: &Checklist, card: &Scorecard<'_>) -> Timeline {
    let mut phases = Vec::new();
    let mut total = Some(0u32);
    for phase in &checklist.phases {
        let mut todo: Vec<&ItemScore<'_>> = card
            .items
            .iter()
            .filter(|s| s.item.phase == phase.id && needs_work(s.status))
            .collect();
        todo.sort_by_key(|s| urgency(s));
        if !todo.is_empty() {
            total = match (total, phase.hours) {
                (Some(sum), Some([from, to])) => Some(sum + to.saturating_sub(from)),
                _ => None,
            };
        }
        phases.push(PhaseView {
            id: phase.id.clone(),
            title: phase.title.clone(),
            text: phase.text.clone(),
            hours: phase.hours,
            tasks: todo
                .iter()
                .map(|s| Task {
                    id: s.item.id.clone(),
                    title: s.item.title.clone(),
                    severity: s.item.severity,
                    status: s.status.into(),
                    fix: s.item.fix.clone(),
                    deliverable: s
                        .item
                        .deliverable
                        .as_deref()
                        .and_then(|d| checklist.deliverable(d))
                        .map(|d| d.title.clone()),
                })
                .collect(),
        });
    }
    let any = phases.iter().any(|p| !p.tasks.is_empty());
    let unanswered = card
        .items
        .iter()
        .filter(|s| s.status == ItemStatus::Open)
        .map(|s| Unanswered {
            id: s.item.id.clone(),
            title: s.item.title.clone(),
            severity: s.item.severity,
            question: s
                .item
                .question
                .as_ref()
                .map_or_else(|| s.item.pass.clone(), |q| q.text.clone()),
        })
        .collect();
    Timeline {
        phases,
        pause_launch: card.blocker_failed(),
        effort_hours: if any { total } else { None },
        unanswered,
    }
}

fn evidence_entry(r: &ProbeResult) -> EvidenceEntry {
    EvidenceEntry {
        check: r.id.clone(),
        title: clean(&r.title),
        status: r.status,
        symbol: r.status.symbol().to_string(),
        summary: clean(&r.summary),
        at: r.at.clone(),
        evidence: r
            .evidence
            .iter()
            .map(|e| EvidenceLine {
                label: clean(&e.label),
                value: clean_lines(&e.value),
            })
            .collect(),
        fix: r.fix.as_deref().map(clean),
    }
}

/// The state of an item in words for the handover list: its status and the user's note.
fn item_state(card: &Scorecard<'_>, id: &str) -> Option<(bool, String)> {
    let s = card.item(id)?;
    let note = s.answer.and_then(|a| a.note()).map(clean);
    let said = match (s.status, note) {
        (ItemStatus::Open, _) => "not recorded yet".to_string(),
        (status, Some(note)) => format!("{} — {note}", status.label()),
        (status, None) => status.label().to_string(),
    };
    Some((s.status == ItemStatus::Pass, said))
}

fn host_of(url: &str) -> Option<String> {
    url::Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_string))
}

fn handover(checklist: &Checklist, assessment: &Assessment, card: &Scorecard<'_>) -> Vec<HandoverSection> {
    let target = &assessment.target.target;
    let auth = &assessment.target.auth;
    let entry = |label: &str, value: String, done: bool| HandoverEntry {
        label: label.to_string(),
        value,
        done,
    };
    let mut sections = Vec::new();

    // Domains and hosts.
    let mut hosts = Vec::new();
    if let Some(d) = &target.domain {
        hosts.push(entry("Main domain", clean(d), false));
    }
    if let Some(u) = &target.app_url {
        hosts.push(entry("App address", clean(u), false));
    }
    if let Some(u) = &target.api_base {
        hosts.push(entry("API address", clean(u), false));
    }
    let mut seen_hosts: Vec<String> = Vec::new();
    for url in [&target.app_url, &target.api_base].into_iter().flatten() {
        if let Some(h) = host_of(url)
            && Some(&h) != target.domain.as_ref()
            && !seen_hosts.contains(&h)
        {
            seen_hosts.push(h);
        }
    }
    for h in seen_hosts {
        let label = if target.domain.is_some() {
            "Other host name"
        } else {
            "Host name"
        };
        hosts.push(entry(label, clean(&h), false));
    }
    if hosts.is_empty() {
        hosts.push(entry("Domains", "none given in the target".to_string(), false));
    }
    sections.push(HandoverSection {
        title: "Domains and hosts".to_string(),
        text: "Confirm who owns each name at the registrar and DNS provider, and that the account uses a company address with two-factor login.".to_string(),
        entries: hosts,
    });

    // DNS and email records the probes found.
    let mut records = Vec::new();
    for check in ["email.mx", "email.spf", "email.dkim", "email.dmarc", "dns.caa"] {
        match assessment.probes.get(check) {
            Some(r) if !r.evidence.is_empty() => {
                for e in &r.evidence {
                    records.push(entry(&clean(&e.label), clean(&e.value), r.status == Status::Pass));
                }
            }
            Some(r) => records.push(entry(
                check,
                format!("{}: {}", r.status.label(), clean(&r.summary)),
                false,
            )),
            None => {}
        }
    }
    if records.is_empty() {
        records.push(entry(
            "Records",
            "not checked automatically (give a domain in the target and run the email checks)".to_string(),
            false,
        ));
    }
    sections.push(HandoverSection {
        title: "DNS and email records found".to_string(),
        text: "The records as the automated checks saw them on the assessment date; ticked when the check passed."
            .to_string(),
        entries: records,
    });

    // Certificates, edge and CDN.
    let mut edge = Vec::new();
    for check in [
        "tls.certificate",
        "tls.protocols",
        "http.https_redirect",
        "http.hsts",
        "edge.cdn",
        "edge.private_cache",
    ] {
        if let Some(r) = assessment.probes.get(check) {
            edge.push(entry(&clean(&r.title), clean(&r.summary), r.status == Status::Pass));
            for e in r.evidence.iter().filter(|e| e.label.to_lowercase().contains("expir")) {
                edge.push(entry(&clean(&e.label), clean(&e.value), r.status == Status::Pass));
            }
        }
    }
    for id in ["edge.tls", "edge.cdn", "edge.cloudflare_strict", "edge.private_cache"] {
        if let (Some(item), Some((done, said))) = (checklist.item(id), item_state(card, id))
            && !edge.iter().any(|e| e.label == item.title)
        {
            edge.push(entry(&item.title, said, done));
        }
    }
    let dates_found = edge.iter().any(|e| e.label.to_lowercase().starts_with("expires"));
    edge.push(entry(
        "Certificate expiry dates",
        if dates_found {
            "the dates found are listed above; write down who renews each certificate, and how".to_string()
        } else {
            "record each certificate's expiry date and who renews it".to_string()
        },
        false,
    ));
    sections.push(HandoverSection {
        title: "Certificates, edge and CDN".to_string(),
        text: "Where HTTPS is terminated, what caches what, and when certificates expire.".to_string(),
        entries: edge,
    });

    // Monitored endpoints.
    let mut monitored = Vec::new();
    if let (Some(base), Some(path)) = (&target.api_base, &target.health_path) {
        let health = assessment.probes.get("api.health");
        monitored.push(entry(
            "Health check",
            format!(
                "{}{} — {}; add it to an uptime monitor",
                clean(base.trim_end_matches('/')),
                clean(path),
                health.map_or("not checked yet", |r| if r.status == Status::Pass {
                    "answers"
                } else {
                    r.status.label()
                })
            ),
            // Answering is not being watched: the box is for the uptime monitor.
            false,
        ));
    }
    for id in [
        "monitoring.health",
        "monitoring.alerts",
        "monitoring.coverage",
        "monitoring.triggers",
    ] {
        if let (Some(item), Some((done, said))) = (checklist.item(id), item_state(card, id)) {
            monitored.push(entry(&item.title, said, done));
        }
    }
    if monitored.is_empty() {
        monitored.push(entry("Endpoints", "none recorded".to_string(), false));
    }
    sections.push(HandoverSection {
        title: "Monitored endpoints and alerts".to_string(),
        text: "What is watched, who gets the alert, and how fast.".to_string(),
        entries: monitored,
    });

    // Settings by name, never values.
    let mut settings = Vec::new();
    let names = [
        (
            &auth.token_a_env,
            "launchready's test token of user A, to re-run the API checks",
        ),
        (
            &auth.token_b_env,
            "launchready's test token of user B, to re-run the API checks",
        ),
        (
            &auth.token_low_env,
            "launchready's test token of a low-privilege user, to re-run the API checks",
        ),
    ];
    for (name, purpose) in names {
        if let Some(n) = name {
            settings.push(entry(
                &clean(n),
                format!("{purpose} (an environment variable; its value is never stored)"),
                false,
            ));
        }
    }
    if let Some(n) = target.chat.as_ref().and_then(|c| c.canary_env.as_ref()) {
        settings.push(entry(
            &clean(n),
            "Canary planted in the system prompt (environment variable)".to_string(),
            false,
        ));
    }
    for id in ["secrets.inventory", "secrets.rotation", "secrets.client"] {
        if let (Some(item), Some((done, said))) = (checklist.item(id), item_state(card, id)) {
            settings.push(entry(&item.title, said, done));
        }
    }
    settings.push(entry(
        "Settings list",
        "every setting the code reads, by name, with purpose, owner and where it is stored".to_string(),
        false,
    ));
    sections.push(HandoverSection {
        title: "Settings and where secrets live".to_string(),
        text: "Names only: this document never holds a secret's value.".to_string(),
        entries: settings,
    });

    // Rollback and deploys.
    let mut deploy = Vec::new();
    for id in [
        "deploy.rollback",
        "deploy.reproducible",
        "deploy.migrations",
        "deploy.backups",
    ] {
        if let (Some(item), Some((done, said))) = (checklist.item(id), item_state(card, id)) {
            deploy.push(entry(&item.title, said, done));
        }
    }
    let rollback = card.item("deploy.rollback");
    let steps = rollback
        .filter(|s| s.status == ItemStatus::Pass)
        .and_then(|s| s.answer)
        .and_then(|a| a.note())
        .map(clean);
    deploy.push(entry(
        "Rollback path",
        steps.clone().unwrap_or_else(|| {
            "write down the exact steps to put the previous version back, and who may do it".to_string()
        }),
        steps.is_some(),
    ));
    sections.push(HandoverSection {
        title: "Deploys and rollback".to_string(),
        text: "How a change goes live and how to undo it.".to_string(),
        entries: deploy,
    });

    // Owners and access.
    let mut owners = Vec::new();
    if let Some((done, said)) = item_state(card, "handover.document")
        && let Some(item) = checklist.item("handover.document")
    {
        owners.push(entry(&item.title, said, done));
    }
    for account in [
        "Domain registrar",
        "DNS provider",
        "CDN / edge",
        "Hosting",
        "Database",
        "Email sending",
        "AI model provider",
        "Payments",
        "Monitoring and alerts",
        "Source code and CI",
    ] {
        owners.push(entry(account, "owner: ____  · access: ____".to_string(), false));
    }
    sections.push(HandoverSection {
        title: "Owners and access".to_string(),
        text: "Who owns each account and who else can get in; company addresses and two-factor login for all."
            .to_string(),
        entries: owners,
    });

    // Open items.
    let mut open: Vec<&ItemScore<'_>> = card
        .items
        .iter()
        .filter(|s| needs_work(s.status) || s.status == ItemStatus::Open)
        .collect();
    open.sort_by_key(|s| urgency(s));
    let open: Vec<HandoverEntry> = open
        .iter()
        .map(|s| {
            entry(
                &s.item.title,
                format!("{} · {}", s.status.label(), s.item.severity),
                false,
            )
        })
        .collect();
    sections.push(HandoverSection {
        title: "Open items".to_string(),
        text: if open.is_empty() {
            "Nothing is open.".to_string()
        } else {
            "Everything that failed, is unsure or has not been checked yet, most urgent first.".to_string()
        },
        entries: open,
    });
    sections
}

/// Plain-language meanings of the terms a report uses.
pub fn glossary() -> Vec<Term> {
    const TERMS: &[(&str, &str)] = &[
        (
            "Blocker",
            "A problem serious enough that the launch should wait until it is fixed.",
        ),
        (
            "DNS",
            "The internet's address book: it says which servers answer for your domain and its email.",
        ),
        (
            "MX record",
            "The DNS entry that says which servers receive email for your domain.",
        ),
        (
            "SPF",
            "A DNS entry listing the servers allowed to send email as your domain.",
        ),
        (
            "DKIM",
            "A signature added to your outgoing email, checked against a key published in your DNS.",
        ),
        (
            "DMARC",
            "A DNS policy telling inboxes what to do with mail that fails SPF and DKIM, and where to send reports.",
        ),
        (
            "CAA record",
            "A DNS entry naming which certificate authorities may issue HTTPS certificates for your domain.",
        ),
        (
            "TLS / HTTPS",
            "The encryption between a visitor's browser and your servers; it needs a valid certificate.",
        ),
        ("HSTS", "A header telling browsers to always use HTTPS for your site."),
        (
            "CDN / edge",
            "Servers in front of your app that cache pages and absorb traffic and attacks.",
        ),
        (
            "API",
            "The addresses your app's screens and other programs call to read and change data.",
        ),
        ("Authentication", "Checking who someone is (signing in)."),
        (
            "Authorisation",
            "Checking what a signed-in person may see or do, record by record.",
        ),
        (
            "CORS",
            "Browser rules saying which other websites may call your API with a visitor's login.",
        ),
        (
            "Rate limit",
            "A cap on how many requests one person or address may make in a time window.",
        ),
        (
            "p95 latency",
            "The response time that 95 out of 100 requests beat; the slowest 5 take longer.",
        ),
        (
            "Webhook",
            "A message another service (payments, calendar) sends to your app; it must be signed and checked.",
        ),
        (
            "Environment variable",
            "A named setting kept on the server, where secrets such as API keys belong.",
        ),
        (
            "Secret",
            "A password, key or token that gives access; it must never appear in code, logs or reports.",
        ),
        (
            "Prompt injection",
            "Text written to trick an AI assistant into ignoring its instructions or leaking data.",
        ),
        (
            "Rollback",
            "Putting the previous working version back quickly when a release goes wrong.",
        ),
        (
            "Request id",
            "A label on every request that ties a user's complaint to the matching log lines.",
        ),
    ];
    TERMS
        .iter()
        .map(|(t, m)| Term {
            term: (*t).to_string(),
            meaning: (*m).to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_step_takes_the_first_numbered_step() {
        assert_eq!(first_step("1. List keys. 2. Move them."), "List keys.");
        assert_eq!(first_step("Turn it on."), "Turn it on.");
    }
}
