//! The probe engine as the front ends use it: every check of the registry is run by `scan` (the
//! built binary) and by the wizard's runner, for a target that configures them all (the practice
//! target on loopback, with a loopback DNS server for its email domain).

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use launchready::assessment::{Assessment, Store};
use launchready::checklist::Catalog;
use launchready::demo::{self, Flavour};
use launchready::probe::engine::{self, Event};
use launchready::probe::registry;
use launchready::probe::{ProbeCtx, Status};
use launchready::target::TargetFile;
use launchready::tui::{App, Runner, Screen, execute};
use tokio::sync::mpsc;

const DOMAIN: &str = "chat.example";

async fn dns() -> common::dns::DnsServer {
    let mut zone = common::dns::Zone::new();
    zone.txt(DOMAIN, &["v=spf1 include:_spf.mail.example -all"])
        .txt("_spf.mail.example", &["v=spf1 ip4:192.0.2.0/24 -all"])
        .txt("_dmarc.chat.example", &["v=DMARC1; p=reject"])
        .mx(DOMAIN, 10, "mx.chat.example")
        .a("mx.chat.example", "192.0.2.1")
        .caa_issue(DOMAIN, "letsencrypt.org");
    common::dns::serve(zone).await
}

/// The practice target with an email domain: every check of the registry is configured.
fn full_target(server: &demo::DemoServer, vertical: &str) -> TargetFile {
    let mut target = demo::target_file(server);
    target.target.domain = Some(DOMAIN.into());
    target.product.vertical = vertical.into();
    // Passive: the bursts report that they need permission, and the run stays short.
    target.active.allowed = false;
    target
}

/// The verticals whose checklists, together, name every check of the registry.
fn covering_verticals(catalog: &Catalog) -> Vec<String> {
    let mut left: BTreeSet<&str> = registry::CHECKS.iter().map(|c| c.id).collect();
    let mut chosen = Vec::new();
    while !left.is_empty() {
        let best = catalog
            .all()
            .iter()
            .max_by_key(|c| c.check_ids().iter().filter(|id| left.contains(*id)).count())
            .unwrap();
        let names = best.check_ids();
        let before = left.len();
        left.retain(|id| !names.contains(id));
        assert!(left.len() < before, "no checklist names {left:?}");
        chosen.push(best.id.clone());
    }
    chosen
}

fn tokens() -> launchready::probe::api::Tokens {
    launchready::probe::api::Tokens {
        a: Some(demo::TOKEN_A.into()),
        b: Some(demo::TOKEN_B.into()),
        low: Some(demo::TOKEN_LOW.into()),
        ..Default::default()
    }
}

#[test]
fn every_registry_check_is_planned_when_the_target_configures_it() {
    let catalog = Catalog::builtin().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(demo::start(Flavour::Good)).unwrap();
    for checklist in catalog.all() {
        let target = full_target(&server, &checklist.id);
        let planned: Vec<&str> = engine::plan(checklist, &target).iter().map(|c| c.id).collect();
        let named = checklist.check_ids();
        let expected: Vec<&str> = registry::CHECKS
            .iter()
            .map(|c| c.id)
            .filter(|id| named.contains(id))
            .collect();
        assert_eq!(planned, expected, "{}", checklist.id);
    }
    assert!(!covering_verticals(&catalog).is_empty());
}

