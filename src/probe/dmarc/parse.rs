//! DMARC records (RFC 7489): the model ([`Dmarc`]: policy, alignment, report addresses) and
//! [`parse`], which reports the first syntax error with its position. Pure: no DNS.
//!
//! Also home of the `tag=value; …` splitter the DKIM parser shares.

use std::collections::HashSet;

use crate::probe::dns::{is_hostname, normalise};
use crate::probe::{SyntaxError, shorten, syntax_error};

/// What a receiver should do with mail that fails DMARC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Policy {
    None,
    Quarantine,
    Reject,
}

impl Policy {
    /// `none`, `quarantine` or `reject`, in any case (RFC 7489 §6.4: ABNF strings).
    pub fn parse(text: &str) -> Option<Policy> {
        match text.to_ascii_lowercase().as_str() {
            "none" => Some(Policy::None),
            "quarantine" => Some(Policy::Quarantine),
            "reject" => Some(Policy::Reject),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Policy::None => "none",
            Policy::Quarantine => "quarantine",
            Policy::Reject => "reject",
        }
    }

    pub(super) fn meaning(self) -> &'static str {
        match self {
            Policy::None => "monitor only: failing mail is still delivered",
            Policy::Quarantine => "failing mail goes to spam",
            Policy::Reject => "failing mail is refused",
        }
    }
}

/// Identifier alignment mode (`adkim`, `aspf`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alignment {
    /// The domains share an organisational domain (the default).
    Relaxed,
    /// The domains must be identical.
    Strict,
}

impl Alignment {
    fn parse(text: &str) -> Option<Alignment> {
        match text {
            "r" | "R" => Some(Alignment::Relaxed),
            "s" | "S" => Some(Alignment::Strict),
            _ => None,
        }
    }

    pub(super) fn as_str(self) -> &'static str {
        match self {
            Alignment::Relaxed => "relaxed",
            Alignment::Strict => "strict",
        }
    }
}

/// One `rua`/`ruf` destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportUri {
    /// The URI as written, without its `!size` suffix.
    pub uri: String,
    /// For `mailto:` URIs: the address.
    pub address: Option<String>,
    /// For `mailto:` URIs: the address's domain, lowercase.
    pub domain: Option<String>,
    /// The size limit as written after `!` (e.g. `10m`).
    pub max_size: Option<String>,
}

/// A parsed DMARC record. Optional tags that were absent stay `None`; the accessors give the
/// values receivers use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dmarc {
    pub policy: Policy,
    pub subdomain_policy: Option<Policy>,
    pub percent: Option<u8>,
    pub adkim: Option<Alignment>,
    pub aspf: Option<Alignment>,
    pub rua: Vec<ReportUri>,
    pub ruf: Vec<ReportUri>,
    /// `fo` options (`0`, `1`, `d`, `s`), lowercase.
    pub failure_options: Vec<String>,
    /// `ri`, seconds.
    pub interval: Option<u64>,
    /// `rf` formats.
    pub report_formats: Vec<String>,
    /// Remarks that do not make the record invalid (unknown tags, unusual choices).
    pub notes: Vec<String>,
}

