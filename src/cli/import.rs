//! `tokenmaxx import USAGE... --out org/`: an organisation profile from a usage export; and the
//! hidden `tokenmaxx synth-export SCENARIO --out DIR` that writes a synthetic export of a
//! simulated run (examples/org/ is made with it).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use tokenmaxx::import::{self, Format, Options, panel, profile, synth};
use tokenmaxx::report::output_dir::check_target;
use tokenmaxx::report::{OutputDir, charts};
use tokenmaxx::scenario::{Scenario, Source};

use super::UserError;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    /// CSV or Parquet, one row per person and day or week.
    Table,
    /// The Claude Code Analytics Admin API's JSON pages.
    ClaudeCode,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Usage export files: CSV or Parquet tables, or Claude Code Analytics JSON pages.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Output folder for profile.json and profile.png.
    #[arg(long, default_value = "org")]
    out: PathBuf,
    /// The format of every file [default: detected from each file's content].
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Secret salt of the person pseudonyms (the same salt gives the same pseudonyms) [default: a
    /// random key, written nowhere].
    #[arg(long)]
    salt: Option<String>,
    /// Headcount file (CSV: person, group, team): adds people who never used AI.
    #[arg(long)]
    roster: Option<PathBuf>,
    /// Weekly tokens at or above which a person counts as active (the scenarios' target theta).
    #[arg(long, default_value_t = 5e5)]
    threshold: f64,
    /// Skip profile.png.
    #[arg(long)]
    no_charts: bool,
    /// No summary on stdout.
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(args: ImportArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        args.threshold.is_finite() && args.threshold > 0.0,
        UserError("--threshold must be a positive number of tokens".into())
    );
    let mut inputs: Vec<&std::path::Path> = args.files.iter().map(PathBuf::as_path).collect();
    if let Some(r) = &args.roster {
        inputs.push(r);
    }
    check_target(&args.out, &inputs)?;
    let o = Options {
        format: args.format.map(|f| match f {
            FormatArg::Table => Format::Table,
            FormatArg::ClaudeCode => Format::ClaudeCode,
        }),
        salt: args.salt.clone(),
        roster: args.roster.clone(),
        threshold: args.threshold,
    };
    let (panel, formats) = import::read(&args.files, &o)?;
    let rows = panel_rows(&panel);
    let p = profile::Profile::of(&panel, args.threshold, formats, args.files.len(), rows);
    drop(panel);
    let dir = OutputDir::create(&args.out, &inputs)
        .with_context(|| format!("preparing output folder {}", args.out.display()))?;
    profile::write(&dir.file(""), &p)?;
    if !args.no_charts {
        charts::profile::draw(&dir.file("profile.png"), &p)?;
    }
    let out = dir.commit()?;
    for n in &p.notes {
        eprintln!("note: {n}");
    }
    if !args.quiet {
        print_summary(&p, &out);
    }
    Ok(ExitCode::SUCCESS)
}

/// Person-weeks with any tokens (what the export held, after aggregation).
fn panel_rows(p: &panel::Panel) -> u64 {
    p.tokens.iter().filter(|&&t| t > 0.0).count() as u64
}

fn print_summary(p: &profile::Profile, out: &std::path::Path) {
    let t = &p.tokens;
    println!("{}", charts::profile::subtitle(p));
    println!(
        "weekly-active share {:.1}%, weekly user share {:.1}%",
        100.0 * p.weekly_active_share,
        100.0 * p.weekly_user_share
    );
    println!(
        "weekly tokens of users: median {}, p90 {}, p99 {}; Gini {:.2}; top decile {:.1}x the median",
        charts::tokens(t.quantiles["p50"]),
        charts::tokens(t.quantiles["p90"]),
        charts::tokens(t.quantiles["p99"]),
        t.gini,
        t.top_decile_ratio
    );
    if let Some(c) = &p.cost {
        println!(
            "cost per active user per month: {}",
            charts::usd(c.per_active_user_month_usd)
        );
    }
    println!(
        "Profile in {}/ (next: tokenmaxx fit {})",
        out.display(),
        out.display()
    );
}

#[derive(Debug, Args)]
pub struct SynthArgs {
    /// The scenario to simulate (file or built-in name).
    scenario: String,
    /// Output folder for usage.csv, usage.claude_code.jsonl and roster.csv.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    overrides: super::run::OverrideArgs,
}

/// Hidden: write a synthetic export of a simulated run.
pub fn synth(args: SynthArgs) -> anyhow::Result<ExitCode> {
    let source = Source::parse(&args.scenario);
    let (s, _, files) = Scenario::load_reporting(&source, &args.overrides.overrides())?;
    let inputs: Vec<&std::path::Path> = files.iter().map(PathBuf::as_path).collect();
    let dir = OutputDir::create(&args.out, &inputs)?;
    let panel = panel::simulated(&s, 0);
    synth::write(&dir.file(""), &panel, s.money.price_usd_per_mtok)?;
    let out = dir.commit()?;
    println!(
        "synthetic export of {} (seed {}) in {}/",
        s.name,
        s.seed,
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}
