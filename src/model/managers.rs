//! Managers and beliefs (docs/model.md, sections 7.10-7.11): how often a team hears about usage
//! statistics, how a review rates people, and how statements, nudges and reviews move perceived
//! monitoring `m`, the belief that token statistics count. Pure functions: the engine draws the
//! randomness and records events, `State::apply` calls these to fold them.

use crate::policy::{Managers, PolicyState};

/// Weekly probability that a team's manager mentions usage statistics: `attention`, times
/// `target_pressure` for a team with target-group members after a week the target was missed.
pub fn nudge_probability(m: &Managers, pressured: bool) -> f64 {
    let factor = if pressured { m.target_pressure } else { 1.0 };
    (m.attention * factor).min(1.0)
}

/// The weight reviews really give tokens, `omega = w + (1 - w) * informal` (docs/model.md, 7.10):
/// the formal usage weight `w` of the `reviews` lever (0 while it is off), and on the rest of the
/// rating the managers' informal `review_token_weight` (0 under outcome metrics, which rank
/// output; a formal weight is written into the reviews and stays).
pub fn real_token_weight(policy: &PolicyState) -> f64 {
    let informal = if policy.outcome_metrics.is_some() {
        0.0
    } else {
        policy.managers.review_token_weight
    };
    let formal = policy.reviews.map_or(0.0, |r| r.usage_weight);
    formal + (1.0 - formal) * informal
}

/// A review rating in [0, 1]: the blend of the output and token percentiles by the real weight.
pub fn rating(real_weight: f64, output_percentile: f64, token_percentile: f64) -> f64 {
    (1.0 - real_weight) * output_percentile + real_weight * token_percentile
}

/// Belief after an official statement that tokens will not count: down by trust x credibility.
pub fn after_statement(m: f64, trust: f64, credibility: f64) -> f64 {
    m * (1.0 - trust * credibility)
}

/// Belief after a manager mentions usage statistics: a step `nudge` of the way towards 1,
/// blunted by the part of a standing statement the employee still believes (`believed`: their
/// trust times the statement's standing credibility in the team; 0 without a statement).
pub fn after_nudge(m: f64, nudge: f64, believed: f64) -> f64 {
    m + (1.0 - m) * nudge * (1.0 - believed.clamp(0.0, 1.0))
}

/// A statement's standing credibility after a nudge contradicts it: down by `erosion`.
pub fn eroded(standing: f64, erosion: f64) -> f64 {
    standing * (1.0 - erosion)
}

/// Belief after a review: a step `review_learning` towards the real weight, plus the noise of the
/// lesson, kept in [0, 1].
pub fn after_review(m: f64, managers: &Managers, real_weight: f64, shock: f64) -> f64 {
    (m + managers.review_learning * (real_weight - m) + shock).clamp(0.0, 1.0)
}

