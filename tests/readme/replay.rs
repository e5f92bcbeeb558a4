use jostle::balance::{BalancedChannel, policy::LeastOutstanding};
use jostle_harness::prelude::*;
use rstest::rstest;
use std::{path::PathBuf, time::Duration};

fn mine(target: &Target) -> BoxChannel {
    boxed(
        BalancedChannel::builder()
            .balancer(LeastOutstanding::new())
            .build(target.changes(), target.connector.clone()),
    )
}

#[rstest] // one case per file of your incidents folder (here, jostle's fixtures)
fn my_client_survives(#[files("fixtures/*.toml")] path: PathBuf) {
    let incident = Scenario::load(&path).unwrap().against("mine", mine);
    // Time for `mine` to connect before the first call (a built-in policy is waited for).
    let report = incident.with_warm_up(Duration::from_millis(1)).run_blocking().unwrap();
    assert!(report.passed, "{}:\n{report}", path.display());
}
