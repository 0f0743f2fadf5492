//! The verdict by horizon: each scenario's paired difference from the baseline in net value a
//! year per employee at each horizon the runs reach (26, 52, 104, 156 weeks) and discounted over
//! the run, and when the ranking changes sign: the week from which the mean cumulative paired
//! difference stays on one side of zero.

use super::stats::{Comparison, show};
use super::{Compare, RunOut};
use crate::projections::horizons::{HORIZONS, break_even_week, cumulate, loss_week};

/// The compared horizon figures: undiscounted in [`HORIZONS`] order, discounted over the run,
/// then discounted in [`HORIZONS`] order.
pub const FIGURES: [&str; 9] = [
    "net_value_per_employee_year_26w_usd",
    "net_value_per_employee_year_52w_usd",
    "net_value_per_employee_year_104w_usd",
    "net_value_per_employee_year_156w_usd",
    "npv_per_employee_year_usd",
    "npv_per_employee_year_26w_usd",
    "npv_per_employee_year_52w_usd",
    "npv_per_employee_year_104w_usd",
    "npv_per_employee_year_156w_usd",
];

/// The horizon of a figure's verdict line, in words ("" for a figure without one).
pub fn over(name: &str, runs: &[RunOut]) -> String {
    if name != "net_value_per_employee_year_usd" {
        return String::new();
    }
    let weeks = runs.iter().map(|r| r.cost_usd.len()).min().unwrap_or(0);
    format!(" over the run's {weeks} weeks, undiscounted")
}

/// The mean over paired replications of the cumulative weekly net value of scenario `s` minus
/// the baseline (as long as the shortest run; empty without weekly net values).
pub fn mean_cumulative_difference(c: &Compare, runs: &[RunOut], s: usize) -> Vec<f64> {
    let of = |i: usize, r: u32| {
        runs.iter()
            .find(|o| o.scenario == i && o.replication == r && !o.net_value_usd.is_empty())
    };
    let pairs: Vec<Vec<f64>> = (0..c.replications)
        .filter_map(|r| Some((of(s, r)?, of(c.baseline, r)?)))
        .map(|(a, b)| {
            cumulate(
                a.net_value_usd
                    .iter()
                    .zip(&b.net_value_usd)
                    .map(|(x, y)| x - y),
            )
        })
        .collect();
    let weeks = pairs.iter().map(Vec::len).min().unwrap_or(0);
    (0..weeks)
        .map(|w| pairs.iter().map(|p| p[w]).sum::<f64>() / pairs.len() as f64)
        .collect()
}

/// Whether the mean difference changes sign between the horizons (`at`: the mean difference at
/// each horizon reached, the whole run last) and if so from which week, in words (from `cum`,
/// the mean cumulative difference); "" without horizons.
pub fn sign_change(name: &str, base: &str, cum: &[f64], at: &[(u32, f64)]) -> String {
    if at.is_empty() {
        return String::new();
    }
    if at.iter().all(|(_, v)| *v >= 0.0) {
        return format!("{name} is ahead of {base} at every horizon the runs reach");
    }
    if at.iter().all(|(_, v)| *v < 0.0) {
        return format!("{name} is behind {base} at every horizon the runs reach");
    }
    let before = |w: u32, behind: bool| {
        at.iter()
            .rev()
            .find(|(h, v)| *h <= w && (*v < 0.0) == behind)
            .map_or(format!("before week {w}"), |(h, _)| format!("at {h} weeks"))
    };
    match (break_even_week(cum), loss_week(cum)) {
        (Some(w), _) if w > 0 => format!(
            "{name} costs more than {base} {}, pays from ~week {w} (the mean cumulative difference stays at or above zero from then on)",
            before(w, true)
        ),
        (_, Some(w)) if w > 0 => format!(
            "{name} pays against {base} {}, costs more from ~week {w} (the mean cumulative difference stays below zero from then on)",
            before(w, false)
        ),
        _ => format!("{name}'s difference from {base} changes sign between the horizons"),
    }
}

