//! `tokenmaxx validate FILE...`: load and check scenario files, report each.

use std::process::ExitCode;

use clap::Args;
use tokenmaxx::scenario::{Scenario, Source};

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario files (or built-in names) to check.
    #[arg(required = true)]
    files: Vec<String>,
}

pub fn run(args: ValidateArgs) -> anyhow::Result<ExitCode> {
    let mut failed = 0;
    for f in &args.files {
        match Scenario::load(&Source::parse(f)) {
            Ok(s) => println!(
                "ok: {f} ({}: {} employees, {} weeks, {} policy changes)",
                s.name,
                s.employees,
                s.weeks,
                s.timeline.len()
            ),
            Err(e) => {
                eprintln!("error: {e}");
                failed += 1;
            }
        }
    }
    if failed > 0 {
        eprintln!("{failed} of {} scenario(s) invalid", args.files.len());
        Ok(ExitCode::from(2))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}
