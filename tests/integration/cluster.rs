//! More than one machine: `--shard auto` from a scheduler's environment (the Kubernetes example
//! simulated index by index, the Slurm script run with its array variables), `merge --partial`,
//! repeated merges and retried tasks. The real Slurm run is `.ci/slurm-test`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::util::*;

const TINY: &str = "extends = \"target-only\"\nemployees = 300\nweeks = 16\n[[timeline]]\nweek = 4\nleaderboard = { scope = \"org\", visibility = \"public\" }\n";
const GRID: &str = "name = \"g\"\nbase = \"tiny.toml\"\nreplications = 2\nseed = 5\n[parameters]\n\"behaviour.status_weight\" = [0.0, 2.0, 4.0]\n\"behaviour.norm_weight\" = { low = 0.0, high = 0.8, steps = 2 }\n";

/// The scheduler variables `--shard auto` reads, removed from every child so the tests behave
/// the same inside a job array.
const SCHEDULER_VARS: &[&str] = &[
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_COUNT",
    "SLURM_ARRAY_TASK_MIN",
    "SLURM_ARRAY_TASK_MAX",
    "SLURM_ARRAY_TASK_STEP",
    "JOB_COMPLETION_INDEX",
    "TOKENMAXX_SHARDS",
    "TOKENMAXX_OUT",
];

fn setup(name: &str) -> PathBuf {
    scratch_with(name, &[("tiny.toml", TINY), ("sweep.toml", GRID)])
}

/// Run `program` with `args` in `dir`, with only the scheduler variables `env`.
fn run_with(dir: &Path, program: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(program);
    c.args(args).current_dir(dir);
    for v in SCHEDULER_VARS {
        c.env_remove(v);
    }
    c.envs(env.iter().copied())
        .output()
        .expect("the command runs")
}

fn tmx(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    run_with(dir, env!("CARGO_BIN_EXE_tokenmaxx"), args, env)
}

/// The regular files of a folder (not its dot files or subfolders), name to bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .map(|n| (n.clone(), std::fs::read(dir.join(&n)).unwrap()))
        .collect()
}

/// The unsharded sweep's runs.csv and points.csv.
fn reference(dir: &Path) -> (Vec<u8>, Vec<u8>) {
    let o = tmx(dir, &["sweep", "sweep.toml", "-q", "--out", "ref"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let read = |f: &str| std::fs::read(dir.join("ref").join(f)).unwrap();
    (read("runs.csv"), read("points.csv"))
}

fn assert_same_as_reference(dir: &Path, merged: &str) {
    let (runs, points) = reference(dir);
    assert!(std::fs::read(dir.join(merged).join("runs.csv")).unwrap() == runs);
    assert!(std::fs::read(dir.join(merged).join("points.csv")).unwrap() == points);
}

/// A line `key: value` of the YAML file's text.
fn yaml_value<'a>(yaml: &'a str, key: &str) -> &'a str {
    yaml.lines()
        .find_map(|l| l.trim().strip_prefix(&format!("{key}:")))
        .unwrap_or_else(|| panic!("no `{key}:` in the example"))
        .trim()
}

