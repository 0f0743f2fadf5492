//! The event store's unit tests.

use std::fs::File;
use std::path::PathBuf;

use polars::prelude::*;
use polars_arrow::array::PrimitiveArray;
use polars_parquet::write::CompressionOptions;

use super::decode::batch_from_frame;
use super::encode::{codec, f64_bounds};
use super::{COLUMNS, EventReader, EventWriter, StoreError};
use crate::events::WeekBatch;
use crate::model::testkit::sized;

/// A small amazon-2026 run's log, written to `events.parquet` in a fresh folder.
fn stored_run(name: &str) -> (PathBuf, Vec<WeekBatch>) {
    let s = sized("amazon-2026", 60, 14);
    let (_, log) = crate::simulate_with_log(&s, 0);
    let dir = std::env::temp_dir().join(format!("tmx-store-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("events.parquet");
    let mut w = EventWriter::create(&path, &s, 0).unwrap();
    for b in &log.weeks {
        w.write_week(b).unwrap();
    }
    w.finish().unwrap();
    (path, log.weeks)
}

#[test]
fn a_log_written_now_keeps_its_traits_in_single_precision() {
    let (path, weeks) = stored_run("precision");
    let r = EventReader::open(&path).unwrap();
    assert!(!r.traits_in_double_precision().unwrap());
    // and they read back as the run hired them
    assert_eq!(r.week(0).unwrap().hires, weeks[0].hires);
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

#[test]
fn number_columns_at_least_half_zeros_are_compressed_and_the_others_are_not() {
    use polars_parquet::parquet::compression::Compression;
    let f = |v: &[f64]| codec(&PrimitiveArray::<f64>::from_slice(v));
    assert_eq!(f(&[0.0, 0.0, 1.5, 2.0]), CompressionOptions::Lz4Raw);
    assert_eq!(f(&[0.0, 3.0, 1.5, 2.0]), CompressionOptions::Uncompressed);
    let ids = PrimitiveArray::<u32>::from_slice([0, 0, 0]);
    assert_eq!(codec(&ids), CompressionOptions::Uncompressed);
    // A stored run's `padding` is mostly zeros in the weeks before the target and not
    // after it: its column chunks are of both kinds (and read back as written, below).
    let (path, _) = stored_run("codec");
    let mut file = File::open(&path).unwrap();
    let meta = polars_parquet::parquet::read::read_metadata(&mut file).unwrap();
    let padding = COLUMNS.iter().position(|(n, _)| *n == "padding").unwrap();
    // The row groups of `TokensUsed`, where the column holds values (a null column is a
    // few bytes of levels).
    let codecs: Vec<Compression> = meta
        .row_groups
        .iter()
        .map(|g| &g.parquet_columns()[padding])
        .filter(|c| c.uncompressed_size() > 8 * c.num_values())
        .map(|c| c.compression())
        .collect();
    assert!(codecs.contains(&Compression::Lz4Raw), "{codecs:?}");
    assert!(codecs.contains(&Compression::Uncompressed), "{codecs:?}");
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

#[test]
fn every_column_chunk_states_its_values_nulls_and_bounds() {
    // What readers trust for filter pushdown (DuckDB returned no rows for any filter on a
    // log whose chunks had null counts alone): one value or null per row, the null count,
    // and a minimum and maximum wherever the chunk holds a value.
    let (path, _) = stored_run("stats");
    let mut file = File::open(&path).unwrap();
    let meta = polars_parquet::parquet::read::read_metadata(&mut file).unwrap();
    for (g, group) in meta.row_groups.iter().enumerate() {
        for (c, chunk) in group.parquet_columns().iter().enumerate() {
            let at = format!("row group {g}, column {}", COLUMNS[c].0);
            assert_eq!(chunk.num_values() as usize, group.num_rows(), "{at}");
            let stats = chunk
                .statistics(&meta.footer_buf)
                .expect(&at)
                .unwrap()
                .serialize();
            let nulls = stats.null_count.expect(&at) as usize;
            assert!(
                nulls == 0 || nulls == group.num_rows(),
                "{at}: {nulls} nulls"
            );
            let bounded = stats.min_value.is_some() && stats.max_value.is_some();
            assert_eq!(bounded, nulls == 0, "{at}: min/max present iff values are");
        }
    }
    // (That strings are stored as plain UTF-8 is checked with pyarrow itself, in
    // tests/interop: polars reads either as its own string type.)
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

#[test]
fn bounds_of_doubles_ignore_nan_and_widen_zeros() {
    assert_eq!(f64_bounds(&[2.0, f64::NAN, -1.5]), (-1.5, 2.0));
    let (min, max) = f64_bounds(&[0.0, 0.0]);
    assert!(min == 0.0 && min.is_sign_negative() && max.is_sign_positive());
}

#[test]
fn a_week_is_decoded_by_column_name_whatever_the_order_of_the_columns() {
    let (path, weeks) = stored_run("order");
    let r = EventReader::open(&path).unwrap();
    let groups: Vec<&str> = r.groups.iter().map(String::as_str).collect();
    for (w, batch) in weeks.iter().enumerate() {
        let week = w as u32;
        let decoded = r.week(week).unwrap();
        assert_eq!(decoded.len(), batch.len(), "week {w}");
        let df = r.frame(Some(week)).unwrap();
        let mut names = df.get_column_names_owned();
        names.reverse();
        let reversed = df.select(names).unwrap();
        assert_eq!(
            batch_from_frame(&reversed, week, &groups, &path).unwrap(),
            decoded,
            "week {w}"
        );
    }
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

#[test]
fn the_log_is_streamed_in_pieces_smaller_than_a_week_with_the_same_batches() {
    let (path, weeks) = stored_run("stream");
    let r = EventReader::open(&path).unwrap();
    let groups: Vec<&str> = r.groups.iter().map(String::as_str).collect();
    // Whole weeks, each decoded from all its rows in one frame.
    let whole: Vec<WeekBatch> = (0..weeks.len() as u32)
        .map(|w| batch_from_frame(&r.frame(Some(w)).unwrap(), w, &groups, &path).unwrap())
        .collect();
    assert_eq!(whole, weeks);
    let smallest_week = (0..weeks.len() as u32)
        .map(|w| r.frame(Some(w)).unwrap().height())
        .min()
        .unwrap();
    for max_rows in [1, 7, 50, 61, 1000, usize::MAX] {
        let mut stream = r.weeks().unwrap().with_max_rows(max_rows);
        let streamed: Vec<WeekBatch> = stream.by_ref().map(Result::unwrap).collect();
        assert_eq!(streamed, whole, "pieces of {max_rows} rows");
        assert!(stream.largest_chunk() <= max_rows, "{max_rows}");
        // Even whole row groups are smaller than a week: a week is never decoded at once.
        assert!(stream.largest_chunk() < smallest_week, "{max_rows}");
    }
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

#[test]
fn reading_the_first_weeks_stops_early_and_goes_on_where_it_stopped() {
    let (path, weeks) = stored_run("early");
    let r = EventReader::open(&path).unwrap();
    let groups = r.meta.row_groups.len();
    let mut stream = r.weeks().unwrap();
    let first: Vec<WeekBatch> = stream.by_ref().take(3).map(Result::unwrap).collect();
    assert_eq!(first, weeks[..3]);
    assert_eq!(stream.next_week(), 3);
    // Only weeks 0..3 and the first row group of week 3 were read.
    let read = stream.row_groups.next;
    assert!(read < groups / 2, "{read} of {groups} row groups read");
    let rest: Vec<WeekBatch> = stream.by_ref().map(Result::unwrap).collect();
    assert_eq!(rest, weeks[3..]);
    assert_eq!(stream.row_groups.next, groups);
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

#[test]
fn a_missing_value_in_a_run_of_rows_names_the_week_row_and_column() {
    let (path, _) = stored_run("missing");
    let r = EventReader::open(&path).unwrap();
    let groups: Vec<&str> = r.groups.iter().map(String::as_str).collect();
    let df = r.frame(Some(2)).unwrap();
    let kinds = df.column("kind").unwrap().str().unwrap().clone();
    let first = kinds.iter().position(|k| k == Some("TokensUsed")).unwrap();
    let row = first + 5;
    let genuine: Float64Chunked = df
        .column("genuine")
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, v)| if i == row { None } else { v })
        .collect();
    let mut bad = df.clone();
    bad.with_column(genuine.with_name("genuine".into()).into_column())
        .unwrap();
    let err = batch_from_frame(&bad, 2, &groups, &path)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("events.parquet")
            && err.contains(&format!("week 2: row {row}: `genuine` is missing")),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

#[test]
fn weeks_out_of_order_are_refused_with_the_row() {
    let (path, weeks) = stored_run("order_check");
    let s = sized("amazon-2026", 60, 14);
    let mut w = EventWriter::create(&path, &s, 0).unwrap();
    w.write_week(&weeks[0]).unwrap();
    w.write_week(&weeks[2]).unwrap();
    w.write_week(&weeks[1]).unwrap();
    w.finish().unwrap();
    let r = EventReader::open(&path).unwrap();
    let got: Vec<Result<WeekBatch, StoreError>> = r.weeks().unwrap().collect();
    assert_eq!(got[0].as_ref().unwrap(), &weeks[0]);
    // Week 1 has no rows before week 2's: an empty batch (the fold refuses it).
    assert!(got[1].as_ref().unwrap().is_empty());
    // Week 2 is read up to the first row of week 1 that follows it.
    let err = got[2].as_ref().unwrap_err().to_string();
    let row = weeks[0].len() + weeks[2].len();
    assert!(
        err.contains(&format!("row {row}: week 1 is out of order")),
        "{err}"
    );
    assert_eq!(got.len(), 3, "a corrupt log ends the stream");
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}
