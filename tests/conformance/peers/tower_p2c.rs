//! tower's `p2c::Balance` over one tonic `Channel` per endpoint, discovered from the scenario,
//! its load measured by `PendingRequests` or by `PeakEwma`, its picks seeded from
//! `Target::seed`.

use super::{PEAK_EWMA, PENDING_REQUESTS};
use jostle_harness::conformance::Battery;

#[test]
fn tower_p2c_with_pending_requests_keeps_calling_a_dead_endpoint_whose_failures_are_instant() {
    PENDING_REQUESTS.battery().assert_failures_but_for_chance(
        &[
            // A tonic channel is always ready and a refused call fails in about 0.1 ms: the
            // dead endpoint's pending count stays 0, it wins every comparison it is drawn into
            // (140 to 162 failures measured in one-down, 61 to 76 in restart, 10 allowed).
            (Battery::OneDown, "fallback"),
            (Battery::Restart, "fallback"),
            // 6.7 % to 9.3 % of the calls failed (2 % allowed).
            (Battery::Flapping, "failure-rate"),
        ],
        // At 100 calls a second every pending count is mostly 0: the picks are the seeded
        // coin, but which calls tie is timing. A random pick floods the added backend's
        // 250 ms window with odds of about 2.5e-3 per run (see the tonic test).
        &[(Battery::AddRemove, "recovery")],
    );
}

#[test]
fn tower_p2c_with_peak_ewma_sends_more_to_a_dead_endpoint_because_its_failures_look_fast() {
    PEAK_EWMA.battery().assert_failures_but_for_chance(
        &[
            // An instant failure is a short round trip: the dead endpoint's estimate falls and
            // it draws more calls than the healthy ones (125 to 266 failures measured in
            // one-down, 52 to 162 in restart, 10 allowed; in every one of about 40 runs).
            (Battery::OneDown, "fallback"),
            (Battery::Restart, "fallback"),
        ],
        // A slow answer is a peak the estimate keeps for seconds (10 s decay): whichever
        // backend answered slowest once, through the machine's hiccups as much as the
        // balancer's, is shunned. Over TCP on the wall clock each of these failed in some runs
        // and held in others:
        &[
            // Most runs: 3.5 % to 15 % of the calls failed (2 % allowed); one run of about 40
            // shunned the flapping backend before its first crash and lost none.
            (Battery::Flapping, "failure-rate"),
            // About four runs in five split three equal backends unevenly (chi-square up to
            // 137 at 11,823 calls, where 27.6 fails; 4 in an even run).
            (Battery::Healthy, "distribution"),
            // The returning backend starved (13 % against 1/6) or flooded (2.3 times its fair
            // share) in about one run in five.
            (Battery::Restart, "recovery"),
            // The added backend starts at the 30 ms default against the others' measured
            // fraction of a millisecond, and wins a comparison only once a hiccup has made a
            // peak on another: on a busy machine it got under a quarter of the calls in 3 of
            // 12 runs, on a quieter one in almost every run, none at all in most of those
            // (then it is also never reached: `convergence`).
            (Battery::AddRemove, "recovery"),
            (Battery::AddRemove, "convergence"),
        ],
    );
}
