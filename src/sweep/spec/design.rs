//! The designs of a sweep: every combination of the parameters' values (grid), or independent
//! draws or a Latin hypercube over their ranges (random, lhs), from a seeded generator.

use super::{Axis, Point};
use crate::hash::splitmix64;

/// Every combination of every parameter's values, the last parameter varying fastest.
pub fn grid(parameters: &[(String, Axis)]) -> Vec<Point> {
    let mut points: Vec<Point> = vec![Vec::new()];
    for (_, axis) in parameters {
        let values = axis_values(axis);
        points = points
            .into_iter()
            .flat_map(|p| {
                values.iter().map(move |v| {
                    let mut q = p.clone();
                    q.push(v.clone());
                    q
                })
            })
            .collect();
    }
    points
}

/// `samples` points drawn from the sweep `seed`: independent uniform draws, or with `lhs` one
/// draw per stratum of each parameter, the strata shuffled.
pub fn sampled(parameters: &[(String, Axis)], samples: u32, seed: u64, lhs: bool) -> Vec<Point> {
    let n = samples as usize;
    let mut rng = SplitMix(splitmix64(seed ^ 0x5e_ed0f_5eed));
    // Per parameter: a column of n unit draws (lhs: one per stratum, shuffled).
    let columns: Vec<Vec<f64>> = parameters
        .iter()
        .map(|_| {
            let mut col: Vec<f64> = (0..n)
                .map(|i| {
                    if lhs {
                        (i as f64 + rng.unit()) / n as f64
                    } else {
                        rng.unit()
                    }
                })
                .collect();
            if lhs {
                for i in (1..n).rev() {
                    let j = (rng.next() % (i as u64 + 1)) as usize;
                    col.swap(i, j);
                }
            }
            col
        })
        .collect();
    (0..n)
        .map(|i| {
            parameters
                .iter()
                .zip(&columns)
                .map(|((_, axis), col)| axis_at(axis, col[i]))
                .collect()
        })
        .collect()
}

/// The number of values of an axis in a grid.
pub fn axis_len(axis: &Axis) -> u64 {
    match axis {
        Axis::Values(v) => v.len() as u64,
        Axis::Range { steps, .. } => u64::from(steps.unwrap_or(2).max(1)),
    }
}

/// An axis's values in a grid: its list, or `steps` evenly spaced values of its range (2 by
/// default).
fn axis_values(axis: &Axis) -> Vec<toml::Value> {
    match axis {
        Axis::Values(v) => v.clone(),
        Axis::Range {
            low,
            high,
            steps,
            integer,
        } => {
            let n = steps.unwrap_or(2).max(1);
            (0..n)
                .map(|i| {
                    let x = if n == 1 {
                        *low
                    } else {
                        low + (high - low) * i as f64 / (n - 1) as f64
                    };
                    number(x, *integer)
                })
                .collect()
        }
    }
}

/// An axis's value at `u` in [0, 1]: the list's `u`-th quantile, or the point of the range.
fn axis_at(axis: &Axis, u: f64) -> toml::Value {
    match axis {
        Axis::Values(v) => v[((u * v.len() as f64) as usize).min(v.len() - 1)].clone(),
        Axis::Range {
            low, high, integer, ..
        } => number(low + (high - low) * u, *integer),
    }
}

/// A range's value as TOML: rounded to an integer for an integer range.
fn number(x: f64, integer: bool) -> toml::Value {
    if integer {
        toml::Value::Integer(x.round() as i64)
    } else {
        toml::Value::Float(x)
    }
}

/// A tiny deterministic generator for designs (SplitMix64).
struct SplitMix(u64);
impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        splitmix64(self.0)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}
