//! The organisation profile: what a usage export says about an organisation, as figures the
//! simulator can be fitted to. Computed from a [`Panel`] (imported or simulated alike).
//!
//! Definitions (all over the export's ISO weeks):
//! - *user-week*: a person's week with any tokens; the weekly token distribution is over
//!   user-weeks (quantiles are nearest-rank);
//! - *weekly-active share*: the share of all people (roster included) whose tokens that week
//!   reach the activity threshold, averaged over weeks; the *weekly user share* counts any tokens;
//! - *top-decile ratio*: mean of the top 10% of user-weeks over the median user-week;
//!   *p95 ratio*: p95 over the median;
//! - *cost per active user per month*: total cost over active person-weeks, x 52/12;
//! - *outcome ratio*: people with any tokens ranked by their total tokens; the top decile's mean
//!   weekly outcome over the median weekly outcome of all of them (as the simulator's
//!   `top_decile_output_ratio`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::ImportError;
use super::dates;
use super::panel::Panel;
use crate::projections::stats;

/// Format tag of profile.json.
pub const FORMAT: &str = "tokenmaxx-profile-1";
/// File name in the output folder.
pub const FILE: &str = "profile.json";
/// The calendar, stated in the profile.
pub const CALENDAR: &str = "ISO 8601 weeks (Monday to Sunday) of UTC dates; daily rows summed per person and week; a person with rows in some weeks counts as zero in the others";

/// The quantiles reported by name.
pub const QUANTILES: [(&str, f64); 8] = [
    ("p10", 0.10),
    ("p25", 0.25),
    ("p50", 0.50),
    ("p75", 0.75),
    ("p90", 0.90),
    ("p95", 0.95),
    ("p99", 0.99),
    ("p99.9", 0.999),
];

