//! Every policy lever, declared once: its entry in [`levers!`](crate::levers) (key, variant,
//! type), its raw form in a scenario file (with its defaults), its checked value, its slot in
//! [`PolicyState`] and its [`Lever`] implementation (checks, text form, folding, labels). To
//! add a lever, add all of that here, then read it in the model; docs/architecture.md walks
//! through an example.

use serde::{Deserialize, Serialize};

use super::check::{Check, CheckError, fields_of};
use super::lever::{Lever, Switch};
use super::{GroupId, GroupSet};

crate::levers! {
    /// A weekly adoption target: a share of the tracked groups expected to use AI each week
    /// (counted by tokens), or "off".
    target: Target => TargetLever,
    /// A token leaderboard: who is ranked against whom, and who sees it; or "off".
    leaderboard: Leaderboard => LeaderboardLever,
    /// The agent platform: employees may build bots, acting with these permissions; or "off".
    platform: Platform => PlatformLever,
    /// "Token statistics will not affect reviews": perceived monitoring falls by
    /// trust x credibility, and the statement stands, blunting nudges until they erode it.
    statement: Statement => StatementLever,
    /// How managers behave: attention to usage, nudges, the informal weight of tokens in reviews.
    managers: Managers => ManagersLever,
    /// A token budget per employee: a weekly cap, a share of salary, or both; or "off".
    budget: Budget => BudgetLever,
    /// Whether employees see the dollar cost of their own usage.
    costs_visible: CostsVisible => CostsVisibleLever,
    /// Whether reviews and leaderboards count an outcome metric instead of tokens, and which:
    /// `changes` (merged changes; `true` means this), `cycle-time` or `incident-adjusted`.
    outcome_metrics: OutcomeMetrics => OutcomeMetricsLever,
    /// A formal weight of AI usage in reviews, or "off".
    reviews: Reviews => ReviewsLever,
}

/// The policies in force. A fold of `PolicyChanged` events ([`PolicyState::apply`]).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PolicyState {
    pub target: Option<Target>,
    /// The target last in force, once it has been lifted (none while a target is in force):
    /// what compliance remembers (docs/model.md 7.5.3).
    pub lifted_target: Option<Target>,
    /// The week the target was lifted (set by the fold, which knows the week).
    pub lifted_week: u32,
    pub leaderboard: Option<Leaderboard>,
    /// Whether a leaderboard has ever been in force: before that, agents know no peer quantiles.
    pub leaderboard_seen: bool,
    pub platform: Option<PermissionScope>,
    pub managers: Managers,
    pub budget: Option<Budget>,
    pub costs_visible: bool,
    /// The outcome metric reviews and any leaderboard count instead of tokens (`None`: tokens).
    pub outcome_metrics: Option<OutcomeMetric>,
    pub reviews: Option<Reviews>,
}

/// `off` or a checked table, for the levers written as [`Switch`].
fn switch<R, T>(
    raw: &Switch<R>,
    on: impl FnOnce(&R) -> Result<T, CheckError>,
) -> Result<Option<T>, CheckError> {
    match raw {
        Switch::Off => Ok(None),
        Switch::On(r) => on(r).map(Some),
    }
}

/// A [`Switch`] from a value that may be off.
fn switch_of<T, R>(value: &Option<T>, on: impl FnOnce(&T) -> R) -> Switch<R> {
    value.as_ref().map_or(Switch::Off, |v| Switch::On(on(v)))
}

// ---------------------------------------------------------------------------------------------
// target

/// A weekly adoption target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    /// Share of the target groups that should be active each week.
    pub share: f64,
    /// Tokens per week that count as active.
    pub theta_tokens: f64,
    pub applies_to: GroupSet,
}

/// Weekly adoption target, as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawTarget {
    /// Share of the target groups that should be active each week, in [0, 1].
    pub share: f64,
    /// Tokens in a week that count an employee as active.
    pub theta: f64,
    /// The threshold as dollars of tokens a week instead (a spending expectation); replaces
    /// `theta` when stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theta_usd: Option<f64>,
    /// Groups the target applies to.
    pub applies_to: Vec<String>,
}

