//! The flags of `jostle explore` that declare its space (docs/EXPLORE.md): one per dimension,
//! each checked before any schedule runs, an error naming the flag.

use jostle_harness::explore::{KINDS, LOOPS, METHODS, Space, VIAS};
use std::ops::RangeInclusive;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub(crate) struct SpaceArgs {
    /// Backends per schedule, `N` or `A..=B` within 1..=16.
    #[arg(long, value_name = "A..=B", value_parser = counts, default_value = "2..=5")]
    backends: RangeInclusive<u64>,
    /// Clients per schedule, each with its own balancer, connections and discovery, `N` or
    /// `A..=B` within 1..=8.
    #[arg(long, value_name = "A..=B", value_parser = counts, default_value = "1..=3")]
    clients: RangeInclusive<u64>,
    /// Faults per schedule, `N` or `A..=B` within 0..=16 (a swizzle counts each backend it
    /// takes down).
    #[arg(long, value_name = "A..=B", value_parser = counts, default_value = "0..=3")]
    faults: RangeInclusive<u64>,
    /// Discovery changes per schedule, `N` or `A..=B` within 0..=16.
    #[arg(long, value_name = "A..=B", value_parser = counts, default_value = "0..=2")]
    changes: RangeInclusive<u64>,
    /// The fault kinds drawn, comma-separated (default all): restart, flap, drain, refuse,
    /// reset, blackhole, hang, delay, connect-delay, connection-age, status, terminate,
    /// stream-break, swizzle.
    #[arg(long, value_name = "KIND,...", value_delimiter = ',')]
    kinds: Vec<String>,
    /// Calls per second of an open loop, all clients together, `N` or `A..=B` within 1..=5000.
    #[arg(long, value_name = "A..=B", value_parser = counts, default_value = "200")]
    rate: RangeInclusive<u64>,
    /// The load shapes drawn, comma-separated: open (a rate), closed (calls in flight).
    /// Default both.
    #[arg(long, value_name = "LOOP,...", value_delimiter = ',')]
    loops: Vec<String>,
    /// Calls in flight in a closed loop, all clients together, `N` or `A..=B` within 1..=64.
    /// Default 2..=6, capped so that concurrency × duration / 1 ms stays within 1,000,000.
    #[arg(long, value_name = "A..=B", value_parser = counts)]
    concurrency: Option<RangeInclusive<u64>>,
    /// The methods a mix draws, comma-separated: create, get, watch (a stream, which
    /// stream-break acts on). Default all three.
    #[arg(long, value_name = "METHOD,...", value_delimiter = ',')]
    methods: Vec<String>,
    /// Every backend's base latency (jitter up to as much again), `D` or `A..=B` in whole
    /// milliseconds, twice its top below --deadline; a closed loop needs a top of 5ms at least.
    #[arg(long, value_name = "A..=B", value_parser = durations, default_value = "0ms..=20ms")]
    latency: RangeInclusive<Duration>,
    /// How the clients hear of the backends, comma-separated: stream (pushed), dns (resolved
    /// again after a TTL). Default both.
    #[arg(long, value_name = "VIA,...", value_delimiter = ',')]
    via: Vec<String>,
    /// A DNS answer's TTL, `D` or `A..=B` within 0s..=1h, whole milliseconds.
    #[arg(long, value_name = "A..=B", value_parser = durations, default_value = "0ms..=1s")]
    ttl: RangeInclusive<Duration>,
    /// A DNS client's floor between resolutions, `D` or `A..=B` within 100ms..=300s, whole
    /// milliseconds.
    #[arg(long, value_name = "A..=B", value_parser = durations, default_value = "100ms..=500ms")]
    min_ttl: RangeInclusive<Duration>,
    /// How long each schedule starts calls (1s to 600s, whole milliseconds).
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration, default_value = "5s")]
    duration: Duration,
    /// Each call's deadline (10ms to 10s, whole milliseconds).
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration, default_value = "250ms")]
    deadline: Duration,
}

