// Seed coverage for the `ecommerce` vertical (founder-led ecommerce, ready for production traffic).
// The tables below are written from the seed's structure (scorecard rows, first checks, ready
// conditions, red flags, do-it-yourself fixes, the failure -> deliverable -> hours table), not from
// the checklist file, so a row that goes missing from the checklist fails here.

use launchready::checklist::{Area, Severity, Unit};

use crate::support::*;

const VERTICAL: &str = "ecommerce";

/// Quick Scorecard rows, in the seed's order.
const SCORECARD: &[Row] = &[
    ("S1", "Auth on every sensitive endpoint", &["auth.required"]),
    ("S2", "Tool permission scoping", &["ai.tool_scoping"]),
    ("S3", "Secrets handling", &["secrets.repo", "secrets.client"]),
    ("S4", "Input validation", &["input.validation"]),
    ("S5", "Rate limiting", &["abuse.rate_limit"]),
    ("S6", "CORS locked down", &["browser.cors"]),
    ("S7", "Logging hygiene", &["logging.redaction"]),
    ("S8", "Monitoring active", &["monitoring.alerts"]),
    ("S9", "Email auth passing", &["email.auth"]),
    ("S10", "Deployment rollback ready", &["deploy.rollback"]),
];

/// The checks to run first, C1..C6.
const FIRST_CHECKS: &[Row] = &[
    (
        "C1",
        "Strangers on private endpoints",
        &["auth.required", "isolation.objects"],
    ),
    (
        "C2",
        "Least-privilege tool calls",
        &["ai.tool_scoping", "ai.confirmation", "secrets.scoped_keys"],
    ),
    (
        "C3",
        "Secrets out of the frontend and the logs",
        &[
            "secrets.repo",
            "secrets.client",
            "secrets.logs",
            "secrets.rotation",
            "logging.redaction",
        ],
    ),
    (
        "C4",
        "Input validation before downstream systems",
        &["input.validation"],
    ),
    (
        "C5",
        "Rate limits against abuse",
        &["abuse.rate_limit", "abuse.login_limit", "abuse.spend_caps"],
    ),
    (
        "C6",
        "Monitoring reports breakage",
        &[
            "monitoring.alerts",
            "monitoring.health",
            "monitoring.coverage",
            "monitoring.triggers",
            "perf.latency",
        ],
    ),
];

/// "What ready means": four conditions, plus the US/UK/EU note of the intro.
const READY: &[Row] = &[
    (
        "R1",
        "No critical auth bypasses",
        &["auth.required", "isolation.objects"],
    ),
    (
        "R2",
        "No exposed secrets in code, logs or bundles",
        &["secrets.repo", "secrets.client", "secrets.logs"],
    ),
    (
        "R3",
        "p95 under 500 ms with a fallback",
        &["perf.latency", "perf.timeouts"],
    ),
    (
        "R4",
        "DNS, SSL, email auth, deployment and monitoring set up",
        &[
            "edge.tls",
            "edge.https_redirect",
            "email.auth",
            "deploy.rollback",
            "monitoring.alerts",
        ],
    ),
    (
        "I",
        "US/UK/EU: no avoidable risk to accounts, orders, refunds, personal data",
        &["ai.tool_scoping"],
    ),
];

const RED_FLAGS: &[Row] = &[
    ("F1", "One shared integration key", &["secrets.scoped_keys"]),
    ("F2", "Secrets scattered everywhere", &["secrets.inventory"]),
    (
        "F3",
        "Prompt-to-tool with no allowlist or approval",
        &["ai.tool_scoping", "ai.confirmation"],
    ),
    ("F4", "Deploys without rollback testing", &["deploy.rollback"]),
    ("F5", "A past incident", &["secrets.rotation"]),
];

/// DIY fixes: code, title, literal examples that must appear, thresholds used.
const DIY: &[(&str, &str, &[&str], &[&str])] = &[
    ("D1", "Rotate exposed secrets", &[], &[]),
    ("D2", "Basic Cloudflare protections", &["Full (strict)"], &[]),
    ("D3", "Lock down the email domain", &["p=none"], &["dmarc.min_policy"]),
    ("D4", "A /health endpoint", &["/health"], &["health.poll_interval"]),
    ("D5", "Audit prompts", &["ignore previous instructions"], &[]),
];

