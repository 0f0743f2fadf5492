//! report.html: well-formed (parsed strictly as XML), holds every chart as a `data:` URI, the
//! resolved scenario and the headline, references nothing outside itself, and renders in a real
//! headless browser (Debian's chromium) to a non-blank page with no console messages.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant};

use quick_xml::events::Event;

use crate::charts::decode;
use crate::util::*;
use tokenmaxx::projections::Summary;
use tokenmaxx::report::{charts, html};
use tokenmaxx::scenario::Source;

/// What the parse of a report found.
#[derive(Default)]
struct Parsed {
    /// (element, attribute, value) of every `src` and `href`.
    links: Vec<(String, String, String)>,
    img_srcs: Vec<String>,
    pre_text: Vec<String>,
    li_text: Vec<String>,
    elements: usize,
}

/// Parse the report as XML (our markup is XHTML-compatible): quick-xml checks that every end
/// tag matches its start tag; we check that nothing is left open at the end.
fn parse(text: &str) -> Parsed {
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let (mut p, mut stack, mut texts) = (Parsed::default(), Vec::<String>::new(), String::new());
    loop {
        let event = reader.read_event().unwrap_or_else(|e| {
            panic!(
                "report.html is not well-formed at byte {}: {e}",
                reader.buffer_position()
            )
        });
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                p.elements += 1;
                for a in e.attributes() {
                    let a = a.expect("well-formed attribute");
                    let key = String::from_utf8(a.key.as_ref().to_vec()).unwrap();
                    let value = a.unescape_value().unwrap().into_owned();
                    if key == "src" || key == "href" {
                        if name == "img" {
                            p.img_srcs.push(value.clone());
                        }
                        p.links.push((name.clone(), key, value));
                    }
                }
                if matches!(event, Event::Start(_)) {
                    stack.push(name);
                    texts.clear();
                }
            }
            Event::End(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                assert_eq!(stack.pop().as_deref(), Some(name.as_str()));
                match name.as_str() {
                    "code" if stack.last().map(String::as_str) == Some("pre") => {
                        p.pre_text.push(texts.clone())
                    }
                    "li" => p.li_text.push(texts.clone()),
                    _ => {}
                }
            }
            Event::Text(t) => texts.push_str(&t.decode().expect("UTF-8 text")),
            Event::GeneralRef(r) => {
                let name = r.decode().expect("UTF-8 entity").into_owned();
                match (name.as_str(), r.resolve_char_ref().unwrap()) {
                    (_, Some(c)) => texts.push(c),
                    ("amp", _) => texts.push('&'),
                    ("lt", _) => texts.push('<'),
                    ("gt", _) => texts.push('>'),
                    ("quot", _) => texts.push('"'),
                    (other, _) => panic!("unexpected entity &{other};"),
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(stack.is_empty(), "elements left open: {stack:?}");
    p
}

/// Every `src` and `href` must stay inside the file: `#anchors` and `data:` URIs only.
fn assert_self_contained(text: &str, p: &Parsed) {
    for (element, attr, value) in &p.links {
        assert!(
            value.starts_with('#') || value.starts_with("data:"),
            "<{element} {attr}=\"{}\"> points outside the file",
            &value[..value.len().min(80)]
        );
    }
    // The raw text too, in case an attribute hid from the parser: every `src=`/`href=` was seen.
    let raw = text.matches("src=").count() + text.matches("href=").count();
    assert_eq!(raw, p.links.len(), "src=/href= outside parsed attributes");
    for bad in [
        "http://", "https://", "url(", "@import", "<link", "<iframe", "<object", "<embed",
    ] {
        assert!(!text.contains(bad), "report.html contains {bad}");
    }
}

/// Exactly these charts of `dir`, byte for byte, as `data:` URIs, in this order.
fn assert_embeds(dir: &Path, p: &Parsed, files: &[&str]) {
    assert_eq!(p.img_srcs.len(), files.len(), "charts embedded");
    for (src, file) in p.img_srcs.iter().zip(files) {
        let png = std::fs::read(dir.join(file)).unwrap();
        assert_eq!(
            src.strip_prefix("data:image/png;base64,"),
            Some(html::base64(&png).as_str()),
            "{file} is not embedded"
        );
    }
}

/// A batch command's report in `out`: parsed, self-contained, embedding exactly `charts`,
/// holding `spec` (the spec file's text) and a headline line containing `headline`, and naming
/// the version, the seed and the command line.
fn check_report(
    out: &Path,
    charts: &[&str],
    spec: &str,
    headline: &str,
    seed: u64,
    command: &str,
) -> String {
    let text =
        std::fs::read_to_string(out.join("report.html")).expect("the command writes report.html");
    let p = parse(&text);
    assert_self_contained(&text, &p);
    assert_embeds(out, &p, charts);
    assert!(
        p.pre_text.iter().any(|t| t == spec),
        "the spec file's text is missing"
    );
    assert!(
        p.li_text.iter().any(|l| l.contains(headline)),
        "no headline line with {headline:?}: {:?}",
        p.li_text
    );
    for needle in [
        format!("<dd>{}</dd>", html::VERSION),
        format!("<dt>seed</dt><dd>{seed}</dd>"),
        command.to_string(),
        "How to read this.".to_string(),
    ] {
        assert!(text.contains(&needle), "report.html lacks {needle:?}");
    }
    text
}

fn run_report(dir: &Path, extra: &[&str]) -> (PathBuf, String) {
    let mut args = vec![
        "run",
        "baseline",
        "--employees",
        "600",
        "--out",
        "out",
        "--quiet",
    ];
    args.extend_from_slice(extra);
    let o = tokenmaxx(dir, &args);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.join("out");
    let text = std::fs::read_to_string(out.join("report.html")).expect("run writes report.html");
    (out, text)
}

#[test]
fn run_report_is_well_formed_complete_and_self_contained() {
    let dir = scratch("html-run");
    let (out, text) = run_report(&dir, &[]);
    let p = parse(&text);
    assert_self_contained(&text, &p);

    // Every chart, byte for byte, as a data: URI, in the order the run writes them.
    assert_embeds(&out, &p, charts::FILES);

    // The resolved scenario, exactly, and the headline in words.
    let scenario = load(&Source::parse("baseline"), 600, None, None);
    assert!(
        p.pre_text.contains(&scenario.resolved_toml),
        "resolved scenario TOML missing"
    );
    let summary: Summary =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    for line in summary.headline() {
        assert!(p.li_text.contains(&line), "headline line missing: {line}");
    }

    // Every chart's how-to-read, the tables, the run facts.
    for needle in [
        "How to read this.",
        "Policy timeline",
        "Key figures",
        "deciles.csv",
        "weekly.csv",
        &format!("<dd>{}</dd>", html::VERSION),
        "<dt>seed</dt><dd>42</dd>",
        "run baseline --employees 600 --out out --quiet",
        "600 employees x 52 weeks",
    ] {
        assert!(text.contains(needle), "report.html lacks {needle:?}");
    }
    assert_eq!(
        text.matches("How to read this.").count(),
        10,
        "one per section"
    );
    assert!(text.len() < 3_000_000, "{} bytes", text.len());

    render_in_browser(&out.join("report.html"), &dir);
}

#[test]
fn no_charts_report_says_charts_were_skipped() {
    let dir = scratch("html-no-charts");
    let (out, text) = run_report(&dir, &["--no-charts"]);
    let p = parse(&text);
    assert_self_contained(&text, &p);
    assert!(p.img_srcs.is_empty());
    assert!(!out.join("adoption.png").exists());
    assert!(
        text.contains("Charts were skipped"),
        "no note about skipped charts"
    );
    assert!(text.len() < 200_000, "{} bytes without charts", text.len());
}

/// The browser to render with: `TOKENMAXX_CHROMIUM`, else chromium on the PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TOKENMAXX_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| ["chromium", "chromium-browser"].map(|n| d.join(n)))
        .find(|p| p.is_file())
}

/// What a headless browser run produces besides its log.
pub enum Mode {
    /// A 1200x2000 screenshot, to this file.
    Screenshot(PathBuf),
    /// The DOM after the page's scripts ran, on stdout.
    DumpDom,
}

/// Open `page` in headless chromium; returns its stdout and the console lines of its log (any
/// `CONSOLE` or `Uncaught` line). None: no browser here (a loud warning; a failure in CI).
fn browse(page: &Path, work: &Path, mode: &Mode) -> Option<(String, Vec<String>)> {
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    browse_url(&url, work, mode, &[])
}

/// Open `url` in headless chromium with `extra` flags; as [`browse`].
pub fn browse_url(
    url: &str,
    work: &Path,
    mode: &Mode,
    extra: &[&str],
) -> Option<(String, Vec<String>)> {
    let Some(browser) = chromium() else {
        let msg = "chromium is not installed: report.html was NOT rendered in a browser \
                   (apt-get install -y chromium, or set TOKENMAXX_CHROMIUM)";
        if std::env::var_os("CI").is_some() {
            panic!("{msg}");
        }
        // Straight to the process's stderr: the test harness captures eprintln! of passing tests.
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), "\n!!!!!!!! WARNING: {msg} !!!!!!!!\n");
        return None;
    };
    let profile = work.join("chromium-profile");
    let _ = std::fs::remove_dir_all(&profile);
    let (log, out) = (work.join("chromium.log"), work.join("chromium.out"));
    let mut cmd = Command::new(&browser);
    cmd.args(BROWSER_FLAGS)
        .arg(format!("--user-data-dir={}", profile.display()));
    match mode {
        Mode::Screenshot(shot) => cmd.arg(format!("--screenshot={}", shot.display())),
        Mode::DumpDom => cmd.arg("--dump-dom"),
    };
    let mut child = cmd
        .args(extra)
        .arg(url)
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", browser.display()));
    let status = wait_for(&mut child, Duration::from_secs(120), url);
    let log = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(status.success(), "chromium failed ({status}):\n{log}");
    if let Mode::Screenshot(shot) = mode {
        assert!(shot.is_file(), "chromium wrote no screenshot:\n{log}");
    }
    let console = log
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .map(str::to_string)
        .collect();
    Some((std::fs::read_to_string(&out).unwrap(), console))
}

