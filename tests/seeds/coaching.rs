// Seed coverage for the `coaching` vertical (seed 003: coach and consultant businesses, ready for a
// security review). The tables below were written from the seed, independently of the TOML file:
// each row names where the fact sits in the seed and the checklist entries that must carry it.

use launchready::checklist::{Area, Severity, Unit};

use crate::support::*;

const VERTICAL: &str = "coaching";

/// Quick Scorecard rows, in the seed's order.
const SCORECARD: &[Row] = &[
    ("S1", "Auth enforced on every API route", &["auth.required"]),
    ("S2", "Object-level authorization", &["isolation.objects"]),
    (
        "S3",
        "Secrets removed from frontend",
        &["secrets.client", "secrets.repo"],
    ),
    ("S4", "Input validation on all chat endpoints", &["input.validation"]),
    ("S5", "Rate limits enabled", &["abuse.rate_limit"]),
    ("S6", "CORS locked down", &["browser.cors"]),
    ("S7", "SSL everywhere", &["edge.tls", "edge.https_redirect"]),
    ("S8", "Email auth passes", &["email.auth"]),
    ("S9", "Monitoring active", &["monitoring.alerts"]),
    (
        "S10",
        "Deployment is reproducible",
        &["deploy.reproducible", "deploy.rollback"],
    ),
];

/// The checks to run first, C1..C6.
const FIRST_CHECKS: &[Row] = &[
    ("C1", "Auth boundary check", &["auth.required"]),
    (
        "C2",
        "Object-level access check",
        &["isolation.objects", "isolation.roles"],
    ),
    (
        "C3",
        "Secret exposure check",
        &["secrets.repo", "secrets.client", "secrets.logs", "secrets.rotation"],
    ),
    (
        "C4",
        "Prompt injection and tool abuse",
        &["ai.prompt_injection", "ai.tool_scoping", "ai.confirmation"],
    ),
    (
        "C5",
        "Rate limiting and abuse control",
        &["abuse.rate_limit", "abuse.login_limit", "abuse.email_limit"],
    ),
    (
        "C6",
        "Logging and monitoring check",
        &[
            "logging.security_events",
            "logging.request_ids",
            "logging.redaction",
            "monitoring.triggers",
        ],
    ),
];

/// What "ready" means, R1..R7, and the isolation self-test of the intro.
const READY: &[Row] = &[
    (
        "R1",
        "no exposed secrets in code, logs, bundles",
        &["secrets.repo", "secrets.client", "secrets.logs"],
    ),
    (
        "R2",
        "users reach only their own chats, files, billing, admin",
        &["isolation.objects"],
    ),
    (
        "R3",
        "broken tokens, missing scopes, replays, unsafe input refused",
        &["auth.replay", "input.validation"],
    ),
    ("R4", "SPF, DKIM and DMARC passing", &["email.auth"]),
    (
        "R5",
        "behind Cloudflare with SSL on every route",
        &["edge.cdn", "edge.tls"],
    ),
    (
        "R6",
        "monitoring for uptime, errors, suspicious traffic",
        &["monitoring.alerts", "monitoring.triggers"],
    ),
    (
        "R7",
        "handover lets the founder explain the system",
        &["handover.document"],
    ),
    (
        "I",
        "self-test: prove isolation within 5 minutes",
        &["isolation.objects"],
    ),
];

/// Red flags F1..F5 and the items each one points at.
const RED_FLAGS: &[Row] = &[
    ("F1", "red flag", &["secrets.inventory", "secrets.rotation"]),
    ("F2", "red flag", &["ai.tool_scoping", "ai.confirmation"]),
    ("F3", "red flag", &["isolation.objects"]),
    ("F4", "red flag", &["auth.design"]),
    ("F5", "red flag", &["deploy.reproducible"]),
];

/// Do-it-yourself fixes: code, title, items helped, examples that must be given.
const DIY: &[(&str, &str, &[&str], &[&str])] = &[
    (
        "D1",
        "Cloudflare now",
        &["edge.cdn", "edge.cloudflare_strict"],
        &["Full (strict)"],
    ),
    ("D2", "rotate obvious secrets", &["secrets.rotation"], &[]),
    (
        "D3",
        "lock down email sending",
        &["email.auth"],
        &["SPF: PASS DKIM: PASS DMARC: PASS"],
    ),
    (
        "D4",
        "basic auth tests",
        &["auth.required", "input.validation"],
        &[
            "missing token",
            "expired token",
            "wrong-user token",
            "malformed payload",
            "oversized payload",
        ],
    ),
    ("D5", "rate-limit the chatbot endpoint", &["abuse.rate_limit"], &[]),
];

