//! Events: the source of truth of a run (docs/model.md).
//!
//! An [`Event`] is a fact in the past tense. A week's events are stored column-wise in a
//! [`WeekBatch`] (struct of arrays, no boxing), and [`WeekBatch::events`] yields them in the
//! canonical order that `fold::State::apply` folds them in, live and in replay alike:
//!
//! 1. `AgentHired` (week 0 only), 2. `PolicyChanged`, 3. `BotDeployed`, 4. `UseChanged`,
//! 5. `BoardNoticed`, 6. `SplitChanged`, 7. `TokensUsed`, 8. `IncidentOccurred`,
//! 9. `WorkDelivered`, 10. `ManagerNudged`, 11. `ReviewHeld`.
//!
//! This module stores and orders events; it makes no decisions and changes no state.

pub mod log;
pub mod store;

use crate::model::adoption::UseCause;
use crate::model::traits::{StoredTraits, Traits};
use crate::policy::{GroupId, PermissionScope, PolicyChange};

/// Index of an employee, 0-based.
pub type AgentId = u32;
/// Index of a team, 0-based; team `j` is a contiguous range of agents.
pub type TeamId = u32;
/// A week number, 0-based.
pub type Week = u32;

/// One fact of a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Event {
    /// The run began: which seed and replication, and a hash of the resolved scenario.
    RunStarted {
        seed: u64,
        replication: u32,
        scenario_hash: u64,
    },
    /// An employee was hired with these traits (drawn once, week 0).
    AgentHired {
        agent: AgentId,
        team: TeamId,
        group: GroupId,
        traits: Traits,
    },
    /// A policy changed at the start of `week`.
    PolicyChanged { week: Week, change: PolicyChange },
    /// An agent built a bot on the platform; it runs from the next week.
    BotDeployed {
        week: Week,
        agent: AgentId,
        scope: PermissionScope,
    },
    /// An employee's habitual genuine use changed: `level` planned genuine tokens a week (0: no
    /// longer uses the tools), and why (a first trial, a forced trial, a revised habit).
    UseChanged {
        week: Week,
        agent: AgentId,
        level: f64,
        cause: UseCause,
    },
    /// An employee noticed the leaderboard in force and reacts to it from this week on (a
    /// shutdown makes everyone forget it).
    BoardNoticed { week: Week, agent: AgentId },
    /// Under an outcome metric, an employee's split level changed: from this week they split
    /// their work into `level` more changes per unit (docs/model.md, 7.16).
    SplitChanged {
        week: Week,
        agent: AgentId,
        level: f64,
    },
    /// A manager mentioned usage statistics to a team.
    ManagerNudged { week: Week, team: TeamId },
    /// Tokens an agent burnt this week: `genuine` on real work, `padding` only to inflate the
    /// count (manually or by its bot), `bot` its bot's useful scheduled work.
    TokensUsed {
        week: Week,
        agent: AgentId,
        genuine: f64,
        padding: f64,
        bot: f64,
    },
    /// Output units delivered this week (1.0 = an average week's work without AI), net of every
    /// cost, and what went into it: `rework` (defects of AI-assisted work), `noise` (attention
    /// lost to the team's bots), `pad_time` (time padding took from real work), all in output
    /// units; and `perceived`, the employee's own estimate of their AI speed-up (a fraction).
    WorkDelivered {
        week: Week,
        agent: AgentId,
        output: f64,
        rework: f64,
        noise: f64,
        pad_time: f64,
        perceived: f64,
    },
    /// A bot took an unintended action costing `cost` output units.
    IncidentOccurred {
        week: Week,
        agent: AgentId,
        cost: f64,
    },
    /// A review: `rating` in [0, 1] (percentile blend of output and tokens), and the noise of the
    /// lesson the employee drew about how much tokens count.
    ReviewHeld {
        week: Week,
        agent: AgentId,
        rating: f64,
        belief_shock: f64,
    },
    /// The run ended after `weeks` weeks.
    RunFinished { weeks: Week },
}

