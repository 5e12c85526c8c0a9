//! The email and DNS probes against a DNS server started inside the test on loopback.

mod common;

use std::time::Duration;

use common::dns::{Zone, serve};
use launchready::probe::ProbeCtx;
use launchready::probe::dns::{Answer, Dns, DnsError, Resolve};

fn ctx(addr: std::net::SocketAddr) -> ProbeCtx {
    ProbeCtx {
        resolver: Some(addr),
        timeout: Duration::from_millis(400),
        attempts: 2,
        ..ProbeCtx::default()
    }
}

#[tokio::test]
async fn the_resolver_reads_records_and_tells_absence_from_failure() {
    let mut zone = Zone::new();
    zone.txt("acme.example", &["v=spf1 -all", "hello"])
        .txt_parts(
            "multi.acme.example",
            &["v=spf1 include:a.example ", "include:b.example -all"],
        )
        .mx("acme.example", 10, "mx1.acme.example")
        .a("mx1.acme.example", "192.0.2.10")
        .a("mx1.acme.example", "2001:db8::10")
        .servfail("broken.acme.example");
    // A record too big for UDP arrives over TCP.
    let big = format!(
        "v=spf1 {} -all",
        (0..60)
            .map(|i| format!("ip4:198.51.100.{i}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    zone.txt("big.acme.example", &[&big, &big]);
    let server = serve(zone).await;
    let dns = Dns::new(&ctx(server.addr)).unwrap();

    let txt = dns.txt("acme.example").await.unwrap().records();
    assert_eq!(txt.len(), 2);
    assert!(txt.contains(&"v=spf1 -all".to_string()));
    assert_eq!(
        dns.txt("multi.acme.example").await.unwrap(),
        Answer::Found(vec!["v=spf1 include:a.example include:b.example -all".to_string()])
    );
    assert_eq!(
        dns.mx("acme.example").await.unwrap(),
        Answer::Found(vec![(10, "mx1.acme.example".to_string())])
    );
    assert_eq!(dns.addresses("mx1.acme.example").await.unwrap().records().len(), 2);
    assert_eq!(dns.txt("nothing.example").await.unwrap(), Answer::NxDomain);
    assert_eq!(dns.mx("multi.acme.example").await.unwrap(), Answer::NoRecords);
    assert_eq!(dns.txt("broken.acme.example").await, Err(DnsError::ServFail));
    assert_eq!(
        dns.txt("big.acme.example").await.unwrap().records(),
        vec![big.clone(), big]
    );
    assert!(server.queries().iter().any(|(n, _)| n == "big.acme.example"));
}

#[tokio::test]
async fn a_server_that_never_answers_is_an_error_within_the_timeout() {
    let mut zone = Zone::new();
    zone.silent_all();
    let server = serve(zone).await;
    let dns = Dns::new(&ctx(server.addr)).unwrap();
    // The resolver's own timeout ends the query; the outer bound only guards against a hang.
    let answer = tokio::time::timeout(Duration::from_secs(60), dns.txt("acme.example")).await;
    assert_eq!(
        answer.expect("the query ended on its own timeout"),
        Err(DnsError::Timeout)
    );
}

// ---- the whole email probe ------------------------------------------------------------------

use launchready::probe::email::{self, EmailOptions};
use launchready::probe::{ProbeResult, Status};

/// A domain that gets everything right.
fn good_zone(domain: &str) -> Zone {
    let mut z = Zone::new();
    z.mx(domain, 1, "mx1.mailhost.example")
        .mx(domain, 5, "mx2.mailhost.example")
        .a("mx1.mailhost.example", "192.0.2.25")
        .a("mx2.mailhost.example", "192.0.2.26")
        .a(domain, "192.0.2.80")
        .txt(
            domain,
            &[
                "v=spf1 include:_spf.mailhost.example ~all",
                "google-site-verification=abc",
            ],
        )
        .txt(
            "_spf.mailhost.example",
            &["v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all"],
        )
        .txt(
            &format!("google._domainkey.{domain}"),
            &[&format!("v=DKIM1; k=rsa; p={}", common::rsa_spki_base64(2048))],
        )
        .txt(
            &format!("_dmarc.{domain}"),
            &[&format!("v=DMARC1; p=reject; rua=mailto:dmarc@{domain}")],
        )
        .caa_issue(domain, "letsencrypt.org");
    z
}

async fn run(zone: Zone, domain: &str, options: &EmailOptions) -> Vec<ProbeResult> {
    let server = serve(zone).await;
    let dns = Dns::new(&ctx(server.addr)).unwrap();
    tokio::time::timeout(Duration::from_secs(120), email::check(domain, &dns, options))
        .await
        .expect("the probe ends by itself")
}

fn get<'a>(results: &'a [ProbeResult], id: &str) -> &'a ProbeResult {
    results
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no {id} in {results:#?}"))
}

fn evidence<'a>(r: &'a ProbeResult, label_part: &str) -> Option<&'a str> {
    r.evidence
        .iter()
        .find(|e| e.label.contains(label_part))
        .map(|e| e.value.as_str())
}

