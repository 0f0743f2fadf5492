//! `tokenmaxx sweep SWEEP.toml` and `tokenmaxx merge DIR...`: batch runs over parameters, with
//! replications, shards, a journal to resume from, and merged outputs.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use anyhow::Context;
use clap::Args;
use tokenmaxx::engine::Progress;
use tokenmaxx::report::{FolderLock, prepare_in_place, run_html, start_fresh, sweep as tables};
use tokenmaxx::sweep::aggregate;
use tokenmaxx::sweep::journal::{self, Entry, Header, Journal};
use tokenmaxx::sweep::spec::{STORED_BASE, read_stored_base};
use tokenmaxx::sweep::{self, RunRecord, Shard, Sweep, merge};

use super::UserError;
use super::progress::Bar;
use super::shard::ShardArgs;

/// Exit code when some runs of a sweep failed (the others completed and were written).
pub const RUNS_FAILED: u8 = 4;

/// The options of every command that runs a batch of runs (sweep, sensitivity, calibrate).
#[derive(Debug, Args)]
pub struct BatchArgs {
    /// Output folder [default: output/<name>/, or its shard-K-of-N/ subfolder for a shard].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Skip the runs already finished in the output folder's journal.
    #[arg(long)]
    pub resume: bool,
    #[command(flatten)]
    pub pool: super::run::ThreadArgs,
    /// Skip the PNG charts.
    #[arg(long)]
    pub no_charts: bool,
    /// No progress bar and no summary.
    #[arg(long, short)]
    pub quiet: bool,
}

impl BatchArgs {
    /// The output folder (`--out`, else output/<name>/ or its shard subfolder), created, marked
    /// and locked for this process until the lock is dropped; `inputs` are the files it must
    /// not hold (the spec file, the base scenario's files, every file the batch reads). A fresh
    /// batch keeps the earlier one's tables and charts until its own are written; `keep` are the
    /// files it rewrites before that (its journal and spec copies).
    pub fn folder(
        &self,
        name: &str,
        shard: Shard,
        inputs: &[PathBuf],
        keep: &[&str],
    ) -> anyhow::Result<(PathBuf, FolderLock)> {
        super::check_threads(self.pool.threads)?;
        let inputs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
        let out = match &self.out {
            Some(o) => {
                // Checked before a shard's parent folder is made.
                tokenmaxx::report::output_dir::check_target(o, &inputs)?;
                mark_new_parent(o, shard)?;
                o.clone()
            }
            None => default_out(name, shard)?,
        };
        let lock = lock_folder(&out, &inputs)?;
        if !self.resume {
            // A fresh batch: the earlier one's tables and charts are listed, and go when this
            // batch's first result set is moved in (subfolders stay).
            start_fresh(&out, keep)?;
        }
        Ok((out, lock))
    }
}

/// A shard written to `--out DIR/shard-K-of-N` where DIR does not exist yet: DIR is made and
/// marked as tokenmaxx's, as the default output/<name>/ is, so `merge --out DIR` may write there.
/// An existing DIR is left as it is (it may be the user's).
fn mark_new_parent(out: &Path, shard: Shard) -> anyhow::Result<()> {
    let parent = match out.parent() {
        Some(p) if shard != Shard::ALL && !p.as_os_str().is_empty() => p,
        _ => return Ok(()),
    };
    if std::fs::symlink_metadata(parent).is_err() {
        prepare_in_place(parent, &[])
            .with_context(|| format!("preparing output folder {}", parent.display()))?;
    }
    Ok(())
}

