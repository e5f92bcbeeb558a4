//! The upper side of recovery: a backend that comes back (or is newly announced) is not
//! flooded. A balancer that sends every call to a returning backend until its count "catches
//! up" (a thundering herd onto a cold replica) fails here, while recovery's lower side holds.

use super::{Back, CheckResult};
use crate::load::{CallLog, CallOutcome};
use std::collections::BTreeMap;
use std::time::Duration;

/// Windows with fewer OK calls than this are not judged: a share of a handful of calls says
/// nothing (an even split of 20 calls over 3 backends puts more than 2/3 on one of them with a
/// chance under 1e-4).
pub const MIN_WINDOW_CALLS: usize = 20;

/// The flood bound, applied to a recovery `result` that holds so far: from `back.at()` to the
/// last call, in each window of `window`, `backend` serves at most `at_most` times its fair
/// share (1 / `announced(window start)`) of the OK calls started in it. A window with fewer
/// than [`MIN_WINDOW_CALLS`] OK calls is not judged. The result fails, naming the flood (the
/// window, the share measured and the bound), when one window is over.
pub fn bound(
    result: CheckResult,
    log: &CallLog,
    backend: &str,
    back: Back,
    window: Duration,
    announced: impl Fn(Duration) -> usize,
    at_most: f64,
) -> CheckResult {
    let (mut result, back_at) = (result, back.at());
    result.rule +=
        &format!(", and in no {window:?} window more than {at_most} times its fair share");
    // One pass over the log: the OK calls and the backend's share of them, per window.
    let mut windows: BTreeMap<u128, (usize, usize)> = BTreeMap::new();
    if !window.is_zero() {
        for call in log.calls.iter().filter(|c| c.outcome == CallOutcome::Ok && c.start >= back_at)
        {
            let counts = windows.entry((call.start - back_at).as_nanos() / window.as_nanos());
            let counts = counts.or_default();
            counts.0 += 1;
            counts.1 += usize::from(call.backend.as_deref() == Some(backend));
        }
    }
    let (mut worst, mut worst_at, mut judged, mut flood) = (0.0_f64, back_at, 0u64, None);
    for (&index, &(calls, served)) in windows.iter().filter(|(_, c)| c.0 >= MIN_WINDOW_CALLS) {
        let from = back_at + window * u32::try_from(index).unwrap_or(u32::MAX);
        judged += 1;
        let fair = 1.0 / announced(from).max(1) as f64;
        let of_fair = served as f64 / calls as f64 / fair;
        if of_fair > worst {
            (worst, worst_at) = (of_fair, from);
        }
        if of_fair > at_most && flood.is_none() {
            flood = Some((from, served, calls, fair));
        }
    }
    result = result
        .measure("largest window share of fair", worst)
        .measure("windows judged", judged as f64);
    if !result.passed {
        return result;
    }
    if judged == 0 {
        let why = format!(
            "no {window:?} window after {backend} was {back} had {MIN_WINDOW_CALLS} OK calls: the flood bound measured nothing"
        );
        return result.verdict(false, why);
    }
    match flood {
        Some((from, served, calls, fair)) => {
            let why = format!(
                "{backend} was flooded: {served} of the {calls} OK calls from {from:?} to {:?} ({:.1}%, {:.2} times its fair share of {:.1}%; bound {at_most} times)",
                from + window,
                served as f64 / calls as f64 * 100.0,
                served as f64 / calls as f64 / fair,
                fair * 100.0
            );
            result.verdict(false, why)
        }
        None => {
            let explanation = format!(
                "{}; at most {worst:.2} times its fair share in any {window:?} window (from {worst_at:?})",
                result.explanation
            );
            result.verdict(true, explanation)
        }
    }
}
