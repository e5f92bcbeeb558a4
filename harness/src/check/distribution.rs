//! Distribution: an exact cycle for round robin; a chi-square test for random and weighted
//! policies, at a sample size derived from the false-failure rate and the skew to detect.

use super::stats::{self, DistributionSpec};
use super::{CheckResult, Context, NO_CALLS};
use crate::load::{CallLog, CallOutcome};

/// The OK calls, in start order, as backend indices into `backends`.
fn sequence(log: &CallLog, backends: &[String]) -> Vec<usize> {
    let mut calls: Vec<_> =
        log.calls.iter().filter(|call| call.outcome == CallOutcome::Ok).collect();
    calls.sort_by_key(|call| (call.start, call.index));
    calls
        .iter()
        .filter_map(|call| {
            call.backend.as_ref().and_then(|b| backends.iter().position(|known| known == b))
        })
        .collect()
}

/// The OK calls rotate through `backends` in order, one each in turn (any starting point).
/// Meant for one call at a time.
pub fn exact_cycle(log: &CallLog, backends: &[String], context: &Context) -> CheckResult {
    let rule = format!("calls rotate through the {} backends one by one, in order", backends.len());
    let served = sequence(log, backends);
    let result =
        CheckResult::new("distribution", rule, context).measure("calls", served.len() as f64);
    if served.is_empty() {
        return result.verdict(false, NO_CALLS);
    }
    match stats::exact_cycle(&served, backends.len()) {
        Ok(()) => result.verdict(true, "an exact cycle"),
        Err(broken) => result.measure("break at", broken.at as f64).verdict(
            false,
            format!(
                "call {} went to {} where the cycle expected {}",
                broken.at,
                backends.get(broken.got).map_or("?", String::as_str),
                backends.get(broken.expected).map_or("?", String::as_str)
            ),
        ),
    }
}

/// The OK calls split over `backends` as `expected` (shares summing to 1): a chi-square test
/// at `spec.false_failure`, on at least the sample size `spec` derives (fewer calls fail the
/// check: an underpowered test proves nothing).
pub fn shares(
    log: &CallLog,
    backends: &[String],
    expected: &[f64],
    spec: &DistributionSpec,
    context: &Context,
) -> CheckResult {
    let rule = format!(
        "calls split as {expected:.3?} (chi-square, false-failure rate {:e}, detects a {:.0}% skew with power {})",
        spec.false_failure,
        spec.min_skew * 100.0,
        spec.power
    );
    let mut observed = vec![0_u64; backends.len()];
    for index in sequence(log, backends) {
        observed[index] += 1;
    }
    let total: u64 = observed.iter().sum();
    let result = CheckResult::new("distribution", rule, context).measure("calls", total as f64);
    if total == 0 {
        return result.verdict(false, NO_CALLS);
    }
    let needed = match spec.sample_size(expected) {
        Ok(size) => size.calls,
        Err(error) => return result.verdict(false, format!("no sample size: {error}")),
    };
    let result = result.measure("needed", needed as f64);
    if total < needed {
        return result
            .verdict(false, format!("{total} calls, {needed} needed for the stated power"));
    }
    match stats::chi_square(&observed, expected) {
        Ok(test) => {
            let result = result.measure("chi-square", test.statistic).measure("p", test.p_value);
            if test.p_value > spec.false_failure {
                result.verdict(true, format!("p = {:.3e} over {total} calls", test.p_value))
            } else {
                result.verdict(
                    false,
                    format!(
                        "p = {:.3e}: the split {observed:?} is not {expected:.3?}",
                        test.p_value
                    ),
                )
            }
        }
        Err(error) => result.verdict(false, format!("no test: {error}")),
    }
}
