//! fork_vs_base.png: padding share, total tokens and output of a fork against its base run,
//! from a few weeks before the fork on.

use std::path::Path;

use plotters::prelude::*;

use super::{ACCENT, FONT, GREY, SIZE, chart_err, legend, percent, tokens, week_mesh};
use crate::projections::{Projections, WeeklyRow};
use crate::report::ReportError;

pub fn draw(
    path: &Path,
    base: &Projections,
    fork: &Projections,
    at: u32,
) -> Result<(), ReportError> {
    let err = chart_err(path);
    let root = BitMapBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(&err)?;
    let (title, body) = root.split_vertically(50);
    title
        .draw(&Text::new(
            format!(
                "{} vs its base {} (forked at week {at}, seed {})",
                fork.summary.scenario, base.summary.scenario, base.summary.seed
            ),
            (20, 12),
            (FONT, 20),
        ))
        .map_err(&err)?;
    let from = at.saturating_sub(4) as usize;
    let weeks = base.weekly.len() as f64;
    #[allow(clippy::type_complexity)] // a label, a figure and its format, per panel
    let panels: [(&str, fn(&WeeklyRow) -> f64, fn(&f64) -> String); 3] = [
        ("padding share", |r| r.padding_share, |v| percent(*v)),
        ("tokens per week", |r| r.tokens_total, |v| tokens(*v)),
        ("output per week", |r| r.output_total, |v| format!("{v:.0}")),
    ];
    for (area, (name, f, fmt)) in body.split_evenly((3, 1)).iter().zip(panels) {
        let pts = |p: &Projections| -> Vec<(f64, f64)> {
            p.weekly[from..]
                .iter()
                .map(|r| (r.week as f64, f(r)))
                .collect()
        };
        let (b, k) = (pts(base), pts(fork));
        let hi = b
            .iter()
            .chain(&k)
            .map(|p| p.1)
            .fold(0.0f64, f64::max)
            .max(1e-9)
            * 1.15;
        let lo = b
            .iter()
            .chain(&k)
            .map(|p| p.1)
            .fold(f64::INFINITY, f64::min)
            .min(0.0);
        let mut chart = ChartBuilder::on(area)
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(80)
            .build_cartesian_2d(from as f64..weeks, lo..hi)
            .map_err(&err)?;
        week_mesh(&mut chart, name, &fmt, 14).map_err(&err)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(at as f64, lo), (at as f64, hi)],
                BLACK.mix(0.5),
            )))
            .map_err(&err)?;
        chart
            .draw_series(LineSeries::new(b, GREY.stroke_width(3)))
            .map_err(&err)?
            .label("base run")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], GREY.stroke_width(3)));
        chart
            .draw_series(LineSeries::new(k, ACCENT.stroke_width(3)))
            .map_err(&err)?
            .label("fork")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], ACCENT.stroke_width(3)));
        legend(&mut chart, SeriesLabelPosition::UpperRight).map_err(&err)?;
    }
    root.present().map_err(&err)?;
    Ok(())
}