crate::named_enum!(
    /// The kinds of [`Event`], named once: the names are the `kind` column of `events.parquet`
    /// and the audit table.
    EventKind {
        RunStarted => "RunStarted",
        AgentHired => "AgentHired",
        PolicyChanged => "PolicyChanged",
        BotDeployed => "BotDeployed",
        UseChanged => "UseChanged",
        BoardNoticed => "BoardNoticed",
        SplitChanged => "SplitChanged",
        ManagerNudged => "ManagerNudged",
        TokensUsed => "TokensUsed",
        WorkDelivered => "WorkDelivered",
        IncidentOccurred => "IncidentOccurred",
        ReviewHeld => "ReviewHeld",
        RunFinished => "RunFinished"
    }
);

impl Event {
    /// The event's kind.
    pub fn event_kind(&self) -> EventKind {
        match self {
            Event::RunStarted { .. } => EventKind::RunStarted,
            Event::AgentHired { .. } => EventKind::AgentHired,
            Event::PolicyChanged { .. } => EventKind::PolicyChanged,
            Event::BotDeployed { .. } => EventKind::BotDeployed,
            Event::UseChanged { .. } => EventKind::UseChanged,
            Event::BoardNoticed { .. } => EventKind::BoardNoticed,
            Event::SplitChanged { .. } => EventKind::SplitChanged,
            Event::ManagerNudged { .. } => EventKind::ManagerNudged,
            Event::TokensUsed { .. } => EventKind::TokensUsed,
            Event::WorkDelivered { .. } => EventKind::WorkDelivered,
            Event::IncidentOccurred { .. } => EventKind::IncidentOccurred,
            Event::ReviewHeld { .. } => EventKind::ReviewHeld,
            Event::RunFinished { .. } => EventKind::RunFinished,
        }
    }

    /// The event's kind, as in `events.parquet` and the audit table.
    pub fn kind(&self) -> &'static str {
        self.event_kind().as_str()
    }
}

/// A per-agent column that several holders share instead of copying: the week-0 hires hand
/// their teams, groups and traits to the fold's state and to the projections, which keep them for
/// the whole run, so at a million employees one copy (42 bytes an agent) exists instead of three.
/// Writers that may not be the only holder use `Arc::make_mut` (copy on write).
pub type Shared<T> = std::sync::Arc<Vec<T>>;

/// A per-agent value column that a week's batch and the fold's state hold together: the state's
/// last-week tokens and output are this week's `TokensUsed` and `WorkDelivered` columns
/// themselves, not a copy (32 bytes an agent at a week's peak). Reads see a `Vec<f64>`; a write
/// through a column someone else also holds copies it first (`Arc::make_mut`, copy on write); the
/// engine writes a new week into last week's memory when the state is its only holder, and into
/// a copy otherwise (`State::take_last_week`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SharedCol(std::sync::Arc<Vec<f64>>);

impl SharedCol {
    /// The values, without a copy when this is the column's only holder.
    pub fn into_vec(self) -> Vec<f64> {
        std::sync::Arc::unwrap_or_clone(self.0)
    }
}

impl From<Vec<f64>> for SharedCol {
    fn from(v: Vec<f64>) -> SharedCol {
        SharedCol(std::sync::Arc::new(v))
    }
}

impl std::ops::Deref for SharedCol {
    type Target = Vec<f64>;
    fn deref(&self) -> &Vec<f64> {
        &self.0
    }
}

impl std::ops::DerefMut for SharedCol {
    /// Copies the values first if another holder shares them.
    fn deref_mut(&mut self) -> &mut Vec<f64> {
        std::sync::Arc::make_mut(&mut self.0)
    }
}

impl<'a> IntoIterator for &'a SharedCol {
    type Item = &'a f64;
    type IntoIter = std::slice::Iter<'a, f64>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// `AgentHired` payloads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hires {
    pub agent: AgentIds,
    pub team: Shared<TeamId>,
    pub group: Shared<GroupId>,
    pub traits: Shared<StoredTraits>,
}

/// `TokensUsed` payloads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TokenCols {
    pub agent: AgentIds,
    pub genuine: SharedCol,
    pub padding: SharedCol,
    pub bot: SharedCol,
}

/// `(agent, value)` payloads: `IncidentOccurred` (cost) and `SplitChanged` (level).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgentValueCols {
    pub agent: Vec<AgentId>,
    pub value: Vec<f64>,
}

/// `UseChanged` payloads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UseCols {
    pub agent: Vec<AgentId>,
    pub level: Vec<f64>,
    pub cause: Vec<UseCause>,
}

