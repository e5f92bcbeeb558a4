//! The `rpc-behavior` request metadata of the gRPC xDS interop tests: the client asks the backend
//! that serves a call to sleep, hang, fail or succeed.
//!
//! The header is defined in the "Server" section of gRPC's *xDS (Load-Balancing) Interop Test
//! Case Descriptions* (`doc/xds-test-descriptions.md` in `grpc/grpc`), and implemented by the
//! grpc-go (`interop/xds/server`) and grpc-java (`XdsTestServer`) interop servers. Each value is
//! one of:
//!
//! - `sleep-<N>`: wait N seconds, then go on matching the next behaviour;
//! - `keep-open`: never answer (the call waits until the client gives up); matching ends;
//! - `error-code-<N>`: answer with gRPC status code N (0..=16); matching ends;
//! - `succeed-on-retry-attempt-<N>`: if the request's `grpc-previous-rpc-attempts` header equals
//!   N (a missing header counts as 0), serve the call normally; matching ends. Otherwise go on;
//! - `hostname=<name> <behaviour>`: apply the behaviour only on the backend named `<name>`.
//!
//! One value may hold several behaviours separated by commas, and the header may be sent several
//! times; all of them are applied in the order sent. Because a behaviour that ends matching wins
//! over every later one, the interop driver writes `succeed-on-retry-attempt-4,error-code-14` to
//! fail every attempt but the fifth.
//!
//! [`parse`] folds that sequence into one [`CallBehavior`]. It is stricter than the reference
//! servers, so that a typo fails loudly instead of silently testing nothing: every value is
//! checked, including values for other backends and values after the end of matching, and an
//! unknown behaviour is an error rather than ignored.

use std::time::Duration;

use http::{HeaderMap, HeaderValue};
use tonic::Code;

/// The request metadata key that carries the behaviours.
pub const HEADER: &str = "rpc-behavior";

/// The request metadata key gRPC retries set to the number of earlier attempts of a call.
pub const PREVIOUS_ATTEMPTS_HEADER: &str = "grpc-previous-rpc-attempts";

const SLEEP: &str = "sleep-";
const KEEP_OPEN: &str = "keep-open";
const ERROR_CODE: &str = "error-code-";
const SUCCEED_ON_RETRY_ATTEMPT: &str = "succeed-on-retry-attempt-";
const HOSTNAME: &str = "hostname=";

const EXPECTED_SLEEP: &str = "sleep-<seconds>";
const EXPECTED_ERROR_CODE: &str = "error-code-<code> with a grpc status code in 0..=16";
const EXPECTED_SUCCEED: &str = "succeed-on-retry-attempt-<previous attempts>";
const EXPECTED_HOSTNAME: &str = "hostname=<name> <behavior>";
const EXPECTED_ONE_HOSTNAME: &str = "hostname=<name> <behavior> with one hostname rule";

/// What one backend does with one call, as its `rpc-behavior` metadata asks.
///
/// The backend first sleeps for `sleep`, then does the one thing asked, if any: hang
/// (`keep_open`), answer with `error`, or serve the call normally (`succeed`). At most one of
/// `keep_open`, `error` and `succeed` is set. The default asks for nothing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CallBehavior {
    /// Wait this long before anything else: the sum of the `sleep-<N>` before the end of matching.
    pub sleep: Option<Duration>,
    /// Never answer: the call waits until the client gives up (`keep-open`).
    pub keep_open: bool,
    /// Answer with this status instead of running the handler (`error-code-<N>`).
    pub error: Option<Code>,
    /// Serve the call normally: a `succeed-on-retry-attempt-<N>` matched this attempt, so the
    /// behaviours after it are not applied.
    pub succeed: bool,
}

