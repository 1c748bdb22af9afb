//! `vmm-ref validate`: check a pod file and list every mistake with its field path.

use std::path::PathBuf;
use std::process::ExitCode;

use podspec::{ErrorType, FieldError, Format};
use serde::Serialize;

use super::input;
use super::output::Output;

/// Check a pod file: parse it (detecting its format), validate it, and list every error with its
/// field path.
///
/// Exit status: 0 when the pod is valid (warnings go to stderr), 1 when it is invalid, 2 when
/// the file cannot be read.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  vmm-ref validate examples/k8s-onfailure.yaml
  vmm-ref validate --format hyper -o json pod.json
  cat pod.yaml | vmm-ref validate --strict -

Text output lists `path: message` for every error, e.g.
  spec.containers[0].name: Required value")]
pub(crate) struct Args {
    /// The pod file (JSON or YAML), or `-` for standard input.
    file: PathBuf,
    /// The file's format; detected from the document when not given.
    #[arg(long, value_parser = parse_format)]
    format: Option<Format>,
    /// Treat fields we accept but ignore (unknown or unsupported) as errors.
    #[arg(long)]
    strict: bool,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Output::Text)]
    output: Output,
}

/// Parses a `--format` value (shared by the subcommands that take one).
pub(crate) fn parse_format(s: &str) -> Result<Format, String> {
    s.parse::<Format>().map_err(|e| e.to_string())
}

/// One error of the JSON report.
#[derive(Debug, Serialize)]
struct ReportError {
    field: String,
    #[serde(rename = "type")]
    kind: String,
    detail: String,
}

impl From<&FieldError> for ReportError {
    fn from(e: &FieldError) -> Self {
        // The JSON detail carries the value too, as Kubernetes' `ErrorBody` does.
        let body = e.to_string();
        let prefix = format!("{}: ", e.field);
        let detail = if e.field.is_root() {
            body
        } else {
            body.strip_prefix(&prefix)
                .map(str::to_owned)
                .unwrap_or(body)
        };
        Self {
            field: e.field.to_string(),
            kind: e.kind.as_str().to_owned(),
            detail,
        }
    }
}

/// The JSON report: `{"valid", "format", "errors", "warnings"}`.
#[derive(Debug, Serialize)]
struct Report {
    valid: bool,
    format: Option<Format>,
    errors: Vec<ReportError>,
    warnings: Vec<podspec::Warning>,
}

/// Runs `vmm-ref validate`.
pub(crate) fn run(args: &Args) -> ExitCode {
    let input = match input::read(&args.file) {
        Ok(input) => input,
        Err(message) => {
            eprintln!("vmm-ref validate: {message}");
            return ExitCode::from(2);
        }
    };
    let report = check(&input.text, args.format, args.strict);
    match args.output {
        Output::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("a report always serializes")
        ),
        Output::Text => {
            for w in &report.warnings {
                eprintln!("warning: {w}");
            }
            if report.valid {
                let format = report.format.map(|f| f.to_string()).unwrap_or_default();
                println!("{}: valid {format} pod file", input.name);
            } else {
                for e in &report.errors {
                    if e.field.is_empty() {
                        println!("{}", e.detail);
                    } else {
                        println!("{}: {}", e.field, e.detail);
                    }
                }
                let n = report.errors.len();
                eprintln!(
                    "{}: invalid: {n} error{}",
                    input.name,
                    if n == 1 { "" } else { "s" }
                );
            }
        }
    }
    if report.valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Parses and validates `text`; never fails, the report says what is wrong.
fn check(text: &str, format: Option<Format>, strict: bool) -> Report {
    let parsed = match podspec::parse(text, format) {
        Ok(parsed) => parsed,
        Err(e) => {
            return Report {
                valid: false,
                format,
                errors: parse_errors(&e),
                warnings: Vec::new(),
            };
        }
    };
    let mut errors = podspec::validate(&parsed.document);
    let mut warnings = parsed.warnings;
    if strict {
        errors.extend(warnings.drain(..).map(|w| {
            FieldError::new(
                w.field,
                ErrorType::NotSupported,
                format!("{} (an error because of --strict)", w.message),
            )
        }));
    }
    Report {
        valid: errors.is_empty(),
        format: Some(parsed.document.format()),
        errors: errors.iter().map(ReportError::from).collect(),
        warnings,
    }
}

/// A parse error as report lines: type errors keep their field path; syntax errors say where.
fn parse_errors(e: &podspec::Error) -> Vec<ReportError> {
    let field_errors = e.field_errors();
    if field_errors.is_empty() {
        vec![ReportError {
            field: String::new(),
            kind: "ParseError".to_owned(),
            detail: e.to_string(),
        }]
    } else {
        field_errors.iter().map(ReportError::from).collect()
    }
}
