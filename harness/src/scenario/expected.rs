//! [`Expected`]: what a story expects of its own checks, `[expect] outcome`.

use std::fmt;

/// What a story expects of its own checks: `[expect] outcome`.
///
/// A story that shows a balancer's flaw expects [`Expected::Fail`] and names the checks its
/// flaw makes fail (`[expect] fails`); whether a run is as expected is
/// [`Expectations::is_met_by`](super::Expectations::is_met_by).
///
/// ```
/// use jostle_harness::scenario::Expected;
///
/// assert_eq!(Expected::default(), Expected::Pass);
/// assert_eq!(Expected::Fail.name(), "fail");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Expected {
    /// Every check holds (the default).
    #[default]
    Pass,
    /// Exactly the checks the story names fail: it demonstrates a flaw.
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
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