/// `WorkDelivered` payloads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkCols {
    pub agent: AgentIds,
    pub output: SharedCol,
    pub rework: Vec<f64>,
    pub noise: Vec<f64>,
    pub pad_time: Vec<f64>,
    pub perceived: Vec<f64>,
}

/// `ReviewHeld` payloads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReviewCols {
    pub agent: AgentIds,
    /// Kept in single precision (docs/model.md, section 7.11): a review of every agent is the
    /// largest batch of a run, and a rating is a blend of ranks that are within 1/4096 anyway.
    pub rating: Vec<f32>,
    pub belief_shock: Vec<f32>,
}

/// All events of one week, column-wise.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WeekBatch {
    pub week: Week,
    pub hires: Hires,
    pub policy: Vec<PolicyChange>,
    pub bots: Vec<(AgentId, PermissionScope)>,
    pub uses: UseCols,
    pub notices: Vec<AgentId>,
    pub splits: AgentValueCols,
    pub tokens: TokenCols,
    pub incidents: AgentValueCols,
    pub work: WorkCols,
    pub nudges: Vec<TeamId>,
    pub reviews: ReviewCols,
}

/// Whether a per-agent column names every one of `n` agents once, in agent order (`0..n`), as
/// every week the engine writes does: readers may then index it by agent.
pub fn is_dense(agents: &AgentIds, n: usize) -> bool {
    agents.is_dense(n)
}

/// The agents of a per-agent event column, in event order. Every week the engine writes names
/// each agent once, in order (`0..n`): such a column is held as its length alone, not as `n`
/// ids (4 bytes an agent per column at a million employees); any other order (a log written by
/// hand, an import) as the list. Pushing the next agent in order keeps a column dense, so a log
/// read back is dense exactly where the engine wrote it so.
#[derive(Debug, Clone)]
pub enum AgentIds {
    /// Agents `0..n`, each once, in order.
    Dense(usize),
    /// Any other list of agents.
    Listed(Vec<AgentId>),
}

impl Default for AgentIds {
    fn default() -> Self {
        AgentIds::Dense(0)
    }
}

/// Equal when they name the same agents in the same order, however held.
impl PartialEq for AgentIds {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl AgentIds {
    pub fn len(&self) -> usize {
        match self {
            AgentIds::Dense(n) => *n,
            AgentIds::Listed(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `k`-th agent (panics past the end, as indexing does).
    pub fn get(&self, k: usize) -> AgentId {
        match self {
            AgentIds::Dense(n) => {
                assert!(k < *n, "agent index {k} out of {n}");
                k as AgentId
            }
            AgentIds::Listed(v) => v[k],
        }
    }

    /// The agents in order.
    pub fn iter(&self) -> impl Iterator<Item = AgentId> + '_ {
        let (dense, listed) = match self {
            AgentIds::Dense(n) => (0..*n as AgentId, &[][..]),
            AgentIds::Listed(v) => (0..0, &v[..]),
        };
        dense.chain(listed.iter().copied())
    }

    /// The agents of positions `r`, as a slice (made for the range of a dense column).
    pub fn slice(&self, r: std::ops::Range<usize>) -> std::borrow::Cow<'_, [AgentId]> {
        match self {
            AgentIds::Dense(_) => (r.start as AgentId..r.end as AgentId).collect(),
            AgentIds::Listed(v) => std::borrow::Cow::Borrowed(&v[r]),
        }
    }

    /// Append an agent; the column stays dense while agents come in order from 0.
    pub fn push(&mut self, a: AgentId) {
        match self {
            AgentIds::Dense(n) if a as usize == *n => *n += 1,
            AgentIds::Dense(_) => {
                self.listed().push(a);
            }
            AgentIds::Listed(v) => v.push(a),
        }
    }

    pub fn extend_from_slice(&mut self, agents: &[AgentId]) {
        match self {
            AgentIds::Listed(v) => v.extend_from_slice(agents),
            AgentIds::Dense(n) => {
                // As `push` one by one: dense while the agents come in order, a list from the
                // first that does not.
                let in_order = (*n..).zip(agents).take_while(|(k, a)| **a as usize == *k);
                let in_order = in_order.count();
                *n += in_order;
                if in_order < agents.len() {
                    self.listed().extend_from_slice(&agents[in_order..]);
                }
            }
        }
    }

    /// Set the `k`-th agent (the column becomes a list if it no longer names `0..n` in order).
    pub fn set(&mut self, k: usize, a: AgentId) {
        if self.get(k) != a {
            self.listed()[k] = a;
        }
    }

    /// Empty the column (a dense column of none).
    pub fn clear(&mut self) {
        *self = AgentIds::Dense(0);
    }

    /// Whether the column names agents `0..n`, each once, in order.
    pub fn is_dense(&self, n: usize) -> bool {
        match self {
            AgentIds::Dense(m) => *m == n,
            AgentIds::Listed(v) => {
                v.len() == n && v.iter().enumerate().all(|(i, a)| *a as usize == i)
            }
        }
    }

    /// The column as a list, made one if it was dense.
    fn listed(&mut self) -> &mut Vec<AgentId> {
        if let AgentIds::Dense(n) = *self {
            *self = AgentIds::Listed((0..n as AgentId).collect());
        }
        match self {
            AgentIds::Listed(v) => v,
            AgentIds::Dense(_) => unreachable!("made a list above"),
        }
    }
}

impl Extend<AgentId> for AgentIds {
    fn extend<I: IntoIterator<Item = AgentId>>(&mut self, iter: I) {
        iter.into_iter().for_each(|a| self.push(a));
    }
}

impl WeekBatch {
    pub fn new(week: Week) -> Self {
        WeekBatch {
            week,
            ..WeekBatch::default()
        }
    }

