//! The vertical checklists: their model, the built-in data, loading and validation.
//!
//! `checklists/common.toml` holds the items several verticals share; each vertical file picks
//! the common items it uses, overrides what its own rules say differently, and adds its own.
//! Loading resolves that into one flat [`Checklist`] per vertical. Every problem in a file is an
//! [`InputError`] with `file:line:column` and a hint; nothing here knows about probes beyond
//! the check ids they produce.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;
use std::ops::Range;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::diag::{InputError, Key, Spans, unknown_hint};
use crate::fsio::read_text;

/// The checklist format version this build reads.
pub const SCHEMA: u32 = 1;

/// The check ids that automated probes produce (DESIGN.md).
pub const CHECK_IDS: &[&str] = &[
    "email.mx",
    "email.spf",
    "email.dkim",
    "email.dmarc",
    "dns.caa",
    "tls.certificate",
    "tls.protocols",
    "http.https_redirect",
    "http.hsts",
    "http.security_headers",
    "http.cookies",
    "edge.cdn",
    "edge.private_cache",
    "http.mixed_content",
    "dns.subdomains",
    "api.health",
    "api.auth_required",
    "api.object_authz",
    "api.cors",
    "api.error_leakage",
    "api.rate_limit",
    "api.latency",
    "api.webhook_signature",
    "api.role_authz",
    "api.request_id",
    "email.message_auth",
    "ai.prompt_injection",
    "ai.tool_scoping",
    "code.token_logging",
    "code.rate_limit",
    "code.cors_credentials",
    "code.webhook_verify",
    "code.public_env_keys",
    "code.health_route",
    "code.request_id",
    "secrets.repo",
    "secrets.history",
    "secrets.bundle",
];

/// The built-in vertical ids, in the order they are listed.
pub const VERTICALS: &[&str] = &["b2b-service", "ecommerce", "internal-ops", "coaching", "marketplace"];

const COMMON_FILE: &str = "checklists/common.toml";
const BUILTIN: &[(&str, &str)] = &[
    (
        "checklists/b2b-service.toml",
        include_str!("../checklists/b2b-service.toml"),
    ),
    (
        "checklists/ecommerce.toml",
        include_str!("../checklists/ecommerce.toml"),
    ),
    (
        "checklists/internal-ops.toml",
        include_str!("../checklists/internal-ops.toml"),
    ),
    ("checklists/coaching.toml", include_str!("../checklists/coaching.toml")),
    (
        "checklists/marketplace.toml",
        include_str!("../checklists/marketplace.toml"),
    ),
];
const COMMON_TEXT: &str = include_str!("../checklists/common.toml");
const DOC_HINT: &str = "the format is described in checklists/SCHEMA.md";

/// How bad a failure of the item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A failure pauses the launch.
    Blocker,
    High,
    Medium,
    Low,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Blocker => "blocker",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The part of the product an item is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Area {
    Auth,
    DataIsolation,
    Secrets,
    Input,
    Abuse,
    Browser,
    Logging,
    Edge,
    Email,
    Monitoring,
    Deployment,
    AiSafety,
    Handover,
}

impl Area {
    pub const ALL: [Area; 13] = [
        Area::Auth,
        Area::DataIsolation,
        Area::Secrets,
        Area::Input,
        Area::Abuse,
        Area::Browser,
        Area::Logging,
        Area::Edge,
        Area::Email,
        Area::Monitoring,
        Area::Deployment,
        Area::AiSafety,
        Area::Handover,
    ];

    /// The id used in files and JSON.
    pub fn id(self) -> &'static str {
        match self {
            Area::Auth => "auth",
            Area::DataIsolation => "data-isolation",
            Area::Secrets => "secrets",
            Area::Input => "input",
            Area::Abuse => "abuse",
            Area::Browser => "browser",
            Area::Logging => "logging",
            Area::Edge => "edge",
            Area::Email => "email",
            Area::Monitoring => "monitoring",
            Area::Deployment => "deployment",
            Area::AiSafety => "ai-safety",
            Area::Handover => "handover",
        }
    }

    /// The name a person reads.
    pub fn label(self) -> &'static str {
        match self {
            Area::Auth => "Login and access",
            Area::DataIsolation => "Data isolation",
            Area::Secrets => "Secrets and keys",
            Area::Input => "Input handling",
            Area::Abuse => "Abuse and cost control",
            Area::Browser => "Browser security",
            Area::Logging => "Logging",
            Area::Edge => "Edge, DNS and TLS",
            Area::Email => "Email",
            Area::Monitoring => "Monitoring",
            Area::Deployment => "Deployment",
            Area::AiSafety => "AI safety",
            Area::Handover => "Handover",
        }
    }
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The plain-language question asked when no probe decides an item (or to confirm one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub text: String,
    /// One line: why it matters.
    pub why: String,
    /// One line: what "yes" means concretely.
    pub yes: String,
}