/// What a rating puts at stake until the next review (multiplies the career-driven pulls by one
/// plus this).
pub fn review_pressure(managers: &Managers, rating: f64) -> f64 {
    managers.review_stakes * (1.0 - rating)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Reviews;

    #[test]
    fn a_statement_lowers_belief_by_trust() {
        // given two employees equally sure tokens count, when the company says they will not,
        // then the trusting one believes it more
        let (m, cred) = (0.6, 0.5);
        let trusting = after_statement(m, 0.9, cred);
        let sceptic = after_statement(m, 0.1, cred);
        assert!(trusting < sceptic && sceptic < m);
        assert!((trusting - 0.6 * (1.0 - 0.45)).abs() < 1e-12);
    }

    #[test]
    fn a_nudge_raises_belief_towards_one() {
        let m = after_nudge(0.3, 0.2, 0.0);
        assert!((m - 0.44).abs() < 1e-12);
        assert_eq!(after_nudge(1.0, 0.2, 0.0), 1.0);
    }

    #[test]
    fn a_believed_statement_blunts_nudges_until_nudges_erode_it() {
        // given a statement believed at 0.5 (trust 1, credibility 0.5) and an erosion of 0.5
        let (mut standing, mut m) = (0.5, 0.3);
        let plain = after_nudge(0.3, 0.2, 0.0);
        // when a manager nudges, then belief rises less than without the statement
        m = after_nudge(m, 0.2, standing);
        assert!(m > 0.3 && m < plain);
        // and each nudge erodes the statement, so later nudges bite nearly in full
        for _ in 0..10 {
            standing = eroded(standing, 0.5);
        }
        let late = after_nudge(0.3, 0.2, standing);
        assert!((late - plain).abs() < 1e-3);
    }

    #[test]
    fn a_missed_target_raises_the_nudge_rate() {
        let m = Managers::default();
        assert!(nudge_probability(&m, true) > nudge_probability(&m, false));
        assert_eq!(nudge_probability(&m, false), m.attention);
        let frantic = Managers {
            attention: 0.8,
            target_pressure: 5.0,
            ..m
        };
        assert_eq!(nudge_probability(&frantic, true), 1.0);
    }

    #[test]
    fn reviews_pull_beliefs_towards_the_true_weight() {
        // given a belief far from the truth, when reviews come without noise, then it converges
        let mg = Managers::default();
        let (mut high, mut low) = (0.9, 0.0);
        for _ in 0..30 {
            high = after_review(high, &mg, 0.1, 0.0);
            low = after_review(low, &mg, 0.1, 0.0);
        }
        assert!((high - 0.1).abs() < 1e-3 && (low - 0.1).abs() < 1e-3);
        assert_eq!(after_review(0.9, &mg, 0.1, 5.0), 1.0, "kept in [0, 1]");
    }

    #[test]
    fn outcome_metrics_remove_the_token_weight_and_ratings_follow_it() {
        let mut p = PolicyState::default();
        assert_eq!(real_token_weight(&p), p.managers.review_token_weight);
        p.outcome_metrics = Some(crate::policy::OutcomeMetric::Changes);
        assert_eq!(real_token_weight(&p), 0.0);
        assert_eq!(rating(0.0, 0.7, 0.1), 0.7);
        assert!((rating(0.5, 0.7, 0.1) - 0.4).abs() < 1e-12);
        assert_eq!(review_pressure(&p.managers, 1.0), 0.0);
    }

    /// A policy state with managers' informal token weight `informal` and usage formally weighed
    /// `formal` in reviews (`None`: the lever is off).
    fn weighing(informal: f64, formal: Option<f64>) -> PolicyState {
        let mut p = PolicyState::default();
        p.managers.review_token_weight = informal;
        p.reviews = formal.map(|usage_weight| Reviews { usage_weight });
        p
    }

    #[test]
    fn reviews_that_weigh_usage_pull_beliefs_towards_the_usage_weight() {
        // given managers who give tokens no informal weight, when reviews formally weigh usage at
        // w = 0.4, then the real weight is w and noiseless reviews pull every belief towards it
        let p = weighing(0.0, Some(0.4));
        let w = real_token_weight(&p);
        assert_eq!(w, 0.4);
        let (mut high, mut low) = (0.9, 0.05);
        for _ in 0..30 {
            high = after_review(high, &p.managers, w, 0.0);
            low = after_review(low, &p.managers, w, 0.0);
        }
        assert!((high - 0.4).abs() < 1e-3 && (low - 0.4).abs() < 1e-3);
        // and a rating then rewards tokens by w: a heavy user with middling output outranks a
        // light user with better output
        assert!(rating(w, 0.5, 0.95) > rating(w, 0.6, 0.1));
    }

    #[test]
    fn a_usage_weight_of_zero_changes_nothing_from_reviews_without_it() {
        // given any informal weight, when the lever is off or set to 0, then the real weight is
        // exactly the informal one (so every existing scenario's ratings and beliefs stay as
        // they were)
        for informal in [0.0, 0.1, 0.37, 1.0] {
            let off = real_token_weight(&weighing(informal, None));
            let zero = real_token_weight(&weighing(informal, Some(0.0)));
            assert_eq!(off.to_bits(), informal.to_bits());
            assert_eq!(zero.to_bits(), informal.to_bits());
        }
    }

    #[test]
    fn the_usage_weight_blends_with_the_informal_one_and_outlives_outcome_metrics() {
        // given an informal weight of 0.1, when usage formally decides 30% of a rating, then
        // the informal weight applies to the other 70%: 0.3 + 0.7 * 0.1, never above 1
        let mut p = weighing(0.1, Some(0.3));
        assert!((real_token_weight(&p) - 0.37).abs() < 1e-12);
        assert_eq!(real_token_weight(&weighing(1.0, Some(1.0))), 1.0);
        // when the company also ranks output, then only the informal weight goes
        p.outcome_metrics = Some(crate::policy::OutcomeMetric::Changes);
        assert_eq!(real_token_weight(&p), 0.3);
        // and a higher usage weight always means a higher real weight
        let ws = [0.0, 0.2, 0.5, 0.8, 1.0];
        let real: Vec<f64> = ws
            .iter()
            .map(|&w| real_token_weight(&weighing(0.1, Some(w))))
            .collect();
        assert!(real.windows(2).all(|r| r[0] < r[1]));
    }
}
