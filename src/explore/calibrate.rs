//! `tokenmaxx calibrate SPEC.toml`: which parameter values reproduce target figures.
//!
//! ```toml
//! name = "defaults"
//! base = "baseline"
//! replications = 2        # runs per candidate; every candidate uses the same seeds (CRN)
//! seed = 1                # seeds the optimiser and the runs
//! budget = 160            # candidates evaluated in all
//! population = 16         # candidates per generation [default: 10 per parameter, 8 to 40]
//!
//! [fixed]
//! employees = 3000
//!
//! [parameters]
//! "behaviour.token_scale" = { low = 0.5, high = 2.0 }
//!
//! [[targets]]
//! figure = "top_decile_token_ratio"
//! value = 10.0
//! tolerance = 1.5         # the error that counts as one unit of loss [default: 10% of |value|]
//! weight = 1.0            # [default: 1]
//! ```
//!
//! Method of simulated moments: the loss of a candidate is
//! `sum_j weight_j ((m_j - value_j) / tolerance_j)^2`, where `m_j` is the figure's mean over the
//! candidate's replications. Every candidate runs with the same seeds (common random numbers), so
//! differences between candidates are the parameters', not the dice's. The optimiser is
//! differential evolution ([`super::de`]); a generation runs in parallel.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;
use serde::Deserialize;

use super::de;
use super::spec::{Common, from_toml, invalid, raw_common};
use crate::sweep::spec::{check_figures, read_spec};
use crate::sweep::{RunRecord, Sweep, SweepError, figure_names, run_point};

/// File name of the spec's copy in an output folder.
pub const STORED: &str = "calibration.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    name: Option<String>,
    base: String,
    #[serde(default = "one")]
    replications: u32,
    #[serde(default)]
    seed: u64,
    budget: u32,
    population: Option<u32>,
    #[serde(default = "default_weight")]
    differential_weight: f64,
    #[serde(default = "default_crossover")]
    crossover: f64,
    #[serde(default)]
    fixed: toml::Table,
    #[serde(default)]
    parameters: toml::Table,
    /// Parameters drawn per replication, as a sweep's `[priors]`.
    priors: Option<toml::Table>,
    #[serde(default)]
    targets: Vec<RawTarget>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    figure: String,
    value: f64,
    tolerance: Option<f64>,
    #[serde(default = "default_target_weight")]
    weight: f64,
}

fn one() -> u32 {
    1
}
fn default_weight() -> f64 {
    0.7
}
fn default_crossover() -> f64 {
    0.9
}
fn default_target_weight() -> f64 {
    1.0
}

/// A figure to match.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub figure: String,
    /// Position in [`figure_names`].
    pub index: usize,
    pub value: f64,
    pub tolerance: f64,
    pub weight: f64,
}

/// A checked calibration spec.
#[derive(Debug, Clone)]
pub struct Calibration {
    pub common: Common,
    pub targets: Vec<Target>,
    pub settings: de::Settings,
    /// Runs candidates (its points are given one generation at a time).
    pub sweep: Sweep,
}

/// One evaluated candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub index: usize,
    pub generation: usize,
    /// The parameter values, in the order of `common.bounds`.
    pub values: Vec<f64>,
    /// Per target: the mean of its figure over the candidate's successful replications.
    pub means: Vec<f64>,
    /// Replications that failed (a failed replication makes the loss NaN).
    pub failed: u32,
    pub loss: f64,
}

impl Calibration {
    pub fn load(path: &Path) -> Result<Calibration, SweepError> {
        Self::parse(&read_spec(path)?, path, None)
    }

    pub fn parse(
        text: &str,
        path: &Path,
        stored: Option<toml::Table>,
    ) -> Result<Calibration, SweepError> {
        let file = path.display().to_string();
        let raw: Raw = from_toml(text, &file)?;
        let common = Common::check(raw_common!(raw), text, path, stored)?;
        let bad = |m: String| invalid(&file, m);
        if raw.targets.is_empty() {
            return Err(bad(
                "no [[targets]]: give at least one { figure, value }".into()
            ));
        }
        let targets = raw
            .targets
            .iter()
            .enumerate()
            .map(|(j, t)| check_target(j, t, &raw.targets[..j]).map_err(&bad))
            .collect::<Result<Vec<Target>, SweepError>>()?;
        let population =
            check_search(&raw, common.bounds.len(), common.replications).map_err(&bad)?;
        let settings = de::Settings {
            population: population as usize,
            budget: raw.budget as usize,
            weight: raw.differential_weight,
            crossover: raw.crossover,
            seed: common.seed,
        };
        let sweep = common.sweep(
            Vec::new(),
            targets.iter().map(|t| t.figure.clone()).collect(),
            STORED,
        );
        Ok(Calibration {
            common,
            targets,
            settings,
            sweep,
        })
    }

    /// Runs in all: budget x replications.
    pub fn runs(&self) -> u64 {
        self.settings.budget as u64 * self.common.replications as u64
    }

    /// The loss of a candidate's target means (NaN if a mean is missing).
    pub fn loss(&self, means: &[f64]) -> f64 {
        self.targets
            .iter()
            .zip(means)
            .map(|(t, m)| t.weight * ((m - t.value) / t.tolerance).powi(2))
            .sum()
    }

