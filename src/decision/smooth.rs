//! A regression smoother for the decision measures: least squares on a cubic regression spline
//! (truncated power basis) in the standardised input, its size chosen from the number of
//! samples so a small comparison does not fit noise (linear under 30 samples, quadratic under
//! 60, cubic under 120, then cubic with up to four interior knots at quantiles).

/// The fitted values of `y` regressed on `x` (same length; `x` and `y` finite). With fewer than
/// three samples or a constant `x`, every fitted value is the mean of `y`.
pub fn fit(x: &[f64], y: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mean_y = y.iter().sum::<f64>() / n.max(1) as f64;
    let (mx, sx) = mean_sd(x);
    if n < 3 || sx <= 0.0 || !sx.is_finite() {
        return vec![mean_y; n];
    }
    let z: Vec<f64> = x.iter().map(|v| (v - mx) / sx).collect();
    let knots = knots(&z);
    let degree = degree(n);
    let basis = |v: f64| -> Vec<f64> {
        let mut b: Vec<f64> = (0..=degree).map(|p| v.powi(p)).collect();
        b.extend(knots.iter().map(|k| (v - k).max(0.0).powi(3)));
        b
    };
    let rows: Vec<Vec<f64>> = z.iter().map(|v| basis(*v)).collect();
    match least_squares(&rows, y) {
        Some(beta) => rows
            .iter()
            .map(|r| r.iter().zip(&beta).map(|(a, b)| a * b).sum())
            .collect(),
        None => vec![mean_y; n],
    }
}

/// The polynomial degree of the fit to `n` samples.
fn degree(n: usize) -> i32 {
    match n {
        0..30 => 1,
        30..60 => 2,
        _ => 3,
    }
}

/// The number of coefficients the fit to `n` samples estimates (intercept included).
pub fn coefficients(n: usize) -> usize {
    degree(n) as usize + 1 + (n / 60).saturating_sub(1).min(4)
}

fn mean_sd(x: &[f64]) -> (f64, f64) {
    let n = x.len().max(1) as f64;
    let m = x.iter().sum::<f64>() / n;
    let v = x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / n;
    (m, v.sqrt())
}

/// Interior knots at equal-count quantiles of `z`: none under 120 samples, then one per 60
/// samples up to four.
fn knots(z: &[f64]) -> Vec<f64> {
    let k = coefficients(z.len()) - degree(z.len()) as usize - 1;
    if k == 0 {
        return Vec::new();
    }
    let mut s = z.to_vec();
    s.sort_by(f64::total_cmp);
    (1..=k).map(|j| s[j * s.len() / (k + 1)]).collect()
}

/// Least squares by the normal equations with a tiny ridge (for conditioning), solved by
/// Gaussian elimination with partial pivoting; None if singular.
fn least_squares(rows: &[Vec<f64>], y: &[f64]) -> Option<Vec<f64>> {
    let p = rows[0].len();
    let mut a = vec![vec![0.0; p + 1]; p];
    for (r, yv) in rows.iter().zip(y) {
        for i in 0..p {
            for j in 0..p {
                a[i][j] += r[i] * r[j];
            }
            a[i][p] += r[i] * yv;
        }
    }
    let scale = (0..p).map(|i| a[i][i]).fold(0.0, f64::max);
    for (i, row) in a.iter_mut().enumerate().skip(1) {
        row[i] += 1e-10 * scale;
    }
    solve(a)
}

/// Solve the augmented system `a` (p rows of p + 1).
fn solve(mut a: Vec<Vec<f64>>) -> Option<Vec<f64>> {
    let p = a.len();
    for c in 0..p {
        let pivot = (c..p).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))?;
        if a[pivot][c].abs() < 1e-300 {
            return None;
        }
        a.swap(c, pivot);
        let (top, rest) = a.split_at_mut(c + 1);
        let pivot_row = &top[c];
        for row in rest.iter_mut() {
            let f = row[c] / pivot_row[c];
            for (x, y) in row[c..].iter_mut().zip(&pivot_row[c..]) {
                *x -= f * y;
            }
        }
    }
    let mut x = vec![0.0; p];
    for r in (0..p).rev() {
        let s: f64 = (r + 1..p).map(|k| a[r][k] * x[k]).sum();
        x[r] = (a[r][p] - s) / a[r][r];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cubic_is_recovered_exactly_and_a_line_by_a_small_fit() {
        let x: Vec<f64> = (0..200).map(|i| f64::from(i) / 20.0 - 5.0).collect();
        let y: Vec<f64> = x
            .iter()
            .map(|v| 2.0 - v + 0.5 * v * v - 0.1 * v * v * v)
            .collect();
        for (f, t) in fit(&x, &y).iter().zip(&y) {
            assert!((f - t).abs() < 1e-6, "{f} vs {t}");
        }
        let (x, y): (Vec<f64>, Vec<f64>) = (0..20)
            .map(|i| (f64::from(i), 3.0 * f64::from(i) + 1.0))
            .unzip();
        for (f, t) in fit(&x, &y).iter().zip(&y) {
            assert!((f - t).abs() < 1e-6);
        }
    }

    #[test]
    fn a_constant_input_or_too_few_samples_fit_the_mean() {
        assert_eq!(fit(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), vec![2.0; 3]);
        assert_eq!(fit(&[1.0, 2.0], &[1.0, 3.0]), vec![2.0; 2]);
    }
}
