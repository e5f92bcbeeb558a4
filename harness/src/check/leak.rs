//! Leak-free and connection-storm checks.

use super::{CheckResult, Context, NO_CALLS};
use crate::cluster::Cluster;
use std::time::Duration;

/// What was alive before the client existed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Baseline {
    /// tokio's alive tasks on this runtime.
    pub tasks: usize,
    /// Open file descriptors of the process (TCP only: process-wide, so parallel tests in one
    /// binary share it).
    pub fds: Option<usize>,
}

fn alive_tasks() -> usize {
    tokio::runtime::Handle::current().metrics().num_alive_tasks()
}

fn open_fds() -> Option<usize> {
    std::fs::read_dir("/proc/self/fd").ok().map(Iterator::count)
}

impl Baseline {
    /// Takes the baseline now; `fds` only when `tcp`.
    pub fn now(tcp: bool) -> Self {
        Self { tasks: alive_tasks(), fds: if tcp { open_fds() } else { None } }
    }
}

/// After the client is dropped: within `bound` (polled every millisecond of tokio's clock),
/// tokio's alive tasks and the process's open fds return to `baseline`, and every backend's
/// open connections to 0.
pub async fn leak_free(
    cluster: &Cluster,
    baseline: Baseline,
    bound: Duration,
    context: &Context,
) -> CheckResult {
    let rule = format!(
        "after the client is dropped, tasks, connections and fds return to baseline within {bound:?}"
    );
    let started = tokio::time::Instant::now();
    let open = || cluster.backends().iter().map(|b| b.stats().connections_open).sum::<u64>();
    let fds_back = || baseline.fds.is_none_or(|fds| open_fds().is_some_and(|now| now <= fds));
    loop {
        if alive_tasks() <= baseline.tasks && open() == 0 && fds_back() {
            return CheckResult::new("leak-free", rule, context)
                .measure("ms to baseline", started.elapsed().as_secs_f64() * 1e3)
                .verdict(true, format!("back to baseline after {:?}", started.elapsed()));
        }
        if started.elapsed() >= bound {
            let tasks = alive_tasks();
            return CheckResult::new("leak-free", rule, context)
                .measure("tasks over baseline", tasks.saturating_sub(baseline.tasks) as f64)
                .measure("open connections", open() as f64)
                .measure(
                    "fds over baseline",
                    baseline
                        .fds
                        .map_or(0.0, |fds| open_fds().unwrap_or(fds).saturating_sub(fds) as f64),
                )
                .verdict(
                    false,
                    format!(
                        "{tasks} tasks alive (baseline {}), {} connections open",
                        baseline.tasks,
                        open()
                    ),
                );
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// Connections opened per 1,000 calls stay at most `max_per_thousand`: a dial per call (the
/// article's connection storm) fails it.
pub fn connections(
    opened: u64,
    calls: u64,
    max_per_thousand: f64,
    context: &Context,
) -> CheckResult {
    let per_thousand = if calls == 0 { 0.0 } else { opened as f64 * 1000.0 / calls as f64 };
    let rule = format!("at most {max_per_thousand} connections opened per 1,000 calls");
    let result = CheckResult::new("connections", rule, context)
        .measure("opened", opened as f64)
        .measure("per 1000 calls", per_thousand);
    if calls == 0 {
        return result.verdict(false, NO_CALLS);
    }
    if per_thousand <= max_per_thousand {
        result.verdict(true, format!("{opened} connections for {calls} calls"))
    } else {
        result.verdict(false, format!("{opened} connections for {calls} calls: a connection storm"))
    }
}
