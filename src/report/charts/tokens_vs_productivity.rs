//! tokens_vs_productivity.png, the headline chart: one point per employee with any tokens
//! (at most [`MAX_POINTS`], sampled deterministically), total tokens on a log axis against weekly
//! output; decile means as a line; the top decile's ratios to the median annotated; padders in
//! their own colour.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{ACCENT, FONT, GENUINE, PADDING, chart_err, legend, subtitle, tokens};
use crate::projections::{AgentRow, Projections, Summary};
use crate::report::ReportError;

/// Most points drawn; larger runs are thinned by a fixed stride over agent ids.
pub const MAX_POINTS: usize = 5_000;

/// The annotation: "top decile: 9.8x the median's tokens, 2.0x its output".
pub fn headline_label(s: &Summary) -> String {
    format!(
        "top decile: {:.1}x the median's tokens, {:.1}x its output",
        s.top_decile_token_ratio, s.top_decile_output_ratio
    )
}

/// Whether an agent counts as a padder on the chart: padding is at least 10% of its tokens.
pub fn is_padder(a: &AgentRow) -> bool {
    a.tokens_total > 0.0 && a.tokens_padding >= 0.1 * a.tokens_total
}

/// The agents drawn: users (any tokens) taken with a fixed stride so at most `max` remain.
pub fn sample_points(agents: &[AgentRow], max: usize) -> Vec<&AgentRow> {
    let users: Vec<&AgentRow> = agents.iter().filter(|a| a.tokens_total > 0.0).collect();
    let stride = users.len().div_ceil(max.max(1)).max(1);
    users.into_iter().step_by(stride).collect()
}

/// The data ranges of the chart: total tokens (log axis, padded by half either side) and output
/// per week (from 0 or below, to 5% above the highest point or 1.0).
fn ranges(points: &[&AgentRow], weeks: f64) -> ((f64, f64), (f64, f64)) {
    let xs = points.iter().map(|a| a.tokens_total);
    let (mut x_lo, mut x_hi) = xs.fold((f64::INFINITY, 0.0f64), |(lo, hi), x| {
        (lo.min(x), hi.max(x))
    });
    if !x_lo.is_finite() {
        (x_lo, x_hi) = (1.0, 10.0);
    }
    let outputs = || points.iter().map(|a| a.output_total / weeks);
    let y_hi = outputs().fold(0.0f64, f64::max).max(1.0) * 1.05;
    let y_lo = outputs().fold(f64::INFINITY, f64::min).min(0.0);
    ((x_lo / 1.5, x_hi * 1.5), (y_lo, y_hi))
}

