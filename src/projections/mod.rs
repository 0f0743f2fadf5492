//! Projections: folds over the event log into the report tables of docs/model.md.
//!
//! [`Projector`] is an [`EventSink`] of the fold layer: it reads each week's batch (the events)
//! and, for the few figures that are themselves folds of earlier events (the policy in force,
//! perceived monitoring, final proficiency, who has a bot), the fold's [`State`], which is built
//! from events alone and which replay rebuilds identically. It never imports the engine and never
//! writes files; `report` turns its [`Projections`] into CSV, JSON and charts.

mod delivery;
pub mod figures;
pub mod finite;
pub mod horizons;
pub mod stats;
pub mod summary;
mod week;

use serde::Serialize;

use std::sync::Arc;

use crate::events::{Shared, WeekBatch};
use crate::fold::{EventSink, State};
use crate::model::traits::StoredTraits;
use crate::policy::GroupId;
use crate::scenario::Scenario;
use crate::scenario::raw::RawTarget;
use stats::{gini, median_in_place};
pub use summary::Summary;
use week::TokenRules;

/// One row of weekly.csv. Tokens are counts, money US dollars, output in output units (1.0 = an
/// average employee's week without AI).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeeklyRow {
    pub week: u32,
    pub employees: u32,
    /// Share of the tracked groups with total tokens >= theta this week (what a dashboard shows).
    pub reported_active_share: f64,
    /// Share of the tracked groups with genuine + bot useful tokens >= theta (real use).
    pub genuine_active_share: f64,
    /// Whether a target was in force and the reported share reached it.
    pub target_met: bool,
    pub tokens_total: f64,
    pub tokens_genuine: f64,
    pub tokens_padding: f64,
    pub tokens_bot: f64,
    /// Padding tokens over all tokens (0 when no tokens).
    pub padding_share: f64,
    /// Output delivered, net of incident costs.
    pub output_total: f64,
    /// Output over the no-AI baseline (sum of skills), minus one.
    pub output_uplift: f64,
    /// Value over the no-AI counterfactual, in output units: each team's extra output through
    /// its review queue ([`crate::model::delivery`]); what `net_value_usd` prices.
    pub value_total: f64,
    /// `value_total` over the no-AI output: the organisation's gain.
    pub value_uplift: f64,
    pub cost_usd: f64,
    /// Token cost per output unit (None when no output).
    pub cost_per_output_unit: Option<f64>,
    /// Value of the output gain over the no-AI baseline per dollar of tokens (None without cost).
    pub roi: Option<f64>,
    pub incidents: u32,
    /// Output units lost to incidents.
    pub incident_cost: f64,
    /// Output units lost to rework of AI-assisted work (defects, review).
    pub rework_cost: f64,
    /// Output units of attention lost to bots' messages and triage.
    pub noise_cost: f64,
    /// Output units of working time spent gaming: padding tokens and, under an outcome metric,
    /// splitting work into more changes.
    pub padding_time_cost: f64,
    /// Share of employees splitting their work into more changes than it needs, to raise an
    /// outcome metric (docs/model.md, 7.16; 0 while tokens count).
    pub split_share: f64,
    /// What the teams' review queues let through this week (docs/model.md, "Delivery").
    #[serde(flatten)]
    pub delivery: delivery::DeliveryRow,
    /// Value of the output gain over working without AI, minus the token cost, US dollars (all
    /// costs above are already out of the output).
    pub net_value_usd: f64,
    /// Net value of the weeks so far (this one included), as it is and discounted to the run's
    /// start at `money.discount_rate` a year (week `t` weighs `(1 + rate)^(-t/52)`).
    pub cumulative_net_value_usd: f64,
    pub cumulative_net_value_discounted_usd: f64,
    /// Median, over this week's genuine users in the tracked groups, of their own estimate of
    /// their AI speed-up.
    pub perceived_uplift: f64,
    /// Median over the same users of their measured output over their no-AI output, minus one.
    pub measured_uplift: f64,
    /// Share of those users who would say AI makes them faster (perceived speed-up > 0).
    pub say_faster_share: f64,
    /// Share of those users who are measurably faster (measured uplift > 0).
    pub are_faster_share: f64,
    /// Mean perceived monitoring after the week.
    pub mean_monitoring: f64,
    /// Bots in existence at the end of the week (cumulative deployments).
    pub bots_deployed: u32,
    /// The leaderboard in force this week (None: no board); weekly.csv writes its scope and
    /// visibility as words ([`WeeklyRow::leaderboard_word`], [`WeeklyRow::visibility_word`]).
    #[serde(skip)]
    pub leaderboard: Option<crate::policy::Leaderboard>,
    /// Gini coefficient of this week's total tokens over all employees (users or not).
    pub token_gini_all: f64,
    // Extra figures (not columns of weekly.csv) used by the facts check and charts.
    /// Median and 99th percentile of this week's total tokens over all employees.
    #[serde(skip)]
    pub tokens_p50: f64,
    #[serde(skip)]
    pub tokens_p99: f64,
    /// Median weekly token cost of the genuinely active members of the tracked groups.
    #[serde(skip)]
    pub median_active_cost_usd: Option<f64>,
    /// Mean weekly token cost of the genuinely active members of the tracked groups.
    #[serde(skip)]
    pub mean_active_cost_usd: Option<f64>,
    /// Output without AI (sum of skills): the counterfactual the uplift is measured against.
    #[serde(skip)]
    pub baseline_output: f64,
    /// Whether a target was in force this week.
    #[serde(skip)]
    pub target_active: bool,
    /// The target share in force (0 without a target).
    #[serde(skip)]
    pub target_share: f64,
}

