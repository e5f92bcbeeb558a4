//! [`Served`]: how many OK calls each backend served from a moment on, the evidence the share
//! checks (`share`, `max-share`, `convergence`, `settled`) judge. It is counted from the
//! client's record of its calls ([`Served::of_calls`]) or read from the backends' own counters
//! (`jostle serve`): the checks are one code over either.
//!
//! ```
//! use jostle_harness::check::{Context, Served};
//! use jostle_harness::load::{CallLog, CallOutcome, CallRecord, Method};
//! use std::time::Duration;
//!
//! let ms = Duration::from_millis;
//! let call = |index: u64, backend: &str| CallRecord {
//!     index, method: Method::CreateOrder, start: ms(index), end: ms(index + 1),
//!     outcome: CallOutcome::Ok, backend: Some(backend.into()), client: 0,
//! };
//! let log = CallLog { calls: (0..10).map(|i| call(i, ["a", "b"][i as usize % 2])).collect(), seed: 1 };
//! let from_calls = Served::of_calls(&log, ms(4));
//! // The same, as two readings of the backends' counters would give it.
//! let from_counters = Served::of_counts(ms(4), [("a", 3), ("b", 3)], (ms(4), ms(10)));
//! assert_eq!(from_calls.total(), 6);
//! assert_eq!(from_calls.calls("a"), from_counters.calls("a"));
//! ```

use crate::load::{CallLog, CallOutcome};
use std::time::Duration;

/// OK calls per backend from a moment on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    /// Calls started from this moment on are counted.
    pub from: Duration,
    /// Calls started before this moment are counted (`None`: to the end of the run); from
    /// counters, the last reading at or before it ends the count.
    pub until: Option<Duration>,
    /// Each backend that served (or, from counters, each backend), in the order the record
    /// first names it.
    pub backends: Vec<Backend>,
    /// From counters: the moments of the two readings the counts lie between; `None` when
    /// counted from the client's calls.
    pub read: Option<(Duration, Duration)>,
}

/// One backend's OK calls in [`Served`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backend {
    /// Its name; `None` for OK calls whose record names no backend.
    pub name: Option<String>,
    /// The OK calls it served.
    pub calls: u64,
    /// When the first of them started (from the client's calls only).
    pub first: Option<Duration>,
}

impl Served {
    /// The OK calls of `log` that started at `from` or later, per backend.
    pub fn of_calls(log: &CallLog, from: Duration) -> Self {
        Self::of_window(log, from, None)
    }

    /// The OK calls of `log` that started at `from` or later and before `until` (to the end
    /// when `None`), per backend.
    pub fn of_window(log: &CallLog, from: Duration, until: Option<Duration>) -> Self {
        let inside = |start: Duration| start >= from && until.is_none_or(|until| start < until);
        let mut backends: Vec<Backend> = Vec::new();
        for call in log.calls.iter().filter(|c| c.outcome == CallOutcome::Ok && inside(c.start)) {
            match backends.iter_mut().find(|b| b.name.as_deref() == call.backend.as_deref()) {
                Some(backend) => backend.calls += 1,
                None => backends.push(Backend {
                    name: call.backend.clone(),
                    calls: 1,
                    first: Some(call.start),
                }),
            }
        }
        Self { from, until, backends, read: None }
    }

    /// The OK calls each named backend served between two readings of its counters, made at
    /// `read`, judged as the calls from `from` on.
    pub fn of_counts<'a>(
        from: Duration,
        counts: impl IntoIterator<Item = (&'a str, u64)>,
        read: (Duration, Duration),
    ) -> Self {
        let backends = counts
            .into_iter()
            .map(|(name, calls)| Backend { name: Some(name.to_owned()), calls, first: None })
            .collect();
        Self { from, until: None, backends, read: Some(read) }
    }

    /// The same counts, judged as the calls started before `until` (counters read up to it).
    #[must_use]
    pub fn until(mut self, until: Option<Duration>) -> Self {
        self.until = until;
        self
    }

    /// Every OK call counted.
    pub fn total(&self) -> u64 {
        self.backends.iter().map(|b| b.calls).sum()
    }

    /// The OK calls `name` served.
    pub fn calls(&self, name: &str) -> u64 {
        self.backends.iter().filter(|b| b.name.as_deref() == Some(name)).map(|b| b.calls).sum()
    }

    /// The backends that served and are not among `names` (or are not named), first named
    /// first.
    pub fn outside<'a>(&'a self, names: &'a [&str]) -> impl Iterator<Item = &'a Backend> {
        self.backends
            .iter()
            .filter(|b| b.calls > 0 && b.name.as_deref().is_none_or(|n| !names.contains(&n)))
    }

    /// Where the counts come from, for an explanation: nothing from calls; from counters, the
    /// moments they were read at.
    pub fn source(&self) -> String {
        match self.read {
            None => String::new(),
            Some((start, end)) => format!(
                "; as the backends' counters read at {} and {} ms count them",
                start.as_millis(),
                end.as_millis()
            ),
        }
    }
}
