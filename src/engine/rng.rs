//! Random-number streams. Every draw of a run comes from a stream keyed only by
//! `(seed, replication, entity, week, purpose)`, so results do not depend on thread count or
//! processing order, and a fork at week k redraws exactly what the original run drew.
//!
//! The generator is xoshiro256++ (a named algorithm, stable across rand versions), seeded from
//! a SplitMix64 hash of the key.

use std::ops::Range;

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;

/// Who a stream belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Agent(u32),
    Team(u32),
}

/// What a stream is for, so that adding draws for one purpose never shifts another's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    Hire = 1,
    Decide = 2,
    Review = 3,
    Nudge = 4,
    /// A comparison's draw of uncertain parameters for one replication.
    Priors = 5,
}

/// The hash the streams are keyed by, [`crate::hash::splitmix64`] (re-exported here for the
/// engine's callers; code outside the engine imports it from `crate::hash`).
pub use crate::hash::splitmix64;

/// The stream for one key.
pub fn stream(
    seed: u64,
    replication: u32,
    entity: Entity,
    week: u32,
    purpose: Purpose,
) -> Xoshiro256PlusPlus {
    RunStreams::new(seed, replication).stream(entity, week, purpose)
}

/// The streams of one run (seed and replication): the part of the key hash they share is
/// computed once, so a stream costs two fewer hashes. Gives exactly [`stream`]'s generators.
#[derive(Debug, Clone, Copy)]
pub struct RunStreams(u64);

impl RunStreams {
    pub fn new(seed: u64, replication: u32) -> RunStreams {
        RunStreams(splitmix64(splitmix64(seed) ^ replication as u64))
    }

    /// The stream for one entity, week and purpose of this run.
    pub fn stream(self, entity: Entity, week: u32, purpose: Purpose) -> Xoshiro256PlusPlus {
        let (kind, id) = match entity {
            Entity::Agent(i) => (1u64, i as u64),
            Entity::Team(j) => (2u64, j as u64),
        };
        generator(seed_words(self.0, kind << 32 | id, week, purpose))
    }

    /// The streams of agents `agents` for one week and purpose, in agent order: exactly
    /// [`RunStreams::stream`]'s generators, their seeds hashed side by side (in SIMD lanes where
    /// the processor multiplies 64-bit integers in them) instead of one agent at a time.
    pub fn agent_streams(
        self,
        agents: Range<u32>,
        week: u32,
        purpose: Purpose,
    ) -> Vec<Xoshiro256PlusPlus> {
        let mut words = vec![[0u64; 4]; agents.len()];
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512dq") {
            // SAFETY: the processor has the features, just detected.
            unsafe { wide::fill_seed_words(self.0, agents.start, &mut words, week, purpose) };
            return words.into_iter().map(generator).collect();
        }
        fill_seed_words(self.0, agents.start, &mut words, week, purpose);
        words.into_iter().map(generator).collect()
    }
}

/// The four state words of a stream's generator, from the run's hash and the rest of the key.
#[inline(always)]
fn seed_words(run: u64, entity: u64, week: u32, purpose: Purpose) -> [u64; 4] {
    let mut h = run;
    for part in [entity, week as u64, purpose as u64] {
        h = splitmix64(h ^ part);
    }
    [0, 1, 2, 3].map(|k| splitmix64(h.wrapping_add(k)))
}

/// The seed words of agents `first..first + out.len()`, in a loop the compiler vectorises.
#[inline(always)]
fn fill_seed_words(run: u64, first: u32, out: &mut [[u64; 4]], week: u32, purpose: Purpose) {
    for (k, w) in out.iter_mut().enumerate() {
        *w = seed_words(run, 1 << 32 | (u64::from(first) + k as u64), week, purpose);
    }
}

/// The agents' seeds compiled for 512-bit lanes with 64-bit multiplies: the same integer
/// arithmetic, so the same words.
#[cfg(target_arch = "x86_64")]
mod wide {
    use super::Purpose;

    #[target_feature(enable = "avx512f,avx512dq")]
    pub fn fill_seed_words(
        run: u64,
        first: u32,
        out: &mut [[u64; 4]],
        week: u32,
        purpose: Purpose,
    ) {
        super::fill_seed_words(run, first, out, week, purpose)
    }
}

/// A generator seeded with `words` (little-endian bytes, as `from_seed` reads them).
#[inline(always)]
fn generator(words: [u64; 4]) -> Xoshiro256PlusPlus {
    let mut bytes = [0u8; 32];
    for (chunk, w) in bytes.chunks_exact_mut(8).zip(words) {
        chunk.copy_from_slice(&w.to_le_bytes());
    }
    Xoshiro256PlusPlus::from_seed(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: u64 = stream(1, 0, Entity::Agent(5), 3, Purpose::Decide).random();
        let b: u64 = stream(1, 0, Entity::Agent(5), 3, Purpose::Decide).random();
        assert_eq!(a, b);
        let keys = [
            stream(2, 0, Entity::Agent(5), 3, Purpose::Decide),
            stream(1, 1, Entity::Agent(5), 3, Purpose::Decide),
            stream(1, 0, Entity::Agent(6), 3, Purpose::Decide),
            stream(1, 0, Entity::Team(5), 3, Purpose::Decide),
            stream(1, 0, Entity::Agent(5), 4, Purpose::Decide),
            stream(1, 0, Entity::Agent(5), 3, Purpose::Review),
        ];
        for mut k in keys {
            assert_ne!(k.random::<u64>(), a);
        }
    }

    #[test]
    fn a_chunk_s_streams_are_the_agents_own() {
        let run = RunStreams::new(9, 2);
        let chunk = run.agent_streams(4090..4200, 7, Purpose::Decide);
        assert_eq!(chunk.len(), 110);
        for (i, mut g) in (4090..4200).zip(chunk) {
            let mut own = run.stream(Entity::Agent(i), 7, Purpose::Decide);
            for _ in 0..3 {
                assert_eq!(g.random::<u64>(), own.random::<u64>());
            }
        }
    }
}
