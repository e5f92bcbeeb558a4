//! [`Followed`]: what following a fleet's pods saw while a timeline played: each change of the
//! set of pod addresses its source gave, each backend moved to a new pod, each pod that stopped
//! answering, each fault step no pod took; and until when the fleet's records are whole, which
//! bounds what the server side may judge.
//!
//! ```
//! use jostle_harness::serve::{Followed, Moved};
//! use std::time::Duration;
//!
//! let ms = Duration::from_millis;
//! let mut followed = Followed::default();
//! assert_eq!(followed.whole_until(), None, "an unchanged fleet's records are whole");
//! followed.moved.push(Moved {
//!     backend: 1,
//!     at: ms(900),
//!     from: "127.0.0.1:7001".into(),
//!     to: "127.0.0.1:7009".into(),
//!     last_read: ms(800),
//!     first_read: ms(900),
//!     answered: false,
//! });
//! assert_eq!(followed.whole_until(), Some(ms(800)), "whole until the old pod's last reading");
//! assert!(followed.why(ms(1000)).contains("backend-1 moved to a new pod at 900 ms"));
//! ```

use std::time::Duration;

/// A change of the set of pod addresses the source gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodChange {
    /// When it was resolved, since the fleet's origin.
    pub at: Duration,
    /// The addresses no longer given, in address order.
    pub gone: Vec<String>,
    /// The addresses given anew, in address order.
    pub came: Vec<String>,
    /// How many addresses the source gave then.
    pub given: usize,
}

/// A backend whose control client moved to a new pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    /// The backend, by index.
    pub backend: usize,
    /// When, since the fleet's origin.
    pub at: Duration,
    /// The old pod's control address.
    pub from: String,
    /// The new pod's control address.
    pub to: String,
    /// When the old pod's counters were last read (its last answer): what it served after is
    /// lost with it.
    pub last_read: Duration,
    /// When the new pod's counters were first read: what it served before is not counted.
    pub first_read: Duration,
    /// Whether the old pod answered a last time (healed, its counts and fault windows read
    /// then); if not, its fault windows are lost with it.
    pub answered: bool,
}

/// A pod that did not answer at the end: its counts are those of its last reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unanswered {
    /// The backend, by index.
    pub backend: usize,
    /// When its counters were last read.
    pub last_read: Duration,
}

/// A fault step that a backend's pod did not take: it did not answer; or, with
/// `injected_at`, a fault the backend's old pod held when the backend moved to a new pod (its
/// window, as the file writes it, went on past the old pod's last reading): the rest of it was
/// lost with the old pod, and is not injected again on the new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missed {
    /// The backend, by index.
    pub backend: usize,
    /// When, since the fleet's origin: the step's time, or the move's.
    pub at: Duration,
    /// The fault's kind.
    pub kind: String,
    /// When the old pod took the fault lost with it, since the fleet's origin; `None` for a
    /// step the pod did not answer.
    pub injected_at: Option<Duration>,
}

/// What following a fleet saw; empty for a fleet not followed, or one that did not change.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Followed {
    /// When the source last gave the pods the fleet started with, before the first change
    /// (`None` until a change is seen).
    pub unchanged_until: Option<Duration>,
    /// Each change of the set of addresses, in time order.
    pub changes: Vec<PodChange>,
    /// Each backend moved to a new pod, in time order.
    pub moved: Vec<Moved>,
    /// The pods that did not answer at the end, by backend.
    pub unanswered: Vec<Unanswered>,
    /// The fault steps not taken, in time order.
    pub missed: Vec<Missed>,
}

impl Followed {
    /// Until when every call the fleet's pods served was counted: the last moment the source
    /// still gave the pods the fleet started with, a moved backend's old pod's last reading, a
    /// pod's last reading when it did not answer at the end or missed a fault step; `None`
    /// when the fleet stayed whole (every backend's counts are then complete).
    pub fn whole_until(&self) -> Option<Duration> {
        let lost = self.moved.iter().map(|m| m.last_read);
        let unanswered = self.unanswered.iter().map(|u| u.last_read);
        let missed = self.missed.iter().map(|m| m.at);
        self.unchanged_until.into_iter().chain(lost).chain(unanswered).chain(missed).min()
    }