impl CallBehavior {
    /// Whether nothing applies: no sleep, no hang, no error, and no matched retry attempt.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Why request metadata is not a valid `rpc-behavior`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BehaviorError {
    /// A header value is not visible ASCII text; `value` shows its bytes escaped.
    #[error("invalid {header} value \"{value}\": expected visible ascii text")]
    NotText {
        /// The header that holds the value.
        header: &'static str,
        /// The value, with bytes that are not visible ASCII escaped.
        value: String,
    },
    /// A known behaviour with a bad argument or shape.
    #[error("invalid rpc-behavior \"{value}\": expected {expected}")]
    Invalid {
        /// The behaviour as sent, hostname rule included.
        value: String,
        /// The form it should have.
        expected: &'static str,
    },
    /// A behaviour of no known form.
    #[error(
        "unknown rpc-behavior \"{value}\": expected sleep-<seconds>, keep-open, \
         error-code-<code>, succeed-on-retry-attempt-<previous attempts> \
         or hostname=<name> <behavior>"
    )]
    Unknown {
        /// The behaviour as sent.
        value: String,
    },
    /// The `grpc-previous-rpc-attempts` header, needed by `succeed-on-retry-attempt-<N>`, is not a
    /// count.
    #[error("invalid grpc-previous-rpc-attempts \"{value}\": expected a non-negative integer")]
    PreviousAttempts {
        /// The header value.
        value: String,
    },
}

/// Reads every `rpc-behavior` value in `headers` and returns what the backend whose hostname is
/// `backend` does with the call.
///
/// Behaviours apply in the order sent (values, then comma-separated entries within a value);
/// `hostname=<name>` rules for other backends are skipped; matching ends at the first
/// `keep-open`, `error-code-<N>`, or `succeed-on-retry-attempt-<N>` whose N equals the
/// `grpc-previous-rpc-attempts` header (0 when missing). Empty entries and whitespace around
/// entries are ignored.
///
/// # Errors
///
/// A [`BehaviorError`] if any value, even one for another backend or after the end of matching,
/// is not text, has a bad argument, or is of no known form; or if a
/// `succeed-on-retry-attempt-<N>` is sent with a `grpc-previous-rpc-attempts` that is not a count.
///
/// # Example
///
/// ```
/// use http::HeaderMap;
/// use jostle_harness::fault::behavior::{self, CallBehavior};
/// use std::time::Duration;
/// use tonic::Code;
///
/// let mut headers = HeaderMap::new();
/// headers.append(behavior::HEADER, "sleep-2, hostname=backend-1 error-code-14".parse()?);
///
/// // backend-1 sleeps, then fails the call with UNAVAILABLE...
/// let on_backend_1 = behavior::parse(&headers, "backend-1")?;
/// let expected = CallBehavior {
///     sleep: Some(Duration::from_secs(2)),
///     error: Some(Code::Unavailable),
///     ..CallBehavior::default()
/// };
/// assert_eq!(on_backend_1, expected);
///
/// // ...every other backend only sleeps.
/// let on_backend_0 = behavior::parse(&headers, "backend-0")?;
/// assert_eq!(on_backend_0.sleep, Some(Duration::from_secs(2)));
/// assert_eq!(on_backend_0.error, None);
///
/// // A typo is an error, not a silently healthy backend.
/// headers.append(behavior::HEADER, "sleep-two".parse()?);
/// let error = behavior::parse(&headers, "backend-0").unwrap_err();
/// assert_eq!(error.to_string(), r#"invalid rpc-behavior "sleep-two": expected sleep-<seconds>"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse(headers: &HeaderMap, backend: &str) -> Result<CallBehavior, BehaviorError> {
    let mut behavior = CallBehavior::default();
    let mut ended = false;
    let mut previous_attempts = None;
    for value in headers.get_all(HEADER) {
        let text = text(HEADER, value)?;
        for entry in text.split(',').map(str::trim).filter(|entry| !entry.is_empty()) {
            let (host, action) = parse_entry(entry)?;
            if matches!(action, Action::SucceedOnRetryAttempt(_)) && previous_attempts.is_none() {
                previous_attempts = Some(read_previous_attempts(headers)?);
            }
            if ended || host.is_some_and(|host| host != backend) {
                continue;
            }
            match action {
                Action::Sleep(duration) => {
                    behavior.sleep =
                        Some(behavior.sleep.unwrap_or_default().saturating_add(duration));
                }
                Action::KeepOpen => {
                    behavior.keep_open = true;
                    ended = true;
                }
                Action::Error(code) => {
                    behavior.error = Some(code);
                    ended = true;
                }
                Action::SucceedOnRetryAttempt(attempts) => {
                    if previous_attempts == Some(attempts) {
                        behavior.succeed = true;
                        ended = true;
                    }
                }
            }
        }
    }
    Ok(behavior)
}

