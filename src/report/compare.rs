//! A comparison's output ([`output`]: one [`Output`] value) and its tables, typed: comparison.csv
//! (per scenario and figure, and paired against the baseline), rankings.csv (how often each
//! pairwise ranking holds), runs.csv (every run's figures), weekly_bands.csv (the weekly series'
//! mean and 95% range over replications), and the decision analysis' best.csv, drivers.csv and
//! value_of_information.csv. Each `*_csv` is its table's CSV text (the Python package's tables).

use std::path::Path;

use super::output::{Column, Form, Output, Table};
use crate::compare::decide::Decision;
use crate::compare::stats::Better;
use crate::compare::{Compare, Comparison, RunOut};
use crate::projections::figures::Unit;
use crate::sweep::aggregate::Stat;

/// The scenarios' names of the rows of `scenario` indices.
fn names_of(c: &Compare, scenario: impl Iterator<Item = usize>) -> Vec<String> {
    scenario.map(|s| c.scenarios[s].name.clone()).collect()
}

/// A text column of `&'static str`s.
fn words(name: &str, values: impl Iterator<Item = &'static str>) -> Column {
    Column::text(name, values.map(String::from).collect())
}

/// comparison.csv: per scenario and figure (a long table: the figure names the unit).
pub fn comparison_table(c: &Compare, cmp: &Comparison) -> Table {
    let figures = c.figures();
    let better = |name: &str| {
        let fig = figures.iter().find(|f| f.name == name).expect("a figure");
        match fig.better {
            Better::Higher => "higher",
            Better::Lower => "lower",
            Better::Neither => "",
        }
    };
    let rows = &cmp.rows;
    let diff = |f: fn(&Stat) -> f64| {
        rows.iter()
            .map(|r| r.diff.as_ref().map_or(f64::NAN, f))
            .collect()
    };
    let stat = |f: fn(&Stat) -> f64| rows.iter().map(|r| f(&r.stat)).collect();
    Table {
        form: Form::Plain,
        file: "comparison.csv",
        columns: vec![
            Column::text("scenario", names_of(c, rows.iter().map(|r| r.scenario))),
            words("figure", rows.iter().map(|r| r.figure)),
            words("better", rows.iter().map(|r| better(r.figure))),
            Column::whole(
                "replications",
                rows.iter().map(|r| u64::from(r.stat.n)).collect(),
            ),
            Column::number("mean", None, stat(|s| s.mean)),
            Column::number("sd", None, stat(|s| s.sd)),
            Column::number("ci_low", None, stat(|s| s.ci_low)),
            Column::number("ci_high", None, stat(|s| s.ci_high)),
            Column::number("diff_vs_baseline", None, diff(|d| d.mean)),
            Column::number("diff_ci_low", None, diff(|d| d.ci_low)),
            Column::number("diff_ci_high", None, diff(|d| d.ci_high)),
            Column::number(
                "share_better_than_baseline",
                Some(Unit::Share),
                rows.iter()
                    .map(|r| r.share_better.unwrap_or(f64::NAN))
                    .collect(),
            ),
        ],
    }
}

/// comparison.csv's text.
pub fn comparison_csv(c: &Compare, cmp: &Comparison) -> String {
    comparison_table(c, cmp).csv()
}

/// rankings.csv: how often each pairwise ranking holds.
pub fn rankings_table(c: &Compare, cmp: &Comparison) -> Table {
    let k = &cmp.rankings;
    Table {
        form: Form::Plain,
        file: "rankings.csv",
        columns: vec![
            words("figure", k.iter().map(|k| k.figure)),
            Column::text("scenario_a", names_of(c, k.iter().map(|k| k.a))),
            Column::text("scenario_b", names_of(c, k.iter().map(|k| k.b))),
            Column::number(
                "share_a_better",
                Some(Unit::Share),
                k.iter().map(|k| k.share_a_better).collect(),
            ),
            Column::flag("stable", k.iter().map(|k| k.stable()).collect()),
        ],
    }
}

/// rankings.csv's text.
pub fn rankings_csv(c: &Compare, cmp: &Comparison) -> String {
    rankings_table(c, cmp).csv()
}

/// runs.csv: one row per run, failed runs with their error, its figures those the comparison
/// compares ([`Compare::figures`], each column in its figure's unit); with priors, the
/// replication's drawn value of every parameter follows the figures (one column per parameter
/// path).
pub fn runs_table(c: &Compare, runs: &[Result<RunOut, String>]) -> Table {
    let runs = c.refigure_all(runs);
    let reps = c.replications as usize;
    let mut columns = vec![
        Column::text("scenario", names_of(c, (0..runs.len()).map(|id| id / reps))),
        Column::whole(
            "replication",
            (0..runs.len()).map(|id| (id % reps) as u64).collect(),
        ),
        Column::text(
            "error",
            runs.iter()
                .map(|r| r.as_ref().err().cloned().unwrap_or_default())
                .collect(),
        ),
    ];
    for (k, f) in c.figures().iter().enumerate() {
        let values = runs
            .iter()
            .map(|r| r.as_ref().ok().and_then(|o| o.figures.get(k).copied()))
            .map(|v| v.unwrap_or(f64::NAN))
            .collect();
        columns.push(Column::number(f.name, Some(f.unit), values));
    }
    if let Some(p) = &c.priors {
        let draws: Vec<Vec<f64>> = (0..runs.len())
            .map(|id| p.draw(c.seed, (id % reps) as u32))
            .collect();
        for (j, name) in p.names().iter().enumerate() {
            columns.push(Column::number(
                *name,
                None,
                draws.iter().map(|d| d[j]).collect(),
            ));
        }
    }
    Table {
        form: Form::Plain,
        file: "runs.csv",
        columns,
    }
}

