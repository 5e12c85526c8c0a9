//! The built binary as a user runs it: output, exit codes and error messages.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn launchready(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_launchready"))
        .args(args)
        .env_remove("LAUNCHREADY_DATA_DIR")
        .env_remove("LAUNCHREADY_BRAND")
        .env_remove("LAUNCHREADY_BRAND_CONTACT")
        .env_remove("LAUNCHREADY_BRAND_LOGO")
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(path)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn checklists_list_shows_the_five_verticals() {
    let o = launchready(&["checklists", "list"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    for (id, goal) in [
        ("b2b-service", "production traffic"),
        ("ecommerce", "production traffic"),
        ("internal-ops", "production traffic"),
        ("coaching", "security review"),
        ("marketplace", "customer onboarding"),
    ] {
        let line = out
            .lines()
            .find(|l| l.starts_with(id))
            .unwrap_or_else(|| panic!("{id} missing:\n{out}"));
        assert!(line.contains(goal), "{line}");
    }
}

#[test]
fn checklists_validate_passes_on_the_builtins() {
    let o = launchready(&["checklists", "validate"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().filter(|l| l.starts_with("ok ")).count(), 5);
}

#[test]
fn checklists_show_reads_in_a_terminal_and_as_json() {
    let o = launchready(&["checklists", "show", "internal-ops"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    for heading in [
        "WHAT READY MEANS",
        "THRESHOLDS",
        "RED FLAGS",
        "FIXES YOU CAN DO TODAY",
        "TIMELINE",
    ] {
        assert!(text.contains(heading), "missing {heading}");
    }
    // Prose wraps for a terminal; literal examples (indented by 8) stay whole for copying.
    assert!(
        text.lines()
            .filter(|l| !l.starts_with("        "))
            .all(|l| l.chars().count() <= 100),
        "prose wraps for a terminal"
    );

    let o = launchready(&["checklists", "show", "marketplace", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    assert_eq!(json["id"], "marketplace");
    let items = json["items"].as_array().unwrap();
    assert!(
        items
            .iter()
            .any(|i| i["id"] == "auth.required" && i["severity"] == "blocker")
    );
    assert!(
        json["thresholds"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == "ratelimit.login" && t["value"] == 10.0)
    );
}

#[test]
fn an_unknown_vertical_is_a_usage_error_with_a_suggestion() {
    let o = launchready(&["checklists", "show", "ecomerce"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("did you mean `ecommerce`?"), "{err}");
}

#[test]
fn validating_a_broken_file_says_where_and_exits_2() {
    let path = fixture("checklists/bad/unknown-check.toml");
    let o = launchready(&["checklists", "validate", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    let first = err.lines().next().unwrap();
    assert!(
        first.starts_with("error: ") && first.contains("unknown-check.toml:10:11: unknown check id `api.cosr`"),
        "{err}"
    );
    assert!(
        err.lines()
            .nth(1)
            .is_some_and(|l| l.trim_start().starts_with("hint: did you mean `api.cors`?")),
        "{err}"
    );
    assert!(!err.contains("panicked") && !err.contains("backtrace"), "{err}");
}

#[test]
fn a_users_own_checklist_is_used_by_every_command() {
    let path = fixture("checklists/good.toml");
    let o = launchready(&["--checklist", path.to_str().unwrap(), "checklists", "list"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).lines().any(|l| l.starts_with("tiny ")), "{}", stdout(&o));
    let o = launchready(&["checklists", "show", "tiny", "--checklist", path.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));

    let bad = fixture("checklists/bad/duplicate-id.toml");
    let o = launchready(&["--checklist", bad.to_str().unwrap(), "checklists", "list"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("duplicate-id.toml:15:6: duplicate item id"),
        "{}",
        stderr(&o)
    );

    let o = launchready(&["--checklist", "/nonexistent/x.toml", "checklists", "list"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read the file"), "{}", stderr(&o));
}

#[test]
fn binary_and_huge_checklist_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("bin.toml");
    std::fs::write(&binary, [b'a', b' ', b'=', 0xff, 0xfe, 0]).unwrap();
    let o = launchready(&["checklists", "validate", binary.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not UTF-8"), "{}", stderr(&o));

    let huge = dir.path().join("huge.toml");
    std::fs::write(&huge, vec![b'#'; 5 * 1024 * 1024]).unwrap();
    let o = launchready(&["checklists", "validate", huge.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("refused"), "{}", stderr(&o));
}

#[test]
fn commands_of_later_work_say_so_and_exit_2() {
    for args in [
        vec!["probe", "bundle", "https://acme.example"],
        vec!["probe", "secrets", "."],
    ] {
        let o = launchready(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains("not available yet"), "{args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{args:?} printed results");
    }
}

#[test]
fn assessments_list_reads_the_data_folder() {
    let dir = tempfile::tempdir().unwrap();
    let o = launchready(&["assessments", "list", "--data-dir", dir.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("No saved assessments yet."));
}

#[test]
fn bad_flags_are_usage_errors() {
    let o = launchready(&["checklists", "list", "--frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
    let o = launchready(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("checklists"));
}

#[test]
fn the_readme_example_is_the_real_output() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme
        .find("$ launchready checklists list\n")
        .expect("README shows checklists list")
        + "$ launchready checklists list\n".len();
    let shown = &readme[start..start + readme[start..].find("```").unwrap()];
    let o = launchready(&["checklists", "list"]);
    assert_eq!(shown, stdout(&o), "update the README example");
}

#[test]
fn demo_serve_prints_a_usable_target_file_and_serves_on_loopback() {
    use std::io::{BufRead, BufReader, Read, Write};
    let mut child = Command::new(env!("CARGO_BIN_EXE_launchready"))
        .args(["demo", "--serve"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut text = String::new();
    // The file ends with the [active] table's last line.
    while !text.contains("max_requests") {
        assert_ne!(reader.read_line(&mut text).unwrap(), 0, "output ended early:\n{text}");
    }
    let target = launchready::target::TargetFile::parse("demo.toml", &text, launchready::checklist::VERTICALS)
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    let base = url::Url::parse(target.target.api_base.as_deref().unwrap()).unwrap();
    assert_eq!(
        base.host_str(),
        Some("127.0.0.1"),
        "the practice target listens on loopback only"
    );
    assert!(text.contains("token_a_env = \"LAUNCHREADY_DEMO_TOKEN_A\""), "{text}");
    // It answers.
    let mut stream = std::net::TcpStream::connect((base.host_str().unwrap(), base.port().unwrap())).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: demo\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut reply = String::new();
    let _ = stream.read_to_string(&mut reply);
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");

    // probe api reads the tokens from the variables the file names, and never prints them.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("demo.toml");
    std::fs::write(&file, &text).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_launchready"))
        .args(["probe", "api", "--target", file.to_str().unwrap(), "--format", "json"])
        .env("LAUNCHREADY_DEMO_TOKEN_A", launchready::demo::TOKEN_A)
        .env("LAUNCHREADY_DEMO_TOKEN_B", launchready::demo::TOKEN_B)
        .env("LAUNCHREADY_DEMO_TOKEN_LOW", launchready::demo::TOKEN_LOW)
        .output()
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let checks = json["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 10);
    let status = |id: &str| {
        checks
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| c["status"].clone())
            .unwrap()
    };
    assert_eq!(status("api.auth_required"), "fail");
    assert_eq!(status("api.object_authz"), "fail");
    assert_eq!(status("api.health"), "pass");
    let all = format!("{}{}", stdout(&o), stderr(&o));
    for token in [
        launchready::demo::TOKEN_A,
        launchready::demo::TOKEN_B,
        launchready::demo::TOKEN_LOW,
    ] {
        assert!(!all.contains(token), "{token} printed");
    }
}

/// The practice target's HTTPS side, checked from the command line as its printed instructions
/// say: the CA saved from the comment block, `--connect-to` for "port 80".
#[test]
fn probe_tls_and_http_check_the_demo_https_side() {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_launchready"))
        .args(["demo", "--serve"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut text = String::new();
    while !text.contains("max_requests") {
        assert_ne!(reader.read_line(&mut text).unwrap(), 0, "output ended early:\n{text}");
    }
    let target = launchready::target::TargetFile::parse("demo.toml", &text, launchready::checklist::VERTICALS).unwrap();
    let app = target.target.app_url.clone().unwrap();
    assert!(app.starts_with("https://127.0.0.1:"), "{app}");
    let pem: String = text
        .lines()
        .filter_map(|l| l.strip_prefix("#     "))
        .skip_while(|l| !l.starts_with("-----BEGIN CERTIFICATE"))
        .take_while(|l| !l.starts_with("export"))
        .fold(String::new(), |mut pem, l| {
            pem.push_str(l);
            pem.push('\n');
            pem
        });
    assert!(pem.contains("-----END CERTIFICATE-----"), "the CA is printed:\n{text}");
    let rule = text
        .split_whitespace()
        .find(|w| w.starts_with("127.0.0.1:80:"))
        .expect("the --connect-to rule is printed")
        .to_string();
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("demo-ca.pem");
    std::fs::write(&ca, pem).unwrap();
    let run = |what: &str| {
        launchready(&[
            "--ca-file",
            ca.to_str().unwrap(),
            "--connect-to",
            &rule,
            "--timeout",
            "3",
            "probe",
            what,
            &app,
            "--format",
            "json",
        ])
    };
    let tls = run("tls");
    let http = run("http");
    let untrusted = launchready(&["--connect-to", &rule, "probe", "tls", &app, "--format", "json"]);
    child.kill().unwrap();
    child.wait().unwrap();
    let status = |o: &Output, id: &str| {
        assert!(o.status.success(), "{}", stderr(o));
        let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        json["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .map_or_else(
                || panic!("{id} missing: {}", stdout(o)),
                |c| c["status"].as_str().unwrap().to_string(),
            )
    };
    // Trusted through --ca-file, three weeks from expiry.
    assert_eq!(status(&tls, "tls.certificate"), "warn", "{}", stdout(&tls));
    assert_eq!(status(&tls, "tls.protocols"), "pass", "{}", stdout(&tls));
    // The flawed side: plain HTTP served, no HSTS, a bare cookie, a script over http.
    assert_eq!(status(&http, "http.https_redirect"), "fail", "{}", stdout(&http));
    assert_eq!(status(&http, "http.hsts"), "fail");
    assert_eq!(status(&http, "http.cookies"), "fail");
    assert_eq!(status(&http, "http.mixed_content"), "fail");
    assert_eq!(status(&http, "http.security_headers"), "fail");
    // Without the demo's CA the same certificate is not trusted.
    assert_eq!(status(&untrusted, "tls.certificate"), "fail", "{}", stdout(&untrusted));
}

/// --resolve, --connect-to and --ca-file are used by every connection; a value that cannot be
/// used is an input error naming the option, never silently ignored.
#[test]
fn bad_resolve_connect_to_and_ca_file_values_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate\n").unwrap();
    let broken = dir.path().join("broken.pem");
    std::fs::write(
        &broken,
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    for (args, says) in [
        (
            vec!["--resolve", "api.acme.example", "probe", "tls", "acme.example"],
            "--resolve: `api.acme.example` is not HOST:IP",
        ),
        (
            vec!["--connect-to", "acme.example:443", "probe", "tls", "acme.example"],
            "--connect-to: `acme.example:443` is not HOST:PORT:IP:PORT",
        ),
        (
            vec!["--ca-file", "/nonexistent.pem", "probe", "tls", "acme.example"],
            "/nonexistent.pem: cannot read the CA file",
        ),
        (
            vec!["--ca-file", garbage.to_str().unwrap(), "probe", "http", "acme.example"],
            "no certificate in the file",
        ),
        (
            vec!["--ca-file", broken.to_str().unwrap(), "probe", "http", "acme.example"],
            "certificate 1",
        ),
        (vec!["probe", "tls", "ftp://acme.example/"], "is not a web address"),
    ] {
        let o = launchready(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{args:?} printed results");
    }
}

#[test]
fn scan_saves_the_assessment_writes_reports_and_exits_by_blockers() {
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_launchready"))
            .args(args)
            .args([
                "--data-dir",
                data.path().to_str().unwrap(),
                "--out",
                out.path().to_str().unwrap(),
            ])
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    // Nothing to probe and no answers: nothing failed, so exit 0, with the verdict said plainly.
    let minimal = fixture("targets/minimal.toml");
    let o = run(&["scan", "--target", minimal.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("Tiny Bot: not decided yet"), "{}", stdout(&o));
    // A "no" to a blocker in the answers file fails the scan: exit 1.
    let answers = out.path().join("answers.toml");
    std::fs::write(
        &answers,
        "[[answer]]\nitem = \"auth.required\"\nanswer = \"no\"\nnote = \"Known hole.\"\n",
    )
    .unwrap();
    let o = run(&[
        "scan",
        "--target",
        minimal.to_str().unwrap(),
        "--answers",
        answers.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).contains("✘ blocker"), "{}", stdout(&o));
    let md: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    assert!(!md.is_empty());
    assert!(
        md.iter()
            .any(|p| std::fs::read_to_string(p).unwrap().contains("Known hole.")),
        "the answer's note is in the report"
    );
    let saved = launchready::assessment::Store::new(data.path().to_path_buf())
        .list()
        .unwrap();
    assert_eq!(saved.len(), 2, "each scan saves an assessment");
    // Bad input: exit 2.
    let o = run(&["scan", "--target", minimal.to_str().unwrap(), "--format", "docx"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("`docx` is not a report format"), "{}", stderr(&o));
    let o = run(&[
        "scan",
        "--target",
        minimal.to_str().unwrap(),
        "--brand-logo",
        "/nonexistent/logo.png",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read the logo"), "{}", stderr(&o));
    let not_image = out.path().join("logo.png");
    std::fs::write(&not_image, "not an image").unwrap();
    let o = run(&[
        "scan",
        "--target",
        minimal.to_str().unwrap(),
        "--brand-logo",
        not_image.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a PNG, JPEG or SVG"), "{}", stderr(&o));
    // Images typst cannot draw are refused before anything is probed: a truncated PNG, and SVGs
    // that point at a file or a URL (typst reads neither).
    let truncated = out.path().join("truncated.png");
    std::fs::write(&truncated, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x02").unwrap();
    let outside = out.path().join("outside.svg");
    std::fs::write(
        &outside,
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10"><image xlink:href="file:///etc/passwd" width="10" height="10"/></svg>"#,
    )
    .unwrap();
    for logo in [&truncated, &outside] {
        let o = run(&[
            "scan",
            "--target",
            minimal.to_str().unwrap(),
            "--brand-logo",
            logo.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{}: {}", logo.display(), stderr(&o));
        assert!(stderr(&o).contains("the logo cannot be drawn"), "{}", stderr(&o));
        assert!(stderr(&o).lines().count() <= 2, "one line and a hint: {}", stderr(&o));
    }
    // --out naming a file: refused before probing.
    let o = run(&[
        "scan",
        "--target",
        minimal.to_str().unwrap(),
        "--out",
        not_image.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let bad = fixture("answers/bad/unknown-item.toml");
    let o = run(&[
        "scan",
        "--target",
        fixture("targets/full.toml").to_str().unwrap(),
        "--answers",
        bad.to_str().unwrap(),
        "--vertical",
        "b2b-service",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("unknown-item.toml:3:8"), "{}", stderr(&o));
}

fn files_ending(dir: &std::path::Path, suffix: &str) -> Vec<std::path::PathBuf> {
    let mut found: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    found.sort();
    found
}

#[test]
fn report_rerenders_and_diff_compares_saved_assessments() {
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let data_dir = data.path().to_str().unwrap();
    let minimal = fixture("targets/minimal.toml");
    let answers = out.path().join("answers.toml");
    // First scan: the blocker fails. Second scan (a second later): fixed.
    std::fs::write(&answers, "[[answer]]\nitem = \"auth.required\"\nanswer = \"no\"\n").unwrap();
    let scan = |out_dir: &std::path::Path| {
        launchready(&[
            "scan",
            "--target",
            minimal.to_str().unwrap(),
            "--answers",
            answers.to_str().unwrap(),
            "--data-dir",
            data_dir,
            "--out",
            out_dir.to_str().unwrap(),
            "--format",
            "md,json,sarif",
        ])
    };
    let first = out.path().join("first");
    std::fs::create_dir(&first).unwrap();
    assert_eq!(scan(&first).status.code(), Some(1));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    std::fs::write(&answers, "[[answer]]\nitem = \"auth.required\"\nanswer = \"yes\"\n").unwrap();
    let second = out.path().join("second");
    std::fs::create_dir(&second).unwrap();
    let o = scan(&second);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("compared with:"), "{}", stdout(&o));
    let md = std::fs::read_to_string(&files_ending(&second, ".md")[0]).unwrap();
    assert!(md.contains("## Since the last assessment"), "{md}");
    assert!(md.contains("### Fixed"), "{md}");
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&files_ending(&second, ".sarif")[0]).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    // No check ran on this minimal target: no results, but the run is there.
    assert!(sarif["runs"][0]["results"].as_array().unwrap().is_empty());

    // diff OLD NEW: the blocker is fixed.
    let saved: Vec<_> = launchready::assessment::Store::new(data.path().to_path_buf())
        .list()
        .unwrap()
        .into_iter()
        .map(|l| l.path)
        .collect();
    assert_eq!(saved.len(), 2);
    let (newer, older) = (&saved[0], &saved[1]);
    let o = launchready(&["diff", older.to_str().unwrap(), newer.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("Fixed (1):"), "{text}");
    assert!(text.contains("(auth.required)"), "{text}");
    assert!(text.contains("not ready") && text.contains("→"), "{text}");
    let o = launchready(&[
        "diff",
        older.to_str().unwrap(),
        newer.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["fixed"][0]["id"], "auth.required");
    assert_eq!(json["regressed"].as_array().unwrap().len(), 0);

    // report ASSESSMENT: renders again, branded, compared with the older one beside it.
    let again = out.path().join("again");
    std::fs::create_dir(&again).unwrap();
    let o = launchready(&[
        "report",
        newer.to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
        "--format",
        "md,json",
        "--brand",
        "Jane Doe Consulting",
        "--brand-contact",
        "jane@example.test",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let md = std::fs::read_to_string(&files_ending(&again, ".md")[0]).unwrap();
    assert!(
        md.contains("Prepared by Jane Doe Consulting · jane@example.test"),
        "{md}"
    );
    assert!(md.contains("## Since the last assessment"), "{md}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&files_ending(&again, ".report.json")[0]).unwrap()).unwrap();
    assert_eq!(json["cover"]["brand"]["name"], "Jane Doe Consulting");

    // Into the data folder itself: the assessment is never replaced.
    let before = std::fs::read(newer).unwrap();
    let o = launchready(&[
        "report",
        newer.to_str().unwrap(),
        "--out",
        newer.parent().unwrap().to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(std::fs::read(newer).unwrap(), before);

    // Bad input: exit 2, one line, nothing written.
    let o = launchready(&["report", out.path().join("missing.json").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let a_report = &files_ending(&again, ".report.json")[0];
    let o = launchready(&["report", a_report.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("this is a report, not an assessment"),
        "{}",
        stderr(&o)
    );
    if cfg!(target_os = "linux") {
        // A file with no end is refused after a bounded read, not read until memory runs out.
        let o = launchready(&["diff", "/dev/zero", newer.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    }
    let garbage = out.path().join("garbage.json");
    std::fs::write(&garbage, "{ not json").unwrap();
    let o = launchready(&["diff", garbage.to_str().unwrap(), newer.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("garbage.json"), "{}", stderr(&o));
}

#[test]
fn scan_targets_scans_a_whole_folder_and_stops_on_a_bad_file() {
    let data = tempfile::tempdir().unwrap();
    let book = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let minimal = std::fs::read_to_string(fixture("targets/minimal.toml")).unwrap();
    std::fs::write(book.path().join("tiny.toml"), &minimal).unwrap();
    std::fs::write(book.path().join("other.toml"), minimal.replace("Tiny Bot", "Other Bot")).unwrap();
    std::fs::write(
        book.path().join("other.answers.toml"),
        "[[answer]]\nitem = \"auth.required\"\nanswer = \"no\"\n",
    )
    .unwrap();
    let run = || {
        launchready(&[
            "scan",
            "--targets",
            book.path().to_str().unwrap(),
            "--data-dir",
            data.path().to_str().unwrap(),
            "--out",
            out.path().to_str().unwrap(),
            "--format",
            "md",
        ])
    };
    let o = run();
    assert_eq!(
        o.status.code(),
        Some(1),
        "a blocker failed in one target: {}",
        stderr(&o)
    );
    let text = stdout(&o);
    assert!(text.contains("Tiny Bot: not decided yet"), "{text}");
    assert!(text.contains("Other Bot: not ready"), "{text}");
    assert!(text.contains("2 targets scanned"), "{text}");
    assert_eq!(files_ending(out.path(), ".md").len(), 2);

    // One broken file: nothing runs, the error names it.
    std::fs::write(book.path().join("broken.toml"), "[product]\nname = 3\n").unwrap();
    let o = run();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("broken.toml:2"), "{}", stderr(&o));
    assert_eq!(files_ending(out.path(), ".md").len(), 2, "nothing new was written");
}

#[test]
fn completions_are_written_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef launchready"),
        ("fish", "complete -c launchready"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let o = launchready(&["completions", shell]);
        assert!(o.status.success(), "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        assert!(script.contains(marker), "{shell}: {}", &script[..script.len().min(300)]);
        for word in ["scan", "report", "probe", "target", "resolver"] {
            assert!(script.contains(word), "{shell} completes {word}");
        }
    }
    // A broken --checklist file does not stop completions.
    let o = launchready(&["--checklist", "/nonexistent/checklist.toml", "completions", "bash"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = launchready(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("tcsh"), "{}", stderr(&o));
}

/// `launchready --target T.toml` reads the file before it needs a terminal: a broken file says
/// where and why (exit 2), a good one gets as far as asking for a terminal; with a command
/// after it, it says where `--target` belongs.
#[test]
fn the_wizard_reads_its_target_file_first() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.toml");
    std::fs::write(
        &broken,
        "[product]\nname = \"Acme\"\nvertical = \"b2b-service\"\n\n[[target.private_routes]]\nmethod = \"GTE\"\npath = \"/x\"\n",
    )
    .unwrap();
    let o = launchready(&["--target", broken.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("broken.toml:6") && err.contains("unknown HTTP method `GTE`"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 2, "one line and a hint: {err}");

    let good = dir.path().join("good.toml");
    std::fs::write(&good, "[product]\nname = \"Acme\"\nvertical = \"b2b-service\"\n").unwrap();
    let o = launchready(&["--target", good.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("needs a terminal"), "{}", stderr(&o));

    let o = launchready(&["--target", good.to_str().unwrap(), "checklists", "list"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("scan --target"), "{}", stderr(&o));
    // Also where the command needs a --target of its own.
    let o = launchready(&["--target", good.to_str().unwrap(), "scan"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("launchready scan --target T.toml"),
        "{}",
        stderr(&o)
    );
}
