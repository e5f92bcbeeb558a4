//! [`RoundRobinDialer`]: the article's round-robin dialer, kept faithfully, flaws and all.

use http::Uri;
use jostle::dial::DialFuture;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

/// The article's dial timeout: "so a hung server does not block the dialer indefinitely".
pub const DEFAULT_DIAL_TIMEOUT: Duration = Duration::from_secs(5);

/// The article's `DialBackend`: an atomic counter, bumped on every dial, picks the next address
/// modulo the list; each dial is bounded by a timeout, and dropping the dial cancels it.
///
/// Faithful to the Go original, the counter is incremented *before* use (`atomic.AddUint64`
/// returns the new value), so the first dial goes to the second address.
///
/// # Its flaws, which jostle's harness must catch
/// - It balances connections, not requests: a tonic `Channel` dials once and sends every call
///   over that connection until it breaks. 300 calls go to one backend, not 100 to each.
/// - It knows nothing of health: after a backend dies, the next dial may land on it again.
/// - Behind a dial per request (a new `Channel` per call) it becomes the article's connection
///   storm.
///
/// # When to use it
/// Never in production: prefer a request-level balancer. It is here so that tests can show what
/// it does.
///
/// ```
/// use jostle::dial::TcpConnector;
/// use jostle_harness::dial::RoundRobinDialer;
///
/// let addresses = ["http://127.0.0.1:1", "http://127.0.0.1:2", "http://127.0.0.1:3"];
/// let dialer = RoundRobinDialer::new(addresses.map(|a| a.parse().unwrap()), TcpConnector::new());
/// assert_eq!(dialer.next_index(), Some(1));
/// assert_eq!(dialer.next_index(), Some(2));
/// assert_eq!(dialer.next_index(), Some(0));
/// ```
#[derive(Debug, Clone)]
pub struct RoundRobinDialer<C> {
    shared: Arc<Shared>,
    connector: C,
}

#[derive(Debug)]
struct Shared {
    counter: AtomicU64,
    servers: Vec<Uri>,
    timeout: Duration,
}

impl<C> RoundRobinDialer<C> {
    /// A dialer over `servers` that opens connections with `connector`, with the article's 5 s
    /// dial timeout.
    pub fn new(servers: impl IntoIterator<Item = Uri>, connector: C) -> Self {
        Self {
            shared: Arc::new(Shared {
                counter: AtomicU64::new(0),
                servers: servers.into_iter().collect(),
                timeout: DEFAULT_DIAL_TIMEOUT,
            }),
            connector,
        }
    }

    /// The same dialer with another dial timeout.
    #[must_use]
    pub fn with_timeout(self, timeout: Duration) -> Self {
        let shared = Shared {
            counter: AtomicU64::new(self.shared.counter.load(Ordering::SeqCst)),
            servers: self.shared.servers.clone(),
            timeout,
        };
        Self { shared: Arc::new(shared), connector: self.connector }
    }

    /// The addresses this dialer cycles through.
    pub fn servers(&self) -> &[Uri] {
        &self.shared.servers
    }

    /// Bumps the counter and returns the index the next dial uses, or `None` with no servers.
    pub fn next_index(&self) -> Option<usize> {
        let len = self.shared.servers.len() as u64;
        if len == 0 {
            return None;
        }
        let next = self.shared.counter.fetch_add(1, Ordering::SeqCst).wrapping_add(1);
        usize::try_from(next % len).ok()
    }
}

impl<C> tower::Service<Uri> for RoundRobinDialer<C>
where
    C: tower::Service<Uri> + Clone + Send + 'static,
    C::Response: Send + 'static,
    C::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    C::Future: Send + 'static,
{
    type Response = C::Response;
    type Error = io::Error;
    type Future = DialFuture<C::Response>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    /// Ignores `_target`, as the article's dialer ignores its `addr`.
    fn call(&mut self, _target: Uri) -> Self::Future {
        let picked = self.next_index().map(|index| self.shared.servers[index].clone());
        let connector = self.connector.clone();
        let timeout = self.shared.timeout;
        Box::pin(async move {
            let server = picked
                .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no servers to dial"))?;
            super::dial_with_timeout(connector, server, timeout, "dial").await
        })
    }
}
