//! [`LatencyFuture`]: a call's response, held back by its drawn latency.

use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use tokio::time::Sleep;

pin_project! {
    /// The inner service's response future, first polled once the call's latency has passed
    /// (at once when the backend has no latency).
    #[derive(Debug)]
    pub struct LatencyFuture<F> {
        #[pin]
        inner: F,
        latency: Option<Pin<Box<Sleep>>>,
    }
}

impl<F> LatencyFuture<F> {
    /// `inner` after `latency`, or `inner` as it is.
    pub(super) fn new(inner: F, latency: Option<Pin<Box<Sleep>>>) -> Self {
        Self { inner, latency }
    }
}

impl<F: Future> Future for LatencyFuture<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        if let Some(latency) = this.latency {
            ready!(latency.as_mut().poll(cx));
            *this.latency = None;
        }
        this.inner.poll(cx)
    }
}
