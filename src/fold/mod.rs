//! The fold layer: a run's state as a fold of its events, and the sinks that receive them.
//!
//! [`State::apply`] is the only function that changes a run's state (the engine borrows last
//! week's columns while it decides a week: `State::take_last_week`). The live engine and replay
//! both stand on this layer: the engine emits a week's events and folds them here; replay folds
//! stored events here; the projections and the event store are [`EventSink`]s that receive each
//! week's events together with the state they produced. Nothing in this layer draws a random
//! number or decides anything: every draw is already in the events. The event types and their
//! store (`events`) stand below this layer and know nothing of it; their sink implementations are
//! here.

mod check;
mod state;

pub(crate) use state::LastWeek;
pub use state::State;

use crate::events::log::EventLog;
use crate::events::store::EventWriter;
use crate::events::{Event, WeekBatch};
use crate::scenario::Scenario;

/// Receives every week's events and the state they produced. Projections, the event store and
/// the in-memory [`EventLog`] implement it.
pub trait EventSink {
    /// The run started.
    fn started(&mut self, _scenario: &Scenario, _run: &Event) {}
    /// A week's events, already folded into `state`.
    fn week(&mut self, scenario: &Scenario, batch: &WeekBatch, state: &State);
    /// The run finished.
    fn finished(&mut self, _scenario: &Scenario, _run: &Event, _state: &State) {}
}

/// Keeps every batch in memory (for replay and tests on small runs).
impl EventSink for EventLog {
    fn started(&mut self, _s: &Scenario, run: &Event) {
        if let Event::RunStarted {
            seed,
            replication,
            scenario_hash,
        } = *run
        {
            self.seed = seed;
            self.replication = replication;
            self.scenario_hash = scenario_hash;
        }
    }
    fn week(&mut self, _s: &Scenario, batch: &WeekBatch, _state: &State) {
        self.weeks.push(batch.clone());
    }
    fn finished(&mut self, _s: &Scenario, run: &Event, _state: &State) {
        if let Event::RunFinished { weeks } = *run {
            self.finished = Some(weeks);
        }
    }
}

/// Streams each week to `events.parquet` (the store itself knows nothing of the state).
impl EventSink for EventWriter {
    fn week(&mut self, _s: &Scenario, batch: &WeekBatch, _state: &State) {
        self.append(batch);
    }
}
