//! The output of `tokenmaxx run` as one value ([`super::output::Output`]): weekly.csv,
//! agents.csv and deciles.csv as typed tables (in [`Form::Typed`], the form these files have
//! always had), summary.json, the five charts with how to read them, and report.html
//! ([`super::run_html`]). `cli/run.rs` writes it; `fork` and `replay` write its tables.

use std::path::Path;

use super::ReportError;
use super::output::{Chart, Column, Form, Output, Table, Values};
use super::run_html::{self, CHART_GUIDE};
use crate::projections::figures::Unit::{self, *};
use crate::projections::{AgentRow, DecileRow, Projections, Summary, WeeklyRow};
use crate::scenario::Scenario;

/// The output of a run: its tables, summary.json, its charts (none with `no_charts`: the report
/// says they were skipped) and report.html (`command`: the command line in its footer).
pub fn output<'a>(
    p: &'a Projections,
    scenario: &Scenario,
    no_charts: bool,
    command: &str,
) -> Result<Output<'a>, ReportError> {
    let (report, charts_at) = run_html::body(p, scenario, no_charts, command);
    Ok(Output {
        headline: p.summary.headline(),
        headline_file: None,
        tables: tables(p),
        charts: if no_charts { Vec::new() } else { charts(p) },
        files: vec![("summary.json", summary_json(&p.summary)?)],
        parquet: Vec::new(),
        report,
        charts_at,
    })
}

/// weekly.csv, agents.csv and deciles.csv.
pub fn tables(p: &Projections) -> Vec<Table> {
    vec![weekly(&p.weekly), agents(&p.agents), deciles(&p.deciles)]
}

/// Write one of a run's tables (`weekly.csv`, `agents.csv`, `deciles.csv` or `summary.json`,
/// as [`output`] writes them) into `out` (`replay` checks it against the stored file as it is
/// rendered, and with `--out` writes it in the same pass); false for another name.
pub fn write_table_to(
    p: &Projections,
    file: &str,
    mut out: impl std::io::Write,
) -> Result<bool, ReportError> {
    let io = |source| ReportError::Io {
        path: file.into(),
        source,
    };
    let table = match file {
        "summary.json" => {
            let text = summary_json(&p.summary)?;
            return out.write_all(text.as_bytes()).map(|_| true).map_err(io);
        }
        "weekly.csv" => weekly(&p.weekly),
        "agents.csv" => agents(&p.agents),
        "deciles.csv" => deciles(&p.deciles),
        _ => return Ok(false),
    };
    table.write_to(&mut out).map(|_| true).map_err(io)
}

/// summary.json: pretty, in the fields' order, ending with a line break.
pub fn summary_json(summary: &Summary) -> Result<String, ReportError> {
    serde_json::to_string_pretty(summary)
        .map(|text| text + "\n")
        .map_err(|e| ReportError::Table {
            table: "summary".into(),
            message: e.to_string(),
        })
}

/// The charts of a run, in the report's order, each drawn from the projections.
pub fn charts(p: &Projections) -> Vec<Chart<'_>> {
    CHART_GUIDE
        .iter()
        .map(|&(file, heading, read)| {
            let k = super::charts::FILES
                .iter()
                .position(|f| *f == file)
                .expect("every chart of the guide is drawn");
            Chart {
                file: file.into(),
                heading: heading.into(),
                read,
                alt: format!("{heading} ({file})"),
                draw: Some(Box::new(move |path: &Path| super::charts::draw(k, path, p))),
                skipped: None,
            }
        })
        .collect()
}

/// A number column of `rows` read by `get`, in `unit`.
fn num<R>(rows: &[R], name: &str, unit: Unit, get: fn(&R) -> f64) -> Column {
    Column::number(name, Some(unit), rows.iter().map(get).collect())
}

/// A count column of `rows` read by `get`.
fn whole<R>(rows: &[R], name: &str, get: fn(&R) -> u64) -> Column {
    Column::whole(name, rows.iter().map(get).collect())
}

