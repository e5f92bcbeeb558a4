use jostle::balance::{BalancedChannel, policy::LeastOutstanding};
use jostle_harness::prelude::*;
use rstest::rstest;
use std::path::PathBuf;

fn mine(target: &Target) -> BoxChannel {
    // The run's seed for the backoff jitter: another seed, another run; the same, a replay.
    let mut builder =
        BalancedChannel::builder().balancer(LeastOutstanding::new()).seed(target.seed);
    if let Some(refresh) = target.refresh() {
        // A story that discovers through DNS: resolve again after a failed connection.
        builder = builder.refresh_dns_on_failure(refresh);
    }
    boxed(builder.build(target.changes(), target.connector.clone()))
}

#[rstest] // one case per file of your incidents folder (here, jostle's fixtures)
fn my_client_survives(
    // Not the story of calls that wait for a ready backend: mine fails fast.
    #[files("fixtures/*.toml")]
    #[exclude("while-blocking")]
    path: PathBuf,
) {
    let incident = Scenario::load(&path).unwrap().against("mine", mine);
    // In memory, under the paused clock: the same verdict whatever the machine's load.
    let report = incident.with_transport(Transport::InMemory).unwrap().run_blocking().unwrap();
    assert!(report.passed, "{}:\n{report}", path.display());
}
