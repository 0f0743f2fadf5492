//! Tables of a run as polars DataFrames (the Python package's tables; a run writes its files
//! from [`super::run`], byte for byte as polars writes these), the polars CSV writer the tests
//! hold [`super::output`]'s CSV to, and the atomic write of a file. Column names are exactly
//! those of docs/model.md.

use std::fs;
use std::io::Write;
use std::path::Path;

use polars::prelude::*;

use super::ReportError;
use crate::projections::{AgentRow, DecileRow, WeeklyRow};

fn table_err(table: &str) -> impl FnOnce(PolarsError) -> ReportError + '_ {
    move |e| ReportError::Table {
        table: table.to_string(),
        message: e.to_string(),
    }
}

fn col<T: ?Sized, V>(name: &str, values: V) -> Column
where
    Series: NamedFrom<V, T>,
{
    Column::from(Series::new(name.into(), values))
}

/// The columns of weekly.csv, in order.
pub const WEEKLY_COLUMNS: &[&str] = &[
    "week",
    "employees",
    "reported_active_share",
    "genuine_active_share",
    "target_met",
    "tokens_total",
    "tokens_genuine",
    "tokens_padding",
    "tokens_bot",
    "padding_share",
    "output_total",
    "output_uplift",
    "value_uplift",
    "cost_usd",
    "cost_per_output_unit",
    "roi",
    "incidents",
    "incident_cost",
    "rework_cost",
    "noise_cost",
    "padding_time_cost",
    "net_value_usd",
    "perceived_uplift",
    "measured_uplift",
    "say_faster_share",
    "are_faster_share",
    "mean_monitoring",
    "bots_deployed",
    "leaderboard",
    "visibility",
    "token_gini_all",
    "cumulative_net_value_usd",
    "cumulative_net_value_discounted_usd",
    "work_merged",
    "unreviewed_share",
    "work_abandoned",
    "review_load",
    "defects_escaped",
    "quality_cost",
    "split_share",
];

/// weekly.csv as a DataFrame.
pub fn weekly_frame(rows: &[WeeklyRow]) -> Result<DataFrame, ReportError> {
    let f = |g: fn(&WeeklyRow) -> f64| rows.iter().map(g).collect::<Vec<f64>>();
    let o = |g: fn(&WeeklyRow) -> Option<f64>| rows.iter().map(g).collect::<Vec<Option<f64>>>();
    let u = |g: fn(&WeeklyRow) -> u32| rows.iter().map(g).collect::<Vec<u32>>();
    let columns = vec![
        col("week", u(|r| r.week)),
        col("employees", u(|r| r.employees)),
        col("reported_active_share", f(|r| r.reported_active_share)),
        col("genuine_active_share", f(|r| r.genuine_active_share)),
        col(
            "target_met",
            rows.iter().map(|r| r.target_met).collect::<Vec<bool>>(),
        ),
        col("tokens_total", f(|r| r.tokens_total)),
        col("tokens_genuine", f(|r| r.tokens_genuine)),
        col("tokens_padding", f(|r| r.tokens_padding)),
        col("tokens_bot", f(|r| r.tokens_bot)),
        col("padding_share", f(|r| r.padding_share)),
        col("output_total", f(|r| r.output_total)),
        col("output_uplift", f(|r| r.output_uplift)),
        col("value_uplift", f(|r| r.value_uplift)),
        col("cost_usd", f(|r| r.cost_usd)),
        col("cost_per_output_unit", o(|r| r.cost_per_output_unit)),
        col("roi", o(|r| r.roi)),
        col("incidents", u(|r| r.incidents)),
        col("incident_cost", f(|r| r.incident_cost)),
        col("rework_cost", f(|r| r.rework_cost)),
        col("noise_cost", f(|r| r.noise_cost)),
        col("padding_time_cost", f(|r| r.padding_time_cost)),
        col("net_value_usd", f(|r| r.net_value_usd)),
        col("perceived_uplift", f(|r| r.perceived_uplift)),
        col("measured_uplift", f(|r| r.measured_uplift)),
        col("say_faster_share", f(|r| r.say_faster_share)),
        col("are_faster_share", f(|r| r.are_faster_share)),
        col("mean_monitoring", f(|r| r.mean_monitoring)),
        col("bots_deployed", u(|r| r.bots_deployed)),
        col(
            "leaderboard",
            rows.iter()
                .map(WeeklyRow::leaderboard_word)
                .collect::<Vec<&str>>(),
        ),
        col(
            "visibility",
            rows.iter()
                .map(WeeklyRow::visibility_word)
                .collect::<Vec<&str>>(),
        ),
        col("token_gini_all", f(|r| r.token_gini_all)),
        col(
            "cumulative_net_value_usd",
            f(|r| r.cumulative_net_value_usd),
        ),
        col(
            "cumulative_net_value_discounted_usd",
            f(|r| r.cumulative_net_value_discounted_usd),
        ),
        col("work_merged", f(|r| r.delivery.work_merged)),
        col("unreviewed_share", f(|r| r.delivery.unreviewed_share)),
        col("work_abandoned", f(|r| r.delivery.work_abandoned)),
        col("review_load", f(|r| r.delivery.review_load)),
        col("defects_escaped", f(|r| r.delivery.defects_escaped)),
        col("quality_cost", f(|r| r.delivery.quality_cost)),
        col("split_share", f(|r| r.split_share)),
    ];
    DataFrame::new_infer_height(columns).map_err(table_err("weekly"))
}

