//! Spec files on disk: reading a spec, and the copy of a sweep stored in its output folders.

use std::path::Path;

use super::{STORED_BASE, Sweep, SweepError};
use crate::scenario::load;

impl Sweep {
    /// Write the copy `load_stored` reads.
    pub fn store(&self, dir: &Path) -> std::io::Result<()> {
        let write = |name: &str, text: &str| {
            let tmp = dir.join(crate::paths::temp_name(name));
            std::fs::write(&tmp, text)
                .and_then(|()| std::fs::rename(&tmp, dir.join(name)))
                .inspect_err(|_| {
                    let _ = std::fs::remove_file(&tmp);
                })
        };
        write(self.stored_as, &self.text)?;
        write(
            STORED_BASE,
            &toml::to_string(&self.base_table).unwrap_or_default(),
        )
    }
}

/// Read a sweep (or sensitivity, calibration) spec, or name it in the error.
pub fn read_spec(path: &Path) -> Result<String, SweepError> {
    load::read_text(path).map_err(|source| SweepError::Io {
        path: path.into(),
        source,
    })
}

/// Read the resolved base scenario kept in an output folder ([`STORED_BASE`]).
pub fn read_stored_base(dir: &Path) -> Result<toml::Table, SweepError> {
    let path = dir.join(STORED_BASE);
    read_spec(&path)?
        .parse()
        .map_err(|e: toml::de::Error| SweepError::Invalid {
            file: path.display().to_string(),
            message: e.message().to_string(),
        })
}
