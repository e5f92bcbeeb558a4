//! [`BalancedChannel`]: a tower `Service` that a generated tonic client uses directly; each
//! request goes through the balancer to one ready endpoint.

use super::body::{Pending, ReportBody};
use super::endpoint::keep_connected;
use super::retry::{self, ReplayBody};
use super::shared::{Ended, EndpointSnapshot, Shared};
use super::{BalanceConfig, Balancer, ConfigError, EndpointId, events, policy::RoundRobin};
use crate::discover::{Change, Changes};
use http::{Request, Response, Uri};
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_stream::StreamExt;
use tonic::Status;
use tonic::body::Body;
use tower::ServiceExt;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Routes each request through a [`Balancer`] to one of the ready endpoints, over one lazily
/// kept connection per endpoint, with any connector. Cheap to clone; the endpoints' tasks end
/// when the last clone is dropped.
///
/// Health: an endpoint whose connection fails, breaks, or answers `UNAVAILABLE`, or whose calls
/// end at their deadline [`BalanceConfig::timeouts_to_eject`] times in a row (unless that is 0), leaves the ready
/// set at once and reconnects with [`Backoff`](super::Backoff); it is back when a connection
/// succeeds. Deadlines: every call has one (its `grpc-timeout`, else
/// [`BalanceConfig::default_timeout`]), and ends there `DEADLINE_EXCEEDED` wherever it waits.
///
/// Readiness: `poll_ready` is always ready; an empty ready set is met in the call's future,
/// which fails `UNAVAILABLE` at once, or under [`BalanceConfig::wait_for_ready`] waits for an
/// endpoint until the deadline.
///
/// Events: with a [`tracing`](https://docs.rs/tracing) subscriber installed, an endpoint leaving
/// the ready set is an `info` event `endpoint ejected` and its return `endpoint readmitted`,
/// each with the fields `endpoint` (its address) and `reason`; discovery's additions and
/// removals and failed connection attempts are `debug` events. Nothing is emitted otherwise.
///
/// ```
/// use jostle::balance::{BalancedChannel, policy::RoundRobin};
/// use jostle::dial::TcpConnector;
/// use jostle::discover;
/// use jostle_harness::proto::order_service_client::OrderServiceClient;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let addresses = ["http://127.0.0.1:50051", "http://127.0.0.1:50052"].map(|a| a.parse().unwrap());
/// let channel = BalancedChannel::builder()
///     .balancer(RoundRobin::new())
///     .build(discover::fixed(addresses), TcpConnector::new());
/// let _client = OrderServiceClient::new(channel);
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct BalancedChannel {
    shared: Arc<Shared>,
    _owner: Arc<watch::Sender<()>>,
}

/// Builds a [`BalancedChannel`].
#[must_use]
pub struct Builder {
    balancer: Box<dyn Balancer>,
    config: BalanceConfig,
    on_connect_failure: Option<Arc<dyn Fn() + Send + Sync>>,
}

impl std::fmt::Debug for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Builder")
            .field("balancer", &self.balancer.name())
            .field("config", &self.config)
            .finish()
    }
}

impl Builder {
    /// The policy; [`RoundRobin`] by default.
    pub fn balancer(mut self, balancer: impl Balancer) -> Self {
        self.balancer = Box::new(balancer);
        self
    }

    /// A boxed policy, e.g. from [`policy::by_name`](super::policy::by_name).
    pub fn boxed_balancer(mut self, balancer: Box<dyn Balancer>) -> Self {
        self.balancer = balancer;
        self
    }

    /// Health, backoff and deadline parameters; [`BalanceConfig::default`] by default.
    pub fn config(mut self, config: BalanceConfig) -> Self {
        self.config = config;
        self
    }

