//! Policy state and the changes that move it (docs/model.md).
//!
//! A [`PolicyChange`] is the payload of a `PolicyChanged` event; [`PolicyState::apply`] folds it.
//! This module holds no randomness and no agent state: it only says which policies are in force.

use std::fmt;

/// Index of a population group in [`crate::scenario::Scenario::groups`].
pub type GroupId = u16;

/// A set of groups (at most [`GroupSet::MAX_GROUPS`]), as a bit mask so policies stay `Copy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GroupSet(pub u64);

impl GroupSet {
    pub const MAX_GROUPS: usize = 64;
    pub fn contains(self, g: GroupId) -> bool {
        (g as usize) < Self::MAX_GROUPS && self.0 & (1u64 << g) != 0
    }
    pub fn insert(&mut self, g: GroupId) {
        self.0 |= 1u64 << g;
    }
}

crate::named_enum!(
    /// Who a leaderboard ranks against each other.
    RankScope {
        /// Every employee.
        Org => "org",
        /// The agent's team.
        Team => "team",
    }
);

crate::named_enum!(
    /// Who sees individual leaderboard figures.
    Visibility {
        Public => "public",
        Team => "team",
        ManagerOnly => "manager_only",
        Private => "private",
    }
);

crate::named_enum!(
    /// Permissions of agent-platform bots.
    PermissionScope {
        Broad => "broad",
        Scoped => "scoped",
        LeastPrivilege => "least_privilege",
    }
);

/// A weekly adoption target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    /// Share of the target groups that should be active each week.
    pub share: f64,
    /// Tokens per week that count as active.
    pub theta_tokens: f64,
    pub applies_to: GroupSet,
}

/// A token leaderboard in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Leaderboard {
    pub scope: RankScope,
    pub visibility: Visibility,
}

/// Manager behaviour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Managers {
    pub attention: f64,
    pub nudge: f64,
    pub review_token_weight: f64,
    pub review_every_weeks: u32,
    pub review_learning: f64,
    pub target_pressure: f64,
    pub review_noise: f64,
    pub review_stakes: f64,
}

impl Default for Managers {
    fn default() -> Self {
        let raw = crate::scenario::raw::RawManagers::default();
        Managers {
            attention: raw.attention,
            nudge: raw.nudge,
            review_token_weight: raw.review_token_weight,
            review_every_weeks: raw.review_every as u32,
            review_learning: raw.review_learning,
            target_pressure: raw.target_pressure,
            review_noise: raw.review_noise,
            review_stakes: raw.review_stakes,
        }
    }
}

/// A token budget per employee.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    /// Hard weekly cap on an employee's tokens.
    pub tokens_per_week: Option<f64>,
    /// Annual allowance as a share of salary, pro-rated to a weekly cap.
    pub salary_share: Option<f64>,
}

impl Budget {
    /// The weekly token cap this budget implies at the given price and salary.
    pub fn weekly_cap_tokens(&self, price_usd_per_mtok: f64, salary_usd: f64) -> f64 {
        let by_salary = self
            .salary_share
            .map(|s| s * salary_usd / 52.0 / price_usd_per_mtok * 1e6)
            .unwrap_or(f64::INFINITY);
        self.tokens_per_week.unwrap_or(f64::INFINITY).min(by_salary)
    }
}

/// One policy change: the payload of a `PolicyChanged` event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PolicyChange {
    Target(Option<Target>),
    Leaderboard(Option<Leaderboard>),
    Platform(Option<PermissionScope>),
    /// "Token statistics will not affect reviews": perceived monitoring falls by `trust * credibility`.
    Statement {
        credibility: f64,
    },
    Managers(Managers),
    Budget(Option<Budget>),
    CostsVisible(bool),
    OutcomeMetrics(bool),
}