impl WeeklyRow {
    /// `off`, `org` or `team` (weekly.csv's `leaderboard`).
    pub fn leaderboard_word(&self) -> &'static str {
        self.leaderboard.map_or("off", |l| l.scope.as_str())
    }

    /// `public`, `team`, `manager_only`, `private`, or empty without a board (weekly.csv's
    /// `visibility`).
    pub fn visibility_word(&self) -> &'static str {
        self.leaderboard.map_or("", |l| l.visibility.as_str())
    }
}

/// One row of agents.csv: an employee over the whole run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentRow {
    pub agent: u32,
    pub team: u32,
    /// The group's name, one allocation per group shared by its rows (a string of its own per
    /// row was 32 bytes an agent at the end of a run).
    #[serde(serialize_with = "shared_str")]
    pub group: Arc<str>,
    pub skill: f64,
    pub ai_fit: f64,
    /// Proficiency at the end of the run.
    pub proficiency: f64,
    pub has_bot: bool,
    pub tokens_total: f64,
    pub tokens_genuine: f64,
    /// Padding tokens, manual or run by the agent's bot.
    pub tokens_padding: f64,
    pub output_total: f64,
    /// Output over the agent's no-AI baseline (skill x weeks), minus one.
    pub output_uplift: f64,
    pub incidents: u32,
    /// Decile of total tokens among agents with any tokens (1 = lowest, 10 = top), 0 for none.
    pub token_decile: u8,
}

/// One row of deciles.csv.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecileRow {
    pub decile: u8,
    pub agents: u32,
    pub mean_tokens: f64,
    pub mean_output: f64,
    /// Mean tokens over the median tokens of agents with any tokens.
    pub token_ratio: f64,
    /// Mean output over the median output of agents with any tokens.
    pub output_ratio: f64,
}

/// A policy change as a chart mark: its week, a short label and the change in plain words.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyMark {
    pub week: u32,
    pub label: String,
    pub words: String,
}

/// All projections of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Projections {
    pub weekly: Vec<WeeklyRow>,
    /// Policy changes of the run, for timeline marks on charts (week 0's initial policy included).
    pub policy_marks: Vec<PolicyMark>,
    pub agents: Vec<AgentRow>,
    pub deciles: Vec<DecileRow>,
    pub summary: Summary,
}

