//! `vmm-ref env`: the environment a container of a pod will get.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use podspec::Format;

use super::convert::{load, name_option, report};
use super::input;
use super::output::Output;
use super::validate::parse_format;

/// Exit status for an invalid input.
const EXIT_INVALID: u8 = 1;
/// Exit status for an unreadable input.
const EXIT_UNREADABLE: u8 = 2;

/// Print the environment a container of a pod will get, in order: `HOSTNAME` (the pod's
/// hostname), the container's own variables (with Kubernetes' `$(VAR)` expansion for
/// Kubernetes files, and pod fields such as `metadata.name` resolved), then the variables of
/// every service the pod sees (`NAME_SERVICE_HOST`, `NAME_SERVICE_PORT`, `NAME_PORT_80_TCP`...),
/// except those the container sets itself.
///
/// The services are the pod's own (a Hyper file's `services`, named `service-0`, ...) and those
/// of `--services`; the pod sees, as in Kubernetes, `kubernetes` of namespace `default` and,
/// unless `enableServiceLinks` is false, every service of its own namespace.
///
/// Exit status: 0 when printed (variables that cannot be resolved are named on standard
/// error), 1 when the pod file or the services file is invalid or the container does not
/// exist, 2 when a file cannot be read.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  vmm-ref env examples/k8s-web.yaml --container server
  kubectl get services -A -o json > services.json
  vmm-ref env pod.yaml --services services.json -o json

--services takes a Kubernetes ServiceList or a JSON array of Service objects, of which
metadata.name, metadata.namespace, spec.clusterIP and spec.ports are read:
  [{\"metadata\": {\"name\": \"redis-master\", \"namespace\": \"default\"},
    \"spec\": {\"clusterIP\": \"10.0.0.11\", \"ports\": [{\"port\": 6379}]}}]
gives REDIS_MASTER_SERVICE_HOST=10.0.0.11, REDIS_MASTER_SERVICE_PORT=6379,
REDIS_MASTER_PORT=tcp://10.0.0.11:6379 and the other REDIS_MASTER_PORT_6379_TCP* variables.

Exit status: 0 printed (unresolvable variables are warnings on stderr), 1 invalid pod or
services file or no such container, 2 unreadable file.")]
pub(crate) struct Args {
    /// The pod file (JSON or YAML), or `-` for standard input.
    file: PathBuf,
    /// The container (regular or init); the first regular container when not given.
    #[arg(long)]
    container: Option<String>,
    /// A file of services the pod may see: a Kubernetes ServiceList or a JSON array of Service
    /// objects (or `-` for standard input).
    #[arg(long)]
    services: Option<PathBuf>,
    /// Output format: `KEY=VALUE` lines, or one JSON object with the keys in order.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Output::Text)]
    output: Output,
    /// The pod file's format; detected when not given.
    #[arg(long, value_parser = parse_format)]
    format: Option<Format>,
    /// The pod's name when the file has none (it is the hostname).
    #[arg(long)]
    name: Option<String>,
}

/// Runs `vmm-ref env`.
pub(crate) fn run(args: &Args) -> ExitCode {
    let stdin = Path::new("-");
    if args.file == stdin && args.services.as_deref() == Some(stdin) {
        eprintln!(
            "vmm-ref env: the pod file and the services cannot both come from standard input"
        );
        return ExitCode::from(EXIT_UNREADABLE);
    }
    let input = match input::read(&args.file) {
        Ok(input) => input,
        Err(message) => {
            eprintln!("vmm-ref env: {message}");
            return ExitCode::from(EXIT_UNREADABLE);
        }
    };
    let services_input = match args.services.as_deref().map(input::read).transpose() {
        Ok(s) => s,
        Err(message) => {
            eprintln!("vmm-ref env: {message}");
            return ExitCode::from(EXIT_UNREADABLE);
        }
    };
    let options = match name_option(args.name.as_deref()) {
        Ok(o) => o,
        Err(message) => {
            eprintln!("vmm-ref env: {message}");
            return ExitCode::from(EXIT_UNREADABLE);
        }
    };
    let Ok(pod) = load(&input, args.format, &options, "env") else {
        return ExitCode::from(EXIT_INVALID);
    };
    let services = match &services_input {
        None => Vec::new(),
        Some(s) => match convert::parse_services(&s.text) {
            Ok(list) => list,
            Err(e) => {
                report("env", &s.name, &e.field_errors());
                return ExitCode::from(EXIT_INVALID);
            }
        },
    };
    let container = match &args.container {
        Some(name) => name.clone(),
        None => match pod.containers.first() {
            Some(c) => c.name.as_str().to_owned(),
            None => {
                eprintln!("vmm-ref env: {}: the pod has no containers", input.name);
                return ExitCode::from(EXIT_INVALID);
            }
        },
    };
    let env = match convert::environment(&pod, &container, &services) {
        Ok(env) => env,
        Err(e) => {
            eprintln!("vmm-ref env: {}: {e}", input.name);
            return ExitCode::from(EXIT_INVALID);
        }
    };
    for u in &env.unresolved {
        eprintln!("vmm-ref env: {}: warning: {u}", input.name);
    }
    match args.output {
        Output::Text => {
            for e in &env.vars {
                println!("{e}");
            }
        }
        Output::Json => {
            let object: serde_json::Map<String, serde_json::Value> = env
                .vars
                .iter()
                .map(|e| (e.name.clone(), serde_json::Value::String(e.value.clone())))
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&object).expect("a JSON object always serializes")
            );
        }
    }
    ExitCode::SUCCESS
}
