//! A received message's proof: the `email.message_auth` check reads an `.eml` file or pasted
//! headers, finds the `Authentication-Results` header the receiving server added (RFC 8601), and
//! says whether SPF, DKIM and DMARC passed on a real message, and for which domains.
//!
//! The input is untrusted text: it is size-capped, comments are skipped without recursion and
//! every index is checked, so no input can make this panic.

use std::fmt::Write as _;

use super::dns::{normalise, organisational};
use super::{ProbeResult, Status, shorten};

pub const ID: &str = "email.message_auth";
const TITLE: &str = "SPF, DKIM and DMARC on a real message";

/// Inputs larger than this are refused: headers are a few kilobytes, a whole `.eml` rarely more
/// than this once attachments are left out.
pub const MAX_INPUT: usize = 1024 * 1024;

/// One `Authentication-Results` header (RFC 8601 §2.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthResults {
    /// The server that added the header (absent in Microsoft's headers).
    pub authserv_id: Option<String>,
    pub version: Option<u32>,
    /// Empty for `authserv-id; none`.
    pub results: Vec<MethodResult>,
}

/// One `method=result …` clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodResult {
    /// Lowercase, e.g. `spf`, `dkim`, `dmarc`.
    pub method: String,
    pub method_version: Option<String>,
    /// Lowercase, e.g. `pass`, `fail`, `softfail`, `none`.
    pub result: String,
    pub reason: Option<String>,
    pub properties: Vec<Property>,
}

/// A `ptype.property=value` pair (`smtp.mailfrom=…`, `header.d=…`). Other `key=value` pairs some
/// servers add (Microsoft's `action=none`) have an empty `ptype`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    pub ptype: String,
    pub name: String,
    pub value: String,
}

impl MethodResult {
    /// The value of `ptype.name`, both compared case-insensitively.
    pub fn property(&self, ptype: &str, name: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|p| p.ptype.eq_ignore_ascii_case(ptype) && p.name.eq_ignore_ascii_case(name))
            .map(|p| p.value.as_str())
    }

    fn passed(&self) -> bool {
        self.result == "pass"
    }
}

/// A cursor over the characters of one header value.
struct Cursor {
    chars: Vec<char>,
    at: usize,
}

impl Cursor {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    /// Skips whitespace and comments; comments nest and may hold `\` escapes (RFC 5322 §3.2.2).
    fn skip_cfws(&mut self) {
        loop {
            match self.peek() {
                Some(c) if c.is_whitespace() => self.at += 1,
                Some('(') => self.skip_comment(),
                _ => return,
            }
        }
    }

    /// From an opening `(` to its matching `)`, counting depth instead of recursing; an
    /// unclosed comment runs to the end.
    fn skip_comment(&mut self) {
        let mut depth = 0usize;
        while let Some(c) = self.peek() {
            self.at += 1;
            match c {
                '\\' => self.at += 1,
                '(' => depth += 1,
                ')' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return;
                    }
                }
                _ => {}
            }
        }
    }

    /// A keyword-like run: everything up to whitespace or one of `=;()"`.
    fn word(&mut self) -> String {
        let start = self.at;
        while let Some(c) = self.peek() {
            if c.is_whitespace() || matches!(c, '=' | ';' | '(' | ')' | '"') {
                break;
            }
            self.at += 1;
        }
        self.chars.get(start..self.at).unwrap_or(&[]).iter().collect()
    }

    /// A quoted string (at its opening quote), unescaped; an unclosed one runs to the end.
    fn quoted(&mut self) -> String {
        let mut out = String::new();
        self.at += 1;
        while let Some(c) = self.peek() {
            self.at += 1;
            match c {
                '"' => break,
                '\\' => {
                    if let Some(next) = self.peek() {
                        out.push(next);
                        self.at += 1;
                    }
                }
                _ => out.push(c),
            }
        }
        out
    }

    /// A value: a quoted string, or everything up to whitespace, `;` or a comment.
    fn value(&mut self) -> String {
        if self.peek() == Some('"') {
            return self.quoted();
        }
        let start = self.at;
        while let Some(c) = self.peek() {
            if c.is_whitespace() || matches!(c, ';' | '(' | ')') {
                break;
            }
            self.at += 1;
        }
        self.chars.get(start..self.at).unwrap_or(&[]).iter().collect()
    }

    fn skip_to_semicolon(&mut self) {
        while let Some(c) = self.peek() {
            if c == ';' {
                return;
            }
            if c == '(' {
                self.skip_comment();
            } else if c == '"' {
                self.quoted();
            } else {
                self.at += 1;
            }
        }
    }
}

