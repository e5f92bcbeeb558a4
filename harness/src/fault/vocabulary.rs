//! [`Fault`]: the vocabulary of what can go wrong with a backend, with its parameters.

use super::Kind;
use std::fmt;
use std::time::Duration;
use tonic::Code;

/// One thing that can go wrong with a backend, at the connection or at the RPC level.
///
/// Standing faults hold from injection until healed (or for an injection's duration); the
/// one-shot ones ([`Fault::Drain`], [`Fault::Restart`]) happen once when injected, and
/// [`Fault::Flap`] repeats until healed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Fault {
    /// Nothing listens: connects fail as connection refused. Open connections are untouched.
    Refuse,
    /// Accept each connection, then reset it at once.
    Reset,
    /// Accept each connection and never speak HTTP/2 on it: the client's first call hangs.
    Blackhole,
    /// In memory only: a connect never completes, as a network partition looks to a dialer.
    BlackholeConnect,
    /// Latency added to connection setup: to the connect in memory, to the server's HTTP/2
    /// handshake on TCP (the kernel completes TCP handshakes by itself).
    ConnectDelay(Duration),
    /// Close each connection gracefully (GOAWAY) after this many RPCs and/or this long.
    ConnectionAge {
        /// Close after this many RPCs on the connection.
        max_rpcs: Option<u64>,
        /// Close this long after the connection was accepted.
        max_age: Option<Duration>,
    },
    /// Once: GOAWAY on every open connection, in-flight calls finish; the backend goes on
    /// accepting new connections.
    Drain,
    /// Once: abrupt stop, down for `down_for`, back on the same address.
    Restart {
        /// How long the backend stays down.
        down_for: Duration,
    },
    /// A pod's process exiting on SIGTERM: at once its port refuses new connections and
    /// GOAWAY goes out on every open one (new streams refused, in-flight calls go on); after
    /// `grace`, whatever is still open is reset, as the SIGKILL that follows a grace period
    /// does. The backend stays down until the fault ends (its `lasting`, or a heal; for ever
    /// without either), then starts again as after a restart.
    Terminate {
        /// How long in-flight calls may go on after the GOAWAY; [`TERMINATE_GRACE`] by
        /// default, at most [`MAX_TERMINATE_GRACE`].
        grace: Duration,
    },
    /// Until healed: every `period`, an abrupt stop for `down_for`, then back.
    Flap {
        /// Time from one crash to the next.
        period: Duration,
        /// How long each crash lasts; less than `period`.
        down_for: Duration,
    },
    /// Delay each call.
    Delay {
        /// How long.
        delay: Delay,
        /// Before the response headers, or after them and before the first message.
        phase: Phase,
    },
    /// Answer calls with a status instead of running them.
    Status {
        /// The gRPC code, e.g. `Unavailable`.
        code: Code,
        /// Which calls.
        trigger: Trigger,
        /// Answer before the delays standing on the backend (fast failures beside slow
        /// successes, as a server shedding load answers) instead of after them (a slow
        /// handler that then fails, the default). See the composition order in
        /// [`fault`](super).
        before_delay: bool,
    },
    /// Never answer: calls wait until the client gives up, or until healed.
    Hang,
    /// Reset `WatchOrders` (any server stream) after this many messages.
    StreamBreak {
        /// Messages delivered before the break.
        after_messages: u32,
    },
}

/// How long a [`Fault::Delay`] lasts for each call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delay {
    /// Always this long.
    Fixed(Duration),
    /// Drawn uniformly from `min..=max` for each call, from the cluster's seed.
    Uniform {
        /// Shortest.
        min: Duration,
        /// Longest.
        max: Duration,
    },
    /// `base` plus or minus up to `jitter`, drawn uniformly for each call.
    Jitter {
        /// The middle.
        base: Duration,
        /// The largest deviation; at most `base`.
        jitter: Duration,
    },
}

/// Where in a response a [`Fault::Delay`] waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Phase {
    /// Before the handler runs and the response headers go out.
    #[default]
    BeforeHeaders,
    /// After the response headers, before the first message.
    BeforeMessage,
}

/// Which calls a [`Fault::Status`] answers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Trigger {
    /// Each call with this probability, drawn from the cluster's seed.
    Probability(f64),
    /// The next this many calls, then none.
    NextCalls(u64),
}

/// The grace a [`Fault::Terminate`] gives in-flight calls unless told otherwise: 1 s
/// (Kubernetes' 30 s default would make a story wait half a minute for nothing).
pub const TERMINATE_GRACE: Duration = Duration::from_secs(1);

