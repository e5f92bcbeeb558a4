//! [`Counters`]: the evidence `jostle serve` has of calls made by a client elsewhere, the
//! backends' own counters read now and then, as the rules that it can judge ask for it. Each
//! answer is the evidence or why it does not tell.

use super::judged::Judged;
use crate::check::{CheckResult, Context, Served, Strays};
use std::time::Duration;

/// The backends' counters over a play, as the rules ask for them.
pub trait Counters {
    /// What every verdict prints beside it.
    fn context(&self) -> &Context;

    /// The backends' names, by index.
    fn names(&self) -> &[String];

    /// What each backend served from `from` until `until` (`None`: to the end of serving).
    ///
    /// # Errors
    ///
    /// Why the counters cannot tell (not read twice in the window, no call reached them).
    fn served_in(&self, from: Duration, until: Option<Duration>) -> Result<Served, String>;

    /// The names of the backends announced at `at`.
    fn announced_at(&self, at: Duration) -> Vec<String>;

    /// When discovery last changed, if it did.
    fn last_change(&self) -> Option<Duration>;

    /// When the last fault ended (zero with none); `None` while one held until serving
    /// stopped.
    ///
    /// # Errors
    ///
    /// Why the counters cannot tell.
    fn faults_end(&self) -> Result<Option<Duration>, String>;

    /// What withdrawn backends served from `grace` after each withdrawal until announced
    /// again, and over how many withdrawals.
    ///
    /// # Errors
    ///
    /// Why the counters cannot tell.
    fn strays(&self, grace: Duration) -> Result<(Strays, u64), String>;

    /// The connections the backends accepted and the calls they answered (OK or not) over
    /// the whole play.
    ///
    /// # Errors
    ///
    /// Why the counters cannot tell.
    fn connections(&self) -> Result<(u64, u64), String>;
}

/// `judge`'s verdict over what each backend served from `from` until `until` (`None`: to the
/// end), or why the counters cannot tell.
pub(crate) fn served_verdict(
    counters: &dyn Counters,
    (from, until): (Duration, Option<Duration>),
    judge: impl FnOnce(&Served) -> CheckResult,
) -> Judged {
    match counters.served_in(from, until) {
        Ok(served) => Judged::Check(judge(&served)),
        Err(why) => Judged::Untold(why),
    }
}
