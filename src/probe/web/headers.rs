//! Parsing and judging of HTTP response headers for the web probes, with no networking: HSTS
//! (`http.hsts`), the browser security headers (`http.security_headers`: CSP,
//! X-Content-Type-Options, framing protection, Referrer-Policy, version leaks), session cookies
//! (`http.cookies`) and whether a shared cache (a CDN) may store an answer. Each judge returns a
//! [`Verdict`] that the caller turns into a `ProbeResult` and merges across hosts.
//!
//! Servers are untrusted: a header may repeat, hold non-UTF-8 bytes or be huge. Nothing here
//! panics; each value is read up to [`MAX_VALUE`] bytes, at most [`MAX_LINES`] lines of one
//! header are read, and every list stops at a fixed count.
//!
//! Decisions worth knowing:
//! - HSTS under 180 days fails, whatever its length: the check asks for "a max-age of at least 180
//!   days", so a one-day policy is not half a pass. Over plain HTTP the header is ignored by
//!   browsers, so the judge returns [`Status::Skipped`] there.
//! - A CSP holding only `frame-ancestors` passes the CSP part (the check's "or at least
//!   frame-ancestors"), with a note that it does not limit scripts; a CSP with neither a script
//!   policy nor `frame-ancestors` warns. `frame-ancestors *` warns rather than fails: an
//!   embeddable chat widget needs it.
//! - Several enforced CSPs all apply, so a script weakness counts only when every policy that
//!   limits scripts has it.
//! - A cookie is judged as a login cookie by its name (see [`is_session_like`]) or because it is
//!   already `HttpOnly`. Cookie values are never kept, so they cannot reach evidence.
//! - `no-cache` (with or without `s-maxage`) counts as not stored: a cache must ask the server
//!   before every reuse, so it never hands one user's answer to another on its own. Qualified
//!   `private="…"` and `no-cache="…"` count as unqualified, as most CDNs treat them.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

use hyper::header::{self, HeaderMap, HeaderValue};

use crate::redact::{clean, shorten};
use crate::result::{Evidence, ProbeResult, Status};

/// Bytes of one header value read; the rest is ignored.
pub const MAX_VALUE: usize = 16 * 1024;
/// Lines of one header read (Set-Cookie: [`MAX_COOKIES`]).
pub const MAX_LINES: usize = 32;
/// Set-Cookie lines judged.
pub const MAX_COOKIES: usize = 64;
/// Directives (or attributes) read from one header value.
const MAX_ITEMS: usize = 64;
/// Source expressions read from one CSP directive.
const MAX_SOURCES: usize = 256;
/// Policies read from all CSP lines together.
const MAX_POLICIES: usize = 16;
/// Characters of a header value shown in evidence.
const SHOWN: usize = 160;

/// The HSTS max-age the check asks for: 180 days.
pub const HSTS_MIN_AGE: u64 = 180 * DAY;
/// The max-age the HSTS preload list asks for: one year.
pub const HSTS_PRELOAD_AGE: u64 = 365 * DAY;
const DAY: u64 = 86_400;

/// What a judge decided, for the caller to turn into a `ProbeResult`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub status: Status,
    pub summary: String,
    pub evidence: Vec<Evidence>,
    pub fix: Option<String>,
}

impl Verdict {
    /// The verdict as the result of check `id`.
    pub fn into_result(self, id: &str, title: &str) -> ProbeResult {
        let mut result = ProbeResult::new(id, self.status, title, self.summary).fix_if(self.fix);
        result.evidence = self.evidence;
        result
    }
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

/// A finding's status when it only notes something: it shows untagged and never changes the
/// verdict.
const NOTE: Status = Status::Skipped;

/// One judged point: its status, its evidence line, a phrase for the summary and its fix.
struct Finding {
    status: Status,
    label: &'static str,
    reason: String,
    short: String,
    fix: Option<String>,
}

impl Finding {
    fn new(status: Status, label: &'static str, reason: impl Into<String>) -> Finding {
        Finding {
            status,
            label,
            reason: reason.into(),
            short: String::new(),
            fix: None,
        }
    }

    fn short(mut self, short: impl Into<String>) -> Finding {
        self.short = short.into();
        self
    }

    fn fix(mut self, fix: impl Into<String>) -> Finding {
        self.fix = Some(fix.into());
        self
    }

    fn evidence(&self) -> Evidence {
        let tag = match self.status {
            Status::Fail => "fail: ",
            Status::Warn => "warn: ",
            Status::Pass => "ok: ",
            _ => "",
        };
        Evidence::new(self.label, format!("{tag}{}", self.reason))
    }
}

fn rank(status: Status) -> u8 {
    match status {
        Status::Skipped => 0,
        Status::Pass => 1,
        Status::Warn => 2,
        Status::Error => 3,
        Status::Fail => 4,
    }
}

/// The worst status among the findings, at least `Pass` (notes do not count).
fn worst(findings: &[Finding]) -> Status {
    findings.iter().map(|f| f.status).fold(
        Status::Pass,
        |worst, status| {
            if rank(status) > rank(worst) { status } else { worst }
        },
    )
}

/// The summary phrases of the worst findings ("a; b; c."), and how many lesser problems remain.
fn summarise(findings: &[Finding], status: Status) -> String {
    let phrases: Vec<&str> = findings
        .iter()
        .filter(|f| f.status == status && !f.short.is_empty())
        .map(|f| f.short.as_str())
        .collect();
    let lesser = findings
        .iter()
        .filter(|f| rank(f.status) > rank(Status::Pass) && rank(f.status) < rank(status))
        .count();
    let mut text = capitalise(&phrases.iter().take(3).copied().collect::<Vec<_>>().join("; "));
    if phrases.len() > 3 {
        let _ = write!(text, " (and {} more)", phrases.len() - 3);
    }
    match lesser {
        0 => text.push('.'),
        1 => text.push_str(". One smaller issue too."),
        n => {
            let _ = write!(text, ". {n} smaller issues too.");
        }
    }
    text
}

/// The fixes of the findings that need one, each once, in order.
fn fixes(findings: &[Finding]) -> Option<String> {
    let mut out: Vec<&str> = Vec::new();
    for f in findings {
        if let Some(fix) = &f.fix
            && rank(f.status) > rank(Status::Pass)
            && !out.contains(&fix.as_str())
        {
            out.push(fix);
        }
    }
    (!out.is_empty()).then(|| out.join(" "))
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A header value as text: at most [`MAX_VALUE`] bytes, invalid UTF-8 replaced.
fn text(value: &HeaderValue) -> Cow<'_, str> {
    let bytes = value.as_bytes();
    String::from_utf8_lossy(bytes.get(..MAX_VALUE).unwrap_or(bytes))
}

/// The first `max` lines of header `name`, as text.
fn lines<'a>(headers: &'a HeaderMap, name: &str, max: usize) -> Vec<Cow<'a, str>> {
    headers.get_all(name).iter().take(max).map(text).collect()
}

/// All lines of header `name` joined with commas (how HTTP combines a repeated list header), or
/// `None` when it is absent.
fn joined(headers: &HeaderMap, name: &str) -> Option<String> {
    let all = lines(headers, name, MAX_LINES);
    (!all.is_empty()).then(|| all.join(", "))
}

/// At most [`MAX_VALUE`] bytes of `text`.
fn capped(text: &str) -> &str {
    crate::redact::window(text, 0, MAX_VALUE)
}

/// A server-sent value as evidence may show it: cleaned and cut to [`SHOWN`] characters.
fn shown(value: &str) -> String {
    shorten(&clean(value), SHOWN)
}

/// A length of time in the largest whole unit: "180 days", "5 minutes", "1 second".
fn span(seconds: u64) -> String {
    let (n, unit) = match seconds {
        s if s >= DAY => (s / DAY, "day"),
        s if s >= 3600 => (s / 3600, "hour"),
        s if s >= 60 => (s / 60, "minute"),
        s => (s, "second"),
    };
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

fn is_ows(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// Digits only (at least one), as a number that saturates instead of overflowing.
fn delta_seconds(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(
        text.bytes()
            .fold(0u64, |n, b| n.saturating_mul(10).saturating_add(u64::from(b - b'0'))),
    )
}

/// One `name[=value]` item of a header list, the value unquoted.
#[derive(Debug)]
struct Param {
    name: String,
    value: Option<String>,
}

type Chars<'a> = std::iter::Peekable<std::str::CharIndices<'a>>;

/// The `name[=token|quoted-string]` items of a list separated by `sep` (HSTS: `;`,
/// Cache-Control: `,`), at most [`MAX_ITEMS`]; empty items are skipped and a malformed one is an
/// `Err` with the reason, after which reading goes on at the next separator.
fn params(text: &str, sep: char) -> Vec<Result<Param, String>> {
    let mut out = Vec::new();
    let mut chars = capped(text).char_indices().peekable();
    while out.len() < MAX_ITEMS {
        skip_ows(&mut chars);
        match chars.peek() {
            None => break,
            Some(&(_, c)) if c == sep => {
                chars.next();
            }
            Some(_) => {
                let item = param(&mut chars, sep);
                if item.is_err() {
                    for (_, c) in chars.by_ref() {
                        if c == sep {
                            break;
                        }
                    }
                }
                out.push(item);
            }
        }
    }
    out
}

fn skip_ows(chars: &mut Chars<'_>) {
    while chars.next_if(|&(_, c)| is_ows(c)).is_some() {}
}

fn param(chars: &mut Chars<'_>, sep: char) -> Result<Param, String> {
    let mut name = String::new();
    while let Some((_, c)) = chars.next_if(|&(_, c)| c != sep && c != '=' && !is_ows(c)) {
        name.push(c);
    }
    if name.is_empty() {
        return Err("a value with no directive name".into());
    }
    if !name.chars().all(is_tchar) {
        return Err(format!("\"{}\" is not a directive name", shown_short(&name)));
    }
    skip_ows(chars);
    let value = if chars.next_if(|&(_, c)| c == '=').is_some() {
        skip_ows(chars);
        if chars.next_if(|&(_, c)| c == '"').is_some() {
            Some(quoted(chars)?)
        } else {
            let mut token = String::new();
            while let Some((_, c)) = chars.next_if(|&(_, c)| c != sep && !is_ows(c)) {
                token.push(c);
            }
            if token.is_empty() {
                return Err(format!("{} has \"=\" but no value", shown_short(&name)));
            }
            if !token.chars().all(is_tchar) {
                return Err(format!(
                    "\"{}\" is not a valid value for {}",
                    shown_short(&token),
                    shown_short(&name)
                ));
            }
            Some(token)
        }
    } else {
        None
    };
    skip_ows(chars);
    match chars.next() {
        None => Ok(Param { name, value }),
        Some((_, c)) if c == sep => Ok(Param { name, value }),
        Some((_, c)) => Err(format!(
            "unexpected \"{}\" after {}",
            shown_short(&c.to_string()),
            shown_short(&name)
        )),
    }
}

/// The rest of a quoted string whose opening quote was read, escapes resolved.
fn quoted(chars: &mut Chars<'_>) -> Result<String, String> {
    let mut out = String::new();
    while let Some((_, c)) = chars.next() {
        match c {
            '"' => return Ok(out),
            '\\' => match chars.next() {
                Some((_, escaped)) => out.push(escaped),
                None => break,
            },
            c => out.push(c),
        }
    }
    Err("a quoted value is never closed".into())
}

fn shown_short(text: &str) -> String {
    shorten(&clean(text), 40)
}

// ---------------------------------------------------------------------------------------------
// HSTS (RFC 6797)

/// A parsed Strict-Transport-Security header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hsts {
    /// Seconds browsers keep using only HTTPS (0 switches HSTS off).
    pub max_age: u64,
    pub include_subdomains: bool,
    /// The `preload` directive (not in RFC 6797; the preload list asks for it).
    pub preload: bool,
}

impl Hsts {
    /// Whether the header meets the preload list's asks: a year, subdomains and `preload`.
    pub fn preload_ready(&self) -> bool {
        self.max_age >= HSTS_PRELOAD_AGE && self.include_subdomains && self.preload
    }
}

/// Parses one Strict-Transport-Security value by RFC 6797: directive names case-insensitive,
/// values a token or quoted string, `max-age` required, no directive twice, unknown directives
/// ignored. Any error means browsers ignore the whole header; the `Err` says why.
pub fn parse_hsts(text: &str) -> Result<Hsts, String> {
    let mut seen: Vec<String> = Vec::new();
    let mut hsts = Hsts {
        max_age: 0,
        include_subdomains: false,
        preload: false,
    };
    let mut max_age = None;
    for item in params(text, ';') {
        let Param { name, value } = item?;
        let lower = name.to_ascii_lowercase();
        if seen.contains(&lower) {
            return Err(format!("{} appears twice", shown_short(&name)));
        }
        match lower.as_str() {
            "max-age" => {
                let value = value.ok_or("max-age has no value")?;
                max_age =
                    Some(delta_seconds(&value).ok_or_else(|| {
                        format!("max-age must be a number of seconds, not \"{}\"", shown_short(&value))
                    })?);
            }
            "includesubdomains" if value.is_some() => {
                return Err("includeSubDomains takes no value".into());
            }
            "includesubdomains" => hsts.include_subdomains = true,
            // `preload` is a preload-list convention; with a value it is not that directive.
            "preload" => hsts.preload = value.is_none(),
            _ => {}
        }
        seen.push(lower);
    }
    hsts.max_age = max_age.ok_or("max-age is missing")?;
    Ok(hsts)
}

const HSTS_FIX: &str = "Send `Strict-Transport-Security: max-age=31536000; includeSubDomains` \
    on every HTTPS answer (set it once in your hosting, CDN or web server configuration). Add \
    `; preload` and submit the domain to the HSTS preload list only once every subdomain serves \
    HTTPS.";

/// Judges the Strict-Transport-Security header of an answer (`https`: it came over HTTPS) for
/// `http.hsts`: a valid header with max-age of at least 180 days passes; missing, malformed,
/// `max-age=0` or shorter fails. Over plain HTTP browsers ignore the header: `Skipped`.
pub fn judge_hsts(headers: &HeaderMap, https: bool) -> Verdict {
    let all = lines(headers, header::STRICT_TRANSPORT_SECURITY.as_str(), MAX_LINES);
    let mut evidence: Vec<Evidence> = all
        .iter()
        .take(4)
        .map(|v| Evidence::new("Strict-Transport-Security", shown(v)))
        .collect();
    if !https {
        evidence.push(Evidence::new(
            "HSTS",
            "this answer came over plain HTTP, where browsers ignore HSTS; only the HTTPS answer counts",
        ));
        return Verdict {
            status: Status::Skipped,
            summary: "HSTS is only read from HTTPS answers, and this one came over plain HTTP.".into(),
            evidence,
            fix: None,
        };
    }
    let Some(first) = all.first() else {
        evidence.push(Evidence::new("HSTS", "fail: no Strict-Transport-Security header"));
        return Verdict {
            status: Status::Fail,
            summary: "Browsers are not told to always use HTTPS for your site (no HSTS header).".into(),
            evidence,
            fix: Some(HSTS_FIX.into()),
        };
    };
    if all.len() > 1 {
        evidence.push(Evidence::new(
            "HSTS",
            format!(
                "{} Strict-Transport-Security headers; browsers use only the first",
                all.len()
            ),
        ));
    }
    let hsts = match parse_hsts(first) {
        Ok(hsts) => hsts,
        Err(reason) => {
            evidence.push(Evidence::new("HSTS", format!("fail: malformed: {reason}")));
            return Verdict {
                status: Status::Fail,
                summary: format!("The HSTS header is malformed, so browsers ignore it ({reason})."),
                evidence,
                fix: Some(HSTS_FIX.into()),
            };
        }
    };
    let age = if hsts.max_age == 0 {
        "0 (switches HSTS off)".to_string()
    } else {
        format!("{} seconds ({})", hsts.max_age, span(hsts.max_age))
    };
    evidence.push(Evidence::new("HSTS max-age", age));
    evidence.push(Evidence::new(
        "HSTS includeSubDomains",
        if hsts.include_subdomains {
            "yes: subdomains are covered too"
        } else {
            "no: subdomains are not covered"
        },
    ));
    evidence.push(Evidence::new("HSTS preload", preload_note(&hsts)));
    let (status, summary) = if hsts.max_age == 0 {
        (
            Status::Fail,
            "HSTS is switched off (max-age=0), so browsers forget to insist on HTTPS.".to_string(),
        )
    } else if hsts.max_age < HSTS_MIN_AGE {
        (
            Status::Fail,
            format!(
                "HSTS lasts only {}; it should be at least 180 days.",
                span(hsts.max_age)
            ),
        )
    } else {
        (
            Status::Pass,
            format!(
                "Browsers are told to use only HTTPS for your site for {}.",
                span(hsts.max_age)
            ),
        )
    };
    Verdict {
        status,
        summary,
        evidence,
        fix: (status != Status::Pass).then(|| HSTS_FIX.to_string()),
    }
}

fn preload_note(hsts: &Hsts) -> String {
    if hsts.preload_ready() {
        return "ready for the HSTS preload list (the site must also redirect HTTP to HTTPS)".into();
    }
    let mut missing = Vec::new();
    if hsts.max_age < HSTS_PRELOAD_AGE {
        missing.push("max-age of at least one year");
    }
    if !hsts.include_subdomains {
        missing.push("includeSubDomains");
    }
    if !hsts.preload {
        missing.push("preload");
    }
    format!("not preload-ready: needs {}", missing.join(", "))
}

// ---------------------------------------------------------------------------------------------
// Content-Security-Policy and the other browser security headers

/// One parsed policy: its directives in order, each named once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Csp {
    pub directives: Vec<Directive>,
    /// Names of directives given again; browsers use the first and ignore these.
    pub duplicates: Vec<String>,
}

