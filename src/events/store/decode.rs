//! Decoding: a piece of rows, its columns read by name, into a week's batch.

use std::path::Path;

use polars::prelude::*;
use polars_arrow::array::Array;
use polars_arrow::datatypes::ArrowDataType;

use super::{COLUMNS, StoreError};
use crate::events::{EventKind, WeekBatch};
use crate::model::adoption::UseCause;
use crate::model::traits::Traits;
use crate::policy::PermissionScope;
use crate::scenario::validate::parse_change;

/// One column of a piece of rows, read by name, with its name for errors. `None`: every value
/// is null (a column chunk the file's statistics say is all null is not decoded).
pub(super) struct Col<T: PolarsDataType> {
    name: &'static str,
    values: Option<T::Array>,
}

impl<T: PolarsDataType> Col<T> {
    /// Read column `name` of `df` as one array (all null if `df` lacks it).
    fn read(
        df: &DataFrame,
        name: &'static str,
        typed: impl Fn(&Column) -> PolarsResult<&ChunkedArray<T>>,
    ) -> PolarsResult<Col<T>> {
        let Some(c) = df.column(name).ok() else {
            return Ok(Col { name, values: None });
        };
        let ca = typed(c)?.rechunk();
        let values = ca
            .downcast_iter()
            .next()
            .cloned()
            .ok_or_else(|| polars_err!(NoData: "column `{name}` has no data"))?;
        Ok(Col {
            name,
            values: Some(values),
        })
    }

    /// The value at index `i`, if set.
    pub(super) fn get(&self, i: usize) -> Option<T::Physical<'_>> {
        self.values.as_ref().and_then(|v| v.get(i))
    }

    /// The value at index `i` (the week's row `row`), or an error naming the column.
    fn at(&self, i: usize, row: usize) -> Result<T::Physical<'_>, String> {
        self.get(i)
            .ok_or_else(|| format!("row {row}: `{}` is missing", self.name))
    }
}

impl<T: PolarsNumericType> Col<T> {
    /// The first index from `i` (before `end`) whose value is missing or not `v`.
    pub(super) fn run_of(&self, i: usize, end: usize, v: T::Native) -> usize {
        let Some(a) = &self.values else {
            return i;
        };
        let end = end.min(a.len());
        let found = match a.validity() {
            Some(b) if b.unset_bits() > 0 => {
                (i..end).position(|k| !b.get_bit(k) || a.values()[k] != v)
            }
            _ => a.values()[i..end].iter().position(|x| *x != v),
        };
        found.map_or(end, |n| i + n)
    }

    /// The values at indices `i..j` (the week's rows from `row`), all set, or an error naming
    /// the first row where this column is missing.
    fn slice(&self, i: usize, j: usize, row: usize) -> Result<&[T::Native], String> {
        let missing = |k: usize| format!("row {}: `{}` is missing", row + k - i, self.name);
        let Some(a) = &self.values else {
            return Err(missing(i));
        };
        if j > a.len() {
            return Err(missing(a.len().max(i)));
        }
        if let Some(v) = a.validity()
            && v.clone().sliced(i, j - i).unset_bits() > 0
        {
            let k = (i..j).find(|&k| !v.get_bit(k)).unwrap_or(i);
            return Err(missing(k));
        }
        Ok(&a.values()[i..j])
    }
}

/// The columns of a piece of rows, each read by its name (the order of the file's columns does
/// not matter).
pub(super) struct Rows {
    pub(super) week: Col<UInt32Type>,
    pub(super) kind: Col<StringType>,
    agent: Col<UInt32Type>,
    team: Col<UInt32Type>,
    group: Col<UInt32Type>,
    genuine: Col<Float64Type>,
    padding: Col<Float64Type>,
    bot: Col<Float64Type>,
    output: Col<Float64Type>,
    cost: Col<Float64Type>,
    rating: Col<Float64Type>,
    belief_shock: Col<Float64Type>,
    skill: Col<Float64Type>,
    ai_fit: Col<Float64Type>,
    proficiency0: Col<Float64Type>,
    career_concern: Col<Float64Type>,
    status_drive: Col<Float64Type>,
    gaming_aversion: Col<Float64Type>,
    token_intensity: Col<Float64Type>,
    trust: Col<Float64Type>,
    optimism: Col<Float64Type>,
    level: Col<Float64Type>,
    rework: Col<Float64Type>,
    noise: Col<Float64Type>,
    pad_time: Col<Float64Type>,
    perceived: Col<Float64Type>,
    scope: Col<StringType>,
    change: Col<StringType>,
    cause: Col<StringType>,
}

