//! [`Watched`]: a connection that tells when it closes, so a dead endpoint leaves the ready set
//! before the next call is sent to it.

use http::Uri;
use hyper_util::rt::TokioIo;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::watch;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Set once a watched connection failed, hit end of stream, or was dropped, or once the channel
/// kicked it for its health; keeps the first reason, for the "endpoint ejected" event.
#[derive(Debug)]
pub(crate) struct Closed(watch::Sender<Option<&'static str>>);

impl Closed {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self(watch::channel(None).0))
    }

    /// Marks the connection closed because of `reason`, unless it is closed already.
    pub(crate) fn close(&self, reason: &'static str) {
        self.0.send_if_modified(|closed| {
            let first = closed.is_none();
            if first {
                *closed = Some(reason);
            }
            first
        });
    }

    /// Resolves once the connection is closed, with the first reason given.
    pub(crate) async fn wait(&self) -> &'static str {
        let mut closed = self.0.subscribe();
        // `self` holds the sender: this cannot fail.
        let reason = closed.wait_for(Option::is_some).await.ok().and_then(|reason| *reason);
        reason.unwrap_or("connection closed")
    }
}

/// A stream that sets [`Closed`] on its first error, on end of stream, and on drop.
#[derive(Debug)]
pub(crate) struct Watched<T> {
    inner: T,
    closed: Arc<Closed>,
}

impl<T> Drop for Watched<T> {
    fn drop(&mut self) {
        self.closed.close("connection dropped");
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let wanted = buf.remaining() > 0;
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        match &polled {
            Poll::Ready(Err(_)) => self.closed.close("connection failed"),
            Poll::Ready(Ok(())) if wanted && buf.filled().len() == before => {
                self.closed.close("connection closed by the peer");
            }
            _ => {}
        }
        polled
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Err(_)) = &polled {
            self.closed.close("connection failed");
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.inner).poll_shutdown(cx);
        self.closed.close("connection shut down");
        polled
    }
}

/// Wraps a connector whose streams are `TokioIo<T>` so that its one connection is watched.
#[derive(Debug, Clone)]
pub(crate) struct WatchConnector<C> {
    pub(crate) inner: C,
    pub(crate) closed: Arc<Closed>,
}

impl<C, T> tower::Service<Uri> for WatchConnector<C>
where
    C: tower::Service<Uri, Response = TokioIo<T>>,
    C::Future: Send + 'static,
    C::Error: Into<BoxError>,
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Response = TokioIo<Watched<T>>;
    type Error = BoxError;
    type Future =
        Pin<Box<dyn std::future::Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let connecting = self.inner.call(uri);
        let closed = Arc::clone(&self.closed);
        Box::pin(async move {
            let stream = connecting.await.map_err(Into::into)?.into_inner();
            Ok(TokioIo::new(Watched { inner: stream, closed }))
        })
    }
}
