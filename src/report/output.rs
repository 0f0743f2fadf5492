//! A command's output as one typed value, and the writers of its formats.
//!
//! A command builds an [`Output`] from what it computed: the headline in sentences, its data
//! tables with typed columns (and the unit of each column whose values share one), its charts
//! (each a file, a heading, how to read it, and how to draw it) and its report.html. Then
//! [`Output::write`] writes every format into a folder, the same way for every command: each
//! table as CSV, the headline as a text file, each chart as PNG, and report.html with every drawn
//! chart embedded at its place. A new command builds its `Output`; it writes no file itself.
//!
//! `compare` ([`super::compare::output`]) and `run` ([`super::run::output`]) are built this
//! way; the other commands still write their files themselves and move here one at a time.

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
    /// Numbers; NaN where undefined (an empty CSV field).
    Number(Vec<f64>),
    /// Counts and indices.
    Whole(Vec<u64>),
    Flag(Vec<bool>),
}

/// A chart: its file, heading, how to read it and the alternative text of its image; `draw`
/// writes its PNG (None: the chart is not drawn, e.g. `--no-charts`, and its section shows
/// `skipped` instead, or is left out without it).
pub struct Chart<'a> {
    pub file: &'static str,
    pub heading: &'static str,
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
        let section = Section::new(self.heading).read(self.read);
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

    fn new(name: impl Into<String>, unit: Option<Unit>, values: Values) -> Column {
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
            Values::Number(v) => v.len(),
            Values::Whole(v) => v.len(),
            Values::Flag(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Value `i` as a CSV field in `form`.
    fn field(&self, i: usize, form: Form) -> String {
        match (&self.values, form) {
            (Values::Text(v), Form::Typed) if v[i].is_empty() => "\"\"".into(),
            (Values::Text(v), _) => field(&v[i]),
            (Values::Number(v), Form::Plain) => number(v[i]),
            (Values::Number(v), Form::Typed) => typed_number(v[i]),
            (Values::Whole(v), _) => v[i].to_string(),
            (Values::Flag(v), _) => v[i].to_string(),
        }
    }
}

/// A number as a CSV field: Rust's shortest round-trip form, empty when undefined.
pub fn number(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        String::new()
    }
}

/// A number as a CSV field of [`Form::Typed`]: the shortest round-trip form with a fraction or
/// an exponent (`3.0`, `1e-6`), empty when undefined.
pub fn typed_number(v: f64) -> String {
    if v.is_finite() {
        zmij::Buffer::new().format_finite(v).to_string()
    } else {
        String::new()
    }
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

    /// Write the table as CSV into `dir`, under its file name.
    pub fn write(&self, dir: &Path) -> Result<(), ReportError> {
        let path = dir.join(self.file);
        let io = |source| ReportError::Io {
            path: path.clone(),
            source,
        };
        let file = std::fs::File::create(&path).map_err(io)?;
        let mut w = std::io::BufWriter::new(file);
        self.write_csv(&mut w).map_err(io)?;
        std::io::Write::flush(&mut w).map_err(io)
    }

    /// The table as CSV: a header of the column names, then a line per row.
    pub fn csv(&self) -> String {
        let mut out = Vec::new();
        self.write_csv(&mut out).expect("writing to memory");
        String::from_utf8(out).expect("CSV of UTF-8 text")
    }

    /// Write the table as CSV into `out`, row by row.
    fn write_csv(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        debug_assert!(self.columns.iter().all(|c| c.len() == self.rows()));
        let names: Vec<&str> = self.columns.iter().map(|c| c.name.as_str()).collect();
        writeln!(out, "{}", names.join(","))?;
        let mut line = String::new();
        for i in 0..self.rows() {
            line.clear();
            for (k, c) in self.columns.iter().enumerate() {
                if k > 0 {
                    line.push(',');
                }
                line.push_str(&c.field(i, self.form));
            }
            line.push('\n');
            out.write_all(line.as_bytes())?;
        }
        Ok(())
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
        }
        if let Some(file) = self.headline_file {
            write(&dir.join(file), &(self.headline.join("\n") + "\n"))?;
        }
        for (file, text) in &self.files {
            write(&dir.join(file), text)?;
        }
        let mut sections = Vec::new();
        for c in &self.charts {
            sections.extend(c.section(&dir.join(c.file))?);
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
    }
}
