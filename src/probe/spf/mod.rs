//! SPF (RFC 7208) as a linter: [`parse`] reads a record into its terms and modifiers and reports
//! the first syntax error with its position; [`check`] fetches a domain's record, follows
//! `include` and `redirect`, counts DNS lookups and void lookups across the whole tree and judges
//! the ending, producing the `email.spf` check.
//!
//! Decisions worth knowing:
//! - Counting is a linter's worst case: every DNS-querying term of every record reached counts,
//!   as the popular checkers do, except terms a receiver can never reach (mechanisms after `all`,
//!   and `redirect` in a record that has `all`, which RFC 7208 §6.1 says to ignore); those are
//!   shown in the tree as ignored.
//! - Domain-specs with macros depend on each message: counted, not followed, said in the tree.
//! - `a`, `mx` and `exists` targets are looked up so void lookups can be counted; `ptr` is not
//!   (it depends on the sender's address). The MX hosts' own addresses are not looked up.
//! - A lookup that fails (timeout, SERVFAIL, …) makes the result `error`, unless a `fail` is
//!   already certain from real answers (every `fail` this check reports rests on answers that
//!   were received, and a failed lookup can only add lookups, never remove them).
//! - The macro letters `c`, `r` and `t` are refused in domain-specs (RFC 7208 §7.1 allows them
//!   only in explanation text); a literal `/` inside a domain name is refused as a misplaced
//!   prefix length, though the ABNF alone would accept it.
//! - A domain that does not exist at all is an `error` ("does not exist"), like every email check
//!   of such a domain, not an SPF verdict.
//! - Work is bounded: 10 levels of includes, 40 queries, 64 records, 200 tree lines. The
//!   includes of one level are looked up concurrently.

use std::collections::{HashMap, HashSet};
use std::net::{Ipv4Addr, Ipv6Addr};

use futures_util::future::join_all;

use super::dns::{Answer, DnsError, Lookup, Resolve, normalise};
use super::{ProbeResult, Status, SyntaxError, shorten};

const ID: &str = "email.spf";
const TITLE: &str = "SPF record";
/// DNS-querying terms a receiver evaluates before giving up (RFC 7208 §4.6.4).
pub const LOOKUP_LIMIT: usize = 10;
/// Lookups that may find nothing (NXDOMAIN or no records) before a receiver gives up.
pub const VOID_LIMIT: usize = 2;
/// Names an `mx` term may return before a receiver gives up.
const MX_LIMIT: usize = 10;
const MAX_DEPTH: usize = 10;
const MAX_QUERIES: usize = 40;
const MAX_RECORDS: usize = 64;
const MAX_TREE_LINES: usize = 200;
const MECHANISMS: [&str; 8] = ["all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"];

// ---- the record model ---------------------------------------------------------------------

/// What a mechanism yields when it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Qualifier {
    /// `+` (also the default when no qualifier is written)
    Pass,
    /// `-`
    Fail,
    /// `~`
    SoftFail,
    /// `?`
    Neutral,
}

impl Qualifier {
    pub fn symbol(self) -> char {
        match self {
            Qualifier::Pass => '+',
            Qualifier::Fail => '-',
            Qualifier::SoftFail => '~',
            Qualifier::Neutral => '?',
        }
    }

    fn from_char(c: char) -> Option<Qualifier> {
        match c {
            '+' => Some(Qualifier::Pass),
            '-' => Some(Qualifier::Fail),
            '~' => Some(Qualifier::SoftFail),
            '?' => Some(Qualifier::Neutral),
            _ => None,
        }
    }
}

/// One mechanism with its arguments, as written (domain-specs keep their case and macros).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mechanism {
    All,
    Include {
        domain: String,
    },
    A {
        domain: Option<String>,
        cidr4: Option<u8>,
        cidr6: Option<u8>,
    },
    Mx {
        domain: Option<String>,
        cidr4: Option<u8>,
        cidr6: Option<u8>,
    },
    Ptr {
        domain: Option<String>,
    },
    Ip4 {
        addr: Ipv4Addr,
        prefix: Option<u8>,
    },
    Ip6 {
        addr: Ipv6Addr,
        prefix: Option<u8>,
    },
    Exists {
        domain: String,
    },
}

impl Mechanism {
    pub fn name(&self) -> &'static str {
        match self {
            Mechanism::All => "all",
            Mechanism::Include { .. } => "include",
            Mechanism::A { .. } => "a",
            Mechanism::Mx { .. } => "mx",
            Mechanism::Ptr { .. } => "ptr",
            Mechanism::Ip4 { .. } => "ip4",
            Mechanism::Ip6 { .. } => "ip6",
            Mechanism::Exists { .. } => "exists",
        }
    }

    /// The domain-spec written after the colon, if any.
    pub fn domain_spec(&self) -> Option<&str> {
        match self {
            Mechanism::Include { domain } | Mechanism::Exists { domain } => Some(domain),
            Mechanism::A { domain, .. } | Mechanism::Mx { domain, .. } | Mechanism::Ptr { domain } => domain.as_deref(),
            Mechanism::All | Mechanism::Ip4 { .. } | Mechanism::Ip6 { .. } => None,
        }
    }

    /// Whether evaluating this mechanism costs a DNS lookup (counted against the limit of 10).
    pub fn queries_dns(&self) -> bool {
        matches!(
            self,
            Mechanism::Include { .. }
                | Mechanism::A { .. }
                | Mechanism::Mx { .. }
                | Mechanism::Ptr { .. }
                | Mechanism::Exists { .. }
        )
    }
}

/// A directive: an optional qualifier and a mechanism.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub qualifier: Qualifier,
    pub mechanism: Mechanism,
    /// The term as written.
    pub text: String,
    /// Character offset of the term in the record, 0-based.
    pub position: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModifierKind {
    Redirect,
    Exp,
    /// Any other `name=value`: allowed and ignored by receivers.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Modifier {
    pub kind: ModifierKind,
    /// The name as written.
    pub name: String,
    /// The domain-spec (`redirect`, `exp`) or macro-string after `=`.
    pub value: String,
    pub text: String,
    pub position: usize,
}

/// A parsed SPF record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Record {
    pub terms: Vec<Term>,
    pub modifiers: Vec<Modifier>,
}

impl Record {
    /// The qualifier of the first `all`, which ends evaluation.
    pub fn all(&self) -> Option<Qualifier> {
        self.terms
            .iter()
            .find(|t| t.mechanism == Mechanism::All)
            .map(|t| t.qualifier)
    }

    pub fn redirect(&self) -> Option<&Modifier> {
        self.modifiers.iter().find(|m| m.kind == ModifierKind::Redirect)
    }

    pub fn exp(&self) -> Option<&Modifier> {
        self.modifiers.iter().find(|m| m.kind == ModifierKind::Exp)
    }
}

// ---- the parser ---------------------------------------------------------------------------

/// Parses one SPF record (the TXT text, multi-string records already joined).
pub fn parse(record: &str) -> Result<Record, SyntaxError> {
    let fail = |position: usize, message: String| Err(SyntaxError { position, message });
    if !record.get(..6).is_some_and(|v| v.eq_ignore_ascii_case("v=spf1")) {
        let first = record.split(' ').next().unwrap_or("");
        return fail(0, format!("`{}`: an SPF record must begin with v=spf1", clip(first)));
    }
    let rest = record.get(6..).unwrap_or("");
    match rest.chars().next() {
        None | Some(' ') => {}
        Some('\t') => {
            return fail(0, "v=spf1 must be followed by a space, not a tab".to_string());
        }
        Some(_) => {
            let first = record.split(' ').next().unwrap_or("");
            return fail(
                0,
                format!("`{}`: the record must begin with v=spf1 and a space", clip(first)),
            );
        }
    }
    let mut parsed = Record::default();
    for (position, token) in tokens(rest, 6) {
        let term = parse_term(token).map_err(|why| SyntaxError {
            position,
            message: format!("`{}`: {why}", clip(token)),
        })?;
        match term {
            Parsed::Term(qualifier, mechanism) => parsed.terms.push(Term {
                qualifier,
                mechanism,
                text: token.to_string(),
                position,
            }),
            Parsed::Modifier(kind, name, value) => {
                if kind != ModifierKind::Unknown && parsed.modifiers.iter().any(|m| m.kind == kind) {
                    let name = if kind == ModifierKind::Redirect {
                        "redirect"
                    } else {
                        "exp"
                    };
                    return fail(
                        position,
                        format!("`{}`: a record may contain {name}= only once", clip(token)),
                    );
                }
                parsed.modifiers.push(Modifier {
                    kind,
                    name,
                    value,
                    text: token.to_string(),
                    position,
                });
            }
        }
    }
    Ok(parsed)
}

/// The space-separated tokens of `s` with their character offsets (`base` added).
fn tokens(s: &str, base: usize) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start: Option<(usize, usize)> = None;
    for (index, (byte, c)) in s.char_indices().enumerate() {
        if c == ' ' {
            if let Some((b, p)) = start.take() {
                out.push((p, s.get(b..byte).unwrap_or("")));
            }
        } else if start.is_none() {
            start = Some((byte, base + index));
        }
    }
    if let Some((b, p)) = start {
        out.push((p, s.get(b..).unwrap_or("")));
    }
    out
}

/// A token's first characters, for messages about very long tokens.
fn clip(s: &str) -> String {
    shorten(s, 80)
}

enum Parsed {
    Term(Qualifier, Mechanism),
    Modifier(ModifierKind, String, String),
}

/// Parses one term; the error is the explanation without the term itself.
fn parse_term(token: &str) -> Result<Parsed, String> {
    if let Some(c) = token.chars().find(|c| !(' '..='~').contains(c)) {
        return Err(match c {
            '\t' => "contains a tab; only spaces may separate terms".to_string(),
            c if c.is_control() => "contains a control character".to_string(),
            c => format!("contains `{c}`; an SPF record may hold only plain ASCII letters, digits and symbols"),
        });
    }
    let first = token.chars().next().unwrap_or(' ');
    let (qualifier, explicit, body) = match Qualifier::from_char(first) {
        Some(q) => (q, true, token.get(1..).unwrap_or("")),
        None => (Qualifier::Pass, false, token),
    };
    let name_end = body.find([':', '/', '=']).unwrap_or(body.len());
    let name = body.get(..name_end).unwrap_or("");
    let after = body.get(name_end..).unwrap_or("");
    if let Some(value) = after.strip_prefix('=') {
        if explicit {
            return Err(format!(
                "a modifier (name=value) cannot start with a qualifier such as `{first}`"
            ));
        }
        return parse_modifier(name, value);
    }
    let lname = name.to_ascii_lowercase();
    let mechanism = match lname.as_str() {
        "all" if after.is_empty() => Mechanism::All,
        "all" => return Err("all takes nothing after it (no domain, no prefix length)".to_string()),
        "include" => Mechanism::Include {
            domain: required_domain(after, "include")?,
        },
        "exists" => Mechanism::Exists {
            domain: required_domain(after, "exists")?,
        },
        "ptr" => Mechanism::Ptr {
            domain: optional_domain(after, "ptr")?,
        },
        "a" => {
            let (domain, cidr4, cidr6) = parse_a_mx(after, "a")?;
            Mechanism::A { domain, cidr4, cidr6 }
        }
        "mx" => {
            let (domain, cidr4, cidr6) = parse_a_mx(after, "mx")?;
            Mechanism::Mx { domain, cidr4, cidr6 }
        }
        "ip4" => {
            let (address, prefix) = ip_argument(after, "ip4", "192.0.2.0/24")?;
            let addr = address.parse::<Ipv4Addr>().map_err(|_| {
                if address.parse::<Ipv6Addr>().is_ok() {
                    format!("`{address}` is an IPv6 address; write it as ip6:{address}")
                } else {
                    format!("`{address}` is not a valid IPv4 address (four numbers from 0 to 255, like 192.0.2.1)")
                }
            })?;
            Mechanism::Ip4 {
                addr,
                prefix: ip_prefix(prefix, 32, "IPv4")?,
            }
        }
        "ip6" => {
            let (address, prefix) = ip_argument(after, "ip6", "2001:db8::/32")?;
            let addr = address.parse::<Ipv6Addr>().map_err(|_| {
                if address.parse::<Ipv4Addr>().is_ok() {
                    format!("`{address}` is an IPv4 address; write it as ip4:{address}")
                } else {
                    format!("`{address}` is not a valid IPv6 address")
                }
            })?;
            Mechanism::Ip6 {
                addr,
                prefix: ip_prefix(prefix, 128, "IPv6")?,
            }
        }
        "" if explicit => {
            return Err("a qualifier must be followed by a mechanism, like -all".to_string());
        }
        "" => return Err("the mechanism name is missing".to_string()),
        _ => return Err(unknown_mechanism(name)),
    };
    Ok(Parsed::Term(qualifier, mechanism))
}

