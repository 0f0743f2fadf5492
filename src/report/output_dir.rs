//! An output folder written as a whole: files go to a staging folder beside the target, which
//! is swapped in by renames on [`OutputDir::commit`]. Dropped without commit, the staging folder
//! is removed and the target is untouched.

use std::fs;
use std::path::{Path, PathBuf};

use super::ReportError;

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ReportError + '_ {
    move |source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A staging folder for one output folder.
#[derive(Debug)]
pub struct OutputDir {
    target: PathBuf,
    staging: PathBuf,
    committed: bool,
}

impl OutputDir {
    /// Create the staging folder beside `target` (the parent is created if missing).
    pub fn create(target: &Path) -> Result<OutputDir, ReportError> {
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".to_string());
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(io(&parent))?;
        remove_stale_staging(&parent, &name);
        let staging = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(io(&staging))?;
        }
        fs::create_dir(&staging).map_err(io(&staging))?;
        Ok(OutputDir {
            target: target.to_path_buf(),
            staging,
            committed: false,
        })
    }

    /// Path of a file inside the staging folder.
    pub fn file(&self, name: &str) -> PathBuf {
        self.staging.join(name)
    }

    /// The final folder.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Swap the staging folder in place of the target.
    pub fn commit(mut self) -> Result<PathBuf, ReportError> {
        let old = self.staging.with_file_name(format!(
            "{}.old",
            self.staging
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ));
        let had_old = self.target.exists();
        if had_old {
            fs::rename(&self.target, &old).map_err(io(&self.target))?;
        }
        if let Err(source) = fs::rename(&self.staging, &self.target) {
            if had_old {
                // Put the previous output back before reporting the failure.
                let _ = fs::rename(&old, &self.target);
            }
            return Err(ReportError::Io {
                path: self.target.clone(),
                source,
            });
        }
        self.committed = true;
        if had_old {
            fs::remove_dir_all(&old).map_err(io(&old))?;
        }
        Ok(self.target.clone())
    }
}

/// Remove staging folders of this output left by runs that were killed (their process is gone).
fn remove_stale_staging(parent: &Path, name: &str) {
    let prefix = format!(".{name}.tmp-");
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let file_name = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = file_name.strip_prefix(&prefix) else {
            continue;
        };
        let pid = rest.trim_end_matches(".old");
        let alive = pid
            .parse::<u32>()
            .is_ok_and(|p| p == std::process::id() || Path::new(&format!("/proc/{p}")).exists());
        if !alive {
            let _ = fs::remove_dir_all(e.path());
        }
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_replaces_and_drop_discards() {
        let root = std::env::temp_dir().join(format!("tmx-outdir-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let target = root.join("run");
        fs::create_dir_all(&target).unwrap();
        fs::write(target.join("old.csv"), "old").unwrap();

        // Dropped without commit: target untouched, staging gone.
        let d = OutputDir::create(&target).unwrap();
        fs::write(d.file("new.csv"), "new").unwrap();
        drop(d);
        assert!(target.join("old.csv").exists());
        assert_eq!(fs::read_dir(&root).unwrap().count(), 1);

        // Committed: the folder holds only the new run's files.
        let d = OutputDir::create(&target).unwrap();
        fs::write(d.file("new.csv"), "new").unwrap();
        d.commit().unwrap();
        assert!(!target.join("old.csv").exists());
        assert!(target.join("new.csv").exists());
        assert_eq!(fs::read_dir(&root).unwrap().count(), 1);
        fs::remove_dir_all(&root).unwrap();
    }
}
