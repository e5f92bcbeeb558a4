//! [`FaultLayer`]: applies a backend's standing RPC faults, and optionally the interop
//! `rpc-behavior` header, to each call.

use super::delay_body::DelayBody;
use super::{BreakBody, FaultSet, behavior};
use crate::{BACKEND_HEADER, HOSTNAME_HEADER};
use http::{HeaderValue, Request, Response};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use tokio_util::sync::CancellationToken;
use tonic::Status;
use tonic::body::Body;

/// The pause between a broken stream's last message and its reset (see [`BreakBody::settle`]).
const BREAK_SETTLE: std::time::Duration = std::time::Duration::from_millis(1);

/// The connection a call came in on, for faults that close connections after N calls.
#[derive(Debug, Clone, Default)]
pub struct ConnHandle {
    rpcs: Arc<AtomicU64>,
    goaway: CancellationToken,
}

impl ConnHandle {
    /// A handle whose `goaway` token, once cancelled, closes the connection gracefully.
    pub fn new(goaway: CancellationToken) -> Self {
        Self { rpcs: Arc::default(), goaway }
    }
}

/// Applies the faults of a [`FaultSet`] to every call, as they stand when the call arrives.
///
/// With `rpc_behavior` on, it also obeys the gRPC xDS interop `rpc-behavior` request header
/// (see [`behavior`]): per-call faults chosen by the client.
#[derive(Debug, Clone)]
pub struct FaultLayer {
    faults: Arc<FaultSet>,
    backend: Arc<str>,
    rpc_behavior: bool,
    conn: ConnHandle,
}

impl FaultLayer {
    /// A layer applying `faults` on backend `backend`, for calls on connection `conn`.
    pub fn new(
        faults: Arc<FaultSet>,
        backend: Arc<str>,
        rpc_behavior: bool,
        conn: ConnHandle,
    ) -> Self {
        Self { faults, backend, rpc_behavior, conn }
    }
}

impl<S> tower::Layer<S> for FaultLayer {
    type Service = FaultService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        FaultService { inner, layer: self.clone() }
    }
}

/// The service [`FaultLayer`] makes.
#[derive(Debug, Clone)]
pub struct FaultService<S> {
    inner: S,
    layer: FaultLayer,
}

type BoxFuture<T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send>>;

impl<S, B> tower::Service<Request<B>> for FaultService<S>
where
    S: tower::Service<Request<B>, Response = Response<Body>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    B: http_body::Body + Send + Unpin + 'static,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = BoxFuture<Response<Body>, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let layer = &self.layer;
        let calls = layer.conn.rpcs.fetch_add(1, Ordering::SeqCst) + 1;
        if layer.faults.has_any()
            && let Some(max) = layer.faults.admission().max_rpcs
            && calls >= max
        {
            // GOAWAY after this call: it finishes, the next go to a new connection.
            layer.conn.goaway.cancel();
        }
        let asked = if layer.rpc_behavior {
            match behavior::parse(request.headers(), &layer.backend) {
                Ok(asked) => asked,
                Err(error) => {
                    let status = Status::invalid_argument(error.to_string());
                    let response = answer(status, &layer.backend);
                    return Box::pin(std::future::ready(Ok(response)));
                }
            }
        } else {
            behavior::CallBehavior::default()
        };
        if !layer.faults.has_rpc_faults() && asked.is_empty() {
            return Box::pin(self.inner.call(request));
        }
        let mut plan = layer.faults.plan();
        if let Some(sleep) = asked.sleep {
            plan.delay_headers += sleep;
        }
        if let Some(code) = asked.error {
            plan.status.get_or_insert(code);
        }
        // Take the service that was made ready; leave a fresh clone for the next call.
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        let faults = Arc::clone(&layer.faults);
        let backend = Arc::clone(&layer.backend);
        // The composition order of the RPC-level faults (docs in `fault`, one home: here).
        Box::pin(async move {
            // 1. hang: nothing else happens until it is healed.
            for id in plan.hang {
                faults.healed(id).await;
            }
            if asked.keep_open {
                // Until the client gives up: dropping this future is the only way out.
                std::future::pending::<()>().await;
            }
            // 2. a status answered before the delays (`before_delay`): a fast failure.
            if plan.status_first
                && let Some(code) = plan.status
            {
                return Ok(fail(request, code, &backend).await);
            }
            // 3. the delays before the headers, summed.
            if !plan.delay_headers.is_zero() {
                tokio::time::sleep(plan.delay_headers).await;
            }
            // 4. a status answered after them: a slow failure.
            if let Some(code) = plan.status {
                return Ok(fail(request, code, &backend).await);
            }
            // 5. the handler, then the delay before the first message and the stream break.
            let response = inner.call(request).await?;
            Ok(response.map(|mut body| {
                if let Some(after) = plan.break_after {
                    body = Body::new(BreakBody::new(body, after).settle(BREAK_SETTLE));
                }
                if !plan.delay_message.is_zero() {
                    body = Body::new(DelayBody::new(body, plan.delay_message));
                }
                body
            }))
        })
    }
}

/// The injected `code` for `request`, read first as a handler that fails would: h2 only gives
/// back the connection's data-frame budget for request bodies that were read, and ends a
/// connection whose budget runs out (GOAWAY ENHANCE_YOUR_CALM).
async fn fail<B>(request: Request<B>, code: tonic::Code, backend: &str) -> Response<Body>
where
    B: http_body::Body + Unpin,
{
    let mut body = request.into_body();
    while let Some(Ok(_)) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {}
    answer(Status::new(code, format!("injected by jostle on {backend}")), backend)
}

/// A trailers-only answer with `status`, naming the backend as every response does.
fn answer(status: Status, backend: &str) -> Response<Body> {
    let mut response: Response<Body> = status.into_http();
    if let Ok(value) = HeaderValue::from_str(backend) {
        response.headers_mut().insert(HOSTNAME_HEADER, value.clone());
        response.headers_mut().insert(BACKEND_HEADER, value);
    }
    response
}