/// Draw the chart on any plotters backend (`path` names it in errors).
pub fn draw_on<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    p: &Projections,
    path: &Path,
) -> Result<(), ReportError> {
    let err = chart_err(path);
    let weeks = p.summary.weeks.max(1) as f64;
    let points = sample_points(&p.agents, MAX_POINTS);
    let ((x_lo, x_hi), (y_lo, y_hi)) = ranges(&points, weeks);

    root.fill(&WHITE).map_err(&err)?;
    let (title, body) = root.split_vertically(70);
    for (text, y, font) in [
        (
            "Token spend versus productivity".to_string(),
            10,
            TextStyle::from((FONT, 30).into_font().style(FontStyle::Bold)),
        ),
        (
            subtitle(p),
            45,
            (FONT, 18).into_font().color(&BLACK.mix(0.7)),
        ),
    ] {
        title.draw(&Text::new(text, (20, y), font)).map_err(&err)?;
    }

    let mut chart = ChartBuilder::on(&body)
        .margin(20)
        .x_label_area_size(55)
        .y_label_area_size(80)
        .build_cartesian_2d((x_lo..x_hi).log_scale(), y_lo..y_hi)
        .map_err(&err)?;
    chart
        .configure_mesh()
        .x_desc("total tokens over the run (log scale)")
        .y_desc("output per week (1.0 = an average week without AI)")
        .x_label_formatter(&|v| tokens(*v))
        .y_label_formatter(&|v| format!("{v:.1}"))
        .label_style((FONT, 16))
        .axis_desc_style((FONT, 18))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(&err)?;

    draw_agents(&mut chart, &points, weeks).map_err(&err)?;

    let decile_points: Vec<(f64, f64)> = p
        .deciles
        .iter()
        .filter(|d| d.agents > 0 && d.mean_tokens > 0.0)
        .map(|d| (d.mean_tokens, d.mean_output / weeks))
        .collect();
    chart
        .draw_series(LineSeries::new(
            decile_points.clone(),
            ACCENT.stroke_width(3),
        ))
        .map_err(&err)?
        .label("decile means (by tokens)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], ACCENT.stroke_width(3)));
    chart
        .draw_series(
            decile_points
                .iter()
                .map(|&(x, y)| Circle::new((x, y), 6, ACCENT.filled())),
        )
        .map_err(&err)?;

    legend(&mut chart, SeriesLabelPosition::UpperLeft).map_err(&err)?;

    if let Some(&(x, y)) = decile_points.last() {
        let anchor = chart.backend_coord(&(x, y));
        headline(&body, anchor, headline_label(&p.summary)).map_err(&err)?;
    }
    root.present().map_err(&err)?;
    Ok(())
}

/// The agents' points, non-padders then padders, each a legend entry with its count.
fn draw_agents<DB: DrawingBackend, X: Ranged<ValueType = f64>, Y: Ranged<ValueType = f64>>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    points: &[&AgentRow],
    weeks: f64,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let (padders, honest): (Vec<&&AgentRow>, Vec<&&AgentRow>) =
        points.iter().partition(|a| is_padder(a));
    for (agents, colour, alpha, label) in [
        (
            &honest,
            GENUINE,
            0.35,
            format!("non-padders (n={})", honest.len()),
        ),
        (
            &padders,
            PADDING,
            0.45,
            format!("padders, >=10% padding (n={})", padders.len()),
        ),
    ] {
        chart
            .draw_series(agents.iter().map(|a| {
                Circle::new(
                    (a.tokens_total, a.output_total / weeks),
                    2,
                    colour.mix(alpha).filled(),
                )
            }))?
            .label(label)
            .legend(move |(x, y)| Circle::new((x + 10, y), 5, colour.filled()));
    }
    Ok(())
}

/// The headline, boxed in the upper middle of the plot, with a leader line to `anchor`, the top
/// decile's point in the backend's (whole image's) pixels.
fn headline<DB: DrawingBackend>(
    body: &DrawingArea<DB, plotters::coord::Shift>,
    anchor: (i32, i32),
    label: String,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let style = (FONT, 21).into_font().style(FontStyle::Bold).color(&ACCENT);
    let (w, h) = body.estimate_text_size(&label, &style)?;
    let (ox, oy) = (520i32, 40i32);
    // `body` draws in its own pixels, which start below the title: move the anchor there.
    let (bx, by) = body.get_base_pixel();
    let anchor = (anchor.0 - bx, anchor.1 - by);
    let box_ = [(ox - 10, oy - 8), (ox + w as i32 + 10, oy + h as i32 + 8)];
    body.draw(&PathElement::new(
        vec![(ox + w as i32 / 2, oy + h as i32 + 8), anchor],
        ACCENT.stroke_width(1),
    ))?;
    body.draw(&Rectangle::new(box_, WHITE.filled()))?;
    body.draw(&Rectangle::new(box_, ACCENT.stroke_width(2)))?;
    body.draw(&Text::new(label, (ox, oy), style))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(i: u32, tokens: f64) -> AgentRow {
        AgentRow {
            agent: i,
            team: 0,
            group: "developers".into(),
            skill: 1.0,
            ai_fit: 0.5,
            proficiency: 0.5,
            has_bot: false,
            tokens_total: tokens,
            tokens_genuine: tokens,
            tokens_padding: 0.0,
            output_total: 1.0,
            output_uplift: 0.0,
            incidents: 0,
            token_decile: 1,
        }
    }

    #[test]
    fn sampling_keeps_at_most_max_users_deterministically() {
        let agents: Vec<AgentRow> = (0..12_345)
            .map(|i| agent(i, if i % 3 == 0 { 0.0 } else { 1.0 + i as f64 }))
            .collect();
        let a = sample_points(&agents, 5_000);
        let b = sample_points(&agents, 5_000);
        assert!(a.len() <= 5_000 && a.len() > 4_000, "{}", a.len());
        assert!(a.iter().all(|x| x.tokens_total > 0.0));
        assert_eq!(
            a.iter().map(|x| x.agent).collect::<Vec<_>>(),
            b.iter().map(|x| x.agent).collect::<Vec<_>>()
        );
        assert_eq!(sample_points(&agents[..10], 5_000).len(), 6);
    }
}
