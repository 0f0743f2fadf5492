//! Deciding under uncertainty through `tokenmaxx compare`: the calibrated priors by default,
//! every draw recorded, and the drivers of a difference found from the runs.

use crate::util::*;

#[test]
fn compare_without_flags_draws_from_the_calibrated_priors_and_records_every_draw() {
    let dir = scratch("decide_default");
    let args = [
        "compare",
        "baseline",
        "outcome-metrics",
        "--replications",
        "3",
        "--employees",
        "300",
        "--weeks",
        "10",
        "-q",
    ];
    let mut with = args.to_vec();
    with.extend(["--out", "default"]);
    let o = tokenmaxx(&dir, &with);
    assert!(o.status.success(), "{}", stderr(&o));
    // runs.csv has one column per calibrated parameter, the same draw for both scenarios of a
    // replication, and draws that differ between replications
    let shipped = std::fs::read_to_string(scenarios_dir().join("priors/calibrated.toml")).unwrap();
    let table: toml::Table = toml::from_str(&shipped).unwrap();
    let params: Vec<&String> = table["parameters"].as_table().unwrap().keys().collect();
    let (h, rows) = read_csv(&dir.join("default/runs.csv"));
    for p in &params {
        assert!(h.contains(p), "runs.csv lacks the drawn {p}: {h:?}");
    }
    let drawn = |r: &Vec<String>| -> Vec<String> {
        params
            .iter()
            .map(|p| r[h.iter().position(|c| c == *p).unwrap()].clone())
            .collect()
    };
    let rep = |r: &Vec<String>| r[1].clone();
    for a in &rows {
        for b in rows.iter().filter(|b| rep(b) == rep(a)) {
            assert_eq!(drawn(a), drawn(b), "a replication's draw is shared");
        }
    }
    assert_ne!(drawn(&rows[0]), drawn(&rows[1]), "replications draw anew");
    let verdict = std::fs::read_to_string(dir.join("default/verdict.txt")).unwrap();
    assert!(verdict.contains("seeds and prior draws"), "{verdict}");
    // --priors none: fixed parameters, no drawn columns, and the verdict says so
    let mut none = args.to_vec();
    none.extend(["--priors", "none", "--out", "none"]);
    let o = tokenmaxx(&dir, &none);
    assert!(o.status.success(), "{}", stderr(&o));
    let (h, _) = read_csv(&dir.join("none/runs.csv"));
    assert!(!h.iter().any(|c| c.contains('.')), "{h:?}");
    let verdict = std::fs::read_to_string(dir.join("none/verdict.txt")).unwrap();
    assert!(verdict.contains("seeds only"), "{verdict}");
    assert!(!dir.join("none/value_of_information.csv").exists());
}

