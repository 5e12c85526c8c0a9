//! DKIM (RFC 6376): the `email.dkim` check, which looks for keys under the user's selectors and
//! the well-known provider selectors and judges what it finds. The key-record model, parser and
//! key analysis are in `parse.rs`.
//!
//! Selectors cannot be listed from outside, so finding nothing is a question for the user
//! ("which provider sends your email?"), not a failure.

use futures_util::future::join_all;

use super::dns::{Answer, DnsError, Lookup, Resolve, is_hostname, normalise};
use super::{ProbeResult, Status, shorten};

mod parse;

pub use parse::{DkimKey, KeyInfo, KeyType, is_dkim_record, parse};

pub const ID: &str = "email.dkim";
fn title() -> &'static str {
    crate::probe::registry::title(ID)
}

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
            title(),
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

    let mut result = ProbeResult::new(ID, status, title(), summary);
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
    result.fix_if(fix)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::time::Duration;

    use super::parse::test_keys::{RSA_512_SPKI, RSA_1024_SPKI, rsa_spki};
    use super::*;
    use crate::probe::dns::TxtZone as Zone;
    use crate::probe::{evidence, garbled};

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
