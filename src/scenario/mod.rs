//! Scenarios: the TOML schema, defaults, `extends`, validation and the built-ins.
//!
//! Two layers: [`raw`] mirrors the file (serde, unknown keys rejected, defaults filled in), and
//! [`Scenario`] is the validated, typed result the engine runs. This module reads files and
//! checks them; it never runs anything.
//!
//! ```
//! use tokenmaxx::scenario::{Scenario, Source};
//! let s = Scenario::load(&Source::Builtin("baseline".into())).unwrap();
//! assert_eq!(s.weeks, 52);
//! ```

pub mod builtin;
pub mod dist;
pub mod error;
pub mod load;
pub mod ranges;
pub mod raw;
pub mod validate;

use std::path::PathBuf;

use serde::Deserialize;

pub use error::ScenarioError;
pub use load::Source;

use crate::policy::{GroupId, GroupSet, PolicyChange};
use dist::Dist;
use raw::{Adoption, Behaviour, Bots, Money, RawScenario, Work};

/// Distributions of the traits of one group (docs/model.md).
#[derive(Debug, Clone)]
pub struct TraitDists {
    pub skill: Dist,
    pub ai_fit: Dist,
    pub proficiency: Dist,
    pub career_concern: Dist,
    pub status_drive: Dist,
    pub gaming_aversion: Dist,
    pub token_intensity: Dist,
    pub trust: Dist,
    pub optimism: Dist,
}

/// A population group.
#[derive(Debug, Clone)]
pub struct Group {
    pub name: String,
    pub share: f64,
    pub traits: TraitDists,
}

/// A policy change due in a week.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScheduledChange {
    pub week: u32,
    pub change: PolicyChange,
}

/// A validated scenario, ready to run.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub seed: u64,
    pub weeks: u32,
    pub employees: u32,
    pub team_size: u32,
    pub groups: Vec<Group>,
    pub behaviour: Behaviour,
    pub adoption: Adoption,
    pub work: Work,
    pub bots: Bots,
    pub incident_cost: Dist,
    pub money: Money,
    /// All policy changes, week 0's `[policy]` first, in week order.
    pub timeline: Vec<ScheduledChange>,
    /// Groups whose weekly activity the reports track (the first target's groups, else
    /// `developers`, else everyone).
    pub tracked_groups: GroupSet,
    /// The fully resolved scenario as TOML (defaults and `extends` applied): what was run.
    pub resolved_toml: String,
}

/// Command-line overrides applied after the files are merged and before validation.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub seed: Option<u64>,
    pub employees: Option<i64>,
    pub weeks: Option<i64>,
}

impl Scenario {
    /// Load, merge and validate a scenario.
    pub fn load(source: &Source) -> Result<Scenario, ScenarioError> {
        Self::load_with(source, &Overrides::default()).map(|(s, _)| s)
    }

    /// Load with overrides. Returns the scenario and notes for the user (e.g. timeline changes
    /// dropped because `--weeks` shortened the horizon).
    pub fn load_with(
        source: &Source,
        o: &Overrides,
    ) -> Result<(Scenario, Vec<String>), ScenarioError> {
        Self::load_reporting(source, o).map(|(s, notes, _)| (s, notes))
    }

    /// [`Scenario::load_with`], also returning the files read (the source's file and every
    /// `extends` layer on disk): what an output folder must not hold.
    pub fn load_reporting(
        source: &Source,
        o: &Overrides,
    ) -> Result<(Scenario, Vec<String>, Vec<PathBuf>), ScenarioError> {
        let resolved = load::resolve(source)?;
        let (s, notes) = Self::from_table(resolved.table, &resolved.file, o)?;
        Ok((s, notes, resolved.files))
    }

    /// Validate an already merged table (sweeps set dotted paths in it first).
    pub fn from_table(
        table: toml::Table,
        file: &str,
        o: &Overrides,
    ) -> Result<(Scenario, Vec<String>), ScenarioError> {
        // Reported after validation's own checks (types, signs, shares) come first.
        let in_range = ranges::check(&table, file);
        let mut raw = RawScenario::deserialize(toml::Value::Table(table)).map_err(|e| {
            ScenarioError::Invalid {
                file: file.to_string(),
                key: "(merged scenario)".into(),
                message: e.to_string(),
            }
        })?;
        let mut notes = Vec::new();
        if let Some(seed) = o.seed {
            raw.seed = seed;
        }
        if let Some(e) = o.employees {
            check_flag("--employees", e, validate::MAX_EMPLOYEES)?;
            raw.employees = e;
        }
        if let Some(w) = o.weeks {
            check_flag("--weeks", w, validate::MAX_WEEKS)?;
            raw.weeks = w;
            let before = raw.timeline.len();
            raw.timeline.retain(|t| t.week.is_none_or(|tw| tw < w));
            if raw.timeline.len() < before {
                notes.push(format!(
                    "--weeks {w}: {} timeline change(s) at week {w} or later will not happen",
                    before - raw.timeline.len()
                ));
            }
        }
        let resolved_toml = toml::to_string(&raw).unwrap_or_default();
        let s = validate::validate(&raw, file, resolved_toml)?;
        in_range?;
        Ok((s, notes))
    }

