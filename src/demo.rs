//! The practice target: a small AI-chatbot-shaped API and app served on loopback in two flavours.
//! The flawed one makes the typical launch mistakes on purpose (private routes open, another
//! tenant's chat on an id swap, any origin reflected with credentials, stack traces and a
//! key-shaped string in errors, no rate limits, a slow chat, unsigned webhooks accepted, a key in
//! the JS bundle); the good one gets each of them right. Both only ever bind 127.0.0.1, call
//! nothing outside, and every token, key and secret in here is fake and fixed.
//!
//! Each also has an HTTPS side for the web edge checks: the app page on its own port, with a
//! certificate made at start-up by the demo's own CA (trusted through [`probe_ctx`]). Plain HTTP
//! on "port 80" is the API's port reached without a port in the `Host` header, as the
//! `--connect-to 127.0.0.1:80:…` rule of [`probe_ctx`] sends it: the good flavour redirects it
//! permanently to HTTPS, the flawed one serves the page over plain HTTP. The flawed HTTPS side
//! sends no HSTS or framing protection, a session cookie without its flags, a script over plain
//! HTTP, a certificate three weeks from expiry and cacheable private answers; the good one
//! gets them right and answers as if behind Cloudflare (its `cf-ray` header), to show a pass.

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;

use crate::target::{Active, Auth, Chat, Login, Product, Route, Target, TargetFile, Webhook};

/// Account A's token (role admin).
pub const TOKEN_A: &str = "demo-token-account-a";
/// Account B's token (role member, another tenant).
pub const TOKEN_B: &str = "demo-token-account-b";
/// A user of account A at a lower role (member): may read A's chats, not the admin routes.
pub const TOKEN_LOW: &str = "demo-token-low-role";
pub const TOKEN_A_ENV: &str = "LAUNCHREADY_DEMO_TOKEN_A";
pub const TOKEN_B_ENV: &str = "LAUNCHREADY_DEMO_TOKEN_B";
pub const TOKEN_LOW_ENV: &str = "LAUNCHREADY_DEMO_TOKEN_LOW";
/// A conversation owned by account A.
pub const OBJECT_A: &str = "conv_a1";
/// A conversation owned by account B: the id the object-authorisation probe swaps in.
pub const OBJECT_B: &str = "conv_b1";
/// Shaped like an `OpenAI` project key (`sk-proj-…`) so key checkers flag it, but it is not valid
/// anywhere: it says DEMO-FAKE-KEY in the middle and ends in zeros. It exists only to be found.
pub const FAKE_KEY: &str = "sk-proj-launchready-DEMO-FAKE-KEY-0000000000000000";
/// The demo's Stripe webhook signing secret; fake, it signs nothing outside this module.
pub const WEBHOOK_SECRET: &str = "whsec_launchready_demo_not_a_real_secret";
/// The vertical the demo's target file names (its p95 threshold is 500 ms, no model-bound relief).
pub const VERTICAL: &str = "b2b-service";

/// Good flavour: login tries allowed per client IP in [`LOGIN_WINDOW`].
pub const LOGIN_LIMIT: usize = 10;
pub const LOGIN_WINDOW: Duration = Duration::from_secs(600);
/// Good flavour: chat messages allowed per token in [`CHAT_WINDOW`].
pub const CHAT_LIMIT: usize = 30;
pub const CHAT_WINDOW: Duration = Duration::from_secs(60);
/// Good flavour: the largest chat body accepted.
pub const CHAT_BODY_LIMIT: usize = 64 * 1024;
/// Both flavours: the largest request body read at all (larger gets 413).
pub const BODY_LIMIT: usize = 1024 * 1024;
/// How long the flawed chat "thinks"; over the 500 ms p95 threshold on purpose.
pub const FLAWED_CHAT_DELAY: Duration = Duration::from_millis(650);
pub const GOOD_CHAT_DELAY: Duration = Duration::from_millis(5);
/// Good flavour: how far a webhook timestamp may be from now (Stripe's default tolerance).
pub const WEBHOOK_TOLERANCE_SECS: u64 = 300;

/// Bytes of an oversized body read and thrown away before answering 413, so the client gets
/// the answer instead of a connection reset.
const DRAIN_LIMIT: usize = 8 * BODY_LIMIT;
const BODY_TIMEOUT: Duration = Duration::from_secs(10);
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_CONNECTIONS: usize = 256;
const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Which of the two practice targets to serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// The typical launch mistakes, on purpose.
    Flawed,
    /// Everything the probes look for, done right.
    Good,
}

impl Flavour {
    pub fn label(self) -> &'static str {
        match self {
            Flavour::Flawed => "flawed",
            Flavour::Good => "good",
        }
    }
}

/// A demo user: the login, the token it gets and what it may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Account {
    pub email: &'static str,
    pub password: &'static str,
    pub token: &'static str,
    /// The tenant the user belongs to.
    pub account: &'static str,
    /// `admin` or `member`.
    pub role: &'static str,
}

