//! A `terminate` fault in a story: round robin over three backends sends every call that
//! starts after the SIGTERM elsewhere and loses none of them, and calls the terminated backend
//! again once the fault ends (it comes back as after a restart). On both transports.
//!
//! A call handed to the terminated backend's connection at the very instant of the SIGTERM can
//! fail `Internal` (h2's `GoAway(NO_ERROR)`: the client learnt of the GOAWAY before it sent the
//! call, and a tonic connection does not send it elsewhere). Over TCP that takes a call made
//! within microseconds of the GOAWAY; in memory the client reads the GOAWAY after the I/O
//! driver's turn as over TCP, so the load's calls of that instant are sent first and served.
//! A racing call is the only failure allowed, with that code (docs/FAULTS.md).

use crate::stories::story_text;
use jostle_harness::load::{CallOutcome, Progress};
use jostle_harness::net::Transport;
use jostle_harness::runner;
use jostle_harness::scenario;
use rstest::rstest;
use std::time::Duration;

/// Backend 1 terminated at 1 s with a 500 ms grace, down for 1.5 s, under four calls at a
/// time for 4 s; at most 1 % of the calls may fail.
fn terminate_story() -> String {
    let fault = "[[fault]]\nat = \"1s\"\ntarget = [1]\nkind = \"terminate\"\ngrace = \"500ms\"\n\
                 for = \"1500ms\"\n";
    let rest = format!("{fault}[expect]\nmax_failure_rate = 0.01\n");
    story_text("terminate", 3, "concurrency = 4\nduration = \"4s\"\n", &rest)
}

#[rstest]
#[case::in_memory(Transport::InMemory)]
#[case::tcp(Transport::Tcp)]
fn round_robin_sends_calls_after_a_terminate_elsewhere_loses_none_and_comes_back(
    #[case] transport: Transport,
) {
    let story = scenario::parse(&terminate_story(), "terminate.toml")
        .unwrap()
        .with_transport(transport)
        .unwrap();
    let replay = format!("the terminate story on {transport}");
    let (report, log) = runner::runtime(&story)
        .unwrap()
        .block_on(runner::run_with_log(&story, &replay, &Progress::new()))
        .unwrap();
    let window = report.faults.first().expect("the terminate's window is in the report");
    let (start, end) = (window.start_ms, window.end_ms.expect("the fault ended"));
    let sigterm = Duration::from_secs_f64(start / 1000.0);
    let failed: Vec<_> = log.calls.iter().filter(|call| call.outcome != CallOutcome::Ok).collect();
    let racing = |call: &&&jostle_harness::load::CallRecord| {
        call.start == sigterm && call.outcome == CallOutcome::Failed(tonic::Code::Internal)
    };
    let lost: Vec<_> = failed.iter().filter(|call| !racing(call)).collect();
    assert!(
        lost.is_empty(),
        "no call fails across a terminate on {transport} but one racing the GOAWAY at its \
         instant ({sigterm:?}): {lost:?}"
    );
    assert!(report.passed, "the story's verdict on {transport}: {report}");
    let on_one = |from: f64, to: f64| {
        log.calls
            .iter()
            .filter(|call| {
                let started = call.start.as_secs_f64() * 1000.0;
                call.backend.as_deref() == Some("backend-1") && started > from && started < to
            })
            .count()
    };
    assert_eq!(
        on_one(start + 1.0, end),
        0,
        "no call that started after the SIGTERM ({start} ms) and before the fault's end ({end} ms) \
         is served by the terminated backend on {transport}"
    );
    let back = Duration::from_secs(4).as_secs_f64() * 1000.0;
    assert!(on_one(end, back) > 0, "backend-1 serves again after the fault's end on {transport}");
}

/// With gRPC's profile the GOAWAY race loses nothing either: a call that met the GOAWAY before
/// it left, or that was sent but left above the GOAWAY's last stream id, goes once more to the
/// next pick (transparent retry, as grpc-go).
#[rstest]
#[case::in_memory(Transport::InMemory)]
#[case::tcp(Transport::Tcp)]
fn with_the_grpc_profile_no_call_fails_across_a_terminate(#[case] transport: Transport) {
    let text = terminate_story()
        .replace("policy = \"round_robin\"", "policy = \"round_robin\"\nprofile = \"grpc\"");
    let story =
        scenario::parse(&text, "terminate.toml").unwrap().with_transport(transport).unwrap();
    let replay = format!("the terminate story with profile = \"grpc\" on {transport}");
    let (report, log) = runner::runtime(&story)
        .unwrap()
        .block_on(runner::run_with_log(&story, &replay, &Progress::new()))
        .unwrap();
    let failed: Vec<_> = log.calls.iter().filter(|call| call.outcome != CallOutcome::Ok).collect();
    assert!(
        failed.is_empty(),
        "gRPC's transparent retry sends every call racing the GOAWAY elsewhere on {transport}: \
         none may fail ({replay}): {failed:?}"
    );
    assert!(report.passed, "the story's verdict on {transport}: {report}");
}
