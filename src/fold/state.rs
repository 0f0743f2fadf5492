//! The state of a run: a fold of its events. [`State::apply`] is the only function that changes it,
//! used by the live engine and by replay alike, so replaying a log rebuilds the same state bit
//! for bit (the engine's loan of last week's columns, [`State::take_last_week`], lasts until the
//! week's events are folded, and changes no value). State is struct-of-arrays, indexed by agent.

use std::sync::Arc;

use crate::events::{Event, Hires, ReviewCols, Shared, SharedCol, WeekBatch, is_dense};
use crate::model::adoption::{after_forced_trial, learn, learn_perception};
use crate::model::managers;
use crate::model::traits::{StoredTraits, Traits};
use crate::policy::{GroupId, PolicyChange, PolicyState};
use crate::scenario::Scenario;

/// Agent state after the last applied week (docs/model.md).
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// The policies in force.
    pub policy: PolicyState,
    /// Team, group and traits of each agent: fixed at hiring, shared with the hires that brought
    /// them (and the projections) rather than copied ([`Shared`]).
    pub team: Shared<u32>,
    pub group: Shared<GroupId>,
    pub traits: Shared<StoredTraits>,
    /// `q`: proficiency with AI tools.
    pub proficiency: Vec<f64>,
    /// `o`: optimism, the bias of the gain an employee believes in; starts at the trait and
    /// learns from their own output (`adoption::learn_perception`).
    pub optimism: Vec<f64>,
    /// `m`: perceived monitoring, the belief that token statistics count.
    pub monitoring: Vec<f64>,
    pub has_bot: Vec<bool>,
    /// Planned genuine tokens a week, the habit (0: not a user of the tools).
    pub use_level: Vec<f64>,
    /// Has noticed the leaderboard in force.
    pub board_aware: Vec<bool>,
    /// What the last review's rating put at stake: `review_stakes * (1 - rating)`.
    pub review_pressure: Vec<f64>,
    /// Last week's tokens: the week's `TokensUsed` columns themselves, shared with its batch
    /// ([`SharedCol`]); lent to the next week's batch by [`State::take_last_week`].
    pub last_genuine: SharedCol,
    pub last_padding: SharedCol,
    pub last_bot: SharedCol,
    /// Last week's output (output units), what an outcome metric counts (shared likewise).
    pub last_output: SharedCol,
    /// The split level each agent works at under an outcome metric. Empty while none is in force
    /// (everyone's level is then 0, and a million agents' zeros are 8 MB of a week's peak): read
    /// it with [`State::split_of`].
    pub split: Vec<f64>,
    /// First agent of each team, plus one past the last agent at the end.
    pub team_start: Vec<u32>,
    /// Each team's belief in the standing statement that tokens will not count (0: none); each
    /// nudge erodes it (`managers::eroded`).
    pub statement_standing: Vec<f64>,
    /// Under `manager_only` or `private` visibility, the org-wide totals employees last saw on a
    /// visible board, sorted (empty if they never saw one): what they judge their rank by.
    pub remembered_totals: Vec<f64>,
    /// The week of the last leaderboard change (on, off, scope or visibility), if any.
    pub board_changed_week: Option<u32>,
    /// Number of weeks fully applied.
    pub weeks_applied: u32,
    /// Derived: last week's totals sorted, computed on first use ([`State::sorted_last_totals`]).
    sorted_totals: SortedTotals,
}

/// Last week's tokens and output of every agent, lent by [`State::take_last_week`].
#[derive(Debug, Default)]
pub(crate) struct LastWeek {
    pub genuine: Vec<f64>,
    pub padding: Vec<f64>,
    pub bot: Vec<f64>,
    pub output: Vec<f64>,
}

/// Agent `i`'s total tokens from the genuine, padding and bot columns, added in that order
/// (the order fixes the last bits, which the week's sort and ranks read).
fn total_of([genuine, padding, bot]: [&[f64]; 3], i: usize) -> f64 {
    genuine[i] + padding[i] + bot[i]
}

