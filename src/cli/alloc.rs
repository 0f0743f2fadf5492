//! The process's allocator settings.

/// One allocator arena for every thread. glibc gives each thread that allocates an arena of
/// its own; the engine's worker threads allocate and free week after week (the pieces of a
/// parallel fold, the lists they collect), and memory freed in one arena is not reused by
/// another, so a run's peak held memory no one used (4 bytes an agent at a million, measured
/// with `tokenmaxx bench`). The threads allocate little besides, so sharing one arena cost no
/// measurable time. (A fixed mapping threshold of 1 MB saved 7 bytes an agent but cost 5% of a
/// million-agent run's time in page faults at 2 threads.)
pub fn one_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only changes a setting of glibc's allocator; called before any thread
    // is started.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}