fn unknown_mechanism(name: &str) -> String {
    let mut chars = name.chars();
    let first = chars.next().unwrap_or(' ');
    let rest = chars.as_str().to_ascii_lowercase();
    if !first.is_ascii_alphanumeric() && MECHANISMS.contains(&rest.trim_start_matches(['+', '-', '~', '?'])) {
        return if Qualifier::from_char(first).is_some() {
            "a term may have only one qualifier".to_string()
        } else {
            format!("`{first}` is not a qualifier; use + (pass), - (fail), ~ (soft fail) or ? (neutral)")
        };
    }
    match name.to_ascii_lowercase().as_str() {
        m @ ("redirect" | "exp") => {
            format!("{m} is a modifier and is written with =, like {m}=_spf.example.com")
        }
        "ip" => "write ip4: for an IPv4 address or ip6: for an IPv6 address".to_string(),
        _ => format!(
            "`{}` is not an SPF mechanism (the mechanisms are all, include, a, mx, ptr, ip4, ip6 and exists)",
            clip(name)
        ),
    }
}

fn parse_modifier(name: &str, value: &str) -> Result<Parsed, String> {
    let mut chars = name.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !valid {
        return Err(if name.is_empty() {
            "the modifier name before = is missing".to_string()
        } else {
            format!(
                "`{}` is not a valid modifier name (it must start with a letter and hold only letters, \
                 digits, -, _ and .)",
                clip(name)
            )
        });
    }
    let kind = match name.to_ascii_lowercase().as_str() {
        "redirect" => ModifierKind::Redirect,
        "exp" => ModifierKind::Exp,
        _ => ModifierKind::Unknown,
    };
    match kind {
        ModifierKind::Redirect | ModifierKind::Exp => {
            let what = if kind == ModifierKind::Redirect {
                "redirect"
            } else {
                "exp"
            };
            if value.is_empty() {
                return Err(format!("{what}= needs a domain name, like {what}=_spf.example.com"));
            }
            check_domain_spec(value, what)?;
        }
        ModifierKind::Unknown => {
            scan_macros(value, true)?;
        }
    }
    Ok(Parsed::Modifier(kind, name.to_string(), value.to_string()))
}

fn required_domain(after: &str, mechanism: &str) -> Result<String, String> {
    match after.strip_prefix(':') {
        Some(spec) => {
            check_domain_spec(spec, mechanism)?;
            Ok(spec.to_string())
        }
        None if after.is_empty() => Err(format!(
            "{mechanism} needs a domain name, like {mechanism}:_spf.example.com"
        )),
        None => Err(format!(
            "{mechanism} takes a domain name after a colon, like {mechanism}:_spf.example.com"
        )),
    }
}

fn optional_domain(after: &str, mechanism: &str) -> Result<Option<String>, String> {
    if after.is_empty() {
        return Ok(None);
    }
    match after.strip_prefix(':') {
        Some(spec) => {
            check_domain_spec(spec, mechanism)?;
            Ok(Some(spec.to_string()))
        }
        None => Err(format!("{mechanism} takes no prefix length")),
    }
}

type DualCidr = (Option<String>, Option<u8>, Option<u8>);

/// `a` and `mx`: `[:domain-spec][/cidr4][//cidr6]`, the prefix lengths read from the end.
fn parse_a_mx(after: &str, mechanism: &str) -> Result<DualCidr, String> {
    let mut rest = after;
    let mut digits4 = None;
    let mut digits6 = None;
    if let Some((head, digits)) = trailing_prefix(rest) {
        if let Some(head) = head.strip_suffix('/') {
            digits6 = Some(digits);
            rest = head;
            if let Some((head, digits)) = trailing_prefix(rest) {
                digits4 = Some(digits);
                rest = head;
            }
        } else {
            digits4 = Some(digits);
            rest = head;
        }
    }
    // The layout first: `a/24/64` is a misplaced slash, not an IPv4 length of 64.
    let spec = match rest.strip_prefix(':') {
        _ if rest.is_empty() => None,
        Some(spec) => Some(spec),
        None => return Err(cidr_layout(mechanism)),
    };
    let cidr4 = digits4.map(|d| cidr_value(d, 32, "IPv4")).transpose()?;
    let cidr6 = digits6.map(|d| cidr_value(d, 128, "IPv6")).transpose()?;
    if let Some(spec) = spec {
        check_domain_spec(spec, mechanism)?;
    }
    Ok((spec.map(str::to_string), cidr4, cidr6))
}

fn cidr_layout(mechanism: &str) -> String {
    format!("prefix lengths come after the domain, /N for IPv4 then //N for IPv6 (like {mechanism}:example.com/24//64)")
}

/// A final `/digits`: the text before the slash and the digits.
fn trailing_prefix(s: &str) -> Option<(&str, &str)> {
    let slash = s.rfind('/')?;
    let digits = s.get(slash + 1..)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((s.get(..slash)?, digits))
}

fn cidr_value(digits: &str, max: u8, family: &str) -> Result<u8, String> {
    if !digits.bytes().all(|b| b.is_ascii_digit()) || digits.is_empty() {
        return Err(format!("a {family} prefix length must be a number from 0 to {max}"));
    }
    if digits.len() > 1 && digits.starts_with('0') {
        return Err("a prefix length must not start with 0".to_string());
    }
    match digits.parse::<u8>() {
        Ok(v) if v <= max => Ok(v),
        _ => Err(format!("an {family} prefix length must be between 0 and {max}")),
    }
}

/// `ip4`/`ip6`: `:address[/prefix]`.
fn ip_argument<'a>(after: &'a str, mechanism: &str, example: &str) -> Result<(&'a str, Option<&'a str>), String> {
    let Some(argument) = after.strip_prefix(':').filter(|a| !a.is_empty()) else {
        return Err(format!(
            "{mechanism} needs an address after a colon, like {mechanism}:{example}"
        ));
    };
    Ok(match argument.split_once('/') {
        Some((address, prefix)) => (address, Some(prefix)),
        None => (argument, None),
    })
}

fn ip_prefix(prefix: Option<&str>, max: u8, family: &str) -> Result<Option<u8>, String> {
    match prefix {
        None => Ok(None),
        Some("") => Err("a / must be followed by a prefix length".to_string()),
        Some(p) if p.starts_with('/') => Err(format!(
            "this mechanism takes only an {family} prefix length, like /{}",
            max / 2
        )),
        Some(p) => cidr_value(p, max, family).map(Some),
    }
}

/// What a macro-string holds, as far as domain-end checking needs.
struct MacroScan<'a> {
    has_macros: bool,
    /// The literal text after the last macro (the whole string when there is none).
    tail: &'a str,
    /// A `/` outside any macro.
    literal_slash: bool,
}

/// Validates a macro-string (RFC 7208 §7.1). `explanation_letters` allows `c`, `r` and `t`.
fn scan_macros(s: &str, explanation_letters: bool) -> Result<MacroScan<'_>, String> {
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut tail_start = 0;
    let mut has_macros = false;
    let mut literal_slash = false;
    while let Some(&b) = bytes.get(i) {
        if b != b'%' {
            literal_slash |= b == b'/';
            i += 1;
            continue;
        }
        match bytes.get(i + 1) {
            Some(b'%' | b'_' | b'-') => i += 2,
            Some(b'{') => i = macro_end(s, i, explanation_letters)?,
            Some(_) => {
                let shown = s.get(i..(i + 2).min(s.len())).unwrap_or("%");
                return Err(format!(
                    "`{shown}` is not a macro: after % comes {{, %, _ or - (write %% for a percent sign)"
                ));
            }
            None => return Err("ends with a lone %; write %% for a percent sign".to_string()),
        }
        has_macros = true;
        tail_start = i;
    }
    Ok(MacroScan {
        has_macros,
        tail: s.get(tail_start..).unwrap_or(""),
        literal_slash,
    })
}

/// Checks the `%{…}` starting at byte `start`; returns the byte index after its `}`.
fn macro_end(s: &str, start: usize, explanation_letters: bool) -> Result<usize, String> {
    let bytes = s.as_bytes();
    let shown = |end: usize| clip(s.get(start..end.min(s.len())).unwrap_or("%{"));
    let mut j = start + 2;
    let Some(letter) = bytes.get(j).map(u8::to_ascii_lowercase) else {
        return Err(format!("`{}` is missing its closing }}", shown(j)));
    };
    if !b"slodiphcrtv".contains(&letter) {
        return Err(format!(
            "`{}` is not a macro: the letter after %{{ must be one of s, l, o, d, i, p, h, v (or c, r, t in \
             explanation text)",
            shown(j + 1)
        ));
    }
    if !explanation_letters && b"crt".contains(&letter) {
        return Err(format!(
            "`{}`: the macro letters c, r and t are allowed only in explanation text, not in a domain name",
            shown(j + 1)
        ));
    }
    j += 1;
    let digits_start = j;
    while bytes.get(j).is_some_and(u8::is_ascii_digit) {
        j += 1;
    }
    if j > digits_start && bytes.get(digits_start..j).is_some_and(|d| d.iter().all(|&b| b == b'0')) {
        return Err(format!(
            "`{}`: the number of parts to keep must be at least 1",
            shown(j + 1)
        ));
    }
    if matches!(bytes.get(j), Some(b'r' | b'R')) {
        j += 1;
    }
    while bytes.get(j).is_some_and(|b| b".-+,/_=".contains(b)) {
        j += 1;
    }
    match bytes.get(j) {
        Some(b'}') => Ok(j + 1),
        Some(_) => Err(format!(
            "`{}` is not a valid macro (a macro looks like %{{d}}, %{{ir}} or %{{d2}})",
            shown(j + 1)
        )),
        None => Err(format!("`{}` is missing its closing }}", shown(j))),
    }
}

/// A domain-spec: a macro-string ending in `.toplabel` (optionally a final dot) or a macro.
fn check_domain_spec(spec: &str, mechanism: &str) -> Result<(), String> {
    if spec.is_empty() {
        return Err(format!("{mechanism} needs a domain name after the colon"));
    }
    let scan = scan_macros(spec, false)?;
    if scan.literal_slash {
        return Err(if matches!(mechanism, "a" | "mx") {
            cidr_layout(mechanism)
        } else {
            format!("{mechanism} takes only a domain name; `/` does not belong in it")
        });
    }
    let ends_with_macro = scan.has_macros && scan.tail.is_empty();
    if !ends_with_macro {
        let tail = scan.tail.strip_suffix('.').unwrap_or(scan.tail);
        let top = tail.rsplit_once('.').map(|(_, top)| top);
        if !top.is_some_and(toplabel_ok) {
            return Err(domain_end_message(spec, mechanism, scan.has_macros));
        }
    }
    if !scan.has_macros {
        let name = spec.strip_suffix('.').unwrap_or(spec);
        if name.split('.').any(str::is_empty) {
            return Err(format!(
                "`{}` has an empty part (two dots in a row, or a leading dot)",
                clip(spec)
            ));
        }
        if name.split('.').any(|label| label.len() > 63) {
            return Err(format!("a part of `{}` is longer than 63 characters", clip(spec)));
        }
        if name.len() > 253 {
            return Err(format!("`{}` is longer than 253 characters", clip(spec)));
        }
    }
    Ok(())
}

