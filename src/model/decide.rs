//! The weekly decision of one employee (docs/model.md, sections 3.2 and 7.5), as pure functions
//! of a frozen snapshot of last week and one RNG stream. Nothing here mutates shared state: the
//! engine turns the returned [`AgentWeek`] into events and applies them.

use rand::{Rng, RngExt};
use rand_distr::{Distribution, Poisson, StandardNormal};

use crate::policy::{GroupId, PermissionScope, PolicyState, Target, Visibility};
use crate::scenario::Scenario;

use super::adoption::{self, UseCause, UseInput};
use super::gaming::{self, MetricView};
use super::lanes::{self, LANES};
use super::rank::{RankIndex, cdf, quantile};
use super::traits::Traits;
use super::work::{self, BotWeek, WorkInput, WorkOut};

/// What the week looks like to every agent: the policies in force and last week's peers.
#[derive(Debug, Clone, Copy)]
pub struct WeekContext<'a> {
    pub week: u32,
    pub policy: &'a PolicyState,
    /// Share of all employees who used the tools for real work last week.
    pub org_adopt_share: f64,
    /// Last week's total tokens of every employee, sorted ascending (empty in week 0).
    pub org_sorted_totals: &'a [f64],
    /// [`RankIndex`] of `org_sorted_totals`.
    pub org_index: &'a RankIndex,
    /// [`peer_marks`] of `org_sorted_totals`, computed once a week.
    pub org_marks: PeerMarks,
    /// [`theta_mark`] of `org_sorted_totals`, computed once a week.
    pub org_theta: (f64, f64),
    /// Weekly token cap per employee (infinite without a budget).
    pub cap_tokens: f64,
    /// A running bot's useful work this week ([`work::BotWeek`]: `bot_tokens` within the cap).
    pub bot: work::BotWeek,
    /// The week of the last leaderboard change, if any.
    pub board_changed_week: Option<u32>,
    /// The outcome metric in force as employees see it (`None` while tokens count).
    pub metric: Option<MetricView>,
}

/// One employee's own snapshot (after last week).
#[derive(Debug, Clone, Copy)]
pub struct AgentView<'a> {
    pub traits: Traits,
    pub group: GroupId,
    pub proficiency: f64,
    /// Current optimism (the trait's starting value, learnt since: `State::optimism`); it
    /// replaces the trait's in every perception of the week.
    pub optimism: f64,
    pub monitoring: f64,
    pub has_bot: bool,
    pub last_padding: f64,
    /// Planned genuine tokens a week (0: not a user of the tools).
    pub use_level: f64,
    /// The agent has noticed the leaderboard in force (and reacts to it).
    pub board_aware: bool,
    /// What the last review put at stake (multiplies the career-driven pulls by `1 + this`).
    pub review_pressure: f64,
    /// Share of the agent's team that used the tools last week.
    pub team_adopt_share: f64,
    /// Output units of attention the team's bots cost each member this week.
    pub team_noise: f64,
    /// Share of the agent's team that padded last week.
    pub team_pad_share: f64,
    /// Share of the agent's team that has a bot.
    pub team_bot_share: f64,
    /// Last week's totals of the agent's team, sorted ascending (used by team-scope leaderboards).
    pub team_sorted_totals: &'a [f64],
    /// The split level the agent works at (extra changes per unit of work; 0 unless an outcome
    /// metric is gamed).
    pub split: f64,
}

/// The outcome of one agent-week, before it becomes events.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AgentWeek {
    pub built_bot: bool,
    /// The habit changed this week: new planned genuine tokens and why.
    pub use_change: Option<(f64, UseCause)>,
    /// The agent noticed the leaderboard this week (it reacts from this week on).
    pub noticed_board: bool,
    pub genuine: f64,
    pub padding: f64,
    pub bot: f64,
    /// The split level of this week's work, and whether it changed.
    pub split: f64,
    pub split_changed: bool,
    pub work: WorkOut,
}

/// Weight, in output units per raw token, of the price of tokens when costs are visible: the
/// dollar price in output units (a unit is worth `salary_usd / 52`), times `price_weight`.
/// The first design read `price_weight` (0.02) as output units per dollar, which makes visible costs
/// stop nearly all genuine use; this reading keeps the parameter interpretable.
pub fn price_cost_per_token(s: &Scenario, policy: &PolicyState) -> f64 {
    if policy.costs_visible {
        s.behaviour.price_weight * s.money.price_usd_per_mtok / 1e6 / s.usd_per_output_unit()
    } else {
        0.0
    }
}

/// Incident-rate factor of a permission scope.
pub fn scope_factor(s: &Scenario, scope: PermissionScope) -> f64 {
    match scope {
        PermissionScope::Broad => 1.0,
        PermissionScope::Scoped => s.bots.scope_factor_scoped,
        PermissionScope::LeastPrivilege => s.bots.scope_factor_least_privilege,
    }
}

