//! `tokenmaxx calibrate SPEC.toml`: find the parameter values whose simulated figures match
//! target figures (method of simulated moments, differential evolution, common random numbers).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use tokenmaxx::explore::calibrate::{self, Calibration, Candidate};
use tokenmaxx::report::{explore as tables, run_html};
use tokenmaxx::sweep::journal::{self, Header};
use tokenmaxx::sweep::{RunRecord, Shard};

use super::progress::Bar;
use super::sweep::{BatchArgs, RUNS_FAILED, Recorder, open_journal};

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// The spec file (see scenarios/explore/ for examples). With --resume, the optimiser replays
    /// the same candidates and reuses the journaled runs, so a killed calibration continues.
    file: PathBuf,
    #[command(flatten)]
    batch: BatchArgs,
}

pub fn run(args: CalibrateArgs) -> anyhow::Result<ExitCode> {
    let cal = Calibration::load(&args.file)?;
    let state = super::sweep::state_files(&cal.sweep);
    let (out, _lock) =
        args.batch
            .folder(&cal.common.name, Shard::ALL, &cal.sweep.inputs, &state)?;
    let args = args.batch;
    // The journal counts the calibration's runs: budget x replications.
    let header = Header {
        runs: cal.runs(),
        ..Header::of(&cal.sweep, Shard::ALL)
    };
    let (journal, existing) = open_journal(&cal.sweep, &out, header, args.resume)?;
    let known: BTreeMap<u64, RunRecord> = existing.into_iter().map(|r| (r.id, r)).collect();
    let pool = super::thread_pool(args.pool.threads)?;
    let total = cal.runs() as u32;
    let bar = Bar::new(total as u64, &cal.common.name, "runs", args.quiet);
    let recorder = Recorder::new(&journal, bar, known.len() as u32, total);
    let candidates = pool.install(|| cal.run(&known, &|record| recorder.record(record)));
    recorder.finish()?;
    let best = calibrate::best(&candidates);
    // The tables, charts and report are staged and moved in as one set (the journal stays).
    tokenmaxx::report::write_in_place(&out, |dir| -> anyhow::Result<()> {
        write_outputs(dir, &cal, &candidates, best, args.no_charts)
    })?;
    let failed = candidates.iter().filter(|c| c.failed > 0).count();
    if !args.quiet {
        print_summary(&cal, &candidates, best, &known, &out);
    }
    if best.is_none() {
        anyhow::bail!(super::UserError(format!(
            "every candidate failed; the errors are in {}",
            out.join(journal::FILE).display()
        )));
    }
    if failed > 0 {
        eprintln!(
            "{failed} candidate(s) had failed runs and were ranked last (errors in {})",
            out.join(journal::FILE).display()
        );
        return Ok(ExitCode::from(RUNS_FAILED));
    }
    Ok(ExitCode::SUCCESS)
}

/// The candidates run, the best values and the fit against each target, on stdout.
fn print_summary(
    cal: &Calibration,
    candidates: &[Candidate],
    best: Option<&Candidate>,
    known: &BTreeMap<u64, RunRecord>,
    out: &Path,
) {
    let reused = known.values().filter(|r| r.error.is_none()).count();
    println!(
        "{}: {} candidates x {} replications ({} runs reused from the journal)",
        cal.common.name,
        candidates.len(),
        cal.common.replications,
        reused.min(cal.runs() as usize)
    );
    match best {
        Some(b) => {
            println!(
                "best: evaluation {} (generation {}), loss {:.4}",
                b.index, b.generation, b.loss
            );
            for (bound, v) in cal.common.bounds.iter().zip(&b.values) {
                println!(
                    "  {:<50} {v:.6}   [{}, {}]",
                    bound.path, bound.low, bound.high
                );
            }
            for (t, m) in cal.targets.iter().zip(&b.means) {
                let ok = if (m - t.value).abs() <= t.tolerance {
                    "within"
                } else {
                    "OUTSIDE"
                };
                println!(
                    "  {:<50} {m:.4}   target {} +- {} ({ok} tolerance)",
                    t.figure, t.value, t.tolerance
                );
            }
            println!(
                "Scenario with these values: {}",
                out.join("best.toml").display()
            );
        }
        None => println!("no candidate succeeded"),
    }
    println!("Results in {}/", out.display());
}

/// best.toml, trace.csv, fit.csv, the charts and report.html of a calibration, into `dir`.
fn write_outputs(
    dir: &std::path::Path,
    cal: &Calibration,
    candidates: &[calibrate::Candidate],
    best: Option<&calibrate::Candidate>,
    no_charts: bool,
) -> anyhow::Result<()> {
    let command = run_html::command_line();
    tables::calibration(cal, candidates, best, no_charts, &command).write(dir)?;
    Ok(())
}