/// The failure -> deliverable -> hours table, in the seed's order, with an area each row covers.
const DELIVERABLES: &[(&str, [u32; 2], &str)] = &[
    ("Secrets exposed or poorly managed", [1, 8], "secrets"),
    ("Domain setup or redirects broken", [1, 12], "edge"),
    ("Bot traffic needs protection", [8, 20], "edge"),
    ("Emails in spam / missing receipts", [12, 24], "email"),
    ("No safe release path (garbled row)", [20, 40], "monitoring"),
    ("Founder needs something shippable", [40, 48], "handover"),
];

#[test]
fn header_matches_the_seed() {
    let v = vertical(VERTICAL);
    assert_header(v, VERTICAL, "founder-led ecommerce", "production traffic");
    assert_contains_all(
        "I US/UK/EU note",
        "the summary",
        &v.summary,
        &["US", "UK", "EU", "refund"],
    );
}

#[test]
fn every_scorecard_row_has_its_items() {
    assert_rows_cited(vertical(VERTICAL), SCORECARD);
}

#[test]
fn every_first_check_has_its_items() {
    assert_rows_cited(vertical(VERTICAL), FIRST_CHECKS);
}

#[test]
fn every_ready_condition_is_present() {
    let v = vertical(VERTICAL);
    assert_entry_rows(v, &v.ready, READY);
}

#[test]
fn edge_items_are_included_although_the_scorecard_has_no_ssl_row() {
    let v = vertical(VERTICAL);
    assert_cites(
        v,
        "R4 DNS and SSL set up",
        "R4",
        &["edge.tls", "edge.https_redirect", "edge.dns_hygiene"],
    );
    assert_cites(
        v,
        "D2 Cloudflare SSL mode",
        "D2",
        &["edge.cloudflare_strict", "edge.cdn"],
    );
    assert!(
        note_cites(v, "R4", ""),
        "R4: a note must record that the scorecard has no SSL/DNS row"
    );
    for id in ["edge.tls", "edge.https_redirect", "edge.cdn", "edge.private_cache"] {
        assert!(
            matches!(item(v, id, "R4 edge").area, Area::Edge),
            "R4: item {id} must be in the edge area"
        );
    }
}

#[test]
fn red_flags_are_present() {
    let v = vertical(VERTICAL);
    assert_entries_exactly(v, &v.red_flags, "F1-F5", RED_FLAGS);
    assert_rows_cited(v, RED_FLAGS);
    let escalation = v.escalation.as_deref().map(lower).unwrap_or_default();
    assert!(
        escalation.contains("several"),
        "M: escalation must say that several red flags at once stop the DIY work"
    );
}

#[test]
fn diy_fixes_carry_their_settings() {
    let v = vertical(VERTICAL);
    assert_entry_count(&v.diy, "D1-D5", DIY.len());
    for (code, title, examples, thresholds) in DIY {
        let row = format!("{code} {title}");
        let diy = entry(&v.diy, &row, code);
        for example in *examples {
            let wanted = lower(example);
            assert!(
                diy.examples.iter().any(|e| lower(e).contains(&wanted)),
                "{row}: examples must contain {example:?} (have {:?})",
                diy.examples
            );
        }
        assert_diy_thresholds(v, diy, &row, thresholds);
    }
    // D2 must name the SSL mode item, D4 the health item.
    assert_entry_lists(
        v,
        &v.diy,
        "D2 Basic Cloudflare protections",
        "D2",
        &["edge.cloudflare_strict"],
    );
    assert_entry_lists(v, &v.diy, "D4 A /health endpoint", "D4", &["monitoring.health"]);
}

