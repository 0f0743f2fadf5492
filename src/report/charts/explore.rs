//! Exploration charts. Sensitivity: `indices_<figure>.png`, one horizontal bar per parameter,
//! sorted with the most influential on top, with 95% bootstrap intervals. Calibration:
//! `loss.png` (every candidate's loss and the best so far, over evaluations) and `fit.png`
//! (per target, each candidate's simulated value against the target and its tolerance band).

use std::path::Path;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::{ACCENT, FONT, GENUINE, GREY, PADDING, SIZE, chart_err, legend, register_fonts};
use crate::explore::calibrate::{Calibration, Candidate, Target};
use crate::explore::sensitivity::{Index, IndexRow};
use crate::report::ReportError;

/// Fill the canvas white, draw a title and a grey subtitle, and return the area below them.
pub(super) fn headed<'a>(
    root: &DrawingArea<BitMapBackend<'a>, Shift>,
    title: &str,
    subtitle: &str,
) -> Result<
    DrawingArea<BitMapBackend<'a>, Shift>,
    DrawingAreaErrorKind<<BitMapBackend<'a> as DrawingBackend>::ErrorType>,
> {
    let (head, body) = root.split_vertically(60);
    head.draw(&Text::new(title.to_string(), (20, 8), (FONT, 22)))?;
    head.draw(&Text::new(
        subtitle.to_string(),
        (20, 36),
        (FONT, 15).into_font().color(&GREY),
    ))?;
    Ok(body)
}

/// A tick label with as many decimals as its size needs.
fn tick(v: &f64) -> String {
    match v.abs() {
        a if a >= 100.0 => format!("{v:.0}"),
        a if a >= 1.0 => format!("{v:.2}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string(),
        _ => format!("{v:.3}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string(),
    }
}

/// The chart file of one figure's indices.
pub fn indices_file(figure: &str) -> String {
    format!("indices_{figure}.png")
}

/// The sort key and (low, high) extent of one row's bars.
fn key_and_extent(r: &IndexRow) -> (f64, f64, f64) {
    let finite = |v: f64| if v.is_finite() { v } else { 0.0 };
    match r.index {
        Index::Morris(m) => (
            finite(r.influence()),
            0.0,
            finite(m.mu_star_ci.1)
                .max(finite(m.sigma))
                .max(finite(m.mu_star)),
        ),
        Index::Sobol(s) => (
            finite(r.influence()),
            finite(s.first_ci.0).min(finite(s.total_ci.0)).min(0.0),
            finite(s.first_ci.1)
                .max(finite(s.total_ci.1))
                .max(finite(s.total)),
        ),
    }
}

/// An x-y chart of `f64` coordinates on a bitmap.
type XyChart<'a, 'b> =
    ChartContext<'a, BitMapBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;
/// A drawing error of a bitmap chart.
type DrawError = DrawingAreaErrorKind<<BitMapBackend<'static> as DrawingBackend>::ErrorType>;

/// Bars of one figure's indices (`rows`: that figure's rows, one per parameter).
pub fn indices(
    path: &Path,
    name: &str,
    figure: &str,
    rows: &[&IndexRow],
) -> Result<(), ReportError> {
    register_fonts();
    let err = chart_err(path);
    let mut sorted: Vec<&IndexRow> = rows.to_vec();
    sorted.sort_by(|a, b| key_and_extent(b).0.total_cmp(&key_and_extent(a).0));
    let n = sorted.len();
    let (lo, hi) = bars_extent(&sorted);
    let span = hi - lo;
    let morris = matches!(sorted.first().map(|r| &r.index), Some(Index::Morris(_)));
    let height = (SIZE.1).max(160 + 70 * n as u32);
    let root = BitMapBackend::new(path, (SIZE.0, height)).into_drawing_area();
    root.fill(&WHITE).map_err(&err)?;
    let what = if morris {
        "Morris screening: mu* (mean |elementary effect| over the parameter's range), 95% bootstrap CI; sigma = spread"
    } else {
        "Sobol indices: first order S1 and total ST, 95% bootstrap CI"
    };
    let body = headed(&root, &(format!("{name}: what drives {figure}")), what).map_err(&err)?;
    let mut chart = ChartBuilder::on(&body)
        .margin(20)
        .x_label_area_size(40)
        .y_label_area_size(10)
        .build_cartesian_2d((lo - 0.03 * span)..(hi + 0.08 * span), 0f64..n as f64)
        .map_err(&err)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_desc(if morris {
            format!("effect on {figure} (units of {figure} per full range)")
        } else {
            "share of the variance of ".to_string() + figure
        })
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 16))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(&err)?;
    let x0 = lo - 0.02 * span;
    for (rank, r) in sorted.iter().enumerate() {
        // Top row = most influential; each parameter owns one unit of height.
        let base = (n - 1 - rank) as f64;
        index_row(&mut chart, r, base, x0).map_err(&err)?;
    }
    index_legend_entries(&mut chart, morris).map_err(&err)?;
    legend(&mut chart, SeriesLabelPosition::LowerRight).map_err(&err)?;
    root.present().map_err(&err)?;
    Ok(())
}

