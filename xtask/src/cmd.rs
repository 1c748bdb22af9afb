//! Running commands with a visible header and a clear error.

use std::fmt;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

/// A failed step: which command, and how it ended.
#[derive(Debug)]
pub(crate) struct Failed(pub(crate) String);

impl fmt::Display for Failed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Failed {}

/// The result type of xtask steps.
pub(crate) type Result<T = ()> = std::result::Result<T, Failed>;

/// The workspace root (the parent of `xtask/`).
pub(crate) fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// The cargo that runs this xtask.
pub(crate) fn cargo() -> Command {
    let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    c.current_dir(workspace_root());
    c
}

/// Runs `command` with a `==> title` header, failing if it exits non-zero.
pub(crate) fn step(title: &str, command: &mut Command) -> Result {
    eprintln!("==> {title}");
    let started = Instant::now();
    let status = command
        .status()
        .map_err(|e| Failed(format!("{title}: could not start {command:?}: {e}")))?;
    let took = started.elapsed().as_secs_f64();
    if status.success() {
        eprintln!("<== {title}: ok ({took:.1} s)");
        Ok(())
    } else {
        Err(Failed(format!(
            "{title}: failed ({status}) after {took:.1} s"
        )))
    }
}

/// Whether `command` runs and exits 0 (output discarded).
pub(crate) fn succeeds(command: &mut Command) -> bool {
    command
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
