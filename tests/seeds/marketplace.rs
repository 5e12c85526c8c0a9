// Seed coverage for the `marketplace` vertical (marketplace products, ready for customer
// onboarding). The tables below are written from the seed's structure (four minimum ready
// conditions, scorecard rows, first checks, red flags, do-it-yourself fixes, the failure ->
// deliverable map, the deliverables list, the 48-hour timeline and the seven after-fix
// conditions), not from the checklist file, so a row that goes missing from the checklist fails.

use launchready::checklist::{Area, Severity, Unit};

use crate::support::*;

const VERTICAL: &str = "marketplace";

/// Quick Scorecard rows, in the seed's order.
const SCORECARD: &[Row] = &[
    ("S1", "Authentication", &["auth.required"]),
    ("S2", "Authorization", &["isolation.objects"]),
    (
        "S3",
        "Secrets handling (frontend, repo history, logs, error traces)",
        &["secrets.repo", "secrets.client", "secrets.logs", "input.error_leakage"],
    ),
    ("S4", "Input validation (payloads and metadata)", &["input.validation"]),
    ("S5", "Rate limiting (chat and onboarding)", &["abuse.rate_limit"]),
    ("S6", "CORS and CSRF", &["browser.cors", "browser.csrf"]),
    (
        "S7",
        "Logging hygiene with request ids",
        &["logging.redaction", "logging.request_ids"],
    ),
    ("S8", "Email deliverability", &["email.auth"]),
    (
        "S9",
        "Deployment safety (env vars, rollback)",
        &["deploy.reproducible", "deploy.rollback"],
    ),
    (
        "S10",
        "Monitoring and uptime (5 min alerts, p95 500 ms)",
        &["monitoring.alerts", "perf.latency"],
    ),
];

/// The checks to run first, C1..C6.
const FIRST_CHECKS: &[Row] = &[
    ("C1", "Auth on every onboarding route", &["auth.required"]),
    ("C2", "Authorization boundaries between tenants", &["isolation.objects"]),
    (
        "C3",
        "Secrets across frontend and logs",
        &["secrets.repo", "secrets.client", "secrets.logs", "secrets.rotation"],
    ),
    (
        "C4",
        "Message validation and prompt injection",
        &["input.validation", "ai.prompt_injection", "ai.confirmation"],
    ),
    (
        "C5",
        "Rate limits and abuse controls",
        &[
            "abuse.rate_limit",
            "abuse.login_limit",
            "abuse.email_limit",
            "perf.latency",
        ],
    ),
    (
        "C6",
        "Production email/domain readiness",
        &[
            "email.auth",
            "email.dmarc_policy",
            "email.delivery",
            "edge.https_redirect",
        ],
    ),
];

/// The four minimum conditions (R) and the seven conditions after the fix (A).
const READY: &[Row] = &[
    (
        "R1",
        "Zero exposed secrets",
        &["secrets.repo", "secrets.client", "secrets.logs"],
    ),
    (
        "R2",
        "Auth and authorization on every route",
        &["auth.required", "isolation.objects"],
    ),
    ("R3", "SPF, DKIM and DMARC passing", &["email.auth"]),
    (
        "R4",
        "Failures visible before customers report them",
        &["monitoring.alerts"],
    ),
    (
        "A1",
        "No critical auth bypasses",
        &["auth.required", "isolation.objects"],
    ),
    (
        "A2",
        "No exposed secrets in code and deployed artifacts",
        &["secrets.repo", "secrets.client"],
    ),
    ("A3", "SPF, DKIM, DMARC all passing", &["email.auth"]),
    ("A4", "p95 under 500 ms under normal load", &["perf.latency"]),
    ("A5", "Alerts within 5 minutes", &["monitoring.alerts"]),
    (
        "A6",
        "Onboarding end to end on desktop and mobile",
        &["onboarding.end_to_end"],
    ),
    (
        "A7",
        "Under 1 ticket per 20 customers in week one",
        &["onboarding.support_burden"],
    ),
];

