//! Batch runs: sweeps over scenario parameters with replications, run in parallel (rayon over
//! runs), journaled line by line so a killed sweep resumes where it stopped, shardable across
//! machines (`id % N == K`) and merged back into the same outputs.
//!
//! This module runs and aggregates; files are written by `report` and the CLI.

pub mod aggregate;
pub mod journal;
pub mod merge;
pub mod scheduler;
pub mod spec;

use std::panic::{AssertUnwindSafe, catch_unwind};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::projections::Summary;
use crate::projections::figures::FIGURES;
pub use spec::{Sweep, SweepError};

/// The summary figures a sweep records per run, in journal order ([`crate::projections::figures`]).
pub fn figure_names() -> Vec<&'static str> {
    FIGURES.iter().map(|f| f.name).collect()
}

/// The figures of a summary, in [`figure_names`] order (None where undefined, e.g. ROI without cost).
pub fn figures_of(s: &Summary) -> Vec<Option<f64>> {
    FIGURES.iter().map(|f| (f.get)(s)).collect()
}

/// One finished (or failed) run of a sweep: a journal line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub id: u64,
    pub point: u64,
    pub replication: u32,
    pub seed: u64,
    /// `None` when the run succeeded.
    pub error: Option<String>,
    /// The figures of [`figure_names`], when it succeeded.
    pub figures: Vec<Option<f64>>,
    /// The numeric parameter values of the run, where the caller records them (calibration
    /// candidates, so a resumed calibration can check it replays the same candidates).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<f64>,
}

/// Which runs a process executes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    pub const ALL: Shard = Shard { index: 0, count: 1 };
    /// Most shards a batch may be split into (each shard is a folder `merge` opens).
    pub const MAX_COUNT: u64 = 100_000;
    pub fn owns(&self, id: u64) -> bool {
        id % self.count == self.index
    }
}

/// Run one id of a sweep; a panic or an invalid point becomes a failed record, never an abort.
pub fn run_one(sweep: &Sweep, points: &[spec::Point], id: u64) -> RunRecord {
    let (point, replication) = sweep.split_id(id);
    run_point(sweep, &points[point as usize], point, replication, id)
}

/// Run the scenario of sweep `sweep` at `values` with the seed of `replication`, recorded as
/// run `id` of point `point`; a panic or an invalid point becomes a failed record.
pub fn run_point(
    sweep: &Sweep,
    values: &spec::Point,
    point: u64,
    replication: u32,
    id: u64,
) -> RunRecord {
    let seed = sweep.run_seed(replication);
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let scenario = sweep
            .scenario(values, replication)
            .map_err(|e| e.to_string())?;
        Ok::<_, String>(crate::simulate(&scenario, 0))
    }));
    let (error, figures) = match outcome {
        Ok(Ok(p)) => match crate::projections::finite::non_finite(&p) {
            None => (None, figures_of(&p.summary)),
            Some(what) => (
                Some(format!(
                    "non-finite {what} (NaN or infinite): a parameter is too extreme for the model"
                )),
                Vec::new(),
            ),
        },
        Ok(Err(e)) => (Some(e), Vec::new()),
        Err(panic) => {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            (Some(format!("panicked: {msg}")), Vec::new())
        }
    };
    RunRecord {
        id,
        point,
        replication,
        seed,
        error,
        figures,
        values: Vec::new(),
    }
}

/// Run the ids of `todo` in parallel, handing each record to `done` as it finishes (from worker
/// threads, in completion order).
pub fn run_many(sweep: &Sweep, todo: &[u64], done: &(dyn Fn(RunRecord) + Sync)) {
    let points = sweep.points();
    todo.par_iter()
        .with_max_len(1)
        .for_each(|&id| done(run_one(sweep, &points, id)));
}
