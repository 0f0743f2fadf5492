//! Command-line interface: clap definitions and one file per command. Only the binary (this
//! module and main.rs) knows clap, anyhow and indicatif; the library takes typed values.

mod bench;
mod calibrate;
mod events;
mod facts;
mod fork;
mod progress;
mod replay;
mod run;
mod scenarios;
mod sensitivity;
mod sweep;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    /// Run a sweep: a base scenario over a design of parameter points, with replications.
    Sweep(sweep::SweepArgs),
    /// Merge the shard folders of a sweep or sensitivity analysis into its outputs (checks every run is there once).
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
}

/// Parse the command line and run the command.
pub fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Scenarios => scenarios::run(),
        Command::Facts(args) => facts::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Replay(args) => replay::run(args),
        Command::Events(args) => events::run(args),
        Command::Fork(args) => fork::run(args),
        Command::Sweep(args) => sweep::run(args),
        Command::Merge(args) => sweep::merge(args),
        Command::Sensitivity(args) => sensitivity::run(args),
        Command::Calibrate(args) => calibrate::run(args),
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

/// A plain user error raised by the CLI itself (bad flag combination, resource limit).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UserError(pub String);

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
