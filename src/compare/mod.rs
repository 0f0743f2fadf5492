//! Deciding between policies: run several scenarios over the same replications and compare their
//! headline figures, each against a baseline, *paired* by replication.
//!
//! Common random numbers: replication `r` of every scenario runs with the same seed and the same
//! RNG streams, and (with priors) the same draw of the parameters that have no published anchor.
//! A difference between two scenarios at the same `r` is then free of the noise they share, so
//! its interval is much tighter than the two scenarios' own intervals suggest.
//!
//! This module runs and computes; `report::compare::output` makes its tables, charts and
//! report.html one value, which the CLI writes.

pub mod decide;
pub mod horizons;
pub mod stats;
pub mod stored;

use std::panic::{AssertUnwindSafe, catch_unwind};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::projections::Projections;
use crate::scenario::{Overrides, Scenario, ScenarioError, Source};
pub use crate::sweep::spec::priors::{self, Priors};
pub use stats::{Comparison, FIGURES, Figure, Ranking};

/// Most replications of a comparison.
pub const MAX_REPLICATIONS: u32 = 10_000;

/// A comparison to run, and as stored in its folder's compare.json when written in place
/// (`--resume`, `--shard K/N`): its serialised form holds everything needed to rerun or merge it
/// without the original files (see [`stored`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Compare {
    /// The comparison's name (its output folder).
    pub name: String,
    /// The scenarios, by name, with where each comes from and its resolved text.
    pub scenarios: Vec<Compared>,
    /// Index of the scenario every other one is compared with.
    pub baseline: usize,
    pub replications: u32,
    /// Seed shared by every scenario (replication `r` uses the streams of `(seed, r)`).
    pub seed: u64,
    pub employees: Option<i64>,
    pub weeks: Option<i64>,
    pub priors: Option<Priors>,
    /// The horizons of the verdict by horizon, best.csv and the horizon rows (`--horizons`);
    /// None: the summary's 26, 52, 104 and 156 weeks, those the runs reach. Absent from
    /// compare.json when not given, as in folders written before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub horizons: Option<Vec<u32>>,
}

/// A compared scenario: its name, where it comes from, and its resolved TOML (every `extends`
/// layer and default merged in, before priors and overrides), which is what compare.json holds
/// (`{"name", "toml"}`); read back, its source is that text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "stored::StoredScenario", into = "stored::StoredScenario")]
pub struct Compared {
    pub name: String,
    /// Where the runs read it from (a file, a built-in, or the stored text).
    pub source: Source,
    pub toml: String,
}

impl Compared {
    /// Scenario `name` from `source`, resolved (reads its files).
    pub fn new(name: String, source: Source) -> Result<Compared, ScenarioError> {
        let table = crate::scenario::load::resolve(&source)?.table;
        let toml = toml::to_string(&table).expect("a resolved scenario serialises");
        Ok(Compared { name, source, toml })
    }

    /// The same scenario read from its stored text (as compare.json reads back).
    pub fn stored(&self) -> Compared {
        Compared::from(stored::StoredScenario::from(self.clone()))
    }
}

/// What one run leaves for the comparison: its summary figures and weekly series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunOut {
    pub scenario: usize,
    pub replication: u32,
    /// The figures of [`FIGURES`], in order (NaN where undefined; null in JSON).
    #[serde(with = "stored::nan_as_null")]
    pub figures: Vec<f64>,
    /// Weekly padding share, genuine weekly-active share and token cost.
    #[serde(with = "stored::nan_as_null")]
    pub padding_share: Vec<f64>,
    #[serde(with = "stored::nan_as_null")]
    pub genuine_active: Vec<f64>,
    #[serde(with = "stored::nan_as_null")]
    pub cost_usd: Vec<f64>,
    /// Weekly net value (empty in journals written before it was kept).
    #[serde(default, with = "stored::nan_as_null")]
    pub net_value_usd: Vec<f64>,
}

impl Compare {
    /// Number of runs: scenarios x replications (run `id` is scenario `id / R`, replication
    /// `id % R`).
    pub fn runs(&self) -> u64 {
        self.scenarios.len() as u64 * u64::from(self.replications)
    }

    /// The scenario index and replication of run `id`.
    pub fn split_id(&self, id: u64) -> (usize, u32) {
        let reps = u64::from(self.replications);
        ((id / reps) as usize, (id % reps) as u32)
    }

