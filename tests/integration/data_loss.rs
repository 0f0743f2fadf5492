//! Issue 28, section 1: data loss. Every file a command reads (directly or through `base`,
//! `extends`, `--priors` or a profile) is refused inside --out before anything is written; every
//! writer of a whole folder honours a running batch's lock; a fresh batch keeps the previous
//! outputs until its own are complete; `merge` refuses a shard as --out; `--out X/..` creates
//! nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::util::*;

const TINY: &str = "extends = \"baseline\"\nemployees = 200\nweeks = 4\n";
const SWEEP: &str = "[parameters]\n\"behaviour.uplift\" = [0.3, 0.6]\n";

/// Every file under `dir` (hidden ones included) with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.is_dir() {
            files.extend(snapshot(&path));
        } else {
            files.insert(path.clone(), std::fs::read(&path).unwrap());
        }
    }
    files
}

/// A folder marked as tokenmaxx's (so only the new rules can refuse it) holding `files`.
fn marked(dir: &Path, files: &[(&str, &str)]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(tokenmaxx::report::output_dir::MARKER), "").unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    dir.to_path_buf()
}

/// A small imported profile in `dir/org` (for `fit`).
fn org(dir: &Path) {
    let o = tokenmaxx(
        dir,
        &["synth-export", "tiny.toml", "--out", "ex", "--weeks", "4"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = tokenmaxx(dir, &["import", "ex/usage.csv", "--out", "org", "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn files_read_through_extends_base_priors_or_a_spec_inside_out_are_refused_and_kept() {
    let dir = scratch_with("data_loss_inputs", &[("tiny.toml", TINY)]);
    let mut folders = Vec::new();
    // `run` and `fit --base` of a scenario whose `extends` layer lies in --out.
    folders.push(marked(&dir.join("o"), &[("layer.toml", TINY)]));
    std::fs::write(dir.join("top.toml"), "extends = \"o/layer.toml\"\n").unwrap();
    let run = ["run", "top.toml", "-q", "--no-charts", "--out", "o"];
    refused(&tokenmaxx(&dir, &run), "o/layer.toml");
    org(&dir);
    let fit = ["fit", "org", "--base", "top.toml", "--budget", "8", "-q"];
    refused(
        &tokenmaxx(&dir, &[&fit[..], &["--out", "o"]].concat()),
        "layer.toml",
    );
    // A compare.toml in the comparison's own (default) folder.
    let spec = "name = \"c\"\nscenarios = [\"../../tiny.toml\", \"baseline\"]\nreplications = 2\n";
    folders.push(marked(&dir.join("output/c"), &[("compare.toml", spec)]));
    let o = tokenmaxx(
        &dir,
        &["compare", "output/c/compare.toml", "-q", "--no-charts"],
    );
    refused(&o, "compare.toml");
    // Priors inside --out.
    let priors = std::fs::read_to_string(scenarios_dir().join("priors/unanchored.toml")).unwrap();
    folders.push(marked(&dir.join("p"), &[("p.toml", &priors)]));
    let compare = ["compare", "tiny.toml", "baseline", "--replications", "2"];
    let o = tokenmaxx(
        &dir,
        &[&compare[..], &["--priors", "p/p.toml", "-q", "--out", "p"]].concat(),
    );
    refused(&o, "p/p.toml");
    // A sweep's and a sensitivity analysis's base inside the batch folder.
    folders.push(marked(&dir.join("b"), &[("mine.toml", TINY)]));
    let base = "base = \"b/mine.toml\"\n";
    let morris = "method = \"morris\"\ntrajectories = 2\n[parameters]\n\"behaviour.uplift\" = { low = 0.3, high = 1.2 }\n";
    std::fs::write(dir.join("sweep.toml"), format!("{base}{SWEEP}")).unwrap();
    std::fs::write(dir.join("sens.toml"), format!("{base}{morris}")).unwrap();
    for (command, file) in [("sweep", "sweep.toml"), ("sensitivity", "sens.toml")] {
        let o = tokenmaxx(&dir, &[command, file, "-q", "--no-charts", "--out", "b"]);
        refused(&o, "b/mine.toml");
    }
    // A calibration whose base is the best.toml it writes (the user's edited copy).
    folders.push(marked(&dir.join("cal"), &[("best.toml", TINY)]));
    std::fs::write(
        dir.join("cal.toml"),
        "base = \"cal/best.toml\"\nbudget = 240\npopulation = 12\n[[targets]]\nfigure = \"padding_share\"\nvalue = 0.1\ntolerance = 0.01\n[parameters]\n\"behaviour.uplift\" = { low = 0.3, high = 1.2 }\n",
    )
    .unwrap();
    let o = tokenmaxx(
        &dir,
        &["calibrate", "cal.toml", "-q", "--no-charts", "--out", "cal"],
    );
    refused(&o, "cal/best.toml");
    // Nothing was written in any of them (no journal, no lock, no table).
    for f in &folders {
        let names: Vec<String> = std::fs::read_dir(f)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != tokenmaxx::report::output_dir::MARKER)
            .collect();
        assert_eq!(names.len(), 1, "{}: {names:?}", f.display());
    }
}

#[test]
fn every_writer_of_a_whole_folder_refuses_a_folder_a_batch_holds_locked() {
    let dir = scratch_with("data_loss_lock", &[("tiny.toml", TINY)]);
    org(&dir);
    let o = tokenmaxx(
        &dir,
        &[
            "run",
            "tiny.toml",
            "-q",
            "--no-charts",
            "--events",
            "--out",
            "r",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = tokenmaxx(
        &dir,
        &["run", "tiny.toml", "-q", "--no-charts", "--out", "o"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // As a sweep running in `o` holds it.
    let held = tokenmaxx::report::FolderLock::acquire(&dir.join("o")).unwrap();
    let before = snapshot(&dir.join("o"));
    let pid = format!("pid {}", std::process::id());
    let commands: [&[&str]; 7] = [
        &["run", "tiny.toml", "-q", "--no-charts"],
        &[
            "compare",
            "tiny.toml",
            "baseline",
            "--replications",
            "2",
            "-q",
        ],
        &["import", "ex/usage.csv", "-q", "--no-charts"],
        &["fit", "org", "--budget", "8", "-q", "--no-charts"],
        &["fork", "r", "--at", "2", "--scenario", "baseline", "-q"],
        &["replay", "r"],
        &["synth-export", "tiny.toml"],
    ];
    for args in commands {
        let o = tokenmaxx(&dir, &[args, &["--out", "o"][..]].concat());
        refused(&o, &pid);
        assert_eq!(snapshot(&dir.join("o")), before, "{args:?}");
    }
    drop(held);
    let o = tokenmaxx(
        &dir,
        &["run", "tiny.toml", "-q", "--no-charts", "--out", "o"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

/// `args` run with `memory` bytes said to be available.
fn with_memory(dir: &Path, memory: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_tokenmaxx"))
        .args(args)
        .env("TOKENMAXX_AVAILABLE_MEMORY_BYTES", memory)
        .current_dir(dir)
        .output()
        .unwrap()
}

#[test]
fn a_fresh_sweep_or_sensitivity_analysis_keeps_the_previous_outputs_until_its_own_are_complete() {
    let dir = scratch_with("data_loss_fresh", &[("tiny.toml", TINY)]);
    std::fs::write(
        dir.join("sweep.toml"),
        format!("base = \"tiny.toml\"\n{SWEEP}"),
    )
    .unwrap();
    std::fs::write(
        dir.join("sens.toml"),
        "base = \"tiny.toml\"\nmethod = \"morris\"\ntrajectories = 2\n[parameters]\n\"behaviour.uplift\" = { low = 0.3, high = 1.2 }\n",
    )
    .unwrap();
    let plenty = (1u64 << 40).to_string();
    let cases = [
        ("sweep", "sweep.toml", "points.png"),
        ("sensitivity", "sens.toml", "indices_roi.png"),
    ];
    for (command, spec, chart) in cases {
        let args = [command, spec, "-q", "--out", command];
        let o = with_memory(&dir, &plenty, &args);
        assert!(o.status.success(), "{}", stderr(&o));
        let out = dir.join(command);
        let results = ["runs.csv", "points.csv", "report.html", chart];
        let read = || -> Vec<Vec<u8>> {
            results
                .iter()
                .map(|f| std::fs::read(out.join(f)).unwrap())
                .collect()
        };
        let before = read();
        // A fresh batch that fails after preparing the folder, before its first result set.
        refused(&with_memory(&dir, "1", &args), "memory");
        assert!(before == read(), "{command}: the previous outputs changed");
        // Once a fresh batch completes, what it does not write (charts, with --no-charts) goes.
        let o = with_memory(&dir, &plenty, &[&args[..], &["--no-charts"]].concat());
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(out.join("runs.csv").is_file() && !out.join(chart).exists());
        let hidden: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".previous") || n.starts_with(".staging"))
            .collect();
        assert!(hidden.is_empty(), "{command}: {hidden:?}");
    }
}

#[test]
fn merge_refuses_a_shard_as_its_output_and_out_dotdot_creates_nothing() {
    let dir = scratch_with("data_loss_merge", &[("tiny.toml", TINY)]);
    std::fs::write(
        dir.join("sweep.toml"),
        format!("base = \"tiny.toml\"\n{SWEEP}"),
    )
    .unwrap();
    for k in 0..2 {
        let (shard, out) = (format!("{k}/2"), format!("a{k}"));
        let o = tokenmaxx(
            &dir,
            &[
                "sweep",
                "sweep.toml",
                "--shard",
                &shard,
                "-q",
                "--out",
                &out,
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let before = snapshot(&dir.join("a0"));
    for out in ["a0", "a1/sub"] {
        let o = tokenmaxx(&dir, &["merge", "a0", "a1", "--no-charts", "--out", out]);
        refused(&o, "a folder being merged");
    }
    assert_eq!(snapshot(&dir.join("a0")), before);
    assert!(!dir.join("a1/sub").exists());
    let o = tokenmaxx(&dir, &["merge", "a0", "a1", "--no-charts", "--out", "m"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // A shard's parent folder is only marked: a merge holding its lock does not stop a shard.
    let parent = dir.join("output/sweep");
    tokenmaxx::report::prepare_in_place(&parent, &[]).unwrap();
    let held = tokenmaxx::report::FolderLock::acquire(&parent).unwrap();
    let o = tokenmaxx(&dir, &["sweep", "sweep.toml", "--shard", "0/2", "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    drop(held);
    // `--out X/..` is refused without making X, by a run and by a shard (whose parent is made).
    let o = tokenmaxx(
        &dir,
        &["run", "tiny.toml", "-q", "--no-charts", "--out", "x/.."],
    );
    refused(&o, "folder name");
    let shard = [
        "sweep",
        "sweep.toml",
        "--shard",
        "0/2",
        "-q",
        "--out",
        "y/z/..",
    ];
    refused(&tokenmaxx(&dir, &shard), "folder name");
    assert!(!dir.join("x").exists() && !dir.join("y").exists());
}
