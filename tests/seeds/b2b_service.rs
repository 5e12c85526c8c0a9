// Seed coverage for the `b2b-service` vertical (B2B service businesses, ready for production
// traffic). The tables below follow the seed's structure (what "ready" means, the quick scorecard,
// the checks to run first, red flags, do-it-yourself fixes, deliverables and the ordered timeline),
// so a row that goes missing from the checklist file fails here.

use launchready::checklist::{Area, Severity, Unit};

use crate::support::*;

const VERTICAL: &str = "b2b-service";

/// Quick Scorecard rows, in the seed's order.
const SCORECARD: &[Row] = &[
    ("S1", "Auth on API routes", &["auth.required"]),
    ("S2", "Tenant isolation", &["isolation.objects"]),
    ("S3", "Secret handling", &["secrets.repo", "secrets.client"]),
    ("S4", "Input validation", &["input.validation"]),
    ("S5", "Rate limiting", &["abuse.rate_limit", "abuse.login_limit"]),
    ("S6", "CORS policy", &["browser.cors"]),
    ("S7", "Logging hygiene", &["logging.redaction"]),
    (
        "S8",
        "SSL and DNS",
        &["edge.tls", "edge.https_redirect", "edge.dns_hygiene"],
    ),
    ("S9", "Monitoring alerts", &["monitoring.alerts"]),
    ("S10", "Email auth pass", &["email.auth"]),
];

/// The checks to run first, C1..C6.
const FIRST_CHECKS: &[Row] = &[
    (
        "C1",
        "Authentication on every sensitive endpoint",
        &["auth.required", "auth.webhook_signature"],
    ),
    (
        "C2",
        "Tenant isolation and object-level authorization",
        &["isolation.objects"],
    ),
    (
        "C3",
        "Secret exposure review",
        &["secrets.repo", "secrets.client", "secrets.logs", "secrets.rotation"],
    ),
    (
        "C4",
        "Rate limiting and abuse control",
        &["abuse.rate_limit", "abuse.login_limit"],
    ),
    (
        "C5",
        "Error handling and logging hygiene",
        &["input.error_leakage", "logging.redaction"],
    ),
    (
        "C6",
        "Deployment edge checks",
        &["edge.https_redirect", "edge.dns_hygiene", "edge.private_cache"],
    ),
];

/// What "ready" means, R1..R8, with the items that must decide each condition.
const READY: &[Row] = &[
    ("R1", "Auth on every sensitive endpoint", &["auth.required"]),
    ("R2", "Authorization scoped by tenant", &["isolation.objects"]),
    (
        "R3",
        "No exposed secrets",
        &["secrets.repo", "secrets.client", "secrets.logs"],
    ),
    (
        "R4",
        "Rate limits on chat, auth, webhook, upload",
        &["abuse.rate_limit"],
    ),
    ("R5", "p95 under 500 ms or a queue path", &["perf.latency"]),
    ("R6", "Errors leak nothing", &["input.error_leakage"]),
    (
        "R7",
        "Cloudflare, SSL, DNS, email, deployment, monitoring",
        &[
            "edge.cdn",
            "edge.tls",
            "email.auth",
            "deploy.reproducible",
            "monitoring.alerts",
        ],
    ),
    (
        "R8",
        "Rollback path and handover checklist",
        &["deploy.rollback", "handover.document"],
    ),
];

/// Red flags F1..F5 and the item each one is about.
const RED_FLAGS: &[Row] = &[
    ("F1", "Tenants without a hard isolation layer", &["isolation.objects"]),
    ("F2", "AI provider key used from the client", &["secrets.client"]),
    ("F3", "Unknown where prompts are logged", &["logging.redaction"]),
    ("F4", "Webhook verification missing", &["auth.webhook_signature"]),
    ("F5", "Launch before alerts", &["monitoring.alerts"]),
];

/// Do-it-yourself fixes D1..D5 and the items each one helps.
const DIY: &[Row] = &[
    ("D1", "Rotate every exposed secret", &["secrets.rotation"]),
    ("D2", "Basic rate limiting", &["abuse.login_limit", "abuse.rate_limit"]),
    (
        "D3",
        "Force HTTPS everywhere",
        &["edge.https_redirect", "browser.mixed_content"],
    ),
    ("D4", "Review logs for sensitive data", &["logging.redaction"]),
    ("D5", "Test email authentication records", &["email.auth"]),
];

/// The 14 deliverables, in the seed's order (id chosen by the checklist, title from the seed).
const DELIVERABLES: &[(&str, &str)] = &[
    ("domain-setup", "domain setup"),
    ("email-setup", "email setup"),
    ("cloudflare-config", "cloudflare configuration"),
    ("ssl-installation", "ssl installation"),
    ("dns-cleanup", "dns records cleanup"),
    ("redirects-subdomains", "redirects and subdomains"),
    ("caching-rules", "caching rules"),
    ("ddos-basics", "ddos protection basics"),
    ("spf-dkim-dmarc", "spf/dkim/dmarc setup"),
    ("production-deployment", "production deployment"),
    ("env-vars-review", "environment variables review"),
    ("secret-handling", "secret handling cleanup"),
    ("uptime-monitoring", "uptime monitoring setup"),
    ("handover-checklist", "handover checklist"),
];

