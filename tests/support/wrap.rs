//! [`wrap`]: a channel around another that decides, call by call, what happens to each, for
//! tests that break a good channel on purpose (harness/tests/scenarios/every_check.rs,
//! tests/support/sabotage.rs, tests/conformance/broken.rs). Mounted at each test crate's root.

use http::{Request, Response};
use jostle_harness::channel::{BoxChannel, BoxError, boxed};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use tonic::body::Body;

/// What a wrapped channel's call gives back.
pub(crate) type Answer = Pin<Box<dyn Future<Output = Result<Response<Body>, BoxError>> + Send>>;

/// A channel that hands each call, with the channel it wraps, to `each`; ready when that
/// channel is.
#[derive(Clone)]
struct Wrapped<F> {
    inner: BoxChannel,
    each: F,
}

/// `inner`, each call of which `each` answers (with [`pass`], [`answer`], or anything else);
/// whatever `each` holds lives as long as the channel's last clone.
pub(crate) fn wrap<F>(inner: BoxChannel, each: F) -> BoxChannel
where
    F: FnMut(&mut BoxChannel, Request<Body>) -> Answer + Clone + Send + Sync + 'static,
{
    boxed(Wrapped { inner, each })
}

/// The call, sent on by `inner`.
pub(crate) fn pass(inner: &mut BoxChannel, request: Request<Body>) -> Answer {
    let call = tower::Service::call(inner, request);
    Box::pin(async move { call.await.map_err(Into::into) })
}

/// `status`, answered at once without sending the call anywhere.
pub(crate) fn answer(status: tonic::Status) -> Answer {
    Box::pin(async move { Ok(status.into_http()) })
}

impl<F> tower::Service<Request<Body>> for Wrapped<F>
where
    F: FnMut(&mut BoxChannel, Request<Body>) -> Answer,
{
    type Response = Response<Body>;
    type Error = BoxError;
    type Future = Answer;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: Request<Body>) -> Answer {
        (self.each)(&mut self.inner, request)
    }
}
