//! profile.png (`tokenmaxx import`): the weekly token distribution of users as a quantile curve
//! (log axis) with the named quantiles marked, the weekly trend of tokens and of the active and
//! user shares, and the headcount and cost in words. fit.png (`tokenmaxx fit`): observed against
//! simulated weekly-token quantiles (a Q-Q plot, log-log) and the active and user shares.

use std::path::Path;

use plotters::prelude::*;

use super::{ACCENT, BOT, FONT, GENUINE, GREY, PADDING, SIZE, chart_err, legend, percent, tokens};
use crate::import::profile::{Profile, grid};
use crate::report::ReportError;

type Area<'a> = DrawingArea<BitMapBackend<'a>, plotters::coord::Shift>;
type DrawResult =
    Result<(), DrawingAreaErrorKind<<BitMapBackend<'static> as DrawingBackend>::ErrorType>>;

/// "2,000 people (1,234 users) x 12 weeks, 2026-W02 to 2026-W13".
pub fn subtitle(p: &Profile) -> String {
    format!(
        "{} people ({} users, {} only in the roster) x {} ISO weeks, {} to {} | active = {} tokens a week or more",
        p.headcount.total,
        p.headcount.users,
        p.headcount.roster_only,
        p.weeks.len(),
        p.weeks.first().map_or("-", String::as_str),
        p.weeks.last().map_or("-", String::as_str),
        tokens(p.active_threshold_tokens)
    )
}

fn title(area: &Area<'_>, main: &str, sub: &str) -> DrawResult {
    area.draw(&Text::new(
        main.to_string(),
        (20, 10),
        TextStyle::from((FONT, 30).into_font().style(FontStyle::Bold)),
    ))?;
    area.draw(&Text::new(
        sub.to_string(),
        (20, 45),
        (FONT, 17).into_font().color(&BLACK.mix(0.7)),
    ))
}

/// Positive values' log-axis range, padded.
fn log_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| *v > 0.0)
        .fold((f64::INFINITY, 0.0f64), |(l, h), v| (l.min(v), h.max(v)));
    if lo.is_finite() {
        (lo / 1.5, hi * 1.5)
    } else {
        (1.0, 10.0)
    }
}

fn quantile_curve(area: &Area<'_>, p: &Profile) -> DrawResult {
    let (lo, hi) = log_range(p.tokens.grid.iter().copied());
    let mut chart = ChartBuilder::on(area)
        .caption(
            "Weekly tokens of users (person-weeks with any tokens)",
            (FONT, 20),
        )
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(75)
        .build_cartesian_2d(0f64..100f64, (lo..hi).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("percentile of user-weeks")
        .y_desc("tokens in the week (log scale)")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| tokens(*v))
        .label_style((FONT, 15))
        .axis_desc_style((FONT, 16))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    let pts: Vec<(f64, f64)> = grid()
        .into_iter()
        .zip(&p.tokens.grid)
        .filter(|(_, v)| **v > 0.0)
        .map(|(q, v)| (q * 100.0, *v))
        .collect();
    chart.draw_series(LineSeries::new(pts, GENUINE.stroke_width(3)))?;
    for (name, v) in &p.tokens.quantiles {
        let q: f64 = name.trim_start_matches('p').parse().unwrap_or(0.0);
        if *v > 0.0 {
            chart.draw_series(std::iter::once(Circle::new((q, *v), 5, ACCENT.filled())))?;
            chart.draw_series(std::iter::once(Text::new(
                format!("{name} {}", tokens(*v)),
                (q.min(80.0) - 8.0, *v * 1.25),
                (FONT, 14),
            )))?;
        }
    }
    let t = &p.tokens;
    let lines = [
        format!(
            "Gini {:.2}   top decile {:.1}x the median   p95 {:.1}x the median",
            t.gini, t.top_decile_ratio, t.p95_ratio
        ),
        format!("{} user-weeks", t.user_weeks),
    ];
    for (k, line) in lines.iter().enumerate() {
        area.draw(&Text::new(
            line.clone(),
            (110, 75 + 22 * k as i32),
            (FONT, 16),
        ))?;
    }
    Ok(())
}

