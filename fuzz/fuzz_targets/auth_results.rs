#![no_main]
//! Reading a pasted message's headers must never panic, whatever they hold.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = launchready::probe::message::parse_authentication_results(&text);
    let _ = launchready::probe::message::check(&text);
});
