//! Employee traits, drawn once at hiring (docs/model.md).

use rand::Rng;

use crate::scenario::TraitDists;

/// The fixed traits of one employee.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Traits {
    /// `s`: output units per week without AI.
    pub skill: f64,
    /// `f`: share of the work where AI genuinely helps, in [0, 1].
    pub ai_fit: f64,
    /// `q(0)`: initial proficiency with AI tools, in [0, 1].
    pub proficiency0: f64,
    /// `c`: weight on what the employee believes managers evaluate, in [0, 1].
    pub career_concern: f64,
    /// `r`: weight on visible leaderboard rank, in [0, 1].
    pub status_drive: f64,
    /// `g`: cost of padding, output units per `pad_scale` tokens.
    pub gaming_aversion: f64,
    /// `w`: tokens burnt per unit of effective AI work.
    pub token_intensity: f64,
    /// `tau`: how much official statements move beliefs, in [0, 1].
    pub trust: f64,
    /// `o`: optimism, added to the gain coefficient the employee believes in.
    pub optimism: f64,
}

impl Traits {
    /// Draw a new employee's traits; the draw order is fixed (it is part of the RNG contract).
    pub fn draw<R: Rng + ?Sized>(d: &TraitDists, rng: &mut R) -> Traits {
        let unit = |v: f64| v.clamp(0.0, 1.0);
        Traits {
            skill: d.skill.sample(rng).max(0.0),
            ai_fit: unit(d.ai_fit.sample(rng)),
            proficiency0: unit(d.proficiency.sample(rng)),
            career_concern: unit(d.career_concern.sample(rng)),
            status_drive: unit(d.status_drive.sample(rng)),
            gaming_aversion: d.gaming_aversion.sample(rng).max(0.0),
            // A zero intensity would make effective work infinite per token: floor it.
            token_intensity: d.token_intensity.sample(rng).max(1e-6),
            trust: unit(d.trust.sample(rng)),
            optimism: d.optimism.sample(rng),
        }
    }
}

/// [`Traits`] as they are kept for the run: in single precision, 36 bytes an employee instead of
/// 72 (docs/model.md, section 2.2). Every reader sees them through [`StoredTraits::traits`], so
/// the traits the model works with are the drawn ones rounded to the nearest `f32`: the
/// decisions, the fold, the projections and the event log (which keeps them exactly) agree.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct StoredTraits([f32; 9]);

impl Traits {
    /// These traits rounded to single precision (a finite magnitude past `f32::MAX` keeps its
    /// sign and becomes `f32::MAX`, where no trait distribution comes; NaN and infinities stay
    /// what they are, for the log's checks to refuse).
    pub fn stored(&self) -> StoredTraits {
        let f = |x: f64| {
            let y = x as f32;
            if x.is_finite() {
                y.clamp(-f32::MAX, f32::MAX)
            } else {
                y
            }
        };
        StoredTraits(self.values().map(f))
    }

    /// The traits' names (the event log's columns), in the order of [`Traits::values`].
    pub const NAMES: [&'static str; 9] = [
        "skill",
        "ai_fit",
        "proficiency0",
        "career_concern",
        "status_drive",
        "gaming_aversion",
        "token_intensity",
        "trust",
        "optimism",
    ];

    /// The nine traits in the order of the table in docs/model.md (and of the event log).
    pub fn values(&self) -> [f64; 9] {
        [
            self.skill,
            self.ai_fit,
            self.proficiency0,
            self.career_concern,
            self.status_drive,
            self.gaming_aversion,
            self.token_intensity,
            self.trust,
            self.optimism,
        ]
    }
}

impl StoredTraits {
    /// The traits, in the model's working precision.
    pub fn traits(&self) -> Traits {
        let v = self.0.map(f64::from);
        Traits {
            skill: v[0],
            ai_fit: v[1],
            proficiency0: v[2],
            career_concern: v[3],
            status_drive: v[4],
            gaming_aversion: v[5],
            token_intensity: v[6],
            trust: v[7],
            optimism: v[8],
        }
    }

    /// `s`, which the projections read every week.
    pub fn skill(&self) -> f64 {
        f64::from(self.0[0])
    }

    /// `w`, which the fold reads every week (learning by doing).
    pub fn token_intensity(&self) -> f64 {
        f64::from(self.0[6])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_traits_are_the_drawn_ones_rounded_to_single_precision() {
        let t = Traits {
            skill: 1.0 + 1e-12,
            ai_fit: 0.3,
            proficiency0: 1.0,
            career_concern: 0.0,
            status_drive: 0.7,
            gaming_aversion: 1e300,
            token_intensity: 1e-6,
            trust: 0.5,
            optimism: -0.1,
        };
        let back = t.stored().traits();
        assert_eq!(back.skill, 1.0);
        assert_eq!(back.ai_fit, f64::from(0.3f32));
        assert_ne!(back.ai_fit, 0.3);
        assert_eq!(
            (back.proficiency0, back.career_concern, back.trust),
            (1.0, 0.0, 0.5)
        );
        assert_eq!(back.gaming_aversion, f64::from(f32::MAX));
        assert_eq!(back.status_drive, f64::from(0.7f32));
        assert_eq!(back.optimism, f64::from(-0.1f32));
        assert!((back.token_intensity - 1e-6).abs() < 1e-13);
        // Storing what was read back changes nothing: the log keeps them exactly.
        assert_eq!(back.stored(), t.stored());
        assert_eq!(back.stored().skill(), back.skill);
        assert_eq!(back.stored().token_intensity(), back.token_intensity);
        let odd = Traits {
            skill: f64::NAN,
            trust: f64::INFINITY,
            ..t
        }
        .stored()
        .traits();
        assert!(odd.skill.is_nan() && odd.trust == f64::INFINITY);
    }
}
