//! Automated checks. For now only the result types every probe produces and the assessment
//! stores; the probe families (email, tls, http, api, secrets) plug in here.

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
}

/// One labelled piece of evidence: what was sent or found, with secrets already redacted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub label: String,
    pub value: String,
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
