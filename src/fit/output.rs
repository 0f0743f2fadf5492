//! What a fit leaves behind, as texts (the CLI writes them into its staged output folder):
//! org.toml and its `--with` variants, fit.csv, parameters.csv and trace.csv.

use std::fmt::Write as _;

use super::{Candidate, Fit};

/// A fitted scenario file to write: its name (the file is `<name>.toml`) and `extends`.
pub struct Variant {
    pub name: String,
    pub extends: String,
}

/// The header comment of every fitted scenario file.
fn header(fit: &Fit, best: &Candidate, policy: Option<&str>) -> String {
    let o = &fit.observed;
    let mut h = format!(
        "# Written by `tokenmaxx fit` from a usage profile ({} people, {} ISO weeks {} to {}).\n# Fitted by simulated moments (loss {:.3}); see fit.csv for observed vs simulated figures.\n",
        o.headcount.total,
        o.weeks.len(),
        o.weeks.first().map_or("-", String::as_str),
        o.weeks.last().map_or("-", String::as_str),
        best.loss
    );
    if let Some(p) = policy {
        writeln!(
            h,
            "# Fitted with the policies of `{p}` in force; this file states the organisation only."
        )
        .expect("string");
    }
    h
}

/// The text of each variant's scenario file, as (file name, text).
pub fn scenarios(
    fit: &Fit,
    best: &Candidate,
    base_groups: &[String],
    variants: &[Variant],
    policy: Option<&str>,
) -> Vec<(String, String)> {
    let header = header(fit, best, policy);
    variants
        .iter()
        .map(|v| {
            let text = super::scenario::org_toml(
                &v.name,
                &v.extends,
                &header,
                fit,
                base_groups,
                &best.values,
            );
            (format!("{}.toml", v.name), text)
        })
        .collect()
}

/// fit.csv (each moment observed, simulated, tolerance, within), parameters.csv and trace.csv.
pub fn tables(
    fit: &Fit,
    candidates: &[Candidate],
    best: &Candidate,
) -> Vec<(&'static str, String)> {
    let mut f = String::from("figure,observed,simulated,tolerance,scale,within_tolerance\n");
    for (m, s) in fit.moments.iter().zip(&best.simulated) {
        let err = if m.log {
            (s.max(1e-9).ln() - m.value.max(1e-9).ln()).abs()
        } else {
            (s - m.value).abs()
        };
        let scale = if m.log { "log" } else { "level" };
        let within = err <= m.tolerance;
        writeln!(
            f,
            "{},{},{s},{},{scale},{within}",
            m.name, m.value, m.tolerance
        )
        .expect("string");
    }
    let mut p = String::from("parameter,value,low,high,search_scale\n");
    for (q, v) in fit.params.iter().zip(&best.values) {
        let scale = if q.log { "log" } else { "linear" };
        writeln!(p, "{},{v},{},{},{scale}", q.name, q.low, q.high).expect("string");
    }
    let mut t = String::from("candidate,generation,loss");
    for q in &fit.params {
        write!(t, ",{}", q.name).expect("string");
    }
    t.push('\n');
    for c in candidates {
        write!(t, "{},{},{}", c.index, c.generation, c.loss).expect("string");
        for v in &c.values {
            write!(t, ",{v}").expect("string");
        }
        t.push('\n');
    }
    vec![("fit.csv", f), ("parameters.csv", p), ("trace.csv", t)]
}
