//! [`Schedule`]: one generated failure story (cluster size and latency, clients, load shape
//! and method mix, discovery and how it is heard, fault timeline) in a form the generator
//! draws and the shrinker cuts, written out as a scenario file for the one runner.

pub use super::fault_spec::FaultSpec;
use super::shape::{Latency, Methods, Via};
use serde::Serialize;
use std::fmt::Write as _;
use std::time::Duration;

/// How long the load waits after the balancer is built, in every schedule.
pub const WARM_UP: Duration = Duration::from_millis(100);

/// A schedule: everything a generated scenario holds but its expectations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Schedule {
    /// The scenario's seed (method draws, random policies, backoff jitter, fault draws).
    pub seed: u64,
    /// How many backends run.
    pub backends: usize,
    /// Every backend's service time (`None`: calls take no time in memory).
    pub latency: Option<Latency>,
    /// How many clients run the load, each with its own balancer, connections and
    /// discovery (`[load] clients`).
    pub clients: usize,
    /// Calls started per second by each client (an open loop), when `concurrency` is `None`.
    pub rate: u32,
    /// Calls each client keeps in flight (a closed loop), instead of `rate`.
    pub concurrency: Option<u32>,
    /// Which methods the load calls.
    pub mix: Methods,
    /// How long calls are started, after the warm-up.
    #[serde(serialize_with = "millis")]
    pub duration: Duration,
    /// Each call's deadline.
    #[serde(serialize_with = "millis")]
    pub deadline: Duration,
    /// How the clients hear of the announced set.
    pub via: Via,
    /// The backends announced at the start, in order.
    pub initial: Vec<usize>,
    /// Faults and discovery changes, in time order.
    pub events: Vec<Event>,
}

/// One step of a schedule's timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Event {
    /// A fault on some backends.
    Fault {
        /// When, since the cluster started.
        #[serde(serialize_with = "millis")]
        at: Duration,
        /// Which backends (indices, in order).
        target: Vec<usize>,
        /// What goes wrong.
        fault: FaultSpec,
    },
    /// The announced set changes.
    Discovery {
        /// When, since the cluster started.
        #[serde(serialize_with = "millis")]
        at: Duration,
        /// Announced then.
        add: Vec<usize>,
        /// Withdrawn then.
        remove: Vec<usize>,
    },
}

impl Event {
    /// When it happens.
    pub fn at(&self) -> Duration {
        match self {
            Event::Fault { at, .. } | Event::Discovery { at, .. } => *at,
        }
    }

    /// When it is over: a fault's end, a discovery change's instant.
    pub fn end(&self) -> Duration {
        match self {
            Event::Fault { at, fault, .. } => *at + fault.length(),
            Event::Discovery { at, .. } => *at,
        }
    }
}

impl Schedule {
    /// How many faults it has.
    pub fn faults(&self) -> usize {
        self.events.iter().filter(|e| matches!(e, Event::Fault { .. })).count()
    }

    /// How many discovery changes it has.
    pub fn changes(&self) -> usize {
        self.events.len() - self.faults()
    }

    /// The scenario file's sections but `[balancer]` and `[expect]`: top level, `[cluster]`,
    /// `[load]`, `[discovery]` and every `[[fault]]`. `transport` is `"tcp"` or
    /// `"in-memory"`.
    pub(crate) fn toml(&self, name: &str, transport: &str) -> String {
        let ms = |d: Duration| format!("\"{}ms\"", d.as_millis());
        let list = |items: &[usize]| {
            format!("[{}]", items.iter().map(usize::to_string).collect::<Vec<_>>().join(", "))
        };
        // Quoted as TOML: a custom balancer's name may hold any character.
        let name = crate::scenario::toml_string(name);
        let mut text = format!("name = {name}\nseed = {}\n\n", self.seed);
        let _ =
            write!(text, "[cluster]\nbackends = {}\ntransport = \"{transport}\"\n", self.backends);
        if let Some(latency) = &self.latency {
            text.push_str(&latency.toml());
        }
        let pace = match self.concurrency {
            Some(concurrency) => format!("concurrency = {concurrency}"),
            None => format!("rate = {}", self.rate),
        };
        let _ = write!(
            text,
            "\n[load]\n{pace}\nduration = {}\ndeadline = {}\nwarm_up = {}\n{}",
            ms(self.duration),
            ms(self.deadline),
            ms(WARM_UP),
            self.mix.toml()
        );
        if self.clients > 1 {
            let _ = writeln!(text, "clients = {}", self.clients);
        }
        let every: Vec<usize> = (0..self.backends).collect();
        if self.initial != every || self.changes() > 0 || self.via != Via::Stream {
            let _ = write!(
                text,
                "\n[discovery]\n{}initial = {}\n",
                self.via.toml(),
                list(&self.initial)
            );
            for event in &self.events {
                if let Event::Discovery { at, add, remove } = event {
                    let _ = write!(text, "\n[[discovery.change]]\nat = {}\n", ms(*at));
                    if !add.is_empty() {
                        let _ = writeln!(text, "add = {}", list(add));
                    }
                    if !remove.is_empty() {
                        let _ = writeln!(text, "remove = {}", list(remove));
                    }
                }
            }
        }
        for event in &self.events {
            if let Event::Fault { at, target, fault } = event {
                let _ = write!(
                    text,
                    "\n[[fault]]\nat = {}\ntarget = {}\n{}",
                    ms(*at),
                    list(target),
                    fault.toml()
                );
            }
        }
        text
    }
}

fn millis<S: serde::Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(u64::try_from(duration.as_millis()).unwrap_or(u64::MAX))
}

impl Schedule {
    /// The same schedule heard through the discovery stream: what a client whose resolver
    /// ignores TTLs (gRPC's profile: it resolves again only after a failed connection) is
    /// explored with, since it may never see a DNS change in a run, which no grace bounds.
    pub fn through_stream(mut self) -> Schedule {
        self.via = Via::Stream;
        self
    }

    /// Every one-step simpler schedule in the dimensions beside faults and backends, for the
    /// shrinker: one client fewer, the stream instead of DNS, an open loop instead of a
    /// closed one (at the rate drawn beside it), no latency (an open loop only: a closed
    /// loop whose calls take no time makes one call a millisecond per slot), `CreateOrder`
    /// only.
    pub(crate) fn simpler(&self) -> Vec<Schedule> {
        let mut out = Vec::new();
        if self.clients > 1 {
            out.push(Schedule { clients: self.clients - 1, ..self.clone() });
        }
        if self.via != Via::Stream {
            out.push(self.clone().through_stream());
        }
        if self.concurrency.is_some() {
            out.push(Schedule { concurrency: None, ..self.clone() });
        } else if self.latency.is_some() {
            out.push(Schedule { latency: None, ..self.clone() });
        }
        if self.mix != Methods::CREATE {
            out.push(Schedule { mix: Methods::CREATE, ..self.clone() });
        }
        out
    }
}
