//! The week's delivery, team by team ([`crate::model::delivery`]): each team's produced work and
//! defects summed from the week's `WorkDelivered` and `TokensUsed` events and the fold's
//! proficiency, then passed through the team's review queue, which this fold keeps from week to
//! week. Teams are folded in parallel and their results added in team order, so the sums are
//! the same at any thread count.

use rayon::prelude::*;

use super::AgentTotals;
use crate::events::{WeekBatch, is_dense};
use crate::fold::State;
use crate::model::delivery::{self, Delivered, Params, Produced, Queue};
use crate::model::gaming;
use crate::model::lanes::LANES;
use crate::model::work;
use crate::scenario::Scenario;

/// weekly.csv's delivery columns.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct DeliveryRow {
    /// Work merged this week, reviewed or not (output units).
    pub work_merged: f64,
    /// Share of the merged work that no one reviewed.
    pub unreviewed_share: f64,
    /// Waiting work abandoned this week (output units).
    pub work_abandoned: f64,
    /// Work in review (waiting and new) over the no-AI load: review time relative to no AI.
    pub review_load: f64,
    /// Defects that reached production this week (one per unit of no-AI output, before review).
    pub defects_escaped: f64,
    /// Output units lost to escaped defects beyond the no-AI level (in `value_total`).
    pub quality_cost: f64,
}

impl From<Delivered> for DeliveryRow {
    /// The organisation's week: the teams' [`Delivered`] added up (`review_load` weighted by
    /// the teams' no-AI loads).
    fn from(d: Delivered) -> DeliveryRow {
        DeliveryRow {
            work_merged: d.merged,
            unreviewed_share: super::share_of(d.unreviewed, d.merged),
            work_abandoned: d.abandoned,
            review_load: d.review_load,
            defects_escaped: d.escaped,
            quality_cost: d.quality_cost,
        }
    }
}

/// Each team's review queue, carried from week to week.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFold {
    queues: Vec<Queue>,
    /// Whether the queues have been set to the first week's steady state.
    started: bool,
    /// This week's output and genuine tokens by agent, for weeks whose events are not in agent
    /// order (logs written by hand).
    output: Vec<f64>,
    genuine: Vec<f64>,
}

impl DeliveryFold {
    /// Fold a week: every team's produced work through its queue.
    pub fn week(
        &mut self,
        s: &Scenario,
        b: &WeekBatch,
        t: &AgentTotals,
        state: &State,
    ) -> Delivered {
        let p = Params::of(&s.work);
        let (output, genuine) = self.columns(b, t);
        let produced: Vec<Produced> = (0..state.teams())
            .into_par_iter()
            .map(|j| team_produced(s, &p, t, state, j, output, genuine))
            .collect();
        self.queues.resize(produced.len(), Queue::default());
        if !self.started {
            self.started = true;
            for ((q, new), skill) in self.queues.iter_mut().zip(&produced).zip(&t.team_skill) {
                *q = delivery::steady_queue(&p, *skill, *new);
            }
        }
        let teams: Vec<Delivered> = self
            .queues
            .par_iter_mut()
            .zip(&produced)
            .zip(&t.team_skill)
            .map(|((q, new), skill)| delivery::week(&p, *skill, q, *new))
            .collect();
        let mut org = Delivered::default();
        let mut in_review_base = 0.0;
        for (d, skill) in teams.iter().zip(&t.team_skill) {
            org.merged += d.merged;
            org.unreviewed += d.unreviewed;
            org.abandoned += d.abandoned;
            org.escaped += d.escaped;
            org.quality_cost += d.quality_cost;
            org.value += d.value;
            org.review_load += d.review_load * skill;
            in_review_base += skill;
        }
        if in_review_base > 0.0 {
            org.review_load /= in_review_base;
        }
        org
    }

    /// The week's output and genuine tokens indexed by agent: the events' own columns when they
    /// name every agent in order (every week the engine writes), else scattered into buffers.
    /// An agent without a work event this week counts as working without AI.
    fn columns<'a>(&'a mut self, b: &'a WeekBatch, t: &AgentTotals) -> (&'a [f64], &'a [f64]) {
        let n = t.traits.len();
        let dense = is_dense(&b.work.agent, n) && is_dense(&b.tokens.agent, n);
        if dense {
            return (&b.work.output, &b.tokens.genuine);
        }
        self.output.clear();
        self.output.extend(t.traits.iter().map(|x| x.skill()));
        self.genuine.clear();
        self.genuine.resize(n, 0.0);
        for (a, v) in b.work.agent.iter().zip(&b.work.output) {
            self.output[a as usize] = *v;
        }
        for (a, v) in b.tokens.agent.iter().zip(&b.tokens.genuine) {
            self.genuine[a as usize] = *v;
        }
        (&self.output, &self.genuine)
    }
}

/// Team `j`'s produced work, defects and the review effort of its split work this week. Its
/// members' logs of use are taken [`LANES`] at a time ([`work::log_uses`]).
fn team_produced(
    s: &Scenario,
    p: &Params,
    t: &AgentTotals,
    state: &State,
    j: u32,
    output: &[f64],
    genuine: &[f64],
) -> Produced {
    let mut new = Produced::default();
    let range = state.team_range(j);
    for first in range.clone().step_by(LANES) {
        let members = first..(first + LANES).min(range.end);
        let (mut intensity, mut tokens) = ([1.0; LANES], [0.0; LANES]);
        for (k, i) in members.clone().enumerate() {
            (intensity[k], tokens[k]) = (t.traits[i].token_intensity(), genuine[i]);
        }
        let logs = work::log_uses(s, intensity, tokens);
        for (i, l) in members.zip(logs) {
            let (out, skill) = (output[i], t.traits[i].skill());
            new.work += out.max(0.0);
            new.defects += delivery::defects(p, out, skill, l, state.proficiency[i]);
            let split = state.split_of(i);
            if split > 0.0 {
                new.split_effort += out.max(0.0) * (gaming::review_effort(s, split) - 1.0);
            }
        }
    }
    new
}
