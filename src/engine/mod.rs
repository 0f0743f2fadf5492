//! The engine: weekly synchronous steps over all agents, in parallel, deterministic for a seed.
//!
//! A week has numbered phases:
//! 1. **Open**: in week 0, hire everyone (`AgentHired`); emit the week's `PolicyChanged` events and
//!    apply them, so this week's decisions see this week's policy.
//! 2. **Snapshot**: from the state after last week, compute what agents see: last week's sorted
//!    org-wide and per-team token totals, team padding and bot shares, target pressure.
//! 3. **Decide**: every agent decides in parallel (rayon, fixed chunks) from the frozen snapshot and
//!    its own RNG stream; each chunk writes its tokens and work in place into the week's batch
//!    and returns its sparse events, appended in agent order.
//! 4. **Nudges**: one draw per team.
//! 5. **Apply the employees' events** with [`State::apply_decisions`] (the same arithmetic replay
//!    uses), so this week's sorted totals come from the fold.
//! 6. **Reviews** in review weeks, then [`State::apply_managers`]; the batch goes to the sinks
//!    (projections, event store).
//!
//! Nothing outside this module mutates agent state, and this module mutates it only by applying
//! events it has just emitted.

pub mod rng;
mod timing;

use std::sync::Arc;

use rand::RngExt;
use rand_distr::{Distribution, Normal};
use rayon::prelude::*;

use crate::events::{AgentId, AgentIds, AgentValueCols, Event, UseCols, WeekBatch};
use crate::fold::{EventSink, LastWeek, State};
use crate::model::decide::{self, AgentView, WeekContext};
use crate::model::gaming::{self, MetricView};
use crate::model::rank::{RankIndex, sort_floats};
use crate::model::traits::{StoredTraits, Traits};
use crate::model::work;
use crate::model::{adoption, managers, organisation};
use crate::policy::GroupId;
use crate::scenario::Scenario;
use rng::{Entity, Purpose, RunStreams, stream};
use timing::Lap;
pub use timing::PhaseTimes;

/// Agents per parallel work unit. Fixed, so work splitting never depends on the thread count.
const CHUNK: usize = 4096;

/// Progress reports from a run; the CLI draws a bar, the library never prints.
pub trait Progress: Sync {
    fn week_done(&self, _done: u32, _total: u32) {}
    /// Whether the run is no longer wanted (checked before each week; `serve` cancels a
    /// stale run): the run stops there, before its end, and its sinks are not finished.
    fn cancelled(&self) -> bool {
        false
    }
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
    /// Last week's batch, once the sinks are done with it: its memory is reused.
    spare: Option<WeekBatch>,
    times: PhaseTimes,
}

impl<'s> Simulation<'s> {
    /// A simulation that has not started: no agents yet.
    pub fn new(scenario: &'s Scenario, replication: u32) -> Self {
        Simulation {
            scenario,
            replication,
            state: State::new(scenario),
            next_week: 0,
            spare: None,
            times: PhaseTimes::default(),
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
            spare: None,
            times: PhaseTimes::default(),
        }
    }

    pub fn state(&self) -> &State {
        &self.state
    }

    /// Wall time spent in each phase so far (`tokenmaxx bench --phases`).
    pub fn times(&self) -> PhaseTimes {
        self.times
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
            if progress.cancelled() {
                return;
            }
            let batch = self.step();
            let lap = Lap::start();
            for sink in sinks.iter_mut() {
                sink.week(self.scenario, &batch, &self.state);
            }
            self.times.sinks += lap.read();
            progress.week_done(self.next_week, self.scenario.weeks);
            self.spare = Some(batch);
        }
        self.spare = None;
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
        let mut batch = self.spare.take().unwrap_or_default();
        batch.reset(week);

        let mut lap = Lap::start();
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
        self.times.open += lap.next();

        // 2. Snapshot. Last week's tokens and output are lent by the state (3. writes the
        // week's own into their memory; 5. shares them back); the org-wide sorted totals, if the
        // week shows them, are worked out before.
        if org_totals(&self.state, week) == OrgTotals::Sorted {
            self.state.sorted_last_totals();
        }
        let last = self.state.take_last_week();
        let snap = Snapshot::take(s, &self.state, &last, week);
        self.times.snapshot += lap.next();

        // 3. Decide, in parallel over fixed chunks, merged in agent order.
        let chunks = self.decide_all(&snap, &mut batch, last);
        merge_sparse(&mut batch, chunks, self.state.policy.platform);
        self.times.decide += lap.next();

        // 4. Managers: nudges (more often under target pressure).
        self.nudges(&mut batch, &snap);
        drop(snap);
        self.times.managers += lap.next();

