//! `tokenmaxx import`: a real usage export (a generic CSV/Parquet table, or the Claude Code
//! Analytics Admin API's JSON pages) read as a stream, pseudonymised on the way in, aggregated to
//! ISO weeks per person, and summarised as an organisation profile.
//!
//! Data flows one way: file -> rows ([`table`], [`claude_code`], [`roster`]) -> pseudonymised
//! [`Usage`] -> [`aggregate::Accumulator`] -> [`panel::Panel`] (people x weeks) ->
//! [`profile::Profile`]. The simulator's runs go through the same [`panel::Panel`] and
//! [`profile::Profile`] (see [`crate::fit`]), so observed and simulated figures are computed by
//! one function.

pub mod aggregate;
pub mod claude_code;
pub mod csv;
pub mod dates;
pub mod panel;
pub mod parquet_time;
pub mod privacy;
pub mod profile;
pub mod roster;
pub mod synth;
pub mod table;

use std::io::Read;
use std::path::{Path, PathBuf};

use privacy::{Pseudonym, Pseudonymiser};

/// A bad or unreadable export. Messages name the file, the line or row, and the column or key,
/// and never quote a cell (a misplaced cell could be an id or an e-mail address).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: {message}")]
    Bad { file: String, message: String },
    #[error("cannot read {file}: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// An output of `import` or `synth-export` that could not be written.
    #[error("cannot write {file}: {source}")]
    Write {
        file: String,
        #[source]
        source: std::io::Error,
    },
}

impl ImportError {
    pub fn bad(file: &Path, message: impl Into<String>) -> ImportError {
        ImportError::Bad {
            file: file.display().to_string(),
            message: message.into(),
        }
    }
    pub fn io(file: &Path, source: std::io::Error) -> ImportError {
        ImportError::Io {
            file: file.display().to_string(),
            source,
        }
    }
    pub fn write(file: &Path, source: std::io::Error) -> ImportError {
        ImportError::Write {
            file: file.display().to_string(),
            source,
        }
    }
}

/// Largest usage export file read, in bytes (1 TiB): a sanity bound, far above any real export.
pub const MAX_EXPORT_BYTES: u64 = 1 << 40;
/// Largest roster read, in bytes (4 GiB: tens of millions of people).
pub const MAX_ROSTER_BYTES: u64 = 4 << 30;
/// Largest profile.json read, in bytes (256 MiB; `import` writes a few hundred KB).
pub const MAX_PROFILE_BYTES: u64 = 256 << 20;
/// Most tokens one row (a person-day, or a person-week) may count: 10^12, a million times a heavy
/// user's day. Larger counts are refused (a `1e308` would overflow every sum).
pub const MAX_TOKENS: f64 = 1e12;
/// Most cost (USD) one row may state.
pub const MAX_COST_USD: f64 = 1e9;
/// Most of an outcome (lines added, commits, pull requests) one row may count.
pub const MAX_OUTCOME: f64 = 1e9;
/// Longest span an export may cover, first to last date, in years (and days, 20 x 365.25).
pub const MAX_SPAN_YEARS: i64 = 20;
pub const MAX_SPAN_DAYS: i64 = 7305;

/// How a file is used, for the size bound and the messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Export,
    Roster,
    Profile,
}

impl Input {
    fn max_bytes(self) -> u64 {
        match self {
            Input::Export => MAX_EXPORT_BYTES,
            Input::Roster => MAX_ROSTER_BYTES,
            Input::Profile => MAX_PROFILE_BYTES,
        }
    }
    fn words(self) -> &'static str {
        match self {
            Input::Export => "a usage export",
            Input::Roster => "a roster",
            Input::Profile => "a profile",
        }
    }
}

