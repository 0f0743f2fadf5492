//! `tokenmaxx fork RUN_DIR --at WEEK --scenario OTHER`: a counterfactual branch of a stored run.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use tokenmaxx::replay::fork;
use tokenmaxx::report::{OutputDir, run_html};
use tokenmaxx::scenario::{Scenario, Source};

use super::progress::Bar;

#[derive(Debug, Args)]
pub struct ForkArgs {
    /// A run folder written by `tokenmaxx run --events`.
    run_dir: PathBuf,
    /// The week from which the other scenario's policies apply.
    #[arg(long)]
    at: u32,
    /// The scenario (file or built-in name) whose policy timeline the fork follows.
    #[arg(long)]
    scenario: String,
    /// Output folder [default: output/<base>-fork-<other>-at-<WEEK>/].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Skip the PNG charts.
    #[arg(long)]
    no_charts: bool,
    /// No progress bar and no summary.
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(args: ForkArgs) -> anyhow::Result<ExitCode> {
    let log = super::event_log(&args.run_dir)?;
    let base = super::stored_scenario(&log)?;
    let source = Source::parse(&args.scenario);
    let (other, _, files) = Scenario::load_reporting(&source, &Default::default())?;
    let bar = Bar::new(0, "fork", "weeks", args.quiet);
    let f = fork::fork(&log, args.at, &other, &mut [], &bar)?;
    bar.finish();
    super::check_finite(&f.fork)?;
    let out = match &args.out {
        Some(o) => o.clone(),
        None => super::default_out(&f.scenario.name)?,
    };
    let mut inputs = vec![args.run_dir.as_path()];
    inputs.extend(files.iter().map(PathBuf::as_path));
    let dir = OutputDir::create(&out, &inputs)
        .with_context(|| format!("preparing output folder {}", out.display()))?;
    tokenmaxx::report::fork::output(&f, &base, args.no_charts, &run_html::command_line())?
        .write(&dir.file(""))?;
    let written = dir.commit()?;
    if !args.quiet {
        let (b, k) = (&f.base.summary, &f.fork.summary);
        println!("{}", f.scenario.description);
        println!(
            "Padding share: base {:.1}%, fork {:.1}%. Tokens: base {}, fork {}. Output: {:+.2}% against the base.",
            b.padding_share * 100.0,
            k.padding_share * 100.0,
            tokenmaxx::projections::summary::count(b.tokens_total),
            tokenmaxx::projections::summary::count(k.tokens_total),
            (k.output_uplift - b.output_uplift) / (1.0 + b.output_uplift) * 100.0
        );
        println!("Reports in {}/", written.display());
    }
    Ok(ExitCode::SUCCESS)
}