/// One row of a vertical's scorecard, resolved from the common file and the vertical.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub id: String,
    pub title: String,
    pub area: Area,
    pub severity: Severity,
    pub checks: Vec<String>,
    pub pass: String,
    pub why: String,
    pub breaks: String,
    pub signal: Option<String>,
    pub method: Option<String>,
    pub fix: String,
    pub question: Option<Question>,
    pub emphasis: Option<String>,
    /// Another way to pass the vertical accepts when the check fails (b2b: slow calls run
    /// through a written-down queue instead of a p95 under 500 ms); a "yes" then passes.
    pub alternative: Option<String>,
    /// The vertical's thresholds this item is judged by (ids of [`Checklist::thresholds`]):
    /// the question shows them, so "yes" means a number was met.
    pub thresholds: Vec<String>,
    pub source: Vec<String>,
    /// The timeline phase a failure of this item is scheduled in.
    pub phase: String,
    /// The deliverable that fixes it, when the vertical lists one.
    pub deliverable: Option<String>,
}

/// The unit of a threshold's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    Ms,
    S,
    Minutes,
    Hours,
    Days,
    Count,
    Ratio,
    Percent,
    Policy,
}

/// A number or a policy word.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ThresholdValue {
    Number(f64),
    Text(String),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Threshold {
    pub id: String,
    pub value: ThresholdValue,
    pub unit: Unit,
    pub per: Option<String>,
    pub window_minutes: Option<f64>,
    pub text: String,
    pub source: Option<String>,
}

impl Threshold {
    pub fn number(&self) -> Option<f64> {
        match self.value {
            ThresholdValue::Number(n) => Some(n),
            ThresholdValue::Text(_) => None,
        }
    }

    pub fn policy(&self) -> Option<&str> {
        match &self.value {
            ThresholdValue::Text(t) => Some(t),
            ThresholdValue::Number(_) => None,
        }
    }

    /// The value in plain words with its unit and scope: "500 ms", "5 minutes", "10 per IP
    /// every 10 minutes", "30 per user per minute", "5%", "quarantine".
    pub fn amount(&self) -> String {
        let number = |n: f64| {
            let text = format!("{n:.3}");
            text.trim_end_matches('0').trim_end_matches('.').to_string()
        };
        let n = match &self.value {
            // A DMARC policy reads as the record writes it: p=quarantine.
            ThresholdValue::Text(word) if self.id.starts_with("dmarc.") => return format!("p={word}"),
            ThresholdValue::Text(word) => return word.clone(),
            ThresholdValue::Number(n) => *n,
        };
        let plural = |one: &str, many: &str| {
            if (n - 1.0).abs() < f64::EPSILON {
                format!("1 {one}")
            } else {
                format!("{} {many}", number(n))
            }
        };
        let mut text = match self.unit {
            Unit::Ms => format!("{} ms", number(n)),
            Unit::S => format!("{} s", number(n)),
            Unit::Minutes => plural("minute", "minutes"),
            Unit::Hours => plural("hour", "hours"),
            Unit::Days => plural("day", "days"),
            Unit::Count | Unit::Policy => number(n),
            Unit::Ratio => format!("{}%", number(n * 100.0)),
            Unit::Percent => format!("{}%", number(n)),
        };
        if let Some(per) = &self.per {
            let who = match per.as_str() {
                "ip" => "IP address",
                "address" => "email address",
                other => other,
            };
            text = format!("{text} per {who}");
        }
        if let Some(window) = self.window_minutes {
            let scope = match window {
                w if (w - 1.0).abs() < f64::EPSILON => "per minute".to_string(),
                w if (w - 60.0).abs() < f64::EPSILON => "per hour".to_string(),
                w if (w - 1440.0).abs() < f64::EPSILON => "per day".to_string(),
                w if w > 60.0 && (w % 60.0).abs() < f64::EPSILON => format!("every {} hours", number(w / 60.0)),
                w => format!("every {} minutes", number(w)),
            };
            text = format!("{text} {scope}");
        }
        text
    }

