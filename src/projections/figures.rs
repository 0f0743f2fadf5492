//! The summary figures, one row each: name (as in summary.json and the batch tables), words for
//! people, and how to read it from a [`Summary`]. Sweeps, sensitivity analyses, calibrations and
//! reports take figures from here, so a figure is added in one place (and in [`Summary`]).
//!
//! The order is part of the journal format of batches (a run's figures are stored in it):
//! append new figures at the end.

use super::Summary;

/// A summary figure.
pub struct Figure {
    pub name: &'static str,
    /// Words for people.
    pub label: &'static str,
    /// The value (None where undefined, e.g. ROI without cost, a target never met).
    pub get: fn(&Summary) -> Option<f64>,
}

macro_rules! figures {
    ($($name:ident => $label:literal $(, $conv:expr)?;)+) => {
        &[$(Figure {
            name: stringify!($name),
            label: $label,
            get: figures!(@get $name $(, $conv)?),
        }),+]
    };
    (@get $name:ident) => { |s: &Summary| Some(s.$name as f64) };
    (@get $name:ident, $conv:expr) => { $conv };
}

/// Every summary figure, in the batches' journal order.
pub const FIGURES: &[Figure] = figures! {
    top_decile_token_ratio => "Top tenth's tokens over the median user's";
    top_decile_output_ratio => "Top tenth's output over the median user's";
    padding_share => "Padding share of all tokens";
    peak_padding_share => "Highest weekly padding share";
    peak_padding_week => "Week of the highest padding share";
    reported_vs_genuine_gap => "Reported minus genuine activity";
    mean_reported_active_share => "Weekly active on the dashboard (mean)";
    mean_genuine_active_share => "Weekly active genuinely (mean)";
    first_week_target_met => "First week the target was met", |s: &Summary| s.first_week_target_met.map(f64::from);
    annual_cost_per_employee_usd => "Token cost a year per employee";
    cost_share_of_salary => "Token cost as a share of salary";
    median_monthly_cost_per_active_usd => "Median monthly cost per genuinely active user";
    median_weekly_tokens_per_user => "Median user's tokens per week";
    output_uplift => "Output over working without AI";
    roi => "Output dollars per token dollar", |s: &Summary| s.roi;
    tokens_total => "Tokens, whole run";
    tokens_genuine => "Tokens on real work, whole run";
    tokens_padding => "Padding tokens, whole run";
    tokens_bot => "Bots' useful tokens, whole run";
    cost_usd => "Token cost, whole run";
    incidents => "Bot incidents";
    incident_cost => "Output lost to incidents";
    bots_deployed => "Bots built";
    token_gini_users => "Gini of tokens among users";
    users => "Employees who used AI at all";
    net_value_usd => "Net value, whole run";
    net_value_per_employee_year_usd => "Net value a year per employee";
    rework_cost => "Output lost to rework";
    noise_cost => "Output lost to bot noise";
    padding_time_cost => "Working time spent padding";
    perceived_uplift => "Speed-up users feel (median)";
    measured_uplift => "Speed-up users have (median)";
    say_faster_share => "Users who say AI makes them faster";
    are_faster_share => "Users who are measurably faster";
    perceived_uplift_first_quarter => "Speed-up users feel in the first quarter (median)";
    measured_uplift_first_quarter => "Speed-up users have in the first quarter (median)";
};

/// The figure of a name.
pub fn find(name: &str) -> Option<&'static Figure> {
    FIGURES.iter().find(|f| f.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_numeric_summary_field_is_a_figure_and_reads_the_same_value() {
        // The figures cover summary.json's numeric fields (ids and sizes aside), and each getter
        // reads the value serde writes under the same name.
        let s = crate::simulate(
            &crate::scenario::Scenario::load_with(
                &crate::scenario::Source::Builtin("amazon-2026".into()),
                &crate::scenario::Overrides {
                    employees: Some(300),
                    weeks: Some(14),
                    seed: None,
                },
            )
            .unwrap()
            .0,
            0,
        )
        .summary;
        let json = serde_json::to_value(&s).unwrap();
        let skip = [
            "seed",
            "replication",
            "employees",
            "weeks",
            "output_unit_usd",
        ];
        for (k, v) in json.as_object().unwrap() {
            if v.is_number() && !skip.contains(&k.as_str()) {
                let f = find(k).unwrap_or_else(|| panic!("{k} is not in FIGURES"));
                assert_eq!((f.get)(&s), v.as_f64(), "{k}");
            }
        }
    }
}
