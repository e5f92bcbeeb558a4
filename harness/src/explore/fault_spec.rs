//! [`FaultSpec`]: one fault of a schedule with its parameters, as a `[[fault]]` table writes
//! it.

use serde::Serialize;
use std::fmt::Write as _;
use std::time::Duration;

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
    /// A process exiting on SIGTERM: its port refuses at once, GOAWAY on every open
    /// connection, what is still open reset after `grace`; back after `lasting`.
    Terminate {
        /// How long calls under way may go on after the SIGTERM.
        #[serde(serialize_with = "millis")]
        grace: Duration,
        /// Down this long (its `for`).
        #[serde(serialize_with = "millis")]
        lasting: Duration,
    },
    /// Each server stream reset after `after_messages` messages (`WatchOrders` calls).
    StreamBreak {
        /// Messages sent before the reset.
        after_messages: u32,
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
            FaultSpec::Terminate { .. } => "terminate",
            FaultSpec::StreamBreak { .. } => "stream-break",
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
            | FaultSpec::Status { lasting, .. }
            | FaultSpec::Terminate { lasting, .. }
            | FaultSpec::StreamBreak { lasting, .. } => *lasting,
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
            | FaultSpec::Status { lasting, .. }
            | FaultSpec::Terminate { lasting, .. }
            | FaultSpec::StreamBreak { lasting, .. } => *lasting = length,
        }
        fault
    }

    /// The kind and its parameters, as lines of a `[[fault]]` table.
    pub(super) fn toml(&self) -> String {
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
            FaultSpec::Terminate { grace, lasting } => {
                let _ = writeln!(lines, "grace = {}", ms(grace));
                let _ = writeln!(lines, "for = {}", ms(lasting));
            }
            FaultSpec::StreamBreak { after_messages, lasting } => {
                let _ = writeln!(lines, "after_messages = {after_messages}");
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

fn millis<S: serde::Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(u64::try_from(duration.as_millis()).unwrap_or(u64::MAX))
}