    /// The value in milliseconds, for time units.
    pub fn millis(&self) -> Option<f64> {
        let factor = match self.unit {
            Unit::Ms => 1.0,
            Unit::S => 1_000.0,
            Unit::Minutes => 60_000.0,
            Unit::Hours => 3_600_000.0,
            Unit::Days => 86_400_000.0,
            _ => return None,
        };
        self.number().map(|n| n * factor)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ready {
    pub id: String,
    pub text: String,
    #[serde(default)]
    pub items: Vec<String>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedFlag {
    pub id: String,
    pub title: String,
    pub text: String,
    #[serde(default)]
    pub items: Vec<String>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Diy {
    pub id: String,
    pub title: String,
    pub text: String,
    #[serde(default)]
    pub examples: Vec<String>,
    #[serde(default)]
    pub thresholds: Vec<String>,
    #[serde(default)]
    pub items: Vec<String>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deliverable {
    pub id: String,
    pub title: String,
    pub fixes: Option<String>,
    pub outcome: Option<String>,
    #[serde(default)]
    pub areas: Vec<Area>,
    pub hours: Option<[u32; 2]>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub text: String,
    pub hours: Option<[u32; 2]>,
    #[serde(default)]
    pub areas: Vec<Area>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    pub text: String,
    pub source: Option<String>,
}

/// One vertical's checklist, resolved and validated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Checklist {
    pub id: String,
    pub business: String,
    pub ready_for: String,
    pub summary: String,
    pub pause_rule: Option<String>,
    pub escalation: Option<String>,
    /// A failed item in any of these areas calls for the escalation (b2b: "any one of these
    /// places").
    pub escalate_areas: Vec<Area>,
    pub ready: Vec<Ready>,
    pub thresholds: Vec<Threshold>,
    pub items: Vec<Item>,
    pub red_flags: Vec<RedFlag>,
    pub diy: Vec<Diy>,
    pub deliverables: Vec<Deliverable>,
    pub phases: Vec<Phase>,
    pub notes: Vec<Note>,
    /// `sha256:` of the common file and the vertical file together: what an assessment was made
    /// against.
    pub hash: String,
    /// Where it was loaded from (`checklists/ecommerce.toml` for built-ins, or the user's path).
    pub origin: String,
}

impl Checklist {
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    pub fn threshold(&self, id: &str) -> Option<&Threshold> {
        self.thresholds.iter().find(|t| t.id == id)
    }

    pub fn phase(&self, id: &str) -> Option<&Phase> {
        self.phases.iter().find(|p| p.id == id)
    }

    pub fn deliverable(&self, id: &str) -> Option<&Deliverable> {
        self.deliverables.iter().find(|d| d.id == id)
    }

    /// The items decided (or pre-filled) by the given check id.
    pub fn items_for_check<'a>(&'a self, check: &'a str) -> impl Iterator<Item = &'a Item> + 'a {
        self.items.iter().filter(move |i| i.checks.iter().any(|c| c == check))
    }

    /// Every check id any item of this checklist uses, sorted.
    pub fn check_ids(&self) -> BTreeSet<&str> {
        self.items
            .iter()
            .flat_map(|i| i.checks.iter().map(String::as_str))
            .collect()
    }
}

/// The checklists available to a run: the built-ins, or one loaded from the user's file.
#[derive(Debug, Clone)]
pub struct Catalog {
    checklists: Vec<Checklist>,
}

impl Catalog {
    /// The five built-in verticals.
    pub fn builtin() -> Result<Catalog, InputError> {
        let common = Common::parse(COMMON_FILE, COMMON_TEXT)?;
        let checklists = BUILTIN
            .iter()
            .map(|(file, text)| resolve(&common, file, text))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Catalog { checklists })
    }

    /// The built-ins plus a vertical file of the user's, which replaces a built-in of the same id.
    pub fn with_file(path: &Path) -> Result<Catalog, InputError> {
        let mut catalog = Catalog::builtin()?;
        let checklist = load_file(path)?;
        catalog.checklists.retain(|c| c.id != checklist.id);
        catalog.checklists.push(checklist);
        Ok(catalog)
    }

    pub fn get(&self, id: &str) -> Option<&Checklist> {
        self.checklists.iter().find(|c| c.id == id)
    }

    pub fn all(&self) -> &[Checklist] {
        &self.checklists
    }

    /// The checklist of `id`, or an error naming the known ids.
    pub fn require(&self, id: &str) -> Result<&Checklist, InputError> {
        self.get(id).ok_or_else(|| {
            let ids: Vec<&str> = self.checklists.iter().map(|c| c.id.as_str()).collect();
            InputError::file(
                id,
                format!("no checklist with id `{id}`"),
                unknown_hint(id, ids.iter().copied(), "verticals"),
            )
        })
    }
}

/// Loads and validates one vertical file against the built-in common items.
pub fn load_file(path: &Path) -> Result<Checklist, InputError> {
    let name = path.display().to_string();
    let text = read_text(path)?;
    let common = Common::parse(COMMON_FILE, COMMON_TEXT)?;
    resolve(&common, &name, &text)
}

/// Validates a file or a folder of checklists (a `common.toml` and vertical files), returning
/// the checklists it resolves to.
pub fn validate_path(path: &Path) -> Result<Vec<Checklist>, InputError> {
    if !path.is_dir() {
        return load_file(path).map(|c| vec![c]);
    }
    let common_path = path.join("common.toml");
    let common_text = read_text(&common_path)?;
    let common = Common::parse(&common_path.display().to_string(), &common_text)?;
    let mut files: Vec<_> = std::fs::read_dir(path)
        .map_err(|e| InputError::file(path.display().to_string(), format!("cannot read folder: {e}"), ""))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml") && p.file_name().is_some_and(|n| n != "common.toml"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(InputError::file(
            path.display().to_string(),
            "the folder has a common.toml but no vertical files",
            "add one TOML file per vertical beside common.toml",
        ));
    }
    files
        .iter()
        .map(|p| read_text(p).and_then(|t| resolve(&common, &p.display().to_string(), &t)))
        .collect()
}

