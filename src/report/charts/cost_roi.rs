//! cost_roi.png: weekly token cost, the annual cost per employee against the "half the salary in
//! tokens" benchmark, the headline net value per week beside the hidden costs, and weekly ROI
//! (value of the output gain per token dollar, which misleads on its own).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    ACCENT, Bands, FONT, GENUINE, GREY, chart_err, draw_band, draw_marks, subtitle, usd, week_mesh,
    weekly_top,
};
use crate::projections::Projections;
use crate::report::ReportError;

/// The benchmark share of salary spent on tokens (Nvidia CEO, 2026: half the salary).
pub const HALF_SALARY: f64 = 0.5;

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
    let (title, body) = root.split_vertically(50);
    title
        .draw(&Text::new(
            format!("Net value, token cost and return  ({})", subtitle(p)),
            (20, 12),
            (FONT, 22),
        ))
        .map_err(&err)?;
    let (upper, lower) = body.split_vertically(370);
    let (cost_area, bench_area) = upper.split_horizontally(850);

    // Weekly cost.
    let band_top = bands.cost_usd.iter().fold(0.0f64, |m, b| m.max(b.1));
    let cost_top = weekly_top(p, |r| r.cost_usd, 1.25).max(band_top * 1.25);
    let mut cost = ChartBuilder::on(&cost_area)
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(80)
        .build_cartesian_2d(0f64..weeks, 0f64..cost_top)
        .map_err(&err)?;
    week_mesh(&mut cost, "token cost per week", &|v| usd(*v), 15).map_err(&err)?;
    draw_marks(
        &mut cost,
        &p.policy_marks,
        0.0,
        |k| cost_top * (0.97 - 0.07 * (k % 3) as f64),
        cost_top,
    )
    .map_err(&err)?;
    draw_band(&mut cost, &bands.cost_usd, GENUINE).map_err(&err)?;
    cost.draw_series(LineSeries::new(
        p.weekly.iter().map(|r| (r.week as f64, r.cost_usd)),
        GENUINE.stroke_width(3),
    ))
    .map_err(&err)?;

    draw_benchmark(&bench_area, p, path)?;

    let (net_area, roi_area) = lower.split_horizontally(850);
    draw_net_value(&net_area, p, &bands.net_value_usd, path)?;
    draw_roi(&roi_area, p, path)?;
    root.present().map_err(&err)?;
    Ok(())
}

/// The headline: net value per week (delivered value gained minus token cost), with the hidden
/// costs (rework, bot noise, padding time, incidents, escaped defects) that are already out of it.
fn draw_net_value<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    p: &Projections,
    band: &[(f64, f64)],
    path: &Path,
) -> Result<(), ReportError> {
    let err = chart_err(path);
    let unit = p.summary.output_unit_usd;
    let weeks = p.weekly.len().max(1) as f64;
    let hidden = |r: &crate::projections::WeeklyRow| {
        (r.rework_cost
            + r.noise_cost
            + r.padding_time_cost
            + r.incident_cost
            + r.delivery.quality_cost)
            * unit
    };
    let (lo, hi) = p.weekly.iter().fold((0.0f64, 1.0f64), |(lo, hi), r| {
        let v = [r.net_value_usd, hidden(r)];
        (lo.min(v[0]).min(v[1]), hi.max(v[0]).max(v[1]))
    });
    let (lo, hi) = band
        .iter()
        .fold((lo, hi), |(lo, hi), b| (lo.min(b.0), hi.max(b.1)));
    let pad = (hi - lo).max(1.0) * 0.12;
    // The key is the caption (a legend box would cover the policy labels or a line).
    let mut c = ChartBuilder::on(area)
        .margin(15)
        .caption(
            "Net value per week (blue): value gained minus token cost.  Hidden costs already out of it (red): rework, bot noise, padding time, incidents, escaped defects",
            (FONT, 14),
        )
        .x_label_area_size(45)
        .y_label_area_size(80)
        .build_cartesian_2d(0f64..weeks, (lo - pad)..(hi + pad))
        .map_err(&err)?;
    week_mesh(&mut c, "US dollars per week", &|v| usd(*v), 15).map_err(&err)?;
    let top = hi + pad;
    draw_marks(
        &mut c,
        &p.policy_marks,
        lo - pad,
        |k| top - (hi - lo) * (0.03 + 0.07 * (k % 3) as f64),
        top,
    )
    .map_err(&err)?;
    c.draw_series(DashedLineSeries::new(
        vec![(0.0, 0.0), (weeks, 0.0)],
        8,
        6,
        GREY.stroke_width(1),
    ))
    .map_err(&err)?;
    draw_band(&mut c, band, GENUINE).map_err(&err)?;
    c.draw_series(LineSeries::new(
        p.weekly.iter().map(|r| (r.week as f64, r.net_value_usd)),
        GENUINE.stroke_width(3),
    ))
    .map_err(&err)?;
    c.draw_series(LineSeries::new(
        p.weekly.iter().map(|r| (r.week as f64, hidden(r))),
        ACCENT.stroke_width(2),
    ))
    .map_err(&err)?;
    Ok(())
}

