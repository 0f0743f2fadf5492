//! A comparison written in place (`--resume`, `--shard K/N`): compare.json holds the
//! [`Compare`] serialised, everything needed to rerun or merge it without the original files
//! (each scenario's resolved text, before priors), and the journal one [`RunLine`] per finished
//! run.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Compare, Compared, Priors, RunOut};
use crate::scenario::Source;
use crate::sweep::SweepError;
use crate::sweep::journal::Entry;

/// The stored comparison's file name inside its folder.
pub const FILE: &str = "compare.json";

/// A scenario as compare.json holds it: its name and resolved TOML.
#[derive(Serialize, Deserialize)]
pub(super) struct StoredScenario {
    name: String,
    toml: String,
}

impl From<Compared> for StoredScenario {
    fn from(c: Compared) -> StoredScenario {
        StoredScenario {
            name: c.name,
            toml: c.toml,
        }
    }
}

impl From<StoredScenario> for Compared {
    fn from(s: StoredScenario) -> Compared {
        Compared {
            source: Source::Text {
                name: s.name.clone(),
                text: s.toml.clone(),
            },
            name: s.name,
            toml: s.toml,
        }
    }
}

impl Compare {
    /// The comparison as its compare.json reads back: every scenario from its stored text.
    pub fn stored(&self) -> Compare {
        Compare {
            scenarios: self.scenarios.iter().map(Compared::stored).collect(),
            ..self.clone()
        }
    }

