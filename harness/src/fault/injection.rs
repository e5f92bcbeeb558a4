//! [`Injection`]: a fault, the backends it targets, when it starts and how long it lasts.

use super::Fault;
use std::time::Duration;

/// The backends an injection targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backends {
    /// One backend, by index.
    One(usize),
    /// Several backends, by index.
    Many(Vec<usize>),
    /// Every backend of the cluster.
    All,
}

impl From<usize> for Backends {
    fn from(index: usize) -> Self {
        Backends::One(index)
    }
}

impl From<Vec<usize>> for Backends {
    fn from(indices: Vec<usize>) -> Self {
        Backends::Many(indices)
    }
}

/// A fault on a timeline: what, on which backends, from when, for how long.
///
/// ```
/// use jostle_harness::fault::{Backends, Fault};
/// use std::time::Duration;
///
/// let slow = Fault::delay(Duration::from_millis(300))
///     .on(Backends::All)
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
    pub target: Backends,
    /// Since the cluster started; `None` for now.
    pub at: Option<Duration>,
    /// How long it holds; `None` until healed. Not for one-shot faults (drain, restart).
    pub lasting: Option<Duration>,
}

impl Fault {
    /// This fault on `target`, now, until healed.
    pub fn on(self, target: impl Into<Backends>) -> Injection {
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