async fn with(domain: &str, change: impl FnOnce(&mut Zone)) -> Vec<ProbeResult> {
    let mut zone = good_zone(domain);
    change(&mut zone);
    run(zone, domain, &EmailOptions::default()).await
}

/// A zone map without one name's TXT records: rebuild the good zone minus `skip`.
fn good_zone_without_txt(domain: &str, skip: &str) -> Zone {
    let mut z = Zone::new();
    z.mx(domain, 1, "mx1.mailhost.example")
        .a("mx1.mailhost.example", "192.0.2.25")
        .a(domain, "192.0.2.80");
    if skip != domain {
        z.txt(domain, &["v=spf1 include:_spf.mailhost.example ~all"]);
    }
    z.txt("_spf.mailhost.example", &["v=spf1 ip4:192.0.2.0/24 -all"]);
    if skip != "dkim" {
        z.txt(
            &format!("google._domainkey.{domain}"),
            &[&format!("v=DKIM1; k=rsa; p={}", common::rsa_spki_base64(2048))],
        );
    }
    if skip != "dmarc" {
        z.txt(&format!("_dmarc.{domain}"), &["v=DMARC1; p=quarantine"]);
    }
    z
}

#[tokio::test]
async fn a_fully_good_domain_passes_every_check() {
    let results = run(good_zone("acme.example"), "acme.example", &EmailOptions::default()).await;
    assert_eq!(results.len(), 5);
    for r in &results {
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert!(!r.summary.is_empty() && !r.at.is_empty());
    }
    let dkim = get(&results, "email.dkim");
    assert!(
        dkim.evidence
            .iter()
            .any(|e| e.label.contains("google") && e.value.contains("2048")),
        "{dkim:#?}"
    );
}

#[tokio::test]
async fn missing_spf_fails() {
    let results = run(
        good_zone_without_txt("acme.example", "acme.example"),
        "acme.example",
        &EmailOptions::default(),
    )
    .await;
    assert_eq!(get(&results, "email.spf").status, Status::Fail);
}

#[tokio::test]
async fn two_spf_records_fail() {
    let results = with("acme.example", |z| {
        z.txt("acme.example", &["v=spf1 include:other.example -all"]);
    })
    .await;
    let spf = get(&results, "email.spf");
    assert_eq!(spf.status, Status::Fail, "{spf:#?}");
}

#[tokio::test]
async fn more_than_ten_lookups_through_nested_includes_fail() {
    let results = with("acme.example", |z| {
        z.set_txt(
            "_spf.mailhost.example",
            &["v=spf1 include:l1.example include:l2.example -all"],
        );
        for i in 1..=2 {
            z.txt(
                &format!("l{i}.example"),
                &[&format!(
                    "v=spf1 a:h{i}a.example a:h{i}b.example a:h{i}c.example include:n{i}.example -all"
                )],
            );
            z.txt(
                &format!("n{i}.example"),
                &[&format!("v=spf1 mx:m{i}.example a:h{i}d.example -all")],
            );
            for h in ["a", "b", "c", "d"] {
                z.a(&format!("h{i}{h}.example"), "192.0.2.1");
            }
            z.mx(&format!("m{i}.example"), 1, "mx1.mailhost.example");
        }
    })
    .await;
    let spf = get(&results, "email.spf");
    assert_eq!(spf.status, Status::Fail, "{spf:#?}");
    // include _spf + 2 × (include l + 3 a + include n + mx + a) = 15.
    assert!(
        evidence(spf, "DNS lookups").is_some_and(|v| v.starts_with("15 of 10")),
        "{spf:#?}"
    );
    assert!(
        evidence(spf, "tree").is_some_and(|v| v.contains("n2.example")),
        "{spf:#?}"
    );
}

