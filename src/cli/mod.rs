//! Command-line interface: clap definitions and one file per command. Only the binary (this
//! module and main.rs) knows clap, anyhow and indicatif; the library takes typed values.

mod alloc;
mod bench;
mod bench_log;
mod calibrate;
mod compare;
mod events;
mod facts;
mod fit;
mod fork;
mod import;
mod merge;
mod pipe;
mod progress;
mod replay;
mod run;
mod scenarios;
mod sensitivity;
mod shard;
mod sweep;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use crate::user_error::UserError;

/// tokenmaxx: simulate what an AI-adoption policy does to token spend, padding, output, cost and risk.
#[derive(Debug, Parser)]
#[command(name = "tokenmaxx", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a scenario and write weekly.csv, agents.csv, deciles.csv and summary.json.
    Run(run::RunArgs),
    /// Check scenario files without running them.
    Validate(validate::ValidateArgs),
    /// List the built-in scenarios.
    Scenarios,
    /// Rebuild a run's projections from its events.parquet and check them against its tables.
    Replay(replay::ReplayArgs),
    /// Compare policies: several scenarios over the same replications, paired differences against a baseline, and a verdict.
    Compare(compare::CompareArgs),
    /// Run a sweep: a base scenario over a design of parameter points, with replications.
    Sweep(sweep::SweepArgs),
    /// Merge the shard folders of a sweep, sensitivity analysis or comparison into its outputs (checks every run is there once).
    Merge(sweep::MergeArgs),
    /// Which parameters drive a figure: Morris screening or Sobol indices, with bootstrap intervals.
    Sensitivity(sensitivity::SensitivityArgs),
    /// Find parameter values whose simulated figures match targets (simulated moments, differential evolution).
    Calibrate(calibrate::CalibrateArgs),
    /// Replay a stored run to a week, then continue it under another scenario's policies.
    Fork(fork::ForkArgs),
    /// Print an agent's or a week's events from a run's events.parquet.
    Events(events::EventsArgs),
    /// Measure engine speed and memory at fixed sizes, at 1 thread and at all threads.
    Bench(bench::BenchArgs),
    /// Check the stylized facts of docs/calibration.md on the built-in scenarios (exit 3 if any fails).
    Facts(facts::FactsArgs),
    /// Read your organisation's AI usage export into a profile (profile.json, profile.png), pseudonymised.
    Import(import::ImportArgs),
    /// Fit a scenario (org.toml) to an imported profile: population and behaviour parameters,
    /// with their posterior (posterior.toml) that `compare` on the fitted scenario draws from.
    Fit(fit::FitArgs),
    /// Serve a local what-if page: move the policy levers, see the figures, download the scenario.
    #[cfg(feature = "serve")]
    Serve(crate::serve::ServeArgs),
    /// Write a synthetic usage export of a simulated run (for examples and tests).
    #[command(hide = true)]
    SynthExport(import::SynthArgs),
}

/// Parse the command line and run the command.
pub fn run() -> anyhow::Result<ExitCode> {
    alloc::one_arena();
    let cli = Cli::parse();
    #[cfg(feature = "serve")]
    let serving = matches!(cli.command, Command::Serve(_));
    #[cfg(not(feature = "serve"))]
    let serving = false;
    if !serving {
        pipe::stop_on_closed_pipe();
    }
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Scenarios => scenarios::run(),
        Command::Facts(args) => facts::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Replay(args) => replay::run(args),
        Command::Events(args) => events::run(args),
        Command::Fork(args) => fork::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Sweep(args) => sweep::run(args),
        Command::Merge(args) => merge::merge(args),
        Command::Sensitivity(args) => sensitivity::run(args),
        Command::Calibrate(args) => calibrate::run(args),
        Command::Import(args) => import::run(args),
        Command::Fit(args) => fit::run(args),
        #[cfg(feature = "serve")]
        Command::Serve(args) => crate::serve::run(args),
        Command::SynthExport(args) => import::synth(args),
    }
}

/// Input the user can fix (bad scenario, unwritable folder) exits 2; anything else is a bug, 1.
pub fn exit_code(e: &anyhow::Error) -> u8 {
    let user_error = e.chain().any(|c| {
        c.is::<tokenmaxx::scenario::ScenarioError>()
            || c.is::<tokenmaxx::report::ReportError>()
            || c.is::<std::io::Error>()
            || c.is::<UserError>()
            || c.is::<tokenmaxx::events::store::StoreError>()
            || c.is::<tokenmaxx::sweep::SweepError>()
            || c.is::<tokenmaxx::import::ImportError>()
    });
    if user_error { 2 } else { 1 }
}

/// An error and its causes as one line, each cause once: errors that already print their
/// source (`cannot read X: No such file`) are not followed by it again.
pub fn message(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let part = cause.to_string();
        if text.is_empty() {
            text = part;
        } else if !text.contains(&part) {
            text = format!("{text}: {part}");
        }
    }
    text
}