#[test]
fn header_matches_the_seed() {
    let v = vertical(VERTICAL);
    assert_header(v, VERTICAL, "coach and consultant businesses", "security review");
    assert!(
        v.summary.contains('5') && lower(&v.summary).contains("minute"),
        "I: summary must carry the 5-minute self-test"
    );
    assert!(
        v.escalation.as_deref().is_some_and(|e| lower(e).contains("two")),
        "M: escalation rule (more than two failed places)"
    );
}

#[test]
fn quick_scorecard_rows_are_carried() {
    assert_rows_cited(vertical(VERTICAL), SCORECARD);
}

#[test]
fn checks_to_run_first_are_carried() {
    assert_rows_cited(vertical(VERTICAL), FIRST_CHECKS);
}

#[test]
fn ready_conditions_are_present() {
    let v = vertical(VERTICAL);
    assert_entry_rows(v, &v.ready, READY);
    assert_rows_cited(v, READY);
}

#[test]
fn red_flags_and_diy_fixes_are_present() {
    let v = vertical(VERTICAL);
    assert_entry_rows(v, &v.red_flags, RED_FLAGS);
    assert_rows_cited(v, RED_FLAGS);

    for (code, title, ids, examples) in DIY {
        let row = format!("{code} {title}");
        let fix = assert_entry_lists(v, &v.diy, &row, code, ids);
        assert_cites(v, &row, code, ids);
        for ex in *examples {
            assert!(
                fix.examples.iter().any(|e| e.contains(ex)),
                "{row}: diy {} must give the example `{ex}` (has {:?})",
                fix.id,
                fix.examples
            );
        }
    }
    assert_eq!(
        entry(&v.diy, "D4 basic auth tests", "D4").examples.len(),
        5,
        "D4: exactly the five basic auth test cases"
    );
}

#[test]
fn thresholds_match_the_seed() {
    let v = vertical(VERTICAL);

    let proof = assert_duration(
        v,
        "I self-test within 5 minutes",
        "isolation.proof_within",
        Unit::Minutes,
        5.0,
        300_000.0,
    );
    assert_eq!(
        proof.source.as_deref(),
        Some("I"),
        "I: isolation.proof_within must cite I"
    );

    let esc = assert_threshold(
        v,
        "M more than two failed places",
        "escalation.max_failed_places",
        Unit::Count,
        2.0,
    );
    assert_eq!(esc.source.as_deref(), Some("M"), "M: escalation threshold must cite M");

    // The seed states no latency figure: the vertical leaves p95 out and says so.
    assert_no_thresholds(v, "seed 003 has no p95 figure", &["latency.p95"]);
    assert!(
        v.item("perf.latency").is_none(),
        "seed 003 has no latency rule; perf.latency is left out"
    );
    assert!(
        notes_mention(v, "latency"),
        "a [[note]] must record why latency is left out"
    );

    // No rate-limit numbers in the seed (only dimensions IP / user / token): none invented.
    assert_no_thresholds(
        v,
        "C5 seed 003 gives no rate-limit numbers",
        &["ratelimit.login", "ratelimit.chat", "ratelimit.verification_resend"],
    );
    assert!(
        notes_mention(v, "rate-limit") || notes_mention(v, "ratelimit"),
        "C5: a [[note]] must record the missing numbers"
    );

    // The 5 minutes here is the isolation proof, not an alert deadline.
    assert_no_thresholds(v, "seed 003 sets no alert time", &["alert.within"]);

    // DMARC floor: the seed is silent, so a policy is chosen and noted.
    dmarc_policy(v, "D3 lock down email sending");
    assert!(
        notes_mention(v, "dmarc"),
        "D3: a [[note]] must record the DMARC policy choice"
    );
}

