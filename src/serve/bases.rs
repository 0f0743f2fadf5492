//! The bases the page may start from: every built-in scenario and the scenarios named on the
//! command line, each resolved once at start-up into a merged table. Nothing a request says ever
//! reaches the file system: it names a base by its index in this list.

use serde::Serialize;
use tokenmaxx::scenario::load::resolve;
use tokenmaxx::scenario::{Overrides, Scenario, Source, builtin};

/// A scenario the page may start from.
pub struct Base {
    pub name: String,
    /// The merged table (defaults and `extends` applied): a scenario file with no `extends`.
    pub table: toml::Table,
    /// What the page shows and edits of it.
    pub shown: Shown,
    /// Its policy changes, validated (a page's settings that give the same are unchanged).
    pub timeline: Vec<tokenmaxx::scenario::ScheduledChange>,
}

/// A base as the page needs it: its size, seed, groups and policy changes (JSON, as written).
#[derive(Debug, Clone, Serialize)]
pub struct Shown {
    pub name: String,
    pub from: String,
    pub description: String,
    pub seed: u64,
    pub employees: u32,
    pub weeks: u32,
    pub groups: Vec<String>,
    pub policy: serde_json::Value,
    pub timeline: serde_json::Value,
}

/// The built-ins, then each of `specs` not already among them, each validated (a file that does
/// not load stops the server before it starts, with the file's own error).
pub fn load(specs: &[String]) -> anyhow::Result<Vec<Base>> {
    let mut sources: Vec<(Source, String)> = builtin::names()
        .map(|n| (Source::Builtin(n.into()), "built-in".to_string()))
        .collect();
    for spec in specs {
        let source = Source::parse(spec);
        if !sources.iter().any(|(s, _)| *s == source) {
            sources.push((source.clone(), source.describe()));
        }
    }
    sources
        .into_iter()
        .map(|(source, from)| base(&source, from))
        .collect()
}

fn base(source: &Source, from: String) -> anyhow::Result<Base> {
    let resolved = resolve(source)?;
    let (s, _) = Scenario::from_table(
        resolved.table.clone(),
        &resolved.file,
        &Overrides::default(),
    )?;
    let table = resolved.table;
    let json = |key: &str, empty: serde_json::Value| {
        table
            .get(key)
            .and_then(|v| serde_json::to_value(v).ok())
            .unwrap_or(empty)
    };
    let shown = Shown {
        name: s.name.clone(),
        from,
        description: s.description.clone(),
        seed: s.seed,
        employees: s.employees,
        weeks: s.weeks,
        groups: s.groups.iter().map(|g| g.name.clone()).collect(),
        policy: json("policy", serde_json::json!({})),
        timeline: json("timeline", serde_json::json!([])),
    };
    Ok(Base {
        timeline: s.timeline.clone(),
        name: s.name,
        table,
        shown,
    })
}
