//! The engine's contracts on the built-in scenarios: replay equals live, invariants every week.

use tokenmaxx::events::Event;

use crate::util::{builtin as load, weekly_mean};

#[test]
fn replay_reproduces_live_state_and_projections_exactly() {
    for name in ["baseline", "amazon-2026", "outcome-metrics"] {
        let s = load(name, 1200);
        let mut projector = tokenmaxx::projections::Projector::new(0);
        let mut log = tokenmaxx::events::log::EventLog::default();
        let live_state = tokenmaxx::engine::run(
            &s,
            0,
            &mut [&mut projector, &mut log],
            &tokenmaxx::engine::NoProgress,
        );
        let live = projector.finish(&s);
        let mut projector = tokenmaxx::projections::Projector::new(0);
        let replayed_state =
            tokenmaxx::replay::replay_state(&s, &log, &mut [&mut projector]).unwrap();
        assert!(
            replayed_state == live_state,
            "{name}: replayed state differs"
        );
        assert!(
            projector.finish(&s) == live,
            "{name}: replayed projections differ"
        );
        assert!(
            log.len() > 1200 * 52 * 2,
            "{name}: log too small: {}",
            log.len()
        );
    }
}

#[test]
fn invariants_hold_every_week() {
    for name in ["baseline", "amazon-2026"] {
        let s = load(name, 2000);
        let p = tokenmaxx::simulate(&s, 0);
        assert_eq!(p.weekly.len(), 52);
        for r in &p.weekly {
            let ctx = format!("{name} week {}", r.week);
            assert!(
                r.tokens_genuine >= 0.0 && r.tokens_padding >= 0.0 && r.tokens_bot >= 0.0,
                "{ctx}"
            );
            assert!((0.0..=1.0).contains(&r.padding_share), "{ctx}");
            let sum = r.tokens_genuine + r.tokens_padding + r.tokens_bot;
            assert!(
                (sum - r.tokens_total).abs() <= 1e-9 * r.tokens_total.max(1.0),
                "{ctx}"
            );
            assert!(r.reported_active_share >= r.genuine_active_share, "{ctx}");
            assert!((0.0..=1.0).contains(&r.mean_monitoring), "{ctx}");
            if name == "baseline" {
                assert_eq!(r.tokens_padding, 0.0, "{ctx}: baseline pads");
                assert_eq!(r.tokens_bot, 0.0, "{ctx}: baseline has bots");
            }
        }
        for a in &p.agents {
            assert!(
                a.tokens_genuine >= 0.0
                    && a.tokens_padding >= 0.0
                    && a.tokens_total >= a.tokens_genuine + a.tokens_padding - 1e-6
            );
        }
    }
}

#[test]
fn amazon_2026_shows_the_episode() {
    let s = load("amazon-2026", 3000);
    let (p, log) = tokenmaxx::simulate_with_log(&s, 0);
    let w = &p.weekly;
    // Padding appears with the leaderboard and falls after the shutdown.
    let before = weekly_mean(&p, 0..4, |r| r.padding_share);
    let during = weekly_mean(&p, 6..24, |r| r.padding_share);
    let after = weekly_mean(&p, 46..52, |r| r.padding_share);
    assert!(
        during > 2.0 * before,
        "leaderboard padding {during} vs before {before}"
    );
    assert!(after < during, "after shutdown {after} vs during {during}");
    // Bots appear only after the platform launches at week 10.
    assert!(w[..10].iter().all(|r| r.bots_deployed == 0));
    assert!(w[51].bots_deployed > 0);
    // Every policy change of the timeline is in the log, in its week.
    let changes: Vec<u32> = log
        .events()
        .filter_map(|e| match e {
            Event::PolicyChanged { week, .. } => Some(week),
            _ => None,
        })
        .collect();
    assert_eq!(changes, vec![0, 4, 10, 24, 30, 40]);
}

/// `simulate_storing` (the library's `run --events`, used by the Python package): the same
/// projections as `simulate`, and a stored log that replays to them; without a path, no file.
#[test]
fn simulate_storing_equals_simulate_and_its_log_replays() {
    let s = load("meta-leaderboard", 400);
    let dir = crate::util::scratch("simulate_storing");
    let path = dir.join("events.parquet");
    let progress = tokenmaxx::engine::NoProgress;
    let (p, stored) = tokenmaxx::simulate_storing(&s, 1, Some(&path), &progress).unwrap();
    assert_eq!(p, tokenmaxx::simulate(&s, 1));
    let (rows, bytes) = stored.expect("a stored log");
    assert!(rows > 400 && bytes == std::fs::metadata(&path).unwrap().len());
    let (_, _, replayed) = tokenmaxx::replay::stored(&path).unwrap();
    assert_eq!(replayed, p);
    let (q, none) = tokenmaxx::simulate_storing(&s, 1, None, &progress).unwrap();
    assert!(none.is_none() && q == p);
    let missing = dir.join("no/such/folder/events.parquet");
    assert!(tokenmaxx::simulate_storing(&s, 1, Some(&missing), &progress).is_err());
}
