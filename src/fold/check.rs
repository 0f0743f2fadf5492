//! Checks that a week of events fits the state it is about to be folded into.

use super::State;
use crate::events::{AgentIds, EventKind, WeekBatch};
use crate::scenario::Scenario;

impl State {
    /// Range-check a week of events against this state before it is folded in, so a corrupt log
    /// is reported, not replayed into a panic or NaN: hires in order (agent ids consecutive,
    /// teams consecutive), every agent, team and group id below its count, a `TokensUsed` event
    /// for every employee, every number finite, tokens and costs non-negative.
    pub fn check(&self, s: &Scenario, b: &WeekBatch) -> Result<(), String> {
        check(self, s, b)
    }
}

fn check(state: &State, s: &Scenario, b: &WeekBatch) -> Result<(), String> {
    if b.week != state.weeks_applied {
        return Err(format!(
            "week {} follows week {} (weeks must come in order, from 0)",
            b.week,
            i64::from(state.weeks_applied) - 1
        ));
    }
    let (agents, teams) = check_hires(state, s, b)?;
    check_ids(b, agents, teams)?;
    if b.tokens.agent.len() != s.employees as usize {
        return Err(format!(
            "{} TokensUsed events for {} employees; the log is incomplete",
            b.tokens.agent.len(),
            s.employees
        ));
    }
    check_values(b)
}

/// The week's hires: consecutive agent ids within the scenario's size, teams in order, known
/// groups, finite traits. Returns the numbers of agents and teams once they are hired.
fn check_hires(state: &State, s: &Scenario, b: &WeekBatch) -> Result<(usize, usize), String> {
    let (mut agents, mut teams) = (state.agents(), state.teams() as usize);
    let h = &b.hires;
    for (i, t) in h.traits.iter().map(|t| t.traits()).enumerate() {
        let (a, team, g) = (
            h.agent.get(i) as usize,
            h.team[i] as usize,
            h.group[i] as usize,
        );
        if a != agents || a >= s.employees as usize {
            return Err(format!(
                "AgentHired agent {a}: expected agent {agents} of {}",
                s.employees
            ));
        }
        if team != teams && team + 1 != teams {
            return Err(format!(
                "AgentHired agent {a}: team {team} out of order ({teams} teams so far)"
            ));
        }
        if g >= s.groups.len() {
            return Err(format!(
                "AgentHired agent {a}: group {g} of {}",
                s.groups.len()
            ));
        }
        let values = t.values();
        if values.iter().any(|v| !v.is_finite()) {
            return Err(format!("AgentHired agent {a}: a trait is not finite"));
        }
        agents += 1;
        teams = teams.max(team + 1);
    }
    Ok((agents, teams))
}

/// Every agent id of the week below `agents`, every nudged team below `teams`.
fn check_ids(b: &WeekBatch, agents: usize, teams: usize) -> Result<(), String> {
    for (kind, mut ids) in [
        (
            EventKind::BotDeployed,
            Box::new(b.bots.iter().map(|(a, _)| *a)) as Ids,
        ),
        (EventKind::UseChanged, listed(&b.uses.agent)),
        (EventKind::BoardNoticed, listed(&b.notices)),
        (EventKind::SplitChanged, listed(&b.splits.agent)),
        (EventKind::TokensUsed, per_agent(&b.tokens.agent)),
        (EventKind::IncidentOccurred, listed(&b.incidents.agent)),
        (EventKind::WorkDelivered, per_agent(&b.work.agent)),
        (EventKind::ReviewHeld, per_agent(&b.reviews.agent)),
    ] {
        if let Some(a) = ids.find(|a| *a as usize >= agents) {
            return Err(format!(
                "{}: agent {a} is not one of the {agents} agents",
                kind.as_str()
            ));
        }
    }
    if let Some(t) = b.nudges.iter().find(|t| **t as usize >= teams) {
        return Err(format!(
            "ManagerNudged: team {t} is not one of the {teams} teams"
        ));
    }
    Ok(())
}

/// The agent ids of one kind of event, listed or per agent.
type Ids<'a> = Box<dyn Iterator<Item = u32> + 'a>;

