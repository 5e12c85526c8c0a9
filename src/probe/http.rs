//! The HTTP client of the API probes, and how what it sent and received is shown as evidence.
//!
//! [`Http`] wraps one reqwest client built from [`ProbeCtx`]: a timeout on every request (body
//! included), redirects never followed (a 3xx comes back as the answer), response bodies read up
//! to a byte cap and then dropped, a few requests at a time per host, and requests only to the
//! hosts the target file names (`api_base`, `app_url`) — anything else is refused before a byte
//! is sent. It counts what it sends.
//!
//! Evidence never carries a secret: [`Call::describe`] shows the `Authorization` value as a
//! preview (`Bearer demo…(20 chars)`), and [`excerpt`] replaces key-shaped strings in response
//! bodies with a preview, its length and a short hash.

use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::HeaderMap;
use tokio::sync::Semaphore;
use url::Url;

use super::{ProbeCtx, shorten};
use crate::target::TargetFile;

/// The most bytes of one response body that are read; the rest is never downloaded.
pub const BODY_CAP: usize = 256 * 1024;
/// Requests in flight at once to one host, across every probe sharing the client.
pub const PER_HOST: usize = 6;

/// Why a request got no usable answer. Never a verdict about the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpError {
    /// The address is not one the target file names; nothing was sent.
    NotAllowed(String),
    /// No complete answer within the timeout.
    Timeout(Duration),
    /// The connection could not be made.
    Connect(String),
    /// The connection broke or the answer was not valid HTTP.
    Broken(String),
    /// The client could not be set up.
    Setup(String),
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::NotAllowed(host) => write!(
                f,
                "refused to send a request to {host}: the target file does not name that host"
            ),
            HttpError::Timeout(after) => write!(f, "no complete answer within {}", seconds(*after)),
            HttpError::Connect(why) => write!(f, "could not connect ({why})"),
            HttpError::Broken(why) => write!(f, "the answer could not be read ({why})"),
            HttpError::Setup(why) => write!(f, "the HTTP client could not be set up ({why})"),
        }
    }
}

impl std::error::Error for HttpError {}

