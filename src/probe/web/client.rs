//! The web probes' own client. One connection per request, made through [`Names`] (so
//! `--resolve`, `--connect-to` and `--resolver` apply); TLS through rustls with a verifier that
//! records certificate problems instead of refusing, so every HTTP check still runs when the
//! certificate is bad (`tls.certificate` reports the problem, once); HTTP/1.1 through hyper.
//! Every step is bounded: a connect timeout, one deadline for the whole exchange, caps on the
//! bytes of the head and of the body. It contacts only hosts in the target's [`Scope`], and counts
//! the connections it makes.
//!
//! It sends no secrets: the checks that need a test login (`edge.private_cache`) go through the
//! API client, which verifies certificates and refuses a bad one.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::header::HeaderMap;
use hyper_util::rt::TokioIo;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use url::Url;

use super::cert::{self, Recording};
use crate::probe::ProbeCtx;
use crate::probe::net::{NameError, Names};
use crate::target::TargetFile;

/// The most bytes of one body that are read; the rest is never downloaded.
pub const BODY_CAP: usize = 512 * 1024;
/// The most bytes of a response head (status line and headers).
pub const HEAD_CAP: usize = 64 * 1024;
/// A body still going past this many bytes is taken as endless: no answer.
pub const ENDLESS: usize = 8 * 1024 * 1024;

/// Why a request or handshake got no usable answer. Never a verdict about the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebError {
    /// The host is not one the target names; nothing was sent.
    NotAllowed(String),
    /// The name gave no address.
    Name(NameError),
    /// No TCP connection could be made (refused, unreachable).
    Connect(String),
    /// Nothing complete within the deadline.
    Timeout(Duration),
    /// The TLS handshake failed: `refused` when the server said no (an alert, e.g. to a
    /// protocol version it does not speak), otherwise the answer was not TLS or broke.
    Tls { why: String, refused: bool },
    /// The connection broke or the answer was not valid HTTP.
    Broken(String),
}

impl fmt::Display for WebError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebError::NotAllowed(host) => {
                write!(f, "not contacted: {host} is not a host the target names")
            }
            WebError::Name(e) => write!(f, "{e}"),
            WebError::Connect(why) => write!(f, "could not connect ({why})"),
            WebError::Timeout(after) => {
                write!(f, "no complete answer within {}", crate::probe::http::seconds(*after))
            }
            WebError::Tls { why, .. } => write!(f, "TLS failed ({why})"),
            WebError::Broken(why) => write!(f, "the answer could not be read ({why})"),
        }
    }
}

impl std::error::Error for WebError {}

/// Which hosts the web probes may contact: the hosts the target names exactly (addresses
/// included), and names under its domains (for `www` and the subdomain check).
#[derive(Debug, Clone, Default)]
pub struct Scope {
    hosts: Vec<String>,
    domains: Vec<String>,
}

impl Scope {
    /// The hosts of `app_url` and `api_base`, and `domain` with the registrable domains of all
    /// three (not for addresses).
    pub fn of(target: &TargetFile) -> Scope {
        let mut scope = Scope::default();
        let t = &target.target;
        for url in [&t.app_url, &t.api_base].into_iter().flatten() {
            if let Some(host) = Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_string)) {
                scope.add(&host);
            }
        }
        if let Some(domain) = &t.domain {
            scope.add(domain);
        }
        scope
    }

    /// Adds `host` (and, for a name, its registrable domain).
    pub fn add(&mut self, host: &str) {
        let host = bare(host);
        if host.is_empty() {
            return;
        }
        if !self.hosts.contains(&host) {
            self.hosts.push(host.clone());
        }
        if host.parse::<IpAddr>().is_err() && host.contains('.') {
            let domain = crate::probe::dns::organisational(&host);
            if !self.domains.contains(&domain) {
                self.domains.push(domain);
            }
        }
    }

    /// Whether `host` may be contacted.
    pub fn allows(&self, host: &str) -> bool {
        let host = bare(host);
        self.hosts.contains(&host)
            || self
                .domains
                .iter()
                .any(|d| host == *d || host.strip_suffix(d.as_str()).is_some_and(|p| p.ends_with('.')))
    }

    /// The registrable domains in scope.
    pub fn domains(&self) -> &[String] {
        &self.domains
    }
}

/// A host as compared: lower case, no brackets, no final dot.
fn bare(host: &str) -> String {
    crate::probe::dns::normalise(host.trim_start_matches('[').trim_end_matches(']'))
}

/// What a TLS handshake showed.
#[derive(Debug, Clone)]
pub struct Handshake {
    pub addr: SocketAddr,
    /// `TLSv1_3`, `TLSv1_2`.
    pub version: Option<rustls::ProtocolVersion>,
    /// Leaf first, as the server sent it.
    pub chain: Vec<CertificateDer<'static>>,
    /// What the verifier found wrong with the chain or the name; empty when it verified.
    pub problems: Vec<rustls::Error>,
}