// ---- raw file shapes -------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCommon {
    schema: Spanned<u32>,
    #[serde(default)]
    item: Vec<Spanned<RawItem>>,
    #[serde(default)]
    threshold: Vec<Spanned<RawThreshold>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVertical {
    schema: Spanned<u32>,
    id: Spanned<String>,
    business: String,
    ready_for: String,
    summary: String,
    pause_rule: Option<String>,
    escalation: Option<String>,
    #[serde(default)]
    escalate_areas: Vec<Area>,
    #[serde(default)]
    ready: Vec<Spanned<Ready>>,
    #[serde(default)]
    threshold: Vec<Spanned<RawThreshold>>,
    #[serde(default)]
    item: Vec<Spanned<RawItem>>,
    #[serde(default)]
    red_flag: Vec<Spanned<RedFlag>>,
    #[serde(default)]
    diy: Vec<Spanned<Diy>>,
    #[serde(default)]
    deliverable: Vec<Spanned<Deliverable>>,
    #[serde(default)]
    phase: Vec<Spanned<Phase>>,
    #[serde(default)]
    note: Vec<Note>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: Spanned<String>,
    title: Option<String>,
    area: Option<Area>,
    severity: Option<Severity>,
    checks: Option<Vec<Spanned<String>>>,
    pass: Option<String>,
    why: Option<String>,
    breaks: Option<String>,
    signal: Option<String>,
    method: Option<String>,
    fix: Option<String>,
    question: Option<Question>,
    emphasis: Option<String>,
    alternative: Option<String>,
    thresholds: Option<Vec<Spanned<String>>>,
    source: Option<Vec<String>>,
    phase: Option<Spanned<String>>,
    deliverable: Option<Spanned<String>>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct RawThreshold {
    id: Spanned<String>,
    value: Spanned<ThresholdValue>,
    unit: Unit,
    per: Option<String>,
    window_minutes: Option<f64>,
    text: String,
    source: Option<String>,
}

/// The parsed common file, kept with its text so its errors can be located.
struct Common {
    text_hash: [u8; 32],
    items: Vec<Spanned<RawItem>>,
    thresholds: Vec<Spanned<RawThreshold>>,
}

impl Common {
    fn parse(file: &str, text: &str) -> Result<Common, InputError> {
        let raw: RawCommon = toml::from_str(text).map_err(|e| InputError::from_toml(file, text, &e, DOC_HINT))?;
        let ctx = Ctx { file, text };
        ctx.schema(&raw.schema)?;
        let mut seen = HashMap::new();
        for item in &raw.item {
            let raw_item = item.get_ref();
            ctx.id_syntax(&raw_item.id)?;
            ctx.unique(&mut seen, &raw_item.id, "item")?;
            let missing = missing_keys(raw_item);
            if !missing.is_empty() {
                return Err(ctx.err(
                    item.span(),
                    format!("item `{}` lacks {}", raw_item.id.get_ref(), missing.join(", ")),
                    "common items must be complete; verticals override only what differs",
                ));
            }
            ctx.item_checks(raw_item)?;
        }
        ctx.thresholds(&raw.threshold)?;
        Ok(Common {
            text_hash: Sha256::digest(text.as_bytes()).into(),
            items: raw.item,
            thresholds: raw.threshold,
        })
    }

    fn item(&self, id: &str) -> Option<&RawItem> {
        self.items.iter().map(Spanned::get_ref).find(|i| i.id.get_ref() == id)
    }
}

/// The file being validated, for locating errors.
struct Ctx<'a> {
    file: &'a str,
    text: &'a str,
}

