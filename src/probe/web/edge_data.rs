//! What the edge checks know about the web's edges, and the pure functions that match a
//! response against it: which CDN or hosting proxy answered ([`recognise`]), whether a CDN
//! served the answer from its cache ([`cache_hit`]), which hosting service a CNAME points at and
//! whether its "no such site" page shows ([`hosting_service`], [`is_unclaimed`]), and the
//! subdomain names worth trying ([`subdomain_names`], [`is_non_production`]).
//!
//! The knowledge lives in `edge.toml` (its format is described at its top), compiled in and
//! parsed once. No networking here: callers fetch headers, CNAMEs, addresses and bodies and pass
//! them in. Everything read from a server is untrusted: comparisons ignore ASCII case, look at a
//! bounded prefix of each value, and reasons never echo a header's value (a cookie could be in
//! it), only the data's own pattern, a header's name, a CNAME or an address.

use std::fmt::Write as _;
use std::net::IpAddr;
use std::sync::LazyLock;

use serde::Deserialize;

/// The data file, compiled in.
const TEXT: &str = include_str!("edge.toml");

/// How much of one header value is looked at.
const VALUE_CAP: usize = 8 * 1024;
/// How much of a body is searched for a takeover fingerprint (bodies may be 256 KB).
const BODY_CAP: usize = 64 * 1024;
/// At most this many headers, CNAMEs and addresses are considered.
const MAX_HEADERS: usize = 256;
const MAX_CNAMES: usize = 16;
const MAX_ADDRESSES: usize = 64;
/// A sighting's reason names at most this many pieces of evidence.
const MAX_REASONS: usize = 3;
/// Longest text taken from a server (a header name, a cache's name) into a reason.
const NAME_CAP: usize = 48;

static DATA: LazyLock<Data> = LazyLock::new(|| load(TEXT).unwrap_or_default());

/// Whether traffic passes a CDN/WAF edge or only a hosting platform's proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A CDN/WAF edge: protection from floods of traffic and caching rules can apply.
    Cdn,
    /// A hosting proxy that routes traffic but is not a CDN/WAF.
    Host,
}

/// One provider seen in front of a site, with why we think so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sighting {
    /// The provider's name, e.g. "Cloudflare".
    pub provider: &'static str,
    /// CDN/WAF or hosting proxy.
    pub kind: Kind,
    /// The evidence in words: "header cf-ray, CNAME www.example.com.cdn.cloudflare.net".
    pub reason: String,
}

/// Whether a stranger can claim a name left unclaimed on a hosting service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Claim {
    /// Anyone can usually register the name and serve the subdomain.
    Yes,
    /// Only in some setups (domain verification on some accounts, random names).
    Maybe,
    /// The service checks domain ownership: the record is stale but not claimable.
    No,
}

