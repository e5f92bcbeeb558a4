//! [`LoadSpec`]: how much load, how fast, which methods, which deadline, which seed.

use crate::error::{Error, Result};
use std::time::Duration;

/// How calls are paced.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pace {
    /// A fixed number of calls in flight: each worker starts its next call when one ends. A
    /// call that took no time at all (in memory under the paused clock) is followed by a 1 ms
    /// pause when the load is bounded by a duration or the call failed: otherwise the paused
    /// clock would never move and the load never end.
    Closed {
        /// Calls in flight; at least 1.
        concurrency: usize,
    },
    /// A fixed rate of call starts, whatever the answers do.
    Open {
        /// Calls started per second; above 0.
        per_second: f64,
    },
}

/// When the load stops starting calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// After this many calls; at least 1.
    Calls(u64),
    /// After this long (calls in flight then still finish).
    Elapsed(Duration),
}

/// Relative weights of the methods; each call's method is drawn from the seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mix {
    /// `CreateOrder`.
    pub create: u32,
    /// `GetOrder` of an order this load created earlier (on whichever backend served it: on
    /// another replica it is `NOT_FOUND`, as replicas do not share state).
    pub get: u32,
    /// `WatchOrders` without follow: a server stream of the orders the backend holds, ending.
    pub watch: u32,
}

impl Default for Mix {
    /// `CreateOrder` only.
    fn default() -> Self {
        Self { create: 1, get: 0, watch: 0 }
    }
}

/// The whole load.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadSpec {
    /// How calls are paced.
    pub pace: Pace,
    /// When to stop.
    pub until: Until,
    /// Each call's deadline, sent as `grpc-timeout`: the channel under test must enforce it.
    /// The driver abandons a call only at twice the deadline plus 1 s, so that a channel that
    /// ignores deadlines shows in the timeout check instead of hanging the load.
    pub deadline: Duration,
    /// Which methods.
    pub mix: Mix,
    /// The seed of the method draws.
    pub seed: u64,
}

impl LoadSpec {
    /// `calls` `CreateOrder` calls, `concurrency` at a time, a 1 s deadline, seed 0.
    pub fn closed(concurrency: usize, calls: u64) -> Self {
        Self {
            pace: Pace::Closed { concurrency },
            until: Until::Calls(calls),
            deadline: Duration::from_secs(1),
            mix: Mix::default(),
            seed: 0,
        }
    }

    /// `per_second` `CreateOrder` calls started per second for `elapsed`, a 1 s deadline.
    pub fn open(per_second: f64, elapsed: Duration) -> Self {
        Self {
            pace: Pace::Open { per_second },
            until: Until::Elapsed(elapsed),
            deadline: Duration::from_secs(1),
            mix: Mix::default(),
            seed: 0,
        }
    }

    /// The same load with another deadline.
    #[must_use]
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// The same load with another seed.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The same load with another mix.
    #[must_use]
    pub fn mix(mut self, mix: Mix) -> Self {
        self.mix = mix;
        self
    }

    /// Checks every parameter; the error names the one out of range.
    pub fn validate(&self) -> Result<()> {
        let invalid = |parameter, expected: &str, got: String| {
            Err(Error::InvalidParameter { parameter, expected: expected.into(), got })
        };
        match self.pace {
            Pace::Closed { concurrency: 0 } => {
                return invalid("concurrency", "at least 1", "0".into());
            }
            Pace::Open { per_second } if !(per_second.is_finite() && per_second > 0.0) => {
                return invalid("rate", "calls per second above 0", per_second.to_string());
            }
            _ => {}
        }
        match self.until {
            Until::Calls(0) => return invalid("calls", "at least 1", "0".into()),
            Until::Elapsed(d) if d.is_zero() => {
                return invalid("duration", "above zero", "0s".into());
            }
            _ => {}
        }
        if self.deadline.is_zero() {
            return invalid("deadline", "above zero", "0s".into());
        }
        if self.mix.create + self.mix.get + self.mix.watch == 0 {
            return invalid("mix", "at least one method with a weight above 0", "all 0".into());
        }
        Ok(())
    }
}
