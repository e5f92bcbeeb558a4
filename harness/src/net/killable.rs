//! [`Killable`]: a stream whose reads and writes fail when its backend is killed.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_util::sync::CancellationToken;

/// How long a reset takes to reach the far end of a connection.
const RESET_TRAVELS: std::time::Duration = std::time::Duration::from_micros(50);

/// Wraps a stream so that, once `kill` is cancelled, every read and write fails with
/// `ConnectionReset`, as a peer's RST would make them.
///
/// Aborting a tonic serve task leaves its connections serving (docs/TONIC.md); wrapping
/// every accepted stream in a `Killable` is how an abrupt stop really cuts them.
///
/// Two ends, two timings:
/// - [`Killable::new`], the dying server's end: it fails at the instant of the kill (a dead
///   process answers nothing more).
/// - [`Killable::peer`], the client's end: the reset reaches it as a RST reaches a TCP socket,
///   one scheduling round after the kill (tokio's `yield_now`: after the tasks already woken
///   have run, and after the I/O driver). A call a client hands its connection at the instant
///   of a crash is then written into the dead connection and fails as a reset
///   (`Unknown`), as over TCP, instead of being dropped unsent from a connection the client
///   already saw die (`Cancelled`), which TCP never shows at that instant.
///
/// ```
/// use jostle_harness::net::Killable;
/// use tokio::io::AsyncReadExt;
/// use tokio_util::sync::CancellationToken;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let (client, _server) = tokio::io::duplex(64);
/// let kill = CancellationToken::new();
/// let mut stream = Killable::peer(client, kill.clone());
/// kill.cancel();
/// let error = stream.read_u8().await.unwrap_err();
/// assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset);
/// # }
/// ```
pub struct Killable<S> {
    inner: S,
    killed: Pin<Box<dyn Future<Output = ()> + Send + Sync>>,
    kill: CancellationToken,
    dead: bool,
}

impl<S: std::fmt::Debug> std::fmt::Debug for Killable<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Killable").field("inner", &self.inner).field("dead", &self.dead).finish()
    }
}

impl<S> Killable<S> {
    /// Wraps `inner`; cancelling `kill` resets it at once.
    pub fn new(inner: S, kill: CancellationToken) -> Self {
        Self { inner, killed: Box::pin(kill.clone().cancelled_owned()), kill, dead: false }
    }

    /// Wraps the far end of a connection: cancelling `kill` resets it one scheduling round
    /// later, as a RST travels to a TCP peer.
    pub fn peer(inner: S, kill: CancellationToken) -> Self {
        let cancelled = kill.clone().cancelled_owned();
        let travels = async move {
            cancelled.await;
            tokio::time::sleep(RESET_TRAVELS).await;
        };
        Self { inner, killed: Box::pin(travels), kill, dead: false }
    }

    /// The wrapped stream.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// `Ready(Ok)`: the stream lives, use it. `Ready(Err)`: reset. `Pending`: killed, and the
    /// reset is on its way to this end: nothing of the stream shows until it arrives (not the
    /// end of the stream the dying peer's drop makes, which TCP would turn into a reset too).
    fn check(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if !self.dead {
            if self.killed.as_mut().poll(cx).is_ready() {
                self.dead = true;
            } else if self.kill.is_cancelled() {
                return Poll::Pending;
            }
        }
        if self.dead {
            Poll::Ready(Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "connection reset: backend killed",
            )))
        } else {
            Poll::Ready(Ok(()))
        }
    }
}
impl<S: AsyncRead + Unpin> AsyncRead for Killable<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        std::task::ready!(self.check(cx))?;
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Killable<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        std::task::ready!(self.check(cx))?;
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        std::task::ready!(self.check(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        std::task::ready!(self.check(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
