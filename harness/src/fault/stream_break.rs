//! [`BreakBody`]: a response body that breaks a gRPC server stream after N complete messages.
//!
//! A gRPC message on the wire is a 5-byte prefix (a compressed flag, then the length as a
//! big-endian `u32`) followed by that many bytes; the encoder may put several messages in one
//! DATA frame or split one message, even its prefix, across frames. [`BreakBody`] counts whole
//! messages across any such frame boundaries, passes exactly the first N of them through and then
//! fails the body. hyper answers a failed body by resetting the HTTP/2 stream, which the client
//! sees as a server stream broken part-way through.

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use std::future::Future as _;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;
use tokio::time::Sleep;

/// The error type of [`BreakBody`], as the `Body` trait wants it.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The error a [`BreakBody`] fails with once it has passed its messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("stream broken by fault after {messages} message{}", if *.messages == 1 { "" } else { "s" })]
pub(crate) struct StreamBroken {
    /// How many complete messages passed before the break.
    pub(crate) messages: u32,
}

pin_project! {
    /// Wraps a gRPC response body and breaks it after `after_messages` complete messages.
    ///
    /// Data passes through unchanged until the `after_messages`-th message is complete; no byte
    /// after it is passed (a frame that also holds the start of the next message is cut at the
    /// message's end). The poll after that returns an error, once, which makes hyper reset the
    /// HTTP/2 stream; every poll after the error returns `None`. With `after_messages = 0` the
    /// first poll is the error. The break replaces the trailers even when the stream has exactly
    /// `after_messages` messages. A stream that ends with fewer messages is not broken: its
    /// trailers, an error from the inner body, and its end pass through unchanged.
    ///
    /// ```
    /// use http_body::Body;
    /// use jostle_harness::fault::BreakBody;
    /// use std::pin::pin;
    /// use std::task::{Context, Poll, Waker};
    ///
    /// // Two gRPC messages, "hi" and "yo", in one DATA frame (a `String` is an in-memory body).
    /// let wire = String::from("\0\0\0\0\x02hi\0\0\0\0\x02yo");
    /// let mut body = pin!(BreakBody::new(wire, 1));
    /// let mut cx = Context::from_waker(Waker::noop());
    ///
    /// // Only the first message passes...
    /// let Poll::Ready(Some(Ok(frame))) = body.as_mut().poll_frame(&mut cx) else {
    ///     panic!("the first message passes");
    /// };
    /// assert_eq!(frame.into_data().unwrap(), "\0\0\0\0\x02hi");
    ///
    /// // ...then the stream breaks, once.
    /// let Poll::Ready(Some(Err(error))) = body.as_mut().poll_frame(&mut cx) else {
    ///     panic!("the stream breaks after one message");
    /// };
    /// assert_eq!(error.to_string(), "stream broken by fault after 1 message");
    /// assert!(matches!(body.as_mut().poll_frame(&mut cx), Poll::Ready(None)));
    /// ```
    #[derive(Debug)]
    pub struct BreakBody<B> {
        #[pin]
        inner: B,
        after: u32,
        counter: MessageCounter,
        state: State,
        settle: Option<Duration>,
        settling: Option<Pin<Box<Sleep>>>,
    }
}

/// Where a [`BreakBody`] stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Passing the inner body through while counting messages.
    Streaming,
    /// All messages passed; the next poll returns the break.
    Breaking,
    /// The break was returned, or the inner body ended: nothing more comes.
    Done,
}

impl<B> BreakBody<B> {
    /// Wraps `inner` so that it breaks after `after_messages` complete gRPC messages.
    pub fn new(inner: B, after_messages: u32) -> Self {
        let state = if after_messages == 0 { State::Breaking } else { State::Streaming };
        Self {
            inner,
            after: after_messages,
            counter: MessageCounter::default(),
            state,
            settle: None,
            settling: None,
        }
    }

    /// Waits `settle` (on tokio's clock) between the last message and the break.
    ///
    /// hyper resets the HTTP/2 stream as soon as the body fails, and h2 drops the DATA still
    /// queued for a reset stream: without a pause the client may never see the last messages.
    /// Under the paused clock the pause ends only when every other task is idle, so the
    /// messages are on the wire first; on real time it makes that very likely, not certain.
    #[must_use]
    pub fn settle(mut self, settle: Duration) -> Self {
        self.settle = Some(settle);
        self
    }
}