/// Per-agent running totals (a fold of events).
#[derive(Debug, Clone, Default)]
struct AgentTotals {
    /// Each agent's team, group and traits (skill and AI fit are reported), as hired: the hires'
    /// own columns, shared with the fold's state rather than copied ([`Shared`]).
    team: Shared<u32>,
    group: Shared<GroupId>,
    traits: Shared<StoredTraits>,
    genuine: Vec<f64>,
    padding: Vec<f64>,
    bot: Vec<f64>,
    output: Vec<f64>,
    incidents: Vec<u32>,
    /// Whether the agent used tokens for real work this week.
    user_this_week: Vec<bool>,
    /// Sum of `skill` ([`week::piece_sum`]): the week's output without AI (summed again only
    /// when people are hired).
    skill_sum: f64,
    /// Each team's no-AI output (summed again only when people are hired).
    team_skill: Vec<f64>,
}

impl AgentTotals {
    /// Agent `i`'s tokens over the run: genuine, padding and bot.
    fn total(&self, i: usize) -> f64 {
        self.genuine[i] + self.padding[i] + self.bot[i]
    }
}

/// Folds weekly batches into [`Projections`].
#[derive(Debug, Clone)]
pub struct Projector {
    replication: u32,
    weekly: Vec<WeeklyRow>,
    policy_marks: Vec<PolicyMark>,
    previous_policy: crate::policy::PolicyState,
    totals: AgentTotals,
    bots: u32,
    final_proficiency: Vec<f64>,
    final_has_bot: Vec<bool>,
    delivery: delivery::DeliveryFold,
}

impl Projector {
    pub fn new(replication: u32) -> Self {
        Projector {
            replication,
            weekly: Vec::new(),
            policy_marks: Vec::new(),
            previous_policy: crate::policy::PolicyState::default(),
            totals: AgentTotals::default(),
            bots: 0,
            final_proficiency: Vec::new(),
            final_has_bot: Vec::new(),
            delivery: delivery::DeliveryFold::default(),
        }
    }

    /// The finished projections (call after the run's last week). The users' temporary lists
    /// are gone before the per-agent rows are built, so the end of a run is not its peak.
    pub fn finish(self, s: &Scenario) -> Projections {
        let t = &self.totals;
        let n = t.traits.len();
        let weeks = self.weekly.len().max(1) as f64;
        let total_of = |i: usize| t.total(i);
        let users: Vec<usize> = (0..n).filter(|&i| total_of(i) > 0.0).collect();
        let order = stats::rank_order(&users, &total_of);
        let deciles = stats::deciles(&order, &total_of, &|i| t.output[i]);
        let mut decile_of = vec![0u8; n];
        for (k, &i) in order.iter().enumerate() {
            decile_of[i] = (k * 10 / users.len()) as u8 + 1;
        }
        drop(order);
        let mut user_totals: Vec<f64> = users.iter().map(|&i| total_of(i)).collect();
        let user_gini = gini(&mut user_totals);
        drop(user_totals);
        let mut per_week: Vec<f64> = users.iter().map(|&i| total_of(i) / weeks).collect();
        let median_weekly_user = median_in_place(&mut per_week).unwrap_or(0.0);
        let user_count = users.len();
        drop((per_week, users));
        let agents = self.agent_rows(s, &decile_of);
        let mut summary = Summary::build(
            s,
            self.replication,
            &self.weekly,
            &deciles,
            user_gini,
            median_weekly_user,
            user_count,
        );
        [
            summary.output_uplift_low_fit,
            summary.output_uplift_mid_fit,
            summary.output_uplift_high_fit,
        ] = stats::uplift_by_fit_third(&agents, self.weekly.len());
        Projections {
            weekly: self.weekly,
            policy_marks: self.policy_marks,
            agents,
            deciles,
            summary,
        }
    }
}

