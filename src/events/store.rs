//! The event store: a run's event log as `events.parquet`, streamed week by week while the run
//! goes, and read back for replay, audit and forks in one pass over the file, a row group (at
//! most `CHUNK_ROWS` rows as written) at a time: [`WeekStream`] decodes each row group's rows
//! into the current week's batch and yields the batch when the `week` column moves on, so memory
//! holds one row group and one week's batch, never a week's rows as a DataFrame.
//!
//! Schema: one row per event of a week, in canonical order (see the module docs of `events`):
//! `week` (u32), `kind` (string), `agent`, `team`, `group` (u32, null where the event has none),
//! and the event's fields, null elsewhere: `genuine`, `padding`, `bot` (TokensUsed), `output`
//! `rework`, `noise`, `pad_time`, `perceived` (WorkDelivered), `level`, `cause` (UseChanged),
//! `cost` (IncidentOccurred), `rating`, `belief_shock` (ReviewHeld), `scope`
//! (BotDeployed), `change` (PolicyChanged, as a one-line TOML table), and the traits of
//! AgentHired: `skill`, `ai_fit`, `proficiency0`, `career_concern`, `status_drive`,
//! `gaming_aversion`, `token_intensity`, `trust`, `optimism`. Run-level facts (`RunStarted`: seed,
//! replication, scenario hash; the resolved scenario TOML; the number of weeks) are the file's
//! key-value metadata; a complete footer is the `RunFinished`.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use std::io::{BufWriter, Write};

use polars::io::parquet::metadata::{FileMetadata, FileMetadataRef};
use polars::prelude::*;
use polars_arrow::array::{Array, DictionaryArray, PrimitiveArray, Utf8ViewArray};
use polars_arrow::datatypes::{ArrowDataType, IntegerType};
use polars_parquet::parquet::CowBuffer;
use polars_parquet::parquet::error::ParquetError;
use polars_parquet::parquet::page::{DataPage, DataPageHeader, DataPageHeaderV1};
use polars_parquet::parquet::statistics::ParquetStatistics;
use polars_parquet::write::{
    CompressedPage, CompressionOptions, Compressor, Descriptor, DynIter, DynStreamingIterator,
    Encoding, FallibleStreamingIterator, FileWriter, KeyValue, Page, ParquetType,
    StatisticsOptions, Version, WriteOptions, array_to_columns, schema_to_metadata_key,
    to_parquet_leaves,
};

use super::{EventKind, WeekBatch};
use crate::model::adoption::UseCause;
use crate::model::traits::Traits;
use crate::policy::PermissionScope;
use crate::scenario::validate::{change_to_toml, parse_change};
use crate::scenario::{Overrides, Scenario, ScenarioError};

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

/// A chunk of rows of one kind, as sent to the writer thread: the kind's own columns, each with
/// its index in [`COLUMNS`]. `week` and `kind` (one value each) and the null columns are made by
/// the writer thread.
struct Chunk {
    week: u32,
    kind: EventKind,
    len: usize,
    given: Vec<(usize, ArrayRef)>,
}

fn chunk(week: u32, kind: EventKind, len: usize, given: Vec<(&str, ArrayRef)>) -> Chunk {
    let given = given
        .into_iter()
        .map(|(name, a)| {
            let i = COLUMNS.iter().position(|(n, _)| *n == name);
            (i.expect("a column of the schema"), a)
        })
        .collect();
    Chunk {
        week,
        kind,
        len,
        given,
    }
}

fn f64s<'a>(name: &'a str, v: &[f64]) -> (&'a str, ArrayRef) {
    (name, Box::new(PrimitiveArray::<f64>::from_slice(v)))
}

/// A single-precision column, stored as `Float64` (exactly) like every number of the log.
fn f32s<'a>(name: &'a str, v: &[f32]) -> (&'a str, ArrayRef) {
    let v: Vec<f64> = v.iter().copied().map(f64::from).collect();
    (name, Box::new(PrimitiveArray::<f64>::from_vec(v)))
}

fn u32s<'a>(name: &'a str, v: &[u32]) -> (&'a str, ArrayRef) {
    (name, Box::new(PrimitiveArray::<u32>::from_slice(v)))
}

fn strs<'a, S: AsRef<str>>(name: &'a str, v: &[S]) -> (&'a str, ArrayRef) {
    (name, Box::new(Utf8ViewArray::from_slice_values(v)))
}

/// Streams a run's events to `events.parquet` (an [`EventSink`]). Encoding and compression run
/// on a writer thread of their own, a few chunks behind the run, so the engine does not wait
/// for them; a week's chunks are copied out of its batch before the batch is reused.
pub struct EventWriter {
    path: PathBuf,
    writer: Option<Background>,
    groups: Vec<String>,
    rows: u64,
    error: Option<StoreError>,
}

