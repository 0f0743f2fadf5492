//! The expected value of information for a choice among options, from the samples already run.
//!
//! - EVPI: `mean_r max_d NB[d][r] - max_d mean_r NB[d][r]` (with seed noise in the samples, an
//!   upper bound on what knowing the parameters would be worth).
//! - EVPPI of one parameter, by the regression method of Strong, Oakley & Brennan (2014,
//!   "Estimating multiparameter partial expected value of perfect information from a
//!   probabilistic sensitivity analysis sample: a nonparametric regression approach", Medical
//!   Decision Making 34(3)): regress each option's net benefit on the parameter's sampled
//!   values; the fitted values `g[d][r]` estimate `E[NB_d | x_r]`, and
//!   `EVPPI = mean_r max_d g[d][r] - max_d mean_r g[d][r]`.
//!
//! The net benefit is taken relative to the first option (`NB_d - NB_0`), which leaves both
//! measures unchanged and removes the noise the options share.

use super::smooth;

/// EVPI of a choice: `nb[d][r]` is option `d`'s net benefit in sample `r` (all finite).
pub fn evpi(nb: &[Vec<f64>]) -> f64 {
    value_of(&relative(nb))
}

/// EVPPI of the parameter whose sampled values are `x` (one per sample).
pub fn evppi(nb: &[Vec<f64>], x: &[f64]) -> f64 {
    let fitted: Vec<Vec<f64>> = relative(nb).iter().map(|y| smooth::fit(x, y)).collect();
    value_of(&fitted).max(0.0)
}

/// Each option's net benefit minus the first option's, sample by sample.
fn relative(nb: &[Vec<f64>]) -> Vec<Vec<f64>> {
    nb.iter()
        .map(|d| d.iter().zip(&nb[0]).map(|(a, b)| a - b).collect())
        .collect()
}

/// `mean_r max_d v[d][r] - max_d mean_r v[d][r]` (0 without samples).
fn value_of(v: &[Vec<f64>]) -> f64 {
    let n = v.first().map_or(0, Vec::len);
    if n == 0 {
        return 0.0;
    }
    let best_each = (0..n)
        .map(|r| v.iter().map(|d| d[r]).fold(f64::NEG_INFINITY, f64::max))
        .sum::<f64>()
        / n as f64;
    let best_mean = v
        .iter()
        .map(|d| d.iter().sum::<f64>() / n as f64)
        .fold(f64::NEG_INFINITY, f64::max);
    best_each - best_mean
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    /// A toy decision with a closed form: option 1's net benefit is `x + z + e` against option
    /// 0's 0, with x, z ~ U(-1, 1) and noise e ~ U(-1, 1). Knowing x you pick option 1 exactly
    /// when `E[NB_1 | x] = x > 0`, so EVPPI(x) = E[max(0, x)] = 1/4, and the same for z; EVPI
    /// (perfect knowledge of x, z and e) = E[max(0, x + z + e)] = 13/32.
    #[test]
    fn evppi_matches_the_closed_form_of_a_toy_decision() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let n = 4000;
        let u = |rng: &mut rand::rngs::StdRng| rng.random::<f64>() * 2.0 - 1.0;
        let (mut x, mut z, mut nb1) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..n {
            let (a, b, e) = (u(&mut rng), u(&mut rng), u(&mut rng));
            x.push(a);
            z.push(b);
            nb1.push(a + b + e);
        }
        let nb = vec![vec![0.0; n], nb1];
        // Stated error of the estimator at 4,000 samples: +-0.02 (the Monte Carlo error of the
        // mean of max(0, x) alone is about 0.005).
        for (name, p) in [("x", &x), ("z", &z)] {
            let v = evppi(&nb, p);
            assert!(
                (v - 0.25).abs() < 0.02,
                "EVPPI({name}) = {v}, closed form 0.25"
            );
        }
        // An input unrelated to the net benefit is worth nothing, up to the smoother's upward
        // bias from fitting noise (within the stated error).
        let w: Vec<f64> = (0..n).map(|_| u(&mut rng)).collect();
        assert!(evppi(&nb, &w) < 0.02, "{}", evppi(&nb, &w));
        // E[max(0, S)] for S the sum of three U(-1, 1): S = 2T - 3 with T Irwin-Hall(3), so
        // E[max(0, S)] = E|S| / 2 = E|T - 3/2| = 13/32.
        let all = evpi(&nb);
        assert!(
            (all - 13.0 / 32.0).abs() < 0.02,
            "EVPI = {all}, closed form 13/32"
        );
        assert!(all >= evppi(&nb, &x), "EVPI bounds every EVPPI");
    }

    #[test]
    fn a_choice_that_never_changes_has_no_value_of_information() {
        let x: Vec<f64> = (0..100).map(f64::from).collect();
        let nb = vec![vec![0.0; 100], x.iter().map(|v| 10.0 + v).collect()];
        assert_eq!(evpi(&nb), 0.0);
        assert!(evppi(&nb, &x).abs() < 1e-9);
    }
}
