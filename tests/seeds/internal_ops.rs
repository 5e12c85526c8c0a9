// Seed coverage for `internal-ops` (seed 002: internal operations tools, ready for production
// traffic). The tables below are written from the seed's structure, not generated from the
// checklist file: each row names a seed location and the item ids that must carry it.

use launchready::checklist::{Area, Severity, Unit};

use crate::support::*;

const VERTICAL: &str = "internal-ops";

/// Quick Scorecard rows, in the seed's order: (code, row label, items that carry it).
const SCORECARD: &[Row] = &[
    ("S1", "Auth on every endpoint", &["auth.required"]),
    ("S2", "Authorization by role", &["isolation.roles", "isolation.objects"]),
    (
        "S3",
        "Secrets handling",
        &["secrets.repo", "secrets.client", "secrets.logs"],
    ),
    ("S4", "Input validation", &["input.validation"]),
    (
        "S5",
        "Prompt injection defense",
        &["ai.prompt_injection", "ai.tool_scoping"],
    ),
    ("S6", "Rate limiting", &["abuse.rate_limit"]),
    ("S7", "Logging hygiene", &["logging.redaction"]),
    ("S8", "CORS and CSRF config", &["browser.cors", "browser.csrf"]),
    ("S9", "Monitoring live", &["monitoring.alerts"]),
    (
        "S10",
        "Email/domain setup",
        &["email.auth", "edge.dns_hygiene", "edge.tls"],
    ),
];

/// The checks to run first.
const FIRST_CHECKS: &[Row] = &[
    (
        "C1",
        "unauthenticated access",
        &["auth.required", "auth.webhook_signature"],
    ),
    (
        "C2",
        "authorization per object",
        &["isolation.objects", "isolation.roles"],
    ),
    (
        "C3",
        "secrets really secret",
        &[
            "secrets.repo",
            "secrets.client",
            "secrets.rotation",
            "secrets.inventory",
        ],
    ),
    (
        "C4",
        "prompt injection and tool use",
        &["ai.prompt_injection", "ai.tool_scoping", "ai.confirmation"],
    ),
    (
        "C5",
        "rate limits for cost and availability",
        &["abuse.rate_limit", "perf.latency", "perf.timeouts"],
    ),
    (
        "C6",
        "observability",
        &[
            "logging.request_ids",
            "logging.redaction",
            "monitoring.coverage",
            "monitoring.triggers",
        ],
    ),
];

/// "What ready means": (code, label, items the [[ready]] entry must name).
const READY: &[Row] = &[
    ("R1", "no critical auth bypass", &["auth.required"]),
    (
        "R2",
        "zero exposed secrets",
        &["secrets.repo", "secrets.client", "secrets.logs"],
    ),
    ("R3", "RBAC on every chat action and tool call", &["isolation.roles"]),
    ("R4", "prompt injection cannot leak or act", &["ai.prompt_injection"]),
    ("R5", "p95 latency", &["perf.latency", "perf.timeouts"]),
    ("R6", "SPF, DKIM and DMARC pass", &["email.auth"]),
    (
        "R7",
        "Cloudflare, SSL, redirects, monitoring live",
        &["edge.cdn", "edge.tls", "edge.https_redirect", "monitoring.alerts"],
    ),
    (
        "R8",
        "rollback path and handover checklist",
        &["deploy.rollback", "handover.document"],
    ),
];

/// Red flags: (code, label, the items the flag must point at).
const RED_FLAGS: &[Row] = &[
    ("F1", "shared admin key", &["secrets.scoped_keys"]),
    ("F2", "side effects without confirmation", &["ai.confirmation"]),
    ("F3", "sensitive data to third-party models", &["ai.data_policy"]),
    ("F4", "nobody knows who can access what", &["isolation.roles"]),
    ("F5", "no rollback plan", &["deploy.rollback"]),
];

/// Do-it-yourself fixes: (code, label, the items the fix must point at).
const DIY: &[Row] = &[
    ("D1", "rotate obvious secrets", &["secrets.rotation"]),
    ("D2", "Cloudflare proxying", &["edge.cdn"]),
    ("D3", "verify SPF, DKIM and DMARC", &["email.auth"]),
    ("D4", "no private keys in the client", &["secrets.client"]),
    ("D5", "request logging with redaction", &["logging.redaction"]),
];

/// The failure -> fix -> outcome table: (deliverable id, failure area label).
const DELIVERABLES: &[(&str, &str)] = &[
    (
        "domain-routing",
        "DNS misconfigurations / bad redirects / broken subdomains",
    ),
    (
        "edge-protection",
        "weak edge protection / no caching / no DDoS coverage",
    ),
    ("email-deliverability", "email deliverability issues"),
    ("secrets-cleanup", "secret sprawl / unsafe env handling"),
    ("deploy-discipline", "missing production deployment discipline"),
    ("monitoring-handoff", "no monitoring / blind spots after launch"),
];