impl EventWriter {
    /// Create the file, with the run's facts in its metadata.
    pub fn create(
        path: &Path,
        scenario: &Scenario,
        replication: u32,
    ) -> Result<EventWriter, StoreError> {
        let err = |e: &dyn std::fmt::Display| StoreError::Write {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        let file = File::create(path).map_err(|e| err(&e))?;
        let meta = vec![
            ("format", FORMAT.to_string()),
            ("seed", scenario.seed.to_string()),
            ("replication", replication.to_string()),
            ("scenario_hash", scenario.hash().to_string()),
            ("weeks", scenario.weeks.to_string()),
            ("scenario_name", scenario.name.clone()),
            ("scenario", scenario.resolved_toml.clone()),
        ];
        let meta = meta
            .into_iter()
            .map(|(k, v)| KeyValue::new(k.to_string(), v))
            .collect();
        let writer = Encoder::new(file, meta).map_err(|e| err(&e))?;
        Ok(EventWriter {
            path: path.to_path_buf(),
            writer: Some(Background::start(writer)),
            groups: scenario.groups.iter().map(|g| g.name.clone()).collect(),
            rows: 0,
            error: None,
        })
    }

    fn write(&mut self, c: Chunk) -> Result<(), StoreError> {
        self.rows += c.len as u64;
        if let Some(w) = &self.writer
            && w.send.send(c).is_err()
        {
            // The writer thread stopped on an error, which `finish` reports.
            let w = self.writer.take().expect("just seen");
            return Err(w.finish(&self.path).err().unwrap_or(StoreError::Write {
                path: self.path.clone(),
                message: "the writer thread stopped".into(),
            }));
        }
        Ok(())
    }

    /// Write a week's events, kind by kind in canonical order, in chunks of at most
    /// [`CHUNK_ROWS`] rows.
    /// Append a week's events. After a failure nothing more is written; the first error is kept
    /// for [`EventWriter::finish`] (a run streaming its log does not stop for a full disk).
    pub fn append(&mut self, batch: &WeekBatch) {
        if self.error.is_none()
            && let Err(e) = self.write_week(batch)
        {
            self.error = Some(e);
        }
    }

    fn write_week(&mut self, b: &WeekBatch) -> Result<(), StoreError> {
        self.write_hires(b)?;
        self.write_policy(b)?;
        self.write_bots(b)?;
        self.write_uses(b)?;
        self.write_notices(b)?;
        self.write_tokens(b)?;
        self.write_incidents(b)?;
        self.write_work(b)?;
        self.write_nudges(b)?;
        self.write_reviews(b)
    }

    /// `AgentHired`: agent, team, group and the traits.
    fn write_hires(&mut self, b: &WeekBatch) -> Result<(), StoreError> {
        let h = &b.hires;
        for r in ranges(h.agent.len()) {
            let traits: Vec<[f64; 9]> = h.traits[r.clone()]
                .iter()
                .map(|t| t.traits().values())
                .collect();
            let groups: Vec<u32> = h.group[r.clone()].iter().map(|g| *g as u32).collect();
            let mut columns = vec![
                u32s("agent", &h.agent.slice(r.clone())),
                u32s("team", &h.team[r.clone()]),
                u32s("group", &groups),
            ];
            columns.extend(Traits::NAMES.iter().enumerate().map(|(k, name)| {
                let v: Vec<f64> = traits.iter().map(|t| t[k]).collect();
                (*name, Box::new(PrimitiveArray::from_vec(v)) as ArrayRef)
            }));
            self.write(chunk(b.week, EventKind::AgentHired, r.len(), columns))?;
        }
        Ok(())
    }

    /// `PolicyChanged`: each change as a one-line TOML table.
    fn write_policy(&mut self, b: &WeekBatch) -> Result<(), StoreError> {
        if b.policy.is_empty() {
            return Ok(());
        }
        let groups: Vec<&str> = self.groups.iter().map(String::as_str).collect();
        let text: Vec<String> = b
            .policy
            .iter()
            .map(|c| change_to_toml(c, &groups))
            .collect();
        self.write(chunk(
            b.week,
            EventKind::PolicyChanged,
            text.len(),
            vec![strs("change", &text)],
        ))
    }

    /// `BotDeployed`: agent and permission scope.
    fn write_bots(&mut self, b: &WeekBatch) -> Result<(), StoreError> {
        if b.bots.is_empty() {
            return Ok(());
        }
        let agents: Vec<u32> = b.bots.iter().map(|(a, _)| *a).collect();
        let scopes: Vec<&str> = b.bots.iter().map(|(_, s)| s.as_str()).collect();
        self.write(chunk(
            b.week,
            EventKind::BotDeployed,
            agents.len(),
            vec![u32s("agent", &agents), strs("scope", &scopes)],
        ))
    }

    /// `UseChanged`: agent, level and cause.
    fn write_uses(&mut self, b: &WeekBatch) -> Result<(), StoreError> {
        let u = &b.uses;
        for r in ranges(u.agent.len()) {
            let causes: Vec<&str> = u.cause[r.clone()].iter().map(|c| c.as_str()).collect();
            self.write(chunk(
                b.week,
                EventKind::UseChanged,
                r.len(),
                vec![
                    u32s("agent", &u.agent[r.clone()]),
                    f64s("level", &u.level[r.clone()]),
                    strs("cause", &causes),
                ],
            ))?;
        }
        Ok(())
    }

    /// `BoardNoticed`: the agents.
    fn write_notices(&mut self, b: &WeekBatch) -> Result<(), StoreError> {
        if b.notices.is_empty() {
            return Ok(());
        }
        self.write(chunk(
            b.week,
            EventKind::BoardNoticed,
            b.notices.len(),
            vec![u32s("agent", &b.notices)],
        ))
    }

    /// `TokensUsed`: agent and the genuine, padding and bot tokens.
    fn write_tokens(&mut self, b: &WeekBatch) -> Result<(), StoreError> {
        let t = &b.tokens;
        for r in ranges(t.agent.len()) {
            self.write(chunk(
                b.week,
                EventKind::TokensUsed,
                r.len(),
                vec![
                    u32s("agent", &t.agent.slice(r.clone())),
                    f64s("genuine", &t.genuine[r.clone()]),
                    f64s("padding", &t.padding[r.clone()]),
                    f64s("bot", &t.bot[r.clone()]),
                ],
            ))?;
        }
        Ok(())
    }

    /// `IncidentOccurred`: agent and cost.
    fn write_incidents(&mut self, b: &WeekBatch) -> Result<(), StoreError> {
        let i = &b.incidents;
        for r in ranges(i.agent.len()) {
            self.write(chunk(
                b.week,
                EventKind::IncidentOccurred,
                r.len(),
                vec![
                    u32s("agent", &i.agent[r.clone()]),
                    f64s("cost", &i.value[r.clone()]),
                ],
            ))?;
        }
        Ok(())
    }

    /// `WorkDelivered`: agent, output and what went into it.
    fn write_work(&mut self, b: &WeekBatch) -> Result<(), StoreError> {
        let o = &b.work;
        for r in ranges(o.agent.len()) {
            self.write(chunk(
                b.week,
                EventKind::WorkDelivered,
                r.len(),
                vec![
                    u32s("agent", &o.agent.slice(r.clone())),
                    f64s("output", &o.output[r.clone()]),
                    f64s("rework", &o.rework[r.clone()]),
                    f64s("noise", &o.noise[r.clone()]),
                    f64s("pad_time", &o.pad_time[r.clone()]),
                    f64s("perceived", &o.perceived[r.clone()]),
                ],
            ))?;
        }
        Ok(())
    }

    /// `ManagerNudged`: the teams.
    fn write_nudges(&mut self, b: &WeekBatch) -> Result<(), StoreError> {
        if b.nudges.is_empty() {
            return Ok(());
        }
        self.write(chunk(
            b.week,
            EventKind::ManagerNudged,
            b.nudges.len(),
            vec![u32s("team", &b.nudges)],
        ))
    }

    /// `ReviewHeld`: agent, rating and belief shock.
    fn write_reviews(&mut self, b: &WeekBatch) -> Result<(), StoreError> {
        let v = &b.reviews;
        for r in ranges(v.agent.len()) {
            self.write(chunk(
                b.week,
                EventKind::ReviewHeld,
                r.len(),
                vec![
                    u32s("agent", &v.agent.slice(r.clone())),
                    f32s("rating", &v.rating[r.clone()]),
                    f32s("belief_shock", &v.belief_shock[r.clone()]),
                ],
            ))?;
        }
        Ok(())
    }

    /// Write the footer. Returns rows written and file size in bytes, or the first error met.
    pub fn finish(mut self) -> Result<(u64, u64), StoreError> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let w = self.writer.take().expect("not finished twice");
        let bytes = w.finish(&self.path)?;
        Ok((self.rows, bytes))
    }
}

/// How pages are written: every column chunk carries its null count, minimum and maximum, so
/// that readers which prune with statistics answer filters correctly (DuckDB 2.0 returned no
/// rows for any filter on a log whose chunks had null counts alone), and a filter on `week`,
/// `kind` or `agent` skips the row groups it cannot match. The codec is chosen column
/// chunk by column chunk ([`codec`]); `compression` here is only the file writer's default.
/// Measured at 200,000 x 52 weeks against LZ4 everywhere: no compression makes the file 1.75
/// times larger (the many zeros of the token and work columns) for 13% less CPU, zstd level 1
/// 16% smaller for 20% more.
const OPTIONS: WriteOptions = WriteOptions {
    statistics: StatisticsOptions {
        min_value: true,
        max_value: true,
        distinct_count: false,
        null_count: true,
        binary_statistics_truncate_length: None,
    },
    version: Version::V1,
    compression: CompressionOptions::Lz4Raw,
    data_page_size: None,
};

/// Encodes chunks as row groups with the encoding we choose for each column, instead of letting
/// polars try a dictionary for every column of every chunk (which cost more than LZ4 did, and
/// only pays for `week`, `kind` and the short strings): `week` and `kind`, one value in a
/// chunk, are written as a one-entry dictionary, the other strings as dictionaries, the numbers
/// plain, and the null columns as bare definition levels.
struct Encoder {
    writer: FileWriter<BufWriter<File>>,
    /// The Parquet types of [`COLUMNS`], in order.
    types: Vec<ParquetType>,
    meta: Vec<KeyValue>,
}

impl Encoder {
    fn new(file: File, meta: Vec<KeyValue>) -> PolarsResult<Encoder> {
        let schema = schema().to_arrow(CompatLevel::newest());
        let file = BufWriter::with_capacity(1 << 20, file);
        let writer = FileWriter::try_new(file, schema, OPTIONS)?;
        let types = writer.parquet_schema().fields().to_vec();
        Ok(Encoder {
            writer,
            types,
            meta,
        })
    }