impl Ctx<'_> {
    fn err(&self, span: Range<usize>, message: impl Into<String>, hint: impl Into<String>) -> InputError {
        InputError::at(self.file, self.text, span, message, hint)
    }

    fn schema(&self, schema: &Spanned<u32>) -> Result<(), InputError> {
        if *schema.get_ref() == SCHEMA {
            return Ok(());
        }
        let hint = if *schema.get_ref() > SCHEMA {
            "this file was written for a newer launchready; update launchready"
        } else {
            "set `schema = 1`"
        };
        Err(self.err(
            schema.span(),
            format!(
                "unsupported checklist schema {}; this launchready reads schema {SCHEMA}",
                schema.get_ref()
            ),
            hint,
        ))
    }

    fn id_syntax(&self, id: &Spanned<String>) -> Result<(), InputError> {
        let s = id.get_ref();
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
        if ok {
            Ok(())
        } else {
            Err(self.err(
                id.span(),
                format!("`{s}` is not a valid id"),
                "ids start with a lowercase letter and use only a-z, 0-9, '.', '_' and '-'",
            ))
        }
    }

    fn unique(&self, seen: &mut HashMap<String, usize>, id: &Spanned<String>, what: &str) -> Result<(), InputError> {
        if let Some(first) = seen.get(id.get_ref()) {
            let (line, _) = crate::diag::line_column(self.text, *first);
            return Err(self.err(
                id.span(),
                format!("duplicate {what} id `{}`", id.get_ref()),
                format!("it is already defined on line {line}; give each {what} its own id"),
            ));
        }
        seen.insert(id.get_ref().clone(), id.span().start);
        Ok(())
    }

    fn item_checks(&self, item: &RawItem) -> Result<(), InputError> {
        for check in item.checks.iter().flatten() {
            if !CHECK_IDS.contains(&check.get_ref().as_str()) {
                return Err(self.err(
                    check.span(),
                    format!("unknown check id `{}`", check.get_ref()),
                    unknown_hint(check.get_ref(), CHECK_IDS.iter().copied(), "check ids"),
                ));
            }
        }
        Ok(())
    }

    fn thresholds(&self, thresholds: &[Spanned<RawThreshold>]) -> Result<(), InputError> {
        let mut seen = HashMap::new();
        for t in thresholds {
            let t = t.get_ref();
            self.id_syntax(&t.id)?;
            self.unique(&mut seen, &t.id, "threshold")?;
            let is_policy = t.unit == Unit::Policy;
            match (t.value.get_ref(), is_policy) {
                (ThresholdValue::Text(_), true) | (ThresholdValue::Number(_), false) => {}
                (ThresholdValue::Text(_), false) => {
                    return Err(self.err(
                        t.value.span(),
                        "this threshold needs a number",
                        "write the number without quotes, or use `unit = \"policy\"`",
                    ));
                }
                (ThresholdValue::Number(_), true) => {
                    return Err(self.err(
                        t.value.span(),
                        "a policy threshold needs a word in quotes",
                        "e.g. value = \"quarantine\"",
                    ));
                }
            }
            if let ThresholdValue::Number(n) = t.value.get_ref()
                && (!n.is_finite() || *n < 0.0)
            {
                return Err(self.err(t.value.span(), "a threshold must be a finite number of at least 0", ""));
            }
        }
        Ok(())
    }
}

