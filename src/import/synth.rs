//! A synthetic usage export made from a simulated run (a known scenario and seed), in both
//! formats, with its roster: what `examples/org/` ships and what the round-trip tests import.
//!
//! Each person-week's tokens (rounded to whole tokens) are spread over Monday to Friday with
//! fixed weights (30, 25, 20, 15, 10%), split into token parts (40% input, 10% output, 45% cache
//! reads, the rest cache writes), and priced at the scenario's price in whole cents a day. The
//! week's output units become `lines_added` (x 120), `commits` (x 3) and pull requests (x 0.8),
//! spread the same way. Only days with tokens have a row, as in a real usage export.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use super::ImportError;
use super::dates;
use super::panel::Panel;

/// File names written.
pub const CSV: &str = "usage.csv";
pub const JSONL: &str = "usage.claude_code.jsonl";
pub const ROSTER: &str = "roster.csv";

const DAY_WEIGHTS: [f64; 5] = [0.30, 0.25, 0.20, 0.15, 0.10];
const OUTCOME_SCALE: [f64; 3] = [120.0, 3.0, 0.8];
/// Records per JSON page (the API's maximum `limit`).
const PAGE: usize = 1000;

/// The e-mail address of synthetic person `i`.
pub fn email(i: usize) -> String {
    format!("person{i:05}@example.com")
}

/// Split a whole number over the weekdays by [`DAY_WEIGHTS`] (remainder on Monday).
fn spread(total: f64) -> [u64; 5] {
    let total = total.round().max(0.0) as u64;
    let mut parts = DAY_WEIGHTS.map(|w| (total as f64 * w).floor() as u64);
    parts[0] += total - parts.iter().sum::<u64>();
    parts
}

/// One person-day of the export.
struct Day {
    person: usize,
    day: i64,
    tokens: [u64; 4],
    cents: u64,
    outcomes: [u64; 3],
}

/// The export's person-days, by day then person.
fn days(p: &Panel, usd_per_token: f64) -> Vec<Day> {
    let nw = p.weeks.len();
    let output = p.outcomes.first().map(|(_, v)| v.as_slice());
    let mut out = Vec::new();
    for (w, &monday) in p.weeks.iter().enumerate() {
        let mut week: Vec<Vec<Day>> = (0..5).map(|_| Vec::new()).collect();
        for i in 0..p.people() {
            let t = spread(p.tokens[i * nw + w]);
            let o = output.map_or(0.0, |o| o[i * nw + w]);
            let outs = OUTCOME_SCALE.map(|s| spread(o * s));
            for (d, &tokens) in t.iter().enumerate().filter(|(_, t)| **t > 0) {
                let input = tokens * 4 / 10;
                let output = tokens / 10;
                let cache_read = tokens * 45 / 100;
                week[d].push(Day {
                    person: i,
                    day: monday + d as i64,
                    tokens: [
                        input,
                        output,
                        cache_read,
                        tokens - input - output - cache_read,
                    ],
                    cents: (tokens as f64 * usd_per_token * 100.0).round() as u64,
                    outcomes: [outs[0][d], outs[1][d], outs[2][d]],
                });
            }
        }
        out.extend(week.into_iter().flatten());
    }
    out
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> ImportError + '_ {
    move |source| ImportError::write(path, source)
}

/// Write usage.csv, usage.claude_code.jsonl and roster.csv of a simulated panel into `dir`.
pub fn write(dir: &Path, p: &Panel, price_usd_per_mtok: f64) -> Result<(), ImportError> {
    let days = days(p, price_usd_per_mtok / 1e6);
    let path = dir.join(ROSTER);
    let mut roster = String::from("person,group,team\n");
    for i in 0..p.people() {
        let team = p.team[i]
            .map(|t| format!("team-{t:04}"))
            .unwrap_or_default();
        writeln!(
            roster,
            "{},{},{team}",
            email(i),
            p.groups[p.group[i] as usize]
        )
        .expect("string");
    }
    std::fs::write(&path, roster).map_err(io(&path))?;
    write_csv(&dir.join(CSV), p, &days)?;
    write_jsonl(&dir.join(JSONL), &days)
}

