//! [`Space`]: the declared space that schedules are drawn from, every number in a documented
//! range ([`Space::validate`]).

use crate::error::{Error, Result};
use std::ops::RangeInclusive;
use std::time::Duration;

/// The fault kinds a schedule can draw, by name: every kind of the scenario format but
/// `blackhole-connect`, which runs in memory only (tonic's balancer is explored over TCP).
/// `stream-break` acts on `WatchOrders` calls, which a method mix draws.
pub const KINDS: [&str; 14] = [
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
    "terminate",
    "stream-break",
    "swizzle",
];

/// How the clients may hear of the announced set: `[discovery] via`.
pub const VIAS: [&str; 2] = ["stream", "dns"];
/// The load shapes: open loop (`rate`) or closed loop (`concurrency`).
pub const LOOPS: [&str; 2] = ["open", "closed"];
/// The methods a mix may call.
pub const METHODS: [&str; 3] = ["create", "get", "watch"];
/// The most clients a schedule may have.
pub const MAX_CLIENTS: usize = 8;
/// The range of a closed loop's calls in flight, all clients together.
pub const CONCURRENCIES: RangeInclusive<u32> = 1..=64;
/// The range of a DNS answer's TTL (CoreDNS's).
pub const TTLS: RangeInclusive<Duration> = Duration::ZERO..=Duration::from_secs(3600);
/// The range of a DNS client's floor between resolutions (the scenario format's).
pub const MIN_TTLS: RangeInclusive<Duration> =
    Duration::from_millis(100)..=Duration::from_secs(300);