        // 5. Apply the employees' events, so this week's sorted totals come from the fold.
        self.state.apply_decisions(s, &batch);
        self.times.apply += lap.next();

        // 6. In review weeks, reviews (of this week's tokens and output); apply the managers'
        // events.
        let mg = self.state.policy.managers;
        if (week + 1) % mg.review_every_weeks == 0 {
            let real = managers::real_token_weight(&self.state.policy);
            self.review(&mut batch, real, mg.review_noise);
        }
        self.state.apply_managers(s, &batch);
        self.times.managers += lap.next();
        self.next_week = week + 1;
        batch
    }

    /// Every agent's decision this week, from the frozen snapshot and its own stream, in fixed
    /// chunks (so the split never depends on the thread count). The dense columns (tokens and
    /// work) are written in place into `batch`; each chunk returns its sparse events, which
    /// [`merge_sparse`] appends in agent order.
    fn decide_all(&self, snap: &Snapshot, batch: &mut WeekBatch, last: LastWeek) -> Vec<Sparse> {
        let s = self.scenario;
        let state = &self.state;
        let week = batch.week;
        let cap_tokens = state
            .policy
            .budget
            .map(|b| b.weekly_cap_tokens(s.money.price_usd_per_mtok, s.money.salary_usd))
            .unwrap_or(f64::INFINITY);
        let ctx = WeekContext {
            week,
            policy: &state.policy,
            org_adopt_share: snap.org_adopt_share,
            org_sorted_totals: snap.org_sorted,
            org_index: &snap.org_index,
            org_marks: decide::peer_marks(snap.org_sorted, s.behaviour.top_leapfrog),
            org_theta: decide::theta_mark(snap.org_sorted, &state.policy),
            cap_tokens,
            bot: work::BotWeek::of(s, s.bots.bot_tokens.min(cap_tokens)),
            board_changed_week: state.board_changed_week,
            metric: snap.metric,
        };
        let n = state.agents();
        let streams = RunStreams::new(s.seed, self.replication);
        Dense::chunks(batch, n, last)
            .into_par_iter()
            .enumerate()
            .map(|(c, mut dense)| {
                let mut sparse = Sparse::default();
                let agents = c * CHUNK..((c + 1) * CHUNK).min(n);
                let ids = agents.start as u32..agents.end as u32;
                let rngs = streams.agent_streams(ids, week, Purpose::Decide);
                for ((k, i), mut rng) in agents.enumerate().zip(rngs) {
                    let view = snap.view(state, i, dense.last_padding(k));
                    let before = sparse.incident_costs.len();
                    let w = decide::decide(s, &ctx, view, &mut rng, &mut sparse.incident_costs);
                    sparse.incident_agents.extend(std::iter::repeat_n(
                        i as AgentId,
                        sparse.incident_costs.len() - before,
                    ));
                    sparse.push(i as AgentId, &w);
                    dense.set(k, &w);
                }
                sparse
            })
            .collect()
    }

    /// Each team's manager may nudge it: one draw per team, more likely under target pressure.
    /// Teams draw from their own streams in parallel; the nudges are kept in team order.
    fn nudges(&self, batch: &mut WeekBatch, snap: &Snapshot) {
        let mg = self.state.policy.managers;
        let (week, streams) = (
            batch.week,
            RunStreams::new(self.scenario.seed, self.replication),
        );
        let nudged = (0..self.state.teams()).into_par_iter().filter(|&team| {
            let pressured = snap.target_pressure && snap.teams[team as usize].in_target;
            let p = managers::nudge_probability(&mg, pressured);
            let mut rng = streams.stream(Entity::Team(team), week, Purpose::Nudge);
            rng.random::<f64>() < p
        });
        batch.nudges.par_extend(nudged);
    }

    /// Hire every employee: groups in contiguous blocks by share (teams are mostly homogeneous,
    /// as real teams are), teams of `team_size` consecutive agents, traits from the group.
    fn hire(&self, batch: &mut WeekBatch) {
        let s = self.scenario;
        let n = s.employees as usize;
        let groups = organisation::group_blocks(s);
        let (group, traits): (Vec<GroupId>, Vec<StoredTraits>) = (0..n)
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
                (g, t.stored())
            })
            .unzip();
        let h = &mut batch.hires;
        h.agent = AgentIds::Dense(n);
        h.team = Arc::new((0..n as u32).map(|i| organisation::team_of(s, i)).collect());
        // Moved into the shared columns, not copied: the state and the projections keep them.
        (h.group, h.traits) = (Arc::new(group), Arc::new(traits));
    }

    fn review(&self, batch: &mut WeekBatch, token_weight: f64, noise_sd: f64) {
        let s = self.scenario;
        let st = &self.state;
        let n = batch.work.agent.len();
        // Under an outcome metric, reviews rank the figure it counts (output times splits);
        // otherwise the week's output itself, not copied (a review week's peak memory).
        let counted: std::borrow::Cow<[f64]> = match st.policy.outcome_metrics {
            Some(m) => {
                let gain = gaming::gain(s, m);
                // Full length while a metric is in force (`State::split_of`): a zip with a
                // shorter column would drop agents silently.
                debug_assert_eq!(st.split.len(), n, "split column under a metric");
                (batch.work.output.iter().zip(&st.split))
                    .map(|(o, x)| gaming::counted(*o, gain, *x))
                    .collect()
            }
            None => std::borrow::Cow::Borrowed(&batch.work.output[..]),
        };
        let mut sorted_out = counted.to_vec();
        sort_floats(&mut sorted_out);
        let sorted_tok = st.sorted_last_totals();
        let normal = Normal::new(0.0, noise_sd).expect("validated noise");
        let (out_index, tok_index) = (RankIndex::new(&sorted_out), RankIndex::new(sorted_tok));
        let (week, output) = (batch.week, &counted);
        let streams = RunStreams::new(s.seed, self.replication);
        let r = &mut batch.reviews;
        r.agent = AgentIds::Dense(n);
        r.rating.resize(n, 0.0);
        r.belief_shock.resize(n, 0.0);
        (&mut r.rating[..], &mut r.belief_shock[..])
            .into_par_iter()
            .enumerate()
            .with_min_len(CHUNK)
            .for_each(|(i, (rating, shock))| {
                *rating = managers::rating(
                    token_weight,
                    out_index.cdf(&sorted_out, output[i]),
                    tok_index.cdf(sorted_tok, st.last_total(i)),
                ) as f32;
                let mut rng = streams.stream(Entity::Agent(i as u32), week, Purpose::Review);
                *shock = normal.sample(&mut rng) as f32;
            });
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
struct Snapshot<'a> {
    /// Last week's totals, sorted (empty unless a leaderboard has been seen).
    org_sorted: &'a [f64],
    org_index: RankIndex,
    /// Last week's totals sorted within each team's contiguous range.
    team_sorted: Vec<f64>,
    /// Each team's view of last week.
    teams: Vec<TeamView>,
    /// Share of all employees who used the tools for real work last week.
    org_adopt_share: f64,
    target_pressure: bool,
    /// The outcome metric in force as employees see it, from last week's counted figures.
    metric: Option<MetricView>,
}