impl Rows {
    /// Read every column of `df` by name (in the schema's order, so the first mistyped column
    /// is the one reported). A column `df` lacks is all null: that the file has every column,
    /// with its type, is checked once from its schema ([`check_schema`]).
    pub(super) fn read(df: &DataFrame) -> PolarsResult<Rows> {
        let u = |name: &'static str| Col::read(df, name, |c| c.u32());
        let f = |name: &'static str| Col::read(df, name, |c| c.f64());
        let s = |name: &'static str| Col::read(df, name, |c| c.str());
        Ok(Rows {
            week: u("week")?,
            kind: s("kind")?,
            agent: u("agent")?,
            team: u("team")?,
            group: u("group")?,
            genuine: f("genuine")?,
            padding: f("padding")?,
            bot: f("bot")?,
            output: f("output")?,
            cost: f("cost")?,
            rating: f("rating")?,
            belief_shock: f("belief_shock")?,
            skill: f("skill")?,
            ai_fit: f("ai_fit")?,
            proficiency0: f("proficiency0")?,
            career_concern: f("career_concern")?,
            status_drive: f("status_drive")?,
            gaming_aversion: f("gaming_aversion")?,
            token_intensity: f("token_intensity")?,
            trust: f("trust")?,
            optimism: f("optimism")?,
            level: f("level")?,
            rework: f("rework")?,
            noise: f("noise")?,
            pad_time: f("pad_time")?,
            perceived: f("perceived")?,
            scope: s("scope")?,
            change: s("change")?,
            cause: s("cause")?,
        })
    }

    /// The end of the run of rows from `i` (before `end`) that have the kind `kind`. The rows
    /// of a run were decoded from one dictionary entry, so their views (16 bytes) are equal:
    /// the text is compared only where they differ.
    pub(super) fn run_end(&self, i: usize, end: usize, kind: &str) -> usize {
        let Some(a) = &self.kind.values else {
            return i + 1;
        };
        let views = a.views();
        let mut j = i + 1;
        while j < end && ((views[j] == views[i] && a.is_valid(j)) || self.kind.get(j) == Some(kind))
        {
            j += 1;
        }
        j
    }
}

/// Whether a stored Arrow type is the one a column of [`COLUMNS`] is written as.
fn stored_as(arrow: &ArrowDataType, dtype: &DataType) -> bool {
    use ArrowDataType as A;
    match dtype {
        DataType::UInt32 => *arrow == A::UInt32,
        DataType::Float64 => *arrow == A::Float64,
        DataType::String => matches!(arrow, A::Utf8 | A::LargeUtf8 | A::Utf8View),
        _ => false,
    }
}

