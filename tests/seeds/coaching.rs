// Seed coverage for the `coaching` vertical (seed 003: coach and consultant businesses, ready for a
// security review). The tables below were written from the seed, independently of the TOML file:
// each row names where the fact sits in the seed and the checklist entries that must carry it.

use launchready::checklist::{Area, Catalog, Checklist, Severity, Unit};

const VERTICAL: &str = "coaching";

fn catalog() -> Catalog {
    Catalog::builtin().expect("built-in checklists load")
}

fn vertical(catalog: &Catalog) -> &Checklist {
    catalog.get(VERTICAL).expect("coaching vertical present")
}

/// Every item in `ids` exists and cites `code` in its `source`.
fn assert_cites(v: &Checklist, row: &str, code: &str, ids: &[&str]) {
    for id in ids {
        let item = v
            .item(id)
            .unwrap_or_else(|| panic!("{row}: item {id} missing from coaching"));
        assert!(
            item.source.iter().any(|s| s == code),
            "{row}: item {id} must cite {code} (has {:?})",
            item.source
        );
    }
}

fn assert_severity(v: &Checklist, fact: &str, id: &str, want: Severity) {
    let item = v
        .item(id)
        .unwrap_or_else(|| panic!("{fact}: item {id} missing from coaching"));
    assert_eq!(item.severity, want, "{fact}: item {id} must be {want}");
}

/// The item's pass, fix, signal, method, emphasis and question text, lowercased, for wording checks.
fn item_text(v: &Checklist, id: &str) -> String {
    let item = v
        .item(id)
        .unwrap_or_else(|| panic!("item {id} missing from coaching"));
    let mut parts = vec![item.pass.clone(), item.fix.clone(), item.why.clone()];
    parts.extend(item.signal.clone());
    parts.extend(item.method.clone());
    parts.extend(item.emphasis.clone());
    if let Some(q) = &item.question {
        parts.extend([q.text.clone(), q.why.clone(), q.yes.clone()]);
    }
    parts.join("\n").to_lowercase()
}

fn assert_mentions(v: &Checklist, fact: &str, id: &str, words: &[&str]) {
    let text = item_text(v, id);
    for w in words {
        assert!(
            text.contains(&w.to_lowercase()),
            "{fact}: item {id} must mention `{w}`"
        );
    }
}

fn notes_mention(v: &Checklist, word: &str) -> bool {
    v.notes
        .iter()
        .any(|n| n.text.to_lowercase().contains(&word.to_lowercase()))
}

#[test]
fn header_matches_the_seed() {
    let cat = catalog();
    let v = vertical(&cat);
    assert_eq!(v.business, "coach and consultant businesses", "I: business");
    assert_eq!(
        v.ready_for, "security review",
        "I: goal is a security review"
    );
    assert!(
        v.summary.contains('5') && v.summary.to_lowercase().contains("minute"),
        "I: summary must carry the 5-minute self-test"
    );
    assert!(
        v.escalation
            .as_deref()
            .is_some_and(|e| e.to_lowercase().contains("two")),
        "M: escalation rule (more than two failed places)"
    );
}

#[test]
fn quick_scorecard_rows_are_carried() {
    let cat = catalog();
    let v = vertical(&cat);
    let rows: &[(&str, &str, &[&str])] = &[
        (
            "S1 Auth enforced on every API route",
            "S1",
            &["auth.required"],
        ),
        (
            "S2 Object-level authorization",
            "S2",
            &["isolation.objects"],
        ),
        (
            "S3 Secrets removed from frontend",
            "S3",
            &["secrets.client", "secrets.repo"],
        ),
        (
            "S4 Input validation on all chat endpoints",
            "S4",
            &["input.validation"],
        ),
        ("S5 Rate limits enabled", "S5", &["abuse.rate_limit"]),
        ("S6 CORS locked down", "S6", &["browser.cors"]),
        (
            "S7 SSL everywhere",
            "S7",
            &["edge.tls", "edge.https_redirect"],
        ),
        ("S8 Email auth passes", "S8", &["email.auth"]),
        ("S9 Monitoring active", "S9", &["monitoring.alerts"]),
        (
            "S10 Deployment is reproducible",
            "S10",
            &["deploy.reproducible", "deploy.rollback"],
        ),
    ];
    for (row, code, ids) in rows {
        assert_cites(v, row, code, ids);
    }
}