/// Prepare a folder written in place (refused unless missing, empty or tokenmaxx's; created and
/// marked) and lock it.
pub(super) fn lock_folder(out: &Path, inputs: &[&Path]) -> anyhow::Result<FolderLock> {
    prepare_in_place(out, inputs)
        .with_context(|| format!("preparing output folder {}", out.display()))?;
    let lock = FolderLock::acquire(out)?;
    // Finish or discard the outputs of a batch killed while writing them.
    tokenmaxx::report::recover_in_place(out)?;
    Ok(lock)
}

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The sweep file (see scenarios/sweeps/ for examples).
    file: PathBuf,
    #[command(flatten)]
    shard: ShardArgs,
    #[command(flatten)]
    batch: BatchArgs,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard folders written by `tokenmaxx sweep`, `sensitivity` or `compare` with `--shard K/N`.
    #[arg(required = true)]
    pub(super) dirs: Vec<PathBuf>,
    /// Output folder [default: output/<name>/].
    #[arg(long)]
    pub(super) out: Option<PathBuf>,
    /// Skip the PNG charts.
    #[arg(long)]
    pub(super) no_charts: bool,
    /// While shards are still running: when runs are missing, say which (per shard folder) and
    /// exit 3 without writing anything; when none is, merge as usual.
    #[arg(long)]
    pub(super) partial: bool,
}

/// Exit code of `merge --partial` when some runs are not there yet (nothing was written).
pub const INCOMPLETE: u8 = 3;

pub fn run(args: SweepArgs) -> anyhow::Result<ExitCode> {
    let sweep = Sweep::load(&args.file)?;
    let shard = args.shard.resolve()?.unwrap_or(Shard::ALL);
    let b = &args.batch;
    let (out, _lock) = b.folder(&sweep.name, shard, &sweep.inputs, &state_files(&sweep))?;
    let records = execute(&sweep, &out, shard, b)?;
    finish(
        &sweep,
        &out,
        records,
        shard == Shard::ALL,
        b.no_charts,
        b.quiet,
    )
}

/// The files a batch running `sweep` rewrites in its folder before its first result set: the
/// journal and the spec's copies.
pub(super) fn state_files(sweep: &Sweep) -> [&'static str; 3] {
    [journal::FILE, sweep.stored_as, STORED_BASE]
}

/// output/<name>/, or its shard-K-of-N/ subfolder (the sweep's folder, where `merge` writes,
/// is then prepared too).
pub(super) fn default_out(name: &str, shard: Shard) -> anyhow::Result<PathBuf> {
    let base = super::default_out(name)?;
    if shard == Shard::ALL {
        return Ok(base);
    }
    prepare_in_place(&base, &[])
        .with_context(|| format!("preparing output folder {}", base.display()))?;
    Ok(base.join(format!("shard-{}-of-{}", shard.index, shard.count)))
}

/// In `out` (prepared by [`BatchArgs::folder`]), open the journal (continued with `resume`,
/// after checking the base scenario is the one it was started with) and store the spec's copy.
/// Returns the journal and the runs it already holds.
pub(super) fn open_journal(
    sweep: &Sweep,
    out: &Path,
    header: Header,
    resume: bool,
) -> anyhow::Result<(Journal, Vec<RunRecord>)> {
    if resume {
        check_same_base(sweep, out)?;
    }
    let opened = Journal::open(out, header, resume)?;
    sweep
        .store(out)
        .with_context(|| format!("writing the spec's copy into {}", out.display()))?;
    Ok(opened)
}

/// Refuse a folder whose stored base scenario (base.toml, the resolved base with every `extends`
/// layer) differs from `sweep`'s: its runs and new ones would mix two versions of the base.
pub(super) fn check_same_base(sweep: &Sweep, dir: &Path) -> anyhow::Result<()> {
    if !dir.join(STORED_BASE).is_file() {
        return Ok(());
    }
    let stored = read_stored_base(dir)?;
    let base = sweep.base.describe();
    anyhow::ensure!(
        stored == sweep.base_table,
        UserError(format!(
            "the base scenario {base} (or a file it extends) changed since the runs in {} were made (it differs from their {STORED_BASE} in {}); runs of both versions would mix: restore it, or start over without --resume",
            dir.display(),
            changed_keys(&stored, &sweep.base_table).join(", ")
        ))
    );
    Ok(())
}