    /// Write a chunk as a row group.
    fn write(&mut self, c: Chunk) -> PolarsResult<()> {
        let mut given: Vec<Option<ArrayRef>> = vec![None; COLUMNS.len()];
        for (i, a) in c.given {
            given[i] = Some(a);
        }
        let mut columns = Vec::with_capacity(COLUMNS.len());
        for (i, a) in given.into_iter().enumerate() {
            let (array, encoding) = match (COLUMNS[i].0, a) {
                ("week", _) => (
                    one_value(Box::new(PrimitiveArray::from_slice([c.week])), c.len),
                    Encoding::RleDictionary,
                ),
                ("kind", _) => {
                    let kind = Utf8ViewArray::from_slice_values([c.kind.as_str()]);
                    (one_value(Box::new(kind), c.len), Encoding::RleDictionary)
                }
                (_, Some(a)) if matches!(a.dtype(), ArrowDataType::Utf8View) => {
                    (a, Encoding::RleDictionary)
                }
                (_, Some(a)) => match plain_values(a.as_ref()) {
                    Some(values) => {
                        let page = hand_page(&self.types[i], c.len, Some(values));
                        columns.push(compressed(page, codec(a.as_ref())));
                        continue;
                    }
                    None => (a, Encoding::Plain),
                },
                (_, None) => {
                    let page = hand_page(&self.types[i], c.len, None);
                    columns.push(compressed(page, CompressionOptions::Uncompressed));
                    continue;
                }
            };
            let codec = codec(array.as_ref());
            let pages = array_to_columns(&array, self.types[i].clone(), OPTIONS, &[encoding])?;
            columns.extend(pages.into_iter().map(|p| compressed(p, codec)));
        }
        self.writer
            .write(c.len as u64, DynIter::new(columns.into_iter()))
    }

    /// Write the footer: the Arrow schema and the run's facts. The file's size in bytes.
    fn finish(mut self) -> PolarsResult<u64> {
        let mut meta = vec![footer_schema_key(self.writer.schema())];
        meta.append(&mut self.meta);
        let size = self.writer.end(Some(meta))?;
        self.writer.into_inner().flush()?;
        Ok(size)
    }
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

/// `len` rows of the one value in `value`: a dictionary of one entry.
fn one_value(value: ArrayRef, len: usize) -> ArrayRef {
    let dtype =
        ArrowDataType::Dictionary(IntegerType::UInt32, Box::new(value.dtype().clone()), false);
    let keys = PrimitiveArray::from_vec(vec![0u32; len]);
    Box::new(DictionaryArray::try_new(dtype, keys, value).expect("key 0 of one value"))
}

/// The plain encoding of a numeric column without nulls (`f64` or `u32`): its values' bytes,
/// little-endian, as they lie in memory, with the plain encodings of their minimum and maximum.
struct PlainValues<'a> {
    bytes: &'a [u8],
    min: Vec<u8>,
    max: Vec<u8>,
}

fn plain_values(a: &dyn Array) -> Option<PlainValues<'_>> {
    if a.null_count() > 0 || a.is_empty() {
        return None;
    }
    let any = a.as_any();
    if let Some(v) = any.downcast_ref::<PrimitiveArray<f64>>() {
        let (min, max) = f64_bounds(v.values());
        Some(PlainValues {
            bytes: bytemuck::cast_slice(&v.values()[..]),
            min: min.to_le_bytes().to_vec(),
            max: max.to_le_bytes().to_vec(),
        })
    } else {
        let v = any.downcast_ref::<PrimitiveArray<u32>>()?;
        let (min, max) = v
            .values()
            .iter()
            .fold((u32::MAX, 0), |(lo, hi), &x| (lo.min(x), hi.max(x)));
        Some(PlainValues {
            bytes: bytemuck::cast_slice(&v.values()[..]),
            min: min.to_le_bytes().to_vec(),
            max: max.to_le_bytes().to_vec(),
        })
    }
}

/// The minimum and maximum of doubles as Parquet's statistics state them: NaN ignored, a zero
/// minimum written as -0.0 and a zero maximum as +0.0 (so either zero falls inside the bounds).
fn f64_bounds(v: &[f64]) -> (f64, f64) {
    let (min, max) = v
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    let min = if min == 0.0 { -0.0 } else { min };
    let max = if max == 0.0 { 0.0 } else { max };
    (min, max)
}

/// A page of `len` rows made here: with `values` (plain-encoded), every row holds a value;
/// without, every row is null. Either way the definition levels are one run (of ones or of
/// zeros), where polars would encode them one by one from a bitmap: the most expensive part of
/// writing a log whose rows are mostly nulls, and a second pass over every value of the others.
fn hand_page(
    type_: &ParquetType,
    len: usize,
    values: Option<PlainValues<'_>>,
) -> DynIter<'static, PolarsResult<Page>> {
    let leaf = to_parquet_leaves(type_.clone()).pop().expect("a column");
    // An RLE run (Parquet's hybrid encoding, bit width 1): ULEB128 of `len << 1`, then the
    // level in one byte; Version 1 pages put the levels' byte length before them.
    let mut run = Vec::with_capacity(12);
    let mut n = (len as u64) << 1;
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            run.push(byte);
            break;
        }
        run.push(byte | 0x80);
    }
    run.push(u8::from(values.is_some()));
    let bytes = values.as_ref().map_or(&[][..], |v| v.bytes);
    let mut buffer = Vec::with_capacity(4 + run.len() + bytes.len());
    buffer.extend_from_slice(&(run.len() as i32).to_le_bytes());
    buffer.extend_from_slice(&run);
    buffer.extend_from_slice(bytes);
    let exact = values.as_ref().map(|_| true);
    let (min_value, max_value) = values.map(|v| (v.min, v.max)).unzip();
    let statistics = ParquetStatistics {
        null_count: Some(if exact.is_some() { 0 } else { len as i64 }),
        max: None,
        min: None,
        distinct_count: None,
        max_value,
        min_value,
        is_max_value_exact: exact,
        is_min_value_exact: exact,
    };
    let header = DataPageHeaderV1 {
        num_values: len as i32,
        encoding: Encoding::Plain.into(),
        definition_level_encoding: Encoding::Rle.into(),
        repetition_level_encoding: Encoding::Rle.into(),
        statistics: Some(statistics),
    };
    let descriptor = Descriptor {
        primitive_type: leaf,
        max_def_level: 0,
        max_rep_level: 0,
    };
    let page = DataPage::new(
        DataPageHeader::V1(header),
        CowBuffer::Owned(buffer),
        descriptor,
        len,
    );
    DynIter::new(std::iter::once(Ok(Page::Data(page))))
}

/// The codec of a column chunk: LZ4 for a column of numbers at least half of which are zero
/// (the token and work columns of the many weeks where most employees do not pad, have no bot
/// or do not use the tools; LZ4 shrinks those runs for little CPU), none for the others. At
/// 1,000,000 x 52 weeks, LZ4 on every column made the log 20% smaller than this rule does,
/// but the log then cost 9.2 s of CPU instead of 5.3: most of LZ4's time went on columns of
/// distinct doubles, which it shrank by a few per cent.
fn codec(a: &dyn Array) -> CompressionOptions {
    let zeros = match a.as_any().downcast_ref::<PrimitiveArray<f64>>() {
        Some(v) => v.values().iter().filter(|x| **x == 0.0).count(),
        None => return CompressionOptions::Uncompressed,
    };
    if 2 * zeros >= a.len() {
        CompressionOptions::Lz4Raw
    } else {
        CompressionOptions::Uncompressed
    }
}

/// A column's pages, compressed with `codec` as the file writer takes them.
fn compressed(
    pages: DynIter<'static, PolarsResult<Page>>,
    codec: CompressionOptions,
) -> PolarsResult<DynStreamingIterator<'static, CompressedPage, PolarsError>> {
    let pages = pages.map(|p| p.map_err(|e| ParquetError::OutOfSpec(e.to_string())));
    let pages = Compressor::new_from_vec(pages, codec, vec![]);
    Ok(DynStreamingIterator::new(pages.map_err(PolarsError::from)))
}

/// The writer thread: encodes and compresses the chunks it is sent, then writes the footer.
struct Background {
    send: std::sync::mpsc::SyncSender<Chunk>,
    thread: std::thread::JoinHandle<PolarsResult<u64>>,
}

/// Chunks queued for the writer thread at most (bounds the memory a slow disk can take).
const QUEUED_CHUNKS: usize = 4;

impl Background {
    fn start(mut writer: Encoder) -> Background {
        let (send, receive) = std::sync::mpsc::sync_channel::<Chunk>(QUEUED_CHUNKS);
        let thread = std::thread::spawn(move || {
            for c in receive {
                writer.write(c)?;
            }
            writer.finish()
        });
        Background { send, thread }
    }

