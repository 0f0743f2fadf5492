//! adoption.png: weekly reported-active and genuinely-active shares of the tracked groups, the
//! target line while a target is in force, and the policy timeline as labelled vertical lines.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    ACCENT, Bands, FONT, GENUINE, PADDING, chart_err, draw_band, draw_marks, legend, percent,
    subtitle, week_mesh,
};
use crate::projections::Projections;
use crate::report::ReportError;

/// Draw the chart on any plotters backend (`path` names it in errors).
pub fn draw_on<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    p: &Projections,
    bands: &Bands,
    path: &Path,
) -> Result<(), ReportError> {
    let err = chart_err(path);
    let weeks = p.weekly.len().max(1) as f64;
    root.fill(&WHITE).map_err(&err)?;
    let mut chart = ChartBuilder::on(root)
        .caption(
            format!(
                "Weekly AI adoption: dashboard vs real use  ({})",
                subtitle(p)
            ),
            (FONT, 22),
        )
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..weeks, 0f64..1.15f64)
        .map_err(&err)?;
    week_mesh(
        &mut chart,
        "share of tracked employees active that week",
        &|v| percent(*v),
        16,
    )
    .map_err(&err)?;
    draw_marks(
        &mut chart,
        &p.policy_marks,
        0.0,
        |k| 1.12 - 0.045 * (k % 3) as f64,
        1.15,
    )
    .map_err(&err)?;

    let series = |f: fn(&crate::projections::WeeklyRow) -> f64| -> Vec<(f64, f64)> {
        p.weekly.iter().map(|r| (r.week as f64, f(r))).collect()
    };
    chart
        .draw_series(LineSeries::new(
            series(|r| r.reported_active_share),
            PADDING.stroke_width(3),
        ))
        .map_err(&err)?
        .label("reported active (total tokens >= threshold)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], PADDING.stroke_width(3)));
    draw_band(&mut chart, &bands.genuine_active, GENUINE).map_err(&err)?;
    chart
        .draw_series(LineSeries::new(
            series(|r| r.genuine_active_share),
            GENUINE.stroke_width(3),
        ))
        .map_err(&err)?
        .label("genuinely active (real-work tokens >= threshold)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], GENUINE.stroke_width(3)));
    // The target, drawn only over the weeks it is in force.
    let target: Vec<(f64, f64)> = p
        .weekly
        .iter()
        .filter(|r| r.target_active)
        .map(|r| (r.week as f64, r.target_share))
        .collect();
    if !target.is_empty() {
        let share = target[0].1;
        chart
            .draw_series(DashedLineSeries::new(target, 10, 6, ACCENT.stroke_width(2)))
            .map_err(&err)?
            .label(format!("target ({})", percent(share)))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], ACCENT.stroke_width(2)));
    }
    legend(&mut chart, SeriesLabelPosition::LowerRight).map_err(&err)?;
    root.present().map_err(&err)?;
    Ok(())
}
