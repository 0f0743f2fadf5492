//! Per-point statistics of a sweep's runs: mean, standard deviation and a 95% confidence interval
//! (Student's t) of every figure.

use super::RunRecord;
use super::spec::Point;

/// Mean, sample standard deviation and 95% confidence interval of one figure at one point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stat {
    pub n: u32,
    pub mean: f64,
    pub sd: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// Statistics of every figure at one point.
#[derive(Debug, Clone, PartialEq)]
pub struct PointStats {
    pub point: u64,
    pub values: Point,
    pub runs_ok: u32,
    pub runs_failed: u32,
    pub stats: Vec<Stat>,
}

/// Two-sided 95% quantile of Student's t with `df` degrees of freedom.
pub fn t95(df: u32) -> f64 {
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::NAN,
        d if d <= 30 => T[d as usize - 1],
        d if d <= 60 => 2.000 + (2.042 - 2.000) * (60 - d) as f64 / 30.0,
        _ => 1.96,
    }
}

/// Statistics of a sample (NaN where undefined).
pub fn stat(xs: &[f64]) -> Stat {
    let n = xs.len();
    if n == 0 {
        return Stat {
            n: 0,
            mean: f64::NAN,
            sd: f64::NAN,
            ci_low: f64::NAN,
            ci_high: f64::NAN,
        };
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    if n == 1 {
        return Stat {
            n: 1,
            mean,
            sd: f64::NAN,
            ci_low: f64::NAN,
            ci_high: f64::NAN,
        };
    }
    let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
    let half = t95(n as u32 - 1) * sd / (n as f64).sqrt();
    Stat {
        n: n as u32,
        mean,
        sd,
        ci_low: mean - half,
        ci_high: mean + half,
    }
}

/// Per-point statistics of `records` (sorted by id), for `figures` figures per record.
pub fn by_point(points: &[Point], records: &[RunRecord], figures: usize) -> Vec<PointStats> {
    // One pass over the records (a design can have a million points), keeping their order.
    let mut by: Vec<Vec<&RunRecord>> = vec![Vec::new(); points.len()];
    for r in records {
        if let Some(runs) = by.get_mut(r.point as usize) {
            runs.push(r);
        }
    }
    points
        .iter()
        .zip(by)
        .enumerate()
        .map(|(p, (values, runs))| {
            let ok: Vec<&&RunRecord> = runs.iter().filter(|r| r.error.is_none()).collect();
            let stats = (0..figures)
                .map(|f| {
                    let xs: Vec<f64> = ok
                        .iter()
                        .filter_map(|r| r.figures.get(f).copied().flatten())
                        .filter(|x| x.is_finite())
                        .collect();
                    stat(&xs)
                })
                .collect();
            PointStats {
                point: p as u64,
                values: values.clone(),
                runs_ok: ok.len() as u32,
                runs_failed: (runs.len() - ok.len()) as u32,
                stats,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_sd_and_t_interval() {
        let s = stat(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(s.mean, 2.5);
        assert!((s.sd - 1.2909944).abs() < 1e-6);
        let half = 3.182 * s.sd / 2.0;
        assert!((s.ci_high - (2.5 + half)).abs() < 1e-9 && (s.ci_low - (2.5 - half)).abs() < 1e-9);
        assert!(stat(&[5.0]).sd.is_nan());
        assert_eq!(t95(1000), 1.96);
    }
}