/// Parses the value of an `Authentication-Results` header (RFC 8601 §2.2):
/// `authserv-id [version] ( "; none" / 1*( ";" method[/version]=result [reason=…]
/// *(ptype.property=value) ) )`, with comments anywhere and quoted strings.
///
/// Lenient the way receivers' headers need: a missing authserv-id (Microsoft) is accepted,
/// unknown `key=value` pairs are kept, a clause it cannot read is skipped to the next `;`.
/// Returns `None` when nothing in the value looks like a result or a server name.
pub fn parse_authentication_results(value: &str) -> Option<AuthResults> {
    let mut cur = Cursor {
        chars: value.chars().collect(),
        at: 0,
    };
    cur.skip_cfws();
    let start = cur.at;
    let first = if cur.peek() == Some('"') {
        cur.quoted()
    } else {
        cur.word()
    };
    cur.skip_cfws();
    let mut authserv_id = None;
    let mut version = None;
    if first.is_empty() || cur.peek() == Some('=') {
        cur.at = start;
    } else {
        authserv_id = Some(first);
        if cur.peek().is_some_and(|c| c.is_ascii_digit()) {
            let before = cur.at;
            let digits = cur.word();
            match digits.parse::<u32>() {
                Ok(v) if digits.bytes().all(|b| b.is_ascii_digit()) => version = Some(v),
                _ => cur.at = before,
            }
        }
    }
    let mut results = Vec::new();
    loop {
        cur.skip_cfws();
        match cur.peek() {
            None => break,
            Some(';') => {
                cur.at += 1;
                continue;
            }
            Some(_) => {}
        }
        if let Some(result) = resinfo(&mut cur) {
            results.push(result);
        }
    }
    if authserv_id.is_none() && results.is_empty() {
        return None;
    }
    Some(AuthResults {
        authserv_id,
        version,
        results,
    })
}

/// One `method=result …` clause, the cursor at its method; `None` (cursor at the next `;`) when
/// it is not one (e.g. the `none` of "no results").
fn resinfo(cur: &mut Cursor) -> Option<MethodResult> {
    let method_word = cur.word();
    if method_word.is_empty() {
        cur.at += 1;
        cur.skip_to_semicolon();
        return None;
    }
    cur.skip_cfws();
    if !cur.eat('=') {
        cur.skip_to_semicolon();
        return None;
    }
    cur.skip_cfws();
    let result = cur.word();
    if result.is_empty() {
        cur.skip_to_semicolon();
        return None;
    }
    let (method, method_version) = match method_word.split_once('/') {
        Some((m, v)) => (m.trim().to_ascii_lowercase(), Some(v.trim().to_string())),
        None => (method_word.to_ascii_lowercase(), None),
    };
    let mut found = MethodResult {
        method,
        method_version,
        result: result.to_ascii_lowercase(),
        reason: None,
        properties: Vec::new(),
    };
    loop {
        cur.skip_cfws();
        match cur.peek() {
            None | Some(';') => break,
            Some(_) => {}
        }
        let key = cur.word();
        if key.is_empty() {
            // A stray `=`, `)` or quoted string: step over it.
            if cur.peek() == Some('"') {
                cur.quoted();
            } else {
                cur.at += 1;
            }
            continue;
        }
        cur.skip_cfws();
        if !cur.eat('=') {
            continue;
        }
        cur.skip_cfws();
        let value = cur.value();
        if key.eq_ignore_ascii_case("reason") {
            found.reason = Some(value);
        } else if let Some((ptype, name)) = key.split_once('.') {
            found.properties.push(Property {
                ptype: ptype.to_ascii_lowercase(),
                name: name.to_ascii_lowercase(),
                value,
            });
        } else {
            found.properties.push(Property {
                ptype: String::new(),
                name: key.to_ascii_lowercase(),
                value,
            });
        }
    }
    Some(found)
}