/// The timeline's five ordered steps, with the areas whose failures each one must schedule.
const PHASES: &[(&str, &str, &[Area])] = &[
    ("audit", "T1 audit domain, deployment and secrets", &[Area::Secrets]),
    (
        "lock-down",
        "T2 lock down auth and environment variables",
        &[Area::Auth, Area::DataIsolation],
    ),
    ("edge", "T3 Cloudflare, SSL and redirects", &[Area::Edge]),
    ("email", "T4 email authentication records", &[Area::Email]),
    (
        "monitor-handover",
        "T5 monitoring and handover notes",
        &[Area::Monitoring, Area::Handover],
    ),
];

#[test]
fn header_names_the_vertical_and_goal() {
    let v = vertical(VERTICAL);
    assert_header(v, VERTICAL, "B2B service businesses", "production traffic");
    assert!(
        !v.summary.trim().is_empty(),
        "I: the summary of what ready means must not be empty"
    );
}

#[test]
fn every_scorecard_row_is_carried_by_items() {
    assert_rows_cited(vertical(VERTICAL), SCORECARD);
}

#[test]
fn every_first_check_is_carried_by_items() {
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
    assert_rows_cited(v, RED_FLAGS);
}

#[test]
fn every_diy_fix_is_present() {
    let v = vertical(VERTICAL);
    assert_entry_rows(v, &v.diy, DIY);
}

#[test]
fn d2_stopgap_is_a_per_ip_throttle_on_login_and_chat() {
    // A simple per-IP limit is the stopgap; login attempts and chat requests come first.
    assert_entry_mentions(
        &vertical(VERTICAL).diy,
        "D2 Basic rate limiting",
        "D2",
        &["ip", "login", "chat"],
    );
}

#[test]
fn d5_carries_the_spf_example_and_dkim_dmarc_caveat() {
    let v = vertical(VERTICAL);
    let row = "D5 Test email authentication records";
    let fix = entry(&v.diy, row, "D5");
    assert!(
        fix.examples.iter().any(|e| e == "v=spf1 include:_spf.google.com ~all"),
        "{row}: the example SPF record must be in `examples` (has {:?})",
        fix.examples
    );
    // SPF alone is not enough: DKIM signing and a DMARC policy must be mentioned.
    assert_entry_mentions(&v.diy, row, "D5", &["dkim", "dmarc"]);
}

#[test]
fn thresholds_match_the_seed() {
    let v = vertical(VERTICAL);
    assert_duration(
        v,
        "R5 p95 of normal chat requests under 500 ms",
        "latency.p95",
        Unit::Ms,
        500.0,
        500.0,
    );
    assert_duration(
        v,
        "S9 alerts active within 5 minutes",
        "alert.within",
        Unit::Minutes,
        5.0,
        300_000.0,
    );
    assert_threshold(
        v,
        "T a critical auth bypass may delay launch from 24 hours",
        "launch.pause_min",
        Unit::Hours,
        24.0,
    );
    assert_threshold(v, "T ... up to 72 hours", "launch.pause_max", Unit::Hours, 72.0);

    // D5 names no DMARC level: the checklist must choose a valid one and say so in a note.
    dmarc_policy(v, "D5 Test email authentication records");
    assert!(
        note_cites(v, "D5", "dmarc"),
        "D5: a note must record the DMARC level chosen where the seed names none"
    );

    // The seed gives no rate-limit numbers (R4, C4, D2): none may be invented.
    assert_no_thresholds(
        v,
        "R4/C4/D2 rate limits",
        &["ratelimit.login", "ratelimit.chat", "ratelimit.verification_resend"],
    );
    assert!(
        note_cites(v, "R4", ""),
        "R4: a note must say that the seed gives no rate-limit numbers"
    );
}

#[test]
fn rate_limits_are_per_ip_user_and_org_on_the_seed_routes() {
    assert_pass_mentions(
        vertical(VERTICAL),
        "R4/C4 Rate limiting",
        "abuse.rate_limit",
        &["ip", "user", "organisation", "webhook", "upload", "429"],
    );
}

