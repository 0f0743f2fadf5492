//! `tokenmaxx compare`: paired comparisons through the real binary.

use crate::util::*;

fn compare(dir: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "compare",
        "baseline",
        "target-only",
        "meta-leaderboard",
        "--replications",
        "4",
        "--employees",
        "400",
        "--weeks",
        "16",
        "-q",
    ];
    args.extend_from_slice(extra);
    tokenmaxx(dir, &args)
}

#[test]
fn results_do_not_depend_on_threads_and_are_paired() {
    let dir = scratch("compare_threads");
    let one = compare(&dir, &["--threads", "1", "--out", "one"]);
    assert!(one.status.success(), "{}", stderr(&one));
    let two = compare(&dir, &["--threads", "2", "--out", "two"]);
    assert!(two.status.success(), "{}", stderr(&two));
    for f in ["comparison.csv", "rankings.csv", "runs.csv", "weekly_bands.csv", "verdict.txt"] {
        let a = std::fs::read(dir.join("one").join(f)).unwrap();
        let b = std::fs::read(dir.join("two").join(f)).unwrap();
        assert!(a == b, "{f} differs between 1 and 2 threads");
    }
    let png = std::fs::read(dir.join("one/comparison.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    // the baseline's own rows carry no difference; the others carry a paired one
    let (h, rows) = read_csv(&dir.join("one/comparison.csv"));
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    for r in &rows {
        let base = r[col("scenario")] == "baseline";
        assert_eq!(r[col("diff_vs_baseline")].is_empty(), base, "{r:?}");
    }
}

#[test]
fn a_spec_file_and_priors_work_and_bad_input_is_refused() {
    let dir = scratch("compare_spec");
    std::fs::write(
        dir.join("compare.toml"),
        "name = \"mine\"\nscenarios = [\"baseline\", \"outcome-metrics\"]\nreplications = 3\nemployees = 300\nweeks = 10\npriors = \"default\"\n",
    )
    .unwrap();
    let o = tokenmaxx(&dir, &["compare", "compare.toml", "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.join("output/mine/comparison.csv").is_file());

    let o = tokenmaxx(&dir, &["compare", "baseline"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("at least two"), "{}", stderr(&o));
    let o = tokenmaxx(&dir, &["compare", "baseline", "rollout", "--baseline", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--baseline nope"), "{}", stderr(&o));
    let o = tokenmaxx(&dir, &["compare", "baseline", "rollout", "--replications", "1"]);
    assert_eq!(o.status.code(), Some(2));
    std::fs::write(dir.join("bad.toml"), "[parameters]\n\"behaviour.nope\" = { low = 0, high = 1 }\n").unwrap();
    let o = tokenmaxx(&dir, &["compare", "baseline", "rollout", "--priors", "bad.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("behaviour.nope"), "{}", stderr(&o));
}