/// The dotted keys whose values differ between two resolved scenarios, with both values (at
/// most five, then how many more).
fn changed_keys(old: &toml::Table, new: &toml::Table) -> Vec<String> {
    fn walk(prefix: &str, a: &toml::Table, b: &toml::Table, out: &mut Vec<String>) {
        let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
        for k in keys {
            let path = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match (a.get(k), b.get(k)) {
                (Some(toml::Value::Table(x)), Some(toml::Value::Table(y))) => {
                    walk(&path, x, y, out)
                }
                (x, y) if x != y => out.push(format!(
                    "`{path}` {} -> {}",
                    x.map_or("(absent)".into(), |v| v.to_string()),
                    y.map_or("(absent)".into(), |v| v.to_string())
                )),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk("", old, new, &mut out);
    if out.len() > 5 {
        let more = out.len() - 5;
        out.truncate(5);
        out.push(format!("and {more} more"));
    }
    out
}

/// Journals runs as they finish on worker threads and moves the progress bar; keeps the first
/// journal write error for [`Recorder::finish`].
pub(super) struct Recorder<'a, R = RunRecord> {
    journal: &'a Journal,
    bar: Bar,
    done: AtomicU32,
    total: u32,
    error: Mutex<Option<anyhow::Error>>,
    /// The ids journaled by this process.
    ids: Mutex<Vec<u64>>,
    entry: std::marker::PhantomData<fn(&R)>,
}

impl<'a, R: Entry> Recorder<'a, R> {
    /// A recorder whose bar counts `total` runs, `done` of them already finished.
    pub(super) fn new(journal: &'a Journal, bar: Bar, done: u32, total: u32) -> Recorder<'a, R> {
        Recorder {
            journal,
            bar,
            done: AtomicU32::new(done),
            total,
            error: Mutex::new(None),
            ids: Mutex::new(Vec::new()),
            entry: std::marker::PhantomData,
        }
    }

    pub(super) fn record(&self, record: &R) {
        self.ids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(record.id());
        if let Err(e) = self.journal.append(record) {
            self.error
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get_or_insert(e.into());
        }
        let n = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        Progress::week_done(&self.bar, n.min(self.total), self.total);
    }

    /// Clear the bar; the first journal write error, if any; else the journal's records, after
    /// checking every run this process journaled is there (another process may have rewritten it).
    pub(super) fn finish(self) -> anyhow::Result<Vec<R>> {
        self.bar.finish();
        if let Some(e) = self.error.into_inner().unwrap_or_else(|e| e.into_inner()) {
            return Err(e.context("writing the journal"));
        }
        let path = self.journal.path();
        let (_, records) = journal::read::<R>(path)?;
        let ids = self.ids.into_inner().unwrap_or_else(|e| e.into_inner());
        let missing: Vec<String> = ids
            .iter()
            .filter(|id| records.binary_search_by_key(*id, |r| r.id()).is_err())
            .map(u64::to_string)
            .collect();
        anyhow::ensure!(
            missing.is_empty(),
            UserError(format!(
                "{} run(s) of this process are missing from {} (ids {}): another process rewrote it; run again with --resume",
                missing.len(),
                path.display(),
                missing
                    .iter()
                    .take(20)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        );
        Ok(records)
    }
}

/// Run a sweep's runs of `shard` into `out` (storing the sweep's copy and journaling each run;
/// with `resume`, skipping the runs its journal already holds). Returns the shard's records.
pub(super) fn execute(
    sweep: &Sweep,
    out: &Path,
    shard: Shard,
    batch: &BatchArgs,
) -> anyhow::Result<Vec<RunRecord>> {
    let quiet = batch.quiet;
    let (journal, existing) = open_journal(sweep, out, Header::of(sweep, shard), batch.resume)?;
    let done: std::collections::BTreeSet<u64> = existing
        .iter()
        .filter(|r| r.error.is_none())
        .map(|r| r.id)
        .collect();
    let todo: Vec<u64> = (0..sweep.runs())
        .filter(|id| shard.owns(*id) && !done.contains(id))
        .collect();
    let pool = super::thread_pool(batch.pool.threads)?;
    // The first point's population, in as many concurrent runs as the pool runs.
    if let (Some(&first), Some(point)) = (todo.first(), sweep.points().first())
        && let Ok(s) = sweep.scenario(point, sweep.split_id(first).1)
    {
        super::check_memory(&s, pool.current_num_threads().min(todo.len()))?;
    }
    let bar = Bar::new(todo.len() as u64, &sweep.name, "runs", quiet);
    let recorder = Recorder::new(&journal, bar, 0, todo.len() as u32);
    pool.install(|| sweep::run_many(sweep, &todo, &|record: RunRecord| recorder.record(&record)));
    let records = recorder.finish()?;
    let records: Vec<RunRecord> = records.into_iter().filter(|r| shard.owns(r.id)).collect();
    if !quiet {
        println!(
            "{}: {} runs here ({} skipped as already done), {} points x {} replications in all",
            sweep.name,
            records.len(),
            done.len(),
            sweep.points().len(),
            sweep.replications
        );
    }
    Ok(records)
}

/// Write the tables (and, for a whole sweep, the per-point tables, charts and report.html) and
/// report failures.
pub(super) fn finish(
    sweep: &Sweep,
    out: &Path,
    records: Vec<RunRecord>,
    whole: bool,
    no_charts: bool,
    quiet: bool,
) -> anyhow::Result<ExitCode> {
    let points = sweep.points();
    if !whole {
        // A shard writes only its runs; `merge` writes the rest from all of them.
        let part = tables::runs_table(sweep, &points, &records);
        tokenmaxx::report::write_in_place(out, |dir| part.write(dir))?;
        return Ok(done(out, &records, quiet));
    }
    let stats = aggregate::by_point(&points, &records, sweep::figure_names().len());
    // The tables, charts and report are staged and moved in as one set (the journal stays).
    let command = run_html::command_line();
    tokenmaxx::report::write_in_place(out, |dir| {
        tables::output(sweep, &points, &records, &stats, no_charts, &command).write(dir)
    })?;
    Ok(done(out, &records, quiet))
}

/// Say where the results are and name the failed runs (see [`report_failures`]).
pub(super) fn done(out: &Path, records: &[RunRecord], quiet: bool) -> ExitCode {
    if !quiet {
        println!("Results in {}/", out.display());
    }
    report_failures(out, records)
}

/// Name the failed runs of a batch on stderr: exit code [`RUNS_FAILED`] if any, else success.
fn report_failures(out: &Path, records: &[RunRecord]) -> ExitCode {
    let failed: Vec<&RunRecord> = records.iter().filter(|r| r.error.is_some()).collect();
    if failed.is_empty() {
        return ExitCode::SUCCESS;
    }
    eprintln!(
        "{} run(s) failed (recorded in {}):",
        failed.len(),
        out.join(journal::FILE).display()
    );
    for r in failed.iter().take(20) {
        eprintln!(
            "  run {} (point {}, replication {}): {}",
            r.id,
            r.point,
            r.replication,
            r.error.as_deref().unwrap_or("")
        );
    }
    ExitCode::from(RUNS_FAILED)
}

/// The runs journaled in the shard folders `args.dirs` of batch `name` (whose stored spec hashes
/// to `hash`), in id order, after `check` accepted each folder; the checks themselves are
/// [`merge::combine`]'s. With `args.partial`, missing runs are reported on stdout and None is
/// returned; without, they are an error naming them.
pub(super) fn gather<R: Entry>(
    args: &MergeArgs,
    name: &str,
    hash: u64,
    runs: u64,
    check: &dyn Fn(&Path) -> anyhow::Result<()>,
) -> anyhow::Result<Option<Vec<R>>> {
    let mut logs = Vec::new();
    for dir in &args.dirs {
        check(dir)?;
        let (header, records) = journal::read::<R>(&dir.join(journal::FILE))?;
        logs.push(merge::ShardLog {
            dir: dir.clone(),
            header,
            records,
        });
    }
    let progress = match merge::combine(logs, name, hash, runs) {
        Ok(merge::Merged::Complete(records)) => return Ok(Some(records)),
        Ok(merge::Merged::Partial(progress)) => progress,
        Err(e @ merge::MergeError::OtherBatch { .. }) => {
            let merge::MergeError::OtherBatch { dir, .. } = &e else {
                unreachable!("matched above")
            };
            let diff = spec_differences(&args.dirs[0], Path::new(dir));
            let what = if diff.is_empty() {
                String::new()
            } else {
                format!(": their specs differ in {}", diff.join("; "))
            };
            anyhow::bail!(UserError(format!(
                "{e}{what}; merge only the shards of one batch"
            )))
        }
        Err(e) => anyhow::bail!(UserError(e.to_string())),
    };
    let ids = merge::ids_text(&progress.missing);
    if args.partial {
        report_partial(name, runs, &progress, &ids);
        return Ok(None);
    }
    anyhow::bail!(UserError(format!(
        "{} of {runs} runs are missing: {ids}; run the missing shards (or --resume them) before merging, or see what is done with --partial",
        progress.missing.len(),
    )))
}

/// The settings in which two shard folders' stored specs (sweep.toml, sensitivity.toml) differ,
/// key by key: `seed 1 -> 2`. Empty when neither folder holds a readable spec.
fn spec_differences(first: &Path, other: &Path) -> Vec<String> {
    fn flatten(
        prefix: &str,
        t: &toml::Table,
        out: &mut std::collections::BTreeMap<String, String>,
    ) {
        for (k, v) in t {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match v {
                toml::Value::Table(t) => flatten(&key, t, out),
                v => {
                    out.insert(key, v.to_string());
                }
            }
        }
    }
    let read = |dir: &Path, name: &str| {
        let text = tokenmaxx::scenario::load::read_text(&dir.join(name)).ok()?;
        let table: toml::Table = text.parse().ok()?;
        let mut flat = std::collections::BTreeMap::new();
        flatten("", &table, &mut flat);
        Some(flat)
    };
    let names = [
        tokenmaxx::sweep::spec::STORED_SWEEP,
        tokenmaxx::explore::sensitivity::STORED,
    ];
    for name in names {
        let (Some(a), Some(b)) = (read(first, name), read(other, name)) else {
            continue;
        };
        let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
        let unset = || "(unset)".to_string();
        return keys
            .into_iter()
            .filter(|k| a.get(*k) != b.get(*k))
            .map(|k| {
                let (x, y) = (a.get(k).cloned(), b.get(k).cloned());
                format!(
                    "{k} {} -> {}",
                    x.unwrap_or_else(unset),
                    y.unwrap_or_else(unset)
                )
            })
            .collect();
    }
    Vec::new()
}

/// What `merge --partial` says when runs are missing: each shard folder's progress, the shards
/// with no folder given, and the missing ids.
fn report_partial(name: &str, runs: u64, p: &merge::Progress, ids: &str) {
    let missing = p.missing.len() as u64;
    println!(
        "{name}: {} of {runs} runs done, {missing} missing ({ids}); nothing written",
        runs - missing
    );
    for (dir, shard, done, expected) in &p.shards {
        println!(
            "  {}: shard {}/{}, {done} of {expected} runs",
            dir.display(),
            shard.index,
            shard.count
        );
    }
    if !p.absent.is_empty() {
        let absent: Vec<String> = p.absent.iter().map(u64::to_string).collect();
        let n = p.shards[0].1.count;
        println!(
            "  no folder given for shard(s) {} of {n}",
            absent.join(", ")
        );
    }
}