    /// Wait for every queued chunk and the footer; the file's size in bytes, or the first error.
    fn finish(self, path: &Path) -> Result<u64, StoreError> {
        drop(self.send);
        let err = |message: String| StoreError::Write {
            path: path.to_path_buf(),
            message,
        };
        match self.thread.join() {
            Ok(result) => result.map_err(|e| err(e.to_string())),
            Err(_) => Err(err("the writer thread panicked".into())),
        }
    }
}

fn ranges(n: usize) -> impl Iterator<Item = std::ops::Range<usize>> {
    (0..n.div_ceil(CHUNK_ROWS)).map(move |c| c * CHUNK_ROWS..((c + 1) * CHUNK_ROWS).min(n))
}

/// A stored log opened for reading.
pub struct EventReader {
    path: PathBuf,
    pub header: LogHeader,
    groups: Vec<String>,
    meta: FileMetadataRef,
    schema: Arc<ArrowSchema>,
}

impl EventReader {
    /// The log's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Open a log and read its metadata; a truncated or foreign file is a clear error.
    pub fn open(path: &Path) -> Result<EventReader, StoreError> {
        let corrupt = |m: String| StoreError::Corrupt {
            path: path.to_path_buf(),
            message: m,
        };
        let file = File::open(path).map_err(|e| corrupt(e.to_string()))?;
        let mut reader = ParquetReader::new(file);
        // The Parquet decoder panics on some corrupt footers instead of returning an error.
        let (meta, schema) = crate::panics::quietly(|| {
            let meta = reader.get_metadata().cloned();
            meta.and_then(|m| Ok((m, reader.schema()?)))
        })
        .map_err(|_| corrupt("its footer cannot be decoded".into()))?
        .map_err(|e| corrupt(e.to_string()))?;
        let kv: Vec<(String, String)> = meta
            .key_value_metadata()
            .as_ref()
            .map(|v| {
                v.iter()
                    .map(|k| (k.key.clone(), k.value.clone().unwrap_or_default()))
                    .collect()
            })
            .unwrap_or_default();
        let get = |k: &str| {
            kv.iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .ok_or_else(|| corrupt(format!("metadata lacks `{k}`")))
        };
        let format = get("format")?;
        if format != FORMAT && format != FORMAT_MODEL_V2 {
            return Err(corrupt(format!("format is not {FORMAT}")));
        }
        let num = |k: &str| -> Result<u64, StoreError> {
            get(k)?
                .parse::<u64>()
                .map_err(|e| corrupt(format!("`{k}`: {e}")))
        };
        let header = LogHeader {
            seed: num("seed")?,
            replication: u32::try_from(num("replication")?)
                .map_err(|_| corrupt("`replication` is above 2^32 - 1".into()))?,
            scenario_hash: num("scenario_hash")?,
            weeks: num("weeks")? as u32,
            scenario_toml: get("scenario")?,
            scenario_name: get("scenario_name")?,
            written_by_model_v2: format == FORMAT_MODEL_V2,
        };
        let scenario = header_scenario(&header, path)?;
        Ok(EventReader {
            path: path.to_path_buf(),
            groups: scenario.groups.iter().map(|g| g.name.clone()).collect(),
            header,
            meta,
            schema,
        })
    }

    /// The scenario the log was written with.
    pub fn scenario(&self) -> Result<Scenario, StoreError> {
        header_scenario(&self.header, &self.path)
    }

    /// The log's row groups, read one at a time, front to back.
    fn row_groups(&self, skip_null: bool) -> Result<RowGroups, StoreError> {
        let file = File::open(&self.path).map_err(|e| StoreError::Corrupt {
            path: self.path.clone(),
            message: e.to_string(),
        })?;
        let mut template = (*self.meta).clone();
        template.row_groups = Vec::new();
        let decoder = RowGroupDecoder {
            path: self.path.clone(),
            file,
            meta: self.meta.clone(),
            template,
            skip_null,
        };
        Ok(RowGroups::start(decoder))
    }

    /// Whether the log's first row group holds a trait that single precision does not keep:
    /// a log written before traits were kept in single precision (docs/model.md, section 2.2),
    /// whose replay rounds them and so differs from its stored tables in the last digits.
    pub fn traits_in_double_precision(&self) -> Result<bool, StoreError> {
        let Some(df) = self.row_groups(false)?.next_frame()? else {
            return Ok(false);
        };
        Ok(Traits::NAMES.iter().any(|name| {
            let values = df.column(name).and_then(|c| c.f64().cloned());
            values.is_ok_and(|v| v.iter().flatten().any(|x| f64::from(x as f32) != x))
        }))
    }

    /// All rows of a week (or of every week) as a DataFrame, read row group by row group (only
    /// the rows kept are held).
    pub fn frame(&self, week: Option<u32>) -> Result<DataFrame, StoreError> {
        let corrupt = |e: PolarsError| StoreError::Corrupt {
            path: self.path.clone(),
            message: e.to_string(),
        };
        let mut groups = self.row_groups(false)?;
        let mut out: Option<DataFrame> = None;
        while let Some(df) = groups.next_frame()? {
            let df = match week {
                Some(w) => {
                    let mask = df.column("week").and_then(|c| c.u32().map(|c| c.equal(w)));
                    df.filter(&mask.map_err(corrupt)?).map_err(corrupt)?
                }
                None => df,
            };
            match &mut out {
                None => out = Some(df),
                Some(o) => {
                    o.vstack_mut_owned(df).map_err(corrupt)?;
                }
            }
        }
        let mut out = match out {
            Some(o) => o,
            None => DataFrame::empty_with_schema(&schema()),
        };
        out.rechunk_mut_par();
        Ok(out)
    }

    /// The log's weeks `0..header.weeks`, in order, decoded from one pass over the file. A week
    /// with no rows is an empty batch (the fold refuses it).
    pub fn weeks(&self) -> Result<WeekStream<'_>, StoreError> {
        check_schema(&self.schema).map_err(|message| StoreError::Corrupt {
            path: self.path.clone(),
            message,
        })?;
        Ok(WeekStream {
            reader: self,
            row_groups: self.row_groups(true)?,
            max_rows: usize::MAX,
            chunk: None,
            pending: None,
            row: 0,
            week: 0,
            largest_chunk: 0,
            dense_hint: 0,
        })
    }

    /// The events of one week as a batch (the weeks before it are read and dropped).
    pub fn week(&self, week: u32) -> Result<WeekBatch, StoreError> {
        match self.weeks()?.nth(week as usize) {
            Some(b) => b,
            None => Ok(WeekBatch::new(week)),
        }
    }
}

/// A stored log's row groups, decoded front to back by a thread of their own, one row group
/// ahead of the reader (decoding the next row group overlaps folding this one): memory holds the
/// row group being read and the one decoded next.
struct RowGroups {
    path: PathBuf,
    receive: std::sync::mpsc::Receiver<Result<DataFrame, StoreError>>,
    /// The log's row groups.
    count: usize,
    /// Row groups handed out.
    next: usize,
}

impl RowGroups {
    fn start(mut decoder: RowGroupDecoder) -> RowGroups {
        let count = decoder.meta.row_groups.len();
        let path = decoder.path.clone();
        // A rendezvous: the thread holds the row group it decoded until it is asked for it.
        let (send, receive) = std::sync::mpsc::sync_channel(0);
        std::thread::spawn(move || {
            for i in 0..count {
                let df = decoder.read(i);
                let failed = df.is_err();
                // A reader that stopped early dropped its end: nothing more to decode.
                if send.send(df).is_err() || failed {
                    break;
                }
            }
        });
        RowGroups {
            path,
            receive,
            count,
            next: 0,
        }
    }

    /// The next row group's rows, or `None` after the last.
    fn next_frame(&mut self) -> Result<Option<DataFrame>, StoreError> {
        if self.next == self.count {
            return Ok(None);
        }
        self.next += 1;
        match self.receive.recv() {
            Ok(df) => df.map(Some),
            Err(_) => Err(StoreError::Corrupt {
                path: self.path.clone(),
                message: format!("row group {}: its decoder stopped", self.next - 1),
            }),
        }
    }
}

