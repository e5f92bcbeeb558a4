//! The standard gRPC services every backend serves beside its own, `grpc.health.v1.Health` and
//! server reflection, and [`Split`], which sends their calls around the backend's fault,
//! latency and record layers: a `status` fault answers the order service's calls, not the
//! health checks that report it, and the backend's counters count only its own service.

use crate::fault::FaultSet;
use crate::service::{BackendHealth, reflection};
use http::{Request, Response};
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, LazyLock};
use std::task::{Context, Poll};
use tokio_util::sync::CancellationToken;
use tonic::body::Body;
use tonic::service::Routes;
use tower::ServiceExt;

/// The path prefixes of the standard services' calls.
const STANDARD_PATHS: [&str; 3] = [
    "/grpc.health.v1.Health/",
    "/grpc.reflection.v1.ServerReflection/",
    "/grpc.reflection.v1alpha.ServerReflection/",
];

/// Reflection describes the same files on every backend: built once per process.
static REFLECTION: LazyLock<Routes> = LazyLock::new(reflection);

/// The standard services for one connection of the backend whose faults are `faults`; health
/// watches end when `closing` is cancelled.
pub(crate) fn standard(faults: &Arc<FaultSet>, closing: CancellationToken) -> Routes {
    let health = BackendHealth::new(Arc::clone(faults), closing);
    REFLECTION.clone().add_service(health.into_server())
}

/// Whether a call to `path` is for a standard service.
fn is_standard(path: &str) -> bool {
    STANDARD_PATHS.iter().any(|prefix| path.starts_with(prefix))
}

/// Sends the standard services' calls to `standard`, every other call to `own`.
#[derive(Debug, Clone)]
pub(crate) struct Split<S> {
    standard: Routes,
    own: S,
}

impl<S> Split<S> {
    pub(crate) fn new(standard: Routes, own: S) -> Self {
        Self { standard, own }
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = Result<T, Infallible>> + Send>>;

impl<S, B> tower::Service<Request<Body>> for Split<S>
where
    S: tower::Service<Request<Body>, Response = Response<B>, Error = Infallible>,
    S::Future: Send + 'static,
    B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<tonic::codegen::StdError>,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<Response<Body>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // `Routes` is always ready: only the backend's own stack can make a call wait.
        self.own.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        if is_standard(request.uri().path()) {
            Box::pin(self.standard.clone().oneshot(request))
        } else {
            let own = self.own.call(request);
            Box::pin(async move { Ok(own.await?.map(Body::new)) })
        }
    }
}
