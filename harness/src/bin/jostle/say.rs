//! What `jostle` says: lines on stdout whose write errors are reported, not panicked on, and
//! error lines on stderr with every control character escaped (a newline in a file name
//! cannot split an error, an escape sequence cannot reach the terminal).

use std::fmt::Display;
use std::io::{self, Write};
use std::process::ExitCode;

/// The exit code when stdout cannot be written: the run or check itself is not at fault, but
/// what it had to say was lost.
pub(crate) const OUTPUT_LOST: u8 = 1;

/// A line on stdout.
///
/// # Errors
///
/// When stdout is closed or full (`| head`, `> /dev/full`).
pub(crate) fn line(text: impl Display) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "{text}")?;
    out.flush()
}

/// `message` on stderr, one line, control characters escaped. A closed stderr changes
/// nothing: the exit code still says what happened.
pub(crate) fn error(message: &str) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{}", escaped(message));
}

/// `message` on stderr, then `code`.
pub(crate) fn fail(message: &str, code: u8) -> ExitCode {
    error(message);
    ExitCode::from(code)
}

/// The exit code of a stdout that could not be written, said on stderr.
pub(crate) fn stdout_lost(why: &io::Error) -> ExitCode {
    fail(&format!("error: cannot write to stdout: {why}"), OUTPUT_LOST)
}

/// `text` with every control character written as an escape (`\n`, `\t`, `\u{1b}`).
pub(crate) fn escaped(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() })
        .collect()
}