/// The least latency a closed loop is given: under the paused clock a call that takes no
/// time is followed by a 1 ms pause, so a closed loop of N slots with no latency makes N
/// calls a millisecond.
pub const CLOSED_LATENCY: Duration = Duration::from_millis(5);

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
    /// How many clients, each with its own balancer, connections and discovery (within
    /// 1..=[`MAX_CLIENTS`]). Default 1..=3.
    pub clients: RangeInclusive<usize>,
    /// How many faults (within 0..=[`MAX_EVENTS`]). Default 0..=3.
    pub faults: RangeInclusive<usize>,
    /// How many discovery changes (within 0..=[`MAX_EVENTS`]). Default 0..=2.
    pub changes: RangeInclusive<usize>,
    /// The fault kinds drawn, names from [`KINDS`]; `swizzle` is FoundationDB's pattern, one
    /// generator among the others: a random subset of backends taken down one by one, then
    /// brought back in a random order. Default: all of them.
    pub kinds: Vec<&'static str>,
    /// Calls started per second by all clients together in an open loop (within [`RATES`]),
    /// split evenly (each client at least 1). Default 200..=200.
    pub rate: RangeInclusive<u32>,
    /// The load shapes drawn, names from [`LOOPS`]. Default both.
    pub loops: Vec<&'static str>,
    /// Calls in flight in a closed loop, all clients together (within [`CONCURRENCIES`]),
    /// split evenly (each client at least 1). Default 2..=6.
    pub concurrency: RangeInclusive<u32>,
    /// The methods a mix draws, names from [`METHODS`]; half the schedules call
    /// `CreateOrder` only when `create` is among them. Default all three.
    pub methods: Vec<&'static str>,
    /// Every backend's base latency (jitter up to as much again); an open loop has none half
    /// the time, a closed loop at least [`CLOSED_LATENCY`]. Twice its top below the
    /// deadline, so that no call outlives its deadline without a fault. Default 0 to 20 ms.
    pub latency: RangeInclusive<Duration>,
    /// How the clients hear of the announced set, names from [`VIAS`]. Default both.
    pub via: Vec<&'static str>,
    /// A DNS answer's TTL (within [`TTLS`]). Default 0 to 1 s.
    pub ttl: RangeInclusive<Duration>,
    /// A DNS client's floor between resolutions (within [`MIN_TTLS`]). Default 100 to 500 ms.
    pub min_ttl: RangeInclusive<Duration>,
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
            clients: 1..=3,
            faults: 0..=3,
            changes: 0..=2,
            kinds: KINDS.to_vec(),
            rate: 200..=200,
            loops: LOOPS.to_vec(),
            concurrency: 2..=6,
            methods: METHODS.to_vec(),
            latency: Duration::ZERO..=Duration::from_millis(20),
            via: VIAS.to_vec(),
            ttl: Duration::ZERO..=Duration::from_secs(1),
            min_ttl: Duration::from_millis(100)..=Duration::from_millis(500),
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
        self.validate_shape()?;
        Ok(())
    }

    /// Checks the dimensions beside faults and rate: clients, loops, methods, latency and
    /// discovery.
    fn validate_shape(&self) -> Result<()> {
        let invalid = |parameter: &'static str, expected: String, got: String| {
            Err(Error::InvalidParameter { parameter, expected, got })
        };
        let ms = |d: &Duration| format!("{}ms", d.as_millis());
        let span = |r: &RangeInclusive<Duration>| format!("{}..={}", ms(r.start()), ms(r.end()));
        if *self.clients.start() < 1 || *self.clients.end() > MAX_CLIENTS || self.clients.is_empty()
        {
            return invalid(
                "clients",
                format!("a range within 1..={MAX_CLIENTS}, low to high"),
                format!("{}..={}", self.clients.start(), self.clients.end()),
            );
        }
        for (parameter, names, known) in [
            ("loops", &self.loops, &LOOPS[..]),
            ("methods", &self.methods, &METHODS[..]),
            ("via", &self.via, &VIAS[..]),
        ] {
            if names.is_empty() {
                return invalid(
                    parameter,
                    format!("at least one of {}", known.join(", ")),
                    "none".into(),
                );
            }
            if let Some(unknown) = names.iter().find(|n| !known.contains(n)) {
                return invalid(
                    parameter,
                    format!("names among {}", known.join(", ")),
                    (*unknown).into(),
                );
            }
        }
        if *self.concurrency.start() < *CONCURRENCIES.start()
            || *self.concurrency.end() > *CONCURRENCIES.end()
            || self.concurrency.is_empty()
        {
            return invalid(
                "concurrency",
                format!(
                    "a range of calls in flight within {}..={}",
                    CONCURRENCIES.start(),
                    CONCURRENCIES.end()
                ),
                format!("{}..={}", self.concurrency.start(), self.concurrency.end()),
            );
        }
        let whole = |r: &RangeInclusive<Duration>| {
            r.start().subsec_nanos().is_multiple_of(1_000_000)
                && r.end().subsec_nanos().is_multiple_of(1_000_000)
        };
        for (parameter, range, within, text) in [
            ("ttl", &self.ttl, &TTLS, "0s to 1h"),
            ("min-ttl", &self.min_ttl, &MIN_TTLS, "100ms to 300s"),
        ] {
            if !within.contains(range.start())
                || !within.contains(range.end())
                || range.is_empty()
                || !whole(range)
            {
                return invalid(
                    parameter,
                    format!("a range of whole milliseconds within {text}, low to high"),
                    span(range),
                );
            }
        }
        // base + jitter (at most base again) under the deadline: latency alone times no call out.
        if self.latency.is_empty()
            || !whole(&self.latency)
            || *self.latency.end() * 2 >= self.deadline
        {
            return invalid(
                "latency",
                format!(
                    "a range of whole milliseconds, twice its top below the deadline ({})",
                    ms(&self.deadline)
                ),
                span(&self.latency),
            );
        }
        if self.loops.contains(&"closed") {
            if *self.latency.end() < CLOSED_LATENCY {
                return invalid(
                    "latency",
                    format!("a top of at least {} for a closed loop", ms(&CLOSED_LATENCY)),
                    span(&self.latency),
                );
            }
            // The scenario format's bound: concurrency × duration / 1 ms, all clients together.
            let millis = u64::try_from(self.duration.as_millis()).unwrap_or(u64::MAX);
            let most = u64::from(*self.concurrency.end()).saturating_mul(millis);
            if most > 1_000_000 {
                return invalid(
                    "concurrency",
                    "at most 1,000,000 calls in a closed loop (concurrency × duration / 1 ms)"
                        .into(),
                    format!(
                        "{} in flight for {:?}, {most} calls",
                        self.concurrency.end(),
                        self.duration
                    ),
                );
            }
        }
        Ok(())
    }
}
