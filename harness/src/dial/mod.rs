//! The article's two dialers, kept faithfully as specimens of what the harness must catch:
//! connectors for tonic's `Endpoint::connect_with_connector`, the Rust form of grpc-go's
//! `WithContextDialer`. Never for production: they balance connections, not calls.
//!
//! A connector runs once per *connection*, not per request: a tonic `Channel` is one HTTP/2
//! connection that carries every call until it breaks. That is why the article's
//! [`RoundRobinDialer`] does not balance requests: it picks a backend each time the channel
//! (re)connects, and then sends everything there.
//!
//! ```
//! use jostle::dial::TcpConnector;
//! use jostle_harness::dial::RoundRobinDialer;
//! use tonic::transport::Endpoint;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dialer = RoundRobinDialer::new(
//!     ["http://127.0.0.1:50051", "http://127.0.0.1:50052"].map(|a| a.parse().unwrap()),
//!     TcpConnector::new(),
//! );
//! // The endpoint's own address is ignored: the dialer picks the real target.
//! let _channel = Endpoint::from_static("http://orders.invalid")
//!     .connect_with_connector_lazy(dialer);
//! # Ok(())
//! # }
//! ```

mod fallback;
mod round_robin;

pub use fallback::{FALLBACK_DIAL_TIMEOUT, FallbackDialer};
pub use round_robin::{DEFAULT_DIAL_TIMEOUT, RoundRobinDialer};

/// Dials `server` with `connector`, bounded by `timeout` (dropping the future cancels the dial);
/// errors name the server, as the article's `net.DialTimeout` does.
async fn dial_with_timeout<C>(
    connector: C,
    server: http::Uri,
    timeout: std::time::Duration,
    what: &str,
) -> std::io::Result<C::Response>
where
    C: tower::Service<http::Uri>,
    C::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    use tower::ServiceExt;
    match tokio::time::timeout(timeout, connector.oneshot(server.clone())).await {
        Ok(Ok(stream)) => Ok(stream),
        Ok(Err(error)) => Err(std::io::Error::other(format!("{what} {server}: {}", error.into()))),
        Err(_) => Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!("{what} {server}: timed out after {timeout:?}"),
        )),
    }
}
