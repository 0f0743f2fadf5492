//! Text cells of the CSV files tokenmaxx writes, made safe to open in a spreadsheet.
//!
//! A spreadsheet runs a cell that begins with `=`, `+`, `-` or `@` as a formula (and a leading
//! tab or carriage return can hide one), so a group or scenario name such as
//! `=cmd|' /C calc'!A0` would execute when agents.csv is opened. As OWASP recommends, such a text
//! cell is written with a leading `'` (which spreadsheets show as text and do not display), and
//! every field holding a comma, a quote or a line break is quoted. A cell that is a number
//! (`-0.5`, `1e-3`) is left as it is: it is data, not a formula.

use std::borrow::Cow;

/// The characters that make a spreadsheet read a cell as a formula.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text cell safe for a spreadsheet: prefixed with `'` when it begins like a formula and is not
/// a number; unchanged otherwise (so benign names are written byte for byte).
pub fn text_cell(s: &str) -> Cow<'_, str> {
    if s.starts_with(FORMULA_START) && s.trim().parse::<f64>().is_err() {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// A CSV field of text: [`text_cell`], then quoted when it holds a comma, a quote or a line
/// break (RFC 4180).
pub fn field(s: &str) -> String {
    let s = text_cell(s);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_numbers_and_plain_names_kept() {
        assert_eq!(text_cell("developers"), "developers");
        assert_eq!(text_cell("=1+1"), "'=1+1");
        assert_eq!(text_cell("+cmd"), "'+cmd");
        assert_eq!(text_cell("-team"), "'-team");
        assert_eq!(text_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(text_cell("\tx"), "'\tx");
        assert_eq!(text_cell("\r=x"), "'\r=x");
        assert_eq!(text_cell("-0.5"), "-0.5");
        assert_eq!(text_cell("+3"), "+3");
        assert_eq!(text_cell("a=b"), "a=b");
    }

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=cmd|' /C calc'!A0,x"), "\"'=cmd|' /C calc'!A0,x\"");
    }
}