impl LastWeek {
    /// Agent `i`'s total tokens, as [`State::last_total`].
    pub fn total(&self, i: usize) -> f64 {
        total_of([&self.genuine, &self.padding, &self.bot], i)
    }
}

/// Last week's totals sorted ascending, computed once when first asked for after a week is
/// applied, and shared by everyone who needs ranks of that week (the next snapshot's
/// leaderboard, the reviews, the projections' quantiles and Gini). Derived data: it takes no
/// part in comparing states.
#[derive(Debug, Clone, Default)]
struct SortedTotals(std::sync::OnceLock<Vec<f64>>);

impl PartialEq for SortedTotals {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl State {
    /// An empty state for a scenario (no agents hired yet).
    pub fn new(s: &Scenario) -> State {
        let n = s.employees as usize;
        State {
            policy: PolicyState::default(),
            team: Arc::new(Vec::with_capacity(n)),
            group: Arc::new(Vec::with_capacity(n)),
            traits: Arc::new(Vec::with_capacity(n)),
            proficiency: Vec::with_capacity(n),
            optimism: Vec::with_capacity(n),
            monitoring: Vec::with_capacity(n),
            has_bot: Vec::with_capacity(n),
            use_level: Vec::with_capacity(n),
            board_aware: Vec::with_capacity(n),
            review_pressure: Vec::with_capacity(n),
            last_genuine: Vec::with_capacity(n).into(),
            last_padding: Vec::with_capacity(n).into(),
            last_bot: Vec::with_capacity(n).into(),
            last_output: Vec::with_capacity(n).into(),
            split: Vec::new(),
            team_start: vec![0],
            statement_standing: Vec::new(),
            remembered_totals: Vec::new(),
            board_changed_week: None,
            weeks_applied: 0,
            sorted_totals: SortedTotals::default(),
        }
    }

    pub fn agents(&self) -> usize {
        self.traits.len()
    }

    /// Last week's total tokens of agent `i`.
    pub fn last_total(&self, i: usize) -> f64 {
        total_of([&self.last_genuine, &self.last_padding, &self.last_bot], i)
    }

    /// Last week's total tokens of every agent, sorted ascending by `f64::total_cmp` (sorted
    /// once a week, on first use).
    pub fn sorted_last_totals(&self) -> &[f64] {
        self.sorted_totals.0.get_or_init(|| {
            debug_assert_eq!(
                self.last_genuine.len(),
                self.agents(),
                "last week's columns are lent (State::take_last_week)"
            );
            let mut v: Vec<f64> = (0..self.agents()).map(|i| self.last_total(i)).collect();
            crate::model::rank::sort_floats(&mut v);
            v
        })
    }

    /// Lend last week's tokens and output to the week about to be decided, whose `TokensUsed`
    /// and `WorkDelivered` columns are then written into the same memory (agent by agent, each
    /// read before it is overwritten). Until the week's events are folded
    /// ([`State::apply_decisions`] shares the new columns back), the state has no last-week
    /// columns: last week's sorted totals are not worked out here, so a caller that needs them
    /// during the loan asks for them first ([`State::sorted_last_totals`] cannot sort lent
    /// columns). No copy is made when the state is their only holder, as it is once the engine's
    /// last batch has let go of them (`WeekBatch::reset`); otherwise they are copied.
    pub(crate) fn take_last_week(&mut self) -> LastWeek {
        let take = |c: &mut SharedCol| std::mem::take(c).into_vec();
        LastWeek {
            genuine: take(&mut self.last_genuine),
            padding: take(&mut self.last_padding),
            bot: take(&mut self.last_bot),
            output: take(&mut self.last_output),
        }
    }

    /// The split level agent `i` works at (0 while no outcome metric is in force).
    pub fn split_of(&self, i: usize) -> f64 {
        self.split.get(i).copied().unwrap_or(0.0)
    }

    /// Set agent `i`'s split level (a log may change a level while no metric is in force: the
    /// column is then made, or grown to agents hired since).
    fn set_split(&mut self, i: usize, level: f64) {
        if self.split.len() < self.agents() {
            self.split.resize(self.agents(), 0.0);
        }
        self.split[i] = level;
    }

