//! Usage in performance reviews (`reviews.usage_weight`, docs/model.md 7.10-7.12): the built-in
//! `usage-in-reviews` against amazon-2026, and the lever alone against the same timeline without
//! the week-30 statement.

use tokenmaxx::projections::{Projections, WeeklyRow};
use tokenmaxx::scenario::Source;

use crate::util::{load, simulate, weekly_mean};

const EMPLOYEES: i64 = 2000;

fn run(source: Source) -> Projections {
    simulate(&load(&source, EMPLOYEES, None, None))
}

/// amazon-2026's timeline with `week30` (a TOML line) in place of the statement.
fn amazon_with(name: &str, week30: &str) -> Source {
    let text = format!(
        "name = \"{name}\"\nextends = \"amazon-2026\"\n\
         [[timeline]]\nweek = 4\nleaderboard = {{ scope = \"org\", visibility = \"public\" }}\n\
         [[timeline]]\nweek = 10\nplatform = {{ permission_scope = \"broad\" }}\n\
         [[timeline]]\nweek = 24\nleaderboard = {{ scope = \"org\", visibility = \"manager_only\" }}\n\
         [[timeline]]\nweek = 30\n{week30}\n\
         [[timeline]]\nweek = 40\nleaderboard = \"off\"\n"
    );
    Source::Text {
        name: name.into(),
        text,
    }
}

/// Mean of a weekly figure over weeks 30-51 (after the week-30 change).
fn after_30(p: &Projections, f: fn(&WeeklyRow) -> f64) -> f64 {
    weekly_mean(p, 30..p.weekly.len(), f)
}

#[test]
fn usage_in_reviews_pads_more_than_amazon_2026_after_week_30() {
    // given amazon-2026 and its counterfactual, where usage enters reviews at week 30 instead of
    // the "tokens won't affect reviews" statement (2,000 employees, same seed)
    let amazon = run(Source::Builtin("amazon-2026".into()));
    let reviews = run(Source::Builtin("usage-in-reviews".into()));
    // then the weeks before 30 are the same run
    for w in 0..30 {
        assert_eq!(amazon.weekly[w], reviews.weekly[w], "week {w}");
    }
    // and after it beliefs stay higher and people pad more: measured +2.4 points of padding share
    // (0.116 -> 0.140) and +26% padding tokens; the margin asked is 1 point and 10%
    let (share_a, share_r) = (
        after_30(&amazon, |r| r.padding_share),
        after_30(&reviews, |r| r.padding_share),
    );
    assert!(share_r > share_a + 0.01, "{share_r} vs {share_a}");
    let (pad_a, pad_r) = (
        after_30(&amazon, |r| r.tokens_padding),
        after_30(&reviews, |r| r.tokens_padding),
    );
    assert!(pad_r > 1.10 * pad_a, "{pad_r} vs {pad_a}");
    let (m_a, m_r) = (
        after_30(&amazon, |r| r.mean_monitoring),
        after_30(&reviews, |r| r.mean_monitoring),
    );
    assert!(m_r > m_a + 0.05, "{m_r} vs {m_a}");
}

#[test]
fn the_usage_weight_alone_raises_beliefs_and_padding() {
    // given amazon-2026 without the statement, when usage decides a whole rating from week 30,
    // then the reviews of weeks 38 and 51 pull beliefs up (measured 0.30 -> 0.57 after week 38)
    // and padding follows, a little: measured +3.7% padding tokens over weeks 30-51, as the
    // target and the leaderboard are the only padding pulls a belief scales (docs/model.md 7.5.3)
    let silent = run(amazon_with("no-statement", "reviews = \"off\""));
    let full = run(amazon_with(
        "usage-is-the-review",
        "reviews = { usage_weight = 1.0 }",
    ));
    for w in 0..38 {
        assert_eq!(
            silent.weekly[w].mean_monitoring, full.weekly[w].mean_monitoring,
            "no review yet in week {w}"
        );
    }
    let after_38 = |p: &Projections| {
        p.weekly[38..]
            .iter()
            .map(|r| r.mean_monitoring)
            .sum::<f64>()
            / 14.0
    };
    assert!(after_38(&full) > after_38(&silent) + 0.15);
    let pad = |p: &Projections| after_30(p, |r| r.tokens_padding);
    assert!(
        pad(&full) > 1.01 * pad(&silent),
        "{} vs {}",
        pad(&full),
        pad(&silent)
    );
}
