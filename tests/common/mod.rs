//! Fixture servers for the integration tests, all on 127.0.0.1.
#![allow(dead_code)]

pub mod dns;
pub mod reports;
pub mod web;

/// A DKIM `p=` value: base64 of an RSA `SubjectPublicKeyInfo` whose modulus has `bits` bits.
/// Only the size matters to the probe, so the modulus is a made-up odd number, not a real key.
pub fn rsa_spki_base64(bits: usize) -> String {
    use base64::Engine;
    fn der(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = body.len();
        if len < 128 {
            out.push(u8::try_from(len).unwrap());
        } else {
            let bytes: Vec<u8> = len.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
            out.push(0x80 | u8::try_from(bytes.len()).unwrap());
            out.extend(bytes);
        }
        out.extend_from_slice(body);
        out
    }
    let mut modulus = vec![0x00, 0xC3];
    modulus.extend(std::iter::repeat_n(0x5A, bits / 8 - 2));
    modulus.push(0x01);
    let rsa_key = der(0x30, &[der(0x02, &modulus), der(0x02, &[0x01, 0x00, 0x01])].concat());
    let oid = der(0x06, &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]);
    let algorithm = der(0x30, &[oid, vec![0x05, 0x00]].concat());
    let bit_string = der(0x03, &[vec![0x00], rsa_key].concat());
    base64::engine::general_purpose::STANDARD.encode(der(0x30, &[algorithm, bit_string].concat()))
}
