//! Property tests over the scenario space: random valid scenarios never panic, keep every
//! invariant every week, are deterministic, and replay equals live; random invalid values give
//! a clear error, not a panic.

use proptest::prelude::*;
use tokenmaxx::scenario::{Overrides, Scenario, load};

fn base() -> toml::Table {
    let mut t = load::defaults_table();
    t.insert("name".into(), "prop".into());
    t
}

fn set(t: &mut toml::Table, path: &str, v: toml::Value) {
    tokenmaxx::sweep::spec::set_path(t, path, v);
}

/// A policy table for a timeline entry, by kind.
fn policy(kind: u8, x: f64) -> (&'static str, toml::Value) {
    let table = |s: &str| toml::Value::Table(s.parse::<toml::Table>().unwrap());
    match kind % 8 {
        0 => (
            "target",
            table(&format!(
                "share = {x}\ntheta = {}\napplies_to = [\"developers\"]",
                1.0 + x * 1e7
            )),
        ),
        1 => (
            "leaderboard",
            table(
                [
                    "scope = \"org\"\nvisibility = \"public\"",
                    "scope = \"team\"\nvisibility = \"team\"",
                    "scope = \"org\"\nvisibility = \"private\"",
                    "scope = \"team\"\nvisibility = \"manager_only\"",
                ][(x * 3.99) as usize],
            ),
        ),
        2 => (
            "platform",
            table(
                [
                    "permission_scope = \"broad\"",
                    "permission_scope = \"scoped\"",
                    "permission_scope = \"least_privilege\"",
                ][(x * 2.99) as usize],
            ),
        ),
        3 => ("statement", table(&format!("credibility = {x}"))),
        4 => (
            "budget",
            table(&format!("tokens_per_week = {}", 1.0 + x * 1e8)),
        ),
        5 => ("costs_visible", toml::Value::Boolean(x > 0.5)),
        6 => (
            "outcome_metrics",
            [
                toml::Value::Boolean(x > 0.5),
                toml::Value::String("off".into()),
                toml::Value::String("changes".into()),
                toml::Value::String("cycle-time".into()),
                toml::Value::String("incident-adjusted".into()),
            ][(x * 4.99) as usize]
                .clone(),
        ),
        _ => ("leaderboard", toml::Value::String("off".into())),
    }
}