/// The header fields of a message, unfolded (RFC 5322 §2.2.3), up to the first empty line.
/// Lines that are not fields (an mbox `From ` line, stray text) are skipped.
fn read_headers(text: &str) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for raw in text.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            if headers.is_empty() {
                continue;
            }
            break;
        }
        if line.starts_with([' ', '\t'])
            && let Some((_, value)) = headers.last_mut()
        {
            value.push_str(line);
            continue;
        }
        let Some((name, value)) = line.trim_start().split_once(':') else {
            continue;
        };
        let name = name.trim_end();
        if !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic()) {
            headers.push((name.to_string(), value.to_string()));
        }
    }
    headers
}

/// The domain of the (first) address in a `From` value.
fn from_domain(value: &str) -> Option<String> {
    let address = match (value.rfind('<'), value.rfind('>')) {
        (Some(open), Some(close)) if open < close => value.get(open + 1..close).unwrap_or(""),
        _ => value,
    };
    let domain = address.rsplit_once('@')?.1;
    let domain: String = domain
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, '>' | ',' | ';' | '(' | ')' | '"'))
        .collect();
    let domain = normalise(&domain);
    (!domain.is_empty()).then_some(domain)
}

/// The domain part of an identity (`user@example.com`, `@example.com` or `example.com`).
fn domain_of(identity: &str) -> Option<String> {
    let domain = identity.rsplit_once('@').map_or(identity, |(_, d)| d);
    let domain = normalise(domain.trim_matches(|c: char| c == '<' || c == '>'));
    (!domain.is_empty()).then_some(domain)
}

/// Whether two domains align in DMARC's relaxed sense (same organisational domain).
fn aligned(a: &str, b: &str) -> bool {
    organisational(a) == organisational(b)
}

/// What a result means, in plain words.
fn explain(method: &str, result: &str, domain: Option<&str>) -> String {
    let of = domain.map(|d| format!(" of {d}")).unwrap_or_default();
    match (method, result) {
        (_, "temperror") => "a temporary DNS problem stopped the check; send another test message".into(),
        (_, "permerror") => format!(
            "the {} record{of} is broken, so receivers ignore it",
            method.to_uppercase()
        ),
        ("spf", "fail" | "hardfail") => {
            format!("the server that sent this message is not allowed by the SPF record{of}")
        }
        ("spf", "softfail") => format!("the server that sent this message is not listed in the SPF record{of} (~all)"),
        ("spf", "neutral") => format!("the SPF record{of} neither allows nor forbids the sending server (?all)"),
        ("spf", "none") => format!(
            "no SPF record was found{}",
            domain.map(|d| format!(" for {d}")).unwrap_or_default()
        ),
        ("dkim", "fail") => {
            "the DKIM signature did not verify: the message changed on the way or the published key does not match"
                .into()
        }
        ("dkim", "none") => "the message was not DKIM-signed".into(),
        ("dkim", "neutral") => "the DKIM signature could not be checked (malformed or unsupported)".into(),
        ("dkim", "policy") => "the receiver did not accept the DKIM signature under its local policy".into(),
        ("dmarc", "fail") => format!(
            "neither SPF nor DKIM passed for a domain matching the From address{}",
            domain.map(|d| format!(" ({d})")).unwrap_or_default()
        ),
        ("dmarc", "none" | "bestguesspass") => {
            format!(
                "no DMARC record was found{}",
                domain.map(|d| format!(" for {d}")).unwrap_or_default()
            )
        }
        (_, other) => format!("the result was \"{other}\""),
    }
}

/// `a`, `a and b`, `a, b and c`.
fn join_words<S: AsRef<str>>(words: &[S], conjunction: &str) -> String {
    match words {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [rest @ .., last] => {
            let rest: Vec<&str> = rest.iter().map(AsRef::as_ref).collect();
            format!("{} {conjunction} {}", rest.join(", "), last.as_ref())
        }
    }
}

