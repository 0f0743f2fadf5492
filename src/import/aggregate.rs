//! Folding pseudonymised rows into per-person weekly sums, in memory bounded by people x weeks
//! (not by the size of the export): duplicate person-days are caught with one bit per day.

use std::collections::HashMap;

use super::panel::Panel;
use super::privacy::Pseudonym;
use super::{OUTCOMES, Usage, dates};

/// What is known of a person (never the raw id).
#[derive(Debug, Clone, Default)]
struct Person {
    group: Option<u16>,
    team: Option<u32>,
    in_export: bool,
    in_roster: bool,
}

/// A person's sums in one ISO week.
#[derive(Debug, Clone, Copy, Default)]
struct WeekSum {
    tokens: f64,
    cost: f64,
    outcomes: [f64; 3],
}

/// Accumulates rows from any number of files.
#[derive(Debug, Default)]
pub struct Accumulator {
    index: HashMap<Pseudonym, u32>,
    people: Vec<Person>,
    groups: Vec<String>,
    teams: HashMap<String, u32>,
    /// Bit `day % 64` of block `(person, variant, weekly, day / 64)`: a row was seen.
    seen: HashMap<(u32, u16, bool, i64), u64>,
    variants: HashMap<String, u16>,
    weeks: HashMap<(u32, i64), WeekSum>,
    first_day: Option<i64>,
    last_day: Option<i64>,
    any_daily: bool,
    roster_given: bool,
    /// Usage rows read so far.
    pub rows: u64,
    /// Some file had a cost column (or the format always has one).
    pub has_cost: bool,
    /// Per [`OUTCOMES`]: some file had the column.
    pub has_outcome: [bool; 3],
}

impl Accumulator {
    fn person(&mut self, p: Pseudonym) -> u32 {
        let next = self.people.len() as u32;
        *self.index.entry(p).or_insert_with(|| {
            self.people.push(Person::default());
            next
        })
    }

    fn group_id(&mut self, name: &str) -> u16 {
        match self.groups.iter().position(|g| g == name) {
            Some(i) => i as u16,
            None => {
                self.groups.push(name.to_string());
                (self.groups.len() - 1) as u16
            }
        }
    }

    /// Set a person's group and team, refusing a value that contradicts an earlier one.
    fn assign(&mut self, i: u32, group: Option<&str>, team: Option<&str>) -> Result<(), String> {
        if let Some(g) = group.map(str::trim).filter(|g| !g.is_empty()) {
            let id = self.group_id(g);
            match self.people[i as usize].group {
                Some(old) if old != id => {
                    return Err(format!(
                        "column `group`: this person was in group `{}` in an earlier row or the roster, now `{g}`; a person belongs to one group",
                        self.groups[old as usize]
                    ));
                }
                _ => self.people[i as usize].group = Some(id),
            }
        }
        if let Some(t) = team.map(str::trim).filter(|t| !t.is_empty()) {
            let next = self.teams.len() as u32;
            let id = *self.teams.entry(t.to_string()).or_insert(next);
            match self.people[i as usize].team {
                Some(old) if old != id => {
                    return Err("column `team`: this person was in another team in an earlier row or the roster; a person belongs to one team".into());
                }
                _ => self.people[i as usize].team = Some(id),
            }
        }
        Ok(())
    }

    /// Add a roster entry (a person who may never appear in the export).
    pub fn roster(
        &mut self,
        p: Pseudonym,
        group: Option<&str>,
        team: Option<&str>,
    ) -> Result<(), String> {
        if self.index.contains_key(&p) {
            return Err("column `person`: this person is listed twice in the roster".into());
        }
        let i = self.person(p);
        self.people[i as usize].in_roster = true;
        self.roster_given = true;
        self.assign(i, group, team)
    }

