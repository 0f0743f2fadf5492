//! What the sensitivity and calibration specs share: a base scenario with fixed settings, and
//! parameters with bounds. Each spec is mapped onto a [`Sweep`] of given points, so both run
//! through the sweep runner (same seeds, journal, resume).

use std::path::Path;

use crate::scenario::{Source, load};
use crate::sweep::spec::priors::Priors;
use crate::sweep::spec::{Axis, Method, Point, check_path, parse_priors, set_path, value_number};
use crate::sweep::{Sweep, SweepError};

/// One explored parameter: a dotted scenario path and its bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct Bound {
    pub path: String,
    pub low: f64,
    pub high: f64,
    /// Both bounds were written as integers: values are rounded.
    pub integer: bool,
}

impl Bound {
    /// The parameter's value at `u` in [0, 1].
    pub fn at(&self, u: f64) -> f64 {
        let x = self.low + (self.high - self.low) * u;
        if self.integer { x.round() } else { x }
    }

    /// The same, as the TOML value set on the scenario.
    pub fn value(&self, u: f64) -> toml::Value {
        if self.integer {
            toml::Value::Integer(self.at(u) as i64)
        } else {
            toml::Value::Float(self.at(u))
        }
    }
}

/// The common part of an exploration spec, checked.
#[derive(Debug, Clone)]
pub struct Common {
    pub name: String,
    pub base: Source,
    /// The base scenario's merged table with `[fixed]` applied.
    pub base_table: toml::Table,
    pub replications: u32,
    pub seed: u64,
    /// The `[fixed]` settings (already applied to `base_table`).
    pub fixed: toml::Table,
    pub bounds: Vec<Bound>,
    /// Parameters drawn per replication (`[priors]`, as in a sweep): the same draw for every
    /// point of a replication, recorded in runs.csv.
    pub priors: Option<Priors>,
    /// The spec file's text and name.
    pub text: String,
    pub file: String,
    /// The files read: the spec file, and the base scenario's file and `extends` layers: what an
    /// output folder must not hold.
    pub inputs: Vec<std::path::PathBuf>,
}

/// The raw common fields, as each spec's serde mirror reads them.
pub(crate) struct RawCommon<'a> {
    pub name: Option<&'a str>,
    pub base: &'a str,
    pub replications: u32,
    pub seed: u64,
    pub fixed: &'a toml::Table,
    pub parameters: &'a toml::Table,
    pub priors: Option<&'a toml::Table>,
}

/// The [`RawCommon`] of a spec's serde mirror (every mirror names the common fields alike).
macro_rules! raw_common {
    ($raw:expr) => {
        $crate::explore::spec::RawCommon {
            name: $raw.name.as_deref(),
            base: &$raw.base,
            replications: $raw.replications,
            seed: $raw.seed,
            fixed: &$raw.fixed,
            parameters: &$raw.parameters,
            priors: $raw.priors.as_ref(),
        }
    };
}
pub(crate) use raw_common;

/// A spec's error at `file`.
pub(crate) fn invalid(file: &str, message: impl Into<String>) -> SweepError {
    SweepError::Invalid {
        file: file.to_string(),
        message: message.into(),
    }
}

/// Parse a spec's TOML into its serde mirror, naming the line and column of a mistake.
pub(crate) fn from_toml<T: serde::de::DeserializeOwned>(
    text: &str,
    file: &str,
) -> Result<T, SweepError> {
    toml::from_str(text).map_err(|e| {
        let (line, col) = e
            .span()
            .map(|s| load::line_col(text, s.start))
            .unwrap_or((1, 1));
        invalid(
            file,
            format!("line {line}, column {col}: {}", e.message().trim()),
        )
    })
}

