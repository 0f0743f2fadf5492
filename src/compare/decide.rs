//! Deciding under uncertainty, from the runs of a comparison with priors (no extra runs): the
//! probability that each policy is best, by horizon; what drives each policy's difference from
//! the baseline and where it flips ([`crate::decision::attribution`]); and what knowing each
//! uncertain parameter would be worth to the choice ([`crate::decision::evppi`]).
//!
//! Samples are replications: each has its own seed and its own prior draw, shared by every
//! scenario. A replication counts where every scenario's figure is defined.

use super::stats::{Better, matrix, show};
use super::{Compare, RunOut};
use crate::decision::attribution::{Driver, drivers};
use crate::decision::evppi::{evpi, evppi};

/// The headline figure the choice is made on.
pub const HEADLINE: &str = crate::projections::figures::Fig::net_value_per_employee_year_usd.name();

/// The figures whose probability of being best is reported: the headline (over the run) and
/// the net value per employee-year at each of the comparison's horizons.
pub fn best_on(c: &Compare) -> Vec<&'static str> {
    let weeks = c.horizon_weeks();
    std::iter::once(HEADLINE)
        .chain(
            super::horizons::figures(&weeks)
                .iter()
                .take(weeks.len())
                .map(|f| f.name),
        )
        .collect()
}

/// One scenario's drivers of one figure's paired difference from the baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct Drivers {
    pub scenario: usize,
    pub figure: &'static str,
    pub drivers: Vec<Driver>,
}

/// The decision analysis of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// Per figure of [`best_on`] the runs reach: each scenario's share of replications in which
    /// it is best (ties shared), and how many replications count.
    pub best: Vec<(&'static str, Vec<f64>, usize)>,
    /// With priors: per figure with a direction and per scenario but the baseline.
    pub drivers: Vec<Drivers>,
    /// With priors: the EVPPI of each parameter for the choice on the headline (USD per
    /// employee-year), in parameter order, and the EVPI.
    pub evppi: Vec<f64>,
    pub evpi: f64,
    /// Replications the value of information is estimated from.
    pub samples: usize,
}

/// The replications where every scenario's figure `f` is defined, as `[scenario][sample]`,
/// with the replication of each sample.
fn complete(c: &Compare, runs: &[RunOut], f: usize) -> (Vec<Vec<f64>>, Vec<u32>) {
    let m = matrix(c, runs, f);
    let keep: Vec<u32> = (0..c.replications)
        .filter(|&r| m.iter().all(|s| s[r as usize].is_finite()))
        .collect();
    let values = m
        .iter()
        .map(|s| keep.iter().map(|&r| s[r as usize]).collect())
        .collect();
    (values, keep)
}

fn index_of(c: &Compare, name: &str) -> Option<usize> {
    c.figures().iter().position(|f| f.name == name)
}

/// Each scenario's share of samples in which it is best (higher is better; ties shared).
pub fn best_shares(v: &[Vec<f64>]) -> Vec<f64> {
    let n = v.first().map_or(0, Vec::len);
    let mut share = vec![0.0; v.len()];
    for r in 0..n {
        let top = v.iter().map(|s| s[r]).fold(f64::NEG_INFINITY, f64::max);
        let winners: Vec<usize> = (0..v.len()).filter(|&s| v[s][r] == top).collect();
        for s in &winners {
            share[*s] += 1.0 / winners.len() as f64 / n as f64;
        }
    }
    share
}

impl Decision {
    /// The analysis of a comparison's successful runs.
    pub fn of(c: &Compare, runs: &[RunOut]) -> Decision {
        let best = best_on(c)
            .into_iter()
            .filter_map(|name| {
                let (v, keep) = complete(c, runs, index_of(c, name)?);
                (!keep.is_empty()).then(|| (name, best_shares(&v), keep.len()))
            })
            .collect();
        let mut d = Decision {
            best,
            drivers: Vec::new(),
            evppi: Vec::new(),
            evpi: f64::NAN,
            samples: 0,
        };
        if let Some(p) = &c.priors {
            let draws: Vec<Vec<f64>> = (0..c.replications).map(|r| p.draw(c.seed, r)).collect();
            d.drivers = all_drivers(c, runs, &draws);
            let (nb, keep) = complete(c, runs, index_of(c, HEADLINE).expect("the headline"));
            if keep.len() >= 2 {
                d.evpi = evpi(&nb);
                d.evppi = (0..p.names().len())
                    .map(|j| evppi(&nb, &column(&draws, &keep, j)))
                    .collect();
                d.samples = keep.len();
            }
        }
        d
    }
}

/// Parameter `j`'s drawn value at each kept replication.
fn column(draws: &[Vec<f64>], keep: &[u32], j: usize) -> Vec<f64> {
    keep.iter().map(|&r| draws[r as usize][j]).collect()
}

