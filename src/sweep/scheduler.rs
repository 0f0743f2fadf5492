//! `--shard auto`: the shard a job-array task runs, read from the scheduler's environment.
//!
//! Slurm exports the task's index (`SLURM_ARRAY_TASK_ID`) and the array's shape
//! (`SLURM_ARRAY_TASK_COUNT`, `_MIN`, `_MAX`, `_STEP`); a Kubernetes Indexed Job exports only the
//! index (`JOB_COMPLETION_INDEX`), so the count comes from `--shards N`. Shards are numbered from
//! 0 without gaps, so an array that starts elsewhere or skips indices is refused (unless
//! `--shards N` says the count, as when only some tasks of an array are resubmitted).
//!
//! Pure functions over an environment lookup, so every case is tested without a scheduler.

use super::Shard;

/// Slurm's index of this array task.
pub const SLURM_ID: &str = "SLURM_ARRAY_TASK_ID";
/// Slurm's number of tasks in the array.
pub const SLURM_COUNT: &str = "SLURM_ARRAY_TASK_COUNT";
/// Slurm's lowest and highest index of the array, and its step.
pub const SLURM_MIN: &str = "SLURM_ARRAY_TASK_MIN";
pub const SLURM_MAX: &str = "SLURM_ARRAY_TASK_MAX";
pub const SLURM_STEP: &str = "SLURM_ARRAY_TASK_STEP";
/// A Kubernetes Indexed Job's index of this pod.
pub const K8S_INDEX: &str = "JOB_COMPLETION_INDEX";

/// The shard chosen and, in words, the variables it came from (for a note on stderr).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoShard {
    pub shard: Shard,
    pub source: String,
}

/// The shard of this task from the environment `env` (a lookup such as `std::env::var`), with
/// `shards` the count given by `--shards N` if any. Errors are sentences naming the variables
/// and the flag, and what is allowed.
pub fn from_env(
    env: &dyn Fn(&str) -> Option<String>,
    shards: Option<u64>,
) -> Result<AutoShard, String> {
    let get = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    if let Some(0) = shards {
        return Err("--shards must be at least 1".into());
    }
    match (get(SLURM_ID), get(K8S_INDEX)) {
        (Some(_), Some(_)) => Err(format!(
            "--shard auto: both {SLURM_ID} (Slurm) and {K8S_INDEX} (Kubernetes) are set; \
             unset one, or give the shard as --shard K/N"
        )),
        (Some(id), None) => slurm(&get, &id, shards),
        (None, Some(index)) => kubernetes(&index, shards),
        (None, None) => Err(format!(
            "--shard auto needs a job-array task's environment: {SLURM_ID} (Slurm job array, \
             with {SLURM_COUNT} or {SLURM_MAX}) or {K8S_INDEX} (Kubernetes Indexed Job, with \
             --shards N), and none is set; outside a job array give the shard as --shard K/N"
        )),
    }
}

/// A variable's value as a whole number, or an error naming it.
fn number(name: &str, value: &str) -> Result<u64, String> {
    value
        .trim()
        .parse()
        .map_err(|_| format!("--shard auto: {name}={value} is not a whole number (0 or more)"))
}

/// Check `count` <= [`Shard::MAX_COUNT`] and `index` < `count`, and build the shard.
fn shard(index: u64, count: u64, source: String) -> Result<AutoShard, String> {
    if count > Shard::MAX_COUNT {
        return Err(format!(
            "--shard auto: {count} shards ({source}); a batch may be split into 1 to {} shards",
            Shard::MAX_COUNT
        ));
    }
    if index >= count {
        return Err(format!(
            "--shard auto: the task index is {index} but there are only {count} shards ({source}); \
             indices must run from 0 to {}",
            count.saturating_sub(1)
        ));
    }
    Ok(AutoShard {
        shard: Shard { index, count },
        source,
    })
}

fn slurm(
    get: &dyn Fn(&str) -> Option<String>,
    id: &str,
    shards: Option<u64>,
) -> Result<AutoShard, String> {
    let index = number(SLURM_ID, id)?;
    if let Some(n) = shards {
        // The count is given: a resubmission of some tasks (`--array=3`) is then fine.
        return shard(index, n, format!("{SLURM_ID}={index}, --shards {n}"));
    }
    let read = |name: &str| get(name).map(|v| number(name, &v)).transpose();
    let (count, min, max, step) = (
        read(SLURM_COUNT)?,
        read(SLURM_MIN)?,
        read(SLURM_MAX)?,
        read(SLURM_STEP)?,
    );
    if let Some(min) = min.filter(|m| *m != 0) {
        return Err(format!(
            "--shard auto: the Slurm array starts at {min} ({SLURM_MIN}={min}), but shards are \
             numbered from 0: submit --array=0-(N-1), or give the number of shards with --shards N"
        ));
    }
    if let Some(step) = step.filter(|s| *s != 1) {
        return Err(format!(
            "--shard auto: the Slurm array has gaps ({SLURM_STEP}={step}); submit \
             --array=0-(N-1) without a step, or give the number of shards with --shards N"
        ));
    }
    match (count, max) {
        (Some(c), Some(m)) if m.checked_add(1) != Some(c) => Err(format!(
            "--shard auto: the Slurm array has gaps ({SLURM_COUNT}={c} tasks but \
             {SLURM_MAX}={m}); submit --array=0-(N-1), or give the number of shards with --shards N"
        )),
        (Some(c), _) => shard(index, c, format!("{SLURM_ID}={index}, {SLURM_COUNT}={c}")),
        (None, Some(m)) => match m.checked_add(1) {
            Some(n) => shard(index, n, format!("{SLURM_ID}={index}, {SLURM_MAX}={m}")),
            None => Err(format!(
                "--shard auto: {SLURM_MAX}={m} is out of range; a batch may be split into 1 to {} shards",
                Shard::MAX_COUNT
            )),
        },
        (None, None) => Err(format!(
            "--shard auto: {SLURM_ID} is set but neither {SLURM_COUNT} nor {SLURM_MAX} is, so \
             the number of shards is unknown; give it with --shards N"
        )),
    }
}

