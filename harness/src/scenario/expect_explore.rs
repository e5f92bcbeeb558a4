//! The expectations `jostle explore` judges every schedule by, beside accounting, the deadline
//! and leaks, usable in any file: no avoidable failure (`avoidable_failures`), and back to
//! normal once the faults and discovery are quiet (`settled`).
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
//! duration = "1s"
//! [expect]
//! avoidable_failures = { grace = "1500ms" }
//! settled = { after = "2s", at_least = 0.5, at_most = 2.0 }
//! "#;
//! let story = jostle_harness::scenario::parse(text, "s.toml")?;
//! let settled = story.expect().settled.unwrap();
//! assert_eq!(settled.after, std::time::Duration::from_secs(2));
//! assert_eq!(story.expect().avoidable_failures, Some(std::time::Duration::from_millis(1500)));
//! assert!(story.expect().checks().ends_with(&["avoidable-failures", "settled"]));
//! # Ok::<(), jostle_harness::scenario::ScenarioError>(())
//! ```

use super::error::{ScenarioError, Source};
use super::expectations::{Expectations, SettledExpectation};
use super::raw::RawExpect;
use super::values::fraction;
use crate::cluster::MAX_BACKENDS;
use std::time::Duration;

/// `avoidable_failures`' grace when the file gives none.
pub(super) const AVOIDABLE_GRACE: Duration = Duration::from_secs(1);

/// `settled`'s defaults: after 1 s, from half to twice the fair share.
const SETTLED: SettledExpectation =
    SettledExpectation { after: Duration::from_secs(1), at_least: 0.5, at_most: 2.0 };

/// Reads `avoidable_failures` and `settled` of `raw` into `expect`.
pub(super) fn expectations(
    raw: &RawExpect,
    expect: &mut Expectations,
    source: &Source<'_>,
) -> Result<(), ScenarioError> {
    if let Some(avoidable) = &raw.avoidable_failures {
        let grace = avoidable.get_ref().grace.as_ref();
        expect.avoidable_failures = Some(grace.map_or(AVOIDABLE_GRACE, |grace| grace.get_ref().0));
    }
    if let Some(settled) = &raw.settled {
        let settled = settled.get_ref();
        let at_most = match &settled.at_most {
            None => SETTLED.at_most,
            Some(at_most) => {
                let value = *at_most.get_ref();
                if !(1.0..=MAX_BACKENDS as f64).contains(&value) {
                    return Err(source.error(
                        at_most.span(),
                        format!("`at_most` is {value}"),
                        format!(
                            "a multiple of the fair share in 1..={MAX_BACKENDS} (2 for twice its fair share; the number of backends for no upper bound)"
                        ),
                    ));
                }
                value
            }
        };
        expect.settled = Some(SettledExpectation {
            after: settled.after.as_ref().map_or(SETTLED.after, |after| after.get_ref().0),
            at_least: match &settled.at_least {
                Some(at_least) => fraction(at_least, "at_least", source)?,
                None => SETTLED.at_least,
            },
            at_most,
        });
    }
    Ok(())
}