fn domain_end_message(spec: &str, mechanism: &str, has_macros: bool) -> String {
    if !has_macros {
        if spec.parse::<Ipv4Addr>().is_ok() {
            return format!("`{spec}` is an address, not a domain name; write ip4:{spec} instead");
        }
        if spec.parse::<Ipv6Addr>().is_ok() {
            return format!("`{spec}` is an address, not a domain name; write ip6:{spec} instead");
        }
        if !spec.trim_end_matches('.').contains('.') {
            return format!(
                "`{}` is not a full domain name (it needs a dot, like example.com)",
                clip(spec)
            );
        }
    }
    format!(
        "`{}` does not end in a valid top-level domain (like .com) or a macro, as {mechanism} requires",
        clip(spec)
    )
}

/// RFC 7208 toplabel: letters and digits with at least one letter, or a hyphenated label that
/// starts and ends with a letter or digit.
fn toplabel_ok(label: &str) -> bool {
    let b = label.as_bytes();
    if b.is_empty() || !b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-') {
        return false;
    }
    if b.contains(&b'-') {
        b.first().is_some_and(u8::is_ascii_alphanumeric) && b.last().is_some_and(u8::is_ascii_alphanumeric)
    } else {
        b.iter().any(u8::is_ascii_alphabetic)
    }
}

/// Whether a TXT record is an SPF record: `v=spf1` followed by a space or the end.
fn is_spf(txt: &str) -> bool {
    txt.get(..6).is_some_and(|v| v.eq_ignore_ascii_case("v=spf1"))
        && txt
            .get(6..)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
}

// ---- the lookup tree ----------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Query {
    Txt(String),
    Addresses(String),
    Mx(String),
}

impl Query {
    fn describe(&self) -> String {
        match self {
            Query::Txt(name) => format!("the TXT records of {name}"),
            Query::Addresses(name) => format!("the addresses of {name}"),
            Query::Mx(name) => format!("the MX records of {name}"),
        }
    }
}

#[derive(Debug, Clone)]
enum Reply {
    Txt(Lookup<Vec<String>>),
    /// `a`, `mx`, `exists`: only how many records came back matters here.
    Count(Lookup<usize>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Include,
    Redirect,
    A,
    Mx,
    Ptr,
    Exists,
}

/// Why a name has no SPF record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Absent {
    NxDomain,
    NoRecords,
    /// TXT records, none of them SPF.
    OtherTxt(usize),
}

