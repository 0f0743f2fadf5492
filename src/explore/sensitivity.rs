//! `tokenmaxx sensitivity SPEC.toml`: which parameters drive a figure.
//!
//! ```toml
//! name = "amazon-drivers"
//! base = "amazon-2026"          # built-in name or path (relative to this file)
//! method = "morris"             # morris | sobol
//! replications = 2              # runs per design point, common random numbers across points
//! seed = 1                      # seeds the design, the bootstrap and the runs
//! trajectories = 10             # morris: r trajectories of k + 1 points
//! levels = 4                    # morris: grid levels (even)
//! samples = 64                  # sobol: N base rows, N (k + 2) points
//! bootstrap = 200               # resamples for the 95% intervals
//! figures = ["padding_share", "roi"]
//!
//! [fixed]                       # settings applied to the base before exploring
//! employees = 3000
//!
//! [parameters]                  # dotted paths with bounds; sampled uniformly
//! "behaviour.status_weight" = { low = 0.0, high = 2.0 }
//! ```
//!
//! The design lives in the unit cube and is mapped onto the bounds; each point is run
//! `replications` times and the indices are computed on the per-point means.

use std::path::Path;

use serde::Deserialize;

use super::spec::{Common, from_toml, invalid, raw_common};
use super::{morris, sobol};
use crate::sweep::aggregate::PointStats;
use crate::sweep::spec::{check_figures, read_spec, read_stored_base};
use crate::sweep::{Sweep, SweepError, figure_names};

/// File name of the spec's copy in an output folder.
pub const STORED: &str = "sensitivity.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    name: Option<String>,
    base: String,
    method: String,
    #[serde(default = "one")]
    replications: u32,
    #[serde(default)]
    seed: u64,
    trajectories: Option<u32>,
    levels: Option<u32>,
    samples: Option<u32>,
    #[serde(default = "default_bootstrap")]
    bootstrap: u32,
    figures: Option<Vec<String>>,
    #[serde(default)]
    fixed: toml::Table,
    #[serde(default)]
    parameters: toml::Table,
    /// Parameters drawn per replication, as a sweep's `[priors]`.
    priors: Option<toml::Table>,
}

fn one() -> u32 {
    1
}
fn default_bootstrap() -> u32 {
    200
}

/// Largest designs accepted (a design is held in memory): 10,000 Morris trajectories, 2^20
/// Sobol base rows; at most 1,000 replications and 100,000 bootstrap resamples.
pub const MAX_TRAJECTORIES: u32 = 10_000;
pub const MAX_SAMPLES: u32 = 1 << 20;
pub const MAX_REPLICATIONS: u32 = 1_000;
pub const MAX_BOOTSTRAP: u32 = 100_000;

/// Figures analysed when a spec names none.
pub const DEFAULT_FIGURES: &[&str] = &["padding_share", "roi"];

/// The analysis and its design size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    Morris { trajectories: u32, levels: u32 },
    Sobol { samples: u32 },
}

/// A checked sensitivity spec with its design.
#[derive(Debug, Clone)]
pub struct Sensitivity {
    pub common: Common,
    pub method: Method,
    pub bootstrap: u32,
    pub figures: Vec<String>,
    /// The design in the unit cube, in run order.
    pub design: Vec<Vec<f64>>,
    /// The sweep that runs the design.
    pub sweep: Sweep,
}

/// The indices of one parameter for one figure.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexRow {
    pub figure: String,
    pub parameter: String,
    pub index: Index,
}

