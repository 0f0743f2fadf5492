//! `tokenmaxx facts`: run the scenarios the stylized facts need and print one line per fact;
//! with `--history-match N`, calibrate the unanchored parameters jointly by history matching
//! and write the calibrated priors.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use tokenmaxx::compare::Priors;
use tokenmaxx::explore::history::{HistoryMatch, Trial};
use tokenmaxx::facts::{self, FactCheck};
use tokenmaxx::report::OutputDir;

use super::UserError;
use super::progress::Bar;

#[derive(Debug, Args)]
pub struct FactsArgs {
    /// Seeds to check (comma-separated); every target fact must pass at every seed. With
    /// --history-match, the first seed is the match's (draw k runs at seed + k).
    #[arg(long, value_delimiter = ',', default_value = "42")]
    seeds: Vec<u64>,
    /// Employees per scenario run (at least 5,000 keeps the figures stable).
    #[arg(long, default_value_t = 10_000)]
    employees: u32,
    /// Print only the held-out checks (figures no parameter was tuned to).
    #[arg(long)]
    held_out: bool,
    /// Print the checks as JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Worker threads [default: all cores].
    #[arg(long)]
    threads: Option<usize>,
    /// History-match N draws of --priors against the target facts and write the calibrated
    /// priors (calibrated.toml), every draw (trials.csv) and what the match found (report.txt).
    #[arg(long, value_name = "N")]
    history_match: Option<u32>,
    /// The wide priors a history match draws from: `unanchored` (shipped) or a file.
    #[arg(long, default_value = "unanchored")]
    priors: String,
    /// Output folder of a history match [default: output/history-match].
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Exit code when a fact fails.
pub const FACT_FAILED: u8 = 3;

/// Most draws of a history match.
const MAX_DRAWS: u32 = 100_000;

pub fn run(args: FactsArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        args.employees >= 1,
        UserError("--employees must be at least 1".into())
    );
    let pool = super::thread_pool(args.threads)?;
    if let Some(n) = args.history_match {
        return pool.install(|| history_match(&args, n));
    }
    let bar = Bar::new(args.seeds.len() as u64, "facts", "seeds", args.json);
    let mut checks: Vec<FactCheck> = Vec::new();
    for (k, seed) in args.seeds.iter().enumerate() {
        checks.extend(pool.install(|| facts::check(*seed, args.employees, &[]))?);
        tokenmaxx::engine::Progress::week_done(&bar, k as u32 + 1, args.seeds.len() as u32);
    }
    bar.finish();
    let failed = checks.iter().filter(|c| !c.pass && !c.held_out).count();
    let shown: Vec<&FactCheck> = checks
        .iter()
        .filter(|c| !args.held_out || c.held_out)
        .collect();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&shown)?);
    } else {
        print_checks(&shown, args.employees);
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(FACT_FAILED)
    })
}

/// One paragraph per check, then the counts of targets and held-out checks apart.
fn print_checks(checks: &[&FactCheck], employees: u32) {
    for c in checks {
        println!(
            "{} fact {:>2} (seed {}){}: {}\n         measured: {}\n         tolerance: {}",
            if c.pass { "PASS" } else { "FAIL" },
            c.id,
            c.seed,
            if c.held_out { " [held out]" } else { "" },
            c.fact,
            c.measured_text(),
            c.tolerance
        );
    }
    let count = |held: bool| {
        let of: Vec<_> = checks.iter().filter(|c| c.held_out == held).collect();
        (of.iter().filter(|c| c.pass).count(), of.len())
    };
    let ((tp, tn), (hp, hn)) = (count(false), count(true));
    if tn > 0 {
        println!("{tp} of {tn} target checks passed ({employees} employees per run)");
    }
    if hn > 0 {
        println!(
            "{hp} of {hn} held-out checks passed (figures no parameter was tuned to; they never fail the command)"
        );
    }
}

/// `--history-match N`: run the match, write its folder, print what it found.
fn history_match(args: &FactsArgs, draws: u32) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        (1..=MAX_DRAWS).contains(&draws),
        UserError(format!("--history-match must be in [1, {MAX_DRAWS}]"))
    );
    let priors = match Priors::load(&args.priors)? {
        Some(p) if p.accepted.is_empty() => p,
        _ => anyhow::bail!(UserError(format!(
            "--priors {}: a history match draws from uniform ranges (a file without [accepted], or `unanchored`)",
            args.priors
        ))),
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output/history-match"));
    let input = PathBuf::from(&args.priors);
    let inputs: Vec<&std::path::Path> = if input.is_file() {
        vec![&input]
    } else {
        vec![]
    };
    let dir = OutputDir::create(&out, &inputs)
        .with_context(|| format!("preparing output folder {}", out.display()))?;
    let hm = HistoryMatch {
        priors,
        priors_name: args.priors.clone(),
        draws,
        seed: args.seeds[0],
        employees: args.employees,
    };
    let bar = Bar::new(u64::from(draws), "history match", "draws", args.json);
    let done = std::sync::atomic::AtomicU32::new(0);
    let trials = hm.run(&|| {
        let k = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        tokenmaxx::engine::Progress::week_done(&bar, k, draws);
    })?;
    bar.finish();
    std::fs::write(dir.file("calibrated.toml"), hm.priors_toml(&trials))?;
    std::fs::write(dir.file("trials.csv"), trials_csv(&hm, &trials))?;
    let report = hm.report(&trials).join("\n") + "\n";
    std::fs::write(dir.file("report.txt"), &report)?;
    let written = dir.commit()?;
    if !args.json {
        print!("{report}");
        println!("Written to {}", written.display());
    }
    let kept = trials.iter().filter(|t| t.accepted()).count();
    anyhow::ensure!(
        kept > 0,
        UserError("no draw passed every target fact: widen the priors or add draws".into())
    );
    Ok(ExitCode::SUCCESS)
}

/// Every draw: its values, whether it was kept, and each check's verdict (1 pass, 0 fail).
fn trials_csv(hm: &HistoryMatch, trials: &[Trial]) -> String {
    let ids: Vec<u8> = trials
        .first()
        .map(|t| t.checks.iter().map(|c| c.id).collect())
        .unwrap_or_default();
    let mut out = String::from("draw,seed,kept");
    for p in hm.priors.names() {
        out.push_str(&format!(",{p}"));
    }
    for id in &ids {
        out.push_str(&format!(",fact_{id}"));
    }
    let measured: Vec<String> = trials
        .first()
        .map(|t| {
            t.checks
                .iter()
                .flat_map(|c| c.measured.keys().map(move |k| format!("fact_{}_{k}", c.id)))
                .collect()
        })
        .unwrap_or_default();
    for name in &measured {
        out.push_str(&format!(",{name}"));
    }
    out.push('\n');
    for t in trials {
        out.push_str(&format!(
            "{},{},{}",
            t.draw,
            hm.seed.wrapping_add(u64::from(t.draw)),
            u8::from(t.accepted())
        ));
        for v in &t.values {
            out.push_str(&format!(",{v}"));
        }
        for c in &t.checks {
            out.push_str(&format!(",{}", u8::from(c.pass)));
        }
        for v in t.checks.iter().flat_map(|c| c.measured.values()) {
            out.push_str(&format!(",{v}"));
        }
        out.push('\n');
    }
    out
}
