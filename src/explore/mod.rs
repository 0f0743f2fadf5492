//! Model exploration: global sensitivity analysis (Morris screening, Sobol indices) and
//! calibration to target figures (method of simulated moments, differential evolution).
//!
//! The numerical methods (`morris`, `sobol`, `de`) are pure functions over the unit cube, tested
//! on analytic functions. `sensitivity` and `calibrate` read their spec files, map the unit cube
//! onto parameter bounds and run the simulator through the sweep runner (same seeds, journal,
//! resume and, for sensitivity, shards).

pub mod calibrate;
pub mod de;
pub mod history;
pub mod morris;
pub mod sensitivity;
pub mod sobol;
mod spec;

pub use spec::{Bound, Common};

/// The 2.5% and 97.5% percentiles of bootstrap estimates (NaN if there are none).
pub fn percentile_interval(mut xs: Vec<f64>) -> (f64, f64) {
    xs.retain(|x| x.is_finite());
    if xs.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    xs.sort_by(f64::total_cmp);
    let at = |q: f64| xs[((q * (xs.len() - 1) as f64).round() as usize).min(xs.len() - 1)];
    (at(0.025), at(0.975))
}

/// The item of lowest loss, the first of equals; NaN losses never win (None if all are NaN).
pub fn lowest<T>(items: &[T], loss: impl Fn(&T) -> f64) -> Option<&T> {
    let mut best: Option<&T> = None;
    for item in items.iter().filter(|i| !loss(i).is_nan()) {
        if best.is_none_or(|b| loss(item) < loss(b)) {
            best = Some(item);
        }
    }
    best
}
