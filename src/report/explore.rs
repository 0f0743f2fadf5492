//! The outputs of the explorations as values ([`Output`]): a sensitivity analysis'
//! ([`sensitivity`]: indices.csv, the sweep's tables, a chart per figure, report.html) and a
//! calibration's ([`calibration`]: trace.csv, fit.csv, the best candidate as a scenario file
//! (best.toml), loss.png and fit.png, report.html), their reports built by
//! [`super::explore_html`].

use super::ReportError;
use super::explore_html;
use super::output::{Column, Form, Output, Table};
use crate::explore::calibrate::{Calibration, Candidate};
use crate::explore::sensitivity::{Index, IndexRow, Sensitivity};
use crate::projections::figures::{Unit, figure};
use crate::scenario::Source;
use crate::sweep::spec::set_path;

/// The output of a whole sensitivity analysis: indices.csv, then `sweep_tables` (its runs and
/// points, runs.csv also as runs.parquet), a chart per figure (none with `no_charts`: the report
/// says they were skipped) and report.html (`command`: the command line in its footer).
pub fn sensitivity<'a>(
    a: &'a Sensitivity,
    rows: &'a [IndexRow],
    sweep_tables: Vec<Table>,
    no_charts: bool,
    command: &str,
) -> Result<Output<'a>, ReportError> {
    let (report, charts_at) = explore_html::sensitivity_body(a, rows, no_charts, command);
    let mut tables = vec![indices_table(rows)?];
    tables.extend(sweep_tables);
    Ok(Output {
        headline: explore_html::sensitivity_headline(a, rows),
        headline_file: None,
        tables,
        charts: if no_charts {
            Vec::new()
        } else {
            explore_html::sensitivity_charts(a, rows)
        },
        files: Vec::new(),
        parquet: vec![super::sweep::RUNS_PARQUET],
        report,
        charts_at,
    })
}

/// The output of a calibration: trace.csv, and when a candidate succeeded fit.csv and best.toml;
/// loss.png and fit.png (none with `no_charts`) and report.html.
pub fn calibration<'a>(
    cal: &'a Calibration,
    candidates: &'a [Candidate],
    best: Option<&'a Candidate>,
    no_charts: bool,
    command: &str,
) -> Output<'a> {
    let (report, charts_at) =
        explore_html::calibration_body(cal, candidates, best, no_charts, command);
    let mut tables = vec![trace_table(cal, candidates)];
    let mut files = Vec::new();
    if let Some(b) = best {
        tables.push(fit_table(cal, b));
        files.push(("best.toml", best_scenario(cal, b)));
    }
    Output {
        headline: explore_html::calibration_headline(cal, best),
        headline_file: None,
        tables,
        charts: if no_charts {
            Vec::new()
        } else {
            explore_html::calibration_charts(cal, candidates, best)
        },
        files,
        parquet: Vec::new(),
        report,
        charts_at,
    }
}

/// A number column (undefined values empty), in `unit` when its values share one.
fn num(name: &str, unit: Option<Unit>, xs: impl Iterator<Item = f64>) -> Column {
    Column::number(name, unit, xs.collect())
}

fn text(name: &str, xs: impl Iterator<Item = String>) -> Column {
    Column::text(name, xs.collect())
}

/// indices.csv: `figure`, `parameter`, then for Morris `mu`, `mu_star`, `mu_star_low`,
/// `mu_star_high`, `sigma`, `effects` (in each row's figure's units: a long table); for Sobol
/// `first`, `first_low`, `first_high`, `total`, `total_low`, `total_high` (shares of the
/// figure's variance), `rows` (intervals: 95% bootstrap).
pub fn indices_table(rows: &[IndexRow]) -> Result<Table, ReportError> {
    let mut columns = vec![
        text("figure", rows.iter().map(|r| r.figure.clone())),
        text("parameter", rows.iter().map(|r| r.parameter.clone())),
    ];
    let morris: Vec<_> = rows
        .iter()
        .filter_map(|r| match r.index {
            Index::Morris(m) => Some(m),
            _ => None,
        })
        .collect();
    let sobol: Vec<_> = rows
        .iter()
        .filter_map(|r| match r.index {
            Index::Sobol(s) => Some(s),
            _ => None,
        })
        .collect();
    if morris.len() == rows.len() {
        let m = &morris;
        columns.extend([
            num("mu", None, m.iter().map(|m| m.mu)),
            num("mu_star", None, m.iter().map(|m| m.mu_star)),
            num("mu_star_low", None, m.iter().map(|m| m.mu_star_ci.0)),
            num("mu_star_high", None, m.iter().map(|m| m.mu_star_ci.1)),
            num("sigma", None, m.iter().map(|m| m.sigma)),
            Column::whole("effects", m.iter().map(|m| m.effects as u64).collect()),
        ]);
    } else if sobol.len() == rows.len() {
        let s = &sobol;
        let share = Some(Unit::Share);
        columns.extend([
            num("first", share, s.iter().map(|s| s.first)),
            num("first_low", share, s.iter().map(|s| s.first_ci.0)),
            num("first_high", share, s.iter().map(|s| s.first_ci.1)),
            num("total", share, s.iter().map(|s| s.total)),
            num("total_low", share, s.iter().map(|s| s.total_ci.0)),
            num("total_high", share, s.iter().map(|s| s.total_ci.1)),
            Column::whole("rows", s.iter().map(|s| s.rows as u64).collect()),
        ]);
    } else {
        return Err(ReportError::Table {
            table: "indices".into(),
            message: "rows of two methods in one table".into(),
        });
    }
    Ok(Table {
        file: "indices.csv",
        columns,
        form: Form::Typed,
    })
}

