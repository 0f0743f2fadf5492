//! An output folder written as a whole: files go to a staging folder beside the target, which
//! is swapped in on [`OutputDir::commit`] (atomically, by `renameat2(RENAME_EXCHANGE)`, where the
//! system has it). Dropped without commit, the staging folder is removed and the target is
//! untouched.
//!
//! Every folder tokenmaxx writes holds a [`MARKER`] file. An existing target is replaced only
//! when it is empty or carries the marker; a file, a folder of the user's, the current folder (or
//! one holding it), a folder holding any file the command reads (directly or through `base`,
//! `extends`, `--priors`, a roster or a profile) and a folder another process holds the lock of
//! ([`super::lock`]) are refused before anything is written. This module is the one place those
//! rules live: every command passes it the files it reads.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use super::ReportError;
use super::lock::{FolderLock, LOCK_FILE, check_free};

/// The file that marks a folder as written by tokenmaxx (and so replaceable by it).
pub const MARKER: &str = ".tokenmaxx-output";
const MARKER_TEXT: &str =
    "This folder was written by tokenmaxx. A later run writing to it replaces it whole.\n";

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ReportError + '_ {
    move |source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn refused(path: &Path, reason: impl Into<String>) -> ReportError {
    ReportError::Refused {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// A staging folder for one output folder.
#[derive(Debug)]
pub struct OutputDir {
    target: PathBuf,
    staging: PathBuf,
    committed: bool,
    /// The target's lock, held from creation (an existing target) or from the commit (a target
    /// made meanwhile) until dropped, so no batch writes into a folder being replaced.
    lock: Option<FolderLock>,
}

impl OutputDir {
    /// Create the staging folder beside `target` (the parent is created if missing), after
    /// checking that `target` may be replaced (see [`check_target`]) and does not hold or lie
    /// inside any of `inputs`, the files and folders the command reads; an existing target's
    /// lock is taken (refused, naming the holder, while a batch writes there).
    pub fn create(target: &Path, inputs: &[&Path]) -> Result<OutputDir, ReportError> {
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".to_string());
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if parent.is_dir() {
            remove_stale_staging(&parent, &name);
        }
        check_target(target, inputs)?;
        let lock = lock_existing(target)?;
        fs::create_dir_all(&parent).map_err(io(&parent))?;
        let staging = parent.join(crate::paths::temp_name(&name));
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(io(&staging))?;
        }
        fs::create_dir(&staging).map_err(io(&staging))?;
        let dir = OutputDir {
            target: target.to_path_buf(),
            staging,
            committed: false,
            lock,
        };
        fs::write(dir.file(MARKER), MARKER_TEXT).map_err(io(&dir.staging))?;
        Ok(dir)
    }

    /// Path of a file inside the staging folder.
    pub fn file(&self, name: &str) -> PathBuf {
        self.staging.join(name)
    }

    /// The final folder.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Swap the staging folder in place of the target (checked again: still replaceable).
    pub fn commit(mut self) -> Result<PathBuf, ReportError> {
        check_replaceable(&self.target)?;
        if self.lock.is_none() {
            self.lock = lock_existing(&self.target)?;
        }
        if fs::symlink_metadata(&self.target).is_err() {
            fs::rename(&self.staging, &self.target).map_err(io(&self.target))?;
            self.committed = true;
            return Ok(self.target.clone());
        }
        match exchange(&self.staging, &self.target) {
            Ok(()) => {
                // The staging path now holds the previous output.
                self.committed = true;
                fs::remove_dir_all(&self.staging).map_err(io(&self.staging))?;
            }
            Err(e) if e.kind() == ErrorKind::Unsupported => self.swap_by_renames()?,
            Err(e) => return Err(io(&self.target)(e)),
        }
        Ok(self.target.clone())
    }

    /// The fallback swap: target to `.NAME.tmp-PID.old`, staging to target, remove the old one.
    /// A kill between the renames leaves the `.old` folder, which the next run restores.
    fn swap_by_renames(&mut self) -> Result<(), ReportError> {
        let mut old = self.staging.clone().into_os_string();
        old.push(".old");
        let old = PathBuf::from(old);
        fs::rename(&self.target, &old).map_err(io(&self.target))?;
        if let Err(source) = fs::rename(&self.staging, &self.target) {
            // Put the previous output back before reporting the failure.
            let _ = fs::rename(&old, &self.target);
            return Err(io(&self.target)(source));
        }
        self.committed = true;
        fs::remove_dir_all(&old).map_err(io(&old))
    }
}

/// The lock of `target` when it is an existing folder (taken, or refused naming its holder).
fn lock_existing(target: &Path) -> Result<Option<FolderLock>, ReportError> {
    match fs::symlink_metadata(target) {
        Ok(m) if m.is_dir() => FolderLock::acquire(target).map(Some),
        _ => Ok(None),
    }
}

/// Exchange two paths atomically; `Unsupported` where the system or file system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| CString::new(p.as_os_str().as_bytes()).map_err(std::io::Error::other);
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both are valid NUL-terminated paths; renameat2 does not keep the pointers.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        return Ok(());
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::ENOSYS | libc::EINVAL | libc::ENOTSUP) => Err(ErrorKind::Unsupported.into()),
        _ => Err(e),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(ErrorKind::Unsupported.into())
}