/// A hosting service whose unclaimed names show a recognisable page (or do not resolve).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// The service's name, e.g. "GitHub Pages".
    pub name: String,
    /// CNAME target suffixes, matched on whole labels.
    pub cnames: Vec<String>,
    /// Text of the "no such site" page, any one of which marks the name unclaimed.
    pub fingerprints: Vec<String>,
    /// The status the "no such site" page comes with, when it always has one.
    #[serde(default)]
    pub status: Option<u16>,
    /// A CNAME target on this service that does not resolve can be claimed.
    pub nxdomain_is_dangling: bool,
    /// Whether a stranger could take the name over.
    pub claimable: Claim,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Data {
    #[serde(rename = "provider", default)]
    providers: Vec<Provider>,
    #[serde(rename = "cache", default)]
    caches: Vec<CacheRule>,
    #[serde(rename = "service", default)]
    services: Vec<Service>,
    #[serde(default)]
    subdomains: Subdomains,
    /// `subdomains.production` then `subdomains.non_production`, built after parsing.
    #[serde(skip)]
    names: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Provider {
    name: String,
    kind: Kind,
    #[serde(default)]
    headers: Vec<Marker>,
    #[serde(default)]
    cnames: Vec<String>,
    #[serde(default)]
    ranges: Vec<Cidr>,
}

/// A response header that shows a provider answered.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Marker {
    name: Option<String>,
    name_prefix: Option<String>,
    equals: Option<String>,
    prefix: Option<String>,
    contains: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CacheRule {
    header: String,
    provider: Option<String>,
    style: Style,
    #[serde(default)]
    hit: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Style {
    Value,
    List,
    CacheStatus,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Subdomains {
    production: Vec<String>,
    non_production: Vec<String>,
}

/// An address range such as `104.16.0.0/13`, written as its network address.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
struct Cidr {
    network: IpAddr,
    prefix: u8,
    text: String,
}

impl TryFrom<String> for Cidr {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        Cidr::parse(&text).ok_or_else(|| format!("{text:?} is not a network address/prefix"))
    }
}

impl Cidr {
    /// Parses `address/prefix`; refuses a prefix too long for the family or host bits set.
    fn parse(text: &str) -> Option<Cidr> {
        let (address, prefix) = text.trim().split_once('/')?;
        let network: IpAddr = address.parse().ok()?;
        if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let prefix: u8 = prefix.parse().ok()?;
        let cidr = Cidr {
            network,
            prefix,
            text: text.trim().to_owned(),
        };
        let canonical = match network {
            IpAddr::V4(v4) => prefix <= 32 && u32::from(v4) & !mask_v4(prefix) == 0,
            IpAddr::V6(v6) => prefix <= 128 && u128::from(v6) & !mask_v6(prefix) == 0,
        };
        canonical.then_some(cidr)
    }

    /// Whether `address` lies in this range (IPv4-mapped IPv6 addresses count as IPv4).
    fn contains(&self, address: IpAddr) -> bool {
        match (self.network, address.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(a)) => u32::from(a) & mask_v4(self.prefix) == u32::from(net),
            (IpAddr::V6(net), IpAddr::V6(a)) => u128::from(a) & mask_v6(self.prefix) == u128::from(net),
            _ => false,
        }
    }
}

fn mask_v4(prefix: u8) -> u32 {
    u32::MAX.checked_shl(32 - u32::from(prefix.min(32))).unwrap_or(0)
}

fn mask_v6(prefix: u8) -> u128 {
    u128::MAX.checked_shl(128 - u32::from(prefix.min(128))).unwrap_or(0)
}

fn load(text: &str) -> Result<Data, toml::de::Error> {
    let mut data: Data = toml::from_str(text)?;
    data.names = data
        .subdomains
        .production
        .iter()
        .chain(&data.subdomains.non_production)
        .cloned()
        .collect();
    Ok(data)
}

impl Marker {
    /// Whether the header `name: value` is this marker.
    fn matches(&self, name: &str, value: &str) -> bool {
        let name = name.trim().as_bytes();
        let name_ok = match (&self.name, &self.name_prefix) {
            (Some(exact), _) => name.eq_ignore_ascii_case(exact.as_bytes()),
            (None, Some(start)) => starts_with_ci(name, start.as_bytes()),
            (None, None) => false,
        };
        if !name_ok {
            return false;
        }
        let value = capped(value.trim(), VALUE_CAP).as_bytes();
        if let Some(exact) = &self.equals {
            value.eq_ignore_ascii_case(exact.as_bytes())
        } else if let Some(start) = &self.prefix {
            starts_with_ci(value, start.as_bytes())
        } else if let Some(part) = &self.contains {
            contains_ci(value, part.as_bytes())
        } else {
            true
        }
    }

    /// The evidence in words, naming the header actually seen but only the data's pattern.
    fn describe(&self, seen_name: &str) -> String {
        let name = printable(seen_name.trim(), NAME_CAP).to_ascii_lowercase();
        if let Some(exact) = &self.equals {
            format!("header {name}: {exact}")
        } else if let Some(start) = &self.prefix {
            format!("header {name}: {start}…")
        } else if let Some(part) = &self.contains {
            format!("header {name} containing {part}")
        } else {
            format!("header {name}")
        }
    }
}

/// Which CDNs and hosting proxies the response headers, the CNAME chain and the addresses point
/// at: one sighting per provider, in the data file's order.
pub fn recognise(headers: &[(String, String)], cnames: &[String], addresses: &[IpAddr]) -> Vec<Sighting> {
    let cnames: Vec<String> = cnames.iter().take(MAX_CNAMES).map(|c| normalise(c)).collect();
    let mut sightings = Vec::new();
    for provider in &DATA.providers {
        let mut reasons: Vec<String> = Vec::new();
        let mut note = |reason: String| {
            if !reasons.contains(&reason) {
                reasons.push(reason);
            }
        };
        for (name, value) in headers.iter().take(MAX_HEADERS) {
            for marker in &provider.headers {
                if marker.matches(name, value) {
                    note(marker.describe(name));
                }
            }
        }
        for cname in &cnames {
            if provider.cnames.iter().any(|s| suffix_matches(cname, s)) {
                note(format!("CNAME {}", printable(cname, 253)));
            }
        }
        for &address in addresses.iter().take(MAX_ADDRESSES) {
            if let Some(range) = provider.ranges.iter().find(|r| r.contains(address)) {
                note(format!(
                    "address {} in {}'s {}",
                    address.to_canonical(),
                    provider.name,
                    range.text
                ));
            }
        }
        if !reasons.is_empty() {
            sightings.push(Sighting {
                provider: &provider.name,
                kind: provider.kind,
                reason: join_reasons(&reasons),
            });
        }
    }
    sightings
}

fn join_reasons(reasons: &[String]) -> String {
    let shown: Vec<&str> = reasons.iter().take(MAX_REASONS).map(String::as_str).collect();
    let mut text = shown.join(", ");
    if reasons.len() > MAX_REASONS {
        let _ = write!(text, " and {} more", reasons.len() - MAX_REASONS);
    }
    text
}

/// Whether a CDN says it served this answer from what it had stored, and why we think so. A
/// cache header with any other verdict (MISS, BYPASS, DYNAMIC…) outranks an `Age` header.
pub fn cache_hit(headers: &[(String, String)]) -> Option<String> {
    let headers = headers.get(..MAX_HEADERS).unwrap_or(headers);
    let mut verdict_seen = false;
    for rule in &DATA.caches {
        for (name, value) in headers {
            if !name.trim().eq_ignore_ascii_case(&rule.header) {
                continue;
            }
            verdict_seen = true;
            let value = capped(value.trim(), VALUE_CAP);
            let header = rule.header.as_str();
            match rule.style {
                Style::Value => {
                    if let Some(word) = rule.hit.iter().find(|w| value.eq_ignore_ascii_case(w)) {
                        let who = who_cached(rule, headers);
                        return Some(format!(
                            "{who} served this answer from its cache ({header}: {})",
                            word.to_ascii_uppercase()
                        ));
                    }
                }
                Style::List => {
                    if let Some(word) = list_hit(value, &rule.hit) {
                        let who = who_cached(rule, headers);
                        return Some(format!("{who} served this answer from its cache ({header}: {word})"));
                    }
                }
                Style::CacheStatus => {
                    if let Some(cache) = cache_status_hit(value) {
                        let who = if cache.is_empty() {
                            who_cached(rule, headers)
                        } else {
                            cache
                        };
                        return Some(format!("{who} served this answer from its cache ({header}: hit)"));
                    }
                }
            }
        }
    }
    if verdict_seen {
        return None;
    }
    let age = headers
        .iter()
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("age"))
        .and_then(|(_, value)| capped(value.trim(), 20).parse::<u64>().ok())
        .filter(|&age| age > 0)?;
    let cdn = recognise(headers, &[], &[]).into_iter().find(|s| s.kind == Kind::Cdn)?;
    let unit = if age == 1 { "second" } else { "seconds" };
    Some(format!(
        "{} had kept this answer in its cache for {age} {unit} (age: {age})",
        cdn.provider
    ))
}