const RED_FLAGS: &[Row] = &[
    ("F1", "Several auth systems stitched together", &["auth.design"]),
    (
        "F2",
        "Tools callable without server-side approval",
        &["ai.confirmation", "ai.tool_scoping"],
    ),
    (
        "F3",
        "Secrets already in client code",
        &["secrets.client", "secrets.rotation"],
    ),
    ("F4", "Marketplace roles unclear", &["isolation.roles"]),
    ("F5", "Deployment, security and deliverability at once", &[]),
];

/// The DMARC example record of the email check, carried literally.
const DMARC_EXAMPLE: &str = "v=DMARC1; p=quarantine; rua=mailto:dmarc@yourdomain.com; adkim=s; aspf=s";

/// One do-it-yourself fix: code, title, literal examples that must appear, thresholds used and
/// items named.
struct DiyRow {
    code: &'static str,
    title: &'static str,
    examples: &'static [&'static str],
    thresholds: &'static [&'static str],
    items: &'static [&'static str],
}

const DIY: &[DiyRow] = &[
    DiyRow {
        code: "D1",
        title: "Rotate every key",
        examples: &[],
        thresholds: &[],
        items: &["secrets.rotation"],
    },
    DiyRow {
        code: "D2",
        title: "Cloudflare protection",
        examples: &[],
        thresholds: &[],
        items: &["edge.cdn", "edge.https_redirect", "edge.private_cache"],
    },
    DiyRow {
        code: "D3",
        title: "Basic rate limits",
        examples: &[],
        thresholds: &["ratelimit.login", "ratelimit.chat", "ratelimit.verification_resend"],
        items: &["abuse.login_limit", "abuse.rate_limit", "abuse.email_limit"],
    },
    DiyRow {
        code: "D4",
        title: "Email authentication before going live",
        examples: &[DMARC_EXAMPLE],
        thresholds: &["dmarc.min_policy"],
        items: &["email.auth"],
    },
    DiyRow {
        code: "D5",
        title: "Review error messages",
        examples: &[],
        thresholds: &[],
        items: &["input.error_leakage"],
    },
];

/// The failure -> deliverable map, in the seed's order, with an item each failure shows up in.
const FAILURE_MAP: &[(&str, &str)] = &[
    ("Broken DNS / wrong subdomain routing", "edge.dns_hygiene"),
    (
        "SSL warnings / mixed content / insecure login pages",
        "browser.mixed_content",
    ),
    ("Exposed keys / weak env management", "secrets.inventory"),
    ("Missing inbox delivery / failed verification emails", "email.auth"),
    ("No visibility into outages / slow endpoints", "monitoring.alerts"),
    ("Risky deploy process / broken production release", "deploy.rollback"),
    ("Cache misconfigurations / slow app shell", "edge.private_cache"),
];

/// The deliverables list: eight entries, each a word that must appear in a deliverable's title.
const DELIVERABLES_LIST: &[(&str, &str)] = &[
    ("Domain setup", "domain"),
    ("Email setup", "email"),
    ("Cloudflare config", "cloudflare"),
    ("SSL", "ssl"),
    ("Deployment", "deployment"),
    ("Secrets handling", "secrets"),
    ("Uptime monitoring", "uptime"),
    ("Handover checklist", "handover"),
];

/// The timeline: hour ranges in order, and an item whose failure is scheduled in each phase.
const TIMELINE: &[([u32; 2], &str, &str)] = &[
    (
        [0, 8],
        "audit DNS, email, deployment, secrets, monitoring gaps",
        "secrets.rotation",
    ),
    ([8, 24], "fix domain routing, SSL, Cloudflare, env vars", "edge.tls"),
    (
        [24, 36],
        "verify deploy behaviour, caching, redirects, uptime checks",
        "monitoring.alerts",
    ),
    (
        [36, 48],
        "validate handover, confirm under live conditions",
        "handover.document",
    ),
];