fn listed(ids: &[u32]) -> Ids<'_> {
    Box::new(ids.iter().copied())
}

fn per_agent(ids: &AgentIds) -> Ids<'_> {
    Box::new(ids.iter())
}

/// Every number of the week finite, and tokens, costs and levels non-negative.
fn check_values(b: &WeekBatch) -> Result<(), String> {
    let t = &b.tokens;
    let w = &b.work;
    let columns: [(&str, &[f64], bool); 11] = [
        ("UseChanged level", &b.uses.level, true),
        ("SplitChanged level", &b.splits.value, true),
        ("TokensUsed genuine", &t.genuine, true),
        ("TokensUsed padding", &t.padding, true),
        ("TokensUsed bot", &t.bot, true),
        ("IncidentOccurred cost", &b.incidents.value, true),
        ("WorkDelivered output", &w.output, false),
        ("WorkDelivered rework", &w.rework, true),
        ("WorkDelivered noise", &w.noise, true),
        ("WorkDelivered pad_time", &w.pad_time, true),
        ("WorkDelivered perceived", &w.perceived, false),
    ];
    let reviews: [(&str, &[f32]); 2] = [
        ("ReviewHeld rating", &b.reviews.rating),
        ("ReviewHeld belief_shock", &b.reviews.belief_shock),
    ];
    let bad = columns
        .into_iter()
        .find_map(|(what, values, nn)| Some((what, first_bad(values, nn)?, nn)))
        .or_else(|| {
            reviews.into_iter().find_map(|(what, values)| {
                let v = values.iter().copied().find(|v| !v.is_finite())?;
                Some((what, f64::from(v), false))
            })
        });
    match bad {
        Some((what, v, true)) => Err(format!("{what} = {v}, expected a finite number >= 0")),
        Some((what, v, false)) => Err(format!("{what} = {v}, expected a finite number")),
        None => Ok(()),
    }
}

/// The first value that is not finite (or, if `non_negative`, is below zero). Blocks of values
/// are tested without a branch per value (which the compiler vectorises), and a block with a
/// bad value is searched again for the first.
fn first_bad(values: &[f64], non_negative: bool) -> Option<f64> {
    let bad = |v: f64| !v.is_finite() || (non_negative && v < 0.0);
    values.chunks(4096).find_map(|block| {
        let ok = block.iter().fold(true, |ok, v| {
            ok & (v.abs() < f64::INFINITY) & (!non_negative | (*v >= 0.0))
        });
        if ok {
            None
        } else {
            block.iter().copied().find(|v| bad(*v))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testkit::sized;

    #[test]
    fn the_first_bad_value_is_found_in_any_block() {
        let mut v = vec![1.0; 10_000];
        assert_eq!(first_bad(&v, true), None);
        v[9_000] = -0.5;
        assert_eq!(first_bad(&v, false), None);
        assert_eq!(first_bad(&v, true), Some(-0.5));
        v[5_000] = f64::NAN;
        assert!(first_bad(&v, false).is_some_and(f64::is_nan));
        v[4_097] = f64::NEG_INFINITY;
        assert_eq!(first_bad(&v, false), Some(f64::NEG_INFINITY));
        // Negative zero is not below zero.
        assert_eq!(first_bad(&[-0.0, 2.0], true), None);
    }

    #[test]
    fn an_extra_event_per_agent_names_the_first_agent_out_of_range() {
        // given a run's week 1, when its dense columns name agents past those hired, then the
        // check names the first of them
        let s = sized("amazon-2026", 50, 3);
        let (_, log) = crate::simulate_with_log(&s, 0);
        let mut state = State::new(&s);
        state.apply_week(&s, &log.weeks[0]);
        assert_eq!(state.check(&s, &log.weeks[1]), Ok(()));
        let mut bad = log.weeks[1].clone();
        bad.work.agent = AgentIds::Dense(52);
        assert_eq!(
            state.check(&s, &bad),
            Err("WorkDelivered: agent 50 is not one of the 50 agents".to_string())
        );
    }
}
