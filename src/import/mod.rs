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
    let mut f = std::fs::File::open(path).map_err(|e| ImportError::io(path, e))?;
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
    Ok((acc.finish(), formats))
}