/// The incentive weights of the padding choice.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Incentives {
    pub b_target: f64,
    pub b_rank: f64,
    /// Status of topping a visible board (beating every visible peer's last total).
    pub b_top: f64,
}

/// The target an employee may weigh in `week`, the share of its pull they feel, and the chance
/// that they still have it in mind: the target in force if it applies to their group (all of
/// its pull, surely); once it is lifted, for its former members, `compliance_memory` of its pull,
/// kept in mind with a chance that halves every `compliance_half_life` weeks since the lift
/// (docs/model.md 7.5.3): padding that persists as compliance after the need is gone.
pub fn felt_target(
    s: &Scenario,
    policy: &PolicyState,
    group: GroupId,
    week: u32,
) -> Option<(Target, f64, f64)> {
    let b = &s.behaviour;
    match policy.target {
        Some(t) => t.applies_to.contains(group).then_some((t, 1.0, 1.0)),
        None => policy
            .lifted_target
            .filter(|t| t.applies_to.contains(group) && b.compliance_memory > 0.0)
            .map(|t| {
                let since = f64::from(week.saturating_sub(policy.lifted_week));
                (
                    t,
                    b.compliance_memory,
                    (-since / b.compliance_half_life).exp2(),
                )
            }),
    }
}

/// `b_target` and `b_rank` of docs/model.md for one agent.
pub fn incentives(
    s: &Scenario,
    policy: &PolicyState,
    t: &Traits,
    (group, week): (GroupId, u32),
    m: f64,
    review_pressure: f64,
) -> Incentives {
    let b = &s.behaviour;
    let m_eff = match policy.leaderboard {
        Some(l) if l.visibility == Visibility::Private => m * b.private_monitoring_factor,
        _ => m,
    };
    let b_target = felt_target(s, policy, group, week).map_or(0.0, |(_, felt, _)| {
        t.career_concern * m_eff * b.target_weight * (1.0 + review_pressure) * felt
    });
    let (b_rank, b_top) = match policy.leaderboard {
        // Outcome metrics rank output: padding cannot move the rank, so it buys nothing.
        Some(_) if policy.outcome_metrics.is_some() => (0.0, 0.0),
        Some(l) => {
            let audience = match l.visibility {
                Visibility::Public => 1.0,
                Visibility::Team => b.team_audience,
                Visibility::ManagerOnly | Visibility::Private => 0.0,
            };
            (
                t.status_drive * audience * b.status_weight
                    + t.career_concern * m_eff * b.rank_weight * (1.0 + review_pressure),
                t.status_drive * audience * b.top_weight,
            )
        }
        None => (0.0, 0.0),
    };
    Incentives {
        b_target,
        b_rank,
        b_top,
    }
}

/// "Top of the board": the quantile of visible peers' totals that puts an agent among the names a
/// leaderboard shows at its top (the top 0.1%: about ten names in an org of 10,000; the maximum
/// in a team).
pub const TOP_QUANTILE: f64 = 0.999;

/// The candidate totals a board offers and the CDF at each: the [`PEER_QUANTILES`], then the top
/// of the board (the [`TOP_QUANTILE`] times `top_leapfrog`).
pub type PeerMarks = [(f64, f64); 5];

/// Compute [`PeerMarks`] of a sorted slice (binary searches once, not once per agent).
pub fn peer_marks(sorted: &[f64], top_leapfrog: f64) -> PeerMarks {
    let mut marks = [(0.0, 0.0); 5];
    for (k, p) in PEER_QUANTILES.iter().enumerate() {
        let v = quantile(sorted, *p);
        marks[k] = (v, cdf(sorted, v));
    }
    let top = quantile(sorted, TOP_QUANTILE) * top_leapfrog;
    marks[4] = (top, cdf(sorted, top));
    marks
}

/// The threshold of the target (in force, or else lifted) and the share of `sorted` at or below
/// it (NaN, which matches no total, without one): a candidate many agents weigh, ranked once a
/// week.
pub fn theta_mark(sorted: &[f64], policy: &PolicyState) -> (f64, f64) {
    match policy.target.or(policy.lifted_target) {
        Some(t) => (t.theta_tokens, cdf(sorted, t.theta_tokens)),
        None => (f64::NAN, 0.0),
    }
}

/// Peer quantiles an agent may aim at.
pub const PEER_QUANTILES: [f64; 4] = [0.50, 0.75, 0.90, 0.99];

/// The peers an agent compares itself with: its team under a team-scope board it can see, the
/// whole organisation otherwise; their marks (quantiles and top of the board) and ranks.
struct Peers<'a> {
    sorted: &'a [f64],
    /// The org-wide distribution, whose rank index and marks are computed once a week.
    index: Option<&'a RankIndex>,
    marks: PeerMarks,
    /// The target's [`theta_mark`] among these peers (org-wide only; NaN otherwise).
    theta: (f64, f64),
}

