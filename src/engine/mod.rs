//! The engine: weekly synchronous steps over all agents, in parallel, deterministic for a seed.
//!
//! A week has numbered phases:
//! 1. **Open**: in week 0, hire everyone (`AgentHired`); emit the week's `PolicyChanged` events and
//!    apply them, so this week's decisions see this week's policy.
//! 2. **Snapshot**: from the state after last week, compute what agents see: last week's sorted
//!    org-wide and per-team token totals, team padding and bot shares, target pressure.
//! 3. **Decide**: every agent decides in parallel (rayon, fixed chunks) from the frozen snapshot and
//!    its own RNG stream; chunk outputs are concatenated in agent order.
//! 4. **Managers**: team nudges and, in review weeks, reviews.
//! 5. **Apply**: fold the week's remaining events into the state with [`State::apply`], the same
//!    function replay uses, then hand the batch to the sinks (projections, event store).
//!
//! Nothing outside this module mutates agent state, and this module mutates it only by applying
//! events it has just emitted.

pub mod rng;

use rand::RngExt;
use rand_distr::{Distribution, Normal};
use rayon::prelude::*;

use crate::events::{AgentId, Event, UseCols, WeekBatch};
use crate::fold::{EventSink, State};
use crate::model::decide::{self, AgentView, WeekContext};
use crate::model::rank::{RankIndex, sort_floats};
use crate::model::traits::Traits;
use crate::model::work::{self, WorkOut};
use crate::model::{adoption, managers, organisation};
use crate::policy::GroupId;
use crate::scenario::Scenario;
use rng::{Entity, Purpose, stream};

/// Agents per parallel work unit. Fixed, so work splitting never depends on the thread count.
const CHUNK: usize = 4096;

/// Progress reports from a run; the CLI draws a bar, the library never prints.
pub trait Progress: Sync {
    fn week_done(&self, _done: u32, _total: u32) {}
}

/// No progress reporting.
pub struct NoProgress;
impl Progress for NoProgress {}

/// A run of one scenario and replication.
pub struct Simulation<'s> {
    scenario: &'s Scenario,
    replication: u32,
    state: State,
    next_week: u32,
}

impl<'s> Simulation<'s> {
    /// A simulation that has not started: no agents yet.
    pub fn new(scenario: &'s Scenario, replication: u32) -> Self {
        Simulation {
            scenario,
            replication,
            state: State::new(scenario),
            next_week: 0,
        }
    }

    /// Continue from a state rebuilt by replaying weeks `0..state.weeks_applied` (a fork).
    pub fn resume(scenario: &'s Scenario, replication: u32, state: State) -> Self {
        let next_week = state.weeks_applied;
        Simulation {
            scenario,
            replication,
            state,
            next_week,
        }
    }

    pub fn state(&self) -> &State {
        &self.state
    }

    pub fn into_state(self) -> State {
        self.state
    }

    /// The `RunStarted` event of this run.
    pub fn run_started(&self) -> Event {
        Event::RunStarted {
            seed: self.scenario.seed,
            replication: self.replication,
            scenario_hash: self.scenario.hash(),
        }
    }

    /// Run every remaining week, handing each to the sinks.
    pub fn run(&mut self, sinks: &mut [&mut dyn EventSink], progress: &dyn Progress) {
        let start = self.run_started();
        if self.next_week == 0 {
            for sink in sinks.iter_mut() {
                sink.started(self.scenario, &start);
            }
        }
        while self.next_week < self.scenario.weeks {
            let batch = self.step();
            for sink in sinks.iter_mut() {
                sink.week(self.scenario, &batch, &self.state);
            }
            progress.week_done(self.next_week, self.scenario.weeks);
        }
        let end = Event::RunFinished {
            weeks: self.scenario.weeks,
        };
        for sink in sinks.iter_mut() {
            sink.finished(self.scenario, &end, &self.state);
        }
    }