pub const ACCOUNTS: [Account; 3] = [
    Account {
        email: "ada@demo-chat.invalid",
        password: "demo-password-a",
        token: TOKEN_A,
        account: "acct_a",
        role: "admin",
    },
    Account {
        email: "bo@demo-chat.invalid",
        password: "demo-password-b",
        token: TOKEN_B,
        account: "acct_b",
        role: "member",
    },
    Account {
        email: "lou@demo-chat.invalid",
        password: "demo-password-low",
        token: TOKEN_LOW,
        account: "acct_a",
        role: "member",
    },
];

struct Conversation {
    id: &'static str,
    account: &'static str,
    title: &'static str,
    messages: &'static [(&'static str, &'static str)],
}

const CONVERSATIONS: [Conversation; 2] = [
    Conversation {
        id: OBJECT_A,
        account: "acct_a",
        title: "Refund for order 1042",
        messages: &[
            ("user", "Can I get a refund for order 1042?"),
            ("assistant", "Yes: refunds within 30 days go back to the original card."),
        ],
    },
    Conversation {
        id: OBJECT_B,
        account: "acct_b",
        title: "Contract renewal (account B, private)",
        messages: &[
            ("user", "Our renewal is due; can we keep last year's price?"),
            ("assistant", "I have passed this to your account manager."),
        ],
    },
];

/// Days the flawed HTTPS side's certificate has left: under 30, so `tls.certificate` warns.
pub const FLAWED_CERT_DAYS: u64 = 20;
/// Days the good HTTPS side's certificate has left.
pub const GOOD_CERT_DAYS: u64 = 80;

/// A running practice target. It serves until dropped.
#[derive(Debug)]
pub struct DemoServer {
    /// The API (and the app over plain HTTP); always on 127.0.0.1.
    pub addr: SocketAddr,
    /// The HTTPS side: the app page with its certificate.
    pub tls_addr: SocketAddr,
    pub flavour: Flavour,
    /// The demo CA's certificate, which signed the HTTPS side's.
    pub ca: rustls::pki_types::CertificateDer<'static>,
    ca_pem: String,
    // Dropping the sender tells every open connection to stop.
    _shutdown: watch::Sender<()>,
    tasks: [JoinHandle<()>; 2],
}

impl DemoServer {
    /// `http://127.0.0.1:PORT`: the API and the only allowed origin of the good one.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `https://127.0.0.1:PORT/`: the app page.
    pub fn https_url(&self) -> String {
        format!("https://{}/", self.tls_addr)
    }

