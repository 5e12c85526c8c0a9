//! Every API probe against both flavours of the practice target (`launchready demo`), started
//! here on loopback: the flawed one shows every problem, the good one none.

use std::time::Duration;

use launchready::demo::{self, Flavour};
use launchready::probe::api::{self, ApiOptions, Tokens};
use launchready::probe::http::Http;
use launchready::probe::{ProbeCtx, ProbeResult, Status};

fn tokens() -> Tokens {
    Tokens {
        a: Some(demo::TOKEN_A.into()),
        b: Some(demo::TOKEN_B.into()),
        low: Some(demo::TOKEN_LOW.into()),
        ..Default::default()
    }
}

async fn probe(flavour: Flavour) -> Vec<ProbeResult> {
    let server = demo::start(flavour).await.unwrap();
    let target = demo::target_file(&server);
    let ctx = ProbeCtx {
        timeout: Duration::from_secs(5),
        ..ProbeCtx::default()
    };
    let http = Http::new(&ctx, &target).unwrap();
    let results = tokio::time::timeout(
        Duration::from_secs(180),
        api::check_all(&target, &tokens(), &http, &ApiOptions::default()),
    )
    .await
    .expect("the probes end by themselves");
    assert!(http.requests() <= 400, "bounded: {} requests", http.requests());
    results
}

fn statuses(results: &[ProbeResult]) -> Vec<(String, Status)> {
    results.iter().map(|r| (r.id.clone(), r.status)).collect()
}

#[tokio::test]
async fn the_flawed_target_shows_every_problem() {
    let results = probe(Flavour::Flawed).await;
    let got = statuses(&results);
    let expected = [
        ("api.health", Status::Pass),
        ("api.auth_required", Status::Fail),
        ("api.object_authz", Status::Fail),
        ("api.cors", Status::Fail),
        ("api.error_leakage", Status::Fail),
        ("api.rate_limit", Status::Fail),
        ("api.latency", Status::Fail),
        ("api.webhook_signature", Status::Fail),
        ("api.role_authz", Status::Fail),
        ("api.request_id", Status::Fail),
    ];
    for (id, status) in expected {
        let r = results
            .iter()
            .find(|r| r.id == id)
            .unwrap_or_else(|| panic!("no {id}: {got:?}"));
        assert_eq!(r.status, status, "{id}: {r:#?}");
    }
}

#[tokio::test]
async fn the_good_target_passes_every_check() {
    let results = probe(Flavour::Good).await;
    assert_eq!(results.len(), 10);
    for r in &results {
        assert_eq!(r.status, Status::Pass, "{r:#?}");
    }
}

#[tokio::test]
async fn no_token_value_appears_in_any_output() {
    let results = probe(Flavour::Flawed).await;
    let everything = format!("{results:?}{}", serde_json::to_string(&results).unwrap());
    for token in [demo::TOKEN_A, demo::TOKEN_B, demo::TOKEN_LOW] {
        assert!(!everything.contains(token), "{token} leaked");
    }
    // The leaked demo key shows as a redacted preview, never whole.
    assert!(
        !everything.contains(demo::FAKE_KEY),
        "the key the server leaks is redacted in evidence"
    );
}
