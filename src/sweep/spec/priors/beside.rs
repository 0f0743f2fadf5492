//! Which priors a comparison draws from when it is not told: the posterior `tokenmaxx fit` wrote
//! beside the compared scenario files, with the calibrated priors for the parameters it leaves
//! out; else the calibrated priors (the CLI's `compare` and the Python package's).

use std::path::PathBuf;

use super::{NAMED, Priors};
use crate::paths::{POSTERIOR, posterior_beside};
use crate::scenario::Source;
use crate::sweep::SweepError;

impl Priors {
    /// The priors of a comparison of `scenarios`: `spec` when given (`--priors`); else the
    /// posterior beside the compared scenario files, then the calibrated priors; else the
    /// calibrated priors. Returns them with the file read, if any (an input of the comparison).
    pub fn for_comparison(
        spec: Option<&str>,
        scenarios: &[(String, Source)],
    ) -> Result<(Option<Priors>, Option<PathBuf>), SweepError> {
        if let Some(spec) = spec {
            let file = (!NAMED.contains(&spec)).then(|| PathBuf::from(spec));
            return Ok((Priors::load(spec)?, file));
        }
        let Some(path) = posterior(scenarios)? else {
            return Ok((Priors::load("calibrated")?, None));
        };
        let posterior = Priors::load(&path.display().to_string())?.expect("a file");
        let calibrated = Priors::load("calibrated")?.expect("shipped");
        let from = format!("{POSTERIOR} from fit");
        let priors = Priors {
            from: Some(from),
            ..posterior
        }
        .then(calibrated);
        Ok((Some(priors), Some(path)))
    }
}

/// The one posterior `tokenmaxx fit` wrote beside the compared scenario files, if any; two that
/// differ are refused (they describe two organisations; a copy of one is the same).
fn posterior(scenarios: &[(String, Source)]) -> Result<Option<PathBuf>, SweepError> {
    let mut found: Vec<PathBuf> = Vec::new();
    for (_, s) in scenarios {
        let Source::Path(p) = s else { continue };
        if let Some(post) = posterior_beside(p) {
            let same = |q: &PathBuf| std::fs::read(q).ok() == std::fs::read(&post).ok();
            if !found.iter().any(same) {
                found.push(post);
            }
        }
    }
    if found.len() > 1 {
        let all: Vec<String> = found.iter().map(|p| p.display().to_string()).collect();
        return Err(SweepError::Invalid {
            file: all.join(", "),
            message: format!(
                "the compared scenarios lie beside {} different posteriors written by `tokenmaxx fit` (two organisations): name the priors with --priors FILE (or {})",
                found.len(),
                super::NAMES
            ),
        });
    }
    Ok(found.pop())
}