#[test]
fn thresholds_match_the_seed() {
    let v = vertical(VERTICAL);
    assert_duration(v, "R3 p95 under 500 ms", "latency.p95", Unit::Ms, 500.0, 500.0);
    assert_duration(
        v,
        "D4 health endpoint polled every minute",
        "health.poll_interval",
        Unit::Minutes,
        1.0,
        60_000.0,
    );
    assert_eq!(
        dmarc_policy(v, "D3 Lock down the email domain"),
        "none",
        "D3: p=none accepted while testing"
    );
    // The seed gives no alert delay and no rate-limit numbers.
    assert_no_thresholds(
        v,
        "seed 001 states no number",
        &["alert.within", "ratelimit.chat", "ratelimit.login"],
    );
}

#[test]
fn item_texts_carry_the_seed_specifics() {
    let v = vertical(VERTICAL);

    // S4/C4: validation covers tool arguments and webhook payloads.
    assert_pass_mentions(
        v,
        "S4/C4 Input validation",
        "input.validation",
        &["tool argument", "webhook"],
    );
    // S5: the pass criterion is a limit per user; C5: the fix throttles per IP and per account.
    assert_pass_mentions(v, "S5 Rate limiting", "abuse.rate_limit", &["per user"]);
    assert_mentions(
        "C5 Rate limits against abuse",
        "the fix of abuse.rate_limit",
        &item(v, "abuse.rate_limit", "C5 Rate limits against abuse").fix,
        &["ip", "account"],
    );
    assert_pass_mentions(
        v,
        "C6 Monitoring journey",
        "monitoring.coverage",
        &["home page", "health", "chat", "login", "email", "deploy"],
    );
    assert_pass_mentions(
        v,
        "C6 Alert triggers",
        "monitoring.triggers",
        &["5xx", "login", "queue", "smtp", "token"],
    );
    // S10: one-click rollback or a restore path.
    assert_pass_mentions(v, "S10 Deployment rollback ready", "deploy.rollback", &["one-click"]);
}

#[test]
fn severities_follow_the_seed() {
    let v = vertical(VERTICAL);
    assert_blockers(
        v,
        &[
            ("C1 release blocker: private data without a session", "auth.required"),
            (
                "C1 release blocker: wrong tenant or forged user id",
                "isolation.objects",
            ),
            ("R2 no exposed secrets in code", "secrets.repo"),
            ("R2 no exposed secrets in client bundles", "secrets.client"),
            ("R2 no exposed secrets in logs", "secrets.logs"),
            (
                "S2/I one bad tool call means refunds and chargebacks",
                "ai.tool_scoping",
            ),
        ],
    );
    assert_at_least_high(
        v,
        &[
            ("R3 p95 under 500 ms", "perf.latency"),
            ("R3 fallback when third-party tools are slow", "perf.timeouts"),
            ("R4 SSL set up", "edge.tls"),
            ("R4 email authentication", "email.auth"),
            ("R4 monitoring", "monitoring.alerts"),
            ("R4 deployment / S10 rollback", "deploy.rollback"),
            ("F3 risky actions need approval", "ai.confirmation"),
        ],
    );
    // Cloudflare is a DIY fix and a deliverable here, not a ready condition.
    assert!(
        !matches!(item(v, "edge.cdn", "D2 Cloudflare").severity, Severity::Blocker),
        "D2: edge.cdn must not block the launch in this vertical"
    );
    assert!(v.pause_rule.is_some(), "C1: the release-blocker rule is the pause rule");
}

#[test]
fn deliverables_are_the_table_rows() {
    let v = vertical(VERTICAL);
    assert_eq!(
        v.deliverables.len(),
        DELIVERABLES.len(),
        "M: one deliverable per row of the failure -> deliverable -> hours table"
    );
    for (n, ((row, hours, area), d)) in DELIVERABLES.iter().zip(&v.deliverables).enumerate() {
        let row = format!("M row {} {row}", n + 1);
        assert_eq!(d.hours, Some(*hours), "{row}: hours");
        assert!(
            d.areas.iter().any(|a| a.id() == *area),
            "{row}: deliverable {} must cover {area}",
            d.id
        );
        assert!(
            d.fixes.as_deref().is_some_and(|f| !f.is_empty()),
            "{row}: deliverable {} must say what failure it fixes",
            d.id
        );
    }
    let fifth = &v.deliverables[4];
    assert!(
        fifth.areas.contains(&Area::Deployment),
        "M row 5: production deployment is part of the garbled row's deliverable"
    );
    assert!(
        notes_mention(v, "fifth row"),
        "M row 5: a note must record how the garbled fifth row was read"
    );
}

