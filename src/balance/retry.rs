//! Transparent retry (gRFC A6): a request body that can be sent again, and the test of whether
//! a failed call reached no server.
//!
//! A call may be sent once more, to the next pick, when no server can have run it: the server
//! refused its stream (`REFUSED_STREAM`: HTTP/2 says it was not processed), the server's
//! GOAWAY named a last stream below it (RFC 9113 §6.8: streams above the GOAWAY's last
//! stream id were not processed and can be retried; grpc-go retries them transparently), or
//! no byte of its message left the client (the connection failed before the body was read: a
//! gRPC handler cannot start without its request message).

use bytes::Bytes;
use http::HeaderMap;
use http_body::{Frame, SizeHint};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use tonic::body::Body;

/// The most request bytes kept for a retry: gRPC's default per-call retry buffer (256 KiB). A
/// call whose message is longer is not retried.
pub(crate) const BUFFER_LIMIT: usize = 256 * 1024;

/// The request body, read once, with what has been read so far kept for a second attempt.
#[derive(Debug)]
struct Recording {
    inner: Body,
    /// Every data frame read, in order, while within [`BUFFER_LIMIT`].
    frames: Vec<Bytes>,
    bytes: usize,
    /// More than [`BUFFER_LIMIT`] was read: no replay.
    overflowed: bool,
    /// Whether any data frame was handed to an attempt.
    sent: bool,
    /// The trailers, once read.
    trailers: Option<HeaderMap>,
    /// Whether `inner` has ended.
    ended: bool,
}

/// One attempt's view of a [`Recording`]: the frames already read, then the rest of the body.
#[derive(Debug)]
pub(crate) struct ReplayBody {
    recording: Arc<Mutex<Recording>>,
    /// The next recorded frame this attempt sends.
    position: usize,
    /// Whether this attempt has sent the trailers.
    trailers_sent: bool,
}

impl ReplayBody {
    /// The first attempt's body over `inner`.
    pub(crate) fn new(inner: Body) -> Self {
        let recording = Recording {
            inner,
            frames: Vec::new(),
            bytes: 0,
            overflowed: false,
            sent: false,
            trailers: None,
            ended: false,
        };
        Self { recording: Arc::new(Mutex::new(recording)), position: 0, trailers_sent: false }
    }

    fn recording(&self) -> std::sync::MutexGuard<'_, Recording> {
        self.recording.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether any byte of the message has left for a server.
    pub(crate) fn sent(&self) -> bool {
        self.recording().sent
    }

    /// A body for the next attempt, from the first byte; `None` if the message outgrew
    /// [`BUFFER_LIMIT`].
    pub(crate) fn replay(&self) -> Option<Self> {
        (!self.recording().overflowed).then(|| Self {
            recording: Arc::clone(&self.recording),
            position: 0,
            trailers_sent: false,
        })
    }
}

impl http_body::Body for ReplayBody {
    type Data = Bytes;
    type Error = tonic::Status;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, tonic::Status>>> {
        let this = self.get_mut();
        let mut recording = this.recording.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(frame) = recording.frames.get(this.position).cloned() {
            this.position += 1;
            recording.sent = true;
            return Poll::Ready(Some(Ok(Frame::data(frame))));
        }
        if recording.ended {
            if this.trailers_sent {
                return Poll::Ready(None);
            }
            this.trailers_sent = true;
            return Poll::Ready(
                recording.trailers.clone().map(|trailers| Ok(Frame::trailers(trailers))),
            );
        }
        let polled = Pin::new(&mut recording.inner).poll_frame(cx);
        let frame = match polled {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(None) => {
                recording.ended = true;
                this.trailers_sent = true;
                return Poll::Ready(None);
            }
            Poll::Ready(Some(Err(status))) => return Poll::Ready(Some(Err(status))),
            Poll::Ready(Some(Ok(frame))) => frame,
        };
        let frame = match frame.into_data() {
            Ok(data) => {
                recording.sent = true;
                if !recording.overflowed {
                    recording.bytes += data.len();
                    if recording.bytes > BUFFER_LIMIT {
                        recording.overflowed = true;
                        recording.frames = Vec::new();
                    } else {
                        recording.frames.push(data.clone());
                        this.position += 1;
                    }
                }
                Frame::data(data)
            }
            Err(frame) => {
                if let Some(trailers) = frame.trailers_ref() {
                    recording.trailers = Some(trailers.clone());
                    recording.ended = true;
                    this.trailers_sent = true;
                }
                frame
            }
        };
        Poll::Ready(Some(Ok(frame)))
    }

    fn is_end_stream(&self) -> bool {
        let recording = self.recording();
        recording.ended && self.position >= recording.frames.len() && self.trailers_sent
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::default()
    }
}

/// Whether `error`, the failure of a call whose body is `body`, shows that no server ran it:
/// its stream was refused or left above a GOAWAY, or none of its message was sent.
pub(crate) fn unprocessed(error: &(dyn std::error::Error + 'static), body: &ReplayBody) -> bool {
    !body.sent() || refused(error)
}

/// Whether `error` has in its chain an HTTP/2 error that says the server did not process the
/// stream: a `REFUSED_STREAM` reset, or the server's GOAWAY. h2 hands a stream the server's
/// GOAWAY (`is_go_away() && is_remote()`) only when the stream's id lies above the GOAWAY's
/// last stream id, or when the stream was opened after the GOAWAY arrived (never sent); a
/// stream the server processed that then breaks gets an I/O or reset error instead.
fn refused(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = Some(error);
    while let Some(error) = source {
        if let Some(h2) = error.downcast_ref::<h2::Error>() {
            return h2.reason() == Some(h2::Reason::REFUSED_STREAM)
                || (h2.is_go_away() && h2.is_remote());
        }
        source = error.source();
    }
    false
}