#[derive(Debug, Clone)]
enum Outcome {
    Pending(Query),
    /// An include or redirect followed to the record at this node.
    Child(usize),
    /// An `a`, `mx` or `exists` lookup that found this many records.
    Records(usize),
    /// NXDOMAIN (`true`) or no records (`false`).
    Void(bool),
    Failed(Query, DnsError),
    Macro,
    Ptr,
    Loop(Vec<String>),
    Skipped(&'static str),
    /// Never evaluated by a receiver, so not counted.
    Ignored(&'static str),
}

/// One DNS-querying term of a record.
#[derive(Debug, Clone)]
struct Item {
    text: String,
    kind: Kind,
    qualifier: Qualifier,
    /// The name looked up, normalised (for `a`/`mx` without a domain: the record's own).
    target: String,
    /// Whether the term names its target (else it is the record's own domain).
    explicit: bool,
    outcome: Outcome,
}

impl Item {
    fn counted(&self) -> bool {
        !matches!(self.outcome, Outcome::Ignored(_))
    }
}

#[derive(Debug, Clone)]
enum State {
    Spf { text: String, record: Record },
    NoSpf(Absent),
    Multiple(Vec<String>),
    Broken { text: String, error: SyntaxError },
    Failed(DnsError),
}

impl State {
    fn from_txt(answer: Lookup<Vec<String>>) -> State {
        let txts = match answer {
            Err(e) => return State::Failed(e),
            Ok(Answer::NxDomain) => return State::NoSpf(Absent::NxDomain),
            Ok(Answer::NoRecords) => return State::NoSpf(Absent::NoRecords),
            Ok(Answer::Found(txts)) if txts.is_empty() => return State::NoSpf(Absent::NoRecords),
            Ok(Answer::Found(txts)) => txts,
        };
        let mut spf: Vec<String> = txts.iter().filter(|t| is_spf(t)).cloned().collect();
        match spf.len() {
            0 => State::NoSpf(Absent::OtherTxt(txts.len())),
            1 => {
                let text = spf.remove(0);
                match parse(&text) {
                    Ok(record) => State::Spf { text, record },
                    Err(error) => State::Broken { text, error },
                }
            }
            _ => State::Multiple(spf),
        }
    }
}

#[derive(Debug, Clone)]
struct Node {
    domain: String,
    depth: usize,
    /// The domains from the root down to this one.
    chain: Vec<String>,
    state: State,
    items: Vec<Item>,
}

impl Node {
    fn new(domain: String, depth: usize, chain: Vec<String>, state: State) -> Node {
        let mut node = Node {
            domain,
            depth,
            chain,
            state,
            items: Vec::new(),
        };
        node.items = node.plan();
        node
    }

    /// The DNS-querying terms of this node's record, with what to look up for each.
    fn plan(&self) -> Vec<Item> {
        let State::Spf { record, .. } = &self.state else {
            return Vec::new();
        };
        let mut items = Vec::new();
        let mut after_all = false;
        for term in &record.terms {
            let kind = match &term.mechanism {
                Mechanism::All => {
                    after_all = true;
                    continue;
                }
                Mechanism::Ip4 { .. } | Mechanism::Ip6 { .. } => continue,
                Mechanism::Include { .. } => Kind::Include,
                Mechanism::A { .. } => Kind::A,
                Mechanism::Mx { .. } => Kind::Mx,
                Mechanism::Ptr { .. } => Kind::Ptr,
                Mechanism::Exists { .. } => Kind::Exists,
            };
            let spec = term.mechanism.domain_spec();
            let outcome = if after_all {
                Some(Outcome::Ignored("it comes after all"))
            } else {
                None
            };
            items.push(self.item(&term.text, kind, term.qualifier, spec, outcome));
        }
        if let Some(redirect) = record.redirect() {
            let outcome = record
                .all()
                .map(|_| Outcome::Ignored("the record has all, so redirect is not used"));
            items.push(self.item(
                &redirect.text,
                Kind::Redirect,
                Qualifier::Pass,
                Some(&redirect.value),
                outcome,
            ));
        }
        items
    }

    fn item(&self, text: &str, kind: Kind, qualifier: Qualifier, spec: Option<&str>, outcome: Option<Outcome>) -> Item {
        let target = spec.map_or_else(|| self.domain.clone(), normalise);
        let outcome = outcome.unwrap_or_else(|| {
            if kind == Kind::Ptr {
                Outcome::Ptr
            } else if target.contains('%') {
                Outcome::Macro
            } else {
                match kind {
                    Kind::Include | Kind::Redirect if self.chain.contains(&target) => {
                        let mut chain = self.chain.clone();
                        chain.push(target.clone());
                        Outcome::Loop(chain)
                    }
                    Kind::Include | Kind::Redirect if self.depth >= MAX_DEPTH => {
                        Outcome::Skipped("more than 10 levels of includes")
                    }
                    Kind::Include | Kind::Redirect => Outcome::Pending(Query::Txt(target.clone())),
                    Kind::Mx => Outcome::Pending(Query::Mx(target.clone())),
                    _ => Outcome::Pending(Query::Addresses(target.clone())),
                }
            }
        });
        Item {
            text: text.to_string(),
            kind,
            qualifier,
            target,
            explicit: spec.is_some(),
            outcome,
        }
    }
}

/// Follows the tree level by level; the lookups of one level run concurrently.
async fn walk<R: Resolve>(dns: &R, root: Node) -> Vec<Node> {
    let mut nodes = vec![root];
    let mut cache: HashMap<Query, Reply> = HashMap::new();
    // The root's own TXT query was the first.
    let mut queries = 1;
    let mut level = vec![0];
    while !level.is_empty() {
        let budget_left = MAX_QUERIES.saturating_sub(queries);
        let mut wanted: Vec<Query> = Vec::new();
        for &n in &level {
            for item in &nodes[n].items {
                if let Outcome::Pending(q) = &item.outcome
                    && wanted.len() < budget_left
                    && !cache.contains_key(q)
                    && !wanted.contains(q)
                {
                    wanted.push(q.clone());
                }
            }
        }
        queries += wanted.len();
        let replies = join_all(wanted.into_iter().map(|q| ask(dns, q))).await;
        cache.extend(replies);
        let mut next = Vec::new();
        for &n in &level {
            for i in 0..nodes[n].items.len() {
                let Outcome::Pending(query) = nodes[n].items[i].outcome.clone() else {
                    continue;
                };
                let outcome = match cache.get(&query) {
                    None => Outcome::Skipped("the query budget of this check was spent"),
                    Some(Reply::Count(Err(e))) => Outcome::Failed(query, e.clone()),
                    Some(Reply::Count(Ok(Answer::NxDomain))) => Outcome::Void(true),
                    Some(Reply::Count(Ok(Answer::NoRecords | Answer::Found(0)))) => Outcome::Void(false),
                    Some(Reply::Count(Ok(Answer::Found(k)))) => Outcome::Records(*k),
                    Some(Reply::Txt(_)) if nodes.len() >= MAX_RECORDS => Outcome::Skipped("too many records to follow"),
                    Some(Reply::Txt(answer)) => {
                        let parent = &nodes[n];
                        let target = nodes[n].items[i].target.clone();
                        let mut chain = parent.chain.clone();
                        chain.push(target.clone());
                        let child = Node::new(target, parent.depth + 1, chain, State::from_txt(answer.clone()));
                        nodes.push(child);
                        next.push(nodes.len() - 1);
                        Outcome::Child(nodes.len() - 1)
                    }
                };
                nodes[n].items[i].outcome = outcome;
            }
        }
        level = next;
    }
    nodes
}

async fn ask<R: Resolve>(dns: &R, query: Query) -> (Query, Reply) {
    fn count<T>(answer: Lookup<Vec<T>>) -> Lookup<usize> {
        answer.map(|a| match a {
            Answer::Found(v) => Answer::Found(v.len()),
            Answer::NoRecords => Answer::NoRecords,
            Answer::NxDomain => Answer::NxDomain,
        })
    }
    let reply = match &query {
        Query::Txt(name) => Reply::Txt(dns.txt(name).await),
        Query::Addresses(name) => Reply::Count(count(dns.addresses(name).await)),
        Query::Mx(name) => Reply::Count(count(dns.mx(name).await)),
    };
    (query, reply)
}

/// Lookups of a node's branch: its counted items, and everything below its includes.
fn branch_lookups(nodes: &[Node], n: usize) -> usize {
    nodes[n]
        .items
        .iter()
        .filter(|i| i.counted())
        .map(|i| 1 + child_of(i).map_or(0, |c| branch_lookups(nodes, c)))
        .sum()
}

fn child_of(item: &Item) -> Option<usize> {
    match item.outcome {
        Outcome::Child(c) => Some(c),
        _ => None,
    }
}

fn is_void(nodes: &[Node], item: &Item) -> bool {
    match item.outcome {
        Outcome::Void(_) => true,
        Outcome::Child(c) => matches!(nodes[c].state, State::NoSpf(Absent::NxDomain | Absent::NoRecords)),
        _ => false,
    }
}

/// The nodes in tree order (depth first, terms in record order).
fn tree_order(nodes: &[Node]) -> Vec<usize> {
    fn visit(nodes: &[Node], n: usize, out: &mut Vec<usize>) {
        out.push(n);
        for item in &nodes[n].items {
            if let Some(c) = child_of(item) {
                visit(nodes, c, out);
            }
        }
    }
    let mut out = Vec::new();
    visit(nodes, 0, &mut out);
    out
}

/// How a record ends, following `redirect` when it has no `all`.
enum Ending {
    /// The `all` qualifier, and the node holding it when reached through redirect.
    All(Qualifier, Option<usize>),
    /// No `all` and no `redirect`: receivers default to neutral.
    Missing,
    /// Depends on a redirect that holds macros (its text).
    Macro(String),
    /// Not known because a lookup failed or the target is broken (reported elsewhere).
    Unknown,
}

fn ending(nodes: &[Node], n: usize, hops: usize) -> Ending {
    let Some(node) = nodes.get(n) else {
        return Ending::Unknown;
    };
    let State::Spf { record, .. } = &node.state else {
        return Ending::Unknown;
    };
    if let Some(q) = record.all() {
        return Ending::All(q, None);
    }
    let Some(redirect) = node.items.iter().find(|i| i.kind == Kind::Redirect) else {
        return Ending::Missing;
    };
    match redirect.outcome {
        Outcome::Child(c) if hops <= MAX_DEPTH => match ending(nodes, c, hops + 1) {
            Ending::All(q, holder) => Ending::All(q, Some(holder.unwrap_or(c))),
            other => other,
        },
        Outcome::Macro => Ending::Macro(redirect.text.clone()),
        _ => Ending::Unknown,
    }
}

fn plural(n: usize, word: &str) -> String {
    match (n, word.ends_with('s')) {
        (1, _) => format!("1 {word}"),
        (_, true) => format!("{n} {word}es"),
        (_, false) => format!("{n} {word}s"),
    }
}

fn render_tree(nodes: &[Node]) -> String {
    fn items(nodes: &[Node], n: usize, indent: usize, lines: &mut Vec<String>) {
        for item in &nodes[n].items {
            if lines.len() > MAX_TREE_LINES {
                return;
            }
            let pad = "  ".repeat(indent);
            let target = if item.explicit {
                String::new()
            } else {
                format!(" → {}", item.target)
            };
            lines.push(format!("{pad}{}{target} ({})", item.text, describe(nodes, item)));
            if let Some(c) = child_of(item) {
                items(nodes, c, indent + 1, lines);
            }
        }
    }
    let mut lines = vec![format!(
        "{} ({} in total)",
        nodes[0].domain,
        plural(branch_lookups(nodes, 0), "lookup")
    )];
    items(nodes, 0, 1, &mut lines);
    if lines.len() > MAX_TREE_LINES {
        lines.truncate(MAX_TREE_LINES);
        lines.push("… (the rest of the tree is left out)".to_string());
    }
    lines.join("\n")
}

fn describe(nodes: &[Node], item: &Item) -> String {
    match &item.outcome {
        Outcome::Child(c) => match &nodes[*c].state {
            State::Spf { .. } => plural(1 + branch_lookups(nodes, *c), "lookup"),
            State::NoSpf(Absent::NxDomain) => "the name does not exist: void lookup, no SPF record".to_string(),
            State::NoSpf(Absent::NoRecords) => "no TXT records: void lookup, no SPF record".to_string(),
            State::NoSpf(Absent::OtherTxt(k)) => {
                format!("no SPF record among its {}", plural(*k, "TXT record"))
            }
            State::Multiple(v) => format!("{} SPF records: an error", v.len()),
            State::Broken { error, .. } => format!("broken SPF record: {}", error.message),
            State::Failed(e) => format!("lookup failed: {e}"),
        },
        Outcome::Records(k) => match item.kind {
            Kind::Mx => plural(*k, "mail server"),
            Kind::Exists => "found".to_string(),
            _ => plural(*k, "address"),
        },
        Outcome::Void(true) => "the name does not exist: void lookup".to_string(),
        Outcome::Void(false) => "no records: void lookup".to_string(),
        Outcome::Failed(_, e) => format!("lookup failed: {e}"),
        Outcome::Macro => "contains macros that depend on each message: counted, not followed".to_string(),
        Outcome::Ptr => "deprecated; depends on the sender's address: counted, not looked up".to_string(),
        Outcome::Loop(chain) => format!("loop: {}", chain.join(" → ")),
        Outcome::Pending(_) => "not followed".to_string(),
        Outcome::Skipped(why) => format!("not followed: {why}"),
        Outcome::Ignored(why) => format!("ignored, not counted: {why}"),
    }
}

// ---- the check ----------------------------------------------------------------------------

struct Finding {
    status: Status,
    summary: String,
    fix: Option<String>,
}

impl Finding {
    fn new(status: Status, summary: impl Into<String>, fix: impl Into<String>) -> Finding {
        Finding {
            status,
            summary: summary.into(),
            fix: Some(fix.into()),
        }
    }
}

/// The `email.spf` check of `domain`.
pub async fn check<R: Resolve>(domain: &str, dns: &R) -> ProbeResult {
    let domain = normalise(domain);
    if !valid_domain(&domain) {
        return ProbeResult::new(
            ID,
            Status::Error,
            TITLE,
            format!(
                "`{}` is not a valid domain name, so its SPF record could not be checked.",
                clip(&domain)
            ),
        );
    }
    let label = format!("TXT {domain}");
    match State::from_txt(dns.txt(&domain).await) {
        State::Failed(e) => ProbeResult::new(
            ID,
            Status::Error,
            TITLE,
            format!("Could not check the SPF record of {domain}: {e}."),
        )
        .evidence(&label, format!("lookup failed: {e}"))
        .fix("Run the check again; if it keeps failing, ask whoever runs your DNS why it does not answer."),
        State::NoSpf(Absent::NxDomain) => ProbeResult::new(
            ID,
            Status::Error,
            TITLE,
            format!("The domain {domain} does not exist in DNS, so it has no SPF record to check."),
        )
        .evidence(&label, "the domain does not exist (NXDOMAIN)")
        .fix(format!(
            "Check the spelling of {domain}. If it is right, create the domain at your DNS provider, then \
             publish its SPF record."
        )),
        State::NoSpf(absent) => no_record(&domain, &label, absent),
        State::Multiple(records) => {
            let merged = merge(&records);
            ProbeResult::new(
                ID,
                Status::Fail,
                TITLE,
                format!(
                    "Your domain publishes {} SPF records; receiving servers treat that as an error and may reject \
                     your mail.",
                    records.len()
                ),
            )
            .evidence(&label, records.join("\n"))
            .fix(format!(
                "Keep exactly one SPF record at {domain}: delete these {} records and publish this one, which \
                 combines their terms: `{merged}`. Then run this check again to make sure it needs no more than \
                 10 lookups.",
                records.len()
            ))
        }
        State::Broken { text, error } => {
            let marker = format!("{}^", " ".repeat(error.position.min(400)));
            ProbeResult::new(
                ID,
                Status::Fail,
                TITLE,
                format!(
                    "Your SPF record has a mistake at character {}, so receiving servers treat it as an error and \
                     may reject your mail.",
                    error.position + 1
                ),
            )
            .evidence(&label, text.clone())
            .evidence(
                "syntax error",
                format!("{text}\n{marker}\ncharacter {}: {}", error.position + 1, error.message),
            )
            .fix(format!(
                "Correct the SPF record at {domain}: {}. This check stops at the first mistake, so run it again \
                 after the change.",
                error.message
            ))
        }
        state @ State::Spf { .. } => {
            let root = Node::new(domain.clone(), 0, vec![domain.clone()], state);
            let nodes = walk(dns, root).await;
            judge(&domain, &label, &nodes)
        }
    }
}

fn valid_domain(domain: &str) -> bool {
    !domain.is_empty()
        && domain.len() <= 253
        && domain.split('.').all(|l| {
            !l.is_empty() && l.len() <= 63 && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

fn no_record(domain: &str, label: &str, absent: Absent) -> ProbeResult {
    let found = match absent {
        Absent::OtherTxt(k) => format!(
            "no SPF record (the domain has {} of another kind)",
            plural(k, "TXT record")
        ),
        _ => "no TXT records at all".to_string(),
    };
    ProbeResult::new(
        ID,
        Status::Fail,
        TITLE,
        "Your domain has no SPF record, so receiving servers cannot tell which servers may send email as you.",
    )
    .evidence(label, found)
    .fix(format!(
        "Publish one TXT record at {domain}: `v=spf1 include:<your mail provider's SPF domain> ~all`. Replace the \
         placeholder with the include your email provider documents (for example include:_spf.google.com for \
         Google Workspace, or include:spf.protection.outlook.com for Microsoft 365), and add one include for each \
         other service that sends email as you. If this domain never sends email, publish `v=spf1 -all` instead."
    ))
}

/// One record combining the terms of several: every distinct mechanism once, `redirect` turned
/// into `include`, `exp` dropped, ending in `-all` if any of them did and `~all` otherwise.
fn merge(records: &[String]) -> String {
    let mut seen = HashSet::new();
    let mut terms: Vec<String> = Vec::new();
    let mut strict = false;
    for record in records {
        for token in record.split(' ').skip(1).filter(|t| !t.is_empty()) {
            let lower = token.to_ascii_lowercase();
            let term = if lower.trim_start_matches(['+', '-', '~', '?']) == "all" {
                strict |= lower.starts_with('-');
                continue;
            } else if let Some(target) = lower.strip_prefix("redirect=") {
                format!("include:{}", token.get(token.len() - target.len()..).unwrap_or(target))
            } else if lower.starts_with("exp=") {
                continue;
            } else {
                token.to_string()
            };
            if terms.len() < 200 && seen.insert(term.to_ascii_lowercase()) {
                terms.push(term);
            }
        }
    }
    terms.insert(0, "v=spf1".to_string());
    terms.push(if strict { "-all" } else { "~all" }.to_string());
    terms.join(" ")
}

/// The record's tokens with the one at `position` replaced (or removed when `new` is empty), and
/// `append` added at the end; spacing is normalised.
fn rewrite(text: &str, position: Option<usize>, new: &str, append: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for (p, token) in tokens(text, 0) {
        if Some(p) == position {
            if !new.is_empty() {
                out.push(new);
            }
        } else {
            out.push(token);
        }
    }
    if !append.is_empty() {
        out.push(append);
    }
    out.join(" ")
}

fn judge(domain: &str, label: &str, nodes: &[Node]) -> ProbeResult {
    let State::Spf {
        text: root_text,
        record: root,
    } = &nodes[0].state
    else {
        return ProbeResult::new(ID, Status::Error, TITLE, "internal: the root has no record");
    };
    let order = tree_order(nodes);
    let lookups = branch_lookups(nodes, 0);
    let voids: Vec<(usize, &Item)> = order
        .iter()
        .flat_map(|&n| nodes[n].items.iter().map(move |i| (n, i)))
        .filter(|(_, i)| is_void(nodes, i))
        .collect();
    let incomplete = order.iter().any(|&n| {
        nodes[n].items.iter().any(|i| match &i.outcome {
            Outcome::Skipped(_) | Outcome::Failed(..) | Outcome::Pending(_) => true,
            Outcome::Macro => matches!(i.kind, Kind::Include | Kind::Redirect),
            Outcome::Child(c) => matches!(nodes[*c].state, State::Failed(_)),
            _ => false,
        })
    });
    let mut findings = Vec::new();
    let ending = ending(nodes, 0, 0);
    ending_findings(domain, nodes, &ending, &mut findings);
    root_findings(domain, root_text, root, &mut findings);
    tree_findings(nodes, &order, &mut findings);

    if lookups > LOOKUP_LIMIT {
        findings.push(too_many_lookups(nodes, lookups, incomplete));
    }
    if voids.len() > VOID_LIMIT {
        let list: Vec<String> = voids
            .iter()
            .map(|(n, i)| {
                let why = if matches!(i.outcome, Outcome::Void(false)) {
                    "has no records"
                } else {
                    "does not exist"
                };
                format!(
                    "`{}` in the record of {} ({} {why})",
                    i.text, nodes[*n].domain, i.target
                )
            })
            .collect();
        findings.push(Finding::new(
            Status::Fail,
            format!(
                "Your SPF record points at {} names that do not exist or have no records; receiving servers allow 2 \
                 and then treat it as an error.",
                voids.len()
            ),
            format!("Remove or correct these terms: {}.", list.join("; ")),
        ));
    }

    let worst = [Status::Fail, Status::Error, Status::Warn]
        .into_iter()
        .find(|s| findings.iter().any(|f| f.status == *s))
        .unwrap_or(Status::Pass);
    let summary = if let Some(first) = findings.iter().position(|f| f.status == worst) {
        let others = findings.len() - 1;
        let main = findings[first].summary.clone();
        if others == 0 {
            main
        } else {
            let what = if others == 1 { "problem" } else { "problems" };
            format!(
                "{} (and {others} more {what}, listed below).",
                main.trim_end_matches('.')
            )
        }
    } else {
        let end = match ending {
            Ending::All(q, None) => format!("{}all", q.symbol()),
            Ending::All(q, Some(holder)) => {
                format!("{}all (through redirect to {})", q.symbol(), nodes[holder].domain)
            }
            _ => "a strict rule".to_string(),
        };
        format!("Your SPF record is valid: it ends in {end} and needs {lookups} of the 10 DNS lookups receivers allow.")
    };

    let mut result = ProbeResult::new(ID, worst, TITLE, summary)
        .evidence(label, root_text.clone())
        .evidence("lookup tree", render_tree(nodes))
        .evidence(
            "DNS lookups",
            if incomplete {
                format!("{lookups} of 10 (at least: some branches could not be followed)")
            } else {
                format!("{lookups} of 10")
            },
        )
        .evidence("void lookups", format!("{} of 2", voids.len()));
    let included: Vec<String> = order
        .iter()
        .skip(1)
        .filter_map(|&n| match &nodes[n].state {
            State::Spf { text, .. } | State::Broken { text, .. } => Some(format!("{}: {text}", nodes[n].domain)),
            State::Multiple(v) => Some(format!("{}: {}", nodes[n].domain, v.join(" | "))),
            _ => None,
        })
        .take(30)
        .collect();
    if !included.is_empty() {
        result = result.evidence("included records", included.join("\n"));
    }
    if findings.len() > 1 {
        let list: Vec<String> = findings
            .iter()
            .map(|f| format!("{}: {}", f.status.label(), f.summary))
            .collect();
        result = result.evidence("problems", list.join("\n"));
    }
    let mut fixes: Vec<String> = Vec::new();
    for status in [Status::Fail, Status::Warn, Status::Error] {
        for f in findings.iter().filter(|f| f.status == status) {
            if let Some(fix) = &f.fix
                && !fixes.contains(fix)
            {
                fixes.push(fix.clone());
            }
        }
    }
    if !fixes.is_empty() {
        result = result.fix(fixes.join("\n\n"));
    }
    result
}

fn ending_findings(domain: &str, nodes: &[Node], ending: &Ending, findings: &mut Vec<Finding>) {
    let State::Spf { text, record } = &nodes[0].state else {
        return;
    };
    let all_position = record
        .terms
        .iter()
        .find(|t| t.mechanism == Mechanism::All)
        .map(|t| t.position);
    match ending {
        Ending::All(Qualifier::Pass, holder) => {
            let (summary, fix) = match holder {
                None => (
                    "Your SPF record ends in +all, which lets any server in the world send email as you.".to_string(),
                    format!(
                        "Replace +all with ~all (or -all once every service that sends your mail is listed) in the \
                         record at {domain}: `{}`.",
                        rewrite(text, all_position, "~all", "")
                    ),
                ),
                Some(h) => {
                    let node = &nodes[*h];
                    let fixed = match &node.state {
                        State::Spf { text, record } => {
                            let p = record
                                .terms
                                .iter()
                                .find(|t| t.mechanism == Mechanism::All)
                                .map(|t| t.position);
                            rewrite(text, p, "~all", "")
                        }
                        _ => String::new(),
                    };
                    (
                        format!(
                            "Your SPF record redirects to {}, whose record ends in +all, which lets any server in the \
                             world send email as you.",
                            node.domain
                        ),
                        format!(
                            "Replace +all with ~all in the record at {}: `{fixed}`. If that domain is not yours, \
                             remove the redirect and list your own senders.",
                            node.domain
                        ),
                    )
                }
            };
            findings.push(Finding::new(Status::Fail, summary, fix));
        }
        Ending::All(Qualifier::Neutral, holder) => {
            let place = holder.map_or_else(|| domain.to_string(), |h| nodes[h].domain.clone());
            let fixed = match holder.map_or(&nodes[0].state, |h| &nodes[h].state) {
                State::Spf { text, record } => {
                    let p = record
                        .terms
                        .iter()
                        .find(|t| t.mechanism == Mechanism::All)
                        .map(|t| t.position);
                    rewrite(text, p, "~all", "")
                }
                _ => String::new(),
            };
            findings.push(Finding::new(
                Status::Warn,
                "Your SPF record ends in ?all, which tells receivers nothing about mail from other servers, so forged \
                 mail is not marked.",
                format!("Change ?all to ~all in the record at {place}: `{fixed}`."),
            ));
        }
        Ending::Missing => findings.push(Finding::new(
            Status::Warn,
            "Your SPF record has no closing all rule, so receivers are not told what to do with mail from other \
             servers.",
            format!(
                "Add ~all at the end of the record at {domain} (or -all once every service that sends your mail is \
                 listed): `{}`.",
                rewrite(text, None, "", "~all")
            ),
        )),
        Ending::Macro(redirect) => findings.push(Finding::new(
            Status::Warn,
            format!(
                "The end of your SPF record comes from `{redirect}`, which depends on each message, so this check \
                 cannot confirm it is strict."
            ),
            format!("Prefer a redirect to a fixed name, or end the record at {domain} with ~all or -all yourself."),
        )),
        Ending::All(..) | Ending::Unknown => {}
    }
}

/// Problems only the domain's owner can fix in their own record.
fn root_findings(domain: &str, text: &str, record: &Record, findings: &mut Vec<Finding>) {
    for term in &record.terms {
        let open = matches!(
            term.mechanism,
            Mechanism::Ip4 { prefix: Some(0), .. } | Mechanism::Ip6 { prefix: Some(0), .. }
        );
        if open && term.qualifier == Qualifier::Pass {
            findings.push(Finding::new(
                Status::Fail,
                format!(
                    "Your SPF record contains {}, which allows every address on the internet to send email as you.",
                    term.text
                ),
                format!(
                    "Remove {} and list only the servers that really send your mail: `{}`.",
                    term.text,
                    rewrite(text, Some(term.position), "", "")
                ),
            ));
        }
    }
    if let Some(all) = record.terms.iter().find(|t| t.mechanism == Mechanism::All) {
        let late: Vec<&str> = record
            .terms
            .iter()
            .filter(|t| t.position > all.position && t.mechanism != Mechanism::All)
            .map(|t| t.text.as_str())
            .collect();
        if !late.is_empty() {
            findings.push(Finding::new(
                Status::Warn,
                format!(
                    "In your SPF record, {} come after {}, so receivers never read them and mail from those servers \
                     fails SPF.",
                    late.join(" "),
                    all.text
                ),
                format!(
                    "Move {} to the end of the record at {domain}: `{}`.",
                    all.text,
                    rewrite(text, Some(all.position), "", &all.text)
                ),
            ));
        }
    }
    for m in &record.modifiers {
        let lname = m.name.to_ascii_lowercase();
        if m.kind == ModifierKind::Unknown && MECHANISMS.contains(&lname.as_str()) {
            findings.push(Finding::new(
                Status::Warn,
                format!(
                    "Your SPF record contains {}, which receivers ignore because it is written with = instead of :.",
                    m.text
                ),
                format!(
                    "Write {lname}:{} instead of {} in the record at {domain}.",
                    m.value, m.text
                ),
            ));
        }
    }
}

fn tree_findings(nodes: &[Node], order: &[usize], findings: &mut Vec<Finding>) {
    let mut ptrs: Vec<String> = Vec::new();
    for &n in order {
        let node = &nodes[n];
        let whose = if n == 0 {
            "Your SPF record".to_string()
        } else {
            format!("The SPF record of {}", node.domain)
        };
        for item in &node.items {
            let verb = if item.kind == Kind::Redirect {
                "redirects to"
            } else {
                "includes"
            };
            match &item.outcome {
                Outcome::Loop(chain) => findings.push(Finding::new(
                    Status::Fail,
                    format!(
                        "The includes of your SPF record form a loop ({}), so receiving servers treat it as an error.",
                        chain.join(" → ")
                    ),
                    format!(
                        "Remove {} from the SPF record of {}: it leads back to {}.",
                        item.text, node.domain, item.target
                    ),
                )),
                Outcome::Child(c) => {
                    let target = &nodes[*c].domain;
                    let problem = match &nodes[*c].state {
                        State::NoSpf(Absent::NxDomain) => Some("which does not exist".to_string()),
                        State::NoSpf(_) => Some("which has no SPF record".to_string()),
                        State::Multiple(v) => Some(format!("which publishes {} SPF records", v.len())),
                        State::Broken { error, .. } => {
                            Some(format!("whose SPF record has a mistake ({})", error.message))
                        }
                        State::Failed(e) => {
                            findings.push(lookup_failed(&Query::Txt(target.clone()), e));
                            None
                        }
                        State::Spf { .. } => {
                            if item.kind == Kind::Include
                                && item.qualifier == Qualifier::Pass
                                && matches!(ending(nodes, *c, 0), Ending::All(Qualifier::Pass, _))
                            {
                                findings.push(Finding::new(
                                    Status::Fail,
                                    format!(
                                        "{whose} includes {target}, whose record ends in +all, so every server in the \
                                         world passes your SPF check."
                                    ),
                                    format!(
                                        "Remove {} from the SPF record of {}, or ask the owner of {target} to replace \
                                         +all with ~all.",
                                        item.text, node.domain
                                    ),
                                ));
                            }
                            None
                        }
                    };
                    if let Some(problem) = problem {
                        findings.push(Finding::new(
                            Status::Fail,
                            format!(
                                "{whose} {verb} {target}, {problem}; receiving servers treat that as an error and may \
                                 reject your mail."
                            ),
                            format!(
                                "Remove {} from the SPF record of {}, or correct it to the name your provider \
                                 documents; if {target} is yours, give it exactly one valid SPF record.",
                                item.text, node.domain
                            ),
                        ));
                    }
                }
                Outcome::Failed(query, e) => findings.push(lookup_failed(query, e)),
                Outcome::Ptr => ptrs.push(format!("{} in the record of {}", item.text, node.domain)),
                Outcome::Records(k) if item.kind == Kind::Mx && *k > MX_LIMIT => findings.push(Finding::new(
                    Status::Fail,
                    format!(
                        "{whose} uses {}, which finds {k} mail servers; receivers allow at most 10 and then treat it \
                         as an error.",
                        item.text
                    ),
                    format!(
                        "Replace {} in the SPF record of {} with the ip4:/ip6: ranges of the servers that send mail.",
                        item.text, node.domain
                    ),
                )),
                _ => {}
            }
        }
    }
    if !ptrs.is_empty() {
        findings.push(Finding::new(
            Status::Warn,
            "Your SPF record uses ptr, which is deprecated and slow; many receivers skip it, so mail it should allow \
             may fail SPF.",
            format!(
                "Replace {} with the ip4:/ip6: ranges (or a and mx terms) of the servers that send your mail; if the \
                 ptr is in a provider's record, ask the provider.",
                ptrs.join(", ")
            ),
        ));
    }
}

fn lookup_failed(query: &Query, e: &DnsError) -> Finding {
    Finding {
        status: Status::Error,
        summary: format!(
            "Could not finish checking your SPF record: {e} (looking up {}).",
            query.describe()
        ),
        fix: Some(
            "Run the check again; if it keeps failing, the DNS server of that name is broken or unreachable."
                .to_string(),
        ),
    }
}

fn too_many_lookups(nodes: &[Node], lookups: usize, incomplete: bool) -> Finding {
    let mut weights: Vec<(usize, &Item)> = nodes[0]
        .items
        .iter()
        .filter(|i| i.counted())
        .map(|i| (1 + child_of(i).map_or(0, |c| branch_lookups(nodes, c)), i))
        .collect();
    weights.sort_by_key(|w| std::cmp::Reverse(w.0));
    let heaviest: Vec<String> = weights
        .iter()
        .filter(|(_, i)| matches!(i.kind, Kind::Include | Kind::Redirect))
        .take(3)
        .map(|(w, i)| format!("{} ({})", i.text, plural(*w, "lookup")))
        .collect();
    let direct: Vec<&str> = nodes[0]
        .items
        .iter()
        .filter(|i| i.counted() && matches!(i.kind, Kind::A | Kind::Mx | Kind::Ptr | Kind::Exists))
        .map(|i| i.text.as_str())
        .collect();
    let at_least = if incomplete { "at least " } else { "" };
    let mut fix = vec![format!(
        "Receivers allow 10 DNS lookups for SPF and this record needs {at_least}{lookups}. Remove the includes of \
         services you no longer send mail with, and replace the heaviest includes with the ip4:/ip6: ranges they \
         list (\"flattening\"; you must then update those ranges when the provider changes them)."
    )];
    if !heaviest.is_empty() {
        fix.push(format!("The heaviest: {}.", heaviest.join(", ")));
    }
    if !direct.is_empty() {
        fix.push(format!(
            "Each of {} also costs one lookup; the addresses they stand for can be written as ip4:/ip6: instead.",
            direct.join(", ")
        ));
    }
    Finding::new(
        Status::Fail,
        format!(
            "Your SPF record needs {at_least}{lookups} DNS lookups; receiving servers stop at 10 and then treat it as \
             an error."
        ),
        fix.join(" "),
    )
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::net::IpAddr;
    use std::sync::Mutex;

    use super::*;
    use crate::probe::Xorshift;

    // ---- an in-memory zone ----------------------------------------------------------------

    /// Names map to records; a name without any record does not exist (NXDOMAIN); a name in
    /// `broken` answers every query with that error.
    #[derive(Default)]
    struct Zone {
        txt: HashMap<String, Vec<String>>,
        addresses: HashMap<String, Vec<IpAddr>>,
        mx: HashMap<String, Vec<(u16, String)>>,
        broken: HashMap<String, DnsError>,
        asked: Mutex<Vec<String>>,
    }

    impl Zone {
        fn with_txt(mut self, name: &str, records: &[&str]) -> Zone {
            self.txt
                .entry(name.to_string())
                .or_default()
                .extend(records.iter().map(|r| (*r).to_string()));
            self
        }

        fn with_address(mut self, name: &str, ip: &str) -> Zone {
            self.addresses
                .entry(name.to_string())
                .or_default()
                .push(ip.parse().unwrap());
            self
        }

        fn with_mx(mut self, name: &str, host: &str) -> Zone {
            let list = self.mx.entry(name.to_string()).or_default();
            list.push((u16::try_from(list.len()).unwrap(), host.to_string()));
            self
        }

        fn failing(mut self, name: &str, e: DnsError) -> Zone {
            self.broken.insert(name.to_string(), e);
            self
        }

        fn exists(&self, name: &str) -> bool {
            self.txt.contains_key(name) || self.addresses.contains_key(name) || self.mx.contains_key(name)
        }

        fn answer<T: Clone>(&self, kind: &str, name: &str, map: &HashMap<String, Vec<T>>) -> Lookup<Vec<T>> {
            self.asked.lock().unwrap().push(format!("{kind} {name}"));
            if let Some(e) = self.broken.get(name) {
                return Err(e.clone());
            }
            match map.get(name) {
                Some(v) => Ok(Answer::Found(v.clone())),
                None if self.exists(name) => Ok(Answer::NoRecords),
                None => Ok(Answer::NxDomain),
            }
        }

        fn queries(&self) -> usize {
            self.asked.lock().unwrap().len()
        }
    }

    impl Resolve for Zone {
        async fn txt(&self, name: &str) -> Lookup<Vec<String>> {
            self.answer("TXT", name, &self.txt)
        }
        async fn mx(&self, name: &str) -> Lookup<Vec<(u16, String)>> {
            self.answer("MX", name, &self.mx)
        }
        async fn addresses(&self, name: &str) -> Lookup<Vec<IpAddr>> {
            self.answer("A", name, &self.addresses)
        }
        async fn caa(&self, _name: &str) -> Lookup<Vec<super::super::dns::Caa>> {
            Ok(Answer::NoRecords)
        }
    }

    fn run(zone: &Zone, domain: &str) -> ProbeResult {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(check(domain, zone))
    }

    fn evidence<'a>(r: &'a ProbeResult, label: &str) -> &'a str {
        r.evidence
            .iter()
            .find(|e| e.label == label)
            .map_or_else(|| panic!("no evidence {label:?} in {r:#?}"), |e| e.value.as_str())
    }

    fn error(record: &str) -> SyntaxError {
        parse(record).expect_err(record)
    }

    // ---- the parser -----------------------------------------------------------------------

    #[test]
    fn a_typical_record_parses_into_its_terms() {
        let r = parse("v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 include:_spf.google.com a mx -all").unwrap();
        assert_eq!(r.terms.len(), 6);
        assert_eq!(
            r.terms[0].mechanism,
            Mechanism::Ip4 {
                addr: Ipv4Addr::new(192, 0, 2, 0),
                prefix: Some(24)
            }
        );
        assert_eq!(
            r.terms[1].mechanism,
            Mechanism::Ip6 {
                addr: "2001:db8::".parse().unwrap(),
                prefix: Some(32)
            }
        );
        assert_eq!(
            r.terms[2].mechanism,
            Mechanism::Include {
                domain: "_spf.google.com".into()
            }
        );
        assert_eq!(r.terms[2].qualifier, Qualifier::Pass);
        assert_eq!(r.terms[2].position, 42);
        assert_eq!(r.terms[2].text, "include:_spf.google.com");
        assert_eq!(
            r.terms[3].mechanism,
            Mechanism::A {
                domain: None,
                cidr4: None,
                cidr6: None
            }
        );
        assert_eq!(r.all(), Some(Qualifier::Fail));
        assert!(r.modifiers.is_empty());
        assert_eq!(parse("v=spf1").unwrap(), Record::default());
        assert_eq!(parse("v=spf1 ").unwrap().all(), None);
    }

    #[test]
    fn names_are_case_insensitive_and_qualifiers_are_read() {
        let r = parse("V=SPF1 INCLUDE:Example.COM ~A ?Mx:MX.example.com Redirect=_SPF.example.com EXP=x.example.com")
            .unwrap();
        assert_eq!(
            r.terms[0].mechanism,
            Mechanism::Include {
                domain: "Example.COM".into()
            }
        );
        assert_eq!(r.terms[1].qualifier, Qualifier::SoftFail);
        assert_eq!(r.terms[2].qualifier, Qualifier::Neutral);
        assert_eq!(r.redirect().map(|m| m.value.as_str()), Some("_SPF.example.com"));
        assert_eq!(r.exp().map(|m| m.kind), Some(ModifierKind::Exp));
        assert_eq!(parse("v=spf1 -ALL").unwrap().all(), Some(Qualifier::Fail));
        assert_eq!(parse("v=spf1 all").unwrap().all(), Some(Qualifier::Pass));
        assert_eq!(parse("v=spf1 +all").unwrap().all(), Some(Qualifier::Pass));
    }

    #[test]
    fn repeated_spaces_are_one_separator_and_positions_count_characters() {
        let r = parse("v=spf1  a   -all  ").unwrap();
        assert_eq!(r.terms.len(), 2);
        assert_eq!((r.terms[0].position, r.terms[1].position), (8, 12));
        assert_eq!(error("v=spf1   a   a/33").position, 13);
    }

    #[test]
    fn dual_cidr_lengths() {
        let r = parse("v=spf1 a/24//64 mx:example.com//48 a:example.com/32 mx/0 a//0 ptr:example.com").unwrap();
        assert_eq!(
            r.terms[0].mechanism,
            Mechanism::A {
                domain: None,
                cidr4: Some(24),
                cidr6: Some(64)
            }
        );
        assert_eq!(
            r.terms[1].mechanism,
            Mechanism::Mx {
                domain: Some("example.com".into()),
                cidr4: None,
                cidr6: Some(48)
            }
        );
        assert_eq!(
            r.terms[2].mechanism,
            Mechanism::A {
                domain: Some("example.com".into()),
                cidr4: Some(32),
                cidr6: None
            }
        );
        assert_eq!(
            r.terms[3].mechanism,
            Mechanism::Mx {
                domain: None,
                cidr4: Some(0),
                cidr6: None
            }
        );
        assert_eq!(
            r.terms[4].mechanism,
            Mechanism::A {
                domain: None,
                cidr4: None,
                cidr6: Some(0)
            }
        );
        assert_eq!(
            r.terms[5].mechanism,
            Mechanism::Ptr {
                domain: Some("example.com".into())
            }
        );
    }

    #[test]
    fn out_of_range_and_malformed_prefix_lengths_are_errors() {
        let e = error("v=spf1 mx ip4:10.0.0.1/33 -all");
        assert_eq!(e.position, 10);
        assert_eq!(
            e.message,
            "`ip4:10.0.0.1/33`: an IPv4 prefix length must be between 0 and 32"
        );
        assert!(error("v=spf1 a/33").message.contains("between 0 and 32"));
        assert!(error("v=spf1 a//129").message.contains("between 0 and 128"));
        assert!(error("v=spf1 ip6:::1/129").message.contains("between 0 and 128"));
        assert!(error("v=spf1 a/024").message.contains("must not start with 0"));
        assert!(
            error("v=spf1 a/99999999999999999999")
                .message
                .contains("between 0 and 32")
        );
        assert!(
            error("v=spf1 a/24/64")
                .message
                .contains("/N for IPv4 then //N for IPv6")
        );
        assert!(
            error("v=spf1 a:example.com/")
                .message
                .contains("prefix lengths come after")
        );
        assert!(error("v=spf1 a/").message.contains("prefix lengths come after"));
        assert!(
            error("v=spf1 ip4:1.2.3.4//24")
                .message
                .contains("only an IPv4 prefix length")
        );
        assert!(
            error("v=spf1 ip4:1.2.3.4/")
                .message
                .contains("must be followed by a prefix length")
        );
        assert!(error("v=spf1 ptr/24").message.contains("ptr takes no prefix length"));
        assert!(
            error("v=spf1 include:example.com/24")
                .message
                .contains("`/` does not belong")
        );
    }

    #[test]
    fn macros_in_domain_specs() {
        let r = parse(
            "v=spf1 exists:%{i}.%{ir}.%{v}._spf.%{d2} include:%{l1r-}.example.com a:%{D}.Example.com \
             exists:%{s}%%%_%-.example.com ptr:%{d} mx:%{o}/24 exp=explain.%{d} -all",
        )
        .unwrap();
        assert_eq!(r.terms.len(), 7);
        assert_eq!(r.terms[0].mechanism.domain_spec(), Some("%{i}.%{ir}.%{v}._spf.%{d2}"));
        assert_eq!(
            r.terms[5].mechanism,
            Mechanism::Mx {
                domain: Some("%{o}".into()),
                cidr4: Some(24),
                cidr6: None
            }
        );
        // Every delimiter, and a transformer with a number and r.
        assert!(parse("v=spf1 include:%{l12r.-+,/_=}.example.com").is_ok());
        assert!(error("v=spf1 include:%{x}.example.com").message.contains("not a macro"));
        assert!(error("v=spf1 include:%{d0}.example.com").message.contains("at least 1"));
        assert!(
            error("v=spf1 include:%{d.example.com")
                .message
                .contains("not a valid macro")
        );
        assert!(error("v=spf1 include:%{d").message.contains("missing its closing }"));
        assert!(error("v=spf1 include:%x.example.com").message.contains("after % comes"));
        assert!(error("v=spf1 exists:example.com%").message.contains("lone %"));
        assert!(
            error("v=spf1 include:%{c}.example.com")
                .message
                .contains("only in explanation text")
        );
        assert!(error("v=spf1 include:%{d}com").message.contains("top-level domain"));
        // c, r and t are fine in an unknown modifier's macro-string.
        assert!(parse("v=spf1 note=%{c}%{r}%{t} -all").is_ok());
    }

    #[test]
    fn unknown_modifiers_are_kept_and_checked() {
        let r = parse("v=spf1 moo=bar foo.bar-baz_1=%{d} empty= -all").unwrap();
        assert_eq!(r.modifiers.len(), 3);
        assert!(r.modifiers.iter().all(|m| m.kind == ModifierKind::Unknown));
        assert_eq!(r.modifiers[1].name, "foo.bar-baz_1");
        assert_eq!(r.modifiers[2].value, "");
        assert!(error("v=spf1 1foo=bar").message.contains("not a valid modifier name"));
        assert!(
            error("v=spf1 =bar")
                .message
                .contains("modifier name before = is missing")
        );
        assert!(
            error("v=spf1 -foo=bar")
                .message
                .contains("cannot start with a qualifier")
        );
        assert!(error("v=spf1 foo=%z").message.contains("not a macro"));
        // `include=` is a valid (ignored) modifier by the grammar; the check warns about it.
        assert_eq!(
            parse("v=spf1 include=_spf.example.com -all").unwrap().modifiers[0].kind,
            ModifierKind::Unknown
        );
    }

    #[test]
    fn redirect_and_exp_at_most_once() {
        let e = error("v=spf1 redirect=a.example.com Redirect=b.example.com");
        assert_eq!(e.position, 30);
        assert!(e.message.contains("only once"), "{e:?}");
        assert!(
            error("v=spf1 exp=a.example.com -all exp=b.example.com")
                .message
                .contains("exp= only once")
        );
        assert!(error("v=spf1 redirect=").message.contains("needs a domain name"));
        assert!(error("v=spf1 redirect:example.com").message.contains("written with ="));
        assert!(parse("v=spf1 redirect=a.example.com exp=b.example.com").is_ok());
    }

    #[test]
    fn bad_qualifiers_and_unknown_mechanisms() {
        assert!(error("v=spf1 !all").message.contains("`!` is not a qualifier"));
        assert!(
            error("v=spf1 *include:example.com")
                .message
                .contains("`*` is not a qualifier")
        );
        assert!(error("v=spf1 ++all").message.contains("only one qualifier"));
        assert!(error("v=spf1 -").message.contains("followed by a mechanism"));
        assert!(error("v=spf1 foo -all").message.contains("not an SPF mechanism"));
        assert!(error("v=spf1 ip:1.2.3.4").message.contains("ip4:"));
        assert!(
            error("v=spf1 all:example.com")
                .message
                .contains("takes nothing after it")
        );
        assert!(error("v=spf1 all/24").message.contains("takes nothing after it"));
    }

    #[test]
    fn bad_addresses() {
        for (record, hint) in [
            ("v=spf1 ip4:256.0.0.1", "not a valid IPv4 address"),
            ("v=spf1 ip4:1.2.3", "not a valid IPv4 address"),
            ("v=spf1 ip4:01.2.3.4", "not a valid IPv4 address"),
            ("v=spf1 ip4:2001:db8::1", "write it as ip6:2001:db8::1"),
            ("v=spf1 ip6:192.0.2.1", "write it as ip4:192.0.2.1"),
            ("v=spf1 ip6:zz::1", "not a valid IPv6 address"),
            ("v=spf1 ip4:", "needs an address"),
            ("v=spf1 ip4", "needs an address"),
            ("v=spf1 ip6:fe80::1%eth0", "not a valid IPv6 address"),
        ] {
            let e = error(record);
            assert!(e.message.contains(hint), "{record}: {e:?}");
            assert_eq!(e.position, 7, "{record}");
        }
        assert!(parse("v=spf1 ip6:::ffff:192.0.2.1 ip6:::1/128 ip4:0.0.0.0/0").is_ok());
    }

    #[test]
    fn bad_domain_specs() {
        for (record, hint) in [
            ("v=spf1 include:", "needs a domain name"),
            ("v=spf1 include", "needs a domain name"),
            ("v=spf1 include/24", "after a colon"),
            ("v=spf1 include:localhost", "not a full domain name"),
            ("v=spf1 a:192.0.2.1", "write ip4:192.0.2.1"),
            ("v=spf1 a:2001:db8::1", "write ip6:2001:db8::1"),
            ("v=spf1 include:foo..com", "empty part"),
            ("v=spf1 include:.foo.com", "empty part"),
            ("v=spf1 include:example.123", "top-level domain"),
            ("v=spf1 include:example.com-", "top-level domain"),
            ("v=spf1 exists:", "needs a domain name"),
        ] {
            let e = error(record);
            assert!(e.message.contains(hint), "{record}: {e:?}");
        }
        let long = format!("v=spf1 include:{}.example.com", "a".repeat(64));
        assert!(error(&long).message.contains("longer than 63"));
        assert!(parse("v=spf1 include:example.com. include:xn--p1ai.xn--p1ai a:host.1-2").is_ok());
    }

    #[test]
    fn the_version_and_the_characters() {
        assert_eq!(error("").position, 0);
        assert!(error("spf1 -all").message.contains("must begin with v=spf1"));
        assert!(error("v=spf10 -all").message.contains("v=spf1 and a space"));
        assert!(error(" v=spf1 -all").message.contains("must begin with v=spf1"));
        assert!(error("v=spf1\t-all").message.contains("not a tab"));
        let e = error("v=spf1 a\t-all");
        assert_eq!(e.position, 7);
        assert!(e.message.contains("tab"));
        let e = error("v=spf1 include:exämple.com");
        assert_eq!(e.position, 7);
        assert!(e.message.contains("`ä`"));
        assert!(error("v=spf1 a\u{7}").message.contains("control character"));
    }

    #[test]
    fn garbled_input_never_panics() {
        let alphabet: Vec<char> = "v=spf1 VSPF:/%{}.-+~?_,=!*0123456789abcdeilmnoprstx4 6\t\u{e9}\u{1F600}\u{0}/"
            .chars()
            .collect();
        let prefixes = [
            "",
            "v=spf1 ",
            "v=spf1 a",
            "v=spf1 include:%{",
            "v=spf1 ip4:1.2.3.4",
            "v=spf1 ip6:",
        ];
        let mut rng = Xorshift::new(0x9e37_79b9_7f4a_7c15);
        let mut ok = 0;
        for _ in 0..5000 {
            let mut s = prefixes[rng.below(prefixes.len())].to_string();
            for _ in 0..rng.below(48) {
                s.push(alphabet[rng.below(alphabet.len())]);
            }
            match parse(&s) {
                Ok(_) => ok += 1,
                Err(e) => assert!(e.position <= s.chars().count(), "{s:?}: {e:?}"),
            }
        }
        // The generator reaches both outcomes.
        assert!(ok > 0);
    }

    // ---- the check --------------------------------------------------------------------------

    fn good() -> Zone {
        Zone::default()
            .with_txt(
                "acme.example",
                &["v=spf1 include:_spf.mail.example ip4:192.0.2.0/24 mx -all", "hello=1"],
            )
            .with_txt(
                "_spf.mail.example",
                &["v=spf1 ip4:198.51.100.0/24 include:_nb.mail.example ~all"],
            )
            .with_txt("_nb.mail.example", &["v=spf1 ip6:2001:db8::/32 -all"])
            .with_mx("acme.example", "mx1.mail.example")
    }

    #[test]
    fn a_good_record_passes() {
        let zone = good();
        let r = run(&zone, "Acme.Example.");
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert_eq!(r.id, "email.spf");
        assert_eq!(
            evidence(&r, "TXT acme.example"),
            "v=spf1 include:_spf.mail.example ip4:192.0.2.0/24 mx -all"
        );
        assert_eq!(evidence(&r, "DNS lookups"), "3 of 10");
        assert_eq!(evidence(&r, "void lookups"), "0 of 2");
        let tree = evidence(&r, "lookup tree");
        assert!(tree.starts_with("acme.example (3 lookups in total)"), "{tree}");
        assert!(tree.contains("\n  include:_spf.mail.example (2 lookups)"), "{tree}");
        assert!(tree.contains("\n    include:_nb.mail.example (1 lookup)"), "{tree}");
        assert!(tree.contains("\n  mx → acme.example (1 mail server)"), "{tree}");
        assert!(
            r.summary.contains("-all") && r.summary.contains("3 of the 10"),
            "{}",
            r.summary
        );
        assert!(r.fix.is_none());
    }

    #[test]
    fn the_check_future_is_send() {
        fn send<T: Send>(_: &T) {}
        let zone = good();
        let future = check("acme.example", &zone);
        send(&future);
    }

    #[test]
    fn no_record_fails_with_a_starter_record() {
        let zone = Zone::default().with_txt("acme.example", &["google-site-verification=abc"]);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Fail);
        assert!(r.summary.contains("no SPF record"), "{}", r.summary);
        assert!(evidence(&r, "TXT acme.example").contains("1 TXT record of another kind"));
        let fix = r.fix.clone().unwrap();
        assert!(
            fix.contains("v=spf1 include:<your mail provider's SPF domain> ~all"),
            "{fix}"
        );
        // `v=spf10` is not an SPF record.
        let zone = Zone::default()
            .with_txt("acme.example", &["v=spf10 -all"])
            .with_mx("acme.example", "mx.example");
        assert_eq!(run(&zone, "acme.example").status, Status::Fail);
        let zone = Zone::default().with_mx("acme.example", "mx.example");
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Fail);
        assert_eq!(evidence(&r, "TXT acme.example"), "no TXT records at all");
    }

    #[test]
    fn a_domain_that_does_not_exist_is_its_own_message() {
        let r = run(&Zone::default(), "nowhere.example");
        assert_eq!(r.status, Status::Error);
        assert!(r.summary.contains("does not exist"), "{}", r.summary);
        assert_eq!(run(&Zone::default(), "not a domain").status, Status::Error);
    }

    #[test]
    fn two_records_fail_and_the_fix_merges_them() {
        let zone = Zone::default().with_txt(
            "acme.example",
            &[
                "v=spf1 ip4:192.0.2.1 include:_spf.a.example -all",
                "V=SPF1 include:_spf.a.example mx ~all",
            ],
        );
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Fail);
        assert!(r.summary.contains("2 SPF records"), "{}", r.summary);
        assert_eq!(evidence(&r, "TXT acme.example").lines().count(), 2);
        let fix = r.fix.clone().unwrap();
        assert!(
            fix.contains("`v=spf1 ip4:192.0.2.1 include:_spf.a.example mx -all`"),
            "{fix}"
        );
        assert_eq!(zone.queries(), 1, "no need to follow anything");
    }

