//! summary.json: the headline figures of a run, computed from the weekly rows and deciles.

use serde::{Deserialize, Serialize};

use super::horizons::{HORIZONS, Kind};
use super::{DecileRow, WeeklyRow};
use crate::scenario::Scenario;

/// The headline figures of one run. Money in US dollars, tokens as counts, shares in [0, 1].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub scenario: String,
    pub description: String,
    pub seed: u64,
    pub replication: u32,
    pub employees: u32,
    pub weeks: u32,
    /// Top token decile's mean tokens over the median, among agents with any tokens.
    pub top_decile_token_ratio: f64,
    /// Top token decile's mean output over the median output, among agents with any tokens.
    pub top_decile_output_ratio: f64,
    /// Padding tokens over all tokens, whole run.
    pub padding_share: f64,
    /// Highest weekly padding share and its week.
    pub peak_padding_share: f64,
    pub peak_padding_week: u32,
    /// Mean gap between reported and genuine weekly-active shares of the tracked groups, over
    /// the weeks a target was in force (all weeks if never).
    pub reported_vs_genuine_gap: f64,
    /// Mean reported and genuine weekly-active shares of the tracked groups over the run.
    pub mean_reported_active_share: f64,
    pub mean_genuine_active_share: f64,
    /// First week the target was reported met (None if never).
    pub first_week_target_met: Option<u32>,
    /// Token cost per employee, annualised.
    pub annual_cost_per_employee_usd: f64,
    /// That cost over the salary.
    pub cost_share_of_salary: f64,
    /// Median monthly token cost of a reported-active member of the tracked groups (the weekly
    /// medians averaged over the run, times 52/12).
    pub median_monthly_cost_per_active_usd: f64,
    /// Median over agents with any tokens of their mean weekly tokens.
    pub median_weekly_tokens_per_user: f64,
    /// Output over the no-AI counterfactual, minus one, whole run.
    pub output_uplift: f64,
    /// The organisation's gain: value over the no-AI counterfactual (each team's work through
    /// its review queue, net of escaped defects) over the no-AI output.
    pub value_uplift: f64,
    /// Value of the output gain per dollar of tokens, whole run (None without cost). It
    /// misleads on its own: a policy that cuts spend can raise it while destroying value.
    pub roi: Option<f64>,
    /// The headline: value of the output gain over working without AI minus the token cost,
    /// whole run, US dollars (rework, noise, padding time and incidents are out of the output).
    pub net_value_usd: f64,
    /// What one output unit (an average employee's week without AI) is worth: `salary_usd / 52`.
    pub output_unit_usd: f64,
    /// Net value per employee, annualised.
    pub net_value_per_employee_year_usd: f64,
    /// Output units lost to rework, to bots' noise and to time spent padding, whole run.
    pub rework_cost: f64,
    pub noise_cost: f64,
    pub padding_time_cost: f64,
    /// What the teams' review queues let through (docs/model.md, "Delivery").
    #[serde(flatten)]
    pub delivery: DeliverySummary,
    /// Weekly medians of perceived and measured uplift of genuine users (tracked groups),
    /// averaged over the first 13 weeks after the rollout and over the whole run.
    pub perceived_uplift_first_quarter: f64,
    pub measured_uplift_first_quarter: f64,
    pub perceived_uplift: f64,
    pub measured_uplift: f64,
    /// Mean weekly share of genuine users who say AI makes them faster, and who are.
    pub say_faster_share: f64,
    pub are_faster_share: f64,
    pub tokens_total: f64,
    pub tokens_genuine: f64,
    pub tokens_padding: f64,
    pub tokens_bot: f64,
    pub cost_usd: f64,
    pub incidents: u64,
    pub incident_cost: f64,
    pub bots_deployed: u32,
    /// Gini of the run's total tokens among users (agents with any tokens); weekly.csv's
    /// `token_gini_all` is each week's, over all employees.
    pub token_gini_users: f64,
    pub users: u32,
    /// For whom: output over working without AI, whole run, of the third of employees with the
    /// lowest AI fit, the middle third and the highest (ranked by fit, ties by id).
    pub output_uplift_low_fit: f64,
    pub output_uplift_mid_fit: f64,
    pub output_uplift_high_fit: f64,
    /// The horizons (docs/model.md, observation): net value cumulated over the first 26, 52, 104
    /// and 156 weeks, in all and per employee-year (None beyond the run's length); the same
    /// discounted to present value at `discount_rate` a year (`npv_*`, weekly discounting), and
    /// over the whole run; and the first week from which the cumulative net value stays at or
    /// above zero (None if it ends below).
    #[serde(flatten)]
    pub horizons: Horizons,
}

