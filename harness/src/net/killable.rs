//! [`Killable`]: a stream whose reads and writes fail when its backend is killed.

use super::turn::Arrivals;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_util::sync::CancellationToken;

/// Wraps a stream so that, once `kill` is cancelled, every read and write fails with
/// `ConnectionReset`, as a peer's RST would make them.
///
/// Aborting a tonic serve task leaves its connections serving (docs/TONIC.md); wrapping
/// every accepted stream in a `Killable` is how an abrupt stop really cuts them.
///
/// Two ends, two timings:
/// - [`Killable::new`], the dying server's end: it fails at the instant of the kill (a dead
///   process answers nothing more).
/// - [`Killable::peer`], the client's end, which sees the kill as a TCP client sees a RST:
///   only once the server's end is gone (a socket with zero linger sends its RST when it is
///   closed), and then as tokio's I/O driver shows it: a write fails at once (the kernel
///   holds the RST), a read learns of new data, or of the reset, only after the driver's
///   next turn, once the tasks woken before it have run. So a call handed to a connection at
///   the instant of a GOAWAY is sent before the client reads the GOAWAY (and is served), a
///   call made on the line after `crash().await` meets a connection whose task already read
///   the reset (hyper drops it unsent: `Cancelled`), and a call handed over as the crash
///   happens is written into the dead connection (`Unknown`): each as over TCP. The end of
///   stream the dying server's drop makes reads as the reset, as TCP turns it into one.
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
/// drop(_server); // the dying backend's end goes
/// let error = stream.read_u8().await.unwrap_err();
/// assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset);
/// # }
/// ```
pub struct Killable<S> {
    inner: S,
    killed: Pin<Box<dyn Future<Output = ()> + Send + Sync>>,
    kill: CancellationToken,
    dead: bool,
    /// The client's end: what reaches it waits for the driver's turn. `None`: the server's.
    arrivals: Option<Arrivals>,
}

impl<S: std::fmt::Debug> std::fmt::Debug for Killable<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Killable").field("inner", &self.inner).field("dead", &self.dead).finish()
    }
}

fn reset() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionReset, "connection reset: backend killed")
}

impl<S> Killable<S> {
    /// Wraps `inner`; cancelling `kill` resets it at once.
    pub fn new(inner: S, kill: CancellationToken) -> Self {
        Self {
            inner,
            killed: Box::pin(kill.clone().cancelled_owned()),
            kill,
            dead: false,
            arrivals: None,
        }
    }

    /// Wraps the client's end of a connection: what reaches it (data, the reset that
    /// cancelling `kill` sends) is seen after the I/O driver's next turn, as over TCP.
    pub fn peer(inner: S, kill: CancellationToken) -> Self {
        Self { arrivals: Some(Arrivals::new()), ..Self::new(inner, kill) }
    }

    /// The wrapped stream.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Whether the kill has come (registering the task for it).
    fn killed(&mut self, cx: &mut Context<'_>) -> bool {
        self.dead = self.dead || self.killed.as_mut().poll(cx).is_ready();
        self.dead
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Killable<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let Some(arrivals) = &this.arrivals else {
            if this.killed(cx) {
                return Poll::Ready(Err(reset()));
            }
            return Pin::new(&mut this.inner).poll_read(cx, buf);
        };
        arrivals.register(cx);
        if !arrivals.readable() {
            return Poll::Pending;
        }
        let before = buf.filled().len();
        let read =
            Pin::new(&mut this.inner).poll_read(&mut Context::from_waker(arrivals.notice()), buf);
        if read.is_ready() {
            arrivals.read_found();
        }
        let ended = matches!(read, Poll::Ready(Ok(()))) && buf.filled().len() == before;
        if ended && buf.remaining() > 0 && this.kill.is_cancelled() {
            // The killed server's end is gone: over TCP that is a reset, not an end of stream.
            return Poll::Ready(Err(reset()));
        }
        read
    }
}

impl<S> Killable<S> {
    /// A write or flush on the client's end after the server's end is gone fails as after a
    /// RST; the server's end fails once killed.
    fn write_outcome<T>(
        &mut self,
        cx: &mut Context<'_>,
        write: impl FnOnce(&mut S, &mut Context<'_>) -> Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if self.arrivals.is_none() && self.killed(cx) {
            return Poll::Ready(Err(reset()));
        }
        match write(&mut self.inner, cx) {
            Poll::Ready(Err(error))
                if self.arrivals.is_some()
                    && error.kind() == io::ErrorKind::BrokenPipe
                    && self.kill.is_cancelled() =>
            {
                Poll::Ready(Err(reset()))
            }
            other => other,
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Killable<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.write_outcome(cx, |inner, cx| Pin::new(inner).poll_write(cx, buf))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.write_outcome(cx, |inner, cx| Pin::new(inner).poll_flush(cx))
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.write_outcome(cx, |inner, cx| Pin::new(inner).poll_shutdown(cx))
    }
}