/// A duration in words: `450 ms`, `5 s`, `1.5 s`.
pub(crate) fn seconds(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1_000 {
        format!("{ms} ms")
    } else if ms.is_multiple_of(1_000) {
        format!("{} s", ms / 1_000)
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// One request to send: method, address, headers and body.
#[derive(Clone)]
pub struct Call {
    pub method: Method,
    pub url: Url,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

impl fmt::Debug for Call {
    /// Shows the redacted description only, so a token can never reach a log through `{:?}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Call {
    /// A request with `method` (an unknown method becomes GET) to `url`.
    pub fn new(method: &str, url: Url) -> Call {
        Call {
            method: Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET),
            url,
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn get(url: Url) -> Call {
        Call::new("GET", url)
    }

    #[must_use]
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Call {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// Adds `Authorization: Bearer <token>`.
    #[must_use]
    pub fn bearer(self, token: &str) -> Call {
        self.header("Authorization", format!("Bearer {token}"))
    }

    /// Adds a body with its content type.
    #[must_use]
    pub fn body(mut self, content_type: &str, body: impl Into<Vec<u8>>) -> Call {
        self.body = Some(body.into());
        self.header("Content-Type", content_type)
    }

    /// Adds a JSON body (the text is sent as it is, valid or not).
    #[must_use]
    pub fn json(self, body: impl Into<Vec<u8>>) -> Call {
        self.body("application/json", body)
    }

    /// The path and query, as a founder would recognise it in the evidence.
    pub fn target(&self) -> String {
        match self.url.query() {
            Some(q) => format!("{}?{q}", self.url.path()),
            None => self.url.path().to_string(),
        }
    }

    /// `GET /api/x · Authorization: Bearer demo…(20 chars) · Origin: null`, secrets redacted.
    pub fn describe(&self) -> String {
        let mut out = format!("{} {}", self.method, shorten(&self.target(), 120));
        for (name, value) in &self.headers {
            let shown = if is_secret_header(name) {
                redact_authorization(value)
            } else {
                shorten(&redact_keys(value), 80)
            };
            let _ = write!(out, " · {name}: {shown}");
        }
        if let Some(body) = &self.body {
            if body.len() > 120 {
                let _ = write!(out, " · body of {}", size(body.len()));
            } else {
                let _ = write!(out, " · body {}", excerpt(body, 120));
            }
        }
        out
    }
}

fn is_secret_header(name: &str) -> bool {
    ["authorization", "cookie", "proxy-authorization", "x-api-key"]
        .iter()
        .any(|h| name.eq_ignore_ascii_case(h))
}

/// What came back: status, headers, the body up to the cap, and how long it took.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// The body went on past the cap and was cut.
    pub truncated: bool,
    /// From sending to the end of the body (or the cap).
    pub elapsed: Duration,
    /// The server had closed the kept-alive connection the request went out on, so it was sent
    /// again on a new one.
    pub reconnected: bool,
}

impl Reply {
    /// The first value of a header, when it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn is_redirect(&self) -> bool {
        (300..400).contains(&self.status)
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// `401 · 57 bytes: {"error":…}` plus the named headers when present, secrets redacted.
    pub fn describe(&self, headers: &[&str]) -> String {
        let mut out = self.status.to_string();
        for name in headers {
            if let Some(value) = self.header(name) {
                let _ = write!(out, " · {name}: {}", shorten(&redact_keys(value), 100));
            }
        }
        if self.body.is_empty() {
            out.push_str(" · empty body");
        } else {
            let more = if self.truncated {
                "+ (cut: the body did not end)"
            } else {
                ""
            };
            let _ = write!(out, " · {}{more}: {}", size(self.body.len()), excerpt(&self.body, 160));
        }
        if self.reconnected {
            out.push_str(" · sent again on a new connection (the server had closed the first)");
        }
        out
    }
}

/// `57 bytes`, `70 KB`.
fn size(bytes: usize) -> String {
    if bytes < 10_240 {
        format!("{bytes} bytes")
    } else {
        format!("{} KB", bytes / 1_024)
    }
}

/// One request and its outcome, as one line of evidence: `GET /x … → 200 · 12 bytes: ok`.
pub fn exchange(call: &Call, outcome: &Result<Reply, HttpError>, headers: &[&str]) -> String {
    match outcome {
        Ok(reply) => format!("{} → {}", call.describe(), reply.describe(headers)),
        Err(e) => format!("{} → {e}", call.describe()),
    }
}

/// The HTTP client every API probe shares. See the module documentation.
pub struct Http {
    client: reqwest::Client,
    /// The same client without kept-alive connections: a request is sent again on it, once,
    /// when the server closed the connection the first try went out on.
    fresh: reqwest::Client,
    /// `host:port` of each address the target file names.
    allowed: Vec<String>,
    limits: HashMap<String, Arc<Semaphore>>,
    timeout: Duration,
    body_cap: usize,
    sent: AtomicUsize,
}

impl fmt::Debug for Http {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Http")
            .field("allowed", &self.allowed)
            .field("timeout", &self.timeout)
            .field("body_cap", &self.body_cap)
            .field("sent", &self.requests())
            .finish_non_exhaustive()
    }
}

impl Http {
    /// A client for the hosts of `target`'s `api_base` and `app_url`, with `ctx`'s timeout and
    /// DNS server.
    pub fn new(ctx: &ProbeCtx, target: &TargetFile) -> Result<Http, HttpError> {
        // Cheap insurance against a second crypto provider in the tree (see STACK.md); an
        // error only means one is installed already.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let allowed: Vec<String> = [&target.target.api_base, &target.target.app_url]
            .into_iter()
            .flatten()
            .filter_map(|u| Url::parse(u).ok())
            .filter_map(|u| host_port(&u))
            .fold(Vec::new(), |mut all, h| {
                if !all.contains(&h) {
                    all.push(h);
                }
                all
            });
        let dns = match ctx.resolver {
            Some(_) => Some(Arc::new(
                super::dns::Dns::new(ctx).map_err(|e| HttpError::Setup(e.to_string()))?,
            )),
            None => None,
        };
        let builder = || {
            let builder = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .timeout(ctx.timeout)
                .connect_timeout(ctx.timeout)
                .user_agent(concat!("launchready/", env!("CARGO_PKG_VERSION"), " (readiness probe)"));
            match &dns {
                Some(dns) => builder.dns_resolver(Arc::new(ProbeResolver(Arc::clone(dns)))),
                None => builder,
            }
        };
        let client = builder().build().map_err(|e| HttpError::Setup(root_cause(&e)))?;
        let fresh = builder()
            .pool_max_idle_per_host(0)
            .build()
            .map_err(|e| HttpError::Setup(root_cause(&e)))?;
        let limits = allowed
            .iter()
            .map(|h| (h.clone(), Arc::new(Semaphore::new(PER_HOST))))
            .collect();
        Ok(Http {
            client,
            fresh,
            allowed,
            limits,
            timeout: ctx.timeout,
            body_cap: BODY_CAP,
            sent: AtomicUsize::new(0),
        })
    }

    /// The same client reading at most `cap` bytes of each body.
    #[must_use]
    pub fn with_body_cap(mut self, cap: usize) -> Http {
        self.body_cap = cap.max(1);
        self
    }

    /// The timeout of one request.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Requests sent so far.
    pub fn requests(&self) -> usize {
        self.sent.load(Ordering::Relaxed)
    }

    /// Whether a request to `url` would be sent.
    pub fn allows(&self, url: &Url) -> bool {
        matches!(url.scheme(), "http" | "https") && host_port(url).is_some_and(|h| self.allowed.contains(&h))
    }

    /// Sends `call` and reads the answer, within the timeout and the byte cap.
    pub async fn send(&self, call: &Call) -> Result<Reply, HttpError> {
        let Some(host) = host_port(&call.url).filter(|_| self.allows(&call.url)) else {
            let shown = call.url.host_str().unwrap_or("an address without a host").to_string();
            return Err(HttpError::NotAllowed(shown));
        };
        let _permit = match self.limits.get(&host) {
            Some(limit) => Some(
                limit
                    .acquire()
                    .await
                    .map_err(|_| HttpError::Setup("the client was shut down".into()))?,
            ),
            None => None,
        };
        self.sent.fetch_add(1, Ordering::Relaxed);
        match self.exchange(&self.client, call).await {
            // A kept-alive connection the server had already closed (or closed while reading an
            // unread body): the request never got an answer, so send it once more on a new one.
            Err(Attempt::Closed(first)) => {
                self.sent.fetch_add(1, Ordering::Relaxed);
                match self.exchange(&self.fresh, call).await {
                    Ok(mut reply) => {
                        reply.reconnected = true;
                        Ok(reply)
                    }
                    Err(Attempt::Closed(again)) => Err(HttpError::Broken(format!(
                        "the server closed the connection before answering, also on a new connection ({first}; then {again})"
                    ))),
                    Err(Attempt::Failed(e)) => Err(e),
                }
            }
            Err(Attempt::Failed(e)) => Err(e),
            Ok(reply) => Ok(reply),
        }
    }

    /// One try of `call` on `client`, within the timeout and the byte cap.
    async fn exchange(&self, client: &reqwest::Client, call: &Call) -> Result<Reply, Attempt> {
        let mut request = client.request(call.method.clone(), call.url.clone());
        for (name, value) in &call.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        if let Some(body) = &call.body {
            request = request.body(body.clone());
        }
        // A server that echoes the credential back must not put it into evidence, in its body
        // or in a header. Credentials of 4 characters or more are replaced; shorter ones would
        // replace pieces of ordinary words, and are test values rather than secrets anyway.
        let secrets: Vec<Vec<u8>> = call
            .headers
            .iter()
            .filter(|(name, _)| is_secret_header(name))
            .map(|(_, value)| {
                value
                    .split_once(' ')
                    .map_or(value.as_str(), |(_, credential)| credential.trim())
            })
            .filter(|credential| credential.len() >= MIN_SCRUBBED)
            .map(|credential| credential.as_bytes().to_vec())
            .collect();
        let started = Instant::now();
        let cap = self.body_cap;
        let timeout = self.timeout;
        let exchange = async move {
            let mut response = request.send().await.map_err(|e| Attempt::of(&e, timeout))?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let mut body = Vec::new();
            let mut truncated = false;
            // A break once the answer has begun is an answer cut short, not a stale connection:
            // never sent again.
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|e| Attempt::Failed(classify(&e, timeout)))?
            {
                let room = cap.saturating_sub(body.len());
                if chunk.len() > room {
                    body.extend_from_slice(chunk.get(..room).unwrap_or_default());
                    truncated = true;
                    break;
                }
                body.extend_from_slice(&chunk);
            }
            let mut reply = Reply {
                status,
                headers,
                body,
                truncated,
                elapsed: started.elapsed(),
                reconnected: false,
            };
            scrub_reply(&mut reply, &secrets);
            Ok(reply)
        };
        // reqwest's own timeout covers the body too; this one is the backstop.
        match tokio::time::timeout(self.timeout + Duration::from_millis(50), exchange).await {
            Ok(outcome) => outcome,
            Err(_) => Err(Attempt::Failed(HttpError::Timeout(self.timeout))),
        }
    }
}

/// How one try of a request ended without an answer.
enum Attempt {
    /// The connection was closed or reset before any answer: worth one more try.
    Closed(String),
    Failed(HttpError),
}

impl Attempt {
    fn of(e: &reqwest::Error, timeout: Duration) -> Attempt {
        if closed_early(e) {
            Attempt::Closed(root_cause(e))
        } else {
            Attempt::Failed(classify(e, timeout))
        }
    }
}

/// Whether the request failed because the connection was closed or reset under it, before an
/// answer began: hyper's "connection closed before message completed", a reset or a broken pipe.
fn closed_early(e: &reqwest::Error) -> bool {
    if e.is_timeout() || e.is_connect() {
        return false;
    }
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if let Some(h) = c.downcast_ref::<hyper::Error>()
            && (h.is_incomplete_message() || h.is_canceled())
        {
            return true;
        }
        if let Some(io) = c.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::BrokenPipe
                    | std::io::ErrorKind::UnexpectedEof
            )
        {
            return true;
        }
        cause = c.source();
    }
    false
}

