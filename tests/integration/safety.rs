//! Issue 14: never lose a user's file. Names that would escape output/, output folders that are
//! not tokenmaxx's (or are the command's input, or the current folder), locked batch folders,
//! FIFOs as input, absurd thread counts, extreme parameters and corrupt event logs.

use std::path::Path;

use crate::util::*;

const TINY: &str = "extends = \"baseline\"\nemployees = 200\nweeks = 4\n";

fn small_run(dir: &Path, out: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "run",
        "baseline",
        "--employees",
        "200",
        "--weeks",
        "4",
        "-q",
        "--no-charts",
        "--out",
        out,
    ];
    args.extend_from_slice(extra);
    tokenmaxx(dir, &args)
}

#[test]
fn batch_names_that_would_escape_output_are_refused_and_nothing_is_written_outside() {
    let dir = scratch("safety_names");
    let work = dir.join("work");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("tiny.toml"), TINY).unwrap();
    let params = "[parameters]\n\"behaviour.uplift\" = { low = 0.3, high = 1.2 }\n";
    for name in [
        "../escaped",
        "/tmp/tokenmaxx-escaped",
        "..",
        ".",
        "",
        "a\\u0007b",
    ] {
        let head = format!("name = \"{name}\"\nbase = \"tiny.toml\"\n");
        let specs = [
            (
                "sweep",
                format!("{head}[parameters]\n\"behaviour.uplift\" = [0.3, 0.6]\n"),
            ),
            (
                "sensitivity",
                format!("{head}method = \"morris\"\ntrajectories = 2\n{params}"),
            ),
            (
                "calibrate",
                format!(
                    "{head}budget = 240\npopulation = 12\n[[targets]]\nfigure = \"padding_share\"\nvalue = 0.1\ntolerance = 0.01\n{params}"
                ),
            ),
        ];
        for (command, text) in specs {
            std::fs::write(work.join("spec.toml"), text).unwrap();
            let o = tokenmaxx(&work, &[command, "spec.toml", "-q", "--no-charts"]);
            refused(&o, "spec.toml");
            assert!(
                stderr(&o).contains("`name`") && stderr(&o).contains("1 to 100 bytes"),
                "{command} {name:?}: {}",
                stderr(&o)
            );
        }
    }
    assert!(!dir.join("escaped").exists() && !Path::new("/tmp/tokenmaxx-escaped").exists());
    let names: Vec<String> = std::fs::read_dir(&work)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names.iter().any(|n| n == "journal.jsonl" || n == "output"),
        "{names:?}"
    );
}

#[test]
fn scenario_names_with_control_characters_or_too_long_fail_validate() {
    let dir = scratch("safety_scenario_names");
    for name in ["bad\\u001bname".to_string(), "x".repeat(250)] {
        std::fs::write(dir.join("s.toml"), format!("name = \"{name}\"\n")).unwrap();
        let o = tokenmaxx(&dir, &["validate", "s.toml"]);
        refused(&o, "`name`");
        assert!(stderr(&o).contains("1 to 100 bytes"), "{}", stderr(&o));
    }
}

