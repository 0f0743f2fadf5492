//! The journal: append-only JSON lines, one per finished run, flushed as it goes. The first line
//! names the sweep (its name, a hash of its file, its run count and the shard) so `--resume` and
//! `merge` can refuse a journal of another sweep.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{RunRecord, Shard, Sweep, SweepError};

/// A journal line after the header: one run, known by its id (the last line of an id wins).
pub trait Entry: Serialize + DeserializeOwned {
    fn id(&self) -> u64;
}

impl Entry for RunRecord {
    fn id(&self) -> u64 {
        self.id
    }
}

/// File name of the journal inside a sweep's output folder.
pub const FILE: &str = "journal.jsonl";

/// The journal's first line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub sweep: String,
    pub sweep_hash: u64,
    pub runs: u64,
    pub shard_index: u64,
    pub shard_count: u64,
}

impl Header {
    /// The header of a sweep's journal (or one shard of it).
    pub fn of(sweep: &Sweep, shard: Shard) -> Header {
        Header::new(&sweep.name, &sweep.text, sweep.runs(), shard)
    }

    /// The header of the journal of batch `name` (or one shard of it), whose stored spec is
    /// `text` and which has `runs` runs in all.
    pub fn new(name: &str, text: &str, runs: u64, shard: Shard) -> Header {
        Header {
            sweep: name.to_string(),
            sweep_hash: sweep_hash(text),
            runs,
            shard_index: shard.index,
            shard_count: shard.count,
        }
    }
}

/// FNV-1a of the sweep file's text.
pub fn sweep_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100000001b3)
    })
}

/// An open journal.
pub struct Journal {
    path: PathBuf,
    file: Mutex<File>,
}

impl Journal {
    /// Open the journal in `dir`: continue it when resuming (after checking it is this sweep's),
    /// else start a new one. Returns the journal and the records already in it.
    pub fn open<R: Entry>(
        dir: &Path,
        header: Header,
        resume: bool,
    ) -> Result<(Journal, Vec<R>), SweepError> {
        let path = dir.join(FILE);
        let io = |e: std::io::Error| SweepError::Io {
            path: path.clone(),
            source: e,
        };
        let write = |e: std::io::Error| SweepError::Write {
            path: path.clone(),
            source: e,
        };
        let mut existing = Vec::new();
        if resume && path.exists() {
            // A crash may have torn the last line: cut it off before appending.
            let text = std::fs::read(&path).map_err(io)?;
            if !text.ends_with(b"\n") {
                let keep = text.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
                OpenOptions::new()
                    .write(true)
                    .open(&path)
                    .and_then(|f| f.set_len(keep as u64))
                    .map_err(write)?;
            }
            let (h, records) = read(&path)?;
            if h != header {
                return Err(SweepError::Invalid {
                    file: path.display().to_string(),
                    message: format!(
                        "this journal belongs to another sweep or shard (`{}`, shard {}/{} of {} runs; this is `{}`, shard {}/{} of {} runs{}); remove it or drop --resume",
                        h.sweep,
                        h.shard_index,
                        h.shard_count,
                        h.runs,
                        header.sweep,
                        header.shard_index,
                        header.shard_count,
                        header.runs,
                        if h.sweep_hash != header.sweep_hash {
                            ", with another spec"
                        } else {
                            ""
                        }
                    ),
                });
            }
            existing = records;
        } else {
            let mut f = File::create(&path).map_err(write)?;
            writeln!(
                f,
                "{}",
                serde_json::to_string(&header).expect("header serialises")
            )
            .map_err(write)?;
            f.flush().map_err(write)?;
        }
        let file = OpenOptions::new().append(true).open(&path).map_err(write)?;
        Ok((
            Journal {
                path: path.clone(),
                file: Mutex::new(file),
            },
            existing,
        ))
    }

    /// The journal file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Append one record and flush it to the OS, so a crash loses only runs in flight.
    pub fn append<R: Entry>(&self, record: &R) -> Result<(), SweepError> {
        let line = serde_json::to_string(record).expect("a record serialises") + "\n";
        let mut f = self.file.lock().unwrap_or_else(|e| e.into_inner());
        f.write_all(line.as_bytes())
            .and_then(|_| f.flush())
            .map_err(|e| SweepError::Write {
                path: self.path.clone(),
                source: e,
            })
    }
}

/// Read a journal: its header and records (the last record of an id wins; a torn last line from
/// a crash is ignored).
pub fn read<R: Entry>(path: &Path) -> Result<(Header, Vec<R>), SweepError> {
    let invalid = |m: String| SweepError::Invalid {
        file: path.display().to_string(),
        message: m,
    };
    let f = File::open(path).map_err(|e| SweepError::Io {
        path: path.into(),
        source: e,
    })?;
    let mut lines = BufReader::new(f).lines();
    let first = lines
        .next()
        .ok_or_else(|| invalid("empty journal".into()))?
        .map_err(|e| SweepError::Io {
            path: path.into(),
            source: e,
        })?;
    let header: Header =
        serde_json::from_str(&first).map_err(|e| invalid(format!("bad header: {e}")))?;
    let mut by_id = std::collections::BTreeMap::new();
    let lines: Vec<String> = lines
        .collect::<Result<_, _>>()
        .map_err(|e| SweepError::Io {
            path: path.into(),
            source: e,
        })?;
    let n = lines.len();
    for (i, line) in lines.iter().enumerate() {
        match serde_json::from_str::<R>(line) {
            Ok(r) => {
                by_id.insert(r.id(), r);
            }
            Err(_) if i + 1 == n => {} // a line torn by a crash
            Err(e) => return Err(invalid(format!("line {}: {e}", i + 2))),
        }
    }
    Ok((header, by_id.into_values().collect()))
}
