//! `tokenmaxx compare SCENARIO...`: run several scenarios over the same replications and say
//! which policy is best on each headline figure, and how sure that is.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use serde::Deserialize;
use tokenmaxx::compare::stored::{self, RunLine};
use tokenmaxx::compare::{Compare, Compared, Comparison, MAX_REPLICATIONS, Priors, RunOut};
use tokenmaxx::engine::Progress;
use tokenmaxx::report::{OutputDir, compare as tables, write_in_place};
use tokenmaxx::scenario::Source;
use tokenmaxx::sweep::Shard;
use tokenmaxx::sweep::journal::{Header, Journal};

use super::UserError;
use super::progress::Bar;
use super::sweep::{BatchArgs, MergeArgs, RUNS_FAILED, Recorder};

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The comparison as asked for on the command line.
    #[command(flatten)]
    asked: Asked,
    /// Shards: id = scenario x replications + replication.
    #[command(flatten)]
    shard: super::shard::ShardArgs,
    /// Without --resume or --shard the output folder (default output/compare/ or
    /// output/<name>/) is replaced as a whole when the comparison succeeds; with either, it is
    /// written in place with a journal of the finished runs.
    #[command(flatten)]
    batch: BatchArgs,
}

/// A comparison as asked for: the flags, or a compare.toml whose keys are the flags' names (and
/// `name`). [`build`] resolves it, each flag given over the file's setting, into the [`Compare`]
/// that runs and is stored.
#[derive(Debug, Clone, Default, Args, Deserialize)]
#[serde(from = "AskedFile")]
struct Asked {
    /// The comparison's name, its default output folder (a compare.toml's; not a flag).
    #[arg(skip)]
    name: Option<String>,
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
    /// Draw the parameters without a published anchor per replication from priors:
    /// `calibrated` (the default: the draws the calibration accepted,
    /// scenarios/priors/calibrated.toml), `unanchored` (its wide starting ranges), `none` (fixed
    /// parameters: the intervals are seed noise only) or a file. Without it, compared scenario
    /// files beside a `posterior.toml` written by `tokenmaxx fit` draw the fitted parameters from
    /// it and the others from the calibrated priors.
    #[arg(long)]
    priors: Option<String>,
    /// The horizons, in weeks, of the verdict by horizon, best.csv and the horizon rows of
    /// comparison.csv and runs.csv: 1 to 8 increasing weeks within the runs' length, e.g.
    /// `26,52,104` [default: 26, 52, 104 and 156, those the runs reach].
    #[arg(long, value_name = "WEEKS")]
    horizons: Option<Horizons>,
    /// Seed shared by every scenario [default: 42].
    #[arg(long)]
    seed: Option<u64>,
    #[command(flatten)]
    size: super::run::SizeArgs,
}

/// A compare.toml: the flags' names as keys (and `name`), read into an [`Asked`]; an unknown
/// key is refused.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct AskedFile {
    name: Option<String>,
    scenarios: Vec<String>,
    replications: Option<u32>,
    baseline: Option<String>,
    priors: Option<String>,
    horizons: Option<Horizons>,
    seed: Option<u64>,
    employees: Option<i64>,
    weeks: Option<i64>,
}

impl From<AskedFile> for Asked {
    fn from(f: AskedFile) -> Asked {
        Asked {
            name: f.name,
            scenarios: f.scenarios,
            replications: f.replications,
            baseline: f.baseline,
            priors: f.priors,
            horizons: f.horizons,
            seed: f.seed,
            size: super::run::SizeArgs {
                employees: f.employees,
                weeks: f.weeks,
            },
        }
    }
}

impl Asked {
    /// These flags over a compare.toml's settings `file` (its name and scenarios kept).
    fn over(&self, file: Asked) -> Asked {
        Asked {
            name: file.name,
            scenarios: file.scenarios,
            replications: self.replications.or(file.replications),
            baseline: self.baseline.clone().or(file.baseline),
            priors: self.priors.clone().or(file.priors),
            horizons: self.horizons.clone().or(file.horizons),
            seed: self.seed.or(file.seed),
            size: super::run::SizeArgs {
                employees: self.size.employees.or(file.size.employees),
                weeks: self.size.weeks.or(file.size.weeks),
            },
        }
    }
}

