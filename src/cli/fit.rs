//! `tokenmaxx fit ORG_DIR --base baseline --out ORG_DIR/fit/`: the scenario parameters that
//! reproduce an imported profile (simulated moments, common random numbers, differential
//! evolution), written as a ready scenario `org.toml`, with `posterior.toml` (the candidates
//! consistent with the profile, which `compare` on the fitted scenarios draws from).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU32, Ordering};

use anyhow::Context;
use clap::Args;
use tokenmaxx::engine::Progress;
use tokenmaxx::fit::output::Variant;
use tokenmaxx::fit::{self, Candidate, Fit};
use tokenmaxx::import::profile::{self, Profile};
use tokenmaxx::report::output_dir::check_target;
use tokenmaxx::report::{OutputDir, charts};
use tokenmaxx::scenario::{Scenario, Source};

use super::UserError;
use super::progress::Bar;

#[derive(Debug, Args)]
pub struct FitArgs {
    /// A folder written by `tokenmaxx import` (or its profile.json).
    profile: PathBuf,
    /// The scenario the organisation is fitted on (built-in name or file); org.toml extends it.
    #[arg(long, default_value = "baseline")]
    base: String,
    /// Output folder [default: ORG_DIR/fit/].
    #[arg(long)]
    out: Option<PathBuf>,
    /// A scenario whose policies were in force during the export (target, leaderboard...), so
    /// the fit explains padding by the policy rather than by the traits.
    #[arg(long)]
    policy: Option<String>,
    /// Also write org-<NAME>.toml: the fitted organisation under this scenario's policies
    /// (repeatable).
    #[arg(long = "with", value_name = "SCENARIO")]
    with: Vec<String>,
    /// Name of the fitted scenario.
    #[arg(long, default_value = "org")]
    name: String,
    /// Seeds the optimiser and the runs (every candidate uses the same seeds).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Candidates evaluated in all.
    #[arg(long, default_value_t = 2000)]
    budget: usize,
    /// Simulate candidates with this many people (same group shares and team size) instead of
    /// the profile's headcount: faster for a large organisation; org.toml states the real one.
    #[arg(long)]
    employees: Option<u32>,
    /// Simulated runs per candidate.
    #[arg(long, default_value_t = 1)]
    replications: u32,
    #[arg(long)]
    threads: Option<usize>,
    /// Skip fit.png.
    #[arg(long)]
    no_charts: bool,
    #[arg(long, short)]
    quiet: bool,
}

/// Each `--with` is checked before the fit starts (not after it, against a temporary file).
fn check_withs(args: &FitArgs, withs: &[Source]) -> anyhow::Result<()> {
    for (w, s) in args.with.iter().zip(withs) {
        Scenario::load(s).with_context(|| format!("--with {w}"))?;
        variant_name(&args.name, w)?;
    }
    Ok(())
}

pub fn run(args: FitArgs) -> anyhow::Result<ExitCode> {
    let file = if args.profile.is_dir() {
        args.profile.join(profile::FILE)
    } else {
        args.profile.clone()
    };
    let observed = Profile::load(&file)?;
    tokenmaxx::paths::check_name(&args.name).map_err(|m| UserError(format!("--name: {m}")))?;
    anyhow::ensure!(
        (4..=100_000).contains(&args.budget) && (1..=100).contains(&args.replications),
        UserError("--budget must be 4 to 100000 and --replications 1 to 100".into())
    );
    let out = match &args.out {
        Some(o) => o.clone(),
        None => file.parent().unwrap_or(Path::new(".")).join("fit"),
    };
    let (base, policy) = (
        Source::parse(&args.base),
        args.policy.as_deref().map(Source::parse),
    );
    let withs: Vec<Source> = args.with.iter().map(|w| Source::parse(w)).collect();
    check_withs(&args, &withs)?;
    let mut files = vec![file.clone()];
    for s in std::iter::once(&base).chain(&policy).chain(&withs) {
        files.extend(tokenmaxx::scenario::load::resolve(s)?.files);
    }
    let inputs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    check_target(&out, &inputs)?;
    let settings = fit::Settings {
        replications: args.replications,
        budget: args.budget,
        seed: args.seed,
        employees: args.employees,
    };
    let fit = Fit::new(observed, &base, policy.as_ref(), &settings)?;
    super::check_memory(
        &fit.scenario(&vec![0.5; fit.params.len()], args.seed)?,
        args.threads.unwrap_or(1),
    )?;
    let pool = super::thread_pool(args.threads)?;
    let total = (fit.settings.budget as u32) * fit.replications;
    let bar = Bar::new(total as u64, "fit", "runs", args.quiet);
    let done = AtomicU32::new(0);
    let candidates = pool.install(|| {
        fit.run(&|runs| {
            bar.week_done(
                done.fetch_add(runs as u32, Ordering::Relaxed) + runs as u32,
                total,
            )
        })
    });
    bar.finish();
    let best = fit::best(&candidates)
        .ok_or_else(|| UserError("every candidate failed to simulate".into()))?;
    let dir = OutputDir::create(&out, &inputs)
        .with_context(|| format!("preparing output folder {}", out.display()))?;
    let written = write_scenarios(dir.file("").as_path(), &args, &fit, best, &base, &withs)?;
    write_tables(dir.file("").as_path(), &fit, &candidates, best)?;
    write_posterior(dir.file("").as_path(), &fit, &candidates, best)?;
    if !args.no_charts {
        let sim = fit
            .simulate(&fit.unit(&best.values), 0)
            .context("simulating the best candidate")?;
        let caption = format!(
            "{} people x {} weeks | best of {} candidates, loss {:.2}",
            fit.observed.headcount.total,
            fit.observed.weeks.len(),
            candidates.len(),
            best.loss
        );
        charts::profile::fit(&dir.file("fit.png"), &fit.observed, &sim, &caption)?;
    }
    let out = dir.commit()?;
    if !args.quiet {
        print_summary(&fit, &candidates, best, &out, &written);
    }
    Ok(ExitCode::SUCCESS)
}

