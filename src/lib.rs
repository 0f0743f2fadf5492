//! # tokenmaxx
//!
//! An event-sourced, agent-based simulator of what a company's AI-adoption policy does: how many
//! tokens people burn, how much of that is real work, what it costs and what risk it brings.
//!
//! Data flows one way: scenario (TOML) -> model (behaviour rules, pure functions) -> engine
//! (weekly steps, parallel over agents) -> events -> fold (the state as a fold of events) ->
//! projections -> reports. Replay and fork stand above the engine and fold stored events through
//! the same fold. Every state change is an event; every figure is a fold of events.
//!
//! ```
//! use tokenmaxx::scenario::{Overrides, Scenario, Source};
//!
//! // 1. A scenario: a built-in (or a path), here shrunk for a quick run.
//! let o = Overrides { employees: Some(400), weeks: Some(12), ..Overrides::default() };
//! let (scenario, _notes) = Scenario::load_with(&Source::Builtin("amazon-2026".into()), &o).unwrap();
//!
//! // 2. Run it, keeping the event log.
//! let (projections, log) = tokenmaxx::simulate_with_log(&scenario, 0);
//! assert_eq!(projections.weekly.len(), 12);
//!
//! // 3. The log is the truth: replaying it rebuilds the same projections.
//! let replayed = tokenmaxx::replay::replay(&scenario, &log).unwrap();
//! assert_eq!(replayed, projections);
//! println!("padding share: {:.1}%", projections.summary.padding_share * 100.0);
//! ```

pub mod compare;
pub mod decision;
pub mod engine;
pub mod events;
pub mod explore;
pub mod facts;
pub mod fit;
pub mod fold;
pub mod hash;
pub mod import;
pub mod model;
pub mod names;
pub mod panics;
pub mod paths;
pub mod policy;
pub mod projections;
pub mod replay;
pub mod report;
pub mod scenario;
pub mod sweep;

use std::path::Path;

use engine::{NoProgress, Progress};
use events::log::EventLog;
use events::store::{EventWriter, StoreError};
use fold::EventSink;
use projections::{Projections, Projector};
use scenario::Scenario;

/// Run a scenario and return its projections.
pub fn simulate(scenario: &Scenario, replication: u32) -> Projections {
    simulate_with_progress(scenario, replication, &NoProgress)
}

/// Run a scenario, reporting progress after each week.
pub fn simulate_with_progress(
    scenario: &Scenario,
    replication: u32,
    progress: &dyn Progress,
) -> Projections {
    let mut projector = Projector::new(replication);
    engine::run(scenario, replication, &mut [&mut projector], progress);
    projector.finish(scenario)
}

/// Run a scenario unless `progress` cancels it (checked before each week): `None` when it did.
pub fn simulate_cancellable(
    scenario: &Scenario,
    replication: u32,
    progress: &dyn Progress,
) -> Option<Projections> {
    let mut projector = Projector::new(replication);
    engine::run(scenario, replication, &mut [&mut projector], progress);
    (!progress.cancelled()).then(|| projector.finish(scenario))
}

/// Run a scenario and return its projections and its whole event log (small runs: the log of a
/// run holds a few events per agent-week).
pub fn simulate_with_log(scenario: &Scenario, replication: u32) -> (Projections, EventLog) {
    let mut projector = Projector::new(replication);
    let mut log = EventLog::default();
    engine::run(
        scenario,
        replication,
        &mut [&mut projector, &mut log],
        &NoProgress,
    );
    (projector.finish(scenario), log)
}

/// Run a scenario, streaming its event log to the Parquet file `events` when one is given (as
/// `tokenmaxx run --events` does). Returns the projections and, with `events`, the rows and
/// bytes written. The file is created before the run, so an unwritable path fails fast.
pub fn simulate_storing(
    scenario: &Scenario,
    replication: u32,
    events: Option<&Path>,
    progress: &dyn Progress,
) -> Result<(Projections, Option<(u64, u64)>), StoreError> {
    let mut store = match events {
        Some(path) => Some(EventWriter::create(path, scenario, replication)?),
        None => None,
    };
    let mut projector = Projector::new(replication);
    let mut sinks: Vec<&mut dyn EventSink> = vec![&mut projector];
    if let Some(w) = store.as_mut() {
        sinks.push(w);
    }
    engine::run(scenario, replication, &mut sinks, progress);
    let stored = store.map(EventWriter::finish).transpose()?;
    Ok((projector.finish(scenario), stored))
}
