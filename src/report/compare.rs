//! The tables of a comparison: comparison.csv (per scenario and figure, and paired against the
//! baseline), rankings.csv (how often each pairwise ranking holds), runs.csv (every run's
//! figures) and weekly_bands.csv (the weekly series' mean and 95% range over replications).

use std::fmt::Write as _;
use std::path::Path;

use super::ReportError;
use super::cells::field;
use crate::compare::decide::Decision;
use crate::compare::{Compare, Compared, Comparison, RunOut};
use crate::projections::figures::Unit;

/// A number field: empty when undefined.
fn num(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        String::new()
    }
}

fn write(path: &Path, text: &str) -> Result<(), ReportError> {
    std::fs::write(path, text).map_err(|source| ReportError::Io {
        path: path.into(),
        source,
    })
}

/// comparison.csv.
pub fn comparison_csv(c: &Compare, cmp: &Comparison) -> String {
    let mut out = String::from(
        "scenario,figure,better,replications,mean,sd,ci_low,ci_high,diff_vs_baseline,diff_ci_low,diff_ci_high,share_better_than_baseline\n",
    );
    let figures = c.figures();
    for r in &cmp.rows {
        let fig = figures
            .iter()
            .find(|f| f.name == r.figure)
            .expect("a figure");
        let better = match fig.better {
            crate::compare::stats::Better::Higher => "higher",
            crate::compare::stats::Better::Lower => "lower",
            crate::compare::stats::Better::Neither => "",
        };
        let (d, dl, dh) = r.diff.map_or((f64::NAN, f64::NAN, f64::NAN), |d| {
            (d.mean, d.ci_low, d.ci_high)
        });
        let _ = writeln!(
            out,
            "{},{},{better},{},{},{},{},{},{},{},{},{}",
            field(&c.scenarios[r.scenario].name),
            r.figure,
            r.stat.n,
            num(r.stat.mean),
            num(r.stat.sd),
            num(r.stat.ci_low),
            num(r.stat.ci_high),
            num(d),
            num(dl),
            num(dh),
            r.share_better.map_or(String::new(), num)
        );
    }
    out
}

/// rankings.csv.
pub fn rankings_csv(c: &Compare, cmp: &Comparison) -> String {
    let mut out = String::from("figure,scenario_a,scenario_b,share_a_better,stable\n");
    for k in &cmp.rankings {
        let _ = writeln!(
            out,
            "{},{},{},{},{}",
            k.figure,
            field(&c.scenarios[k.a].name),
            field(&c.scenarios[k.b].name),
            num(k.share_a_better),
            k.stable()
        );
    }
    out
}

/// runs.csv: one row per run, failed runs with their error, its figures those the comparison
/// compares ([`Compare::figures`]); with priors, the replication's drawn value of every
/// parameter follows the figures (one column per parameter path).
pub fn runs_csv(c: &Compare, runs: &[Result<RunOut, String>]) -> String {
    let names: Vec<&str> = c.figures().iter().map(|f| f.name).collect();
    let runs = c.refigure_all(runs);
    let drawn = c.priors.as_ref().map_or(Vec::new(), |p| p.names());
    let mut out = format!("scenario,replication,error,{}", names.join(","));
    for p in &drawn {
        let _ = write!(out, ",{p}");
    }
    out.push('\n');
    let reps = c.replications as usize;
    for (id, run) in runs.iter().enumerate() {
        let (s, r) = (id / reps, id % reps);
        let _ = write!(out, "{},{r},", field(&c.scenarios[s].name));
        match run {
            Ok(o) => {
                let values: Vec<String> = o.figures.iter().map(|v| num(*v)).collect();
                let _ = write!(out, ",{}", values.join(","));
            }
            Err(e) => {
                let _ = write!(out, "{}{}", field(e), ",".repeat(names.len()));
            }
        }
        if let Some(p) = &c.priors {
            for v in p.draw(c.seed, r as u32) {
                let _ = write!(out, ",{}", num(v));
            }
        }
        out.push('\n');
    }
    out
}

/// A weekly series over replications: mean and 2.5% / 97.5% quantiles per week.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub mean: Vec<f64>,
    pub low: Vec<f64>,
    pub high: Vec<f64>,
}

/// The band of one scenario's weekly series.
pub fn band(runs: &[&RunOut], series: fn(&RunOut) -> &[f64]) -> Band {
    let weeks = runs.iter().map(|r| series(r).len()).max().unwrap_or(0);
    let mut b = Band {
        mean: Vec::with_capacity(weeks),
        low: Vec::with_capacity(weeks),
        high: Vec::with_capacity(weeks),
    };
    for w in 0..weeks {
        let mut v: Vec<f64> = runs
            .iter()
            .filter_map(|r| series(r).get(w).copied())
            .collect();
        v.sort_by(f64::total_cmp);
        let q = |p: f64| v[((p * (v.len() - 1) as f64).round() as usize).min(v.len() - 1)];
        b.mean.push(v.iter().sum::<f64>() / v.len() as f64);
        b.low.push(q(0.025));
        b.high.push(q(0.975));
    }
    b
}

