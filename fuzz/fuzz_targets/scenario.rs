//! Scenario files: TOML parsing, `extends` chains (built-in names resolve without I/O), merging
//! onto the defaults and validation. Any input may be rejected with an error; a panic, a hang or
//! a runaway allocation is a bug. A scenario that loads is not run (too slow to fuzz).
//!
//! Replayed on stable by tests/integration/fuzz_regressions.rs with the same calls.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use tokenmaxx::scenario::{Scenario, Source};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // A fixed name, so an input can name itself (`extends = "input.toml"`).
    let path = common::write_input("scenario", &text);
    let _ = Scenario::load(&Source::Path(path));
});
