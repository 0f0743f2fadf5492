//! A small streaming CSV reader (RFC 4180: commas, double quotes, `""` inside quotes, CRLF or
//! LF, quoted fields over several lines). It holds one record at a time, so a file of any size
//! is read in bounded memory, and it knows the line each record starts on for error messages.

use std::io::BufRead;

/// Longest physical line read, in bytes (1 MiB): a file without line breaks (a binary or a
/// device's stream) is refused rather than read whole into one line.
pub const MAX_LINE_BYTES: u64 = 1 << 20;

/// Reads records one at a time.
pub struct CsvReader<R> {
    inner: R,
    line: u64,
    buf: String,
    delimiter: char,
    started: bool,
}

/// A record that is not valid CSV (an unclosed quote, text after a closing quote).
#[derive(Debug)]
pub enum CsvError {
    Io(std::io::Error),
    Syntax { line: u64, message: String },
}

impl<R: BufRead> CsvReader<R> {
    pub fn new(inner: R) -> Self {
        CsvReader {
            inner,
            line: 0,
            buf: String::new(),
            delimiter: ',',
            started: false,
        }
    }

    /// Read the next physical line into `buf` (without its line ending); false at the end.
    fn read_line(&mut self) -> Result<bool, CsvError> {
        self.buf.clear();
        let n = std::io::Read::take(&mut self.inner, MAX_LINE_BYTES + 1)
            .read_line(&mut self.buf)
            .map_err(CsvError::Io)?;
        if n == 0 {
            return Ok(false);
        }
        self.line += 1;
        if n as u64 > MAX_LINE_BYTES && !self.buf.ends_with('\n') {
            return Err(CsvError::Syntax {
                line: self.line,
                message: format!(
                    "longer than {} MiB, the longest line read: not a usage table",
                    MAX_LINE_BYTES >> 20
                ),
            });
        }
        while self.buf.ends_with(['\n', '\r']) {
            self.buf.pop();
        }
        Ok(true)
    }

    /// The next record into `fields` (cleared first), with the line it starts on; None at the
    /// end of the file. Blank lines are skipped. The first record decides the delimiter: a tab
    /// or a semicolon when the header has one and no comma.
    pub fn next_record(&mut self, fields: &mut Vec<String>) -> Result<Option<u64>, CsvError> {
        fields.clear();
        loop {
            if !self.read_line()? {
                return Ok(None);
            }
            if !self.buf.trim().is_empty() {
                break;
            }
        }
        if !self.started {
            self.started = true;
            self.buf = self.buf.trim_start_matches('\u{feff}').to_string();
            if !self.buf.contains(',') {
                if self.buf.contains('\t') {
                    self.delimiter = '\t';
                } else if self.buf.contains(';') {
                    self.delimiter = ';';
                }
            }
        }
        let start = self.line;
        let mut field = String::new();
        let mut quoted = false;
        let mut after_quote = false;
        loop {
            let line = std::mem::take(&mut self.buf);
            let mut chars = line.chars().peekable();
            while let Some(c) = chars.next() {
                if quoted {
                    if c == '"' {
                        if chars.peek() == Some(&'"') {
                            chars.next();
                            field.push('"');
                        } else {
                            quoted = false;
                            after_quote = true;
                        }
                    } else {
                        field.push(c);
                    }
                } else if c == self.delimiter {
                    fields.push(std::mem::take(&mut field));
                    after_quote = false;
                } else if c == '"' && field.trim().is_empty() && !after_quote {
                    field.clear();
                    quoted = true;
                } else if after_quote && !c.is_whitespace() {
                    return Err(CsvError::Syntax {
                        line: self.line,
                        message: "text after a closing quote (write \"\" for a quote inside a quoted field)".into(),
                    });
                } else if !after_quote {
                    field.push(c);
                }
            }
            if !quoted {
                break;
            }
            field.push('\n');
            if !self.read_line()? {
                return Err(CsvError::Syntax {
                    line: start,
                    message: "a quoted field is not closed before the end of the file".into(),
                });
            }
        }
        fields.push(field);
        Ok(Some(start))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<(u64, Vec<String>)> {
        let mut r = CsvReader::new(text.as_bytes());
        let mut out = Vec::new();
        let mut f = Vec::new();
        while let Some(line) = r.next_record(&mut f).unwrap() {
            out.push((line, f.clone()));
        }
        out
    }

    #[test]
    fn reads_quotes_crlf_and_multiline_fields() {
        let rows = all("a,b,c\r\n1,\"x, y\",3\r\n\n4,\"say \"\"hi\"\"\",\"two\nlines\"\n5,,\n");
        assert_eq!(rows[0], (1, vec!["a".into(), "b".into(), "c".into()]));
        assert_eq!(rows[1].1, vec!["1", "x, y", "3"]);
        assert_eq!(rows[2].0, 4);
        assert_eq!(rows[2].1, vec!["4", "say \"hi\"", "two\nlines"]);
        assert_eq!(rows[3], (6, vec!["5".into(), "".into(), "".into()]));
        let tabs = all("a\tb\n1\t2\n");
        assert_eq!(tabs[1].1, vec!["1", "2"]);
    }

    #[test]
    fn unclosed_quotes_are_errors_with_their_line() {
        let mut r = CsvReader::new("a,b\n1,\"open\n".as_bytes());
        let mut f = Vec::new();
        r.next_record(&mut f).unwrap();
        match r.next_record(&mut f) {
            Err(CsvError::Syntax { line, .. }) => assert_eq!(line, 2),
            other => panic!("{other:?}"),
        }
    }
}