/// trace.csv: `evaluation`, `generation`, each parameter, each target figure's mean over the
/// candidate's replications (in its unit), `failed`, `loss`, and `best_loss` (the lowest loss so
/// far).
pub fn trace_table(cal: &Calibration, candidates: &[Candidate]) -> Table {
    let c = candidates;
    let mut columns = vec![
        Column::whole("evaluation", c.iter().map(|c| c.index as u64).collect()),
        Column::whole(
            "generation",
            c.iter().map(|c| c.generation as u64).collect(),
        ),
    ];
    for (k, b) in cal.common.bounds.iter().enumerate() {
        columns.push(num(&b.path, None, c.iter().map(|c| c.values[k])));
    }
    for (j, t) in cal.targets.iter().enumerate() {
        let unit = Some(figure(&t.figure).unit);
        columns.push(num(&t.figure, unit, c.iter().map(|c| c.means[j])));
    }
    columns.push(Column::whole(
        "failed",
        c.iter().map(|c| u64::from(c.failed)).collect(),
    ));
    columns.push(num("loss", Some(Unit::Index), c.iter().map(|c| c.loss)));
    let mut best = f64::INFINITY;
    columns.push(num(
        "best_loss",
        Some(Unit::Index),
        c.iter().map(|c| {
            if c.loss < best {
                best = c.loss;
            }
            best
        }),
    ));
    Table {
        file: "trace.csv",
        columns,
        form: Form::Typed,
    }
}

/// fit.csv: per target, `figure`, `target`, `tolerance`, `weight`, `simulated` (the best
/// candidate's mean), `error` (simulated - target), `within_tolerance` (a long table: each row
/// in its figure's units).
pub fn fit_table(cal: &Calibration, best: &Candidate) -> Table {
    let t = &cal.targets;
    let columns = vec![
        text("figure", t.iter().map(|t| t.figure.clone())),
        num("target", None, t.iter().map(|t| t.value)),
        num("tolerance", None, t.iter().map(|t| t.tolerance)),
        num("weight", None, t.iter().map(|t| t.weight)),
        num("simulated", None, best.means.iter().copied()),
        num(
            "error",
            None,
            t.iter().zip(&best.means).map(|(t, m)| m - t.value),
        ),
        Column::flag(
            "within_tolerance",
            t.iter()
                .zip(&best.means)
                .map(|(t, m)| (m - t.value).abs() <= t.tolerance)
                .collect(),
        ),
    ];
    Table {
        file: "fit.csv",
        columns,
        form: Form::Typed,
    }
}

/// The best candidate as a scenario file: the base (by `extends`), the spec's `[fixed]`
/// settings, the calibrated values, and the seed of replication 0, so `tokenmaxx run` on it
/// reproduces that run of the candidate exactly.
pub fn best_scenario(cal: &Calibration, best: &Candidate) -> String {
    let mut table = toml::Table::new();
    let extends = match &cal.common.base {
        Source::Builtin(name) | Source::Text { name, .. } => name.clone(),
        Source::Path(p) => std::fs::canonicalize(p)
            .unwrap_or_else(|_| p.clone())
            .display()
            .to_string(),
    };
    table.insert("extends".into(), toml::Value::String(extends));
    table.insert(
        "name".into(),
        toml::Value::String(format!("{}-best", cal.common.name)),
    );
    table.insert(
        "seed".into(),
        toml::Value::Integer(cal.sweep.run_seed(0) as i64),
    );
    for (k, v) in &cal.common.fixed {
        set_path(&mut table, k, v.clone());
    }
    for (b, v) in cal.common.bounds.iter().zip(&best.values) {
        let value = if b.integer {
            toml::Value::Integer(*v as i64)
        } else {
            toml::Value::Float(*v)
        };
        set_path(&mut table, &b.path, value);
    }
    let mut head = format!(
        "# Calibrated by `tokenmaxx calibrate` from {} ({}):\n# the best of {} candidates, evaluation {}, loss {:.4}.\n",
        cal.common.file, cal.common.name, cal.settings.budget, best.index, best.loss
    );
    for (t, m) in cal.targets.iter().zip(&best.means) {
        head.push_str(&format!(
            "#   {} = {:.4} (target {} +- {})\n",
            t.figure, m, t.value, t.tolerance
        ));
    }
    head.push_str(
        "# The seed is the calibration's replication 0; `[fixed]` settings of the spec are kept.\n\n",
    );
    head + &toml::to_string(&table).expect("a scenario table serialises")
}
