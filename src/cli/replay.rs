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

/// Replay the log and return the first difference of its tables from the stored ones, checked as
/// they are rendered (with `--out`, written there through a staging folder in the same pass,
/// committed once every table is written, even when a stored table cannot be read: that is
/// reported after the commit, so a run whose table was deleted can be rebuilt).
fn replay_and_compare(args: &ReplayArgs, log: &Path) -> anyhow::Result<Option<String>> {
    let (_, _, projections) = tokenmaxx::replay::stored(log)?;
    let dir = match &args.out {
        Some(out) => Some(OutputDir::create(out, &[&args.run_dir])?),
        None => None,
    };
    let staging = dir.as_ref().map(|d| d.file(""));
    let found = compare(&args.run_dir, staging.as_deref(), |f, out| {
        let known = tokenmaxx::report::run::write_table_to(&projections, f, out)?;
        anyhow::ensure!(known, "{f} is not a table of a run");
        Ok(())
    })?;
    if let Some(dir) = dir {
        dir.commit()?;
    }
    match (found.unreadable, &args.out) {
        (Some(e), Some(out)) => Err(anyhow::anyhow!(
            "{e:#} (the replayed tables are written in {})",
            out.display()
        )),
        (Some(e), None) => Err(e),
        (None, _) => Ok(found.differs),
    }
}

/// A folder's identity: device, inode and change time (a new folder given a freed inode
/// still differs).
fn folder_id(p: &Path) -> Option<(u64, u64, i64, i64)> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(p).ok()?;
    Some((m.dev(), m.ino(), m.ctime(), m.ctime_nsec()))
}

/// What the comparison of the stored tables with the replayed ones found.
struct Compared {
    /// The first table that differs, and its first differing line.
    differs: Option<String>,
    /// With `out`, the first stored table that could not be read (the others are compared).
    unreadable: Option<anyhow::Error>,
}

/// The stored tables against the replayed ones (`replayed` writes a file's text into the writer
/// it is given). Each table is checked against its stored file as it is rendered (a million
/// employees' agents.csv is never held twice), and with `out` written into that folder in the
/// same pass: every table, even after one differs or when a stored one cannot be read. Only a
/// table that differs is rendered again, whole, to name its first differing line.
fn compare(
    stored: &Path,
    out: Option<&Path>,
    replayed: impl Fn(&str, &mut dyn std::io::Write) -> anyhow::Result<()>,
) -> anyhow::Result<Compared> {
    let (mut differs, mut unreadable) = (None, None);
    // Without `out` a stored table that cannot be read ends the comparison; with it, the first
    // such error is kept for after the tables are written.
    let mut cannot_read = |e: std::io::Error, path: &Path| {
        let e = anyhow::Error::new(e).context(format!("reading {}", path.display()));
        match out {
            Some(_) => {
                unreadable.get_or_insert(e);
                Ok(())
            }
            None => Err(e),
        }
    };
    for f in FILES {
        let path = stored.join(f);
        let mut check = match std::fs::File::open(&path) {
            Ok(file) => Some(Matches::new(std::io::BufReader::with_capacity(
                1 << 20,
                file,
            ))),
            Err(e) => cannot_read(e, &path).map(|()| None)?,
        };
        match (out, check.as_mut()) {
            (Some(dir), Some(c)) => write_into(&dir.join(f), |w| replayed(f, &mut Tee(w, c)))?,
            (Some(dir), None) => write_into(&dir.join(f), |w| replayed(f, w))?,
            (None, Some(c)) => replayed(f, c)?,
            (None, None) => unreachable!("an unreadable table ends the comparison without out"),
        }
        let matched = match check.map(Matches::matched) {
            Some(Ok(same)) => same,
            Some(Err(e)) => cannot_read(e, &path).map(|()| true)?,
            None => true,
        };
        if !matched && differs.is_none() {
            differs = Some(f);
            if out.is_none() {
                break;
            }
        }
    }
    let differs = match differs {
        Some(f) => Some(first_difference(stored, f, &replayed)?),
        None => None,
    };
    Ok(Compared {
        differs,
        unreadable,
    })
}

