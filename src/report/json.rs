//! The JSON export: the assessment as saved, plus its scorecard, for other tools.

use serde_json::json;

use crate::assessment::Assessment;
use crate::checklist::Checklist;
use crate::score;

/// The assessment and its scorecard as pretty JSON.
pub fn render(checklist: &Checklist, assessment: &Assessment) -> String {
    let card = score::score(checklist, assessment);
    let items: Vec<_> = card
        .items
        .iter()
        .map(|s| {
            json!({
                "id": s.item.id, "title": s.item.title, "area": s.item.area.id(), "severity": s.item.severity,
                "status": s.status, "decided_by": s.decided_by, "override": s.override_,
            })
        })
        .collect();
    let doc = json!({
        "tool": assessment.tool,
        "checklist": { "id": checklist.id, "hash": checklist.hash, "stale": assessment.is_stale(checklist) },
        "verdict": card.verdict,
        "blockers": card.blockers,
        "must_fix": card.must_fix,
        "undecided": card.undecided,
        "areas": card.areas.iter().map(|a| json!({ "area": a.area.id(), "score": a.score, "counts": a.counts })).collect::<Vec<_>>(),
        "items": items,
        "assessment": assessment,
    });
    let mut text = serde_json::to_string_pretty(&doc).expect("the report always serialises");
    text.push('\n');
    text
}