#[test]
fn checks_to_run_first_are_carried() {
    let cat = catalog();
    let v = vertical(&cat);
    let rows: &[(&str, &str, &[&str])] = &[
        ("C1 Auth boundary check", "C1", &["auth.required"]),
        (
            "C2 Object-level access check",
            "C2",
            &["isolation.objects", "isolation.roles"],
        ),
        (
            "C3 Secret exposure check",
            "C3",
            &[
                "secrets.repo",
                "secrets.client",
                "secrets.logs",
                "secrets.rotation",
            ],
        ),
        (
            "C4 Prompt injection and tool abuse",
            "C4",
            &["ai.prompt_injection", "ai.tool_scoping", "ai.confirmation"],
        ),
        (
            "C5 Rate limiting and abuse control",
            "C5",
            &["abuse.rate_limit", "abuse.login_limit", "abuse.email_limit"],
        ),
        (
            "C6 Logging and monitoring check",
            "C6",
            &[
                "logging.security_events",
                "logging.request_ids",
                "logging.redaction",
                "monitoring.triggers",
            ],
        ),
    ];
    for (row, code, ids) in rows {
        assert_cites(v, row, code, ids);
    }
}

#[test]
fn ready_conditions_are_present() {
    let cat = catalog();
    let v = vertical(&cat);
    let rows: &[(&str, &str, &[&str])] = &[
        (
            "R1 no exposed secrets in code, logs, bundles",
            "R1",
            &["secrets.repo", "secrets.client", "secrets.logs"],
        ),
        (
            "R2 users reach only their own chats, files, billing, admin",
            "R2",
            &["isolation.objects"],
        ),
        (
            "R3 broken tokens, missing scopes, replays, unsafe input refused",
            "R3",
            &["auth.replay", "input.validation"],
        ),
        ("R4 SPF, DKIM and DMARC passing", "R4", &["email.auth"]),
        (
            "R5 behind Cloudflare with SSL on every route",
            "R5",
            &["edge.cdn", "edge.tls"],
        ),
        (
            "R6 monitoring for uptime, errors, suspicious traffic",
            "R6",
            &["monitoring.alerts", "monitoring.triggers"],
        ),
        (
            "R7 handover lets the founder explain the system",
            "R7",
            &["handover.document"],
        ),
        (
            "I self-test: prove isolation within 5 minutes",
            "I",
            &["isolation.objects"],
        ),
    ];
    for (row, code, ids) in rows {
        let ready = v
            .ready
            .iter()
            .find(|r| r.source.as_deref() == Some(*code))
            .unwrap_or_else(|| panic!("{row}: no [[ready]] entry with source {code}"));
        for id in *ids {
            assert!(
                ready.items.iter().any(|i| i == id),
                "{row}: [[ready]] {} must list item {id}",
                ready.id
            );
        }
        assert_cites(v, row, code, ids);
    }
}

