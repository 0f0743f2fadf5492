//! The output of `tokenmaxx fork` as one value ([`Output`]): the fork's own tables and
//! summary.json (a run's, [`super::run::tables`]), fork_vs_base.csv (the base run and the fork
//! week by week), fork_vs_base.png and the fork's run charts, and report.html: base against fork
//! on the headline figures in words, the charts with how to read them, both policy timelines,
//! every summary figure side by side, fork_vs_base.csv's selected weeks, both scenarios as run,
//! run facts. `cli/fork.rs` writes it.

use std::path::Path;

use super::ReportError;
use super::html::{Cell, Footer, Report, Section, Table, figure_text};
use super::output::{Chart, Column, Form, Output, Values};
use super::run_html::{figure_rows, sampled_weeks, timeline_section};
use crate::projections::figures::Fig;
use crate::projections::{Summary, WeeklyRow};
use crate::replay::fork::Fork;
use crate::scenario::Scenario;

/// The output of a fork (`base`: the stored run's scenario; `no_charts`: none drawn, the report
/// says they were skipped; `command`: the command line in its footer).
pub fn output<'a>(
    f: &'a Fork,
    base: &Scenario,
    no_charts: bool,
    command: &str,
) -> Result<Output<'a>, ReportError> {
    let (report, charts_at) = body(f, base, no_charts, command);
    let mut tables = super::run::tables(&f.fork);
    tables.push(fork_vs_base(&f.base.weekly, &f.fork.weekly, f.at));
    Ok(Output {
        headline: headline(f),
        headline_file: None,
        tables,
        charts: if no_charts { Vec::new() } else { charts(f) },
        files: vec![("summary.json", super::run::summary_json(&f.fork.summary)?)],
        parquet: Vec::new(),
        report,
        charts_at,
    })
}

/// The weekly figures fork_vs_base.csv sets side by side, `base_<name>` then `fork_<name>`:
/// weekly.csv's columns of these names ([`super::run::weekly`]), their values and units.
pub const WEEKLY_FIGURES: &[&str] = &[
    "reported_active_share",
    "genuine_active_share",
    "tokens_total",
    "tokens_padding",
    "padding_share",
    "output_total",
    "cost_usd",
    "incidents",
    "mean_monitoring",
];

/// fork_vs_base.csv: `week`, `forked` (the week is at or after the fork), then each of
/// [`WEEKLY_FIGURES`] for the base run and the fork, as numbers (a name that is no column of
/// weekly.csv is a bug: it panics, and the tests that build a fork find it).
pub fn fork_vs_base(base: &[WeeklyRow], fork: &[WeeklyRow], at: u32) -> super::output::Table {
    let weekly = [
        ("base", super::run::weekly(base)),
        ("fork", super::run::weekly(fork)),
    ];
    let mut columns = vec![
        Column::whole("week", base.iter().map(|r| r.week.into()).collect()),
        Column::flag("forked", base.iter().map(|r| r.week >= at).collect()),
    ];
    for name in WEEKLY_FIGURES {
        for (side, table) in &weekly {
            let c = table
                .column(name)
                .unwrap_or_else(|| panic!("`{name}` is not a column of weekly.csv (a bug)"));
            let values = match &c.values {
                Values::Number(v) => v.clone(),
                Values::Whole(v) => v.iter().map(|&n| n as f64).collect(),
                _ => panic!("`{name}` is not a number column of weekly.csv (a bug)"),
            };
            columns.push(Column::number(format!("{side}_{name}"), c.unit, values));
        }
    }
    super::output::Table {
        file: "fork_vs_base.csv",
        columns,
        form: Form::Typed,
    }
}

