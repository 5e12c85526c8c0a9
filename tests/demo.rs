//! The practice target: both flavours started on loopback, every route called over plain TCP,
//! the flawed and the good behaviour of each row of the contract asserted.

use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use launchready::checklist::VERTICALS;
use launchready::demo::{
    self, CHAT_LIMIT, DemoServer, FAKE_KEY, Flavour, LOGIN_LIMIT, OBJECT_A, OBJECT_B, TOKEN_A, TOKEN_B, TOKEN_LOW,
    WEBHOOK_SECRET,
};
use launchready::target::TargetFile;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One HTTP/1.1 answer, read to the end of a `Connection: close` exchange.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// Sends one request over a fresh connection; a minimal client so nothing is hidden from the test.
async fn send(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        for part in [name, ": ", value, "\r\n"] {
            head.push_str(part);
        }
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.expect("write head");
    stream.write_all(body).await.expect("write body");
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(15), stream.read_to_end(&mut raw))
        .await
        .expect("the demo answered in time")
        .expect("read");
    let text = String::from_utf8(raw).expect("utf-8 answer");
    let (head, body) = text.split_once("\r\n\r\n").expect("a complete head");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Answer {
        status,
        headers,
        body: body.to_string(),
    }
}

async fn get(server: &DemoServer, path: &str, headers: &[(&str, &str)]) -> Answer {
    send(server.addr, "GET", path, headers, b"").await
}