fn write_csv(path: &Path, p: &Panel, days: &[Day]) -> Result<(), ImportError> {
    let f = std::fs::File::create(path).map_err(io(path))?;
    let mut w = std::io::BufWriter::new(f);
    let mut text = String::from(
        "person,date,group,team,input_tokens,output_tokens,cache_read_tokens,cache_creation_tokens,cost_usd,lines_added,commits,prs_merged\n",
    );
    for d in days {
        let team = p.team[d.person]
            .map(|t| format!("team-{t:04}"))
            .unwrap_or_default();
        let [a, b, c, e] = d.tokens;
        let [l, m, n] = d.outcomes;
        writeln!(
            text,
            "{},{},{},{team},{a},{b},{c},{e},{}.{:02},{l},{m},{n}",
            email(d.person),
            dates::date_label(d.day),
            p.groups[p.group[d.person] as usize],
            d.cents / 100,
            d.cents % 100
        )
        .expect("string");
        if text.len() > 1 << 20 {
            w.write_all(text.as_bytes()).map_err(io(path))?;
            text.clear();
        }
    }
    w.write_all(text.as_bytes()).map_err(io(path))?;
    w.flush().map_err(io(path))
}

fn record(d: &Day) -> serde_json::Value {
    let [input, output, cache_read, cache_creation] = d.tokens;
    serde_json::json!({
        "actor": { "type": "user_actor", "email_address": email(d.person) },
        "core_metrics": {
            "commits_by_claude_code": d.outcomes[1],
            "lines_of_code": { "added": d.outcomes[0], "removed": d.outcomes[0] / 3 },
            "num_sessions": 1 + (input + output) / 2_000_000,
            "pull_requests_by_claude_code": d.outcomes[2],
        },
        "customer_type": "subscription",
        "date": format!("{}T00:00:00Z", dates::date_label(d.day)),
        "model_breakdown": [{
            "estimated_cost": { "amount": d.cents, "currency": "USD" },
            "model": "claude-sonnet-4-20250514",
            "tokens": { "cache_creation": cache_creation, "cache_read": cache_read, "input": input, "output": output },
        }],
        "organization_id": "00000000-0000-4000-8000-000000000000",
        "subscription_type": "enterprise",
        "terminal_type": "vscode",
        "tool_actions": {},
    })
}

/// The records as the API pages them: per day, at most [`PAGE`] records a page, one page a line.
fn write_jsonl(path: &Path, days: &[Day]) -> Result<(), ImportError> {
    let f = std::fs::File::create(path).map_err(io(path))?;
    let mut w = std::io::BufWriter::new(f);
    for same_day in days.chunk_by(|a, b| a.day == b.day) {
        let pages: Vec<&[Day]> = same_day.chunks(PAGE).collect();
        for (k, page) in pages.iter().enumerate() {
            let more = k + 1 < pages.len();
            let next = more.then(|| format!("page_{}_{}", dates::date_label(page[0].day), k + 1));
            let value = serde_json::json!({
                "data": page.iter().map(record).collect::<Vec<_>>(),
                "has_more": more,
                "next_page": next,
            });
            serde_json::to_writer(&mut w, &value).map_err(|e| io(path)(e.into()))?;
            w.write_all(b"\n").map_err(io(path))?;
        }
    }
    w.flush().map_err(io(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreading_keeps_the_total() {
        for t in [0.0, 1.0, 7.4, 12_345_678.9] {
            assert_eq!(spread(t).iter().sum::<u64>(), t.round() as u64);
        }
        assert_eq!(spread(100.0), [30, 25, 20, 15, 10]);
    }

    #[test]
    fn a_write_that_fails_names_the_file_as_before() {
        // The import layer writes with its own error (it names no report type), worded as the
        // report's was, and an import error exits 2 like it.
        let s = crate::model::testkit::sized("baseline", 20, 2);
        let panel = crate::import::panel::simulated(&s, 0);
        let dir = std::env::temp_dir().join(format!("tmx-no-such-{}/x", std::process::id()));
        let e = write(&dir, &panel, 1.0).unwrap_err();
        assert!(matches!(e, ImportError::Write { .. }), "{e:?}");
        let want = format!("cannot write {}: ", dir.join(ROSTER).display());
        assert!(e.to_string().starts_with(&want), "{e}");
    }
}