/// Who to name for a cache hit: the rule's provider, else a CDN the headers point at.
fn who_cached(rule: &CacheRule, headers: &[(String, String)]) -> String {
    if let Some(provider) = &rule.provider {
        return provider.clone();
    }
    recognise(headers, &[], &[])
        .into_iter()
        .find(|s| s.kind == Kind::Cdn)
        .map_or_else(|| "A cache in front of the site".to_owned(), |s| s.provider.to_owned())
}

/// The first word of any comma-separated entry that is one of `hits`, as the server wrote it
/// (it equals a known word, so it is safe to show).
fn list_hit<'a>(value: &'a str, hits: &[String]) -> Option<&'a str> {
    value
        .split(',')
        .filter_map(|entry| entry.split_whitespace().next())
        .find(|word| hits.iter().any(|h| word.eq_ignore_ascii_case(h)))
}

/// For a `Cache-Status` value (RFC 9211): the name of the first cache that reports `hit`
/// (printable, shortened; empty when it has none).
fn cache_status_hit(value: &str) -> Option<String> {
    for member in split_unquoted(value, b',') {
        let mut parts = split_unquoted(member, b';').into_iter();
        let Some(cache) = parts.next() else {
            continue;
        };
        let hit = parts.any(|param| {
            let param = param.trim();
            match param.split_once('=') {
                None => param.eq_ignore_ascii_case("hit"),
                Some((key, v)) => key.trim().eq_ignore_ascii_case("hit") && v.trim() == "?1",
            }
        });
        if hit {
            let cache = cache.trim().trim_matches('"');
            return Some(printable(cache, NAME_CAP));
        }
    }
    None
}

/// Splits `text` at `separator` outside double-quoted strings (with `\` escapes inside them).
fn split_unquoted(text: &str, separator: u8) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate() {
        if quoted {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                quoted = false;
            }
        } else if b == b'"' {
            quoted = true;
        } else if b == separator {
            // Separators are ASCII, so `start..i` always falls on character boundaries.
            pieces.push(text.get(start..i).unwrap_or(""));
            start = i + 1;
        }
    }
    pieces.push(text.get(start..).unwrap_or(""));
    pieces
}

/// The hosting service a CNAME target belongs to (suffix match on whole labels, any case, a
/// trailing dot allowed).
pub fn hosting_service(cname: &str) -> Option<&'static Service> {
    let host = normalise(cname);
    if host.is_empty() {
        return None;
    }
    DATA.services
        .iter()
        .find(|s| s.cnames.iter().any(|p| suffix_matches(&host, p)))
}

/// The fingerprint of `service`'s "no such site" page when this response shows it; only the
/// first 64 KB of the body is searched.
pub fn is_unclaimed(service: &Service, status: u16, body: &str) -> Option<String> {
    if service.status.is_some_and(|expected| expected != status) {
        return None;
    }
    let body = body.as_bytes();
    let body = body.get(..BODY_CAP).unwrap_or(body);
    service
        .fingerprints
        .iter()
        .find(|f| !f.is_empty() && contains_ci(body, f.as_bytes()))
        .cloned()
}

/// The subdomain names worth trying in front of a domain, production names first.
pub fn subdomain_names() -> &'static [String] {
    &DATA.names
}

/// Whether a subdomain name means a staging, test or retired copy. `name` is the part in front
/// of the founder's domain ("staging", "api-dev", "test2.app"): any of its words counts, digits
/// at a word's end ignored.
pub fn is_non_production(name: &str) -> bool {
    normalise(name)
        .split(['.', '-', '_'])
        .take(16)
        .map(|word| word.trim_end_matches(|c: char| c.is_ascii_digit()))
        .any(|word| DATA.subdomains.non_production.iter().any(|n| n == word))
}

/// `host` ends with the labels of `pattern` (or is it). A pattern label ending in `*` matches a
/// label that starts with the rest; a lone `*` matches any one label. `host` is normalised.
fn suffix_matches(host: &str, pattern: &str) -> bool {
    if host.is_empty() || pattern.is_empty() {
        return false;
    }
    let mut host_labels = host.rsplit('.');
    for want in pattern.rsplit('.') {
        let Some(label) = host_labels.next() else {
            return false;
        };
        let ok = match want.strip_suffix('*') {
            Some(start) => !label.is_empty() && starts_with_ci(label.as_bytes(), start.as_bytes()),
            None => label.eq_ignore_ascii_case(want),
        };
        if !ok {
            return false;
        }
    }
    true
}

