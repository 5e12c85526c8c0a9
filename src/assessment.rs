//! One assessment: the target, the answers, the probe results, and what it was made against.
//! Saved as JSON, atomically, with a schema version; listed per client.
//!
//! A file that cannot be read back (corrupt, or written by a newer launchready) is reported and
//! never overwritten: [`Store::save`] refuses to replace anything it cannot load.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::checklist::Checklist;
use crate::diag::{InputError, Key, Spans, unknown_hint};
use crate::result::ProbeResult;
use crate::target::TargetFile;

/// The assessment file format version this build writes and reads.
pub const SCHEMA: u32 = 1;

/// Assessment files larger than this are refused when loading.
const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assessment {
    pub schema: u32,
    pub tool: Tool,
    /// RFC 3339, UTC.
    pub created: String,
    pub updated: String,
    pub checklist: ChecklistRef,
    pub target: TargetFile,
    /// Answers to items, keyed by item id.
    #[serde(default)]
    pub answers: BTreeMap<String, Answer>,
    /// Probe results, keyed by check id.
    #[serde(default)]
    pub probes: BTreeMap<String, ProbeResult>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

impl Tool {
    pub fn current() -> Tool {
        Tool {
            name: env!("CARGO_PKG_NAME").to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

/// The checklist an assessment was made against: its id and content hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistRef {
    pub id: String,
    pub hash: String,
}

/// The user's answer to one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    pub value: AnswerValue,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// When it was given (RFC 3339, UTC).
    pub at: String,
}

impl Answer {
    /// The note, when it says something.
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref().map(str::trim).filter(|n| !n.is_empty())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AnswerValue {
    #[serde(rename = "yes")]
    Yes,
    #[serde(rename = "no")]
    No,
    #[serde(rename = "unsure")]
    Unsure,
    #[serde(rename = "n/a")]
    NotApplicable,
}

impl AnswerValue {
    pub const WORDS: [&'static str; 4] = ["yes", "no", "unsure", "n/a"];

    pub fn word(self) -> &'static str {
        match self {
            AnswerValue::Yes => "yes",
            AnswerValue::No => "no",
            AnswerValue::Unsure => "unsure",
            AnswerValue::NotApplicable => "n/a",
        }
    }

    pub fn from_word(word: &str) -> Option<AnswerValue> {
        match word {
            "yes" => Some(AnswerValue::Yes),
            "no" => Some(AnswerValue::No),
            "unsure" => Some(AnswerValue::Unsure),
            "n/a" => Some(AnswerValue::NotApplicable),
            _ => None,
        }
    }
}

/// RFC 3339 in UTC, to the second.
pub fn timestamp(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()
}

impl Assessment {
    /// A fresh assessment of `target` against `checklist`.
    pub fn new(target: TargetFile, checklist: &Checklist, now: SystemTime) -> Assessment {
        let at = timestamp(now);
        Assessment {
            schema: SCHEMA,
            tool: Tool::current(),
            created: at.clone(),
            updated: at,
            checklist: ChecklistRef {
                id: checklist.id.clone(),
                hash: checklist.hash.clone(),
            },
            target,
            answers: BTreeMap::new(),
            probes: BTreeMap::new(),
        }
    }

    pub fn answer(&mut self, item: &str, value: AnswerValue, note: Option<String>, now: SystemTime) {
        let at = timestamp(now);
        self.answers.insert(
            item.to_string(),
            Answer {
                value,
                note,
                at: at.clone(),
            },
        );
        self.updated = at;
    }

    pub fn record(&mut self, result: ProbeResult) {
        self.updated.clone_from(&result.at);
        self.probes.insert(result.id.clone(), result);
    }

    /// Whether the checklist changed since this assessment was made.
    pub fn is_stale(&self, checklist: &Checklist) -> bool {
        self.checklist.hash != checklist.hash
    }

    /// Reads a saved assessment, refusing corrupt and newer-format files with a clear error.
    pub fn load(path: &Path) -> Result<Assessment, InputError> {
        let name = path.display().to_string();
        let meta = fs::metadata(path)
            .map_err(|e| InputError::file(&name, format!("cannot read the assessment: {e}"), "check the path"))?;
        if meta.len() > MAX_FILE_BYTES {
            return Err(InputError::file(
                &name,
                format!("the file is {} bytes, too large for an assessment", meta.len()),
                "check that this is an assessment file",
            ));
        }
        let bytes = crate::fsio::read_capped(path, MAX_FILE_BYTES).map_err(|e| {
            InputError::file(
                &name,
                format!("cannot read the assessment: {e}"),
                "check the path and permissions",
            )
        })?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(InputError::file(
                &name,
                "the file is too large for an assessment",
                "check that this is an assessment file",
            ));
        }
        Assessment::from_json(&name, &bytes)
    }

    fn from_json(name: &str, bytes: &[u8]) -> Result<Assessment, InputError> {
        let corrupt = |e: &serde_json::Error, what: &str| InputError {
            file: name.to_string(),
            position: (e.line() > 0).then(|| (e.line(), e.column())),
            message: format!("{what}: {e}"),
            hint: "the file is left as it is; restore it from a backup, or start a new assessment".to_string(),
        };
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| corrupt(&e, "not a readable assessment (corrupt JSON)"))?;
        let schema = value.get("schema").and_then(serde_json::Value::as_u64);
        match schema {
            None => {
                return Err(InputError::file(
                    name,
                    "not an assessment: it has no schema version",
                    "give the path of a file launchready saved",
                ));
            }
            Some(s) if s > u64::from(SCHEMA) => {
                return Err(InputError::file(
                    name,
                    format!("this assessment was saved by a newer launchready (schema {s}; this one reads {SCHEMA})"),
                    "update launchready to open it; the file is left untouched",
                ));
            }
            Some(_) => {}
        }
        serde_json::from_value(value).map_err(|e| corrupt(&e, "the assessment does not have the expected shape"))
    }

    fn to_json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("an assessment always serialises");
        bytes.push(b'\n');
        bytes
    }
}