/// The required item keys that `item` does not have.
fn missing_keys(item: &RawItem) -> Vec<&'static str> {
    let mut missing = Vec::new();
    let keys: [(&str, bool); 7] = [
        ("title", item.title.is_some()),
        ("area", item.area.is_some()),
        ("severity", item.severity.is_some()),
        ("pass", item.pass.is_some()),
        ("why", item.why.is_some()),
        ("breaks", item.breaks.is_some()),
        ("fix", item.fix.is_some()),
    ];
    for (key, present) in keys {
        if !present {
            missing.push(key);
        }
    }
    if item.checks.as_ref().is_none_or(Vec::is_empty) && item.question.is_none() {
        missing.push("`checks` or a `question`");
    }
    missing
}

/// The vertical's version of a common item: its keys win where given.
fn merge(base: &RawItem, over: &RawItem) -> RawItem {
    RawItem {
        id: over.id.clone(),
        title: over.title.clone().or_else(|| base.title.clone()),
        area: over.area.or(base.area),
        severity: over.severity.or(base.severity),
        checks: over.checks.clone().or_else(|| base.checks.clone()),
        pass: over.pass.clone().or_else(|| base.pass.clone()),
        why: over.why.clone().or_else(|| base.why.clone()),
        breaks: over.breaks.clone().or_else(|| base.breaks.clone()),
        signal: over.signal.clone().or_else(|| base.signal.clone()),
        method: over.method.clone().or_else(|| base.method.clone()),
        fix: over.fix.clone().or_else(|| base.fix.clone()),
        question: over.question.clone().or_else(|| base.question.clone()),
        emphasis: over.emphasis.clone().or_else(|| base.emphasis.clone()),
        alternative: over.alternative.clone().or_else(|| base.alternative.clone()),
        thresholds: over.thresholds.clone().or_else(|| base.thresholds.clone()),
        source: over.source.clone().or_else(|| base.source.clone()),
        phase: over.phase.clone().or_else(|| base.phase.clone()),
        deliverable: over.deliverable.clone().or_else(|| base.deliverable.clone()),
    }
}

