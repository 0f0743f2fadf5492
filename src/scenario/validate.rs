//! From a merged [`RawScenario`] to a typed, checked [`Scenario`]: every range, every name, every
//! cross-field rule. Errors name the file, the dotted key, the value and what is allowed.

use super::dist::{Dist, support_of};
use super::error::ScenarioError;
use super::raw::{
    Adoption, Behaviour, Bots, DistSpec, Money, RawGroup, RawPolicyChange, RawScenario, Work,
};
use super::{Group, Scenario, ScheduledChange, TraitDists};
use crate::policy::check::{self, Check, CheckError};
use crate::policy::{GroupId, GroupSet, PolicyChange};
use std::collections::BTreeMap;

/// Largest population accepted (agents are indexed by `u32`; memory is checked by the CLI).
pub const MAX_EMPLOYEES: i64 = 100_000_000;
/// Longest horizon accepted, in weeks (ten years).
pub const MAX_WEEKS: i64 = 520;

struct Checker<'a> {
    file: &'a str,
}

/// The scenario's section checks: the rules of [`crate::policy::check`], with the file named.
impl Checker<'_> {
    fn err(&self, e: CheckError) -> ScenarioError {
        ScenarioError::from_check(self.file, e)
    }
    fn range(
        &self,
        key: &str,
        value: f64,
        lo: f64,
        hi: f64,
        allowed: &str,
    ) -> Result<(), ScenarioError> {
        check::range(key, value, lo, hi, allowed).map_err(|e| self.err(e))
    }
    fn share(&self, key: &str, v: f64) -> Result<(), ScenarioError> {
        check::share(key, v).map_err(|e| self.err(e))
    }
    fn positive(&self, key: &str, v: f64) -> Result<(), ScenarioError> {
        check::positive(key, v).map_err(|e| self.err(e))
    }
    fn non_negative(&self, key: &str, v: f64) -> Result<(), ScenarioError> {
        check::non_negative(key, v).map_err(|e| self.err(e))
    }
    fn int(&self, key: &str, v: i64, lo: i64, hi: i64) -> Result<(), ScenarioError> {
        check::int(key, v, lo, hi).map_err(|e| self.err(e))
    }
    fn invalid(&self, key: &str, message: impl Into<String>) -> ScenarioError {
        ScenarioError::Invalid {
            file: self.file.to_string(),
            key: key.to_string(),
            message: message.into(),
        }
    }
    /// A trait distribution; `bounds` is the interval its draws must stay in.
    fn dist(&self, key: &str, spec: &DistSpec, bounds: (f64, f64)) -> Result<Dist, ScenarioError> {
        let dist = Dist::from_spec(spec).map_err(|m| self.invalid(key, m))?;
        let (lo, hi) = support_of(spec, &dist);
        if !(lo >= bounds.0 && hi <= bounds.1) {
            let allowed = if bounds.1.is_finite() {
                format!(
                    "draws in [{}, {}]: use a beta, or a constant or uniform inside it",
                    bounds.0, bounds.1
                )
            } else {
                format!(
                    "draws >= {}: use a lognormal, gamma or beta, or a constant or uniform >= {}",
                    bounds.0, bounds.0
                )
            };
            return Err(self.invalid(
                key,
                format!("this distribution can draw values in [{lo}, {hi}], but the trait needs {allowed}"),
            ));
        }
        Ok(dist)
    }
    /// The context a lever's checks run in (`key`: `policy`, `timeline[2]`, `change`).
    fn levers<'g>(&self, key: &str, groups: &'g [&'g str], price: Option<f64>) -> Check<'g> {
        Check {
            key: key.to_string(),
            groups,
            price_usd_per_mtok: price,
            max_weeks: MAX_WEEKS,
        }
    }
}

