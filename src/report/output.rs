//! A command's output as one typed value, and the writers of its formats.
//!
//! A command builds an [`Output`] from what it computed: the headline in sentences, its data
//! tables with typed columns (and the unit of each column whose values share one), its charts
//! (each a file, a heading, how to read it, and how to draw it) and its report.html. Then
//! [`Output::write`] writes every format into a folder, the same way for every command: each
//! table as CSV, the headline as a text file, each chart as PNG, and report.html with every drawn
//! chart embedded at its place. A new command builds its `Output`; it writes no file itself.
//!
//! `run` ([`super::run::output`]), `fork` ([`super::fork::output`]), `compare`
//! ([`super::compare::output`]), `sweep` ([`super::sweep::output`]), `sensitivity` and
//! `calibrate` ([`super::explore::sensitivity`], [`super::explore::calibration`]) are built
//! this way.

use std::path::Path;

use super::ReportError;
use super::cells::field;
use super::html::{self, Report, Section};
use crate::projections::figures::Unit;

/// A command's output: see the module documentation.
pub struct Output<'a> {
    /// What the command found, one sentence each: report.html's headline, and the text file
    /// [`Output::headline_file`] when there is one (compare's verdict.txt).
    pub headline: Vec<String>,
    pub headline_file: Option<&'static str>,
    /// The data tables, one CSV file each.
    pub tables: Vec<Table>,
    /// The charts, in the report's order.
    pub charts: Vec<Chart<'a>>,
    /// Other files, written as they are (a run's summary.json): name and contents.
    pub files: Vec<(&'static str, String)>,
    /// The tables also written as Parquet: the table's CSV file and the Parquet file's name
    /// (a sweep's runs.csv as runs.parquet).
    pub parquet: Vec<(&'static str, &'static str)>,
    /// report.html without its chart sections (its headline is [`Output::headline`]).
    pub report: Report,
    /// Where in `report`'s sections the charts' sections go.
    pub charts_at: usize,
}

/// A data table: its file, its columns (all of the same length) and how its CSV writes them.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The file name, e.g. `comparison.csv`.
    pub file: &'static str,
    pub columns: Vec<Column>,
    pub form: Form,
}

/// How a table's CSV writes numbers and empty text; each table keeps the form its file has
/// always had (both read back to the same values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Numbers in Rust's shortest round-trip form (`3`, `0.000001`); empty text as an empty
    /// field, as an undefined number (compare's tables).
    Plain,
    /// Numbers in the shortest round-trip form that shows a float (`3.0`, `1e-6`, as polars
    /// writes them); empty text as `""`, so that it differs from an undefined number (a run's
    /// weekly.csv, agents.csv and deciles.csv).
    Typed,
}

/// A column: its name, the unit its numbers share (None where they do not, e.g. a long table
/// with a figure per row, whose unit its `figure` column names) and its values.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub unit: Option<Unit>,
    pub values: Values,
}

/// A column's values, typed.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// Text (names, errors, words); written as spreadsheet-safe CSV fields.
    Text(Vec<String>),
    /// Text that repeats from row to row (each agent's group name), shared rather than held once
    /// per row (a million employees' agents.csv: 16 bytes a row instead of about 56); written as
    /// [`Values::Text`] is.
    Shared(Vec<std::sync::Arc<str>>),
    /// Numbers; NaN where undefined (an empty CSV field).
    Number(Vec<f64>),
    /// Counts and indices.
    Whole(Vec<u64>),
    /// Counts and indices kept in 32 bits (their type in a Parquet copy: a sweep's replication).
    Whole32(Vec<u32>),
    Flag(Vec<bool>),
    /// Text that may be missing (a run's error): a missing value is an empty CSV field and a
    /// null in Parquet, unlike an empty text.
    MaybeText(Vec<Option<String>>),
}

