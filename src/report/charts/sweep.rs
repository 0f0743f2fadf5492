//! Sweep charts: `points.png` (padding share and output uplift per point, with 95% intervals)
//! always; `lines.png` (each chosen figure against the one varied parameter, with 95% bands) when
//! one numeric parameter varies; `heatmap.png` (each chosen figure's mean over the grid) when two do.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{ACCENT, FONT, GENUINE, PADDING, SIZE, chart_err, register_fonts};
use crate::projections::figures::Fig;
use crate::report::ReportError;
use crate::sweep::aggregate::{PointStats, Stat};
use crate::sweep::spec::{render_value, value_number};
use crate::sweep::{Sweep, figure_names};

fn index_of(name: &str) -> usize {
    figure_names()
        .iter()
        .position(|n| *n == name)
        .expect("a known figure")
}

/// The charts a sweep draws, in order: points.png always, lines.png when one numeric parameter
/// varies, heatmap.png when two do.
pub fn files(sweep: &Sweep, stats: &[PointStats]) -> Vec<&'static str> {
    let mut files = vec!["points.png"];
    let numeric = |k: usize| stats.iter().all(|s| value_number(&s.values[k]).is_some());
    if sweep.parameters.len() == 1 && numeric(0) {
        files.push("lines.png");
    }
    if sweep.parameters.len() == 2 {
        files.push("heatmap.png");
    }
    files
}

/// Draw the sweep's chart `file` (one of [`files`]) as the PNG `path`.
pub fn draw(
    file: &str,
    path: &Path,
    sweep: &Sweep,
    stats: &[PointStats],
) -> Result<(), ReportError> {
    register_fonts();
    match file {
        "points.png" => points(path, sweep, stats),
        "lines.png" => lines(path, sweep, stats),
        "heatmap.png" => heatmap(path, sweep, stats),
        other => panic!("`{other}` is not a sweep chart (a bug)"),
    }
}

fn fmt_value(figure: &str, v: f64) -> String {
    if crate::projections::figures::Unit::of(figure).is_share() {
        format!("{:.1}%", v * 100.0)
    } else {
        crate::projections::summary::count(v).replace(".0", "")
    }
}

/// A drawing area of a bitmap.
type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;
/// A drawing error of a bitmap chart.
type DrawError = DrawingAreaErrorKind<<BitMapBackend<'static> as DrawingBackend>::ErrorType>;

/// Fill the canvas white, draw `title` at the top, and return the area below it.
fn titled<'a>(root: &Area<'a>, title: String) -> Result<Area<'a>, DrawError> {
    root.fill(&WHITE)?;
    let (head, body) = root.split_vertically(50);
    head.draw(&Text::new(title, (20, 12), (FONT, 18)))?;
    Ok(body)
}

/// The low end of a statistic's band: its interval's, else its mean.
fn band_lo(x: &Stat) -> f64 {
    if x.ci_low.is_finite() {
        x.ci_low
    } else {
        x.mean
    }
}

/// The high end of a statistic's band: its interval's, else its mean.
fn band_hi(x: &Stat) -> f64 {
    if x.ci_high.is_finite() {
        x.ci_high
    } else {
        x.mean
    }
}

/// `points.png`: padding share and output uplift per point, with 95% intervals.
fn points(path: &Path, sweep: &Sweep, stats: &[PointStats]) -> Result<(), ReportError> {
    let err = chart_err(path);
    let root = BitMapBackend::new(path, SIZE).into_drawing_area();
    let body = titled(
        &root,
        format!("{}: padding share and output uplift per point (mean, 95% CI; points.csv lists the values)", sweep.name),
    )
    .map_err(&err)?;
    for (area, (figure, color)) in body.split_evenly((2, 1)).iter().zip([
        (Fig::padding_share.name(), PADDING),
        (Fig::output_uplift.name(), GENUINE),
    ]) {
        points_panel(area, figure, color, stats).map_err(&err)?;
    }
    root.present().map_err(&err)?;
    Ok(())
}