/// The shortest credential (or test token) replaced wherever it shows; shorter ones would
/// replace pieces of ordinary words ("test" inside "latest" is one thing, "ab" everywhere another).
pub const MIN_SCRUBBED: usize = 4;

/// Replaces every one of `secrets` (those of at least [`MIN_SCRUBBED`] bytes) in the body and
/// the header values of `reply` with its preview, before anything is cut for evidence. In header
/// values the preview is plain ASCII (`demo...(20 chars)`) so the value stays readable as text
/// ([`Reply::header`]).
pub fn scrub_reply(reply: &mut Reply, secrets: &[impl AsRef<[u8]>]) {
    let secrets: Vec<&[u8]> = secrets
        .iter()
        .map(AsRef::as_ref)
        .filter(|s| s.len() >= MIN_SCRUBBED)
        .collect();
    if secrets.is_empty() {
        return;
    }
    for secret in &secrets {
        reply.body = replace_bytes(
            &reply.body,
            secret,
            token_preview(&String::from_utf8_lossy(secret)).as_bytes(),
        );
    }
    for value in reply.headers.values_mut() {
        let mut bytes = value.as_bytes().to_vec();
        for secret in &secrets {
            let preview = token_preview(&String::from_utf8_lossy(secret)).replace('…', "...");
            bytes = replace_bytes(&bytes, secret, preview.as_bytes());
        }
        if bytes != value.as_bytes() {
            *value = reqwest::header::HeaderValue::from_bytes(&bytes)
                .unwrap_or_else(|_| reqwest::header::HeaderValue::from_static("(redacted)"));
        }
    }
}

