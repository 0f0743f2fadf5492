//! Hostile environments: unwritable destinations, huge populations, killed runs, replaced folders.

use std::process::Command;

use crate::util::*;

#[test]
fn an_unwritable_output_folder_is_a_clear_error_with_nothing_left() {
    let dir = scratch("hostile_unwritable");
    std::fs::write(dir.join("a-file"), "not a folder").unwrap();
    let o = tokenmaxx(
        &dir,
        &[
            "run",
            "baseline",
            "--employees",
            "100",
            "--weeks",
            "3",
            "-q",
            "--out",
            "a-file/run",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("a-file"), "{}", stderr(&o));
    let entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
}

#[test]
fn a_population_too_big_for_memory_is_refused_up_front() {
    // The available memory is injected (1 GiB), so the refusal does not depend on the host:
    // 2,000,000 employees need about 1.3 GiB.
    let dir = scratch("hostile_huge");
    let o = Command::new(env!("CARGO_BIN_EXE_tokenmaxx"))
        .args([
            "run",
            "baseline",
            "--employees",
            "2000000",
            "--weeks",
            "1",
            "-q",
            "--no-charts",
            "--out",
            "huge",
        ])
        .env("TOKENMAXX_AVAILABLE_MEMORY_BYTES", (1u64 << 30).to_string())
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(
            "2000000 employees need about 1.3 GiB of memory, but only 1.0 GiB is available; use fewer employees"
        ),
        "{err}"
    );
    assert!(!dir.join("huge").exists());
}

#[test]
fn a_successful_run_replaces_the_folder_whole_and_a_killed_one_leaves_it_intact() {
    let dir = scratch("hostile_replace");
    let o = tokenmaxx(
        &dir,
        &[
            "run",
            "baseline",
            "--employees",
            "200",
            "--weeks",
            "4",
            "-q",
            "--events",
            "--no-charts",
            "--out",
            "out",
        ],
    );
    assert!(o.status.success());
    assert!(dir.join("out/events.parquet").exists());
    let before = std::fs::read(dir.join("out/weekly.csv")).unwrap();

    // Kill a long run of the same folder: the old output stays as it was.
    let mut child = Command::new(env!("CARGO_BIN_EXE_tokenmaxx"))
        .args([
            "run",
            "baseline",
            "--employees",
            "3000000",
            "-q",
            "--out",
            "out",
        ])
        .current_dir(&dir)
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(std::fs::read(dir.join("out/weekly.csv")).unwrap(), before);

    // The next run replaces the folder as a whole (no events.parquet from the old run) and
    // clears the killed run's staging folder.
    let o = tokenmaxx(
        &dir,
        &[
            "run",
            "baseline",
            "--employees",
            "200",
            "--weeks",
            "5",
            "-q",
            "--no-charts",
            "--out",
            "out",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        !dir.join("out/events.parquet").exists(),
        "a file of the old run survived"
    );
    assert_ne!(std::fs::read(dir.join("out/weekly.csv")).unwrap(), before);
    let leftovers: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn batches_check_memory_before_running_as_run_does() {
    // given 1 GiB available, when a sweep or a comparison of 2,000,000 employees starts, then it
    // is refused with exit 2 before any run, naming the need
    let dir = scratch("hostile_memory_batches");
    std::fs::write(
        dir.join("big.toml"),
        "extends = \"baseline\"\nemployees = 2000000\nweeks = 1\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("sweep.toml"),
        "base = \"big.toml\"\n[parameters]\n\"behaviour.uplift\" = [0.3, 0.6]\n",
    )
    .unwrap();
    let limited = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_tokenmaxx"))
            .args(args)
            .env("TOKENMAXX_AVAILABLE_MEMORY_BYTES", (1u64 << 30).to_string())
            .current_dir(&dir)
            .output()
            .unwrap()
    };
    for args in [
        &["sweep", "sweep.toml", "-q", "--out", "s"][..],
        &[
            "compare",
            "big.toml",
            "baseline",
            "--employees",
            "2000000",
            "--weeks",
            "1",
            "-q",
            "--out",
            "c",
        ][..],
    ] {
        let o = limited(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("GiB is available"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn events_on_a_foreign_parquet_file_is_a_user_error() {
    // given a Parquet file that is not a tokenmaxx event log, when `events` reads it, then it
    // says so with exit 2 (not an internal error)
    use polars::prelude::*;
    let dir = scratch("hostile_foreign_log");
    std::fs::create_dir_all(dir.join("run")).unwrap();
    let mut df = df!("x" => [1i32, 2, 3]).unwrap();
    let file = std::fs::File::create(dir.join("run/events.parquet")).unwrap();
    ParquetWriter::new(file).finish(&mut df).unwrap();
    let o = tokenmaxx(&dir, &["events", "run", "--agent", "1"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
}
