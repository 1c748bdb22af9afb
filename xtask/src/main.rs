//! Developer commands for the workspace, run as `cargo xtask <command>`.
//!
//! - `cargo xtask test`: every test layer (format, lints, unit, doc, property and CLI tests).
//!
//! Each command installs what it needs on a fresh machine of our kind (rustup components,
//! Debian packages with `apt-get`) before using it.

mod cmd;
mod test;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Developer commands for the vmm-ref workspace.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run every test layer: `cargo fmt --check`, clippy with `-D warnings`, and
    /// `cargo test --workspace` (unit, doc, property and CLI tests).
    Test(test::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Test(args) => test::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}
