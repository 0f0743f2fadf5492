//! Adoption as a process (docs/model.md, "Adoption"): who uses the tools for real work, how
//! much, and how that changes. Pure functions of an agent's snapshot; the engine turns what they
//! return into `UseChanged` events and `State::apply` folds them.
//!
//! - *Rollout and trial.* Nobody uses AI before `adoption.rollout_week`. In that week a share
//!   `initial_share` already does; afterwards a non-user tries the tools with a weekly hazard
//!   `ai_fit * (innovation + imitation_team * team share + imitation_org * org share)`, a Bass
//!   diffusion within and across teams.
//! - *Habit.* A user's planned genuine use is revised with probability `revise_use` a week, to
//!   the best response to the gain they *perceive*; in between it stays where it was.
//! - *Gains by task and experience (v3).* The gain within reach is
//!   `uplift * ai_fit * (novice_gain + (1 - novice_gain) * q)`; inexperience drags only on the
//!   familiar part of the work, `novice_drag * familiarity * (1 - q)` (METR's subgroup).
//! - *Perception.* The perceived gain coefficient is the reachable gain plus optimism: people see
//!   what AI could give at their proficiency, not the drag of inexperience (METR 2025: 19% slower
//!   while believing 20% faster).
//! - *Learning by doing.* `q` grows with use and decays without it, so early use can cost output.
//! - *The mandate channel.* A non-user who pads up to a target has tried the tools; with
//!   probability `mandate_conversion` a week that forced trial becomes real use.

use super::traits::Traits;
use crate::scenario::Scenario;

crate::named_enum!(
    /// Why an employee's habitual use changed.
    UseCause {
        /// Already a user in the rollout week.
        Initial => "initial",
        /// A first trial out of curiosity.
        Curiosity => "curiosity",
        /// A first trial prompted by teammates and colleagues.
        Teammates => "teammates",
        /// Forced trial: padding up to a target turned into real use.
        Mandate => "mandate",
        /// A user revisited their habit (the level may rise, fall or drop to zero).
        Habit => "habit",
    }
);

/// The gain AI offers at proficiency `q`, per log-unit of effective AI work: `uplift * ai_fit`
/// times the share of it within reach, `novice_gain + (1 - novice_gain) * q`. Tasks new to the
/// person (boilerplate, unfamiliar code, tests, lookups) give a gain from the first week; the
/// rest of it takes proficiency (model v3; Microsoft's 2026 rollout: adopters +24% pull requests
/// from their first months, without decay).
pub fn reachable_gain(s: &Scenario, t: &Traits, q: f64) -> f64 {
    let g0 = s.work.novice_gain;
    s.behaviour.uplift * t.ai_fit * (g0 + (1.0 - g0) * q)
}

/// The share of an employee's work on code they know well (large, mature codebases they have
/// worked in for years), where an expert without AI is already fast and an inexperienced AI user
/// is slowed: `familiar_share * skill`, at most 1. The more experienced (higher skill), the more
/// of their week is such work (METR 2025 measured that subgroup: experienced developers in their
/// own large repositories, 19% slower).
pub fn familiarity(s: &Scenario, t: &Traits) -> f64 {
    (s.work.familiar_share * t.skill).clamp(0.0, 1.0)
}

/// The gain coefficient the work really gets per log-unit of effective AI work (can be < 0):
/// the reachable gain less the drag of inexperience on familiar work,
/// `novice_drag * familiarity * (1 - q)`.
pub fn true_coef(s: &Scenario, t: &Traits, q: f64) -> f64 {
    coef_on(s, t, q, familiarity(s, t))
}

/// [`true_coef`] for work of a given familiarity (1: all of it on code the person knows well).
pub fn coef_on(s: &Scenario, t: &Traits, q: f64, familiarity: f64) -> f64 {
    reachable_gain(s, t, q) - s.work.novice_drag * familiarity * (1.0 - q)
}

/// The measured speed-up of METR's subgroup (2025 and 2026): an experienced developer (skill 1)
/// on a large codebase they know well (familiarity 1), with AI fit 0.5, proficiency `q`, using
/// the tools at `E = kappa` (`ln(1 + E/kappa) = ln 2`), net of rework.
pub fn metr_subgroup_gain(s: &Scenario, q: f64) -> f64 {
    let t = Traits {
        skill: 1.0,
        ai_fit: 0.5,
        ..Traits::default()
    };
    (coef_on(s, &t, q, 1.0) - s.work.rework_rate * (1.0 - q)) * std::f64::consts::LN_2
}

/// The gain coefficient the employee believes in: the reachable gain, blind to the novice drag
/// and rework, plus their optimism.
pub fn perceived_coef(s: &Scenario, t: &Traits, q: f64) -> f64 {
    reachable_gain(s, t, q) + t.optimism
}

