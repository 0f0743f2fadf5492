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
    assert_eq!(checks.len(), 24);
    let ids: Vec<u64> = checks.iter().map(|c| c["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, (1..=24).collect::<Vec<_>>());
    for c in checks {
        assert!(!c["measured"].as_object().unwrap().is_empty());
        // every calibration target passes; held-out checks are reported, pass or fail
        let held_out = c["held_out"].as_bool().unwrap();
        let id = c["id"].as_u64().unwrap();
        assert_eq!(held_out, [17, 18, 19, 23, 24].contains(&id), "{c}");
        assert!(held_out || c["pass"].as_bool().unwrap(), "fact failed: {c}");
    }
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // --held-out shows only the checks no parameter was tuned to
    let o = tokenmaxx(
        &dir,
        &[
            "facts",
            "--seeds",
            "42",
            "--employees",
            "2000",
            "--held-out",
        ],
    );
    let text = stdout(&o);
    assert!(
        text.contains("[held out]") && !text.contains("fact  1 "),
        "{text}"
    );
    assert!(text.contains("held-out checks passed"), "{text}");
}

#[test]
fn a_history_match_keeps_the_draws_every_target_passes_and_writes_loadable_priors() {
    // given a tiny history match over two parameters
    let dir = scratch("facts_history");
    std::fs::write(
        dir.join("wide.toml"),
        "[parameters]\n\"behaviour.uplift\" = { low = 0.3, high = 1.5 }\n\
         \"adoption.forget_rate\" = { low = 0.005, high = 0.02 }\n",
    )
    .unwrap();
    let o = tokenmaxx(
        &dir,
        &[
            "facts",
            "--history-match",
            "6",
            "--priors",
            "wide.toml",
            "--employees",
            "1500",
            "--seeds",
            "5",
            "--out",
            "hm",
        ],
    );
    let report = std::fs::read_to_string(dir.join("hm/report.txt")).unwrap();
    assert!(report.contains("Kept "), "{report}");
    // then trials.csv marks a draw kept exactly when every target fact passed
    let (h, rows) = read_csv(&dir.join("hm/trials.csv"));
    assert_eq!(rows.len(), 6);
    let targets: Vec<usize> = (1..=16)
        .map(|id| h.iter().position(|c| *c == format!("fact_{id}")).unwrap())
        .collect();
    let kept_col = h.iter().position(|c| c == "kept").unwrap();
    let mut kept = 0;
    for r in &rows {
        let all = targets.iter().all(|&k| r[k] == "1");
        assert_eq!(r[kept_col] == "1", all, "{r:?}");
        kept += usize::from(all);
    }
    // and calibrated.toml holds exactly the kept draws, and loads as priors
    if kept > 0 {
        assert!(o.status.success(), "{}", stderr(&o));
        let text = std::fs::read_to_string(dir.join("hm/calibrated.toml")).unwrap();
        let t: toml::Table = toml::from_str(&text).unwrap();
        assert_eq!(t["accepted"]["draws"].as_array().unwrap().len(), kept);
        let o = tokenmaxx(
            &dir,
            &[
                "compare",
                "baseline",
                "amazon-2026",
                "--replications",
                "2",
                "--employees",
                "200",
                "--weeks",
                "6",
                "--priors",
                "hm/calibrated.toml",
                "-q",
                "--out",
                "c",
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
    } else {
        assert_eq!(o.status.code(), Some(2), "no draw kept is an error");
    }
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
        24
    );
}
