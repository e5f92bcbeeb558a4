//! [`Connector`]: dials a cluster's addresses on whichever transport it runs.

use super::{Killable, MemNetwork};
use http::Uri;
use hyper_util::rt::TokioIo;
use jostle::dial::{DialFuture, TcpConnector};
use std::io;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::DuplexStream;
use tokio::net::TcpStream;
use tokio_util::either::Either;
use tower::Service;

/// A connector for `Endpoint::connect_with_connector` (or any `Service<Uri>` consumer, such as
/// jostle's dialers) that reaches a cluster's backends by address.
#[derive(Debug, Clone)]
pub enum Connector {
    /// Dials a [`MemNetwork`].
    InMemory(Arc<MemNetwork>),
    /// Dials TCP.
    Tcp(TcpConnector),
}

impl Connector {
    /// A connector to the addresses of `network`.
    pub fn in_memory(network: &Arc<MemNetwork>) -> Self {
        Connector::InMemory(Arc::clone(network))
    }

    /// A TCP connector.
    pub fn tcp() -> Self {
        Connector::Tcp(TcpConnector::new())
    }
}

/// The client's end of a connection: in memory, reset when the backend is killed (`Left`), or
/// TCP (`Right`).
pub type ClientStream = Either<Killable<DuplexStream>, TcpStream>;

impl Service<Uri> for Connector {
    type Response = TokioIo<ClientStream>;
    type Error = io::Error;
    type Future = DialFuture<Self::Response>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        match self {
            Connector::InMemory(network) => {
                let network = Arc::clone(network);
                Box::pin(async move {
                    let authority = uri.authority().ok_or_else(|| {
                        io::Error::new(
                            io::ErrorKind::InvalidInput,
                            format!("no authority in {uri}"),
                        )
                    })?;
                    let stream = network.connect(authority.as_str()).await?;
                    Ok(TokioIo::new(Either::Left(stream)))
                })
            }
            Connector::Tcp(tcp) => {
                let connect = tcp.call(uri);
                Box::pin(
                    async move { Ok(TokioIo::new(Either::Right(connect.await?.into_inner()))) },
                )
            }
        }
    }
}