    /// The demo CA's certificate in PEM, for `--ca-file`.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// `ctx` set up to check `server` as if on the internet: its CA trusted, and plain HTTP on port
/// 80 of 127.0.0.1 sent to its API port (see the module documentation).
pub fn probe_ctx(server: &DemoServer, mut ctx: crate::probe::ProbeCtx) -> crate::probe::ProbeCtx {
    ctx.extra_roots.push(server.ca.clone());
    ctx.connect_to.push(crate::probe::net::ConnectTo {
        host: "127.0.0.1".into(),
        port: 80,
        to: server.addr,
    });
    ctx
}

/// Starts one flavour on 127.0.0.1 on a free port. Needs a running tokio runtime.
pub async fn start(flavour: Flavour) -> std::io::Result<DemoServer> {
    use crate::probe::web::mint::{Authority, LeafSpec, server_config};
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let tls_listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let addr = listener.local_addr()?;
    let tls_addr = tls_listener.local_addr()?;
    let days = match flavour {
        Flavour::Flawed => FLAWED_CERT_DAYS,
        Flavour::Good => GOOD_CERT_DAYS,
    };
    let failed = |why: String| std::io::Error::other(format!("cannot make the practice certificate: {why}"));
    let ca = Authority::new("Launchready practice CA").map_err(failed)?;
    let leaf = ca
        .issue(&LeafSpec::new(["127.0.0.1", "localhost"]).valid_days_left(days))
        .map_err(failed)?;
    let tls = tokio_rustls::TlsAcceptor::from(server_config(&leaf).map_err(failed)?);
    let (shutdown, stopped) = watch::channel(());
    let state = Arc::new(State::new(
        flavour,
        format!("http://{addr}"),
        format!("https://{tls_addr}"),
    ));
    let tasks = [
        tokio::spawn(serve(listener, Arc::clone(&state), stopped.clone(), None)),
        tokio::spawn(serve(tls_listener, state, stopped, Some(tls))),
    ];
    Ok(DemoServer {
        addr,
        tls_addr,
        flavour,
        ca: ca.der(),
        ca_pem: ca.pem(),
        _shutdown: shutdown,
        tasks,
    })
}

/// The target file for a running practice target (either flavour), as the wizard would write it.
pub fn target_file(server: &DemoServer) -> TargetFile {
    let base = server.base_url();
    let route = |method: &str, path: &str| Route {
        method: method.to_string(),
        path: path.to_string(),
    };
    TargetFile {
        product: Product {
            name: product_name(server.flavour),
            vertical: VERTICAL.to_string(),
            client: None,
        },
        target: Target {
            app_url: Some(server.https_url()),
            api_base: Some(base.clone()),
            health_path: Some("/health".to_string()),
            allowed_origins: vec![base],
            private_routes: vec![route("GET", "/api/conversations/{id}"), route("POST", "/api/chat")],
            admin_routes: vec![route("GET", "/admin/config")],
            webhook: Some(Webhook {
                path: "/webhooks/stripe".to_string(),
            }),
            chat: Some(Chat {
                method: "POST".to_string(),
                path: "/api/chat".to_string(),
                body: CHAT_BODY_TEMPLATE.to_string(),
                reply: "/reply".to_string(),
                canary_env: None,
            }),
            login: Some(Login {
                path: "/api/login".to_string(),
                body: None,
            }),
            ..Target::default()
        },
        auth: Auth {
            token_a_env: Some(TOKEN_A_ENV.to_string()),
            token_b_env: Some(TOKEN_B_ENV.to_string()),
            object_b: Some(OBJECT_B.to_string()),
            token_low_env: Some(TOKEN_LOW_ENV.to_string()),
            ..Auth::default()
        },
        active: Active {
            allowed: true,
            max_requests: 60,
        },
    }
}

const CHAT_BODY_TEMPLATE: &str = r#"{"message": "{{prompt}}"}"#;

fn product_name(flavour: Flavour) -> String {
    format!("Demo Chat ({} practice target)", flavour.label())
}

/// The `export` lines that put the demo's fake tokens where the target file says to read them.
pub fn token_exports() -> String {
    format!("export {TOKEN_A_ENV}={TOKEN_A}\nexport {TOKEN_B_ENV}={TOKEN_B}\nexport {TOKEN_LOW_ENV}={TOKEN_LOW}\n")
}

/// What `launchready demo --serve` prints: the flawed target's file as commented TOML, naming the
/// good one's address in a comment. The `export` lines for the tokens are comments too, so the
/// whole text stays a valid target file that a script can save and load as is.
pub fn target_toml(flawed: &DemoServer, good: &DemoServer) -> String {
    let base = flawed.base_url();
    let exports: String = token_exports().lines().fold(String::new(), |mut out, line| {
        let _ = writeln!(out, "#     {line}");
        out
    });
    let ca: String = flawed.ca_pem().lines().fold(String::new(), |mut out, line| {
        let _ = writeln!(out, "#     {line}");
        out
    });
    format!(
        r#"# launchready practice target: the FLAWED flavour of Demo Chat, on {base}
# It makes the typical launch mistakes on purpose, so every API probe has something to find.
# The GOOD flavour (everything done right) runs on {good}; to compare, put that
# address in place of the flawed one below. Both listen only on this computer and stop when
# launchready exits.
#
# The demo's tokens are fixed and fake. Run these lines in your shell (without the leading '#'):
{exports}# then: launchready probe api --target THIS-FILE.toml
#
# The app's HTTPS side ({app}) has a certificate from the demo's own CA. To check it, save
# these lines (without the leading '#') as demo-ca.pem and pass --ca-file demo-ca.pem; add
# --connect-to 127.0.0.1:80:{addr} so "plain HTTP on port 80" reaches the demo:
{ca}
[product]
name = "{name}"
vertical = "{VERTICAL}"

[target]
app_url = "{app}"           # the app page, with its JS bundle
api_base = "{base}"
health_path = "/health"
allowed_origins = ["{base}"]       # the only origin the browser app runs on

# Routes that must refuse anyone without a valid token.
[[target.private_routes]]
method = "GET"
path = "/api/conversations/{{id}}"

[[target.private_routes]]
method = "POST"
path = "/api/chat"

# Routes only the admin role may use.
[[target.admin_routes]]
method = "GET"
path = "/admin/config"

[target.webhook]
path = "/webhooks/stripe"

# The sign-in route, for the rate-limit burst (wrong passwords only).
[target.login]
path = "/api/login"

[target.chat]
method = "POST"
path = "/api/chat"
body = '{CHAT_BODY_TEMPLATE}'
reply = "/reply"

# Names of environment variables holding the test tokens, never the tokens themselves.
[auth]
token_a_env = "{TOKEN_A_ENV}"
token_b_env = "{TOKEN_B_ENV}"
object_b = "{OBJECT_B}"               # a conversation owned by account B
token_low_env = "{TOKEN_LOW_ENV}"

# You own this target, so bounded bursts (rate limits, latency samples) are allowed.
[active]
allowed = true
max_requests = 60
"#,
        good = good.base_url(),
        name = product_name(flawed.flavour),
        app = flawed.https_url(),
        addr = flawed.addr,
    )
}

/// Signs `payload` the way Stripe does: `t=TIMESTAMP,v1=hex(HMAC-SHA256(secret, "TIMESTAMP.payload"))`.
pub fn stripe_signature(secret: &str, timestamp: u64, payload: &[u8]) -> String {
    let mac = hmac_sha256(secret.as_bytes(), &signed_payload(timestamp, payload));
    format!("t={timestamp},v1={}", hex(&mac))
}

// ---------------------------------------------------------------------------------------------
// Serving

async fn serve(
    listener: TcpListener,
    state: Arc<State>,
    mut stopped: watch::Receiver<()>,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stopped.changed() => return,
        };
        let Ok((stream, peer)) = accepted else {
            // Out of file descriptors and the like: back off instead of spinning.
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let state = state.clone();
        let mut stopped = stopped.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let secure = tls.is_some();
            let service = service_fn(move |req| {
                let state = state.clone();
                async move { Ok::<_, Infallible>(handle(&state, peer, secure, req).await) }
            });
            let builder = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .clone();
            tokio::select! {
                () = async {
                    match tls {
                        Some(tls) => {
                            if let Ok(Ok(stream)) = tokio::time::timeout(HEADER_TIMEOUT, tls.accept(stream)).await {
                                let _ = builder.serve_connection(TokioIo::new(stream), service).await;
                            }
                        }
                        None => {
                            let _ = builder.serve_connection(TokioIo::new(stream), service).await;
                        }
                    }
                } => {}
                _ = stopped.changed() => {}
            }
            drop(slot);
        });
    }
}

