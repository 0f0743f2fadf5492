//! Reports: turn projections into files. Tables (CSV via polars, JSON) here; charts in `charts`;
//! the self-contained report.html in `html` (the builder) and one module per command for its
//! content (`run_html`, `compare_html`, `sweep_html`, `explore_html`). `output` is a command's
//! output as one typed value (headline, typed tables, charts, report.html) with a writer per
//! format; `compare`, `run` (`report::run`) and `fork` (`report::fork`, one module) build their
//! outputs that way.
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
