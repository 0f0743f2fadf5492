//! PNG charts of a run (plotters, bitmap backend), one file per chart, each taking projections.
//!
//! Text is drawn with Noto Sans (Apache-2.0, embedded via the `ttf-noto-sans` crate and
//! plotters' `ab_glyph` feature), so charts render on a machine with no fonts installed.

pub mod adoption;
pub mod compare;
pub mod cost_roi;
pub mod decide;
pub mod explore;
pub mod fork;
pub mod incidents;
pub mod profile;
pub mod sweep;
pub mod token_mix;
pub mod tokens_vs_productivity;

use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::FontStyle;

use super::ReportError;
use crate::projections::{PolicyMark, Projections};

/// Chart size in pixels.
pub const SIZE: (u32, u32) = (1200, 800);
/// The font family every chart uses (registered from the embedded Noto Sans).
pub const FONT: &str = "sans-serif";

pub const GENUINE: RGBColor = RGBColor(31, 119, 180);
pub const PADDING: RGBColor = RGBColor(255, 127, 14);
pub const BOT: RGBColor = RGBColor(44, 160, 44);
pub const ACCENT: RGBColor = RGBColor(214, 39, 40);
pub const GREY: RGBColor = RGBColor(120, 120, 120);

/// The chart files of a run, in the order they are written.
pub const FILES: &[&str] = &[
    "tokens_vs_productivity.png",
    "adoption.png",
    "token_mix.png",
    "cost_roi.png",
    "incidents.png",
];

static FONTS: Once = Once::new();

/// Register the embedded font (idempotent).
pub fn register_fonts() {
    FONTS.call_once(|| {
        for (style, bytes) in [
            (FontStyle::Normal, ttf_noto_sans::REGULAR),
            (FontStyle::Bold, ttf_noto_sans::BOLD),
        ] {
            plotters::style::register_font(FONT, style, bytes)
                .unwrap_or_else(|_| panic!("the embedded Noto Sans is a valid font"));
        }
    });
}

/// A chart error, naming the chart.
pub fn chart_err<E: std::fmt::Display>(file: &Path) -> impl Fn(E) -> ReportError + '_ {
    move |e| ReportError::Table {
        table: file.display().to_string(),
        message: format!("chart: {e}"),
    }
}

/// Write every chart of a run into `dir`.
pub fn write_all(dir: &Path, p: &Projections) -> Result<Vec<PathBuf>, ReportError> {
    let paths: Vec<PathBuf> = FILES.iter().map(|f| dir.join(f)).collect();
    for (k, path) in paths.iter().enumerate() {
        draw(k, path, p)?;
    }
    Ok(paths)
}

/// Draw chart `k` of [`FILES`] of a run as the PNG `path`.
pub fn draw(k: usize, path: &Path, p: &Projections) -> Result<(), ReportError> {
    register_fonts();
    let root = BitMapBackend::new(path, SIZE).into_drawing_area();
    draw_chart(k, &root, p, &Bands::default(), path)
}

/// Draw chart `k` of [`FILES`] on any plotters backend (`name` names it in errors; `bands`
/// over replications, none for a single run): the one dispatch of the PNGs and the SVGs.
fn draw_chart<DB: DrawingBackend>(
    k: usize,
    root: &DrawingArea<DB, Shift>,
    p: &Projections,
    bands: &Bands,
    name: &Path,
) -> Result<(), ReportError> {
    match k {
        0 => tokens_vs_productivity::draw_on(root, p, name),
        1 => adoption::draw_on(root, p, bands, name),
        2 => token_mix::draw_on(root, p, name),
        3 => cost_roi::draw_on(root, p, bands, name),
        _ => incidents::draw_on(root, p, name),
    }
}

/// "amazon-2026, seed 42": who and which draw a chart shows.
pub fn subtitle(p: &Projections) -> String {
    let s = &p.summary;
    format!(
        "{} | seed {} | {} employees x {} weeks",
        s.scenario, s.seed, s.employees, s.weeks
    )
}

/// A share as a percentage: 0.25 -> "25%".
pub fn percent(v: f64) -> String {
    format!("{:.0}%", v * 100.0)
}

/// Tokens for people: 1.2M, 3.4B.
pub fn tokens(v: f64) -> String {
    crate::projections::summary::count(v)
}

/// Dollars for people: $1.2k.
pub fn usd(v: f64) -> String {
    crate::projections::summary::usd(v)
}

/// Draw the policy timeline as labelled vertical lines over `y_range` of a chart whose x axis is
/// weeks. Labels are staggered so neighbours do not overlap.
pub fn draw_marks<DB: DrawingBackend, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, Y>>,
    marks: &[PolicyMark],
    y_low: Y::ValueType,
    y_label_at: impl Fn(usize) -> Y::ValueType,
    y_high: Y::ValueType,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>>
