//! [`ServerConn`]: one accepted connection, counted by its backend and killable; the streams
//! its HTTP/2 layer refuses are counted too ([`Refusals`]).

use super::{Killable, Refusals};
use crate::record::BackendStats;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, DuplexStream, ReadBuf};
use tokio::net::TcpStream;
use tokio_util::either::Either;
use tokio_util::sync::CancellationToken;

/// The server's end of a connection: in memory (`Left`) or TCP with zero linger, so that
/// dropping it resets the peer (`Right`).
pub type ServerStream = Either<DuplexStream, TcpStream>;

/// An accepted connection: counted open while it lives, reset when its backend is killed.
#[derive(Debug)]
pub struct ServerConn {
    stream: Killable<ServerStream>,
    stats: Arc<BackendStats>,
    refusals: Refusals,
}

impl ServerConn {
    /// Counts the connection as accepted and open on `stats` until it is dropped.
    pub(crate) fn new(
        stream: ServerStream,
        kill: CancellationToken,
        stats: Arc<BackendStats>,
    ) -> Self {
        stats.connection_opened();
        Self { stream: Killable::new(stream, kill), stats, refusals: Refusals::default() }
    }
}

impl Drop for ServerConn {
    fn drop(&mut self) {
        self.stats.connection_closed();
    }
}

impl AsyncRead for ServerConn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for ServerConn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let written = Pin::new(&mut this.stream).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = written {
            let stats = &this.stats;
            this.refusals.feed(&buf[..n], |reason| stats.stream_refused(reason));
        }
        written
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