#[test]
fn the_parameter_a_policy_acts_through_is_found_as_the_driver_of_its_difference() {
    // given costs-visible against amazon-2026, which differ only in the visible price, and
    // priors over the weight of that price and over two parameters both scenarios share
    let dir = scratch("decide_planted");
    std::fs::write(
        dir.join("p.toml"),
        "[parameters]\n\"behaviour.price_weight\" = { low = 0.0, high = 20.0 }\n\
         \"adoption.forget_rate\" = { low = 0.005, high = 0.02 }\n\
         \"work.rework_rate\" = { low = 0.0, high = 0.1 }\n",
    )
    .unwrap();
    let o = tokenmaxx(
        &dir,
        &[
            "compare",
            "amazon-2026",
            "costs-visible",
            "--replications",
            "40",
            "--employees",
            "400",
            "--weeks",
            "20",
            "--priors",
            "p.toml",
            "-q",
            "--out",
            "c",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // then the price weight drives the difference in net value, far ahead of the others, and
    // flips it inside its range: visible costs pay only where people weigh prices little
    let (h, rows) = read_csv(&dir.join("c/drivers.csv"));
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let of: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r[col("figure")] == "net_value_per_employee_year_usd")
        .collect();
    assert_eq!(of.len(), 3, "{rows:?}");
    assert_eq!(of[0][col("parameter")], "behaviour.price_weight", "{of:?}");
    let first = |r: &Vec<String>| r[col("first_order")].parse::<f64>().unwrap();
    assert!(first(of[0]) > 0.4, "{of:?}");
    assert!(first(of[1]) < 0.15 && first(of[2]) < 0.15, "{of:?}");
    let flip: f64 = of[0][col("flip_at")].parse().expect("a flip point");
    assert!((0.0..20.0).contains(&flip), "{of:?}");
    assert_eq!(of[0][col("better_than_baseline_when")], "below", "{of:?}");
    // and the value of information, the chart and the verdict's words exist
    let (_, voi) = read_csv(&dir.join("c/value_of_information.csv"));
    assert_eq!(voi.len(), 4, "three parameters and the EVPI");
    assert!(dir.join("c/value_of_information.png").is_file());
    let verdict = std::fs::read_to_string(dir.join("c/verdict.txt")).unwrap();
    assert!(verdict.contains("What to measure first"), "{verdict}");
}

#[test]
fn run_with_replications_prints_intervals_and_writes_the_files_of_its_replication() {
    let dir = scratch("decide_run_reps");
    let base = [
        "run",
        "baseline",
        "--employees",
        "300",
        "--weeks",
        "8",
        "--seed",
        "3",
    ];
    let mut one = base.to_vec();
    one.extend(["--out", "one"]);
    let o = tokenmaxx(&dir, &one);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stdout(&o).contains("replications"), "{}", stdout(&o));
    let mut three = base.to_vec();
    three.extend(["--replications", "3", "--out", "three"]);
    let o = tokenmaxx(&dir, &three);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("Over 3 replications"), "{text}");
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("Net value a year per employee:"))
        .expect("the net value with its interval");
    assert!(line.contains('[') && line.contains(", "), "{line}");
    for f in ["weekly.csv", "summary.json", "agents.csv"] {
        let a = std::fs::read(dir.join("one").join(f)).unwrap();
        let b = std::fs::read(dir.join("three").join(f)).unwrap();
        assert!(a == b, "{f} is replication 0's either way");
    }
    let mut zero = base.to_vec();
    zero.extend(["--replications", "0", "--out", "zero"]);
    let o = tokenmaxx(&dir, &zero);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--replications must be in [1,"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_sweep_with_priors_draws_per_replication_and_records_every_draw() {
    // given a sweep of one parameter over two points, three replications, drawing from the
    // calibrated priors
    let dir = scratch("decide_sweep_priors");
    let spec = "name = \"sp\"\nbase = \"baseline\"\nreplications = 3\nseed = 4\n\
                [parameters]\n\"policy.costs_visible\" = [false, true]\n\
                [priors]\nfrom = \"calibrated\"\n";
    std::fs::write(dir.join("s.toml"), spec).unwrap();
    let args = ["sweep", "s.toml", "-q", "--no-charts", "--out", "o"];
    // (the base's size is small enough through an extends layer-free built-in at 300 people)
    let spec_small = spec.replace("base = \"baseline\"", "base = \"small.toml\"");
    std::fs::write(
        dir.join("small.toml"),
        "extends = \"baseline\"\nemployees = 300\nweeks = 8\n",
    )
    .unwrap();
    std::fs::write(dir.join("s.toml"), spec_small).unwrap();
    let o = tokenmaxx(&dir, &args);
    assert!(o.status.success(), "{}", stderr(&o));
    // then runs.csv has every drawn parameter, shared by the points of a replication and drawn
    // anew for each replication
    let (h, rows) = read_csv(&dir.join("o/runs.csv"));
    assert!(h.iter().any(|c| c == "behaviour.uplift"), "{h:?}");
    let uplift = column(&h, &rows, "behaviour.uplift");
    let rep = column(&h, &rows, "replication");
    for a in 0..rows.len() {
        for b in 0..rows.len() {
            if rep[a] == rep[b] {
                assert_eq!(uplift[a], uplift[b], "a replication's draw is shared");
            }
        }
    }
    let distinct: std::collections::BTreeSet<String> =
        uplift.iter().map(|v| v.to_string()).collect();
    assert!(distinct.len() > 1, "replications draw anew: {uplift:?}");
    // and a parameter both swept and drawn, or an unknown source, is refused naming [priors]
    for (bad, says) in [
        ("[priors]\nfrom = \"everything\"\n", "not one of"),
        (
            "[priors]\n\"policy.costs_visible\" = { low = 0, high = 1 }\n",
            "costs_visible",
        ),
    ] {
        let text = spec.replace("[priors]\nfrom = \"calibrated\"\n", bad);
        std::fs::write(dir.join("bad.toml"), text).unwrap();
        let o = tokenmaxx(&dir, &["sweep", "bad.toml", "-q", "--out", "b"]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("[priors]") || stderr(&o).contains(says),
            "{}",
            stderr(&o)
        );
        assert!(stderr(&o).contains(says), "{}", stderr(&o));
    }
}