impl Handshake {
    /// `TLS 1.3`, `TLS 1.2`.
    pub fn version_label(&self) -> String {
        match self.version {
            Some(rustls::ProtocolVersion::TLSv1_3) => "TLS 1.3".into(),
            Some(rustls::ProtocolVersion::TLSv1_2) => "TLS 1.2".into(),
            Some(other) => format!("{other:?}"),
            None => "unknown version".into(),
        }
    }
}

/// One answer: the URL asked, status, headers, the body up to the cap, and the handshake for
/// HTTPS.
#[derive(Debug, Clone)]
pub struct Page {
    pub url: Url,
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// The body went on past the cap: only its start was kept.
    pub truncated: bool,
    pub tls: Option<Handshake>,
    pub elapsed: Duration,
}

impl Page {
    /// The first value of a header, when it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
    }

    /// Every header as (lower-case name, value as text).
    pub fn header_pairs(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect()
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// See the module documentation.
pub struct WebClient {
    names: Arc<Names>,
    roots: Arc<rustls::RootCertStore>,
    scope: Scope,
    timeout: Duration,
    body_cap: usize,
    connections: AtomicUsize,
}

impl fmt::Debug for WebClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebClient")
            .field("scope", &self.scope)
            .field("timeout", &self.timeout)
            .field("connections", &self.connections())
            .finish_non_exhaustive()
    }
}

impl WebClient {
    /// A client for `target`'s hosts with `ctx`'s timeout and trusted roots.
    pub fn new(ctx: &ProbeCtx, target: &TargetFile, names: Arc<Names>) -> WebClient {
        WebClient {
            names,
            roots: cert::roots(&ctx.extra_roots),
            scope: Scope::of(target),
            timeout: ctx.timeout,
            body_cap: BODY_CAP,
            connections: AtomicUsize::new(0),
        }
    }

    /// The deadline of one exchange (connect, handshake, head and body).
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Connections made so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }

    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The name resolution every probe shares.
    pub fn names(&self) -> &Names {
        &self.names
    }

    /// A TCP connection to `host:port`, trying each address in turn, within the timeout.
    pub async fn connect(&self, host: &str, port: u16) -> Result<(TcpStream, SocketAddr), WebError> {
        if !self.scope.allows(host) {
            return Err(WebError::NotAllowed(host.to_string()));
        }
        let deadline = self.timeout;
        tokio::time::timeout(deadline, async {
            let addrs = self.names.socket_addrs(host, port).await.map_err(WebError::Name)?;
            let mut last = String::from("no address");
            for addr in addrs.into_iter().take(4) {
                self.connections.fetch_add(1, Ordering::Relaxed);
                match TcpStream::connect(addr).await {
                    Ok(stream) => {
                        let _ = stream.set_nodelay(true);
                        return Ok((stream, addr));
                    }
                    Err(e) => last = format!("{addr}: {}", io_words(&e)),
                }
            }
            Err(WebError::Connect(last))
        })
        .await
        .unwrap_or(Err(WebError::Timeout(deadline)))
    }

    /// A TLS handshake with `host:port` offering only `versions`; the connection is closed
    /// afterwards.
    pub async fn handshake(
        &self,
        host: &str,
        port: u16,
        versions: &[&'static rustls::SupportedProtocolVersion],
    ) -> Result<Handshake, WebError> {
        let deadline = self.timeout;
        tokio::time::timeout(deadline, async {
            let (tcp, addr) = self.connect(host, port).await?;
            let (_, seen) = self.tls(tcp, addr, host, versions).await?;
            Ok(seen)
        })
        .await
        .unwrap_or(Err(WebError::Timeout(deadline)))
    }

    async fn tls(
        &self,
        tcp: TcpStream,
        addr: SocketAddr,
        host: &str,
        versions: &[&'static rustls::SupportedProtocolVersion],
    ) -> Result<(tokio_rustls::client::TlsStream<TcpStream>, Handshake), WebError> {
        let verifier = Recording::new(Arc::clone(&self.roots));
        let config = cert::client_config(Arc::clone(&verifier), versions, &[b"http/1.1"])
            .map_err(|why| WebError::Tls { why, refused: false })?;
        let name = server_name(host)?;
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let stream = connector.connect(name, tcp).await.map_err(|e| tls_error(&e))?;
        let (_, session) = stream.get_ref();
        let seen = Handshake {
            addr,
            version: session.protocol_version(),
            chain: session
                .peer_certificates()
                .map(|c| c.iter().map(|d| d.clone().into_owned()).collect())
                .unwrap_or_default(),
            problems: verifier.problems(),
        };
        Ok((stream, seen))
    }

    /// `GET url`.
    pub async fn get(&self, url: &Url) -> Result<Page, WebError> {
        self.get_with(url, &[]).await
    }

    /// `GET url` with extra headers (never a credential: see the module documentation).
    pub async fn get_with(&self, url: &Url, headers: &[(&str, &str)]) -> Result<Page, WebError> {
        let host = url.host_str().unwrap_or_default().to_string();
        let Some(port) = url.port_or_known_default() else {
            return Err(WebError::NotAllowed(url.to_string()));
        };
        if !matches!(url.scheme(), "http" | "https") || !self.scope.allows(&host) {
            return Err(WebError::NotAllowed(if host.is_empty() {
                url.to_string()
            } else {
                host
            }));
        }
        let started = Instant::now();
        let deadline = self.timeout;
        let request = request(url, headers)?;
        let exchange = async {
            let (tcp, addr) = self.connect(&host, port).await?;
            if url.scheme() == "https" {
                let (stream, seen) = self.tls(tcp, addr, &host, rustls::DEFAULT_VERSIONS).await?;
                let mut page = self.exchange(stream, request, url).await?;
                page.tls = Some(seen);
                Ok(page)
            } else {
                self.exchange(tcp, request, url).await
            }
        };
        let mut page = tokio::time::timeout(deadline, exchange)
            .await
            .unwrap_or(Err(WebError::Timeout(deadline)))?;
        page.elapsed = started.elapsed();
        Ok(page)
    }

    /// Sends `request` over `stream` and reads the answer within the caps.
    async fn exchange<S>(&self, stream: S, request: hyper::Request<Empty<Bytes>>, url: &Url) -> Result<Page, WebError>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let (mut sender, conn) = hyper::client::conn::http1::Builder::new()
            .max_buf_size(HEAD_CAP)
            .max_headers(200)
            .handshake::<_, Empty<Bytes>>(TokioIo::new(stream))
            .await
            .map_err(|e| WebError::Broken(hyper_words(&e)))?;
        let driver = Abort(tokio::spawn(conn));
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| WebError::Broken(hyper_words(&e)))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let mut body = response.into_body();
        let mut bytes = Vec::new();
        let mut truncated = false;
        // Past the cap the rest is read and dropped, to see that the body ends at all.
        let mut total = 0_usize;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| WebError::Broken(hyper_words(&e)))?;
            if let Some(data) = frame.data_ref() {
                total += data.len();
                if total > ENDLESS {
                    return Err(WebError::Broken(format!(
                        "the body did not end: over {} MB and still going",
                        ENDLESS / (1024 * 1024)
                    )));
                }
                let room = self.body_cap.saturating_sub(bytes.len());
                if data.len() > room {
                    bytes.extend_from_slice(data.get(..room).unwrap_or_default());
                    truncated = true;
                } else {
                    bytes.extend_from_slice(data);
                }
            }
        }
        drop(driver);
        Ok(Page {
            url: url.clone(),
            status,
            headers,
            body: bytes,
            truncated,
            tls: None,
            elapsed: Duration::ZERO,
        })
    }
}