/// The horizons as given: `--horizons`' text (read by [`build`], whose error names the flag) or
/// a compare.toml's list of weeks.
#[derive(Debug, Clone)]
enum Horizons {
    Flag(String),
    File(Vec<u32>),
}

impl std::str::FromStr for Horizons {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Horizons, Self::Err> {
        Ok(Horizons::Flag(text.to_string()))
    }
}

impl<'de> Deserialize<'de> for Horizons {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Horizons, D::Error> {
        Vec::<u32>::deserialize(d).map(Horizons::File)
    }
}

/// Read the compare.toml when the only argument is one, resolving its paths against its folder.
/// Returns what the file asks for, its folder and its path.
fn spec_file(args: &[String]) -> anyhow::Result<Option<(Asked, PathBuf, PathBuf)>> {
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
    let file: Asked = toml::from_str(&text)
        .map_err(|e| UserError(format!("{}: {}", path.display(), e.message())))?;
    let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    Ok(Some((file, dir, path.to_path_buf())))
}

/// A scenario argument as a source; a relative file in a compare.toml is relative to it.
fn source(arg: &str, dir: Option<&Path>) -> Source {
    match (Source::parse(arg), dir) {
        (Source::Path(p), Some(d)) if p.is_relative() => Source::Path(d.join(p)),
        (s, _) => s,
    }
}

/// The comparison the command line (and a compare.toml) asks for and the files it reads (the
/// compare.toml, every scenario's file and `extends` layers, the priors file).
fn build(args: &CompareArgs) -> anyhow::Result<(Compare, Vec<PathBuf>)> {
    let flags = &args.asked;
    let mut inputs = Vec::new();
    let (asked, dir, spec_path) = match spec_file(&flags.scenarios)? {
        Some((file, dir, path)) => {
            inputs.push(path.clone());
            (flags.over(file), Some(dir), Some(path))
        }
        None => (flags.clone(), None, None),
    };
    anyhow::ensure!(
        asked.scenarios.len() >= 2,
        UserError("compare needs at least two scenarios".into())
    );
    let mut scenarios = Vec::new();
    for arg in &asked.scenarios {
        let src = source(arg, dir.as_deref());
        let (s, _, files) =
            tokenmaxx::scenario::Scenario::load_reporting(&src, &Default::default())?;
        inputs.extend(files);
        scenarios.push((s.name, src));
    }
    let baseline = match &asked.baseline {
        None => 0,
        Some(b) => asked
            .scenarios
            .iter()
            .zip(&scenarios)
            .position(|(arg, (name, _))| arg == b || name == b)
            .ok_or_else(|| {
                UserError(format!(
                    "--baseline {b} is not one of the compared scenarios"
                ))
            })?,
    };
    let replications = asked.replications.unwrap_or(20);
    anyhow::ensure!(
        (2..=MAX_REPLICATIONS).contains(&replications),
        UserError(format!(
            "--replications must be in [2, {MAX_REPLICATIONS}] (intervals need at least two)"
        ))
    );
    let priors = priors(asked.priors.clone(), &scenarios, &mut inputs)?;
    let scenarios = scenarios
        .into_iter()
        .map(|(name, source)| Compared::new(name, source))
        .collect::<Result<_, _>>()?;
    let mut c = Compare {
        name: asked.name.unwrap_or_else(|| "compare".into()),
        scenarios,
        baseline,
        replications,
        seed: asked.seed.unwrap_or(42),
        employees: asked.size.employees,
        weeks: asked.size.weeks,
        priors,
        horizons: None,
    };
    c.horizons = horizons(&c, asked.horizons.as_ref(), spec_path.as_deref())?;
    Ok((c, inputs))
}