#[test]
fn the_kubernetes_example_runs_every_index_with_shard_auto_and_merges_to_the_unsharded_sweep() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/kubernetes");
    let job = std::fs::read_to_string(root.join("sweep-job.yaml")).unwrap();
    let n: u64 = yaml_value(&job, "completions").parse().unwrap();
    assert_eq!(yaml_value(&job, "completionMode"), "Indexed");
    let args: Vec<String> = serde_json::from_str(yaml_value(&job, "args")).unwrap();
    let at = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .map(|i| args[i + 1].as_str())
    };
    assert_eq!(at("--shard"), Some("auto"), "{args:?}");
    assert_eq!(
        at("--shards"),
        Some(n.to_string().as_str()),
        "--shards must equal completions"
    );
    assert!(args.contains(&"--resume".to_string()), "{args:?}");
    // The merge job merges the shards of that sweep, into its folder.
    let merge = std::fs::read_to_string(root.join("merge-job.yaml")).unwrap();
    let name = Path::new(&args[1]).file_stem().unwrap().to_string_lossy();
    assert!(merge.contains(&format!(
        "merge output/{name}/shard-*-of-{n} --out output/{name}"
    )));

    // Every pod, simulated: the example's arguments on a small sweep, with JOB_COMPLETION_INDEX.
    let dir = setup("cluster_k8s");
    let mut mine: Vec<&str> = args.iter().map(String::as_str).collect();
    mine[1] = "sweep.toml";
    for k in 0..n {
        let o = tmx(&dir, &mine, &[("JOB_COMPLETION_INDEX", &k.to_string())]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let note = format!("shard {k}/{n} (from JOB_COMPLETION_INDEX={k}, --shards {n})");
        assert!(stderr(&o).contains(&note), "{}", stderr(&o));
    }
    let shard = |k: u64| format!("output/g/shard-{k}-of-{n}");
    // A pod retried after a failure (its journal cut after two runs) gives the same shard.
    let before = std::fs::read(dir.join(shard(1)).join("runs.csv")).unwrap();
    let journal = dir.join(shard(1)).join("journal.jsonl");
    let text = std::fs::read_to_string(&journal).unwrap();
    let kept: Vec<&str> = text.lines().take(3).collect();
    std::fs::write(&journal, kept.join("\n") + "\n").unwrap();
    let o = tmx(&dir, &mine, &[("JOB_COMPLETION_INDEX", "1")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("(2 skipped as already done)"),
        "{}",
        stdout(&o)
    );
    assert!(std::fs::read(dir.join(shard(1)).join("runs.csv")).unwrap() == before);

    let dirs: Vec<String> = (0..n).map(shard).collect();
    let mut merge_args = vec!["merge", "--out", "output/g"];
    merge_args.extend(dirs.iter().map(String::as_str));
    let o = tmx(&dir, &merge_args, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_same_as_reference(&dir, "output/g");
}

#[test]
fn merge_partial_says_what_is_missing_writes_nothing_and_merges_the_same_however_often() {
    let dir = setup("cluster_partial");
    // Shards 0 and 2 of 3 with --out m/shard-K-of-3: m is made and marked as tokenmaxx's.
    for k in [0, 2] {
        let out = format!("m/shard-{k}-of-3");
        let o = tmx(
            &dir,
            &[
                "sweep",
                "sweep.toml",
                "-q",
                "--shard",
                &format!("{k}/3"),
                "--out",
                &out,
            ],
            &[],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    // Shard 1 has not started: its folder exists but holds no journal.
    std::fs::create_dir_all(dir.join("m/shard-1-of-3")).unwrap();
    let shards = ["m/shard-0-of-3", "m/shard-1-of-3", "m/shard-2-of-3"];
    let merge = |partial: bool| {
        let mut a = vec!["merge", "--out", "m"];
        a.extend(partial.then_some("--partial"));
        a.extend(shards);
        tmx(&dir, &a, &[])
    };
    let o = merge(true);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    for expect in [
        "g: 8 of 12 runs done, 4 missing (ids 1, 4, 7, 10); nothing written",
        "m/shard-1-of-3: not started yet (no journal)",
        "m/shard-2-of-3: shard 2/3, 4 of 4 runs",
        "no folder given for shard(s) 1 of 3",
    ] {
        assert!(
            stdout(&o).contains(expect),
            "`{expect}` not in {}",
            stdout(&o)
        );
    }
    assert!(
        files(&dir.join("m")).is_empty(),
        "merge --partial wrote something"
    );
    // Without --partial the missing runs are an error (the folder without a journal too).
    assert_eq!(merge(false).status.code(), Some(2));

    let o = tmx(
        &dir,
        &[
            "sweep",
            "sweep.toml",
            "-q",
            "--shard",
            "1/3",
            "--out",
            shards[1],
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = merge(true);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let first = files(&dir.join("m"));
    assert!(first.contains_key("report.html") && first.contains_key("runs.parquet"));
    // Merging again (as every finishing task does) writes the same files, byte for byte.
    assert_eq!(merge(true).status.code(), Some(0));
    assert!(
        files(&dir.join("m")) == first,
        "a second merge changed the outputs"
    );
    assert_same_as_reference(&dir, "m");
}

#[test]
fn shard_auto_without_a_job_array_or_with_a_bad_one_is_refused_before_anything_is_written() {
    let dir = setup("cluster_auto_errors");
    std::fs::write(
        dir.join("sens.toml"),
        "name = \"s\"\nbase = \"tiny.toml\"\nmethod = \"morris\"\ntrajectories = 2\n[parameters]\n\"behaviour.uplift\" = { low = 0.2, high = 0.8 }\n",
    )
    .unwrap();
    for (args, env, expect) in [
        (&["--shard", "auto"][..], &[][..], "none is set"),
        (
            &["--shard", "auto"],
            &[("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_MIN", "1")],
            "the Slurm array starts at 1",
        ),
        (
            &["--shard", "auto"],
            &[
                ("SLURM_ARRAY_TASK_ID", "1"),
                ("SLURM_ARRAY_TASK_COUNT", "2"),
                ("SLURM_ARRAY_TASK_MAX", "2"),
            ],
            "has gaps",
        ),
        (
            &["--shard", "auto"],
            &[("JOB_COMPLETION_INDEX", "0")],
            "--shards N",
        ),
        (
            &["--shard", "0/2", "--shards", "2"],
            &[],
            "--shards N goes with --shard auto",
        ),
    ] {
        for command in [
            &["sweep", "sweep.toml"][..],
            &["sensitivity", "sens.toml"],
            &["compare", "baseline", "target-only"],
        ] {
            let mut a = command.to_vec();
            a.extend(args);
            let o = tmx(&dir, &a, env);
            assert_eq!(o.status.code(), Some(2), "{a:?} {env:?}: {}", stderr(&o));
            assert!(
                stderr(&o).contains(expect),
                "{a:?}: `{expect}` not in {}",
                stderr(&o)
            );
        }
    }
    assert!(
        !dir.join("output").exists(),
        "a refused --shard auto wrote something"
    );
}

#[test]
fn the_slurm_script_run_with_its_array_variables_merges_after_the_last_task() {
    let dir = setup("cluster_sbatch");
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/slurm/sweep.sbatch");
    let script = script.to_str().unwrap();
    let bin = env!("CARGO_BIN_EXE_tokenmaxx");
    // Tasks 2, 0, 1 of --array=0-2 finishing in that order; each tries to merge.
    for (i, k) in ["2", "0", "1"].into_iter().enumerate() {
        let env = [
            ("SLURM_ARRAY_TASK_ID", k),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
            ("SLURM_ARRAY_TASK_MAX", "2"),
            ("SLURM_CPUS_PER_TASK", "1"),
            ("TOKENMAXX", bin),
        ];
        let o = run_with(&dir, "bash", &[script, "sweep.toml"], &env);
        assert_eq!(o.status.code(), Some(0), "task {k}: {}", stderr(&o));
        let last = i == 2;
        let said = if last {
            "merged into output/g/"
        } else {
            "not every shard is done yet"
        };
        assert!(stdout(&o).contains(said), "task {k}: {}", stdout(&o));
        assert_eq!(dir.join("output/g/runs.csv").exists(), last, "task {k}");
    }
    assert_same_as_reference(&dir, "output/g");
}

#[test]
fn the_slurm_script_shards_a_comparison_under_its_default_name() {
    let dir = setup("cluster_sbatch_compare");
    std::fs::write(
        dir.join("pair.toml"),
        "scenarios = [\"tiny.toml\", \"baseline\"]\nreplications = 2\nemployees = 300\nweeks = 16\n",
    )
    .unwrap();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/slurm/sweep.sbatch");
    for k in ["0", "1"] {
        let env = [
            ("SLURM_ARRAY_TASK_ID", k),
            ("SLURM_ARRAY_TASK_COUNT", "2"),
            ("TOKENMAXX", env!("CARGO_BIN_EXE_tokenmaxx")),
            ("TOKENMAXX_COMMAND", "compare"),
        ];
        let o = run_with(&dir, "bash", &[script.to_str().unwrap(), "pair.toml"], &env);
        assert_eq!(o.status.code(), Some(0), "task {k}: {}", stderr(&o));
    }
    let o = tmx(&dir, &["compare", "pair.toml", "--out", "whole"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (merged, whole) = (
        files(&dir.join("output/compare")),
        files(&dir.join("whole")),
    );
    for f in ["comparison.csv", "rankings.csv", "runs.csv", "verdict.txt"] {
        assert!(merged.contains_key(f), "no merged {f}");
        assert!(
            merged.get(f) == whole.get(f),
            "{f} differs from the unsharded comparison"
        );
    }
}

#[test]
fn a_shard_inside_a_folder_of_the_users_leaves_that_folder_unmarked() {
    let dir = setup("cluster_user_parent");
    std::fs::create_dir_all(dir.join("mine")).unwrap();
    std::fs::write(dir.join("mine/notes.txt"), "mine").unwrap();
    for k in ["0", "1"] {
        let (shard, out) = (format!("{k}/2"), format!("mine/shard-{k}-of-2"));
        let o = tmx(
            &dir,
            &[
                "sweep",
                "sweep.toml",
                "-q",
                "--shard",
                &shard,
                "--out",
                &out,
            ],
            &[],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    assert!(!dir.join("mine/.tokenmaxx-output").exists());
    // So a merge into it is refused, and the user's file stays.
    let o = tmx(
        &dir,
        &[
            "merge",
            "mine/shard-0-of-2",
            "mine/shard-1-of-2",
            "--out",
            "mine",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("not a tokenmaxx output folder"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(dir.join("mine/notes.txt")).unwrap(), b"mine");
}
