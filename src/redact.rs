//! Redaction, the one pure module every output goes through: key-shaped strings (provider API
//! keys, access tokens, JWTs, private keys) and credentials replaced by a preview (a few leading
//! characters, the length, a short hash), and text from a user, a server or a DNS record
//! cleaned for a report ([`clean`]: control and direction-override characters dropped, then
//! keys redacted). Also the text cutting redaction relies on (`shorten`, `window`, `one_line`).

use std::fmt::Write as _;

/// The shortest credential (or test token) replaced wherever it shows; shorter ones would
/// replace pieces of ordinary words ("test" inside "latest" is one thing, "ab" everywhere another).
pub const MIN_SCRUBBED: usize = 4;

/// A token as evidence may show it: a few leading characters (only of long tokens) and the
/// length, e.g. `demo…(20 chars)`.
pub fn token_preview(token: &str) -> String {
    let len = token.chars().count();
    if len >= 16 {
        let head: String = token.chars().take(4).collect();
        format!("{head}…({len} chars)")
    } else {
        format!("…({len} chars)")
    }
}

/// An `Authorization` value with the credential replaced by its preview: `Bearer demo…(20 chars)`.
pub fn redact_authorization(value: &str) -> String {
    match value.split_once(' ') {
        Some((scheme, credential)) if !scheme.is_empty() && scheme.len() <= 16 => {
            format!("{scheme} {}", token_preview(credential.trim()))
        }
        _ => token_preview(value),
    }
}

/// Lower-case hexadecimal of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// A secret-looking string as evidence may show it: `sk-p…(50 chars, sha256:1a2b3c)`.
pub fn key_preview(key: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(key.as_bytes());
    let hash = hex(digest.get(..3).unwrap_or_default());
    let head: String = key.chars().take(4).collect();
    format!("{head}…({} chars, sha256:{hash})", key.chars().count())
}