/// The longest grace a [`Fault::Terminate`] takes: 10 minutes.
pub const MAX_TERMINATE_GRACE: Duration = Duration::from_secs(600);

impl Fault {
    /// A process exiting on SIGTERM, with the default grace ([`TERMINATE_GRACE`]).
    pub fn terminate() -> Self {
        Fault::Terminate { grace: TERMINATE_GRACE }
    }

    /// A fixed delay before the headers.
    pub fn delay(delay: Duration) -> Self {
        Fault::Delay { delay: Delay::Fixed(delay), phase: Phase::BeforeHeaders }
    }

    /// Answer with `code` with probability `p`.
    pub fn status(code: Code, probability: f64) -> Self {
        Fault::Status { code, trigger: Trigger::Probability(probability), before_delay: false }
    }

    /// The fault's kind: its name, parameters, one-shot-ness and transports.
    pub fn kind(&self) -> Kind {
        match self {
            Fault::Refuse => Kind::Refuse,
            Fault::Reset => Kind::Reset,
            Fault::Blackhole => Kind::Blackhole,
            Fault::BlackholeConnect => Kind::BlackholeConnect,
            Fault::ConnectDelay(_) => Kind::ConnectDelay,
            Fault::ConnectionAge { .. } => Kind::ConnectionAge,
            Fault::Drain => Kind::Drain,
            Fault::Restart { .. } => Kind::Restart,
            Fault::Terminate { .. } => Kind::Terminate,
            Fault::Flap { .. } => Kind::Flap,
            Fault::Delay { .. } => Kind::Delay,
            Fault::Status { .. } => Kind::Status,
            Fault::Hang => Kind::Hang,
            Fault::StreamBreak { .. } => Kind::StreamBreak,
        }
    }

    /// Whether it acts on each RPC (rather than on connections or the backend).
    pub fn is_rpc_level(&self) -> bool {
        self.kind().is_rpc_level()
    }

    /// Checks every parameter; the error names the one out of range and what was expected.
    pub fn validate(&self) -> Result<(), Invalid> {
        match self {
            Fault::Flap { period, down_for } => {
                positive("period", *period)?;
                positive("down_for", *down_for)?;
                if down_for >= period {
                    return invalid(
                        "down_for",
                        format!("less than the period ({period:?})"),
                        down_for,
                    );
                }
            }
            Fault::Restart { down_for } => positive("down_for", *down_for)?,
            Fault::Terminate { grace } if *grace > MAX_TERMINATE_GRACE => {
                return invalid("grace", "a duration from 0 to 10m", grace);
            }
            Fault::ConnectionAge { max_rpcs, max_age } => {
                if max_rpcs.is_none() && max_age.is_none() {
                    return invalid("max_rpcs", "max_rpcs or max_age set", &"neither");
                }
                if *max_rpcs == Some(0) {
                    return invalid("max_rpcs", "at least 1", &0);
                }
                if let Some(age) = max_age {
                    positive("max_age", *age)?;
                }
            }
            Fault::Delay { delay: Delay::Uniform { min, max }, .. } if min > max => {
                return invalid("max", format!("at least min ({min:?})"), max);
            }
            Fault::Delay { delay: Delay::Jitter { base, jitter }, .. } if jitter > base => {
                return invalid("jitter", format!("at most base ({base:?})"), jitter);
            }
            Fault::Status { code, trigger, .. } => {
                if *code == Code::Ok {
                    return invalid("code", "a failing status code, not OK", &"OK");
                }
                if let Trigger::Probability(p) = trigger
                    && !(0.0..=1.0).contains(p)
                {
                    return invalid("probability", "a probability in 0..=1", p);
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// Why a fault's parameters are out of range: which parameter (as scenario files name it),
/// what was expected, what it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The parameter, e.g. `down_for`.
    pub parameter: &'static str,
    /// What it must be.
    pub expected: String,
    /// What it was.
    pub got: String,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: {}, got {}", self.parameter, self.expected, self.got)
    }
}

impl From<Invalid> for crate::Error {
    fn from(invalid: Invalid) -> Self {
        crate::Error::InvalidParameter {
            parameter: invalid.parameter,
            expected: invalid.expected,
            got: invalid.got,
        }
    }
}

fn positive(parameter: &'static str, value: Duration) -> Result<(), Invalid> {
    if value.is_zero() {
        return invalid(parameter, "a duration above zero", &value);
    }
    Ok(())
}

fn invalid(
    parameter: &'static str,
    expected: impl Into<String>,
    got: &dyn std::fmt::Debug,
) -> Result<(), Invalid> {
    Err(Invalid { parameter, expected: expected.into(), got: format!("{got:?}") })
}
