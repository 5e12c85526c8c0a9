//! The PDF report: it compiles, says what the report model says (read back with `pdftotext`),
//! and prints hostile user text literally.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime};

use launchready::assessment::{AnswerValue, Assessment};
use launchready::checklist::{Catalog, Checklist};
use launchready::probe::{Evidence, ProbeResult, Status};
use launchready::report::diff;
use launchready::report::model::{self, Brand, Options, Report};
use launchready::report::pdf::{self, Logo};
use launchready::target::TargetFile;

const TARGET: &str = r#"
[product]
name = "Basket Buddy"
vertical = "ecommerce"
client = "Northwind Goods Ltd"

[target]
domain = "northwind.example"
app_url = "https://shop.northwind.example"
api_base = "https://api.northwind.example"
health_path = "/health"
"#;

const HOSTILE: &str = "#panic(\"x\") ] $x$ @ref <lab> \\ *b* | <b>html</b>";

fn ecommerce() -> Checklist {
    Catalog::builtin().unwrap().get("ecommerce").unwrap().clone()
}

fn at(days: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000 + days * 86_400)
}

fn probe(id: &str, status: Status, title: &str, summary: &str, evidence: &[(&str, &str)]) -> ProbeResult {
    ProbeResult {
        id: id.to_string(),
        status,
        title: title.to_string(),
        summary: summary.to_string(),
        evidence: evidence.iter().map(|(l, v)| Evidence::new(*l, *v)).collect(),
        fix: (status == Status::Fail).then(|| "Require a login on every conversation route.".to_string()),
        at: launchready::assessment::timestamp(at(1)),
    }
}

/// A partly failing ecommerce assessment: blockers answered "no", a note, probe results with
/// long DNS records and an HTTP exchange.
fn assessment(checklist: &Checklist, product: &str, note: &str) -> Assessment {
    let text = TARGET.replace("Basket Buddy", &product.replace('\\', "\\\\").replace('"', "\\\""));
    let target = TargetFile::parse("t.toml", &text, launchready::checklist::VERTICALS).unwrap();
    let mut a = Assessment::new(target, checklist, at(0));
    let answers = [
        ("secrets.logs", AnswerValue::No, Some(note)),
        ("ai.tool_scoping", AnswerValue::No, None),
        (
            "perf.timeouts",
            AnswerValue::No,
            Some("The model call has no timeout at all."),
        ),
        ("logging.request_ids", AnswerValue::No, None),
        ("secrets.rotation", AnswerValue::Unsure, None),
        ("secrets.repo", AnswerValue::Yes, None),
        (
            "deploy.rollback",
            AnswerValue::Yes,
            Some("One click in the hosting dashboard."),
        ),
        ("monitoring.alerts", AnswerValue::Yes, None),
        ("email.delivery", AnswerValue::NotApplicable, None),
        ("ai.confirmation", AnswerValue::Yes, None),
    ];
    for (item, value, note) in answers {
        a.answer(item, value, note.map(str::to_string), at(1));
    }
    let spf = "v=spf1 include:_spf.google.com include:sendgrid.net include:mailgun.org ip4:192.0.2.0/24 ~all";
    let dkim = format!(
        "v=DKIM1; k=rsa; p={}",
        "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA".repeat(6)
    );
    let exchange = "GET /api/conversations/1 HTTP/1.1\nHost: api.northwind.example\n\nHTTP/1.1 200 OK\ncontent-type: application/json\n{\"id\":1,\"messages\":[{\"role\":\"user\",\"text\":\"where is my order?\"}]}";
    for result in [
        probe(
            "api.auth_required",
            Status::Fail,
            "Private routes need a login",
            "GET /api/conversations/1 answered 200 with no login.",
            &[("Request without login", exchange)],
        ),
        probe(
            "email.spf",
            Status::Pass,
            "SPF record",
            "One SPF record, ending in ~all.",
            &[("TXT northwind.example", spf)],
        ),
        probe(
            "email.dkim",
            Status::Pass,
            "DKIM key published",
            "A 2048-bit key for selector google.",
            &[("TXT google._domainkey.northwind.example", &dkim)],
        ),
        probe(
            "email.dmarc",
            Status::Warn,
            "DMARC policy",
            "DMARC is p=none: failing mail is still delivered.",
            &[(
                "TXT _dmarc.northwind.example",
                "v=DMARC1; p=none; rua=mailto:dmarc@northwind.example",
            )],
        ),
        probe(
            "tls.certificate",
            Status::Pass,
            "Certificate",
            "Valid for 61 more days.",
            &[("Expires", "2027-01-05")],
        ),
        probe(
            "http.hsts",
            Status::Fail,
            "HSTS header",
            "No Strict-Transport-Security header.",
            &[],
        ),
        probe(
            "api.latency",
            Status::Pass,
            "Response time",
            "p95 of 20 requests: 310 ms.",
            &[],
        ),
        probe(
            "api.object_authz",
            Status::Error,
            "Another user's records",
            "Could not decide: the second test token was not set.",
            &[],
        ),
    ] {
        a.record(result);
    }
    a
}

fn report(product: &str, note: &str, brand: Brand) -> Report {
    let checklist = ecommerce();
    let new = assessment(&checklist, product, note);
    let mut old = assessment(&checklist, product, note);
    old.answer("secrets.repo", AnswerValue::No, None, at(0));
    old.answer("perf.timeouts", AnswerValue::Yes, None, at(0));
    let changes = diff::diff((&checklist, &old), (&checklist, &new));
    model::build(
        &checklist,
        &new,
        &Options {
            brand,
            changes: Some(changes),
            target_file: None,
        },
    )
}

fn branded() -> Brand {
    Brand {
        name: Some("Clearpath Consulting".into()),
        contact: Some("hello@clearpath.example".into()),
        logo: true,
    }
}