fn trend(area: &Area<'_>, p: &Profile) -> DrawResult {
    let (upper, lower) = area.split_vertically(area.dim_in_pixel().1 / 2);
    let n = p.trend.len().max(1) as f64;
    let top = p.trend.iter().map(|r| r.tokens_total).fold(1.0, f64::max) * 1.15;
    let mut c = ChartBuilder::on(&upper)
        .caption("Tokens per week", (FONT, 20))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5f64..n - 0.5, 0f64..top)?;
    let label = |v: &f64| {
        p.trend
            .get(v.round().max(0.0) as usize)
            .map_or(String::new(), |r| r.week.clone())
    };
    c.configure_mesh()
        .x_label_formatter(&label)
        .x_labels(7)
        .y_label_formatter(&|v| tokens(*v))
        .label_style((FONT, 14))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    c.draw_series(p.trend.iter().enumerate().map(|(k, r)| {
        Rectangle::new(
            [(k as f64 - 0.35, 0.0), (k as f64 + 0.35, r.tokens_total)],
            GENUINE.mix(0.8).filled(),
        )
    }))?;
    let mut s = ChartBuilder::on(&lower)
        .caption("Share of all people using AI each week", (FONT, 20))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5f64..n - 0.5, 0f64..1.15f64)?;
    s.configure_mesh()
        .x_label_formatter(&label)
        .x_labels(7)
        .y_label_formatter(&|v| percent(*v))
        .label_style((FONT, 14))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    let users: Vec<(f64, f64)> = p
        .trend
        .iter()
        .enumerate()
        .map(|(k, r)| (k as f64, r.users as f64 / p.headcount.total.max(1) as f64))
        .collect();
    let active: Vec<(f64, f64)> = p
        .trend
        .iter()
        .enumerate()
        .map(|(k, r)| (k as f64, r.active_share))
        .collect();
    s.draw_series(LineSeries::new(users, BOT.stroke_width(3)))?
        .label("any tokens")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BOT.stroke_width(3)));
    s.draw_series(LineSeries::new(active, PADDING.stroke_width(3)))?
        .label(format!(
            "active (>= {} tokens)",
            tokens(p.active_threshold_tokens)
        ))
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], PADDING.stroke_width(3)));
    legend(&mut s, SeriesLabelPosition::UpperRight)
}

