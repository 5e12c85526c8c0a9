#![no_main]
//! The dkim record parser must never panic, whatever the record holds.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = launchready::probe::dkim::parse(text);
    }
});