/// Aborts the connection's task when the exchange is over (or dropped at the deadline).
struct Abort(tokio::task::JoinHandle<Result<(), hyper::Error>>);

impl Drop for Abort {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn request(url: &Url, headers: &[(&str, &str)]) -> Result<hyper::Request<Empty<Bytes>>, WebError> {
    let target = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    let host = match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        (None, _) => return Err(WebError::NotAllowed(url.to_string())),
    };
    let mut builder = hyper::Request::get(target)
        .header("host", host)
        .header(
            "user-agent",
            concat!("launchready/", env!("CARGO_PKG_VERSION"), " (readiness probe)"),
        )
        .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .header("connection", "close");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder
        .body(Empty::new())
        .map_err(|e| WebError::Broken(format!("the request could not be made: {e}")))
}

fn server_name(host: &str) -> Result<ServerName<'static>, WebError> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(ServerName::IpAddress(ip.into()));
    }
    ServerName::try_from(host.to_string()).map_err(|_| WebError::Tls {
        why: format!("{host} is not a name TLS can ask for"),
        refused: false,
    })
}

/// A failed handshake in words, and whether the server refused (an alert) rather than broke.
fn tls_error(e: &std::io::Error) -> WebError {
    let inner = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>());
    match inner {
        Some(rustls::Error::AlertReceived(alert)) => WebError::Tls {
            why: format!("the server refused with the alert {alert:?}"),
            refused: true,
        },
        Some(rustls::Error::PeerIncompatible(why)) => WebError::Tls {
            why: format!("the server cannot speak what was offered ({why:?})"),
            refused: true,
        },
        Some(rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. }) => WebError::Tls {
            why: "the server did not answer with TLS".into(),
            refused: false,
        },
        Some(other) => WebError::Tls {
            why: crate::probe::shorten(&other.to_string(), 160),
            refused: false,
        },
        None if e.kind() == std::io::ErrorKind::UnexpectedEof => WebError::Tls {
            why: "the server closed the connection during the handshake".into(),
            refused: true,
        },
        None => WebError::Tls {
            why: io_words(e),
            refused: false,
        },
    }
}

fn io_words(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::ConnectionRefused => "connection refused".into(),
        ErrorKind::ConnectionReset => "connection reset".into(),
        ErrorKind::TimedOut => "timed out".into(),
        _ => crate::probe::shorten(&e.to_string(), 160),
    }
}

fn hyper_words(e: &hyper::Error) -> String {
    if e.is_parse_too_large() {
        return format!("the response head went on past {} KB", HEAD_CAP / 1024);
    }
    if e.is_incomplete_message() {
        return "the server closed the connection before the answer was complete".into();
    }
    let mut cause: &dyn std::error::Error = e;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    crate::probe::shorten(&format!("{e}: {cause}"), 160)
}