impl Default for RawTarget {
    fn default() -> Self {
        RawTarget {
            share: 0.8,
            theta: 5e5,
            theta_usd: None,
            applies_to: vec!["developers".to_string()],
        }
    }
}

pub struct TargetLever;

impl Lever for TargetLever {
    type Raw = Switch<RawTarget>;
    type Value = Option<Target>;
    const RANGES: &'static [(&'static str, f64, f64)] = &[("theta", 1.0, 1e12)];
    fn fields() -> Vec<&'static str> {
        fields_of::<RawTarget>()
    }
    fn check(raw: &Self::Raw, c: &Check) -> Result<Self::Value, CheckError> {
        switch(raw, |t| {
            c.share("share", t.share)?;
            c.non_negative("theta", t.theta)?;
            let theta_tokens = match t.theta_usd {
                None => t.theta,
                Some(usd) => {
                    c.range("theta_usd", usd, 0.0, 1e7, "US dollars a week in [0, 1e7]")?;
                    let price = c.price_usd_per_mtok.ok_or_else(|| {
                        c.invalid(
                            "theta_usd",
                            "a stored change states its threshold in tokens",
                        )
                    })?;
                    usd / price * 1e6
                }
            };
            if t.applies_to.is_empty() {
                return Err(c.invalid("applies_to", "needs at least one group"));
            }
            let mut applies_to = GroupSet::default();
            for g in &t.applies_to {
                applies_to.insert(c.group("applies_to", g)?);
            }
            Ok(Target {
                share: t.share,
                theta_tokens,
                applies_to,
            })
        })
    }
    fn to_raw(value: &Self::Value, groups: &[&str]) -> Self::Raw {
        switch_of(value, |t| RawTarget {
            share: t.share,
            theta: t.theta_tokens,
            theta_usd: None,
            applies_to: (0..groups.len())
                .filter(|g| t.applies_to.contains(*g as GroupId))
                .map(|g| groups[g].to_string())
                .collect(),
        })
    }
    fn apply(value: &Self::Value, state: &mut PolicyState) {
        state.lifted_target = match value {
            None => state.target.or(state.lifted_target),
            Some(_) => None,
        };
        state.target = *value;
    }
    fn in_force(state: &PolicyState) -> Option<Self::Value> {
        Some(state.target)
    }
    fn label(value: &Self::Value, _: &PolicyState) -> String {
        match value {
            Some(t) => format!("target {:.0}%", t.share * 100.0),
            None => "target off".into(),
        }
    }
    fn words(value: &Self::Value, _: &PolicyState) -> String {
        match value {
            Some(t) => format!(
                "Adoption target: {:.0}% of the tracked employees are expected to use AI every week (counted by tokens).",
                t.share * 100.0
            ),
            None => "The adoption target is dropped.".into(),
        }
    }
    fn example() -> Self::Value {
        Some(Target {
            share: 0.8,
            theta_tokens: 5e5,
            applies_to: GroupSet(1),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// leaderboard

crate::named_enum!(
    /// Who a leaderboard ranks against each other.
    RankScope {
        /// Every employee.
        Org => "org",
        /// The agent's team.
        Team => "team",
    }
);

crate::named_enum!(
    /// Who sees individual leaderboard figures.
    Visibility {
        Public => "public",
        Team => "team",
        ManagerOnly => "manager_only",
        Private => "private",
    }
);

/// A token leaderboard in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Leaderboard {
    pub scope: RankScope,
    pub visibility: Visibility,
}

/// A token leaderboard, as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawLeaderboard {
    /// `org` ranks every employee, `team` the agent's team.
    pub scope: String,
    /// `public`, `team`, `manager_only` or `private`.
    pub visibility: String,
}

impl Default for RawLeaderboard {
    fn default() -> Self {
        RawLeaderboard {
            scope: "org".to_string(),
            visibility: "public".to_string(),
        }
    }
}

pub struct LeaderboardLever;

impl Lever for LeaderboardLever {
    type Raw = Switch<RawLeaderboard>;
    type Value = Option<Leaderboard>;
    const CHOICES: &'static [(&'static str, &'static [&'static str])] = &[
        ("scope", RankScope::NAMES),
        ("visibility", Visibility::NAMES),
    ];
    fn fields() -> Vec<&'static str> {
        fields_of::<RawLeaderboard>()
    }
    fn check(raw: &Self::Raw, c: &Check) -> Result<Self::Value, CheckError> {
        switch(raw, |l| {
            Ok(Leaderboard {
                scope: c.word("scope", &l.scope, RankScope::parse, RankScope::NAMES)?,
                visibility: c.word(
                    "visibility",
                    &l.visibility,
                    Visibility::parse,
                    Visibility::NAMES,
                )?,
            })
        })
    }
    fn to_raw(value: &Self::Value, _: &[&str]) -> Self::Raw {
        switch_of(value, |l| RawLeaderboard {
            scope: l.scope.as_str().into(),
            visibility: l.visibility.as_str().into(),
        })
    }
    fn apply(value: &Self::Value, state: &mut PolicyState) {
        state.leaderboard = *value;
        state.leaderboard_seen |= value.is_some();
    }
    fn in_force(state: &PolicyState) -> Option<Self::Value> {
        Some(state.leaderboard)
    }
    fn label(value: &Self::Value, before: &PolicyState) -> String {
        let Some(l) = value else {
            return "leaderboard off".into();
        };
        let visibility = l.visibility.as_str().replace('_', " ");
        match before.leaderboard {
            Some(prev) if prev.scope == l.scope => format!("visibility {visibility}"),
            _ => format!("leaderboard {} {visibility}", l.scope.as_str()),
        }
    }
    fn words(value: &Self::Value, before: &PolicyState) -> String {
        let Some(l) = value else {
            return "The token leaderboard is shut down.".into();
        };
        let visibility = l.visibility.as_str().replace('_', " ");
        match before.leaderboard {
            Some(prev) if prev.scope == l.scope => {
                format!("The leaderboard stays, but is now visible to: {visibility}.")
            }
            _ => format!(
                "A token leaderboard ranks employees {}-wide by tokens used; visible to: {visibility}.",
                l.scope.as_str()
            ),
        }
    }
    fn example() -> Self::Value {
        Some(Leaderboard {
            scope: RankScope::Org,
            visibility: Visibility::ManagerOnly,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// platform

crate::named_enum!(
    /// Permissions of agent-platform bots.
    PermissionScope {
        Broad => "broad",
        Scoped => "scoped",
        LeastPrivilege => "least_privilege",
    }
);

/// The agent platform, available from the week it is switched on, as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawPlatform {
    /// `broad`, `scoped` or `least_privilege`.
    pub permission_scope: String,
}

impl Default for RawPlatform {
    fn default() -> Self {
        RawPlatform {
            permission_scope: "broad".to_string(),
        }
    }
}

pub struct PlatformLever;

impl Lever for PlatformLever {
    type Raw = Switch<RawPlatform>;
    type Value = Option<PermissionScope>;
    const CHOICES: &'static [(&'static str, &'static [&'static str])] =
        &[("permission_scope", PermissionScope::NAMES)];
    fn fields() -> Vec<&'static str> {
        fields_of::<RawPlatform>()
    }
    fn check(raw: &Self::Raw, c: &Check) -> Result<Self::Value, CheckError> {
        switch(raw, |p| {
            c.word(
                "permission_scope",
                &p.permission_scope,
                PermissionScope::parse,
                PermissionScope::NAMES,
            )
        })
    }
    fn to_raw(value: &Self::Value, _: &[&str]) -> Self::Raw {
        switch_of(value, |p| RawPlatform {
            permission_scope: p.as_str().into(),
        })
    }
    fn apply(value: &Self::Value, state: &mut PolicyState) {
        state.platform = *value;
    }
    fn in_force(state: &PolicyState) -> Option<Self::Value> {
        Some(state.platform)
    }
    fn label(value: &Self::Value, _: &PolicyState) -> String {
        match value {
            Some(s) => format!("bots ({})", s.as_str().replace('_', " ")),
            None => "bots off".into(),
        }
    }
    fn words(value: &Self::Value, _: &PolicyState) -> String {
        match value {
            Some(s) => format!(
                "An agent platform: employees can build bots that act with {} permissions.",
                s.as_str().replace('_', " ")
            ),
            None => "The agent platform is withdrawn.".into(),
        }
    }
    fn example() -> Self::Value {
        Some(PermissionScope::LeastPrivilege)
    }
}

