//! End-to-end runs of the binary on the real scenario files.

use crate::util::*;

#[test]
fn every_scenario_file_validates_and_runs() {
    let dir = scratch("every_scenario");
    let mut files: Vec<_> = std::fs::read_dir(scenarios_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 2);
    for f in &files {
        let f = f.to_str().unwrap();
        let o = tokenmaxx(&dir, &["validate", f]);
        assert!(o.status.success(), "validate {f}: {}", stderr(&o));
        let out = dir.join("out");
        let o = tokenmaxx(
            &dir,
            &[
                "run",
                f,
                "--employees",
                "600",
                "--quiet",
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert!(o.status.success(), "run {f}: {}", stderr(&o));
        let (header, rows) = read_csv(&out.join("weekly.csv"));
        let weeks = tokenmaxx::scenario::Scenario::load(&tokenmaxx::scenario::Source::Path(
            std::path::PathBuf::from(f),
        ))
        .unwrap()
        .weeks as usize;
        assert_eq!(rows.len(), weeks, "{f}");
        assert_eq!(
            header.join(","),
            tokenmaxx::report::tables::WEEKLY_COLUMNS.join(",")
        );
    }
}

#[test]
fn default_run_writes_all_reports_with_the_spec_columns_and_a_summary() {
    let dir = scratch("default_run");
    let o = tokenmaxx(&dir, &["run", "--employees", "1500"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.join("output").join("amazon-2026");
    let (wh, weekly) = read_csv(&out.join("weekly.csv"));
    assert_eq!(wh, tokenmaxx::report::tables::WEEKLY_COLUMNS);
    assert_eq!(weekly.len(), 52);
    let (ah, agents) = read_csv(&out.join("agents.csv"));
    assert_eq!(ah, tokenmaxx::report::tables::AGENT_COLUMNS);
    assert_eq!(agents.len(), 1500);
    let (dh, deciles) = read_csv(&out.join("deciles.csv"));
    assert_eq!(
        dh.join(","),
        "decile,agents,mean_tokens,mean_output,token_ratio,output_ratio"
    );
    assert_eq!(deciles.len(), 10);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    for key in [
        "top_decile_token_ratio",
        "top_decile_output_ratio",
        "padding_share",
        "reported_vs_genuine_gap",
        "annual_cost_per_employee_usd",
        "cost_share_of_salary",
        "roi",
        "incidents",
    ] {
        assert!(summary.get(key).is_some(), "summary.json lacks {key}");
    }
    // Two Gini coefficients, named for their populations: weekly.csv's over all employees each
    // week, summary.json's over users' run totals (by the mean absolute difference here).
    assert!(wh.iter().any(|c| c == "token_gini_all") && !wh.iter().any(|c| c == "token_gini"));
    assert!(summary.get("token_gini").is_none());
    let users: Vec<f64> = column(&ah, &agents, "tokens_total")
        .into_iter()
        .filter(|t| *t > 0.0)
        .collect();
    let n = users.len() as f64;
    let mean_abs_diff: f64 = users
        .iter()
        .map(|a| users.iter().map(|b| (a - b).abs()).sum::<f64>())
        .sum::<f64>()
        / (n * n);
    let gini = mean_abs_diff / (2.0 * users.iter().sum::<f64>() / n);
    let reported = summary["token_gini_users"]
        .as_f64()
        .expect("token_gini_users");
    assert!((reported - gini).abs() < 1e-9, "{reported} against {gini}");
    // The summary's top-decile ratio is deciles.csv's last row.
    let ratio = column(&dh, &deciles, "token_ratio")[9];
    assert!((summary["top_decile_token_ratio"].as_f64().unwrap() - ratio).abs() < 1e-9 * ratio);
    // The printed headline speaks in words.
    let text = stdout(&o);
    assert!(text.contains("Heaviest users: the top 10% burn"), "{text}");
    assert!(text.contains("Padding:"), "{text}");
    // Not a terminal: no progress bar escape codes.
    assert!(!stderr(&o).contains('\u{1b}'));
}

#[test]
fn same_seed_same_bytes_at_one_and_two_threads_and_a_new_seed_differs() {
    let dir = scratch("threads");
    let run = |threads: &str, seed: &str, out: &str| {
        let o = tokenmaxx(
            &dir,
            &[
                "run",
                "amazon-2026",
                "--employees",
                "9000",
                "--weeks",
                "30",
                "--threads",
                threads,
                "--seed",
                seed,
                "--quiet",
                "--out",
                out,
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
    };
    run("1", "7", "t1");
    run("2", "7", "t2");
    run("2", "8", "s8");
    for f in ["weekly.csv", "agents.csv", "deciles.csv", "summary.json"] {
        let a = std::fs::read(dir.join("t1").join(f)).unwrap();
        let b = std::fs::read(dir.join("t2").join(f)).unwrap();
        assert!(a == b, "{f} differs between 1 and 2 threads");
    }
    for f in ["weekly.csv", "agents.csv"] {
        let a = std::fs::read(dir.join("t1").join(f)).unwrap();
        let c = std::fs::read(dir.join("s8").join(f)).unwrap();
        assert!(a != c, "{f} identical for seeds 7 and 8");
    }
}

#[test]
fn scenarios_lists_builtins_with_descriptions() {
    let dir = scratch("list");
    let o = tokenmaxx(&dir, &["scenarios"]);
    assert!(o.status.success());
    let text = stdout(&o);
    for name in tokenmaxx::scenario::builtin::names() {
        let line = text
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} not listed"));
        assert!(
            line.len() > name.len() + 10,
            "{name} has no description: {line}"
        );
    }
}

#[test]
fn the_guide_example_scenario_is_valid() {
    let guide = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/guide/scenarios.md"
    ))
    .unwrap();
    let start = guide
        .find("```toml\n")
        .expect("the guide has a toml example")
        + 8;
    let end = start + guide[start..].find("```").unwrap();
    let dir = scratch("guide_example");
    std::fs::write(dir.join("example.toml"), &guide[start..end]).unwrap();
    let o = tokenmaxx(&dir, &["validate", "example.toml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("my-policy"));
}

#[test]
fn bench_measures_each_size_and_thread_count_in_its_own_process() {
    let dir = scratch("bench");
    let o = tokenmaxx(
        &dir,
        &["bench", "--sizes", "300,600", "--weeks", "3", "--json"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let rows: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let rows = rows.as_array().unwrap();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    assert_eq!(rows.len(), if threads > 1 { 4 } else { 2 });
    for r in rows {
        assert!(r["agent_weeks_per_second"].as_f64().unwrap() > 0.0);
        assert!(r["peak_bytes"].as_u64().unwrap() > 1_000_000, "{r}");
        assert_eq!(r["weeks"].as_i64(), Some(3));
    }
    assert_eq!(rows[0]["employees"].as_i64(), Some(300));
    assert!(rows[0]["speedup"].is_null());
}

#[test]
fn bench_events_measures_the_log_and_its_replay_and_leaves_no_scratch_file() {
    // given a scratch temporary folder for the children's logs
    let dir = scratch("bench_events");
    let tmp = dir.join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_tokenmaxx"))
        .current_dir(&dir)
        .env("TMPDIR", &tmp)
        .args([
            "bench", "--sizes", "400", "--weeks", "4", "--events", "--json",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let rows: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let rows = rows.as_array().unwrap();
    // then only the all-threads row carries the log's figures
    let (with_log, without): (Vec<_>, Vec<_>) = rows.iter().partition(|r| !r["log"].is_null());
    assert_eq!(with_log.len(), 1, "{rows:?}");
    assert_eq!(without.len(), rows.len() - 1);
    let log = &with_log[0]["log"];
    // 400 agents hired, then at least a week's work of each over four weeks
    assert!(log["events"].as_u64().unwrap() > 400 * 4, "{log}");
    assert!(log["bytes"].as_u64().unwrap() > 10_000, "{log}");
    assert!(log["replay_events_per_second"].as_f64().unwrap() > 0.0);
    let ratio = log["over_run"].as_f64().unwrap();
    let expected = log["seconds"].as_f64().unwrap() / with_log[0]["seconds"].as_f64().unwrap();
    assert!((ratio - expected).abs() < 1e-9 * expected, "{log}");
    // and the scratch log is gone
    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_discount_rate_weighs_only_the_discounted_figures() {
    // given the same run at the default 10% and at 30% a year (30 weeks, so 52 is beyond it)
    let dir = scratch("discount_rate");
    std::fs::write(
        dir.join("r30.toml"),
        "extends = \"rollout\"\nname = \"rollout\"\n[money]\ndiscount_rate = 0.3\n",
    )
    .unwrap();
    let run = |arg: &str, out: &str| {
        let o = tokenmaxx(
            &dir,
            &[
                "run",
                arg,
                "--employees",
                "200",
                "--weeks",
                "30",
                "--quiet",
                "--no-charts",
                "--out",
                out,
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let text = std::fs::read_to_string(dir.join(out).join("summary.json")).unwrap();
        serde_json::from_str::<serde_json::Value>(&text).unwrap()
    };
    let (a, b) = (run("rollout", "a"), run("r30.toml", "b"));
    // then net value and its 26-week horizon are the same, 52 weeks is null in both
    for k in [
        "net_value_usd",
        "net_value_26w_usd",
        "net_value_52w_usd",
        "break_even_week",
    ] {
        assert_eq!(a[k], b[k], "{k}");
    }
    assert!(a["net_value_52w_usd"].is_null());
    // and the discounted figures move toward zero as the rate rises, keeping their sign
    let (na, nb) = (
        a["npv_usd"].as_f64().unwrap(),
        b["npv_usd"].as_f64().unwrap(),
    );
    let net = a["net_value_usd"].as_f64().unwrap();
    assert!(
        net != 0.0
            && net.abs() > na.abs()
            && na.abs() > nb.abs()
            && na * net > 0.0
            && nb * net > 0.0,
        "{net} {na} {nb}"
    );
    assert_eq!(b["discount_rate"], 0.3);
}

#[test]
fn run_and_compare_share_their_size_and_thread_flags_and_keep_their_own_seed() {
    // given the help of `run`, `compare` and `sweep`, then --employees, --weeks and --threads read
    // the same in each command that has them (one definition), and --seed says what it means in
    // each: the scenario's own seed overridden, or the one seed every scenario shares
    let dir = scratch("size_flags");
    let help = |cmd: &str| {
        let o = tokenmaxx(&dir, &[cmd, "--help"]);
        assert!(o.status.success(), "{cmd} --help");
        stdout(&o)
    };
    let (run, compare, sweep) = (help("run"), help("compare"), help("sweep"));
    let line = |h: &str, flag: &str| -> String {
        let l = h.lines().find(|l| l.trim_start().starts_with(flag));
        let l = l.unwrap_or_else(|| panic!("no {flag} in {h}"));
        l.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    for flag in ["--employees", "--weeks", "--threads"] {
        assert_eq!(line(&run, flag), line(&compare, flag), "{flag}");
    }
    assert_eq!(line(&run, "--threads"), line(&sweep, "--threads"));
    assert!(line(&run, "--weeks").contains("timeline changes past it are dropped"));
    assert!(line(&run, "--seed").contains("Override the scenario's seed"));
    assert!(line(&compare, "--seed").contains("Seed shared by every scenario [default: 42]"));
    // and both take the size flags
    let o = tokenmaxx(
        &dir,
        &[
            "run",
            "baseline",
            "--employees",
            "40",
            "--weeks",
            "3",
            "--quiet",
            "--no-charts",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let s = std::fs::read_to_string(dir.join("output/baseline/summary.json")).unwrap();
    assert!(
        s.contains("\"employees\": 40") && s.contains("\"weeks\": 3"),
        "{s}"
    );
}

#[cfg(unix)]
#[test]
fn output_into_a_closed_pipe_stops_quietly_without_a_panic() {
    use std::os::fd::FromRawFd;
    use std::os::unix::process::ExitStatusExt;
    // given a pipe whose reading end is already closed (`tokenmaxx scenarios | head -0`)
    let dir = scratch("closed_pipe");
    let mut fds = [0; 2];
    // SAFETY: `pipe` writes two new descriptors into `fds`.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: both descriptors were just made by `pipe` and are owned here alone.
    let (read, write) = unsafe {
        (
            std::fs::File::from_raw_fd(fds[0]),
            std::fs::File::from_raw_fd(fds[1]),
        )
    };
    drop(read);
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_tokenmaxx"))
        .arg("scenarios")
        .current_dir(&dir)
        .stdout(write)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
        .wait_with_output()
        .unwrap();
    // then the command ends as Unix tools do, by SIGPIPE, and shows no panic
    assert_eq!(o.status.signal(), Some(libc::SIGPIPE), "{}", stderr(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}
