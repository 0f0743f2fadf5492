//! The progress bar: an indicatif bar over weeks on a terminal, nothing otherwise.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokenmaxx::engine::Progress;

/// A bar over `total` steps; hidden when stderr is not a terminal or when `quiet`.
pub struct Bar(ProgressBar, &'static str);

impl Bar {
    pub fn new(total: u64, what: &str, unit: &'static str, quiet: bool) -> Bar {
        let visible = !quiet && std::io::stdout().is_terminal() && std::io::stderr().is_terminal();
        let bar = if visible {
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix} [{bar:40}] {pos}/{len} {msg} ({elapsed}, eta {eta})",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar.set_prefix(what.to_string());
        Bar(bar, unit)
    }

    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl Progress for Bar {
    fn week_done(&self, done: u32, total: u32) {
        self.0.set_length(total as u64);
        self.0.set_position(done as u64);
        self.0.set_message(self.1);
    }
}