// ---------------------------------------------------------------------------------------------
// statement

/// An official statement that token statistics will not affect reviews.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Statement {
    /// How far a fully trusting employee's perceived monitoring falls, in [0, 1].
    pub credibility: f64,
}

/// A one-off official statement that token statistics will not affect reviews, as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawStatement {
    /// How far a fully trusting employee's perceived monitoring falls, in [0, 1].
    pub credibility: f64,
}

impl Default for RawStatement {
    fn default() -> Self {
        RawStatement { credibility: 0.5 }
    }
}

pub struct StatementLever;

impl Lever for StatementLever {
    type Raw = RawStatement;
    type Value = Statement;
    fn fields() -> Vec<&'static str> {
        fields_of::<RawStatement>()
    }
    fn check(raw: &Self::Raw, c: &Check) -> Result<Self::Value, CheckError> {
        c.share("credibility", raw.credibility)?;
        Ok(Statement {
            credibility: raw.credibility,
        })
    }
    fn to_raw(value: &Self::Value, _: &[&str]) -> Self::Raw {
        RawStatement {
            credibility: value.credibility,
        }
    }
    /// A statement changes beliefs, not policy: the fold's `State::apply` handles its effect.
    fn apply(_: &Self::Value, _: &mut PolicyState) {}
    fn in_force(_: &PolicyState) -> Option<Self::Value> {
        None
    }
    fn label(_: &Self::Value, _: &PolicyState) -> String {
        "statement".into()
    }
    fn words(_: &Self::Value, _: &PolicyState) -> String {
        "An official statement that token counts will not affect reviews (believed as far as people trust it).".into()
    }
    fn example() -> Self::Value {
        Statement { credibility: 0.25 }
    }
}

