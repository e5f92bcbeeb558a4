//! The balancers a tonic user reaches for, through the battery over TCP: tonic's
//! `balance_channel` and tower's p2c (with `PendingRequests`, with `PeakEwma`), each fed by the
//! scenario's discovery, each held to exactly the checks it fails; jostle's round robin beside
//! them as the control, passing the same files.
//!
//! Every file plays on the wall clock, the four batteries at once, once per test process
//! ([`concurrent`]); a run during which the machine held the runtime still is played again
//! ([`stall`]). Where a peer draws its own
//! randomness (tonic's p2c cannot be seeded; tower's is seeded from `Target::seed`, but over TCP
//! the timing of each call decides as much as the seed) a check near its bound is chance: each
//! test names those, with the odds or the range measured.
//!
//! Rerun: `cargo test --test balancers peers:: -- --nocapture` (the tables are printed).

use concurrent::Played;
use jostle_harness::channel::{BoxChannel, Target};
use jostle_harness::check::stats::DistributionSpec;
use jostle_harness::conformance::{Suite, SuiteReport};
use jostle_harness::net::Transport;
use stall::Watch;
use std::sync::OnceLock;

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
/// and what the suite is told it claims.
#[derive(Debug, Clone, Copy)]
struct Peer {
    name: &'static str,
    factory: fn(&Target) -> BoxChannel,
    claims: fn(Suite) -> Suite,
}

/// Claimed load-aware, as power of two choices is meant to be.
const TONIC: Peer = Peer {
    name: "tonic balance_channel",
    factory: adapters::tonic_balance_channel,
    claims: Suite::load_aware,
};
const PENDING_REQUESTS: Peer = Peer {
    name: "tower p2c PendingRequests",
    factory: adapters::p2c_pending_requests,
    claims: Suite::load_aware,
};
const PEAK_EWMA: Peer = Peer {
    name: "tower p2c PeakEwma",
    factory: adapters::p2c_peak_ewma,
    claims: Suite::load_aware,
};
/// The control: round robin claims an exact cycle, and no load awareness.
const ROUND_ROBIN: Peer = Peer {
    name: "jostle round_robin",
    factory: adapters::jostle_round_robin,
    claims: Suite::exact_cycle,
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

    /// This peer's whole battery: the four peers' batteries play at once, once per test process
    /// (the first test to ask plays them, the others wait for it or find them played); the
    /// table and the notes on plays set aside are printed.
    fn battery(self) -> &'static SuiteReport {
        static PLAYED: OnceLock<Vec<Played>> = OnceLock::new();
        let played = PLAYED.get_or_init(|| {
            concurrent::batteries(&[TONIC, PENDING_REQUESTS, PEAK_EWMA, ROUND_ROBIN])
        });
        let mine = played
            .iter()
            .find(|played| played.report.balancer == self.name)
            .expect("every peer's battery is played");
        for note in &mine.notes {
            println!("{}: {note}", self.name);
        }
        println!("{}", mine.report);
        &mine.report
    }
}
