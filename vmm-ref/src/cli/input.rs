//! Reading the input document: a file, or standard input for `-`.

use std::io::Read;
use std::path::Path;

/// A document read from a file or standard input.
#[derive(Debug)]
pub(crate) struct Input {
    /// How to name the source in messages (`pod.yaml`, `<stdin>`).
    pub(crate) name: String,
    /// The text.
    pub(crate) text: String,
}

/// Reads `path`, or standard input when it is `-`.
///
/// The error is a complete message naming the file and the reason.
pub(crate) fn read(path: &Path) -> Result<Input, String> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(Input {
            name: "<stdin>".to_owned(),
            text,
        });
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "cannot read {}: not UTF-8 text (invalid byte at offset {}); pod files are JSON or YAML",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    Ok(Input {
        name: path.display().to_string(),
        text,
    })
}