// ---------------------------------------------------------------------------------------------
// managers

/// Manager behaviour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Managers {
    pub attention: f64,
    pub nudge: f64,
    pub review_token_weight: f64,
    pub review_every_weeks: u32,
    pub review_learning: f64,
    pub target_pressure: f64,
    pub review_noise: f64,
    pub review_stakes: f64,
}

impl Default for Managers {
    fn default() -> Self {
        let raw = RawManagers::default();
        Managers {
            attention: raw.attention,
            nudge: raw.nudge,
            review_token_weight: raw.review_token_weight,
            review_every_weeks: raw.review_every as u32,
            review_learning: raw.review_learning,
            target_pressure: raw.target_pressure,
            review_noise: raw.review_noise,
            review_stakes: raw.review_stakes,
        }
    }
}

/// How managers behave (they are not agents; docs/model.md), as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawManagers {
    /// Weekly chance, per team, that a manager mentions usage stats.
    pub attention: f64,
    /// Step of perceived monitoring towards 1 after a mention.
    pub nudge: f64,
    /// Real informal weight of tokens in reviews, in [0, 1].
    pub review_token_weight: f64,
    /// Weeks between reviews.
    pub review_every: i64,
    /// How far a review moves perceived monitoring towards the real weight, in [0, 1].
    pub review_learning: f64,
    /// Factor on `attention` in a week after the target was missed.
    pub target_pressure: f64,
    /// Standard deviation of the noise in what an employee learns from a review.
    pub review_noise: f64,
    /// What a review is worth: after a rating `r`, the career-driven pulls (target, believed
    /// rank) are multiplied by `1 + review_stakes * (1 - r)` until the next review.
    pub review_stakes: f64,
}

impl Default for RawManagers {
    fn default() -> Self {
        RawManagers {
            attention: 0.05,
            nudge: 0.2,
            review_token_weight: 0.1,
            review_every: 13,
            review_learning: 0.3,
            target_pressure: 2.0,
            review_noise: 0.05,
            review_stakes: 2.0,
        }
    }
}

pub struct ManagersLever;

