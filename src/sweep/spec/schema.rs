//! The sweep file's schema: the serde mirror of the file, and the checks that turn it into a
//! [`Sweep`].

use std::path::Path;

use serde::Deserialize;

use super::path::check_path;
use super::priors::Priors;
use super::value::value_number;
use super::{
    Axis, DEFAULT_FIGURES, MAX_POINTS, MAX_REPLICATIONS, MAX_RUNS, Method, STORED_SWEEP, Sweep,
    SweepError,
};
use crate::projections::figures::FIGURES;
use crate::scenario::error::nearest;
use crate::scenario::{Source, load};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSweep {
    name: Option<String>,
    base: String,
    #[serde(default = "one")]
    replications: u32,
    #[serde(default = "grid")]
    method: String,
    samples: Option<u32>,
    #[serde(default)]
    seed: u64,
    #[serde(default)]
    parameters: toml::Table,
    #[serde(default)]
    report: RawReport,
    /// Per-replication draws of parameters: `from = "calibrated"` (or "unanchored") or ranges.
    priors: Option<toml::Table>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReport {
    figures: Option<Vec<String>>,
}

fn one() -> u32 {
    1
}
fn grid() -> String {
    "grid".into()
}

/// Check a sweep's text (`path` names it and anchors a relative `base`); `base_table` is the
/// resolved base kept in an output folder, else the base is resolved from the file's `base`.
pub(super) fn parse_with_base(
    text: &str,
    path: &Path,
    base_table: Option<toml::Table>,
) -> Result<Sweep, SweepError> {
    let file = path.display().to_string();
    let invalid = |m: String| SweepError::Invalid {
        file: file.clone(),
        message: m,
    };
    let raw = parse_raw(text).map_err(&invalid)?;
    let method = parse_method(&raw.method).map_err(&invalid)?;
    if !(1..=MAX_REPLICATIONS).contains(&raw.replications) {
        return Err(invalid(format!(
            "`replications` = {}: need 1 to {MAX_REPLICATIONS}",
            raw.replications
        )));
    }
    let samples = check_samples(method, raw.samples).map_err(&invalid)?;
    let base = resolve_base(&raw.base, path);
    let mut inputs = vec![path.to_path_buf()];
    let base_table = match base_table {
        Some(t) => t,
        None => {
            let resolved = load::resolve(&base)?;
            inputs.extend(resolved.files);
            resolved.table
        }
    };
    let parameters = parse_parameters(&raw.parameters, &base_table, method, &file)?;
    let name = raw.name.clone().unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "sweep".into())
    });
    crate::paths::check_name(&name).map_err(|m| invalid(format!("`name`: {m}")))?;
    let figures = raw
        .report
        .figures
        .unwrap_or_else(|| DEFAULT_FIGURES.iter().map(|s| s.to_string()).collect());
    check_figures(&figures, "[report] figures").map_err(&invalid)?;
    let priors = match &raw.priors {
        Some(t) => {
            let swept: Vec<&str> = parameters.iter().map(|(p, _)| p.as_str()).collect();
            Some(parse_priors(t, &swept, &file)?)
        }
        None => None,
    };
    let sweep = Sweep {
        name,
        base,
        replications: raw.replications,
        method,
        samples,
        seed: raw.seed,
        parameters,
        figures,
        base_table,
        text: text.to_string(),
        given: Vec::new(),
        stored_as: STORED_SWEEP,
        inputs,
        priors,
    };
    check_point_count(&sweep).map_err(&invalid)?;
    Ok(sweep)
}

/// A sweep's `[priors]`: `from = "calibrated"` or `"unanchored"` (the shipped priors, kept in
/// the binary, so a stored sweep needs no other file), or ranges as a priors file's
/// `[parameters]`. A parameter may not be both swept and drawn.
pub(crate) fn parse_priors(
    t: &toml::Table,
    parameters: &[&str],
    file: &str,
) -> Result<Priors, SweepError> {
    let invalid = |m: String| SweepError::Invalid {
        file: file.to_string(),
        message: format!("[priors]: {m}"),
    };
    let priors = match t.get("from") {
        Some(toml::Value::String(name)) if t.len() == 1 => match name.as_str() {
            "calibrated" | "unanchored" => {
                Priors::load(name)?.ok_or_else(|| invalid("no priors".into()))?
            }
            other => {
                return Err(invalid(format!(
                    "`from` = \"{other}\" is not one of \"calibrated\", \"unanchored\" (or list ranges)"
                )));
            }
        },
        Some(_) => {
            return Err(invalid(
                "`from` names the shipped priors alone (\"calibrated\" or \"unanchored\")".into(),
            ));
        }
        None => {
            let mut wrapped = toml::Table::new();
            wrapped.insert("parameters".into(), toml::Value::Table(t.clone()));
            let text = toml::to_string(&wrapped).map_err(|e| invalid(e.to_string()))?;
            Priors::parse(&text, &format!("{file} [priors]"))?
        }
    };
    for path in parameters {
        if priors.names().contains(path) {
            return Err(invalid(format!(
                "`{path}` is both varied ([parameters]) and drawn ([priors]): keep one"
            )));
        }
    }
    Ok(priors)
}

/// The file's serde mirror, or the TOML error with its line and column.
fn parse_raw(text: &str) -> Result<RawSweep, String> {
    toml::from_str(text).map_err(|e: toml::de::Error| {
        let (line, col) = e
            .span()
            .map(|s| load::line_col(text, s.start))
            .unwrap_or((1, 1));
        format!("line {line}, column {col}: {}", e.message().trim())
    })
}