#[test]
fn out_never_replaces_a_folder_or_file_of_the_user() {
    let dir = scratch("safety_out");
    // A folder of the user's.
    std::fs::create_dir_all(dir.join("d")).unwrap();
    std::fs::write(dir.join("d/notes.txt"), "mine").unwrap();
    refused(&small_run(&dir, "d", &[]), "not a tokenmaxx output folder");
    assert_eq!(std::fs::read(dir.join("d/notes.txt")).unwrap(), b"mine");
    // A regular file: refused up front, not moved aside.
    std::fs::write(dir.join("f"), "mine").unwrap();
    refused(&small_run(&dir, "f", &[]), "not a folder");
    assert_eq!(std::fs::read(dir.join("f")).unwrap(), b"mine");
    // The current folder, by any spelling, and its parent.
    let here = dir.to_string_lossy().into_owned();
    for out in [".", here.as_str(), ".."] {
        let o = small_run(&dir, out, &[]);
        assert_eq!(o.status.code(), Some(2), "{out}: {}", stderr(&o));
    }
    assert_eq!(std::fs::read(dir.join("d/notes.txt")).unwrap(), b"mine");
    // The folder holding the scenario file.
    std::fs::create_dir_all(dir.join("scenarios")).unwrap();
    std::fs::write(dir.join("scenarios/tiny.toml"), TINY).unwrap();
    let o = tokenmaxx(
        &dir,
        &[
            "run",
            "scenarios/tiny.toml",
            "-q",
            "--no-charts",
            "--out",
            "scenarios",
        ],
    );
    refused(&o, "refusing to replace it");
    assert!(dir.join("scenarios/tiny.toml").is_file());
    // A folder tokenmaxx wrote is replaced, and holds the marker; but not while it holds the
    // command's input.
    assert!(small_run(&dir, "mine", &[]).status.success());
    assert!(dir.join("mine/.tokenmaxx-output").is_file());
    std::fs::write(dir.join("mine/tiny.toml"), TINY).unwrap();
    let o = tokenmaxx(
        &dir,
        &[
            "run",
            "mine/tiny.toml",
            "-q",
            "--no-charts",
            "--out",
            "mine",
        ],
    );
    refused(&o, "the input of this command");
    assert!(dir.join("mine/tiny.toml").is_file());
    let o = small_run(&dir, "mine", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let hidden: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}

#[test]
fn replay_and_fork_never_write_over_their_input_run() {
    let dir = scratch("safety_replay_fork");
    assert!(small_run(&dir, "run", &["--events"]).status.success());
    let log = std::fs::read(dir.join("run/events.parquet")).unwrap();
    refused(
        &tokenmaxx(&dir, &["replay", "run", "--out", "run"]),
        "the input of this command",
    );
    refused(
        &tokenmaxx(&dir, &["replay", "run", "--out", "run/sub"]),
        "the input of this command",
    );
    let o = tokenmaxx(
        &dir,
        &[
            "fork",
            "run",
            "--at",
            "2",
            "--scenario",
            "amazon-2026",
            "-q",
            "--no-charts",
            "--out",
            "run",
        ],
    );
    refused(&o, "the input of this command");
    assert_eq!(std::fs::read(dir.join("run/events.parquet")).unwrap(), log);
    assert!(dir.join("run/weekly.csv").is_file());
    // Elsewhere both work.
    let o = tokenmaxx(&dir, &["replay", "run", "--out", "replayed"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn a_locked_sweep_folder_is_refused_naming_the_holder() {
    let dir = scratch_with("safety_lock", &[("tiny.toml", TINY)]);
    std::fs::write(
        dir.join("sweep.toml"),
        "name = \"s\"\nbase = \"tiny.toml\"\n[parameters]\n\"behaviour.uplift\" = [0.3, 0.6]\n",
    )
    .unwrap();
    let out = dir.join("out");
    tokenmaxx::report::prepare_in_place(&out, &[]).unwrap();
    let held = tokenmaxx::report::FolderLock::acquire(&out).unwrap();
    let o = tokenmaxx(
        &dir,
        &["sweep", "sweep.toml", "-q", "--no-charts", "--out", "out"],
    );
    refused(&o, &format!("pid {}", std::process::id()));
    assert!(!out.join("journal.jsonl").exists());
    drop(held);
    let o = tokenmaxx(
        &dir,
        &["sweep", "sweep.toml", "-q", "--no-charts", "--out", "out"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // A sweep folder of the user's is refused too.
    std::fs::create_dir_all(dir.join("user")).unwrap();
    std::fs::write(dir.join("user/runs.csv"), "mine").unwrap();
    let o = tokenmaxx(
        &dir,
        &["sweep", "sweep.toml", "-q", "--no-charts", "--out", "user"],
    );
    refused(&o, "not a tokenmaxx output folder");
    assert_eq!(std::fs::read(dir.join("user/runs.csv")).unwrap(), b"mine");
}

#[test]
fn a_fifo_as_scenario_or_extends_is_refused_not_waited_on() {
    let dir = scratch("safety_fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(dir.join("fifo.toml"))
        .status();
    if !made.is_ok_and(|s| s.success()) {
        return;
    }
    std::fs::write(dir.join("ext.toml"), "extends = \"fifo.toml\"\n").unwrap();
    for arg in ["./fifo.toml", "ext.toml"] {
        refused(&tokenmaxx(&dir, &["validate", arg]), "not a regular file");
    }
    std::fs::write(
        dir.join("sweep.toml"),
        "base = \"fifo.toml\"\n[parameters]\n\"behaviour.uplift\" = [0.3]\n",
    )
    .unwrap();
    refused(
        &tokenmaxx(&dir, &["sweep", "sweep.toml", "-q"]),
        "not a regular file",
    );
    refused(
        &tokenmaxx(&dir, &["sweep", "fifo.toml", "-q"]),
        "not a regular file",
    );
}

#[test]
fn absurd_thread_counts_are_capped_with_a_note() {
    let dir = scratch("safety_threads");
    let o = small_run(&dir, "out", &["--threads", "100000"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("note: --threads 100000"),
        "{}",
        stderr(&o)
    );
    // A bad count is refused before any folder is made.
    let o = small_run(&dir, "other/out", &["--threads", "0"]);
    refused(&o, "--threads");
    assert!(!dir.join("other").exists());
    std::fs::write(dir.join("tiny.toml"), TINY).unwrap();
    std::fs::write(
        dir.join("sweep.toml"),
        "base = \"tiny.toml\"\n[parameters]\n\"behaviour.uplift\" = [0.3]\n",
    )
    .unwrap();
    let o = tokenmaxx(
        &dir,
        &[
            "sweep",
            "sweep.toml",
            "--threads",
            "0",
            "-q",
            "--out",
            "other/s",
        ],
    );
    refused(&o, "--threads");
    assert!(!dir.join("other").exists());
}

#[test]
fn extreme_finite_parameters_are_refused_naming_the_key_and_range() {
    let dir = scratch("safety_extreme");
    let cases = [
        ("[behaviour]\nuplift = 1e308\n", "behaviour.uplift"),
        (
            "[behaviour]\ntoken_scale = 1e308\n",
            "behaviour.token_scale",
        ),
        (
            "[money]\nprice_usd_per_mtok = 1e308\n",
            "money.price_usd_per_mtok",
        ),
        ("[money]\nsalary_usd = 1e308\n", "money.salary_usd"),
        ("[bots]\nbot_tokens = 1e308\n", "bots.bot_tokens"),
        (
            "[policy]\ntarget = { share = 0.5, theta = 1e-300 }\n",
            "policy.target.theta",
        ),
        (
            "[population.developers]\nskill = { dist = \"lognormal\", mu = 700.0, sigma = 0.5 }\n",
            "population.developers.skill.mu",
        ),
        (
            "[population.developers]\nskill = { dist = \"uniform\", low = 1.0, high = 1e308 }\n",
            "population.developers.skill.high",
        ),
    ];
    for (text, key) in cases {
        std::fs::write(
            dir.join("x.toml"),
            format!("extends = \"baseline\"\n{text}"),
        )
        .unwrap();
        let o = tokenmaxx(&dir, &["validate", "x.toml"]);
        refused(&o, key);
        assert!(stderr(&o).contains("a number in ["), "{}", stderr(&o));
    }
}

/// Write `log` as a run folder's events.parquet, through the library's own writer.
fn write_log(
    path: &Path,
    s: &tokenmaxx::scenario::Scenario,
    log: &tokenmaxx::events::log::EventLog,
) {
    let mut w = tokenmaxx::events::store::EventWriter::create(path, s, 0).unwrap();
    for b in &log.weeks {
        w.append(b);
    }
    w.finish().unwrap();
}

#[test]
fn a_log_with_out_of_range_ids_or_values_is_reported_corrupt_not_a_panic() {
    use tokenmaxx::scenario::Source;
    let dir = scratch("safety_corrupt_log");
    let s = load(&Source::Builtin("amazon-2026".into()), 60, Some(4), None);
    let (_, log) = tokenmaxx::simulate_with_log(&s, 0);
    type Edit = fn(&mut tokenmaxx::events::log::EventLog);
    let edits: [(&str, Edit); 5] = [
        ("agent", |l| l.weeks[1].tokens.agent.set(3, 1_000_000)),
        ("tokens", |l| l.weeks[2].tokens.genuine[0] = f64::NAN),
        ("negative", |l| l.weeks[2].tokens.bot[0] = -6.9e302),
        ("team", |l| {
            std::sync::Arc::make_mut(&mut l.weeks[0].hires.team)[5] = 4000
        }),
        ("group", |l| {
            std::sync::Arc::make_mut(&mut l.weeks[0].hires.group)[5] = 9
        }),
    ];
    for (what, edit) in edits {
        let run = dir.join(what);
        std::fs::create_dir_all(&run).unwrap();
        let mut bad = log.clone();
        edit(&mut bad);
        write_log(&run.join("events.parquet"), &s, &bad);
        for args in [
            vec!["replay", what],
            vec![
                "fork",
                what,
                "--at",
                "3",
                "--scenario",
                "baseline",
                "-q",
                "--no-charts",
                "--out",
                "f",
            ],
        ] {
            let o = tokenmaxx(&dir, &args);
            assert_eq!(o.status.code(), Some(2), "{what} {args:?}: {}", stderr(&o));
            assert!(
                stderr(&o).contains("not a readable tokenmaxx event log"),
                "{what}: {}",
                stderr(&o)
            );
        }
    }
}

#[test]
fn random_byte_flips_in_a_log_never_panic_replay() {
    let dir = scratch("safety_flips");
    assert!(small_run(&dir, "run", &["--events"]).status.success());
    let original = std::fs::read(dir.join("run/events.parquet")).unwrap();
    let mut x: u64 = 0x9e3779b97f4a7c15;
    for i in 0..40 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let mut bytes = original.clone();
        let at = (x % bytes.len() as u64) as usize;
        bytes[at] ^= 1 << (x >> 60 & 7);
        std::fs::write(dir.join("run/events.parquet"), &bytes).unwrap();
        let o = tokenmaxx(&dir, &["replay", "run"]);
        let code = o.status.code();
        assert!(
            matches!(code, Some(0 | 2 | 3)),
            "flip {i} at byte {at}: {code:?} {}",
            stderr(&o)
        );
    }
}

#[test]
fn a_bad_override_flag_is_reported_against_the_flag() {
    let dir = scratch("safety_flags");
    for (flag, value) in [("--employees", "0"), ("--weeks", "0")] {
        let o = tokenmaxx(
            &dir,
            &["run", "baseline", flag, value, "-q", "--out", "out"],
        );
        refused(&o, &format!("command line: `{flag}` = 0"));
        assert!(!dir.join("out").exists());
    }
}

#[test]
fn resume_after_the_base_or_a_layer_it_extends_changed_is_refused() {
    let dir = scratch("safety_resume_base");
    std::fs::write(
        dir.join("mid.toml"),
        "extends = \"baseline\"\nemployees = 200\n",
    )
    .unwrap();
    std::fs::write(dir.join("tiny.toml"), "extends = \"mid.toml\"\nweeks = 4\n").unwrap();
    std::fs::write(
        dir.join("sweep.toml"),
        "base = \"tiny.toml\"\n[parameters]\n\"behaviour.uplift\" = [0.3, 0.6]\n",
    )
    .unwrap();
    let sweep = [
        "sweep",
        "sweep.toml",
        "-q",
        "--no-charts",
        "--resume",
        "--out",
        "s",
    ];
    assert_eq!(tokenmaxx(&dir, &sweep).status.code(), Some(0));
    assert_eq!(
        tokenmaxx(&dir, &sweep).status.code(),
        Some(0),
        "unchanged: resumes"
    );
    let journal = std::fs::read(dir.join("s/journal.jsonl")).unwrap();
    std::fs::write(
        dir.join("mid.toml"),
        "extends = \"baseline\"\nemployees = 210\n",
    )
    .unwrap();
    let o = tokenmaxx(&dir, &sweep);
    refused(&o, "changed since the runs");
    assert!(stderr(&o).contains("tiny.toml"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("`employees`"),
        "names what changed: {}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(dir.join("s/journal.jsonl")).unwrap(), journal);
}

#[test]
fn replay_of_a_folder_being_replaced_never_reports_a_false_mismatch() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let dir = scratch("safety_replay_race");
    let run = |seed: &str| small_run(&dir, "run", &["--events", "--seed", seed]);
    assert!(run("1").status.success());
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            for seed in ["2", "1"].iter().cycle() {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                assert!(run(seed).status.success());
            }
        });
        for _ in 0..20 {
            let o = tokenmaxx(&dir, &["replay", "run"]);
            let code = o.status.code();
            if code == Some(2) {
                assert!(stderr(&o).contains("was replaced"), "{}", stderr(&o));
            } else {
                assert_eq!(code, Some(0), "{}{}", stdout(&o), stderr(&o));
            }
        }
        stop.store(true, Ordering::Relaxed);
    });
}

#[test]
fn a_fresh_sweep_in_a_used_folder_leaves_none_of_the_old_sweeps_files() {
    let dir = scratch_with("safety_fresh_sweep", &[("tiny.toml", TINY)]);
    let two = "name = \"two\"\nbase = \"tiny.toml\"\n[parameters]\n\"behaviour.uplift\" = [0.3, 0.6]\n\"behaviour.norm_weight\" = [0.2, 0.4]\n";
    let one =
        "name = \"one\"\nbase = \"tiny.toml\"\n[parameters]\n\"behaviour.uplift\" = [0.3, 0.6]\n";
    std::fs::write(dir.join("two.toml"), two).unwrap();
    std::fs::write(dir.join("one.toml"), one).unwrap();
    let o = tokenmaxx(&dir, &["sweep", "two.toml", "-q", "--out", "s"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(dir.join("s/heatmap.png").is_file());
    std::fs::write(dir.join("s/indices.csv"), "from an older analysis").unwrap();
    let o = tokenmaxx(&dir, &["sweep", "one.toml", "-q", "--out", "s"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(dir.join("s/lines.png").is_file());
    for stale in ["heatmap.png", "indices.csv"] {
        assert!(!dir.join("s").join(stale).exists(), "{stale} survived");
    }
    let hidden: Vec<String> = std::fs::read_dir(dir.join("s"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}

#[test]
fn a_batch_killed_while_writing_its_outputs_leaves_no_mixed_set() {
    // given a finished sweep and the partial output set of a later process killed before it
    // completed, when the sweep resumes, then the partial set is discarded and the outputs are
    // one whole set
    let dir = scratch("safety_in_place_set");
    std::fs::write(
        dir.join("tiny.toml"),
        "extends = \"baseline\"\nemployees = 120\nweeks = 4\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("sweep.toml"),
        "base = \"tiny.toml\"\n[parameters]\n\"behaviour.uplift\" = [0.3, 0.6]\n",
    )
    .unwrap();
    let sweep = [
        "sweep",
        "sweep.toml",
        "-q",
        "--no-charts",
        "--resume",
        "--out",
        "s",
    ];
    assert_eq!(tokenmaxx(&dir, &sweep).status.code(), Some(0));
    let runs = std::fs::read(dir.join("s/runs.csv")).unwrap();
    let staging = dir.join("s/.staging");
    std::fs::create_dir(&staging).unwrap();
    std::fs::write(staging.join("runs.csv"), "half a table").unwrap();
    assert_eq!(tokenmaxx(&dir, &sweep).status.code(), Some(0));
    assert!(!staging.exists(), "the partial set is gone");
    assert_eq!(std::fs::read(dir.join("s/runs.csv")).unwrap(), runs);
}
