//! `tokenmaxx sensitivity SPEC.toml`: Morris screening or Sobol indices of summary figures with
//! respect to scenario parameters, run through the sweep runner (journal, resume, shards).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use tokenmaxx::explore::sensitivity::{Index, IndexRow, Sensitivity};
use tokenmaxx::report::{explore as tables, run_html};
use tokenmaxx::sweep::aggregate;
use tokenmaxx::sweep::{RunRecord, Shard, figure_names};

use super::shard::ShardArgs;
use super::sweep::{BatchArgs, execute};

#[derive(Debug, Args)]
pub struct SensitivityArgs {
    /// The spec file (see scenarios/explore/ for examples).
    file: PathBuf,
    #[command(flatten)]
    shard: ShardArgs,
    #[command(flatten)]
    batch: BatchArgs,
}

pub fn run(args: SensitivityArgs) -> anyhow::Result<ExitCode> {
    let analysis = Sensitivity::load(&args.file)?;
    let shard = args.shard.resolve()?.unwrap_or(Shard::ALL);
    let b = &args.batch;
    let sweep = &analysis.sweep;
    let state = super::sweep::state_files(sweep);
    let (out, _lock) = b.folder(&analysis.common.name, shard, &sweep.inputs, &state)?;
    let records = execute(&analysis.sweep, &out, shard, b)?;
    finish(
        &analysis,
        &out,
        records,
        shard == Shard::ALL,
        b.no_charts,
        b.quiet,
    )
}

/// Write the sweep tables, and for a whole analysis indices.csv, one chart per figure and
/// report.html.
pub(super) fn finish(
    analysis: &Sensitivity,
    out: &Path,
    records: Vec<RunRecord>,
    whole: bool,
    no_charts: bool,
    quiet: bool,
) -> anyhow::Result<ExitCode> {
    if !whole {
        // A shard writes only its runs; `merge` computes the indices from all of them.
        return super::sweep::finish(&analysis.sweep, out, records, false, true, quiet);
    }
    let points = analysis.sweep.points();
    let stats = aggregate::by_point(&points, &records, figure_names().len());
    let rows = analysis.analyse(&stats);
    // The tables, charts and report are staged and moved in as one set (the journal stays); the
    // sweep's tables from the same statistics, its charts left out (they are the sweep's).
    let command = run_html::command_line();
    let sweep_tables = tokenmaxx::report::sweep::tables(&analysis.sweep, &points, &records, &stats);
    tokenmaxx::report::write_in_place(out, |dir| {
        tables::sensitivity(analysis, &rows, sweep_tables, no_charts, &command)?.write(dir)
    })?;
    if !quiet {
        print_ranking(&rows, &analysis.figures);
    }
    Ok(super::sweep::done(out, &records, quiet))
}

/// The parameters of each figure, most influential first.
fn print_ranking(rows: &[IndexRow], figures: &[String]) {
    for figure in figures {
        let mut mine: Vec<&IndexRow> = rows.iter().filter(|r| &r.figure == figure).collect();
        mine.sort_by(|a, b| b.influence().total_cmp(&a.influence()));
        println!("{figure}:");
        for r in mine {
            match r.index {
                Index::Morris(m) => println!(
                    "  {:<50} mu* {:>10.4} [{:.4}, {:.4}]  sigma {:>10.4}",
                    r.parameter, m.mu_star, m.mu_star_ci.0, m.mu_star_ci.1, m.sigma
                ),
                Index::Sobol(s) => println!(
                    "  {:<50} ST {:>7.3} [{:.3}, {:.3}]  S1 {:>7.3} [{:.3}, {:.3}]",
                    r.parameter,
                    s.total,
                    s.total_ci.0,
                    s.total_ci.1,
                    s.first,
                    s.first_ci.0,
                    s.first_ci.1
                ),
            }
        }
    }
}