impl Common {
    /// Check the common fields. `stored_base` is the base table kept in an output folder (used
    /// instead of resolving `base` again when merging or resuming from a stored copy).
    pub(crate) fn check(
        raw: RawCommon<'_>,
        text: &str,
        path: &Path,
        stored_base: Option<toml::Table>,
    ) -> Result<Common, SweepError> {
        let file = path.display().to_string();
        if raw.replications == 0 {
            return Err(invalid(&file, "`replications` must be at least 1"));
        }
        let base = match Source::parse(raw.base) {
            Source::Path(p) if p.is_relative() => {
                Source::Path(path.parent().map(|d| d.join(&p)).unwrap_or(p))
            }
            other => other,
        };
        let mut inputs = vec![path.to_path_buf()];
        let mut base_table = match stored_base {
            Some(t) => t,
            None => {
                let resolved = load::resolve(&base)?;
                inputs.extend(resolved.files);
                resolved.table
            }
        };
        for (key, value) in raw.fixed {
            check_path(&base_table, key, &file)?;
            set_path(&mut base_table, key, value.clone());
        }
        if raw.parameters.is_empty() {
            return Err(invalid(
                &file,
                "[parameters] is empty: name at least one parameter with { low, high }",
            ));
        }
        let mut bounds = Vec::new();
        for (key, value) in raw.parameters {
            check_path(&base_table, key, &file)?;
            if raw.fixed.contains_key(key) {
                return Err(invalid(
                    &file,
                    format!("`{key}` is both fixed and explored"),
                ));
            }
            bounds.push(parse_bound(key, value).map_err(|m| invalid(&file, m))?);
        }
        let name = raw.name.map(str::to_string).unwrap_or_else(|| {
            path.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "explore".into())
        });
        crate::paths::check_name(&name).map_err(|m| invalid(&file, format!("`name`: {m}")))?;
        let explored: Vec<&str> = bounds.iter().map(|b| b.path.as_str()).collect();
        let priors = match raw.priors {
            Some(t) => Some(parse_priors(t, &explored, &file)?),
            None => None,
        };
        Ok(Common {
            name,
            base,
            base_table,
            replications: raw.replications,
            seed: raw.seed,
            fixed: raw.fixed.clone(),
            bounds,
            priors,
            text: text.to_string(),
            file,
            inputs,
        })
    }

    /// A point of the scenario space from unit-cube coordinates.
    pub fn point(&self, u: &[f64]) -> Point {
        self.bounds
            .iter()
            .zip(u)
            .map(|(b, &u)| b.value(u))
            .collect()
    }

    /// The parameter values of unit-cube coordinates, as numbers.
    pub fn values(&self, u: &[f64]) -> Vec<f64> {
        self.bounds.iter().zip(u).map(|(b, &u)| b.at(u)).collect()
    }

    /// The sweep that runs this spec's `points` (its copy stored as `stored_as`).
    pub fn sweep(
        &self,
        points: Vec<Point>,
        figures: Vec<String>,
        stored_as: &'static str,
    ) -> Sweep {
        Sweep {
            name: self.name.clone(),
            base: self.base.clone(),
            replications: self.replications,
            method: Method::Given,
            samples: points.len() as u32,
            seed: self.seed,
            parameters: self
                .bounds
                .iter()
                .map(|b| {
                    let axis = Axis::Range {
                        low: b.low,
                        high: b.high,
                        steps: None,
                        integer: b.integer,
                    };
                    (b.path.clone(), axis)
                })
                .collect(),
            figures,
            base_table: self.base_table.clone(),
            text: self.text.clone(),
            given: points,
            stored_as,
            inputs: self.inputs.clone(),
            priors: self.priors.clone(),
        }
    }
}

fn parse_bound(key: &str, value: &toml::Value) -> Result<Bound, String> {
    let toml::Value::Table(t) = value else {
        return Err(format!("`{key}`: expected {{ low = ..., high = ... }}"));
    };
    if let Some(k) = t.keys().find(|k| !["low", "high"].contains(&k.as_str())) {
        return Err(format!(
            "`{key}`: unknown key `{k}` (a bound takes low and high)"
        ));
    }
    let (Some(low), Some(high)) = (
        t.get("low").and_then(value_number),
        t.get("high").and_then(value_number),
    ) else {
        return Err(format!("`{key}`: needs numeric `low` and `high`"));
    };
    if !(low.is_finite() && high.is_finite() && low < high) {
        return Err(format!(
            "`{key}`: need finite low < high, got {low} and {high}"
        ));
    }
    Ok(Bound {
        path: key.to_string(),
        low,
        high,
        integer: matches!(t.get("low"), Some(toml::Value::Integer(_)))
            && matches!(t.get("high"), Some(toml::Value::Integer(_))),
    })
}
