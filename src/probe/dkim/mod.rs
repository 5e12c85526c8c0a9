//! DKIM (RFC 6376): the key-record parser, key analysis (type and size) and the `email.dkim`
//! check, which looks for keys under the user's selectors and the well-known provider selectors.
//!
//! Selectors cannot be listed from outside, so finding nothing is a question for the user
//! ("which provider sends your email?"), not a failure.

use std::collections::HashSet;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use x509_parser::prelude::FromDer;
use x509_parser::public_key::{PublicKey, RSAPublicKey};
use x509_parser::x509::SubjectPublicKeyInfo;

use futures_util::future::join_all;

use super::dmarc::split_tags;
use super::dns::{Answer, DnsError, Lookup, Resolve, is_hostname, normalise};
use super::{ProbeResult, Status, SyntaxError, shorten, syntax_error};

pub const ID: &str = "email.dkim";
const TITLE: &str = "DKIM signing key";

/// At most this many selectors given by the user are queried.
const MAX_USER_SELECTORS: usize = 20;

/// Selectors that email providers publish under fixed names, as (selector, provider).
///
/// Only names a provider itself issues (or issued) are listed; several providers cannot be
/// guessed at all and are named here so nobody adds a wrong entry:
/// - Amazon SES "Easy DKIM" publishes three random 32-character tokens
///   (`token._domainkey` → `token.dkim.amazonses.com`), and with "bring your own DKIM" the user
///   chooses the name. The `amazonses` selector seen in some lists is not one SES issues.
/// - Postmark's current selectors are dated (`20230601123456pm`); only the older plain `pm` is
///   fixed.
/// - `HubSpot`'s newer selectors carry the account id (`hs1-1234567`); only `hs1`/`hs2` are fixed.
/// - Mailgun's older domains use `smtp`, `mailo` or `krs`; automatic key rotation uses `pdk1`
///   and `pdk2`; custom selectors are possible.
/// - Zoho Mail lets the admin name the selector; `zmail` and `zoho` are its usual defaults.
pub const WELL_KNOWN_SELECTORS: &[(&str, &str)] = &[
    ("google", "Google Workspace"),
    ("selector1", "Microsoft 365"),
    ("selector2", "Microsoft 365"),
    ("s1", "SendGrid"),
    ("s2", "SendGrid"),
    ("smtpapi", "SendGrid (older setup)"),
    ("k1", "Mailchimp"),
    ("k2", "Mailchimp"),
    ("k3", "Mailchimp"),
    ("mandrill", "Mailchimp Transactional (Mandrill)"),
    ("pm", "Postmark (older setup)"),
    ("mailo", "Mailgun"),
    ("smtp", "Mailgun (older setup)"),
    ("krs", "Mailgun"),
    ("pdk1", "Mailgun (automatic rotation)"),
    ("pdk2", "Mailgun (automatic rotation)"),
    ("zmail", "Zoho Mail"),
    ("zoho", "Zoho Mail"),
    ("fm1", "Fastmail"),
    ("fm2", "Fastmail"),
    ("fm3", "Fastmail"),
    ("mesmtp", "Fastmail (older setup)"),
    ("resend", "Resend"),
    ("hs1", "HubSpot"),
    ("hs2", "HubSpot"),
    ("mail", "Brevo (also a common generic name)"),
    ("brevo1", "Brevo"),
    ("brevo2", "Brevo"),
    ("protonmail", "Proton Mail"),
    ("protonmail2", "Proton Mail"),
    ("protonmail3", "Proton Mail"),
    ("default", "a common default name (cPanel and others)"),
    ("dkim", "a common generic name"),
    ("selector", "a common generic name"),
];

/// The key algorithm of a DKIM key record (`k=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    Rsa,
    /// RFC 8463.
    Ed25519,
}

/// A parsed DKIM key record (RFC 6376 §3.6.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DkimKey {
    pub key_type: KeyType,
    /// The decoded `p=` value; empty means the key was revoked.
    pub public_key: Vec<u8>,
    /// `h=`: acceptable hash algorithms (empty: all).
    pub hash_algorithms: Vec<String>,
    /// `s=`: service types (empty: all).
    pub service_types: Vec<String>,
    /// `t=`: flags such as `y` (testing) and `s` (no subdomains).
    pub flags: Vec<String>,
    /// `n=`: notes for people.
    pub notes: Option<String>,
    /// Tags this parser does not know; receivers ignore them.
    pub unknown_tags: Vec<String>,
}

/// What a key turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyInfo {
    Rsa { bits: usize },
    Ed25519,
}

impl DkimKey {
    /// An empty `p=`: the key was withdrawn on purpose (RFC 6376 §3.6.1).
    pub fn is_revoked(&self) -> bool {
        self.public_key.is_empty()
    }

    /// `t=y`: the domain is testing DKIM; receivers may treat failures as unsigned mail.
    pub fn is_testing(&self) -> bool {
        self.flags.iter().any(|f| f == "y")
    }