    /// Agents of team `j`.
    pub fn team_range(&self, j: u32) -> std::ops::Range<usize> {
        self.team_start[j as usize] as usize..self.team_start[j as usize + 1] as usize
    }

    pub fn teams(&self) -> u32 {
        (self.team_start.len() - 1) as u32
    }

    /// Fold one event into the state. Rules here are only the state transitions of docs/model.md:
    /// learning, belief updates and policy; every random draw is already in the event.
    pub fn apply(&mut self, s: &Scenario, e: &Event) {
        match *e {
            Event::RunStarted { .. } | Event::RunFinished { .. } => {}
            Event::AgentHired {
                agent,
                team,
                group,
                traits,
            } => self.hire(s, agent, team, group, traits),
            Event::PolicyChanged { change, .. } => self.change_policy(&change),
            Event::BotDeployed { agent, .. } => self.has_bot[agent as usize] = true,
            Event::UseChanged { agent, level, .. } => self.use_level[agent as usize] = level,
            Event::BoardNoticed { agent, .. } => self.board_aware[agent as usize] = true,
            Event::SplitChanged { agent, level, .. } => self.set_split(agent as usize, level),
            Event::TokensUsed {
                week,
                agent,
                genuine,
                padding,
                bot,
            } => self.use_tokens(s, week, agent as usize, [genuine, padding, bot]),
            // No later decision reads a week's incidents: they feed the projections.
            Event::IncidentOccurred { .. } => {}
            Event::WorkDelivered {
                agent,
                output,
                perceived,
                ..
            } => self.perceive(s, agent as usize, output, perceived),
            Event::ManagerNudged { team, .. } => self.nudge(s, team),
            Event::ReviewHeld {
                agent,
                rating,
                belief_shock,
                ..
            } => self.review(agent as usize, rating, belief_shock),
        }
    }

    /// `AgentHired`: a new agent at the end of its team (agents are hired in order), with its
    /// traits, starting proficiency and the scenario's starting perceived monitoring.
    fn hire(&mut self, s: &Scenario, agent: u32, team: u32, group: GroupId, traits: Traits) {
        debug_assert_eq!(
            agent as usize,
            self.traits.len(),
            "agents are hired in order"
        );
        self.team_ends_after(agent, team);
        self.sorted_totals.0.take();
        Arc::make_mut(&mut self.team).push(team);
        Arc::make_mut(&mut self.group).push(group);
        let traits = traits.stored();
        Arc::make_mut(&mut self.traits).push(traits);
        self.start_agents(s, &[traits]);
    }

    /// `team_start` after hiring `agent` into `team` (agents come in order, teams contiguous):
    /// a new team starts, or the last one now ends after `agent`.
    fn team_ends_after(&mut self, agent: u32, team: u32) {
        if team as usize + 1 >= self.team_start.len() {
            self.team_start.push(agent + 1);
            self.statement_standing.push(0.0);
        } else {
            *self.team_start.last_mut().expect("non-empty") = agent + 1;
        }
    }

    /// The state columns of newly hired agents (appended in order), past their fixed team, group
    /// and traits.
    fn start_agents(&mut self, s: &Scenario, traits: &[StoredTraits]) {
        let n = self.proficiency.len() + traits.len();
        self.proficiency
            .extend(traits.iter().map(|t| t.traits().proficiency0));
        self.optimism
            .extend(traits.iter().map(|t| t.traits().optimism));
        self.monitoring.resize(n, s.behaviour.monitoring0);
        self.has_bot.resize(n, false);
        self.use_level.resize(n, 0.0);
        self.board_aware.resize(n, false);
        self.review_pressure.resize(n, 0.0);
        self.last_genuine.resize(n, 0.0);
        self.last_padding.resize(n, 0.0);
        self.last_bot.resize(n, 0.0);
        self.last_output
            .extend(traits.iter().map(|t| t.traits().skill));
        if self.policy.outcome_metrics.is_some() {
            self.split.resize(n, 0.0);
        }
    }