/// The horizons of comparison `c`, as given (by `--horizons`, or by the compare.toml at `spec`),
/// checked against the shortest compared run; an error names the flag or the file and key.
fn horizons(
    c: &Compare,
    given: Option<&Horizons>,
    spec: Option<&Path>,
) -> anyhow::Result<Option<Vec<u32>>> {
    let (h, file) = match given {
        None => return Ok(None),
        Some(Horizons::Flag(text)) => (parse_horizons(text)?, None),
        Some(Horizons::File(h)) => (h.clone(), spec),
    };
    let weeks = (0..c.scenarios.len())
        .map(|i| c.scenario(i, 0).map(|s| s.weeks))
        .collect::<Result<Vec<u32>, _>>()?;
    let shortest = weeks.into_iter().min().unwrap_or(0);
    tokenmaxx::compare::horizons::check(&h, shortest).map_err(|m| match file {
        Some(p) => UserError(format!(
            "{}: `horizons` {}",
            p.display(),
            &m["--horizons".len()..]
        )),
        None => UserError(m),
    })?;
    Ok(Some(h))
}

/// `--horizons` as weeks (checked against the runs' length by the caller).
fn parse_horizons(text: &str) -> anyhow::Result<Vec<u32>> {
    let weeks: Option<Vec<u32>> = text.split(',').map(|w| w.trim().parse().ok()).collect();
    weeks.ok_or_else(|| {
        UserError(format!(
            "--horizons takes weeks separated by commas (1 to {} increasing whole numbers, e.g. 26,52,104)",
            tokenmaxx::compare::horizons::MAX_HORIZONS
        ))
        .into()
    })
}

/// The priors of a comparison ([`Priors::for_comparison`]); a priors file read is added to
/// `inputs` (so no output folder may hold it).
fn priors(
    spec: Option<String>,
    scenarios: &[(String, Source)],
    inputs: &mut Vec<PathBuf>,
) -> anyhow::Result<Option<Priors>> {
    let (priors, read) = Priors::for_comparison(spec.as_deref(), scenarios)?;
    inputs.extend(read);
    Ok(priors)
}

pub fn run(args: CompareArgs) -> anyhow::Result<ExitCode> {
    let (c, inputs) = build(&args)?;
    let shard = args.shard.resolve()?;
    let b = &args.batch;
    let first = c.scenario(0, 0)?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    super::check_memory(&first, b.pool.threads.unwrap_or(cores).max(1))?;
    if b.resume || shard.is_some() {
        return in_place(&c.stored(), shard.unwrap_or(Shard::ALL), &inputs, b);
    }
    let out = match &b.out {
        Some(o) => o.clone(),
        None => super::default_out(&c.name)?,
    };
    let pool = super::thread_pool(b.pool.threads)?;
    let inputs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    let dir = OutputDir::create(&out, &inputs)
        .with_context(|| format!("preparing output folder {}", out.display()))?;
    let total = c.runs() as u32;
    let bar = Bar::new(total as u64, &c.name, "runs", b.quiet);
    let done = AtomicU32::new(0);
    let started = Instant::now();
    let results = pool
        .install(|| c.run_all(&|| bar.week_done(done.fetch_add(1, Ordering::Relaxed) + 1, total)));
    bar.finish();
    let outcome = write_outputs(&c, &dir.file(""), &results, b.no_charts)?;
    let written = dir.commit()?;
    Ok(conclude(&c, &outcome, started, &written, b.quiet))
}

/// A comparison written in place (`--resume`, `--shard K/N`): compare.json and a journal of the
/// finished runs; the shard's runs not yet journaled are run; a whole comparison then writes its
/// outputs as [`run`] does. `c` is the comparison as stored (its scenarios from their text).
fn in_place(
    c: &Compare,
    shard: Shard,
    inputs: &[PathBuf],
    b: &BatchArgs,
) -> anyhow::Result<ExitCode> {
    let keep = [tokenmaxx::sweep::journal::FILE, stored::FILE];
    let (out, _lock) = b.folder(&c.name, shard, inputs, &keep)?;
    let started = Instant::now();
    let (journal, existing) = open_journal(c, &out, shard, b.resume)?;
    let done: std::collections::BTreeSet<u64> = existing
        .iter()
        .filter(|l| l.error.is_none())
        .map(|l| l.id)
        .collect();
    let todo: Vec<u64> = (0..c.runs())
        .filter(|id| shard.owns(*id) && !done.contains(id))
        .collect();
    let pool = super::thread_pool(b.pool.threads)?;
    let bar = Bar::new(todo.len() as u64, &c.name, "runs", b.quiet);
    let recorder = Recorder::new(&journal, bar, 0, todo.len() as u32);
    pool.install(|| {
        c.run_ids(&todo, &|id, outcome| {
            recorder.record(&RunLine::new(c, id, outcome))
        })
    });
    let lines: Vec<RunLine> = recorder
        .finish()?
        .into_iter()
        .filter(|l| shard.owns(l.id))
        .collect();
    if shard != Shard::ALL {
        // A shard has no result set of its own: the earlier batch's files go now.
        write_in_place(&out, |_| Ok::<(), anyhow::Error>(()))?;
        let failed = lines.iter().filter(|l| l.error.is_some()).count();
        if !b.quiet {
            println!(
                "{}: {} runs here ({} skipped as already done), shard {}/{}. Results in {}/",
                c.name,
                lines.len(),
                done.len(),
                shard.index,
                shard.count,
                out.display()
            );
        }
        return Ok(exit_code(failed));
    }
    anyhow::ensure!(
        lines.len() as u64 == c.runs(),
        "the journal holds {} of {} runs",
        lines.len(),
        c.runs()
    );
    write_whole(c, &out, lines, started, b.no_charts, b.quiet)
}