const BROWSER_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
    "--window-size=1200,2000",
];

/// Wait for the browser, killing it after `limit`.
fn wait_for(child: &mut std::process::Child, limit: Duration, page: &str) -> ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish in {limit:?} on {page}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Render the report: the screenshot is not blank and the console stays silent.
fn render_in_browser(report: &Path, work: &Path) {
    // First prove the harness sees a broken page's console errors.
    let broken = work.join("broken.html");
    std::fs::write(
        &broken,
        "<!DOCTYPE html><p>x</p><script>missingFunction();</script>",
    )
    .unwrap();
    let broken_shot = Mode::Screenshot(work.join("broken.png"));
    let Some((_, console)) = browse(&broken, work, &broken_shot) else {
        return;
    };
    assert!(
        console.iter().any(|l| l.contains("Uncaught")),
        "the browser log does not show a deliberate script error; console capture is broken"
    );

    let shot = work.join("report.png");
    let (_, console) = browse(report, work, &Mode::Screenshot(shot.clone())).unwrap();
    assert!(
        console.is_empty(),
        "console messages:\n{}",
        console.join("\n")
    );
    let (w, h, rgb) = decode(&shot);
    assert_eq!((w, h), (1200, 2000));
    let first = &rgb[..3];
    assert!(
        rgb.chunks_exact(3).any(|px| px != first),
        "the screenshot is a single colour"
    );
    let ink = charts::ink_share(&rgb);
    assert!(
        ink > 0.02,
        "the screenshot is nearly blank ({:.3} inked)",
        ink
    );
}

