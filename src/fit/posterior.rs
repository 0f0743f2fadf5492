//! The fit's posterior: the candidates the differential evolution evaluated whose loss is within
//! a likelihood-ratio margin of the best, written as priors (`posterior.toml`, the form of
//! `scenarios/priors/calibrated.toml`) that `compare` draws from on the fitted scenario.
//!
//! The loss is a sum of squared standardised errors, `sum_j ((m_j - observed_j) / tolerance_j)^2`:
//! read as `-2 log L` of moments with independent normal errors of standard deviation
//! `tolerance_j`, the candidates with `loss <= best + chi2(k, 0.95)` (`k` fitted parameters) form
//! the 95% likelihood-ratio region of the parameters (Wilks), which always holds the best. The
//! draws are the distinct candidates inside it, thinned evenly to at most [`MAX_DRAWS`].

use std::fmt::Write as _;

use super::{Candidate, Fit};
use crate::paths::POSTERIOR_HEADER;

/// Most accepted draws written (evenly thinned in candidate order beyond it).
pub const MAX_DRAWS: usize = 1000;

/// The 95% quantile of the chi-square distribution with `k` degrees of freedom, `k` in 1..=10
/// (a fit has at most six parameters); Wilson and Hilferty's approximation beyond.
pub fn chi2_95(k: usize) -> f64 {
    const TABLE: [f64; 10] = [
        3.841, 5.991, 7.815, 9.488, 11.070, 12.592, 14.067, 15.507, 16.919, 18.307,
    ];
    match k {
        1..=10 => TABLE[k - 1],
        _ => {
            let k = k.max(1) as f64;
            let a = 2.0 / (9.0 * k);
            k * (1.0 - a + 1.645 * a.sqrt()).powi(3)
        }
    }
}

/// The accepted candidates of a fit of `k` parameters: finite loss within `chi2_95(k)` of the
/// best, each parameter vector once (the first candidate of equal vectors), in candidate order,
/// thinned to [`MAX_DRAWS`].
pub fn accepted<'c>(k: usize, candidates: &'c [Candidate], best: &Candidate) -> Vec<&'c Candidate> {
    let cut = best.loss + chi2_95(k);
    let mut kept: Vec<&Candidate> = Vec::new();
    for c in candidates
        .iter()
        .filter(|c| c.loss.is_finite() && c.loss <= cut)
    {
        if !kept.iter().any(|k| k.values == c.values) {
            kept.push(c);
        }
    }
    if kept.len() <= MAX_DRAWS {
        return kept;
    }
    let n = kept.len();
    (0..MAX_DRAWS).map(|i| kept[i * n / MAX_DRAWS]).collect()
}

/// A number as TOML writes a float (`1000000000.0`, never an integer).
fn float(v: f64) -> String {
    toml::Value::Float(v).to_string()
}

/// posterior.toml's text: how it was made, each parameter's search range and kept range, and
/// the accepted draws (each value clamped into its range against rounding at the bounds).
pub fn text(fit: &Fit, candidates: &[Candidate], best: &Candidate) -> String {
    let k = fit.params.len();
    let kept = accepted(k, candidates, best);
    let evaluated = candidates.iter().filter(|c| c.loss.is_finite()).count();
    let mut t = format!(
        "{POSTERIOR_HEADER}\n# from a usage profile ({} people, {} weeks). `tokenmaxx compare` on the fitted scenario\n# draws these parameters from it by default (docs/guide/organisation.md).\n",
        fit.observed.headcount.total,
        fit.observed.weeks.len()
    );
    let _ = writeln!(
        t,
        "# Accepted: the candidates of the fit with loss <= best + chi2({k}, 0.95) = {:.3} + {:.3}\n# (the 95% likelihood-ratio region of the loss read as -2 log L): {} distinct of {evaluated}\n# evaluated{}.",
        best.loss,
        chi2_95(k),
        kept.len(),
        if kept.len() == MAX_DRAWS {
            format!(", thinned evenly to {MAX_DRAWS}")
        } else {
            String::new()
        }
    );
    t.push_str("# Kept range (min-max of the accepted draws) against the search range:\n");
    for (j, p) in fit.params.iter().enumerate() {
        let col = kept.iter().map(|c| c.values[j]);
        let (lo, hi) = col.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
        let _ = writeln!(
            t,
            "#   {}: [{lo:.4}, {hi:.4}] of [{}, {}]",
            p.path(),
            p.low,
            p.high
        );
    }
    t.push_str("\n[parameters]\n");
    for p in &fit.params {
        let _ = writeln!(
            t,
            "\"{}\" = {{ low = {}, high = {} }}",
            p.path(),
            float(p.low),
            float(p.high)
        );
    }
    t.push_str("\n[accepted]\nparameters = [\n");
    for p in &fit.params {
        let _ = writeln!(t, "  \"{}\",", p.path());
    }
    t.push_str("]\ndraws = [\n");
    for c in kept {
        let row: Vec<String> = fit
            .params
            .iter()
            .zip(&c.values)
            .map(|(p, v)| float(v.clamp(p.low, p.high)))
            .collect();
        let _ = writeln!(t, "  [{}],", row.join(", "));
    }
    t.push_str("]\n");
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chi_square_margin_matches_its_table_and_the_approximation_beyond() {
        assert_eq!(chi2_95(4), 9.488);
        assert_eq!(chi2_95(6), 12.592);
        // Wilson-Hilferty at 11 degrees of freedom against the tabulated 19.675
        assert!((chi2_95(11) - 19.675).abs() < 0.05, "{}", chi2_95(11));
    }

    #[test]
    fn accepted_candidates_lie_within_the_margin_of_the_best_each_vector_once() {
        // given losses 5, 10, 14.9, NaN and a repeat of the first vector, with four parameters
        // (margin 9.488): then 5 and 10 are kept, 14.9 > 14.488 is not, nor the NaN or the repeat
        let c = |index: usize, v: f64, loss: f64| Candidate {
            index,
            generation: 0,
            values: vec![v; 4],
            simulated: Vec::new(),
            loss,
        };
        let all = vec![
            c(0, 1.0, 5.0),
            c(1, 2.0, 10.0),
            c(2, 3.0, 14.9),
            c(3, 4.0, f64::NAN),
            c(4, 1.0, 5.0),
        ];
        let kept: Vec<usize> = accepted(4, &all, &all[0]).iter().map(|c| c.index).collect();
        assert_eq!(kept, vec![0, 1]);
        // and beyond MAX_DRAWS the accepted are thinned evenly, the first kept
        let many: Vec<Candidate> = (0..2500).map(|i| c(i, i as f64, 1.0)).collect();
        let kept = accepted(4, &many, &many[0]);
        assert_eq!(kept.len(), MAX_DRAWS);
        assert_eq!(
            (kept[0].index, kept[1].index, kept[999].index),
            (0, 2, 2497)
        );
    }
}