/// Check a merged raw scenario and build the typed one.
///
/// The checks run in file order (sizes, population, behaviour, adoption, work, bots, money,
/// policy), so the first error reported is the first one a reader meets.
pub fn validate(
    raw: &RawScenario,
    file: &str,
    resolved_toml: String,
) -> Result<Scenario, ScenarioError> {
    let c = Checker { file };
    check_sizes(&c, raw)?;
    let groups = check_population(&c, &raw.population)?;
    let group_names: Vec<&str> = raw.population.keys().map(String::as_str).collect();
    check_behaviour(&c, &raw.behaviour)?;
    check_adoption(&c, &raw.adoption)?;
    check_work(&c, &raw.work)?;
    let incident_cost = check_bots(&c, &raw.bots)?;
    check_money(&c, &raw.money)?;
    let timeline = check_timeline(&c, raw, &group_names)?;
    let tracked = tracked_groups(&timeline, &group_names);

    Ok(Scenario {
        name: raw.name.clone(),
        description: raw.description.clone(),
        seed: raw.seed,
        weeks: raw.weeks as u32,
        employees: raw.employees as u32,
        team_size: raw.team_size as u32,
        groups,
        behaviour: raw.behaviour.clone(),
        adoption: raw.adoption.clone(),
        work: raw.work.clone(),
        bots: raw.bots.clone(),
        incident_cost,
        money: raw.money.clone(),
        timeline,
        tracked_groups: tracked,
        resolved_toml,
    })
}

/// The sizes (`weeks`, `employees`, `team_size`) and the scenario's name.
fn check_sizes(c: &Checker, raw: &RawScenario) -> Result<(), ScenarioError> {
    c.int("weeks", raw.weeks, 1, MAX_WEEKS)?;
    c.int("employees", raw.employees, 1, MAX_EMPLOYEES)?;
    c.int("team_size", raw.team_size, 1, 100_000)?;
    crate::paths::check_name(&raw.name).map_err(|m| c.invalid("name", m))
}

/// `[population]`: between one and [`GroupSet::MAX_GROUPS`] groups, each with checked trait
/// distributions, whose shares sum to 1.
fn check_population(
    c: &Checker,
    population: &BTreeMap<String, RawGroup>,
) -> Result<Vec<Group>, ScenarioError> {
    if population.is_empty() {
        return Err(c.invalid("population", "needs at least one group"));
    }
    if population.len() > GroupSet::MAX_GROUPS {
        return Err(c.invalid(
            "population",
            format!("at most {} groups", GroupSet::MAX_GROUPS),
        ));
    }
    let mut groups = Vec::new();
    let mut total_share = 0.0;
    for (name, g) in population {
        c.share(&format!("population.{name}.share"), g.share)?;
        total_share += g.share;
        groups.push(Group {
            name: name.clone(),
            share: g.share,
            traits: check_traits(c, name, g)?,
        });
    }
    if (total_share - 1.0).abs() > 1e-6 {
        let parts: Vec<String> = population
            .iter()
            .map(|(n, g)| format!("{n} = {}", g.share))
            .collect();
        return Err(c.invalid(
            "population.*.share",
            format!(
                "group shares must sum to 1, but {} sum to {total_share}",
                parts.join(", ")
            ),
        ));
    }
    Ok(groups)
}

/// One group's trait distributions, each within the interval its draws must stay in.
fn check_traits(c: &Checker, name: &str, g: &RawGroup) -> Result<TraitDists, ScenarioError> {
    let unit = (0.0, 1.0);
    let positive = (0.0, f64::INFINITY);
    let k = |field: &str| format!("population.{name}.{field}");
    Ok(TraitDists {
        skill: c.dist(&k("skill"), &g.skill, positive)?,
        ai_fit: c.dist(&k("ai_fit"), &g.ai_fit, unit)?,
        proficiency: c.dist(&k("proficiency"), &g.proficiency, unit)?,
        career_concern: c.dist(&k("career_concern"), &g.career_concern, unit)?,
        status_drive: c.dist(&k("status_drive"), &g.status_drive, unit)?,
        gaming_aversion: c.dist(&k("gaming_aversion"), &g.gaming_aversion, positive)?,
        token_intensity: c.dist(&k("token_intensity"), &g.token_intensity, positive)?,
        trust: c.dist(&k("trust"), &g.trust, unit)?,
        optimism: c.dist(&k("optimism"), &g.optimism, (-10.0, 10.0))?,
    })
}

