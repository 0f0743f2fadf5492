//! Folding pseudonymised rows into per-person weekly sums, in memory bounded by people x weeks
//! (not by the size of the export): duplicate person-days are caught with one bit per day.

use std::collections::HashMap;

use super::panel::Panel;
use super::privacy::Pseudonym;
use super::{OUTCOMES, Usage, dates};

/// The refusal of a group label holding an `@` (an e-mail address, most likely).
pub const IDENTIFIER_GROUP: &str = "column `group`: a group label holds '@', like an e-mail address; group labels are written to profile.json, so they must name groups (a department or role), not people (the cell is not shown)";

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

/// Where a row is: `line N` of a CSV, `row N` of a Parquet file, `record N` of JSON pages (in
/// the file [`Accumulator::start_file`] named last).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Place {
    unit: &'static str,
    n: u64,
    file: usize,
}

impl Place {
    pub fn new(unit: &'static str, n: u64) -> Place {
        Place { unit, n, file: 0 }
    }
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
    /// The rows of the first and the last day (for the span's error message).
    first_place: Place,
    last_place: Place,
    /// The files read so far (the last is being read).
    files: Vec<String>,
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
            if g.contains('@') {
                return Err(IDENTIFIER_GROUP.into());
            }
            let id = self.group_id(g);
            match self.people[i as usize].group {
                Some(old) if old != id => {
                    return Err("column `group`: this person was in another group in an earlier row or the roster; a person belongs to one group (the cells are not shown: they could be personal data)".into());
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

    /// Note the file whose rows come next (named in the span's error message).
    pub fn start_file(&mut self, path: &std::path::Path) {
        self.files.push(path.display().to_string());
    }

    /// Refuse group labels that identify people rather than groups: as many distinct labels as
    /// labelled people (two or more). Labels are written to profile.json; see also
    /// [`IDENTIFIER_GROUP`] for a label with an `@`.
    pub fn check_groups(&self) -> Result<(), String> {
        let labelled = self.people.iter().filter(|p| p.group.is_some()).count();
        let n = self.groups.len();
        if n >= 2 && n == labelled {
            return Err(format!(
                "column `group`: every person has a group of their own ({n} labels for {n} people), so the labels identify people; group labels are written to profile.json, so they must name groups of several people (a department or role): leave the column out, or give coarser groups"
            ));
        }
        Ok(())
    }

    /// Widen the export's span to `lo..=hi` (found at `at`), refusing a span over
    /// [`MAX_SPAN_YEARS`](super::MAX_SPAN_YEARS) years, naming the two rows.
    fn span(&mut self, lo: i64, hi: i64, at: Place) -> Result<(), String> {
        let at = Place {
            file: self.files.len().saturating_sub(1),
            ..at
        };
        if self.first_day.is_none_or(|d| lo < d) {
            self.first_day = Some(lo);
            self.first_place = at;
        }
        if self.last_day.is_none_or(|d| hi > d) {
            self.last_day = Some(hi);
            self.last_place = at;
        }
        let (f, l) = (self.first_day.unwrap_or(lo), self.last_day.unwrap_or(hi));
        if l - f > super::MAX_SPAN_DAYS {
            let name = |p: Place| {
                let file = self.files.get(p.file).map_or("", String::as_str);
                format!("{} {} of {file}", p.unit, p.n)
            };
            return Err(format!(
                "the dates span more than {} years: {} (the earliest) and {} (the latest) are {} days apart; an export may span at most {} days: check those rows' dates, or import the years separately",
                super::MAX_SPAN_YEARS,
                name(self.first_place),
                name(self.last_place),
                l - f,
                super::MAX_SPAN_DAYS
            ));
        }
        Ok(())
    }

    /// Add one row of usage, found at `at`. Duplicate person-days (person-weeks in a weekly
    /// table) are refused, and so is a span of dates over [`super::MAX_SPAN_YEARS`] years.
    pub fn add(&mut self, u: &Usage<'_>, at: Place) -> Result<(), String> {
        let i = self.person(u.person);
        self.assign(i, u.group, u.team)?;
        let next = self.variants.len() as u16;
        let variant = *self.variants.entry(u.variant.to_string()).or_insert(next);
        let (lo, hi) = if u.weekly {
            (u.day, u.day + 6)
        } else {
            (u.day, u.day)
        };
        self.span(lo, hi, at)?;
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
