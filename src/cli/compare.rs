//! `tokenmaxx compare SCENARIO...`: run several scenarios over the same replications and say
//! which policy is best on each headline figure, and how sure that is.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU32, Ordering};

use anyhow::Context;
use clap::Args;
use serde::Deserialize;
use tokenmaxx::compare::{Compare, Comparison, MAX_REPLICATIONS, Priors, RunOut};
use tokenmaxx::engine::Progress;
use tokenmaxx::report::{OutputDir, charts, compare as tables};
use tokenmaxx::scenario::Source;

use super::UserError;
use super::progress::Bar;

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Scenarios (built-in names or files), the first being the baseline unless --baseline says
    /// otherwise; or one compare.toml listing them.
    #[arg(required = true)]
    scenarios: Vec<String>,
    /// Replications per scenario (replication r of every scenario shares its seed) [default: 20].
    #[arg(long)]
    replications: Option<u32>,
    /// The scenario every other one is compared with [default: the first].
    #[arg(long)]
    baseline: Option<String>,
    /// Draw the parameters without a published anchor per replication from priors: a file, or
    /// `default` for the shipped scenarios/priors/unanchored.toml.
    #[arg(long)]
    priors: Option<String>,
    /// Output folder [default: output/compare/]. Replaced as a whole when the comparison succeeds.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Seed shared by every scenario [default: 42].
    #[arg(long)]
    seed: Option<u64>,
    /// Override the number of employees of every scenario.
    #[arg(long)]
    employees: Option<i64>,
    /// Override the horizon of every scenario, in weeks.
    #[arg(long)]
    weeks: Option<i64>,
    /// Worker threads [default: all cores]. Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// No progress bar and no verdict on stdout.
    #[arg(long, short)]
    quiet: bool,
    /// Skip comparison.png.
    #[arg(long)]
    no_charts: bool,
}

/// A compare.toml: the scenarios and the settings of a comparison.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct CompareFile {
    name: Option<String>,
    scenarios: Vec<String>,
    baseline: Option<String>,
    replications: Option<u32>,
    seed: Option<u64>,
    employees: Option<i64>,
    weeks: Option<i64>,
    priors: Option<String>,
}

/// Read the compare.toml when the only argument is one, resolving its paths against its folder.
fn spec_file(args: &[String]) -> anyhow::Result<Option<(CompareFile, PathBuf)>> {
    let [one] = args else { return Ok(None) };
    let path = Path::new(one);
    if !one.ends_with(".toml") || !path.is_file() {
        return Ok(None);
    }
    let text = tokenmaxx::sweep::spec::read_spec(path)?;
    let table: toml::Table = match toml::from_str(&text) {
        Ok(t) => t,
        Err(_) => return Ok(None),
    };
    if !table.contains_key("scenarios") {
        return Ok(None);
    }
    let file: CompareFile = toml::from_str(&text)
        .map_err(|e| UserError(format!("{}: {}", path.display(), e.message())))?;
    let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    Ok(Some((file, dir)))
}

/// A scenario argument as a source; a relative file in a compare.toml is relative to it.
fn source(arg: &str, dir: Option<&Path>) -> Source {
    match (Source::parse(arg), dir) {
        (Source::Path(p), Some(d)) if p.is_relative() => Source::Path(d.join(p)),
        (s, _) => s,
    }
}

/// The comparison the command line (and a compare.toml) asks for.
fn build(args: &CompareArgs) -> anyhow::Result<(Compare, String)> {
    let (file, dir) = match spec_file(&args.scenarios)? {
        Some((f, d)) => (f, Some(d)),
        None => (
            CompareFile {
                scenarios: args.scenarios.clone(),
                ..CompareFile::default()
            },
            None,
        ),
    };
    anyhow::ensure!(
        file.scenarios.len() >= 2,
        UserError("compare needs at least two scenarios".into())
    );
    let mut scenarios = Vec::new();
    for arg in &file.scenarios {
        let src = source(arg, dir.as_deref());
        let s = tokenmaxx::scenario::Scenario::load(&src)?;
        scenarios.push((s.name, src));
    }
    let baseline_name = args.baseline.clone().or(file.baseline.clone());
    let baseline = match &baseline_name {
        None => 0,
        Some(b) => file.scenarios.iter().zip(&scenarios).position(|(arg, (name, _))| arg == b || name == b)
            .ok_or_else(|| UserError(format!("--baseline {b} is not one of the compared scenarios")))?,
    };
    let replications = args.replications.or(file.replications).unwrap_or(20);
    anyhow::ensure!(
        (2..=MAX_REPLICATIONS).contains(&replications),
        UserError(format!("--replications must be in [2, {MAX_REPLICATIONS}] (intervals need at least two)"))
    );
    let priors = match args.priors.clone().or(file.priors.clone()) {
        Some(p) => Some(Priors::load(&p)?),
        None => None,
    };
    let name = file.name.unwrap_or_else(|| "compare".into());
    let c = Compare {
        scenarios,
        baseline,
        replications,
        seed: args.seed.or(file.seed).unwrap_or(42),
        employees: args.employees.or(file.employees),
        weeks: args.weeks.or(file.weeks),
        priors,
    };
    Ok((c, name))
}

