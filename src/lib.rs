//! launchready: tells the founder of an AI chatbot product, with evidence, whether it is ready
//! for launch traffic, a security review or customer onboarding.
//!
//! Data flows one way: checklists → assessment (target, answers, probe results) → score →
//! reports, with `probe` producing the results. `cli` and `tui` are front ends over this core.
//!
//! Under it all is a ground floor that every module may import and that imports nothing above
//! it: `result` (status, evidence, the result of a check), `redact` (the one pure module every
//! output goes through), `fsio` (capped file reading, atomic writing) and `diag` (input errors).

pub mod assessment;
pub mod checklist;
pub mod cli;
pub mod demo;
pub mod diag;
pub mod discover;
pub mod fsio;
pub mod probe;
pub mod redact;
pub mod report;
pub mod result;
pub mod score;
pub mod target;
pub mod tui;

pub use cli::{Cli, run};