impl<'a> Peers<'a> {
    fn of(s: &Scenario, ctx: &WeekContext<'a>, a: &AgentView<'a>) -> Peers<'a> {
        let team_board = ctx.policy.leaderboard.is_some_and(|l| {
            l.scope == crate::policy::RankScope::Team
                && matches!(l.visibility, Visibility::Public | Visibility::Team)
        });
        if team_board {
            let sorted = a.team_sorted_totals;
            Peers {
                sorted,
                index: None,
                marks: peer_marks(sorted, s.behaviour.top_leapfrog),
                theta: (f64::NAN, 0.0),
            }
        } else {
            Peers {
                sorted: ctx.org_sorted_totals,
                index: Some(ctx.org_index),
                marks: ctx.org_marks,
                theta: ctx.org_theta,
            }
        }
    }

    /// Share of peers at or below `x` (a mark's share without a search).
    fn rank(&self, x: f64) -> f64 {
        match self.marks.iter().chain([&self.theta]).find(|m| m.0 == x) {
            Some(m) => m.1,
            None => match self.index {
                Some(index) => index.cdf(self.sorted, x),
                None => cdf(self.sorted, x),
            },
        }
    }

    fn top_of_board(&self) -> f64 {
        self.marks[4].0
    }
}

/// The totals an agent weighs: its base, the target's `theta` (in force or remembered, if
/// above), and while it sees a board the peer marks above its base and the top of the board; all
/// capped by the budget. Returns the candidates and how many there are.
fn candidates(
    ctx: &WeekContext,
    a: &AgentView,
    base: f64,
    theta: Option<f64>,
    inc: &Incentives,
    peers: &Peers,
) -> ([f64; 7], usize) {
    let policy = ctx.policy;
    let mut candidates = [0.0f64; 7];
    let mut n = 0;
    candidates[n] = base;
    n += 1;
    if let Some(theta) = theta
        && theta > base
    {
        candidates[n] = theta;
        n += 1;
    }
    // Peer quantiles are candidates only while a board shows them (a departure from the first
    // design, which keeps them after a shutdown: with no rank to gain they only add logit noise).
    if policy.leaderboard.is_some()
        && a.board_aware
        && policy.outcome_metrics.is_none()
        && !peers.sorted.is_empty()
    {
        for &(qv, _) in &peers.marks[..PEER_QUANTILES.len()] {
            if qv > base {
                candidates[n] = qv;
                n += 1;
            }
        }
        if inc.b_top > 0.0 && peers.top_of_board() > base {
            candidates[n] = peers.top_of_board();
            n += 1;
        }
    }
    for c in candidates[..n].iter_mut() {
        *c = c.min(ctx.cap_tokens.max(base));
    }
    (candidates, n)
}

/// Draw one of `n` options with probabilities proportional to `exp(utility / temperature)`.
fn logit_pick<R: Rng + ?Sized>(
    utilities: impl Iterator<Item = f64>,
    n: usize,
    temperature: f64,
    rng: &mut R,
) -> usize {
    // Lanes past the candidates weigh nothing (exp of -inf is 0).
    let mut u = [f64::NEG_INFINITY; LANES];
    let mut max_u = f64::NEG_INFINITY;
    for (k, utility) in utilities.enumerate() {
        u[k] = utility / temperature;
        max_u = max_u.max(u[k]);
    }
    let w = lanes::exp(u.map(|uk| uk - max_u));
    let total_w: f64 = w[..n].iter().sum();
    let mut draw = rng.random::<f64>() * total_w;
    for (k, uk) in w.iter().enumerate().take(n) {
        draw -= uk;
        if draw <= 0.0 {
            return k;
        }
    }
    n - 1
}

