//! [`Injection`]: a fault, the backends it targets, when it starts and how long it lasts.

use super::Fault;
use std::time::Duration;

/// The backends an injection targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// One backend, by index.
    Backend(usize),
    /// Several backends, by index.
    Backends(Vec<usize>),
    /// Every backend of the cluster.
    All,
}

impl From<usize> for Target {
    fn from(index: usize) -> Self {
        Target::Backend(index)
    }
}

impl From<Vec<usize>> for Target {
    fn from(indices: Vec<usize>) -> Self {
        Target::Backends(indices)
    }
}

/// A fault on a timeline: what, on which backends, from when, for how long.
///
/// ```
/// use jostle_harness::fault::{Fault, Target};
/// use std::time::Duration;
///
/// let slow = Fault::delay(Duration::from_millis(300))
///     .on(Target::All)
///     .at(Duration::from_secs(2))
///     .lasting(Duration::from_secs(5));
/// assert_eq!(slow.at, Some(Duration::from_secs(2)));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct Injection {
    /// The fault.
    pub fault: Fault,
    /// The backends.
    pub target: Target,
    /// Since the cluster started; `None` for now.
    pub at: Option<Duration>,
    /// How long it holds; `None` until healed. Not for one-shot faults (drain, restart).
    pub lasting: Option<Duration>,
}

impl Fault {
    /// This fault on `target`, now, until healed.
    pub fn on(self, target: impl Into<Target>) -> Injection {
        Injection { fault: self, target: target.into(), at: None, lasting: None }
    }
}

impl Injection {
    /// Starts at `at` since the cluster started.
    pub fn at(mut self, at: Duration) -> Self {
        self.at = Some(at);
        self
    }

    /// Holds for `lasting`, then heals by itself.
    pub fn lasting(mut self, lasting: Duration) -> Self {
        self.lasting = Some(lasting);
        self
    }
}
