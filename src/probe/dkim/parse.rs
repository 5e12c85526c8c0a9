//! DKIM key records (RFC 6376 §3.6.1): the model ([`DkimKey`]), [`parse`], which reports the
//! first syntax error with its position, and key analysis (type and size). Pure: no DNS.

use std::collections::HashSet;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use x509_parser::prelude::FromDer;
use x509_parser::public_key::{PublicKey, RSAPublicKey};
use x509_parser::x509::SubjectPublicKeyInfo;

use crate::probe::dmarc::split_tags;
use crate::probe::{SyntaxError, shorten, syntax_error};

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

/// Keys for the tests of the DKIM folder, assembled by hand.
#[cfg(test)]
pub(super) mod test_keys {
    use base64::Engine as _;

    /// A 1024-bit RSA `SubjectPublicKeyInfo`, assembled by hand: SEQUENCE { rsaEncryption, NULL },
    /// BIT STRING { SEQUENCE { INTEGER 0x00 ‖ 128 bytes with the top bit set, INTEGER 65537 } }.
    pub(crate) const RSA_1024_SPKI: &str = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCsdwOHdNBCwz+icOm1hfdHQHaLL7/ITrvJR7T6u4F547BLKzHocolTVb73G2Gp\
    /F19Hy9yNrgo4zhlhJEWVWVov74+yLBnzSOqnJBDvbYRAr75ikkTkV82kRVB0m4QgacfzFzVLtitjdYFUT4O+RbbguZeifUt0mc2\
    BnUTPhVWAQIDAQAB";

    /// The same modulus as a bare PKCS#1 `RSAPublicKey` (no algorithm wrapper).
    pub(crate) const RSA_1024_PKCS1: &str = "MIGJAoGBAKx3A4d00ELDP6Jw6bWF90dAdosvv8hOu8lHtPq7gXnjsEsrMehyiVNVvvcbYan8XX0fL3I2uCjjOGWEkRZVZWi/vj7I\
    sGfNI6qckEO9thECvvmKSRORXzaRFUHSbhCBpx/MXNUu2K2N1gVRPg75FtuC5l6J9S3SZzYGdRM+FVYBAgMBAAE=";

    /// A 512-bit key, built the same way.
    pub(crate) const RSA_512_SPKI: &str = "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAIglw2TAUHVahK1JuT2iPanKs2Dxn++YGHVg51PoPg8+t1hkSbznGmePHIIL0WBuW8d7\
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

    pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        out.extend(der_len(content.len()));
        out.extend_from_slice(content);
        out
    }

    /// An RSA `SubjectPublicKeyInfo` whose modulus has exactly `bits` bits (any odd number with the
    /// top bit set does for size tests), base64-encoded.
    pub(crate) fn rsa_spki(bits: usize) -> String {
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
}

#[cfg(test)]
mod tests {
    //! The parser's error and valid-record cases are data, in tests/cases/dkim.toml (run by
    //! tests/records.rs); here the key analysis with keys built in the test.

    use super::test_keys::{RSA_512_SPKI, RSA_1024_PKCS1, rsa_spki, tlv};
    use super::*;

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
}
