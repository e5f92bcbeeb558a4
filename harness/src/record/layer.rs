//! [`RecordLayer`]: a server-side tower layer that counts every RPC on its backend's stats.

use super::{BackendStats, RecordBody};
use http::{Request, Response};
use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use tonic::Code;

/// Counts each RPC as started when it arrives and as finished with the status the client will
/// see: from the response headers for a trailers-only answer, else from the trailers. A call
/// dropped before its status was sent (client cancelled, connection reset) counts as
/// `CANCELLED`.
#[derive(Debug, Clone)]
pub struct RecordLayer {
    stats: Arc<BackendStats>,
}

impl RecordLayer {
    /// A layer counting on `stats`.
    pub fn new(stats: Arc<BackendStats>) -> Self {
        Self { stats }
    }
}

impl<S> tower::Layer<S> for RecordLayer {
    type Service = RecordService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RecordService { inner, stats: Arc::clone(&self.stats) }
    }
}

/// The service [`RecordLayer`] makes.
#[derive(Debug, Clone)]
pub struct RecordService<S> {
    inner: S,
    stats: Arc<BackendStats>,
}

/// Records a call's end exactly once; dropped unrecorded, it records `CANCELLED`.
#[derive(Debug)]
pub(crate) struct Pending {
    stats: Arc<BackendStats>,
    method: String,
    done: bool,
}

impl Pending {
    pub(crate) fn finish(mut self, code: Code) {
        self.done = true;
        self.stats.rpc_finished(&self.method, code);
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.done {
            self.stats.rpc_finished(&self.method, Code::Cancelled);
        }
    }
}

/// The gRPC method name of a request path: `/orders.v1.OrderService/CreateOrder` is `CreateOrder`.
pub(crate) fn method_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

impl<S, B, ResBody> tower::Service<Request<B>> for RecordService<S>
where
    S: tower::Service<Request<B>, Response = Response<ResBody>>,
{
    type Response = Response<RecordBody<ResBody>>;
    type Error = S::Error;
    type Future = RecordFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let method = method_name(request.uri().path()).to_owned();
        self.stats.rpc_started(&method);
        if let Some(name) = request.headers().get(crate::CALL_HEADER) {
            self.stats.call_arrived(name.to_str().unwrap_or_default());
        }
        let pending = Pending { stats: Arc::clone(&self.stats), method, done: false };
        RecordFuture { inner: self.inner.call(request), pending: Some(pending) }
    }
}

pin_project! {
    /// The future of [`RecordService`].
    #[derive(Debug)]
    pub struct RecordFuture<F> {
        #[pin]
        inner: F,
        pending: Option<Pending>,
    }
}

impl<F, ResBody, E> Future for RecordFuture<F>
where
    F: Future<Output = Result<Response<ResBody>, E>>,
{
    type Output = Result<Response<RecordBody<ResBody>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let result = ready!(this.inner.poll(cx));
        let pending = this.pending.take();
        Poll::Ready(match result {
            Ok(response) => {
                let pending = match (jostle::grpc::status(response.headers()), pending) {
                    (Some(code), Some(pending)) => {
                        pending.finish(code);
                        None
                    }
                    (_, pending) => pending,
                };
                Ok(response.map(|body| RecordBody::new(body, pending)))
            }
            Err(error) => {
                if let Some(pending) = pending {
                    pending.finish(Code::Unknown);
                }
                Err(error)
            }
        })
    }
}