    /// Run one week and return its events (already applied).
    pub fn step(&mut self) -> WeekBatch {
        let s = self.scenario;
        let week = self.next_week;
        let mut batch = WeekBatch::new(week);

        // 1. Open the week.
        if week == 0 && self.state.agents() == 0 {
            self.hire(&mut batch);
        }
        batch.policy.extend(
            s.timeline
                .iter()
                .filter(|c| c.week == week)
                .map(|c| c.change),
        );
        self.state.apply_opening(s, &batch);

        // 2. Snapshot.
        let snap = Snapshot::take(s, &self.state, week);

        // 3. Decide, in parallel over fixed chunks, merged in agent order.
        let n = self.state.agents();
        let ctx = WeekContext {
            week,
            policy: &self.state.policy,
            org_adopt_share: snap.org_adopt_share,
            org_sorted_totals: &snap.org_sorted,
            org_index: &snap.org_index,
            org_marks: decide::peer_marks(&snap.org_sorted, s.behaviour.top_leapfrog),
            cap_tokens: self
                .state
                .policy
                .budget
                .map(|b| b.weekly_cap_tokens(s.money.price_usd_per_mtok, s.money.salary_usd))
                .unwrap_or(f64::INFINITY),
        };
        let state = &self.state;
        let seed = s.seed;
        let replication = self.replication;
        let chunks: Vec<ChunkOut> = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let range = c * CHUNK..((c + 1) * CHUNK).min(n);
                let mut out = ChunkOut::with_capacity(range.len());
                for i in range {
                    let team = state.team[i];
                    let tr = state.team_range(team);
                    let view = AgentView {
                        traits: &state.traits[i],
                        group: state.group[i],
                        proficiency: state.proficiency[i],
                        monitoring: state.monitoring[i],
                        has_bot: state.has_bot[i],
                        last_padding: state.last_padding[i],
                        use_level: state.use_level[i],
                        board_aware: state.board_aware[i],
                        review_pressure: state.review_pressure[i],
                        team_adopt_share: snap.team_adopt_share[team as usize],
                        team_noise: snap.team_noise[team as usize],
                        team_pad_share: snap.team_pad_share[team as usize],
                        team_bot_share: snap.team_bot_share[team as usize],
                        team_sorted_totals: if snap.team_sorted.is_empty() {
                            &[]
                        } else {
                            &snap.team_sorted[tr]
                        },
                    };
                    let mut rng = stream(
                        seed,
                        replication,
                        Entity::Agent(i as u32),
                        week,
                        Purpose::Decide,
                    );
                    let before = out.incident_costs.len();
                    let w = decide::decide(s, &ctx, &view, &mut rng, &mut out.incident_costs);
                    out.incident_agents.extend(std::iter::repeat_n(
                        i as AgentId,
                        out.incident_costs.len() - before,
                    ));
                    out.push(i as AgentId, &w);
                }
                out
            })
            .collect();
        let scope = self.state.policy.platform;
        for (c, out) in chunks.into_iter().enumerate() {
            let first = (c * CHUNK) as AgentId;
            let len = out.genuine.len() as AgentId;
            if let Some(scope) = scope {
                batch.bots.extend(out.bots.iter().map(|&a| (a, scope)));
            }
            batch.uses.agent.extend(out.uses.agent);
            batch.uses.level.extend(out.uses.level);
            batch.uses.cause.extend(out.uses.cause);
            batch.notices.extend(out.notices);
            batch.tokens.agent.extend(first..first + len);
            batch.tokens.genuine.extend(out.genuine);
            batch.tokens.padding.extend(out.padding);
            batch.tokens.bot.extend(out.bot);
            batch.incidents.agent.extend(out.incident_agents);
            batch.incidents.value.extend(out.incident_costs);
            let w = &mut batch.work;
            w.agent.extend(first..first + len);
            w.output.extend(out.work.iter().map(|x| x.output));
            w.rework.extend(out.work.iter().map(|x| x.rework));
            w.noise.extend(out.work.iter().map(|x| x.noise));
            w.pad_time.extend(out.work.iter().map(|x| x.pad_time));
            w.perceived.extend(out.work.iter().map(|x| x.perceived));
        }

        // 4. Managers: nudges (more often under target pressure), then reviews.
        let mg = self.state.policy.managers;
        for team in 0..self.state.teams() {
            let pressured = snap.target_pressure && snap.team_in_target[team as usize];
            let p = managers::nudge_probability(&mg, pressured);
            let mut rng = stream(seed, replication, Entity::Team(team), week, Purpose::Nudge);
            if rng.random::<f64>() < p {
                batch.nudges.push(team);
            }
        }
        if (week + 1) % mg.review_every_weeks == 0 {
            let real = managers::real_token_weight(&self.state.policy);
            self.review(&mut batch, real, mg.review_noise);
        }

        // 5. Apply the rest of the week.
        self.state.apply_rest(s, &batch);
        self.next_week = week + 1;
        batch
    }

    /// Hire every employee: groups in contiguous blocks by share (teams are mostly homogeneous,
    /// as real teams are), teams of `team_size` consecutive agents, traits from the group.
    fn hire(&self, batch: &mut WeekBatch) {
        let s = self.scenario;
        let n = s.employees as usize;
        let groups = organisation::group_blocks(s);
        let traits: Vec<(GroupId, Traits)> = (0..n)
            .into_par_iter()
            .map(|i| {
                let g = groups.partition_point(|&end| end <= i) as GroupId;
                let mut rng = stream(
                    s.seed,
                    self.replication,
                    Entity::Agent(i as u32),
                    0,
                    Purpose::Hire,
                );
                let mut t = Traits::draw(&s.groups[g as usize].traits, &mut rng);
                if adoption::mature_start(s) {
                    t.proficiency0 = adoption::settled_proficiency(s, &t);
                }
                (g, t)
            })
            .collect();
        let h = &mut batch.hires;
        for (i, (g, t)) in traits.into_iter().enumerate() {
            h.agent.push(i as AgentId);
            h.team.push(organisation::team_of(s, i as u32));
            h.group.push(g);
            h.traits.push(t);
        }
    }

    fn review(&self, batch: &mut WeekBatch, token_weight: f64, noise_sd: f64) {
        let s = self.scenario;
        let n = batch.work.agent.len();
        let totals: Vec<f64> = (0..n)
            .map(|i| batch.tokens.genuine[i] + batch.tokens.padding[i] + batch.tokens.bot[i])
            .collect();
        let mut sorted_out = batch.work.output.clone();
        sort_floats(&mut sorted_out);
        let mut sorted_tok = totals.clone();
        sort_floats(&mut sorted_tok);
        let normal = Normal::new(0.0, noise_sd).expect("validated noise");
        let (out_index, tok_index) = (RankIndex::new(&sorted_out), RankIndex::new(&sorted_tok));
        let week = batch.week;
        let reviews: Vec<(f64, f64)> = (0..n)
            .into_par_iter()
            .map(|i| {
                let rating = managers::rating(
                    token_weight,
                    out_index.cdf(&sorted_out, batch.work.output[i]),
                    tok_index.cdf(&sorted_tok, totals[i]),
                );
                let mut rng = stream(
                    s.seed,
                    self.replication,
                    Entity::Agent(i as u32),
                    week,
                    Purpose::Review,
                );
                (rating, normal.sample(&mut rng))
            })
            .collect();
        for (i, (rating, shock)) in reviews.into_iter().enumerate() {
            batch.reviews.agent.push(i as AgentId);
            batch.reviews.rating.push(rating);
            batch.reviews.belief_shock.push(shock);
        }
    }
}