/// The weekly series compared on charts: (name, label, getter).
pub const SERIES: [Series; 3] = [
    Series {
        name: "padding_share",
        label: "padding share of tokens",
        unit: Unit::Share,
        get: |r| &r.padding_share,
    },
    Series {
        name: "genuine_active_share",
        label: "genuine weekly-active share",
        unit: Unit::Share,
        get: |r| &r.genuine_active,
    },
    Series {
        name: "cost_usd",
        label: "token cost per week (USD)",
        unit: Unit::Usd,
        get: |r| &r.cost_usd,
    },
];

/// A weekly series drawn as bands over replications.
pub struct Series {
    pub name: &'static str,
    pub label: &'static str,
    pub unit: Unit,
    pub get: fn(&RunOut) -> &[f64],
}

/// Bands of every scenario for every compared series: `[series][scenario]`.
pub fn bands(c: &Compare, runs: &[RunOut]) -> Vec<Vec<Band>> {
    SERIES
        .iter()
        .map(|series| {
            (0..c.scenarios.len())
                .map(|s| {
                    let mine: Vec<&RunOut> = runs.iter().filter(|r| r.scenario == s).collect();
                    band(&mine, series.get)
                })
                .collect()
        })
        .collect()
}

/// weekly_bands.csv.
pub fn bands_csv(c: &Compare, bands: &[Vec<Band>]) -> String {
    let mut out = String::from("series,scenario,week,mean,low_2_5,high_97_5\n");
    for (series, per_scenario) in SERIES.iter().zip(bands) {
        let name = series.name;
        for (s, b) in per_scenario.iter().enumerate() {
            for w in 0..b.mean.len() {
                let _ = writeln!(
                    out,
                    "{name},{},{w},{},{},{}",
                    field(&c.scenarios[s].name),
                    num(b.mean[w]),
                    num(b.low[w]),
                    num(b.high[w])
                );
            }
        }
    }
    out
}

/// What a comparison's runs give: the comparison, the weekly bands and the verdict of the runs
/// that succeeded, and how many failed (the CLI's files and the Python package's tables).
pub struct Concluded {
    pub cmp: Comparison,
    pub bands: Vec<Vec<Band>>,
    /// The decision analysis (probability of being best, drivers, value of information).
    pub decision: Decision,
    pub verdict: Vec<String>,
    pub failed: usize,
}

/// Conclude a comparison from every run's result (in id order, figures as run), leaving out
/// the failed runs; when every run failed, the error names the first failure.
pub fn conclude(c: &Compare, results: &[Result<RunOut, String>]) -> Result<Concluded, String> {
    let ok: Vec<RunOut> = results
        .iter()
        .filter_map(|r| r.as_ref().ok().map(|o| c.refigure(o)))
        .collect();
    if ok.is_empty() {
        let first = results.first().and_then(|r| r.as_ref().err());
        return Err(format!(
            "every run failed; the first: {}",
            first.map_or("", String::as_str)
        ));
    }
    let cmp = Comparison::of(c, &ok);
    let decision = Decision::of(c, &ok);
    let verdict = cmp.verdict_with(c, &ok, &decision.lines(c));
    Ok(Concluded {
        bands: bands(c, &ok),
        cmp,
        decision,
        verdict,
        failed: results.len() - ok.len(),
    })
}

/// Write every table of a comparison into `dir`.
pub fn write_tables(
    dir: &Path,
    c: &Compare,
    cmp: &Comparison,
    runs: &[Result<RunOut, String>],
    bands: &[Vec<Band>],
) -> Result<(), ReportError> {
    write(&dir.join("comparison.csv"), &comparison_csv(c, cmp))?;
    write(&dir.join("rankings.csv"), &rankings_csv(c, cmp))?;
    write(&dir.join("runs.csv"), &runs_csv(c, runs))?;
    write(&dir.join("weekly_bands.csv"), &bands_csv(c, bands))
}

/// best.csv: each scenario's probability of being best, per figure of the decision analysis.
pub fn best_csv(c: &Compare, d: &Decision) -> String {
    let mut best = String::from("figure,scenario,probability_best,replications\n");
    for (figure, shares, n) in &d.best {
        for (Compared { name, .. }, p) in c.scenarios.iter().zip(shares) {
            let _ = writeln!(best, "{figure},{},{},{n}", field(name), num(*p));
        }
    }
    best
}

