//! The accounting invariant: nothing lost, nothing counted twice.

use super::{CheckResult, Context, NO_CALLS};
use crate::load::{CallLog, Method};
use crate::record::StatsSnapshot;

/// Calls sent = succeeded + failed + timed out, and for every method the calls the backends
/// completed OK (counted by the backends themselves, `after` minus `before`) equal the client's
/// successes.
pub fn accounting(
    log: &CallLog,
    before: &[StatsSnapshot],
    after: &[StatsSnapshot],
    context: &Context,
) -> CheckResult {
    let rule = "calls sent = OK + failed + timed out, and the backends' OK count equals the client's, per method";
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
    for method in [Method::CreateOrder, Method::GetOrder, Method::WatchOrders] {
        let client = log.ok_of(method);
        let backends: u64 =
            before.iter().zip(after).map(|(b, a)| a.ok(method.name()) - b.ok(method.name())).sum();
        result = result.measure(&format!("{} ok at backends", method.name()), backends as f64);
        if client != backends {
            return result.verdict(
                false,
                format!(
                    "{}: the client saw {client} OK, the backends completed {backends} OK",
                    method.name()
                ),
            );
        }
    }
    result.verdict(true, "every call is accounted for once, and client and backends agree")
}