/// `haystack` with every `needle` replaced by `with`.
fn replace_bytes(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return haystack.to_vec();
    }
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack.get(i..i + needle.len()) == Some(needle) {
            out.extend_from_slice(with);
            i += needle.len();
        } else {
            out.extend_from_slice(haystack.get(i..=i).unwrap_or_default());
            i += 1;
        }
    }
    out
}

/// `host:port` of an http(s) URL, lower-case, with the scheme's default port filled in.
fn host_port(url: &Url) -> Option<String> {
    let host = url.host_str().filter(|h| !h.is_empty())?.to_ascii_lowercase();
    let port = url.port_or_known_default()?;
    Some(format!("{host}:{port}"))
}

fn classify(e: &reqwest::Error, timeout: Duration) -> HttpError {
    if e.is_timeout() {
        HttpError::Timeout(timeout)
    } else if e.is_connect() {
        HttpError::Connect(root_cause(e))
    } else {
        HttpError::Broken(root_cause(e))
    }
}

/// The innermost cause of an error, which says what actually happened ("connection refused").
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    shorten(&cause.to_string(), 160)
}

/// Name lookups through the probes' own DNS layer, so `--resolver` applies to HTTP too.
struct ProbeResolver(Arc<super::dns::Dns>);

impl reqwest::dns::Resolve for ProbeResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        use super::dns::{Answer, Resolve};
        let dns = Arc::clone(&self.0);
        let host = name.as_str().to_string();
        Box::pin(async move {
            match dns.addresses(&host).await {
                Ok(Answer::Found(ips)) => {
                    let addrs: reqwest::dns::Addrs = Box::new(ips.into_iter().map(|ip| SocketAddr::new(ip, 0)));
                    Ok(addrs)
                }
                Ok(_) => Err(format!("{host} has no address in DNS").into()),
                Err(e) => Err(e.to_string().into()),
            }
        })
    }
}

