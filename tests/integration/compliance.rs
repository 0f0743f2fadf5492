//! Model v3, item 5 of the issue: padding that persists as compliance after a target is lifted
//! (docs/model.md 7.5.3), and fades.

use crate::util::*;

/// Weekly padding tokens of rollout-mandate-then-outcomes (target lifted at week 26) with
/// `compliance_memory` set.
fn padding(dir: &std::path::Path, memory: f64) -> Vec<f64> {
    let toml = format!(
        "extends = \"rollout-mandate-then-outcomes\"\n[behaviour]\ncompliance_memory = {memory}\ncompliance_half_life = 8\n"
    );
    let args = ["--employees", "2000", "--weeks", "70", "--no-charts", "-q"];
    let (h, rows) = run_weekly(dir, &format!("memory-{memory}"), &toml, &args);
    column(&h, &rows, "tokens_padding")
}

#[test]
fn padding_outlives_a_lifted_target_as_compliance_and_fades() {
    let dir = scratch("compliance");
    let (none, some) = (padding(&dir, 0.0), padding(&dir, 0.3));
    // given the same mandate until week 26: the same padding before it is lifted
    assert_eq!(none[..26], some[..26]);
    assert!(mean(&none[20..26]) > 0.0);
    // when it is lifted, then without compliance memory padding stops within weeks; with it,
    // padding goes on after the need is gone, and fades as the target goes out of mind
    let (early, late) = (mean(&some[28..34]), mean(&some[60..70]));
    assert!(mean(&none[30..34]) < 0.05 * mean(&none[20..26]));
    assert!(early > 0.3 * mean(&some[20..26]), "early {early}");
    assert!(late < 0.25 * early, "late {late} against early {early}");
}
