//! Deliberately broken balancers, each caught by the right check.

use crate::wrap::{Answer, pass, wrap};
use http::{Request, Response};
use jostle::balance::policy::RoundRobin;
use jostle::balance::{BalanceConfig, BalancedChannel, Balancer, Candidate};
use jostle_harness::channel::{BoxChannel, Target, boxed};
use jostle_harness::conformance::{Battery, SUITE_BACKOFF, Suite};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use tonic::body::Body;
use tonic::transport::{Channel, Endpoint};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Always the first backend.
#[derive(Debug)]
struct AlwaysFirst;

impl Balancer for AlwaysFirst {
    fn pick(&mut self, _: &[Candidate<'_>]) -> usize {
        0
    }
}

#[test]
fn always_picking_the_first_backend_is_caught_by_the_distribution_check() {
    let report = Suite::for_balancer("always-first", || AlwaysFirst)
        .scenarios([Battery::Healthy])
        .run_blocking();
    report.assert_failures(&[(Battery::Healthy, "distribution")]);
}

/// Claims to be load-aware, but takes the ready endpoints in turn whatever their calls in flight.
#[test]
fn a_balancer_that_claims_load_awareness_but_ignores_the_calls_in_flight_is_caught_by_max_share() {
    let report = Suite::for_balancer("blind", RoundRobin::new)
        .load_aware()
        .scenarios([Battery::SlowBackend])
        .run_blocking();
    report.assert_failures(&[(Battery::SlowBackend, "max-share")]);
}

/// A new connection for every call, round robin over the addresses: the article's storm.
#[derive(Clone)]
struct DialPerCall {
    target: Arc<(Vec<http::Uri>, jostle_harness::net::Connector)>,
    next: Arc<AtomicUsize>,
}

impl tower::Service<Request<Body>> for DialPerCall {
    type Response = Response<Body>;
    type Error = BoxError;
    type Future = Answer;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Body>) -> Answer {
        let (addresses, connector) = &*self.target;
        let address = addresses[self.next.fetch_add(1, Ordering::SeqCst) % addresses.len()].clone();
        let channel: Channel =
            Endpoint::from(address).connect_with_connector_lazy(connector.clone());
        Box::pin(
            async move { tower::ServiceExt::oneshot(channel, request).await.map_err(Into::into) },
        )
    }
}

#[test]
fn a_connection_per_call_is_caught_by_the_connection_check() {
    let report = Suite::new("dial-per-call", |target: &Target| {
        boxed(DialPerCall {
            target: Arc::new((target.addresses.clone(), target.connector.clone())),
            next: Arc::default(),
        })
    })
    .scenarios([Battery::ConnectionStorm])
    .run_blocking();
    report.assert_failures(&[(Battery::ConnectionStorm, "connections")]);
}

fn wrapped(target: &Target, leak: bool, strip_deadline: bool) -> BoxChannel {
    let config = BalanceConfig {
        backoff: SUITE_BACKOFF,
        seed: Some(target.seed),
        ..BalanceConfig::default()
    };
    let good = BalancedChannel::builder()
        .balancer(RoundRobin::new())
        .config(config)
        .build(target.changes(), target.connector.clone());
    // Breaks one thing about every call.
    wrap(boxed(good), move |inner, mut request| {
        if leak {
            tokio::spawn(std::future::pending::<()>());
        }
        if strip_deadline {
            request.headers_mut().remove("grpc-timeout");
        }
        pass(inner, request)
    })
}

#[test]
fn a_task_per_call_that_never_ends_is_caught_by_the_leak_check() {
    let report = Suite::new("leaky", |target: &Target| wrapped(target, true, false))
        .exact_cycle()
        .scenarios([Battery::Healthy])
        .run_blocking();
    report.assert_failures(&[(Battery::Healthy, "leak-free")]);
    // Only tasks leak (in memory: no fd, and the connections close): the table shows them, not
    // the alphabetically first measurement (`fds over baseline=0`).
    let table = report.to_string();
    let leaked = table
        .split("FAIL leak-free tasks over baseline=")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next()?.parse::<u64>().ok());
    assert!(
        leaked.is_some_and(|tasks| tasks > 0),
        "a check's summary must show the measurement that failed (tasks leaked):\n{table}"
    );
}

