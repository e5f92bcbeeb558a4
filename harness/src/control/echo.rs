//! Bounded echoes: a control-API error quotes what the caller sent (a backend name, a fault
//! kind, a parameter), but never more than [`ECHO_CHARS`] characters of it, and no message is
//! longer than [`MAX_MESSAGE`] bytes, so that an error always fits in a client's metadata
//! limit (a gRPC status message travels as a header; clients refuse headers past 8 or 16 KiB).
//!
//! ```
//! use jostle_harness::control::{ECHO_CHARS, MAX_MESSAGE, bounded};
//!
//! let kind = "x".repeat(100_000);
//! let said = bounded(&format!("kind: unknown fault kind `{kind}`; expected one of `crash`"));
//! assert!(said.len() <= MAX_MESSAGE);
//! assert!(said.starts_with(&format!("kind: unknown fault kind `{}…", "x".repeat(ECHO_CHARS))));
//! assert!(said.ends_with("(99936 more bytes)`; expected one of `crash`"), "{said}");
//! ```

use tonic::{Code, Status};

/// The most characters of one quoted input an error repeats.
pub const ECHO_CHARS: usize = 64;

/// The longest error message the control API sends, in bytes.
pub const MAX_MESSAGE: usize = 1024;

/// `message` with each backquoted run (what the caller sent, as errors quote it) cut to its
/// first [`ECHO_CHARS`] characters, saying how much was left out, and the whole cut to
/// [`MAX_MESSAGE`] bytes.
pub fn bounded(message: &str) -> String {
    let mut said = String::with_capacity(message.len().min(MAX_MESSAGE));
    for (index, part) in message.split('`').enumerate() {
        if index > 0 {
            said.push('`');
        }
        match part.char_indices().nth(ECHO_CHARS) {
            Some((cut, _)) if index % 2 == 1 => {
                said.push_str(&part[..cut]);
                said.push_str(&format!("… ({} more bytes)", part.len() - cut));
            }
            _ => said.push_str(part),
        }
        if said.len() > MAX_MESSAGE {
            break;
        }
    }
    if said.len() > MAX_MESSAGE {
        const CUT: &str = "… (cut)";
        let mut end = MAX_MESSAGE - CUT.len();
        while !said.is_char_boundary(end) {
            end -= 1;
        }
        said.truncate(end);
        said.push_str(CUT);
    }
    said
}

/// A refusal with code `code`, its message [`bounded`].
pub(super) fn refuse(code: Code, message: impl AsRef<str>) -> Status {
    Status::new(code, bounded(message.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::{MAX_MESSAGE, bounded};

    #[test]
    fn a_short_message_is_left_as_it_is() {
        let said = "unknown backend `backend-7`; expected a name from backend-0 to backend-2";
        assert_eq!(bounded(said), said);
    }

    #[test]
    fn an_unquoted_flood_is_cut_at_the_bound_on_a_character_boundary() {
        let said = bounded(&"é".repeat(100_000));
        assert!(said.len() <= MAX_MESSAGE, "a message is at most {MAX_MESSAGE} bytes");
        assert!(said.ends_with("… (cut)"), "a cut message says so");
    }
}
