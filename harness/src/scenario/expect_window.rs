//! The expectations over a window of the run and the lower bounds: `served_nothing` (a backend
//! serves no OK call in a window), `min_failure_rate` (at least a fraction of calls fail), and
//! the window `failure_rate_from` / `failure_rate_until` that both failure rates count in.
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
//! duration = "30s"
//! [expect]
//! min_failure_rate = 0.5
//! failure_rate_from = "7s"
//! failure_rate_until = "27s"
//! [[expect.served_nothing]]
//! backend = 2
//! from = "7s"
//! until = "27s"
//! "#;
//! let story = jostle_harness::scenario::parse(text, "s.toml")?;
//! let expect = story.expect();
//! assert_eq!(expect.min_failure_rate, Some(0.5));
//! assert_eq!(expect.failure_rate_until, Some(std::time::Duration::from_secs(27)));
//! assert_eq!(expect.served_nothing[0].backend, 2);
//! assert!(expect.checks().contains(&"served-nothing"));
//! # Ok::<(), jostle_harness::scenario::ScenarioError>(())
//! ```

use super::discovery::Discovery;
use super::error::{ScenarioError, Source};
use super::expectations::{Expectations, ServedNothingExpectation};
use super::raw::RawExpect;
use super::values::{backend_index, fraction};
use super::window::{KEYS, Written, window};

/// Reads the windowed expectations and the lower bounds of `raw` into `expect`.
pub(super) fn expectations(
    raw: &RawExpect,
    backends: usize,
    expect: &mut Expectations,
    source: &Source<'_>,
) -> Result<(), ScenarioError> {
    if let Some(rate) = &raw.min_failure_rate {
        expect.min_failure_rate = Some(fraction(rate, "min_failure_rate", source)?);
    }
    let rate_window = [&raw.failure_rate_from, &raw.failure_rate_until];
    if let Some(key) = rate_window.into_iter().flatten().next()
        && raw.max_failure_rate.is_none()
        && raw.min_failure_rate.is_none()
    {
        let name = if raw.failure_rate_from.is_some() {
            "failure_rate_from"
        } else {
            "failure_rate_until"
        };
        return Err(source.error(
            key.span(),
            format!("`{name}` without `max_failure_rate` or `min_failure_rate`"),
            "`max_failure_rate` or `min_failure_rate` beside it",
        ));
    }
    let written = Written {
        after: None,
        from: raw.failure_rate_from.as_ref(),
        until: raw.failure_rate_until.as_ref(),
        keys: ["failure_rate_from", "failure_rate_until"],
    };
    (expect.failure_rate_from, expect.failure_rate_until) = window(&written, source)?;
    for nothing in &raw.served_nothing {
        let nothing = nothing.get_ref();
        let written = Written {
            after: None,
            from: nothing.from.as_ref(),
            until: nothing.until.as_ref(),
            keys: KEYS,
        };
        let (from, until) = window(&written, source)?;
        expect.served_nothing.push(ServedNothingExpectation {
            backend: backend_index(&nothing.backend, backends, source)?,
            from,
            until,
        });
    }
    Ok(())
}

/// `convergence`'s chosen `backends` are each announced after the last discovery change: an
/// error at the first that is not.
pub(super) fn chosen_are_announced(
    expect: &Expectations,
    discovery: &Discovery,
    raw: &RawExpect,
    source: &Source<'_>,
) -> Result<(), ScenarioError> {
    let (Some(chosen), Some(written)) = (
        expect.convergence.as_ref().and_then(|c| c.backends.as_ref()),
        raw.convergence.as_ref().and_then(|c| c.get_ref().backends.as_ref()),
    ) else {
        return Ok(());
    };
    if discovery.changes.is_empty() {
        return Ok(()); // `convergence` without a change is its own error.
    }
    let announced = discovery.last();
    let stray = chosen.iter().zip(written.get_ref()).find(|(index, _)| !announced.contains(index));
    match stray {
        None => Ok(()),
        Some((index, place)) => Err(source.error(
            place.span(),
            format!("backend {index} is not announced after the last discovery change"),
            format!("backends announced then: {announced:?}"),
        )),
    }
}
