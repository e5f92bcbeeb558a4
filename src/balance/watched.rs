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

/// Set once a watched connection failed, hit end of stream, or was dropped.
#[derive(Debug)]
pub(crate) struct Closed(watch::Sender<bool>);

impl Closed {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self(watch::channel(false).0))
    }

    pub(crate) fn close(&self) {
        self.0.send_replace(true);
    }

    /// Resolves once the connection is closed.
    pub(crate) async fn wait(&self) {
        let mut closed = self.0.subscribe();
        // `self` holds the sender: this cannot fail.
        let _ = closed.wait_for(|closed| *closed).await;
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
        self.closed.close();
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
            Poll::Ready(Err(_)) => self.closed.close(),
            Poll::Ready(Ok(())) if wanted && buf.filled().len() == before => self.closed.close(),
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
            self.closed.close();
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.inner).poll_shutdown(cx);
        self.closed.close();
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
