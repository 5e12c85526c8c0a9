//! The API probes against fixture servers started inside the test on 127.0.0.1: a good API, a
//! flawed one (and a few with a single flaw), and hostile ones that never answer, trickle,
//! stream forever, redirect in a loop, send broken JSON or 10 000 headers.
//!
//! The servers speak raw HTTP/1.1 written by hand, so a test controls every byte. Every run is
//! wrapped in a generous `tokio::time::timeout`: a hang guard, not a speed assertion.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use launchready::probe::api::{self, ApiOptions, Tokens};
use launchready::probe::http::Http;
use launchready::probe::registry::{self, Family};
use launchready::probe::{ProbeCtx, ProbeResult, Status};
use launchready::target::TargetFile;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The API family's check ids, in report order.
fn checks() -> Vec<&'static str> {
    registry::ids_of(Family::Api).collect()
}

const TOKEN_A: &str = "fixture-token-account-a-7f3k";
const TOKEN_B: &str = "fixture-token-account-b-9q2m";
const TOKEN_LOW: &str = "fixture-token-low-role-4x8p";
const FAKE_KEY: &str = "sk-proj-launchready-TEST-FAKE-KEY-0000000000000000";
const ALLOWED_ORIGIN: &str = "https://app.fixture.example";
/// Longer than any run should take; only a hang reaches it.
const HANG_GUARD: Duration = Duration::from_secs(90);

// --- a raw HTTP/1.1 fixture server ---------------------------------------------------------

#[derive(Debug, Clone)]
struct Request {
    method: String,
    /// Path and query, as sent.
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn bearer(&self) -> Option<&str> {
        self.header("authorization")?.strip_prefix("Bearer ")
    }

    fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    fn query(&self, name: &str) -> Option<&str> {
        let query = self.target.split_once('?')?.1;
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }
}

#[derive(Debug, Clone)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    delay: Duration,
}

impl Response {
    fn new(status: u16) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            delay: Duration::ZERO,
        }
    }

    fn json(status: u16, body: &str) -> Response {
        let mut r = Response::new(status).header("Content-Type", "application/json");
        r.body = body.as_bytes().to_vec();
        r
    }

    fn header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    fn with_body(mut self, body: &str) -> Response {
        self.body = body.as_bytes().to_vec();
        self
    }

    fn delayed(mut self, delay: Duration) -> Response {
        self.delay = delay;
        self
    }

    fn bytes(&self) -> Vec<u8> {
        use std::fmt::Write as _;
        let mut head = format!("HTTP/1.1 {} Fixture\r\n", self.status);
        for (name, value) in &self.headers {
            let _ = write!(head, "{name}: {value}\r\n");
        }
        let _ = write!(head, "Content-Length: {}\r\nConnection: close\r\n\r\n", self.body.len());
        let mut out = head.into_bytes();
        out.extend_from_slice(&self.body);
        out
    }
}

type Handler = Arc<dyn Fn(&Request) -> Response + Send + Sync>;

enum Behaviour {
    Api(Handler),
    /// Reads the request and never answers.
    Silent,
    /// Answers one byte every 100 ms.
    Trickle,
    /// A 200 whose body never ends.
    Endless,
    /// Redirects every request to itself.
    RedirectLoop,
    /// A 200 with 10 000 headers.
    ManyHeaders,
}

struct Server {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap().clone()
    }
}

async fn serve(behaviour: Behaviour) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let behaviour = Arc::new(behaviour);
    let shared = Arc::clone(&log);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(connection(stream, Arc::clone(&behaviour), Arc::clone(&shared)));
        }
    });
    Server { addr, log }
}

