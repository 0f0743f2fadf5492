//! incidents.png: bot incidents per week (bars) and bots in existence (line, right axis).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{ACCENT, BOT, FONT, chart_err, draw_marks, legend, subtitle, week_mesh, weekly_top};
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
    let inc_top = weekly_top(p, |r| r.incidents as f64, 1.5);
    let bots_top = weekly_top(p, |r| r.bots_deployed as f64, 1.3);
    root.fill(&WHITE).map_err(&err)?;
    let mut chart = ChartBuilder::on(root)
        .caption(
            format!(
                "Agent incidents: {} in all, {:.1} person-weeks lost  ({})",
                p.summary.incidents,
                p.summary.incident_cost,
                subtitle(p)
            ),
            (FONT, 20),
        )
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .right_y_label_area_size(80)
        .build_cartesian_2d(0f64..weeks, 0f64..inc_top)
        .map_err(&err)?
        .set_secondary_coord(0f64..weeks, 0f64..bots_top);
    week_mesh(&mut chart, "incidents per week", &|v| format!("{v:.0}"), 16).map_err(&err)?;
    chart
        .configure_secondary_axes()
        .y_desc("bots deployed")
        .y_label_formatter(&|v| format!("{v:.0}"))
        .label_style((FONT, 16))
        .axis_desc_style((FONT, 18))
        .draw()
        .map_err(&err)?;
    draw_marks(
        &mut chart,
        &p.policy_marks,
        0.0,
        |k| inc_top * (0.84 - 0.04 * (k % 3) as f64),
        inc_top,
    )
    .map_err(&err)?;
    chart
        .draw_series(p.weekly.iter().map(|r| {
            let x = r.week as f64;
            Rectangle::new(
                [(x + 0.1, 0.0), (x + 0.9, r.incidents as f64)],
                ACCENT.mix(0.7).filled(),
            )
        }))
        .map_err(&err)?
        .label("incidents (unintended bot actions)")
        .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 18, y + 6)], ACCENT.mix(0.7).filled()));
    chart
        .draw_secondary_series(LineSeries::new(
            p.weekly
                .iter()
                .map(|r| (r.week as f64 + 0.5, r.bots_deployed as f64)),
            BOT.stroke_width(3),
        ))
        .map_err(&err)?
        .label("bots deployed (right axis)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BOT.stroke_width(3)));
    legend(&mut chart, SeriesLabelPosition::UpperLeft).map_err(&err)?;
    root.present().map_err(&err)?;
    Ok(())
}