    /// `PolicyChanged`: the policy changes; a leaderboard shutdown makes everyone forget it, an
    /// official statement lowers everyone's perceived monitoring by their trust.
    fn change_policy(&mut self, change: &PolicyChange) {
        if let PolicyChange::Leaderboard(board) = change {
            self.board_changed_week = Some(self.weeks_applied);
            self.remember_board(board.as_ref());
        }
        let had_target = self.policy.target.is_some();
        self.policy.apply(change);
        if had_target && matches!(change, PolicyChange::Target(None)) {
            self.policy.lifted_week = self.weeks_applied;
        }
        if let PolicyChange::Leaderboard(None) = change {
            self.board_aware.fill(false);
        }
        match change {
            // Back to tokens: no one splits work for a metric that no longer counts.
            PolicyChange::OutcomeMetrics(None) => self.split = Vec::new(),
            PolicyChange::OutcomeMetrics(Some(_)) => self.split.resize(self.agents(), 0.0),
            _ => {}
        }
        if let PolicyChange::Statement(crate::policy::Statement { credibility }) = *change {
            for (m, t) in self.monitoring.iter_mut().zip(self.traits.iter()) {
                *m = managers::after_statement(*m, t.traits().trust, credibility);
            }
            self.statement_standing.fill(credibility);
        }
    }

    /// What employees remember of the org-wide distribution when a board's figures are hidden
    /// from them: last week's totals if the board they saw until now was visible, what they
    /// remembered before if it was hidden already, nothing once the board is off.
    fn remember_board(&mut self, board: Option<&crate::policy::Leaderboard>) {
        let hidden = |b: &crate::policy::Leaderboard| crate::model::decide::hidden(b.visibility);
        match (self.policy.leaderboard, board) {
            (_, None) => self.remembered_totals = Vec::new(),
            (Some(before), Some(after)) if !hidden(&before) && hidden(after) => {
                self.remembered_totals = self.sorted_last_totals().to_vec();
            }
            (_, Some(after)) if !hidden(after) => self.remembered_totals = Vec::new(),
            _ => {}
        }
    }

    /// `TokensUsed`: last week's genuine, padding and bot tokens of agent `i`; genuine use
    /// teaches once the tools are available.
    fn use_tokens(&mut self, s: &Scenario, week: u32, i: usize, [genuine, padding, bot]: [f64; 3]) {
        self.sorted_totals.0.take();
        self.last_genuine[i] = genuine;
        self.last_padding[i] = padding;
        self.last_bot[i] = bot;
        let forced = self.forced_trial(i, genuine, padding);
        self.optimism[i] = after_forced_trial(s, self.optimism[i], forced);
        if tools_available(s, week) {
            self.proficiency[i] = learn(
                s,
                self.proficiency[i],
                genuine,
                self.traits[i].token_intensity(),
            );
        }
    }

    /// `WorkDelivered`: the output is kept (what an outcome metric counts), and a user (genuine
    /// tokens this week) compares what it showed with the speed-up they perceived, and their
    /// optimism learns from the gap.
    fn perceive(&mut self, s: &Scenario, i: usize, output: f64, perceived: f64) {
        self.last_output[i] = output;
        let skill = self.traits[i].skill();
        if self.last_genuine[i] > 0.0 && skill > 0.0 {
            let o = &mut self.optimism[i];
            *o = learn_perception(s, *o, perceived, output / skill - 1.0);
        }
    }

    /// Whether agent `i` padded this week with no genuine use while a target covers their group:
    /// a forced, empty trial (reactance).
    fn forced_trial(&self, i: usize, genuine: f64, padding: f64) -> bool {
        self.policy
            .target
            .is_some_and(|t| forced(&t, self.group[i], genuine, padding))
    }