impl<B> Body for BreakBody<B>
where
    B: Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        match *this.state {
            State::Streaming => {}
            State::Breaking => {
                if let Some(settle) = *this.settle {
                    let settling =
                        this.settling.get_or_insert_with(|| Box::pin(tokio::time::sleep(settle)));
                    ready!(settling.as_mut().poll(cx));
                }
                *this.state = State::Done;
                return Poll::Ready(Some(Err(Box::new(StreamBroken { messages: *this.after }))));
            }
            State::Done => return Poll::Ready(None),
        }
        match ready!(this.inner.poll_frame(cx)) {
            Some(Ok(frame)) => match frame.into_data() {
                Ok(mut data) => {
                    if let Some(end) = this.counter.scan(&data, *this.after) {
                        data.truncate(end);
                        *this.state = State::Breaking;
                    }
                    Poll::Ready(Some(Ok(Frame::data(data))))
                }
                // Trailers: the stream ended before the break.
                Err(frame) => Poll::Ready(Some(Ok(frame))),
            },
            Some(Err(error)) => Poll::Ready(Some(Err(error.into()))),
            None => {
                *this.state = State::Done;
                Poll::Ready(None)
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self.state {
            State::Streaming => self.inner.is_end_stream(),
            State::Breaking => false,
            State::Done => true,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self.state {
            // The break may come before the inner body's end: promise no more than its upper bound.
            State::Streaming => {
                let mut hint = SizeHint::new();
                if let Some(upper) = self.inner.size_hint().upper() {
                    hint.set_upper(upper);
                }
                hint
            }
            // No data is left, but an exact 0 would read as an empty, complete body.
            State::Breaking => SizeHint::new(),
            State::Done => SizeHint::with_exact(0),
        }
    }
}

/// Counts complete gRPC messages in a byte stream cut into arbitrary chunks.
#[derive(Debug, Default, Clone, Copy)]
struct MessageCounter {
    /// Complete messages seen.
    messages: u32,
    /// Where the scan is inside the current message.
    cursor: Cursor,
}

/// A position inside one length-prefixed gRPC message.
#[derive(Debug, Clone, Copy)]
enum Cursor {
    /// Inside the 5-byte prefix: `read` of its bytes seen, `length` built from those read so far.
    Prefix { read: u8, length: u32 },
    /// Inside the payload, `left` bytes still to come.
    Payload { left: u32 },
}

impl Default for Cursor {
    fn default() -> Self {
        Self::Prefix { read: 0, length: 0 }
    }
}

impl MessageCounter {
    /// The size of a message's prefix: the compressed flag and the 4-byte length.
    const PREFIX_LEN: u8 = 5;

    /// Scans the next chunk of the stream. Returns the offset just past the end of message
    /// number `limit` if it ends in `chunk`; the rest of `chunk` is then left unscanned.
    fn scan(&mut self, chunk: &[u8], limit: u32) -> Option<usize> {
        let mut at = 0;
        while at < chunk.len() {
            let complete = match self.cursor {
                Cursor::Prefix { read, length } => {
                    // Byte 0 is the compressed flag; bytes 1..5 are the big-endian length.
                    let length = if read == 0 { 0 } else { (length << 8) | u32::from(chunk[at]) };
                    let read = read + 1;
                    at += 1;
                    if read < Self::PREFIX_LEN {
                        self.cursor = Cursor::Prefix { read, length };
                        false
                    } else if length == 0 {
                        true
                    } else {
                        self.cursor = Cursor::Payload { left: length };
                        false
                    }
                }
                Cursor::Payload { left } => {
                    let available = chunk.len() - at;
                    match usize::try_from(left) {
                        Ok(left) if left <= available => {
                            at += left;
                            true
                        }
                        _ => {
                            let taken = u32::try_from(available)
                                .expect("fewer bytes available than left, which is a u32");
                            self.cursor = Cursor::Payload { left: left - taken };
                            at = chunk.len();
                            false
                        }
                    }
                }
            };
            if complete {
                self.cursor = Cursor::default();
                self.messages += 1;
                if self.messages == limit {
                    return Some(at);
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests;
