//! Helpers shared by the test modules: run the real binary and check a refusal, make scratch
//! folders (empty or holding files), load and run a scenario at a size, read CSV columns, and
//! take means of weekly figures.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tokenmaxx::projections::{Projections, WeeklyRow};
use tokenmaxx::scenario::{Overrides, Scenario, Source};

/// Run `tokenmaxx` with arguments in `dir`.
pub fn tokenmaxx(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tokenmaxx"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the tokenmaxx binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Check that a command was refused as bad input: exit code 2, no panic, and `what` on stderr.
pub fn refused(o: &Output, what: &str) {
    refused_with(o, &[what]);
}

/// Check that a command was refused as bad input: exit code 2, no panic, and every one of
/// `needles` on stderr.
pub fn refused_with(o: &Output, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{}{err}", stdout(o));
    assert!(!err.contains("panicked"), "{err}");
    for n in needles {
        assert!(err.contains(n), "`{n}` not in: {err}");
    }
}

/// A fresh scratch folder under the target directory, unique per test (`name` may hold `/`).
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A fresh scratch folder holding `files` (name, text): a scenario and a spec, say.
pub fn scratch_with(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = scratch(name);
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir
}

/// A scenario loaded at a size: `employees`, and `weeks` and `seed` where given, over its own.
pub fn load(source: &Source, employees: i64, weeks: Option<i64>, seed: Option<u64>) -> Scenario {
    let o = Overrides {
        employees: Some(employees),
        weeks,
        seed,
    };
    Scenario::load_with(source, &o).unwrap().0
}

/// A built-in scenario at `employees` (its own weeks and seed).
pub fn builtin(name: &str, employees: i64) -> Scenario {
    load(&Source::Builtin(name.into()), employees, None, None)
}

/// Run a scenario (replication 0) in process.
pub fn simulate(s: &Scenario) -> Projections {
    tokenmaxx::simulate(s, 0)
}

/// The mean of `values` (NaN without any).
pub fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// The mean of a weekly figure over `weeks` (indices into the weekly rows).
pub fn weekly_mean(p: &Projections, weeks: Range<usize>, f: fn(&WeeklyRow) -> f64) -> f64 {
    let rows = &p.weekly[weeks];
    mean(&rows.iter().map(f).collect::<Vec<f64>>())
}

/// The repository's scenarios/ folder.
/// Write `toml` to `dir/name.toml`, run it with `tokenmaxx run` and `args` into `dir/name`
/// (asserting success), and read its weekly.csv (header and rows).
pub fn run_weekly(
    dir: &Path,
    name: &str,
    toml: &str,
    args: &[&str],
) -> (Vec<String>, Vec<Vec<String>>) {
    let file = dir.join(format!("{name}.toml"));
    std::fs::write(&file, toml).unwrap();
    let out = dir.join(name);
    let mut all = vec![
        "run",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    let o = tokenmaxx(dir, &all);
    assert!(o.status.success(), "{}", stderr(&o));
    read_csv(&out.join("weekly.csv"))
}

pub fn scenarios_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// A CSV as header and rows of fields (no quoting beyond what our writer emits for empty strings).
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .map(|l| {
            l.split(',')
                .map(|f| f.trim_matches('"').to_string())
                .collect()
        })
        .collect();
    (header, rows)
}

/// Column `name` of a CSV as numbers.
pub fn column(header: &[String], rows: &[Vec<String>], name: &str) -> Vec<f64> {
    let i = header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    rows.iter()
        .map(|r| r[i].parse::<f64>().unwrap_or(f64::NAN))
        .collect()
}

/// The next value of a xorshift sequence (deterministic byte-flip trials).
pub fn xorshift(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

/// Run tokenmaxx in `dir` with `RUST_BACKTRACE=1`, and check that it exits with one of `codes`
/// and that nothing on stderr says "panicked" or shows a backtrace (`what` names the trial).
pub fn runs_without_a_shown_panic(dir: &Path, args: &[&str], codes: &[i32], what: &str) {
    let o = Command::new(env!("CARGO_BIN_EXE_tokenmaxx"))
        .args(args)
        .current_dir(dir)
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("the tokenmaxx binary runs");
    let err = stderr(&o);
    assert!(
        o.status.code().is_some_and(|c| codes.contains(&c)),
        "{what}: {:?} {err}",
        o.status.code()
    );
    assert!(
        !err.contains("panicked") && !err.contains("stack backtrace"),
        "{what} showed a panic: {err}"
    );
}
