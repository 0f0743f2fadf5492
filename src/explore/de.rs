//! Differential evolution (Storn & Price 1997, DE/rand/1/bin) over the unit cube.
//!
//! Derivative-free and robust to the small ruggedness a stochastic simulator leaves even with
//! common random numbers. A generation's candidates are independent, so the caller evaluates
//! them as one batch (in parallel). Deterministic for a seed: the same losses give the same
//! candidates, which is what lets a calibration resume from its journal.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

use crate::hash::splitmix64;

/// Settings of a minimisation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Candidates per generation (at least 4).
    pub population: usize,
    /// Evaluations in all, the first generation included.
    pub budget: usize,
    /// Differential weight F.
    pub weight: f64,
    /// Crossover probability CR.
    pub crossover: f64,
    pub seed: u64,
}

/// One evaluated candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// 0-based evaluation number.
    pub index: usize,
    /// 0 for the initial (Latin hypercube) population.
    pub generation: usize,
    /// Coordinates in the unit cube.
    pub x: Vec<f64>,
    /// Its loss (NaN counts as worse than any number).
    pub loss: f64,
}

fn worse(a: f64, b: f64) -> bool {
    // Is `a` strictly worse than `b`? NaN is worst.
    match (a.is_nan(), b.is_nan()) {
        (true, false) => true,
        (false, false) => a > b,
        _ => false,
    }
}

/// What [`minimise`] calls: the losses of a batch of candidates (their points in `[0, 1]^k`),
/// numbered from the second argument.
pub type Evaluate<'a> = dyn FnMut(&[Vec<f64>], usize) -> Vec<f64> + 'a;

/// Minimise over `[0, 1]^k`. `evaluate(batch, first)` returns the losses of a batch of
/// candidates numbered from `first`. Returns every evaluation, in order.
pub fn minimise(k: usize, s: &Settings, evaluate: &mut Evaluate<'_>) -> Vec<Evaluation> {
    assert!(
        k >= 1 && s.population >= 4,
        "k >= 1 and a population of at least 4"
    );
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(splitmix64(s.seed ^ 0xde_de_de));
    let np = s.population.min(s.budget);
    let mut pop = initial_population(k, np, &mut rng);
    let mut trace = Vec::with_capacity(s.budget);
    let mut losses = evaluate(&pop, 0);
    for (i, (x, l)) in pop.iter().zip(&losses).enumerate() {
        trace.push(Evaluation {
            index: i,
            generation: 0,
            x: x.clone(),
            loss: *l,
        });
    }
    let mut generation = 0;
    while trace.len() < s.budget && np >= 4 {
        generation += 1;
        let room = (s.budget - trace.len()).min(np);
        let trials: Vec<Vec<f64>> = (0..room).map(|i| trial(&pop, i, k, s, &mut rng)).collect();
        let first = trace.len();
        let trial_losses = evaluate(&trials, first);
        for (i, (x, l)) in trials.into_iter().zip(trial_losses).enumerate() {
            trace.push(Evaluation {
                index: first + i,
                generation,
                x: x.clone(),
                loss: l,
            });
            // Selection: the trial replaces its parent unless it is worse.
            if !worse(l, losses[i]) {
                pop[i] = x;
                losses[i] = l;
            }
        }
    }
    trace
}

/// The initial population of `np` candidates in `k` dimensions: a Latin hypercube (one draw
/// per stratum of each coordinate, the strata shuffled).
fn initial_population(k: usize, np: usize, rng: &mut Xoshiro256PlusPlus) -> Vec<Vec<f64>> {
    let mut columns: Vec<Vec<f64>> = (0..k)
        .map(|_| {
            let mut c: Vec<f64> = (0..np)
                .map(|i| (i as f64 + rng.random::<f64>()) / np as f64)
                .collect();
            for i in (1..np).rev() {
                c.swap(i, rng.random_range(0..=i));
            }
            c
        })
        .collect();
    (0..np)
        .map(|i| columns.iter_mut().map(|c| c[i]).collect())
        .collect()
}

/// The trial of candidate `i` (DE/rand/1/bin): the mutant `a + F (b - c)` of three other
/// distinct candidates, crossed over with the parent coordinate by coordinate (at least one
/// coordinate, `forced`, from the mutant).
fn trial(
    pop: &[Vec<f64>],
    i: usize,
    k: usize,
    s: &Settings,
    rng: &mut Xoshiro256PlusPlus,
) -> Vec<f64> {
    let np = pop.len();
    let mut pick = |not: &[usize]| loop {
        let j = rng.random_range(0..np);
        if !not.contains(&j) {
            return j;
        }
    };
    let a = pick(&[i]);
    let b = pick(&[i, a]);
    let c = pick(&[i, a, b]);
    let forced = rng.random_range(0..k);
    (0..k)
        .map(|d| {
            if d != forced && rng.random::<f64>() >= s.crossover {
                return pop[i][d];
            }
            let v = pop[a][d] + s.weight * (pop[b][d] - pop[c][d]);
            // Out of the box: halfway from the parent to the bound it crossed.
            if v < 0.0 {
                pop[i][d] / 2.0
            } else if v > 1.0 {
                (pop[i][d] + 1.0) / 2.0
            } else {
                v
            }
        })
        .collect()
}

/// The best evaluation of a trace (the first of equals; None if every loss is NaN).
pub fn best(trace: &[Evaluation]) -> Option<&Evaluation> {
    super::lowest(trace, |e| e.loss)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(f: impl Fn(&[f64]) -> f64, k: usize, budget: usize, seed: u64) -> Vec<Evaluation> {
        let s = Settings {
            population: 12,
            budget,
            weight: 0.7,
            crossover: 0.9,
            seed,
        };
        minimise(k, &s, &mut |batch, _| batch.iter().map(|x| f(x)).collect())
    }

    #[test]
    fn finds_the_minimum_of_a_shifted_sphere_and_keeps_to_the_budget() {
        let f = |x: &[f64]| (x[0] - 0.3).powi(2) + (x[1] - 0.7).powi(2) + (x[2] - 0.05).powi(2);
        let trace = run(f, 3, 600, 4);
        assert_eq!(trace.len(), 600);
        assert!(trace.iter().enumerate().all(|(i, e)| e.index == i));
        assert!(
            trace
                .iter()
                .all(|e| e.x.iter().all(|v| (0.0..=1.0).contains(v)))
        );
        let b = best(&trace).unwrap();
        assert!(b.loss < 1e-5, "{b:?}");
        assert_eq!(trace, run(f, 3, 600, 4), "deterministic for a seed");
    }

    #[test]
    fn finds_the_rosenbrock_valley_floor_in_a_box() {
        // Rosenbrock on [-2, 2]^2, minimum 0 at (1, 1) = unit (0.75, 0.75).
        let f = |u: &[f64]| {
            let (x, y) = (4.0 * u[0] - 2.0, 4.0 * u[1] - 2.0);
            (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2)
        };
        let b = best(&run(f, 2, 1500, 1)).unwrap().clone();
        assert!(
            (b.x[0] - 0.75).abs() < 0.01 && (b.x[1] - 0.75).abs() < 0.02,
            "{b:?}"
        );
    }

    #[test]
    fn failed_candidates_never_win() {
        let f = |x: &[f64]| if x[0] > 0.5 { f64::NAN } else { x[0] };
        let trace = run(f, 1, 200, 2);
        let b = best(&trace).unwrap();
        assert!(b.loss < 0.01 && !b.loss.is_nan());
    }
}