#[test]
#[should_panic(expected = "not well-formed")]
fn the_parse_rejects_unbalanced_tags() {
    parse("<html><body><section><p>open</section></body></html>");
}

#[test]
#[should_panic(expected = "points outside the file")]
fn the_scan_rejects_external_references() {
    let text = "<html><body><img src=\"https://cdn.example/x.png\" alt=\"\" /></body></html>";
    assert_self_contained(text, &parse(text));
}

#[test]
fn tables_sort_in_the_browser() {
    let dir = scratch("html-sort");
    let (out, text) = run_report(&dir, &["--no-charts"]);
    // Click the deciles table's "mean tokens" heading twice (descending), then record the order
    // of the first column where --dump-dom shows it.
    let probe = "<script>(function () {
  var t = document.querySelectorAll('table.sortable')[1];
  var th = t.tHead.rows[0].cells[2];
  th.click(); th.click();
  var order = [];
  Array.prototype.forEach.call(t.tBodies[0].rows, function (r) { order.push(r.cells[0].textContent); });
  document.body.setAttribute('data-order', order.join(','));
  document.body.setAttribute('data-sort', th.getAttribute('aria-sort'));
})();</script></body>";
    let page = out.join("probe.html");
    std::fs::write(&page, text.replace("</body>", probe)).unwrap();
    let Some((dom, console)) = browse(&page, &dir, &Mode::DumpDom) else {
        return;
    };
    assert!(
        console.is_empty(),
        "console messages:\n{}",
        console.join("\n")
    );
    assert!(
        dom.contains("data-order=\"10,9,8,7,6,5,4,3,2,1\""),
        "rows not sorted: {}",
        &dom[..dom.len().min(300)]
    );
    assert!(dom.contains("data-sort=\"descending\""));
}