/// A chart: its file, heading, how to read it and the alternative text of its image; `draw`
/// writes its PNG (None: the chart is not drawn, e.g. `--no-charts`, and its section shows
/// `skipped` instead, or is left out without it).
pub struct Chart<'a> {
    pub file: String,
    pub heading: String,
    pub read: &'static str,
    pub alt: String,
    #[allow(clippy::type_complexity)] // the drawing of one chart into its file
    pub draw: Option<Box<dyn Fn(&Path) -> Result<(), ReportError> + 'a>>,
    pub skipped: Option<&'static str>,
}

impl Chart<'_> {
    /// Draw the chart into `path` and give its report section with the image; not drawn, the
    /// section with its `skipped` note, or None without one.
    pub fn section(&self, path: &Path) -> Result<Option<Section>, ReportError> {
        let section = Section::new(&self.heading).read(self.read);
        Ok(match (&self.draw, self.skipped) {
            (Some(draw), _) => {
                draw(path)?;
                Some(section.png_file(path, self.alt.clone())?)
            }
            (None, Some(note)) => Some(section.note(note)),
            (None, None) => None,
        })
    }
}

impl Column {
    pub fn text(name: impl Into<String>, values: Vec<String>) -> Column {
        Column::new(name, None, Values::Text(values))
    }

    pub fn number(name: impl Into<String>, unit: Option<Unit>, values: Vec<f64>) -> Column {
        Column::new(name, unit, Values::Number(values))
    }

    pub fn whole(name: impl Into<String>, values: Vec<u64>) -> Column {
        Column::new(name, None, Values::Whole(values))
    }

    pub fn flag(name: impl Into<String>, values: Vec<bool>) -> Column {
        Column::new(name, None, Values::Flag(values))
    }

    pub fn new(name: impl Into<String>, unit: Option<Unit>, values: Values) -> Column {
        Column {
            name: name.into(),
            unit,
            values,
        }
    }

