//! The API checks against servers that behave like real frameworks: keep-alive connections, a
//! rate limit whose window outlives a run (429 with `Retry-After`), a chat route that needs a
//! login without being listed as private, and servers that answer without reading the request
//! body and then close the connection.
//!
//! What must hold: two runs back to back give the same verdicts and no `error`; the chat route is
//! timed with account A's token and at least 20 samples; a p95 from fewer samples is never a
//! pass; a closed connection is retried, not reported as an error.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use launchready::probe::api::{self, ApiOptions, Tokens};
use launchready::probe::http::Http;
use launchready::probe::{ProbeCtx, ProbeResult, Status};
use launchready::target::TargetFile;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const TOKEN_A: &str = "limits-token-account-a-5d8w";
const TOKEN_B: &str = "limits-token-account-b-2k7r";
/// Longer than any run should take; only a hang reaches it.
const HANG_GUARD: Duration = Duration::from_secs(150);

// --- a keep-alive API with a real fixed-window rate limit -------------------------------------

/// How the fixture API limits chat messages: `limit` per token in each fixed `window`, as
/// express-rate-limit and most API gateways do, answering 429 with the seconds to the window's end.
#[derive(Clone, Copy)]
struct Limit {
    limit: usize,
    window: Duration,
}

struct Api {
    limit: Limit,
    started: Instant,
    /// Chat messages per (token, window number).
    chats: Mutex<HashMap<(String, u64), usize>>,
    /// Method, path and bearer token of every request, in order.
    log: Mutex<Vec<(String, String, Option<String>)>>,
}

impl Api {
    fn chat_limited(&self, token: &str) -> Option<u64> {
        let elapsed = self.started.elapsed();
        let window = elapsed.as_millis() / self.limit.window.as_millis();
        let window = u64::try_from(window).unwrap();
        let mut chats = self.chats.lock().unwrap();
        let n = chats.entry((token.to_string(), window)).or_default();
        if *n >= self.limit.limit {
            let end = self.limit.window.as_millis() * u128::from(window + 1);
            let left = end.saturating_sub(elapsed.as_millis());
            return Some(u64::try_from(left.div_ceil(1_000)).unwrap().max(1));
        }
        *n += 1;
        None
    }

    fn chat_requests(&self) -> Vec<Option<String>> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|(m, p, _)| m == "POST" && p == "/api/chat")
            .map(|(_, _, t)| t.clone())
            .collect()
    }
}

fn json(status: u16, body: &str) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("Content-Type", "application/json")
        .header("X-Request-Id", "req-fixture")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap()
}