/// The x extent of every row's bars and intervals: (low, at most 0; high, above 0).
fn bars_extent(rows: &[&IndexRow]) -> (f64, f64) {
    let lo = rows
        .iter()
        .map(|r| key_and_extent(r).1)
        .fold(0.0f64, f64::min);
    let hi = rows
        .iter()
        .map(|r| key_and_extent(r).2)
        .fold(0.0f64, f64::max)
        .max(1e-9);
    (lo, hi)
}

/// A horizontal 95% interval at height `y`.
fn whisker(x0: f64, x1: f64, y: f64) -> PathElement<(f64, f64)> {
    PathElement::new(vec![(x0, y), (x1, y)], BLACK.stroke_width(2))
}

/// One parameter's row, in the unit of height above `base`: its name at `x0`, then its
/// Morris bar (mu*, interval, sigma as a cross) or its Sobol bars (total and first order).
fn index_row(chart: &mut XyChart, r: &IndexRow, base: f64, x0: f64) -> Result<(), DrawError> {
    chart.draw_series(std::iter::once(Text::new(
        r.parameter.clone(),
        (x0, base + 0.92),
        (FONT, 15),
    )))?;
    match r.index {
        Index::Morris(m) => {
            let y = base + 0.3;
            chart.draw_series([Rectangle::new(
                [(0.0, base + 0.08), (m.mu_star, base + 0.52)],
                GENUINE.mix(0.85).filled(),
            )])?;
            if m.mu_star_ci.0.is_finite() {
                chart.draw_series([whisker(m.mu_star_ci.0, m.mu_star_ci.1, y)])?;
            }
            if m.sigma.is_finite() {
                chart.draw_series([Cross::new((m.sigma, y), 7, ACCENT.stroke_width(3))])?;
            }
        }
        Index::Sobol(s) => {
            for (v, ci, y0, color) in [
                (s.total, s.total_ci, base + 0.06, PADDING),
                (s.first, s.first_ci, base + 0.34, GENUINE),
            ] {
                if !v.is_finite() {
                    continue;
                }
                chart.draw_series([Rectangle::new(
                    [(0.0, y0), (v, y0 + 0.24)],
                    color.mix(0.85).filled(),
                )])?;
                if ci.0.is_finite() {
                    chart.draw_series([whisker(ci.0, ci.1, y0 + 0.12)])?;
                }
            }
        }
    }
    Ok(())
}

/// The legend's entries of an indices chart: empty series carrying the labels.
fn index_legend_entries(chart: &mut XyChart, morris: bool) -> Result<(), DrawError> {
    let entries: Vec<(&str, RGBColor)> = if morris {
        vec![("mu* (bar) with 95% CI", GENUINE)]
    } else {
        vec![("first order S1", GENUINE), ("total ST", PADDING)]
    };
    for (label, color) in entries {
        chart
            .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())?
            .label(label)
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], color.filled()));
    }
    if morris {
        chart
            .draw_series(std::iter::empty::<Cross<(f64, f64), i32>>())?
            .label("sigma (spread of the effects)")
            .legend(|(x, y)| Cross::new((x + 8, y), 6, ACCENT.stroke_width(3)));
    }
    Ok(())
}

/// `loss.png`: every candidate's loss (log scale) over evaluations, and the best so far.
pub fn loss(path: &Path, cal: &Calibration, candidates: &[Candidate]) -> Result<(), ReportError> {
    register_fonts();
    let err = chart_err(path);
    let ok: Vec<&Candidate> = candidates.iter().filter(|c| c.loss.is_finite()).collect();
    let (lo, hi) = loss_range(&ok);
    let root = BitMapBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(&err)?;
    let failed = candidates.len() - ok.len();
    let body = headed(
        &root,
        &(format!(
            "{}: loss of each candidate over the calibration",
            cal.common.name
        )),
        &(format!(
            "sum of weight x ((simulated - target) / tolerance)^2 over {} targets; {} candidates{}",
            cal.targets.len(),
            candidates.len(),
            if failed > 0 {
                format!(", {failed} failed (not shown)")
            } else {
                String::new()
            }
        )),
    )
    .map_err(&err)?;
    let mut chart = ChartBuilder::on(&body)
        .margin(20)
        .x_label_area_size(40)
        .y_label_area_size(80)
        .build_cartesian_2d(0f64..candidates.len().max(1) as f64, (lo..hi).log_scale())
        .map_err(&err)?;
    chart
        .configure_mesh()
        .x_desc("evaluation")
        .y_desc("loss (log scale)")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&tick)
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 16))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(&err)?;
    chart
        .draw_series(ok.iter().map(|c| {
            Circle::new(
                (c.index as f64, positive_loss(c.loss)),
                3,
                GREY.mix(0.6).filled(),
            )
        }))
        .map_err(&err)?
        .label("candidate")
        .legend(|(x, y)| Circle::new((x + 8, y), 4, GREY.filled()));
    chart
        .draw_series(LineSeries::new(
            best_so_far(candidates),
            ACCENT.stroke_width(3),
        ))
        .map_err(&err)?
        .label("best so far")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], ACCENT.stroke_width(3)));
    legend(&mut chart, SeriesLabelPosition::UpperRight).map_err(&err)?;
    root.present().map_err(&err)?;
    Ok(())
}

