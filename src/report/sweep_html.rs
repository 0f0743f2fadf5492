//! report.html of `tokenmaxx sweep` (and of `merge` of a sweep's shards), the report of its
//! [`super::sweep::output`]: which points give the highest and lowest of each charted figure,
//! every chart with how to read it, points.csv as a sortable table, the sweep file and the
//! resolved base scenario, and the run facts. The spec and
//! base sections and the footer are shared with the sensitivity and calibration reports.

use std::path::Path;

use super::html::{
    Cell, Footer, MAX_ROWS, Report, Section, Table, figure_label, figure_text, interval_text,
};
use super::output::Chart as OutChart;
use crate::sweep::aggregate::{PointStats, Stat};
use crate::sweep::spec::{STORED_BASE, render_point, render_value, value_number};
use crate::sweep::{Sweep, figure_names};

pub use super::html::FILE;

/// Each chart a sweep may write: file, heading, and how to read it in plain words.
const CHART_GUIDE: &[(&str, &str, &str)] = &[
    (
        "points.png",
        "Padding and output at every point",
        "One bar per point of the sweep, numbered as in the points table below. Top: the padding share, the part of all tokens spent only to inflate counts; bottom: output over working without AI. Each bar's height is the average over the replications and the black line through it its 95% interval: where two points' lines overlap a lot, the sweep cannot tell them apart at this many replications.",
    ),
    (
        "lines.png",
        "Each figure against the varied parameter",
        "One panel per charted figure. Left to right: the value of the one parameter the sweep varies. The line is the average over the replications at each value and the shaded band its 95% interval. A band that clearly rises or falls across the range means the parameter moves that figure; a band wide enough to hold a flat line means the sweep cannot tell.",
    ),
    (
        "heatmap.png",
        "Each figure over the grid of the two parameters",
        "One panel per charted figure. Each cell is one combination of the two varied parameters (their values on the axes) and its colour the figure's average over the replications there (darker is higher), with the average written in it. If the colours change along one axis only, only that parameter matters; a diagonal pattern means the two act together.",
    ),
];

/// A sweep's report.html without its headline and chart sections, and where the charts go; with
/// `no_charts`, a note there that they were skipped.
pub fn body(
    sweep: &Sweep,
    stats: &[PointStats],
    no_charts: bool,
    command: &str,
) -> (Report, usize) {
    let mut r = Report::new(format!("tokenmaxx sweep: {}", sweep.name));
    r.subtitle = Some(format!(
        "{} points x {} replications, varying {}",
        stats.len(),
        sweep.replications,
        parameter_names(sweep)
    ));
    if no_charts {
        r.section(Section::charts_skipped());
    }
    r.section(points_section(sweep, stats));
    spec_sections(&mut r, sweep);
    r.footer = footer(sweep, command, sweep.runs());
    (r, 0)
}

/// The charts the sweep draws ([`crate::report::charts::sweep::files`]), each with its heading
/// and how to read it from [`CHART_GUIDE`].
pub fn charts<'a>(sweep: &'a Sweep, stats: &'a [PointStats]) -> Vec<OutChart<'a>> {
    crate::report::charts::sweep::files(sweep, stats)
        .into_iter()
        .map(|file| {
            let &(file, heading, read) = CHART_GUIDE
                .iter()
                .find(|g| g.0 == file)
                .expect("every sweep chart has its guide");
            OutChart {
                file: file.into(),
                heading: heading.into(),
                read,
                alt: format!("{heading} ({file})"),
                draw: Some(Box::new(move |path: &Path| {
                    crate::report::charts::sweep::draw(file, path, sweep, stats)
                })),
                skipped: None,
            }
        })
        .collect()
}

fn parameter_names(sweep: &Sweep) -> String {
    let names: Vec<&str> = sweep.parameters.iter().map(|(p, _)| p.as_str()).collect();
    names.join(", ")
}

fn figure_index(name: &str) -> Option<usize> {
    figure_names().iter().position(|n| *n == name)
}

/// A figure's mean at a point with its 95% interval, in words.
fn stat_words(figure: &str, s: &Stat) -> String {
    if s.ci_low.is_finite() && s.ci_high.is_finite() {
        format!(
            "{} on average, 95% interval {}",
            figure_text(figure, s.mean, false),
            interval_text(figure, s.ci_low, s.ci_high)
        )
    } else {
        format!(
            "{}, no interval from one replication",
            figure_text(figure, s.mean, false)
        )
    }
}

