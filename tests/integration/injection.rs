//! CSV formula injection (issue 28, section 2): every CSV tokenmaxx writes quotes its fields and
//! neutralises text cells a spreadsheet would run as a formula (a leading `'`), leaving numbers
//! as they are; hostile group names survive import -> fit -> run as names.

use polars::prelude::*;
use proptest::prelude::*;
use tokenmaxx::import::csv::CsvReader;

use crate::util::{scratch, stderr, tokenmaxx};

/// True when a spreadsheet would read `cell` as a formula.
fn formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && cell.trim().parse::<f64>().is_err()
}

/// The records of a CSV file, parsed as RFC 4180.
fn records(path: &std::path::Path) -> Vec<Vec<String>> {
    let file = std::fs::File::open(path).unwrap();
    let mut r = CsvReader::new(std::io::BufReader::new(file));
    let mut out = Vec::new();
    let mut f = Vec::new();
    while r.next_record(&mut f).unwrap().is_some() {
        out.push(f.clone());
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn written_csv_text_cells_never_start_a_formula_and_numbers_stay(
        names in proptest::collection::vec("[=+@\\-\t\r]?[a-zA-Z0-9 ,\"'|!=@\\-]{1,12}", 1..6),
        values in proptest::collection::vec(-1e6f64..1e6, 6),
    ) {
        let dir = scratch("injection_writer");
        let n = names.len();
        let numbers: Vec<f64> = values[..n].to_vec();
        let numeric_text: Vec<String> = numbers.iter().map(|v| v.to_string()).collect();
        let mut df = df!(
            "group" => names.clone(),
            "value" => numbers.clone(),
            "as_text" => numeric_text.clone(),
        )
        .unwrap();
        let path = dir.join("t.csv");
        tokenmaxx::report::tables::write_csv(&path, &mut df).unwrap();
        let rows = records(&path);
        prop_assert_eq!(rows.len(), n + 1);
        for (i, row) in rows[1..].iter().enumerate() {
            // A leading tab or CR survives the quoting only inside quotes; the reader keeps it.
            let cell = &row[0];
            prop_assert!(!formula(cell), "{:?} written as {:?}", names[i], cell);
            let original = if formula(&names[i]) { &cell[1..] } else { &cell[..] };
            prop_assert_eq!(original, names[i].as_str());
            prop_assert_eq!(row[1].parse::<f64>().unwrap(), numbers[i]);
            prop_assert_eq!(&row[2], &numeric_text[i]);
        }
    }
}

#[test]
fn hostile_group_names_round_trip_import_fit_run_as_inert_text() {
    // given an export whose groups are a formula, a name with '.', and names starting with '-'
    // and '+', when it is imported, fitted and the fitted scenario run, then every step
    // succeeds and agents.csv holds each name as text a spreadsheet does not run
    let dir = scratch("injection_round_trip");
    // (A label with '@' is refused by import as a possible e-mail address; see hostile_input.)
    let groups = ["=cmd|' /C calc'!A0", "eng.platform", "-x,y", "+ops"];
    let mut csv = String::from("person,date,tokens,group\n");
    for p in 0..12 {
        for d in 0..21 {
            let day = 5 + d;
            let g = groups[p % groups.len()].replace('"', "\"\"");
            csv += &format!(
                "p{p}@corp.example,2026-01-{day:02},{},\"{g}\"\n",
                (p + 1) * 30_000 + d * 500
            );
        }
    }
    std::fs::write(dir.join("usage.csv"), csv).unwrap();
    let ok = |args: &[&str]| {
        let o = tokenmaxx(&dir, args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    };
    ok(&["import", "usage.csv", "--out", "org", "-q", "--no-charts"]);
    ok(&["fit", "org", "--budget", "16", "-q", "--no-charts"]);
    let org = std::fs::read_to_string(dir.join("org/fit/org.toml")).unwrap();
    assert!(org.contains("[population.\"eng.platform\"]"), "{org}");
    ok(&[
        "run",
        "org/fit/org.toml",
        "--weeks",
        "2",
        "-q",
        "--no-charts",
        "--out",
        "run",
    ]);
    let rows = records(&dir.join("run/agents.csv"));
    let col = rows[0].iter().position(|h| h == "group").unwrap();
    let mut seen: Vec<&str> = rows[1..].iter().map(|r| r[col].as_str()).collect();
    seen.sort();
    seen.dedup();
    assert_eq!(
        seen,
        ["'+ops", "'-x,y", "'=cmd|' /C calc'!A0", "eng.platform"],
        "group cells of agents.csv"
    );
    let raw = std::fs::read_to_string(dir.join("run/agents.csv")).unwrap();
    assert!(raw.contains(",\"'-x,y\","), "the comma is quoted");
}