/// A loss drawn on a log scale: at least 1e-6.
fn positive_loss(l: f64) -> f64 {
    l.max(1e-6)
}

/// The y range of the loss chart: the finite losses' range widened by 2 each way, or
/// (1e-3, 1) without any.
fn loss_range(ok: &[&Candidate]) -> (f64, f64) {
    if ok.is_empty() {
        return (1e-3, 1.0);
    }
    let lo = ok
        .iter()
        .map(|c| positive_loss(c.loss))
        .fold(f64::INFINITY, f64::min);
    let hi = ok
        .iter()
        .map(|c| positive_loss(c.loss))
        .fold(0.0f64, f64::max);
    (lo / 2.0, hi * 2.0)
}

/// The best loss so far at each evaluation, from the first finite one on.
fn best_so_far(candidates: &[Candidate]) -> Vec<(f64, f64)> {
    let mut best = f64::INFINITY;
    candidates
        .iter()
        .filter_map(|c| {
            if c.loss < best {
                best = c.loss;
            }
            best.is_finite()
                .then(|| (c.index as f64, positive_loss(best)))
        })
        .collect()
}

/// `fit.png`: one panel per target, each candidate's simulated value over evaluations against
/// the target (line) and its tolerance (band), the best candidate ringed.
pub fn fit(
    path: &Path,
    cal: &Calibration,
    candidates: &[Candidate],
    best: Option<&Candidate>,
) -> Result<(), ReportError> {
    register_fonts();
    let err = chart_err(path);
    let m = cal.targets.len();
    let cols = if m <= 1 { 1 } else { 2 };
    let rows = m.div_ceil(cols);
    let root = BitMapBackend::new(path, (SIZE.0, 80 + 380 * rows as u32)).into_drawing_area();
    root.fill(&WHITE).map_err(&err)?;
    let body = headed(
        &root,
        &(format!(
            "{}: each target's simulated value over the calibration",
            cal.common.name
        )),
        "line: target; band: +- tolerance; dots: candidates; ring: the best candidate",
    )
    .map_err(&err)?;
    for (j, (area, t)) in body
        .split_evenly((rows, cols))
        .iter()
        .zip(&cal.targets)
        .enumerate()
    {
        fit_panel(area, t, j, candidates, best).map_err(&err)?;
    }
    root.present().map_err(&err)?;
    Ok(())
}

/// One target's panel of `fit.png` (`j`: the target's index in each candidate's means).
fn fit_panel(
    area: &DrawingArea<BitMapBackend, Shift>,
    t: &Target,
    j: usize,
    candidates: &[Candidate],
    best: Option<&Candidate>,
) -> Result<(), DrawError> {
    let n = candidates.len().max(1) as f64;
    // The y range: the band and the candidates near it (far outliers would flatten it).
    let (band_lo, band_hi) = (t.value - t.tolerance, t.value + t.tolerance);
    let (clip_lo, clip_hi) = (t.value - 8.0 * t.tolerance, t.value + 8.0 * t.tolerance);
    let near: Vec<(f64, f64)> = candidates
        .iter()
        .map(|c| (c.index as f64, c.means[j]))
        .filter(|(_, v)| v.is_finite() && (clip_lo..=clip_hi).contains(v))
        .collect();
    let y_lo = near.iter().map(|p| p.1).fold(band_lo, f64::min);
    let y_hi = near.iter().map(|p| p.1).fold(band_hi, f64::max);
    let pad = 0.08 * (y_hi - y_lo);
    let mut chart = ChartBuilder::on(area)
        .margin(15)
        .caption(&t.figure, (FONT, 17))
        .x_label_area_size(32)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..n, (y_lo - pad)..(y_hi + pad))?;
    chart
        .configure_mesh()
        .x_desc("evaluation")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&tick)
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 14))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    chart.draw_series([Rectangle::new(
        [(0.0, band_lo), (n, band_hi)],
        ACCENT.mix(0.12).filled(),
    )])?;
    chart.draw_series([PathElement::new(
        vec![(0.0, t.value), (n, t.value)],
        ACCENT.stroke_width(2),
    )])?;
    chart.draw_series(
        near.iter()
            .map(|&p| Circle::new(p, 3, GREY.mix(0.6).filled())),
    )?;
    if let Some(b) = best
        && (clip_lo..=clip_hi).contains(&b.means[j])
    {
        chart.draw_series([Circle::new(
            (b.index as f64, b.means[j]),
            9,
            GENUINE.stroke_width(3),
        )])?;
    }
    Ok(())
}