/// weekly.csv: a row per week, the columns of [`super::tables::WEEKLY_COLUMNS`].
pub fn weekly(rows: &[WeeklyRow]) -> Table {
    let n = |name, unit, get| num(rows, name, unit, get);
    let w = |name, get| whole(rows, name, get);
    let undefined = |get: fn(&WeeklyRow) -> Option<f64>| {
        rows.iter().map(|r| get(r).unwrap_or(f64::NAN)).collect()
    };
    let text = |get: fn(&WeeklyRow) -> &'static str| rows.iter().map(|r| get(r).into()).collect();
    let columns = vec![
        w("week", |r| r.week.into()),
        w("employees", |r| r.employees.into()),
        n("reported_active_share", Share, |r| r.reported_active_share),
        n("genuine_active_share", Share, |r| r.genuine_active_share),
        Column::flag("target_met", rows.iter().map(|r| r.target_met).collect()),
        n("tokens_total", Tokens, |r| r.tokens_total),
        n("tokens_genuine", Tokens, |r| r.tokens_genuine),
        n("tokens_padding", Tokens, |r| r.tokens_padding),
        n("tokens_bot", Tokens, |r| r.tokens_bot),
        n("padding_share", Share, |r| r.padding_share),
        n("output_total", PersonWeeks, |r| r.output_total),
        n("output_uplift", Share, |r| r.output_uplift),
        n("value_uplift", Share, |r| r.value_uplift),
        n("cost_usd", Usd, |r| r.cost_usd),
        Column::number(
            "cost_per_output_unit",
            Some(Usd),
            undefined(|r| r.cost_per_output_unit),
        ),
        Column::number("roi", Some(UsdPerUsd), undefined(|r| r.roi)),
        w("incidents", |r| r.incidents.into()),
        n("incident_cost", PersonWeeks, |r| r.incident_cost),
        n("rework_cost", PersonWeeks, |r| r.rework_cost),
        n("noise_cost", PersonWeeks, |r| r.noise_cost),
        n("padding_time_cost", PersonWeeks, |r| r.padding_time_cost),
        n("net_value_usd", Usd, |r| r.net_value_usd),
        n("perceived_uplift", Share, |r| r.perceived_uplift),
        n("measured_uplift", Share, |r| r.measured_uplift),
        n("say_faster_share", Share, |r| r.say_faster_share),
        n("are_faster_share", Share, |r| r.are_faster_share),
        n("mean_monitoring", Share, |r| r.mean_monitoring),
        w("bots_deployed", |r| r.bots_deployed.into()),
        Column::text("leaderboard", text(WeeklyRow::leaderboard_word)),
        Column::text("visibility", text(WeeklyRow::visibility_word)),
        n("token_gini_all", Index, |r| r.token_gini_all),
        n("cumulative_net_value_usd", Usd, |r| {
            r.cumulative_net_value_usd
        }),
        n("cumulative_net_value_discounted_usd", Usd, |r| {
            r.cumulative_net_value_discounted_usd
        }),
        n("work_merged", PersonWeeks, |r| r.delivery.work_merged),
        n("unreviewed_share", Share, |r| r.delivery.unreviewed_share),
        n("work_abandoned", PersonWeeks, |r| r.delivery.work_abandoned),
        n("review_load", Ratio, |r| r.delivery.review_load),
        n("defects_escaped", Count("defects"), |r| {
            r.delivery.defects_escaped
        }),
        n("quality_cost", PersonWeeks, |r| r.delivery.quality_cost),
        n("split_share", Share, |r| r.split_share),
    ];
    Table {
        file: "weekly.csv",
        columns,
        form: Form::Typed,
    }
}

/// agents.csv: a row per employee, the columns of [`super::tables::AGENT_COLUMNS`].
pub fn agents(rows: &[AgentRow]) -> Table {
    let n = |name, unit, get| num(rows, name, unit, get);
    let w = |name, get| whole(rows, name, get);
    let columns = vec![
        w("agent", |r| r.agent.into()),
        w("team", |r| r.team.into()),
        Column::new(
            "group",
            None,
            Values::Shared(rows.iter().map(|r| r.group.clone()).collect()),
        ),
        n("skill", Index, |r| r.skill),
        n("ai_fit", Index, |r| r.ai_fit),
        n("proficiency", Index, |r| r.proficiency),
        Column::flag("has_bot", rows.iter().map(|r| r.has_bot).collect()),
        n("tokens_total", Tokens, |r| r.tokens_total),
        n("tokens_genuine", Tokens, |r| r.tokens_genuine),
        n("tokens_padding", Tokens, |r| r.tokens_padding),
        n("output_total", PersonWeeks, |r| r.output_total),
        n("output_uplift", Share, |r| r.output_uplift),
        w("incidents", |r| r.incidents.into()),
        w("token_decile", |r| r.token_decile.into()),
    ];
    Table {
        file: "agents.csv",
        columns,
        form: Form::Typed,
    }
}

/// deciles.csv: a row per tenth of users by tokens.
pub fn deciles(rows: &[DecileRow]) -> Table {
    let n = |name, unit, get| num(rows, name, unit, get);
    let columns = vec![
        whole(rows, "decile", |r| r.decile.into()),
        whole(rows, "agents", |r| r.agents.into()),
        n("mean_tokens", Tokens, |r| r.mean_tokens),
        n("mean_output", PersonWeeks, |r| r.mean_output),
        n("token_ratio", Ratio, |r| r.token_ratio),
        n("output_ratio", Ratio, |r| r.output_ratio),
    ];
    Table {
        file: "deciles.csv",
        columns,
        form: Form::Typed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run's table as polars writes it (the writer these files had before).
    fn by_polars(mut df: polars::prelude::DataFrame) -> String {
        let dir = std::env::temp_dir().join(format!("tokenmaxx-run-table-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.csv");
        super::super::tables::write_csv(&path, &mut df).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        text
    }

    #[test]
    fn a_run_s_tables_are_written_byte_for_byte_as_polars_wrote_them() {
        // given a small run with hostile group names and an undefined weekly value, when its
        // tables are written, then each is byte-identical to polars' CSV of the same rows
        use super::super::tables::{agents_frame, deciles_frame, weekly_frame};
        let scenario = crate::model::testkit::sized("amazon-2026", 300, 14);
        let mut p = crate::simulate(&scenario, 0);
        let names = [
            "=1+1",
            "a,b",
            "say \"hi\"",
            "",
            "-0.5",
            "line\nbreak",
            "plain",
        ];
        for (a, name) in p.agents.iter_mut().zip(names.iter().cycle()) {
            a.group = (*name).into();
        }
        p.agents[1].skill = 1e-7;
        p.agents[2].skill = 3.0;
        p.agents[3].tokens_total = 1e21;
        p.weekly[0].roi = None;
        let t = tables(&p);
        assert_eq!(t[0].csv(), by_polars(weekly_frame(&p.weekly).unwrap()));
        assert_eq!(t[1].csv(), by_polars(agents_frame(&p.agents).unwrap()));
        assert_eq!(t[2].csv(), by_polars(deciles_frame(&p.deciles).unwrap()));
        let names: Vec<&str> = t[0].columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, super::super::tables::WEEKLY_COLUMNS);
    }
}
