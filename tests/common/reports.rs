//! A realistic assessment for report tests and benchmarks: probes for email and API checks,
//! every answer word, a failed blocker, notes, and items left open.

use std::time::{Duration, SystemTime};

use launchready::assessment::{AnswerValue, Assessment};
use launchready::checklist::{Checklist, Severity, VERTICALS};
use launchready::probe::{ProbeResult, Status};
use launchready::target::TargetFile;

pub fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000)
}

pub fn target(vertical: &str, name: &str, client: &str) -> TargetFile {
    let text = format!(
        "[product]\nname = {name:?}\nvertical = {vertical:?}\nclient = {client:?}\n\n[target]\ndomain = \"example.test\"\napp_url = \"https://app.example.test\"\napi_base = \"https://api.example.test\"\nhealth_path = \"/health\"\n\n[auth]\ntoken_a_env = \"ACME_TOKEN_A\"\ntoken_b_env = \"ACME_TOKEN_B\"\n"
    );
    let ids: Vec<&str> = VERTICALS.to_vec();
    TargetFile::parse("target.toml", &text, &ids).expect("the fixture target parses")
}

pub fn result(id: &str, status: Status, summary: &str) -> ProbeResult {
    let mut r = ProbeResult::new(id, status, &format!("{id} check"), summary);
    r.at = "2026-11-20T10:00:00Z".to_string();
    r
}

/// A realistic fixture: probes for email and API checks, every answer word, a failed blocker,
/// an override with a note, and some items left open.
pub fn fixture(checklist: &Checklist) -> Assessment {
    let mut a = Assessment::new(target(&checklist.id, "Acme Assistant", "Acme Ltd"), checklist, t0());
    a.record(
        result("email.spf", Status::Fail, "SPF lets anyone send as your domain (+all).")
            .evidence("TXT example.test", "v=spf1 include:_spf.example.net +all"),
    );
    a.record(
        result("email.dmarc", Status::Pass, "DMARC quarantines failing mail.").evidence(
            "TXT _dmarc.example.test",
            "v=DMARC1; p=quarantine; rua=mailto:d@example.test",
        ),
    );
    a.record(result(
        "api.health",
        Status::Pass,
        "The health endpoint answered 200 in 40 ms.",
    ));
    a.record(result(
        "api.latency",
        Status::Error,
        "The API did not answer within 10 s.",
    ));
    a.record(result(
        "api.auth_required",
        Status::Fail,
        "GET /api/conversations/1 answered 200 without a token.",
    ));
    let mut blocker_failed = false;
    for (i, item) in checklist.items.iter().enumerate() {
        if item.checks.iter().any(|c| a.probes.contains_key(c)) {
            continue;
        }
        let value = if item.severity == Severity::Blocker && !blocker_failed {
            blocker_failed = true;
            Some(AnswerValue::No)
        } else {
            match i % 5 {
                0 => Some(AnswerValue::Yes),
                1 => Some(AnswerValue::No),
                2 => Some(AnswerValue::Unsure),
                3 => Some(AnswerValue::NotApplicable),
                _ => None,
            }
        };
        if let Some(v) = value {
            let note = (i % 3 == 0).then(|| format!("Note on {}: owner is the CTO.", item.id));
            a.answer(&item.id, v, note, t0());
        }
    }
    a
}
