//! The behavioural model: traits, the weekly decision, productivity, bots and incidents
//! (MODEL.md sections 2-5). Pure functions of a snapshot and an RNG; no state is mutated here.

pub mod decide;
pub mod dist;
pub mod traits;
