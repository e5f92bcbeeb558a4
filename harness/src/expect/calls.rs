//! [`Calls`]: the evidence a run gives its checks, the client's record of each call beside the
//! fault windows and the backends' counters before and after.

use crate::check::Context;
use crate::fault::FaultWindow;
use crate::load::CallLog;
use crate::record::StatsSnapshot;
use crate::scenario::Scenario;

/// Where the calls come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A run in process: the runner's own recorder and the backends' counters are at hand.
    InProcess,
    /// Call records made elsewhere (`jostle judge`, serve's `--calls`); `counters` says
    /// whether the backends' connection counts come with them.
    Records {
        /// The backends' counters of connections accepted are given.
        counters: bool,
    },
}

/// What a run is judged on.
#[derive(Debug, Clone, Copy)]
pub struct Calls<'a> {
    /// The story played.
    pub scenario: &'a Scenario,
    /// Every fault window of the run, times since the cluster's start.
    pub windows: &'a [FaultWindow],
    /// The client's record of each call.
    pub log: &'a CallLog,
    /// The backends' names, by index.
    pub names: &'a [String],
    /// The backends' counters before the load.
    pub before: &'a [StatsSnapshot],
    /// And after it.
    pub after: &'a [StatsSnapshot],
    /// What every verdict prints beside it (histogram, seed, replay).
    pub context: &'a Context,
    /// Where the calls come from.
    pub origin: Origin,
}
