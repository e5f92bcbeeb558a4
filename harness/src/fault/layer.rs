//! [`FaultLayer`]: applies a backend's active [`RpcFault`]s to each call.

use super::{FaultSet, RpcFault};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

/// Applies the faults of a [`FaultSet`] to every call, as they stand when the call arrives.
#[derive(Debug, Clone)]
pub struct FaultLayer {
    faults: Arc<FaultSet>,
}

impl FaultLayer {
    /// A layer applying `faults`.
    pub fn new(faults: Arc<FaultSet>) -> Self {
        Self { faults }
    }
}

impl<S> tower::Layer<S> for FaultLayer {
    type Service = FaultService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        FaultService { inner, faults: Arc::clone(&self.faults) }
    }
}

/// The service [`FaultLayer`] makes.
#[derive(Debug, Clone)]
pub struct FaultService<S> {
    inner: S,
    faults: Arc<FaultSet>,
}

impl<S, R> tower::Service<R> for FaultService<S>
where
    S: tower::Service<R> + Clone + Send + 'static,
    S::Future: Send + 'static,
    R: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        let active = self.faults.active();
        if active.is_empty() {
            return Box::pin(self.inner.call(request));
        }
        // Take the service that was made ready; leave a fresh clone for the next call.
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        let faults = Arc::clone(&self.faults);
        Box::pin(async move {
            let mut delay = Duration::ZERO;
            for (id, fault) in active {
                match fault {
                    RpcFault::Delay(d) => delay += d,
                    RpcFault::Hang => faults.healed(id).await,
                }
            }
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            inner.call(request).await
        })
    }
}