#[test]
fn no_deadline_in_front_of_a_hung_backend_is_caught_by_the_timeout_check() {
    let report = Suite::new("no-deadline", |target: &Target| wrapped(target, false, true))
        .scenarios([Battery::HungBackend])
        .run_blocking();
    report.assert_failures(&[
        (Battery::HungBackend, "failure-rate"),
        (Battery::HungBackend, "timeout"),
    ]);
}

/// A balancer that leaks one task per scenario: the first scenario's task lives until the
/// second scenario's channel is dropped (so on a shared runtime it would end during the second
/// scenario's leak check), the second scenario's task never ends.
struct LeaksAcrossScenarios {
    made: AtomicUsize,
    second_dropped: Arc<tokio::sync::Notify>,
}

/// Notifies when the last clone of the channel it rides on is dropped.
struct OnDrop(Arc<tokio::sync::Notify>);

impl Drop for OnDrop {
    fn drop(&mut self) {
        self.0.notify_waiters();
    }
}

impl LeaksAcrossScenarios {
    fn channel(&self, target: &Target) -> BoxChannel {
        let good = wrapped(target, false, false);
        match self.made.fetch_add(1, Ordering::SeqCst) {
            0 => {
                let until = Arc::clone(&self.second_dropped);
                tokio::spawn(async move { until.notified().await });
                good
            }
            _ => {
                tokio::spawn(std::future::pending::<()>());
                // A good channel carrying a drop signal.
                let signal = Arc::new(OnDrop(Arc::clone(&self.second_dropped)));
                wrap(good, move |inner, request| {
                    let _carried = &signal;
                    pass(inner, request)
                })
            }
        }
    }
}

#[test]
fn a_task_leaked_by_one_scenario_is_not_hidden_by_an_older_leak_ending() {
    let leaks = Arc::new(LeaksAcrossScenarios {
        made: AtomicUsize::new(0),
        second_dropped: Arc::new(tokio::sync::Notify::new()),
    });
    let report = Suite::new("leaks across scenarios", move |target: &Target| leaks.channel(target))
        .scenarios([Battery::ConnectionStorm, Battery::SlowBackend])
        .run_blocking();
    // Each scenario owns its runtime: the first one's leftover task ends with it, and the
    // second one's own leak shows, whatever happens to the first one's task.
    report.assert_failures(&[
        (Battery::ConnectionStorm, "leak-free"),
        (Battery::SlowBackend, "leak-free"),
    ]);
}

/// Fair in the long run, by brute force: always the ready endpoint that has served the fewest
/// calls so far, so a backend back from a crash (or newly added) gets every call until its
/// count catches up with the others': a thundering herd onto a cold replica.
#[derive(Debug, Default)]
struct CatchUp {
    served: std::collections::HashMap<jostle::balance::EndpointId, u64>,
}

impl Balancer for CatchUp {
    fn pick(&mut self, ready: &[Candidate<'_>]) -> usize {
        let fewest = (0..ready.len())
            .min_by_key(|&i| self.served.get(&ready[i].id).copied().unwrap_or(0))
            .unwrap_or(0);
        *self.served.entry(ready[fewest].id).or_default() += 1;
        fewest
    }
}

#[test]
fn flooding_a_returning_backend_until_it_catches_up_is_caught_by_the_recovery_bound() {
    let report = Suite::for_balancer("catch-up", CatchUp::default)
        .scenarios([Battery::Restart, Battery::AddRemove])
        .run_blocking();
    report.assert_failures(&[(Battery::Restart, "recovery"), (Battery::AddRemove, "recovery")]);
    for run in &report.runs {
        let recovery = run.report.expectations.iter().find(|e| e.check == "recovery");
        let recovery = recovery.expect("both scenarios check recovery");
        assert!(
            recovery.explanation.contains("was flooded")
                && recovery.explanation.contains("times its fair share"),
            "the recovery check must name the flood (share measured against the bound) in {}: {}",
            run.battery.name(),
            recovery.explanation
        );
    }
}
