//! `tokenmaxx facts`: run the scenarios the stylized facts need and print one line per fact.

use std::process::ExitCode;

use clap::Args;
use tokenmaxx::facts::{self, FactCheck};

use super::progress::Bar;

#[derive(Debug, Args)]
pub struct FactsArgs {
    /// Seeds to check (comma-separated); every fact must pass at every seed.
    #[arg(long, value_delimiter = ',', default_value = "42")]
    seeds: Vec<u64>,
    /// Employees per scenario run (at least 5,000 keeps the figures stable).
    #[arg(long, default_value_t = 10_000)]
    employees: u32,
    /// Print the checks as JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Worker threads [default: all cores].
    #[arg(long)]
    threads: Option<usize>,
}

/// Exit code when a fact fails.
pub const FACT_FAILED: u8 = 3;

pub fn run(args: FactsArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        args.employees >= 1,
        super::UserError("--employees must be at least 1".into())
    );
    let pool = super::thread_pool(args.threads)?;
    let bar = Bar::new(args.seeds.len() as u64, "facts", "seeds", args.json);
    let mut checks: Vec<FactCheck> = Vec::new();
    for (k, seed) in args.seeds.iter().enumerate() {
        checks.extend(pool.install(|| facts::check(*seed, args.employees))?);
        tokenmaxx::engine::Progress::week_done(&bar, k as u32 + 1, args.seeds.len() as u32);
    }
    bar.finish();
    let failed = checks.iter().filter(|c| !c.pass).count();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&checks)?);
    } else {
        for c in &checks {
            println!(
                "{} fact {:>2} (seed {}): {}\n         measured: {}\n         tolerance: {}",
                if c.pass { "PASS" } else { "FAIL" },
                c.id,
                c.seed,
                c.fact,
                c.measured_text(),
                c.tolerance
            );
        }
        println!(
            "{} of {} checks passed ({} employees per run)",
            checks.len() - failed,
            checks.len(),
            args.employees
        );
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(FACT_FAILED)
    })
}