    /// compare.json's text (the journal's header holds its hash).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a stored comparison serialises") + "\n"
    }

    /// Read `dir`'s compare.json.
    pub fn read(dir: &Path) -> Result<Compare, SweepError> {
        let path = dir.join(FILE);
        let text = std::fs::read_to_string(&path).map_err(|source| SweepError::Io {
            path: path.clone(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|e| SweepError::Invalid {
            file: path.display().to_string(),
            message: format!("not a stored comparison: {e}"),
        })
    }

    /// What differs from `other`, in words (empty when they are the same comparison).
    pub fn differences(&self, other: &Compare) -> Vec<String> {
        let mut out = Vec::new();
        let mut field = |what: &str, a: String, b: String| {
            if a != b {
                out.push(format!("{what} {a} -> {b}"));
            }
        };
        let names = |s: &Compare| {
            format!(
                "[{}]",
                s.scenarios
                    .iter()
                    .map(|x| x.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        field("name", self.name.clone(), other.name.clone());
        field("scenarios", names(self), names(other));
        field(
            "baseline",
            self.baseline.to_string(),
            other.baseline.to_string(),
        );
        field(
            "replications",
            self.replications.to_string(),
            other.replications.to_string(),
        );
        field("seed", self.seed.to_string(), other.seed.to_string());
        let given = |v: Option<i64>, what: &str| {
            v.map_or(format!("(the scenarios' own {what})"), |n| n.to_string())
        };
        field(
            "employees",
            given(self.employees, "headcount"),
            given(other.employees, "headcount"),
        );
        field(
            "weeks",
            given(self.weeks, "weeks"),
            given(other.weeks, "weeks"),
        );
        field(
            "priors",
            priors_words(&self.priors),
            priors_words(&other.priors),
        );
        let horizons = |h: &Option<Vec<u32>>| {
            h.as_ref()
                .map_or("(the default)".into(), |h| format!("{h:?}"))
        };
        field(
            "horizons",
            horizons(&self.horizons),
            horizons(&other.horizons),
        );
        for (a, b) in self.scenarios.iter().zip(&other.scenarios) {
            if a.name == b.name && a.toml != b.toml {
                out.push(format!("scenario {}'s resolved file changed", a.name));
            }
        }
        out
    }
}

/// Priors in words: `none`, or each parameter with its range (`behaviour.uplift in [0.2, 0.6]`).
fn priors_words(p: &Option<Priors>) -> String {
    match p {
        None => "none".into(),
        Some(p) => {
            let each: Vec<String> = p
                .ranges()
                .into_iter()
                .map(|(name, low, high)| format!("{name} in [{low}, {high}]"))
                .collect();
            format!("({})", each.join(", "))
        }
    }
}

/// One run of a comparison as journaled: its id, and its figures and weekly series or its error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunLine {
    pub id: u64,
    pub scenario: usize,
    pub replication: u32,
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<RunOut>,
}

impl Entry for RunLine {
    fn id(&self) -> u64 {
        self.id
    }
}

impl RunLine {
    /// The line of run `id` of `c` with its outcome.
    pub fn new(c: &Compare, id: u64, outcome: Result<RunOut, String>) -> RunLine {
        let (scenario, replication) = c.split_id(id);
        let (error, run) = match outcome {
            Ok(r) => (None, Some(r)),
            Err(e) => (Some(e), None),
        };
        RunLine {
            id,
            scenario,
            replication,
            error,
            run,
        }
    }

    /// The run's outcome.
    pub fn outcome(self) -> Result<RunOut, String> {
        match (self.error, self.run) {
            (None, Some(r)) => Ok(r),
            (e, _) => Err(e.unwrap_or_else(|| "no figures journaled".into())),
        }
    }
}

/// Serialise a series with undefined values (NaN) as JSON nulls, and read them back as NaN.
pub(super) mod nan_as_null {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|x| x.is_finite().then_some(*x)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        let v = Vec::<Option<f64>>::deserialize(d)?;
        Ok(v.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compare() -> Compare {
        Compare {
            name: "x".into(),
            scenarios: ["baseline", "target-only"]
                .iter()
                .map(|n| Compared::new(n.to_string(), Source::Builtin(n.to_string())).unwrap())
                .collect(),
            baseline: 1,
            replications: 2,
            seed: 3,
            employees: Some(200),
            weeks: Some(8),
            priors: Priors::load("unanchored").unwrap(),
            horizons: None,
        }
    }

    #[test]
    fn a_stored_comparison_runs_the_same_without_its_files() {
        // given a comparison stored as JSON, when read back and rebuilt, then it is the same
        // comparison and its runs give the same figures, and a journal line with undefined (NaN)
        // figures reads back equal
        let c = compare();
        let back: Compare = serde_json::from_str(&c.to_json()).unwrap();
        assert_eq!(back, c.stored());
        assert!(back.differences(&c).is_empty());
        let again = back;
        for id in 0..c.runs() {
            let (i, r) = c.split_id(id);
            let (a, b) = (c.run_one(i, r).unwrap(), again.run_one(i, r).unwrap());
            let line = RunLine::new(&again, id, Ok(b));
            let json = serde_json::to_string(&line).unwrap();
            let read: RunLine = serde_json::from_str(&json).unwrap();
            let b = read.outcome().unwrap();
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            let nan = f64::NAN.to_bits();
            let norm = |v: &[f64]| {
                bits(v)
                    .into_iter()
                    .map(|x| if f64::from_bits(x).is_nan() { nan } else { x })
                    .collect::<Vec<_>>()
            };
            assert_eq!(norm(&a.figures), norm(&b.figures), "run {id}");
            assert_eq!(bits(&a.cost_usd), bits(&b.cost_usd), "run {id}");
        }
    }

    #[test]
    fn differences_name_what_changed() {
        let a = compare();
        let mut b = a.clone();
        b.seed = 4;
        b.scenarios[1].toml.push_str("\n# edited\n");
        let d = a.differences(&b);
        assert_eq!(
            d,
            vec![
                "seed 3 -> 4".to_string(),
                "scenario target-only's resolved file changed".into()
            ]
        );
        // Optional settings read as words, not as Rust's `None -> Some(...)`.
        let mut c = a.clone();
        c.employees = None;
        c.priors = None;
        let d = a.differences(&c).join("; ");
        assert!(
            d.starts_with("employees 200 -> (the scenarios' own headcount); priors ("),
            "{d}"
        );
        assert!(d.ends_with(") -> none"), "{d}");
        assert!(!d.contains("Some") && !d.contains("Priors {"), "{d}");
    }

    #[test]
    fn a_compare_json_written_before_the_one_type_reads_and_writes_back_byte_identical() {
        // given compare.json as the separate stored type wrote it (no horizons key), when read
        // and written again, then the bytes are the same and its scenarios run from their text
        let json = r#"{
  "name": "old",
  "scenarios": [
    {
      "name": "a",
      "toml": "employees = 10\n"
    },
    {
      "name": "b",
      "toml": "employees = 20\n"
    }
  ],
  "baseline": 1,
  "replications": 3,
  "seed": 42,
  "employees": null,
  "weeks": 8,
  "priors": null
}
"#;
        let c: Compare = serde_json::from_str(json).unwrap();
        assert_eq!(c.to_json(), json);
        assert_eq!((c.baseline, c.horizons.as_ref()), (1, None));
        assert_eq!(
            c.scenarios[1].source,
            Source::Text {
                name: "b".into(),
                text: "employees = 20\n".into()
            }
        );
    }
}
