//! Replay and fork: rebuild a run from its events alone, and branch a stored run into a
//! counterfactual. This layer stands above the engine (a fork continues a replayed state live)
//! and the fold; replay itself is one loop, [`fold_weeks`], whatever the events come from (an
//! in-memory [`EventLog`] or a stored `events.parquet`).

pub mod fork;

use std::borrow::Borrow;
use std::path::Path;

use crate::events::log::EventLog;
use crate::events::store::{EventReader, StoreError, WeekStream};
use crate::events::{Event, WeekBatch};
use crate::fold::{EventSink, State};
use crate::projections::{Projections, Projector};
use crate::scenario::Scenario;

/// A log that does not fold: the week and what is wrong with it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("week {week}: {message}")]
pub struct ReplayError {
    pub week: u32,
    pub message: String,
}

/// The one replay loop: check each week against `state`, fold it in and hand it to `sinks`.
/// A week that does not fit stops the replay with `corrupt(week, reason)`.
pub fn fold_weeks<B: Borrow<WeekBatch>, E>(
    scenario: &Scenario,
    state: &mut State,
    weeks: impl IntoIterator<Item = Result<B, E>>,
    sinks: &mut [&mut dyn EventSink],
    corrupt: impl Fn(u32, String) -> E,
) -> Result<(), E> {
    for batch in weeks {
        let batch = batch?;
        let b = batch.borrow();
        state.check(scenario, b).map_err(|m| corrupt(b.week, m))?;
        state.apply_week(scenario, b);
        for sink in sinks.iter_mut() {
            sink.week(scenario, b, state);
        }
    }
    Ok(())
}

/// Rebuild the state of a run by folding its in-memory event log from an empty state.
pub fn replay_state(
    scenario: &Scenario,
    log: &EventLog,
    sinks: &mut [&mut dyn EventSink],
) -> Result<State, ReplayError> {
    let mut state = State::new(scenario);
    let start = Event::RunStarted {
        seed: log.seed,
        replication: log.replication,
        scenario_hash: log.scenario_hash,
    };
    for sink in sinks.iter_mut() {
        sink.started(scenario, &start);
    }
    let weeks = log.weeks.iter().map(Ok);
    fold_weeks(scenario, &mut state, weeks, sinks, |week, message| {
        ReplayError { week, message }
    })?;
    if let Some(weeks) = log.finished {
        for sink in sinks.iter_mut() {
            sink.finished(scenario, &Event::RunFinished { weeks }, &state);
        }
    }
    Ok(state)
}

/// Rebuild every projection of a run from its in-memory event log alone.
pub fn replay(scenario: &Scenario, log: &EventLog) -> Result<Projections, ReplayError> {
    let mut projector = Projector::new(log.replication);
    replay_state(scenario, log, &mut [&mut projector])?;
    Ok(projector.finish(scenario))
}

/// Rebuild a run's scenario, final state and projections from its stored log alone, reading the
/// file once, front to back.
pub fn stored(path: &Path) -> Result<(Scenario, State, Projections), StoreError> {
    let reader = EventReader::open(path)?;
    let scenario = reader.scenario()?;
    let mut stream = reader.weeks()?;
    let (state, projector) = stored_weeks(&mut stream, &scenario, reader.header.weeks, &mut [])?;
    let projections = projector.finish(&scenario);
    Ok((scenario, state, projections))
}

/// Fold the first `weeks` weeks of a stored log's stream into a fresh state and projector (and
/// extra sinks). Only those weeks are read: the stream stops at the first row of the next week.
pub fn stored_weeks(
    stream: &mut WeekStream,
    scenario: &Scenario,
    weeks: u32,
    sinks: &mut [&mut dyn EventSink],
) -> Result<(State, Projector), StoreError> {
    let mut state = State::new(scenario);
    let mut projector = Projector::new(stream.header().replication);
    let range = 0..weeks;
    stored_range(stream, scenario, &mut state, &mut projector, range, sinks)?;
    Ok((state, projector))
}

/// Continue folding a stored log's stream, weeks `range`, into `state` and `projector` (and
/// extra sinks); `range` must start at the stream's next week. After the log's last week the
/// projector is told the run finished.
pub fn stored_range(
    stream: &mut WeekStream,
    scenario: &Scenario,
    state: &mut State,
    projector: &mut Projector,
    range: std::ops::Range<u32>,
    sinks: &mut [&mut dyn EventSink],
) -> Result<(), StoreError> {
    let path = stream.path();
    let corrupt = |message: String| StoreError::Corrupt {
        path: path.to_path_buf(),
        message,
    };
    if range.start != stream.next_week() {
        return Err(StoreError::Invalid {
            path: stream.path().to_path_buf(),
            message: format!(
                "weeks {range:?} asked of a stream at week {}",
                stream.next_week()
            ),
        });
    }
    let end = range.end.min(stream.header().weeks);
    let horizon = stream.header().weeks;
    let n = end.saturating_sub(range.start) as usize;
    {
        let mut all: Vec<&mut dyn EventSink> = vec![&mut *projector];
        for s in sinks.iter_mut() {
            all.push(&mut **s);
        }
        fold_weeks(
            scenario,
            state,
            stream.by_ref().take(n),
            &mut all,
            |w, m| corrupt(format!("week {w}: {m}")),
        )?;
    }
    if end == horizon {
        projector.finished(scenario, &Event::RunFinished { weeks: end }, state);
    }
    Ok(())
}
