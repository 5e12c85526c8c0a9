//! Reports of an assessment. For now the wizard's export: Markdown (a readable scorecard,
//! remediation timeline and open questions) and JSON (the assessment with its scorecard). The
//! full report model, PDF and SARIF come with the reports work.

pub mod json;
pub mod markdown;
