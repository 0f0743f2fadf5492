//! Charts: valid PNGs of the expected size, not blank, and annotated with the summary's numbers.

use crate::util::*;
use tokenmaxx::report::charts;

/// Decode a PNG into (width, height, RGB bytes).
pub(crate) fn decode(path: &std::path::Path) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder
        .read_info()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    let rgb = match info.color_type {
        png::ColorType::Rgb => buf,
        png::ColorType::Rgba => buf
            .chunks_exact(4)
            .flat_map(|c| [c[0], c[1], c[2]])
            .collect(),
        other => panic!("unexpected colour type {other:?}"),
    };
    (info.width, info.height, rgb)
}

#[test]
fn run_writes_every_chart_as_a_non_blank_png_of_the_expected_size() {
    let dir = scratch("charts");
    let o = tokenmaxx(
        &dir,
        &[
            "run",
            "amazon-2026",
            "--employees",
            "1500",
            "--quiet",
            "--out",
            "out",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    for f in charts::FILES {
        let path = dir.join("out").join(f);
        let (w, h, rgb) = decode(&path);
        assert_eq!((w, h), charts::SIZE, "{f}");
        let ink = charts::ink_share(&rgb);
        assert!(
            ink > 0.03 && ink < 0.9,
            "{f}: {:.1}% of pixels inked",
            ink * 100.0
        );
        // Padding (orange) is drawn on the headline and token-mix charts of amazon-2026.
        if *f == "tokens_vs_productivity.png" || *f == "token_mix.png" {
            let c = charts::PADDING;
            let orange = rgb
                .chunks_exact(3)
                .filter(|p| p[0] > 200 && (p[1] as i32 - c.1 as i32).abs() < 60 && p[2] < 120)
                .count();
            assert!(orange > 1000, "{f}: only {orange} orange pixels");
        }
    }
}

#[test]
fn no_charts_skips_them() {
    let dir = scratch("no_charts");
    let o = tokenmaxx(
        &dir,
        &[
            "run",
            "baseline",
            "--employees",
            "300",
            "--weeks",
            "4",
            "--quiet",
            "--no-charts",
            "--out",
            "out",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.join("out/weekly.csv").exists());
    for f in charts::FILES {
        assert!(
            !dir.join("out").join(f).exists(),
            "{f} written despite --no-charts"
        );
    }
}

#[test]
fn headline_annotation_uses_the_summary_figures() {
    let dir = scratch("headline");
    let o = tokenmaxx(
        &dir,
        &[
            "run",
            "amazon-2026",
            "--employees",
            "800",
            "--quiet",
            "--no-charts",
            "--out",
            "out",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(dir.join("out/summary.json")).unwrap();
    let summary: tokenmaxx::projections::Summary = serde_json::from_str(&text).unwrap();
    // The label states the two ratios, to one decimal, for known numbers.
    let label = |tokens: f64, output: f64| {
        let mut s = summary.clone();
        s.top_decile_token_ratio = tokens;
        s.top_decile_output_ratio = output;
        charts::tokens_vs_productivity::headline_label(&s)
    };
    assert_eq!(
        label(9.84, 1.96),
        "top decile: 9.8x the median's tokens, 2.0x its output"
    );
    assert_eq!(
        label(10.06, 0.94),
        "top decile: 10.1x the median's tokens, 0.9x its output"
    );
    // and the same ratios are deciles.csv's top row
    let (h, rows) = read_csv(&dir.join("out/deciles.csv"));
    assert_eq!(
        format!("{:.1}", column(&h, &rows, "token_ratio")[9]),
        format!("{:.1}", summary.top_decile_token_ratio)
    );
    assert_eq!(
        format!("{:.1}", column(&h, &rows, "output_ratio")[9]),
        format!("{:.1}", summary.top_decile_output_ratio)
    );
}

/// Whether a pixel is the accent red of the headline annotation, or that red anti-aliased on
/// white (red well above green, green and blue equal); not the blue or orange points, not grey.
fn is_accent(rgb: &[u8], w: u32, (x, y): (i32, i32)) -> bool {
    if x < 0 || y < 0 || x >= w as i32 || (y as usize + 1) * w as usize * 3 > rgb.len() {
        return false;
    }
    let i = (y as usize * w as usize + x as usize) * 3;
    let (r, g, b) = (rgb[i] as i32, rgb[i + 1] as i32, rgb[i + 2] as i32);
    let c = charts::ACCENT;
    assert!(c.0 as i32 - c.1 as i32 > 150 && (c.1 as i32 - c.2 as i32).abs() <= 1);
    r >= g + 30 && (g - b).abs() <= 8
}

/// The bottom edge of the headline's box: the lowest row in the upper plot holding a long run
/// of accent pixels, as (centre x, row).
fn headline_box_bottom(rgb: &[u8], w: u32) -> (i32, i32) {
    let mut found = None;
    for y in 80..300 {
        let (mut run, mut start, mut best) = (0, 0, (0, 0));
        for x in 0..w as i32 {
            if is_accent(rgb, w, (x, y)) {
                if run == 0 {
                    start = x;
                }
                run += 1;
                if run > best.1 - best.0 {
                    best = (start, x + 1);
                }
            } else {
                run = 0;
            }
        }
        if best.1 - best.0 >= 150 {
            found = Some(((best.0 + best.1) / 2, y));
        }
    }
    found.expect("the headline box is drawn in the upper plot")
}

/// The leader line from `s`: the longest straight run of accent pixels leaving `s` downwards;
/// returns its far end.
fn leader_end(rgb: &[u8], w: u32, s: (i32, i32)) -> (f64, f64) {
    let near = |p: (f64, f64)| {
        let (x, y) = (p.0.round() as i32, p.1.round() as i32);
        (-1..=1).any(|dx| (-1..=1).any(|dy| is_accent(rgb, w, (x + dx, y + dy))))
    };
    let mut best = (0.0, (s.0 as f64, s.1 as f64));
    for step in 150..=1650 {
        let angle = (step as f64 / 10.0).to_radians(); // 15 to 165 degrees below the horizontal
        let (dx, dy) = (angle.cos() * 0.5, angle.sin() * 0.5);
        let (mut len, mut misses, mut end) = (0.0, 0, (s.0 as f64, s.1 as f64));
        for i in 1..4000 {
            let p = (s.0 as f64 + dx * i as f64, s.1 as f64 + dy * i as f64);
            if near(p) {
                (misses, len, end) = (0, i as f64 * 0.5, p);
            } else {
                misses += 1;
                if misses > 4 {
                    break;
                }
            }
        }
        if len > best.0 {
            best = (len, end);
        }
    }
    assert!(best.0 > 30.0, "no leader line below the headline box");
    best.1
}

#[test]
fn the_headline_leader_line_ends_on_the_top_decile_point() {
    let dir = scratch("leader_line");
    let args = ["run", "baseline", "--employees", "600", "--weeks", "12"];
    let o = tokenmaxx(&dir, &[&args[..], &["--quiet", "--out", "out"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.join("out");
    let weeks = 12.0;
    // The chart's data ranges: users' run totals (all drawn at this size), padded as the chart does.
    let (h, rows) = read_csv(&out.join("agents.csv"));
    let users: Vec<(f64, f64)> = column(&h, &rows, "tokens_total")
        .into_iter()
        .zip(column(&h, &rows, "output_total"))
        .filter(|(t, _)| *t > 0.0)
        .map(|(t, o)| (t, o / weeks))
        .collect();
    let x_lo = users.iter().map(|u| u.0).fold(f64::INFINITY, f64::min) / 1.5;
    let x_hi = users.iter().map(|u| u.0).fold(0.0, f64::max) * 1.5;
    let y_hi = users.iter().map(|u| u.1).fold(0.0, f64::max).max(1.0) * 1.05;
    let y_lo = users
        .iter()
        .map(|u| u.1)
        .fold(f64::INFINITY, f64::min)
        .min(0.0);
    let (h, rows) = read_csv(&out.join("deciles.csv"));
    let (tokens, output) = (
        column(&h, &rows, "mean_tokens")[9],
        column(&h, &rows, "mean_output")[9] / weeks,
    );
    // The plot area of a 1200x800 chart under a 70-pixel title: margin 20, y labels 80 wide,
    // x labels 55 high; x on a log scale over [100, 1179], y over [724, 90].
    let px = 100.0 + (tokens / x_lo).ln() / (x_hi / x_lo).ln() * 1079.0;
    let py = 724.0 - (output - y_lo) / (y_hi - y_lo) * 634.0;

    let (w, _, rgb) = decode(&out.join("tokens_vs_productivity.png"));
    let start = headline_box_bottom(&rgb, w);
    let end = leader_end(&rgb, w, start);
    let miss = ((end.0 - px).powi(2) + (end.1 - py).powi(2)).sqrt();
    assert!(
        miss <= 9.0,
        "the leader line from {start:?} ends at ({:.0}, {:.0}), {miss:.0} px from the top decile at ({px:.0}, {py:.0})",
        end.0,
        end.1
    );
}