/// What a team's members see of its last week.
struct TeamView {
    pad_share: f64,
    bot_share: f64,
    /// Share of the team that used the tools for real work last week.
    adopt_share: f64,
    /// Output units of attention each member loses to the team's bots this week.
    noise: f64,
    /// The target applies to at least one member.
    in_target: bool,
}

impl<'a> Snapshot<'a> {
    /// The snapshot of the week after `st`'s last, whose tokens and output `last` holds
    /// (lent by the state).
    fn take(s: &Scenario, st: &'a State, last: &LastWeek, week: u32) -> Snapshot<'a> {
        let n = st.agents();
        let policy = &st.policy;
        let org_sorted = match org_totals(st, week) {
            OrgTotals::None => &[],
            OrgTotals::Remembered => &st.remembered_totals[..],
            OrgTotals::Sorted => st.sorted_last_totals(),
        };
        let team_scope = policy
            .leaderboard
            .is_some_and(|l| l.scope == crate::policy::RankScope::Team);
        let mut team_sorted: Vec<f64> = Vec::new();
        if team_scope {
            team_sorted = (0..n).map(|i| last.total(i)).collect();
            for j in 0..st.teams() {
                team_sorted[st.team_range(j)].sort_unstable_by(f64::total_cmp);
            }
        }
        let users = last.genuine.par_iter().filter(|g| **g > 0.0).count();
        Snapshot {
            org_index: RankIndex::new(org_sorted),
            org_sorted,
            team_sorted,
            teams: (0..st.teams())
                .into_par_iter()
                .map(|j| TeamView::of(s, st, last, st.team_range(j)))
                .collect(),
            org_adopt_share: if n > 0 { users as f64 / n as f64 } else { 0.0 },
            target_pressure: week > 0 && target_missed(st, last),
            metric: metric_view(s, st, last),
        }
    }

    /// What agent `i` sees: its own state and its team's view of last week.
    fn view<'v>(&'v self, st: &'v State, i: usize, last_padding: f64) -> AgentView<'v> {
        let team = st.team[i];
        let j = team as usize;
        AgentView {
            traits: st.traits[i].traits(),
            group: st.group[i],
            proficiency: st.proficiency[i],
            optimism: st.optimism[i],
            monitoring: st.monitoring[i],
            has_bot: st.has_bot[i],
            last_padding,
            use_level: st.use_level[i],
            board_aware: st.board_aware[i],
            review_pressure: st.review_pressure[i],
            team_adopt_share: self.teams[j].adopt_share,
            team_noise: self.teams[j].noise,
            team_pad_share: self.teams[j].pad_share,
            team_bot_share: self.teams[j].bot_share,
            team_sorted_totals: if self.team_sorted.is_empty() {
                &[]
            } else {
                &self.team_sorted[st.team_range(team)]
            },
            split: st.split_of(i),
        }
    }
}

impl TeamView {
    /// The team of agents `r`: its shares of padders, bots and users last week, its bots'
    /// noise, and whether the target applies to any of its members.
    fn of(s: &Scenario, st: &State, last: &LastWeek, r: std::ops::Range<usize>) -> TeamView {
        let len = r.len() as f64;
        let share = |v: &[f64]| v.iter().filter(|x| **x > 0.0).count() as f64 / len;
        // A bot's actions last week: its useful tokens and the padding it ran.
        let actions: f64 = r
            .clone()
            .filter(|&i| last.bot[i] > 0.0)
            .map(|i| (last.bot[i] + last.padding[i]) / s.bots.tokens_per_action)
            .fold(0.0, |a, b| a + b); // from +0.0: an empty f64 sum is -0.0
        TeamView {
            pad_share: share(&last.padding[r.clone()]),
            bot_share: st.has_bot[r.clone()].iter().filter(|b| **b).count() as f64 / len,
            adopt_share: share(&last.genuine[r.clone()]),
            noise: work::noise_per_member(s, actions, r.len()),
            in_target: st
                .policy
                .target
                .is_some_and(|t| st.group[r].iter().any(|g| t.applies_to.contains(*g))),
        }
    }
}

/// Which org-wide totals a week's snapshot shows employees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OrgTotals {
    /// None: week 0, or no board seen yet.
    None,
    /// Under a board whose figures are hidden, what they last saw on a visible one.
    Remembered,
    /// Last week's, sorted (worked out before the state lends its columns).
    Sorted,
}

