//! [`TcpConnector`]: a plain TCP connector with `TCP_NODELAY`, as tonic's own uses.

use super::DialFuture;
use http::Uri;
use hyper_util::rt::TokioIo;
use std::io;
use std::task::{Context, Poll};
use tokio::net::TcpStream;

/// Connects to the `host:port` of a `http://` URI over TCP.
///
/// ```
/// use jostle::dial::TcpConnector;
/// use tower::ServiceExt;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
/// let uri = format!("http://{}", listener.local_addr().unwrap()).parse().unwrap();
/// let stream = TcpConnector::new().oneshot(uri).await.unwrap();
/// assert!(stream.inner().nodelay().unwrap());
/// # }
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct TcpConnector {
    _private: (),
}

impl TcpConnector {
    /// A TCP connector.
    pub fn new() -> Self {
        Self::default()
    }
}

impl tower::Service<Uri> for TcpConnector {
    type Response = TokioIo<TcpStream>;
    type Error = io::Error;
    type Future = DialFuture<Self::Response>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        Box::pin(async move {
            let host = uri.host().ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidInput, format!("no host in {uri}"))
            })?;
            let host = host.trim_start_matches('[').trim_end_matches(']').to_owned();
            let port = uri.port_u16().ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidInput, format!("no port in {uri}"))
            })?;
            let stream = TcpStream::connect((host.as_str(), port)).await?;
            stream.set_nodelay(true)?;
            Ok(TokioIo::new(stream))
        })
    }
}