/// Check that `target` may be written as a whole output folder: it names a folder (its last
/// component is not `..`); it is missing, or an empty folder, or one carrying the [`MARKER`];
/// no other process holds its lock; it is not the current folder or one holding it; and it
/// neither holds nor lies inside any of `inputs` (every file the command reads, resolved).
/// Nothing is created or changed.
pub fn check_target(target: &Path, inputs: &[&Path]) -> Result<(), ReportError> {
    check_paths(target, inputs)?;
    if target.is_dir() {
        check_free(target)?;
    }
    Ok(())
}

/// [`check_target`] but for the lock: for a folder this process locks next, or only marks (the
/// parent of a shard folder, which a merge may hold locked meanwhile).
fn check_paths(target: &Path, inputs: &[&Path]) -> Result<(), ReportError> {
    if !matches!(
        target.components().next_back(),
        Some(std::path::Component::Normal(_))
    ) {
        return Err(refused(
            target,
            "does not end in a folder name (it ends in `..`, `.` or `/`); name the output folder itself with --out",
        ));
    }
    check_replaceable(target)?;
    let abs = absolute(target);
    if let Ok(cwd) = std::env::current_dir()
        && absolute(&cwd).starts_with(&abs)
    {
        return Err(refused(
            target,
            "is the current folder or holds it; refusing to replace it; choose another --out",
        ));
    }
    for input in inputs {
        let i = absolute(input);
        if i.starts_with(&abs) || abs.starts_with(&i) {
            return Err(refused(
                target,
                format!(
                    "holds or lies inside {}, the input of this command (a file it reads, directly or through `base`, `extends`, --priors, a roster or a profile); refusing to replace it; choose another --out",
                    input.display()
                ),
            ));
        }
    }
    Ok(())
}

/// Check the output folder of `merge`: as [`check_target`], and neither one of the merged
/// folders `shards` nor inside one (it may hold them: output/NAME/ holds its shard-K-of-N/).
pub fn check_merge_target(target: &Path, shards: &[&Path]) -> Result<(), ReportError> {
    check_target(target, &[])?;
    let abs = absolute(target);
    for shard in shards {
        if abs.starts_with(absolute(shard)) {
            return Err(refused(
                target,
                format!(
                    "is or lies inside {}, a folder being merged; refusing to write into it; choose another --out",
                    shard.display()
                ),
            ));
        }
    }
    Ok(())
}