fn resolve(common: &Common, file: &str, text: &str) -> Result<Checklist, InputError> {
    let ctx = Ctx { file, text };
    let raw: RawVertical = toml::from_str(text).map_err(|e| InputError::from_toml(file, text, &e, DOC_HINT))?;
    ctx.schema(&raw.schema)?;
    ctx.id_syntax(&raw.id)?;
    if raw.item.is_empty() {
        return Err(ctx.err(
            raw.id.span(),
            format!("vertical `{}` has no items", raw.id.get_ref()),
            "add [[item]] entries: an id from common.toml, or a complete new item",
        ));
    }

    // Thresholds: the common ones, replaced by the vertical's of the same id.
    ctx.thresholds(&raw.threshold)?;
    let mut thresholds: Vec<Threshold> = common
        .thresholds
        .iter()
        .map(Spanned::get_ref)
        .filter(|c| !raw.threshold.iter().any(|t| t.get_ref().id.get_ref() == c.id.get_ref()))
        .chain(raw.threshold.iter().map(Spanned::get_ref))
        .map(|t| Threshold {
            id: t.id.get_ref().clone(),
            value: t.value.get_ref().clone(),
            unit: t.unit,
            per: t.per.clone(),
            window_minutes: t.window_minutes,
            text: t.text.clone(),
            source: t.source.clone(),
        })
        .collect();
    thresholds.sort_by(|a, b| a.id.cmp(&b.id));

    let spans = Spans::parse(text).expect("the typed parse succeeded, so the text is valid TOML");
    let id_of = |table: &str, i: usize, id: &str| {
        Spanned::new(
            spans.span(&[Key::Name(table), Key::Index(i), Key::Name("id")]),
            id.to_string(),
        )
    };
    let at = |table: &str, i: usize, key: &str| spans.span(&[Key::Name(table), Key::Index(i), Key::Name(key)]);

    // Phases and deliverables first: items refer to them.
    let mut seen = HashMap::new();
    for (i, p) in raw.phase.iter().enumerate() {
        ctx.id_syntax(&id_of("phase", i, &p.get_ref().id))?;
        ctx.unique(&mut seen, &id_of("phase", i, &p.get_ref().id), "phase")?;
        ctx.hours(at("phase", i, "hours"), p.get_ref().hours)?;
    }
    if raw.phase.is_empty() {
        return Err(ctx.err(
            raw.id.span(),
            format!("vertical `{}` has no [[phase]]", raw.id.get_ref()),
            "add at least one [[phase]] with the areas it covers, so failures can be scheduled",
        ));
    }
    let mut seen = HashMap::new();
    for (i, d) in raw.deliverable.iter().enumerate() {
        ctx.id_syntax(&id_of("deliverable", i, &d.get_ref().id))?;
        ctx.unique(&mut seen, &id_of("deliverable", i, &d.get_ref().id), "deliverable")?;
        ctx.hours(at("deliverable", i, "hours"), d.get_ref().hours)?;
    }
    let phases: Vec<Phase> = raw.phase.iter().map(|p| p.get_ref().clone()).collect();
    let deliverables: Vec<Deliverable> = raw.deliverable.iter().map(|d| d.get_ref().clone()).collect();

    // Items.
    let mut seen = HashMap::new();
    let mut items = Vec::with_capacity(raw.item.len());
    for spanned in &raw.item {
        let over = spanned.get_ref();
        ctx.id_syntax(&over.id)?;
        ctx.unique(&mut seen, &over.id, "item")?;
        let merged = if let Some(base) = common.item(over.id.get_ref()) {
            merge(base, over)
        } else {
            let missing = missing_keys(over);
            if !missing.is_empty() {
                let known: Vec<&str> = common.items.iter().map(|i| i.get_ref().id.get_ref().as_str()).collect();
                let hint = crate::diag::suggest(over.id.get_ref(), known.iter().copied()).map_or_else(
                    || "a new item (not in common.toml) needs all its keys; see checklists/SCHEMA.md".to_string(),
                    |close| format!("did you mean the common item `{close}`? A new item needs all its keys"),
                );
                return Err(ctx.err(
                    over.id.span(),
                    format!(
                        "item `{}` is not in common.toml and lacks {}",
                        over.id.get_ref(),
                        missing.join(", ")
                    ),
                    hint,
                ));
            }
            over.clone()
        };
        ctx.item_checks(over)?;
        items.push(finish_item(&ctx, merged, &phases, &deliverables, &thresholds)?);
    }

    let item_ids: HashSet<&str> = items.iter().map(|i| i.id.as_str()).collect();
    let threshold_ids: HashSet<&str> = thresholds.iter().map(|t| t.id.as_str()).collect();
    let check_refs = |table: &str, i: usize, refs: &[String], what: &str| -> Result<(), InputError> {
        for (j, r) in refs.iter().enumerate() {
            if !item_ids.contains(r.as_str()) {
                return Err(ctx.err(
                    spans.span(&[Key::Name(table), Key::Index(i), Key::Name("items"), Key::Index(j)]),
                    format!("{what} refers to unknown item `{r}`"),
                    unknown_hint(r, item_ids.iter().copied(), "items of this vertical"),
                ));
            }
        }
        Ok(())
    };
    let mut seen = HashMap::new();
    for (i, r) in raw.ready.iter().enumerate() {
        ctx.unique(&mut seen, &id_of("ready", i, &r.get_ref().id), "ready condition")?;
        check_refs("ready", i, &r.get_ref().items, "this ready condition")?;
    }
    let mut seen = HashMap::new();
    for (i, f) in raw.red_flag.iter().enumerate() {
        ctx.unique(&mut seen, &id_of("red_flag", i, &f.get_ref().id), "red flag")?;
        check_refs("red_flag", i, &f.get_ref().items, "this red flag")?;
    }
    let mut seen = HashMap::new();
    for (i, d) in raw.diy.iter().enumerate() {
        ctx.unique(&mut seen, &id_of("diy", i, &d.get_ref().id), "diy fix")?;
        check_refs("diy", i, &d.get_ref().items, "this fix")?;
        for (j, t) in d.get_ref().thresholds.iter().enumerate() {
            if !threshold_ids.contains(t.as_str()) {
                return Err(ctx.err(
                    spans.span(&[Key::Name("diy"), Key::Index(i), Key::Name("thresholds"), Key::Index(j)]),
                    format!("this fix refers to unknown threshold `{t}`"),
                    unknown_hint(t, threshold_ids.iter().copied(), "thresholds"),
                ));
            }
        }
    }

    let mut hasher = Sha256::new();
    hasher.update(common.text_hash);
    hasher.update(text.as_bytes());
    let hash = format!("sha256:{:x}", hasher.finalize());

    Ok(Checklist {
        id: raw.id.into_inner(),
        business: raw.business,
        ready_for: raw.ready_for,
        summary: raw.summary,
        pause_rule: raw.pause_rule,
        escalation: raw.escalation,
        escalate_areas: raw.escalate_areas,
        ready: raw.ready.into_iter().map(Spanned::into_inner).collect(),
        thresholds,
        items,
        red_flags: raw.red_flag.into_iter().map(Spanned::into_inner).collect(),
        diy: raw.diy.into_iter().map(Spanned::into_inner).collect(),
        deliverables,
        phases,
        notes: raw.note,
        hash,
        origin: file.to_string(),
    })
}

