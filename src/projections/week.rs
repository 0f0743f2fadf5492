//! One week's dense events folded: `TokensUsed` into [`TokenFold`], `WorkDelivered` into
//! [`WorkFold`], each agent's running totals updated on the way.
//!
//! When a week has one event per agent in agent order (every week the engine writes), the fold
//! runs in parallel over fixed pieces of [`PIECE`] agents, and the pieces' sums are added in
//! piece order, so the result is the same at any thread count. Another layout is folded in one
//! piece, in event order.

use rayon::prelude::*;

use super::AgentTotals;
use super::stats::{gather_by_key, gini_sorted, median_in_place};
use crate::events::{WeekBatch, is_dense};
use crate::model::rank;
use crate::policy::GroupSet;

/// Agents per piece of a parallel fold (fixed: sums do not depend on the thread count).
const PIECE: usize = 4096;

/// Sum of `f` over `v` as the parallel folds add a column: each piece in order, then the pieces
/// in order (so a week's output equals this sum of skills bit for bit when nobody's output moved).
pub(super) fn piece_sum<T>(v: &[T], f: impl Fn(&T) -> f64) -> f64 {
    v.chunks(PIECE)
        .map(|c| c.iter().fold(0.0, |a, x| a + f(x)))
        .fold(0.0, |a, x| a + x)
}

/// Fold a week's `TokensUsed` and `WorkDelivered` events, adding them to `t`: first the sums, in
/// parallel pieces; then both folds' selections side by side (the token fold's Gini and median,
/// the work fold's two medians one after the other; each over up to a million values in one
/// thread). `sorted`: this week's totals, sorted.
pub(super) fn fold_week(
    b: &WeekBatch,
    t: &mut AgentTotals,
    rules: &TokenRules,
    sorted: &[f64],
) -> (TokenFold, WorkFold) {
    let tokens = TokenFold::sum(b, t, rules);
    let work = WorkFold::sum(b, t, rules.tracked);
    let t = &*t;
    rayon::join(
        || TokenFold::finish(tokens, b, rules, sorted),
        || WorkFold::finish(work, b, t),
    )
}

/// A week's `TokensUsed` events folded: totals by kind, the dashboard's and the genuine activity
/// of the tracked groups, the distribution of totals, and what genuinely active users cost.
pub(super) struct TokenFold {
    pub genuine: f64,
    pub padding: f64,
    pub bot: f64,
    /// Tracked-group members, those at or above theta on the dashboard, and genuinely.
    pub members: usize,
    pub reported: usize,
    pub genuine_active: usize,
    pub p50: f64,
    pub p99: f64,
    pub gini: f64,
    pub median_active_cost: Option<f64>,
    /// Mean weekly cost of the genuinely active members (like with like for published means).
    pub mean_active_cost: Option<f64>,
}

/// One piece of a [`TokenFold`].
#[derive(Default)]
struct TokenPiece {
    genuine: f64,
    padding: f64,
    bot: f64,
    sum_of_totals: f64,
    members: usize,
    reported: usize,
    genuine_active: usize,
    /// The genuinely active members' events (indices into the week's tokens columns): the
    /// median of their costs is taken from the columns, not from a copy of the costs.
    active: Vec<u32>,
}

/// What a week's token fold needs besides the events.
pub(super) struct TokenRules<'a> {
    pub tracked: &'a GroupSet,
    pub theta: f64,
    pub price: f64,
}

impl TokenPiece {
    /// Add one agent's week, event `k`; `tracked`: the agent belongs to a tracked group.
    fn add(&mut self, k: usize, (g, p, bo): (f64, f64, f64), tracked: bool, r: &TokenRules) {
        let total = g + p + bo;
        self.genuine += g;
        self.padding += p;
        self.bot += bo;
        self.sum_of_totals += total;
        if tracked {
            self.members += 1;
            self.reported += usize::from(total >= r.theta);
            // Real work: the employee's own genuine tokens and their bot's useful ones.
            if g + bo >= r.theta {
                self.genuine_active += 1;
                self.active.push(k as u32);
            }
        }
    }