#[tokio::test]
async fn more_than_two_void_lookups_fail() {
    let results = with("acme.example", |z| {
        z.set_txt(
            "_spf.mailhost.example",
            &["v=spf1 a:gone1.example a:gone2.example a:gone3.example -all"],
        );
    })
    .await;
    let spf = get(&results, "email.spf");
    assert_eq!(spf.status, Status::Fail, "{spf:#?}");
    assert!(
        evidence(spf, "void").is_some_and(|v| v.starts_with("3 of 2")),
        "{spf:#?}"
    );
}

#[tokio::test]
async fn an_include_loop_fails() {
    let results = with("acme.example", |z| {
        z.set_txt("_spf.mailhost.example", &["v=spf1 include:loop.example -all"]);
        z.txt("loop.example", &["v=spf1 include:_spf.mailhost.example -all"]);
    })
    .await;
    let spf = get(&results, "email.spf");
    assert_eq!(spf.status, Status::Fail, "{spf:#?}");
    assert!(spf.summary.to_lowercase().contains("loop"), "{spf:#?}");
}

#[tokio::test]
async fn plus_all_fails_and_question_all_warns() {
    for (record, status) in [
        ("v=spf1 include:_spf.mailhost.example +all", Status::Fail),
        ("v=spf1 include:_spf.mailhost.example ?all", Status::Warn),
    ] {
        let mut zone = good_zone_without_txt("acme.example", "acme.example");
        zone.txt("acme.example", &[record]);
        let results = run(zone, "acme.example", &EmailOptions::default()).await;
        assert_eq!(get(&results, "email.spf").status, status, "{record}");
    }
}

#[tokio::test]
async fn spf_syntax_errors_fail_with_their_position() {
    let mut zone = good_zone_without_txt("acme.example", "acme.example");
    zone.txt("acme.example", &["v=spf1 ip4:192.0.2.1/33 -all"]);
    let results = run(zone, "acme.example", &EmailOptions::default()).await;
    let spf = get(&results, "email.spf");
    assert_eq!(spf.status, Status::Fail, "{spf:#?}");
    assert!(
        spf.summary.contains("ip4:192.0.2.1/33") || spf.evidence.iter().any(|e| e.value.contains("ip4:192.0.2.1/33")),
        "{spf:#?}"
    );
}

#[tokio::test]
async fn dmarc_policies_are_judged_by_the_vertical_rule() {
    let mut zone = good_zone_without_txt("acme.example", "dmarc");
    zone.txt("_dmarc.acme.example", &["v=DMARC1; p=none"]);
    let results = run(zone.clone(), "acme.example", &EmailOptions::default()).await;
    assert_eq!(get(&results, "email.dmarc").status, Status::Warn);
    // A vertical that accepts monitor-only while testing (ecommerce) passes it.
    let lenient = EmailOptions {
        min_dmarc_policy: Some("none".into()),
        ..EmailOptions::default()
    };
    let results = run(zone, "acme.example", &lenient).await;
    assert_eq!(get(&results, "email.dmarc").status, Status::Pass);
}

#[tokio::test]
async fn malformed_and_missing_dmarc_fail() {
    let mut zone = good_zone_without_txt("acme.example", "dmarc");
    zone.txt("_dmarc.acme.example", &["v=DMARC1; p=sometimes"]);
    let results = run(zone, "acme.example", &EmailOptions::default()).await;
    assert_eq!(get(&results, "email.dmarc").status, Status::Fail);
    let results = run(
        good_zone_without_txt("acme.example", "dmarc"),
        "acme.example",
        &EmailOptions::default(),
    )
    .await;
    assert_eq!(get(&results, "email.dmarc").status, Status::Fail);
}

#[tokio::test]
async fn dmarc_is_inherited_from_the_organisational_domain() {
    let mut zone = good_zone_without_txt("mail.acme.example", "dmarc");
    zone.txt("_dmarc.acme.example", &["v=DMARC1; p=reject"])
        .txt("acme.example", &["v=spf1 -all"]);
    let results = run(zone, "mail.acme.example", &EmailOptions::default()).await;
    let dmarc = get(&results, "email.dmarc");
    assert_eq!(dmarc.status, Status::Pass, "{dmarc:#?}");
    assert!(format!("{dmarc:?}").contains("_dmarc.acme.example"), "{dmarc:#?}");
}

