//! SARIF 2.1.0 for the automated findings, so `scan` can gate CI and feed code-scanning
//! dashboards. One rule per check id that ran; one result per check, with `kind` pass, fail or
//! review (could not be checked) and a level from the most severe checklist item it decides.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::checklist::Severity;
use crate::report::model::{EvidenceEntry, Report};
use crate::result::Status;

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The most severe item that the check decides, and those items' titles.
fn items_of<'a>(report: &'a Report, check: &str) -> (Option<Severity>, Vec<&'a str>) {
    let rows: Vec<_> = report
        .scorecard
        .iter()
        .filter(|r| r.checks.iter().any(|c| c == check))
        .collect();
    (
        rows.iter().map(|r| r.severity).min(),
        rows.iter().map(|r| r.id.as_str()).collect(),
    )
}

fn location(report: &Report, check: &str) -> String {
    let c = &report.cover;
    let pick = if check.starts_with("email.") || check.starts_with("dns.") {
        c.domain.as_ref().or(c.app_url.as_ref())
    } else if check.starts_with("api.") {
        c.api_base.as_ref().or(c.app_url.as_ref())
    } else {
        c.app_url.as_ref().or(c.domain.as_ref())
    };
    pick.cloned().unwrap_or_else(|| c.product.clone())
}

/// A file path as a SARIF artifact URI: `file://` for an absolute path, forward slashes and
/// percent-escaped spaces for a relative one (relative to where `scan` ran).
fn artifact_uri(file: &str) -> String {
    let path = std::path::Path::new(file);
    if path.is_absolute()
        && let Ok(url) = url::Url::from_file_path(path)
    {
        return url.to_string();
    }
    file.replace('\\', "/").replace(' ', "%20")
}

fn result(report: &Report, e: &EvidenceEntry) -> Option<Value> {
    let (severity, items) = items_of(report, &e.check);
    let (kind, level) = match e.status {
        Status::Pass => ("pass", "none"),
        Status::Fail => (
            "fail",
            if matches!(severity, Some(Severity::Blocker | Severity::High)) {
                "error"
            } else {
                "warning"
            },
        ),
        Status::Warn => ("fail", "warning"),
        Status::Error => ("review", "none"),
        Status::Skipped => return None,
    };
    let place = location(report, &e.check);
    // Code-scanning dashboards need a file: the target file that configured the check when the
    // report came from `scan`, else the address that was checked.
    let artifact = report
        .cover
        .target_file
        .as_deref()
        .map_or_else(|| place.clone(), artifact_uri);
    let fingerprint = Sha256::digest(format!("{}\u{0}{place}", e.check));
    let fingerprint = crate::redact::hex(&fingerprint[..16]);
    let mut text = e.summary.clone();
    if let Some(fix) = &e.fix {
        text.push_str(" Fix: ");
        text.push_str(fix);
    }
    // A user's answer that overrode this check's verdict, with its note, is a suppression.
    let suppressions: Vec<Value> = report
        .scorecard
        .iter()
        .filter(|r| r.checks.contains(&e.check))
        .filter_map(|r| r.overridden.as_ref().map(|o| (r, o)))
        .map(|(r, o)| {
            json!({
                "kind": "external",
                "status": "accepted",
                "justification": format!("{}: answered {} — {}", r.title, o.answer, o.note),
            })
        })
        .collect();
    let mut result = json!({
        "ruleId": e.check,
        "kind": kind,
        "level": level,
        "message": { "text": text },
        "locations": [{
            "physicalLocation": { "artifactLocation": { "uri": artifact } },
            "logicalLocations": [{ "fullyQualifiedName": place, "kind": "resource" }]
        }],
        "partialFingerprints": { "launchready/v1": fingerprint },
        "properties": {
            "severity": severity.map(Severity::label),
            "items": items,
            "evidence": e.evidence.iter().map(|l| json!({ "label": l.label, "value": l.value })).collect::<Vec<_>>(),
            "checkedAt": e.at,
        }
    });
    if !suppressions.is_empty() {
        result["suppressions"] = Value::Array(suppressions);
    }
    Some(result)
}

fn rule(report: &Report, e: &EvidenceEntry) -> Value {
    let (severity, items) = items_of(report, &e.check);
    let row = report.scorecard.iter().find(|r| r.checks.contains(&e.check));
    let mut rule = json!({
        "id": e.check,
        "name": e.check.replace(['.', '_'], "-"),
        "shortDescription": { "text": e.title },
        "defaultConfiguration": {
            "level": if matches!(severity, Some(Severity::Blocker | Severity::High)) { "error" } else { "warning" }
        },
        "properties": { "tags": ["launch-readiness", e.check.split('.').next().unwrap_or("check")], "items": items },
    });
    if let Some(row) = row {
        rule["fullDescription"] = json!({ "text": row.pass });
        rule["help"] = json!({ "text": row.fix });
    }
    rule
}

/// The SARIF log of the report's automated checks, as pretty JSON.
pub fn render(report: &Report) -> String {
    let ran: Vec<&EvidenceEntry> = report.evidence.iter().filter(|e| e.status != Status::Skipped).collect();
    let rules: Vec<Value> = ran.iter().map(|e| rule(report, e)).collect();
    let results: Vec<Value> = ran
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            result(report, e).map(|mut r| {
                r["ruleIndex"] = json!(i);
                r
            })
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": report.tool.name,
                "version": report.tool.version,
                "semanticVersion": report.tool.version,
                "rules": rules,
            }},
            "automationDetails": { "id": format!("launchready/{}/{}", report.cover.vertical, report.cover.assessed_at) },
            "properties": {
                "product": report.cover.product,
                "client": report.cover.client,
                "verdict": report.cover.verdict.id,
            },
            "results": results,
        }]
    });
    let mut text = serde_json::to_string_pretty(&log).expect("a JSON value always serialises");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::artifact_uri;

    #[test]
    fn target_files_become_uris() {
        assert_eq!(artifact_uri("targets/acme shop.toml"), "targets/acme%20shop.toml");
        assert_eq!(artifact_uri("targets\\acme.toml"), "targets/acme.toml");
        if cfg!(unix) {
            assert_eq!(artifact_uri("/srv/acme.toml"), "file:///srv/acme.toml");
        }
    }
}
