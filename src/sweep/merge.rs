//! Merging the shards of a batch (sweep, sensitivity analysis or comparison): every run id of the
//! batch must come from exactly one shard of the same batch. The checks are here, as pure
//! functions of the shards' journals; the CLI reads the folders and says what they found.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::Shard;
use super::journal::{Entry, Header};

/// One shard folder's journal.
pub struct ShardLog<R> {
    pub dir: PathBuf,
    pub header: Header,
    pub records: Vec<R>,
}

/// What the shards hold.
pub enum Merged<R> {
    /// Every run, once, in id order.
    Complete(Vec<R>),
    /// Some runs are missing: how far each shard got, and the missing ids.
    Partial(Progress),
}

/// The progress of a batch whose shards are not all done.
pub struct Progress {
    /// Per shard folder: the folder, its shard and how many of its runs are done and expected.
    pub shards: Vec<(PathBuf, Shard, u64, u64)>,
    /// Shard indices of a single shard count that no folder was given for.
    pub absent: Vec<u64>,
    pub missing: Vec<u64>,
}

/// Why shards cannot be merged.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MergeError {
    #[error("{dir} holds a shard of another batch ({other}) than {first} ({name})")]
    OtherBatch {
        dir: String,
        other: String,
        first: String,
        name: String,
    },
    #[error("duplicate run ids: {0}")]
    Duplicates(String),
}

/// Combine the journals of the shard folders of batch `name` (whose spec hashes to `hash`, with
/// `runs` runs): refused if a folder belongs to another batch or an id is journaled twice.
pub fn combine<R: Entry>(
    logs: Vec<ShardLog<R>>,
    name: &str,
    hash: u64,
    runs: u64,
) -> Result<Merged<R>, MergeError> {
    let first = logs.first().map(|l| l.dir.clone()).unwrap_or_default();
    let mut owner: BTreeMap<u64, (PathBuf, R)> = BTreeMap::new();
    let mut duplicates = Vec::new();
    let mut shards = Vec::new();
    for log in logs {
        if log.header.sweep_hash != hash {
            return Err(MergeError::OtherBatch {
                dir: log.dir.display().to_string(),
                other: log.header.sweep.clone(),
                first: first.display().to_string(),
                name: name.to_string(),
            });
        }
        let shard = Shard {
            index: log.header.shard_index,
            count: log.header.shard_count,
        };
        let expected = (0..runs).filter(|id| shard.owns(*id)).count() as u64;
        shards.push((log.dir.clone(), shard, log.records.len() as u64, expected));
        for r in log.records {
            if let Some((other, _)) = owner.get(&r.id()) {
                duplicates.push(format!(
                    "{} (in {} and {})",
                    r.id(),
                    other.display(),
                    log.dir.display()
                ));
            } else {
                owner.insert(r.id(), (log.dir.clone(), r));
            }
        }
    }
    if !duplicates.is_empty() {
        return Err(MergeError::Duplicates(duplicates.join(", ")));
    }
    let missing: Vec<u64> = (0..runs).filter(|id| !owner.contains_key(id)).collect();
    if missing.is_empty() {
        return Ok(Merged::Complete(
            owner.into_values().map(|(_, r)| r).collect(),
        ));
    }
    let absent = absent_shards(&shards);
    Ok(Merged::Partial(Progress {
        shards,
        absent,
        missing,
    }))
}

/// With one shard count among the folders, the shard indices no folder was given for.
fn absent_shards(shards: &[(PathBuf, Shard, u64, u64)]) -> Vec<u64> {
    let counts: std::collections::BTreeSet<u64> = shards.iter().map(|s| s.1.count).collect();
    match counts.iter().copied().collect::<Vec<_>>()[..] {
        [n] => (0..n)
            .filter(|k| !shards.iter().any(|s| s.1.index == *k))
            .collect(),
        _ => Vec::new(),
    }
}

/// Up to 20 ids in words ("ids 3, 7, ...").
pub fn ids_text(ids: &[u64]) -> String {
    let shown: Vec<String> = ids.iter().take(20).map(u64::to_string).collect();
    format!(
        "ids {}{}",
        shown.join(", "),
        if ids.len() > 20 { ", ..." } else { "" }
    )
}

impl Progress {
    /// The folder a shard was read from, for messages.
    pub fn folders(&self) -> impl Iterator<Item = &Path> {
        self.shards.iter().map(|s| s.0.as_path())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Run(u64);
    impl Entry for Run {
        fn id(&self) -> u64 {
            self.0
        }
    }

    fn log(dir: &str, index: u64, count: u64, hash: u64, ids: &[u64]) -> ShardLog<Run> {
        ShardLog {
            dir: PathBuf::from(dir),
            header: Header {
                sweep: "s".into(),
                sweep_hash: hash,
                runs: 6,
                shard_index: index,
                shard_count: count,
            },
            records: ids.iter().map(|&i| Run(i)).collect(),
        }
    }

    #[test]
    fn complete_shards_merge_in_id_order() {
        let logs = vec![log("b", 1, 2, 7, &[5, 1, 3]), log("a", 0, 2, 7, &[0, 2, 4])];
        let Ok(Merged::Complete(runs)) = combine(logs, "s", 7, 6) else {
            panic!("complete")
        };
        assert_eq!(runs, (0..6).map(Run).collect::<Vec<_>>());
    }

    #[test]
    fn missing_runs_and_absent_shards_are_reported() {
        let logs = vec![log("a", 0, 3, 7, &[0])];
        let Ok(Merged::Partial(p)) = combine(logs, "s", 7, 6) else {
            panic!("partial")
        };
        assert_eq!(p.missing, vec![1, 2, 3, 4, 5]);
        assert_eq!(p.absent, vec![1, 2]);
        assert_eq!(p.shards[0].2, 1);
        assert_eq!(p.shards[0].3, 2, "shard 0 of 3 owns ids 0 and 3");
        assert_eq!(ids_text(&p.missing), "ids 1, 2, 3, 4, 5");
    }

    #[test]
    fn duplicates_and_other_batches_are_refused() {
        let twice = vec![log("a", 0, 1, 7, &[0, 1]), log("b", 0, 1, 7, &[1])];
        let e = combine(twice, "s", 7, 2).err().expect("refused");
        assert_eq!(e, MergeError::Duplicates("1 (in a and b)".into()));
        let other = vec![log("a", 0, 1, 7, &[0]), log("b", 0, 1, 8, &[1])];
        assert!(matches!(
            combine(other, "s", 7, 2),
            Err(MergeError::OtherBatch { .. })
        ));
    }
}
