//! report.html of `tokenmaxx run`: the headline in words, the policy timeline, every chart with
//! how to read it, the key tables, the resolved scenario and the run facts, in one file.

use std::path::Path;

use super::ReportError;
use super::html::{Cell, Chart, Footer, Report, Section, Table};
use crate::projections::summary::{count, usd};
use crate::projections::{PolicyMark, Projections, Summary, WeeklyRow};
use crate::scenario::Scenario;

pub use super::html::FILE;

/// Each chart of a run: file, heading, and how to read it in plain words.
pub const CHART_GUIDE: &[(&str, &str, &str)] = &[
    (
        "tokens_vs_productivity.png",
        "Tokens against productivity",
        "One dot per employee who used AI at all (at most 5,000 shown). Left to right: total tokens over the run, on a log scale (each step is ten times more). Bottom to top: output per week, where 1.0 is an average employee's week of work without AI. Blue dots are employees who padded little or not at all; orange dots are padders (at least 10% of their tokens bought nothing). The red line joins the average of each tenth of users by tokens. A steep climb in tokens with a flat red line means heavy users are not much more productive; the red box gives the top tenth's tokens and output as multiples of the median user's.",
    ),
    (
        "adoption.png",
        "Adoption: reported against genuine",
        "Share of the tracked employees counted as weekly AI users, week by week. Orange is what a usage dashboard reports (anyone whose tokens reach the threshold, padding included); blue counts only tokens spent on real work. The gap between them is activity that exists only on the dashboard. The red dashed line is the adoption target while one is in force; grey vertical lines are policy changes.",
    ),
    (
        "token_mix.png",
        "Where the tokens go",
        "Tokens spent each week, stacked: real work by people (blue), useful scheduled work by bots (green) and padding, tokens spent only to inflate counts (orange). The orange band's share of the height is the padding share. Vertical lines are policy changes.",
    ),
    (
        "cost_roi.png",
        "Cost, net value and return",
        "Bottom left, the headline: net value per week in US dollars (blue), the value of the extra output AI brought minus the token bill; rework, bot noise, padding time and incidents (red) are already taken out of it. Above zero, AI paid for itself that week. Top left: the weekly token bill. Top right: this run's annual token cost per employee beside the benchmark of half a salary in tokens. Bottom right: output dollars returned per token dollar, with break-even (1) as a red dashed line; it is small because it misleads on its own: cutting spend can raise it while destroying value.",
    ),
    (
        "incidents.png",
        "Bots and incidents",
        "Red bars, left axis: incidents per week, unintended actions by employees' bots (each costs lost output). Green line, right axis: how many bots have been built so far. Broad bot permissions make each action riskier; more bots make more actions.",
    ),
];

/// Build the run's report. `charts_dir` holds the chart PNGs (`None`: charts were skipped);
/// `command` is the command line that made the run.
pub fn build(
    p: &Projections,
    scenario: &Scenario,
    charts_dir: Option<&Path>,
    command: &str,
) -> Result<Report, ReportError> {
    let s = &p.summary;
    let mut r = Report::new(format!("tokenmaxx run: {}", s.scenario));
    r.subtitle = Some(format!(
        "{} | {} employees x {} weeks | seed {}, replication {}",
        s.description, s.employees, s.weeks, s.seed, s.replication
    ));
    r.headline = s.headline();
    r.section(timeline_section("Policy timeline", &p.policy_marks));
    let charts: Vec<Chart> = CHART_GUIDE.iter().map(Chart::from).collect();
    r.charts(charts_dir, &charts)?;
    r.section(figures_section(s));
    r.section(deciles_section(p));
    r.section(weekly_section(&p.weekly));
    r.section(
        Section::new("The scenario as run")
            .read("Every parameter of the run, defaults and extended scenarios included, as a scenario file: save it as a .toml file and give it to tokenmaxx run to reproduce this run exactly.")
            .code(scenario.resolved_toml.clone()),
    );
    r.footer = Footer {
        command: command.to_string(),
        seed: Some(s.seed),
        replications: Some(format!("1 (replication {})", s.replication)),
        facts: vec![
            ("scenario".into(), s.scenario.clone()),
            (
                "size".into(),
                format!("{} employees x {} weeks", s.employees, s.weeks),
            ),
        ],
    };
    Ok(r)
}

/// Build the report and write it as `dir/report.html`.
pub fn write(
    dir: &Path,
    p: &Projections,
    scenario: &Scenario,
    charts_dir: Option<&Path>,
    command: &str,
) -> Result<(), ReportError> {
    build(p, scenario, charts_dir, command)?.write(&dir.join(FILE))
}

