//! An advisory lock on a folder written in place (sweep, sensitivity, calibration): `flock` on a
//! lock file in it, held until dropped, with the holder's pid written in the file so a second
//! process can say who holds it.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::Path;

use super::ReportError;

/// The lock file's name inside the folder.
pub const LOCK_FILE: &str = ".tokenmaxx-lock";

/// A held lock; released when dropped (or when the process dies).
#[derive(Debug)]
pub struct FolderLock {
    _file: File,
}

impl FolderLock {
    /// Lock `dir` (which must exist), or refuse naming the process that holds it.
    pub fn acquire(dir: &Path) -> Result<FolderLock, ReportError> {
        let path = dir.join(LOCK_FILE);
        let io = |source| ReportError::Io {
            path: path.clone(),
            source,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        if !try_lock(&file).map_err(io)? {
            return Err(held(dir, &mut file));
        }
        file.set_len(0)
            .and_then(|_| writeln!(file, "{}", std::process::id()))
            .and_then(|_| file.flush())
            .map_err(io)?;
        Ok(FolderLock { _file: file })
    }
}

/// Refuse `dir` while another process holds its lock (a batch writing in place, or a command
/// replacing it); a folder without a lock file is free. Nothing is created or changed.
pub fn check_free(dir: &Path) -> Result<(), ReportError> {
    let path = dir.join(LOCK_FILE);
    let mut file = match File::open(&path) {
        Ok(f) => f,
        Err(_) => return Ok(()),
    };
    match try_lock(&file) {
        Ok(false) => Err(held(dir, &mut file)),
        // Free (released when `file` is closed), or a lock this system cannot take.
        _ => Ok(()),
    }
}

/// The refusal of a folder whose lock `file` another process holds, naming its pid.
fn held(dir: &Path, file: &mut File) -> ReportError {
    let mut pid = String::new();
    let _ = file.read_to_string(&mut pid);
    let holder = match pid.trim() {
        "" => "another tokenmaxx process".to_string(),
        p => format!("another tokenmaxx process (pid {p})"),
    };
    ReportError::Refused {
        path: dir.to_path_buf(),
        reason: format!(
            "{holder} is writing to this folder; wait for it to finish or choose another --out"
        ),
    }
}

/// Take an exclusive lock without waiting: `Ok(false)` when another open file holds it.
#[cfg(unix)]
fn try_lock(file: &File) -> std::io::Result<bool> {
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a file descriptor this `File` owns.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    if e.kind() == std::io::ErrorKind::WouldBlock {
        Ok(false)
    } else {
        Err(e)
    }
}

#[cfg(not(unix))]
fn try_lock(_: &File) -> std::io::Result<bool> {
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_naming_the_holder_until_the_first_is_dropped() {
        let dir = std::env::temp_dir().join(format!("tmx-lock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let held = FolderLock::acquire(&dir).unwrap();
        let e = FolderLock::acquire(&dir).unwrap_err().to_string();
        assert!(e.contains(&format!("pid {}", std::process::id())), "{e}");
        let e = check_free(&dir).unwrap_err().to_string();
        assert!(e.contains(&format!("pid {}", std::process::id())), "{e}");
        drop(held);
        check_free(&dir).unwrap();
        FolderLock::acquire(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
