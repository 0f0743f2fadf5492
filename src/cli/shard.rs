//! `--shard K/N`, `--shard auto` and `--shards N`: which runs of a batch this process executes
//! (sweep, sensitivity, compare). `auto` reads the job-array task's index from the scheduler's
//! environment ([`tokenmaxx::sweep::scheduler`]).

use clap::Args;
use tokenmaxx::sweep::Shard;
use tokenmaxx::sweep::scheduler;

use super::UserError;

/// The shard options of a batch command.
#[derive(Debug, Args)]
pub struct ShardArgs {
    /// Run only the ids with id % N == K, written as their own part (merge the parts with
    /// `merge`); `auto` takes K and N from a job array (SLURM_ARRAY_TASK_ID with
    /// SLURM_ARRAY_TASK_COUNT, or Kubernetes' JOB_COMPLETION_INDEX with --shards N).
    #[arg(long, value_parser = parse_shard, value_name = "K/N|auto")]
    shard: Option<ShardSpec>,
    /// The number of shards, with --shard auto (a Kubernetes Indexed Job's completions; or a
    /// Slurm array of which only some tasks were resubmitted).
    #[arg(long, value_name = "N")]
    shards: Option<u64>,
}

/// `--shard` as given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardSpec {
    Fixed(Shard),
    Auto,
}

impl ShardArgs {
    /// The shard to run (None: the whole batch), reading the environment for `auto` and saying on
    /// stderr which variables it used.
    pub fn resolve(&self) -> anyhow::Result<Option<Shard>> {
        self.resolve_with(&|name| std::env::var(name).ok())
    }

    fn resolve_with(&self, env: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<Option<Shard>> {
        match (self.shard, self.shards) {
            (None, None) => Ok(None),
            (Some(ShardSpec::Fixed(s)), None) => Ok(Some(s)),
            (None | Some(ShardSpec::Fixed(_)), Some(_)) => Err(UserError(
                "--shards N goes with --shard auto only (with --shard K/N the count is N)".into(),
            )
            .into()),
            (Some(ShardSpec::Auto), shards) => {
                let a = scheduler::from_env(env, shards).map_err(UserError)?;
                eprintln!(
                    "note: --shard auto: shard {}/{} (from {})",
                    a.shard.index, a.shard.count, a.source
                );
                Ok(Some(a.shard))
            }
        }
    }
}

/// `K/N` (0 <= K < N) or `auto`.
fn parse_shard(s: &str) -> Result<ShardSpec, String> {
    if s.trim() == "auto" {
        return Ok(ShardSpec::Auto);
    }
    let (k, n) = s.split_once('/').ok_or("expected K/N (e.g. 0/4) or auto")?;
    let index: u64 = k
        .trim()
        .parse()
        .map_err(|_| format!("`{k}` is not a number"))?;
    let count: u64 = n
        .trim()
        .parse()
        .map_err(|_| format!("`{n}` is not a number"))?;
    if count == 0 || index >= count {
        return Err(format!("need 0 <= K < N, got {index}/{count}"));
    }
    if count > Shard::MAX_COUNT {
        return Err(format!(
            "N = {count}: a batch may be split into 1 to {} shards",
            Shard::MAX_COUNT
        ));
    }
    Ok(ShardSpec::Fixed(Shard { index, count }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(shard: Option<&str>, shards: Option<u64>) -> ShardArgs {
        ShardArgs {
            shard: shard.map(|s| parse_shard(s).unwrap()),
            shards,
        }
    }

    #[test]
    fn fixed_auto_and_bad_combinations() {
        let none = |_: &str| None;
        assert_eq!(args(None, None).resolve_with(&none).unwrap(), None);
        assert_eq!(
            args(Some("1/3"), None).resolve_with(&none).unwrap(),
            Some(Shard { index: 1, count: 3 })
        );
        let k8s = |n: &str| (n == scheduler::K8S_INDEX).then(|| "2".to_string());
        assert_eq!(
            args(Some("auto"), Some(3)).resolve_with(&k8s).unwrap(),
            Some(Shard { index: 2, count: 3 })
        );
        for bad in [args(Some("1/3"), Some(3)), args(None, Some(3))] {
            let e = bad.resolve_with(&k8s).unwrap_err().to_string();
            assert!(e.contains("--shards N goes with --shard auto"), "{e}");
        }
        let e = args(Some("auto"), None).resolve_with(&none).unwrap_err();
        assert!(e.to_string().contains("none is set"), "{e}");
        assert!(parse_shard("3/3").is_err() && parse_shard("a").is_err());
    }
}