struct State {
    flavour: Flavour,
    /// The app's own origin, the only one the good flavour allows.
    origin: String,
    /// The HTTPS side's origin, where the good flavour redirects plain HTTP.
    https_origin: String,
    id_seed: u32,
    next_id: AtomicU64,
    logins: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
    chats: Mutex<HashMap<&'static str, VecDeque<Instant>>>,
}

impl State {
    fn new(flavour: Flavour, origin: String, https_origin: String) -> State {
        let id_seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        State {
            flavour,
            origin,
            https_origin,
            id_seed,
            next_id: AtomicU64::new(1),
            logins: Mutex::new(HashMap::new()),
            chats: Mutex::new(HashMap::new()),
        }
    }

    fn good(&self) -> bool {
        self.flavour == Flavour::Good
    }

    /// The caller's id when it is short and plain (so a trace can span services), else a new one.
    fn request_id(&self, headers: &HeaderMap) -> HeaderValue {
        let incoming = headers.get(&REQUEST_ID).and_then(|v| v.to_str().ok()).filter(|v| {
            (1..=64).contains(&v.len())
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        });
        if let Some(id) = incoming.and_then(|v| HeaderValue::from_str(v).ok()) {
            return id;
        }
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("req_{:08x}{n:08x}", self.id_seed)).expect("hex is a valid header value")
    }

    fn limit_login(&self, ip: IpAddr) -> Result<(), u64> {
        let mut logins = self.logins.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        if logins.len() >= 1024 {
            logins.retain(|_, log| log.back().is_some_and(|t| now.duration_since(*t) < LOGIN_WINDOW));
        }
        take(logins.entry(ip).or_default(), now, LOGIN_LIMIT, LOGIN_WINDOW)
    }

    fn limit_chat(&self, token: &'static str) -> Result<(), u64> {
        let mut chats = self.chats.lock().unwrap_or_else(PoisonError::into_inner);
        take(chats.entry(token).or_default(), Instant::now(), CHAT_LIMIT, CHAT_WINDOW)
    }
}

/// Records one try in a sliding window of `limit` tries per `window`; when the window is full,
/// the try is refused (and not recorded) with the seconds until the oldest one leaves it.
fn take(log: &mut VecDeque<Instant>, now: Instant, limit: usize, window: Duration) -> Result<(), u64> {
    while log.front().is_some_and(|t| now.duration_since(*t) >= window) {
        log.pop_front();
    }
    if let Some(oldest) = log.front()
        && log.len() >= limit
    {
        let wait = window.saturating_sub(now.duration_since(*oldest));
        return Err((wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1));
    }
    log.push_back(now);
    Ok(())
}

type Reply = Response<Full<Bytes>>;