impl Lever for ManagersLever {
    type Raw = RawManagers;
    type Value = Managers;
    fn fields() -> Vec<&'static str> {
        fields_of::<RawManagers>()
    }
    fn check(m: &Self::Raw, c: &Check) -> Result<Self::Value, CheckError> {
        c.share("attention", m.attention)?;
        c.share("nudge", m.nudge)?;
        c.share("review_token_weight", m.review_token_weight)?;
        c.weeks("review_every", m.review_every)?;
        c.share("review_learning", m.review_learning)?;
        let factor = "a factor in [0, 1000]";
        c.range("target_pressure", m.target_pressure, 0.0, 1e3, factor)?;
        let sd = "a standard deviation in [0, 1]";
        c.range("review_noise", m.review_noise, 0.0, 1.0, sd)?;
        let stakes = "a factor in [0, 10]";
        c.range("review_stakes", m.review_stakes, 0.0, 10.0, stakes)?;
        Ok(Managers {
            attention: m.attention,
            nudge: m.nudge,
            review_token_weight: m.review_token_weight,
            review_every_weeks: m.review_every as u32,
            review_learning: m.review_learning,
            target_pressure: m.target_pressure,
            review_noise: m.review_noise,
            review_stakes: m.review_stakes,
        })
    }
    fn to_raw(m: &Self::Value, _: &[&str]) -> Self::Raw {
        RawManagers {
            attention: m.attention,
            nudge: m.nudge,
            review_token_weight: m.review_token_weight,
            review_every: m.review_every_weeks as i64,
            review_learning: m.review_learning,
            target_pressure: m.target_pressure,
            review_noise: m.review_noise,
            review_stakes: m.review_stakes,
        }
    }
    fn apply(value: &Self::Value, state: &mut PolicyState) {
        state.managers = *value;
    }
    fn in_force(state: &PolicyState) -> Option<Self::Value> {
        Some(state.managers)
    }
    fn label(_: &Self::Value, _: &PolicyState) -> String {
        "managers".into()
    }
    fn words(_: &Self::Value, _: &PolicyState) -> String {
        "Managers' settings (attention, nudges, weight of tokens in reviews).".into()
    }
    fn example() -> Self::Value {
        Managers {
            attention: 0.2,
            ..Managers::default()
        }
    }
}

// ---------------------------------------------------------------------------------------------
// budget

/// A token budget per employee.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    /// Hard weekly cap on an employee's tokens.
    pub tokens_per_week: Option<f64>,
    /// Annual allowance as a share of salary, pro-rated to a weekly cap.
    pub salary_share: Option<f64>,
}

impl Budget {
    /// The weekly token cap this budget implies at the given price and salary.
    pub fn weekly_cap_tokens(&self, price_usd_per_mtok: f64, salary_usd: f64) -> f64 {
        let by_salary = self
            .salary_share
            .map(|s| s * salary_usd / 52.0 / price_usd_per_mtok * 1e6)
            .unwrap_or(f64::INFINITY);
        self.tokens_per_week.unwrap_or(f64::INFINITY).min(by_salary)
    }
}

/// Token budget per employee: a weekly cap, an annual allowance as a share of salary, or both.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawBudget {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tokens_per_week: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub salary_share: Option<f64>,
}

pub struct BudgetLever;

