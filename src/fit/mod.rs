//! `tokenmaxx fit`: the population and behaviour parameters that make the simulator reproduce an
//! imported organisation profile.
//!
//! The existing calibration machinery, with the profile's own figures as moments: every
//! candidate is simulated with the same seeds (common random numbers) at the profile's headcount,
//! group shares, team size and number of weeks; its runs are reduced to a [`Panel`] and a
//! [`Profile`] by the same code that reads an export; the loss is
//! `sum_j ((m_j - observed_j) / tolerance_j)^2` over the moments of [`moments`]; differential
//! evolution ([`crate::explore::de`]) minimises it over the unit cube of [`Param`]s.

pub mod output;
pub mod posterior;
pub mod scenario;

use rayon::prelude::*;

use crate::explore::de;
use crate::import::panel::{self, Panel};
use crate::import::profile::{Profile, QUANTILES};
use crate::scenario::{Overrides, Scenario, ScenarioError};

pub use scenario::{Param, params};

/// One fitted figure: its value, the error that counts as one unit of loss, and whether the loss
/// compares logarithms (quantiles and ratios) or levels (shares, Gini).
#[derive(Debug, Clone, PartialEq)]
pub struct Moment {
    pub name: String,
    pub value: f64,
    pub tolerance: f64,
    pub log: bool,
}

/// The quantiles fitted (by name).
const FITTED_QUANTILES: [&str; 6] = ["p10", "p25", "p50", "p75", "p90", "p99"];

/// The moments of a profile: six quantiles of user-weeks, the active and user shares, the Gini,
/// the top-decile and p95 ratios, the token growth, and (with `outcome`) the top decile's output
/// ratio.
pub fn moments(p: &Profile, outcome: bool) -> Vec<Moment> {
    let m = |name: &str, value: f64, tolerance: f64, log: bool| Moment {
        name: name.to_string(),
        value,
        tolerance,
        log,
    };
    let mut out: Vec<Moment> = FITTED_QUANTILES
        .iter()
        .map(|q| {
            m(
                &format!("tokens_{q}"),
                p.tokens.quantiles.get(*q).copied().unwrap_or(0.0),
                0.1,
                true,
            )
        })
        .collect();
    out.push(m("weekly_active_share", p.weekly_active_share, 0.02, false));
    out.push(m("weekly_user_share", p.weekly_user_share, 0.02, false));
    out.push(m("tokens_gini", p.tokens.gini, 0.02, false));
    out.push(m(
        "top_decile_token_ratio",
        p.tokens.top_decile_ratio,
        0.1,
        true,
    ));
    out.push(m("p95_token_ratio", p.tokens.p95_ratio, 0.1, true));
    out.push(m("token_growth", growth(p), 0.02, false));
    if outcome {
        let r = p.outcomes.first().map_or(0.0, |o| o.top_decile_ratio);
        out.push(m("top_decile_output_ratio", r, 0.1, true));
    }
    debug_assert!(
        QUANTILES
            .iter()
            .filter(|(k, _)| FITTED_QUANTILES.contains(k))
            .count()
            == 6
    );
    out
}

/// The trend of weekly tokens: ln of the second half's total over the first half's (0 with
/// fewer than two weeks). Learning makes it grow with the gain people see from the tools.
pub fn growth(p: &Profile) -> f64 {
    let n = p.trend.len();
    let half = n / 2;
    if half == 0 {
        return 0.0;
    }
    let sum = |r: &[crate::import::profile::WeekRow]| {
        r.iter().map(|w| w.tokens_total).sum::<f64>() / r.len() as f64
    };
    let (a, b) = (sum(&p.trend[..half]), sum(&p.trend[n - half..]));
    if a > 0.0 && b > 0.0 {
        (b / a).ln()
    } else {
        0.0
    }
}

/// The loss of simulated moment values against observed ones (NaN if any is missing).
pub fn loss(observed: &[Moment], simulated: &[f64]) -> f64 {
    observed
        .iter()
        .zip(simulated)
        .map(|(o, &s)| {
            if s.is_nan() {
                return f64::NAN;
            }
            let (a, b) = if o.log {
                (s.max(1e-9).ln(), o.value.max(1e-9).ln())
            } else {
                (s, o.value)
            };
            ((a - b) / o.tolerance).powi(2)
        })
        .sum()
}

/// A checked fit, ready to run.
#[derive(Debug, Clone)]
pub struct Fit {
    /// The base scenario's merged table with the profile's headcount, groups, team size and
    /// weeks (and `--policy`'s policies) applied.
    pub table: toml::Table,
    pub observed: Profile,
    pub moments: Vec<Moment>,
    pub params: Vec<Param>,
    pub replications: u32,
    pub settings: de::Settings,
    /// An outcome moment is fitted.
    pub outcome: bool,
}

/// One evaluated candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub index: usize,
    pub generation: usize,
    pub values: Vec<f64>,
    /// Simulated moment values (means over replications), in the order of `Fit::moments`.
    pub simulated: Vec<f64>,
    pub loss: f64,
}

/// How to fit.
#[derive(Debug, Clone)]
pub struct Settings {
    pub replications: u32,
    pub budget: usize,
    pub seed: u64,
    /// Simulate candidates with this many people instead of the profile's headcount (a large
    /// organisation fitted on a sample of the same shape; org.toml states the real headcount).
    pub employees: Option<u32>,
}