impl Dmarc {
    /// A record with this policy and nothing else.
    pub(super) fn new(policy: Policy) -> Dmarc {
        Dmarc {
            policy,
            subdomain_policy: None,
            percent: None,
            adkim: None,
            aspf: None,
            rua: Vec::new(),
            ruf: Vec::new(),
            failure_options: Vec::new(),
            interval: None,
            report_formats: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn percent(&self) -> u8 {
        self.percent.unwrap_or(100)
    }

    pub fn dkim_alignment(&self) -> Alignment {
        self.adkim.unwrap_or(Alignment::Relaxed)
    }

    pub fn spf_alignment(&self) -> Alignment {
        self.aspf.unwrap_or(Alignment::Relaxed)
    }
}

/// One `name=value` pair of a tag list, with byte offsets into the record.
pub(crate) struct Tag<'a> {
    pub name: &'a str,
    pub name_at: usize,
    pub value: &'a str,
    pub value_at: usize,
}

/// Splits a DKIM-style tag list (`tag=value; tag=value`, RFC 6376 §3.2) into its pairs, trimming
/// whitespace around names and values. Empty segments (`;;`, a trailing `;`) are skipped. Names
/// must be `ALPHA *(ALPHA / DIGIT / "_")`; duplicates are left to the caller (case rules differ).
pub(crate) fn split_tags(record: &str) -> Result<Vec<Tag<'_>>, SyntaxError> {
    let mut tags = Vec::new();
    let mut start = 0;
    for piece in record.split(';') {
        let piece_at = start;
        start += piece.len() + 1;
        let lead = piece.len() - piece.trim_start().len();
        let body = piece.trim();
        if body.is_empty() {
            continue;
        }
        let body_at = piece_at + lead;
        let Some(eq) = body.find('=') else {
            return Err(syntax_error(
                record,
                body_at,
                format!("expected tag=value, found \"{}\"", shorten(body, 40)),
            ));
        };
        let name = body.get(..eq).unwrap_or("").trim_end();
        if name.is_empty() {
            return Err(syntax_error(record, body_at, "a tag name is missing before \"=\""));
        }
        let valid = name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(syntax_error(
                record,
                body_at,
                format!("\"{}\" is not a valid tag name", shorten(name, 40)),
            ));
        }
        let after = body.get(eq + 1..).unwrap_or("");
        let value = after.trim_start();
        let value_at = body_at + eq + 1 + (after.len() - value.len());
        tags.push(Tag {
            name,
            name_at: body_at,
            value,
            value_at,
        });
    }
    Ok(tags)
}

/// Whether a TXT record is meant as a DMARC record: it starts with a `v` tag whose value is
/// `DMARC1` in any case. Receivers discard everything else (RFC 7489 §6.6.3); the exact spelling
/// is then checked by [`parse`], so a lowercase `dmarc1` is reported instead of ignored.
pub fn is_dmarc_record(txt: &str) -> bool {
    let rest = txt.trim_start();
    let Some(rest) = rest.strip_prefix(['v', 'V']) else {
        return false;
    };
    let Some(rest) = rest.trim_start().strip_prefix('=') else {
        return false;
    };
    let rest = rest.trim_start();
    let Some(version) = rest.get(..6) else {
        return false;
    };
    let after = rest.get(6..).unwrap_or("");
    version.eq_ignore_ascii_case("DMARC1")
        && (after.is_empty() || after.starts_with(|c: char| c == ';' || c.is_whitespace()))
}

