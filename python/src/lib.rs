//! `tokenmaxx._native`: the Rust side of the Python package. It holds no model logic: it loads
//! scenarios, runs them and compares them through the tokenmaxx library, and hands the tables
//! over as Parquet bytes (exact and typed), the summary as JSON, the reports as HTML text. The
//! typed, documented API is the pure-Python package around it (python/tokenmaxx/).
//!
//! Bad input (an unknown scenario, key or value out of range) raises `ValueError` with the
//! library's message, which names the file or setting, the key and the allowed range. The GIL is
//! released while simulating.

mod compare;
mod run;

use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;

/// A user's error (bad scenario, setting, priors file): `ValueError`.
pub(crate) fn value_error(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// A report that could not be written: `OSError` for a file, else `RuntimeError`.
pub(crate) fn report_error(e: tokenmaxx::report::ReportError) -> PyErr {
    match e {
        tokenmaxx::report::ReportError::Io { .. } => PyOSError::new_err(e.to_string()),
        _ => PyRuntimeError::new_err(e.to_string()),
    }
}

/// A worker pool of `threads` threads (`None`: rayon's global pool, all cores). Results do not
/// depend on it.
pub(crate) fn pool(threads: Option<usize>) -> PyResult<Option<rayon::ThreadPool>> {
    match threads {
        None => Ok(None),
        Some(0) => Err(value_error("threads must be at least 1")),
        Some(t) => rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .map(Some)
            .map_err(|e| PyRuntimeError::new_err(format!("starting worker threads: {e}"))),
    }
}

/// Run `f` in `pool` if there is one, else on the global pool.
pub(crate) fn install<T: Send>(
    pool: &Option<rayon::ThreadPool>,
    f: impl FnOnce() -> T + Send,
) -> T {
    match pool {
        Some(p) => p.install(f),
        None => f(),
    }
}

/// The built-in scenarios: (name, description).
#[pyfunction]
fn builtins() -> Vec<(String, String)> {
    tokenmaxx::scenario::builtin::names()
        .map(|n| (n.to_string(), tokenmaxx::scenario::builtin::description(n)))
        .collect()
}

/// The ranges of priors (`unanchored` or its old name `default`: the shipped
/// scenarios/priors/unanchored.toml; `calibrated`; a file): (dotted key, low, high), in file order.
#[pyfunction]
fn priors(spec: &str) -> PyResult<Vec<(String, f64, f64)>> {
    Ok(tokenmaxx::compare::Priors::load(spec)
        .map_err(value_error)?
        .ok_or_else(|| value_error("priors `none` have no ranges"))?
        .parameters)
}

/// The library's version.
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(builtins, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    m.add_function(wrap_pyfunction!(priors, m)?)?;
    m.add_function(wrap_pyfunction!(run::load, m)?)?;
    m.add_function(wrap_pyfunction!(compare::compare, m)?)?;
    m.add_class::<run::NativeScenario>()?;
    m.add_class::<run::NativeRun>()?;
    m.add_class::<compare::NativeComparison>()?;
    Ok(())
}