/// Open `path` for reading if it is a regular file no larger than its kind allows: a FIFO, a
/// device (`/dev/zero`, `/dev/urandom`) or a folder is refused at once, never read (a read
/// would block forever or never end). Opened without blocking, in case the path was swapped for
/// a FIFO after the check.
pub fn open_regular(path: &Path, kind: Input) -> Result<std::fs::File, ImportError> {
    let not_regular = || {
        ImportError::bad(
            path,
            format!(
                "not a regular file (a FIFO, a device or a folder); {} must be a regular file",
                kind.words()
            ),
        )
    };
    let meta = std::fs::metadata(path).map_err(|e| ImportError::io(path, e))?;
    if !meta.is_file() {
        return Err(not_regular());
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options.open(path).map_err(|e| ImportError::io(path, e))?;
    let meta = file.metadata().map_err(|e| ImportError::io(path, e))?;
    if !meta.is_file() {
        return Err(not_regular());
    }
    let max = kind.max_bytes();
    if meta.len() > max {
        return Err(ImportError::bad(
            path,
            format!(
                "{} bytes, more than the {max} bytes ({} GiB) {} may be",
                meta.len(),
                max as f64 / (1u64 << 30) as f64,
                kind.words()
            ),
        ));
    }
    Ok(file)
}

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One row per person and day or week (CSV or Parquet).
    Table,
    /// The Claude Code Analytics Admin API's daily per-user records (JSON pages).
    ClaudeCode,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::ClaudeCode => "claude-code",
        }
    }
}

/// The outcome columns, finest first (the fit uses the first one present).
pub const OUTCOMES: [&str; 3] = ["lines_added", "commits", "pull_requests"];

/// One pseudonymised row of usage: a person's tokens on a day (or in a week).
#[derive(Debug, Clone)]
pub struct Usage<'a> {
    pub person: Pseudonym,
    /// The day number (or the week's Monday when `weekly`).
    pub day: i64,
    pub weekly: bool,
    /// Distinguishes records a format reports separately for one person and day (the Claude
    /// Code API's terminal and customer types); empty for tables.
    pub variant: &'a str,
    pub tokens: f64,
    pub cost_usd: f64,
    pub group: Option<&'a str>,
    pub team: Option<&'a str>,
    /// Per [`OUTCOMES`]: the count, 0 when absent.
    pub outcomes: [f64; 3],
}

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// None: detected from each file's content.
    pub format: Option<Format>,
    /// The pseudonym key's salt (None: a random key, written nowhere).
    pub salt: Option<String>,
    /// A headcount file: person, group, team.
    pub roster: Option<PathBuf>,
    /// Weekly tokens at or above which a person counts as active.
    pub threshold: f64,
}

/// The format of a file from its first bytes: `PAR1` is Parquet (a table), `{` or `[` JSON
/// (Claude Code pages), anything else CSV (a table).
pub fn detect(path: &Path) -> Result<Format, ImportError> {
    let mut head = [0u8; 512];
    let mut f = open_regular(path, Input::Export)?;
    let n = f.read(&mut head).map_err(|e| ImportError::io(path, e))?;
    let first = head[..n]
        .iter()
        .copied()
        .find(|b| !(b.is_ascii_whitespace() || *b == 0xef || *b == 0xbb || *b == 0xbf));
    Ok(match first {
        Some(b'{' | b'[') => Format::ClaudeCode,
        _ => Format::Table,
    })
}

/// Read every file (and the roster) into a panel of people x ISO weeks.
pub fn read(paths: &[PathBuf], o: &Options) -> Result<(panel::Panel, Vec<String>), ImportError> {
    let ps = match &o.salt {
        Some(s) => Pseudonymiser::from_salt(s),
        None => Pseudonymiser::random(),
    };
    let mut acc = aggregate::Accumulator::default();
    if let Some(r) = &o.roster {
        roster::read(r, &ps, &mut acc)?;
    }
    let mut formats = Vec::new();
    for path in paths {
        let format = match o.format {
            Some(f) => f,
            None => detect(path)?,
        };
        let before = acc.rows;
        acc.start_file(path);
        match format {
            Format::Table => table::read(path, &ps, &mut acc)?,
            Format::ClaudeCode => claude_code::read(path, &ps, &mut acc)?,
        }
        if acc.rows == before {
            return Err(ImportError::bad(
                path,
                "the file holds no usage rows (an empty export)",
            ));
        }
        formats.push(format.name().to_string());
    }
    formats.dedup();
    acc.check_groups().map_err(|m| {
        let files: Vec<String> = o
            .roster
            .iter()
            .chain(paths)
            .map(|p| p.display().to_string())
            .collect();
        ImportError::Bad {
            file: files.join(", "),
            message: m,
        }
    })?;
    Ok((acc.finish(), formats))
}
