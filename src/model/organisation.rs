//! The organisation's layout at hiring (docs/model.md, section 5.1): groups in contiguous blocks of
//! agents by share (teams are then mostly homogeneous, as real teams are) and teams of
//! `team_size` consecutive agents. Pure functions of the scenario.

use crate::scenario::Scenario;

/// End (exclusive) of each group's block of agents, by largest remainder so counts are exact.
pub fn group_blocks(s: &Scenario) -> Vec<usize> {
    let n = s.employees as usize;
    let exact: Vec<f64> = s.groups.iter().map(|g| g.share * n as f64).collect();
    let mut counts: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
    let mut left = n - counts.iter().sum::<usize>();
    let mut order: Vec<usize> = (0..counts.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor())
            .total_cmp(&(exact[a] - exact[a].floor()))
            .then(a.cmp(&b))
    });
    for &g in order.iter().cycle() {
        if left == 0 {
            break;
        }
        if s.groups[g].share > 0.0 {
            counts[g] += 1;
            left -= 1;
        }
    }
    counts
        .iter()
        .scan(0, |acc, c| {
            *acc += c;
            Some(*acc)
        })
        .collect()
}

/// The team of agent `i`: consecutive blocks of `team_size` agents.
pub fn team_of(s: &Scenario, i: u32) -> u32 {
    i / s.team_size
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Overrides, Source};

    #[test]
    fn groups_get_exact_counts_by_largest_remainder_and_teams_are_consecutive() {
        // given 10 employees split 0.6 / 0.4 (and then 0.55 / 0.45), when hired, then the blocks
        // hold exactly 6 and 4 (and 6 and 4 again: the larger remainder wins the odd one)
        let o = Overrides {
            employees: Some(10),
            ..Overrides::default()
        };
        let s = Scenario::load_with(&Source::Builtin("baseline".into()), &o)
            .unwrap()
            .0;
        assert_eq!(group_blocks(&s), vec![6, 10]);
        let mut s2 = s.clone();
        s2.groups[0].share = 0.55;
        s2.groups[1].share = 0.45;
        assert_eq!(group_blocks(&s2), vec![6, 10]);
        assert_eq!((team_of(&s, 0), team_of(&s, 7), team_of(&s, 8)), (0, 0, 1));
    }
}
