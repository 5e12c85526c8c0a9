// Seed coverage for `internal-ops` (seed 002: internal operations tools, ready for production
// traffic). The tables below are written from the seed's structure, not generated from the
// checklist file: each row names a seed location and the item ids that must carry it.

use launchready::checklist::{Area, Catalog, Checklist, Severity, Unit};

const VERTICAL: &str = "internal-ops";

/// Quick Scorecard rows, in the seed's order: (code, row label, items that carry it).
const SCORECARD: &[(&str, &str, &[&str])] = &[
    ("S1", "Auth on every endpoint", &["auth.required"]),
    (
        "S2",
        "Authorization by role",
        &["isolation.roles", "isolation.objects"],
    ),
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
    (
        "S8",
        "CORS and CSRF config",
        &["browser.cors", "browser.csrf"],
    ),
    ("S9", "Monitoring live", &["monitoring.alerts"]),
    (
        "S10",
        "Email/domain setup",
        &["email.auth", "edge.dns_hygiene", "edge.tls"],
    ),
];

/// The checks to run first.
const FIRST_CHECKS: &[(&str, &str, &[&str])] = &[
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
const READY: &[(&str, &str, &[&str])] = &[
    ("R1", "no critical auth bypass", &["auth.required"]),
    (
        "R2",
        "zero exposed secrets",
        &["secrets.repo", "secrets.client", "secrets.logs"],
    ),
    (
        "R3",
        "RBAC on every chat action and tool call",
        &["isolation.roles"],
    ),
    (
        "R4",
        "prompt injection cannot leak or act",
        &["ai.prompt_injection"],
    ),
    ("R5", "p95 latency", &["perf.latency", "perf.timeouts"]),
    ("R6", "SPF, DKIM and DMARC pass", &["email.auth"]),
    (
        "R7",
        "Cloudflare, SSL, redirects, monitoring live",
        &[
            "edge.cdn",
            "edge.tls",
            "edge.https_redirect",
            "monitoring.alerts",
        ],
    ),
    (
        "R8",
        "rollback path and handover checklist",
        &["deploy.rollback", "handover.document"],
    ),
];

/// Red flags: (code, label, an item the flag must point at).
const RED_FLAGS: &[(&str, &str, &str)] = &[
    ("F1", "shared admin key", "secrets.scoped_keys"),
    ("F2", "side effects without confirmation", "ai.confirmation"),
    (
        "F3",
        "sensitive data to third-party models",
        "ai.data_policy",
    ),
    ("F4", "nobody knows who can access what", "isolation.roles"),
    ("F5", "no rollback plan", "deploy.rollback"),
];

/// Do-it-yourself fixes: (code, label, an item the fix must point at).
const DIY: &[(&str, &str, &str)] = &[
    ("D1", "rotate obvious secrets", "secrets.rotation"),
    ("D2", "Cloudflare proxying", "edge.cdn"),
    ("D3", "verify SPF, DKIM and DMARC", "email.auth"),
    ("D4", "no private keys in the client", "secrets.client"),
    ("D5", "request logging with redaction", "logging.redaction"),
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
    (
        "deploy-discipline",
        "missing production deployment discipline",
    ),
    (
        "monitoring-handoff",
        "no monitoring / blind spots after launch",
    ),
];

/// Phases chosen for the empty "Delivery Map", in order, with hours.
const PHASES: &[(&str, [u32; 2])] = &[
    ("audit", [0, 8]),
    ("lock-down", [8, 24]),
    ("edge", [24, 32]),
    ("email", [32, 40]),
    ("monitoring-handover", [40, 48]),
];

fn vertical() -> Checklist {
    let catalog = Catalog::builtin().expect("built-in checklists load");
    catalog
        .get(VERTICAL)
        .expect("vertical internal-ops present")
        .clone()
}

fn assert_item_cites(v: &Checklist, code: &str, label: &str, id: &str) {
    let item = v
        .item(id)
        .unwrap_or_else(|| panic!("{code} {label}: item {id} is missing from {VERTICAL}"));
    assert!(
        item.source.iter().any(|s| s == code),
        "{code} {label}: item {id} must cite {code} (source = {:?})",
        item.source
    );
}

fn has_source(source: Option<&String>, code: &str) -> bool {
    source.is_some_and(|s| s == code)
}

#[test]
fn header_matches_seed() {
    let v = vertical();
    assert_eq!(v.id, VERTICAL);
    assert_eq!(v.business, "internal operations tools");
    assert_eq!(v.ready_for, "production traffic");
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
    let v = vertical();
    assert_eq!(SCORECARD.len(), 10, "the seed's scorecard has 10 rows");
    for (code, label, ids) in SCORECARD {
        for id in *ids {
            assert_item_cites(&v, code, label, id);
        }
    }
}

#[test]
fn every_first_check_is_carried() {
    let v = vertical();
    for (code, label, ids) in FIRST_CHECKS {
        for id in *ids {
            assert_item_cites(&v, code, label, id);
        }
    }
}

#[test]
fn every_ready_condition_is_present() {
    let v = vertical();
    for (code, label, ids) in READY {
        let entry = v
            .ready
            .iter()
            .find(|r| has_source(r.source.as_ref(), code))
            .unwrap_or_else(|| panic!("{code} {label}: no [[ready]] entry cites {code}"));
        for id in *ids {
            assert!(
                entry.items.iter().any(|i| i == id),
                "{code} {label}: ready entry {} must name item {id}",
                entry.id
            );
        }
    }
    assert_eq!(
        v.ready.len(),
        READY.len(),
        "the seed lists exactly 8 ready conditions"
    );
}

#[test]
fn every_red_flag_is_present() {
    let v = vertical();
    for (code, label, item) in RED_FLAGS {
        let flag = v
            .red_flags
            .iter()
            .find(|f| has_source(f.source.as_ref(), code))
            .unwrap_or_else(|| panic!("{code} {label}: no [[red_flag]] cites {code}"));
        assert!(
            flag.items.iter().any(|i| i == item),
            "{code} {label}: red flag {} must name item {item}",
            flag.id
        );
        assert!(
            v.item(item).is_some(),
            "{code} {label}: item {item} is missing"
        );
    }
}

#[test]
fn every_diy_fix_is_present() {
    let v = vertical();
    for (code, label, item) in DIY {
        let fix = v
            .diy
            .iter()
            .find(|d| has_source(d.source.as_ref(), code))
            .unwrap_or_else(|| panic!("{code} {label}: no [[diy]] cites {code}"));
        assert!(
            fix.items.iter().any(|i| i == item),
            "{code} {label}: fix {} must name item {item}",
            fix.id
        );
    }
    // C3's example of reading a key on the server only, carried as the D4 example.
    let d4 = v
        .diy
        .iter()
        .find(|d| has_source(d.source.as_ref(), "D4"))
        .expect("D4 present");
    assert!(
        d4.examples
            .iter()
            .any(|e| e.contains("process.env.OPENAI_API_KEY") && e.contains("throw")),
        "D4 no private keys in the client: the server-side env example must be in examples"
    );
    // D5's log fields.
    let d5 = v
        .diy
        .iter()
        .find(|d| has_source(d.source.as_ref(), "D5"))
        .expect("D5 present");
    for field in [
        "route",
        "status",
        "user id",
        "request id",
        "duration",
        "Authorization",
    ] {
        assert!(
            d5.text.contains(field),
            "D5 request logging: text must mention {field}"
        );
    }
}

#[test]
fn thresholds_match_seed() {
    let v = vertical();

    let p95 = v
        .threshold("latency.p95")
        .expect("R5: threshold latency.p95 missing");
    assert!(
        matches!(p95.unit, Unit::Ms),
        "R5: latency.p95 must be in ms"
    );
    assert_eq!(
        p95.millis(),
        Some(500.0),
        "R5: p95 for normal chat requests is 500 ms"
    );

    let model = v
        .threshold("latency.p95_model_bound")
        .expect("R5: threshold latency.p95_model_bound missing");
    assert!(
        matches!(model.unit, Unit::S),
        "R5: latency.p95_model_bound must be in s"
    );
    assert_eq!(model.number(), Some(1.5), "R5: model-bound p95 is 1.5 s");
    assert_eq!(
        model.millis(),
        Some(1_500.0),
        "R5: model-bound p95 is 1500 ms"
    );
    assert!(
        model.text.contains("timeouts") && model.text.contains("retries"),
        "R5: the 1.5 s ceiling applies only with timeouts and retries"
    );

    let auth = v
        .threshold("alert.auth_failure_above_baseline")
        .expect("C6: threshold alert.auth_failure_above_baseline missing");
    assert!(
        matches!(auth.unit, Unit::Percent),
        "C6: auth-failure alert is a percentage"
    );
    assert_eq!(auth.number(), Some(5.0), "C6: alert at 5 % above normal");
    assert!(
        v.notes.iter().any(|n| has_source(n.source.as_ref(), "C6")),
        "C6: the garbled alert sentence must be recorded in a [[note]]"
    );

    let rollback = v
        .threshold("rollback.within")
        .expect("F5: threshold rollback.within missing");
    assert!(
        matches!(rollback.unit, Unit::Minutes),
        "F5: rollback limit is in minutes"
    );
    assert_eq!(
        rollback.millis(),
        Some(3_600_000.0),
        "F5: minutes, not hours (under 60 minutes)"
    );

    let dmarc = v
        .threshold("dmarc.min_policy")
        .expect("R6: threshold dmarc.min_policy missing");
    assert!(
        matches!(dmarc.unit, Unit::Policy),
        "R6: DMARC minimum is a policy word"
    );
    assert!(
        matches!(dmarc.policy(), Some("none" | "quarantine" | "reject")),
        "R6: DMARC minimum must be none, quarantine or reject"
    );

    // The seed gives no rate-limit numbers and no alert time.
    for id in [
        "ratelimit.login",
        "ratelimit.chat",
        "ratelimit.verification_resend",
        "alert.within",
    ] {
        assert!(
            v.threshold(id).is_none(),
            "S6/C6: the seed states no value for {id}"
        );
    }
}

#[test]
fn phases_follow_the_product_order_and_the_choice_is_noted() {
    let v = vertical();
    let got: Vec<(&str, Option<[u32; 2]>)> =
        v.phases.iter().map(|p| (p.id.as_str(), p.hours)).collect();
    let want: Vec<(&str, Option<[u32; 2]>)> =
        PHASES.iter().map(|(id, h)| (*id, Some(*h))).collect();
    assert_eq!(
        got, want,
        "T: phases audit -> lock down -> edge -> email -> monitoring and handover"
    );
    assert!(
        v.notes
            .iter()
            .any(|n| has_source(n.source.as_ref(), "T") && n.text.contains("48")),
        "T: the seed's Delivery Map is empty; a [[note]] must record the chosen phases and hours"
    );
    // Every area used by an item is scheduled.
    for item in &v.items {
        assert!(
            v.phase(&item.phase).is_some(),
            "T: item {} has no phase",
            item.id
        );
    }
    assert_eq!(
        v.item("logging.redaction").map(|i| i.phase.as_str()),
        Some("lock-down")
    );
}

#[test]
fn deliverables_are_the_failure_map() {
    let v = vertical();
    assert_eq!(
        v.deliverables.len(),
        DELIVERABLES.len(),
        "M: the failure map has 6 rows"
    );
    for (id, label) in DELIVERABLES {
        let d = v
            .deliverable(id)
            .unwrap_or_else(|| panic!("M {label}: deliverable {id} missing"));
        assert!(
            has_source(d.source.as_ref(), "M"),
            "M {label}: deliverable {id} must cite M"
        );
        assert!(
            d.fixes.is_some(),
            "M {label}: deliverable {id} needs the failure it fixes"
        );
        assert!(
            d.outcome.is_some(),
            "M {label}: deliverable {id} needs its outcome"
        );
        assert!(
            d.hours.is_none(),
            "M {label}: the seed gives no hours for deliverable {id}"
        );
    }
    let mapped = |item: &str| v.item(item).and_then(|i| i.deliverable.clone());
    assert_eq!(
        mapped("edge.dns_hygiene").as_deref(),
        Some("domain-routing")
    );
    assert_eq!(mapped("edge.cdn").as_deref(), Some("edge-protection"));
    assert_eq!(
        mapped("email.auth").as_deref(),
        Some("email-deliverability")
    );
    assert_eq!(mapped("secrets.repo").as_deref(), Some("secrets-cleanup"));
    assert_eq!(
        mapped("deploy.rollback").as_deref(),
        Some("deploy-discipline")
    );
    assert_eq!(
        mapped("monitoring.alerts").as_deref(),
        Some("monitoring-handoff")
    );
    let monitoring = v
        .deliverable("monitoring-handoff")
        .expect("monitoring-handoff");
    assert!(monitoring.areas.contains(&Area::Monitoring));
}

#[test]
fn severity_facts_from_the_seed() {
    let v = vertical();
    let sev = |id: &str| {
        v.item(id)
            .unwrap_or_else(|| panic!("item {id} missing"))
            .severity
    };
    // C1: a route answering without identity is a launch blocker.
    assert_eq!(
        sev("auth.required"),
        Severity::Blocker,
        "C1: an auth bypass is a blocker"
    );
    // R3: RBAC on every chat action and tool call is a release condition here.
    assert_eq!(
        sev("isolation.roles"),
        Severity::Blocker,
        "R3: role checks are a blocker here"
    );
    assert_eq!(
        sev("isolation.objects"),
        Severity::Blocker,
        "C2: another team's records are a blocker"
    );
    // R2: zero exposed secrets.
    assert_eq!(
        sev("secrets.repo"),
        Severity::Blocker,
        "R2: keys in the repo are a blocker"
    );
    assert_eq!(
        sev("secrets.client"),
        Severity::Blocker,
        "R2: keys in the bundle are a blocker"
    );
    // Every other ready condition must be met before launch: at least high.
    for (code, label, ids) in READY {
        for id in *ids {
            assert!(
                matches!(sev(id), Severity::Blocker | Severity::High),
                "{code} {label}: item {id} is a ready condition and must be at least high"
            );
        }
    }
    assert_eq!(
        sev("ai.prompt_injection"),
        Severity::High,
        "R4: prompt injection must be fixed before launch"
    );
}

#[test]
fn overrides_carry_the_seed_specifics() {
    let v = vertical();
    let text = |id: &str| {
        let i = v.item(id).unwrap_or_else(|| panic!("item {id} missing"));
        format!(
            "{} {} {}",
            i.emphasis.as_deref().unwrap_or(""),
            i.fix,
            i.method.as_deref().unwrap_or("")
        )
    };
    let auth = text("auth.required");
    assert!(
        auth.contains("webhook") && auth.contains("background-job"),
        "C1: webhooks and job callbacks"
    );
    let objects = text("isolation.objects");
    assert!(
        objects.contains("different roles") && objects.to_lowercase().contains("list views"),
        "C2: two accounts with different roles, and list views checked first"
    );
    let roles = text("isolation.roles");
    assert!(
        roles.contains("chat action") && roles.contains("tool call"),
        "R3: every chat action and tool call"
    );
    let repo = text("secrets.repo");
    assert!(
        repo.contains("history") && repo.contains("service-account JSON"),
        "C3: history and JSON files"
    );
    let logs = text("logging.redaction");
    for word in [
        "route",
        "status",
        "user id",
        "request id",
        "duration",
        "tokens",
        "passwords",
    ] {
        assert!(
            logs.contains(word),
            "D5 logging: redaction item must mention {word}"
        );
    }
    let injection = text("ai.prompt_injection");
    assert!(
        injection.contains("ready condition"),
        "R4: prompt injection is a ready condition"
    );
}
