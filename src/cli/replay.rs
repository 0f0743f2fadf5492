//! `tokenmaxx replay RUN_DIR`: rebuild every projection from events.parquet alone and check it
//! against the tables in the folder.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use tokenmaxx::report::OutputDir;

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// A run folder written by `tokenmaxx run --events`.
    run_dir: PathBuf,
    /// Also write the replayed tables into this folder.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Exit code when the replay differs from the stored tables.
pub const MISMATCH: u8 = 3;

/// The tables compared, in order.
const FILES: &[&str] = &["weekly.csv", "agents.csv", "deciles.csv", "summary.json"];

pub fn run(args: ReplayArgs) -> anyhow::Result<ExitCode> {
    // Another run may swap a new folder in while this one reads (the log week by week, then the
    // tables): the folder's identity before and after tells a swap from a corrupt log or a
    // mismatch.
    let before = folder_id(&args.run_dir);
    let log = super::event_log(&args.run_dir)?;
    super::stored_scenario(&log)?;
    let verdict = replay_and_compare(&args, &log);
    anyhow::ensure!(
        folder_id(&args.run_dir) == before,
        super::UserError(format!(
            "{} was replaced by another tokenmaxx run while it was replayed; replay it again",
            args.run_dir.display()
        ))
    );
    match verdict? {
        None => {
            println!(
                "replay matches: {} rebuilt from {} alone",
                FILES.join(", "),
                log.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(diff) => {
            println!("replay differs: {diff}");
            let reader = tokenmaxx::events::store::EventReader::open(&log)?;
            if reader.header.written_by_model_v2 {
                println!(
                    "note: this log was written by model v2 (format {}); tokenmaxx now runs model \
                     v3 (docs/model.md, section 10), whose rules and defaults differ, so its replay \
                     differs. Run the scenario again to store a log that replays exactly.",
                    tokenmaxx::events::store::FORMAT_MODEL_V2
                );
            } else if reader.traits_in_double_precision()? {
                println!(
                    "note: this log was written before tokenmaxx kept traits in single precision \
                     (docs/model.md, section 2.2); its replay rounds them, so figures weighted by \
                     skill differ in the last digits. Run the scenario again to store a log that \
                     replays exactly."
                );
            }
            Ok(ExitCode::from(MISMATCH))
        }
    }
}

/// Replay the log, write the replayed tables to a staging folder (the requested --out, or a
/// scratch one) and return the first difference from the stored tables.
fn replay_and_compare(args: &ReplayArgs, log: &Path) -> anyhow::Result<Option<String>> {
    let (_, _, projections) = tokenmaxx::replay::stored(log)?;
    let target = args.out.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("tokenmaxx-replay-{}", std::process::id()))
    });
    let dir = OutputDir::create(&target, &[&args.run_dir])?;
    tokenmaxx::report::run::write_tables(&dir.file(""), &projections)?;
    let verdict = compare(&args.run_dir, &dir.file(""));
    if args.out.is_some() {
        dir.commit()?;
    }
    verdict
}

/// A folder's identity: device, inode and change time (a new folder given a freed inode
/// still differs).
fn folder_id(p: &Path) -> Option<(u64, u64, i64, i64)> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(p).ok()?;
    Some((m.dev(), m.ino(), m.ctime(), m.ctime_nsec()))
}

/// The first difference between the stored and the replayed tables, if any.
fn compare(stored: &Path, replayed: &Path) -> anyhow::Result<Option<String>> {
    for f in FILES {
        let a = std::fs::read_to_string(stored.join(f))
            .with_context(|| format!("reading {}", stored.join(f).display()))?;
        let b = std::fs::read_to_string(replayed.join(f))?;
        if a == b {
            continue;
        }
        let mut la = a.lines();
        let mut lb = b.lines();
        let header = a.lines().next().unwrap_or("");
        for line in 1.. {
            match (la.next(), lb.next()) {
                (Some(x), Some(y)) if x == y => continue,
                (x, y) => {
                    return Ok(Some(format!(
                        "{f} line {line}:\n  stored:   {}\n  replayed: {}\n  columns:  {header}",
                        x.unwrap_or("<end of file>"),
                        y.unwrap_or("<end of file>")
                    )));
                }
            }
        }
    }
    Ok(None)
}
