//! [`Schedule`]: one generated failure story (cluster size, load, fault and discovery
//! timeline) in a form the generator draws and the shrinker cuts, written out as a scenario
//! file for the one runner.

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
    /// Calls started per second (an open loop).
    pub rate: u32,
    /// How long calls are started, after the warm-up.
    #[serde(serialize_with = "millis")]
    pub duration: Duration,
    /// Each call's deadline.
    #[serde(serialize_with = "millis")]
    pub deadline: Duration,
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

/// A fault with its parameters, as a scenario file's `[[fault]]` writes it; `lasting` is its
/// `for` (standing kinds and `flap`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum FaultSpec {
    /// Abrupt stop, back after `down_for`.
    Restart {
        /// Down this long.
        #[serde(serialize_with = "millis")]
        down_for: Duration,
    },
    /// Down `down_for` of every `period`, for `lasting`.
    Flap {
        /// One cycle.
        #[serde(serialize_with = "millis")]
        period: Duration,
        /// Down this long in each.
        #[serde(serialize_with = "millis")]
        down_for: Duration,
        /// For this long.
        #[serde(serialize_with = "millis")]
        lasting: Duration,
    },
    /// GOAWAY on every open connection, once.
    Drain,
    /// A fault that stands for `lasting`: `refuse`, `reset`, `blackhole`, `hang`.
    Standing {
        /// The kind's name.
        name: &'static str,
        /// For this long.
        #[serde(serialize_with = "millis")]
        lasting: Duration,
    },
    /// Each call late by `delay`.
    Delay {
        /// How late.
        #[serde(serialize_with = "millis")]
        delay: Duration,
        /// For this long.
        #[serde(serialize_with = "millis")]
        lasting: Duration,
    },
    /// Connection setup late by `delay`.
    ConnectDelay {
        /// How late.
        #[serde(serialize_with = "millis")]
        delay: Duration,
        /// For this long.
        #[serde(serialize_with = "millis")]
        lasting: Duration,
    },
    /// GOAWAY after `max_rpcs` calls on a connection.
    ConnectionAge {
        /// Calls per connection.
        max_rpcs: u32,
        /// For this long.
        #[serde(serialize_with = "millis")]
        lasting: Duration,
    },
    /// Calls answered `code` with `percent` % chance.
    Status {
        /// A gRPC code name, as scenario files write it.
        code: &'static str,
        /// The chance of each call, in percent (1..=100).
        percent: u32,
        /// For this long.
        #[serde(serialize_with = "millis")]
        lasting: Duration,
    },
}

impl FaultSpec {
    /// The kind's name in scenario files.
    pub fn kind(&self) -> &'static str {
        match self {
            FaultSpec::Restart { .. } => "restart",
            FaultSpec::Flap { .. } => "flap",
            FaultSpec::Drain => "drain",
            FaultSpec::Standing { name, .. } => name,
            FaultSpec::Delay { .. } => "delay",
            FaultSpec::ConnectDelay { .. } => "connect-delay",
            FaultSpec::ConnectionAge { .. } => "connection-age",
            FaultSpec::Status { .. } => "status",
        }
    }

    /// How long it holds (a drain: not at all).
    pub fn length(&self) -> Duration {
        match self {
            FaultSpec::Restart { down_for } => *down_for,
            FaultSpec::Drain => Duration::ZERO,
            FaultSpec::Flap { lasting, .. }
            | FaultSpec::Standing { lasting, .. }
            | FaultSpec::Delay { lasting, .. }
            | FaultSpec::ConnectDelay { lasting, .. }
            | FaultSpec::ConnectionAge { lasting, .. }
            | FaultSpec::Status { lasting, .. } => *lasting,
        }
    }

    /// The same fault holding `length` instead (a flap keeps at least one cycle).
    pub fn with_length(&self, length: Duration) -> FaultSpec {
        let mut fault = self.clone();
        match &mut fault {
            FaultSpec::Restart { down_for } => *down_for = length,
            FaultSpec::Drain => {}
            FaultSpec::Flap { lasting, period, .. } => *lasting = length.max(*period),
            FaultSpec::Standing { lasting, .. }
            | FaultSpec::Delay { lasting, .. }
            | FaultSpec::ConnectDelay { lasting, .. }
            | FaultSpec::ConnectionAge { lasting, .. }
            | FaultSpec::Status { lasting, .. } => *lasting = length,
        }
        fault
    }

    /// The kind and its parameters, as lines of a `[[fault]]` table.
    fn toml(&self) -> String {
        let mut lines = format!("kind = \"{}\"\n", self.kind());
        let ms = |d: &Duration| format!("\"{}ms\"", d.as_millis());
        match self {
            FaultSpec::Restart { down_for } => {
                let _ = writeln!(lines, "down_for = {}", ms(down_for));
            }
            FaultSpec::Flap { period, down_for, lasting } => {
                let _ = writeln!(lines, "period = {}", ms(period));
                let _ = writeln!(lines, "down_for = {}", ms(down_for));
                let _ = writeln!(lines, "for = {}", ms(lasting));
            }
            FaultSpec::Drain => {}
            FaultSpec::Standing { lasting, .. } => {
                let _ = writeln!(lines, "for = {}", ms(lasting));
            }
            FaultSpec::Delay { delay, lasting } | FaultSpec::ConnectDelay { delay, lasting } => {
                let _ = writeln!(lines, "delay = {}", ms(delay));
                let _ = writeln!(lines, "for = {}", ms(lasting));
            }
            FaultSpec::ConnectionAge { max_rpcs, lasting } => {
                let _ = writeln!(lines, "max_rpcs = {max_rpcs}");
                let _ = writeln!(lines, "for = {}", ms(lasting));
            }
            FaultSpec::Status { code, percent, lasting } => {
                let _ = writeln!(lines, "code = \"{code}\"");
                let _ = writeln!(lines, "probability = {}", f64::from(*percent) / 100.0);
                let _ = writeln!(lines, "for = {}", ms(lasting));
            }
        }
        lines
    }
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
        let _ = write!(
            text,
            "[cluster]\nbackends = {}\ntransport = \"{transport}\"\n\n[load]\nrate = {}\nduration = {}\ndeadline = {}\nwarm_up = {}\n",
            self.backends,
            self.rate,
            ms(self.duration),
            ms(self.deadline),
            ms(WARM_UP)
        );
        let every: Vec<usize> = (0..self.backends).collect();
        if self.initial != every || self.changes() > 0 {
            let _ = write!(text, "\n[discovery]\ninitial = {}\n", list(&self.initial));
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