    /// Decodes the key: RSA as a `SubjectPublicKeyInfo` (what RFC 6376 specifies) or, failing that,
    /// a bare PKCS#1 `RSAPublicKey` (which some signers publish); Ed25519 as 32 raw bytes.
    pub fn key_info(&self) -> Result<KeyInfo, String> {
        match self.key_type {
            KeyType::Ed25519 => {
                if self.public_key.len() == 32 {
                    Ok(KeyInfo::Ed25519)
                } else {
                    Err(format!(
                        "an Ed25519 key must be 32 bytes (RFC 8463), this one is {} bytes",
                        self.public_key.len()
                    ))
                }
            }
            KeyType::Rsa => {
                let modulus_bits = |rsa: &RSAPublicKey<'_>| rsa_bits(rsa.modulus);
                if let Ok((_, spki)) = SubjectPublicKeyInfo::from_der(&self.public_key) {
                    return match spki.parsed() {
                        Ok(PublicKey::RSA(rsa)) => Ok(KeyInfo::Rsa {
                            bits: modulus_bits(&rsa),
                        }),
                        Ok(_) => Err("k=rsa, but the key is not an RSA key".into()),
                        Err(_) => Err("the RSA key inside the record is damaged".into()),
                    };
                }
                match RSAPublicKey::from_der(&self.public_key) {
                    Ok((_, rsa)) => Ok(KeyInfo::Rsa {
                        bits: modulus_bits(&rsa),
                    }),
                    Err(_) => Err("the p= value is not an RSA public key".into()),
                }
            }
        }
    }
}

/// The size of an RSA modulus in bits, from its big-endian bytes. (x509-parser's `key_size`
/// assumes a leading zero byte and so miscounts moduli encoded without one.)
fn rsa_bits(modulus: &[u8]) -> usize {
    let start = modulus.iter().position(|b| *b != 0).unwrap_or(modulus.len());
    let significant = modulus.get(start..).unwrap_or(&[]);
    match significant.first() {
        Some(first) => (significant.len() - 1) * 8 + (8 - first.leading_zeros() as usize),
        None => 0,
    }
}

