//! [`ListenerFailure`]: why a backend could not take connections, the first time it could not.

use std::io;
use std::sync::Arc;

/// Why a backend could not take connections, kept by its [`BackendStats`](super::BackendStats)
/// the first time: the run that saw it did not give the client under test the backends it
/// declares (`Cluster::accept_failure` turns it into the run's error).
///
/// ```
/// use jostle_harness::record::{BackendStats, ListenerFailure};
///
/// let stats = BackendStats::default();
/// let taken = std::io::Error::from(std::io::ErrorKind::AddrInUse);
/// assert!(stats.listen_again_failed("127.0.0.1:7001", taken), "the first failure is kept");
/// let Some(ListenerFailure::ListenAgain { address, source }) = stats.accept_failure() else {
///     panic!("a failed re-listen is kept as its own kind");
/// };
/// assert_eq!((address.as_str(), source.kind()), ("127.0.0.1:7001", std::io::ErrorKind::AddrInUse));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ListenerFailure {
    /// Its listener could not accept a connection (out of file descriptors, say).
    Accept {
        /// Why, as the system said it.
        reason: String,
    },
    /// It could not listen on its address again after a fault took it down: over TCP another
    /// socket can take a port while its backend is down.
    ListenAgain {
        /// The address it tried, `host:port`.
        address: String,
        /// Why, as the system said it (`AddrInUse` when the port was taken).
        source: Arc<io::Error>,
    },
}

impl std::fmt::Display for ListenerFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Accept { reason } => write!(f, "could not accept connections: {reason}"),
            Self::ListenAgain { address, source } => {
                write!(f, "could not listen again on {address}: {source}")
            }
        }
    }
}
