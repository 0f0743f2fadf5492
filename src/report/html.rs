//! One self-contained HTML report: a title, the headline in words, sections (each with a heading,
//! a "how to read this" paragraph, images embedded as `data:` URIs, tables, code blocks) and a
//! footer naming the tokenmaxx version, command line, seed and replications.
//!
//! The file loads nothing: CSS and the few lines of JS that sort tables are inline, images are
//! base64 `data:` URIs and the only links are `#anchors`. All text is escaped. The markup is also
//! well-formed XML (void elements closed, the script has no `<` or `&`), so tests can parse it
//! strictly. Commands build a [`Report`] and [`Report::write`] it beside their tables.
//!
//! Use from a command (see `run_html` for a whole one): `Report::new(title)`, set `headline`,
//! then `report.section(Section::new("Heading").read("how to read it").png_file(&path, "alt")?
//! .table(Table::new(["week", "cost"]).sortable().row(vec![Cell::num("3", 3.0),
//! Cell::num("$1.2k", 1200.0)])))`, fill `footer` (command line, seed, replications) and
//! `write(&dir.join("report.html"))`. Numbers go in as `Cell::num(text with its unit, value)`
//! so they sort by value.

use std::fmt::Write as _;
use std::path::Path;

use super::ReportError;

/// The tokenmaxx version written in every footer.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The file name of a report, beside the command's tables.
pub const FILE: &str = "report.html";

/// A whole report.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub title: String,
    /// A line under the title (scenario, size), optional.
    pub subtitle: Option<String>,
    /// The headline in words, one sentence each.
    pub headline: Vec<String>,
    pub sections: Vec<Section>,
    pub footer: Footer,
}

/// A section: heading, "how to read this", then blocks in order.
#[derive(Debug, Clone, Default)]
pub struct Section {
    pub heading: String,
    pub how_to_read: Option<String>,
    pub blocks: Vec<Block>,
}

/// What a section holds.
#[derive(Debug, Clone)]
pub enum Block {
    Paragraph(String),
    /// A highlighted remark (e.g. "charts were skipped").
    Note(String),
    /// A PNG, base64-encoded, with its alternative text.
    Png {
        base64: String,
        alt: String,
    },
    Table(Table),
    /// Preformatted text (a scenario TOML).
    Code(String),
}

/// A table: header, rows of cells, an optional caption; sortable by clicking a heading.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub caption: Option<String>,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub sortable: bool,
}

/// A table cell: the text shown and, for numbers, the value it sorts by.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub text: String,
    pub value: Option<f64>,
}

/// The run facts at the bottom of every report.
#[derive(Debug, Clone, Default)]
pub struct Footer {
    /// The command line that wrote the report.
    pub command: String,
    pub seed: Option<u64>,
    /// Replications, in words ("1 (replication 0)", "20").
    pub replications: Option<String>,
    /// Further facts, name and value.
    pub facts: Vec<(String, String)>,
}

impl Cell {
    /// A text cell (sorted as text).
    pub fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            value: None,
        }
    }

    /// A number shown as `text` (with its unit) and sorted by `value`.
    pub fn num(text: impl Into<String>, value: f64) -> Cell {
        Cell {
            text: text.into(),
            value: value.is_finite().then_some(value),
        }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::text(s)
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::text(s)
    }
}

impl Table {
    /// A table with these column headings.
    pub fn new<S: Into<String>>(header: impl IntoIterator<Item = S>) -> Table {
        Table {
            header: header.into_iter().map(Into::into).collect(),
            ..Table::default()
        }
    }

    pub fn caption(mut self, caption: impl Into<String>) -> Table {
        self.caption = Some(caption.into());
        self
    }

    pub fn sortable(mut self) -> Table {
        self.sortable = true;
        self
    }

    pub fn row(mut self, cells: Vec<Cell>) -> Table {
        self.rows.push(cells);
        self
    }

    pub fn push(&mut self, cells: Vec<Cell>) {
        self.rows.push(cells);
    }
}

impl Section {
    pub fn new(heading: impl Into<String>) -> Section {
        Section {
            heading: heading.into(),
            ..Section::default()
        }
    }