async fn connection(mut stream: TcpStream, behaviour: Arc<Behaviour>, log: Arc<Mutex<Vec<Request>>>) {
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    log.lock().unwrap().push(request.clone());
    match &*behaviour {
        Behaviour::Api(handler) => {
            let response = handler(&request);
            tokio::time::sleep(response.delay).await;
            let _ = stream.write_all(&response.bytes()).await;
        }
        Behaviour::Silent => {
            // Hold the connection until the client gives up.
            let mut sink = [0_u8; 64];
            while let Ok(n) = stream.read(&mut sink).await {
                if n == 0 {
                    break;
                }
            }
        }
        Behaviour::Trickle => {
            let response = Response::json(200, r#"{"status":"ok"}"#).bytes();
            for byte in response {
                if stream.write_all(&[byte]).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        Behaviour::Endless => {
            let head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n[";
            if stream.write_all(head).await.is_err() {
                return;
            }
            let chunk = "1,".repeat(8_192);
            while stream.write_all(chunk.as_bytes()).await.is_ok() {}
        }
        Behaviour::RedirectLoop => {
            let response = Response::new(302).header("Location", &request.target);
            let _ = stream.write_all(&response.bytes()).await;
        }
        Behaviour::ManyHeaders => {
            let mut response = Response::json(200, r#"{"status":"ok"}"#);
            for i in 0..10_000 {
                response = response.header(&format!("X-Filler-{i}"), "x");
            }
            let _ = stream.write_all(&response.bytes()).await;
        }
    }
    let _ = stream.shutdown().await;
}

async fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let mut chunk = [0_u8; 8_192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buf.len() > 64 * 1024 {
            return None;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let target = first.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0)
        .min(1 << 20);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    Some(Request {
        method,
        target,
        headers,
        body,
    })
}

// --- the good API and the flawed one -------------------------------------------------------

/// Who a token belongs to: (account, admin).
fn account(token: Option<&str>) -> Option<(&'static str, bool)> {
    match token? {
        TOKEN_A => Some(("a", true)),
        TOKEN_B => Some(("b", false)),
        TOKEN_LOW => Some(("a", false)),
        _ => None,
    }
}

fn owner(conversation: &str) -> Option<&'static str> {
    match conversation {
        "conv_a1" => Some("a"),
        "conv_b1" => Some("b"),
        _ => None,
    }
}

fn conversation(id: &str) -> String {
    format!(r#"{{"id":"{id}","messages":[{{"role":"user","text":"hello"}}]}}"#)
}

/// Everything right: logins checked, ownership checked, exact CORS, clean 4xx errors, limits
/// with Retry-After, signed webhooks only, roles, request ids.
fn good_api() -> Behaviour {
    let counts: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let next_id = Arc::new(Mutex::new(0_u64));
    Behaviour::Api(Arc::new(move |req: &Request| {
        let response = good_route(req, &counts);
        let mut id = next_id.lock().unwrap();
        *id += 1;
        let mut response = response.header("X-Request-Id", &format!("req-{id:08}"));
        if req.header("origin") == Some(ALLOWED_ORIGIN) {
            response = response
                .header("Access-Control-Allow-Origin", ALLOWED_ORIGIN)
                .header("Access-Control-Allow-Credentials", "true")
                .header("Vary", "Origin");
        }
        response
    }))
}

fn good_route(req: &Request, counts: &Mutex<HashMap<String, usize>>) -> Response {
    let bump = |key: String| {
        let mut counts = counts.lock().unwrap();
        let n = counts.entry(key).or_default();
        *n += 1;
        *n
    };
    let who = account(req.bearer());
    if req.method == "OPTIONS" {
        return Response::new(204);
    }
    match (req.method.as_str(), req.path()) {
        ("GET", "/health") => Response::json(200, r#"{"status":"ok"}"#),
        ("POST", "/api/login") => {
            if bump("login".into()) > 10 {
                Response::json(429, r#"{"error":"too many attempts"}"#).header("Retry-After", "600")
            } else {
                Response::json(401, r#"{"error":"wrong email or password"}"#)
            }
        }
        (_, "/api/login") => Response::json(405, r#"{"error":"method not allowed"}"#),
        // Signed by the provider, not by a user: never sent by the probe.
        ("POST", "/webhooks/stripe") if req.header("stripe-signature") == Some("t=1,v1=valid") => {
            Response::json(200, r#"{"received":true}"#)
        }
        ("POST", "/webhooks/stripe") => Response::json(400, r#"{"error":"bad signature"}"#),
        _ if who.is_none() => Response::json(401, r#"{"error":"unauthorized"}"#).header("WWW-Authenticate", "Bearer"),
        ("POST", "/api/chat") => {
            if bump(format!("chat:{}", req.bearer().unwrap_or_default())) > 30 {
                return Response::json(429, r#"{"error":"slow down"}"#).header("Retry-After", "60");
            }
            if req.header("content-type") != Some("application/json") {
                return Response::json(415, r#"{"error":"send JSON"}"#);
            }
            if req.body.len() > 64 * 1024 {
                return Response::json(413, r#"{"error":"message too long"}"#);
            }
            match serde_json::from_slice::<serde_json::Value>(&req.body) {
                Ok(v) if v["message"].is_string() => Response::json(200, r#"{"reply":"Hello back"}"#),
                Ok(_) => Response::json(400, r#"{"error":"message must be text"}"#),
                Err(_) => Response::json(400, r#"{"error":"invalid JSON"}"#),
            }
        }
        ("GET", "/api/conversations") => {
            let (who, _) = who.unwrap();
            Response::json(200, &format!("[{}]", conversation(&format!("conv_{who}1"))))
        }
        ("GET", path) if path.starts_with("/api/conversations/") => {
            let id = &path["/api/conversations/".len()..];
            match (owner(id), who) {
                (Some(o), Some((w, _))) if o == w => Response::json(200, &conversation(id)),
                _ => Response::json(404, r#"{"error":"not found"}"#),
            }
        }
        ("GET", "/admin/config") => match who {
            Some((_, true)) => Response::json(200, r#"{"model":"fixture-model","max_tokens":512}"#),
            _ => Response::json(403, r#"{"error":"admins only"}"#),
        },
        _ => Response::json(404, r#"{"error":"not found"}"#),
    }
}

/// Every launch mistake at once. `chat_delay` makes the chat route slow.
fn flawed_api(chat_delay: Duration) -> Behaviour {
    Behaviour::Api(Arc::new(move |req: &Request| {
        let mut response = flawed_route(req, chat_delay);
        if let Some(origin) = req.header("origin") {
            response = response
                .header("Access-Control-Allow-Origin", origin)
                .header("Access-Control-Allow-Credentials", "true")
                .header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
        }
        response
    }))
}

fn stack_trace(error: &str) -> String {
    format!(
        r#"{{"error":"{error}","stack":"{error}\n    at JSON.parse (<anonymous>)\n    at handler (/app/src/server.js:42:13)\n    at Layer.handle (/app/node_modules/express/lib/router/layer.js:95:5)","config":{{"openaiKey":"{FAKE_KEY}"}}}}"#
    )
}

fn flawed_route(req: &Request, chat_delay: Duration) -> Response {
    if req.method == "OPTIONS" {
        return Response::new(204);
    }
    match (req.method.as_str(), req.path()) {
        ("GET", "/health") => Response::json(401, r#"{"error":"unauthorized"}"#),
        ("POST", "/api/login") => Response::json(401, r#"{"error":"wrong email or password"}"#),
        ("POST", "/api/chat") => {
            let answer = match serde_json::from_slice::<serde_json::Value>(&req.body) {
                Ok(v) if v["message"].is_string() => Response::json(200, r#"{"reply":"Hello back"}"#),
                Ok(_) => Response::json(500, &stack_trace("TypeError: message.trim is not a function")),
                Err(_) => Response::json(500, &stack_trace("SyntaxError: Unexpected end of JSON input")),
            };
            answer.delayed(chat_delay)
        }
        ("GET", "/api/conversations") => {
            let id = req.query("id").unwrap_or("conv_a1");
            Response::json(200, &format!("[{}]", conversation(id)))
        }
        ("GET", path) if path.starts_with("/api/conversations/") => {
            let id = &path["/api/conversations/".len()..];
            match owner(id) {
                Some(_) => Response::json(200, &conversation(id)),
                None => Response::json(404, r#"{"error":"not found"}"#),
            }
        }
        ("GET", "/admin/config") => Response::json(200, r#"{"model":"fixture-model","openai_key_env":"OPENAI"}"#),
        ("POST", "/webhooks/stripe") => Response::json(200, r#"{"received":true}"#),
        _ => Response::json(404, r#"{"error":"not found"}"#),
    }
}

// --- targets, options and running ----------------------------------------------------------

fn target_text(base: &str, active: bool, max_requests: u32, object_b: &str) -> String {
    format!(
        r#"[product]
name = "Fixture Chat"
vertical = "b2b-service"

[target]
api_base = "{base}"
health_path = "/health"
allowed_origins = ["{ALLOWED_ORIGIN}"]

[[target.private_routes]]
method = "GET"
path = "/api/conversations/{{id}}"

[[target.private_routes]]
method = "POST"
path = "/api/chat"

[[target.admin_routes]]
method = "GET"
path = "/admin/config"

[target.webhook]
path = "/webhooks/stripe"

[target.chat]
path = "/api/chat"
body = '{{"message": "{{{{prompt}}}}"}}'
reply = "/reply"

[target.login]
path = "/api/login"

[auth]
token_a_env = "FIXTURE_TOKEN_A"
token_b_env = "FIXTURE_TOKEN_B"
token_low_env = "FIXTURE_TOKEN_LOW"
object_b = "{object_b}"

[active]
allowed = {active}
max_requests = {max_requests}
"#
    )
}

fn target(server: &Server, active: bool) -> TargetFile {
    parse(&target_text(&server.base(), active, 60, "conv_b1"))
}

fn parse(text: &str) -> TargetFile {
    TargetFile::parse("fixture.toml", text, &["b2b-service"]).unwrap()
}

fn tokens() -> Tokens {
    Tokens {
        a: Some(TOKEN_A.into()),
        b: Some(TOKEN_B.into()),
        low: Some(TOKEN_LOW.into()),
        ..Default::default()
    }
}

/// A tight latency limit (250 ms) so the slow fixtures (400 ms) fail fast and the quick ones pass
/// with room to spare on a busy machine.
fn options() -> ApiOptions {
    ApiOptions {
        latency_p95_ms: 250.0,
        model_bound_ms: None,
        budget: Duration::from_secs(30),
        until: None,
    }
}

fn http(target: &TargetFile, timeout: Duration) -> Http {
    let ctx = ProbeCtx {
        timeout,
        ..ProbeCtx::default()
    };
    Http::new(&ctx, target).unwrap()
}

/// Runs every check, under the hang guard.
async fn run_all(target: &TargetFile, tokens: &Tokens, timeout: Duration) -> HashMap<String, ProbeResult> {
    run_all_with(target, tokens, timeout, &options()).await
}

async fn run_all_with(
    target: &TargetFile,
    tokens: &Tokens,
    timeout: Duration,
    options: &ApiOptions,
) -> HashMap<String, ProbeResult> {
    let http = http(target, timeout);
    let results = tokio::time::timeout(HANG_GUARD, api::check_all(target, tokens, &http, options))
        .await
        .expect("the API checks hung");
    assert_eq!(results.len(), checks().len());
    results.into_iter().map(|r| (r.id.clone(), r)).collect()
}

/// Runs one check, under the hang guard.
async fn run_one(id: &str, target: &TargetFile, tokens: &Tokens) -> ProbeResult {
    let http = http(target, Duration::from_secs(2));
    tokio::time::timeout(HANG_GUARD, api::check(id, target, tokens, &http, &options()))
        .await
        .expect("the check hung")
        .expect("a known check id")
}

fn statuses(results: &HashMap<String, ProbeResult>) -> Vec<(&'static str, Status)> {
    checks().iter().map(|id| (*id, results[*id].status)).collect()
}

fn all_text(result: &ProbeResult) -> String {
    format!("{result:?}\n{}", serde_json::to_string(result).unwrap())
}

fn assert_status(result: &ProbeResult, want: Status) {
    assert_eq!(
        result.status, want,
        "{}: {}\n{:#?}",
        result.id, result.summary, result.evidence
    );
}

// --- the good and the flawed API -----------------------------------------------------------

#[tokio::test]
async fn a_good_api_passes_every_check() {
    let server = serve(good_api()).await;
    let results = run_all(&target(&server, true), &tokens(), Duration::from_secs(2)).await;
    for id in checks() {
        assert_status(&results[id], Status::Pass);
        assert!(results[id].fix.is_none(), "{id} passes without a fix");
        assert!(!results[id].evidence.is_empty(), "{id} shows what was sent");
    }
    let rate = &results["api.rate_limit"];
    assert!(rate.summary.contains("Retry-After"), "{}", rate.summary);
    let latency = &results["api.latency"];
    assert!(
        latency
            .evidence
            .iter()
            .any(|e| e.value.contains("p95") && e.value.contains("p99"))
    );
}

#[tokio::test]
async fn a_flawed_api_fails_every_check() {
    let server = serve(flawed_api(Duration::from_millis(400))).await;
    let results = run_all(&target(&server, true), &tokens(), Duration::from_secs(2)).await;
    for id in checks() {
        assert_status(&results[id], Status::Fail);
        assert!(results[id].fix.is_some(), "{id} says how to fix it");
    }
    let auth = &results["api.auth_required"];
    assert!(
        auth.summary.contains("without logging in") && auth.summary.contains("with data"),
        "{}",
        auth.summary
    );
    let object = &results["api.object_authz"];
    assert!(object.summary.contains("conv_b1"), "{}", object.summary);
    let cors = &results["api.cors"];
    assert!(cors.summary.contains("allows credentials"), "{}", cors.summary);
    let leak = &results["api.error_leakage"];
    assert!(
        leak.summary.contains("a secret key") && leak.summary.contains("a stack trace"),
        "{}",
        leak.summary
    );
    assert!(
        leak.fix.as_deref().unwrap().contains("Rotate"),
        "a leaked key must be rotated"
    );
    assert!(!all_text(leak).contains(FAKE_KEY), "the leaked key is shown redacted");
    assert!(all_text(leak).contains("sk-p…(50 chars, sha256:"), "{leak:#?}");
    let rate = &results["api.rate_limit"];
    assert!(rate.summary.contains("accepted all"), "{}", rate.summary);
    let latency = &results["api.latency"];
    assert!(latency.summary.contains("chat route"), "{}", latency.summary);
}

#[tokio::test]
async fn evidence_shows_requests_with_the_login_redacted() {
    let server = serve(flawed_api(Duration::ZERO)).await;
    let target = target(&server, false);
    let result = run_one("api.role_authz", &target, &tokens()).await;
    let line = &result
        .evidence
        .iter()
        .find(|e| e.label == "lower-role token")
        .unwrap()
        .value;
    assert!(
        line.starts_with("GET /admin/config · Authorization: Bearer fixt…(27 chars) → 200"),
        "{line}"
    );
}

// --- one flaw at a time --------------------------------------------------------------------

/// The good API with one route replaced.
fn good_except(replace: impl Fn(&Request) -> Option<Response> + Send + Sync + 'static) -> Behaviour {
    let Behaviour::Api(good) = good_api() else {
        unreachable!()
    };
    Behaviour::Api(Arc::new(move |req: &Request| replace(req).unwrap_or_else(|| good(req))))
}

fn jwt_alg(req: &Request) -> Option<String> {
    use base64::Engine;
    let header = req.bearer()?.split('.').next()?;
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(header).ok()?;
    let value: serde_json::Value = serde_json::from_slice(&json).ok()?;
    value["alg"].as_str().map(str::to_string)
}

#[tokio::test]
async fn auth_sends_four_kinds_of_bad_login_and_catches_alg_none() {
    // Accepts any JWT whose header says alg "none", the classic library misconfiguration.
    let server = serve(good_except(|req| {
        (req.path() == "/admin/config" && jwt_alg(req).as_deref() == Some("none"))
            .then(|| Response::json(200, r#"{"model":"fixture-model"}"#))
    }))
    .await;
    let target = target(&server, false);
    let result = run_one("api.auth_required", &target, &tokens()).await;
    assert_status(&result, Status::Fail);
    assert!(result.summary.contains("forged, unsigned token"), "{}", result.summary);
    assert!(result.fix.as_deref().unwrap().contains("alg \"none\""));

    let sent: Vec<Request> = server
        .requests()
        .into_iter()
        .filter(|r| r.path() == "/admin/config")
        .collect();
    assert_eq!(sent.len(), 4, "no token, malformed, expired and alg none");
    assert!(sent.iter().any(|r| r.header("authorization").is_none()));
    assert!(
        sent.iter()
            .any(|r| r.header("authorization") == Some("Bearer not-a-valid-token"))
    );
    let expired = sent.iter().find(|r| jwt_alg(r).as_deref() == Some("HS256")).unwrap();
    let payload = expired.bearer().unwrap().split('.').nth(1).unwrap();
    let payload: serde_json::Value = {
        use base64::Engine;
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload)
                .unwrap(),
        )
        .unwrap()
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(payload["exp"].as_u64().unwrap() < now, "the token expired already");
    assert!(
        sent.iter().all(|r| account(r.bearer()).is_none()),
        "no real token is used to test missing logins"
    );
}

#[tokio::test]
async fn auth_catches_an_expired_token_accepted() {
    let server = serve(good_except(|req| {
        (req.path().starts_with("/api/conversations/") && jwt_alg(req).as_deref() == Some("HS256"))
            .then(|| Response::json(200, &conversation("conv_b1")))
    }))
    .await;
    let result = run_one("api.auth_required", &target(&server, false), &tokens()).await;
    assert_status(&result, Status::Fail);
    assert!(result.summary.contains("expired token"), "{}", result.summary);
}

#[tokio::test]
async fn auth_crashing_instead_of_refusing_is_a_warning() {
    let server = serve(good_except(|req| {
        (req.path() == "/admin/config" && req.bearer().is_some_and(|t| t.starts_with("not-")))
            .then(|| Response::json(500, r#"{"error":"internal"}"#))
    }))
    .await;
    let result = run_one("api.auth_required", &target(&server, false), &tokens()).await;
    assert_status(&result, Status::Warn);
}

#[tokio::test]
async fn object_check_needs_account_b_to_see_its_own_object() {
    let server = serve(good_api()).await;
    let target = parse(&target_text(&server.base(), false, 60, "conv_zz9"));
    let result = run_one("api.object_authz", &target, &tokens()).await;
    assert_status(&result, Status::Error);
    assert!(result.summary.contains("setup"), "{}", result.summary);
    let with_a = server
        .requests()
        .into_iter()
        .filter(|r| r.bearer() == Some(TOKEN_A))
        .count();
    assert_eq!(with_a, 0, "account A is not tried when the control request fails");
}

#[tokio::test]
async fn object_check_catches_an_id_swap_in_the_query() {
    // The path route is safe; the list route filters by ?id= without checking the owner.
    let server = serve(good_except(|req| {
        (req.path() == "/api/conversations")
            .then(|| req.query("id"))
            .flatten()
            .map(|id| Response::json(200, &format!("[{}]", conversation(id))))
    }))
    .await;
    let result = run_one("api.object_authz", &target(&server, false), &tokens()).await;
    assert_status(&result, Status::Fail);
    assert!(result.summary.contains("query string"), "{}", result.summary);
}

#[tokio::test]
async fn a_missing_token_variable_is_an_error_naming_it() {
    let server = serve(good_api()).await;
    let target = target(&server, false);
    let partial = Tokens {
        a: Some(TOKEN_A.into()),
        b: None,
        low: None,
        ..Default::default()
    };
    let result = run_one("api.object_authz", &target, &partial).await;
    assert_status(&result, Status::Error);
    assert!(result.summary.contains("FIXTURE_TOKEN_B"), "{}", result.summary);
    let role = run_one("api.role_authz", &target, &partial).await;
    assert_status(&role, Status::Error);
    assert!(server.requests().is_empty(), "nothing is sent without the tokens");
}

#[tokio::test]
async fn cors_catches_look_alike_and_null_origins() {
    // `origin.startsWith(allowed)`: the allowed origin with a suffix gets in.
    let starts_with = serve(good_except(|req| {
        let origin = req.header("origin")?;
        (origin.starts_with(ALLOWED_ORIGIN) && origin != ALLOWED_ORIGIN).then(|| {
            Response::json(401, r#"{"error":"unauthorized"}"#)
                .header("Access-Control-Allow-Origin", origin)
                .header("Access-Control-Allow-Credentials", "true")
        })
    }))
    .await;
    let result = run_one("api.cors", &target(&starts_with, false), &tokens()).await;
    assert_status(&result, Status::Fail);
    assert!(result.summary.contains("suffix"), "{}", result.summary);

    let null = serve(good_except(|req| {
        (req.header("origin") == Some("null")).then(|| {
            Response::json(401, "{}")
                .header("Access-Control-Allow-Origin", "null")
                .header("Access-Control-Allow-Credentials", "true")
        })
    }))
    .await;
    let result = run_one("api.cors", &target(&null, false), &tokens()).await;
    assert_status(&result, Status::Fail);
    assert!(result.summary.contains("null"), "{}", result.summary);

    let no_credentials = serve(good_except(|req| {
        let origin = req.header("origin")?;
        (origin != ALLOWED_ORIGIN).then(|| Response::json(401, "{}").header("Access-Control-Allow-Origin", origin))
    }))
    .await;
    let result = run_one("api.cors", &target(&no_credentials, false), &tokens()).await;
    assert_status(&result, Status::Warn);

    let sent: Vec<String> = starts_with
        .requests()
        .iter()
        .filter_map(|r| r.header("origin").map(str::to_string))
        .collect();
    for origin in [
        "https://attacker.example",
        "null",
        "https://app.fixture.example.attacker.example",
        "https://attacker-app.fixture.example",
    ] {
        assert!(sent.iter().any(|o| o == origin), "{origin} was tried: {sent:?}");
    }
    assert!(
        starts_with
            .requests()
            .iter()
            .any(|r| r.method == "OPTIONS" && r.header("access-control-request-method").is_some()),
        "a pre-flight was sent"
    );
}

#[tokio::test]
async fn error_leakage_sends_four_kinds_of_bad_input() {
    let server = serve(good_api()).await;
    let result = run_one("api.error_leakage", &target(&server, false), &tokens()).await;
    assert_status(&result, Status::Pass);
    let chat: Vec<Request> = server
        .requests()
        .into_iter()
        .filter(|r| r.path() == "/api/chat")
        .collect();
    assert!(chat.iter().any(|r| r.body.len() > 64 * 1024), "an oversized body");
    assert!(
        chat.iter()
            .any(|r| serde_json::from_slice::<serde_json::Value>(&r.body).is_err()
                && r.header("content-type") == Some("application/json"))
    );
    assert!(chat.iter().any(|r| r.header("content-type") == Some("text/xml")));
    assert!(
        chat.iter()
            .any(|r| { serde_json::from_slice::<serde_json::Value>(&r.body).is_ok_and(|v| v["message"].is_number()) })
    );
}

#[tokio::test]
async fn error_leakage_finds_sql_and_paths_and_warns_on_crashes() {
    let sql = serve(good_except(|req| {
        (req.path() == "/api/chat" && req.header("content-type") == Some("text/xml")).then(|| {
            Response::json(
                400,
                r#"{"error":"ERROR: syntax error at or near \"<\" at character 1","query":"SELECT * FROM messages WHERE body = '<message>'"}"#,
            )
        })
    }))
    .await;
    let result = run_one("api.error_leakage", &target(&sql, false), &tokens()).await;
    assert_status(&result, Status::Fail);
    assert!(result.summary.contains("database"), "{}", result.summary);

    let crash = serve(good_except(|req| {
        (req.path() == "/api/chat" && req.body.len() > 64 * 1024)
            .then(|| Response::json(500, r#"{"error":"internal error"}"#))
    }))
    .await;
    let result = run_one("api.error_leakage", &target(&crash, false), &tokens()).await;
    assert_status(&result, Status::Warn);
    assert!(result.summary.contains("oversized"), "{}", result.summary);
}

#[tokio::test]
async fn rate_limit_is_active_only_and_bounded() {
    let server = serve(flawed_api(Duration::ZERO)).await;
    let passive = run_one("api.rate_limit", &target(&server, false), &tokens()).await;
    assert_status(&passive, Status::Skipped);
    assert!(passive.fix.as_deref().unwrap().contains("allowed = true"));
    assert!(server.requests().is_empty(), "no burst without permission");

    let active = parse(&target_text(&server.base(), true, 30, "conv_b1"));
    let result = run_one("api.rate_limit", &active, &tokens()).await;
    assert_status(&result, Status::Fail);
    let sent = server.requests().len();
    assert!(sent <= 30, "max_requests bounds the burst: {sent}");
    assert!(
        server.requests().iter().any(|r| r.path() == "/api/login"),
        "the login route is tried too"
    );
}

#[tokio::test]
async fn rate_limit_without_retry_after_is_a_warning() {
    let counts: Arc<Mutex<usize>> = Arc::default();
    let server = serve(good_except(move |req| {
        if req.path() != "/api/chat" && req.path() != "/api/login" {
            return None;
        }
        let mut n = counts.lock().unwrap();
        *n += 1;
        Some(if *n > 5 {
            Response::json(429, r#"{"error":"slow down"}"#)
        } else {
            Response::json(200, r#"{"reply":"ok"}"#)
        })
    }))
    .await;
    let result = run_one("api.rate_limit", &target(&server, true), &tokens()).await;
    assert_status(&result, Status::Warn);
    assert!(result.summary.contains("no Retry-After"), "{}", result.summary);
}

#[tokio::test]
async fn latency_samples_a_handful_unless_active() {
    // A handful of samples (without permission for active probing) is never enough to pass: the
    // chat route is the one judged, and five answers cannot show its p95.
    let server = serve(good_api()).await;
    let result = run_one("api.latency", &target(&server, false), &tokens()).await;
    assert_status(&result, Status::Warn);
    assert!(
        result.summary.contains("Too few samples to judge your chat route"),
        "{}",
        result.summary
    );
    assert!(result.summary.contains("5 requests answered"), "{}", result.summary);
    let requests = server.requests();
    assert_eq!(requests.iter().filter(|r| r.path() == "/health").count(), 5);
    let chats: Vec<&Request> = requests.iter().filter(|r| r.path() == "/api/chat").collect();
    assert!((5..=6).contains(&chats.len()), "{} chat requests", chats.len());
    assert_eq!(
        chats.iter().filter(|r| r.bearer() == Some(TOKEN_A)).count(),
        5,
        "the samples carry account A's token"
    );

    // With permission, the chat route is sampled enough to judge; a slow health route is shown
    // as context, not judged.
    let slow = serve(good_except(|req| {
        (req.path() == "/health").then(|| Response::json(200, r#"{"status":"ok"}"#).delayed(Duration::from_millis(400)))
    }))
    .await;
    let result = run_one("api.latency", &target(&slow, true), &tokens()).await;
    assert_status(&result, Status::Pass);
    assert!(result.summary.contains("chat route"), "{}", result.summary);
    let context = result
        .evidence
        .iter()
        .find(|e| e.label == "health route (context, not judged)")
        .unwrap_or_else(|| panic!("{result:#?}"));
    assert!(context.value.contains("p50 4"), "{}", context.value);
}

#[tokio::test]
async fn webhook_crash_is_a_warning() {
    let server = serve(good_except(|req| {
        (req.path() == "/webhooks/stripe").then(|| Response::json(500, r#"{"error":"No signatures found"}"#))
    }))
    .await;
    let result = run_one("api.webhook_signature", &target(&server, false), &tokens()).await;
    assert_status(&result, Status::Warn);
    let sent: Vec<Request> = server.requests();
    assert_eq!(sent.len(), 2);
    assert!(sent.iter().any(|r| r.header("stripe-signature").is_none()));
    let signed = sent.iter().find_map(|r| r.header("stripe-signature")).unwrap();
    assert!(signed.starts_with("t=") && signed.contains(",v1="), "{signed}");
}

#[tokio::test]
async fn request_ids_from_the_edge_only_are_a_warning() {
    let server = serve(Behaviour::Api(Arc::new(|_req: &Request| {
        Response::json(200, r#"{"status":"ok"}"#).header("CF-Ray", "8a1b2c3d4e5f-AMS")
    })))
    .await;
    let result = run_one("api.request_id", &target(&server, false), &tokens()).await;
    assert_status(&result, Status::Warn);
}

#[tokio::test]
async fn redirects_are_reported_not_followed() {
    let elsewhere = serve(good_api()).await;
    let location = format!("{}/health", elsewhere.base());
    let server = serve(Behaviour::Api(Arc::new(move |_req: &Request| {
        Response::new(301).header("Location", &location)
    })))
    .await;
    let result = run_one("api.health", &target(&server, false), &tokens()).await;
    assert_status(&result, Status::Error);
    assert!(result.summary.contains("redirects to"), "{}", result.summary);
    assert!(elsewhere.requests().is_empty(), "the other host was never contacted");
}

// --- hostile servers -----------------------------------------------------------------------

/// Runs every check against a hostile server; `timeout` per request. Speed is not judged here,
/// so the latency limit is generous.
async fn hostile(behaviour: Behaviour, timeout: Duration) -> HashMap<String, ProbeResult> {
    let server = serve(behaviour).await;
    let target = parse(&target_text(&server.base(), true, 20, "conv_b1"));
    let options = ApiOptions {
        latency_p95_ms: 5_000.0,
        ..options()
    };
    run_all_with(&target, &tokens(), timeout, &options).await
}

const SHORT: Duration = Duration::from_millis(300);
/// For servers that do answer: long enough that a loaded machine still reads 256 KB in time.
const ROOMY: Duration = Duration::from_secs(3);

fn expect(results: &HashMap<String, ProbeResult>, want: &[(&str, Status)]) {
    for (id, status) in want {
        assert_status(&results[*id], *status);
    }
}

#[tokio::test]
async fn a_server_that_never_answers_gives_errors() {
    let results = hostile(Behaviour::Silent, SHORT).await;
    for (id, status) in statuses(&results) {
        assert_eq!(status, Status::Error, "{id}: {}", results[id].summary);
    }
    assert!(
        results["api.health"]
            .summary
            .contains("no complete answer within 300 ms")
    );
}

#[tokio::test]
async fn a_server_that_trickles_gives_errors() {
    let results = hostile(Behaviour::Trickle, SHORT).await;
    for (id, status) in statuses(&results) {
        assert_eq!(status, Status::Error, "{id}: {}", results[id].summary);
    }
}

#[tokio::test]
async fn a_server_with_10000_headers_gives_errors() {
    let results = hostile(Behaviour::ManyHeaders, SHORT).await;
    for (id, status) in statuses(&results) {
        assert_eq!(status, Status::Error, "{id}: {}", results[id].summary);
    }
}

#[tokio::test]
async fn a_redirect_loop_gives_errors_and_no_request_ids() {
    let results = hostile(Behaviour::RedirectLoop, SHORT).await;
    for (id, status) in statuses(&results) {
        let want = if id == "api.request_id" {
            Status::Fail
        } else {
            Status::Error
        };
        assert_eq!(status, want, "{id}: {}", results[id].summary);
    }
}

#[tokio::test]
async fn an_endless_body_is_cut_and_judged() {
    let results = hostile(Behaviour::Endless, ROOMY).await;
    expect(
        &results,
        &[
            ("api.health", Status::Warn),
            ("api.auth_required", Status::Fail),
            ("api.object_authz", Status::Fail),
            ("api.cors", Status::Pass),
            ("api.error_leakage", Status::Warn),
            ("api.rate_limit", Status::Warn),
            ("api.webhook_signature", Status::Fail),
            ("api.role_authz", Status::Fail),
            ("api.request_id", Status::Fail),
        ],
    );
    assert!(results["api.health"].summary.contains("never ends"));
    let auth = &results["api.auth_required"];
    assert!(auth.evidence.iter().any(|e| e.value.contains("cut")), "{auth:#?}");
}

#[tokio::test]
async fn invalid_json_is_judged_by_status_not_parsed() {
    let results = hostile(
        Behaviour::Api(Arc::new(|_req: &Request| {
            Response::json(200, r#"{"id": "conv_b1", "messages": [{"text": "#)
        })),
        ROOMY,
    )
    .await;
    expect(
        &results,
        &[
            ("api.health", Status::Pass),
            ("api.auth_required", Status::Fail),
            ("api.object_authz", Status::Fail),
            ("api.cors", Status::Pass),
            ("api.error_leakage", Status::Warn),
            ("api.rate_limit", Status::Warn),
            ("api.webhook_signature", Status::Fail),
            ("api.role_authz", Status::Fail),
            ("api.request_id", Status::Fail),
        ],
    );
}

// --- tokens never leak ---------------------------------------------------------------------

/// Echoes the Authorization value everywhere it could end up in evidence.
fn echo_api() -> Behaviour {
    Behaviour::Api(Arc::new(|req: &Request| {
        let auth = req.header("authorization").unwrap_or("none").to_string();
        let headers: Vec<String> = req.headers.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        let status = if req.path() == "/api/chat" { 429 } else { 200 };
        Response::json(
            status,
            &serde_json::json!({ "you_sent": headers, "token": auth }).to_string(),
        )
        .header("X-Request-Id", &auth)
        .header("Location", &auth)
        .header("Retry-After", &auth)
        .header("WWW-Authenticate", &auth)
        .header("Access-Control-Allow-Origin", &auth)
    }))
}

#[tokio::test]
async fn no_token_value_appears_in_any_result() {
    let secrets = [TOKEN_A, TOKEN_B, TOKEN_LOW];
    let tokens = tokens();
    let debug = format!("{tokens:?}");
    for secret in secrets {
        assert!(!debug.contains(secret), "{debug}");
    }
    for behaviour in [good_api(), flawed_api(Duration::ZERO), echo_api()] {
        let server = serve(behaviour).await;
        let target = target(&server, true);
        let http = http(&target, Duration::from_secs(2));
        let results = tokio::time::timeout(HANG_GUARD, api::check_all(&target, &tokens, &http, &options()))
            .await
            .expect("the API checks hung");
        for result in &results {
            let text = all_text(result);
            for secret in secrets {
                assert!(!text.contains(secret), "{} shows a token:\n{text}", result.id);
                // Nor a long piece of one, e.g. cut off by an excerpt.
                assert!(
                    !text.contains(&secret[..16]),
                    "{} shows most of a token:\n{text}",
                    result.id
                );
            }
        }
        // The tokens were really sent, so the test proves something.
        assert!(server.requests().iter().any(|r| r.bearer() == Some(TOKEN_A)));
    }
}

// --- regressions: mistyped routes, CORS fallback, timeouts, redaction order -----------------

/// A target naming only the API and its health route, with active probing as asked.
fn health_only_target(server: &Server, active: bool, max_requests: u32) -> TargetFile {
    parse(&format!(
        r#"[product]
name = "Fixture Chat"
vertical = "b2b-service"

[target]
api_base = "{}"
health_path = "/health"

[active]
allowed = {active}
max_requests = {max_requests}
"#,
        server.base()
    ))
}

#[tokio::test]
async fn mistyped_routes_are_errors_not_passes() {
    // Bug: any 4xx counted as "refused", so 404 to every route made the checks pass untested.
    let server = serve(Behaviour::Api(Arc::new(|req: &Request| {
        if req.method == "GET" && req.path() == "/health" {
            Response::json(200, r#"{"status":"ok"}"#)
        } else {
            Response::json(404, r#"{"error":"not found"}"#)
        }
    })))
    .await;
    let results = run_all(&target(&server, true), &tokens(), Duration::from_secs(2)).await;
    for id in [
        "api.auth_required",
        "api.webhook_signature",
        "api.error_leakage",
        "api.cors",
        "api.rate_limit",
    ] {
        assert_status(&results[id], Status::Error);
    }
    for id in [
        "api.auth_required",
        "api.webhook_signature",
        "api.error_leakage",
        "api.cors",
    ] {
        assert!(
            results[id].summary.contains("route was not found"),
            "{id}: {}",
            results[id].summary
        );
    }
    let rate = &results["api.rate_limit"];
    assert!(!rate.summary.contains("accepted all"), "{}", rate.summary);
    assert!(rate.summary.contains("404"), "{}", rate.summary);
}

#[tokio::test]
async fn a_404_is_a_refusal_when_a_real_token_shows_the_route_exists() {
    // Bug fix guard: a 404 to strangers counts as refused once a control request gets past it.
    let server = serve(good_except(|req| {
        let private = req.path().starts_with("/api/conversations/") || req.path() == "/admin/config";
        (private && account(req.bearer()).is_none()).then(|| Response::json(404, r#"{"error":"not found"}"#))
    }))
    .await;
    let result = run_one("api.auth_required", &target(&server, false), &tokens()).await;
    assert_status(&result, Status::Pass);
    assert!(
        result.evidence.iter().any(|e| e.label.contains("for comparison")),
        "{result:#?}"
    );
    let with_b = server
        .requests()
        .into_iter()
        .filter(|r| r.bearer() == Some(TOKEN_B))
        .count();
    assert_eq!(with_b, 1, "the owner's token checks the route with B's object");
}

#[tokio::test]
async fn a_burst_of_client_errors_is_no_missing_limit() {
    // Bug: a burst answered only with 4xx (no 429) was reported as "accepted without a limit".
    let server = serve(good_except(|req| {
        (req.path() == "/api/chat").then(|| Response::json(400, r#"{"error":"bad request"}"#))
    }))
    .await;
    let target =
        parse(&target_text(&server.base(), true, 30, "conv_b1").replace("[target.login]\npath = \"/api/login\"\n", ""));
    let result = run_one("api.rate_limit", &target, &tokens()).await;
    assert_status(&result, Status::Error);
    assert!(!result.summary.contains("accepted all"), "{}", result.summary);
}

#[tokio::test]
async fn cors_on_the_health_fallback_is_a_warning_naming_the_path() {
    // Bug: with no API route known, CORS was tried on /health only and still reported a pass.
    let server = serve(good_api()).await;
    let result = run_one("api.cors", &health_only_target(&server, false, 10), &tokens()).await;
    assert_status(&result, Status::Warn);
    assert!(result.summary.contains("tested only on /health"), "{}", result.summary);
    assert!(result.fix.is_some());

    // A failure found on the fallback stays a failure.
    let flawed = serve(flawed_api(Duration::ZERO)).await;
    let result = run_one("api.cors", &health_only_target(&flawed, false, 10), &tokens()).await;
    assert_status(&result, Status::Fail);

    // A real API route: the summary names it.
    let good = serve(good_api()).await;
    let result = run_one("api.cors", &target(&good, false), &tokens()).await;
    assert_status(&result, Status::Pass);
    assert!(
        result.summary.contains("/api/conversations/conv_b1"),
        "{}",
        result.summary
    );
}

/// A health route that takes longer than the 2 s client timeout on the given request numbers.
fn health_timing_out_on(numbers: &'static [usize]) -> Behaviour {
    let count: Arc<Mutex<usize>> = Arc::default();
    Behaviour::Api(Arc::new(move |req: &Request| {
        if req.path() != "/health" {
            return Response::json(404, r#"{"error":"not found"}"#);
        }
        let mut n = count.lock().unwrap();
        *n += 1;
        let response = Response::json(200, r#"{"status":"ok"}"#);
        if numbers.contains(&*n) {
            response.delayed(Duration::from_millis(2_600))
        } else {
            response
        }
    }))
}

#[tokio::test]
async fn one_timeout_in_ten_samples_is_not_a_slow_p95() {
    // Bug: a timed-out sample was counted at the timeout and became the p95 of 10 samples: Fail.
    // (25 samples: fewer than 20 answers would be "too few to judge" whatever they show.)
    let server = serve(health_timing_out_on(&[10])).await;
    let result = run_one("api.latency", &health_only_target(&server, true, 25), &tokens()).await;
    assert_status(&result, Status::Pass);
    assert!(result.summary.contains("timeout"), "{}", result.summary);
    assert!(
        result.evidence.iter().any(|e| e.value.contains("not counted")),
        "{result:#?}"
    );
}

#[tokio::test]
async fn many_timeouts_are_an_error_not_a_failure() {
    // Bug: timeouts alone could give Fail; more than 10 % of samples timing out is Error.
    let server = serve(health_timing_out_on(&[3, 6])).await;
    let result = run_one("api.latency", &health_only_target(&server, true, 10), &tokens()).await;
    assert_status(&result, Status::Error);
    assert!(result.summary.contains("did not answer in time"), "{}", result.summary);
}

#[tokio::test]
async fn secrets_at_the_edge_of_an_excerpt_are_redacted_before_the_cut() {
    // Bug: the leak context was cut first and redacted after, so a key or token crossing the
    // window's edge showed its leading characters.
    // A stack trace at 0 whose 90-byte window cuts a token (at 80), and a file path at 200 whose
    // window cuts a key (at 280).
    let pad = |text: &mut String, to: usize, with: char| {
        while text.len() < to {
            text.push(with);
        }
    };
    let mut body = String::from("Traceback (most recent call last): ");
    pad(&mut body, 80, 'x');
    body.push_str(TOKEN_A);
    pad(&mut body, 199, 'y');
    body.push_str(" /app/server.js ");
    pad(&mut body, 279, 'z');
    body.push(' ');
    body.push_str(FAKE_KEY);
    body.push_str(" end");
    assert_eq!(body.find(TOKEN_A), Some(80));
    assert_eq!(body.find(FAKE_KEY), Some(280));
    let server = serve(good_except(move |req| {
        (req.path() == "/api/chat" && req.header("content-type") == Some("text/xml"))
            .then(|| Response::new(400).header("Content-Type", "text/plain").with_body(&body))
    }))
    .await;
    let result = run_one("api.error_leakage", &target(&server, false), &tokens()).await;
    assert_status(&result, Status::Fail);
    let text = all_text(&result);
    assert!(!text.contains("sk-proj-l"), "a cut key shows its start:\n{text}");
    assert!(!text.contains("fixture-to"), "a cut token shows its start:\n{text}");
}

#[tokio::test]
async fn tokens_in_headers_are_scrubbed_before_the_cut() {
    // Bug: header values were cut (Location at 80 characters) before the token was replaced.
    let server = serve(good_except(|req| {
        (req.path() == "/admin/config").then(|| {
            let bearer = req.bearer().unwrap_or_default();
            Response::new(302).header("Location", &format!("/elsewhere/{}?t={bearer}", "x".repeat(54)))
        })
    }))
    .await;
    let result = run_one("api.role_authz", &target(&server, false), &tokens()).await;
    assert_status(&result, Status::Error);
    let text = all_text(&result);
    assert!(text.contains("/elsewhere/"), "{text}");
    assert!(!text.contains("fixture-tok"), "a cut token shows its start:\n{text}");
}

#[tokio::test]
async fn four_character_tokens_are_scrubbed() {
    // Bug: tokens shorter than 6 characters were never scrubbed from echoed answers.
    let server = serve(echo_api()).await;
    let short = Tokens {
        a: Some(TOKEN_A.into()),
        b: Some(TOKEN_B.into()),
        low: Some("q7Zk".into()),
        ..Default::default()
    };
    let result = run_one("api.role_authz", &target(&server, false), &short).await;
    assert!(
        server.requests().iter().any(|r| r.bearer() == Some("q7Zk")),
        "it was sent"
    );
    let text = all_text(&result);
    assert!(!text.contains("q7Zk"), "{text}");
}

#[tokio::test]
async fn answers_of_a_rate_limit_decide_no_cors_and_no_request_id() {
    // Review finding: CORS passed ("let in none") and request ids could fail on answers that
    // were all 429s from a rate limit asking for a longer wait than launchready waits.
    let server = serve(good_except(|req| {
        (req.path() != "/health").then(|| Response::json(429, r#"{"error":"slow down"}"#).header("Retry-After", "120"))
    }))
    .await;
    let cors = run_one("api.cors", &target(&server, false), &tokens()).await;
    assert_status(&cors, Status::Error);
    assert!(cors.summary.contains("rate limit"), "{}", cors.summary);
    let limited = serve(Behaviour::Api(Arc::new(|_req: &Request| {
        Response::json(429, r#"{"error":"slow down"}"#).header("Retry-After", "120")
    })))
    .await;
    let ids = run_one("api.request_id", &target(&limited, false), &tokens()).await;
    assert_status(&ids, Status::Error);
    assert!(ids.summary.contains("rate limit"), "{}", ids.summary);
    assert!(
        all_text(&ids).contains("longer than launchready waits"),
        "the evidence says why it did not wait: {ids:#?}"
    );
}
