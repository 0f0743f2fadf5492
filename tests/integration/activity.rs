//! Reported and genuine activity count the same real work.

use crate::util::*;

#[test]
fn bots_useful_work_is_genuine_activity_so_no_padding_means_no_gap() {
    // given bots and no incentive to pad (no target, no leaderboard), when bots run (some for
    // people who do not use AI themselves), then the dashboard and genuine activity agree
    let dir = scratch("activity_bots");
    std::fs::write(
        dir.join("s.toml"),
        "extends = \"baseline\"\nname = \"bots-no-padding\"\n[policy]\nplatform = { permission_scope = \"scoped\" }\n",
    )
    .unwrap();
    let o = tokenmaxx(
        &dir,
        &[
            "run",
            "s.toml",
            "--employees",
            "600",
            "--weeks",
            "20",
            "-q",
            "--no-charts",
            "--out",
            "out",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let (h, rows) = read_csv(&dir.join("out/weekly.csv"));
    let pad = column(&h, &rows, "tokens_padding");
    let bot = column(&h, &rows, "tokens_bot");
    assert!(bot.iter().sum::<f64>() > 0.0, "bots ran");
    assert_eq!(pad.iter().sum::<f64>(), 0.0, "nobody padded");
    let reported = column(&h, &rows, "reported_active_share");
    let genuine = column(&h, &rows, "genuine_active_share");
    assert_eq!(reported, genuine);
}