    /// Index of a group by name.
    pub fn group_id(&self, name: &str) -> Option<GroupId> {
        self.groups
            .iter()
            .position(|g| g.name == name)
            .map(|i| i as GroupId)
    }

    /// Number of teams (the last one may be smaller).
    pub fn teams(&self) -> u32 {
        self.employees.div_ceil(self.team_size)
    }

    /// A stable 64-bit hash of the resolved scenario (FNV-1a), recorded in `RunStarted`.
    pub fn hash(&self) -> u64 {
        let mut h: u64 = 0xcbf29ce484222325;
        for b in self.resolved_toml.bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
        h
    }

    /// Value of one output unit in US dollars (a week of an average employee's work).
    pub fn usd_per_output_unit(&self) -> f64 {
        self.money.salary_usd / 52.0
    }
}

/// An override flag's value, reported against the flag rather than the scenario file.
fn check_flag(flag: &str, v: i64, max: i64) -> Result<(), ScenarioError> {
    if (1..=max).contains(&v) {
        return Ok(());
    }
    Err(ScenarioError::OutOfRange {
        file: "command line".into(),
        key: flag.into(),
        value: v.to_string(),
        allowed: format!("a whole number in [1, {max}]"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> Result<Scenario, ScenarioError> {
        let dir =
            std::env::temp_dir().join(format!("tmx-scn-{}-{}", std::process::id(), text.len()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("t.toml");
        std::fs::write(&p, text).unwrap();
        let r = Scenario::load(&Source::Path(p));
        std::fs::remove_dir_all(&dir).ok();
        r
    }

    #[test]
    fn empty_file_gives_defaults() {
        let s = load_text("").unwrap();
        assert_eq!(s.name, "t");
        assert_eq!(
            (s.employees, s.weeks, s.team_size, s.seed),
            (10_000, 52, 8, 42)
        );
        assert_eq!(s.groups.len(), 2);
        assert!(s.timeline.is_empty());
    }

    #[test]
    fn extends_builtin_and_overrides_one_field() {
        let s = load_text("extends = \"amazon-2026\"\n[population.developers]\nshare = 0.5\n[population.others]\nshare = 0.5\n").unwrap();
        assert_eq!(s.groups[0].share, 0.5);
        assert!(
            s.timeline.len() >= 6,
            "timeline inherited: {}",
            s.timeline.len()
        );
        assert!(s.description.starts_with("amazon-2026 with changes"));
    }

    #[test]
    fn shares_must_sum_to_one() {
        let e = load_text("[population.developers]\nshare = 0.7\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("sum to 1"), "{e}");
    }

    #[test]
    fn out_of_range_names_key_and_range() {
        let e = load_text("[behaviour]\nnorm_weight = 1.5\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("behaviour.norm_weight") && e.contains("[0, 0.8]"),
            "{e}"
        );
        let e = load_text("[behaviour]\ntoken_scale = -1\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("behaviour.token_scale") && e.contains("positive"),
            "{e}"
        );
        let e = load_text("[[timeline]]\nweek = 60\nstatement = {}\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("timeline[0].week") && e.contains("[0, 51]"),
            "{e}"
        );
    }

    #[test]
    fn bounded_traits_refuse_unbounded_distributions() {
        let e = load_text("[population.developers]\nshare = 0.6\nai_fit = { dist = \"lognormal\", mu = 0, sigma = 1 }\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("population.developers.ai_fit"), "{e}");
    }

    #[test]
    fn unknown_words_are_suggested() {
        let e = load_text("[policy]\nleaderboard = { scope = \"org\", visibility = \"publc\" }\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("did you mean `public`"), "{e}");
        let e = load_text("[policy]\ntarget = { applies_to = [\"developer\"] }\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("did you mean `developers`"), "{e}");
    }

    #[test]
    fn duplicate_timeline_keys_in_a_week_are_refused() {
        let e = load_text("[[timeline]]\nweek = 3\nleaderboard = \"off\"\n[[timeline]]\nweek = 3\nleaderboard = \"off\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("already changes `leaderboard`"), "{e}");
    }

    #[test]
    fn weeks_override_drops_late_changes_with_a_note() {
        let (s, notes) = Scenario::load_with(
            &Source::Builtin("amazon-2026".into()),
            &Overrides {
                weeks: Some(20),
                ..Overrides::default()
            },
        )
        .unwrap();
        assert_eq!(s.weeks, 20);
        assert!(s.timeline.iter().all(|c| c.week < 20));
        assert_eq!(notes.len(), 1);
    }
}