    /// Run the optimisation. `known` holds journaled runs by id (a resumed calibration reuses
    /// those whose values match the candidate the optimiser proposes again); `done` receives
    /// every new run as it finishes, from worker threads. Returns every candidate in order.
    pub fn run(
        &self,
        known: &BTreeMap<u64, RunRecord>,
        done: &(dyn Fn(&RunRecord) + Sync),
    ) -> Vec<Candidate> {
        let k = self.common.bounds.len();
        let reps = self.common.replications as u64;
        let mut candidates: Vec<Candidate> = Vec::with_capacity(self.settings.budget);
        let mut generation = 0;
        let trace = de::minimise(k, &self.settings, &mut |batch, first| {
            let runs: Vec<(usize, u32)> = (0..batch.len())
                .flat_map(|i| (0..reps as u32).map(move |r| (i, r)))
                .collect();
            let records: Vec<RunRecord> = runs
                .par_iter()
                .with_max_len(1)
                .map(|&(i, r)| {
                    let values = self.common.values(&batch[i]);
                    let id = (first + i) as u64 * reps + r as u64;
                    if let Some(rec) = known.get(&id)
                        && rec.error.is_none()
                        && same(&rec.values, &values)
                    {
                        return rec.clone();
                    }
                    let point = self.common.point(&batch[i]);
                    let mut rec = run_point(&self.sweep, &point, (first + i) as u64, r, id);
                    rec.values = values;
                    done(&rec);
                    rec
                })
                .collect();
            let losses: Vec<f64> = (0..batch.len())
                .map(|i| {
                    let mine: Vec<&RunRecord> = records[i * reps as usize..(i + 1) * reps as usize]
                        .iter()
                        .collect();
                    let failed = mine.iter().filter(|r| r.error.is_some()).count() as u32;
                    let means: Vec<f64> = self
                        .targets
                        .iter()
                        .map(|t| {
                            let xs: Vec<f64> = mine
                                .iter()
                                .filter_map(|r| r.figures.get(t.index).copied().flatten())
                                .collect();
                            if xs.len() == mine.len() && failed == 0 {
                                xs.iter().sum::<f64>() / xs.len() as f64
                            } else {
                                f64::NAN
                            }
                        })
                        .collect();
                    let loss = self.loss(&means);
                    candidates.push(Candidate {
                        index: first + i,
                        generation,
                        values: self.common.values(&batch[i]),
                        means,
                        failed,
                        loss,
                    });
                    loss
                })
                .collect();
            generation += 1;
            losses
        });
        debug_assert_eq!(trace.len(), candidates.len());
        candidates
    }
}

/// The best candidate: the lowest loss, the first of equals (None if every one failed).
pub fn best(candidates: &[Candidate]) -> Option<&Candidate> {
    super::lowest(candidates, |c| c.loss)
}

/// Values read back from a journal equal the proposed ones (JSON keeps 17 digits).
fn same(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| (x - y).abs() <= 1e-12 * x.abs().max(y.abs()).max(1.0))
}

/// Target `j` of the file, checked (`earlier` are the targets before it).
fn check_target(j: usize, t: &RawTarget, earlier: &[RawTarget]) -> Result<Target, String> {
    let at = format!("[[targets]] #{}", j + 1);
    check_figures(std::slice::from_ref(&t.figure), &at)?;
    if earlier.iter().any(|u| u.figure == t.figure) {
        return Err(format!("{at}: `{}` is targeted twice", t.figure));
    }
    if !t.value.is_finite() {
        return Err(format!("{at}: `value` must be a finite number"));
    }
    let tolerance = t.tolerance.unwrap_or(0.1 * t.value.abs());
    if !(tolerance.is_finite() && tolerance > 0.0) {
        return Err(format!(
            "{at}: `tolerance` must be a positive number (it defaults to 10% of |value|, which is 0 here), got {tolerance}"
        ));
    }
    if !(t.weight.is_finite() && t.weight > 0.0) {
        return Err(format!(
            "{at}: `weight` must be a positive number, got {}",
            t.weight
        ));
    }
    Ok(Target {
        figure: t.figure.clone(),
        index: figure_names()
            .iter()
            .position(|n| *n == t.figure)
            .expect("checked"),
        value: t.value,
        tolerance,
        weight: t.weight,
    })
}

/// The search settings checked; returns the population (by default ten per parameter, 8 to 40).
fn check_search(raw: &Raw, parameters: usize, replications: u32) -> Result<u32, String> {
    let population = raw
        .population
        .unwrap_or_else(|| (10 * parameters as u32).clamp(8, 40));
    if !(4..=10_000).contains(&population) {
        return Err(format!("`population` = {population}: need 4 to 10000"));
    }
    if raw.budget > 1_000_000 {
        let n = raw.budget;
        return Err(format!("`budget` = {n}: need at most 1000000 candidates"));
    }
    if replications > 1_000 {
        return Err(format!("`replications` = {replications}: need 1 to 1000"));
    }
    if raw.budget < population {
        return Err(format!(
            "`budget` = {}: need at least one generation (`population` = {population}); a few generations per parameter is usual",
            raw.budget
        ));
    }
    if !(raw.differential_weight > 0.0 && raw.differential_weight <= 2.0) {
        return Err(format!(
            "`differential_weight` = {}: need 0 < F <= 2",
            raw.differential_weight
        ));
    }
    if !(0.0..=1.0).contains(&raw.crossover) {
        return Err(format!(
            "`crossover` = {}: need 0 <= CR <= 1",
            raw.crossover
        ));
    }
    Ok(population)
}