/// `[behaviour]`: weights are non-negative, rates are shares, a few values have plausible ranges.
fn check_behaviour(c: &Checker, b: &Behaviour) -> Result<(), ScenarioError> {
    c.non_negative("behaviour.uplift", b.uplift)?;
    c.positive("behaviour.token_scale", b.token_scale)?;
    c.positive("behaviour.effort_cost", b.effort_cost)?;
    c.range(
        "behaviour.week_noise",
        b.week_noise,
        0.0,
        5.0,
        "a number in [0, 5]",
    )?;
    c.share("behaviour.learn_rate", b.learn_rate)?;
    c.share("behaviour.perception_learn", b.perception_learn)?;
    c.positive("behaviour.pad_scale", b.pad_scale)?;
    c.range(
        "behaviour.bot_leverage",
        b.bot_leverage,
        1.0,
        1e6,
        "a number in [1, 1e6]",
    )?;
    // Above 0.8 a padding team erases all distaste for padding and the top of a board races
    // away geometrically (tokens x20 within weeks): a model edge, not a scenario.
    c.range(
        "behaviour.norm_weight",
        b.norm_weight,
        0.0,
        0.8,
        "a weight in [0, 0.8] (above 0.8 padding races without bound)",
    )?;
    c.share("behaviour.board_notice", b.board_notice)?;
    c.share("behaviour.board_imitation", b.board_imitation)?;
    c.non_negative("behaviour.risk_aversion", b.risk_aversion)?;
    c.range(
        "behaviour.choice_temperature",
        b.choice_temperature,
        1e-6,
        1e6,
        "a number in [1e-6, 1e6]",
    )?;
    c.non_negative("behaviour.target_weight", b.target_weight)?;
    c.non_negative("behaviour.status_weight", b.status_weight)?;
    c.non_negative("behaviour.rank_weight", b.rank_weight)?;
    c.share("behaviour.revise_bot", b.revise_bot)?;
    c.share("behaviour.revise_manual", b.revise_manual)?;
    c.share("behaviour.revise_bot_on_change", b.revise_bot_on_change)?;
    c.share("behaviour.statement_erosion", b.statement_erosion)?;
    c.share("behaviour.compliance_memory", b.compliance_memory)?;
    c.range(
        "behaviour.compliance_half_life",
        b.compliance_half_life,
        0.1,
        1e4,
        "weeks in [0.1, 1e4]",
    )?;
    c.range(
        "behaviour.split_scale",
        b.split_scale,
        1e-6,
        1e6,
        "a split level in [1e-6, 1e6]",
    )?;
    c.share("behaviour.split_gain_cycle_time", b.split_gain_cycle_time)?;
    c.share(
        "behaviour.split_gain_incident_adjusted",
        b.split_gain_incident_adjusted,
    )?;
    c.share("behaviour.monitoring0", b.monitoring0)?;
    c.share(
        "behaviour.private_monitoring_factor",
        b.private_monitoring_factor,
    )?;
    c.share("behaviour.team_audience", b.team_audience)?;
    c.non_negative("behaviour.price_weight", b.price_weight)?;
    c.non_negative("behaviour.top_weight", b.top_weight)?;
    c.range(
        "behaviour.top_leapfrog",
        b.top_leapfrog,
        1.0,
        100.0,
        "a factor in [1, 100]",
    )
}

/// `[adoption]`: probabilities are shares. A rollout past the horizon means nobody uses AI.
fn check_adoption(c: &Checker, a: &Adoption) -> Result<(), ScenarioError> {
    c.int("adoption.rollout_week", a.rollout_week, 0, MAX_WEEKS)?;
    c.share("adoption.initial_share", a.initial_share)?;
    c.share("adoption.innovation", a.innovation)?;
    c.share("adoption.imitation_team", a.imitation_team)?;
    c.share("adoption.imitation_org", a.imitation_org)?;
    c.share("adoption.revise_use", a.revise_use)?;
    c.share("adoption.mandate_conversion", a.mandate_conversion)?;
    c.share("adoption.reactance", a.reactance)?;
    c.share("adoption.forget_rate", a.forget_rate)
}