/// A token as evidence may show it: a few leading characters (only of long tokens) and the
/// length, e.g. `demo…(20 chars)`.
pub fn token_preview(token: &str) -> String {
    let len = token.chars().count();
    if len >= 16 {
        let head: String = token.chars().take(4).collect();
        format!("{head}…({len} chars)")
    } else {
        format!("…({len} chars)")
    }
}

/// An `Authorization` value with the credential replaced by its preview: `Bearer demo…(20 chars)`.
pub fn redact_authorization(value: &str) -> String {
    match value.split_once(' ') {
        Some((scheme, credential)) if !scheme.is_empty() && scheme.len() <= 16 => {
            format!("{scheme} {}", token_preview(credential.trim()))
        }
        _ => token_preview(value),
    }
}

/// Lower-case hexadecimal of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// A secret-looking string as evidence may show it: `sk-p…(50 chars, sha256:1a2b3c)`.
pub fn key_preview(key: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(key.as_bytes());
    let hash = hex(digest.get(..3).unwrap_or_default());
    let head: String = key.chars().take(4).collect();
    format!("{head}…({} chars, sha256:{hash})", key.chars().count())
}

/// Where key-shaped strings (provider API keys, access tokens, JWTs, private keys) sit in
/// `text`, as byte ranges, with the name of the rule that matched.
///
/// A small built-in set until the secret rules exist; each prefix must start a word, and its
/// tail must be long enough to be a key rather than a word that happens to share the prefix.
pub fn find_keys(text: &str) -> Vec<(std::ops::Range<usize>, &'static str)> {
    // (prefix, rule, tail length at least, needs a digit in the tail)
    const RULES: &[(&str, &str, usize, bool)] = &[
        ("sk-", "provider-secret-key", 20, true),
        ("sk_live_", "stripe-secret-key", 16, false),
        ("sk_test_", "stripe-secret-key", 16, false),
        ("rk_live_", "stripe-restricted-key", 16, false),
        ("whsec_", "webhook-secret", 16, false),
        ("AKIA", "aws-access-key-id", 16, false),
        ("ASIA", "aws-access-key-id", 16, false),
        ("ghp_", "github-token", 30, false),
        ("gho_", "github-token", 30, false),
        ("ghs_", "github-token", 30, false),
        ("github_pat_", "github-token", 30, false),
        ("glpat-", "gitlab-token", 20, false),
        ("xoxb-", "slack-token", 20, false),
        ("xoxp-", "slack-token", 20, false),
        ("AIza", "google-api-key", 30, false),
        ("hf_", "huggingface-token", 30, false),
        ("SG.", "sendgrid-key", 40, false),
        ("eyJ", "jwt", 30, false),
    ];
    let bytes = text.as_bytes();
    let is_tail = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.';
    let mut found: Vec<(std::ops::Range<usize>, &'static str)> = Vec::new();
    for &(prefix, rule, min_tail, digit) in RULES {
        let mut from = 0;
        while let Some(at) = text.get(from..).and_then(|rest| rest.find(prefix)) {
            let start = from + at;
            from = start + prefix.len();
            let starts_word = start == 0
                || bytes
                    .get(start - 1)
                    .is_some_and(|b| !b.is_ascii_alphanumeric() && *b != b'_' && *b != b'-');
            if !starts_word {
                continue;
            }
            let mut end = from;
            while bytes.get(end).is_some_and(|b| is_tail(*b)) {
                end += 1;
            }
            // A trailing dot ends a sentence, not a key.
            while end > from && bytes.get(end - 1) == Some(&b'.') {
                end -= 1;
            }
            let tail = text.get(from..end).unwrap_or_default();
            let long_enough = tail.len() >= min_tail;
            let mixed =
                !digit || (tail.bytes().any(|b| b.is_ascii_digit()) && tail.bytes().any(|b| b.is_ascii_alphabetic()));
            let jwt_shaped = rule != "jwt" || tail.matches('.').count() >= 2;
            if long_enough && mixed && jwt_shaped {
                found.push((start..end, rule));
            }
            // Whatever the verdict, the rest of this run of key characters is not a word start:
            // skipping it keeps hostile input (`sk-sk-sk-…`) linear.
            from = end.max(from);
        }
    }
    let mut from = 0;
    while let Some(at) = text.get(from..).and_then(|rest| rest.find("-----BEGIN")) {
        let start = from + at;
        from = start + "-----BEGIN".len();
        let header_end = window(text, start, 60)
            .find("PRIVATE KEY-----")
            .map(|i| start + i + "PRIVATE KEY-----".len());
        if let Some(h) = header_end {
            // The body of a key is a few kilobytes at most; look no further for its end.
            let body = window(text, h, 16 * 1024);
            let end = body
                .find("-----END")
                .and_then(|i| body.get(i..).and_then(|r| r.find("KEY-----")).map(|j| h + i + j + 8))
                .unwrap_or(h + body.len().min(2_000));
            let end = (end..=text.len())
                .find(|e| text.is_char_boundary(*e))
                .unwrap_or(text.len());
            found.push((start..end, "private-key"));
            from = end;
        }
    }
    found.sort_by_key(|(r, _)| r.start);
    // Drop ranges inside an earlier one (e.g. a JWT inside a PEM block).
    let mut out: Vec<(std::ops::Range<usize>, &'static str)> = Vec::new();
    for (range, rule) in found {
        if out.last().is_none_or(|(last, _)| range.start >= last.end) {
            out.push((range, rule));
        }
    }
    out
}

/// At most `len` bytes of `text` from `start`, cut back to a character boundary.
pub(crate) fn window(text: &str, start: usize, len: usize) -> &str {
    let end = (start + len).min(text.len());
    let end = (start..=end).rev().find(|e| text.is_char_boundary(*e)).unwrap_or(start);
    text.get(start..end).unwrap_or_default()
}

/// `text` with every key-shaped string replaced by its [`key_preview`].
pub fn redact_keys(text: &str) -> String {
    let hits: Vec<(std::ops::Range<usize>, String)> = find_keys(text)
        .into_iter()
        .map(|(range, _)| {
            let preview = key_preview(text.get(range.clone()).unwrap_or_default());
            (range, preview)
        })
        .collect();
    replace_ranges(text, hits, 0).0
}

/// `text` with each byte range replaced by its text (ranges sorted by start; one overlapping an
/// earlier one is dropped), and where byte `at` of `text` lands in the result: a position inside
/// a replaced range lands at the start of its replacement.
///
/// Redacting the whole text first and cutting a window afterwards (around the returned position)
/// is what keeps a secret at the edge of a window from showing its first characters.
pub(crate) fn replace_ranges(
    text: &str,
    mut ranges: Vec<(std::ops::Range<usize>, String)>,
    at: usize,
) -> (String, usize) {
    ranges.sort_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)));
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    let mut mapped = None;
    for (range, with) in ranges {
        if range.start < done || range.end > text.len() || range.is_empty() {
            continue;
        }
        if mapped.is_none() && at < range.end {
            mapped = Some(if at < range.start {
                out.len() + (at - done)
            } else {
                out.len() + (range.start - done)
            });
        }
        out.push_str(text.get(done..range.start).unwrap_or_default());
        out.push_str(&with);
        done = range.end;
    }
    let mapped = mapped.unwrap_or_else(|| out.len() + at.saturating_sub(done));
    out.push_str(text.get(done..).unwrap_or_default());
    let mapped = (mapped.min(out.len())..=out.len())
        .find(|i| out.is_char_boundary(*i))
        .unwrap_or(out.len());
    (out, mapped)
}

