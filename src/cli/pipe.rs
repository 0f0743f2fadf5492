//! Output into a closed pipe (`tokenmaxx scenarios | head -1`): the command stops quietly, as
//! Unix tools do, instead of panicking on its next `println!`.

/// Let a write to a closed pipe end the process with SIGPIPE (the signal's default action),
/// which Rust's runtime ignores. Not for `serve`: a browser that closes a connection must not
/// stop the server.
pub fn stop_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: `signal` only restores the default action of one signal; called before any thread
    // is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
