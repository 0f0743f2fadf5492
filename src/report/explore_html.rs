//! report.html of `tokenmaxx sensitivity` (the parameters ranked per figure, one chart per
//! figure, indices.csv) and of `tokenmaxx calibrate` (the best values and the fit against each
//! target, loss.png and fit.png, fit.csv, the best candidates and best.toml): the reports, headlines
//! and charts of their outputs ([`super::explore`]). Both end with the spec file, the resolved
//! base scenario and the run facts, as a sweep's report does.

use std::path::Path;

use super::compare_html::Draw;
use super::explore::best_scenario;
use super::html::{Cell, MAX_ROWS, Report, Section, Table, figure_label, figure_text};
use super::output::Chart;
use super::sweep_html::{footer, spec_sections};
use crate::explore::calibrate::{Calibration, Candidate};
use crate::explore::sensitivity::{Index, IndexRow, Method, Sensitivity};

const MORRIS_GUIDE: &str = "One bar per parameter, the most influential on top. A bar is the average size of the change in the figure when the parameter moves across its whole range (Morris' mu*, in the figure's units), the thin line through it its 95% interval. The red cross is how much that effect varies from one starting point to another (sigma): far to the right when the parameter's effect depends on the others or is not a straight line. Parameters with short bars barely move this figure.";

const SOBOL_GUIDE: &str = "One row per parameter, the most influential on top. The total index is the share of the figure's variation across the ranges that goes away if this parameter alone is fixed (0: none, 1: all of it), its interactions with others included; the first-order index is the share it explains alone. Orange bars are total indices, blue bars first-order ones; thin lines are 95% intervals. A total index well above the first-order one means the parameter acts through interactions.";

/// A sensitivity analysis' report.html without its headline and chart sections, and where the
/// charts go; with `no_charts`, a note there that they were skipped.
pub fn sensitivity_body(
    a: &Sensitivity,
    rows: &[IndexRow],
    no_charts: bool,
    command: &str,
) -> (Report, usize) {
    let mut r = Report::new(format!("tokenmaxx sensitivity: {}", a.common.name));
    r.subtitle = Some(match a.method {
        Method::Morris {
            trajectories,
            levels,
        } => format!(
            "Morris screening: {trajectories} trajectories on {levels} levels x {} replications, {} parameters",
            a.common.replications,
            a.common.bounds.len()
        ),
        Method::Sobol { samples } => format!(
            "Sobol indices: {samples} base samples x {} replications, {} parameters",
            a.common.replications,
            a.common.bounds.len()
        ),
    });
    if no_charts {
        r.section(Section::charts_skipped());
    }
    r.section(indices_section(rows));
    spec_sections(&mut r, &a.sweep);
    r.footer = footer(&a.sweep, command, a.sweep.runs());
    (r, 0)
}

/// A sensitivity analysis' headline: per figure, its parameters most influential first.
pub fn sensitivity_headline(a: &Sensitivity, rows: &[IndexRow]) -> Vec<String> {
    a.figures.iter().map(|f| ranking_line(f, rows)).collect()
}

/// A chart per figure of a sensitivity analysis (indices_<figure>.png), headed by its label.
pub fn sensitivity_charts<'a>(a: &'a Sensitivity, rows: &'a [IndexRow]) -> Vec<Chart<'a>> {
    let read = match a.method {
        Method::Morris { .. } => MORRIS_GUIDE,
        Method::Sobol { .. } => SOBOL_GUIDE,
    };
    a.figures
        .iter()
        .map(|figure| {
            let file = super::charts::explore::indices_file(figure);
            let heading = format!("What drives: {}", figure_label(figure));
            let draw = move |path: &Path| {
                let mine: Vec<&IndexRow> = rows.iter().filter(|r| &r.figure == figure).collect();
                super::charts::explore::indices(path, &a.common.name, figure, &mine)
            };
            Chart {
                alt: format!("{heading} ({file})"),
                file,
                heading,
                read,
                draw: Some(Box::new(draw)),
                skipped: None,
            }
        })
        .collect()
}

/// A figure's parameters, most influential first, in one sentence.
fn ranking_line(figure: &str, rows: &[IndexRow]) -> String {
    let mut mine: Vec<&IndexRow> = rows.iter().filter(|r| r.figure == figure).collect();
    mine.sort_by(|a, b| b.influence().total_cmp(&a.influence()));
    if mine.first().is_some_and(|r| r.influence() == 0.0) {
        return format!(
            "{} did not move with any of the parameters over their ranges.",
            figure_label(figure)
        );
    }
    // mu* is a size: unsigned.
    let size = |v: f64| {
        figure_text(figure, v, true)
            .trim_start_matches('+')
            .to_string()
    };
    let words: Vec<String> = mine
        .iter()
        .map(|r| match r.index {
            Index::Morris(m) => format!(
                "{} (effect {}, 95% interval {} to {})",
                r.parameter,
                size(m.mu_star),
                size(m.mu_star_ci.0),
                size(m.mu_star_ci.1)
            ),
            Index::Sobol(s) => format!(
                "{} (total index {:.2}, 95% interval {:.2} to {:.2})",
                r.parameter, s.total, s.total_ci.0, s.total_ci.1
            ),
        })
        .collect();
    match words.split_first() {
        None => format!("{}: no index could be computed.", figure_label(figure)),
        Some((first, [])) => {
            format!("{} depends on {first}.", figure_label(figure))
        }
        Some((first, rest)) => format!(
            "{} depends most on {first}, then on {}.",
            figure_label(figure),
            rest.join(", then on ")
        ),
    }
}