    /// Empty the batch for `week`, keeping its columns' allocations (the engine reuses one
    /// batch's memory week after week instead of mapping fresh pages). The dense value columns
    /// keep last week's values for the engine to overwrite, except the four the fold's state
    /// shares (tokens and output), which are let go of; their agent ids are cleared, so the
    /// batch holds no event until they are set.
    pub fn reset(&mut self, week: Week) {
        // Hires come once, in week 0: their memory is released, not kept for later weeks. So is
        // the sparse events' (a rollout week's million habit changes would otherwise stay
        // allocated all run, on top of every later week's peak).
        self.hires = Hires::default();
        self.policy.clear();
        self.bots = Vec::new();
        self.uses = UseCols::default();
        self.notices = Vec::new();
        self.splits = AgentValueCols::default();
        self.tokens.agent.clear();
        self.work.agent.clear();
        // The dense value columns keep their length and values: the engine overwrites every
        // value of the week (zeroing them first cost a pass over 64 bytes an agent a week). The
        // four the fold's state shares (last week's tokens and output) are let go of here, so
        // that the state is again their only holder and lends them to the new week
        // (`State::take_last_week`) without a copy.
        for c in [
            &mut self.tokens.genuine,
            &mut self.tokens.padding,
            &mut self.tokens.bot,
        ] {
            *c = SharedCol::default();
        }
        self.work.output = SharedCol::default();
        self.incidents = AgentValueCols::default();
        self.nudges.clear();
        // Reviews come a few times a year: their columns are released, not held between them.
        self.reviews = ReviewCols::default();
        self.week = week;
    }

    /// Room for `n` events each of `TokensUsed` and `WorkDelivered` (their value columns).
    pub fn reserve_dense(&mut self, n: usize) {
        for c in self.dense_values() {
            c.reserve_exact(n);
        }
    }

    /// Where [`WeekBatch::dense_values`] lists the padding column.
    pub const PADDING: usize = 1;

    /// The value columns of the events every agent has each week: `TokensUsed`, `WorkDelivered`
    /// (the one list of them: the engine writes its agents' weeks into these, in this order).
    pub fn dense_values(&mut self) -> [&mut Vec<f64>; 8] {
        let (t, w) = (&mut self.tokens, &mut self.work);
        [
            &mut *t.genuine,
            &mut *t.padding,
            &mut *t.bot,
            &mut *w.output,
            &mut w.rework,
            &mut w.noise,
            &mut w.pad_time,
            &mut w.perceived,
        ]
    }

