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

pub use crate::names::{edit_distance, nearest};

impl ScenarioError {
    /// A refused value of `file` (see [`crate::policy::check`]).
    pub fn from_check(file: &str, e: crate::policy::check::CheckError) -> Self {
        use crate::policy::check::CheckError;
        match e {
            CheckError::OutOfRange {
                key,
                value,
                allowed,
            } => ScenarioError::OutOfRange {
                file: file.to_string(),
                key,
                value,
                allowed,
            },
            CheckError::Invalid { key, message } => ScenarioError::Invalid {
                file: file.to_string(),
                key,
                message,
            },
        }
    }
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
