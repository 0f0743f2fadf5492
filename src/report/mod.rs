//! Reports: turn projections into files. Tables (CSV via polars, JSON) here; charts in `charts`.
//!
//! Every run writes into a fresh sibling staging folder, which replaces the output folder only
//! once everything is written ([`OutputDir`]), so a folder never mixes files of two runs and a
//! failed run leaves the previous one intact.

pub mod charts;
pub mod explore;
pub mod finite;
pub mod output_dir;
pub mod sweep;
pub mod tables;

pub use output_dir::OutputDir;

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot write {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot build table {table}: {message}")]
    Table { table: String, message: String },
}