/// Perceptions that learn (model v3): after a week of use, a user's optimism `o` moves toward
/// what their own output showed, by `perception_learn` times the gap between the measured
/// speed-up (`output / skill - 1`) and the perceived one:
/// `o <- o + perception_learn * (measured - perceived)`. Those misled by optimism learn over
/// months (and, at their next revision of the habit, some stop); those whose gains are real keep
/// a belief near them. METR 2025: developers still believed themselves 20% faster after weeks of
/// measured slow-down, so the rate is slow.
pub fn learn_perception(s: &Scenario, optimism: f64, perceived: f64, measured: f64) -> f64 {
    optimism + s.behaviour.perception_learn * (measured - perceived)
}

/// Reactance (model v3): a member of a target's groups who padded this week with no genuine use
/// (a forced, empty trial) resents the push: their optimism falls by `reactance`, so the tools
/// look worse to them at their next trial or revision. With `reactance = 0` a mandate can only
/// speed trials up; with it, pushing people against their fit can leave them further from real
/// use than no mandate would (Brehm's reactance; the press on mandated AI use, [C]).
pub fn after_forced_trial(s: &Scenario, optimism: f64, forced: bool) -> f64 {
    if forced {
        optimism - s.adoption.reactance
    } else {
        optimism
    }
}

/// Planned genuine tokens a week: the best response to the *perceived* gain. Maximises
/// `skill * b * ln(1 + E/kappa) - effort_cost * E/kappa - price_cost * w * E` over effective
/// work `E = G / w`, so `kappa + E = skill * b / (effort_cost/kappa + w * price_cost)`.
pub fn planned_use(s: &Scenario, t: &Traits, q: f64, price_cost: f64) -> f64 {
    let b = &s.behaviour;
    let kappa = b.token_scale;
    let gain = t.skill * perceived_coef(s, t, q);
    let marginal_cost = b.effort_cost / kappa + t.token_intensity * price_cost;
    let e = (gain / marginal_cost - kappa).max(0.0);
    t.token_intensity * e
}

/// Weekly probabilities of a first trial: (out of curiosity, through peers).
pub fn trial_hazard(s: &Scenario, t: &Traits, team_share: f64, org_share: f64) -> (f64, f64) {
    let a = &s.adoption;
    let curiosity = a.innovation * t.ai_fit;
    let peers = (a.imitation_team * team_share + a.imitation_org * org_share) * t.ai_fit;
    (curiosity, peers)
}

/// What an agent's use does at the start of a week, given one uniform draw `u`.
#[derive(Debug, Clone, Copy)]
pub struct UseInput {
    /// This is the rollout week (initial users start now).
    pub rollout_now: bool,
    /// Planned genuine tokens before this week (0: not a user).
    pub level: f64,
    pub team_share: f64,
    pub org_share: f64,
}

/// Why the habit changes at the start of a week, if it does; the new level is then the best
/// response of the moment ([`planned_use`]), which the caller works out only in that case (most
/// weeks most agents keep their habit).
pub fn start_of_week(s: &Scenario, t: &Traits, i: UseInput, u: f64) -> Option<UseCause> {
    let a = &s.adoption;
    if i.rollout_now {
        return (u < a.initial_share).then_some(UseCause::Initial);
    }
    if i.level > 0.0 {
        return (u < a.revise_use).then_some(UseCause::Habit);
    }
    let (curiosity, peers) = trial_hazard(s, t, i.team_share, i.org_share);
    if u < curiosity {
        Some(UseCause::Curiosity)
    } else if u < curiosity + peers {
        Some(UseCause::Teammates)
    } else {
        None
    }
}

/// Proficiency after a week with `genuine` tokens: learning by doing at `learn_rate` towards 1
/// in proportion to use intensity `u = E/(E + kappa)`, forgetting at `forget_rate` towards 0 in
/// proportion to `1 - u`.
pub fn learn(s: &Scenario, q: f64, genuine: f64, token_intensity: f64) -> f64 {
    let kappa = s.behaviour.token_scale;
    let e = genuine / token_intensity;
    let u = e / (e + kappa);
    let grow = s.behaviour.learn_rate * (1.0 - q) * u;
    let fade = s.adoption.forget_rate * q * (1.0 - u);
    (q + grow - fade).clamp(0.0, 1.0)
}

/// Whether the tools were already in use before week 0 (a mature organisation): the rollout is
/// at week 0 with initial users.
pub fn mature_start(s: &Scenario) -> bool {
    s.adoption.rollout_week == 0 && s.adoption.initial_share > 0.0
}