/// Probabilities of the fine quantile grid (for Q-Q plots): 1% to 99%, 99.5%, 99.9%.
pub fn grid() -> Vec<f64> {
    let mut g: Vec<f64> = (1..100).map(|k| k as f64 / 100.0).collect();
    g.extend([0.995, 0.999]);
    g
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub format: String,
    pub source: Source,
    pub calendar: String,
    pub weeks: Vec<String>,
    pub headcount: Headcount,
    pub teams: Option<Teams>,
    pub active_threshold_tokens: f64,
    pub weekly_active_share: f64,
    pub weekly_user_share: f64,
    pub tokens: Distribution,
    pub trend: Vec<WeekRow>,
    pub cost: Option<Cost>,
    pub outcomes: Vec<Outcome>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// `table`, `claude-code`, or `simulated`.
    pub formats: Vec<String>,
    pub files: usize,
    /// Usage rows read.
    pub rows: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Headcount {
    pub total: usize,
    /// People with any row in the export.
    pub in_export: usize,
    /// People only in the roster (never used AI in the export's weeks).
    pub roster_only: usize,
    /// People with any tokens in some week.
    pub users: usize,
    pub by_group: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Teams {
    pub count: usize,
    pub mean_size: f64,
    pub median_size: f64,
    pub min_size: usize,
    pub max_size: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    pub user_weeks: usize,
    pub quantiles: BTreeMap<String, f64>,
    /// Quantiles at [`grid`]'s probabilities.
    pub grid: Vec<f64>,
    pub gini: f64,
    pub top_decile_ratio: f64,
    pub p95_ratio: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeekRow {
    pub week: String,
    pub monday: String,
    pub tokens_total: f64,
    pub users: usize,
    pub active_share: f64,
    pub median_user_tokens: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cost {
    pub total_usd: f64,
    pub per_active_user_month_usd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub name: String,
    pub top_decile_ratio: f64,
}

impl Profile {
    /// The profile of a panel. `rows` and `formats` describe where it came from.
    pub fn of(p: &Panel, threshold: f64, formats: Vec<String>, files: usize, rows: u64) -> Profile {
        let nw = p.weeks.len();
        let n = p.people();
        let trend: Vec<WeekRow> = (0..nw).map(|w| week_row(p, w, threshold)).collect();
        let mean = |f: fn(&WeekRow) -> f64| trend.iter().map(f).sum::<f64>() / nw.max(1) as f64;
        let users = (0..n)
            .filter(|&i| p.row(i).iter().any(|&t| t > 0.0))
            .count();
        Profile {
            format: FORMAT.into(),
            source: Source {
                formats,
                files,
                rows,
            },
            calendar: CALENDAR.into(),
            weeks: p.weeks.iter().map(|&d| dates::week_label(d)).collect(),
            headcount: headcount(p, users),
            teams: teams(p),
            active_threshold_tokens: threshold,
            weekly_active_share: mean(|r| r.active_share),
            weekly_user_share: mean(|r| r.users as f64) / n.max(1) as f64,
            tokens: distribution(p),
            cost: cost(p, threshold),
            outcomes: p
                .outcomes
                .iter()
                .map(|(name, v)| Outcome {
                    name: name.clone(),
                    top_decile_ratio: outcome_ratio(p, v),
                })
                .collect(),
            trend,
            notes: p.notes.clone(),
        }
    }

    /// Read a profile.json (from `import`), checking its format tag.
    pub fn load(path: &Path) -> Result<Profile, super::ImportError> {
        let file = super::open_regular(path, super::Input::Profile)?;
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut std::io::Read::take(file, super::MAX_PROFILE_BYTES),
            &mut text,
        )
        .map_err(|e| super::ImportError::io(path, e))?;
        let p: Profile = serde_json::from_str(&text).map_err(|e| {
            super::ImportError::bad(
                path,
                format!(
                    "line {}, column {}: not a profile written by `tokenmaxx import`: {e}",
                    e.line(),
                    e.column()
                ),
            )
        })?;
        if p.format != FORMAT {
            return Err(super::ImportError::bad(
                path,
                format!("key `format`: expected `{FORMAT}`, got `{}`", p.format),
            ));
        }
        Ok(p)
    }
}

fn week_row(p: &Panel, w: usize, threshold: f64) -> WeekRow {
    let nw = p.weeks.len();
    let mut used: Vec<f64> = (0..p.people())
        .map(|i| p.tokens[i * nw + w])
        .filter(|&t| t > 0.0)
        .collect();
    let active = (0..p.people())
        .filter(|&i| p.tokens[i * nw + w] >= threshold)
        .count();
    WeekRow {
        week: dates::week_label(p.weeks[w]),
        monday: dates::date_label(p.weeks[w]),
        tokens_total: used.iter().sum(),
        users: used.len(),
        active_share: active as f64 / p.people().max(1) as f64,
        median_user_tokens: stats::median_in_place(&mut used).unwrap_or(0.0),
    }
}

fn headcount(p: &Panel, users: usize) -> Headcount {
    let mut by_group = BTreeMap::new();
    for &g in &p.group {
        *by_group.entry(p.groups[g as usize].clone()).or_insert(0) += 1;
    }
    let in_export = p.in_export.iter().filter(|&&b| b).count();
    Headcount {
        total: p.people(),
        in_export,
        roster_only: p.people() - in_export,
        users,
        by_group,
    }
}

fn teams(p: &Panel) -> Option<Teams> {
    let mut sizes: BTreeMap<u32, usize> = BTreeMap::new();
    for t in p.team.iter().flatten() {
        *sizes.entry(*t).or_insert(0) += 1;
    }
    if sizes.is_empty() {
        return None;
    }
    let mut v: Vec<f64> = sizes.values().map(|&s| s as f64).collect();
    Some(Teams {
        count: v.len(),
        mean_size: v.iter().sum::<f64>() / v.len() as f64,
        min_size: *sizes.values().min().expect("non-empty"),
        max_size: *sizes.values().max().expect("non-empty"),
        median_size: stats::median_in_place(&mut v).expect("non-empty"),
    })
}

/// The weekly token distribution over user-weeks.
pub fn distribution(p: &Panel) -> Distribution {
    let mut v: Vec<f64> = p.tokens.iter().copied().filter(|&t| t > 0.0).collect();
    let mut q = |x: f64| stats::quantile_in_place(&mut v, x).unwrap_or(0.0);
    let quantiles: BTreeMap<String, f64> = QUANTILES
        .iter()
        .map(|&(k, x)| (k.to_string(), q(x)))
        .collect();
    let grid: Vec<f64> = grid().into_iter().map(&mut q).collect();
    let median = stats::median_in_place(&mut v).unwrap_or(0.0);
    let ratio = |x: f64| if median > 0.0 { x / median } else { 0.0 };
    v.sort_unstable_by(f64::total_cmp);
    let top = v.len().div_ceil(10);
    let top_mean = v[v.len() - top..].iter().sum::<f64>() / top.max(1) as f64;
    Distribution {
        user_weeks: v.len(),
        p95_ratio: ratio(quantiles["p95"]),
        top_decile_ratio: ratio(top_mean),
        gini: stats::gini(&mut v),
        quantiles,
        grid,
    }
}

fn cost(p: &Panel, threshold: f64) -> Option<Cost> {
    let c = p.cost.as_ref()?;
    let active = p.tokens.iter().filter(|&&t| t >= threshold).count();
    let total: f64 = c.iter().sum();
    Some(Cost {
        total_usd: total,
        per_active_user_month_usd: if active > 0 {
            total / active as f64 * 52.0 / 12.0
        } else {
            0.0
        },
    })
}

/// The top token decile's mean weekly outcome over the median of all users'.
fn outcome_ratio(p: &Panel, outcome: &[f64]) -> f64 {
    let nw = p.weeks.len().max(1);
    let users: Vec<usize> = (0..p.people())
        .filter(|&i| p.row(i).iter().any(|&t| t > 0.0))
        .collect();
    if users.is_empty() {
        return 0.0;
    }
    let total = |i: usize| p.row(i).iter().sum::<f64>();
    let per_week = |i: usize| outcome[i * nw..(i + 1) * nw].iter().sum::<f64>() / nw as f64;
    let order = stats::rank_order(&users, &total);
    let top = order.len().div_ceil(10);
    let top_mean = order[order.len() - top..]
        .iter()
        .map(|&i| per_week(i))
        .sum::<f64>()
        / top as f64;
    let mut all: Vec<f64> = users.iter().map(|&i| per_week(i)).collect();
    let median = stats::median_in_place(&mut all).unwrap_or(0.0);
    if median > 0.0 { top_mean / median } else { 0.0 }
}

/// Write profile.json into `dir`.
pub fn write(dir: &Path, p: &Profile) -> Result<(), ImportError> {
    let path = dir.join(FILE);
    let text = serde_json::to_string_pretty(p)
        .map_err(|e| ImportError::bad(&path, format!("cannot write the profile: {e}")))?;
    std::fs::write(&path, text + "\n").map_err(|source| ImportError::write(&path, source))
}
