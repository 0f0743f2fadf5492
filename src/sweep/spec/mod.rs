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
//!
//! The module is split by concern: [`schema`] (the serde mirror of the file and its checks),
//! [`design`] (grid, random and Latin-hypercube points), [`path`] (dotted-path editing of
//! scenario TOML), [`io`] (reading specs and storing their copies) and [`value`] (point values as
//! text and numbers). Everything public is re-exported here.

pub mod design;
pub mod io;
pub mod path;
pub mod priors;
pub mod schema;
pub mod value;

use std::path::{Path, PathBuf};

pub use io::{read_spec, read_stored_base};
pub(crate) use path::check_path;
pub use path::{apply_settings, set_path, valid_paths};
pub(crate) use schema::{check_figures, parse_priors};
pub use value::{render_point, render_value, value_number};

use crate::hash::splitmix64;
use crate::scenario::{Overrides, Scenario, ScenarioError, Source};

/// Why a sweep file is unusable.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Writing failed (a full disk, a read-only folder): said as a write, not a read.
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
}

crate::named_enum!(
    /// How the points of a sweep are chosen (the word is the file's `method`).
    Method {
        /// Every combination of every parameter's values.
        Grid => "grid",
        /// `samples` independent draws.
        Random => "random",
        /// `samples` points of a Latin hypercube.
        Lhs => "lhs",
        /// Points given by the caller (the designs of `sensitivity` and `calibrate`; not a word
        /// a sweep file may use).
        Given => "given"
    }
);

impl Method {
    /// The methods a sweep file may name.
    pub const IN_FILES: [Method; 3] = [Method::Grid, Method::Random, Method::Lhs];
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
    /// The files read: the spec file, and the base scenario's file and `extends` layers (or the
    /// stored base.toml): what an output folder must not hold.
    pub inputs: Vec<std::path::PathBuf>,
    /// Parameters drawn per replication (`[priors]`), the same draw for every point of a
    /// replication, as `compare` draws them (None without).
    pub priors: Option<priors::Priors>,
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
/// Most replications of each point (a sweep's records and journal grow with points x
/// replications, checked before any run).
pub const MAX_REPLICATIONS: u32 = 10_000;
/// Most runs of a sweep, points x replications (about 4 million: a few GB of records at most).
pub const MAX_RUNS: u64 = 1 << 22;

impl Sweep {
    /// Read and check a sweep file.
    pub fn load(path: &Path) -> Result<Sweep, SweepError> {
        Self::parse(&read_spec(path)?, path)
    }

    /// Check a sweep's text; `path` names it and anchors a relative `base`.
    pub fn parse(text: &str, path: &Path) -> Result<Sweep, SweepError> {
        schema::parse_with_base(text, path, None)
    }

    /// Read the copy of a sweep kept in an output folder (`sweep.toml` and the resolved
    /// `base.toml`), so a merge does not depend on where the base file was.
    pub fn load_stored(dir: &Path) -> Result<Sweep, SweepError> {
        let base = read_stored_base(dir)?;
        let path = dir.join(STORED_SWEEP);
        schema::parse_with_base(&read_spec(&path)?, &path, Some(base))
    }

    /// The number of points of the design, without building them (`None` past `u64`).
    pub fn point_count(&self) -> Option<u64> {
        match self.method {
            Method::Grid => self
                .parameters
                .iter()
                .try_fold(1u64, |n, (_, axis)| n.checked_mul(design::axis_len(axis))),
            Method::Random | Method::Lhs => Some(u64::from(self.samples)),
            Method::Given => Some(self.given.len() as u64),
        }
    }

    /// The design's points, in a fixed order.
    pub fn points(&self) -> Vec<Point> {
        match self.method {
            Method::Grid => design::grid(&self.parameters),
            Method::Random => design::sampled(&self.parameters, self.samples, self.seed, false),
            Method::Lhs => design::sampled(&self.parameters, self.samples, self.seed, true),
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
        if let Some(p) = &self.priors {
            p.apply(&mut table, self.seed, replication);
        }
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
