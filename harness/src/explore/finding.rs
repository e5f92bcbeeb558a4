//! [`Finding`]: the first schedule to break an invariant, shrunk (within the runs and the time
//! the exploration allows) and written as a scenario file that tells the story of the flaw.

use super::schedule::Schedule;
use serde::{Deserialize, Serialize};

/// One invariant broken, with the schedule that broke it cut down to a scenario file. Reads as
/// its [`Broken`] (`finding.seed`, `finding.shrunk`), which is all the JSON shows of it.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// What broke and how far it shrank.
    #[serde(flatten)]
    pub broken: Broken,
    /// The schedule as drawn.
    #[serde(skip)]
    pub original: Schedule,
    /// The schedule shrunk.
    #[serde(skip)]
    pub schedule: Schedule,
    /// The scenario file of the shrunk schedule: a story of the flaw, with its origin.
    #[serde(skip)]
    pub file: String,
}

impl std::ops::Deref for Finding {
    type Target = Broken;

    fn deref(&self) -> &Broken {
        &self.broken
    }
}

/// What a finding says: the invariant, the seed that first broke it, and the schedule's size
/// drawn and shrunk. One home for a finding's fields, in a [`Finding`] and in a
/// [`FindingSummary`](super::FindingSummary) (which adds its file) alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Broken {
    /// The invariant (the check's name).
    pub invariant: String,
    /// The seed of the schedule that first broke it.
    pub seed: u64,
    /// What the check said on the shrunk schedule.
    pub explanation: String,
    /// The schedule's size as drawn.
    pub found: Size,
    /// Its size shrunk.
    pub shrunk: Size,
    /// How many runs shrinking took.
    pub shrink_runs: usize,
    /// Whether the time ran out during the shrink: `shrunk` is the smallest schedule found
    /// until then, not the end of the shrink.
    pub cut_short: bool,
}

/// How big a schedule is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Size {
    /// Backends.
    pub backends: usize,
    /// Faults.
    pub faults: usize,
    /// Discovery changes.
    pub changes: usize,
    /// Calls per second.
    pub rate: u32,
    /// Load duration, ms.
    pub duration_ms: u64,
    /// Its scenario file, bytes.
    pub bytes: usize,
}
