//! The event store: a run's event log as `events.parquet`, streamed week by week while the run
//! goes, and read back for replay, audit and forks in one pass over the file, a row group (at
//! most `CHUNK_ROWS` rows as written) at a time: [`WeekStream`] decodes each row group's rows
//! into the current week's batch and yields the batch when the `week` column moves on, so memory
//! holds one row group and one week's batch, never a week's rows as a DataFrame.
//!
//! Schema: one row per event of a week, in canonical order (see the module docs of `events`):
//! `week` (u32), `kind` (string), `agent`, `team`, `group` (u32, null where the event has none),
//! and the event's fields, null elsewhere: `genuine`, `padding`, `bot` (TokensUsed), `output`
//! `rework`, `noise`, `pad_time`, `perceived` (WorkDelivered), `level`, `cause` (UseChanged;
//! `level` also of SplitChanged),
//! `cost` (IncidentOccurred), `rating`, `belief_shock` (ReviewHeld), `scope`
//! (BotDeployed), `change` (PolicyChanged, as a one-line TOML table), and the traits of
//! AgentHired: `skill`, `ai_fit`, `proficiency0`, `career_concern`, `status_drive`,
//! `gaming_aversion`, `token_intensity`, `trust`, `optimism`. Run-level facts (`RunStarted`: seed,
//! replication, scenario hash; the resolved scenario TOML; the number of weeks) are the file's
//! key-value metadata; a complete footer is the `RunFinished`.
//!
//! The code, one file per concern: this file holds the public API's types, the format tags and
//! the schema; `writer` streams a run's weeks to the file; `encode` makes the Parquet pages and
//! their statistics; `reader` opens a log and streams its weeks; `decode` turns a piece of rows
//! into a week's batch.

mod decode;
mod encode;
mod reader;
mod writer;

use std::path::PathBuf;

use polars::prelude::*;
use polars_arrow::datatypes::ArrowDataType;
use polars_parquet::write::{KeyValue, schema_to_metadata_key};

use crate::scenario::ScenarioError;

pub use reader::{EventReader, WeekStream};
pub use writer::EventWriter;

/// Format tag stored in the metadata. Format 3 is format 2's file, written by model v3 (whose
/// fold learns optimism from `WorkDelivered` and whose scenarios have v3's keys): a format-2 log
/// still reads, but its replay runs under model v3 and differs (`replay` says why).
pub const FORMAT: &str = "tokenmaxx-events-3";
/// The format of logs written by model v2: read, and replayed under model v3.
pub const FORMAT_MODEL_V2: &str = "tokenmaxx-events-2";
/// Rows per written chunk: bounds the memory of writing a week of a large run.
const CHUNK_ROWS: usize = 1 << 18;

/// Why the store could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot write {path}: {message}")]
    Write { path: PathBuf, message: String },
    #[error(
        "{path} is not a readable tokenmaxx event log ({message}); was the run interrupted or the file truncated?"
    )]
    Corrupt { path: PathBuf, message: String },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
}

/// Run-level facts kept in the file's metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct LogHeader {
    pub seed: u64,
    pub replication: u32,
    pub scenario_hash: u64,
    pub weeks: u32,
    pub scenario_toml: String,
    pub scenario_name: String,
    /// The log is format 2, written by model v2: its replay under model v3 differs.
    pub written_by_model_v2: bool,
}

const COLUMNS: &[(&str, DataType)] = &[
    ("week", DataType::UInt32),
    ("kind", DataType::String),
    ("agent", DataType::UInt32),
    ("team", DataType::UInt32),
    ("group", DataType::UInt32),
    ("genuine", DataType::Float64),
    ("padding", DataType::Float64),
    ("bot", DataType::Float64),
    ("output", DataType::Float64),
    ("cost", DataType::Float64),
    ("rating", DataType::Float64),
    ("belief_shock", DataType::Float64),
    ("scope", DataType::String),
    ("change", DataType::String),
    ("skill", DataType::Float64),
    ("ai_fit", DataType::Float64),
    ("proficiency0", DataType::Float64),
    ("career_concern", DataType::Float64),
    ("status_drive", DataType::Float64),
    ("gaming_aversion", DataType::Float64),
    ("token_intensity", DataType::Float64),
    ("trust", DataType::Float64),
    ("optimism", DataType::Float64),
    ("level", DataType::Float64),
    ("cause", DataType::String),
    ("rework", DataType::Float64),
    ("noise", DataType::Float64),
    ("pad_time", DataType::Float64),
    ("perceived", DataType::Float64),
];

/// The schema of `events.parquet`.
pub fn schema() -> Schema {
    COLUMNS
        .iter()
        .map(|(n, t)| Field::new((*n).into(), t.clone()))
        .collect()
}

/// The Arrow schema a Parquet file of ours stores in its footer (as the `ARROW:schema` key):
/// strings as plain UTF-8 (`large_string`), not the `string_view` that polars builds columns
/// as, which pyarrow reads but cannot filter or take and other readers may not know. The
/// Parquet columns are the same either way. Every Parquet file tokenmaxx writes uses it.
pub fn footer_schema_key(schema: &ArrowSchema) -> KeyValue {
    let plain: ArrowSchema = schema
        .iter_values()
        .map(|f| {
            let mut f = f.clone();
            if f.dtype == ArrowDataType::Utf8View {
                f.dtype = ArrowDataType::LargeUtf8;
            }
            (f.name.clone(), f)
        })
        .collect();
    schema_to_metadata_key(&plain)
}

// Last in the file: the layer rule (tests/integration/layers.rs) checks a file's code up to
// its first test attribute.
#[cfg(test)]
mod tests;
