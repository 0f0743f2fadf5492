//! A Parquet export's `date` column stored as a real date or timestamp (Arrow `Date32`,
//! `Date64` or `Timestamp` of any unit, with or without a time zone) rather than as text: its
//! integers are decoded per row group and turned into UTC day numbers. (The table reader's
//! polars build reads text and numbers only, so this column is decoded here.)

use std::fs::File;
use std::io::{Cursor, Read, Seek, SeekFrom};

use polars_arrow::array::{Array, PrimitiveArray};
use polars_arrow::datatypes::{ArrowDataType, Field, TimeUnit};
use polars_parquet::parquet::schema::types::{
    PhysicalType, PrimitiveConvertedType, PrimitiveLogicalType, PrimitiveType,
    TimeUnit as StoredUnit,
};
use polars_parquet::read::{BasicDecompressor, FileMetadata, PageReader, column_iter_to_arrays};

/// How a typed time column's integers become days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeKind {
    /// Days since 1970-01-01 (`Date32`).
    Days,
    /// Units since 1970-01-01 00:00 UTC, this many to a day (`Date64`, `Timestamp`).
    PerDay(i64),
}

/// The kind of a column's Arrow type, None when it is not a date or timestamp.
pub fn kind(dtype: &ArrowDataType) -> Option<TimeKind> {
    let per_day = |unit: &TimeUnit| match unit {
        TimeUnit::Second => 86_400,
        TimeUnit::Millisecond => 86_400_000,
        TimeUnit::Microsecond => 86_400_000_000,
        TimeUnit::Nanosecond => 86_400_000_000_000,
    };
    match dtype {
        ArrowDataType::Date32 => Some(TimeKind::Days),
        ArrowDataType::Date64 => Some(TimeKind::PerDay(86_400_000)),
        ArrowDataType::Timestamp(unit, _) => Some(TimeKind::PerDay(per_day(unit))),
        _ => None,
    }
}

/// How the column is really stored, which decides how its integers are read: writers may keep
/// an Arrow type in the footer that differs from the stored unit (pyarrow stores `timestamp[s]`
/// as milliseconds and `date64` as 32-bit days). `arrow` (the footer's kind) is used only where
/// the Parquet type says nothing more. INT96 timestamps (old Spark and pandas) are refused.
fn stored_kind(t: &PrimitiveType, arrow: TimeKind) -> Result<TimeKind, String> {
    let per_day = |u: StoredUnit| match u {
        StoredUnit::Milliseconds => 86_400_000,
        StoredUnit::Microseconds => 86_400_000_000,
        StoredUnit::Nanoseconds => 86_400_000_000_000,
    };
    match (t.physical_type, t.logical_type, t.converted_type) {
        (PhysicalType::Int32, _, _) => Ok(TimeKind::Days),
        (PhysicalType::Int64, Some(PrimitiveLogicalType::Timestamp { unit, .. }), _) => {
            Ok(TimeKind::PerDay(per_day(unit)))
        }
        (PhysicalType::Int64, _, Some(PrimitiveConvertedType::TimestampMillis)) => {
            Ok(TimeKind::PerDay(86_400_000))
        }
        (PhysicalType::Int64, _, Some(PrimitiveConvertedType::TimestampMicros)) => {
            Ok(TimeKind::PerDay(86_400_000_000))
        }
        (PhysicalType::Int64, _, _) if arrow != TimeKind::Days => Ok(arrow),
        (PhysicalType::Int96, _, _) => Err(
            "the date column is an INT96 timestamp (old Spark or pandas): write it as a date, a \
             timestamp in ms, us or ns, or text YYYY-MM-DD"
                .into(),
        ),
        _ => Err("the date column is stored as neither 32-bit days nor a 64-bit timestamp".into()),
    }
}

