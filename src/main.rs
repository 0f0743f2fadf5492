//! The `tokenmaxx` binary: parse arguments, run the command, map errors to exit codes
//! (0 ok, 2 bad input or I/O, 1 internal error). Nothing else lives here.

mod cli;
#[cfg(feature = "serve")]
mod serve;
mod user_error;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", cli::message(&e));
            ExitCode::from(cli::exit_code(&e))
        }
    }
}
