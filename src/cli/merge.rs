//! `tokenmaxx merge DIR...`: merge the shard folders of a sweep, a sensitivity analysis or a
//! comparison into the batch's outputs. It stands above the three commands (it dispatches on
//! what the folders hold); they share the batch helpers of `sweep.rs`, which names none of them.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tokenmaxx::explore::sensitivity::{self, Sensitivity};
use tokenmaxx::sweep::Sweep;
use tokenmaxx::sweep::journal;
use tokenmaxx::sweep::spec::STORED_BASE;

use super::sweep::{INCOMPLETE, MergeArgs, check_same_base, finish, gather, lock_folder};

/// With `--partial`, the shard folders a task has got far enough into to be read (its journal
/// and its spec's copy are there); the others are named on stdout as not started. None when no
/// folder is ready yet (said on stdout too). Without `--partial`, every folder.
fn ready(args: MergeArgs) -> Option<MergeArgs> {
    if !args.partial {
        return Some(args);
    }
    let started = |d: &Path| {
        let journal = std::fs::metadata(d.join(journal::FILE)).is_ok_and(|m| m.len() > 0);
        journal && (d.join(STORED_BASE).is_file() || super::compare::is_shard(d))
    };
    let (dirs, waiting): (Vec<PathBuf>, Vec<PathBuf>) =
        args.dirs.into_iter().partition(|d| started(d));
    for d in &waiting {
        println!("  {}: not started yet (no journal)", d.display());
    }
    if dirs.is_empty() {
        println!("no shard folder holds a run yet; nothing written");
        return None;
    }
    Some(MergeArgs { dirs, ..args })
}

/// Merge the folders: a comparison's through `compare`, a sweep's or a sensitivity analysis's
/// here; exit 3 (nothing written) while `--partial` finds runs missing.
pub fn merge(args: MergeArgs) -> anyhow::Result<ExitCode> {
    let Some(args) = ready(args) else {
        return Ok(ExitCode::from(INCOMPLETE));
    };
    let first = &args.dirs[0];
    if super::compare::is_shard(first) {
        return super::compare::merge(args);
    }
    // A sensitivity analysis keeps its spec as sensitivity.toml; a plain sweep as sweep.toml.
    let analysis = if first.join(sensitivity::STORED).is_file() {
        Some(Sensitivity::load_stored(first)?)
    } else {
        None
    };
    let sweep = match &analysis {
        Some(a) => a.sweep.clone(),
        None => Sweep::load_stored(first)?,
    };
    let hash = journal::sweep_hash(&sweep.text);
    let gathered = gather(&args, &sweep.name, hash, sweep.runs(), &|dir| {
        check_same_base(&sweep, dir)
    })?;
    let Some(records) = gathered else {
        return Ok(ExitCode::from(INCOMPLETE));
    };
    let out = match &args.out {
        Some(o) => o.clone(),
        None => super::default_out(&sweep.name)?,
    };
    // The shard folders may lie inside the merged one (output/<name>/shard-K-of-N/), but it
    // must not be one of them.
    let shards: Vec<&Path> = args.dirs.iter().map(PathBuf::as_path).collect();
    tokenmaxx::report::output_dir::check_merge_target(&out, &shards)?;
    let _lock = lock_folder(&out, &[])?;
    sweep.store(&out)?;
    println!(
        "merged {} runs of {} from {} folder(s)",
        records.len(),
        sweep.name,
        args.dirs.len()
    );
    match analysis {
        Some(a) => super::sensitivity::finish(&a, &out, records, true, args.no_charts, false),
        None => finish(&sweep, &out, records, true, args.no_charts, false),
    }
}