/// Untrusted text made safe for a one-line summary or label: control characters become spaces.
fn printable(text: &str) -> String {
    shorten(
        &text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect::<String>(),
        100,
    )
}

fn error(summary: &str, fix: &str) -> ProbeResult {
    ProbeResult::new(ID, Status::Error, TITLE, summary).fix(fix)
}

const HOW_TO_PASTE: &str = "Open a message you sent to another mailbox and copy its full headers (Gmail: ⋮ → Show original; \
                            Outlook: File → Properties → Internet headers; Apple Mail: View → Message → All Headers), then \
                            run the check again with that text.";

/// The `email.message_auth` check over an `.eml` file or pasted headers.
pub fn check(text: &str) -> ProbeResult {
    if text.len() > MAX_INPUT {
        return error(
            "The input is larger than 1 MiB; only a message's headers are needed.",
            "Save or paste only the headers of the message (everything above the first empty line).",
        );
    }
    if text.contains('\0') {
        return error(
            "The input contains NUL bytes, so it is not an email message or its headers.",
            HOW_TO_PASTE,
        );
    }
    let headers = read_headers(text);
    let is = |name: &str, wanted: &str| name.eq_ignore_ascii_case(wanted);
    let auth: Vec<&str> = headers
        .iter()
        .filter(|(n, _)| is(n, "Authentication-Results"))
        .map(|(_, v)| v.as_str())
        .collect();
    let Some(top) = auth.first() else {
        let mut result = error(
            "No Authentication-Results header found: paste the full headers (in Gmail: Show original).",
            HOW_TO_PASTE,
        );
        result = result.evidence("Headers read", headers.len().to_string());
        if headers.iter().any(|(n, _)| is(n, "ARC-Authentication-Results")) {
            result = result.evidence(
                "Note",
                "only ARC-Authentication-Results headers were found; they come from forwarding servers, not the final receiver",
            );
        }
        return result;
    };
    let display = |value: &str| shorten(&value.split_whitespace().collect::<Vec<_>>().join(" "), 2000);
    let Some(parsed) = parse_authentication_results(top) else {
        return error(
            "The Authentication-Results header of this message could not be read.",
            "Paste the headers exactly as your mailbox shows them, without editing.",
        )
        .evidence("Authentication-Results", display(top));
    };
    let by = parsed
        .authserv_id
        .as_deref()
        .map_or_else(|| "the receiving server".to_string(), printable);
    let from = headers
        .iter()
        .find(|(n, _)| is(n, "From"))
        .and_then(|(_, v)| from_domain(v));

    let spf = parsed.results.iter().find(|r| r.method == "spf");
    let dkims: Vec<&MethodResult> = parsed.results.iter().filter(|r| r.method == "dkim").collect();
    let dmarc = parsed.results.iter().find(|r| r.method == "dmarc");
    let spf_domain = spf
        .and_then(|r| r.property("smtp", "mailfrom").or_else(|| r.property("smtp", "helo")))
        .and_then(domain_of);
    let dkim_domain = |r: &MethodResult| {
        r.property("header", "d")
            .or_else(|| r.property("header", "i"))
            .and_then(domain_of)
    };
    let from_domain = dmarc
        .and_then(|r| r.property("header", "from"))
        .and_then(domain_of)
        .or(from);
    let dkim_pass = dkims
        .iter()
        .find(|r| {
            r.passed()
                && from_domain
                    .as_deref()
                    .zip(dkim_domain(r))
                    .is_some_and(|(f, d)| aligned(f, &d))
        })
        .or_else(|| dkims.iter().find(|r| r.passed()))
        .copied();
    let dkim = dkim_pass.or_else(|| dkims.first().copied());

    let mut failures: Vec<(&str, String, String)> = Vec::new();
    let mut missing: Vec<&str> = Vec::new();
    for (label, method, found, domain) in [
        ("SPF", "spf", spf, spf_domain.clone()),
        ("DKIM", "dkim", dkim, dkim.and_then(dkim_domain)),
        ("DMARC", "dmarc", dmarc, from_domain.clone()),
    ] {
        match found {
            None => missing.push(label),
            Some(r) if r.passed() => {}
            Some(r) => failures.push((label, r.result.clone(), explain(method, &r.result, domain.as_deref()))),
        }
    }

    let mut notes: Vec<String> = Vec::new();
    if let Some(from) = &from_domain {
        if let (Some(r), Some(d)) = (spf, &spf_domain)
            && !aligned(from, d)
        {
            notes.push(format!(
                "SPF {} for {d}, which does not match your From domain {from}, so SPF does not count toward DMARC \
                 (set up a custom return path / bounce domain with your sending service)",
                if r.passed() { "passed" } else { "was checked" }
            ));
        }
        let passing: Vec<String> = dkims
            .iter()
            .filter(|r| r.passed())
            .filter_map(|r| dkim_domain(r))
            .collect();
        if !passing.is_empty() && !passing.iter().any(|d| aligned(from, d)) {
            notes.push(format!(
                "DKIM passed only for {}, not for your From domain {from}, so DKIM does not count toward DMARC \
                 (turn on DKIM for your own domain in your sending service)",
                passing.join(", ")
            ));
        }
    }

    let (status, summary) = if !failures.is_empty() {
        let names: Vec<String> = failures.iter().map(|(l, r, _)| format!("{l} ({r})")).collect();
        let names = join_words(&names, "and");
        let why = failures.first().map_or(String::new(), |(_, _, w)| w.clone());
        (Status::Fail, format!("This message did not pass {names}: {why}."))
    } else if !missing.is_empty() {
        (
            Status::Warn,
            format!(
                "{by} did not report {} for this message; send the test to a Gmail or Outlook address and paste those headers.",
                join_words(&missing, "or")
            ),
        )
    } else {
        (
            Status::Pass,
            format!("SPF, DKIM and DMARC all passed on this message (checked by {by})."),
        )
    };

    let mut result = ProbeResult::new(ID, status, TITLE, summary)
        .evidence(format!("Authentication-Results (top, added by {by})"), display(top));
    let line = |r: &MethodResult, identity: Option<String>| {
        let mut text = r.result.clone();
        if let Some(identity) = identity {
            let _ = write!(text, " ({identity})");
        }
        if let Some(reason) = &r.reason {
            let _ = write!(text, ", reason: {}", shorten(reason, 200));
        }
        text
    };
    match spf {
        Some(r) => {
            let identity = r
                .property("smtp", "mailfrom")
                .map(|v| format!("smtp.mailfrom={v}"))
                .or_else(|| r.property("smtp", "helo").map(|v| format!("smtp.helo={v}")));
            result = result.evidence("SPF", line(r, identity));
        }
        None => result = result.evidence("SPF", "not reported"),
    }
    if dkims.is_empty() {
        result = result.evidence("DKIM", "not reported");
    }
    for r in &dkims {
        let mut identity: Vec<String> = Vec::new();
        if let Some(d) = r.property("header", "d") {
            identity.push(format!("header.d={d}"));
        }
        if let Some(i) = r.property("header", "i") {
            identity.push(format!("header.i={i}"));
        }
        if let Some(s) = r.property("header", "s") {
            identity.push(format!("selector {s}"));
        }
        let identity = (!identity.is_empty()).then(|| identity.join(", "));
        result = result.evidence("DKIM", line(r, identity));
    }
    match dmarc {
        Some(r) => {
            let identity = r.property("header", "from").map(|v| format!("header.from={v}"));
            result = result.evidence("DMARC", line(r, identity));
        }
        None => result = result.evidence("DMARC", "not reported"),
    }
    if let Some(from) = &from_domain {
        result = result.evidence("From domain", from.clone());
    }
    for (index, other) in auth.iter().enumerate().skip(1) {
        let by = parse_authentication_results(other)
            .and_then(|a| a.authserv_id)
            .map_or_else(|| "an unnamed server".to_string(), |id| printable(&id));
        result = result.evidence(
            format!("Authentication-Results #{} (lower, added earlier by {by})", index + 1),
            display(other),
        );
    }
    for note in notes {
        result = result.evidence("Alignment", note);
    }

    if status != Status::Pass {
        let mut fixes: Vec<String> = Vec::new();
        for (label, found, _) in &failures {
            let fix = match (*label, found.as_str()) {
                (_, "temperror") => "Send another test message: this was a temporary DNS failure at the receiver.".to_string(),
                ("SPF", _) => format!(
                    "Add the service that sent this message to the SPF record of {} (its setup page names the include: to add), \
                     or set up a custom return path with that service.",
                    spf_domain.as_deref().unwrap_or("your domain")
                ),
                ("DKIM", _) => "Turn on DKIM signing for your own domain in the service that sent this message and publish the \
                                key record it gives you."
                    .to_string(),
                (_, "none" | "bestguesspass") => format!(
                    "Publish a DMARC record at _dmarc.{} (see the email.dmarc check for one built from your domain).",
                    from_domain.as_deref().unwrap_or("yourdomain")
                ),
                _ => "DMARC passes when SPF or DKIM passes for a domain matching the From address: set up DKIM for your own \
                      domain in the sending service first (it survives forwarding), then a custom return path for SPF."
                    .to_string(),
            };
            if !fixes.contains(&fix) {
                fixes.push(fix);
            }
        }
        if failures.is_empty() {
            fixes.push(HOW_TO_PASTE.to_string());
        }
        result = result.fix(fixes.join("\n"));
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::garbled;

    const GMAIL: &str = "Delivered-To: founder@gmail.com\r\n\
        Received: by 2002:a05:6a10:1234 with SMTP id abc;\r\n        Mon, 23 Nov 2026 09:00:00 -0800 (PST)\r\n\
        ARC-Authentication-Results: i=1; mx.google.com;\r\n       dkim=pass header.i=@acme.example\r\n\
        Authentication-Results: mx.google.com;\r\n\
        \x20      dkim=pass header.i=@acme.example header.s=google header.b=Ab+/cD12;\r\n\
        \x20      spf=pass (google.com: domain of hello@acme.example designates 192.0.2.25 as permitted sender)\r\n\
        \x20 smtp.mailfrom=hello@acme.example;\r\n\
        \x20      dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=acme.example\r\n\
        Authentication-Results: internal.acme.example; spf=none smtp.helo=build-box\r\n\
        From: \"Acme (support)\" <hello@Acme.Example>\r\n\
        Subject: test\r\n\
        \r\n\
        Authentication-Results: body.example; dkim=fail\r\n";

    fn evidence<'a>(result: &'a ProbeResult, label: &str) -> Vec<&'a str> {
        result
            .evidence
            .iter()
            .filter(|e| e.label.starts_with(label))
            .map(|e| e.value.as_str())
            .collect()
    }

    #[test]
    fn parses_methods_properties_comments_and_quotes() {
        let parsed = parse_authentication_results(
            " mx.example.org 1; (a (nested) comment) spf = pass (sender OK) smtp.mailfrom=\"a b\"@example.com;\
             dkim/2=FAIL reason=\"bad (signature)\" header.d=Example.COM header.b=abc=;  auth=pass smtp.auth=user",
        )
        .unwrap();
        assert_eq!(parsed.authserv_id.as_deref(), Some("mx.example.org"));
        assert_eq!(parsed.version, Some(1));
        assert_eq!(parsed.results.len(), 3);
        let spf = &parsed.results[0];
        assert_eq!((spf.method.as_str(), spf.result.as_str()), ("spf", "pass"));
        assert_eq!(
            spf.property("smtp", "mailfrom"),
            Some("a b"),
            "a quoted local part ends the value"
        );
        let dkim = &parsed.results[1];
        assert_eq!(dkim.method_version.as_deref(), Some("2"));
        assert_eq!(dkim.result, "fail");
        assert_eq!(dkim.reason.as_deref(), Some("bad (signature)"));
        assert_eq!(dkim.property("HEADER", "d"), Some("Example.COM"));
        assert_eq!(dkim.property("header", "b"), Some("abc="));
        assert_eq!(parsed.results[2].property("smtp", "auth"), Some("user"));
    }

    #[test]
    fn parses_no_results_and_microsoft_style() {
        let none = parse_authentication_results("mx.example.org; none").unwrap();
        assert!(none.results.is_empty());
        assert_eq!(none.authserv_id.as_deref(), Some("mx.example.org"));

        let ms = parse_authentication_results(
            "spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=acme.example; dkim=pass (signature was verified) \
             header.d=acme.example;dmarc=pass action=none header.from=acme.example;compauth=pass reason=100",
        )
        .unwrap();
        assert_eq!(ms.authserv_id, None);
        let methods: Vec<&str> = ms.results.iter().map(|r| r.method.as_str()).collect();
        assert_eq!(methods, ["spf", "dkim", "dmarc", "compauth"]);
        assert_eq!(ms.results[2].property("", "action"), Some("none"));
        assert_eq!(ms.results[3].reason.as_deref(), Some("100"));

        assert_eq!(parse_authentication_results(""), None);
        assert_eq!(parse_authentication_results("  (only a comment) ;;"), None);
    }

    #[test]
    fn unclosed_comments_and_quotes_end_the_value() {
        let parsed = parse_authentication_results("mx.example; spf=pass (unclosed smtp.mailfrom=x@y.example").unwrap();
        assert_eq!(parsed.results[0].properties.len(), 0);
        let parsed = parse_authentication_results("mx.example; dkim=pass reason=\"open").unwrap();
        assert_eq!(parsed.results[0].reason.as_deref(), Some("open"));
        let deep = format!("mx.example; {}spf=pass", "(".repeat(100_000));
        assert!(parse_authentication_results(&deep).unwrap().results.is_empty());
    }

    #[test]
    fn headers_are_unfolded_and_stop_at_the_body() {
        let headers = read_headers("\n\nFrom mbox-line Mon Jan 1\nX-A: one\n two\n\tthree\nX-B:four\n\nX-C: body");
        assert_eq!(
            headers,
            [
                ("X-A".to_string(), " one two\tthree".to_string()),
                ("X-B".to_string(), "four".to_string())
            ]
        );
        assert_eq!(
            from_domain(" \"Name, Inc\" <a@Example.COM>"),
            Some("example.com".into())
        );
        assert_eq!(from_domain("a@example.org (comment)"), Some("example.org".into()));
        assert_eq!(from_domain("undisclosed"), None);
    }

    #[test]
    fn a_gmail_message_that_passes() {
        let r = check(GMAIL);
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert_eq!(r.id, "email.message_auth");
        assert!(r.summary.contains("checked by mx.google.com"), "{}", r.summary);
        assert_eq!(evidence(&r, "SPF"), ["pass (smtp.mailfrom=hello@acme.example)"]);
        assert_eq!(evidence(&r, "DKIM"), ["pass (header.i=@acme.example, selector google)"]);
        assert_eq!(evidence(&r, "DMARC"), ["pass (header.from=acme.example)"]);
        assert_eq!(evidence(&r, "From domain"), ["acme.example"]);
        let lower = evidence(&r, "Authentication-Results #2");
        assert_eq!(
            lower.len(),
            1,
            "the lower header is mentioned; the one in the body is not"
        );
        assert!(
            r.evidence
                .iter()
                .any(|e| e.label.contains("added earlier by internal.acme.example"))
        );
        assert!(r.fix.is_none());
    }

    #[test]
    fn failures_are_named_in_plain_words() {
        let text = "Authentication-Results: mx.example.net; spf=softfail smtp.mailfrom=bounce@acme.example;\n \
                    dkim=none; dmarc=fail header.from=acme.example\nFrom: a@acme.example\n";
        let r = check(text);
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.summary
                .starts_with("This message did not pass SPF (softfail), DKIM (none) and DMARC (fail):"),
            "{}",
            r.summary
        );
        assert!(
            r.summary.contains("not listed in the SPF record of acme.example"),
            "{}",
            r.summary
        );
        let fix = r.fix.unwrap();
        assert!(
            fix.contains("SPF record of acme.example") && fix.contains("Turn on DKIM"),
            "{fix}"
        );
    }

    #[test]
    fn misaligned_domains_are_noted() {
        let text = "Authentication-Results: mx.google.com; dkim=pass header.d=sendgrid.net; \
                    spf=pass smtp.mailfrom=bounces+123@em.sendgrid.net; dmarc=fail header.from=acme.example\n";
        let r = check(text);
        assert_eq!(r.status, Status::Fail);
        let notes = evidence(&r, "Alignment");
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].contains("em.sendgrid.net") && notes[0].contains("acme.example"));
        assert!(notes[1].contains("DKIM passed only for sendgrid.net"));

        // An aligned signature next to the provider's own counts; no DKIM note.
        let text = "Authentication-Results: mx; dkim=pass header.d=sendgrid.net; dkim=pass header.d=mail.acme.example; \
                    spf=pass smtp.mailfrom=acme.example; dmarc=pass header.from=acme.example\n";
        let r = check(text);
        assert_eq!(r.status, Status::Pass);
        assert!(evidence(&r, "Alignment").is_empty());
        assert_eq!(evidence(&r, "DKIM").len(), 2);
    }

    #[test]
    fn a_failed_extra_signature_does_not_fail_dkim() {
        let text = "Authentication-Results: mx; dkim=fail header.d=old.example; dkim=pass header.d=acme.example; \
                    spf=pass smtp.mailfrom=acme.example; dmarc=pass header.from=acme.example\n";
        assert_eq!(check(text).status, Status::Pass);
    }

    #[test]
    fn missing_methods_warn() {
        let r = check("Authentication-Results: mx.example; spf=pass smtp.mailfrom=acme.example\n");
        assert_eq!(r.status, Status::Warn);
        assert!(r.summary.contains("did not report DKIM or DMARC"), "{}", r.summary);
        let r = check("Authentication-Results: mx.example; none\n");
        assert_eq!(r.status, Status::Warn);
        assert!(r.summary.contains("did not report SPF, DKIM or DMARC"), "{}", r.summary);
    }

    #[test]
    fn no_header_is_an_error_with_instructions() {
        let r = check("From: a@acme.example\nSubject: hi\n\nbody");
        assert_eq!(r.status, Status::Error);
        assert_eq!(
            r.summary,
            "No Authentication-Results header found: paste the full headers (in Gmail: Show original)."
        );
        assert!(r.fix.unwrap().contains("Show original"));
        let r = check("ARC-Authentication-Results: i=1; mx; spf=pass\n");
        assert_eq!(r.status, Status::Error);
        assert!(evidence(&r, "Note")[0].contains("ARC"));
        assert_eq!(check("").status, Status::Error);
    }

    #[test]
    fn oversized_or_binary_input_is_refused() {
        let big = "X".repeat(MAX_INPUT + 1);
        let r = check(&big);
        assert_eq!(r.status, Status::Error);
        assert!(r.summary.contains("1 MiB"));
        let r = check("Authentication-Results: mx; spf=pass\0\n");
        assert_eq!(r.status, Status::Error);
        assert!(r.summary.contains("NUL"));
    }

    #[test]
    fn never_panics_on_garbled_input() {
        let pieces = [
            "Authentication-Results:",
            "From:",
            " ",
            "\t",
            "\r\n",
            "\n",
            "\n ",
            ";",
            "=",
            "(",
            ")",
            "\\",
            "\"",
            "spf",
            "dkim",
            "dmarc",
            "pass",
            "fail",
            "none",
            "header.d",
            "smtp.mailfrom",
            ".",
            "@",
            "acme.example",
            "mx.google.com",
            "reason",
            "/",
            "1",
            "é",
            "漢",
            "<",
            ">",
            "ARC-",
        ];
        let mut parsed = 0;
        for text in garbled(0x1234_5678_9abc_def1, 4000, &pieces, 30) {
            if parse_authentication_results(&text).is_some() {
                parsed += 1;
            }
            let r = check(&text);
            assert!(!r.summary.is_empty());
            assert!(r.summary.lines().count() == 1, "one line: {:?}", r.summary);
        }
        assert!(parsed > 0);
    }
}
