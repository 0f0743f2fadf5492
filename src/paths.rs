//! The one rule for names that become paths (scenario names, and the `name` of sweeps,
//! sensitivity analyses and calibrations, which become folders under `output/`), so `validate`
//! refuses what a later write would fail on or would write outside `output/`.

use std::path::PathBuf;

/// Longest name accepted, in bytes (file systems allow 255 per component; the staging folder
/// adds a prefix and a suffix, and forks join two names).
pub const MAX_NAME_BYTES: usize = 100;

/// What a name may be, for error messages.
pub const ALLOWED: &str = "a name becomes a folder, so it must be 1 to 100 bytes, must not start with '.', and must not contain '/', '\\', NUL or control characters";

/// Check a name that becomes a path component. The error says what is wrong and what is allowed.
pub fn check_name(name: &str) -> Result<(), String> {
    let problem = if name.trim().is_empty() {
        Some("is empty")
    } else if name.starts_with('.') {
        Some("starts with '.'")
    } else if name.contains(['/', '\\']) {
        Some("contains a path separator")
    } else if name.chars().any(char::is_control) {
        Some("contains a control character")
    } else if name.len() > MAX_NAME_BYTES {
        Some("is longer than 100 bytes")
    } else {
        None
    };
    match problem {
        Some(p) => Err(format!("`{}` {p}: {ALLOWED}", name.escape_debug())),
        None => Ok(()),
    }
}

/// The default output folder of a named run or batch: `output/<name>`, after checking the name.
pub fn output_folder(name: &str) -> Result<PathBuf, String> {
    check_name(name)?;
    Ok(PathBuf::from("output").join(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_would_escape_or_fail_are_refused() {
        let long = "x".repeat(101);
        for bad in [
            "",
            " ",
            ".",
            "..",
            "../x",
            "/tmp/escaped",
            "a/b",
            "a\\b",
            ".hidden",
            "a\0b",
            "a\nb",
            "a\u{1b}[31m",
            &long,
        ] {
            assert!(check_name(bad).is_err(), "{bad:?} accepted");
        }
        for good in [
            "baseline",
            "amazon-2026",
            "my policy v2",
            "x".repeat(100).as_str(),
            "été",
        ] {
            assert!(check_name(good).is_ok(), "{good:?} refused");
        }
        assert!(check_name("..").unwrap_err().contains("1 to 100 bytes"));
    }
}
