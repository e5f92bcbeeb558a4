//! How long the runtime of a TCP run stood still: a task on it ticks every [`TICK`] and keeps the
//! largest lateness. On the wall clock a machine busy elsewhere can hold the one thread that runs
//! the backends, the load and the balancer for hundreds of milliseconds; calls then end late or
//! fail for a reason that is no balancer's. A run that stood still longer than [`STALL`] judged
//! the machine, not the balancer: [`super::concurrent`] plays it again.

use jostle_harness::channel::{BoxChannel, Target, boxed};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::Instant;
use tower::ServiceExt;

/// The watch's period.
const TICK: Duration = Duration::from_millis(10);

/// The longest standstill a run may see and still count: a fifth of the battery's 500 ms
/// deadline, well under the 250 ms a call may end past it on TCP. (A machine compiling beside
/// the tests stands a runtime still 50 to 100 ms now and then, 500 ms at times; with one of
/// 500 ms jostle's round robin lost 14 calls of the restart file and ended one 1.18 s late.)
pub(super) const STALL: Duration = Duration::from_millis(100);

/// The largest lateness of a tick seen by the watches of every channel a factory built.
#[derive(Debug, Clone, Default)]
pub(super) struct Watch(Arc<AtomicU64>);

impl Watch {
    /// The longest the runtime stood still so far.
    pub(super) fn longest(&self) -> Duration {
        Duration::from_micros(self.0.load(Ordering::Relaxed))
    }

    /// `factory`, its channel watched: a task on the channel's runtime ticks until the channel
    /// and all its clones are dropped (then within a tick: the leak check sees it end).
    pub(super) fn around(
        &self,
        factory: impl Fn(&Target) -> BoxChannel + Send + Sync + 'static,
    ) -> impl Fn(&Target) -> BoxChannel + Send + Sync + 'static {
        let longest = Arc::clone(&self.0);
        move |target: &Target| {
            let alive = Arc::new(());
            let watched = Arc::downgrade(&alive);
            let longest = Arc::clone(&longest);
            tokio::spawn(async move {
                let mut last = Instant::now();
                while watched.strong_count() > 0 {
                    tokio::time::sleep(TICK).await;
                    let now = Instant::now();
                    let late = now.duration_since(last).saturating_sub(TICK);
                    let late = u64::try_from(late.as_micros()).unwrap_or(u64::MAX);
                    longest.fetch_max(late, Ordering::Relaxed);
                    last = now;
                }
            });
            let channel = factory(target);
            boxed(channel.map_request(move |request| {
                let _watched = &alive;
                request
            }))
        }
    }
}
