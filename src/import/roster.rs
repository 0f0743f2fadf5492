//! The headcount file (`--roster people.csv`): one row per employee, `person` (the id the
//! export uses; also `email`, `user`, `user_id`) and optionally `group` and `team`. A usage
//! export only sees users; the roster adds the people who never used AI at all.

use std::io::BufReader;
use std::path::Path;

use super::ImportError;
use super::aggregate::Accumulator;
use super::csv::{CsvError, CsvReader};
use super::privacy::Pseudonymiser;

pub fn read(path: &Path, ps: &Pseudonymiser, acc: &mut Accumulator) -> Result<(), ImportError> {
    let file = super::open_regular(path, super::Input::Roster)?;
    let mut r = CsvReader::new(BufReader::new(file));
    let bad = |m: String| ImportError::bad(path, m);
    let csv_err = |e: CsvError| match e {
        CsvError::Io(e) => ImportError::io(path, e),
        CsvError::Syntax { line, message } => bad(format!("line {line}: {message}")),
    };
    let mut f = Vec::new();
    if r.next_record(&mut f).map_err(csv_err)?.is_none() {
        return Err(bad("the roster is empty: it needs a header with `person` (and optionally `group`, `team`) and one row per employee".into()));
    }
    let names: Vec<String> = f.iter().map(|h| h.trim().to_lowercase()).collect();
    let col = |alts: &[&str]| names.iter().position(|n| alts.contains(&n.as_str()));
    let person = col(&["person", "email", "user", "user_id"]).ok_or_else(|| {
        bad("line 1: no `person` column; a roster has person and optionally group and team".into())
    })?;
    let (group, team) = (col(&["group"]), col(&["team"]));
    let width = names.len();
    let mut rows = 0;
    while let Some(line) = r.next_record(&mut f).map_err(csv_err)? {
        if f.len() != width {
            return Err(bad(format!(
                "line {line}: {} fields, but the header has {width}",
                f.len()
            )));
        }
        if f[person].trim().is_empty() {
            return Err(bad(format!("line {line}, column `person`: empty")));
        }
        acc.roster(
            ps.pseudonym(&f[person]),
            group.map(|i| f[i].as_str()),
            team.map(|i| f[i].as_str()),
        )
        .map_err(|m| bad(format!("line {line}, {m}")))?;
        rows += 1;
    }
    if rows == 0 {
        return Err(bad("the roster has a header but no people".into()));
    }
    Ok(())
}