    /// The scenario of run (`i`, `r`): the file with the shared seed and size, and the prior
    /// draw of replication `r`.
    pub fn scenario(&self, i: usize, r: u32) -> Result<Scenario, ScenarioError> {
        let source = &self.scenarios[i].source;
        let mut resolved = crate::scenario::load::resolve(source)?;
        if let Some(p) = &self.priors {
            p.apply(&mut resolved.table, self.seed, r);
        }
        let o = Overrides {
            seed: Some(self.seed),
            employees: self.employees,
            weeks: self.weeks,
        };
        Scenario::from_table(resolved.table, &resolved.file, &o).map(|(s, _)| s)
    }

    /// Run one scenario at one replication; an invalid scenario or a panic is an error string.
    pub fn run_one(&self, i: usize, r: u32) -> Result<RunOut, String> {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let s = self.scenario(i, r).map_err(|e| e.to_string())?;
            Ok::<_, String>(crate::simulate(&s, r))
        }));
        let p = match outcome {
            Ok(Ok(p)) => p,
            Ok(Err(e)) => return Err(e),
            Err(_) => return Err("the run panicked (a bug: please report it)".into()),
        };
        if let Some(what) = crate::projections::finite::non_finite(&p) {
            return Err(format!("non-finite {what}: a parameter is too extreme"));
        }
        Ok(run_out(i, r, &p))
    }

    /// Run every scenario at every replication in parallel; `done` is called after each run.
    /// Results come back in run-id order, whatever the thread count.
    pub fn run_all(&self, done: &(dyn Fn() + Sync)) -> Vec<Result<RunOut, String>> {
        (0..self.runs() as usize)
            .into_par_iter()
            .with_max_len(1)
            .map(|id| {
                let (i, r) = self.split_id(id as u64);
                let out = self.run_one(i, r);
                done();
                out
            })
            .collect()
    }

    /// Run the ids of `todo` in parallel, handing each outcome to `done` as it finishes (from
    /// worker threads, in completion order).
    pub fn run_ids(&self, todo: &[u64], done: &(dyn Fn(u64, Result<RunOut, String>) + Sync)) {
        todo.par_iter().with_max_len(1).for_each(|&id| {
            let (i, r) = self.split_id(id);
            done(id, self.run_one(i, r));
        });
    }
}

/// What run (`i`, `r`) with projections `p` leaves for the comparison.
pub fn run_out(i: usize, r: u32, p: &Projections) -> RunOut {
    RunOut {
        scenario: i,
        replication: r,
        figures: FIGURES
            .iter()
            .map(|f| (f.get)(&p.summary).unwrap_or(f64::NAN))
            .collect(),
        padding_share: p.weekly.iter().map(|w| w.padding_share).collect(),
        genuine_active: p.weekly.iter().map(|w| w.genuine_active_share).collect(),
        cost_usd: p.weekly.iter().map(|w| w.cost_usd).collect(),
        net_value_usd: p.weekly.iter().map(|w| w.net_value_usd).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compare(names: &[&str], replications: u32) -> Compare {
        Compare {
            name: "compare".into(),
            scenarios: names
                .iter()
                .map(|n| Compared::new(n.to_string(), Source::Builtin(n.to_string())).unwrap())
                .collect(),
            baseline: 0,
            replications,
            seed: 7,
            employees: Some(300),
            weeks: Some(12),
            priors: None,
            horizons: None,
        }
    }

    #[test]
    fn a_scenario_against_itself_differs_by_exactly_zero() {
        let c = compare(&["amazon-2026", "amazon-2026"], 3);
        let runs: Vec<RunOut> = c.run_all(&|| {}).into_iter().map(Result::unwrap).collect();
        let cmp = Comparison::of(&c, &runs);
        for row in cmp.rows.iter().filter(|r| r.scenario == 1) {
            if let Some(d) = row.diff {
                assert_eq!(
                    (d.mean, d.ci_low, d.ci_high),
                    (0.0, 0.0, 0.0),
                    "{}",
                    row.figure
                );
            }
        }
    }

    #[test]
    fn replication_r_shares_its_streams_across_scenarios() {
        // given two scenarios without any policy difference before week 4, when run at the same
        // replication, then their first weeks are identical
        let c = compare(&["baseline", "meta-leaderboard"], 2);
        let runs: Vec<RunOut> = c.run_all(&|| {}).into_iter().map(Result::unwrap).collect();
        assert_eq!(runs[0].cost_usd[..4], runs[2].cost_usd[..4]);
        assert_ne!(runs[0].cost_usd[..4], runs[1].cost_usd[..4]);
    }
}
