//! `avoidable-failures` reads discovery as the client lives it: a backend is up for the client
//! only when it has been announced without a gap for the whole of the grace before a call (a
//! withdrawal closes the client's connection; its return is a new announcement), and was not
//! down then. Explore's seed 2963 (`jostle explore --balancer round_robin --seeds 2963..2964`)
//! is the case below: the check read only the sets announced G before the call and at it, and
//! called a backend up that had come back 16 ms before.
//!
//! Rerun: `cargo test -p jostle-harness --test harness scenarios::avoidable`.

use jostle_harness::check::{CheckResult, Context, avoidable_failures};
use jostle_harness::fault::FaultWindow;
use jostle_harness::load::{CallLog, CallOutcome, CallRecord, Method};
use jostle_harness::scenario::{Discovery, DiscoveryChange, Via};
use std::time::Duration;

const NAMES: [&str; 2] = ["backend-0", "backend-1"];
const GRACE: Duration = Duration::from_millis(1647);
const CALL_AT: Duration = Duration::from_millis(2434);

fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

/// Two backends announced from the start, with `changes` after.
fn discovery(changes: Vec<DiscoveryChange>) -> Discovery {
    Discovery { initial: vec![0, 1], changes, via: Via::Stream }
}

/// `backend` withdrawn at `gone` and announced again at `back`.
fn gap(backend: usize, gone: u64, back: u64) -> Vec<DiscoveryChange> {
    vec![
        DiscoveryChange { at: ms(gone), add: vec![], remove: vec![backend] },
        DiscoveryChange { at: ms(back), add: vec![backend], remove: vec![] },
    ]
}

/// Seed 2963's run, shrunk: backend 1 terminated from 724 ms to 2,128 ms, and one call at
/// 2,434 ms that fails UNAVAILABLE at once, no backend answering; judged with grace G.
fn judge(discovery: &Discovery) -> CheckResult {
    let terminated = FaultWindow {
        id: 1,
        backend: NAMES[1].into(),
        kind: "terminate",
        detail: String::new(),
        start: ms(724),
        end: Some(ms(2128)),
    };
    let call = CallRecord {
        index: 0,
        method: Method::CreateOrder,
        start: CALL_AT,
        end: CALL_AT,
        outcome: CallOutcome::Failed(tonic::Code::Unavailable),
        backend: None,
        client: 0,
    };
    let log = CallLog { calls: vec![call], seed: 2963 };
    let announced =
        |from, to| discovery.announced_throughout(from, to).into_iter().map(|i| NAMES[i]).collect();
    avoidable_failures(&log, &[terminated], announced, GRACE, &Context::default())
}

#[test]
fn a_backend_withdrawn_and_announced_again_within_the_grace_is_not_up_for_the_client() {
    // Backend 0 withdrawn at 2,084 ms and back at 2,418 ms, 16 ms before the call.
    let discovery = discovery(gap(0, 2084, 2418));
    // Both instants the check used to read announce backend 0: only the change times show the
    // gap between them.
    let since = CALL_AT - GRACE;
    assert!(discovery.at(since).contains(&0) && discovery.at(CALL_AT).contains(&0));
    let held = judge(&discovery);
    assert!(
        held.passed,
        "a backend announced again 16 ms before a call is new to the client, and the other one \
         was down within the grace: no backend was up, the failure is excused (explore seed \
         2963, `jostle explore --balancer round_robin --seeds 2963..2964`): {held}"
    );
    assert_eq!(discovery.announced_throughout(since, CALL_AT), vec![1]);
}

#[test]
fn a_backend_announced_without_a_gap_for_the_grace_and_not_down_does_not_excuse_a_failed_call() {
    // Announced throughout; or withdrawn and back again before the grace began (at 787 ms).
    for (changes, how) in
        [(vec![], "announced from the start"), (gap(0, 300, 500), "back at 500 ms")]
    {
        let broke = judge(&discovery(changes));
        assert!(
            !broke.passed,
            "backend 0 ({how}) was up for the client for the whole grace: a call failing then, \
             meeting no fault, was the balancer's doing: {broke}"
        );
        assert!(broke.explanation.contains("started at 2.434s"), "{}", broke.explanation);
    }
}

#[test]
fn announced_throughout_leaves_out_a_backend_withdrawn_at_any_moment_of_the_span() {
    let discovery = discovery(gap(0, 2084, 2418));
    assert_eq!(discovery.announced_throughout(ms(0), ms(2083)), vec![0, 1], "before the gap");
    assert_eq!(discovery.announced_throughout(ms(0), ms(2084)), vec![1], "the withdrawal itself");
    assert_eq!(discovery.announced_throughout(ms(2084), ms(3000)), vec![1], "from within it");
    assert_eq!(discovery.announced_throughout(ms(2418), ms(3000)), vec![0, 1], "from the return");
    // A backend announced after the span began was not announced at its start.
    let late = Discovery {
        initial: vec![1],
        changes: vec![DiscoveryChange { at: ms(100), add: vec![0], remove: vec![] }],
        via: Via::Stream,
    };
    assert_eq!(late.announced_throughout(ms(50), ms(200)), vec![1]);
}