#[test]
fn phases_follow_the_seed_order() {
    let v = vertical(VERTICAL);
    let ids: Vec<&str> = v.phases.iter().map(|p| p.id.as_str()).collect();
    let expected: Vec<&str> = PHASES.iter().map(|(id, _, _)| *id).collect();
    assert_eq!(ids, expected, "T: the five timeline steps in the seed's order");

    let mut previous_end = 0;
    for ((id, row, areas), phase) in PHASES.iter().zip(&v.phases) {
        assert_eq!(phase.source.as_deref(), Some("T"), "{row}: phase {id} must cite T");
        for area in *areas {
            assert!(
                phase.areas.contains(area),
                "{row}: phase {id} must schedule area {area:?}"
            );
        }
        let [from, to] = phase
            .hours
            .unwrap_or_else(|| panic!("{row}: phase {id} needs chosen hours"));
        assert_eq!(
            from, previous_end,
            "{row}: phase {id} must start where the last one ended"
        );
        assert!(to > from, "{row}: phase {id} hours must go forward");
        previous_end = to;
    }
    // The seed gives no hours: the choice must be recorded.
    assert!(
        note_cites(v, "T", "hour"),
        "T: a note must record the hour ranges chosen where the seed gives none"
    );
}

#[test]
fn failed_items_land_in_the_right_step() {
    let v = vertical(VERTICAL);
    for (id, phase) in [
        ("secrets.repo", "audit"),
        ("secrets.rotation", "audit"),
        ("auth.required", "lock-down"),
        ("isolation.objects", "lock-down"),
        ("secrets.inventory", "lock-down"),
        ("edge.cdn", "edge"),
        ("edge.https_redirect", "edge"),
        ("email.auth", "email"),
        ("monitoring.alerts", "monitor-handover"),
        ("handover.document", "monitor-handover"),
    ] {
        assert_eq!(
            item(v, id, "T").phase,
            phase,
            "T: a failed {id} is scheduled in {phase}"
        );
    }
}

#[test]
fn all_fourteen_deliverables_are_present() {
    let v = vertical(VERTICAL);
    assert_eq!(
        v.deliverables.len(),
        DELIVERABLES.len(),
        "L: the seed lists 14 deliverables"
    );
    for ((id, title), d) in DELIVERABLES.iter().zip(&v.deliverables) {
        assert_eq!(d.id, *id, "L {title}: deliverables in the seed's order");
        assert_eq!(lower(&d.title), *title, "L {title}: title of deliverable {id}");
        assert_eq!(
            d.source.as_deref(),
            Some("L"),
            "L {title}: deliverable {id} must cite L"
        );
        assert!(!d.areas.is_empty(), "L {title}: deliverable {id} needs areas");
    }
    for (id, deliverable) in [
        ("edge.cdn", "cloudflare-config"),
        ("edge.tls", "ssl-installation"),
        ("edge.dns_hygiene", "dns-cleanup"),
        ("edge.https_redirect", "redirects-subdomains"),
        ("edge.private_cache", "caching-rules"),
        ("email.auth", "spf-dkim-dmarc"),
        ("secrets.inventory", "env-vars-review"),
        ("secrets.repo", "secret-handling"),
        ("monitoring.alerts", "uptime-monitoring"),
        ("handover.document", "handover-checklist"),
    ] {
        assert_eq!(
            item(v, id, "L").deliverable.as_deref(),
            Some(deliverable),
            "L: {id} must map to deliverable {deliverable}"
        );
    }
}

#[test]
fn severities_follow_the_seed() {
    let v = vertical(VERTICAL);
    // T / M: a critical auth bypass pauses the launch; tenant leaks and exposed secrets end trust.
    assert_blockers(
        v,
        &[
            ("T pause rule: auth bypass", "auth.required"),
            ("F1 tenant isolation", "isolation.objects"),
            ("M exposed secrets", "secrets.repo"),
            ("F2 AI key in the client", "secrets.client"),
        ],
    );
    // R7 makes Cloudflare, DNS and deployment launch conditions; R8 the handover checklist.
    assert_at_least_high(
        v,
        &[
            ("R7 Cloudflare", "edge.cdn"),
            ("R7/S8 DNS", "edge.dns_hygiene"),
            ("R7 deployment", "deploy.reproducible"),
            ("R8 rollback", "deploy.rollback"),
            ("R8 handover", "handover.document"),
            ("S9 monitoring alerts", "monitoring.alerts"),
            ("S5 rate limiting", "abuse.rate_limit"),
            ("R6 error leakage", "input.error_leakage"),
        ],
    );
    // Items the seed does not mention may not be blockers or high.
    for it in &v.items {
        if it.source.is_empty() {
            assert!(
                matches!(it.severity, Severity::Medium | Severity::Low),
                "items without a seed source stay medium or low: {} is {:?}",
                it.id,
                it.severity
            );
        }
    }
}

#[test]
fn ai_safety_choice_is_recorded() {
    let v = vertical(VERTICAL);
    assert!(
        notes_mention(v, "prompt injection"),
        "the seed never mentions prompt injection: a note must record the choice"
    );
    for it in v.items.iter().filter(|i| i.area == Area::AiSafety) {
        assert!(
            it.source.is_empty(),
            "{}: the seed has no AI-safety source to cite",
            it.id
        );
    }
}