#[test]
fn compare_report_is_well_formed_self_contained_and_renders() {
    let dir = scratch("html_compare");
    let o = tokenmaxx(
        &dir,
        &[
            "compare",
            "baseline",
            "target-only",
            "--replications",
            "3",
            "--employees",
            "300",
            "--weeks",
            "12",
            "--out",
            "out",
            "-q",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let page = dir.join("out/report.html");
    let text = std::fs::read_to_string(&page).expect("compare writes report.html");
    let p = parse(&text);
    assert_self_contained(&text, &p);
    // the comparison chart and, with the default (calibrated) priors, the value of information
    assert_eq!(p.img_srcs.len(), 2, "both charts are embedded");
    let verdict = std::fs::read_to_string(dir.join("out/verdict.txt")).unwrap();
    for line in verdict.lines() {
        assert!(
            p.li_text.iter().any(|l| l == line),
            "verdict line missing: {line}"
        );
    }
    assert!(
        p.pre_text.len() >= 2,
        "each scenario's file is in the report"
    );
    render_in_browser(&page, &dir);
}

const TINY: &str = "extends = \"target-only\"\nemployees = 200\nweeks = 8\n[[timeline]]\nweek = 2\nleaderboard = { scope = \"org\", visibility = \"public\" }\n";

/// A scratch folder holding tiny.toml and the spec `name` with `text`.
fn batch_setup(dir_name: &str, name: &str, text: &str) -> PathBuf {
    scratch_with(dir_name, &[("tiny.toml", TINY), (name, text)])
}

#[test]
fn sweep_report_names_highest_and_lowest_points_and_is_written_only_where_the_tables_are() {
    let spec = "name = \"g\"\nbase = \"tiny.toml\"\nreplications = 2\nseed = 5\n[parameters]\n\"behaviour.status_weight\" = [0.0, 4.0]\n\"behaviour.norm_weight\" = [0.0, 0.8]\n";
    let dir = batch_setup("html_sweep", "sweep.toml", spec);
    let o = tokenmaxx(&dir, &["sweep", "sweep.toml", "-q", "--out", "out"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = dir.join("out");
    let text = check_report(
        &out,
        &["points.png", "heatmap.png"],
        spec,
        "is highest at point",
        5,
        "sweep sweep.toml -q --out out",
    );
    assert!(text.contains("points.csv") && text.contains("base.toml"));
    let base = std::fs::read_to_string(out.join("base.toml")).unwrap();
    assert!(
        text.contains(&html::escape(&base)),
        "the resolved base scenario is missing"
    );
    render_in_browser(&out.join("report.html"), &dir);

    // Shards write only their runs; the merge writes the report.
    for k in ["0/2", "1/2"] {
        let shard = format!("s{}", &k[..1]);
        let o = tokenmaxx(
            &dir,
            &[
                "sweep",
                "sweep.toml",
                "--shard",
                k,
                "-q",
                "--no-charts",
                "--out",
                &shard,
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(
            !dir.join(&shard).join("report.html").exists(),
            "a shard wrote report.html"
        );
    }
    let o = tokenmaxx(&dir, &["merge", "s0", "s1", "--no-charts", "--out", "m"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let merged =
        std::fs::read_to_string(dir.join("m/report.html")).expect("merge writes report.html");
    assert!(merged.contains("Charts were skipped"));
}

#[test]
fn sensitivity_report_ranks_the_parameters_of_each_figure() {
    let spec = "name = \"m\"\nbase = \"tiny.toml\"\nmethod = \"morris\"\ntrajectories = 3\nreplications = 1\nseed = 4\nfigures = [\"output_uplift\", \"median_weekly_tokens_per_user\"]\n[parameters]\n\"behaviour.uplift\" = { low = 0.3, high = 1.2 }\n\"behaviour.token_scale\" = { low = 4e6, high = 2e7 }\n";
    let dir = batch_setup("html_sensitivity", "m.toml", spec);
    let o = tokenmaxx(&dir, &["sensitivity", "m.toml", "-q", "--out", "out"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let charts = [
        "indices_output_uplift.png",
        "indices_median_weekly_tokens_per_user.png",
    ];
    let text = check_report(
        &dir.join("out"),
        &charts,
        spec,
        "Output over working without AI depends most on behaviour.uplift",
        4,
        "sensitivity m.toml",
    );
    assert!(text.contains("indices.csv"));
}

#[test]
fn calibration_report_gives_the_best_values_and_the_fit_against_each_target() {
    let spec = "name = \"c\"\nbase = \"tiny.toml\"\nreplications = 1\nseed = 9\nbudget = 8\npopulation = 4\n[parameters]\n\"behaviour.uplift\" = { low = 0.3, high = 1.2 }\n[[targets]]\nfigure = \"output_uplift\"\nvalue = 0.1\ntolerance = 0.01\n";
    let dir = batch_setup("html_calibrate", "c.toml", spec);
    let o = tokenmaxx(&dir, &["calibrate", "c.toml", "-q", "--out", "out"]);
    assert!(matches!(o.status.code(), Some(0 | 4)), "{}", stderr(&o));
    let out = dir.join("out");
    let text = check_report(
        &out,
        &["loss.png", "fit.png"],
        spec,
        "The best fit came at evaluation",
        9,
        "calibrate c.toml",
    );
    let best = std::fs::read_to_string(out.join("best.toml")).unwrap();
    assert!(text.contains(&html::escape(&best)), "best.toml is missing");
    assert!(text.contains("fit.csv") && text.contains("against the target 10.00%"));
}

#[test]
fn fork_report_sets_base_and_fork_side_by_side() {
    let dir = scratch("html_fork");
    let o = tokenmaxx(
        &dir,
        &[
            "run",
            "amazon-2026",
            "--employees",
            "300",
            "--weeks",
            "16",
            "--events",
            "--no-charts",
            "-q",
            "--out",
            "base",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = tokenmaxx(
        &dir,
        &[
            "fork",
            "base",
            "--at",
            "8",
            "--scenario",
            "least-privilege",
            "-q",
            "--out",
            "fork",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.join("fork");
    let text = std::fs::read_to_string(out.join("report.html")).expect("fork writes report.html");
    let p = parse(&text);
    assert_self_contained(&text, &p);
    let mut files = vec!["fork_vs_base.png"];
    files.extend(charts::FILES);
    assert_embeds(&out, &p, &files);
    assert!(
        p.li_text
            .iter()
            .any(|l| l.starts_with("Padding share of all tokens: base ")),
        "{:?}",
        p.li_text
    );
    assert_eq!(
        p.pre_text.len(),
        2,
        "the base run's and the fork's scenario"
    );
    for needle in [
        "fork_vs_base.csv",
        "Policy timeline of the fork",
        "fork base --at 8",
        "<dt>seed</dt><dd>42</dd>",
    ] {
        assert!(text.contains(needle), "report.html lacks {needle:?}");
    }
}
