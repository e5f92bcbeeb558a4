//! [`ReportBody`]: a response body that keeps its request counted in flight and reports the
//! call's status from the trailers.

use super::EndpointId;
use super::shared::{Ended, InFlight, Shared};
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use tokio::time::Instant;
use tonic::Code;

/// What to report when the trailers come.
#[derive(Debug)]
pub(crate) struct Pending {
    pub(crate) shared: Arc<Shared>,
    pub(crate) id: EndpointId,
    pub(crate) started: Instant,
}

pin_project! {
    /// Wraps an endpoint's response body until it ends.
    #[derive(Debug)]
    pub(crate) struct ReportBody<B> {
        #[pin]
        inner: B,
        in_flight: Option<InFlight>,
        pending: Option<Pending>,
    }
}

impl<B> ReportBody<B> {
    pub(crate) fn new(inner: B, in_flight: InFlight, pending: Option<Pending>) -> Self {
        Self { inner, in_flight: Some(in_flight), pending }
    }
}

impl<B: Body> Body for ReportBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<B::Data>, B::Error>>> {
        let this = self.project();
        let frame = ready!(this.inner.poll_frame(cx));
        let ended = match &frame {
            Some(Ok(frame)) => frame.trailers_ref().map(|trailers| {
                let code = crate::grpc::status(trailers).unwrap_or(Code::Unknown);
                Ended::Status(code)
            }),
            Some(Err(_)) => Some(Ended::Transport),
            None => Some(Ended::Status(Code::Unknown)),
        };
        if let Some(ended) = ended {
            if let Some(pending) = this.pending.take() {
                pending.shared.report(pending.id, ended, pending.started.elapsed());
            }
            this.in_flight.take();
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