/// The charts of a fork, in the report's order: fork_vs_base.png, then the run's charts of the
/// fork.
fn charts(f: &Fork) -> Vec<Chart<'_>> {
    let heading = "The fork against its base";
    let mut charts = vec![Chart {
        file: "fork_vs_base.png".into(),
        heading: heading.into(),
        read: FORK_GUIDE,
        alt: format!("{heading} (fork_vs_base.png)"),
        draw: Some(Box::new(move |path: &Path| {
            super::charts::register_fonts();
            super::charts::fork::draw(path, &f.base, &f.fork, f.at)
        })),
        skipped: None,
    }];
    charts.extend(super::run::charts(&f.fork).into_iter().map(|mut c| {
        c.heading = format!("The fork: {}", c.heading.to_lowercase());
        c.alt = format!("{} ({})", c.heading, c.file);
        c
    }));
    charts
}

/// The figures the headline sets side by side.
const HEADLINE: &[Fig] = &[
    Fig::net_value_per_employee_year_usd,
    Fig::padding_share,
    Fig::output_uplift,
    Fig::annual_cost_per_employee_usd,
    Fig::mean_genuine_active_share,
    Fig::incidents,
];

const FORK_GUIDE: &str = "Three panels, week by week from a few weeks before the fork: the padding share (the part of all tokens spent only to inflate counts), all tokens, and output. Grey is the base run as it happened, red the fork; the vertical line is the week of the fork. Before it the two lines are the same run; the gap after it is what the other policies would have changed, with the same employees and the same luck.";

/// A fork's report.html without its headline and chart sections, and where the charts go; with
/// `no_charts`, a note there that they were skipped.
fn body(f: &Fork, base: &Scenario, no_charts: bool, command: &str) -> (Report, usize) {
    let (b, k) = (&f.base.summary, &f.fork.summary);
    let mut r = Report::new(format!("tokenmaxx fork: {}", k.scenario));
    r.subtitle = Some(format!(
        "{} | {} employees x {} weeks | seed {}, replication {}",
        f.scenario.description, b.employees, b.weeks, b.seed, b.replication
    ));
    if no_charts {
        r.section(Section::charts_skipped());
    }
    r.section(timeline_section(
        "Policy timeline of the base run",
        &f.base.policy_marks,
    ));
    r.section(timeline_section(
        "Policy timeline of the fork",
        &f.fork.policy_marks,
    ));
    r.section(figures_section(b, k));
    r.section(weeks_section(&f.base.weekly, &f.fork.weekly, f.at));
    for (heading, s) in [
        ("The base run's scenario", base),
        ("The fork's scenario", &f.scenario),
    ] {
        r.section(
            Section::new(heading)
                .read("Every parameter as run, as a scenario file: save it as a .toml file and give it to tokenmaxx run to reproduce the run.")
                .code(s.resolved_toml.clone()),
        );
    }
    r.footer = Footer {
        command: command.to_string(),
        seed: Some(b.seed),
        replications: Some(format!("1 (replication {})", b.replication)),
        facts: vec![
            ("base run".into(), b.scenario.clone()),
            ("fork".into(), format!("{} from week {}", k.scenario, f.at)),
        ],
    };
    (r, 0)
}

/// What the fork is, then base against fork on each headline figure.
fn headline(f: &Fork) -> Vec<String> {
    let mut lines = vec![format!(
        "{}: up to week {} the fork is the base run itself; from then on only the policies differ, with the same employees and the same luck.",
        f.scenario.description, f.at
    )];
    for fig in HEADLINE {
        let figure = fig.figure();
        let (Some(x), Some(y)) = ((figure.get)(&f.base.summary), (figure.get)(&f.fork.summary))
        else {
            continue;
        };
        let text = |v: f64, change: bool| figure.unit.text(v, change);
        lines.push(format!(
            "{}: base {}, fork {} ({} against the base).",
            figure.label,
            text(x, false),
            text(y, false),
            text(y - x, true)
        ));
    }
    lines
}