/// Where assessments live: one folder per client, one JSON file per assessment.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

/// One file found by [`Store::list`]: the assessment, or why it could not be read.
#[derive(Debug)]
pub struct Listed {
    pub path: PathBuf,
    pub assessment: Result<Assessment, InputError>,
}

impl Store {
    pub fn new(root: PathBuf) -> Store {
        Store { root }
    }

    /// The platform's data folder for this user (e.g. `~/.local/share/launchready/assessments`).
    pub fn platform() -> Option<Store> {
        directories::ProjectDirs::from("", "", "launchready").map(|d| Store::new(d.data_dir().join("assessments")))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A new, unused path for an assessment of this product (and client).
    pub fn path_for(&self, assessment: &Assessment) -> PathBuf {
        let product = &assessment.target.product;
        let folder = product.client.as_deref().map_or_else(|| "_no-client".to_string(), slug);
        let stamp: String = assessment
            .created
            .chars()
            .filter(char::is_ascii_digit)
            .take(14)
            .collect();
        let stem = format!(
            "{}-{}-{}",
            slug(&crate::redact::redact_keys(&product.name)),
            &stamp[..8.min(stamp.len())],
            &stamp[8.min(stamp.len())..]
        );
        let dir = self.root.join(folder);
        let mut path = dir.join(format!("{stem}.json"));
        let mut n = 2;
        while path.exists() {
            path = dir.join(format!("{stem}-{n}.json"));
            n += 1;
        }
        path
    }

    /// Saves atomically. An existing file is replaced only if it is a readable assessment.
    pub fn save(assessment: &Assessment, path: &Path) -> anyhow::Result<()> {
        if path.exists() {
            Assessment::load(path).map_err(|e| {
                anyhow::anyhow!("{e}").context("refusing to overwrite a file that is not a readable assessment")
            })?;
        }
        crate::fsio::write_atomic(path, &assessment.to_json(), |_| Ok(()))
    }

    /// Every assessment under the store, newest first, grouped by client folder.
    pub fn list(&self) -> anyhow::Result<Vec<Listed>> {
        let mut found = Vec::new();
        let Ok(clients) = fs::read_dir(&self.root) else {
            return Ok(found);
        };
        for client in clients.filter_map(Result::ok) {
            if !client.path().is_dir() {
                continue;
            }
            for file in fs::read_dir(client.path())?.filter_map(Result::ok) {
                let path = file.path();
                if is_assessment_file(&path) {
                    let assessment = Assessment::load(&path);
                    found.push(Listed { path, assessment });
                }
            }
        }
        found.sort_by(|a, b| {
            let key = |l: &Listed| match &l.assessment {
                Ok(a) => (a.target.product.client.clone(), std::cmp::Reverse(a.updated.clone())),
                Err(_) => (None, std::cmp::Reverse(String::new())),
            };
            key(a).cmp(&key(b)).then_with(|| a.path.cmp(&b.path))
        });
        Ok(found)
    }
}

/// Whether a file in a data folder is an assessment: `*.json`, but neither a report exported
/// there (`NAME.report.json`) nor a temporary file of an atomic write (`.NAME…`).
pub fn is_assessment_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let is_json = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
    is_json && !name.to_ascii_lowercase().ends_with(".report.json") && !name.starts_with('.')
}

