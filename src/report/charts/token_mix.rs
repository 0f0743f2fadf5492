//! token_mix.png: stacked areas of genuine, padding and bot tokens per week, with the timeline.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    BOT, FONT, GENUINE, PADDING, chart_err, draw_marks, legend, subtitle, tokens, week_mesh,
    weekly_top,
};
use crate::projections::Projections;
use crate::report::ReportError;

/// Draw the chart on any plotters backend (`path` names it in errors).
pub fn draw_on<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    p: &Projections,
    path: &Path,
) -> Result<(), ReportError> {
    let err = chart_err(path);
    let weeks = p.weekly.len().max(1) as f64;
    let top = weekly_top(p, |r| r.tokens_total, 1.5);
    root.fill(&WHITE).map_err(&err)?;
    let mut chart = ChartBuilder::on(root)
        .caption(
            format!("Where the tokens go each week  ({})", subtitle(p)),
            (FONT, 22),
        )
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(0f64..weeks, 0f64..top)
        .map_err(&err)?;
    week_mesh(&mut chart, "tokens per week", &|v| tokens(*v), 16).map_err(&err)?;

    // Stack from the bottom: genuine, bot, padding (padding on top, where it is seen).
    #[allow(clippy::type_complexity)] // a label, a colour and a figure, per layer
    let layers: [(&str, RGBColor, fn(&crate::projections::WeeklyRow) -> f64); 3] = [
        ("padding (inflates counts only)", PADDING, |r| {
            r.tokens_genuine + r.tokens_bot + r.tokens_padding
        }),
        ("bots' useful work", BOT, |r| {
            r.tokens_genuine + r.tokens_bot
        }),
        ("genuine (people's real work)", GENUINE, |r| {
            r.tokens_genuine
        }),
    ];
    for (label, color, cum) in layers {
        let pts: Vec<(f64, f64)> = p.weekly.iter().map(|r| (r.week as f64, cum(r))).collect();
        chart
            .draw_series(AreaSeries::new(pts, 0.0, color).border_style(color.stroke_width(1)))
            .map_err(&err)?
            .label(label)
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 18, y + 6)], color.filled()));
    }
    draw_marks(
        &mut chart,
        &p.policy_marks,
        0.0,
        |k| top * (0.82 - 0.04 * (k % 3) as f64),
        top,
    )
    .map_err(&err)?;
    legend(&mut chart, SeriesLabelPosition::UpperLeft).map_err(&err)?;
    root.present().map_err(&err)?;
    Ok(())
}