/// `N` or `A..=B`.
fn counts(text: &str) -> Result<RangeInclusive<u64>, String> {
    let expected = "a number N or a range A..=B (both included), e.g. 2..=5";
    let number = |t: &str| {
        t.parse::<u64>().map_err(|_| format!("`{t}` is not a number; expected {expected}"))
    };
    range(text, expected, number)
}

/// `D` or `A..=B`, durations as humantime writes them (`250ms`, `1s`).
fn durations(text: &str) -> Result<RangeInclusive<Duration>, String> {
    let expected = "a duration D or a range A..=B (both included), e.g. 0ms..=20ms";
    let duration = |t: &str| {
        humantime::parse_duration(t)
            .map_err(|error| format!("`{t}` is not a duration ({error}); expected {expected}"))
    };
    range(text, expected, duration)
}

fn range<T: PartialOrd + Clone + std::fmt::Debug>(
    text: &str,
    expected: &str,
    one: impl Fn(&str) -> Result<T, String>,
) -> Result<RangeInclusive<T>, String> {
    match text.split_once("..=") {
        None if text.contains("..") => Err(format!("expected {expected} (with `..=`)")),
        None => one(text).map(|n| n.clone()..=n),
        Some((a, b)) => {
            let (a, b) = (one(a)?, one(b)?);
            if b < a {
                return Err(format!("the range `{text}` is empty; expected {expected}"));
            }
            Ok(a..=b)
        }
    }
}

/// `given` as names among `known`, for `flag`; `known` when none is given.
fn names(
    flag: &str,
    given: &[String],
    known: &[&'static str],
) -> Result<Vec<&'static str>, String> {
    if given.is_empty() {
        return Ok(known.to_vec());
    }
    given
        .iter()
        .map(|name| {
            known.iter().copied().find(|k| *k == name.trim()).ok_or_else(|| {
                format!(
                    "--{flag}: unknown name `{name}`; expected names among {}",
                    known.join(", ")
                )
            })
        })
        .collect()
}

impl SpaceArgs {
    /// The space the flags declare, checked; the error line (without `error: `) names the flag.
    pub(crate) fn space(&self) -> Result<Space, String> {
        let sizes = |r: &RangeInclusive<u64>| {
            usize::try_from(*r.start()).unwrap_or(usize::MAX)
                ..=usize::try_from(*r.end()).unwrap_or(usize::MAX)
        };
        let small = |r: &RangeInclusive<u64>| {
            u32::try_from(*r.start()).unwrap_or(u32::MAX)
                ..=u32::try_from(*r.end()).unwrap_or(u32::MAX)
        };
        let kinds = names("kinds", &self.kinds, &KINDS)
            .map_err(|why| why.replace("unknown name", "unknown kind"))?;
        let defaults = Space::default();
        let space = Space {
            backends: sizes(&self.backends),
            clients: sizes(&self.clients),
            faults: sizes(&self.faults),
            changes: sizes(&self.changes),
            kinds,
            rate: small(&self.rate),
            loops: names("loops", &self.loops, &LOOPS)?,
            methods: names("methods", &self.methods, &METHODS)?,
            latency: self.latency.clone(),
            via: names("via", &self.via, &VIAS)?,
            ttl: self.ttl.clone(),
            min_ttl: self.min_ttl.clone(),
            duration: self.duration,
            deadline: self.deadline,
            concurrency: self.concurrency.as_ref().map_or(defaults.concurrency, small),
        };
        // Without --concurrency, the default capped to what the duration allows: the format's
        // bound is concurrency × duration / 1 ms ≤ 1,000,000 (1 in flight for 600 s).
        let space = if self.concurrency.is_some() {
            space
        } else {
            let fits = u32::try_from(1_000_000 / space.duration.as_millis().max(1))
                .unwrap_or(u32::MAX)
                .max(1);
            let (low, high) = (*space.concurrency.start(), *space.concurrency.end());
            Space { concurrency: low.min(fits)..=high.min(fits), ..space }
        };
        space.validate().map_err(|error| match error {
            jostle_harness::Error::InvalidParameter { parameter, expected, got } => {
                format!("--{parameter} {got}: expected {expected}")
            }
            other => other.to_string(),
        })?;
        Ok(space)
    }
}
