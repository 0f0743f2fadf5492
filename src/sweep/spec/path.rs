//! Dotted paths into a scenario's TOML (`policy.target.share`): setting a value, and checking
//! a path names a parameter.

use super::SweepError;
use crate::names::nearest;

/// Set `value` at a dotted path, creating tables on the way.
pub fn set_path(table: &mut toml::Table, path: &str, value: toml::Value) {
    let mut parts: Vec<&str> = path.split('.').collect();
    let last = parts.pop().expect("non-empty path");
    let mut t = table;
    for p in parts {
        let entry = t
            .entry(p.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if !entry.is_table() {
            *entry = toml::Value::Table(toml::Table::new());
        }
        t = entry.as_table_mut().expect("a table");
    }
    t.insert(last.to_string(), value);
}

/// Set parameter values by dotted path into a merged scenario table (`file` names it in errors),
/// each path checked as a sweep's are: what a sweep does for one point, for one scenario (the
/// Python package's `tokenmaxx.scenario(name, {"behaviour.uplift": 0.9})`). Validation of the
/// values is [`crate::scenario::Scenario::from_table`]'s.
pub fn apply_settings(
    table: &mut toml::Table,
    settings: &[(String, toml::Value)],
    file: &str,
) -> Result<(), SweepError> {
    for (path, value) in settings {
        check_path(table, path, file)?;
        set_path(table, path, value.clone());
    }
    Ok(())
}

/// Refuse a path that is not a scenario parameter, suggesting the nearest valid one.
pub(crate) fn check_path(base: &toml::Table, path: &str, file: &str) -> Result<(), SweepError> {
    let invalid = |m: String| SweepError::Invalid {
        file: file.to_string(),
        message: m,
    };
    if path.split('.').any(str::is_empty) || path.starts_with("timeline") {
        return Err(invalid(format!(
            "`{path}` is not a parameter path (timeline entries cannot be swept; vary `policy.*` or a base file)"
        )));
    }
    let valid = valid_paths(base);
    if valid.iter().any(|v| v == path) {
        return Ok(());
    }
    let hint = nearest(path, valid.iter().map(String::as_str))
        .map(|n| format!("; did you mean `{n}`?"))
        .unwrap_or_default();
    Err(invalid(format!("unknown parameter path `{path}`{hint}")))
}

/// Every dotted path a sweep may set: the leaves and tables of the base scenario, plus every
/// policy lever and each of its settings (`crate::policy::sweep_fields`, derived from the
/// levers' declarations).
pub fn valid_paths(base: &toml::Table) -> Vec<String> {
    fn walk(prefix: &str, t: &toml::Table, out: &mut Vec<String>) {
        for (k, v) in t {
            let p = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            if p == "timeline" {
                continue;
            }
            out.push(p.clone());
            if let toml::Value::Table(sub) = v {
                walk(&p, sub, out);
            }
        }
    }
    let mut out = Vec::new();
    walk("", base, &mut out);
    for (lever, fields) in crate::policy::sweep_fields() {
        out.push(format!("policy.{lever}"));
        out.extend(fields.iter().map(|f| format!("policy.{lever}.{f}")));
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_of_every_lever_is_a_valid_path() {
        let base = toml::Table::new();
        for p in [
            "policy.managers.review_stakes",
            "policy.target.theta_usd",
            "policy.costs_visible",
            "policy.platform.permission_scope",
        ] {
            assert!(check_path(&base, p, "s.toml").is_ok(), "{p}");
        }
        let valid = valid_paths(&base);
        for (lever, fields) in crate::policy::sweep_fields() {
            assert!(valid.contains(&format!("policy.{lever}")), "{lever}");
            for f in fields {
                assert!(
                    valid.contains(&format!("policy.{lever}.{f}")),
                    "{lever}.{f}"
                );
            }
        }
        assert!(check_path(&base, "policy.managers.review_stake", "s.toml").is_err());
    }

    #[test]
    fn settings_are_set_by_path_and_an_unknown_path_is_refused_with_a_hint() {
        let mut t = toml::Table::new();
        t.insert("behaviour".into(), toml::Value::Table(toml::Table::new()));
        t["behaviour"]
            .as_table_mut()
            .unwrap()
            .insert("uplift".into(), toml::Value::Float(0.5));
        let ok = [("behaviour.uplift".to_string(), toml::Value::Float(0.9))];
        apply_settings(&mut t, &ok, "s").unwrap();
        assert_eq!(t["behaviour"]["uplift"].as_float(), Some(0.9));
        let bad = [("behaviour.uplif".to_string(), toml::Value::Float(0.9))];
        let e = apply_settings(&mut t, &bad, "s").unwrap_err().to_string();
        assert!(
            e.contains("`behaviour.uplif`") && e.contains("did you mean `behaviour.uplift`"),
            "{e}"
        );
    }
}
