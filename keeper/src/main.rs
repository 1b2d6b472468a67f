//! `il-keeper` binary: a thin wrapper over [`il_keeper::cli::run`].
//! Exit codes: 0 done, 1 runtime failure, 2 bad configuration or input.

use std::process::ExitCode;

fn main() -> ExitCode {
    match il_keeper::cli::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {failure}");
            ExitCode::from(failure.exit_code())
        }
    }
}
