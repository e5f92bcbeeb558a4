//! [`RecordBody`]: a response body that records its call's status when the trailers pass.

use super::layer::Pending;
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use tonic::Code;

pin_project! {
    /// Wraps a response body; records the call's code from its trailers, `UNKNOWN` if the body
    /// ends without any, `CANCELLED` if it is dropped first.
    #[derive(Debug)]
    pub struct RecordBody<B> {
        #[pin]
        inner: B,
        pending: Option<Pending>,
    }
}

impl<B> RecordBody<B> {
    pub(crate) fn new(inner: B, pending: Option<Pending>) -> Self {
        Self { inner, pending }
    }
}

impl<B: Body> Body for RecordBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        let frame = ready!(this.inner.poll_frame(cx));
        match &frame {
            Some(Ok(frame)) => {
                if let Some(trailers) = frame.trailers_ref()
                    && let Some(pending) = this.pending.take()
                {
                    pending.finish(jostle::grpc::status(trailers).unwrap_or(Code::Unknown));
                }
            }
            Some(Err(_)) => {
                if let Some(pending) = this.pending.take() {
                    pending.finish(Code::Internal);
                }
            }
            None => {
                if let Some(pending) = this.pending.take() {
                    pending.finish(Code::Unknown);
                }
            }
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