async fn handle(state: &State, peer: SocketAddr, secure: bool, req: Request<Incoming>) -> Reply {
    let request_id = state.good().then(|| state.request_id(req.headers()));
    let origin = req.headers().get(header::ORIGIN).cloned();
    let path = req.uri().path().to_string();
    // "Port 80": the plain side asked for without a port in the Host header.
    let port_80 = !secure
        && req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .is_some_and(|h| !h.contains(':'));
    if port_80 && state.good() {
        let mut reply = text_reply(StatusCode::MOVED_PERMANENTLY, "text/plain", "moved to HTTPS\n");
        if let Ok(to) = HeaderValue::from_str(&format!("{}{path}", state.https_origin)) {
            reply.headers_mut().insert(header::LOCATION, to);
        }
        edge(reply.headers_mut());
        return reply;
    }
    let mut reply = route(state, peer, req).await;
    if secure && path == "/" {
        https_page(state, &mut reply);
    }
    let headers = reply.headers_mut();
    if state.good() {
        edge(headers);
    }
    if !state.good() && conversation_id(&path).is_some() {
        // A cache rule that treats private answers as static files.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    }
    if path.starts_with("/api/") {
        cors(state, origin.as_ref(), headers);
    }
    if let Some(id) = request_id {
        headers.insert(REQUEST_ID, id);
        headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        if path.starts_with("/api/") || path.starts_with("/admin/") {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
    }
    reply
}

/// The CORS headers of every `/api/` answer: the flawed flavour reflects whatever origin asks
/// (even `null`) with credentials; the good one names only the app's own origin.
fn cors(state: &State, origin: Option<&HeaderValue>, headers: &mut HeaderMap) {
    let allowed = match state.flavour {
        Flavour::Flawed => origin.cloned(),
        Flavour::Good => {
            headers.insert(header::VARY, HeaderValue::from_static("Origin"));
            origin.filter(|o| o.as_bytes() == state.origin.as_bytes()).cloned()
        }
    };
    if let Some(origin) = allowed {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
    }
}

async fn route(state: &State, peer: SocketAddr, req: Request<Incoming>) -> Reply {
    let path = req.uri().path().to_string();
    if req.method() == Method::OPTIONS && path.starts_with("/api/") {
        return preflight(state, req.headers());
    }
    let allow = match path.as_str() {
        "/" | "/assets/app.js" | "/health" | "/admin/config" | "/openapi.json" => "GET, HEAD",
        "/api/login" | "/api/chat" | "/webhooks/stripe" => "POST",
        p if conversation_id(p).is_some() => "GET, HEAD",
        _ => return error(StatusCode::NOT_FOUND, "not found"),
    };
    let method = req.method().as_str();
    if !allow.split(", ").any(|m| m == method) {
        let mut reply = error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed");
        reply
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static(allow));
        return reply;
    }
    let (parts, body) = req.into_parts();
    let headers = &parts.headers;
    match path.as_str() {
        "/" => app_page(state),
        "/assets/app.js" => bundle(state),
        "/health" => json_reply(StatusCode::OK, &json!({"status": "ok"})),
        "/openapi.json" => json_reply(StatusCode::OK, &openapi()),
        "/admin/config" => admin_config(state, headers),
        "/api/login" => match read_body(headers, body).await {
            Ok(body) => login(state, peer.ip(), &body),
            Err(e) => e.reply(),
        },
        "/api/chat" => match read_body(headers, body).await {
            Ok(body) => chat(state, headers, &body).await,
            Err(e) => e.reply(),
        },
        "/webhooks/stripe" => match read_body(headers, body).await {
            Ok(body) => webhook(state, headers, &body),
            Err(e) => e.reply(),
        },
        p => conversation(state, headers, conversation_id(p).unwrap_or_default()),
    }
}

/// The API's description, as many real APIs serve one: the wizard suggests its routes.
fn openapi() -> serde_json::Value {
    let login = json!([{"bearer": []}]);
    json!({
        "openapi": "3.0.3",
        "info": {"title": "Demo Chat API", "version": "1.0"},
        "security": login,
        "paths": {
            "/health": {"get": {"summary": "Health check", "security": []}},
            "/api/login": {"post": {"summary": "Sign in with email and password", "security": []}},
            "/api/chat": {"post": {"summary": "Send a chat message"}},
            "/api/conversations/{id}": {"get": {"summary": "One conversation"}},
            "/admin/config": {"get": {"summary": "Workspace settings (admins)"}},
            "/webhooks/stripe": {"post": {"summary": "Payment events", "security": []}}
        }
    })
}

fn conversation_id(path: &str) -> Option<&str> {
    path.strip_prefix("/api/conversations/")
        .filter(|id| !id.is_empty() && !id.contains('/'))
}

fn preflight(state: &State, headers: &HeaderMap) -> Reply {
    let mut reply = Response::new(Full::new(Bytes::new()));
    *reply.status_mut() = StatusCode::NO_CONTENT;
    let out = reply.headers_mut();
    match state.flavour {
        Flavour::Flawed => {
            // Says yes to whatever was asked, for a day.
            let method = headers
                .get(header::ACCESS_CONTROL_REQUEST_METHOD)
                .cloned()
                .unwrap_or(HeaderValue::from_static("GET, POST, PUT, PATCH, DELETE, OPTIONS"));
            let asked = headers
                .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
                .cloned()
                .unwrap_or(HeaderValue::from_static("*"));
            out.insert(header::ACCESS_CONTROL_ALLOW_METHODS, method);
            out.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, asked);
            out.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("86400"));
        }
        Flavour::Good => match headers.get(header::ORIGIN) {
            None => {
                out.insert(header::ALLOW, HeaderValue::from_static("GET, POST, OPTIONS"));
            }
            Some(origin) if origin.as_bytes() == state.origin.as_bytes() => {
                out.insert(
                    header::ACCESS_CONTROL_ALLOW_METHODS,
                    HeaderValue::from_static("GET, POST"),
                );
                out.insert(
                    header::ACCESS_CONTROL_ALLOW_HEADERS,
                    HeaderValue::from_static("authorization, content-type"),
                );
                out.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
            }
            Some(_) => return error(StatusCode::FORBIDDEN, "origin not allowed"),
        },
    }
    reply
}

/// The good flavour's answers carry the headers a Cloudflare edge adds (see the module
/// documentation: a practice target on loopback can only pretend).
fn edge(headers: &mut HeaderMap) {
    headers.insert(header::SERVER, HeaderValue::from_static("cloudflare"));
    headers.insert(
        HeaderName::from_static("cf-ray"),
        HeaderValue::from_static("8c0ffee0demo0-AMS"),
    );
}

