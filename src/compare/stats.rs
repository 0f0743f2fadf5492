//! The statistics of a comparison: per scenario and figure the mean, standard deviation and 95%
//! interval over replications; against the baseline the paired difference with its interval and
//! the share of replications in which the scenario does better; and how stable each pairwise
//! ranking is across replications (with priors: across parameter draws).

use super::{Compare, RunOut};

use crate::sweep::aggregate::{Stat, stat};

pub use crate::projections::figures::{Better, Fig, Figure};

/// The compared figures by name, the headline first (labels, units and directions are the
/// summary figures' own, in `projections::figures`); the horizons' figures follow
/// ([`super::horizons::FIGURES`], whose verdict is one line).
const COMPARED: [Fig; 16] = [
    Fig::net_value_per_employee_year_usd,
    Fig::padding_share,
    Fig::output_uplift,
    Fig::mean_genuine_active_share,
    Fig::annual_cost_per_employee_usd,
    Fig::incident_cost,
    Fig::incidents,
    Fig::roi,
    Fig::mean_reported_active_share,
    Fig::top_decile_token_ratio,
    Fig::top_decile_output_ratio,
    Fig::value_uplift,
    Fig::quality_cost,
    // For whom: the output gain of each third of employees by AI fit.
    Fig::output_uplift_low_fit,
    Fig::output_uplift_mid_fit,
    Fig::output_uplift_high_fit,
];

/// The compared figures, the headline first.
pub static FIGURES: std::sync::LazyLock<Vec<&'static Figure>> = std::sync::LazyLock::new(|| {
    COMPARED
        .iter()
        .map(|f| f.figure())
        .chain(super::horizons::FIGURES.iter().copied())
        .collect()
});

impl Compare {
    /// The figures this comparison compares, the headline first: [`FIGURES`], with
    /// `--horizons` the horizon figures of its horizons in place of the summary's. A run's
    /// figures are in this order after [`Compare::refigure`].
    pub fn figures(&self) -> Vec<&'static Figure> {
        match &self.horizons {
            None => FIGURES.clone(),
            Some(weeks) => FIGURES[..COMPARED.len()]
                .iter()
                .copied()
                .chain(super::horizons::figures(weeks))
                .collect(),
        }
    }
}

/// Whether figure `f` of [`Compare::figures`] is a horizon's (reported in the verdict's line by
/// horizon, and left out where no run reaches it).
fn is_horizon(f: usize) -> bool {
    f >= COMPARED.len()
}

/// One scenario's figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub scenario: usize,
    pub figure: &'static str,
    pub stat: Stat,
    /// Paired difference scenario - baseline (None for the baseline itself).
    pub diff: Option<Stat>,
    /// Share of replications in which the scenario beats the baseline (None without a direction).
    pub share_better: Option<f64>,
}

/// How often `a` beats `b` on a figure, over replications.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    pub figure: &'static str,
    pub a: usize,
    pub b: usize,
    pub share_a_better: f64,
}

impl Ranking {
    /// The ranking holds in at least 90% of replications one way or the other.
    pub fn stable(&self) -> bool {
        self.share_a_better >= 0.9 || self.share_a_better <= 0.1
    }
}

/// Everything a comparison reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub rows: Vec<Row>,
    pub rankings: Vec<Ranking>,
}

/// `values[s][r]` of figure `f` (NaN where a run failed).
pub(super) fn matrix(c: &Compare, runs: &[RunOut], f: usize) -> Vec<Vec<f64>> {
    let mut m = vec![vec![f64::NAN; c.replications as usize]; c.scenarios.len()];
    for run in runs {
        // (a journal written before a figure was added lacks it: undefined)
        m[run.scenario][run.replication as usize] = run.figures.get(f).copied().unwrap_or(f64::NAN);
    }
    m
}

/// Paired differences `a - b` over the replications where both are defined.
pub fn paired(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter()
        .zip(b)
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .map(|(x, y)| x - y)
        .collect()
}

/// Share of paired replications in which `a` does better than `b`.
fn share_better(a: &[f64], b: &[f64], better: Better) -> Option<f64> {
    let d = paired(a, b);
    let wins = match better {
        Better::Higher => d.iter().filter(|x| **x > 0.0).count(),
        Better::Lower => d.iter().filter(|x| **x < 0.0).count(),
        Better::Neither => return None,
    };
    (!d.is_empty()).then(|| wins as f64 / d.len() as f64)
}

fn finite(v: &[f64]) -> Vec<f64> {
    v.iter().copied().filter(|x| x.is_finite()).collect()
}