    /// Why a window of the counters ending at `end` is not judged (only meaningful past
    /// [`Followed::whole_until`]): the earliest cause.
    pub fn why(&self, end: Duration) -> String {
        let mut causes: Vec<(Duration, String)> = Vec::new();
        if let (Some(until), Some(change)) = (self.unchanged_until, self.changes.first()) {
            causes.push((
                until,
                format!(
                    "the pods changed at {} ms (gone {:?}, came {:?}), last given unchanged at \
                     {} ms: a pod the file does not name may have served calls",
                    change.at.as_millis(),
                    change.gone,
                    change.came,
                    until.as_millis()
                ),
            ));
        }
        causes.extend(self.moved.iter().map(|moved| {
            let why = format!(
                "backend-{} moved to a new pod at {} ms ({} to {}): what the old pod served after \
                 its last reading at {} ms, and the new one before its first at {} ms, was not seen",
                moved.backend,
                moved.at.as_millis(),
                moved.from,
                moved.to,
                moved.last_read.as_millis(),
                moved.first_read.as_millis()
            );
            (moved.last_read, why)
        }));
        causes.extend(self.unanswered.iter().map(|unanswered| {
            let why = format!(
                "backend-{}'s pod stopped answering after {} ms: what it served after was not seen",
                unanswered.backend,
                unanswered.last_read.as_millis()
            );
            (unanswered.last_read, why)
        }));
        causes.extend(self.missed.iter().map(|missed| {
            let why = format!("{}: the file was not played as written from then on", missed.what());
            (missed.at, why)
        }));
        let (whole, what) = causes.into_iter().min_by_key(|(at, _)| *at).unwrap_or_default();
        format!(
            "{what}; the pods' records are whole until {} ms only, and this window ends at {} \
             ms: not judged, rather than judged on calls not seen",
            whole.as_millis(),
            end.as_millis()
        )
    }
}

impl Followed {
    /// As the report's JSON gives it (`fleet`): `changes` (`at_ms`, `gone`, `came`, `given`),
    /// `moved` (`backend`, `at_ms`, `from`, `to`, `last_read_ms`, `first_read_ms`,
    /// `answered`), `unanswered` (`backend`, `last_read_ms`), `missed` (`backend`, `at_ms`,
    /// `kind`) and `whole_until_ms` (null when the fleet stayed whole).
    pub fn json(&self) -> serde_json::Value {
        use serde_json::json;
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        let name = |backend: usize| format!("backend-{backend}");
        json!({
            "changes": self.changes.iter().map(|c| json!({
                "at_ms": ms(c.at), "gone": c.gone, "came": c.came, "given": c.given,
            })).collect::<Vec<_>>(),
            "moved": self.moved.iter().map(|m| json!({
                "backend": name(m.backend), "at_ms": ms(m.at), "from": m.from, "to": m.to,
                "last_read_ms": ms(m.last_read), "first_read_ms": ms(m.first_read),
                "answered": m.answered,
            })).collect::<Vec<_>>(),
            "unanswered": self.unanswered.iter().map(|u| json!({
                "backend": name(u.backend), "last_read_ms": ms(u.last_read),
            })).collect::<Vec<_>>(),
            "missed": self.missed.iter().map(|m| {
                let mut missed = json!({
                    "backend": name(m.backend), "at_ms": ms(m.at), "kind": m.kind,
                });
                if let Some(injected) = m.injected_at {
                    missed["injected_at_ms"] = ms(injected).into();
                }
                missed
            }).collect::<Vec<_>>(),
            "whole_until_ms": self.whole_until().map(ms),
        })
    }

    /// The report's lines about the pods: none when nothing changed.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        lines.extend(self.changes.iter().map(ToString::to_string));
        lines.extend(self.moved.iter().map(ToString::to_string));
        for unanswered in &self.unanswered {
            lines.push(format!(
                "backend-{}'s pod did not answer at the end: its counts are those read at {} ms",
                unanswered.backend,
                unanswered.last_read.as_millis()
            ));
        }
        lines.extend(self.missed.iter().map(Missed::said));
        if let Some(whole) = self.whole_until() {
            lines.push(format!(
                "the pods' records are whole until {} ms: only what the counters show before it \
                 is judged",
                whole.as_millis()
            ));
        }
        lines
    }
}

impl Missed {
    /// What was not taken.
    fn what(&self) -> String {
        let (whose, what) = if self.injected_at.is_some() {
            ("new pod", "the rest of the")
        } else {
            ("pod", "the")
        };
        format!(
            "backend-{}'s {whose} did not take {what} `{}` fault at {} ms",
            self.backend,
            self.kind,
            self.at.as_millis()
        )
    }

    /// The report's line about it.
    fn said(&self) -> String {
        match self.injected_at {
            None => format!("{} (it did not answer)", self.what()),
            Some(injected) => format!(
                "{} (the old pod took it at {} ms and held it past its last reading; it is not \
                 injected again)",
                self.what(),
                injected.as_millis()
            ),
        }
    }
}

fn list(addresses: &[String]) -> String {
    if addresses.is_empty() { "none".to_owned() } else { addresses.join(", ") }
}

impl std::fmt::Display for PodChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "pods at {} ms: {} given; gone {}, came {}",
            self.at.as_millis(),
            self.given,
            list(&self.gone),
            list(&self.came)
        )
    }
}

impl std::fmt::Display for Moved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let last = if self.answered {
            "it answered a last time, healed"
        } else {
            "it did not answer a last time: its fault windows are lost with it"
        };
        let restarted = if self.from == self.to {
            " (its pod restarted in place: another process at the same address)"
        } else {
            ""
        };
        write!(
            f,
            "backend-{} moved to a new pod at {} ms: {} to {}{restarted}; its counts are the old pod's to {} \
             ms ({last}) and the new pod's from {} ms",
            self.backend,
            self.at.as_millis(),
            self.from,
            self.to,
            self.last_read.as_millis(),
            self.first_read.as_millis()
        )
    }
}
