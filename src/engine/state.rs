//! The state of a run: a fold of its events. [`State::apply`] is the only function that changes it,
//! used by the live engine and by replay alike, so replaying a log rebuilds the same state bit
//! for bit. State is struct-of-arrays, indexed by agent.

use crate::events::{Event, WeekBatch};
use crate::model::decide::learn;
use crate::model::traits::Traits;
use crate::policy::{GroupId, PolicyChange, PolicyState};
use crate::scenario::Scenario;

/// Agent state after the last applied week (MODEL.md section 3).
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// The policies in force.
    pub policy: PolicyState,
    pub team: Vec<u32>,
    pub group: Vec<GroupId>,
    pub traits: Vec<Traits>,
    /// `q`: proficiency with AI tools.
    pub proficiency: Vec<f64>,
    /// `m`: perceived monitoring, the belief that token statistics count.
    pub monitoring: Vec<f64>,
    pub has_bot: Vec<bool>,
    pub last_genuine: Vec<f64>,
    pub last_padding: Vec<f64>,
    pub last_bot: Vec<f64>,
    pub last_output: Vec<f64>,
    /// First agent of each team, plus one past the last agent at the end.
    pub team_start: Vec<u32>,
    /// Number of weeks fully applied.
    pub weeks_applied: u32,
}

impl State {
    /// An empty state for a scenario (no agents hired yet).
    pub fn new(s: &Scenario) -> State {
        let n = s.employees as usize;
        State {
            policy: PolicyState::default(),
            team: Vec::with_capacity(n),
            group: Vec::with_capacity(n),
            traits: Vec::with_capacity(n),
            proficiency: Vec::with_capacity(n),
            monitoring: Vec::with_capacity(n),
            has_bot: Vec::with_capacity(n),
            last_genuine: Vec::with_capacity(n),
            last_padding: Vec::with_capacity(n),
            last_bot: Vec::with_capacity(n),
            last_output: Vec::with_capacity(n),
            team_start: vec![0],
            weeks_applied: 0,
        }
    }

    pub fn agents(&self) -> usize {
        self.traits.len()
    }

    /// Last week's total tokens of agent `i` (genuine + padding + bot).
    pub fn last_total(&self, i: usize) -> f64 {
        self.last_genuine[i] + self.last_padding[i] + self.last_bot[i]
    }

    /// Agents of team `j`.
    pub fn team_range(&self, j: u32) -> std::ops::Range<usize> {
        self.team_start[j as usize] as usize..self.team_start[j as usize + 1] as usize
    }

    pub fn teams(&self) -> u32 {
        (self.team_start.len() - 1) as u32
    }

    /// Fold one event into the state. Rules here are only the state transitions of MODEL.md:
    /// learning, belief updates and policy; every random draw is already in the event.
    pub fn apply(&mut self, s: &Scenario, e: &Event) {
        match *e {
            Event::RunStarted { .. } | Event::RunFinished { .. } => {}
            Event::AgentHired {
                agent,
                team,
                group,
                traits,
            } => {
                debug_assert_eq!(
                    agent as usize,
                    self.traits.len(),
                    "agents are hired in order"
                );
                if team as usize + 1 >= self.team_start.len() {
                    self.team_start.push(agent + 1);
                } else {
                    *self.team_start.last_mut().expect("non-empty") = agent + 1;
                }
                self.team.push(team);
                self.group.push(group);
                self.traits.push(traits);
                self.proficiency.push(traits.proficiency0);
                self.monitoring.push(s.behaviour.monitoring0);
                self.has_bot.push(false);
                self.last_genuine.push(0.0);
                self.last_padding.push(0.0);
                self.last_bot.push(0.0);
                self.last_output.push(0.0);
            }
            Event::PolicyChanged { change, .. } => {
                self.policy.apply(&change);
                if let PolicyChange::Statement { credibility } = change {
                    for (m, t) in self.monitoring.iter_mut().zip(&self.traits) {
                        *m *= 1.0 - t.trust * credibility;
                    }
                }
            }
            Event::BotDeployed { agent, .. } => self.has_bot[agent as usize] = true,
            Event::TokensUsed {
                agent,
                genuine,
                padding,
                bot,
                ..
            } => {
                let i = agent as usize;
                self.last_genuine[i] = genuine;
                self.last_padding[i] = padding;
                self.last_bot[i] = bot;
                self.proficiency[i] = learn(
                    s,
                    self.proficiency[i],
                    genuine,
                    self.traits[i].token_intensity,
                );
            }
            Event::IncidentOccurred { .. } => {}
            Event::WorkDelivered { agent, output, .. } => self.last_output[agent as usize] = output,
            Event::ManagerNudged { team, .. } => {
                let nudge = self.policy.managers.nudge;
                let r = self.team_range(team);
                for m in &mut self.monitoring[r] {
                    *m += (1.0 - *m) * nudge;
                }
            }
            Event::ReviewHeld {
                agent,
                belief_shock,
                ..
            } => {
                let mg = self.policy.managers;
                // Under outcome metrics managers really give tokens no weight.
                let real = if self.policy.outcome_metrics {
                    0.0
                } else {
                    mg.review_token_weight
                };
                let m = &mut self.monitoring[agent as usize];
                *m = (*m + mg.review_learning * (real - *m) + belief_shock).clamp(0.0, 1.0);
            }
        }
    }

    /// Fold a whole week in canonical order.
    pub fn apply_week(&mut self, s: &Scenario, batch: &WeekBatch) {
        for e in batch.events() {
            self.apply(s, &e);
        }
        self.weeks_applied = batch.week + 1;
    }
}
