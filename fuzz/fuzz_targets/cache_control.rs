#![no_main]
//! The Cache-Control parser and the shared-cache judge must never panic, whatever the headers hold.

use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use launchready::probe::web::headers;
use libfuzzer_sys::fuzz_target;

/// Headers from the input's `name: value` lines, plus the whole input as a `cache-control` header.
fn header_map(data: &[u8]) -> HeaderMap {
    let mut map = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_bytes(data) {
        map.append(HeaderName::from_static("cache-control"), value);
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
    let _ = headers::parse_cache_control(&text);
    let map = header_map(data);
    let _ = headers::shared_cacheable(&map);
    let status = data.first().map_or(200, |b| 100 + u16::from(*b) * 2);
    let _ = headers::cacheability(status, &map);
});
