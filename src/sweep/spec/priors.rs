//! Priors over the parameters without a published anchor. Each replication of a comparison
//! draws one value per listed parameter, the same draw for every scenario of that replication
//! (so differences stay paired). Two forms:
//!
//! - ranges only: every parameter uniform over its range;
//! - ranges and accepted draws (`[accepted]`, written by `tokenmaxx facts --history-match`):
//!   replication `r` takes one of the accepted parameter vectors, chosen uniformly, so the joint
//!   shape the calibration kept (correlations included) is what enters the intervals. The
//!   accepted draws may name only some of the parameters: the others (ones no calibration
//!   target can see, added after the match) are drawn uniformly and independently after them.
//!
//! A path may name every group at once with `*` (`population.*.token_intensity.sigma`): the
//! value is set in every group of the scenario that states that trait, whatever the groups are
//! called (a fit's posterior, whose organisation has its own groups, is written so).
//!
//! ```toml
//! [parameters]
//! "behaviour.norm_weight" = { low = 0.2, high = 0.8 }
//! "behaviour.pad_scale" = { low = 2e7, high = 8e7 }
//!
//! [accepted]
//! parameters = ["behaviour.norm_weight", "behaviour.pad_scale"]
//! draws = [[0.41, 3.2e7], [0.66, 5.1e7]]
//! ```

use std::path::Path;

use rand::RngExt;
use serde::Deserialize;

use super::SweepError;
use super::read_spec;
use crate::engine::rng::{Entity, Purpose, stream};
use crate::scenario::{Overrides, Scenario, Source};

/// The shipped calibrated priors, the default of `compare` (`--priors calibrated`).
pub const CALIBRATED: &str = include_str!("../../../scenarios/priors/calibrated.toml");
/// The shipped wide priors the calibration starts from (`--priors unanchored`).
pub const UNANCHORED: &str = include_str!("../../../scenarios/priors/unanchored.toml");

/// The words `--priors` takes besides a file.
pub const NAMES: &str = "`calibrated` (the default), `unanchored`, `none` or a file";

/// The words `--priors` takes that name no file.
pub const NAMED: [&str; 4] = ["calibrated", "unanchored", "default", "none"];

