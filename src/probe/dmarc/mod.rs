//! DMARC (RFC 7489): the `_dmarc` record parser and the `email.dmarc` check — exactly one valid
//! record (or one inherited from the organisational domain), a policy strong enough for the
//! vertical, and report addresses that will really receive reports.
//!
//! Also home of the `tag=value; …` splitter the DKIM check shares.

use std::collections::HashSet;
use std::fmt::Write as _;

use futures_util::future::join_all;

use super::dns::{Answer, DnsError, Lookup, Resolve, is_hostname, normalise, organisational};
use super::{ProbeResult, Status, SyntaxError, shorten, syntax_error};

pub const ID: &str = "email.dmarc";
const TITLE: &str = "DMARC policy";

/// At most this many other organisations' report domains get an authorisation query; a record
/// listing more is unusual and should not turn one check into a flood of queries.
const MAX_REPORT_DOMAINS: usize = 10;

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

    fn meaning(self) -> &'static str {
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

    fn as_str(self) -> &'static str {
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
    fn new(policy: Policy) -> Dmarc {
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

/// The DMARC records among a TXT answer, and the other TXT records found there.
fn dmarc_records(answer: Answer<Vec<String>>) -> (Vec<String>, Vec<String>) {
    answer.records().into_iter().partition(|txt| is_dmarc_record(txt))
}

fn dns_error(name: &str, error: &DnsError) -> ProbeResult {
    ProbeResult::new(
        ID,
        Status::Error,
        TITLE,
        format!("Could not check your DMARC record: {error}."),
    )
    .evidence(format!("TXT {name}"), error.to_string())
    .fix("Run the check again; if it keeps failing, try another DNS server with --resolver (e.g. 1.1.1.1).")
}

/// The `email.dmarc` check for `domain`.
///
/// `min_policy` is the vertical's weakest acceptable policy (`dmarc.min_policy`): `"none"`
/// accepts monitor-only while testing, `"reject"` makes quarantine a warning.
pub async fn check<R: Resolve>(domain: &str, dns: &R, min_policy: Option<&str>) -> ProbeResult {
    let domain = normalise(domain);
    let minimum = min_policy.and_then(Policy::parse);
    let own_name = format!("_dmarc.{domain}");
    let (own, own_other) = match dns.txt(&own_name).await {
        Ok(answer) => dmarc_records(answer),
        Err(error) => return dns_error(&own_name, &error),
    };
    let mut ignored: Vec<(String, String)> = own_other.into_iter().map(|t| (own_name.clone(), t)).collect();
    let mut policy_domain = domain.clone();
    let mut records = own;
    if records.is_empty() {
        let org = organisational(&domain);
        if org != domain {
            let org_name = format!("_dmarc.{org}");
            let (found, other) = match dns.txt(&org_name).await {
                Ok(answer) => dmarc_records(answer),
                Err(error) => return dns_error(&org_name, &error),
            };
            ignored.extend(other.into_iter().map(|t| (org_name.clone(), t)));
            if !found.is_empty() {
                policy_domain = org;
                records = found;
            }
        }
    }
    let record_name = format!("_dmarc.{policy_domain}");

    if records.is_empty() {
        let searched = if organisational(&domain) == domain {
            own_name.clone()
        } else {
            format!("{own_name} and _dmarc.{}", organisational(&domain))
        };
        let mut result = ProbeResult::new(
            ID,
            Status::Fail,
            TITLE,
            "Your domain has no DMARC record, so nothing tells receivers to refuse mail that fakes your address.",
        )
        .evidence("Searched", format!("TXT {searched}: no record starting with v=DMARC1"));
        for (name, txt) in &ignored {
            result = result.evidence(
                format!("Ignored TXT {name}"),
                format!("{txt} (does not start with v=DMARC1)"),
            );
        }
        let suggestion = suggested_record(None, &domain, minimum);
        let policy = if minimum == Some(Policy::Reject) {
            Policy::Reject
        } else {
            Policy::Quarantine
        };
        return result.fix(format!(
            "Publish one TXT record at {own_name}:\n  {suggestion}\np={} means {}. If you are not sure every service that \
             sends as {domain} is set up (SPF or DKIM for your domain), start with p=none for a week or two, read the reports \
             sent to the rua address, then tighten the policy.",
            policy.as_str(),
            policy.meaning()
        ));
    }

    if records.len() > 1 {
        let mut result = ProbeResult::new(
            ID,
            Status::Fail,
            TITLE,
            format!(
                "Your domain publishes {} DMARC records; receivers then ignore DMARC entirely, as if you had none.",
                records.len()
            ),
        );
        for record in &records {
            result = result.evidence(format!("TXT {record_name}"), record.clone());
        }
        // Merge what the records say: the strongest policy, and report addresses from wherever
        // they were given.
        let parsed: Vec<Dmarc> = records.iter().filter_map(|r| parse(r).ok()).collect();
        let keep = parsed.iter().max_by_key(|d| d.policy).cloned().map(|mut d| {
            if d.rua.is_empty() {
                d.rua = parsed
                    .iter()
                    .find(|o| !o.rua.is_empty())
                    .map(|o| o.rua.clone())
                    .unwrap_or_default();
            }
            d
        });
        return result.fix(format!(
            "Delete all but one of the records at {record_name}. A single record built from what was found:\n  {}",
            suggested_record(keep.as_ref(), &policy_domain, minimum)
        ));
    }

    let record = records.swap_remove(0);
    let dmarc = match parse(&record) {
        Ok(dmarc) => dmarc,
        Err(error) => {
            let pointer = format!("{}^", " ".repeat(error.position.min(200)));
            let salvaged = Dmarc {
                rua: salvage_rua(&record),
                ..Dmarc::new(Policy::None)
            };
            let suggestion = suggested_record(Some(&salvaged), &policy_domain, minimum);
            return ProbeResult::new(
                ID,
                Status::Fail,
                TITLE,
                format!(
                    "Your DMARC record has a mistake, so receivers ignore it: {}.",
                    error.message
                ),
            )
            .evidence(format!("TXT {record_name}"), format!("{record}\n{pointer}"))
            .evidence("Syntax error", error.to_string())
            .fix(format!(
                "Replace the record at {record_name} with a corrected one, for example:\n  {suggestion}"
            ));
        }
    };
    evaluate(&domain, &policy_domain, &record, &dmarc, minimum, dns).await
}

/// A Warn or Fail finding, in the founder's words.
struct Problem {
    status: Status,
    text: String,
}

async fn evaluate<R: Resolve>(
    domain: &str,
    policy_domain: &str,
    record: &str,
    dmarc: &Dmarc,
    minimum: Option<Policy>,
    dns: &R,
) -> ProbeResult {
    let inherited = policy_domain != domain;
    let effective = if inherited {
        dmarc.subdomain_policy.unwrap_or(dmarc.policy)
    } else {
        dmarc.policy
    };
    let mut problems: Vec<Problem> = Vec::new();
    let mut notes: Vec<String> = dmarc.notes.clone();
    let mut fixes: Vec<String> = Vec::new();
    let mut suggest = false;
    let tag = if inherited && dmarc.subdomain_policy.is_some() {
        "sp"
    } else {
        "p"
    };

    match effective {
        Policy::Reject => {}
        Policy::Quarantine => {
            if minimum == Some(Policy::Reject) {
                problems.push(Problem {
                    status: Status::Warn,
                    text: format!(
                        "Your DMARC policy sends mail that fakes your address to spam ({tag}=quarantine); this product's checklist asks for reject."
                    ),
                });
                fixes.push("Once reports show nothing legitimate fails, change quarantine to reject.".into());
            }
        }
        Policy::None => {
            if minimum == Some(Policy::None) {
                notes.push(
                    "p=none (monitor only) is accepted for this product while you test; tighten it to quarantine once the reports \
                     show all your own mail passes"
                        .into(),
                );
            } else {
                problems.push(Problem {
                    status: Status::Warn,
                    text: format!(
                        "Your DMARC policy only monitors ({tag}=none): receivers still deliver mail that fakes your address."
                    ),
                });
                suggest = true;
            }
        }
    }
    if dmarc.percent() < 100 {
        if effective == Policy::None {
            notes.push(format!(
                "pct={} has no effect while the policy is none",
                dmarc.percent()
            ));
        } else {
            problems.push(Problem {
                status: Status::Warn,
                text: format!(
                    "Your DMARC policy applies to only {}% of failing mail; the rest is delivered as if you had no policy.",
                    dmarc.percent()
                ),
            });
            suggest = true;
        }
    }
    if !inherited && dmarc.policy > Policy::None && dmarc.subdomain_policy == Some(Policy::None) {
        notes.push(format!(
            "sp=none: addresses at subdomains of {policy_domain} (anything.{policy_domain}) can still be faked"
        ));
    }
    if dmarc.rua.is_empty() {
        notes.push("no rua= address: you receive no reports, so you cannot see who sends mail as your domain".into());
    }
    if dmarc.spf_alignment() == Alignment::Strict {
        notes.push(
            "aspf=s (strict SPF alignment): mail whose bounce address is a subdomain, such as the em123.yourdomain or \
             bounces.yourdomain addresses most sending services set up, fails SPF alignment"
                .into(),
        );
    }
    if dmarc.dkim_alignment() == Alignment::Strict {
        notes.push(
            "adkim=s (strict DKIM alignment): services that sign with a subdomain of yours fail DKIM alignment".into(),
        );
    }

    // Report destinations in another organisation's domain need its consent (RFC 7489 §7.1).
    let policy_org = organisational(policy_domain);
    let mut external: Vec<String> = Vec::new();
    for uri in dmarc.rua.iter().chain(&dmarc.ruf) {
        if let Some(host) = &uri.domain
            && organisational(host) != policy_org
            && !external.contains(host)
        {
            external.push(host.clone());
        }
    }
    let skipped: Vec<String> = external.split_off(external.len().min(MAX_REPORT_DOMAINS));
    let lookups: Vec<(String, Lookup<Vec<String>>)> = join_all(external.iter().map(|host| {
        let name = format!("{policy_domain}._report._dmarc.{host}");
        async move {
            let answer = dns.txt(&name).await;
            (name, answer)
        }
    }))
    .await;
    let mut undecided: Vec<String> = Vec::new();
    let mut report_lines: Vec<(String, String)> = Vec::new();
    for (kind, uris) in [
        ("Aggregate reports (rua)", &dmarc.rua),
        ("Failure reports (ruf)", &dmarc.ruf),
    ] {
        for uri in uris {
            let Some(host) = &uri.domain else {
                report_lines.push((
                    kind.into(),
                    format!("{}: not an email address, so no reports arrive there", uri.uri),
                ));
                continue;
            };
            let address = uri.address.clone().unwrap_or_default();
            let line = if organisational(host) == policy_org {
                format!("{address}: your own domain, no authorisation needed")
            } else if let Some(index) = external.iter().position(|h| h == host) {
                match lookups.get(index) {
                    Some((name, Ok(answer))) => {
                        let found = answer.clone().records();
                        if let Some(txt) = found.iter().find(|t| is_dmarc_record(t)) {
                            format!("{address}: another organisation's domain, authorised by TXT {name} \"{txt}\"")
                        } else {
                            let text = format!(
                                "Reports to {address} will be dropped: {host} has not published the record that agrees to receive \
                                 reports for {policy_domain}."
                            );
                            if !problems.iter().any(|p| p.text == text) {
                                problems.push(Problem {
                                    status: Status::Warn,
                                    text,
                                });
                                fixes.push(format!(
                                    "Ask whoever runs {host} (your report provider) to publish TXT {name} with the value \"v=DMARC1;\", \
                                     or send the reports to an address at {policy_domain}."
                                ));
                            }
                            format!(
                                "{address}: another organisation's domain, NOT authorised (no v=DMARC1 record at {name})"
                            )
                        }
                    }
                    Some((name, Err(error))) => {
                        let why = format!("whether {host} accepts your reports: {error}");
                        if !undecided.contains(&why) {
                            undecided.push(why);
                        }
                        format!("{address}: could not check TXT {name}: {error}")
                    }
                    None => format!("{address}: not checked"),
                }
            } else if skipped.contains(host) {
                format!("{address}: not checked (more than {MAX_REPORT_DOMAINS} report domains)")
            } else {
                format!("{address}: not checked")
            };
            let size = uri
                .max_size
                .as_ref()
                .map(|s| format!(" (size limit {s})"))
                .unwrap_or_default();
            report_lines.push((kind.into(), format!("{line}{size}")));
        }
    }

    let worst = problems.iter().map(|p| p.status).max_by_key(|s| match s {
        Status::Fail => 2,
        Status::Warn => 1,
        _ => 0,
    });
    let status = match worst {
        Some(status) => status,
        None if !undecided.is_empty() => Status::Error,
        None => Status::Pass,
    };
    let from = if inherited {
        format!(" (inherited from {policy_domain})")
    } else {
        String::new()
    };
    let summary = match status {
        Status::Pass | Status::Skipped => match effective {
            Policy::Reject => {
                format!("Your domain tells receivers to refuse mail that fakes your address (DMARC reject){from}.")
            }
            Policy::Quarantine => {
                format!(
                    "Your domain tells receivers to send mail that fakes your address to spam (DMARC quarantine){from}."
                )
            }
            Policy::None => format!(
                "Your DMARC record only monitors (p=none){from}, which this product accepts while testing; tighten it to quarantine \
                 once reports show all your mail passes."
            ),
        },
        Status::Error => format!(
            "Your DMARC policy is {}, but it could not be checked {}{}.",
            effective.as_str(),
            undecided.first().map_or("", String::as_str),
            match undecided.len() {
                0 | 1 => String::new(),
                n => format!(" ({} more lookups failed)", n - 1),
            }
        ),
        Status::Warn | Status::Fail => {
            let mut ranked: Vec<&Problem> = problems.iter().collect();
            ranked.sort_by_key(|p| p.status != Status::Fail);
            let first = ranked.first().map_or(String::new(), |p| p.text.clone());
            let first = if inherited {
                format!("{first} (Inherited from {policy_domain}.)")
            } else {
                first
            };
            match problems.len() {
                0 | 1 => first,
                2 => format!("{first} One more issue below."),
                n => format!("{first} {} more issues below.", n - 1),
            }
        }
    };

    let mut result =
        ProbeResult::new(ID, status, TITLE, summary).evidence(format!("TXT _dmarc.{policy_domain}"), record);
    if inherited {
        result = result.evidence(
            "Inherited",
            format!(
                "no DMARC record at _dmarc.{domain}; the record of the organisational domain {policy_domain} applies{}",
                if dmarc.subdomain_policy.is_some() {
                    ", with its sp= policy for subdomains"
                } else {
                    ""
                }
            ),
        );
    }
    let subdomain = dmarc
        .subdomain_policy
        .map_or_else(|| "same as p".to_string(), |p| p.as_str().to_string());
    result = result.evidence(
        "Policy",
        format!(
            "p={} ({}); sp={}; pct={}{}",
            dmarc.policy.as_str(),
            dmarc.policy.meaning(),
            subdomain,
            dmarc.percent(),
            if inherited {
                format!("; applies to {domain} as {}", effective.as_str())
            } else {
                String::new()
            }
        ),
    );
    let default = |set: Option<Alignment>| if set.is_none() { " (default)" } else { "" };
    result = result.evidence(
        "Alignment",
        format!(
            "DKIM {}{}, SPF {}{}",
            dmarc.dkim_alignment().as_str(),
            default(dmarc.adkim),
            dmarc.spf_alignment().as_str(),
            default(dmarc.aspf)
        ),
    );
    for (label, line) in report_lines {
        result = result.evidence(label, line);
    }
    if !dmarc.failure_options.is_empty() || dmarc.interval.is_some() {
        result = result.evidence(
            "Reporting options",
            format!(
                "fo={}; ri={}",
                if dmarc.failure_options.is_empty() {
                    "0".to_string()
                } else {
                    dmarc.failure_options.join(":")
                },
                dmarc.interval.unwrap_or(86_400)
            ),
        );
    }
    for problem in &problems {
        result = result.evidence("Problem", problem.text.clone());
    }
    for note in notes {
        result = result.evidence("Note", note);
    }
    if status == Status::Warn || status == Status::Fail {
        let mut fix = fixes;
        if suggest {
            fix.insert(
                0,
                format!(
                    "Once your reports show every service sending as {domain} passes SPF or DKIM, change the record at _dmarc.{policy_domain} \
                     to:\n  {}\nQuarantine sends failing mail to spam; move to reject when nothing legitimate fails. Relaxed alignment (the \
                     default) is used on purpose: strict SPF alignment breaks mail sent through providers that use their own bounce address.",
                    suggested_record(Some(dmarc), policy_domain, minimum)
                ),
            );
        }
        if !fix.is_empty() {
            result = result.fix(fix.join("\n"));
        }
    }
    result
}

/// A record to publish, built from what was found: the same report addresses, a policy of at least
/// quarantine (reject when the vertical asks for it or the record already had it), no `pct`, and
/// relaxed alignment (the default, so `adkim`/`aspf` are left out).
fn suggested_record(found: Option<&Dmarc>, domain: &str, minimum: Option<Policy>) -> String {
    let mut policy = Policy::Quarantine;
    if minimum == Some(Policy::Reject) || found.is_some_and(|d| d.policy == Policy::Reject) {
        policy = Policy::Reject;
    }
    let mut record = format!("v=DMARC1; p={}", policy.as_str());
    if let Some(sp) = found.and_then(|d| d.subdomain_policy).filter(|sp| *sp > policy) {
        let _ = write!(record, "; sp={}", sp.as_str());
    }
    let uris = |list: &[ReportUri]| {
        list.iter()
            .map(|u| match &u.max_size {
                Some(size) => format!("{}!{size}", u.uri),
                None => u.uri.clone(),
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    match found {
        Some(d) if !d.rua.is_empty() => {
            let _ = write!(record, "; rua={}", uris(&d.rua));
        }
        _ => {
            let _ = write!(record, "; rua=mailto:dmarc-reports@{domain}");
        }
    }
    if let Some(d) = found.filter(|d| !d.ruf.is_empty()) {
        let _ = write!(record, "; ruf={}", uris(&d.ruf));
        if !d.failure_options.is_empty() {
            let _ = write!(record, "; fo={}", d.failure_options.join(":"));
        }
    }
    record
}

/// The usable `rua=` addresses of a record too broken to parse, bare addresses given their
/// missing `mailto:`.
fn salvage_rua(record: &str) -> Vec<ReportUri> {
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
    use std::time::Duration;

    use super::*;
    use crate::probe::dns::TxtZone as Zone;
    use crate::probe::{evidence, garbled};

    fn error_at(record: &str) -> SyntaxError {
        parse(record).expect_err(record)
    }

    #[test]
    fn minimal_record_uses_defaults() {
        let d = parse("v=DMARC1; p=reject").unwrap();
        assert_eq!(d.policy, Policy::Reject);
        assert_eq!(d.percent(), 100);
        assert_eq!(d.dkim_alignment(), Alignment::Relaxed);
        assert_eq!(d.spf_alignment(), Alignment::Relaxed);
        assert!(d.rua.is_empty());
        assert!(d.notes.is_empty(), "{:?}", d.notes);
    }

    #[test]
    fn whitespace_and_case_are_tolerated_where_the_rfc_allows() {
        let d = parse("  v = DMARC1 ;\tP = Quarantine ; SP=REJECT; ADKIM=S;aspf = r ;  pct = 50 ; ").unwrap();
        assert_eq!(d.policy, Policy::Quarantine);
        assert_eq!(d.subdomain_policy, Some(Policy::Reject));
        assert_eq!(d.adkim, Some(Alignment::Strict));
        assert_eq!(d.aspf, Some(Alignment::Relaxed));
        assert_eq!(d.percent(), 50);
        // Empty segments and a trailing separator are accepted.
        assert!(parse("v=DMARC1;; p=none;").is_ok());
    }

    #[test]
    fn version_must_be_first_and_exact() {
        let e = error_at("p=reject; v=DMARC1");
        assert_eq!(e.position, 0);
        assert!(e.message.contains("must start with v=DMARC1"), "{e}");
        let e = error_at("v=dmarc1; p=reject");
        assert_eq!(e.position, 2);
        assert!(e.message.contains("capitals"), "{e}");
        let e = error_at("v=DMARC2; p=reject");
        assert!(e.message.contains("DMARC2"), "{e}");
        let e = error_at("v=DMARC1 p=reject");
        assert!(e.message.contains("\";\" is missing"), "{e}");
        assert_eq!(error_at("").message, "the record is empty");
    }

    #[test]
    fn policy_is_required_and_checked() {
        let e = error_at("v=DMARC1; rua=mailto:a@example.com");
        assert!(e.message.contains("p= tag"), "{e}");
        assert_eq!(e.position, "v=DMARC1; rua=mailto:a@example.com".len());
        let e = error_at("v=DMARC1; p=rejct");
        assert_eq!(e.position, 12);
        assert!(e.message.contains("rejct"), "{e}");
        let e = error_at("v=DMARC1; p=none; sp=all");
        assert_eq!(e.position, 21);
    }

    #[test]
    fn a_missing_semicolon_is_pointed_at() {
        let e = error_at("v=DMARC1; p=reject rua=mailto:a@example.com");
        assert_eq!(e.position, 19);
        assert!(e.message.contains("after p="), "{e}");
    }

    #[test]
    fn pct_bounds() {
        assert_eq!(parse("v=DMARC1; p=reject; pct=0").unwrap().percent(), 0);
        assert_eq!(parse("v=DMARC1; p=reject; pct=100").unwrap().percent(), 100);
        assert_eq!(parse("v=DMARC1; p=reject; pct=007").unwrap().percent(), 7);
        for bad in ["101", "-1", "1000", "", "50%", "5 0", "+5"] {
            let record = format!("v=DMARC1; p=reject; pct={bad}");
            let e = error_at(&record);
            assert_eq!(e.position, 24, "{record}: {e}");
        }
    }

    #[test]
    fn fo_is_a_colon_separated_list() {
        let d = parse("v=DMARC1; p=none; fo=0:1 : D:s").unwrap();
        assert_eq!(d.failure_options, ["0", "1", "d", "s"]);
        let e = error_at("v=DMARC1; p=none; fo=0:x");
        assert_eq!(e.position, 23);
        let e = error_at("v=DMARC1; p=none; fo=1,d");
        assert!(e.message.contains("fo="), "{e}");
        assert!(parse("v=DMARC1; p=none; fo=0::1").is_err());
    }

    #[test]
    fn ri_and_rf() {
        let d = parse("v=DMARC1; p=none; ri=3600; rf=afrf").unwrap();
        assert_eq!(d.interval, Some(3600));
        assert_eq!(d.report_formats, ["afrf"]);
        assert!(parse("v=DMARC1; p=none; ri=1h").is_err());
        assert!(parse("v=DMARC1; p=none; ri=99999999999999999999999").is_err());
        let d = parse("v=DMARC1; p=none; rf=iodef").unwrap();
        assert!(d.notes.iter().any(|n| n.contains("iodef")));
    }

    #[test]
    fn multiple_rua_with_sizes_and_spaces() {
        let d = parse("v=DMARC1; p=reject; rua=mailto:a@example.com!10m , MAILTO:Reports@Vendor.Example.NET").unwrap();
        assert_eq!(d.rua.len(), 2);
        assert_eq!(d.rua[0].address.as_deref(), Some("a@example.com"));
        assert_eq!(d.rua[0].max_size.as_deref(), Some("10m"));
        assert_eq!(d.rua[1].domain.as_deref(), Some("vendor.example.net"));
        assert_eq!(d.rua[1].address.as_deref(), Some("Reports@Vendor.Example.NET"));
    }

    #[test]
    fn bad_mailto_addresses() {
        let e = error_at("v=DMARC1; p=none; rua=dmarc@example.com");
        assert!(e.message.contains("write it as mailto:dmarc@example.com"), "{e}");
        assert_eq!(e.position, 22);
        let e = error_at("v=DMARC1; p=none; rua=mailto:dmarc.example.com");
        assert!(e.message.contains("no @"), "{e}");
        let e = error_at("v=DMARC1; p=none; rua=mailto:a@b@-bad-.com");
        assert_eq!(e.position, 33);
        let e = error_at("v=DMARC1; p=none; rua=mailto:a@example.com,");
        assert!(e.message.contains("empty"), "{e}");
        let e = error_at("v=DMARC1; p=none; rua=mailto:a@example.com!big");
        assert!(e.message.contains("size limit"), "{e}");
        assert!(parse("v=DMARC1; p=none; rua=mailto:@example.com").is_err());
        assert!(parse("v=DMARC1; p=none; rua=mailto:a@localhost").is_err());
        // Other URI schemes are valid syntax but receive nothing.
        let d = parse("v=DMARC1; p=none; rua=https://example.com/r").unwrap();
        assert!(d.rua[0].address.is_none());
        assert!(d.notes.iter().any(|n| n.contains("mailto")));
    }

    #[test]
    fn duplicates_and_unknown_tags() {
        let e = error_at("v=DMARC1; p=none; P=reject");
        assert_eq!(e.position, 18);
        assert!(e.message.contains("twice"), "{e}");
        let d = parse("v=DMARC1; p=none; foo=bar; np=reject").unwrap();
        assert!(d.notes.iter().any(|n| n.contains("foo=")));
        assert!(d.notes.iter().any(|n| n.contains("np=") && n.contains("DMARCbis")));
        let e = error_at("v=DMARC1; p=none; 9x=1");
        assert!(e.message.contains("tag name"), "{e}");
        let e = error_at("v=DMARC1; p=none; junk");
        assert!(e.message.contains("tag=value"), "{e}");
    }

    #[test]
    fn positions_are_characters_not_bytes() {
        let e = error_at("v=DMARC1; n=é; p=nöne");
        assert_eq!(e.position, 17);
    }

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

    #[tokio::test]
    async fn reject_passes() {
        let zone = Zone::default().with(
            "_dmarc.example.com",
            &["v=DMARC1; p=reject; rua=mailto:dmarc@example.com"],
        );
        let r = check("Example.COM.", &zone, None).await;
        assert_eq!(r.status, Status::Pass, "{r:?}");
        assert_eq!(r.id, "email.dmarc");
        assert!(r.summary.contains("refuse"), "{}", r.summary);
        assert_eq!(
            evidence(&r, "TXT _dmarc.example.com"),
            ["v=DMARC1; p=reject; rua=mailto:dmarc@example.com"]
        );
        assert!(evidence(&r, "Aggregate reports (rua)")[0].contains("your own domain"));
        assert!(r.fix.is_none());
    }

    #[tokio::test]
    async fn p_none_warns_with_a_suggested_record() {
        let zone = Zone::default().with(
            "_dmarc.example.com",
            &["v=DMARC1; p=none; rua=mailto:dmarc@example.com; aspf=s"],
        );
        let r = check("example.com", &zone, None).await;
        assert_eq!(r.status, Status::Warn);
        assert!(r.summary.contains("only monitors"), "{}", r.summary);
        assert!(evidence(&r, "Alignment")[0].contains("SPF strict"));
        let fix = r.fix.unwrap();
        assert!(
            fix.contains("v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com"),
            "{fix}"
        );
        assert!(!fix.contains("aspf"), "the suggestion uses relaxed alignment: {fix}");
    }

    #[tokio::test]
    async fn min_policy_none_accepts_monitor_only_and_reject_demands_more() {
        let zone = Zone::default().with("_dmarc.example.com", &["v=DMARC1; p=none"]);
        let r = check("example.com", &zone, Some("none")).await;
        assert_eq!(r.status, Status::Pass);
        assert!(r.summary.contains("tighten"), "{}", r.summary);

        let zone = Zone::default().with("_dmarc.example.com", &["v=DMARC1; p=quarantine"]);
        assert_eq!(check("example.com", &zone, None).await.status, Status::Pass);
        assert_eq!(
            check("example.com", &zone, Some("quarantine")).await.status,
            Status::Pass
        );
        let r = check("example.com", &zone, Some("reject")).await;
        assert_eq!(r.status, Status::Warn);
        assert!(r.summary.contains("asks for reject"), "{}", r.summary);
    }

    #[tokio::test]
    async fn partial_pct_warns() {
        let zone = Zone::default().with("_dmarc.example.com", &["v=DMARC1; p=reject; pct=20"]);
        let r = check("example.com", &zone, None).await;
        assert_eq!(r.status, Status::Warn);
        assert!(r.summary.contains("20%"), "{}", r.summary);
        assert!(r.fix.unwrap().contains("p=reject;"), "an existing reject is kept");
    }

    #[tokio::test]
    async fn missing_record_fails() {
        let zone = Zone::default().with("_dmarc.example.com", &["google-site-verification=abc"]);
        let r = check("example.com", &zone, None).await;
        assert_eq!(r.status, Status::Fail);
        assert!(r.summary.contains("no DMARC record"), "{}", r.summary);
        assert_eq!(evidence(&r, "Ignored TXT _dmarc.example.com").len(), 1);
        assert!(
            r.fix
                .unwrap()
                .contains("v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@example.com")
        );
    }

    #[tokio::test]
    async fn two_records_fail() {
        let zone = Zone::default().with(
            "_dmarc.example.com",
            &["v=DMARC1; p=none; rua=mailto:d@example.com", "v=DMARC1; p=reject"],
        );
        let r = check("example.com", &zone, None).await;
        assert_eq!(r.status, Status::Fail);
        assert!(r.summary.contains("2 DMARC records"), "{}", r.summary);
        assert_eq!(evidence(&r, "TXT _dmarc.example.com").len(), 2);
        let fix = r.fix.unwrap();
        assert!(
            fix.contains("v=DMARC1; p=reject; rua=mailto:d@example.com"),
            "merged: {fix}"
        );
    }

    #[tokio::test]
    async fn a_bare_report_address_gets_its_mailto_in_the_fix() {
        let zone = Zone::default().with(
            "_dmarc.example.com",
            &["v=DMARC1; p=quarantine; rua=dmarc@example.com, junk"],
        );
        let r = check("example.com", &zone, Some("reject")).await;
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.summary.contains("write it as mailto:dmarc@example.com"),
            "{}",
            r.summary
        );
        let fix = r.fix.unwrap();
        assert!(
            fix.ends_with("\n  v=DMARC1; p=reject; rua=mailto:dmarc@example.com"),
            "{fix}"
        );
    }

    #[tokio::test]
    async fn malformed_record_fails_with_the_position() {
        let zone = Zone::default().with("_dmarc.example.com", &["v=DMARC1; p=rejct; rua=mailto:d@example.com"]);
        let r = check("example.com", &zone, None).await;
        assert_eq!(r.status, Status::Fail);
        assert!(r.summary.contains("rejct"), "{}", r.summary);
        assert!(evidence(&r, "Syntax error")[0].contains("at character 13"));
        let record = evidence(&r, "TXT _dmarc.example.com")[0];
        assert!(record.ends_with("\n            ^"), "{record:?}");
        assert!(
            r.fix.unwrap().contains("rua=mailto:d@example.com"),
            "the report address is kept"
        );
    }

    #[tokio::test]
    async fn subdomain_inherits_from_the_organisational_domain() {
        let zone = Zone::default().with("_dmarc.example.co.uk", &["v=DMARC1; p=reject; sp=none"]);
        let r = check("mail.example.co.uk", &zone, None).await;
        assert_eq!(r.status, Status::Warn, "sp=none applies to the subdomain: {r:?}");
        assert!(r.summary.contains("sp=none"), "{}", r.summary);
        assert!(r.summary.contains("Inherited from example.co.uk"), "{}", r.summary);
        assert!(evidence(&r, "Inherited")[0].contains("_dmarc.mail.example.co.uk"));

        let zone = Zone::default().with("_dmarc.example.co.uk", &["v=DMARC1; p=reject"]);
        let r = check("mail.example.co.uk", &zone, None).await;
        assert_eq!(r.status, Status::Pass);
        assert!(r.summary.contains("inherited from example.co.uk"), "{}", r.summary);
    }

    #[tokio::test]
    async fn missing_everywhere_names_both_places() {
        let r = check("mail.example.com", &Zone::default(), None).await;
        assert_eq!(r.status, Status::Fail);
        assert!(evidence(&r, "Searched")[0].contains("_dmarc.mail.example.com and _dmarc.example.com"));
    }

    #[tokio::test]
    async fn external_report_address_needs_authorisation() {
        let record =
            "v=DMARC1; p=reject; rua=mailto:agg@reports.vendor.net,mailto:me@example.com; ruf=mailto:f@other.org";
        let zone = Zone::default()
            .with("_dmarc.example.com", &[record])
            .with("example.com._report._dmarc.reports.vendor.net", &["v=DMARC1"]);
        let r = check("example.com", &zone, None).await;
        assert_eq!(r.status, Status::Warn, "{r:?}");
        assert!(
            r.summary.contains("Reports to f@other.org will be dropped"),
            "{}",
            r.summary
        );
        let rua = evidence(&r, "Aggregate reports (rua)");
        assert!(
            rua[0].contains("authorised by TXT example.com._report._dmarc.reports.vendor.net"),
            "{rua:?}"
        );
        assert!(rua[1].contains("your own domain"));
        assert!(r.fix.unwrap().contains("example.com._report._dmarc.other.org"));

        let zone = zone.with("example.com._report._dmarc.other.org", &["v=DMARC1;"]);
        assert_eq!(check("example.com", &zone, None).await.status, Status::Pass);
    }

    #[tokio::test]
    async fn same_organisation_report_address_needs_no_authorisation() {
        let zone = Zone::default().with(
            "_dmarc.example.com",
            &["v=DMARC1; p=reject; rua=mailto:d@reports.example.com"],
        );
        assert_eq!(check("example.com", &zone, None).await.status, Status::Pass);
    }

    #[tokio::test]
    async fn dns_failures_are_errors_not_verdicts() {
        let zone = Zone::default().failing("_dmarc.example.com", DnsError::Timeout);
        let r = check("example.com", &zone, None).await;
        assert_eq!(r.status, Status::Error);
        assert!(r.summary.contains("did not answer in time"), "{}", r.summary);

        let zone = Zone::default().failing("_dmarc.example.com", DnsError::ServFail);
        assert_eq!(check("example.com", &zone, None).await.status, Status::Error);

        let zone = Zone::default().failing("_dmarc.example.com", DnsError::Refused);
        assert_eq!(
            check("sub.example.com", &zone, None).await.status,
            Status::Error,
            "fallback lookup failed"
        );

        // An authorisation lookup that fails leaves a passing policy undecided...
        let zone = Zone::default()
            .with("_dmarc.example.com", &["v=DMARC1; p=reject; rua=mailto:a@vendor.net"])
            .failing("example.com._report._dmarc.vendor.net", DnsError::Timeout);
        let r = check("example.com", &zone, None).await;
        assert_eq!(r.status, Status::Error);
        assert!(evidence(&r, "Aggregate reports (rua)")[0].contains("could not check"));
        assert_eq!(
            r.summary,
            "Your DMARC policy is reject, but it could not be checked whether vendor.net accepts your reports: \
             the DNS server did not answer in time."
        );
        // ...but cannot hide a warning that stands anyway.
        let zone = Zone::default()
            .with("_dmarc.example.com", &["v=DMARC1; p=none; rua=mailto:a@vendor.net"])
            .failing("example.com._report._dmarc.vendor.net", DnsError::Timeout);
        assert_eq!(check("example.com", &zone, None).await.status, Status::Warn);
    }

    #[tokio::test]
    async fn authorisation_queries_run_together() {
        let record = "v=DMARC1; p=reject; rua=mailto:a@one.net,mailto:b@two.net,mailto:c@three.net,mailto:d@four.net";
        let mut zone = Zone::default().with("_dmarc.example.com", &[record]);
        for host in ["one.net", "two.net", "three.net", "four.net"] {
            zone = zone.with(&format!("example.com._report._dmarc.{host}"), &["v=DMARC1"]);
        }
        zone.delay = Some(Duration::from_millis(150));
        let started = std::time::Instant::now();
        let r = check("example.com", &zone, None).await;
        assert_eq!(r.status, Status::Pass, "{r:?}");
        // One lookup for the record, then four in parallel: about 300 ms, not 750.
        assert!(
            started.elapsed() < Duration::from_millis(600),
            "{:?}",
            started.elapsed()
        );
    }
}
