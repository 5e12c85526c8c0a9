//! The result types every check produces and every layer reads: [`Status`], [`Evidence`] and
//! [`ProbeResult`], with the clock that stamps a result.
//!
//! A check never fails as a Rust error: when it cannot decide (timeout, SERVFAIL, refused) it
//! returns a result with [`Status::Error`] and the reason, so one broken check never stops a scan.

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

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

    /// The fix when there is one (checks that pass have none).
    #[must_use]
    pub fn fix_if(self, fix: Option<impl Into<String>>) -> ProbeResult {
        match fix {
            Some(fix) => self.fix(fix),
            None => self,
        }
    }
}

/// The current time as RFC 3339 UTC, to the second.
pub fn now() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}
