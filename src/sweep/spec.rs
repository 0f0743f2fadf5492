//! Sweep files: a base scenario, parameters to vary by dotted path, a design method, replications.
//!
//! ```toml
//! name = "target-vs-leaderboard"
//! base = "target-only"              # built-in name or path (relative to the sweep file)
//! replications = 3
//! method = "grid"                   # grid | random | lhs
//! samples = 20                      # points drawn by random and lhs
//! seed = 1                          # the sweep seed
//!
//! [parameters]
//! "policy.target.share" = [0.5, 0.8, 0.95]                          # values
//! "behaviour.bot_leverage" = { low = 1.0, high = 10.0, steps = 4 }    # a range with steps
//! "behaviour.norm_weight" = { dist = "uniform", low = 0.0, high = 1.0 } # random / lhs
//!
//! [report]
//! figures = ["padding_share", "output_uplift", "roi"]
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::engine::rng::splitmix64;
use crate::scenario::error::nearest;
use crate::scenario::{Overrides, Scenario, ScenarioError, Source, load};

/// Why a sweep file is unusable.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
}

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

/// How the points of a sweep are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Every combination of every parameter's values.
    Grid,
    /// `samples` independent draws.
    Random,
    /// `samples` points of a Latin hypercube.
    Lhs,
    /// Points given by the caller (the designs of `sensitivity` and `calibrate`).
    Given,
}

/// How one parameter varies.
#[derive(Debug, Clone, PartialEq)]
pub enum Axis {
    /// Explicit values (any TOML values: numbers, strings, tables).
    Values(Vec<toml::Value>),
    /// A uniform range, sampled by random and lhs, or by `steps` evenly spaced values in a grid.
    Range {
        low: f64,
        high: f64,
        steps: Option<u32>,
        integer: bool,
    },
}

/// A checked sweep.
#[derive(Debug, Clone)]
pub struct Sweep {
    pub name: String,
    pub base: Source,
    pub replications: u32,
    pub method: Method,
    pub samples: u32,
    pub seed: u64,
    /// Parameters sorted by path, with how they vary.
    pub parameters: Vec<(String, Axis)>,
    /// Summary figures charted.
    pub figures: Vec<String>,
    /// The base scenario's merged table, onto which points are set.
    pub base_table: toml::Table,
    /// The sweep file's text (stored beside shards so `merge` can check them).
    pub text: String,
    /// The points of a [`Method::Given`] design (empty otherwise).
    pub given: Vec<Point>,
    /// File name of the stored copy of `text` in an output folder ([`STORED_SWEEP`] for sweeps).
    pub stored_as: &'static str,
}

/// File names of a sweep's stored copy in its output folders.
pub const STORED_SWEEP: &str = "sweep.toml";
pub const STORED_BASE: &str = "base.toml";

/// Default figures charted per point.
pub const DEFAULT_FIGURES: &[&str] = &[
    "net_value_per_employee_year_usd",
    "padding_share",
    "output_uplift",
    "roi",
    "annual_cost_per_employee_usd",
    "incidents",
];

/// One point of the design: a value per parameter.
pub type Point = Vec<toml::Value>;

/// Most points a sweep's design may have (`steps` and `samples` included): the design is held in
/// memory, and each point is run `replications` times.
pub const MAX_POINTS: u32 = 1 << 20;

impl Sweep {
    /// Read and check a sweep file.
    pub fn load(path: &Path) -> Result<Sweep, SweepError> {
        Self::parse(&read_spec(path)?, path)
    }

    /// Check a sweep's text; `path` names it and anchors a relative `base`.
    pub fn parse(text: &str, path: &Path) -> Result<Sweep, SweepError> {
        Self::parse_with_base(text, path, None)
    }

    /// Read the copy of a sweep kept in an output folder (`sweep.toml` and the resolved
    /// `base.toml`), so a merge does not depend on where the base file was.
    pub fn load_stored(dir: &Path) -> Result<Sweep, SweepError> {
        let base = read_stored_base(dir)?;
        let path = dir.join(STORED_SWEEP);
        Self::parse_with_base(&read_spec(&path)?, &path, Some(base))
    }

    /// Write the copy `load_stored` reads.
    pub fn store(&self, dir: &Path) -> std::io::Result<()> {
        let write = |name: &str, text: &str| {
            let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
            std::fs::write(&tmp, text)
                .and_then(|()| std::fs::rename(&tmp, dir.join(name)))
                .inspect_err(|_| {
                    let _ = std::fs::remove_file(&tmp);
                })
        };
        write(self.stored_as, &self.text)?;
        write(
            STORED_BASE,
            &toml::to_string(&self.base_table).unwrap_or_default(),
        )
    }

