//! One call through a [`BalancedChannel`](super::BalancedChannel): its deadline, the pick
//! (waiting as `wait_for_ready` says), the call on the picked endpoint, health bookkeeping, and
//! with `transparent_retry` one more attempt for a call no server ran.

use super::body::{Pending, ReportBody};
use super::retry::{self, ReplayBody};
use super::shared::{Ended, Shared};
use super::{EndpointId, events};
use http::{Request, Response};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
use tonic::Status;
use tonic::body::Body;
use tower::ServiceExt;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The deadline in a `grpc-timeout` header (`<digits><unit>`, units H M S m u n).
fn grpc_timeout(headers: &http::HeaderMap) -> Option<Duration> {
    let value = headers.get("grpc-timeout")?.to_str().ok()?;
    let (digits, unit) = value.split_at(value.len().checked_sub(1)?);
    let amount: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(amount.saturating_mul(3600)),
        "M" => Duration::from_secs(amount.saturating_mul(60)),
        "S" => Duration::from_secs(amount),
        "m" => Duration::from_millis(amount),
        "u" => Duration::from_micros(amount),
        "n" => Duration::from_nanos(amount),
        _ => return None,
    })
}

fn answer(status: Status) -> Response<Body> {
    status.into_http()
}

/// Whether a tonic channel error is its own timeout (`grpc-timeout` enforced below us).
fn is_timeout(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = Some(error);
    while let Some(error) = source {
        if error.is::<tonic::TimeoutExpired>() {
            return true;
        }
        source = error.source();
    }
    false
}

pub(super) async fn route(
    shared: Arc<Shared>,
    request: Request<Body>,
) -> Result<Response<Body>, BoxError> {
    let timeout = grpc_timeout(request.headers()).unwrap_or(shared.config.default_timeout);
    let deadline = Instant::now() + timeout;
    if !shared.config.transparent_retry {
        return attempt(&shared, request, deadline, timeout, true).await.map_err(|f| f.error);
    }
    let (head, body) = request.into_parts();
    let first = ReplayBody::new(body);
    let recording = first.replay().unwrap_or_else(|| unreachable!("nothing read yet"));
    let request = Request::from_parts(copy_head(&head), Body::new(first));
    let failed = match attempt(&shared, request, deadline, timeout, false).await {
        Ok(response) => return Ok(response),
        Err(failed) => failed,
    };
    let again = recording.replay().filter(|_| retry::unprocessed(&*failed.error, &recording));
    let Some(again) = again else {
        shared.report(failed.id, Ended::Transport, failed.latency);
        return Err(failed.error);
    };
    // No server ran it: its endpoint's health is untouched, and the next pick gets it once more.
    events::retried(failed.id, &*failed.error);
    let request = Request::from_parts(head, Body::new(again));
    attempt(&shared, request, deadline, timeout, true).await.map_err(|f| f.error)
}

/// A copy of a request's head, to send the call again.
fn copy_head(head: &http::request::Parts) -> http::request::Parts {
    let mut request = Request::new(());
    *request.method_mut() = head.method.clone();
    *request.uri_mut() = head.uri.clone();
    *request.version_mut() = head.version;
    *request.headers_mut() = head.headers.clone();
    *request.extensions_mut() = head.extensions.clone();
    request.into_parts().0
}

/// An attempt that failed on a transport error.
struct Failed {
    id: EndpointId,
    error: BoxError,
    latency: Duration,
}

/// One attempt of a call: a pick (waiting as [`BalanceConfig::wait_for_ready`] says), then
/// the call on that endpoint, until `deadline`. A transport error is booked against the
/// endpoint's health only if `book_transport` (else the caller decides).
async fn attempt(
    shared: &Arc<Shared>,
    request: Request<Body>,
    deadline: Instant,
    timeout: Duration,
    book_transport: bool,
) -> Result<Response<Body>, Failed> {
    let picked = loop {
        let changed = shared.changed.notified();
        tokio::pin!(changed);
        changed.as_mut().enable();
        if let Some(picked) = shared.pick() {
            break picked;
        }
        if !shared.config.wait_for_ready && !shared.connecting() {
            let known = shared.snapshot().len();
            return Ok(answer(Status::unavailable(format!("no ready endpoint ({known} known)"))));
        }
        tokio::select! {
            () = changed => {}
            () = tokio::time::sleep_until(deadline) => {
                return Ok(answer(Status::deadline_exceeded("no endpoint became ready before the deadline")));
            }
        }
    };
    let started = Instant::now();
    let id = picked.id;
    let call = picked.channel.oneshot(request);
    let ended = match tokio::time::timeout_at(deadline, call).await {
        Err(_) => Err(None),
        Ok(Err(error)) if is_timeout(&error) => Err(None),
        Ok(Err(error)) => Err(Some(error)),
        Ok(Ok(response)) => Ok(response),
    };
    match ended {
        Err(None) => {
            shared.report(id, Ended::Timeout, started.elapsed());
            Ok(answer(Status::deadline_exceeded(format!("deadline of {timeout:?} exceeded"))))
        }
        Err(Some(error)) => {
            let latency = started.elapsed();
            if book_transport {
                shared.report(id, Ended::Transport, latency);
            }
            Err(Failed { id, error: error.into(), latency })
        }
        Ok(response) => {
            let code = crate::grpc::status(response.headers());
            let pending = match code {
                Some(code) => {
                    shared.report(id, Ended::Status(code), started.elapsed());
                    None
                }
                None => Some(Pending { shared: Arc::clone(shared), id, started }),
            };
            Ok(response.map(|body| Body::new(ReportBody::new(body, picked.in_flight, pending))))
        }
    }
}