/// Decodes a stored log's row groups.
struct RowGroupDecoder {
    path: PathBuf,
    file: File,
    meta: FileMetadataRef,
    /// The file's metadata without its row groups: each read gets one row group in it.
    template: FileMetadata,
    /// Leave out the log's columns a row group's statistics say are all null.
    skip_null: bool,
}

impl RowGroupDecoder {
    /// Row group `i`'s rows.
    fn read(&mut self, i: usize) -> Result<DataFrame, StoreError> {
        let rg = &self.meta.row_groups[i];
        let rows = rg.num_rows();
        let mut meta = self.template.clone();
        meta.row_groups = vec![rg.clone()];
        meta.num_rows = rows;
        meta.max_row_group_height = rows;
        let columns = self.skip_null.then(|| {
            COLUMNS
                .iter()
                .filter(|(name, _)| {
                    let all_null = rg.columns_under_root_iter(name).is_some_and(|mut cs| {
                        cs.all(|c| {
                            c.statistics(&self.meta.footer_buf)
                                .and_then(Result::ok)
                                .and_then(|st| st.null_count())
                                .is_some_and(|n| n as usize == rows)
                        })
                    });
                    !all_null
                })
                .map(|(name, _)| name.to_string())
                .collect::<Vec<_>>()
        });
        let file = &mut self.file;
        // A flipped byte can trip an assertion inside the parquet decoder: a corrupt log too.
        let read = crate::panics::quietly(move || {
            let mut r = ParquetReader::new(file)
                .read_parallel(ParallelStrategy::Columns)
                .with_columns(columns);
            r.set_metadata(Arc::new(meta));
            r.finish()
        });
        let corrupt = |message: String| StoreError::Corrupt {
            path: self.path.clone(),
            message,
        };
        match read {
            Ok(Ok(df)) => Ok(df),
            Ok(Err(e)) => Err(corrupt(format!("row group {i}: {e}"))),
            Err(_) => Err(corrupt(format!("row group {i} cannot be decoded"))),
        }
    }
}

/// A stored log's weeks, decoded in one pass over the file, a row group at a time: each row
/// group's rows go into the current week's batch, and the batch is yielded when the `week`
/// column moves on. Weeks must be in order and inside the run's horizon.
pub struct WeekStream<'a> {
    reader: &'a EventReader,
    row_groups: RowGroups,
    /// Most rows decoded at a time (a row group is cut into pieces of this many rows).
    max_rows: usize,
    /// The rows being decoded and the first not yet taken.
    chunk: Option<(DataFrame, usize)>,
    /// The rest of a row group cut into pieces.
    pending: Option<DataFrame>,
    /// The file row of the chunk's first row.
    row: usize,
    /// The week the next batch is for.
    week: u32,
    /// The most rows held decoded at once.
    largest_chunk: usize,
    /// Last week's `TokensUsed` and `WorkDelivered` events: the size the next week's dense
    /// columns are given up front (a run's weeks have the same), rather than grown by doubling.
    dense_hint: usize,
}

impl<'a> WeekStream<'a> {
    /// The log's run-level facts.
    pub fn header(&self) -> &'a LogHeader {
        &self.reader.header
    }

    /// The log's file.
    pub fn path(&self) -> &'a Path {
        &self.reader.path
    }

    /// The week the next batch is for.
    pub fn next_week(&self) -> u32 {
        self.week
    }

    /// Decode at most `rows` rows at a time (a row group is cut into pieces).
    pub fn with_max_rows(mut self, rows: usize) -> Self {
        self.max_rows = rows.max(1);
        self
    }

    /// The most rows that were held decoded at once so far.
    pub fn largest_chunk(&self) -> usize {
        self.largest_chunk
    }

    /// The next piece of rows, or `None` at the end of the file.
    fn refill(&mut self) -> Result<bool, StoreError> {
        if let Some((df, at)) = &self.chunk {
            if *at < df.height() {
                return Ok(true);
            }
            self.row += df.height();
            self.chunk = None;
        }
        loop {
            let Some(df) = self.next_piece()? else {
                return Ok(false);
            };
            if df.height() > 0 {
                self.largest_chunk = self.largest_chunk.max(df.height());
                self.chunk = Some((df, 0));
                return Ok(true);
            }
        }
    }

    /// The next row group, or the next piece of at most `max_rows` rows of it.
    fn next_piece(&mut self) -> Result<Option<DataFrame>, StoreError> {
        if self.max_rows == usize::MAX {
            return self.row_groups.next_frame();
        }
        // Cut row groups into pieces: a row group is read whole, then handed out piece by piece.
        if let Some(rest) = self.pending.take() {
            return Ok(Some(self.cut(rest)));
        }
        match self.row_groups.next_frame()? {
            Some(df) => Ok(Some(self.cut(df))),
            None => Ok(None),
        }
    }

    /// The first `max_rows` rows of `df`; the rest waits in `pending`.
    fn cut(&mut self, df: DataFrame) -> DataFrame {
        if df.height() <= self.max_rows {
            return df;
        }
        let (head, tail) = df.split_at(self.max_rows as i64);
        self.pending = Some(tail);
        head
    }

    /// Decode the next week's rows into its batch.
    fn read_week(&mut self) -> Result<WeekBatch, StoreError> {
        let week = self.week;
        let reader: &'a EventReader = self.reader;
        let horizon = reader.header.weeks;
        let groups: Vec<&str> = reader.groups.iter().map(String::as_str).collect();
        let d = Decoder {
            week,
            groups: &groups,
            path: &reader.path,
        };
        let mut b = WeekBatch::new(week);
        b.reserve_dense(self.dense_hint);
        let mut in_week = 0usize;
        while self.refill()? {
            let (df, at) = self.chunk.as_mut().expect("refilled");
            let rows = Rows::read(df).map_err(|e| d.bad(e.to_string()))?;
            let mut i = *at;
            let end = df.height();
            // The rows of this week: up to the first row of a later week (the rows of this
            // week are skipped at once; the row after them is checked below).
            let mut wend = rows.week.run_of(i, end, week);
            while wend < end {
                let file_row = self.row + wend;
                let w = rows
                    .week
                    .get(wend)
                    .ok_or_else(|| d.bad(format!("row {file_row} of the file: no week")))?;
                if w < week || w >= horizon {
                    *at = wend;
                    return Err(StoreError::Corrupt {
                        path: self.reader.path.clone(),
                        message: format!(
                            "row {file_row}: week {w} is out of order or past the run's {horizon} weeks"
                        ),
                    });
                }
                if w > week {
                    break;
                }
                wend += 1;
            }
            while i < wend {
                let kind = rows
                    .kind
                    .get(i)
                    .ok_or_else(|| d.bad(format!("row {in_week}: no kind")))?;
                let j = rows.run_end(i, wend, kind);
                d.run(&mut b, &rows, (i, j), in_week, kind)?;
                in_week += j - i;
                i = j;
            }
            *at = i;
            if i < end {
                break;
            }
        }
        self.dense_hint = b.tokens.genuine.len().max(b.work.output.len());
        Ok(b)
    }
}

impl Iterator for WeekStream<'_> {
    type Item = Result<WeekBatch, StoreError>;

    /// The next week's batch, until the run's last week.
    fn next(&mut self) -> Option<Self::Item> {
        if self.week >= self.reader.header.weeks {
            return None;
        }
        let b = self.read_week();
        if b.is_err() {
            // A corrupt log stops the stream.
            self.week = self.reader.header.weeks;
            return Some(b);
        }
        self.week += 1;
        Some(b)
    }
}

fn header_scenario(h: &LogHeader, path: &Path) -> Result<Scenario, StoreError> {
    let table: toml::Table =
        h.scenario_toml
            .parse()
            .map_err(|e: toml::de::Error| StoreError::Corrupt {
                path: path.to_path_buf(),
                message: format!("stored scenario: {}", e.message()),
            })?;
    let label = format!("{} (stored in {})", h.scenario_name, path.display());
    let (s, _) = Scenario::from_table(table, &label, &Overrides::default())?;
    Ok(s)
}