/// One CSP directive: a lower-case name and its source tokens as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub name: String,
    pub sources: Vec<String>,
}

impl Csp {
    /// The directive called `name` (lower case).
    pub fn get(&self, name: &str) -> Option<&Directive> {
        self.directives.iter().find(|d| d.name == name)
    }

    /// The directive that governs scripts: `script-src`, else `default-src`.
    pub fn script_policy(&self) -> Option<&Directive> {
        self.get("script-src").or_else(|| self.get("default-src"))
    }
}

/// Parses one serialized policy as CSP3 does: directives split on `;`, the name lower-cased up
/// to the first whitespace, sources split on whitespace; empty or non-ASCII directives are
/// skipped and a repeated directive is ignored (noted in `duplicates`). A header value may hold
/// several policies separated by commas: split it first, as [`judge_security_headers`] does.
pub fn parse_csp(text: &str) -> Csp {
    let mut csp = Csp::default();
    for token in capped(text).split(';') {
        if csp.directives.len() >= MAX_ITEMS {
            break;
        }
        let token = token.trim_matches(|c: char| c.is_ascii_whitespace());
        if token.is_empty() || !token.is_ascii() {
            continue;
        }
        let (name, rest) = token
            .split_once(|c: char| c.is_ascii_whitespace())
            .unwrap_or((token, ""));
        let name = name.to_ascii_lowercase();
        if csp.get(&name).is_some() {
            if csp.duplicates.len() < MAX_ITEMS && !csp.duplicates.contains(&name) {
                csp.duplicates.push(name);
            }
            continue;
        }
        let sources = rest
            .split_ascii_whitespace()
            .take(MAX_SOURCES)
            .map(String::from)
            .collect();
        csp.directives.push(Directive { name, sources });
    }
    csp
}

/// The policies in all lines of a CSP header (each line may hold several, comma-separated).
fn policies(headers: &HeaderMap, name: &str) -> Vec<Csp> {
    lines(headers, name, MAX_LINES)
        .iter()
        .flat_map(|line| line.split(',').map(str::to_string).collect::<Vec<_>>())
        .filter(|p| !p.trim().is_empty())
        .take(MAX_POLICIES)
        .map(|p| parse_csp(&p))
        .collect()
}

/// A way a script policy lets injected scripts run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Weakness {
    UnsafeInline,
    UnsafeEval,
    AnyHost,
    DataUrls,
    AnyHttps,
    AnyHttp,
}

impl Weakness {
    fn reason(self) -> &'static str {
        match self {
            Weakness::UnsafeInline => "allows inline scripts ('unsafe-inline'), so an injected <script> runs",
            Weakness::UnsafeEval => "allows eval ('unsafe-eval'), so injected text can be turned into code",
            Weakness::AnyHost => "allows scripts from any site (*)",
            Weakness::DataUrls => "allows scripts from data: addresses, which an attacker can write",
            Weakness::AnyHttps => "allows scripts from any https:// site",
            Weakness::AnyHttp => "allows scripts from any site, even over plain http:",
        }
    }

    fn token(self) -> &'static str {
        match self {
            Weakness::UnsafeInline => "'unsafe-inline'",
            Weakness::UnsafeEval => "'unsafe-eval'",
            Weakness::AnyHost => "*",
            Weakness::DataUrls => "data:",
            Weakness::AnyHttps => "https:",
            Weakness::AnyHttp => "http:",
        }
    }
}

/// What a script source list lets through. With a nonce, a hash or `'strict-dynamic'`,
/// browsers ignore `'unsafe-inline'`; with `'strict-dynamic'` they also ignore host and scheme
/// sources (so the recommended `'nonce-…' 'strict-dynamic' https: 'unsafe-inline'` is strict).
fn weaknesses(sources: &[String]) -> Vec<Weakness> {
    let lower: Vec<String> = sources.iter().map(|s| s.to_ascii_lowercase()).collect();
    let has = |token: &str| lower.iter().any(|s| s == token);
    let nonce_or_hash = lower.iter().any(|s| {
        ["'nonce-", "'sha256-", "'sha384-", "'sha512-"]
            .iter()
            .any(|p| s.starts_with(p))
    });
    let strict_dynamic = has("'strict-dynamic'");
    let mut out = Vec::new();
    if has("'unsafe-inline'") && !nonce_or_hash && !strict_dynamic {
        out.push(Weakness::UnsafeInline);
    }
    if has("'unsafe-eval'") {
        out.push(Weakness::UnsafeEval);
    }
    if !strict_dynamic {
        if has("*") {
            out.push(Weakness::AnyHost);
        }
        if has("data:") {
            out.push(Weakness::DataUrls);
        }
        if has("https:") || has("https://*") {
            out.push(Weakness::AnyHttps);
        }
        if has("http:") || has("http://*") {
            out.push(Weakness::AnyHttp);
        }
    }
    out
}

/// Whether `frame-ancestors` sources let any site frame the page.
fn frames_anyone(sources: &[String]) -> bool {
    sources.iter().any(|s| {
        let s = s.to_ascii_lowercase();
        s == "*" || s == "https:" || s == "http:" || s == "https://*" || s == "http://*"
    })
}

/// The headers `judge_security_headers` reads and shows, with the label they show under.
const SECURITY_HEADERS: &[(&str, &str)] = &[
    ("content-security-policy", "Content-Security-Policy"),
    (
        "content-security-policy-report-only",
        "Content-Security-Policy-Report-Only",
    ),
    ("x-content-type-options", "X-Content-Type-Options"),
    ("x-frame-options", "X-Frame-Options"),
    ("referrer-policy", "Referrer-Policy"),
    ("permissions-policy", "Permissions-Policy"),
    ("server", "Server"),
    ("x-powered-by", "X-Powered-By"),
    ("x-aspnet-version", "X-AspNet-Version"),
    ("x-aspnetmvc-version", "X-AspNetMvc-Version"),
];

const NOSNIFF_FIX: &str = "Add the header `X-Content-Type-Options: nosniff`.";
const FRAMING_FIX: &str = "Add `Content-Security-Policy: frame-ancestors 'self'` (and \
    `X-Frame-Options: SAMEORIGIN` for old browsers) so other sites cannot frame your pages.";
const CSP_FIX: &str = "Add a Content-Security-Policy: start with `Content-Security-Policy: \
    frame-ancestors 'self'; object-src 'none'; base-uri 'self'`, then build a script policy \
    (such as `script-src 'self'`) in report-only mode and enforce it once nothing legitimate \
    is blocked.";
const SCRIPT_POLICY_FIX: &str = "Add a script policy to your Content-Security-Policy, such as \
    `default-src 'self'` or `script-src 'self'`, tried first as \
    Content-Security-Policy-Report-Only.";
const REPORT_ONLY_FIX: &str = "Your policy only reports: once its reports show nothing \
    legitimate is blocked, send the same value as `Content-Security-Policy` to enforce it.";
const REFERRER_FIX: &str = "Add `Referrer-Policy: strict-origin-when-cross-origin`.";
const VERSION_FIX: &str = "Stop sending version numbers in Server and X-Powered-By (nginx: \
    `server_tokens off;`, PHP: `expose_php = Off`, Express: `app.disable('x-powered-by')`, or \
    remove the headers at your CDN).";

