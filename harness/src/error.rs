//! [`Error`]: everything that can go wrong in the harness.

use std::io;

/// What can go wrong while building, running or faulting a cluster.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The shard summaries given to a merge do not make one exploration: overlapping, missing
    /// or incomplete shards, or explorations of different balancers, spaces or seed ranges.
    #[error("the shards do not make one exploration: {why}")]
    Shards {
        /// What does not fit.
        why: String,
    },
    /// A parameter is out of range; names it and says what was expected.
    #[error("invalid {parameter}: {expected}, got {got}")]
    InvalidParameter {
        /// The parameter, as the API or the command line names it.
        parameter: &'static str,
        /// What was expected.
        expected: String,
        /// What was given.
        got: String,
    },
    /// A backend index that the cluster does not have.
    #[error("unknown backend {index}: the cluster has backends 0..{len}")]
    UnknownBackend {
        /// The index asked for.
        index: usize,
        /// How many backends there are.
        len: usize,
    },
    /// Starting a backend that already runs.
    #[error("{backend} is already running")]
    AlreadyRunning {
        /// The backend's name.
        backend: String,
    },
    /// Stopping a backend that does not run.
    #[error("{backend} is not running")]
    NotRunning {
        /// The backend's name.
        backend: String,
    },
    /// Starting a backend of a cluster that was dropped.
    #[error("{backend} belongs to a dropped cluster")]
    Retired {
        /// The backend's name.
        backend: String,
    },
    /// Something in a run panicked: a call, a task of the load. A run with a panic is a failed
    /// run, never a pass.
    #[error("{what} panicked: {message}")]
    Panicked {
        /// What panicked (`call 17`).
        what: String,
        /// The panic's message.
        message: String,
    },
    /// The factory of the user's balancer returned an error: the run cannot be played.
    #[error("the factory of `{balancer}` failed: {message}")]
    Factory {
        /// The balancer's name.
        balancer: String,
        /// The factory's error, with its sources.
        message: String,
    },
    /// A user's channel on the in-memory transport made calls but never dialled through the
    /// target's connector: it dials the addresses itself, which only TCP can answer.
    #[error(
        "the channel under test ({balancer}) reached no backend: {calls} calls ended in the \
         warm-up ({warm_up:?}) and the first {bound:?} of the load, and not one connect went \
         through the target's connector: the channel never connects, or it dials the addresses \
         itself. A channel that dials them itself (tonic's `Endpoint::connect`) cannot reach \
         the in-memory transport, whose addresses refuse every outside dial: build it with \
         `Endpoint::connect_with_connector_lazy(target.connector.clone())`, or play the story \
         on tcp (`Scenario::with_transport(Transport::Tcp)`)"
    )]
    Unreached {
        /// The balancer's name.
        balancer: String,
        /// Calls that ended before the run was stopped.
        calls: u64,
        /// The scenario's warm-up.
        warm_up: std::time::Duration,
        /// How long the load ran.
        bound: std::time::Duration,
    },
    /// tokio could not start a runtime to run on.
    #[error("cannot start a tokio runtime: {0}")]
    Runtime(#[source] io::Error),
    /// A backend could not listen on its address.
    #[error("{backend} could not listen on {address}: {source}")]
    Listen {
        /// The backend's name.
        backend: String,
        /// The address it tried.
        address: String,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A backend could not listen on its address again after a fault took it down (over TCP
    /// another socket can take a port while its backend is down): the run could not give the
    /// client under test the backends it declares.
    #[error("{backend} could not listen again on {address}: {source}")]
    ListenAgain {
        /// The backend's name.
        backend: String,
        /// The address it tried, `host:port`.
        address: String,
        /// Why (`AddrInUse` when the port was taken), shared by every reading of the failure.
        #[source]
        source: std::sync::Arc<io::Error>,
    },
    /// A backend's listener could not accept connections (out of file descriptors, say): the
    /// run could not give the client under test the backends it declares.
    #[error("{backend} could not accept connections: {reason}")]
    Accept {
        /// The backend's name.
        backend: String,
        /// Why, as the system said it (the first time).
        reason: String,
    },
}

/// The harness's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `error` and every source under it, joined by `: `, without repeats (jostle's
/// [`error_chain`](jostle::balance::error_chain), the one home of that rule).
pub use jostle::balance::error_chain;
