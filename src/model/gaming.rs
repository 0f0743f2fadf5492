//! Gaming an outcome metric (docs/model.md, section 7.16, model v3). When reviews and
//! leaderboards count an outcome metric instead of tokens, token padding buys nothing, but the
//! metric itself can be gamed: work split into more, smaller changes raises a count of merged
//! changes one for one (Goodhart's law: a measure that becomes a target ceases to be a good
//! measure). Each employee keeps a split level `x` (extra changes per unit of work), revised
//! like a padding habit by a logit choice among [`SPLIT_LEVELS`]: the rank the metric gains
//! against the gaming aversion it offends and the time the extra changes take. The firm pays
//! twice: that time, and review effort, which grows with the number of changes
//! (`(1 + x)^split_review` per unit of work, [`review_effort`]). How much a split raises the
//! metric is the metric's choice (the lever): one for one for a count of changes; little for
//! cycle time (Kudrjavets et al. 2022 found pull-request size unrelated to time-to-merge in
//! 10 languages' most active projects); part for a count net of incidents. No published figure
//! gives the size of these responses: their parameters are in the shipped priors. Pure
//! functions; the engine draws the randomness.

use rand::{Rng, RngExt};

use crate::policy::{OutcomeMetric, PolicyState, Visibility};
use crate::scenario::Scenario;

use super::traits::Traits;

/// Split levels an employee chooses among: extra changes per unit of work.
pub const SPLIT_LEVELS: [f64; 4] = [0.0, 0.25, 0.5, 1.0];

/// The metric as employees see it: how much a split raises it, and last week's distribution of
/// the logarithm of everyone's counted figure (mean and standard deviation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricView {
    pub gain: f64,
    pub mu: f64,
    pub sigma: f64,
}

/// How much a split level raises `metric` per unit, relative to a count of merged changes (1).
pub fn gain(s: &Scenario, metric: OutcomeMetric) -> f64 {
    match metric {
        OutcomeMetric::Changes => 1.0,
        OutcomeMetric::CycleTime => s.behaviour.split_gain_cycle_time,
        OutcomeMetric::IncidentAdjusted => s.behaviour.split_gain_incident_adjusted,
    }
}

/// The figure the metric counts for a week's `output` at split level `split`:
/// `max(output, 0) * (1 + gain * split)`.
pub fn counted(output: f64, gain: f64, split: f64) -> f64 {
    output.max(0.0) * (1.0 + gain * split)
}

/// Mean and standard deviation of `ln(counted)` over the positive figures (0 and 1 if there are
/// fewer than two), summed in the order given.
pub fn log_stats(figures: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut n, mut sum, mut sum2) = (0.0f64, 0.0f64, 0.0f64);
    for c in figures.filter(|c| *c > 0.0) {
        let l = c.ln();
        n += 1.0;
        sum += l;
        sum2 += l * l;
    }
    if n < 2.0 {
        return (0.0, 1.0);
    }
    let mu = sum / n;
    let var = (sum2 / n - mu * mu).max(0.0);
    (mu, var.sqrt().max(1e-6))
}

/// The share of employees a counted figure `c` is believed to beat: the logistic approximation
/// of the normal CDF of `ln c` (within 0.01 of it), 0 for nothing counted.
pub fn rank(view: &MetricView, c: f64) -> f64 {
    if c <= 0.0 {
        return 0.0;
    }
    let z = (c.ln() - view.mu) / view.sigma;
    1.0 / (1.0 + (-1.702 * z).exp())
}

/// The pull of the metric on one employee: career concern times `rank_weight` on the part of a
/// rating the metric decides (all of it, less a formal usage weight), raised by what the last
/// review put at stake; plus status drive times `status_weight` when a leaderboard shows the
/// metric to an audience. The metric is official, so no belief discounts it.
pub fn weight(s: &Scenario, policy: &PolicyState, t: &Traits, review_pressure: f64) -> f64 {
    let b = &s.behaviour;
    let formal = policy.reviews.map_or(0.0, |r| r.usage_weight);
    let career = t.career_concern * b.rank_weight * (1.0 - formal) * (1.0 + review_pressure);
    let audience = match policy.leaderboard.map(|l| l.visibility) {
        Some(Visibility::Public) => 1.0,
        Some(Visibility::Team) => b.team_audience,
        _ => 0.0,
    };
    career + t.status_drive * audience * b.status_weight
}

/// Output units that splitting a week's work to level `split` takes: `skill * split_time * x`.
pub fn split_time(s: &Scenario, t: &Traits, split: f64) -> f64 {
    t.skill.max(0.0) * s.work.split_time * split
}

/// Review effort of a unit of work split to level `split`, relative to unsplit work.
pub fn review_effort(s: &Scenario, split: f64) -> f64 {
    (1.0 + split).powf(s.work.split_review)
}

