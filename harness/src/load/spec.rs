//! [`LoadSpec`]: how much load, how fast, which methods, which deadline, which seed.

use super::limits;
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

    /// The most calls this load can make: `calls`; for a duration, `rate × duration` (open
    /// loop) or `concurrency × duration / 1 ms` (closed loop: a call that takes no time under
    /// the paused clock is followed by a 1 ms pause, [`limits::CLOSED_LOOP_STEP`]).
    pub fn most_calls(&self) -> u64 {
        match (self.until, self.pace) {
            (Until::Calls(calls), _) => calls,
            (Until::Elapsed(elapsed), Pace::Open { per_second }) => {
                saturating((per_second * elapsed.as_secs_f64()).ceil())
            }
            (Until::Elapsed(elapsed), Pace::Closed { concurrency }) => {
                let steps = elapsed.as_nanos().div_ceil(limits::CLOSED_LOOP_STEP.as_nanos());
                u64::try_from(steps).unwrap_or(u64::MAX).saturating_mul(concurrency as u64)
            }
        }
    }

    /// How long this load starts calls for, at most, when every call lasts its deadline: its
    /// duration; `calls / rate` (open loop); `calls / concurrency` deadlines one after the
    /// other (closed loop). Calls still in flight then take up to their deadline more.
    pub fn longest(&self) -> Duration {
        match (self.until, self.pace) {
            (Until::Elapsed(elapsed), _) => elapsed,
            (Until::Calls(calls), Pace::Open { per_second }) => {
                Duration::try_from_secs_f64(calls as f64 / per_second).unwrap_or(Duration::MAX)
            }
            (Until::Calls(calls), Pace::Closed { concurrency }) => {
                let rounds = calls.div_ceil(concurrency.max(1) as u64);
                self.deadline.saturating_mul(u32::try_from(rounds).unwrap_or(u32::MAX))
            }
        }
    }

    /// Checks every parameter against its range ([`limits`]), then the whole load: at most
    /// [`limits::MAX_CALLS`] calls ([`LoadSpec::most_calls`]) over at most
    /// [`limits::MAX_DURATION`] ([`LoadSpec::longest`]). The error names what is out of range.
    pub fn validate(&self) -> Result<()> {
        let invalid = |parameter, expected: String, got: String| {
            Err(Error::InvalidParameter { parameter, expected, got })
        };
        let hours = |d: Duration| {
            if d == limits::MAX_DURATION {
                limits::MAX_DURATION_TEXT.to_owned()
            } else {
                humantime::format_duration(d).to_string()
            }
        };
        match self.pace {
            Pace::Closed { concurrency }
                if !(1..=limits::MAX_CONCURRENCY).contains(&concurrency) =>
            {
                return invalid(
                    "concurrency",
                    format!("calls in flight in 1..={}", limits::MAX_CONCURRENCY),
                    concurrency.to_string(),
                );
            }
            Pace::Open { per_second }
                if !(limits::MIN_RATE..=limits::MAX_RATE).contains(&per_second) =>
            {
                return invalid(
                    "rate",
                    format!("calls per second in {}..={}", limits::MIN_RATE, limits::MAX_RATE),
                    per_second.to_string(),
                );
            }
            _ => {}
        }
        match self.until {
            Until::Calls(calls) if !(1..=limits::MAX_CALLS).contains(&calls) => {
                return invalid(
                    "calls",
                    format!("a number of calls in 1..={}", limits::MAX_CALLS),
                    calls.to_string(),
                );
            }
            Until::Elapsed(d) if d.is_zero() || d > limits::MAX_DURATION => {
                return invalid(
                    "duration",
                    format!("above zero, at most {}", hours(limits::MAX_DURATION)),
                    format!("{d:?}"),
                );
            }
            _ => {}
        }
        if self.deadline.is_zero() || self.deadline > limits::MAX_DURATION {
            return invalid(
                "deadline",
                format!("above zero, at most {}", hours(limits::MAX_DURATION)),
                format!("{:?}", self.deadline),
            );
        }
        let weights = [self.mix.create, self.mix.get, self.mix.watch];
        if weights.iter().all(|w| *w == 0) {
            return invalid(
                "mix",
                "at least one method with a weight above 0".into(),
                "all 0".into(),
            );
        }
        if let Some(heavy) = weights.iter().find(|w| **w > limits::MAX_WEIGHT) {
            return invalid(
                "mix",
                format!("weights in 0..={}", limits::MAX_WEIGHT),
                heavy.to_string(),
            );
        }
        let calls = self.most_calls();
        if calls > limits::MAX_CALLS {
            return invalid(
                "load",
                format!(
                    "at most {} calls (about {} bytes each)",
                    limits::MAX_CALLS,
                    limits::BYTES_PER_CALL
                ),
                format!("up to {calls} calls"),
            );
        }
        let longest = self.longest();
        if longest > limits::MAX_DURATION {
            return invalid(
                "load",
                format!(
                    "a load that ends within {}, every call lasting its deadline",
                    hours(limits::MAX_DURATION)
                ),
                format!("up to {}", hours(longest)),
            );
        }
        Ok(())
    }
}

/// A non-negative float as a count, saturating.
#[allow(clippy::cast_possible_truncation, reason = "saturated just above")]
fn saturating(value: f64) -> u64 {
    if value >= u64::MAX as f64 { u64::MAX } else { value as u64 }
}