/// Write `target` (a new file) with what `render` writes into it.
fn write_into(
    target: &Path,
    render: impl FnOnce(&mut dyn std::io::Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let writing = || format!("writing {}", target.display());
    let file = std::fs::File::create(target).with_context(writing)?;
    let mut copy = std::io::BufWriter::with_capacity(1 << 20, file);
    render(&mut copy)?;
    std::io::Write::flush(&mut copy).with_context(writing)
}

/// Where table `f` first differs from its stored file, rendered again whole.
fn first_difference(
    stored: &Path,
    f: &str,
    replayed: impl Fn(&str, &mut dyn std::io::Write) -> anyhow::Result<()>,
) -> anyhow::Result<String> {
    let path = stored.join(f);
    let a =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut b = Vec::new();
    replayed(f, &mut b)?;
    let b = String::from_utf8_lossy(&b);
    let header = a.lines().next().unwrap_or("");
    let (mut la, mut lb) = (a.lines(), b.lines());
    let mut line = 1;
    loop {
        match (la.next(), lb.next()) {
            (Some(x), Some(y)) if x == y => line += 1,
            (x, y) => {
                return Ok(format!(
                    "{f} line {line}:\n  stored:   {}\n  replayed: {}\n  columns:  {header}",
                    x.unwrap_or("<end of file>"),
                    y.unwrap_or("<end of file>")
                ));
            }
        }
    }
}

/// A writer that forwards what is written to both of its writers, in order.
struct Tee<'a>(&'a mut dyn std::io::Write, &'a mut dyn std::io::Write);

impl std::io::Write for Tee<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.write_all(data)?;
        self.1.write_all(data)?;
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()?;
        self.1.flush()
    }
}

/// A writer that checks what is written against the bytes of `stored`, in order.
struct Matches<R> {
    stored: R,
    buffer: Vec<u8>,
    same: bool,
    error: Option<std::io::Error>,
}

impl<R: std::io::Read> Matches<R> {
    fn new(stored: R) -> Self {
        Matches {
            stored,
            buffer: Vec::new(),
            same: true,
            error: None,
        }
    }

    /// Whether everything written equals the stored bytes, with nothing stored left over.
    fn matched(mut self) -> std::io::Result<bool> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let mut rest = [0u8; 1];
        Ok(self.same && self.stored.read(&mut rest)? == 0)
    }
}

impl<R: std::io::Read> std::io::Write for Matches<R> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.same {
            self.buffer.resize(data.len(), 0);
            match self.stored.read_exact(&mut self.buffer) {
                Ok(()) => self.same = self.buffer == data,
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => self.same = false,
                Err(e) => {
                    self.same = false;
                    self.error = Some(e);
                }
            }
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Matches;
    use std::io::Write;

    fn matches(stored: &[u8], written: &[&[u8]]) -> bool {
        let mut m = Matches::new(stored);
        for w in written {
            m.write_all(w).unwrap();
        }
        m.matched().unwrap()
    }

    #[test]
    fn a_table_matches_only_the_same_bytes_however_they_are_written() {
        let stored = b"a,b\n1,2\n";
        assert!(matches(stored, &[b"a,b\n", b"1,2\n"]));
        assert!(matches(stored, &[b"a,b\n1,2\n"]));
        assert!(!matches(stored, &[b"a,b\n", b"1,3\n"]));
        // a stored file longer or shorter than the replayed table
        assert!(!matches(stored, &[b"a,b\n"]));
        assert!(!matches(stored, &[b"a,b\n1,2\n", b"3,4\n"]));
        // and a difference early on is not forgotten by what follows
        assert!(!matches(stored, &[b"x,b\n", b"1,2\n"]));
    }
}