/// Choose this week's total tokens among the candidates by a logit over their utilities.
/// Returns the padding `P = T - base` and its time ([`work::pad_time_cost`], weighed in the
/// choice and so not taken again for the week's work).
#[allow(clippy::too_many_arguments)]
pub fn choose_padding<R: Rng + ?Sized>(
    s: &Scenario,
    ctx: &WeekContext,
    a: &AgentView,
    base: f64,
    bot_running: bool,
    scope: Option<PermissionScope>,
    price_cost: f64,
    rng: &mut R,
) -> (f64, f64) {
    let b = &s.behaviour;
    let policy = ctx.policy;
    let mut inc = incentives(
        s,
        policy,
        &a.traits,
        (a.group, ctx.week),
        a.monitoring,
        a.review_pressure,
    );
    if !a.board_aware {
        // A board one has not noticed yet pulls no one.
        inc.b_rank = 0.0;
        inc.b_top = 0.0;
    }
    let peers = Peers::of(s, ctx, a);
    // The target's threshold: in force, or (one draw) a lifted target still in mind.
    let theta = match felt_target(s, policy, a.group, ctx.week) {
        Some((t, _, _)) if policy.target.is_some() => Some(t.theta_tokens),
        Some((t, _, in_mind)) => (rng.random::<f64>() < in_mind).then_some(t.theta_tokens),
        None => None,
    };
    let (candidates, n) = candidates(ctx, a, base, theta, &inc, &peers);
    if n == 1 {
        return (0.0, 0.0);
    }

    // The felt cost of padding: aversion (eroded by the team's norm) and the work time it takes.
    let g_eff = a.traits.gaming_aversion * (1.0 - b.norm_weight * a.team_pad_share);
    let pad_scale = if bot_running {
        b.pad_scale * b.bot_leverage
    } else {
        b.pad_scale
    };
    let risk_per_token = match (bot_running, scope) {
        (true, Some(sc)) => {
            b.risk_aversion * s.bots.incident_rate * scope_factor(s, sc) / s.bots.tokens_per_action
        }
        _ => 0.0,
    };
    let top_of_board = peers.top_of_board();
    let mut pads = [0.0f64; LANES];
    for (pad, c) in pads.iter_mut().zip(&candidates[..n]) {
        *pad = c - base;
    }
    let times = work::pad_time_costs(s, &a.traits, pads, bot_running);
    let utility = |(total, time): (f64, f64)| {
        let pad = total - base;
        let hit = theta.is_some_and(|th| total >= th);
        let tops = inc.b_top > 0.0 && total >= top_of_board;
        inc.b_target * f64::from(u8::from(hit))
            + inc.b_rank * peers.rank(total)
            + inc.b_top * f64::from(u8::from(tops))
            - g_eff * pad / pad_scale
            - time
            - risk_per_token * pad
            - price_cost * pad
    };
    let utilities = candidates[..n].iter().copied().zip(times).map(utility);
    let k = logit_pick(utilities, n, b.choice_temperature, rng);
    (candidates[k] - base, times[k])
}

/// Decide one agent-week. Draw order on `rng` (part of the reproducibility contract): bot build
/// (while a platform is up and the agent has none), the habit draw, the board-notice draw (while a
/// leaderboard is up and the agent has not noticed it), weekly noise, padding revise, whether a
/// lifted target is still in mind (only when revising, for its former members, while no target
/// is in force), padding choice (only when revising with more than one candidate), the
/// mandate-conversion draw
/// (only for a non-user who padded up to a target), incidents and their costs, then (only while
/// an outcome metric counts) the split revise and the split choice (only when revising). Before
/// the rollout week nothing is drawn: nobody has the tools.
pub fn decide<R: Rng + ?Sized>(
    s: &Scenario,
    ctx: &WeekContext,
    mut a: AgentView,
    rng: &mut R,
    incident_costs: &mut Vec<f64>,
) -> AgentWeek {
    // Current optimism replaces the trait's in every perception of the week (in place: the view
    // is this call's own).
    a.traits.optimism = a.optimism;
    if i64::from(ctx.week) < s.adoption.rollout_week {
        return AgentWeek::without_tools(&a.traits);
    }
    let policy = ctx.policy;
    let bot_running = a.has_bot && policy.platform.is_some();

    // 1. Bot building (Bass diffusion within teams).
    let built_bot = builds_bot(s, policy, &a, &a.traits, rng);

    // 2. Habit: a first trial, a revision, or last week's level. A change takes the best
    // response of the moment, worked out only then (traits and proficiency are fixed for the
    // week, so it is the same whenever it is worked out).
    let price_cost = price_cost_per_token(s, policy);
    let best = |a: &AgentView| adoption::planned_use(s, &a.traits, a.proficiency, price_cost);
    let mut use_change = habit(s, ctx, &a, rng).map(|cause| (best(&a), cause));
    let level = use_change.map_or(a.use_level, |c| c.0);

    // 2b. Awareness of a leaderboard spreads over weeks, faster in teams that already pad.
    let noticed_board = policy.leaderboard.is_some()
        && !a.board_aware
        && rng.random::<f64>() < notice_probability(s, a.traits.status_drive, a.team_pad_share);
    a.board_aware |= noticed_board;
    let a = &a; // read only from here on

    // 3. Genuine tokens: the habit times weekly noise, clipped by the budget after the bot's.
    let cap = ctx.cap_tokens;
    let bot_work = if bot_running {
        ctx.bot
    } else {
        BotWeek::default()
    };
    let bot = bot_work.tokens;
    let genuine = genuine_tokens(s, level, cap - bot, rng);

    // 4. Padding: habit, or a revised logit choice (with the padding time it weighed).
    let (padding, padding_time) = padding(s, ctx, a, genuine + bot, bot_running, price_cost, rng);

    // 5. The mandate channel: a non-user padding up to a target has tried the tools.
    if level <= 0.0 && padding > 0.0 && padded_to_target(ctx, a, genuine + bot + padding) {
        let u = rng.random::<f64>();
        if u < s.adoption.mandate_conversion {
            let best = best(a);
            if best > 0.0 {
                use_change = Some((best, UseCause::Mandate));
            }
        }
    }

    // 6. Incidents, 7. the week's work, 8. gaming the outcome metric.
    let incidents = incidents(s, policy, bot_running, bot + padding, rng, incident_costs);
    let input = WorkInput {
        q: a.proficiency,
        genuine,
        bot: bot_work,
        padding,
        padding_time,
        bot_running,
        noise: a.team_noise,
        incidents,
        split: 0.0,
    };
    let (split, work) = work_and_split(s, ctx, a, input, rng);
    AgentWeek {
        built_bot,
        use_change,
        noticed_board,
        genuine,
        padding,
        bot,
        split,
        split_changed: split != a.split,
        work,
    }
}

