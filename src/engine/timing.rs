//! Where a run's time goes: wall time and the process's CPU time per phase of the weekly step,
//! summed over the weeks (`tokenmaxx bench --phases`). CPU time over wall time is how many cores a
//! phase kept busy: a phase near 1 at 2 threads is the serial work that holds the speed-up back.
//! Reading the clocks a few times a week costs nothing measurable.

use std::ops::AddAssign;
use std::time::{Duration, Instant};

/// Time spent in a phase: wall time, and CPU time of the whole process meanwhile.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Spent {
    pub wall: Duration,
    pub cpu: Duration,
}

impl AddAssign for Spent {
    fn add_assign(&mut self, other: Spent) {
        self.wall += other.wall;
        self.cpu += other.cpu;
    }
}

impl Spent {
    /// Cores kept busy on average (CPU over wall time; 0 for no time).
    pub fn cores(&self) -> f64 {
        let wall = self.wall.as_secs_f64();
        if wall > 0.0 {
            self.cpu.as_secs_f64() / wall
        } else {
            0.0
        }
    }
}

/// Time per phase of [`super::Simulation::step`] (and of the sinks), summed over weeks.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PhaseTimes {
    /// Hiring (week 0) and the week's policy changes.
    pub open: Spent,
    /// What agents see of last week.
    pub snapshot: Spent,
    /// Every agent's decision, and gathering the chunks' sparse events.
    pub decide: Spent,
    /// Folding the employees' events into the state.
    pub apply: Spent,
    /// Nudges, reviews and folding them.
    pub managers: Spent,
    /// The sinks: projections, the event store.
    pub sinks: Spent,
}

impl PhaseTimes {
    /// The phases by name, in the order of a week.
    pub fn named(&self) -> [(&'static str, Spent); 6] {
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

/// CPU time used so far by every thread of this process.
fn process_cpu() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for the call to fill; the clock id is a constant.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) } == 0;
    if ok {
        Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
    } else {
        Duration::ZERO
    }
}

/// A stopwatch read once per phase.
pub(super) struct Lap {
    wall: Instant,
    cpu: Duration,
}

impl Lap {
    pub(super) fn start() -> Lap {
        Lap {
            wall: Instant::now(),
            cpu: process_cpu(),
        }
    }

    /// Time since the start or the previous lap; starts the next lap.
    pub(super) fn next(&mut self) -> Spent {
        let spent = self.read();
        *self = Lap::start();
        spent
    }

    /// Time since the start or the previous lap.
    pub(super) fn read(&self) -> Spent {
        Spent {
            wall: self.wall.elapsed(),
            cpu: process_cpu().saturating_sub(self.cpu),
        }
    }
}
