//! Automated checks: the context probes run in, and the probe families (email and DNS, the API;
//! TLS, HTTP and secrets to come). The result types they produce live in [`crate::result`] and
//! are re-exported here.
//!
//! A probe never fails as a Rust error: when it cannot decide (timeout, SERVFAIL, refused) it
//! returns a result with [`Status::Error`] and the reason, so one broken check never stops a scan.
//!
//! Also home of what the record parsers (SPF, DMARC, DKIM) share: [`SyntaxError`] and a few
//! text helpers.

use std::fmt;
use std::time::Duration;

pub mod api;
pub mod dkim;
pub mod dmarc;
pub mod dns;
pub mod email;
pub mod engine;
pub mod http;
pub mod message;
pub mod net;
pub mod registry;
pub mod spf;
pub mod web;

pub(crate) use crate::redact::shorten;
pub use crate::result::{Evidence, ProbeResult, Status, now};
pub use registry::{is_configured, is_runnable};

/// What probes need from the outside world, as plain data, so tests can point them at loopback
/// fixtures: the DNS server, timeouts and caps.
#[derive(Debug, Clone)]
pub struct ProbeCtx {
    /// An explicit DNS server (`--resolver`); `None` uses the system's configuration.
    pub resolver: Option<std::net::SocketAddr>,
    /// Timeout of one DNS query or network request.
    pub timeout: Duration,
    /// Tries per DNS query (the first included).
    pub attempts: usize,
    /// Names pinned to addresses (`--resolve HOST:IP`).
    pub pins: Vec<(String, std::net::IpAddr)>,
    /// Connections to a host and port sent elsewhere (`--connect-to HOST:PORT:IP:PORT`).
    pub connect_to: Vec<net::ConnectTo>,
    /// Trusted roots besides the built-in ones (`--ca-file`), as DER.
    pub extra_roots: Vec<rustls::pki_types::CertificateDer<'static>>,
}

impl Default for ProbeCtx {
    fn default() -> Self {
        ProbeCtx {
            resolver: None,
            timeout: Duration::from_secs(5),
            attempts: 2,
            pins: Vec::new(),
            connect_to: Vec::new(),
            extra_roots: Vec::new(),
        }
    }
}

/// Where and why a DNS record (SPF, DMARC, DKIM) is not valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// 0-based character (not byte) offset into the record.
    pub position: usize,
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at character {})", self.message, self.position + 1)
    }
}

impl std::error::Error for SyntaxError {}

/// A [`SyntaxError`] at byte offset `byte` of `record`.
pub(crate) fn syntax_error(record: &str, byte: usize, message: impl Into<String>) -> SyntaxError {
    let position = record.char_indices().take_while(|(i, _)| *i < byte).count();
    SyntaxError {
        position,
        message: message.into(),
    }
}

/// The values of the evidence labelled exactly `label`, for tests.
#[cfg(test)]
pub(crate) fn evidence<'a>(result: &'a ProbeResult, label: &str) -> Vec<&'a str> {
    result
        .evidence
        .iter()
        .filter(|e| e.label == label)
        .map(|e| e.value.as_str())
        .collect()
}

/// A deterministic xorshift64 generator for the parsers' no-panic tests.
#[cfg(test)]
pub(crate) struct Xorshift(u64);

#[cfg(test)]
impl Xorshift {
    /// A generator started at `seed`, which must not be 0.
    pub(crate) fn new(seed: u64) -> Xorshift {
        Xorshift(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number from 0 to `n - 1`.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next_u64() % n as u64).unwrap_or(0)
    }
}

/// `count` deterministic strings for the no-panic tests, each made of 0 to `max_len - 1`
/// entries of `pieces` drawn with [`Xorshift`] from `seed`.
#[cfg(test)]
pub(crate) fn garbled(seed: u64, count: usize, pieces: &[&str], max_len: usize) -> Vec<String> {
    let mut rng = Xorshift::new(seed);
    (0..count)
        .map(|_| {
            let len = rng.below(max_len);
            (0..len).map(|_| pieces[rng.below(pieces.len())]).collect()
        })
        .collect()
}
