//! The one rule for names that become paths (scenario names, and the `name` of sweeps,
//! sensitivity analyses and calibrations, which become folders under `output/`), so `validate`
//! refuses what a later write would fail on or would write outside `output/`.
//! Also the one naming of the temporary siblings files and folders are staged as before their
//! rename into place.

use std::path::{Path, PathBuf};

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

/// The prefix of every temporary sibling of `name`, whichever process staged it: `.NAME.tmp-`
/// (what a later run matches to clean up after a killed one).
pub fn temp_prefix(name: &str) -> String {
    format!(".{name}.tmp-")
}

/// The temporary sibling a file or folder named `name` is written as before its rename into
/// place, unique to this process: `.NAME.tmp-PID`.
pub fn temp_name(name: &str) -> String {
    format!("{}{}", temp_prefix(name), std::process::id())
}

/// The default output folder of a named run or batch: `output/<name>`, after checking the name.
pub fn output_folder(name: &str) -> Result<PathBuf, String> {
    check_name(name)?;
    Ok(PathBuf::from("output").join(name))
}

/// The file name of the posterior `tokenmaxx fit` writes beside the scenario it fits.
pub const POSTERIOR: &str = "posterior.toml";

/// The first line of every posterior `tokenmaxx fit` writes (how `compare` knows the file).
pub const POSTERIOR_HEADER: &str =
    "# Posterior of a fitted organisation, written by `tokenmaxx fit`";

/// The posterior written by `tokenmaxx fit` beside `scenario` (a scenario file), if there is
/// one: a file named [`POSTERIOR`] in the same folder whose first line is [`POSTERIOR_HEADER`]
/// (a file of that name tokenmaxx did not write is not taken for one).
pub fn posterior_beside(scenario: &Path) -> Option<PathBuf> {
    use std::io::BufRead;
    let path = scenario.parent()?.join(POSTERIOR);
    let file = std::fs::File::open(&path).ok()?;
    let mut first = String::new();
    std::io::BufReader::new(file).read_line(&mut first).ok()?;
    (first.trim_end() == POSTERIOR_HEADER).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_temporary_name_is_hidden_and_carries_the_process_id_after_its_prefix() {
        let name = temp_name("runs.csv");
        assert_eq!(name, format!(".runs.csv.tmp-{}", std::process::id()));
        assert!(name.starts_with(&temp_prefix("runs.csv")));
    }

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
