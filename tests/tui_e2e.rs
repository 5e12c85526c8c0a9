//! End to end: the real binary in a tmux pane, driven with keystrokes as a person would, against
//! a loopback DNS server; the answers are saved and the exported Markdown is checked.
//! Needs tmux (`.ci/run` installs it).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    session: String,
}

impl Tmux {
    fn start(command: &str) -> Tmux {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let session = format!("lr-e2e-{}-{n}", std::process::id());
        let status = Command::new("tmux")
            .args(["new-session", "-d", "-s", &session, "-x", "100", "-y", "30", command])
            .status()
            .expect("tmux is installed (see .ci/run)");
        assert!(status.success());
        Tmux { session }
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            let status = Command::new("tmux")
                .args(["send-keys", "-t", &self.session, k])
                .status()
                .unwrap();
            assert!(status.success());
        }
    }

    fn text(&self, text: &str) {
        let status = Command::new("tmux")
            .args(["send-keys", "-t", &self.session, "-l", text])
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.session])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn alive(&self) -> bool {
        Command::new("tmux")
            .args(["has-session", "-t", &self.session])
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Waits (bounded) until `ready` holds, showing the screen when it never does.
    fn wait(&self, what: &str, mut ready: impl FnMut(&Tmux) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if ready(self) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("timed out waiting for {what}; the screen:\n{}", self.screen());
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.session])
            .status();
    }
}

fn saved(data: &Path) -> Option<launchready::assessment::Assessment> {
    let store = launchready::assessment::Store::new(data.to_path_buf());
    store.list().ok()?.into_iter().find_map(|l| l.assessment.ok())
}

fn files_with(dir: &Path, ext: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == ext))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_wizard_runs_in_a_real_terminal_from_start_to_export() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut zone = common::dns::Zone::new();
    zone.txt("acme.example", &["v=spf1 include:_spf.acme.example ~all"])
        .txt("_spf.acme.example", &["v=spf1 ip4:192.0.2.0/24 -all"])
        .txt("_dmarc.acme.example", &["v=DMARC1; p=none"])
        .mx("acme.example", 1, "mx.acme.example")
        .a("mx.acme.example", "192.0.2.25");
    let server = rt.block_on(common::dns::serve(zone));
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let command = format!(
        "env NO_COLOR=1 LAUNCHREADY_DATA_DIR={} {} --resolver {} --timeout 1",
        data.path().display(),
        env!("CARGO_BIN_EXE_launchready"),
        server.addr
    );
    let tmux = Tmux::start(&command);
    tmux.wait("the start screen", |t| t.screen().contains("New assessment"));

    // New assessment, first vertical, product name and email domain, continue.
    tmux.keys(&["Enter"]);
    tmux.wait("the vertical list", |t| t.screen().contains("B2B service"));
    tmux.keys(&["Enter"]);
    tmux.text("Acme Chat");
    tmux.keys(&["Tab", "Tab"]);
    tmux.text("acme.example");
    // From the domain field (the third) to the continue button after the consent toggle and
    // the link to the API page.
    for _ in 0..9 {
        tmux.keys(&["Tab"]);
    }
    tmux.keys(&["Enter"]);

    // The email probes run in the background and their results are saved.
    // Five email checks, and nine web checks from the domain (skipped: it has no web address).
    tmux.wait("the probe results", |_| {
        saved(data.path()).is_some_and(|a| a.probes.len() == 14)
    });
    let assessment = saved(data.path()).unwrap();
    assert_eq!(assessment.target.product.name, "Acme Chat");
    assert_eq!(assessment.probes["email.spf"].status, launchready::probe::Status::Pass);
    // No DKIM key under any selector: a question for the user, not a failure.
    assert_eq!(assessment.probes["email.dkim"].status, launchready::probe::Status::Warn);
    // The email domain has no web address and no app address was given: nothing to judge.
    assert_eq!(
        assessment.probes["http.hsts"].status,
        launchready::probe::Status::Skipped
    );

    // Questions: answer every one "yes" with single keys.
    tmux.keys(&["Enter"]);
    let total = launchready::checklist::Catalog::builtin()
        .unwrap()
        .get("b2b-service")
        .unwrap()
        .items
        .len();
    for _ in 0..total {
        tmux.keys(&["y"]);
    }
    tmux.wait("every answer saved", |_| {
        saved(data.path()).is_some_and(|a| a.answers.len() == total)
    });

    // Export to a folder typed into the form.
    tmux.keys(&["x", "Tab", "Tab", "Tab", "Tab", "Tab", "BSpace"]);
    tmux.text(&out.path().display().to_string());
    tmux.keys(&["Tab", "Enter"]);
    tmux.wait("the exported files", |_| {
        !files_with(out.path(), "md").is_empty() && !files_with(out.path(), "json").is_empty()
    });
    let md = std::fs::read_to_string(&files_with(out.path(), "md")[0]).unwrap();
    assert!(md.contains("# Launch readiness: Acme Chat"), "{md}");
    assert!(md.contains("DMARC"), "{md}");

    // Quit asks first; then the program ends and the pane closes.
    tmux.keys(&["q"]);
    tmux.wait("the quit question", |t| t.screen().contains("Quit launchready?"));
    tmux.keys(&["y"]);
    tmux.wait("the program to end", |t| !t.alive());
    drop(server);
}

