//! A fit's posterior and `compare` on the fitted scenario: `tokenmaxx fit` writes posterior.toml
//! (priors `compare` accepts); `compare` on the scenarios beside it draws from it (and from the
//! calibrated priors for the rest) unless `--priors` says otherwise.

use std::path::Path;

use super::import::export;
use super::util::{read_csv, scratch, stderr, stdout, tokenmaxx};

/// An export of 300 people x 30 weeks, imported and fitted (with an amazon-2026 variant) in
/// `dir/org/fit`.
fn fitted(dir: &Path) {
    export(dir, "baseline", 300, 30, 5);
    let o = tokenmaxx(
        dir,
        &[
            "import",
            "ex/usage.csv",
            "--out",
            "org",
            "--roster",
            "ex/roster.csv",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = tokenmaxx(
        dir,
        &[
            "fit",
            "org",
            "--budget",
            "12",
            "--with",
            "amazon-2026",
            "-q",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

fn compare(dir: &Path, out: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "compare",
        "org/fit/org.toml",
        "org/fit/org-amazon-2026.toml",
        "--replications",
        "2",
        "--weeks",
        "30",
        "--no-charts",
        "--out",
        out,
    ];
    args.extend_from_slice(extra);
    tokenmaxx(dir, &args)
}

#[test]
fn compare_beside_a_fit_draws_from_its_posterior_unless_priors_are_named() {
    let dir = scratch("posterior_compare");
    fitted(&dir);
    let path = dir.join("org/fit/posterior.toml");
    let p = tokenmaxx::compare::Priors::load(path.to_str().unwrap())
        .unwrap()
        .unwrap();
    let names = p.names();
    assert!(
        names.contains(&"behaviour.token_scale")
            && names.contains(&"population.*.token_intensity.sigma"),
        "{names:?}"
    );
    assert!(!p.accepted.is_empty());
    // Beside it, compare says it draws from it, and runs.csv records its columns and the
    // calibrated priors' other columns, each replication's values one accepted draw.
    let o = compare(&dir, "cmp", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("priors: posterior.toml from fit"),
        "{}",
        stdout(&o)
    );
    let verdict = std::fs::read_to_string(dir.join("cmp/verdict.txt")).unwrap();
    assert!(
        verdict.starts_with("Priors: posterior.toml from fit"),
        "{verdict}"
    );
    let html = std::fs::read_to_string(dir.join("cmp/report.html")).unwrap();
    assert!(html.contains("drawn from priors (posterior.toml from fit)"));
    let (header, rows) = read_csv(&dir.join("cmp/runs.csv"));
    for col in [
        "behaviour.token_scale",
        "population.*.proficiency.a",
        "behaviour.pad_scale",
    ] {
        assert!(header.iter().any(|h| h == col), "{col}: {header:?}");
    }
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let first = at(p.names()[0]);
    for row in &rows {
        let drawn: Vec<f64> = (0..p.parameters.len())
            .map(|j| row[at(p.names()[j])].parse().unwrap())
            .collect();
        assert!(p.accepted.contains(&drawn), "{drawn:?} (column {first})");
    }
    // --priors given wins: none draws nothing.
    let o = compare(&dir, "cmp-none", &["--priors", "none"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (header, _) = read_csv(&dir.join("cmp-none/runs.csv"));
    assert!(
        !header.iter().any(|h| h == "behaviour.token_scale"),
        "{header:?}"
    );
    let verdict = std::fs::read_to_string(dir.join("cmp-none/verdict.txt")).unwrap();
    assert!(!verdict.contains("Priors:"), "{verdict}");
    // Scenarios beside two different posteriors (two organisations) are refused, asking for
    // --priors.
    let copy = dir.join("org/fit2");
    std::fs::create_dir_all(&copy).unwrap();
    for f in ["org-amazon-2026.toml", "posterior.toml"] {
        std::fs::copy(dir.join("org/fit").join(f), copy.join(f)).unwrap();
    }
    // (a copy of the same posterior is one organisation: compared as such)
    let o = tokenmaxx(
        &dir,
        &[
            "compare",
            "org/fit/org.toml",
            "org/fit2/org-amazon-2026.toml",
            "--replications",
            "2",
            "--weeks",
            "4",
            "--no-charts",
            "-q",
            "--out",
            "copy",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let post = std::fs::read_to_string(copy.join("posterior.toml")).unwrap();
    std::fs::write(
        copy.join("posterior.toml"),
        post + "# another organisation\n",
    )
    .unwrap();
    let o = tokenmaxx(
        &dir,
        &[
            "compare",
            "org/fit/org.toml",
            "org/fit2/org-amazon-2026.toml",
            "--out",
            "two",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--priors"), "{}", stderr(&o));
    // A posterior.toml tokenmaxx did not write is not taken for one: the calibrated priors.
    std::fs::write(
        &path,
        "[parameters]\n\"behaviour.uplift\" = { low = 0.5, high = 0.6 }\n",
    )
    .unwrap();
    let o = compare(&dir, "cmp-mine", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stdout(&o).contains("posterior"), "{}", stdout(&o));
}