#[test]
fn red_flags_and_diy_fixes_are_present() {
    let cat = catalog();
    let v = vertical(&cat);
    let flags: &[(&str, &[&str])] = &[
        ("F1", &["secrets.inventory", "secrets.rotation"]),
        ("F2", &["ai.tool_scoping", "ai.confirmation"]),
        ("F3", &["isolation.objects"]),
        ("F4", &["auth.design"]),
        ("F5", &["deploy.reproducible"]),
    ];
    for (code, ids) in flags {
        let flag = v
            .red_flags
            .iter()
            .find(|f| f.source.as_deref() == Some(*code))
            .unwrap_or_else(|| panic!("{code}: no [[red_flag]] with this source"));
        for id in *ids {
            assert!(
                flag.items.iter().any(|i| i == id),
                "{code}: red flag {} must list item {id}",
                flag.id
            );
        }
        assert_cites(v, &format!("{code} red flag"), code, ids);
    }

    let diy: &[(&str, &[&str], &[&str])] = &[
        (
            "D1 Cloudflare now",
            &["edge.cdn", "edge.cloudflare_strict"],
            &["Full (strict)"],
        ),
        ("D2 rotate obvious secrets", &["secrets.rotation"], &[]),
        (
            "D3 lock down email sending",
            &["email.auth"],
            &["SPF: PASS DKIM: PASS DMARC: PASS"],
        ),
        (
            "D4 basic auth tests",
            &["auth.required", "input.validation"],
            &[
                "missing token",
                "expired token",
                "wrong-user token",
                "malformed payload",
                "oversized payload",
            ],
        ),
        (
            "D5 rate-limit the chatbot endpoint",
            &["abuse.rate_limit"],
            &[],
        ),
    ];
    for (row, ids, examples) in diy {
        let code = &row[..2];
        let fix = v
            .diy
            .iter()
            .find(|d| d.source.as_deref() == Some(code))
            .unwrap_or_else(|| panic!("{row}: no [[diy]] with source {code}"));
        for id in *ids {
            assert!(
                fix.items.iter().any(|i| i == id),
                "{row}: diy {} must list item {id}",
                fix.id
            );
        }
        assert_cites(v, row, code, ids);
        for ex in *examples {
            assert!(
                fix.examples.iter().any(|e| e.contains(ex)),
                "{row}: diy {} must give the example `{ex}` (has {:?})",
                fix.id,
                fix.examples
            );
        }
    }
    let d4 = v
        .diy
        .iter()
        .find(|d| d.source.as_deref() == Some("D4"))
        .expect("D4 present");
    assert_eq!(
        d4.examples.len(),
        5,
        "D4: exactly the five basic auth test cases"
    );
}

#[test]
fn thresholds_match_the_seed() {
    let cat = catalog();
    let v = vertical(&cat);

    let proof = v
        .threshold("isolation.proof_within")
        .expect("I: isolation.proof_within present");
    assert_eq!(proof.unit, Unit::Minutes, "I: self-test time is in minutes");
    assert_eq!(proof.number(), Some(5.0), "I: self-test within 5 minutes");
    assert_eq!(
        proof.millis(),
        Some(300_000.0),
        "I: 5 minutes is 300 000 ms"
    );
    assert_eq!(
        proof.source.as_deref(),
        Some("I"),
        "I: isolation.proof_within must cite I"
    );

    let esc = v
        .threshold("escalation.max_failed_places")
        .expect("M: escalation.max_failed_places present");
    assert_eq!(esc.unit, Unit::Count, "M: failed places are a count");
    assert_eq!(esc.number(), Some(2.0), "M: more than two failed places");
    assert_eq!(
        esc.source.as_deref(),
        Some("M"),
        "M: escalation threshold must cite M"
    );

    // The seed states no latency figure: the vertical leaves p95 out and says so.
    assert!(
        v.threshold("latency.p95").is_none(),
        "seed 003 has no p95 figure; latency.p95 must not be set"
    );
    assert!(
        v.item("perf.latency").is_none(),
        "seed 003 has no latency rule; perf.latency is left out"
    );
    assert!(
        notes_mention(v, "latency"),
        "a [[note]] must record why latency is left out"
    );

    // No rate-limit numbers in the seed (only dimensions IP / user / token): none invented.
    for id in [
        "ratelimit.login",
        "ratelimit.chat",
        "ratelimit.verification_resend",
    ] {
        assert!(
            v.threshold(id).is_none(),
            "C5: seed 003 gives no rate-limit numbers; {id} must not be set"
        );
    }
    assert!(
        notes_mention(v, "rate-limit") || notes_mention(v, "ratelimit"),
        "C5: a [[note]] must record the missing numbers"
    );

    // The 5 minutes here is the isolation proof, not an alert deadline.
    assert!(
        v.threshold("alert.within").is_none(),
        "seed 003 sets no alert time; alert.within must not be set"
    );

    // DMARC floor: the seed is silent, so a policy is chosen and noted.
    let dmarc = v
        .threshold("dmarc.min_policy")
        .expect("D3: dmarc.min_policy chosen");
    assert_eq!(dmarc.unit, Unit::Policy);
    assert!(
        matches!(dmarc.policy(), Some("none" | "quarantine" | "reject")),
        "D3: dmarc.min_policy is a DMARC policy word"
    );
    assert!(
        notes_mention(v, "dmarc"),
        "D3: a [[note]] must record the DMARC policy choice"
    );
}