/// `[work]`: each cost has a plausible range (a larger value is a typo, not a scenario).
fn check_work(c: &Checker, w: &Work) -> Result<(), ScenarioError> {
    c.range(
        "work.novice_drag",
        w.novice_drag,
        0.0,
        2.0,
        "a coefficient in [0, 2]",
    )?;
    c.share("work.novice_gain", w.novice_gain)?;
    c.range(
        "work.familiar_share",
        w.familiar_share,
        0.0,
        2.0,
        "a share of the week per unit of skill in [0, 2]",
    )?;
    c.range(
        "work.rework_rate",
        w.rework_rate,
        0.0,
        1.0,
        "a rate in [0, 1]",
    )?;
    c.range(
        "work.pad_time",
        w.pad_time,
        0.0,
        1.0,
        "a share of a week in [0, 1]",
    )?;
    c.range(
        "work.noise_per_action",
        w.noise_per_action,
        0.0,
        0.01,
        "output units per action in [0, 0.01]",
    )?;
    c.range(
        "work.review_capacity",
        w.review_capacity,
        0.0,
        10.0,
        "a share of the team's no-AI load in [0, 10] (0: unlimited review)",
    )?;
    c.share("work.unreviewed_base", w.unreviewed_base)?;
    c.share("work.review_drain", w.review_drain)?;
    c.share("work.review_abandon", w.review_abandon)?;
    if w.review_drain + w.review_abandon > 1.0 {
        return Err(c.invalid(
            "work.review_abandon",
            "review_drain + review_abandon must be at most 1 (a weekly share of the waiting work)",
        ));
    }
    c.share("work.review_catch", w.review_catch)?;
    c.share("work.split_time", w.split_time)?;
    c.range(
        "work.split_review",
        w.split_review,
        0.0,
        1.0,
        "an exponent in [0, 1] (0: a split costs no review; 1: review grows with the changes)",
    )?;
    c.range(
        "work.defect_ai",
        w.defect_ai,
        0.0,
        10.0,
        "defects per unit of AI-assisted work in [0, 10]",
    )?;
    c.range(
        "work.defect_cost",
        w.defect_cost,
        0.0,
        10.0,
        "output units per escaped defect in [0, 10]",
    )
}

/// `[bots]`: token amounts and rates, the permission-scope factors, and the incident cost's
/// distribution (returned, checked).
fn check_bots(c: &Checker, bo: &Bots) -> Result<Dist, ScenarioError> {
    c.non_negative("bots.bot_tokens", bo.bot_tokens)?;
    c.non_negative("bots.bot_uplift", bo.bot_uplift)?;
    c.positive("bots.tokens_per_action", bo.tokens_per_action)?;
    c.share("bots.incident_rate", bo.incident_rate)?;
    c.share("bots.build_innovation", bo.build_innovation)?;
    c.share("bots.build_imitation", bo.build_imitation)?;
    c.range(
        "bots.scope_factor_scoped",
        bo.scope_factor_scoped,
        0.0,
        1.0,
        "a factor in [0, 1]",
    )?;
    c.range(
        "bots.scope_factor_least_privilege",
        bo.scope_factor_least_privilege,
        0.0,
        1.0,
        "a factor in [0, 1]",
    )?;
    c.dist(
        "bots.incident_cost",
        &bo.incident_cost,
        (0.0, f64::INFINITY),
    )
}

/// `[money]`: a non-negative token price and a positive salary.
fn check_money(c: &Checker, m: &Money) -> Result<(), ScenarioError> {
    c.non_negative("money.price_usd_per_mtok", m.price_usd_per_mtok)?;
    c.positive("money.salary_usd", m.salary_usd)
}

