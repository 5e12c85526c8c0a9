//! The assessment model: target and answers files, saving and loading, and scoring.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use launchready::assessment::{self, AnswerValue, Assessment, Store};
use launchready::checklist::{Area, Catalog, Checklist, Item, Phase, Question, Severity};
use launchready::diag::InputError;
use launchready::probe::{ProbeResult, Status};
use launchready::score::{self, DecidedBy, ItemStatus, Verdict};
use launchready::target::TargetFile;

fn fixtures(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(sub)
}

fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000)
}

/// Runs every `bad/*.toml` under `dir`, each starting `# expect: LINE:COL: fragment`.
fn expect_errors(dir: &str, check: impl Fn(&str, &str) -> Result<(), InputError>) {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(fixtures(dir).join("bad"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(!cases.is_empty());
    let mut failures = Vec::new();
    for case in &cases {
        let text = std::fs::read_to_string(case).unwrap();
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let expect = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .expect("# expect: header");
        let (place, fragment) = expect.split_once(": ").unwrap();
        match check(&name, &text) {
            Ok(()) => failures.push(format!("{name}: accepted, expected an error")),
            Err(err) => {
                let got = err.to_string();
                if !got.starts_with(&format!("{name}:{place}: ")) || !got.contains(fragment) || err.hint.is_empty() {
                    failures.push(format!("{name}:\n  want {name}:{place}: …{fragment}\n  got  {got}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---- target file ---------------------------------------------------------------------------

#[test]
fn the_design_target_file_parses_whole() {
    let path = fixtures("targets/full.toml");
    let target = TargetFile::load(&path, launchready::checklist::VERTICALS).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(target.product.name, "Acme Chat");
    assert_eq!(target.product.client.as_deref(), Some("Acme Ltd"));
    assert_eq!(target.target.private_routes[0].path, "/api/conversations/{id}");
    assert_eq!(target.target.chat.as_ref().unwrap().reply, "/reply");
    assert_eq!(target.auth.token_a_env.as_deref(), Some("LAUNCHREADY_TOKEN_A"));
    assert!(target.active.allowed);
    assert_eq!(target.active.max_requests, 60);
}

#[test]
fn a_minimal_target_needs_only_the_product() {
    let target = TargetFile::load(&fixtures("targets/minimal.toml"), launchready::checklist::VERTICALS).unwrap();
    assert!(target.target.domain.is_none());
    assert!(!target.active.allowed, "active probes are off unless allowed");
    assert_eq!(target.active.max_requests, launchready::target::DEFAULT_MAX_REQUESTS);
}

#[test]
fn target_errors_name_file_line_and_column() {
    expect_errors("targets", |name, text| {
        TargetFile::parse(name, text, launchready::checklist::VERTICALS).map(|_| ())
    });
}

#[test]
fn a_token_written_into_the_target_is_never_echoed() {
    let text = std::fs::read_to_string(fixtures("targets/bad/token-value.toml")).unwrap();
    let err = TargetFile::parse("t.toml", &text, launchready::checklist::VERTICALS).unwrap_err();
    assert!(!err.to_string().contains("eyJ"), "{err}");
}

#[test]
fn target_repo_paths_are_relative_to_the_file_and_must_exist() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("app/dist")).unwrap();
    let file = dir.path().join("t.toml");
    let head = "[product]\nname = \"A\"\nvertical = \"ecommerce\"\n\n[target]\n";
    std::fs::write(&file, format!("{head}repo = \"app\"\nbuild_dir = \"dist\"\n")).unwrap();
    let target = TargetFile::load(&file, launchready::checklist::VERTICALS).unwrap();
    assert_eq!(target.target.repo.as_deref(), Some(dir.path().join("app").as_path()));

    std::fs::write(&file, format!("{head}repo = \"missing\"\n")).unwrap();
    let err = TargetFile::load(&file, launchready::checklist::VERTICALS).unwrap_err();
    assert_eq!(err.position, Some((6, 8)), "{err}");
    assert!(err.message.contains("does not exist"), "{err}");

    std::fs::write(&file, format!("{head}repo = \"app\"\nbuild_dir = \"build\"\n")).unwrap();
    let err = TargetFile::load(&file, launchready::checklist::VERTICALS).unwrap_err();
    assert_eq!(err.position, Some((7, 13)), "{err}");
}

// ---- answers file --------------------------------------------------------------------------

fn b2b() -> Checklist {
    Catalog::builtin().unwrap().get("b2b-service").unwrap().clone()
}

#[test]
fn answers_file_parses_every_answer_word() {
    let checklist = b2b();
    let text = std::fs::read_to_string(fixtures("answers/good.toml")).unwrap();
    let answers = assessment::parse_answers("good.toml", &text, &checklist).unwrap_or_else(|e| panic!("{e}"));
    let values: Vec<AnswerValue> = answers.iter().map(|a| a.value).collect();
    assert_eq!(
        values,
        [
            AnswerValue::No,
            AnswerValue::Yes,
            AnswerValue::Unsure,
            AnswerValue::NotApplicable
        ]
    );
    assert_eq!(
        answers[0].note.as_deref(),
        Some("Restore is manual; takes about an hour.")
    );
    assert_eq!(answers[1].note, None);
}

#[test]
fn answers_errors_name_file_line_and_column() {
    let checklist = b2b();
    expect_errors("answers", |name, text| {
        assessment::parse_answers(name, text, &checklist).map(|_| ())
    });
}

// ---- saving and loading --------------------------------------------------------------------

fn sample(checklist: &Checklist) -> Assessment {
    let target = TargetFile::load(&fixtures("targets/full.toml"), launchready::checklist::VERTICALS).unwrap();
    let mut a = Assessment::new(target, checklist, t0());
    a.answer(
        "deploy.rollback",
        AnswerValue::No,
        Some("Manual; about an hour.".into()),
        t0(),
    );
    a.record(result("api.auth_required", Status::Fail));
    a
}

fn result(id: &str, status: Status) -> ProbeResult {
    ProbeResult {
        id: id.to_string(),
        status,
        title: format!("{id} title"),
        summary: format!("{id} was {status:?}"),
        evidence: vec![launchready::probe::Evidence {
            label: "GET /api/conversations/1".into(),
            value: "200 OK".into(),
        }],
        fix: None,
        at: assessment::timestamp(t0()),
    }
}

#[test]
fn an_assessment_round_trips_through_its_file() {
    let checklist = b2b();
    let a = sample(&checklist);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path().to_path_buf());
    let path = store.path_for(&a);
    assert!(path.starts_with(dir.path().join("acme-ltd")), "{}", path.display());
    Store::save(&a, &path).unwrap();
    let back = Assessment::load(&path).unwrap();
    assert_eq!(back, a);
    assert_eq!(back.schema, assessment::SCHEMA);
    assert_eq!(back.checklist.hash, checklist.hash);
    assert_eq!(back.tool.version, env!("CARGO_PKG_VERSION"));
    assert!(!back.is_stale(&checklist));
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[test]
fn a_crash_mid_save_leaves_the_previous_file_intact() {
    let checklist = b2b();
    let mut a = sample(&checklist);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.json");
    Store::save(&a, &path).unwrap();
    let before = std::fs::read(&path).unwrap();

    // The writer dies after writing part of the new file, before it is synced and renamed.
    a.answer("monitoring.alerts", AnswerValue::Yes, None, t0());
    let bytes = serde_json::to_vec_pretty(&a).unwrap();
    let crashed = launchready::fsio::write_atomic(&path, &bytes, |file| {
        use std::io::Write;
        file.write_all(b"{ half a file")?;
        Err(std::io::Error::other("simulated crash"))
    });
    assert!(crashed.is_err());
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the previous file must be untouched"
    );
    assert_eq!(Assessment::load(&path).unwrap().answers.len(), 1);

    // A temporary file left by a writer that was killed outright is ignored by listing.
    std::fs::write(dir.path().join(".a.json.999.tmp"), b"{ half").unwrap();
    let store = Store::new(dir.path().parent().unwrap().to_path_buf());
    let listed = store.list().unwrap();
    assert!(listed.iter().all(|l| !l.path.to_string_lossy().ends_with(".tmp")));
}

#[test]
fn corrupt_and_future_files_are_refused_and_never_overwritten() {
    let checklist = b2b();
    let a = sample(&checklist);
    let dir = tempfile::tempdir().unwrap();

    let corrupt = dir.path().join("corrupt.json");
    std::fs::write(&corrupt, b"{\n  \"schema\": 1,\n  \"tool\": oops\n}\n").unwrap();
    let err = Assessment::load(&corrupt).unwrap_err();
    assert_eq!(err.position, Some((3, 11)), "{err}");
    assert!(err.message.contains("corrupt"), "{err}");
    assert!(Store::save(&a, &corrupt).is_err());
    assert_eq!(
        std::fs::read(&corrupt).unwrap(),
        b"{\n  \"schema\": 1,\n  \"tool\": oops\n}\n"
    );

    let future = dir.path().join("future.json");
    let mut value = serde_json::to_value(&a).unwrap();
    value["schema"] = serde_json::json!(assessment::SCHEMA + 1);
    value["hologram"] = serde_json::json!(true);
    let future_bytes = serde_json::to_vec(&value).unwrap();
    std::fs::write(&future, &future_bytes).unwrap();
    let err = Assessment::load(&future).unwrap_err();
    assert!(err.message.contains("newer launchready"), "{err}");
    assert!(Store::save(&a, &future).is_err());
    assert_eq!(std::fs::read(&future).unwrap(), future_bytes);

    let binary = dir.path().join("binary.json");
    std::fs::write(&binary, [0u8, 159, 146, 150, 0, 1]).unwrap();
    assert!(Assessment::load(&binary).is_err());
}

#[test]
fn assessments_of_several_clients_live_side_by_side() {
    let checklist = b2b();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path().to_path_buf());
    let mut saved = Vec::new();
    for (client, product) in [
        (Some("Acme Ltd"), "Acme Chat"),
        (Some("Acme Ltd"), "Acme Chat"),
        (Some("Beta GmbH"), "Beta Bot"),
        (None, "Solo"),
    ] {
        let mut a = sample(&checklist);
        a.target.product.client = client.map(str::to_string);
        a.target.product.name = product.to_string();
        let path = store.path_for(&a);
        Store::save(&a, &path).unwrap();
        saved.push(path);
    }
    // Two assessments of the same product in the same second get distinct files.
    assert_ne!(saved[0], saved[1]);
    std::fs::write(dir.path().join("acme-ltd/broken.json"), b"not json").unwrap();
    let listed = store.list().unwrap();
    assert_eq!(listed.len(), 5);
    assert_eq!(listed.iter().filter(|l| l.assessment.is_err()).count(), 1);
    let clients: Vec<Option<String>> = listed
        .iter()
        .filter_map(|l| l.assessment.as_ref().ok())
        .map(|a| a.target.product.client.clone())
        .collect();
    assert_eq!(clients.iter().filter(|c| c.as_deref() == Some("Acme Ltd")).count(), 2);
    assert!(clients.contains(&Some("Beta GmbH".into())) && clients.contains(&None));
}

// ---- scoring -------------------------------------------------------------------------------

fn item(id: &str, area: Area, severity: Severity, checks: &[&str]) -> Item {
    Item {
        id: id.to_string(),
        title: id.to_string(),
        area,
        severity,
        checks: checks.iter().map(|c| (*c).to_string()).collect(),
        pass: String::new(),
        why: String::new(),
        breaks: String::new(),
        signal: None,
        method: None,
        fix: String::new(),
        question: Some(Question {
            text: "?".into(),
            why: String::new(),
            yes: String::new(),
        }),
        emphasis: None,
        alternative: None,
        thresholds: vec![],
        source: vec![],
        phase: "all".into(),
        deliverable: None,
    }
}

fn toy() -> Checklist {
    let mut c = b2b();
    c.items = vec![
        item("auth.required", Area::Auth, Severity::Blocker, &["api.auth_required"]),
        item(
            "email.auth",
            Area::Email,
            Severity::High,
            &["email.spf", "email.dkim", "email.dmarc"],
        ),
        item("deploy.rollback", Area::Deployment, Severity::High, &[]),
        item("handover.document", Area::Handover, Severity::Medium, &[]),
        item(
            "browser.headers",
            Area::Browser,
            Severity::Low,
            &["http.security_headers"],
        ),
    ];
    c.phases = vec![Phase {
        id: "all".into(),
        title: "All".into(),
        text: String::new(),
        hours: None,
        areas: Area::ALL.to_vec(),
        source: None,
    }];
    c
}

fn fresh(c: &Checklist) -> Assessment {
    let target = TargetFile::load(&fixtures("targets/minimal.toml"), launchready::checklist::VERTICALS).unwrap();
    Assessment::new(target, c, t0())
}

#[test]
fn nothing_decided_is_not_a_verdict() {
    let c = toy();
    let a = fresh(&c);
    let card = score::score(&c, &a);
    assert_eq!(card.verdict, Verdict::Incomplete);
    assert_eq!(card.counts.open, 5);
    assert_eq!(card.overall, None);
    assert!(card.areas.iter().all(|a| a.score.is_none()));
}

#[test]
fn a_failed_blocker_pauses_the_launch() {
    let c = toy();
    let mut a = fresh(&c);
    a.record(result("api.auth_required", Status::Fail));
    let card = score::score(&c, &a);
    assert_eq!(card.verdict, Verdict::NotReady);
    assert_eq!(card.blockers, ["auth.required"]);
    assert!(card.blocker_failed());
}

#[test]
fn a_failed_high_item_is_not_ready_but_not_a_blocker() {
    let c = toy();
    let mut a = fresh(&c);
    a.record(result("api.auth_required", Status::Pass));
    a.answer("deploy.rollback", AnswerValue::No, None, t0());
    let card = score::score(&c, &a);
    assert_eq!(card.verdict, Verdict::NotReady);
    assert!(card.blockers.is_empty());
    assert_eq!(card.must_fix, ["deploy.rollback"]);
    assert!(!card.blocker_failed());
}

#[test]
fn everything_gating_decided_and_passing_is_ready() {
    let c = toy();
    let mut a = fresh(&c);
    a.record(result("api.auth_required", Status::Pass));
    for id in ["email.spf", "email.dkim"] {
        a.record(result(id, Status::Pass));
    }
    a.record(result("email.dmarc", Status::Warn));
    a.answer("deploy.rollback", AnswerValue::Yes, None, t0());
    let card = score::score(&c, &a);
    assert_eq!(
        card.verdict,
        Verdict::Ready,
        "open low/medium items do not hold the verdict back"
    );
    assert_eq!(card.item("email.auth").unwrap().status, ItemStatus::Warn);
    // Email: one high item at warn earns half.
    let email = card.areas.iter().find(|s| s.area == Area::Email).unwrap();
    assert_eq!(email.score, Some(50));
}

#[test]
fn a_probe_error_never_counts_as_a_pass() {
    let c = toy();
    let mut a = fresh(&c);
    a.record(result("api.auth_required", Status::Error));
    a.answer("deploy.rollback", AnswerValue::Yes, None, t0());
    for id in ["email.spf", "email.dkim", "email.dmarc"] {
        a.record(result(id, Status::Pass));
    }
    let card = score::score(&c, &a);
    assert_eq!(card.item("auth.required").unwrap().status, ItemStatus::Error);
    assert_eq!(card.verdict, Verdict::Incomplete);
    assert_eq!(card.undecided, ["auth.required"]);
    // An error among passes still is not a pass, and a fail outranks an error.
    assert_eq!(score::combine([Status::Pass, Status::Error]), Some(ItemStatus::Error));
    assert_eq!(score::combine([Status::Error, Status::Fail]), Some(ItemStatus::Fail));
    assert_eq!(score::combine([Status::Skipped]), None);
    // The user may decide an item the probe could not.
    a.answer("auth.required", AnswerValue::Yes, None, t0());
    let card = score::score(&c, &a);
    let s = card.item("auth.required").unwrap();
    assert_eq!((s.status, s.decided_by), (ItemStatus::Pass, DecidedBy::Answer));
    assert_eq!(card.verdict, Verdict::Ready);
}

#[test]
fn overriding_a_probe_needs_a_note_and_is_kept() {
    let c = toy();
    let mut a = fresh(&c);
    a.record(result("http.security_headers", Status::Fail));
    a.answer("browser.headers", AnswerValue::Yes, Some("   ".into()), t0());
    let card = score::score(&c, &a);
    let s = card.item("browser.headers").unwrap();
    assert_eq!(s.status, ItemStatus::Fail, "a blank note does not override");
    assert!(s.override_refused);
    assert!(s.override_.is_none());

    a.answer(
        "browser.headers",
        AnswerValue::Yes,
        Some("Headers are set at the CDN for the app host.".into()),
        t0(),
    );
    let card = score::score(&c, &a);
    let s = card.item("browser.headers").unwrap();
    assert_eq!((s.status, s.decided_by), (ItemStatus::Pass, DecidedBy::Override));
    let o = s.override_.as_ref().unwrap();
    assert_eq!((o.probe, o.answer), (ItemStatus::Fail, AnswerValue::Yes));
    assert!(o.note.contains("CDN"));

    // Agreeing answers confirm; "not sure" never overrides.
    a.answer("browser.headers", AnswerValue::No, None, t0());
    assert_eq!(
        score::score(&c, &a).item("browser.headers").unwrap().decided_by,
        DecidedBy::ProbeConfirmed
    );
    a.answer("browser.headers", AnswerValue::Unsure, None, t0());
    assert_eq!(
        score::score(&c, &a).item("browser.headers").unwrap().status,
        ItemStatus::Fail
    );
}

#[test]
fn not_applicable_items_leave_the_score() {
    let c = toy();
    let mut a = fresh(&c);
    a.answer("handover.document", AnswerValue::No, None, t0());
    let card = score::score(&c, &a);
    assert_eq!(
        card.areas.iter().find(|s| s.area == Area::Handover).unwrap().score,
        Some(0)
    );
    a.answer("handover.document", AnswerValue::NotApplicable, None, t0());
    let card = score::score(&c, &a);
    let handover = card.areas.iter().find(|s| s.area == Area::Handover).unwrap();
    assert_eq!(handover.score, None);
    assert_eq!(handover.counts.not_applicable, 1);
    // n/a against a probe's verdict is an override and needs a note too.
    a.record(result("http.security_headers", Status::Fail));
    a.answer("browser.headers", AnswerValue::NotApplicable, None, t0());
    assert_eq!(
        score::score(&c, &a).item("browser.headers").unwrap().status,
        ItemStatus::Fail
    );
    a.answer(
        "browser.headers",
        AnswerValue::NotApplicable,
        Some("No browser front end.".into()),
        t0(),
    );
    assert_eq!(
        score::score(&c, &a).item("browser.headers").unwrap().status,
        ItemStatus::NotApplicable
    );
}

#[test]
fn unsure_answers_hold_the_verdict_and_score_as_not_passing() {
    let c = toy();
    let mut a = fresh(&c);
    a.record(result("api.auth_required", Status::Pass));
    for id in ["email.spf", "email.dkim", "email.dmarc"] {
        a.record(result(id, Status::Pass));
    }
    a.answer("deploy.rollback", AnswerValue::Unsure, None, t0());
    let card = score::score(&c, &a);
    assert_eq!(card.verdict, Verdict::Incomplete);
    assert_eq!(
        card.areas.iter().find(|s| s.area == Area::Deployment).unwrap().score,
        Some(0)
    );
}

/// Regression: a failing row showed the summary of a passing check of the same item.
#[test]
fn the_markdown_finding_is_the_deciding_checks() {
    let c = toy();
    let mut a = fresh(&c);
    a.record(result("email.spf", Status::Pass));
    a.record(result("email.dkim", Status::Fail));
    let md = launchready::report::markdown::render(&launchready::report::build(&c, &a)).unwrap();
    let row = md
        .lines()
        .find(|l| l.contains("| email.auth |"))
        .expect("the email row");
    assert!(row.contains("email.dkim was Fail"), "{row}");
}
