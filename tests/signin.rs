//! Test accounts given as an email and a password (the wizard's way): launchready signs in
//! through the target's sign-in route, takes the token from the answer and runs the account
//! checks with it. Against the practice target on loopback, and fixture servers that answer the
//! sign-in the ways real ones do.

use std::time::Duration;

use launchready::demo::{self, ACCOUNTS, Flavour};
use launchready::probe::api::signin::Passwords;
use launchready::probe::engine::{self, Env};
use launchready::probe::{ProbeCtx, ProbeResult, Status, registry};
use launchready::target::{Auth, SignIn, TargetFile};

const IDS: [&str; 4] = [
    "api.auth_required",
    "api.object_authz",
    "api.role_authz",
    "api.webhook_signature",
];

/// The practice target described with sign-in accounts instead of token variables: A the admin
/// (ada), B an ordinary user of another tenant (bo), who doubles as the lower-role account.
fn signed_in_target(server: &demo::DemoServer) -> TargetFile {
    let mut target = demo::target_file(server);
    target.auth = Auth {
        object_b: target.auth.object_b.clone(),
        low_is_b: true,
        sign_in: SignIn {
            a: Some(ACCOUNTS[0].email.into()),
            b: Some(ACCOUNTS[1].email.into()),
        },
        ..Auth::default()
    };
    target
}

fn passwords(a: &str, b: &str) -> Passwords {
    Passwords {
        a: Some(a.into()),
        b: Some(b.into()),
    }
}

async fn run(target: &TargetFile, passwords: Passwords, ids: &[&str]) -> Vec<ProbeResult> {
    let ctx = ProbeCtx {
        timeout: Duration::from_secs(5),
        ..ProbeCtx::default()
    };
    let catalog = launchready::checklist::Catalog::builtin().unwrap();
    let checklist = catalog.get("b2b-service").unwrap().clone();
    let env = Env::new(&ctx, target, &checklist, None).with_passwords(passwords);
    let checks: Vec<_> = ids.iter().map(|id| registry::find(id).unwrap()).collect();
    tokio::time::timeout(Duration::from_secs(120), engine::run_all(target, &env, &checks, None))
        .await
        .expect("the checks end by themselves")
}

fn status_of<'r>(results: &'r [ProbeResult], id: &str) -> &'r ProbeResult {
    results
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("{id} ran"))
}

fn no_secret_in(results: &[ProbeResult], secrets: &[&str]) {
    let json = serde_json::to_string(results).unwrap();
    for secret in secrets {
        assert!(!json.contains(secret), "{secret} leaked into the results");
    }
}

#[tokio::test]
async fn signing_in_runs_the_account_checks_and_finds_the_flawed_builds_holes() {
    let server = demo::start(Flavour::Flawed).await.unwrap();
    let target = signed_in_target(&server);
    let results = run(&target, passwords(ACCOUNTS[0].password, ACCOUNTS[1].password), &IDS).await;
    for id in IDS {
        let r = status_of(&results, id);
        assert_eq!(r.status, Status::Fail, "{id}: {}", r.summary);
    }
    // The object check read B's conversation with A's signed-in token.
    let object = status_of(&results, "api.object_authz");
    assert!(
        object.evidence.iter().any(|e| e.value.contains(demo::OBJECT_B)),
        "{:?}",
        object.evidence
    );
    no_secret_in(
        &results,
        &[ACCOUNTS[0].password, ACCOUNTS[1].password, demo::TOKEN_A, demo::TOKEN_B],
    );
}

#[tokio::test]
async fn signing_in_on_the_good_build_passes_the_account_checks() {
    let server = demo::start(Flavour::Good).await.unwrap();
    let target = signed_in_target(&server);
    let results = run(&target, passwords(ACCOUNTS[0].password, ACCOUNTS[1].password), &IDS).await;
    for id in IDS {
        let r = status_of(&results, id);
        assert_eq!(r.status, Status::Pass, "{id}: {}", r.summary);
    }
}

#[tokio::test]
async fn a_wrong_password_is_an_error_that_says_so_and_shows_no_password() {
    let server = demo::start(Flavour::Good).await.unwrap();
    let target = signed_in_target(&server);
    let results = run(
        &target,
        passwords("wrong-password-123", ACCOUNTS[1].password),
        &["api.object_authz"],
    )
    .await;
    let r = status_of(&results, "api.object_authz");
    assert_eq!(r.status, Status::Error, "{}", r.summary);
    assert!(
        r.summary.contains("account A") && r.summary.contains("refused the email and password (401)"),
        "{}",
        r.summary
    );
    no_secret_in(&results, &["wrong-password-123", ACCOUNTS[1].password]);
}

/// Tokens given another way (the demo's) never stand in for an account given by email: a wrong
/// password is a failed sign-in, not a pass.
#[tokio::test]
async fn a_preset_token_does_not_hide_a_failed_sign_in() {
    let server = demo::start(Flavour::Flawed).await.unwrap();
    let target = signed_in_target(&server);
    let ctx = ProbeCtx {
        timeout: Duration::from_secs(5),
        ..ProbeCtx::default()
    };
    let catalog = launchready::checklist::Catalog::builtin().unwrap();
    let checklist = catalog.get("b2b-service").unwrap().clone();
    let preset = launchready::probe::api::Tokens {
        a: Some(demo::TOKEN_A.into()),
        b: Some(demo::TOKEN_B.into()),
        ..Default::default()
    };
    let env =
        Env::new(&ctx, &target, &checklist, Some(preset)).with_passwords(passwords("wrong", ACCOUNTS[1].password));
    let checks = [registry::find("api.object_authz").unwrap()];
    let results = engine::run_all(&target, &env, &checks, None).await;
    let r = status_of(&results, "api.object_authz");
    assert_eq!(r.status, Status::Error, "{}", r.summary);
    assert!(r.summary.contains("account A"), "{}", r.summary);
}
