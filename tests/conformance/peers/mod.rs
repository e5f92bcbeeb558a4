//! The balancers a tonic user reaches for, through the battery over TCP: tonic's
//! `balance_channel` and tower's p2c (with `PendingRequests`, with `PeakEwma`), each fed by the
//! scenario's discovery, each held to exactly the checks it fails; jostle's round robin beside
//! them as the control, passing the same files.
//!
//! Every file plays on the wall clock, the four batteries at once in one test
//! ([`concurrent`]); a run during which the machine held the runtime still is played again
//! ([`stall`]). Where a peer draws its own randomness (tonic's p2c cannot be seeded; tower's is
//! seeded from `Target::seed`, but over TCP the timing of each call decides as much as the seed)
//! or its verdict turns on the machine's timing, a check near its bound is chance: each peer's
//! verdicts ([`tonic`], [`tower_p2c`], [`control`]) name those, with the odds or the range
//! measured.
//!
//! Rerun: `cargo test --test balancers peers:: -- --nocapture` (the tables are printed).

use concurrent::Played;
use jostle_harness::channel::{BoxChannel, Target};
use jostle_harness::check::stats::DistributionSpec;
use jostle_harness::conformance::{Suite, SuiteReport};
use jostle_harness::net::Transport;
use stall::Watch;

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

/// A balancer of this module: its name, the factory that builds it for a scenario's target,
/// what the suite is told it claims, and the verdicts its report must give (a function that
/// panics, saying which rule broke, when they differ).
#[derive(Debug, Clone, Copy)]
struct Peer {
    name: &'static str,
    factory: fn(&Target) -> BoxChannel,
    claims: fn(Suite) -> Suite,
    judge: fn(&SuiteReport),
}

/// Claimed load-aware, as power of two choices is meant to be.
const TONIC: Peer = Peer {
    name: "tonic balance_channel",
    factory: adapters::tonic_balance_channel,
    claims: Suite::load_aware,
    judge: tonic::tonic_balance_channel_keeps_calling_dead_and_hung_endpoints_and_ignores_load,
};
const PENDING_REQUESTS: Peer = Peer {
    name: "tower p2c PendingRequests",
    factory: adapters::p2c_pending_requests,
    claims: Suite::load_aware,
    judge: tower_p2c::pending_requests_keeps_calling_a_dead_endpoint_whose_failures_are_instant,
};
const PEAK_EWMA: Peer = Peer {
    name: "tower p2c PeakEwma",
    factory: adapters::p2c_peak_ewma,
    claims: Suite::load_aware,
    judge: tower_p2c::peak_ewma_sends_more_to_a_dead_endpoint_because_its_failures_look_fast,
};
/// The control: round robin claims an exact cycle, and no load awareness.
const ROUND_ROBIN: Peer = Peer {
    name: "jostle round_robin",
    factory: adapters::jostle_round_robin,
    claims: Suite::exact_cycle,
    judge: control::jostle_round_robin_passes_the_battery_the_peers_fail,
};

impl Peer {
    /// The battery over TCP for this peer, its factory watched by `watch`.
    fn suite(self, watch: &Watch) -> Suite {
        (self.claims)(
            Suite::new(self.name, watch.around(self.factory))
                .transport(Transport::Tcp)
                .seed(SEED)
                .distribution_spec(SPEC),
        )
    }
}

/// One test for the four: their 36 runs then share one test thread's wait (about 10 s) rather
/// than hold libtest's two threads while they play. Every peer is judged, its table and the
/// notes on plays set aside printed, and every verdict that broke is named.
#[test]
fn the_balancers_you_would_use_fail_exactly_their_flaws_over_tcp_where_round_robin_passes() {
    let peers = [TONIC, PENDING_REQUESTS, PEAK_EWMA, ROUND_ROBIN];
    let played = concurrent::batteries(&peers);
    let mut broken = Vec::new();
    for (peer, Played { report, notes }) in peers.iter().zip(&played) {
        for note in notes {
            println!("{}: {note}", peer.name);
        }
        println!("{report}");
        if let Err(panic) = std::panic::catch_unwind(|| (peer.judge)(report)) {
            let why = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|why| (*why).to_owned()))
                .unwrap_or_default();
            broken.push(why);
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n\n"));
}