fn kubernetes(index: &str, shards: Option<u64>) -> Result<AutoShard, String> {
    let index = number(K8S_INDEX, index)?;
    let Some(n) = shards else {
        return Err(format!(
            "--shard auto: {K8S_INDEX}={index} (a Kubernetes Indexed Job) does not say how many \
             shards there are; give the Job's completions with --shards N"
        ));
    };
    shard(index, n, format!("{K8S_INDEX}={index}, --shards {n}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(vars: &[(&str, &str)], shards: Option<u64>) -> Result<AutoShard, String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        from_env(
            &|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()),
            shards,
        )
    }

    fn ok(vars: &[(&str, &str)], shards: Option<u64>) -> (u64, u64) {
        let a = with(vars, shards).unwrap_or_else(|e| panic!("{vars:?}: {e}"));
        (a.shard.index, a.shard.count)
    }

    fn err(vars: &[(&str, &str)], shards: Option<u64>, expect: &str) {
        let e = with(vars, shards).expect_err(&format!("{vars:?} should be refused"));
        assert!(e.contains(expect), "{vars:?}: `{expect}` not in {e}");
    }

    #[test]
    fn slurm_arrays_give_index_and_count() {
        let full = [
            (SLURM_ID, "2"),
            (SLURM_COUNT, "4"),
            (SLURM_MIN, "0"),
            (SLURM_MAX, "3"),
            (SLURM_STEP, "1"),
        ];
        assert_eq!(ok(&full, None), (2, 4));
        let a = with(&full, None).unwrap();
        assert!(
            a.source.contains("SLURM_ARRAY_TASK_COUNT=4"),
            "{}",
            a.source
        );
        // Older Slurm without the count: N = MAX + 1.
        assert_eq!(ok(&[(SLURM_ID, "0"), (SLURM_MAX, "5")], None), (0, 6));
        // A resubmitted single task (--array=3) with the count given.
        let one = [
            (SLURM_ID, "3"),
            (SLURM_COUNT, "1"),
            (SLURM_MIN, "3"),
            (SLURM_MAX, "3"),
        ];
        assert_eq!(ok(&one, Some(4)), (3, 4));
        err(&one, None, "starts at 3");
    }

    #[test]
    fn slurm_arrays_with_gaps_or_bad_values_are_refused() {
        // --array=0,1,3: three tasks, highest index 3.
        err(
            &[(SLURM_ID, "1"), (SLURM_COUNT, "3"), (SLURM_MAX, "3")],
            None,
            "has gaps",
        );
        // --array=0-6:2
        err(
            &[(SLURM_ID, "2"), (SLURM_STEP, "2"), (SLURM_MAX, "6")],
            None,
            "SLURM_ARRAY_TASK_STEP=2",
        );
        err(
            &[(SLURM_ID, "x"), (SLURM_COUNT, "4")],
            None,
            "SLURM_ARRAY_TASK_ID=x",
        );
        err(&[(SLURM_ID, "1")], None, "--shards N");
        err(
            &[(SLURM_ID, "4"), (SLURM_COUNT, "4"), (SLURM_MAX, "3")],
            None,
            "only 4 shards",
        );
        err(&[(SLURM_ID, "5")], Some(4), "only 4 shards");
    }

    #[test]
    fn kubernetes_needs_the_count_from_the_flag() {
        for k in 0..5u64 {
            let v = k.to_string();
            assert_eq!(ok(&[(K8S_INDEX, &v)], Some(5)), (k, 5));
        }
        err(&[(K8S_INDEX, "1")], None, "--shards N");
        err(&[(K8S_INDEX, "5")], Some(5), "only 5 shards");
        err(&[(K8S_INDEX, "1")], Some(0), "--shards must be at least 1");
    }

    #[test]
    fn huge_counts_from_the_environment_are_refused_without_overflow() {
        let max = u64::MAX.to_string();
        err(&[(SLURM_ID, "0"), (SLURM_MAX, &max)], None, "out of range");
        err(
            &[(SLURM_ID, "0"), (SLURM_COUNT, &max), (SLURM_MAX, &max)],
            None,
            "has gaps",
        );
        err(
            &[(SLURM_ID, "0"), (SLURM_COUNT, &max)],
            None,
            "1 to 100000 shards",
        );
        err(&[(K8S_INDEX, "0")], Some(u64::MAX), "1 to 100000 shards");
    }

    #[test]
    fn no_or_two_schedulers_are_refused() {
        err(&[], None, "none is set");
        err(&[(SLURM_ID, "")], Some(2), "none is set");
        err(
            &[(SLURM_ID, "0"), (K8S_INDEX, "0")],
            Some(2),
            "both SLURM_ARRAY_TASK_ID",
        );
    }
}
