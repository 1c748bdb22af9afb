//! The `-o text|json` option shared by the reporting subcommands.

/// How a subcommand prints its result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Output {
    /// Lines for people.
    Text,
    /// One JSON document for programs.
    Json,
}
