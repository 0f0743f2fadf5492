//! The stylized facts pass on the default parameters, checked through the real binary.

use crate::util::*;

#[test]
fn facts_pass_and_report_every_fact() {
    let dir = scratch("facts");
    let o = tokenmaxx(
        &dir,
        &["facts", "--seeds", "42", "--employees", "6000", "--json"],
    );
    let text = stdout(&o);
    let checks: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let checks = checks.as_array().unwrap();
    assert_eq!(checks.len(), 16);
    let ids: Vec<u64> = checks.iter().map(|c| c["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, (1..=16).collect::<Vec<_>>());
    for c in checks {
        assert!(!c["measured"].as_object().unwrap().is_empty());
        assert!(c["pass"].as_bool().unwrap(), "fact failed: {c}");
    }
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn a_failing_fact_exits_3_and_says_fail() {
    // The CLI's side only: a failing fact exits 3 and prints FAIL. With 40 employees the figures
    // are noise, so some fact fails (the same ones for this seed on every host); which one is not
    // checked here. Which fact fails for which figure is src/facts.rs's unit test.
    let dir = scratch("facts_fail");
    let o = tokenmaxx(&dir, &["facts", "--seeds", "1", "--employees", "40"]);
    let text = stdout(&o);
    assert!(text.contains("FAIL fact"), "{text}");
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with("PASS") || l.starts_with("FAIL"))
            .count(),
        16
    );
}
