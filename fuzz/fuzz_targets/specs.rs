//! Sweep, sensitivity and calibration specs: TOML parsing, resolving the base scenario (a
//! built-in name or a path), `[fixed]` settings, parameter paths and ranges, and the design.
//! Any input may be rejected with an error; a panic, a hang or a runaway allocation is a bug.
//! Nothing is run.
//!
//! Replayed on stable by tests/integration/fuzz_regressions.rs with the same calls.

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tokenmaxx::explore::calibrate::Calibration;
use tokenmaxx::explore::sensitivity::Sensitivity;
use tokenmaxx::sweep::Sweep;

/// This process's scratch folder (in memory where /dev/shm exists).
fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let shm = std::path::Path::new("/dev/shm");
        let root = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        let dir = root.join(format!("tokenmaxx-fuzz-specs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the fuzz scratch folder");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // The spec is also on disk under a fixed name, so `base = "input.toml"` reads it back as
    // a scenario file.
    let path = scratch().join("input.toml");
    std::fs::write(&path, text.as_bytes()).expect("write the fuzz input");
    let _ = Sweep::parse(&text, &path);
    let _ = Sensitivity::parse(&text, &path, None);
    let _ = Calibration::parse(&text, &path, None);
});