    fn parse_with_base(
        text: &str,
        path: &Path,
        base_table: Option<toml::Table>,
    ) -> Result<Sweep, SweepError> {
        let file = path.display().to_string();
        let invalid = |m: String| SweepError::Invalid {
            file: file.clone(),
            message: m,
        };
        let raw: RawSweep = toml::from_str(text).map_err(|e| {
            let (line, col) = e
                .span()
                .map(|s| load::line_col(text, s.start))
                .unwrap_or((1, 1));
            invalid(format!("line {line}, column {col}: {}", e.message().trim()))
        })?;
        let method = match raw.method.as_str() {
            "grid" => Method::Grid,
            "random" => Method::Random,
            "lhs" => Method::Lhs,
            other => {
                return Err(invalid(format!(
                    "`method` = \"{other}\" is not one of \"grid\", \"random\", \"lhs\""
                )));
            }
        };
        if raw.replications == 0 {
            return Err(invalid("`replications` must be at least 1".into()));
        }
        let samples = match (method, raw.samples) {
            (Method::Grid, _) => 0,
            (_, Some(n)) if (1..=MAX_POINTS).contains(&n) => n,
            (_, Some(n)) if n > 0 => {
                return Err(invalid(format!(
                    "`samples` = {n}: need 1 to {MAX_POINTS} points"
                )));
            }
            _ => return Err(invalid("random and lhs sweeps need `samples` >= 1".into())),
        };
        let base = match Source::parse(&raw.base) {
            Source::Path(p) if p.is_relative() => {
                Source::Path(path.parent().map(|d| d.join(&p)).unwrap_or(p))
            }
            other => other,
        };
        let base_table = match base_table {
            Some(t) => t,
            None => load::resolve(&base)?.table,
        };
        let mut parameters = Vec::new();
        for (key, value) in &raw.parameters {
            check_path(&base_table, key, &file)?;
            let axis = parse_axis(key, value, method).map_err(&invalid)?;
            parameters.push((key.clone(), axis));
        }
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
        };
        // Count the points before building them: a grid has the product of every parameter's
        // count, which a few parameters can take past any memory.
        match sweep.point_count() {
            Some(0) => return Err(invalid("the design has no points".into())),
            Some(n) if n <= u64::from(MAX_POINTS) => {}
            n => {
                let counts: Vec<String> = sweep
                    .parameters
                    .iter()
                    .map(|(k, axis)| format!("`{k}` {}", axis_len(axis)))
                    .collect();
                return Err(invalid(format!(
                    "the grid has {} points ({}), more than the {MAX_POINTS} a sweep may have: use fewer values or `steps`, or method = \"random\" or \"lhs\"",
                    n.map_or_else(|| "over 2^64".to_string(), |n| n.to_string()),
                    counts.join(" x ")
                )));
            }
        }
        Ok(sweep)
    }

    /// The number of points of the design, without building them (`None` past `u64`).
    pub fn point_count(&self) -> Option<u64> {
        match self.method {
            Method::Grid => self
                .parameters
                .iter()
                .try_fold(1u64, |n, (_, axis)| n.checked_mul(axis_len(axis))),
            Method::Random | Method::Lhs => Some(u64::from(self.samples)),
            Method::Given => Some(self.given.len() as u64),
        }
    }

    /// The design's points, in a fixed order.
    pub fn points(&self) -> Vec<Point> {
        match self.method {
            Method::Grid => {
                let mut points: Vec<Point> = vec![Vec::new()];
                for (_, axis) in &self.parameters {
                    let values = axis_values(axis);
                    points = points
                        .into_iter()
                        .flat_map(|p| {
                            values.iter().map(move |v| {
                                let mut q = p.clone();
                                q.push(v.clone());
                                q
                            })
                        })
                        .collect();
                }
                points
            }
            Method::Random | Method::Lhs => {
                let n = self.samples as usize;
                let mut rng = SplitMix(splitmix64(self.seed ^ 0x5eed_0f_5eed));
                // Per parameter: a column of n unit draws (lhs: one per stratum, shuffled).
                let columns: Vec<Vec<f64>> = self
                    .parameters
                    .iter()
                    .map(|_| {
                        let mut col: Vec<f64> = (0..n)
                            .map(|i| match self.method {
                                Method::Lhs => (i as f64 + rng.unit()) / n as f64,
                                _ => rng.unit(),
                            })
                            .collect();
                        if self.method == Method::Lhs {
                            for i in (1..n).rev() {
                                let j = (rng.next() % (i as u64 + 1)) as usize;
                                col.swap(i, j);
                            }
                        }
                        col
                    })
                    .collect();
                (0..n)
                    .map(|i| {
                        self.parameters
                            .iter()
                            .zip(&columns)
                            .map(|((_, axis), col)| axis_at(axis, col[i]))
                            .collect()
                    })
                    .collect()
            }
            Method::Given => self.given.clone(),
        }
    }

    /// Number of runs: points x replications.
    pub fn runs(&self) -> u64 {
        self.points().len() as u64 * self.replications as u64
    }

    /// Point and replication of a run id.
    pub fn split_id(&self, id: u64) -> (u64, u32) {
        (
            id / self.replications as u64,
            (id % self.replications as u64) as u32,
        )
    }

    /// The seed of a run: from the sweep seed and the replication part of its id, so the points
    /// of one replication share random numbers (common random numbers make points comparable).
    /// 63 bits, so it fits a TOML integer and any run can be written out as a scenario file.
    pub fn run_seed(&self, replication: u32) -> u64 {
        splitmix64(self.seed ^ splitmix64(replication as u64 + 1)) >> 1
    }

    /// The scenario of one run.
    pub fn scenario(&self, point: &Point, replication: u32) -> Result<Scenario, ScenarioError> {
        let mut table = self.base_table.clone();
        for ((path, _), value) in self.parameters.iter().zip(point) {
            set_path(&mut table, path, value.clone());
        }
        let label = format!(
            "{} point {}",
            self.name,
            render_point(&self.parameters, point)
        );
        let o = Overrides {
            seed: Some(self.run_seed(replication)),
            ..Overrides::default()
        };
        Ok(Scenario::from_table(table, &label, &o)?.0)
    }
}

