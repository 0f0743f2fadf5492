//! Morris elementary effects (Morris 1991, with the mu* of Campolongo, Cariboni & Saltelli 2007).
//!
//! A design of `r` trajectories in the unit cube, each `k + 1` points on a grid of `levels`
//! levels per factor; consecutive points differ in one factor by `delta = levels / (2 (levels - 1))`.
//! The elementary effect of a factor on one trajectory is the change of the output divided by
//! that step, in units of the factor's whole range. Over trajectories: `mu` (mean effect), `mu*`
//! (mean absolute effect, the screening measure) and `sigma` (spread: non-linearity or
//! interactions), with a bootstrap interval for `mu*` over trajectories.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

use super::percentile_interval;
use crate::hash::splitmix64;

/// Morris indices of one factor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MorrisIndex {
    /// Mean elementary effect.
    pub mu: f64,
    /// Mean absolute elementary effect.
    pub mu_star: f64,
    /// Standard deviation of the elementary effects.
    pub sigma: f64,
    /// 95% bootstrap interval of `mu_star`.
    pub mu_star_ci: (f64, f64),
    /// Elementary effects that entered (trajectories whose two runs both gave a number).
    pub effects: usize,
}

/// The step between two levels of a trajectory, in unit-cube coordinates.
pub fn delta(levels: u32) -> f64 {
    levels as f64 / (2.0 * (levels as f64 - 1.0))
}

/// `r` trajectories of `k + 1` points each, one after another. `levels` must be even and >= 2
/// (checked by the spec), so every grid level is equally likely at every point.
pub fn design(k: usize, r: usize, levels: u32, seed: u64) -> Vec<Vec<f64>> {
    assert!(
        levels >= 2 && levels % 2 == 0,
        "levels must be even and >= 2"
    );
    let p = levels as u64;
    let step = p / 2; // delta in level units
    let scale = (p - 1) as f64;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(splitmix64(seed ^ 0x6d6f_7272_6973));
    let mut points = Vec::with_capacity(r * (k + 1));
    for _ in 0..r {
        let mut at: Vec<u64> = (0..k).map(|_| rng.random_range(0..p)).collect();
        let mut order: Vec<usize> = (0..k).collect();
        for i in (1..k).rev() {
            order.swap(i, rng.random_range(0..=i));
        }
        points.push(at.iter().map(|&l| l as f64 / scale).collect());
        for &i in &order {
            // Up from the lower half of the levels, down from the upper half.
            at[i] = if at[i] < step {
                at[i] + step
            } else {
                at[i] - step
            };
            points.push(at.iter().map(|&l| l as f64 / scale).collect());
        }
    }
    points
}

/// Indices from a design's points and their outputs (`y[i]` for `points[i]`; NaN for a run that
/// failed, which drops the effects it enters). `bootstrap` resamples of the trajectories give
/// the interval of `mu*`.
pub fn analyse(
    k: usize,
    points: &[Vec<f64>],
    y: &[f64],
    bootstrap: usize,
    seed: u64,
) -> Vec<MorrisIndex> {
    assert_eq!(points.len(), y.len());
    assert_eq!(points.len() % (k + 1), 0, "whole trajectories");
    let r = points.len() / (k + 1);
    // effects[t][i]: the effect of factor i on trajectory t (None if a run failed).
    let mut effects = vec![vec![None; k]; r];
    for (t, row) in effects.iter_mut().enumerate() {
        for j in 1..=k {
            let (a, b) = (t * (k + 1) + j - 1, t * (k + 1) + j);
            let Some(i) = (0..k).find(|&i| points[a][i] != points[b][i]) else {
                continue;
            };
            let e = (y[b] - y[a]) / (points[b][i] - points[a][i]);
            if e.is_finite() {
                row[i] = Some(e);
            }
        }
    }
    let stats = |rows: &[usize], i: usize| -> (f64, f64, f64, usize) {
        let es: Vec<f64> = rows.iter().filter_map(|&t| effects[t][i]).collect();
        let n = es.len() as f64;
        let mu = es.iter().sum::<f64>() / n;
        let mu_star = es.iter().map(|e| e.abs()).sum::<f64>() / n;
        let sigma = (es.iter().map(|e| (e - mu).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        (mu, mu_star, sigma, es.len())
    };
    let all: Vec<usize> = (0..r).collect();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(splitmix64(seed ^ 0xb007_5742));
    let resamples: Vec<Vec<usize>> = (0..bootstrap)
        .map(|_| (0..r).map(|_| rng.random_range(0..r)).collect())
        .collect();
    (0..k)
        .map(|i| {
            let (mu, mu_star, sigma, n) = stats(&all, i);
            let boot: Vec<f64> = resamples.iter().map(|rows| stats(rows, i).1).collect();
            MorrisIndex {
                mu,
                mu_star,
                sigma,
                mu_star_ci: percentile_interval(boot),
                effects: n,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trajectories_step_one_factor_at_a_time_by_delta_on_the_grid() {
        let (k, r, p) = (5, 20, 6);
        let pts = design(k, r, p, 9);
        assert_eq!(pts.len(), r * (k + 1));
        for t in 0..r {
            let traj = &pts[t * (k + 1)..(t + 1) * (k + 1)];
            let mut moved = vec![false; k];
            for w in traj.windows(2) {
                let diff: Vec<usize> = (0..k).filter(|&i| w[0][i] != w[1][i]).collect();
                assert_eq!(diff.len(), 1);
                let i = diff[0];
                assert!(!moved[i], "each factor moves once per trajectory");
                moved[i] = true;
                assert!(((w[1][i] - w[0][i]).abs() - delta(p)).abs() < 1e-12);
            }
            for x in traj.iter().flatten() {
                let level = x * (p - 1) as f64;
                assert!((0.0..=1.0).contains(x) && (level - level.round()).abs() < 1e-9);
            }
        }
        assert_eq!(pts, design(k, r, p, 9));
        assert_ne!(pts, design(k, r, p, 10));
    }

    #[test]
    fn a_linear_function_has_its_slopes_as_effects_and_no_spread() {
        let c = [3.0, -2.0, 0.0, 0.5];
        let pts = design(4, 12, 4, 1);
        let y: Vec<f64> = pts
            .iter()
            .map(|x| x.iter().zip(c).map(|(x, c)| x * c).sum())
            .collect();
        let idx = analyse(4, &pts, &y, 50, 1);
        for (i, m) in idx.iter().enumerate() {
            assert!((m.mu - c[i]).abs() < 1e-9 && (m.mu_star - c[i].abs()).abs() < 1e-9);
            assert!(m.sigma < 1e-9 && m.effects == 12);
        }
    }

    #[test]
    fn a_failed_run_drops_only_the_effects_it_enters() {
        let pts = design(3, 4, 4, 2);
        let mut y: Vec<f64> = pts.iter().map(|x| x[0] + x[1] + x[2]).collect();
        y[1] = f64::NAN; // second point of the first trajectory: enters two effects
        let idx = analyse(3, &pts, &y, 0, 2);
        assert_eq!(idx.iter().map(|m| m.effects).sum::<usize>(), 12 - 2);
        assert!(idx.iter().all(|m| (m.mu - 1.0).abs() < 1e-9));
    }
}
