//! Sweep, sensitivity and calibration specs: TOML parsing, resolving the base scenario (a
//! built-in name or a path), `[fixed]` settings, parameter paths and ranges, and the design.
//! Any input may be rejected with an error; a panic, a hang or a runaway allocation is a bug.
//! Nothing is run.
//!
//! Replayed on stable by tests/integration/fuzz_regressions.rs with the same calls.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use tokenmaxx::explore::calibrate::Calibration;
use tokenmaxx::explore::sensitivity::Sensitivity;
use tokenmaxx::sweep::Sweep;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // The spec is also on disk under a fixed name, so `base = "input.toml"` reads it back as
    // a scenario file.
    let path = common::write_input("specs", &text);
    let _ = Sweep::parse(&text, &path);
    let _ = Sensitivity::parse(&text, &path, None);
    let _ = Calibration::parse(&text, &path, None);
});
