//! The process's allocator settings.

/// Keep every allocation of 1 MB or more (a column of a large run) in its own mapping, returned
/// to the system when it is freed. Columns of a million agents are allocated and freed every
/// week; glibc's default raises its mapping threshold after the first such free, so later columns
/// come from the heap, where freed ones linger between live ones and the peak holds memory no one
/// uses (15 bytes an agent at a million, measured with `tokenmaxx bench`). The cost is a few page
/// faults a week, which did not show in the run's time.
pub fn map_large_columns() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only changes a setting of glibc's allocator; called before any thread
    // is started.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}
