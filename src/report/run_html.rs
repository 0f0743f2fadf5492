//! report.html of `tokenmaxx run`: the headline in words, the policy timeline, every chart with
//! how to read it, the key tables, the resolved scenario and the run facts, in one file.

use std::path::Path;

use super::ReportError;
use super::html::{Cell, Chart, Footer, Report, Section, Table};
use crate::projections::figures::{self, Fig, Unit, figure};
use crate::projections::horizons::{HORIZONS, Kind};
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
    let (mut r, at) = body(p, scenario, charts_dir.is_none(), command);
    r.headline = p.summary.headline();
    let after = r.sections.split_off(at);
    if charts_dir.is_some() {
        let charts: Vec<Chart> = CHART_GUIDE.iter().map(Chart::from).collect();
        r.charts(charts_dir, &charts)?;
    }
    r.sections.extend(after);
    Ok(r)
}

/// report.html of a run without its headline and chart sections, and where the charts go; with
/// `no_charts`, a note there that they were skipped.
pub fn body(
    p: &Projections,
    scenario: &Scenario,
    no_charts: bool,
    command: &str,
) -> (Report, usize) {
    let s = &p.summary;
    let mut r = Report::new(format!("tokenmaxx run: {}", s.scenario));
    r.subtitle = Some(format!(
        "{} | {} employees x {} weeks | seed {}, replication {}",
        s.description, s.employees, s.weeks, s.seed, s.replication
    ));
    r.section(timeline_section("Policy timeline", &p.policy_marks));
    let at = r.sections.len();
    if no_charts {
        r.section(Section::charts_skipped());
    }
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
    (r, at)
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

fn times(v: f64) -> Cell {
    Cell::num(format!("{v:.2}x"), v)
}

fn tokens(v: f64) -> Cell {
    Cell::num(format!("{} tokens", count(v)), v)
}

/// A summary figure in words, its value with its unit, and its summary.json key.
pub(crate) type Figure = (&'static str, Cell, &'static str);

/// How a key figure's value is shown, beyond its unit's form.
#[derive(Debug, Clone, Copy)]
enum Show {
    /// In its unit's form.
    Plain,
    /// Signed (a change: the speed-ups and the output over working without AI).
    Signed,
    /// In its unit's form, or these words when undefined.
    Or(&'static str),
    /// With the week it was reached (the highest weekly padding share).
    WithWeek(Fig),
}

use Show::{Or, Plain, Signed, WithWeek};

/// Every horizon has its row (a fork's table pairs rows by position).
const BEYOND: Show = Or("beyond the run");

/// The key figures of a run, in order: value and cost ([`KEY_FIGURES`]); net value a year per
/// employee at each of [`HORIZONS`], then the same discounted ([`KEY_HORIZONS`]); discounted over
/// the run, and the break-even week; tokens, padding and adoption; heavy users, felt and measured
/// speed-ups, hidden costs and risk ([`KEY_FIGURES_AFTER`]). Words and units are the figure
/// table's.
fn key_figures() -> impl Iterator<Item = (&'static figures::Figure, Show)> {
    let horizons = KEY_HORIZONS.iter().flat_map(|&kind| {
        HORIZONS
            .iter()
            .map(move |&h| (figure(&kind.name(h)), BEYOND))
    });
    let one = |&(fig, show): &(Fig, Show)| (fig.figure(), show);
    KEY_FIGURES
        .iter()
        .map(one)
        .chain(horizons)
        .chain(KEY_FIGURES_AFTER.iter().map(one))
}

/// The key figures before the horizons'.
const KEY_FIGURES: &[(Fig, Show)] = &[
    (Fig::net_value_per_employee_year_usd, Plain),
    (Fig::net_value_usd, Plain),
    (Fig::output_uplift, Signed),
    (Fig::roi, Or("no cost")),
    (Fig::cost_usd, Plain),
    (Fig::annual_cost_per_employee_usd, Plain),
    (Fig::cost_share_of_salary, Plain),
    (Fig::median_monthly_cost_per_active_usd, Plain),
];

/// The horizons' key figures, a row per horizon each.
const KEY_HORIZONS: [Kind; 2] = [Kind::NetValuePerEmployeeYear, Kind::NpvPerEmployeeYear];

/// The key figures after the horizons'.
const KEY_FIGURES_AFTER: &[(Fig, Show)] = &[
    (Fig::npv_per_employee_year_usd, Plain),
    (Fig::npv_usd, Plain),
    (
        Fig::break_even_week,
        Or("never (cumulative net value ends below zero)"),
    ),
    (Fig::tokens_total, Plain),
    (Fig::tokens_genuine, Plain),
    (Fig::tokens_bot, Plain),
    (Fig::tokens_padding, Plain),
    (Fig::padding_share, Plain),
    (Fig::peak_padding_share, WithWeek(Fig::peak_padding_week)),
    (Fig::median_weekly_tokens_per_user, Plain),
    (Fig::mean_reported_active_share, Plain),
    (Fig::mean_genuine_active_share, Plain),
    (Fig::reported_vs_genuine_gap, Plain),
    (Fig::first_week_target_met, Or("never")),
    (Fig::top_decile_token_ratio, Plain),
    (Fig::top_decile_output_ratio, Plain),
    (Fig::perceived_uplift, Signed),
    (Fig::measured_uplift, Signed),
    (Fig::say_faster_share, Plain),
    (Fig::are_faster_share, Plain),
    (Fig::rework_cost, Plain),
    (Fig::noise_cost, Plain),
    (Fig::padding_time_cost, Plain),
    (Fig::bots_deployed, Plain),
    (Fig::incidents, Plain),
    (Fig::incident_cost, Plain),
    (Fig::token_gini_users, Plain),
    (Fig::users, Plain),
];

/// A value of a run's key-figures table in its unit's form (shares to a tenth of a percent,
/// signed when `signed`).
fn key_text(unit: Unit, v: f64, signed: bool) -> String {
    match unit {
        Unit::Usd => usd(v),
        Unit::Share if signed => format!("{:+.1}%", v * 100.0),
        Unit::Share => format!("{:.1}%", v * 100.0),
        Unit::Points => format!("{:+.1} points", v * 100.0),
        Unit::UsdPerUsd => format!("{v:.2} $/$"),
        Unit::Tokens => format!("{} tokens", count(v)),
        Unit::Ratio => format!("{v:.2}x"),
        Unit::PersonWeeks => format!("{v:.1} person-weeks"),
        Unit::Week => format!("week {v:.0}"),
        Unit::Count(_) => format!("{v:.0}"),
        Unit::Index => format!("{v:.2}"),
    }
}

/// The summary figures, in words, with units, and the summary.json key each comes from.
pub(crate) fn figure_rows(s: &Summary) -> Vec<Figure> {
    key_figures()
        .map(|(f, show)| {
            let value = (f.get)(s);
            let cell = match (value, show) {
                (Some(v), WithWeek(week)) => {
                    let at = (week.figure().get)(s).unwrap_or(f64::NAN);
                    let text = format!(
                        "{} ({})",
                        key_text(f.unit, v, false),
                        key_text(Unit::Week, at, false)
                    );
                    Cell::num(text, v)
                }
                (Some(v), show) => Cell::num(key_text(f.unit, v, matches!(show, Signed)), v),
                (None, Or(words)) => Cell::text(words),
                (None, _) => Cell::text("n/a"),
            };
            (f.label, cell, f.name)
        })
        .collect()
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
    fn key_figures_take_words_and_units_from_the_figure_table() {
        // given a run's summary with no cost and no break-even, when its key figures are built,
        // then each row's words are its figure's, each figure appears once, and undefined values
        // read in words
        let scenario = crate::scenario::Scenario::load_with(
            &crate::scenario::Source::Builtin("amazon-2026".into()),
            &crate::scenario::Overrides {
                employees: Some(200),
                weeks: Some(30),
                seed: None,
            },
        )
        .unwrap()
        .0;
        let mut s = crate::simulate(&scenario, 0).summary;
        s.roi = None;
        s.horizons.break_even_week = None;
        let rows = figure_rows(&s);
        let mut keys: Vec<&str> = rows.iter().map(|r| r.2).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), rows.len(), "a figure twice");
        let text = |key: &str| {
            let row = rows.iter().find(|r| r.2 == key).unwrap();
            assert_eq!(row.0, crate::projections::figures::figure(key).label);
            row.1.text.clone()
        };
        assert_eq!(text("roi"), "no cost");
        assert_eq!(
            text("break_even_week"),
            "never (cumulative net value ends below zero)"
        );
        assert_eq!(
            text("net_value_per_employee_year_52w_usd"),
            "beyond the run"
        );
        assert_eq!(
            text("tokens_total"),
            format!("{} tokens", count(s.tokens_total))
        );
        assert_eq!(
            text("peak_padding_share"),
            format!(
                "{:.1}% (week {})",
                s.peak_padding_share * 100.0,
                s.peak_padding_week
            )
        );
        assert_eq!(text("users"), s.users.to_string());
        assert!(text("output_uplift").starts_with(['+', '-']));
    }

    #[test]
    fn every_figure_label_in_a_run_s_report_is_the_figure_table_s_one_label() {
        // given a run's report.html, when its key-figures table is read, then each row's words
        // are the label of the figure it names (the table's one wording), and no two figures
        // share a label
        use super::super::html::{Block, escape};
        let scenario = crate::model::testkit::sized("amazon-2026", 200, 30);
        let p = crate::simulate(&scenario, 0);
        let (r, _) = body(&p, &scenario, true, "tokenmaxx run");
        let section = r.sections.iter().find(|s| s.heading == "Key figures");
        let Some(Block::Table(t)) = section.and_then(|s| s.blocks.first()) else {
            panic!("a key-figures table")
        };
        let html = r.render();
        for row in &t.rows {
            assert_eq!(row[0].text, figure(&row[2].text).label, "{}", row[2].text);
            assert!(html.contains(&format!("<td>{}</td>", escape(&row[0].text))));
        }
        let mut labels: Vec<&str> = figures::FIGURES.iter().map(|f| f.label).collect();
        labels.sort_unstable();
        let n = labels.len();
        labels.dedup();
        assert_eq!(labels.len(), n, "two figures share a label");
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
