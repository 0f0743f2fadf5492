//! The generic table: CSV or Parquet, one row per person and day (`date`) or week (`week`).
//!
//! Columns (names case-insensitive; others are ignored): `person` (any id; also `email`,
//! `user`, `user_id`), `date` or `week`, `tokens` or any of `input_tokens`, `output_tokens`,
//! `cache_read_tokens`, `cache_creation_tokens` (summed), and optionally `cost_usd`, `group`,
//! `team`, `lines_added`, `commits`, `prs_merged` (or `pull_requests`). An empty optional cell
//! counts as 0.

use std::io::BufReader;
use std::path::Path;

use polars::prelude::*;

use super::aggregate::{Accumulator, Place};
use super::csv::{CsvError, CsvReader};
use super::privacy::Pseudonymiser;
use super::{ImportError, Usage, dates, parquet_time};

const PERSON: [&str; 4] = ["person", "email", "user", "user_id"];
const PARTS: [&str; 4] = [
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_creation_tokens",
];
/// Outcome columns, in the order of [`super::OUTCOMES`].
const OUTCOME_COLUMNS: [&[&str]; 3] = [
    &["lines_added"],
    &["commits"],
    &["prs_merged", "pull_requests"],
];

/// Where each known column is in a file's header.
#[derive(Debug)]
struct Layout {
    person: usize,
    time: usize,
    weekly: bool,
    tokens: Vec<(usize, &'static str)>,
    cost: Option<usize>,
    group: Option<usize>,
    team: Option<usize>,
    outcomes: [Option<usize>; 3],
    width: usize,
}

const ALLOWED: &str = "a table needs `person`, `date` (YYYY-MM-DD) or `week` (YYYY-Www), and `tokens` or token parts (input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens); optional: cost_usd, group, team, lines_added, commits, prs_merged";

fn layout(header: &[String]) -> Result<Layout, String> {
    let names: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    let find = |alts: &[&str]| -> Result<Option<usize>, String> {
        let hits: Vec<usize> = (0..names.len())
            .filter(|&i| alts.contains(&names[i].as_str()))
            .collect();
        match hits.len() {
            0 => Ok(None),
            1 => Ok(Some(hits[0])),
            _ => Err(format!(
                "header: more than one column is `{}` (or an alias of it)",
                alts[0]
            )),
        }
    };
    let missing = |what: &str| format!("header: no `{what}` column; {ALLOWED}");
    let person = find(&PERSON)?.ok_or_else(|| missing("person"))?;
    let (time, weekly) = match (find(&["date", "day"])?, find(&["week"])?) {
        (Some(d), None) => (d, false),
        (None, Some(w)) => (w, true),
        (Some(_), Some(_)) => {
            return Err("header: both `date` and `week`: give one per file".into());
        }
        (None, None) => return Err(missing("date")),
    };
    let mut tokens: Vec<(usize, &'static str)> = Vec::new();
    for p in PARTS {
        if let Some(i) = find(&[p])? {
            tokens.push((i, p));
        }
    }
    match (find(&["tokens"])?, tokens.is_empty()) {
        (Some(i), true) => tokens.push((i, "tokens")),
        (Some(_), false) => return Err("header: both `tokens` and token parts (input_tokens, ...): give one or the other, so nothing is counted twice".into()),
        (None, true) => return Err(missing("tokens")),
        (None, false) => {}
    }
    let mut outcomes = [None; 3];
    for (o, alts) in outcomes.iter_mut().zip(OUTCOME_COLUMNS) {
        *o = find(alts)?;
    }
    Ok(Layout {
        person,
        time,
        weekly,
        tokens,
        cost: find(&["cost_usd"])?,
        group: find(&["group"])?,
        team: find(&["team"])?,
        outcomes,
        width: names.len(),
    })
}

/// The most one row may hold in a column: tokens [`super::MAX_TOKENS`], cost
/// [`super::MAX_COST_USD`], outcomes [`super::MAX_OUTCOME`].
fn most(column: &str) -> f64 {
    if column == "cost_usd" {
        super::MAX_COST_USD
    } else if column.contains("tokens") {
        super::MAX_TOKENS
    } else {
        super::MAX_OUTCOME
    }
}

/// A number from 0 to the column's bound ([`most`]), or a message saying what the column needs
/// and the allowed range (never the cell).
pub fn number(cell: &str, column: &str, optional: bool) -> Result<f64, String> {
    let t = cell.trim();
    if t.is_empty() {
        return if optional {
            Ok(0.0)
        } else {
            Err(format!(
                "column `{column}`: empty; a non-negative number is needed"
            ))
        };
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=most(column)).contains(&v) => Ok(v),
        Ok(v) if v < 0.0 => Err(format!(
            "column `{column}`: negative; counts and costs must be >= 0"
        )),
        Ok(v) if v > most(column) => Err(format!(
            "column `{column}`: too large; allowed 0 to {:e} per row",
            most(column)
        )),
        _ => Err(format!(
            "column `{column}`: not a number (the cell is not shown: it could be personal data); a non-negative number is needed"
        )),
    }
}

fn usage<'a>(l: &Layout, f: &'a [String], ps: &Pseudonymiser) -> Result<Usage<'a>, String> {
    if f.len() != l.width {
        return Err(format!(
            "{} fields, but the header has {}",
            f.len(),
            l.width
        ));
    }
    if f[l.person].trim().is_empty() {
        return Err("column `person`: empty; every row needs a person".into());
    }
    let day = if l.weekly {
        dates::parse_week(&f[l.time])
            .ok_or("column `week`: not a week; use YYYY-Www (2026-W03) or a date YYYY-MM-DD")?
    } else {
        dates::parse_date(&f[l.time]).ok_or("column `date`: not a date; use YYYY-MM-DD (UTC)")?
    };
    let mut tokens = 0.0;
    for &(i, name) in &l.tokens {
        tokens += number(&f[i], name, name != "tokens" && l.tokens.len() > 1)?;
    }
    let opt = |i: Option<usize>, name: &str| i.map_or(Ok(0.0), |i| number(&f[i], name, true));
    Ok(Usage {
        person: ps.pseudonym(&f[l.person]),
        day,
        weekly: l.weekly,
        variant: "",
        tokens,
        cost_usd: opt(l.cost, "cost_usd")?,
        group: l.group.map(|i| f[i].as_str()),
        team: l.team.map(|i| f[i].as_str()),
        outcomes: [
            opt(l.outcomes[0], "lines_added")?,
            opt(l.outcomes[1], "commits")?,
            opt(l.outcomes[2], "prs_merged")?,
        ],
    })
}