    /// Append a later piece.
    fn then(mut self, next: TokenPiece) -> TokenPiece {
        self.genuine += next.genuine;
        self.padding += next.padding;
        self.bot += next.bot;
        self.sum_of_totals += next.sum_of_totals;
        self.members += next.members;
        self.reported += next.reported;
        self.genuine_active += next.genuine_active;
        self.active.extend(next.active);
        self
    }
}

impl TokenFold {
    /// Add the week's tokens to `t`, and sum them up to the selections of [`TokenFold::finish`].
    fn sum(b: &WeekBatch, t: &mut AgentTotals, r: &TokenRules) -> TokenPiece {
        let tok = &b.tokens;
        if is_dense(&tok.agent, t.traits.len()) {
            let group = &t.group;
            let pieces = (
                t.genuine.par_chunks_mut(PIECE),
                t.padding.par_chunks_mut(PIECE),
                t.bot.par_chunks_mut(PIECE),
                t.user_this_week.par_chunks_mut(PIECE),
            )
                .into_par_iter()
                .enumerate()
                .map(|(c, (ge, pa, bo, user))| {
                    let mut piece = TokenPiece::default();
                    for k in 0..ge.len() {
                        let i = c * PIECE + k;
                        let v = (tok.genuine[i], tok.padding[i], tok.bot[i]);
                        ge[k] += v.0;
                        pa[k] += v.1;
                        bo[k] += v.2;
                        user[k] = v.0 > 0.0;
                        piece.add(i, v, r.tracked.contains(group[i]), r);
                    }
                    piece
                })
                .collect::<Vec<_>>();
            let mut all = TokenPiece::default();
            // Exact size: growing by doubling could take twice the memory the list needs.
            all.active
                .reserve_exact(pieces.iter().map(|p| p.active.len()).sum());
            pieces.into_iter().fold(all, TokenPiece::then)
        } else {
            let mut piece = TokenPiece::default();
            for k in 0..tok.agent.len() {
                let i = tok.agent.get(k) as usize;
                let v = (tok.genuine[k], tok.padding[k], tok.bot[k]);
                t.genuine[i] += v.0;
                t.padding[i] += v.1;
                t.bot[i] += v.2;
                t.user_this_week[i] = v.0 > 0.0;
                piece.add(k, v, r.tracked.contains(t.group[i]), r);
            }
            piece
        }
    }

    /// The fold from its sums; `sorted` is every employee's total this week, sorted (the fold
    /// state's `sorted_last_totals`, shared with the engine's readers of ranks).
    fn finish(piece: TokenPiece, b: &WeekBatch, r: &TokenRules, sorted: &[f64]) -> Self {
        let tok = &b.tokens;
        // An active member's cost this week: their total tokens at the price.
        let cost = |k: u32| {
            let k = k as usize;
            (tok.genuine[k] + tok.padding[k] + tok.bot[k]) * r.price
        };
        // The Gini's weighted sum and the median's selection each read up to a million values
        // in one thread; they run side by side. The costs are gathered once, summed in the
        // active members' order for the mean, then selected for the median.
        let (gini, (median_active_cost, mean_active_cost)) = rayon::join(
            || gini_sorted(sorted, piece.sum_of_totals),
            || {
                let mut costs = Vec::new();
                gather_by_key(&mut costs, &piece.active, cost);
                let n = costs.len();
                let mean = (n > 0).then(|| costs.iter().sum::<f64>() / n as f64);
                (median_in_place(&mut costs), mean)
            },
        );
        TokenFold {
            genuine: piece.genuine,
            padding: piece.padding,
            bot: piece.bot,
            members: piece.members,
            reported: piece.reported,
            genuine_active: piece.genuine_active,
            p50: rank::quantile(sorted, 0.5),
            p99: rank::quantile(sorted, 0.99),
            gini,
            median_active_cost,
            mean_active_cost,
        }
    }

    pub fn total(&self) -> f64 {
        self.genuine + self.padding + self.bot
    }

    /// Share of the tracked groups' members (0 without members).
    pub fn share(&self, count: usize) -> f64 {
        if self.members > 0 {
            count as f64 / self.members as f64
        } else {
            0.0
        }
    }
}

/// A week's `WorkDelivered` events folded: output and its costs, perceived and measured gains.
pub(super) struct WorkFold {
    pub output: f64,
    pub rework: f64,
    pub noise: f64,
    pub pad_time: f64,
    pub perceived: f64,
    pub measured: f64,
    pub say_faster: f64,
    pub are_faster: f64,
}

