//! [`KnownDown`]: when the client under test can know that nothing is up, read from the fault
//! windows and the discovery timeline: the instants `fail-fast` judges.
//!
//! gRPC fails a call at once (UNAVAILABLE) only in TRANSIENT_FAILURE: no connection READY, and
//! the attempts to make one failed. While a connection is still READY a call goes over it, and
//! while a first connection attempt is under way (CONNECTING, or IDLE before it) the call waits
//! for it. So a backend counts as down for the client at an instant only when both hold:
//!
//! - windows that take it down (`refuse`, `reset`, `restart`, `terminate`, `flap`:
//!   [`Kind::takes_backend_down`]) have stood without a gap since a moment at which the client
//!   had no connection to it that a call could still use: a crash (the start of a `restart` or
//!   `flap` window, a call at that very instant included: the reset reaches it at once); just
//!   after a GOAWAY on every connection (a `terminate`, or a `drain` while a refusal already
//!   stands: a call handed over at that very instant is sent before the client reads the
//!   GOAWAY, and runs on); or the
//!   change that announced it as new to the client (through the discovery stream, the last
//!   one that announced it while it was withdrawn, since a withdrawal closes the client's
//!   connections to it; through DNS, the first, since the client may not have heard of a
//!   withdrawal). `refuse` and `reset` turn away new connections only: a connection made
//!   before them, by a client built before any fault stands, keeps serving;
//! - no connection attempt to it can be held up then: no `blackhole-connect` window open, and
//!   no `connect-delay` window open less than its delay before (a first attempt that takes
//!   that long keeps a call waiting as long, as in gRPC's CONNECTING).
//!
//! Nothing is up for the client when every backend it may hold is down for it: through the
//! stream, those announced; through DNS, every one announced at some instant so far (a
//! client hears of a withdrawal only when it resolves again, and gRPC's resolves only after a
//! connection fails, so a backend it heard of may stay in use without bound). None announced
//! through the stream: nothing is up.
//!
//! ```
//! use jostle_harness::check::KnownDown;
//! use jostle_harness::fault::FaultWindow;
//! use jostle_harness::scenario::Discovery;
//! use std::time::Duration;
//!
//! let ms = Duration::from_millis;
//! let window = |kind, start, end: Option<u64>| FaultWindow {
//!     id: 1, backend: "backend-0".into(), kind, detail: String::new(),
//!     start: ms(start), end: end.map(ms),
//! };
//! let (names, discovery) = (vec!["backend-0".to_owned()], Discovery::all(1));
//! // Refusing new connections from 1 s: the connection the client made before still serves.
//! let refused = [window("refuse", 1000, None)];
//! assert!(!KnownDown::new(&refused, &discovery, &names).nothing_ready(ms(1500)));
//! // A crash at 2 s breaks it, and the refusal standing since turns away every new one.
//! let crashed = [window("refuse", 1000, None), window("restart", 2000, Some(2100))];
//! let known = KnownDown::new(&crashed, &discovery, &names);
//! assert!(known.nothing_ready(ms(2000)) && known.nothing_ready(ms(2500)));
//! assert!(!known.nothing_ready(ms(1999)));
//! ```

use crate::fault::{FaultWindow, Kind};
use crate::scenario::{Discovery, Via};
use std::time::Duration;

/// The fault windows and the discovery timeline of a run, read for when its client can know
/// that no backend is up (module docs).
#[derive(Debug, Clone, Copy)]
pub struct KnownDown<'a> {
    windows: &'a [FaultWindow],
    discovery: &'a Discovery,
    names: &'a [String],
}

impl<'a> KnownDown<'a> {
    /// The reading of `windows` and `discovery`; `names` are the backends' names by index, as
    /// the windows write them.
    pub fn new(windows: &'a [FaultWindow], discovery: &'a Discovery, names: &'a [String]) -> Self {
        Self { windows, discovery, names }
    }

    /// Whether at `at` every backend the client may hold is down for it (module docs).
    pub fn nothing_ready(&self, at: Duration) -> bool {
        self.may_hold(at).into_iter().all(|backend| self.down_for_client(backend, at))
    }

    /// The backends the client may hold at `at`, by index.
    fn may_hold(&self, at: Duration) -> Vec<usize> {
        let discovery = self.discovery;
        match discovery.via {
            Via::Stream => discovery.at(at),
            Via::Dns { .. } => {
                let mut ever = discovery.initial.clone();
                let added = discovery.changes.iter().filter(|change| change.at <= at);
                ever.extend(added.flat_map(|change| change.add.iter().copied()));
                ever.sort_unstable();
                ever.dedup();
                ever
            }
        }
    }

