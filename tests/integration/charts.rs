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
    let label = charts::tokens_vs_productivity::headline_label(&summary);
    let expected = format!(
        "top decile: {:.1}x the median's tokens, {:.1}x its output",
        summary.top_decile_token_ratio, summary.top_decile_output_ratio
    );
    assert_eq!(label, expected);
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
