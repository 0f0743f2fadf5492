//! The tests every lever gets: each takes the levers from the list (through their `example`),
//! so a new lever is covered without editing them.

use super::check::{Check, CheckError};
use super::*;
use crate::policy::check::fields_of;

const GROUPS: &[&str] = &["developers", "others"];

fn at(key: &str) -> Check<'static> {
    Check {
        key: key.into(),
        groups: GROUPS,
        price_usd_per_mtok: Some(1.5),
        max_weeks: 520,
    }
}

#[test]
fn every_lever_is_in_every_derived_list() {
    let keys = PolicyChange::KEYS;
    let examples = PolicyChange::examples();
    let example_keys: Vec<&str> = examples.iter().map(PolicyChange::key).collect();
    assert_eq!(example_keys, keys);
    let raw_keys = fields_of::<RawPolicyChange>();
    assert_eq!(raw_keys[0], "week");
    assert_eq!(raw_keys[1..], *keys, "the file's table");
    let sweep: Vec<&str> = sweep_fields().iter().map(|(k, _)| *k).collect();
    assert_eq!(sweep, keys, "the sweepable paths");
    let ranged: Vec<&str> = lever_ranges().iter().map(|(k, _)| *k).collect();
    assert_eq!(ranged, keys, "the plausible ranges");
    for ((key, fields), (_, ranges)) in sweep_fields().into_iter().zip(lever_ranges()) {
        for (field, lo, hi) in ranges {
            assert!(fields.contains(field) && lo < hi, "{key}.{field}");
        }
    }
}

#[test]
fn every_lever_round_trips_through_its_raw_form() {
    for change in PolicyChange::examples() {
        let raw = change.to_raw(GROUPS);
        assert_eq!(raw.check(&at("policy")).unwrap(), vec![change], "{raw:?}");
        // Through text too, as a scenario file or the event store holds it.
        let text = toml::to_string(&raw).unwrap();
        let back: RawPolicyChange = toml::from_str(&text).unwrap();
        assert_eq!(back, raw, "{text}");
    }
}

#[test]
fn every_setting_of_a_lever_is_sweepable() {
    let fields: std::collections::BTreeMap<_, _> = sweep_fields().into_iter().collect();
    for change in PolicyChange::examples() {
        let value = toml::Value::try_from(change.to_raw(GROUPS)).unwrap();
        let Some(toml::Value::Table(settings)) = value.get(change.key()) else {
            continue;
        };
        for k in settings.keys() {
            assert!(fields[change.key()].contains(&k.as_str()), "{k}");
        }
    }
    assert!(fields["managers"].contains(&"review_stakes"));
    assert!(fields["target"].contains(&"theta_usd"));
}

#[test]
fn every_lever_folds_and_a_fork_reemits_it() {
    let before = PolicyState::default();
    for change in PolicyChange::examples() {
        let mut after = before;
        after.apply(&change);
        // A lever in force is found by comparing states; a one-off comes from its week.
        let found = PolicyChange::differences(&before, &after, &[change]);
        assert_eq!(found, vec![change], "{}", change.key());
        assert!(PolicyChange::differences(&after, &after, &[]).is_empty());
    }
}

#[test]
fn every_lever_has_a_label_and_plain_words() {
    let before = PolicyState::default();
    let mut labels = Vec::new();
    for change in PolicyChange::examples() {
        let (label, words) = (change.label(&before), change.words(&before));
        assert!(
            !label.is_empty() && words.ends_with('.'),
            "{label}: {words}"
        );
        assert_ne!(label, words);
        assert_eq!(change.to_string(), label);
        labels.push(label);
    }
    labels.sort();
    labels.dedup();
    assert_eq!(labels.len(), PolicyChange::KEYS.len(), "{labels:?}");
}

#[test]
fn a_leaderboard_changing_only_its_visibility_is_labelled_so() {
    let mut p = PolicyState::default();
    let board = |visibility| {
        PolicyChange::Leaderboard(Some(Leaderboard {
            scope: RankScope::Org,
            visibility,
        }))
    };
    assert_eq!(
        board(Visibility::Public).label(&p),
        "leaderboard org public"
    );
    p.apply(&board(Visibility::Public));
    let change = board(Visibility::ManagerOnly);
    assert_eq!(change.label(&p), "visibility manager only");
    assert!(change.words(&p).contains("stays"));
}

#[test]
fn errors_name_the_lever_key() {
    let raw = RawPolicyChange {
        managers: Some(RawManagers {
            review_stakes: 11.0,
            ..RawManagers::default()
        }),
        ..RawPolicyChange::default()
    };
    let err = raw.check(&at("timeline[3]")).unwrap_err();
    let CheckError::OutOfRange { key, allowed, .. } = err else {
        panic!("{err:?}")
    };
    assert_eq!(key, "timeline[3].managers.review_stakes");
    assert_eq!(allowed, "a factor in [0, 10]");
}

#[test]
fn every_lever_and_setting_is_documented() {
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    let read = |f: &str| std::fs::read_to_string(docs.join(f)).unwrap();
    let guide = read("guide/scenarios.md");
    let row = guide
        .lines()
        .find(|l| l.starts_with("| `[policy]`"))
        .expect("the guide's scenario-file table has a [policy] row");
    let model = read("model.md");
    for (key, fields) in sweep_fields() {
        assert!(row.contains(&format!("`{key} = ")), "guide: {key}");
        for f in fields {
            assert!(row.contains(&format!("{f} = ")), "guide: {key}.{f}");
        }
        assert!(model.contains(&format!("`{key}`")), "docs/model.md: {key}");
    }
}
