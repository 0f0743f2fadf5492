//! The serde mirror of a scenario file: exactly the TOML's shape, every field with its
//! docs/model.md default, unknown keys rejected.
//!
//! This layer only parses. It knows nothing of ranges or cross-field rules; those live in
//! [`super::validate`], which turns a [`RawScenario`] into a typed [`super::Scenario`].
//! The `Default` impls here are the single source of every default value in tokenmaxx
//! (docs/model.md, with the calibrated departures documented in docs/calibration.md), except
//! the policy levers', which are declared with each lever in `crate::policy::levers`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A whole scenario file. Every field is optional in the file; missing ones take defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawScenario {
    pub name: String,
    pub description: String,
    /// A built-in scenario name or a path (relative to this file) this file starts from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    pub seed: u64,
    pub weeks: i64,
    pub employees: i64,
    pub team_size: i64,
    /// Groups keyed by name (`population.developers.ai_fit.a`).
    pub population: BTreeMap<String, RawGroup>,
    pub behaviour: Behaviour,
    /// How use of the tools starts, grows and stops (model v2, docs/model.md).
    pub adoption: Adoption,
    /// What AI use and padding do to the work itself (model v2, docs/model.md).
    pub work: Work,
    pub bots: Bots,
    pub money: Money,
    /// The policy in force at week 0 (same shape as a timeline entry, without `week`).
    pub policy: RawPolicyChange,
    /// Policy changes by week; each entry becomes `PolicyChanged` events in its week.
    pub timeline: Vec<RawPolicyChange>,
}

impl Default for RawScenario {
    fn default() -> Self {
        let mut population = BTreeMap::new();
        population.insert(
            "developers".to_string(),
            RawGroup {
                share: 0.6,
                ..RawGroup::default()
            },
        );
        population.insert(
            "others".to_string(),
            RawGroup {
                share: 0.4,
                ai_fit: DistSpec::beta(1.5, 4.0),
                ..RawGroup::default()
            },
        );
        RawScenario {
            name: String::new(),
            description: String::new(),
            extends: None,
            seed: 42,
            weeks: 52,
            employees: 10_000,
            team_size: 8,
            population,
            behaviour: Behaviour::default(),
            adoption: Adoption::default(),
            work: Work::default(),
            bots: Bots::default(),
            money: Money::default(),
            policy: RawPolicyChange::default(),
            timeline: Vec::new(),
        }
    }
}

/// One population group: its share of employees and the distributions its traits are drawn from
/// (docs/model.md). Defaults are the developers' distributions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawGroup {
    pub share: f64,
    /// Output units per week without AI.
    pub skill: DistSpec,
    /// Share of the work where AI genuinely helps, in [0, 1].
    pub ai_fit: DistSpec,
    /// Initial skill with AI tools, in [0, 1].
    pub proficiency: DistSpec,
    /// Weight on what the agent believes managers evaluate, in [0, 1].
    pub career_concern: DistSpec,
    /// Weight on leaderboard rank among visible peers, in [0, 1].
    pub status_drive: DistSpec,
    /// Cost, in output units per `pad_scale` tokens, of padding.
    pub gaming_aversion: DistSpec,
    /// Tokens burnt per unit of useful AI work (relative; 1 = typical workflow).
    pub token_intensity: DistSpec,
    /// How much official statements move beliefs, in [0, 1].
    pub trust: DistSpec,
    /// Optimism about one's own AI speed-up: added to the gain coefficient an employee believes
    /// in (gain per log-unit of AI work), so perceived gains exceed measured ones.
    pub optimism: DistSpec,
}

