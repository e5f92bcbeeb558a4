//! [`Connector`]: dials a cluster's addresses on whichever transport it runs.

use super::{Killable, MemNetwork};
use http::Uri;
use hyper_util::rt::TokioIo;
use jostle::dial::{DialFuture, TcpConnector};
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, DuplexStream, ReadBuf};
use tokio::net::TcpStream;
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

/// The client's end of a connection, on either transport.
#[derive(Debug)]
pub enum ClientStream {
    /// In-memory; reset when the backend is killed.
    Mem(Killable<DuplexStream>),
    /// TCP.
    Tcp(TcpStream),
}

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
                    Ok(TokioIo::new(ClientStream::Mem(stream)))
                })
            }
            Connector::Tcp(tcp) => {
                let connect = tcp.call(uri);
                Box::pin(
                    async move { Ok(TokioIo::new(ClientStream::Tcp(connect.await?.into_inner()))) },
                )
            }
        }
    }
}

macro_rules! delegate {
    ($self:ident, $stream:ident => $call:expr) => {
        match $self.get_mut() {
            ClientStream::Mem($stream) => $call,
            ClientStream::Tcp($stream) => $call,
        }
    };
}

impl AsyncRead for ClientStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        delegate!(self, s => Pin::new(s).poll_read(cx, buf))
    }
}

impl AsyncWrite for ClientStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        delegate!(self, s => Pin::new(s).poll_write(cx, buf))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        delegate!(self, s => Pin::new(s).poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        delegate!(self, s => Pin::new(s).poll_shutdown(cx))
    }
}