impl Ctx<'_> {
    fn hours(&self, span: Range<usize>, hours: Option<[u32; 2]>) -> Result<(), InputError> {
        match hours {
            Some([from, to]) if from >= to => Err(self.err(
                span,
                format!("hour range {from}-{to} does not go forward"),
                "write hours = [start, end] with start before end",
            )),
            _ => Ok(()),
        }
    }
}

fn finish_item(
    ctx: &Ctx<'_>,
    raw: RawItem,
    phases: &[Phase],
    deliverables: &[Deliverable],
    thresholds: &[Threshold],
) -> Result<Item, InputError> {
    let id = raw.id.get_ref().clone();
    for t in raw.thresholds.iter().flatten() {
        if !thresholds.iter().any(|known| &known.id == t.get_ref()) {
            return Err(ctx.err(
                t.span(),
                format!("item `{id}` refers to unknown threshold `{}`", t.get_ref()),
                unknown_hint(t.get_ref(), thresholds.iter().map(|k| k.id.as_str()), "thresholds"),
            ));
        }
    }
    let missing = missing_keys(&raw);
    if !missing.is_empty() {
        return Err(ctx.err(
            raw.id.span(),
            format!("item `{id}` lacks {}", missing.join(", ")),
            DOC_HINT,
        ));
    }
    // Checked just above: the required keys are present.
    let area = raw.area.unwrap_or(Area::Handover);
    let phase = match &raw.phase {
        Some(p) => {
            if !phases.iter().any(|ph| &ph.id == p.get_ref()) {
                return Err(ctx.err(
                    p.span(),
                    format!("item `{id}` names unknown phase `{}`", p.get_ref()),
                    unknown_hint(p.get_ref(), phases.iter().map(|ph| ph.id.as_str()), "phases"),
                ));
            }
            p.get_ref().clone()
        }
        None => match phases.iter().find(|ph| ph.areas.contains(&area)) {
            Some(ph) => ph.id.clone(),
            None => {
                return Err(ctx.err(
                    raw.id.span(),
                    format!("no [[phase]] covers area `{}` of item `{id}`", area.id()),
                    format!(
                        "add \"{}\" to the `areas` of a phase, or give the item `phase = \"...\"`",
                        area.id()
                    ),
                ));
            }
        },
    };
    let deliverable = match &raw.deliverable {
        Some(d) => {
            if !deliverables.iter().any(|dl| &dl.id == d.get_ref()) {
                return Err(ctx.err(
                    d.span(),
                    format!("item `{id}` names unknown deliverable `{}`", d.get_ref()),
                    unknown_hint(
                        d.get_ref(),
                        deliverables.iter().map(|dl| dl.id.as_str()),
                        "deliverables",
                    ),
                ));
            }
            Some(d.get_ref().clone())
        }
        None => deliverables
            .iter()
            .find(|dl| dl.areas.contains(&area))
            .map(|dl| dl.id.clone()),
    };
    Ok(Item {
        id,
        title: raw.title.unwrap_or_default(),
        area,
        severity: raw.severity.unwrap_or(Severity::Medium),
        checks: raw
            .checks
            .unwrap_or_default()
            .into_iter()
            .map(Spanned::into_inner)
            .collect(),
        pass: raw.pass.unwrap_or_default(),
        why: raw.why.unwrap_or_default(),
        breaks: raw.breaks.unwrap_or_default(),
        signal: raw.signal,
        method: raw.method,
        fix: raw.fix.unwrap_or_default(),
        question: raw.question,
        emphasis: raw.emphasis,
        alternative: raw.alternative,
        thresholds: raw
            .thresholds
            .unwrap_or_default()
            .into_iter()
            .map(Spanned::into_inner)
            .collect(),
        source: raw.source.unwrap_or_default(),
        phase,
        deliverable,
    })
}
