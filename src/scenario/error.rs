//! Errors of loading and validating a scenario. Every variant names where the problem is (file,
//! line and column, or the dotted key) and what would be accepted.

use std::path::PathBuf;

/// Why a scenario could not be loaded. All of these are the user's input, never a bug.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read scenario file {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}:{line}:{column}: {message}")]
    Parse {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("unknown built-in scenario `{name}`; the built-ins are: {}", valid.join(", "))]
    UnknownBuiltin { name: String, valid: Vec<String> },
    #[error("{file}: `{key}` = {value} is out of range: {allowed}")]
    OutOfRange {
        file: String,
        key: String,
        value: String,
        allowed: String,
    },
    #[error("{file}: `{key}`: {message}")]
    Invalid {
        file: String,
        key: String,
        message: String,
    },
    #[error("scenario files extend each other in a loop: {}", chain.join(" -> "))]
    ExtendsCycle { chain: Vec<String> },
}

/// Levenshtein distance, for "did you mean" suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The candidate nearest to `word`, if it is near enough to be a plausible typo.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 2).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_nearest_key() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        let keys = ["token_scale", "effort_cost", "uplift"];
        assert_eq!(nearest("tokn_scale", keys), Some("token_scale"));
        assert_eq!(nearest("zzzzzzzzzzzz", keys), None);
    }
}