/// Net value by horizon, discounted, and the break-even week (see [`Summary`]). In summary.json
/// its fields are the four named ones, then one per [`Kind`] and horizon
/// (`net_value_26w_usd`, ...; [`Kind::name`]), kind by kind in [`HORIZONS`] order; a field
/// missing from a summary written before it existed reads as its default.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Horizons {
    pub discount_rate: f64,
    pub break_even_week: Option<u32>,
    pub npv_usd: f64,
    pub npv_per_employee_year_usd: f64,
    /// Each [`Kind`]'s value (by `Kind as usize`) at each of [`HORIZONS`] (None beyond the
    /// run's length).
    pub at: [[Option<f64>; HORIZONS.len()]; Kind::ALL.len()],
}

impl Serialize for Horizons {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("discount_rate", &self.discount_rate)?;
        m.serialize_entry("break_even_week", &self.break_even_week)?;
        m.serialize_entry("npv_usd", &self.npv_usd)?;
        m.serialize_entry("npv_per_employee_year_usd", &self.npv_per_employee_year_usd)?;
        for kind in Kind::ALL {
            for (h, v) in HORIZONS.iter().zip(&self.at[kind as usize]) {
                m.serialize_entry(&kind.name(*h), v)?;
            }
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for Horizons {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Horizons, D::Error> {
        d.deserialize_map(HorizonsVisitor)
    }
}

/// Reads [`Horizons`] from summary.json's keys, leaving the others (it is flattened into
/// [`Summary`]).
struct HorizonsVisitor;

impl<'de> serde::de::Visitor<'de> for HorizonsVisitor {
    type Value = Horizons;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("the summary's horizon figures")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Horizons, A::Error> {
        let mut h = Horizons::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "discount_rate" => h.discount_rate = map.next_value()?,
                "break_even_week" => h.break_even_week = map.next_value()?,
                "npv_usd" => h.npv_usd = map.next_value()?,
                "npv_per_employee_year_usd" => h.npv_per_employee_year_usd = map.next_value()?,
                other => match Horizons::slot(other) {
                    Some((k, i)) => h.at[k][i] = map.next_value()?,
                    None => {
                        map.next_value::<serde::de::IgnoredAny>()?;
                    }
                },
            }
        }
        Ok(h)
    }
}

impl Horizons {
    /// The horizons in words: net value a year per employee at each horizon the run reaches,
    /// discounted over the run, and the break-even week (`net`: the run's net value).
    pub fn sentence(&self, net: f64) -> String {
        let at: Vec<String> = HORIZONS
            .iter()
            .zip(self.per_employee_year())
            .filter_map(|(h, v)| v.map(|v| format!("{} over {h} weeks", usd(v))))
            .collect();
        let by = if at.is_empty() {
            String::new()
        } else {
            format!("{}; ", at.join(", "))
        };
        let even = match self.break_even_week {
            Some(0) => "cumulative net value is at or above zero from the first week".to_string(),
            Some(w) => {
                format!("cumulative net value breaks even in week {w} and stays at or above zero")
            }
            None => format!(
                "cumulative net value never breaks even (it ends at {})",
                usd(net)
            ),
        };
        format!(
            "Horizons: a year per employee, {by}{} over the run discounted to present at {}% a year; {even}.",
            usd(self.npv_per_employee_year_usd),
            rate(self.discount_rate)
        )
    }