/// Check that a log's schema has every column of [`COLUMNS`] with its type (in any order).
pub(super) fn check_schema(schema: &ArrowSchema) -> Result<(), String> {
    for (name, dtype) in COLUMNS {
        match schema.get(name) {
            None => return Err(format!("column `{name}` not found")),
            // Compared as Arrow types: a corrupt schema may name a type polars cannot
            // convert (it panics on some), and strings may be stored as any UTF-8 type.
            Some(f) if !stored_as(&f.dtype, dtype) => {
                return Err(format!("column `{name}` is {:?}, not {dtype}", f.dtype));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Decodes a week's rows into a batch; errors name the file and the week.
pub(super) struct Decoder<'a> {
    pub(super) week: u32,
    pub(super) groups: &'a [&'a str],
    pub(super) path: &'a Path,
}

impl Decoder<'_> {
    /// A corrupt-log error about this week.
    pub(super) fn bad(&self, m: String) -> StoreError {
        StoreError::Corrupt {
            path: self.path.to_path_buf(),
            message: format!("week {}: {m}", self.week),
        }
    }

    /// Append the rows at indices `i..j` of `r` (the week's rows from `row`), all of kind
    /// `kind`, to the batch: the dense kinds column by column, the others row by row.
    pub(super) fn run(
        &self,
        b: &mut WeekBatch,
        r: &Rows,
        (i, j): (usize, usize),
        row: usize,
        kind: &str,
    ) -> Result<(), StoreError> {
        let bad = |m: String| self.bad(m);
        // The run's values of a column, all set.
        macro_rules! f {
            ($c:expr) => {
                $c.slice(i, j, row).map_err(bad)?
            };
        }
        match EventKind::parse(kind) {
            Some(EventKind::TokensUsed) => {
                let t = &mut b.tokens;
                t.agent.extend_from_slice(f!(r.agent));
                t.genuine.extend_from_slice(f!(r.genuine));
                t.padding.extend_from_slice(f!(r.padding));
                t.bot.extend_from_slice(f!(r.bot));
            }
            Some(EventKind::WorkDelivered) => {
                let w = &mut b.work;
                w.agent.extend_from_slice(f!(r.agent));
                w.output.extend_from_slice(f!(r.output));
                w.rework.extend_from_slice(f!(r.rework));
                w.noise.extend_from_slice(f!(r.noise));
                w.pad_time.extend_from_slice(f!(r.pad_time));
                w.perceived.extend_from_slice(f!(r.perceived));
            }
            Some(EventKind::IncidentOccurred) => {
                b.incidents.agent.extend_from_slice(f!(r.agent));
                b.incidents.value.extend_from_slice(f!(r.cost));
            }
            Some(EventKind::ReviewHeld) => {
                let v = &mut b.reviews;
                v.agent.extend_from_slice(f!(r.agent));
                v.rating.extend(f!(r.rating).iter().map(|x| *x as f32));
                v.belief_shock
                    .extend(f!(r.belief_shock).iter().map(|x| *x as f32));
            }
            Some(EventKind::BoardNoticed) => b.notices.extend_from_slice(f!(r.agent)),
            _ => {
                for k in i..j {
                    self.row(b, r, k, row + k - i, kind)?;
                }
            }
        }
        Ok(())
    }

    /// Append the row at index `i` of `r` (the week's row `row`), of kind `kind`, to the batch.
    fn row(
        &self,
        b: &mut WeekBatch,
        r: &Rows,
        i: usize,
        row: usize,
        kind: &str,
    ) -> Result<(), StoreError> {
        let bad = |m: String| self.bad(m);
        let no_team = || bad(format!("row {row}: no team"));
        let Some(kind) = EventKind::parse(kind) else {
            return Err(bad(format!("row {row}: unknown event kind `{kind}`")));
        };
        let agent = || r.agent.at(i, row).map_err(bad);
        let f = |c: &Col<Float64Type>| c.at(i, row).map_err(bad);
        match kind {
            EventKind::AgentHired => self.hire(b, r, i, row)?,
            EventKind::PolicyChanged => self.policy(b, r, i, row)?,
            EventKind::BotDeployed => {
                let sc = r
                    .scope
                    .get(i)
                    .and_then(PermissionScope::parse)
                    .ok_or_else(|| bad(format!("row {row}: bad scope")))?;
                b.bots.push((agent()?, sc));
            }
            EventKind::TokensUsed => {
                b.tokens.agent.push(agent()?);
                b.tokens.genuine.push(f(&r.genuine)?);
                b.tokens.padding.push(f(&r.padding)?);
                b.tokens.bot.push(f(&r.bot)?);
            }
            EventKind::UseChanged => {
                let c = r
                    .cause
                    .get(i)
                    .and_then(UseCause::parse)
                    .ok_or_else(|| bad(format!("row {row}: bad cause")))?;
                b.uses.agent.push(agent()?);
                b.uses.level.push(f(&r.level)?);
                b.uses.cause.push(c);
            }
            EventKind::BoardNoticed => b.notices.push(agent()?),
            EventKind::SplitChanged => {
                b.splits.agent.push(agent()?);
                b.splits.value.push(f(&r.level)?);
            }
            EventKind::WorkDelivered => {
                let w = &mut b.work;
                w.agent.push(agent()?);
                w.output.push(f(&r.output)?);
                w.rework.push(f(&r.rework)?);
                w.noise.push(f(&r.noise)?);
                w.pad_time.push(f(&r.pad_time)?);
                w.perceived.push(f(&r.perceived)?);
            }
            EventKind::IncidentOccurred => {
                b.incidents.agent.push(agent()?);
                b.incidents.value.push(f(&r.cost)?);
            }
            EventKind::ManagerNudged => b.nudges.push(r.team.get(i).ok_or_else(no_team)?),
            EventKind::ReviewHeld => {
                b.reviews.agent.push(agent()?);
                b.reviews.rating.push(f(&r.rating)? as f32);
                b.reviews.belief_shock.push(f(&r.belief_shock)? as f32);
            }
            EventKind::RunStarted | EventKind::RunFinished => {
                return Err(bad(format!(
                    "row {row}: unknown event kind `{}`",
                    kind.as_str()
                )));
            }
        }
        Ok(())
    }

    /// A `PolicyChanged` row: the change, as its scenario text.
    fn policy(&self, b: &mut WeekBatch, r: &Rows, i: usize, row: usize) -> Result<(), StoreError> {
        let text = r
            .change
            .get(i)
            .ok_or_else(|| self.bad(format!("row {row}: no change")))?;
        b.policy.push(parse_change(
            text,
            self.groups,
            &self.path.display().to_string(),
        )?);
        Ok(())
    }

    /// An `AgentHired` row: agent, team, group and traits.
    fn hire(&self, b: &mut WeekBatch, r: &Rows, i: usize, row: usize) -> Result<(), StoreError> {
        let bad = |m: String| self.bad(m);
        let v = |c: &Col<Float64Type>| c.at(i, row).map_err(bad);
        b.hires.agent.push(r.agent.at(i, row).map_err(bad)?);
        std::sync::Arc::make_mut(&mut b.hires.team).push(
            r.team
                .get(i)
                .ok_or_else(|| bad(format!("row {row}: no team")))?,
        );
        let g = r
            .group
            .get(i)
            .ok_or_else(|| bad(format!("row {row}: no group")))?;
        std::sync::Arc::make_mut(&mut b.hires.group)
            .push(u16::try_from(g).map_err(|_| bad(format!("row {row}: group {g} too large")))?);
        std::sync::Arc::make_mut(&mut b.hires.traits).push(
            Traits {
                skill: v(&r.skill)?,
                ai_fit: v(&r.ai_fit)?,
                proficiency0: v(&r.proficiency0)?,
                career_concern: v(&r.career_concern)?,
                status_drive: v(&r.status_drive)?,
                gaming_aversion: v(&r.gaming_aversion)?,
                token_intensity: v(&r.token_intensity)?,
                trust: v(&r.trust)?,
                optimism: v(&r.optimism)?,
            }
            .stored(),
        );
        Ok(())
    }
}

/// Rebuild a week's batch from its rows, all in one frame (the whole-week decoding the stream's
/// pieces are checked against).
#[cfg(test)]
pub(super) fn batch_from_frame(
    df: &DataFrame,
    week: u32,
    groups: &[&str],
    path: &Path,
) -> Result<WeekBatch, StoreError> {
    let d = Decoder { week, groups, path };
    let rows = Rows::read(df).map_err(|e| d.bad(e.to_string()))?;
    let mut b = WeekBatch::new(week);
    let mut i = 0;
    while i < df.height() {
        let kind = rows
            .kind
            .get(i)
            .ok_or_else(|| d.bad(format!("row {i}: no kind")))?;
        let j = rows.run_end(i, df.height(), kind);
        d.run(&mut b, &rows, (i, j), i, kind)?;
        i = j;
    }
    Ok(b)
}
