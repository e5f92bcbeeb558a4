//! The balancers as a user builds them, each fed by the scenario's discovery
//! ([`Target::changes`]): tonic's `Channel::balance_channel` (as tonic's own example and the
//! Kubernetes-discovery crates drive it), and tower's `p2c::Balance` over one tonic `Channel`
//! per endpoint, its load measured by `PendingRequests` or `PeakEwma`, behind a `Buffer` as
//! tonic puts its own; and the control, jostle's round robin, built as `Suite::for_balancer`
//! builds it.

use http::{Request, Response, Uri};
use jostle::balance::policy::RoundRobin;
use jostle::balance::{BalanceConfig, BalancedChannel, Profile};
use jostle::discover::Change as Announced;
use jostle_harness::channel::{BoxChannel, Target, boxed};
use jostle_harness::conformance::SUITE_BACKOFF;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::convert::Infallible;
use std::time::Duration;
use tokio_stream::StreamExt;
use tonic::body::Body;
use tonic::transport::channel::Change as TonicChange;
use tonic::transport::{Channel, Endpoint};
use tower::balance::p2c::Balance;
use tower::buffer::Buffer;
use tower::discover::Change as TowerChange;
use tower::load::{CompleteOnResponse, Load, PeakEwma, PendingRequests};

/// The changes tonic's balancer may hold unread (tonic's example uses 10; any bound works, the
/// announcements are few).
const TONIC_CAPACITY: usize = 16;

/// Requests the `Buffer` in front of tower's balancer holds, as tonic's own
/// (`DEFAULT_BUFFER_SIZE`).
const BUFFER: usize = 1024;

/// `PeakEwma`'s round-trip time before any is measured and the decay of its average: the
/// defaults linkerd's proxy runs tower's balancer with (30 ms, 10 s).
const EWMA_DEFAULT_RTT: Duration = Duration::from_millis(30);
const EWMA_DECAY: Duration = Duration::from_secs(10);

/// jostle's round robin with jostle's defaults, the battery's backoff and its jitter drawn from
/// `target.seed`: what `Suite::for_balancer("round_robin", RoundRobin::new)` plays.
pub(super) fn jostle_round_robin(target: &Target) -> BoxChannel {
    let config = BalanceConfig {
        backoff: SUITE_BACKOFF,
        seed: Some(target.seed),
        ..Profile::Jostle.config()
    };
    boxed(
        BalancedChannel::builder()
            .balancer(RoundRobin::new())
            .config(config)
            .build(target.changes(), target.connector.clone()),
    )
}

/// tonic's `Channel::balance_channel`, sent an `Insert` for each address announced and a
/// `Remove` for each withdrawn, as a discovery loop does. tonic's p2c draws from the operating
/// system's entropy: it cannot be seeded.
pub(super) fn tonic_balance_channel(target: &Target) -> BoxChannel {
    let (channel, sender) = Channel::balance_channel::<Uri>(TONIC_CAPACITY);
    let mut changes = target.changes();
    tokio::spawn(async move {
        loop {
            let change = tokio::select! {
                change = changes.next() => change,
                () = sender.closed() => None,
            };
            let change = match change {
                Some(Announced::Insert { address, .. }) => {
                    TonicChange::Insert(address.clone(), Endpoint::from(address))
                }
                Some(Announced::Remove(address)) => TonicChange::Remove(address),
                // The channel was dropped (or discovery ended): nothing left to tell it.
                None => break,
            };
            if sender.send(change).await.is_err() {
                break;
            }
        }
    });
    boxed(channel)
}

/// tower's `p2c::Balance` of `PendingRequests` over a tonic `Channel` per endpoint, its picks
/// drawn from `target.seed`.
pub(super) fn p2c_pending_requests(target: &Target) -> BoxChannel {
    p2c(target, |channel| PendingRequests::new(channel, CompleteOnResponse::default()))
}

/// tower's `p2c::Balance` of `PeakEwma` over a tonic `Channel` per endpoint (linkerd's
/// defaults), its picks drawn from `target.seed`.
pub(super) fn p2c_peak_ewma(target: &Target) -> BoxChannel {
    p2c(target, |channel| {
        let decay = EWMA_DECAY.as_nanos() as f64;
        PeakEwma::new(channel, EWMA_DEFAULT_RTT, decay, CompleteOnResponse::default())
    })
}

/// tower's p2c over the target's discovery, each announced address a lazily connected tonic
/// `Channel` that `measure` wraps in a load metric.
fn p2c<S>(target: &Target, measure: fn(Channel) -> S) -> BoxChannel
where
    S: tower::Service<Request<Body>, Response = Response<Body>> + Load + Send + 'static,
    S::Error: Into<tower::BoxError>,
    S::Future: Send + 'static,
    S::Metric: std::fmt::Debug + PartialOrd,
{
    let discover = target.changes().map(move |change| {
        Ok::<_, Infallible>(match change {
            Announced::Insert { address, .. } => TowerChange::Insert(
                address.clone(),
                measure(Endpoint::from(address).connect_lazy()),
            ),
            Announced::Remove(address) => TowerChange::Remove(address),
        })
    });
    let balance = Balance::from_rng(discover, Seeded(ChaCha8Rng::seed_from_u64(target.seed)));
    boxed(Buffer::new(balance, BUFFER))
}

/// tower's random source drawn from a seed, for `Balance::from_rng`.
struct Seeded(ChaCha8Rng);

impl tower::util::rng::Rng for Seeded {
    fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
}