    /// Net value a year per employee at each of [`HORIZONS`].
    pub fn per_employee_year(&self) -> [Option<f64>; HORIZONS.len()] {
        self.at[Kind::NetValuePerEmployeeYear as usize]
    }

    /// A [`Kind`]'s value at a horizon of `weeks` (None beyond the run, or when `weeks` is not
    /// one of [`HORIZONS`]).
    pub fn get(&self, kind: Kind, weeks: u32) -> Option<f64> {
        let i = HORIZONS.iter().position(|&h| h == weeks)?;
        self.at[kind as usize][i]
    }

    /// The place in [`Horizons::at`] of a summary.json key (None if it is no horizon field).
    fn slot(key: &str) -> Option<(usize, usize)> {
        Kind::ALL.iter().find_map(|&kind| {
            let i = HORIZONS.iter().position(|&h| kind.name(h) == key)?;
            Some((kind as usize, i))
        })
    }

    /// The horizons of a run's weekly rows (their cumulative columns) for `employees`.
    pub fn of(weekly: &[WeeklyRow], employees: u32, rate: f64) -> Horizons {
        use super::horizons::{break_even_week, per_employee_year as pey};
        let cum: Vec<f64> = weekly.iter().map(|r| r.cumulative_net_value_usd).collect();
        let disc: Vec<f64> = weekly
            .iter()
            .map(|r| r.cumulative_net_value_discounted_usd)
            .collect();
        let n = weekly.len() as u32;
        let npv = disc.last().copied().unwrap_or(0.0);
        Horizons {
            discount_rate: rate,
            break_even_week: break_even_week(&cum).map(|k| weekly[k as usize].week),
            npv_usd: npv,
            npv_per_employee_year_usd: pey(&disc, n, employees).unwrap_or(0.0),
            at: Kind::ALL.map(|kind| HORIZONS.map(|h| kind.of(&cum, &disc, h, employees))),
        }
    }
}

/// The delivery figures of a run (0 when read from a summary written before they existed).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DeliverySummary {
    /// Output units lost to defects escaping beyond the no-AI level, whole run (in the value).
    pub quality_cost: f64,
    /// Share of the merged work no one reviewed, whole run.
    pub unreviewed_share: f64,
    /// Work in review over the no-AI load (time in review against no AI), mean of the last 13
    /// weeks.
    pub review_load_last_quarter: f64,
    /// Share of employees splitting work to raise an outcome metric, mean of the last 13 weeks.
    pub split_share_last_quarter: f64,
}

impl DeliverySummary {
    fn of(weekly: &[&WeeklyRow]) -> DeliverySummary {
        let sum = |f: fn(&WeeklyRow) -> f64| weekly.iter().map(|r| f(r)).sum::<f64>();
        DeliverySummary {
            quality_cost: sum(|r| r.delivery.quality_cost),
            unreviewed_share: super::share_of(
                sum(|r| r.delivery.unreviewed_share * r.delivery.work_merged),
                sum(|r| r.delivery.work_merged),
            ),
            review_load_last_quarter: mean(&weekly[weekly.len().saturating_sub(13)..], |r| {
                r.delivery.review_load
            }),
            split_share_last_quarter: mean(&weekly[weekly.len().saturating_sub(13)..], |r| {
                r.split_share
            }),
        }
    }
}