    /// `ManagerNudged`: the team's perceived monitoring rises by the nudge.
    fn nudge(&mut self, s: &Scenario, team: u32) {
        let nudge = self.policy.managers.nudge;
        let standing = self.statement_standing[team as usize];
        let r = self.team_range(team);
        for (m, t) in self.monitoring[r.clone()].iter_mut().zip(&self.traits[r]) {
            *m = managers::after_nudge(*m, nudge, t.traits().trust * standing);
        }
        self.statement_standing[team as usize] =
            managers::eroded(standing, s.behaviour.statement_erosion);
    }

    /// `ReviewHeld`: the rating sets the agent's review pressure, and the review pulls its
    /// perceived monitoring toward the real weight of tokens (plus the lesson's noise).
    fn review(&mut self, i: usize, rating: f64, belief_shock: f64) {
        let mg = self.policy.managers;
        let real = managers::real_token_weight(&self.policy);
        self.review_pressure[i] = managers::review_pressure(&mg, rating);
        let m = &mut self.monitoring[i];
        *m = managers::after_review(*m, &mg, real, belief_shock);
    }

    /// Fold a whole week in canonical order: [`State::apply_opening`], then [`State::apply_rest`].
    /// Equal to applying `batch.events()` one by one with [`State::apply`] (tested).
    pub fn apply_week(&mut self, s: &Scenario, batch: &WeekBatch) {
        self.apply_opening(s, batch);
        self.apply_rest(s, batch);
    }

    /// The week's opening events: hires and policy changes (before anyone decides). The first
    /// hires of a run (agents `0..n`, as the engine and every log have them) are taken in at once
    /// with [`State::hire_all`]; any other hires one event at a time.
    pub fn apply_opening(&mut self, s: &Scenario, batch: &WeekBatch) {
        let h = &batch.hires;
        let hired = h.agent.len();
        let whole = [h.team.len(), h.group.len(), h.traits.len()] == [hired; 3];
        let skip = if self.agents() == 0 && hired > 0 && whole && is_dense(&h.agent, hired) {
            self.hire_all(s, h);
            hired
        } else {
            0
        };
        for e in batch.events().take(hired + batch.policy.len()).skip(skip) {
            self.apply(s, &e);
        }
    }

    /// Hire agents `0..n` into an empty state: the same state as their `AgentHired` events
    /// applied one by one, but the team, group and traits columns are the hires' own, shared
    /// (week 0 at a million employees would otherwise hold a second copy of them).
    fn hire_all(&mut self, s: &Scenario, h: &Hires) {
        debug_assert_eq!(self.agents(), 0, "hire_all starts a state");
        self.sorted_totals.0.take();
        for (agent, &team) in (0..).zip(h.team.iter()) {
            self.team_ends_after(agent, team);
        }
        (self.team, self.group, self.traits) = (h.team.clone(), h.group.clone(), h.traits.clone());
        let traits = Arc::clone(&self.traits);
        self.start_agents(s, &traits);
    }

    /// The rest of the week, in canonical order: [`State::apply_decisions`], then
    /// [`State::apply_managers`].
    pub fn apply_rest(&mut self, s: &Scenario, b: &WeekBatch) {
        self.apply_decisions(s, b);
        self.apply_managers(s, b);
    }

    /// The employees' events of the week that change the state: bots, habits, notices and tokens
    /// (its work and incidents only feed the projections). `TokensUsed` touches only its own
    /// agent, so that dense column is folded in parallel (same arithmetic as [`State::apply`]);
    /// the rest one event at a time.
    pub fn apply_decisions(&mut self, s: &Scenario, b: &WeekBatch) {
        let week = b.week;
        for &(agent, scope) in &b.bots {
            self.apply(s, &Event::BotDeployed { week, agent, scope });
        }
        for (k, &agent) in b.uses.agent.iter().enumerate() {
            self.use_level[agent as usize] = b.uses.level[k];
        }
        for &agent in &b.notices {
            self.board_aware[agent as usize] = true;
        }
        for (&agent, &level) in b.splits.agent.iter().zip(&b.splits.value) {
            self.set_split(agent as usize, level);
        }
        self.apply_tokens(s, b);
        self.apply_work(s, b);
    }

