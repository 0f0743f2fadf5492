//! A Parquet export's `date` column stored as a real date or timestamp (Arrow `Date32`,
//! `Date64` or `Timestamp` of any unit, with or without a time zone) rather than as text: its
//! integers are decoded per row group and turned into UTC day numbers. (The table reader's
//! polars build reads text and numbers only, so this column is decoded here.)

use std::fs::File;
use std::io::{Cursor, Read, Seek, SeekFrom};

use polars_arrow::array::{Array, PrimitiveArray};
use polars_arrow::datatypes::{ArrowDataType, Field, TimeUnit};
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
    for c in chunks {
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
}