/// The drivers of every directed figure's paired difference, for every scenario but the
/// baseline, over the replications where both are defined.
fn all_drivers(c: &Compare, runs: &[RunOut], draws: &[Vec<f64>]) -> Vec<Drivers> {
    let mut out = Vec::new();
    for (f, fig) in c.figures().into_iter().enumerate() {
        if fig.better == Better::Neither {
            continue;
        }
        let m = matrix(c, runs, f);
        for s in (0..c.scenarios.len()).filter(|&s| s != c.baseline) {
            let keep: Vec<u32> = (0..c.replications)
                .filter(|&r| m[s][r as usize].is_finite() && m[c.baseline][r as usize].is_finite())
                .collect();
            if keep.len() < 3 {
                continue;
            }
            let diff: Vec<f64> = keep
                .iter()
                .map(|&r| m[s][r as usize] - m[c.baseline][r as usize])
                .collect();
            let x: Vec<Vec<f64>> = (0..draws.first().map_or(0, Vec::len))
                .map(|j| column(draws, &keep, j))
                .collect();
            out.push(Drivers {
                scenario: s,
                figure: fig.name,
                drivers: drivers(&diff, &x),
            });
        }
    }
    out
}

/// A parameter value for people: four significant digits.
pub fn value(v: f64) -> String {
    if v != 0.0 && (v.abs() >= 1e5 || v.abs() < 1e-3) {
        format!("{v:.2e}")
    } else {
        format!("{}", (v * 1e4).round() / 1e4)
    }
}

impl Decision {
    /// The analysis in words: the probability of being best by horizon; with priors, what
    /// decides each policy against the baseline on the headline, and what to measure first.
    pub fn lines(&self, c: &Compare) -> Vec<String> {
        let mut lines = Vec::new();
        for (name, shares, n) in &self.best {
            let label = crate::projections::figures::figure(name).label;
            let parts: Vec<String> = c
                .scenarios
                .iter()
                .zip(shares)
                .map(|(s, p)| format!("{} {:.0}%", s.name, 100.0 * p))
                .collect();
            lines.push(format!(
                "Probability of being best on {label} (over {n} replications{}): {}",
                if c.priors.is_some() {
                    ", seeds and prior draws"
                } else {
                    ", seeds only"
                },
                parts.join(", ")
            ));
        }
        let Some(p) = &c.priors else { return lines };
        let base = &c.scenarios[c.baseline].name;
        for d in self.drivers.iter().filter(|d| d.figure == HEADLINE) {
            let name = &c.scenarios[d.scenario].name;
            let top: Vec<String> = d
                .drivers
                .iter()
                .take(3)
                .filter(|k| k.first_order >= 0.05)
                .map(|k| driver_words(k, p.names()[k.parameter], name, base))
                .collect();
            lines.push(if top.is_empty() {
                format!("What decides {name} against {base}: no parameter explains 5% of the difference's spread (seed noise or interactions dominate)")
            } else {
                format!("What decides {name} against {base}: {}", top.join("; "))
            });
        }
        if self.samples >= 2 {
            lines.push(self.value_line(c));
        }
        lines
    }

    fn value_line(&self, c: &Compare) -> String {
        let p = c.priors.as_ref().expect("priors");
        let mut order: Vec<usize> = (0..self.evppi.len()).collect();
        order.sort_by(|&a, &b| self.evppi[b].total_cmp(&self.evppi[a]));
        let top: Vec<String> = order
            .iter()
            .take(3)
            .map(|&j| format!("{} {}", p.names()[j], show(HEADLINE, self.evppi[j], false)))
            .collect();
        format!(
            "What to measure first (EVPPI, USD per employee-year, regression method over {} replications): {}; perfect information about everything, seed noise included: {} (EVPI). A pilot that measures a parameter pays if it costs less than its EVPPI times the employees and years the choice covers",
            self.samples,
            top.join(", "),
            show(HEADLINE, self.evpi, false)
        )
    }
}

/// One driver in words: its share of the spread, its direction and its flip point.
fn driver_words(k: &Driver, param: &str, name: &str, base: &str) -> String {
    let share = format!(
        "{param} ({:.0}% of the spread, rank correlation {:+.2})",
        100.0 * k.first_order,
        k.rank_correlation
    );
    match k.flip {
        Some(f) => format!(
            "{share}: {name} does better than {base} only if {param} is {} ~{}",
            if f.positive_below { "below" } else { "above" },
            value(f.at)
        ),
        None => share,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_shares_split_ties_and_sum_to_one() {
        let v = vec![vec![1.0, 2.0, 3.0, 0.0], vec![0.0, 2.0, 4.0, -1.0]];
        assert_eq!(best_shares(&v), vec![0.625, 0.375]);
    }

    #[test]
    fn parameter_values_read_well() {
        assert_eq!(value(1.4e7), "1.40e7");
        assert_eq!(value(0.0312345), "0.0312");
        assert_eq!(value(2.5), "2.5");
    }
}