fn figures_section(b: &Summary, k: &Summary) -> Section {
    let mut t = Table::new(["figure", "base run", "fork", "fork minus base"]).sortable();
    for ((words, base, key), (_, fork, _)) in figure_rows(b).into_iter().zip(figure_rows(k)) {
        let diff = match (base.value, fork.value) {
            (Some(x), Some(y)) => Cell::num(figure_text(key, y - x, true), y - x),
            _ => Cell::text(""),
        };
        t.push(vec![words.into(), base, fork, diff]);
    }
    Section::new("Every figure, base and fork")
        .read("The summary figures of the whole run (summary.json) for the base run and the fork, and the difference. Both runs share everything before the fork, so the difference is the effect of the other policies from then on. Click a heading to sort.")
        .table(t)
}

fn weeks_section(base: &[WeeklyRow], fork: &[WeeklyRow], at: u32) -> Section {
    let mut t = Table::new([
        "week",
        "forked",
        "padding share (base)",
        "padding share (fork)",
        "tokens (base)",
        "tokens (fork)",
        "output (base)",
        "output (fork)",
        "token cost (base)",
        "token cost (fork)",
    ])
    .sortable();
    let cell = |fig: Fig, v: f64| Cell::num(fig.figure().unit.text(v, false), v);
    let picked = sampled_weeks(base.len().min(fork.len()));
    for &i in &picked {
        let (b, k) = (&base[i], &fork[i]);
        t.push(vec![
            Cell::num(b.week.to_string(), b.week as f64),
            Cell::text(if b.week >= at { "yes" } else { "no" }),
            cell(Fig::padding_share, b.padding_share),
            cell(Fig::padding_share, k.padding_share),
            cell(Fig::tokens_total, b.tokens_total),
            cell(Fig::tokens_total, k.tokens_total),
            Cell::num(
                format!("{:.0} person-weeks", b.output_total),
                b.output_total,
            ),
            Cell::num(
                format!("{:.0} person-weeks", k.output_total),
                k.output_total,
            ),
            cell(Fig::cost_usd, b.cost_usd),
            cell(Fig::cost_usd, k.cost_usd),
        ]);
    }
    Section::new("Week by week (fork_vs_base.csv)")
        .read(format!(
            "Selected columns of fork_vs_base.csv, {} of {} weeks; the file beside this report has every week and more figures. Tokens, output and cost are the week's totals; output is in person-weeks (one employee's week of work without AI). Click a heading to sort.",
            picked.len(),
            base.len()
        ))
        .table(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::{DataFrame, NamedFrom, Series};

    #[test]
    fn fork_vs_base_is_written_as_polars_wrote_it_from_weekly_columns() {
        // given a short run as both base and fork, when fork_vs_base.csv is built, then it is
        // byte-identical to polars' CSV of the weekly columns (as floats) side by side
        let scenario = crate::model::testkit::sized("amazon-2026", 200, 12);
        let weekly = crate::simulate(&scenario, 0).weekly;
        let t = fork_vs_base(&weekly, &weekly, 5);
        let frame = super::super::tables::weekly_frame(&weekly).unwrap();
        let mut columns = vec![
            Series::new(
                "week".into(),
                weekly.iter().map(|r| r.week).collect::<Vec<u32>>(),
            )
            .into(),
            Series::new(
                "forked".into(),
                weekly.iter().map(|r| r.week >= 5).collect::<Vec<bool>>(),
            )
            .into(),
        ];
        for name in WEEKLY_FIGURES {
            let c = frame
                .column(name)
                .unwrap()
                .cast(&polars::prelude::DataType::Float64)
                .unwrap();
            for side in ["base", "fork"] {
                columns.push(c.clone().with_name(format!("{side}_{name}").into()));
            }
        }
        let mut df = DataFrame::new_infer_height(columns).unwrap();
        let path = std::env::temp_dir().join(format!("tokenmaxx-fork-{}.csv", std::process::id()));
        super::super::tables::write_csv(&path, &mut df).unwrap();
        let polars = std::fs::read_to_string(&path).unwrap();
        let _ = std::fs::remove_file(&path);
        assert_eq!(t.csv(), polars);
        assert_eq!(
            t.column("base_padding_share").unwrap().unit,
            Some(crate::projections::figures::Unit::Share)
        );
    }
}