/// Proficiency at which learning and forgetting balance for a habitual user: the fixed point of
/// `q = learn(q, planned_use(q))`, found by iteration from the drawn `q0`. In a mature
/// organisation people have used the tools for a while, so they start there (0 for someone who
/// would not use them at all).
pub fn settled_proficiency(s: &Scenario, t: &Traits) -> f64 {
    let kappa = s.behaviour.token_scale;
    let (lr, fr) = (s.behaviour.learn_rate, s.adoption.forget_rate);
    let mut q = t.proficiency0;
    for _ in 0..50 {
        let e = planned_use(s, t, q, 0.0) / t.token_intensity;
        let u = e / (e + kappa);
        let denom = lr * u + fr * (1.0 - u);
        let next = if denom > 0.0 { lr * u / denom } else { q };
        if next.to_bits() == q.to_bits() {
            // An exact fixed point: every further iteration would return it unchanged.
            break;
        }
        q = next;
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testkit::{scenario, traits};

    #[test]
    fn a_novice_is_slowed_on_familiar_work_only_and_believes_they_are_faster() {
        // given a novice (q = 0.05), when the work is code they know well (familiarity 1),
        // then it really loses while the employee sees a gain
        let s = scenario();
        let t = traits();
        assert!(coef_on(&s, &t, 0.05, 1.0) < 0.0);
        assert!(perceived_coef(&s, &t, 0.05) > 0.0);
        // when the work is a typical developer's mix (familiarity = familiar_share * skill),
        // then the same novice gains from the first week (Microsoft's rollout)
        assert!(familiarity(&s, &t) < 0.1);
        assert!(true_coef(&s, &t, 0.05) > 0.0);
        // and the drag shrinks with proficiency: an expert gains even on familiar work
        assert!(coef_on(&s, &t, 0.95, 1.0) > 0.0);
        assert!(coef_on(&s, &t, 0.95, 1.0) > coef_on(&s, &t, 0.05, 1.0));
    }

    #[test]
    fn optimism_learns_from_the_gap_between_measured_and_perceived_gains() {
        let s = scenario();
        // given a user who perceived +30% while their output showed +10%, when the week is
        // folded, then their optimism falls by the rate times the gap
        let o = learn_perception(&s, 0.2, 0.3, 0.1);
        assert!((o - (0.2 - s.behaviour.perception_learn * 0.2)).abs() < 1e-12);
        // and one whose output beat their belief grows more optimistic; no gap, no change
        assert!(learn_perception(&s, 0.2, 0.1, 0.3) > 0.2);
        assert_eq!(learn_perception(&s, 0.2, 0.1, 0.1), 0.2);
        // and with the rate at 0 beliefs never learn (model v2)
        let mut fixed = s.clone();
        fixed.behaviour.perception_learn = 0.0;
        assert_eq!(learn_perception(&fixed, 0.2, 0.3, 0.1), 0.2);
    }

    #[test]
    fn metr_subgroup_is_slower_at_modest_proficiency_and_not_a_year_on() {
        let s = scenario();
        assert!(metr_subgroup_gain(&s, 0.3) < 0.0);
        assert!(metr_subgroup_gain(&s, 0.6) > metr_subgroup_gain(&s, 0.3));
        // and without the drag the subgroup would gain: the slow-down is the drag's
        let mut no_drag = s.clone();
        no_drag.work.novice_drag = 0.0;
        assert!(metr_subgroup_gain(&no_drag, 0.3) > 0.0);
    }

    #[test]
    fn use_builds_proficiency_and_disuse_erodes_it() {
        let s = scenario();
        let up = learn(&s, 0.3, 5e7, 1.0);
        let down = learn(&s, 0.3, 0.0, 1.0);
        assert!(up > 0.3, "{up}");
        assert!(down < 0.3, "{down}");
        assert!((0.0..=1.0).contains(&learn(&s, 1.0, 1e12, 1.0)));
    }

    #[test]
    fn teammates_raise_the_trial_hazard() {
        let s = scenario();
        let t = traits();
        let (c0, p0) = trial_hazard(&s, &t, 0.0, 0.0);
        let (c1, p1) = trial_hazard(&s, &t, 1.0, 0.5);
        assert_eq!(c0, c1);
        assert_eq!(p0, 0.0);
        assert!(p1 > 0.0);
    }

    #[test]
    fn habits_change_only_on_revision_and_trials_only_for_non_users() {
        let s = scenario();
        let t = traits();
        let user = UseInput {
            rollout_now: false,
            level: 1e7,
            team_share: 1.0,
            org_share: 1.0,
        };
        let r = s.adoption.revise_use;
        assert_eq!(start_of_week(&s, &t, user, r * 0.5), Some(UseCause::Habit));
        assert_eq!(start_of_week(&s, &t, user, r * 1.5), None);
        let non_user = UseInput { level: 0.0, ..user };
        let (c, p) = trial_hazard(&s, &t, 1.0, 1.0);
        assert_eq!(
            start_of_week(&s, &t, non_user, c * 0.5),
            Some(UseCause::Curiosity)
        );
        assert_eq!(
            start_of_week(&s, &t, non_user, c + p * 0.5),
            Some(UseCause::Teammates)
        );
        assert_eq!(start_of_week(&s, &t, non_user, c + p + 1e-9), None);
    }

    #[test]
    fn cause_names_round_trip() {
        for &c in UseCause::ALL {
            assert_eq!(UseCause::parse(c.as_str()), Some(c));
        }
    }
}
