//! The output side (docs/model.md, "The output side"): what a week of AI use, padding and bots
//! does to the work. All figures are in output units (1.0 = an average employee's week without
//! AI). Pure functions; the engine records the result as a `WorkDelivered` event.
//!
//! - Own work: `skill * (1 + c_true * ln(1 + E/kappa))`, where `c_true` can be negative for a
//!   novice (see [`super::adoption::true_coef`]).
//! - Rework: `skill * rework_rate * (1 - q) * ln(1 + E/kappa)`: defects and review of
//!   AI-assisted work, larger for the inexperienced (Uplevel; DORA 2024).
//! - Padding time: `skill * pad_time * ln(1 + P / pad_scale)` (a bot multiplies `pad_scale` by
//!   `bot_leverage`): gaming crowds out real work (Holmstrom and Milgrom's multitask problem).
//!   It is concave: the first padding is done by hand, large volumes by a loop set up once.
//!   Under an outcome metric, the time that splitting work into more changes takes is added to
//!   it ([`super::gaming::split_time`]): `pad_time` is the time gaming took from real work.
//! - Noise: the attention the team's bots cost (messages, triage), passed in from the snapshot.
//! - Incidents: drawn by the caller.

use super::adoption::{perceived_coef, true_coef};
use super::lanes;
use super::traits::Traits;
use crate::scenario::Scenario;

/// One agent's week of work.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct WorkOut {
    /// Output net of every cost below and of incidents.
    pub output: f64,
    pub rework: f64,
    pub noise: f64,
    /// Time gaming took from real work: padding tokens and, under an outcome metric, splitting
    /// work into more changes.
    pub pad_time: f64,
    /// The employee's own estimate of their AI speed-up this week (a fraction; 0 without use).
    pub perceived: f64,
}

/// What went into a week: tokens, proficiency, the bot, and the costs drawn elsewhere.
#[derive(Debug, Clone, Copy)]
pub struct WorkInput {
    pub q: f64,
    pub genuine: f64,
    /// The bot's useful work (none without a running bot).
    pub bot: BotWeek,
    pub padding: f64,
    /// [`pad_time_cost`] of `padding`, when the padding choice has already computed it.
    pub padding_time: Option<f64>,
    pub bot_running: bool,
    /// Output units of attention lost to the team's bots this week.
    pub noise: f64,
    /// Output units lost to this agent's bot incidents this week.
    pub incidents: f64,
    /// Split level of the week's work under an outcome metric (docs/model.md, 7.16).
    pub split: f64,
}

/// A running bot's useful tokens in a week and `ln(1 + B/kappa)`, the log its work scales with.
/// Every running bot has the same tokens in a week (the scenario's `bot_tokens`, clipped by the
/// budget), so the engine takes the logarithm once a week, not once a bot.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BotWeek {
    pub tokens: f64,
    pub log: f64,
}

impl BotWeek {
    pub fn of(s: &Scenario, tokens: f64) -> BotWeek {
        let log = if tokens > 0.0 {
            (tokens / s.behaviour.token_scale).ln_1p()
        } else {
            0.0
        };
        BotWeek { tokens, log }
    }
}

/// Output of a week without incidents or costs: own work plus the bot's useful work.
pub fn gross_output(s: &Scenario, t: &Traits, q: f64, genuine: f64, bot: f64) -> f64 {
    gross_output_at(s, t, q, log_use(s, t, genuine), BotWeek::of(s, bot))
}

/// `ln(1 + E/kappa)`: the log of effective AI work that gains, rework and perceptions scale with.
pub fn log_use(s: &Scenario, t: &Traits, genuine: f64) -> f64 {
    if genuine == 0.0 {
        return 0.0; // what the formula gives (a non-user's week), without the logarithm
    }
    (genuine / t.token_intensity / s.behaviour.token_scale).ln_1p()
}

/// [`log_use`] of up to [`lanes::LANES`] agents at once, from their `token_intensity` and genuine
/// tokens (lanes past the agents hold 0 tokens, and give 0). Within 1 ulp of [`log_use`]
/// ([`lanes::ln_1p`]'s accuracy).
pub fn log_uses(
    s: &Scenario,
    intensity: [f64; lanes::LANES],
    genuine: [f64; lanes::LANES],
) -> [f64; lanes::LANES] {
    let mut x = [0.0; lanes::LANES];
    for ((x, g), w) in x.iter_mut().zip(genuine).zip(intensity) {
        *x = if g == 0.0 {
            0.0
        } else {
            g / w / s.behaviour.token_scale
        };
    }
    lanes::ln_1p(x)
}

/// [`gross_output`] given [`log_use`] (computed once a week).
fn gross_output_at(s: &Scenario, t: &Traits, q: f64, log_use: f64, bot: BotWeek) -> f64 {
    let own = t.skill * (1.0 + true_coef(s, t, q) * log_use);
    let bot_part = if bot.tokens > 0.0 {
        t.skill * s.bots.bot_uplift * t.ai_fit * bot.log
    } else {
        0.0
    };
    own + bot_part
}

