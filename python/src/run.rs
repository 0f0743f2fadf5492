//! One scenario and its runs: `tokenmaxx.scenario(...)` and `Scenario.run(...)`.

use std::path::{Path, PathBuf};

use pyo3::exceptions::PyOSError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use tokenmaxx::engine::NoProgress;
use tokenmaxx::projections::Projections;
use tokenmaxx::report::{charts, run_html, sweep::parquet_bytes, tables};
use tokenmaxx::scenario::{Overrides, Scenario, Source};
use tokenmaxx::sweep::spec::apply_settings;

use crate::{install, pool, report_error, value_error};

/// A validated scenario: its merged table (defaults, `extends` and the settings applied), kept
/// so that a run's seed, size and horizon are applied and validated as the CLI's flags are.
#[pyclass(module = "tokenmaxx._native", frozen)]
pub struct NativeScenario {
    table: toml::Table,
    file: String,
    scenario: Scenario,
}

/// Load `source` (a built-in name or a path, as the CLI takes it) with `settings`, pairs of a
/// dotted key and its value as JSON text; validate it.
#[pyfunction]
pub fn load(source: &str, settings: Vec<(String, String)>) -> PyResult<NativeScenario> {
    let resolved =
        tokenmaxx::scenario::load::resolve(&Source::parse(source)).map_err(value_error)?;
    let mut parsed = Vec::with_capacity(settings.len());
    for (key, json) in settings {
        let v: toml::Value = serde_json::from_str(&json).map_err(|e| {
            value_error(format!(
                "setting `{key}`: {e} (a number, true/false, text, a list or a table)"
            ))
        })?;
        parsed.push((key, v));
    }
    let mut table = resolved.table;
    apply_settings(&mut table, &parsed, &resolved.file).map_err(value_error)?;
    let (scenario, _) = Scenario::from_table(table.clone(), &resolved.file, &Overrides::default())
        .map_err(value_error)?;
    Ok(NativeScenario {
        table,
        file: resolved.file,
        scenario,
    })
}

#[pymethods]
impl NativeScenario {
    #[getter]
    fn name(&self) -> &str {
        &self.scenario.name
    }

    #[getter]
    fn description(&self) -> &str {
        &self.scenario.description
    }

    #[getter]
    fn seed(&self) -> u64 {
        self.scenario.seed
    }

    #[getter]
    fn employees(&self) -> u32 {
        self.scenario.employees
    }

    #[getter]
    fn weeks(&self) -> u32 {
        self.scenario.weeks
    }

    /// The scenario as run, every parameter included, as scenario-file TOML.
    #[getter]
    fn resolved_toml(&self) -> &str {
        &self.scenario.resolved_toml
    }

    /// The merged table as TOML (what a comparison runs for this scenario).
    fn table_toml(&self) -> PyResult<String> {
        toml::to_string(&self.table).map_err(value_error)
    }

    /// Run with the given overrides; `events`: a path to stream the event log to.
    #[pyo3(signature = (seed=None, employees=None, weeks=None, replication=0, events=None, threads=None))]
    #[allow(clippy::too_many_arguments)]
    fn run(
        &self,
        py: Python<'_>,
        seed: Option<u64>,
        employees: Option<i64>,
        weeks: Option<i64>,
        replication: u32,
        events: Option<PathBuf>,
        threads: Option<usize>,
    ) -> PyResult<NativeRun> {
        let o = Overrides {
            seed,
            employees,
            weeks,
        };
        // The overrides are the CLI's flags; here they are run()'s arguments.
        let (scenario, notes) = Scenario::from_table(self.table.clone(), &self.file, &o)
            .map_err(|e| value_error(e.to_string().replace("command line: `--", "run(): `")))?;
        let workers = pool(threads)?;
        let outcome = py.detach(|| {
            install(&workers, || {
                tokenmaxx::simulate_storing(&scenario, replication, events.as_deref(), &NoProgress)
            })
        });
        let (projections, _) = outcome.map_err(|e| PyOSError::new_err(e.to_string()))?;
        if let Some(what) = tokenmaxx::projections::finite::non_finite(&projections) {
            return Err(value_error(format!(
                "the run produced a non-finite {what} (NaN or infinite): a parameter is too extreme for the model"
            )));
        }
        Ok(NativeRun {
            projections,
            scenario,
            notes,
        })
    }
}

/// A finished run: its projections and the scenario it ran.
#[pyclass(module = "tokenmaxx._native", frozen)]
pub struct NativeRun {
    projections: Projections,
    scenario: Scenario,
    notes: Vec<String>,
}

#[pymethods]
impl NativeRun {
    /// Notes on the overrides (timeline changes past a shortened horizon).
    #[getter]
    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }

    /// The headline in words, as `tokenmaxx run` prints it.
    fn headline(&self) -> Vec<String> {
        self.projections.summary.headline()
    }

    /// summary.json's text.
    fn summary_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.projections.summary).map_err(value_error)
    }

    /// The table `name` (weekly, agents, deciles) as Parquet bytes.
    fn table<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyBytes>> {
        let p = &self.projections;
        let mut df = match name {
            "weekly" => tables::weekly_frame(&p.weekly),
            "agents" => tables::agents_frame(&p.agents),
            "deciles" => tables::deciles_frame(&p.deciles),
            _ => return Err(value_error(format!("no table `{name}`"))),
        }
        .map_err(report_error)?;
        let bytes = parquet_bytes(&mut df, name).map_err(report_error)?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// report.html's text; with `charts_dir`, the charts are drawn there and embedded.
    #[pyo3(signature = (command, charts_dir=None))]
    fn report_html(
        &self,
        py: Python<'_>,
        command: &str,
        charts_dir: Option<PathBuf>,
    ) -> PyResult<String> {
        let (p, s) = (&self.projections, &self.scenario);
        py.detach(|| {
            if let Some(dir) = &charts_dir {
                charts::write_all(dir, p)?;
            }
            let report = run_html::build(p, s, charts_dir.as_deref().map(Path::new), command)?;
            Ok(report.render())
        })
        .map_err(report_error)
    }
}