#[test]
fn phases_follow_the_hour_ranges() {
    let v = vertical(VERTICAL);
    let expected: Vec<[u32; 2]> = DELIVERABLES.iter().map(|(_, h, _)| *h).collect();
    let got: Vec<Option<[u32; 2]>> = v.phases.iter().map(|p| p.hours).collect();
    assert_eq!(
        got,
        expected.iter().copied().map(Some).collect::<Vec<_>>(),
        "T: one phase per table row, ordered by start hour, with the table's hour ranges"
    );
    for pair in v.phases.windows(2) {
        let (a, b) = (pair[0].hours.unwrap(), pair[1].hours.unwrap());
        assert!(a <= b, "T: phases {} and {} are out of order", pair[0].id, pair[1].id);
    }
    for (row, hours, area) in DELIVERABLES {
        assert!(
            v.phases
                .iter()
                .any(|p| p.hours == Some(*hours) && p.areas.iter().any(|a| a.id() == *area)),
            "T: the phase for {row} ({hours:?}) must schedule the {area} area"
        );
    }
    assert!(
        note_cites(v, "T", ""),
        "T: a note must record how the phases were derived from the overlapping ranges"
    );
    // The blockers the table does not schedule still land in the first phase.
    let first = &v.phases[0];
    for area in [Area::Auth, Area::DataIsolation, Area::AiSafety] {
        assert!(
            first.areas.contains(&area),
            "T: the first phase must schedule {}",
            area.id()
        );
    }
}

/// Items whose work the hours table places in a given row: (row, item, hours of that row).
const SCHEDULED: &[(&str, &str, [u32; 2])] = &[
    ("M row 1 secrets", "secrets.repo", [1, 8]),
    ("M row 1 secrets", "secrets.rotation", [1, 8]),
    ("M row 2 DNS, redirects, SSL", "edge.tls", [1, 12]),
    ("M row 2 DNS, redirects, SSL", "edge.https_redirect", [1, 12]),
    ("M row 2 DNS, redirects, SSL", "edge.dns_hygiene", [1, 12]),
    ("M row 3 Cloudflare, caching, DDoS, WAF", "edge.cdn", [8, 20]),
    ("M row 3 Cloudflare, caching, DDoS, WAF", "edge.private_cache", [8, 20]),
    ("M row 4 SPF/DKIM/DMARC", "email.auth", [12, 24]),
    (
        "M row 5 deployment + monitoring + alerting",
        "deploy.rollback",
        [20, 40],
    ),
    (
        "M row 5 deployment + monitoring + alerting",
        "monitoring.alerts",
        [20, 40],
    ),
    ("M row 6 handover checklist", "handover.document", [40, 48]),
];

#[test]
fn items_land_in_the_rows_the_seed_gives_them() {
    let v = vertical(VERTICAL);
    for (row, id, hours) in SCHEDULED {
        let it = item(v, id, row);
        let phase = v
            .phase(&it.phase)
            .unwrap_or_else(|| panic!("{row}: item {id} names unknown phase {}", it.phase));
        assert_eq!(
            phase.hours,
            Some(*hours),
            "{row}: item {id} must be scheduled in hours {hours:?}"
        );
        let deliverable = it
            .deliverable
            .as_deref()
            .and_then(|d| v.deliverable(d))
            .unwrap_or_else(|| panic!("{row}: item {id} must map to a deliverable"));
        assert_eq!(
            deliverable.hours,
            Some(*hours),
            "{row}: item {id} must map to the deliverable of hours {hours:?}"
        );
    }
}