/// The design method by name: `grid`, `random` or `lhs`.
fn parse_method(name: &str) -> Result<Method, String> {
    match Method::parse(name) {
        Some(m) if Method::IN_FILES.contains(&m) => Ok(m),
        _ => {
            let words: Vec<String> = Method::IN_FILES
                .iter()
                .map(|m| format!("\"{}\"", m.as_str()))
                .collect();
            Err(format!(
                "`method` = \"{name}\" is not one of {}",
                words.join(", ")
            ))
        }
    }
}

/// The number of points drawn: 0 for a grid; 1 to [`MAX_POINTS`], stated, for random and lhs.
fn check_samples(method: Method, samples: Option<u32>) -> Result<u32, String> {
    match (method, samples) {
        (Method::Grid, _) => Ok(0),
        (_, Some(n)) if (1..=MAX_POINTS).contains(&n) => Ok(n),
        (_, Some(n)) if n > 0 => Err(format!("`samples` = {n}: need 1 to {MAX_POINTS} points")),
        _ => Err("random and lhs sweeps need `samples` >= 1".into()),
    }
}

/// The base scenario: a built-in name, or a path (a relative one is relative to the sweep file).
fn resolve_base(base: &str, path: &Path) -> Source {
    match Source::parse(base) {
        Source::Path(p) if p.is_relative() => {
            Source::Path(path.parent().map(|d| d.join(&p)).unwrap_or(p))
        }
        other => other,
    }
}

/// The `[parameters]`, in path order: each a parameter path of the base, with its axis.
fn parse_parameters(
    parameters: &toml::Table,
    base_table: &toml::Table,
    method: Method,
    file: &str,
) -> Result<Vec<(String, Axis)>, SweepError> {
    let mut out = Vec::new();
    for (key, value) in parameters {
        check_path(base_table, key, file)?;
        let axis = parse_axis(key, value, method).map_err(|m| SweepError::Invalid {
            file: file.to_string(),
            message: m,
        })?;
        out.push((key.clone(), axis));
    }
    Ok(out)
}

/// Refuse a design with no points or more than [`MAX_POINTS`], counting them before building
/// them: a grid has the product of every parameter's count, which a few parameters can take
/// past any memory.
fn check_point_count(sweep: &Sweep) -> Result<(), String> {
    let reps = u64::from(sweep.replications);
    match sweep.point_count() {
        Some(0) => Err("the design has no points".into()),
        Some(n) if n <= u64::from(MAX_POINTS) && n * reps > MAX_RUNS => Err(format!(
            "{n} points x `replications` = {reps} is {} runs, more than the {MAX_RUNS} a sweep may have: use fewer points or replications",
            n * reps
        )),
        Some(n) if n <= u64::from(MAX_POINTS) => Ok(()),
        n => {
            let counts: Vec<String> = sweep
                .parameters
                .iter()
                .map(|(k, axis)| format!("`{k}` {}", super::design::axis_len(axis)))
                .collect();
            Err(format!(
                "the grid has {} points ({}), more than the {MAX_POINTS} a sweep may have: use fewer values or `steps`, or method = \"random\" or \"lhs\"",
                n.map_or_else(|| "over 2^64".to_string(), |n| n.to_string()),
                counts.join(" x ")
            ))
        }
    }
}

/// One parameter's axis: a list of values, a range table (`low`, `high`, `steps`,
/// `dist = "uniform"`), or a single value.
fn parse_axis(key: &str, value: &toml::Value, method: Method) -> Result<Axis, String> {
    match value {
        toml::Value::Array(values) if !values.is_empty() => Ok(Axis::Values(values.clone())),
        toml::Value::Array(_) => Err(format!("`{key}`: an empty list of values")),
        toml::Value::Table(t) => {
            let num = |k: &str| t.get(k).and_then(value_number);
            for k in t.keys() {
                if !["low", "high", "steps", "dist"].contains(&k.as_str()) {
                    return Err(format!(
                        "`{key}`: unknown key `{k}` (a range takes low, high, steps, dist = \"uniform\")"
                    ));
                }
            }
            if let Some(d) = t.get("dist")
                && d.as_str() != Some("uniform")
            {
                return Err(format!(
                    "`{key}`: only dist = \"uniform\" ranges are supported"
                ));
            }
            let (Some(low), Some(high)) = (num("low"), num("high")) else {
                return Err(format!("`{key}`: a range needs numeric `low` and `high`"));
            };
            if !(low.is_finite() && high.is_finite() && low <= high) {
                return Err(format!(
                    "`{key}`: need finite low <= high, got {low} and {high}"
                ));
            }
            let steps = match t.get("steps") {
                Some(toml::Value::Integer(s)) if (1..=i64::from(MAX_POINTS)).contains(s) => {
                    Some(*s as u32)
                }
                Some(s) => {
                    return Err(format!(
                        "`{key}`: `steps` = {s} must be a whole number in [1, {MAX_POINTS}]"
                    ));
                }
                None if method == Method::Grid => {
                    return Err(format!("`{key}`: a range in a grid sweep needs `steps`"));
                }
                None => None,
            };
            let integer = matches!(t.get("low"), Some(toml::Value::Integer(_)))
                && matches!(t.get("high"), Some(toml::Value::Integer(_)));
            Ok(Axis::Range {
                low,
                high,
                steps,
                integer,
            })
        }
        other => Ok(Axis::Values(vec![other.clone()])),
    }
}

/// Refuse names that are not summary figures (suggesting the nearest); `what` names the key.
pub(crate) fn check_figures(figures: &[String], what: &str) -> Result<(), String> {
    let known: Vec<&str> = FIGURES.iter().map(|f| f.name).collect();
    for f in figures {
        if !known.contains(&f.as_str()) {
            let hint = nearest(f, known.iter().copied())
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_default();
            return Err(format!("{what}: `{f}` is not a summary figure{hint}"));
        }
    }
    Ok(())
}
