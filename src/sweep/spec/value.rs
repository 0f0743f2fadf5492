//! The values of a point as text (CSV cells, messages) and as numbers.

use super::{Axis, Point};

/// "policy.target.share=0.8, ..." for messages.
pub fn render_point(parameters: &[(String, Axis)], point: &Point) -> String {
    parameters
        .iter()
        .zip(point)
        .map(|((k, _), v)| format!("{k}={}", render_value(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A value as a CSV cell: numbers and strings plain, tables as inline TOML.
pub fn render_value(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Table(t) => format!(
            "{{ {} }}",
            t.iter()
                .map(|(k, v)| format!("{k} = {}", v))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

/// A value as a number, where it is one.
pub fn value_number(v: &toml::Value) -> Option<f64> {
    match v {
        toml::Value::Float(f) => Some(*f),
        toml::Value::Integer(i) => Some(*i as f64),
        _ => None,
    }
}