/// Parses a DMARC record (RFC 7489 §6.3–6.4).
///
/// Case: tag names and keyword values are case-insensitive (ABNF strings), but the version must
/// be exactly `DMARC1` (`%x44 %x4d %x41 %x52 %x43 %x31`). Unknown tags are ignored, as the RFC
/// says, and listed in [`Dmarc::notes`]. A tag given twice invalidates the record (RFC 6376
/// §3.2, whose tag-list syntax DMARC uses).
pub fn parse(record: &str) -> Result<Dmarc, SyntaxError> {
    let tags = split_tags(record)?;
    let Some(first) = tags.first() else {
        return Err(syntax_error(record, 0, "the record is empty"));
    };
    if !first.name.eq_ignore_ascii_case("v") {
        return Err(syntax_error(
            record,
            first.name_at,
            "the record must start with v=DMARC1",
        ));
    }
    if first.value != "DMARC1" {
        let message = if first.value.eq_ignore_ascii_case("DMARC1") {
            "the version must be written DMARC1, in capitals".to_string()
        } else if first.value.get(..6).is_some_and(|v| v.eq_ignore_ascii_case("DMARC1")) {
            return Err(syntax_error(
                record,
                first.value_at + 6,
                "a \";\" is missing after v=DMARC1",
            ));
        } else {
            format!("the version must be DMARC1, found \"{}\"", shorten(first.value, 20))
        };
        return Err(syntax_error(record, first.value_at, message));
    }

    let mut seen = HashSet::new();
    let mut notes = Vec::new();
    let mut policy = None;
    let mut dmarc = Dmarc::new(Policy::None);
    for (index, tag) in tags.iter().enumerate() {
        let name = tag.name.to_ascii_lowercase();
        if !seen.insert(name.clone()) {
            return Err(syntax_error(
                record,
                tag.name_at,
                format!("the tag {name}= appears twice; receivers then ignore the whole record"),
            ));
        }
        if let Some(at) = missing_separator(tag.value) {
            return Err(syntax_error(
                record,
                tag.value_at + at,
                format!("a \";\" is missing after {name}="),
            ));
        }
        let value = tag.value;
        let here = |message: String| syntax_error(record, tag.value_at, message);
        match name.as_str() {
            "v" => {}
            "p" => {
                if index != 1 {
                    notes.push("p= is not directly after v=DMARC1 as RFC 7489 asks; most receivers accept it".into());
                }
                policy = Some(Policy::parse(value).ok_or_else(|| {
                    here(format!(
                        "p= must be none, quarantine or reject, found \"{}\"",
                        shorten(value, 20)
                    ))
                })?);
            }
            "sp" => {
                dmarc.subdomain_policy = Some(Policy::parse(value).ok_or_else(|| {
                    here(format!(
                        "sp= must be none, quarantine or reject, found \"{}\"",
                        shorten(value, 20)
                    ))
                })?);
            }
            "pct" => {
                let number = (!value.is_empty() && value.len() <= 3 && value.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| value.parse::<u8>().ok())
                    .flatten()
                    .filter(|n| *n <= 100);
                dmarc.percent = Some(number.ok_or_else(|| {
                    here(format!(
                        "pct= must be a whole number from 0 to 100, found \"{}\"",
                        shorten(value, 20)
                    ))
                })?);
            }
            "adkim" | "aspf" => {
                let mode = Alignment::parse(value).ok_or_else(|| {
                    here(format!(
                        "{name}= must be r (relaxed) or s (strict), found \"{}\"",
                        shorten(value, 20)
                    ))
                })?;
                if name == "adkim" {
                    dmarc.adkim = Some(mode);
                } else {
                    dmarc.aspf = Some(mode);
                }
            }
            "rua" | "ruf" => {
                let uris = parse_uris(record, &name, value, tag.value_at, &mut notes)?;
                if name == "rua" {
                    dmarc.rua = uris;
                } else {
                    dmarc.ruf = uris;
                }
            }
            "fo" => {
                for (item, at) in split_list(value, tag.value_at, ':') {
                    let option = item.to_ascii_lowercase();
                    if !matches!(option.as_str(), "0" | "1" | "d" | "s") {
                        return Err(syntax_error(
                            record,
                            at,
                            format!(
                                "fo= options are 0, 1, d or s separated by \":\", found \"{}\"",
                                shorten(item, 20)
                            ),
                        ));
                    }
                    dmarc.failure_options.push(option);
                }
            }
            "ri" => {
                let seconds = (!value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| value.parse::<u64>().ok())
                    .flatten();
                dmarc.interval = Some(seconds.ok_or_else(|| {
                    here(format!(
                        "ri= must be a number of seconds, found \"{}\"",
                        shorten(value, 20)
                    ))
                })?);
            }
            "rf" => {
                for (item, at) in split_list(value, tag.value_at, ':') {
                    if item.is_empty() || !item.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                        return Err(syntax_error(
                            record,
                            at,
                            format!(
                                "rf= lists report formats separated by \":\", found \"{}\"",
                                shorten(item, 20)
                            ),
                        ));
                    }
                    if !item.eq_ignore_ascii_case("afrf") {
                        notes.push(format!("rf={item}: only afrf is a known failure-report format"));
                    }
                    dmarc.report_formats.push(item.to_ascii_lowercase());
                }
            }
            "np" | "psd" | "t" => notes.push(format!(
                "{name}= comes from the DMARC revision draft (DMARCbis); receivers following RFC 7489 ignore it"
            )),
            _ => notes.push(format!("unknown tag {}= is ignored by receivers", tag.name)),
        }
    }
    let Some(policy) = policy else {
        return Err(syntax_error(
            record,
            record.len(),
            "the required p= tag (what receivers should do with failing mail) is missing",
        ));
    };
    dmarc.policy = policy;
    if dmarc.rua.len() > 2 || dmarc.ruf.len() > 2 {
        notes.push("receivers need only send each kind of report to two addresses; later ones may get nothing".into());
    }
    dmarc.notes = notes;
    Ok(dmarc)
}