/// drivers.csv (None without priors): every parameter's part in every scenario's difference.
pub fn drivers_csv(c: &Compare, d: &Decision) -> Option<String> {
    let p = c.priors.as_ref()?;
    let mut out = String::from(
        "scenario,figure,parameter,rank_correlation,first_order,flip_at,better_than_baseline_when\n",
    );
    for set in &d.drivers {
        // The side where the scenario does better: where the difference is positive for a
        // figure where higher is better, negative where lower is.
        let higher = crate::projections::figures::figure(set.figure).better
            == crate::compare::stats::Better::Higher;
        for k in &set.drivers {
            let (at, side) = k.flip.map_or((f64::NAN, ""), |f| {
                let below = f.positive_below == higher;
                (f.at, if below { "below" } else { "above" })
            });
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{side}",
                field(&c.scenarios[set.scenario].name),
                set.figure,
                p.names()[k.parameter],
                num(k.rank_correlation),
                num(k.first_order),
                num(at)
            );
        }
    }
    Some(out)
}

/// value_of_information.csv (None without priors): each parameter's EVPPI, then the EVPI.
pub fn value_csv(c: &Compare, d: &Decision) -> Option<String> {
    let p = c.priors.as_ref()?;
    let mut voi = String::from("parameter,evppi_usd_per_employee_year,replications\n");
    for (j, v) in d.evppi.iter().enumerate() {
        let _ = writeln!(voi, "{},{},{}", p.names()[j], num(*v), d.samples);
    }
    if d.samples >= 2 {
        let _ = writeln!(voi, "(everything: EVPI),{},{}", num(d.evpi), d.samples);
    }
    Some(voi)
}

/// best.csv, drivers.csv and (with priors) value_of_information.csv of a comparison's decision
/// analysis.
pub fn write_decision(dir: &Path, c: &Compare, d: &Decision) -> Result<(), ReportError> {
    write(&dir.join("best.csv"), &best_csv(c, d))?;
    if let (Some(drivers), Some(voi)) = (drivers_csv(c, d), value_csv(c, d)) {
        write(&dir.join("drivers.csv"), &drivers)?;
        write(&dir.join("value_of_information.csv"), &voi)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Source;

    fn two() -> Compare {
        let scenario =
            |n: &str, b: &str| Compared::new(n.into(), Source::Builtin(b.into())).unwrap();
        Compare {
            name: "compare".into(),
            scenarios: vec![scenario("a", "baseline"), scenario("b", "least-privilege")],
            baseline: 0,
            replications: 2,
            seed: 1,
            employees: Some(100),
            weeks: Some(4),
            priors: None,
            horizons: None,
        }
    }

    #[test]
    fn the_side_a_scenario_does_better_on_follows_the_figure_s_direction() {
        use crate::compare::decide::Drivers;
        use crate::decision::attribution::{Driver, Flip};
        let mut c = two();
        c.priors = crate::compare::Priors::load("unanchored").unwrap();
        // a difference positive below the flip: better below for net value, above for cost
        let driver = Driver {
            parameter: 0,
            rank_correlation: -0.9,
            first_order: 0.8,
            flip: Some(Flip {
                at: 0.5,
                positive_below: true,
            }),
        };
        let set = |figure| Drivers {
            scenario: 1,
            figure,
            drivers: vec![driver.clone()],
        };
        let d = Decision {
            best: Vec::new(),
            drivers: vec![
                set("net_value_per_employee_year_usd"),
                set("annual_cost_per_employee_usd"),
            ],
            evppi: Vec::new(),
            evpi: f64::NAN,
            samples: 0,
        };
        let csv = drivers_csv(&c, &d).unwrap();
        let sides: Vec<&str> = csv
            .lines()
            .skip(1)
            .map(|l| l.rsplit(',').next().unwrap())
            .collect();
        assert_eq!(sides, ["below", "above"], "{csv}");
    }

    #[test]
    fn a_comparison_concludes_from_the_runs_that_succeeded() {
        let c = two();
        let mut results: Vec<Result<RunOut, String>> = (0..4)
            .map(|id| c.run_one(id / 2, (id % 2) as u32))
            .collect();
        results[3] = Err("boom".into());
        let done = conclude(&c, &results).unwrap();
        assert_eq!(done.failed, 1);
        assert!(!done.verdict.is_empty());
        assert_eq!(done.bands.len(), SERIES.len());
        let all_failed = vec![Err("first".to_string()), Err("second".to_string())];
        let e = conclude(&c, &all_failed).err().unwrap();
        assert_eq!(e, "every run failed; the first: first");
    }
}