/// What the app page says over HTTPS besides its content: the good flavour's HSTS, framing
/// and permissions rules and a well-flagged session cookie; the flawed one's bare cookie and a
/// script loaded over plain HTTP.
fn https_page(state: &State, reply: &mut Reply) {
    let headers = reply.headers_mut();
    if state.good() {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
        headers.insert(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
        );
        headers.insert(
            header::SET_COOKIE,
            HeaderValue::from_static("demo_session=practice-session-0000; Path=/; Secure; HttpOnly; SameSite=Lax"),
        );
    } else {
        headers.insert(
            header::SET_COOKIE,
            HeaderValue::from_static("demo_session=practice-session-0000; Path=/"),
        );
        let page = format!(
            "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Demo Chat</title>\n\
            <script src=\"{}/assets/app.js\"></script>\n</head>\n<body>\n<main id=\"app\">Loading Demo Chat…</main>\n</body>\n</html>\n",
            state.origin
        );
        *reply.body_mut() = Full::new(Bytes::from(page));
    }
}

fn app_page(state: &State) -> Reply {
    let page = "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
        <title>Demo Chat</title>\n</head>\n<body>\n<main id=\"app\">Loading Demo Chat…</main>\n\
        <script src=\"/assets/app.js\"></script>\n</body>\n</html>\n";
    let mut reply = text_reply(StatusCode::OK, "text/html; charset=utf-8", page);
    if state.good() {
        let headers = reply.headers_mut();
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'"),
        );
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        );
    }
    reply
}