/// A DNS name in lower case, without surrounding space or a trailing dot.
fn normalise(name: &str) -> String {
    let name = capped(name.trim(), 255);
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

/// `text` shortened to at most `cap` bytes, on a character boundary.
fn capped(text: &str, cap: usize) -> &str {
    let mut end = cap.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or("")
}

/// The printable ASCII of `text`, at most `cap` characters (for text from a server in a reason).
fn printable(text: &str, cap: usize) -> String {
    text.chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .take(cap)
        .collect()
}

fn starts_with_ci(hay: &[u8], start: &[u8]) -> bool {
    hay.get(..start.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(start))
}

fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn providers(sightings: &[Sighting]) -> Vec<&'static str> {
        sightings.iter().map(|s| s.provider).collect()
    }

    fn service(name: &str) -> &'static Service {
        DATA.services.iter().find(|s| s.name == name).unwrap()
    }

    fn is_label(text: &str) -> bool {
        !text.is_empty()
            && text.len() <= 63
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !text.starts_with('-')
            && !text.ends_with('-')
    }

    /// A suffix pattern: at least two labels, each a label or a label start followed by `*`.
    fn is_pattern(text: &str) -> bool {
        text.split('.').count() >= 2
            && text.split('.').all(|label| match label.strip_suffix('*') {
                Some(start) => start
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                None => is_label(label),
            })
    }

    #[test]
    fn the_data_file_parses() {
        let data = load(TEXT).unwrap();
        assert!(data.providers.len() >= 17, "{}", data.providers.len());
        assert!(data.caches.len() >= 5);
        assert!(data.services.len() >= 20);
        // The lazily loaded copy is the same file, not the empty fallback.
        assert_eq!(DATA.providers.len(), data.providers.len());
    }

    #[test]
    fn providers_are_consistent() {
        let mut names = HashSet::new();
        for p in &DATA.providers {
            assert!(names.insert(p.name.as_str()), "{} twice", p.name);
            assert!(!p.headers.is_empty(), "{} has no header marker", p.name);
            for m in &p.headers {
                let name = m.name.as_ref().or(m.name_prefix.as_ref());
                assert!(
                    m.name.is_some() != m.name_prefix.is_some(),
                    "{}: a marker needs exactly one of name, name_prefix",
                    p.name
                );
                let name = name.unwrap();
                assert!(!name.is_empty() && *name == name.to_ascii_lowercase(), "{name}");
                let tests = [&m.equals, &m.prefix, &m.contains]
                    .iter()
                    .filter(|t| t.is_some())
                    .count();
                assert!(tests <= 1, "{}: {name} has more than one value test", p.name);
                for t in [&m.equals, &m.prefix, &m.contains].into_iter().flatten() {
                    assert!(!t.trim().is_empty(), "{}: empty value test", p.name);
                }
            }
            for c in &p.cnames {
                assert!(is_pattern(c), "{}: bad CNAME suffix {c:?}", p.name);
            }
        }
        for rule in &DATA.caches {
            assert_eq!(rule.header, rule.header.to_ascii_lowercase());
            if let Some(provider) = &rule.provider {
                assert!(names.contains(provider.as_str()), "unknown {provider}");
            }
            match rule.style {
                Style::CacheStatus => assert!(rule.hit.is_empty(), "{}", rule.header),
                Style::Value | Style::List => assert!(!rule.hit.is_empty(), "{}", rule.header),
            }
        }
    }

    #[test]
    fn every_range_parses_and_is_a_network_address() {
        let mut count = 0;
        for p in &DATA.providers {
            for r in &p.ranges {
                assert_eq!(Cidr::parse(&r.text).as_ref(), Some(r));
                assert!(r.contains(r.network), "{}", r.text);
                count += 1;
            }
        }
        // Cloudflare's full published list: 15 IPv4 and 7 IPv6 ranges.
        let cloudflare = DATA.providers.iter().find(|p| p.name == "Cloudflare").unwrap();
        assert_eq!(cloudflare.ranges.len(), 22);
        assert!(count > 22);
    }

    #[test]
    fn services_and_subdomains_are_consistent() {
        let mut names = HashSet::new();
        for s in &DATA.services {
            assert!(names.insert(s.name.as_str()), "{} twice", s.name);
            assert!(!s.cnames.is_empty(), "{}", s.name);
            for c in &s.cnames {
                assert!(is_pattern(c), "{}: bad CNAME suffix {c:?}", s.name);
            }
            assert!(
                !s.fingerprints.is_empty() || s.nxdomain_is_dangling,
                "{} can never match",
                s.name
            );
            for f in &s.fingerprints {
                assert!(f.trim().len() >= 10, "{}: fingerprint too short: {f:?}", s.name);
            }
        }
        let all = subdomain_names();
        assert!((40..=60).contains(&all.len()), "{}", all.len());
        let unique: HashSet<&String> = all.iter().collect();
        assert_eq!(unique.len(), all.len(), "a subdomain name appears twice");
        for n in all {
            assert!(is_label(n), "{n:?}");
        }
        assert_eq!(all.first().map(String::as_str), Some("www"));
    }

    #[test]
    fn cidr_matching() {
        let v4 = Cidr::parse("104.16.0.0/13").unwrap();
        assert!(v4.contains(ip("104.16.0.0")));
        assert!(v4.contains(ip("104.23.255.255")));
        assert!(!v4.contains(ip("104.24.0.0")));
        assert!(!v4.contains(ip("104.15.255.255")));
        assert!(v4.contains(ip("::ffff:104.16.1.1")), "IPv4-mapped counts");
        assert!(!v4.contains(ip("2606:4700::1")));

        let v6 = Cidr::parse("2a06:98c0::/29").unwrap();
        assert!(v6.contains(ip("2a06:98c7:ffff::1")));
        assert!(!v6.contains(ip("2a06:98c8::1")));
        assert!(!v6.contains(ip("104.16.0.1")));

        let all = Cidr::parse("0.0.0.0/0").unwrap();
        assert!(all.contains(ip("255.255.255.255")));
        let one = Cidr::parse("75.2.60.5/32").unwrap();
        assert!(one.contains(ip("75.2.60.5")) && !one.contains(ip("75.2.60.4")));
        assert!(Cidr::parse("::/0").unwrap().contains(ip("::1")));
        assert!(Cidr::parse("::1/128").unwrap().contains(ip("::1")));

        for bad in [
            "104.16.0.1/13",
            "104.16.0.0/33",
            "2606:4700::/129",
            "2606:4700::1/32",
            "104.16.0.0",
            "104.16.0.0/",
            "104.16.0.0/+8",
            "104.16.0.0/-1",
            "nonsense/8",
            "",
        ] {
            assert_eq!(Cidr::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn cloudflare_by_header() {
        let got = recognise(
            &h(&[("CF-Ray", "8a1b2c3d4e5f-LHR"), ("Server", "cloudflare")]),
            &[],
            &[],
        );
        assert_eq!(providers(&got), ["Cloudflare"]);
        assert_eq!(got[0].kind, Kind::Cdn);
        assert_eq!(got[0].reason, "header cf-ray, header server: cloudflare");
    }

    #[test]
    fn cloudflare_by_cname() {
        let got = recognise(&[], &["WWW.Example.com.cdn.cloudflare.net.".to_owned()], &[]);
        assert_eq!(providers(&got), ["Cloudflare"]);
        assert_eq!(got[0].reason, "CNAME www.example.com.cdn.cloudflare.net");
    }

    #[test]
    fn cloudflare_by_ipv4_and_ipv6_range() {
        let got = recognise(&[], &[], &[ip("104.16.1.1")]);
        assert_eq!(providers(&got), ["Cloudflare"]);
        assert_eq!(got[0].reason, "address 104.16.1.1 in Cloudflare's 104.16.0.0/13");

        let got = recognise(&[], &[], &[ip("2606:4700:3030::6815:1")]);
        assert_eq!(providers(&got), ["Cloudflare"]);
        assert_eq!(
            got[0].reason,
            "address 2606:4700:3030::6815:1 in Cloudflare's 2606:4700::/32"
        );
    }

    #[test]
    fn an_origin_server_is_nothing() {
        let got = recognise(
            &h(&[
                ("server", "nginx"),
                ("content-type", "text/html"),
                ("x-cache", "HIT"),
                ("via", "1.1 varnish"),
            ]),
            &["app.example.com".to_owned()],
            &[ip("203.0.113.7"), ip("2001:db8::1")],
        );
        assert_eq!(got, []);
    }

    #[test]
    fn look_alike_cnames_do_not_match() {
        for cname in [
            "notcloudfront.net.example",
            "cloudfront.net.evil.example",
            "xcloudfront.net",
            "cloudfront.network",
            "d1.cloudfront.net-evil.example",
        ] {
            assert_eq!(recognise(&[], &[cname.to_owned()], &[]), [], "{cname}");
        }
        let got = recognise(&[], &["d111111abcdef8.cloudfront.net".to_owned()], &[]);
        assert_eq!(providers(&got), ["Amazon CloudFront"]);
    }

    #[test]
    fn each_provider_by_its_headers() {
        let cases: &[(&str, &str, &str)] = &[
            ("x-served-by", "cache-lhr7324-LHR", "Fastly"),
            ("x-fastly-request-id", "abc", "Fastly"),
            ("x-amz-cf-id", "abc==", "Amazon CloudFront"),
            ("via", "1.1 abc.cloudfront.net (CloudFront)", "Amazon CloudFront"),
            ("akamai-grn", "0.1234", "Akamai"),
            ("X-Akamai-Transformed", "9 - 0 pmb=mRUM,1", "Akamai"),
            ("server", "AkamaiGHost", "Akamai"),
            ("x-vercel-id", "fra1::abc", "Vercel"),
            ("server", "Vercel", "Vercel"),
            ("x-nf-request-id", "01H", "Netlify"),
            ("server", "Netlify", "Netlify"),
            ("x-azure-ref", "0abc", "Azure Front Door / Azure CDN"),
            ("server", "Google Frontend", "Google Cloud CDN / Google Frontend"),
            ("via", "1.1 google", "Google Cloud CDN / Google Frontend"),
            ("cdn-pullzone", "12345", "Bunny CDN"),
            ("server", "BunnyCDN-DE1-1051", "Bunny CDN"),
            ("server", "keycdn-engine", "KeyCDN"),
            ("x-sucuri-id", "11005", "Sucuri"),
            ("x-iinfo", "8-1234-0 NNNN", "Imperva / Incapsula"),
            ("x-cdn", "Incapsula", "Imperva / Incapsula"),
            ("x-hw", "1700000000.dop001.fr8.t", "StackPath"),
            ("x-render-origin-server", "uvicorn", "Render"),
            ("fly-request-id", "01H-ams", "Fly.io"),
            ("server", "Fly/8c0b3ab7 (2024-01-01)", "Fly.io"),
            ("x-railway-request-id", "abc", "Railway"),
            ("via", "1.1 vegur", "Heroku"),
        ];
        for (name, value, provider) in cases {
            let got = recognise(&h(&[(name, value)]), &[], &[]);
            assert_eq!(providers(&got), [*provider], "{name}: {value}");
        }
        let kinds: Vec<Kind> = ["Render", "Fly.io", "Railway", "Heroku", "Vercel", "Netlify"]
            .iter()
            .map(|n| DATA.providers.iter().find(|p| p.name == *n).unwrap().kind)
            .collect();
        assert_eq!(
            kinds,
            [Kind::Host, Kind::Host, Kind::Host, Kind::Host, Kind::Cdn, Kind::Cdn]
        );
    }

    #[test]
    fn value_tests_are_not_loose() {
        // `equals` is the whole value, `prefix` the start.
        for (name, value) in [
            ("server", "cloudflare-nginx-lookalike"),
            ("server", "not-vercel"),
            ("x-served-by", "my-cache-01"),
            ("server", "gwsx"),
        ] {
            assert_eq!(recognise(&h(&[(name, value)]), &[], &[]), [], "{name}: {value}");
        }
    }

    #[test]
    fn cookie_values_never_reach_the_reason() {
        let got = recognise(
            &h(&[("set-cookie", "incap_ses_123_456=SECRETSESSION; path=/")]),
            &[],
            &[],
        );
        assert_eq!(providers(&got), ["Imperva / Incapsula"]);
        assert!(!got[0].reason.contains("SECRET"), "{}", got[0].reason);
    }

    #[test]
    fn one_sighting_per_provider_with_a_bounded_reason() {
        let got = recognise(
            &h(&[
                ("cf-ray", "1"),
                ("cf-ray", "2"),
                ("server", "cloudflare"),
                ("cf-cache-status", "HIT"),
                ("x-vercel-id", "fra1::x"),
            ]),
            &["a.cdn.cloudflare.net".to_owned()],
            &[ip("104.16.1.1"), ip("104.16.1.2")],
        );
        assert_eq!(providers(&got), ["Cloudflare", "Vercel"]);
        assert_eq!(
            got[0].reason,
            "header cf-ray, header server: cloudflare, header cf-cache-status and 3 more"
        );
    }

    #[test]
    fn cache_hits() {
        let hits: &[&[(&str, &str)]] = &[
            &[("cf-cache-status", "HIT")],
            &[("CF-Cache-Status", "stale")],
            &[("cf-cache-status", "UPDATING")],
            &[("cf-cache-status", "REVALIDATED")],
            &[("x-cache", "Hit from cloudfront")],
            &[("x-cache", "RefreshHit from cloudfront")],
            &[("x-cache", "MISS, HIT"), ("x-served-by", "cache-a, cache-b")],
            &[("x-cache", "TCP_HIT from a23-1-2-3.deploy.akamaitechnologies.com")],
            &[("x-vercel-cache", "HIT")],
            &[("x-vercel-cache", "STALE")],
            &[("cache-status", "\"Netlify Edge\"; hit")],
            &[(
                "cache-status",
                "\"Netlify Edge\"; fwd=miss, \"Netlify Durable\"; hit; ttl=10",
            )],
            &[("akamai-cache-status", "Miss from child, Hit from parent")],
            &[("cdn-cache", "HIT")],
            &[("x-sucuri-cache", "HIT")],
        ];
        for headers in hits {
            assert!(cache_hit(&h(headers)).is_some(), "{headers:?}");
        }
        assert_eq!(
            cache_hit(&h(&[("cf-cache-status", "hit")])).unwrap(),
            "Cloudflare served this answer from its cache (cf-cache-status: HIT)"
        );
        assert_eq!(
            cache_hit(&h(&[("x-cache", "HIT, MISS"), ("x-served-by", "cache-lhr1-LHR")])).unwrap(),
            "Fastly served this answer from its cache (x-cache: HIT)"
        );
        assert_eq!(
            cache_hit(&h(&[("x-cache", "Hit from cloudfront"), ("x-amz-cf-id", "x")])).unwrap(),
            "Amazon CloudFront served this answer from its cache (x-cache: Hit)"
        );
        assert_eq!(
            cache_hit(&h(&[("cache-status", "\"Netlify Edge\"; hit")])).unwrap(),
            "Netlify Edge served this answer from its cache (cache-status: hit)"
        );
    }

    #[test]
    fn cache_misses() {
        let misses: &[&[(&str, &str)]] = &[
            &[("cf-cache-status", "MISS")],
            &[("cf-cache-status", "BYPASS")],
            &[("cf-cache-status", "DYNAMIC")],
            &[("cf-cache-status", "EXPIRED")],
            &[("cf-cache-status", "HITX")],
            &[("x-cache", "Miss from cloudfront")],
            &[("x-cache", "MISS, MISS")],
            &[("x-cache", "TCP_MISS from a23")],
            &[("x-cache", "WHITE")],
            &[("x-vercel-cache", "MISS")],
            &[("x-vercel-cache", "BYPASS")],
            &[("cache-status", "\"Netlify Edge\"; fwd=miss")],
            &[("cache-status", "ExampleCache; hit=?0")],
            &[("cache-status", "\"hit; tricky\"; fwd=uri-miss")],
            &[("x-cache-hits", "1")],
            // The CDN's own verdict outranks an Age header.
            &[("cf-cache-status", "MISS"), ("age", "300"), ("cf-ray", "x")],
            // Age without any CDN marker says nothing about a CDN.
            &[("age", "300"), ("server", "nginx")],
            // Age from a hosting proxy, not a CDN.
            &[("age", "300"), ("fly-request-id", "x")],
            &[("age", "0"), ("cf-ray", "x")],
            &[("age", "soon"), ("cf-ray", "x")],
            &[],
        ];
        for headers in misses {
            assert_eq!(cache_hit(&h(headers)), None, "{headers:?}");
        }
    }

    #[test]
    fn age_with_a_cdn_marker_is_a_hit() {
        assert_eq!(
            cache_hit(&h(&[("x-amz-cf-id", "x"), ("Age", "42")])).unwrap(),
            "Amazon CloudFront had kept this answer in its cache for 42 seconds (age: 42)"
        );
    }

    #[test]
    fn hosting_service_matches_whole_labels() {
        let name = |c: &str| hosting_service(c).map(|s| s.name.as_str());
        assert_eq!(name("founder.github.io"), Some("GitHub Pages"));
        assert_eq!(name("Founder.GitHub.IO."), Some("GitHub Pages"));
        assert_eq!(name("  founder.github.io.  "), Some("GitHub Pages"));
        assert_eq!(name("github.io"), Some("GitHub Pages"));
        assert_eq!(name("notgithub.io"), None);
        assert_eq!(name("github.io.evil.example"), None);
        assert_eq!(name("my-app.herokuapp.com"), Some("Heroku"));
        assert_eq!(name("x-1.herokudns.com"), Some("Heroku"));
        assert_eq!(name("bucket.s3.amazonaws.com"), Some("Amazon S3"));
        assert_eq!(name("bucket.s3-website-us-east-1.amazonaws.com"), Some("Amazon S3"));
        assert_eq!(name("bucket.s3-website.eu-west-2.amazonaws.com"), Some("Amazon S3"));
        assert_eq!(name("bucket.s3.eu-west-1.amazonaws.com"), Some("Amazon S3"));
        assert_eq!(name("my-lb-1.us-east-1.elb.amazonaws.com"), None);
        assert_eq!(name("ec2-1-2-3-4.compute-1.amazonaws.com"), None);
        assert_eq!(name("shop.azurewebsites.net"), Some("Microsoft Azure"));
        assert_eq!(name("files.blob.core.windows.net"), Some("Microsoft Azure"));
        assert_eq!(name("core.windows.net"), None);
        assert_eq!(name("proxy-ssl.webflow.com"), Some("Webflow"));
        assert_eq!(name("www.webflow.com"), None);
        assert_eq!(name("app.fly.dev"), Some("Fly.io"));
        assert_eq!(name("example.com"), None);
        assert_eq!(name(""), None);
        assert_eq!(name("."), None);
    }

    #[test]
    fn unclaimed_pages_per_service() {
        let cases: &[(&str, &str, u16, &str)] = &[
            (
                "founder.github.io",
                "<h1>404</h1><p><strong>There isn't a GitHub Pages site here.</strong></p>",
                404,
                "There isn't a GitHub Pages site here.",
            ),
            (
                "x.herokuapp.com",
                "<title>Heroku | No such app</title>",
                404,
                "No such app",
            ),
            (
                "b.s3.amazonaws.com",
                "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>",
                404,
                "NoSuchBucket",
            ),
            (
                "x.netlify.app",
                "Not Found - Request ID: 01HABC",
                404,
                "Not Found - Request ID",
            ),
            (
                "x.vercel.app",
                "The deployment could not be found on Vercel. DEPLOYMENT_NOT_FOUND",
                404,
                "The deployment could not be found",
            ),
            (
                "shops.myshopify.com",
                "Sorry, this shop is currently unavailable.",
                404,
                "Sorry, this shop is currently unavailable.",
            ),
            (
                "x.global.fastly.net",
                "Fastly error: unknown domain: www.example.com",
                500,
                "Fastly error: unknown domain",
            ),
            ("na-west1.surge.sh", "project not found", 404, "project not found"),
            (
                "x.ghost.io",
                "The thing you were looking for is no longer here, or never was",
                404,
                "The thing you were looking for is no longer here, or never was",
            ),
            (
                "live-x.pantheonsite.io",
                "The gods are wise, but do not know of the site which you seek.",
                404,
                "The gods are wise",
            ),
            (
                "x.zendesk.com",
                "<h2>Help Center Closed</h2>",
                200,
                "Help Center Closed",
            ),
            (
                "x.helpscoutdocs.com",
                "No settings were found for this company:",
                404,
                "No settings were found for this company:",
            ),
            (
                "x.readme.io",
                "Project doesnt exist... yet!",
                404,
                "Project doesnt exist... yet!",
            ),
            (
                "proxy-ssl.webflow.com",
                "The page you are looking for doesn't exist or has been moved.",
                404,
                "The page you are looking for doesn't exist or has been moved",
            ),
            (
                "domains.tumblr.com",
                "Whatever you were looking for doesn't currently exist at this address.",
                404,
                "Whatever you were looking for doesn't currently exist at this address",
            ),
            (
                "x.wordpress.com",
                "Do you want to register x.wordpress.com?",
                404,
                "Do you want to register",
            ),
            (
                "x.unbouncepages.com",
                "The requested URL was not found on this server.",
                404,
                "The requested URL was not found on this server.",
            ),
            ("s.strikinglydns.com", "PAGE NOT FOUND.", 404, "page not found"),
            ("x.bitbucket.io", "Repository not found", 404, "Repository not found"),
        ];
        let normal = "<html><title>Acme chat</title><body>Talk to our assistant</body></html>";
        for (cname, body, status, fingerprint) in cases {
            let s = hosting_service(cname).unwrap_or_else(|| panic!("{cname}"));
            assert_eq!(is_unclaimed(s, *status, body).as_deref(), Some(*fingerprint), "{cname}");
            // Case does not matter.
            let shouted = body.to_ascii_uppercase();
            assert_eq!(
                is_unclaimed(s, *status, &shouted).as_deref(),
                Some(*fingerprint),
                "{cname}"
            );
            assert_eq!(is_unclaimed(s, 200, normal), None, "{cname}");
            assert_eq!(is_unclaimed(s, *status, normal), None, "{cname}");
        }
        let with_fingerprints = DATA.services.iter().filter(|s| !s.fingerprints.is_empty());
        for s in with_fingerprints {
            assert!(
                cases
                    .iter()
                    .any(|c| hosting_service(c.0).is_some_and(|x| x.name == s.name)),
                "{} has no test case",
                s.name
            );
        }
    }

    #[test]
    fn expected_status_is_required_when_given() {
        let pages = service("GitHub Pages");
        assert_eq!(is_unclaimed(pages, 200, "There isn't a GitHub Pages site here."), None);
    }

    #[test]
    fn only_the_first_64_kb_of_a_body_is_searched() {
        let s = service("Bitbucket");
        let mut body = "x".repeat(BODY_CAP - 10);
        body.push_str("Repository not found");
        assert_eq!(is_unclaimed(s, 404, &body), None);
        let early = format!("Repository not found{}", "é".repeat(200_000));
        assert!(is_unclaimed(s, 404, &early).is_some());
    }

    #[test]
    fn nxdomain_services() {
        for cname in [
            "gone.azurewebsites.net",
            "gone.fly.dev",
            "gone.us-east-1.elasticbeanstalk.com",
        ] {
            let s = hosting_service(cname).unwrap();
            assert!(s.nxdomain_is_dangling, "{cname}");
            assert_eq!(is_unclaimed(s, 404, "anything at all"), None);
        }
        assert!(!hosting_service("x.github.io").unwrap().nxdomain_is_dangling);
        assert_eq!(service("Microsoft Azure").claimable, Claim::Yes);
        assert_eq!(service("Zendesk").claimable, Claim::No);
    }

    #[test]
    fn non_production_names() {
        for name in [
            "staging",
            "Staging.",
            "dev",
            "test",
            "qa",
            "uat",
            "beta",
            "preview",
            "old",
            "legacy",
            "demo",
            "api-staging",
            "staging2",
            "dev.app",
            "test_env",
        ] {
            assert!(is_non_production(name), "{name}");
        }
        for name in ["www", "app", "api", "devices", "latest", "gold", "v1", "", "status"] {
            assert!(!is_non_production(name), "{name}");
        }
        let listed: Vec<&String> = subdomain_names().iter().filter(|n| is_non_production(n)).collect();
        assert_eq!(listed.len(), DATA.subdomains.non_production.len());
    }

    #[test]
    fn suffix_patterns() {
        assert!(suffix_matches("a.b.example.com", "example.com"));
        assert!(suffix_matches("example.com", "example.com"));
        assert!(!suffix_matches("com", "example.com"));
        assert!(!suffix_matches("badexample.com", "example.com"));
        assert!(suffix_matches("b.s3-eu-west-1.amazonaws.com", "s3-*.amazonaws.com"));
        assert!(!suffix_matches("b.s3.amazonaws.com", "s3-*.amazonaws.com"));
        assert!(suffix_matches("x.anything.example", "*.example"));
        assert!(!suffix_matches(".example", "*.example"));
        assert!(!suffix_matches("", "example.com"));
    }

    #[test]
    fn cache_status_splitting_respects_quotes() {
        assert_eq!(split_unquoted("a, \"b, c\"; d", b','), ["a", " \"b, c\"; d"]);
        assert_eq!(split_unquoted("\"x\\\"; y\"; hit", b';'), ["\"x\\\"; y\"", " hit"]);
        assert_eq!(cache_status_hit("Edge; hit=?1").as_deref(), Some("Edge"));
        assert_eq!(cache_status_hit("Edge; HIT").as_deref(), Some("Edge"));
        assert_eq!(cache_status_hit("\"\x07\"; hit").as_deref(), Some(""));
    }

    #[test]
    fn capped_respects_characters() {
        assert_eq!(capped("aé", 2), "a");
        assert_eq!(capped("abc", 10), "abc");
        assert_eq!(capped("", 0), "");
    }
}
