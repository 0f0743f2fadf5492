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
