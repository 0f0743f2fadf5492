//! Sobol variance-based indices with Saltelli sampling.
//!
//! Two independent `N x k` matrices `A` and `B` are taken from one Owen-scrambled Sobol
//! sequence of dimension `2k` (quasi-random: the estimates converge faster than with plain
//! random draws). For every factor `i`, `AB_i` is `A` with column `i` taken from `B`. The model is
//! run at the rows of `A`, `B` and every `AB_i`: `N (k + 2)` runs. Estimators (Saltelli et al.
//! 2010, "Variance based sensitivity analysis of model output", table 2):
//!
//! - first order `S_i  = mean((f(B) - m) (f(AB_i) - f(A))) / V`, `m` the mean output (centring
//!   leaves the expectation alone and cuts the variance when the mean is large)
//! - total      `ST_i = mean((f(A) - f(AB_i))^2) / (2 V)` (Jansen 1999)
//!
//! with `V` the variance of the outputs at `A` and `B` together. Intervals: percentile bootstrap
//! over the `N` rows.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

use super::percentile_interval;
use crate::hash::splitmix64;

/// The most factors a Sobol analysis takes (the sequence has 256 dimensions, `2k` are used).
pub const MAX_FACTORS: usize = 128;

/// Sobol indices of one factor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SobolIndex {
    pub first: f64,
    pub first_ci: (f64, f64),
    pub total: f64,
    pub total_ci: (f64, f64),
    /// Base rows that entered (rows whose runs all gave a number).
    pub rows: usize,
}

/// The `n (k + 2)` points of a Saltelli design, row by row: for each of the `n` base rows,
/// `A`, `B`, then `AB_1 .. AB_k`.
pub fn design(k: usize, n: usize, seed: u64) -> Vec<Vec<f64>> {
    assert!((1..=MAX_FACTORS).contains(&k), "1 to {MAX_FACTORS} factors");
    let scramble = (splitmix64(seed ^ 0x5a17_e111) >> 32) as u32;
    let draw =
        |row: usize, dim: usize| sobol_burley::sample(row as u32, dim as u32, scramble) as f64;
    let mut points = Vec::with_capacity(n * (k + 2));
    for row in 0..n {
        let a: Vec<f64> = (0..k).map(|i| draw(row, i)).collect();
        let b: Vec<f64> = (0..k).map(|i| draw(row, k + i)).collect();
        points.push(a.clone());
        points.push(b.clone());
        for i in 0..k {
            let mut ab = a.clone();
            ab[i] = b[i];
            points.push(ab);
        }
    }
    points
}

/// Indices from the outputs of a [`design`] (`y` in the design's order; NaN for a failed run,
/// which drops its whole base row).
pub fn analyse(k: usize, y: &[f64], bootstrap: usize, seed: u64) -> Vec<SobolIndex> {
    assert_eq!(y.len() % (k + 2), 0, "whole base rows");
    let rows: Vec<&[f64]> = y
        .chunks_exact(k + 2)
        .filter(|row| row.iter().all(|v| v.is_finite()))
        .collect();
    let estimate = |pick: &[usize]| -> Vec<(f64, f64)> {
        let n = pick.len() as f64;
        let ys = pick.iter().flat_map(|&j| [rows[j][0], rows[j][1]]);
        let mean = ys.clone().sum::<f64>() / (2.0 * n);
        let var = ys.map(|v| (v - mean).powi(2)).sum::<f64>() / (2.0 * n - 1.0);
        (0..k)
            .map(|i| {
                let (mut s, mut t) = (0.0, 0.0);
                for &j in pick {
                    let (fa, fb, fab) = (rows[j][0], rows[j][1], rows[j][2 + i]);
                    // Centred f(B): the same expectation, far less variance when the
                    // output's mean is large against its spread.
                    s += (fb - mean) * (fab - fa);
                    t += (fa - fab).powi(2);
                }
                (s / n / var, t / (2.0 * n) / var)
            })
            .collect()
    };
    let all: Vec<usize> = (0..rows.len()).collect();
    let point = estimate(&all);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(splitmix64(seed ^ 0xb007_5742));
    let n = rows.len();
    let boots: Vec<Vec<(f64, f64)>> = (0..bootstrap)
        .map(|_| {
            let pick: Vec<usize> = (0..n).map(|_| rng.random_range(0..n.max(1))).collect();
            estimate(&pick)
        })
        .collect();
    (0..k)
        .map(|i| SobolIndex {
            first: point[i].0,
            first_ci: percentile_interval(boots.iter().map(|b| b[i].0).collect()),
            total: point[i].1,
            total_ci: percentile_interval(boots.iter().map(|b| b[i].1).collect()),
            rows: n,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_design_swaps_one_column_of_a_for_b() {
        let (k, n) = (3, 16);
        let pts = design(k, n, 5);
        assert_eq!(pts.len(), n * (k + 2));
        for row in pts.chunks_exact(k + 2) {
            let (a, b) = (&row[0], &row[1]);
            for i in 0..k {
                for j in 0..k {
                    assert_eq!(row[2 + i][j], if i == j { b[j] } else { a[j] });
                }
            }
            assert!(row.iter().flatten().all(|x| (0.0..1.0).contains(x)));
        }
        assert_eq!(pts, design(k, n, 5));
        assert_ne!(pts, design(k, n, 6));
    }

    #[test]
    fn an_additive_function_has_first_order_equal_to_total_and_summing_to_one() {
        // f = x1 + 2 x2: V1 = 1/12, V2 = 4/12, so S = (0.2, 0.8), no interactions.
        let (k, n) = (2, 4096);
        let y: Vec<f64> = design(k, n, 1).iter().map(|x| x[0] + 2.0 * x[1]).collect();
        let idx = analyse(k, &y, 50, 1);
        for (i, want) in [0.2, 0.8].iter().enumerate() {
            assert!((idx[i].first - want).abs() < 0.01, "{:?}", idx[i]);
            assert!((idx[i].total - want).abs() < 0.01, "{:?}", idx[i]);
            assert!(idx[i].first_ci.0 <= idx[i].first && idx[i].first <= idx[i].first_ci.1);
        }
    }
}