impl Comparison {
    /// Compute the comparison of the successful runs.
    pub fn of(c: &Compare, runs: &[RunOut]) -> Comparison {
        let (mut rows, mut rankings) = (Vec::new(), Vec::new());
        for (f, fig) in c.figures().into_iter().enumerate() {
            let m = matrix(c, runs, f);
            let base = &m[c.baseline];
            // A horizon no run reaches is left out, not reported as undefined.
            let reached = m.iter().flatten().any(|v| v.is_finite());
            if !reached && is_horizon(f) {
                continue;
            }
            for (s, values) in m.iter().enumerate() {
                let is_base = s == c.baseline;
                rows.push(Row {
                    scenario: s,
                    figure: fig.name,
                    stat: stat(&finite(values)),
                    diff: (!is_base).then(|| stat(&paired(values, base))),
                    share_better: if is_base {
                        None
                    } else {
                        share_better(values, base, fig.better)
                    },
                });
            }
            for a in 0..m.len() {
                for b in a + 1..m.len() {
                    if let Some(share) = share_better(&m[a], &m[b], fig.better) {
                        rankings.push(Ranking {
                            figure: fig.name,
                            a,
                            b,
                            share_a_better: share,
                        });
                    }
                }
            }
        }
        Comparison { rows, rankings }
    }

    /// The row of scenario `s` and figure `name`.
    pub fn row(&self, s: usize, name: &str) -> Option<&Row> {
        self.rows
            .iter()
            .find(|r| r.scenario == s && r.figure == name)
    }

    /// The verdict in words, a line per figure with a direction: which scenario is best on
    /// average, and whether its lead over the runner-up is larger than the noise (the 95%
    /// interval of their paired difference excludes zero).
    pub fn verdict(&self, c: &Compare, runs: &[RunOut]) -> Vec<String> {
        self.verdict_with(c, runs, &[])
    }

    /// The verdict with `decision` (the decision analysis in words) right after the headline's
    /// lines (net value and its horizons), before the other figures.
    pub fn verdict_with(&self, c: &Compare, runs: &[RunOut], decision: &[String]) -> Vec<String> {
        let mut lines: Vec<String> = c.priors.iter().filter_map(|p| p.said()).collect();
        for (f, fig) in c.figures().into_iter().enumerate() {
            if fig.better == Better::Neither || c.scenarios.len() < 2 || is_horizon(f) {
                continue;
            }
            let sign = if fig.better == Better::Higher {
                1.0
            } else {
                -1.0
            };
            let mut order: Vec<usize> = (0..c.scenarios.len()).collect();
            let mean = |s: usize| self.row(s, fig.name).map_or(f64::NAN, |r| r.stat.mean);
            order.sort_by(|a, b| (sign * mean(*b)).total_cmp(&(sign * mean(*a))));
            let (best, second) = (order[0], order[1]);
            let m = matrix(c, runs, f);
            let d = stat(&paired(&m[best], &m[second]));
            let (b, s) = (&c.scenarios[best].name, &c.scenarios[second].name);
            if d.mean == 0.0 && d.sd == 0.0 {
                lines.push(format!(
                    "{}{}: {b} and {s} are identical in every replication ({})",
                    fig.label,
                    super::horizons::over(fig.name, runs),
                    show(fig.name, mean(best), false)
                ));
                continue;
            }
            let clear = d.ci_low.is_finite() && (d.ci_low > 0.0 || d.ci_high < 0.0);
            lines.push(format!(
                "{}{}: best is {b} ({}), {} {s} (paired difference {} [{}, {}])",
                fig.label,
                super::horizons::over(fig.name, runs),
                show(fig.name, mean(best), false),
                if clear {
                    "clearly ahead of"
                } else {
                    "not distinguishable from"
                },
                show(fig.name, d.mean, true),
                show(fig.name, d.ci_low, true),
                show(fig.name, d.ci_high, true)
            ));
            if f == 0 {
                lines.extend(self.horizon_lines(c, runs));
                lines.extend(decision.iter().cloned());
            }
        }
        lines
    }
}

/// A figure's value for people: dollars, percentages (points for a difference) or a number.
pub fn show(name: &str, v: f64, difference: bool) -> String {
    crate::projections::figures::Unit::of(name).short(v, difference)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paired_intervals_match_a_hand_computation() {
        // given a = [3, 5, 4], b = [1, 2, 2] the differences are [2, 3, 2]: mean 7/3, sd
        // sqrt(1/3), and the 95% interval is mean -+ t(2) * sd / sqrt(3) with t(2) = 4.303
        let d = stat(&paired(&[3.0, 5.0, 4.0], &[1.0, 2.0, 2.0]));
        let mean = 7.0 / 3.0;
        let sd = (1.0f64 / 3.0).sqrt();
        let half = 4.303 * sd / 3.0f64.sqrt();
        assert!((d.mean - mean).abs() < 1e-12);
        assert!((d.sd - sd).abs() < 1e-12);
        assert!((d.ci_low - (mean - half)).abs() < 1e-9);
        assert!((d.ci_high - (mean + half)).abs() < 1e-9);
        // and the unpaired intervals of a and b overlap although every difference is positive
        let (a, b) = (stat(&[3.0, 5.0, 4.0]), stat(&[1.0, 2.0, 2.0]));
        assert!(a.ci_low < b.ci_high && d.ci_low > 0.0);
    }

    #[test]
    fn share_better_follows_the_figure_direction() {
        let a = [1.0, 3.0, 5.0, f64::NAN];
        let b = [2.0, 2.0, 2.0, 2.0];
        assert_eq!(share_better(&a, &b, Better::Higher), Some(2.0 / 3.0));
        assert_eq!(share_better(&a, &b, Better::Lower), Some(1.0 / 3.0));
        assert_eq!(share_better(&a, &b, Better::Neither), None);
    }
}
