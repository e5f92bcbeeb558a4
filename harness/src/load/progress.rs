//! [`Progress`]: how far a running load is, for a progress bar drawn by another thread.

use super::{LoadSpec, Until};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A cloneable handle on a load's progress: the time since the load started (virtual under
/// the paused clock) and the calls finished so far.
///
/// The driver only stores into it, two atomics at each call's start and end: no timer, no
/// await, so it changes nothing of a run under the paused clock. Any thread may read it, for
/// example to draw a progress bar on the wall clock.
///
/// ```
/// use jostle_harness::channel::boxed;
/// use jostle_harness::cluster::Cluster;
/// use jostle_harness::load::{LoadSpec, Progress, drive_with};
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() -> Result<(), jostle_harness::Error> {
/// let cluster = Cluster::builder().backends(1).start().await?;
/// let spec = LoadSpec::closed(4, 100);
/// let progress = Progress::new();
/// assert_eq!(progress.position(&spec), (0, 100));
/// drive_with(boxed(cluster.channel(0)?), &spec, &progress).await?;
/// assert_eq!(progress.calls_finished(), 100);
/// assert_eq!(progress.position(&spec), (100, 100));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct Progress {
    inner: Arc<Counters>,
}

#[derive(Debug, Default)]
struct Counters {
    elapsed_ms: AtomicU64,
    finished: AtomicU64,
}

impl Progress {
    /// Nothing done yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Time since the load started, as of the last call that started or ended, in whole
    /// milliseconds.
    pub fn elapsed(&self) -> Duration {
        Duration::from_millis(self.inner.elapsed_ms.load(Ordering::Relaxed))
    }

    /// Calls that have ended, whatever their outcome.
    pub fn calls_finished(&self) -> u64 {
        self.inner.finished.load(Ordering::Relaxed)
    }

    /// Where a load of `spec` is, as `(done, total)` for a bar: milliseconds of its duration,
    /// or calls of its count. `done` never exceeds `total`.
    pub fn position(&self, spec: &LoadSpec) -> (u64, u64) {
        let (done, total) = match spec.until {
            Until::Elapsed(duration) => (
                self.inner.elapsed_ms.load(Ordering::Relaxed),
                u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
            ),
            Until::Calls(calls) => (self.calls_finished(), calls),
        };
        (done.min(total), total)
    }

    /// The load has run for `elapsed`.
    pub(super) fn at(&self, elapsed: Duration) {
        let millis = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
        self.inner.elapsed_ms.fetch_max(millis, Ordering::Relaxed);
    }

    /// A call ended after the load had run for `elapsed`.
    pub(super) fn finished(&self, elapsed: Duration) {
        self.at(elapsed);
        self.inner.finished.fetch_add(1, Ordering::Relaxed);
    }
}