fn note_columns(acc: &mut Accumulator, l: &Layout) {
    acc.has_cost |= l.cost.is_some();
    for (h, o) in acc.has_outcome.iter_mut().zip(l.outcomes) {
        *h |= o.is_some();
    }
}

/// Read a table (CSV or Parquet, by its magic bytes) into `acc`.
pub fn read(path: &Path, ps: &Pseudonymiser, acc: &mut Accumulator) -> Result<(), ImportError> {
    let mut magic = [0u8; 4];
    let is_parquet = std::io::Read::read_exact(
        &mut super::open_regular(path, super::Input::Export)?,
        &mut magic,
    )
    .is_ok()
        && &magic == b"PAR1";
    if is_parquet {
        read_parquet(path, ps, acc)
    } else {
        read_csv(path, ps, acc)
    }
}

fn read_csv(path: &Path, ps: &Pseudonymiser, acc: &mut Accumulator) -> Result<(), ImportError> {
    let file = super::open_regular(path, super::Input::Export)?;
    let mut r = CsvReader::new(BufReader::with_capacity(1 << 20, file));
    let bad = |m: String| ImportError::bad(path, m);
    let csv_err = |e: CsvError| match e {
        CsvError::Io(e) if e.kind() == std::io::ErrorKind::InvalidData => {
            ImportError::bad(path, "not UTF-8 text: a table must be UTF-8 CSV or Parquet")
        }
        CsvError::Io(e) => ImportError::io(path, e),
        CsvError::Syntax { line, message } => {
            ImportError::bad(path, format!("line {line}: {message}"))
        }
    };
    let mut fields = Vec::new();
    if r.next_record(&mut fields).map_err(csv_err)?.is_none() {
        return Err(bad(
            "the file is empty: no header row; ".to_string() + ALLOWED
        ));
    }
    let l = layout(&fields).map_err(|m| bad(format!("line 1, {m}")))?;
    note_columns(acc, &l);
    while let Some(line) = r.next_record(&mut fields).map_err(csv_err)? {
        let u = usage(&l, &fields, ps).map_err(|m| bad(format!("line {line}, {m}")))?;
        acc.add(&u, Place::new("line", line))
            .map_err(|m| bad(format!("line {line}: {m}")))?;
    }
    Ok(())
}