impl Default for RawGroup {
    fn default() -> Self {
        RawGroup {
            share: 0.0,
            // Calibrated (first design: sigma 0.35): 0.45 gives the ~2x output of the top token decile.
            skill: DistSpec::lognormal(0.0, 0.45),
            ai_fit: DistSpec::beta(2.0, 3.0),
            // Calibrated (model v2): the draw before a mature organisation's settlement (see
            // docs/model.md, section 5.4); the `rollout` scenarios draw novices.
            proficiency: DistSpec::beta(5.0, 3.0),
            career_concern: DistSpec::beta(2.0, 2.0),
            status_drive: DistSpec::beta(2.0, 5.0),
            // Calibrated: the first design had Gamma(2, 0.5) (docs/model.md, section 10); Gamma(1, 1)
            // keeps the mean (1.0) but has a shameless minority near zero, the few who chase the
            // top of a leaderboard.
            gaming_aversion: DistSpec::gamma(1.0, 1.0),
            // Calibrated: the first design had sigma 0.8; 0.9 gives the ~10x top-decile tail.
            token_intensity: DistSpec::lognormal(0.0, 0.9),
            trust: DistSpec::beta(5.0, 3.0),
            // No published anchor for its spread; its mean is fitted to METR 2025's perception
            // gap (see docs/calibration.md).
            optimism: DistSpec::uniform(-0.1, 0.3),
        }
    }
}

/// The kind of a distribution in a scenario file (`dist = "..."`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DistKind {
    Lognormal,
    Beta,
    Gamma,
    Constant,
    Uniform,
}

/// A distribution as written in TOML: `{ dist = "beta", a = 2, b = 3 }`. Which parameters a kind
/// needs is checked in validation, so the error can name the missing or stray one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistSpec {
    pub dist: DistKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mu: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sigma: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub a: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub b: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high: Option<f64>,
}

impl DistSpec {
    fn empty(dist: DistKind) -> Self {
        DistSpec {
            dist,
            mu: None,
            sigma: None,
            a: None,
            b: None,
            shape: None,
            scale: None,
            value: None,
            low: None,
            high: None,
        }
    }
    pub fn lognormal(mu: f64, sigma: f64) -> Self {
        DistSpec {
            mu: Some(mu),
            sigma: Some(sigma),
            ..Self::empty(DistKind::Lognormal)
        }
    }
    pub fn beta(a: f64, b: f64) -> Self {
        DistSpec {
            a: Some(a),
            b: Some(b),
            ..Self::empty(DistKind::Beta)
        }
    }
    pub fn gamma(shape: f64, scale: f64) -> Self {
        DistSpec {
            shape: Some(shape),
            scale: Some(scale),
            ..Self::empty(DistKind::Gamma)
        }
    }
    pub fn constant(value: f64) -> Self {
        DistSpec {
            value: Some(value),
            ..Self::empty(DistKind::Constant)
        }
    }
    pub fn uniform(low: f64, high: f64) -> Self {
        DistSpec {
            low: Some(low),
            high: Some(high),
            ..Self::empty(DistKind::Uniform)
        }
    }
}