/// Write compare.json into `out` and open its journal (continued with `resume`, after checking
/// the folder holds the same comparison). Returns the journal and the runs it already holds.
fn open_journal(
    stored: &Compare,
    out: &Path,
    shard: Shard,
    resume: bool,
) -> anyhow::Result<(Journal, Vec<RunLine>)> {
    if resume && out.join(stored::FILE).is_file() {
        same_comparison(stored, out, false)?;
    }
    let json = stored.to_json();
    tokenmaxx::report::tables::atomic_write(&out.join(stored::FILE), json.as_bytes())?;
    let runs = stored.runs();
    Ok(Journal::open(
        out,
        Header::new(&stored.name, &json, runs, shard),
        resume,
    )?)
}

/// Refuse a folder whose compare.json is not `stored`, naming what differs (from the folder's
/// to `stored` when resuming, from `stored`, the first shard's, to the folder's when merging).
fn same_comparison(stored: &Compare, dir: &Path, merging: bool) -> anyhow::Result<()> {
    let there = Compare::read(dir)?;
    let (diff, fix) = match merging {
        false => (
            there.differences(stored),
            "runs of both would mix: choose another --out, or start over without --resume",
        ),
        true => (
            stored.differences(&there),
            "merge only the shards of one comparison",
        ),
    };
    anyhow::ensure!(
        diff.is_empty(),
        UserError(format!(
            "{} holds runs of another comparison ({} differs: {}); {fix}",
            dir.display(),
            stored::FILE,
            diff.join("; ")
        ))
    );
    Ok(())
}

/// Write a whole comparison's outputs from its journaled runs (all of them, in id order) into
/// the folder `out`, file by file, and say what it found.
fn write_whole(
    c: &Compare,
    out: &Path,
    lines: Vec<RunLine>,
    started: Instant,
    no_charts: bool,
    quiet: bool,
) -> anyhow::Result<ExitCode> {
    let results: Vec<Result<RunOut, String>> = lines.into_iter().map(RunLine::outcome).collect();
    let outcome = write_in_place(out, |dir| write_outputs(c, dir, &results, no_charts))?;
    Ok(conclude(c, &outcome, started, out, quiet))
}

/// True when `dir` is a folder of a comparison written in place (a shard to merge).
pub fn is_shard(dir: &Path) -> bool {
    dir.join(stored::FILE).is_file()
}

/// `tokenmaxx merge` of comparison shards: every run id once, all of one comparison; then the
/// same outputs as an unsharded comparison.
pub fn merge(args: MergeArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let stored = Compare::read(&args.dirs[0])?;
    let json = stored.to_json();
    let c = &stored;
    let hash = tokenmaxx::sweep::journal::sweep_hash(&json);
    let gathered = super::sweep::gather(&args, &stored.name, hash, c.runs(), &|dir| {
        same_comparison(&stored, dir, true)
    })?;
    let Some(lines): Option<Vec<RunLine>> = gathered else {
        return Ok(ExitCode::from(super::sweep::INCOMPLETE));
    };
    let out = match &args.out {
        Some(o) => o.clone(),
        None => super::default_out(&stored.name)?,
    };
    // The shard folders may lie inside the merged one (output/<name>/shard-K-of-N/), but it
    // must not be one of them.
    let shards: Vec<&Path> = args.dirs.iter().map(PathBuf::as_path).collect();
    tokenmaxx::report::output_dir::check_merge_target(&out, &shards)?;
    let _lock = super::sweep::lock_folder(&out, &[])?;
    tokenmaxx::report::tables::atomic_write(&out.join(stored::FILE), json.as_bytes())?;
    println!(
        "merged {} runs of {} from {} folder(s)",
        lines.len(),
        stored.name,
        args.dirs.len()
    );
    write_whole(c, &out, lines, started, args.no_charts, false)
}