#[tokio::test]
async fn external_report_addresses_need_authorisation() {
    let mut zone = good_zone_without_txt("acme.example", "dmarc");
    zone.txt(
        "_dmarc.acme.example",
        &["v=DMARC1; p=reject; rua=mailto:reports@dmarc-vendor.example"],
    );
    let results = run(zone.clone(), "acme.example", &EmailOptions::default()).await;
    assert_eq!(get(&results, "email.dmarc").status, Status::Warn);
    zone.txt("acme.example._report._dmarc.dmarc-vendor.example", &["v=DMARC1"]);
    let results = run(zone, "acme.example", &EmailOptions::default()).await;
    assert_eq!(get(&results, "email.dmarc").status, Status::Pass);
}

#[tokio::test]
async fn dkim_revoked_and_short_keys() {
    let mut zone = good_zone_without_txt("acme.example", "dkim");
    zone.txt("google._domainkey.acme.example", &["v=DKIM1; k=rsa; p="]);
    let results = run(zone, "acme.example", &EmailOptions::default()).await;
    assert_eq!(get(&results, "email.dkim").status, Status::Fail, "revoked");

    let mut zone = good_zone_without_txt("acme.example", "dkim");
    zone.txt(
        "s1._domainkey.acme.example",
        &[&format!("v=DKIM1; k=rsa; p={}", common::rsa_spki_base64(1024))],
    );
    let results = run(zone, "acme.example", &EmailOptions::default()).await;
    let dkim = get(&results, "email.dkim");
    assert_eq!(dkim.status, Status::Warn, "1024-bit: {dkim:#?}");
    assert!(format!("{dkim:?}").contains("1024"));

    // None found under any selector: a question, not a failure.
    let results = run(
        good_zone_without_txt("acme.example", "dkim"),
        "acme.example",
        &EmailOptions::default(),
    )
    .await;
    assert_eq!(get(&results, "email.dkim").status, Status::Warn);

    // The user's own selector is tried too.
    let mut zone = good_zone_without_txt("acme.example", "dkim");
    zone.txt(
        "custom2026._domainkey.acme.example",
        &[&format!("v=DKIM1; p={}", common::rsa_spki_base64(2048))],
    );
    let options = EmailOptions {
        selectors: vec!["custom2026".into()],
        ..EmailOptions::default()
    };
    let results = run(zone, "acme.example", &options).await;
    assert_eq!(get(&results, "email.dkim").status, Status::Pass);
}

#[tokio::test]
async fn null_mx_and_caa() {
    let results = with("acme.example", |_| {}).await;
    assert_eq!(get(&results, "dns.caa").status, Status::Pass);

    let mut zone = good_zone_without_txt("acme.example", "");
    zone.mx("noreply.example", 0, ".")
        .txt("noreply.example", &["v=spf1 -all"]);
    let results = run(zone, "noreply.example", &EmailOptions::default()).await;
    let mx = get(&results, "email.mx");
    assert_eq!(mx.status, Status::Warn, "{mx:#?}");
    assert!(mx.summary.contains("null MX"), "{mx:#?}");
    assert_eq!(get(&results, "dns.caa").status, Status::Warn, "no CAA anywhere");
}

#[tokio::test]
async fn a_silent_resolver_and_servfail_give_errors_not_verdicts() {
    let mut zone = Zone::new();
    zone.silent_all();
    let results = run(zone, "acme.example", &EmailOptions::default()).await;
    assert_eq!(results.len(), 5);
    assert!(results.iter().all(|r| r.status == Status::Error), "{results:#?}");

    let mut zone = good_zone("acme.example");
    zone.servfail("acme.example");
    let results = run(zone, "acme.example", &EmailOptions::default()).await;
    assert!(results.iter().all(|r| r.status == Status::Error), "{results:#?}");
    assert!(results[0].summary.contains("SERVFAIL"), "{results:#?}");
}

#[tokio::test]
async fn a_domain_that_does_not_exist_says_so() {
    let results = run(good_zone("acme.example"), "acme-typo.example", &EmailOptions::default()).await;
    assert!(
        results
            .iter()
            .all(|r| r.status == Status::Error && r.summary.contains("does not exist")),
        "{results:#?}"
    );
}

