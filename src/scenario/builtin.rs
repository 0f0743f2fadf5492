//! The built-in scenarios: the TOML files in `scenarios/`, embedded in the binary.

/// (name, file text) of every built-in, in the order `tokenmaxx scenarios` lists them.
pub const BUILTINS: &[(&str, &str)] = &[
    ("baseline", include_str!("../../scenarios/baseline.toml")),
    (
        "amazon-2026",
        include_str!("../../scenarios/amazon-2026.toml"),
    ),
    (
        "meta-leaderboard",
        include_str!("../../scenarios/meta-leaderboard.toml"),
    ),
    (
        "target-only",
        include_str!("../../scenarios/target-only.toml"),
    ),
    (
        "visibility-restricted",
        include_str!("../../scenarios/visibility-restricted.toml"),
    ),
    (
        "leaderboard-forever",
        include_str!("../../scenarios/leaderboard-forever.toml"),
    ),
    (
        "least-privilege",
        include_str!("../../scenarios/least-privilege.toml"),
    ),
    (
        "outcome-metrics",
        include_str!("../../scenarios/outcome-metrics.toml"),
    ),
    (
        "outcome-metrics-incidents",
        include_str!("../../scenarios/outcome-metrics-incidents.toml"),
    ),
    (
        "costs-visible",
        include_str!("../../scenarios/costs-visible.toml"),
    ),
    (
        "half-salary-budget",
        include_str!("../../scenarios/half-salary-budget.toml"),
    ),
    (
        "token-budget",
        include_str!("../../scenarios/token-budget.toml"),
    ),
    (
        "usage-in-reviews",
        include_str!("../../scenarios/usage-in-reviews.toml"),
    ),
    ("rollout", include_str!("../../scenarios/rollout.toml")),
    (
        "rollout-mandate",
        include_str!("../../scenarios/rollout-mandate.toml"),
    ),
    (
        "rollout-mandate-then-outcomes",
        include_str!("../../scenarios/rollout-mandate-then-outcomes.toml"),
    ),
];

/// The default scenario of `tokenmaxx run`.
pub const DEFAULT: &str = "amazon-2026";

/// Names of all built-ins.
pub fn names() -> impl Iterator<Item = &'static str> {
    BUILTINS.iter().map(|(n, _)| *n)
}

/// The text of a built-in.
pub fn text(name: &str) -> Option<&'static str> {
    BUILTINS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// The `description` line of a built-in (read from its file).
pub fn description(name: &str) -> String {
    text(name)
        .and_then(|t| t.parse::<toml::Table>().ok())
        .and_then(|t| {
            t.get("description")
                .and_then(|d| d.as_str())
                .map(str::to_string)
        })
        .unwrap_or_default()
}