async fn post(server: &DemoServer, path: &str, headers: &[(&str, &str)], body: &str) -> Answer {
    send(server.addr, "POST", path, headers, body.as_bytes()).await
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

const JSON: (&str, &str) = ("Content-Type", "application/json");

async fn both() -> (DemoServer, DemoServer) {
    (
        demo::start(Flavour::Flawed).await.unwrap(),
        demo::start(Flavour::Good).await.unwrap(),
    )
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

fn retry_after(answer: &Answer) -> u64 {
    answer
        .header("retry-after")
        .unwrap_or_else(|| panic!("no Retry-After: {answer:?}"))
        .parse()
        .expect("Retry-After in seconds")
}

#[tokio::test]
async fn both_flavours_serve_on_loopback_and_stop_when_dropped() {
    let (flawed, good) = both().await;
    for server in [&flawed, &good] {
        assert!(server.addr.ip().is_loopback(), "{}", server.addr);
        assert_eq!(server.base_url(), format!("http://127.0.0.1:{}", server.addr.port()));
    }
    assert_ne!(flawed.addr, good.addr);
    assert_eq!((flawed.flavour, good.flavour), (Flavour::Flawed, Flavour::Good));

    let addr = good.addr;
    drop(good);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(TcpStream::connect(addr).await.is_err(), "still listening after drop");
    assert_eq!(get(&flawed, "/health", &[]).await.status, 200);
}

#[tokio::test]
async fn health_answers_on_both_and_only_the_good_one_sends_request_ids() {
    let (flawed, good) = both().await;
    for server in [&flawed, &good] {
        let answer = get(server, "/health", &[]).await;
        assert_eq!(answer.status, 200);
        assert_eq!(answer.json(), serde_json::json!({"status": "ok"}));
    }

    let chat = r#"{"message": "hi"}"#;
    let flawed_answers = [
        get(&flawed, "/health", &[]).await,
        get(&flawed, "/", &[]).await,
        get(&flawed, "/nowhere", &[]).await,
        get(&flawed, "/admin/config", &[]).await,
        post(&flawed, "/api/chat", &[JSON], "{").await,
    ];
    for answer in &flawed_answers {
        assert_eq!(answer.header("x-request-id"), None, "{answer:?}");
    }

    let auth = bearer(TOKEN_A);
    let good_answers = [
        get(&good, "/health", &[]).await,
        get(&good, "/", &[]).await,
        get(&good, "/assets/app.js", &[]).await,
        get(&good, "/nowhere", &[]).await,
        send(good.addr, "DELETE", "/health", &[], b"").await,
        get(&good, "/admin/config", &[]).await,
        post(&good, "/api/chat", &[JSON, ("Authorization", &auth)], chat).await,
        post(&good, "/api/chat", &[JSON, ("Authorization", &auth)], "{").await,
        send(
            good.addr,
            "OPTIONS",
            "/api/chat",
            &[("Origin", "https://evil.example")],
            b"",
        )
        .await,
        post(&good, "/webhooks/stripe", &[JSON], "{}").await,
    ];
    let mut ids: Vec<&str> = good_answers
        .iter()
        .map(|a| {
            a.header("x-request-id")
                .unwrap_or_else(|| panic!("no request id: {a:?}"))
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), good_answers.len(), "request ids repeat: {ids:?}");

    // A caller's plain id is kept, so a trace spans services; anything else is replaced.
    let kept = get(&good, "/health", &[("X-Request-Id", "trace-42.abc")]).await;
    assert_eq!(kept.header("x-request-id"), Some("trace-42.abc"));
    let replaced = get(&good, "/health", &[("X-Request-Id", "evil id <script>")]).await;
    assert!(replaced.header("x-request-id").is_some_and(|id| id.starts_with("req_")));
}

#[tokio::test]
async fn the_app_page_loads_a_bundle_and_only_the_flawed_bundle_carries_a_key() {
    let (flawed, good) = both().await;
    for server in [&flawed, &good] {
        let page = get(server, "/", &[]).await;
        assert_eq!(page.status, 200);
        assert!(page.header("content-type").unwrap().starts_with("text/html"));
        assert!(page.body.contains(r#"<script src="/assets/app.js">"#), "{}", page.body);
        let js = get(server, "/assets/app.js", &[]).await;
        assert_eq!(js.status, 200);
        assert!(js.header("content-type").unwrap().contains("javascript"));
        assert!(js.body.contains("/api/chat"));
    }
    let flawed_js = get(&flawed, "/assets/app.js", &[]).await.body;
    assert!(
        flawed_js.contains(&format!(r#"OPENAI_API_KEY:"{FAKE_KEY}""#)),
        "{flawed_js}"
    );
    let good_js = get(&good, "/assets/app.js", &[]).await.body;
    assert!(!good_js.contains("sk-") && !good_js.contains("API_KEY"), "{good_js}");
}

#[test]
fn the_fake_key_is_key_shaped_and_says_it_is_fake() {
    assert!(FAKE_KEY.starts_with("sk-proj-"));
    assert!(FAKE_KEY.contains("DEMO-FAKE-KEY"));
    assert!(FAKE_KEY.len() >= 40);
}

#[tokio::test]
async fn flawed_login_is_never_rate_limited() {
    let flawed = demo::start(Flavour::Flawed).await.unwrap();
    let wrong = r#"{"email": "ada@demo-chat.invalid", "password": "guess"}"#;
    for _ in 0..LOGIN_LIMIT + 5 {
        assert_eq!(post(&flawed, "/api/login", &[JSON], wrong).await.status, 401);
    }
    let right = r#"{"email": "ada@demo-chat.invalid", "password": "demo-password-a"}"#;
    let answer = post(&flawed, "/api/login", &[JSON], right).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.json()["token"], TOKEN_A);
    assert_eq!(answer.header("retry-after"), None);
}

#[tokio::test]
async fn good_login_answers_429_with_retry_after_after_ten_tries() {
    let good = demo::start(Flavour::Good).await.unwrap();
    let right = r#"{"email": "lou@demo-chat.invalid", "password": "demo-password-low"}"#;
    let first = post(&good, "/api/login", &[JSON], right).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.json()["token"], TOKEN_LOW);
    assert_eq!(first.json()["role"], "member");
    assert_eq!(post(&good, "/api/login", &[JSON], "{oops").await.status, 400);
    for _ in 2..LOGIN_LIMIT {
        let wrong = post(
            &good,
            "/api/login",
            &[JSON],
            r#"{"email": "x@y.invalid", "password": "p"}"#,
        )
        .await;
        assert_eq!(wrong.status, 401);
    }
    // The eleventh try is refused even with the right password.
    let limited = post(&good, "/api/login", &[JSON], right).await;
    assert_eq!(limited.status, 429, "{limited:?}");
    assert!((1..=600).contains(&retry_after(&limited)));
    assert!(limited.json()["error"].is_string());
}

#[tokio::test]
async fn flawed_chat_is_open_slow_unlimited_and_leaks_a_stack_trace_and_key() {
    let flawed = demo::start(Flavour::Flawed).await.unwrap();
    let started = Instant::now();
    let answer = post(&flawed, "/api/chat", &[JSON], r#"{"message": "hello"}"#).await;
    assert_eq!(answer.status, 200, "no token needed: {answer:?}");
    assert!(answer.json()["reply"].is_string());
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "{:?}",
        started.elapsed()
    );

    for bad in ["{\"message\": ", "not json at all", r#"{"message": 42}"#] {
        let answer = post(&flawed, "/api/chat", &[JSON], bad).await;
        assert_eq!(answer.status, 500, "{bad}: {answer:?}");
        let body = answer.json();
        let stack = body["stack"].as_str().expect("a stack trace");
        assert!(stack.contains("\n    at "), "{stack}");
        assert!(stack.contains("/srv/demo-chat/src/routes/chat.js"), "{stack}");
        assert!(answer.body.contains(FAKE_KEY), "{}", answer.body);
    }

    // No limit: more than the good flavour's per-minute allowance, all answered.
    let auth = bearer(TOKEN_A);
    let headers = [JSON, ("Authorization", auth.as_str())];
    let burst = (0..CHAT_LIMIT + 5).map(|_| post(&flawed, "/api/chat", &headers, r#"{"message":"x"}"#));
    let answers = futures_util::future::join_all(burst).await;
    assert!(
        answers
            .iter()
            .all(|a| a.status == 200 && a.header("retry-after").is_none())
    );
}

#[tokio::test]
async fn good_chat_needs_a_token_is_fast_validates_input_and_limits_per_token() {
    let good = demo::start(Flavour::Good).await.unwrap();
    let message = r#"{"message": "hello"}"#;
    let none = post(&good, "/api/chat", &[JSON], message).await;
    assert_eq!(none.status, 401);
    assert!(none.header("www-authenticate").is_some_and(|v| v.starts_with("Bearer")));
    let forged = post(
        &good,
        "/api/chat",
        &[JSON, ("Authorization", "Bearer demo-token-forged")],
        message,
    )
    .await;
    assert_eq!(forged.status, 401);
    let basic = post(
        &good,
        "/api/chat",
        &[JSON, ("Authorization", "Basic ZGVtbzpkZW1v")],
        message,
    )
    .await;
    assert_eq!(basic.status, 401);

    let auth = bearer(TOKEN_A);
    let started = Instant::now();
    let answer = post(&good, "/api/chat", &[JSON, ("Authorization", &auth)], message).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(answer.json()["reply"].is_string());
    assert!(
        started.elapsed() < Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );

    let oversize = format!(r#"{{"message": "{}"}}"#, "a".repeat(64 * 1024));
    let text_plain = ("Content-Type", "text/plain");
    let bad: [(&str, (&str, &str)); 6] = [
        ("{\"message\": ", JSON),
        ("not json at all", JSON),
        (r#"{"message": 42}"#, JSON),
        (r#"["hello"]"#, JSON),
        (message, text_plain),
        (&oversize, JSON),
    ];
    for (body, content_type) in bad {
        let answer = post(&good, "/api/chat", &[content_type, ("Authorization", &auth)], body).await;
        let short: String = body.chars().take(30).collect();
        assert_eq!(answer.status, 400, "{short}: {answer:?}");
        assert!(answer.json()["error"].is_string());
        for leak in ["sk-", "/srv/", "stack", " at ", "node_modules"] {
            assert!(!answer.body.contains(leak), "{short} leaks {leak}: {}", answer.body);
        }
    }
    // Over the 1 MiB read cap: 413, answered rather than a reset connection.
    let huge = format!(r#"{{"message": "{}"}}"#, "a".repeat(1024 * 1024));
    assert_eq!(
        post(&good, "/api/chat", &[JSON, ("Authorization", &auth)], &huge)
            .await
            .status,
        413
    );

    // Per token: B has a fresh allowance of CHAT_LIMIT, then 429 with Retry-After.
    let auth_b = bearer(TOKEN_B);
    for i in 0..CHAT_LIMIT {
        let answer = post(&good, "/api/chat", &[JSON, ("Authorization", &auth_b)], message).await;
        assert_eq!(answer.status, 200, "request {i}: {answer:?}");
    }
    let limited = post(&good, "/api/chat", &[JSON, ("Authorization", &auth_b)], message).await;
    assert_eq!(limited.status, 429, "{limited:?}");
    assert!((1..=60).contains(&retry_after(&limited)));
    let other = post(
        &good,
        "/api/chat",
        &[JSON, ("Authorization", &bearer(TOKEN_LOW))],
        message,
    )
    .await;
    assert_eq!(other.status, 200, "another token keeps its own allowance");
}

#[tokio::test]
async fn flawed_conversations_go_to_anyone_good_ones_only_to_their_account() {
    let (flawed, good) = both().await;
    let path_b = format!("/api/conversations/{OBJECT_B}");
    let path_a = format!("/api/conversations/{OBJECT_A}");
    let (auth_a, auth_b, auth_low) = (bearer(TOKEN_A), bearer(TOKEN_B), bearer(TOKEN_LOW));

    for headers in [
        vec![],
        vec![("Authorization", auth_a.as_str())],
        vec![("Authorization", "Bearer nonsense")],
    ] {
        let answer = get(&flawed, &path_b, &headers).await;
        assert_eq!(answer.status, 200, "{headers:?}: {answer:?}");
        assert_eq!(answer.json()["account"], "acct_b");
        assert!(answer.json()["messages"].as_array().is_some_and(|m| !m.is_empty()));
    }
    assert_eq!(get(&flawed, "/api/conversations/conv_zz", &[]).await.status, 404);

    assert_eq!(get(&good, &path_b, &[]).await.status, 401);
    assert_eq!(
        get(&good, &path_b, &[("Authorization", "Bearer nonsense")])
            .await
            .status,
        401
    );
    assert_eq!(get(&good, &path_b, &[("Authorization", "Bearer")]).await.status, 401);
    let swapped = get(&good, &path_b, &[("Authorization", &auth_a)]).await;
    assert_eq!(swapped.status, 404, "{swapped:?}");
    assert!(!swapped.body.contains("acct_b") && !swapped.body.contains("renewal"));
    let own_b = get(&good, &path_b, &[("Authorization", &auth_b)]).await;
    assert_eq!((own_b.status, own_b.json()["id"].as_str()), (200, Some(OBJECT_B)));
    let own_a = get(&good, &path_a, &[("Authorization", &auth_a)]).await;
    assert_eq!((own_a.status, own_a.json()["id"].as_str()), (200, Some(OBJECT_A)));
    assert_eq!(get(&good, &path_a, &[("Authorization", &auth_b)]).await.status, 404);
    // The lower role belongs to account A: it may read A's chats.
    assert_eq!(get(&good, &path_a, &[("Authorization", &auth_low)]).await.status, 200);
    assert_eq!(
        get(&good, "/api/conversations/conv_zz", &[("Authorization", &auth_a)])
            .await
            .status,
        404
    );
    assert_eq!(own_a.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn admin_config_is_open_on_the_flawed_one_and_admin_only_on_the_good_one() {
    let (flawed, good) = both().await;
    let open = get(&flawed, "/admin/config", &[]).await;
    assert_eq!(open.status, 200);
    assert!(open.json()["system_prompt"].is_string());
    assert_eq!(
        get(&flawed, "/admin/config", &[("Authorization", &bearer(TOKEN_LOW))])
            .await
            .status,
        200
    );

    assert_eq!(get(&good, "/admin/config", &[]).await.status, 401);
    assert_eq!(
        get(&good, "/admin/config", &[("Authorization", "Bearer forged")])
            .await
            .status,
        401
    );
    for token in [TOKEN_LOW, TOKEN_B] {
        let refused = get(&good, "/admin/config", &[("Authorization", &bearer(token))]).await;
        assert_eq!(refused.status, 403, "{token}: {refused:?}");
        assert!(!refused.body.contains("system_prompt"));
    }
    let admin = get(&good, "/admin/config", &[("Authorization", &bearer(TOKEN_A))]).await;
    assert_eq!(admin.status, 200);
    assert_eq!(admin.json(), open.json());
}

#[tokio::test]
async fn webhooks_flawed_accepts_anything_good_needs_a_valid_stripe_signature() {
    let (flawed, good) = both().await;
    let event = r#"{"id":"evt_demo","type":"checkout.session.completed"}"#;
    let t = now();
    let valid = demo::stripe_signature(WEBHOOK_SECRET, t, event.as_bytes());
    let wrong_secret = demo::stripe_signature("whsec_guessed", t, event.as_bytes());
    let stale = demo::stripe_signature(WEBHOOK_SECRET, t - 3600, event.as_bytes());
    let other_body = demo::stripe_signature(WEBHOOK_SECRET, t, b"{}");
    assert!(valid.starts_with(&format!("t={t},v1=")) && valid.len() == format!("t={t},v1=").len() + 64);

    let unsigned: &[(&str, &str)] = &[JSON];
    assert_eq!(post(&flawed, "/webhooks/stripe", unsigned, event).await.status, 200);
    let garbage = [JSON, ("Stripe-Signature", "t=1,v1=deadbeef")];
    assert_eq!(
        post(&flawed, "/webhooks/stripe", &garbage, "not even json")
            .await
            .status,
        200
    );

    assert_eq!(post(&good, "/webhooks/stripe", unsigned, event).await.status, 400);
    for signature in [
        wrong_secret.as_str(),
        stale.as_str(),
        other_body.as_str(),
        "t=1,v1=deadbeef",
        "garbage",
    ] {
        let answer = post(
            &good,
            "/webhooks/stripe",
            &[JSON, ("Stripe-Signature", signature)],
            event,
        )
        .await;
        assert_eq!(answer.status, 400, "{signature}: {answer:?}");
    }
    let accepted = post(&good, "/webhooks/stripe", &[JSON, ("Stripe-Signature", &valid)], event).await;
    assert_eq!(accepted.status, 200, "{accepted:?}");
    assert_eq!(accepted.json()["received"], true);
    // Stripe sends several v1 values while a secret is rolled; one valid one is enough.
    let rolled = format!("t={t},v1={},{}", "0".repeat(64), valid.split_once(',').unwrap().1);
    let answer = post(&good, "/webhooks/stripe", &[JSON, ("Stripe-Signature", &rolled)], event).await;
    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn cors_flawed_reflects_any_origin_with_credentials_good_allows_only_its_own() {
    let (flawed, good) = both().await;
    let evil = "https://evil.example";
    for origin in [evil, "null"] {
        let answer = get(&flawed, "/api/conversations/conv_a1", &[("Origin", origin)]).await;
        assert_eq!(answer.header("access-control-allow-origin"), Some(origin), "{answer:?}");
        assert_eq!(answer.header("access-control-allow-credentials"), Some("true"));
    }
    let preflight = send(
        flawed.addr,
        "OPTIONS",
        "/api/chat",
        &[
            ("Origin", evil),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "authorization, x-anything"),
        ],
        b"",
    )
    .await;
    assert_eq!(preflight.status, 204, "{preflight:?}");
    assert_eq!(preflight.header("access-control-allow-origin"), Some(evil));
    assert_eq!(preflight.header("access-control-allow-credentials"), Some("true"));
    assert!(
        preflight
            .header("access-control-allow-methods")
            .unwrap()
            .contains("POST")
    );
    assert!(
        preflight
            .header("access-control-allow-headers")
            .unwrap()
            .contains("x-anything")
    );

    let own = good.base_url();
    let host = own.trim_start_matches("http://");
    let suffixed = format!("{own}.evil.example");
    let prefixed = format!("http://evil{host}");
    let https = format!("https://{host}");
    for origin in [evil, "null", suffixed.as_str(), prefixed.as_str(), https.as_str()] {
        let answer = get(&good, "/health", &[("Origin", origin)]).await;
        assert_eq!(answer.header("access-control-allow-origin"), None);
        let answer = post(&good, "/api/login", &[JSON, ("Origin", origin)], "{}").await;
        assert_eq!(
            answer.header("access-control-allow-origin"),
            None,
            "{origin}: {answer:?}"
        );
        assert_eq!(answer.header("access-control-allow-credentials"), None);
        assert_eq!(answer.header("vary"), Some("Origin"));
        let preflight = send(
            good.addr,
            "OPTIONS",
            "/api/chat",
            &[("Origin", origin), ("Access-Control-Request-Method", "POST")],
            b"",
        )
        .await;
        assert_eq!(preflight.status, 403, "{origin}: {preflight:?}");
        assert_eq!(preflight.header("access-control-allow-origin"), None);
        assert_eq!(preflight.header("access-control-allow-methods"), None);
    }
    let answer = get(
        &good,
        "/api/conversations/conv_a1",
        &[("Origin", &own), ("Authorization", &bearer(TOKEN_A))],
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("access-control-allow-origin"), Some(own.as_str()));
    assert_eq!(answer.header("access-control-allow-credentials"), Some("true"));
    let preflight = send(
        good.addr,
        "OPTIONS",
        "/api/chat",
        &[("Origin", &own), ("Access-Control-Request-Method", "POST")],
        b"",
    )
    .await;
    assert_eq!(preflight.status, 204);
    assert_eq!(preflight.header("access-control-allow-origin"), Some(own.as_str()));
    assert!(
        preflight
            .header("access-control-allow-methods")
            .unwrap()
            .contains("POST")
    );
}

#[tokio::test]
async fn unknown_routes_are_404_and_wrong_methods_405_on_both() {
    let (flawed, good) = both().await;
    for server in [&flawed, &good] {
        assert_eq!(get(server, "/api/nothing", &[]).await.status, 404);
        assert_eq!(get(server, "/api/conversations/", &[]).await.status, 404);
        assert_eq!(get(server, "/api/conversations/conv_a1/extra", &[]).await.status, 404);
        let answer = get(server, "/api/chat", &[]).await;
        assert_eq!(answer.status, 405);
        assert_eq!(answer.header("allow"), Some("POST"));
        assert_eq!(post(server, "/health", &[], "").await.status, 405);
    }
}

#[tokio::test]
async fn the_printed_target_file_is_valid_and_names_the_flawed_target_the_good_one_and_the_tokens() {
    let (flawed, good) = both().await;
    let text = demo::target_toml(&flawed, &good);
    let parsed = TargetFile::parse("demo-target.toml", &text, VERTICALS).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(parsed, demo::target_file(&flawed));

    let base = flawed.base_url();
    assert_eq!(parsed.target.api_base.as_deref(), Some(base.as_str()));
    // The app page is the HTTPS side, with its own port and the demo's certificate.
    assert_eq!(parsed.target.app_url.as_deref(), Some(flawed.https_url().as_str()));
    assert_ne!(flawed.tls_addr, flawed.addr);
    assert!(
        text.contains("-----BEGIN CERTIFICATE-----"),
        "the CA is printed for --ca-file"
    );
    assert!(
        text.contains(&format!("--connect-to 127.0.0.1:80:{}", flawed.addr)),
        "{text}"
    );
    assert_eq!(parsed.target.allowed_origins, vec![base.clone()]);
    assert_eq!(parsed.auth.object_b.as_deref(), Some(OBJECT_B));
    assert_eq!(parsed.auth.token_a_env.as_deref(), Some("LAUNCHREADY_DEMO_TOKEN_A"));
    assert_eq!(parsed.auth.token_b_env.as_deref(), Some("LAUNCHREADY_DEMO_TOKEN_B"));
    assert_eq!(parsed.auth.token_low_env.as_deref(), Some("LAUNCHREADY_DEMO_TOKEN_LOW"));
    assert!(parsed.active.allowed);
    assert_eq!(parsed.active.max_requests, 60);
    assert!(parsed.product.name.contains("flawed"));
    let routes: Vec<_> = parsed
        .target
        .private_routes
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    assert!(routes.contains(&("GET", "/api/conversations/{id}")));
    assert_eq!(parsed.target.admin_routes[0].path, "/admin/config");
    assert_eq!(parsed.target.webhook.as_ref().unwrap().path, "/webhooks/stripe");
    assert_eq!(parsed.target.login.as_ref().unwrap().path, "/api/login");

    let good_line = text
        .lines()
        .find(|l| l.contains(&good.base_url()))
        .expect("the good address");
    assert!(good_line.starts_with('#'));
    for (name, token) in [
        ("LAUNCHREADY_DEMO_TOKEN_A", TOKEN_A),
        ("LAUNCHREADY_DEMO_TOKEN_B", TOKEN_B),
        ("LAUNCHREADY_DEMO_TOKEN_LOW", TOKEN_LOW),
    ] {
        assert!(text.contains(&format!("export {name}={token}\n")), "{name}");
        assert!(demo::token_exports().contains(&format!("export {name}={token}\n")));
    }

    // The same shape works for the good flavour, for tests that probe both.
    let good_file = demo::target_file(&good);
    assert_eq!(good_file.target.api_base, Some(good.base_url()));
    assert!(good_file.product.name.contains("good"));

    // The routes the file names exist on the server they point at.
    let path = parsed.target.private_routes[0].path.replace("{id}", OBJECT_A);
    assert_eq!(get(&flawed, &path, &[]).await.status, 200);
    assert_eq!(
        get(&flawed, parsed.target.health_path.as_deref().unwrap(), &[])
            .await
            .status,
        200
    );
}
