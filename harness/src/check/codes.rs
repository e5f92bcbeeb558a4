//! Codes: the calls that fail, fail only with the status codes a story allows.

use super::{CheckResult, Context, NO_CALLS};
use crate::load::{CallLog, CallOutcome};
use std::collections::BTreeMap;
use tonic::Code;

/// Every failed call's status code, as the client saw it (a call that ended at its deadline
/// counts as `DeadlineExceeded`), is one of `allowed`.
pub fn codes(log: &CallLog, allowed: &[Code], context: &Context) -> CheckResult {
    let names: Vec<String> = allowed.iter().map(|code| format!("{code:?}")).collect();
    let rule = format!("calls fail only with {}", names.join(", "));
    let mut other: BTreeMap<String, (u64, std::time::Duration)> = BTreeMap::new();
    let mut failed = 0u64;
    for call in &log.calls {
        let code = match call.outcome {
            CallOutcome::Ok => continue,
            CallOutcome::Failed(code) => code,
            CallOutcome::TimedOut => Code::DeadlineExceeded,
        };
        failed += 1;
        if !allowed.contains(&code) {
            other.entry(format!("{code:?}")).or_insert((0, call.start)).0 += 1;
        }
    }
    let outside: u64 = other.values().map(|(count, _)| count).sum();
    let result = CheckResult::new("codes", rule, context)
        .measure("failed calls", failed as f64)
        .measure("failed with another code", outside as f64);
    if log.calls.is_empty() {
        return result.verdict(false, NO_CALLS.to_owned());
    }
    if failed == 0 {
        let calls = log.calls.len();
        return result.verdict(
            true,
            format!("no call failed: all {calls} were OK, so no code was seen to check"),
        );
    }
    if other.is_empty() {
        return result.verdict(true, format!("{failed} calls failed, each with an allowed code"));
    }
    let found: Vec<String> = other
        .iter()
        .map(|(code, (count, first))| format!("{code} {count} (first started at {first:?})"))
        .collect();
    result.verdict(
        false,
        format!("{outside} of {failed} failed calls had another code: {}", found.join(", ")),
    )
}

#[cfg(test)]
mod tests {
    use super::codes;
    use crate::check::Context;
    use crate::load::{CallLog, CallOutcome, CallRecord, Method};
    use std::time::Duration;
    use tonic::Code;

    fn log(outcomes: &[CallOutcome]) -> CallLog {
        let calls = outcomes
            .iter()
            .enumerate()
            .map(|(index, &outcome)| CallRecord {
                index: index as u64,
                method: Method::CreateOrder,
                start: Duration::from_millis(index as u64),
                end: Duration::from_millis(index as u64 + 1),
                outcome,
                backend: None,
                client: 0,
            })
            .collect();
        CallLog { calls, seed: 0 }
    }

    #[test]
    fn a_call_failing_with_a_code_not_allowed_fails_the_check_and_is_named() {
        let allowed = [Code::Unavailable, Code::DeadlineExceeded];
        let fine =
            log(&[CallOutcome::Ok, CallOutcome::Failed(Code::Unavailable), CallOutcome::TimedOut]);
        assert!(
            codes(&fine, &allowed, &Context::default()).passed,
            "Unavailable and a deadline are allowed"
        );
        let bad =
            log(&[CallOutcome::Failed(Code::Internal), CallOutcome::Failed(Code::Unavailable)]);
        let result = codes(&bad, &allowed, &Context::default());
        assert!(!result.passed, "Internal is not allowed");
        assert!(
            result.explanation.contains("Internal 1 (first started at 0ns)"),
            "{}",
            result.explanation
        );
        let deadline =
            codes(&log(&[CallOutcome::TimedOut]), &[Code::Unavailable], &Context::default());
        assert!(!deadline.passed, "a call at its deadline is DeadlineExceeded, not allowed here");
    }

    #[test]
    fn codes_with_no_failed_call_pass_and_say_no_code_was_seen() {
        let result = codes(
            &log(&[CallOutcome::Ok, CallOutcome::Ok]),
            &[Code::Unavailable],
            &Context::default(),
        );
        assert!(result.passed, "no call failed with a code not allowed");
        assert_eq!(
            result.explanation, "no call failed: all 2 were OK, so no code was seen to check",
            "a pass on no failure must say that no code was seen"
        );
    }

    #[test]
    fn codes_over_zero_calls_fail() {
        assert!(!codes(&CallLog::default(), &[Code::Unavailable], &Context::default()).passed);
    }
}
