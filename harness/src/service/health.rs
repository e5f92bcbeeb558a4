//! [`BackendHealth`]: `grpc.health.v1.Health` for one backend, its status derived from the
//! backend's standing faults by one rule, [`serving_status`].

use crate::fault::{Fault, FaultSet};
use crate::proto::order_service_server::SERVICE_NAME;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio_stream::Stream;
use tokio_stream::wrappers::WatchStream;
use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};
use tonic::{Request, Response, Status};
use tonic_health::ServingStatus;
use tonic_health::pb::health_check_response::ServingStatus as WireStatus;
use tonic_health::pb::health_server::{Health, HealthServer};
use tonic_health::pb::{HealthCheckRequest, HealthCheckResponse};

/// The service names a backend reports on: `""` (the server as a whole) and the order service.
pub const HEALTH_SERVICES: [&str; 2] = ["", SERVICE_NAME];

/// The rule: a backend is `NOT_SERVING` while a `refuse` fault or a `status` fault with code
/// `UNAVAILABLE` (any probability, any trigger) stands on it, and `SERVING` otherwise. The
/// status is the same for every name of [`HEALTH_SERVICES`].
///
/// ```
/// use jostle_harness::fault::Fault;
/// use jostle_harness::service::serving_status;
/// use tonic::Code;
/// use tonic_health::ServingStatus;
///
/// assert_eq!(serving_status([]), ServingStatus::Serving);
/// let flaky = Fault::status(Code::Unavailable, 0.1);
/// assert_eq!(serving_status([&flaky]), ServingStatus::NotServing);
/// assert_eq!(serving_status([&Fault::Refuse]), ServingStatus::NotServing);
/// let internal = Fault::status(Code::Internal, 1.0);
/// assert_eq!(serving_status([&internal]), ServingStatus::Serving);
/// ```
pub fn serving_status<'a>(faults: impl IntoIterator<Item = &'a Fault>) -> ServingStatus {
    let down = faults.into_iter().any(|fault| match fault {
        Fault::Refuse => true,
        Fault::Status { code, .. } => *code == tonic::Code::Unavailable,
        _ => false,
    });
    if down { ServingStatus::NotServing } else { ServingStatus::Serving }
}

/// `grpc.health.v1.Health` for the backend whose faults are `faults`, on one connection.
///
/// `Check` answers [`serving_status`] of the faults standing when the call arrives, for the
/// names of [`HEALTH_SERVICES`] (others are `NOT_FOUND`). `Watch` sends the status at once and
/// again at each change; once `closing` is cancelled (the connection goes away: GOAWAY, a
/// drain, a stop) it sends `NOT_SERVING` and ends, so that no watch holds a draining
/// connection open.
#[derive(Debug, Clone)]
pub struct BackendHealth {
    faults: Arc<FaultSet>,
    closing: CancellationToken,
}

impl BackendHealth {
    /// Health for the backend of `faults`, on a connection that goes away when `closing` is
    /// cancelled.
    pub fn new(faults: Arc<FaultSet>, closing: CancellationToken) -> Self {
        Self { faults, closing }
    }

    /// This health as a tonic service, ready for `Routes::add_service`.
    pub fn into_server(self) -> HealthServer<Self> {
        HealthServer::new(self)
    }

    fn status(&self) -> ServingStatus {
        if self.closing.is_cancelled() {
            return ServingStatus::NotServing;
        }
        serving_status(self.faults.active().iter().map(|(_, fault)| fault))
    }
}

fn known(request: &Request<HealthCheckRequest>) -> Result<(), Status> {
    let name = request.get_ref().service.as_str();
    if HEALTH_SERVICES.contains(&name) {
        Ok(())
    } else {
        Err(Status::not_found(format!(
            "unknown service `{name}`; this backend reports on `` and `{SERVICE_NAME}`"
        )))
    }
}

fn response(status: ServingStatus) -> HealthCheckResponse {
    HealthCheckResponse { status: WireStatus::from(status) as i32 }
}

#[tonic::async_trait]
impl Health for BackendHealth {
    async fn check(
        &self,
        request: Request<HealthCheckRequest>,
    ) -> Result<Response<HealthCheckResponse>, Status> {
        known(&request)?;
        Ok(Response::new(response(self.status())))
    }

    type WatchStream = HealthWatch;

    async fn watch(
        &self,
        request: Request<HealthCheckRequest>,
    ) -> Result<Response<Self::WatchStream>, Status> {
        known(&request)?;
        Ok(Response::new(HealthWatch {
            changes: WatchStream::new(self.faults.subscribe()),
            closed: Box::pin(self.closing.clone().cancelled_owned()),
            health: self.clone(),
            last: None,
            done: false,
        }))
    }
}

/// The stream a `Watch` call answers with: the status now, then each change.
pub struct HealthWatch {
    health: BackendHealth,
    changes: WatchStream<u64>,
    closed: Pin<Box<WaitForCancellationFutureOwned>>,
    last: Option<ServingStatus>,
    done: bool,
}

impl std::fmt::Debug for HealthWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HealthWatch").field("last", &self.last).finish_non_exhaustive()
    }
}

impl Stream for HealthWatch {
    type Item = Result<HealthCheckResponse, Status>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        if this.closed.as_mut().poll(cx).is_ready() {
            this.done = true;
            let last = this.last.replace(ServingStatus::NotServing);
            return Poll::Ready(
                (last != Some(ServingStatus::NotServing))
                    .then(|| Ok(response(ServingStatus::NotServing))),
            );
        }
        loop {
            match Pin::new(&mut this.changes).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => {
                    this.done = true;
                    return Poll::Ready(None);
                }
                Poll::Ready(Some(_version)) => {
                    let now = this.health.status();
                    if this.last != Some(now) {
                        this.last = Some(now);
                        return Poll::Ready(Some(Ok(response(now))));
                    }
                }
            }
        }
    }
}