/// Judges the browser security headers of a page for `http.security_headers`: a
/// Content-Security-Policy (or at least `frame-ancestors`), `X-Content-Type-Options: nosniff`,
/// framing protection and a Referrer-Policy; version numbers in Server or X-Powered-By warn.
/// The status is the worst finding; the evidence shows each header seen and each finding.
pub fn judge_security_headers(headers: &HeaderMap) -> Verdict {
    let mut evidence = Vec::new();
    for (name, label) in SECURITY_HEADERS {
        for value in lines(headers, name, 4) {
            evidence.push(Evidence::new(*label, shown(&value)));
        }
    }
    let enforced = policies(headers, "content-security-policy");
    let report_only = policies(headers, "content-security-policy-report-only");
    let ancestors: Vec<&Directive> = enforced.iter().filter_map(|p| p.get("frame-ancestors")).collect();
    let framing = framing_finding(headers, &ancestors);
    // Only real protection softens a missing CSP (ALLOW-FROM is ignored by browsers).
    let framed_ok = framing.status == Status::Pass;
    let mut findings = csp_findings(&enforced, &report_only, &ancestors, framed_ok);
    findings.push(nosniff_finding(headers));
    findings.push(framing);
    findings.push(referrer_finding(headers));
    if headers.get("permissions-policy").is_none() {
        findings.push(Finding::new(
            NOTE,
            "permissions",
            "not set (optional: it switches off camera, microphone, location and other \
             browser features your pages do not use)",
        ));
    }
    findings.extend(version_findings(headers));
    let status = worst(&findings);
    evidence.extend(findings.iter().map(Finding::evidence));
    let summary = if status == Status::Pass {
        "Your pages send the browser security headers: a Content-Security-Policy, nosniff, \
         framing protection and a Referrer-Policy."
            .to_string()
    } else {
        summarise(&findings, status)
    };
    Verdict {
        status,
        summary,
        evidence,
        fix: fixes(&findings),
    }
}

fn csp_findings(enforced: &[Csp], report_only: &[Csp], ancestors: &[&Directive], framed_ok: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    for csp in enforced.iter().chain(report_only) {
        for name in &csp.duplicates {
            out.push(Finding::new(
                NOTE,
                "CSP duplicate",
                format!(
                    "{} is given twice in one policy; browsers use the first and ignore the rest",
                    shown_short(name)
                ),
            ));
        }
    }
    if enforced.is_empty() {
        if report_only.is_empty() {
            let status = if framed_ok { Status::Warn } else { Status::Fail };
            out.push(
                Finding::new(
                    status,
                    "CSP",
                    "no Content-Security-Policy: nothing limits which scripts run on your pages",
                )
                .short("no Content-Security-Policy")
                .fix(CSP_FIX),
            );
        } else {
            out.push(
                Finding::new(
                    Status::Warn,
                    "CSP",
                    "only Content-Security-Policy-Report-Only: browsers report what the policy \
                     would block but block nothing",
                )
                .short("the Content-Security-Policy is report-only, so nothing is enforced")
                .fix(REPORT_ONLY_FIX),
            );
        }
        return out;
    }
    if !report_only.is_empty() {
        out.push(Finding::new(
            NOTE,
            "CSP report-only",
            "a report-only policy is set too (it reports, it does not block)",
        ));
    }
    if enforced.len() > 1 {
        out.push(Finding::new(
            NOTE,
            "CSP",
            format!(
                "{} policies; browsers apply all of them, so a script must pass each",
                enforced.len()
            ),
        ));
    }
    let scripts: Vec<&Directive> = enforced.iter().filter_map(Csp::script_policy).collect();
    if let Some(first) = scripts.first() {
        let from = if first.name == "script-src" {
            String::new()
        } else {
            " (from default-src)".into()
        };
        out.push(Finding::new(
            NOTE,
            "CSP script-src",
            format!("{}{from}", shown(&first.sources.join(" "))),
        ));
        // Policies add up: a weakness lets scripts through only if every policy has it.
        let mut weak = weaknesses(&first.sources);
        for other in scripts.iter().skip(1) {
            let theirs = weaknesses(&other.sources);
            weak.retain(|w| theirs.contains(w));
        }
        if !weak.is_empty() {
            let reasons: Vec<&str> = weak.iter().map(|w| w.reason()).collect();
            let tokens: Vec<&str> = weak.iter().map(|w| w.token()).collect();
            out.push(
                Finding::new(Status::Warn, "CSP script-src", reasons.join("; "))
                    .short(format!(
                        "the Content-Security-Policy's script rules are loose ({})",
                        tokens.join(" ")
                    ))
                    .fix(format!(
                        "Tighten script-src: drop {}; allow your own scripts by nonce or hash \
                         (for example `script-src 'nonce-RANDOM' 'strict-dynamic'`) and name the \
                         few other sites you load scripts from.",
                        tokens.join(", ")
                    )),
            );
        }
    } else if ancestors.is_empty() {
        out.push(
            Finding::new(
                Status::Warn,
                "CSP script-src",
                "no script-src or default-src: the policy does not limit scripts",
            )
            .short("the Content-Security-Policy does not limit scripts")
            .fix(SCRIPT_POLICY_FIX),
        );
    } else {
        out.push(Finding::new(
            NOTE,
            "CSP script-src",
            "none: frame-ancestors alone is the minimum; a script policy would also stop \
             injected scripts",
        ));
    }
    out
}

fn nosniff_finding(headers: &HeaderMap) -> Finding {
    // As browsers read it: the first comma-separated value, case-insensitively.
    match joined(headers, "x-content-type-options") {
        None => Finding::new(
            Status::Fail,
            "nosniff",
            "missing: browsers may guess a file's type and run an upload as a script",
        )
        .short("X-Content-Type-Options: nosniff is missing")
        .fix(NOSNIFF_FIX),
        Some(value) => {
            let first = value.split(',').next().unwrap_or_default().trim();
            if first.eq_ignore_ascii_case("nosniff") {
                Finding::new(Status::Pass, "nosniff", "nosniff")
            } else {
                Finding::new(
                    Status::Fail,
                    "nosniff",
                    format!("\"{}\" is not nosniff, so browsers ignore it", shown_short(first)),
                )
                .short("X-Content-Type-Options is not nosniff")
                .fix(NOSNIFF_FIX)
            }
        }
    }
}

fn framing_finding(headers: &HeaderMap, ancestors: &[&Directive]) -> Finding {
    let xfo: Vec<String> = joined(headers, "x-frame-options")
        .map(|v| {
            v.split(',')
                .map(|s| s.trim().to_ascii_lowercase())
                .filter(|s| !s.is_empty())
                .take(MAX_ITEMS)
                .collect()
        })
        .unwrap_or_default();
    if !ancestors.is_empty() {
        let note = if xfo.is_empty() {
            ""
        } else {
            " (browsers then ignore X-Frame-Options)"
        };
        // Policies add up: framing is open only if every frame-ancestors lets anyone in.
        if ancestors.iter().all(|d| frames_anyone(&d.sources)) {
            return Finding::new(
                Status::Warn,
                "framing",
                format!(
                    "frame-ancestors lets any site frame your pages{note}: fine for an \
                     embeddable widget, not for login or account pages"
                ),
            )
            .short("any site may frame your pages")
            .fix(FRAMING_FIX);
        }
        let sources = ancestors.first().map(|d| d.sources.join(" ")).unwrap_or_default();
        return Finding::new(
            Status::Pass,
            "framing",
            format!("CSP frame-ancestors {}{note}", shown(&sources)),
        );
    }
    if xfo.iter().any(|v| v == "deny" || v == "sameorigin") {
        let shown_values = xfo.join(", ").to_ascii_uppercase();
        return Finding::new(
            Status::Pass,
            "framing",
            format!("X-Frame-Options {}", shown(&shown_values)),
        );
    }
    if !xfo.is_empty() && xfo.iter().all(|v| v.starts_with("allow-from")) {
        return Finding::new(
            Status::Warn,
            "framing",
            "X-Frame-Options ALLOW-FROM is obsolete: current browsers ignore it and let any \
             site frame your pages",
        )
        .short("X-Frame-Options uses the obsolete ALLOW-FROM")
        .fix(
            "Replace X-Frame-Options ALLOW-FROM with `Content-Security-Policy: \
             frame-ancestors 'self' https://the-site-allowed-to-frame.example`.",
        );
    }
    let reason = if xfo.is_empty() {
        "no frame-ancestors and no X-Frame-Options: any site can show your pages inside its \
         own and trick visitors into clicking"
            .to_string()
    } else {
        format!(
            "X-Frame-Options \"{}\" is not DENY or SAMEORIGIN, and there is no frame-ancestors",
            shown_short(&xfo.join(", "))
        )
    };
    Finding::new(Status::Fail, "framing", reason)
        .short("nothing stops other sites framing your pages")
        .fix(FRAMING_FIX)
}

const REFERRER_POLICIES: &[&str] = &[
    "no-referrer",
    "no-referrer-when-downgrade",
    "same-origin",
    "origin",
    "strict-origin",
    "origin-when-cross-origin",
    "strict-origin-when-cross-origin",
    "unsafe-url",
];

fn referrer_finding(headers: &HeaderMap) -> Finding {
    // As browsers read it: the last value they know wins.
    let policy = joined(headers, "referrer-policy").and_then(|v| {
        v.split(',')
            .map(|t| t.trim().to_ascii_lowercase())
            .rev()
            .find(|t| REFERRER_POLICIES.contains(&t.as_str()))
    });
    match policy.as_deref() {
        None => Finding::new(
            Status::Warn,
            "referrer",
            "missing or not understood: current browsers default to \
             strict-origin-when-cross-origin, older ones send full addresses to other sites",
        )
        .short("no Referrer-Policy")
        .fix(REFERRER_FIX),
        Some(loose @ ("unsafe-url" | "no-referrer-when-downgrade")) => Finding::new(
            Status::Warn,
            "referrer",
            format!("{loose} sends full addresses (paths and query strings) to other sites"),
        )
        .short(format!("Referrer-Policy {loose} leaks full addresses"))
        .fix(REFERRER_FIX),
        Some(policy) => Finding::new(Status::Pass, "referrer", policy.to_string()),
    }
}

/// Whether a header value carries a version number: `nginx/1.18.0`, `PHP/8`, `Next.js 14.1`.
fn has_version(value: &str) -> bool {
    let b = value.as_bytes();
    b.windows(2).any(|w| matches!(w, [b'/', d] if d.is_ascii_digit()))
        || b.windows(3)
            .any(|w| matches!(w, [a, b'.', c] if a.is_ascii_digit() && c.is_ascii_digit()))
}

fn version_findings(headers: &HeaderMap) -> Vec<Finding> {
    let mut out = Vec::new();
    for (name, label, always) in [
        ("server", "Server", false),
        ("x-powered-by", "X-Powered-By", false),
        ("x-aspnet-version", "X-AspNet-Version", true),
        ("x-aspnetmvc-version", "X-AspNetMvc-Version", true),
    ] {
        let Some(value) = joined(headers, name) else {
            continue;
        };
        if always || has_version(&value) {
            out.push(
                Finding::new(
                    Status::Warn,
                    "version leak",
                    format!(
                        "{label}: {} tells attackers which version to target",
                        shown_short(&value)
                    ),
                )
                .short(format!("{label} shows a software version"))
                .fix(VERSION_FIX),
            );
        } else if name == "x-powered-by" {
            out.push(Finding::new(
                NOTE,
                "version leak",
                format!(
                    "X-Powered-By: {} names the software but no version",
                    shown_short(&value)
                ),
            ));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Set-Cookie (RFC 6265 and its revision)

/// A cookie's `SameSite` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    Strict,
    Lax,
    None,
    /// A value browsers do not understand: they treat it as if `SameSite` were missing.
    Other,
}

/// A cookie name prefix that makes browsers demand attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefix {
    /// `__Host-`: Secure, `Path=/`, no Domain.
    Host,
    /// `__Secure-`: Secure.
    Secure,
}

/// One parsed Set-Cookie line: name and attributes. The value is never kept (it is a secret),
/// only its length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetCookie {
    pub name: String,
    pub value_len: usize,
    pub secure: bool,
    pub http_only: bool,
    pub same_site: Option<SameSite>,
    /// Lower case, leading dot dropped.
    pub domain: Option<String>,
    /// Only a path starting with `/`; otherwise browsers use the default path.
    pub path: Option<String>,
    pub max_age: Option<i64>,
    /// As written (at most 64 characters).
    pub expires: Option<String>,
    pub prefix: Option<Prefix>,
}

impl SetCookie {
    /// Whether the line clears the cookie rather than setting one (empty value, or Max-Age 0
    /// or less).
    pub fn clears(&self) -> bool {
        self.value_len == 0 || self.max_age.is_some_and(|age| age <= 0)
    }