fn org_totals(st: &State, week: u32) -> OrgTotals {
    let policy = &st.policy;
    if week == 0 || !policy.leaderboard_seen {
        OrgTotals::None
    } else if (policy.leaderboard).is_some_and(|l| decide::hidden(l.visibility)) {
        OrgTotals::Remembered
    } else {
        OrgTotals::Sorted
    }
}

/// The outcome metric in force as employees see it: its gain from a split, and the log-mean and
/// log-spread of last week's counted figures (summed in agent order). `None` while tokens count.
fn metric_view(s: &Scenario, st: &State, last: &LastWeek) -> Option<MetricView> {
    let gain = gaming::gain(s, st.policy.outcome_metrics?);
    debug_assert_eq!(
        st.split.len(),
        last.output.len(),
        "split column under a metric"
    );
    let figures = (last.output.iter().zip(&st.split)).map(|(o, x)| gaming::counted(*o, gain, *x));
    let (mu, sigma) = gaming::log_stats(figures);
    Some(MetricView { gain, mu, sigma })
}

/// Whether last week's dashboard missed the target: fewer of its members at or above theta than
/// the target share (target pressure).
fn target_missed(st: &State, last: &LastWeek) -> bool {
    let Some(t) = st.policy.target else {
        return false;
    };
    let (members, active) = (0..st.agents())
        .into_par_iter()
        .filter(|&i| t.applies_to.contains(st.group[i]))
        .map(|i| (1usize, usize::from(last.total(i) >= t.theta_tokens)))
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    members > 0 && (active as f64) < t.share * members as f64
}