/// Output units a week of padding `padding` tokens takes from real work (concave in the tokens:
/// large volumes are automated; at most the week).
///
/// The logarithm is [`lanes::ln_1p1`], the one a reviser's choice takes over its candidates
/// ([`pad_time_costs`]), so the time the choice weighs is the time the week takes.
pub fn pad_time_cost(s: &Scenario, t: &Traits, padding: f64, bot_running: bool) -> f64 {
    if padding == 0.0 {
        return 0.0; // what the formula gives, without the logarithm
    }
    pad_time_of_log(s, t, lanes::ln_1p1(padding / pad_scale(s, bot_running)))
}

/// [`pad_time_cost`] of each of `paddings` (the lanes past the candidates hold 0, and give 0).
pub fn pad_time_costs(
    s: &Scenario,
    t: &Traits,
    paddings: [f64; lanes::LANES],
    bot_running: bool,
) -> [f64; lanes::LANES] {
    let scale = pad_scale(s, bot_running);
    lanes::ln_1p(paddings.map(|p| p / scale)).map(|l| pad_time_of_log(s, t, l))
}

/// Tokens of padding per unit of the padding time's logarithm: a bot multiplies them.
fn pad_scale(s: &Scenario, bot_running: bool) -> f64 {
    if bot_running {
        s.behaviour.pad_scale * s.behaviour.bot_leverage
    } else {
        s.behaviour.pad_scale
    }
}

fn pad_time_of_log(s: &Scenario, t: &Traits, log: f64) -> f64 {
    (t.skill * s.work.pad_time * log).min(t.skill)
}

/// The whole week of work.
pub fn week(s: &Scenario, t: &Traits, i: WorkInput) -> WorkOut {
    let log_use = log_use(s, t, i.genuine);
    let rework = t.skill * s.work.rework_rate * (1.0 - i.q) * log_use;
    let padding_time =
        (i.padding_time).unwrap_or_else(|| pad_time_cost(s, t, i.padding, i.bot_running));
    let pad_time = padding_time + super::gaming::split_time(s, t, i.split);
    let gross = gross_output_at(s, t, i.q, log_use, i.bot);
    WorkOut {
        output: gross - rework - pad_time - i.noise - i.incidents,
        rework,
        noise: i.noise,
        pad_time,
        perceived: perceived_coef(s, t, i.q) * log_use,
    }
}

/// Output units of attention a team loses to `actions` bot actions, per member.
pub fn noise_per_member(s: &Scenario, actions: f64, members: usize) -> f64 {
    if members == 0 {
        0.0
    } else {
        s.work.noise_per_action * actions / members as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testkit::{scenario, traits};

    fn input() -> WorkInput {
        WorkInput {
            q: 0.6,
            genuine: 1e7,
            bot: BotWeek::default(),
            padding: 0.0,
            padding_time: None,
            bot_running: false,
            noise: 0.0,
            incidents: 0.0,
            split: 0.0,
        }
    }

    #[test]
    fn padding_takes_time_from_real_work() {
        // given the same genuine use, when an agent pads, then output falls by the padding time
        let s = scenario();
        let t = traits();
        let clean = week(&s, &t, input());
        let padded = week(
            &s,
            &t,
            WorkInput {
                padding: 3e7,
                ..input()
            },
        );
        assert!(padded.pad_time > 0.0);
        assert!((clean.output - padded.output - padded.pad_time).abs() < 1e-12);
        // and a bot makes the same padding cheaper in time
        let by_bot = pad_time_cost(&s, &t, 3e7, true);
        assert!(by_bot < padded.pad_time);
    }

    #[test]
    fn rework_falls_with_proficiency_and_costs_are_subtracted() {
        let s = scenario();
        let t = traits();
        let novice = week(&s, &t, WorkInput { q: 0.1, ..input() });
        let expert = week(&s, &t, WorkInput { q: 0.9, ..input() });
        assert!(novice.rework > expert.rework);
        let noisy = week(
            &s,
            &t,
            WorkInput {
                noise: 0.01,
                incidents: 0.02,
                ..input()
            },
        );
        let clean = week(&s, &t, input());
        assert!((clean.output - noisy.output - 0.03).abs() < 1e-12);
    }

    #[test]
    fn output_is_concave_in_tokens() {
        let s = scenario();
        let t = traits();
        let k = s.behaviour.token_scale;
        let (a, b, c) = (
            gross_output(&s, &t, 0.8, k, 0.0),
            gross_output(&s, &t, 0.8, 2.0 * k, 0.0),
            gross_output(&s, &t, 0.8, 3.0 * k, 0.0),
        );
        assert!(b - a > c - b && c > b && b > a);
    }

    #[test]
    fn no_use_means_no_gain_no_rework_and_no_perceived_gain() {
        let s = scenario();
        let t = traits();
        let w = week(
            &s,
            &t,
            WorkInput {
                genuine: 0.0,
                ..input()
            },
        );
        assert_eq!((w.output, w.rework, w.perceived), (t.skill, 0.0, 0.0));
    }
}