/// One behaviour, without its hostname rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Sleep(Duration),
    KeepOpen,
    Error(Code),
    SucceedOnRetryAttempt(u64),
}

/// Splits an optional `hostname=<name> ` rule off `entry` and parses the behaviour.
fn parse_entry(entry: &str) -> Result<(Option<&str>, Action), BehaviorError> {
    let Some(rule) = entry.strip_prefix(HOSTNAME) else {
        return Ok((None, parse_action(entry, entry)?));
    };
    let invalid = |expected| BehaviorError::Invalid { value: entry.to_owned(), expected };
    let Some((host, action)) = rule.split_once(char::is_whitespace) else {
        return Err(invalid(EXPECTED_HOSTNAME));
    };
    let action = action.trim_start();
    if host.is_empty() || action.is_empty() {
        return Err(invalid(EXPECTED_HOSTNAME));
    }
    if action.starts_with(HOSTNAME) {
        return Err(invalid(EXPECTED_ONE_HOSTNAME));
    }
    Ok((Some(host), parse_action(action, entry)?))
}

/// Parses the behaviour `action`, found in the entry `entry` (which errors name).
fn parse_action(action: &str, entry: &str) -> Result<Action, BehaviorError> {
    let invalid = |expected| BehaviorError::Invalid { value: entry.to_owned(), expected };
    if action == KEEP_OPEN {
        Ok(Action::KeepOpen)
    } else if let Some(seconds) = action.strip_prefix(SLEEP) {
        let seconds = count(seconds).ok_or_else(|| invalid(EXPECTED_SLEEP))?;
        Ok(Action::Sleep(Duration::from_secs(seconds)))
    } else if let Some(code) = action.strip_prefix(ERROR_CODE) {
        count(code)
            .filter(|code| *code <= 16)
            .and_then(|code| i32::try_from(code).ok())
            .map(|code| Action::Error(Code::from_i32(code)))
            .ok_or_else(|| invalid(EXPECTED_ERROR_CODE))
    } else if let Some(attempts) = action.strip_prefix(SUCCEED_ON_RETRY_ATTEMPT) {
        let attempts = count(attempts).ok_or_else(|| invalid(EXPECTED_SUCCEED))?;
        Ok(Action::SucceedOnRetryAttempt(attempts))
    } else {
        Err(BehaviorError::Unknown { value: entry.to_owned() })
    }
}

/// The first `grpc-previous-rpc-attempts` value as a count; 0 when the header is missing.
fn read_previous_attempts(headers: &HeaderMap) -> Result<u64, BehaviorError> {
    let Some(value) = headers.get(PREVIOUS_ATTEMPTS_HEADER) else {
        return Ok(0);
    };
    let text = text(PREVIOUS_ATTEMPTS_HEADER, value)?.trim();
    count(text).ok_or_else(|| BehaviorError::PreviousAttempts { value: text.to_owned() })
}

/// `value` as text, or an error that shows its bytes.
fn text<'a>(header: &'static str, value: &'a HeaderValue) -> Result<&'a str, BehaviorError> {
    value.to_str().map_err(|_| BehaviorError::NotText {
        header,
        value: value.as_bytes().escape_ascii().to_string(),
    })
}

/// A non-negative decimal integer written with digits only (no sign, no spaces).
fn count(digits: &str) -> Option<u64> {
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests;
