//! Load from a tokio task through one channel: CreateOrder calls one after the other, each with
//! its own deadline, until told to stop or until a bound of calls is reached.

use jostle::balance::BalancedChannel;
use jostle_harness::proto::order_service_client::OrderServiceClient;
use jostle_harness::sample::create_order_request;
use jostle_harness::wait::Within;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;
use tokio::task::JoinHandle;

/// The calls a [`Load`] made and how they ended.
#[derive(Debug)]
pub(crate) struct Made {
    /// Every call made.
    pub(crate) calls: u64,
    /// Calls answered OK.
    pub(crate) ok: u64,
    /// Failed calls by `Code: message`.
    pub(crate) failed: BTreeMap<String, u64>,
    /// Whether it stopped at its bound rather than when told.
    pub(crate) hit_bound: bool,
}

/// Calls under way from a task of a runtime.
pub(crate) struct Load {
    calls: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    task: JoinHandle<Made>,
}

impl Load {
    /// Starts calling through `channel` on `runtime`: at most `bound` calls, each ending at
    /// `deadline` at the latest.
    pub(crate) fn start(
        runtime: &Runtime,
        channel: BalancedChannel,
        bound: u64,
        deadline: Duration,
    ) -> Self {
        let calls = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (counter, stopped) = (Arc::clone(&calls), Arc::clone(&stop));
        let task = runtime.spawn(async move {
            let mut client = OrderServiceClient::new(channel);
            let mut made = Made { calls: 0, ok: 0, failed: BTreeMap::new(), hit_bound: true };
            for n in 0..bound {
                if stopped.load(Ordering::SeqCst) {
                    made.hit_bound = false;
                    break;
                }
                let mut request = tonic::Request::new(create_order_request(n));
                request.set_timeout(deadline);
                match client.create_order(request).await {
                    Ok(_) => made.ok += 1,
                    Err(status) => {
                        let key = format!("{:?}: {}", status.code(), status.message());
                        *made.failed.entry(key).or_default() += 1;
                    }
                }
                made.calls += 1;
                counter.store(made.calls, Ordering::SeqCst);
            }
            made
        });
        Self { calls, stop, task }
    }

    /// Calls made so far.
    pub(crate) fn calls(&self) -> u64 {
        self.calls.load(Ordering::SeqCst)
    }

    /// Waits until `count` calls are made, at most `limit`; fails naming `what` it waited for,
    /// also when the load reached its bound first.
    pub(crate) fn wait_for_calls(&self, count: u64, limit: Duration, what: &str) {
        let started = Instant::now();
        while self.calls() < count {
            assert!(
                !self.task.is_finished(),
                "the load must still be running until {what}: it made its bound of calls first \
                 ({} calls)",
                self.calls()
            );
            assert!(
                started.elapsed() < limit,
                "gave up after {limit:?} waiting for {what} ({count} calls; {} made)",
                self.calls()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Stops it after the call under way and gives what it made.
    pub(crate) fn finish(self, runtime: &Runtime) -> Made {
        self.stop.store(true, Ordering::SeqCst);
        let task = self.task;
        let what = "the load to end its call under way";
        let ended = runtime.block_on(async { task.within(Duration::from_secs(60), what).await });
        ended.expect("the load task must not panic")
    }
}