impl PolicyChange {
    /// The policy's name as in a scenario file (`leaderboard`, `statement`, ...).
    pub fn key(&self) -> &'static str {
        match self {
            PolicyChange::Target(_) => "target",
            PolicyChange::Leaderboard(_) => "leaderboard",
            PolicyChange::Platform(_) => "platform",
            PolicyChange::Statement { .. } => "statement",
            PolicyChange::Managers(_) => "managers",
            PolicyChange::Budget(_) => "budget",
            PolicyChange::CostsVisible(_) => "costs_visible",
            PolicyChange::OutcomeMetrics(_) => "outcome_metrics",
        }
    }
}

impl fmt::Display for PolicyChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyChange::Target(None) => write!(f, "target off"),
            PolicyChange::Target(Some(t)) => write!(
                f,
                "target {:.0}% weekly active (>= {} tokens)",
                t.share * 100.0,
                t.theta_tokens
            ),
            PolicyChange::Leaderboard(None) => write!(f, "leaderboard off"),
            PolicyChange::Leaderboard(Some(l)) => {
                write!(
                    f,
                    "leaderboard {} / {}",
                    l.scope.as_str(),
                    l.visibility.as_str()
                )
            }
            PolicyChange::Platform(None) => write!(f, "agent platform off"),
            PolicyChange::Platform(Some(s)) => write!(f, "agent platform ({})", s.as_str()),
            PolicyChange::Statement { credibility } => {
                write!(
                    f,
                    "statement: tokens won't affect reviews (credibility {credibility})"
                )
            }
            PolicyChange::Managers(m) => write!(f, "managers (attention {})", m.attention),
            PolicyChange::Budget(None) => write!(f, "budget off"),
            PolicyChange::Budget(Some(_)) => write!(f, "token budget"),
            PolicyChange::CostsVisible(v) => write!(f, "costs visible: {v}"),
            PolicyChange::OutcomeMetrics(v) => write!(f, "outcome metrics: {v}"),
        }
    }
}

/// The policies in force. A fold of `PolicyChanged` events.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PolicyState {
    pub target: Option<Target>,
    pub leaderboard: Option<Leaderboard>,
    /// Whether a leaderboard has ever been in force: before that, agents know no peer quantiles.
    pub leaderboard_seen: bool,
    pub platform: Option<PermissionScope>,
    pub managers: Managers,
    pub budget: Option<Budget>,
    pub costs_visible: bool,
    pub outcome_metrics: bool,
}

impl PolicyState {
    /// Fold one change into the state. A statement changes beliefs, not policy: the engine's
    /// `apply` handles its effect on agents.
    pub fn apply(&mut self, change: &PolicyChange) {
        match *change {
            PolicyChange::Target(t) => self.target = t,
            PolicyChange::Leaderboard(l) => {
                self.leaderboard = l;
                self.leaderboard_seen |= l.is_some();
            }
            PolicyChange::Platform(p) => self.platform = p,
            PolicyChange::Statement { .. } => {}
            PolicyChange::Managers(m) => self.managers = m,
            PolicyChange::Budget(b) => self.budget = b,
            PolicyChange::CostsVisible(v) => self.costs_visible = v,
            PolicyChange::OutcomeMetrics(v) => self.outcome_metrics = v,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaderboard_seen_survives_shutdown() {
        let mut p = PolicyState::default();
        assert!(!p.leaderboard_seen);
        p.apply(&PolicyChange::Leaderboard(Some(Leaderboard {
            scope: RankScope::Org,
            visibility: Visibility::Public,
        })));
        p.apply(&PolicyChange::Leaderboard(None));
        assert!(p.leaderboard.is_none());
        assert!(p.leaderboard_seen);
    }

    #[test]
    fn budget_cap_is_the_tighter_of_both() {
        let b = Budget {
            tokens_per_week: Some(1e8),
            salary_share: Some(0.5),
        };
        // half of 200k a year is ~1923 USD a week, ~320M tokens at 6 USD per million
        let cap = b.weekly_cap_tokens(6.0, 200_000.0);
        assert_eq!(cap, 1e8);
        let b = Budget {
            tokens_per_week: None,
            salary_share: Some(0.5),
        };
        let cap = b.weekly_cap_tokens(6.0, 200_000.0);
        assert!((cap - 0.5 * 200_000.0 / 52.0 / 6.0 * 1e6).abs() < 1.0);
    }
}