/// The columns of agents.csv, in order.
pub const AGENT_COLUMNS: &[&str] = &[
    "agent",
    "team",
    "group",
    "skill",
    "ai_fit",
    "proficiency",
    "has_bot",
    "tokens_total",
    "tokens_genuine",
    "tokens_padding",
    "output_total",
    "output_uplift",
    "incidents",
    "token_decile",
];

/// agents.csv as a DataFrame.
pub fn agents_frame(rows: &[AgentRow]) -> Result<DataFrame, ReportError> {
    let f = |g: fn(&AgentRow) -> f64| rows.iter().map(g).collect::<Vec<f64>>();
    let u = |g: fn(&AgentRow) -> u32| rows.iter().map(g).collect::<Vec<u32>>();
    let columns = vec![
        col("agent", u(|r| r.agent)),
        col("team", u(|r| r.team)),
        col(
            "group",
            rows.iter().map(|r| &*r.group).collect::<Vec<&str>>(),
        ),
        col("skill", f(|r| r.skill)),
        col("ai_fit", f(|r| r.ai_fit)),
        col("proficiency", f(|r| r.proficiency)),
        col(
            "has_bot",
            rows.iter().map(|r| r.has_bot).collect::<Vec<bool>>(),
        ),
        col("tokens_total", f(|r| r.tokens_total)),
        col("tokens_genuine", f(|r| r.tokens_genuine)),
        col("tokens_padding", f(|r| r.tokens_padding)),
        col("output_total", f(|r| r.output_total)),
        col("output_uplift", f(|r| r.output_uplift)),
        col("incidents", u(|r| r.incidents)),
        col("token_decile", u(|r| r.token_decile as u32)),
    ];
    DataFrame::new_infer_height(columns).map_err(table_err("agents"))
}

/// deciles.csv as a DataFrame.
pub fn deciles_frame(rows: &[DecileRow]) -> Result<DataFrame, ReportError> {
    let f = |g: fn(&DecileRow) -> f64| rows.iter().map(g).collect::<Vec<f64>>();
    let columns = vec![
        col(
            "decile",
            rows.iter().map(|r| r.decile as u32).collect::<Vec<u32>>(),
        ),
        col(
            "agents",
            rows.iter().map(|r| r.agents).collect::<Vec<u32>>(),
        ),
        col("mean_tokens", f(|r| r.mean_tokens)),
        col("mean_output", f(|r| r.mean_output)),
        col("token_ratio", f(|r| r.token_ratio)),
        col("output_ratio", f(|r| r.output_ratio)),
    ];
    DataFrame::new_infer_height(columns).map_err(table_err("deciles"))
}

