//! The soak's own load: a fixed number of workers, each one call at a time at its share of the
//! pace, counting outcomes and keeping nothing per call (the harness's load driver logs every
//! call, about 850 bytes each, which over a million calls would grow memory by design).
//!
//! Each call is `GetOrder` of an id no backend holds: the backend's service answers it
//! `NOT_FOUND` after a full round trip and keeps no state, where `CreateOrder` would fill each
//! backend's store until its next restart and make memory saw by design.

use jostle_harness::channel::BoxChannel;
use jostle_harness::proto::GetOrderRequest;
use jostle_harness::proto::order_service_client::OrderServiceClient;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::{Instant, MissedTickBehavior};
use tonic::{Code, Request};

/// The deadline of each call: far beyond a healthy round trip on loopback, so that only a call
/// that hangs reaches it.
pub(crate) const DEADLINE: Duration = Duration::from_secs(5);

/// The id every call asks for; no backend ever holds it.
const ABSENT_ID: &str = "soak-absent";

/// What the client saw, by outcome: the expected answer (`NOT_FOUND` from a backend), an
/// unexpected `OK`, and every other status by gRPC code (index = code, 0 to 16).
#[derive(Debug, Default)]
pub(crate) struct Counters {
    sent: AtomicU64,
    answered: AtomicU64,
    unexpected_ok: AtomicU64,
    failed: [AtomicU64; 17],
}

/// A copy of [`Counters`] to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tally {
    /// Calls started.
    pub(crate) sent: u64,
    /// Calls a backend answered `NOT_FOUND`, as it must.
    pub(crate) answered: u64,
    /// Calls answered `OK`: never, for an id no backend holds.
    pub(crate) unexpected_ok: u64,
    /// Calls that ended with any other status, by code.
    pub(crate) failed: [u64; 17],
}

impl Counters {
    /// The counts now (each call is counted as sent before it starts, and once more when it
    /// ends: read after the workers have ended for a consistent copy).
    pub(crate) fn tally(&self) -> Tally {
        let read = |counter: &AtomicU64| counter.load(Ordering::SeqCst);
        Tally {
            sent: read(&self.sent),
            answered: read(&self.answered),
            unexpected_ok: read(&self.unexpected_ok),
            failed: std::array::from_fn(|code| read(&self.failed[code])),
        }
    }

    fn count(&self, outcome: Result<(), Code>) {
        let counter = match outcome {
            Ok(()) => &self.unexpected_ok,
            Err(Code::NotFound) => &self.answered,
            Err(code) => &self.failed[usize::try_from(code as i32).unwrap_or(2).min(16)],
        };
        counter.fetch_add(1, Ordering::SeqCst);
    }
}

impl Tally {
    /// Calls that ended with a status other than the expected `NOT_FOUND` and `OK`.
    pub(crate) fn failed_total(&self) -> u64 {
        self.failed.iter().sum()
    }

    /// Calls that ended, however.
    pub(crate) fn ended(&self) -> u64 {
        self.answered + self.unexpected_ok + self.failed_total()
    }

    /// The failures as `CODE xN` pairs, in code order, or `none`.
    pub(crate) fn failures(&self) -> String {
        let parts: Vec<String> = (0..17)
            .filter(|&code| self.failed[code] > 0)
            .map(|code| {
                let name = Code::from(i32::try_from(code).unwrap_or(2));
                format!("{name:?} x{}", self.failed[code])
            })
            .collect();
        if parts.is_empty() { "none".into() } else { parts.join(", ") }
    }
}

/// Runs `workers` workers over `channel` until `until`, together `per_second` calls a second
/// (each worker one call at a time, so never more than `workers` in flight; a worker that falls
/// behind catches up in a burst). Returns once every call has ended.
pub(crate) async fn run(
    channel: BoxChannel,
    workers: u32,
    per_second: f64,
    until: Instant,
    counters: Arc<Counters>,
) {
    let period = Duration::from_secs_f64(f64::from(workers) / per_second);
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..workers {
        let mut client = OrderServiceClient::new(channel.clone());
        let counters = Arc::clone(&counters);
        // Workers start spread over one period, so the calls are spread too.
        let offset = period.mul_f64(f64::from(worker) / f64::from(workers));
        tasks.spawn(async move {
            let mut ticks = tokio::time::interval_at(start + offset, period);
            ticks.set_missed_tick_behavior(MissedTickBehavior::Burst);
            loop {
                ticks.tick().await;
                if Instant::now() >= until {
                    return;
                }
                counters.sent.fetch_add(1, Ordering::SeqCst);
                let mut request = Request::new(GetOrderRequest { id: ABSENT_ID.into() });
                request.set_timeout(DEADLINE);
                let outcome = client.get_order(request).await;
                counters.count(outcome.map(drop).map_err(|status| status.code()));
            }
        });
    }
    while let Some(ended) = tasks.join_next().await {
        ended.expect("a soak worker panicked");
    }
}