#[test]
fn timeline_and_deliverables_match_the_seed() {
    let cat = catalog();
    let v = vertical(&cat);

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
        assert_eq!(
            phase.source.as_deref(),
            Some("T"),
            "T: phase {} must cite T",
            phase.id
        );
    }
    assert!(
        v.phases
            .last()
            .is_some_and(|p| p.areas.contains(&Area::Handover)),
        "T: handover comes last (36-48)"
    );
    assert!(
        notes_mention(v, "48"),
        "T: a [[note]] must record the 48-hour delivery"
    );

    let deliverables: &[(&str, Area)] = &[
        (
            "domain setup (DNS, redirects, subdomains, routing)",
            Area::Edge,
        ),
        ("email security (SPF, DKIM, DMARC)", Area::Email),
        ("Cloudflare hardening (SSL, caching, DDoS)", Area::Edge),
        (
            "production deployment (env vars handled safely)",
            Area::Deployment,
        ),
        ("secret handling (keys removed, server-side)", Area::Secrets),
        ("monitoring (uptime checks and alerting)", Area::Monitoring),
    ];
    assert_eq!(
        v.deliverables.len(),
        deliverables.len(),
        "L: six deliverable areas"
    );
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
        let item = v.item(id).unwrap_or_else(|| panic!("L: item {id} missing"));
        assert_eq!(
            item.deliverable.as_deref(),
            Some(v.deliverables[2].id.as_str()),
            "L: {id} belongs to Cloudflare hardening"
        );
    }
}

#[test]
fn severities_the_seed_implies() {
    let cat = catalog();
    let v = vertical(&cat);
    assert_severity(
        v,
        "S1/C1 an auth bypass exposes client chats",
        "auth.required",
        Severity::Blocker,
    );
    assert_severity(
        v,
        "S2/C2 cross-account access is serious broken access control",
        "isolation.objects",
        Severity::Blocker,
    );
    assert_severity(
        v,
        "C3 any secret in the browser is already compromised",
        "secrets.client",
        Severity::Blocker,
    );
    assert_severity(
        v,
        "S3 no keys in public repos",
        "secrets.repo",
        Severity::Blocker,
    );
    assert_severity(
        v,
        "R3 replayed requests refused is a ready condition",
        "auth.replay",
        Severity::High,
    );
    assert_severity(
        v,
        "R5 behind Cloudflare is a ready condition",
        "edge.cdn",
        Severity::High,
    );
    assert_severity(
        v,
        "R7 handover is a ready condition",
        "handover.document",
        Severity::High,
    );
    assert_severity(
        v,
        "R6 suspicious-traffic alerts are a ready condition",
        "monitoring.triggers",
        Severity::High,
    );
}

#[test]
fn overrides_carry_the_seed_specifics() {
    let cat = catalog();
    let v = vertical(&cat);
    assert_mentions(
        v,
        "S4 invalid payloads get a 4xx",
        "input.validation",
        &["4xx"],
    );
    assert_mentions(
        v,
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
    );
    assert_mentions(
        v,
        "S7 SSL on every domain and subdomain",
        "edge.tls",
        &["subdomain"],
    );
    assert_mentions(
        v,
        "S7/D1 HTTPS redirects on every subdomain",
        "edge.https_redirect",
        &["subdomain"],
    );
    assert_mentions(
        v,
        "C2 filter by user_id and resource id",
        "isolation.objects",
        &["user_id"],
    );
    assert_mentions(
        v,
        "C6 alerts on 401/403/500 spikes",
        "monitoring.triggers",
        &["401", "403", "500", "suspicious"],
    );
    assert_mentions(
        v,
        "R7 founder explains the system to a reviewer",
        "handover.document",
        &["reviewer"],
    );
    assert_mentions(
        v,
        "stray line: target result of a real-message test",
        "email.delivery",
        &["SPF: PASS DKIM: PASS DMARC: PASS"],
    );
}
