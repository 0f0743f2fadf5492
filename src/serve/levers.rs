//! The page's controls, derived from the one list of levers (src/policy/levers.rs): each lever's
//! settings and the kind of control each takes, so a new lever appears on the page without
//! editing it (the page draws controls from this list; a test fails if a setting has no kind).

use serde::Serialize;
use serde_json::Value;
use tokenmaxx::policy::{PolicyChange, RawPolicyChange, lever_choices, lever_docs, sweep_fields};

/// One lever as the page offers it.
#[derive(Debug, Clone, Serialize)]
pub struct Control {
    pub key: &'static str,
    /// What the lever is, in words (its line in the list of levers).
    pub words: &'static str,
    /// Whether it may be written `"off"`.
    pub can_be_off: bool,
    /// A value to start from when the lever is added (the lever's example, as written).
    pub example: Value,
    /// Its settings; none for a lever that is itself on or off, or one word of `choices`.
    pub fields: Vec<Field>,
    /// The words a lever without settings may be set to (besides "off"); empty for a switch.
    pub choices: &'static [&'static str],
}

/// One setting of a lever.
#[derive(Debug, Clone, Serialize)]
pub struct Field {
    pub name: &'static str,
    /// `number`, `integer`, `bool`, `choice` (one of `choices`), `groups` (some of the base's
    /// groups) or `optional` (a number that may be left out).
    pub kind: &'static str,
    pub choices: &'static [&'static str],
}

/// Group names the examples are written with (a target's example applies to the first).
const EXAMPLE_GROUPS: &[&str] = &["developers", "others"];

/// Every lever's control, in declaration order.
pub fn controls() -> Vec<Control> {
    let choices = lever_choices();
    PolicyChange::examples()
        .iter()
        .zip(sweep_fields())
        .zip(choices)
        .zip(lever_docs())
        .map(|(((change, (key, names)), (_, words)), (_, doc))| {
            let raw = serde_json::to_value(change.to_raw(EXAMPLE_GROUPS)).unwrap_or(Value::Null);
            let example = raw.get(key).cloned().unwrap_or(Value::Null);
            let off = serde_json::json!({ key: "off" });
            Control {
                key,
                words: doc,
                can_be_off: serde_json::from_value::<RawPolicyChange>(off).is_ok(),
                fields: names
                    .iter()
                    .map(|name| field(name, example.get(name), words))
                    .collect(),
                choices: words
                    .iter()
                    .find(|(f, _)| f.is_empty())
                    .map_or(&[][..], |(_, c)| *c),
                example,
            }
        })
        .collect()
}

/// The kind of control a setting takes, from its example value (a setting the example leaves
/// out is an optional number: a budget's `salary_share`, a target's `theta_usd`).
fn field(
    name: &'static str,
    example: Option<&Value>,
    words: &'static [(&'static str, &'static [&'static str])],
) -> Field {
    let choices = words
        .iter()
        .find(|(f, _)| *f == name)
        .map_or(&[][..], |(_, c)| *c);
    let kind = match example {
        _ if !choices.is_empty() => "choice",
        None => "optional",
        Some(Value::Bool(_)) => "bool",
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => "integer",
        Some(Value::Number(_)) => "number",
        Some(Value::Array(_)) => "groups",
        Some(_) => "unknown",
    };
    Field {
        name,
        kind,
        choices,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lever_has_a_control_and_every_setting_a_kind() {
        let controls = controls();
        let keys: Vec<&str> = controls.iter().map(|c| c.key).collect();
        assert_eq!(keys, PolicyChange::KEYS, "a lever without a control");
        for c in &controls {
            for f in &c.fields {
                assert_ne!(f.kind, "unknown", "{}.{} has no control", c.key, f.name);
            }
            if c.fields.is_empty() && c.choices.is_empty() {
                assert!(
                    c.example.is_boolean(),
                    "{} has neither settings nor a switch",
                    c.key
                );
            }
            if let Some(word) = c.example.as_str() {
                assert!(c.choices.contains(&word), "{}: {word}", c.key);
            }
        }
        let target = controls.iter().find(|c| c.key == "target").unwrap();
        assert!(target.can_be_off);
        let kinds: Vec<(&str, &str)> = target.fields.iter().map(|f| (f.name, f.kind)).collect();
        assert!(kinds.contains(&("applies_to", "groups")), "{kinds:?}");
        assert!(kinds.contains(&("theta_usd", "optional")), "{kinds:?}");
        let board = controls.iter().find(|c| c.key == "leaderboard").unwrap();
        assert_eq!(
            board.fields[1].choices,
            ["public", "team", "manager_only", "private"]
        );
        let metric = controls
            .iter()
            .find(|c| c.key == "outcome_metrics")
            .unwrap();
        assert!(metric.can_be_off && metric.fields.is_empty());
        assert_eq!(
            metric.choices,
            ["changes", "cycle-time", "incident-adjusted"]
        );
        let statement = controls.iter().find(|c| c.key == "statement").unwrap();
        assert!(!statement.can_be_off);
        assert!(
            controls.iter().all(|c| c.words.len() > 20),
            "every lever has its words"
        );
    }
}
