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
//! bodies with a preview, its length and a short hash. The redaction itself lives in
//! [`crate::redact`]; what this module used of it is re-exported here.

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

use super::net::Names;
use super::{ProbeCtx, shorten};
pub use crate::redact::{
    MIN_SCRUBBED, excerpt, find_keys, key_preview, redact_authorization, redact_keys, token_preview,
};
pub(crate) use crate::redact::{hex, one_line, replace_ranges, window};
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
    /// A client for the hosts of `target`'s `api_base` and `app_url`, with `ctx`'s timeout, DNS
    /// server, pinned names and extra trusted roots.
    pub fn new(ctx: &ProbeCtx, target: &TargetFile) -> Result<Http, HttpError> {
        let dns = super::dns::Dns::new(ctx).map(Arc::new).map_err(|e| e.to_string());
        Http::with_names(ctx, target, &Arc::new(Names::new(ctx, dns)))
    }

    /// The same, resolving names through `names` (shared with the other probes of a run).
    pub fn with_names(ctx: &ProbeCtx, target: &TargetFile, names: &Arc<Names>) -> Result<Http, HttpError> {
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
        let roots: Vec<reqwest::Certificate> = ctx
            .extra_roots
            .iter()
            .map(|der| reqwest::Certificate::from_der(der))
            .collect::<Result<_, _>>()
            .map_err(|e| HttpError::Setup(root_cause(&e)))?;
        // `--connect-to` rules for the target's own addresses on their scheme's usual port (a
        // port written in the URL always wins in reqwest, so only the address could change).
        let rules: Vec<(String, SocketAddr)> = [&target.target.api_base, &target.target.app_url]
            .into_iter()
            .flatten()
            .filter_map(|u| Url::parse(u).ok())
            .filter(|u| u.port().is_none())
            .filter_map(|u| {
                let host = super::dns::normalise(u.host_str()?);
                let port = u.port_or_known_default()?;
                let rule = ctx.connect_to.iter().find(|r| r.host == host && r.port == port)?;
                Some((host, rule.to))
            })
            .collect();
        let builder = || {
            let mut builder = reqwest::Client::builder();
            for (host, to) in &rules {
                builder = builder.resolve(host, *to);
            }
            builder
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .timeout(ctx.timeout)
                .connect_timeout(ctx.timeout)
                .user_agent(concat!("launchready/", env!("CARGO_PKG_VERSION"), " (readiness probe)"))
                .tls_certs_merge(roots.clone())
                .dns_resolver(Arc::new(ProbeResolver(Arc::clone(names))))
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

/// Name lookups through the tool's one resolution path ([`Names`]), so `--resolver` and
/// `--resolve` apply to the API probes too.
struct ProbeResolver(Arc<Names>);

impl reqwest::dns::Resolve for ProbeResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let names = Arc::clone(&self.0);
        let host = name.as_str().to_string();
        Box::pin(async move {
            let ips = names.addresses(&host).await.map_err(|e| e.to_string())?;
            let addrs: reqwest::dns::Addrs = Box::new(ips.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_show_the_authorization_previewed() {
        let call = Call::get(Url::parse("http://127.0.0.1:9/x?id=1").unwrap()).bearer("demo-token-account-a");
        let shown = call.describe();
        assert_eq!(shown, "GET /x?id=1 · Authorization: Bearer demo…(20 chars)");
        assert_eq!(format!("{call:?}"), shown);
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
