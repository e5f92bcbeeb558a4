//! [`FallbackDialer`]: the article's `DialWithFallback`, kept faithfully, flaws and all.

use super::RoundRobinDialer;
use http::Uri;
use jostle::dial::DialFuture;
use std::io;
use std::task::{Context, Poll};
use std::time::Duration;

/// The article's fallback timeout: `net.DialTimeout("tcp", servers[0], 3*time.Second)`.
pub const FALLBACK_DIAL_TIMEOUT: Duration = Duration::from_secs(3);

/// The article's `DialWithFallback`: dial the next address round robin; if that fails, dial the
/// FIRST address, with a 3 s timeout.
///
/// # Its flaws, which jostle's harness must catch
/// - Everything [`RoundRobinDialer`] has: it balances connections, not requests.
/// - Every failure lands on `servers[0]`: with one backend down, the first backend takes its
///   own share and the dead one's; with the first backend down too, the fallback fails as well.
/// - It never learns: the dead address stays in the rotation and is dialed again in turn.
///
/// # When to use it
/// Never in production; here so tests can show what it does.
///
/// ```
/// use jostle::dial::TcpConnector;
/// use jostle_harness::dial::FallbackDialer;
///
/// let servers = ["http://127.0.0.1:1", "http://127.0.0.1:2"].map(|a| a.parse().unwrap());
/// let dialer = FallbackDialer::new(servers, TcpConnector::new());
/// assert_eq!(dialer.servers().len(), 2);
/// ```
#[derive(Debug, Clone)]
pub struct FallbackDialer<C> {
    round_robin: RoundRobinDialer<C>,
    connector: C,
    fallback_timeout: Duration,
}

impl<C: Clone> FallbackDialer<C> {
    /// A fallback dialer over `servers`, dialing with `connector`: the article's 5 s round-robin
    /// timeout and 3 s fallback timeout.
    pub fn new(servers: impl IntoIterator<Item = Uri>, connector: C) -> Self {
        Self {
            round_robin: RoundRobinDialer::new(servers, connector.clone()),
            connector,
            fallback_timeout: FALLBACK_DIAL_TIMEOUT,
        }
    }

    /// The addresses it cycles through; the first is the fallback.
    pub fn servers(&self) -> &[Uri] {
        self.round_robin.servers()
    }
}

impl<C> tower::Service<Uri> for FallbackDialer<C>
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

    fn call(&mut self, target: Uri) -> Self::Future {
        let primary = self.round_robin.call(target);
        let first = self.servers().first().cloned();
        let connector = self.connector.clone();
        let timeout = self.fallback_timeout;
        Box::pin(async move {
            let primary_error = match primary.await {
                Ok(stream) => return Ok(stream),
                Err(error) => error,
            };
            let first = first.ok_or(primary_error)?;
            super::dial_with_timeout(connector, first, timeout, "fallback dial").await
        })
    }
}