fn indices_section(rows: &[IndexRow]) -> Section {
    let morris = rows.iter().all(|r| matches!(r.index, Index::Morris(_)));
    let mut t = if morris {
        Table::new([
            "figure",
            "parameter",
            "effect (mu*)",
            "95% interval",
            "signed effect (mu)",
            "spread (sigma)",
            "effects used",
        ])
    } else {
        Table::new([
            "figure",
            "parameter",
            "total index",
            "95% interval",
            "first-order index",
            "95% interval",
            "samples used",
        ])
    }
    .sortable();
    let n = |v: f64| Cell::num(format!("{v:.4}"), v);
    let ci = |(lo, hi): (f64, f64)| Cell::text(format!("{lo:.4} to {hi:.4}"));
    let count = |v: usize| Cell::num(v.to_string(), v as f64);
    for r in rows {
        let mut row = vec![
            Cell::text(figure_label(&r.figure)),
            Cell::text(r.parameter.clone()),
        ];
        row.extend(match r.index {
            Index::Morris(m) => [
                n(m.mu_star),
                ci(m.mu_star_ci),
                n(m.mu),
                n(m.sigma),
                count(m.effects),
            ],
            Index::Sobol(s) => [
                n(s.total),
                ci(s.total_ci),
                n(s.first),
                ci(s.first_ci),
                count(s.rows),
            ],
        });
        t.push(row);
    }
    Section::new("Every index (indices.csv)")
        .read("One row per figure and parameter, with the measures the charts draw. Morris effects are in the figure's own units per full range of the parameter (shares as fractions: 0.05 is 5 points); Sobol indices are shares of the figure's variation, from 0 to 1. Click a heading to sort.")
        .table_capped(t, MAX_ROWS, "indices.csv")
}

const LOSS_GUIDE: &str = "Each dot is one candidate set of parameter values the search tried, in the order it tried them (left to right); its height is the candidate's loss, how far its simulated figures are from the targets (0 is a perfect match, 1 is one tolerance off on one target; log scale, so each step is ten times more). The line is the best loss found so far: it should fall and then flatten; if it is still falling at the right edge, a larger budget would likely fit better.";

const FIT_GUIDE: &str = "One panel per target figure. Each dot is a candidate's simulated value (the average over the replications), in the order tried; the horizontal line is the target and the shaded band its tolerance. Dots that close in on the band show the search converging; the best candidate is marked. A target whose dots never reach the band cannot be met within the parameters' ranges.";

/// A calibration's report.html without its headline and chart sections, and where the charts
/// go; with `no_charts`, a note there that they were skipped.
pub fn calibration_body(
    cal: &Calibration,
    candidates: &[Candidate],
    best: Option<&Candidate>,
    no_charts: bool,
    command: &str,
) -> (Report, usize) {
    let mut r = Report::new(format!("tokenmaxx calibrate: {}", cal.common.name));
    r.subtitle = Some(format!(
        "{} candidates x {} replications, {} parameters, {} targets",
        candidates.len(),
        cal.common.replications,
        cal.common.bounds.len(),
        cal.targets.len()
    ));
    if no_charts {
        r.section(Section::charts_skipped());
    }
    if let Some(b) = best {
        r.section(values_section(cal, b));
        r.section(fit_section(cal, b));
        r.section(
            Section::new("The best candidate as a scenario (best.toml)")
                .read("The base scenario with the best values set, as a scenario file: give it to tokenmaxx run to run the calibrated model (with the calibration's first seed).")
                .code(best_scenario(cal, b)),
        );
    }
    r.section(candidates_section(cal, candidates));
    spec_sections(&mut r, &cal.sweep);
    r.footer = footer(&cal.sweep, command, cal.runs());
    (r, 0)
}

/// A calibration's headline: the best candidate and its fit, or that none succeeded.
pub fn calibration_headline(cal: &Calibration, best: Option<&Candidate>) -> Vec<String> {
    match best {
        Some(b) => best_lines(cal, b),
        None => vec![
            "No candidate succeeded: every one had a failed run (the errors are in journal.jsonl)."
                .into(),
        ],
    }
}

/// A calibration's charts: loss.png and fit.png.
pub fn calibration_charts<'a>(
    cal: &'a Calibration,
    candidates: &'a [Candidate],
    best: Option<&'a Candidate>,
) -> Vec<Chart<'a>> {
    let chart = |file: &str, heading: &str, read, draw: Draw<'a>| Chart {
        file: file.into(),
        heading: heading.into(),
        read,
        alt: format!("{heading} ({file})"),
        draw: Some(draw),
        skipped: None,
    };
    vec![
        chart(
            "loss.png",
            "How the search went",
            LOSS_GUIDE,
            Box::new(move |p: &Path| super::charts::explore::loss(p, cal, candidates)),
        ),
        chart(
            "fit.png",
            "Each target against the candidates",
            FIT_GUIDE,
            Box::new(move |p: &Path| super::charts::explore::fit(p, cal, candidates, best)),
        ),
    ]
}

