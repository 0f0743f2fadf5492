//! Typed trait distributions: built once from a validated [`DistSpec`], sampled many times.

use rand::Rng;
use rand_distr::{Beta, Distribution, Gamma, LogNormal, Uniform};

use super::raw::{DistKind, DistSpec};

/// A distribution ready to sample. Construct it with [`Dist::from_spec`]; validation has already
/// checked the parameters, so construction only fails on a spec that skipped validation.
#[derive(Debug, Clone)]
pub enum Dist {
    LogNormal(LogNormal<f64>),
    Beta(Beta<f64>),
    Gamma(Gamma<f64>),
    Constant(f64),
    Uniform(Uniform<f64>),
}

impl Dist {
    /// Build from a spec, or say which parameter is missing or invalid.
    pub fn from_spec(spec: &DistSpec) -> Result<Dist, String> {
        fn need(v: Option<f64>, name: &str, kind: &str) -> Result<f64, String> {
            v.ok_or_else(|| format!("a {kind} distribution needs `{name}`"))
        }
        let allowed: &[&str] = match spec.dist {
            DistKind::Lognormal => &["mu", "sigma"],
            DistKind::Beta => &["a", "b"],
            DistKind::Gamma => &["shape", "scale"],
            DistKind::Constant => &["value"],
            DistKind::Uniform => &["low", "high"],
        };
        let kind = format!("{:?}", spec.dist).to_lowercase();
        let given = [
            ("mu", spec.mu),
            ("sigma", spec.sigma),
            ("a", spec.a),
            ("b", spec.b),
            ("shape", spec.shape),
            ("scale", spec.scale),
            ("value", spec.value),
            ("low", spec.low),
            ("high", spec.high),
        ];
        for (name, v) in given {
            if let Some(v) = v {
                if !allowed.contains(&name) {
                    return Err(format!(
                        "`{name}` is not a parameter of a {kind} distribution (it takes {})",
                        allowed
                            .iter()
                            .map(|a| format!("`{a}`"))
                            .collect::<Vec<_>>()
                            .join(" and ")
                    ));
                }
                if !v.is_finite() {
                    return Err(format!("`{name}` = {v} must be a finite number"));
                }
            }
        }
        Ok(match spec.dist {
            DistKind::Lognormal => {
                let mu = need(spec.mu, "mu", &kind)?;
                let sigma = need(spec.sigma, "sigma", &kind)?;
                if sigma < 0.0 {
                    return Err(format!("`sigma` = {sigma} must be >= 0"));
                }
                Dist::LogNormal(LogNormal::new(mu, sigma).map_err(|e| e.to_string())?)
            }
            DistKind::Beta => {
                let a = need(spec.a, "a", &kind)?;
                let b = need(spec.b, "b", &kind)?;
                if a <= 0.0 || b <= 0.0 {
                    return Err(format!("`a` = {a} and `b` = {b} must both be > 0"));
                }
                Dist::Beta(Beta::new(a, b).map_err(|e| e.to_string())?)
            }
            DistKind::Gamma => {
                let shape = need(spec.shape, "shape", &kind)?;
                let scale = need(spec.scale, "scale", &kind)?;
                if shape <= 0.0 || scale <= 0.0 {
                    return Err(format!(
                        "`shape` = {shape} and `scale` = {scale} must both be > 0"
                    ));
                }
                Dist::Gamma(Gamma::new(shape, scale).map_err(|e| e.to_string())?)
            }
            DistKind::Constant => Dist::Constant(need(spec.value, "value", &kind)?),
            DistKind::Uniform => {
                let low = need(spec.low, "low", &kind)?;
                let high = need(spec.high, "high", &kind)?;
                if low > high {
                    return Err(format!("`low` = {low} must be <= `high` = {high}"));
                }
                Dist::Uniform(Uniform::new_inclusive(low, high).map_err(|e| e.to_string())?)
            }
        })
    }

    /// The support of the distribution, used to check bounded traits (shares must stay in [0, 1]).
    pub fn support(&self) -> (f64, f64) {
        match self {
            Dist::LogNormal(_) | Dist::Gamma(_) => (0.0, f64::INFINITY),
            Dist::Beta(_) => (0.0, 1.0),
            Dist::Constant(v) => (*v, *v),
            Dist::Uniform(_) => (f64::NAN, f64::NAN), // replaced by the spec's bounds in `support_of`
        }
    }

    /// Draw one value.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Dist::LogNormal(d) => d.sample(rng),
            Dist::Beta(d) => d.sample(rng),
            Dist::Gamma(d) => d.sample(rng),
            Dist::Constant(v) => *v,
            Dist::Uniform(d) => d.sample(rng),
        }
    }
}

/// The support of a validated spec: `(low, high)`.
pub fn support_of(spec: &DistSpec, dist: &Dist) -> (f64, f64) {
    match dist {
        Dist::Uniform(_) => (spec.low.unwrap_or(f64::NAN), spec.high.unwrap_or(f64::NAN)),
        other => other.support(),
    }
}