impl Lever for BudgetLever {
    type Raw = Switch<RawBudget>;
    type Value = Option<Budget>;
    const RANGES: &'static [(&'static str, f64, f64)] = &[("tokens_per_week", 1.0, 1e12)];
    fn fields() -> Vec<&'static str> {
        fields_of::<RawBudget>()
    }
    fn check(raw: &Self::Raw, c: &Check) -> Result<Self::Value, CheckError> {
        switch(raw, |b| {
            if b.tokens_per_week.is_none() && b.salary_share.is_none() {
                return Err(c.invalid(
                    "",
                    "state `tokens_per_week`, `salary_share` or both (or write budget = \"off\")",
                ));
            }
            if let Some(t) = b.tokens_per_week {
                c.positive("tokens_per_week", t)?;
            }
            if let Some(s) = b.salary_share {
                let allowed = "a share of salary in (0, 100]";
                c.range("salary_share", s, 1e-9, 100.0, allowed)?;
            }
            Ok(Budget {
                tokens_per_week: b.tokens_per_week,
                salary_share: b.salary_share,
            })
        })
    }
    fn to_raw(value: &Self::Value, _: &[&str]) -> Self::Raw {
        switch_of(value, |b| RawBudget {
            tokens_per_week: b.tokens_per_week,
            salary_share: b.salary_share,
        })
    }
    fn apply(value: &Self::Value, state: &mut PolicyState) {
        state.budget = *value;
    }
    fn in_force(state: &PolicyState) -> Option<Self::Value> {
        Some(state.budget)
    }
    fn label(value: &Self::Value, _: &PolicyState) -> String {
        match value {
            Some(_) => "budget".into(),
            None => "budget off".into(),
        }
    }
    fn words(value: &Self::Value, _: &PolicyState) -> String {
        match value {
            Some(_) => "A token budget caps each employee's weekly tokens.".into(),
            None => "The token budget is lifted.".into(),
        }
    }
    fn example() -> Self::Value {
        Some(Budget {
            tokens_per_week: Some(1e8),
            salary_share: None,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// costs_visible: a switch

/// An on/off lever: a `bool` field of the policy state, with a label and plain words for each
/// setting (its example is "on").
macro_rules! switch_lever {
    ($(#[$doc:meta])* $lever:ident, $field:ident,
     on: ($on_label:expr, $on_words:expr), off: ($off_label:expr, $off_words:expr)) => {
        $(#[$doc])*
        pub struct $lever;

        impl Lever for $lever {
            type Raw = bool;
            type Value = bool;
            fn fields() -> Vec<&'static str> {
                Vec::new()
            }
            fn check(raw: &bool, _: &Check) -> Result<bool, CheckError> {
                Ok(*raw)
            }
            fn to_raw(value: &bool, _: &[&str]) -> bool {
                *value
            }
            fn apply(value: &bool, state: &mut PolicyState) {
                state.$field = *value;
            }
            fn in_force(state: &PolicyState) -> Option<bool> {
                Some(state.$field)
            }
            fn label(value: &bool, _: &PolicyState) -> String {
                if *value { $on_label } else { $off_label }.into()
            }
            fn words(value: &bool, _: &PolicyState) -> String {
                if *value { $on_words } else { $off_words }.into()
            }
            fn example() -> bool {
                true
            }
        }
    };
}

switch_lever!(
    /// Everyone sees the dollar cost of their own usage.
    CostsVisibleLever,
    costs_visible,
    on: ("costs visible", "Everyone sees the dollar cost of their own usage."),
    off: ("costs hidden", "Usage costs are no longer shown.")
);

// ---------------------------------------------------------------------------------------------
// outcome_metrics

crate::named_enum!(
    /// The outcome metric reviews and leaderboards count (docs/model.md, 7.16).
    OutcomeMetric {
        /// Merged changes per person: splitting work into more, smaller changes raises it
        /// one for one.
        Changes => "changes",
        /// Time from first commit to merge: smaller changes are believed to merge faster.
        CycleTime => "cycle-time",
        /// Merged changes less the incidents they cause.
        IncidentAdjusted => "incident-adjusted",
    }
);

/// The outcome-metrics lever, as written: `false` or `"off"` (tokens count), `true` (merged
/// changes), or a metric's name.
#[derive(Debug, Clone, PartialEq)]
pub enum RawOutcomeMetrics {
    Switch(bool),
    Named(String),
}

impl Default for RawOutcomeMetrics {
    fn default() -> Self {
        RawOutcomeMetrics::Switch(false)
    }
}

impl Serialize for RawOutcomeMetrics {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            RawOutcomeMetrics::Switch(b) => s.serialize_bool(*b),
            RawOutcomeMetrics::Named(n) => s.serialize_str(n),
        }
    }
}

impl<'de> Deserialize<'de> for RawOutcomeMetrics {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Switch(bool),
            Named(String),
        }
        Either::deserialize(d)
            .map(|e| match e {
                Either::Switch(b) => RawOutcomeMetrics::Switch(b),
                Either::Named(n) => RawOutcomeMetrics::Named(n),
            })
            .map_err(|_| {
                serde::de::Error::custom(format!(
                    "outcome_metrics: want true, false, \"off\" or one of {}",
                    OutcomeMetric::NAMES.join(", ")
                ))
            })
    }
}

/// Reviews and any leaderboard count an outcome metric instead of tokens.
pub struct OutcomeMetricsLever;