    /// The week's `WorkDelivered` events (after its tokens, as in canonical order): the output is
    /// kept, and each user's optimism learns from it. Touches only its own agent, so a dense
    /// column is folded in parallel with the arithmetic of [`State::apply`].
    fn apply_work(&mut self, s: &Scenario, b: &WeekBatch) {
        use rayon::prelude::*;
        let w = &b.work;
        if !is_dense(&w.agent, self.agents()) {
            for (k, agent) in w.agent.iter().enumerate() {
                self.perceive(s, agent as usize, w.output[k], w.perceived[k]);
            }
            return;
        }
        // The week's output column becomes last week's, shared rather than copied.
        self.last_output = w.output.clone();
        let (traits, genuine) = (&self.traits, &self.last_genuine);
        self.optimism[..]
            .par_iter_mut()
            .enumerate()
            .with_min_len(4096)
            .for_each(|(i, o)| {
                let skill = traits[i].skill();
                if genuine[i] > 0.0 && skill > 0.0 {
                    *o = learn_perception(s, *o, w.perceived[i], w.output[i] / skill - 1.0);
                }
            });
    }

    /// The week's `TokensUsed` events.
    fn apply_tokens(&mut self, s: &Scenario, b: &WeekBatch) {
        use rayon::prelude::*;
        let (week, t) = (b.week, &b.tokens);
        if !is_dense(&t.agent, self.agents()) {
            for k in 0..t.agent.len() {
                let e = Event::TokensUsed {
                    week,
                    agent: t.agent.get(k),
                    genuine: t.genuine[k],
                    padding: t.padding[k],
                    bot: t.bot[k],
                };
                self.apply(s, &e);
            }
            return;
        }
        self.sorted_totals.0.take();
        // The week's token columns become last week's, shared rather than copied.
        self.last_genuine = t.genuine.clone();
        self.last_padding = t.padding.clone();
        self.last_bot = t.bot.clone();
        let (traits, group) = (&self.traits, &self.group);
        let learning = tools_available(s, week);
        // Reactance: a member of the target's groups who padded with no genuine use (a forced,
        // empty trial) resents it; folded in the same pass, each agent's own.
        let target = self.policy.target.filter(|_| s.adoption.reactance > 0.0);
        (&mut self.proficiency[..], &mut self.optimism[..])
            .into_par_iter()
            .enumerate()
            .with_min_len(4096)
            .for_each(|(i, (q, o))| {
                if learning {
                    *q = learn(s, *q, t.genuine[i], traits[i].token_intensity());
                }
                if let Some(target) = target {
                    let forced = forced(&target, group[i], t.genuine[i], t.padding[i]);
                    *o = after_forced_trial(s, *o, forced);
                }
            });
    }

    /// The managers' events of the week: nudges, then reviews; and the week is done.
    pub fn apply_managers(&mut self, s: &Scenario, b: &WeekBatch) {
        let week = b.week;
        for &team in &b.nudges {
            self.apply(s, &Event::ManagerNudged { week, team });
        }
        let r = &b.reviews;
        if is_dense(&r.agent, self.agents()) {
            self.apply_reviews(r);
        } else {
            for k in 0..r.agent.len() {
                self.apply(
                    s,
                    &Event::ReviewHeld {
                        week,
                        agent: r.agent.get(k),
                        rating: f64::from(r.rating[k]),
                        belief_shock: f64::from(r.belief_shock[k]),
                    },
                );
            }
        }
        self.weeks_applied = week + 1;
    }

