//! Policy levers, the policies in force and the changes that move them (docs/model.md).
//!
//! Every lever is declared once, in [`levers`]: its form in a scenario file, its checks, its
//! value, and what a fork, a chart and a sweep need of it. A [`PolicyChange`] is the payload of
//! a `PolicyChanged` event; [`PolicyState::apply`] folds it. [`lever`] says what a lever is and
//! holds the macro that derives every "any lever" list; [`check`] holds the rules its settings
//! are checked by. This module holds no randomness and no agent state: it only says which
//! policies are in force.

pub mod check;
pub mod lever;
pub mod levers;
#[cfg(test)]
mod tests_levers;

pub use lever::Switch;
pub use levers::*;

/// Index of a population group in the scenario's `groups` (in file order).
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
