//! Writing: a run's weeks, kind by kind, as chunks sent to a writer thread that encodes them.

use std::fs::File;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use polars_arrow::array::{PrimitiveArray, Utf8ViewArray};
use polars_parquet::write::KeyValue;

use super::encode::Encoder;
use super::{CHUNK_ROWS, COLUMNS, FORMAT, StoreError};
use crate::events::{EventKind, WeekBatch};
use crate::model::traits::Traits;
use crate::scenario::Scenario;
use crate::scenario::validate::change_to_toml;

/// A chunk of rows of one kind, as sent to the writer thread: the kind's own columns, each with
/// its index in [`COLUMNS`]. `week` and `kind` (one value each) and the null columns are made by
/// the writer thread.
pub(super) struct Chunk {
    pub(super) week: u32,
    pub(super) kind: EventKind,
    pub(super) len: usize,
    pub(super) given: Vec<(usize, ArrayRef)>,
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

    pub(super) fn write_week(&mut self, b: &WeekBatch) -> Result<(), StoreError> {
        self.write_hires(b)?;
        self.write_policy(b)?;
        self.write_bots(b)?;
        self.write_uses(b)?;
        self.write_notices(b)?;
        self.write_splits(b)?;
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

    /// `SplitChanged`: agent and level (the `level` column, which `UseChanged` shares).
    fn write_splits(&mut self, b: &WeekBatch) -> Result<(), StoreError> {
        let sp = &b.splits;
        for r in ranges(sp.agent.len()) {
            self.write(chunk(
                b.week,
                EventKind::SplitChanged,
                r.len(),
                vec![
                    u32s("agent", &sp.agent[r.clone()]),
                    f64s("level", &sp.value[r.clone()]),
                ],
            ))?;
        }
        Ok(())
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
