//! A window of scenario time an expectation judges: `from` (or its older name `after`) and
//! `until`, both since the cluster started. A call belongs to the window when it *started* at
//! `from` or later and before `until` (a call is attributed by its start, as everywhere).
//!
//! ```
//! let text = r#"
//! name = "s"
//! [cluster]
//! backends = 3
//! [balancer]
//! policy = "round_robin"
//! [load]
//! rate = 100
//! duration = "4s"
//! [expect]
//! shares = [{ backend = 1, at_least = 0.2, from = "1s", until = "3s" }]
//! "#;
//! let story = jostle_harness::scenario::parse(text, "s.toml")?;
//! let share = story.expect().shares[0];
//! assert_eq!((share.after, share.until), (std::time::Duration::from_secs(1), Some(std::time::Duration::from_secs(3))));
//!
//! let backwards = text.replace("until = \"3s\"", "until = \"1s\"");
//! let message = jostle_harness::scenario::parse(&backwards, "s.toml").unwrap_err().to_string();
//! assert!(message.starts_with("s.toml:11:63: `until` (1s) is not after `from` (1s)"), "{message}");
//! # Ok::<(), jostle_harness::scenario::ScenarioError>(())
//! ```

use super::duration::Dur;
use super::error::{ScenarioError, Source};
use std::time::Duration;
use toml::Spanned;

/// A window as a file writes it: any of `after`, `from`, `until`.
pub(super) struct Written<'a> {
    pub(super) after: Option<&'a Spanned<Dur>>,
    pub(super) from: Option<&'a Spanned<Dur>>,
    pub(super) until: Option<&'a Spanned<Dur>>,
    /// The names the file gives `from` and `until`, for errors.
    pub(super) keys: [&'static str; 2],
}

/// The keys of most windows.
pub(super) const KEYS: [&str; 2] = ["from", "until"];

/// Where the window starts (0 when neither `from` nor `after` is given) and where it ends
/// (`None`: at the end of the run). `after` together with `from` is an error at `from`;
/// an `until` at or before the start is an error at `until`.
pub(super) fn window(
    written: &Written<'_>,
    source: &Source<'_>,
) -> Result<(Duration, Option<Duration>), ScenarioError> {
    if let (Some(_), Some(from)) = (written.after, written.from) {
        return Err(source.error(
            from.span(),
            "both `after` and `from` are set",
            "one of them: `from` (`after` is its older name)",
        ));
    }
    let from = written.from.or(written.after).map_or(Duration::ZERO, |from| from.get_ref().0);
    let Some(until) = written.until else { return Ok((from, None)) };
    let until_value = until.get_ref().0;
    if until_value <= from {
        let [from_key, until_key] = written.keys;
        return Err(source.error(
            until.span(),
            format!(
                "`{until_key}` ({}) is not after `{from_key}` ({})",
                humantime::format_duration(until_value),
                humantime::format_duration(from)
            ),
            format!("a time after the window's start (`{from_key}`, 0 when not given)"),
        ));
    }
    Ok((from, Some(until_value)))
}
