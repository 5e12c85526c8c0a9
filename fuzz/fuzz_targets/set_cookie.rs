#![no_main]
//! The Set-Cookie parser and the cookies judge must never panic, whatever the headers hold.

use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use launchready::probe::web::headers;
use libfuzzer_sys::fuzz_target;

/// Headers from the input's `name: value` lines, plus the whole input as a `set-cookie` header.
fn header_map(data: &[u8]) -> HeaderMap {
    let mut map = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_bytes(data) {
        map.append(HeaderName::from_static("set-cookie"), value);
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
    if let Ok(cookie) = headers::parse_set_cookie(&text) {
        let _ = headers::is_session_like(&cookie);
        let _ = cookie.describe();
    }
    let map = header_map(data);
    let _ = headers::judge_cookies(&map, true);
    let _ = headers::judge_cookies(&map, false);
});
