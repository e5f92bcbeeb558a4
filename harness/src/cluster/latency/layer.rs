//! [`LatencyLayer`]: holds each call back by its backend's drawn latency.

use super::{LatencyDraws, LatencyFuture};
use std::sync::Arc;
use std::task::{Context, Poll};

/// Delays every call by its backend's latency, drawn as the call arrives, before the inner
/// service (the backend's faults, then its handler) sees it. Without latency it passes calls
/// through untouched.
#[derive(Debug, Clone, Default)]
pub struct LatencyLayer {
    draws: Option<Arc<LatencyDraws>>,
}

impl LatencyLayer {
    /// A layer drawing from `draws`, or passing calls through.
    pub(crate) fn new(draws: Option<Arc<LatencyDraws>>) -> Self {
        Self { draws }
    }
}

impl<S> tower::Layer<S> for LatencyLayer {
    type Service = LatencyService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        LatencyService { inner, draws: self.draws.clone() }
    }
}

/// The service [`LatencyLayer`] makes.
#[derive(Debug, Clone)]
pub struct LatencyService<S> {
    inner: S,
    draws: Option<Arc<LatencyDraws>>,
}

impl<S, R> tower::Service<R> for LatencyService<S>
where
    S: tower::Service<R>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = LatencyFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        // Drawn as the call arrives, so draws follow arrival order; the inner service is
        // called at once (its own draws, the faults', keep their order too) and its future
        // first polled after the latency.
        let latency = self
            .draws
            .as_ref()
            .map(|draws| draws.next())
            .filter(|latency| !latency.is_zero())
            .map(|latency| Box::pin(tokio::time::sleep(latency)));
        LatencyFuture::new(self.inner.call(request), latency)
    }
}