    /// What a prefix demands that the attributes lack, if anything.
    pub fn prefix_problem(&self) -> Option<&'static str> {
        match self.prefix? {
            Prefix::Secure if !self.secure => Some("__Secure- cookies must be Secure"),
            Prefix::Host if !self.secure => Some("__Host- cookies must be Secure"),
            Prefix::Host if self.path.as_deref() != Some("/") => Some("__Host- cookies must have Path=/"),
            Prefix::Host if self.domain.is_some() => Some("__Host- cookies must not set Domain"),
            _ => None,
        }
    }

    /// Name and attributes for evidence, never the value: `sid: Secure, HttpOnly, SameSite=Lax`.
    pub fn describe(&self) -> String {
        let mut parts = vec![
            if self.secure { "Secure" } else { "no Secure" }.to_string(),
            if self.http_only { "HttpOnly" } else { "no HttpOnly" }.to_string(),
            match self.same_site {
                Some(SameSite::Strict) => "SameSite=Strict".into(),
                Some(SameSite::Lax) => "SameSite=Lax".into(),
                Some(SameSite::None) => "SameSite=None".into(),
                Some(SameSite::Other) => "SameSite not understood".into(),
                None => "no SameSite".into(),
            },
        ];
        if let Some(path) = &self.path {
            parts.push(format!("Path={}", shown_short(path)));
        }
        if let Some(domain) = &self.domain {
            parts.push(format!("Domain={}", shown_short(domain)));
        }
        if let Some(age) = self.max_age {
            parts.push(format!("Max-Age={age}"));
        } else if let Some(expires) = &self.expires {
            parts.push(format!("Expires={}", shown_short(expires)));
        }
        format!("{}: {}", cookie_name(&self.name), parts.join(", "))
    }
}

/// A cookie name as evidence shows it (an empty name is possible).
fn cookie_name(name: &str) -> String {
    if name.is_empty() {
        "(no name)".into()
    } else {
        shorten(&clean(name), 60)
    }
}

/// Longest name plus value browsers accept.
const MAX_COOKIE: usize = 4096;
/// Longest attribute value browsers accept.
const MAX_ATTRIBUTE: usize = 1024;

/// Parses one Set-Cookie line the way browsers do (RFC 6265bis §5.6): the name-value pair up to
/// the first `;` (without `=` the name is empty), attributes case-insensitive and the last of
/// each kind winning, unknown or malformed attributes ignored. `Err` when browsers would drop
/// the cookie: control characters, empty name and value, name plus value over 4096 bytes.
pub fn parse_set_cookie(text: &str) -> Result<SetCookie, String> {
    let wsp = |c: char| c == ' ' || c == '\t';
    if text.chars().any(|c| c.is_ascii_control() && c != '\t') {
        return Err("it holds control characters".into());
    }
    let text = capped(text);
    let (pair, attributes) = text.split_once(';').unwrap_or((text, ""));
    let (name, value) = match pair.split_once('=') {
        Some((name, value)) => (name.trim_matches(wsp), value.trim_matches(wsp)),
        None => ("", pair.trim_matches(wsp)),
    };
    if name.is_empty() && value.is_empty() {
        return Err("it has neither a name nor a value".into());
    }
    if name.len() + value.len() > MAX_COOKIE {
        return Err("its name and value are longer than 4096 bytes".into());
    }
    let lower = name.to_ascii_lowercase();
    let prefix = if lower.starts_with("__host-") {
        Some(Prefix::Host)
    } else if lower.starts_with("__secure-") {
        Some(Prefix::Secure)
    } else {
        None
    };
    let mut cookie = SetCookie {
        name: name.to_string(),
        value_len: value.len(),
        secure: false,
        http_only: false,
        same_site: None,
        domain: None,
        path: None,
        max_age: None,
        expires: None,
        prefix,
    };
    for attribute in attributes.split(';').take(MAX_ITEMS) {
        let (key, value) = attribute.split_once('=').unwrap_or((attribute, ""));
        let key = key.trim_matches(wsp).to_ascii_lowercase();
        let value = value.trim_matches(wsp);
        if value.len() > MAX_ATTRIBUTE {
            continue;
        }
        match key.as_str() {
            "secure" => cookie.secure = true,
            "httponly" => cookie.http_only = true,
            "samesite" => {
                cookie.same_site = Some(match value.to_ascii_lowercase().as_str() {
                    "strict" => SameSite::Strict,
                    "lax" => SameSite::Lax,
                    "none" => SameSite::None,
                    _ => SameSite::Other,
                });
            }
            "domain" => {
                let domain = value.strip_prefix('.').unwrap_or(value);
                if !domain.is_empty() {
                    cookie.domain = Some(domain.to_ascii_lowercase());
                }
            }
            "path" => {
                cookie.path = value.starts_with('/').then(|| value.to_string());
            }
            "max-age" => {
                if let Some(age) = max_age(value) {
                    cookie.max_age = Some(age);
                }
            }
            "expires" if !value.is_empty() => {
                cookie.expires = Some(shorten(value, 64));
            }
            _ => {}
        }
    }
    Ok(cookie)
}

/// A Max-Age value: an optional `-` then digits, saturating; anything else is ignored.
fn max_age(value: &str) -> Option<i64> {
    let (negative, digits) = match value.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, value),
    };
    let n = i64::try_from(delta_seconds(digits)?).unwrap_or(i64::MAX);
    Some(if negative { -n } else { n })
}

/// Words in a cookie name that mark a login cookie.
const SESSION_WORDS: &[&str] = &[
    "session",
    "sess",
    "sessid",
    "sessionid",
    "sid",
    "ssid",
    "auth",
    "token",
    "jwt",
    "access",
    "refresh",
    "remember",
    "login",
    "logged",
    "user",
    "supabase",
    "identity",
];
/// Endings of a cookie name that mark a login cookie (`PHPSESSID`, `appSession`, `oauth`).
const SESSION_ENDINGS: &[&str] = &["session", "sessid", "sessionid", "token", "auth"];

/// Whether a cookie looks like a login cookie. The rule: not if its name mentions csrf or xsrf
/// (those are anti-forgery tokens); yes if it is `HttpOnly` (the server already treats it as
/// private); yes if its name, lower-cased and without a `__Host-`/`__Secure-` prefix, split
/// on anything that is not a letter or digit, has one of the words session, sess, sessid,
/// sessionid, sid, ssid, auth, token, jwt, access, refresh, remember, login, logged, user,
/// supabase, identity, or ends with session, sessid, sessionid, token or auth, or starts with
/// aspsessionid. That covers `PHPSESSID`, `JSESSIONID`, `connect.sid`, `laravel_session`,
/// `_myapp_session`, `next-auth.session-token`, `sb-…-auth-token`, `appSession`.
pub fn is_session_like(cookie: &SetCookie) -> bool {
    let lower = cookie.name.to_ascii_lowercase();
    if is_csrf(&lower) {
        return false;
    }
    if cookie.http_only {
        return true;
    }
    let bare = lower
        .strip_prefix("__host-")
        .or_else(|| lower.strip_prefix("__secure-"))
        .unwrap_or(&lower);
    bare.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| SESSION_WORDS.contains(&word))
        || SESSION_ENDINGS.iter().any(|end| bare.ends_with(end))
        || bare.starts_with("aspsessionid")
}

fn is_csrf(lower_name: &str) -> bool {
    lower_name.contains("csrf") || lower_name.contains("xsrf")
}

const COOKIE_FIX: &str = "Set login cookies with `Secure; HttpOnly; SameSite=Lax`, for example \
    `Set-Cookie: session=…; Path=/; Secure; HttpOnly; SameSite=Lax` (in most frameworks these \
    are the session cookie's secure, httpOnly and sameSite settings).";

/// Judges the cookies an answer sets (`https`: it came over HTTPS) for `http.cookies`: login
/// cookies (see [`is_session_like`]) must be `Secure`, `HttpOnly` and `SameSite`; prefixes and
/// `SameSite=None` must carry what browsers demand; other cookies should be Secure on HTTPS.
/// `Status::Skipped` when there is nothing to judge (no cookies, or none that matters).
pub fn judge_cookies(headers: &HeaderMap, https: bool) -> Verdict {
    let all = lines(headers, header::SET_COOKIE.as_str(), MAX_COOKIES);
    if all.is_empty() {
        return Verdict {
            status: Status::Skipped,
            summary: "This page sets no cookies, so there is nothing to judge.".into(),
            evidence: Vec::new(),
            fix: None,
        };
    }
    let mut evidence = Vec::new();
    let mut findings = Vec::new();
    let mut sessions: Vec<String> = Vec::new();
    let mut judged = 0;
    if headers.get_all(header::SET_COOKIE).iter().count() > MAX_COOKIES {
        evidence.push(Evidence::new(
            "cookies",
            format!("more than {MAX_COOKIES} cookies; the first {MAX_COOKIES} were judged"),
        ));
    }
    if !https {
        evidence.push(Evidence::new(
            "cookies",
            "this answer came over plain HTTP: every cookie travels unencrypted and browsers \
             refuse Secure cookies here, so Secure is not judged",
        ));
    }
    for line in &all {
        let cookie = match parse_set_cookie(line) {
            Ok(cookie) => cookie,
            Err(reason) => {
                evidence.push(Evidence::new(
                    "cookie ignored",
                    format!("a Set-Cookie line browsers drop: {reason}"),
                ));
                continue;
            }
        };
        let session = is_session_like(&cookie);
        let csrf = is_csrf(&cookie.name.to_ascii_lowercase());
        let kind = if session {
            "cookie session"
        } else if csrf {
            "cookie csrf"
        } else {
            "cookie other"
        };
        evidence.push(Evidence::new(kind, cookie.describe()));
        if cookie.clears() {
            evidence.push(Evidence::new(
                "cookie cleared",
                format!("{} is being cleared, not set", cookie_name(&cookie.name)),
            ));
            continue;
        }
        judged += 1;
        if session {
            sessions.push(cookie_name(&cookie.name));
        }
        findings.extend(cookie_findings(&cookie, session, csrf, https));
    }
    let status = worst(&findings);
    evidence.extend(findings.iter().map(Finding::evidence));
    let (status, summary) = match status {
        _ if judged == 0 => (
            Status::Skipped,
            "This page sets no cookie worth judging (only clears or malformed ones).".to_string(),
        ),
        Status::Pass if sessions.is_empty() => (
            Status::Skipped,
            format!(
                "None of the {judged} cookie(s) this page sets looks like a login cookie; \
                 their flags are fine."
            ),
        ),
        Status::Pass => (
            Status::Pass,
            format!(
                "Login cookies ({}) are Secure, HttpOnly and SameSite.",
                sessions.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
            ),
        ),
        status => (status, summarise(&findings, status)),
    };
    Verdict {
        status,
        summary,
        evidence,
        fix: fixes(&findings),
    }
}