/// Read a sweep (or sensitivity, calibration) spec, or name it in the error.
pub fn read_spec(path: &Path) -> Result<String, SweepError> {
    load::read_text(path).map_err(|source| SweepError::Io {
        path: path.into(),
        source,
    })
}

/// Read the resolved base scenario kept in an output folder ([`STORED_BASE`]).
pub fn read_stored_base(dir: &Path) -> Result<toml::Table, SweepError> {
    let path = dir.join(STORED_BASE);
    read_spec(&path)?
        .parse()
        .map_err(|e: toml::de::Error| SweepError::Invalid {
            file: path.display().to_string(),
            message: e.message().to_string(),
        })
}

/// "policy.target.share=0.8, ..." for messages.
pub fn render_point(parameters: &[(String, Axis)], point: &Point) -> String {
    parameters
        .iter()
        .zip(point)
        .map(|((k, _), v)| format!("{k}={}", render_value(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A value as a CSV cell: numbers and strings plain, tables as inline TOML.
pub fn render_value(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Table(t) => format!(
            "{{ {} }}",
            t.iter()
                .map(|(k, v)| format!("{k} = {}", v))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

/// A value as a number, where it is one.
pub fn value_number(v: &toml::Value) -> Option<f64> {
    match v {
        toml::Value::Float(f) => Some(*f),
        toml::Value::Integer(i) => Some(*i as f64),
        _ => None,
    }
}

/// The number of values of an axis in a grid.
fn axis_len(axis: &Axis) -> u64 {
    match axis {
        Axis::Values(v) => v.len() as u64,
        Axis::Range { steps, .. } => u64::from(steps.unwrap_or(2).max(1)),
    }
}

fn axis_values(axis: &Axis) -> Vec<toml::Value> {
    match axis {
        Axis::Values(v) => v.clone(),
        Axis::Range {
            low,
            high,
            steps,
            integer,
        } => {
            let n = steps.unwrap_or(2).max(1);
            (0..n)
                .map(|i| {
                    let x = if n == 1 {
                        *low
                    } else {
                        low + (high - low) * i as f64 / (n - 1) as f64
                    };
                    number(x, *integer)
                })
                .collect()
        }
    }
}

fn axis_at(axis: &Axis, u: f64) -> toml::Value {
    match axis {
        Axis::Values(v) => v[((u * v.len() as f64) as usize).min(v.len() - 1)].clone(),
        Axis::Range {
            low, high, integer, ..
        } => number(low + (high - low) * u, *integer),
    }
}

fn number(x: f64, integer: bool) -> toml::Value {
    if integer {
        toml::Value::Integer(x.round() as i64)
    } else {
        toml::Value::Float(x)
    }
}

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
    let known = super::figure_names();
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

/// Set `value` at a dotted path, creating tables on the way.
pub fn set_path(table: &mut toml::Table, path: &str, value: toml::Value) {
    let mut parts: Vec<&str> = path.split('.').collect();
    let last = parts.pop().expect("non-empty path");
    let mut t = table;
    for p in parts {
        let entry = t
            .entry(p.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if !entry.is_table() {
            *entry = toml::Value::Table(toml::Table::new());
        }
        t = entry.as_table_mut().expect("a table");
    }
    t.insert(last.to_string(), value);
}

/// Refuse a path that is not a scenario parameter, suggesting the nearest valid one.
pub(crate) fn check_path(base: &toml::Table, path: &str, file: &str) -> Result<(), SweepError> {
    let invalid = |m: String| SweepError::Invalid {
        file: file.to_string(),
        message: m,
    };
    if path.split('.').any(str::is_empty) || path.starts_with("timeline") {
        return Err(invalid(format!(
            "`{path}` is not a parameter path (timeline entries cannot be swept; vary `policy.*` or a base file)"
        )));
    }
    let valid = valid_paths(base);
    if valid.iter().any(|v| v == path) {
        return Ok(());
    }
    let hint = nearest(path, valid.iter().map(String::as_str))
        .map(|n| format!("; did you mean `{n}`?"))
        .unwrap_or_default();
    Err(invalid(format!("unknown parameter path `{path}`{hint}")))
}

/// Every dotted path a sweep may set: the leaves and tables of the base scenario, plus the
/// policies that can be switched on in `[policy]`.
pub fn valid_paths(base: &toml::Table) -> Vec<String> {
    fn walk(prefix: &str, t: &toml::Table, out: &mut Vec<String>) {
        for (k, v) in t {
            let p = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            if p == "timeline" {
                continue;
            }
            out.push(p.clone());
            if let toml::Value::Table(sub) = v {
                walk(&p, sub, out);
            }
        }
    }
    let mut out = Vec::new();
    walk("", base, &mut out);
    let mut policy = BTreeMap::new();
    policy.insert("target", vec!["share", "theta", "applies_to"]);
    policy.insert("leaderboard", vec!["scope", "visibility"]);
    policy.insert("platform", vec!["permission_scope"]);
    policy.insert("statement", vec!["credibility"]);
    policy.insert(
        "managers",
        vec![
            "attention",
            "nudge",
            "review_token_weight",
            "review_every",
            "review_learning",
            "target_pressure",
            "review_noise",
        ],
    );
    policy.insert("budget", vec!["tokens_per_week", "salary_share"]);
    for (k, fields) in policy {
        out.push(format!("policy.{k}"));
        out.extend(fields.iter().map(|f| format!("policy.{k}.{f}")));
    }
    out.push("policy.costs_visible".into());
    out.push("policy.outcome_metrics".into());
    out.sort();
    out.dedup();
    out
}

/// A tiny deterministic generator for designs (SplitMix64).
struct SplitMix(u64);
impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        splitmix64(self.0)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sweep(text: &str) -> Sweep {
        Sweep::parse(text, Path::new("t.toml")).unwrap()
    }

    #[test]
    fn lhs_puts_one_sample_in_each_stratum_of_each_parameter() {
        let s = sweep(
            "base = \"baseline\"\nmethod = \"lhs\"\nsamples = 10\nseed = 3\n[parameters]\n\"behaviour.uplift\" = { low = 0.0, high = 1.0 }\n\"behaviour.norm_weight\" = { low = 0.0, high = 1.0 }\n",
        );
        let points = s.points();
        assert_eq!(points.len(), 10);
        for k in 0..2 {
            let mut strata: Vec<usize> = points
                .iter()
                .map(|p| (value_number(&p[k]).unwrap() * 10.0) as usize)
                .collect();
            strata.sort();
            assert_eq!(strata, (0..10).collect::<Vec<_>>());
        }
        // Deterministic for a seed, different for another.
        assert_eq!(points, s.points());
        let other = sweep(&s.text.replace("seed = 3", "seed = 4"));
        assert_ne!(points, other.points());
    }

    #[test]
    fn grid_is_the_cartesian_product_and_ids_split_into_point_and_replication() {
        let s = sweep(
            "base = \"baseline\"\nreplications = 3\n[parameters]\n\"behaviour.uplift\" = [0.5, 1.0]\n\"seed\" = { low = 1, high = 3, steps = 3 }\n",
        );
        assert_eq!(s.points().len(), 6);
        assert_eq!(s.runs(), 18);
        assert_eq!(s.split_id(7), (2, 1));
        assert_eq!(s.points()[5][1], toml::Value::Integer(3));
        assert_eq!(s.run_seed(1), s.run_seed(1));
        assert_ne!(s.run_seed(0), s.run_seed(1));
    }
}