/// Most worker threads per available core: more only adds scheduling overhead.
const MAX_THREADS_PER_CORE: usize = 8;

/// Refuse `--threads 0` (checked before any folder is made).
pub fn check_threads(threads: Option<usize>) -> anyhow::Result<()> {
    anyhow::ensure!(
        threads != Some(0),
        UserError("--threads must be at least 1".into())
    );
    Ok(())
}

/// The worker pool of every command taking `--threads`, `bench` included: `None` (no flag)
/// means all available cores, `--threads 0` is refused as a user error ([`check_threads`]), and
/// a count above [`MAX_THREADS_PER_CORE`] x the available cores is capped to that, with a note.
pub fn thread_pool(threads: Option<usize>) -> anyhow::Result<rayon::ThreadPool> {
    use anyhow::Context;
    let mut pool = rayon::ThreadPoolBuilder::new();
    check_threads(threads)?;
    if let Some(t) = threads {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let cap = MAX_THREADS_PER_CORE * cores;
        if t > cap {
            eprintln!(
                "note: --threads {t} is more than {MAX_THREADS_PER_CORE} x the {cores} available cores; using {cap}"
            );
        }
        pool = pool.num_threads(t.min(cap));
    }
    pool.build().context("starting worker threads")
}

/// The default output folder of a run or batch named `name` (output/<name>), or a user error
/// saying why the name cannot be a folder.
pub fn default_out(name: &str) -> anyhow::Result<std::path::PathBuf> {
    tokenmaxx::paths::output_folder(name).map_err(|m| {
        UserError(format!(
            "cannot name the output folder after {m}; choose one with --out"
        ))
        .into()
    })
}

/// Refuse a run whose figures are not finite (a parameter too extreme for the model), before
/// anything is written.
pub fn check_finite(p: &tokenmaxx::projections::Projections) -> anyhow::Result<()> {
    match tokenmaxx::projections::finite::non_finite(p) {
        None => Ok(()),
        Some(what) => Err(UserError(format!(
            "the run produced a non-finite {what} (NaN or infinite): a parameter is too extreme for the model; nothing was written"
        ))
        .into()),
    }
}

/// The event log of a run folder, or a user error saying how to make one.
pub fn event_log(run_dir: &std::path::Path) -> anyhow::Result<std::path::PathBuf> {
    let log = run_dir.join("events.parquet");
    anyhow::ensure!(
        log.is_file(),
        UserError(format!(
            "{} has no events.parquet: run with `tokenmaxx run --events`",
            run_dir.display()
        ))
    );
    Ok(log)
}

/// Rough peak bytes per agent of a run without a stored event log (state, projections, one
/// week's events and snapshot), used to refuse runs that cannot fit in memory.
const BYTES_PER_AGENT: u64 = 700;

/// Refuse up front `runs` concurrent runs of `s` whose state would not fit in this machine's
/// memory.
pub fn check_memory(s: &tokenmaxx::scenario::Scenario, runs: usize) -> anyhow::Result<()> {
    let need = s.employees as u64 * BYTES_PER_AGENT * runs.max(1) as u64;
    if let Some(avail) = available_memory_bytes()
        && need > avail
    {
        let each = if runs > 1 {
            format!(" in each of {runs} concurrent runs")
        } else {
            String::new()
        };
        anyhow::bail!(UserError(format!(
            "{} employees{each} need about {:.1} GiB of memory, but only {:.1} GiB is available; use fewer employees{}",
            s.employees,
            need as f64 / (1u64 << 30) as f64,
            avail as f64 / (1u64 << 30) as f64,
            if runs > 1 { " or --threads" } else { "" }
        )));
    }
    Ok(())
}

/// Test hook: the memory available to tokenmaxx in bytes, read instead of the host's (so tests of
/// the refusal do not depend on the machine they run on). Not meant for users.
pub const AVAILABLE_MEMORY_VAR: &str = "TOKENMAXX_AVAILABLE_MEMORY_BYTES";

/// The memory available for a run: [`AVAILABLE_MEMORY_VAR`] when set to a whole number of bytes,
/// else `MemAvailable` of /proc/meminfo (None where there is none: no check).
fn available_memory_bytes() -> Option<u64> {
    if let Some(bytes) = std::env::var(AVAILABLE_MEMORY_VAR)
        .ok()
        .and_then(|v| v.trim().parse().ok())
    {
        return Some(bytes);
    }
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The scenario a stored run was written with, after checking it fits in memory.
pub fn stored_scenario(log: &std::path::Path) -> anyhow::Result<tokenmaxx::scenario::Scenario> {
    let s = tokenmaxx::events::store::EventReader::open(log)?.scenario()?;
    check_memory(&s, 1)?;
    Ok(s)
}
