//! launchready: tells the founder of an AI chatbot product, with evidence, whether it is ready
//! for launch traffic, a security review or customer onboarding.
//!
//! Data flows one way: checklists → assessment (target, answers, probe results) → score →
//! reports. `cli` (and later `tui`) are front ends over this core.

pub mod assessment;
pub mod checklist;
pub mod cli;
pub mod demo;
pub mod diag;
pub mod fsio;
pub mod probe;
pub mod redact;
pub mod report;
pub mod result;
pub mod score;
pub mod target;
pub mod tui;

pub use cli::{Cli, run};
