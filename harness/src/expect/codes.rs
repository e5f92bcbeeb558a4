//! `codes`: failed calls fail only with the listed gRPC codes, `[expect] codes` (judged by
//! [`check::codes`]).
//!
//! ```
//! use jostle_harness::expect::Codes;
//!
//! let text = "name = \"s\"\n[cluster]\nbackends = 1\n[balancer]\npolicy = \"round_robin\"\n\
//!     [load]\nconcurrency = 1\ncalls = 10\n[expect]\ncodes = [\"Unavailable\", \"deadline_exceeded\"]\n";
//! let story = jostle_harness::scenario::parse(text, "s.toml")?;
//! let codes = story.expect().get::<Codes>().unwrap();
//! assert_eq!(codes.0, [tonic::Code::Unavailable, tonic::Code::DeadlineExceeded]);
//! # Ok::<(), jostle_harness::scenario::ScenarioError>(())
//! ```

use super::calls::Calls;
use super::judged::Judged;
use super::lines::ExpectLines;
use super::rule::{Reader, Rule};
use super::table::Table;
use crate::check;
use crate::scenario::ScenarioError;
use crate::scenario::values::status_code;
use std::sync::Arc;
use toml::Spanned;

/// The codes a failed call may have, at least one, each once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Codes(pub Vec<tonic::Code>);

/// Reads `codes`.
pub(super) const READER: Reader =
    Reader { name: "codes", keys: &["codes"], read: |table| read(table) };

fn read(table: &Table<'_>) -> Result<Option<Arc<dyn Rule>>, ScenarioError> {
    let Some(written) = table.get::<Vec<Spanned<String>>>("codes")? else { return Ok(None) };
    if written.get_ref().is_empty() {
        return Err(table.error(
            written.span(),
            "`codes` lists no code",
            "at least one gRPC code a call may fail with (for no failure at all: `max_failure_rate = 0`)",
        ));
    }
    let mut codes = Vec::new();
    for name in written.get_ref() {
        let code = status_code(name, table.source())?;
        if codes.contains(&code) {
            return Err(table.error(
                name.span(),
                format!("code `{code:?}` is listed twice"),
                "each code once",
            ));
        }
        codes.push(code);
    }
    Ok(Some(Arc::new(Codes(codes))))
}

impl Rule for Codes {
    fn name(&self) -> &'static str {
        READER.name
    }

    fn judge(&self, calls: &Calls<'_>) -> Vec<Judged> {
        vec![Judged::Check(check::codes(calls.log, &self.0, calls.context))]
    }

    fn write(&self, toml: &mut ExpectLines) {
        if self.0.is_empty() {
            toml.refuse_empty("codes");
        }
        let names: Vec<String> = self.0.iter().map(|code| format!("\"{code:?}\"")).collect();
        toml.push_str(&format!("codes = [{}]\n", names.join(", ")));
    }
}
