//! `vmm-ref convert`: a pod file of any format as a Hyper pod file or a Kubernetes v1 manifest.

use std::path::PathBuf;
use std::process::ExitCode;

use convert::{Options, Target};
use podspec::model::{Pod, PodName};
use podspec::wire::Document;
use podspec::{FieldError, Format};

use super::input;
use super::validate::parse_format;

/// Exit status for an invalid input.
const EXIT_INVALID: u8 = 1;
/// Exit status for an unreadable input.
const EXIT_UNREADABLE: u8 = 2;

/// Convert a pod file (Hyper, Kubernetes v1 or v1beta1, pod-controller) to a Hyper pod file or a
/// Kubernetes v1 manifest.
///
/// The file is parsed, validated and converted to vmm-ref's pod model with its format's
/// defaults, then written in the target format on standard output. Every field that could not
/// be carried over is named on standard error, with the reason: fields of the input vmm-ref
/// does not use, and fields the target cannot say (Hyper has no probes or init containers;
/// Kubernetes has no pod files or services).
///
/// Exit status: 0 when converted (warnings may have been printed), 1 when the input is invalid
/// or the target cannot say something the pod needs (a container without an image, a name
/// Kubernetes rejects), 2 when the file cannot be read.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  vmm-ref convert examples/k8s-web.yaml --to hyper
  vmm-ref convert examples/hyper-busybox.json --to k8s -o yaml > busybox.yaml
  cat pod.json | vmm-ref convert - --to k8s --format hyper

Every field that could not be carried over is a warning on stderr, with its path and why.
With `--to hyper -o yaml`, keys are written in lower case, as Hyper's YAML reader (yaml.v2 over
Hyper's Go types) expected them; vmm-ref reads either spelling.

Exit status: 0 converted, 1 invalid input or something the target cannot say (a container
without an image, a name Kubernetes rejects), 2 unreadable input.")]
pub(crate) struct Args {
    /// The pod file (JSON or YAML), or `-` for standard input.
    file: PathBuf,
    /// The format to write: hyper or k8s.
    #[arg(long, value_parser = parse_target)]
    to: Target,
    /// How to write it.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Syntax::Json)]
    output: Syntax,
    /// The input's format (hyper, k8s, k8s-v1beta1, pod-controller); detected when not given.
    #[arg(long, value_parser = parse_format)]
    format: Option<Format>,
    /// The pod's name when the file has none (Hyper and pod-controller files may omit it).
    #[arg(long)]
    name: Option<String>,
}

/// The syntax of the written document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Syntax {
    /// JSON, indented.
    Json,
    /// YAML.
    Yaml,
}

/// Parses a `--to` value.
fn parse_target(s: &str) -> Result<Target, String> {
    s.parse::<Target>().map_err(|e| e.to_string())
}

/// Runs `vmm-ref convert`.
pub(crate) fn run(args: &Args) -> ExitCode {
    let input = match input::read(&args.file) {
        Ok(input) => input,
        Err(message) => {
            eprintln!("vmm-ref convert: {message}");
            return ExitCode::from(EXIT_UNREADABLE);
        }
    };
    let options = match name_option(args.name.as_deref()) {
        Ok(o) => o,
        Err(message) => {
            eprintln!("vmm-ref convert: {message}");
            return ExitCode::from(EXIT_UNREADABLE);
        }
    };
    let pod = match load(&input, args.format, &options, "convert") {
        Ok(pod) => pod,
        Err(()) => return ExitCode::from(EXIT_INVALID),
    };
    let converted = match convert::to_document(&pod, args.to) {
        Ok(c) => c,
        Err(e) => {
            report("convert", &format!("to {}", args.to), &e.field_errors());
            return ExitCode::from(EXIT_INVALID);
        }
    };
    for d in &converted.dropped {
        eprintln!("vmm-ref convert: to {}: warning: {d}", args.to);
    }
    match write(&converted.value, args.output) {
        Ok(text) => {
            print!("{text}");
            if !text.ends_with('\n') {
                println!();
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("vmm-ref convert: {message}");
            ExitCode::from(EXIT_INVALID)
        }
    }
}

/// The `--name` option as conversion options.
pub(crate) fn name_option(name: Option<&str>) -> Result<Options, String> {
    let name = name
        .map(|n| PodName::try_from(n).map_err(|e| format!("--name {n:?}: {e}")))
        .transpose()?;
    Ok(Options { name })
}

/// Prints errors, one per line, each with where it comes from.
pub(crate) fn report(command: &str, source: &str, errors: &[FieldError]) {
    for e in errors {
        eprintln!("vmm-ref {command}: {source}: {e}");
    }
}

/// Parses, validates and converts a pod file, printing warnings and errors on standard error
/// (the error is already printed when this returns `Err`).
pub(crate) fn load(
    input: &input::Input,
    format: Option<Format>,
    options: &Options,
    command: &str,
) -> Result<Pod, ()> {
    let name = input.name.as_str();
    let parsed = match podspec::parse(&input.text, format) {
        Ok(p) => p,
        Err(e) => {
            let errors = e.field_errors();
            if errors.is_empty() {
                eprintln!("vmm-ref {command}: {name}: {e}");
            } else {
                report(command, name, &errors);
            }
            return Err(());
        }
    };
    for w in &parsed.warnings {
        eprintln!("vmm-ref {command}: {name}: warning: {w}");
    }
    let errors = podspec::validate(&parsed.document);
    if !errors.is_empty() {
        report(command, name, &errors);
        return Err(());
    }
    let converted = match convert::to_domain(&parsed.document, options) {
        Ok(c) => c,
        Err(e) => {
            report(command, name, &e.field_errors());
            return Err(());
        }
    };
    for d in &converted.dropped {
        eprintln!("vmm-ref {command}: {name}: warning: {d}");
    }
    let errors = converted.value.validate();
    if !errors.is_empty() {
        report(command, name, &errors);
        return Err(());
    }
    Ok(converted.value)
}

/// The document as text.
fn write(doc: &Document, syntax: Syntax) -> Result<String, String> {
    match (syntax, doc) {
        (Syntax::Json, _) => podspec::to_json(doc).map_err(|e| e.to_string()),
        (Syntax::Yaml, Document::Hyper(_)) => {
            let mut value = serde_json::to_value(doc).map_err(|e| e.to_string())?;
            lower_keys(&mut value, false);
            serde_yaml::to_string(&value).map_err(|e| e.to_string())
        }
        (Syntax::Yaml, _) => podspec::to_yaml(doc).map_err(|e| e.to_string()),
    }
}

/// Lower-cases the keys of Hyper's fields (not of its maps: `labels`, `sysctl`, `log.config`),
/// as Hyper's YAML reader (yaml.v2 over Go structs) expected them.
fn lower_keys(value: &mut serde_json::Value, in_map: bool) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let old = std::mem::take(map);
            for (k, mut v) in old {
                let is_map = !in_map && matches!(k.as_str(), "labels" | "sysctl" | "config");
                lower_keys(&mut v, is_map);
                let key = if in_map { k } else { k.to_ascii_lowercase() };
                map.insert(key, v);
            }
        }
        Value::Array(items) => {
            for v in items {
                lower_keys(v, false);
            }
        }
        _ => {}
    }
}
