//! [`Rule`]: one check a scenario's `[expect]` asks for, everything about it in one place: its
//! name, its judgement from the calls, its judgement from the backends' counters where they
//! can tell, and how it is written back as `[expect]` TOML. Its reader is its [`Reader`].

use super::calls::Calls;
use super::counters::Counters;
use super::judged::Judged;
use super::lines::ExpectLines;
use super::table::Table;
use crate::scenario::ScenarioError;
use std::any::Any;
use std::fmt::Debug;
use std::sync::Arc;

/// Why a check that needs the client's record of its calls is not judged from counters.
pub const CLIENT_SIDE: &str = "needs the client's record of each call (which failed, how, when, \
     how long it took); the backends count only the calls that reached them";

/// One check a scenario asks for, with its thresholds: the value its [`Reader`] reads from
/// `[expect]`.
pub trait Rule: Debug + Send + Sync + Any + SameRule {
    /// The check's name, as reports give it.
    fn name(&self) -> &'static str;

    /// Its verdicts over the client's calls (one a backend or bound it names, or one).
    fn judge(&self, calls: &Calls<'_>) -> Vec<Judged>;

    /// Its verdicts over what the backends counted; by default it needs the client's calls.
    fn judge_counters(&self, counters: &dyn Counters) -> Vec<Judged> {
        let _ = counters;
        vec![Judged::Elsewhere(CLIENT_SIDE.to_owned())]
    }

    /// Appends its `[expect]` lines (none for a check every run makes); a value no file can
    /// hold is refused through `toml` ([`ExpectLines::refuse`]), not rounded. Writers call
    /// [`Rule::append_to`].
    fn write(&self, toml: &mut ExpectLines);

    /// Appends its `[expect]` lines to `toml`, naming it in what `toml` refuses.
    fn append_to(&self, toml: &mut ExpectLines) {
        toml.writing(self.name());
        self.write(toml);
    }
}

/// Whether two rules are the same check with the same thresholds (for `PartialEq` on
/// [`Expectations`](crate::scenario::Expectations)); every `Rule + PartialEq` has it.
pub trait SameRule {
    /// `self == other`, when `other` is of the same type.
    fn same(&self, other: &dyn Any) -> bool;
}

impl<T: PartialEq + 'static> SameRule for T {
    fn same(&self, other: &dyn Any) -> bool {
        other.downcast_ref::<T>().is_some_and(|other| self == other)
    }
}

/// The rule a table asks for, if it does.
pub type Asked = Option<Arc<dyn Rule>>;

/// How a rule is read: its name, the `[expect]` keys it owns, and its reader, which gives the
/// rule when the table asks for it (with a located error for a bad value).
#[derive(Debug, Clone, Copy)]
pub struct Reader {
    /// The check's name, as reports give it.
    pub name: &'static str,
    /// The `[expect]` keys it reads.
    pub keys: &'static [&'static str],
    /// Reads them.
    pub read: fn(&Table<'_>) -> Result<Asked, ScenarioError>,
}
