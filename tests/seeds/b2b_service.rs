// Seed coverage for the `b2b-service` vertical (B2B service businesses, ready for production
// traffic). The tables below follow the seed's structure (what "ready" means, the quick scorecard,
// the checks to run first, red flags, do-it-yourself fixes, deliverables and the ordered timeline),
// so a row that goes missing from the checklist file fails here.

use launchready::checklist::{Area, Catalog, Checklist, Item, Severity, Unit};

const VERTICAL: &str = "b2b-service";

fn catalog() -> Catalog {
    Catalog::builtin().expect("built-in checklists load")
}

fn vertical(catalog: &Catalog) -> &Checklist {
    catalog.get(VERTICAL).expect("b2b-service vertical present")
}

fn item<'a>(v: &'a Checklist, id: &str, row: &str) -> &'a Item {
    v.item(id)
        .unwrap_or_else(|| panic!("{row}: item {id} must be part of the b2b-service checklist"))
}

fn assert_cites(v: &Checklist, row: &str, code: &str, ids: &[&str]) {
    for id in ids {
        let it = item(v, id, row);
        assert!(
            it.source.iter().any(|s| s == code),
            "{row}: item {id} must cite {code} (cites {:?})",
            it.source
        );
    }
}

fn lower(s: &str) -> String {
    s.to_lowercase()
}

/// Quick Scorecard rows, in the seed's order.
const SCORECARD: &[(&str, &str, &[&str])] = &[
    ("S1", "Auth on API routes", &["auth.required"]),
    ("S2", "Tenant isolation", &["isolation.objects"]),
    ("S3", "Secret handling", &["secrets.repo", "secrets.client"]),
    ("S4", "Input validation", &["input.validation"]),
    (
        "S5",
        "Rate limiting",
        &["abuse.rate_limit", "abuse.login_limit"],
    ),
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
const FIRST_CHECKS: &[(&str, &str, &[&str])] = &[
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
        &[
            "secrets.repo",
            "secrets.client",
            "secrets.logs",
            "secrets.rotation",
        ],
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
        &[
            "edge.https_redirect",
            "edge.dns_hygiene",
            "edge.private_cache",
        ],
    ),
];