#[test]
fn header_matches_the_seed() {
    let v = vertical(VERTICAL);
    assert_header(v, VERTICAL, "marketplace products", "customer onboarding");
    assert_mentions(
        "I onboarding",
        "the summary",
        &v.summary,
        &["account", "connect", "support"],
    );
    let escalation = v.escalation.as_deref().map(lower).unwrap_or_default();
    assert!(
        escalation.contains("several areas") || escalation.contains("across"),
        "M: escalation is repeated failures across areas"
    );
    assert!(
        v.pause_rule.is_some(),
        "R: a missing minimum condition means not launch-ready"
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
    assert_entries_exactly(v, &v.ready, "R1-R4 and A1-A7", READY);
    // The after-fix conditions are carried by items that cite them too.
    let after_fix: Vec<Row> = READY
        .iter()
        .copied()
        .filter(|(code, _, _)| code.starts_with('A'))
        .collect();
    assert_rows_cited(v, &after_fix);
}

#[test]
fn red_flags_are_present() {
    let v = vertical(VERTICAL);
    assert_entries_exactly(v, &v.red_flags, "F1-F5", RED_FLAGS);
    assert_rows_cited(v, RED_FLAGS);
    assert_entry_mentions(
        &v.red_flags,
        "F2 Tools callable without server-side approval: the risky actions",
        "F2",
        &["payments", "deletes", "invites", "exports", "admin"],
    );
    assert_entry_mentions(
        &v.red_flags,
        "F4 Marketplace roles unclear: the roles",
        "F4",
        &["buyer", "seller", "admin", "support"],
    );
}

#[test]
fn diy_fixes_carry_their_settings() {
    let v = vertical(VERTICAL);
    assert_entry_count(&v.diy, "D1-D5", DIY.len());
    for DiyRow {
        code,
        title,
        examples,
        thresholds,
        items,
    } in DIY
    {
        let row = format!("{code} {title}");
        let diy = assert_entry_lists(v, &v.diy, &row, code, items);
        for example in *examples {
            assert!(
                diy.examples.iter().any(|e| e == example),
                "{row}: examples must contain {example:?} literally (have {:?})",
                diy.examples
            );
        }
        assert_diy_thresholds(v, diy, &row, thresholds);
    }
    assert_entry_mentions(
        &v.diy,
        "D1 Rotate every key: the key search",
        "D1",
        &[".env", "ci", "logs", "issue tracker", "screenshots", "shared doc"],
    );
    assert_entry_mentions(
        &v.diy,
        "D5 Review error messages: what public errors must not show",
        "D5",
        &["stack trace", "internal id", "sql", "prompt", "token", "email"],
    );
}

#[test]
fn thresholds_match_the_seed() {
    let v = vertical(VERTICAL);
    assert_duration(
        v,
        "S10/A4 p95 under 500 ms on core routes",
        "latency.p95",
        Unit::Ms,
        500.0,
        500.0,
    );
    assert_duration(
        v,
        "S10/A5 alerts within 5 minutes",
        "alert.within",
        Unit::Minutes,
        5.0,
        300_000.0,
    );

    let limits: &[(&str, f64, Option<&str>, f64)] = &[
        ("ratelimit.login", 10.0, Some("ip"), 10.0),
        ("ratelimit.chat", 30.0, Some("user"), 1.0),
        ("ratelimit.verification_resend", 5.0, None, 60.0),
    ];
    for (id, count, per, window) in limits {
        let row = format!("D3 rate limit {id}");
        let t = assert_threshold(v, &row, id, Unit::Count, *count);
        assert_eq!(t.window_minutes, Some(*window), "{row}: window in minutes");
        assert_eq!(t.source.as_deref(), Some("D3"), "{row}: must cite D3");
        match per {
            Some(per) => assert_eq!(t.per.as_deref(), Some(*per), "{row}: counted per {per}"),
            None => assert!(
                t.per.is_some(),
                "{row}: the seed leaves 'per what' open; a choice must be set"
            ),
        }
    }
    assert!(
        note_cites(v, "D3", "resend"),
        "D3: a note must record the choice of unit for the resend limit"
    );

    assert_threshold(
        v,
        "A7 1 ticket per 20 onboarded customers",
        "support.tickets_per_customer",
        Unit::Ratio,
        0.05,
    );

    assert_eq!(
        dmarc_policy(v, "C6 Production email/domain readiness"),
        "quarantine",
        "C6: the example record quarantines"
    );
    assert!(
        v.notes.iter().any(|n| n.text.contains("aspf=s")),
        "C6: a note must say the strict SPF alignment of the example is not required"
    );
}

#[test]
fn item_texts_carry_the_seed_specifics() {
    let v = vertical(VERTICAL);
    for (row, id, words) in [
        (
            "C1 token variants",
            "auth.required",
            &["no token", "expired", "another user", "onboarding"][..],
        ),
        (
            "C2 swapped ids",
            "isolation.objects",
            &["workspace_id", "chat_id", "customer_id", "tenant"],
        ),
        (
            "C2 fix: record id and tenant id",
            "isolation.objects",
            &["record's id", "tenant id", "orm"],
        ),
        ("C3 logs", "secrets.logs", &["cloudflare", "query string", "header"]),
        (
            "S4 metadata",
            "input.validation",
            &["metadata", "length", "type", "encoding", "before"],
        ),
        (
            "C4 payloads",
            "input.validation",
            &["script", "json", "unicode", "sql", "ignore previous instructions"],
        ),
        (
            "S5/C5 chat and onboarding limits",
            "abuse.rate_limit",
            &["per user", "ip", "chat", "onboarding", "verification", "resend", "429"],
        ),
        ("S6 CORS with CSRF", "browser.cors", &["csrf"]),
        ("S6 CSRF with CORS", "browser.csrf", &["cors"]),
        ("S7 request ids", "logging.request_ids", &["request id"]),
        (
            "C6 root to app redirect",
            "edge.https_redirect",
            &["root domain", "https"],
        ),
        ("C6 real mailbox test", "email.delivery", &["gmail", "outlook"]),
        ("C6 DMARC alignment", "email.dmarc_policy", &["quarantine", "aspf=s"]),
        ("C5 AI routes tighter", "abuse.spend_caps", &["stricter"]),
        ("C5 queueing for fan-out", "perf.timeouts", &["queue"]),
        ("F1 example", "auth.design", &["supabase", "jwt", "cookies"]),
    ] {
        assert_item_says(v, row, id, words);
    }
}

#[test]
fn onboarding_items_are_vertical_only() {
    let v = vertical(VERTICAL);
    for (row, id, words) in [
        (
            "A6 onboarding end to end on desktop and mobile",
            "onboarding.end_to_end",
            &["phone", "computer", "without", "desktop"][..],
        ),
        (
            "A7 support burden: 1 ticket per 20 customers in week one",
            "onboarding.support_burden",
            &["1 support ticket", "20", "first week"],
        ),
    ] {
        let it = item(v, id, row);
        assert!(
            it.question.is_some(),
            "{row}: {id} has no probe, so it needs a question"
        );
        assert_item_says(v, row, id, words);
        assert!(it.checks.is_empty(), "{row}: {id} has no automated check");
        assert_eq!(
            it.phase, "validate",
            "{row} / T 36-48: {id} is confirmed under live conditions"
        );
    }
    assert!(
        matches!(
            item(v, "onboarding.support_burden", "A7 support burden").area,
            Area::Monitoring
        ),
        "A7: the support burden is watched after launch"
    );
}

#[test]
fn severities_follow_the_seed() {
    let v = vertical(VERTICAL);
    assert_blockers(
        v,
        &[
            ("A1 no critical auth bypass", "auth.required"),
            ("S2 cross-customer data leaks", "isolation.objects"),
            ("R1 zero secrets in code", "secrets.repo"),
            ("C3 a key shipped to clients is compromised", "secrets.client"),
        ],
    );
    assert_at_least_high(
        v,
        &[
            ("R1 zero secrets in logs", "secrets.logs"),
            ("R3/A3 SPF, DKIM, DMARC passing", "email.auth"),
            ("C6 email failure drops onboarding conversion", "email.delivery"),
            ("R4/A5 alerts within 5 minutes", "monitoring.alerts"),
            ("A4 p95 under 500 ms", "perf.latency"),
            ("A6 onboarding end to end", "onboarding.end_to_end"),
            ("F2 risky actions need server approval", "ai.confirmation"),
            ("S5 rate limits on chat and onboarding", "abuse.rate_limit"),
        ],
    );
    assert!(
        !matches!(item(v, "edge.cdn", "D2 Cloudflare").severity, Severity::Blocker),
        "D2: Cloudflare is a do-it-yourself fix here, not a ready condition"
    );
}

#[test]
fn deliverables_cover_the_map_and_the_list() {
    let v = vertical(VERTICAL);
    for (n, (row, id)) in FAILURE_MAP.iter().enumerate() {
        let row = format!("M row {} {row}", n + 1);
        let it = item(v, id, &row);
        let d_id = it
            .deliverable
            .as_deref()
            .unwrap_or_else(|| panic!("{row}: item {id} must map to a deliverable"));
        let d = v
            .deliverable(d_id)
            .unwrap_or_else(|| panic!("{row}: deliverable {d_id} must exist"));
        assert_eq!(d.source.as_deref(), Some("M"), "{row}: deliverable {d_id} must cite M");
        assert!(
            d.fixes.as_deref().is_some_and(|f| !f.is_empty()),
            "{row}: deliverable {d_id} must say what failure it fixes"
        );
    }
    let mapped: std::collections::BTreeSet<&str> = FAILURE_MAP
        .iter()
        .filter_map(|(_, id)| v.item(id).and_then(|i| i.deliverable.as_deref()))
        .collect();
    assert_eq!(
        mapped.len(),
        FAILURE_MAP.len(),
        "M: the seven failures map to seven different deliverables"
    );
    for (entry, word) in DELIVERABLES_LIST {
        assert!(
            v.deliverables.iter().any(|d| lower(&d.title).contains(word)),
            "L {entry}: a deliverable title must name {word:?}"
        );
    }
    assert!(
        note_cites(v, "L", ""),
        "L: a note must record how the map and the list were merged"
    );
}

#[test]
fn phases_follow_the_hour_ranges() {
    let v = vertical(VERTICAL);
    assert_eq!(v.phases.len(), TIMELINE.len(), "T: four phases");
    for (n, ((hours, what, id), phase)) in TIMELINE.iter().zip(&v.phases).enumerate() {
        let row = format!("T phase {} ({what})", n + 1);
        assert_eq!(phase.hours, Some(*hours), "{row}: hour range");
        assert_eq!(phase.source.as_deref(), Some("T"), "{row}: must cite T");
        assert_eq!(item(v, id, &row).phase, phase.id, "{row}: item {id} is scheduled here");
    }
    for pair in v.phases.windows(2) {
        let (a, b) = (pair[0].hours.expect("hours"), pair[1].hours.expect("hours"));
        assert_eq!(a[1], b[0], "T: phases follow one another without gaps");
    }
    // Blockers are contained first; the mailbox test and caching are verified in hours 24-36.
    let audit = &v.phases[0].id;
    for id in ["auth.required", "isolation.objects", "secrets.client"] {
        assert_eq!(
            &item(v, id, "T audit").phase,
            audit,
            "T: blocker {id} is handled in hours 0-8"
        );
    }
    let verify = &v.phases[2].id;
    for id in ["email.delivery", "edge.private_cache", "deploy.rollback"] {
        assert_eq!(
            &item(v, id, "T verify").phase,
            verify,
            "T: {id} is verified in hours 24-36"
        );
    }
    assert!(
        note_cites(v, "T", ""),
        "T: a note must record where the timeline's gaps (auth, email fix) were placed"
    );
}