fn cookie_findings(cookie: &SetCookie, session: bool, csrf: bool, https: bool) -> Vec<Finding> {
    let name = cookie_name(&cookie.name);
    let mut out = Vec::new();
    let mut problem = |status: Status, reason: String, short: String, fix: &str| {
        out.push(Finding::new(status, "cookie problem", reason).short(short).fix(fix));
    };
    if let Some(why) = cookie.prefix_problem() {
        problem(
            Status::Fail,
            format!("{name}: {why}, so browsers refuse it"),
            format!("browsers refuse the cookie {name} ({why})"),
            "Give `__Host-` cookies `Secure; Path=/` and no Domain, and `__Secure-` cookies \
             `Secure`.",
        );
    }
    if cookie.same_site == Some(SameSite::None) && !cookie.secure {
        problem(
            Status::Fail,
            format!("{name}: SameSite=None without Secure, so browsers refuse it"),
            format!("browsers refuse the cookie {name} (SameSite=None needs Secure)"),
            "Cookies with `SameSite=None` must also be `Secure`.",
        );
    }
    if session {
        if https && !cookie.secure {
            problem(
                Status::Fail,
                format!("{name} lacks Secure: it is also sent over plain HTTP, where anyone on the way can read it"),
                format!("the login cookie {name} lacks Secure"),
                COOKIE_FIX,
            );
        }
        if !cookie.http_only {
            problem(
                Status::Fail,
                format!("{name} lacks HttpOnly: page scripts, injected ones too, can read and steal it"),
                format!("the login cookie {name} lacks HttpOnly"),
                COOKIE_FIX,
            );
        }
    }
    if session || csrf {
        match cookie.same_site {
            None | Some(SameSite::Other) => {
                let what = if cookie.same_site.is_none() {
                    "lacks SameSite"
                } else {
                    "has a SameSite value browsers do not understand"
                };
                problem(
                    Status::Warn,
                    format!(
                        "{name} {what}: Chrome and Edge then treat it as Lax, other browsers send \
                         it along with requests other sites start"
                    ),
                    format!("the cookie {name} lacks SameSite"),
                    COOKIE_FIX,
                );
            }
            Some(SameSite::None) if session => out.push(Finding::new(
                NOTE,
                "cookie note",
                format!(
                    "{name} is SameSite=None: sent with requests other sites start (needed \
                     for an embedded widget; otherwise Lax is safer)"
                ),
            )),
            _ => {}
        }
    }
    if !session && https && !cookie.secure {
        out.push(
            Finding::new(
                Status::Warn,
                "cookie problem",
                format!("{name} lacks Secure: it is also sent over plain HTTP"),
            )
            .short(format!("the cookie {name} lacks Secure"))
            .fix("Mark every cookie `Secure`: your site is served over HTTPS."),
        );
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Caching by shared caches (RFC 9111, RFC 9213)

/// The Cache-Control directives that decide whether a shared cache may store an answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)] // one flag per directive, as the header has them
pub struct CacheControl {
    pub public: bool,
    /// Also set by the qualified form `private="…"`.
    pub private: bool,
    pub no_store: bool,
    /// Also set by the qualified form `no-cache="…"`.
    pub no_cache: bool,
    /// An invalid value reads as 0 (stale), as RFC 9111 asks.
    pub max_age: Option<u64>,
    pub s_maxage: Option<u64>,
}

/// Parses a Cache-Control (or CDN-Cache-Control, Surrogate-Control) value: comma-separated
/// directives, names case-insensitive, values token or quoted; malformed directives are
/// skipped and the first of a repeated freshness directive counts.
pub fn parse_cache_control(text: &str) -> CacheControl {
    let mut cc = CacheControl::default();
    for Param { name, value } in params(text, ',').into_iter().flatten() {
        let seconds = || Some(value.as_deref().and_then(delta_seconds).unwrap_or(0));
        match name.to_ascii_lowercase().as_str() {
            "public" => cc.public = true,
            "private" => cc.private = true,
            "no-store" => cc.no_store = true,
            "no-cache" => cc.no_cache = true,
            "max-age" if cc.max_age.is_none() => cc.max_age = seconds(),
            "s-maxage" if cc.s_maxage.is_none() => cc.s_maxage = seconds(),
            _ => {}
        }
    }
    cc
}

/// Whether a shared cache (a CDN) may store an answer, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cacheability {
    /// Not stored, or never reused without asking the server.
    NotStored,
    /// The headers allow storing: the reason, e.g. "Cache-Control max-age=600 without private".
    Stored(String),
    /// No freshness given, but a cache may pick one itself (heuristic caching): the reason.
    Heuristic(String),
}

/// Statuses a cache may store with a freshness lifetime it guesses (RFC 9110 §15.1).
const HEURISTIC_STATUSES: &[u16] = &[200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501];

/// CDN-targeted headers, most specific first; at the CDNs that read them they override
/// Cache-Control.
const CDN_HEADERS: &[(&str, &str)] = &[
    ("cloudflare-cdn-cache-control", "Cloudflare-CDN-Cache-Control"),
    ("cdn-cache-control", "CDN-Cache-Control"),
    ("surrogate-control", "Surrogate-Control"),
];

/// Whether a shared cache may store an answer with HTTP `status` and these headers. In order:
/// a CDN-targeted header that says anything about storing decides; then Cache-Control
/// (`no-store`, `private`, `no-cache` → not stored; `s-maxage`, else `max-age`, above 0 or
/// `public` → stored); then an `Expires` later than `Date` (or now); then heuristic caching
/// when `Last-Modified` is set and the status allows it. The request (an `Authorization`
/// header, say) is not known here.
pub fn cacheability(status: u16, headers: &HeaderMap) -> Cacheability {
    for (name, label) in CDN_HEADERS {
        let Some(value) = joined(headers, name) else {
            continue;
        };
        let cc = parse_cache_control(&value);
        if cc.no_store || cc.private {
            return Cacheability::NotStored;
        }
        if let Some(age) = cc.s_maxage.or(cc.max_age) {
            return if age > 0 {
                Cacheability::Stored(format!("{label} max-age={age} tells the CDN to keep it"))
            } else {
                Cacheability::NotStored
            };
        }
    }
    if let Some(value) = joined(headers, header::CACHE_CONTROL.as_str()) {
        let cc = parse_cache_control(&value);
        if cc.no_store || cc.private || cc.no_cache {
            return Cacheability::NotStored;
        }
        if let Some(age) = cc.s_maxage {
            return if age > 0 {
                Cacheability::Stored(format!("Cache-Control s-maxage={age}"))
            } else {
                Cacheability::NotStored
            };
        }
        if let Some(age) = cc.max_age {
            return if age > 0 {
                Cacheability::Stored(format!("Cache-Control max-age={age} without private"))
            } else {
                Cacheability::NotStored
            };
        }
        if cc.public {
            return Cacheability::Stored("Cache-Control public".into());
        }
    }
    if let Some(expires) = headers.get(header::EXPIRES) {
        let base = headers
            .get(header::DATE)
            .and_then(|d| httpdate::parse_http_date(&text(d)).ok())
            .unwrap_or_else(SystemTime::now);
        // An invalid Expires ("0", "-1") means already stale.
        return match httpdate::parse_http_date(&text(expires)) {
            Ok(at) => match at.duration_since(base) {
                Ok(ahead) if ahead > Duration::ZERO => Cacheability::Stored(format!(
                    "Expires is {} ahead, with no Cache-Control saying otherwise",
                    span(ahead.as_secs().max(1))
                )),
                _ => Cacheability::NotStored,
            },
            Err(_) => Cacheability::NotStored,
        };
    }
    if headers.contains_key(header::LAST_MODIFIED) && HEURISTIC_STATUSES.contains(&status) {
        return Cacheability::Heuristic(
            "no freshness is given but Last-Modified is set, so the answer may be cached \
             heuristically (a cache picks how long itself)"
                .into(),
        );
    }
    Cacheability::NotStored
}

/// Why a shared cache may store a 200 answer with these headers (heuristic caching included,
/// its reason saying so), or `None` when it may not.
pub fn shared_cacheable(headers: &HeaderMap) -> Option<String> {
    match cacheability(200, headers) {
        Cacheability::Stored(reason) | Cacheability::Heuristic(reason) => Some(reason),
        Cacheability::NotStored => None,
    }
}

#[cfg(test)]
mod tests {
    use hyper::header::HeaderName;

    use super::*;

    fn map(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_bytes(value.as_bytes()).unwrap(),
            );
        }
        headers
    }

    /// Whether some evidence line under `label` contains `needle`.
    fn has(verdict: &Verdict, label: &str, needle: &str) -> bool {
        verdict
            .evidence
            .iter()
            .any(|e| e.label == label && e.value.contains(needle))
    }

    fn everything(verdict: &Verdict) -> String {
        let mut all = format!("{} {:?}", verdict.summary, verdict.fix);
        for e in &verdict.evidence {
            let _ = write!(all, " {}={}", e.label, e.value);
        }
        all
    }

    // ---- shared pieces

    #[test]
    fn spans_read_in_the_largest_whole_unit() {
        assert_eq!(span(1), "1 second");
        assert_eq!(span(59), "59 seconds");
        assert_eq!(span(300), "5 minutes");
        assert_eq!(span(7200), "2 hours");
        assert_eq!(span(DAY), "1 day");
        assert_eq!(span(HSTS_MIN_AGE), "180 days");
    }

    #[test]
    fn a_verdict_becomes_a_result() {
        let verdict = judge_hsts(&HeaderMap::new(), true);
        let result = verdict.clone().into_result("http.hsts", "HSTS");
        assert_eq!(result.id, "http.hsts");
        assert_eq!(result.status, Status::Fail);
        assert_eq!(result.summary, verdict.summary);
        assert_eq!(result.evidence, verdict.evidence);
        assert_eq!(result.fix, verdict.fix);
    }

    // ---- HSTS parsing

    #[test]
    fn hsts_reads_all_three_directives() {
        let hsts = parse_hsts("max-age=31536000; includeSubDomains; preload").unwrap();
        assert_eq!(hsts.max_age, 31_536_000);
        assert!(hsts.include_subdomains);
        assert!(hsts.preload);
        assert!(hsts.preload_ready());
    }

    #[test]
    fn hsts_names_are_case_insensitive_and_whitespace_is_allowed() {
        let hsts = parse_hsts("  MAX-AGE = 600 ;\tINCLUDESUBDOMAINS ").unwrap();
        assert_eq!(hsts.max_age, 600);
        assert!(hsts.include_subdomains);
        assert!(!hsts.preload);
    }

    #[test]
    fn hsts_values_may_be_quoted() {
        assert_eq!(parse_hsts("max-age=\"15552000\"").unwrap().max_age, 15_552_000);
        // A quoted value may hold the separator and escapes.
        let hsts = parse_hsts(r#"foo="a;b\"c"; max-age=5"#).unwrap();
        assert_eq!(hsts.max_age, 5);
    }

    #[test]
    fn hsts_ignores_unknown_and_empty_directives() {
        let hsts = parse_hsts(";;foo=bar; max-age=10;; baz ;").unwrap();
        assert_eq!(hsts.max_age, 10);
        assert!(!hsts.include_subdomains);
    }

    #[test]
    fn hsts_errors_say_why() {
        let cases: &[(&str, &str)] = &[
            ("", "missing"),
            ("includeSubDomains", "missing"),
            ("max-age=10; max-age=20", "twice"),
            ("max-age=10; includeSubDomains; INCLUDESUBDOMAINS", "twice"),
            ("max-age=10; foo; FOO", "twice"),
            ("max-age=-1", "number of seconds"),
            ("max-age=abc", "number of seconds"),
            ("max-age=1.5", "number of seconds"),
            ("max-age=\"\"", "number of seconds"),
            ("max-age=", "no value"),
            ("max-age", "no value"),
            ("max-age=10; includeSubDomains=yes", "takes no value"),
            ("max-age=\"10", "never closed"),
            ("max-age=10 20", "unexpected"),
            ("max-age=10; @x", "not a directive name"),
            ("max-age=10; =5", "no directive name"),
        ];
        for (text, why) in cases {
            let err = parse_hsts(text).unwrap_err();
            assert!(err.contains(why), "{text:?}: {err}");
        }
    }

    #[test]
    fn hsts_max_age_saturates() {
        let hsts = parse_hsts("max-age=999999999999999999999999999").unwrap();
        assert_eq!(hsts.max_age, u64::MAX);
    }

    #[test]
    fn hsts_preload_with_a_value_is_not_preload() {
        let hsts = parse_hsts("max-age=31536000; includeSubDomains; preload=yes").unwrap();
        assert!(!hsts.preload);
        assert!(!hsts.preload_ready());
    }

    // ---- HSTS judging

    fn hsts(value: &str) -> Verdict {
        judge_hsts(&map(&[("strict-transport-security", value)]), true)
    }

    #[test]
    fn a_year_of_hsts_passes_and_notes_preload() {
        let verdict = hsts("max-age=31536000; includeSubDomains; preload");
        assert_eq!(verdict.status, Status::Pass);
        assert!(verdict.fix.is_none());
        assert!(verdict.summary.contains("365 days"));
        assert!(has(&verdict, "HSTS preload", "ready"));
        assert!(has(&verdict, "HSTS includeSubDomains", "yes"));
        assert!(has(&verdict, "Strict-Transport-Security", "max-age=31536000"));
    }

    #[test]
    fn hsts_passes_from_exactly_180_days() {
        let verdict = hsts("max-age=15552000");
        assert_eq!(verdict.status, Status::Pass);
        assert!(has(&verdict, "HSTS preload", "not preload-ready"));
        assert!(has(&verdict, "HSTS preload", "includeSubDomains"));
        assert!(has(&verdict, "HSTS includeSubDomains", "no"));
        assert_eq!(hsts("max-age=15551999").status, Status::Fail);
    }

    #[test]
    fn short_hsts_fails_with_its_length() {
        let verdict = hsts("max-age=86400");
        assert_eq!(verdict.status, Status::Fail);
        assert!(verdict.summary.contains("1 day"), "{}", verdict.summary);
        assert!(verdict.fix.unwrap().contains("max-age=31536000"));
    }

    #[test]
    fn zero_max_age_switches_hsts_off() {
        let verdict = hsts("max-age=0");
        assert_eq!(verdict.status, Status::Fail);
        assert!(verdict.summary.contains("switched off"));
        assert!(has(&verdict, "HSTS max-age", "switches HSTS off"));
    }

    #[test]
    fn missing_hsts_fails() {
        let verdict = judge_hsts(&HeaderMap::new(), true);
        assert_eq!(verdict.status, Status::Fail);
        assert!(verdict.summary.contains("no HSTS header"));
        assert!(
            verdict
                .fix
                .unwrap()
                .contains("Strict-Transport-Security: max-age=31536000; includeSubDomains")
        );
    }

    #[test]
    fn malformed_hsts_fails_because_browsers_ignore_it() {
        let verdict = hsts("max-age=31536000; max-age=31536000");
        assert_eq!(verdict.status, Status::Fail);
        assert!(verdict.summary.contains("malformed"));
        assert!(has(&verdict, "HSTS", "twice"));
    }

    #[test]
    fn hsts_over_plain_http_is_skipped() {
        let headers = map(&[("strict-transport-security", "max-age=31536000")]);
        let verdict = judge_hsts(&headers, false);
        assert_eq!(verdict.status, Status::Skipped);
        assert!(has(&verdict, "HSTS", "plain HTTP"));
        assert!(has(&verdict, "Strict-Transport-Security", "max-age=31536000"));
    }

    #[test]
    fn only_the_first_hsts_header_counts() {
        let headers = map(&[
            ("strict-transport-security", "max-age=0"),
            ("strict-transport-security", "max-age=31536000"),
        ]);
        let verdict = judge_hsts(&headers, true);
        assert_eq!(verdict.status, Status::Fail);
        assert!(has(&verdict, "HSTS", "use only the first"));
        let swapped = map(&[
            ("strict-transport-security", "max-age=31536000"),
            ("strict-transport-security", "max-age=0"),
        ]);
        assert_eq!(judge_hsts(&swapped, true).status, Status::Pass);
    }

    #[test]
    fn non_utf8_hsts_is_malformed_not_a_panic() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_bytes(b"max-age=31536000\xff\xfe").unwrap(),
        );
        let verdict = judge_hsts(&headers, true);
        assert_eq!(verdict.status, Status::Fail);
        assert!(verdict.summary.contains("malformed"));
    }

    // ---- CSP parsing

    #[test]
    fn csp_splits_directives_and_sources() {
        let csp = parse_csp(" Default-Src 'self'  https://cdn.example ;\tSCRIPT-SRC\t'self' 'nonce-abc'; ;");
        let names: Vec<&str> = csp.directives.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["default-src", "script-src"]);
        assert_eq!(
            csp.get("default-src").unwrap().sources,
            ["'self'", "https://cdn.example"]
        );
        assert_eq!(csp.script_policy().unwrap().name, "script-src");
        assert!(csp.duplicates.is_empty());
    }

    #[test]
    fn csp_first_directive_wins_and_duplicates_are_noted() {
        let csp = parse_csp("script-src 'self'; SCRIPT-SRC *; script-src data:");
        assert_eq!(csp.directives.len(), 1);
        assert_eq!(csp.get("script-src").unwrap().sources, ["'self'"]);
        assert_eq!(csp.duplicates, ["script-src"]);
    }

    #[test]
    fn csp_skips_empty_and_non_ascii_directives() {
        assert!(parse_csp("").directives.is_empty());
        assert!(parse_csp(" ; ;; ").directives.is_empty());
        let csp = parse_csp("script-src 'sélf'; object-src 'none'");
        assert!(csp.get("script-src").is_none());
        assert!(csp.get("object-src").is_some());
    }

    #[test]
    fn csp_script_policy_falls_back_to_default_src() {
        let csp = parse_csp("default-src 'self'; img-src *");
        assert_eq!(csp.script_policy().unwrap().name, "default-src");
        assert!(parse_csp("img-src *").script_policy().is_none());
    }

    #[test]
    fn csp_parsing_is_capped() {
        let huge = "script-src a b c; ".repeat(100_000);
        let csp = parse_csp(&huge);
        assert!(csp.directives.len() <= MAX_ITEMS);
        assert!(csp.duplicates.len() <= MAX_ITEMS);
        let sources = format!("script-src {}", "x ".repeat(10_000));
        assert_eq!(parse_csp(&sources).directives[0].sources.len(), MAX_SOURCES);
    }

    // ---- security headers

    /// A header set that passes, with `extra` replacing or adding headers.
    fn page(extra: &[(&str, &str)]) -> Verdict {
        let mut pairs: Vec<(&str, &str)> = vec![
            ("content-security-policy", "default-src 'self'; frame-ancestors 'none'"),
            ("x-content-type-options", "nosniff"),
            ("referrer-policy", "strict-origin-when-cross-origin"),
            ("permissions-policy", "camera=()"),
        ];
        for (name, value) in extra {
            pairs.retain(|(n, _)| n != name);
            if !value.is_empty() {
                pairs.push((name, value));
            }
        }
        judge_security_headers(&map(&pairs))
    }

    #[test]
    fn a_full_set_of_headers_passes() {
        let verdict = page(&[]);
        assert_eq!(verdict.status, Status::Pass, "{}", everything(&verdict));
        assert!(verdict.fix.is_none());
        assert!(has(&verdict, "Content-Security-Policy", "frame-ancestors 'none'"));
        assert!(has(&verdict, "X-Content-Type-Options", "nosniff"));
        assert!(has(&verdict, "CSP script-src", "'self' (from default-src)"));
        // Checks that passed say ok; notes show untagged; no finding reuses a header's label.
        assert!(has(&verdict, "nosniff", "ok: nosniff"));
        assert!(has(&verdict, "referrer", "ok: strict-origin-when-cross-origin"));
        let script = verdict.evidence.iter().find(|e| e.label == "CSP script-src").unwrap();
        assert!(script.value.starts_with("'self'"));
        let headers_shown = verdict
            .evidence
            .iter()
            .filter(|e| e.label == "X-Content-Type-Options")
            .count();
        assert_eq!(headers_shown, 1);
        assert!(has(&verdict, "framing", "frame-ancestors 'none'"));
    }

    #[test]
    fn no_headers_at_all_fail_with_each_reason_and_fix() {
        let verdict = judge_security_headers(&HeaderMap::new());
        assert_eq!(verdict.status, Status::Fail);
        assert!(has(&verdict, "CSP", "fail: no Content-Security-Policy"));
        assert!(has(&verdict, "nosniff", "fail: missing"));
        assert!(has(&verdict, "framing", "fail:"));
        assert!(has(&verdict, "referrer", "warn:"));
        assert!(has(&verdict, "permissions", "not set"));
        assert!(
            verdict.summary.contains("X-Content-Type-Options"),
            "{}",
            verdict.summary
        );
        assert!(verdict.summary.contains("smaller issue"), "{}", verdict.summary);
        let fix = verdict.fix.unwrap();
        assert!(fix.contains("X-Content-Type-Options: nosniff"));
        assert!(fix.contains("frame-ancestors 'self'"));
        assert!(fix.contains("Referrer-Policy: strict-origin-when-cross-origin"));
    }

    #[test]
    fn no_csp_with_x_frame_options_only_warns() {
        let verdict = page(&[("content-security-policy", ""), ("x-frame-options", "DENY")]);
        assert_eq!(verdict.status, Status::Warn);
        assert!(has(&verdict, "CSP", "warn: no Content-Security-Policy"));
        assert!(has(&verdict, "framing", "X-Frame-Options DENY"));
        assert!(verdict.fix.unwrap().contains("script-src 'self'"));
    }

    #[test]
    fn frame_ancestors_alone_is_the_minimum_that_passes() {
        let verdict = page(&[("content-security-policy", "frame-ancestors 'self'")]);
        assert_eq!(verdict.status, Status::Pass, "{}", everything(&verdict));
        assert!(has(&verdict, "CSP script-src", "frame-ancestors alone"));
    }

    #[test]
    fn a_csp_that_limits_neither_scripts_nor_framing_warns() {
        let verdict = page(&[
            ("content-security-policy", "upgrade-insecure-requests"),
            ("x-frame-options", "SAMEORIGIN"),
        ]);
        assert_eq!(verdict.status, Status::Warn);
        assert!(has(&verdict, "CSP script-src", "warn: no script-src or default-src"));
    }

    #[test]
    fn loose_script_sources_warn_with_their_reason() {
        let cases: &[(&str, &str)] = &[
            ("script-src 'self' 'unsafe-inline'", "inline scripts"),
            ("script-src 'self' 'unsafe-eval'", "eval"),
            ("script-src 'nonce-r4nd0m' 'unsafe-eval'", "eval"),
            ("script-src *", "any site (*)"),
            ("script-src 'self' data:", "data:"),
            ("script-src 'self' https:", "any https://"),
            ("script-src 'self' http:", "plain http:"),
            ("script-src https://*", "any https://"),
            ("default-src *", "any site (*)"),
            ("script-src 'UNSAFE-INLINE'", "inline scripts"),
        ];
        for (policy, why) in cases {
            let csp = format!("{policy}; frame-ancestors 'self'");
            let verdict = page(&[("content-security-policy", &csp)]);
            assert_eq!(verdict.status, Status::Warn, "{policy}");
            assert!(
                has(&verdict, "CSP script-src", why),
                "{policy}: {}",
                everything(&verdict)
            );
            assert!(verdict.fix.unwrap().contains("Tighten script-src"), "{policy}");
        }
    }

    #[test]
    fn nonces_hashes_and_strict_dynamic_neutralise_unsafe_inline() {
        for policy in [
            "script-src 'nonce-r4nd0m' 'unsafe-inline'",
            "script-src 'sha256-abc=' 'unsafe-inline'",
            "script-src 'nonce-r4nd0m' 'strict-dynamic' https: http: 'unsafe-inline'",
            "script-src 'strict-dynamic' 'unsafe-inline' *",
        ] {
            let csp = format!("{policy}; frame-ancestors 'self'");
            let verdict = page(&[("content-security-policy", &csp)]);
            assert_eq!(verdict.status, Status::Pass, "{policy}: {}", everything(&verdict));
        }
    }

    #[test]
    fn script_src_wins_over_a_loose_default_src() {
        let verdict = page(&[(
            "content-security-policy",
            "default-src *; script-src 'self'; frame-ancestors 'self'",
        )]);
        assert_eq!(verdict.status, Status::Pass, "{}", everything(&verdict));
    }

    #[test]
    fn several_policies_weaken_only_when_all_are_weak() {
        let strict_and_loose = map(&[
            ("content-security-policy", "script-src 'unsafe-inline' *"),
            ("content-security-policy", "script-src 'self'"),
            ("content-security-policy", "frame-ancestors 'self'"),
            ("x-content-type-options", "nosniff"),
            ("referrer-policy", "no-referrer"),
        ]);
        let verdict = judge_security_headers(&strict_and_loose);
        assert_eq!(verdict.status, Status::Pass, "{}", everything(&verdict));
        assert!(has(&verdict, "CSP", "3 policies"));
        // Comma-separated policies in one line count the same way.
        let both_loose = page(&[(
            "content-security-policy",
            "script-src 'unsafe-inline' *, script-src 'unsafe-inline', frame-ancestors 'self'",
        )]);
        assert_eq!(both_loose.status, Status::Warn);
        assert!(has(&both_loose, "CSP script-src", "inline scripts"));
        assert!(!has(&both_loose, "CSP script-src", "any site (*)"));
    }

    #[test]
    fn report_only_alone_enforces_nothing() {
        let verdict = page(&[
            ("content-security-policy", ""),
            ("content-security-policy-report-only", "default-src 'self'"),
            ("x-frame-options", "DENY"),
        ]);
        assert_eq!(verdict.status, Status::Warn);
        assert!(has(&verdict, "CSP", "warn: only Content-Security-Policy-Report-Only"));
        assert!(verdict.summary.contains("report-only"));
        assert!(verdict.fix.unwrap().contains("enforce"));
        // Report-only frame-ancestors does not protect either.
        let unframed = page(&[
            ("content-security-policy", ""),
            ("content-security-policy-report-only", "frame-ancestors 'none'"),
        ]);
        assert_eq!(unframed.status, Status::Fail);
    }

    #[test]
    fn a_report_only_policy_beside_an_enforced_one_is_noted() {
        let verdict = page(&[("content-security-policy-report-only", "script-src 'none'")]);
        assert_eq!(verdict.status, Status::Pass);
        assert!(has(&verdict, "CSP report-only", "reports"));
    }

    #[test]
    fn duplicate_csp_directives_are_noted() {
        let verdict = page(&[(
            "content-security-policy",
            "default-src 'self'; default-src *; frame-ancestors 'none'",
        )]);
        assert_eq!(verdict.status, Status::Pass);
        assert!(has(&verdict, "CSP duplicate", "default-src is given twice"));
    }

    #[test]
    fn nosniff_is_read_as_browsers_read_it() {
        assert_eq!(page(&[("x-content-type-options", "NoSniff")]).status, Status::Pass);
        assert_eq!(page(&[("x-content-type-options", " nosniff , x")]).status, Status::Pass);
        let wrong = page(&[("x-content-type-options", "sniff")]);
        assert_eq!(wrong.status, Status::Fail);
        assert!(has(&wrong, "nosniff", "\"sniff\" is not nosniff"));
        let missing = page(&[("x-content-type-options", "")]);
        assert_eq!(missing.status, Status::Fail);
        assert!(missing.summary.contains("nosniff is missing"));
    }

    #[test]
    fn x_frame_options_values() {
        let no_ancestors = "default-src 'self'";
        let framed = |xfo: &str| page(&[("content-security-policy", no_ancestors), ("x-frame-options", xfo)]);
        assert_eq!(framed("sameorigin").status, Status::Pass);
        assert_eq!(framed("DENY, SAMEORIGIN").status, Status::Pass);
        let allow_from = framed("ALLOW-FROM https://partner.example");
        assert_eq!(allow_from.status, Status::Warn);
        assert!(has(&allow_from, "framing", "obsolete"));
        assert!(allow_from.fix.unwrap().contains("frame-ancestors"));
        // Without a CSP, an ignored ALLOW-FROM does not soften the missing CSP.
        let bare = page(&[
            ("content-security-policy", ""),
            ("x-frame-options", "ALLOW-FROM https://a.example"),
        ]);
        assert_eq!(bare.status, Status::Fail);
        assert!(has(&bare, "CSP", "fail: no Content-Security-Policy"));
        let junk = framed("ALLOWALL");
        assert_eq!(junk.status, Status::Fail);
        assert!(has(&junk, "framing", "\"allowall\" is not DENY or SAMEORIGIN"));
        let none = page(&[("content-security-policy", no_ancestors)]);
        assert_eq!(none.status, Status::Fail);
        assert!(none.summary.contains("framing"));
    }

    #[test]
    fn frame_ancestors_overrides_x_frame_options() {
        let verdict = page(&[("x-frame-options", "ALLOWALL")]);
        assert_eq!(verdict.status, Status::Pass);
        assert!(has(&verdict, "framing", "ignore X-Frame-Options"));
    }

    #[test]
    fn framing_open_to_anyone_warns() {
        let verdict = page(&[
            ("content-security-policy", "default-src 'self'; frame-ancestors *"),
            ("x-frame-options", "DENY"),
        ]);
        assert_eq!(verdict.status, Status::Warn);
        assert!(has(&verdict, "framing", "any site"));
        assert!(has(&verdict, "framing", "widget"));
    }

    #[test]
    fn referrer_policy_values() {
        let missing = page(&[("referrer-policy", "")]);
        assert_eq!(missing.status, Status::Warn);
        assert!(has(&missing, "referrer", "strict-origin-when-cross-origin"));
        for loose in ["unsafe-url", "no-referrer-when-downgrade", "strict-origin, unsafe-url"] {
            let verdict = page(&[("referrer-policy", loose)]);
            assert_eq!(verdict.status, Status::Warn, "{loose}");
            assert!(has(&verdict, "referrer", "full addresses"), "{loose}");
        }
        // The last policy browsers know wins; unknown ones are skipped.
        for fine in ["unsafe-url, strict-origin", "no-referrer, foo", "Same-Origin"] {
            assert_eq!(page(&[("referrer-policy", fine)]).status, Status::Pass, "{fine}");
        }
        assert_eq!(page(&[("referrer-policy", "foo")]).status, Status::Warn);
    }

    #[test]
    fn a_missing_permissions_policy_is_only_noted() {
        let verdict = page(&[("permissions-policy", "")]);
        assert_eq!(verdict.status, Status::Pass);
        assert!(has(&verdict, "permissions", "not set"));
    }

    #[test]
    fn version_numbers_in_server_headers_warn() {
        for (name, value) in [
            ("server", "nginx/1.18.0"),
            ("server", "Apache/2.4.41 (Ubuntu)"),
            ("server", "Microsoft-IIS/10.0"),
            ("x-powered-by", "PHP/8.1.2"),
            ("x-powered-by", "Next.js 14.1"),
            ("x-aspnet-version", "4.0.30319"),
            ("x-aspnetmvc-version", "5"),
        ] {
            let verdict = page(&[(name, value)]);
            assert_eq!(verdict.status, Status::Warn, "{name}: {value}");
            assert!(has(&verdict, "version leak", "which version to target"), "{value}");
            assert!(verdict.fix.unwrap().contains("server_tokens off"));
        }
        for (name, value) in [
            ("server", "nginx"),
            ("server", "cloudflare"),
            ("x-powered-by", "Express"),
        ] {
            assert_eq!(page(&[(name, value)]).status, Status::Pass, "{name}: {value}");
        }
        assert!(has(&page(&[("x-powered-by", "Express")]), "version leak", "no version"));
    }

    #[test]
    fn header_values_in_evidence_are_shortened_and_cleaned() {
        let long = format!(
            "default-src 'self'; frame-ancestors 'none'; img-src {}",
            "a ".repeat(500)
        );
        let verdict = page(&[("content-security-policy", &long), ("server", "nginx\tx")]);
        let shown = verdict
            .evidence
            .iter()
            .find(|e| e.label == "Content-Security-Policy")
            .unwrap();
        assert!(shown.value.chars().count() <= SHOWN + 1);
        assert!(shown.value.ends_with('…'));
        assert!(has(&verdict, "Server", "nginx x"));
    }

    #[test]
    fn non_utf8_security_headers_do_not_panic() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_bytes(b"script-src 'self' \xff\xfe; frame-ancestors 'none'").unwrap(),
        );
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_bytes(b"nosniff\x80").unwrap(),
        );
        let verdict = judge_security_headers(&headers);
        assert_eq!(verdict.status, Status::Fail);
        assert!(has(&verdict, "framing", "frame-ancestors 'none'"));
        assert!(has(&verdict, "nosniff", "is not nosniff"));
    }

    // ---- Set-Cookie parsing

    #[test]
    fn set_cookie_reads_every_attribute() {
        let cookie = parse_set_cookie(
            "sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax; Domain=.Example.COM; Max-Age=3600; \
             Expires=Wed, 21 Oct 2026 07:28:00 GMT",
        )
        .unwrap();
        assert_eq!(cookie.name, "sid");
        assert_eq!(cookie.value_len, 3);
        assert!(cookie.secure && cookie.http_only);
        assert_eq!(cookie.same_site, Some(SameSite::Lax));
        assert_eq!(cookie.domain.as_deref(), Some("example.com"));
        assert_eq!(cookie.path.as_deref(), Some("/"));
        assert_eq!(cookie.max_age, Some(3600));
        assert_eq!(cookie.expires.as_deref(), Some("Wed, 21 Oct 2026 07:28:00 GMT"));
        assert_eq!(cookie.prefix, None);
        assert!(!cookie.clears());
    }

    #[test]
    fn set_cookie_attributes_are_case_insensitive_and_trimmed() {
        let cookie = parse_set_cookie("  sid = abc ;secure;HTTPONLY ; samesite = STRICT").unwrap();
        assert_eq!(cookie.name, "sid");
        assert_eq!(cookie.value_len, 3);
        assert!(cookie.secure && cookie.http_only);
        assert_eq!(cookie.same_site, Some(SameSite::Strict));
    }

    #[test]
    fn set_cookie_without_equals_has_an_empty_name() {
        let cookie = parse_set_cookie("justavalue; Secure").unwrap();
        assert_eq!(cookie.name, "");
        assert_eq!(cookie.value_len, 10);
        assert!(cookie.describe().starts_with("(no name):"));
    }

    #[test]
    fn set_cookie_lines_browsers_drop_are_errors() {
        for (text, why) in [
            ("", "neither"),
            ("=", "neither"),
            (" ; Secure", "neither"),
            ("sid=a\u{1}b", "control"),
            ("sid=a\nb", "control"),
        ] {
            let err = parse_set_cookie(text).unwrap_err();
            assert!(err.contains(why), "{text:?}: {err}");
        }
        let long = format!("sid={}", "x".repeat(4100));
        assert!(parse_set_cookie(&long).unwrap_err().contains("4096"));
    }

    #[test]
    fn set_cookie_last_attribute_wins_and_bad_ones_are_ignored() {
        let cookie = parse_set_cookie(
            "a=b; SameSite=Strict; SameSite=None; Path=/x; Path=nope; Domain=; Max-Age=60; Max-Age=abc",
        )
        .unwrap();
        assert_eq!(cookie.same_site, Some(SameSite::None));
        assert_eq!(cookie.path, None);
        assert_eq!(cookie.domain, None);
        assert_eq!(cookie.max_age, Some(60));
        assert_eq!(
            parse_set_cookie("a=b; SameSite=Lox").unwrap().same_site,
            Some(SameSite::Other)
        );
        assert_eq!(parse_set_cookie("a=b; Max-Age=-1").unwrap().max_age, Some(-1));
        assert_eq!(
            parse_set_cookie("a=b; Max-Age=99999999999999999999").unwrap().max_age,
            Some(i64::MAX)
        );
        let long_path = format!("a=b; Path=/{}", "p".repeat(2000));
        assert_eq!(parse_set_cookie(&long_path).unwrap().path, None);
    }

    #[test]
    fn set_cookie_prefixes_are_read_case_insensitively() {
        assert_eq!(parse_set_cookie("__Host-sid=1").unwrap().prefix, Some(Prefix::Host));
        assert_eq!(parse_set_cookie("__host-sid=1").unwrap().prefix, Some(Prefix::Host));
        assert_eq!(parse_set_cookie("__SECURE-sid=1").unwrap().prefix, Some(Prefix::Secure));
        let broken = parse_set_cookie("__Host-sid=1; Secure; Path=/; Domain=example.com").unwrap();
        assert_eq!(broken.prefix_problem(), Some("__Host- cookies must not set Domain"));
        let sound = parse_set_cookie("__Host-sid=1; Secure; Path=/").unwrap();
        assert_eq!(sound.prefix_problem(), None);
    }

    #[test]
    fn a_cookie_value_is_never_kept() {
        let cookie = parse_set_cookie("sid=s3cr3t-V4LU3; Secure").unwrap();
        assert!(!format!("{cookie:?}").contains("s3cr3t"));
        assert!(!cookie.describe().contains("s3cr3t"));
        assert_eq!(cookie.value_len, "s3cr3t-V4LU3".len());
    }

    #[test]
    fn session_like_names() {
        let session = |name: &str| is_session_like(&parse_set_cookie(&format!("{name}=1")).unwrap());
        for name in [
            "PHPSESSID",
            "JSESSIONID",
            "connect.sid",
            "laravel_session",
            "_myapp_session",
            "next-auth.session-token",
            "__Secure-next-auth.session-token",
            "sb-abcdefgh-auth-token",
            "appSession",
            "ASP.NET_SessionId",
            "ASPSESSIONIDQACTRQCS",
            "remember_web_59ba36",
            "access_token",
            "refresh_token",
            "jwt",
            "user_id",
            "supabase-auth",
            "__Host-sid",
            "wordpress_logged_in_abc",
        ] {
            assert!(session(name), "{name}");
        }
        for name in [
            "csrftoken",
            "XSRF-TOKEN",
            "__Host-authjs.csrf-token",
            "_ga",
            "theme",
            "lang",
            "AWSALB",
        ] {
            assert!(!session(name), "{name}");
        }
        let http_only = parse_set_cookie("__cf_bm=1; HttpOnly").unwrap();
        assert!(is_session_like(&http_only));
        let csrf_http_only = parse_set_cookie("csrftoken=1; HttpOnly").unwrap();
        assert!(!is_session_like(&csrf_http_only));
    }

    // ---- cookie judging

    fn cookies(lines: &[&str], https: bool) -> Verdict {
        let pairs: Vec<(&str, &str)> = lines.iter().map(|l| ("set-cookie", *l)).collect();
        judge_cookies(&map(&pairs), https)
    }

    #[test]
    fn no_cookies_is_nothing_to_judge() {
        let verdict = judge_cookies(&HeaderMap::new(), true);
        assert_eq!(verdict.status, Status::Skipped);
        assert!(verdict.summary.contains("no cookies"));
    }

    #[test]
    fn locked_down_session_cookies_pass() {
        let verdict = cookies(
            &[
                "sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax",
                "__Host-token=xyz; Path=/; Secure; HttpOnly; SameSite=Strict",
            ],
            true,
        );
        assert_eq!(verdict.status, Status::Pass, "{}", everything(&verdict));
        assert!(verdict.summary.contains("sid, __Host-token"));
        assert!(verdict.fix.is_none());
        assert!(has(
            &verdict,
            "cookie session",
            "sid: Secure, HttpOnly, SameSite=Lax, Path=/"
        ));
    }

    #[test]
    fn a_session_cookie_without_secure_fails_on_https_only() {
        let line = "sid=abc; HttpOnly; SameSite=Lax";
        let verdict = cookies(&[line], true);
        assert_eq!(verdict.status, Status::Fail);
        assert!(has(&verdict, "cookie problem", "fail: sid lacks Secure"));
        assert!(verdict.summary.contains("sid lacks Secure"));
        assert!(verdict.fix.unwrap().contains("Secure; HttpOnly; SameSite=Lax"));
        let plain = cookies(&[line], false);
        assert_eq!(plain.status, Status::Pass, "{}", everything(&plain));
        assert!(has(&plain, "cookies", "plain HTTP"));
    }

    #[test]
    fn a_session_cookie_without_http_only_fails() {
        let verdict = cookies(&["PHPSESSID=abc; Secure; SameSite=Lax"], true);
        assert_eq!(verdict.status, Status::Fail);
        assert!(has(&verdict, "cookie problem", "PHPSESSID lacks HttpOnly"));
        assert_eq!(
            cookies(&["PHPSESSID=abc; Secure; SameSite=Lax"], false).status,
            Status::Fail
        );
    }

    #[test]
    fn a_session_cookie_without_same_site_warns() {
        let verdict = cookies(&["sid=abc; Secure; HttpOnly"], true);
        assert_eq!(verdict.status, Status::Warn);
        assert!(has(&verdict, "cookie problem", "Chrome and Edge"));
        let odd = cookies(&["sid=abc; Secure; HttpOnly; SameSite=Lox"], true);
        assert_eq!(odd.status, Status::Warn);
        assert!(has(&odd, "cookie problem", "do not understand"));
    }

    #[test]
    fn same_site_none_needs_secure() {
        let verdict = cookies(&["widget=1; SameSite=None"], true);
        assert_eq!(verdict.status, Status::Fail);
        assert!(has(&verdict, "cookie problem", "SameSite=None without Secure"));
        let fine = cookies(&["sid=1; Secure; HttpOnly; SameSite=None"], true);
        assert_eq!(fine.status, Status::Pass);
        assert!(has(&fine, "cookie note", "embedded widget"));
    }

    #[test]
    fn broken_prefixes_fail() {
        for line in [
            "__Host-sid=1; Secure; HttpOnly; SameSite=Lax; Path=/; Domain=example.com",
            "__Host-sid=1; Secure; HttpOnly; SameSite=Lax; Path=/app",
            "__Host-sid=1; HttpOnly; SameSite=Lax; Path=/",
            "__Secure-pref=1; SameSite=Lax",
        ] {
            let verdict = cookies(&[line], true);
            assert_eq!(verdict.status, Status::Fail, "{line}");
            assert!(has(&verdict, "cookie problem", "browsers refuse it"), "{line}");
        }
    }

    #[test]
    fn other_cookies_without_secure_warn_on_https() {
        let verdict = cookies(&["theme=dark; SameSite=Lax"], true);
        assert_eq!(verdict.status, Status::Warn);
        assert!(has(&verdict, "cookie problem", "theme lacks Secure"));
        assert!(has(&verdict, "cookie other", "theme:"));
        // Over plain HTTP nothing is left to judge.
        let plain = cookies(&["theme=dark; SameSite=Lax"], false);
        assert_eq!(plain.status, Status::Skipped);
        assert!(plain.summary.contains("login cookie"));
    }

    #[test]
    fn csrf_cookies_should_still_be_same_site() {
        let verdict = cookies(&["csrftoken=abc; Secure"], true);
        assert_eq!(verdict.status, Status::Warn);
        assert!(has(&verdict, "cookie csrf", "csrftoken"));
        assert!(has(&verdict, "cookie problem", "csrftoken lacks SameSite"));
        assert!(!has(&verdict, "cookie problem", "HttpOnly"));
    }

    #[test]
    fn cleared_and_malformed_cookies_are_not_judged() {
        let long = format!("sid={}", "x".repeat(5000));
        let verdict = cookies(&["sid=; Max-Age=0", "token=abc; Max-Age=-1", "=", &long], true);
        assert_eq!(verdict.status, Status::Skipped, "{}", everything(&verdict));
        assert!(has(&verdict, "cookie cleared", "sid is being cleared"));
        assert!(has(&verdict, "cookie ignored", "neither"));
    }

    #[test]
    fn cookie_values_never_reach_the_verdict() {
        let verdict = cookies(
            &[
                "sid=s3cr3tV4lu3AAAA; Path=/",
                "token=0th3rS3cr3tBBBB; Secure; HttpOnly; SameSite=Lax",
                "s3cr3tNoNameCCCC",
            ],
            true,
        );
        let all = everything(&verdict);
        for secret in ["s3cr3tV4lu3AAAA", "0th3rS3cr3tBBBB", "s3cr3tNoNameCCCC"] {
            assert!(!all.contains(secret), "{secret} in {all}");
        }
        assert_eq!(verdict.status, Status::Fail);
    }

    #[test]
    fn many_cookies_are_capped() {
        let lines: Vec<String> = (0..100).map(|i| format!("c{i}=v; Secure; SameSite=Lax")).collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let verdict = cookies(&refs, true);
        assert!(has(&verdict, "cookies", "more than 64"));
        let described = verdict.evidence.iter().filter(|e| e.label == "cookie other").count();
        assert_eq!(described, MAX_COOKIES);
    }

    // ---- caching

    #[test]
    fn cache_control_parsing() {
        let cc = parse_cache_control("Public, MAX-AGE=\"60\", s-maxage=120");
        assert!(cc.public);
        assert_eq!(cc.max_age, Some(60));
        assert_eq!(cc.s_maxage, Some(120));
        assert_eq!(parse_cache_control("max-age=abc").max_age, Some(0));
        assert_eq!(parse_cache_control("max-age").max_age, Some(0));
        assert_eq!(parse_cache_control("max-age=10, max-age=20").max_age, Some(10));
        assert!(parse_cache_control("private=\"set-cookie, x\"").private);
        assert!(parse_cache_control("no-cache=\"set-cookie\"").no_cache);
        // A malformed directive is skipped; the next one still counts.
        assert_eq!(parse_cache_control("foo bar, max-age=5").max_age, Some(5));
        assert_eq!(parse_cache_control(""), CacheControl::default());
        assert!(parse_cache_control(" , ,no-store,").no_store);
    }

    fn cached(pairs: &[(&str, &str)]) -> Cacheability {
        cacheability(200, &map(pairs))
    }

    fn stored(pairs: &[(&str, &str)], reason: &str) {
        match cached(pairs) {
            Cacheability::Stored(why) => assert!(why.contains(reason), "{pairs:?}: {why}"),
            other => panic!("{pairs:?}: {other:?}"),
        }
    }

    #[test]
    fn cache_control_decides_what_a_cdn_stores() {
        stored(&[("cache-control", "public")], "public");
        stored(&[("cache-control", "max-age=600")], "max-age=600 without private");
        stored(&[("cache-control", "s-maxage=600, max-age=0")], "s-maxage=600");
        stored(&[("cache-control", "max-age=600, must-revalidate")], "max-age=600");
        for value in [
            "private, max-age=600",
            "no-store, public",
            "no-cache, s-maxage=600",
            "s-maxage=0, max-age=600",
            "max-age=0",
            "public, max-age=0",
            "private=\"set-cookie\", max-age=600",
        ] {
            assert_eq!(cached(&[("cache-control", value)]), Cacheability::NotStored, "{value}");
        }
        assert_eq!(cached(&[]), Cacheability::NotStored);
    }

    #[test]
    fn repeated_cache_control_lines_combine() {
        assert_eq!(
            cached(&[("cache-control", "max-age=600"), ("cache-control", "private")]),
            Cacheability::NotStored
        );
    }

    #[test]
    fn cdn_targeted_headers_override_cache_control() {
        stored(
            &[("cdn-cache-control", "max-age=600"), ("cache-control", "private")],
            "CDN-Cache-Control max-age=600",
        );
        stored(&[("surrogate-control", "max-age=60")], "Surrogate-Control");
        assert_eq!(
            cached(&[
                ("cdn-cache-control", "no-store"),
                ("cache-control", "public, max-age=600")
            ]),
            Cacheability::NotStored
        );
        assert_eq!(
            cached(&[
                ("cloudflare-cdn-cache-control", "max-age=0"),
                ("cdn-cache-control", "max-age=600"),
            ]),
            Cacheability::NotStored
        );
        // One that says nothing about storing leaves it to Cache-Control.
        stored(
            &[
                ("cdn-cache-control", "stale-if-error=60"),
                ("cache-control", "max-age=5"),
            ],
            "Cache-Control max-age=5",
        );
    }

    #[test]
    fn expires_counts_without_cache_control_freshness() {
        let date = ("date", "Wed, 21 Oct 2026 07:28:00 GMT");
        stored(&[date, ("expires", "Wed, 21 Oct 2026 08:28:00 GMT")], "1 hour ahead");
        assert_eq!(
            cached(&[date, ("expires", "Wed, 21 Oct 2026 06:28:00 GMT")]),
            Cacheability::NotStored
        );
        assert_eq!(cached(&[date, ("expires", "0")]), Cacheability::NotStored);
        assert_eq!(
            cached(&[
                date,
                ("expires", "Wed, 21 Oct 2026 08:28:00 GMT"),
                ("cache-control", "max-age=0")
            ]),
            Cacheability::NotStored
        );
        // Without a Date header the clock decides; these dates are far from any test run.
        stored(&[("expires", "Fri, 01 Jan 2100 00:00:00 GMT")], "ahead");
        assert_eq!(
            cached(&[("expires", "Thu, 01 Jan 1970 00:00:00 GMT")]),
            Cacheability::NotStored
        );
    }

    #[test]
    fn last_modified_alone_allows_heuristic_caching() {
        let headers = map(&[("last-modified", "Wed, 21 Oct 2026 07:28:00 GMT")]);
        assert!(matches!(cacheability(200, &headers), Cacheability::Heuristic(why) if why.contains("heuristically")));
        assert!(matches!(cacheability(404, &headers), Cacheability::Heuristic(_)));
        assert_eq!(cacheability(302, &headers), Cacheability::NotStored);
        assert_eq!(cacheability(500, &headers), Cacheability::NotStored);
        let revalidate = map(&[
            ("last-modified", "Wed, 21 Oct 2026 07:28:00 GMT"),
            ("cache-control", "must-revalidate"),
        ]);
        assert!(matches!(cacheability(200, &revalidate), Cacheability::Heuristic(_)));
    }

    #[test]
    fn shared_cacheable_gives_the_reason() {
        let public = map(&[("cache-control", "public, max-age=60")]);
        assert_eq!(
            shared_cacheable(&public).as_deref(),
            Some("Cache-Control max-age=60 without private")
        );
        let heuristic = map(&[("last-modified", "Wed, 21 Oct 2026 07:28:00 GMT")]);
        assert!(shared_cacheable(&heuristic).unwrap().contains("heuristically"));
        assert_eq!(shared_cacheable(&map(&[("cache-control", "no-store")])), None);
    }

    // ---- hostile input

    #[test]
    fn garbled_headers_never_panic() {
        let pieces = [
            "max-age",
            "=",
            "\"",
            "\\",
            ";",
            ",",
            " ",
            "\t",
            "0",
            "9",
            "31536000",
            "includeSubDomains",
            "preload",
            "script-src",
            "default-src",
            "frame-ancestors",
            "'unsafe-inline'",
            "'nonce-",
            "*",
            "https:",
            "data:",
            "'self'",
            "sid",
            "Secure",
            "HttpOnly",
            "SameSite",
            "None",
            "Path",
            "/",
            "Domain",
            ".",
            "Max-Age",
            "-",
            "__Host-",
            "__Secure-",
            "no-store",
            "private",
            "s-maxage",
            "public",
            "é",
            "\u{fffd}",
            "\u{202e}",
            "\u{1}",
            "\n",
            "\r",
            "nginx/1.2",
            "ALLOW-FROM",
            "DENY",
            "unsafe-url",
        ];
        let names = [
            "strict-transport-security",
            "content-security-policy",
            "content-security-policy-report-only",
            "x-content-type-options",
            "x-frame-options",
            "referrer-policy",
            "server",
            "x-powered-by",
            "set-cookie",
            "cache-control",
            "cdn-cache-control",
            "expires",
            "date",
            "last-modified",
        ];
        for (i, text) in crate::probe::garbled(0x5eed_cafe, 600, &pieces, 40).iter().enumerate() {
            let _ = parse_hsts(text);
            let _ = parse_csp(text);
            let _ = parse_set_cookie(text);
            let _ = parse_cache_control(text);
            let mut headers = HeaderMap::new();
            if let Ok(value) = HeaderValue::from_bytes(text.as_bytes()) {
                for name in names.iter().skip(i % 3).step_by(2) {
                    headers.append(*name, value.clone());
                }
            }
            let _ = judge_hsts(&headers, i % 2 == 0);
            let _ = judge_security_headers(&headers);
            let _ = judge_cookies(&headers, i % 2 == 1);
            let _ = cacheability(200, &headers);
        }
    }

    #[test]
    fn huge_values_are_read_only_up_to_the_cap() {
        let mut headers = HeaderMap::new();
        // The second max-age lies past the cap, so it is never read (it would be an error).
        let huge = format!("max-age=31536000{}; max-age=0", ";".repeat(1_000_000));
        let value = HeaderValue::from_str(&huge).unwrap();
        for name in [
            "strict-transport-security",
            "content-security-policy",
            "set-cookie",
            "cache-control",
        ] {
            headers.insert(name, value.clone());
        }
        assert_eq!(judge_hsts(&headers, true).status, Status::Pass);
        let verdict = judge_security_headers(&headers);
        assert!(verdict.evidence.iter().all(|e| e.value.chars().count() <= SHOWN + 1));
        let _ = judge_cookies(&headers, true);
        let _ = cacheability(200, &headers);
    }
}