/// The command line of this process, quoted for a POSIX shell where needed, the program named
/// by its file name.
pub fn command_line() -> String {
    std::env::args()
        .enumerate()
        .map(|(i, a)| {
            if i == 0 {
                Path::new(&a)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or(a)
            } else {
                shell_quote(&a)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn shell_quote(a: &str) -> String {
    let plain = !a.is_empty()
        && a.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        a.to_string()
    } else {
        format!("'{}'", a.replace('\'', "'\\''"))
    }
}

/// The policy changes of a run as a table, under `heading`.
pub(crate) fn timeline_section(heading: &str, marks: &[PolicyMark]) -> Section {
    let section = Section::new(heading).read(
        "Each row is a policy change, in force from the start of its week (week 0 is what applied from the first day). The charts draw these weeks as labelled vertical lines.",
    );
    if marks.is_empty() {
        return section
            .paragraph("No policy was set at any point: AI tools were simply available.");
    }
    let mut t = Table::new(["week", "change", "in plain words"]);
    for m in marks {
        t.push(vec![
            Cell::num(m.week.to_string(), m.week as f64),
            m.label.clone().into(),
            m.words.clone().into(),
        ]);
    }
    section.table(t)
}

fn pct(v: f64) -> Cell {
    Cell::num(format!("{:.1}%", v * 100.0), v)
}

fn signed_pct(v: f64) -> Cell {
    Cell::num(format!("{:+.1}%", v * 100.0), v)
}

fn dollars(v: f64) -> Cell {
    Cell::num(usd(v), v)
}

fn units(v: f64, unit: &str) -> Cell {
    Cell::num(format!("{v:.1} {unit}"), v)
}

fn times(v: f64) -> Cell {
    Cell::num(format!("{v:.2}x"), v)
}

fn tokens(v: f64) -> Cell {
    Cell::num(format!("{} tokens", count(v)), v)
}

/// A summary figure in words, its value with its unit, and its summary.json key.
pub(crate) type Figure = (&'static str, Cell, &'static str);

/// The summary figures, in words, with units, and the summary.json key each comes from.
pub(crate) fn figure_rows(s: &Summary) -> Vec<Figure> {
    let mut rows = money_figures(s);
    rows.extend(horizon_figures(s));
    rows.extend(token_figures(s));
    rows.extend(people_figures(s));
    rows
}

/// Value and cost.
fn money_figures(s: &Summary) -> Vec<Figure> {
    vec![
        (
            "Net value a year per employee",
            dollars(s.net_value_per_employee_year_usd),
            "net_value_per_employee_year_usd",
        ),
        (
            "Net value, whole run",
            dollars(s.net_value_usd),
            "net_value_usd",
        ),
        (
            "Output over working without AI",
            signed_pct(s.output_uplift),
            "output_uplift",
        ),
        (
            "Output dollars per token dollar",
            s.roi
                .map_or_else(|| "no cost".into(), |v| Cell::num(format!("{v:.2} $/$"), v)),
            "roi",
        ),
        ("Token cost, whole run", dollars(s.cost_usd), "cost_usd"),
        (
            "Token cost a year per employee",
            dollars(s.annual_cost_per_employee_usd),
            "annual_cost_per_employee_usd",
        ),
        (
            "Token cost as a share of salary",
            pct(s.cost_share_of_salary),
            "cost_share_of_salary",
        ),
        (
            "Median monthly cost of a genuinely active user",
            dollars(s.median_monthly_cost_per_active_usd),
            "median_monthly_cost_per_active_usd",
        ),
    ]
}

/// Net value by horizon (those the run reaches), discounted, and the break-even week.
fn horizon_figures(s: &Summary) -> Vec<Figure> {
    let h = &s.horizons;
    let named = |name: &'static str, cell: Cell| {
        let label = crate::projections::figures::find(name).map_or(name, |f| f.label);
        (label, cell, name)
    };
    let mut rows = Vec::new();
    for name in [
        "net_value_per_employee_year_26w_usd",
        "net_value_per_employee_year_52w_usd",
        "net_value_per_employee_year_104w_usd",
        "net_value_per_employee_year_156w_usd",
        "npv_per_employee_year_26w_usd",
        "npv_per_employee_year_52w_usd",
        "npv_per_employee_year_104w_usd",
        "npv_per_employee_year_156w_usd",
    ] {
        let fig = crate::projections::figures::find(name).expect("a figure");
        // Every horizon has its row (a fork's table pairs rows by position).
        let cell = (fig.get)(s).map_or_else(|| Cell::text("beyond the run"), dollars);
        rows.push(named(name, cell));
    }
    rows.push(named(
        "npv_per_employee_year_usd",
        dollars(h.npv_per_employee_year_usd),
    ));
    rows.push(named("npv_usd", dollars(h.npv_usd)));
    rows.push(named(
        "break_even_week",
        match h.break_even_week {
            Some(w) => Cell::num(format!("week {w}"), f64::from(w)),
            None => Cell::text("never (cumulative net value ends below zero)"),
        },
    ));
    rows
}

/// Tokens, padding and adoption.
fn token_figures(s: &Summary) -> Vec<Figure> {
    vec![
        ("Tokens, all", tokens(s.tokens_total), "tokens_total"),
        (
            "Tokens on real work by people",
            tokens(s.tokens_genuine),
            "tokens_genuine",
        ),
        (
            "Tokens on useful bot work",
            tokens(s.tokens_bot),
            "tokens_bot",
        ),
        (
            "Padding tokens (bought nothing)",
            tokens(s.tokens_padding),
            "tokens_padding",
        ),
        (
            "Padding share of all tokens",
            pct(s.padding_share),
            "padding_share",
        ),
        (
            "Highest weekly padding share",
            Cell::num(
                format!(
                    "{:.1}% (week {})",
                    s.peak_padding_share * 100.0,
                    s.peak_padding_week
                ),
                s.peak_padding_share,
            ),
            "peak_padding_share",
        ),
        (
            "Median user's tokens per week",
            tokens(s.median_weekly_tokens_per_user),
            "median_weekly_tokens_per_user",
        ),
        (
            "Weekly active on the dashboard (mean)",
            pct(s.mean_reported_active_share),
            "mean_reported_active_share",
        ),
        (
            "Weekly active genuinely (mean)",
            pct(s.mean_genuine_active_share),
            "mean_genuine_active_share",
        ),
        (
            "Reported minus genuine activity",
            Cell::num(
                format!("{:+.1} points", s.reported_vs_genuine_gap * 100.0),
                s.reported_vs_genuine_gap,
            ),
            "reported_vs_genuine_gap",
        ),
        (
            "First week the target was reported met",
            s.first_week_target_met.map_or_else(
                || "never".into(),
                |w| Cell::num(format!("week {w}"), w as f64),
            ),
            "first_week_target_met",
        ),
    ]
}

/// Heavy users, felt and measured speed-ups, hidden costs and risk.
fn people_figures(s: &Summary) -> Vec<Figure> {
    let pw = "person-weeks";
    vec![
        (
            "Top tenth's tokens over the median user's",
            times(s.top_decile_token_ratio),
            "top_decile_token_ratio",
        ),
        (
            "Top tenth's output over the median user's",
            times(s.top_decile_output_ratio),
            "top_decile_output_ratio",
        ),
        (
            "Speed-up users feel (median)",
            signed_pct(s.perceived_uplift),
            "perceived_uplift",
        ),
        (
            "Speed-up users have (median)",
            signed_pct(s.measured_uplift),
            "measured_uplift",
        ),
        (
            "Users who say AI makes them faster",
            pct(s.say_faster_share),
            "say_faster_share",
        ),
        (
            "Users who are faster",
            pct(s.are_faster_share),
            "are_faster_share",
        ),
        (
            "Output lost to rework",
            units(s.rework_cost, pw),
            "rework_cost",
        ),
        (
            "Output lost to bot noise",
            units(s.noise_cost, pw),
            "noise_cost",
        ),
        (
            "Working time spent padding",
            units(s.padding_time_cost, pw),
            "padding_time_cost",
        ),
        (
            "Bots built",
            Cell::num(s.bots_deployed.to_string(), s.bots_deployed as f64),
            "bots_deployed",
        ),
        (
            "Bot incidents",
            Cell::num(s.incidents.to_string(), s.incidents as f64),
            "incidents",
        ),
        (
            "Output lost to incidents",
            units(s.incident_cost, pw),
            "incident_cost",
        ),
        (
            "Gini of tokens among users (0 equal, 1 one user)",
            Cell::num(format!("{:.2}", s.token_gini_users), s.token_gini_users),
            "token_gini_users",
        ),
        (
            "Employees who used AI at all",
            Cell::num(s.users.to_string(), s.users as f64),
            "users",
        ),
    ]
}

fn figures_section(s: &Summary) -> Section {
    let mut t = Table::new(["figure", "value", "in summary.json"]).sortable();
    for (words, value, key) in figure_rows(s) {
        t.push(vec![words.into(), value, key.into()]);
    }
    Section::new("Key figures")
        .read(format!(
            "The run's headline figures with their units. A person-week is one employee's week of output without AI, worth {} (salary / 52). Shares of employees are of the tracked groups. Click a heading to sort.",
            usd(s.output_unit_usd)
        ))
        .table(t)
}

fn deciles_section(p: &Projections) -> Section {
    let mut t = Table::new([
        "tenth by tokens",
        "employees",
        "mean tokens (whole run)",
        "mean output (person-weeks)",
        "tokens over median user",
        "output over median user",
    ])
    .sortable();
    for d in &p.deciles {
        t.push(vec![
            Cell::num(d.decile.to_string(), d.decile as f64),
            Cell::num(d.agents.to_string(), d.agents as f64),
            tokens(d.mean_tokens),
            Cell::num(format!("{:.1}", d.mean_output), d.mean_output),
            times(d.token_ratio),
            times(d.output_ratio),
        ]);
    }
    Section::new("Heavy and light users (deciles.csv)")
        .read("Employees who used any tokens, split into ten equal groups by total tokens, 1 the lightest and 10 the heaviest. The last two columns compare each group's average with the median user: if tokens climb tenfold while output barely moves, the extra tokens are not buying work.")
        .table(t)
}

/// The weeks the weekly table shows: all of them up to 60, else an even sample of about 50
/// that keeps the first and last week.
pub(crate) fn sampled_weeks(n: usize) -> Vec<usize> {
    if n <= 60 {
        return (0..n).collect();
    }
    let stride = n.div_ceil(50);
    let mut weeks: Vec<usize> = (0..n).step_by(stride).collect();
    if weeks.last() != Some(&(n - 1)) {
        weeks.push(n - 1);
    }
    weeks
}

fn weekly_section(weekly: &[WeeklyRow]) -> Section {
    let mut t = Table::new([
        "week",
        "active (dashboard)",
        "active (genuine)",
        "tokens",
        "padding share",
        "output over no AI",
        "token cost",
        "net value",
        "incidents",
        "bots",
        "leaderboard",
    ])
    .sortable();
    let picked = sampled_weeks(weekly.len());
    for &i in &picked {
        let w = &weekly[i];
        let board = match w.visibility_word() {
            "" => w.leaderboard_word().to_string(),
            // No-break spaces keep "org (manager only)" on one line.
            v => format!(
                "{}\u{a0}({})",
                w.leaderboard_word(),
                v.replace('_', "\u{a0}")
            ),
        };
        t.push(vec![
            Cell::num(w.week.to_string(), w.week as f64),
            pct(w.reported_active_share),
            pct(w.genuine_active_share),
            Cell::num(count(w.tokens_total), w.tokens_total),
            pct(w.padding_share),
            signed_pct(w.output_uplift),
            dollars(w.cost_usd),
            dollars(w.net_value_usd),
            Cell::num(w.incidents.to_string(), w.incidents as f64),
            Cell::num(w.bots_deployed.to_string(), w.bots_deployed as f64),
            board.into(),
        ]);
    }
    let which = if picked.len() == weekly.len() {
        "every week".to_string()
    } else {
        format!("{} of {} weeks, evenly spaced", picked.len(), weekly.len())
    };
    Section::new("Week by week (weekly.csv)")
        .read(format!(
            "Selected columns of weekly.csv, {which}; the file beside this report has every week and column. Activity is the share of the tracked employees who used AI that week; tokens and money are the week's totals, in US dollars. Click a heading to sort."
        ))
        .table(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_chart_of_a_run_has_a_guide() {
        let files: Vec<&str> = CHART_GUIDE.iter().map(|g| g.0).collect();
        assert_eq!(files, crate::report::charts::FILES);
    }

    #[test]
    fn long_runs_are_sampled_with_both_ends() {
        assert_eq!(sampled_weeks(52).len(), 52);
        let w = sampled_weeks(104);
        assert_eq!((w[0], *w.last().unwrap()), (0, 103));
        assert!(w.len() <= 53, "{}", w.len());
    }

    #[test]
    fn command_lines_are_quoted_for_a_shell() {
        assert_eq!(shell_quote("--employees"), "--employees");
        assert_eq!(shell_quote("my file.toml"), "'my file.toml'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
    }
}
