//! Value capture (docs/model.md, "Value capture", model v3): what an organisation gets from the
//! extra output its people produce with AI. A team's extra work becomes value only through the
//! team's bottleneck (review by teammates, integration, the demand for what it ships), so an
//! organisation's gain is less than the sum of its people's gains: DX (Q4 2025, ~135k
//! developers) found an org-level gain of ~10%, flat through the year, while Microsoft's 2026
//! rollout measured adopters merging ~24% more pull requests, and Faros (2026) saw tasks +34%
//! with review time several-fold and no company-level link to delivery. Pure functions.

/// The value of a team's week of extra output `extra` (output units above the team's no-AI
/// output) through a bottleneck of `capacity` output units: the first extra units pass almost
/// whole, later ones less and less, and the total never exceeds `capacity`:
/// `capacity * (1 - exp(-extra / capacity))`. A shortfall (`extra < 0`: a slower team) is lost
/// in full: the bottleneck caps gains, not losses. `capacity = inf` passes everything.
pub fn captured(extra: f64, capacity: f64) -> f64 {
    if extra <= 0.0 || capacity.is_infinite() {
        extra
    } else if capacity <= 0.0 {
        0.0
    } else {
        capacity * -(-extra / capacity).exp_m1()
    }
}

/// A team's bottleneck in output units: `review_capacity` times the team's no-AI output
/// (`skill_sum`); a capacity of 0 in the scenario means no bottleneck.
pub fn team_capacity(review_capacity: f64, skill_sum: f64) -> f64 {
    if review_capacity == 0.0 {
        f64::INFINITY
    } else {
        review_capacity * skill_sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_gains_pass_almost_whole_and_large_ones_saturate_at_capacity() {
        // given a bottleneck of 0.1 (a tenth of the team's week)
        // when the team's extra output is small, then nearly all of it becomes value
        assert!((captured(0.001, 0.1) - 0.001).abs() < 1e-5);
        // when it is large, then value approaches the capacity and never exceeds it
        assert!(captured(1.0, 0.1) > 0.0999 && captured(1.0, 0.1) <= 0.1);
        // and value is increasing and concave in the extra output
        let (a, b, c) = (captured(0.1, 0.1), captured(0.2, 0.1), captured(0.3, 0.1));
        assert!(a < b && b < c && b - a > c - b);
    }

    #[test]
    fn losses_pass_in_full_and_no_bottleneck_passes_everything() {
        assert_eq!(captured(-0.05, 0.1), -0.05);
        assert_eq!(captured(0.4, team_capacity(0.0, 3.0)), 0.4);
        assert_eq!(team_capacity(0.1, 3.0), 0.1 * 3.0);
    }
}