/// Rows read from a Parquet file at a time (bounded memory).
const PARQUET_CHUNK: usize = 200_000;

fn read_parquet(path: &Path, ps: &Pseudonymiser, acc: &mut Accumulator) -> Result<(), ImportError> {
    let bad = |m: String| ImportError::bad(path, m);
    let pl = |e: PolarsError| ImportError::bad(path, format!("not a readable Parquet file: {e}"));
    let mut reader = ParquetReader::new(super::open_regular(path, super::Input::Export)?);
    // The Parquet decoder panics on some corrupt files: a clean error, and nothing printed.
    let broken = || ImportError::bad(path, "not a readable Parquet file (it cannot be decoded)");
    let (meta, schema) = crate::panics::quietly(|| {
        let meta = reader.get_metadata().cloned();
        meta.and_then(|m| Ok((m, reader.schema()?)))
    })
    .map_err(|_| broken())?
    .map_err(pl)?;
    let header: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
    let l = layout(&header).map_err(bad)?;
    note_columns(acc, &l);
    // A date or timestamp `date` column is decoded per row group; a text one is read as text.
    let time = schema
        .iter_values()
        .nth(l.time)
        .and_then(|f| parquet_time::kind(f.dtype()));
    let groups: Vec<usize> = match time {
        Some(_) => meta.row_groups.iter().map(|g| g.num_rows()).collect(),
        None => vec![meta.num_rows],
    };
    let mut file = super::open_regular(path, super::Input::Export)?;
    let mut piece = Piece {
        path,
        meta: &meta,
        header: &header,
        layout: &l,
        typed_time: time.is_some(),
        fields: vec![String::new(); header.len()],
    };
    let mut offset = 0usize;
    for (g, &len) in groups.iter().enumerate() {
        let days = match time {
            Some(kind) => Some(
                parquet_time::days(&mut file, &meta, g, &header[l.time], kind)
                    .map_err(|m| bad(format!("row group {g}: not a readable Parquet file: {m}")))?,
            ),
            None => None,
        };
        let start = offset;
        while offset < start + len {
            let rows = piece.read(
                offset,
                (start + len - offset).min(PARQUET_CHUNK),
                |r| {
                    days.as_ref()
                        .map(|d| d.get(offset - start + r).copied().flatten())
                },
                ps,
                acc,
            )?;
            if rows == 0 {
                return Err(bad(format!(
                    "row {}: the file ends before its {} rows",
                    offset + 1,
                    meta.num_rows
                )));
            }
            offset += rows;
        }
    }
    Ok(())
}

/// Reads pieces of rows of one Parquet file into the accumulator.
struct Piece<'a> {
    path: &'a Path,
    meta: &'a std::sync::Arc<polars_parquet::read::FileMetadata>,
    header: &'a [String],
    layout: &'a Layout,
    /// The time column is a date or timestamp, given per row by the caller.
    typed_time: bool,
    fields: Vec<String>,
}

