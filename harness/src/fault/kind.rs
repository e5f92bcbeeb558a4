//! [`Kind`]: the one list of fault kinds. Each kind owns its name (as scenario files and logs
//! write it), the parameters it takes, whether it happens once, and the transports it runs on.
//!
//! ```
//! use jostle_harness::fault::Kind;
//! use jostle_harness::net::Transport;
//!
//! let restart = Kind::from_name("restart").unwrap();
//! assert_eq!(restart, Kind::Restart);
//! assert_eq!(restart.parameters(), ["down_for"]);
//! assert!(restart.is_one_shot());
//! assert!(Kind::BlackholeConnect.runs_on(Transport::Tcp).is_err());
//! assert_eq!(Kind::ALL.len(), 14);
//! ```

use crate::net::Transport;
use std::fmt;

/// A kind of [`Fault`](super::Fault), without its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// `refuse`: nothing listens.
    Refuse,
    /// `reset`: each connection reset at once.
    Reset,
    /// `blackhole`: connections accepted, never spoken to.
    Blackhole,
    /// `blackhole-connect`: connects never complete (in memory only).
    BlackholeConnect,
    /// `connect-delay`: latency on connection setup.
    ConnectDelay,
    /// `connection-age`: GOAWAY after N RPCs or an age.
    ConnectionAge,
    /// `drain`: once, GOAWAY on every open connection.
    Drain,
    /// `restart`: once, crash, down for a while, back.
    Restart,
    /// `terminate`: a process exiting on SIGTERM (GOAWAY, a grace, then reset), down until
    /// the fault ends.
    Terminate,
    /// `flap`: crash and come back every period.
    Flap,
    /// `delay`: each call delayed.
    Delay,
    /// `status`: calls answered with an error status.
    Status,
    /// `hang`: calls never answered.
    Hang,
    /// `stream-break`: server streams reset after N messages.
    StreamBreak,
}

impl Kind {
    /// Every kind, in the order of docs/FAULTS.md.
    pub const ALL: [Kind; 14] = [
        Kind::Refuse,
        Kind::Reset,
        Kind::Blackhole,
        Kind::BlackholeConnect,
        Kind::ConnectDelay,
        Kind::ConnectionAge,
        Kind::Drain,
        Kind::Restart,
        Kind::Terminate,
        Kind::Flap,
        Kind::Delay,
        Kind::Status,
        Kind::Hang,
        Kind::StreamBreak,
    ];

    /// The name, as scenario files, logs and reports write it.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Refuse => "refuse",
            Kind::Reset => "reset",
            Kind::Blackhole => "blackhole",
            Kind::BlackholeConnect => "blackhole-connect",
            Kind::ConnectDelay => "connect-delay",
            Kind::ConnectionAge => "connection-age",
            Kind::Drain => "drain",
            Kind::Restart => "restart",
            Kind::Terminate => "terminate",
            Kind::Flap => "flap",
            Kind::Delay => "delay",
            Kind::Status => "status",
            Kind::Hang => "hang",
            Kind::StreamBreak => "stream-break",
        }
    }

    /// The kind called `name`.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// The parameters it takes, as scenario files name them (docs/SCENARIOS.md says which are
    /// required).
    pub fn parameters(self) -> &'static [&'static str] {
        match self {
            Kind::Refuse
            | Kind::Reset
            | Kind::Blackhole
            | Kind::BlackholeConnect
            | Kind::Drain
            | Kind::Hang => &[],
            Kind::ConnectDelay => &["delay"],
            Kind::ConnectionAge => &["max_rpcs", "max_age"],
            Kind::Restart => &["down_for"],
            Kind::Terminate => &["grace"],
            Kind::Flap => &["period", "down_for"],
            Kind::Delay => &["delay", "min", "max", "base", "jitter", "phase"],
            Kind::Status => &["code", "probability", "next_calls", "before_delay"],
            Kind::StreamBreak => &["after_messages"],
        }
    }

    /// Whether it happens once when injected (drain, restart): a duration means nothing.
    pub fn is_one_shot(self) -> bool {
        matches!(self, Kind::Drain | Kind::Restart)
    }

    /// Whether it stands in the backend's fault set from injection until healed (not
    /// one-shot, not an action on the backend's life like flap and terminate).
    pub fn is_standing(self) -> bool {
        !self.is_one_shot() && !matches!(self, Kind::Flap | Kind::Terminate)
    }

    /// Whether the backend takes no connection while a window of this kind is open: nothing
    /// listens (`refuse`, and `restart`, `terminate` and `flap`, whose windows are their down
    /// times), or every connection is reset (`reset`). What fail-fast counts as down.
    pub fn takes_backend_down(self) -> bool {
        matches!(self, Kind::Refuse | Kind::Reset | Kind::Restart | Kind::Terminate | Kind::Flap)
    }

    /// Whether it acts on each RPC (rather than on connections or the backend).
    pub fn is_rpc_level(self) -> bool {
        matches!(self, Kind::Delay | Kind::Status | Kind::Hang | Kind::StreamBreak)
    }

    /// The transports it runs on.
    pub fn transports(self) -> &'static [Transport] {
        match self {
            // The kernel completes TCP connects by itself: only the in-memory network can
            // leave one hanging.
            Kind::BlackholeConnect => &[Transport::InMemory],
            _ => &Transport::ALL,
        }
    }

    /// Whether it runs on `transport`; the error says why not and what to use instead.
    pub fn runs_on(self, transport: Transport) -> Result<(), Unsupported> {
        if self.transports().contains(&transport) {
            Ok(())
        } else {
            Err(Unsupported { kind: self, transport })
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A fault kind on a transport it does not run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsupported {
    /// The kind.
    pub kind: Kind,
    /// The transport it was asked to run on.
    pub transport: Transport,
}

impl Unsupported {
    /// What to use instead.
    pub fn instead(&self) -> &'static str {
        match self.kind {
            Kind::BlackholeConnect => "transport = \"in-memory\", or `blackhole` on tcp",
            _ => "another transport",
        }
    }
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let on = match self.kind.transports() {
            [Transport::InMemory] => "in memory",
            _ => "on tcp",
        };
        write!(f, "fault `{}` works {on} only", self.kind)
    }
}