    /// Seeds the backoff jitter and the outlier draws ([`BalanceConfig::seed`]) so that a run
    /// replays; call it after [`Builder::config`], which replaces the whole configuration.
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = Some(seed);
        self
    }

    /// Calls `hook` after every failed connection attempt to any endpoint.
    pub fn on_connect_failure(mut self, hook: impl Fn() + Send + Sync + 'static) -> Self {
        self.on_connect_failure = Some(Arc::new(hook));
        self
    }

    /// Makes DNS discovery re-resolve after every failed connection attempt (as well as every
    /// TTL): pass the [`Refresh`](crate::discover::dns::Refresh) of the same discovery.
    pub fn refresh_dns_on_failure(self, refresh: crate::discover::dns::Refresh) -> Self {
        self.on_connect_failure(move || {
            refresh.refresh();
        })
    }

    /// Starts balancing over the endpoints `changes` brings, connecting with `connector`.
    /// Must be called inside a tokio runtime: it spawns the discovery and endpoint tasks.
    ///
    /// # Panics
    ///
    /// If the configuration is invalid ([`BalanceConfig::validate`]); [`Builder::try_build`]
    /// returns the error instead.
    pub fn build<C, T>(self, changes: Changes, connector: C) -> BalancedChannel
    where
        C: tower::Service<Uri, Response = TokioIo<T>> + Clone + Send + Sync + 'static,
        C::Future: Send + 'static,
        C::Error: Into<BoxError>,
        T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        match self.try_build(changes, connector) {
            Ok(channel) => channel,
            Err(error) => panic!("BalancedChannel::builder().build(): {error}"),
        }
    }

    /// [`Builder::build`], or why the configuration is invalid ([`BalanceConfig::validate`]),
    /// before anything is spawned.
    ///
    /// ```
    /// use jostle::balance::{BalanceConfig, BalancedChannel};
    /// use jostle::dial::TcpConnector;
    /// use jostle::discover;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let mut config = BalanceConfig::default();
    /// config.backoff.multiplier = 0.5;
    /// let built = BalancedChannel::builder()
    ///     .config(config)
    ///     .try_build(discover::fixed(Vec::new()), TcpConnector::new());
    /// assert_eq!(
    ///     built.unwrap_err().to_string(),
    ///     "invalid backoff.multiplier: expected a factor of at least 1, got 0.5"
    /// );
    /// # }
    /// ```
    pub fn try_build<C, T>(
        self,
        changes: Changes,
        connector: C,
    ) -> Result<BalancedChannel, ConfigError>
    where
        C: tower::Service<Uri, Response = TokioIo<T>> + Clone + Send + Sync + 'static,
        C::Future: Send + 'static,
        C::Error: Into<BoxError>,
        T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        self.config.validate()?;
        let mut shared = Shared::new(self.config, self.balancer);
        shared.on_connect_failure = self.on_connect_failure;
        let shared = Arc::new(shared);
        let (owner, shutdown) = watch::channel(());
        if let Some(outlier) = &shared.config.outlier {
            tokio::spawn(detect_outliers(Arc::clone(&shared), outlier.interval, shutdown.clone()));
        }
        tokio::spawn(discover(Arc::clone(&shared), changes, connector, shutdown));
        Ok(BalancedChannel { shared, _owner: Arc::new(owner) })
    }
}

/// Runs outlier detection every `interval` until the channel is dropped.
async fn detect_outliers(
    shared: Arc<Shared>,
    interval: Duration,
    mut shutdown: watch::Receiver<()>,
) {
    let mut rng = shared.config.rng(0x0A50);
    let mut ticks = tokio::time::interval_at(Instant::now() + interval, interval);
    loop {
        tokio::select! {
            _ = ticks.tick() => shared.outlier_tick(&mut rng),
            _ = shutdown.changed() => return,
        }
    }
}

/// Applies discovery changes until the stream ends or the channel is dropped.
async fn discover<C, T>(
    shared: Arc<Shared>,
    mut changes: Changes,
    connector: C,
    mut shutdown: watch::Receiver<()>,
) where
    C: tower::Service<Uri, Response = TokioIo<T>> + Clone + Send + Sync + 'static,
    C::Future: Send + 'static,
    C::Error: Into<BoxError>,
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    loop {
        let change = tokio::select! {
            change = changes.next() => change,
            _ = shutdown.changed() => return,
        };
        match change {
            Some(Change::Insert { address, weight }) => {
                if let Some((id, stop)) = shared.insert(&address, weight) {
                    let task = keep_connected(
                        Arc::clone(&shared),
                        id,
                        address,
                        connector.clone(),
                        stop,
                        shutdown.clone(),
                    );
                    tokio::spawn(task);
                }
            }
            Some(Change::Remove(address)) => shared.remove(&address),
            // The set stays as it is; the endpoint tasks go on until the channel is dropped.
            None => {
                shared.discovery_ended();
                return;
            }
        }
    }
}

impl BalancedChannel {
    /// A builder: round robin, default configuration.
    pub fn builder() -> Builder {
        Builder {
            balancer: Box::new(RoundRobin::new()),
            config: BalanceConfig::default(),
            on_connect_failure: None,
        }
    }

    /// The endpoints now, in the order they were added.
    pub fn endpoints(&self) -> Vec<EndpointSnapshot> {
        self.shared.snapshot()
    }

    /// How many endpoints are in the ready set now.
    pub fn ready_count(&self) -> usize {
        self.endpoints().iter().filter(|endpoint| endpoint.ready).count()
    }

    /// Waits until `condition` holds of the endpoints (checked at every change).
    pub async fn wait_until(&self, mut condition: impl FnMut(&[EndpointSnapshot]) -> bool) {
        loop {
            let changed = self.shared.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if condition(&self.endpoints()) {
                return;
            }
            changed.await;
        }
    }

    /// The balancer's name.
    pub fn balancer_name(&self) -> String {
        self.shared.balancer_name()
    }
}

impl tower::Service<Request<Body>> for BalancedChannel {
    type Response = Response<Body>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, BoxError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        Box::pin(route(Arc::clone(&self.shared), request))
    }
}

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

async fn route(shared: Arc<Shared>, request: Request<Body>) -> Result<Response<Body>, BoxError> {
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