    /// Number of events in the batch.
    pub fn len(&self) -> usize {
        self.hires.agent.len()
            + self.policy.len()
            + self.bots.len()
            + self.uses.agent.len()
            + self.notices.len()
            + self.splits.agent.len()
            + self.tokens.agent.len()
            + self.incidents.agent.len()
            + self.work.agent.len()
            + self.nudges.len()
            + self.reviews.agent.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The events of the batch in canonical order.
    pub fn events(&self) -> impl Iterator<Item = Event> + '_ {
        let week = self.week;
        let h = &self.hires;
        let hires = (0..h.agent.len()).map(move |i| Event::AgentHired {
            agent: h.agent.get(i),
            team: h.team[i],
            group: h.group[i],
            traits: h.traits[i].traits(),
        });
        let policy = self
            .policy
            .iter()
            .map(move |&change| Event::PolicyChanged { week, change });
        let bots = self
            .bots
            .iter()
            .map(move |&(agent, scope)| Event::BotDeployed { week, agent, scope });
        let u = &self.uses;
        let uses = (0..u.agent.len()).map(move |i| Event::UseChanged {
            week,
            agent: u.agent[i],
            level: u.level[i],
            cause: u.cause[i],
        });
        let notices = self
            .notices
            .iter()
            .map(move |&agent| Event::BoardNoticed { week, agent });
        let sp = &self.splits;
        let splits = (0..sp.agent.len()).map(move |i| Event::SplitChanged {
            week,
            agent: sp.agent[i],
            level: sp.value[i],
        });
        let t = &self.tokens;
        let tokens = (0..t.agent.len()).map(move |i| Event::TokensUsed {
            week,
            agent: t.agent.get(i),
            genuine: t.genuine[i],
            padding: t.padding[i],
            bot: t.bot[i],
        });
        let inc = &self.incidents;
        let incidents = (0..inc.agent.len()).map(move |i| Event::IncidentOccurred {
            week,
            agent: inc.agent[i],
            cost: inc.value[i],
        });
        let w = &self.work;
        let work = (0..w.agent.len()).map(move |i| Event::WorkDelivered {
            week,
            agent: w.agent.get(i),
            output: w.output[i],
            rework: w.rework[i],
            noise: w.noise[i],
            pad_time: w.pad_time[i],
            perceived: w.perceived[i],
        });
        let nudges = self
            .nudges
            .iter()
            .map(move |&team| Event::ManagerNudged { week, team });
        let r = &self.reviews;
        let reviews = (0..r.agent.len()).map(move |i| Event::ReviewHeld {
            week,
            agent: r.agent.get(i),
            rating: f64::from(r.rating[i]),
            belief_shock: f64::from(r.belief_shock[i]),
        });
        hires
            .chain(policy)
            .chain(bots)
            .chain(uses)
            .chain(notices)
            .chain(splits)
            .chain(tokens)
            .chain(incidents)
            .chain(work)
            .chain(nudges)
            .chain(reviews)
    }
}

#[cfg(test)]
mod tests {
    use super::{AgentIds, EventKind};

    #[test]
    fn extending_agent_ids_is_pushing_them_one_by_one() {
        // given a dense column, when slices in order, out of order and after a list are
        // appended, then it holds what pushing each agent would, dense only while in order
        let cases: [&[&[u32]]; 4] = [
            &[&[0, 1], &[2, 3]],
            &[&[0, 1], &[2, 4, 3]],
            &[&[1, 0], &[2]],
            &[&[0], &[5], &[1, 2]],
        ];
        for slices in cases {
            let (mut extended, mut pushed) = (AgentIds::default(), AgentIds::default());
            for slice in slices {
                extended.extend_from_slice(slice);
                slice.iter().for_each(|&a| pushed.push(a));
            }
            assert_eq!(
                extended.iter().collect::<Vec<_>>(),
                pushed.iter().collect::<Vec<_>>()
            );
            let dense = |ids: &AgentIds| matches!(ids, AgentIds::Dense(_));
            assert_eq!(dense(&extended), dense(&pushed), "{slices:?}");
        }
        let mut ids = AgentIds::default();
        ids.extend_from_slice(&[0, 1, 2]);
        assert!(matches!(ids, AgentIds::Dense(3)));
    }

    #[test]
    fn every_kind_parses_back_from_its_name() {
        assert_eq!(EventKind::ALL.len(), 13);
        for (kind, name) in EventKind::ALL.iter().zip(EventKind::NAMES) {
            assert_eq!(kind.as_str(), *name);
            assert_eq!(EventKind::parse(name), Some(*kind));
        }
        assert_eq!(EventKind::parse("Nope"), None);
    }
}