/// One figure's panel of `points.png`: a bar per point at its mean, a whisker for its interval.
fn points_panel(
    area: &Area,
    figure: &str,
    color: RGBColor,
    stats: &[PointStats],
) -> Result<(), DrawError> {
    let n = stats.len() as f64;
    let f = index_of(figure);
    let s: Vec<&Stat> = stats.iter().map(|p| &p.stats[f]).collect();
    let hi = s
        .iter()
        .map(|x| band_hi(x))
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max)
        .max(1e-6)
        * 1.15;
    let lo = s
        .iter()
        .map(|x| band_lo(x))
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::min);
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(35)
        .y_label_area_size(80)
        .build_cartesian_2d(-0.5f64..n - 0.5, lo..hi)?;
    chart
        .configure_mesh()
        .x_desc("point")
        .y_desc(figure)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 16))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    chart.draw_series(
        s.iter()
            .enumerate()
            .filter(|(_, x)| x.mean.is_finite())
            .map(|(i, x)| {
                Rectangle::new(
                    [(i as f64 - 0.35, 0.0), (i as f64 + 0.35, x.mean)],
                    color.mix(0.8).filled(),
                )
            }),
    )?;
    chart.draw_series(
        s.iter()
            .enumerate()
            .filter(|(_, x)| x.ci_low.is_finite())
            .map(|(i, x)| {
                PathElement::new(
                    vec![(i as f64, x.ci_low), (i as f64, x.ci_high)],
                    BLACK.stroke_width(2),
                )
            }),
    )?;
    Ok(())
}

/// `lines.png`: each chosen figure against the one varied (numeric) parameter, with 95% bands.
fn lines(path: &Path, sweep: &Sweep, stats: &[PointStats]) -> Result<(), ReportError> {
    let err = chart_err(path);
    let root = BitMapBackend::new(path, SIZE).into_drawing_area();
    let param = &sweep.parameters[0].0;
    let body = titled(
        &root,
        format!(
            "{}: figures against {param} (mean and 95% band, {} replications)",
            sweep.name, sweep.replications
        ),
    )
    .map_err(&err)?;
    let mut order: Vec<&PointStats> = stats.iter().collect();
    order.sort_by(|a, b| x_of(a).total_cmp(&x_of(b)));
    let xs: Vec<f64> = order.iter().map(|p| x_of(p)).collect();
    let panels = body.split_evenly((sweep.figures.len().div_ceil(2), 2.min(sweep.figures.len())));
    for (area, figure) in panels.iter().zip(&sweep.figures) {
        let f = index_of(figure);
        let s: Vec<Stat> = order.iter().map(|p| p.stats[f]).collect();
        line_panel(area, figure, param, &xs, &s).map_err(&err)?;
    }
    root.present().map_err(&err)?;
    Ok(())
}

/// A point's value of the one varied parameter, as a number (0 if it is not one).
fn x_of(p: &PointStats) -> f64 {
    value_number(&p.values[0]).unwrap_or(0.0)
}

/// The y range of a figure's bands, widened by a tenth each way ((0, 1) without any).
fn bands_range(s: &[Stat]) -> (f64, f64) {
    let vals: Vec<f64> = s
        .iter()
        .flat_map(|x| [band_lo(x), band_hi(x)])
        .filter(|v| v.is_finite())
        .collect();
    let (lo, hi) = vals
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
    if lo.is_finite() {
        (lo - (hi - lo) * 0.1 - 1e-9, hi + (hi - lo) * 0.1 + 1e-9)
    } else {
        (0.0, 1.0)
    }
}

/// One figure's panel of `lines.png`: its band, mean line and points over the sorted `xs`.
fn line_panel(
    area: &Area,
    figure: &str,
    param: &str,
    xs: &[f64],
    s: &[Stat],
) -> Result<(), DrawError> {
    let (x_lo, x_hi) = (xs[0], xs[xs.len() - 1]);
    let pad = ((x_hi - x_lo) * 0.05).max(1e-9);
    let (lo, hi) = bands_range(s);
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .caption(figure, (FONT, 16))
        .x_label_area_size(30)
        .y_label_area_size(70)
        .build_cartesian_2d((x_lo - pad)..(x_hi + pad), lo..hi)?;
    chart
        .configure_mesh()
        .x_desc(param)
        .x_label_formatter(&|v| format!("{v:.2}"))
        .y_label_formatter(&|v| fmt_value(figure, *v))
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 14))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    let mut band: Vec<(f64, f64)> = xs.iter().zip(s).map(|(x, st)| (*x, band_hi(st))).collect();
    band.extend(xs.iter().zip(s).rev().map(|(x, st)| (*x, band_lo(st))));
    chart.draw_series(std::iter::once(Polygon::new(band, ACCENT.mix(0.2))))?;
    chart.draw_series(LineSeries::new(
        xs.iter().zip(s).map(|(x, st)| (*x, st.mean)),
        ACCENT.stroke_width(3),
    ))?;
    chart.draw_series(
        xs.iter()
            .zip(s)
            .map(|(x, st)| Circle::new((*x, st.mean), 4, ACCENT.filled())),
    )?;
    Ok(())
}

