//! [`Expected`]: what a story expects of its own checks, `[expect] outcome`.

use std::fmt;

/// What a story expects of its own checks: `[expect] outcome`.
///
/// A story that shows a balancer's flaw expects [`Expected::Fail`]: its run is as expected
/// only while the flaw is there (at least one check fails). Strict: if every check holds,
/// the flaw is gone and the run is not as expected, so the story must be updated.
///
/// ```
/// use jostle_harness::scenario::Expected;
///
/// assert!(Expected::Pass.is_met_by(true));
/// assert!(Expected::Fail.is_met_by(false), "a failed check shows the flaw");
/// assert!(!Expected::Fail.is_met_by(true), "every check held: the flaw is gone");
/// assert_eq!(Expected::default().name(), "pass");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Expected {
    /// Every check holds (the default).
    #[default]
    Pass,
    /// At least one check fails: the story demonstrates a flaw.
    Fail,
}

impl Expected {
    /// Both outcomes, in the order error messages list them.
    pub const ALL: [Expected; 2] = [Expected::Pass, Expected::Fail];

    /// `pass` or `fail`, as the file writes it and the report shows it.
    pub fn name(self) -> &'static str {
        match self {
            Expected::Pass => "pass",
            Expected::Fail => "fail",
        }
    }

    /// Whether a run whose checks all held (`passed`) or not is what this outcome expects.
    pub fn is_met_by(self, passed: bool) -> bool {
        passed == (self == Expected::Pass)
    }
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