#[test]
fn timeline_and_deliverables_match_the_seed() {
    let v = vertical(VERTICAL);

    let want: [[u32; 2]; 4] = [[0, 12], [12, 24], [24, 36], [36, 48]];
    assert_eq!(v.phases.len(), want.len(), "T: four blocks of 12 hours");
    for (phase, hours) in v.phases.iter().zip(want) {
        assert_eq!(
            phase.hours,
            Some(hours),
            "T: phase {} must run hours {}-{}",
            phase.id,
            hours[0],
            hours[1]
        );
        assert_eq!(phase.source.as_deref(), Some("T"), "T: phase {} must cite T", phase.id);
    }
    assert!(
        v.phases.last().is_some_and(|p| p.areas.contains(&Area::Handover)),
        "T: handover comes last (36-48)"
    );
    assert!(notes_mention(v, "48"), "T: a [[note]] must record the 48-hour delivery");

    let deliverables: &[(&str, Area)] = &[
        ("domain setup (DNS, redirects, subdomains, routing)", Area::Edge),
        ("email security (SPF, DKIM, DMARC)", Area::Email),
        ("Cloudflare hardening (SSL, caching, DDoS)", Area::Edge),
        ("production deployment (env vars handled safely)", Area::Deployment),
        ("secret handling (keys removed, server-side)", Area::Secrets),
        ("monitoring (uptime checks and alerting)", Area::Monitoring),
    ];
    assert_eq!(v.deliverables.len(), deliverables.len(), "L: six deliverable areas");
    for (d, (row, area)) in v.deliverables.iter().zip(deliverables) {
        assert!(
            d.areas.contains(area),
            "L {row}: deliverable {} must cover area {}",
            d.id,
            area.id()
        );
        assert_eq!(
            d.source.as_deref(),
            Some("L"),
            "L {row}: deliverable {} must cite L",
            d.id
        );
        assert!(
            d.outcome.is_some() || d.fixes.is_some(),
            "L {row}: deliverable {} must say what it covers",
            d.id
        );
    }
    // Cloudflare items map to the Cloudflare deliverable, not to domain setup.
    for id in ["edge.cdn", "edge.cloudflare_strict", "edge.tls"] {
        assert_eq!(
            item(v, id, "L Cloudflare hardening").deliverable.as_deref(),
            Some(v.deliverables[2].id.as_str()),
            "L: {id} belongs to Cloudflare hardening"
        );
    }
}

#[test]
fn severities_the_seed_implies() {
    let v = vertical(VERTICAL);
    assert_blockers(
        v,
        &[
            ("S1/C1 an auth bypass exposes client chats", "auth.required"),
            (
                "S2/C2 cross-account access is serious broken access control",
                "isolation.objects",
            ),
            ("C3 any secret in the browser is already compromised", "secrets.client"),
            ("S3 no keys in public repos", "secrets.repo"),
        ],
    );
    for (row, id) in [
        ("R3 replayed requests refused is a ready condition", "auth.replay"),
        ("R5 behind Cloudflare is a ready condition", "edge.cdn"),
        ("R7 handover is a ready condition", "handover.document"),
        (
            "R6 suspicious-traffic alerts are a ready condition",
            "monitoring.triggers",
        ),
    ] {
        assert_severity(v, row, id, Severity::High);
    }
}

#[test]
fn overrides_carry_the_seed_specifics() {
    let v = vertical(VERTICAL);
    for (row, id, words) in [
        ("S4 invalid payloads get a 4xx", "input.validation", &["4xx"][..]),
        (
            "S5/C5 limits per IP, user and token on the named routes",
            "abuse.rate_limit",
            &[
                "ip",
                "user",
                "token",
                "login",
                "chat",
                "file upload",
                "password reset",
                "webhook",
            ],
        ),
        ("S7 SSL on every domain and subdomain", "edge.tls", &["subdomain"]),
        (
            "S7/D1 HTTPS redirects on every subdomain",
            "edge.https_redirect",
            &["subdomain"],
        ),
        (
            "C2 filter by user_id and resource id",
            "isolation.objects",
            &["user_id"],
        ),
        (
            "C6 alerts on 401/403/500 spikes",
            "monitoring.triggers",
            &["401", "403", "500", "suspicious"],
        ),
        (
            "R7 founder explains the system to a reviewer",
            "handover.document",
            &["reviewer"],
        ),
        (
            "stray line: target result of a real-message test",
            "email.delivery",
            &["SPF: PASS DKIM: PASS DMARC: PASS"],
        ),
    ] {
        assert_item_mentions(v, row, id, words);
    }
}