impl Fit {
    /// A fit of `observed` on `base` (a scenario), with `policy`'s policies in force if given.
    /// Refuses a base or policy that does not load, or whose fitted table is not a valid
    /// scenario at the middle of the bounds.
    pub fn new(
        observed: Profile,
        base: &crate::scenario::Source,
        policy: Option<&crate::scenario::Source>,
        s: &Settings,
    ) -> Result<Fit, ScenarioError> {
        use crate::scenario::load::resolve;
        let base_table = resolve(base)?.table;
        let base_groups = Scenario::from_table(base_table.clone(), "base", &Overrides::default())?
            .0
            .groups
            .iter()
            .map(|g| g.name.clone())
            .collect::<Vec<_>>();
        let mut table = base_table;
        scenario::structure(&observed, &base_groups, &mut table);
        let weeks = observed.weeks.len().max(1) as i64;
        table.insert("weeks".into(), toml::Value::Integer(weeks));
        if let Some(n) = s.employees {
            table.insert("employees".into(), toml::Value::Integer(n as i64));
        }
        if let Some(p) = policy {
            scenario::apply_policy(&mut table, &resolve(p)?.table, weeks);
        }
        let outcome = !observed.outcomes.is_empty();
        let params = params(outcome, &scenario::groups(&observed, &base_groups));
        let k = params.len();
        let fit = Fit {
            table,
            moments: moments(&observed, outcome),
            observed,
            params,
            replications: s.replications.max(1),
            settings: de::Settings {
                population: (10 * k).clamp(8, 40).min(s.budget.max(4)),
                budget: s.budget.max(4),
                weight: 0.7,
                crossover: 0.9,
                seed: s.seed,
            },
            outcome,
        };
        fit.scenario(&vec![0.5; k], s.seed)?;
        Ok(fit)
    }

    /// The scenario of a candidate at unit-cube point `u`.
    pub fn scenario(&self, u: &[f64], seed: u64) -> Result<Scenario, ScenarioError> {
        let mut t = self.table.clone();
        for (p, &x) in self.params.iter().zip(u) {
            p.set(&self.table, &mut t, p.at(x));
        }
        let o = Overrides {
            seed: Some(seed),
            ..Overrides::default()
        };
        Scenario::from_table(t, "(fit candidate)", &o).map(|(s, _)| s)
    }

    /// The profile of one simulated replication of a candidate.
    pub fn simulate(&self, u: &[f64], replication: u32) -> Option<Profile> {
        let s = self.scenario(u, self.settings.seed).ok()?;
        let panel: Panel = panel::simulated(&s, replication);
        Some(Profile::of(
            &panel,
            self.observed.active_threshold_tokens,
            vec!["simulated".into()],
            0,
            0,
        ))
    }

    /// Mean simulated moments of a candidate over the replications (NaN where a run failed).
    pub fn evaluate(&self, u: &[f64]) -> Vec<f64> {
        let outcome = self.outcome;
        let mut sum = vec![0.0; self.moments.len()];
        for r in 0..self.replications {
            match self.simulate(u, r) {
                Some(p) => {
                    for (s, m) in sum.iter_mut().zip(moments(&p, outcome)) {
                        *s += m.value;
                    }
                }
                None => return vec![f64::NAN; self.moments.len()],
            }
        }
        sum.iter().map(|s| s / self.replications as f64).collect()
    }

    /// Run the optimisation; every candidate in order (a generation in parallel).
    pub fn run(&self, done: &(dyn Fn(usize) + Sync)) -> Vec<Candidate> {
        let mut candidates = Vec::with_capacity(self.settings.budget);
        let mut generation = 0;
        de::minimise(self.params.len(), &self.settings, &mut |batch, first| {
            let sims: Vec<Vec<f64>> = batch
                .par_iter()
                .with_max_len(1)
                .map(|u| {
                    let s = self.evaluate(u);
                    done(self.replications as usize);
                    s
                })
                .collect();
            let losses: Vec<f64> = sims.iter().map(|s| loss(&self.moments, s)).collect();
            for (i, (u, s)) in batch.iter().zip(sims).enumerate() {
                candidates.push(Candidate {
                    index: first + i,
                    generation,
                    values: self.params.iter().zip(u).map(|(p, &x)| p.at(x)).collect(),
                    simulated: s,
                    loss: losses[i],
                });
            }
            generation += 1;
            losses
        });
        candidates
    }

    /// The unit-cube point of parameter values.
    pub fn unit(&self, values: &[f64]) -> Vec<f64> {
        self.params
            .iter()
            .zip(values)
            .map(|(p, &v)| p.unit(v))
            .collect()
    }
}

/// The best candidate (lowest loss, first of equals; None if all failed).
pub fn best(c: &[Candidate]) -> Option<&Candidate> {
    crate::explore::lowest(c, |c| c.loss)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loss_is_zero_at_the_observed_moments_and_grows_away() {
        let obs = vec![
            Moment {
                name: "q".into(),
                value: 1e6,
                tolerance: 0.1,
                log: true,
            },
            Moment {
                name: "s".into(),
                value: 0.5,
                tolerance: 0.02,
                log: false,
            },
        ];
        assert_eq!(loss(&obs, &[1e6, 0.5]), 0.0);
        let one = loss(&obs, &[1e6 * 0.1f64.exp(), 0.5]);
        assert!((one - 1.0).abs() < 1e-9, "{one}");
        assert!((loss(&obs, &[1e6, 0.54]) - 4.0).abs() < 1e-9);
        assert!(loss(&obs, &[f64::NAN, 0.5]).is_nan());
    }
}
