//! Decision analysis over the samples of a comparison (pure functions over numbers; the
//! comparison builds the inputs and words the results): which parameters drive a difference
//! and where they flip it ([`attribution`]), and what knowing a parameter would be worth to the
//! choice ([`evppi`]). Both reuse one regression smoother ([`smooth`]).

pub mod attribution;
pub mod evppi;
pub mod smooth;