/// `extends` for a scenario source: a built-in name as is, a file as an absolute path.
fn extends(s: &Source) -> anyhow::Result<String> {
    Ok(match s {
        Source::Builtin(n) => n.clone(),
        Source::Path(p) => std::fs::canonicalize(p)
            .with_context(|| format!("resolving {}", p.display()))?
            .display()
            .to_string(),
        Source::Text { name, .. } => name.clone(),
    })
}

/// The name of the scenario written for `--with w`: `<name>-<w's stem>`, checked.
fn variant_name(name: &str, w: &str) -> anyhow::Result<String> {
    let stem = Path::new(w)
        .file_stem()
        .map_or(w.to_string(), |s| s.to_string_lossy().into_owned());
    let name = format!("{name}-{stem}");
    tokenmaxx::paths::check_name(&name).map_err(|m| UserError(format!("--with {w}: {m}")))?;
    Ok(name)
}

/// org.toml and one org-<NAME>.toml per --with, each checked by loading it back.
fn write_scenarios(
    dir: &Path,
    args: &FitArgs,
    fit: &Fit,
    best: &Candidate,
    base: &Source,
    withs: &[Source],
) -> anyhow::Result<Vec<PathBuf>> {
    let base_groups: Vec<String> =
        Scenario::from_table(fit.table.clone(), "fit", &Default::default())?
            .0
            .groups
            .iter()
            .map(|g| g.name.clone())
            .collect();
    let mut variants = vec![Variant {
        name: args.name.clone(),
        extends: extends(base)?,
    }];
    for (w, s) in args.with.iter().zip(withs) {
        variants.push(Variant {
            name: variant_name(&args.name, w)?,
            extends: extends(s)?,
        });
    }
    let files = fit::output::scenarios(fit, best, &base_groups, &variants, args.policy.as_deref());
    let mut written = Vec::new();
    for (file, text) in files {
        let path = dir.join(&file);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        Scenario::load(&Source::Path(path.clone()))
            .with_context(|| format!("checking the written {file}"))?;
        written.push(PathBuf::from(file));
    }
    Ok(written)
}

/// fit.csv, parameters.csv and trace.csv.
fn write_tables(
    dir: &Path,
    fit: &Fit,
    candidates: &[Candidate],
    best: &Candidate,
) -> anyhow::Result<()> {
    for (name, text) in fit::output::tables(fit, candidates, best) {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// posterior.toml (the accepted candidates, as priors `compare` draws from), checked by loading
/// it back as `compare` will.
fn write_posterior(
    dir: &Path,
    fit: &Fit,
    candidates: &[Candidate],
    best: &Candidate,
) -> anyhow::Result<()> {
    let path = dir.join(tokenmaxx::paths::POSTERIOR);
    let text = fit::posterior::text(fit, candidates, best);
    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    tokenmaxx::compare::Priors::load(&path.display().to_string())
        .with_context(|| format!("checking the written {}", tokenmaxx::paths::POSTERIOR))?;
    Ok(())
}

fn print_summary(
    fit: &Fit,
    candidates: &[Candidate],
    best: &Candidate,
    out: &Path,
    written: &[PathBuf],
) {
    println!(
        "best of {} candidates x {} runs: loss {:.3}",
        fit.settings.budget, fit.replications, best.loss
    );
    for (q, v) in fit.params.iter().zip(&best.values) {
        println!("  {:<24} {v:.4}   [{}, {}]", q.name, q.low, q.high);
    }
    for (m, s) in fit.moments.iter().zip(&best.simulated) {
        println!(
            "  {:<24} observed {:.4}   simulated {:.4}",
            m.name, m.value, s
        );
    }
    for w in written {
        println!("Scenario: {}", out.join(w).display());
    }
    println!(
        "Posterior: {} (accepted candidates: {}; `compare` on these scenarios draws from it)",
        out.join(tokenmaxx::paths::POSTERIOR).display(),
        fit::posterior::accepted(fit.params.len(), candidates, best).len()
    );
    println!("Results in {}/", out.display());
}
