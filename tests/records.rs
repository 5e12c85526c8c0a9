//! The SPF, DMARC and DKIM record parsers against the cases in `tests/cases/`: one TOML file per
//! kind of record (`spf.toml`, `dmarc.toml`, `dkim.toml`), one `[[case]]` per record, and this
//! one runner for all of them.
//!
//! A case is a `record` and what parsing it must give:
//! - an error: `error`, a fragment of the message (or `message`, all of it), and `at`, the
//!   1-based character the error points at (the "at character N" the user reads);
//! - or a valid record, with any of: `[case.expect]`, facts that must be exactly these values;
//!   `[case.contains]`, fragments a fact must contain (for a list fact, fragments some item
//!   contains); `absent`, facts the record must not have. A valid case without any of them only
//!   has to parse.
//!
//! The facts of each kind are what `spf_facts`, `dmarc_facts` and `dkim_facts` below list.
//! Dotted names (`terms.0.mechanism`) are TOML dotted keys; positions are 1-based characters.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::path::{Path, PathBuf};

use launchready::probe::{SyntaxError, dkim, dmarc, spf};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Cases {
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    record: toml::Spanned<String>,
    error: Option<String>,
    message: Option<String>,
    at: Option<usize>,
    #[serde(default)]
    expect: toml::Table,
    #[serde(default)]
    contains: toml::Table,
    #[serde(default)]
    absent: Vec<String>,
}

/// One fact about a parsed record: a value, or a list of values.
#[derive(Debug, PartialEq, Eq)]
enum Fact {
    One(String),
    List(Vec<String>),
}

impl std::fmt::Display for Fact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fact::One(value) => write!(f, "{value:?}"),
            Fact::List(items) => write!(f, "{items:?}"),
        }
    }
}

impl Fact {
    /// The fact a TOML value in a case stands for.
    fn expected(value: &toml::Value) -> Result<Fact, String> {
        fn one(value: &toml::Value) -> Result<String, String> {
            match value {
                toml::Value::String(s) => Ok(s.clone()),
                toml::Value::Integer(i) => Ok(i.to_string()),
                toml::Value::Boolean(b) => Ok(b.to_string()),
                other => Err(format!(
                    "a fact is a string, a number, a boolean or a list of them, not {other}"
                )),
            }
        }
        match value {
            toml::Value::Array(items) => items.iter().map(one).collect::<Result<_, _>>().map(Fact::List),
            other => one(other).map(Fact::One),
        }
    }

    fn contains(&self, fragment: &str) -> bool {
        match self {
            Fact::One(value) => value.contains(fragment),
            Fact::List(items) => items.iter().any(|item| item.contains(fragment)),
        }
    }
}

/// What a parser says about one valid record, by fact name.
#[derive(Default)]
struct Facts(BTreeMap<String, Fact>);

impl Facts {
    fn one(&mut self, name: impl Into<String>, value: impl Display) {
        self.0.insert(name.into(), Fact::One(value.to_string()));
    }

    /// A fact the record has only sometimes (an optional tag, a qualifier of `all`).
    fn maybe(&mut self, name: impl Into<String>, value: Option<impl Display>) {
        if let Some(value) = value {
            self.one(name, value);
        }
    }

    fn list(&mut self, name: impl Into<String>, items: &[String]) {
        self.0.insert(name.into(), Fact::List(items.to_vec()));
    }
}

type Parser = fn(&str) -> Result<Facts, SyntaxError>;

/// The kinds of record, each with the file of its cases.
const KINDS: [(&str, Parser); 3] = [("spf", spf_facts), ("dmarc", dmarc_facts), ("dkim", dkim_facts)];