prop_compose! {
    fn valid_scenario()(
        employees in 1i64..250,
        weeks in 1i64..16,
        team_size in 1i64..30,
        dev_share in 0.0f64..=1.0,
        weights in proptest::collection::vec(0.0f64..=3.0, 6),
        probs in proptest::collection::vec(0.0f64..=1.0, 5),
        temperature in prop_oneof![Just(1e-6), 0.001f64..2.0],
        timeline in proptest::collection::vec((0u8..8, 0.0f64..=1.0, 0i64..16), 0..6),
        seed in any::<u64>(),
    ) -> toml::Table {
        let mut t = base();
        set(&mut t, "employees", employees.into());
        set(&mut t, "weeks", weeks.into());
        set(&mut t, "team_size", team_size.into());
        set(&mut t, "seed", toml::Value::Integer((seed >> 1) as i64));
        set(&mut t, "population.developers.share", dev_share.into());
        set(&mut t, "population.others.share", (1.0 - dev_share).into());
        for (k, w) in ["target_weight", "status_weight", "rank_weight", "risk_aversion", "top_weight", "norm_weight"].iter().zip(&weights) {
            let w = if *k == "norm_weight" { w * 0.8 / 3.0 } else { *w };
            set(&mut t, &format!("behaviour.{k}"), w.into());
        }
        for (k, p) in ["revise_bot", "revise_manual", "monitoring0", "private_monitoring_factor", "learn_rate"].iter().zip(&probs) {
            set(&mut t, &format!("behaviour.{k}"), (*p).into());
        }
        set(&mut t, "behaviour.choice_temperature", temperature.into());
        let mut entries: Vec<toml::Value> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for (kind, x, week) in timeline {
            let week = week % weeks;
            let (key, value) = policy(kind, x);
            if !seen.insert((week, key)) {
                continue;
            }
            let mut e = toml::Table::new();
            e.insert("week".into(), week.into());
            e.insert(key.into(), value);
            entries.push(toml::Value::Table(e));
        }
        t.insert("timeline".into(), toml::Value::Array(entries));
        t
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_valid_scenarios_run_keep_invariants_and_replay(table in valid_scenario()) {
        let (s, _) = Scenario::from_table(table, "prop", &Overrides::default()).expect("a valid scenario");
        let (p, log) = tokenmaxx::simulate_with_log(&s, 0);
        prop_assert_eq!(p.weekly.len(), s.weeks as usize);
        for r in &p.weekly {
            prop_assert!(r.tokens_genuine >= 0.0 && r.tokens_padding >= 0.0 && r.tokens_bot >= 0.0);
            prop_assert!(r.tokens_total.is_finite());
            prop_assert!((0.0..=1.0).contains(&r.padding_share));
            let sum = r.tokens_genuine + r.tokens_padding + r.tokens_bot;
            prop_assert!((sum - r.tokens_total).abs() <= 1e-9 * r.tokens_total.max(1.0));
            prop_assert!(r.reported_active_share >= r.genuine_active_share);
            prop_assert!((0.0..=1.0).contains(&r.mean_monitoring));
        }
        let (again, _) = tokenmaxx::simulate_with_log(&s, 0);
        prop_assert!(again == p, "not deterministic");
        prop_assert!(tokenmaxx::replay::replay(&s, &log).unwrap() == p, "replay differs from live");
    }

    #[test]
    fn random_invalid_values_are_errors_not_panics(
        path in prop::sample::select(vec![
            "behaviour.token_scale", "behaviour.norm_weight", "behaviour.revise_bot", "behaviour.choice_temperature",
            "bots.incident_rate", "money.salary_usd", "population.developers.share", "bots.tokens_per_action",
            "behaviour.pad_scale", "behaviour.effort_cost", "behaviour.bot_leverage",
        ]),
        bad in prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(f64::NEG_INFINITY), -1e9f64..-1e-9, 1.0001f64..1e9],
    ) {
        let mut t = base();
        // Values above 1 are valid for scales, and up to 1e6 for the choice's temperature; keep
        // only those the key refuses (a share or probability refuses every value above 1).
        let scale = ["behaviour.token_scale", "money.salary_usd", "bots.tokens_per_action", "behaviour.pad_scale", "behaviour.effort_cost", "behaviour.bot_leverage"].contains(&path);
        let most = if scale { f64::MAX } else if path == "behaviour.choice_temperature" { 1e6 } else { 1.0 };
        prop_assume!(!(bad.is_finite() && bad > 1.0 && bad <= most));
        set(&mut t, path, bad.into());
        let e = Scenario::from_table(t, "prop", &Overrides::default()).err();
        prop_assert!(e.is_some(), "{} = {} accepted", path, bad);
        let msg = e.unwrap().to_string();
        prop_assert!(msg.contains(path) || msg.contains("sum to 1"), "{}", msg);
    }

    #[test]
    fn timeline_weeks_past_the_horizon_and_duplicates_are_refused(weeks in 1i64..40, extra in 0i64..10) {
        let mut t = base();
        set(&mut t, "weeks", weeks.into());
        let entry = format!("week = {}\nleaderboard = \"off\"", weeks + extra);
        t.insert("timeline".into(), toml::Value::Array(vec![toml::Value::Table(entry.parse().unwrap())]));
        let msg = Scenario::from_table(t.clone(), "prop", &Overrides::default()).unwrap_err().to_string();
        prop_assert!(msg.contains("timeline[0].week"), "{}", msg);
        let dup = "week = 0\nleaderboard = \"off\"";
        t.insert("timeline".into(), toml::Value::Array(vec![toml::Value::Table(dup.parse().unwrap()), toml::Value::Table(dup.parse().unwrap())]));
        let msg = Scenario::from_table(t, "prop", &Overrides::default()).unwrap_err().to_string();
        prop_assert!(msg.contains("already changes"), "{}", msg);
    }
}

/// Bytes the mutations draw from: TOML punctuation, digits, letters, quotes, newlines.
const CHARSET: &[u8] = b"=[]{}.,# \n0123456789e-abcdefxyz_\"\\";

/// Mutate a text: replace, insert or delete a few bytes at random places.
fn mutate(text: &str, edits: &[(usize, u8, u8)]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for &(at, op, b) in edits {
        if bytes.is_empty() {
            bytes.push(b);
            continue;
        }
        let i = at % bytes.len();
        match op % 3 {
            0 => bytes[i] = b,
            1 => bytes.insert(i, b),
            _ => {
                bytes.remove(i);
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// A stable-toolchain stand-in for fuzzing the parsers: mutated built-in scenarios and sweep
    /// files, and arbitrary text, must give Ok or a clear error, never a panic.
    #[test]
    fn mutated_scenario_and_sweep_files_never_panic(
        which in 0usize..16,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), prop::sample::select(CHARSET.to_vec())), 1..6),
        junk in ".{0,200}",
    ) {
        let names: Vec<&str> = tokenmaxx::scenario::builtin::names().collect();
        let specs = [
            include_str!("../../scenarios/sweeps/target-vs-leaderboard.toml"),
            include_str!("../../scenarios/sweeps/aversion-vs-leverage.toml"),
            include_str!("../../scenarios/explore/amazon-drivers-morris.toml"),
            include_str!("../../scenarios/explore/amazon-drivers-sobol.toml"),
            include_str!("../../scenarios/explore/calibrate-defaults.toml"),
        ];
        let original = match which {
            w if w < names.len() => tokenmaxx::scenario::builtin::text(names[w]).unwrap(),
            w => specs[(w - names.len()) % specs.len()],
        };
        let text = if edits.len() == 5 { junk.clone() } else { mutate(original, &edits) };
        let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("input.toml");
        std::fs::write(&path, &text).unwrap();
        let _ = Scenario::load(&tokenmaxx::scenario::Source::Path(path.clone()));
        let _ = tokenmaxx::sweep::Sweep::parse(&text, &path);
        let _ = tokenmaxx::explore::sensitivity::Sensitivity::parse(&text, &path, None);
        let _ = tokenmaxx::explore::calibrate::Calibration::parse(&text, &path, None);
    }
}
