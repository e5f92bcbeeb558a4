//! The balancers a tonic user reaches for, through the battery over TCP: tonic's
//! `balance_channel` and tower's p2c (with `PendingRequests`, with `PeakEwma`), each fed by the
//! scenario's discovery, each held to exactly the checks it fails; jostle's round robin beside
//! them as the control, passing the same files.
//!
//! Every file plays on the wall clock, all nine at once ([`concurrent`]); a run during which
//! the machine held the runtime still is played again ([`stall`]). Where a peer draws its own
//! randomness (tonic's p2c cannot be seeded; tower's is seeded from `Target::seed`, but over TCP
//! the timing of each call decides as much as the seed) a check near its bound is chance: each
//! test names those, with the odds or the range measured.
//!
//! Rerun: `cargo test --test conformance peers -- --nocapture` (the tables are printed).

use jostle_harness::channel::{BoxChannel, Target};
use jostle_harness::check::stats::DistributionSpec;
use jostle_harness::conformance::{Suite, SuiteReport};
use jostle_harness::net::Transport;

mod adapters;
mod concurrent;
mod control;
mod stall;
mod tonic;
mod tower_p2c;

/// The seed of every run: the clusters', the loads' and the balancers' that take one.
const SEED: u64 = 24;

/// The healthy file's even split, tested at 11,823 calls: a skew of 10 % of a backend's share
/// found with power 0.99 at 1e-6 false failures (the default, 5 %, needs 47,292 calls, a
/// quarter of a minute per balancer on TCP).
const SPEC: DistributionSpec = DistributionSpec {
    false_failure: jostle_harness::check::stats::DEFAULT_FALSE_FAILURE,
    min_skew: 0.1,
    power: jostle_harness::check::stats::DEFAULT_POWER,
};

/// The whole battery over TCP against the channel `factory` makes, every file at once, the
/// suite told what the balancer claims by `claims`; its table printed.
fn battery(
    name: &str,
    factory: fn(&Target) -> BoxChannel,
    claims: fn(Suite) -> Suite,
) -> SuiteReport {
    let report = concurrent::battery(|watch| {
        claims(
            Suite::new(name, watch.around(factory))
                .transport(Transport::Tcp)
                .seed(SEED)
                .distribution_spec(SPEC),
        )
    });
    println!("{report}");
    report
}