/// A missing path, an empty folder or a folder with the [`MARKER`]; anything else is refused.
fn check_replaceable(target: &Path) -> Result<(), ReportError> {
    let meta = match fs::symlink_metadata(target) {
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(target)(e)),
        Ok(m) => m,
    };
    if !meta.is_dir() {
        return Err(refused(
            target,
            "exists and is not a folder; refusing to replace it; choose another --out or remove it yourself",
        ));
    }
    // A lock file alone is what a refused or failed command leaves in an empty folder.
    let empty = fs::read_dir(target)
        .map_err(io(target))?
        .all(|e| e.is_ok_and(|e| e.file_name() == LOCK_FILE));
    if empty || target.join(MARKER).is_file() {
        Ok(())
    } else {
        Err(refused(
            target,
            "is not a tokenmaxx output folder (it has no .tokenmaxx-output marker); refusing to replace it; choose another --out or remove it yourself",
        ))
    }
}

/// Prepare a folder written in place (a sweep, sensitivity or calibration folder): refused unless
/// missing, empty or marked, as [`check_target`]; created and marked. Its lock is not checked:
/// the caller takes it next ([`FolderLock::acquire`]), or only marks the folder (a shard's
/// parent, which a merge may hold meanwhile).
pub fn prepare_in_place(dir: &Path, inputs: &[&Path]) -> Result<(), ReportError> {
    check_paths(dir, inputs)?;
    fs::create_dir_all(dir).map_err(io(dir))?;
    let marker = dir.join(MARKER);
    if !marker.is_file() {
        fs::write(&marker, MARKER_TEXT).map_err(io(dir))?;
    }
    Ok(())
}

/// The list, in a folder written in place, of the files an earlier batch left there that a
/// batch started afresh has not replaced yet (one name per line).
const PREVIOUS: &str = ".previous-outputs";

/// Start a batch afresh in `dir` (locked by the caller) without deleting anything yet: the files
/// an earlier batch left (not its subfolders, marker or lock, nor `keep`, the files the new batch
/// rewrites before its first run: its journal and spec copies) are listed, and removed only when
/// the new batch's first result set is moved in by [`write_in_place`] (those it replaces are
/// replaced then). Until then the earlier results stay whole, even if the new batch fails or is
/// killed.
pub fn start_fresh(dir: &Path, keep: &[&str]) -> Result<(), ReportError> {
    let list = dir.join(PREVIOUS);
    let mut names = read_names(&list)?;
    for e in fs::read_dir(dir).map_err(io(dir))? {
        let e = e.map_err(io(dir))?;
        let path = e.path();
        let Ok(name) = e.file_name().into_string() else {
            continue;
        };
        let special = [MARKER, LOCK_FILE, PREVIOUS].contains(&name.as_str());
        if !special && !name.contains('\n') && e.file_type().map_err(io(&path))?.is_file() {
            names.insert(name);
        }
    }
    names.retain(|n| !keep.contains(&n.as_str()));
    if names.is_empty() {
        return match fs::remove_file(&list) {
            Err(e) if e.kind() != ErrorKind::NotFound => Err(io(&list)(e)),
            _ => Ok(()),
        };
    }
    let text: String = names.iter().map(|n| format!("{n}\n")).collect();
    super::tables::atomic_write(&list, text.as_bytes())
}

/// The names listed one per line in `path` (none when it is missing).
/// Whether `name` is one plain path component (no separator, `..`, `.` or root).
fn is_plain_name(name: &str) -> bool {
    let mut parts = Path::new(name).components();
    matches!(
        (parts.next(), parts.next()),
        (Some(std::path::Component::Normal(_)), None)
    )
}

fn read_names(path: &Path) -> Result<std::collections::BTreeSet<String>, ReportError> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(text
            .lines()
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect()),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(Default::default()),
        Err(e) => Err(io(path)(e)),
    }
}

/// The staging subfolder of a folder written in place, and the file that marks it complete.
const IN_PLACE_STAGING: &str = ".staging";
const IN_PLACE_COMPLETE: &str = ".complete";