/// runs.csv's text.
pub fn runs_csv(c: &Compare, runs: &[Result<RunOut, String>]) -> String {
    runs_table(c, runs).csv()
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

/// weekly_bands.csv: each compared weekly series of each scenario, week by week (the series
/// names the unit).
pub fn bands_table(c: &Compare, bands: &[Vec<Band>]) -> Table {
    let mut rows: Vec<(&'static str, usize, usize, &Band)> = Vec::new();
    for (series, per_scenario) in SERIES.iter().zip(bands) {
        for (s, b) in per_scenario.iter().enumerate() {
            rows.extend((0..b.mean.len()).map(|w| (series.name, s, w, b)));
        }
    }
    let at = |f: fn(&Band) -> &Vec<f64>| rows.iter().map(|&(_, _, w, b)| f(b)[w]).collect();
    Table {
        form: Form::Plain,
        file: "weekly_bands.csv",
        columns: vec![
            words("series", rows.iter().map(|r| r.0)),
            Column::text("scenario", names_of(c, rows.iter().map(|r| r.1))),
            Column::whole("week", rows.iter().map(|r| r.2 as u64).collect()),
            Column::number("mean", None, at(|b| &b.mean)),
            Column::number("low_2_5", None, at(|b| &b.low)),
            Column::number("high_97_5", None, at(|b| &b.high)),
        ],
    }
}

/// weekly_bands.csv's text.
pub fn bands_csv(c: &Compare, bands: &[Vec<Band>]) -> String {
    bands_table(c, bands).csv()
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

/// best.csv: each scenario's probability of being best, per figure of the decision analysis.
pub fn best_table(c: &Compare, d: &Decision) -> Table {
    let rows: Vec<(&'static str, usize, f64, usize)> = d
        .best
        .iter()
        .flat_map(|(figure, shares, n)| {
            (0..c.scenarios.len())
                .zip(shares)
                .map(move |(s, p)| (*figure, s, *p, *n))
        })
        .collect();
    Table {
        form: Form::Plain,
        file: "best.csv",
        columns: vec![
            words("figure", rows.iter().map(|r| r.0)),
            Column::text("scenario", names_of(c, rows.iter().map(|r| r.1))),
            Column::number(
                "probability_best",
                Some(Unit::Share),
                rows.iter().map(|r| r.2).collect(),
            ),
            Column::whole("replications", rows.iter().map(|r| r.3 as u64).collect()),
        ],
    }
}

/// best.csv's text.
pub fn best_csv(c: &Compare, d: &Decision) -> String {
    best_table(c, d).csv()
}

/// drivers.csv (None without priors): every parameter's part in every scenario's difference.
pub fn drivers_table(c: &Compare, d: &Decision) -> Option<Table> {
    let p = c.priors.as_ref()?;
    let names = p.names();
    let mut rows = Vec::new();
    for set in &d.drivers {
        // The side where the scenario does better: where the difference is positive for a
        // figure where higher is better, negative where lower is.
        let higher = crate::projections::figures::figure(set.figure).better == Better::Higher;
        for k in &set.drivers {
            let (at, side) = k.flip.map_or((f64::NAN, ""), |f| {
                let below = f.positive_below == higher;
                (f.at, if below { "below" } else { "above" })
            });
            rows.push((set.scenario, set.figure, names[k.parameter], k, at, side));
        }
    }
    Some(Table {
        form: Form::Plain,
        file: "drivers.csv",
        columns: vec![
            Column::text("scenario", names_of(c, rows.iter().map(|r| r.0))),
            words("figure", rows.iter().map(|r| r.1)),
            Column::text("parameter", rows.iter().map(|r| r.2.to_string()).collect()),
            Column::number(
                "rank_correlation",
                Some(Unit::Index),
                rows.iter().map(|r| r.3.rank_correlation).collect(),
            ),
            Column::number(
                "first_order",
                Some(Unit::Index),
                rows.iter().map(|r| r.3.first_order).collect(),
            ),
            Column::number("flip_at", None, rows.iter().map(|r| r.4).collect()),
            words("better_than_baseline_when", rows.iter().map(|r| r.5)),
        ],
    })
}

/// drivers.csv's text (None without priors).
pub fn drivers_csv(c: &Compare, d: &Decision) -> Option<String> {
    drivers_table(c, d).map(|t| t.csv())
}

/// value_of_information.csv (None without priors): each parameter's EVPPI, then the EVPI.
pub fn value_table(c: &Compare, d: &Decision) -> Option<Table> {
    let p = c.priors.as_ref()?;
    let mut parameters: Vec<String> = p.names()[..d.evppi.len()]
        .iter()
        .map(|n| n.to_string())
        .collect();
    let mut values = d.evppi.clone();
    if d.samples >= 2 {
        parameters.push("(everything: EVPI)".into());
        values.push(d.evpi);
    }
    let n = values.len();
    Some(Table {
        form: Form::Plain,
        file: "value_of_information.csv",
        columns: vec![
            Column::text("parameter", parameters),
            Column::number("evppi_usd_per_employee_year", Some(Unit::Usd), values),
            Column::whole("replications", vec![d.samples as u64; n]),
        ],
    })
}

/// value_of_information.csv's text (None without priors).
pub fn value_csv(c: &Compare, d: &Decision) -> Option<String> {
    value_table(c, d).map(|t| t.csv())
}

/// Every table of a comparison: comparison, rankings, runs and weekly bands; best, and with
/// priors drivers and value of information.
pub fn tables(c: &Compare, done: &Concluded, runs: &[Result<RunOut, String>]) -> Vec<Table> {
    let d = &done.decision;
    let mut tables = vec![
        comparison_table(c, &done.cmp),
        rankings_table(c, &done.cmp),
        runs_table(c, runs),
        bands_table(c, &done.bands),
        best_table(c, d),
    ];
    if let (Some(drivers), Some(voi)) = (drivers_table(c, d), value_table(c, d)) {
        tables.extend([drivers, voi]);
    }
    tables
}

/// A comparison's output ([`Output`]): the verdict (verdict.txt and the report's headline),
/// every table, comparison.png (unless `no_charts`), value_of_information.png (with two or more
/// replications of drawn parameters) and report.html, from the runs `results` (every run, in
/// id order) and what they concluded.
pub fn output<'a>(
    c: &'a Compare,
    done: &'a Concluded,
    results: &[Result<RunOut, String>],
    no_charts: bool,
    command: &str,
) -> Output<'a> {
    let d = &done.decision;
    let differences = (!no_charts).then(|| {
        Box::new(|p: &Path| super::charts::compare::draw(p, c, &done.cmp, &done.bands)) as _
    });
    let value = match &c.priors {
        Some(p) if !no_charts && d.samples >= 2 => Some(Box::new(move |path: &Path| {
            super::charts::decide::draw(path, &p.names(), &d.evppi, d.evpi, d.samples)
        }) as _),
        _ => None,
    };
    Output {
        headline: done.verdict.clone(),
        headline_file: Some("verdict.txt"),
        tables: tables(c, done, results),
        charts: super::compare_html::charts(differences, value),
        files: Vec::new(),
        parquet: Vec::new(),
        report: super::compare_html::build(c, &done.cmp, command),
        charts_at: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::Compared;
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

    #[test]
    fn a_comparison_s_output_is_its_typed_tables_its_charts_and_its_report() {
        // given a comparison with a failed run, when its output is built without charts and
        // written, then its tables are typed (runs.csv's figures in their units, the failed
        // run's undefined), the charts are not drawn, and the folder holds exactly the tables,
        // verdict.txt and report.html
        let c = two();
        let mut results: Vec<Result<RunOut, String>> = (0..4)
            .map(|id| c.run_one(id / 2, (id % 2) as u32))
            .collect();
        results[3] = Err("boom, twice".into());
        let done = conclude(&c, &results).unwrap();
        let out = output(&c, &done, &results, true, "tokenmaxx compare a b");
        let files: Vec<&str> = out.tables.iter().map(|t| t.file).collect();
        assert_eq!(
            files,
            [
                "comparison.csv",
                "rankings.csv",
                "runs.csv",
                "weekly_bands.csv",
                "best.csv"
            ]
        );
        let runs = &out.tables[2];
        assert_eq!(runs.rows(), 4);
        let cost = runs.column("annual_cost_per_employee_usd").unwrap();
        assert_eq!(cost.unit, Some(Unit::Usd));
        let super::super::output::Values::Number(v) = &cost.values else {
            panic!("a number column")
        };
        assert!(v[2].is_finite() && v[3].is_nan());
        assert!(runs.csv().contains("\"boom, twice\""));
        assert!(out.charts.iter().all(|ch| ch.draw.is_none()));
        let dir = std::env::temp_dir().join(format!("tmx-compare-out-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        out.write(&dir).unwrap();
        let mut written: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        written.sort();
        assert_eq!(
            written,
            [
                "best.csv",
                "comparison.csv",
                "rankings.csv",
                "report.html",
                "runs.csv",
                "verdict.txt",
                "weekly_bands.csv"
            ]
        );
        let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
        assert!(html.contains("The chart was skipped (--no-charts)."));
        assert!(!html.contains("What to measure first"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