/// Per charted figure: the points with the highest and the lowest average, with intervals.
pub fn headline(sweep: &Sweep, stats: &[PointStats]) -> Vec<String> {
    let point = |p: &PointStats| {
        format!(
            "point {} ({})",
            p.point,
            render_point(&sweep.parameters, &p.values)
        )
    };
    let mut lines = Vec::new();
    for figure in &sweep.figures {
        let Some(f) = figure_index(figure) else {
            continue;
        };
        let finite: Vec<&PointStats> = stats
            .iter()
            .filter(|p| p.stats[f].mean.is_finite())
            .collect();
        let by = |a: &&PointStats, b: &&PointStats| a.stats[f].mean.total_cmp(&b.stats[f].mean);
        let (Some(hi), Some(lo)) = (
            finite.iter().copied().max_by(by),
            finite.iter().copied().min_by(by),
        ) else {
            lines.push(format!("{}: no point gave a value.", figure_label(figure)));
            continue;
        };
        let (h, l) = (&hi.stats[f], &lo.stats[f]);
        if h.mean == l.mean {
            lines.push(format!(
                "{} is the same at every point: {}.",
                figure_label(figure),
                figure_text(figure, h.mean, false)
            ));
            continue;
        }
        let overlap = if h.ci_low <= l.ci_high {
            " The two intervals overlap: at this many replications the sweep cannot tell these points apart."
        } else {
            ""
        };
        lines.push(format!(
            "{} is highest at {}: {}; lowest at {}: {}.{overlap}",
            figure_label(figure),
            point(hi),
            stat_words(figure, h),
            point(lo),
            stat_words(figure, l)
        ));
    }
    let failed: u32 = stats.iter().map(|p| p.runs_failed).sum();
    if failed > 0 {
        lines.push(format!(
            "{failed} run(s) failed and are left out of the averages (their errors are in runs.csv)."
        ));
    }
    lines
}

fn points_section(sweep: &Sweep, stats: &[PointStats]) -> Section {
    let mut header: Vec<String> = vec!["point".into()];
    header.extend(sweep.parameters.iter().map(|(p, _)| p.clone()));
    header.push("runs (ok)".into());
    let figures: Vec<(&str, usize)> = sweep
        .figures
        .iter()
        .filter_map(|f| Some((f.as_str(), figure_index(f)?)))
        .collect();
    for (figure, _) in &figures {
        header.push(format!("{} (mean)", figure_label(figure)));
        header.push("95% interval".into());
    }
    let mut t = Table::new(header).sortable();
    for p in stats {
        let mut row = vec![Cell::num(p.point.to_string(), p.point as f64)];
        row.extend(p.values.iter().map(|v| match value_number(v) {
            Some(x) => Cell::num(render_value(v), x),
            None => Cell::text(render_value(v)),
        }));
        row.push(Cell::num(p.runs_ok.to_string(), p.runs_ok as f64));
        for &(figure, f) in &figures {
            let s = &p.stats[f];
            row.push(Cell::num(figure_text(figure, s.mean, false), s.mean));
            row.push(Cell::text(interval_text(figure, s.ci_low, s.ci_high)));
        }
        t.push(row);
    }
    Section::new("Every point (points.csv)")
        .read("One row per point of the sweep: the parameter values set on the base scenario, the runs that succeeded, and for each charted figure its average over the replications with a 95% interval (where the average would fall in most repeats of the sweep with other seeds). points.csv has every figure. Click a heading to sort.")
        .table_capped(t, MAX_ROWS, "points.csv")
}

/// The spec file as given and the base scenario as resolved, as the batch commands store them.
pub fn spec_sections(r: &mut Report, sweep: &Sweep) {
    let spec = sweep.stored_as;
    r.section(
        Section::new(format!("The spec file ({spec})"))
            .read(format!("The file the command was given, exactly as written; a copy is kept beside this report as {spec}."))
            .code(sweep.text.clone()),
    );
    r.section(
        Section::new(format!("The base scenario ({STORED_BASE})"))
            .read(format!("The scenario every run starts from, resolved: every parameter, the files it extends merged in. Each run sets its point's parameter values on top of it. Also beside this report as {STORED_BASE}."))
            .code(toml::to_string(&sweep.base_table).unwrap_or_default()),
    );
}

/// The footer of a batch report: command line, seed, replications, base scenario and runs.
pub fn footer(sweep: &Sweep, command: &str, runs: u64) -> Footer {
    let base = sweep.base.describe();
    Footer {
        command: command.to_string(),
        seed: Some(sweep.seed),
        replications: Some(format!("{} per point", sweep.replications)),
        facts: vec![
            ("base scenario".into(), base),
            ("runs".into(), runs.to_string()),
        ],
    }
}
