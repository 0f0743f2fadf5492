//! The output of `tokenmaxx sweep` (and of `merge` of its shards) as one value ([`output`]):
//! runs.csv and its Parquet copy runs.parquet (one row per run), points.csv (per-point
//! statistics), the sweep's charts and report.html ([`super::sweep_html`]); and the Parquet
//! writer every Parquet table goes through.

use std::fs::File;
use std::path::Path;

use polars::prelude::*;

use super::ReportError;
use super::output::{Column as Col, Form, Output, Table};
use crate::projections::figures::figure;
use crate::sweep::aggregate::PointStats;
use crate::sweep::spec::{Point, render_value, value_number};
use crate::sweep::{RunRecord, Sweep, figure_names};

/// The output of a whole sweep: its tables (runs.csv also as runs.parquet), its charts (none with
/// `no_charts`: the report says they were skipped) and report.html (`command`: the command line
/// in its footer).
pub fn output<'a>(
    sweep: &'a Sweep,
    points: &[Point],
    records: &[RunRecord],
    stats: &'a [PointStats],
    no_charts: bool,
    command: &str,
) -> Output<'a> {
    let (report, charts_at) = super::sweep_html::body(sweep, stats, no_charts, command);
    Output {
        headline: super::sweep_html::headline(sweep, stats),
        headline_file: None,
        tables: tables(sweep, points, records, stats),
        charts: if no_charts {
            Vec::new()
        } else {
            super::sweep_html::charts(sweep, stats)
        },
        files: Vec::new(),
        parquet: vec![RUNS_PARQUET],
        report,
        charts_at,
    }
}

/// runs.csv's Parquet copy.
pub const RUNS_PARQUET: (&str, &str) = ("runs.csv", "runs.parquet");

/// runs.csv and points.csv.
pub fn tables(
    sweep: &Sweep,
    points: &[Point],
    records: &[RunRecord],
    stats: &[PointStats],
) -> Vec<Table> {
    vec![
        runs_table(sweep, points, records),
        points_table(sweep, stats),
    ]
}

/// Write runs.csv, runs.parquet and points.csv into `dir` (a staging folder: a sensitivity
/// analysis' sweep tables beside its own).
pub fn write_tables(
    dir: &Path,
    sweep: &Sweep,
    points: &[Point],
    records: &[RunRecord],
    stats: &[PointStats],
) -> Result<(), ReportError> {
    for t in tables(sweep, points, records, stats) {
        t.write(dir)?;
        if t.file == RUNS_PARQUET.0 {
            t.write_parquet(dir, RUNS_PARQUET.1)?;
        }
    }
    Ok(())
}

/// A parameter's values as a column: numbers if they all are, else text.
fn param_column(name: &str, values: &[&toml::Value]) -> Col {
    let nums: Option<Vec<f64>> = values.iter().map(|v| value_number(v)).collect();
    match nums {
        Some(n) => Col::number(name, None, n),
        None => Col::text(name, values.iter().map(|v| render_value(v)).collect()),
    }
}

/// runs.csv: id, point, replication, seed, error, each varied parameter, with priors each drawn
/// parameter, then every summary figure in its unit (empty for a failed run or an undefined
/// figure).
pub fn runs_table(sweep: &Sweep, points: &[Point], records: &[RunRecord]) -> Table {
    let whole =
        |name, get: fn(&RunRecord) -> u64| Col::whole(name, records.iter().map(get).collect());
    let mut columns = vec![
        whole("id", |r| r.id),
        whole("point", |r| r.point),
        Col::new(
            "replication",
            None,
            super::output::Values::Whole32(records.iter().map(|r| r.replication).collect()),
        ),
        whole("seed", |r| r.seed),
        Col::new(
            "error",
            None,
            super::output::Values::MaybeText(records.iter().map(|r| r.error.clone()).collect()),
        ),
    ];
    for (k, (path, _)) in sweep.parameters.iter().enumerate() {
        let vals: Vec<&toml::Value> = records
            .iter()
            .map(|r| &points[r.point as usize][k])
            .collect();
        columns.push(param_column(path, &vals));
    }
    // With [priors], each replication's drawn value of every drawn parameter.
    if let Some(p) = &sweep.priors {
        let draws: Vec<Vec<f64>> = records
            .iter()
            .map(|r| p.draw(sweep.seed, r.replication))
            .collect();
        for (j, name) in p.names().iter().enumerate() {
            columns.push(Col::number(
                *name,
                None,
                draws.iter().map(|d| d[j]).collect(),
            ));
        }
    }
    for (f, name) in figure_names().iter().enumerate() {
        let values = records
            .iter()
            .map(|r| r.figures.get(f).copied().flatten().unwrap_or(f64::NAN))
            .collect();
        columns.push(Col::number(*name, Some(figure(name).unit), values));
    }
    Table {
        file: "runs.csv",
        columns,
        form: Form::Typed,
    }
}