/// `heatmap.png`: each chosen figure's mean over the grid of the two varied parameters.
fn heatmap(path: &Path, sweep: &Sweep, stats: &[PointStats]) -> Result<(), ReportError> {
    let err = chart_err(path);
    let root = BitMapBackend::new(path, SIZE).into_drawing_area();
    let (px, py) = (&sweep.parameters[0].0, &sweep.parameters[1].0);
    let body = titled(
        &root,
        format!("{}: mean of each figure over {px} x {py}", sweep.name),
    )
    .map_err(&err)?;
    let grid = Grid {
        x: distinct(stats, 0),
        y: distinct(stats, 1),
        x_name: px,
        y_name: py,
    };
    let panels = body.split_evenly((sweep.figures.len().div_ceil(2), 2.min(sweep.figures.len())));
    for (area, figure) in panels.iter().zip(&sweep.figures) {
        heatmap_panel(area, figure, &grid, stats).map_err(&err)?;
    }
    root.present().map_err(&err)?;
    Ok(())
}

/// The cells of a heatmap: each parameter's distinct rendered values, in order of appearance.
struct Grid<'a> {
    x: Vec<String>,
    y: Vec<String>,
    x_name: &'a str,
    y_name: &'a str,
}

impl Grid<'_> {
    /// The cell (column, row) of a point.
    fn cell(&self, p: &PointStats) -> (f64, f64) {
        (
            self.x
                .iter()
                .position(|v| *v == render_value(&p.values[0]))
                .unwrap_or(0) as f64,
            self.y
                .iter()
                .position(|v| *v == render_value(&p.values[1]))
                .unwrap_or(0) as f64,
        )
    }
}

/// The distinct rendered values of parameter `k` over the points, in order of appearance.
fn distinct(stats: &[PointStats], k: usize) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for p in stats {
        let r = render_value(&p.values[k]);
        if !v.contains(&r) {
            v.push(r);
        }
    }
    v
}

/// A cell's colour: from near white at the lowest mean `lo` to red at the highest `hi` (the
/// middle where the mean is undefined or every mean equal).
fn heat_colour(m: f64, lo: f64, hi: f64) -> RGBColor {
    let t = if hi > lo && m.is_finite() {
        (m - lo) / (hi - lo)
    } else {
        0.5
    };
    RGBColor(
        (255.0 - 40.0 * t) as u8,
        (245.0 - 170.0 * t) as u8,
        (235.0 - 200.0 * t) as u8,
    )
}

/// One figure's panel of `heatmap.png`: a coloured cell per point with its mean written in.
fn heatmap_panel(
    area: &Area,
    figure: &str,
    grid: &Grid,
    stats: &[PointStats],
) -> Result<(), DrawError> {
    let f = index_of(figure);
    let (lo, hi) = stats
        .iter()
        .map(|p| p.stats[f].mean)
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    let (xv, yv) = (&grid.x, &grid.y);
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .caption(figure, (FONT, 16))
        .x_label_area_size(30)
        .y_label_area_size(90)
        .build_cartesian_2d(0f64..xv.len() as f64, 0f64..yv.len() as f64)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(grid.x_name)
        .y_desc(grid.y_name)
        .x_labels(xv.len() * 2 + 1)
        .y_labels(yv.len() * 2 + 1)
        .x_label_formatter(&|v| label_at(xv, *v))
        .y_label_formatter(&|v| label_at(yv, *v))
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 14))
        .draw()?;
    for p in stats {
        let (i, j) = grid.cell(p);
        let m = p.stats[f].mean;
        chart.draw_series(std::iter::once(Rectangle::new(
            [(i, j), (i + 1.0, j + 1.0)],
            heat_colour(m, lo, hi).filled(),
        )))?;
        chart.draw_series(std::iter::once(Text::new(
            if m.is_finite() {
                fmt_value(figure, m)
            } else {
                "n/a".into()
            },
            (i + 0.3, j + 0.55),
            (FONT, 14).into_font(),
        )))?;
    }
    Ok(())
}

/// The category label at the centre of cell k (ticks fall on half cells).
fn label_at(labels: &[String], v: f64) -> String {
    let k = v - 0.5;
    if (k - k.round()).abs() < 1e-6 && k >= 0.0 && (k.round() as usize) < labels.len() {
        let l = &labels[k.round() as usize];
        if l.len() > 22 {
            format!("{}...", &l[..20])
        } else {
            l.clone()
        }
    } else {
        String::new()
    }
}
