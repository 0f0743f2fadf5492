//! The stylized facts of docs/calibration.md (docs/model.md), checked on the projections of
//! the built-in scenarios. Each fact names the scenarios it runs, what it measures, and its
//! tolerance; the measured figures come from the same weekly rows and summaries the reports
//! write, never from hand-picked numbers.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::projections::{Projections, WeeklyRow};
use crate::scenario::{Overrides, Scenario, ScenarioError, Source};

mod faros;
mod held_out;

/// Parameter values set on every scenario the facts run, by dotted scenario path (a draw of
/// the priors in a history match; empty for the shipped defaults).
pub type Setting = [(String, f64)];

/// The scenarios the facts need.
pub const SCENARIOS: &[&str] = &[
    "baseline",
    "amazon-2026",
    "meta-leaderboard",
    "target-only",
    "least-privilege",
    "outcome-metrics",
    "rollout",
    "rollout-mandate",
];

/// One fact's verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactCheck {
    pub id: u8,
    pub seed: u64,
    pub fact: String,
    /// The measured figures, by name.
    pub measured: BTreeMap<String, f64>,
    pub tolerance: String,
    pub pass: bool,
    /// A check no parameter was tuned to (docs/calibration.md): reported, never a calibration
    /// target, and left out of the history match's acceptance.
    pub held_out: bool,
}