/// Every assessment saved under `data`.
fn saved(data: &Path) -> Vec<Assessment> {
    Store::new(data.to_path_buf())
        .list()
        .unwrap()
        .into_iter()
        .map(|l| l.assessment.unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_runs_every_registry_check() {
    let server = demo::start(Flavour::Good).await.unwrap();
    let dns = dns().await;
    let catalog = Catalog::builtin().unwrap();
    let mut ran = BTreeSet::new();
    for vertical in covering_verticals(&catalog) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("target.toml");
        std::fs::write(&file, toml::to_string(&full_target(&server, &vertical)).unwrap()).unwrap();
        let data = dir.path().join("data");
        let out = tokio::task::spawn_blocking({
            let (file, data, out_dir) = (file.clone(), data.clone(), dir.path().join("out"));
            let resolver = dns.addr.to_string();
            move || {
                Command::new(env!("CARGO_BIN_EXE_launchready"))
                    .arg("--data-dir")
                    .arg(&data)
                    .args(["--resolver", &resolver, "--timeout", "5", "scan", "--format", "json"])
                    .arg("--target")
                    .arg(&file)
                    .arg("--out")
                    .arg(&out_dir)
                    .env(demo::TOKEN_A_ENV, demo::TOKEN_A)
                    .env(demo::TOKEN_B_ENV, demo::TOKEN_B)
                    .env(demo::TOKEN_LOW_ENV, demo::TOKEN_LOW)
                    .env("NO_COLOR", "1")
                    .output()
                    .unwrap()
            }
        })
        .await
        .unwrap();
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "{vertical}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let assessments = saved(&data);
        assert_eq!(assessments.len(), 1, "{vertical}");
        let checklist = catalog.require(&vertical).unwrap();
        for check in engine::plan(checklist, &assessments[0].target) {
            let result = assessments[0]
                .probes
                .get(check.id)
                .unwrap_or_else(|| panic!("{vertical}: scan did not run {}", check.id));
            assert_eq!(result.title, check.title);
            ran.insert(check.id);
        }
        // The good practice target passes what it can decide without permission for bursts.
        let email = &assessments[0].probes["email.spf"];
        assert_eq!(email.status, Status::Pass, "{email:#?}");
    }
    let all: BTreeSet<&str> = registry::CHECKS.iter().map(|c| c.id).collect();
    assert_eq!(ran, all);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wizard_runs_every_registry_check() {
    let server = demo::start(Flavour::Good).await.unwrap();
    let dns = dns().await;
    let catalog = Catalog::builtin().unwrap();
    let mut ran = BTreeSet::new();
    for vertical in covering_verticals(&catalog) {
        let data = tempfile::tempdir().unwrap();
        let mut app = App::new(Catalog::builtin().unwrap(), Store::new(data.path().to_path_buf()));
        let (tx, mut rx) = mpsc::unbounded_channel();
        let ctx = ProbeCtx {
            resolver: Some(dns.addr),
            timeout: Duration::from_secs(5),
            ..ProbeCtx::default()
        };
        let mut runner = Runner::new(ctx, tx).with_tokens(tokens());
        app.prefill(&full_target(&server, &vertical));
        for command in app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)) {
            execute(&mut app, &mut runner, command);
        }
        assert_eq!(app.screen, Screen::Probes, "{vertical}: {:?}", app.message);
        let checklist = catalog.require(&vertical).unwrap();
        let planned: Vec<&str> = engine::plan(checklist, &app.assessment.as_ref().unwrap().target)
            .iter()
            .map(|c| c.id)
            .collect();
        let started: Vec<&str> = app.probes.states.keys().map(String::as_str).collect();
        let mut want = planned.clone();
        want.sort_unstable();
        assert_eq!(started, want, "{vertical}: the wizard starts what the engine plans");
        let mut events = Vec::new();
        while app.busy() {
            let event = tokio::time::timeout(Duration::from_secs(120), rx.recv())
                .await
                .expect("the checks finish")
                .unwrap();
            events.push(event.clone());
            for command in app.on_event(event) {
                execute(&mut app, &mut runner, command);
            }
        }
        for id in &planned {
            assert!(
                events.iter().any(|e| matches!(e, Event::Started { id: s } if s == id)),
                "{vertical}: {id} was not started"
            );
            let result = &app.assessment.as_ref().unwrap().probes[*id];
            assert_ne!(result.status, Status::Error, "{vertical}: {result:#?}");
            ran.insert(*id);
        }
    }
    let all: BTreeSet<&str> = registry::CHECKS.iter().map(|c| c.id).collect();
    assert_eq!(ran, all);
}