/// Steps 7 and 8: the week's work and, while an outcome metric counts, the split habit or a
/// revised choice given the unsplit output (the work is then taken again at the chosen split).
fn work_and_split<R: Rng + ?Sized>(
    s: &Scenario,
    ctx: &WeekContext,
    a: &AgentView,
    input: WorkInput,
    rng: &mut R,
) -> (f64, WorkOut) {
    let t = &a.traits;
    let unsplit = work::week(s, t, input);
    let split = match ctx.metric {
        Some(view) => split(s, ctx, a, t, &view, unsplit.output, rng),
        None => 0.0,
    };
    let work = if split > 0.0 {
        work::week(s, t, WorkInput { split, ..input })
    } else {
        unsplit
    };
    (split, work)
}

/// Step 1: whether the agent builds a bot this week (Bass diffusion within teams; one draw while
/// a platform is up and the agent has none).
fn builds_bot<R: Rng + ?Sized>(
    s: &Scenario,
    policy: &PolicyState,
    a: &AgentView,
    t: &Traits,
    rng: &mut R,
) -> bool {
    match policy.platform {
        Some(_) if !a.has_bot => {
            let p =
                (s.bots.build_innovation + s.bots.build_imitation * a.team_bot_share) * t.ai_fit;
            rng.random::<f64>() < p
        }
        _ => false,
    }
}

/// Step 3: the week's genuine tokens, the habit `level` times weekly noise, at most `room` (the
/// budget left after the bot's tokens). Without a habit the week's use is zero whatever the
/// noise, but the normal draw is still made.
fn genuine_tokens<R: Rng + ?Sized>(s: &Scenario, level: f64, room: f64, rng: &mut R) -> f64 {
    let z: f64 = StandardNormal.sample(rng);
    let noisy = if level == 0.0 {
        0.0
    } else {
        level * (s.behaviour.week_noise * z).exp()
    };
    noisy.min(room).max(0.0)
}

/// This week's split level under an outcome metric: last week's habit, or (with probability
/// `revise_manual`) a new logit choice ([`gaming::choose`]) given this week's unsplit output.
fn split<R: Rng + ?Sized>(
    s: &Scenario,
    ctx: &WeekContext,
    a: &AgentView,
    t: &Traits,
    view: &MetricView,
    output: f64,
    rng: &mut R,
) -> f64 {
    if rng.random::<f64>() >= s.behaviour.revise_manual {
        return a.split;
    }
    let weight = gaming::weight(s, ctx.policy, t, a.review_pressure);
    gaming::choose(s, view, t, output, weight, rng)
}

/// This week's change of habit, from one draw (see [`adoption::start_of_week`]).
fn habit<R: Rng + ?Sized>(
    s: &Scenario,
    ctx: &WeekContext,
    a: &AgentView,
    rng: &mut R,
) -> Option<UseCause> {
    let input = UseInput {
        rollout_now: i64::from(ctx.week) == s.adoption.rollout_week,
        level: a.use_level,
        team_share: a.team_adopt_share,
        org_share: ctx.org_adopt_share,
    };
    adoption::start_of_week(s, &a.traits, input, rng.random::<f64>())
}

impl AgentWeek {
    /// A week before the tools arrive: plain work.
    fn without_tools(t: &Traits) -> AgentWeek {
        AgentWeek {
            built_bot: false,
            use_change: None,
            noticed_board: false,
            genuine: 0.0,
            padding: 0.0,
            bot: 0.0,
            split: 0.0,
            split_changed: false,
            work: WorkOut {
                output: t.skill,
                ..WorkOut::default()
            },
        }
    }
}

/// Weekly probability of noticing the leaderboard in force: on one's own (status seekers watch
/// the board), or through teammates who pad.
pub fn notice_probability(s: &Scenario, status_drive: f64, team_pad_share: f64) -> f64 {
    let b = &s.behaviour;
    (b.board_notice + status_drive + b.board_imitation * team_pad_share).min(1.0)
}

