//! The fitted parameters and the scenario tables they are written into: the candidate tables the
//! fit simulates and the ready `org.toml` it leaves behind.

use toml::{Table, Value};

use crate::import::profile::Profile;
use crate::sweep::spec::set_path;

/// Where a fitted value goes.
#[derive(Debug, Clone, PartialEq)]
enum Target {
    /// `behaviour.<key>`.
    Behaviour(&'static str),
    /// A parameter of a trait distribution of every group: `(trait, dist, key)`.
    Trait(&'static str, &'static str, &'static str),
}

/// A fitted parameter with its search bounds (searched on a log scale when `log`).
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: &'static str,
    pub low: f64,
    pub high: f64,
    pub log: bool,
    target: Target,
    groups: Vec<String>,
}

/// The fitted parameters: token scale, token-intensity spread, effort cost and proficiency, and
/// with an outcome column uplift and skill spread. `groups` are the scenario's groups.
pub fn params(outcome: bool, groups: &[String]) -> Vec<Param> {
    use Target::*;
    let p = |name, low, high, log, target| Param {
        name,
        low,
        high,
        log,
        target,
        groups: groups.to_vec(),
    };
    let mut v = vec![
        p(
            "behaviour.token_scale",
            1e5,
            1e9,
            true,
            Behaviour("token_scale"),
        ),
        p(
            "token_intensity.sigma",
            0.1,
            2.5,
            false,
            Trait("token_intensity", "lognormal", "sigma"),
        ),
        p(
            "behaviour.effort_cost",
            0.01,
            1.0,
            true,
            Behaviour("effort_cost"),
        ),
        p(
            "proficiency.a",
            1.0,
            20.0,
            true,
            Trait("proficiency", "beta", "a"),
        ),
    ];
    if outcome {
        v.push(p("behaviour.uplift", 0.05, 3.0, true, Behaviour("uplift")));
        v.push(p(
            "skill.sigma",
            0.05,
            1.5,
            false,
            Trait("skill", "lognormal", "sigma"),
        ));
    }
    v
}

/// The defaults of the other parameter of a fitted distribution (docs/guide/scenarios.md, "Scenario files").
fn default_other(dist: &str) -> (&'static str, f64) {
    match dist {
        "beta" => ("b", 3.0),
        _ => ("mu", 0.0),
    }
}

impl Param {
    /// The parameter's path in a priors file: `behaviour.<key>`, or `population.*.<trait>.<key>`
    /// for a trait of every group (docs/guide/comparing.md, priors).
    pub fn path(&self) -> String {
        match &self.target {
            Target::Behaviour(k) => format!("behaviour.{k}"),
            Target::Trait(name, _, key) => format!("population.*.{name}.{key}"),
        }
    }

    /// The value at `u` in [0, 1].
    pub fn at(&self, u: f64) -> f64 {
        if self.log {
            (self.low.ln() + u * (self.high.ln() - self.low.ln())).exp()
        } else {
            self.low + u * (self.high - self.low)
        }
    }

    /// The unit-cube coordinate of a value (clamped to the bounds).
    pub fn unit(&self, v: f64) -> f64 {
        let u = if self.log {
            (v.ln() - self.low.ln()) / (self.high.ln() - self.low.ln())
        } else {
            (v - self.low) / (self.high - self.low)
        };
        u.clamp(0.0, 1.0)
    }

    /// Write `v` into `out`; a distribution's other parameter is kept from `base` when `base`
    /// states the same kind of distribution, else its default.
    pub fn set(&self, base: &Table, out: &mut Table, v: f64) {
        match &self.target {
            Target::Behaviour(k) => set_path(out, &format!("behaviour.{k}"), Value::Float(v)),
            Target::Trait(name, dist, key) => {
                let (other, default) = default_other(dist);
                for g in &self.groups {
                    let stated =
                        lookup_keys(base, &["population", g, name]).and_then(Value::as_table);
                    let same =
                        stated.is_some_and(|t| t.get("dist").and_then(Value::as_str) == Some(dist));
                    let kept = stated
                        .filter(|_| same)
                        .and_then(|t| t.get(other))
                        .and_then(|x| x.as_float().or_else(|| x.as_integer().map(|i| i as f64)))
                        .unwrap_or(default);
                    let mut t = Table::new();
                    t.insert("dist".into(), Value::String(dist.to_string()));
                    t.insert(other.into(), Value::Float(kept));
                    t.insert(key.to_string(), Value::Float(v));
                    set_group(out, g, name, Value::Table(t));
                }
            }
        }
    }
}

/// The value at a dotted path of a table.
#[cfg(test)]
fn lookup<'t>(t: &'t Table, path: &str) -> Option<&'t Value> {
    lookup_keys(t, &path.split('.').collect::<Vec<_>>())
}