impl Comparison {
    /// One line per scenario other than the baseline: its paired difference at each horizon the
    /// runs reach, with its 95% interval, discounted over the run, and when its sign changes.
    pub fn horizon_lines(&self, c: &Compare, runs: &[RunOut]) -> Vec<String> {
        let base = &c.scenarios[c.baseline].0;
        let rate = c
            .scenario(c.baseline, 0)
            .map_or(0.10, |s| s.money.discount_rate);
        let mut lines = Vec::new();
        for (s, (name, _)) in c.scenarios.iter().enumerate() {
            if s == c.baseline {
                continue;
            }
            let diff = |fig: &str| {
                let d = self.row(s, fig)?.diff?;
                (d.n > 0 && d.mean.is_finite()).then_some(d)
            };
            let text = |fig: &str, d: crate::sweep::aggregate::Stat| {
                let v = |x| show(fig, x, true);
                format!("{} [{}, {}]", v(d.mean), v(d.ci_low), v(d.ci_high))
            };
            let mut parts = Vec::new();
            let mut at = Vec::new();
            for (k, h) in HORIZONS.iter().enumerate() {
                if let Some(d) = diff(FIGURES[k]) {
                    let npv = diff(FIGURES[5 + k]).map_or(String::new(), |n| {
                        format!(" ({} discounted)", show(FIGURES[5 + k], n.mean, true))
                    });
                    parts.push(format!("{} at {h} weeks{npv}", text(FIGURES[k], d)));
                    at.push((*h, d.mean));
                }
            }
            if let Some(d) = diff(FIGURES[4]) {
                parts.push(format!(
                    "{} over the run discounted to present at {}% a year",
                    text(FIGURES[4], d),
                    crate::projections::summary::rate(rate)
                ));
            }
            if parts.is_empty() {
                continue;
            }
            if let Some(d) = diff("net_value_per_employee_year_usd") {
                let weeks = runs.iter().map(|r| r.cost_usd.len()).min().unwrap_or(0);
                at.push((weeks as u32, d.mean));
            }
            let cum = mean_cumulative_difference(c, runs, s);
            let story = sign_change(name, base, &cum, &at);
            lines.push(format!(
                "Net value a year per employee by horizon, {name} minus {base}: {}{}",
                parts.join("; "),
                if story.is_empty() {
                    String::new()
                } else {
                    format!(". {story}")
                }
            ));
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sign_change_between_horizons_is_named_with_its_week() {
        // given a policy whose mean cumulative difference is negative for 65 weeks and positive
        // after, with -$623 at 52 weeks and +$2,098 at 156, then the verdict says it costs more
        // at 52 weeks and pays from ~week 65
        let cum: Vec<f64> = (0..156).map(|w| if w < 65 { -1.0 } else { 1.0 }).collect();
        let at = [(26, -2483.0), (52, -623.0), (104, 1500.0), (156, 2098.0)];
        let s = sign_change("rollout-mandate", "rollout", &cum, &at);
        assert!(
            s.starts_with(
                "rollout-mandate costs more than rollout at 52 weeks, pays from ~week 65"
            ),
            "{s}"
        );
        // and the other way round: ahead early, behind from week 30
        let cum: Vec<f64> = (0..52).map(|w| if w < 30 { 1.0 } else { -1.0 }).collect();
        let s = sign_change("a", "b", &cum, &[(26, 10.0), (52, -5.0)]);
        assert!(
            s.starts_with("a pays against b at 26 weeks, costs more from ~week 30"),
            "{s}"
        );
        // and without a change between the horizons, an early dip of the cumulative difference
        // is no change of sign
        let s = sign_change("a", "b", &[-1.0, 2.0], &[(26, 5.0), (52, 3.0)]);
        assert_eq!(s, "a is ahead of b at every horizon the runs reach");
        let s = sign_change("a", "b", &[1.0, -2.0], &[(26, -5.0)]);
        assert_eq!(s, "a is behind b at every horizon the runs reach");
        assert_eq!(sign_change("a", "b", &[], &[]), "");
    }
}