/// SPF: `terms.count`, and for each term `terms.N.mechanism` (as the model's `Debug` writes it),
/// `.qualifier` (`+`, `-`, `~`, `?`), `.text`, `.at` and `.domain_spec`; `modifiers.count`, and
/// `modifiers.N.kind` (`Redirect`, `Exp`, `Unknown`), `.name`, `.value`, `.text`, `.at`; the
/// qualifier of the first `all`, and the values of `redirect` and `exp`, when there are any.
fn spf_facts(record: &str) -> Result<Facts, SyntaxError> {
    let parsed = spf::parse(record)?;
    let mut facts = Facts::default();
    facts.one("terms.count", parsed.terms.len());
    for (i, term) in parsed.terms.iter().enumerate() {
        facts.one(format!("terms.{i}.mechanism"), format!("{:?}", term.mechanism));
        facts.one(format!("terms.{i}.qualifier"), term.qualifier.symbol());
        facts.one(format!("terms.{i}.text"), &term.text);
        facts.one(format!("terms.{i}.at"), term.position + 1);
        facts.maybe(format!("terms.{i}.domain_spec"), term.mechanism.domain_spec());
    }
    facts.one("modifiers.count", parsed.modifiers.len());
    for (i, modifier) in parsed.modifiers.iter().enumerate() {
        facts.one(format!("modifiers.{i}.kind"), format!("{:?}", modifier.kind));
        facts.one(format!("modifiers.{i}.name"), &modifier.name);
        facts.one(format!("modifiers.{i}.value"), &modifier.value);
        facts.one(format!("modifiers.{i}.text"), &modifier.text);
        facts.one(format!("modifiers.{i}.at"), modifier.position + 1);
    }
    facts.maybe("all", parsed.all().map(spf::Qualifier::symbol));
    facts.maybe("redirect", parsed.redirect().map(|m| &m.value));
    facts.maybe("exp", parsed.exp().map(|m| &m.value));
    Ok(facts)
}

/// DMARC: `policy` and `subdomain_policy` (`none`, `quarantine`, `reject`); `percent`,
/// `dkim_alignment` and `spf_alignment` as receivers apply them (defaults filled in), `adkim` and
/// `aspf` when written (`Relaxed`, `Strict`); `rua.count` and `ruf.count`, and for each address
/// `rua.N.uri`, `.address`, `.domain` and `.max_size`; `interval` when written; the lists
/// `failure_options`, `report_formats` and `notes`.
fn dmarc_facts(record: &str) -> Result<Facts, SyntaxError> {
    let parsed = dmarc::parse(record)?;
    let mut facts = Facts::default();
    facts.one("policy", parsed.policy.as_str());
    facts.maybe("subdomain_policy", parsed.subdomain_policy.map(dmarc::Policy::as_str));
    facts.one("percent", parsed.percent());
    facts.one("dkim_alignment", format!("{:?}", parsed.dkim_alignment()));
    facts.one("spf_alignment", format!("{:?}", parsed.spf_alignment()));
    facts.maybe("adkim", parsed.adkim.map(|a| format!("{a:?}")));
    facts.maybe("aspf", parsed.aspf.map(|a| format!("{a:?}")));
    for (tag, uris) in [("rua", &parsed.rua), ("ruf", &parsed.ruf)] {
        facts.one(format!("{tag}.count"), uris.len());
        for (i, uri) in uris.iter().enumerate() {
            facts.one(format!("{tag}.{i}.uri"), &uri.uri);
            facts.maybe(format!("{tag}.{i}.address"), uri.address.as_ref());
            facts.maybe(format!("{tag}.{i}.domain"), uri.domain.as_ref());
            facts.maybe(format!("{tag}.{i}.max_size"), uri.max_size.as_ref());
        }
    }
    facts.maybe("interval", parsed.interval);
    facts.list("failure_options", &parsed.failure_options);
    facts.list("report_formats", &parsed.report_formats);
    facts.list("notes", &parsed.notes);
    Ok(facts)
}

/// DKIM: `key_type` (`Rsa`, `Ed25519`); `revoked` and `testing` (`true`, `false`); `key_info`
/// (`Rsa { bits: 2048 }`, `Ed25519`) or `key_error`, what the key turned out to be; `notes`
/// when written; the lists `hash_algorithms`, `service_types`, `flags` and `unknown_tags`.
fn dkim_facts(record: &str) -> Result<Facts, SyntaxError> {
    let parsed = dkim::parse(record)?;
    let mut facts = Facts::default();
    facts.one("key_type", format!("{:?}", parsed.key_type));
    facts.one("revoked", parsed.is_revoked());
    facts.one("testing", parsed.is_testing());
    match parsed.key_info() {
        Ok(info) => facts.one("key_info", format!("{info:?}")),
        Err(why) => facts.one("key_error", why),
    }
    facts.maybe("notes", parsed.notes.as_ref());
    facts.list("hash_algorithms", &parsed.hash_algorithms);
    facts.list("service_types", &parsed.service_types);
    facts.list("flags", &parsed.flags);
    facts.list("unknown_tags", &parsed.unknown_tags);
    Ok(facts)
}

/// The dotted names and values of a table of facts (`terms.0.at = 8` is `terms` → `0` → `at`).
fn flatten(table: &toml::Table) -> Vec<(String, &toml::Value)> {
    let mut out = Vec::new();
    for (name, value) in table {
        match value {
            toml::Value::Table(inner) => {
                out.extend(flatten(inner).into_iter().map(|(n, v)| (format!("{name}.{n}"), v)));
            }
            other => out.push((name.clone(), other)),
        }
    }
    out
}