/// The utility of split level `split` to an employee whose unsplit output this week is
/// `output` and whom the metric pulls with `weight`.
pub fn utility(
    s: &Scenario,
    view: &MetricView,
    t: &Traits,
    output: f64,
    weight: f64,
    split: f64,
) -> f64 {
    let time = split_time(s, t, split);
    weight * rank(view, counted(output - time, view.gain, split))
        - t.gaming_aversion * split / s.behaviour.split_scale
        - time
}

/// Choose a split level by a logit over [`SPLIT_LEVELS`] (one uniform draw).
pub fn choose<R: Rng + ?Sized>(
    s: &Scenario,
    view: &MetricView,
    t: &Traits,
    output: f64,
    weight: f64,
    rng: &mut R,
) -> f64 {
    let temp = s.behaviour.choice_temperature;
    let u = SPLIT_LEVELS.map(|x| utility(s, view, t, output, weight, x) / temp);
    let max = u.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let w = u.map(|v| (v - max).exp());
    let mut draw = rng.random::<f64>() * w.iter().sum::<f64>();
    for (k, wk) in w.iter().enumerate() {
        draw -= wk;
        if draw <= 0.0 {
            return SPLIT_LEVELS[k];
        }
    }
    SPLIT_LEVELS[SPLIT_LEVELS.len() - 1]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testkit::{scenario, traits};
    use rand::SeedableRng;

    fn view(gain: f64) -> MetricView {
        MetricView {
            gain,
            mu: 0.0,
            sigma: 0.3,
        }
    }

    /// Share of 2,000 choices at each level.
    fn shares(s: &Scenario, v: &MetricView, t: &Traits, weight: f64) -> [f64; 4] {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let mut out = [0.0; 4];
        for _ in 0..2000 {
            let x = choose(s, v, t, 1.0, weight, &mut rng);
            let k = SPLIT_LEVELS.iter().position(|l| *l == x).unwrap();
            out[k] += 1.0 / 2000.0;
        }
        out
    }

    fn mean(shares: [f64; 4]) -> f64 {
        shares.iter().zip(SPLIT_LEVELS).map(|(s, x)| s * x).sum()
    }

    #[test]
    fn a_count_of_changes_is_split_more_than_cycle_time_and_not_without_a_pull() {
        // given an employee the metric pulls, when the metric counts changes, then they split
        // more than when it is cycle time (a split raises it less); with no pull, no one splits
        let (mut s, t) = (scenario(), traits());
        s.behaviour.split_scale = 1.0;
        let changes = mean(shares(&s, &view(1.0), &t, 1.0));
        let cycle = mean(shares(&s, &view(0.2), &t, 1.0));
        assert!(
            changes > cycle + 0.1,
            "changes {changes}, cycle time {cycle}"
        );
        let none = shares(&s, &view(1.0), &t, 0.0);
        assert!(none[0] > 0.99, "{none:?}");
    }

    #[test]
    fn aversion_holds_splitting_back() {
        // given the same pull, when gaming aversion is high, then splitting is rarer
        let s = scenario();
        let keen = Traits {
            gaming_aversion: 0.1,
            ..traits()
        };
        let averse = Traits {
            gaming_aversion: 3.0,
            ..traits()
        };
        let (k, a) = (
            mean(shares(&s, &view(1.0), &keen, 1.0)),
            mean(shares(&s, &view(1.0), &averse, 1.0)),
        );
        assert!(k > a + 0.2, "keen {k}, averse {a}");
    }

    #[test]
    fn a_split_costs_time_and_review_and_raises_the_count() {
        let s = scenario();
        let t = traits();
        assert_eq!(split_time(&s, &t, 0.0), 0.0);
        assert!((split_time(&s, &t, 1.0) - s.work.split_time).abs() < 1e-12);
        assert_eq!(review_effort(&s, 0.0), 1.0);
        let doubled = review_effort(&s, 1.0);
        assert!(doubled > 1.0 && doubled < 2.0, "{doubled}");
        assert_eq!(counted(1.0, 1.0, 1.0), 2.0);
        assert_eq!(counted(-0.5, 1.0, 1.0), 0.0);
    }

    #[test]
    fn rank_is_near_the_normal_cdf_of_the_log_figure() {
        let v = view(1.0);
        assert!((rank(&v, 1.0) - 0.5).abs() < 1e-12);
        // one standard deviation up: the normal CDF is 0.8413
        assert!((rank(&v, 0.3f64.exp()) - 0.8413).abs() < 0.01);
        assert_eq!(rank(&v, 0.0), 0.0);
        let (mu, sigma) = log_stats([1.0, std::f64::consts::E, 0.0].into_iter());
        assert!((mu - 0.5).abs() < 1e-12 && (sigma - 0.5).abs() < 1e-12);
    }

    #[test]
    fn a_formal_usage_weight_leaves_the_metric_less_of_the_rating() {
        let s = scenario();
        let t = traits();
        let mut policy = PolicyState::default();
        let plain = weight(&s, &policy, &t, 0.0);
        policy.reviews = Some(crate::policy::Reviews { usage_weight: 0.5 });
        let shared = weight(&s, &policy, &t, 0.0);
        assert!((shared - plain / 2.0).abs() < 1e-12);
    }
}
