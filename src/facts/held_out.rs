//! Held-out checks: published figures that no parameter was tuned to (docs/calibration.md,
//! "Held out"). They are measured and reported like the facts, with their verdict, but they
//! are never calibration targets: a history match does not accept or reject a draw on them,
//! and `tokenmaxx facts` does not fail on them.

use super::{FactFn, mean_monthly_active_cost, within};
use crate::projections::Projections;

/// The held-out ids.
pub const IDS: [u8; 5] = [17, 18, 19, 23, 24];

/// Whether fact `id` is held out.
pub fn is_held_out(id: u8) -> bool {
    IDS.contains(&id)
}

/// Held-out checks 17-19 (23-24 are Faros's, in [`super::faros`]).
pub(super) fn facts(base: &Projections, amazon: &Projections, fact: &mut FactFn) {
    // 17. Jellyfish (via press, 2026): the median agentic-coding user burns ~32M tokens a week.
    // Measured: the median over users (anyone with tokens) of their weekly mean over the run.
    let median = base.summary.median_weekly_tokens_per_user;
    fact(
        17,
        "the median AI user burns ~32M tokens a week (baseline; Jellyfish 2026)",
        &[("median_weekly_tokens_per_user", median)],
        "within a factor 2 of 32M: [16M, 64M]",
        within(median, 16e6, 64e6),
    );

    // 18. Jellyfish benchmarks: in the median company 63-71% of engineers are weekly active
    // without a mandate. Fact 3 checks a wider band; this is the published one.
    let active = base.summary.mean_genuine_active_share;
    fact(
        18,
        "without a mandate the median company has 63-71% of engineers weekly active (baseline; Jellyfish)",
        &[("weekly_active_share", active)],
        "in [0.63, 0.71]",
        within(active, 0.63, 0.71),
    );

    // 19. A heavy push (Uber, 2026, press): $500-2,000 a month per engineer. Measured: the mean
    // monthly cost of the genuinely active under amazon-2026's target and leaderboard.
    let heavy = mean_monthly_active_cost(amazon);
    fact(
        19,
        "a heavy push costs $500-2,000 a month per engineer (amazon-2026; Uber 2026)",
        &[("mean_monthly_cost_usd", heavy)],
        "in [500, 2000] USD",
        within(heavy, 500.0, 2000.0),
    );
}
