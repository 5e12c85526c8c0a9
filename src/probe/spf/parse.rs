//! SPF records (RFC 7208): the model (terms and modifiers, as written) and [`parse`], which
//! reads one record and reports the first syntax error with its position. Pure: no DNS.
//!
//! Decisions worth knowing:
//! - The macro letters `c`, `r` and `t` are refused in domain-specs (RFC 7208 §7.1 allows them
//!   only in explanation text); a literal `/` inside a domain name is refused as a misplaced
//!   prefix length, though the ABNF alone would accept it.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::probe::{SyntaxError, shorten};

/// The mechanism names, for the hints about misspelt terms.
pub(super) const MECHANISMS: [&str; 8] = ["all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"];

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
pub(super) fn tokens(s: &str, base: usize) -> Vec<(usize, &str)> {
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
pub(super) fn clip(s: &str) -> String {
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
pub(super) fn is_spf(txt: &str) -> bool {
    txt.get(..6).is_some_and(|v| v.eq_ignore_ascii_case("v=spf1"))
        && txt
            .get(6..)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
}

#[cfg(test)]
mod tests {
    //! The parser's error and valid-record cases are data, in tests/cases/spf.toml (run by
    //! tests/records.rs); here only what a table cannot say.

    use super::*;
    use crate::probe::Xorshift;

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
}