/// Run a scenario to the end with the given sinks.
pub fn run(
    scenario: &Scenario,
    replication: u32,
    sinks: &mut [&mut dyn EventSink],
    progress: &dyn Progress,
) -> State {
    let mut sim = Simulation::new(scenario, replication);
    sim.run(sinks, progress);
    sim.into_state()
}

/// What agents see of last week.
struct Snapshot {
    org_sorted: Vec<f64>,
    org_index: RankIndex,
    /// Last week's totals sorted within each team's contiguous range.
    team_sorted: Vec<f64>,
    team_pad_share: Vec<f64>,
    team_bot_share: Vec<f64>,
    /// Share of each team that used the tools for real work last week.
    team_adopt_share: Vec<f64>,
    /// Output units of attention each member loses to the team's bots this week.
    team_noise: Vec<f64>,
    /// Share of all employees who used the tools for real work last week.
    org_adopt_share: f64,
    team_in_target: Vec<bool>,
    target_pressure: bool,
}

impl Snapshot {
    fn take(s: &Scenario, st: &State, week: u32) -> Snapshot {
        let n = st.agents();
        let teams = st.teams() as usize;
        let totals: Vec<f64> = (0..n).map(|i| st.last_total(i)).collect();
        let policy = &st.policy;
        let org_sorted = if week > 0 && policy.leaderboard_seen {
            let mut v = totals.clone();
            sort_floats(&mut v);
            v
        } else {
            Vec::new()
        };
        let team_scope = policy
            .leaderboard
            .is_some_and(|l| l.scope == crate::policy::RankScope::Team);
        let mut team_sorted = if team_scope {
            totals.clone()
        } else {
            Vec::new()
        };
        let mut team_pad_share = vec![0.0; teams];
        let mut team_bot_share = vec![0.0; teams];
        let mut team_in_target = vec![false; teams];
        let mut team_adopt_share = vec![0.0; teams];
        let mut team_noise = vec![0.0; teams];
        for j in 0..teams {
            let r = st.team_range(j as u32);
            let len = r.len() as f64;
            if team_scope {
                team_sorted[r.clone()].sort_unstable_by(f64::total_cmp);
            }
            team_pad_share[j] = st.last_padding[r.clone()]
                .iter()
                .filter(|p| **p > 0.0)
                .count() as f64
                / len;
            team_bot_share[j] = st.has_bot[r.clone()].iter().filter(|b| **b).count() as f64 / len;
            team_adopt_share[j] = st.last_genuine[r.clone()]
                .iter()
                .filter(|g| **g > 0.0)
                .count() as f64
                / len;
            // A bot's actions last week: its useful tokens and the padding it ran.
            let actions: f64 = r
                .clone()
                .filter(|&i| st.last_bot[i] > 0.0)
                .map(|i| (st.last_bot[i] + st.last_padding[i]) / s.bots.tokens_per_action)
                .fold(0.0, |a, b| a + b); // from +0.0: an empty f64 sum is -0.0
            team_noise[j] = work::noise_per_member(s, actions, r.len());
            team_in_target[j] = policy
                .target
                .is_some_and(|t| st.group[r].iter().any(|g| t.applies_to.contains(*g)));
        }
        if !team_scope {
            team_sorted = Vec::new();
        }
        let target_pressure = match policy.target {
            Some(t) if week > 0 => {
                let (mut members, mut active) = (0usize, 0usize);
                for i in 0..n {
                    if t.applies_to.contains(st.group[i]) {
                        members += 1;
                        active += usize::from(totals[i] >= t.theta_tokens);
                    }
                }
                members > 0 && (active as f64) < t.share * members as f64
            }
            _ => false,
        };
        let org_index = RankIndex::new(&org_sorted);
        let users = st.last_genuine.iter().filter(|g| **g > 0.0).count();
        Snapshot {
            team_adopt_share,
            team_noise,
            org_adopt_share: if n > 0 { users as f64 / n as f64 } else { 0.0 },
            org_sorted,
            org_index,
            team_sorted,
            team_pad_share,
            team_bot_share,
            team_in_target,
            target_pressure,
        }
    }
}