/// One column of a piece of rows, read by name, with its name for errors. `None`: every value
/// is null (a column chunk the file's statistics say is all null is not decoded).
struct Col<T: PolarsDataType> {
    name: &'static str,
    values: Option<T::Array>,
}

impl<T: PolarsDataType> Col<T> {
    /// Read column `name` of `df` as one array (all null if `df` lacks it).
    fn read(
        df: &DataFrame,
        name: &'static str,
        typed: impl Fn(&Column) -> PolarsResult<&ChunkedArray<T>>,
    ) -> PolarsResult<Col<T>> {
        let Some(c) = df.column(name).ok() else {
            return Ok(Col { name, values: None });
        };
        let ca = typed(c)?.rechunk();
        let values = ca
            .downcast_iter()
            .next()
            .cloned()
            .ok_or_else(|| polars_err!(NoData: "column `{name}` has no data"))?;
        Ok(Col {
            name,
            values: Some(values),
        })
    }

    /// The value at index `i`, if set.
    fn get(&self, i: usize) -> Option<T::Physical<'_>> {
        self.values.as_ref().and_then(|v| v.get(i))
    }

    /// The value at index `i` (the week's row `row`), or an error naming the column.
    fn at(&self, i: usize, row: usize) -> Result<T::Physical<'_>, String> {
        self.get(i)
            .ok_or_else(|| format!("row {row}: `{}` is missing", self.name))
    }
}

impl<T: PolarsNumericType> Col<T> {
    /// The first index from `i` (before `end`) whose value is missing or not `v`.
    fn run_of(&self, i: usize, end: usize, v: T::Native) -> usize {
        let Some(a) = &self.values else {
            return i;
        };
        let end = end.min(a.len());
        let found = match a.validity() {
            Some(b) if b.unset_bits() > 0 => {
                (i..end).position(|k| !b.get_bit(k) || a.values()[k] != v)
            }
            _ => a.values()[i..end].iter().position(|x| *x != v),
        };
        found.map_or(end, |n| i + n)
    }

    /// The values at indices `i..j` (the week's rows from `row`), all set, or an error naming
    /// the first row where this column is missing.
    fn slice(&self, i: usize, j: usize, row: usize) -> Result<&[T::Native], String> {
        let missing = |k: usize| format!("row {}: `{}` is missing", row + k - i, self.name);
        let Some(a) = &self.values else {
            return Err(missing(i));
        };
        if j > a.len() {
            return Err(missing(a.len().max(i)));
        }
        if let Some(v) = a.validity()
            && v.clone().sliced(i, j - i).unset_bits() > 0
        {
            let k = (i..j).find(|&k| !v.get_bit(k)).unwrap_or(i);
            return Err(missing(k));
        }
        Ok(&a.values()[i..j])
    }
}

/// The columns of a piece of rows, each read by its name (the order of the file's columns does
/// not matter).
struct Rows {
    week: Col<UInt32Type>,
    kind: Col<StringType>,
    agent: Col<UInt32Type>,
    team: Col<UInt32Type>,
    group: Col<UInt32Type>,
    genuine: Col<Float64Type>,
    padding: Col<Float64Type>,
    bot: Col<Float64Type>,
    output: Col<Float64Type>,
    cost: Col<Float64Type>,
    rating: Col<Float64Type>,
    belief_shock: Col<Float64Type>,
    skill: Col<Float64Type>,
    ai_fit: Col<Float64Type>,
    proficiency0: Col<Float64Type>,
    career_concern: Col<Float64Type>,
    status_drive: Col<Float64Type>,
    gaming_aversion: Col<Float64Type>,
    token_intensity: Col<Float64Type>,
    trust: Col<Float64Type>,
    optimism: Col<Float64Type>,
    level: Col<Float64Type>,
    rework: Col<Float64Type>,
    noise: Col<Float64Type>,
    pad_time: Col<Float64Type>,
    perceived: Col<Float64Type>,
    scope: Col<StringType>,
    change: Col<StringType>,
    cause: Col<StringType>,
}

impl Rows {
    /// Read every column of `df` by name (in the schema's order, so the first mistyped column
    /// is the one reported). A column `df` lacks is all null: that the file has every column,
    /// with its type, is checked once from its schema ([`check_schema`]).
    fn read(df: &DataFrame) -> PolarsResult<Rows> {
        let u = |name: &'static str| Col::read(df, name, |c| c.u32());
        let f = |name: &'static str| Col::read(df, name, |c| c.f64());
        let s = |name: &'static str| Col::read(df, name, |c| c.str());
        Ok(Rows {
            week: u("week")?,
            kind: s("kind")?,
            agent: u("agent")?,
            team: u("team")?,
            group: u("group")?,
            genuine: f("genuine")?,
            padding: f("padding")?,
            bot: f("bot")?,
            output: f("output")?,
            cost: f("cost")?,
            rating: f("rating")?,
            belief_shock: f("belief_shock")?,
            skill: f("skill")?,
            ai_fit: f("ai_fit")?,
            proficiency0: f("proficiency0")?,
            career_concern: f("career_concern")?,
            status_drive: f("status_drive")?,
            gaming_aversion: f("gaming_aversion")?,
            token_intensity: f("token_intensity")?,
            trust: f("trust")?,
            optimism: f("optimism")?,
            level: f("level")?,
            rework: f("rework")?,
            noise: f("noise")?,
            pad_time: f("pad_time")?,
            perceived: f("perceived")?,
            scope: s("scope")?,
            change: s("change")?,
            cause: s("cause")?,
        })
    }

    /// The end of the run of rows from `i` (before `end`) that have the kind `kind`. The rows
    /// of a run were decoded from one dictionary entry, so their views (16 bytes) are equal:
    /// the text is compared only where they differ.
    fn run_end(&self, i: usize, end: usize, kind: &str) -> usize {
        let Some(a) = &self.kind.values else {
            return i + 1;
        };
        let views = a.views();
        let mut j = i + 1;
        while j < end && ((views[j] == views[i] && a.is_valid(j)) || self.kind.get(j) == Some(kind))
        {
            j += 1;
        }
        j
    }
}

/// Whether a stored Arrow type is the one a column of [`COLUMNS`] is written as.
fn stored_as(arrow: &ArrowDataType, dtype: &DataType) -> bool {
    use ArrowDataType as A;
    match dtype {
        DataType::UInt32 => *arrow == A::UInt32,
        DataType::Float64 => *arrow == A::Float64,
        DataType::String => matches!(arrow, A::Utf8 | A::LargeUtf8 | A::Utf8View),
        _ => false,
    }
}

