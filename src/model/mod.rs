//! The behavioural model: traits, adoption, the weekly decision, the output side, bots and
//! incidents (docs/model.md). Pure functions of a snapshot and an RNG; no state is mutated here.

pub mod adoption;
pub mod decide;
pub mod dist;
pub mod managers;
pub mod traits;
pub mod work;
