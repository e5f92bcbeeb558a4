//! [`BalancedChannel`]: a tower `Service` that a generated tonic client uses directly; each
//! request goes through the balancer to one ready endpoint.

use super::endpoint::keep_connected;
use super::events::{EndpointEvent, Hook};
use super::route::route;
use super::shared::{ConnectFailureHook, EndpointSettings, EndpointSnapshot, Shared};
use super::{BalanceConfig, Balancer, ConfigError, policy::RoundRobin};
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
use tonic::body::Body;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Routes each request through a [`Balancer`] to one of the ready endpoints, over one lazily
/// kept connection per endpoint, with any connector. Cheap to clone; the endpoints' tasks end
/// when the last clone is dropped.
///
/// Health: an endpoint whose connection fails, breaks, or answers `UNAVAILABLE` (unless
/// [`BalanceConfig::eject_on_unavailable`] is off), or whose calls
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
    on_connect_failure: Option<ConnectFailureHook>,
    on_event: Option<Hook>,
    endpoint: Option<EndpointSettings>,
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

    /// Calls `hook` after every failed connection attempt to any endpoint, with the
    /// endpoint's address and the error (its sources chained). Replaces an earlier hook,
    /// [`Builder::refresh_dns_on_failure`]'s included.
    pub fn on_connect_failure(
        mut self,
        hook: impl Fn(&Uri, &(dyn std::error::Error + 'static)) + Send + Sync + 'static,
    ) -> Self {
        self.on_connect_failure = Some(Arc::new(hook));
        self
    }

    /// Per-endpoint connection settings: `settings` gets each endpoint's tonic
    /// [`Endpoint`](tonic::transport::Endpoint) (its `connect_timeout` already set from
    /// [`BalanceConfig::connect_timeout`]) before every connection, and returns it changed:
    /// HTTP/2 keep-alive, flow-control windows, TCP settings, a user agent. Transport security
    /// belongs to the connector (docs/PRODUCTION.md shows a TLS connector).
    ///
    /// ```
    /// use jostle::balance::BalancedChannel;
    /// use jostle::dial::TcpConnector;
    /// use jostle::discover;
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let channel = BalancedChannel::builder()
    ///     .endpoint(|endpoint| {
    ///         endpoint
    ///             .http2_keep_alive_interval(Duration::from_secs(30))
    ///             .keep_alive_timeout(Duration::from_secs(10))
    ///             .initial_stream_window_size(1 << 20)
    ///             .initial_connection_window_size(4 << 20)
    ///     })
    ///     .build(discover::fixed(Vec::new()), TcpConnector::new());
    /// # drop(channel);
    /// # }
    /// ```
    pub fn endpoint(
        mut self,
        settings: impl Fn(tonic::transport::Endpoint) -> tonic::transport::Endpoint
        + Send
        + Sync
        + 'static,
    ) -> Self {
        self.endpoint = Some(Arc::new(settings));
        self
    }

    /// Calls `hook` with every [`EndpointEvent`]: an endpoint added, removed, connected, down
    /// (a failed connection attempt), ejected from or readmitted to the ready set, each with
    /// its address and, for down and ejected, the error. For metrics and alerts: the hook runs
    /// on the channel's tasks, so keep it short (count, log, send on a channel); it may look at
    /// the channel ([`BalancedChannel::endpoints`]).
    ///
    /// ```
    /// use jostle::balance::{BalancedChannel, EndpointEvent};
    /// use jostle::dial::TcpConnector;
    /// use jostle::discover;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let channel = BalancedChannel::builder()
    ///     .on_event(|event| {
    ///         if let EndpointEvent::Ejected { address, error, .. } = event {
    ///             eprintln!("{address} left the ready set: {error}");
    ///         }
    ///     })
    ///     .build(discover::fixed(Vec::new()), TcpConnector::new());
    /// # drop(channel);
    /// # }
    /// ```
    pub fn on_event(mut self, hook: impl Fn(&EndpointEvent) + Send + Sync + 'static) -> Self {
        self.on_event = Some(Arc::new(hook));
        self
    }

    /// Makes DNS discovery re-resolve after every failed connection attempt (as well as every
    /// TTL): pass the [`Refresh`](crate::discover::dns::Refresh) of the same discovery.
    pub fn refresh_dns_on_failure(self, refresh: crate::discover::dns::Refresh) -> Self {
        self.on_connect_failure(move |_, _| {
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
        shared.on_event = self.on_event;
        shared.endpoint = self.endpoint;
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
            on_event: None,
            endpoint: None,
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
