//! The `newsearch` binary: parse the command line, run the command, print fatal errors
//! with their whole context chain, and exit 0 (found), 1 (nothing found) or 2 (error).

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::Parser;
use newsearch::cli::Cli;
use newsearch::commands::{self, ERROR};
use newsearch::config::{local_today, Config, Terminal};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let result = Config::from_cli(cli, Terminal::detect(), local_today())
        .and_then(|config| commands::run(config, &mut out))
        .and_then(|code| {
            out.flush()?;
            Ok(code)
        });
    match result {
        Ok(code) => code,
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("newsearch: error: {}", commands::error_message(&error));
            ExitCode::from(ERROR)
        }
    }
}

/// A reader that went away (`newsearch query … | head`) is not an error.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}
