//! The accounting invariant: nothing lost, nothing counted twice, and late completions, calls
//! a backend completed OK after the client had given up on them, counted as their own category.
//!
//! A backend counts a call OK when its answer's trailers leave the service; the client counts
//! it OK when they arrive before its deadline. Under overload the two part: the answer is
//! written, then queued behind others, and the client's deadline fires first (or the
//! connection breaks on the way). The backend's count is right about the backend, the
//! client's about the client: neither recorder misses anything, and the difference is a
//! category of its own, bounded by the client's calls that did not end OK.

use super::{CheckResult, Context, NO_CALLS};
use crate::load::{CallLog, CallOutcome, Method};
use crate::record::StatsSnapshot;

const METHODS: [Method; 3] = [Method::CreateOrder, Method::GetOrder, Method::WatchOrders];

/// The backends' OK count of `method` between `before` and `after`.
fn backends_ok(before: &[StatsSnapshot], after: &[StatsSnapshot], method: Method) -> u64 {
    before
        .iter()
        .zip(after)
        .map(|(b, a)| a.ok(method.name()).saturating_sub(b.ok(method.name())))
        .sum()
}

/// Calls the backends completed OK beyond the client's OK calls, over every method: calls
/// the client saw fail or time out that a backend finished OK anyway.
pub fn late_completions(log: &CallLog, before: &[StatsSnapshot], after: &[StatsSnapshot]) -> u64 {
    METHODS
        .into_iter()
        .map(|method| backends_ok(before, after, method).saturating_sub(log.ok_of(method)))
        .sum()
}

/// Calls sent = OK + failed + timed out; and for every method, the calls the backends
/// completed OK (counted by the backends themselves, `after` minus `before`) are the client's
/// OK calls plus late completions, which can only be calls the client did not see end OK.
pub fn accounting(
    log: &CallLog,
    before: &[StatsSnapshot],
    after: &[StatsSnapshot],
    context: &Context,
) -> CheckResult {
    let rule = "calls sent = OK + failed + timed out, and per method the backends' OK count is the client's plus late completions (calls the client saw fail or time out that a backend completed OK)";
    let sent = log.calls.len() as u64;
    let (ok, failed, timed_out) = (log.ok(), log.failed(), log.timed_out());
    let mut result = CheckResult::new("accounting", rule, context)
        .measure("sent", sent as f64)
        .measure("ok", ok as f64)
        .measure("failed", failed as f64)
        .measure("timed out", timed_out as f64);
    if sent == 0 {
        return result.verdict(false, NO_CALLS);
    }
    if sent != ok + failed + timed_out {
        return result
            .verdict(false, format!("{sent} sent but {ok} + {failed} + {timed_out} accounted"));
    }
    for method in METHODS {
        let client = log.ok_of(method);
        let not_ok = log.count(|call| call.method == method && call.outcome != CallOutcome::Ok);
        let backends = backends_ok(before, after, method);
        result = result.measure(&format!("{} ok at backends", method.name()), backends as f64);
        if backends < client {
            return result.verdict(
                false,
                format!(
                    "{}: the client saw {client} OK, the backends completed only {backends} OK",
                    method.name()
                ),
            );
        }
        if backends - client > not_ok {
            return result.verdict(
                false,
                format!(
                    "{}: the backends completed {backends} OK, the client saw {client} OK and only {not_ok} calls end otherwise",
                    method.name()
                ),
            );
        }
    }
    let late = late_completions(log, before, after);
    result.measure("late completions", late as f64).verdict(
        true,
        format!(
            "every call is accounted for once; client and backends agree, {late} completed late"
        ),
    )
}
