//! [`Judged`]: what a rule made of one kind of evidence.

use crate::check::CheckResult;

/// What a rule made of one kind of evidence, for one of the things it judges.
#[derive(Debug, Clone)]
pub enum Judged {
    /// A verdict.
    Check(CheckResult),
    /// This kind of evidence cannot judge it: the other side's is needed, and why.
    Elsewhere(String),
    /// This kind of evidence can, but this run's does not tell, and why.
    Untold(String),
    /// Judged by the run in process itself, after the load (`leak-free`: the client's tasks
    /// and sockets), not from its calls.
    ByTheRun,
}