impl Projector {
    /// One row per agent (agents.csv), given each agent's token decile.
    fn agent_rows(&self, s: &Scenario, decile_of: &[u8]) -> Vec<AgentRow> {
        let t = &self.totals;
        let weeks = self.weekly.len().max(1) as f64;
        let names: Vec<Arc<str>> = s.groups.iter().map(|g| Arc::from(&*g.name)).collect();
        (0..t.traits.len())
            .map(|i| AgentRow {
                agent: i as u32,
                team: t.team[i],
                group: Arc::clone(&names[t.group[i] as usize]),
                skill: t.traits[i].skill(),
                ai_fit: t.traits[i].traits().ai_fit,
                proficiency: self.final_proficiency.get(i).copied().unwrap_or(f64::NAN),
                has_bot: self.final_has_bot.get(i).copied().unwrap_or(false),
                tokens_total: t.total(i),
                tokens_genuine: t.genuine[i],
                tokens_padding: t.padding[i],
                output_total: t.output[i],
                output_uplift: if t.traits[i].skill() > 0.0 {
                    t.output[i] / (t.traits[i].skill() * weeks) - 1.0
                } else {
                    0.0
                },
                incidents: t.incidents[i],
                token_decile: decile_of[i],
            })
            .collect()
    }

    /// Extend the per-agent totals to this week's hires.
    fn hire(&mut self, b: &WeekBatch) {
        let (t, h) = (&mut self.totals, &b.hires);
        if t.traits.is_empty() {
            // The first hires: their columns themselves, shared.
            (t.team, t.group, t.traits) = (h.team.clone(), h.group.clone(), h.traits.clone());
        } else if !h.traits.is_empty() {
            Arc::make_mut(&mut t.team).extend_from_slice(&h.team);
            Arc::make_mut(&mut t.group).extend_from_slice(&h.group);
            Arc::make_mut(&mut t.traits).extend_from_slice(&h.traits);
        }
        let n = t.traits.len();
        for v in [&mut t.genuine, &mut t.padding, &mut t.bot, &mut t.output] {
            v.resize(n, 0.0);
        }
        t.incidents.resize(n, 0);
        t.user_this_week.resize(n, false);
        if !b.hires.agent.is_empty() {
            t.skill_sum = week::piece_sum(&t.traits, |t| t.skill());
            let teams = t.team.iter().map(|&x| x as usize + 1).max().unwrap_or(0);
            t.team_skill = vec![0.0; teams];
            for (team, traits) in t.team.iter().zip(t.traits.iter()) {
                t.team_skill[*team as usize] += traits.skill();
            }
        }
    }

    /// Label this week's policy changes for the charts.
    fn mark_policies(&mut self, b: &WeekBatch) {
        for change in &b.policy {
            let before = &self.previous_policy;
            let (label, words) = (change.label(before), change.words(before));
            self.previous_policy.apply(change);
            self.policy_marks.push(PolicyMark {
                week: b.week,
                label,
                words,
            });
        }
    }

    /// Count this week's incidents per agent; their total cost.
    fn incidents(&mut self, b: &WeekBatch) -> f64 {
        let mut cost = 0.0;
        for k in 0..b.incidents.agent.len() {
            self.totals.incidents[b.incidents.agent[k] as usize] += 1;
            cost += b.incidents.value[k];
        }
        cost
    }
}

/// `x / whole`, or 0 when the whole is not positive (no tokens, no one hired).
fn share_of(x: f64, whole: f64) -> f64 {
    if whole > 0.0 { x / whole } else { 0.0 }
}

impl Projector {
    /// The cumulative net value (undiscounted, discounted) of the weeks before this one.
    fn cumulative_before(&self) -> (f64, f64) {
        self.weekly.last().map_or((0.0, 0.0), |r| {
            (
                r.cumulative_net_value_usd,
                r.cumulative_net_value_discounted_usd,
            )
        })
    }
}