/// Where key-shaped strings (provider API keys, access tokens, JWTs, private keys) sit in
/// `text`, as byte ranges, with the name of the rule that matched.
///
/// A small built-in set until the secret rules exist; each prefix must start a word, and its
/// tail must be long enough to be a key rather than a word that happens to share the prefix.
pub fn find_keys(text: &str) -> Vec<(std::ops::Range<usize>, &'static str)> {
    // (prefix, rule, tail length at least, needs a digit in the tail)
    const RULES: &[(&str, &str, usize, bool)] = &[
        ("sk-", "provider-secret-key", 20, true),
        ("sk_live_", "stripe-secret-key", 16, false),
        ("sk_test_", "stripe-secret-key", 16, false),
        ("rk_live_", "stripe-restricted-key", 16, false),
        ("whsec_", "webhook-secret", 16, false),
        ("AKIA", "aws-access-key-id", 16, false),
        ("ASIA", "aws-access-key-id", 16, false),
        ("ghp_", "github-token", 30, false),
        ("gho_", "github-token", 30, false),
        ("ghs_", "github-token", 30, false),
        ("github_pat_", "github-token", 30, false),
        ("glpat-", "gitlab-token", 20, false),
        ("xoxb-", "slack-token", 20, false),
        ("xoxp-", "slack-token", 20, false),
        ("AIza", "google-api-key", 30, false),
        ("hf_", "huggingface-token", 30, false),
        ("SG.", "sendgrid-key", 40, false),
        ("eyJ", "jwt", 30, false),
    ];
    let bytes = text.as_bytes();
    let is_tail = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.';
    let mut found: Vec<(std::ops::Range<usize>, &'static str)> = Vec::new();
    for &(prefix, rule, min_tail, digit) in RULES {
        let mut from = 0;
        while let Some(at) = text.get(from..).and_then(|rest| rest.find(prefix)) {
            let start = from + at;
            from = start + prefix.len();
            let starts_word = start == 0
                || bytes
                    .get(start - 1)
                    .is_some_and(|b| !b.is_ascii_alphanumeric() && *b != b'_' && *b != b'-');
            if !starts_word {
                continue;
            }
            let mut end = from;
            while bytes.get(end).is_some_and(|b| is_tail(*b)) {
                end += 1;
            }
            // A trailing dot ends a sentence, not a key.
            while end > from && bytes.get(end - 1) == Some(&b'.') {
                end -= 1;
            }
            let tail = text.get(from..end).unwrap_or_default();
            let long_enough = tail.len() >= min_tail;
            let mixed =
                !digit || (tail.bytes().any(|b| b.is_ascii_digit()) && tail.bytes().any(|b| b.is_ascii_alphabetic()));
            let jwt_shaped = rule != "jwt" || tail.matches('.').count() >= 2;
            if long_enough && mixed && jwt_shaped {
                found.push((start..end, rule));
            }
            // Whatever the verdict, the rest of this run of key characters is not a word start:
            // skipping it keeps hostile input (`sk-sk-sk-…`) linear.
            from = end.max(from);
        }
    }
    let mut from = 0;
    while let Some(at) = text.get(from..).and_then(|rest| rest.find("-----BEGIN")) {
        let start = from + at;
        from = start + "-----BEGIN".len();
        let header_end = window(text, start, 60)
            .find("PRIVATE KEY-----")
            .map(|i| start + i + "PRIVATE KEY-----".len());
        if let Some(h) = header_end {
            // The body of a key is a few kilobytes at most; look no further for its end.
            let body = window(text, h, 16 * 1024);
            let end = body
                .find("-----END")
                .and_then(|i| body.get(i..).and_then(|r| r.find("KEY-----")).map(|j| h + i + j + 8))
                .unwrap_or(h + body.len().min(2_000));
            let end = (end..=text.len())
                .find(|e| text.is_char_boundary(*e))
                .unwrap_or(text.len());
            found.push((start..end, "private-key"));
            from = end;
        }
    }
    found.sort_by_key(|(r, _)| r.start);
    // Drop ranges inside an earlier one (e.g. a JWT inside a PEM block).
    let mut out: Vec<(std::ops::Range<usize>, &'static str)> = Vec::new();
    for (range, rule) in found {
        if out.last().is_none_or(|(last, _)| range.start >= last.end) {
            out.push((range, rule));
        }
    }
    out
}

/// At most `len` bytes of `text` from `start`, cut back to a character boundary.
pub(crate) fn window(text: &str, start: usize, len: usize) -> &str {
    let end = (start + len).min(text.len());
    let end = (start..=end).rev().find(|e| text.is_char_boundary(*e)).unwrap_or(start);
    text.get(start..end).unwrap_or_default()
}

/// `text` with every key-shaped string replaced by its [`key_preview`].
pub fn redact_keys(text: &str) -> String {
    let hits: Vec<(std::ops::Range<usize>, String)> = find_keys(text)
        .into_iter()
        .map(|(range, _)| {
            let preview = key_preview(text.get(range.clone()).unwrap_or_default());
            (range, preview)
        })
        .collect();
    replace_ranges(text, hits, 0).0
}

/// `text` with each byte range replaced by its text (ranges sorted by start; one overlapping an
/// earlier one is dropped), and where byte `at` of `text` lands in the result: a position inside
/// a replaced range lands at the start of its replacement.
///
/// Redacting the whole text first and cutting a window afterwards (around the returned position)
/// is what keeps a secret at the edge of a window from showing its first characters.
pub(crate) fn replace_ranges(
    text: &str,
    mut ranges: Vec<(std::ops::Range<usize>, String)>,
    at: usize,
) -> (String, usize) {
    ranges.sort_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)));
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    let mut mapped = None;
    for (range, with) in ranges {
        if range.start < done || range.end > text.len() || range.is_empty() {
            continue;
        }
        if mapped.is_none() && at < range.end {
            mapped = Some(if at < range.start {
                out.len() + (at - done)
            } else {
                out.len() + (range.start - done)
            });
        }
        out.push_str(text.get(done..range.start).unwrap_or_default());
        out.push_str(&with);
        done = range.end;
    }
    let mapped = mapped.unwrap_or_else(|| out.len() + at.saturating_sub(done));
    out.push_str(text.get(done..).unwrap_or_default());
    let mapped = (mapped.min(out.len())..=out.len())
        .find(|i| out.is_char_boundary(*i))
        .unwrap_or(out.len());
    (out, mapped)
}

/// A short, single-line, redacted excerpt of a body: keys replaced in the whole body first,
/// then whitespace collapsed and the text cut to at most `max` characters.
pub fn excerpt(body: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(body);
    one_line(&redact_keys(&text), max)
}

/// `text` (already redacted) on one line, whitespace collapsed, at most `max` characters.
pub(crate) fn one_line(text: &str, max: usize) -> String {
    let flat = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    shorten(&flat, max)
}

/// At most `max` characters of `text`, with an ellipsis when cut.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max).collect();
        cut.push('…');
        cut
    }
}

/// Redacts key-shaped strings and drops control characters (newlines become spaces unless
/// `keep_lines`), so any text is safe in every format.
pub fn clean(text: &str) -> String {
    clean_with(text, false)
}

