#![no_main]
//! The HSTS parser and judge must never panic, whatever the header holds.

use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use launchready::probe::web::headers;
use libfuzzer_sys::fuzz_target;

/// Headers from the input's `name: value` lines, plus the whole input as a `strict-transport-security` header.
fn header_map(data: &[u8]) -> HeaderMap {
    let mut map = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_bytes(data) {
        map.append(HeaderName::from_static("strict-transport-security"), value);
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
    let _ = headers::parse_hsts(&text);
    let map = header_map(data);
    let _ = headers::judge_hsts(&map, true);
    let _ = headers::judge_hsts(&map, false);
});
