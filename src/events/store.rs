//! The event store: a run's event log as `events.parquet`, streamed week by week while the run
//! goes, and read back week by week for replay, audit and forks.
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

use polars::prelude::*;

use super::{EventKind, WeekBatch};
use crate::model::adoption::UseCause;
use crate::model::traits::Traits;
use crate::policy::PermissionScope;
use crate::scenario::validate::{change_to_toml, parse_change};
use crate::scenario::{Overrides, Scenario, ScenarioError};

/// Format tag stored in the metadata.
pub const FORMAT: &str = "tokenmaxx-events-2";
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

/// A chunk of rows of one kind: the given columns, every other column null.
fn chunk(week: u32, kind: EventKind, len: usize, given: Vec<Column>) -> PolarsResult<DataFrame> {
    let kind = kind.as_str();
    let mut cols = Vec::with_capacity(COLUMNS.len());
    for (name, dtype) in COLUMNS {
        let col = match *name {
            "week" => Column::new_scalar("week".into(), Scalar::from(week), len),
            "kind" => Column::new_scalar("kind".into(), Scalar::from(PlSmallStr::from(kind)), len),
            _ => match given.iter().find(|c| c.name().as_str() == *name) {
                Some(c) => c.clone(),
                None => Column::full_null((*name).into(), len, dtype),
            },
        };
        cols.push(col);
    }
    DataFrame::new(len, cols)
}

fn f64s(name: &str, v: &[f64]) -> Column {
    Column::new(name.into(), v)
}

