//! Encoding: a chunk of rows as a row group, with the Parquet pages and statistics made here.

use std::fs::File;
use std::io::{BufWriter, Write};

use polars::prelude::*;
use polars_arrow::array::{Array, DictionaryArray, PrimitiveArray, Utf8ViewArray};
use polars_arrow::datatypes::{ArrowDataType, IntegerType};
use polars_parquet::parquet::CowBuffer;
use polars_parquet::parquet::error::ParquetError;
use polars_parquet::parquet::page::{DataPage, DataPageHeader, DataPageHeaderV1};
use polars_parquet::parquet::statistics::ParquetStatistics;
use polars_parquet::write::{
    CompressedPage, CompressionOptions, Compressor, Descriptor, DynIter, DynStreamingIterator,
    Encoding, FallibleStreamingIterator, FileWriter, KeyValue, Page, ParquetType,
    StatisticsOptions, Version, WriteOptions, array_to_columns, to_parquet_leaves,
};

use super::writer::Chunk;
use super::{COLUMNS, footer_schema_key, schema};

/// How pages are written: every column chunk carries its null count, minimum and maximum, so
/// that readers which prune with statistics answer filters correctly (DuckDB 2.0 returned no
/// rows for any filter on a log whose chunks had null counts alone), and a filter on `week`,
/// `kind` or `agent` skips the row groups it cannot match. The codec is chosen column
/// chunk by column chunk ([`codec`]); `compression` here is only the file writer's default.
/// Measured at 200,000 x 52 weeks against LZ4 everywhere: no compression makes the file 1.75
/// times larger (the many zeros of the token and work columns) for 13% less CPU, zstd level 1
/// 16% smaller for 20% more.
const OPTIONS: WriteOptions = WriteOptions {
    statistics: StatisticsOptions {
        min_value: true,
        max_value: true,
        distinct_count: false,
        null_count: true,
        binary_statistics_truncate_length: None,
    },
    version: Version::V1,
    compression: CompressionOptions::Lz4Raw,
    data_page_size: None,
};

/// Encodes chunks as row groups with the encoding we choose for each column, instead of letting
/// polars try a dictionary for every column of every chunk (which cost more than LZ4 did, and
/// only pays for `week`, `kind` and the short strings): `week` and `kind`, one value in a
/// chunk, are written as a one-entry dictionary, the other strings as dictionaries, the numbers
/// plain, and the null columns as bare definition levels.
pub(super) struct Encoder {
    writer: FileWriter<BufWriter<File>>,
    /// The Parquet types of [`COLUMNS`], in order.
    types: Vec<ParquetType>,
    meta: Vec<KeyValue>,
}

impl Encoder {
    pub(super) fn new(file: File, meta: Vec<KeyValue>) -> PolarsResult<Encoder> {
        let schema = schema().to_arrow(CompatLevel::newest());
        let file = BufWriter::with_capacity(1 << 20, file);
        let writer = FileWriter::try_new(file, schema, OPTIONS)?;
        let types = writer.parquet_schema().fields().to_vec();
        Ok(Encoder {
            writer,
            types,
            meta,
        })
    }

    /// Write a chunk as a row group.
    pub(super) fn write(&mut self, c: Chunk) -> PolarsResult<()> {
        let mut given: Vec<Option<ArrayRef>> = vec![None; COLUMNS.len()];
        for (i, a) in c.given {
            given[i] = Some(a);
        }
        let mut columns = Vec::with_capacity(COLUMNS.len());
        for (i, a) in given.into_iter().enumerate() {
            let (array, encoding) = match (COLUMNS[i].0, a) {
                ("week", _) => (
                    one_value(Box::new(PrimitiveArray::from_slice([c.week])), c.len),
                    Encoding::RleDictionary,
                ),
                ("kind", _) => {
                    let kind = Utf8ViewArray::from_slice_values([c.kind.as_str()]);
                    (one_value(Box::new(kind), c.len), Encoding::RleDictionary)
                }
                (_, Some(a)) if matches!(a.dtype(), ArrowDataType::Utf8View) => {
                    (a, Encoding::RleDictionary)
                }
                (_, Some(a)) => match plain_values(a.as_ref()) {
                    Some(values) => {
                        let page = hand_page(&self.types[i], c.len, Some(values));
                        columns.push(compressed(page, codec(a.as_ref())));
                        continue;
                    }
                    None => (a, Encoding::Plain),
                },
                (_, None) => {
                    let page = hand_page(&self.types[i], c.len, None);
                    columns.push(compressed(page, CompressionOptions::Uncompressed));
                    continue;
                }
            };
            let codec = codec(array.as_ref());
            let pages = array_to_columns(&array, self.types[i].clone(), OPTIONS, &[encoding])?;
            columns.extend(pages.into_iter().map(|p| compressed(p, codec)));
        }
        self.writer
            .write(c.len as u64, DynIter::new(columns.into_iter()))
    }

    /// Write the footer: the Arrow schema and the run's facts. The file's size in bytes.
    pub(super) fn finish(mut self) -> PolarsResult<u64> {
        let mut meta = vec![footer_schema_key(self.writer.schema())];
        meta.append(&mut self.meta);
        let size = self.writer.end(Some(meta))?;
        self.writer.into_inner().flush()?;
        Ok(size)
    }
}

/// `len` rows of the one value in `value`: a dictionary of one entry.
fn one_value(value: ArrayRef, len: usize) -> ArrayRef {
    let dtype =
        ArrowDataType::Dictionary(IntegerType::UInt32, Box::new(value.dtype().clone()), false);
    let keys = PrimitiveArray::from_vec(vec![0u32; len]);
    Box::new(DictionaryArray::try_new(dtype, keys, value).expect("key 0 of one value"))
}

