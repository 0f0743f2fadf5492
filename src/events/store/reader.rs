//! Reading: a log's metadata, its row groups decoded ahead on a thread, and its weeks streamed.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use polars::io::parquet::metadata::{FileMetadata, FileMetadataRef};
use polars::prelude::*;

use super::decode::{Decoder, Rows, check_schema};
use super::{COLUMNS, FORMAT, FORMAT_MODEL_V2, LogHeader, StoreError, schema};
use crate::events::WeekBatch;
use crate::model::traits::Traits;
use crate::scenario::{Overrides, Scenario};

/// A stored log opened for reading.
pub struct EventReader {
    path: PathBuf,
    pub header: LogHeader,
    pub(super) groups: Vec<String>,
    pub(super) meta: FileMetadataRef,
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
pub(super) struct RowGroups {
    path: PathBuf,
    receive: std::sync::mpsc::Receiver<Result<DataFrame, StoreError>>,
    /// The log's row groups.
    count: usize,
    /// Row groups handed out.
    pub(super) next: usize,
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
    pub(super) row_groups: RowGroups,
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
