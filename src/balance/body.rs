//! [`ReportBody`]: a response body that keeps its request counted in flight, reports the
//! call's status from the trailers, and ends the call at its deadline when the body stalls.

use super::EndpointId;
use super::shared::{Ended, InFlight, Shared};
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;
use tokio::time::{Instant, Sleep};
use tonic::Code;

/// What to report when the trailers come.
#[derive(Debug)]
pub(crate) struct Pending {
    pub(crate) shared: Arc<Shared>,
    pub(crate) id: EndpointId,
    pub(crate) started: Instant,
    /// The call's deadline, and how long it was, for the status.
    pub(crate) deadline: Instant,
    pub(crate) timeout: Duration,
}

pin_project! {
    /// Wraps an endpoint's response body until it ends.
    #[derive(Debug)]
    pub(crate) struct ReportBody<B> {
        #[pin]
        inner: B,
        in_flight: Option<InFlight>,
        pending: Option<Pending>,
        // Fires at the call's deadline while the body has not ended.
        expiry: Option<Pin<Box<Sleep>>>,
        // Whether the body ended at the deadline (its trailers sent): nothing follows.
        expired: bool,
    }
}

impl<B> ReportBody<B> {
    pub(crate) fn new(inner: B, in_flight: InFlight, pending: Option<Pending>) -> Self {
        let expiry =
            pending.as_ref().map(|pending| Box::pin(tokio::time::sleep_until(pending.deadline)));
        Self { inner, in_flight: Some(in_flight), pending, expiry, expired: false }
    }
}

/// The trailers of a call ended at its deadline of `timeout`, as a server would send them.
fn deadline_trailers(timeout: Duration) -> http::HeaderMap {
    let mut trailers = http::HeaderMap::new();
    trailers.insert("grpc-status", http::HeaderValue::from(Code::DeadlineExceeded as i32));
    let message = format!("deadline of {timeout:?} exceeded while the response was streaming");
    if let Ok(message) = http::HeaderValue::from_str(&message) {
        trailers.insert("grpc-message", message);
    }
    trailers
}

impl<B: Body> Body for ReportBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<B::Data>, B::Error>>> {
        let this = self.project();
        if *this.expired {
            return Poll::Ready(None);
        }
        let frame = match this.inner.poll_frame(cx) {
            Poll::Ready(frame) => frame,
            Poll::Pending => {
                // The endpoint stalls mid-response: the deadline covers the body too.
                let Some(expiry) = this.expiry.as_mut() else { return Poll::Pending };
                ready!(expiry.as_mut().poll(cx));
                *this.expired = true;
                let timeout = this.pending.as_ref().map_or(Duration::ZERO, |p| p.timeout);
                if let Some(pending) = this.pending.take() {
                    pending.shared.report(pending.id, Ended::Timeout, pending.started.elapsed());
                }
                this.in_flight.take();
                return Poll::Ready(Some(Ok(Frame::trailers(deadline_trailers(timeout)))));
            }
        };
        let ended = match &frame {
            Some(Ok(frame)) => frame.trailers_ref().map(|trailers| {
                let code = crate::grpc::status(trailers).unwrap_or(Code::Unknown);
                Ended::Status(code)
            }),
            Some(Err(_)) => Some(Ended::Transport),
            None => Some(Ended::Status(Code::Unknown)),
        };
        if let Some(ended) = ended {
            this.expiry.take();
            if let Some(pending) = this.pending.take() {
                pending.shared.report(pending.id, ended, pending.started.elapsed());
            }
            this.in_flight.take();
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.expired || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
