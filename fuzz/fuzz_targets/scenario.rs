//! Scenario files: TOML parsing, `extends` chains (built-in names resolve without I/O), merging
//! onto the defaults and validation. Any input may be rejected with an error; a panic, a hang or
//! a runaway allocation is a bug. A scenario that loads is not run (too slow to fuzz).
//!
//! Replayed on stable by tests/integration/fuzz_regressions.rs with the same calls.

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tokenmaxx::scenario::{Scenario, Source};

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
        let dir = root.join(format!("tokenmaxx-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the fuzz scratch folder");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // A fixed name, so an input can name itself (`extends = "input.toml"`).
    let path = scratch().join("input.toml");
    std::fs::write(&path, text.as_bytes()).expect("write the fuzz input");
    let _ = Scenario::load(&Source::Path(path));
});
