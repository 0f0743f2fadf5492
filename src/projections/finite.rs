//! A run whose figures are not finite (a parameter extreme enough to overflow the model) must
//! fail loudly, not write NaN tables or hang the chart layout: find the first such figure.

use super::Projections;

/// The first non-finite figure of a run's summary, weekly rows or deciles, named for a message
/// ("summary figure `roi`", "weekly figure `cost_usd` of week 3"); None when all are finite.
pub fn non_finite(p: &Projections) -> Option<String> {
    if let Some(k) = bad_in(&p.summary) {
        return Some(format!("summary figure `{k}`"));
    }
    for row in &p.weekly {
        if let Some(k) = bad_in(row) {
            return Some(format!("weekly figure `{k}` of week {}", row.week));
        }
    }
    bad_in(&p.deciles).map(|k| format!("decile figure `{k}`"))
}

/// The dotted key of the first non-finite number of a value (serialised through TOML, which
/// keeps NaN and infinities, unlike JSON).
fn bad_in<T: serde::Serialize>(v: &T) -> Option<String> {
    first_bad(&toml::Value::try_from(v).ok()?)
}

fn first_bad(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::Float(x) if !x.is_finite() => Some(String::new()),
        toml::Value::Table(t) => t.iter().find_map(|(k, v)| {
            first_bad(v).map(|r| {
                if r.is_empty() {
                    k.clone()
                } else {
                    format!("{k}.{r}")
                }
            })
        }),
        toml::Value::Array(a) => a
            .iter()
            .enumerate()
            .find_map(|(i, v)| first_bad(v).map(|r| format!("[{i}]{r}"))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testkit::sized;

    #[test]
    fn a_nan_figure_is_named_and_a_normal_run_passes() {
        let s = sized("baseline", 50, 3);
        let mut p = crate::simulate(&s, 0);
        assert_eq!(non_finite(&p), None);
        p.weekly[1].cost_usd = f64::NAN;
        assert_eq!(
            non_finite(&p).as_deref(),
            Some("weekly figure `cost_usd` of week 1")
        );
        p.summary.padding_share = f64::INFINITY;
        assert_eq!(
            non_finite(&p).as_deref(),
            Some("summary figure `padding_share`")
        );
    }
}