impl Summary {
    /// The run's summary from its weekly rows, deciles and the user-level figures (the Gini of
    /// users' total tokens, the median user's weekly tokens, the number of users).
    pub fn build(
        s: &Scenario,
        replication: u32,
        weekly: &[WeeklyRow],
        deciles: &[DecileRow],
        user_gini: f64,
        median_weekly_user: f64,
        users: usize,
    ) -> Summary {
        let sum = |f: fn(&WeeklyRow) -> f64| weekly.iter().map(f).sum::<f64>();
        let all: Vec<&WeeklyRow> = weekly.iter().collect();
        let tokens_total = sum(|r| r.tokens_total);
        let tokens_padding = sum(|r| r.tokens_padding);
        let cost = sum(|r| r.cost_usd);
        let output = sum(|r| r.output_total);
        let baseline = sum(|r| r.baseline_output);
        let weeks = weekly.len().max(1) as f64;
        let annual = cost / s.employees.max(1) as f64 * 52.0 / weeks;
        let (peak_padding_week, peak_padding_share) = peak_padding(weekly);
        let top = deciles.last();
        let quarter = first_quarter(weekly, s.adoption.rollout_week.max(0) as u32);
        let net = sum(|r| r.net_value_usd);
        Summary {
            scenario: s.name.clone(),
            description: s.description.clone(),
            seed: s.seed,
            replication,
            employees: s.employees,
            weeks: weekly.len() as u32,
            top_decile_token_ratio: top.map(|d| d.token_ratio).unwrap_or(0.0),
            top_decile_output_ratio: top.map(|d| d.output_ratio).unwrap_or(0.0),
            padding_share: super::share_of(tokens_padding, tokens_total),
            peak_padding_share,
            peak_padding_week,
            reported_vs_genuine_gap: mean(&gap_rows(weekly), |r| {
                r.reported_active_share - r.genuine_active_share
            }),
            mean_reported_active_share: mean(&all, |r| r.reported_active_share),
            mean_genuine_active_share: mean(&all, |r| r.genuine_active_share),
            first_week_target_met: weekly.iter().find(|r| r.target_met).map(|r| r.week),
            annual_cost_per_employee_usd: annual,
            cost_share_of_salary: annual / s.money.salary_usd,
            median_monthly_cost_per_active_usd: median_monthly_cost(weekly),
            median_weekly_tokens_per_user: median_weekly_user,
            output_uplift: if baseline > 0.0 {
                output / baseline - 1.0
            } else {
                0.0
            },
            value_uplift: super::share_of(sum(|r| r.value_total), baseline),
            roi: (cost > 0.0).then(|| sum(|r| r.value_total) * s.usd_per_output_unit() / cost),
            net_value_usd: net,
            output_unit_usd: s.usd_per_output_unit(),
            net_value_per_employee_year_usd: net / s.employees.max(1) as f64 * 52.0 / weeks,
            rework_cost: sum(|r| r.rework_cost),
            noise_cost: sum(|r| r.noise_cost),
            padding_time_cost: sum(|r| r.padding_time_cost),
            delivery: DeliverySummary::of(&all),
            perceived_uplift_first_quarter: mean(&quarter, |r| r.perceived_uplift),
            measured_uplift_first_quarter: mean(&quarter, |r| r.measured_uplift),
            perceived_uplift: mean(&all, |r| r.perceived_uplift),
            measured_uplift: mean(&all, |r| r.measured_uplift),
            say_faster_share: mean(&all, |r| r.say_faster_share),
            are_faster_share: mean(&all, |r| r.are_faster_share),
            tokens_total,
            tokens_genuine: sum(|r| r.tokens_genuine),
            tokens_padding,
            tokens_bot: sum(|r| r.tokens_bot),
            cost_usd: cost,
            incidents: weekly.iter().map(|r| r.incidents as u64).sum(),
            incident_cost: sum(|r| r.incident_cost),
            bots_deployed: weekly.last().map(|r| r.bots_deployed).unwrap_or(0),
            token_gini_users: user_gini,
            users: users as u32,
            output_uplift_low_fit: 0.0,
            output_uplift_mid_fit: 0.0,
            output_uplift_high_fit: 0.0,
            horizons: Horizons::of(weekly, s.employees, s.money.discount_rate),
        }
    }

