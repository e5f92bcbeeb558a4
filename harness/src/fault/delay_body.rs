//! [`DelayBody`]: a response body that waits before its first frame.

use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;
use tokio::time::Sleep;

pin_project! {
    /// Holds back the first frame of `inner` for a while: the response headers are out, the
    /// first message is late.
    #[derive(Debug)]
    pub struct DelayBody<B> {
        #[pin]
        inner: B,
        delay: Option<Pin<Box<Sleep>>>,
    }
}

impl<B> DelayBody<B> {
    /// Delays the first frame of `inner` by `delay`.
    pub fn new(inner: B, delay: Duration) -> Self {
        Self { inner, delay: Some(Box::pin(tokio::time::sleep(delay))) }
    }
}

impl<B: Body> Body for DelayBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        if let Some(delay) = this.delay {
            ready!(delay.as_mut().poll(cx));
            *this.delay = None;
        }
        this.inner.poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.delay.is_none() && self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

use std::future::Future as _;
