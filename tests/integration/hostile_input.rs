//! Hostile inputs and environments (issue 28, sections 2, 3 and 5): special files, huge values,
//! identifiers where group names belong, environment values at the edge of u64 and batch sizes
//! that would exhaust memory are refused at once with exit 2, naming the file, row or key and
//! the allowed range, never quoting a cell and never panicking.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use proptest::prelude::*;

use crate::util::{refused_with, runs_without_a_shown_panic, scratch, stderr, tokenmaxx, xorshift};

/// Run the binary in `dir` with `env`, killing it (and failing) if it is still running after
/// `secs` seconds: a read that blocks or never ends is the bug these tests look for.
fn bounded(dir: &Path, args: &[&str], env: &[(&str, &str)], secs: u64) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tokenmaxx"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(secs) {
            child.kill().unwrap();
            panic!("{args:?} still running after {secs} s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// A small daily export: `people` people over `days` days from 2026-01-05, group by `group`.
fn export(people: usize, days: usize, group: &dyn Fn(usize) -> String) -> String {
    let mut csv = String::from("person,date,tokens,group\n");
    for p in 0..people {
        for d in 0..days {
            csv += &format!(
                "person{p}@corp.example,2026-01-{:02},{},{}\n",
                5 + d,
                1000 * (p + 1),
                group(p)
            );
        }
    }
    csv
}

#[test]
fn devices_fifos_and_folders_are_refused_as_inputs_without_reading_them() {
    // given /dev/zero, /dev/urandom, a FIFO and a folder where an export, a roster or a profile
    // belongs, when import or fit reads them, then each is refused at once (exit 2), naming
    // the file as not a regular file
    let dir = scratch("hostile_input_special");
    std::fs::write(dir.join("usage.csv"), export(3, 3, &|_| "eng".into())).unwrap();
    let fifo = dir.join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    std::fs::create_dir_all(dir.join("folder.csv")).unwrap();
    let cases: [&[&str]; 7] = [
        &["import", "/dev/zero", "--out", "o", "-q"],
        &["import", "pipe", "--out", "o", "-q"],
        &["import", "folder.csv", "--out", "o", "-q"],
        &[
            "import",
            "usage.csv",
            "--roster",
            "pipe",
            "--out",
            "o",
            "-q",
        ],
        &[
            "import",
            "usage.csv",
            "--roster",
            "/dev/zero",
            "--out",
            "o",
            "-q",
        ],
        &["fit", "/dev/urandom", "-q"],
        &["fit", "pipe", "-q"],
    ];
    for args in cases {
        let o = bounded(&dir, args, &[], 20);
        refused_with(&o, &["not a regular file"]);
    }
    assert!(!dir.join("o").exists());
}

#[test]
fn huge_token_counts_and_spans_are_refused_naming_rows_and_ranges() {
    let dir = scratch("hostile_input_values");
    std::fs::write(
        dir.join("big.csv"),
        "person,date,tokens\na,2026-01-05,5\nb,2026-01-06,1e308\n",
    )
    .unwrap();
    let o = bounded(&dir, &["import", "big.csv", "--out", "o", "-q"], &[], 20);
    refused_with(&o, &["big.csv", "line 3", "`tokens`", "allowed 0 to 1e12"]);
    std::fs::write(
        dir.join("span.csv"),
        "person,date,tokens\na,2026-01-05,5\nb,1000-01-01,7\nc,2026-01-06,1\nd,9999-12-31,3\n",
    )
    .unwrap();
    let o = bounded(&dir, &["import", "span.csv", "--out", "o", "-q"], &[], 20);
    refused_with(
        &o,
        &[
            "more than 20 years",
            "span.csv: line 3:",
            "line 3 of span.csv (the earliest)",
            "line 2 of span.csv (the latest)",
        ],
    );
    assert!(!stderr(&o).contains("1000-01-01"), "no cell is quoted");
    assert!(!dir.join("o").exists());
}

#[test]
fn group_labels_that_identify_people_are_refused_and_never_echoed() {
    let dir = scratch("hostile_input_groups");
    let secret = ["alice.secret@corp.example", "bob.secret@corp.example"];
    let mut errors = Vec::new();
    // One person in two groups.
    std::fs::write(
        dir.join("two.csv"),
        "person,date,tokens,group\na,2026-01-05,5,finance-secret\na,2026-01-06,5,legal-secret\n",
    )
    .unwrap();
    let o = tokenmaxx(&dir, &["import", "two.csv", "--out", "o", "-q"]);
    refused_with(&o, &["line 3", "column `group`", "one group"]);
    errors.push(stderr(&o));
    // Labels holding '@'.
    std::fs::write(
        dir.join("at.csv"),
        export(4, 2, &|p| secret[p % 2].to_string()),
    )
    .unwrap();
    let o = tokenmaxx(&dir, &["import", "at.csv", "--out", "o", "-q"]);
    refused_with(&o, &["column `group`", "'@'"]);
    errors.push(stderr(&o));
    // A group of one's own for everyone (ids without '@').
    std::fs::write(
        dir.join("own.csv"),
        export(5, 2, &|p| format!("emp-{p:04}")),
    )
    .unwrap();
    let o = tokenmaxx(&dir, &["import", "own.csv", "--out", "o", "-q"]);
    refused_with(&o, &["5 labels for 5 people"]);
    errors.push(stderr(&o));
    for err in &errors {
        assert!(!err.contains("emp-0") && !err.contains("secret"), "{err}");
    }
    assert!(!dir.join("o").exists());
    // Groups of several people are fine.
    std::fs::write(
        dir.join("ok.csv"),
        export(6, 2, &|p| format!("team{}", p % 2)),
    )
    .unwrap();
    let o = tokenmaxx(
        &dir,
        &["import", "ok.csv", "--out", "o", "-q", "--no-charts"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn a_slurm_count_at_the_edge_of_u64_is_a_clear_error_not_a_panic() {
    let dir = scratch("hostile_input_slurm");
    std::fs::write(
        dir.join("s.toml"),
        "base = \"baseline\"\n[parameters]\n\"behaviour.uplift\" = [0.3, 0.6]\n",
    )
    .unwrap();
    for vars in [
        &[
            ("SLURM_ARRAY_TASK_ID", "0"),
            ("SLURM_ARRAY_TASK_MAX", "18446744073709551615"),
        ][..],
        &[
            ("SLURM_ARRAY_TASK_ID", "0"),
            ("SLURM_ARRAY_TASK_COUNT", "18446744073709551615"),
            ("SLURM_ARRAY_TASK_MAX", "18446744073709551615"),
        ][..],
    ] {
        let o = bounded(
            &dir,
            &["sweep", "s.toml", "--shard", "auto", "-q"],
            vars,
            20,
        );
        refused_with(&o, &["--shard auto"]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_scheduler_environment_gives_a_shard_or_an_error_never_a_panic(
        id in prop_oneof![any::<u64>().prop_map(|v| v.to_string()), "[0-9]{1,25}", ".{0,6}"],
        count in proptest::option::of(prop_oneof![any::<u64>().prop_map(|v| v.to_string()), "[0-9]{1,22}"]),
        min in proptest::option::of(prop_oneof![Just("0".to_string()), any::<u64>().prop_map(|v| v.to_string())]),
        max in proptest::option::of(prop_oneof![any::<u64>().prop_map(|v| v.to_string()), Just(u64::MAX.to_string())]),
        step in proptest::option::of(prop_oneof![Just("1".to_string()), any::<u64>().prop_map(|v| v.to_string())]),
        shards in proptest::option::of(any::<u64>()),
        kubernetes in any::<bool>(),
    ) {
        use tokenmaxx::sweep::scheduler::*;
        let env = |name: &str| -> Option<String> {
            match name {
                SLURM_ID if !kubernetes => Some(id.clone()),
                K8S_INDEX if kubernetes => Some(id.clone()),
                SLURM_COUNT => count.clone(),
                SLURM_MIN => min.clone(),
                SLURM_MAX => max.clone(),
                SLURM_STEP => step.clone(),
                _ => None,
            }
        };
        match from_env(&env, shards) {
            Ok(a) => {
                prop_assert!(a.shard.index < a.shard.count);
                prop_assert!(a.shard.count <= tokenmaxx::sweep::Shard::MAX_COUNT);
            }
            Err(e) => prop_assert!(e.starts_with("--shard"), "{}", e),
        }
    }

    #[test]
    fn any_number_cell_is_read_within_its_range_or_refused_without_the_cell(
        v in prop_oneof![any::<f64>(), 0.0f64..2e12, -1e3f64..0.0, Just(1e308), Just(1e12)],
        column in prop_oneof![Just("tokens"), Just("input_tokens"), Just("cost_usd"), Just("commits")],
    ) {
        let cell = format!("{v:e}");
        let most = match column {
            "cost_usd" => 1e9,
            "commits" => 1e9,
            _ => 1e12,
        };
        match tokenmaxx::import::table::number(&cell, column, false) {
            Ok(x) => prop_assert!((0.0..=most).contains(&x), "{} read as {}", cell, x),
            Err(e) => {
                prop_assert!(!(v.is_finite() && (0.0..=most).contains(&v)), "{} refused: {}", cell, e);
                prop_assert!(e.contains(&format!("column `{column}`")), "{}", e);
                prop_assert!(!e.contains(&cell), "the cell is quoted: {}", e);
            }
        }
    }
}

#[test]
fn counts_that_size_memory_are_bounded_up_front_naming_the_key() {
    let dir = scratch("hostile_input_counts");
    std::fs::write(
        dir.join("reps.toml"),
        "base = \"baseline\"\nreplications = 4294967295\n[parameters]\n\"behaviour.uplift\" = [0.3, 0.6]\n",
    )
    .unwrap();
    let o = bounded(&dir, &["sweep", "reps.toml", "-q"], &[], 20);
    refused_with(
        &o,
        &[
            "reps.toml",
            "`replications` = 4294967295",
            "need 1 to 10000",
        ],
    );
    std::fs::write(
        dir.join("runs.toml"),
        "base = \"baseline\"\nreplications = 10000\nmethod = \"random\"\nsamples = 1000\n[parameters]\n\"behaviour.uplift\" = { low = 0.1, high = 0.9 }\n",
    )
    .unwrap();
    let o = bounded(&dir, &["sweep", "runs.toml", "-q"], &[], 20);
    refused_with(&o, &["runs.toml", "10000000 runs", "replications"]);
    let o = bounded(
        &dir,
        &["sweep", "reps.toml", "--shard", "0/1000000", "-q"],
        &[],
        20,
    );
    refused_with(&o, &["1 to 100000 shards"]);
}

#[test]
fn fit_checks_with_before_fitting_and_names_no_temporary_path() {
    let dir = scratch("hostile_input_fit_with");
    std::fs::write(
        dir.join("usage.csv"),
        export(6, 7, &|p| format!("g{}", p % 2)),
    )
    .unwrap();
    let o = tokenmaxx(
        &dir,
        &["import", "usage.csv", "--out", "org", "-q", "--no-charts"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let start = Instant::now();
    let o = tokenmaxx(
        &dir,
        &[
            "fit",
            "org",
            "--with",
            "no-such-policy",
            "--budget",
            "100000",
            "-q",
        ],
    );
    refused_with(&o, &["--with no-such-policy", "unknown built-in scenario"]);
    assert!(!stderr(&o).contains(".tmp-"), "{}", stderr(&o));
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "the fit ran first"
    );
    assert!(!dir.join("org/fit").exists());
}

#[test]
fn merging_shards_of_different_seeds_says_what_differs() {
    let dir = scratch("hostile_input_merge_seeds");
    std::fs::write(
        dir.join("tiny.toml"),
        "extends = \"baseline\"\nemployees = 60\nweeks = 2\n",
    )
    .unwrap();
    let spec = |seed: u32| {
        format!(
            "name = \"m\"\nbase = \"tiny.toml\"\nseed = {seed}\n[parameters]\n\"behaviour.uplift\" = [0.3, 0.6]\n"
        )
    };
    for (seed, shard, out) in [(1, "0/2", "s0"), (2, "1/2", "s1")] {
        std::fs::write(dir.join("m.toml"), spec(seed)).unwrap();
        let o = tokenmaxx(
            &dir,
            &[
                "sweep",
                "m.toml",
                "--shard",
                shard,
                "-q",
                "--no-charts",
                "--out",
                out,
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let o = tokenmaxx(
        &dir,
        &["merge", "s0", "s1", "--out", "merged", "--no-charts"],
    );
    refused_with(&o, &["another batch", "seed 1 -> 2"]);
}

#[test]
fn a_journal_that_cannot_be_written_says_write_not_read() {
    // given a journal path that points at /dev/full (a full disk), when a batch starts its
    // journal, then the error says it cannot write, with the system's reason
    use tokenmaxx::sweep::journal::{Header, Journal};
    let dir = scratch("hostile_input_journal_full");
    std::os::unix::fs::symlink("/dev/full", dir.join(tokenmaxx::sweep::journal::FILE)).unwrap();
    let header = Header::new("x", "text", 1, tokenmaxx::sweep::Shard::ALL);
    let e = Journal::open::<tokenmaxx::sweep::RunRecord>(&dir, header, false)
        .err()
        .expect("a full disk fails")
        .to_string();
    assert!(e.starts_with("cannot write "), "{e}");
    assert!(e.contains("No space left"), "{e}");
}

#[test]
fn parquet_exports_with_typed_dates_read_as_text_dates_do() {
    // given Parquet exports whose `date` is a Date32 or a timestamp (any unit, with or without a
    // zone), when imported, then they read as the same rows with text dates do
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/parquet_dates");
    let dir = scratch("hostile_input_parquet_dates");
    let profile = |name: &str| -> serde_json::Value {
        let file = data.join(name);
        let o = tokenmaxx(
            &dir,
            &[
                "import",
                file.to_str().unwrap(),
                "--out",
                name,
                "-q",
                "--no-charts",
                "--salt",
                "s",
            ],
        );
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        let text = std::fs::read_to_string(dir.join(name).join("profile.json")).unwrap();
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v.as_object_mut().unwrap().remove("source");
        v
    };
    assert_eq!(profile("date_rg.parquet"), profile("text.parquet"));
    let first = profile("date32.parquet");
    assert_eq!(first["weeks"][0], "2026-W02");
    assert_eq!(first["headcount"]["total"], 6);
    for name in [
        "ts_ms_utc.parquet",
        "ts_ns.parquet",
        "ts_s.parquet",
        "date64.parquet",
    ] {
        assert_eq!(profile(name), first, "{name}");
    }
}

/// Byte flips in a Parquet export (its footer, page headers and values), imported with
/// `RUST_BACKTRACE=1`: every outcome is a profile or a clean error, never a panic shown.
#[test]
fn byte_flips_in_a_parquet_export_never_show_a_panic() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/parquet_dates");
    let dir = scratch("hostile_input_parquet_flips");
    let original = std::fs::read(data.join("ts_ms_utc.parquet")).unwrap();
    let mut x: u64 = 0x853c49e6748fea9b;
    for i in 0..120 {
        let x = xorshift(&mut x);
        let mut bytes = original.clone();
        let at = (x % bytes.len() as u64) as usize;
        bytes[at] ^= 1 << (x >> 61);
        std::fs::write(dir.join("export.parquet"), &bytes).unwrap();
        let args = [
            "import",
            "export.parquet",
            "--out",
            "o",
            "-q",
            "--no-charts",
            "--salt",
            "s",
        ];
        runs_without_a_shown_panic(&dir, &args, &[0, 2], &format!("flip {i} at byte {at}"));
    }
}