/// Whether a board's figures are hidden from the employees it ranks (they see their own only).
pub fn hidden(v: Visibility) -> bool {
    matches!(v, Visibility::ManagerOnly | Visibility::Private)
}

/// The weekly probability of revising one's padding: `revise_manual` by hand; a running bot's
/// owner `revise_bot`, except in the week of a leaderboard change (on, off, scope or
/// visibility), when they look at what their bot runs with probability `revise_bot_on_change`.
/// Once: a bot's jobs are set up to run unattended, so what the owner does not change that week
/// runs on at the bot's rate of revision.
pub fn revise_probability(
    s: &Scenario,
    bot_running: bool,
    weeks_since_board_change: Option<u32>,
) -> f64 {
    let b = &s.behaviour;
    if bot_running && weeks_since_board_change == Some(0) {
        b.revise_bot_on_change.max(b.revise_bot)
    } else if bot_running {
        b.revise_bot
    } else {
        b.revise_manual
    }
}

/// This week's padding: last week's habit, or (with probability [`revise_probability`]) a new
/// logit choice; never above the budget cap. With it, its padding time when the choice computed
/// it (and the cap left it as chosen).
fn padding<R: Rng + ?Sized>(
    s: &Scenario,
    ctx: &WeekContext,
    a: &AgentView,
    base: f64,
    bot_running: bool,
    price_cost: f64,
    rng: &mut R,
) -> (f64, Option<f64>) {
    let since = ctx.board_changed_week.map(|w| ctx.week.saturating_sub(w));
    let revise = rng.random::<f64>() < revise_probability(s, bot_running, since);
    let scope = ctx.policy.platform;
    let (chosen, time) = if revise {
        let (pad, time) = choose_padding(s, ctx, a, base, bot_running, scope, price_cost, rng);
        (pad, Some(time))
    } else {
        (a.last_padding, None)
    };
    let padding = chosen.min((ctx.cap_tokens - base).max(0.0)).max(0.0);
    (padding, time.filter(|_| padding == chosen))
}

/// A target applies to the agent and its total reaches the target's threshold.
fn padded_to_target(ctx: &WeekContext, a: &AgentView, total: f64) -> bool {
    ctx.policy
        .target
        .is_some_and(|t| t.applies_to.contains(a.group) && total >= t.theta_tokens)
}