/// Where a value holds whitespace followed by something like `tag=`: a forgotten `;`.
fn missing_separator(value: &str) -> Option<usize> {
    let mut chars = value.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if !c.is_whitespace() {
            continue;
        }
        while chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
        let &(start, first) = chars.peek()?;
        if !first.is_ascii_alphabetic() {
            continue;
        }
        let rest = value.get(start..).unwrap_or("");
        let name_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if rest
            .get(name_len..)
            .is_some_and(|after| after.trim_start().starts_with('='))
        {
            return Some(start);
        }
    }
    None
}

/// Splits a list on `separator`, trimming each item; yields (item, byte offset in the record).
fn split_list(value: &str, value_at: usize, separator: char) -> Vec<(&str, usize)> {
    let mut items = Vec::new();
    let mut start = 0;
    for piece in value.split(separator) {
        let lead = piece.len() - piece.trim_start().len();
        items.push((piece.trim(), value_at + start + lead));
        start += piece.len() + separator.len_utf8();
    }
    items
}

fn parse_uris(
    record: &str,
    tag: &str,
    value: &str,
    value_at: usize,
    notes: &mut Vec<String>,
) -> Result<Vec<ReportUri>, SyntaxError> {
    let mut uris = Vec::new();
    for (item, at) in split_list(value, value_at, ',') {
        if item.is_empty() {
            return Err(syntax_error(
                record,
                at,
                format!("an address in {tag}= is empty (a stray comma?)"),
            ));
        }
        uris.push(parse_uri(record, tag, item, at, notes)?);
    }
    Ok(uris)
}

/// One `dmarc-uri`: `URI [ "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] ]` (RFC 7489 §6.4).
fn parse_uri(
    record: &str,
    tag: &str,
    item: &str,
    at: usize,
    notes: &mut Vec<String>,
) -> Result<ReportUri, SyntaxError> {
    let (uri, max_size) = match item.rfind('!') {
        Some(bang) => {
            let size = item.get(bang + 1..).unwrap_or("");
            let digits = size.trim_end_matches(['k', 'm', 'g', 't', 'K', 'M', 'G', 'T']);
            let valid =
                !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && size.len() - digits.len() <= 1;
            if !valid {
                return Err(syntax_error(
                    record,
                    at + bang,
                    format!("the size limit after \"!\" in {tag}= must be a number with an optional k, m, g or t"),
                ));
            }
            (item.get(..bang).unwrap_or("").trim_end(), Some(size.to_string()))
        }
        None => (item, None),
    };
    let Some(colon) = uri.find(':') else {
        let hint = if uri.contains('@') {
            format!("; write it as mailto:{}", shorten(uri, 60))
        } else {
            String::new()
        };
        return Err(syntax_error(
            record,
            at,
            format!(
                "\"{}\" in {tag}= is not a URI such as mailto:reports@example.com{hint}",
                shorten(uri, 60)
            ),
        ));
    };
    let scheme = uri.get(..colon).unwrap_or("");
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok {
        return Err(syntax_error(
            record,
            at,
            format!("\"{}\" in {tag}= does not start with a URI scheme", shorten(uri, 60)),
        ));
    }
    if !scheme.eq_ignore_ascii_case("mailto") {
        notes.push(format!(
            "{tag}= lists {}: receivers send reports only to mailto: addresses",
            shorten(uri, 60)
        ));
        return Ok(ReportUri {
            uri: uri.to_string(),
            address: None,
            domain: None,
            max_size,
        });
    }
    let rest_at = at + colon + 1;
    let rest = uri.get(colon + 1..).unwrap_or("");
    let address = rest.split('?').next().unwrap_or("");
    let Some(at_sign) = address.rfind('@') else {
        return Err(syntax_error(
            record,
            rest_at,
            format!("the mailto: address in {tag}= has no @"),
        ));
    };
    let local = address.get(..at_sign).unwrap_or("");
    let domain = address.get(at_sign + 1..).unwrap_or("");
    if local.is_empty() || local.chars().any(char::is_whitespace) {
        return Err(syntax_error(
            record,
            rest_at,
            format!("the mailto: address in {tag}= has no valid part before @"),
        ));
    }
    if !is_hostname(domain) {
        return Err(syntax_error(
            record,
            rest_at + at_sign + 1,
            format!("\"{}\" in {tag}= is not a valid domain name", shorten(domain, 60)),
        ));
    }
    Ok(ReportUri {
        uri: uri.to_string(),
        address: Some(address.to_string()),
        domain: Some(normalise(domain)),
        max_size,
    })
}

