//! Automated checks: the result types every probe produces, the context probes run in, and the
//! probe families (email and DNS, the API; TLS, HTTP and secrets to come).
//!
//! A probe never fails as a Rust error: when it cannot decide (timeout, SERVFAIL, refused) it
//! returns a result with [`Status::Error`] and the reason, so one broken check never stops a scan.
//!
//! Also home of what the record parsers (SPF, DMARC, DKIM) share: [`SyntaxError`] and a few
//! text helpers.

use std::fmt;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

pub mod api;
pub mod dkim;
pub mod dmarc;
pub mod dns;
pub mod email;
pub mod engine;
pub mod http;
pub mod message;
pub mod registry;
pub mod spf;

pub use registry::{is_configured, is_runnable};

/// The verdict of one automated check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Warn,
    Fail,
    /// The probe could not decide (timeout, SERVFAIL, connection refused): never a verdict.
    Error,
    /// Not applicable or not configured.
    Skipped,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Error => "error",
            Status::Skipped => "skipped",
        }
    }

    /// A symbol that reads without colour.
    pub fn symbol(self) -> &'static str {
        match self {
            Status::Pass => "✔",
            Status::Warn => "!",
            Status::Fail => "✘",
            Status::Error => "?",
            Status::Skipped => "–",
        }
    }
}

/// One labelled piece of evidence: what was sent or found, with secrets already redacted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub label: String,
    pub value: String,
}

impl Evidence {
    pub fn new(label: impl Into<String>, value: impl Into<String>) -> Evidence {
        Evidence {
            label: label.into(),
            value: value.into(),
        }
    }
}

/// The result of one check, keyed in the assessment by its check id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeResult {
    pub id: String,
    pub status: Status,
    pub title: String,
    /// One line a founder can read.
    pub summary: String,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    #[serde(default)]
    pub fix: Option<String>,
    /// When the check ran (RFC 3339, UTC).
    pub at: String,
}

impl ProbeResult {
    /// A result stamped with the current time.
    pub fn new(id: &str, status: Status, title: &str, summary: impl Into<String>) -> ProbeResult {
        ProbeResult {
            id: id.to_string(),
            status,
            title: title.to_string(),
            summary: summary.into(),
            evidence: Vec::new(),
            fix: None,
            at: now(),
        }
    }

    #[must_use]
    pub fn evidence(mut self, label: impl Into<String>, value: impl Into<String>) -> ProbeResult {
        self.evidence.push(Evidence::new(label, value));
        self
    }

    #[must_use]
    pub fn fix(mut self, fix: impl Into<String>) -> ProbeResult {
        self.fix = Some(fix.into());
        self
    }
}

/// The current time as RFC 3339 UTC, to the second.
pub fn now() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

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
}

impl Default for ProbeCtx {
    fn default() -> Self {
        ProbeCtx {
            resolver: None,
            timeout: Duration::from_secs(5),
            attempts: 2,
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

/// At most `max` characters of `text`, with an ellipsis when cut.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max).collect();
        cut.push('…');
        cut
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
