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

Text output lists `path: message` for every error, each followed by a help line, e.g.
  spec.containers[0].name: Required value
    help: add this field with a non-empty value
A syntax error is drawn over the file's text: the lines around it, a mark at the place, the
error's code (podspec::syntax::json or podspec::syntax::yaml) and what to fix.")]
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
    /// What to do about it (text output only; the JSON shape stays the issue's).
    #[serde(skip)]
    help: Option<&'static str>,
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
            help: Some(e.kind.help()),
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
    /// A syntax error, drawn over the text in text output.
    #[serde(skip)]
    syntax: Option<podspec::Error>,
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
            } else if let Some(drawn) = report
                .syntax
                .as_ref()
                .and_then(|e| draw(&input.name, &input.text, e))
            {
                print!("{drawn}");
                eprintln!("{}: invalid: 1 error", input.name);
            } else {
                for e in &report.errors {
                    if e.field.is_empty() {
                        println!("{}", e.detail);
                    } else {
                        println!("{}: {}", e.field, e.detail);
                    }
                    if let Some(help) = e.help {
                        println!("  help: {help}");
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
                syntax: e.location().is_some().then_some(e),
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
        syntax: None,
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
            help: None,
        }]
    } else {
        field_errors.iter().map(ReportError::from).collect()
    }
}

/// A syntax error drawn over the text (miette's graphical report: the lines around it, a mark
/// at the place, the code and the help); colours only on a terminal. `None` when the error has
/// no position or cannot be drawn.
pub(crate) fn draw(name: &str, text: &str, e: &podspec::Error) -> Option<String> {
    use std::io::IsTerminal;

    use miette::{
        Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic,
        NamedSource, Report,
    };

    let span = e.span(text)?;
    let mut diagnostic =
        MietteDiagnostic::new(e.to_string()).with_label(LabeledSpan::at(span, "here"));
    if let Some(code) = e.code() {
        diagnostic = diagnostic.with_code(code.to_string());
    }
    if let Some(help) = e.help() {
        diagnostic = diagnostic.with_help(help.to_string());
    }
    let report = Report::new(diagnostic).with_source_code(NamedSource::new(name, text.to_owned()));
    let theme = if std::io::stdout().is_terminal() {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let mut out = String::new();
    GraphicalReportHandler::new_themed(theme)
        .render_report(&mut out, report.as_ref())
        .ok()?;
    Some(out)
}
