//! Sweeps: determinism, shards and merge, resume after a crash, failed runs, bad paths.

use crate::util::*;

const TINY: &str = "extends = \"target-only\"\nemployees = 300\nweeks = 16\n[[timeline]]\nweek = 4\nleaderboard = { scope = \"org\", visibility = \"public\" }\n";

fn setup(name: &str, sweep: &str) -> std::path::PathBuf {
    scratch_with(name, &[("tiny.toml", TINY), ("sweep.toml", sweep)])
}

const GRID: &str = "name = \"g\"\nbase = \"tiny.toml\"\nreplications = 2\nseed = 5\n[parameters]\n\"behaviour.status_weight\" = [0.0, 2.0, 4.0]\n\"behaviour.norm_weight\" = { low = 0.0, high = 0.8, steps = 2 }\n";

#[test]
fn a_sweep_is_the_same_at_any_thread_count_and_sharded_then_merged() {
    let dir = setup("sweep_shards", GRID);
    for (t, out) in [("1", "t1"), ("2", "t2")] {
        let o = tokenmaxx(
            &dir,
            &["sweep", "sweep.toml", "--threads", t, "-q", "--out", out],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    for f in ["runs.csv", "points.csv"] {
        assert!(
            std::fs::read(dir.join("t1").join(f)).unwrap()
                == std::fs::read(dir.join("t2").join(f)).unwrap(),
            "{f}"
        );
    }
    let (h, rows) = read_csv(&dir.join("t1/runs.csv"));
    assert_eq!(rows.len(), 12);
    assert_eq!(
        column(&h, &rows, "id"),
        (0..12).map(|i| i as f64).collect::<Vec<_>>()
    );
    // Replications share their seed across points (common random numbers); replications differ.
    let seeds = column(&h, &rows, "seed");
    assert_eq!(seeds[0], seeds[2]);
    assert_ne!(seeds[0], seeds[1]);
    // Padding rises with the leaderboard's status weight.
    let (ph, points) = read_csv(&dir.join("t1/points.csv"));
    let pad = column(&ph, &points, "padding_share_mean");
    let weight = column(&ph, &points, "behaviour.status_weight");
    let mean_at = |w: f64| {
        pad.iter()
            .zip(&weight)
            .filter(|(_, x)| **x == w)
            .map(|(p, _)| *p)
            .sum::<f64>()
    };
    assert!(mean_at(4.0) > mean_at(0.0), "{pad:?}");
    for f in ["points.png", "heatmap.png"] {
        assert!(
            std::fs::metadata(dir.join("t1").join(f)).unwrap().len() > 20_000,
            "{f}"
        );
    }

    for k in 0..3 {
        let o = tokenmaxx(
            &dir,
            &[
                "sweep",
                "sweep.toml",
                "--shard",
                &format!("{k}/3"),
                "-q",
                "--out",
                &format!("s{k}"),
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let (_, part) = read_csv(&dir.join(format!("s{k}/runs.csv")));
        assert_eq!(part.len(), 4);
    }
    // A missing shard is named.
    let o = tokenmaxx(&dir, &["merge", "s0", "s1", "--out", "m"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("4 of 12 runs are missing: ids 2, 5, 8, 11"),
        "{}",
        stderr(&o)
    );
    // A shard given twice is a duplicate.
    let o = tokenmaxx(&dir, &["merge", "s0", "s0", "s1", "s2", "--out", "m"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("duplicate run ids: 0 (in s0 and s0)"),
        "{}",
        stderr(&o)
    );
    let o = tokenmaxx(
        &dir,
        &["merge", "s2", "s0", "s1", "--out", "m", "--no-charts"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for f in ["runs.csv", "points.csv"] {
        assert!(
            std::fs::read(dir.join("t1").join(f)).unwrap()
                == std::fs::read(dir.join("m").join(f)).unwrap(),
            "merged {f} differs"
        );
    }
}

#[test]
fn resume_skips_finished_runs_after_a_crash() {
    let dir = setup("sweep_resume", GRID);
    let o = tokenmaxx(
        &dir,
        &["sweep", "sweep.toml", "-q", "--no-charts", "--out", "full"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // Simulate a crash: keep the header and 5 finished runs, and a torn last line.
    let journal = std::fs::read_to_string(dir.join("full/journal.jsonl")).unwrap();
    let lines: Vec<&str> = journal.lines().collect();
    std::fs::create_dir_all(dir.join("crashed")).unwrap();
    // A crashed sweep's folder carries tokenmaxx's marker (written before any run).
    std::fs::write(dir.join("crashed/.tokenmaxx-output"), "").unwrap();
    std::fs::write(
        dir.join("crashed/journal.jsonl"),
        format!("{}\n{}", lines[..6].join("\n"), "{\"id\": 7, \"poi"),
    )
    .unwrap();
    let o = tokenmaxx(
        &dir,
        &[
            "sweep",
            "sweep.toml",
            "--resume",
            "--no-charts",
            "--out",
            "crashed",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("(5 skipped as already done)"),
        "{}",
        stdout(&o)
    );
    let sorted = |p: &str| {
        let (h, mut rows) = read_csv(&dir.join(p));
        rows.sort_by_key(|r| r[0].parse::<u64>().unwrap());
        (h, rows)
    };
    assert_eq!(sorted("full/runs.csv"), sorted("crashed/runs.csv"));
    // Resuming with another sweep file is refused.
    std::fs::write(dir.join("sweep.toml"), GRID.replace("seed = 5", "seed = 6")).unwrap();
    let o = tokenmaxx(
        &dir,
        &["sweep", "sweep.toml", "--resume", "-q", "--out", "crashed"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("another sweep"), "{}", stderr(&o));
}

#[test]
fn failed_runs_are_recorded_reported_and_do_not_stop_the_others() {
    let sweep = "base = \"tiny.toml\"\n[parameters]\n\"behaviour.norm_weight\" = [0.5, 1.5]\n";
    let dir = setup("sweep_failures", sweep);
    let o = tokenmaxx(
        &dir,
        &["sweep", "sweep.toml", "-q", "--no-charts", "--out", "out"],
    );
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("1 run(s) failed") && stderr(&o).contains("behaviour.norm_weight"),
        "{}",
        stderr(&o)
    );
    let (h, rows) = read_csv(&dir.join("out/runs.csv"));
    assert_eq!(rows.len(), 2);
    let err = h.iter().position(|c| c == "error").unwrap();
    assert!(rows[0][err].is_empty());
    assert!(rows[1][err].contains("out of range"), "{:?}", rows[1]);
    assert!(
        rows[1].join(",").contains("a weight in [0, 0.8]"),
        "{:?}",
        rows[1]
    );
}

#[test]
fn bad_sweep_files_name_the_problem() {
    for (text, expect) in [
        (
            "base = \"tiny.toml\"\n[parameters]\n\"behaviour.tokn_scale\" = [1e6]\n",
            "did you mean `behaviour.token_scale`?",
        ),
        (
            "base = \"tiny.toml\"\nmethod = \"sobol\"\n[parameters]\n\"seed\" = [1]\n",
            "`method` = \"sobol\"",
        ),
        (
            "base = \"tiny.toml\"\nmethod = \"lhs\"\n[parameters]\n\"seed\" = [1]\n",
            "need `samples`",
        ),
        (
            "base = \"tiny.toml\"\n[parameters]\n\"behaviour.uplift\" = { low = 0.1, high = 1.0 }\n",
            "needs `steps`",
        ),
        (
            "base = \"tiny.toml\"\n[report]\nfigures = [\"paddin_share\"]\n",
            "did you mean `padding_share`?",
        ),
    ] {
        let dir = setup("sweep_bad", text);
        let o = tokenmaxx(&dir, &["sweep", "sweep.toml", "-q"]);
        assert_eq!(o.status.code(), Some(2), "{text}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(expect),
            "{text}: expected `{expect}` in {}",
            stderr(&o)
        );
    }
}

#[test]
fn the_example_sweeps_validate() {
    for f in [
        "target-vs-leaderboard.toml",
        "aversion-vs-leverage.toml",
        "leaderboard-weight.toml",
    ] {
        let path = scenarios_dir().join("sweeps").join(f);
        let s = tokenmaxx::sweep::Sweep::load(&path).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(s.runs() >= 6, "{f}");
        let points = s.points();
        s.scenario(&points[0], 0)
            .unwrap_or_else(|e| panic!("{f}: {e}"));
    }
}