/// Append the chunks' sparse events (bots, habit changes, notices, incidents) to the week's
/// columns, in agent order.
fn merge_sparse(
    batch: &mut WeekBatch,
    chunks: Vec<Sparse>,
    platform: Option<crate::policy::PermissionScope>,
) {
    // Exact sizes: growing by doubling could leave a column of a million habit changes (a
    // rollout week) with twice the memory it needs.
    let count = |f: fn(&Sparse) -> usize| chunks.iter().map(f).sum::<usize>();
    let (uses, incidents) = (
        count(|c| c.uses.agent.len()),
        count(|c| c.incident_costs.len()),
    );
    batch.bots.reserve_exact(count(|c| c.bots.len()));
    batch.uses.agent.reserve_exact(uses);
    batch.uses.level.reserve_exact(uses);
    batch.uses.cause.reserve_exact(uses);
    batch.notices.reserve_exact(count(|c| c.notices.len()));
    let splits = count(|c| c.splits.agent.len());
    batch.splits.agent.reserve_exact(splits);
    batch.splits.value.reserve_exact(splits);
    batch.incidents.agent.reserve_exact(incidents);
    batch.incidents.value.reserve_exact(incidents);
    for out in chunks {
        if let Some(scope) = platform {
            batch.bots.extend(out.bots.iter().map(|&a| (a, scope)));
        }
        batch.uses.agent.extend(out.uses.agent);
        batch.uses.level.extend(out.uses.level);
        batch.uses.cause.extend(out.uses.cause);
        batch.notices.extend(out.notices);
        batch.splits.agent.extend(out.splits.agent);
        batch.splits.value.extend(out.splits.value);
        batch.incidents.agent.extend(out.incident_agents);
        batch.incidents.value.extend(out.incident_costs);
    }
}

/// One chunk's share of the week's dense columns (one value per agent), written in place: the
/// columns of [`WeekBatch::dense_values`], in its order.
struct Dense<'a>([&'a mut [f64]; 8]);

impl<'a> Dense<'a> {
    /// Size the batch's token and work columns for `n` agents (agent ids `0..n`) and split them
    /// into [`CHUNK`]-sized pieces. Its tokens and output are written into the memory of last
    /// week's, lent by the state (`last`); the other columns are the batch's own, reused. After
    /// the first week they already have that size: last week's values stay until every one is
    /// overwritten ([`Dense::set`] for each agent, after [`Dense::last_padding`] read its own).
    fn chunks(batch: &'a mut WeekBatch, n: usize, last: LastWeek) -> Vec<Dense<'a>> {
        (batch.tokens.agent, batch.work.agent) = (AgentIds::Dense(n), AgentIds::Dense(n));
        // Empty before the first week is folded; after, one value an agent (a shorter column
        // would read as zeros below where indexing the state's used to fail).
        debug_assert!(
            [&last.genuine, &last.padding, &last.bot, &last.output]
                .iter()
                .all(|c| c.is_empty() || c.len() == n),
            "last week's columns lent for {n} agents"
        );
        let (t, w) = (&mut batch.tokens, &mut batch.work);
        (t.genuine, t.padding, t.bot, w.output) = (
            last.genuine.into(),
            last.padding.into(),
            last.bot.into(),
            last.output.into(),
        );
        let mut cols = batch.dense_values().map(|c| {
            c.resize(n, 0.0);
            c.chunks_mut(CHUNK)
        });
        (0..n.div_ceil(CHUNK))
            .map(|_| {
                Dense(
                    cols.each_mut()
                        .map(|c| c.next().expect("one piece per chunk")),
                )
            })
            .collect()
    }

    /// The `k`-th agent's padding last week, until [`Dense::set`] writes this week's.
    fn last_padding(&self, k: usize) -> f64 {
        self.0[WeekBatch::PADDING][k]
    }

    /// Write the `k`-th agent of the chunk, its values in [`WeekBatch::dense_values`]'s order.
    fn set(&mut self, k: usize, w: &decide::AgentWeek) {
        let o = &w.work;
        let values = [
            w.genuine,
            w.padding,
            w.bot,
            o.output,
            o.rework,
            o.noise,
            o.pad_time,
            o.perceived,
        ];
        for (col, v) in self.0.iter_mut().zip(values) {
            col[k] = v;
        }
    }
}

/// One chunk's sparse events.
#[derive(Default)]
struct Sparse {
    bots: Vec<AgentId>,
    uses: UseCols,
    notices: Vec<AgentId>,
    splits: AgentValueCols,
    incident_agents: Vec<AgentId>,
    incident_costs: Vec<f64>,
}

impl Sparse {
    /// Record agent `i`'s sparse events (its incidents are already pushed).
    fn push(&mut self, i: AgentId, w: &decide::AgentWeek) {
        if w.built_bot {
            self.bots.push(i);
        }
        if w.noticed_board {
            self.notices.push(i);
        }
        if w.split_changed {
            self.splits.agent.push(i);
            self.splits.value.push(w.split);
        }
        if let Some((level, cause)) = w.use_change {
            self.uses.agent.push(i);
            self.uses.level.push(level);
            self.uses.cause.push(cause);
        }
    }
}
