//! How long the runtime of a TCP run stood still: a task on it ticks every [`TICK`] and keeps the
//! largest lateness. On the wall clock a machine busy elsewhere can hold the one thread that runs
//! the backends, the load and the balancer for hundreds of milliseconds; calls then end late or
//! fail for a reason that is no balancer's. A run that stood still longer than [`STALL`] judged
//! the machine, not the balancer: [`super::concurrent`] plays it again.

use jostle_harness::channel::{BoxChannel, Target, boxed};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::time::Instant;
use tower::ServiceExt;

/// The watch's period.
const TICK: Duration = Duration::from_millis(10);

/// The longest standstill a run may see and still count. A standstill lets the load's missed
/// calls out in a burst when it ends (200 calls a second: 20 calls after 100 ms), a third of them
/// to a backend that may have just died before the balancer has heard: 100 ms keeps that under
/// the fallback check's 10 failures, and well under the 250 ms a call may end past its deadline
/// on TCP. (A machine compiling beside the tests stands a runtime still 50 to 300 ms now and
/// then, 500 ms to 1 s at times; at under 200 ms jostle's round robin once lost 7 calls of
/// one-down, before this watch 14 of restart, and ended one call 1.18 s late.)
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
        let watch = self.clone();
        move |target: &Target| {
            let alive = Arc::new(());
            tokio::spawn(watch.ticks(Arc::downgrade(&alive)));
            let channel = factory(target);
            boxed(channel.map_request(move |request| {
                let _watched = &alive;
                request
            }))
        }
    }

    /// Ticks every [`TICK`] while `watched` lives, keeping the largest lateness.
    fn ticks(&self, watched: Weak<()>) -> impl Future<Output = ()> + Send + 'static {
        let longest = Arc::clone(&self.0);
        async move {
            let mut last = Instant::now();
            while watched.strong_count() > 0 {
                tokio::time::sleep(TICK).await;
                let now = Instant::now();
                let late = now.duration_since(last).saturating_sub(TICK);
                longest.fetch_max(
                    u64::try_from(late.as_micros()).unwrap_or(u64::MAX),
                    Ordering::Relaxed,
                );
                last = now;
            }
        }
    }
}

#[test]
fn a_runtime_held_still_is_seen_and_the_watch_ends_with_what_it_watches() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a current-thread runtime starts");
    let watch = Watch::default();
    runtime.block_on(async {
        let alive = Arc::new(());
        let ticking = tokio::spawn(watch.ticks(Arc::downgrade(&alive)));
        // The watch's first poll: it reads the clock and waits for its first tick.
        tokio::task::yield_now().await;
        // The machine holds the runtime's one thread: what a busy machine does to a run.
        std::thread::sleep(STALL + TICK * 2);
        drop(alive);
        ticking.await.expect("the watch ends once what it watches is dropped");
    });
    assert!(
        watch.longest() > STALL,
        "a runtime held still {:?} must be seen standing still over {STALL:?}, saw {:?}",
        STALL + TICK * 2,
        watch.longest()
    );
}