    /// The headline in words a manager reads, one line each.
    pub fn headline(&self) -> Vec<String> {
        let mut lines = vec![
            format!(
                "{} ({} employees, {} weeks, seed {}): {}",
                self.scenario, self.employees, self.weeks, self.seed, self.description
            ),
            format!(
                "Net value over the run's {} weeks: {} a year per employee ({} in all, undiscounted): the value AI added through teams' review queues, net of rework, bot noise, padding time, incidents and escaped defects, minus tokens.",
                self.weeks,
                usd(self.net_value_per_employee_year_usd),
                usd(self.net_value_usd)
            ),
            self.horizons.sentence(self.net_value_usd),
            format!(
                "Felt versus measured: the median user feels {:+.0}% faster and is {:+.0}%; {:.0}% say AI makes them faster, {:.0}% are.",
                self.perceived_uplift * 100.0,
                self.measured_uplift * 100.0,
                self.say_faster_share * 100.0,
                self.are_faster_share * 100.0
            ),
            format!(
                "Heaviest users: the top 10% burn {:.1}x the median user's tokens for {:.1}x the median output.",
                self.top_decile_token_ratio, self.top_decile_output_ratio
            ),
            format!(
                "Padding: {:.0}% of all tokens bought nothing (peak {:.0}% in week {}).",
                self.padding_share * 100.0,
                self.peak_padding_share * 100.0,
                self.peak_padding_week
            ),
            format!(
                "Adoption: {:.0}% weekly active on the dashboard, {:.0}% genuinely ({:+.0} points of reported-only activity).",
                self.mean_reported_active_share * 100.0,
                self.mean_genuine_active_share * 100.0,
                self.reported_vs_genuine_gap * 100.0
            ),
            format!(
                "Cost: {} a year per employee ({:.1}% of salary); {} total for {} tokens.",
                usd(self.annual_cost_per_employee_usd),
                self.cost_share_of_salary * 100.0,
                usd(self.cost_usd),
                count(self.tokens_total)
            ),
        ];
        let gains = format!(
            "Value: people's output {:+.1}% over working without AI, the organisation's value {:+.1}% (through teams' review queues, net of escaped defects)",
            self.output_uplift * 100.0,
            self.value_uplift * 100.0
        );
        lines.push(match self.roi {
            Some(roi) => {
                format!("{gains}; each token dollar returned {roi:.1} dollars of value.")
            }
            None => format!("{gains}; no token cost."),
        });
        lines.push(format!(
            "Hidden costs: {:.0} person-weeks of rework, {:.0} lost to bot noise, {:.0} spent gaming metrics (padding tokens, splitting work).",
            self.rework_cost, self.noise_cost, self.padding_time_cost
        ));
        lines.push(format!(
            "Review: {:.1}x the time in review of working without AI in the last quarter, {:.0}% of merged work unreviewed, {:.0} person-weeks lost to escaped defects.",
            self.delivery.review_load_last_quarter,
            self.delivery.unreviewed_share * 100.0,
            self.delivery.quality_cost
        ));
        if self.delivery.split_share_last_quarter > 0.0 {
            lines.push(format!(
                "Gaming the outcome metric: {:.0}% of employees split their work into more changes than it needs (last quarter).",
                self.delivery.split_share_last_quarter * 100.0
            ));
        }
        lines.push(format!(
            "Risk: {} bots built, {} incidents costing {:.1} person-weeks of output.",
            self.bots_deployed, self.incidents, self.incident_cost
        ));
        lines
    }
}

/// The mean of `f` over `rows` (0 without rows).
fn mean(rows: &[&WeeklyRow], f: fn(&WeeklyRow) -> f64) -> f64 {
    if rows.is_empty() {
        0.0
    } else {
        rows.iter().map(|r| f(r)).sum::<f64>() / rows.len() as f64
    }
}

/// The rows the reported-vs-genuine gap is averaged over: the weeks with a target in force,
/// else every week.
fn gap_rows(weekly: &[WeeklyRow]) -> Vec<&WeeklyRow> {
    let target_weeks: Vec<&WeeklyRow> = weekly.iter().filter(|r| r.target_active).collect();
    if target_weeks.is_empty() {
        weekly.iter().collect()
    } else {
        target_weeks
    }
}

/// The week of the highest padding share and that share (the first such week; week 0 and 0
/// if no week pads).
fn peak_padding(weekly: &[WeeklyRow]) -> (u32, f64) {
    weekly
        .iter()
        .map(|r| (r.week, r.padding_share))
        .fold((0, 0.0), |best, x| if x.1 > best.1 { x } else { best })
}

