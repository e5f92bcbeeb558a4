//! One `[[fault]]` table on its own: the fields of a scenario file's fault, checked as the file's
//! are, for callers that inject faults one at a time (the control API of `jostle serve`).
//!
//! ```
//! use jostle_harness::fault::{Backends, Fault};
//! use jostle_harness::net::Transport;
//! use jostle_harness::scenario;
//! use tonic::Code;
//!
//! let text = "kind = \"status\"\ntarget = [1]\ncode = \"Unavailable\"\nprobability = 1\n";
//! let injection = scenario::fault_table(text, "inject", 3, Transport::Tcp)?;
//! assert_eq!(injection.fault, Fault::status(Code::Unavailable, 1.0));
//! assert_eq!(injection.target, Backends::One(1));
//!
//! let typo = scenario::fault_table(&text.replace("status", "statsu"), "inject", 3, Transport::Tcp);
//! assert!(typo.unwrap_err().to_string().ends_with("did you mean `status`?"));
//! # Ok::<(), jostle_harness::scenario::ScenarioError>(())
//! ```

use super::error::{ScenarioError, Source};
use super::fault::injection;
use super::raw::RawFault;
use crate::fault::Injection;
use crate::net::Transport;
use toml::Spanned;

/// Parses and checks the body of one `[[fault]]` table (`kind`, `target`, the kind's
/// parameters, `at`, `for`) for a cluster of `backends` on `transport`; `origin` names the text
/// in errors, which are located as a scenario file's are.
///
/// # Errors
///
/// [`ScenarioError::Invalid`]: the first thing wrong, with its line and column in `text`.
pub fn fault_table(
    text: &str,
    origin: &str,
    backends: usize,
    transport: Transport,
) -> Result<Injection, ScenarioError> {
    let source = Source::new(origin, text);
    let raw: Spanned<RawFault> = toml::from_str(text).map_err(|error| source.toml_error(&error))?;
    injection(&raw, backends, transport, &source)
}