/// One chunk's decisions.
struct ChunkOut {
    genuine: Vec<f64>,
    padding: Vec<f64>,
    bot: Vec<f64>,
    work: Vec<WorkOut>,
    bots: Vec<AgentId>,
    uses: UseCols,
    notices: Vec<AgentId>,
    incident_agents: Vec<AgentId>,
    incident_costs: Vec<f64>,
}

impl ChunkOut {
    fn with_capacity(n: usize) -> Self {
        ChunkOut {
            genuine: Vec::with_capacity(n),
            padding: Vec::with_capacity(n),
            bot: Vec::with_capacity(n),
            work: Vec::with_capacity(n),
            bots: Vec::new(),
            uses: UseCols::default(),
            notices: Vec::new(),
            incident_agents: Vec::new(),
            incident_costs: Vec::new(),
        }
    }

    /// Record agent `i`'s week (its incidents are already pushed).
    fn push(&mut self, i: AgentId, w: &decide::AgentWeek) {
        if w.built_bot {
            self.bots.push(i);
        }
        if w.noticed_board {
            self.notices.push(i);
        }
        if let Some((level, cause)) = w.use_change {
            self.uses.agent.push(i);
            self.uses.level.push(level);
            self.uses.cause.push(cause);
        }
        self.genuine.push(w.genuine);
        self.padding.push(w.padding);
        self.bot.push(w.bot);
        self.work.push(w.work);
    }
}
