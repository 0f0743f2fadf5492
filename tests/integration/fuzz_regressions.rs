//! The fuzz regression inputs (fuzz/regressions/<target>/), replayed on stable through the same
//! calls as the fuzz targets in fuzz/fuzz_targets/: no input may panic, and the inputs that once
//! crashed a target (runaway allocations) are now clear errors.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use tokenmaxx::explore::calibrate::Calibration;
use tokenmaxx::explore::sensitivity::Sensitivity;
use tokenmaxx::scenario::{Scenario, Source};
use tokenmaxx::sweep::Sweep;

const REGRESSIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/regressions");

/// A fresh scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    crate::util::scratch(&format!("fuzz_regressions/{name}"))
}

/// The `scenario` target: the input as a scenario file `input.toml` in `dir`, loaded (parsed,
/// `extends` resolved, merged and validated).
fn scenario(dir: &Path, data: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(data);
    let path = dir.join("input.toml");
    std::fs::write(&path, text.as_bytes()).unwrap();
    Scenario::load(&Source::Path(path))
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The `specs` target: the input (also written as `input.toml` in `dir`) parsed as a sweep, a
/// sensitivity spec and a calibration spec.
fn specs(dir: &Path, data: &[u8]) -> [Result<(), String>; 3] {
    let text = String::from_utf8_lossy(data);
    let path = dir.join("input.toml");
    std::fs::write(&path, text.as_bytes()).unwrap();
    [
        Sweep::parse(&text, &path)
            .map(|_| ())
            .map_err(|e| e.to_string()),
        Sensitivity::parse(&text, &path, None)
            .map(|_| ())
            .map_err(|e| e.to_string()),
        Calibration::parse(&text, &path, None)
            .map(|_| ())
            .map_err(|e| e.to_string()),
    ]
}

/// The regression inputs of a target, by name.
fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(REGRESSIONS).join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no regression inputs in {}",
        dir.display()
    );
    files
}

/// Feed every input of `target` to `run`; fail naming each input that panicked.
fn replay(target: &str, run: impl Fn(&Path, &[u8])) {
    let dir = scratch(target);
    let mut panicked = Vec::new();
    for file in inputs(target) {
        let data = std::fs::read(&file).unwrap();
        if catch_unwind(AssertUnwindSafe(|| run(&dir, &data))).is_err() {
            panicked.push(file.display().to_string());
        }
    }
    assert!(
        panicked.is_empty(),
        "fuzz regression inputs that panic:\n{}",
        panicked.join("\n")
    );
}

/// One named regression input.
fn input(target: &str, name: &str) -> Vec<u8> {
    let p = Path::new(REGRESSIONS).join(target).join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The error, with the input named when it is not one.
fn error(result: &Result<(), String>, name: &str) -> String {
    match result {
        Ok(()) => panic!("{name}: expected an error, got Ok"),
        Err(e) => e.clone(),
    }
}

#[test]
fn no_scenario_regression_input_panics() {
    replay("scenario", |dir, data| {
        let _ = scenario(dir, data);
    });
}

#[test]
fn no_specs_regression_input_panics() {
    replay("specs", |dir, data| {
        let _ = specs(dir, data);
    });
}

#[test]
fn a_scenario_extending_an_endless_device_is_refused_without_reading_it() {
    if !Path::new("/dev/zero").exists() {
        return;
    }
    let dir = scratch("dev_zero");
    let name = "crash-extends-dev-zero.toml";
    let e = error(&scenario(&dir, &input("scenario", name)), name);
    assert!(
        e.contains("/dev/zero") && e.contains("not a regular file"),
        "{e}"
    );
    // The same read serves a spec's `base` (the input is a sweep: the other specs refuse it
    // for missing fields before reading the base).
    let name = "crash-base-dev-zero.toml";
    let [sweep, _, _] = specs(&dir, &input("specs", name));
    let e = error(&sweep, name);
    assert!(
        e.contains("/dev/zero") && e.contains("not a regular file"),
        "{e}"
    );
}

#[test]
fn sweep_designs_too_large_to_hold_are_refused_before_they_are_built() {
    let dir = scratch("designs");
    let sweep = |name: &str| {
        let [sweep, _, _] = specs(&dir, &input("specs", name));
        error(&sweep, name)
    };
    let e = sweep("crash-sweep-grid-steps-u32-max.toml");
    assert!(
        e.contains("input.toml")
            && e.contains("`behaviour.uplift`")
            && e.contains("`steps` = 4294967295")
            && e.contains("[1, 1048576]"),
        "{e}"
    );
    // Past u32 it was silently truncated (2^32 steps became 0, then 1).
    let e = sweep("sweep-grid-steps-past-u32.toml");
    assert!(
        e.contains("`steps` = 4294967296") && e.contains("[1, 1048576]"),
        "{e}"
    );
    let e = sweep("crash-sweep-grid-product-too-large.toml");
    assert!(
        e.contains("the grid has 27000000000 points")
            && e.contains("`behaviour.norm_weight` 3000 x `behaviour.uplift` 3000 x `seed` 3000")
            && e.contains("more than the 1048576"),
        "{e}"
    );
    for name in [
        "crash-sweep-lhs-samples-u32-max.toml",
        "crash-sweep-random-samples-u32-max.toml",
    ] {
        let e = sweep(name);
        assert!(
            e.contains("`samples` = 4294967295: need 1 to 1048576 points"),
            "{name}: {e}"
        );
    }
}

#[test]
fn sensitivity_designs_too_large_to_hold_are_refused() {
    let dir = scratch("sensitivity_designs");
    for (name, key) in [
        (
            "sensitivity-morris-trajectories-u32-max.toml",
            "trajectories",
        ),
        ("sensitivity-sobol-samples-u32-max.toml", "samples"),
    ] {
        let [_, sensitivity, _] = specs(&dir, &input("specs", name));
        let e = error(&sensitivity, name);
        assert!(e.contains(&format!("`{key}` = 4294967295")), "{name}: {e}");
    }
}