impl Piece<'_> {
    /// Read `len` rows from `offset` (only the row groups they overlap are decoded); `day(r)`
    /// gives row `r`'s day when the time column is typed (None: null). Returns the rows read.
    fn read(
        &mut self,
        offset: usize,
        len: usize,
        day: impl Fn(usize) -> Option<Option<i64>>,
        ps: &Pseudonymiser,
        acc: &mut Accumulator,
    ) -> Result<usize, ImportError> {
        let path = self.path;
        let bad = |m: String| ImportError::bad(path, m);
        let pl =
            |e: PolarsError| ImportError::bad(path, format!("not a readable Parquet file: {e}"));
        let time = self.layout.time;
        let wanted: Vec<String> = (0..self.header.len())
            .filter(|&i| !(self.typed_time && i == time))
            .map(|i| self.header[i].clone())
            .collect();
        let mut reader = ParquetReader::new(super::open_regular(path, super::Input::Export)?)
            .with_slice(Some((offset, len)))
            .with_columns(Some(wanted))
            .read_parallel(ParallelStrategy::RowGroups);
        reader.set_metadata(self.meta.clone());
        let df = crate::panics::quietly(move || reader.finish())
            .map_err(|_| {
                ImportError::bad(path, "not a readable Parquet file (it cannot be decoded)")
            })?
            .map_err(pl)?;
        let cols: Vec<Option<StringChunked>> = (0..self.header.len())
            .map(|i| {
                if self.typed_time && i == time {
                    return Ok(None);
                }
                let c = df
                    .column(self.header[i].as_str())?
                    .cast(&DataType::String)?;
                c.str().cloned().map(Some)
            })
            .collect::<Result<_, PolarsError>>()
            .map_err(pl)?;
        let rows = df.height();
        for r in 0..rows {
            for (f, c) in self.fields.iter_mut().zip(&cols) {
                f.clear();
                if let Some(c) = c {
                    f.push_str(c.get(r).unwrap_or(""));
                }
            }
            if let Some(Some(d)) = day(r) {
                self.fields[time] = dates::date_label(d);
            }
            let row = offset + r + 1;
            let u =
                usage(self.layout, &self.fields, ps).map_err(|m| bad(format!("row {row}, {m}")))?;
            acc.add(&u, Place::new("row", row as u64))
                .map_err(|m| bad(format!("row {row}: {m}")))?;
        }
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(s: &str) -> Vec<String> {
        s.split(',').map(String::from).collect()
    }

    #[test]
    fn layouts_need_person_time_and_tokens() {
        assert!(layout(&header("person,date,tokens")).is_ok());
        let l = layout(&header("Email,week,input_tokens,output_tokens,team")).unwrap();
        assert!(l.weekly && l.tokens.len() == 2 && l.team == Some(4));
        for (h, needle) in [
            ("date,tokens", "`person`"),
            ("person,tokens", "`date`"),
            ("person,date", "`tokens`"),
            ("person,date,week,tokens", "both `date` and `week`"),
            (
                "person,date,tokens,input_tokens",
                "both `tokens` and token parts",
            ),
            ("person,email,date,tokens", "more than one"),
        ] {
            let e = layout(&header(h)).unwrap_err();
            assert!(e.contains(needle), "{h}: {e}");
        }
    }

    #[test]
    fn numbers_are_non_negative_and_finite() {
        assert_eq!(number(" 12.5 ", "tokens", false), Ok(12.5));
        assert_eq!(number("", "cost_usd", true), Ok(0.0));
        assert_eq!(number("1e12", "tokens", false), Ok(1e12));
        let e = number("1e308", "tokens", false).unwrap_err();
        assert!(e.contains("allowed 0 to 1e12"), "{e}");
        for bad in [
            "",
            "-1",
            "NaN",
            "inf",
            "12 tokens",
            "1,000",
            "1e308",
            "2e12",
        ] {
            let e = number(bad, "tokens", false).unwrap_err();
            assert!(e.contains("column `tokens`"), "{bad}: {e}");
            assert!(
                bad.is_empty() || !e.contains(bad),
                "the cell is quoted: {e}"
            );
        }
    }
}