/// Weekly ROI with the break-even line.
fn draw_roi<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    p: &Projections,
    path: &Path,
) -> Result<(), ReportError> {
    let err = chart_err(path);
    let weeks = p.weekly.len().max(1) as f64;
    let roi: Vec<(f64, f64)> = p
        .weekly
        .iter()
        .filter_map(|r| r.roi.map(|v| (r.week as f64, v)))
        .collect();
    let (lo, hi) = roi
        .iter()
        .fold((0.0f64, 1.0f64), |(lo, hi), &(_, v)| (lo.min(v), hi.max(v)));
    let mut rc = ChartBuilder::on(area)
        .margin(15)
        .caption("ROI (misleads alone)", (FONT, 16))
        .x_label_area_size(45)
        .y_label_area_size(55)
        .build_cartesian_2d(0f64..weeks, (lo * 1.1)..(hi * 1.15))
        .map_err(&err)?;
    rc.configure_mesh()
        .x_desc("week")
        .x_labels(6)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.0}x"))
        .label_style((FONT, 14))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(&err)?;
    rc.draw_series(DashedLineSeries::new(
        vec![(0.0, 1.0), (weeks, 1.0)],
        8,
        6,
        ACCENT.stroke_width(2),
    ))
    .map_err(&err)?;
    rc.draw_series(LineSeries::new(roi, GENUINE.stroke_width(2)))
        .map_err(&err)?;
    Ok(())
}

/// The annual token cost per employee against the "half the salary in tokens" benchmark.
fn draw_benchmark<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    p: &Projections,
    path: &Path,
) -> Result<(), ReportError> {
    let err = chart_err(path);
    let s = &p.summary;
    let salary = if s.cost_share_of_salary > 0.0 {
        s.annual_cost_per_employee_usd / s.cost_share_of_salary
    } else {
        0.0
    };
    let bench = HALF_SALARY * salary;
    let bars = [
        ("this run", s.annual_cost_per_employee_usd, GENUINE),
        ("half salary", bench, GREY),
    ];
    let bar_top = bars.iter().map(|b| b.1).fold(1.0f64, f64::max) * 1.2;
    let mut bc = ChartBuilder::on(area)
        .margin(15)
        .caption("annual cost per employee", (FONT, 16))
        .x_label_area_size(30)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..2f64, 0f64..bar_top)
        .map_err(&err)?;
    bc.configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_label_formatter(&|v| usd(*v))
        .label_style((FONT, 14))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(&err)?;
    for (k, (label, v, color)) in bars.iter().enumerate() {
        let x = k as f64;
        bc.draw_series(std::iter::once(Rectangle::new(
            [(x + 0.15, 0.0), (x + 0.85, *v)],
            color.mix(0.8).filled(),
        )))
        .map_err(&err)?;
        bc.draw_series(std::iter::once(Text::new(
            format!("{label}: {}", usd(*v)),
            (x + 0.1, (*v + bar_top * 0.03).min(bar_top * 0.95)),
            (FONT, 14).into_font(),
        )))
        .map_err(&err)?;
    }

    Ok(())
}