async fn handle(api: &Api, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let bearer = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    api.log
        .lock()
        .unwrap()
        .push((method.clone(), path.clone(), bearer.clone()));
    let signature = req.headers().get("stripe-signature").is_some();
    let account = match bearer.as_deref() {
        Some(TOKEN_A) => Some("a"),
        Some(TOKEN_B) => Some("b"),
        _ => None,
    };
    let body = req
        .into_body()
        .collect()
        .await
        .map(http_body_util::Collected::to_bytes)
        .unwrap_or_default();
    if method == "OPTIONS" {
        return json(204, "");
    }
    match (method.as_str(), path.as_str()) {
        ("GET", "/health") => json(200, r#"{"status":"ok"}"#),
        ("GET", p) if p.starts_with("/api/conversations/") => {
            let id = p.trim_start_matches("/api/conversations/");
            match account {
                None => json(401, r#"{"error":"login required"}"#),
                Some(who) if id == format!("conv_{who}1") => json(200, r#"{"id":"x","messages":[]}"#),
                Some(_) => json(404, r#"{"error":"not found"}"#),
            }
        }
        ("POST", "/api/chat") => {
            let Some(token) = bearer.as_deref().filter(|_| account.is_some()) else {
                return json(401, r#"{"error":"login required"}"#);
            };
            if let Some(wait) = api.chat_limited(token) {
                let mut r = json(429, r#"{"error":"too many messages"}"#);
                r.headers_mut().insert("Retry-After", wait.into());
                return r;
            }
            let message = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::len));
            match message {
                _ if body.len() > 64 * 1024 => json(413, r#"{"error":"message too large"}"#),
                Some(_) => json(200, r#"{"reply":"Hello!"}"#),
                None => json(400, r#"{"error":"send {\"message\": \"text\"}"}"#),
            }
        }
        ("POST", "/webhooks/stripe") if !signature => json(400, r#"{"error":"missing signature"}"#),
        ("POST", "/webhooks/stripe") => json(400, r#"{"error":"invalid signature"}"#),
        _ => json(404, r#"{"error":"not found"}"#),
    }
}

async fn serve_api(limit: Limit) -> (SocketAddr, Arc<Api>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let api = Arc::new(Api {
        limit,
        started: Instant::now(),
        chats: Mutex::default(),
        log: Mutex::default(),
    });
    let shared = Arc::clone(&api);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let api = Arc::clone(&shared);
            tokio::spawn(async move {
                let service = service_fn(move |req| {
                    let api = Arc::clone(&api);
                    async move { Ok::<_, Infallible>(handle(&api, req).await) }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (addr, api)
}

fn target(base: &str, list_chat: bool, active: bool, max_requests: u32) -> TargetFile {
    let listed = if list_chat {
        "[[target.private_routes]]\nmethod = \"POST\"\npath = \"/api/chat\"\n"
    } else {
        ""
    };
    let text = format!(
        r#"[product]
name = "Limits"
vertical = "b2b-service"

[target]
api_base = "{base}"
health_path = "/health"

[[target.private_routes]]
method = "GET"
path = "/api/conversations/{{id}}"

{listed}
[target.webhook]
path = "/webhooks/stripe"

[target.chat]
method = "POST"
path = "/api/chat"
body = '{{"message": "{{{{prompt}}}}"}}'
reply = "/reply"

[auth]
token_a_env = "LIMITS_TOKEN_A"
token_b_env = "LIMITS_TOKEN_B"
object_b = "conv_b1"

[active]
allowed = {active}
max_requests = {max_requests}
"#
    );
    TargetFile::parse("limits.toml", &text, &["b2b-service"]).unwrap()
}

fn tokens() -> Tokens {
    Tokens {
        a: Some(TOKEN_A.into()),
        b: Some(TOKEN_B.into()),
        low: None,
        ..Default::default()
    }
}

fn options() -> ApiOptions {
    ApiOptions {
        budget: Duration::from_secs(30),
        ..ApiOptions::default()
    }
}

async fn run(target: &TargetFile) -> HashMap<String, ProbeResult> {
    let http = Http::new(&ProbeCtx::default(), target).unwrap();
    let results = tokio::time::timeout(HANG_GUARD, api::check_all(target, &tokens(), &http, &options()))
        .await
        .expect("the API checks hung");
    results.into_iter().map(|r| (r.id.clone(), r)).collect()
}

fn verdicts(results: &HashMap<String, ProbeResult>) -> Vec<(String, Status)> {
    let mut v: Vec<(String, Status)> = results.iter().map(|(id, r)| (id.clone(), r.status)).collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn no_errors(results: &HashMap<String, ProbeResult>, run: &str) {
    for r in results.values() {
        assert_ne!(
            r.status,
            Status::Error,
            "{run}: {} is error: {} {:?}",
            r.id,
            r.summary,
            r.evidence
        );
    }
}

fn text(r: &ProbeResult) -> String {
    format!("{}\n{:?}", r.summary, r.evidence)
}

// --- re-runs against a correct, rate-limited API -----------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_runs_back_to_back_give_the_same_verdicts_and_no_error() {
    // 25 chat messages per 4 s per account: the first run's sample and burst fill the window,
    // and the second run starts inside it.
    let (addr, api) = serve_api(Limit {
        limit: 25,
        window: Duration::from_secs(4),
    })
    .await;
    let target = target(&format!("http://{addr}"), true, true, 60);
    let first = run(&target).await;
    let second = run(&target).await;
    no_errors(&first, "first run");
    no_errors(&second, "second run");
    assert_eq!(verdicts(&first), verdicts(&second));
    assert_eq!(
        first["api.rate_limit"].status,
        Status::Pass,
        "{}",
        text(&first["api.rate_limit"])
    );
    assert_eq!(
        first["api.latency"].status,
        Status::Pass,
        "{}",
        text(&first["api.latency"])
    );
    // The second run met the first run's limit and waited as asked, rather than judging the 429.
    let waited = second.values().any(|r| text(r).contains("asked to wait"));
    assert!(waited, "some check of the second run waited for the rate limit");
    // Every chat message carried a token: the route is private.
    let chats = api.chat_requests();
    assert!(chats.len() >= 40, "{} chat requests", chats.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_chat_route_is_timed_with_the_token_and_enough_samples() {
    let (addr, api) = serve_api(Limit {
        limit: 1_000,
        window: Duration::from_secs(60),
    })
    .await;
    // Not listed as private: the check finds out from the 401.
    let target = target(&format!("http://{addr}"), false, true, 60);
    let http = Http::new(&ProbeCtx::default(), &target).unwrap();
    let result = api::check("api.latency", &target, &tokens(), &http, &options())
        .await
        .unwrap();
    assert_eq!(result.status, Status::Pass, "{}", text(&result));
    assert!(result.summary.contains("chat route"), "{}", result.summary);
    let samples: usize = result
        .summary
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .filter(|n| (20..=60).contains(n))
        .max()
        .unwrap_or(0);
    assert!(
        samples >= 20,
        "the summary names at least 20 samples: {}",
        result.summary
    );
    let chats = api.chat_requests();
    let with_token = chats.iter().filter(|t| t.as_deref() == Some(TOKEN_A)).count();
    assert!(with_token >= 20, "{with_token} chat requests carried account A's token");
    assert!(
        chats.iter().filter(|t| t.is_none()).count() <= 1,
        "at most one chat request without a token (to learn that it needs one)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_p95_from_fewer_than_20_samples_is_never_a_pass() {
    let (addr, _api) = serve_api(Limit {
        limit: 1_000,
        window: Duration::from_secs(60),
    })
    .await;
    for (active, max) in [(false, 60), (true, 12)] {
        let target = target(&format!("http://{addr}"), true, active, max);
        let http = Http::new(&ProbeCtx::default(), &target).unwrap();
        let result = api::check("api.latency", &target, &tokens(), &http, &options())
            .await
            .unwrap();
        assert_eq!(result.status, Status::Warn, "active {active}: {}", text(&result));
        assert!(
            result.summary.to_lowercase().contains("too few samples to judge"),
            "{}",
            result.summary
        );
    }
}

// --- servers that close connections ----------------------------------------------------------

/// How the raw server treats a request body it does not want.
#[derive(Clone, Copy, PartialEq)]
enum Close {
    /// Answers with `Connection: close` before reading the body, then closes (draining what
    /// arrives for a moment, as careful servers do, so the answer is not lost to a reset).
    Announced,
    /// Answers as if the connection stays open, never reads the body, and closes when the body's
    /// bytes turn out not to be a request: the client's next request on it fails.
    Silent,
}

async fn serve_closing(close: Close) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(closing_connection(stream, close));
        }
    });
    addr
}

async fn closing_connection(mut stream: TcpStream, close: Close) {
    let mut buf = Vec::new();
    let mut chunk = [0_u8; 1_024];
    loop {
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    buf.extend_from_slice(&chunk[..n]);
                    if buf.len() > 64 * 1024 {
                        return;
                    }
                    continue;
                }
            }
        };
        let head = String::from_utf8_lossy(&buf[..end]).to_string();
        let rest = buf[end + 4..].to_vec();
        let first = head.lines().next().unwrap_or_default().to_string();
        let mut parts = first.split(' ');
        let (method, path) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
        if !method.chars().all(|c| c.is_ascii_uppercase()) || method.is_empty() {
            // The unread body of the last request: not HTTP, so the server hangs up.
            break;
        }
        let has_body = head.to_ascii_lowercase().contains("content-length:") && !head.contains("ength: 0");
        let authorised = head.contains(TOKEN_A) || head.contains(TOKEN_B);
        let (status, body) = match (method, path) {
            ("GET", "/health") => (200, r#"{"status":"ok"}"#),
            ("OPTIONS", _) => (204, ""),
            (_, p) if p.starts_with("/webhooks/") => (400, r#"{"error":"invalid signature"}"#),
            _ if !authorised => (401, r#"{"error":"login required"}"#),
            ("POST", "/api/chat") => (400, r#"{"error":"bad request"}"#),
            _ => (404, r#"{"error":"not found"}"#),
        };
        let announce = close == Close::Announced && has_body;
        let reply = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nX-Request-Id: r1\r\nContent-Length: {}\r\n{}\r\n{body}",
            body.len(),
            if announce { "Connection: close\r\n" } else { "" }
        );
        if stream.write_all(reply.as_bytes()).await.is_err() {
            return;
        }
        if announce {
            break;
        }
        // Whatever followed the head (the body, unread) is taken as the next request.
        buf = rest;
    }
    let _ = stream.shutdown().await;
    // Drain for a moment before closing, so the answer is not lost to a reset.
    let deadline = Instant::now() + Duration::from_millis(500);
    while let Ok(Ok(n)) = tokio::time::timeout_at(deadline.into(), stream.read(&mut chunk)).await {
        if n == 0 {
            break;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_that_close_after_answering_cause_no_error() {
    for close in [Close::Announced, Close::Silent] {
        let addr = serve_closing(close).await;
        let target = target(&format!("http://{addr}"), true, false, 60);
        let results = run(&target).await;
        for id in [
            "api.health",
            "api.auth_required",
            "api.error_leakage",
            "api.webhook_signature",
        ] {
            let r = &results[id];
            assert_ne!(r.status, Status::Error, "{}: {id}: {}", close as u8, text(r));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_wait_for_a_rate_limit_passes_the_end_of_the_run() {
    // Every route answers 429 and asks for 30 s: within MAX_WAIT, but past the run's end.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let service = service_fn(|_req: Request<Incoming>| async {
                    let mut r = json(429, r#"{"error":"slow down"}"#);
                    r.headers_mut().insert("Retry-After", 30.into());
                    Ok::<_, Infallible>(r)
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    let target = target(&format!("http://{addr}"), true, true, 60);
    let http = Http::new(&ProbeCtx::default(), &target).unwrap();
    let options = ApiOptions {
        until: Some(Instant::now() + Duration::from_secs(2)),
        ..options()
    };
    // The guard is far below the 30 s asked for: reaching it means the check waited.
    let result = tokio::time::timeout(
        Duration::from_secs(20),
        api::check("api.health", &target, &tokens(), &http, &options),
    )
    .await
    .expect("the check did not wait past the end of the run")
    .unwrap();
    assert_eq!(result.status, Status::Error, "{}", text(&result));
    assert!(text(&result).contains("the run's time was up"), "{}", text(&result));
}