/// What a comparison's outputs say.
struct Outcome {
    cmp: Comparison,
    verdict: Vec<String>,
    failed: usize,
}

/// Write the tables, verdict.txt, comparison.png (unless `no_charts`) and report.html of the
/// runs `results` (every run, in id order) into `dir`: the comparison's
/// [`tables::output`], written by its format writers.
fn write_outputs(
    c: &Compare,
    dir: &Path,
    results: &[Result<RunOut, String>],
    no_charts: bool,
) -> anyhow::Result<Outcome> {
    let done = tables::conclude(c, results).map_err(UserError)?;
    let command = tokenmaxx::report::run_html::command_line();
    tables::output(c, &done, results, no_charts, &command).write(dir)?;
    Ok(Outcome {
        cmp: done.cmp,
        verdict: done.verdict,
        failed: done.failed,
    })
}

/// Print the verdict (unless `quiet`); exit code [`RUNS_FAILED`] if some runs failed.
fn conclude(c: &Compare, o: &Outcome, started: Instant, written: &Path, quiet: bool) -> ExitCode {
    if !quiet {
        print_verdict(c, &o.cmp, &o.verdict, o.failed, started.elapsed(), written);
    }
    exit_code(o.failed)
}

fn exit_code(failed: usize) -> ExitCode {
    if failed > 0 {
        ExitCode::from(RUNS_FAILED)
    } else {
        ExitCode::SUCCESS
    }
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
        match &c.priors {
            Some(Priors { from: Some(f), .. }) => format!(", parameters drawn from priors: {f}"),
            Some(_) => ", parameters drawn from priors".into(),
            None => String::new(),
        },
        c.scenarios[c.baseline].name
    );
    for line in verdict {
        println!("- {line}");
    }
    let flips: Vec<String> = cmp
        .rankings
        .iter()
        .filter(|k| !k.stable())
        .map(|k| {
            format!(
                "{} vs {} on {} ({:.0}% / {:.0}%)",
                c.scenarios[k.a].name,
                c.scenarios[k.b].name,
                k.figure,
                k.share_a_better * 100.0,
                (1.0 - k.share_a_better) * 100.0
            )
        })
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
    println!(
        "Compared in {:.1} s. Results in {}/",
        took.as_secs_f64(),
        written.display()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flags_and_a_compare_toml_are_one_request_the_flags_winning() {
        // given a compare.toml and flags, when the flags are laid over it, then each flag given
        // wins, the file's other settings stay, and its name and scenarios are kept
        let file: Asked = toml::from_str(
            "name = \"c\"\nscenarios = [\"a\", \"b\"]\nseed = 3\nweeks = 30\nhorizons = [10, 20]\n",
        )
        .unwrap();
        let flags = Asked {
            scenarios: vec!["compare.toml".into()],
            seed: Some(5),
            horizons: Some("26".parse().unwrap()),
            ..Asked::default()
        };
        let asked = flags.over(file.clone());
        assert_eq!(asked.name.as_deref(), Some("c"));
        assert_eq!(asked.scenarios, ["a", "b"]);
        assert_eq!((asked.seed, asked.size.weeks), (Some(5), Some(30)));
        assert!(matches!(asked.horizons, Some(Horizons::Flag(ref t)) if t == "26"));
        let asked = Asked::default().over(file);
        assert!(matches!(asked.horizons, Some(Horizons::File(ref h)) if h == &[10, 20]));
        let e = toml::from_str::<Asked>("scenarios = [\"a\"]\nreplicatons = 2\n").unwrap_err();
        assert!(e.message().contains("unknown field `replicatons`"), "{e}");
    }
}