/// Behaviour parameters (docs/model.md). Units are in the field docs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Behaviour {
    /// `A`: maximal relative output gain scale from AI.
    pub uplift: f64,
    /// `kappa`: tokens of effective AI work at which the gain curve bends (tokens).
    pub token_scale: f64,
    /// Attention cost of effective AI work, output units per `token_scale` effective tokens.
    pub effort_cost: f64,
    /// Sigma of the weekly LogNormal(0, sigma) noise on genuine tokens.
    pub week_noise: f64,
    /// Proficiency learning rate per week of genuine use.
    pub learn_rate: f64,
    /// Weekly rate at which a user's optimism moves toward what their own output shows: the gap
    /// between their measured and perceived speed-up (model v3, perceptions that learn).
    pub perception_learn: f64,
    /// Tokens of manual padding that cost an agent `gaming_aversion` output units.
    pub pad_scale: f64,
    /// How many times cheaper padding is for an agent with a bot.
    pub bot_leverage: f64,
    /// How much peers' padding erodes the padding norm, in [0, 1].
    pub norm_weight: f64,
    /// Output units of disutility per expected bot incident.
    pub risk_aversion: f64,
    /// Logit temperature of the padding choice (output units).
    pub choice_temperature: f64,
    /// Weight of meeting the adoption target, per unit of career concern x monitoring.
    pub target_weight: f64,
    /// Weight of visible rank, per unit of status drive x audience.
    pub status_weight: f64,
    /// Weight of rank as a believed evaluation criterion, per unit of career concern x monitoring.
    pub rank_weight: f64,
    /// Weekly probability that an agent with a bot revises its padding.
    pub revise_bot: f64,
    /// Weekly probability that an agent without a bot revises its padding.
    pub revise_manual: f64,
    /// Probability that a running bot's owner revises its padding in the week of a leaderboard
    /// change (on, off, scope or visibility).
    pub revise_bot_on_change: f64,
    /// Initial perceived monitoring `m(0)`, in [0, 1].
    pub monitoring0: f64,
    /// Factor on monitoring under `private` visibility, in [0, 1].
    pub private_monitoring_factor: f64,
    /// Audience of a `team`-visible leaderboard, relative to `public` (1.0), in [0, 1].
    pub team_audience: f64,
    /// With costs visible: how many times its face value (a dollar against `salary_usd / 52`
    /// dollars per output unit) an employee weighs a dollar of their own token spend.
    pub price_weight: f64,
    /// Weight of topping a visible leaderboard (being #1), per unit of status drive x audience.
    pub top_weight: f64,
    /// The "top of the board" candidate: last week's highest visible total times this factor.
    pub top_leapfrog: f64,
    /// How much of a standing statement's credibility each contradicting nudge erodes.
    pub statement_erosion: f64,
    /// Weekly probability of noticing a leaderboard on one's own (plus one's status drive).
    pub board_notice: f64,
    /// Weekly probability of noticing it per unit of the team's padding share.
    pub board_imitation: f64,
    /// Share of a lifted target's pull that its former members still feel, while they believe
    /// token statistics count (docs/model.md 7.5.3): padding that persists as compliance.
    pub compliance_memory: f64,
    /// Weeks for that remembered pull to halve (compliance fades as experience replaces it).
    pub compliance_half_life: f64,
    /// Gaming an outcome metric (docs/model.md, 7.16): the split level (extra changes per unit
    /// of work) at which splitting costs an employee of gaming aversion 1 one unit of utility.
    pub split_scale: f64,
    /// How much a split raises a `cycle-time` metric, per unit of what it raises a count of
    /// merged changes (1): smaller changes are believed to merge faster.
    pub split_gain_cycle_time: f64,
    /// How much a split raises an `incident-adjusted` metric, per unit of what it raises a
    /// count of merged changes: a split-off change counts, less its share of the incidents.
    pub split_gain_incident_adjusted: f64,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            // Calibrated jointly (model v3; docs/calibration.md) with `work.novice_gain`,
            // `familiar_share`, `novice_drag` and `review_capacity`: ~72% weekly-active developers,
            // ~$150 a month per active developer, an org value gain of ~10%, adopters +20% from
            // their first months.
            uplift: 0.85,
            token_scale: 1.6e7,
            effort_cost: 0.2,
            week_noise: 0.3,
            learn_rate: 0.04,
            perception_learn: 0.03,
            // Calibrated (first design: 2e7), scaled with token_scale.
            pad_scale: 4e7,
            bot_leverage: 5.0,
            norm_weight: 0.5,
            risk_aversion: 1.0,
            choice_temperature: 0.05,
            target_weight: 1.0,
            status_weight: 2.0,
            rank_weight: 1.0,
            // Calibrated (first design: 0.25): bots' scheduled padding is revisited every ~10 weeks.
            revise_bot: 0.1,
            revise_manual: 0.6,
            revise_bot_on_change: 0.3,
            monitoring0: 0.3,
            private_monitoring_factor: 0.3,
            team_audience: 0.6,
            price_weight: 5.0,
            top_weight: 2.0,
            top_leapfrog: 1.25,
            // No published anchor: reactions to a new board build over a few weeks (Meta's board
            // drew most of its volume within weeks), not all at once.
            board_notice: 0.5,
            statement_erosion: 0.3,
            board_imitation: 1.0,
            // No published anchor (docs/model.md, 7.5.3): in the priors.
            compliance_memory: 0.1,
            // Venkatesh and Davis (2000): the compliance effect of required use had faded by
            // three months of experience.
            compliance_half_life: 13.0,
            // No published anchor (docs/model.md, 7.16): in the priors.
            split_scale: 0.5,
            split_gain_cycle_time: 0.2,
            split_gain_incident_adjusted: 0.4,
        }
    }
}

