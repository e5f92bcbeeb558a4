//! [`Space`]: the declared space that schedules are drawn from, every number in a documented
//! range ([`Space::validate`]).

use crate::error::{Error, Result};
use std::ops::RangeInclusive;
use std::time::Duration;

/// The fault kinds a schedule can draw, by name. `blackhole-connect` (in memory only) and
/// `stream-break` (server streams only; schedules make unary calls) are left out.
pub const KINDS: [&str; 12] = [
    "restart",
    "flap",
    "drain",
    "refuse",
    "reset",
    "blackhole",
    "hang",
    "delay",
    "connect-delay",
    "connection-age",
    "status",
    "swizzle",
];

/// The most backends a schedule may have.
pub const MAX_BACKENDS: usize = 16;
/// The most faults, or discovery changes, a schedule may have.
pub const MAX_EVENTS: usize = 16;
/// The range of a schedule's rate, calls per second.
pub const RATES: RangeInclusive<u32> = 1..=5000;
/// The range of a schedule's load duration.
pub const DURATIONS: RangeInclusive<Duration> = Duration::from_secs(1)..=Duration::from_secs(600);
/// The range of a call's deadline.
pub const DEADLINES: RangeInclusive<Duration> = Duration::from_millis(10)..=Duration::from_secs(10);

/// What schedules are drawn from. Every range is inclusive; [`Space::validate`] gives each
/// its bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct Space {
    /// How many backends (within 1..=[`MAX_BACKENDS`]). Default 2..=5.
    pub backends: RangeInclusive<usize>,
    /// How many faults (within 0..=[`MAX_EVENTS`]). Default 0..=3.
    pub faults: RangeInclusive<usize>,
    /// How many discovery changes (within 0..=[`MAX_EVENTS`]). Default 0..=2.
    pub changes: RangeInclusive<usize>,
    /// The fault kinds drawn, names from [`KINDS`]; `swizzle` is FoundationDB's pattern, one
    /// generator among the others: a random subset of backends taken down one by one, then
    /// brought back in a random order. Default: all of them.
    pub kinds: Vec<&'static str>,
    /// Calls started per second (within [`RATES`]). Default 200..=200.
    pub rate: RangeInclusive<u32>,
    /// How long calls are started (within [`DURATIONS`]). Default 5 s. Faults and discovery
    /// changes fall in its first half and end by 60 % of it; the rest is quiet, to judge the
    /// balancer settled.
    pub duration: Duration,
    /// Each call's deadline (within [`DEADLINES`]). Default 250 ms.
    pub deadline: Duration,
}

impl Default for Space {
    fn default() -> Self {
        Self {
            backends: 2..=5,
            faults: 0..=3,
            changes: 0..=2,
            kinds: KINDS.to_vec(),
            rate: 200..=200,
            duration: Duration::from_secs(5),
            deadline: Duration::from_millis(250),
        }
    }
}

impl Space {
    /// Checks every range.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] naming the first parameter out of its range.
    pub fn validate(&self) -> Result<()> {
        let invalid = |parameter: &'static str, expected: String, got: String| {
            Err(Error::InvalidParameter { parameter, expected, got })
        };
        let range = |r: &RangeInclusive<usize>| format!("{}..={}", r.start(), r.end());
        if *self.backends.start() < 1
            || *self.backends.end() > MAX_BACKENDS
            || self.backends.is_empty()
        {
            return invalid(
                "backends",
                format!("a range within 1..={MAX_BACKENDS}, low to high"),
                range(&self.backends),
            );
        }
        for (parameter, r) in [("faults", &self.faults), ("changes", &self.changes)] {
            if *r.end() > MAX_EVENTS || r.is_empty() {
                return invalid(
                    parameter,
                    format!("a range within 0..={MAX_EVENTS}, low to high"),
                    range(r),
                );
            }
        }
        if self.kinds.is_empty() && *self.faults.end() > 0 {
            return invalid(
                "kinds",
                format!("at least one of {}", KINDS.join(", ")),
                "none".into(),
            );
        }
        if let Some(unknown) = self.kinds.iter().find(|k| !KINDS.contains(k)) {
            return invalid(
                "kinds",
                format!("names among {}", KINDS.join(", ")),
                (*unknown).into(),
            );
        }
        if *self.rate.start() < *RATES.start()
            || *self.rate.end() > *RATES.end()
            || self.rate.is_empty()
        {
            return invalid(
                "rate",
                format!("a range of calls per second within {}..={}", RATES.start(), RATES.end()),
                format!("{}..={}", self.rate.start(), self.rate.end()),
            );
        }
        if !DURATIONS.contains(&self.duration) {
            return invalid("duration", "1s to 600s".into(), format!("{:?}", self.duration));
        }
        if !DEADLINES.contains(&self.deadline) {
            return invalid("deadline", "10ms to 10s".into(), format!("{:?}", self.deadline));
        }
        for (parameter, d) in [("duration", self.duration), ("deadline", self.deadline)] {
            if d.subsec_nanos() % 1_000_000 != 0 {
                return invalid(parameter, "whole milliseconds".into(), format!("{d:?}"));
            }
        }
        // Whole milliseconds (checked above): the most calls the fastest rate starts.
        let millis = u64::try_from(self.duration.as_millis()).unwrap_or(u64::MAX);
        let most = u64::from(*self.rate.end()).saturating_mul(millis).div_ceil(1000);
        if most > 1_000_000 {
            return invalid(
                "rate",
                "at most 1,000,000 calls in a schedule (rate × duration)".into(),
                format!("{} calls/s for {:?}, {most} calls", self.rate.end(), self.duration),
            );
        }
        Ok(())
    }
}
