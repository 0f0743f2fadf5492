//! report.html of `tokenmaxx compare`: the verdict in words, the comparison chart with how to
//! read it, the paired differences and the unstable rankings as tables, each scenario's resolved
//! file, and the run facts, in one self-contained file.

use std::path::Path;

use super::ReportError;
use super::html::{Cell, Footer, Report, Section, Table};
use super::output::Chart;
use crate::compare::stats::{Better, show};
use crate::compare::{Compare, Compared, Comparison};

/// How to read comparison.png.
const CHART_GUIDE: &str = "Top two rows: one panel per figure. Each dot is a scenario's average difference from the baseline over the replications, paired replication by replication (the same employees and the same luck under both policies); the bar through it is the 95% interval of that difference. Scenarios are sorted by the difference; the vertical line is no difference. A bar that does not cross the line is a difference larger than the noise. Bottom row: the weekly padding share, genuine weekly activity and token cost of every scenario, the line the average over replications and the shaded band where 95% of them fell.";

/// How to read value_of_information.png.
const VALUE_GUIDE: &str = "Each bar is what knowing one uncertain parameter exactly would be worth to this choice (pick the policy with the highest expected net value per employee-year), in dollars per employee-year: its expected value of partial perfect information (EVPPI), estimated from the runs already made by regressing each policy's net value on the parameter's drawn values (Strong, Oakley & Brennan 2014). The dashed line is the value of knowing everything, seed noise included (EVPI). A pilot or a survey that measures a parameter pays when it costs less than its bar times the employees and years the choice covers. With few replications the bars are rough and biased upward; the verdict says how many there were.";

/// A drawing of one chart into its file.
pub type Draw<'a> = Box<dyn Fn(&Path) -> Result<(), ReportError> + 'a>;

/// The comparison's charts: comparison.png (`differences`: None when charts were skipped, which
/// its section says) and value_of_information.png (`value`: None leaves its section out).
pub fn charts<'a>(differences: Option<Draw<'a>>, value: Option<Draw<'a>>) -> Vec<Chart<'a>> {
    vec![
        Chart {
            file: "comparison.png".into(),
            heading: "Differences from the baseline".into(),
            read: CHART_GUIDE,
            alt: "paired differences and weekly bands (comparison.png)".into(),
            draw: differences,
            skipped: Some("The chart was skipped (--no-charts)."),
        },
        Chart {
            file: "value_of_information.png".into(),
            heading: "What to measure first".into(),
            read: VALUE_GUIDE,
            alt: "value of information per parameter (value_of_information.png)".into(),
            draw: value,
            skipped: None,
        },
    ]
}

/// Build the comparison's report, its chart sections and headline aside (see
/// [`super::compare::output`]).
pub fn build(c: &Compare, cmp: &Comparison, command: &str) -> Report {
    let names: Vec<&str> = c.scenarios.iter().map(|s| s.name.as_str()).collect();
    let mut r = Report::new(format!("tokenmaxx compare: {}", names.join(", ")));
    r.subtitle = Some(format!(
        "against {} | {} replications with common random numbers{}",
        names[c.baseline],
        c.replications,
        match &c.priors {
            Some(crate::compare::Priors { from: Some(f), .. }) =>
                format!(" and parameters drawn from priors ({f})"),
            Some(_) => " and parameters drawn from priors".into(),
            None => String::new(),
        }
    ));
    r.section(differences_section(c, cmp));
    r.section(rankings_section(c, cmp));
    for (i, Compared { name, .. }) in c.scenarios.iter().enumerate() {
        if let Ok(s) = c.scenario(i, 0) {
            r.section(
                Section::new(format!("Scenario {name}"))
                    .read("The scenario as run in replication 0 (with priors, later replications draw other values of the uncertain parameters).")
                    .code(s.resolved_toml),
            );
        }
    }
    r.footer = Footer {
        command: command.to_string(),
        seed: Some(c.seed),
        replications: Some(c.replications.to_string()),
        facts: vec![("scenarios".into(), names.join(", "))],
    };
    r
}

fn differences_section(c: &Compare, cmp: &Comparison) -> Section {
    let mut t = Table::new([
        "figure",
        "scenario",
        "mean",
        "95% interval",
        "paired difference",
        "95% interval of the difference",
        "better than baseline in",
    ])
    .sortable();
    for fig in c.figures() {
        for s in 0..c.scenarios.len() {
            let Some(row) = cmp.row(s, fig.name) else {
                continue;
            };
            let v = |x: f64, d: bool| show(fig.name, x, d);
            let (diff, ci) = match row.diff {
                Some(d) => (
                    Cell::num(v(d.mean, true), d.mean),
                    Cell::text(format!("{} to {}", v(d.ci_low, true), v(d.ci_high, true))),
                ),
                None => (Cell::text("(baseline)"), Cell::text("")),
            };
            t.push(vec![
                Cell::text(fig.label),
                Cell::text(c.scenarios[s].name.clone()),
                Cell::num(v(row.stat.mean, false), row.stat.mean),
                Cell::text(format!(
                    "{} to {}",
                    v(row.stat.ci_low, false),
                    v(row.stat.ci_high, false)
                )),
                diff,
                ci,
                match row.share_better {
                    Some(x) => Cell::num(format!("{:.0}% of replications", x * 100.0), x),
                    None => Cell::text(if fig.better == Better::Neither {
                        "no direction"
                    } else {
                        ""
                    }),
                },
            ]);
        }
    }
    Section::new("Every figure, every scenario")
        .read("Means and 95% intervals over the replications, and the paired difference from the baseline with its own interval: paired differences are much tighter than the scenarios' own intervals, because the noise the scenarios share cancels. Click a heading to sort.")
        .table(t)
}

fn rankings_section(c: &Compare, cmp: &Comparison) -> Section {
    let unstable: Vec<_> = cmp.rankings.iter().filter(|k| !k.stable()).collect();
    let section = Section::new("Rankings that flip")
        .read("For every pair of scenarios and figure, how often the first does better than the second over the replications (with priors: over the draws of the uncertain parameters). Listed here are the pairs where neither order holds in 90% of them: do not rely on that ranking.");
    if unstable.is_empty() {
        return section
            .note("None: every pairwise ranking holds in at least 90% of the replications.");
    }
    let mut t = Table::new(["figure", "scenario A", "scenario B", "A better in"]).sortable();
    for k in unstable {
        t.push(vec![
            Cell::text(k.figure),
            Cell::text(c.scenarios[k.a].name.clone()),
            Cell::text(c.scenarios[k.b].name.clone()),
            Cell::num(
                format!("{:.0}%", k.share_a_better * 100.0),
                k.share_a_better,
            ),
        ]);
    }
    section.table(t)
}
