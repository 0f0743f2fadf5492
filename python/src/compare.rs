//! `tokenmaxx.compare([...])`: several scenarios over the same replications, paired against a
//! baseline, as `tokenmaxx compare` runs them.

use std::path::{Path, PathBuf};

use pyo3::prelude::*;
use tokenmaxx::compare::decide::Decision;
use tokenmaxx::compare::{Compare, Compared, Comparison, MAX_REPLICATIONS, Priors, RunOut};
use tokenmaxx::report::compare::{self as tables, Band};
use tokenmaxx::report::{charts, compare_html};
use tokenmaxx::scenario::Source;

use crate::{install, pool, report_error, value_error};

/// A finished comparison: its tables as CSV text (exactly the CLI's files) and its verdict.
#[pyclass(module = "tokenmaxx._native", frozen)]
pub struct NativeComparison {
    compare: Compare,
    cmp: Comparison,
    bands: Vec<Vec<Band>>,
    decision: Decision,
    results: Vec<Result<RunOut, String>>,
    verdict: Vec<String>,
}

/// Compare `scenarios`, each (kind, text): kind `source` is a built-in name or a path, kind
/// `toml` a scenario's merged table as TOML text (a Python Scenario with its settings).
#[pyfunction]
#[pyo3(signature = (scenarios, baseline=0, replications=20, seed=42, employees=None, weeks=None, priors=None, threads=None))]
#[allow(clippy::too_many_arguments)]
pub fn compare(
    py: Python<'_>,
    scenarios: Vec<(String, String)>,
    baseline: usize,
    replications: u32,
    seed: u64,
    employees: Option<i64>,
    weeks: Option<i64>,
    priors: Option<String>,
    threads: Option<usize>,
) -> PyResult<NativeComparison> {
    if scenarios.len() < 2 {
        return Err(value_error("compare needs at least two scenarios"));
    }
    if baseline >= scenarios.len() {
        return Err(value_error("baseline is not one of the compared scenarios"));
    }
    if !(2..=MAX_REPLICATIONS).contains(&replications) {
        return Err(value_error(format!(
            "replications must be in [2, {MAX_REPLICATIONS}] (intervals need at least two)"
        )));
    }
    let mut list = Vec::new();
    for (kind, text) in scenarios {
        let source = match kind.as_str() {
            "toml" => Source::Text {
                name: "scenario".into(),
                text,
            },
            _ => Source::parse(&text),
        };
        let s = tokenmaxx::scenario::Scenario::load(&source).map_err(value_error)?;
        list.push((s.name, source));
    }
    let names: std::collections::BTreeSet<&str> = list.iter().map(|(n, _)| n.as_str()).collect();
    if names.len() < list.len() {
        let all: Vec<&str> = list.iter().map(|(n, _)| n.as_str()).collect();
        return Err(value_error(format!(
            "two compared scenarios share a name ({}): give each a distinct `name` setting",
            all.join(", ")
        )));
    }
    // As the CLI: the calibrated priors unless told otherwise (`none` for fixed parameters), or
    // the posterior a fit wrote beside the compared files.
    let (priors, _) = Priors::for_comparison(priors.as_deref(), &list).map_err(value_error)?;
    let scenarios = list
        .into_iter()
        .map(|(name, source)| Compared::new(name, source))
        .collect::<Result<_, _>>()
        .map_err(value_error)?;
    let c = Compare {
        name: "compare".into(),
        scenarios,
        baseline,
        replications,
        seed,
        employees,
        weeks,
        priors,
        horizons: None,
    };
    // Checks the shared size and horizon before any run.
    c.scenario(0, 0).map_err(value_error)?;
    let workers = pool(threads)?;
    let results = py.detach(|| install(&workers, || c.run_all(&|| {})));
    let done = tables::conclude(&c, &results).map_err(value_error)?;
    Ok(NativeComparison {
        compare: c,
        cmp: done.cmp,
        bands: done.bands,
        decision: done.decision,
        results,
        verdict: done.verdict,
    })
}

#[pymethods]
impl NativeComparison {
    /// The verdict, one sentence per line (verdict.txt).
    #[getter]
    fn verdict(&self) -> Vec<String> {
        self.verdict.clone()
    }

    /// The names of the compared scenarios, in order.
    #[getter]
    fn names(&self) -> Vec<String> {
        self.compare
            .scenarios
            .iter()
            .map(|s| s.name.clone())
            .collect()
    }

    /// The table `name` (comparison, rankings, runs, weekly_bands, best; with priors also
    /// drivers and value_of_information) as the CLI's CSV text.
    fn csv(&self, name: &str) -> PyResult<String> {
        let (c, cmp, d) = (&self.compare, &self.cmp, &self.decision);
        let missing = || {
            value_error(format!(
                "no table `{name}` (drivers and value_of_information need priors)"
            ))
        };
        Ok(match name {
            "comparison" => tables::comparison_csv(c, cmp),
            "rankings" => tables::rankings_csv(c, cmp),
            "runs" => tables::runs_csv(c, &self.results),
            "weekly_bands" => tables::bands_csv(c, &self.bands),
            "best" => tables::best_csv(c, d),
            "drivers" => tables::drivers_csv(c, d).ok_or_else(missing)?,
            "value_of_information" => tables::value_csv(c, d).ok_or_else(missing)?,
            _ => return Err(value_error(format!("no table `{name}`"))),
        })
    }

    /// report.html's text; with `chart`, comparison.png is drawn at that path and embedded.
    #[pyo3(signature = (command, chart=None))]
    fn report_html(
        &self,
        py: Python<'_>,
        command: &str,
        chart: Option<PathBuf>,
    ) -> PyResult<String> {
        let (c, cmp) = (&self.compare, &self.cmp);
        py.detach(|| {
            let mut r = compare_html::build(c, cmp, command);
            r.headline = self.verdict.clone();
            let draw = chart.as_ref().map(|_| {
                Box::new(|p: &Path| charts::compare::draw(p, c, cmp, &self.bands))
                    as compare_html::Draw<'_>
            });
            let differences = compare_html::charts(draw, None).swap_remove(0);
            let path = chart.clone().unwrap_or_default();
            if let Some(section) = differences.section(&path)? {
                r.sections.insert(0, section);
            }
            Ok(r.render())
        })
        .map_err(report_error)
    }
}