    /// The "how to read this" paragraph.
    pub fn read(mut self, text: impl Into<String>) -> Section {
        self.how_to_read = Some(text.into());
        self
    }

    pub fn paragraph(mut self, text: impl Into<String>) -> Section {
        self.blocks.push(Block::Paragraph(text.into()));
        self
    }

    pub fn note(mut self, text: impl Into<String>) -> Section {
        self.blocks.push(Block::Note(text.into()));
        self
    }

    pub fn table(mut self, table: Table) -> Section {
        self.blocks.push(Block::Table(table));
        self
    }

    pub fn code(mut self, text: impl Into<String>) -> Section {
        self.blocks.push(Block::Code(text.into()));
        self
    }

    /// PNG bytes embedded as a `data:` URI.
    pub fn png(mut self, bytes: &[u8], alt: impl Into<String>) -> Section {
        self.blocks.push(Block::Png {
            base64: base64(bytes),
            alt: alt.into(),
        });
        self
    }

    /// A PNG file read now and embedded (refused if it is not a PNG).
    pub fn png_file(self, path: &Path, alt: impl Into<String>) -> Result<Section, ReportError> {
        let bytes = std::fs::read(path).map_err(|source| ReportError::Io {
            path: path.into(),
            source,
        })?;
        if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Err(ReportError::Table {
                table: path.display().to_string(),
                message: "not a PNG file".into(),
            });
        }
        Ok(self.png(&bytes, alt))
    }
}

/// A chart a command wrote: its file, a heading and how to read it in plain words.
#[derive(Debug, Clone)]
pub struct Chart {
    pub file: String,
    pub heading: String,
    pub read: String,
}

impl Chart {
    pub fn new(
        file: impl Into<String>,
        heading: impl Into<String>,
        read: impl Into<String>,
    ) -> Chart {
        Chart {
            file: file.into(),
            heading: heading.into(),
            read: read.into(),
        }
    }
}

impl From<&(&str, &str, &str)> for Chart {
    fn from(&(file, heading, read): &(&str, &str, &str)) -> Chart {
        Chart::new(file, heading, read)
    }
}

/// Most rows a report's table shows; the CSV beside it has them all.
pub const MAX_ROWS: usize = 200;

impl Section {
    /// The one section that stands for a report's charts when they were skipped.
    pub fn charts_skipped() -> Section {
        Section::new("Charts").note(
            "Charts were skipped (the command was given --no-charts). Run it again without it to see them here.",
        )
    }

    /// `table` with at most `max` of its rows, and a note naming `file` when some were left out.
    pub fn table_capped(self, mut table: Table, max: usize, file: &str) -> Section {
        let total = table.rows.len();
        table.rows.truncate(max);
        let section = self.table(table);
        if total > max {
            section.note(format!(
                "The table shows the first {max} of {total} rows; {file} beside this report has them all."
            ))
        } else {
            section
        }
    }
}

impl Report {
    pub fn new(title: impl Into<String>) -> Report {
        Report {
            title: title.into(),
            ..Report::default()
        }
    }

    pub fn section(&mut self, section: Section) -> &mut Report {
        self.sections.push(section);
        self
    }

    /// One section per chart, each embedded from `dir`; `None` (charts skipped): one note.
    pub fn charts(
        &mut self,
        dir: Option<&Path>,
        charts: &[Chart],
    ) -> Result<&mut Report, ReportError> {
        let Some(dir) = dir else {
            self.section(Section::charts_skipped());
            return Ok(self);
        };
        for c in charts {
            let alt = format!("{} ({})", c.heading, c.file);
            self.section(
                Section::new(&c.heading)
                    .read(&c.read)
                    .png_file(&dir.join(&c.file), alt)?,
            );
        }
        Ok(self)
    }