impl Lever for OutcomeMetricsLever {
    type Raw = RawOutcomeMetrics;
    type Value = Option<OutcomeMetric>;
    const CHOICES: &'static [(&'static str, &'static [&'static str])] =
        &[("", OutcomeMetric::NAMES)];
    fn fields() -> Vec<&'static str> {
        Vec::new()
    }
    fn check(raw: &Self::Raw, c: &Check) -> Result<Self::Value, CheckError> {
        match raw {
            RawOutcomeMetrics::Switch(on) => Ok(on.then_some(OutcomeMetric::Changes)),
            RawOutcomeMetrics::Named(n) if n == "off" => Ok(None),
            RawOutcomeMetrics::Named(n) => c
                .word("", n, OutcomeMetric::parse, OutcomeMetric::NAMES)
                .map(Some),
        }
    }
    fn to_raw(value: &Self::Value, _: &[&str]) -> Self::Raw {
        match value {
            None => RawOutcomeMetrics::Switch(false),
            Some(m) => RawOutcomeMetrics::Named(m.as_str().to_string()),
        }
    }
    fn apply(value: &Self::Value, state: &mut PolicyState) {
        state.outcome_metrics = *value;
    }
    fn in_force(state: &PolicyState) -> Option<Self::Value> {
        Some(state.outcome_metrics)
    }
    fn label(value: &Self::Value, _: &PolicyState) -> String {
        match value {
            Some(m) => format!("outcome metrics ({})", m.as_str()),
            None => "token metrics".into(),
        }
    }
    fn words(value: &Self::Value, _: &PolicyState) -> String {
        match value {
            Some(OutcomeMetric::Changes) => {
                "Reviews and any leaderboard count merged changes, not tokens.".into()
            }
            Some(OutcomeMetric::CycleTime) => {
                "Reviews and any leaderboard count cycle time, not tokens.".into()
            }
            Some(OutcomeMetric::IncidentAdjusted) => {
                "Reviews and any leaderboard count merged changes less incidents, not tokens."
                    .into()
            }
            None => "Reviews and any leaderboard go back to counting tokens.".into(),
        }
    }
    fn example() -> Self::Value {
        Some(OutcomeMetric::IncidentAdjusted)
    }
}

// ---------------------------------------------------------------------------------------------
// reviews

/// A formal weight of AI usage in reviews.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reviews {
    /// Share of a review rating that AI usage decides, in [0, 1].
    pub usage_weight: f64,
}

/// Reviews, as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawReviews {
    /// Share of a review rating that AI usage decides, in [0, 1].
    pub usage_weight: f64,
}

impl Default for RawReviews {
    fn default() -> Self {
        RawReviews { usage_weight: 0.2 }
    }
}

pub struct ReviewsLever;

impl Lever for ReviewsLever {
    type Raw = Switch<RawReviews>;
    type Value = Option<Reviews>;
    fn fields() -> Vec<&'static str> {
        fields_of::<RawReviews>()
    }
    fn check(raw: &Self::Raw, c: &Check) -> Result<Self::Value, CheckError> {
        switch(raw, |r| {
            c.share("usage_weight", r.usage_weight)?;
            Ok(Reviews {
                usage_weight: r.usage_weight,
            })
        })
    }
    fn to_raw(value: &Self::Value, _: &[&str]) -> Self::Raw {
        switch_of(value, |r| RawReviews {
            usage_weight: r.usage_weight,
        })
    }
    fn apply(value: &Self::Value, state: &mut PolicyState) {
        state.reviews = *value;
    }
    fn in_force(state: &PolicyState) -> Option<Self::Value> {
        Some(state.reviews)
    }
    fn label(value: &Self::Value, _: &PolicyState) -> String {
        match value {
            Some(r) => format!("reviews {:.0}% usage", r.usage_weight * 100.0),
            None => "reviews off".into(),
        }
    }
    fn words(value: &Self::Value, _: &PolicyState) -> String {
        match value {
            Some(r) => format!(
                "Reviews formally weigh AI usage: {:.0}% of a rating.",
                r.usage_weight * 100.0
            ),
            None => "Reviews no longer weigh AI usage formally.".into(),
        }
    }
    fn example() -> Self::Value {
        Some(Reviews { usage_weight: 0.5 })
    }
}
