//! `tokenmaxx scenarios`: list the built-ins with their descriptions.

use std::process::ExitCode;

use tokenmaxx::scenario::builtin;

pub fn run() -> anyhow::Result<ExitCode> {
    let width = builtin::names().map(str::len).max().unwrap_or(0);
    for name in builtin::names() {
        let default = if name == builtin::DEFAULT {
            " (default)"
        } else {
            ""
        };
        println!("{name:width$}  {}{default}", builtin::description(name));
    }
    Ok(ExitCode::SUCCESS)
}