/// The plain encoding of a numeric column without nulls (`f64` or `u32`): its values' bytes,
/// little-endian, as they lie in memory, with the plain encodings of their minimum and maximum.
struct PlainValues<'a> {
    bytes: &'a [u8],
    min: Vec<u8>,
    max: Vec<u8>,
}

fn plain_values(a: &dyn Array) -> Option<PlainValues<'_>> {
    if a.null_count() > 0 || a.is_empty() {
        return None;
    }
    let any = a.as_any();
    if let Some(v) = any.downcast_ref::<PrimitiveArray<f64>>() {
        let (min, max) = f64_bounds(v.values());
        Some(PlainValues {
            bytes: bytemuck::cast_slice(&v.values()[..]),
            min: min.to_le_bytes().to_vec(),
            max: max.to_le_bytes().to_vec(),
        })
    } else {
        let v = any.downcast_ref::<PrimitiveArray<u32>>()?;
        let (min, max) = v
            .values()
            .iter()
            .fold((u32::MAX, 0), |(lo, hi), &x| (lo.min(x), hi.max(x)));
        Some(PlainValues {
            bytes: bytemuck::cast_slice(&v.values()[..]),
            min: min.to_le_bytes().to_vec(),
            max: max.to_le_bytes().to_vec(),
        })
    }
}

/// The minimum and maximum of doubles as Parquet's statistics state them: NaN ignored, a zero
/// minimum written as -0.0 and a zero maximum as +0.0 (so either zero falls inside the bounds).
pub(super) fn f64_bounds(v: &[f64]) -> (f64, f64) {
    let (min, max) = v
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    let min = if min == 0.0 { -0.0 } else { min };
    let max = if max == 0.0 { 0.0 } else { max };
    (min, max)
}

/// A page of `len` rows made here: with `values` (plain-encoded), every row holds a value;
/// without, every row is null. Either way the definition levels are one run (of ones or of
/// zeros), where polars would encode them one by one from a bitmap: the most expensive part of
/// writing a log whose rows are mostly nulls, and a second pass over every value of the others.
fn hand_page(
    type_: &ParquetType,
    len: usize,
    values: Option<PlainValues<'_>>,
) -> DynIter<'static, PolarsResult<Page>> {
    let leaf = to_parquet_leaves(type_.clone()).pop().expect("a column");
    // An RLE run (Parquet's hybrid encoding, bit width 1): ULEB128 of `len << 1`, then the
    // level in one byte; Version 1 pages put the levels' byte length before them.
    let mut run = Vec::with_capacity(12);
    let mut n = (len as u64) << 1;
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            run.push(byte);
            break;
        }
        run.push(byte | 0x80);
    }
    run.push(u8::from(values.is_some()));
    let bytes = values.as_ref().map_or(&[][..], |v| v.bytes);
    let mut buffer = Vec::with_capacity(4 + run.len() + bytes.len());
    buffer.extend_from_slice(&(run.len() as i32).to_le_bytes());
    buffer.extend_from_slice(&run);
    buffer.extend_from_slice(bytes);
    let exact = values.as_ref().map(|_| true);
    let (min_value, max_value) = values.map(|v| (v.min, v.max)).unzip();
    let statistics = ParquetStatistics {
        null_count: Some(if exact.is_some() { 0 } else { len as i64 }),
        max: None,
        min: None,
        distinct_count: None,
        max_value,
        min_value,
        is_max_value_exact: exact,
        is_min_value_exact: exact,
    };
    let header = DataPageHeaderV1 {
        num_values: len as i32,
        encoding: Encoding::Plain.into(),
        definition_level_encoding: Encoding::Rle.into(),
        repetition_level_encoding: Encoding::Rle.into(),
        statistics: Some(statistics),
    };
    let descriptor = Descriptor {
        primitive_type: leaf,
        max_def_level: 0,
        max_rep_level: 0,
    };
    let page = DataPage::new(
        DataPageHeader::V1(header),
        CowBuffer::Owned(buffer),
        descriptor,
        len,
    );
    DynIter::new(std::iter::once(Ok(Page::Data(page))))
}

/// The codec of a column chunk: LZ4 for a column of numbers at least half of which are zero
/// (the token and work columns of the many weeks where most employees do not pad, have no bot
/// or do not use the tools; LZ4 shrinks those runs for little CPU), none for the others. At
/// 1,000,000 x 52 weeks, LZ4 on every column made the log 20% smaller than this rule does,
/// but the log then cost 9.2 s of CPU instead of 5.3: most of LZ4's time went on columns of
/// distinct doubles, which it shrank by a few per cent.
pub(super) fn codec(a: &dyn Array) -> CompressionOptions {
    let zeros = match a.as_any().downcast_ref::<PrimitiveArray<f64>>() {
        Some(v) => v.values().iter().filter(|x| **x == 0.0).count(),
        None => return CompressionOptions::Uncompressed,
    };
    if 2 * zeros >= a.len() {
        CompressionOptions::Lz4Raw
    } else {
        CompressionOptions::Uncompressed
    }
}

/// A column's pages, compressed with `codec` as the file writer takes them.
fn compressed(
    pages: DynIter<'static, PolarsResult<Page>>,
    codec: CompressionOptions,
) -> PolarsResult<DynStreamingIterator<'static, CompressedPage, PolarsError>> {
    let pages = pages.map(|p| p.map_err(|e| ParquetError::OutOfSpec(e.to_string())));
    let pages = Compressor::new_from_vec(pages, codec, vec![]);
    Ok(DynStreamingIterator::new(pages.map_err(PolarsError::from)))
}