/// Adoption as a process (docs/model.md, "Adoption"): rollout, trial by curiosity and through
/// peers (Bass diffusion), habits, and the mandate channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Adoption {
    /// Week the tools arrive; before it nobody uses AI (0: available from the start).
    pub rollout_week: i64,
    /// Share of employees already using the tools in the rollout week, in [0, 1].
    pub initial_share: f64,
    /// Weekly probability of a first trial out of curiosity, times AI fit (Bass innovation).
    pub innovation: f64,
    /// Weekly trial probability per unit of teammates' adopter share, times AI fit.
    pub imitation_team: f64,
    /// Weekly trial probability per unit of the organisation's adopter share, times AI fit.
    pub imitation_org: f64,
    /// Weekly probability that a user revisits how much they use the tools (habit).
    pub revise_use: f64,
    /// Weekly probability that someone padding up to a target (a forced trial) starts real use.
    pub mandate_conversion: f64,
    /// Reactance (model v3): each week a member of a target's groups pads to it without any
    /// genuine use, their optimism falls by this much (resentment of being pushed).
    pub reactance: f64,
    /// Weekly proficiency loss rate while not using the tools (learning by doing, forgetting).
    pub forget_rate: f64,
}

impl Default for Adoption {
    fn default() -> Self {
        Adoption {
            rollout_week: 0,
            initial_share: 0.9,
            innovation: 0.02,
            imitation_team: 0.3,
            imitation_org: 0.15,
            revise_use: 0.1,
            mandate_conversion: 0.05,
            reactance: 0.0,
            forget_rate: 0.01,
        }
    }
}

/// What AI use and padding do to the work (docs/model.md, "The output side").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Work {
    /// Loss of the gain coefficient per unit of inexperience `1 - q` on familiar work (METR
    /// 2025: experienced developers in their own large repositories were 19% slower).
    pub novice_drag: f64,
    /// Share of the AI gain within reach at zero proficiency (new, unfamiliar tasks).
    pub novice_gain: f64,
    /// Share of the work on familiar code per unit of skill (capped at 1): where the drag applies.
    pub familiar_share: f64,
    /// Rework (defects, review) in output units per unit of `(1 - q) * ln(1 + E/kappa)`, times skill.
    pub rework_rate: f64,
    /// Share of a week padding takes per unit of `ln(1 + P / pad_scale)` (a bot multiplies
    /// `pad_scale` by `bot_leverage`), times skill: the time padding takes from real work.
    pub pad_time: f64,
    /// Output units of teammates' attention each bot action costs the team (messages, triage).
    pub noise_per_action: f64,
    /// A team's review capacity above its no-AI load, as a share of that load (docs/model.md,
    /// "Delivery"); 0 means unlimited review.
    pub review_capacity: f64,
    /// Share of changes merged without review whatever the load (trivial changes).
    pub unreviewed_base: f64,
    /// Weekly share of the work waiting for review that is merged without it.
    pub review_drain: f64,
    /// Weekly share of the work waiting for review that is abandoned.
    pub review_abandon: f64,
    /// Share of a reviewed change's defects that review catches.
    pub review_catch: f64,
    /// Extra defects per unit of an expert's AI-assisted work (a novice's: twice as many).
    pub defect_ai: f64,
    /// Output units an escaped defect costs (bugs, incidents, their fixing).
    pub defect_cost: f64,
    /// Share of a week, times skill, that splitting a week's work into twice the changes takes
    /// (per unit of split level: descriptions, checks and merges of the extra changes).
    pub split_time: f64,
    /// Review effort of a unit of work split into `1 + x` changes is `(1 + x)^split_review`
    /// (review time of a change grows less than in proportion to its size).
    pub split_review: f64,
}

