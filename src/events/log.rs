//! The in-memory event log: the header facts and every week's batch. Used for replay tests and
//! small runs; large runs stream batches to sinks and keep none.

use super::{Event, Week, WeekBatch};

/// A whole run's events.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventLog {
    pub seed: u64,
    pub replication: u32,
    pub scenario_hash: u64,
    pub weeks: Vec<WeekBatch>,
    /// Set once `RunFinished` was recorded.
    pub finished: Option<Week>,
}

impl EventLog {
    /// Every event in order, `RunStarted` to `RunFinished`.
    pub fn events(&self) -> impl Iterator<Item = Event> + '_ {
        let start = std::iter::once(Event::RunStarted {
            seed: self.seed,
            replication: self.replication,
            scenario_hash: self.scenario_hash,
        });
        let end = self.finished.map(|weeks| Event::RunFinished { weeks });
        start
            .chain(self.weeks.iter().flat_map(|b| b.events()))
            .chain(end)
    }

    /// Number of events, `RunStarted` and `RunFinished` included.
    pub fn len(&self) -> usize {
        1 + self.weeks.iter().map(WeekBatch::len).sum::<usize>()
            + usize::from(self.finished.is_some())
    }

    pub fn is_empty(&self) -> bool {
        false
    }
}