/// Priors over dotted scenario paths, in file order, with the accepted draws if any.
#[derive(Debug, Clone, PartialEq, serde::Serialize, Deserialize)]
pub struct Priors {
    pub parameters: Vec<(String, f64, f64)>,
    /// Accepted parameter vectors (in `parameters` order); empty for uniform ranges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accepted: Vec<Vec<f64>>,
    /// Where these priors come from when `compare` chose them itself ("posterior.toml from
    /// fit"), said in the verdict; None for priors named on the command line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Priors drawn independently after these, over parameters these leave out (the calibrated
    /// priors beside a fit's posterior); see [`Priors::then`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rest: Option<Box<Priors>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPriors {
    parameters: toml::Table,
    accepted: Option<RawAccepted>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccepted {
    parameters: Vec<String>,
    draws: Vec<Vec<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Range {
    low: f64,
    high: f64,
}

impl Priors {
    /// The priors `--priors` names: `calibrated`, `unanchored` (or its old name `default`), a
    /// file; `none` is no priors.
    pub fn load(spec: &str) -> Result<Option<Priors>, SweepError> {
        let shipped = |text, name| Self::parse(text, name).map(Some);
        match spec {
            "none" => Ok(None),
            "calibrated" => shipped(
                CALIBRATED,
                "calibrated priors (scenarios/priors/calibrated.toml)",
            ),
            "unanchored" | "default" => shipped(
                UNANCHORED,
                "unanchored priors (scenarios/priors/unanchored.toml)",
            ),
            _ => {
                let path = Path::new(spec);
                Self::parse(&read_spec(path)?, &path.display().to_string()).map(Some)
            }
        }
    }

    /// Parse and check priors text: every path is a scenario parameter, every range finite with
    /// `low <= high` and runnable at both ends, every accepted draw inside its ranges.
    pub fn parse(text: &str, file: &str) -> Result<Priors, SweepError> {
        let invalid = |message: String| SweepError::Invalid {
            file: file.to_string(),
            message,
        };
        let raw: RawPriors = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let base = crate::scenario::load::resolve(&Source::Builtin("baseline".into()))
            .map_err(|e| invalid(e.to_string()))?;
        let mut parameters = Vec::new();
        for (path, v) in raw.parameters {
            wildcard::check(&base.table, &path, file)?;
            let r = Range::deserialize(v).map_err(|e| {
                invalid(format!("parameters.\"{path}\": {e} (want {{ low, high }})"))
            })?;
            if !(r.low.is_finite() && r.high.is_finite() && r.low <= r.high) {
                return Err(invalid(format!(
                    "parameters.\"{path}\": low {} and high {} must be finite with low <= high",
                    r.low, r.high
                )));
            }
            for (end, v) in [("low", r.low), ("high", r.high)] {
                runnable(&base, &path, v)
                    .map_err(|e| invalid(format!("parameters.\"{path}\".{end} = {v}: {e}")))?;
            }
            parameters.push((path, r.low, r.high));
        }
        if parameters.is_empty() {
            return Err(invalid("[parameters] lists no parameter".into()));
        }
        let Some(a) = raw.accepted else {
            return Ok(Priors::uniform(parameters));
        };
        let (named, others): (Vec<_>, Vec<_>) = parameters
            .into_iter()
            .partition(|(p, _, _)| a.parameters.contains(p));
        let accepted = accepted(&named, a).map_err(invalid)?;
        Ok(Priors {
            parameters: named,
            accepted,
            from: None,
            rest: (!others.is_empty()).then(|| Box::new(Priors::uniform(others))),
        })
    }

    /// Every parameter uniform over its range.
    fn uniform(parameters: Vec<(String, f64, f64)>) -> Priors {
        Priors {
            parameters,
            accepted: Vec::new(),
            from: None,
            rest: None,
        }
    }

    /// These priors, then `rest` for the parameters these leave out, drawn independently of
    /// these (its columns these name are dropped; its accepted draws keep their joint shape over
    /// the other columns). None of `rest` left: these alone.
    pub fn then(mut self, rest: Priors) -> Priors {
        let mine = self
            .names()
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>();
        let keep: Vec<usize> = (0..rest.parameters.len())
            .filter(|&j| !mine.contains(&rest.parameters[j].0))
            .collect();
        let tail = rest.rest.clone();
        if !keep.is_empty() {
            let pick = |row: &Vec<f64>| keep.iter().map(|&j| row[j]).collect();
            self.push_last(Priors {
                parameters: keep.iter().map(|&j| rest.parameters[j].clone()).collect(),
                accepted: rest.accepted.iter().map(pick).collect(),
                from: None,
                rest: None,
            });
        }
        match tail {
            Some(t) => self.then(*t),
            None => self,
        }
    }

    /// Append `p` at the end of the chain of priors drawn one after another.
    fn push_last(&mut self, p: Priors) {
        match &mut self.rest {
            Some(r) => r.push_last(p),
            None => self.rest = Some(Box::new(p)),
        }
    }

    /// The draw of replication `r`: one value per parameter (these, then `rest`'s), from the
    /// replication's own RNG stream.
    pub fn draw(&self, seed: u64, r: u32) -> Vec<f64> {
        let mut rng = stream(seed, r, Entity::Team(0), 0, Purpose::Priors);
        let mut out = Vec::new();
        let mut next = Some(self);
        while let Some(p) = next {
            if p.accepted.is_empty() {
                out.extend(
                    p.parameters
                        .iter()
                        .map(|(_, lo, hi)| lo + (hi - lo) * rng.random::<f64>()),
                );
            } else {
                out.extend_from_slice(&p.accepted[rng.random_range(0..p.accepted.len())]);
            }
            next = p.rest.as_deref();
        }
        out
    }

    /// Set the draw of replication `r` into a resolved scenario table.
    pub fn apply(&self, table: &mut toml::Table, seed: u64, r: u32) {
        for (path, v) in self.names().into_iter().zip(self.draw(seed, r)) {
            wildcard::set(table, path, toml::Value::Float(v));
        }
    }

    /// Where these priors come from, in words for the verdict, when `compare` chose them itself
    /// ("Priors: posterior.toml from fit for its 4 parameters, calibrated priors for the other
    /// 21"); None otherwise.
    pub fn said(&self) -> Option<String> {
        let from = self.from.as_ref()?;
        let rest = self.rest.as_ref().map_or(String::new(), |r| {
            format!(", calibrated priors for the other {}", r.names().len())
        });
        Some(format!(
            "Priors: {from} for its {} parameters ({}){rest}",
            self.parameters.len(),
            self.parameters
                .iter()
                .map(|(p, _, _)| p.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }

    /// Every parameter with its range, in draw order (these, then `rest`'s).
    pub fn ranges(&self) -> Vec<&(String, f64, f64)> {
        let mut out: Vec<&(String, f64, f64)> = self.parameters.iter().collect();
        if let Some(r) = &self.rest {
            out.extend(r.ranges());
        }
        out
    }

    /// The parameter paths, in draw order (these, then `rest`'s).
    pub fn names(&self) -> Vec<&str> {
        self.ranges()
            .into_iter()
            .map(|(p, _, _)| p.as_str())
            .collect()
    }
}

/// Whether the baseline runs with `path` set to `v` (the scenario's own validation: its error
/// names the key and the allowed range).
fn runnable(base: &crate::scenario::load::Resolved, path: &str, v: f64) -> Result<(), String> {
    let mut table = base.table.clone();
    wildcard::set(&mut table, path, toml::Value::Float(v));
    Scenario::from_table(table, &base.file, &Overrides::default())
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The accepted draws reordered to `parameters`' order, each value inside its range.
fn accepted(parameters: &[(String, f64, f64)], a: RawAccepted) -> Result<Vec<Vec<f64>>, String> {
    if let Some(p) = a
        .parameters
        .iter()
        .find(|p| !parameters.iter().any(|q| &q.0 == *p))
    {
        return Err(format!(
            "accepted.parameters names \"{p}\", which [parameters] does not list"
        ));
    }
    if a.parameters.len() != parameters.len() {
        return Err(format!(
            "accepted.parameters names {} parameters, {} of them distinct",
            a.parameters.len(),
            parameters.len()
        ));
    }
    let column: Vec<usize> = parameters
        .iter()
        .map(|(p, _, _)| {
            a.parameters
                .iter()
                .position(|q| q == p)
                .ok_or_else(|| format!("accepted.parameters does not name \"{p}\" of [parameters]"))
        })
        .collect::<Result<_, _>>()?;
    if a.draws.is_empty() {
        return Err("accepted.draws is empty (leave [accepted] out for uniform ranges)".into());
    }
    a.draws
        .iter()
        .enumerate()
        .map(|(k, row)| {
            if row.len() != parameters.len() {
                return Err(format!(
                    "accepted.draws[{k}] has {} values; want {}",
                    row.len(),
                    parameters.len()
                ));
            }
            let out: Vec<f64> = column.iter().map(|&c| row[c]).collect();
            for ((p, lo, hi), v) in parameters.iter().zip(&out) {
                if !(v.is_finite() && lo <= v && v <= hi) {
                    return Err(format!(
                        "accepted.draws[{k}]: \"{p}\" = {v} is outside its range [{lo}, {hi}]"
                    ));
                }
            }
            Ok(out)
        })
        .collect()
}

mod beside;
#[cfg(test)]
mod tests;
mod wildcard;