/// Incidents: unintended bot actions, Poisson in the number of actions. Returns their total cost
/// in output units and pushes each cost.
fn incidents<R: Rng + ?Sized>(
    s: &Scenario,
    policy: &PolicyState,
    bot_running: bool,
    bot_tokens: f64,
    rng: &mut R,
    costs: &mut Vec<f64>,
) -> f64 {
    let mut total = 0.0;
    if bot_running && let Some(scope) = policy.platform {
        let actions = bot_tokens / s.bots.tokens_per_action;
        let lambda = actions * s.bots.incident_rate * scope_factor(s, scope);
        if lambda > 0.0
            && let Ok(pois) = Poisson::new(lambda)
        {
            let k: f64 = pois.sample(rng);
            for _ in 0..(k as u64) {
                let c = s.incident_cost.sample(rng).max(0.0);
                costs.push(c);
                total += c;
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testkit::{scenario, traits};
    use crate::policy::{Leaderboard, RankScope};
    use rand::SeedableRng;
    use rand::rngs::Xoshiro256PlusPlus;

    #[test]
    fn a_lifted_target_keeps_part_of_its_pull_for_its_members_and_fades_from_mind() {
        let mut s = scenario();
        s.behaviour.compliance_memory = 0.2;
        s.behaviour.compliance_half_life = 10.0;
        let mut policy = crate::model::testkit::target_policy();
        // given a target in force: all of its pull, surely, for its group only
        let (t, felt, in_mind) = felt_target(&s, &policy, 0, 5).unwrap();
        assert_eq!((felt, in_mind), (1.0, 1.0));
        assert!(felt_target(&s, &policy, 1, 5).is_none());
        // when it is lifted in week 30, then its members feel a fifth of it, in mind with a
        // chance that halves every 10 weeks
        policy.apply(&crate::policy::PolicyChange::Target(None));
        policy.lifted_week = 30;
        assert_eq!(policy.lifted_target, Some(t));
        let (_, felt, now) = felt_target(&s, &policy, 0, 30).unwrap();
        let (_, _, later) = felt_target(&s, &policy, 0, 50).unwrap();
        assert_eq!((felt, now), (0.2, 1.0));
        assert!((later - 0.25).abs() < 1e-12);
        let calm = incentives(&s, &policy, &traits(), (0, 31), 0.5, 0.0);
        assert!((calm.b_target - 0.5 * 0.5 * s.behaviour.target_weight * 0.2).abs() < 1e-12);
        // and without compliance memory, or once a new target is set, nothing is remembered
        s.behaviour.compliance_memory = 0.0;
        assert!(felt_target(&s, &policy, 0, 31).is_none());
        policy.apply(&crate::policy::PolicyChange::Target(Some(t)));
        assert_eq!(policy.lifted_target, None);
    }

    #[test]
    fn bot_owners_reconsider_in_the_week_a_board_changes_and_then_revert_to_the_bots_rate() {
        let mut s = scenario();
        s.behaviour.revise_bot_on_change = 0.4;
        let b = &s.behaviour;
        // given a running bot: the change's week, the weeks after, and no change at all
        assert_eq!(revise_probability(&s, true, Some(0)), 0.4);
        assert_eq!(revise_probability(&s, true, Some(1)), b.revise_bot);
        assert_eq!(revise_probability(&s, true, None), b.revise_bot);
        // and by hand, every week alike
        assert_eq!(revise_probability(&s, false, Some(0)), b.revise_manual);
        assert_eq!(revise_probability(&s, false, None), b.revise_manual);
        // a change never makes a bot's owner less attentive than usual
        s.behaviour.revise_bot_on_change = 0.0;
        assert_eq!(
            revise_probability(&s, true, Some(0)),
            s.behaviour.revise_bot
        );
    }

    #[test]
    fn planned_use_is_the_best_response_to_the_perceived_gain() {
        let s = scenario();
        let t = traits();
        let q = 0.5;
        let g = adoption::planned_use(&s, &t, q, 0.0);
        let b = &s.behaviour;
        let perceived = adoption::perceived_coef(&s, &t, q);
        let closed =
            t.token_intensity * b.token_scale * (t.skill * perceived / b.effort_cost - 1.0);
        assert!((g - closed).abs() / closed < 1e-9);
        // The perceived net value is lower a little either side of the plan.
        let kappa = b.token_scale;
        let net = |g: f64| t.skill * perceived * (g / kappa).ln_1p() - b.effort_cost * g / kappa;
        assert!(net(g) > net(g * 0.9) && net(g) > net(g * 1.1));
    }

    #[test]
    fn visible_costs_lower_planned_use() {
        let s = scenario();
        let t = traits();
        assert!(adoption::planned_use(&s, &t, 0.5, 1e-8) < adoption::planned_use(&s, &t, 0.5, 0.0));
    }

    #[test]
    fn no_incentive_means_no_padding() {
        // given no target and no leaderboard, when an agent revises, then it never pads
        let s = scenario();
        let policy = PolicyState::default();
        let ctx = WeekContext {
            week: 10,
            org_adopt_share: 0.5,
            policy: &policy,
            org_sorted_totals: &[1.0, 2.0, 3.0],
            org_index: &RankIndex::NONE,
            org_marks: peer_marks(&[1.0, 2.0, 3.0], 1.25),
            org_theta: (f64::NAN, 0.0),
            cap_tokens: f64::INFINITY,
            bot: BotWeek::of(&s, s.bots.bot_tokens),
            board_changed_week: None,
            metric: None,
        };
        let t = traits();
        let a = AgentView {
            traits: t,
            group: 0,
            proficiency: 0.5,
            optimism: t.optimism,
            monitoring: 0.3,
            has_bot: false,
            last_padding: 0.0,
            use_level: 0.0,
            board_aware: true,
            review_pressure: 0.0,
            team_adopt_share: 0.0,
            team_noise: 0.0,
            team_pad_share: 0.0,
            team_bot_share: 0.0,
            team_sorted_totals: &[],
            split: 0.0,
        };
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        for _ in 0..1000 {
            assert_eq!(
                choose_padding(&s, &ctx, &a, 1.0, false, None, 0.0, &mut rng).0,
                0.0
            );
        }
    }

    #[test]
    fn a_public_leaderboard_makes_status_seekers_pad() {
        // given a public org leaderboard and peers far above, when a status-driven agent with low
        // aversion revises, then it usually pads up toward the peer quantiles
        let s = scenario();
        let mut policy = PolicyState::default();
        policy.apply(&crate::policy::PolicyChange::Leaderboard(Some(
            Leaderboard {
                scope: RankScope::Org,
                visibility: Visibility::Public,
            },
        )));
        let peers: Vec<f64> = (1..=100).map(|i| i as f64 * 1e6).collect();
        let ctx = WeekContext {
            week: 10,
            org_adopt_share: 0.5,
            policy: &policy,
            org_sorted_totals: &peers,
            org_index: &RankIndex::new(&peers),
            org_marks: peer_marks(&peers, 1.25),
            org_theta: (f64::NAN, 0.0),
            cap_tokens: f64::INFINITY,
            bot: BotWeek::of(&s, s.bots.bot_tokens),
            board_changed_week: None,
            metric: None,
        };
        let mut t = traits();
        t.status_drive = 0.9;
        t.gaming_aversion = 0.05;
        let a = AgentView {
            traits: t,
            group: 0,
            proficiency: 0.5,
            optimism: t.optimism,
            monitoring: 0.3,
            has_bot: false,
            last_padding: 0.0,
            use_level: 0.0,
            board_aware: true,
            review_pressure: 0.0,
            team_adopt_share: 0.0,
            team_noise: 0.0,
            team_pad_share: 0.0,
            team_bot_share: 0.0,
            team_sorted_totals: &[],
            split: 0.0,
        };
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(2);
        let padded = (0..1000)
            .filter(|_| choose_padding(&s, &ctx, &a, 1e6, false, None, 0.0, &mut rng).0 > 0.0)
            .count();
        assert!(padded > 800, "padded {padded} of 1000");
        // and outcome metrics remove the incentive
        let mut outcome = policy;
        outcome.outcome_metrics = Some(crate::policy::OutcomeMetric::Changes);
        let ctx = WeekContext {
            week: 10,
            org_adopt_share: 0.5,
            policy: &outcome,
            ..ctx
        };
        let padded = (0..1000)
            .filter(|_| choose_padding(&s, &ctx, &a, 1e6, false, None, 0.0, &mut rng).0 > 0.0)
            .count();
        assert_eq!(padded, 0);
    }

    #[test]
    fn a_target_pulls_inactive_agents_up_to_theta_only() {
        let s = scenario();
        let policy = crate::model::testkit::target_policy();
        let ctx = WeekContext {
            week: 10,
            org_adopt_share: 0.5,
            policy: &policy,
            org_sorted_totals: &[],
            org_index: &RankIndex::NONE,
            org_marks: peer_marks(&[], 1.25),
            org_theta: theta_mark(&[], &policy),
            cap_tokens: f64::INFINITY,
            bot: BotWeek::of(&s, s.bots.bot_tokens),
            board_changed_week: None,
            metric: None,
        };
        let mut t = traits();
        t.career_concern = 1.0;
        let a = AgentView {
            traits: t,
            group: 0,
            proficiency: 0.5,
            optimism: t.optimism,
            monitoring: 0.9,
            has_bot: false,
            last_padding: 0.0,
            use_level: 0.0,
            board_aware: true,
            review_pressure: 0.0,
            team_adopt_share: 0.0,
            team_noise: 0.0,
            team_pad_share: 0.0,
            team_bot_share: 0.0,
            team_sorted_totals: &[],
            split: 0.0,
        };
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let mut padded = 0;
        for _ in 0..200 {
            let (p, time) = choose_padding(&s, &ctx, &a, 0.0, false, None, 0.0, &mut rng);
            assert!(p == 0.0 || p == 5e5);
            assert_eq!(time, work::pad_time_cost(&s, &a.traits, p, false));
            padded += usize::from(p == 5e5);
        }
        // a career-minded agent who believes tokens count usually pads up to theta
        assert!(padded > 150, "padded {padded} of 200");
        // and the week's work takes the padding time the choice weighed, as if taken again
        let (mut costs, mut revised) = (Vec::new(), 0);
        for _ in 0..50 {
            let w = decide(&s, &ctx, a, &mut rng, &mut costs);
            assert_eq!(
                w.work.pad_time,
                work::pad_time_cost(&s, &a.traits, w.padding, false)
            );
            revised += usize::from(w.padding > 0.0);
        }
        assert!(revised > 10, "padded in {revised} of 50 weeks");
        // an agent in another group feels no pull
        let a1 = AgentView { group: 1, ..a };
        assert_eq!(
            choose_padding(&s, &ctx, &a1, 0.0, false, None, 0.0, &mut rng).0,
            0.0
        );
    }

    #[test]
    fn a_low_review_rating_strengthens_the_career_pulls_only() {
        // given a target and a public board, when the last review put something at stake, then
        // the target pull and the career part of the rank pull grow, the status part does not
        let s = scenario();
        let mut policy = crate::model::testkit::target_policy();
        policy.apply(&crate::policy::PolicyChange::Leaderboard(Some(
            Leaderboard {
                scope: RankScope::Org,
                visibility: Visibility::Public,
            },
        )));
        let t = traits();
        let calm = incentives(&s, &policy, &t, (0, 0), 0.5, 0.0);
        let pressed = incentives(&s, &policy, &t, (0, 0), 0.5, 1.5);
        assert!((pressed.b_target - 2.5 * calm.b_target).abs() < 1e-12);
        let status = t.status_drive * s.behaviour.status_weight;
        assert!((pressed.b_rank - status - 2.5 * (calm.b_rank - status)).abs() < 1e-12);
        assert_eq!(pressed.b_top, calm.b_top);
    }
}
