//! comparison.png: for each headline figure with a direction, every scenario's paired difference
//! from the baseline with its 95% interval (scenarios sorted, better to the right); below, the
//! weekly padding share, genuine activity and token cost of every scenario on shared axes, each
//! with its band over replications.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{FONT, GREY, chart_err, register_fonts, usd};
use crate::compare::stats::Better;
use crate::compare::{Compare, Comparison};
use crate::projections::figures::Unit;
use crate::report::ReportError;
use crate::report::compare::{Band, SERIES, Series};

/// Size of comparison.png.
pub const COMPARE_SIZE: (u32, u32) = (1500, 1250);
/// Text and panel-title sizes: report.html shows the chart in a column 1,072 px wide, so 17 px
/// of this 1,500-px canvas read as 12 px there (the smallest text any chart shows).
const TEXT: u32 = 17;
const TITLE: u32 = 21;

/// Colours of scenarios, in order (cycled beyond eight).
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(23, 190, 207),
];

type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;

pub fn draw(
    path: &Path,
    c: &Compare,
    cmp: &Comparison,
    bands: &[Vec<Band>],
) -> Result<(), ReportError> {
    register_fonts();
    let err = chart_err(path);
    let root = BitMapBackend::new(path, COMPARE_SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(&err)?;
    let (title, body) = root.split_vertically(50);
    title
        .draw(&Text::new(
            format!(
                "Policies compared with {}: paired differences (95% intervals) over {} replications",
                c.scenarios[c.baseline].name, c.replications
            ),
            (20, 14),
            (FONT, 22),
        ))
        .map_err(&err)?;
    let panels = body.split_evenly((3, 3));
    let directional: Vec<_> = c
        .figures()
        .into_iter()
        .filter(|f| f.better != Better::Neither)
        .take(6)
        .collect();
    for (area, fig) in panels.iter().zip(&directional) {
        diff_panel(area, c, cmp, fig.name, fig.label, path)?;
    }
    for (k, (series, per_scenario)) in SERIES.iter().zip(bands).enumerate() {
        band_panel(&panels[6 + k], c, series, per_scenario, k == 0, path)?;
    }
    root.present().map_err(&err)?;
    Ok(())
}

/// An axis or point label: dollars, points (with enough decimals for the panel's `span`) or a
/// count.
fn fmt_value(name: &str, v: f64, span: f64) -> String {
    let unit = Unit::of(name);
    if unit == Unit::Usd {
        usd(v)
    } else if unit.is_share() {
        let decimals = if span * 100.0 >= 5.0 {
            1
        } else if span * 100.0 >= 0.5 {
            2
        } else {
            3
        };
        format!("{:+.*} pts", decimals, v * 100.0)
    } else {
        format!("{v:+.0}")
    }
}

/// One figure's paired differences from the baseline, scenarios sorted by their mean difference.
fn diff_panel(
    area: &Area,
    c: &Compare,
    cmp: &Comparison,
    name: &str,
    label: &str,
    path: &Path,
) -> Result<(), ReportError> {
    let err = chart_err(path);
    let mut rows: Vec<(usize, f64, f64, f64)> = (0..c.scenarios.len())
        .filter(|s| *s != c.baseline)
        .filter_map(|s| {
            cmp.row(s, name)
                .and_then(|r| r.diff)
                .map(|d| (s, d.mean, d.ci_low, d.ci_high))
        })
        .collect();
    rows.sort_by(|a, b| a.1.total_cmp(&b.1));
    let span = rows
        .iter()
        .flat_map(|r| [r.1, r.2, r.3])
        .filter(|v| v.is_finite())
        .fold(0.0f64, |m, v| m.max(v.abs()))
        .max(1e-9)
        * 1.15;
    let n = rows.len().max(1) as f64;
    let mut ch = ChartBuilder::on(area)
        .margin(12)
        .caption(format!("{label}: difference"), (FONT, TITLE))
        .x_label_area_size(40)
        .y_label_area_size(10)
        .build_cartesian_2d(-span..span, -0.5..n - 0.5)
        .map_err(&err)?;
    ch.configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(5)
        .x_label_formatter(&|v| fmt_value(name, *v, span))
        .label_style((FONT, TEXT))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(&err)?;
    ch.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, -0.5), (0.0, n - 0.5)],
        GREY.stroke_width(1),
    )))
    .map_err(&err)?;
    for (k, (s, mean, lo, hi)) in rows.iter().enumerate() {
        let y = k as f64;
        let color = PALETTE[*s % PALETTE.len()];
        if lo.is_finite() && hi.is_finite() {
            ch.draw_series(std::iter::once(PathElement::new(
                vec![(*lo, y), (*hi, y)],
                color.stroke_width(3),
            )))
            .map_err(&err)?;
        }
        ch.draw_series(std::iter::once(Circle::new((*mean, y), 5, color.filled())))
            .map_err(&err)?;
        ch.draw_series(std::iter::once(Text::new(
            format!("{}  {}", c.scenarios[*s].name, fmt_value(name, *mean, span)),
            (-span * 0.97, y + 0.28),
            (FONT, TEXT).into_font(),
        )))
        .map_err(&err)?;
    }
    Ok(())
}