    #[test]
    fn a_syntax_error_fails_with_its_position() {
        let zone = Zone::default().with_txt("acme.example", &["v=spf1 mx ip4:192.0.2.1/33 -all"]);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Fail);
        assert!(r.summary.contains("character 11"), "{}", r.summary);
        let detail = evidence(&r, "syntax error");
        assert!(detail.contains("\n          ^\n"), "{detail}");
        assert!(
            detail.contains("`ip4:192.0.2.1/33`: an IPv4 prefix length must be between 0 and 32"),
            "{detail}"
        );
    }

    #[test]
    fn more_than_ten_lookups_through_nested_includes_fail() {
        let mut zone = Zone::default()
            .with_txt(
                "acme.example",
                &["v=spf1 include:big.example include:small.example a ~all"],
            )
            .with_txt(
                "big.example",
                &["v=spf1 include:b1.example include:b2.example include:b3.example -all"],
            )
            .with_txt("small.example", &["v=spf1 include:s1.example -all"])
            .with_address("acme.example", "192.0.2.1");
        for name in ["b1", "b2", "b3", "s1"] {
            zone = zone
                .with_txt(
                    &format!("{name}.example"),
                    &[&format!("v=spf1 a:h.{name}.example -all")],
                )
                .with_address(&format!("h.{name}.example"), "192.0.2.2");
        }
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Fail, "{r:#?}");
        // big 1 + 3 × (include + a) = 7; small 1 + 2 = 3; a = 1.
        assert_eq!(evidence(&r, "DNS lookups"), "11 of 10");
        assert!(r.summary.contains("needs 11 DNS lookups"), "{}", r.summary);
        let fix = r.fix.clone().unwrap();
        assert!(
            fix.contains("The heaviest: include:big.example (7 lookups), include:small.example (3 lookups)."),
            "{fix}"
        );
        assert!(evidence(&r, "lookup tree").contains("      a:h.b3.example (1 address)"));
    }

    #[test]
    fn more_than_two_void_lookups_fail() {
        let zone = Zone::default()
            .with_txt(
                "acme.example",
                &["v=spf1 a:gone1.example mx:gone2.example include:_spf.p.example -all"],
            )
            .with_txt("_spf.p.example", &["v=spf1 exists:empty.example -all"])
            .with_mx("empty.example", "mx.example");
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Fail, "{r:#?}");
        assert_eq!(evidence(&r, "void lookups"), "3 of 2");
        assert!(r.summary.contains("3 names"), "{}", r.summary);
        assert!(evidence(&r, "lookup tree").contains("exists:empty.example (no records: void lookup)"));
        assert!(
            r.fix
                .clone()
                .unwrap()
                .contains("`a:gone1.example` in the record of acme.example (gone1.example does not exist)")
        );
        // Two are allowed.
        let zone = Zone::default().with_txt("acme.example", &["v=spf1 a:gone1.example a:gone2.example -all"]);
        assert_eq!(run(&zone, "acme.example").status, Status::Pass);
    }

    #[test]
    fn an_include_loop_fails_naming_the_chain() {
        let zone = Zone::default()
            .with_txt("acme.example", &["v=spf1 include:a.example -all"])
            .with_txt("a.example", &["v=spf1 include:b.example -all"])
            .with_txt("b.example", &["v=spf1 include:A.example. -all"]);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Fail, "{r:#?}");
        assert!(
            r.summary
                .contains("form a loop (acme.example → a.example → b.example → a.example)"),
            "{}",
            r.summary
        );
        // The same include twice on one level is not a loop.
        let zone = Zone::default()
            .with_txt("acme.example", &["v=spf1 include:a.example include:a.example -all"])
            .with_txt("a.example", &["v=spf1 ip4:192.0.2.1 -all"]);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert_eq!(evidence(&r, "DNS lookups"), "2 of 10");
        assert_eq!(zone.queries(), 2, "the second include is answered from the cache");
    }

    #[test]
    fn plus_all_fails_and_the_fix_shows_the_record() {
        let zone = Zone::default()
            .with_txt("acme.example", &["v=spf1 mx  +all"])
            .with_mx("acme.example", "mx.example");
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Fail);
        assert!(r.summary.contains("any server in the world"), "{}", r.summary);
        assert!(r.fix.clone().unwrap().contains("`v=spf1 mx ~all`"));
        let zone = Zone::default().with_txt("acme.example", &["v=spf1 all"]);
        assert_eq!(run(&zone, "acme.example").status, Status::Fail);
        let zone = Zone::default().with_txt("acme.example", &["v=spf1 ip4:0.0.0.0/0 -all"]);
        assert_eq!(run(&zone, "acme.example").status, Status::Fail);
        // A provider's record ending in +all lets everyone through the include.
        let zone = Zone::default()
            .with_txt("acme.example", &["v=spf1 include:open.example -all"])
            .with_txt("open.example", &["v=spf1 +all"]);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.summary.contains("includes open.example, whose record ends in +all"),
            "{}",
            r.summary
        );
    }

    #[test]
    fn question_all_and_no_all_warn() {
        let zone = Zone::default().with_txt("acme.example", &["v=spf1 ip4:192.0.2.1 ?all"]);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Warn);
        assert!(r.fix.clone().unwrap().contains("`v=spf1 ip4:192.0.2.1 ~all`"));
        let zone = Zone::default().with_txt("acme.example", &["v=spf1 ip4:192.0.2.1"]);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Warn);
        assert!(r.summary.contains("no closing all"), "{}", r.summary);
        assert!(r.fix.clone().unwrap().contains("`v=spf1 ip4:192.0.2.1 ~all`"));
    }

    #[test]
    fn redirect_takes_the_ending_of_its_target() {
        let zone = Zone::default()
            .with_txt("acme.example", &["v=spf1 redirect=_spf.acme.example"])
            .with_txt("_spf.acme.example", &["v=spf1 ip4:192.0.2.0/24 -all"]);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert_eq!(evidence(&r, "DNS lookups"), "1 of 10");
        assert!(
            r.summary.contains("-all (through redirect to _spf.acme.example)"),
            "{}",
            r.summary
        );
        let zone = Zone::default()
            .with_txt("acme.example", &["v=spf1 redirect=_spf.acme.example"])
            .with_txt("_spf.acme.example", &["v=spf1 ip4:192.0.2.0/24 +all"]);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Fail);
        assert!(r.fix.clone().unwrap().contains("`v=spf1 ip4:192.0.2.0/24 ~all`"));
        // With all in the record, redirect is ignored and not counted.
        let zone = Zone::default().with_txt("acme.example", &["v=spf1 redirect=_spf.acme.example -all"]);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert_eq!(evidence(&r, "DNS lookups"), "0 of 10");
        assert!(evidence(&r, "lookup tree").contains("ignored, not counted"));
        // A redirect to a name without SPF is an error.
        let zone = Zone::default().with_txt("acme.example", &["v=spf1 redirect=gone.example"]);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.summary.contains("redirects to gone.example, which does not exist"),
            "{}",
            r.summary
        );
    }

    #[test]
    fn includes_without_a_valid_record_fail() {
        for (record, words) in [
            (None, "which does not exist"),
            (Some("hello"), "which has no SPF record"),
            (Some("v=spf1 a/99 -all"), "whose SPF record has a mistake"),
        ] {
            let mut zone = Zone::default().with_txt("acme.example", &["v=spf1 include:p.example -all"]);
            if let Some(record) = record {
                zone = zone.with_txt("p.example", &[record]);
            }
            let r = run(&zone, "acme.example");
            assert_eq!(r.status, Status::Fail, "{record:?}");
            assert!(r.summary.contains(words), "{record:?}: {}", r.summary);
        }
    }

    #[test]
    fn ptr_warns() {
        let zone = Zone::default().with_txt("acme.example", &["v=spf1 ptr:acme.example -all"]);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Warn);
        assert!(r.summary.contains("ptr"), "{}", r.summary);
        assert_eq!(evidence(&r, "DNS lookups"), "1 of 10");
        assert_eq!(zone.queries(), 1, "ptr is not looked up");
    }

    #[test]
    fn an_mx_with_more_than_ten_hosts_fails() {
        let mut zone = Zone::default().with_txt("acme.example", &["v=spf1 mx -all"]);
        for i in 0..11 {
            zone = zone.with_mx("acme.example", &format!("mx{i}.example"));
        }
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Fail, "{r:#?}");
        assert!(r.summary.contains("finds 11 mail servers"), "{}", r.summary);
        assert!(evidence(&r, "lookup tree").contains("mx → acme.example (11 mail servers)"));
    }

    #[test]
    fn macros_are_counted_but_not_followed() {
        let zone = Zone::default().with_txt(
            "acme.example",
            &["v=spf1 include:%{i}._spf.acme.example exists:%{l}.x.acme.example -all"],
        );
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert!(evidence(&r, "DNS lookups").starts_with("2 of 10 (at least"));
        assert!(evidence(&r, "lookup tree").contains("contains macros that depend on each message"));
        assert_eq!(zone.queries(), 1);
    }

    #[test]
    fn small_mistakes_warn() {
        let zone = Zone::default().with_txt("acme.example", &["v=spf1 -all include:_spf.p.example"]);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Warn);
        assert!(r.fix.clone().unwrap().contains("`v=spf1 include:_spf.p.example -all`"));
        assert_eq!(evidence(&r, "DNS lookups"), "0 of 10");
        let zone = Zone::default().with_txt("acme.example", &["v=spf1 include=_spf.p.example -all"]);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Warn);
        assert!(r.fix.clone().unwrap().contains("include:_spf.p.example"));
    }

    #[test]
    fn dns_failures_are_errors_not_verdicts() {
        let zone = good().failing("_nb.mail.example", DnsError::Timeout);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Error, "{r:#?}");
        assert!(r.summary.contains("did not answer in time"), "{}", r.summary);
        assert!(evidence(&r, "DNS lookups").contains("at least"));
        let zone = good().failing("acme.example", DnsError::ServFail);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Error);
        assert!(r.summary.contains("SERVFAIL"), "{}", r.summary);
        let zone = Zone::default()
            .with_txt("acme.example", &["v=spf1 a:broken.example -all"])
            .failing("broken.example", DnsError::Refused);
        assert_eq!(run(&zone, "acme.example").status, Status::Error);
        // A failure already certain stays a failure.
        let zone = Zone::default()
            .with_txt("acme.example", &["v=spf1 include:slow.example +all"])
            .failing("slow.example", DnsError::Timeout);
        assert_eq!(run(&zone, "acme.example").status, Status::Fail);
    }

    #[test]
    fn work_is_bounded() {
        // A chain of 30 distinct includes: depth stops at 10, and the count already fails.
        let mut zone = Zone::default().with_txt("acme.example", &["v=spf1 include:l0.example -all"]);
        for i in 0..30 {
            zone = zone.with_txt(
                &format!("l{i}.example"),
                &[&format!("v=spf1 include:l{}.example -all", i + 1)],
            );
        }
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Fail);
        assert!(zone.queries() <= 11, "{}", zone.queries());
        assert!(evidence(&r, "lookup tree").contains("more than 10 levels"));
        // A wide tree of distinct names stops at the query budget.
        let many: Vec<String> = (0..100).map(|i| format!("a:h{i}.example")).collect();
        let record = format!("v=spf1 {} -all", many.join(" "));
        let zone = Zone::default().with_txt("acme.example", &[&record]);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Fail);
        assert_eq!(zone.queries(), MAX_QUERIES);
        assert!(evidence(&r, "DNS lookups").starts_with("100 of 10"));
        // Includes of includes of the same name: records stop at MAX_RECORDS.
        let wide: Vec<String> = (0..8).map(|_| "include:w.example".to_string()).collect();
        let record = format!("v=spf1 {} -all", wide.join(" "));
        let zone = Zone::default()
            .with_txt("acme.example", &[&record])
            .with_txt("w.example", &[&record.replace("w.example", "v.example")])
            .with_txt("v.example", &[&record.replace("w.example", "u.example")])
            .with_txt("u.example", &["v=spf1 -all"]);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Fail);
        assert!(evidence(&r, "lookup tree").contains("too many records"));
    }
}
