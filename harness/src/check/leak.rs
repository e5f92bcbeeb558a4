//! Leak-free and connection-storm checks.

use super::{CheckResult, Context, NO_CALLS};
use crate::cluster::Cluster;
use crate::net::{Transport, sockets};
use std::collections::BTreeSet;
use std::time::Duration;

/// What was alive before the client existed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Baseline {
    /// tokio's alive tasks on this runtime.
    pub tasks: usize,
    /// On TCP, the process's open sockets on the cluster's ports: listening on one, accepted
    /// on one, or dialed to one. Only those: the process's other fds belong to whatever else
    /// runs in it (parallel tests in one binary start and end runtimes and clusters of their
    /// own), and a balancer's leaked connection is a socket dialed to a backend.
    pub fds: Option<usize>,
}

fn alive_tasks() -> usize {
    tokio::runtime::Handle::current().metrics().num_alive_tasks()
}

/// The ports `cluster`'s backends listen on, on TCP; `None` in memory.
fn tcp_ports(cluster: &Cluster) -> Option<Vec<u16>> {
    (cluster.transport() == Transport::Tcp)
        .then(|| cluster.addresses().iter().filter_map(http::Uri::port_u16).collect())
}

/// The number of this process's file descriptors that hold a TCP socket with a local or
/// remote port in `ports`; `None` when /proc/self/fd cannot be read.
fn sockets_on(ports: &[u16]) -> Option<usize> {
    let fds = sockets::own_socket_fds()?;
    let on_ports: BTreeSet<u64> = sockets::own_sockets(&sockets::TCP)
        .into_iter()
        .filter(|socket| {
            [socket.local, socket.remote].iter().any(|end| ports.contains(&end.port()))
        })
        .map(|socket| socket.inode)
        .collect();
    Some(fds.iter().filter(|inode| on_ports.contains(inode)).count())
}

impl Baseline {
    /// Takes the baseline of `cluster` now; `fds` only on TCP.
    pub fn now(cluster: &Cluster) -> Self {
        Self { tasks: alive_tasks(), fds: tcp_ports(cluster).and_then(|ports| sockets_on(&ports)) }
    }
}

/// After the client is dropped: within `bound` (polled every millisecond of tokio's clock),
/// tokio's alive tasks and (on TCP) the process's sockets on the cluster's ports return to
/// `baseline`, and every backend's open connections to 0. `calls` is how many calls the client
/// made: a client that made none was never exercised, and the check fails, measuring nothing.
pub async fn leak_free(
    cluster: &Cluster,
    baseline: Baseline,
    calls: u64,
    bound: Duration,
    context: &Context,
) -> CheckResult {
    let rule = format!(
        "after the client is dropped, tasks, connections and fds return to baseline within {bound:?}"
    );
    if calls == 0 {
        return CheckResult::failed("leak-free", &rule, context, NO_CALLS);
    }
    let started = tokio::time::Instant::now();
    let open = || cluster.backends().iter().map(|b| b.stats().connections_open).sum::<u64>();
    let ports = tcp_ports(cluster).unwrap_or_default();
    let open_fds = || sockets_on(&ports);
    let fds_back = || baseline.fds.is_none_or(|fds| open_fds().is_some_and(|now| now <= fds));
    loop {
        if alive_tasks() <= baseline.tasks && open() == 0 && fds_back() {
            return CheckResult::new("leak-free", rule, context)
                .measure("ms to baseline", started.elapsed().as_secs_f64() * 1e3)
                .verdict(true, format!("back to baseline after {:?}", started.elapsed()));
        }
        if started.elapsed() >= bound {
            let tasks = alive_tasks();
            let mut left = [
                ("tasks over baseline", tasks.saturating_sub(baseline.tasks) as f64),
                ("open connections", open() as f64),
                (
                    "fds over baseline",
                    baseline
                        .fds
                        .map_or(0.0, |fds| open_fds().unwrap_or(fds).saturating_sub(fds) as f64),
                ),
            ];
            // What leaked comes first: it is what the summary shows.
            left.sort_by_key(|&(_, over)| over == 0.0);
            return left
                .into_iter()
                .fold(CheckResult::new("leak-free", rule, context), |result, (name, value)| {
                    result.measure(name, value)
                })
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

/// At most `most` connections opened over every backend in the run, for `calls` calls.
pub fn max_connections(opened: u64, calls: u64, most: u64, context: &Context) -> CheckResult {
    let rule = format!("at most {most} connections opened over every backend in the run");
    let result = CheckResult::new("connections", rule, context)
        .measure("opened", opened as f64)
        .measure("calls", calls as f64);
    if calls == 0 {
        return result.verdict(false, NO_CALLS);
    }
    if opened <= most {
        result.verdict(true, format!("{opened} connections for {calls} calls"))
    } else {
        result.verdict(
            false,
            format!("{opened} connections for {calls} calls, {most} allowed: a connection storm"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::max_connections;
    use crate::check::Context;

    #[test]
    fn max_connections_reads_as_a_total_not_a_rate_per_thousand_calls() {
        let result = max_connections(3, 200, 10_000, &Context::default());
        assert!(result.passed, "3 connections, at most 10000: {result}");
        assert_eq!(
            result.rule, "at most 10000 connections opened over every backend in the run",
            "the rule must say what the file says: a total, not 50000 per 1,000 calls"
        );
        let storm = max_connections(11, 200, 10, &Context::default());
        assert!(!storm.passed, "11 connections, at most 10: {storm}");
        assert!(storm.explanation.contains("11 connections for 200 calls, 10 allowed"));
    }
}