/// One weekly series of every scenario with its band over replications.
fn band_panel(
    area: &Area,
    c: &Compare,
    series: &Series,
    per_scenario: &[Band],
    with_legend: bool,
    path: &Path,
) -> Result<(), ReportError> {
    let err = chart_err(path);
    let weeks = per_scenario
        .iter()
        .map(|b| b.mean.len())
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let top = bands_top(per_scenario);
    let (label, money) = (series.label, series.unit == Unit::Usd);
    let mut ch = ChartBuilder::on(area)
        .margin(12)
        .caption(label, (FONT, TITLE))
        .x_label_area_size(40)
        .y_label_area_size(80)
        .build_cartesian_2d(0f64..weeks, 0f64..top)
        .map_err(&err)?;
    ch.configure_mesh()
        .x_desc("week")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| {
            if money { usd(*v) } else { percent(*v, top) }
        })
        .label_style((FONT, TEXT))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(&err)?;
    for (s, b) in per_scenario.iter().enumerate() {
        let color = PALETTE[s % PALETTE.len()];
        ch.draw_series(std::iter::once(Polygon::new(
            band_polygon(b),
            color.mix(0.18).filled(),
        )))
        .map_err(&err)?;
        let line = ch
            .draw_series(LineSeries::new(
                b.mean.iter().enumerate().map(|(w, v)| (w as f64, *v)),
                color.stroke_width(2),
            ))
            .map_err(&err)?;
        if with_legend {
            line.label(c.scenarios[s].name.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2))
                });
        }
    }
    if with_legend {
        ch.configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(GREY)
            .label_font((FONT, TEXT))
            .draw()
            .map_err(&err)?;
    }
    Ok(())
}

/// A share on an axis whose top is `top`, with the decimals its ticks need to differ (a padding
/// share of 0.3% is not "0%").
fn percent(v: f64, top: f64) -> String {
    let decimals = if top >= 0.05 {
        0
    } else if top >= 0.005 {
        1
    } else {
        2
    };
    format!("{:.*}%", decimals, v * 100.0)
}

/// The top of the bands' y axis: the highest finite band value (at least 1e-9), plus a tenth.
fn bands_top(per_scenario: &[Band]) -> f64 {
    per_scenario
        .iter()
        .flat_map(|b| b.high.iter().copied())
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max)
        .max(1e-9)
        * 1.1
}

/// A band as a polygon over weeks: along its high edge, then back along its low edge.
fn band_polygon(b: &Band) -> Vec<(f64, f64)> {
    let mut poly: Vec<(f64, f64)> = b
        .high
        .iter()
        .enumerate()
        .map(|(w, v)| (w as f64, *v))
        .collect();
    poly.extend(b.low.iter().enumerate().rev().map(|(w, v)| (w as f64, *v)));
    poly
}

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn small_shares_keep_the_decimals_that_tell_their_ticks_apart() {
        assert_eq!(percent(0.3, 0.8), "30%");
        assert_eq!(percent(0.003, 0.0045), "0.30%");
        assert_eq!(percent(0.012, 0.03), "1.2%");
    }
}