/// Like [`clean`], but newlines stay.
pub(crate) fn clean_lines(text: &str) -> String {
    clean_with(text, true)
}

fn clean_with(text: &str, keep_lines: bool) -> String {
    // Control and direction-override characters go first, so none can hide a key from the
    // redaction (a key with a control character inside it would not look like a key).
    let plain: String = text
        .chars()
        .filter_map(|c| match c {
            '\n' if keep_lines => Some('\n'),
            '\n' | '\r' | '\t' => Some(' '),
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => None,
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect();
    redact_keys(&plain).trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAKE: &str = "sk-proj-launchready-DEMO-FAKE-KEY-0000000000000000";

    #[test]
    fn keys_are_found_and_redacted() {
        let text = format!("boom: {FAKE} at startup; AKIAIOSFODNN7EXAMPLE and whsec_abcdefghijklmnopqrstu.");
        let hits = find_keys(&text);
        let rules: Vec<&str> = hits.iter().map(|(_, r)| *r).collect();
        assert_eq!(rules, ["provider-secret-key", "aws-access-key-id", "webhook-secret"]);
        let redacted = redact_keys(&text);
        assert!(!redacted.contains(FAKE), "{redacted}");
        assert!(redacted.contains("sk-p…(50 chars, sha256:"), "{redacted}");
        assert!(!redacted.contains("IOSFODNN7"), "{redacted}");
        assert!(redacted.ends_with('.'), "the sentence's full stop stays: {redacted}");
    }

    #[test]
    fn words_sharing_a_prefix_are_not_keys() {
        for text in [
            "task-list-with-a-very-long-name-indeed",
            "sk-this-is-just-a-long-css-class-name",
            "risk-0123456789abcdefghijklmnop",
            "AKIA is a prefix",
            "eyJ alone",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9 without dots",
        ] {
            assert!(find_keys(text).is_empty(), "{text}");
        }
        let jwt = "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2lnbmF0dXJl";
        assert_eq!(find_keys(jwt).len(), 1);
    }

    #[test]
    fn private_keys_are_found() {
        let pem = "x -----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- y";
        let hits = find_keys(pem);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].1, "private-key");
        assert!(redact_keys(pem).ends_with(" y"));
        assert!(!redact_keys(pem).contains("MIIEow"));
    }

    #[test]
    fn hostile_text_is_scanned_in_linear_time() {
        // Each of these took quadratic time in a naive scanner; a regression would hang here.
        for text in [
            "sk-".repeat(100_000),
            "-----BEGIN".repeat(30_000),
            "-----BEGIN RSA PRIVATE KEY-----".repeat(10_000),
            "eyJ.".repeat(80_000),
        ] {
            let _ = redact_keys(&text);
        }
    }

    #[test]
    fn garbled_text_never_panics() {
        let pieces = [
            "sk-",
            "é",
            "-----BEGIN",
            "PRIVATE KEY-----",
            "eyJ",
            ".",
            "a1",
            "-----END",
            " ",
            "\u{1F600}",
            "AKIA",
        ];
        for text in crate::probe::garbled(7, 2_000, &pieces, 30) {
            let _ = redact_keys(&text);
            let _ = excerpt(text.as_bytes(), 20);
        }
    }

    #[test]
    fn excerpts_are_one_short_line() {
        let body = format!("{{\n  \"error\": \"boom\",\n  \"key\": \"{FAKE}\"\n}}");
        let line = excerpt(body.as_bytes(), 60);
        assert!(!line.contains('\n'));
        assert!(!line.contains("DEMO-FAKE"), "{line}");
        assert!(line.chars().count() <= 61);
    }

    #[test]
    fn authorization_values_are_previewed() {
        assert_eq!(
            redact_authorization("Bearer demo-token-account-a"),
            "Bearer demo…(20 chars)"
        );
        assert_eq!(redact_authorization("Bearer short"), "Bearer …(5 chars)");
        assert_eq!(redact_authorization("rawtokenwithoutscheme"), "rawt…(21 chars)");
    }

    #[test]
    fn clean_redacts_keys_and_drops_controls() {
        let dirty = "key sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD\u{1b}[31m red\nnext";
        let c = clean(dirty);
        assert!(!c.contains("abcdefghijklmnopqrstuvwxyz0123456789"), "{c}");
        assert!(!c.contains('\u{1b}'));
        assert!(!c.contains('\n'));
        assert!(clean_lines("a\nb").contains('\n'));
    }
}
