//! The verdict by horizon: each scenario's paired difference from the baseline in net value a
//! year per employee at each horizon the runs reach (26, 52, 104, 156 weeks, or those of
//! `--horizons`) and discounted over the run, and when the ranking changes sign: the week from
//! which the mean cumulative paired difference stays on one side of zero.
//!
//! The summary's horizons are fixed (summary.json's keys); `--horizons` applies to the
//! comparison's outputs only, its figures computed from each run's weekly net value as the
//! summary computes its own ([`Compare::refigure`]).

use super::stats::{Comparison, Figure, show};
use super::{Compare, Compared, RunOut};
use crate::projections::figures::{Fig, horizon};
use crate::projections::horizons::{
    HORIZONS, break_even_week, cumulate, cumulate_discounted, loss_week, per_employee_year,
};

/// Most horizons `--horizons` takes.
pub const MAX_HORIZONS: usize = 8;

/// The compared horizon figures, those of the summary's [`HORIZONS`] laid out as [`figures`]
/// lays them out: undiscounted in [`HORIZONS`] order, discounted over the run, then discounted in
/// [`HORIZONS`] order.
pub static FIGURES: std::sync::LazyLock<Vec<&'static Figure>> =
    std::sync::LazyLock::new(|| figures(&HORIZONS));

/// The horizon figures of `weeks`, laid out as [`FIGURES`]: undiscounted at each horizon,
/// discounted over the run, then discounted at each horizon.
pub fn figures(weeks: &[u32]) -> Vec<&'static Figure> {
    let whole = Fig::npv_per_employee_year_usd.figure();
    weeks
        .iter()
        .map(|&h| horizon(h, false))
        .chain(std::iter::once(whole))
        .chain(weeks.iter().map(|&h| horizon(h, true)))
        .collect()
}

/// Check `--horizons`: 1 to [`MAX_HORIZONS`] weeks, increasing, each from 1 to `weeks` (the
/// shortest compared run). The error says what is allowed.
pub fn check(horizons: &[u32], weeks: u32) -> Result<(), String> {
    let allowed = format!(
        "want 1 to {MAX_HORIZONS} increasing weeks from 1 to {weeks} (the compared runs' length), e.g. --horizons {}",
        if weeks >= 52 {
            "26,52".to_string()
        } else {
            format!("{},{}", (weeks / 2).max(1), weeks.max(2))
        }
    );
    let ok = (1..=MAX_HORIZONS).contains(&horizons.len())
        && horizons.windows(2).all(|w| w[0] < w[1])
        && horizons.iter().all(|&h| (1..=weeks).contains(&h));
    if ok {
        Ok(())
    } else {
        Err(format!("--horizons: {allowed}"))
    }
}

impl Compare {
    /// The horizons of this comparison: `--horizons`, or the summary's (those the runs reach
    /// are reported).
    pub fn horizon_weeks(&self) -> Vec<u32> {
        self.horizons.clone().unwrap_or(HORIZONS.to_vec())
    }

    /// A run's outcome with its figures as this comparison compares them: as run without
    /// `--horizons`; with it, the horizon figures replaced by those of its horizons, from the
    /// run's weekly net value, its scenario's employees and discount rate (undefined when the
    /// scenario cannot be rebuilt or the weekly net value was not kept).
    pub fn refigure(&self, run: &RunOut) -> RunOut {
        let Some(weeks) = &self.horizons else {
            return run.clone();
        };
        let compared = super::stats::FIGURES.len() - FIGURES.len();
        let (employees, rate) = self
            .scenario(run.scenario, run.replication)
            .map_or((0, f64::NAN), |s| (s.employees, s.money.discount_rate));
        let net = &run.net_value_usd;
        let (cum, disc) = if employees > 0 && !net.is_empty() {
            (
                cumulate(net.iter().copied()),
                cumulate_discounted(net, rate),
            )
        } else {
            (Vec::new(), Vec::new())
        };
        let at = |c: &[f64], h: u32| per_employee_year(c, h, employees).unwrap_or(f64::NAN);
        let mut figures = run.figures[..compared.min(run.figures.len())].to_vec();
        figures.extend(weeks.iter().map(|&h| at(&cum, h)));
        figures.push(
            run.figures
                .get(compared + HORIZONS.len())
                .copied()
                .unwrap_or(f64::NAN),
        );
        figures.extend(weeks.iter().map(|&h| at(&disc, h)));
        RunOut {
            figures,
            ..run.clone()
        }
    }

    /// [`Compare::refigure`] of every successful run.
    pub fn refigure_all(&self, results: &[Result<RunOut, String>]) -> Vec<Result<RunOut, String>> {
        results
            .iter()
            .map(|r| r.as_ref().map(|o| self.refigure(o)).map_err(Clone::clone))
            .collect()
    }
}

/// The horizon of a figure's verdict line, in words ("" for a figure without one).
pub fn over(name: &str, runs: &[RunOut]) -> String {
    if name != Fig::net_value_per_employee_year_usd.name() {
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
        let base = &c.scenarios[c.baseline].name;
        let rate = c
            .scenario(c.baseline, 0)
            .map_or(0.10, |s| s.money.discount_rate);
        let mut lines = Vec::new();
        let weeks = c.horizon_weeks();
        let (figs, n) = (figures(&weeks), weeks.len());
        for (s, Compared { name, .. }) in c.scenarios.iter().enumerate() {
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
            for (k, h) in weeks.iter().enumerate() {
                let (plain, discounted) = (figs[k].name, figs[n + 1 + k].name);
                if let Some(d) = diff(plain) {
                    let npv = diff(discounted).map_or(String::new(), |x| {
                        format!(" ({} discounted)", show(discounted, x.mean, true))
                    });
                    parts.push(format!("{} at {h} weeks{npv}", text(plain, d)));
                    at.push((*h, d.mean));
                }
            }
            if let Some(d) = diff(figs[n].name) {
                parts.push(format!(
                    "{} over the run discounted to present at {}% a year",
                    text(figs[n].name, d),
                    crate::projections::summary::rate(rate)
                ));
            }
            if parts.is_empty() {
                continue;
            }
            if let Some(d) = diff(Fig::net_value_per_employee_year_usd.name()) {
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