/// The best candidate, its values and its fit against each target, in words.
fn best_lines(cal: &Calibration, b: &Candidate) -> Vec<String> {
    let values: Vec<String> = cal
        .common
        .bounds
        .iter()
        .zip(&b.values)
        .map(|(bound, v)| {
            format!(
                "{} = {v:.4} (searched from {} to {})",
                bound.path, bound.low, bound.high
            )
        })
        .collect();
    let mut lines = vec![
        format!(
            "The best fit came at evaluation {} (generation {}) of the {} tried, with a loss of {:.3} (0 would match every target exactly).",
            b.index, b.generation, cal.settings.budget, b.loss
        ),
        format!("Its values: {}.", values.join("; ")),
    ];
    for (t, m) in cal.targets.iter().zip(&b.means) {
        let within = (m - t.value).abs() <= t.tolerance;
        lines.push(format!(
            "{}: simulated {} against the target {} +- {} ({} the tolerance).",
            figure_label(&t.figure),
            figure_text(&t.figure, *m, false),
            figure_text(&t.figure, t.value, false),
            figure_text(&t.figure, t.tolerance, false),
            if within { "within" } else { "OUTSIDE" }
        ));
    }
    lines
}

fn values_section(cal: &Calibration, b: &Candidate) -> Section {
    let mut t = Table::new(["parameter", "best value", "searched from", "to"]);
    for (bound, v) in cal.common.bounds.iter().zip(&b.values) {
        t.push(vec![
            Cell::text(bound.path.clone()),
            Cell::num(format!("{v:.6}"), *v),
            Cell::num(bound.low.to_string(), bound.low),
            Cell::num(bound.high.to_string(), bound.high),
        ]);
    }
    Section::new("The best values")
        .read("The parameter values of the best candidate, and the range the search was allowed to explore. A best value right at the edge of its range suggests the true value may lie outside it.")
        .table(t)
}

fn fit_section(cal: &Calibration, b: &Candidate) -> Section {
    let mut t = Table::new([
        "figure",
        "target",
        "tolerance",
        "weight",
        "simulated",
        "error",
        "within tolerance",
    ])
    .sortable();
    for (tg, m) in cal.targets.iter().zip(&b.means) {
        let f = tg.figure.as_str();
        let err = m - tg.value;
        t.push(vec![
            Cell::text(figure_label(f)),
            Cell::num(figure_text(f, tg.value, false), tg.value),
            Cell::num(figure_text(f, tg.tolerance, false), tg.tolerance),
            Cell::num(format!("{}", tg.weight), tg.weight),
            Cell::num(figure_text(f, *m, false), *m),
            Cell::num(figure_text(f, err, true), err),
            Cell::text(if err.abs() <= tg.tolerance {
                "yes"
            } else {
                "NO"
            }),
        ]);
    }
    Section::new("The fit against each target (fit.csv)")
        .read("For each target figure: the value to match, how far from it counts as a match (tolerance), its weight in the loss, the best candidate's simulated value (the average over the replications) and the error, simulated minus target.")
        .table(t)
}

fn candidates_section(cal: &Calibration, candidates: &[Candidate]) -> Section {
    let mut header: Vec<String> = vec!["candidate".into(), "generation".into(), "loss".into()];
    header.extend(cal.common.bounds.iter().map(|b| b.path.clone()));
    header.extend(cal.targets.iter().map(|t| figure_label(&t.figure)));
    let mut t = Table::new(header).sortable();
    let mut order: Vec<&Candidate> = candidates.iter().collect();
    let key = |c: &Candidate| {
        if c.loss.is_finite() {
            c.loss
        } else {
            f64::INFINITY
        }
    };
    order.sort_by(|a, b| key(a).total_cmp(&key(b)));
    for c in order {
        let mut row = vec![
            Cell::num(c.index.to_string(), c.index as f64),
            Cell::num(c.generation.to_string(), c.generation as f64),
            Cell::num(
                if c.loss.is_finite() {
                    format!("{:.4}", c.loss)
                } else {
                    "failed".into()
                },
                c.loss,
            ),
        ];
        row.extend(c.values.iter().map(|v| Cell::num(format!("{v:.4}"), *v)));
        row.extend(
            cal.targets
                .iter()
                .zip(&c.means)
                .map(|(t, m)| Cell::num(figure_text(&t.figure, *m, false), *m)),
        );
        t.push(row);
    }
    Section::new("The candidates, best first (trace.csv)")
        .read("Every candidate the search tried, sorted by loss, lowest (best) first: its parameter values and its simulated target figures. Candidates with a failed run are ranked last. Click a heading to sort.")
        .table_capped(t, 50, "trace.csv")
}
