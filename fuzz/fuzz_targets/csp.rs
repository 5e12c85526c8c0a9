#![no_main]
//! The CSP parser and the security headers judge must never panic, whatever the headers hold.

use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use launchready::probe::web::headers;
use libfuzzer_sys::fuzz_target;

/// Headers from the input's `name: value` lines, plus the whole input as a `content-security-policy` header.
fn header_map(data: &[u8]) -> HeaderMap {
    let mut map = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_bytes(data) {
        map.append(HeaderName::from_static("content-security-policy"), value);
    }
    for line in data.split(|b| *b == b'\n').take(64) {
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let (name, value) = line.split_at(colon);
        let value = value.get(1..).unwrap_or_default().trim_ascii();
        if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name), HeaderValue::from_bytes(value)) {
            map.append(name, value);
        }
    }
    map
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = headers::parse_csp(&text);
    let _ = headers::judge_security_headers(&header_map(data));
});