/// Phases chosen for the empty "Delivery Map", in order, with hours.
const PHASES: &[(&str, [u32; 2])] = &[
    ("audit", [0, 8]),
    ("lock-down", [8, 24]),
    ("edge", [24, 32]),
    ("email", [32, 40]),
    ("monitoring-handover", [40, 48]),
];

#[test]
fn header_matches_seed() {
    let v = vertical(VERTICAL);
    assert_header(v, VERTICAL, "internal operations tools", "production traffic");
    assert!(!v.summary.trim().is_empty(), "I: the summary is empty");
    let rule = v.pause_rule.as_deref().unwrap_or("");
    assert!(
        rule.contains("same time"),
        "I: the closing rule (everything passes at the same time) must be in pause_rule"
    );
    assert!(v.escalation.is_some(), "F/M: escalation text is missing");
}

#[test]
fn every_scorecard_row_is_carried() {
    assert_eq!(SCORECARD.len(), 10, "the seed's scorecard has 10 rows");
    assert_rows_cited(vertical(VERTICAL), SCORECARD);
}

#[test]
fn every_first_check_is_carried() {
    assert_rows_cited(vertical(VERTICAL), FIRST_CHECKS);
}

#[test]
fn every_ready_condition_is_present() {
    let v = vertical(VERTICAL);
    assert_entries_exactly(v, &v.ready, "R1-R8", READY);
}

#[test]
fn every_red_flag_is_present() {
    let v = vertical(VERTICAL);
    assert_entry_rows(v, &v.red_flags, RED_FLAGS);
}

#[test]
fn every_diy_fix_is_present() {
    let v = vertical(VERTICAL);
    assert_entry_rows(v, &v.diy, DIY);
    // C3's example of reading a key on the server only, carried as the D4 example.
    let d4 = entry(&v.diy, "D4 no private keys in the client", "D4");
    assert!(
        d4.examples
            .iter()
            .any(|e| e.contains("process.env.OPENAI_API_KEY") && e.contains("throw")),
        "D4 no private keys in the client: the server-side env example must be in examples"
    );
    // D5's log fields.
    let row = "D5 request logging with redaction";
    assert_contains_all(
        row,
        "the fix",
        &entry(&v.diy, row, "D5").text,
        &["route", "status", "user id", "request id", "duration", "Authorization"],
    );
}

#[test]
fn thresholds_match_seed() {
    let v = vertical(VERTICAL);

    assert_duration(
        v,
        "R5 p95 for normal chat requests is 500 ms",
        "latency.p95",
        Unit::Ms,
        500.0,
        500.0,
    );

    let row = "R5 model-bound p95 is 1.5 s";
    let model = assert_duration(v, row, "latency.p95_model_bound", Unit::S, 1.5, 1_500.0);
    // The 1.5 s ceiling applies only with timeouts and retries.
    assert_contains_all(row, "the threshold", &model.text, &["timeouts", "retries"]);

    assert_threshold(
        v,
        "C6 auth-failure alert at 5 % above normal",
        "alert.auth_failure_above_baseline",
        Unit::Percent,
        5.0,
    );
    assert!(
        note_cites(v, "C6", ""),
        "C6: the garbled alert sentence must be recorded in a [[note]]"
    );

    assert_duration(
        v,
        "F5 rollback in minutes, not hours (under 60 minutes)",
        "rollback.within",
        Unit::Minutes,
        60.0,
        3_600_000.0,
    );

    dmarc_policy(v, "R6 SPF, DKIM and DMARC pass");

    // The seed gives no rate-limit numbers and no alert time.
    assert_no_thresholds(
        v,
        "S6/C6 no numbers in the seed",
        &[
            "ratelimit.login",
            "ratelimit.chat",
            "ratelimit.verification_resend",
            "alert.within",
        ],
    );
}

#[test]
fn phases_follow_the_product_order_and_the_choice_is_noted() {
    let v = vertical(VERTICAL);
    let got: Vec<(&str, Option<[u32; 2]>)> = v.phases.iter().map(|p| (p.id.as_str(), p.hours)).collect();
    let want: Vec<(&str, Option<[u32; 2]>)> = PHASES.iter().map(|(id, h)| (*id, Some(*h))).collect();
    assert_eq!(
        got, want,
        "T: phases audit -> lock down -> edge -> email -> monitoring and handover"
    );
    assert!(
        note_cites(v, "T", "48"),
        "T: the seed's Delivery Map is empty; a [[note]] must record the chosen phases and hours"
    );
    // Every area used by an item is scheduled.
    for item in &v.items {
        assert!(v.phase(&item.phase).is_some(), "T: item {} has no phase", item.id);
    }
    assert_eq!(v.item("logging.redaction").map(|i| i.phase.as_str()), Some("lock-down"));
}