/// One piece of a [`WorkFold`].
#[derive(Default)]
struct WorkPiece {
    output: f64,
    rework: f64,
    noise: f64,
    pad_time: f64,
    /// The surveyed users' events (indices into the week's work columns): their perceived and
    /// measured gains are read from the columns, not copied.
    surveyed: Vec<u32>,
}

impl WorkPiece {
    /// Add event `k` of the week, agent `i`'s; `surveyed`: the agent is a genuine user this week
    /// in a tracked group, with a skill to measure against.
    fn add(&mut self, b: &WeekBatch, k: usize, surveyed: bool) {
        let w = &b.work;
        self.output += w.output[k];
        self.rework += w.rework[k];
        self.noise += w.noise[k];
        self.pad_time += w.pad_time[k];
        if surveyed {
            self.surveyed.push(k as u32);
        }
    }

    fn then(mut self, next: WorkPiece) -> WorkPiece {
        self.output += next.output;
        self.rework += next.rework;
        self.noise += next.noise;
        self.pad_time += next.pad_time;
        self.surveyed.extend(next.surveyed);
        self
    }
}

impl WorkFold {
    /// Add the week's work to `t` (after [`TokenFold::sum`], which marks this week's users), and
    /// sum it up to the selections of [`WorkFold::finish`].
    fn sum(b: &WeekBatch, t: &mut AgentTotals, tracked: &GroupSet) -> WorkPiece {
        let w = &b.work;
        let surveyed = |t: &AgentTotals, i: usize| {
            t.user_this_week[i] && tracked.contains(t.group[i]) && t.traits[i].skill() > 0.0
        };
        if is_dense(&w.agent, t.traits.len()) {
            let mut output = std::mem::take(&mut t.output);
            let tt = &*t;
            let pieces = output
                .par_chunks_mut(PIECE)
                .enumerate()
                .map(|(c, out)| {
                    let mut piece = WorkPiece::default();
                    for (k, o) in out.iter_mut().enumerate() {
                        let i = c * PIECE + k;
                        *o += w.output[i];
                        piece.add(b, i, surveyed(tt, i));
                    }
                    piece
                })
                .collect::<Vec<_>>();
            let mut all = WorkPiece::default();
            // Exact size, as for the token fold's active users.
            all.surveyed
                .reserve_exact(pieces.iter().map(|p| p.surveyed.len()).sum());
            let piece = pieces.into_iter().fold(all, WorkPiece::then);
            t.output = output;
            piece
        } else {
            let mut piece = WorkPiece::default();
            for (k, agent) in w.agent.iter().enumerate() {
                let i = agent as usize;
                t.output[i] += w.output[k];
                piece.add(b, k, surveyed(t, i));
            }
            piece
        }
    }

    fn finish(p: WorkPiece, b: &WeekBatch, t: &AgentTotals) -> WorkFold {
        let w = &b.work;
        let perceived = |k: u32| w.perceived[k as usize];
        // Output over the agent's no-AI output, minus one.
        let measured = |k: u32| {
            let k = k as usize;
            w.output[k] / t.traits[w.agent.get(k) as usize].skill() - 1.0
        };
        // Two selections of up to a million values, one after the other in one buffer: the
        // token fold's Gini and median run beside them, which keeps two threads busy, and the
        // values of only one selection are held at a time (3 MB at a million). Each gathered
        // gain also gives the share of the surveyed above zero, before its selection.
        let mut values = Vec::new();
        let mut share_and_median = |v: &(dyn Fn(u32) -> f64 + Sync)| {
            gather_by_key(&mut values, &p.surveyed, v);
            let above = values.par_iter().filter(|x| **x > 0.0).count();
            let share = if values.is_empty() {
                0.0
            } else {
                above as f64 / values.len() as f64
            };
            (share, median_in_place(&mut values).unwrap_or(0.0))
        };
        let (say_faster, perceived) = share_and_median(&perceived);
        let (are_faster, measured) = share_and_median(&measured);
        WorkFold {
            output: p.output,
            rework: p.rework,
            noise: p.noise,
            pad_time: p.pad_time,
            say_faster,
            are_faster,
            perceived,
            measured,
        }
    }
}
