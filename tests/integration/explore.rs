//! Model exploration: the sensitivity methods on the Ishigami function (analytic indices), and
//! calibration recovering parameters the simulator itself generated targets with.

use std::f64::consts::PI;

use tokenmaxx::explore::{morris, sobol};

/// Ishigami & Homma (1990) with a = 7, b = 0.1 on [-pi, pi]^3, from unit coordinates.
fn ishigami(u: &[f64]) -> f64 {
    let x: Vec<f64> = u.iter().map(|u| -PI + 2.0 * PI * u).collect();
    x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
}

#[test]
fn sobol_indices_of_ishigami_match_the_analytic_values() {
    // Analytic values (e.g. Saltelli et al. 2008, "Global Sensitivity Analysis: The Primer"):
    // S = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437).
    let first = [0.3139, 0.4424, 0.0];
    let total = [0.5576, 0.4424, 0.2437];
    let (k, n) = (3, 8192);
    let y: Vec<f64> = sobol::design(k, n, 7).iter().map(|u| ishigami(u)).collect();
    let idx = sobol::analyse(k, &y, 200, 7);
    for i in 0..k {
        let s = &idx[i];
        assert!((s.first - first[i]).abs() < 0.02, "S{}: {s:?}", i + 1);
        assert!((s.total - total[i]).abs() < 0.02, "ST{}: {s:?}", i + 1);
        // The bootstrap intervals are honest: they contain the truth (with a little slack for
        // the 5% they may miss) and are narrow at this sample size.
        assert!(
            s.first_ci.0 - 0.01 <= first[i] && first[i] <= s.first_ci.1 + 0.01,
            "{s:?}"
        );
        assert!(
            s.total_ci.0 - 0.01 <= total[i] && total[i] <= s.total_ci.1 + 0.01,
            "{s:?}"
        );
        assert!(s.total_ci.1 - s.total_ci.0 < 0.08, "{s:?}");
    }
    // Far fewer rows: the estimates are rougher but the ordering of total effects holds.
    let y: Vec<f64> = sobol::design(k, 256, 1)
        .iter()
        .map(|u| ishigami(u))
        .collect();
    let rough = sobol::analyse(k, &y, 100, 1);
    assert!(
        rough[0].total > rough[1].total && rough[1].total > rough[2].total,
        "{rough:?}"
    );
}

#[test]
fn morris_effects_of_ishigami_match_their_exact_expectation() {
    // On a grid of p = 4 levels with delta = 2/3, an elementary effect of factor i compares the
    // two levels l and l + 2 (l = 0 or 1) with the other factors on any of the 4 levels, each
    // combination equally likely. Enumerating the 2 x 4^2 cases gives mu* and mu exactly.
    let (k, p) = (3usize, 4u32);
    let d = morris::delta(p);
    let level = |l: u32| l as f64 / (p - 1) as f64;
    let mut exact_mu_star = [0.0; 3];
    let mut exact_mu = [0.0; 3];
    for i in 0..k {
        let mut cases = 0.0;
        for lo in 0..2 {
            for a in 0..p {
                for b in 0..p {
                    let mut x = [0.0; 3];
                    let others: Vec<usize> = (0..k).filter(|&j| j != i).collect();
                    x[others[0]] = level(a);
                    x[others[1]] = level(b);
                    x[i] = level(lo);
                    let f0 = ishigami(&x);
                    x[i] = level(lo + 2);
                    let e = (ishigami(&x) - f0) / d;
                    exact_mu_star[i] += e.abs();
                    exact_mu[i] += e;
                    cases += 1.0;
                }
            }
        }
        exact_mu_star[i] /= cases;
        exact_mu[i] /= cases;
    }
    let pts = morris::design(k, 2000, p, 3);
    let y: Vec<f64> = pts.iter().map(|u| ishigami(u)).collect();
    let idx = morris::analyse(k, &pts, &y, 200, 3);
    for i in 0..k {
        let m = &idx[i];
        let se = m.sigma / (m.effects as f64).sqrt();
        assert!(
            (m.mu_star - exact_mu_star[i]).abs() < 0.05 * exact_mu_star[i],
            "x{}: {m:?} vs {}",
            i + 1,
            exact_mu_star[i]
        );
        assert!(
            (m.mu - exact_mu[i]).abs() < 4.0 * se + 1e-9,
            "x{}: {m:?} vs {}",
            i + 1,
            exact_mu[i]
        );
        assert!(m.mu_star_ci.0 <= m.mu_star && m.mu_star <= m.mu_star_ci.1);
    }
    // x2 enters only through sin^2, which is symmetric on this grid: mu is ~0 while mu* is not.
    assert!(exact_mu[1].abs() < 1e-9 && idx[1].mu_star > 1.0);
}