fn bundle(state: &State) -> Reply {
    // The flawed build inlined the server's environment, key included: the classic
    // `NEXT_PUBLIC_`/`VITE_` mistake.
    let config = match state.flavour {
        Flavour::Flawed => format!(r#"{{API_BASE:"",MODEL:"gpt-4o-mini",OPENAI_API_KEY:"{FAKE_KEY}"}}"#),
        Flavour::Good => r#"{API_BASE:"",MODEL:"gpt-4o-mini"}"#.to_string(),
    };
    let js = format!(
        "/*! demo-chat app bundle */\n(()=>{{\"use strict\";const e={config};\
         function t(n){{return fetch(e.API_BASE+\"/api/chat\",{{method:\"POST\",credentials:\"include\",\
         headers:{{\"content-type\":\"application/json\"}},body:JSON.stringify({{message:n}})}})\
         .then(r=>r.json())}}\
         document.getElementById(\"app\").textContent=\"Demo Chat is ready.\";window.demoChat={{send:t}}}})();\n"
    );
    text_reply(StatusCode::OK, "application/javascript; charset=utf-8", &js)
}

fn login(state: &State, ip: IpAddr, body: &[u8]) -> Reply {
    let good = state.good();
    if good && let Err(wait) = state.limit_login(ip) {
        return too_many(wait);
    }
    let parsed: Value = match serde_json::from_slice(body) {
        Ok(parsed) => parsed,
        Err(_) if good => return error(StatusCode::BAD_REQUEST, "the body is not valid JSON"),
        Err(e) => {
            return stack_trace(
                "SyntaxError",
                &e.to_string(),
                "parseCredentials (/srv/demo-chat/src/routes/auth.js:27:31)",
            );
        }
    };
    let field = |name| parsed.get(name).and_then(Value::as_str);
    let (Some(email), Some(password)) = (field("email"), field("password")) else {
        if good {
            return error(StatusCode::BAD_REQUEST, "email and password must be strings");
        }
        return stack_trace(
            "TypeError",
            "Cannot read properties of undefined (reading 'toLowerCase')",
            "login (/srv/demo-chat/src/routes/auth.js:31:22)",
        );
    };
    let found = ACCOUNTS
        .iter()
        .find(|a| a.email.eq_ignore_ascii_case(email) && same(a.password.as_bytes(), password.as_bytes()));
    match found {
        Some(account) => json_reply(
            StatusCode::OK,
            &json!({"token": account.token, "account": account.account, "role": account.role}),
        ),
        None => error(StatusCode::UNAUTHORIZED, "wrong email or password"),
    }
}

async fn chat(state: &State, headers: &HeaderMap, body: &[u8]) -> Reply {
    if !state.good() {
        // No token needed, no limit, any content type, and errors straight from the framework.
        let parsed: Value = match serde_json::from_slice(body) {
            Ok(parsed) => parsed,
            Err(e) => {
                return stack_trace(
                    "SyntaxError",
                    &e.to_string(),
                    "JSON.parse (<anonymous>)\n    at parseBody (/srv/demo-chat/src/routes/chat.js:42:17)",
                );
            }
        };
        let Some(message) = parsed.get("message").and_then(Value::as_str) else {
            return stack_trace(
                "TypeError",
                "message.trim is not a function",
                "sendMessage (/srv/demo-chat/src/routes/chat.js:48:29)",
            );
        };
        tokio::time::sleep(FLAWED_CHAT_DELAY).await;
        return json_reply(StatusCode::OK, &json!({"reply": bot_reply(message)}));
    }
    let Some(account) = bearer(headers) else {
        return unauthorized();
    };
    if let Err(wait) = state.limit_chat(account.token) {
        return too_many(wait);
    }
    if body.len() > CHAT_BODY_LIMIT {
        return error(
            StatusCode::BAD_REQUEST,
            "the message is too large (the limit is 64 KiB)",
        );
    }
    let json_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !json_type {
        return error(
            StatusCode::BAD_REQUEST,
            "send the message as JSON (Content-Type: application/json)",
        );
    }
    let Ok(parsed) = serde_json::from_slice::<Value>(body) else {
        return error(StatusCode::BAD_REQUEST, "the body is not valid JSON");
    };
    let Some(message) = parsed
        .get("message")
        .and_then(Value::as_str)
        .filter(|m| !m.trim().is_empty())
    else {
        return error(StatusCode::BAD_REQUEST, "\"message\" must be a non-empty string");
    };
    tokio::time::sleep(GOOD_CHAT_DELAY).await;
    json_reply(StatusCode::OK, &json!({"reply": bot_reply(message)}))
}

/// Never echoes the message, so a later prompt-injection probe cannot mistake an echo for a leak.
fn bot_reply(message: &str) -> String {
    format!(
        "Demo bot here: I received {} characters. This practice target does not call any AI model.",
        message.chars().count()
    )
}

fn conversation(state: &State, headers: &HeaderMap, id: &str) -> Reply {
    let viewer = if state.good() {
        match bearer(headers) {
            Some(account) => Some(account.account),
            None => return unauthorized(),
        }
    } else {
        None
    };
    // The good flavour answers 404 for another tenant's id, so ids cannot even be probed.
    let found = CONVERSATIONS
        .iter()
        .find(|c| c.id == id && viewer.is_none_or(|v| v == c.account));
    match found {
        Some(c) => {
            let messages: Vec<Value> = c
                .messages
                .iter()
                .map(|(role, content)| json!({"role": role, "content": content}))
                .collect();
            json_reply(
                StatusCode::OK,
                &json!({"id": c.id, "account": c.account, "title": c.title, "messages": messages}),
            )
        }
        None => error(StatusCode::NOT_FOUND, "conversation not found"),
    }
}

fn admin_config(state: &State, headers: &HeaderMap) -> Reply {
    if state.good() {
        match bearer(headers) {
            None => return unauthorized(),
            Some(account) if account.role != "admin" => {
                return error(StatusCode::FORBIDDEN, "this needs the admin role");
            }
            Some(_) => {}
        }
    }
    json_reply(
        StatusCode::OK,
        &json!({
            "workspace": "acct_a",
            "model": "gpt-4o-mini",
            "temperature": 0.2,
            "system_prompt": "You are Demo Chat, the assistant of Demo Ltd. Answer briefly and politely.",
            "features": {"file_upload": false, "web_search": false},
            "support_email": "support@demo-chat.invalid",
        }),
    )
}

fn webhook(state: &State, headers: &HeaderMap, body: &[u8]) -> Reply {
    if state.good() {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let signed = headers
            .get("stripe-signature")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| verify_stripe(v, body, now));
        if !signed {
            return error(StatusCode::BAD_REQUEST, "missing or invalid Stripe-Signature");
        }
        if serde_json::from_slice::<Value>(body).is_err() {
            return error(StatusCode::BAD_REQUEST, "the event is not valid JSON");
        }
    }
    json_reply(StatusCode::OK, &json!({"received": true}))
}

fn verify_stripe(header: &str, payload: &[u8], now: u64) -> bool {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<u64>().ok(),
            Some(("v1", value)) => signatures.push(value),
            _ => {}
        }
    }
    let Some(timestamp) = timestamp else {
        return false;
    };
    if now.abs_diff(timestamp) > WEBHOOK_TOLERANCE_SECS {
        return false;
    }
    let expected = hex(&hmac_sha256(
        WEBHOOK_SECRET.as_bytes(),
        &signed_payload(timestamp, payload),
    ));
    signatures.iter().any(|s| same(s.as_bytes(), expected.as_bytes()))
}

fn signed_payload(timestamp: u64, payload: &[u8]) -> Vec<u8> {
    let mut signed = format!("{timestamp}.").into_bytes();
    signed.extend_from_slice(payload);
    signed
}

/// HMAC-SHA256 (RFC 2104) over `sha2`, to need no further crate for one webhook check.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > block.len() {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    inner.update(message);
    let inner = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner);
    outer.finalize().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// Equality that takes the same time wherever the inputs differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn bearer(headers: &HeaderMap) -> Option<&'static Account> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = token.trim().as_bytes();
    ACCOUNTS.iter().find(|a| same(a.token.as_bytes(), token))
}

// ---------------------------------------------------------------------------------------------
// Bodies and replies

enum BodyError {
    TooLarge,
    Timeout,
    Broken,
}

