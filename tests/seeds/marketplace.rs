// Seed coverage for the `marketplace` vertical (marketplace products, ready for customer
// onboarding). The tables below are written from the seed's structure (four minimum ready
// conditions, scorecard rows, first checks, red flags, do-it-yourself fixes, the failure ->
// deliverable map, the deliverables list, the 48-hour timeline and the seven after-fix
// conditions), not from the checklist file, so a row that goes missing from the checklist fails.

use launchready::checklist::{Area, Catalog, Checklist, Item, Severity, Unit};

const VERTICAL: &str = "marketplace";

fn catalog() -> Catalog {
    Catalog::builtin().expect("built-in checklists load")
}

fn vertical(catalog: &Catalog) -> &Checklist {
    catalog.get(VERTICAL).expect("marketplace vertical present")
}

fn item<'a>(v: &'a Checklist, id: &str, row: &str) -> &'a Item {
    v.item(id)
        .unwrap_or_else(|| panic!("{row}: item {id} must be part of the marketplace checklist"))
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

/// Everything an item says, lowercased: pass, why, breaks, signal, method, fix, emphasis and the
/// question, so a seed detail may live in whichever key fits it best.
fn all_text(it: &Item) -> String {
    let mut parts = vec![
        it.title.clone(),
        it.pass.clone(),
        it.why.clone(),
        it.breaks.clone(),
        it.fix.clone(),
    ];
    parts.extend(it.signal.clone());
    parts.extend(it.method.clone());
    parts.extend(it.emphasis.clone());
    if let Some(q) = &it.question {
        parts.extend([q.text.clone(), q.why.clone(), q.yes.clone()]);
    }
    lower(&parts.join(" "))
}

fn assert_says(v: &Checklist, row: &str, id: &str, words: &[&str]) {
    let text = all_text(item(v, id, row));
    for word in words {
        assert!(
            text.contains(&lower(word)),
            "{row}: item {id} must mention {word:?}"
        );
    }
}