/// What "ready" means, R1..R8, with the items that must decide each condition.
const READY: &[(&str, &str, &[&str])] = &[
    ("R1", "Auth on every sensitive endpoint", &["auth.required"]),
    (
        "R2",
        "Authorization scoped by tenant",
        &["isolation.objects"],
    ),
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
const RED_FLAGS: &[(&str, &str, &str)] = &[
    (
        "F1",
        "Tenants without a hard isolation layer",
        "isolation.objects",
    ),
    (
        "F2",
        "AI provider key used from the client",
        "secrets.client",
    ),
    (
        "F3",
        "Unknown where prompts are logged",
        "logging.redaction",
    ),
    (
        "F4",
        "Webhook verification missing",
        "auth.webhook_signature",
    ),
    ("F5", "Launch before alerts", "monitoring.alerts"),
];

/// Do-it-yourself fixes D1..D5 and the items each one helps.
const DIY: &[(&str, &str, &[&str])] = &[
    ("D1", "Rotate every exposed secret", &["secrets.rotation"]),
    (
        "D2",
        "Basic rate limiting",
        &["abuse.login_limit", "abuse.rate_limit"],
    ),
    (
        "D3",
        "Force HTTPS everywhere",
        &["edge.https_redirect", "browser.mixed_content"],
    ),
    (
        "D4",
        "Review logs for sensitive data",
        &["logging.redaction"],
    ),
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
    (
        "audit",
        "T1 audit domain, deployment and secrets",
        &[Area::Secrets],
    ),
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
    let c = catalog();
    let v = vertical(&c);
    assert_eq!(v.id, VERTICAL);
    assert_eq!(v.business, "B2B service businesses");
    assert_eq!(v.ready_for, "production traffic");
    assert!(
        !v.summary.trim().is_empty(),
        "I: the summary of what ready means must not be empty"
    );
}

#[test]
fn every_scorecard_row_is_carried_by_items() {
    let c = catalog();
    let v = vertical(&c);
    for (code, row, ids) in SCORECARD {
        assert_cites(v, &format!("{code} {row}"), code, ids);
    }
}

#[test]
fn every_first_check_is_carried_by_items() {
    let c = catalog();
    let v = vertical(&c);
    for (code, row, ids) in FIRST_CHECKS {
        assert_cites(v, &format!("{code} {row}"), code, ids);
    }
}

#[test]
fn every_ready_condition_is_present() {
    let c = catalog();
    let v = vertical(&c);
    for (code, row, ids) in READY {
        let ready = v
            .ready
            .iter()
            .find(|r| r.source.as_deref() == Some(*code))
            .unwrap_or_else(|| panic!("{code} {row}: a [[ready]] entry must cite {code}"));
        for id in *ids {
            assert!(
                ready.items.iter().any(|i| i == id),
                "{code} {row}: the ready condition must list item {id} (lists {:?})",
                ready.items
            );
            item(v, id, &format!("{code} {row}"));
        }
    }
    assert_eq!(
        v.ready.len(),
        READY.len(),
        "R: the seed has exactly 8 ready conditions"
    );
}

#[test]
fn every_red_flag_is_present() {
    let c = catalog();
    let v = vertical(&c);
    for (code, row, id) in RED_FLAGS {
        let flag = v
            .red_flags
            .iter()
            .find(|f| f.source.as_deref() == Some(*code))
            .unwrap_or_else(|| panic!("{code} {row}: a [[red_flag]] must cite {code}"));
        assert!(
            flag.items.iter().any(|i| i == id),
            "{code} {row}: the red flag must point at item {id} (points at {:?})",
            flag.items
        );
        assert_cites(v, &format!("{code} {row}"), code, &[id]);
    }
}

#[test]
fn every_diy_fix_is_present() {
    let c = catalog();
    let v = vertical(&c);
    for (code, row, ids) in DIY {
        let fix = v
            .diy
            .iter()
            .find(|d| d.source.as_deref() == Some(*code))
            .unwrap_or_else(|| panic!("{code} {row}: a [[diy]] must cite {code}"));
        for id in *ids {
            assert!(
                fix.items.iter().any(|i| i == id),
                "{code} {row}: the fix must help item {id} (helps {:?})",
                fix.items
            );
        }
    }
}

#[test]
fn d2_stopgap_is_a_per_ip_throttle_on_login_and_chat() {
    let c = catalog();
    let v = vertical(&c);
    let fix = v
        .diy
        .iter()
        .find(|d| d.source.as_deref() == Some("D2"))
        .expect("D2 present");
    let text = lower(&fix.text);
    assert!(
        text.contains("ip"),
        "D2 Basic rate limiting: a simple per-IP limit is the stopgap"
    );
    assert!(
        text.contains("login"),
        "D2 Basic rate limiting: login attempts come first"
    );
    assert!(
        text.contains("chat"),
        "D2 Basic rate limiting: chat requests come first"
    );
}

#[test]
fn d5_carries_the_spf_example_and_dkim_dmarc_caveat() {
    let c = catalog();
    let v = vertical(&c);
    let fix = v
        .diy
        .iter()
        .find(|d| d.source.as_deref() == Some("D5"))
        .expect("D5 present");
    assert!(
        fix.examples
            .iter()
            .any(|e| e == "v=spf1 include:_spf.google.com ~all"),
        "D5 Test email authentication: the example SPF record must be in `examples` (has {:?})",
        fix.examples
    );
    let text = lower(&fix.text);
    assert!(
        text.contains("dkim"),
        "D5: SPF alone is not enough, DKIM signing must be mentioned"
    );
    assert!(
        text.contains("dmarc"),
        "D5: a DMARC policy must be mentioned"
    );
}

#[test]
fn thresholds_match_the_seed() {
    let c = catalog();
    let v = vertical(&c);

    let p95 = v
        .threshold("latency.p95")
        .expect("R5: threshold latency.p95 present");
    assert!(matches!(p95.unit, Unit::Ms), "R5: latency.p95 is in ms");
    assert_eq!(
        p95.millis(),
        Some(500.0),
        "R5: p95 of normal chat requests under 500 ms"
    );

    let alert = v
        .threshold("alert.within")
        .expect("S9: threshold alert.within present");
    assert!(
        matches!(alert.unit, Unit::Minutes),
        "S9: alert.within is in minutes"
    );
    assert_eq!(
        alert.number(),
        Some(5.0),
        "S9: alerts active within 5 minutes"
    );
    assert_eq!(
        alert.millis(),
        Some(300_000.0),
        "S9: 5 minutes is 300 000 ms"
    );

    let min = v
        .threshold("launch.pause_min")
        .expect("T: threshold launch.pause_min present");
    let max = v
        .threshold("launch.pause_max")
        .expect("T: threshold launch.pause_max present");
    assert!(
        matches!(min.unit, Unit::Hours),
        "T: launch.pause_min is in hours"
    );
    assert!(
        matches!(max.unit, Unit::Hours),
        "T: launch.pause_max is in hours"
    );
    assert_eq!(
        min.number(),
        Some(24.0),
        "T: a critical auth bypass may delay launch from 24 hours"
    );
    assert_eq!(max.number(), Some(72.0), "T: ... up to 72 hours");

    // D5 names no DMARC level: the checklist must choose a valid one and say so in a note.
    let dmarc = v
        .threshold("dmarc.min_policy")
        .expect("D5: threshold dmarc.min_policy present");
    assert!(
        matches!(dmarc.policy(), Some("none" | "quarantine" | "reject")),
        "D5: dmarc.min_policy must be none, quarantine or reject (is {:?})",
        dmarc.policy()
    );
    assert!(
        v.notes
            .iter()
            .any(|n| n.source.as_deref() == Some("D5") && lower(&n.text).contains("dmarc")),
        "D5: a note must record the DMARC level chosen where the seed names none"
    );

    // The seed gives no rate-limit numbers (R4, C4, D2): none may be invented.
    for id in [
        "ratelimit.login",
        "ratelimit.chat",
        "ratelimit.verification_resend",
    ] {
        assert!(
            v.threshold(id).is_none(),
            "R4/C4/D2: the seed gives no number for {id}"
        );
    }
    assert!(
        v.notes.iter().any(|n| n.source.as_deref() == Some("R4")),
        "R4: a note must say that the seed gives no rate-limit numbers"
    );
}

#[test]
fn rate_limits_are_per_ip_user_and_org_on_the_seed_routes() {
    let c = catalog();
    let v = vertical(&c);
    let it = item(v, "abuse.rate_limit", "C4 Rate limiting");
    let pass = lower(&it.pass);
    for word in ["ip", "user", "organisation", "webhook", "upload", "429"] {
        assert!(
            pass.contains(word),
            "R4/C4 Rate limiting: abuse.rate_limit pass criteria must mention `{word}`: {}",
            it.pass
        );
    }
}

#[test]
fn phases_follow_the_seed_order() {
    let c = catalog();
    let v = vertical(&c);
    let ids: Vec<&str> = v.phases.iter().map(|p| p.id.as_str()).collect();
    let expected: Vec<&str> = PHASES.iter().map(|(id, _, _)| *id).collect();
    assert_eq!(
        ids, expected,
        "T: the five timeline steps in the seed's order"
    );

    let mut previous_end = 0;
    for ((id, row, areas), phase) in PHASES.iter().zip(&v.phases) {
        assert_eq!(
            phase.source.as_deref(),
            Some("T"),
            "{row}: phase {id} must cite T"
        );
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
        v.notes
            .iter()
            .any(|n| n.source.as_deref() == Some("T") && lower(&n.text).contains("hour")),
        "T: a note must record the hour ranges chosen where the seed gives none"
    );
}

#[test]
fn failed_items_land_in_the_right_step() {
    let c = catalog();
    let v = vertical(&c);
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
    let c = catalog();
    let v = vertical(&c);
    assert_eq!(
        v.deliverables.len(),
        DELIVERABLES.len(),
        "L: the seed lists 14 deliverables"
    );
    for ((id, title), d) in DELIVERABLES.iter().zip(&v.deliverables) {
        assert_eq!(d.id, *id, "L {title}: deliverables in the seed's order");
        assert_eq!(
            lower(&d.title),
            *title,
            "L {title}: title of deliverable {id}"
        );
        assert_eq!(
            d.source.as_deref(),
            Some("L"),
            "L {title}: deliverable {id} must cite L"
        );
        assert!(
            !d.areas.is_empty(),
            "L {title}: deliverable {id} needs areas"
        );
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
    let c = catalog();
    let v = vertical(&c);
    // T / M: a critical auth bypass pauses the launch; tenant leaks and exposed secrets end trust.
    for (id, row) in [
        ("auth.required", "T pause rule: auth bypass"),
        ("isolation.objects", "F1 tenant isolation"),
        ("secrets.repo", "M exposed secrets"),
        ("secrets.client", "F2 AI key in the client"),
    ] {
        assert!(
            matches!(item(v, id, row).severity, Severity::Blocker),
            "{row}: {id} must be a blocker"
        );
    }
    // R7 makes Cloudflare, DNS and deployment launch conditions; R8 the handover checklist.
    for (id, row) in [
        ("edge.cdn", "R7 Cloudflare"),
        ("edge.dns_hygiene", "R7/S8 DNS"),
        ("deploy.reproducible", "R7 deployment"),
        ("deploy.rollback", "R8 rollback"),
        ("handover.document", "R8 handover"),
        ("monitoring.alerts", "S9 monitoring alerts"),
        ("abuse.rate_limit", "S5 rate limiting"),
        ("input.error_leakage", "R6 error leakage"),
    ] {
        assert!(
            matches!(
                item(v, id, row).severity,
                Severity::Blocker | Severity::High
            ),
            "{row}: {id} must be at least high"
        );
    }
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
    let c = catalog();
    let v = vertical(&c);
    assert!(
        v.notes
            .iter()
            .any(|n| lower(&n.text).contains("prompt injection")),
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
