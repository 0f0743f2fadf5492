//! Reports: turn what a command computed into files. `output` is a command's output as one typed
//! value (headline, typed tables, other files, charts, report.html) with a writer per format (CSV,
//! Parquet, PNG, HTML); each command's module builds its value and writes no file itself: `run`,
//! `fork` (one module), `compare`, `sweep` (also `merge` of its shards) and `explore`
//! (`sensitivity`, `calibrate`). The report.html of each is built by `html` (the builder) and
//! the command's `*_html` module; charts are drawn by `charts`; `tables` holds a run's tables as
//! polars DataFrames (the Python package's) and the polars CSV writer they are held to.
//!
//! Every run writes into a fresh sibling staging folder, which replaces the output folder only
//! once everything is written ([`OutputDir`]), so a folder never mixes files of two runs and a
//! failed run leaves the previous one intact.

pub mod cells;
pub mod charts;
pub mod compare;
pub mod compare_html;
pub mod explore;
pub mod explore_html;
/// Moved to [`crate::projections::finite`], where the sweep and the comparison can use it.
pub use crate::projections::finite;
pub mod fork;
pub mod html;
pub mod lock;
pub mod output;
pub mod output_dir;
pub mod run;
pub mod run_html;
pub mod sweep;
pub mod sweep_html;
pub mod tables;

pub use lock::FolderLock;
pub use output_dir::{OutputDir, prepare_in_place, recover_in_place, start_fresh, write_in_place};

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot write {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// An output folder tokenmaxx will not write to (not its own, the input, the current folder).
    #[error("{path}: {reason}")]
    Refused {
        path: std::path::PathBuf,
        reason: String,
    },
    #[error("cannot build table {table}: {message}")]
    Table { table: String, message: String },
}
