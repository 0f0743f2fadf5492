//! Model v3, item 5 of the issue: padding that persists as compliance after a target is lifted
//! (docs/model.md 7.5.3), and fades.

use crate::util::*;

/// Weekly padding tokens of rollout-mandate-then-outcomes (target lifted at week 26) with
/// `compliance_memory` set.
fn padding(dir: &std::path::Path, memory: f64) -> Vec<f64> {
    let file = dir.join(format!("memory-{memory}.toml"));
    std::fs::write(
        &file,
        format!(
            "extends = \"rollout-mandate-then-outcomes\"\n[behaviour]\ncompliance_memory = {memory}\ncompliance_half_life = 8\n"
        ),
    )
    .unwrap();
    let out = dir.join(format!("run-{memory}"));
    let o = tokenmaxx(
        dir,
        &[
            "run",
            file.to_str().unwrap(),
            "--employees",
            "2000",
            "--weeks",
            "70",
            "--no-charts",
            "-q",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let (h, rows) = read_csv(&out.join("weekly.csv"));
    column(&h, &rows, "tokens_padding")
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
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
