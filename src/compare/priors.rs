//! Priors over parameters without a published anchor: each replication of a comparison draws
//! every listed parameter uniformly from its range, the same draw for every scenario of that
//! replication (so differences stay paired).
//!
//! ```toml
//! [parameters]
//! "behaviour.norm_weight" = { low = 0.2, high = 0.8 }
//! ```

use std::path::Path;

use rand::RngExt;
use serde::Deserialize;

use crate::engine::rng::{Entity, Purpose, stream};
use crate::sweep::SweepError;
use crate::sweep::spec::{check_path, read_spec, set_path};

/// The shipped priors (`--priors default`): scenarios/priors/unanchored.toml.
pub const DEFAULT: &str = include_str!("../../scenarios/priors/unanchored.toml");

/// Uniform priors over dotted scenario paths, in file order.
#[derive(Debug, Clone, PartialEq, serde::Serialize, Deserialize)]
pub struct Priors {
    pub parameters: Vec<(String, f64, f64)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPriors {
    parameters: toml::Table,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Range {
    low: f64,
    high: f64,
}

impl Priors {
    /// Read a priors file, or the shipped default for `default`.
    pub fn load(spec: &str) -> Result<Priors, SweepError> {
        if spec == "default" {
            return Self::parse(DEFAULT, "default priors (scenarios/priors/unanchored.toml)");
        }
        let path = Path::new(spec);
        Self::parse(&read_spec(path)?, &path.display().to_string())
    }

    /// Parse and check priors text: every path is a scenario parameter, every range finite with
    /// `low <= high`.
    pub fn parse(text: &str, file: &str) -> Result<Priors, SweepError> {
        let invalid = |message: String| SweepError::Invalid {
            file: file.to_string(),
            message,
        };
        let raw: RawPriors = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let base =
            crate::scenario::load::resolve(&crate::scenario::Source::Builtin("baseline".into()))
                .map_err(|e| invalid(e.to_string()))?
                .table;
        let mut parameters = Vec::new();
        for (path, v) in raw.parameters {
            check_path(&base, &path, file)?;
            let r = Range::deserialize(v).map_err(|e| {
                invalid(format!("parameters.\"{path}\": {e} (want {{ low, high }})"))
            })?;
            if !(r.low.is_finite() && r.high.is_finite() && r.low <= r.high) {
                return Err(invalid(format!(
                    "parameters.\"{path}\": low {} and high {} must be finite with low <= high",
                    r.low, r.high
                )));
            }
            parameters.push((path, r.low, r.high));
        }
        if parameters.is_empty() {
            return Err(invalid("[parameters] lists no parameter".into()));
        }
        Ok(Priors { parameters })
    }

    /// The draw of replication `r`: one value per parameter, from its own RNG stream.
    pub fn draw(&self, seed: u64, r: u32) -> Vec<f64> {
        let mut rng = stream(seed, r, Entity::Team(0), 0, Purpose::Priors);
        self.parameters
            .iter()
            .map(|(_, lo, hi)| lo + (hi - lo) * rng.random::<f64>())
            .collect()
    }

    /// Set the draw of replication `r` into a resolved scenario table.
    pub fn apply(&self, table: &mut toml::Table, seed: u64, r: u32) {
        for ((path, _, _), v) in self.parameters.iter().zip(self.draw(seed, r)) {
            set_path(table, path, toml::Value::Float(v));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_priors_parse_and_draw_inside_their_ranges() {
        let p = Priors::load("default").unwrap();
        assert!(p.parameters.len() >= 6);
        let d = p.draw(1, 3);
        assert_eq!(d, p.draw(1, 3), "a replication's draw is reproducible");
        assert_ne!(d, p.draw(1, 4), "replications draw differently");
        for ((_, lo, hi), v) in p.parameters.iter().zip(d) {
            assert!(*lo <= v && v <= *hi);
        }
    }

    #[test]
    fn bad_priors_are_refused_naming_the_problem() {
        let e = Priors::parse(
            "[parameters]\n\"behaviour.nope\" = { low = 0, high = 1 }\n",
            "p",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("behaviour.nope"), "{e}");
        let e = Priors::parse(
            "[parameters]\n\"behaviour.norm_weight\" = { low = 0.8, high = 0.2 }\n",
            "p",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("low <= high"), "{e}");
    }
}