/// Lowercase ASCII letters and digits joined by '-', for file and folder names.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    let out: String = out.chars().take(48).collect();
    if out.is_empty() { "unnamed".to_string() } else { out }
}

/// Answers read from an answers file, validated against the checklist.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswersFile {
    #[serde(default)]
    answer: Vec<AnswerEntry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerEntry {
    item: String,
    answer: String,
    note: Option<String>,
}

/// One validated answer from an answers file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileAnswer {
    pub item: String,
    pub value: AnswerValue,
    pub note: Option<String>,
}

/// Parses an answers file (DESIGN.md's shape) against `checklist`: an unknown item id, an
/// unknown answer word or a second answer to the same item is an error at its line.
pub fn parse_answers(file: &str, text: &str, checklist: &Checklist) -> Result<Vec<FileAnswer>, InputError> {
    let parsed: AnswersFile = toml::from_str(text)
        .map_err(|e| InputError::from_toml(file, text, &e, "each [[answer]] has item, answer and an optional note"))?;
    let spans = Spans::parse(text).expect("the typed parse succeeded, so the text is valid TOML");
    let at = |i: usize, key: &str| spans.span(&[Key::Name("answer"), Key::Index(i), Key::Name(key)]);
    let mut out: Vec<FileAnswer> = Vec::with_capacity(parsed.answer.len());
    for (i, entry) in parsed.answer.into_iter().enumerate() {
        if checklist.item(&entry.item).is_none() {
            return Err(InputError::at(
                file,
                text,
                at(i, "item"),
                format!("unknown item `{}` for the {} checklist", entry.item, checklist.id),
                unknown_hint(&entry.item, checklist.items.iter().map(|i| i.id.as_str()), "items"),
            ));
        }
        let Some(value) = AnswerValue::from_word(entry.answer.trim()) else {
            return Err(InputError::at(
                file,
                text,
                at(i, "answer"),
                format!("`{}` is not an answer", entry.answer),
                format!("answer with one of: {}", AnswerValue::WORDS.join(", ")),
            ));
        };
        if out.iter().any(|a| a.item == entry.item) {
            return Err(InputError::at(
                file,
                text,
                at(i, "item"),
                format!("item `{}` is answered twice", entry.item),
                "keep one [[answer]] per item",
            ));
        }
        out.push(FileAnswer {
            item: entry.item,
            value,
            note: entry.note.filter(|n| !n.trim().is_empty()),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_file_safe() {
        assert_eq!(slug("Acme Chat!"), "acme-chat");
        assert_eq!(slug("  ../etc/passwd "), "etc-passwd");
        assert_eq!(slug("日本"), "unnamed");
    }
}