/// The usable `rua=` addresses of a record too broken to parse, bare addresses given their
/// missing `mailto:`.
pub(super) fn salvage_rua(record: &str) -> Vec<ReportUri> {
    let Some(value) = record.split(';').find_map(|piece| {
        let (name, value) = piece.split_once('=')?;
        name.trim().eq_ignore_ascii_case("rua").then_some(value)
    }) else {
        return Vec::new();
    };
    let mut notes = Vec::new();
    value
        .split(',')
        .filter_map(|item| {
            let item = item.trim();
            // The most common mistake: a bare address without `mailto:`.
            let item = if item.contains('@') && !item.contains(':') {
                format!("mailto:{item}")
            } else {
                item.to_string()
            };
            parse_uri(&item, "rua", &item, 0, &mut notes)
                .ok()
                .filter(|uri| uri.address.is_some())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    //! The parser's error and valid-record cases are data, in tests/cases/dmarc.toml (run by
    //! tests/records.rs); here only what a table cannot say.

    use super::*;
    use crate::probe::garbled;

    #[test]
    fn recognises_dmarc_records() {
        assert!(is_dmarc_record("v=DMARC1; p=none"));
        assert!(is_dmarc_record(" V = dmarc1;p=none"));
        assert!(is_dmarc_record("v=DMARC1"));
        assert!(!is_dmarc_record("v=DMARC10; p=none"));
        assert!(!is_dmarc_record("v=spf1 -all"));
        assert!(!is_dmarc_record("p=none; v=DMARC1"));
        assert!(!is_dmarc_record("v=DMA"));
    }

    #[test]
    fn parser_never_panics_on_garbled_records() {
        let pieces = [
            "v",
            "=",
            "DMARC1",
            ";",
            " ",
            "\t",
            "p",
            "none",
            "reject",
            "sp",
            "pct",
            "100",
            "101",
            "rua",
            "ruf",
            "mailto:",
            "a@",
            "example.com",
            ",",
            "!",
            "10m",
            "fo",
            ":",
            "0",
            "d",
            "ri",
            "rf",
            "afrf",
            "é",
            "漢",
            "\u{0}",
            "@",
            ".",
            "-",
            "adkim",
            "s",
            "r",
            "?",
            "=;",
            "v=DMARC1;",
        ];
        let mut valid = 0;
        for (i, tail) in garbled(0x9e37_79b9_7f4a_7c15, 4000, &pieces, 24)
            .into_iter()
            .enumerate()
        {
            let record = if i % 2 == 0 {
                format!("v=DMARC1; p=reject;{tail}")
            } else {
                tail
            };
            if let Err(e) = parse(&record) {
                assert!(e.position <= record.chars().count(), "{record:?}: {e}");
            } else {
                valid += 1;
            }
            let _ = is_dmarc_record(&record);
            let _ = salvage_rua(&record);
        }
        assert!(valid > 0, "the generator should produce some valid records too");
    }
}
