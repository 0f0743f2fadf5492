//! Where a run's time goes: wall time per phase of the weekly step, summed over the weeks
//! (`tokenmaxx bench --phases`). Reading the clock a few times a week costs nothing measurable.

use std::time::{Duration, Instant};

/// Wall time per phase of [`super::Simulation::step`] (and of the sinks), summed over weeks.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PhaseTimes {
    /// Hiring (week 0) and the week's policy changes.
    pub open: Duration,
    /// What agents see of last week.
    pub snapshot: Duration,
    /// Every agent's decision, and gathering the chunks' sparse events.
    pub decide: Duration,
    /// Folding the employees' events into the state.
    pub apply: Duration,
    /// Nudges, reviews and folding them.
    pub managers: Duration,
    /// The sinks: projections, the event store.
    pub sinks: Duration,
}

impl PhaseTimes {
    /// The phases by name, in the order of a week.
    pub fn named(&self) -> [(&'static str, Duration); 6] {
        [
            ("open", self.open),
            ("snapshot", self.snapshot),
            ("decide", self.decide),
            ("apply", self.apply),
            ("managers", self.managers),
            ("sinks", self.sinks),
        ]
    }
}

/// A stopwatch read once per phase.
pub(super) struct Lap(Instant);

impl Lap {
    pub(super) fn start() -> Lap {
        Lap(Instant::now())
    }

    /// Time since the start or the previous lap; starts the next lap.
    pub(super) fn next(&mut self) -> Duration {
        let now = Instant::now();
        let d = now - self.0;
        self.0 = now;
        d
    }

    /// Time since the start or the previous lap.
    pub(super) fn read(&self) -> Duration {
        self.0.elapsed()
    }
}