    /// A review of every agent (`ReviewHeld` for agents `0..n` in order), in parallel: each event
    /// touches only its own agent (same arithmetic as [`State::apply`]).
    fn apply_reviews(&mut self, r: &ReviewCols) {
        use rayon::prelude::*;
        let mg = self.policy.managers;
        let real = managers::real_token_weight(&self.policy);
        (&mut self.review_pressure[..], &mut self.monitoring[..])
            .into_par_iter()
            .enumerate()
            .with_min_len(4096)
            .for_each(|(i, (pressure, m))| {
                *pressure = managers::review_pressure(&mg, f64::from(r.rating[i]));
                *m = managers::after_review(*m, &mg, real, f64::from(r.belief_shock[i]));
            });
    }
}

/// A week of padding with no genuine use by a member of `target`'s groups: a forced, empty trial.
fn forced(target: &crate::policy::Target, group: GroupId, genuine: f64, padding: f64) -> bool {
    padding > 0.0 && genuine == 0.0 && target.applies_to.contains(group)
}

/// Whether the tools have arrived by `week` (learning and forgetting start then).
fn tools_available(s: &Scenario, week: u32) -> bool {
    i64::from(week) >= s.adoption.rollout_week
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testkit::sized;

    #[test]
    fn the_week_fold_equals_applying_every_event_in_order() {
        // with reactance on, so the dense path's forced-trial pass is checked too
        let mut s = sized("amazon-2026", 500, 30);
        s.adoption.reactance = 0.1;
        let (_, log) = crate::simulate_with_log(&s, 0);
        let mut by_week = State::new(&s);
        let mut by_event = State::new(&s);
        for b in &log.weeks {
            by_week.apply_week(&s, b);
            for e in b.events() {
                by_event.apply(&s, &e);
            }
            by_event.weeks_applied = b.week + 1;
            assert!(by_week == by_event, "week {}", b.week);
        }
        assert!(by_week.has_bot.iter().any(|b| *b), "the run had bots");
        // and optimism moved (learning and reactance both ran)
        let moved = (0..by_week.agents())
            .filter(|&i| by_week.optimism[i] != by_week.traits[i].traits().optimism)
            .count();
        assert!(moved > 100, "optimism moved for {moved} agents");
    }

    #[test]
    fn last_week_s_tokens_and_output_are_the_week_s_columns_lent_to_the_next_week() {
        let s = sized("amazon-2026", 300, 6);
        let mut sim = crate::engine::Simulation::new(&s, 0);
        // Week 0, kept here as a sink that keeps weeks (the in-memory log) would keep it.
        let kept = sim.step();
        let (st, seen) = (sim.state(), kept.work.output.to_vec());
        // Folding a week shares its columns: one copy.
        for (a, b) in [
            (&st.last_genuine, &kept.tokens.genuine),
            (&st.last_padding, &kept.tokens.padding),
            (&st.last_bot, &kept.tokens.bot),
            (&st.last_output, &kept.work.output),
        ] {
            assert_eq!(a.as_ptr(), b.as_ptr());
        }
        // A week someone still holds is copied for the next, not overwritten.
        let next = sim.step();
        assert_ne!(next.work.output.as_ptr(), kept.work.output.as_ptr());
        assert_eq!(kept.work.output[..], seen[..]);
        // Once nobody else holds it, the next week is written into its memory.
        let (tokens, output) = (next.tokens.genuine.as_ptr(), next.work.output.as_ptr());
        drop(next);
        let third = sim.step();
        assert_eq!(third.tokens.genuine.as_ptr(), tokens);
        assert_eq!(third.work.output.as_ptr(), output);
        assert_eq!(sim.state().last_output.as_ptr(), output);
    }

    #[test]
    fn a_hidden_board_shows_what_was_last_seen_and_a_statement_stands_until_nudges_erode_it() {
        // given amazon-2026: a public board from week 4, hidden (manager only) from week 24, a
        // statement at week 30, the board off at week 40
        let s = sized("amazon-2026", 400, 42);
        let (_, log) = crate::simulate_with_log(&s, 0);
        let mut st = State::new(&s);
        for b in &log.weeks {
            let seen = st.sorted_last_totals().to_vec();
            st.apply_week(&s, b);
            match b.week {
                // when the board is hidden, then employees keep the totals they last saw
                24 => {
                    assert_eq!(st.remembered_totals, seen);
                    assert_eq!(st.board_changed_week, Some(24));
                }
                25..=39 => assert_eq!(st.remembered_totals.len(), 400),
                // and when it is switched off they forget them
                40 => {
                    assert!(st.remembered_totals.is_empty());
                    assert_eq!(st.board_changed_week, Some(40));
                }
                _ => {}
            }
            if b.week == 30 {
                // when the statement is made, then it stands at its credibility in every team
                // its managers did not nudge that same week
                for (j, c) in st.statement_standing.iter().enumerate() {
                    assert_eq!(*c == 0.5, !b.nudges.contains(&(j as u32)), "team {j}");
                }
            }
        }
        // and every team a manager nudged after it believes it less
        let nudged: std::collections::BTreeSet<u32> = log.weeks[30..]
            .iter()
            .flat_map(|b| b.nudges.iter().copied())
            .collect();
        assert!(!nudged.is_empty(), "managers nudged someone");
        for (j, c) in st.statement_standing.iter().enumerate() {
            assert_eq!(*c < 0.5, nudged.contains(&(j as u32)), "team {j}: {c}");
        }
    }

    #[test]
    fn the_split_column_exists_only_while_an_outcome_metric_is_in_force() {
        // given rollout-mandate-then-outcomes: a mandate, then (from week 26 of 40 here) outcome
        // metrics; the fold of every week by events and by whole weeks
        let s = sized("rollout-mandate-then-outcomes", 400, 40);
        let from = s.timeline.iter().find_map(|c| match c.change {
            PolicyChange::OutcomeMetrics(Some(_)) => Some(c.week),
            _ => None,
        });
        let from = from.expect("the scenario brings outcome metrics in");
        let (_, log) = crate::simulate_with_log(&s, 0);
        let mut st = State::new(&s);
        let mut by_event = State::new(&s);
        let mut splitting = 0;
        for b in &log.weeks {
            st.apply_week(&s, b);
            for e in b.events() {
                by_event.apply(&s, &e);
            }
            if b.week < from {
                // then no memory is held for levels that are all 0
                assert!(
                    st.split.is_empty() && st.split.capacity() == 0,
                    "week {}",
                    b.week
                );
                assert_eq!(st.split_of(7), 0.0);
            } else {
                // and from the metric on every agent has a level, as the events set them
                assert_eq!(st.split.len(), st.agents(), "week {}", b.week);
                assert_eq!(st.split, by_event.split, "week {}", b.week);
                splitting = st.split.iter().filter(|x| **x > 0.0).count();
            }
        }
        assert!(splitting > 0, "someone splits under the metric");
        // and when the metric is lifted the column goes
        st.apply(
            &s,
            &Event::PolicyChanged {
                week: s.weeks,
                change: PolicyChange::OutcomeMetrics(None),
            },
        );
        assert!(st.split.is_empty());
        // and a log that changes a level without a metric (written by hand) still folds
        let e = Event::SplitChanged {
            week: s.weeks,
            agent: 399,
            level: 2.0,
        };
        st.apply(&s, &e);
        assert_eq!(
            (st.split.len(), st.split_of(399), st.split_of(0)),
            (400, 2.0, 0.0)
        );
    }

    #[test]
    fn the_sorted_totals_follow_every_week_folded() {
        // given a state asked for its sorted totals after each week, then each answer is that
        // week's totals sorted, never an earlier week's kept too long
        let s = sized("amazon-2026", 300, 8);
        let (_, log) = crate::simulate_with_log(&s, 0);
        let mut st = State::new(&s);
        let mut changed = 0;
        let mut previous: Vec<f64> = Vec::new();
        for b in &log.weeks {
            st.apply_week(&s, b);
            let mut expected: Vec<f64> = (0..st.agents()).map(|i| st.last_total(i)).collect();
            expected.sort_by(f64::total_cmp);
            assert_eq!(st.sorted_last_totals(), &expected[..], "week {}", b.week);
            changed += usize::from(expected != previous);
            previous = expected;
        }
        assert!(
            changed >= 6,
            "the totals moved from week to week ({changed})"
        );
    }
}