/// Quick Scorecard rows, in the seed's order.
const SCORECARD: &[(&str, &str, &[&str])] = &[
    ("S1", "Authentication", &["auth.required"]),
    ("S2", "Authorization", &["isolation.objects"]),
    (
        "S3",
        "Secrets handling (frontend, repo history, logs, error traces)",
        &[
            "secrets.repo",
            "secrets.client",
            "secrets.logs",
            "input.error_leakage",
        ],
    ),
    (
        "S4",
        "Input validation (payloads and metadata)",
        &["input.validation"],
    ),
    (
        "S5",
        "Rate limiting (chat and onboarding)",
        &["abuse.rate_limit"],
    ),
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
const FIRST_CHECKS: &[(&str, &str, &[&str])] = &[
    ("C1", "Auth on every onboarding route", &["auth.required"]),
    (
        "C2",
        "Authorization boundaries between tenants",
        &["isolation.objects"],
    ),
    (
        "C3",
        "Secrets across frontend and logs",
        &[
            "secrets.repo",
            "secrets.client",
            "secrets.logs",
            "secrets.rotation",
        ],
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
const READY: &[(&str, &str, &[&str])] = &[
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
    (
        "A4",
        "p95 under 500 ms under normal load",
        &["perf.latency"],
    ),
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

const RED_FLAGS: &[(&str, &str, &[&str])] = &[
    (
        "F1",
        "Several auth systems stitched together",
        &["auth.design"],
    ),
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
const DMARC_EXAMPLE: &str =
    "v=DMARC1; p=quarantine; rua=mailto:dmarc@yourdomain.com; adkim=s; aspf=s";

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
        thresholds: &[
            "ratelimit.login",
            "ratelimit.chat",
            "ratelimit.verification_resend",
        ],
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
    (
        "Missing inbox delivery / failed verification emails",
        "email.auth",
    ),
    (
        "No visibility into outages / slow endpoints",
        "monitoring.alerts",
    ),
    (
        "Risky deploy process / broken production release",
        "deploy.rollback",
    ),
    (
        "Cache misconfigurations / slow app shell",
        "edge.private_cache",
    ),
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
    (
        [8, 24],
        "fix domain routing, SSL, Cloudflare, env vars",
        "edge.tls",
    ),
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
    let cat = catalog();
    let v = vertical(&cat);
    assert_eq!(v.id, "marketplace");
    assert_eq!(v.business, "marketplace products", "I: business");
    assert_eq!(v.ready_for, "customer onboarding", "I: goal");
    let summary = lower(&v.summary);
    for word in ["account", "connect", "support"] {
        assert!(
            summary.contains(word),
            "I: the summary must describe onboarding ({word})"
        );
    }
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
    let cat = catalog();
    let v = vertical(&cat);
    for (code, title, ids) in SCORECARD {
        assert_cites(v, &format!("{code} {title}"), code, ids);
    }
}

#[test]
fn every_first_check_has_its_items() {
    let cat = catalog();
    let v = vertical(&cat);
    for (code, title, ids) in FIRST_CHECKS {
        assert_cites(v, &format!("{code} {title}"), code, ids);
    }
}

#[test]
fn every_ready_condition_is_present() {
    let cat = catalog();
    let v = vertical(&cat);
    for (code, title, ids) in READY {
        let row = format!("{code} {title}");
        let ready = v
            .ready
            .iter()
            .find(|r| r.source.as_deref() == Some(*code))
            .unwrap_or_else(|| panic!("{row}: a [[ready]] entry must cite {code}"));
        for id in *ids {
            assert!(
                ready.items.iter().any(|i| i == id),
                "{row}: [[ready]] {} must list item {id}",
                ready.id
            );
            item(v, id, &row);
        }
    }
    assert_eq!(
        v.ready.len(),
        READY.len(),
        "R1-R4 and A1-A7: eleven [[ready]] entries"
    );
    // The after-fix conditions are carried by items that cite them too.
    for (code, title, ids) in READY.iter().filter(|(code, _, _)| code.starts_with('A')) {
        assert_cites(v, &format!("{code} {title}"), code, ids);
    }
}

#[test]
fn red_flags_are_present() {
    let cat = catalog();
    let v = vertical(&cat);
    assert_eq!(
        v.red_flags.len(),
        RED_FLAGS.len(),
        "F1-F5: exactly five red flags"
    );
    for (code, title, ids) in RED_FLAGS {
        let row = format!("{code} {title}");
        let flag = v
            .red_flags
            .iter()
            .find(|f| f.source.as_deref() == Some(*code))
            .unwrap_or_else(|| panic!("{row}: a [[red_flag]] must cite {code}"));
        for id in *ids {
            assert!(
                flag.items.iter().any(|i| i == id),
                "{row}: red flag must list item {id}"
            );
            assert_cites(v, &row, code, &[id]);
        }
    }
    let f2 = v
        .red_flags
        .iter()
        .find(|f| f.source.as_deref() == Some("F2"))
        .expect("F2");
    let text = lower(&f2.text);
    for action in ["payments", "deletes", "invites", "exports", "admin"] {
        assert!(text.contains(action), "F2: the red flag must name {action}");
    }
    let f4 = v
        .red_flags
        .iter()
        .find(|f| f.source.as_deref() == Some("F4"))
        .expect("F4");
    let text = lower(&f4.text);
    for role in ["buyer", "seller", "admin", "support"] {
        assert!(
            text.contains(role),
            "F4: the red flag must name the {role} role"
        );
    }
}

#[test]
fn diy_fixes_carry_their_settings() {
    let cat = catalog();
    let v = vertical(&cat);
    assert_eq!(v.diy.len(), DIY.len(), "D1-D5: exactly five DIY fixes");
    for DiyRow {
        code,
        title,
        examples,
        thresholds,
        items,
    } in DIY
    {
        let row = format!("{code} {title}");
        let diy = v
            .diy
            .iter()
            .find(|d| d.source.as_deref() == Some(*code))
            .unwrap_or_else(|| panic!("{row}: a [[diy]] entry must cite {code}"));
        for example in *examples {
            assert!(
                diy.examples.iter().any(|e| e == example),
                "{row}: examples must contain {example:?} literally (have {:?})",
                diy.examples
            );
        }
        for t in *thresholds {
            assert!(
                diy.thresholds.iter().any(|x| x == t),
                "{row}: must use threshold {t}"
            );
            assert!(
                v.threshold(t).is_some(),
                "{row}: threshold {t} must be defined"
            );
        }
        for id in *items {
            assert!(
                diy.items.iter().any(|i| i == id),
                "{row}: must name item {id}"
            );
            item(v, id, &row);
        }
    }
    let d1 = v
        .diy
        .iter()
        .find(|d| d.source.as_deref() == Some("D1"))
        .expect("D1");
    let text = lower(&d1.text);
    for place in [
        ".env",
        "ci",
        "logs",
        "issue tracker",
        "screenshots",
        "shared doc",
    ] {
        assert!(text.contains(place), "D1: key search must cover {place}");
    }
    let d5 = v
        .diy
        .iter()
        .find(|d| d.source.as_deref() == Some("D5"))
        .expect("D5");
    let text = lower(&d5.text);
    for leak in [
        "stack trace",
        "internal id",
        "sql",
        "prompt",
        "token",
        "email",
    ] {
        assert!(
            text.contains(leak),
            "D5: public errors must not show {leak}"
        );
    }
}

#[test]
fn thresholds_match_the_seed() {
    let cat = catalog();
    let v = vertical(&cat);

    let p95 = v
        .threshold("latency.p95")
        .expect("S10/A4: threshold latency.p95");
    assert!(matches!(p95.unit, Unit::Ms), "S10/A4: latency.p95 is in ms");
    assert_eq!(
        p95.millis(),
        Some(500.0),
        "S10/A4: p95 under 500 ms on core routes"
    );

    let alert = v
        .threshold("alert.within")
        .expect("S10/A5: threshold alert.within");
    assert!(
        matches!(alert.unit, Unit::Minutes),
        "S10/A5: alert.within is in minutes"
    );
    assert_eq!(alert.number(), Some(5.0), "S10/A5: alerts within 5 minutes");
    assert_eq!(
        alert.millis(),
        Some(300_000.0),
        "S10/A5: 5 minutes is 300 000 ms"
    );

    let limits: &[(&str, f64, Option<&str>, f64)] = &[
        ("ratelimit.login", 10.0, Some("ip"), 10.0),
        ("ratelimit.chat", 30.0, Some("user"), 1.0),
        ("ratelimit.verification_resend", 5.0, None, 60.0),
    ];
    for (id, count, per, window) in limits {
        let row = format!("D3 rate limit {id}");
        let t = v
            .threshold(id)
            .unwrap_or_else(|| panic!("{row}: threshold must be defined"));
        assert!(matches!(t.unit, Unit::Count), "{row}: unit is a count");
        assert_eq!(t.number(), Some(*count), "{row}: count");
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
        v.notes
            .iter()
            .any(|n| n.source.as_deref() == Some("D3") && lower(&n.text).contains("resend")),
        "D3: a note must record the choice of unit for the resend limit"
    );

    let support = v
        .threshold("support.tickets_per_customer")
        .expect("A7: support threshold");
    assert!(
        matches!(support.unit, Unit::Ratio),
        "A7: the support burden is a ratio"
    );
    assert_eq!(
        support.number(),
        Some(0.05),
        "A7: 1 ticket per 20 onboarded customers"
    );

    let dmarc = v
        .threshold("dmarc.min_policy")
        .expect("C6: threshold dmarc.min_policy");
    assert!(
        matches!(dmarc.unit, Unit::Policy),
        "C6: dmarc.min_policy is a policy word"
    );
    assert_eq!(
        dmarc.policy(),
        Some("quarantine"),
        "C6: the example record quarantines"
    );
    assert!(
        v.notes.iter().any(|n| n.text.contains("aspf=s")),
        "C6: a note must say the strict SPF alignment of the example is not required"
    );
}

#[test]
fn item_texts_carry_the_seed_specifics() {
    let cat = catalog();
    let v = vertical(&cat);
    assert_says(
        v,
        "C1 token variants",
        "auth.required",
        &["no token", "expired", "another user", "onboarding"],
    );
    assert_says(
        v,
        "C2 swapped ids",
        "isolation.objects",
        &["workspace_id", "chat_id", "customer_id", "tenant"],
    );
    assert_says(
        v,
        "C2 fix: record id and tenant id",
        "isolation.objects",
        &["record's id", "tenant id", "orm"],
    );
    assert_says(
        v,
        "C3 logs",
        "secrets.logs",
        &["cloudflare", "query string", "header"],
    );
    assert_says(
        v,
        "S4 metadata",
        "input.validation",
        &["metadata", "length", "type", "encoding", "before"],
    );
    assert_says(
        v,
        "C4 payloads",
        "input.validation",
        &[
            "script",
            "json",
            "unicode",
            "sql",
            "ignore previous instructions",
        ],
    );
    assert_says(
        v,
        "S5/C5 chat and onboarding limits",
        "abuse.rate_limit",
        &[
            "per user",
            "ip",
            "chat",
            "onboarding",
            "verification",
            "resend",
            "429",
        ],
    );
    assert_says(v, "S6 CORS with CSRF", "browser.cors", &["csrf"]);
    assert_says(v, "S6 CSRF with CORS", "browser.csrf", &["cors"]);
    assert_says(v, "S7 request ids", "logging.request_ids", &["request id"]);
    assert_says(
        v,
        "C6 root to app redirect",
        "edge.https_redirect",
        &["root domain", "https"],
    );
    assert_says(
        v,
        "C6 real mailbox test",
        "email.delivery",
        &["gmail", "outlook"],
    );
    assert_says(
        v,
        "C6 DMARC alignment",
        "email.dmarc_policy",
        &["quarantine", "aspf=s"],
    );
    assert_says(v, "C5 AI routes tighter", "abuse.spend_caps", &["stricter"]);
    assert_says(v, "C5 queueing for fan-out", "perf.timeouts", &["queue"]);
    assert_says(
        v,
        "F1 example",
        "auth.design",
        &["supabase", "jwt", "cookies"],
    );
}

#[test]
fn onboarding_items_are_vertical_only() {
    let cat = catalog();
    let v = vertical(&cat);
    let e2e = item(v, "onboarding.end_to_end", "A6 onboarding end to end");
    assert!(
        e2e.question.is_some(),
        "A6: onboarding has no probe, so it needs a question"
    );
    assert_says(
        v,
        "A6 devices",
        "onboarding.end_to_end",
        &["phone", "computer", "without"],
    );
    assert_says(v, "A6 desktop", "onboarding.end_to_end", &["desktop"]);
    let support = item(v, "onboarding.support_burden", "A7 support burden");
    assert!(
        support.question.is_some(),
        "A7: the support burden needs a question"
    );
    assert_says(
        v,
        "A7 ratio",
        "onboarding.support_burden",
        &["1 support ticket", "20", "first week"],
    );
    for it in [e2e, support] {
        assert!(
            it.checks.is_empty(),
            "A6/A7: {} has no automated check",
            it.id
        );
        assert_eq!(
            it.phase, "validate",
            "T 36-48: {} is confirmed under live conditions",
            it.id
        );
    }
    assert!(
        matches!(support.area, Area::Monitoring),
        "A7: the support burden is watched after launch"
    );
}

#[test]
fn severities_follow_the_seed() {
    let cat = catalog();
    let v = vertical(&cat);
    let blockers: &[(&str, &str)] = &[
        ("A1 no critical auth bypass", "auth.required"),
        ("S2 cross-customer data leaks", "isolation.objects"),
        ("R1 zero secrets in code", "secrets.repo"),
        (
            "C3 a key shipped to clients is compromised",
            "secrets.client",
        ),
    ];
    for (row, id) in blockers {
        assert!(
            matches!(item(v, id, row).severity, Severity::Blocker),
            "{row}: {id} must be a blocker"
        );
    }
    let at_least_high: &[(&str, &str)] = &[
        ("R1 zero secrets in logs", "secrets.logs"),
        ("R3/A3 SPF, DKIM, DMARC passing", "email.auth"),
        (
            "C6 email failure drops onboarding conversion",
            "email.delivery",
        ),
        ("R4/A5 alerts within 5 minutes", "monitoring.alerts"),
        ("A4 p95 under 500 ms", "perf.latency"),
        ("A6 onboarding end to end", "onboarding.end_to_end"),
        ("F2 risky actions need server approval", "ai.confirmation"),
        ("S5 rate limits on chat and onboarding", "abuse.rate_limit"),
    ];
    for (row, id) in at_least_high {
        assert!(
            matches!(
                item(v, id, row).severity,
                Severity::Blocker | Severity::High
            ),
            "{row}: {id} must be high or blocker"
        );
    }
    assert!(
        !matches!(
            item(v, "edge.cdn", "D2 Cloudflare").severity,
            Severity::Blocker
        ),
        "D2: Cloudflare is a do-it-yourself fix here, not a ready condition"
    );
}

#[test]
fn deliverables_cover_the_map_and_the_list() {
    let cat = catalog();
    let v = vertical(&cat);
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
        assert_eq!(
            d.source.as_deref(),
            Some("M"),
            "{row}: deliverable {d_id} must cite M"
        );
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
            v.deliverables
                .iter()
                .any(|d| lower(&d.title).contains(word)),
            "L {entry}: a deliverable title must name {word:?}"
        );
    }
    assert!(
        v.notes.iter().any(|n| n.source.as_deref() == Some("L")),
        "L: a note must record how the map and the list were merged"
    );
}

#[test]
fn phases_follow_the_hour_ranges() {
    let cat = catalog();
    let v = vertical(&cat);
    assert_eq!(v.phases.len(), TIMELINE.len(), "T: four phases");
    for (n, ((hours, what, id), phase)) in TIMELINE.iter().zip(&v.phases).enumerate() {
        let row = format!("T phase {} ({what})", n + 1);
        assert_eq!(phase.hours, Some(*hours), "{row}: hour range");
        assert_eq!(phase.source.as_deref(), Some("T"), "{row}: must cite T");
        assert_eq!(
            item(v, id, &row).phase,
            phase.id,
            "{row}: item {id} is scheduled here"
        );
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
        v.notes.iter().any(|n| n.source.as_deref() == Some("T")),
        "T: a note must record where the timeline's gaps (auth, email fix) were placed"
    );
}