/// Share of employees working at a split level above 0 (none while tokens count: the fold
/// resets every split when the metric is lifted).
fn split_share(state: &State) -> f64 {
    if state.policy.outcome_metrics.is_none() {
        return 0.0;
    }
    let splitting = state.split.iter().filter(|x| **x > 0.0).count();
    share_of(splitting as f64, state.agents() as f64)
}

impl EventSink for Projector {
    fn week(&mut self, s: &Scenario, b: &WeekBatch, state: &State) {
        self.hire(b);
        self.bots += b.bots.len() as u32;
        self.mark_policies(b);
        let policy = &state.policy;
        let theta = policy
            .target
            .map(|x| x.theta_tokens)
            .unwrap_or_else(|| RawTarget::default().theta);
        let price = s.money.price_usd_per_mtok / 1e6;
        let rules = TokenRules {
            tracked: &s.tracked_groups,
            theta,
            price,
        };
        let sorted = state.sorted_last_totals();
        let (tk, wk) = week::fold_week(b, &mut self.totals, &rules, sorted);
        let incident_cost = self.incidents(b);
        let n = self.totals.traits.len();
        let baseline = self.totals.skill_sum;
        let output_total = wk.output;
        let dv = self.delivery.week(s, b, &self.totals, state);
        let value_total = dv.value;
        let tokens_total = tk.total();
        let cost = tokens_total * price;
        let reported_share = tk.share(tk.reported);
        let usd_per_unit = s.usd_per_output_unit();
        let net = value_total * usd_per_unit - cost;
        let before = self.cumulative_before();
        self.weekly.push(WeeklyRow {
            week: b.week,
            employees: n as u32,
            reported_active_share: reported_share,
            genuine_active_share: tk.share(tk.genuine_active),
            target_met: policy.target.is_some_and(|x| reported_share >= x.share),
            tokens_total,
            tokens_genuine: tk.genuine,
            tokens_padding: tk.padding,
            tokens_bot: tk.bot,
            padding_share: share_of(tk.padding, tokens_total),
            output_total,
            output_uplift: if baseline > 0.0 {
                output_total / baseline - 1.0
            } else {
                0.0
            },
            value_total,
            value_uplift: share_of(value_total, baseline),
            cost_usd: cost,
            cost_per_output_unit: (output_total > 0.0).then(|| cost / output_total),
            roi: (cost > 0.0).then(|| value_total * usd_per_unit / cost),
            incidents: b.incidents.agent.len() as u32,
            incident_cost,
            rework_cost: wk.rework,
            noise_cost: wk.noise,
            padding_time_cost: wk.pad_time,
            split_share: split_share(state),
            delivery: dv.into(),
            net_value_usd: net,
            cumulative_net_value_usd: before.0 + net,
            cumulative_net_value_discounted_usd: before.1
                + net * horizons::discount_factor(b.week, s.money.discount_rate),
            perceived_uplift: wk.perceived,
            measured_uplift: wk.measured,
            say_faster_share: wk.say_faster,
            are_faster_share: wk.are_faster,
            mean_monitoring: share_of(state.monitoring.iter().sum::<f64>(), n as f64),
            bots_deployed: self.bots,
            leaderboard: policy.leaderboard,
            token_gini_all: tk.gini,
            tokens_p50: tk.p50,
            tokens_p99: tk.p99,
            median_active_cost_usd: tk.median_active_cost,
            mean_active_cost_usd: tk.mean_active_cost,
            baseline_output: baseline,
            target_active: policy.target.is_some(),
            target_share: policy.target.map(|x| x.share).unwrap_or(0.0),
        });
    }

    fn finished(&mut self, _s: &Scenario, _run: &crate::events::Event, state: &State) {
        self.final_proficiency = state.proficiency.clone();
        self.final_has_bot = state.has_bot.clone();
    }
}

/// Serialize a shared string as a string.
fn shared_str<S: serde::Serializer>(v: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(v)
}
