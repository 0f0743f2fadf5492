//! `tokenmaxx bench --events`: the cost of the event log and the speed of its replay. A child
//! process runs the size with its log streamed to a scratch `events.parquet` (as `run --events`
//! does, without the reports), then replays the file (as `replay` does, without the tables) and
//! checks that the replayed summary equals the run's. The scratch folder is a staging folder
//! never committed, so it is removed when the child ends, whatever happens.

use std::time::Instant;

use anyhow::Context;
use serde::{Deserialize, Serialize};
use tokenmaxx::engine::NoProgress;
use tokenmaxx::report::output_dir::OutputDir;
use tokenmaxx::scenario::Scenario;

/// What the log cost and how fast it replayed, at one size and thread count.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LogFigures {
    /// The run with its log written, in seconds (the log's writer thread included).
    pub seconds: f64,
    /// `seconds` over the same size's run without a log (filled in by the parent).
    pub over_run: Option<f64>,
    pub events: u64,
    pub bytes: u64,
    /// Peak resident memory of the run with its log.
    pub peak_bytes: u64,
    /// Reading, folding and projecting the whole log again.
    pub replay_seconds: f64,
    pub replay_events_per_second: f64,
    /// Peak resident memory of the replay alone: the run's projections are dropped, the memory
    /// they and the run freed is given back to the system and the process's peak is reset first.
    pub replay_peak_bytes: u64,
}

/// Run `s` with its log in a scratch folder, then replay the log; both in `pool`.
pub fn measure(s: &Scenario, pool: &rayon::ThreadPool) -> anyhow::Result<LogFigures> {
    let scratch = std::env::temp_dir().join(format!("tokenmaxx-bench-{}", std::process::id()));
    // Never committed: dropping it removes the staging folder and the log in it.
    let dir = OutputDir::create(&scratch, &[])?;
    let path = dir.file("events.parquet");
    let start = Instant::now();
    let (run, stored) =
        pool.install(|| tokenmaxx::simulate_storing(s, 0, Some(&path), &NoProgress))?;
    let seconds = start.elapsed().as_secs_f64();
    let (events, bytes) = stored.context("the run wrote no log")?;
    let peak_bytes = super::bench::vm_hwm_bytes().unwrap_or(0);
    let summary = tokenmaxx::report::run::summary_json(&run.summary)?;
    drop(run);
    give_back_freed_memory();
    let replay_peak_reset = reset_peak();
    let start = Instant::now();
    let (_, _, replayed) = pool.install(|| tokenmaxx::replay::stored(&path))?;
    let replay_seconds = start.elapsed().as_secs_f64();
    anyhow::ensure!(
        tokenmaxx::report::run::summary_json(&replayed.summary)? == summary,
        "the replayed summary differs from the run's"
    );
    let replay_peak_bytes = if replay_peak_reset {
        super::bench::vm_hwm_bytes().unwrap_or(0)
    } else {
        0
    };
    drop(dir);
    Ok(LogFigures {
        seconds,
        over_run: None,
        events,
        bytes,
        peak_bytes,
        replay_seconds,
        replay_events_per_second: events as f64 / replay_seconds,
        replay_peak_bytes,
    })
}

/// Give the memory the allocator holds free back to the system (glibc's `malloc_trim`), so that
/// the replay's peak is not the run's leftovers.
fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only releases free memory of glibc's allocator.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Reset this process's peak resident memory to its current one (Linux: `5` to
/// `/proc/self/clear_refs`). False where that is not possible (the replay's peak is then not
/// reported: 0).
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// The table's heading and one row per measured log.
pub fn print_header() {
    println!();
    println!(
        "with the event log (--events) and its replay, at all threads; each row its own process"
    );
    println!(
        "{:>10} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>12} {:>9}",
        "employees",
        "seconds",
        "over run",
        "events",
        "log MB",
        "peak MB",
        "replay s",
        "events/s",
        "replay MB"
    );
}

pub fn print_row(employees: i64, f: &LogFigures) {
    println!(
        "{:>10} {:>9.2} {:>9} {:>9} {:>9.0} {:>9.0} {:>9.2} {:>12} {:>9}",
        employees,
        f.seconds,
        f.over_run
            .map(|r| format!("{r:.2}x"))
            .unwrap_or_else(|| "-".into()),
        format!("{:.1}M", f.events as f64 / 1e6),
        f.bytes as f64 / 1e6,
        f.peak_bytes as f64 / 1e6,
        f.replay_seconds,
        format!("{:.1}M", f.replay_events_per_second / 1e6),
        if f.replay_peak_bytes > 0 {
            format!("{:.0}", f.replay_peak_bytes as f64 / 1e6)
        } else {
            "-".into()
        }
    );
}
