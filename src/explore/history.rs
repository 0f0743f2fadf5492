//! History matching (Craig, Goldstein, Seheult & Smith 1997; Vernon, Goldstein & Bower 2010):
//! draw parameter vectors from wide priors, run the stylized facts at each, and keep the draws
//! no calibration target rules out. The kept draws are a sample of the priors restricted to
//! the region the evidence allows (rejection ABC with each fact's tolerance as its kernel), so
//! the parameters the facts pin down come out narrow and those they do not keep their range.
//! Held-out checks are measured on every draw but never decide acceptance.

use rayon::prelude::*;

use crate::compare::Priors;
use crate::compare::decide::value;
use crate::facts::{self, FactCheck};
use crate::scenario::ScenarioError;

/// A history match to run.
#[derive(Debug, Clone)]
pub struct HistoryMatch {
    /// The wide priors the draws come from (uniform ranges), and how they were named
    /// (`unanchored` or a file), for the record.
    pub priors: Priors,
    pub priors_name: String,
    pub draws: u32,
    /// Draw `k` runs the facts at seed `seed + k` (so seed noise is part of what is accepted).
    pub seed: u64,
    pub employees: u32,
}

/// One draw and its facts.
#[derive(Debug, Clone)]
pub struct Trial {
    pub draw: u32,
    pub values: Vec<f64>,
    pub checks: Vec<FactCheck>,
}

impl Trial {
    /// Every calibration target passes (held-out checks do not count).
    pub fn accepted(&self) -> bool {
        self.checks.iter().all(|c| c.held_out || c.pass)
    }
}

impl HistoryMatch {
    /// Run every draw (in parallel; `done` after each); results in draw order.
    pub fn run(&self, done: &(dyn Fn() + Sync)) -> Result<Vec<Trial>, ScenarioError> {
        let names = self.priors.names();
        (0..self.draws)
            .into_par_iter()
            .with_max_len(1)
            .map(|draw| {
                let values = self.priors.draw(self.seed, draw);
                let set: Vec<(String, f64)> = names
                    .iter()
                    .map(|n| n.to_string())
                    .zip(values.iter().copied())
                    .collect();
                let seed = self.seed.wrapping_add(u64::from(draw));
                let checks = facts::check(seed, self.employees, &set)?;
                done();
                Ok(Trial {
                    draw,
                    values,
                    checks,
                })
            })
            .collect()
    }

    /// The calibrated priors file: the wide ranges and the accepted draws, with how they were
    /// made in its comments.
    pub fn priors_toml(&self, trials: &[Trial]) -> String {
        let mut out = String::new();
        for line in self.report(trials) {
            out.push_str(&format!("# {line}\n"));
        }
        out.push_str("\n[parameters]\n");
        for (p, lo, hi) in &self.priors.parameters {
            out.push_str(&format!("\"{p}\" = {{ low = {lo:?}, high = {hi:?} }}\n"));
        }
        out.push_str("\n[accepted]\nparameters = [\n");
        for p in self.priors.names() {
            out.push_str(&format!("  \"{p}\",\n"));
        }
        out.push_str("]\ndraws = [\n");
        for t in trials.iter().filter(|t| t.accepted()) {
            let row: Vec<String> = t.values.iter().map(|v| format!("{v:?}")).collect();
            out.push_str(&format!("  [{}],\n", row.join(", ")));
        }
        out.push_str("]\n");
        out
    }

    /// What the match did, in lines: how many draws were kept, which facts ruled draws out, each
    /// parameter's kept range against its prior, and the held-out checks on the kept draws.
    pub fn report(&self, trials: &[Trial]) -> Vec<String> {
        let kept: Vec<&Trial> = trials.iter().filter(|t| t.accepted()).collect();
        let mut lines = vec![
            "Calibrated priors of tokenmaxx, written by".to_string(),
            format!(
                "  tokenmaxx facts --history-match {} --priors {} --seeds {} --employees {}",
                self.draws, self.priors_name, self.seed, self.employees
            ),
            "History matching: every draw of those priors runs the stylized facts (at seed".into(),
            "seed + draw); a draw is kept when every calibration target passes. Replication r of a"
                .into(),
            "comparison takes one kept draw, chosen uniformly (docs/calibration.md).".into(),
            format!(
                "Kept {} of {} draws ({:.1}%).",
                kept.len(),
                trials.len(),
                100.0 * kept.len() as f64 / trials.len().max(1) as f64
            ),
        ];
        lines.push("Draws ruled out by each target (a draw can fail several):".into());
        lines.extend(rejections(trials));
        lines.push("Kept range (5%-95% of kept draws) against the prior range:".into());
        for (j, (p, lo, hi)) in self.priors.parameters.iter().enumerate() {
            let (a, b) = quantiles(kept.iter().map(|t| t.values[j]).collect());
            let share = if hi > lo { (b - a) / (hi - lo) } else { 0.0 };
            lines.push(format!(
                "  {p}: [{}, {}] of [{}, {}] ({:.0}% of the prior's width)",
                value(a),
                value(b),
                value(*lo),
                value(*hi),
                100.0 * share
            ));
        }
        lines.push("Held-out checks on the kept draws (never used to keep or reject):".into());
        lines.extend(held_out_rates(&kept));
        lines
    }
}

/// For each target fact, how many draws it failed.
fn rejections(trials: &[Trial]) -> Vec<String> {
    let mut failed = std::collections::BTreeMap::<u8, (usize, String)>::new();
    for c in trials
        .iter()
        .flat_map(|t| &t.checks)
        .filter(|c| !c.held_out)
    {
        let e = failed.entry(c.id).or_insert((0, c.fact.clone()));
        e.0 += usize::from(!c.pass);
    }
    failed
        .iter()
        .map(|(id, (n, fact))| format!("  fact {id:>2}: {n:>4}  {fact}"))
        .collect()
}

/// For each held-out check, how many of the kept draws pass it.
fn held_out_rates(kept: &[&Trial]) -> Vec<String> {
    let mut passed = std::collections::BTreeMap::<u8, (usize, usize, String)>::new();
    for c in kept.iter().flat_map(|t| &t.checks).filter(|c| c.held_out) {
        let e = passed.entry(c.id).or_insert((0, 0, c.fact.clone()));
        e.0 += usize::from(c.pass);
        e.1 += 1;
    }
    passed
        .iter()
        .map(|(id, (p, n, fact))| format!("  fact {id:>2}: passes in {p} of {n}  {fact}"))
        .collect()
}

/// The 5% and 95% quantiles (nearest rank; NaN for none).
fn quantiles(mut v: Vec<f64>) -> (f64, f64) {
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
    (at(0.05), at(0.95))
}