pub fn run(args: CompareArgs) -> anyhow::Result<ExitCode> {
    let (c, name) = build(&args)?;
    let first = c.scenario(0, 0)?;
    super::check_memory(&first, args.threads.unwrap_or(2).max(1))?;
    let out = match &args.out {
        Some(o) => o.clone(),
        None => super::default_out(&name)?,
    };
    let pool = super::thread_pool(args.threads)?;
    let inputs: Vec<&Path> = c
        .scenarios
        .iter()
        .filter_map(|(_, s)| s.path())
        .collect();
    let dir = OutputDir::create(&out, &inputs)
        .with_context(|| format!("preparing output folder {}", out.display()))?;
    let total = c.runs() as u32;
    let bar = Bar::new(total as u64, &name, "runs", args.quiet);
    let done = AtomicU32::new(0);
    let started = std::time::Instant::now();
    let results = pool.install(|| {
        c.run_all(&|| bar.week_done(done.fetch_add(1, Ordering::Relaxed) + 1, total))
    });
    bar.finish();
    let ok: Vec<RunOut> = results.iter().filter_map(|r| r.as_ref().ok().cloned()).collect();
    let failed = results.len() - ok.len();
    anyhow::ensure!(
        !ok.is_empty(),
        UserError(format!("every run failed; the first: {}", results[0].as_ref().err().map_or("", |e| e.as_str())))
    );
    let cmp = Comparison::of(&c, &ok);
    let bands = tables::bands(&c, &ok);
    tables::write_tables(&dir.file(""), &c, &cmp, &results, &bands)?;
    let verdict = cmp.verdict(&c, &ok);
    std::fs::write(dir.file("verdict.txt"), verdict.join("\n") + "\n")
        .with_context(|| format!("writing {}", dir.file("verdict.txt").display()))?;
    let chart = dir.file("comparison.png");
    if !args.no_charts {
        charts::compare::draw(&chart, &c, &cmp, &bands)?;
    }
    let command = tokenmaxx::report::run_html::command_line();
    tokenmaxx::report::compare_html::build(&c, &cmp, &verdict, (!args.no_charts).then_some(chart.as_path()), &command)?
        .write(&dir.file("report.html"))?;
    let written = dir.commit()?;
    if !args.quiet {
        print_verdict(&c, &cmp, &verdict, failed, started.elapsed(), &written);
    }
    Ok(if failed > 0 { ExitCode::from(4) } else { ExitCode::SUCCESS })
}

fn print_verdict(
    c: &Compare,
    cmp: &Comparison,
    verdict: &[String],
    failed: usize,
    took: std::time::Duration,
    written: &Path,
) {
    println!(
        "{} scenarios x {} replications (common random numbers{}), against {}:",
        c.scenarios.len(),
        c.replications,
        if c.priors.is_some() { ", parameters drawn from priors" } else { "" },
        c.scenarios[c.baseline].0
    );
    for line in verdict {
        println!("- {line}");
    }
    let flips: Vec<String> = cmp
        .rankings
        .iter()
        .filter(|k| !k.stable())
        .map(|k| format!("{} vs {} on {} ({:.0}% / {:.0}%)", c.scenarios[k.a].0, c.scenarios[k.b].0, k.figure, k.share_a_better * 100.0, (1.0 - k.share_a_better) * 100.0))
        .collect();
    if !flips.is_empty() {
        println!("Rankings that flip across replications (neither order holds in 90% of them):");
        for f in flips.iter().take(12) {
            println!("  {f}");
        }
    }
    if failed > 0 {
        eprintln!("{failed} run(s) failed (see runs.csv); the comparison uses the others");
    }
    println!("Compared in {:.1} s. Results in {}/", took.as_secs_f64(), written.display());
}