fn u32s(name: &str, v: &[u32]) -> Column {
    Column::new(name.into(), v)
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
            ("format".to_string(), FORMAT.to_string()),
            ("seed".to_string(), scenario.seed.to_string()),
            ("replication".to_string(), replication.to_string()),
            ("scenario_hash".to_string(), scenario.hash().to_string()),
            ("weeks".to_string(), scenario.weeks.to_string()),
            ("scenario_name".to_string(), scenario.name.clone()),
            ("scenario".to_string(), scenario.resolved_toml.clone()),
        ];
        // LZ4: 1.7 times faster to write than zstd for 19% more bytes (200,000 x 52 weeks).
        let writer = ParquetWriter::new(file)
            .with_compression(ParquetCompression::Lz4Raw)
            .with_key_value_metadata(Some(KeyValueMetadata::from_static(meta)))
            .batched(&schema())
            .map_err(|e| err(&e))?;
        Ok(EventWriter {
            path: path.to_path_buf(),
            writer: Some(Background::start(writer)),
            groups: scenario.groups.iter().map(|g| g.name.clone()).collect(),
            rows: 0,
            error: None,
        })
    }

    fn write(&mut self, df: PolarsResult<DataFrame>) -> Result<(), StoreError> {
        let err = |e: PolarsError| StoreError::Write {
            path: self.path.clone(),
            message: e.to_string(),
        };
        let df = df.map_err(err)?;
        self.rows += df.height() as u64;
        if let Some(w) = &self.writer
            && w.send.send(df).is_err()
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
            let t = &h.traits[r.clone()];
            let trait_col = |name: &str, f: fn(&Traits) -> f64| {
                Column::new(name.into(), t.iter().map(f).collect::<Vec<f64>>())
            };
            let groups: Vec<u32> = h.group[r.clone()].iter().map(|g| *g as u32).collect();
            self.write(chunk(
                b.week,
                EventKind::AgentHired,
                r.len(),
                vec![
                    u32s("agent", &h.agent[r.clone()]),
                    u32s("team", &h.team[r.clone()]),
                    u32s("group", &groups),
                    trait_col("skill", |t| t.skill),
                    trait_col("ai_fit", |t| t.ai_fit),
                    trait_col("proficiency0", |t| t.proficiency0),
                    trait_col("career_concern", |t| t.career_concern),
                    trait_col("status_drive", |t| t.status_drive),
                    trait_col("gaming_aversion", |t| t.gaming_aversion),
                    trait_col("token_intensity", |t| t.token_intensity),
                    trait_col("trust", |t| t.trust),
                    trait_col("optimism", |t| t.optimism),
                ],
            ))?;
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
            vec![Column::new("change".into(), text)],
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
            vec![u32s("agent", &agents), Column::new("scope".into(), scopes)],
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
                    Column::new("cause".into(), causes),
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
                    u32s("agent", &t.agent[r.clone()]),
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
                    u32s("agent", &o.agent[r.clone()]),
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
                    u32s("agent", &v.agent[r.clone()]),
                    f64s("rating", &v.rating[r.clone()]),
                    f64s("belief_shock", &v.belief_shock[r.clone()]),
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

/// The writer thread: encodes and compresses the chunks it is sent, then writes the footer.
struct Background {
    send: std::sync::mpsc::SyncSender<DataFrame>,
    thread: std::thread::JoinHandle<PolarsResult<u64>>,
}

/// Chunks queued for the writer thread at most (bounds the memory a slow disk can take).
const QUEUED_CHUNKS: usize = 4;

impl Background {
    fn start(mut writer: polars::io::parquet::write::BatchedWriter<File>) -> Background {
        let (send, receive) = std::sync::mpsc::sync_channel::<DataFrame>(QUEUED_CHUNKS);
        let thread = std::thread::spawn(move || {
            for df in receive {
                writer.write_batch(&df)?;
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
        let meta = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            reader.get_metadata().cloned()
        }))
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
        if get("format")? != FORMAT {
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
        };
        let scenario = header_scenario(&header, path)?;
        Ok(EventReader {
            path: path.to_path_buf(),
            groups: scenario.groups.iter().map(|g| g.name.clone()).collect(),
            header,
        })
    }

    /// The scenario the log was written with.
    pub fn scenario(&self) -> Result<Scenario, StoreError> {
        header_scenario(&self.header, &self.path)
    }

    /// All rows of a week (or of every week) as a DataFrame.
    pub fn frame(&self, week: Option<u32>) -> Result<DataFrame, StoreError> {
        let corrupt = |e: PolarsError| StoreError::Corrupt {
            path: self.path.clone(),
            message: e.to_string(),
        };
        let path = self.path.to_string_lossy().into_owned();
        let mut lf =
            LazyFrame::scan_parquet(PlRefPath::from(path.as_str()), ScanArgsParquet::default())
                .map_err(corrupt)?;
        if let Some(w) = week {
            lf = lf.filter(col("week").eq(lit(w)));
        }
        lf.collect().map_err(corrupt)
    }

    /// Check the log's weeks are in order and inside its horizon (one column read).
    pub fn check_weeks(&self) -> Result<(), StoreError> {
        let corrupt = |message: String| StoreError::Corrupt {
            path: self.path.clone(),
            message,
        };
        let path = self.path.to_string_lossy().into_owned();
        let df =
            LazyFrame::scan_parquet(PlRefPath::from(path.as_str()), ScanArgsParquet::default())
                .and_then(|lf| lf.select([col("week")]).collect())
                .map_err(|e| corrupt(e.to_string()))?;
        let weeks = df
            .column("week")
            .and_then(|c| c.u32().cloned())
            .map_err(|e| corrupt(e.to_string()))?;
        let mut last = 0;
        for (row, w) in weeks.iter().enumerate() {
            let w = w.ok_or_else(|| corrupt(format!("row {row}: no week")))?;
            if w < last || w >= self.header.weeks {
                return Err(corrupt(format!(
                    "row {row}: week {w} is out of order or past the run's {} weeks",
                    self.header.weeks
                )));
            }
            last = w;
        }
        Ok(())
    }

    /// The events of one week as a batch.
    pub fn week(&self, week: u32) -> Result<WeekBatch, StoreError> {
        let df = self.frame(Some(week))?;
        let groups: Vec<&str> = self.groups.iter().map(String::as_str).collect();
        batch_from_frame(&df, week, &groups, &self.path)
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

/// One column of a week's rows, read by name, with its name for errors.
struct Col<T> {
    name: &'static str,
    values: Vec<Option<T>>,
}

impl<T: Copy> Col<T> {
    /// The value at `row`, or an error naming the column.
    fn at(&self, row: usize) -> Result<T, String> {
        self.values[row].ok_or_else(|| format!("row {row}: `{}` is missing", self.name))
    }
}

/// The columns of a week's rows, each read by its name (the order of the file's columns does
/// not matter).
struct Rows<'a> {
    kind: &'a StringChunked,
    agent: Col<u32>,
    team: Vec<Option<u32>>,
    group: Vec<Option<u32>>,
    genuine: Col<f64>,
    padding: Col<f64>,
    bot: Col<f64>,
    output: Col<f64>,
    cost: Col<f64>,
    rating: Col<f64>,
    belief_shock: Col<f64>,
    skill: Col<f64>,
    ai_fit: Col<f64>,
    proficiency0: Col<f64>,
    career_concern: Col<f64>,
    status_drive: Col<f64>,
    gaming_aversion: Col<f64>,
    token_intensity: Col<f64>,
    trust: Col<f64>,
    optimism: Col<f64>,
    level: Col<f64>,
    rework: Col<f64>,
    noise: Col<f64>,
    pad_time: Col<f64>,
    perceived: Col<f64>,
    scope: Vec<Option<String>>,
    change: Vec<Option<String>>,
    cause: Vec<Option<String>>,
}

impl<'a> Rows<'a> {
    /// Read every column of `df` by name (in the schema's order, so the first missing or
    /// mistyped column is the one reported).
    fn read(df: &'a DataFrame) -> PolarsResult<Rows<'a>> {
        let u = |name: &str| -> PolarsResult<Vec<Option<u32>>> {
            Ok(df.column(name)?.u32()?.iter().collect())
        };
        let f = |name: &'static str| -> PolarsResult<Col<f64>> {
            let values = df.column(name)?.f64()?.iter().collect();
            Ok(Col { name, values })
        };
        let s = |name: &str| -> PolarsResult<Vec<Option<String>>> {
            Ok(df
                .column(name)?
                .str()?
                .iter()
                .map(|v| v.map(str::to_string))
                .collect())
        };
        Ok(Rows {
            kind: df.column("kind")?.str()?,
            agent: Col {
                name: "agent",
                values: u("agent")?,
            },
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

    /// Append row `row`, of kind `kind`, to the batch.
    fn row(&self, b: &mut WeekBatch, r: &Rows, row: usize, kind: &str) -> Result<(), StoreError> {
        let bad = |m: String| self.bad(m);
        let no_team = || bad(format!("row {row}: no team"));
        let Some(kind) = EventKind::parse(kind) else {
            return Err(bad(format!("row {row}: unknown event kind `{kind}`")));
        };
        match kind {
            EventKind::AgentHired => self.hire(b, r, row)?,
            EventKind::PolicyChanged => {
                let text = r.change[row]
                    .as_deref()
                    .ok_or_else(|| bad(format!("row {row}: no change")))?;
                b.policy.push(parse_change(
                    text,
                    self.groups,
                    &self.path.display().to_string(),
                )?);
            }
            EventKind::BotDeployed => {
                let sc = r.scope[row]
                    .as_deref()
                    .and_then(PermissionScope::parse)
                    .ok_or_else(|| bad(format!("row {row}: bad scope")))?;
                b.bots.push((r.agent.at(row).map_err(bad)?, sc));
            }
            EventKind::TokensUsed => {
                b.tokens.agent.push(r.agent.at(row).map_err(bad)?);
                b.tokens.genuine.push(r.genuine.at(row).map_err(bad)?);
                b.tokens.padding.push(r.padding.at(row).map_err(bad)?);
                b.tokens.bot.push(r.bot.at(row).map_err(bad)?);
            }
            EventKind::UseChanged => {
                let c = r.cause[row]
                    .as_deref()
                    .and_then(UseCause::parse)
                    .ok_or_else(|| bad(format!("row {row}: bad cause")))?;
                b.uses.agent.push(r.agent.at(row).map_err(bad)?);
                b.uses.level.push(r.level.at(row).map_err(bad)?);
                b.uses.cause.push(c);
            }
            EventKind::BoardNoticed => b.notices.push(r.agent.at(row).map_err(bad)?),
            EventKind::WorkDelivered => {
                let w = &mut b.work;
                w.agent.push(r.agent.at(row).map_err(bad)?);
                w.output.push(r.output.at(row).map_err(bad)?);
                w.rework.push(r.rework.at(row).map_err(bad)?);
                w.noise.push(r.noise.at(row).map_err(bad)?);
                w.pad_time.push(r.pad_time.at(row).map_err(bad)?);
                w.perceived.push(r.perceived.at(row).map_err(bad)?);
            }
            EventKind::IncidentOccurred => {
                b.incidents.agent.push(r.agent.at(row).map_err(bad)?);
                b.incidents.value.push(r.cost.at(row).map_err(bad)?);
            }
            EventKind::ManagerNudged => b.nudges.push(r.team[row].ok_or_else(no_team)?),
            EventKind::ReviewHeld => {
                b.reviews.agent.push(r.agent.at(row).map_err(bad)?);
                b.reviews.rating.push(r.rating.at(row).map_err(bad)?);
                b.reviews
                    .belief_shock
                    .push(r.belief_shock.at(row).map_err(bad)?);
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
    fn hire(&self, b: &mut WeekBatch, r: &Rows, row: usize) -> Result<(), StoreError> {
        let bad = |m: String| self.bad(m);
        let v = |c: &Col<f64>| c.at(row).map_err(bad);
        b.hires.agent.push(r.agent.at(row).map_err(bad)?);
        b.hires
            .team
            .push(r.team[row].ok_or_else(|| bad(format!("row {row}: no team")))?);
        let g = r.group[row].ok_or_else(|| bad(format!("row {row}: no group")))?;
        b.hires
            .group
            .push(u16::try_from(g).map_err(|_| bad(format!("row {row}: group {g} too large")))?);
        b.hires.traits.push(Traits {
            skill: v(&r.skill)?,
            ai_fit: v(&r.ai_fit)?,
            proficiency0: v(&r.proficiency0)?,
            career_concern: v(&r.career_concern)?,
            status_drive: v(&r.status_drive)?,
            gaming_aversion: v(&r.gaming_aversion)?,
            token_intensity: v(&r.token_intensity)?,
            trust: v(&r.trust)?,
            optimism: v(&r.optimism)?,
        });
        Ok(())
    }
}

/// Rebuild a week's batch from its rows.
fn batch_from_frame(
    df: &DataFrame,
    week: u32,
    groups: &[&str],
    path: &Path,
) -> Result<WeekBatch, StoreError> {
    let d = Decoder { week, groups, path };
    let rows = Rows::read(df).map_err(|e| d.bad(e.to_string()))?;
    let mut b = WeekBatch::new(week);
    for (row, kind) in rows.kind.iter().enumerate() {
        let kind = kind.ok_or_else(|| d.bad(format!("row {row}: no kind")))?;
        d.row(&mut b, &rows, row, kind)?;
    }
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Source;

    /// A small amazon-2026 run's log, written to `events.parquet` in a fresh folder.
    fn stored_run(name: &str) -> (PathBuf, Vec<WeekBatch>) {
        let o = Overrides {
            employees: Some(60),
            weeks: Some(14),
            seed: None,
        };
        let (s, _) = Scenario::load_with(&Source::Builtin("amazon-2026".into()), &o).unwrap();
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
}