fn logo() -> Logo {
    let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="32" viewBox="0 0 120 32"><rect width="32" height="32" rx="6" fill="#1e3a5f"/><path d="M8 17l6 6 11-13" stroke="#fff" stroke-width="4" fill="none"/><text x="40" y="22" font-size="14" fill="#1e3a5f">Clearpath</text></svg>"##;
    Logo {
        bytes: svg.as_bytes().to_vec(),
        ext: "svg".into(),
    }
}

/// The PDF's text with all whitespace (and zero-width breaks) removed, or `None` without
/// `pdftotext`.
fn text_of(pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, pdf).unwrap();
    let Ok(out) = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
    else {
        eprintln!("note: pdftotext is not installed; skipping the text checks");
        return None;
    };
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    Some(squash(&String::from_utf8_lossy(&out.stdout)))
}

fn squash(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{200b}' && *c != '\u{ad}')
        .collect()
}

fn assert_shows(text: &str, wanted: &str) {
    assert!(text.contains(&squash(wanted)), "the PDF does not show {wanted:?}");
}

#[test]
fn the_pdf_says_what_the_report_says() {
    let report = report("Basket Buddy", "Tokens were printed by the debug logger.", branded());
    let started = std::time::Instant::now();
    let pdf = pdf::render(&report, Some(&logo())).unwrap();
    eprintln!("rendered {} bytes in {:?}", pdf.len(), started.elapsed());
    assert!(pdf.starts_with(b"%PDF"));
    let Some(text) = text_of(&pdf) else { return };
    assert_shows(&text, &report.cover.verdict.label.to_uppercase());
    assert_shows(&text, "Clearpath Consulting");
    assert!(!report.summary.blockers.is_empty());
    for blocker in &report.summary.blockers {
        assert_shows(&text, &blocker.title);
    }
    for phase in report.timeline.phases.iter().filter(|p| !p.tasks.is_empty()) {
        assert_shows(&text, &phase.title);
    }
    assert_shows(&text, "Tokens were printed by the debug logger.");
    assert_shows(&text, "Since the last assessment");
}

#[test]
fn hostile_text_prints_literally() {
    let long = "w".repeat(300);
    let arabic = "مرحبا بالعالم";
    let product = format!("{HOSTILE} {arabic}");
    let note = format!("{HOSTILE} {long} {arabic} שלום");
    let report = report(&product, &note, Brand::default());
    let pdf = pdf::render(&report, None).unwrap_or_else(|e| panic!("{e:#}"));
    assert!(pdf.starts_with(b"%PDF"));
    let Some(text) = text_of(&pdf) else { return };
    assert_shows(&text, HOSTILE);
    assert_shows(&text, &long);
    // Right-to-left runs come back in visual or logical order depending on the extractor;
    // check that the letters are there.
    for word in ["مرحبا", "שלום"] {
        let reversed: String = word.chars().rev().collect();
        assert!(
            text.contains(word) || text.contains(&reversed),
            "the PDF does not show {word}"
        );
    }
}

#[test]
fn a_png_logo_and_an_unbranded_ready_report_render() {
    // A 1×1 PNG.
    let png: &[u8] = &[
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00,
        0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x90, 0xb3, 0x8a, 0xff, 0x0f, 0x00, 0x02, 0xe8, 0x01, 0xb7,
        0x52, 0xdc, 0x95, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ];
    let checklist = ecommerce();
    let target = TargetFile::parse("t.toml", TARGET, launchready::checklist::VERTICALS).unwrap();
    let a = Assessment::new(target, &checklist, at(0));
    let report = model::build(
        &checklist,
        &a,
        &Options {
            brand: Brand {
                logo: true,
                ..Brand::default()
            },
            changes: None,
            target_file: None,
        },
    );
    let logo = Logo {
        bytes: png.to_vec(),
        ext: "PNG".into(),
    };
    let pdf = pdf::render(&report, Some(&logo)).unwrap_or_else(|e| panic!("{e:#}"));
    assert!(pdf.starts_with(b"%PDF"));
    if let Some(text) = text_of(&pdf) {
        assert_shows(&text, &report.cover.verdict.label.to_uppercase());
    }
}

/// Writes a sample report for a person to look at:
/// `cargo test --test pdf -- --ignored --nocapture write_sample` (path from
/// `LAUNCHREADY_SAMPLE_PDF`, default `/tmp/sample.pdf`).
#[test]
#[ignore = "writes a file for a person to look at"]
fn write_sample() {
    let report = report("Basket Buddy", "Tokens were printed by the debug logger.", branded());
    let started = std::time::Instant::now();
    let pdf = pdf::render(&report, Some(&logo())).unwrap_or_else(|e| panic!("{e:#}"));
    let cold = started.elapsed();
    let started = std::time::Instant::now();
    pdf::render(&report, Some(&logo())).unwrap();
    eprintln!("cold {cold:?}, warm {:?}", started.elapsed());
    let path = std::env::var("LAUNCHREADY_SAMPLE_PDF").unwrap_or_else(|_| "/tmp/sample.pdf".into());
    std::fs::write(Path::new(&path), pdf).unwrap();
    eprintln!("wrote {path}");
}

/// Writes the hostile-text report for a person to look at (`/tmp/hostile.pdf`).
#[test]
#[ignore = "writes a file for a person to look at"]
fn write_hostile_sample() {
    let long = "w".repeat(300);
    let product = format!("{HOSTILE} مرحبا بالعالم");
    let note = format!("{HOSTILE} {long} مرحبا بالعالم שלום");
    let report = report(&product, &note, Brand::default());
    std::fs::write("/tmp/hostile.pdf", pdf::render(&report, None).unwrap()).unwrap();
}