#[tokio::test]
async fn one_servfail_name_only_affects_its_own_check() {
    let mut zone = good_zone("acme.example");
    zone.servfail("_dmarc.acme.example");
    let results = run(zone, "acme.example", &EmailOptions::default()).await;
    assert_eq!(get(&results, "email.dmarc").status, Status::Error);
    assert_eq!(get(&results, "email.spf").status, Status::Pass);
}

// ---- the command line -----------------------------------------------------------------------

fn launchready(args: Vec<String>) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_launchready"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[tokio::test]
async fn probe_email_json_follows_the_design_shape() {
    let server = serve(good_zone("acme.example")).await;
    let args = vec![
        "--resolver".into(),
        server.addr.to_string(),
        "probe".into(),
        "email".into(),
        "ACME.example.".into(),
        "--format".into(),
        "json".into(),
    ];
    let out = tokio::task::spawn_blocking(move || launchready(args)).await.unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&doc), ["checks", "target", "tool"]);
    assert_eq!(doc["tool"]["name"], "launchready");
    assert_eq!(doc["target"]["domain"], "acme.example");
    let checks = doc["checks"].as_array().unwrap();
    let ids: Vec<&str> = checks.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["email.mx", "email.spf", "email.dkim", "email.dmarc", "dns.caa"]);
    for c in checks {
        assert_eq!(keys(c), ["evidence", "fix", "id", "status", "summary", "title"]);
        assert_eq!(c["status"], "pass", "{c}");
        for e in c["evidence"].as_array().unwrap() {
            assert_eq!(keys(e), ["label", "value"]);
        }
    }
}

/// `probe email acme.example` (text output) against a loopback DNS server whose SPF record is
/// `spf` and whose other records are good.
async fn probe_email_text_with_spf(spf: &str) -> std::process::Output {
    let mut zone = good_zone_without_txt("acme.example", "acme.example");
    zone.txt("acme.example", &[spf]);
    let server = serve(zone).await;
    let args = vec![
        "--resolver".into(),
        server.addr.to_string(),
        "probe".into(),
        "email".into(),
        "acme.example".into(),
    ];
    tokio::task::spawn_blocking(move || launchready(args)).await.unwrap()
}

#[tokio::test]
async fn probe_email_text_explains_and_exits_zero_on_findings() {
    let out = probe_email_text_with_spf("v=spf1 +all").await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "findings are data, not a failure of the tool"
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("✘ FAIL  SPF record  (email.spf)"), "{text}");
    assert!(text.contains("fix:"), "{text}");
    assert!(!text.contains('\u{1b}'), "NO_COLOR is honoured");
}

#[test]
fn probe_email_refuses_bad_input_with_exit_2() {
    for args in [
        vec!["probe", "email", "https://acme.example"],
        vec!["--resolver", "not-an-ip", "probe", "email", "acme.example"],
        vec!["--timeout", "0", "probe", "email", "acme.example"],
        vec!["probe", "email", "acme.example", "--vertical", "b2c"],
    ] {
        let out = launchready(args.iter().map(|s| (*s).to_string()).collect());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("error: ") && err.contains("hint:"), "{args:?}: {err}");
    }
}

#[test]
fn probe_message_reads_real_headers() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/messages");
    let run = |file: &str| {
        let out = launchready(vec![
            "probe".into(),
            "message".into(),
            dir.join(file).display().to_string(),
            "--format".into(),
            "json".into(),
        ]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        doc["checks"][0].clone()
    };
    let pass = run("pass.eml");
    assert_eq!(pass["id"], "email.message_auth");
    assert_eq!(pass["status"], "pass", "{pass}");
    assert!(pass.to_string().contains("acme.example"));
    let fail = run("fail.eml");
    assert_eq!(fail["status"], "fail", "{fail}");
    let summary = fail["summary"].as_str().unwrap().to_lowercase();
    assert!(
        summary.contains("spf") && summary.contains("dkim") && summary.contains("dmarc"),
        "{fail}"
    );
    assert_eq!(run("no-results.txt")["status"], "error");

    let out = launchready(vec!["probe".into(), "message".into(), "/nonexistent.eml".into()]);
    assert_eq!(out.status.code(), Some(2));
}

/// Regression: a hostile TXT record's control characters reached the terminal raw.
#[tokio::test]
async fn control_characters_in_records_never_reach_the_terminal() {
    let out = probe_email_text_with_spf("v=spf1 include:\u{1b}]0;pwned\u{7} -all").await;
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{text:?}");
    assert!(text.contains("\\u{1b}"), "shown escaped: {text}");
}
