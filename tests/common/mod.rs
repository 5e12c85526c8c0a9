//! Fixture servers for the integration tests, all on 127.0.0.1.
#![allow(dead_code)]

pub mod dns;