/// What is wrong with one case; empty when it holds.
fn run_case(case: &Case, parse: Parser) -> Vec<String> {
    let record = case.record.get_ref();
    let wants_error = case.error.is_some() || case.message.is_some() || case.at.is_some();
    let has_facts = !case.expect.is_empty() || !case.contains.is_empty() || !case.absent.is_empty();
    let mut problems = Vec::new();
    match parse(record) {
        _ if wants_error && has_facts => {
            problems.push(
                "a case is an error (error, message, at) or a valid record (expect, contains, absent), not both".into(),
            );
        }
        Err(got) if wants_error => {
            let Some(at) = case.at else {
                problems.push(format!(
                    "an error case needs `at`; the error is at {}",
                    got.position + 1
                ));
                return problems;
            };
            if case.error.is_none() && case.message.is_none() {
                problems.push(format!(
                    "an error case needs `error` or `message`; the message is {:?}",
                    got.message
                ));
            }
            if let Some(fragment) = &case.error
                && !got.message.contains(fragment.as_str())
            {
                problems.push(format!("the message {:?} does not contain {fragment:?}", got.message));
            }
            if let Some(message) = &case.message
                && got.message != *message
            {
                problems.push(format!("the message is {:?}, not {message:?}", got.message));
            }
            if got.position + 1 != at {
                problems.push(format!(
                    "the error is at {}, not {at} ({})",
                    got.position + 1,
                    got.message
                ));
            }
        }
        Ok(_) if wants_error => problems.push("parsed, but an error was expected".into()),
        Err(got) => problems.push(format!("expected a valid record, got: {got}")),
        Ok(facts) => {
            let known = || facts.0.keys().cloned().collect::<Vec<_>>().join(", ");
            for (name, value) in flatten(&case.expect) {
                let expected = match Fact::expected(value) {
                    Ok(expected) => expected,
                    Err(why) => {
                        problems.push(format!("{name}: {why}"));
                        continue;
                    }
                };
                match facts.0.get(&name) {
                    None => problems.push(format!("no fact {name} (the record has: {})", known())),
                    Some(got) if *got != expected => problems.push(format!("{name} is {got}, not {expected}")),
                    Some(_) => {}
                }
            }
            for (name, value) in flatten(&case.contains) {
                let fragments = match Fact::expected(value) {
                    Ok(Fact::One(fragment)) => vec![fragment],
                    Ok(Fact::List(fragments)) => fragments,
                    Err(why) => {
                        problems.push(format!("{name}: {why}"));
                        continue;
                    }
                };
                match facts.0.get(&name) {
                    None => problems.push(format!("no fact {name} (the record has: {})", known())),
                    Some(got) => {
                        for fragment in fragments.iter().filter(|f| !got.contains(f)) {
                            problems.push(format!("{name} is {got}, which does not contain {fragment:?}"));
                        }
                    }
                }
            }
            for name in &case.absent {
                if let Some(got) = facts.0.get(name) {
                    problems.push(format!("{name} should be absent, but is {got}"));
                }
            }
        }
    }
    problems
}

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases")
}

/// Every case of every file, each failure named by its file, line and record.
#[test]
fn every_record_case_holds() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut seen = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let Some((kind, parse)) = KINDS.iter().find(|(kind, _)| *kind == stem) else {
            failures.push(format!(
                "tests/cases/{name}: no parser for this file (the kinds are spf, dmarc, dkim)"
            ));
            continue;
        };
        seen.push(*kind);
        let text = std::fs::read_to_string(path).unwrap();
        let cases: Cases = match toml::from_str(&text) {
            Ok(cases) => cases,
            Err(e) => {
                failures.push(format!("tests/cases/{name}: {e}"));
                continue;
            }
        };
        if cases.case.is_empty() {
            failures.push(format!("tests/cases/{name} has no cases"));
        }
        for case in &cases.case {
            let line = text[..case.record.span().start].matches('\n').count() + 1;
            let record = case.record.get_ref();
            let shown: String = record.chars().take(80).collect();
            let more = if shown.len() < record.len() { "…" } else { "" };
            for problem in run_case(case, *parse) {
                failures.push(format!("tests/cases/{name}:{line}: {shown:?}{more}: {problem}"));
            }
        }
    }
    for (kind, _) in KINDS {
        if !seen.contains(&kind) {
            failures.push(format!("tests/cases/{kind}.toml is missing"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failed:\n{}",
        if failures.len() == 1 { "1 case" } else { "cases" },
        failures.join("\n")
    );
}