#[test]
fn deliverables_are_the_failure_map() {
    let v = vertical(VERTICAL);
    assert_eq!(
        v.deliverables.len(),
        DELIVERABLES.len(),
        "M: the failure map has 6 rows"
    );
    for (id, label) in DELIVERABLES {
        let d = v
            .deliverable(id)
            .unwrap_or_else(|| panic!("M {label}: deliverable {id} missing"));
        assert_eq!(
            d.source.as_deref(),
            Some("M"),
            "M {label}: deliverable {id} must cite M"
        );
        assert!(
            d.fixes.is_some(),
            "M {label}: deliverable {id} needs the failure it fixes"
        );
        assert!(d.outcome.is_some(), "M {label}: deliverable {id} needs its outcome");
        assert!(
            d.hours.is_none(),
            "M {label}: the seed gives no hours for deliverable {id}"
        );
    }
    let mapped = |item: &str| v.item(item).and_then(|i| i.deliverable.clone());
    assert_eq!(mapped("edge.dns_hygiene").as_deref(), Some("domain-routing"));
    assert_eq!(mapped("edge.cdn").as_deref(), Some("edge-protection"));
    assert_eq!(mapped("email.auth").as_deref(), Some("email-deliverability"));
    assert_eq!(mapped("secrets.repo").as_deref(), Some("secrets-cleanup"));
    assert_eq!(mapped("deploy.rollback").as_deref(), Some("deploy-discipline"));
    assert_eq!(mapped("monitoring.alerts").as_deref(), Some("monitoring-handoff"));
    let monitoring = v.deliverable("monitoring-handoff").expect("monitoring-handoff");
    assert!(monitoring.areas.contains(&Area::Monitoring));
}

#[test]
fn severity_facts_from_the_seed() {
    let v = vertical(VERTICAL);
    assert_blockers(
        v,
        &[
            // C1: a route answering without identity is a launch blocker.
            ("C1 an auth bypass", "auth.required"),
            // R3: RBAC on every chat action and tool call is a release condition here.
            ("R3 role checks on every chat action and tool call", "isolation.roles"),
            ("C2 another team's records", "isolation.objects"),
            // R2: zero exposed secrets.
            ("R2 keys in the repo", "secrets.repo"),
            ("R2 keys in the bundle", "secrets.client"),
        ],
    );
    // Every other ready condition must be met before launch: at least high.
    for (code, label, ids) in READY {
        for id in *ids {
            assert_high_or_blocker(v, &format!("{code} {label} (a ready condition)"), id);
        }
    }
    assert_severity(
        v,
        "R4 prompt injection must be fixed before launch",
        "ai.prompt_injection",
        Severity::High,
    );
}

#[test]
fn overrides_carry_the_seed_specifics() {
    let v = vertical(VERTICAL);
    let text = |id: &str| {
        let i = item(v, id, "overrides");
        format!(
            "{} {} {}",
            i.emphasis.as_deref().unwrap_or(""),
            i.fix,
            i.method.as_deref().unwrap_or("")
        )
    };
    assert_contains_all(
        "C1 webhooks and job callbacks",
        "auth.required",
        &text("auth.required"),
        &["webhook", "background-job"],
    );
    let row = "C2 two accounts with different roles, and list views checked first";
    let objects = text("isolation.objects");
    assert_contains_all(row, "isolation.objects", &objects, &["different roles"]);
    assert_mentions(row, "isolation.objects", &objects, &["list views"]);
    assert_contains_all(
        "R3 every chat action and tool call",
        "isolation.roles",
        &text("isolation.roles"),
        &["chat action", "tool call"],
    );
    assert_contains_all(
        "C3 history and JSON files",
        "secrets.repo",
        &text("secrets.repo"),
        &["history", "service-account JSON"],
    );
    assert_contains_all(
        "D5 logging",
        "the redaction item logging.redaction",
        &text("logging.redaction"),
        &[
            "route",
            "status",
            "user id",
            "request id",
            "duration",
            "tokens",
            "passwords",
        ],
    );
    assert_contains_all(
        "R4 prompt injection is a ready condition",
        "ai.prompt_injection",
        &text("ai.prompt_injection"),
        &["ready condition"],
    );
}