impl FactCheck {
    /// "name = value" pairs, for humans.
    pub fn measured_text(&self) -> String {
        self.measured
            .iter()
            .map(|(k, v)| format!("{k} = {}", fmt(*v)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn fmt(v: f64) -> String {
    if v.abs() >= 1000.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.3}")
    }
}

/// A built-in scenario with `set` applied, at this seed and size.
pub fn scenario(name: &str, o: &Overrides, set: &Setting) -> Result<Scenario, ScenarioError> {
    let mut resolved = crate::scenario::load::resolve(&Source::Builtin(name.to_string()))?;
    for (path, v) in set {
        crate::sweep::spec::set_path(&mut resolved.table, path, toml::Value::Float(*v));
    }
    Scenario::from_table(resolved.table, &resolved.file, o).map(|(s, _)| s)
}

/// Run every scenario the facts need at this seed and size, in parallel.
pub fn run_scenarios(
    seed: u64,
    employees: u32,
    set: &Setting,
) -> Result<BTreeMap<&'static str, Projections>, ScenarioError> {
    let overrides = Overrides {
        seed: Some(seed),
        employees: Some(employees as i64),
        weeks: None,
    };
    let scenarios: Vec<(&'static str, Scenario)> = SCENARIOS
        .iter()
        .map(|name| Ok((*name, scenario(name, &overrides, set)?)))
        .collect::<Result<_, ScenarioError>>()?;
    Ok(scenarios
        .par_iter()
        .map(|(name, s)| (*name, crate::simulate(s, 0)))
        .collect())
}

/// Check every fact at one seed and size, with `set` applied to every scenario.
pub fn check(seed: u64, employees: u32, set: &Setting) -> Result<Vec<FactCheck>, ScenarioError> {
    let base = scenario("baseline", &Overrides::default(), set)?;
    Ok(evaluate(seed, &run_scenarios(seed, employees, set)?, &base))
}

/// Evaluate the facts on already-run projections (keyed by scenario name), in the order of
/// their ids; `base` is the baseline scenario (for the facts measured by a pure function).
pub fn evaluate(
    seed: u64,
    runs: &BTreeMap<&'static str, Projections>,
    base_scenario: &Scenario,
) -> Vec<FactCheck> {
    let base = &runs["baseline"];
    let amazon = &runs["amazon-2026"];
    let (rollout, mandate) = (&runs["rollout"], &runs["rollout-mandate"]);
    let mut out = Vec::new();
    let mut fact = |id: u8, fact: &str, measured: &[(&str, f64)], tolerance: &str, pass: bool| {
        out.push(FactCheck {
            id,
            seed,
            fact: fact.to_string(),
            measured: measured.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            tolerance: tolerance.to_string(),
            pass,
            held_out: held_out::is_held_out(id),
        })
    };
    baseline_facts(base, &mut fact);
    target_fact(&runs["target-only"], &mut fact);
    leaderboard_fact(&runs["meta-leaderboard"], base, &mut fact);
    shutdown_fact(amazon, base, &mut fact);
    least_privilege_fact(amazon, &runs["least-privilege"], &mut fact);
    outcome_fact(amazon, &runs["outcome-metrics"], &mut fact);
    no_gaming_fact(base, &mut fact);
    adoption_facts(rollout, mandate, &mut fact);
    gain_facts(base, rollout, &mut fact);
    metr_fact(base_scenario, &mut fact);
    held_out::facts(base, amazon, &mut fact);
    faros::facts(rollout, &mut fact);
    faros::held_out(rollout, &mut fact);
    out
}

/// Fact 16 (model v3): METR's subgroup, on the default parameters. Experienced developers in
/// their own large repositories, early-2025 tools and modest proficiency (q = 0.3): 19% slower
/// (95% interval 2% to 39% slower). Returning developers a year on (q = 0.6), METR's February
/// 2026 follow-up: 18% less time (interval -38% to +9% time, so -8% to +61% speed).
fn metr_fact(s: &Scenario, fact: &mut FactFn) {
    let (y2025, y2026) = (
        crate::model::adoption::metr_subgroup_gain(s, 0.3),
        crate::model::adoption::metr_subgroup_gain(s, 0.6),
    );
    fact(
        16,
        "experienced developers on code they know are slowed at first, and not a year on (METR 2025, 2026)",
        &[("speedup_2025", y2025), ("speedup_2026", y2026)],
        "2025 in [-0.39, -0.02]; 2026 in [-0.08, 0.61]",
        within(y2025, -0.39, -0.02) && within(y2026, -0.08, 0.61),
    );
}

/// Whether `v` is a finite number in `[lo, hi]`.
fn within(v: f64, lo: f64, hi: f64) -> bool {
    v.is_finite() && v >= lo && v <= hi
}

/// Facts 1-4, on the run without gaming incentives (baseline): the headline ratios,
/// concentration, adoption and spend, and the org-level gain.
fn baseline_facts(base: &Projections, fact: &mut FactFn) {
    // 1. The Jellyfish headline, where token use is not gamed (baseline). Under a target and a
    // leaderboard (amazon-2026) the ratio is inflated at both ends: target padders join the users
    // and pull the median down, rank chasers push the top up; that is reported, not checked.
    let (bt, bo) = (
        base.summary.top_decile_token_ratio,
        base.summary.top_decile_output_ratio,
    );
    fact(
        1,
        "top decile of users burns ~10x the median user's tokens for ~2x the output (baseline)",
        &[("token_ratio", bt), ("output_ratio", bo)],
        "token ratio in [7, 12], output ratio in [1.5, 2.5]",
        within(bt, 7.0, 12.0) && within(bo, 1.5, 2.5),
    );

    // 2. Concentration.
    let g = base.summary.token_gini_users;
    fact(
        2,
        "token Gini among users (baseline)",
        &[("token_gini_users", g)],
        "in [0.5, 0.8]",
        within(g, 0.5, 0.8),
    );

    // 3. Adoption and spend without gaming incentives. Claude Code's $150-250 a developer a
    // month is an average: compared with the mean cost of the genuinely active, like with like.
    let active = base.summary.mean_genuine_active_share;
    let cost = mean_monthly_active_cost(base);
    fact(
        3,
        "without incentives: weekly-active developers, and mean monthly cost per active developer (baseline)",
        &[
            ("weekly_active_share", active),
            ("mean_monthly_cost_usd", cost),
        ],
        "share in [0.55, 0.75], cost in [100, 300] USD",
        within(active, 0.55, 0.75) && within(cost, 100.0, 300.0),
    );

    // 4. Org-level gain: value through the teams' review queues (DX: ~10%), not the sum of
    // individual output gains.
    let uplift = base.summary.value_uplift;
    fact(
        4,
        "org-level value gain over the no-AI counterfactual (baseline)",
        &[("value_uplift", uplift)],
        "in [0.05, 0.15]",
        within(uplift, 0.05, 0.15),
    );
}

/// Fact 5: a target is met on the dashboard, not in real use (target-only).
fn target_fact(target: &Projections, fact: &mut FactFn) {
    let met = target
        .summary
        .first_week_target_met
        .map(f64::from)
        .unwrap_or(f64::INFINITY);
    let met_rows: Vec<&WeeklyRow> = target.weekly.iter().filter(|r| r.target_met).collect();
    let gap = mean(
        met_rows
            .iter()
            .map(|r| r.reported_active_share - r.genuine_active_share),
    );
    fact(
        5,
        "an 80% weekly target is reported met within 26 weeks while genuine activity lags (target-only)",
        &[
            ("first_week_met", met),
            ("reported_minus_genuine_when_met", gap),
        ],
        "first week met <= 25, gap >= 0.10",
        met <= 25.0 && gap >= 0.10,
    );
}

/// Fact 6: a public leaderboard inflates the tail, not output (meta-leaderboard against
/// baseline, same seed and weeks).
fn leaderboard_fact(meta: &Projections, base: &Projections, fact: &mut FactFn) {
    let start = first_week(meta, |r| r.leaderboard.is_some()).unwrap_or(0) as usize;
    let window = start..(start + 8).min(meta.weekly.len());
    let p99_rise = window
        .clone()
        .map(|w| meta.weekly[w].tokens_p99 / base.weekly[w].tokens_p99.max(1.0))
        .fold(0.0, f64::max);
    let out_rise = window
        .clone()
        .map(|w| meta.weekly[w].output_total / base.weekly[w].output_total - 1.0)
        .fold(f64::NEG_INFINITY, f64::max);
    fact(
        6,
        "a public leaderboard raises p99 weekly tokens within 8 weeks while output barely moves (meta-leaderboard vs baseline)",
        &[
            ("p99_tokens_ratio_max", p99_rise),
            ("output_rise_max", out_rise),
        ],
        "p99 ratio >= 5, output rise < 0.05",
        p99_rise >= 5.0 && out_rise < 0.05,
    );
}

/// Fact 7: shutting the leaderboard down halves padding within 8 weeks, but it lingers
/// (amazon-2026 against baseline).
fn shutdown_fact(amazon: &Projections, base: &Projections, fact: &mut FactFn) {
    let (halved, lingering) = shutdown_ratios(amazon, base);
    fact(
        7,
        "leaderboard shutdown halves padding within 8 weeks without reaching baseline (amazon-2026)",
        &[
            ("lowest_padding_ratio_8w", halved),
            ("lowest_excess_share_ratio_8w", lingering),
        ],
        "lowest padding <= 0.5 x the week before; excess padding share over baseline stays >= 0.1 x its level the week before",
        halved <= 0.5 && lingering >= 0.1,
    );
}

/// After the first week the leaderboard goes from on to off: the lowest padding of the next 8
/// weeks as a ratio of the week before, and the lowest excess padding share over baseline as a
/// ratio of its level the week before (NaN without a shutdown 8 weeks before the end).
///
/// "Without reaching baseline" is read as: in each of the 8 weeks, padding share stays above
/// baseline's by at least a tenth of the gap it had the week before the shutdown.
fn shutdown_ratios(amazon: &Projections, base: &Projections) -> (f64, f64) {
    let shut = amazon
        .weekly
        .iter()
        .skip(1)
        .find(|r| {
            r.leaderboard.is_none() && amazon.weekly[r.week as usize - 1].leaderboard.is_some()
        })
        .map(|r| r.week as usize);
    match shut {
        Some(s) if s + 8 <= amazon.weekly.len() => {
            let before = amazon.weekly[s - 1].tokens_padding;
            let gap_before = amazon.weekly[s - 1].padding_share - base.weekly[s - 1].padding_share;
            let min_after = (s..s + 8)
                .map(|w| amazon.weekly[w].tokens_padding)
                .fold(f64::INFINITY, f64::min);
            let lowest_gap = (s..s + 8)
                .map(|w| amazon.weekly[w].padding_share - base.weekly[w].padding_share)
                .fold(f64::INFINITY, f64::min);
            (
                min_after / before.max(1.0),
                lowest_gap / gap_before.max(1e-12),
            )
        }
        _ => (f64::NAN, f64::NAN),
    }
}

/// Fact 8: least-privilege bots have far fewer incidents at similar token use.
fn least_privilege_fact(amazon: &Projections, lp: &Projections, fact: &mut FactFn) {
    let inc_ratio = amazon.summary.incidents as f64 / (lp.summary.incidents as f64).max(1.0);
    let tok_ratio = lp.summary.tokens_total / amazon.summary.tokens_total;
    fact(
        8,
        "least-privilege bots: far fewer incidents at similar token use (least-privilege vs amazon-2026)",
        &[("incident_ratio", inc_ratio), ("token_ratio", tok_ratio)],
        "incident ratio >= 10, token ratio in [0.9, 1.1]",
        inc_ratio >= 10.0 && within(tok_ratio, 0.9, 1.1),
    );
}

/// Fact 9: outcome metrics leave little token padding (amazon-2026's timeline). Its output
/// against amazon-2026's is recorded, not checked: model v3 lets the metric be gamed by
/// splitting work (docs/model.md, 7.16), which costs working time, and no published figure says
/// how much; the first design's "same output" held only because nothing could game the metric.
fn outcome_fact(amazon: &Projections, outcome: &Projections, fact: &mut FactFn) {
    let pad = outcome.summary.padding_share;
    let out_ratio = sum_output(outcome) / sum_output(amazon);
    fact(
        9,
        "outcome metrics: little token padding (outcome-metrics vs amazon-2026)",
        &[("padding_share", pad), ("output_ratio", out_ratio)],
        "padding share < 0.05 (the output ratio is recorded, not checked)",
        pad < 0.05,
    );
}

/// Fact 10: no gaming without incentives (baseline).
fn no_gaming_fact(base: &Projections, fact: &mut FactFn) {
    let bpad = base.summary.padding_share;
    fact(
        10,
        "baseline padding share",
        &[("padding_share", bpad)],
        "< 0.02",
        bpad < 0.02,
    );
}

type FactFn<'a> = dyn FnMut(u8, &str, &[(&str, f64)], &str, bool) + 'a;

/// Weeks after the rollout until a weekly series first reaches `level` (NaN if never).
fn weeks_to(p: &Projections, rollout: u32, level: f64, f: fn(&WeeklyRow) -> f64) -> f64 {
    p.weekly
        .iter()
        .filter(|r| r.week >= rollout)
        .find(|r| f(r) >= level)
        .map_or(f64::NAN, |r| f64::from(r.week - rollout))
}

/// The rollout week of a run (its first week with any tokens).
fn rollout_week(p: &Projections) -> u32 {
    first_week(p, |r| r.tokens_total > 0.0).unwrap_or(0)
}

/// 11-12: adoption as a process, without and with a mandate.
fn adoption_facts(rollout: &Projections, mandate: &Projections, fact: &mut FactFn) {
    let genuine = |r: &WeeklyRow| r.genuine_active_share;
    let start = rollout_week(rollout);
    let tail = rollout.weekly.len().saturating_sub(8);
    let plateau = mean(rollout.weekly[tail..].iter().map(genuine));
    let half = weeks_to(rollout, start, plateau / 2.0, genuine);
    fact(
        11,
        "without a mandate, genuine adoption reaches half its plateau in one to two quarters (rollout)",
        &[("weeks_to_half_plateau", half), ("plateau", plateau)],
        "weeks to half the plateau (mean of the last 8 weeks) in [13, 26]",
        half.is_finite() && (13.0..=26.0).contains(&half),
    );
    let start = rollout_week(mandate);
    let share = mandate.weekly[start as usize].target_share;
    let near_cap = weeks_to(mandate, start, share - 0.05, |r| r.reported_active_share);
    let at = |w: u32| {
        mandate
            .weekly
            .get((start + w) as usize)
            .map_or(f64::NAN, genuine)
    };
    let climb = at(26) - at(2);
    fact(
        12,
        "under a mandate, reported use nears the target within 2 weeks while genuine use climbs for months (rollout-mandate)",
        &[
            ("weeks_to_reported_near_target", near_cap),
            ("genuine_week_2", at(2)),
            ("genuine_week_26", at(26)),
        ],
        "reported share within 5 points of the target by week 2 after the mandate; genuine share 26 weeks in >= 10 points above week 2",
        near_cap <= 2.0 && climb >= 0.10,
    );
}

/// 13-14: perceived against measured gains, and the org gain over time.
fn gain_facts(base: &Projections, rollout: &Projections, fact: &mut FactFn) {
    let s = &rollout.summary;
    let (felt, real) = (
        s.perceived_uplift_first_quarter,
        s.measured_uplift_first_quarter,
    );
    fact(
        13,
        "in the first quarter of use the median developer feels faster than they are (rollout)",
        &[("perceived_uplift_q1", felt), ("measured_uplift_q1", real)],
        "perceived minus measured >= 0.10",
        felt - real >= 0.10,
    );
    let quarter = |q: usize| {
        let rows =
            &base.weekly[(q * 13).min(base.weekly.len())..((q + 1) * 13).min(base.weekly.len())];
        mean(rows.iter().map(|r| r.value_uplift))
    };
    let (first, last) = (quarter(0), quarter(3));
    fact(
        14,
        "the org-level gain stays near 10% instead of climbing through the year (baseline)",
        &[
            ("uplift_first_quarter", first),
            ("uplift_last_quarter", last),
        ],
        "both quarters in [0.03, 0.20]; last minus first < 0.05",
        (0.03..=0.20).contains(&first) && (0.03..=0.20).contains(&last) && last - first < 0.05,
    );
    rollout_gain_fact(rollout, fact);
}

/// Fact 15 (model v3): Microsoft's 2026 rollout of agentic coding tools, adopters against their
/// counterfactual: ~24% more pull requests (95% interval about +14.5% to +33.7%), persisting
/// over the four months. Measured as the weekly median measured uplift of developers who use
/// the tools, months 1-4 after the rollout, and its last month against its first.
fn rollout_gain_fact(rollout: &Projections, fact: &mut FactFn) {
    let start = rollout_week(rollout) as usize;
    let weeks = |a: usize, b: usize| {
        let rows = &rollout.weekly
            [(start + a).min(rollout.weekly.len())..(start + b).min(rollout.weekly.len())];
        mean(rows.iter().map(|r| r.measured_uplift))
    };
    let (months, first, fourth) = (weeks(1, 17), weeks(1, 5), weeks(13, 17));
    fact(
        15,
        "adopters gain about a quarter from their first months, and keep it (rollout; Microsoft 2026)",
        &[
            ("measured_uplift_months_1_4", months),
            ("month_4_minus_month_1", fourth - first),
        ],
        "months 1-4 in [0.145, 0.337]; month 4 at least month 1 minus 0.05",
        within(months, 0.145, 0.337) && fourth - first >= -0.05,
    );
}

/// The mean over weeks of the mean weekly cost of the genuinely active, a month's worth.
fn mean_monthly_active_cost(p: &Projections) -> f64 {
    mean(p.weekly.iter().filter_map(|r| r.mean_active_cost_usd)) * 52.0 / 12.0
}

fn mean(it: impl Iterator<Item = f64>) -> f64 {
    let (s, n) = it.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 { f64::NAN } else { s / n as f64 }
}

fn first_week(p: &Projections, pred: impl Fn(&WeeklyRow) -> bool) -> Option<u32> {
    p.weekly.iter().find(|r| pred(r)).map(|r| r.week)
}

fn sum_output(p: &Projections) -> f64 {
    p.weekly.iter().map(|r| r.output_total).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every fact's verdict, by id.
    fn verdicts(runs: &BTreeMap<&'static str, Projections>) -> BTreeMap<u8, bool> {
        evaluate(1, runs, &base())
            .iter()
            .map(|c| (c.id, c.pass))
            .collect()
    }

    fn base() -> Scenario {
        scenario("baseline", &Overrides::default(), &[]).unwrap()
    }

    /// Real projections of a small run, with one summary figure set by hand: inside its
    /// tolerance the fact passes, outside it fails, and no other fact's verdict moves.
    #[test]
    fn a_figure_outside_its_tolerance_fails_exactly_its_fact() {
        let runs = run_scenarios(1, 300, &[]).unwrap();
        type Set = fn(&mut BTreeMap<&'static str, Projections>, f64);
        let cases: [(u8, Set, f64, f64); 3] = [
            (
                2,
                |r, v| r.get_mut("baseline").unwrap().summary.token_gini_users = v,
                0.65,
                0.95,
            ),
            (
                4,
                |r, v| r.get_mut("baseline").unwrap().summary.value_uplift = v,
                0.10,
                0.40,
            ),
            (
                10,
                |r, v| r.get_mut("baseline").unwrap().summary.padding_share = v,
                0.0,
                0.03,
            ),
        ];
        for (id, set, inside, outside) in cases {
            let (mut good, mut bad) = (runs.clone(), runs.clone());
            set(&mut good, inside);
            set(&mut bad, outside);
            let (good, bad) = (verdicts(&good), verdicts(&bad));
            assert_eq!(good.len(), 19 + held_out::IDS.len());
            assert!(
                good[&id],
                "fact {id} fails with its figure inside the tolerance"
            );
            assert!(
                !bad[&id],
                "fact {id} passes with its figure outside the tolerance"
            );
            for other in good.keys().filter(|&&k| k != id) {
                assert_eq!(
                    good[other], bad[other],
                    "fact {other} moved with fact {id}'s figure"
                );
            }
        }
    }

    #[test]
    fn a_failing_fact_says_so_with_its_measured_figure() {
        let mut runs = run_scenarios(1, 300, &[]).unwrap();
        runs.get_mut("baseline").unwrap().summary.token_gini_users = 0.95;
        let checks = evaluate(1, &runs, &base());
        let two = checks.iter().find(|c| c.id == 2).unwrap();
        assert!(!two.pass);
        assert_eq!(two.measured_text(), "token_gini_users = 0.950");
        assert_eq!(two.tolerance, "in [0.5, 0.8]");
    }
}