impl BodyError {
    fn reply(&self) -> Reply {
        match self {
            BodyError::TooLarge => error(StatusCode::PAYLOAD_TOO_LARGE, "the request body is over 1 MiB"),
            BodyError::Timeout => error(StatusCode::REQUEST_TIMEOUT, "the request body took too long"),
            BodyError::Broken => error(StatusCode::BAD_REQUEST, "the request body could not be read"),
        }
    }
}

/// Reads at most [`BODY_LIMIT`] bytes in bounded time. A larger body is read on and dropped up to
/// [`DRAIN_LIMIT`], so the client sees the 413 rather than a reset connection.
async fn read_body(headers: &HeaderMap, mut body: Incoming) -> Result<Vec<u8>, BodyError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > DRAIN_LIMIT as u64) {
        return Err(BodyError::TooLarge);
    }
    let read = async {
        let mut kept = Vec::new();
        let mut seen = 0usize;
        while let Some(frame) = body.frame().await {
            let Ok(data) = frame.map_err(|_| BodyError::Broken)?.into_data() else {
                continue;
            };
            seen = seen.saturating_add(data.len());
            if seen > DRAIN_LIMIT {
                return Err(BodyError::TooLarge);
            }
            if seen <= BODY_LIMIT {
                kept.extend_from_slice(&data);
            }
        }
        if seen > BODY_LIMIT {
            Err(BodyError::TooLarge)
        } else {
            Ok(kept)
        }
    };
    tokio::time::timeout(BODY_TIMEOUT, read)
        .await
        .unwrap_or(Err(BodyError::Timeout))
}

fn text_reply(status: StatusCode, content_type: &'static str, body: &str) -> Reply {
    let mut reply = Response::new(Full::new(Bytes::from(body.to_string())));
    *reply.status_mut() = status;
    reply
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    reply
}

fn json_reply(status: StatusCode, value: &Value) -> Reply {
    text_reply(status, "application/json", &value.to_string())
}

fn error(status: StatusCode, message: &str) -> Reply {
    json_reply(status, &json!({"error": message}))
}

fn unauthorized() -> Reply {
    let mut reply = error(StatusCode::UNAUTHORIZED, "missing or invalid token");
    reply.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"demo-chat\""),
    );
    reply
}

fn too_many(retry_after_secs: u64) -> Reply {
    let mut reply = error(
        StatusCode::TOO_MANY_REQUESTS,
        &format!("too many requests; try again in {retry_after_secs} seconds"),
    );
    reply
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
    reply
}

/// The flawed flavour's 500: what a framework in development mode sends, with the stack (file
/// paths) and the environment (the fake key) attached.
fn stack_trace(kind: &str, message: &str, at: &str) -> Reply {
    let stack = format!(
        "{kind}: {message}\n    at {at}\n    at Layer.handle [as handle_request] \
         (/srv/demo-chat/node_modules/express/lib/router/layer.js:95:5)\n    at next \
         (/srv/demo-chat/node_modules/express/lib/router/route.js:149:13)\n    at \
         process.processTicksAndRejections (node:internal/process/task_queues:95:5)"
    );
    json_reply(
        StatusCode::INTERNAL_SERVER_ERROR,
        &json!({
            "error": format!("{kind}: {message}"),
            "stack": stack,
            "env": {"NODE_ENV": "development", "OPENAI_API_KEY": FAKE_KEY, "DB_HOST": "db.internal:5432"},
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2, and test case 6 (a key longer than the block).
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex(&hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn stripe_signatures_verify_only_with_the_right_secret_body_and_time() {
        let body = br#"{"type":"checkout.session.completed"}"#;
        let now = 1_800_000_000;
        let good = stripe_signature(WEBHOOK_SECRET, now, body);
        assert!(verify_stripe(&good, body, now + 10));
        assert!(!verify_stripe(&good, body, now + WEBHOOK_TOLERANCE_SECS + 1));
        assert!(!verify_stripe(&good, b"{}", now));
        assert!(!verify_stripe(&stripe_signature("whsec_other", now, body), body, now));
        assert!(!verify_stripe("v1=abc", body, now));
        assert!(!verify_stripe("", body, now));
        let v1 = good.split_once("v1=").unwrap().1;
        assert!(verify_stripe(&format!("t={now},v1=00,v0=ff,v1={v1}"), body, now));
    }

    #[test]
    fn the_sliding_window_refuses_the_try_after_the_limit_and_says_when_to_retry() {
        let mut log = VecDeque::new();
        let start = Instant::now();
        for i in 0..3 {
            assert_eq!(
                take(&mut log, start + Duration::from_secs(i), 3, Duration::from_secs(10)),
                Ok(())
            );
        }
        assert_eq!(
            take(&mut log, start + Duration::from_secs(3), 3, Duration::from_secs(10)),
            Err(7)
        );
        assert_eq!(
            take(
                &mut log,
                start + Duration::from_millis(9_500),
                3,
                Duration::from_secs(10)
            ),
            Err(1)
        );
        assert_eq!(
            take(&mut log, start + Duration::from_secs(10), 3, Duration::from_secs(10)),
            Ok(())
        );
    }
}
