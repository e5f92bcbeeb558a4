//! Soak: `BalancedChannel` with round robin over 3 backends on real 127.0.0.1 sockets for 10
//! minutes, a million calls and a hundred restarts, with the process's resident memory and open
//! file descriptors sampled all along; it judges itself and ends with one `PASS` or `FAIL` line.
//!
//! ```text
//! cargo bench -p jostle-harness --bench soak                 # 600 s, 1,000,000 calls, 100 restarts
//! cargo bench -p jostle-harness --bench soak -- 20 20000 5   # SECONDS CALLS RESTARTS: a quick look
//! ```
//!
//! The load is the soak's own (see `load`): workers at a pace of 1.2 times `CALLS / SECONDS`
//! a second, counting outcomes only. The restarts are spread evenly over the run, one backend
//! after another (`Cluster::restart`: every connection reset, the same port bound again); each
//! must be back (the client connected to it again, every endpoint ready) within 30 s. Before
//! each restart, in that state (one connection per backend), the process is sampled; samples in the first tenth of the run are
//! the warm-up, and the first one after it is the baseline.
//!
//! It fails (exit 1) when resident memory or open fds grow by 5 % or more over the baseline
//! at any later sample, when fewer calls than `CALLS` or restarts than `RESTARTS` were made,
//! when a backend does not come back within 30 s, when the calls do not add up (every call ends once; the backends answered
//! at least what the client saw and at most that plus the client's failures), or when fds
//! are not back to their count before the cluster once everything is shut down. Bad
//! arguments exit 2.

#![allow(missing_docs, clippy::print_stdout, clippy::print_stderr)]

mod load;
mod plan;
mod sample;
mod verdict;

use jostle::balance::BalancedChannel;
use jostle::balance::policy::RoundRobin;
use jostle::discover;
use jostle_harness::channel::boxed;
use jostle_harness::cluster::Cluster;
use jostle_harness::net::Transport;
use load::Counters;
use plan::Plan;
use sample::Sample;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
use verdict::Outcome;

/// Calls in flight at most (one per worker).
const WORKERS: u32 = 32;
/// How long an endpoint may take to come back after a restart (gRPC's backoff starts at 1 s).
const READY_LIMIT: Duration = Duration::from_secs(30);
/// How long the fds may take to come back once the cluster is shut down.
const CLOSE_LIMIT: Duration = Duration::from_secs(5);

fn main() -> ExitCode {
    let plan = match Plan::from_args(std::env::args().skip(1)) {
        Ok(plan) => plan,
        Err(message) => {
            eprintln!("soak: {message}\n{}", plan::USAGE);
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let outcome = runtime.block_on(soak(&plan));
    println!("{}", outcome.verdict_line(&plan));
    if outcome.passed(&plan) { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

async fn soak(plan: &Plan) -> Outcome {
    println!("{}", plan.describe(WORKERS));
    let fds_before = sample::open_fds();
    let cluster = Cluster::builder()
        .backends(3)
        .transport(Transport::Tcp)
        .start()
        .await
        .expect("3 backends on 127.0.0.1");
    let channel = BalancedChannel::builder()
        .balancer(RoundRobin::new())
        .build(discover::fixed(cluster.addresses()), cluster.connector());
    let mut outcome = Outcome::default();
    if !all_ready(&channel).await {
        outcome.problem("the 3 endpoints were not ready within 30 s of the start");
        return outcome;
    }
    let before = cluster.stats();
    let counters = Arc::new(Counters::default());
    let start = Instant::now();
    let load = tokio::spawn(load::run(
        boxed(channel.clone()),
        WORKERS,
        plan.per_second(),
        start + plan.duration,
        Arc::clone(&counters),
    ));

    for restart in 0..plan.restarts {
        tokio::time::sleep_until(start + plan.restart_at(restart)).await;
        if !all_ready(&channel).await {
            outcome
                .problem(format!("an endpoint was not back within 30 s before restart {restart}"));
            break;
        }
        outcome.record(Sample::now(start.elapsed(), counters.tally().sent, restart), plan);
        let backend = usize::try_from(restart % 3).expect("0 to 2");
        let accepted = cluster.stats()[backend].connections_accepted;
        if let Err(error) = cluster.restart(backend).await {
            outcome.problem(format!("restart {restart} of backend {backend} failed: {error}"));
            break;
        }
        let restarted = Instant::now();
        outcome.restarts += 1;
        if !comes_back(&cluster, backend, accepted, &channel).await {
            outcome.problem(format!(
                "backend {backend} was not back within 30 s of restart {restart}"
            ));
            break;
        }
        outcome.came_back(restarted.elapsed());
    }
    load.await.expect("the soak's load ended");
    if !all_ready(&channel).await {
        outcome.problem("an endpoint was not back within 30 s after the load");
    }
    let tally = counters.tally();
    outcome.record(Sample::now(start.elapsed(), tally.sent, outcome.restarts), plan);
    outcome.account(tally, &before, &cluster.stats());

    drop(channel);
    cluster.shutdown().await;
    outcome.fds_closed(fds_before, fds_back_to(fds_before).await);
    outcome
}

/// Whether every endpoint is in the ready set within [`READY_LIMIT`].
async fn all_ready(channel: &BalancedChannel) -> bool {
    let ready = channel.wait_until(|endpoints| endpoints.iter().all(|endpoint| endpoint.ready));
    tokio::time::timeout(READY_LIMIT, ready).await.is_ok()
}

/// Whether, within [`READY_LIMIT`], the client has connected to the restarted `backend` again
/// (it accepted more than `accepted` connections) and every endpoint is ready. Right after a
/// restart the channel may not have seen the reset yet: the new connection is the proof.
async fn comes_back(
    cluster: &Cluster,
    backend: usize,
    accepted: u64,
    channel: &BalancedChannel,
) -> bool {
    let backend = &cluster.backends()[backend];
    let back = async {
        backend.wait_until(|stats| stats.connections_accepted > accepted).await;
        channel.wait_until(|endpoints| endpoints.iter().all(|endpoint| endpoint.ready)).await;
    };
    tokio::time::timeout(READY_LIMIT, back).await.is_ok()
}

/// The open fds once they are down to `count`, or after [`CLOSE_LIMIT`] whatever they are.
async fn fds_back_to(count: u64) -> u64 {
    let deadline = Instant::now() + CLOSE_LIMIT;
    loop {
        let now = sample::open_fds();
        if now <= count || Instant::now() >= deadline {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