/// `[policy]` (week 0) and the `[[timeline]]` entries as one list of scheduled changes, sorted
/// by week: week-0 `[policy]` first, then timeline entries in week order (stable: file order
/// within a week). A week may change each policy at most once.
fn check_timeline(
    c: &Checker,
    raw: &RawScenario,
    group_names: &[&str],
) -> Result<Vec<ScheduledChange>, ScenarioError> {
    let mut timeline = Vec::new();
    if raw.policy.week.is_some() {
        return Err(c.invalid(
            "policy.week",
            "the [policy] table is week 0; put later changes in [[timeline]] entries",
        ));
    }
    let (groups, price) = (group_names, Some(raw.money.price_usd_per_mtok));
    let changes = raw.policy.check(&c.levers("policy", groups, price));
    for change in changes.map_err(|e| c.err(e))? {
        timeline.push(ScheduledChange { week: 0, change });
    }
    let mut seen: Vec<(i64, &'static str, usize)> = Vec::new();
    for (i, entry) in raw.timeline.iter().enumerate() {
        let key = format!("timeline[{i}]");
        let week = timeline_week(c, &key, entry, raw.weeks)?;
        let changes = entry
            .check(&c.levers(&key, groups, price))
            .map_err(|e| c.err(e))?;
        if changes.is_empty() {
            return Err(c.invalid(
                &key,
                format!(
                    "changes nothing: state at least one policy ({})",
                    PolicyChange::KEYS.join(", ")
                ),
            ));
        }
        for change in changes {
            if let Some((_, _, j)) = seen
                .iter()
                .find(|(w, k, _)| *w == week && *k == change.key())
            {
                return Err(c.invalid(
                    &format!("{key}.{}", change.key()),
                    format!(
                        "week {week} already changes `{}` in timeline[{j}]",
                        change.key()
                    ),
                ));
            }
            seen.push((week, change.key(), i));
            timeline.push(ScheduledChange {
                week: week as u32,
                change,
            });
        }
    }
    timeline.sort_by_key(|s| s.week);
    Ok(timeline)
}

/// A timeline entry's `week`: present, and inside the horizon of `weeks` weeks.
fn timeline_week(
    c: &Checker,
    key: &str,
    entry: &RawPolicyChange,
    weeks: i64,
) -> Result<i64, ScenarioError> {
    let week = entry.week.ok_or_else(|| {
        c.invalid(
            &format!("{key}.week"),
            "every timeline entry needs a `week`",
        )
    })?;
    c.int(&format!("{key}.week"), week, 0, weeks - 1)
        .map_err(|_| ScenarioError::OutOfRange {
            file: c.file.to_string(),
            key: format!("{key}.week"),
            value: week.to_string(),
            allowed: format!(
                "a week inside the horizon, [0, {}] (weeks = {weeks})",
                weeks - 1
            ),
        })?;
    Ok(week)
}

/// The groups tracked by the activity figures: the first target's, else `developers`, else all.
fn tracked_groups(timeline: &[ScheduledChange], group_names: &[&str]) -> GroupSet {
    let first_target = timeline.iter().find_map(|s| match s.change {
        PolicyChange::Target(Some(t)) => Some(t.applies_to),
        _ => None,
    });
    first_target.unwrap_or_else(|| {
        let mut set = GroupSet::default();
        match group_names.iter().position(|n| *n == "developers") {
            Some(i) => set.insert(i as GroupId),
            None => (0..group_names.len()).for_each(|i| set.insert(i as GroupId)),
        }
        set
    })
}

/// Parse one policy change written by [`change_to_toml`] (the event store's `change` column),
/// checking it as a scenario file's would be; `file` names the source in errors.
pub fn parse_change(
    text: &str,
    groups: &[&str],
    file: &str,
) -> Result<PolicyChange, ScenarioError> {
    let raw: RawPolicyChange = toml::from_str(text).map_err(|e| ScenarioError::Invalid {
        file: file.to_string(),
        key: "change".into(),
        message: format!("not a policy change: {}", e.message()),
    })?;
    let c = Checker { file };
    let mut changes = raw
        .check(&c.levers("change", groups, None))
        .map_err(|e| c.err(e))?;
    match (changes.pop(), changes.is_empty()) {
        (Some(change), true) => Ok(change),
        _ => Err(c.invalid(
            "change",
            format!("expected exactly one policy change in `{text}`"),
        )),
    }
}

/// One policy change as a one-line TOML table (`leaderboard = { scope = "org", ... }`), the
/// inverse of [`parse_change`].
pub fn change_to_toml(change: &PolicyChange, groups: &[&str]) -> String {
    let raw = change.to_raw(groups);
    // Inline tables keep it on one line; the `toml` crate writes sub-tables as sections, so
    // build the value and render each top-level key inline.
    let value = toml::Value::try_from(&raw).expect("a policy change serialises");
    let table = value.as_table().expect("a table");
    table
        .iter()
        .map(|(k, v)| format!("{k} = {}", inline(v)))
        .collect::<Vec<_>>()
        .join("\n")
}

fn inline(v: &toml::Value) -> String {
    match v {
        toml::Value::Table(t) => format!(
            "{{ {} }}",
            t.iter()
                .map(|(k, v)| format!("{k} = {}", inline(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        toml::Value::Array(a) => {
            format!("[{}]", a.iter().map(inline).collect::<Vec<_>>().join(", "))
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Scenario, Source};

    #[test]
    fn every_policy_change_of_the_builtins_round_trips_through_text() {
        for name in crate::scenario::builtin::names() {
            let s = Scenario::load(&Source::Builtin(name.into())).unwrap();
            let groups: Vec<&str> = s.groups.iter().map(|g| g.name.as_str()).collect();
            let mut changes: Vec<PolicyChange> = s.timeline.iter().map(|c| c.change).collect();
            changes.push(PolicyChange::Managers(crate::policy::Managers::default()));
            changes.push(PolicyChange::Budget(Some(crate::policy::Budget {
                tokens_per_week: Some(1e8),
                salary_share: None,
            })));
            for change in changes {
                let text = change_to_toml(&change, &groups);
                assert!(!text.contains('\n'), "{text}");
                assert_eq!(
                    parse_change(&text, &groups, "t").unwrap(),
                    change,
                    "{name}: {text}"
                );
            }
        }
    }
}