    /// The number of values.
    pub fn len(&self) -> usize {
        match &self.values {
            Values::Text(v) => v.len(),
            Values::Shared(v) => v.len(),
            Values::Number(v) => v.len(),
            Values::Whole(v) => v.len(),
            Values::Whole32(v) => v.len(),
            Values::Flag(v) => v.len(),
            Values::MaybeText(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Append value `i` as a CSV field in `form` to `line` (`floats`: a buffer for
    /// [`Form::Typed`]'s numbers).
    fn push_field(&self, i: usize, form: Form, line: &mut String, floats: &mut zmij::Buffer) {
        use std::fmt::Write as _;
        match (&self.values, form) {
            (Values::Text(v), _) => push_text(line, &v[i], form),
            (Values::Shared(v), _) => push_text(line, &v[i], form),
            (Values::Number(v), _) if !v[i].is_finite() => {}
            (Values::Number(v), Form::Plain) => {
                let _ = write!(line, "{}", v[i]);
            }
            (Values::Number(v), Form::Typed) => line.push_str(floats.format_finite(v[i])),
            (Values::Whole(v), _) => {
                let _ = write!(line, "{}", v[i]);
            }
            (Values::Whole32(v), _) => {
                let _ = write!(line, "{}", v[i]);
            }
            (Values::Flag(v), _) => line.push_str(if v[i] { "true" } else { "false" }),
            (Values::MaybeText(v), _) => {
                if let Some(t) = &v[i] {
                    push_text(line, t, form);
                }
            }
        }
    }
}

/// Whether a text changes as a CSV field ([`field`]: a formula's prefix, or quotes).
/// A text field: quoted when it must be (and kept from starting a formula), and an empty text
/// as `""` in the typed form, so it reads back as text rather than missing.
fn push_text(line: &mut String, t: &str, form: Form) {
    if t.is_empty() && form == Form::Typed {
        line.push_str("\"\"");
    } else if needs_quoting(t) {
        line.push_str(&field(t));
    } else {
        line.push_str(t);
    }
}

fn needs_quoting(s: &str) -> bool {
    matches!(super::cells::text_cell(s), std::borrow::Cow::Owned(_))
        || s.contains([',', '"', '\n', '\r'])
}

impl Table {
    /// The number of rows.
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, Column::len)
    }

    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The table as a polars DataFrame for its Parquet copy: counts as unsigned integers of
    /// their width, numbers as floats with undefined (NaN) values null, text as text, missing
    /// text null.
    pub fn frame(&self) -> Result<polars::prelude::DataFrame, ReportError> {
        use polars::prelude::{Column as Series, DataFrame};
        let columns: Vec<Series> = self
            .columns
            .iter()
            .map(|c| {
                let name = c.name.as_str().into();
                match &c.values {
                    Values::Text(v) => Series::new(name, v),
                    Values::Shared(v) => {
                        Series::new(name, v.iter().map(|t| &**t).collect::<Vec<&str>>())
                    }
                    Values::MaybeText(v) => Series::new(name, v),
                    Values::Number(v) => Series::new(
                        name,
                        v.iter()
                            .map(|x| x.is_finite().then_some(*x))
                            .collect::<Vec<Option<f64>>>(),
                    ),
                    Values::Whole(v) => Series::new(name, v),
                    Values::Whole32(v) => Series::new(name, v),
                    Values::Flag(v) => Series::new(name, v),
                }
            })
            .collect();
        DataFrame::new_infer_height(columns).map_err(|e| ReportError::Table {
            table: self.file.to_string(),
            message: e.to_string(),
        })
    }

    /// Write the table as Parquet (as [`super::sweep::write_parquet`] does) into `dir/file`.
    pub fn write_parquet(&self, dir: &Path, file: &str) -> Result<(), ReportError> {
        super::sweep::write_parquet(&dir.join(file), &mut self.frame()?)
    }

    /// Write the table as CSV into `dir`, under its file name.
    pub fn write(&self, dir: &Path) -> Result<(), ReportError> {
        let path = dir.join(self.file);
        let io = |source| ReportError::Io {
            path: path.clone(),
            source,
        };
        let file = std::fs::File::create(&path).map_err(io)?;
        let mut w = std::io::BufWriter::new(file);
        self.write_to(&mut w).map_err(io)?;
        std::io::Write::flush(&mut w).map_err(io)
    }

    /// The table as CSV: a header of the column names, then a line per row.
    pub fn csv(&self) -> String {
        let mut out = Vec::new();
        self.write_to(&mut out).expect("writing to memory");
        String::from_utf8(out).expect("CSV of UTF-8 text")
    }

    /// Write the table as CSV into `out` (what [`Table::write`] puts in its file): the rows
    /// formatted in blocks on the thread pool (a million employees' agents.csv), written in order.
    pub fn write_to(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        use rayon::prelude::*;
        const BLOCK: usize = 8192;
        debug_assert!(self.columns.iter().all(|c| c.len() == self.rows()));
        let names: Vec<&str> = self.columns.iter().map(|c| c.name.as_str()).collect();
        writeln!(out, "{}", names.join(","))?;
        let starts: Vec<usize> = (0..self.rows()).step_by(BLOCK).collect();
        let at_once = 2 * rayon::current_num_threads().max(1);
        for group in starts.chunks(at_once) {
            let blocks: Vec<String> = group
                .par_iter()
                .map(|&start| self.lines(start..(start + BLOCK).min(self.rows())))
                .collect();
            for b in blocks {
                out.write_all(b.as_bytes())?;
            }
        }
        Ok(())
    }

    /// The CSV lines of `rows`.
    fn lines(&self, rows: std::ops::Range<usize>) -> String {
        let mut text = String::new();
        let mut floats = zmij::Buffer::new();
        for i in rows {
            for (k, c) in self.columns.iter().enumerate() {
                if k > 0 {
                    text.push(',');
                }
                c.push_field(i, self.form, &mut text, &mut floats);
            }
            text.push('\n');
        }
        text
    }
}

/// Write `text` into the file `path`.
pub fn write(path: &Path, text: &str) -> Result<(), ReportError> {
    std::fs::write(path, text).map_err(|source| ReportError::Io {
        path: path.into(),
        source,
    })
}

impl Output<'_> {
    /// Write every format into `dir`: the tables (CSV), the headline (text), the charts (PNG),
    /// then report.html with each drawn chart embedded.
    pub fn write(self, dir: &Path) -> Result<(), ReportError> {
        for t in &self.tables {
            t.write(dir)?;
            for &(_, file) in self.parquet.iter().filter(|p| p.0 == t.file) {
                t.write_parquet(dir, file)?;
            }
        }
        if let Some(file) = self.headline_file {
            write(&dir.join(file), &(self.headline.join("\n") + "\n"))?;
        }
        for (file, text) in &self.files {
            write(&dir.join(file), text)?;
        }
        let mut sections = Vec::new();
        for c in &self.charts {
            sections.extend(c.section(&dir.join(&c.file))?);
        }
        let mut report = self.report;
        report.headline = self.headline;
        let at = self.charts_at.min(report.sections.len());
        report.sections.splice(at..at, sections);
        report.write(&dir.join(html::FILE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_is_written_as_csv_by_its_column_types() {
        // given columns of each type, when written as CSV, then text is a safe field, an
        // undefined number an empty field, and counts and flags as they are
        let t = Table {
            file: "t.csv",
            columns: vec![
                Column::text("name", vec!["a,b".into(), "=x".into()]),
                Column::number("cost", Some(Unit::Usd), vec![1.5, f64::NAN]),
                Column::whole("n", vec![3, 4]),
                Column::flag("stable", vec![true, false]),
            ],
            form: Form::Plain,
        };
        assert_eq!(t.rows(), 2);
        assert_eq!(
            t.csv(),
            "name,cost,n,stable\n\"a,b\",1.5,3,true\n'=x,,4,false\n"
        );
        assert_eq!(t.column("cost").unwrap().unit, Some(Unit::Usd));
        // and in the typed form, numbers show they are floats and empty text is quoted
        let t = Table {
            file: "t.csv",
            columns: vec![
                Column::text("name", vec!["".into(), "-x".into()]),
                Column::number("v", None, vec![3.0, 1e-6]),
            ],
            form: Form::Typed,
        };
        assert_eq!(t.csv(), "name,v\n\"\",3.0\n'-x,1e-6\n");
        // shared text is written as text is, and is text in the Parquet copy
        let mut shared = t.clone();
        shared.columns[0].values = Values::Shared(vec!["".into(), "-x".into()]);
        assert_eq!(shared.csv(), t.csv());
        let df = shared.frame().unwrap();
        assert_eq!(
            df.column("name").unwrap().dtype(),
            &polars::prelude::DataType::String
        );
        // and missing text is an empty field, unlike empty text; 32-bit counts as they are; and
        // the Parquet copy keeps each column's type, undefined numbers and missing text null
        let t = Table {
            file: "runs.csv",
            columns: vec![
                Column::new("replication", None, Values::Whole32(vec![0, 7])),
                Column::new(
                    "error",
                    None,
                    Values::MaybeText(vec![None, Some("".into())]),
                ),
                Column::number("roi", None, vec![f64::NAN, 2.0]),
            ],
            form: Form::Typed,
        };
        assert_eq!(t.csv(), "replication,error,roi\n0,,\n7,\"\",2.0\n");
        let df = t.frame().unwrap();
        use polars::prelude::DataType;
        let types: Vec<DataType> = df.columns().iter().map(|c| c.dtype().clone()).collect();
        assert_eq!(
            types,
            [DataType::UInt32, DataType::String, DataType::Float64]
        );
        assert_eq!(df.column("error").unwrap().null_count(), 1);
        assert_eq!(df.column("roi").unwrap().null_count(), 1);
        // and a long table's rows, formatted in blocks, come out in order
        let n = 20_000u64;
        let t = Table {
            file: "t.csv",
            columns: vec![Column::whole("i", (0..n).collect())],
            form: Form::Typed,
        };
        let expected: String = std::iter::once("i".to_string())
            .chain((0..n).map(|i| i.to_string()))
            .map(|l| l + "\n")
            .collect();
        assert_eq!(t.csv(), expected);
    }
}
