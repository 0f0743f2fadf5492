//! `tokenmaxx events RUN_DIR --agent N | --week W`: an agent's or a week's events as a table, the
//! audit trail of why an agent padded.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use polars::prelude::*;
use tokenmaxx::events::store::{EventReader, StoreError};

#[derive(Debug, Args)]
pub struct EventsArgs {
    /// A run folder written by `tokenmaxx run --events`.
    run_dir: PathBuf,
    /// Show this agent's events (every week, or only --week's).
    #[arg(long)]
    agent: Option<u32>,
    /// Show this week's events.
    #[arg(long)]
    week: Option<u32>,
    /// Most rows to print.
    #[arg(long, default_value_t = 200)]
    limit: usize,
}

pub fn run(args: EventsArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        args.agent.is_some() || args.week.is_some(),
        super::UserError("say which events: --agent N, --week W, or both".into())
    );
    let log = super::event_log(&args.run_dir)?;
    let reader = EventReader::open(&log)?;
    let mut df = reader.frame(args.week)?;
    if let Some(a) = args.agent {
        // A log whose `agent` column is not tokenmaxx's is corrupt, the user's to fix.
        let corrupt = |e: PolarsError| StoreError::Corrupt {
            path: log.clone(),
            message: e.to_string(),
        };
        let mask = df
            .column("agent")
            .and_then(|c| c.u32().map(|c| c.equal(a)))
            .map_err(corrupt)?;
        df = df.filter(&mask).map_err(corrupt)?;
    }
    // Drop the columns this selection leaves empty, so the table reads.
    let keep: Vec<PlSmallStr> = df
        .columns()
        .iter()
        .filter(|c| c.null_count() < c.len())
        .map(|c| c.name().clone())
        .collect();
    let df = df.select(keep)?;
    let rows = df.height();
    print_table(&df.head(Some(args.limit)))?;
    if rows > args.limit {
        println!(
            "({rows} events; first {} shown, raise --limit for more)",
            args.limit
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Print a DataFrame as an aligned text table, every row and column.
fn print_table(df: &DataFrame) -> anyhow::Result<()> {
    let names: Vec<String> = df.columns().iter().map(|c| c.name().to_string()).collect();
    let mut cells: Vec<Vec<String>> = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let row = df.get_row(i)?;
        cells.push(
            row.0
                .iter()
                .map(|v| match v {
                    AnyValue::Null => String::new(),
                    AnyValue::String(s) => s.to_string(),
                    AnyValue::StringOwned(s) => s.to_string(),
                    AnyValue::Float64(x) => format!("{x:.6}"),
                    other => other.to_string(),
                })
                .collect(),
        );
    }
    let widths: Vec<usize> = (0..names.len())
        .map(|j| {
            cells
                .iter()
                .map(|r| r[j].len())
                .chain([names[j].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |fields: &[String]| {
        fields
            .iter()
            .zip(&widths)
            .map(|(f, w)| format!("{f:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    println!("{}", line(&names));
    for r in &cells {
        println!("{}", line(r));
    }
    Ok(())
}