/// Check that a log's schema has every column of [`COLUMNS`] with its type (in any order).
fn check_schema(schema: &ArrowSchema) -> Result<(), String> {
    for (name, dtype) in COLUMNS {
        match schema.get(name) {
            None => return Err(format!("column `{name}` not found")),
            // Compared as Arrow types: a corrupt schema may name a type polars cannot
            // convert (it panics on some), and strings may be stored as any UTF-8 type.
            Some(f) if !stored_as(&f.dtype, dtype) => {
                return Err(format!("column `{name}` is {:?}, not {dtype}", f.dtype));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Decodes a week's rows into a batch; errors name the file and the week.
struct Decoder<'a> {
    week: u32,
    groups: &'a [&'a str],
    path: &'a Path,
}

impl Decoder<'_> {
    /// A corrupt-log error about this week.
    fn bad(&self, m: String) -> StoreError {
        StoreError::Corrupt {
            path: self.path.to_path_buf(),
            message: format!("week {}: {m}", self.week),
        }
    }

    /// Append the rows at indices `i..j` of `r` (the week's rows from `row`), all of kind
    /// `kind`, to the batch: the dense kinds column by column, the others row by row.
    fn run(
        &self,
        b: &mut WeekBatch,
        r: &Rows,
        (i, j): (usize, usize),
        row: usize,
        kind: &str,
    ) -> Result<(), StoreError> {
        let bad = |m: String| self.bad(m);
        // The run's values of a column, all set.
        macro_rules! f {
            ($c:expr) => {
                $c.slice(i, j, row).map_err(bad)?
            };
        }
        match EventKind::parse(kind) {
            Some(EventKind::TokensUsed) => {
                let t = &mut b.tokens;
                t.agent.extend_from_slice(f!(r.agent));
                t.genuine.extend_from_slice(f!(r.genuine));
                t.padding.extend_from_slice(f!(r.padding));
                t.bot.extend_from_slice(f!(r.bot));
            }
            Some(EventKind::WorkDelivered) => {
                let w = &mut b.work;
                w.agent.extend_from_slice(f!(r.agent));
                w.output.extend_from_slice(f!(r.output));
                w.rework.extend_from_slice(f!(r.rework));
                w.noise.extend_from_slice(f!(r.noise));
                w.pad_time.extend_from_slice(f!(r.pad_time));
                w.perceived.extend_from_slice(f!(r.perceived));
            }
            Some(EventKind::IncidentOccurred) => {
                b.incidents.agent.extend_from_slice(f!(r.agent));
                b.incidents.value.extend_from_slice(f!(r.cost));
            }
            Some(EventKind::ReviewHeld) => {
                let v = &mut b.reviews;
                v.agent.extend_from_slice(f!(r.agent));
                v.rating.extend(f!(r.rating).iter().map(|x| *x as f32));
                v.belief_shock
                    .extend(f!(r.belief_shock).iter().map(|x| *x as f32));
            }
            Some(EventKind::BoardNoticed) => b.notices.extend_from_slice(f!(r.agent)),
            _ => {
                for k in i..j {
                    self.row(b, r, k, row + k - i, kind)?;
                }
            }
        }
        Ok(())
    }

    /// Append the row at index `i` of `r` (the week's row `row`), of kind `kind`, to the batch.
    fn row(
        &self,
        b: &mut WeekBatch,
        r: &Rows,
        i: usize,
        row: usize,
        kind: &str,
    ) -> Result<(), StoreError> {
        let bad = |m: String| self.bad(m);
        let no_team = || bad(format!("row {row}: no team"));
        let Some(kind) = EventKind::parse(kind) else {
            return Err(bad(format!("row {row}: unknown event kind `{kind}`")));
        };
        let agent = || r.agent.at(i, row).map_err(bad);
        let f = |c: &Col<Float64Type>| c.at(i, row).map_err(bad);
        match kind {
            EventKind::AgentHired => self.hire(b, r, i, row)?,
            EventKind::PolicyChanged => {
                let text = r
                    .change
                    .get(i)
                    .ok_or_else(|| bad(format!("row {row}: no change")))?;
                b.policy.push(parse_change(
                    text,
                    self.groups,
                    &self.path.display().to_string(),
                )?);
            }
            EventKind::BotDeployed => {
                let sc = r
                    .scope
                    .get(i)
                    .and_then(PermissionScope::parse)
                    .ok_or_else(|| bad(format!("row {row}: bad scope")))?;
                b.bots.push((agent()?, sc));
            }
            EventKind::TokensUsed => {
                b.tokens.agent.push(agent()?);
                b.tokens.genuine.push(f(&r.genuine)?);
                b.tokens.padding.push(f(&r.padding)?);
                b.tokens.bot.push(f(&r.bot)?);
            }
            EventKind::UseChanged => {
                let c = r
                    .cause
                    .get(i)
                    .and_then(UseCause::parse)
                    .ok_or_else(|| bad(format!("row {row}: bad cause")))?;
                b.uses.agent.push(agent()?);
                b.uses.level.push(f(&r.level)?);
                b.uses.cause.push(c);
            }
            EventKind::BoardNoticed => b.notices.push(agent()?),
            EventKind::WorkDelivered => {
                let w = &mut b.work;
                w.agent.push(agent()?);
                w.output.push(f(&r.output)?);
                w.rework.push(f(&r.rework)?);
                w.noise.push(f(&r.noise)?);
                w.pad_time.push(f(&r.pad_time)?);
                w.perceived.push(f(&r.perceived)?);
            }
            EventKind::IncidentOccurred => {
                b.incidents.agent.push(agent()?);
                b.incidents.value.push(f(&r.cost)?);
            }
            EventKind::ManagerNudged => b.nudges.push(r.team.get(i).ok_or_else(no_team)?),
            EventKind::ReviewHeld => {
                b.reviews.agent.push(agent()?);
                b.reviews.rating.push(f(&r.rating)? as f32);
                b.reviews.belief_shock.push(f(&r.belief_shock)? as f32);
            }
            EventKind::RunStarted | EventKind::RunFinished => {
                return Err(bad(format!(
                    "row {row}: unknown event kind `{}`",
                    kind.as_str()
                )));
            }
        }
        Ok(())
    }

    /// An `AgentHired` row: agent, team, group and traits.
    fn hire(&self, b: &mut WeekBatch, r: &Rows, i: usize, row: usize) -> Result<(), StoreError> {
        let bad = |m: String| self.bad(m);
        let v = |c: &Col<Float64Type>| c.at(i, row).map_err(bad);
        b.hires.agent.push(r.agent.at(i, row).map_err(bad)?);
        std::sync::Arc::make_mut(&mut b.hires.team).push(
            r.team
                .get(i)
                .ok_or_else(|| bad(format!("row {row}: no team")))?,
        );
        let g = r
            .group
            .get(i)
            .ok_or_else(|| bad(format!("row {row}: no group")))?;
        std::sync::Arc::make_mut(&mut b.hires.group)
            .push(u16::try_from(g).map_err(|_| bad(format!("row {row}: group {g} too large")))?);
        std::sync::Arc::make_mut(&mut b.hires.traits).push(
            Traits {
                skill: v(&r.skill)?,
                ai_fit: v(&r.ai_fit)?,
                proficiency0: v(&r.proficiency0)?,
                career_concern: v(&r.career_concern)?,
                status_drive: v(&r.status_drive)?,
                gaming_aversion: v(&r.gaming_aversion)?,
                token_intensity: v(&r.token_intensity)?,
                trust: v(&r.trust)?,
                optimism: v(&r.optimism)?,
            }
            .stored(),
        );
        Ok(())
    }
}

/// Rebuild a week's batch from its rows, all in one frame (the whole-week decoding the stream's
/// pieces are checked against).
#[cfg(test)]
fn batch_from_frame(
    df: &DataFrame,
    week: u32,
    groups: &[&str],
    path: &Path,
) -> Result<WeekBatch, StoreError> {
    let d = Decoder { week, groups, path };
    let rows = Rows::read(df).map_err(|e| d.bad(e.to_string()))?;
    let mut b = WeekBatch::new(week);
    let mut i = 0;
    while i < df.height() {
        let kind = rows
            .kind
            .get(i)
            .ok_or_else(|| d.bad(format!("row {i}: no kind")))?;
        let j = rows.run_end(i, df.height(), kind);
        d.run(&mut b, &rows, (i, j), i, kind)?;
        i = j;
    }
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testkit::sized;

    /// A small amazon-2026 run's log, written to `events.parquet` in a fresh folder.
    fn stored_run(name: &str) -> (PathBuf, Vec<WeekBatch>) {
        let s = sized("amazon-2026", 60, 14);
        let (_, log) = crate::simulate_with_log(&s, 0);
        let dir = std::env::temp_dir().join(format!("tmx-store-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("events.parquet");
        let mut w = EventWriter::create(&path, &s, 0).unwrap();
        for b in &log.weeks {
            w.write_week(b).unwrap();
        }
        w.finish().unwrap();
        (path, log.weeks)
    }

    #[test]
    fn a_log_written_now_keeps_its_traits_in_single_precision() {
        let (path, weeks) = stored_run("precision");
        let r = EventReader::open(&path).unwrap();
        assert!(!r.traits_in_double_precision().unwrap());
        // and they read back as the run hired them
        assert_eq!(r.week(0).unwrap().hires, weeks[0].hires);
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[test]
    fn number_columns_at_least_half_zeros_are_compressed_and_the_others_are_not() {
        use polars_parquet::parquet::compression::Compression;
        let f = |v: &[f64]| codec(&PrimitiveArray::<f64>::from_slice(v));
        assert_eq!(f(&[0.0, 0.0, 1.5, 2.0]), CompressionOptions::Lz4Raw);
        assert_eq!(f(&[0.0, 3.0, 1.5, 2.0]), CompressionOptions::Uncompressed);
        let ids = PrimitiveArray::<u32>::from_slice([0, 0, 0]);
        assert_eq!(codec(&ids), CompressionOptions::Uncompressed);
        // A stored run's `padding` is mostly zeros in the weeks before the target and not
        // after it: its column chunks are of both kinds (and read back as written, below).
        let (path, _) = stored_run("codec");
        let mut file = File::open(&path).unwrap();
        let meta = polars_parquet::parquet::read::read_metadata(&mut file).unwrap();
        let padding = COLUMNS.iter().position(|(n, _)| *n == "padding").unwrap();
        // The row groups of `TokensUsed`, where the column holds values (a null column is a
        // few bytes of levels).
        let codecs: Vec<Compression> = meta
            .row_groups
            .iter()
            .map(|g| &g.parquet_columns()[padding])
            .filter(|c| c.uncompressed_size() > 8 * c.num_values())
            .map(|c| c.compression())
            .collect();
        assert!(codecs.contains(&Compression::Lz4Raw), "{codecs:?}");
        assert!(codecs.contains(&Compression::Uncompressed), "{codecs:?}");
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[test]
    fn every_column_chunk_states_its_values_nulls_and_bounds() {
        // What readers trust for filter pushdown (DuckDB returned no rows for any filter on a
        // log whose chunks had null counts alone): one value or null per row, the null count,
        // and a minimum and maximum wherever the chunk holds a value.
        let (path, _) = stored_run("stats");
        let mut file = File::open(&path).unwrap();
        let meta = polars_parquet::parquet::read::read_metadata(&mut file).unwrap();
        for (g, group) in meta.row_groups.iter().enumerate() {
            for (c, chunk) in group.parquet_columns().iter().enumerate() {
                let at = format!("row group {g}, column {}", COLUMNS[c].0);
                assert_eq!(chunk.num_values() as usize, group.num_rows(), "{at}");
                let stats = chunk
                    .statistics(&meta.footer_buf)
                    .expect(&at)
                    .unwrap()
                    .serialize();
                let nulls = stats.null_count.expect(&at) as usize;
                assert!(
                    nulls == 0 || nulls == group.num_rows(),
                    "{at}: {nulls} nulls"
                );
                let bounded = stats.min_value.is_some() && stats.max_value.is_some();
                assert_eq!(bounded, nulls == 0, "{at}: min/max present iff values are");
            }
        }
        // (That strings are stored as plain UTF-8 is checked with pyarrow itself, in
        // tests/interop: polars reads either as its own string type.)
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[test]
    fn bounds_of_doubles_ignore_nan_and_widen_zeros() {
        assert_eq!(f64_bounds(&[2.0, f64::NAN, -1.5]), (-1.5, 2.0));
        let (min, max) = f64_bounds(&[0.0, 0.0]);
        assert!(min == 0.0 && min.is_sign_negative() && max.is_sign_positive());
    }

    #[test]
    fn a_week_is_decoded_by_column_name_whatever_the_order_of_the_columns() {
        let (path, weeks) = stored_run("order");
        let r = EventReader::open(&path).unwrap();
        let groups: Vec<&str> = r.groups.iter().map(String::as_str).collect();
        for (w, batch) in weeks.iter().enumerate() {
            let week = w as u32;
            let decoded = r.week(week).unwrap();
            assert_eq!(decoded.len(), batch.len(), "week {w}");
            let df = r.frame(Some(week)).unwrap();
            let mut names = df.get_column_names_owned();
            names.reverse();
            let reversed = df.select(names).unwrap();
            assert_eq!(
                batch_from_frame(&reversed, week, &groups, &path).unwrap(),
                decoded,
                "week {w}"
            );
        }
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[test]
    fn the_log_is_streamed_in_pieces_smaller_than_a_week_with_the_same_batches() {
        let (path, weeks) = stored_run("stream");
        let r = EventReader::open(&path).unwrap();
        let groups: Vec<&str> = r.groups.iter().map(String::as_str).collect();
        // Whole weeks, each decoded from all its rows in one frame.
        let whole: Vec<WeekBatch> = (0..weeks.len() as u32)
            .map(|w| batch_from_frame(&r.frame(Some(w)).unwrap(), w, &groups, &path).unwrap())
            .collect();
        assert_eq!(whole, weeks);
        let smallest_week = (0..weeks.len() as u32)
            .map(|w| r.frame(Some(w)).unwrap().height())
            .min()
            .unwrap();
        for max_rows in [1, 7, 50, 61, 1000, usize::MAX] {
            let mut stream = r.weeks().unwrap().with_max_rows(max_rows);
            let streamed: Vec<WeekBatch> = stream.by_ref().map(Result::unwrap).collect();
            assert_eq!(streamed, whole, "pieces of {max_rows} rows");
            assert!(stream.largest_chunk() <= max_rows, "{max_rows}");
            // Even whole row groups are smaller than a week: a week is never decoded at once.
            assert!(stream.largest_chunk() < smallest_week, "{max_rows}");
        }
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[test]
    fn reading_the_first_weeks_stops_early_and_goes_on_where_it_stopped() {
        let (path, weeks) = stored_run("early");
        let r = EventReader::open(&path).unwrap();
        let groups = r.meta.row_groups.len();
        let mut stream = r.weeks().unwrap();
        let first: Vec<WeekBatch> = stream.by_ref().take(3).map(Result::unwrap).collect();
        assert_eq!(first, weeks[..3]);
        assert_eq!(stream.next_week(), 3);
        // Only weeks 0..3 and the first row group of week 3 were read.
        let read = stream.row_groups.next;
        assert!(read < groups / 2, "{read} of {groups} row groups read");
        let rest: Vec<WeekBatch> = stream.by_ref().map(Result::unwrap).collect();
        assert_eq!(rest, weeks[3..]);
        assert_eq!(stream.row_groups.next, groups);
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[test]
    fn a_missing_value_in_a_run_of_rows_names_the_week_row_and_column() {
        let (path, _) = stored_run("missing");
        let r = EventReader::open(&path).unwrap();
        let groups: Vec<&str> = r.groups.iter().map(String::as_str).collect();
        let df = r.frame(Some(2)).unwrap();
        let kinds = df.column("kind").unwrap().str().unwrap().clone();
        let first = kinds.iter().position(|k| k == Some("TokensUsed")).unwrap();
        let row = first + 5;
        let genuine: Float64Chunked = df
            .column("genuine")
            .unwrap()
            .f64()
            .unwrap()
            .iter()
            .enumerate()
            .map(|(i, v)| if i == row { None } else { v })
            .collect();
        let mut bad = df.clone();
        bad.with_column(genuine.with_name("genuine".into()).into_column())
            .unwrap();
        let err = batch_from_frame(&bad, 2, &groups, &path)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("events.parquet")
                && err.contains(&format!("week 2: row {row}: `genuine` is missing")),
            "{err}"
        );
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[test]
    fn weeks_out_of_order_are_refused_with_the_row() {
        let (path, weeks) = stored_run("order_check");
        let s = sized("amazon-2026", 60, 14);
        let mut w = EventWriter::create(&path, &s, 0).unwrap();
        w.write_week(&weeks[0]).unwrap();
        w.write_week(&weeks[2]).unwrap();
        w.write_week(&weeks[1]).unwrap();
        w.finish().unwrap();
        let r = EventReader::open(&path).unwrap();
        let got: Vec<Result<WeekBatch, StoreError>> = r.weeks().unwrap().collect();
        assert_eq!(got[0].as_ref().unwrap(), &weeks[0]);
        // Week 1 has no rows before week 2's: an empty batch (the fold refuses it).
        assert!(got[1].as_ref().unwrap().is_empty());
        // Week 2 is read up to the first row of week 1 that follows it.
        let err = got[2].as_ref().unwrap_err().to_string();
        let row = weeks[0].len() + weeks[2].len();
        assert!(
            err.contains(&format!("row {row}: week 1 is out of order")),
            "{err}"
        );
        assert_eq!(got.len(), 3, "a corrupt log ends the stream");
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }
}
