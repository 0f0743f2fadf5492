//! Model v3, 7.16: an outcome metric can be gamed by splitting work into more changes, and the
//! metric chosen is a lever.

use crate::util::*;

/// Run amazon-2026's timeline with outcome metrics counting `metric`, plus `extra` TOML lines,
/// into `dir/metric`; returns weekly.csv's header and rows.
fn run(dir: &std::path::Path, metric: &str, extra: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let toml =
        format!("extends = \"outcome-metrics\"\n[policy]\noutcome_metrics = \"{metric}\"\n{extra}");
    let size = ["--employees", "2000", "--weeks", "40"];
    run_weekly(
        dir,
        metric,
        &toml,
        &[&size[..], &["--events", "--no-charts"]].concat(),
    )
}

/// Mean of a weekly column over the last 13 weeks.
fn last_quarter(h: &[String], rows: &[Vec<String>], name: &str) -> f64 {
    let c = column(h, rows, name);
    mean(&c[c.len() - 13..])
}

#[test]
fn a_count_of_changes_is_gamed_more_than_cycle_time_and_the_splitting_costs_review() {
    let dir = scratch("gaming_metrics");
    let (h, changes) = run(&dir, "changes", "");
    let (_, cycle) = run(&dir, "cycle-time", "");
    // given the same company, when its reviews count merged changes rather than cycle time
    // (which a split raises a fifth as much), then more people split their work, review takes
    // longer, and the organisation's value is lower
    let split = |rows| last_quarter(&h, rows, "split_share");
    let (sc, st) = (split(&changes), split(&cycle));
    assert!(sc > st + 0.05, "split share: changes {sc}, cycle time {st}");
    let load = |rows| last_quarter(&h, rows, "review_load");
    assert!(load(&changes) > load(&cycle), "review load");
    let value = |rows| last_quarter(&h, rows, "value_uplift");
    assert!(value(&changes) < value(&cycle), "value");
    // and no one pads tokens under either (padding buys no rank)
    for rows in [&changes, &cycle] {
        assert!(last_quarter(&h, rows, "padding_share") < 0.05);
    }
    // and the split levels are events: replay rebuilds the tables from events.parquet alone
    let o = tokenmaxx(&dir, &["replay", dir.join("changes").to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn splitting_that_costs_nothing_and_offends_no_one_is_universal_and_free() {
    // given splitting that takes no time, costs no review and offends no one, when reviews count
    // changes, then (nearly) everyone splits, yet the organisation's value is that of a metric
    // no one games: the cost of gaming is the mechanism's, not assumed
    let dir = scratch("gaming_free");
    let free = "[behaviour]\nsplit_scale = 1e6\n[work]\nsplit_time = 0.0\nsplit_review = 0.0\n";
    let (h, gamed) = run(&dir, "changes", free);
    let averse = "[behaviour]\nsplit_scale = 1e-6\n";
    let (_, none) = run(&dir, "cycle-time", averse);
    assert!(last_quarter(&h, &gamed, "split_share") > 0.8);
    assert_eq!(last_quarter(&h, &none, "split_share"), 0.0);
    let (a, b) = (
        last_quarter(&h, &gamed, "value_uplift"),
        last_quarter(&h, &none, "value_uplift"),
    );
    assert!((a - b).abs() < 0.01, "value: free splitting {a}, none {b}");
}
