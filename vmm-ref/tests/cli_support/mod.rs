//! What the CLI tests share: running the built `vmm-ref` binary and reading what it printed.
// Each test file uses the part it needs.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The built binary.
pub(crate) fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vmm-ref"))
}

/// The workspace's `examples/` folder.
pub(crate) fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

/// The path of one example file.
pub(crate) fn example(file: &str) -> String {
    examples().join(file).to_str().unwrap().to_owned()
}

/// Runs `vmm-ref ARGS`.
pub(crate) fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("vmm-ref runs")
}

/// Runs `vmm-ref ARGS` with `stdin` on its standard input.
pub(crate) fn run_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("vmm-ref runs");
    // A command that fails before reading its input (a bad flag, say) closes the pipe: the
    // broken pipe is not the test's business, the exit status and output are.
    if let Err(e) = child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        assert_eq!(
            e.kind(),
            std::io::ErrorKind::BrokenPipe,
            "writing stdin: {e}"
        );
    }
    child.wait_with_output().unwrap()
}

/// Standard output as text.
pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Standard output as one JSON document.
pub(crate) fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", stdout(o)))
}
