//! [`ExpectLines`]: the `[expect]` lines rules write back, with the keys two rules share
//! written once, and what no file can hold refused.

use crate::scenario::ScenarioError;
use std::cell::RefCell;
use std::time::Duration;

/// `[expect]` lines as the rules write them back ([`Rule::write`](super::Rule::write)); the
/// keys two rules share that are written already, with their lines (the failure rates'
/// window, `failure_rate_from` and `failure_rate_until`, is written once, by the first rate);
/// and the first value a rule holds that no file can (it is refused, not rounded).
///
/// ```
/// use jostle_harness::expect::{ExpectLines, FailureRate, MinFailureRate, Rule, Timeout};
/// use std::time::Duration;
///
/// let (from, until) = (Duration::from_secs(1), None);
/// let mut lines = ExpectLines::new("[expect]\n");
/// FailureRate { max: 0.5, from, until }.append_to(&mut lines);
/// MinFailureRate { min: 0.1, from, until }.append_to(&mut lines);
/// let written = "[expect]\nmax_failure_rate = 0.5\nfailure_rate_from = \"1000ms\"\nmin_failure_rate = 0.1\n";
/// assert_eq!(lines.into_string()?, written, "one window, written once");
///
/// let mut lines = ExpectLines::new("[expect]\n");
/// Timeout(Duration::from_micros(1500)).append_to(&mut lines);
/// let refused = lines.into_string().unwrap_err().to_string();
/// assert!(refused.contains("`max_latency_over_deadline` is 1.5ms, not a whole number"), "{refused}");
/// # Ok::<(), jostle_harness::scenario::ScenarioError>(())
/// ```
#[derive(Debug, Default)]
pub struct ExpectLines {
    text: String,
    shared: Vec<(&'static [&'static str], String)>,
    /// The check whose lines are being written.
    writing: &'static str,
    refused: RefCell<Option<ScenarioError>>,
}

impl ExpectLines {
    /// Lines that start with `text`.
    pub fn new(text: &str) -> Self {
        Self { text: text.to_owned(), ..Self::default() }
    }

    /// Names `check` in what is refused from now on ([`Rule::append_to`](super::Rule::append_to)
    /// calls it before a rule writes).
    pub(super) fn writing(&mut self, check: &'static str) {
        self.writing = check;
    }

    /// Appends `lines`.
    pub fn push_str(&mut self, lines: &str) {
        self.text.push_str(lines);
    }

    /// Appends `lines`, a rule's lines of the shared `keys`, unless a rule wrote them already.
    /// Whether the file's shared keys say what `lines` say: false when another rule wrote them
    /// with other values (the caller then writes its own keys, or refuses).
    pub fn shared(&mut self, keys: &'static [&'static str], lines: String) -> bool {
        match self.shared.iter().find(|(written, _)| *written == keys) {
            Some((_, written)) => *written == lines,
            None => {
                self.text.push_str(&lines);
                self.shared.push((keys, lines));
                true
            }
        }
    }

    /// `value` as a file writes a duration, whole milliseconds (`"250ms"`); a value finer
    /// than a millisecond, which a file cannot hold, refuses the rule (`key` names it) rather
    /// than be rounded. (A value a file's reader refuses, such as one over 24 hours, is
    /// written as it is: reading it back names its place.)
    pub fn duration(&self, key: &str, value: Duration) -> String {
        if !value.subsec_nanos().is_multiple_of(1_000_000) {
            self.refuse(
                format!("`{key}` is {value:?}, not a whole number of milliseconds"),
                "whole milliseconds (a scenario's clock counts milliseconds)",
            );
        }
        format!("\"{}ms\"", value.as_millis())
    }

    /// `value` as a file writes a count: a TOML integer, which holds at most `i64::MAX`; a
    /// larger one refuses the rule (`key` names it).
    pub fn count(&self, key: &str, value: u64) -> String {
        if i64::try_from(value).is_err() {
            self.refuse(
                format!("`{key}` is {value}, larger than a TOML integer holds"),
                format!("a count of at most {}", i64::MAX),
            );
        }
        value.to_string()
    }

    /// Refuses the rule being written: it holds what no file can (`problem`); the first
    /// refusal is the one [`ExpectLines::into_string`] gives.
    pub fn refuse(&self, problem: impl Into<String>, expected: impl Into<String>) {
        let mut refused = self.refused.borrow_mut();
        if refused.is_none() {
            *refused = Some(ScenarioError::Unwritable {
                check: self.writing,
                problem: problem.into(),
                expected: expected.into(),
            });
        }
    }

    /// Refuses a list of no bounds under `key`: a file reads an empty list as no rule at all
    /// (or refuses it), so it would judge a run otherwise.
    pub fn refuse_empty(&self, key: &str) {
        self.refuse(
            format!("`{key}` lists no bound"),
            format!("at least one bound, or no `{key}` rule"),
        );
    }

    /// The lines written.
    ///
    /// # Errors
    ///
    /// A rule held a value no file can ([`ScenarioError::Unwritable`]): the file would judge
    /// a run otherwise than the rule.
    pub fn into_string(self) -> Result<String, ScenarioError> {
        match self.refused.into_inner() {
            Some(refused) => Err(refused),
            None => Ok(self.text),
        }
    }
}