#[test]
fn the_demo_finds_real_problems_and_never_shows_a_token() {
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let command = format!(
        "env NO_COLOR=1 LAUNCHREADY_DATA_DIR={} {} demo",
        data.path().display(),
        env!("CARGO_BIN_EXE_launchready")
    );
    let tmux = Tmux::start(&command);
    // The form comes prefilled with the flawed practice target, focus on Continue.
    tmux.wait("the prefilled form", |t| t.screen().contains("flawed practice target"));
    tmux.keys(&["Enter"]);
    // Ten API checks and nine web checks (no domain: no email or subdomain checks).
    tmux.wait("every API and web check finished", |_| {
        saved(data.path()).is_some_and(|a| a.probes.len() == 19)
    });
    let assessment = saved(data.path()).unwrap();
    for id in [
        "api.auth_required",
        "api.object_authz",
        "api.cors",
        "api.error_leakage",
        "api.webhook_signature",
    ] {
        assert_eq!(assessment.probes[id].status, launchready::probe::Status::Fail, "{id}");
    }
    // The HTTPS side: a certificate three weeks from expiry, no HSTS.
    assert_eq!(
        assessment.probes["tls.certificate"].status,
        launchready::probe::Status::Warn
    );
    assert_eq!(assessment.probes["http.hsts"].status, launchready::probe::Status::Fail);
    let screen = tmux.screen();
    assert!(screen.contains("✘ fail"), "{screen}");

    // Three questions answered with single keys; the first ones are blockers the probes failed,
    // so agreeing "no" needs no note.
    tmux.keys(&["Enter", "n", "n", "u"]);
    tmux.wait("three answers saved", |_| {
        saved(data.path()).is_some_and(|a| a.answers.len() == 3)
    });
    // Then the scorecard and export.
    tmux.keys(&["v", "x", "Tab", "Tab", "Tab", "Tab", "Tab", "BSpace"]);
    tmux.text(&out.path().display().to_string());
    tmux.keys(&["Tab", "Enter"]);
    tmux.wait("the exported files", |_| {
        !files_with(out.path(), "md").is_empty() && !files_with(out.path(), "json").is_empty()
    });
    let md = std::fs::read_to_string(&files_with(out.path(), "md")[0]).unwrap();
    assert!(md.contains("**Not ready.**"), "{md}");

    // No token anywhere: not on screen, not in the saved assessment, not in the exports.
    let mut everything = tmux.screen();
    everything.push_str(&md);
    everything.push_str(&std::fs::read_to_string(&files_with(out.path(), "json")[0]).unwrap());
    let pdf = &files_with(out.path(), "pdf")[0];
    if let Ok(text) = Command::new("pdftotext").arg(pdf).arg("-").output() {
        assert!(text.status.success());
        let text = String::from_utf8_lossy(&text.stdout).replace('\u{200b}', "");
        assert!(text.contains("Not ready") || text.contains("NOT READY"), "{text}");
        everything.push_str(&text);
    }
    for file in launchready::assessment::Store::new(data.path().to_path_buf())
        .list()
        .unwrap()
    {
        everything.push_str(&std::fs::read_to_string(&file.path).unwrap());
    }
    for token in [
        launchready::demo::TOKEN_A,
        launchready::demo::TOKEN_B,
        launchready::demo::TOKEN_LOW,
    ] {
        assert!(!everything.contains(token), "{token} leaked");
    }
    tmux.keys(&["q", "y"]);
    tmux.wait("the program to end", |t| !t.alive());
}

