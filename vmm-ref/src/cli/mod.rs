//! The command line: one module per subcommand, each with its `Args` and a `run`.
//!
//! Exit codes shared by every subcommand: 0 success, 1 the input is invalid (or the pod failed),
//! 2 the input could not be read or the command line is wrong.

mod boot;
mod convert;
mod env;
mod image;
mod input;
mod output;
mod phase;
mod run;
mod schema;
mod shorthand;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The version line: the crate version and the git commit it was built from.
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("VMM_REF_GIT_COMMIT"),
    ")"
);

/// Check, convert and run pod files (Hyper, Kubernetes v1 and v1beta1, pod-controller) in
/// KVM guests.
#[derive(Debug, Parser)]
#[command(name = "vmm-ref", version = VERSION, propagate_version = true)]
#[command(after_help = "Run `vmm-ref <COMMAND> --help` for a command's options and an example.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check a pod file and list every mistake with its field path.
    Validate(validate::Args),
    /// Print a pod file format's JSON Schema.
    Schema(schema::Args),
    /// Boot a Linux kernel with the agent as /init and run a command in the guest.
    Boot(boot::Args),
    /// Manage the local image store: import, ls, rm.
    Image(image::Args),
    /// Run a pod to its end: init containers, containers, probes, hooks, restarts.
    Run(run::Args),
    /// Print the phase of a Kubernetes v1 Pod from its status, by the kubelet's rules.
    Phase(phase::Args),
    /// Convert a pod file to a Hyper pod file or a Kubernetes v1 manifest.
    Convert(convert::Args),
    /// Print the environment a container of a pod will get.
    Env(env::Args),
}

/// Parses the command line and runs the subcommand.
pub(crate) fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Validate(args) => validate::run(&args),
        Command::Schema(args) => schema::run(&args),
        Command::Boot(args) => boot::run(args),
        Command::Image(args) => image::run(args),
        Command::Run(args) => run::run(args),
        Command::Phase(args) => phase::run(args),
        Command::Convert(args) => convert::run(&args),
        Command::Env(args) => env::run(&args),
    }
}