/// points.csv: point, each parameter, runs_ok, runs_failed, then for every figure, in its unit,
/// `<figure>_mean`, `_sd`, `_ci_low`, `_ci_high` (95%, Student's t; empty where undefined).
pub fn points_table(sweep: &Sweep, stats: &[PointStats]) -> Table {
    let count = |name, get: fn(&PointStats) -> u32| {
        Col::new(
            name,
            None,
            super::output::Values::Whole32(stats.iter().map(get).collect()),
        )
    };
    let mut columns = vec![Col::whole("point", stats.iter().map(|s| s.point).collect())];
    for (k, (path, _)) in sweep.parameters.iter().enumerate() {
        let vals: Vec<&toml::Value> = stats.iter().map(|s| &s.values[k]).collect();
        columns.push(param_column(path, &vals));
    }
    columns.push(count("runs_ok", |s| s.runs_ok));
    columns.push(count("runs_failed", |s| s.runs_failed));
    for (f, name) in figure_names().iter().enumerate() {
        let unit = Some(figure(name).unit);
        for (suffix, pick) in [
            (
                "mean",
                (|s: &crate::sweep::aggregate::Stat| s.mean) as fn(&_) -> f64,
            ),
            ("sd", |s| s.sd),
            ("ci_low", |s| s.ci_low),
            ("ci_high", |s| s.ci_high),
        ] {
            let values = stats.iter().map(|s| pick(&s.stats[f])).collect();
            columns.push(Col::number(format!("{name}_{suffix}"), unit, values));
        }
    }
    Table {
        file: "points.csv",
        columns,
        form: Form::Typed,
    }
}

/// Write a DataFrame as Parquet (zstd), strings stored as plain UTF-8 for every reader.
pub fn write_parquet(path: &Path, df: &mut DataFrame) -> Result<(), ReportError> {
    let file = File::create(path).map_err(|source| ReportError::Io {
        path: path.into(),
        source,
    })?;
    write_parquet_to(file, df, &path.display().to_string())
}

/// A DataFrame as the bytes of a Parquet file written as [`write_parquet`] does (the tables of
/// a run handed to Python, exact and typed). `table` names it in errors.
pub fn parquet_bytes(df: &mut DataFrame, table: &str) -> Result<Vec<u8>, ReportError> {
    let mut bytes = Vec::new();
    write_parquet_to(&mut bytes, df, table)?;
    Ok(bytes)
}

fn write_parquet_to<W: std::io::Write>(
    w: W,
    df: &mut DataFrame,
    table: &str,
) -> Result<(), ReportError> {
    let schema = df.schema().to_arrow(CompatLevel::newest());
    let footer = vec![crate::events::store::footer_schema_key(&schema)];
    ParquetWriter::new(w)
        .with_compression(ParquetCompression::Zstd(None))
        .with_key_value_metadata(Some(KeyValueMetadata::Static(footer)))
        .finish(df)
        .map(|_| ())
        .map_err(|e| ReportError::Table {
            table: table.to_string(),
            message: e.to_string(),
        })
}