    /// Whether `backend` is down for the client at `at`: taken down without a gap since the
    /// client last had no usable connection to it, and no connect to it held up.
    fn down_for_client(&self, backend: usize, at: Duration) -> bool {
        let Some(name) = self.names.get(backend) else { return false };
        let windows: Vec<&FaultWindow> =
            self.windows.iter().filter(|window| window.backend == *name).collect();
        if connect_held(&windows, at) {
            return false;
        }
        let Some(since) = down_since(&windows, at) else { return false };
        let broken = windows.iter().any(|window| {
            let opened = since <= window.start && window.start <= at;
            match Kind::from_name(window.kind) {
                Some(Kind::Restart | Kind::Flap) => opened,
                Some(Kind::Terminate) => opened && window.start < at,
                // The refusal must stand already: a client reconnecting at the instant of the
                // GOAWAY may beat one that begins then.
                Some(Kind::Drain) => opened && since < window.start && window.start < at,
                _ => false,
            }
        });
        broken || self.new_to_client(backend, at).is_some_and(|announced| since <= announced)
    }

    /// The change after which the client can hold no connection to `backend` made before it,
    /// as of `at` (module docs); `None` when it was announced from the start: the client is
    /// built, and connects, before any fault stands.
    fn new_to_client(&self, backend: usize, at: Duration) -> Option<Duration> {
        let discovery = self.discovery;
        let mut announced = discovery.initial.contains(&backend);
        let mut since = None;
        for change in discovery.changes.iter().filter(|change| change.at <= at) {
            if change.remove.contains(&backend) {
                announced = false;
            }
            if change.add.contains(&backend) && !announced {
                announced = true;
                let first = since.is_none() && !discovery.initial.contains(&backend);
                if first || discovery.via == Via::Stream {
                    since = Some(change.at);
                }
            }
        }
        since
    }
}

/// The earliest instant from which windows that take the backend down stand without a gap
/// up to `at` included; `None` when none stands at `at`.
fn down_since(windows: &[&FaultWindow], at: Duration) -> Option<Duration> {
    let down =
        |window: &&&FaultWindow| Kind::from_name(window.kind).is_some_and(Kind::takes_backend_down);
    let mut since = windows
        .iter()
        .filter(down)
        .filter(|window| window.start <= at && window.end.is_none_or(|end| at < end))
        .map(|window| window.start)
        .min()?;
    // A window that opened earlier and ran at least until `since` joins on without a gap.
    while let Some(earlier) = windows
        .iter()
        .filter(down)
        .filter(|window| window.start < since && window.end.is_none_or(|end| end >= since))
        .map(|window| window.start)
        .min()
    {
        since = earlier;
    }
    Some(since)
}

/// Whether a connection attempt to the backend can be held up at `at`: a `blackhole-connect`
/// window open, or a `connect-delay` window open less than its delay before (a delay its
/// window does not say counts as without end).
fn connect_held(windows: &[&FaultWindow], at: Duration) -> bool {
    windows.iter().any(|window| {
        let held_until = match Kind::from_name(window.kind) {
            Some(Kind::BlackholeConnect) => window.end,
            Some(Kind::ConnectDelay) => window.end.map(|end| {
                connect_delay(&window.detail)
                    .map_or(Duration::MAX, |delay| end.saturating_add(delay))
            }),
            _ => return false,
        };
        window.start <= at && held_until.is_none_or(|until| at < until)
    })
}

/// The delay of a `connect-delay` window's detail, as the fault log writes it
/// (`ConnectDelay(300ms)`, the delay as Rust prints a `Duration`).
fn connect_delay(detail: &str) -> Option<Duration> {
    let printed = detail.strip_prefix("ConnectDelay(")?.strip_suffix(')')?;
    let split = printed.find(|c: char| !c.is_ascii_digit() && c != '.')?;
    let (number, unit) = printed.split_at(split);
    let nanos_per_unit: u128 = match unit {
        "s" => 1_000_000_000,
        "ms" => 1_000_000,
        "µs" => 1_000,
        "ns" => 1,
        _ => return None,
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let mut nanos = whole.parse::<u128>().ok()?.checked_mul(nanos_per_unit)?;
    if !fraction.is_empty() {
        let digits = u32::try_from(fraction.len()).ok()?;
        let scale = 10u128.checked_pow(digits)?;
        nanos = nanos.checked_add(fraction.parse::<u128>().ok()? * nanos_per_unit / scale)?;
    }
    let nanos = u64::try_from(nanos).ok()?;
    Some(Duration::from_nanos(nanos))
}

#[cfg(test)]
mod tests;