fn facts(p: &Profile) -> Vec<String> {
    let mut lines = vec![format!(
        "Headcount by group: {}",
        p.headcount
            .by_group
            .iter()
            .map(|(g, n)| format!("{g} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    )];
    if let Some(t) = &p.teams {
        lines.push(format!(
            "Teams: {} (size: mean {:.1}, median {:.0}, {} to {})",
            t.count, t.mean_size, t.median_size, t.min_size, t.max_size
        ));
    }
    lines.push(format!(
        "Weekly-active share {}   weekly user share {}",
        percent(p.weekly_active_share),
        percent(p.weekly_user_share)
    ));
    if let Some(c) = &p.cost {
        lines.push(format!(
            "Cost {} in all; {} per active user per month",
            crate::report::charts::usd(c.total_usd),
            crate::report::charts::usd(c.per_active_user_month_usd)
        ));
    }
    for o in &p.outcomes {
        lines.push(format!(
            "Top token decile: {:.1}x the median user's {}",
            o.top_decile_ratio,
            o.name.replace('_', " ")
        ));
    }
    lines
}

/// Draw profile.png.
pub fn draw(path: &Path, p: &Profile) -> Result<(), ReportError> {
    super::register_fonts();
    let err = chart_err(path);
    let root = BitMapBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(&err)?;
    let (head, body) = root.split_vertically(75);
    title(&head, "Your organisation: AI usage profile", &subtitle(p)).map_err(&err)?;
    let (body, foot) =
        body.split_vertically(body.dim_in_pixel().1 - 25 * facts(p).len() as u32 - 10);
    let (left, right) = body.split_horizontally(640);
    quantile_curve(&left, p).map_err(&err)?;
    trend(&right, p).map_err(&err)?;
    for (k, line) in facts(p).iter().enumerate() {
        foot.draw(&Text::new(line.clone(), (25, 25 * k as i32), (FONT, 17)))
            .map_err(&err)?;
    }
    Ok(())
}

/// Draw fit.png: observed against simulated quantiles, and the shares.
pub fn fit(
    path: &Path,
    observed: &Profile,
    simulated: &Profile,
    caption: &str,
) -> Result<(), ReportError> {
    super::register_fonts();
    let err = chart_err(path);
    let root = BitMapBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(&err)?;
    let (head, body) = root.split_vertically(75);
    title(&head, "Fitted organisation: observed vs simulated", caption).map_err(&err)?;
    let (left, right) = body.split_horizontally(760);
    qq(&left, observed, simulated).map_err(&err)?;
    shares(&right, observed, simulated).map_err(&err)?;
    Ok(())
}

fn qq(area: &Area<'_>, o: &Profile, s: &Profile) -> DrawResult {
    let (lo, hi) = log_range(o.tokens.grid.iter().chain(&s.tokens.grid).copied());
    let mut c = ChartBuilder::on(area)
        .caption(
            "Q-Q: weekly tokens of users, 1st to 99.9th percentile",
            (FONT, 20),
        )
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(75)
        .build_cartesian_2d((lo..hi).log_scale(), (lo..hi).log_scale())?;
    c.configure_mesh()
        .x_desc("observed (the export)")
        .y_desc("simulated (the fitted scenario)")
        .x_label_formatter(&|v| tokens(*v))
        .y_label_formatter(&|v| tokens(*v))
        .label_style((FONT, 15))
        .axis_desc_style((FONT, 16))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    c.draw_series(LineSeries::new(
        vec![(lo, lo), (hi, hi)],
        GREY.stroke_width(2),
    ))?
    .label("perfect fit")
    .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], GREY.stroke_width(2)));
    let pts: Vec<(f64, f64)> = o
        .tokens
        .grid
        .iter()
        .zip(&s.tokens.grid)
        .filter(|(a, b)| **a > 0.0 && **b > 0.0)
        .map(|(a, b)| (*a, *b))
        .collect();
    c.draw_series(pts.iter().map(|&p| Circle::new(p, 4, GENUINE.filled())))?
        .label("percentiles")
        .legend(|(x, y)| Circle::new((x + 10, y), 4, GENUINE.filled()));
    legend(&mut c, SeriesLabelPosition::UpperLeft)
}

fn shares(area: &Area<'_>, o: &Profile, s: &Profile) -> DrawResult {
    let rows = [
        ("active", o.weekly_active_share, s.weekly_active_share),
        ("any use", o.weekly_user_share, s.weekly_user_share),
    ];
    let mut c = ChartBuilder::on(area)
        .caption("Weekly shares of all people", (FONT, 20))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d(-0.5f64..1.5f64, 0f64..1.15f64)?;
    c.configure_mesh()
        .x_labels(2)
        .x_label_formatter(&|v| {
            rows.get(v.round().max(0.0) as usize)
                .map_or(String::new(), |r| r.0.to_string())
        })
        .y_label_formatter(&|v| percent(*v))
        .label_style((FONT, 15))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    for (k, &(_, obs, sim)) in rows.iter().enumerate() {
        let x = k as f64;
        for (dx, v, color) in [(-0.2, obs, GENUINE), (0.2, sim, PADDING)] {
            c.draw_series(std::iter::once(Rectangle::new(
                [(x + dx - 0.17, 0.0), (x + dx + 0.17, v)],
                color.filled(),
            )))?;
            c.draw_series(std::iter::once(Text::new(
                percent(v),
                (x + dx - 0.12, v + 0.05),
                (FONT, 15),
            )))?;
        }
    }
    c.draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
        .label("observed")
        .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], GENUINE.filled()));
    c.draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
        .label("simulated")
        .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], PADDING.filled()));
    legend(&mut c, SeriesLabelPosition::UpperRight)
}
