//! What drives a paired difference across the draws of the priors, from the runs already made
//! (no extra runs): for each parameter, Spearman's rank correlation with the difference and a
//! first-order sensitivity index (the share of the difference's variance its smoothed mean
//! explains, `Var(E[d | x]) / Var(d)`, with the regression smoother of the EVPPI, adjusted for
//! the share a smoother of that size explains in pure noise, as adjusted R^2); and where the
//! smoothed difference crosses zero, the parameter's value at which the ranking flips.

use super::smooth;

/// One parameter's part in a difference.
#[derive(Debug, Clone, PartialEq)]
pub struct Driver {
    /// Index of the parameter.
    pub parameter: usize,
    /// Spearman's rank correlation with the difference.
    pub rank_correlation: f64,
    /// First-order index in [0, 1].
    pub first_order: f64,
    /// Where the smoothed difference changes sign, and which side is positive.
    pub flip: Option<Flip>,
}

/// A flip point: the difference is positive below `at` (`positive_below`) or above it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Flip {
    pub at: f64,
    pub positive_below: bool,
}

/// The drivers of `d` (one value per sample) among the parameters `x[j]` (their sampled
/// values), the largest first-order index first.
pub fn drivers(d: &[f64], x: &[Vec<f64>]) -> Vec<Driver> {
    let var = variance(d);
    let mut out: Vec<Driver> = x
        .iter()
        .enumerate()
        .map(|(j, xj)| {
            let fitted = smooth::fit(xj, d);
            let first_order = adjusted(variance(&fitted), var, d.len());
            Driver {
                parameter: j,
                rank_correlation: spearman(xj, d),
                first_order,
                flip: flip(xj, &fitted),
            }
        })
        .collect();
    out.sort_by(|a, b| b.first_order.total_cmp(&a.first_order));
    out
}

/// The explained share `explained / total` adjusted for the smoother's coefficients over `n`
/// samples (`1 - (1 - R^2)(n - 1)/(n - p)`), in [0, 1].
fn adjusted(explained: f64, total: f64, n: usize) -> f64 {
    let p = smooth::coefficients(n);
    if total <= 0.0 || n <= p {
        return 0.0;
    }
    let r2 = (explained / total).clamp(0.0, 1.0);
    (1.0 - (1.0 - r2) * (n - 1) as f64 / (n - p) as f64).clamp(0.0, 1.0)
}

fn variance(v: &[f64]) -> f64 {
    let n = v.len();
    if n < 2 {
        return 0.0;
    }
    let m = v.iter().sum::<f64>() / n as f64;
    v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64
}

/// The one sign change of the smoothed difference along `x` (None if it keeps one sign or
/// changes sign more than once): linear interpolation between the neighbours across zero.
fn flip(x: &[f64], fitted: &[f64]) -> Option<Flip> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut crossing = None;
    for w in order.windows(2) {
        let (a, b) = (w[0], w[1]);
        if (fitted[a] > 0.0) != (fitted[b] > 0.0) {
            if crossing.is_some() {
                return None;
            }
            let t = fitted[a] / (fitted[a] - fitted[b]);
            crossing = Some(Flip {
                at: x[a] + t * (x[b] - x[a]),
                positive_below: fitted[a] > 0.0,
            });
        }
    }
    crossing
}

/// Spearman's rank correlation (average ranks for ties; 0 when either side is constant).
pub fn spearman(a: &[f64], b: &[f64]) -> f64 {
    let (ra, rb) = (ranks(a), ranks(b));
    let (ma, mb) = (mean(&ra), mean(&rb));
    let cov: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = ra.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = rb.iter().map(|y| (y - mb).powi(2)).sum();
    if va > 0.0 && vb > 0.0 {
        cov / (va * vb).sqrt()
    } else {
        0.0
    }
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
        }
        for &k in &order[i..=j] {
            r[k] = (i + j) as f64 / 2.0;
        }
        i = j + 1;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    #[test]
    fn a_planted_driver_is_found_with_its_flip_point() {
        // d = 3 (x0 - 0.3) + 0.2 x1 + noise: x0 drives it and flips it at 0.3 (positive above).
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let n = 200;
        let x: Vec<Vec<f64>> = (0..3)
            .map(|_| (0..n).map(|_| rng.random::<f64>()).collect())
            .collect();
        let d: Vec<f64> = (0..n)
            .map(|r| 3.0 * (x[0][r] - 0.3) + 0.2 * x[1][r] + 0.1 * (rng.random::<f64>() - 0.5))
            .collect();
        let found = drivers(&d, &x);
        assert_eq!(found[0].parameter, 0);
        assert!(found[0].first_order > 0.9, "{:?}", found[0]);
        assert!(found[0].rank_correlation > 0.9);
        let f = found[0].flip.expect("a flip point");
        // E[d | x0] = 3 (x0 - 0.3) + 0.1 crosses zero at x0 = 0.2667
        assert!((f.at - 0.2667).abs() < 0.03 && !f.positive_below, "{f:?}");
        assert!(found[2].first_order < 0.05, "{:?}", found[2]);
    }

    #[test]
    fn spearman_is_one_for_monotone_and_handles_ties() {
        assert!((spearman(&[1.0, 2.0, 3.0, 4.0], &[1.0, 8.0, 27.0, 64.0]) - 1.0).abs() < 1e-12);
        assert!((spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
        assert_eq!(spearman(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), 0.0);
        assert_eq!(ranks(&[5.0, 1.0, 5.0]), vec![1.5, 0.0, 1.5]);
    }
}