    /// Add one row of usage. Duplicate person-days (person-weeks in a weekly table) are refused.
    pub fn add(&mut self, u: &Usage<'_>) -> Result<(), String> {
        let i = self.person(u.person);
        self.assign(i, u.group, u.team)?;
        let next = self.variants.len() as u16;
        let variant = *self.variants.entry(u.variant.to_string()).or_insert(next);
        let bits = self
            .seen
            .entry((i, variant, u.weekly, u.day.div_euclid(64)))
            .or_default();
        let bit = 1u64 << u.day.rem_euclid(64);
        if *bits & bit != 0 {
            let what = if u.weekly { "week" } else { "day" };
            let when = if u.weekly {
                dates::week_label(u.day)
            } else {
                dates::date_label(u.day)
            };
            return Err(format!(
                "this person already has a row for the {what} {when}: duplicate person-{what}s are refused, not summed (an export concatenated twice would double count); sum them before importing"
            ));
        }
        *bits |= bit;
        self.people[i as usize].in_export = true;
        self.any_daily |= !u.weekly;
        let (lo, hi) = if u.weekly {
            (u.day, u.day + 6)
        } else {
            (u.day, u.day)
        };
        self.first_day = Some(self.first_day.map_or(lo, |d| d.min(lo)));
        self.last_day = Some(self.last_day.map_or(hi, |d| d.max(hi)));
        let w = self.weeks.entry((i, dates::monday(u.day))).or_default();
        w.tokens += u.tokens;
        w.cost += u.cost_usd;
        for (a, b) in w.outcomes.iter_mut().zip(u.outcomes) {
            *a += b;
        }
        self.rows += 1;
        Ok(())
    }

    /// Remarks for the profile: export people missing from the roster, partial weeks.
    fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        let strays = self.people.iter().filter(|p| !p.in_roster).count();
        if self.roster_given && strays > 0 {
            notes.push(format!(
                "{strays} people in the export are not in the roster; they are counted (in the group the export gives, else `unassigned`)"
            ));
        }
        if self.any_daily {
            let (f, l) = (self.first_day.unwrap_or(0), self.last_day.unwrap_or(0));
            if dates::weekday(f) != 0 {
                notes.push(format!(
                    "the first week ({}) is partial: the export starts on {}",
                    dates::week_label(f),
                    dates::date_label(f)
                ));
            }
            if dates::weekday(l) < 4 {
                notes.push(format!(
                    "the last week ({}) may be partial: the export ends on {}",
                    dates::week_label(l),
                    dates::date_label(l)
                ));
            }
        }
        notes
    }

    /// The panel: every person (export and roster) x every ISO week from the first to the last
    /// row's, zero where a person has no row.
    pub fn finish(self) -> Panel {
        let first = dates::monday(self.first_day.unwrap_or(0));
        let last = dates::monday(self.last_day.unwrap_or(0));
        let weeks: Vec<i64> = (0..=((last - first) / 7)).map(|k| first + 7 * k).collect();
        let nw = weeks.len();
        let n = self.people.len();
        let mut tokens = vec![0.0; n * nw];
        let mut cost = vec![0.0; n * nw];
        let mut outcomes = vec![vec![0.0; n * nw]; 3];
        for (&(i, monday), s) in &self.weeks {
            let k = i as usize * nw + ((monday - first) / 7) as usize;
            tokens[k] = s.tokens;
            cost[k] = s.cost;
            for (o, v) in outcomes.iter_mut().zip(s.outcomes) {
                o[k] = v;
            }
        }
        let mut groups = self.groups.clone();
        let unassigned = if groups.is_empty() {
            "everyone"
        } else {
            "unassigned"
        };
        let group: Vec<u16> = self
            .people
            .iter()
            .map(|p| {
                p.group.unwrap_or_else(|| {
                    if let Some(i) = groups.iter().position(|g| g == unassigned) {
                        i as u16
                    } else {
                        groups.push(unassigned.to_string());
                        (groups.len() - 1) as u16
                    }
                })
            })
            .collect();
        let notes = self.notes();
        Panel {
            weeks,
            groups,
            group,
            team: self.people.iter().map(|p| p.team).collect(),
            in_export: self.people.iter().map(|p| p.in_export).collect(),
            tokens,
            cost: self.has_cost.then_some(cost),
            outcomes: OUTCOMES
                .iter()
                .zip(outcomes)
                .zip(self.has_outcome)
                .filter(|(_, has)| *has)
                .map(|((name, v), _)| (name.to_string(), v))
                .collect(),
            notes,
        }
    }
}