/// Write a batch's outputs into `dir` (a folder written in place, locked by the caller) as one
/// set: `write` fills a staging subfolder; once it has succeeded the set is marked complete and
/// its files are renamed into `dir`. A kill before the mark leaves the previous outputs whole
/// (the next [`recover_in_place`] discards the partial set); a kill during the renames is rolled
/// forward by the next [`recover_in_place`], so the folder never keeps a mix of two sets.
pub fn write_in_place<T, E>(dir: &Path, write: impl FnOnce(&Path) -> Result<T, E>) -> Result<T, E>
where
    E: From<ReportError>,
{
    recover_in_place(dir)?;
    let staging = dir.join(IN_PLACE_STAGING);
    fs::create_dir(&staging).map_err(io(&staging))?;
    let value = match write(&staging) {
        Ok(v) => v,
        Err(e) => {
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    // The mark lists the set's files, so a roll-forward knows them once some are moved.
    let mut names = String::new();
    for e in fs::read_dir(&staging).map_err(io(&staging))? {
        names.push_str(&e.map_err(io(&staging))?.file_name().to_string_lossy());
        names.push('\n');
    }
    let mark = staging.join(IN_PLACE_COMPLETE);
    fs::write(&mark, names).map_err(io(&mark))?;
    recover_in_place(dir)?;
    Ok(value)
}

/// Finish or discard what an interrupted [`write_in_place`] left in `dir`: a complete staged set
/// is moved into place (rolled forward), an incomplete one removed. Rolling forward also removes
/// the files an earlier batch left that [`start_fresh`] listed and the set does not replace.
pub fn recover_in_place(dir: &Path) -> Result<(), ReportError> {
    let staging = dir.join(IN_PLACE_STAGING);
    if !staging.is_dir() {
        return Ok(());
    }
    let mark = staging.join(IN_PLACE_COMPLETE);
    if !mark.is_file() {
        return fs::remove_dir_all(&staging).map_err(io(&staging));
    }
    // The set: what the mark lists (some may be moved already) and what is still staged.
    let mut set = read_names(&mark)?;
    for e in fs::read_dir(&staging).map_err(io(&staging))? {
        set.insert(
            e.map_err(io(&staging))?
                .file_name()
                .to_string_lossy()
                .into_owned(),
        );
    }
    let list = dir.join(PREVIOUS);
    for name in read_names(&list)?.difference(&set) {
        // Only plain names of files in this folder: a list edited to hold `../x` or an absolute
        // path must not delete anything outside it.
        if !is_plain_name(name) {
            continue;
        }
        let path = dir.join(name);
        match fs::remove_file(&path) {
            Err(e) if e.kind() != ErrorKind::NotFound => return Err(io(&path)(e)),
            _ => {}
        }
    }
    for e in fs::read_dir(&staging).map_err(io(&staging))? {
        let e = e.map_err(io(&staging))?;
        if e.file_name() != IN_PLACE_COMPLETE {
            let target = dir.join(e.file_name());
            fs::rename(e.path(), &target).map_err(io(&target))?;
        }
    }
    match fs::remove_file(&list) {
        Err(e) if e.kind() != ErrorKind::NotFound => return Err(io(&list)(e)),
        _ => {}
    }
    fs::remove_dir_all(&staging).map_err(io(&staging))
}

/// An absolute path with every existing ancestor's links and `..` resolved, so two spellings of
/// one folder compare equal.
fn absolute(p: &Path) -> PathBuf {
    let full = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let mut existing = full.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(mut c) = existing.canonicalize() {
            c.extend(rest.iter().rev());
            return c;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return full,
        }
    }
}

/// Clean up after killed runs of this output (their process is gone): remove their staging
/// folders, and restore a previous output left as `.NAME.tmp-PID.old` when NAME is missing.
fn remove_stale_staging(parent: &Path, name: &str) {
    let prefix = crate::paths::temp_prefix(name);
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let target = parent.join(name);
    for e in entries.flatten() {
        let file_name = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = file_name.strip_prefix(&prefix) else {
            continue;
        };
        let pid = rest.trim_end_matches(".old");
        let alive = pid
            .parse::<u32>()
            .is_ok_and(|p| p == std::process::id() || Path::new(&format!("/proc/{p}")).exists());
        if alive {
            continue;
        }
        if rest.ends_with(".old") && fs::symlink_metadata(&target).is_err() {
            let _ = fs::rename(e.path(), &target);
        } else {
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
    #[test]
    fn only_plain_names_from_a_list_are_deleted() {
        assert!(super::is_plain_name("runs.csv"));
        for bad in ["../x", "/etc/passwd", "a/b", "..", ".", ""] {
            assert!(!super::is_plain_name(bad), "{bad}");
        }
    }

    use super::*;

    #[test]
    fn an_interrupted_in_place_write_is_rolled_forward_or_discarded_as_a_set() {
        let root = std::env::temp_dir().join(format!("tmx-inplace-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).unwrap();
        fs::write(root.join("a.csv"), "old a").unwrap();
        fs::write(root.join("b.png"), "old b").unwrap();
        // given a kill while the new set was being written (no completion mark): discarded
        let staging = root.join(IN_PLACE_STAGING);
        fs::create_dir(&staging).unwrap();
        fs::write(staging.join("a.csv"), "new a").unwrap();
        recover_in_place(&root).unwrap();
        assert!(!staging.exists());
        assert_eq!(fs::read_to_string(root.join("a.csv")).unwrap(), "old a");
        // given a kill after the mark, with one file already moved: rolled forward
        fs::create_dir(&staging).unwrap();
        fs::write(root.join("a.csv"), "new a").unwrap();
        fs::write(staging.join("b.png"), "new b").unwrap();
        fs::write(staging.join(IN_PLACE_COMPLETE), "").unwrap();
        recover_in_place(&root).unwrap();
        assert_eq!(fs::read_to_string(root.join("b.png")).unwrap(), "new b");
        assert!(!staging.exists() && !root.join(IN_PLACE_COMPLETE).exists());
        // and a failed write leaves the previous set whole
        let r: Result<(), ReportError> = write_in_place(&root, |d| {
            fs::write(d.join("a.csv"), "newer a").unwrap();
            Err(ReportError::Table {
                table: "x".into(),
                message: "failed".into(),
            })
        });
        assert!(r.is_err());
        assert_eq!(fs::read_to_string(root.join("a.csv")).unwrap(), "new a");
        assert!(!staging.exists());
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_fresh_start_keeps_the_earlier_files_until_the_new_set_then_removes_those_not_replaced() {
        let root = root("fresh");
        for f in ["journal.jsonl", "runs.csv", "lines.png", MARKER, LOCK_FILE] {
            fs::write(root.join(f), "old").unwrap();
        }
        fs::create_dir(root.join("shard-0-of-2")).unwrap();
        start_fresh(&root, &["journal.jsonl"]).unwrap();
        // given a second fresh start before any result set (the first was killed): both listed
        start_fresh(&root, &["journal.jsonl"]).unwrap();
        assert_eq!(
            read_names(&root.join(PREVIOUS)).unwrap(),
            ["lines.png", "runs.csv"].map(String::from).into()
        );
        assert_eq!(fs::read_to_string(root.join("lines.png")).unwrap(), "old");
        // a failed set changes nothing
        let r: Result<(), ReportError> = write_in_place(&root, |_| Err(refused(&root, "failed")));
        assert!(r.is_err() && root.join("lines.png").is_file() && root.join(PREVIOUS).is_file());
        // a kill after the mark with runs.csv already moved: rolled forward by the next opening
        let staging = root.join(IN_PLACE_STAGING);
        fs::create_dir(&staging).unwrap();
        fs::write(root.join("runs.csv"), "new").unwrap();
        fs::write(staging.join("points.csv"), "new").unwrap();
        fs::write(staging.join(IN_PLACE_COMPLETE), "runs.csv\npoints.csv\n").unwrap();
        recover_in_place(&root).unwrap();
        let mut left: Vec<String> = fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        let want = [
            LOCK_FILE,
            MARKER,
            "journal.jsonl",
            "points.csv",
            "runs.csv",
            "shard-0-of-2",
        ];
        assert_eq!(left, want);
        assert_eq!(fs::read_to_string(root.join("runs.csv")).unwrap(), "new");
        fs::remove_dir_all(&root).unwrap();
    }

    fn root(name: &str) -> PathBuf {
        let root = std::env::temp_dir().join(format!("tmx-outdir-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).unwrap();
        root
    }

    #[test]
    fn commit_replaces_and_drop_discards() {
        let root = root("commit");
        let target = root.join("run");
        fs::create_dir_all(&target).unwrap();
        fs::write(target.join(MARKER), "").unwrap();
        fs::write(target.join("old.csv"), "old").unwrap();

        // Dropped without commit: target untouched, staging gone.
        let d = OutputDir::create(&target, &[]).unwrap();
        fs::write(d.file("new.csv"), "new").unwrap();
        drop(d);
        assert!(target.join("old.csv").exists());
        assert_eq!(fs::read_dir(&root).unwrap().count(), 1);

        // Committed: the folder holds only the new run's files, and the marker.
        let d = OutputDir::create(&target, &[]).unwrap();
        fs::write(d.file("new.csv"), "new").unwrap();
        d.commit().unwrap();
        assert!(!target.join("old.csv").exists());
        assert!(target.join("new.csv").exists());
        assert!(target.join(MARKER).is_file());
        assert_eq!(fs::read_dir(&root).unwrap().count(), 1);
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_folder_without_the_marker_a_file_and_an_input_are_refused() {
        let root = root("refuse");
        let mine = root.join("mine");
        fs::create_dir_all(&mine).unwrap();
        fs::write(mine.join("notes.txt"), "mine").unwrap();
        let e = OutputDir::create(&mine, &[]).unwrap_err().to_string();
        assert!(e.contains("not a tokenmaxx output folder"), "{e}");
        fs::write(root.join("file"), "x").unwrap();
        let e = OutputDir::create(&root.join("file"), &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a folder"), "{e}");
        let input = root.join("in/scenario.toml");
        let e = OutputDir::create(&root.join("in"), &[&input])
            .unwrap_err()
            .to_string();
        assert!(e.contains("the input of this command"), "{e}");
        let e = OutputDir::create(&root.join("in/sub"), &[&root.join("in")]).unwrap_err();
        assert!(e.to_string().contains("the input"), "{e}");
        // Nothing was moved or created beside them.
        assert!(mine.join("notes.txt").is_file());
        assert_eq!(fs::read(root.join("file")).unwrap(), b"x");
        assert_eq!(fs::read_dir(&root).unwrap().count(), 2);
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn an_old_output_left_by_a_killed_swap_is_restored_not_deleted() {
        let root = root("restore");
        // A dead process (pid above any pid_max) renamed the target away and was killed.
        let old = root.join(".run.tmp-4294967295.old");
        fs::create_dir_all(&old).unwrap();
        fs::write(old.join("weekly.csv"), "old").unwrap();
        fs::write(old.join(MARKER), "").unwrap();
        fs::create_dir_all(root.join(".run.tmp-4294967295")).unwrap();
        let d = OutputDir::create(&root.join("run"), &[]).unwrap();
        assert_eq!(fs::read(root.join("run/weekly.csv")).unwrap(), b"old");
        assert!(!old.exists() && !root.join(".run.tmp-4294967295").exists());
        drop(d);
        fs::remove_dir_all(&root).unwrap();
    }
}