/// Base64 as DKIM records carry it: standard alphabet, padding optional.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Parses a DKIM key record (RFC 6376 §3.2 tag list, §3.6.1 tags).
///
/// Tag names are case-sensitive (so `P=` is not `p=`); a tag given twice invalidates the record;
/// `v=`, when present, must be first and exactly `DKIM1`; `k=` is `rsa` (the default) or
/// `ed25519`; `p=` is base64 and may contain whitespace; an empty `p=` means revoked.
pub fn parse(record: &str) -> Result<DkimKey, SyntaxError> {
    let tags = split_tags(record)?;
    if tags.is_empty() {
        return Err(syntax_error(record, 0, "the record is empty"));
    }
    let mut seen = HashSet::new();
    let mut key = DkimKey {
        key_type: KeyType::Rsa,
        public_key: Vec::new(),
        hash_algorithms: Vec::new(),
        service_types: Vec::new(),
        flags: Vec::new(),
        notes: None,
        unknown_tags: Vec::new(),
    };
    let mut found_p = false;
    for (index, tag) in tags.iter().enumerate() {
        if !seen.insert(tag.name) {
            return Err(syntax_error(
                record,
                tag.name_at,
                format!(
                    "the tag {}= appears twice; receivers then ignore the whole record",
                    tag.name
                ),
            ));
        }
        let value = tag.value;
        match tag.name {
            "v" => {
                if index != 0 {
                    return Err(syntax_error(record, tag.name_at, "v=DKIM1 must be the first tag"));
                }
                if value != "DKIM1" {
                    return Err(syntax_error(
                        record,
                        tag.value_at,
                        format!("the version must be DKIM1, found \"{}\"", shorten(value, 20)),
                    ));
                }
            }
            "k" => {
                key.key_type = match value.to_ascii_lowercase().as_str() {
                    "rsa" => KeyType::Rsa,
                    "ed25519" => KeyType::Ed25519,
                    _ => {
                        return Err(syntax_error(
                            record,
                            tag.value_at,
                            format!(
                                "unknown key type \"{}\": receivers skip this key (use rsa or ed25519)",
                                shorten(value, 20)
                            ),
                        ));
                    }
                }
            }
            "p" => {
                found_p = true;
                key.public_key = decode_key(record, value, tag.value_at)?;
            }
            "h" | "s" | "t" => {
                let mut items = Vec::new();
                let mut offset = 0;
                for piece in value.split(':') {
                    let item = piece.trim();
                    let ok = (tag.name == "s" && item == "*")
                        || (!item.is_empty() && item.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
                    if !ok {
                        let lead = piece.len() - piece.trim_start().len();
                        return Err(syntax_error(
                            record,
                            tag.value_at + offset + lead,
                            format!(
                                "{}= lists words separated by \":\", found \"{}\"",
                                tag.name,
                                shorten(item, 20)
                            ),
                        ));
                    }
                    items.push(item.to_ascii_lowercase());
                    offset += piece.len() + 1;
                }
                match tag.name {
                    "h" => key.hash_algorithms = items,
                    "s" => key.service_types = items,
                    _ => key.flags = items,
                }
            }
            "n" => key.notes = Some(value.to_string()),
            other => key.unknown_tags.push(other.to_string()),
        }
    }
    if !found_p {
        let hint = if seen.contains("P") {
            " (tag names are case-sensitive: P= does not count)"
        } else {
            ""
        };
        return Err(syntax_error(
            record,
            record.len(),
            format!("the p= tag (the public key) is missing{hint}"),
        ));
    }
    Ok(key)
}

/// The `p=` value: base64 with optional whitespace inside.
fn decode_key(record: &str, value: &str, value_at: usize) -> Result<Vec<u8>, SyntaxError> {
    if let Some((offset, c)) = value
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=') || c.is_whitespace()))
    {
        return Err(syntax_error(
            record,
            value_at + offset,
            format!("\"{c}\" cannot appear in a base64 key"),
        ));
    }
    let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    BASE64
        .decode(compact.as_bytes())
        .map_err(|e| syntax_error(record, value_at, format!("the key is not valid base64 ({e})")))
}

/// Whether a TXT record found at a selector is meant as a DKIM key: it starts with `v=DKIM1` or
/// has a `k=` or `p=` tag. Anything else there (an SPF record reached through a wildcard, a
/// verification token) is not a key.
pub fn is_dkim_record(txt: &str) -> bool {
    txt.trim_start().starts_with("v=DKIM1")
        || txt.split(';').any(|piece| {
            piece
                .split_once('=')
                .is_some_and(|(name, _)| matches!(name.trim(), "p" | "k"))
        })
}

/// A selector name that can be queried: dot-separated labels of letters, digits, `-` and `_`.
fn valid_selector(selector: &str) -> bool {
    !selector.is_empty()
        && selector.len() <= 200
        && selector.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

/// What one selector holds.
enum Verdict {
    Good(String),
    /// 1024–2047-bit RSA.
    Short(String, usize),
    /// Under 1024 bits, unparsable or unusable.
    Broken(String),
    Revoked,
}

fn judge(record: &str) -> Verdict {
    let key = match parse(record) {
        Ok(key) => key,
        Err(e) => return Verdict::Broken(format!("the record is invalid: {e}")),
    };
    if key.is_revoked() {
        return Verdict::Revoked;
    }
    let mut extra = String::new();
    if key.is_testing() {
        extra.push_str(", testing mode (t=y)");
    }
    if !key.service_types.is_empty() && !key.service_types.iter().any(|s| s == "*" || s == "email") {
        return Verdict::Broken(format!(
            "the key is limited to s={}, so receivers do not use it for email",
            key.service_types.join(":")
        ));
    }
    match key.key_info() {
        Ok(KeyInfo::Ed25519) => Verdict::Good(format!("Ed25519 key{extra}")),
        Ok(KeyInfo::Rsa { bits }) if bits >= 2048 => Verdict::Good(format!("RSA {bits}-bit key{extra}")),
        Ok(KeyInfo::Rsa { bits }) if bits >= 1024 => Verdict::Short(format!("RSA {bits}-bit key{extra}"), bits),
        Ok(KeyInfo::Rsa { bits }) => Verdict::Broken(format!("RSA {bits}-bit key: too short, receivers reject it")),
        Err(why) => Verdict::Broken(why),
    }
}

/// A long record made short enough for evidence: the key is cut after a few characters.
fn abbreviate(record: &str) -> String {
    match record.find("p=") {
        Some(at) if record.len() > at + 40 => {
            let head = record.get(..at + 14).unwrap_or(record);
            format!("{head}…({} characters)", record.len())
        }
        _ => shorten(record, 200),
    }
}

/// The `email.dkim` check: queries `SELECTOR._domainkey.DOMAIN` for the user's selectors and
/// every [`WELL_KNOWN_SELECTORS`] entry, all at once.
pub async fn check<R: Resolve>(domain: &str, selectors: &[String], dns: &R) -> ProbeResult {
    let domain = normalise(domain);
    let mut invalid: Vec<String> = Vec::new();
    let mut wanted: Vec<(String, String, bool)> = Vec::new();
    for selector in selectors.iter().take(MAX_USER_SELECTORS) {
        let selector = normalise(selector);
        if !valid_selector(&selector) {
            invalid.push(selector);
            continue;
        }
        if wanted.iter().any(|(s, _, _)| *s == selector) {
            continue;
        }
        let provider = WELL_KNOWN_SELECTORS
            .iter()
            .find(|(s, _)| *s == selector)
            .map_or_else(|| "your selector".to_string(), |(_, p)| format!("{p}, your selector"));
        wanted.push((selector, provider, true));
    }
    for (selector, provider) in WELL_KNOWN_SELECTORS {
        if !wanted.iter().any(|(s, _, _)| s == selector) {
            wanted.push(((*selector).to_string(), (*provider).to_string(), false));
        }
    }
    if !is_hostname(&domain) {
        return ProbeResult::new(
            ID,
            Status::Error,
            TITLE,
            format!("\"{domain}\" is not a domain name, so no DKIM key can be looked up."),
        );
    }

    let answers: Vec<Lookup<Vec<String>>> = join_all(wanted.iter().map(|(selector, _, _)| {
        let name = format!("{selector}._domainkey.{domain}");
        async move { dns.txt(&name).await }
    }))
    .await;

    let mut found: Vec<(String, String)> = Vec::new();
    let mut good = 0;
    let mut short: Vec<(String, usize)> = Vec::new();
    let mut broken: Vec<String> = Vec::new();
    let mut revoked: Vec<String> = Vec::new();
    let mut failed: Vec<(String, DnsError)> = Vec::new();
    let mut missing_own: Vec<String> = Vec::new();
    let mut not_keys: Vec<(String, String)> = Vec::new();
    for ((selector, provider, own), answer) in wanted.iter().zip(answers) {
        let name = format!("{selector}._domainkey.{domain}");
        let records = match answer {
            Ok(Answer::Found(records)) => records,
            Ok(Answer::NoRecords | Answer::NxDomain) => Vec::new(),
            Err(error) => {
                failed.push((name, error));
                continue;
            }
        };
        let (keys, other): (Vec<String>, Vec<String>) = records.into_iter().partition(|r| is_dkim_record(r));
        not_keys.extend(other.into_iter().map(|r| (name.clone(), r)));
        if keys.is_empty() {
            if *own {
                missing_own.push(selector.clone());
            }
            continue;
        }
        for record in keys {
            let line = match judge(&record) {
                Verdict::Good(what) => {
                    good += 1;
                    what
                }
                Verdict::Short(what, bits) => {
                    short.push((selector.clone(), bits));
                    what
                }
                Verdict::Broken(why) => {
                    broken.push(format!("{selector}: {why}"));
                    format!("broken: {why}")
                }
                Verdict::Revoked => {
                    revoked.push(selector.clone());
                    "revoked (empty p=)".to_string()
                }
            };
            found.push((
                format!("DKIM {name}"),
                format!("{provider} · {line} · {}", abbreviate(&record)),
            ));
        }
    }

    let own_failed: Vec<&(String, DnsError)> = failed
        .iter()
        .filter(|(name, _)| {
            wanted
                .iter()
                .any(|(s, _, own)| *own && name.starts_with(&format!("{s}._domainkey.")))
        })
        .collect();
    let usable = good + short.len();

    let (status, summary) = if !broken.is_empty() {
        (
            Status::Fail,
            match broken.as_slice() {
                [one] => format!(
                    "A DKIM key on your domain cannot be used (selector {one}), so mail signed with it fails DKIM."
                ),
                many => format!(
                    "{} DKIM keys on your domain cannot be used, so mail signed with them fails DKIM.",
                    many.len()
                ),
            },
        )
    } else if usable == 0 && (failed.len() == wanted.len() || !own_failed.is_empty()) {
        // The selector that matters could not be read: neither "revoked" nor "none found" is
        // certain.
        let error = own_failed
            .first()
            .copied()
            .or(failed.first())
            .map_or_else(String::new, |(_, e)| e.to_string());
        (Status::Error, format!("Could not look up your DKIM keys: {error}."))
    } else if usable == 0 && !revoked.is_empty() {
        (
            Status::Fail,
            format!(
                "Your DKIM key (selector {}) has been revoked and no other key was found, so your mail is not signed in a way receivers accept.",
                revoked.join(", ")
            ),
        )
    } else if usable == 0 {
        (
            Status::Warn,
            format!(
                "No DKIM key was found under the usual names for {domain}; which provider sends your email? Its key name (selector) is needed to check."
            ),
        )
    } else if !short.is_empty() {
        let summary = match short.as_slice() {
            [(selector, bits)] => format!(
                "Your DKIM key (selector {selector}) is only {bits} bits; 2048-bit keys are the current standard and some receivers trust shorter ones less."
            ),
            many => format!(
                "{} of your DKIM keys (selectors {}) are shorter than 2048 bits, the current standard; some receivers trust them less.",
                many.len(),
                many.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>().join(", ")
            ),
        };
        (Status::Warn, summary)
    } else if !missing_own.is_empty() {
        (
            Status::Warn,
            format!(
                "No DKIM key is published for your selector {}, so mail signed with it fails DKIM (other keys were found).",
                missing_own.join(", ")
            ),
        )
    } else {
        (
            Status::Pass,
            format!(
                "Your domain publishes {} usable DKIM key{}, so receivers can verify your signed mail.",
                usable,
                if usable == 1 { "" } else { "s" }
            ),
        )
    };

    let mut result = ProbeResult::new(ID, status, TITLE, summary);
    for (label, value) in found {
        result = result.evidence(label, value);
    }
    if !revoked.is_empty() && usable > 0 {
        result = result.evidence(
            "Note",
            format!(
                "revoked key(s) under {}: fine while another key signs your mail",
                revoked.join(", ")
            ),
        );
    }
    if !missing_own.is_empty() {
        result = result.evidence(
            "Not found",
            format!("no DKIM key under your selector(s) {}", missing_own.join(", ")),
        );
    }
    for selector in &invalid {
        result = result.evidence(
            "Skipped",
            format!("\"{}\" is not a valid selector name", shorten(selector, 60)),
        );
    }
    for (name, txt) in &not_keys {
        result = result.evidence(
            format!("Ignored TXT {name}"),
            format!("{} (not a DKIM key)", shorten(txt, 120)),
        );
    }
    for (name, error) in &failed {
        result = result.evidence(format!("TXT {name}"), format!("lookup failed: {error}"));
    }
    let checked: Vec<&str> = wanted.iter().map(|(s, _, _)| s.as_str()).collect();
    result = result.evidence(
        "Selectors checked",
        format!("{} ({})", checked.len(), checked.join(", ")),
    );

    let fix = match status {
        Status::Warn if usable == 0 => Some(
            "Find your selector: open an email you sent from this domain, show its original headers (Gmail: ⋮ → Show original), \
             and look for the DKIM-Signature header; its s= value is the selector (for example s=google). Run the check again \
             with --dkim-selector <that value>. If there is no DKIM-Signature header, or its d= is not your domain, turn on \
             DKIM for your domain in your email provider's settings and publish the record it gives you."
                .to_string(),
        ),
        Status::Warn if !short.is_empty() => Some(
            "In your email provider's DKIM settings, generate a new 2048-bit key, publish it (a new selector avoids breaking mail \
             in transit), switch signing to it, then remove the old key."
                .to_string(),
        ),
        Status::Warn => Some(format!(
            "Check the selector name (the s= value of your DKIM-Signature header) and publish the key your provider gives you at \
             {}._domainkey.{domain}.",
            missing_own.first().map_or("SELECTOR", String::as_str)
        )),
        Status::Fail if !broken.is_empty() => Some(
            "Copy the DKIM record again from your email provider exactly as given (or use the CNAME records it offers, so the \
             provider keeps the key right), and use a key of at least 2048 bits."
                .to_string(),
        ),
        Status::Fail => Some(
            "Turn DKIM on again in your email provider's settings and publish the new key it gives you; a revoked key (empty p=) \
             signs nothing."
                .to_string(),
        ),
        Status::Error => Some("Run the check again; if it keeps failing, try another DNS server with --resolver (e.g. 1.1.1.1).".to_string()),
        _ => None,
    };
    match fix {
        Some(fix) => result.fix(fix),
        None => result,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::probe::dns::TxtZone as Zone;
    use crate::probe::{evidence, garbled};

    /// A 1024-bit RSA `SubjectPublicKeyInfo`, assembled by hand: SEQUENCE { rsaEncryption, NULL },
    /// BIT STRING { SEQUENCE { INTEGER 0x00 ‖ 128 bytes with the top bit set, INTEGER 65537 } }.
    const RSA_1024_SPKI: &str = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCsdwOHdNBCwz+icOm1hfdHQHaLL7/ITrvJR7T6u4F547BLKzHocolTVb73G2Gp\
    /F19Hy9yNrgo4zhlhJEWVWVov74+yLBnzSOqnJBDvbYRAr75ikkTkV82kRVB0m4QgacfzFzVLtitjdYFUT4O+RbbguZeifUt0mc2\
    BnUTPhVWAQIDAQAB";

    /// The same modulus as a bare PKCS#1 `RSAPublicKey` (no algorithm wrapper).
    const RSA_1024_PKCS1: &str = "MIGJAoGBAKx3A4d00ELDP6Jw6bWF90dAdosvv8hOu8lHtPq7gXnjsEsrMehyiVNVvvcbYan8XX0fL3I2uCjjOGWEkRZVZWi/vj7I\
    sGfNI6qckEO9thECvvmKSRORXzaRFUHSbhCBpx/MXNUu2K2N1gVRPg75FtuC5l6J9S3SZzYGdRM+FVYBAgMBAAE=";

    /// A 512-bit key, built the same way.
    const RSA_512_SPKI: &str = "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAIglw2TAUHVahK1JuT2iPanKs2Dxn++YGHVg51PoPg8+t1hkSbznGmePHIIL0WBuW8d7\
    IoPEVxUcUoW4sKpp1I8CAwEAAQ==";

    /// DER length bytes.
    fn der_len(len: usize) -> Vec<u8> {
        if len < 128 {
            return vec![u8::try_from(len).unwrap()];
        }
        let bytes: Vec<u8> = len.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
        let mut out = vec![0x80 | u8::try_from(bytes.len()).unwrap()];
        out.extend(bytes);
        out
    }

    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        out.extend(der_len(content.len()));
        out.extend_from_slice(content);
        out
    }

    /// An RSA `SubjectPublicKeyInfo` whose modulus has exactly `bits` bits (any odd number with the
    /// top bit set does for size tests), base64-encoded.
    fn rsa_spki(bits: usize) -> String {
        let mut modulus = vec![0x00, 0x80 | 0x35];
        modulus.extend((1..bits / 8).map(|i| u8::try_from(i % 251).unwrap() | 1));
        let rsa = tlv(0x30, &[tlv(0x02, &modulus), tlv(0x02, &[0x01, 0x00, 0x01])].concat());
        let algorithm = tlv(
            0x30,
            &[
                tlv(0x06, &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]),
                vec![0x05, 0x00],
            ]
            .concat(),
        );
        let spki = tlv(0x30, &[algorithm, tlv(0x03, &[&[0x00][..], &rsa].concat())].concat());
        base64::engine::general_purpose::STANDARD.encode(spki)
    }

    #[test]
    fn well_known_selectors_are_unique_and_queryable() {
        let mut seen = HashSet::new();
        for (selector, provider) in WELL_KNOWN_SELECTORS {
            assert!(seen.insert(*selector), "{selector} listed twice");
            assert!(valid_selector(selector), "{selector}");
            assert!(!provider.is_empty());
        }
    }

    #[test]
    fn parses_a_typical_record() {
        let key = parse(&format!(
            "v=DKIM1; k=rsa; h=sha256; s=email; t=s; n=rotated 2026; p={RSA_1024_SPKI}"
        ))
        .unwrap();
        assert_eq!(key.key_type, KeyType::Rsa);
        assert_eq!(key.hash_algorithms, ["sha256"]);
        assert_eq!(key.service_types, ["email"]);
        assert_eq!(key.flags, ["s"]);
        assert_eq!(key.notes.as_deref(), Some("rotated 2026"));
        assert_eq!(key.key_info(), Ok(KeyInfo::Rsa { bits: 1024 }));
        assert!(!key.is_revoked());
    }

    #[test]
    fn base64_may_hold_whitespace_and_omit_padding() {
        let spread: String = RSA_1024_PKCS1
            .chars()
            .enumerate()
            .flat_map(|(i, c)| if i % 50 == 49 { vec![c, ' ', '\t'] } else { vec![c] })
            .collect();
        let key = parse(&format!("p={spread}")).unwrap();
        assert_eq!(key.key_info(), Ok(KeyInfo::Rsa { bits: 1024 }), "PKCS#1 fallback");
        let unpadded = RSA_512_SPKI.trim_end_matches('=');
        assert_eq!(
            parse(&format!("k=rsa;p={unpadded}")).unwrap().key_info(),
            Ok(KeyInfo::Rsa { bits: 512 })
        );
    }

    #[test]
    fn key_sizes_are_measured_from_the_modulus() {
        for bits in [1024, 2048, 4096] {
            let key = parse(&format!("v=DKIM1; p={}", rsa_spki(bits))).unwrap();
            assert_eq!(key.key_info(), Ok(KeyInfo::Rsa { bits }));
        }
        assert_eq!(rsa_bits(&[0x00, 0x01, 0xff]), 9);
        assert_eq!(rsa_bits(&[0x7f, 0xff]), 15);
        assert_eq!(rsa_bits(&[]), 0);
    }

    #[test]
    fn ed25519_keys_are_32_raw_bytes() {
        let raw = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        let key = parse(&format!("v=DKIM1; k=ed25519; p={raw}")).unwrap();
        assert_eq!(key.key_type, KeyType::Ed25519);
        assert_eq!(key.key_info(), Ok(KeyInfo::Ed25519));
        let wrong = base64::engine::general_purpose::STANDARD.encode([7u8; 44]);
        assert!(parse(&format!("k=ED25519; p={wrong}")).unwrap().key_info().is_err());
    }

    #[test]
    fn empty_p_is_revoked() {
        let key = parse("v=DKIM1; k=rsa; p=").unwrap();
        assert!(key.is_revoked());
        assert!(parse("v=DKIM1; p= ;").unwrap().is_revoked());
    }

    #[test]
    fn syntax_errors_are_located() {
        let e = parse("k=rsa; v=DKIM1; p=").unwrap_err();
        assert_eq!(e.position, 7);
        assert!(e.message.contains("first"), "{e}");
        let e = parse("v=DKIM2; p=").unwrap_err();
        assert_eq!(e.position, 2);
        let e = parse("v=DKIM1; k=dsa; p=").unwrap_err();
        assert_eq!(e.position, 11);
        let e = parse("v=DKIM1; p=abc; p=def").unwrap_err();
        assert_eq!(e.position, 16);
        assert!(e.message.contains("twice"), "{e}");
        let e = parse("v=DKIM1; p=MIGf*MA0").unwrap_err();
        assert_eq!(e.position, 15);
        assert!(e.message.contains('*'), "{e}");
        let e = parse("v=DKIM1; p=MIGfM").unwrap_err();
        assert!(e.message.contains("base64"), "{e}");
        let e = parse("v=DKIM1; k=rsa").unwrap_err();
        assert!(e.message.contains("p= tag"), "{e}");
        let e = parse("v=DKIM1; P=abcd").unwrap_err();
        assert!(e.message.contains("case-sensitive"), "{e}");
        let e = parse("v=DKIM1; t=y:; p=").unwrap_err();
        assert_eq!(e.position, 13);
        assert!(parse("").is_err());
    }

    #[test]
    fn damaged_keys_are_reported() {
        let not_der = base64::engine::general_purpose::STANDARD.encode(b"hello world, not a key");
        assert!(parse(&format!("p={not_der}")).unwrap().key_info().is_err());
        // An EC key under k=rsa.
        let ec = tlv(
            0x30,
            &[
                tlv(
                    0x30,
                    &[
                        tlv(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]),
                        tlv(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]),
                    ]
                    .concat(),
                ),
                tlv(0x03, &[0, 4, 1, 2]),
            ]
            .concat(),
        );
        let ec = base64::engine::general_purpose::STANDARD.encode(ec);
        assert_eq!(
            parse(&format!("p={ec}")).unwrap().key_info(),
            Err("k=rsa, but the key is not an RSA key".to_string())
        );
    }

    #[test]
    fn recognises_key_records() {
        assert!(is_dkim_record("v=DKIM1; p=abc"));
        assert!(is_dkim_record("k=rsa; p=abc"));
        assert!(is_dkim_record("p="));
        assert!(!is_dkim_record("v=spf1 include:_spf.google.com ~all"));
        assert!(!is_dkim_record("google-site-verification=xyz"));
    }

    #[test]
    fn parser_never_panics_on_garbled_records() {
        let pieces = [
            "v=DKIM1",
            ";",
            " ",
            "\t",
            "k=",
            "rsa",
            "ed25519",
            "p=",
            "MIGf",
            "MA0G",
            "==",
            "=",
            "+/",
            "h=",
            "sha256",
            ":",
            "t=",
            "y",
            "s=",
            "*",
            "n=",
            "é",
            "\u{0}",
            "AAAA",
            "MIIBIjAN",
            "BgkqhkiG9w0BAQEFAAOC",
            "P=",
        ];
        let mut keys = 0;
        for record in garbled(0x2545_f491_4f6c_dd1d, 4000, &pieces, 20) {
            match parse(&record) {
                Ok(key) => {
                    keys += 1;
                    let _ = key.key_info();
                }
                Err(e) => assert!(e.position <= record.chars().count(), "{record:?}: {e}"),
            }
            let _ = judge(&record);
            let _ = abbreviate(&record);
        }
        assert!(keys > 0);
    }

    #[tokio::test]
    async fn finds_a_key_under_a_well_known_selector() {
        let zone = Zone::default().with(
            "google._domainkey.example.com",
            &[&format!("v=DKIM1; k=rsa; p={}", rsa_spki(2048))],
        );
        let r = check("example.com", &[], &zone).await;
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert_eq!(r.id, "email.dkim");
        let found = evidence(&r, "DKIM google._domainkey.example.com");
        assert!(found[0].starts_with("Google Workspace · RSA 2048-bit key"), "{found:?}");
        assert!(r.fix.is_none());
    }

    #[tokio::test]
    async fn the_users_selector_is_tried() {
        let zone = Zone::default().with("custom2026._domainkey.example.com", &[&format!("p={}", rsa_spki(2048))]);
        let r = check("example.com", &["Custom2026".to_string()], &zone).await;
        assert_eq!(r.status, Status::Pass);
        assert!(evidence(&r, "DKIM custom2026._domainkey.example.com")[0].starts_with("your selector"));
        assert!(
            evidence(&r, "Selectors checked")[0]
                .starts_with(&format!("{} (custom2026, google", WELL_KNOWN_SELECTORS.len() + 1))
        );
    }

    #[tokio::test]
    async fn a_missing_user_selector_warns_even_when_others_exist() {
        let zone = Zone::default().with("google._domainkey.example.com", &[&format!("p={}", rsa_spki(2048))]);
        let r = check("example.com", &["mine".to_string()], &zone).await;
        assert_eq!(r.status, Status::Warn);
        assert!(r.summary.contains("selector mine"), "{}", r.summary);
    }

    #[tokio::test]
    async fn a_revoked_only_key_fails_but_a_revoked_spare_is_a_note() {
        let zone = Zone::default().with("selector1._domainkey.example.com", &["v=DKIM1; k=rsa; p="]);
        let r = check("example.com", &[], &zone).await;
        assert_eq!(r.status, Status::Fail);
        assert!(r.summary.contains("revoked"), "{}", r.summary);

        let zone = zone.with(
            "selector2._domainkey.example.com",
            &[&format!("v=DKIM1; p={}", rsa_spki(2048))],
        );
        let r = check("example.com", &[], &zone).await;
        assert_eq!(r.status, Status::Pass);
        assert!(evidence(&r, "Note")[0].contains("selector1"));
    }

    #[tokio::test]
    async fn short_keys_warn_and_tiny_or_broken_keys_fail() {
        let zone = Zone::default().with("s1._domainkey.example.com", &[&format!("k=rsa; p={RSA_1024_SPKI}")]);
        let r = check("example.com", &[], &zone).await;
        assert_eq!(r.status, Status::Warn);
        assert!(r.summary.contains("1024"), "{}", r.summary);
        assert!(evidence(&r, "DKIM s1._domainkey.example.com")[0].contains("SendGrid · RSA 1024-bit"));

        let zone = Zone::default().with("s1._domainkey.example.com", &[&format!("p={RSA_512_SPKI}")]);
        let r = check("example.com", &[], &zone).await;
        assert_eq!(r.status, Status::Fail);
        assert!(evidence(&r, "DKIM s1._domainkey.example.com")[0].contains("512-bit"));

        let zone = Zone::default()
            .with("k1._domainkey.example.com", &["v=DKIM1; p=!!!"])
            .with("google._domainkey.example.com", &[&format!("p={}", rsa_spki(2048))]);
        let r = check("example.com", &[], &zone).await;
        assert_eq!(r.status, Status::Fail, "a broken key fails even next to a good one");
        assert!(r.summary.contains("selector k1"), "{}", r.summary);
    }

    #[tokio::test]
    async fn nothing_found_asks_which_provider() {
        let zone = Zone::default().with("google._domainkey.example.com", &["v=spf1 -all"]);
        let r = check("example.com", &[], &zone).await;
        assert_eq!(r.status, Status::Warn);
        assert!(r.summary.contains("which provider sends your email?"), "{}", r.summary);
        let fix = r.fix.clone().unwrap();
        assert!(fix.contains("s= value") && fix.contains("--dkim-selector"), "{fix}");
        assert_eq!(evidence(&r, "Ignored TXT google._domainkey.example.com").len(), 1);
    }

    #[tokio::test]
    async fn dns_failures_are_errors() {
        let zone = Zone {
            default: Some(Err(DnsError::Timeout)),
            ..Zone::default()
        };
        let r = check("example.com", &[], &zone).await;
        assert_eq!(r.status, Status::Error);
        assert!(r.summary.contains("did not answer in time"), "{}", r.summary);

        // The user's own selector failing leaves the answer open.
        let mut zone = Zone::default();
        zone.txt
            .insert("mine._domainkey.example.com".into(), Err(DnsError::ServFail));
        assert_eq!(
            check("example.com", &["mine".to_string()], &zone).await.status,
            Status::Error
        );

        // Nor can a revoked spare be called the only key while the user's selector is unknown.
        zone.txt.insert(
            "google._domainkey.example.com".into(),
            Ok(Answer::Found(vec!["v=DKIM1; p=".into()])),
        );
        let r = check("example.com", &["mine".to_string()], &zone).await;
        assert_eq!(r.status, Status::Error);
        assert!(r.summary.contains("SERVFAIL"), "{}", r.summary);

        // A key found wins over a few failed guesses, which stay in the evidence.
        let mut zone = Zone::default().with("google._domainkey.example.com", &[&format!("p={}", rsa_spki(2048))]);
        zone.txt
            .insert("k1._domainkey.example.com".into(), Err(DnsError::Refused));
        let r = check("example.com", &[], &zone).await;
        assert_eq!(r.status, Status::Pass);
        assert!(evidence(&r, "TXT k1._domainkey.example.com")[0].contains("REFUSED"));
    }

    #[tokio::test]
    async fn selectors_are_queried_together() {
        let zone = Zone {
            delay: Some(Duration::from_millis(200)),
            ..Zone::default()
        };
        let started = std::time::Instant::now();
        let r = check("example.com", &["a".into(), "b".into()], &zone).await;
        assert_eq!(r.status, Status::Warn);
        assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
    }

    #[tokio::test]
    async fn invalid_selectors_are_skipped() {
        let r = check("example.com", &["bad selector".into(), "..".into()], &Zone::default()).await;
        assert_eq!(evidence(&r, "Skipped").len(), 2);
    }
}
