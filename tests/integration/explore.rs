//! Model exploration: the sensitivity methods on the Ishigami function (analytic indices), and
//! calibration recovering parameters the simulator itself generated targets with.

use std::f64::consts::PI;

use tokenmaxx::explore::{morris, sobol};

/// Ishigami & Homma (1990) with a = 7, b = 0.1 on [-pi, pi]^3, from unit coordinates.
fn ishigami(u: &[f64]) -> f64 {
    let x: Vec<f64> = u.iter().map(|u| -PI + 2.0 * PI * u).collect();
    x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
}

#[test]
fn sobol_indices_of_ishigami_match_the_analytic_values() {
    // Analytic values (e.g. Saltelli et al. 2008, "Global Sensitivity Analysis: The Primer"):
    // S = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437).
    let first = [0.3139, 0.4424, 0.0];
    let total = [0.5576, 0.4424, 0.2437];
    let (k, n) = (3, 8192);
    let y: Vec<f64> = sobol::design(k, n, 7).iter().map(|u| ishigami(u)).collect();
    let idx = sobol::analyse(k, &y, 200, 7);
    for i in 0..k {
        let s = &idx[i];
        assert!((s.first - first[i]).abs() < 0.02, "S{}: {s:?}", i + 1);
        assert!((s.total - total[i]).abs() < 0.02, "ST{}: {s:?}", i + 1);
        // The bootstrap intervals are honest: they contain the truth (with a little slack for
        // the 5% they may miss) and are narrow at this sample size.
        assert!(
            s.first_ci.0 - 0.01 <= first[i] && first[i] <= s.first_ci.1 + 0.01,
            "{s:?}"
        );
        assert!(
            s.total_ci.0 - 0.01 <= total[i] && total[i] <= s.total_ci.1 + 0.01,
            "{s:?}"
        );
        assert!(s.total_ci.1 - s.total_ci.0 < 0.08, "{s:?}");
    }
    // Far fewer rows: the estimates are rougher but the ordering of total effects holds.
    let y: Vec<f64> = sobol::design(k, 256, 1)
        .iter()
        .map(|u| ishigami(u))
        .collect();
    let rough = sobol::analyse(k, &y, 100, 1);
    assert!(
        rough[0].total > rough[1].total && rough[1].total > rough[2].total,
        "{rough:?}"
    );
}

#[test]
fn morris_effects_of_ishigami_match_their_exact_expectation() {
    // On a grid of p = 4 levels with delta = 2/3, an elementary effect of factor i compares the
    // two levels l and l + 2 (l = 0 or 1) with the other factors on any of the 4 levels, each
    // combination equally likely. Enumerating the 2 x 4^2 cases gives mu* and mu exactly.
    let (k, p) = (3usize, 4u32);
    let d = morris::delta(p);
    let level = |l: u32| l as f64 / (p - 1) as f64;
    let mut exact_mu_star = [0.0; 3];
    let mut exact_mu = [0.0; 3];
    for i in 0..k {
        let mut cases = 0.0;
        for lo in 0..2 {
            for a in 0..p {
                for b in 0..p {
                    let mut x = [0.0; 3];
                    let others: Vec<usize> = (0..k).filter(|&j| j != i).collect();
                    x[others[0]] = level(a);
                    x[others[1]] = level(b);
                    x[i] = level(lo);
                    let f0 = ishigami(&x);
                    x[i] = level(lo + 2);
                    let e = (ishigami(&x) - f0) / d;
                    exact_mu_star[i] += e.abs();
                    exact_mu[i] += e;
                    cases += 1.0;
                }
            }
        }
        exact_mu_star[i] /= cases;
        exact_mu[i] /= cases;
    }
    let pts = morris::design(k, 2000, p, 3);
    let y: Vec<f64> = pts.iter().map(|u| ishigami(u)).collect();
    let idx = morris::analyse(k, &pts, &y, 200, 3);
    for i in 0..k {
        let m = &idx[i];
        let se = m.sigma / (m.effects as f64).sqrt();
        assert!(
            (m.mu_star - exact_mu_star[i]).abs() < 0.05 * exact_mu_star[i],
            "x{}: {m:?} vs {}",
            i + 1,
            exact_mu_star[i]
        );
        assert!(
            (m.mu - exact_mu[i]).abs() < 4.0 * se + 1e-9,
            "x{}: {m:?} vs {}",
            i + 1,
            exact_mu[i]
        );
        assert!(m.mu_star_ci.0 <= m.mu_star && m.mu_star <= m.mu_star_ci.1);
    }
    // x2 enters only through sin^2, which is symmetric on this grid: mu is ~0 while mu* is not.
    assert!(exact_mu[1].abs() < 1e-9 && idx[1].mu_star > 1.0);
}