/// A short, single-line, redacted excerpt of a body: keys replaced in the whole body first,
/// then whitespace collapsed and the text cut to at most `max` characters.
pub fn excerpt(body: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(body);
    one_line(&redact_keys(&text), max)
}

/// `text` (already redacted) on one line, whitespace collapsed, at most `max` characters.
pub(crate) fn one_line(text: &str, max: usize) -> String {
    let flat = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    shorten(&flat, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAKE: &str = "sk-proj-launchready-DEMO-FAKE-KEY-0000000000000000";

    #[test]
    fn keys_are_found_and_redacted() {
        let text = format!("boom: {FAKE} at startup; AKIAIOSFODNN7EXAMPLE and whsec_abcdefghijklmnopqrstu.");
        let hits = find_keys(&text);
        let rules: Vec<&str> = hits.iter().map(|(_, r)| *r).collect();
        assert_eq!(rules, ["provider-secret-key", "aws-access-key-id", "webhook-secret"]);
        let redacted = redact_keys(&text);
        assert!(!redacted.contains(FAKE), "{redacted}");
        assert!(redacted.contains("sk-p…(50 chars, sha256:"), "{redacted}");
        assert!(!redacted.contains("IOSFODNN7"), "{redacted}");
        assert!(redacted.ends_with('.'), "the sentence's full stop stays: {redacted}");
    }

    #[test]
    fn words_sharing_a_prefix_are_not_keys() {
        for text in [
            "task-list-with-a-very-long-name-indeed",
            "sk-this-is-just-a-long-css-class-name",
            "risk-0123456789abcdefghijklmnop",
            "AKIA is a prefix",
            "eyJ alone",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9 without dots",
        ] {
            assert!(find_keys(text).is_empty(), "{text}");
        }
        let jwt = "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2lnbmF0dXJl";
        assert_eq!(find_keys(jwt).len(), 1);
    }

    #[test]
    fn private_keys_are_found() {
        let pem = "x -----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- y";
        let hits = find_keys(pem);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].1, "private-key");
        assert!(redact_keys(pem).ends_with(" y"));
        assert!(!redact_keys(pem).contains("MIIEow"));
    }

    #[test]
    fn hostile_text_is_scanned_in_linear_time() {
        // Each of these took quadratic time in a naive scanner; a regression would hang here.
        for text in [
            "sk-".repeat(100_000),
            "-----BEGIN".repeat(30_000),
            "-----BEGIN RSA PRIVATE KEY-----".repeat(10_000),
            "eyJ.".repeat(80_000),
        ] {
            let _ = redact_keys(&text);
        }
    }

    #[test]
    fn garbled_text_never_panics() {
        let pieces = [
            "sk-",
            "é",
            "-----BEGIN",
            "PRIVATE KEY-----",
            "eyJ",
            ".",
            "a1",
            "-----END",
            " ",
            "\u{1F600}",
            "AKIA",
        ];
        for text in super::super::garbled(7, 2_000, &pieces, 30) {
            let _ = redact_keys(&text);
            let _ = excerpt(text.as_bytes(), 20);
        }
    }

    #[test]
    fn authorization_values_are_previewed() {
        assert_eq!(
            redact_authorization("Bearer demo-token-account-a"),
            "Bearer demo…(20 chars)"
        );
        assert_eq!(redact_authorization("Bearer short"), "Bearer …(5 chars)");
        assert_eq!(redact_authorization("rawtokenwithoutscheme"), "rawt…(21 chars)");
        let call = Call::get(Url::parse("http://127.0.0.1:9/x?id=1").unwrap()).bearer("demo-token-account-a");
        let shown = call.describe();
        assert_eq!(shown, "GET /x?id=1 · Authorization: Bearer demo…(20 chars)");
        assert_eq!(format!("{call:?}"), shown);
    }

    #[test]
    fn excerpts_are_one_short_line() {
        let body = format!("{{\n  \"error\": \"boom\",\n  \"key\": \"{FAKE}\"\n}}");
        let line = excerpt(body.as_bytes(), 60);
        assert!(!line.contains('\n'));
        assert!(!line.contains("DEMO-FAKE"), "{line}");
        assert!(line.chars().count() <= 61);
    }

    fn target(api_base: &str) -> TargetFile {
        let text =
            format!("[product]\nname = \"T\"\nvertical = \"b2b-service\"\n[target]\napi_base = \"{api_base}\"\n");
        TargetFile::parse("t.toml", &text, &["b2b-service"]).unwrap()
    }

    #[tokio::test]
    async fn only_named_hosts_are_contacted() {
        let http = Http::new(&ProbeCtx::default(), &target("http://127.0.0.1:9")).unwrap();
        assert!(http.allows(&Url::parse("http://127.0.0.1:9/a").unwrap()));
        for other in [
            "http://127.0.0.2:9/a",
            "http://127.0.0.1:10/a",
            "https://127.0.0.1/a",
            "ftp://127.0.0.1:9/",
        ] {
            let url = Url::parse(other).unwrap();
            assert!(!http.allows(&url), "{other}");
            let err = http.send(&Call::get(url)).await.unwrap_err();
            assert!(matches!(err, HttpError::NotAllowed(_)), "{err:?}");
        }
        assert_eq!(http.requests(), 0, "nothing was sent");
    }

    #[tokio::test]
    async fn a_closed_port_is_a_connect_error() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let http = Http::new(&ProbeCtx::default(), &target(&format!("http://127.0.0.1:{port}"))).unwrap();
        let url = Url::parse(&format!("http://127.0.0.1:{port}/health")).unwrap();
        let err = http.send(&Call::get(url)).await.unwrap_err();
        assert!(matches!(err, HttpError::Connect(_)), "{err:?}");
        assert_eq!(http.requests(), 1);
    }

    #[test]
    fn echoed_bytes_are_replaced() {
        assert_eq!(replace_bytes(b"a-secret-b-secret", b"secret", b"X"), b"a-X-b-X");
        assert_eq!(replace_bytes(b"abc", b"abcd", b"X"), b"abc");
        assert_eq!(replace_bytes(b"", b"x", b"X"), b"");
    }

    #[test]
    fn durations_read_plainly() {
        assert_eq!(seconds(Duration::from_millis(450)), "450 ms");
        assert_eq!(seconds(Duration::from_secs(5)), "5 s");
        assert_eq!(seconds(Duration::from_millis(1_500)), "1.5 s");
    }
}
