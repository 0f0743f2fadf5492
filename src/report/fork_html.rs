//! report.html of `tokenmaxx fork`: base against fork on the headline figures in words, the
//! comparison chart and the fork's own charts with how to read them, both policy timelines, every
//! summary figure side by side, fork_vs_base.csv week by week, both scenarios as run, run facts.

use std::path::Path;

use super::ReportError;
use super::html::{Cell, Chart, Footer, Report, Section, Table, figure_text};
use super::run_html::{CHART_GUIDE, figure_rows, sampled_weeks, timeline_section};
use crate::projections::figures::Fig;
use crate::projections::{Summary, WeeklyRow};
use crate::replay::fork::Fork;
use crate::scenario::Scenario;

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

/// Build a fork's report: `base` is the stored run's scenario, `charts_dir` holds the charts
/// (None: skipped).
pub fn build(
    f: &Fork,
    base: &Scenario,
    charts_dir: Option<&Path>,
    command: &str,
) -> Result<Report, ReportError> {
    let (b, k) = (&f.base.summary, &f.fork.summary);
    let mut r = Report::new(format!("tokenmaxx fork: {}", k.scenario));
    r.subtitle = Some(format!(
        "{} | {} employees x {} weeks | seed {}, replication {}",
        f.scenario.description, b.employees, b.weeks, b.seed, b.replication
    ));
    r.headline = headline(f);
    let mut charts = vec![Chart::new(
        "fork_vs_base.png",
        "The fork against its base",
        FORK_GUIDE,
    )];
    charts.extend(CHART_GUIDE.iter().map(|&(file, heading, read)| {
        Chart::new(file, format!("The fork: {}", heading.to_lowercase()), read)
    }));
    r.charts(charts_dir, &charts)?;
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
    Ok(r)
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
