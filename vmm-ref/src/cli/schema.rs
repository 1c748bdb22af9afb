//! `vmm-ref schema`: print a pod file format's JSON Schema.

use std::process::ExitCode;

use podspec::Format;

use super::validate::parse_format;

/// Print the JSON Schema of a pod file format (draft 2020-12), generated from the same types
/// the parser reads into.
///
/// Hyper's decoder matches keys case-insensitively; the schema names each key in its canonical
/// spelling, so validate a Hyper file against it after normalising the keys (as `vmm-ref
/// validate` does).
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  vmm-ref schema --format k8s > k8s-pod.schema.json
  vmm-ref schema --format hyper | jq '.properties | keys'")]
pub(crate) struct Args {
    /// The format: hyper, k8s, k8s-v1beta1 or pod-controller.
    #[arg(long, value_parser = parse_format)]
    format: Format,
}

/// Runs `vmm-ref schema`.
pub(crate) fn run(args: &Args) -> ExitCode {
    let schema = podspec::schema::schema(args.format);
    println!(
        "{}",
        serde_json::to_string_pretty(&schema).expect("a JSON value always serializes")
    );
    ExitCode::SUCCESS
}