// ---- The commands, end to end on a small scenario -------------------------------------------

use crate::util::*;
use tokenmaxx::explore::calibrate::Calibration;
use tokenmaxx::sweep::run_point;

const SMALL: &str = "extends = \"baseline\"\nemployees = 500\nweeks = 12\n";

fn setup(name: &str, spec_name: &str, spec: &str) -> std::path::PathBuf {
    scratch_with(name, &[("small.toml", SMALL), (spec_name, spec)])
}

const MORRIS: &str = "name = \"m\"\nbase = \"small.toml\"\nmethod = \"morris\"\ntrajectories = 6\nreplications = 2\nseed = 4\nfigures = [\"output_uplift\", \"padding_share\", \"median_weekly_tokens_per_user\"]\n[parameters]\n\"behaviour.uplift\" = { low = 0.3, high = 1.2 }\n\"behaviour.token_scale\" = { low = 4e6, high = 2e7 }\n\"bots.incident_rate\" = { low = 0.0, high = 0.01 }\n";

#[test]
fn sensitivity_ranks_a_driver_above_an_inert_parameter_and_shards_merge_to_the_same_indices() {
    let dir = setup("explore_morris", "m.toml", MORRIS);
    let o = tokenmaxx(&dir, &["sensitivity", "m.toml", "--out", "whole"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("output_uplift:"), "{}", stdout(&o));
    let (h, rows) = read_csv(&dir.join("whole/indices.csv"));
    assert_eq!(rows.len(), 3 * 3, "a row per figure and parameter");
    let mu_star = column(&h, &rows, "mu_star");
    let at = |figure: &str, param: &str| {
        let i = rows
            .iter()
            .position(|r| r[0] == figure && r[1] == param)
            .unwrap();
        mu_star[i]
    };
    // Baseline has no bot platform: the incident rate cannot move anything. With common random
    // numbers its elementary effects are exactly zero, not merely small.
    for f in [
        "output_uplift",
        "padding_share",
        "median_weekly_tokens_per_user",
    ] {
        assert_eq!(at(f, "bots.incident_rate"), 0.0, "{f}");
    }
    assert!(at("output_uplift", "behaviour.uplift") > 0.05);
    assert!(at("median_weekly_tokens_per_user", "behaviour.token_scale") > 1e6);
    // 6 trajectories of 4 points, 2 replications: 48 runs, all in runs.csv.
    let (_, runs) = read_csv(&dir.join("whole/runs.csv"));
    assert_eq!(runs.len(), 48);

    // One chart per figure, sized to the parameters, with bars drawn.
    let (w, hgt, rgb) = crate::charts::decode(&dir.join("whole/indices_output_uplift.png"));
    assert_eq!((w, hgt), (1200, 800));
    assert!(tokenmaxx::report::charts::ink_share(&rgb) > 0.02);

    // The same at one thread.
    let o = tokenmaxx(
        &dir,
        &[
            "sensitivity",
            "m.toml",
            "--threads",
            "1",
            "-q",
            "--out",
            "t1",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        std::fs::read(dir.join("whole/indices.csv")).unwrap()
            == std::fs::read(dir.join("t1/indices.csv")).unwrap(),
        "indices differ between 1 and 2 threads"
    );

    // Two shards merged give byte-identical indices.
    for k in ["0/2", "1/2"] {
        let o = tokenmaxx(
            &dir,
            &[
                "sensitivity",
                "m.toml",
                "--shard",
                k,
                "-q",
                "--out",
                &format!("s{}", &k[..1]),
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(
            !dir.join(format!("s{}/indices.csv", &k[..1])).exists(),
            "a shard alone has no indices"
        );
    }
    let o = tokenmaxx(&dir, &["merge", "s0", "s1", "--out", "merged"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for f in ["indices.csv", "runs.csv"] {
        assert!(
            std::fs::read(dir.join("whole").join(f)).unwrap()
                == std::fs::read(dir.join("merged").join(f)).unwrap(),
            "{f} differs"
        );
    }

    // Resume after a crash: cut the journal and rerun only what is missing.
    let journal = dir.join("whole/journal.jsonl");
    let text = std::fs::read_to_string(&journal).unwrap();
    let keep: Vec<&str> = text.lines().take(20).collect();
    std::fs::write(&journal, keep.join("\n") + "\n{\"id\": 7, \"po").unwrap();
    let o = tokenmaxx(
        &dir,
        &["sensitivity", "m.toml", "--out", "whole", "--resume"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("19 skipped"), "{}", stdout(&o));
    assert!(
        std::fs::read(dir.join("whole/indices.csv")).unwrap()
            == std::fs::read(dir.join("merged/indices.csv")).unwrap(),
        "indices after resume differ"
    );
}

#[test]
fn sobol_through_the_cli_writes_first_and_total_indices() {
    let spec = MORRIS
        .replace(
            "method = \"morris\"\ntrajectories = 6",
            "method = \"sobol\"\nsamples = 16",
        )
        .replace("replications = 2", "replications = 1");
    let dir = setup("explore_sobol", "s.toml", &spec);
    let o = tokenmaxx(&dir, &["sensitivity", "s.toml", "-q", "--out", "o"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (h, rows) = read_csv(&dir.join("o/indices.csv"));
    assert_eq!(
        &h[2..],
        [
            "first",
            "first_low",
            "first_high",
            "total",
            "total_low",
            "total_high",
            "rows"
        ]
    );
    let total = column(&h, &rows, "total");
    let used = column(&h, &rows, "rows");
    assert!(used.iter().all(|&n| n == 16.0));
    let i = rows
        .iter()
        .position(|r| r[0] == "median_weekly_tokens_per_user" && r[1] == "behaviour.token_scale")
        .unwrap();
    assert!(
        total[i] > 0.5,
        "token_scale drives the median user's tokens: {}",
        total[i]
    );
    let inert = rows
        .iter()
        .position(|r| r[0] == "output_uplift" && r[1] == "bots.incident_rate")
        .unwrap();
    assert_eq!(total[inert], 0.0);
    let (_, runs) = read_csv(&dir.join("o/runs.csv"));
    assert_eq!(runs.len(), 16 * (3 + 2));
}

#[test]
fn sensitivity_draws_the_calibrated_priors_per_replication_and_refuses_a_parameter_both_varied_and_drawn()
 {
    // given a Morris spec that also draws the calibrated priors
    // (behaviour.uplift is drawn by the calibrated priors: vary the effort cost instead)
    let spec = format!("{MORRIS}[priors]\nfrom = \"calibrated\"\n")
        .replace("trajectories = 6", "trajectories = 2")
        .replace(
            "\"behaviour.uplift\" = { low = 0.3, high = 1.2 }",
            "\"behaviour.effort_cost\" = { low = 0.05, high = 0.3 }",
        );
    let dir = setup("explore_priors", "p.toml", &spec);
    let o = tokenmaxx(&dir, &["sensitivity", "p.toml", "-q", "--out", "o"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // then runs.csv records each run's draw, one column per calibrated parameter, the same
    // draw for every point of a replication and different draws for the two replications
    let (h, rows) = read_csv(&dir.join("o/runs.csv"));
    let reactance = h.iter().position(|c| c == "adoption.reactance");
    let replication = h.iter().position(|c| c == "replication").unwrap();
    let reactance = reactance.expect("a column per drawn parameter");
    let by_rep = |r: &str| -> Vec<&str> {
        rows.iter()
            .filter(|row| row[replication] == r)
            .map(|row| row[reactance].as_str())
            .collect()
    };
    let (first, second) = (by_rep("0"), by_rep("1"));
    assert!(!first.is_empty() && first.iter().all(|v| *v == first[0]));
    assert!(!second.is_empty() && second.iter().all(|v| *v == second[0]));
    assert_ne!(first[0], second[0]);
    // and a parameter both explored and drawn is refused, naming it
    let bad = MORRIS.to_string() + "[priors]\n\"behaviour.uplift\" = { low = 0.5, high = 1.0 }\n";
    std::fs::write(dir.join("bad.toml"), bad).unwrap();
    let o = tokenmaxx(&dir, &["sensitivity", "bad.toml", "-q", "--out", "b"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("behaviour.uplift"), "{}", stderr(&o));
    assert!(!dir.join("b").exists());
}

/// A calibration spec over `behaviour.uplift` and `behaviour.token_scale` with targets on the
/// figures they move most.
fn recovery_spec(targets: &[(&str, f64)]) -> String {
    let mut s = String::from(
        "name = \"recover\"\nbase = \"small.toml\"\nreplications = 2\nseed = 9\nbudget = 240\npopulation = 12\n[parameters]\n\"behaviour.uplift\" = { low = 0.3, high = 1.2 }\n\"behaviour.token_scale\" = { low = 4e6, high = 2e7 }\n",
    );
    for (figure, value) in targets {
        s.push_str(&format!(
            "[[targets]]\nfigure = \"{figure}\"\nvalue = {value:?}\ntolerance = {:?}\n",
            (value.abs() * 0.02).max(1e-3)
        ));
    }
    s
}

#[test]
fn calibration_recovers_parameters_from_targets_the_simulator_generated() {
    let dir = setup(
        "explore_calibrate",
        "c.toml",
        &recovery_spec(&[
            ("output_uplift", 1.0),
            ("median_weekly_tokens_per_user", 1.0),
        ]),
    );
    // 1. Generate the targets with known values, on the calibration's own seeds.
    let truth = |path: &str| match path {
        "behaviour.uplift" => 0.8,
        "behaviour.token_scale" => 1.2e7,
        other => panic!("{other}"),
    };
    let cal = Calibration::load(&dir.join("c.toml")).unwrap();
    let unit: Vec<f64> = cal
        .common
        .bounds
        .iter()
        .map(|b| (truth(&b.path) - b.low) / (b.high - b.low))
        .collect();
    let point = cal.common.point(&unit);
    let figures = ["output_uplift", "median_weekly_tokens_per_user"];
    let idx: Vec<usize> = figures
        .iter()
        .map(|f| {
            tokenmaxx::sweep::figure_names()
                .iter()
                .position(|n| n == f)
                .unwrap()
        })
        .collect();
    let targets: Vec<f64> = idx
        .iter()
        .map(|&i| {
            (0..2)
                .map(|r| run_point(&cal.sweep, &point, 0, r, r as u64).figures[i].unwrap())
                .sum::<f64>()
                / 2.0
        })
        .collect();
    std::fs::write(
        dir.join("c.toml"),
        recovery_spec(&[(figures[0], targets[0]), (figures[1], targets[1])]),
    )
    .unwrap();

    // 2. Calibrate from the bounds alone.
    let o = tokenmaxx(&dir, &["calibrate", "c.toml", "--out", "o"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (h, rows) = read_csv(&dir.join("o/trace.csv"));
    assert_eq!(rows.len(), 240, "the budget, evaluated");
    let best_loss = column(&h, &rows, "best_loss");
    assert!(best_loss.windows(2).all(|w| w[1] <= w[0]));
    let loss = column(&h, &rows, "loss");
    let b = loss
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(b.1))
        .unwrap()
        .0;
    for bound in &cal.common.bounds {
        let found = column(&h, &rows, &bound.path)[b];
        let want = truth(&bound.path);
        let err = (found - want).abs() / (bound.high - bound.low);
        eprintln!(
            "{}: found {found} for {want} ({:.2}% of the range off)",
            bound.path,
            err * 100.0
        );
        assert!(
            err < 0.05,
            "{}: found {found} for {want} ({:.1}% of the range off)",
            bound.path,
            err * 100.0
        );
    }
    let (fh, fit) = read_csv(&dir.join("o/fit.csv"));
    assert!(fit.iter().all(|r| r[fh.len() - 1] == "true"), "{fit:?}");

    // 3. best.toml is a scenario: running it reproduces the best candidate's first replication.
    let o = tokenmaxx(
        &dir,
        &[
            "run",
            "o/best.toml",
            "-q",
            "--no-charts",
            "--out",
            "best_run",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("best_run/summary.json")).unwrap())
            .unwrap();
    let journal = std::fs::read_to_string(dir.join("o/journal.jsonl")).unwrap();
    let first_rep = journal
        .lines()
        .skip(1)
        .map(|l| serde_json::from_str::<tokenmaxx::sweep::RunRecord>(l).unwrap())
        .find(|r| r.point == b as u64 && r.replication == 0)
        .unwrap();
    for (f, &i) in figures.iter().zip(&idx) {
        assert_eq!(summary[f].as_f64(), first_rep.figures[i], "{f}");
    }

    // 4. Charts: the loss and the fit, drawn.
    for (file, min_h) in [("loss.png", 800), ("fit.png", 400)] {
        let (_, hgt, rgb) = crate::charts::decode(&dir.join("o").join(file));
        assert!(
            hgt >= min_h && tokenmaxx::report::charts::ink_share(&rgb) > 0.02,
            "{file}"
        );
    }

    // 5. Resume: a journal cut in half replays the same candidates and reuses its runs.
    let before = std::fs::read(dir.join("o/trace.csv")).unwrap();
    let journal_path = dir.join("o/journal.jsonl");
    let keep: Vec<&str> = journal.lines().take(241).collect();
    std::fs::write(&journal_path, keep.join("\n") + "\n").unwrap();
    let o = tokenmaxx(&dir, &["calibrate", "c.toml", "--out", "o", "--resume"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("(240 runs reused"), "{}", stdout(&o));
    assert!(
        before == std::fs::read(dir.join("o/trace.csv")).unwrap(),
        "the resumed trace differs"
    );
}

#[test]
fn bad_exploration_specs_are_clear_errors_naming_the_file_and_the_key() {
    let dir = scratch_with("explore_errors", &[("small.toml", SMALL)]);
    let cases: &[(&str, &str, &str)] = &[
        (
            "sensitivity",
            "base = \"small.toml\"\nmethod = \"morris\"\ntrajectoires = 3\n[parameters]\n\"behaviour.uplift\" = { low = 0.1, high = 1.0 }\n",
            "trajectoires",
        ),
        (
            "sensitivity",
            "base = \"small.toml\"\nmethod = \"fast\"\n[parameters]\n\"behaviour.uplift\" = { low = 0.1, high = 1.0 }\n",
            "\"morris\", \"sobol\"",
        ),
        (
            "sensitivity",
            "base = \"small.toml\"\nmethod = \"morris\"\nlevels = 5\n[parameters]\n\"behaviour.uplift\" = { low = 0.1, high = 1.0 }\n",
            "`levels` = 5",
        ),
        (
            "sensitivity",
            "base = \"small.toml\"\nmethod = \"sobol\"\nlevels = 4\n[parameters]\n\"behaviour.uplift\" = { low = 0.1, high = 1.0 }\n",
            "does not apply",
        ),
        (
            "sensitivity",
            "base = \"small.toml\"\nmethod = \"morris\"\n[parameters]\n\"behaviour.uplfit\" = { low = 0.1, high = 1.0 }\n",
            "did you mean `behaviour.uplift`",
        ),
        (
            "sensitivity",
            "base = \"small.toml\"\nmethod = \"morris\"\n[parameters]\n\"behaviour.uplift\" = { low = 1.0, high = 0.1 }\n",
            "low < high",
        ),
        (
            "sensitivity",
            "base = \"small.toml\"\nmethod = \"morris\"\nfigures = [\"padding\"]\n[parameters]\n\"behaviour.uplift\" = { low = 0.1, high = 1.0 }\n",
            "not a summary figure",
        ),
        (
            "sensitivity",
            "base = \"small.toml\"\nmethod = \"morris\"\n",
            "[parameters] is empty",
        ),
        (
            "sensitivity",
            "base = \"small.toml\"\nmethod = \"sobol\"\nsamples = 100000000\n[parameters]\n\"behaviour.uplift\" = { low = 0.1, high = 1.0 }\n",
            "need 8 to 1048576",
        ),
        (
            "calibrate",
            "base = \"small.toml\"\nbudget = 20\npopulation = 3\n[parameters]\n\"behaviour.uplift\" = { low = 0.1, high = 1.0 }\n[[targets]]\nfigure = \"roi\"\nvalue = 3.0\n",
            "`population` = 3",
        ),
        (
            "sensitivity",
            "base = \"missing.toml\"\nmethod = \"morris\"\n[parameters]\n\"behaviour.uplift\" = { low = 0.1, high = 1.0 }\n",
            "missing.toml",
        ),
        (
            "calibrate",
            "base = \"small.toml\"\nbudget = 20\n[parameters]\n\"behaviour.uplift\" = { low = 0.1, high = 1.0 }\n",
            "no [[targets]]",
        ),
        (
            "calibrate",
            "base = \"small.toml\"\nbudget = 2\n[parameters]\n\"behaviour.uplift\" = { low = 0.1, high = 1.0 }\n[[targets]]\nfigure = \"roi\"\nvalue = 3.0\n",
            "`budget` = 2",
        ),
        (
            "calibrate",
            "base = \"small.toml\"\nbudget = 20\n[parameters]\n\"behaviour.uplift\" = { low = 0.1, high = 1.0 }\n[[targets]]\nfigure = \"roi\"\nvalue = 0.0\n",
            "`tolerance` must be a positive number",
        ),
        (
            "calibrate",
            "base = \"small.toml\"\nbudget = 20\n[parameters]\n\"behaviour.uplift\" = { low = 0.1, high = 1.0 }\n[[targets]]\nfigure = \"roi\"\nvalue = 3.0\nweight = -1.0\n",
            "`weight` must be a positive number",
        ),
    ];
    for (i, (cmd, spec, want)) in cases.iter().enumerate() {
        let file = format!("spec{i}.toml");
        std::fs::write(dir.join(&file), spec).unwrap();
        let o = tokenmaxx(&dir, &[cmd, &file, "-q", "--out", "o"]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "case {i}: {err}");
        assert!(err.contains(want), "case {i}: expected `{want}` in: {err}");
        assert!(
            err.contains(&file) || err.contains("missing.toml"),
            "case {i} names the file: {err}"
        );
        assert!(!err.contains("panicked"), "case {i}: {err}");
    }
}

#[test]
fn the_example_specs_parse() {
    let dir = scenarios_dir().join("explore");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        if text.contains("[[targets]]") {
            let c = Calibration::load(&path).unwrap_or_else(|e| panic!("{e}"));
            assert!(c.targets.len() >= 4, "{}", path.display());
        } else {
            let s = tokenmaxx::explore::sensitivity::Sensitivity::load(&path)
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(s.sweep.runs() > 0);
        }
        seen += 1;
    }
    assert_eq!(seen, 4);
}