impl Default for Work {
    fn default() -> Self {
        Work {
            novice_drag: 0.8,
            novice_gain: 0.7,
            familiar_share: 0.028,
            rework_rate: 0.05,
            pad_time: 0.01,
            noise_per_action: 1e-5,
            review_capacity: 0.065,
            unreviewed_base: 0.18,
            review_drain: 0.005,
            review_abandon: 0.018,
            review_catch: 0.75,
            defect_ai: 0.22,
            defect_cost: 0.25,
            split_time: 0.03,
            split_review: 0.5,
        }
    }
}

/// Agent-platform bots (docs/model.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Bots {
    /// Genuine tokens a bot burns per week on useful scheduled work.
    pub bot_tokens: f64,
    /// Output gain scale of a bot's useful work.
    pub bot_uplift: f64,
    /// Tokens per bot action (actions drive incidents).
    pub tokens_per_action: f64,
    /// Incidents per action under `broad` permissions.
    pub incident_rate: f64,
    /// Weekly bot-building probability independent of peers (Bass innovation), times AI fit.
    pub build_innovation: f64,
    /// Weekly bot-building probability per unit of team bot share (Bass imitation), times AI fit.
    pub build_imitation: f64,
    /// Incident-rate factor under `scoped` permissions.
    pub scope_factor_scoped: f64,
    /// Incident-rate factor under `least_privilege` permissions.
    pub scope_factor_least_privilege: f64,
    /// Output units lost per incident.
    pub incident_cost: DistSpec,
}

impl Default for Bots {
    fn default() -> Self {
        Bots {
            bot_tokens: 1e7,
            bot_uplift: 0.15,
            tokens_per_action: 1e5,
            incident_rate: 1e-4,
            build_innovation: 0.01,
            build_imitation: 0.15,
            scope_factor_scoped: 0.25,
            // Calibrated (first design: 0.05).
            scope_factor_least_privilege: 0.04,
            incident_cost: DistSpec::lognormal(0.5f64.ln(), 0.8),
        }
    }
}

/// Money (docs/model.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Money {
    /// Blended price of tokens, US dollars per million.
    pub price_usd_per_mtok: f64,
    /// Annual salary per employee, US dollars; one output unit is worth `salary_usd / 52`.
    pub salary_usd: f64,
    /// Annual rate at which net value is discounted to present value (summary.json's `npv_*`).
    /// Written only when not the default, so a scenario's text and hash stay as they were.
    #[serde(skip_serializing_if = "is_default_discount_rate")]
    pub discount_rate: f64,
}

/// The default annual discount rate, 10%.
pub const DEFAULT_DISCOUNT_RATE: f64 = 0.10;

fn is_default_discount_rate(r: &f64) -> bool {
    *r == DEFAULT_DISCOUNT_RATE
}

impl Default for Money {
    fn default() -> Self {
        Money {
            // Calibrated (first design: 6.0): the blended price implied by docs/calibration.md ($1.1-1.8).
            price_usd_per_mtok: 1.5,
            salary_usd: 200_000.0,
            discount_rate: DEFAULT_DISCOUNT_RATE,
        }
    }
}

pub use crate::policy::lever::Switch;
/// The policy levers' raw forms (the `[policy]` table and `[[timeline]]` entries) are declared
/// with each lever, in `crate::policy::levers`, defaults included.
pub use crate::policy::levers::{
    RawBudget, RawLeaderboard, RawManagers, RawPlatform, RawPolicyChange, RawStatement, RawTarget,
};
