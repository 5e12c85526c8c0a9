//! Reports: one fixture assessment per vertical rendered to Markdown, PDF, JSON and SARIF;
//! hostile text rendered literally; no secret in any format; `diff` classification.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use launchready::assessment::{AnswerValue, Assessment};
use launchready::checklist::{Catalog, Checklist};
use launchready::probe::Status;
use launchready::report::diff;
use launchready::report::model::{self, Options};
use launchready::report::{Format, render};
use launchready::score::{self, ItemStatus};
use pulldown_cmark::{Event, Options as MdOptions, Parser, Tag, TagEnd};

mod common;
use common::reports::{fixture, result, t0, target};

fn checklists() -> Vec<Checklist> {
    Catalog::builtin().unwrap().all().to_vec()
}

fn text_of(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).expect("text formats are UTF-8")
}

/// The PDF's text, when `pdftotext` is installed (CI installs poppler-utils).
fn pdf_text(pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-layout"])
        .arg(&file)
        .arg("-")
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Whitespace runs collapsed, so text wrapped across lines still matches; zero-width spaces
/// (the PDF template's invisible break opportunities in long strings) removed.
fn squash(text: &str) -> String {
    text.replace('\u{200b}', "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The tables of a Markdown document: rows of cell texts, the header row first.
fn tables(md: &str) -> Vec<Vec<Vec<String>>> {
    let options = MdOptions::ENABLE_TABLES | MdOptions::ENABLE_TASKLISTS | MdOptions::ENABLE_STRIKETHROUGH;
    let mut all = Vec::new();
    let mut table: Option<Vec<Vec<String>>> = None;
    let mut cell: Option<String> = None;
    for event in Parser::new_ext(md, options) {
        match event {
            Event::Start(Tag::Table(_)) => table = Some(Vec::new()),
            Event::End(TagEnd::Table) => all.push(table.take().unwrap()),
            Event::Start(Tag::TableHead | Tag::TableRow) => table.as_mut().unwrap().push(Vec::new()),
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => {
                let text = cell.take().unwrap();
                table.as_mut().unwrap().last_mut().unwrap().push(text);
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(c) = cell.as_mut() {
                    c.push_str(&t);
                }
            }
            _ => {}
        }
    }
    all
}

fn scorecard_table(md: &str) -> Vec<Vec<String>> {
    tables(md)
        .into_iter()
        .find(|t| {
            t.first()
                .is_some_and(|h| h.len() == 5 && h[0] == "Status" && h[1] == "Item")
        })
        .expect("the scorecard table")
}

#[test]
fn every_vertical_renders_to_all_four_formats() {
    for checklist in checklists() {
        let a = fixture(&checklist);
        let card = score::score(&checklist, &a);
        assert!(card.blocker_failed(), "{}: the fixture fails a blocker", checklist.id);
        let options = Options {
            target_file: Some("targets/acme assistant.toml".into()),
            ..Options::default()
        };
        let report = model::build(&checklist, &a, &options);

        // Markdown: parses, and the scorecard table has every item, literally.
        let md = text_of(render(Format::Markdown, &report, None).unwrap());
        let table = scorecard_table(&md);
        assert_eq!(
            table.len() - 1,
            checklist.items.len(),
            "{}: one row per item",
            checklist.id
        );
        for (row, s) in table[1..].iter().zip(&card.items) {
            assert_eq!(row.len(), 5, "{}: {row:?}", checklist.id);
            assert_eq!(row[1], s.item.title, "{}", checklist.id);
            assert!(row[0].ends_with(s.status.label()), "{}: {row:?}", checklist.id);
        }
        for phase in report.timeline.phases.iter().filter(|p| !p.tasks.is_empty()) {
            assert!(
                md.contains(&format!("### {}", phase.title)),
                "{}: {}",
                checklist.id,
                phase.title
            );
        }
        assert!(md.contains("## Handover checklist") && md.contains("- [ ] "));

        // JSON: the whole model.
        let json: serde_json::Value = serde_json::from_slice(&render(Format::Json, &report, None).unwrap()).unwrap();
        assert_eq!(json["schema"], 1);
        assert_eq!(json["scorecard"].as_array().unwrap().len(), checklist.items.len());
        assert_eq!(json["cover"]["verdict"]["id"], "not-ready");
        assert!(!json["handover"].as_array().unwrap().is_empty());

        // SARIF: valid against the 2.1.0 schema, one result per check that ran.
        let sarif: serde_json::Value = serde_json::from_slice(&render(Format::Sarif, &report, None).unwrap()).unwrap();
        validate_sarif(&sarif);
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        let ran: BTreeSet<&str> = a
            .probes
            .keys()
            .map(String::as_str)
            .filter(|c| checklist.check_ids().contains(c))
            .collect();
        assert!(results.len() >= ran.len(), "{}", checklist.id);
        let spf = results
            .iter()
            .find(|r| r["ruleId"] == "email.spf")
            .expect("the failed SPF check is a result");
        assert_eq!(spf["kind"], "fail");
        assert_eq!(
            spf["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "targets/acme%20assistant.toml"
        );

        // The effort is the length of each phase's window, summed over phases with work.
        let windows: Option<u32> = report
            .timeline
            .phases
            .iter()
            .filter(|p| !p.tasks.is_empty())
            .map(|p| p.hours.map(|[from, to]| to - from))
            .sum();
        assert_eq!(report.timeline.effort_hours, windows, "{}", checklist.id);

        // PDF: the verdict, every failed blocker and every phase with work.
        let pdf = render(Format::Pdf, &report, None).unwrap();
        assert!(pdf.starts_with(b"%PDF"), "{}", checklist.id);
        if let Some(text) = pdf_text(&pdf) {
            let text = squash(&text);
            assert!(text.to_lowercase().contains("not ready"), "{}", checklist.id);
            for b in &report.summary.blockers {
                assert!(
                    text.contains(&squash(&b.title)),
                    "{}: blocker {}",
                    checklist.id,
                    b.title
                );
            }
            for phase in report.timeline.phases.iter().filter(|p| !p.tasks.is_empty()) {
                assert!(
                    text.contains(&squash(&phase.title)),
                    "{}: phase {}",
                    checklist.id,
                    phase.title
                );
            }
        } else {
            eprintln!("pdftotext is not installed: the PDF's text was not checked");
        }
    }
}

/// The SARIF 2.1.0 JSON schema, as shipped in the `serde-sarif` crate's sources.
fn sarif_schema() -> serde_json::Value {
    // Only this platform's packages: the others' sources need not be on this machine.
    let rustc = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("-vV")
        .output()
        .expect("rustc runs");
    let host = String::from_utf8_lossy(&rustc.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .expect("rustc -vV names the host");
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--offline",
            "--filter-platform",
            &host,
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let manifest = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "serde-sarif")
        .and_then(|p| p["manifest_path"].as_str())
        .expect("serde-sarif is a dev-dependency");
    let schema = PathBuf::from(manifest).parent().unwrap().join("src/schema.json");
    serde_json::from_slice(&std::fs::read(&schema).unwrap()).unwrap()
}

fn validate_sarif(sarif: &serde_json::Value) {
    static VALIDATOR: std::sync::OnceLock<jsonschema::Validator> = std::sync::OnceLock::new();
    let validator = VALIDATOR.get_or_init(|| {
        let mut schema = sarif_schema();
        // The published schema's `language` patterns (run, toolComponent) have a stray `]`, which ECMA-262 regex
        // syntax (what JSON Schema specifies) rejects; this is the pattern it means. We never
        // write `language`, so the fix cannot hide a problem of ours.
        for def in ["run", "toolComponent"] {
            schema["definitions"][def]["properties"]["language"]["pattern"] = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".into();
        }
        jsonschema::validator_for(&schema).expect("the schema compiles")
    });
    let errors: Vec<String> = validator
        .iter_errors(sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF schema errors: {errors:#?}");
    // And the typed model generated from the same schema reads it back.
    let typed: serde_sarif::sarif::Sarif = serde_json::from_value(sarif.clone()).expect("serde-sarif reads the log");
    assert_eq!(typed.runs.len(), 1);
    assert_eq!(sarif["version"], "2.1.0");
}

const HOSTILE: &str = "Evil | co <script>alert(1)</script> #panic(\"x\") ] [ $x$ @ref <lab> \\ *b* _i_ [l](http://x) ![i](y) `code` ~~s~~ {{ x }} &amp; مرحبا بالعالم";

fn hostile_assessment(checklist: &Checklist) -> (Assessment, String) {
    let long_word = "W".repeat(300);
    let name = format!("{HOSTILE} {long_word}");
    let mut a = Assessment::new(target(&checklist.id, &name, HOSTILE), checklist, t0());
    let item = &checklist.items[0];
    a.answer(
        &item.id,
        AnswerValue::No,
        Some(format!("{HOSTILE}\nsecond line | cell")),
        t0(),
    );
    (a, name)
}

#[test]
fn hostile_text_renders_literally_in_markdown() {
    let checklist = Catalog::builtin().unwrap().require("ecommerce").unwrap().clone();
    let (a, name) = hostile_assessment(&checklist);
    let report = model::build(&checklist, &a, &Options::default());
    let md = text_of(render(Format::Markdown, &report, None).unwrap());
    let options = MdOptions::ENABLE_TABLES | MdOptions::ENABLE_TASKLISTS | MdOptions::ENABLE_STRIKETHROUGH;
    for event in Parser::new_ext(&md, options) {
        match event {
            Event::Html(h) | Event::InlineHtml(h) => panic!("HTML got through: {h}"),
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                panic!("a link got through: {dest_url}")
            }
            Event::Start(Tag::Strikethrough) => panic!("strikethrough got through"),
            _ => {}
        }
    }
    let cover = &tables(&md)[0];
    assert_eq!(cover[1], vec!["Product".to_string(), name.clone()]);
    assert_eq!(cover[2], vec!["Client".to_string(), HOSTILE.to_string()]);
    let row = &scorecard_table(&md)[1];
    assert_eq!(row.len(), 5, "a pipe in a note split the row: {row:?}");
    assert_eq!(row[4], format!("Answered no: {HOSTILE} second line | cell"));
}

#[test]
fn hostile_text_renders_literally_in_pdf_json_and_sarif() {
    let checklist = Catalog::builtin().unwrap().require("coaching").unwrap().clone();
    let (a, name) = hostile_assessment(&checklist);
    let report = model::build(&checklist, &a, &Options::default());
    let json: serde_json::Value = serde_json::from_slice(&render(Format::Json, &report, None).unwrap()).unwrap();
    assert_eq!(json["cover"]["product"], name);
    validate_sarif(&serde_json::from_slice(&render(Format::Sarif, &report, None).unwrap()).unwrap());
    let pdf = render(Format::Pdf, &report, None).expect("hostile text still renders");
    assert!(pdf.starts_with(b"%PDF"));
    if let Some(text) = pdf_text(&pdf) {
        let text = squash(&text);
        for piece in [
            "Evil | co <script>alert(1)</script>",
            "#panic(\"x\")",
            "$x$ @ref <lab>",
            "*b* _i_",
            "{{ x }}",
        ] {
            let around = text.find("Evil").map_or("", |i| &text[i..(i + 300).min(text.len())]);
            assert!(text.contains(piece), "{piece:?} missing from the PDF text: {around}");
        }
    }
}

const SECRET_NOTE: &str = "sk-proj-Zq8hN2vLx0RkT4bWm9YcJd3FsA7pGe5UiO1nKtVy";
const SECRET_EVIDENCE: &str = "sk_live_51HxQ2eLkJ8vN3mR7tY0uI9oP";
const SECRET_HIDDEN: &str = "sk-proj-Hd7Lq2Wv9Xc4Rb8Nf1Tg6Yj3Km5Ps0Az";

#[test]
fn no_secret_appears_in_any_format() {
    let checklist = Catalog::builtin().unwrap().require("b2b-service").unwrap().clone();
    let mut a = fixture(&checklist);
    a.record(
        result(
            "api.error_leakage",
            Status::Fail,
            &format!("The error page shows a key: {SECRET_EVIDENCE}"),
        )
        .evidence(
            "GET /boom",
            format!("500 Internal Server Error\nSTRIPE_KEY={SECRET_EVIDENCE}"),
        ),
    );
    let item = checklist.items.iter().find(|i| i.checks.is_empty()).unwrap();
    a.answer(
        &item.id,
        AnswerValue::No,
        Some(format!("our key is {SECRET_NOTE}, please rotate")),
        t0(),
    );
    let report = model::build(&checklist, &a, &Options::default());
    for format in Format::ALL {
        let bytes = render(format, &report, None).unwrap();
        // Whitespace and the PDF's invisible break opportunities removed, so a key split over
        // lines or marked for breaking is still found.
        let text = if format == Format::Pdf {
            match pdf_text(&bytes) {
                Some(t) => squash(&t).replace(' ', ""),
                None => continue,
            }
        } else {
            text_of(bytes)
        };
        assert!(!text.contains('\u{202e}'), "a direction override reached {format:?}");
        for secret in [
            SECRET_NOTE,
            SECRET_EVIDENCE,
            SECRET_HIDDEN,
            &SECRET_NOTE[..20],
            &SECRET_EVIDENCE[..16],
            &SECRET_HIDDEN[14..],
        ] {
            assert!(!text.contains(secret), "{secret} leaked into {format:?}");
        }
        // The redacted preview says what was there.
        assert!(
            text.contains("sk-p…") || format == Format::Sarif,
            "{format:?} lost the redacted preview"
        );
    }
}

fn statuses(checklist: &Checklist, a: &Assessment) -> std::collections::BTreeMap<String, ItemStatus> {
    score::score(checklist, a)
        .items
        .iter()
        .map(|s| (s.item.id.clone(), s.status))
        .collect()
}

#[test]
fn diff_says_what_was_fixed_regressed_new_and_unchanged() {
    let checklist = Catalog::builtin().unwrap().require("marketplace").unwrap().clone();
    let questions: Vec<&str> = checklist
        .items
        .iter()
        .filter(|i| i.checks.is_empty())
        .map(|i| i.id.as_str())
        .collect();
    let (fixed, regressed, new, same_fail, same_pass, unchecked, worse) = (
        questions[0],
        questions[1],
        questions[2],
        questions[3],
        questions[4],
        questions[5],
        questions[6],
    );
    let mut old = Assessment::new(target("marketplace", "Acme", "Acme Ltd"), &checklist, t0());
    old.answer(fixed, AnswerValue::No, None, t0());
    old.answer(regressed, AnswerValue::Yes, None, t0());
    old.answer(same_fail, AnswerValue::No, None, t0());
    old.answer(same_pass, AnswerValue::Yes, None, t0());
    old.answer(unchecked, AnswerValue::Yes, None, t0());
    old.answer(worse, AnswerValue::Unsure, None, t0());
    let later = t0() + Duration::from_secs(86_400 * 7);
    let mut new_a = Assessment::new(target("marketplace", "Acme", "Acme Ltd"), &checklist, later);
    new_a.answer(fixed, AnswerValue::Yes, None, later);
    new_a.answer(regressed, AnswerValue::Unsure, None, later);
    new_a.answer(new, AnswerValue::No, None, later);
    new_a.answer(same_fail, AnswerValue::No, None, later);
    new_a.answer(same_pass, AnswerValue::Yes, None, later);
    new_a.answer(worse, AnswerValue::No, None, later);

    let c = diff::diff((&checklist, &old), (&checklist, &new_a));
    let ids = |list: &[diff::Change]| list.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&c.fixed), vec![fixed.to_string()]);
    let mut got = ids(&c.regressed);
    got.sort();
    let mut want = vec![regressed.to_string(), worse.to_string()];
    want.sort();
    assert_eq!(got, want, "pass → unsure and unsure → fail both regress");
    assert_eq!(ids(&c.new), vec![new.to_string()]);
    assert_eq!(ids(&c.unchecked), vec![unchecked.to_string()]);
    assert!(c.removed.is_empty());
    let unchanged = ids(&c.unchanged);
    assert!(unchanged.contains(&same_fail.to_string()) && unchanged.contains(&same_pass.to_string()));
    assert_eq!(
        c.still_failing().map(|c| c.id.clone()).collect::<Vec<_>>(),
        vec![same_fail.to_string()]
    );
    // Every item of the new checklist lands in exactly one list.
    let total = c.fixed.len() + c.regressed.len() + c.new.len() + c.unchecked.len() + c.unchanged.len();
    assert_eq!(total, statuses(&checklist, &new_a).len());

    // Nothing changed: nothing listed but unchanged.
    let same = diff::diff((&checklist, &new_a), (&checklist, &new_a));
    assert!(same.is_empty());
    assert!(diff::render_text(&same).contains("Nothing was fixed, regressed or added."));

    // The report carries the changes, in every format.
    let report = model::build(
        &checklist,
        &new_a,
        &Options {
            changes: Some(c),
            ..Options::default()
        },
    );
    let md = text_of(render(Format::Markdown, &report, None).unwrap());
    assert!(md.contains("## Since the last assessment"), "{md}");
    let fixed_title = &checklist.item(fixed).unwrap().title;
    let section = &md[md.find("### Fixed").unwrap()..];
    assert!(section[..section.find("### Regressed").unwrap()].contains(fixed_title.as_str()));
}

#[test]
fn an_undecided_report_still_names_three_next_steps() {
    let checklist = Catalog::builtin().unwrap().require("internal-ops").unwrap().clone();
    let a = Assessment::new(target("internal-ops", "Ops Bot", "Acme Ltd"), &checklist, t0());
    let report = model::build(&checklist, &a, &Options::default());
    assert_eq!(report.cover.verdict.id, score::Verdict::Incomplete);
    assert_eq!(report.summary.next_steps.len(), 3);
    for step in &report.summary.next_steps {
        assert!(step.first_step.starts_with("Find out: "), "{}", step.first_step);
        assert!(
            matches!(step.severity, launchready::checklist::Severity::Blocker),
            "blockers first"
        );
    }
    // Nothing decided: no area claims a score, and none counts as decided.
    assert!(report.areas.iter().all(|a| a.score.is_none() && a.decided == 0));
}