    /// The whole file as a string.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(64 * 1024);
        out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n");
        out.push_str(
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n",
        );
        let _ = writeln!(out, "<title>{}</title>", escape(&self.title));
        let _ = writeln!(out, "<style>{CSS}</style>\n</head>\n<body>\n<main>");
        self.render_top(&mut out);
        for (i, s) in self.sections.iter().enumerate() {
            render_section(&mut out, i, s);
        }
        out.push_str("</main>\n");
        render_footer(&mut out, &self.footer);
        let _ = writeln!(out, "<script>{SCRIPT}</script>\n</body>\n</html>");
        out
    }

    /// Title, subtitle, contents and headline.
    fn render_top(&self, out: &mut String) {
        let _ = writeln!(out, "<header>\n<h1>{}</h1>", escape(&self.title));
        if let Some(sub) = &self.subtitle {
            let _ = writeln!(out, "<p class=\"sub\">{}</p>", escape(sub));
        }
        out.push_str("</header>\n");
        if !self.headline.is_empty() {
            out.push_str("<section class=\"headline\" id=\"headline\">\n<h2>The headline in words</h2>\n<ul>\n");
            for line in &self.headline {
                let _ = writeln!(out, "<li>{}</li>", escape(line));
            }
            out.push_str("</ul>\n</section>\n");
        }
        if self.sections.len() > 1 {
            out.push_str("<nav class=\"toc\">\n<h2>Contents</h2>\n<ol>\n");
            for (i, s) in self.sections.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "<li><a href=\"#{}\">{}</a></li>",
                    section_id(i, &s.heading),
                    escape(&s.heading)
                );
            }
            out.push_str("</ol>\n</nav>\n");
        }
    }

    /// Write the report to `path` (via a temporary file and a rename).
    pub fn write(&self, path: &Path) -> Result<(), ReportError> {
        super::tables::atomic_write(path, self.render().as_bytes())
    }
}

/// `s3-policy-timeline`: a section's anchor, unique by its index.
fn section_id(index: usize, heading: &str) -> String {
    let mut slug = String::new();
    for c in heading.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    format!("s{}-{}", index + 1, slug.trim_matches('-'))
}

fn render_section(out: &mut String, index: usize, s: &Section) {
    let _ = writeln!(
        out,
        "<section id=\"{}\">\n<h2>{}</h2>",
        section_id(index, &s.heading),
        escape(&s.heading)
    );
    if let Some(read) = &s.how_to_read {
        let _ = writeln!(
            out,
            "<p class=\"read\"><strong>How to read this.</strong> {}</p>",
            escape(read)
        );
    }
    for b in &s.blocks {
        render_block(out, b);
    }
    out.push_str("</section>\n");
}

fn render_block(out: &mut String, b: &Block) {
    match b {
        Block::Paragraph(t) => {
            let _ = writeln!(out, "<p>{}</p>", escape(t));
        }
        Block::Note(t) => {
            let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(t));
        }
        Block::Png { base64, alt } => {
            let _ = writeln!(
                out,
                "<figure><img src=\"data:image/png;base64,{base64}\" alt=\"{}\" /></figure>",
                escape(alt)
            );
        }
        Block::Table(t) => render_table(out, t),
        Block::Code(t) => {
            let _ = writeln!(out, "<pre><code>{}</code></pre>", escape(t));
        }
    }
}

