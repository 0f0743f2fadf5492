//! value_of_information.png of `tokenmaxx compare` with priors: one horizontal bar per uncertain
//! parameter, its EVPPI for the choice (USD per employee-year), the most valuable on top, and
//! the EVPI (everything known, seed noise included) as a dashed line.

use std::path::Path;

use plotters::prelude::*;

use super::explore::headed;
use super::{ACCENT, FONT, GENUINE, SIZE, chart_err, register_fonts};
use crate::report::ReportError;

/// Draw the chart of `evppi` (one value per parameter, by `names`) and `evpi`.
pub fn draw(
    path: &Path,
    names: &[&str],
    evppi: &[f64],
    evpi: f64,
    samples: usize,
) -> Result<(), ReportError> {
    register_fonts();
    let err = chart_err(path);
    let mut order: Vec<usize> = (0..evppi.len()).collect();
    order.sort_by(|&a, &b| evppi[b].total_cmp(&evppi[a]));
    let n = order.len().max(1);
    let hi = evppi.iter().copied().fold(evpi.max(1.0), f64::max) * 1.1;
    let height = SIZE.1.max(160 + 44 * n as u32);
    let root = BitMapBackend::new(path, (SIZE.0, height)).into_drawing_area();
    root.fill(&WHITE).map_err(&err)?;
    let body = headed(
        &root,
        "What to measure first: the value of knowing each parameter",
        &format!(
            "EVPPI of the choice on net value per employee-year (regression method, {samples} replications); dashed: EVPI {}",
            dollars(evpi)
        ),
    )
    .map_err(&err)?;
    let mut chart = ChartBuilder::on(&body)
        .margin(20)
        .x_label_area_size(44)
        .y_label_area_size(10)
        .build_cartesian_2d(0f64..hi, 0f64..n as f64)
        .map_err(&err)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_desc("USD per employee-year")
        .x_label_formatter(&|v| format!("${v:.0}"))
        .label_style((FONT, 15))
        .axis_desc_style((FONT, 16))
        .draw()
        .map_err(&err)?;
    for (rank, &j) in order.iter().enumerate() {
        let base = (n - 1 - rank) as f64;
        chart
            .draw_series([Rectangle::new(
                [(0.0, base + 0.1), (evppi[j].max(0.0), base + 0.5)],
                GENUINE.mix(0.85).filled(),
            )])
            .map_err(&err)?;
        chart
            .draw_series([Text::new(
                format!("{}  {}", names[j], dollars(evppi[j])),
                (0.01 * hi, base + 0.95),
                (FONT, 15),
            )])
            .map_err(&err)?;
    }
    if evpi.is_finite() {
        chart
            .draw_series(DashedLineSeries::new(
                [(evpi, 0.0), (evpi, n as f64)],
                8,
                6,
                ACCENT.stroke_width(2),
            ))
            .map_err(&err)?;
    }
    root.present().map_err(&err)?;
    Ok(())
}

/// Dollars with cents under $10 (small values of information are common and not zero).
fn dollars(v: f64) -> String {
    if v.abs() < 10.0 {
        format!("${v:.2}")
    } else {
        format!("${v:.0}")
    }
}