/// The cells of a text column, in order.
fn text_cells(ca: &StringChunked) -> impl Iterator<Item = Option<&str>> {
    (0..ca.len()).map(|i| ca.get(i))
}

/// `df` with every text cell made safe for a spreadsheet ([`super::cells::text_cell`]); number
/// columns are untouched. None when no cell needed it (the frame is written as it is).
fn neutralised(df: &DataFrame) -> PolarsResult<Option<DataFrame>> {
    let risky = |c: &Column| -> PolarsResult<bool> {
        Ok(c.dtype() == &DataType::String
            && text_cells(c.str()?)
                .flatten()
                .any(|v| matches!(super::cells::text_cell(v), std::borrow::Cow::Owned(_))))
    };
    let mut any = false;
    for c in df.columns() {
        any |= risky(c)?;
    }
    if !any {
        return Ok(None);
    }
    let columns = df
        .columns()
        .iter()
        .map(|c| {
            if c.dtype() != &DataType::String {
                return Ok(c.clone());
            }
            let safe: StringChunked = text_cells(c.str()?)
                .map(|v| v.map(super::cells::text_cell))
                .collect();
            Ok(safe.with_name(c.name().clone()).into_column())
        })
        .collect::<PolarsResult<Vec<Column>>>()?;
    DataFrame::new(df.height(), columns).map(Some)
}

/// Write a DataFrame as CSV (header, empty field for nulls). Text cells that a spreadsheet would
/// run as a formula get a leading `'` ([`super::cells`]); fields are quoted where needed.
pub fn write_csv(path: &Path, df: &mut DataFrame) -> Result<(), ReportError> {
    let table_err = |e: PolarsError| ReportError::Table {
        table: path.display().to_string(),
        message: e.to_string(),
    };
    let mut safe = neutralised(df).map_err(table_err)?;
    let df = safe.as_mut().unwrap_or(df);
    let file = fs::File::create(path).map_err(|source| ReportError::Io {
        path: path.into(),
        source,
    })?;
    let mut w = std::io::BufWriter::new(file);
    CsvWriter::new(&mut w)
        .include_header(true)
        .finish(df)
        .map_err(table_err)?;
    w.flush().map_err(|source| ReportError::Io {
        path: path.into(),
        source,
    })
}

/// The temporary sibling a file is written to before its rename: `.NAME.tmp-PID`.
fn tmp_path(path: &Path) -> std::path::PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(crate::paths::temp_name(&name))
}

/// Write `path` through `write` into a temporary file in the same folder, then rename it; the
/// temporary file is removed if either step fails (a full disk leaves nothing behind).
fn via_tmp(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<(), ReportError>,
) -> Result<(), ReportError> {
    let tmp = tmp_path(path);
    let done = write(&tmp).and_then(|()| {
        fs::rename(&tmp, path).map_err(|source| ReportError::Io {
            path: path.into(),
            source,
        })
    });
    if done.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    done
}

/// Write `bytes` to `path` via a temporary file in the same folder and a rename.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    via_tmp(path, |tmp| {
        fs::write(tmp, bytes).map_err(|source| ReportError::Io {
            path: tmp.into(),
            source,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_no_temporary_file() {
        let dir = std::env::temp_dir().join(format!("tmx-tables-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("runs.csv");
        let e = via_tmp(&path, |tmp| {
            fs::write(tmp, "partial").unwrap();
            Err(ReportError::Table {
                table: "runs.csv".into(),
                message: "No space left on device".into(),
            })
        });
        assert!(e.is_err());
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 0);
        atomic_write(&path, b"whole").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"whole");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }
}
