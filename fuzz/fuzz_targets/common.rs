//! What both fuzz targets share: writing the input where a file path can reach it.

use std::path::PathBuf;
use std::sync::OnceLock;

/// Write `text` to `input.toml` in this process's scratch folder (in memory where /dev/shm
/// exists; named `tokenmaxx-fuzz-<target>-<pid>`) and return its path. The fixed name lets an
/// input name itself (`extends = "input.toml"`, `base = "input.toml"`).
pub fn write_input(target: &str, text: &str) -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let shm = std::path::Path::new("/dev/shm");
        let root = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        let dir = root.join(format!("tokenmaxx-fuzz-{target}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the fuzz scratch folder");
        dir
    });
    let path = dir.join("input.toml");
    std::fs::write(&path, text.as_bytes()).expect("write the fuzz input");
    path
}
