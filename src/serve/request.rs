//! A request from the page to a scenario: a base, its policy changes as the page edited them,
//! size, seed and replications. The scenario is composed as a file would be written (the base's
//! merged table with the page's values) and loaded through the same loader and validation as a
//! file, so its errors name the key and the allowed range; the server's own caps come first.

use serde::Deserialize;
use serde_json::Value;
use tokenmaxx::scenario::{Scenario, Source};

use super::bases::Base;

/// Most employees of a served run (the CLI allows more).
pub const MAX_EMPLOYEES: i64 = 200_000;
/// Most weeks of a served run.
pub const MAX_WEEKS: i64 = 260;
/// Most replications of a served run.
pub const MAX_REPLICATIONS: i64 = 50;
/// Most policy changes (timeline entries) of a served scenario.
pub const MAX_CHANGES: usize = 200;

/// A policy as the page edits it: a base and its changes, written as in a scenario file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Index of the base in the server's list.
    pub base: usize,
    /// The `[policy]` table (week 0).
    pub policy: Value,
    /// The `[[timeline]]` entries.
    pub timeline: Vec<Value>,
}

/// A run the page asks for: the scenario, the pinned baseline (if any), and what both share.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    pub scenario: Settings,
    #[serde(default)]
    pub baseline: Option<Settings>,
    pub seed: u64,
    pub employees: i64,
    pub weeks: i64,
    pub replications: i64,
    /// Draw the parameters without a published anchor from the calibrated priors, per
    /// replication (as `compare` does by default).
    #[serde(default)]
    pub priors: bool,
    /// The page's own name for itself: a newer run of the same page cancels its older ones.
    #[serde(default)]
    pub tab: Option<String>,
}

/// A scenario composed from a request: its name, its text (what "download as scenario" gives)
/// and the validated scenario.
#[derive(Debug, Clone)]
pub struct Composed {
    pub name: String,
    pub text: String,
    pub scenario: Scenario,
}

/// A request refused, with a message for the page (never an echo of the request's text).
#[derive(Debug, Clone, PartialEq)]
pub struct Refused(pub String);

impl RunRequest {
    /// Parse a request body (JSON).
    pub fn parse(body: &[u8]) -> Result<RunRequest, Refused> {
        serde_json::from_slice(body).map_err(|e| {
            Refused(format!(
                "the request is not a run request ({}, line {} column {})",
                kind_of(&e),
                e.line(),
                e.column()
            ))
        })
    }

    /// The server's caps on size, horizon, replications and tab names, each naming its limit.
    pub fn check_caps(&self) -> Result<(), Refused> {
        cap("employees", self.employees, MAX_EMPLOYEES)?;
        cap("weeks", self.weeks, MAX_WEEKS)?;
        cap("replications", self.replications, MAX_REPLICATIONS)?;
        if self.tab.as_ref().is_some_and(|t| t.len() > 64) {
            return Err(Refused("tab: at most 64 characters".into()));
        }
        Ok(())
    }

    /// The scenario (or the baseline) of this request, composed on its base and validated.
    pub fn compose(&self, which: &Settings, bases: &[Base]) -> Result<Composed, Refused> {
        self.check_caps()?;
        let base = bases.get(which.base).ok_or_else(|| {
            Refused(format!(
                "base: the index of a base in [0, {}]",
                bases.len().saturating_sub(1)
            ))
        })?;
        if which.timeline.len() > MAX_CHANGES {
            return Err(Refused(format!(
                "timeline: at most {MAX_CHANGES} changes on this server"
            )));
        }
        check_types("policy", &which.policy, false)?;
        for (i, t) in which.timeline.iter().enumerate() {
            check_types(&format!("timeline[{i}]"), t, true)?;
        }
        let mut table = base.table.clone();
        table.insert("seed".into(), toml_int(self.seed)?);
        table.insert("employees".into(), toml::Value::Integer(self.employees));
        table.insert("weeks".into(), toml::Value::Integer(self.weeks));
        table.insert("policy".into(), to_toml("policy", &which.policy)?);
        let timeline = which
            .timeline
            .iter()
            .enumerate()
            .map(|(i, t)| to_toml(&format!("timeline[{i}]"), t))
            .collect::<Result<Vec<_>, _>>()?;
        table.insert("timeline".into(), toml::Value::Array(timeline));
        let composed = load(&table, &base.name)?;
        if composed.scenario.timeline == base.timeline {
            return Ok(composed);
        }
        // The base's description names its own policies: the changed ones are described anew.
        let description = format!(
            "{} with changes: {}",
            base.name,
            policy_words(&composed.scenario)
        );
        table.insert("description".into(), toml::Value::String(description));
        load(&table, &base.name)
    }
}

/// A composed table as scenario text, loaded and validated as a file would be.
fn load(table: &toml::Table, name: &str) -> Result<Composed, Refused> {
    let text = toml::to_string(table)
        .map_err(|_| Refused("the scenario cannot be written as TOML".into()))?;
    let source = Source::Text {
        name: name.to_string(),
        text: text.clone(),
    };
    let scenario = Scenario::load(&source).map_err(|e| Refused(plain(&e.to_string(), name)))?;
    Ok(Composed {
        name: name.to_string(),
        text,
        scenario,
    })
}

