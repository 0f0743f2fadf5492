//! Facts 20-22 and held-out checks 23-24 (model v3, "Delivery"): Faros's 2026 AI engineering
//! report ("The Acceleration Whiplash": two years of telemetry of 22,000 developers in 4,000+
//! teams, each team's quarters of lowest against highest AI adoption). Measured on `rollout`:
//! the weeks before the tools arrive (no adoption) against the last 13 weeks (the highest).
//! Published: tasks per developer +33.7%, pull requests merged per developer +16.2%, bugs per
//! developer +54%, median time in review +441.5% (5.4x), 31.3% more pull requests merged
//! without any review. Tasks are produced work, merges merged work and bugs escaped defects
//! (docs/model.md, "Delivery"). Adoption differs between Faros's teams and this scenario, so
//! the targets compare increases with the increase in tasks; review time is a ratio.

use super::{FactFn, mean, rollout_week, within};
use crate::projections::{Projections, WeeklyRow};

/// The mean of `f` over the weeks before the rollout and over the last 13 weeks.
fn periods(rollout: &Projections, f: fn(&WeeklyRow) -> f64) -> (f64, f64) {
    let start = (rollout_week(rollout) as usize).min(rollout.weekly.len());
    let last = rollout.weekly.len().saturating_sub(13).max(start);
    (
        mean(rollout.weekly[..start].iter().map(f)),
        mean(rollout.weekly[last..].iter().map(f)),
    )
}

/// The ratio of a weekly figure between the highest- and the lowest-adoption weeks.
fn ratio(rollout: &Projections, f: fn(&WeeklyRow) -> f64) -> f64 {
    let (low, high) = periods(rollout, f);
    high / low
}

/// The measured Faros ratios: tasks, merges, bugs, review time and unreviewed merges.
pub(super) struct Ratios {
    pub tasks: f64,
    pub merged: f64,
    pub bugs: f64,
    pub review_time: f64,
    pub unreviewed: f64,
}

pub(super) fn ratios(rollout: &Projections) -> Ratios {
    Ratios {
        tasks: ratio(rollout, |r| r.output_total),
        merged: ratio(rollout, |r| r.delivery.work_merged),
        bugs: ratio(rollout, |r| r.delivery.defects_escaped),
        review_time: ratio(rollout, |r| r.delivery.review_load),
        unreviewed: ratio(rollout, |r| {
            r.delivery.unreviewed_share * r.delivery.work_merged
        }),
    }
}

/// Facts 20-22 (calibration targets).
pub(super) fn facts(rollout: &Projections, fact: &mut FactFn) {
    let r = ratios(rollout);
    let rise = r.tasks - 1.0;
    let (merges, bugs) = ((r.merged - 1.0) / rise, (r.bugs - 1.0) / rise);
    fact(
        20,
        "merged work grows about half as much as tasks: review is the bottleneck (rollout; Faros 2026)",
        &[
            ("tasks_ratio", r.tasks),
            ("merged_ratio", r.merged),
            ("merged_rise_over_tasks_rise", merges),
        ],
        "merged rise / tasks rise in [0.3, 0.7] (Faros: 16.2 / 33.7 = 0.48)",
        rise > 0.0 && within(merges, 0.3, 0.7),
    );
    fact(
        21,
        "bugs per developer grow faster than tasks (rollout; Faros 2026)",
        &[("bugs_ratio", r.bugs), ("bugs_rise_over_tasks_rise", bugs)],
        "bugs rise / tasks rise in [1.2, 2.2] (Faros: 54 / 33.7 = 1.6)",
        rise > 0.0 && within(bugs, 1.2, 2.2),
    );
    fact(
        22,
        "time in review grows several-fold (rollout; Faros 2026)",
        &[("review_time_ratio", r.review_time)],
        "in [3, 8] (Faros: median time in review 5.4x)",
        within(r.review_time, 3.0, 8.0),
    );
}

/// Held-out checks 23-24.
pub(super) fn held_out(rollout: &Projections, fact: &mut FactFn) {
    let r = ratios(rollout);
    fact(
        23,
        "31% more changes merge without review at high adoption (rollout; Faros 2026)",
        &[("unreviewed_merges_ratio", r.unreviewed)],
        "in [1.1, 1.6] (Faros: 1.313)",
        within(r.unreviewed, 1.1, 1.6),
    );
    fact(
        24,
        "tasks per developer +34% between a team's lowest and highest adoption (rollout; Faros 2026)",
        &[("tasks_ratio", r.tasks)],
        "in [1.2, 1.5] (Faros: 1.337)",
        within(r.tasks, 1.2, 1.5),
    );
}
