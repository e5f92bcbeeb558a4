//! Reading a scenario file: a regular file (never a FIFO, a device or a folder, which could
//! block or never end), at most [`MAX_FILE_BYTES`], UTF-8 text (an invalid byte is located).

use super::error::{ScenarioError, Source};
use std::fs::{File, Metadata};
use std::io::Read;
use std::path::Path;

/// The largest scenario file read: 1 MiB, a thousand times the largest fixture.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// The text of the scenario file at `path`, named `file` in errors.
pub(super) fn text(path: &Path, file: &str) -> Result<String, ScenarioError> {
    let read = |source| ScenarioError::Read { file: file.to_owned(), source };
    // Looked at before opening: opening a FIFO for reading blocks until a writer comes.
    regular(&std::fs::metadata(path).map_err(read)?, file)?;
    let opened = File::open(path).map_err(read)?;
    regular(&opened.metadata().map_err(read)?, file)?;
    let mut bytes = Vec::new();
    opened.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(read)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ScenarioError::TooLarge { file: file.to_owned(), limit: MAX_FILE_BYTES });
    }
    String::from_utf8(bytes).map_err(|error| {
        let at = error.utf8_error().valid_up_to();
        let bytes = error.as_bytes();
        let valid = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
        Source::new(file, valid).error(
            at..at,
            format!("byte 0x{:02X} is not UTF-8 text", bytes[at]),
            "a UTF-8 text file",
        )
    })
}

/// Refuses anything but a regular file, naming what it is.
fn regular(metadata: &Metadata, file: &str) -> Result<(), ScenarioError> {
    if metadata.is_file() {
        return Ok(());
    }
    Err(ScenarioError::NotAFile { file: file.to_owned(), kind: kind(metadata) })
}

/// What a path that is not a regular file is, in words: `a directory`, `a FIFO`, `a device`,
/// `a socket`.
pub fn kind(metadata: &Metadata) -> &'static str {
    if metadata.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let file_type = metadata.file_type();
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}
