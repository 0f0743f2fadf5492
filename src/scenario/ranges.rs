//! Plausible ranges of numeric parameters, beyond the signs and shares `validate` checks: values
//! outside them are finite but overflow the model (NaN figures, charts that never finish). One
//! table of dotted keys (`*` matches any group, trait or timeline entry), checked on the merged
//! scenario table, so a new parameter's range is one line here (a policy lever's: `RANGES` in its
//! declaration).

use super::ScenarioError;

/// (dotted key, lowest, highest); the policy levers' are declared with each lever.
pub const RANGES: &[(&str, f64, f64)] = &[
    ("behaviour.uplift", 0.0, 10.0),
    ("behaviour.token_scale", 1.0, 1e12),
    ("behaviour.pad_scale", 1.0, 1e12),
    ("bots.bot_tokens", 0.0, 1e12),
    ("bots.bot_uplift", 0.0, 10.0),
    ("bots.tokens_per_action", 1.0, 1e12),
    ("money.price_usd_per_mtok", 0.0, 1e4),
    ("money.salary_usd", 1.0, 1e8),
    ("money.discount_rate", 0.0, 1.0),
];

/// The policy levers' ranges (declared with each lever), in `[policy]` and every timeline entry.
fn lever_ranges() -> impl Iterator<Item = (String, f64, f64)> {
    crate::policy::lever_ranges()
        .into_iter()
        .flat_map(|(lever, ranges)| ranges.iter().map(move |r| (lever, r)))
        .flat_map(|(lever, (field, lo, hi))| {
            ["policy", "timeline.*"].map(|at| (format!("{at}.{lever}.{field}"), *lo, *hi))
        })
}

/// Where distributions are, and the ranges of their parameters.
const DISTRIBUTIONS: &[&str] = &["population.*.*", "bots.incident_cost"];
const DIST_RANGES: &[(&str, f64, f64)] = &[
    ("mu", -50.0, 50.0),
    ("sigma", 0.0, 10.0),
    ("low", -1e12, 1e12),
    ("high", -1e12, 1e12),
    ("value", -1e12, 1e12),
    ("a", 0.0, 1e6),
    ("b", 0.0, 1e6),
    ("shape", 0.0, 1e6),
    ("scale", 0.0, 1e12),
];

/// Check every ranged value present in a merged scenario table; the error names the key, the
/// value and the allowed range.
pub fn check(table: &toml::Table, file: &str) -> Result<(), ScenarioError> {
    let dist_keys = DISTRIBUTIONS.iter().flat_map(|d| {
        DIST_RANGES
            .iter()
            .map(move |(k, lo, hi)| (format!("{d}.{k}"), *lo, *hi))
    });
    let keys = RANGES
        .iter()
        .map(|(k, lo, hi)| (k.to_string(), *lo, *hi))
        .chain(lever_ranges());
    let root = toml::Value::Table(table.clone());
    for (pattern, lo, hi) in keys.chain(dist_keys) {
        let path: Vec<&str> = pattern.split('.').collect();
        let mut found = Vec::new();
        lookup(&root, &path, String::new(), &mut found);
        for (key, v) in found {
            if !(v >= lo && v <= hi) {
                return Err(ScenarioError::OutOfRange {
                    file: file.to_string(),
                    key,
                    value: v.to_string(),
                    allowed: format!("a number in [{}, {}]", short(lo), short(hi)),
                });
            }
        }
    }
    Ok(())
}

/// 10, 1e12: bounds as written in docs/guide/scenarios.md.
fn short(x: f64) -> String {
    if x.abs() >= 1e4 {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// The numbers at `path` under `v` (`*` matching every key or array element), with their keys.
fn lookup(v: &toml::Value, path: &[&str], key: String, out: &mut Vec<(String, f64)>) {
    let Some((first, rest)) = path.split_first() else {
        match v {
            toml::Value::Float(x) => out.push((key, *x)),
            toml::Value::Integer(i) => out.push((key, *i as f64)),
            _ => {}
        }
        return;
    };
    let join = |k: &str| {
        if key.is_empty() {
            k.to_string()
        } else {
            format!("{key}.{k}")
        }
    };
    match (v, *first) {
        (toml::Value::Table(t), "*") => {
            for (k, v) in t {
                lookup(v, rest, join(k), out);
            }
        }
        (toml::Value::Table(t), k) => {
            if let Some(v) = t.get(k) {
                lookup(v, rest, join(k), out);
            }
        }
        (toml::Value::Array(a), "*") => {
            for (i, v) in a.iter().enumerate() {
                lookup(v, rest, format!("{key}[{i}]"), out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        let mut t = crate::scenario::load::defaults_table();
        crate::scenario::load::merge(&mut t, text.parse().unwrap());
        check(&t, "x.toml").unwrap_err().to_string()
    }

    #[test]
    fn extreme_values_are_refused_naming_the_key_and_range() {
        let defaults = crate::scenario::load::defaults_table();
        check(&defaults, "d").unwrap();
        let e = err("[behaviour]\nuplift = 1e308\n");
        assert!(
            e.contains("`behaviour.uplift`") && e.contains("[0, 10]"),
            "{e}"
        );
        let e = err("[[timeline]]\nweek = 1\ntarget = { share = 0.5, theta = 1e-300 }\n");
        assert!(e.contains("`timeline[0].target.theta`"), "{e}");
        let e = err(
            "[population.developers]\nskill = { dist = \"lognormal\", mu = 700.0, sigma = 1.0 }\n",
        );
        assert!(e.contains("`population.developers.skill.mu`"), "{e}");
        let e = err(
            "[population.developers]\nskill = { dist = \"uniform\", low = 1.0, high = 1e308 }\n",
        );
        assert!(e.contains("`population.developers.skill.high`"), "{e}");
    }
}