/// The UTC day numbers of column `name` in row group `group` (None for a null), or a message.
pub fn days(
    file: &mut File,
    meta: &FileMetadata,
    group: usize,
    name: &str,
    kind: TimeKind,
) -> Result<Vec<Option<i64>>, String> {
    let len = file.metadata().map_err(|e| e.to_string())?.len();
    let chunks = meta.row_groups[group]
        .columns_under_root_iter(name)
        .ok_or_else(|| format!("column `{name}` is missing from row group {group}"))?;
    let mut decompressors = Vec::new();
    let mut types = Vec::new();
    let mut kind = kind;
    for c in chunks {
        kind = stored_kind(&c.descriptor().descriptor.primitive_type, kind)?;
        let range = c.byte_range();
        if range.end > len || range.start > range.end {
            return Err(format!("column `{name}`: its pages lie outside the file"));
        }
        let mut bytes = vec![0u8; (range.end - range.start) as usize];
        file.seek(SeekFrom::Start(range.start))
            .and_then(|_| file.read_exact(&mut bytes))
            .map_err(|e| e.to_string())?;
        let pages = PageReader::new(Cursor::new(bytes.into()), c, vec![], usize::MAX);
        decompressors.push(BasicDecompressor::new(pages, vec![]));
        types.push(&c.descriptor().descriptor.primitive_type);
    }
    let physical = match kind {
        TimeKind::Days => ArrowDataType::Int32,
        TimeKind::PerDay(_) => ArrowDataType::Int64,
    };
    let field = Field::new(name.into(), physical, true);
    let (arrays, _) =
        crate::panics::quietly(move || column_iter_to_arrays(decompressors, types, field, None))
            .map_err(|_| "its date column cannot be decoded".to_string())?
            .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for a in &arrays {
        to_days(a.as_ref(), kind, &mut out)?;
    }
    Ok(out)
}

fn to_days(a: &dyn Array, kind: TimeKind, out: &mut Vec<Option<i64>>) -> Result<(), String> {
    let any = a.as_any();
    match kind {
        TimeKind::Days => {
            let a = any
                .downcast_ref::<PrimitiveArray<i32>>()
                .ok_or("a date column that is not 32-bit days")?;
            out.extend(a.iter().map(|v| v.map(|d| i64::from(*d))));
        }
        TimeKind::PerDay(n) => {
            let a = any
                .downcast_ref::<PrimitiveArray<i64>>()
                .ok_or("a timestamp column that is not 64-bit")?;
            out.extend(a.iter().map(|v| v.map(|t| t.div_euclid(n))));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_of_time_types() {
        assert_eq!(kind(&ArrowDataType::Date32), Some(TimeKind::Days));
        assert_eq!(
            kind(&ArrowDataType::Timestamp(TimeUnit::Microsecond, None)),
            Some(TimeKind::PerDay(86_400_000_000))
        );
        assert_eq!(kind(&ArrowDataType::Utf8View), None);
    }

    fn stored(physical: PhysicalType, logical: Option<PrimitiveLogicalType>) -> PrimitiveType {
        let mut t = PrimitiveType::from_physical("date".into(), physical);
        t.logical_type = logical;
        t
    }

    #[test]
    fn the_stored_unit_wins_over_the_footer_type() {
        // given pyarrow's `timestamp[s]`, stored as milliseconds, then it is read as milliseconds
        let ms = Some(PrimitiveLogicalType::Timestamp {
            unit: StoredUnit::Milliseconds,
            is_adjusted_to_utc: true,
        });
        let footer = TimeKind::PerDay(86_400);
        assert_eq!(
            stored_kind(&stored(PhysicalType::Int64, ms), footer),
            Ok(TimeKind::PerDay(86_400_000))
        );
        // and pyarrow's `date64`, stored as 32-bit days, is read as days
        let date = Some(PrimitiveLogicalType::Date);
        let footer = TimeKind::PerDay(86_400_000);
        assert_eq!(
            stored_kind(&stored(PhysicalType::Int32, date), footer),
            Ok(TimeKind::Days)
        );
        // and INT96 is refused with a way out
        let int96 = stored_kind(&stored(PhysicalType::Int96, None), footer).unwrap_err();
        assert!(int96.contains("INT96"), "{int96}");
    }
}