#[test]
fn sigterm_and_panic_free_exit_restore_the_terminal() {
    let data = tempfile::tempdir().unwrap();
    // A shell around the wizard shows what the terminal looks like after it exits.
    let command = format!(
        "sh -c 'env LAUNCHREADY_DATA_DIR={} {}; echo EXITED-$?; sleep 60'",
        data.path().display(),
        env!("CARGO_BIN_EXE_launchready")
    );
    let tmux = Tmux::start(&command);
    tmux.wait("the start screen", |t| t.screen().contains("New assessment"));
    let pid = String::from_utf8_lossy(
        &Command::new("tmux")
            .args(["display", "-p", "-t", &tmux.session, "#{pane_pid}"])
            .output()
            .unwrap()
            .stdout,
    )
    .trim()
    .to_string();
    let status = Command::new("pkill").args(["-TERM", "-P", &pid]).status().unwrap();
    assert!(status.success(), "the wizard process was found");
    tmux.wait("the shell after the wizard", |t| t.screen().contains("EXITED-0"));
    let screen = tmux.screen();
    // Back on the normal screen: the wizard's frame is gone.
    assert!(!screen.contains("New assessment"), "{screen}");
}

/// A founder describes their API only in the wizard (routes, the sign-in route, two test
/// accounts by email and password) against the practice API on loopback: the account checks
/// run on the tokens the sign-in returned, and no password or token reaches the screen, the
/// saved assessment, the saved target file or any report.
#[test]
fn a_product_described_in_the_wizard_signs_in_and_leaks_nothing() {
    use launchready::demo::{self, ACCOUNTS, Flavour, TOKEN_A, TOKEN_B, TOKEN_LOW};
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(demo::start(Flavour::Flawed)).unwrap();
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let command = format!(
        "env NO_COLOR=1 LAUNCHREADY_DATA_DIR={} {} --timeout 5",
        data.path().display(),
        env!("CARGO_BIN_EXE_launchready")
    );
    let tmux = Tmux::start(&command);
    tmux.wait("the start screen", |t| t.screen().contains("New assessment"));
    tmux.keys(&["Enter"]);
    tmux.wait("the vertical list", |t| t.screen().contains("B2B service"));
    tmux.keys(&["Enter"]);
    tmux.text("Acme Chat");
    for _ in 0..4 {
        tmux.keys(&["Tab"]);
    }
    tmux.text(&server.base_url());
    // From the API address (the fifth field) to Continue: four fields, the consent toggle,
    // the link to the API page.
    for _ in 0..7 {
        tmux.keys(&["Tab"]);
    }
    tmux.keys(&["Enter"]);
    tmux.wait("the API page", |t| t.screen().contains("Password of A"));
    // The practice API describes itself (OpenAPI): its routes are offered to tick.
    tmux.wait("the routes found", |t| t.screen().contains("Routes found (5)"));
    for value in [
        "GET /api/conversations/{id}, POST /api/chat",
        "GET /admin/config",
        "/webhooks/stripe",
        "/api/chat",
        "",
        "/reply",
        "/api/login",
        ACCOUNTS[0].email,
        ACCOUNTS[0].password,
        ACCOUNTS[1].email,
        ACCOUNTS[1].password,
        demo::OBJECT_B,
    ] {
        if !value.is_empty() {
            tmux.text(value);
        }
        tmux.keys(&["Tab"]);
    }
    tmux.wait("the passwords as dots", |t| {
        let s = t.screen();
        s.contains("Password of B") && s.contains("•••••") && !s.contains(ACCOUNTS[1].password)
    });
    // Past the suggestions (left unticked: the routes are typed above) to Continue.
    for _ in 0..10 {
        if tmux.screen().contains("▶ [ Continue ]") {
            break;
        }
        tmux.keys(&["Tab"]);
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    tmux.wait("Continue", |t| t.screen().contains("▶ [ Continue ]"));
    tmux.keys(&["Enter"]);
    let ids = [
        "api.auth_required",
        "api.object_authz",
        "api.role_authz",
        "api.webhook_signature",
    ];
    tmux.wait("the account checks' verdicts", |_| {
        saved(data.path()).is_some_and(|a| ids.iter().all(|id| a.probes.contains_key(*id)))
    });
    let after_sign_in = tmux.screen();
    let assessment = saved(data.path()).unwrap();
    for id in ids {
        let r = &assessment.probes[id];
        assert_eq!(r.status, launchready::probe::Status::Fail, "{id}: {}", r.summary);
    }
    // Scorecard, export: the four report formats and the target file.
    tmux.keys(&[
        "Enter", "v", "x", "Tab", "Tab", "Tab", "Space", "Tab", "Space", "Tab", "BSpace",
    ]);
    tmux.text(&out.path().display().to_string());
    tmux.keys(&["Tab", "Enter"]);
    tmux.wait("the exported files", |_| {
        ["md", "json", "sarif", "pdf", "toml"]
            .iter()
            .all(|ext| !files_with(out.path(), ext).is_empty())
    });
    let mut texts = vec![("screen after the sign-in".to_string(), after_sign_in)];
    let mut folders = vec![data.path().to_path_buf(), out.path().to_path_buf()];
    while let Some(dir) = folders.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let text = if path.extension().is_some_and(|e| e == "pdf") {
                let pdf = Command::new("pdftotext").arg(&path).arg("-").output().unwrap();
                String::from_utf8_lossy(&pdf.stdout).into_owned()
            } else {
                String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned()
            };
            texts.push((path.display().to_string(), text));
        }
    }
    assert!(texts.len() >= 7, "the assessment, five exported files and the screen");
    let target = std::fs::read_to_string(&files_with(out.path(), "toml")[0]).unwrap();
    assert!(
        target.contains("/admin/config") && target.contains("/api/login"),
        "{target}"
    );
    for (what, text) in &texts {
        for secret in [ACCOUNTS[0].password, ACCOUNTS[1].password, TOKEN_A, TOKEN_B, TOKEN_LOW] {
            assert!(!text.contains(secret), "{secret} is in {what}");
        }
    }
    tmux.keys(&["q", "y"]);
    drop(server);
}

/// `launchready --target T.toml` opens the wizard with the file's product filled in.
#[test]
fn a_target_file_opens_the_wizard_prefilled() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("acme.toml");
    std::fs::write(
        &file,
        "[product]\nname = \"Acme Chat\"\nvertical = \"ecommerce\"\n\n[target]\napi_base = \"http://127.0.0.1:9\"\n\
         admin_routes = [{ method = \"GET\", path = \"/admin/config\" }]\n",
    )
    .unwrap();
    let command = format!(
        "env NO_COLOR=1 LAUNCHREADY_DATA_DIR={} {} --target {}",
        dir.path().join("data").display(),
        env!("CARGO_BIN_EXE_launchready"),
        file.display()
    );
    let tmux = Tmux::start(&command);
    tmux.wait("the filled-in form", |t| {
        let s = t.screen();
        s.contains("Acme Chat") && s.contains("http://127.0.0.1:9") && s.contains("Continue")
    });
    // The routes are on the API page.
    tmux.keys(&["Up", "Enter"]);
    tmux.wait("the API page with the file's route", |t| {
        t.screen().contains("GET /admin/config")
    });
    tmux.keys(&["C-c"]);
}
