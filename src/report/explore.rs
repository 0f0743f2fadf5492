//! Exploration tables: `indices.csv` of a sensitivity analysis; `trace.csv`, `fit.csv` and the
//! best candidate as a scenario file (`best.toml`) of a calibration.

use std::path::Path;

use polars::prelude::*;

use super::ReportError;
use super::tables::{atomic_write, write_csv_atomic};
use crate::explore::calibrate::{Calibration, Candidate};
use crate::explore::sensitivity::{Index, IndexRow};
use crate::scenario::Source;
use crate::sweep::spec::set_path;

fn err(table: &str) -> impl Fn(PolarsError) -> ReportError + '_ {
    move |e| ReportError::Table {
        table: table.to_string(),
        message: e.to_string(),
    }
}

fn num(name: &str, xs: impl Iterator<Item = f64>) -> Column {
    let v: Vec<Option<f64>> = xs.map(|x| x.is_finite().then_some(x)).collect();
    Column::new(name.into(), v)
}

fn text(name: &str, xs: impl Iterator<Item = String>) -> Column {
    Column::new(name.into(), xs.collect::<Vec<String>>())
}

/// indices.csv: `figure`, `parameter`, then for Morris `mu`, `mu_star`, `mu_star_low`,
/// `mu_star_high`, `sigma`, `effects`; for Sobol `first`, `first_low`, `first_high`, `total`,
/// `total_low`, `total_high`, `rows` (intervals: 95% bootstrap).
pub fn indices_frame(rows: &[IndexRow]) -> Result<DataFrame, ReportError> {
    let mut cols = vec![
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
        cols.extend([
            num("mu", m.iter().map(|m| m.mu)),
            num("mu_star", m.iter().map(|m| m.mu_star)),
            num("mu_star_low", m.iter().map(|m| m.mu_star_ci.0)),
            num("mu_star_high", m.iter().map(|m| m.mu_star_ci.1)),
            num("sigma", m.iter().map(|m| m.sigma)),
            Column::new(
                "effects".into(),
                m.iter().map(|m| m.effects as u64).collect::<Vec<u64>>(),
            ),
        ]);
    } else if sobol.len() == rows.len() {
        let s = &sobol;
        cols.extend([
            num("first", s.iter().map(|s| s.first)),
            num("first_low", s.iter().map(|s| s.first_ci.0)),
            num("first_high", s.iter().map(|s| s.first_ci.1)),
            num("total", s.iter().map(|s| s.total)),
            num("total_low", s.iter().map(|s| s.total_ci.0)),
            num("total_high", s.iter().map(|s| s.total_ci.1)),
            Column::new(
                "rows".into(),
                s.iter().map(|s| s.rows as u64).collect::<Vec<u64>>(),
            ),
        ]);
    } else {
        return Err(ReportError::Table {
            table: "indices".into(),
            message: "rows of two methods in one table".into(),
        });
    }
    DataFrame::new_infer_height(cols).map_err(err("indices"))
}

/// trace.csv: `evaluation`, `generation`, each parameter, each target figure's mean over the
/// candidate's replications, `failed`, `loss`, and `best_loss` (the lowest loss so far).
pub fn trace_frame(cal: &Calibration, candidates: &[Candidate]) -> Result<DataFrame, ReportError> {
    let c = candidates;
    let mut cols = vec![
        Column::new(
            "evaluation".into(),
            c.iter().map(|c| c.index as u64).collect::<Vec<u64>>(),
        ),
        Column::new(
            "generation".into(),
            c.iter().map(|c| c.generation as u64).collect::<Vec<u64>>(),
        ),
    ];
    for (k, b) in cal.common.bounds.iter().enumerate() {
        cols.push(num(&b.path, c.iter().map(|c| c.values[k])));
    }
    for (j, t) in cal.targets.iter().enumerate() {
        cols.push(num(&t.figure, c.iter().map(|c| c.means[j])));
    }
    cols.push(Column::new(
        "failed".into(),
        c.iter().map(|c| c.failed).collect::<Vec<u32>>(),
    ));
    cols.push(num("loss", c.iter().map(|c| c.loss)));
    let mut best = f64::INFINITY;
    cols.push(num(
        "best_loss",
        c.iter().map(|c| {
            if c.loss < best {
                best = c.loss;
            }
            best
        }),
    ));
    DataFrame::new_infer_height(cols).map_err(err("trace"))
}

/// fit.csv: per target, `figure`, `target`, `tolerance`, `weight`, `simulated` (the best
/// candidate's mean), `error` (simulated - target), `within_tolerance`.
pub fn fit_frame(cal: &Calibration, best: &Candidate) -> Result<DataFrame, ReportError> {
    let t = &cal.targets;
    let cols = vec![
        text("figure", t.iter().map(|t| t.figure.clone())),
        num("target", t.iter().map(|t| t.value)),
        num("tolerance", t.iter().map(|t| t.tolerance)),
        num("weight", t.iter().map(|t| t.weight)),
        num("simulated", best.means.iter().copied()),
        num("error", t.iter().zip(&best.means).map(|(t, m)| m - t.value)),
        Column::new(
            "within_tolerance".into(),
            t.iter()
                .zip(&best.means)
                .map(|(t, m)| (m - t.value).abs() <= t.tolerance)
                .collect::<Vec<bool>>(),
        ),
    ];
    DataFrame::new_infer_height(cols).map_err(err("fit"))
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

/// Write indices.csv into `dir`.
pub fn write_indices(dir: &Path, rows: &[IndexRow]) -> Result<(), ReportError> {
    write_csv_atomic(&dir.join("indices.csv"), &mut indices_frame(rows)?)
}

/// Write trace.csv, and (when a candidate succeeded) fit.csv and best.toml into `dir`.
pub fn write_calibration(
    dir: &Path,
    cal: &Calibration,
    candidates: &[Candidate],
    best: Option<&Candidate>,
) -> Result<(), ReportError> {
    write_csv_atomic(&dir.join("trace.csv"), &mut trace_frame(cal, candidates)?)?;
    match best {
        Some(best) => {
            write_csv_atomic(&dir.join("fit.csv"), &mut fit_frame(cal, best)?)?;
            atomic_write(&dir.join("best.toml"), best_scenario(cal, best).as_bytes())?;
        }
        None => {
            // No candidate succeeded: leave no best of an earlier calibration behind.
            for stale in ["fit.csv", "best.toml"] {
                let _ = std::fs::remove_file(dir.join(stale));
            }
        }
    }
    Ok(())
}