/// The mean over weeks of the median weekly cost per active user, as a monthly cost (0 if no
/// week has one).
fn median_monthly_cost(weekly: &[WeeklyRow]) -> f64 {
    let costs: Vec<f64> = weekly
        .iter()
        .filter_map(|r| r.median_active_cost_usd)
        .collect();
    if costs.is_empty() {
        0.0
    } else {
        costs.iter().sum::<f64>() / costs.len() as f64 * 52.0 / 12.0
    }
}

/// The first 13 weeks from the rollout week on.
fn first_quarter(weekly: &[WeeklyRow], rollout: u32) -> Vec<&WeeklyRow> {
    weekly
        .iter()
        .filter(|r| r.week >= rollout && r.week < rollout + 13)
        .collect()
}

/// An annual rate in percent for people: 10, 3.5.
pub fn rate(r: f64) -> String {
    let pct = format!("{:.2}", r * 100.0);
    pct.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A dollar amount for people: $950, $12.3k, $4.5M, $1.2B.
pub fn usd(v: f64) -> String {
    format!("${}", count(v))
}

/// A count for people: 950, 12.3k, 4.5M, 1.2B, 3.4T.
pub fn count(v: f64) -> String {
    let a = v.abs();
    let (div, suffix) = if a >= 1e12 {
        (1e12, "T")
    } else if a >= 1e9 {
        (1e9, "B")
    } else if a >= 1e6 {
        (1e6, "M")
    } else if a >= 1e3 {
        (1e3, "k")
    } else {
        return format!("{v:.0}");
    };
    format!("{:.1}{suffix}", v / div)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn horizon_fields_keep_their_keys_and_order_and_read_back() {
        // given horizons with a value in every field, when serialised, then the keys are the four
        // named ones, then each kind's at every horizon (summary.json's order since it had them),
        // and reading the JSON back gives the same horizons
        let mut h = Horizons {
            discount_rate: 0.1,
            break_even_week: Some(7),
            npv_usd: 1.5,
            npv_per_employee_year_usd: 2.5,
            ..Horizons::default()
        };
        for (k, row) in h.at.iter_mut().enumerate() {
            for (i, v) in row.iter_mut().enumerate() {
                *v = (i != 3).then_some((k * 10 + i) as f64);
            }
        }
        let text = serde_json::to_string(&h).unwrap();
        // (values are numbers or null: each `"key":value` is split by commas)
        let keys: Vec<&str> = text
            .trim_matches(['{', '}'])
            .split(',')
            .map(|kv| kv.split(':').next().unwrap().trim_matches('"'))
            .collect();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut expected = vec![
            "discount_rate",
            "break_even_week",
            "npv_usd",
            "npv_per_employee_year_usd",
        ];
        for kind in [
            "net_value",
            "net_value_per_employee_year",
            "npv",
            "npv_per_employee_year",
        ] {
            for w in ["26", "52", "104", "156"] {
                expected.push(Box::leak(format!("{kind}_{w}w_usd").into_boxed_str()));
            }
        }
        assert_eq!(keys, expected);
        assert_eq!(json["npv_52w_usd"], 21.0);
        assert!(json["npv_156w_usd"].is_null());
        assert_eq!(serde_json::from_value::<Horizons>(json).unwrap(), h);
        assert_eq!(h.get(Kind::Npv, 52), Some(21.0));
        assert_eq!(h.get(Kind::Npv, 53), None);
        // a summary written before a field existed reads it as its default; other keys are left
        let old: Horizons =
            serde_json::from_str(r#"{"npv_usd": 3.0, "net_value_52w_usd": 4.0, "users": 9}"#)
                .unwrap();
        assert_eq!((old.npv_usd, old.discount_rate), (3.0, 0.0));
        assert_eq!(old.get(Kind::NetValue, 52), Some(4.0));
        assert_eq!(old.get(Kind::NetValue, 26), None);
    }

    #[test]
    fn human_numbers() {
        assert_eq!(count(950.0), "950");
        assert_eq!(count(12_345.0), "12.3k");
        assert_eq!(count(3.4e9), "3.4B");
        assert_eq!(usd(1_200.0), "$1.2k");
    }
}
