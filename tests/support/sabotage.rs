//! [`Sabotage`]: a channel that fails every 50th call with UNAVAILABLE without sending it
//! anywhere, for tests that show `avoidable-failures` catching a channel that fails calls of
//! its own accord (harness/tests/scenarios/invariants.rs, tests/explore/broken.rs).

use http::{Request, Response};
use jostle_harness::channel::{BoxChannel, BoxError, boxed};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use tonic::body::Body;

/// Fails every 50th call with UNAVAILABLE; passes the others to `inner`.
#[derive(Clone)]
pub(crate) struct Sabotage {
    inner: BoxChannel,
    calls: Arc<AtomicU64>,
}

/// `inner`, sabotaged.
pub(crate) fn sabotage(inner: BoxChannel) -> BoxChannel {
    boxed(Sabotage { inner, calls: Arc::default() })
}

type Answer = Pin<Box<dyn Future<Output = Result<Response<Body>, BoxError>> + Send>>;

impl tower::Service<Request<Body>> for Sabotage {
    type Response = Response<Body>;
    type Error = BoxError;
    type Future = Answer;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: Request<Body>) -> Answer {
        if self.calls.fetch_add(1, Ordering::Relaxed) % 50 == 49 {
            let status = tonic::Status::unavailable("sabotaged");
            return Box::pin(async move { Ok(status.into_http()) });
        }
        let call = self.inner.call(request);
        Box::pin(async move { call.await.map_err(Into::into) })
    }
}
