//! Every `[expect]` of a scenario judged by its own rule over the calls
//! ([`crate::expect`]), in report order: the verdicts, and the checks this evidence cannot
//! judge, each with why.

use crate::check::CheckResult;
use crate::expect::{Calls, Judged};
use crate::report::NotJudgedReport;

/// What the rules made of a run's calls.
pub(super) struct Judgements {
    /// The verdicts, in report order.
    pub(super) checks: Vec<CheckResult>,
    /// The checks the calls cannot judge, and why.
    pub(super) not_judged: Vec<NotJudgedReport>,
    /// Whether a check is left to the run in process, after the load (`leak-free`).
    pub(super) by_the_run: bool,
}

/// Every rule of `calls.scenario`'s expectations over `calls`.
pub(super) fn judge(calls: &Calls<'_>) -> Judgements {
    let mut judged = Judgements { checks: Vec::new(), not_judged: Vec::new(), by_the_run: false };
    for (check, judgement) in calls.scenario.expect().judge(calls) {
        match judgement {
            Judged::Check(result) => judged.checks.push(result),
            Judged::Elsewhere(why) | Judged::Untold(why) => {
                judged.not_judged.push(NotJudgedReport { check: check.to_owned(), why });
            }
            Judged::ByTheRun => judged.by_the_run = true,
        }
    }
    judged
}
