//! Forks: replay a stored run up to week K, then continue it live under another scenario's
//! policy timeline (a counterfactual branch from the same population and state).
//!
//! At week K the fork emits, as `PolicyChanged` events in the levers' order, every lever that
//! stays in force (all but statements) on which the other scenario, folded up to week K,
//! differs from what is in force, plus the other scenario's one-off changes (statements) of
//! week K (`PolicyChange::differences`); after K it follows the other scenario's timeline. Parameters other than
//! the timeline (behaviour, population, money) stay the base run's. With the base scenario as the
//! "other", a fork reproduces the base run's weeks K.. exactly.

use std::path::Path;

use super::{stored_range, stored_weeks};
use crate::engine::{NoProgress, Progress, Simulation};
use crate::events::store::{EventReader, StoreError};
use crate::fold::EventSink;
use crate::policy::{PolicyChange, PolicyState};
use crate::projections::Projections;
use crate::scenario::{Scenario, ScenarioError, ScheduledChange};

/// The outcome of a fork.
pub struct Fork {
    pub base: Projections,
    pub fork: Projections,
    pub scenario: Scenario,
    pub at: u32,
}

/// The fork's scenario: the base run's parameters with the timeline a fork at `at` follows.
pub fn fork_scenario(
    base: &Scenario,
    in_force: &PolicyState,
    other: &Scenario,
    at: u32,
) -> Scenario {
    let mut target = PolicyState::default();
    for c in other.timeline.iter().filter(|c| c.week <= at) {
        target.apply(&c.change);
    }
    let same_week: Vec<PolicyChange> = other
        .timeline
        .iter()
        .filter(|c| c.week == at)
        .map(|c| c.change)
        .collect();
    let at_k = PolicyChange::differences(in_force, &target, &same_week);
    let mut timeline: Vec<ScheduledChange> = base
        .timeline
        .iter()
        .filter(|c| c.week < at)
        .copied()
        .collect();
    timeline.extend(
        at_k.into_iter()
            .map(|change| ScheduledChange { week: at, change }),
    );
    timeline.extend(
        other
            .timeline
            .iter()
            .filter(|c| c.week > at && c.week < base.weeks)
            .copied(),
    );
    let mut s = base.clone();
    s.name = format!("{}-fork-{}-at-{at}", base.name, other.name);
    s.description = format!(
        "{} until week {at}, then {}'s policies",
        base.name, other.name
    );
    s.timeline = timeline;
    s
}

/// Fork the run stored at `log` at week `at` under `other`'s timeline. `sinks` see every week of
/// the fork (the replayed ones included), e.g. an event writer.
pub fn fork(
    log: &Path,
    at: u32,
    other: &Scenario,
    sinks: &mut [&mut dyn EventSink],
    progress: &dyn Progress,
) -> Result<Fork, StoreError> {
    let reader = EventReader::open(log)?;
    let base = reader.scenario()?;
    if at >= base.weeks {
        return Err(StoreError::Scenario(ScenarioError::OutOfRange {
            file: log.display().to_string(),
            key: "--at".into(),
            value: at.to_string(),
            allowed: format!("a week of the run, [0, {}]", base.weeks - 1),
        }));
    }
    if other.groups.len() != base.groups.len()
        || other
            .groups
            .iter()
            .zip(&base.groups)
            .any(|(a, b)| a.name != b.name)
    {
        return Err(StoreError::Invalid {
            path: log.to_path_buf(),
            message: format!(
                "{} has other population groups than the base run; a fork keeps the base population",
                other.name
            ),
        });
    }
    // Replay the shared weeks once: the fork continues from a copy, the base from the original.
    // One pass over the file: the stream stops after week `at - 1` and the base's weeks go on
    // from there.
    let mut stream = reader.weeks()?;
    let (state, mut projector) = stored_weeks(&mut stream, &base, at, sinks)?;
    let (mut base_state, mut base_projector) = (state.clone(), projector.clone());
    stored_range(
        &mut stream,
        &base,
        &mut base_state,
        &mut base_projector,
        at..base.weeks,
        &mut [],
    )?;
    drop(base_state);
    let base_projections = base_projector.finish(&base);

    let scenario = fork_scenario(&base, &state.policy, other, at);
    let mut sim = Simulation::resume(&scenario, reader.header.replication, state);
    let mut all: Vec<&mut dyn EventSink> = vec![&mut projector];
    for s in sinks.iter_mut() {
        all.push(&mut **s);
    }
    sim.run(&mut all, progress);
    let fork_projections = projector.finish(&scenario);
    Ok(Fork {
        base: base_projections,
        fork: fork_projections,
        scenario,
        at,
    })
}

/// Fork without extra sinks or progress.
pub fn fork_simple(log: &Path, at: u32, other: &Scenario) -> Result<Fork, StoreError> {
    fork(log, at, other, &mut [], &NoProgress)
}
