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
//! let share = story.expect().get::<jostle_harness::expect::Shares>().unwrap().0[0];
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
pub(crate) struct Written<'a> {
    pub(crate) after: Option<&'a Spanned<Dur>>,
    pub(crate) from: Option<&'a Spanned<Dur>>,
    pub(crate) until: Option<&'a Spanned<Dur>>,
    /// The names the file gives `from` and `until`, for errors.
    pub(crate) keys: [&'static str; 2],
}

/// The keys of most windows.
pub(crate) const KEYS: [&str; 2] = ["from", "until"];

/// Where the window starts (0 when neither `from` nor `after` is given) and where it ends
/// (`None`: at the end of the run). `after` together with `from` is an error at `from`; a
/// start at or after `load_end` (a load bounded by a duration is over then: no call can start
/// in the window) is an error at the start; an `until` at or before the start is an error at
/// `until`.
pub(crate) fn window(
    written: &Written<'_>,
    source: &Source<'_>,
    load_end: Option<Duration>,
) -> Result<(Duration, Option<Duration>), ScenarioError> {
    if let (Some(_), Some(from)) = (written.after, written.from) {
        return Err(source.error(
            from.span(),
            "both `after` and `from` are set",
            "one of them: `from` (`after` is its older name)",
        ));
    }
    let start = written.from.or(written.after);
    if let (Some(start), Some(end)) = (start, load_end)
        && start.get_ref().0 >= end
    {
        let [from_key, _] = written.keys;
        return Err(source.error(
            start.span(),
            format!(
                "this window starts at {}, when the load is over (it ends at {}: warm-up and \
                 duration), so no call can start in it",
                humantime::format_duration(start.get_ref().0),
                humantime::format_duration(end)
            ),
            format!(
                "{} `{from_key}` before {}",
                article(from_key),
                humantime::format_duration(end)
            ),
        ));
    }
    let from = start.map_or(Duration::ZERO, |from| from.get_ref().0);
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

/// The article before `key` (`a `from``, `an `after``): "an" before a vowel.
fn article(key: &str) -> &'static str {
    if key.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
}