/// The value under a sequence of keys (a group name may hold a `.`, so keys are not joined).
fn lookup_keys<'t>(t: &'t Table, keys: &[&str]) -> Option<&'t Value> {
    let (first, rest) = keys.split_first()?;
    rest.iter()
        .try_fold(t.get(*first)?, |v, k| v.as_table()?.get(*k))
}

/// Set `population.<group>.<field>`, taking the group's name as one key whatever it holds (an
/// imported group named `eng.platform` is one group, not `eng` with a field `platform`).
fn set_group(out: &mut Table, group: &str, field: &str, value: Value) {
    let mut t = out;
    for key in ["population", group] {
        let entry = t.entry(key).or_insert_with(|| Value::Table(Table::new()));
        if !entry.is_table() {
            *entry = Value::Table(Table::new());
        }
        t = entry.as_table_mut().expect("a table");
    }
    t.insert(field.to_string(), value);
}

/// The organisation's structure from a profile, into `out`: employees, team size and group
/// shares (groups of the base the profile lacks get share 0).
pub fn structure(p: &Profile, base_groups: &[String], out: &mut Table) {
    let total = p.headcount.total.max(1) as f64;
    out.insert("employees".into(), Value::Integer(p.headcount.total as i64));
    if let Some(t) = &p.teams {
        out.insert(
            "team_size".into(),
            Value::Integer(t.mean_size.round().max(1.0) as i64),
        );
    }
    for g in base_groups {
        if !p.headcount.by_group.contains_key(g) {
            set_group(out, g, "share", Value::Float(0.0));
        }
    }
    for (g, n) in &p.headcount.by_group {
        set_group(out, g, "share", Value::Float(*n as f64 / total));
    }
}

/// The groups of a fitted scenario: the base's and the profile's.
pub fn groups(p: &Profile, base_groups: &[String]) -> Vec<String> {
    let mut g = base_groups.to_vec();
    for k in p.headcount.by_group.keys() {
        if !g.contains(k) {
            g.push(k.clone());
        }
    }
    g
}

/// Copy `policy`'s week-0 policies and timeline into `table` (the policy in force in the export,
/// whose first week is the scenario's week 0); timeline changes at week `weeks` or later are
/// dropped, as `--weeks` drops them.
pub fn apply_policy(table: &mut Table, policy: &Table, weeks: i64) {
    for key in ["policy", "timeline"] {
        match policy.get(key) {
            Some(v) => table.insert(key.into(), v.clone()),
            None => table.remove(key),
        };
    }
    if let Some(Value::Array(changes)) = table.get_mut("timeline") {
        changes.retain(|c| {
            c.get("week")
                .and_then(Value::as_integer)
                .is_none_or(|w| w < weeks)
        });
    }
}

/// The text of a fitted scenario file: `name`, `extends`, the structure of `fit`'s profile and
/// the fitted `values`.
pub fn org_toml(
    name: &str,
    extends: &str,
    header: &str,
    fit: &super::Fit,
    base_groups: &[String],
    values: &[f64],
) -> String {
    let p = &fit.observed;
    let mut t = Table::new();
    t.insert("name".into(), Value::String(name.into()));
    t.insert(
        "description".into(),
        Value::String(format!(
            "an organisation fitted to a usage profile ({} people, {} weeks), on {extends}",
            p.headcount.total,
            p.weeks.len()
        )),
    );
    t.insert("extends".into(), Value::String(extends.into()));
    structure(p, base_groups, &mut t);
    for (param, &v) in fit.params.iter().zip(values) {
        param.set(&fit.table, &mut t, v);
    }
    let body = toml::to_string(&t).expect("a table of plain values serialises");
    format!("{header}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_map_the_unit_cube_and_back() {
        for p in params(true, &["developers".into()]) {
            for u in [0.0, 0.3, 1.0] {
                assert!((p.unit(p.at(u)) - u).abs() < 1e-9, "{}", p.name);
            }
            assert!((p.at(0.0) - p.low).abs() < 1e-9 * p.low.max(1.0));
        }
    }

    #[test]
    fn a_trait_keeps_the_other_parameter_of_a_stated_distribution() {
        let base: Table = toml::from_str(
            "[population.developers]\nproficiency = { dist = \"beta\", a = 5.0, b = 4.0 }\n",
        )
        .unwrap();
        let ps = params(false, &["developers".into(), "others".into()]);
        let mut out = Table::new();
        ps[3].set(&base, &mut out, 7.0);
        let dev = lookup(&out, "population.developers.proficiency").unwrap();
        assert_eq!(dev.get("b").and_then(Value::as_float), Some(4.0));
        assert_eq!(dev.get("a").and_then(Value::as_float), Some(7.0));
        let others = lookup(&out, "population.others.proficiency").unwrap();
        assert_eq!(others.get("b").and_then(Value::as_float), Some(3.0));
    }
}
