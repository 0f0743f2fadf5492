//! The event store: replay from events.parquet alone, audit tables, bad files.

use crate::util::*;

fn run_with_events(dir: &std::path::Path, scenario: &str, out: &str, threads: &str) {
    let o = tokenmaxx(
        dir,
        &[
            "run",
            scenario,
            "--employees",
            "700",
            "--events",
            "--no-charts",
            "--quiet",
            "--threads",
            threads,
            "--out",
            out,
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

/// Each of `files` is byte-identical in the folders `a` and `b` under `dir`.
fn assert_same_files(dir: &std::path::Path, a: &str, b: &str, files: &[&str]) {
    for f in files {
        assert_eq!(
            std::fs::read(dir.join(a).join(f)).unwrap(),
            std::fs::read(dir.join(b).join(f)).unwrap(),
            "{a} and {b}: {f}"
        );
    }
}

#[test]
fn replay_from_the_stored_log_matches_the_live_tables_for_both_builtins() {
    let dir = scratch("store_replay");
    for scenario in ["baseline", "amazon-2026"] {
        run_with_events(&dir, scenario, scenario, "2");
        let o = tokenmaxx(&dir, &["replay", scenario, "--out", "replayed"]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{scenario}: {}{}",
            stdout(&o),
            stderr(&o)
        );
        assert!(stdout(&o).contains("replay matches"), "{}", stdout(&o));
        let tables = ["weekly.csv", "agents.csv", "deciles.csv", "summary.json"];
        assert_same_files(&dir, scenario, "replayed", &tables);
    }
}

#[test]
fn a_tampered_table_is_reported_as_a_mismatch() {
    let dir = scratch("store_mismatch");
    run_with_events(&dir, "baseline", "run", "2");
    let path = dir.join("run/weekly.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[3] = lines[3].replacen(",700,", ",701,", 1);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let o = tokenmaxx(&dir, &["replay", "run"]);
    assert_eq!(o.status.code(), Some(3), "{}", stdout(&o));
    assert!(stdout(&o).contains("weekly.csv line 4"), "{}", stdout(&o));
    // With --out, every table is still written, the differing one as replayed (untampered).
    let o = tokenmaxx(&dir, &["replay", "run", "--out", "replayed"]);
    assert_eq!(o.status.code(), Some(3), "{}", stdout(&o));
    assert!(stdout(&o).contains("weekly.csv line 4"), "{}", stdout(&o));
    let replayed = |f: &str| std::fs::read(dir.join("replayed").join(f)).unwrap();
    assert_eq!(replayed("weekly.csv"), text.as_bytes());
    assert_same_files(
        &dir,
        "run",
        "replayed",
        &["agents.csv", "deciles.csv", "summary.json"],
    );
}

#[test]
fn replay_out_rebuilds_a_deleted_table_and_reports_it_missing() {
    // given a run whose agents.csv was deleted
    let dir = scratch("store_deleted_table");
    run_with_events(&dir, "baseline", "run", "2");
    let agents = std::fs::read(dir.join("run/agents.csv")).unwrap();
    std::fs::remove_file(dir.join("run/agents.csv")).unwrap();
    // when replayed without --out, then the missing table is named (an error, not a mismatch)
    let failed = |o: &std::process::Output| !o.status.success() && o.status.code() != Some(3);
    let o = tokenmaxx(&dir, &["replay", "run"]);
    assert!(failed(&o), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(err.contains("agents.csv"), "{err}");
    // when replayed with --out, then it fails the same way, but every table is written, the
    // deleted one as it was
    let o = tokenmaxx(&dir, &["replay", "run", "--out", "rebuilt"]);
    assert!(failed(&o), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.contains("agents.csv") && err.contains("rebuilt"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(dir.join("rebuilt/agents.csv")).unwrap(),
        agents
    );
    assert_same_files(
        &dir,
        "run",
        "rebuilt",
        &["weekly.csv", "deciles.csv", "summary.json"],
    );
}

#[test]
fn events_are_identical_at_one_and_two_threads() {
    let dir = scratch("store_threads");
    run_with_events(&dir, "amazon-2026", "t1", "1");
    run_with_events(&dir, "amazon-2026", "t2", "2");
    let a = std::fs::read(dir.join("t1/events.parquet")).unwrap();
    let b = std::fs::read(dir.join("t2/events.parquet")).unwrap();
    assert!(a.len() > 10_000);
    assert!(a == b, "events.parquet differs between 1 and 2 threads");
}

#[test]
fn truncated_or_foreign_logs_give_a_clear_error() {
    let dir = scratch("store_corrupt");
    run_with_events(&dir, "amazon-2026", "run", "2");
    let log = dir.join("run/events.parquet");
    let bytes = std::fs::read(&log).unwrap();
    for (name, content) in [
        ("truncated", bytes[..bytes.len() / 2].to_vec()),
        ("garbage", b"not parquet at all".to_vec()),
    ] {
        std::fs::write(&log, &content).unwrap();
        for args in [vec!["replay", "run"], vec!["events", "run", "--week", "3"]] {
            let o = tokenmaxx(&dir, &args);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{name} {args:?}: {err}");
            assert!(
                err.contains("events.parquet")
                    && err.contains("not a readable tokenmaxx event log"),
                "{name}: {err}"
            );
            assert!(!err.contains("panicked"), "{err}");
        }
    }
    let o = tokenmaxx(&dir, &["replay", "nowhere"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("has no events.parquet"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn events_prints_an_agents_audit_trail() {
    let dir = scratch("store_audit");
    run_with_events(&dir, "amazon-2026", "run", "2");
    let o = tokenmaxx(&dir, &["events", "run", "--agent", "5", "--limit", "1000"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("week") && lines[0].contains("kind"),
        "{}",
        lines[0]
    );
    assert_eq!(
        lines.iter().filter(|l| l.contains("TokensUsed")).count(),
        52,
        "{text}"
    );
    assert_eq!(lines.iter().filter(|l| l.contains("AgentHired")).count(), 1);
    let o = tokenmaxx(&dir, &["events", "run", "--week", "4"]);
    assert!(
        stdout(&o).contains("PolicyChanged") && stdout(&o).contains("leaderboard"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_fork_with_the_unchanged_scenario_reproduces_the_base_run() {
    let dir = scratch("fork_same");
    run_with_events(&dir, "amazon-2026", "base", "2");
    for at in ["0", "10", "30"] {
        let out = format!("fork{at}");
        let o = tokenmaxx(
            &dir,
            &[
                "fork",
                "base",
                "--at",
                at,
                "--scenario",
                "amazon-2026",
                "--no-charts",
                "-q",
                "--out",
                &out,
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        for f in ["weekly.csv", "agents.csv", "deciles.csv"] {
            assert!(
                std::fs::read(dir.join("base").join(f)).unwrap()
                    == std::fs::read(dir.join(&out).join(f)).unwrap(),
                "fork at {at}: {f} differs from the base run"
            );
        }
    }
}

#[test]
fn a_fork_that_drops_the_leaderboard_at_week_10_pads_less_afterwards() {
    let dir = scratch("fork_shutdown");
    run_with_events(&dir, "amazon-2026", "base", "2");
    std::fs::write(
        dir.join("no-board.toml"),
        "extends = \"amazon-2026\"\n[[timeline]]\nweek = 4\nleaderboard = { scope = \"org\", visibility = \"public\" }\n[[timeline]]\nweek = 10\nleaderboard = \"off\"\nplatform = { permission_scope = \"broad\" }\n",
    )
    .unwrap();
    let o = tokenmaxx(
        &dir,
        &[
            "fork",
            "base",
            "--at",
            "10",
            "--scenario",
            "no-board.toml",
            "-q",
            "--out",
            "fork",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let (h, rows) = read_csv(&dir.join("fork/fork_vs_base.csv"));
    let week = column(&h, &rows, "week");
    let base = column(&h, &rows, "base_padding_share");
    let fork = column(&h, &rows, "fork_padding_share");
    for w in 0..10 {
        assert_eq!(base[w], fork[w], "week {w} differs before the fork");
    }
    let after = |v: &[f64]| mean(&v[12..24]);
    assert!(
        after(&fork) < 0.5 * after(&base),
        "fork {} vs base {}",
        after(&fork),
        after(&base)
    );
    assert_eq!(week.len(), 52);
    // The fork's chart is there and not blank.
    assert!(
        std::fs::metadata(dir.join("fork/fork_vs_base.png"))
            .unwrap()
            .len()
            > 20_000
    );
}

/// Byte flips anywhere in a log (footer, page headers, levels, values), replayed with
/// `RUST_BACKTRACE=1`: every outcome is a match, a clean "corrupt" error or a replay
/// difference, and nothing on stderr says "panicked" or shows a backtrace (the Parquet decoder
/// panics on some of them; its panic is caught and kept quiet).
#[test]
fn byte_flips_in_a_log_never_show_a_panic_to_the_user() {
    let dir = scratch("store_flips_quiet");
    run_with_events(&dir, "amazon-2026", "run", "1");
    let original = std::fs::read(dir.join("run/events.parquet")).unwrap();
    let mut x: u64 = 0x2545f4914f6cdd1d;
    for i in 0..240 {
        let x = xorshift(&mut x);
        let mut bytes = original.clone();
        // Half the flips in the last 4 KB (footer and the last pages), half anywhere.
        let span = if i % 2 == 0 {
            4096.min(bytes.len())
        } else {
            bytes.len()
        };
        let at = bytes.len() - 1 - (x % span as u64) as usize;
        bytes[at] ^= 1 << (x >> 61);
        std::fs::write(dir.join("run/events.parquet"), &bytes).unwrap();
        let what = format!("flip {i} at byte {at}");
        runs_without_a_shown_panic(&dir, &["replay", "run"], &[0, 2, 3], &what);
    }
}
