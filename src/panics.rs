//! Foreign code that panics on bad input. The Parquet decoder panics on some corrupt files
//! instead of returning an error; [`quietly`] runs such a call, turns a panic into an `Err`,
//! and keeps the panic's message and backtrace (with `RUST_BACKTRACE=1`) off the user's
//! terminal, so a corrupt file reads as a clean error and nothing a user sees says "panicked".

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How many [`quietly`] calls are running. The decoder may panic on one of its own worker
/// threads, so the silence is process-wide while any runs, not per thread.
static QUIET: AtomicUsize = AtomicUsize::new(0);
static HOOK: Once = Once::new();

/// Run `f`; a panic inside it (on this thread or on a worker thread it waits for) is returned
/// as `Err` without being printed. Panics elsewhere print as before.
pub fn quietly<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if QUIET.load(Ordering::SeqCst) == 0 {
                previous(info);
            }
        }));
    });
    QUIET.fetch_add(1, Ordering::SeqCst);
    let result = catch_unwind(AssertUnwindSafe(f));
    QUIET.fetch_sub(1, Ordering::SeqCst);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_inside_is_an_error_and_a_value_passes_through() {
        assert!(quietly(|| -> u32 { panic!("corrupt") }).is_err());
        assert_eq!(quietly(|| 7).unwrap(), 7);
    }
}
