//! `tokenmaxx run [SCENARIO]`: run one scenario and write its report folder.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use tokenmaxx::projections::{Projections, Summary};

use tokenmaxx::report::{OutputDir, run_html};
use tokenmaxx::scenario::{Overrides, Scenario, Source, builtin};

use super::progress::Bar;

#[derive(Debug, Args)]
pub struct RunArgs {
    /// A scenario file or built-in name (see `tokenmaxx scenarios`).
    #[arg(default_value = builtin::DEFAULT)]
    scenario: String,
    /// Output folder [default: output/<scenario name>/]. Replaced as a whole when the run succeeds.
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    overrides: OverrideArgs,
    /// Replication index (a different random draw of the same scenario and seed).
    #[arg(long, default_value_t = 0)]
    replication: u32,
    /// Also run the next N-1 replications and print the headline figures with their 95%
    /// intervals over the N (seed noise only; `compare` adds the parameters' uncertainty). The
    /// files are those of --replication.
    #[arg(long, default_value_t = 1, value_name = "N")]
    replications: u32,
    #[command(flatten)]
    pool: ThreadArgs,
    /// No progress bar and no summary.
    #[arg(long, short)]
    quiet: bool,
    /// Skip the PNG charts (tables and report.html only).
    #[arg(long)]
    no_charts: bool,
    /// Also store the event log as events.parquet (streamed week by week).
    #[arg(long)]
    events: bool,
}

/// `--seed`, `--employees` and `--weeks`: a scenario's own values overridden from the command
/// line (by `run`, and by any command that simulates one scenario).
#[derive(Debug, Args)]
pub struct OverrideArgs {
    /// Override the scenario's seed.
    #[arg(long)]
    seed: Option<u64>,
    #[command(flatten)]
    size: SizeArgs,
}

/// `--employees` and `--weeks`: the size of every scenario a command simulates, over the
/// scenario's own (`run`, `compare`, `import synth`), flattened into each so they mean one thing
/// everywhere. `--seed` is each command's own: it means different things (`run`: the scenario's
/// seed, over its own; `compare`: the one seed every scenario shares, 42 by default).
#[derive(Debug, Clone, Default, Args)]
pub struct SizeArgs {
    /// Override the number of employees (of every scenario the command runs).
    #[arg(long)]
    pub employees: Option<i64>,
    /// Override the horizon in weeks (of every scenario the command runs); timeline changes past
    /// it are dropped.
    #[arg(long)]
    pub weeks: Option<i64>,
}

/// `--threads`: the worker threads of a command that runs simulations (`run` and the batches:
/// `sweep`, `compare`, `sensitivity`, `calibrate`).
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct ThreadArgs {
    /// Worker threads [default: all cores]. Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
}

impl OverrideArgs {
    pub fn overrides(&self) -> Overrides {
        Overrides {
            seed: self.seed,
            employees: self.size.employees,
            weeks: self.size.weeks,
        }
    }
}

pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let source = Source::parse(&args.scenario);
    let (scenario, files) = load(&source, &args)?;
    super::check_memory(&scenario, 1)?;
    anyhow::ensure!(
        (1..=tokenmaxx::compare::MAX_REPLICATIONS).contains(&args.replications)
            && args.replication.checked_add(args.replications).is_some(),
        super::UserError(format!(
            "--replications must be in [1, {}]",
            tokenmaxx::compare::MAX_REPLICATIONS
        ))
    );
    let out = match &args.out {
        Some(o) => o.clone(),
        None => super::default_out(&scenario.name)?,
    };
    let pool = super::thread_pool(args.pool.threads)?;
    // Create the staging folder before running, so an unwritable destination fails fast; the
    // scenario file and its `extends` layers are the inputs an output folder must not hold.
    let input: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let dir = OutputDir::create(&out, &input)
        .with_context(|| format!("preparing output folder {}", out.display()))?;

    let bar = Bar::new(scenario.weeks as u64, &scenario.name, "weeks", args.quiet);
    let started = Instant::now();
    let events = args.events.then(|| dir.file("events.parquet"));
    let (projections, stored) = pool.install(|| {
        tokenmaxx::simulate_storing(&scenario, args.replication, events.as_deref(), &bar)
    })?;
    let engine_time = started.elapsed();
    bar.finish();
    super::check_finite(&projections)?;

    write_reports(&dir, &projections, &scenario, args.no_charts)?;
    let written = dir.commit()?;
    if !args.quiet {
        print_summary(&projections, &scenario, stored, engine_time, &written);
    }
    if args.replications > 1 {
        let others = pool.install(|| {
            use rayon::prelude::*;
            (args.replication + 1..args.replication + args.replications)
                .into_par_iter()
                .map(|r| tokenmaxx::simulate(&scenario, r).summary)
                .collect::<Vec<_>>()
        });
        let all: Vec<&Summary> = std::iter::once(&projections.summary)
            .chain(&others)
            .collect();
        for line in replicated_headline(&all) {
            println!("{line}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The figures of the headline with their mean and 95% interval over the replications' summaries
/// (Student's t, as compare's).
fn replicated_headline(all: &[&Summary]) -> Vec<String> {
    const FIGURES: [&str; 6] = [
        "net_value_per_employee_year_usd",
        "value_uplift",
        "output_uplift",
        "padding_share",
        "annual_cost_per_employee_usd",
        "incidents",
    ];
    let mut lines = vec![format!(
        "Over {} replications (seed noise only; `tokenmaxx compare` adds what we do not know about the parameters), mean [95% interval]:",
        all.len()
    )];
    for name in FIGURES {
        let f = tokenmaxx::projections::figures::find(name).expect("a summary figure");
        let values: Vec<f64> = all
            .iter()
            .filter_map(|s| (f.get)(s))
            .filter(|v| v.is_finite())
            .collect();
        let s = tokenmaxx::sweep::aggregate::stat(&values);
        let v = |x: f64| f.unit.short(x, false);
        lines.push(format!(
            "  {}: {} [{}, {}]",
            f.label,
            v(s.mean),
            v(s.ci_low),
            v(s.ci_high)
        ));
    }
    lines
}

/// The scenario with the command line's overrides, its notes printed to stderr, and the files
/// read (its file and `extends` layers).
fn load(source: &Source, args: &RunArgs) -> anyhow::Result<(Scenario, Vec<PathBuf>)> {
    let (scenario, notes, files) = Scenario::load_reporting(source, &args.overrides.overrides())?;
    for n in &notes {
        eprintln!("note: {n}");
    }
    Ok((scenario, files))
}

/// The tables, the charts (unless `no_charts`) and report.html, into the staging folder.
fn write_reports(
    dir: &OutputDir,
    projections: &Projections,
    scenario: &Scenario,
    no_charts: bool,
) -> anyhow::Result<()> {
    let command = run_html::command_line();
    tokenmaxx::report::run::output(projections, scenario, no_charts, &command)?
        .write(&dir.file(""))?;
    Ok(())
}

/// The headline, the event log's size (`stored`: rows and bytes) and the engine's speed.
fn print_summary(
    projections: &Projections,
    scenario: &Scenario,
    stored: Option<(u64, u64)>,
    engine_time: Duration,
    written: &Path,
) {
    for line in projections.summary.headline() {
        println!("{line}");
    }
    if let Some((rows, bytes)) = stored {
        println!(
            "Event log: {rows} events, {:.1} MB in events.parquet.",
            bytes as f64 / 1e6
        );
    }
    let agent_weeks = scenario.employees as f64 * scenario.weeks as f64;
    println!(
        "Simulated {} agent-weeks in {:.2} s ({:.1}M agent-weeks/s). Reports in {}/",
        agent_weeks,
        engine_time.as_secs_f64(),
        agent_weeks / engine_time.as_secs_f64().max(1e-9) / 1e6,
        written.display()
    );
}