/// A scenario's policy changes as short labels with their weeks ("target 90%; week 4:
/// leaderboard team public"), or "no policy".
fn policy_words(s: &Scenario) -> String {
    let mut state = tokenmaxx::policy::PolicyState::default();
    let words: Vec<String> = s
        .timeline
        .iter()
        .map(|c| {
            let label = c.change.label(&state);
            state.apply(&c.change);
            match c.week {
                0 => label,
                w => format!("week {w}: {label}"),
            }
        })
        .collect();
    if words.is_empty() {
        "no policy".into()
    } else {
        words.join("; ")
    }
}

/// A loader's message about the composed text, about the page's settings instead: the text's
/// label and line numbers (of a file the user never saw) give way to the base's name.
fn plain(message: &str, base: &str) -> String {
    let label = format!("<stored {base}>");
    let Some(rest) = message.strip_prefix(&label) else {
        return message.to_string();
    };
    let rest = rest.trim_start_matches(|c: char| c == ':' || c.is_ascii_digit());
    format!("settings on {base}:{rest}")
}

/// The JSON types of a table of policy changes, checked against the levers' controls before it
/// becomes TOML, so a wrong type is named by its key and never quoted (unknown keys are left to
/// the loader, which names them).
fn check_types(at: &str, change: &Value, timeline: bool) -> Result<(), Refused> {
    let Value::Object(levers) = change else {
        return Err(Refused(format!("{at}: a table of policy changes")));
    };
    for (key, v) in levers {
        if key == "week" && timeline {
            if !v.is_i64() {
                return Err(Refused(format!("{at}.week: a whole number of weeks")));
            }
            continue;
        }
        let Some(lever) = super::levers::controls().into_iter().find(|c| c.key == key) else {
            continue;
        };
        let here = format!("{at}.{key}");
        if lever.fields.is_empty() {
            let word = v
                .as_str()
                .is_some_and(|w| w == "off" || lever.choices.contains(&w));
            if !(v.is_boolean() || (word && !lever.choices.is_empty())) {
                let words = lever.choices.iter().map(|c| format!(", \"{c}\""));
                let words: String = words.collect();
                let off = if lever.choices.is_empty() {
                    ""
                } else {
                    ", \"off\""
                };
                return Err(Refused(format!("{here}: true or false{off}{words}")));
            }
            continue;
        }
        if lever.can_be_off && v.as_str() == Some("off") {
            continue;
        }
        let Value::Object(settings) = v else {
            let off = if lever.can_be_off { " or \"off\"" } else { "" };
            return Err(Refused(format!("{here}: a table of settings{off}")));
        };
        for (name, x) in settings {
            if let Some(f) = lever.fields.iter().find(|f| f.name == name) {
                check_field(&format!("{here}.{name}"), f, x)?;
            }
        }
    }
    Ok(())
}

fn check_field(at: &str, f: &super::levers::Field, x: &Value) -> Result<(), Refused> {
    let strings = |x: &Value| x.as_array().is_some_and(|a| a.iter().all(Value::is_string));
    let (ok, what) = match f.kind {
        "number" => (x.is_number(), "a number".to_string()),
        "optional" => (x.is_number() || x.is_null(), "a number, or left out".into()),
        "integer" => (x.is_i64(), "a whole number".into()),
        "bool" => (x.is_boolean(), "true or false".into()),
        "choice" => (x.is_string(), format!("one of {}", f.choices.join(", "))),
        "groups" => (strings(x), "a list of group names".into()),
        _ => (true, String::new()),
    };
    if ok {
        Ok(())
    } else {
        Err(Refused(format!("{at}: {what}")))
    }
}

fn cap(key: &str, v: i64, max: i64) -> Result<(), Refused> {
    if (1..=max).contains(&v) {
        return Ok(());
    }
    Err(Refused(format!(
        "{key} = {v} is out of range: a whole number in [1, {max}] on this server (the command line allows larger runs)"
    )))
}

fn toml_int(v: u64) -> Result<toml::Value, Refused> {
    i64::try_from(v)
        .map(toml::Value::Integer)
        .map_err(|_| Refused(format!("seed: a whole number in [0, {}]", i64::MAX)))
}

/// A JSON table of policy changes as TOML: nulls (a setting left out) are dropped; anything
/// that is not a table is refused, naming where it is.
fn to_toml(at: &str, v: &Value) -> Result<toml::Value, Refused> {
    let Value::Object(_) = v else {
        return Err(Refused(format!("{at}: a table of policy changes")));
    };
    toml::Value::try_from(without_nulls(v))
        .map_err(|_| Refused(format!("{at}: numbers too large for a scenario file")))
}

fn without_nulls(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, x)| !x.is_null())
                .map(|(k, x)| (k.clone(), without_nulls(x)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

/// What is wrong with a body, in words that quote none of it.
fn kind_of(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => "not valid JSON".into(),
        // Serde's data errors name the field (`unknown field`, `missing field`) or the type;
        // they quote a string value, which is cut.
        Category::Data => {
            let m = e.to_string();
            let m = m.split(" at line").next().unwrap_or(&m);
            match m.find('"') {
                Some(i) => format!("{}...", &m[..i]),
                None => m.to_string(),
            }
        }
    }
}