where
    Y: Ranged,
    Y::ValueType: Clone + 'static,
{
    for (k, m) in marks.iter().filter(|m| m.week > 0).enumerate() {
        let x = m.week as f64;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x, y_low.clone()), (x, y_high.clone())],
            GREY.mix(0.7).stroke_width(1),
        )))?;
        chart.draw_series(std::iter::once(Text::new(
            format!(" {}", m.label),
            (x, y_label_at(k)),
            (FONT, 15).into_font().color(&BLACK.mix(0.8)),
        )))?;
    }
    Ok(())
}

/// Top of a timeline chart's y axis: the largest weekly value of `f` (at least 1) times
/// `headroom`, leaving room above the data for legends and timeline labels.
pub fn weekly_top(
    p: &Projections,
    f: fn(&crate::projections::WeeklyRow) -> f64,
    headroom: f64,
) -> f64 {
    p.weekly.iter().map(f).fold(0.0f64, f64::max).max(1.0) * headroom
}

/// A chart with weeks on x and a linear y, as all timeline charts have.
pub type WeekChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Axes of a timeline chart: weeks on x, `y_desc` formatted by `y_fmt` on y, house style.
pub fn week_mesh<DB: DrawingBackend>(
    chart: &mut WeekChart<'_, DB>,
    y_desc: &str,
    y_fmt: &dyn Fn(&f64) -> String,
    size: u32,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    chart
        .configure_mesh()
        .x_desc("week")
        .y_desc(y_desc)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(y_fmt)
        .label_style((FONT, size))
        .axis_desc_style((FONT, size + 2))
        .light_line_style(WHITE.mix(0.0))
        .draw()
}

/// The legend in house style.
pub fn legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.3))
        .label_font((FONT, 16))
        .draw()
}

/// The spread of weekly series over replications, drawn as a band behind the line of the run
/// shown (each: per week, the lowest and highest value; empty: no band). `run` draws none.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bands {
    /// Genuinely active share of the tracked groups (adoption chart).
    pub genuine_active: Vec<(f64, f64)>,
    /// Token cost per week (cost chart).
    pub cost_usd: Vec<(f64, f64)>,
    /// Net value per week (cost chart).
    pub net_value_usd: Vec<(f64, f64)>,
}

impl Bands {
    /// The bands of `series[r][week]` over replications `r`: per week, the 10th and 90th
    /// percentiles (the lowest and highest with fewer than ten); no band from one replication.
    pub fn spread(series: &[&[f64]]) -> Vec<(f64, f64)> {
        if series.len() < 2 {
            return Vec::new();
        }
        let weeks = series.iter().map(|s| s.len()).min().unwrap_or(0);
        (0..weeks)
            .map(|w| {
                let mut v: Vec<f64> = series
                    .iter()
                    .map(|s| s[w])
                    .filter(|x| x.is_finite())
                    .collect();
                v.sort_by(f64::total_cmp);
                if v.is_empty() {
                    return (f64::NAN, f64::NAN);
                }
                let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
                if v.len() < 10 {
                    (v[0], v[v.len() - 1])
                } else {
                    (at(0.1), at(0.9))
                }
            })
            .collect()
    }
}

/// Draw `band` (per week, low and high) as a shaded area in `color`.
pub fn draw_band<DB: DrawingBackend>(
    chart: &mut WeekChart<'_, DB>,
    band: &[(f64, f64)],
    color: RGBColor,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let finite = band.iter().all(|(lo, hi)| lo.is_finite() && hi.is_finite());
    if band.is_empty() || !finite {
        return Ok(());
    }
    let upper = band.iter().enumerate().map(|(w, b)| (w as f64, b.1));
    let lower = band.iter().enumerate().rev().map(|(w, b)| (w as f64, b.0));
    chart.draw_series(std::iter::once(Polygon::new(
        upper.chain(lower).collect::<Vec<_>>(),
        color.mix(0.22).filled(),
    )))?;
    Ok(())
}

/// The five charts of a run (in [`FILES`] order) as SVG documents, with `bands` over
/// replications: the same drawing code as the PNGs, on plotters' SVG backend.
pub fn svg_all(p: &Projections, bands: &Bands) -> Result<Vec<String>, ReportError> {
    register_fonts();
    let mut out = Vec::with_capacity(FILES.len());
    for (k, file) in FILES.iter().enumerate() {
        let name = Path::new(file).with_extension("svg");
        let mut text = String::new();
        {
            let root = SVGBackend::with_string(&mut text, SIZE).into_drawing_area();
            draw_chart(k, &root, p, bands, &name)?;
        }
        out.push(text);
    }
    Ok(out)
}

/// Share of pixels of a PNG-decoded RGB buffer that differ from white: a "not blank" check.
pub fn ink_share(rgb: &[u8]) -> f64 {
    let px = rgb.len() / 3;
    if px == 0 {
        return 0.0;
    }
    let inked = rgb
        .chunks_exact(3)
        .filter(|c| c.iter().any(|v| *v < 235))
        .count();
    inked as f64 / px as f64
}
