//! Sweep tables: runs.csv / runs.parquet (one row per run) and points.csv (per-point statistics).

use std::fs::File;
use std::path::Path;

use polars::prelude::*;

use super::ReportError;
use crate::sweep::aggregate::PointStats;
use crate::sweep::spec::{Point, render_value, value_number};
use crate::sweep::{RunRecord, Sweep, figure_names};

fn err(table: &str) -> impl Fn(PolarsError) -> ReportError + '_ {
    move |e| ReportError::Table {
        table: table.to_string(),
        message: e.to_string(),
    }
}

/// A parameter's values as a column: numbers if they all are, else text.
fn param_column(name: &str, values: &[&toml::Value]) -> Column {
    let nums: Option<Vec<f64>> = values.iter().map(|v| value_number(v)).collect();
    match nums {
        Some(n) => Column::new(name.into(), n),
        None => Column::new(
            name.into(),
            values
                .iter()
                .map(|v| render_value(v))
                .collect::<Vec<String>>(),
        ),
    }
}

/// runs.csv as a DataFrame: id, point, replication, seed, error, each varied parameter, every
/// summary figure (null for a failed run or an undefined figure).
pub fn runs_frame(
    sweep: &Sweep,
    points: &[Point],
    records: &[RunRecord],
) -> Result<DataFrame, ReportError> {
    let mut cols = vec![
        Column::new(
            "id".into(),
            records.iter().map(|r| r.id).collect::<Vec<u64>>(),
        ),
        Column::new(
            "point".into(),
            records.iter().map(|r| r.point).collect::<Vec<u64>>(),
        ),
        Column::new(
            "replication".into(),
            records.iter().map(|r| r.replication).collect::<Vec<u32>>(),
        ),
        Column::new(
            "seed".into(),
            records.iter().map(|r| r.seed).collect::<Vec<u64>>(),
        ),
        Column::new(
            "error".into(),
            records
                .iter()
                .map(|r| r.error.clone())
                .collect::<Vec<Option<String>>>(),
        ),
    ];
    for (k, (path, _)) in sweep.parameters.iter().enumerate() {
        let vals: Vec<&toml::Value> = records
            .iter()
            .map(|r| &points[r.point as usize][k])
            .collect();
        cols.push(param_column(path, &vals));
    }
    // With [priors], each replication's drawn value of every drawn parameter.
    if let Some(p) = &sweep.priors {
        let draws: Vec<Vec<f64>> = records
            .iter()
            .map(|r| p.draw(sweep.seed, r.replication))
            .collect();
        for (j, name) in p.names().iter().enumerate() {
            let values: Vec<f64> = draws.iter().map(|d| d[j]).collect();
            cols.push(Column::new((*name).into(), values));
        }
    }
    for (f, name) in figure_names().iter().enumerate() {
        cols.push(Column::new(
            (*name).into(),
            records
                .iter()
                .map(|r| r.figures.get(f).copied().flatten())
                .collect::<Vec<Option<f64>>>(),
        ));
    }
    DataFrame::new_infer_height(cols).map_err(err("runs"))
}

/// points.csv as a DataFrame: point, each parameter, runs_ok, runs_failed, then for every figure
/// `<figure>_mean`, `_sd`, `_ci_low`, `_ci_high` (95%, Student's t; null where undefined).
pub fn points_frame(sweep: &Sweep, stats: &[PointStats]) -> Result<DataFrame, ReportError> {
    let mut cols = vec![Column::new(
        "point".into(),
        stats.iter().map(|s| s.point).collect::<Vec<u64>>(),
    )];
    for (k, (path, _)) in sweep.parameters.iter().enumerate() {
        let vals: Vec<&toml::Value> = stats.iter().map(|s| &s.values[k]).collect();
        cols.push(param_column(path, &vals));
    }
    cols.push(Column::new(
        "runs_ok".into(),
        stats.iter().map(|s| s.runs_ok).collect::<Vec<u32>>(),
    ));
    cols.push(Column::new(
        "runs_failed".into(),
        stats.iter().map(|s| s.runs_failed).collect::<Vec<u32>>(),
    ));
    let finite = |x: f64| x.is_finite().then_some(x);
    for (f, name) in figure_names().iter().enumerate() {
        for (suffix, pick) in [
            (
                "mean",
                (|s: &crate::sweep::aggregate::Stat| s.mean) as fn(&_) -> f64,
            ),
            ("sd", |s| s.sd),
            ("ci_low", |s| s.ci_low),
            ("ci_high", |s| s.ci_high),
        ] {
            cols.push(Column::new(
                format!("{name}_{suffix}").into(),
                stats
                    .iter()
                    .map(|s| finite(pick(&s.stats[f])))
                    .collect::<Vec<Option<f64>>>(),
            ));
        }
    }
    DataFrame::new_infer_height(cols).map_err(err("points"))
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

/// Write runs.csv, runs.parquet and points.csv into `dir`, each via a temporary file and a rename.
pub fn write_tables(
    dir: &Path,
    sweep: &Sweep,
    points: &[Point],
    records: &[RunRecord],
    stats: &[PointStats],
) -> Result<(), ReportError> {
    let tmp = |name: &str| dir.join(crate::paths::temp_name(name));
    let commit = |name: &str| {
        std::fs::rename(tmp(name), dir.join(name)).map_err(|source| ReportError::Io {
            path: dir.join(name),
            source,
        })
    };
    let files = ["runs.csv", "runs.parquet", "points.csv"];
    let written = runs_frame(sweep, points, records).and_then(|mut runs| {
        super::tables::write_csv(&tmp(files[0]), &mut runs)?;
        write_parquet(&tmp(files[1]), &mut runs)?;
        super::tables::write_csv(&tmp(files[2]), &mut points_frame(sweep, stats)?)
    });
    if written.is_err() {
        // A full disk leaves no temporary files behind.
        for f in files {
            let _ = std::fs::remove_file(tmp(f));
        }
    }
    written?;
    for f in files {
        commit(f)?;
    }
    Ok(())
}