impl IndexRow {
    /// How much the parameter drives the figure, the measure rankings sort by: Morris mu*,
    /// Sobol total index.
    pub fn influence(&self) -> f64 {
        match self.index {
            Index::Morris(m) => m.mu_star,
            Index::Sobol(s) => s.total,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Index {
    Morris(morris::MorrisIndex),
    Sobol(sobol::SobolIndex),
}

impl Sensitivity {
    pub fn load(path: &Path) -> Result<Sensitivity, SweepError> {
        Self::parse(&read_spec(path)?, path, None)
    }

    /// Read the copy kept in an output folder (spec and resolved base).
    pub fn load_stored(dir: &Path) -> Result<Sensitivity, SweepError> {
        let base = read_stored_base(dir)?;
        let path = dir.join(STORED);
        Self::parse(&read_spec(&path)?, &path, Some(base))
    }

    /// Check a spec's text (read from `path`; `stored`: the resolved base kept in an output
    /// folder) and build its design and sweep.
    pub fn parse(
        text: &str,
        path: &Path,
        stored: Option<toml::Table>,
    ) -> Result<Sensitivity, SweepError> {
        let file = path.display().to_string();
        let raw: Raw = from_toml(text, &file)?;
        let common = Common::check(raw_common!(raw), text, path, stored)?;
        let k = common.bounds.len();
        let method = check_method(&raw, k, &file)?;
        check_counts(&raw, &file)?;
        let bootstrap = raw.bootstrap;
        let figures = check_figure_list(raw.figures, &file)?;
        let design = design(method, k, common.seed);
        let points = design.iter().map(|u| common.point(u)).collect();
        let sweep = common.sweep(points, figures.clone(), STORED);
        Ok(Sensitivity {
            common,
            method,
            bootstrap,
            figures,
            design,
            sweep,
        })
    }

    /// The indices of every parameter for every figure, from the design's per-point statistics
    /// ([`crate::sweep::aggregate::by_point`]): a point's output is its mean over the replications that
    /// succeeded (NaN where none did or the figure is undefined).
    pub fn analyse(&self, stats: &[PointStats]) -> Vec<IndexRow> {
        let k = self.common.bounds.len();
        let mut rows = Vec::new();
        for figure in &self.figures {
            let f = figure_names()
                .iter()
                .position(|n| n == figure)
                .expect("a checked figure");
            let y: Vec<f64> = stats.iter().map(|p| p.stats[f].mean).collect();
            let seed = self.common.seed;
            let b = self.bootstrap as usize;
            let indices: Vec<Index> = match self.method {
                Method::Morris { .. } => morris::analyse(k, &self.design, &y, b, seed)
                    .into_iter()
                    .map(Index::Morris)
                    .collect(),
                Method::Sobol { .. } => sobol::analyse(k, &y, b, seed)
                    .into_iter()
                    .map(Index::Sobol)
                    .collect(),
            };
            for (bound, index) in self.common.bounds.iter().zip(indices) {
                rows.push(IndexRow {
                    figure: figure.clone(),
                    parameter: bound.path.clone(),
                    index,
                });
            }
        }
        rows
    }
}

/// An error if any key of `keys` that is set (`true`) does not apply to `method`.
fn reject_unused(file: &str, keys: &[(&str, bool)], method: &str) -> Result<(), SweepError> {
    match keys.iter().find(|(_, set)| *set) {
        Some((key, _)) => Err(invalid(
            file,
            format!("`{key}` does not apply to method = \"{method}\""),
        )),
        None => Ok(()),
    }
}

/// The method and its design size, checked (`k`: the number of parameters).
fn check_method(raw: &Raw, k: usize, file: &str) -> Result<Method, SweepError> {
    match raw.method.as_str() {
        "morris" => morris_method(raw, file),
        "sobol" => sobol_method(raw, k, file),
        other => Err(invalid(
            file,
            format!("`method` = \"{other}\" is not one of \"morris\", \"sobol\""),
        )),
    }
}

/// Morris: 2 to [`MAX_TRAJECTORIES`] trajectories (10 by default) on an even number of
/// levels from 2 to 100 (4 by default); no `samples`.
fn morris_method(raw: &Raw, file: &str) -> Result<Method, SweepError> {
    reject_unused(file, &[("samples", raw.samples.is_some())], "morris")?;
    let trajectories = raw.trajectories.unwrap_or(10);
    let levels = raw.levels.unwrap_or(4);
    if !(2..=MAX_TRAJECTORIES).contains(&trajectories) {
        return Err(invalid(
            file,
            format!(
                "`trajectories` = {trajectories}: need 2 to {MAX_TRAJECTORIES} (10 to 50 is usual)"
            ),
        ));
    }
    if levels < 2 || levels % 2 == 1 || levels > 100 {
        return Err(invalid(
            file,
            format!("`levels` = {levels}: need an even number from 2 to 100 (4 is usual)"),
        ));
    }
    Ok(Method::Morris {
        trajectories,
        levels,
    })
}

/// Sobol: 8 to [`MAX_SAMPLES`] base rows (64 by default), at most
/// [`sobol::MAX_FACTORS`] parameters; no `trajectories` or `levels`.
fn sobol_method(raw: &Raw, k: usize, file: &str) -> Result<Method, SweepError> {
    reject_unused(
        file,
        &[
            ("trajectories", raw.trajectories.is_some()),
            ("levels", raw.levels.is_some()),
        ],
        "sobol",
    )?;
    let samples = raw.samples.unwrap_or(64);
    if !(8..=MAX_SAMPLES).contains(&samples) {
        return Err(invalid(
            file,
            format!(
                "`samples` = {samples}: need 8 to {MAX_SAMPLES} base rows (a power of two, 64 or more, is usual)"
            ),
        ));
    }
    if k > sobol::MAX_FACTORS {
        return Err(invalid(
            file,
            format!(
                "sobol takes at most {} parameters, got {k}",
                sobol::MAX_FACTORS
            ),
        ));
    }
    Ok(Method::Sobol { samples })
}

/// At most [`MAX_REPLICATIONS`] replications and [`MAX_BOOTSTRAP`] bootstrap resamples.
fn check_counts(raw: &Raw, file: &str) -> Result<(), SweepError> {
    if raw.replications > MAX_REPLICATIONS {
        let n = raw.replications;
        return Err(invalid(
            file,
            format!("`replications` = {n}: need 1 to {MAX_REPLICATIONS}"),
        ));
    }
    if raw.bootstrap > MAX_BOOTSTRAP {
        let n = raw.bootstrap;
        return Err(invalid(
            file,
            format!("`bootstrap` = {n}: need 0 to {MAX_BOOTSTRAP}"),
        ));
    }
    Ok(())
}

/// The figures to analyse ([`DEFAULT_FIGURES`] if none are named): not empty, each known.
fn check_figure_list(figures: Option<Vec<String>>, file: &str) -> Result<Vec<String>, SweepError> {
    let figures =
        figures.unwrap_or_else(|| DEFAULT_FIGURES.iter().map(|s| s.to_string()).collect());
    if figures.is_empty() {
        return Err(invalid(file, "`figures` is empty"));
    }
    check_figures(&figures, "figures").map_err(|m| invalid(file, m))?;
    Ok(figures)
}

/// The method's design over `k` parameters in the unit cube, in run order.
fn design(method: Method, k: usize, seed: u64) -> Vec<Vec<f64>> {
    match method {
        Method::Morris {
            trajectories,
            levels,
        } => morris::design(k, trajectories as usize, levels, seed),
        Method::Sobol { samples } => sobol::design(k, samples as usize, seed),
    }
}