fn render_table(out: &mut String, t: &Table) {
    let class = if t.sortable {
        " class=\"sortable\""
    } else {
        ""
    };
    let _ = writeln!(out, "<div class=\"table\">\n<table{class}>");
    if let Some(c) = &t.caption {
        let _ = writeln!(out, "<caption>{}</caption>", escape(c));
    }
    out.push_str("<thead><tr>");
    for h in &t.header {
        let _ = write!(out, "<th scope=\"col\">{}</th>", escape(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &t.rows {
        out.push_str("<tr>");
        for c in row {
            match c.value {
                Some(v) => {
                    let _ = write!(
                        out,
                        "<td class=\"num\" data-v=\"{v}\">{}</td>",
                        escape(&c.text)
                    );
                }
                None => {
                    let _ = write!(out, "<td>{}</td>", escape(&c.text));
                }
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
}

fn render_footer(out: &mut String, f: &Footer) {
    out.push_str("<footer>\n<dl>\n");
    let mut fact = |name: &str, value: &str| {
        let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", escape(name), escape(value));
    };
    fact("tokenmaxx version", VERSION);
    if !f.command.is_empty() {
        fact("command line", &f.command);
    }
    if let Some(seed) = f.seed {
        fact("seed", &seed.to_string());
    }
    if let Some(r) = &f.replications {
        fact("replications", r);
    }
    for (name, value) in &f.facts {
        fact(name, value);
    }
    out.push_str("</dl>\n<p>Written by tokenmaxx, an agent-based simulator of corporate AI-adoption policy. This file is self-contained: it loads nothing from the network and prints as it reads.</p>\n</footer>\n");
}

/// A summary figure (a key of summary.json, as in runs.csv) in plain words (an unknown name is a
/// bug: see [`crate::projections::figures::figure`]).
pub fn figure_label(name: &str) -> String {
    crate::projections::figures::figure(name).label.to_string()
}

/// A summary figure's value with its unit; `change`: a difference or an effect (signed, shares
/// in percentage points).
pub fn figure_text(name: &str, v: f64, change: bool) -> String {
    crate::projections::figures::Unit::of(name).text(v, change)
}

/// A 95% interval in words ("a to b"), or why there is none.
pub fn interval_text(name: &str, low: f64, high: f64) -> String {
    if low.is_finite() && high.is_finite() {
        format!(
            "{} to {}",
            figure_text(name, low, false),
            figure_text(name, high, false)
        )
    } else {
        "none (fewer than two values)".into()
    }
}

/// Escape text for HTML element content and double-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab and newline are not allowed in HTML (or XML).
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Standard base64 (RFC 4648, with padding).
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Inline styles: readable on screen, clean on paper.
const CSS: &str = r#"
:root { color-scheme: light; }
body { margin: 0; background: #f6f7f9; color: #1d2330;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
main, body > footer { max-width: 1120px; margin: 0 auto; padding: 0 24px; }
header { padding: 28px 0 8px; }
h1 { font-size: 30px; margin: 0 0 4px; }
h2 { font-size: 22px; margin: 0 0 10px; }
.sub { color: #555e6e; margin: 0; }
section, nav.toc { background: #fff; border: 1px solid #dde1e7; border-radius: 8px;
  padding: 18px 24px; margin: 18px 0; }
section.headline { border-left: 5px solid #d62728; }
section.headline li { margin: 4px 0; }
nav.toc ol { columns: 2; margin: 0; }
a { color: #1f5fa8; }
p.read { background: #eef4fb; border-left: 4px solid #1f77b4; padding: 8px 12px; margin: 0 0 12px; }
p.note { background: #fff6e5; border-left: 4px solid #ff7f0e; padding: 8px 12px; }
figure { margin: 0; }
img { display: block; max-width: 100%; height: auto; margin: 0 auto; }
div.table { overflow-x: auto; margin: 8px 0 4px; }
table { border-collapse: collapse; font-size: 14px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border-bottom: 1px solid #e3e6eb; padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f0f2f5; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:nth-child(even) { background: #fafbfc; }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th::after { content: " \2195"; color: #9aa3b0; }
table.sortable th[aria-sort="ascending"]::after { content: " \2191"; color: #1d2330; }
table.sortable th[aria-sort="descending"]::after { content: " \2193"; color: #1d2330; }
pre { background: #f4f5f7; border: 1px solid #e3e6eb; padding: 12px; font-size: 13px;
  line-height: 1.4; overflow-x: auto; white-space: pre-wrap; }
body > footer { color: #555e6e; font-size: 14px; padding-bottom: 32px; }
footer dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0 0 8px; }
footer dt { font-weight: 600; }
footer dd { margin: 0; font-family: ui-monospace, "DejaVu Sans Mono", monospace; word-break: break-all; }
@media print {
  body { background: #fff; font-size: 11pt; }
  main, body > footer { max-width: none; padding: 0; }
  section, nav.toc { border: none; padding: 0; margin: 0 0 14pt; }
  section.headline { padding-left: 10pt; }
  table { font-size: 8.5pt; }
  th, td { padding: 2px 5px; }
  nav.toc { display: none; }
  figure, table, tr, p.read { break-inside: avoid; }
  h2 { break-after: avoid; }
  th { position: static; }
  table.sortable th::after { content: ""; }
  div.table { overflow: visible; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// Table sorting: click (or Enter on) a heading to sort by that column, again to reverse.
/// Numbers sort by their `data-v` value. Written without `<` and `&` so the page stays XML.
const SCRIPT: &str = r#"
(function () {
  function cmp(a, b) {
    var x = a.getAttribute('data-v'), y = b.getAttribute('data-v');
    if (x !== null) { if (y !== null) { return parseFloat(x) - parseFloat(y); } }
    return a.textContent.localeCompare(b.textContent, undefined, { numeric: true });
  }
  function sortBy(table, th, i) {
    var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) { return dir * cmp(a.cells[i], b.cells[i]); });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  document.querySelectorAll('table.sortable').forEach(function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      th.tabIndex = 0;
      th.title = 'Sort by this column';
      th.addEventListener('click', function () { sortBy(table, th, i); });
      th.addEventListener('keydown', function (e) { if (e.key === 'Enter') { sortBy(table, th, i); } });
    });
  });
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected, "{input}");
        }
        assert_eq!(base64(&[0xff, 0xfe, 0xfd, 0x00]), "//79AA==");
    }

    #[test]
    fn text_is_escaped_everywhere() {
        let evil = "<script>alert(\"x\")</script> & 'q'";
        let mut r = Report::new(evil);
        r.subtitle = Some(evil.into());
        r.headline = vec![evil.into()];
        r.section(
            Section::new(evil)
                .read(evil)
                .paragraph(evil)
                .note(evil)
                .code(evil)
                .table(Table::new([evil]).caption(evil).row(vec![evil.into()])),
        );
        r.footer.command = evil.into();
        let html = r.render();
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;")
        );
        assert_eq!(
            html.matches("<script>").count(),
            1,
            "only the sorting script"
        );
    }

    #[test]
    fn script_and_style_stay_xml_text() {
        assert!(!SCRIPT.contains('<') && !SCRIPT.contains('&'));
        assert!(!CSS.contains('<') && !CSS.contains('&'));
    }

    #[test]
    fn long_tables_are_capped_with_a_note_naming_the_file() {
        let table = |n: usize| {
            let mut t = Table::new(["n"]);
            for i in 0..n {
                t.push(vec![Cell::num(i.to_string(), i as f64)]);
            }
            t
        };
        let capped = Section::new("s").table_capped(table(5), 3, "points.csv");
        let Block::Table(t) = &capped.blocks[0] else {
            panic!("a table first")
        };
        assert_eq!(t.rows.len(), 3);
        assert!(
            matches!(&capped.blocks[1], Block::Note(n) if n.contains("first 3 of 5 rows; points.csv"))
        );
        assert_eq!(
            Section::new("s")
                .table_capped(table(3), 3, "x.csv")
                .blocks
                .len(),
            1
        );
    }

    #[test]
    fn figures_read_with_their_units() {
        assert_eq!(figure_text("padding_share", 0.1234, false), "12.34%");
        assert_eq!(figure_text("padding_share", 0.02, true), "+2.00 pts");
        assert_eq!(
            figure_text("annual_cost_per_employee_usd", 3685.2, false),
            "$3,685"
        );
        assert_eq!(figure_text("incidents", 3.0, false), "3 incidents");
        assert_eq!(figure_text("incidents", -3.0, true), "-3 incidents");
        assert_eq!(figure_text("roi", 2.5, false), "2.500 $/$");
        assert_eq!(
            figure_text("reported_vs_genuine_gap", 0.05, false),
            "5.0 percentage points"
        );
        assert_eq!(
            interval_text("roi", f64::NAN, 1.0),
            "none (fewer than two values)"
        );
        assert_eq!(figure_label("padding_share"), "Padding share of all tokens");
        assert_eq!(
            figure_label("say_faster_share"),
            "Users who say AI makes them faster"
        );
    }

    #[test]
    #[should_panic(expected = "`not_a_figure` is not a summary figure")]
    fn an_unknown_figure_has_no_label() {
        figure_label("not_a_figure");
    }

    #[test]
    fn anchors_are_unique_slugs() {
        assert_eq!(section_id(0, "Policy timeline"), "s1-policy-timeline");
        assert_eq!(section_id(4, "Cost & ROI (weekly)"), "s5-cost-roi-weekly");
    }
}
